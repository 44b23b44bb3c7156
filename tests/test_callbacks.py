"""nnlib.callbacks: the hooks fit calls, and EarlyStopping / LearningRateScheduler against Keras 3 (JAX).

The Keras tests train the same network (nnlib's weights copied into Keras) on a small seeded
problem that overfits, with ``shuffle=False``, and require the same stopping epoch, the same best
epoch, the same history and the same final (restored) weights.
"""
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.callbacks import Callback, EarlyStopping, History, LearningRateScheduler  # noqa: E402

TOLERANCE = 1e-5


def overfitting_problem(seed):
    """12 noisy training samples and 20 clean validation samples of y = sin(2 x1): val_loss turns up."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(12, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + 0.5 * rng.normal(size=(12, 1))).astype(np.float32)
    x_val = rng.normal(size=(20, 2)).astype(np.float32)
    y_val = np.sin(2 * x_val[:, :1]).astype(np.float32)
    return x, y, x_val, y_val


def small_model(seed, learning_rate=0.2, momentum=0.0):
    nnlib.set_random_seed(seed)
    model = nnlib.Sequential([nnlib.Input((2,)), nnlib.layers.Dense(16, "tanh"), nnlib.layers.Dense(1)])
    model.compile(nnlib.optimizers.SGD(learning_rate, momentum=momentum), "mse")
    return model


# ---------------------------------------------------------------------------------------------
# The hooks themselves (no Keras)


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_batch_end(self, batch, logs=None):
        self.calls.append(f"batch_end {batch} {sorted(logs)}")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_fit_calls_the_hooks_in_keras_order():
    x, y, x_val, y_val = overfitting_problem(0)
    model = small_model(0)
    recorder = Recorder()
    history = model.fit(x, y, epochs=2, batch_size=5, verbose=0, validation_data=(x_val, y_val), callbacks=[recorder])
    batches = [f"batch_end {i} ['loss']" for i in range(3)]
    assert recorder.calls == (["train_begin", "epoch_begin 0", *batches, "epoch_end 0 ['loss', 'val_loss']",
                               "epoch_begin 1", *batches, "epoch_end 1 ['loss', 'val_loss']", "train_end"])
    assert recorder.model is model and recorder.params == {"epochs": 2, "steps": 3, "verbose": 0}
    assert isinstance(history, History) and model.history is history and history.epoch == [0, 1]


def test_history_is_still_importable_from_models():
    assert nnlib.models.History is History


def test_stop_training_in_a_batch_ends_the_epoch_early():
    class StopAfterTwoBatches(Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    x, y, _, _ = overfitting_problem(0)
    model = small_model(0)
    history = model.fit(x, y, epochs=5, batch_size=4, verbose=0, shuffle=False, callbacks=[StopAfterTwoBatches()])
    assert history.epoch == [0]
    # the epoch's loss is the mean over the 8 samples that were trained on, as Keras reports it
    reference = small_model(0)
    losses = [reference.train_on_batch(x[i:i + 4], y[i:i + 4]) for i in (0, 4)]
    assert history.history["loss"][0] == pytest.approx(np.mean(losses), rel=1e-6)


def test_a_later_fit_starts_again():
    model = small_model(0)
    model.stop_training = True
    x, y, _, _ = overfitting_problem(0)
    assert model.fit(x, y, epochs=2, verbose=0).epoch == [0, 1]


@pytest.mark.parametrize("bad, message", [
    (EarlyStopping(), "wrap it in a list"),
    (["early"], r"callbacks\[0\]: expected an nnlib.callbacks.Callback"),
])
def test_bad_callbacks_are_refused(bad, message):
    x, y, _, _ = overfitting_problem(0)
    with pytest.raises(ValueError, match=message):
        small_model(0).fit(x, y, verbose=0, callbacks=bad)


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "maximum"}, "mode: expected 'auto', 'min' or 'max'"),
    ({"patience": -1}, "patience: expected a non-negative integer"),
    ({"patience": 1.5}, "patience: expected a non-negative integer"),
    ({"min_delta": "0.1"}, "min_delta: expected a finite number"),
    ({"baseline": float("nan")}, "baseline: expected a finite number"),
    ({"monitor": None}, "monitor: expected the name"),
    ({"start_from_epoch": -2}, "start_from_epoch: expected a non-negative integer"),
])
def test_early_stopping_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**kwargs)


def test_early_stopping_needs_a_mode_for_an_unknown_monitor():
    x, y, _, _ = overfitting_problem(0)
    with pytest.raises(ValueError, match="mode='max' or mode='min'"):
        small_model(0).fit(x, y, verbose=0, callbacks=[EarlyStopping(monitor="f1")])


def test_early_stopping_warns_when_the_monitor_is_missing():
    x, y, _, _ = overfitting_problem(0)
    with pytest.warns(UserWarning, match="'val_loss', which is not in the logs. Available: loss"):
        history = small_model(0).fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])
    assert history.epoch == [0, 1]


def test_scheduler_rejects_a_bad_schedule():
    x, y, _, _ = overfitting_problem(0)
    with pytest.raises(ValueError, match="schedule: expected a function"):
        LearningRateScheduler(0.1)
    with pytest.raises(ValueError, match="schedule: expected it to return a positive float for epoch 0, got None"):
        small_model(0).fit(x, y, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: None)])


def test_scheduler_accepts_the_one_argument_form():
    x, y, _, _ = overfitting_problem(0)
    model = small_model(0)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


# ---------------------------------------------------------------------------------------------
# Against Keras 3 on JAX

keras = pytest.importorskip("keras")
if keras.backend.backend() != "jax":
    pytest.skip(f"Keras was already imported with the {keras.backend.backend()!r} backend",
                allow_module_level=True)
keras_filter = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


def keras_twin(model, learning_rate=0.2, momentum=0.0):
    twin = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(1)])
    twin.set_weights(model.get_weights())
    twin.compile(keras.optimizers.SGD(learning_rate, momentum=momentum), "mse")
    return twin


def max_difference(ours, theirs):
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
               for a, b in zip(ours, theirs))


EARLY_STOPPING_CASES = {
    "patience 3, restore best": dict(patience=3, restore_best_weights=True),
    "patience 0, no restore": dict(patience=0),
    "min_delta 0.02, patience 1, restore": dict(min_delta=0.02, patience=1, restore_best_weights=True),
    "baseline not beaten, restore": dict(patience=2, baseline=0.05, restore_best_weights=True),
    "start_from_epoch 3, monitor loss": dict(monitor="loss", patience=1, start_from_epoch=3, mode="min",
                                             restore_best_weights=True),
}


@keras_filter
@pytest.mark.parametrize("case", list(EARLY_STOPPING_CASES))
def test_early_stopping_agrees_with_keras(case):
    kwargs = EARLY_STOPPING_CASES[case]
    seed = 1
    x, y, x_val, y_val = overfitting_problem(seed)
    ours = small_model(seed)
    theirs = keras_twin(ours)
    fit_args = dict(epochs=25, batch_size=4, shuffle=False, validation_data=(x_val, y_val), verbose=0)
    our_stopper, their_stopper = EarlyStopping(**kwargs), keras.callbacks.EarlyStopping(**kwargs)
    our_history = ours.fit(x, y, callbacks=[our_stopper], **fit_args)
    their_history = theirs.fit(x, y, callbacks=[their_stopper], **fit_args)

    assert our_history.epoch == their_history.epoch, case
    assert our_stopper.stopped_epoch == their_stopper.stopped_epoch
    assert our_stopper.best_epoch == their_stopper.best_epoch
    assert our_stopper.wait == their_stopper.wait
    for key in ("loss", "val_loss"):
        assert max_difference([our_history.history[key]], [their_history.history[key]]) <= TOLERANCE
    assert max_difference(ours.get_weights(), theirs.get_weights()) <= TOLERANCE
    if case == "patience 3, restore best":  # the case is not trivial: it stopped, and rolled back
        assert 0 < our_stopper.best_epoch < our_stopper.stopped_epoch < 24
        moved = small_model(seed)
        moved.fit(x, y, **{**fit_args, "epochs": our_stopper.stopped_epoch + 1})
        assert max_difference(moved.get_weights(), ours.get_weights()) > 1e-3


@keras_filter
def test_learning_rate_scheduler_agrees_with_keras():
    def schedule(epoch, learning_rate):
        return learning_rate if epoch < 2 else learning_rate * 0.5

    x, y, x_val, y_val = overfitting_problem(2)
    ours = small_model(2, learning_rate=0.1, momentum=0.5)
    theirs = keras_twin(ours, learning_rate=0.1, momentum=0.5)
    fit_args = dict(epochs=5, batch_size=5, shuffle=False, verbose=0)
    our_history = ours.fit(x, y, callbacks=[LearningRateScheduler(schedule)], **fit_args)
    their_history = theirs.fit(x, y, callbacks=[keras.callbacks.LearningRateScheduler(schedule)], **fit_args)
    assert sorted(our_history.history) == sorted(their_history.history) == ["learning_rate", "loss"]
    np.testing.assert_allclose(our_history.history["learning_rate"], [0.1, 0.1, 0.05, 0.025, 0.0125], rtol=1e-6)
    np.testing.assert_allclose(our_history.history["learning_rate"], their_history.history["learning_rate"],
                               rtol=1e-6)
    assert max_difference([our_history.history["loss"]], [their_history.history["loss"]]) <= TOLERANCE
    assert max_difference(ours.get_weights(), theirs.get_weights()) <= TOLERANCE


@keras_filter
def test_early_stopping_on_val_accuracy_maximises_as_in_keras():
    """mode="auto" with an accuracy: Keras maximises it; ties do not count as improvements."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 2)).astype(np.float32)
    y = ((x[:, 0] + 0.8 * rng.normal(size=16)) > 0).astype(np.float32)
    x_val = rng.normal(size=(30, 2)).astype(np.float32)
    y_val = (x_val[:, 0] > 0).astype(np.float32)
    nnlib.set_random_seed(4)
    ours = nnlib.Sequential([nnlib.Input((2,)), nnlib.layers.Dense(8, "tanh"), nnlib.layers.Dense(1, "sigmoid")])
    theirs = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                               keras.layers.Dense(1, activation="sigmoid")])
    theirs.set_weights(ours.get_weights())
    ours.compile(nnlib.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
    theirs.compile(keras.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
    kwargs = dict(monitor="val_accuracy", patience=2, restore_best_weights=True)
    our_stopper, their_stopper = EarlyStopping(**kwargs), keras.callbacks.EarlyStopping(**kwargs)
    fit_args = dict(epochs=30, batch_size=4, shuffle=False, validation_data=(x_val, y_val), verbose=0)
    our_history = ours.fit(x, y, callbacks=[our_stopper], **fit_args)
    their_history = theirs.fit(x, y, callbacks=[their_stopper], **fit_args)
    assert our_history.epoch == their_history.epoch
    assert 0 < our_stopper.stopped_epoch == their_stopper.stopped_epoch
    assert our_stopper.best_epoch == their_stopper.best_epoch
    assert our_stopper.best == pytest.approx(max(our_history.history["val_accuracy"]))
    np.testing.assert_allclose(our_history.history["val_accuracy"], their_history.history["val_accuracy"], atol=1e-6)
    assert max_difference(ours.get_weights(), theirs.get_weights()) <= TOLERANCE
