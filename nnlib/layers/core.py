"""Core layers: ``Input``, ``Dense`` and ``Activation``, as ``keras.layers`` names them.

Derived in chapter 3, Forward propagation (``forward``) and chapter 6, Backpropagation
(``backward``). The interface every layer shares is in ``nnlib.layers.base``.
"""
import numpy as np

from .. import activations, initializers
from .._validation import check_positive_int
from .base import Layer, as_shape


def get_regularizer(identifier, argument):
    """A regularizer object from None, a name such as "l2", or an object (chapter 12)."""
    if identifier is None:
        return None
    try:
        from .. import regularizers
    except ImportError:  # pragma: no cover - the module arrives with chapter 12
        raise ValueError(f"{argument}: nnlib has no regularizers module yet, got {identifier!r}.") from None
    try:
        return regularizers.get(identifier)
    except ValueError as error:
        raise ValueError(f"{argument}: {error}") from None


class Input:
    """The shape of one sample, without the batch axis, as ``keras.Input``.

    ``Input((2,))`` for two features, ``Input((8, 8, 1))`` for 8x8 one-channel images,
    ``Input((None, 3))`` for sequences of any length with three features per step.
    """

    def __init__(self, shape, name=None):
        self.shape = as_shape(shape, "shape")
        self.name = name or "input"

    def __repr__(self):
        return f"Input(shape={self.shape})"


class Dense(Layer):
    """A fully connected layer: a = activation(x @ W + b).

    Shapes: x (batch, ..., n_in), kernel W (n_in, units), bias b (units,), output
    (batch, ..., units) -- the layout of ``keras.layers.Dense``, which acts on the last
    axis and treats every other axis as a batch axis.

    Backward pass (chapter 6): with dz = dout * activation'(z),
    dW = x^T dz, db = sum of dz over the batch, dx = dz W^T (summing over every
    leading axis for inputs of rank 3 or more).
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, name=None):
        super().__init__(name)
        check_positive_int(units, "units")
        if not isinstance(use_bias, (bool, np.bool_)):
            raise ValueError(f"use_bias: expected True or False, got {use_bias!r}.")
        self.units = int(units)
        self.activation_name = activations.name_of(activation)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = get_regularizer(bias_regularizer, "bias_regularizer")

    def build(self, input_shape):
        """Create the kernel (n_in, units) and the bias (units,), n_in the last input axis."""
        input_shape = as_shape(input_shape)
        if input_shape[-1] is None:
            raise ValueError(f"layer {self.label!r}: the last input axis must have a known size, got {input_shape}.")
        self._create_kernel_and_bias((input_shape[-1], self.units), self.units)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return (*as_shape(input_shape)[:-1], self.units)

    @property
    def kernel(self):
        return self.params["kernel"]

    @property
    def bias(self):
        return self.params.get("bias")

    def forward(self, x, training=False):
        """a = activation(x @ W + b); caches x, z and a for the backward pass."""
        x = checked_input(self, x)
        z = x @ self.params["kernel"]
        if self.use_bias:
            z = z + self.params["bias"]
        a = self.activation(z)
        self._cache = (x, z, a)
        return a

    def backward(self, dout, input_gradient=True):
        """Gradients of the loss for W and b; returns dL/dx of the input's shape.

        ``input_gradient=False`` skips dL/dx (and returns None): training does not need
        it for the first layer, whose input is the data.
        """
        self._require_forward()
        _, z, a = self._cache
        return self.backward_from_z(activation_backward(self.activation_name, z, a, dout), input_gradient)

    def backward_from_z(self, dz, input_gradient=True):
        """The backward pass from delta = dL/dz, the gradient before the activation.

        dW = x^T dz, db = sum of dz over the batch; returns dL/dx = dz W^T. ``backward``
        ends here; training calls it directly when softmax and cross-entropy are fused.
        """
        self._require_forward()
        x = self._cache[0]
        if x.ndim == 2:
            self.grads["kernel"] = x.T @ dz
        else:  # every leading axis is a batch axis
            self.grads["kernel"] = x.reshape(-1, x.shape[-1]).T @ dz.reshape(-1, dz.shape[-1])
        if self.use_bias:
            self.grads["bias"] = dz.reshape(-1, dz.shape[-1]).sum(axis=0)
        return dz @ self.params["kernel"].T if input_gradient else None

    def __repr__(self):
        return f"Dense(units={self.units}, activation={self.activation_name!r})"


def checked_input(layer, x):
    """``x`` after ``layer._check_input``, which is skipped when one comparison shows ``x`` is an
    array of exactly the built sample shape (the case in every training step)."""
    if type(x) is np.ndarray and layer.built and x.shape[1:] == layer.input_shape and x.ndim > 1:
        return x
    return layer._check_input(x)


def activation_backward(name, z, a, dout):
    """dL/dz from dL/da for a = activation(z), with a reused where that is cheaper (chapter 6)."""
    if name == "softmax":
        return a * (dout - np.sum(dout * a, axis=-1, keepdims=True))  # softmax_backward, reusing a
    if name == "linear":
        return dout
    if name == "relu":
        return dout * (z > 0)  # relu_derivative, without building a float array first
    return dout * activations.get_derivative(name)(z)


class Activation(Layer):
    """Applies an activation on its own: ``Activation("relu")``, as ``keras.layers.Activation``."""

    def __init__(self, activation, name=None):
        super().__init__(name)
        self.activation_name = activations.name_of(activation)
        self.activation = activations.get(activation)

    def forward(self, x, training=False):
        x = checked_input(self, x)
        a = self.activation(x)
        self._cache = (x, a)
        return a

    def backward(self, dout, input_gradient=True):
        """dL/dx = dout * activation'(x) (softmax: its vector-Jacobian product); None if not wanted."""
        self._require_forward()
        if not input_gradient:
            return None
        x, a = self._cache
        return activation_backward(self.activation_name, x, a, dout)

    def backward_from_z(self, dz, input_gradient=True):
        """With dL/dz already known (softmax fused with cross-entropy), dL/dx is dz itself."""
        self._require_forward()
        return dz if input_gradient else None

    def __repr__(self):
        return f"Activation({self.activation_name!r})"
