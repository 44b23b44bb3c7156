"""Windows of an image batch as one matrix (im2col) and back (col2im); padding arithmetic.

Chapter 13, Convolutional networks, derives all of it. Both ``Conv2D`` and the pooling
layers use these helpers, so the reshaping trick lives in one place.

Layout: channels last, as Keras -- images ``(batch, height, width, channels)``.

Output size along one axis of length n, window k, stride s (chapter 13):

- ``"valid"`` (no padding): ``out = floor((n - k) / s) + 1``;
- ``"same"``: ``out = ceil(n / s)``, with ``max((out - 1) * s + k - n, 0)`` zeros added,
  half of them (rounded down) before and the rest after -- TensorFlow's and Keras's rule.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

PADDINGS = ("valid", "same")


def output_length(length, kernel, stride, padding):
    """Output length along one axis: floor((n - k) / s) + 1 ("valid") or ceil(n / s) ("same").

    Can be zero or negative for "valid" when the window is longer than the input; callers check.
    """
    if padding == "same":
        return -(-length // stride)
    return (length - kernel) // stride + 1


def padding_amounts(length, kernel, stride, padding):
    """(before, after): zeros added along one axis; (0, 0) for "valid".

    "same" adds ``max((out - 1) * s + k - n, 0)`` in all, the smaller half before, as Keras.
    """
    if padding != "same":
        return 0, 0
    total = max((output_length(length, kernel, stride, "same") - 1) * stride + kernel - length, 0)
    return total // 2, total - total // 2


def pad_images(x, pads, value=0.0):
    """x (batch, h, w, c) padded to (batch, h + top + bottom, w + left + right, c).

    ``pads`` is ((top, bottom), (left, right)); ``value`` fills the border (0 for
    convolutions, -inf for max pooling). Returns x itself when nothing is added.
    """
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def windows(x, kernel_size, strides):
    """A read-only view (batch, out_h, out_w, kh, kw, c) of every kh x kw window of x.

    ``x`` is an already padded batch (batch, h, w, c); window (i, j) starts at row
    ``i * sh`` and column ``j * sw``. No number is copied: the view reuses x's memory.
    """
    (kh, kw), (sh, sw) = kernel_size, strides
    batch, height, width, channels = x.shape
    out_h = (height - kh) // sh + 1
    out_w = (width - kw) // sw + 1
    sb, sy, sx, sc = x.strides
    return as_strided(x, shape=(batch, out_h, out_w, kh, kw, channels),
                      strides=(sb, sy * sh, sx * sw, sy, sx, sc), writeable=False)


def im2col(x, kernel_size, strides):
    """The windows of a padded batch x (batch, h, w, c) as rows of a matrix.

    Returns (batch * out_h * out_w, kh * kw * c): one row per output position, its
    entries in the order (row in window, column in window, channel) -- the order of a
    Keras kernel (kh, kw, c, filters) reshaped to (kh * kw * c, filters). A convolution
    is then one matrix product: ``im2col(x) @ kernel.reshape(-1, filters)``.
    """
    view = windows(x, kernel_size, strides)
    return view.reshape(-1, view.shape[3] * view.shape[4] * view.shape[5])


def col2im(cols, padded_shape, kernel_size, strides):
    """The adjoint of ``windows``: add every window's entries back where they came from.

    ``cols`` has shape (batch, out_h, out_w, kh, kw, c); the result has ``padded_shape``
    (batch, h, w, c). An input pixel covered by several windows receives the sum of
    their entries -- which is exactly the chain rule for a pixel used several times
    (chapter 13). Loops over the kh * kw offsets only, not over pixels.
    """
    (kh, kw), (sh, sw) = kernel_size, strides
    out_h, out_w = cols.shape[1], cols.shape[2]
    result = np.zeros(padded_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            result[:, i:i + sh * (out_h - 1) + 1:sh, j:j + sw * (out_w - 1) + 1:sw, :] += cols[:, :, :, i, j, :]
    return result


def crop(x, pads):
    """Undo ``pad_images``: remove ((top, bottom), (left, right)) from x (batch, h, w, c)."""
    (top, bottom), (left, right) = pads
    return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right, :]


def as_pair(value, name):
    """An int or a pair of ints as a pair of positive ints: 3 -> (3, 3), (3, 2) -> (3, 2); else raise."""
    pair = (value, value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if (not isinstance(pair, (tuple, list)) or len(pair) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0 for v in pair)):
        raise ValueError(f"{name}: expected a positive integer or a tuple of two positive integers, got {value!r}.")
    return int(pair[0]), int(pair[1])


def as_padding(value):
    """"valid" or "same" (in any case, as Keras accepts), or raise."""
    if not isinstance(value, str) or value.lower() not in PADDINGS:
        raise ValueError(f"padding: expected 'valid' or 'same', got {value!r}.")
    return value.lower()


def spatial_output_shape(layer, input_shape, kernel_size, strides, padding, what="kernel_size"):
    """(out_h, out_w) for per-sample ``input_shape`` (h, w, c); raise if a "valid" window does not fit."""
    height, width = input_shape[0], input_shape[1]
    sizes = []
    for length, k, s in zip((height, width), kernel_size, strides):
        sizes.append(None if length is None else output_length(length, k, s, padding))
    if any(size is not None and size <= 0 for size in sizes):
        raise ValueError(
            f"layer {layer.label!r} ({type(layer).__name__}): {what} {kernel_size} with padding='valid' "
            f"does not fit input of shape {(None, *input_shape)}: the output would be "
            f"{sizes[0]} x {sizes[1]}. Use a smaller {what} or padding='same'."
        )
    return tuple(sizes)
