"""Unit and property tests of nnlib.losses (chapter 4, Loss functions; gradients in chapter 6).

Values are worked out by hand on small arrays with Keras 3's conventions (mean over the
last axis, no 1/2 in MSE, probabilities clipped to [1e-7, 1 - 1e-7]); every gradient is
compared with a central-difference gradient of the batch-mean loss in float64.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import activations, losses
from nnlib.gradients import numerical_gradient

LOSS_NAMES = ["mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
              "sparse_categorical_crossentropy"]


def numerical_gradient_of_mean_loss(loss, y_true, y_pred, **kwargs):
    """Central-difference gradient of mean(loss(y_true, y_pred)) with respect to y_pred, in float64."""
    y_pred = np.array(y_pred, dtype=np.float64)
    return numerical_gradient(lambda p: np.mean(loss(y_true, p, **kwargs)), y_pred, h=1e-6)


def sample_problem(seed=0, n_samples=5, n_classes=3):
    """Labels, their one-hot form, probabilities away from the clip, and logits, all float64."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_samples) % n_classes)
    one_hot = np.eye(n_classes)[labels]
    logits = rng.normal(0.0, 1.5, size=(n_samples, n_classes))
    probabilities = activations.softmax(logits)
    return labels, one_hot, probabilities, logits


# --- hand-computed values -----------------------------------------------------------------------------

def test_mean_squared_error_is_the_mean_over_outputs_without_a_half():
    y_true = np.array([[1.0, 2.0], [0.0, 0.0]])
    y_pred = np.array([[1.5, 1.0], [2.0, -1.0]])
    # (0.25 + 1) / 2 and (4 + 1) / 2.
    np.testing.assert_allclose(losses.mean_squared_error(y_true, y_pred), [0.625, 2.5], rtol=1e-12)


def test_mse_is_an_alias_of_mean_squared_error():
    assert losses.mse is losses.mean_squared_error


def test_mean_squared_error_returns_one_value_per_sample():
    assert losses.mean_squared_error(np.zeros((7, 3)), np.ones((7, 3))).shape == (7,)


def test_binary_crossentropy_at_hand_computed_values():
    y_true = np.array([[1.0], [0.0]])
    y_pred = np.array([[0.8], [0.4]])
    np.testing.assert_allclose(losses.binary_crossentropy(y_true, y_pred), [-np.log(0.8), -np.log(0.6)],
                               rtol=1e-12)


def test_binary_crossentropy_averages_over_outputs():
    value = losses.binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.9, 0.2]]))
    np.testing.assert_allclose(value, [(-np.log(0.9) - np.log(0.8)) / 2], rtol=1e-12)


def test_clipping_makes_the_saturated_binary_crossentropy_example_finite():
    # Chapter 4: w = 0.5, b = -0.2, input 100, label 0. z = 49.8 and sigmoid(z) rounds to 1.0,
    # so without the clip the loss would be -log(0) = inf; with it, -log(1e-7) = 16.118.
    z = 0.5 * 100 - 0.2
    p = activations.sigmoid(np.array([[z]]))
    assert p[0, 0] == 1.0
    value = losses.binary_crossentropy(np.array([[0.0]]), p)
    assert np.isfinite(value[0])
    assert value[0] == pytest.approx(16.118, abs=1e-3)
    assert value[0] == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_binary_crossentropy_from_logits_is_not_clipped_on_the_saturated_example():
    # log(1 + e^49.8) = 49.8 to double precision: the exact loss the clip hides.
    value = losses.binary_crossentropy(np.array([[0.0]]), np.array([[49.8]]), from_logits=True)
    assert value[0] == pytest.approx(49.8, rel=1e-12)


def test_binary_crossentropy_of_a_confident_correct_prediction_is_tiny_but_positive():
    value = losses.binary_crossentropy(np.array([[1.0]]), np.array([[1.0]]))
    assert 0.0 < value[0] < 1e-6


def test_categorical_crossentropy_at_hand_computed_values():
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    y_pred = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    np.testing.assert_allclose(losses.categorical_crossentropy(y_true, y_pred), [-np.log(0.7), -np.log(0.5)],
                               rtol=1e-12)


def test_categorical_crossentropy_renormalises_rows_as_keras_does():
    # Keras divides y_pred by its row sum before the log: [1, 2, 1] becomes [0.25, 0.5, 0.25].
    value = losses.categorical_crossentropy(np.array([[0.0, 1.0, 0.0]]), np.array([[1.0, 2.0, 1.0]]))
    np.testing.assert_allclose(value, [np.log(2.0)], rtol=1e-12)


def test_ten_class_example_under_crossentropy_and_mse():
    # Chapter 4's example: prediction y with true class 2.
    y = np.array([[0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]])
    target = np.eye(10)[[2]]
    np.testing.assert_allclose(losses.categorical_crossentropy(target, y), [-np.log(0.6)], rtol=1e-12)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(np.array([2]), y), [-np.log(0.6)],
                               rtol=1e-12)
    # Squared errors 0.01 + 0.0025 + 0.16 + 0.0025 + 0.01 + 0.01 = 0.195, over 10 outputs.
    np.testing.assert_allclose(losses.mean_squared_error(target, y), [0.0195], rtol=1e-12)


def test_sparse_categorical_crossentropy_at_hand_computed_values():
    y_pred = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(np.array([1, 0]), y_pred),
                               [-np.log(0.7), -np.log(0.5)], rtol=1e-12)


def test_sparse_categorical_crossentropy_accepts_labels_of_shape_n_by_1():
    y_pred = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(np.array([[1], [0]]), y_pred),
                               losses.sparse_categorical_crossentropy(np.array([1, 0]), y_pred))


# --- equivalences ---------------------------------------------------------------------------------------

def test_sparse_equals_categorical_on_the_one_hot_form():
    labels, one_hot, probabilities, _ = sample_problem()
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, probabilities),
                               losses.categorical_crossentropy(one_hot, probabilities), rtol=1e-12)


def test_sparse_equals_categorical_on_the_one_hot_form_from_logits():
    labels, one_hot, _, logits = sample_problem(1)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, logits, from_logits=True),
                               losses.categorical_crossentropy(one_hot, logits, from_logits=True), rtol=1e-12)


def test_sparse_gradient_equals_categorical_gradient_on_the_one_hot_form():
    labels, one_hot, probabilities, logits = sample_problem(2)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy_gradient(labels, probabilities),
                               losses.categorical_crossentropy_gradient(one_hot, probabilities), rtol=1e-12)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy_gradient(labels, logits, from_logits=True),
        losses.categorical_crossentropy_gradient(one_hot, logits, from_logits=True), rtol=1e-12)


def test_categorical_from_logits_equals_the_probability_form_on_softmax_outputs():
    _, one_hot, probabilities, logits = sample_problem(3)
    np.testing.assert_allclose(losses.categorical_crossentropy(one_hot, logits, from_logits=True),
                               losses.categorical_crossentropy(one_hot, probabilities), rtol=1e-10)


def test_binary_from_logits_equals_the_probability_form_on_sigmoid_outputs():
    rng = np.random.default_rng(4)
    logits = rng.normal(0.0, 2.0, size=(6, 2))
    y_true = rng.integers(0, 2, size=(6, 2)).astype(float)
    np.testing.assert_allclose(losses.binary_crossentropy(y_true, logits, from_logits=True),
                               losses.binary_crossentropy(y_true, activations.sigmoid(logits)), rtol=1e-10)


def test_binary_from_logits_is_stable_for_huge_logits():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = losses.binary_crossentropy(np.array([[1.0, 0.0]]), np.array([[-1e4, 1e4]]), from_logits=True)
    np.testing.assert_allclose(value, [1e4], rtol=1e-12)


def test_categorical_from_logits_is_stable_for_huge_logits():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = losses.categorical_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1e4]]), from_logits=True)
    np.testing.assert_allclose(value, [1e4], rtol=1e-12)


# --- gradients of the batch-mean loss -----------------------------------------------------------------------

def test_mean_squared_error_gradient_equals_numerical_gradient():
    rng = np.random.default_rng(5)
    y_true, y_pred = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(losses.mean_squared_error_gradient(y_true, y_pred),
                               numerical_gradient_of_mean_loss(losses.mean_squared_error, y_true, y_pred),
                               rtol=1e-6, atol=1e-10)


def test_mean_squared_error_gradient_has_the_keras_scale():
    # d/dp mean over 2 samples and 2 outputs of (p - t)^2 = 2 (p - t) / 4.
    grad = losses.mean_squared_error_gradient(np.zeros((2, 2)), np.array([[1.0, 2.0], [-1.0, 0.0]]))
    np.testing.assert_allclose(grad, [[0.5, 1.0], [-0.5, 0.0]], rtol=1e-12)


def test_binary_crossentropy_gradient_equals_numerical_gradient():
    rng = np.random.default_rng(6)
    y_true = rng.integers(0, 2, size=(5, 2)).astype(float)
    y_pred = rng.uniform(0.05, 0.95, size=(5, 2))
    np.testing.assert_allclose(losses.binary_crossentropy_gradient(y_true, y_pred),
                               numerical_gradient_of_mean_loss(losses.binary_crossentropy, y_true, y_pred),
                               rtol=1e-6, atol=1e-10)


def test_binary_crossentropy_gradient_from_logits_equals_numerical_gradient():
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 2, size=(5, 1)).astype(float)
    logits = rng.normal(0.0, 2.0, size=(5, 1))
    np.testing.assert_allclose(
        losses.binary_crossentropy_gradient(y_true, logits, from_logits=True),
        numerical_gradient_of_mean_loss(losses.binary_crossentropy, y_true, logits, from_logits=True),
        rtol=1e-6, atol=1e-10)


def test_binary_crossentropy_gradient_with_soft_labels_equals_numerical_gradient():
    rng = np.random.default_rng(8)
    y_true = rng.uniform(0.0, 1.0, size=(4, 3))
    y_pred = rng.uniform(0.05, 0.95, size=(4, 3))
    np.testing.assert_allclose(losses.binary_crossentropy_gradient(y_true, y_pred),
                               numerical_gradient_of_mean_loss(losses.binary_crossentropy, y_true, y_pred),
                               rtol=1e-6, atol=1e-10)


def test_binary_crossentropy_gradient_is_zero_where_the_clip_is_active():
    grad = losses.binary_crossentropy_gradient(np.array([[1.0], [0.0], [1.0]]), np.array([[0.0], [1.0], [0.5]]))
    assert grad[0, 0] == 0.0 and grad[1, 0] == 0.0
    assert grad[2, 0] == pytest.approx(-2.0 / 3.0)  # (0.5 - 1) / (0.5 * 0.5) / 3 samples


def test_categorical_crossentropy_gradient_equals_numerical_gradient():
    _, one_hot, probabilities, _ = sample_problem(9)
    np.testing.assert_allclose(losses.categorical_crossentropy_gradient(one_hot, probabilities),
                               numerical_gradient_of_mean_loss(losses.categorical_crossentropy, one_hot,
                                                               probabilities),
                               rtol=1e-6, atol=1e-10)


def test_categorical_crossentropy_gradient_for_unnormalised_rows_equals_numerical_gradient():
    rng = np.random.default_rng(10)
    one_hot = np.eye(4)[[0, 3, 1]]
    y_pred = rng.uniform(0.1, 2.0, size=(3, 4))
    np.testing.assert_allclose(losses.categorical_crossentropy_gradient(one_hot, y_pred),
                               numerical_gradient_of_mean_loss(losses.categorical_crossentropy, one_hot, y_pred),
                               rtol=1e-6, atol=1e-10)


def test_categorical_crossentropy_gradient_from_logits_equals_numerical_gradient():
    _, one_hot, _, logits = sample_problem(11)
    np.testing.assert_allclose(
        losses.categorical_crossentropy_gradient(one_hot, logits, from_logits=True),
        numerical_gradient_of_mean_loss(losses.categorical_crossentropy, one_hot, logits, from_logits=True),
        rtol=1e-6, atol=1e-10)


def test_categorical_crossentropy_gradient_from_logits_is_softmax_minus_target_over_n():
    _, one_hot, _, logits = sample_problem(12)
    np.testing.assert_allclose(losses.categorical_crossentropy_gradient(one_hot, logits, from_logits=True),
                               (activations.softmax(logits) - one_hot) / len(one_hot), rtol=1e-12)


def test_sparse_categorical_crossentropy_gradient_equals_numerical_gradient():
    labels, _, probabilities, logits = sample_problem(13)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy_gradient(labels, probabilities),
        numerical_gradient_of_mean_loss(losses.sparse_categorical_crossentropy, labels, probabilities),
        rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy_gradient(labels, logits, from_logits=True),
        numerical_gradient_of_mean_loss(losses.sparse_categorical_crossentropy, labels, logits, from_logits=True),
        rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_has_the_shape_of_y_pred(name):
    labels, one_hot, probabilities, _ = sample_problem(14)
    y_true = labels if name.startswith("sparse") else one_hot
    assert losses.get_gradient(name)(y_true, probabilities).shape == probabilities.shape


# --- properties -----------------------------------------------------------------------------------------------

PROBABILITIES = st.floats(min_value=0.0, max_value=1.0)
LOGITS = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
SHAPES = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=5)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_mean_squared_error_is_non_negative(data):
    shape = data.draw(SHAPES)
    y_true = data.draw(hnp.arrays(np.float64, shape, elements=LOGITS))
    y_pred = data.draw(hnp.arrays(np.float64, shape, elements=LOGITS))
    assert np.all(losses.mean_squared_error(y_true, y_pred) >= 0.0)


@settings(max_examples=50, deadline=None)
@given(st.data(), st.booleans())
def test_binary_crossentropy_is_non_negative_and_finite(data, from_logits):
    shape = data.draw(SHAPES)
    y_true = data.draw(hnp.arrays(np.float64, shape, elements=PROBABILITIES))
    y_pred = data.draw(hnp.arrays(np.float64, shape, elements=LOGITS if from_logits else PROBABILITIES))
    value = losses.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
    assert np.all(np.isfinite(value))
    assert np.all(value >= 0.0)


@settings(max_examples=50, deadline=None)
@given(st.data(), st.booleans())
def test_categorical_crossentropies_are_non_negative_and_finite(data, from_logits):
    n_samples = data.draw(st.integers(1, 5))
    n_classes = data.draw(st.integers(2, 5))
    labels = np.array(data.draw(st.lists(st.integers(0, n_classes - 1), min_size=n_samples, max_size=n_samples)))
    positive = st.floats(min_value=1e-3, max_value=1.0)
    y_pred = data.draw(hnp.arrays(np.float64, (n_samples, n_classes), elements=LOGITS if from_logits else positive))
    dense = losses.categorical_crossentropy(np.eye(n_classes)[labels], y_pred, from_logits=from_logits)
    sparse = losses.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits)
    for value in (dense, sparse):
        assert np.all(np.isfinite(value))
        assert np.all(value >= 0.0)
    np.testing.assert_allclose(dense, sparse)


# --- Loss objects and lookup --------------------------------------------------------------------------------------

def test_binary_crossentropy_object_from_logits_gives_the_batch_mean():
    y_true = np.array([[1.0], [0.0], [1.0]])
    logits = np.array([[2.0], [-1.0], [-0.5]])
    loss = losses.BinaryCrossentropy(from_logits=True)
    expected = np.mean(losses.binary_crossentropy(y_true, logits, from_logits=True))
    assert loss(y_true, logits) == pytest.approx(expected, rel=1e-12)
    assert isinstance(loss(y_true, logits), float)
    np.testing.assert_allclose(loss.per_sample(y_true, logits),
                               losses.binary_crossentropy(y_true, logits, from_logits=True))
    np.testing.assert_allclose(loss.gradient(y_true, logits),
                               losses.binary_crossentropy_gradient(y_true, logits, from_logits=True))


def test_loss_object_default_is_the_probability_form():
    y_true, y_pred = np.array([[1.0], [0.0]]), np.array([[0.8], [0.4]])
    assert losses.BinaryCrossentropy()(y_true, y_pred) == pytest.approx((-np.log(0.8) - np.log(0.6)) / 2)


def test_categorical_and_sparse_objects_from_logits_agree():
    labels, one_hot, _, logits = sample_problem(15)
    dense = losses.CategoricalCrossentropy(from_logits=True)
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert dense(one_hot, logits) == pytest.approx(sparse(labels, logits), rel=1e-12)
    np.testing.assert_allclose(dense.gradient(one_hot, logits), sparse.gradient(labels, logits), rtol=1e-12)


def test_mean_squared_error_object():
    loss = losses.MeanSquaredError()
    y_true, y_pred = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[1.5, 1.0], [2.0, -1.0]])
    assert loss(y_true, y_pred) == pytest.approx((0.625 + 2.5) / 2)
    np.testing.assert_allclose(loss.gradient(y_true, y_pred), losses.mean_squared_error_gradient(y_true, y_pred))


@pytest.mark.parametrize("loss_class, name", [
    (losses.MeanSquaredError, "mean_squared_error"),
    (losses.BinaryCrossentropy, "binary_crossentropy"),
    (losses.CategoricalCrossentropy, "categorical_crossentropy"),
    (losses.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
])
def test_loss_object_names_its_loss(loss_class, name):
    assert loss_class().name == name


@pytest.mark.parametrize("identifier, loss_class", [
    ("mse", losses.MeanSquaredError),
    ("mean_squared_error", losses.MeanSquaredError),
    ("binary_crossentropy", losses.BinaryCrossentropy),
    ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    (losses.binary_crossentropy, losses.BinaryCrossentropy),
])
def test_get_loss_object_builds_the_matching_object(identifier, loss_class):
    loss = losses.get_loss_object(identifier)
    assert type(loss) is loss_class
    assert loss.from_logits is False


def test_get_loss_object_passes_a_loss_object_through():
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get_loss_object(loss) is loss


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_get_and_get_gradient_return_the_named_pair(name):
    assert losses.get(name) is getattr(losses, name)
    assert losses.get_gradient(name) is getattr(losses, name + "_gradient")


def test_get_resolves_the_mse_alias():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get_gradient("mse") is losses.mean_squared_error_gradient


def test_get_passes_a_known_function_through():
    assert losses.get(losses.categorical_crossentropy) is losses.categorical_crossentropy
    assert losses.get_gradient(losses.categorical_crossentropy) is losses.categorical_crossentropy_gradient


def test_get_rejects_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge'.*binary_crossentropy, categorical_crossentropy, "
                                         r"huber, mae, mean_absolute_error, mean_squared_error, mse, "
                                         r"sparse_categorical_crossentropy"):
        losses.get("hinge")


def test_unknown_loss_message_spells_losses_correctly():
    with pytest.raises(ValueError, match=r"Known losses: "):
        losses.get("hinge")


def test_get_rejects_a_foreign_function():
    with pytest.raises(ValueError, match=r"loss: expected a loss name.*Known losses"):
        losses.get(lambda y_true, y_pred: 0.0)


def test_epsilon_is_keras_default():
    assert losses.EPSILON == 1e-7
