"""Library-wide settings: the default float type and the default random generator.

Keras computes in ``float32`` by default, and so does ``nnlib``; gradient checks
switch to ``float64`` (see chapter 6, Backpropagation).
"""
import numpy as np

_FLOAT_TYPES = ("float16", "float32", "float64")
_floatx = "float32"
_rng = np.random.default_rng(0)


def floatx():
    """Return the default float type as a string, ``"float32"`` unless changed."""
    return _floatx


def set_floatx(value):
    """Set the default float type: one of ``"float16"``, ``"float32"``, ``"float64"``."""
    global _floatx
    if value not in _FLOAT_TYPES:
        raise ValueError(f"set_floatx: expected one of {_FLOAT_TYPES}, got {value!r}.")
    _floatx = value


def set_random_seed(seed):
    """Reseed the generator that initializers and ``fit`` use when given no seed.

    Same idea as ``keras.utils.set_random_seed``: call it once at the top of a
    notebook and every run gives the same numbers.
    """
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, got {seed!r}.")
    _rng = np.random.default_rng(int(seed))


def default_rng():
    """The library's shared ``numpy.random.Generator`` (see ``set_random_seed``)."""
    return _rng


def as_rng(seed):
    """Turn ``None`` (library generator), an int, or a Generator into a Generator."""
    if seed is None:
        return _rng
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed: expected None, an int or a numpy Generator, got {type(seed).__name__}.")
