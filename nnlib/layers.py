"""Layers: ``Input``, ``Dense`` and ``Activation``.

Derived in chapter 3, Forward propagation (``forward``) and chapter 6,
Backpropagation (``backward``). Every layer follows one interface:

- ``forward(x, training=False)`` takes a batch ``x`` of shape (n_samples, n_in),
  returns the output (n_samples, n_out), and caches what ``backward`` needs;
- ``backward(dout)`` takes dL/d(output), shape (n_samples, n_out), fills
  ``grads`` (same keys and shapes as ``params``) and returns dL/dx, shape (n_samples, n_in).
"""
import numpy as np

from . import activations, initializers
from ._validation import check_positive_int


class Input:
    """The shape of one sample, without the batch dimension: ``Input((2,))``, as ``keras.Input``."""

    def __init__(self, shape, name=None):
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)):
            raise ValueError(f"shape: expected a tuple such as (2,), got {shape!r}.")
        shape = tuple(shape)
        if len(shape) != 1 or isinstance(shape[0], bool) or not isinstance(shape[0], (int, np.integer)) or shape[0] <= 0:
            raise ValueError(
                f"shape: expected a 1-tuple with a positive feature count such as (2,), got {shape!r}. "
                "nnlib's layers work on flat feature vectors; flatten images with x.reshape(len(x), -1)."
            )
        self.shape = (int(shape[0]),)
        self.name = name or "input"

    def __repr__(self):
        return f"Input(shape={self.shape})"


class Layer:
    """What every layer shares: a name, parameters and gradients by name, weights in Keras order."""

    def __init__(self, name=None):
        self.name = name
        self.params = {}
        self.grads = {}
        self.built = False
        self.input_dim = None

    def build(self, input_dim):
        self.input_dim = int(input_dim)
        self.built = True

    def output_dim(self, input_dim):
        return input_dim

    @property
    def label(self):
        """The layer's name for messages: its own, or its type for a layer outside a model."""
        return self.name or type(self).__name__.lower()

    def count_params(self):
        """Number of scalars in the layer's parameters."""
        return int(sum(p.size for p in self.params.values()))

    def get_weights(self):
        """Copies of the parameter arrays, in Keras order (kernel, then bias)."""
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights):
        """Replace the parameters by ``weights``: a list with the shapes of ``get_weights()``."""
        weights = list(weights)
        expected = [p.shape for p in self.params.values()]
        if len(weights) != len(expected):
            raise ValueError(
                f"weights: layer {self.label!r} expects {len(expected)} array(s) with shapes {expected}, "
                f"got {len(weights)}."
            )
        arrays = [np.asarray(new) for new in weights]
        for (key, current), new in zip(self.params.items(), arrays):
            if new.shape != current.shape:
                raise ValueError(
                    f"weights: layer {self.label!r} expects {key} of shape {current.shape}, got shape {new.shape}."
                )
        for (key, current), new in zip(list(self.params.items()), arrays):  # all checked: now replace
            self.params[key] = new.astype(current.dtype).copy()

    def _check_input(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or (self.built and x.shape[1] != self.input_dim):
            features = self.input_dim if self.built else "n_features"
            raise ValueError(
                f"x: layer {self.label!r} expects input of shape (n_samples, {features}), got shape {x.shape}."
            )
        return x


class Dense(Layer):
    """A fully connected layer: a = activation(x @ W + b).

    Shapes: x (n_samples, n_in), kernel W (n_in, units), bias b (units,), output
    (n_samples, units) -- the layout of ``keras.layers.Dense``.

    Backward pass (chapter 6): with dz = dout * activation'(z),
    dW = x^T dz, db = sum of dz over the batch, dx = dz W^T.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", name=None):
        super().__init__(name)
        check_positive_int(units, "units")
        self.units = int(units)
        self.activation_name = activations.name_of(activation)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._cache = None

    def build(self, input_dim):
        """Create the kernel (input_dim, units) and the bias (units,)."""
        super().build(input_dim)
        self.params = {"kernel": self.kernel_initializer((self.input_dim, self.units))}
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.units,))
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def output_dim(self, input_dim):
        return self.units

    @property
    def kernel(self):
        return self.params["kernel"]

    @property
    def bias(self):
        return self.params.get("bias")

    def forward(self, x, training=False):
        """a = activation(x @ W + b); caches x and z for the backward pass."""
        x = self._check_input(x)
        if not self.built:
            self.build(x.shape[1])
        z = x @ self.params["kernel"]
        if self.use_bias:
            z = z + self.params["bias"]
        a = self.activation(z)
        self._cache = (x, z, a)
        return a

    def backward(self, dout, input_gradient=True):
        """Gradients of the loss for W and b; returns dL/dx of shape (n_samples, n_in).

        ``input_gradient=False`` skips dL/dx (and returns None): training does not need
        it for the first layer, whose input is the data.
        """
        if self._cache is None:
            raise RuntimeError(f"layer {self.label!r}: call forward before backward.")
        _, z, a = self._cache
        if self.activation_name == "softmax":
            dz = a * (dout - np.sum(dout * a, axis=-1, keepdims=True))  # softmax_backward, reusing a
        elif self.activation_name == "linear":
            dz = dout
        elif self.activation_name == "relu":
            dz = dout * (z > 0)  # relu_derivative, without building a float array first
        else:
            dz = dout * activations.get_derivative(self.activation_name)(z)
        return self.backward_from_z(dz, input_gradient)

    def backward_from_z(self, dz, input_gradient=True):
        """The backward pass from delta = dL/dz, the gradient before the activation.

        dW = x^T dz, db = sum of dz over the batch; returns dL/dx = dz W^T. ``backward``
        ends here; training calls it directly when softmax and cross-entropy are fused.
        """
        if self._cache is None:
            raise RuntimeError(f"layer {self.label!r}: call forward before backward.")
        x = self._cache[0]
        self.grads["kernel"] = x.T @ dz
        if self.use_bias:
            self.grads["bias"] = dz.sum(axis=0)
        return dz @ self.params["kernel"].T if input_gradient else None

    def __repr__(self):
        return f"Dense(units={self.units}, activation={self.activation_name!r})"


class Activation(Layer):
    """Applies an activation on its own: ``Activation("relu")``, as ``keras.layers.Activation``."""

    def __init__(self, activation, name=None):
        super().__init__(name)
        self.activation_name = activations.name_of(activation)
        self.activation = activations.get(activation)
        self._cache = None

    def forward(self, x, training=False):
        x = self._check_input(x)
        if not self.built:
            self.build(x.shape[1])
        self._cache = x
        return self.activation(x)

    def backward(self, dout, input_gradient=True):
        """dL/dx = dout * activation'(x) (softmax: its vector-Jacobian product); None if not wanted."""
        if self._cache is None:
            raise RuntimeError(f"layer {self.label!r}: call forward before backward.")
        if not input_gradient:
            return None
        x = self._cache
        if self.activation_name == "softmax":
            return activations.softmax_backward(x, dout)
        return dout * activations.get_derivative(self.activation_name)(x)

    def __repr__(self):
        return f"Activation({self.activation_name!r})"
