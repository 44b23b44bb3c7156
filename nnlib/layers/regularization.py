"""Regularization layers: ``Dropout``, as ``keras.layers.Dropout``.

Derived in chapter 12, Generalisation and regularisation.
"""
import numpy as np

from .. import config
from .base import Layer, as_shape


def _check_rate(rate):
    ok = isinstance(rate, (int, float, np.integer, np.floating)) and not isinstance(rate, bool)
    if not ok or not np.isfinite(rate) or not 0.0 <= rate < 1.0:
        raise ValueError(
            f"rate: expected the fraction of units to drop, a number in [0, 1), got {rate!r} "
            "(rate 1 would drop every unit and leave nothing to scale up)."
        )
    return float(rate)


class Dropout(Layer):
    """Inverted dropout: in training, y = x * m / (1 - rate) with m ~ Bernoulli(1 - rate).

    Shapes: x and y (batch, ...), the mask m of shape ``noise_shape`` (None entries take
    x's size on that axis; default: x's shape), broadcast over x. Each unit is kept with
    probability 1 - rate and scaled by 1 / (1 - rate), so E[y] = x and inference
    (``training=False``) is the identity, with nothing to rescale -- Keras's convention.

    Backward pass (chapter 12): dL/dx = dL/dy * m / (1 - rate), the same mask as the
    forward pass. ``seed`` (an int) makes the masks repeatable; without it they come from
    the library generator (``nnlib.set_random_seed``). No weights.
    """

    def __init__(self, rate, noise_shape=None, seed=None, name=None):
        super().__init__(name)
        self.rate = _check_rate(rate)
        if noise_shape is not None:
            if isinstance(noise_shape, (str, bytes)) or not hasattr(noise_shape, "__len__"):
                raise ValueError(f"noise_shape: expected a tuple of sizes or None, got {noise_shape!r}.")
            noise_shape = tuple(noise_shape)
            for size in noise_shape:
                if size is not None and (isinstance(size, bool) or not isinstance(size, (int, np.integer))
                                         or size <= 0):
                    raise ValueError(
                        f"noise_shape: expected positive sizes or None, such as (None, 1, 8), got {noise_shape!r}.")
        self.noise_shape = noise_shape
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed: expected None or a non-negative integer, got {seed!r}.")
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(int(seed))

    def build(self, input_shape):
        super().build(as_shape(input_shape))

    def _mask_shape(self, x):
        if self.noise_shape is None:
            return x.shape
        if len(self.noise_shape) != x.ndim:
            raise ValueError(
                f"noise_shape: layer {self.label!r} got input of rank {x.ndim} (shape {x.shape}), "
                f"but noise_shape {self.noise_shape} has rank {len(self.noise_shape)}."
            )
        shape = tuple(x.shape[i] if size is None else size for i, size in enumerate(self.noise_shape))
        if any(size not in (1, x.shape[i]) for i, size in enumerate(shape)):
            raise ValueError(
                f"noise_shape: {self.noise_shape} does not broadcast to the input shape {x.shape}; "
                "each size must be 1, None or the input's size."
            )
        return shape

    def draw_mask(self, shape):
        """A boolean keep-mask of ``shape``: True with probability 1 - rate."""
        rng = self._rng if self._rng is not None else config.default_rng()
        return rng.random(shape) >= self.rate

    def forward(self, x, training=False):
        """y = x * m / (1 - rate) in training (a fresh mask each call); y = x otherwise."""
        x = self._check_input(x)
        if not training or self.rate == 0.0:
            self._cache = (None,)
            return x
        keep = np.broadcast_to(self.draw_mask(self._mask_shape(x)), x.shape)
        scale = x.dtype.type(1.0 - self.rate) if np.issubdtype(x.dtype, np.floating) else 1.0 - self.rate
        self._cache = (keep, scale)
        return np.where(keep, x / scale, 0).astype(x.dtype, copy=False)

    def backward(self, dout, input_gradient=True):
        """dL/dx = dout * m / (1 - rate) after a training forward pass; dout itself otherwise."""
        self._require_forward()
        if not input_gradient:
            return None
        if self._cache[0] is None:
            return dout
        keep, scale = self._cache
        return np.where(keep, dout / scale, 0).astype(dout.dtype, copy=False)

    def __repr__(self):
        return f"Dropout(rate={self.rate:g})"
