"""Optimizers with Keras 3's update rules.

Derived in chapter 5 (plain gradient descent) and chapter 7, Training a network
(momentum, RMSprop, Adam). Every optimizer has one method, ``apply(params, grads)``,
which updates the list of parameter arrays in place from the matching gradients.
State (velocities, moments) is kept per parameter position.
"""
import numpy as np

from ._validation import check_fraction, check_positive_number, unknown_name


class Optimizer:
    """Shared bookkeeping: the learning rate, the step count, and per-parameter state."""

    def __init__(self, learning_rate):
        check_positive_number(learning_rate, "learning_rate")
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self._slots = {}

    def _slot(self, name, index, like):
        key = (name, index)
        if key not in self._slots:
            self._slots[key] = np.zeros_like(like)
        return self._slots[key]

    def apply(self, params, grads):
        """Update every array in ``params`` in place using the gradient at the same position."""
        if len(params) != len(grads):
            raise ValueError(f"grads: expected {len(params)} gradient arrays, one per parameter, got {len(grads)}.")
        for index, (param, grad) in enumerate(zip(params, grads)):
            if param.shape != grad.shape:
                raise ValueError(f"grads[{index}]: expected shape {param.shape}, got {grad.shape}.")
            self._update(index, param, grad)
        self.iterations += 1

    def _update(self, index, param, grad):
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    Plain: w <- w - lr * g.
    Momentum: v <- momentum * v - lr * g, then w <- w + v.
    Nesterov: v as above, then w <- w + momentum * v - lr * g.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        check_fraction(momentum, "momentum", include_high=True)  # Keras allows [0, 1]
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, index, param, grad):
        # Python floats times float32 arrays stay float32, so the update keeps the weights' dtype.
        lr, momentum = self.learning_rate, self.momentum
        if momentum == 0.0:
            param -= lr * grad
            return
        velocity = self._slot("velocity", index, param)
        velocity *= momentum
        velocity -= lr * grad
        if self.nesterov:
            param += momentum * velocity - lr * grad
        else:
            param += velocity


class RMSprop(Optimizer):
    """Divides the step by a running root-mean-square of recent gradients.

    v <- rho * v + (1 - rho) * g^2;  w <- w - lr * g / sqrt(v + epsilon).

    (Keras 3 puts epsilon inside the square root; Adam puts it outside.)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        super().__init__(learning_rate)
        check_fraction(rho, "rho")
        check_positive_number(epsilon, "epsilon")
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def _update(self, index, param, grad):
        dtype = param.dtype.type
        mean_square = self._slot("mean_square", index, param)
        mean_square *= dtype(self.rho)
        mean_square += dtype(1.0 - self.rho) * grad * grad
        param -= dtype(self.learning_rate) * grad / np.sqrt(mean_square + dtype(self.epsilon))


class Adam(Optimizer):
    """Adaptive moments (Kingma and Ba, 2015), in Keras 3's form.

    With t the step number (from 1):
    m <- m + (1 - beta_1)(g - m);  v <- v + (1 - beta_2)(g^2 - v);
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t);  w <- w - alpha * m / (sqrt(v) + epsilon).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        check_fraction(beta_1, "beta_1")
        check_fraction(beta_2, "beta_2")
        check_positive_number(epsilon, "epsilon")
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def _update(self, index, param, grad):
        dtype = param.dtype.type
        step = self.iterations + 1
        alpha = self.learning_rate * np.sqrt(1.0 - self.beta_2 ** step) / (1.0 - self.beta_1 ** step)
        m = self._slot("m", index, param)
        v = self._slot("v", index, param)
        m += (grad - m) * dtype(1.0 - self.beta_1)
        v += (grad * grad - v) * dtype(1.0 - self.beta_2)
        param -= dtype(alpha) * m / (np.sqrt(v) + dtype(self.epsilon))


_OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(identifier):
    """An optimizer object: a name (``"adam"``) gives one with Keras's defaults; an object passes through."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[identifier.lower()]()
    raise unknown_name("optimizer", identifier, _OPTIMIZERS)
