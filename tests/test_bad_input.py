"""Every public entry point rejects bad input with a ValueError that names the argument,
says what was expected, and (where it helps) what arrived and how to fix it.
"""
import numpy as np
import pytest

import nnlib
from nnlib import losses, optimizers
from nnlib.layers import Dense, Input
from nnlib.models import Sequential

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_BINARY = np.array([0.0, 1.0, 1.0, 0.0])
Y_SPARSE = np.array([0, 1, 2, 1])
Y_ONE_HOT = np.eye(3)[Y_SPARSE]
OPTIMIZER_CLASSES = [optimizers.SGD, optimizers.RMSprop, optimizers.Adam]


@pytest.fixture(autouse=True)
def fresh_library_generator(monkeypatch):
    monkeypatch.setattr(nnlib.config, "_rng", np.random.default_rng(0))


def binary_model():
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def three_class_model(loss):
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss)
    return model


def call(model, method, x, y):
    """Run fit, evaluate, train_on_batch or predict with (x, y) as each takes them."""
    if method == "fit":
        return model.fit(x, y, epochs=1, verbose=0)
    if method == "predict":
        return model.predict(x)
    return getattr(model, method)(x, y)


# --- shapes and sizes -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "train_on_batch"])
def test_feature_count_different_from_input_shape_is_rejected(method):
    with pytest.raises(ValueError, match=r"x: expected 2 feature\(s\) per sample, shape \(n_samples, 2\), "
                                         r"got shape \(4, 3\)"):
        call(binary_model(), method, np.ones((4, 3)), Y_BINARY)


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_y_with_a_different_number_of_rows_from_x_is_rejected(method):
    with pytest.raises(ValueError, match=r"y: expected the same number of rows as x \(4\), got 3"):
        call(binary_model(), method, X, Y_BINARY[:3])


def test_validation_data_with_mismatched_rows_is_rejected():
    with pytest.raises(ValueError, match=r"validation_data\[1\]: expected the same number of rows as x \(4\), got 2"):
        binary_model().fit(X, Y_BINARY, validation_data=(X, Y_BINARY[:2]), verbose=0)


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate"])
def test_1d_x_is_rejected_with_a_reshape_hint(method):
    model = Sequential([Input((1,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"x: expected a 2-D array of shape \(n_samples, 1\), got shape "
                                         r"\(4,\)\. Use x\.reshape\(-1, 1\) for one feature"):
        call(model, method, np.arange(4.0), np.arange(4.0))


def test_3d_x_is_rejected_when_the_model_expects_flat_samples():
    with pytest.raises(ValueError, match=r"x: expected an array of shape \(n_samples, 2\), got shape \(4, 2, 1\)"):
        binary_model().predict(np.ones((4, 2, 1)))


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate"])
def test_empty_data_is_rejected(method):
    with pytest.raises(ValueError, match=r"x: expected at least one sample, got an empty array of shape \(0, 2\)"):
        call(binary_model(), method, np.empty((0, 2)), np.empty((0,)))


def test_non_numeric_x_is_rejected():
    with pytest.raises(ValueError, match=r"x: expected real numbers, got strings \(dtype <U1\)"):
        binary_model().predict([["a", "b"]])


# --- label formats ------------------------------------------------------------------------------------------------

def test_integer_labels_given_to_categorical_crossentropy_suggest_sparse():
    with pytest.raises(ValueError, match=r"y: categorical_crossentropy expects one-hot targets of shape \(4, 3\), "
                                         r"got integer labels of shape \(4,\)\. Use sparse_categorical_crossentropy"):
        three_class_model("categorical_crossentropy").fit(X, Y_SPARSE, verbose=0)


def test_integer_labels_given_to_the_categorical_function_suggest_sparse():
    with pytest.raises(ValueError, match=r"y_true: .*Use sparse_categorical_crossentropy for integer labels"):
        losses.categorical_crossentropy(Y_SPARSE, np.full((4, 3), 1 / 3))


def test_one_hot_targets_given_to_sparse_loss_suggest_categorical():
    with pytest.raises(ValueError, match=r"y: sparse_categorical_crossentropy expects integer labels of shape "
                                         r"\(n_samples,\), got shape \(4, 3\)\. For one-hot targets use "
                                         r"categorical_crossentropy"):
        three_class_model("sparse_categorical_crossentropy").fit(X, Y_ONE_HOT, verbose=0)


def test_one_hot_targets_given_to_the_sparse_function_suggest_categorical():
    with pytest.raises(ValueError, match=r"y_true: .*For one-hot targets use categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(Y_ONE_HOT, np.full((4, 3), 1 / 3))


@pytest.mark.parametrize("labels", [[0, 1, 2, 0], [0, -1, 1, 0], [0, 1, 255, 1]])
def test_labels_outside_zero_one_are_rejected_by_binary_crossentropy(labels):
    low, high = min(labels), max(labels)
    with pytest.raises(ValueError, match=rf"y: binary_crossentropy expects labels in \[0, 1\], got values "
                                         rf"from {low}\.0 to {high}\.0"):
        binary_model().fit(X, np.array(labels, dtype=float), verbose=0)


def test_labels_outside_zero_one_are_rejected_by_the_binary_function():
    with pytest.raises(ValueError, match=r"y_true: binary_crossentropy expects labels in \[0, 1\]"):
        losses.binary_crossentropy(np.array([[2.0]]), np.array([[0.5]]))


def test_bad_labels_in_validation_data_are_named_as_validation_data():
    with pytest.raises(ValueError, match=r"validation_data\[1\]"):
        binary_model().fit(X, Y_BINARY, validation_data=(X, np.array([0.0, 1.0, 2.0, 0.0])), verbose=0)


def test_sparse_labels_not_below_n_classes_are_rejected():
    with pytest.raises(ValueError, match=r"y: labels must lie in 0\.\.2 for 3 classes, got values from 0 to 3"):
        three_class_model("sparse_categorical_crossentropy").fit(X, np.array([0, 1, 3, 1]), verbose=0)


def test_negative_sparse_labels_are_rejected():
    with pytest.raises(ValueError, match=r"y_true: labels must lie in 0\.\.2 for 3 classes, got values from -1"):
        losses.sparse_categorical_crossentropy(np.array([-1, 0]), np.full((2, 3), 1 / 3))


def test_fractional_sparse_labels_are_rejected():
    with pytest.raises(ValueError, match=r"y: sparse_categorical_crossentropy expects whole-number class labels"):
        three_class_model("sparse_categorical_crossentropy").fit(X, np.array([0, 1.5, 2, 1]), verbose=0)


def test_loss_shape_mismatch_names_y_true_and_both_shapes():
    with pytest.raises(ValueError, match=r"y_true: mean_squared_error expects the shape of y_pred \(2, 3\), got \(2, 2\)"):
        losses.mean_squared_error(np.zeros((2, 2)), np.zeros((2, 3)))


# --- NaN and infinity -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "train_on_batch"])
def test_nan_or_inf_in_x_is_rejected_with_its_position(method, bad):
    x = X.copy()
    x[2, 1] = bad
    with pytest.raises(ValueError, match=r"x: expected finite numbers, found 1 NaN or inf value\(s\), "
                                         r"the first at index \(2, 1\)"):
        call(binary_model(), method, x, Y_BINARY)


@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_nan_or_inf_in_y_is_rejected(method, bad):
    y = Y_BINARY.copy()
    y[3] = bad
    with pytest.raises(ValueError, match=r"y: expected finite numbers, found 1 NaN or inf value\(s\), "
                                         r"the first at index \(3,\)"):
        call(binary_model(), method, X, y)


def test_nan_in_sparse_labels_is_rejected():
    with pytest.raises(ValueError, match=r"y: expected finite numbers"):
        three_class_model("sparse_categorical_crossentropy").fit(X, np.array([0, np.nan, 2, 1]), verbose=0)


def test_nan_in_validation_data_is_rejected_and_named():
    x_val = X.copy()
    x_val[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"validation_data\[0\]: expected finite numbers"):
        binary_model().fit(X, Y_BINARY, validation_data=(x_val, Y_BINARY), verbose=0)


def test_nan_given_to_a_loss_function_is_rejected():
    with pytest.raises(ValueError, match=r"y_pred: expected finite numbers"):
        losses.mean_squared_error(np.zeros((1, 2)), np.array([[0.0, np.nan]]))


# --- order of calls ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_calls_before_compile_are_rejected(method):
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match=rf"{method}: call compile\(optimizer, loss\) before {method}\(\)"):
        call(model, method, X, Y_BINARY)


def test_compile_without_a_loss_is_rejected():
    with pytest.raises(ValueError, match=r"loss: expected a loss such as 'mse' or 'binary_crossentropy', got None"):
        Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd")


def test_count_params_before_build_is_rejected_with_a_hint():
    with pytest.raises(ValueError, match=r"count_params: the model has no weights yet\. Start it with "
                                         r"Input\(\(n_features,\)\) or call build\(n_features\)"):
        Sequential([Dense(2)]).count_params()


# --- weights --------------------------------------------------------------------------------------------------------------

def test_set_weights_with_the_wrong_count_is_rejected():
    model = Sequential([Input((2,)), Dense(3), Dense(1)])
    with pytest.raises(ValueError, match=r"weights: expected 4 arrays with shapes \[\(2, 3\), \(3,\), \(3, 1\), \(1,\)\], "
                                         r"got 3 arrays"):
        model.set_weights(model.get_weights()[:3])


def test_set_weights_with_the_wrong_shape_is_rejected():
    model = Sequential([Input((2,)), Dense(3), Dense(1)])
    weights = model.get_weights()
    weights[2] = np.zeros((1, 3))
    with pytest.raises(ValueError, match=r"weights: layer 'dense_1' expects kernel of shape \(3, 1\), got shape \(1, 3\)"):
        model.set_weights(weights)


def test_set_weights_before_build_is_rejected():
    with pytest.raises(ValueError, match=r"set_weights: the model has no weights yet"):
        Sequential([Dense(2)]).set_weights([np.zeros((2, 2)), np.zeros(2)])


# --- unknown names --------------------------------------------------------------------------------------------------------

def test_unknown_activation_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'\. Known activations: elu, gelu, leaky_relu, linear, "
                                         r"relu, sigmoid, silu, softmax, softplus, step, swish, tanh"):
        Dense(2, activation="rleu")


def test_unknown_loss_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown loss 'cross_entropy'\..*binary_crossentropy, "
                                         r"categorical_crossentropy, huber, mae, mean_absolute_error, "
                                         r"mean_squared_error, mse, sparse_categorical_crossentropy"):
        Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="cross_entropy")


def test_unknown_optimizer_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adagrad'\. Known optimizers: adam, adamw, rmsprop, sgd"):
        Sequential([Input((2,)), Dense(1)]).compile(optimizer="adagrad", loss="mse")


def test_unknown_initializer_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown initializer 'xavier'\. Known initializers: glorot_uniform, "
                                         r"he_normal, .*zeros"):
        Dense(2, kernel_initializer="xavier")


def test_unknown_metric_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'\. Known metrics: acc, accuracy, binary_accuracy"):
        Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="mse", metrics=["acuracy"])


def test_a_foreign_loss_function_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"loss: expected a loss name such as 'mse'.*Known losses"):
        Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss=lambda t, p: 0.0)


# --- non-positive numbers ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [0, -4, 2.5, True])
def test_non_positive_or_non_integer_batch_size_is_rejected_by_fit(batch_size):
    with pytest.raises(ValueError, match=rf"batch_size: expected a positive integer, got {batch_size!r}"):
        binary_model().fit(X, Y_BINARY, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("batch_size", [0, -1])
def test_non_positive_batch_size_is_rejected_by_predict(batch_size):
    with pytest.raises(ValueError, match=rf"batch_size: expected a positive integer, got {batch_size}"):
        binary_model().predict(X, batch_size=batch_size)


@pytest.mark.parametrize("epochs", [0, -1, 1.0])
def test_non_positive_or_non_integer_epochs_is_rejected(epochs):
    with pytest.raises(ValueError, match=rf"epochs: expected a positive integer, got {epochs!r}"):
        binary_model().fit(X, Y_BINARY, epochs=epochs, verbose=0)


@pytest.mark.parametrize("learning_rate", [0, -0.01, float("nan"), float("inf"), "0.1"])
@pytest.mark.parametrize("optimizer_class", OPTIMIZER_CLASSES, ids=lambda c: c.__name__)
def test_non_positive_learning_rate_is_rejected_by_each_optimizer(optimizer_class, learning_rate):
    with pytest.raises(ValueError, match=r"learning_rate: expected a positive number, got"):
        optimizer_class(learning_rate=learning_rate)


@pytest.mark.parametrize("units", [0, -3, 2.0])
def test_non_positive_units_is_rejected(units):
    with pytest.raises(ValueError, match=rf"units: expected a positive integer, got {units!r}"):
        Dense(units)


# --- validation_split --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_outside_zero_one_is_rejected(split):
    with pytest.raises(ValueError, match=rf"validation_split: expected a fraction in \[0, 1\), got {split}"):
        binary_model().fit(X, Y_BINARY, validation_split=split, verbose=0)


def test_validation_split_that_leaves_no_validation_sample_is_rejected():
    with pytest.raises(ValueError, match=r"validation_split: 0\.9 leaves no training or no validation samples"):
        binary_model().fit(X, Y_BINARY, validation_split=0.9, verbose=0)


def test_validation_split_that_is_not_a_number_is_rejected():
    with pytest.raises(ValueError, match=r"validation_split: expected a fraction in \[0, 1\)"):
        binary_model().fit(X, Y_BINARY, validation_split="0.2", verbose=0)


# --- Input ----------------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(0,), (-2,), (), ("2",), (2.5,), (True,), (8, 0, 1)])
def test_input_with_a_bad_shape_is_rejected_with_an_example(shape):
    with pytest.raises(ValueError, match=r"shape: expected (positive sizes|a tuple of sizes).* such as \(2,\)"):
        Input(shape)


def test_input_of_rank_two_feeds_a_dense_layer_on_its_last_axis():
    model = Sequential([Input((5, 3)), Dense(4)])
    assert model.output_shape == (5, 4)
    assert model.predict(np.ones((2, 5, 3))).shape == (2, 5, 4)


@pytest.mark.parametrize("shape", [2.0, None])
def test_input_with_a_non_iterable_shape_is_rejected(shape):
    with pytest.raises(ValueError, match=r"shape: expected a (1-)?tuple"):
        Input(shape)


def test_input_must_come_first():
    with pytest.raises(ValueError, match=r"layer: an Input must come first"):
        Sequential([Dense(2), Input((2,))])


# --- optimizer apply -------------------------------------------------------------------------------------------------------------

def test_optimizer_apply_with_mismatched_lists_is_rejected():
    with pytest.raises(ValueError, match=r"grads: expected 2 gradient arrays, one per parameter, got 3"):
        optimizers.Adam().apply([np.zeros(1), np.zeros(1)], [np.zeros(1)] * 3)


def test_sgd_momentum_outside_range_is_rejected():
    with pytest.raises(ValueError, match=r"momentum: expected a fraction in \[0, 1\], got 1\.5"):
        optimizers.SGD(momentum=1.5)


# --- the review's unclear and silent cases (appendix A of the nnlib review) -----------------------------------

@pytest.mark.parametrize("validation_data, got", [((X,), "tuple of length 1"), (X, "ndarray"),
                                                  ((X, Y_BINARY, None, None), "tuple of length 4")])
def test_validation_data_that_is_not_a_pair_or_triple_is_rejected(validation_data, got):  # F46, F47
    with pytest.raises(ValueError, match=rf"validation_data: expected a tuple \(x_val, y_val\) or "
                                         rf"\(x_val, y_val, sample_weight\), got a {got}"):
        binary_model().fit(X, Y_BINARY, verbose=0, validation_data=validation_data)


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "train_on_batch"])
def test_an_empty_model_is_rejected(method):  # F56, P04
    model = Sequential()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="the model has no layers"):
        call(model, method, X, Y_BINARY)


def test_a_metrics_string_is_rejected_with_the_list_form():  # C03 (Keras refuses it too)
    with pytest.raises(ValueError, match=r"metrics: expected a list such as \['accuracy'\], got 'accuracy'"):
        Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="mse", metrics="accuracy")


@pytest.mark.parametrize("result", [None, "0.5", np.ones(3)])
def test_a_metric_that_returns_no_number_per_batch_or_sample_is_rejected(result):  # C10
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[lambda y_true, y_pred: result])
    with pytest.raises(ValueError, match=r"metrics: '<lambda>' returned .*; expected a number or one number "
                                         r"per sample \(shape \(4,\)\)"):
        model.evaluate(X, Y_BINARY)


def test_values_beyond_the_float_range_are_named_as_such():  # F12
    with pytest.raises(ValueError, match=r"x: values up to 1e\+39 exceed the range of float32"):
        binary_model().fit(np.full((4, 2), 1e39), Y_BINARY, verbose=0)


@pytest.mark.parametrize("x, kind", [(X.astype(str), "strings"), (X + 1j, "complex numbers")])
def test_strings_and_complex_numbers_are_rejected(x, kind):  # F23, F28
    with pytest.raises(ValueError, match=rf"x: expected real numbers, got {kind}"):
        binary_model().fit(x, Y_BINARY, verbose=0)


def test_a_loss_function_given_strings_names_the_argument():  # L04
    with pytest.raises(ValueError, match=r"y_pred: expected real numbers, got an array of dtype <U1"):
        losses.mean_squared_error(np.zeros((2, 1)), np.array([["a"], ["b"]]))


@pytest.mark.parametrize("loss_class", [losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
                                        losses.SparseCategoricalCrossentropy])
def test_from_logits_must_be_a_boolean(loss_class):  # L07
    with pytest.raises(ValueError, match=r"from_logits: expected True or False, got 'no'"):
        loss_class(from_logits="no")


def test_huber_delta_must_be_positive():
    with pytest.raises(ValueError, match=r"delta: expected a positive number, got 0"):
        losses.Huber(delta=0)


def test_binary_accuracy_with_another_shape_names_both():  # M01
    with pytest.raises(ValueError, match=r"y_true: binary_accuracy expects the shape of y_pred \(4, 2\), got \(4,\)"):
        nnlib.metrics.binary_accuracy(Y_BINARY, np.full((4, 2), 0.7))


def test_categorical_accuracy_with_integer_labels_points_to_the_sparse_form():  # M03 (Keras is silently wrong)
    with pytest.raises(ValueError, match=r"categorical_accuracy expects one-hot rows .* use sparse_categorical_accuracy"):
        nnlib.metrics.categorical_accuracy(Y_SPARSE, Y_ONE_HOT)


def test_sparse_accuracy_with_one_hot_rows_points_to_the_categorical_form():  # M04 (Keras is silently wrong)
    with pytest.raises(ValueError, match=r"sparse_categorical_accuracy expects integer labels .* use "
                                         r"categorical_accuracy for one-hot rows"):
        nnlib.metrics.sparse_categorical_accuracy(Y_ONE_HOT, Y_ONE_HOT)


def test_accuracy_of_nan_predictions_is_rejected():  # M07
    with pytest.raises(ValueError, match=r"y_pred: expected finite numbers"):
        nnlib.metrics.accuracy(Y_BINARY, np.array([0.2, np.nan, 0.9, 0.1]))


def test_confusion_matrix_num_classes_must_be_an_integer():  # M08
    with pytest.raises(ValueError, match=r"num_classes: expected a positive integer, got '3'"):
        nnlib.metrics.confusion_matrix([0, 1], [1, 1], num_classes="3")


# --- sample and class weights ------------------------------------------------------------------------------------

@pytest.mark.parametrize("weights, message", [
    (np.ones(3), r"sample_weight: expected the same number of rows as x \(4\), got 3"),
    (np.ones((4, 2)), r"sample_weight: expected one weight per sample, shape \(4,\), got shape \(4, 2\)"),
    (np.array([1.0, -1.0, 1.0, 1.0]), r"sample_weight: expected weights >= 0, got values down to -1"),
    (np.array([1.0, np.nan, 1.0, 1.0]), r"sample_weight: expected finite numbers"),
])
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_bad_sample_weights_are_rejected(method, weights, message):
    model = binary_model()
    kwargs = {"verbose": 0} if method == "fit" else {}
    with pytest.raises(ValueError, match=message):
        getattr(model, method)(X, Y_BINARY, sample_weight=weights, **kwargs)


def test_bad_validation_sample_weights_are_named_as_validation_data():
    with pytest.raises(ValueError, match=r"validation_data\[2\]: expected the same number of rows as x \(4\), got 2"):
        binary_model().fit(X, Y_BINARY, verbose=0, validation_data=(X, Y_BINARY, [1.0, 1.0]))


@pytest.mark.parametrize("class_weight, message", [
    ([1.0, 2.0], r"class_weight: expected a dict such as \{0: 1.0, 1: 5.0\}, got list"),
    ({"0": 1.0}, r"class_weight: expected class numbers 0, 1, ... as keys, got '0'"),
    ({0: -1.0}, r"class_weight\[0\]: expected a weight >= 0, got -1.0"),
    ({1: float("nan")}, r"class_weight\[1\]: expected a weight >= 0, got nan"),
])
def test_bad_class_weights_are_rejected(class_weight, message):
    with pytest.raises(ValueError, match=message):
        binary_model().fit(X, Y_BINARY, verbose=0, class_weight=class_weight)


def test_sample_and_class_weights_together_are_rejected():  # as in Keras
    with pytest.raises(ValueError, match=r"class_weight: cannot be combined with sample_weight"):
        binary_model().fit(X, Y_BINARY, verbose=0, sample_weight=np.ones(4), class_weight={0: 2.0})


# --- float16 ----------------------------------------------------------------------------------------------------------

def test_binary_crossentropy_in_float16_is_finite_as_keras_loss_objects_are():  # review 4e
    y_true, y_pred = np.array([[0.0], [1.0]], np.float16), np.array([[1.0], [0.0]], np.float16)
    values = losses.binary_crossentropy(y_true, y_pred)
    gradient = losses.binary_crossentropy_gradient(y_true, y_pred)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(gradient))
    np.testing.assert_allclose(values, [-np.log(np.float32(1.0) - np.float32(1.0 - 1e-7)), -np.log(np.float32(1e-7))],
                               rtol=1e-6)


# =================================================================================================================
# nnlib-extras block (issue 10 item 6): the review's appendix-A cases in activations, optimizers, datasets,
# initializers and config, plus the new callbacks/optimizer features. Each case gets a clear ValueError, or
# is Keras's (and NumPy's) own documented behaviour, tested as such.
# =================================================================================================================

from nnlib import activations, datasets, initializers  # noqa: E402
from nnlib.callbacks import EarlyStopping  # noqa: E402
from nnlib.optimizers import schedules  # noqa: E402


@pytest.mark.parametrize("function", [activations.softmax, activations.relu, activations.sigmoid, activations.tanh,
                                      activations.step, activations.linear, activations.leaky_relu,
                                      activations.elu, activations.gelu, activations.silu, activations.softplus])
def test_activations_of_strings_name_the_dtype(function):  # A02, A05
    with pytest.raises(ValueError, match=r"x: expected an array of real numbers, got dtype <U1"):
        function(np.array(["a", "b"]))


def test_activation_of_complex_numbers_is_refused():
    with pytest.raises(ValueError, match=r"complex numbers have no order"):
        activations.relu(np.array([1 + 2j]))


def test_softmax_of_an_all_minus_inf_row_is_nan_as_in_numpy_and_keras():  # A03: documented
    with np.errstate(invalid="ignore"):
        assert np.all(np.isnan(activations.softmax(np.array([[-np.inf, -np.inf]]))))
    assert "all -inf" in activations.softmax.__doc__


def test_optimizer_apply_to_integer_params_is_refused():  # O10
    with pytest.raises(ValueError, match=r"params\[0\]: expected a float NumPy array \(it is updated in place\), "
                                         r"got an array of dtype int64"):
        optimizers.SGD().apply([np.array([1, 2])], [np.array([0.1, 0.2])])


def test_optimizer_apply_to_lists_is_refused():  # O12
    with pytest.raises(ValueError, match=r"params\[0\]: expected a float NumPy array .* got list"):
        optimizers.Adam().apply([[1.0, 2.0]], [np.array([0.1, 0.2])])
    with pytest.raises(ValueError, match=r"grads\[0\]: expected a NumPy array of numbers, got list"):
        optimizers.Adam().apply([np.zeros(2)], [[0.1, 0.2]])
    with pytest.raises(ValueError, match=r"params, grads: expected two lists of NumPy arrays, got ndarray"):
        optimizers.Adam().apply(np.zeros(2), [np.zeros(2)])


def test_optimizer_nan_gradient_propagates_as_documented():  # O11: Keras does the same
    param = np.array([1.0, 2.0])
    optimizers.SGD(0.1).apply([param], [np.array([np.nan, 1.0])])
    assert np.isnan(param[0]) and param[1] == pytest.approx(1.9)
    assert "NaN or infinite gradient" in optimizers.__doc__


def test_sgd_nesterov_must_be_a_bool():  # O03
    with pytest.raises(ValueError, match=r"nesterov: expected True or False, got 'False'"):
        optimizers.SGD(momentum=0.9, nesterov="False")
    with pytest.raises(ValueError, match=r"amsgrad: expected True or False, got 1"):
        optimizers.Adam(amsgrad=1)


def test_one_optimizer_object_cannot_train_two_models():  # F57, F58
    shared = optimizers.Adam()
    first = Sequential([Input((2,)), Dense(3), Dense(1)], name="first")
    first.compile(shared, "mse")
    first.compile(shared, "mse")  # recompiling the same model keeps it
    second = Sequential([Input((2,)), Dense(3), Dense(1)])
    with pytest.raises(ValueError, match=r"optimizer: this Adam object already trains the model 'first'.*"
                                         r"Create a new optimizer for each model"):
        second.compile(shared, "mse")


def test_optimizer_applied_to_other_shapes_names_both():  # F57 through apply
    adam = optimizers.Adam()
    adam.apply([np.zeros((3, 4))], [np.ones((3, 4))])
    with pytest.raises(ValueError, match=r"params: this Adam was built for parameters of shapes \[\(3, 4\)\].*"
                                         r"got shapes \[\(5, 4\)\].*create a new optimizer for each model"):
        adam.apply([np.zeros((5, 4))], [np.ones((5, 4))])


@pytest.mark.parametrize("kwargs, message", [
    ({"clipnorm": 1.0, "clipvalue": 0.5}, r"clipnorm, clipvalue, global_clipnorm: expected at most one of them"),
    ({"clipnorm": 0}, r"clipnorm: expected a positive number, got 0"),
    ({"clipvalue": -1.0}, r"clipvalue: expected a positive number"),
    ({"global_clipnorm": "1"}, r"global_clipnorm: expected a positive number"),
    ({"weight_decay": float("nan")}, r"weight_decay: expected a positive number"),
    ({"learning_rate": "0.1"}, r"learning_rate: expected a positive number"),
])
def test_optimizer_options_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimizers.SGD(**kwargs)


def test_adamw_needs_a_weight_decay():
    with pytest.raises(ValueError, match=r"weight_decay: AdamW expects a positive number such as 0.004, got None"):
        optimizers.AdamW(weight_decay=None)


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5), r"decay_steps: expected a positive"),
    (lambda: schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=-1), r"decay_rate: expected a positive"),
    (lambda: schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01]), r"boundaries: expected one fewer boundary"),
    (lambda: schedules.PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001]), r"boundaries: expected increasing"),
    (lambda: schedules.CosineDecay(0.1, decay_steps=10, alpha=2), r"alpha: expected a fraction in \[0, 1\]"),
    (lambda: schedules.CosineDecay(0.1, decay_steps=10, warmup_target=0.5), r"warmup_steps: expected a positive"),
    (lambda: schedules.CosineDecay(0.1, decay_steps=10)(-1), r"step: expected a non-negative step count"),
])
def test_schedule_arguments_are_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_schedule_driven_rate_cannot_be_set_as_in_keras():
    optimizer = optimizers.SGD(schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match=r"learning_rate: this optimizer was created with a learning-rate schedule"):
        optimizer.learning_rate = 0.01


def test_spirals_noise_and_turns_must_be_finite_numbers():  # DS11, DS12
    with pytest.raises(ValueError, match=r"noise: expected a number >= 0, got 'a'"):
        datasets.spirals(noise="a")
    with pytest.raises(ValueError, match=r"turns: expected a finite number of turns such as 1.25, got nan"):
        datasets.spirals(turns=float("nan"))
    with pytest.raises(ValueError, match=r"seed: expected None, a non-negative integer or a numpy Generator"):
        datasets.spirals(seed="x")


def test_train_test_split_refuses_nan_labels():  # DS09
    with pytest.raises(ValueError, match=r"y: expected finite numbers, found 1 NaN or inf value\(s\), "
                                         r"the first at index \(2,\)"):
        datasets.train_test_split(np.zeros((5, 2)), np.array([0.0, 1.0, np.nan, 0.0, 1.0]))


@pytest.mark.parametrize("function", [initializers.glorot_uniform, initializers.he_normal,
                                      initializers.random_normal, initializers.zeros, initializers.ones])
@pytest.mark.parametrize("shape", [(0, 3), (3, -1), "3", (2.5, 3), ()])
def test_initializers_name_a_bad_shape(function, shape):
    with pytest.raises(ValueError, match=r"shape: expected a tuple of positive integers such as \(3, 4\)"):
        function(shape)


@pytest.mark.parametrize("kwargs, message", [({"stddev": -1.0}, r"stddev: expected a number >= 0"),
                                             ({"mean": float("nan")}, r"mean: expected a finite number")])
def test_random_normal_checks_its_moments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.random_normal((2, 2), **kwargs)


def test_initializer_fans_of_a_convolution_kernel_follow_keras():
    # Keras: fan_in = in_channels * receptive field, fan_out = out_channels * receptive field
    kernel = initializers.glorot_uniform((3, 3, 2, 4), seed=0)
    limit = np.sqrt(6.0 / (2 * 9 + 4 * 9))
    assert kernel.shape == (3, 3, 2, 4) and np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit


@pytest.mark.parametrize("value", ["float8", np.float32, None, "Float32"])
def test_set_floatx_names_the_allowed_types(value):
    with pytest.raises(ValueError, match=r"set_floatx: expected one of \('float16', 'float32', 'float64'\)"):
        nnlib.set_floatx(value)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_set_random_seed_needs_a_non_negative_integer(seed):
    with pytest.raises(ValueError, match=r"seed: expected a non-negative integer"):
        nnlib.set_random_seed(seed)


def test_fit_refuses_a_bare_callback_and_early_stopping_refuses_a_typo_in_mode():
    with pytest.raises(ValueError, match=r"callbacks: expected a list of callbacks, got a single EarlyStopping"):
        binary_model().fit(X, Y_BINARY, verbose=0, callbacks=EarlyStopping(monitor="loss"))
    with pytest.raises(ValueError, match=r"mode: expected 'auto', 'min' or 'max', got 'minimum'"):
        EarlyStopping(mode="minimum")


# --- nnlib.gradients (review defect 12; appendix A cases G02, G04, G06, G07, G08) ---------------

def test_numerical_gradient_of_a_function_that_returns_an_array_says_so():
    with pytest.raises(ValueError, match=r"^f: expected a function that returns one number .* shape \(2,\)"):
        nnlib.gradients.numerical_gradient(lambda x: x * 2, np.array([1.0, 2.0]))


@pytest.mark.parametrize("h", [0, -1e-5, float("nan"), "1e-5", True])
def test_check_gradients_needs_a_positive_step(h):
    model = nnlib.Sequential([nnlib.Input((2,)), nnlib.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"^h: expected a positive number"):
        nnlib.gradients.check_gradients(model, np.ones((3, 2)), np.array([0, 1, 1]), h=h)


@pytest.mark.parametrize("rate", ["0.1", None, 0, float("inf")])
def test_gradient_descent_needs_a_positive_learning_rate(rate):
    with pytest.raises(ValueError, match=r"^learning_rate: expected a positive number"):
        nnlib.gradients.gradient_descent(lambda x: 2 * x, np.array([1.0]), learning_rate=rate)


def test_gradient_descent_refuses_a_gradient_of_another_shape():
    with pytest.raises(ValueError, match=r"^grad_f: expected a gradient of the shape of x0 \(2,\), got shape \(1,\)"):
        nnlib.gradients.gradient_descent(lambda x: np.array([1.0]), np.array([1.0, 1.0]), steps=2)


def test_check_gradients_on_an_unbuilt_model_leaves_its_weights_in_floatx():
    model = nnlib.Sequential([nnlib.Dense(2, activation="tanh"), nnlib.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    errors = nnlib.gradients.check_gradients(model, np.ones((3, 2)), np.array([0, 1, 1]))
    assert max(errors.values()) < 1e-6
    assert {w.dtype for w in model.get_weights()} == {np.dtype(nnlib.floatx())}
