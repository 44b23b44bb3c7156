"""Chapter 13's layers: Conv2D, MaxPooling2D, AveragePooling2D and the im2col helpers.

- every backward pass against central differences (float64, relative error <= 1e-6);
- the fast im2col forward against a plain loop (the chapter's version, as the oracle);
- output shapes against Keras's own arithmetic for many sizes, strides and paddings;
- predictions, losses and weights after training steps against Keras 3 on JAX, float32
  (<= 1e-5) here and float64 (<= 1e-9, JAX's 64-bit mode) in one subprocess;
- clear errors for bad input.

The largest Keras difference per float type is printed at the end (run with -s).
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
from nnlib import gradients  # noqa: E402
from nnlib.layers import AveragePooling2D, Conv2D, Dense, Flatten, Input, MaxPooling2D  # noqa: E402
from nnlib.layers.im2col import col2im, im2col, output_length, padding_amounts, windows  # noqa: E402
from nnlib.models import Sequential  # noqa: E402

GRADIENT_TOLERANCE = 1e-6
TOLERANCE = {"float32": 1e-5, "float64": 1e-9}
N_CLASSES = 3
TRAIN_STEPS = 3


# --- the loop version (chapter 13), the oracle for the fast one ------------------------------------------------------

def conv2d_loops(x, kernel, bias, strides, padding):
    """z[n, i, j, f] = b[f] + sum_{p, q, c} x_pad[n, i*sh + p, j*sw + q, c] W[p, q, c, f], by loops."""
    kh, kw, _, filters = kernel.shape
    sh, sw = strides
    pads = [padding_amounts(n, k, s, padding) for n, k, s in zip(x.shape[1:3], (kh, kw), strides)]
    x_pad = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    out_h = (x_pad.shape[1] - kh) // sh + 1
    out_w = (x_pad.shape[2] - kw) // sw + 1
    z = np.zeros((x.shape[0], out_h, out_w, filters))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                patch = x_pad[n, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
                for f in range(filters):
                    z[n, i, j, f] = np.sum(patch * kernel[..., f]) + bias[f]
    return z


CONV_CONFIGS = [
    dict(filters=2, kernel_size=3),
    dict(filters=3, kernel_size=(3, 2), strides=(2, 1)),
    dict(filters=2, kernel_size=3, strides=2, padding="same"),
    dict(filters=2, kernel_size=(2, 3), padding="same", activation="tanh"),
    dict(filters=1, kernel_size=4, strides=3, padding="same", use_bias=False),
]


@pytest.mark.parametrize("config", CONV_CONFIGS, ids=str)
def test_conv2d_forward_equals_the_loops(float64, config):
    rng = np.random.default_rng(1)
    layer = Conv2D(**config)
    x = rng.normal(size=(2, 7, 6, 3))
    out = layer.forward(x)
    bias = layer.bias if layer.use_bias else np.zeros(layer.filters)
    z = conv2d_loops(x, layer.kernel, bias, layer.strides, layer.padding)
    expected = np.tanh(z) if config.get("activation") == "tanh" else z
    assert out.shape == expected.shape == (2, *layer.compute_output_shape((7, 6, 3)))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_im2col_rows_are_the_windows_and_col2im_is_its_adjoint(float64):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 6, 3))
    cols = im2col(x, (3, 2), (2, 2))
    assert cols.shape == (2 * 2 * 3, 3 * 2 * 3)
    np.testing.assert_array_equal(cols[0], x[0, 0:3, 0:2, :].ravel())
    np.testing.assert_array_equal(cols[4], x[0, 2:5, 2:4, :].ravel())  # second row, second column
    # <windows(x), c> == <x, col2im(c)> for every c: col2im is the transpose of the window view
    c = rng.normal(size=windows(x, (3, 2), (2, 2)).shape)
    lhs = np.sum(windows(x, (3, 2), (2, 2)) * c)
    rhs = np.sum(x * col2im(c, x.shape, (3, 2), (2, 2)))
    assert abs(lhs - rhs) < 1e-12 * max(1.0, abs(lhs))


# --- gradient checks ------------------------------------------------------------------------------------------------

def check_layer_gradients(layer, x, seed):
    """Every backward output of ``layer`` (dx and each parameter) against central differences."""
    rng = np.random.default_rng(seed)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    analytic = {"x": dx, **{key: value.copy() for key, value in layer.grads.items()}}

    def objective(_):
        return np.sum(layer.forward(x) * dout)

    errors = {"x": gradients.rel_error(analytic["x"], gradients.numerical_gradient(objective, x, h=1e-6))}
    for key in layer.params:
        numeric = gradients.numerical_gradient(objective, layer.params[key], h=1e-6)
        errors[key] = gradients.rel_error(analytic[key], numeric)
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors
    return errors


@pytest.mark.parametrize("config", CONV_CONFIGS + [dict(filters=2, kernel_size=2, activation="relu")], ids=str)
def test_conv2d_backward_passes_the_gradient_check(float64, config):
    rng = np.random.default_rng(3)
    layer = Conv2D(**config, bias_initializer="random_normal")  # nonzero biases
    x = rng.normal(size=(2, 6, 5, 2))
    layer.build(x.shape[1:])
    if layer.use_bias:
        layer.params["bias"] = rng.normal(0.0, 0.5, size=layer.filters)
    check_layer_gradients(layer, x, seed=4)


@pytest.mark.parametrize("pool", [MaxPooling2D, AveragePooling2D])
@pytest.mark.parametrize("config", [dict(), dict(pool_size=3, strides=2, padding="same"),
                                    dict(pool_size=(2, 3), strides=1), dict(pool_size=2, padding="same")], ids=str)
def test_pooling_backward_passes_the_gradient_check(float64, pool, config):
    x = np.random.default_rng(5).normal(size=(2, 5, 6, 2))  # odd height: "same" pads unevenly
    check_layer_gradients(pool(**config), x, seed=6)


def test_max_pooling_sends_the_gradient_to_the_winner_only():
    x = np.array([[1.0, 3.0], [2.0, 0.0]]).reshape(1, 2, 2, 1)
    layer = MaxPooling2D()
    assert layer.forward(x).item() == 3.0
    np.testing.assert_array_equal(layer.backward(np.full((1, 1, 1, 1), 5.0))[0, :, :, 0], [[0, 5], [0, 0]])


def test_average_pooling_same_counts_only_real_entries():
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    out = AveragePooling2D(padding="same").forward(x)[0, :, :, 0]
    # windows: rows 0-1 x cols 0-1, 0-1 x 2, 2 x 0-1, 2 x 2 (the pad adds 1 row and 1 column after)
    np.testing.assert_allclose(out, [[(0 + 1 + 3 + 4) / 4, (2 + 5) / 2], [(6 + 7) / 2, 8.0]])


def test_a_small_cnn_passes_a_full_gradient_check(float64):
    rng = np.random.default_rng(7)
    nnlib.set_random_seed(7)
    model = Sequential([Input((6, 6, 2)), Conv2D(3, 3, padding="same", activation="tanh"), MaxPooling2D(),
                        Conv2D(2, 2, activation="tanh"), AveragePooling2D(pool_size=2, strides=1), Flatten(),
                        Dense(N_CLASSES, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = rng.normal(size=(3, 6, 6, 2))
    y = np.eye(N_CLASSES)[rng.integers(0, N_CLASSES, size=3)]
    report = gradients.check_gradients(model, x, y)
    assert max(report.values()) < GRADIENT_TOLERANCE, report


@pytest.mark.parametrize("layer", [Conv2D(2, 3, padding="same"), MaxPooling2D(), AveragePooling2D()], ids=repr)
def test_float32_in_float32_out(layer):
    x = np.random.default_rng(8).normal(size=(2, 4, 4, 1)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32


def test_glorot_uniform_counts_the_receptive_field_as_keras():
    from nnlib.initializers import _fans
    assert _fans((3, 2, 4, 5)) == (3 * 2 * 4, 3 * 2 * 5)
    kernel = Sequential([Input((8, 8, 4)), Conv2D(5, (3, 2))]).layers[0].kernel
    limit = np.sqrt(6.0 / (24 + 30))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit


# --- errors ---------------------------------------------------------------------------------------------------------

def test_a_flat_batch_into_conv2d_names_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"layer 'conv2d' \(Conv2D\) expects images of shape \(batch, height, width, "
                                         r"channels\), got samples of shape \(64,\).*x.reshape\(-1, 8, 8, 1\)"):
        Conv2D(4, 3).forward(np.ones((2, 64)))
    with pytest.raises(ValueError, match=r"layer 'conv2d' \(Conv2D\) expects images.*\(8, 8\)"):
        Sequential([Input((8, 8)), Conv2D(4, 3)])


def test_a_channel_mismatch_names_the_layer_and_the_shapes():
    layer = Conv2D(4, 3, name="first")
    layer.build((8, 8, 1))
    with pytest.raises(ValueError, match=r"x: layer 'first' expects input of shape \(None, 8, 8, 1\), "
                                         r"got shape \(2, 8, 8, 3\)"):
        layer.forward(np.ones((2, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"weights: layer 'first' expects kernel of shape \(3, 3, 1, 4\), "
                                         r"got shape \(3, 3, 3, 4\)"):
        layer.set_weights([np.ones((3, 3, 3, 4)), np.zeros(4)])


@pytest.mark.parametrize("layer, what", [(Conv2D(2, 5), "kernel_size \\(5, 5\\)"),
                                         (MaxPooling2D(4), "pool_size \\(4, 4\\)")])
def test_a_window_larger_than_the_input_with_valid_padding_is_refused(layer, what):
    with pytest.raises(ValueError, match=what + r" with padding='valid' does not fit input of shape "
                                                r"\(None, 3, 3, 1\).*padding='same'"):
        Sequential([Input((3, 3, 1)), layer])
    same = Conv2D(2, 5, padding="same")
    assert same.compute_output_shape((3, 3, 1)) == (3, 3, 2)


@pytest.mark.parametrize("make, argument", [
    (lambda: Conv2D(2, 3, strides=0), "strides"), (lambda: Conv2D(2, 3, strides=(1, -1)), "strides"),
    (lambda: MaxPooling2D(strides=0), "strides"), (lambda: AveragePooling2D(pool_size=(2, 0)), "pool_size"),
    (lambda: Conv2D(2, kernel_size=(3, 3, 3)), "kernel_size"), (lambda: Conv2D(0, 3), "filters"),
    (lambda: Conv2D(2, 3, padding="full"), "padding"), (lambda: MaxPooling2D(strides=1.5), "strides")])
def test_bad_arguments_are_refused_by_name(make, argument):
    with pytest.raises(ValueError, match=rf"^{argument}: expected"):
        make()


# --- Keras ----------------------------------------------------------------------------------------------------------

keras = pytest.importorskip("keras")

# Keras 3.15's tanh returns float32 for float64 input (keras.ops.tanh), which would cap the float64
# agreement near 1e-7, so the cases below use relu, sigmoid and linear layers.
# Each case: input shape, the layers between Input and Flatten (kind, keyword arguments -- the same in
# nnlib and Keras), the optimizer. After Flatten, a softmax Dense and categorical cross-entropy.
CASES = {
    "valid_stride1_channels": ((6, 6, 2), [("Conv2D", dict(filters=3, kernel_size=3, activation="relu"))], "sgd"),
    "same_stride2_odd": ((7, 7, 3), [("Conv2D", dict(filters=2, kernel_size=3, strides=2, padding="same",
                                                     activation="sigmoid"))], "adam"),
    "nonsquare_valid_stride2": ((7, 6, 2), [("Conv2D", dict(filters=2, kernel_size=(3, 2), strides=(2, 1)))], "sgd"),
    "two_convs_max_pool": ((8, 8, 1), [("Conv2D", dict(filters=4, kernel_size=3, padding="same", activation="relu")),
                                       ("MaxPooling2D", dict(pool_size=2)),
                                       ("Conv2D", dict(filters=3, kernel_size=(2, 3), activation="relu"))], "adam"),
    "max_pool_same_overlapping": ((7, 6, 2), [("Conv2D", dict(filters=2, kernel_size=2, activation="sigmoid")),
                                              ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same"))], "sgd"),
    "average_pool_valid_and_same": ((7, 7, 1), [("Conv2D", dict(filters=3, kernel_size=3, padding="same")),
                                                ("AveragePooling2D", dict(pool_size=2)),
                                                ("AveragePooling2D", dict(pool_size=2, strides=1, padding="same"))],
                                    "adam"),
}


def _optimizer(module, name):
    return module.optimizers.SGD(learning_rate=0.1) if name == "sgd" else module.optimizers.Adam(learning_rate=0.01)


def compare_with_keras(case, floatx):
    """Train the case in nnlib and in Keras from the same weights; return max |difference| per quantity."""
    input_shape, spec, optimizer = CASES[case]
    dtype = np.dtype(floatx)
    nnlib.set_floatx(floatx)
    keras.config.set_floatx(floatx)
    nnlib.set_random_seed(11)
    rng = np.random.default_rng(12)

    def layers_of(module):
        return ([module.Input(input_shape)] + [getattr(module.layers, kind)(**kwargs) for kind, kwargs in spec]
                + [module.layers.Flatten(), module.layers.Dense(N_CLASSES, activation="softmax")])

    ours = Sequential(layers_of(nnlib))
    weights = ours.get_weights()
    for layer in ours.layers:  # nonzero biases, so that a bias bug cannot hide
        if "bias" in layer.params:
            layer.params["bias"] = rng.normal(0.0, 0.3, size=layer.params["bias"].shape).astype(dtype)
    weights = ours.get_weights()
    theirs = keras.Sequential(layers_of(keras))
    theirs.set_weights(weights)
    ours.compile(optimizer=_optimizer(nnlib, optimizer), loss="categorical_crossentropy")
    theirs.compile(optimizer=_optimizer(keras, optimizer), loss="categorical_crossentropy")
    x = rng.normal(size=(6, *input_shape)).astype(dtype)
    y = np.eye(N_CLASSES, dtype=dtype)[rng.integers(0, N_CLASSES, size=6)]

    def difference(a, b):
        return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))

    found = {"predictions before": difference(ours.predict(x), theirs.predict(x, verbose=0))}
    losses = []
    for _ in range(TRAIN_STEPS):
        losses.append(difference(ours.train_on_batch(x, y), theirs.train_on_batch(x, y)))
    found["losses"] = max(losses)
    found["predictions after"] = difference(ours.predict(x), theirs.predict(x, verbose=0))
    mine, yours = ours.get_weights(), theirs.get_weights()
    assert [w.shape for w in mine] == [w.shape for w in yours]
    found["weights after"] = max(difference(a, b) for a, b in zip(mine, yours))
    found["dtype"] = str(ours.predict(x).dtype)
    return found


LARGEST = {}


@pytest.fixture(scope="module", autouse=True)
def report_largest_difference():
    yield
    for floatx, (value, where) in sorted(LARGEST.items()):
        print(f"\nlargest Keras difference ({floatx}): {value:.3g} at {where}")


def record(floatx, case, found):
    for what, value in found.items():
        if what != "dtype" and value > LARGEST.get(floatx, (-1.0, ""))[0]:
            LARGEST[floatx] = (value, f"{case}: {what}")


@pytest.fixture
def keras_jax():
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend")
    yield
    keras.config.set_floatx("float32")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_agrees_with_keras_float32(fresh_library_state, keras_jax, case):
    found = compare_with_keras(case, "float32")
    record("float32", case, found)
    assert found.pop("dtype") == "float32"
    assert max(found.values()) <= TOLERANCE["float32"], found


def test_agrees_with_keras_float64_in_jax_64_bit_mode(keras_jax):
    """All cases in one subprocess that turns on JAX_ENABLE_X64 before JAX is imported."""
    here = pathlib.Path(__file__).resolve()
    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); import test_convolutional as t; "
              "print(json.dumps({case: t.compare_with_keras(case, 'float64') for case in sorted(t.CASES)}))")
    env = {**os.environ, "JAX_ENABLE_X64": "1", "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
           "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-c", script, str(here.parent)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=here.parents[1])
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(results) == sorted(CASES)
    for case, found in results.items():
        assert found.pop("dtype") == "float64", case
        record("float64", case, found)
        assert max(found.values()) <= TOLERANCE["float64"], (case, found)


def test_output_shapes_follow_keras_arithmetic(keras_jax):
    for n in range(1, 10):
        for k in range(1, 5):
            for s in range(1, 4):
                for padding in ("valid", "same"):
                    ours = output_length(n, k, s, padding)
                    if ours <= 0:
                        continue
                    theirs = keras.layers.Conv2D(1, (k, 1), strides=(s, 1), padding=padding).compute_output_shape(
                        (None, n, 1, 1))[1]
                    pooled = keras.layers.MaxPooling2D((k, 1), strides=(s, 1), padding=padding).compute_output_shape(
                        (None, n, 1, 1))[1]
                    assert ours == theirs == pooled, (n, k, s, padding)
                    assert Conv2D(1, (k, 1), strides=(s, 1), padding=padding).compute_output_shape((n, 1, 1))[0] == ours
