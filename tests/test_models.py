"""Unit tests of nnlib.models.Sequential (chapter 7, Training a network; chapter 10 maps it to Keras)."""
import numpy as np
import pytest

import nnlib
from nnlib import losses, optimizers
from nnlib.layers import Activation, Dense, Input
from nnlib.models import History, Sequential

AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([0.0, 0.0, 0.0, 1.0])


pytestmark = pytest.mark.usefixtures("fresh_library_state")  # see conftest.py


def two_three_one(activation="sigmoid"):
    return Sequential([Input((2,)), Dense(3, activation="relu"), Dense(1, activation=activation)])


def logistic_model(learning_rate=0.1, metrics=("accuracy",)):
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=learning_rate), loss="binary_crossentropy",
                  metrics=list(metrics))
    return model


def blobs(n_per_class=30, seed=0):
    """Three well-separated Gaussian blobs in 2-D with integer labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    x = np.concatenate([c + 0.5 * rng.normal(size=(n_per_class, 2)) for c in centres])
    y = np.repeat(np.arange(3), n_per_class)
    return x, y


def frozen_model(n_features=1, loss="mse", metrics=None):
    """A model whose weights do not move in float32 (learning rate 1e-30), so fit's bookkeeping can be checked."""
    model = Sequential([Input((n_features,)), Dense(1, kernel_initializer="ones", bias_initializer="ones")])
    model.compile(optimizer=optimizers.SGD(learning_rate=1e-30), loss=loss, metrics=metrics)
    return model


# --- building, naming, counting -------------------------------------------------------------------------------

def test_sequential_with_input_builds_at_once():
    model = two_three_one()
    assert model.built
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3, 1), (1,)]


def test_sequential_without_input_builds_on_first_predict():
    model = Sequential([Dense(3), Dense(1)])
    assert not model.built
    assert model.predict(np.ones((4, 5))).shape == (4, 1)
    assert model.built and model.layers[0].kernel.shape == (5, 3)


def test_add_builds_each_layer_once_an_input_was_given():
    model = Sequential()
    model.add(Input((4,)))
    model.add(Dense(2))
    assert model.layers[0].kernel.shape == (4, 2)
    model.add(Dense(5))
    assert model.layers[1].kernel.shape == (2, 5)


def test_build_creates_weights_for_the_given_feature_count():
    model = Sequential([Dense(3), Dense(2)])
    model.build(6)
    assert [w.shape for w in model.get_weights()] == [(6, 3), (3,), (3, 2), (2,)]


def test_layer_names_are_dense_dense_1_dense_2():
    model = Sequential([Input((2,)), Dense(3), Dense(3), Activation("relu"), Dense(1)])
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "activation", "dense_2"]


def test_default_names_are_keras_snake_case():
    from nnlib.layers import AveragePooling2D, Conv2D, Flatten, MaxPooling2D
    from nnlib.models import snake_case
    model = Sequential([Input((8, 8, 1)), Conv2D(2, 3), MaxPooling2D(), Conv2D(2, 1), AveragePooling2D(1), Flatten()])
    assert [layer.name for layer in model.layers] == ["conv2d", "max_pooling2d", "conv2d_1", "average_pooling2d",
                                                      "flatten"]
    assert snake_case("BatchNormalization") == "batch_normalization"


def test_explicit_layer_names_are_kept():
    model = Sequential([Input((2,)), Dense(3, name="hidden"), Dense(1)])
    assert [layer.name for layer in model.layers] == ["hidden", "dense"]


def test_count_params_of_a_2_3_1_network_is_13():
    # (2 * 3 + 3) + (3 * 1 + 1) = 9 + 4.
    assert two_three_one().count_params() == 13


def test_count_params_without_bias_and_with_an_activation_layer():
    model = Sequential([Input((4,)), Dense(5, use_bias=False), Activation("tanh"), Dense(2)])
    assert model.count_params() == 4 * 5 + 5 * 2 + 2


def test_summary_prints_names_shapes_counts_and_the_total(capsys):
    model = Sequential([Input((2,)), Dense(3, activation="relu"), Dense(1, activation="sigmoid")], name="tiny")
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "tiny"' in out
    lines = out.splitlines()
    dense_row = next(line for line in lines if "dense (Dense)" in line)
    assert "(None, 3)" in dense_row and dense_row.rstrip(" |").endswith("9")
    dense_1_row = next(line for line in lines if "dense_1 (Dense)" in line)
    assert "(None, 1)" in dense_1_row and dense_1_row.rstrip(" |").endswith("4")
    assert "Total params: 13" in out


def test_summary_formats_large_counts_with_thousands_separators(capsys):
    Sequential([Input((784,)), Dense(128)]).summary()
    assert "Total params: 100,480" in capsys.readouterr().out


def test_input_must_come_first():
    model = Sequential([Dense(2)])
    with pytest.raises(ValueError, match="layer: an Input must come first"):
        model.add(Input((3,)))


def test_add_rejects_something_that_is_not_a_layer():
    with pytest.raises(ValueError, match=r"layer: expected an nnlib layer such as Dense\(3\), got str"):
        Sequential([Input((2,)), "dense"])


# --- weights ---------------------------------------------------------------------------------------------------------

def test_get_weights_order_is_w1_b1_w2_b2():
    model = two_three_one()
    weights = model.get_weights()
    first, second = model.layers
    for got, expected in zip(weights, [first.kernel, first.bias, second.kernel, second.bias]):
        np.testing.assert_array_equal(got, expected)


def test_set_weights_round_trip_changes_predictions_to_match():
    source, target = two_three_one(), two_three_one()
    assert not np.allclose(source.predict(AND_X), target.predict(AND_X))
    target.set_weights(source.get_weights())
    np.testing.assert_array_equal(target.predict(AND_X), source.predict(AND_X))
    for a, b in zip(target.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_get_weights_returns_copies():
    model = two_three_one()
    model.get_weights()[0][...] = 7.0
    assert not np.any(model.layers[0].kernel == 7.0)


def test_set_weights_copies_its_input():
    model = two_three_one()
    weights = [np.ones_like(w) for w in model.get_weights()]
    model.set_weights(weights)
    weights[0][...] = 5.0
    np.testing.assert_array_equal(model.layers[0].kernel, 1.0)


def test_set_weights_keeps_the_model_dtype():
    model = two_three_one()
    model.set_weights([w.astype(np.float64) for w in model.get_weights()])
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_failed_set_weights_changes_nothing():
    model = two_three_one()
    before = model.get_weights()
    bad = [np.ones((2, 3)), np.ones(3), np.ones((3, 1)), np.ones(2)]  # last shape wrong
    with pytest.raises(ValueError):
        model.set_weights(bad)
    for got, expected in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, expected)


def test_set_weights_by_hand_gives_the_hand_computed_forward_pass():
    # Chapter 3: inputs (2, 3); hidden ReLU nodes with weights [2, 4] and [4, -5]; output weights [2, 7].
    model = Sequential([Input((2,)), Dense(2, activation="relu"), Dense(1)])
    model.set_weights([np.array([[2.0, 4.0], [4.0, -5.0]]), np.zeros(2), np.array([[2.0], [7.0]]), np.zeros(1)])
    # node_0 = relu(2*2 + 3*4) = 16, node_1 = relu(2*4 - 3*5) = 0, output = 2*16 + 7*0 = 32.
    np.testing.assert_allclose(model.predict(np.array([[2.0, 3.0]])), [[32.0]])


# --- compile, fit, evaluate, predict -------------------------------------------------------------------------------------

def test_compile_accepts_names_objects_and_loss_objects():
    model = two_three_one(activation=None)
    adam = optimizers.Adam(learning_rate=0.01)
    model.compile(optimizer=adam, loss=losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    assert model.optimizer is adam
    assert isinstance(model.loss, losses.BinaryCrossentropy) and model.loss.from_logits
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.optimizer, optimizers.SGD) and isinstance(model.loss, losses.MeanSquaredError)


def test_fit_decreases_the_loss_and_learns_and(capsys):
    model = logistic_model(learning_rate=0.1)
    history = model.fit(AND_X, AND_Y, epochs=300, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    assert model.evaluate(AND_X, AND_Y)[1] == 1.0
    np.testing.assert_array_equal((model.predict(AND_X)[:, 0] > 0.5).astype(float), AND_Y)
    assert capsys.readouterr().out == ""


def test_fit_separates_three_blobs_with_softmax_and_sparse_labels():
    x, y = blobs()
    model = Sequential([Input((2,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.optimizer.learning_rate = 0.05
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    loss, accuracy = model.evaluate(x, y)
    assert accuracy == 1.0
    np.testing.assert_array_equal(np.argmax(model.predict(x), axis=1), y)


def test_fit_with_one_hot_labels_and_categorical_crossentropy_learns_blobs():
    x, y = blobs(seed=1)
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5, momentum=0.5), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, np.eye(3)[y], epochs=30, batch_size=10, verbose=0, seed=1)
    assert history.history["accuracy"][-1] == 1.0


def test_fit_returns_a_history_with_one_entry_per_epoch():
    model = logistic_model()
    history = model.fit(AND_X, AND_Y, epochs=5, verbose=0)
    assert isinstance(history, History)
    assert history.epoch == [0, 1, 2, 3, 4]
    assert list(history.history) == ["loss", "accuracy"]
    assert all(len(values) == 5 for values in history.history.values())


def test_fit_is_deterministic_for_a_seed():
    def run():
        nnlib.set_random_seed(123)
        x, y = blobs(seed=2)
        model = Sequential([Input((2,)), Dense(4, activation="tanh"), Dense(3, activation="softmax")])
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model.fit(x, y, epochs=4, batch_size=8, verbose=0).history, model.get_weights()

    (history_a, weights_a), (history_b, weights_b) = run(), run()
    assert history_a == history_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)


def test_fit_seed_argument_fixes_the_shuffling():
    x, y = blobs(seed=3)
    start = Sequential([Input((2,)), Dense(3, activation="softmax")])
    results = []
    for seed in (5, 5, 6):
        model = Sequential([Input((2,)), Dense(3, activation="softmax")])
        model.set_weights(start.get_weights())
        model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
        results.append(model.fit(x, y, epochs=2, batch_size=7, verbose=0, seed=seed).history["loss"])
    assert results[0] == results[1]
    assert results[0] != results[2]


def test_shuffle_false_makes_fit_independent_of_the_seed():
    x, y = blobs(seed=4)
    start = Sequential([Input((2,)), Dense(3, activation="softmax")])
    results = []
    for seed in (1, 2):
        model = Sequential([Input((2,)), Dense(3, activation="softmax")])
        model.set_weights(start.get_weights())
        model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
        results.append(model.fit(x, y, epochs=2, batch_size=7, shuffle=False, verbose=0, seed=seed).history)
    assert results[0] == results[1]


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    # Frozen weights: the epoch loss must equal the loss over all samples, even with a short last batch.
    x = np.array([[0.0], [1.0], [2.0], [3.0], [10.0]])
    y = np.zeros(5)
    model = frozen_model()
    history = model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x, y), rel=1e-6)
    # (1 + 4 + 9 + 16 + 121) / 5 = 30.2, while the unweighted mean of batch means would be 63.
    assert history.history["loss"][0] == pytest.approx(30.2, rel=1e-6)


def test_full_batch_epoch_loss_is_the_loss_before_the_step():
    model = logistic_model()
    before = model.evaluate(AND_X, AND_Y)[0]
    history = model.fit(AND_X, AND_Y, epochs=1, batch_size=4, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-6)
    assert model.evaluate(AND_X, AND_Y)[0] < before


def test_history_has_val_loss_and_val_accuracy_with_validation_data():
    x, y = blobs(seed=5)
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:60], y[:60], validation_data=(x[60:], y[60:]), epochs=3, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    val_loss, val_accuracy = model.evaluate(x[60:], y[60:])
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_accuracy)


def test_history_has_val_loss_and_val_accuracy_with_validation_split():
    x, y = blobs(seed=6)
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, validation_split=0.2, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 2 for values in history.history.values())


def test_validation_split_holds_out_the_last_samples():
    x = np.arange(10.0).reshape(-1, 1)
    y = np.zeros(10)
    model = frozen_model()
    history = model.fit(x, y, validation_split=0.2, epochs=1, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[8:], y[8:]), rel=1e-6)
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x[:8], y[:8]), rel=1e-6)


def test_validation_split_takes_the_same_samples_as_keras():
    x = np.arange(5.0).reshape(-1, 1)
    y = np.zeros(5)
    model = frozen_model()
    history = model.fit(x, y, validation_split=0.3, epochs=1, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[3:], y[3:]), rel=1e-6)


def test_validation_data_is_not_trained_on():
    x, y = blobs(seed=7)
    model = frozen_model(n_features=2, loss="mse")
    reference = model.get_weights()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.01), loss="mse")
    model.fit(x[:5], y[:5], validation_data=(x[5:], y[5:]), epochs=1, batch_size=5, shuffle=False, verbose=0)
    # One full-batch step from the same start on x[:5] alone gives the same weights.
    alone = frozen_model(n_features=2, loss="mse")
    alone.set_weights(reference)
    alone.compile(optimizer=optimizers.SGD(learning_rate=0.01), loss="mse")
    alone.train_on_batch(x[:5], y[:5])
    for a, b in zip(model.get_weights(), alone.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_epoch_metrics_are_sample_weighted_over_batches():
    x = np.array([[-1.0], [-2.0], [1.0], [2.0], [-3.0]])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
    model = Sequential([Input((1,)), Dense(1, activation="sigmoid", kernel_initializer="ones")])
    model.compile(optimizer=optimizers.SGD(learning_rate=1e-30), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, batch_size=2, shuffle=False, verbose=0)
    # Predictions are x > 0: right on samples 0, 2, 3, 4 -> 4/5 (batch means 1/2, 1, 1 would average 5/6).
    assert history.history["accuracy"][0] == pytest.approx(0.8)


def test_train_on_batch_returns_the_pre_step_loss():
    model = logistic_model(metrics=())
    before = model.evaluate(AND_X, AND_Y)
    loss = model.train_on_batch(AND_X, AND_Y)
    assert isinstance(loss, float)
    assert loss == pytest.approx(before, rel=1e-6)
    assert model.evaluate(AND_X, AND_Y) < before


def test_train_on_batch_with_metrics_returns_pre_step_loss_and_metrics():
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[1.0], [-1.0]]), np.array([0.2])])  # right on 2 of the 4 AND samples
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy", metrics=["accuracy"])
    before = model.evaluate(AND_X, AND_Y)
    result = model.train_on_batch(AND_X, AND_Y)
    assert result[0] == pytest.approx(before[0], rel=1e-6)
    assert result[1] == before[1] == 0.5


def test_train_on_batch_takes_one_optimizer_step():
    model = logistic_model(metrics=())
    model.train_on_batch(AND_X, AND_Y)
    model.train_on_batch(AND_X, AND_Y)
    assert model.optimizer.iterations == 2


def test_evaluate_returns_loss_and_accuracy_with_metrics():
    model = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[1.0], [1.0]]), np.array([-1.5])])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    loss, accuracy = model.evaluate(AND_X, AND_Y)
    p = 1.0 / (1.0 + np.exp(-(AND_X.sum(axis=1) - 1.5)))
    expected = np.mean(-(AND_Y * np.log(p) + (1 - AND_Y) * np.log(1 - p)))
    assert loss == pytest.approx(expected, rel=1e-5)
    assert accuracy == 1.0


def test_evaluate_returns_a_float_without_metrics():
    model = logistic_model(metrics=())
    assert isinstance(model.evaluate(AND_X, AND_Y), float)


def test_evaluate_verbose_prints_the_logs(capsys):
    model = logistic_model()
    model.evaluate(AND_X, AND_Y, verbose=1)
    assert capsys.readouterr().out.startswith("loss: ")


def test_predict_with_batch_size_equals_predict():
    x, _ = blobs(seed=8)
    model = Sequential([Input((2,)), Dense(5, activation="tanh"), Dense(3, activation="softmax")])
    np.testing.assert_allclose(model.predict(x, batch_size=7), model.predict(x), rtol=1e-6)
    assert model.predict(x, batch_size=7).shape == (90, 3)


def test_predict_does_not_need_compile_and_calling_the_model_is_predict():
    model = two_three_one()
    np.testing.assert_array_equal(model(AND_X), model.predict(AND_X))


def test_predict_accepts_lists():
    model = two_three_one()
    np.testing.assert_array_equal(model.predict([[0.0, 1.0]]), model.predict(np.array([[0.0, 1.0]])))


def test_forward_and_backward_give_numerical_gradients():
    nnlib.set_floatx("float64")
    model = Sequential([Input((2,)), Dense(3, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    errors = nnlib.gradients.check_gradients(model, AND_X, AND_Y.reshape(-1, 1))
    assert set(errors) == {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}
    assert max(errors.values()) < 1e-7


# --- progress output -----------------------------------------------------------------------------------------------------

def test_verbose_1_prints_one_line_per_epoch_when_stdout_is_not_a_terminal(capsys):
    model = logistic_model()
    model.fit(AND_X, AND_Y, epochs=3, batch_size=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {epoch}/3")
        assert "2/2" in line and "loss: " in line and "accuracy: " in line


def test_verbose_1_shows_validation_logs(capsys):
    model = logistic_model()
    model.fit(AND_X, AND_Y, epochs=1, validation_data=(AND_X, AND_Y), verbose=1)
    assert "val_loss: " in capsys.readouterr().out


def test_verbose_0_prints_nothing(capsys):
    model = logistic_model()
    model.fit(AND_X, AND_Y, epochs=3, verbose=0, validation_split=0.5)
    model.evaluate(AND_X, AND_Y)
    model.predict(AND_X)
    assert capsys.readouterr().out == ""


# --- float type ----------------------------------------------------------------------------------------------------------------

def test_float64_via_set_floatx_keeps_float64_parameters_through_training():
    nnlib.set_floatx("float64")
    model = Sequential([Input((2,)), Dense(3, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(AND_X, AND_Y, epochs=3, batch_size=2, verbose=0)
    assert all(w.dtype == np.float64 for w in model.get_weights())
    assert model.predict(AND_X).dtype == np.float64


def test_default_float32_keeps_float32_parameters_and_predictions():
    model = Sequential([Input((2,)), Dense(3, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(AND_X, AND_Y, epochs=3, batch_size=2, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(AND_X).dtype == np.float32
