"""Chapter 10, From nnlib to Keras: the agreement the chapter prints, asserted on the chapter's model and data.

The chapter builds the 64-32-10 digit classifier (ReLU hidden layer, softmax output) in nnlib with
``nnlib.set_random_seed(10)``, copies its weights into the same model written with Keras's Functional API,
and shows that (1) the predictions on the test images, (2) the weights after three SGD steps and (3) the
weights after three Adam steps agree to within 1e-5 (one Adam step from zero moments cannot reveal beta_1),
and (4) that from saturated outputs (an output bias of +40) neither library moves on probabilities, while
both take the same step from logits. The data are the 8x8 digits split 60/20/20 (stratified,
seed 0) with pixels divided by 16, exactly as in chapters 9 and 10. If this file fails, the chapter's
printed agreement is no longer true.
"""
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")
pytest.importorskip("sklearn")  # the digits are read from scikit-learn's bundled copy

import nnlib  # noqa: E402
from nnlib import datasets  # noqa: E402
from nnlib.layers import Dense  # noqa: E402

if keras.backend.backend() != "jax":
    pytest.skip(f"Keras was already imported with the {keras.backend.backend()!r} backend", allow_module_level=True)

TOLERANCE = 1e-5
NNLIB_SEED = 10   # the chapter's digits_nnlib_model(seed=10)
BATCH_SIZE = 32   # the chapter's comparison takes one step on each of the first three batches of 32 images
N_STEPS = 3


@pytest.fixture(scope="module")
def digits_split():
    """(x_train, onehot_train, x_test) of the chapter: 60/20/20 stratified split, seed 0, pixels / 16."""
    digits = datasets.load_digits()
    x_rest, x_test, y_rest, _ = datasets.train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, stratify=True, seed=0)
    x_train, _, y_train, _ = datasets.train_test_split(x_rest, y_rest, test_size=0.25, stratify=True, seed=0)
    return x_train, datasets.one_hot(y_train, 10), x_test


def nnlib_digits_model():
    """The chapter's digits_nnlib_model(): 64-32-10 in nnlib, seeded."""
    nnlib.set_random_seed(NNLIB_SEED)
    return nnlib.Sequential([nnlib.Input((64,)), Dense(32, activation="relu"), Dense(10, activation="softmax")])


def keras_digits_model(weights):
    """The chapter's Functional-API model ("pixels" -> "hidden" -> "digit") with the given weights."""
    keras.utils.set_random_seed(0)
    pixels = keras.Input(shape=(64,), name="pixels")
    hidden = keras.layers.Dense(32, activation="relu", name="hidden")(pixels)
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(hidden)
    model = keras.Model(inputs=pixels, outputs=digit, name="digits_functional")
    model.set_weights(weights)
    return model


def max_difference(ours, theirs):
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)))) for a, b in zip(ours, theirs))


def test_weight_lists_have_the_same_order_and_shapes():
    ours = nnlib_digits_model()
    theirs = keras_digits_model(ours.get_weights())
    assert [w.shape for w in ours.get_weights()] == [(64, 32), (32,), (32, 10), (10,)]
    assert [tuple(w.shape) for w in theirs.get_weights()] == [w.shape for w in ours.get_weights()]
    assert ours.count_params() == theirs.count_params() == 2410


def test_copied_weights_give_the_same_predictions(digits_split):
    _, _, x_test = digits_split
    ours = nnlib_digits_model()
    theirs = keras_digits_model(ours.get_weights())
    predictions_ours = ours.predict(x_test)
    predictions_theirs = theirs.predict(x_test, verbose=0)
    assert predictions_ours.shape == predictions_theirs.shape == (360, 10)
    difference = max_difference([predictions_ours], [predictions_theirs])
    assert difference <= TOLERANCE, f"predictions: max |nnlib - keras| = {difference:.3g}"


@pytest.mark.parametrize("optimizer_name, make_optimizer", [
    ("SGD(learning_rate=0.1)", lambda lib: lib.optimizers.SGD(learning_rate=0.1)),
    ("Adam(learning_rate=0.001)", lambda lib: lib.optimizers.Adam(learning_rate=0.001)),
])
def test_three_training_steps_give_the_same_weights(digits_split, optimizer_name, make_optimizer):
    x_train, onehot_train, _ = digits_split
    ours = nnlib_digits_model()
    start = ours.get_weights()
    theirs = keras_digits_model(start)
    ours.compile(optimizer=make_optimizer(nnlib), loss=nnlib.losses.CategoricalCrossentropy())
    theirs.compile(optimizer=make_optimizer(keras), loss=keras.losses.CategoricalCrossentropy())

    for step in range(N_STEPS):
        x_batch = x_train[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        y_batch = onehot_train[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        loss_ours = ours.train_on_batch(x_batch, y_batch)
        loss_theirs = theirs.train_on_batch(x_batch, y_batch)
        assert abs(float(loss_ours) - float(loss_theirs)) <= TOLERANCE, f"{optimizer_name}: loss at step {step + 1}"

    moved = max_difference(ours.get_weights(), start)
    assert moved > 1e-4, f"{optimizer_name}: the weights barely moved ({moved:.3g}); the comparison would prove little"
    difference = max_difference(ours.get_weights(), theirs.get_weights())
    assert difference <= TOLERANCE, f"{optimizer_name}: weights after {N_STEPS} steps, max |nnlib - keras| = {difference:.3g}"


@pytest.mark.parametrize("from_logits", [False, True])
def test_a_saturated_step_agrees_and_is_zero_on_probabilities(digits_split, from_logits):
    x_train, onehot_train, _ = digits_split
    weights = nnlib_digits_model().get_weights()
    weights[3][0] += 40.0
    activation = None if from_logits else "softmax"
    ours = nnlib.Sequential([nnlib.Input((64,)), Dense(32, activation="relu"), Dense(10, activation=activation)])
    theirs = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                               keras.layers.Dense(10, activation=activation)])
    for model, lib in ((ours, nnlib), (theirs, keras)):
        model.set_weights(weights)
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1),
                      loss=lib.losses.CategoricalCrossentropy(from_logits=from_logits))
        model.train_on_batch(x_train[:BATCH_SIZE], onehot_train[:BATCH_SIZE])
    assert max_difference(ours.get_weights(), theirs.get_weights()) <= TOLERANCE
    moved = max_difference(ours.get_weights(), weights)
    assert (moved > 1e-2) if from_logits else (moved == 0.0), f"from_logits={from_logits}: moved {moved:.3g}"
