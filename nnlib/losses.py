"""Loss functions with Keras 3 semantics, and their gradients.

Derived in chapter 4, Loss functions (gradients in chapter 6, Backpropagation).

Shapes: ``y_pred`` is (n_samples, n_outputs), or (n_samples, ..., n_outputs) for
layers that keep more axes. Every loss returns one value per sample (and per
leading position), the mean or sum over the last axis, like ``keras.losses.*``
functions. Training minimises the mean of those values, so every ``*_gradient``
returns d(mean loss)/d(y_pred), with the shape of ``y_pred``.

Probabilities are clipped to [EPSILON, 1 - EPSILON], as Keras does, so that a
confident wrong prediction costs a large but finite loss. The clip is part of the
loss, so it is part of its gradient too: where it is active the gradient is zero
(and one half exactly on the bound), as JAX, the backend of Keras in this book,
differentiates it. A network whose outputs saturate there stops learning; losses
computed from logits (``from_logits=True``) have no clip and keep learning.
Probabilities in float16 are computed in float32, as Keras's loss objects do, since
1 - EPSILON rounds to 1 in float16.
"""
import functools

import numpy as np

from . import activations
from ._validation import check_finite, unknown_name

EPSILON = 1e-7


# --- checks -----------------------------------------------------------------------

def _numeric(array, name):
    """``array`` as a real-valued array (bool and integers allowed), or a clear error."""
    array = np.asarray(array)
    if array.dtype == bool or np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating):
        return array
    raise ValueError(f"{name}: expected real numbers, got an array of dtype {array.dtype}.")


def _as_arrays(y_true, y_pred):
    y_pred = _numeric(y_pred, "y_pred")
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(float)
    y_true = _numeric(y_true, "y_true")
    check_finite(y_pred, "y_pred")
    check_finite(y_true, "y_true")
    return y_true, y_pred


def _same_shape(y_true, y_pred, loss_name):
    if y_true.shape != y_pred.shape:
        looks_like_labels = y_true.ndim == 1 or (y_true.ndim == 2 and y_true.shape[1] == 1)
        if looks_like_labels and y_pred.ndim == 2 and y_pred.shape[1] > 1 and loss_name == "categorical_crossentropy":
            raise ValueError(
                f"y_true: categorical_crossentropy expects one-hot targets of shape {y_pred.shape}, "
                f"got integer labels of shape {y_true.shape}. Use sparse_categorical_crossentropy for "
                f"integer labels, or convert them with nnlib.datasets.one_hot."
            )
        raise ValueError(f"y_true: {loss_name} expects the shape of y_pred {y_pred.shape}, got {y_true.shape}.")


def _check_binary_labels(y_true):
    if np.any((y_true < 0) | (y_true > 1)):
        raise ValueError(
            f"y_true: binary_crossentropy expects labels in [0, 1], got values from "
            f"{y_true.min()} to {y_true.max()}."
        )


def _check_one_hot(y_true):
    if y_true.ndim < 2 or y_true.shape[-1] < 2:
        raise ValueError(
            f"y_true: categorical_crossentropy expects one-hot targets of shape (n_samples, n_classes), "
            f"got shape {y_true.shape}. For integer labels use sparse_categorical_crossentropy."
        )
    if np.any((y_true < 0) | (y_true > 1)):
        raise ValueError("y_true: categorical_crossentropy expects one-hot (or probability) rows with values in [0, 1].")


def _sparse_labels(y_true, y_pred):
    """Integer labels of shape (n,), checked against the number of classes in y_pred."""
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        y_true = y_true[:, 0]
    if y_true.ndim != 1:
        raise ValueError(
            f"y_true: sparse_categorical_crossentropy expects integer labels of shape (n_samples,), "
            f"got shape {y_true.shape}. For one-hot targets use categorical_crossentropy."
        )
    if y_pred.ndim != 2 or len(y_true) != len(y_pred):
        raise ValueError(
            f"y_pred: expected shape ({len(y_true)}, n_classes) for {len(y_true)} labels, got {y_pred.shape}."
        )
    if not np.all(np.equal(np.mod(y_true, 1), 0)):
        raise ValueError("y_true: sparse_categorical_crossentropy expects whole-number class labels, got fractions.")
    n_classes = y_pred.shape[1]
    if np.any((y_true < 0) | (y_true >= n_classes)):
        raise ValueError(
            f"y_true: labels must lie in 0..{n_classes - 1} for {n_classes} classes, "
            f"got values from {int(y_true.min())} to {int(y_true.max())}."
        )
    return y_true.astype(int)


# --- the mathematics, on arrays already checked -------------------------------------------------
# Each loss has a pair of private functions: per-sample values and the gradient of their
# mean. The public functions below check their arguments first; Sequential.fit checks the
# targets once and then calls these directly for every batch.

def _count(y_pred):
    """How many per-sample values the batch mean averages: every position but the last axis."""
    return y_pred.size // y_pred.shape[-1] if y_pred.ndim > 1 else 1


def _probabilities(y_pred):
    """``y_pred`` in float32 at least: in float16 the clip bound 1 - EPSILON rounds to 1."""
    return y_pred.astype(np.float32) if y_pred.dtype == np.float16 else y_pred


@functools.lru_cache(maxsize=None)
def _bounds(dtype):
    """The clip bounds EPSILON and 1 - EPSILON rounded to ``dtype``, as Keras rounds them."""
    return dtype.type(EPSILON), dtype.type(1.0 - EPSILON)


def _clip(p):
    """clip(p, EPSILON, 1 - EPSILON)."""
    low, high = _bounds(p.dtype)
    return np.minimum(np.maximum(p, low), high)


def _clip_slope(p):
    """d clip(p, EPSILON, 1 - EPSILON) / dp as JAX computes it: 1 inside, 0 outside, 1/2 on a bound."""
    low, high = _bounds(p.dtype)
    slope = ((p > low) & (p < high)).astype(p.dtype)
    slope[(p == low) | (p == high)] = 0.5
    return slope


def _mse_values(y_true, y_pred):
    return np.mean((y_pred - y_true) ** 2, axis=-1)


def _mse_gradient(y_true, y_pred):
    return 2.0 * (y_pred - y_true) / y_pred.size


def _mae_values(y_true, y_pred):
    return np.mean(np.abs(y_pred - y_true), axis=-1)


def _mae_gradient(y_true, y_pred):
    return np.sign(y_pred - y_true) / y_pred.size


def _huber_values(y_true, y_pred, delta):
    error = y_pred - y_true
    size = np.abs(error)
    return np.mean(np.where(size <= delta, 0.5 * error ** 2, delta * size - 0.5 * delta ** 2), axis=-1)


def _huber_gradient(y_true, y_pred, delta):
    return np.clip(y_pred - y_true, -delta, delta) / y_pred.size


def _bce_values(y_true, y_pred, from_logits):
    if from_logits:
        per_output = y_true * np.logaddexp(0.0, -y_pred) + (1.0 - y_true) * np.logaddexp(0.0, y_pred)
    else:
        p = np.clip(_probabilities(y_pred), EPSILON, 1.0 - EPSILON)
        per_output = -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))
    return np.mean(per_output, axis=-1)


def _bce_gradient(y_true, y_pred, from_logits):
    if from_logits:
        return (activations.sigmoid(y_pred) - y_true) / y_pred.size
    y_pred = _probabilities(y_pred)
    p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return _clip_slope(y_pred) * (p - y_true) / (p * (1.0 - p)) / y_pred.size


def _cce_values(y_onehot, y_pred, from_logits):
    """-sum_k t_k log q_k with q = clip(p / sum(p)) as Keras computes it, or log-softmax of logits."""
    if from_logits:
        log_p = y_pred - np.max(y_pred, -1, keepdims=True)
        log_p = log_p - np.log(np.sum(np.exp(log_p), -1, keepdims=True))
        return -np.sum(y_onehot * log_p, axis=-1)
    y_pred = _probabilities(y_pred)
    q = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
    q = np.clip(q, EPSILON, 1.0 - EPSILON)
    return -np.sum(y_onehot * np.log(q), axis=-1)


def _cce_gradient(y_onehot, y_pred, from_logits):
    """Gradient of the batch-mean categorical cross-entropy with respect to y_pred."""
    if from_logits:
        return (activations.softmax(y_pred) * np.sum(y_onehot, -1, keepdims=True) - y_onehot) / _count(y_pred)
    y_pred = _probabilities(y_pred)
    total = np.sum(y_pred, axis=-1, keepdims=True)
    q = y_pred / total
    dq = -_clip_slope(q) * y_onehot / np.clip(q, EPSILON, 1.0 - EPSILON)
    # q = p / sum(p): dL/dp_j = (dq_j - sum_k dq_k q_k) / sum(p)
    dp = (dq - np.sum(dq * q, axis=-1, keepdims=True)) / total
    return dp / _count(y_pred)


def _one_hot_like(labels, y_pred):
    onehot = np.zeros_like(y_pred)
    onehot[np.arange(len(labels)), labels] = 1.0
    return onehot


def _sparse_values(labels, y_pred, from_logits):
    return _cce_values(_one_hot_like(labels, y_pred), y_pred, from_logits)


def _sparse_gradient(labels, y_pred, from_logits):
    return _cce_gradient(_one_hot_like(labels, y_pred), y_pred, from_logits)


def softmax_cross_entropy_delta(y_true, p):
    """Categorical cross-entropy of softmax outputs and its exact gradient for the logits.

    ``p = softmax(z)``, shape (n, k); ``y_true`` holds checked integer labels, shape (n,),
    or target rows, shape (n, k), which need not be one-hot nor sum to one. The loss is
    Keras's, L = -sum_k t_k log clip(q_k) with q = p / sum(p), and its gradient for the
    logits z collapses to (derived in chapter 6)

        dL/dz_j = p_j T / sum(p) - c_j t_j,      T = sum_k c_k t_k,

    where c_k = d clip(q_k)/dq_k is 1 where the clip is inactive, 0 where it is active (and
    1/2 on the bound). With one-hot targets and no clip active this is the familiar p - t;
    a confidently wrong or right sample whose true class is clipped gets no gradient at all,
    exactly as the chain rule through the clipped loss gives it (and Keras on JAX).
    Training uses this, chained, in one step, instead of dL/dp followed by softmax's
    backward pass: the same numbers, fewer operations.

    Returns (per-sample losses (n,), delta (n, k)); delta is the gradient of their mean.
    """
    p = _probabilities(p)
    n = len(p)
    total = p.sum(axis=-1, keepdims=True)
    if y_true.ndim == 1:  # integer labels: only the true class has t = 1
        rows = np.arange(n)
        q = p[rows, y_true] / total[:, 0]
        values = -np.log(_clip(q))
        slope = _clip_slope(q)
        delta = p * (slope[:, None] / total)
        delta[rows, y_true] -= slope
    else:
        q = p / total
        values = -np.sum(y_true * np.log(_clip(q)), axis=-1)
        weighted = _clip_slope(q) * y_true
        delta = p * (weighted.sum(axis=-1, keepdims=True) / total) - weighted
    delta /= n
    return values, delta


# --- the public functions: check, then compute ------------------------------------------------

def _checked_regression(y_true, y_pred, loss_name):
    y_true, y_pred = _as_arrays(y_true, y_pred)
    _same_shape(y_true, y_pred, loss_name)
    return y_true, y_pred


def _checked_mse(y_true, y_pred):
    return _checked_regression(y_true, y_pred, "mean_squared_error")


def _checked_bce(y_true, y_pred):
    y_true, y_pred = _as_arrays(y_true, y_pred)
    _same_shape(y_true, y_pred, "binary_crossentropy")
    _check_binary_labels(y_true)
    return y_true, y_pred


def _checked_cce(y_true, y_pred):
    y_true, y_pred = _as_arrays(y_true, y_pred)
    _same_shape(y_true, y_pred, "categorical_crossentropy")
    _check_one_hot(y_true)
    return y_true, y_pred


def _checked_sparse(y_true, y_pred):
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return _sparse_labels(y_true, y_pred), y_pred


def _check_delta(delta):
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) \
            or not np.isfinite(delta) or delta <= 0:
        raise ValueError(f"delta: expected a positive number, got {delta!r}.")
    return float(delta)


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}.")
    return bool(value)


def mean_squared_error(y_true, y_pred):
    """MSE per sample: mean over outputs of (y_pred - y_true)^2 (no factor 1/2, as in Keras)."""
    return _mse_values(*_checked_mse(y_true, y_pred))


def mean_squared_error_gradient(y_true, y_pred):
    """d(mean MSE)/d y_pred = 2 (y_pred - y_true) / (n_samples * n_outputs)."""
    return _mse_gradient(*_checked_mse(y_true, y_pred))


def mean_absolute_error(y_true, y_pred):
    """MAE per sample: mean over outputs of |y_pred - y_true|, as ``keras.losses.mean_absolute_error``."""
    return _mae_values(*_checked_regression(y_true, y_pred, "mean_absolute_error"))


def mean_absolute_error_gradient(y_true, y_pred):
    """d(mean MAE)/d y_pred = sign(y_pred - y_true) / (n_samples * n_outputs) (0 where they are equal)."""
    return _mae_gradient(*_checked_regression(y_true, y_pred, "mean_absolute_error"))


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample, mean over outputs of h(e), e = y_pred - y_true, as ``keras.losses.huber``.

    h(e) = e^2 / 2 for |e| <= delta and delta |e| - delta^2 / 2 beyond: quadratic near the
    target, linear (so less sensitive to outliers than MSE) far from it.
    """
    return _huber_values(*_checked_regression(y_true, y_pred, "huber"), _check_delta(delta))


def huber_gradient(y_true, y_pred, delta=1.0):
    """d(mean Huber)/d y_pred = clip(y_pred - y_true, -delta, delta) / (n_samples * n_outputs)."""
    return _huber_gradient(*_checked_regression(y_true, y_pred, "huber"), _check_delta(delta))


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """BCE per sample: mean over outputs of -[t log p + (1 - t) log(1 - p)].

    With ``from_logits=True``, ``y_pred`` holds scores z and p = sigmoid(z) is folded
    in stably: -[t log sigmoid(z) + (1 - t) log sigmoid(-z)].
    """
    return _bce_values(*_checked_bce(y_true, y_pred), _check_flag(from_logits, "from_logits"))


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(mean BCE)/d y_pred = (p - t) / (p (1 - p)) / (n_samples * n_outputs).

    Zero where the clip is active. From logits: (sigmoid(z) - t) / (n_samples * n_outputs).
    """
    return _bce_gradient(*_checked_bce(y_true, y_pred), _check_flag(from_logits, "from_logits"))


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """CE per sample: -sum_k t_k log q_k, q = clip(p / sum(p)) (q = softmax(z) with from_logits).

    The targets are one-hot rows, or any rows of values in [0, 1] (Keras accepts those too).
    """
    return _cce_values(*_checked_cce(y_true, y_pred), _check_flag(from_logits, "from_logits"))


def categorical_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(mean CE)/d y_pred, zero for clipped entries; ``softmax_cross_entropy_delta`` chains it with softmax."""
    return _cce_gradient(*_checked_cce(y_true, y_pred), _check_flag(from_logits, "from_logits"))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """CE per sample for integer labels: -log q[label]. Same value as the one-hot form."""
    return _sparse_values(*_checked_sparse(y_true, y_pred), _check_flag(from_logits, "from_logits"))


def sparse_categorical_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(mean sparse CE)/d y_pred, the same as for the one-hot form of the labels."""
    return _sparse_gradient(*_checked_sparse(y_true, y_pred), _check_flag(from_logits, "from_logits"))


mse = mean_squared_error
mae = mean_absolute_error


# --- loss objects, as in keras.losses.BinaryCrossentropy(from_logits=True) -------------------

class Loss:
    """A loss with its settings. Calling it gives the batch mean, like a Keras loss object.

    ``per_sample(y_true, y_pred)`` gives the values per sample, shape (n_samples,),
    and ``gradient(y_true, y_pred)`` gives d(mean loss)/d y_pred. The ``unchecked_``
    versions skip the argument checks, for targets already checked (``fit`` does this).
    """

    function = None           # the public function, such as binary_crossentropy
    gradient_function = None  # its gradient, such as binary_crossentropy_gradient
    _unchecked = (None, None)  # (values, gradient) on arrays already checked

    def __init__(self, from_logits=False):
        self.from_logits = _check_flag(from_logits, "from_logits")

    def _settings(self):
        return {"from_logits": self.from_logits}

    def per_sample(self, y_true, y_pred):
        return type(self).function(y_true, y_pred, **self._settings())

    def gradient(self, y_true, y_pred):
        return type(self).gradient_function(y_true, y_pred, **self._settings())

    def unchecked_per_sample(self, y_true, y_pred):
        return type(self)._unchecked[0](y_true, y_pred, *self._settings().values())

    def unchecked_gradient(self, y_true, y_pred):
        return type(self)._unchecked[1](y_true, y_pred, *self._settings().values())

    def __call__(self, y_true, y_pred):
        return float(np.mean(self.per_sample(y_true, y_pred)))

    @property
    def name(self):
        return name_of(type(self).function)

    def __repr__(self):
        settings = ", ".join(f"{key}={value!r}" for key, value in self._settings().items())
        return f"{type(self).__name__}({settings})"


class MeanSquaredError(Loss):
    """``keras.losses.MeanSquaredError``: mean of (y_pred - y_true)^2."""

    function = staticmethod(mean_squared_error)
    gradient_function = staticmethod(mean_squared_error_gradient)
    _unchecked = (_mse_values, _mse_gradient)

    def __init__(self):
        super().__init__(from_logits=False)

    def _settings(self):
        return {}


class MeanAbsoluteError(Loss):
    """``keras.losses.MeanAbsoluteError``: mean of |y_pred - y_true|."""

    function = staticmethod(mean_absolute_error)
    gradient_function = staticmethod(mean_absolute_error_gradient)
    _unchecked = (_mae_values, _mae_gradient)

    def __init__(self):
        super().__init__(from_logits=False)

    def _settings(self):
        return {}


class Huber(Loss):
    """``keras.losses.Huber(delta=1.0)``: squared error near the target, absolute error far from it."""

    function = staticmethod(huber)
    gradient_function = staticmethod(huber_gradient)
    _unchecked = (_huber_values, _huber_gradient)

    def __init__(self, delta=1.0):
        super().__init__(from_logits=False)
        self.delta = _check_delta(delta)

    def _settings(self):
        return {"delta": self.delta}


class BinaryCrossentropy(Loss):
    """``keras.losses.BinaryCrossentropy(from_logits=False)``."""

    function = staticmethod(binary_crossentropy)
    gradient_function = staticmethod(binary_crossentropy_gradient)
    _unchecked = (_bce_values, _bce_gradient)


class CategoricalCrossentropy(Loss):
    """``keras.losses.CategoricalCrossentropy(from_logits=False)``, one-hot targets."""

    function = staticmethod(categorical_crossentropy)
    gradient_function = staticmethod(categorical_crossentropy_gradient)
    _unchecked = (_cce_values, _cce_gradient)


class SparseCategoricalCrossentropy(Loss):
    """``keras.losses.SparseCategoricalCrossentropy(from_logits=False)``, integer labels."""

    function = staticmethod(sparse_categorical_crossentropy)
    gradient_function = staticmethod(sparse_categorical_crossentropy_gradient)
    _unchecked = (_sparse_values, _sparse_gradient)


# --- names, as keras.losses.get knows them --------------------------------------------------------

_CLASSES = [MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy]

_LOSSES = {cls.function.__name__: (cls.function, cls.gradient_function) for cls in _CLASSES}
_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error", "mae": "mean_absolute_error",
            "MAE": "mean_absolute_error", "bce": "binary_crossentropy", "BCE": "binary_crossentropy"}
_CLASS_NAMES = {cls.__name__: cls.function.__name__ for cls in _CLASSES}


def _canonical(name):
    """The function name for a loss name, an alias ("MSE") or a class name ("Huber"), or None."""
    if name in _LOSSES:
        return name
    return _ALIASES.get(name) or _CLASS_NAMES.get(name)


def _entry(identifier):
    if isinstance(identifier, str):
        canonical = _canonical(identifier)
        if canonical is None:
            error = unknown_name("loss", identifier, [*_LOSSES, "mse", "mae"])
            raise ValueError(f"{error} Keras's aliases (MSE, MAE, bce, BCE) and class names "
                             "(MeanSquaredError, Huber, ...) work too.")
        return _LOSSES[canonical]
    for function, gradient in _LOSSES.values():
        if identifier is function:
            return function, gradient
    raise ValueError(
        f"loss: expected a loss name such as 'mse' or one of nnlib.losses' functions, got {identifier!r}. "
        f"Known losses: {', '.join(sorted([*_LOSSES, 'mse', 'mae']))}."
    )


def get_loss_object(identifier):
    """A ``Loss`` object for a name, a known function, or a ``Loss`` (returned as is)."""
    if isinstance(identifier, Loss):
        return identifier
    function = get(identifier)
    return next(cls for cls in _CLASSES if cls.function is function)()


def get(identifier):
    """The loss function for a name (``"mse"``, ``"MSE"``, ``"Huber"``, ...) or a known function."""
    return _entry(identifier)[0]


def get_gradient(identifier):
    """The gradient function that goes with ``get(identifier)``."""
    return _entry(identifier)[1]


def name_of(identifier):
    """The canonical (function) name of a loss given by name or function."""
    return get(identifier).__name__
