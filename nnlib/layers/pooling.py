"""Pooling layers: ``MaxPooling2D`` and ``AveragePooling2D``, as ``keras.layers`` names them.

Derived in chapter 13, Convolutional networks. Each channel is pooled on its own over
windows of ``pool_size`` moved by ``strides`` (by default the pool size: windows that
do not overlap). They have no weights. The windows come from ``nnlib.layers.im2col``.
"""
import numpy as np

from .base import as_shape
from .convolutional import ImageLayer
from .im2col import as_pair, as_padding, col2im, crop, pad_images, spatial_output_shape, windows


class _Pooling2D(ImageLayer):
    """What both poolings share: arguments, output shape, the windows of the padded input."""

    fill = 0.0

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None):
        super().__init__(name)
        self.pool_size = as_pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else as_pair(strides, "strides")
        self.padding = as_padding(padding)

    @property
    def _window(self):
        return self.pool_size

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape)
        self._check_rank(input_shape)
        out_h, out_w = spatial_output_shape(self, input_shape, self.pool_size, self.strides, self.padding,
                                            what="pool_size")
        return (out_h, out_w, input_shape[-1])

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # raises if the window does not fit
        super().build(input_shape)

    def _windows(self, x):
        """(view of shape (batch, out_h, out_w, ph*pw, c), padded shape, pads) for a batch x."""
        pads = self._pads(x.shape[1:])
        x_pad = pad_images(x, pads, self.fill)
        view = windows(x_pad, self.pool_size, self.strides)
        b, oh, ow, ph, pw, c = view.shape
        return view.reshape(b, oh, ow, ph * pw, c), x_pad.shape, pads

    def _scatter(self, dwin, padded_shape, pads):
        """dL/dx from dL/d(window entries) (batch, out_h, out_w, ph*pw, c): col2im, then crop."""
        b, oh, ow, _, c = dwin.shape
        dcols = dwin.reshape(b, oh, ow, *self.pool_size, c)
        return crop(col2im(dcols, padded_shape, self.pool_size, self.strides), pads)

    def __repr__(self):
        return (f"{type(self).__name__}(pool_size={self.pool_size}, strides={self.strides}, "
                f"padding={self.padding!r})")


class MaxPooling2D(_Pooling2D):
    """The largest entry of each window, per channel: (batch, h, w, c) -> (batch, out_h, out_w, c).

    Backward pass (chapter 13): the gradient of a maximum flows to the entry that won
    (the first one, on a tie) and nowhere else; overlapping windows add up. "same"
    padding pads with -inf, so a padded entry never wins (as Keras).
    """

    fill = -np.inf

    def forward(self, x, training=False):
        x = self._check_input(x)
        win, padded_shape, pads = self._windows(x)
        winner = np.argmax(win, axis=3)  # (batch, out_h, out_w, c)
        out = np.take_along_axis(win, winner[:, :, :, None, :], axis=3)[:, :, :, 0, :]
        self._cache = (winner, win.shape, padded_shape, pads)
        return out

    def backward(self, dout, input_gradient=True):
        """dL/dx: each window's dout sent to the position of its maximum, summed over windows."""
        self._require_forward()
        if not input_gradient:
            return None
        winner, win_shape, padded_shape, pads = self._cache
        dwin = np.zeros(win_shape, dtype=dout.dtype)
        np.put_along_axis(dwin, winner[:, :, :, None, :], dout[:, :, :, None, :], axis=3)
        return self._scatter(dwin, padded_shape, pads)


class AveragePooling2D(_Pooling2D):
    """The mean of each window, per channel: (batch, h, w, c) -> (batch, out_h, out_w, c).

    With "same" padding, a window at the border is averaged over its real entries only
    (the padded zeros are not counted), as Keras does. Backward pass (chapter 13): each
    entry of a window receives dout / (number of real entries in the window).
    """

    def forward(self, x, training=False):
        x = self._check_input(x)
        win, padded_shape, pads = self._windows(x)
        counts = self._counts(x.shape[1:3], pads, x.dtype)
        out = win.sum(axis=3) / counts
        self._cache = (counts, win.shape, padded_shape, pads)
        return out

    def _counts(self, size, pads, dtype):
        """(1, out_h, out_w, 1, ...) real entries per window: the pool area, fewer at padded borders."""
        ones = pad_images(np.ones((1, *size, 1), dtype=dtype), pads)
        view = windows(ones, self.pool_size, self.strides)
        return view.sum(axis=(3, 4))  # (1, out_h, out_w, 1)

    def backward(self, dout, input_gradient=True):
        """dL/dx: dout / count spread evenly over each window's entries, summed over windows."""
        self._require_forward()
        if not input_gradient:
            return None
        counts, win_shape, padded_shape, pads = self._cache
        share = (dout / counts)[:, :, :, None, :]
        dwin = np.broadcast_to(share, win_shape)
        return self._scatter(np.ascontiguousarray(dwin), padded_shape, pads)
