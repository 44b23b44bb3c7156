"""Normalization layers: ``BatchNormalization``, as ``keras.layers.BatchNormalization``.

Derived in chapter 12, Generalisation and regularisation (Ioffe and Szegedy, 2015).
"""
import numpy as np

from .. import initializers
from .._validation import check_fraction, check_positive_number
from .base import Layer, as_shape
from .core import get_regularizer


class BatchNormalization(Layer):
    """y = gamma * (x - mean) / sqrt(var + epsilon) + beta, per feature along ``axis``.

    Shapes: x and y (batch, ..., n) for the default ``axis=-1``; gamma, beta,
    moving_mean and moving_variance (n,). Every axis but ``axis`` is reduced: for images
    (batch, height, width, channels) the statistics are per channel, over the batch and
    every pixel. Weights in Keras's order: [gamma, beta, moving_mean, moving_variance]
    (gamma only with ``scale``, beta only with ``center``); gamma and beta are trained,
    the moving statistics are ``states``.

    - ``forward(x, training=True)``: mean and var are the batch's (the biased variance,
      dividing by the count m of values per feature), and the moving statistics are
      updated, moving = momentum * moving + (1 - momentum) * batch statistic;
    - ``forward(x, training=False)``: the moving statistics are used, nothing changes.

    Backward pass in training (chapter 12), with x_hat = (x - mean) / sqrt(var + eps),
    g = dL/dy * gamma and sums over the m values of a feature:
    dgamma = sum(dL/dy * x_hat), dbeta = sum(dL/dy),
    dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps).
    In inference the statistics are constants and dx = g / sqrt(moving_var + eps).
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None, name=None):
        super().__init__(name)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"axis: expected an integer axis such as -1, got {axis!r}.")
        check_fraction(momentum, "momentum", include_high=True)
        check_positive_number(epsilon, "epsilon")
        for value, argument in ((center, "center"), (scale, "scale")):
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{argument}: expected True or False, got {value!r}.")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = get_regularizer(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = get_regularizer(gamma_regularizer, "gamma_regularizer")

    def build(self, input_shape):
        """Create gamma, beta and the moving statistics, one entry per feature along ``axis``."""
        input_shape = as_shape(input_shape)
        rank = len(input_shape) + 1  # with the batch axis
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(
                f"axis: layer {self.label!r} got axis {self.axis} for inputs of shape (None, "
                f"{', '.join(str(s) for s in input_shape)}); expected a feature axis in 1..{rank - 1} or "
                f"-{rank - 1}..-1 (axis 0 is the batch)."
            )
        self._axis = self.axis % rank
        size = input_shape[self._axis - 1]
        if size is None:
            raise ValueError(f"layer {self.label!r}: the normalised axis {self.axis} must have a known size.")
        self._reduce = tuple(i for i in range(rank) if i != self._axis)
        self.params = {}
        if self.scale:
            self.params["gamma"] = np.asarray(self.gamma_initializer((size,)))
        if self.center:
            self.params["beta"] = np.asarray(self.beta_initializer((size,)))
        self.states = {"moving_mean": np.asarray(self.moving_mean_initializer((size,))),
                       "moving_variance": np.asarray(self.moving_variance_initializer((size,)))}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.regularizers = {key: reg for key, reg in (("gamma", self.gamma_regularizer),
                                                       ("beta", self.beta_regularizer))
                             if reg is not None and key in self.params}
        super().build(input_shape)

    def _per_feature(self, v, ndim):
        """A (n,) vector shaped to broadcast along the normalised axis of an ndim array."""
        shape = [1] * ndim
        shape[self._axis] = -1
        return v.reshape(shape)

    def forward(self, x, training=False):
        """Normalise with the batch's statistics (training, updating the moving ones) or the moving ones."""
        x = self._check_input(x)
        if training:
            count = x.size // x.shape[self._axis]
            if count < 2:
                raise ValueError(
                    f"x: layer {self.label!r} (BatchNormalization) in training needs at least two values per "
                    f"feature to estimate a variance, got input of shape {x.shape} (a batch of one): "
                    "train with batches of two or more samples."
                )
            mean = x.mean(axis=self._reduce)
            var = x.var(axis=self._reduce)
            m = self.momentum
            self.states["moving_mean"] = self.states["moving_mean"] * m + mean * (1.0 - m)
            self.states["moving_variance"] = self.states["moving_variance"] * m + var * (1.0 - m)
        else:
            mean, var = self.states["moving_mean"], self.states["moving_variance"]
        inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.epsilon))
        x_hat = (x - self._per_feature(mean, x.ndim)) * self._per_feature(inv_std, x.ndim)
        y = x_hat
        if self.scale:
            y = y * self._per_feature(self.params["gamma"], x.ndim)
        if self.center:
            y = y + self._per_feature(self.params["beta"], x.ndim)
        self._cache = (x_hat, inv_std, bool(training))
        return y.astype(x.dtype, copy=False)

    def backward(self, dout, input_gradient=True):
        """dgamma, dbeta into ``grads``; returns dL/dx (the training formula after a training forward)."""
        self._require_forward()
        x_hat, inv_std, training = self._cache
        if self.scale:
            self.grads["gamma"] = np.sum(dout * x_hat, axis=self._reduce)
        if self.center:
            self.grads["beta"] = np.sum(dout, axis=self._reduce)
        if not input_gradient:
            return None
        g = dout * self._per_feature(self.params["gamma"], dout.ndim) if self.scale else dout
        if training:
            g = (g - g.mean(axis=self._reduce, keepdims=True)
                 - x_hat * (g * x_hat).mean(axis=self._reduce, keepdims=True))
        return g * self._per_feature(inv_std, dout.ndim)

    def __repr__(self):
        return f"BatchNormalization(momentum={self.momentum:g}, epsilon={self.epsilon:g})"
