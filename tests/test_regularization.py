"""Chapter 12's library: Dropout, BatchNormalization and the L1/L2 weight penalties.

Unit tests (formulas, statistics, seeds, bad input), gradient checks of every backward pass
(float64, central differences), and agreement with Keras 3 on JAX: predictions and every weight,
BatchNormalization's moving statistics included, after three training steps, in float32 (at most
1e-5) and in float64 with JAX's 64-bit mode (at most 1e-9, in a subprocess that turns it on before
JAX is imported). The largest difference per case is printed at the end (pytest -s).
"""
import json
import os
import pathlib
import subprocess
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import gradients, regularizers  # noqa: E402
from nnlib.layers import BatchNormalization, Dense, Dropout, Flatten, Input  # noqa: E402
from nnlib.models import Sequential  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FLOAT32_TOLERANCE = 1e-5
FLOAT64_TOLERANCE = 1e-9
TRAIN_STEPS = 3


def central_differences(array, objective, h=1e-6):
    """d objective() / d array by central differences: chapter 5's numerical_gradient, which
    perturbs ``array`` in place, so ``objective`` reads it through the layer."""
    return nnlib.gradients.numerical_gradient(lambda _: objective(), array, h=h)


# --- regularizers ---------------------------------------------------------------------------------------

def test_keras_defaults_and_names():
    assert regularizers.L1().l1 == 0.01 and regularizers.L2().l2 == 0.01
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)  # Keras 3: both default to 0
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert isinstance(regularizers.get("L1"), regularizers.L1)
    assert isinstance(regularizers.get("l1l2"), regularizers.L1L2)
    assert regularizers.get(None) is None
    reg = regularizers.L2(0.3)
    assert regularizers.get(reg) is reg


def test_penalties_follow_their_formulas():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert regularizers.L1(0.1).penalty(w) == pytest.approx(0.1 * 3.5)
    assert regularizers.L2(0.1).penalty(w) == pytest.approx(0.1 * 5.25)
    assert regularizers.L1L2(0.1, 0.2)(w) == pytest.approx(0.35 + 0.2 * 5.25)
    np.testing.assert_allclose(regularizers.L2(0.1).gradient(w), 0.2 * w)
    # sign(0) is +1, as JAX differentiates abs
    np.testing.assert_allclose(regularizers.L1(0.1).gradient(w), [[0.1, -0.1], [0.1, 0.1]])


@pytest.mark.parametrize("reg", [regularizers.L1(0.03), regularizers.L2(0.05), regularizers.L1L2(0.02, 0.04)],
                         ids=["l1", "l2", "l1l2"])
def test_penalty_gradients_match_central_differences(reg):
    w = np.random.default_rng(0).normal(size=(4, 3))  # no entry near 0, where |w| has a kink
    numeric = central_differences(w, lambda: reg.penalty(w))
    assert gradients.rel_error(reg.gradient(w), numeric) < 1e-8


def test_gradient_keeps_the_weights_dtype():
    w = np.ones((2, 2), dtype=np.float32)
    assert regularizers.L1L2(0.1, 0.1).gradient(w).dtype == np.float32


@pytest.mark.parametrize("make", [lambda: regularizers.L2(-0.1), lambda: regularizers.L1(float("nan")),
                                  lambda: regularizers.L1L2(l2=-1), lambda: regularizers.L2("0.1"),
                                  lambda: regularizers.L1(True)])
def test_a_negative_or_non_numeric_penalty_is_refused(make):
    with pytest.raises(ValueError, match=r"^(l1|l2): expected a non-negative penalty factor"):
        make()


def test_unknown_regularizer_names_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match=r"Unknown regularizer 'l3'. Known regularizers: l1, l1l2, l2"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match=r"^kernel_regularizer: Unknown regularizer 'weight_decay'"):
        Dense(2, kernel_regularizer="weight_decay")
    with pytest.raises(ValueError, match=r"^bias_regularizer: Unknown regularizer 0.1"):
        Dense(2, bias_regularizer=0.1)
    with pytest.raises(ValueError, match=r"^gamma_regularizer: Unknown regularizer"):
        BatchNormalization(gamma_regularizer="l9")


def test_the_penalty_is_added_to_the_reported_loss_and_the_gradient(float64):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    model = Sequential([Input((3,)), Dense(2, kernel_regularizer=regularizers.L2(0.1))])
    model.compile(optimizer=nnlib.optimizers.SGD(0.5), loss="mse")
    w, b = [a.copy() for a in model.get_weights()]
    loss = model.train_on_batch(x, y)
    residual = x @ w + b - y
    assert loss == pytest.approx(np.mean(residual ** 2) + 0.1 * np.sum(w ** 2), rel=1e-12)
    data_gradient = x.T @ (2 * residual / residual.size)
    np.testing.assert_allclose(model.get_weights()[0], w - 0.5 * (data_gradient + 0.2 * w), rtol=1e-12)
    assert model.evaluate(x, y) == pytest.approx(
        np.mean((model.predict(x) - y) ** 2) + 0.1 * np.sum(model.get_weights()[0] ** 2), rel=1e-12)


# --- Dropout ------------------------------------------------------------------------------------------------

def test_dropout_is_the_identity_in_inference():
    x = np.random.default_rng(2).normal(size=(5, 4))
    layer = Dropout(0.5, seed=0)
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_keeps_the_right_fraction_and_the_mean(rate):
    n = 200_000
    out = Dropout(rate, seed=3).forward(np.ones((n, 1)), training=True)
    kept = np.mean(out != 0)
    assert abs(kept - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / n)
    np.testing.assert_allclose(out[out != 0], 1 / (1 - rate))  # inverted scaling
    assert abs(out.mean() - 1.0) < 5 * np.sqrt(rate / (1 - rate) / n)  # E[y] = x


def test_dropout_seeds_repeat_and_successive_masks_differ():
    x = np.ones((50, 20))
    a, b = Dropout(0.5, seed=7), Dropout(0.5, seed=7)
    first = a.forward(x, training=True)
    np.testing.assert_array_equal(first, b.forward(x, training=True))
    assert not np.array_equal(first, a.forward(x, training=True))
    nnlib.set_random_seed(5)
    c = Dropout(0.5).forward(x, training=True)
    nnlib.set_random_seed(5)
    np.testing.assert_array_equal(c, Dropout(0.5).forward(x, training=True))


def test_dropout_noise_shape_shares_the_mask_along_axes_of_size_one():
    out = Dropout(0.5, noise_shape=(None, 1, 6), seed=1).forward(np.ones((4, 3, 6)), training=True)
    for sample in out:
        assert np.all(sample == sample[0])  # one mask per sample and feature, shared over axis 1
    assert np.any(out == 0) and np.any(out == 2.0)


def test_dropout_backward_matches_central_differences_with_a_fixed_mask(float64):
    rng = np.random.default_rng(4)
    x, dout = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    layer = Dropout(0.4)
    mask = rng.random((3, 5)) >= 0.4
    layer.draw_mask = lambda shape: mask
    layer.forward(x, training=True)
    dx = layer.backward(dout)
    numeric = central_differences(x, lambda: np.sum(layer.forward(x, training=True) * dout))
    assert gradients.rel_error(dx, numeric) < 1e-8
    np.testing.assert_allclose(dx, dout * mask / 0.6)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, float("nan"), True, "0.5", None])
def test_a_rate_outside_zero_one_is_refused(rate):
    with pytest.raises(ValueError, match=r"^rate: expected the fraction of units to drop, a number in \[0, 1\)"):
        Dropout(rate)


@pytest.mark.parametrize("noise_shape", ["abc", (0, 1), (2.5,)])
def test_a_bad_noise_shape_is_refused(noise_shape):
    with pytest.raises(ValueError, match=r"^noise_shape: expected"):
        Dropout(0.5, noise_shape=noise_shape)


def test_a_noise_shape_that_does_not_broadcast_is_refused():
    with pytest.raises(ValueError, match=r"^noise_shape: \(None, 3\) does not broadcast to the input shape \(2, 4\)"):
        Dropout(0.5, noise_shape=(None, 3)).forward(np.ones((2, 4)), training=True)


# --- BatchNormalization ----------------------------------------------------------------------------------

def test_batchnorm_weights_come_in_keras_order():
    layer = BatchNormalization()
    layer.build((3,))
    names = list(layer.params) + list(layer.states)
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.tolist() for w in layer.get_weights()] == [[1.0] * 3, [0.0] * 3, [0.0] * 3, [1.0] * 3]
    assert layer.count_params() == 12 and layer.count_trainable_params() == 6
    only_stats = BatchNormalization(center=False, scale=False)
    only_stats.build((3,))
    assert len(only_stats.get_weights()) == 2 and not only_stats.params


def test_batchnorm_training_normalises_and_updates_the_moving_statistics(float64):
    rng = np.random.default_rng(5)
    x = rng.normal(3.0, 2.0, size=(40, 3))
    layer = BatchNormalization(momentum=0.9)
    y = layer.forward(x, training=True)
    var = x.var(axis=0)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), var / (var + 1e-3), rtol=1e-12)
    np.testing.assert_allclose(layer.states["moving_mean"], 0.1 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.states["moving_variance"], 0.9 + 0.1 * var, rtol=1e-12)


def test_batchnorm_inference_uses_the_moving_statistics_and_changes_nothing(float64):
    x = np.random.default_rng(6).normal(size=(4, 2))
    layer = BatchNormalization()
    layer.build((2,))
    layer.set_weights([np.array([2.0, 0.5]), np.array([1.0, -1.0]), np.array([0.3, -0.2]), np.array([4.0, 0.25])])
    before = layer.get_weights()
    y = layer.forward(x)
    np.testing.assert_allclose(y, 2 * 0 + np.array([2.0, 0.5]) * (x - [0.3, -0.2]) / np.sqrt(np.array([4.0, 0.25]) + 1e-3)
                               + [1.0, -1.0], rtol=1e-12)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_normalises_images_per_channel(float64):
    x = np.random.default_rng(7).normal(size=(2, 3, 3, 4)) * np.array([1.0, 2.0, 3.0, 4.0])
    y = BatchNormalization(epsilon=1e-9).forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, rtol=1e-6)
    # a batch of one image still has nine values per channel: allowed
    assert BatchNormalization().forward(x[:1], training=True).shape == (1, 3, 3, 4)


@pytest.mark.parametrize("shape,axis", [((6, 3), -1), ((3, 2, 2, 3), -1), ((4, 3, 2), 1)],
                         ids=["rank2", "images", "axis1"])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_batchnorm_backward_matches_central_differences(float64, shape, axis, training):
    rng = np.random.default_rng(8)
    x, dout = rng.normal(size=shape), rng.normal(size=shape)
    layer = BatchNormalization(axis=axis)
    layer.build(shape[1:])
    size = shape[axis]
    layer.set_weights([rng.normal(1.0, 0.3, size), rng.normal(0.0, 0.3, size), rng.normal(0.0, 0.3, size),
                       rng.uniform(0.5, 2.0, size)])

    def objective():
        saved = {k: v.copy() for k, v in layer.states.items()}
        value = np.sum(layer.forward(x, training=training) * dout)
        layer.states.update(saved)
        return value

    objective()
    layer.forward(x, training=training)
    dx = layer.backward(dout)
    analytic = {key: layer.grads[key].copy() for key in ("gamma", "beta")}
    assert gradients.rel_error(dx, central_differences(x, objective)) < 1e-7
    for key in ("gamma", "beta"):
        assert gradients.rel_error(analytic[key], central_differences(layer.params[key], objective)) < 1e-7


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_batchnorm_without_center_or_scale_backward(float64, center, scale):
    rng = np.random.default_rng(9)
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    layer = BatchNormalization(center=center, scale=scale)
    layer.forward(x, training=True)
    dx = layer.backward(dout)
    numeric = central_differences(x, lambda: np.sum(layer.forward(x, training=True) * dout))
    assert gradients.rel_error(dx, numeric) < 1e-7
    assert set(layer.grads) == {k for k, on in (("gamma", scale), ("beta", center)) if on}


def test_batchnorm_on_a_batch_of_one_in_training_is_refused():
    layer = BatchNormalization()
    with pytest.raises(ValueError, match=r"^x: layer 'batch_normalization' \(BatchNormalization\) in training needs "
                                         r"at least two values per feature.*shape \(1, 3\)"):
        layer.forward(np.ones((1, 3)), training=True)
    assert layer.forward(np.ones((1, 3))).shape == (1, 3)  # inference on one sample is fine


@pytest.mark.parametrize("kwargs,pattern", [
    ({"momentum": 1.5}, r"^momentum: expected a fraction in \[0, 1\]"),
    ({"epsilon": 0.0}, r"^epsilon: expected a positive number"),
    ({"center": "yes"}, r"^center: expected True or False"),
    ({"axis": 1.0}, r"^axis: expected an integer axis"),
])
def test_batchnorm_bad_arguments_are_refused(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        BatchNormalization(**kwargs)


def test_batchnorm_on_the_batch_axis_is_refused():
    with pytest.raises(ValueError, match=r"^axis: layer 'batch_normalization' got axis 0"):
        BatchNormalization(axis=0).build((3,))


# --- agreement with Keras 3 on JAX ----------------------------------------------------------------------------
#
# Each case builds the same model on both sides (nnlib's weights copied into Keras), compares
# predictions, takes TRAIN_STEPS train_on_batch steps, and compares the reported losses, every
# weight (moving statistics included), the predictions and evaluate afterwards. It returns the
# largest difference. The same functions run in float64 in a subprocess (see the last test).


def _dropout_masks_from_keras(ours, theirs):
    """Give each nnlib Dropout the mask Keras's twin will draw at its next call (same seed state)."""
    for mine, keras_layer in zip(ours.layers, theirs.layers):
        if isinstance(mine, Dropout):
            generator = keras_layer.seed_generator
            state = np.array(generator.state.value)
            ones = np.ones((BATCH, *mine.input_shape), dtype=nnlib.floatx())
            mask = np.asarray(keras_layer(ones, training=True)) != 0
            generator.state.assign(state)
            mine.draw_mask = lambda shape, mask=mask: mask


BATCH = 8


def _spec(kind, keras):
    """Both libraries' layer lists, optimizer, loss and the per-sample input shape of a case.

    """
    k, n = keras.layers, nnlib.layers
    if kind == "dropout":
        return ([Input((5,)), n.Dense(6, activation="tanh"), n.Dropout(0.4), n.Dense(2)],
                [keras.Input((5,)), k.Dense(6, activation="tanh"), k.Dropout(0.4, seed=3), k.Dense(2)],
                lambda lib: lib.optimizers.SGD(0.1, momentum=0.9), "mse", (5,))
    if kind == "batchnorm":
        # no bias before the normalisation: its gradient is zero up to round-off, which Adam would amplify
        return ([Input((5,)), n.Dense(6, use_bias=False), n.BatchNormalization(), n.Activation("relu"), n.Dense(2)],
                [keras.Input((5,)), k.Dense(6, use_bias=False), k.BatchNormalization(), k.Activation("relu"),
                 k.Dense(2)],
                lambda lib: lib.optimizers.Adam(0.01), "mse", (5,))
    if kind == "batchnorm_images":
        return ([Input((3, 3, 2)), n.BatchNormalization(momentum=0.9, epsilon=1e-2), Flatten(),
                 n.Dense(3, activation="softmax")],
                [keras.Input((3, 3, 2)), k.BatchNormalization(momentum=0.9, epsilon=1e-2), k.Flatten(),
                 k.Dense(3, activation="softmax")],
                lambda lib: lib.optimizers.SGD(0.2), "categorical_crossentropy", (3, 3, 2))
    if kind == "batchnorm_plain":
        return ([Input((4,)), n.BatchNormalization(center=False, scale=False), n.Dense(2)],
                [keras.Input((4,)), k.BatchNormalization(center=False, scale=False), k.Dense(2)],
                lambda lib: lib.optimizers.SGD(0.1), "mse", (4,))
    factories = {"l1": lambda lib: lib.regularizers.L1(0.02), "l2": lambda lib: lib.regularizers.L2(0.05),
                 "l1l2": lambda lib: lib.regularizers.L1L2(0.02, 0.05)}
    make = factories[kind]
    return ([Input((5,)), n.Dense(6, activation="tanh", kernel_regularizer=make(nnlib), bias_regularizer=make(nnlib)),
             n.Dense(2, kernel_regularizer=make(nnlib))],
            [keras.Input((5,)), k.Dense(6, activation="tanh", kernel_regularizer=make(keras),
                                        bias_regularizer=make(keras)),
             k.Dense(2, kernel_regularizer=make(keras))],
            lambda lib: lib.optimizers.SGD(0.1), "mse", (5,))


AGREEMENT_CASES = ["dropout", "batchnorm", "batchnorm_images", "batchnorm_plain", "l1", "l2", "l1l2"]


def agreement_difference(kind, keras):
    """Run one case in the current float type; return the largest |nnlib - Keras| seen."""
    dtype = nnlib.floatx()
    rng = np.random.default_rng(AGREEMENT_CASES.index(kind))
    our_layers, their_layers, optimizer, loss, shape = _spec(kind, keras)
    ours, theirs = Sequential(our_layers), keras.Sequential(their_layers)
    weights = [w + rng.normal(0.0, 0.2, size=w.shape).astype(dtype) for w in ours.get_weights()]
    for layer_index, layer in enumerate(ours.layers):  # moving variances must stay positive
        if isinstance(layer, BatchNormalization):
            start = sum(len(mine.get_weights()) for mine in ours.layers[:layer_index])
            weights[start + len(layer.params) + 1] = rng.uniform(0.5, 2.0, size=layer.states["moving_variance"].shape
                                                                 ).astype(dtype)
    ours.set_weights(weights)
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=optimizer(nnlib), loss=loss)
    theirs.compile(optimizer=optimizer(keras), loss=loss)
    x = rng.normal(0.5, 1.5, size=(BATCH, *shape)).astype(dtype)
    if loss == "mse":
        y = rng.normal(size=(BATCH, 2)).astype(dtype)
    else:
        y = np.eye(3, dtype=dtype)[rng.integers(0, 3, size=BATCH)]
    differences = [np.max(np.abs(ours.predict(x) - theirs.predict(x, verbose=0)))]
    for _ in range(TRAIN_STEPS):
        _dropout_masks_from_keras(ours, theirs)
        differences.append(abs(ours.train_on_batch(x, y) - float(theirs.train_on_batch(x, y))))
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        assert mine.shape == keras_weight.shape
        differences.append(np.max(np.abs(mine - keras_weight)))
    differences.append(np.max(np.abs(ours.predict(x) - theirs.predict(x, verbose=0))))
    differences.append(abs(ours.evaluate(x, y) - float(theirs.evaluate(x, y, verbose=0))))
    return float(max(differences))


@pytest.fixture(scope="module")
def keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend")
    return keras


FIGURES = {}


@pytest.fixture(scope="module", autouse=True)
def report_agreement():
    yield
    for key, value in sorted(FIGURES.items()):
        print(f"\nKeras agreement {key}: {value:.3g}", end="")


@pytest.mark.parametrize("kind", AGREEMENT_CASES)
def test_agrees_with_keras_in_float32(keras, fresh_library_state, kind):
    nnlib.set_random_seed(11)
    difference = agreement_difference(kind, keras)
    FIGURES[f"float32 {kind}"] = difference
    assert difference <= FLOAT32_TOLERANCE, f"{kind}: max |nnlib - keras| = {difference:.3g}"


_FLOAT64_SCRIPT = """
import json, os, sys
sys.path.insert(0, {tests!r})
import keras, nnlib
from keras.src.backend.common import dtypes
# Keras 3.15 demotes float64 to float32 in its own type promotion on JAX ("aligned with JAX's default",
# which JAX_ENABLE_X64 turns off), so BatchNormalization and tanh would compute in float32 even here.
dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
keras.config.set_floatx("float64")
keras.config.set_dtype_policy("float64")  # layers compute in float64 too, not only store it
nnlib.set_floatx("float64")
import test_regularization as t
result = {{}}
for kind in t.AGREEMENT_CASES:
    nnlib.set_random_seed(11)
    result[kind] = t.agreement_difference(kind, keras)
print("RESULT" + json.dumps(result))
"""


def test_agrees_with_keras_in_float64_with_jax_x64(keras):
    tests = str(pathlib.Path(__file__).resolve().parent)
    env = {**os.environ, "JAX_ENABLE_X64": "1", "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-c", _FLOAT64_SCRIPT.format(tests=tests)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = [row for row in done.stdout.splitlines() if row.startswith("RESULT")][-1]
    result = json.loads(line[len("RESULT"):])
    assert set(result) == set(AGREEMENT_CASES)
    for kind, difference in result.items():
        FIGURES[f"float64 {kind}"] = difference
        assert difference <= FLOAT64_TOLERANCE, f"{kind}: max |nnlib - keras| = {difference:.3g} in float64"
