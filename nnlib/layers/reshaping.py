"""Reshaping layers: ``Flatten`` and ``Reshape``, as ``keras.layers`` names them.

They move no numbers, only change the shape; their backward pass reshapes the
gradient back (chapter 13, Convolutional networks, uses them between convolutions
and dense layers).
"""
import numpy as np

from .base import Layer, as_shape


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...), in C (row-major) order as Keras."""

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape)
        if any(size is None for size in input_shape):
            return (None,)
        return (int(np.prod(input_shape)),)

    def forward(self, x, training=False):
        x = self._check_input(x)
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout, input_gradient=True):
        """dL/dx is dout reshaped back to the input's shape."""
        self._require_forward()
        return dout.reshape(self._cache) if input_gradient else None

    def __repr__(self):
        return "Flatten()"


class Reshape(Layer):
    """(batch, *input_shape) -> (batch, *target_shape); one entry of target_shape may be -1."""

    def __init__(self, target_shape, name=None):
        super().__init__(name)
        if isinstance(target_shape, (int, np.integer)) and not isinstance(target_shape, bool):
            target_shape = (target_shape,)
        if not isinstance(target_shape, (tuple, list)) or not target_shape or any(
                isinstance(s, bool) or not isinstance(s, (int, np.integer)) or (s <= 0 and s != -1)
                for s in target_shape) or list(target_shape).count(-1) > 1:
            raise ValueError(
                f"target_shape: expected a tuple of positive sizes with at most one -1, such as (4, 4, 1), "
                f"got {target_shape!r}."
            )
        self.target_shape = tuple(int(s) for s in target_shape)

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape)
        if any(size is None for size in input_shape):
            return tuple(None if s == -1 else s for s in self.target_shape)
        total = int(np.prod(input_shape))
        known = int(np.prod([s for s in self.target_shape if s != -1]))
        if -1 in self.target_shape:
            if total % known:
                raise ValueError(
                    f"layer {self.label!r}: cannot reshape samples of shape {input_shape} ({total} entries) "
                    f"into {self.target_shape}."
                )
            return tuple(total // known if s == -1 else s for s in self.target_shape)
        if known != total:
            raise ValueError(
                f"layer {self.label!r}: cannot reshape samples of shape {input_shape} ({total} entries) "
                f"into {self.target_shape} ({known} entries)."
            )
        return self.target_shape

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # raises on a size mismatch
        super().build(input_shape)

    def forward(self, x, training=False):
        x = self._check_input(x)
        self._cache = x.shape
        return x.reshape(x.shape[0], *self.compute_output_shape(x.shape[1:]))

    def backward(self, dout, input_gradient=True):
        self._require_forward()
        return dout.reshape(self._cache) if input_gradient else None

    def __repr__(self):
        return f"Reshape(target_shape={self.target_shape})"
