"""Activation functions and their derivatives.

Derived in chapter 2, Activation functions (elu, gelu, silu/swish and softplus, the
smooth relatives of ReLU that Keras offers, follow Keras 3's definitions). Every function takes an array of any
shape and works elementwise, except ``softmax``, which normalises along ``axis``.
Derivatives are taken with respect to the pre-activation ``x`` (called ``z`` in the
chapters) and have the shape of ``x``.
"""
import math

import numpy as np

from ._validation import unknown_name


def _numbers(x):
    """x as an array of numbers; strings and objects get a clear error instead of a NumPy one."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"x: expected an array of real numbers, got dtype {x.dtype}"
                         f"{' (complex numbers have no order for an activation)' if x.dtype.kind == 'c' else ''}.")
    return x


def _floats(x):
    """x as a float array: its own float type, float64 for integers and booleans."""
    x = _numbers(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def step(x):
    """Heaviside step: 1 where x > 0, else 0. Its derivative is 0 (almost) everywhere."""
    x = _numbers(x)
    return (x > 0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else float)


def linear(x):
    """Identity, a(x) = x. The 'no activation' of ``Dense(units, activation=None)``."""
    return _numbers(x)


def sigmoid(x):
    """Logistic sigmoid, 1 / (1 + exp(-x)), computed without overflow for large |x|."""
    x = _numbers(x)
    out = np.empty_like(x, dtype=np.result_type(x, np.float32))
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp_x = np.exp(x[~positive])
    out[~positive] = exp_x / (1.0 + exp_x)
    return out


def tanh(x):
    """Hyperbolic tangent, (e^x - e^-x) / (e^x + e^-x), with outputs in (-1, 1)."""
    return np.tanh(_numbers(x))


def relu(x):
    """Rectified linear unit, max(0, x)."""
    return np.maximum(_numbers(x), 0)


def _float_dtype(x):
    """x's own dtype when it is a float type, float64 for integer input."""
    return x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, ``negative_slope * x`` otherwise (Keras 3's default slope is 0.2)."""
    x = _numbers(x)
    return np.where(x > 0, x, negative_slope * x).astype(_float_dtype(x), copy=False)


def softmax(x, axis=-1):
    """softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m), with m = max_j x_j.

    Subtracting the maximum changes nothing mathematically but keeps every
    exponent <= 0, so ``exp`` never overflows, whatever the size of ``x``.
    A row that is all -inf (or holds NaN) gives NaN, as in NumPy and Keras.
    """
    x = _numbers(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exp_x = np.exp(shifted)
    return exp_x / np.sum(exp_x, axis=axis, keepdims=True)


def step_derivative(x):
    """d step / dx = 0 wherever it is defined (everywhere but x = 0)."""
    return np.zeros_like(np.asarray(x, dtype=float))


def linear_derivative(x):
    """d x / dx = 1."""
    return np.ones_like(np.asarray(x, dtype=float))


def sigmoid_derivative(x):
    """d sigmoid / dx = s (1 - s), with s = sigmoid(x)."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_derivative(x):
    """d tanh / dx = 1 - tanh(x)^2."""
    t = np.tanh(x)
    return 1.0 - t * t


def relu_derivative(x):
    """d relu / dx = 1 for x > 0, else 0 (0 is used at the kink x = 0, as Keras does)."""
    x = np.asarray(x)
    return (x > 0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else float)


def leaky_relu_derivative(x, negative_slope=0.2):
    """d leaky_relu / dx = 1 for x > 0, else ``negative_slope``."""
    x = np.asarray(x)
    return np.where(x > 0, 1.0, negative_slope).astype(np.result_type(x, np.float32), copy=False)


def softmax_jacobian(x):
    """Jacobian of softmax along the last axis: J[..., i, j] = s_i (delta_ij - s_j).

    ``x`` has shape (..., k); the result has shape (..., k, k).
    """
    s = softmax(x, axis=-1)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def softmax_backward(x, dout):
    """Vector-Jacobian product of softmax: dx = s * (dout - sum(dout * s)), row by row.

    Equals ``einsum('...j,...ji->...i', dout, softmax_jacobian(x))`` without forming
    the (k, k) matrix. ``x`` and ``dout`` have shape (..., k).
    """
    s = softmax(x, axis=-1)
    return s * (dout - np.sum(dout * s, axis=-1, keepdims=True))


# --- smooth relatives of ReLU (chapter 9), with Keras 3's definitions ----------------------------------


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise (Keras: alpha=1).

    Computed with ``expm1`` on the negative part only, so large positive x never overflows.
    """
    x = _floats(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


_erf = np.vectorize(math.erf, otypes=[np.float64])
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x, approximate=False):
    """Gaussian error linear unit, x * Phi(x) with Phi the standard normal CDF (Keras default).

    Exact (``approximate=False``): 0.5 x (1 + erf(x / sqrt 2)); NumPy has no erf, so it is
    evaluated with Python's ``math.erf`` element by element (exact, but slower than the rest).
    ``approximate=True``: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    x = _floats(x)
    if approximate:
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        return (0.5 * x * (1.0 + np.tanh(inner))).astype(x.dtype, copy=False)
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(x.dtype, copy=False)


def silu(x):
    """Sigmoid linear unit, also called swish: x * sigmoid(x)."""
    x = _floats(x)
    return (x * sigmoid(x)).astype(x.dtype, copy=False)


swish = silu


def softplus(x):
    """softplus(x) = log(1 + exp(x)), a smooth ReLU; computed as logaddexp(0, x), which never overflows."""
    x = _floats(x)
    return np.logaddexp(x.dtype.type(0), x)


def elu_derivative(x, alpha=1.0):
    """d elu / dx = 1 for x > 0, alpha * exp(x) otherwise."""
    x = _floats(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype, copy=False)


def gelu_derivative(x, approximate=False):
    """d gelu / dx. Exact: Phi(x) + x * phi(x), with phi(x) = exp(-x^2/2) / sqrt(2 pi).

    Approximate: with t = tanh(u), u = sqrt(2/pi) (x + 0.044715 x^3):
    0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
    """
    x = _floats(x)
    if approximate:
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
        out = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
    else:
        out = 0.5 * (1.0 + _erf(x / math.sqrt(2.0))) + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return out.astype(x.dtype, copy=False)


def silu_derivative(x):
    """d silu / dx = s + x s (1 - s), with s = sigmoid(x)."""
    x = _floats(x)
    s = sigmoid(x)
    return (s * (1.0 + x * (1.0 - s))).astype(x.dtype, copy=False)


def softplus_derivative(x):
    """d softplus / dx = sigmoid(x)."""
    x = _floats(x)
    return sigmoid(x).astype(x.dtype, copy=False)


_FUNCTIONS = {
    "step": step,
    "linear": linear,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softmax": softmax,
    "elu": elu,
    "gelu": gelu,
    "silu": silu,
    "swish": silu,
    "softplus": softplus,
}

_DERIVATIVES = {
    "step": step_derivative,
    "linear": linear_derivative,
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
    "softmax": softmax_jacobian,
    "elu": elu_derivative,
    "gelu": gelu_derivative,
    "silu": silu_derivative,
    "swish": silu_derivative,
    "softplus": softplus_derivative,
}


def _name_of(identifier):
    if identifier is None:
        return "linear"
    if callable(identifier):
        for name, function in _FUNCTIONS.items():
            if function is identifier:
                return name
        raise ValueError(
            f"activation: expected one of nnlib's activation functions or its name, got {identifier!r}. "
            f"Known activations: {', '.join(sorted(_FUNCTIONS))}."
        )
    if isinstance(identifier, str) and identifier in _FUNCTIONS:
        return identifier
    raise unknown_name("activation", identifier, _FUNCTIONS)


def get(identifier):
    """Look up an activation by name (``"relu"``), pass a known function through; None means linear."""
    return _FUNCTIONS[_name_of(identifier)]


def get_derivative(identifier):
    """The derivative of the named activation (for softmax, its Jacobian)."""
    return _DERIVATIVES[_name_of(identifier)]


def name_of(identifier):
    """The canonical string name of an activation given by name, function or None."""
    return _name_of(identifier)
