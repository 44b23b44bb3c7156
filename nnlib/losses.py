"""Loss functions with Keras 3 semantics, and their gradients.

Derived in chapter 4, Loss functions (gradients in chapter 6, Backpropagation).

Shapes: ``y_pred`` is (n_samples, n_outputs). Every loss returns one value per
sample, shape (n_samples,), like ``keras.losses.*`` functions. Training minimises
the batch mean, so every ``*_gradient`` returns d(mean loss)/d(y_pred), with the
shape of ``y_pred``. Probabilities are clipped to [EPSILON, 1 - EPSILON], as Keras
does, so that a confident wrong prediction costs a large but finite loss.
"""
import numpy as np

from . import activations
from ._validation import check_finite, unknown_name

EPSILON = 1e-7


# --- checks -----------------------------------------------------------------------

def _as_arrays(y_true, y_pred):
    y_pred = np.asarray(y_pred)
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(float)
    y_true = np.asarray(y_true)
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
# Each loss has a pair of private functions: per-sample values and the gradient of the batch
# mean. The public functions below check their arguments first; Sequential.fit checks the
# targets once and then calls these directly for every batch.

def _mse_values(y_true, y_pred):
    return np.mean((y_pred - y_true) ** 2, axis=-1)


def _mse_gradient(y_true, y_pred):
    n_samples = y_pred.shape[0] if y_pred.ndim > 1 else 1
    return 2.0 * (y_pred - y_true) / (n_samples * y_pred.shape[-1])


def _bce_values(y_true, y_pred, from_logits):
    if from_logits:
        per_output = y_true * np.logaddexp(0.0, -y_pred) + (1.0 - y_true) * np.logaddexp(0.0, y_pred)
    else:
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        per_output = -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))
    return np.mean(per_output, axis=-1)


def _bce_gradient(y_true, y_pred, from_logits):
    count = y_pred.shape[0] * y_pred.shape[-1] if y_pred.ndim > 1 else y_pred.shape[-1]
    if from_logits:
        return (activations.sigmoid(y_pred) - y_true) / count
    p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    inside = (y_pred > EPSILON) & (y_pred < 1.0 - EPSILON)
    return np.where(inside, (p - y_true) / (p * (1.0 - p)), 0.0) / count


def _cce_values(y_onehot, y_pred, from_logits):
    """-sum_k t_k log q_k with q = clip(p / sum(p)) as Keras computes it, or log-softmax of logits."""
    if from_logits:
        log_p = y_pred - np.max(y_pred, -1, keepdims=True)
        log_p = log_p - np.log(np.sum(np.exp(log_p), -1, keepdims=True))
        return -np.sum(y_onehot * log_p, axis=-1)
    q = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
    q = np.clip(q, EPSILON, 1.0 - EPSILON)
    return -np.sum(y_onehot * np.log(q), axis=-1)


def _cce_gradient(y_onehot, y_pred, from_logits):
    """Gradient of the batch-mean categorical cross-entropy with respect to y_pred."""
    n_samples = y_pred.shape[0]
    if from_logits:
        return (activations.softmax(y_pred) * np.sum(y_onehot, -1, keepdims=True) - y_onehot) / n_samples
    total = np.sum(y_pred, axis=-1, keepdims=True)
    q = y_pred / total
    inside = (q > EPSILON) & (q < 1.0 - EPSILON)
    dq = np.where(inside, -y_onehot / np.clip(q, EPSILON, 1.0 - EPSILON), 0.0)
    # q = p / sum(p): dL/dp_j = (dq_j - sum_k dq_k q_k) / sum(p)
    dp = (dq - np.sum(dq * q, axis=-1, keepdims=True)) / total
    return dp / n_samples


def _one_hot_like(labels, y_pred):
    onehot = np.zeros_like(y_pred)
    onehot[np.arange(len(labels)), labels] = 1.0
    return onehot


def _sparse_values(labels, y_pred, from_logits):
    return _cce_values(_one_hot_like(labels, y_pred), y_pred, from_logits)


def _sparse_gradient(labels, y_pred, from_logits):
    return _cce_gradient(_one_hot_like(labels, y_pred), y_pred, from_logits)


def _softmax_cross_entropy(y_true, p):
    """Batch-mean cross-entropy of softmax outputs ``p`` and its gradient for the logits.

    Softmax followed by cross-entropy has the gradient dL/dz = (p - t) / n with respect
    to the logits z (derived in chapter 6). ``y_true`` holds integer labels, shape (n,),
    or one-hot rows, shape (n, k); it has been checked. Returns (loss, delta).
    """
    n = len(p)
    delta = p.copy()
    if y_true.ndim == 1:
        rows = np.arange(n)
        loss = -np.log(np.clip(p[rows, y_true], EPSILON, 1.0 - EPSILON)).sum() / n
        delta[rows, y_true] -= 1.0
    else:
        loss = -np.sum(y_true * np.log(np.clip(p, EPSILON, 1.0 - EPSILON))) / n
        delta -= y_true
    delta /= n
    return float(loss), delta


# --- the public functions: check, then compute ------------------------------------------------

def _checked_mse(y_true, y_pred):
    y_true, y_pred = _as_arrays(y_true, y_pred)
    _same_shape(y_true, y_pred, "mean_squared_error")
    return y_true, y_pred


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


def mean_squared_error(y_true, y_pred):
    """MSE per sample: mean over outputs of (y_pred - y_true)^2 (no factor 1/2, as in Keras)."""
    return _mse_values(*_checked_mse(y_true, y_pred))


def mean_squared_error_gradient(y_true, y_pred):
    """d(mean MSE)/d y_pred = 2 (y_pred - y_true) / (n_samples * n_outputs)."""
    return _mse_gradient(*_checked_mse(y_true, y_pred))


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """BCE per sample: mean over outputs of -[t log p + (1 - t) log(1 - p)].

    With ``from_logits=True``, ``y_pred`` holds scores z and p = sigmoid(z) is folded
    in stably: -[t log sigmoid(z) + (1 - t) log sigmoid(-z)].
    """
    return _bce_values(*_checked_bce(y_true, y_pred), from_logits)


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(mean BCE)/d y_pred = (p - t) / (p (1 - p)) / (n_samples * n_outputs).

    Zero where the clip is active. From logits: (sigmoid(z) - t) / (n_samples * n_outputs).
    """
    return _bce_gradient(*_checked_bce(y_true, y_pred), from_logits)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """CE per sample for one-hot targets: -sum_k t_k log p_k (p = softmax(z) with from_logits)."""
    return _cce_values(*_checked_cce(y_true, y_pred), from_logits)


def categorical_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(mean CE)/d y_pred; with softmax outputs the chain rule turns this into (p - t)/n."""
    return _cce_gradient(*_checked_cce(y_true, y_pred), from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """CE per sample for integer labels: -log p[label]. Same value as the one-hot form."""
    return _sparse_values(*_checked_sparse(y_true, y_pred), from_logits)


def sparse_categorical_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(mean sparse CE)/d y_pred, the same as for the one-hot form of the labels."""
    return _sparse_gradient(*_checked_sparse(y_true, y_pred), from_logits)


mse = mean_squared_error


# --- loss objects, as in keras.losses.BinaryCrossentropy(from_logits=True) -------------------

class Loss:
    """A loss with its settings. Calling it gives the batch mean, like a Keras loss object.

    ``per_sample(y_true, y_pred)`` gives the values per sample, shape (n_samples,),
    and ``gradient(y_true, y_pred)`` gives d(mean loss)/d y_pred.
    """

    function = None
    gradient_function = None
    _unchecked = (None, None)  # (values, gradient) on arrays already checked

    def __init__(self, from_logits=False):
        self.from_logits = from_logits

    def per_sample(self, y_true, y_pred):
        return type(self).function(y_true, y_pred, from_logits=self.from_logits)

    def gradient(self, y_true, y_pred):
        return type(self).gradient_function(y_true, y_pred, from_logits=self.from_logits)

    def unchecked_per_sample(self, y_true, y_pred):
        """``per_sample`` without the argument checks, for targets already checked (``fit`` does this)."""
        return type(self)._unchecked[0](y_true, y_pred, self.from_logits)

    def unchecked_gradient(self, y_true, y_pred):
        """``gradient`` without the argument checks, for targets already checked."""
        return type(self)._unchecked[1](y_true, y_pred, self.from_logits)

    def __call__(self, y_true, y_pred):
        return float(np.mean(self.per_sample(y_true, y_pred)))

    @property
    def name(self):
        return name_of(type(self).function)


class MeanSquaredError(Loss):
    """``keras.losses.MeanSquaredError``: mean of (y_pred - y_true)^2."""

    function = staticmethod(mean_squared_error)

    def __init__(self):
        super().__init__(from_logits=False)

    def per_sample(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)

    def gradient(self, y_true, y_pred):
        return mean_squared_error_gradient(y_true, y_pred)

    def unchecked_per_sample(self, y_true, y_pred):
        return _mse_values(y_true, y_pred)

    def unchecked_gradient(self, y_true, y_pred):
        return _mse_gradient(y_true, y_pred)


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


_LOSSES = {
    "mean_squared_error": (mean_squared_error, mean_squared_error_gradient),
    "mse": (mean_squared_error, mean_squared_error_gradient),
    "binary_crossentropy": (binary_crossentropy, binary_crossentropy_gradient),
    "categorical_crossentropy": (categorical_crossentropy, categorical_crossentropy_gradient),
    "sparse_categorical_crossentropy": (sparse_categorical_crossentropy, sparse_categorical_crossentropy_gradient),
}


def _entry(identifier):
    if isinstance(identifier, str):
        if identifier in _LOSSES:
            return _LOSSES[identifier]
        raise unknown_name("loss", identifier, _LOSSES)
    for function, gradient in _LOSSES.values():
        if identifier is function:
            return function, gradient
    raise ValueError(
        f"loss: expected a loss name such as 'mse' or one of nnlib.losses' functions, got {identifier!r}. "
        f"Known losses: {', '.join(sorted(_LOSSES))}."
    )


def get_loss_object(identifier):
    """A ``Loss`` object for a name, a known function, or a ``Loss`` (returned as is)."""
    if isinstance(identifier, Loss):
        return identifier
    function = get(identifier)
    classes = {mean_squared_error: MeanSquaredError, binary_crossentropy: BinaryCrossentropy,
               categorical_crossentropy: CategoricalCrossentropy,
               sparse_categorical_crossentropy: SparseCategoricalCrossentropy}
    return classes[function]()


def get(identifier):
    """The loss function for a name (``"mse"``, ``"binary_crossentropy"``, ...) or a known function."""
    return _entry(identifier)[0]


def get_gradient(identifier):
    """The gradient function that goes with ``get(identifier)``."""
    return _entry(identifier)[1]


def name_of(identifier):
    """The canonical name of a loss given by name or function."""
    function = get(identifier)
    return next(name for name, (f, _) in _LOSSES.items() if f is function and name != "mse")
