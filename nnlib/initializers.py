"""Weight initializers, named and parameterised as in Keras 3.

Discussed in chapter 7, Training a network (symmetry, scale, Glorot and He).
``shape`` is a tuple such as (n_in, n_out); ``seed`` is None (the library's
generator, see ``nnlib.set_random_seed``), an int, or a ``numpy.random.Generator``.
The values are drawn from NumPy, so they differ from Keras's own draws; copy
weights with ``set_weights`` when both must start from the same point.
"""
import numpy as np

from . import config
from ._validation import unknown_name


def _check_shape(shape):
    """shape as a tuple of positive ints, or a clear ValueError naming what arrived."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not shape or not all(
            isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > 0 for size in shape):
        raise ValueError(f"shape: expected a tuple of positive integers such as (3, 4), got {shape!r}.")
    return tuple(int(size) for size in shape)


def _fans(shape):
    """fan_in and fan_out of a kernel of shape (n_in, n_out); a bias (n,) has fan_in = fan_out = n.

    For a kernel of more dimensions, as Keras: fan_in = prod(shape[:-1]), fan_out = shape[-1]
    times the receptive field (every axis but the last two).
    """
    shape = _check_shape(shape)
    if len(shape) > 2:
        receptive_field = int(np.prod(shape[:-2]))
        return shape[-2] * receptive_field, shape[-1] * receptive_field
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[-1]


def _truncated_normal(rng, shape, stddev):
    """Normal(0, stddev) draws, with values beyond 2 stddev redrawn (as Keras's truncated normal)."""
    values = rng.normal(0.0, stddev, size=shape)
    outside = np.abs(values) > 2 * stddev
    while np.any(outside):
        values[outside] = rng.normal(0.0, stddev, size=int(outside.sum()))
        outside = np.abs(values) > 2 * stddev
    return values


def glorot_uniform(shape, seed=None):
    """Uniform(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)). Keras's Dense default."""
    shape = _check_shape(shape)
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return config.as_rng(seed).uniform(-limit, limit, size=shape).astype(config.floatx())


def he_normal(shape, seed=None):
    """Truncated normal with stddev = sqrt(2 / fan_in) / 0.8796, suited to ReLU layers.

    The factor 0.87962566 corrects for the variance lost by truncating at two
    standard deviations, exactly as ``keras.initializers.HeNormal`` does.
    """
    shape = _check_shape(shape)
    fan_in, _ = _fans(shape)
    stddev = np.sqrt(2.0 / fan_in) / 0.87962566103423978
    return _truncated_normal(config.as_rng(seed), shape, stddev).astype(config.floatx())


def random_normal(shape, mean=0.0, stddev=0.05, seed=None):
    """Normal(mean, stddev) draws; Keras's ``RandomNormal`` defaults are mean 0, stddev 0.05."""
    shape = _check_shape(shape)
    for value, name in ((mean, "mean"), (stddev, "stddev")):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            raise ValueError(f"{name}: expected a finite number, got {value!r}.")
    if stddev < 0:
        raise ValueError(f"stddev: expected a number >= 0, got {stddev!r}.")
    return config.as_rng(seed).normal(mean, stddev, size=shape).astype(config.floatx())


def zeros(shape, seed=None):
    """All zeros. Fine for biases; for kernels it makes every unit of a layer identical (chapter 7)."""
    return np.zeros(_check_shape(shape), dtype=config.floatx())


def ones(shape, seed=None):
    """All ones."""
    return np.ones(_check_shape(shape), dtype=config.floatx())


_INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "random_normal": random_normal,
    "zeros": zeros,
    "ones": ones,
}


def get(identifier):
    """An initializer by name, or any callable ``f(shape, seed=None)`` passed through."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _INITIALIZERS:
        return _INITIALIZERS[identifier]
    raise unknown_name("initializer", identifier, _INITIALIZERS)
