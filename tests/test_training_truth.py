"""One gradient truth: the step ``fit`` and ``train_on_batch`` take is the gradient of the loss they report.

Three kinds of evidence, each on the path training really uses (``Sequential._train_step``,
with its one-step softmax + cross-entropy gradient), not on ``model.backward``:

1. central differences of the loss ``fit`` reports, against the step of plain SGD, in
   float64, in every regime: ordinary, saturated (clipped probabilities), targets whose
   rows do not sum to one, from logits, sample and class weights;
2. both spellings of a softmax output, ``Dense(k, activation="softmax")`` and ``Dense(k)`` +
   ``Activation("softmax")``, train to the same bits;
3. Keras 3 on JAX, from the same weights, three ``fit`` steps (so that Adam's beta_1 shows),
   for both spellings x {SGD, Adam} x {ordinary, saturated, partly saturated}, sigmoid +
   binary cross-entropy saturated, and multi-hot or all-zero target rows: float32 to
   1e-5 here, float64 to 1e-9 in a subprocess with JAX's 64-bit mode on (JAX_ENABLE_X64=1
   must be set before JAX is imported, so it cannot share this process).

Saturated means an output bias of +40: every probability is then 1 or about e^-40, all
clipped, so the exact gradient is zero and neither library may move. Keras is run
without ``jit_compile`` (eagerly): the same operations, without a compilation per model.
"""
import json
import os
import subprocess
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")

import nnlib  # noqa: E402
from nnlib.gradients import numerical_gradient, rel_error  # noqa: E402
from nnlib.layers import Activation, Dense, Input  # noqa: E402

if keras.backend.backend() != "jax":
    pytest.skip(f"Keras was already imported with the {keras.backend.backend()!r} backend", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

N_INPUTS, HIDDEN, N_CLASSES = 4, 6, 3
N_SAMPLES, BATCH_SIZE = 24, 8  # three steps in one epoch
TOLERANCE = {"float32": 1e-5, "float64": 1e-9}


# --- the problems ---------------------------------------------------------------------------------

def targets(kind, n=N_SAMPLES, seed=1):
    """Targets of one kind: one_hot, sparse, multi_hot (rows summing to 0, 1 or 2), binary."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % N_CLASSES)
    if kind == "sparse":
        return labels
    if kind == "one_hot":
        return np.eye(N_CLASSES)[labels]
    if kind == "multi_hot":
        rows = np.array([[1, 1, 0], [0, 0, 0], [0, 1, 0], [1, 0, 1], [0, 0, 1], [0, 0, 0]], dtype=float)
        return rows[np.arange(n) % len(rows)]
    if kind == "binary":
        return rng.permutation(np.arange(n) % 2).reshape(n, 1).astype(float)
    raise ValueError(kind)


def inputs(n=N_SAMPLES, seed=2):
    return np.random.default_rng(seed).normal(0.0, 1.0, size=(n, N_INPUTS))


def start_weights(units, regime, seed=3):
    """[W1, b1, W2, b2] with random biases; "saturated" adds 40 to the first output bias,
    "mixed" scales the output kernel by 16 so that some samples are clipped and others not."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, 0.7, (N_INPUTS, HIDDEN)), rng.normal(0.0, 0.3, HIDDEN),
               rng.normal(0.0, 0.7, (HIDDEN, units)), rng.normal(0.0, 0.3, units)]
    if regime == "saturated":
        weights[3][0] += 40.0
    elif regime == "mixed":
        weights[2] *= 16.0
    return weights


# case name -> (spelling, output activation, loss, target kind, regime); units follow from the targets
CASES = {}
for _spelling in ("dense", "activation"):
    for _optimizer in ("sgd", "adam"):
        for _regime in ("ordinary", "saturated", "mixed"):
            CASES[f"{_spelling}-softmax/{_optimizer}/{_regime}"] = (
                _spelling, "softmax", "categorical_crossentropy", "one_hot", _regime, _optimizer)
CASES["dense-softmax/adam/mixed/sparse"] = ("dense", "softmax", "sparse_categorical_crossentropy", "sparse",
                                            "mixed", "adam")
CASES["dense-softmax/adam/multi-hot-and-zero-rows"] = ("dense", "softmax", "categorical_crossentropy",
                                                       "multi_hot", "ordinary", "adam")
CASES["activation-softmax/sgd/multi-hot-and-zero-rows"] = ("activation", "softmax", "categorical_crossentropy",
                                                           "multi_hot", "ordinary", "sgd")
for _regime in ("saturated", "mixed"):
    CASES[f"dense-sigmoid/adam/{_regime}"] = ("dense", "sigmoid", "binary_crossentropy", "binary", _regime, "adam")

OPTIMIZERS = {"sgd": lambda lib: lib.optimizers.SGD(learning_rate=0.1),
              "adam": lambda lib: lib.optimizers.Adam(learning_rate=0.01)}


def output_units(target_kind):
    return 1 if target_kind == "binary" else N_CLASSES


def nnlib_model(spelling, activation, units):
    head = [Dense(units, activation=activation)] if spelling == "dense" else [Dense(units), Activation(activation)]
    return nnlib.Sequential([Input((N_INPUTS,)), Dense(HIDDEN, activation="relu"), *head])


def keras_model(spelling, activation, units):
    layers = keras.layers
    head = ([layers.Dense(units, activation=activation)] if spelling == "dense"
            else [layers.Dense(units), layers.Activation(activation)])
    return keras.Sequential([keras.Input((N_INPUTS,)), layers.Dense(HIDDEN, activation="relu"), *head])


def run_case(name, dtype):
    """Fit nnlib and Keras for three steps from the same weights; the largest differences and moves."""
    spelling, activation, loss, target_kind, regime, optimizer = CASES[name]
    units = output_units(target_kind)
    x, y = inputs().astype(dtype), targets(target_kind).astype(dtype if target_kind != "sparse" else int)
    start = [w.astype(dtype) for w in start_weights(units, regime)]
    ours = nnlib_model(spelling, activation, units)
    ours.set_weights(start)
    ours.compile(optimizer=OPTIMIZERS[optimizer](nnlib), loss=loss)
    theirs = keras_model(spelling, activation, units)
    theirs.set_weights(start)
    theirs.compile(optimizer=OPTIMIZERS[optimizer](keras), loss=loss, jit_compile=False)
    fit = dict(epochs=1, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
    our_loss = ours.fit(x, y, **fit).history["loss"]
    their_loss = theirs.fit(x, y, **fit).history["loss"]
    largest = lambda pairs: max(float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))  # noqa: E731
                                for a, b in pairs)
    return {"weights": largest(zip(ours.get_weights(), theirs.get_weights())),
            "loss": largest([(our_loss, their_loss)]),
            "loss_size": float(np.max(np.abs(their_loss))),
            "moved": largest(zip(ours.get_weights(), start)),
            "keras_moved": largest(zip(theirs.get_weights(), start)),
            "dtype": str(ours.get_weights()[0].dtype)}


def check_case(name, result, floatx):
    regime = CASES[name][4]
    assert result["dtype"] == floatx, f"{name}: nnlib trained in {result['dtype']}, not {floatx}"
    tolerance = TOLERANCE[floatx]
    assert result["weights"] <= tolerance, f"{name} ({floatx}): weights differ from Keras by {result['weights']:.3g}"
    loss_tolerance = tolerance
    if floatx == "float64" and CASES[name][2] == "binary_crossentropy":
        # Keras 3.15's ops.mean computes in float32 even in float64 mode (result_type("float64", "float32")
        # is "float32" in keras/src/backend/common/dtypes.py), so the BCE it reports is rounded to float32.
        loss_tolerance = max(tolerance, 2.0 ** -23 * result["loss_size"])
    assert result["loss"] <= loss_tolerance, f"{name} ({floatx}): loss differs from Keras by {result['loss']:.3g}"
    if regime == "saturated":  # every probability clipped: the exact gradient is zero, on both sides
        assert result["moved"] == 0.0 and result["keras_moved"] == 0.0, f"{name}: a saturated model moved"
    else:
        assert result["moved"] > 1e-3, f"{name}: the weights barely moved ({result['moved']:.3g}); this proves little"


@pytest.mark.parametrize("name", list(CASES))
def test_three_fit_steps_agree_with_keras_in_float32(name):
    check_case(name, run_case(name, np.float32), "float32")


@pytest.fixture(scope="module")
def float64_results():
    """Every case in float64, on both sides, in one subprocess with JAX's 64-bit mode on."""
    env = dict(os.environ, JAX_ENABLE_X64="1", KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    run = subprocess.run([sys.executable, __file__, "float64"], capture_output=True, text=True, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(CASES))
def test_three_fit_steps_agree_with_keras_in_float64(name, float64_results):
    check_case(name, float64_results[name], "float64")


# --- central differences of the reported loss, on the path fit uses ------------------------------------

# name -> (model maker, loss, targets, fit keyword arguments)
GRADIENT_CASES = {
    "dense softmax + CCE, partly clipped": ("dense", "softmax", "categorical_crossentropy", "one_hot", "mixed", {}),
    "Activation(softmax) + sparse CCE, partly clipped": ("activation", "softmax", "sparse_categorical_crossentropy",
                                                         "sparse", "mixed", {}),
    "softmax + CCE, multi-hot and all-zero rows": ("dense", "softmax", "categorical_crossentropy", "multi_hot",
                                                   "ordinary", {}),
    "sigmoid + BCE, partly clipped": ("dense", "sigmoid", "binary_crossentropy", "binary", "mixed", {}),
    "linear + CCE(from_logits), large logits": ("dense", "linear", "cce_from_logits", "one_hot", "mixed", {}),
    "softmax + CCE, sample weights": ("dense", "softmax", "categorical_crossentropy", "one_hot", "ordinary",
                                      {"sample_weight": np.linspace(0.0, 3.0, N_SAMPLES)}),
    "softmax + sparse CCE, class weights": ("activation", "softmax", "sparse_categorical_crossentropy", "sparse",
                                            "ordinary", {"class_weight": {0: 0.5, 2: 4.0}}),
    "linear + Huber, sample weights": ("dense", "linear", "huber", "one_hot", "ordinary",
                                       {"sample_weight": np.linspace(1.0, 2.0, N_SAMPLES)}),
    "softmax + CCE, saturated": ("dense", "softmax", "categorical_crossentropy", "one_hot", "saturated", {}),
}


def compiled_sgd_model(spelling, activation, loss, target_kind, regime, learning_rate):
    units = output_units(target_kind)
    model = nnlib_model(spelling, activation, units)
    model.set_weights(start_weights(units, regime))
    if loss == "cce_from_logits":
        loss = nnlib.losses.CategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=nnlib.optimizers.SGD(learning_rate=learning_rate), loss=loss)
    return model


@pytest.mark.parametrize("name", list(GRADIENT_CASES))
def test_the_fit_step_is_the_gradient_of_the_reported_loss(name, float64):
    spelling, activation, loss, target_kind, regime, weighting = GRADIENT_CASES[name]
    learning_rate = 0.5
    model = compiled_sgd_model(spelling, activation, loss, target_kind, regime, learning_rate)
    x, y = inputs(), targets(target_kind)
    sample_weight = weighting.get("sample_weight")
    if "class_weight" in weighting:  # the weights Keras derives from class_weight, to evaluate the loss with
        sample_weight = np.array([weighting["class_weight"].get(label, 1.0) for label in y])

    def reported_loss(_=None):
        return model.evaluate(x, y, sample_weight=sample_weight)

    params = [layer.params[key] for layer in model.layers for key in layer.params]
    numerical = [numerical_gradient(reported_loss, p, h=1e-6) for p in params]
    before = model.get_weights()
    history = model.fit(x, y, batch_size=N_SAMPLES, epochs=1, shuffle=False, verbose=0, **weighting)
    step = [(b - a) / learning_rate for a, b in zip(model.get_weights(), before)]

    reported = history.history["loss"][0]
    assert reported == pytest.approx(_loss_at(model, before, reported_loss), rel=1e-12)
    if regime == "saturated":
        assert all(np.all(s == 0.0) for s in step), "a saturated model must not move: its loss is flat"
        assert max(float(np.max(np.abs(g))) for g in numerical) < 1e-9
        return
    assert max(float(np.max(np.abs(s))) for s in step) > 1e-3, "the step is too small to prove anything"
    for index, (analytic, reference) in enumerate(zip(step, numerical)):
        error = rel_error(analytic, reference)
        assert error < 1e-6, f"{name}: weights[{index}] relative error {error:.3g} against central differences"


def _loss_at(model, weights, loss_function):
    """The loss at ``weights``, leaving the model's current weights in place."""
    current = model.get_weights()
    model.set_weights(weights)
    try:
        return loss_function()
    finally:
        model.set_weights(current)


def test_the_partly_clipped_problems_are_partly_clipped():
    """The "mixed" regime must contain clipped and unclipped samples, or it tests nothing new."""
    for spelling, activation, target_kind in (("dense", "softmax", "one_hot"), ("dense", "sigmoid", "binary")):
        units = output_units(target_kind)
        model = nnlib_model(spelling, activation, units)
        model.set_weights(start_weights(units, "mixed"))
        p, t = model.predict(inputs().astype(np.float32)), targets(target_kind)
        if activation == "softmax":
            p = np.sum(p * t, axis=1)  # the probability of the true class
        else:
            p = np.where(t == 1, p, 1 - p)
        clipped = (p < 1e-7) | (p > 1 - 1e-7)
        assert 0 < clipped.sum() < clipped.size, f"{activation}: {clipped.sum()} of {clipped.size} clipped"


# --- both spellings, bit for bit ---------------------------------------------------------------------

@pytest.mark.parametrize("regime", ["ordinary", "saturated", "mixed"])
@pytest.mark.parametrize("loss, target_kind", [("categorical_crossentropy", "one_hot"),
                                               ("sparse_categorical_crossentropy", "sparse"),
                                               ("categorical_crossentropy", "multi_hot")])
def test_both_softmax_spellings_train_identically(regime, loss, target_kind):
    x, y = inputs().astype(np.float32), targets(target_kind)
    histories, weights = [], []
    for spelling in ("dense", "activation"):
        model = nnlib_model(spelling, "softmax", N_CLASSES)
        model.set_weights([w.astype(np.float32) for w in start_weights(N_CLASSES, regime)])
        model.compile(optimizer=nnlib.optimizers.Adam(learning_rate=0.01), loss=loss)
        histories.append(model.fit(x, y, epochs=2, batch_size=BATCH_SIZE, shuffle=False, verbose=0).history)
        histories.append([model.train_on_batch(x[:5], y[:5])])
        weights.append(model.get_weights())
    assert histories[0] == histories[2] and histories[1] == histories[3]
    for ours, theirs in zip(*weights):
        np.testing.assert_array_equal(ours, theirs)


def test_the_reported_loss_is_the_clipped_loss_evaluate_reports():
    """train_on_batch returns the loss before its step: the same number evaluate gives there."""
    model = compiled_sgd_model("dense", "softmax", "categorical_crossentropy", "one_hot", "mixed", 0.1)
    x, y = inputs().astype(np.float32), targets("one_hot").astype(np.float32)
    expected = model.evaluate(x, y)
    assert model.train_on_batch(x, y) == pytest.approx(expected, rel=1e-6)


if __name__ == "__main__":  # the float64 half, run by float64_results with JAX_ENABLE_X64=1
    keras.config.set_floatx(sys.argv[1])
    nnlib.set_floatx(sys.argv[1])
    print(json.dumps({name: run_case(name, np.dtype(sys.argv[1]).type) for name in CASES}))
