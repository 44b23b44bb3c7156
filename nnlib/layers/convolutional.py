"""Convolutional layers: ``Conv2D``, as ``keras.layers`` names it (channels last).

Derived in chapter 13, Convolutional networks: the forward pass as one matrix product
over the input's windows (im2col, ``nnlib.layers.im2col``), the backward pass as the
same product transposed, its windows added back in place (col2im).
"""
import numpy as np

from .. import activations, initializers
from .._validation import check_positive_int
from .base import Layer, as_shape
from .core import activation_backward, get_regularizer
from .im2col import (as_pair, as_padding, col2im, crop, im2col, pad_images, padding_amounts,
                     spatial_output_shape)


class ImageLayer(Layer):
    """The base of the layers that read images (batch, height, width, channels)."""

    input_rank = 3

    def _check_rank(self, input_shape):
        if len(input_shape) != 3:
            hint = ""
            if len(input_shape) == 1:
                hint = (" Reshape flat images first, for example x.reshape(-1, 8, 8, 1) for 8x8 "
                        "one-channel images.")
            raise ValueError(
                f"layer {self.label!r} ({type(self).__name__}) expects images of shape (batch, height, "
                f"width, channels), got samples of shape {input_shape} (input shape "
                f"{(None, *input_shape)}).{hint}"
            )

    def _pads(self, input_shape):
        """((top, bottom), (left, right)) for per-sample ``input_shape`` (h, w, c)."""
        return tuple(padding_amounts(n, k, s, self.padding)
                     for n, k, s in zip(input_shape[:2], self._window, self.strides))


class Conv2D(ImageLayer):
    """A 2-D convolution (a cross-correlation, as in every framework): a = activation(x * W + b).

    Shapes (channels last, as ``keras.layers.Conv2D``): x (batch, h, w, c_in), kernel W
    (kh, kw, c_in, filters), bias b (filters,), output (batch, out_h, out_w, filters) with
    out = floor((n - k) / s) + 1 for ``padding="valid"`` and ceil(n / s) for ``"same"``.

    z[n, i, j, f] = b[f] + sum over (p, q, c) of x_pad[n, i*sh + p, j*sw + q, c] W[p, q, c, f]

    computed as one matrix product ``im2col(x_pad) @ W.reshape(kh*kw*c_in, filters)``.

    Backward pass (chapter 13): with dz = dout * activation'(z) reshaped to (positions, filters),
    dW = im2col(x_pad)^T dz, db = sum of dz over batch and positions, and dx is
    col2im(dz W^T) with the padding cropped -- each pixel receives the sum over every window
    that used it, which is again a convolution (of dz with the flipped kernel).
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, name=None):
        super().__init__(name)
        check_positive_int(filters, "filters")
        if not isinstance(use_bias, (bool, np.bool_)):
            raise ValueError(f"use_bias: expected True or False, got {use_bias!r}.")
        self.filters = int(filters)
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.strides = as_pair(strides, "strides")
        self.padding = as_padding(padding)
        self.activation_name = activations.name_of(activation)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = get_regularizer(bias_regularizer, "bias_regularizer")

    @property
    def _window(self):
        return self.kernel_size

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape)
        self._check_rank(input_shape)
        out_h, out_w = spatial_output_shape(self, input_shape, self.kernel_size, self.strides, self.padding)
        return (out_h, out_w, self.filters)

    def build(self, input_shape):
        """Create the kernel (kh, kw, c_in, filters) and the bias (filters,)."""
        input_shape = as_shape(input_shape)
        self._check_rank(input_shape)
        if input_shape[-1] is None:
            raise ValueError(f"layer {self.label!r}: the channel axis must have a known size, got {input_shape}.")
        self.compute_output_shape(input_shape)  # raises if the kernel does not fit
        self._create_kernel_and_bias((*self.kernel_size, input_shape[-1], self.filters), self.filters)
        super().build(input_shape)

    @property
    def kernel(self):
        return self.params["kernel"]

    @property
    def bias(self):
        return self.params.get("bias")

    def forward(self, x, training=False):
        """a = activation(im2col(x_pad) @ W + b), shape (batch, out_h, out_w, filters)."""
        x = self._check_input(x)
        pads = self._pads(x.shape[1:])
        x_pad = pad_images(x, pads)
        cols = im2col(x_pad, self.kernel_size, self.strides)
        batch = x.shape[0]
        out_h, out_w, _ = self.compute_output_shape(x.shape[1:])
        z = cols @ self.params["kernel"].reshape(-1, self.filters)
        if self.use_bias:
            z += self.params["bias"]
        z = z.reshape(batch, out_h, out_w, self.filters)
        a = self.activation(z)
        self._cache = (cols, x_pad.shape, pads, z, a)
        return a

    def backward(self, dout, input_gradient=True):
        """dW = cols^T dz, db = sum dz, dx = crop(col2im(dz W^T)); returns dx (or None if not wanted)."""
        self._require_forward()
        cols, padded_shape, pads, z, a = self._cache
        dz = activation_backward(self.activation_name, z, a, dout).reshape(-1, self.filters)
        self.grads["kernel"] = (cols.T @ dz).reshape(self.params["kernel"].shape)
        if self.use_bias:
            self.grads["bias"] = dz.sum(axis=0)
        if not input_gradient:
            return None
        kh, kw = self.kernel_size
        dcols = (dz @ self.params["kernel"].reshape(-1, self.filters).T).reshape(
            z.shape[0], z.shape[1], z.shape[2], kh, kw, padded_shape[-1])
        return crop(col2im(dcols, padded_shape, self.kernel_size, self.strides), pads)

    def __repr__(self):
        return (f"Conv2D(filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, activation={self.activation_name!r})")
