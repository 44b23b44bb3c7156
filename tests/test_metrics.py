"""Unit tests of nnlib.metrics (chapter 7, Training a network; chapter 9, Real data)."""
import numpy as np
import pytest

from nnlib import metrics

PROBABILITIES = np.array([[0.1, 0.7, 0.2],   # predicts 1
                          [0.6, 0.3, 0.1],   # predicts 0
                          [0.2, 0.2, 0.6],   # predicts 2
                          [0.5, 0.4, 0.1]])  # predicts 0
LABELS = np.array([1, 0, 1, 2])              # right on rows 0 and 1 -> 0.5


# --- binary ------------------------------------------------------------------------------------------------

def test_binary_accuracy_thresholds_at_one_half():
    y_true = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
    y_pred = np.array([[0.9], [0.4], [0.5], [0.51], [0.6]])
    # 0.5 is not above the threshold, so row 2 counts as 0 (wrong); row 3 as 1 (wrong): 3/5 right.
    assert metrics.binary_accuracy(y_true, y_pred) == pytest.approx(0.6)


def test_binary_accuracy_with_another_threshold():
    assert metrics.binary_accuracy(np.array([1.0, 0.0]), np.array([0.3, 0.1]), threshold=0.2) == 1.0


def test_binary_accuracy_accepts_1d_labels_against_a_column():
    assert metrics.binary_accuracy(np.array([1, 0, 0]), np.array([[0.8], [0.2], [0.7]])) == pytest.approx(2 / 3)


def test_binary_accuracy_returns_a_float():
    assert isinstance(metrics.binary_accuracy(np.array([1.0]), np.array([0.9])), float)


# --- categorical and sparse ------------------------------------------------------------------------------------

def test_categorical_accuracy_compares_argmax_with_argmax():
    assert metrics.categorical_accuracy(np.eye(3)[LABELS], PROBABILITIES) == 0.5


def test_sparse_categorical_accuracy_compares_argmax_with_the_label():
    assert metrics.sparse_categorical_accuracy(LABELS, PROBABILITIES) == 0.5


def test_sparse_categorical_accuracy_accepts_a_label_column_and_float_labels():
    assert metrics.sparse_categorical_accuracy(LABELS.reshape(-1, 1).astype(float), PROBABILITIES) == 0.5


def test_all_right_and_all_wrong():
    assert metrics.sparse_categorical_accuracy(np.array([1, 0, 2, 0]), PROBABILITIES) == 1.0
    assert metrics.sparse_categorical_accuracy(np.array([0, 2, 1, 1]), PROBABILITIES) == 0.0


# --- accuracy() chooses the form -----------------------------------------------------------------------------------

def test_accuracy_is_binary_for_one_output_column():
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.9], [0.4], [0.3], [0.2]])
    assert metrics.accuracy(y_true, y_pred) == metrics.binary_accuracy(y_true, y_pred) == 0.75


def test_accuracy_is_binary_for_1d_predictions():
    assert metrics.accuracy(np.array([1, 0]), np.array([0.7, 0.6])) == 0.5


def test_accuracy_is_binary_for_label_vector_against_a_column():
    assert metrics.accuracy(np.array([1, 0, 1, 0]), np.array([[0.9], [0.4], [0.3], [0.2]])) == 0.75


def test_accuracy_is_categorical_for_one_hot_targets():
    assert metrics.accuracy(np.eye(3)[LABELS], PROBABILITIES) == 0.5


def test_accuracy_is_sparse_for_integer_labels():
    assert metrics.accuracy(LABELS, PROBABILITIES) == 0.5
    assert metrics.accuracy(LABELS.reshape(-1, 1), PROBABILITIES) == 0.5


def test_accuracy_is_categorical_for_two_class_one_hot():
    # Two columns: the one-hot reading, not the binary threshold of each column.
    y_pred = np.array([[0.3, 0.7], [0.8, 0.2]])
    assert metrics.accuracy(np.array([[0.0, 1.0], [0.0, 1.0]]), y_pred) == 0.5
    assert metrics.accuracy(np.array([1, 1]), y_pred) == 0.5


def test_accuracy_rejects_a_different_number_of_rows():
    with pytest.raises(ValueError, match=r"y_true: expected the same number of rows as y_pred \(4\), got 3"):
        metrics.accuracy(LABELS[:3], PROBABILITIES)


# --- lookup --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, function", [("accuracy", metrics.accuracy), ("acc", metrics.accuracy),
                                            ("binary_accuracy", metrics.binary_accuracy),
                                            ("categorical_accuracy", metrics.categorical_accuracy),
                                            ("sparse_categorical_accuracy", metrics.sparse_categorical_accuracy)])
def test_get_returns_the_metric_of_that_name(name, function):
    assert metrics.get(name) is function


def test_get_rejects_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown metric 'precision'. Known metrics: acc, accuracy, binary_accuracy"):
        metrics.get("precision")


# --- confusion matrix ----------------------------------------------------------------------------------------------

def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    y_true = np.array([0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    expected = np.array([[1, 1, 0],
                         [0, 2, 1],
                         [1, 0, 0]])
    matrix = metrics.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(matrix, expected)
    assert np.issubdtype(matrix.dtype, np.integer)
    assert matrix.sum() == 6 and np.trace(matrix) == 3


def test_confusion_matrix_with_num_classes_includes_unseen_classes():
    matrix = metrics.confusion_matrix([0, 1], [1, 1], num_classes=4)
    assert matrix.shape == (4, 4)
    np.testing.assert_array_equal(matrix[:2, :2], [[0, 1], [0, 1]])
    assert matrix[2:].sum() == 0 and matrix[:, 2:].sum() == 0


def test_confusion_matrix_of_perfect_predictions_is_diagonal():
    labels = np.array([2, 0, 1, 2, 2])
    np.testing.assert_array_equal(metrics.confusion_matrix(labels, labels), np.diag([1, 1, 3]))


def test_confusion_matrix_rejects_labels_outside_num_classes():
    with pytest.raises(ValueError, match=r"y_true: expected class labels in 0\.\.1, got values from 0 to 3"):
        metrics.confusion_matrix([0, 3], [0, 1], num_classes=2)


def test_confusion_matrix_rejects_negative_labels():
    with pytest.raises(ValueError, match=r"y_true: expected class labels in 0\.\.1, got values from -1"):
        metrics.confusion_matrix([0, -1], [0, 1])


def test_confusion_matrix_rejects_different_lengths():
    with pytest.raises(ValueError, match=r"y_pred_labels: expected the same number of rows as y_true \(3\), got 2"):
        metrics.confusion_matrix([0, 1, 1], [0, 1])


def test_confusion_matrix_rejects_probabilities_instead_of_labels():
    with pytest.raises(ValueError, match="y_pred_labels"):
        metrics.confusion_matrix([1, 0, 1], [0.9, 0.2, 0.7])
