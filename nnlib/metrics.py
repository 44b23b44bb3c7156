"""Metrics: accuracy in its three forms and the confusion matrix.

Used from chapter 7, Training a network, and chapter 9, Real data.
"""
import numpy as np

from ._validation import check_same_length


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of outputs where (y_pred > threshold) equals the 0/1 label."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    check_same_length(y_pred, y_true, "y_pred", "y_true")
    return float(np.mean((y_pred > threshold).astype(int).reshape(y_true.shape) == y_true))


def categorical_accuracy(y_true, y_pred):
    """Fraction of rows where argmax(y_pred) equals argmax(y_true) (one-hot targets)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    check_same_length(y_pred, y_true, "y_pred", "y_true")
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """Fraction of rows where argmax(y_pred) equals the integer label."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    check_same_length(y_pred, y_true, "y_pred", "y_true")
    return float(np.mean(np.argmax(y_pred, axis=-1) == y_true.reshape(len(y_true))))


def accuracy(y_true, y_pred):
    """Accuracy in the form the data implies, as Keras's ``"accuracy"`` does.

    - y_pred with one column (or 1-D): binary, thresholded at 0.5;
    - y_true one-hot with the shape of y_pred: categorical (argmax against argmax);
    - y_true integer labels of shape (n,) or (n, 1): sparse (argmax against the label).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim == 1 or y_pred.shape[-1] == 1:
        return binary_accuracy(y_true.reshape(y_pred.shape), y_pred)
    if y_true.shape == y_pred.shape:
        return categorical_accuracy(y_true, y_pred)
    return sparse_categorical_accuracy(y_true, y_pred)


def _integer_labels(labels, name):
    """Whole-number labels as a flat int array; probabilities or one-hot rows are refused."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] > 1:
        raise ValueError(f"{name}: expected class labels of shape (n,), got shape {labels.shape}; "
                         "turn probabilities or one-hot rows into labels with argmax(axis=1).")
    labels = labels.ravel()
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
    for name, labels in (("y_true", y_true), ("y_pred_labels", y_pred_labels)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"{name}: expected class labels in 0..{num_classes - 1}, "
                             f"got values from {labels.min()} to {labels.max()}.")
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred_labels), 1)
    return matrix


_METRICS = {"accuracy": accuracy, "acc": accuracy, "binary_accuracy": binary_accuracy,
            "categorical_accuracy": categorical_accuracy,
            "sparse_categorical_accuracy": sparse_categorical_accuracy}


def get(identifier):
    """A metric function by name; callables pass through."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _METRICS:
        return _METRICS[identifier]
    raise ValueError(f"Unknown metric {identifier!r}. Known metrics: {', '.join(sorted(_METRICS))}.")
