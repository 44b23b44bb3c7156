"""Metrics: accuracy in its three forms, mean absolute and squared error, the confusion matrix.

Used from chapter 7, Training a network, and chapter 9, Real data. Each public
function returns the mean over the samples; ``batch_total`` is what ``fit`` and
``evaluate`` use to average a metric over batches.
"""
import numpy as np

from . import losses
from ._validation import check_finite, check_positive_int, check_same_length


# --- one value per sample, on arrays already checked ------------------------------------------

def _binary_values(y_true, y_pred, threshold=0.5):
    """Per sample, the fraction of outputs where (y_pred > threshold) equals the 0/1 label."""
    return np.mean((y_pred > threshold) == y_true.reshape(y_pred.shape), axis=-1)


def _categorical_values(y_true, y_pred):
    return np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)


def _sparse_values(y_true, y_pred):
    return np.argmax(y_pred, axis=-1) == y_true.reshape(y_pred.shape[:-1])


def _accuracy_values(y_true, y_pred):
    if y_pred.ndim == 1:
        return (y_pred > 0.5) == y_true.reshape(y_pred.shape)
    if y_pred.shape[-1] == 1:
        return _binary_values(y_true, y_pred)
    if y_true.shape == y_pred.shape:
        return _categorical_values(y_true, y_pred)
    return _sparse_values(y_true, y_pred)


def _mse_values(y_true, y_pred):
    return losses._mse_values(y_true.reshape(y_pred.shape), y_pred)


def _mae_values(y_true, y_pred):
    return losses._mae_values(y_true.reshape(y_pred.shape), y_pred)


# --- checks for the public functions ------------------------------------------------------------

def _arrays(y_true, y_pred):
    y_true, y_pred = losses._as_arrays(y_true, y_pred)
    check_same_length(y_pred, y_true, "y_pred", "y_true")
    return y_true, y_pred


def _check_same_outputs(y_true, y_pred, function_name):
    """y_true of y_pred's shape; (n,) against (n, 1), either way round, is accepted."""
    column = y_true.size == y_pred.size == len(y_pred)
    if y_true.shape != y_pred.shape and not column:
        raise ValueError(f"y_true: {function_name} expects the shape of y_pred {y_pred.shape}, got {y_true.shape}.")


def _looks_like_labels(y_true, y_pred):
    return y_pred.ndim >= 2 and y_pred.shape[-1] > 1 and y_true.shape in (y_pred.shape[:-1], (*y_pred.shape[:-1], 1))


# --- public functions -------------------------------------------------------------------------

def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of outputs where (y_pred > threshold) equals the 0/1 label; y_true has y_pred's shape."""
    y_true, y_pred = _arrays(y_true, y_pred)
    _check_same_outputs(y_true, y_pred, "binary_accuracy")
    if y_pred.ndim == 1:
        return float(np.mean((y_pred > threshold) == y_true.reshape(y_pred.shape)))
    return float(np.mean(_binary_values(y_true, y_pred, threshold)))


def categorical_accuracy(y_true, y_pred):
    """Fraction of rows where argmax(y_pred) equals argmax(y_true) (one-hot targets)."""
    y_true, y_pred = _arrays(y_true, y_pred)
    if _looks_like_labels(y_true, y_pred):
        raise ValueError(f"y_true: categorical_accuracy expects one-hot rows of shape {y_pred.shape}, got integer "
                         f"labels of shape {y_true.shape}; use sparse_categorical_accuracy for labels.")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true: categorical_accuracy expects the shape of y_pred {y_pred.shape}, "
                         f"got {y_true.shape}.")
    return float(np.mean(_categorical_values(y_true, y_pred)))


def sparse_categorical_accuracy(y_true, y_pred):
    """Fraction of rows where argmax(y_pred) equals the integer label; y_true (n,) or (n, 1)."""
    y_true, y_pred = _arrays(y_true, y_pred)
    if not _looks_like_labels(y_true, y_pred):
        hint = "; use categorical_accuracy for one-hot rows" if y_true.shape == y_pred.shape else ""
        raise ValueError(f"y_true: sparse_categorical_accuracy expects integer labels of shape "
                         f"{y_pred.shape[:-1]} for y_pred of shape {y_pred.shape}, got {y_true.shape}{hint}.")
    return float(np.mean(_sparse_values(y_true, y_pred)))


def accuracy(y_true, y_pred):
    """Accuracy in the form the data implies, as Keras's ``"accuracy"`` does.

    - y_pred with one column (or 1-D): binary, thresholded at 0.5;
    - y_true one-hot with the shape of y_pred: categorical (argmax against argmax);
    - y_true integer labels of shape (n,) or (n, 1): sparse (argmax against the label).
    """
    y_true, y_pred = _arrays(y_true, y_pred)
    if y_pred.ndim == 1 or y_pred.shape[-1] == 1:
        return binary_accuracy(y_true, y_pred)
    if y_true.shape == y_pred.shape:
        return categorical_accuracy(y_true, y_pred)
    return sparse_categorical_accuracy(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """The mean over samples and outputs of (y_pred - y_true)^2, as the metric ``"mse"``."""
    y_true, y_pred = _arrays(y_true, y_pred)
    _check_same_outputs(y_true, y_pred, "mean_squared_error")
    return float(np.mean(_mse_values(y_true, y_pred)))


def mean_absolute_error(y_true, y_pred):
    """The mean over samples and outputs of |y_pred - y_true|, as the metric ``"mae"``."""
    y_true, y_pred = _arrays(y_true, y_pred)
    _check_same_outputs(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(_mae_values(y_true, y_pred)))


def _integer_labels(labels, name):
    """Whole-number labels as a flat int array; probabilities or one-hot rows are refused."""
    labels = losses._numeric(labels, name)
    if labels.ndim == 2 and labels.shape[1] > 1:
        raise ValueError(f"{name}: expected class labels of shape (n,), got shape {labels.shape}; "
                         "turn probabilities or one-hot rows into labels with argmax(axis=1).")
    labels = labels.ravel()
    check_finite(labels, name)
    if labels.size and not np.all(np.mod(labels, 1) == 0):
        raise ValueError(f"{name}: expected whole-number class labels, got fractions such as "
                         f"{labels[np.mod(labels, 1) != 0][0]}; use argmax (or a 0.5 threshold) first.")
    return labels.astype(int)


def confusion_matrix(y_true, y_pred_labels, num_classes=None):
    """Counts C[i, j] of samples with true class i predicted as class j; shape (k, k).

    Both arguments are integer labels of shape (n,). The diagonal holds the correct predictions.
    """
    y_true = _integer_labels(y_true, "y_true")
    y_pred_labels = _integer_labels(y_pred_labels, "y_pred_labels")
    check_same_length(y_true, y_pred_labels, "y_true", "y_pred_labels")
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=0), y_pred_labels.max(initial=0))) + 1
    check_positive_int(num_classes, "num_classes")
    for name, labels in (("y_true", y_true), ("y_pred_labels", y_pred_labels)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"{name}: expected class labels in 0..{num_classes - 1}, "
                             f"got values from {labels.min()} to {labels.max()}.")
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred_labels), 1)
    return matrix


# --- names, and averaging over batches ------------------------------------------------------------

_METRICS = {"accuracy": accuracy, "acc": accuracy, "binary_accuracy": binary_accuracy,
            "categorical_accuracy": categorical_accuracy,
            "sparse_categorical_accuracy": sparse_categorical_accuracy,
            "mean_squared_error": mean_squared_error, "mse": mean_squared_error, "MSE": mean_squared_error,
            "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error, "MAE": mean_absolute_error}

# each public metric's per-sample form, which skips the checks (fit checks the targets once)
_PER_SAMPLE = {accuracy: _accuracy_values, binary_accuracy: _binary_values,
               categorical_accuracy: _categorical_values, sparse_categorical_accuracy: _sparse_values,
               mean_squared_error: _mse_values, mean_absolute_error: _mae_values}


def get(identifier):
    """A metric function by name (as Keras names them: "accuracy", "acc", "mae", "MSE", ...); callables pass through."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _METRICS:
        return _METRICS[identifier]
    known = ", ".join(sorted(name for name in _METRICS if name.islower()))
    raise ValueError(f"Unknown metric {identifier!r}. Known metrics: {known} (and Keras's aliases MAE, MSE).")


def batch_total(metric, y_true, y_pred, name="metric"):
    """(sum of the metric's values, number of values) over one batch; their ratio is the mean.

    ``metric`` is a function from ``get``; nnlib's own are evaluated per sample (without
    checks: the targets were checked once). A custom function may return one value per
    sample, shape (n,), or one number, its mean over the batch. Sample and class weights
    do not enter: Keras weights only the loss (and ``weighted_metrics``, which nnlib lacks).
    """
    if metric in _PER_SAMPLE:
        values = _PER_SAMPLE[metric](y_true, y_pred)
    else:
        values = _custom_values(metric(y_true, y_pred), len(y_pred), name)
    if values.ndim == 0:
        return float(values) * len(y_pred), len(y_pred)
    return float(np.sum(values)), values.size


def _custom_values(value, n_samples, name):
    """A custom metric's result as a float array: a number, or one value per sample; else a clear error."""
    values = None
    if value is not None and not isinstance(value, (str, bytes)):
        try:
            values = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    if values is None or (values.ndim > 0 and len(values) != n_samples):
        raise ValueError(f"metrics: {name!r} returned {value!r}; expected a number or one number per sample "
                         f"(shape ({n_samples},)).")
    return values
