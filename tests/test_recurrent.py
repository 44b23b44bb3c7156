"""Recurrent layers (chapter 14): BPTT gradient checks, Keras agreement, shapes and errors.

Every backward pass (SimpleRNN, LSTM, GRU with both reset_after settings; last output,
whole sequence, returned states; stacked) is checked against float64 central differences.
Agreement with Keras 3 on JAX: predictions, and weights and predictions after three SGD steps,
for each cell with and without return_sequences and stacked -- float32 in this process
(<= 1e-5), float64 in one subprocess with JAX_ENABLE_X64=1 (<= 1e-9).
"""
import json
import os
import subprocess
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.layers import GRU, LSTM, Dense, Input, SimpleRNN  # noqa: E402
from nnlib.layers.recurrent import gru_step, lstm_step, simple_rnn_step  # noqa: E402
from nnlib.models import Sequential  # noqa: E402

CELLS = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
BATCH, STEPS, FEATURES, UNITS = 3, 4, 2, 3
# "last": cell -> Dense; "stacked": cell(return_sequences) -> cell(return_sequences) -> Flatten -> Dense,
# which covers whole-sequence outputs between layers and at the top.
ARCHITECTURES = ("last", "stacked")


def central_differences(array, objective, h=1e-6):
    """d objective() / d array by central differences: chapter 5's numerical_gradient, which
    perturbs ``array`` in place, so ``objective`` reads it through the layer."""
    return nnlib.gradients.numerical_gradient(lambda _: objective(), array, h=h)


def random_weights(layer, rng, scale=0.6):
    layer.set_weights([rng.normal(0.0, scale, size=w.shape) for w in layer.get_weights()])


def make_layer(cell, rng, **kwargs):
    kwargs = dict(kwargs)
    if cell == "GRU_reset_before":
        cell, kwargs["reset_after"] = "GRU", False
    layer = CELLS[cell](UNITS, **kwargs)
    layer.build((None, FEATURES))
    random_weights(layer, rng)
    return layer


# --- gradient checks (float64) ---------------------------------------------------------------------

GRAD_CELLS = ["SimpleRNN", "LSTM", "GRU", "GRU_reset_before"]


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cell", GRAD_CELLS)
def test_bptt_matches_central_differences(float64, cell, return_sequences):
    rng = np.random.default_rng(0)
    layer = make_layer(cell, rng, return_sequences=return_sequences)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    objective = lambda: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    analytic = {key: value.copy() for key, value in layer.grads.items()}
    np.testing.assert_allclose(dx, central_differences(x, objective), atol=1e-6, rtol=0)
    for key in layer.params:
        numeric = central_differences(layer.params[key], objective)
        np.testing.assert_allclose(analytic[key], numeric, atol=1e-6, rtol=0, err_msg=key)


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_bptt_with_returned_states(float64, cell):
    """With return_state, gradients arriving at h_T (and c_T) join the output's gradient."""
    rng = np.random.default_rng(1)
    layer = make_layer(cell, rng, return_sequences=True, return_state=True)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    outputs = layer.forward(x)
    assert len(outputs) == (3 if cell == "LSTM" else 2)
    douts = [rng.normal(size=o.shape) for o in outputs]
    dx = layer.backward(douts)
    objective = lambda: float(sum(np.sum(o * d) for o, d in zip(layer.forward(x), douts)))  # noqa: E731
    analytic = {key: value.copy() for key, value in layer.grads.items()}
    np.testing.assert_allclose(dx, central_differences(x, objective), atol=1e-6, rtol=0)
    for key in layer.params:
        np.testing.assert_allclose(analytic[key], central_differences(layer.params[key], objective),
                                   atol=1e-6, rtol=0, err_msg=key)


def test_stacked_model_passes_a_full_gradient_check(float64):
    rng = np.random.default_rng(2)
    model = Sequential([Input((STEPS, FEATURES)), LSTM(UNITS, return_sequences=True),
                        GRU(UNITS, return_sequences=True), SimpleRNN(UNITS), Dense(1)])
    for layer in model.layers:
        random_weights(layer, rng, 0.5)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    dout = rng.normal(size=(BATCH, 1))
    model.forward(x)
    model.backward(dout)
    analytic = [g.copy() for g in model.gradients()]
    objective = lambda: float(np.sum(model.forward(x) * dout))  # noqa: E731
    for (layer, key), grad in zip(model._parameters(), analytic):
        np.testing.assert_allclose(grad, central_differences(layer.params[key], objective),
                                   atol=1e-6, rtol=0, err_msg=f"{layer.name}.{key}")


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "linear"])
def test_bptt_with_other_activations(float64, activation):
    rng = np.random.default_rng(3)
    layer = make_layer("LSTM", rng, activation=activation, return_sequences=True)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    dout = rng.normal(size=layer.forward(x).shape)
    dx = layer.backward(dout)
    objective = lambda: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    np.testing.assert_allclose(dx, central_differences(x, objective), atol=1e-6, rtol=0)


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_bptt_without_bias(float64, cell):
    rng = np.random.default_rng(4)
    layer = make_layer(cell, rng, use_bias=False)
    assert list(layer.params) == ["kernel", "recurrent_kernel"]
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    dout = rng.normal(size=(BATCH, UNITS))
    layer.forward(x)
    layer.backward(dout)
    objective = lambda: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    np.testing.assert_allclose(layer.grads["recurrent_kernel"],
                               central_differences(layer.params["recurrent_kernel"], objective), atol=1e-6)


# --- the step functions are the layers' cells ------------------------------------------------------------

def test_step_functions_reproduce_the_layers(float64):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    for cell in ["SimpleRNN", "LSTM", "GRU", "GRU_reset_before"]:
        layer = make_layer(cell, rng, return_sequences=True)
        weights = layer.get_weights()
        h = np.zeros((BATCH, UNITS))
        c = np.zeros((BATCH, UNITS))
        for t in range(STEPS):
            if cell == "SimpleRNN":
                h = simple_rnn_step(x[:, t], h, *weights)
            elif cell == "LSTM":
                h, c = lstm_step(x[:, t], h, c, *weights)
            else:
                h = gru_step(x[:, t], h, *weights, reset_after=layer.reset_after)
            np.testing.assert_allclose(layer.forward(x)[:, t], h, atol=1e-12, err_msg=cell)


def test_saturated_tanh_cell_passes_no_gradient_back(float64):
    """Huge weights saturate tanh: the gradient reaching early steps vanishes, without NaN."""
    layer = SimpleRNN(2)
    layer.build((None, 1))
    layer.set_weights([np.full((1, 2), 50.0), 50.0 * np.eye(2), np.zeros(2)])
    x = np.ones((1, 6, 1))
    layer.forward(x)
    dx = layer.backward(np.ones((1, 2)))
    assert np.all(np.isfinite(dx)) and np.max(np.abs(dx[:, :-1])) < 1e-20


# --- shapes, weights, initializers -----------------------------------------------------------------------

def test_weight_shapes_and_order_match_keras_layouts():
    for layer, shapes in [
        (SimpleRNN(4), [(3, 4), (4, 4), (4,)]),
        (LSTM(4), [(3, 16), (4, 16), (16,)]),
        (GRU(4), [(3, 12), (4, 12), (2, 12)]),
        (GRU(4, reset_after=False), [(3, 12), (4, 12), (12,)]),
    ]:
        layer.build((5, 3))
        assert [w.shape for w in layer.get_weights()] == shapes
        assert list(layer.params) == ["kernel", "recurrent_kernel", "bias"]


def test_lstm_unit_forget_bias_starts_the_forget_gate_at_one():
    layer = LSTM(3)
    layer.build((None, 2))
    np.testing.assert_array_equal(layer.params["bias"], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    layer = LSTM(3, unit_forget_bias=False)
    layer.build((None, 2))
    np.testing.assert_array_equal(layer.params["bias"], np.zeros(12))


def test_recurrent_kernel_starts_orthogonal():
    nnlib.set_random_seed(0)
    for layer in (SimpleRNN(5), LSTM(5), GRU(5)):
        layer.build((None, 2))
        u = layer.params["recurrent_kernel"].astype(np.float64)
        np.testing.assert_allclose(u @ u.T, np.eye(5), atol=1e-5)  # rows orthonormal
        assert u.dtype == np.float64 or layer.params["recurrent_kernel"].dtype == np.float32


def test_output_shapes_and_summary(capsys):
    model = Sequential([Input((7, 3)), GRU(4, return_sequences=True), LSTM(5), Dense(2)])
    assert [layer.output_shape for layer in model.layers] == [(7, 4), (5,), (2,)]
    assert model.predict(np.zeros((2, 7, 3))).shape == (2, 2)
    model.summary()
    out = capsys.readouterr().out
    # GRU: 3*(3*4 + 4*4) + 2*12 = 108; LSTM: 4*(4*5 + 5*5 + 5) = 200; Dense: 12
    assert "(None, 7, 4)" in out and "Total params: 320" in out


def test_a_layer_built_from_a_batch_takes_any_length():
    layer = SimpleRNN(2, return_sequences=True)
    assert layer.forward(np.ones((1, 5, 3))).shape == (1, 5, 2)
    assert layer.forward(np.ones((2, 9, 3))).shape == (2, 9, 2)


def test_model_trains_on_a_sequence_task():
    nnlib.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5, 1)).astype("float32")
    y = x[:, 0, :]  # recall the first value
    model = Sequential([Input((5, 1)), LSTM(8), Dense(1)])
    model.compile(optimizer=nnlib.optimizers.Adam(0.02), loss="mse")
    first = model.evaluate(x, y)
    model.fit(x, y, epochs=30, batch_size=16, verbose=0, seed=0)
    assert model.evaluate(x, y) < 0.5 * first


# --- errors ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_a_rank_two_batch_is_refused_clearly(cell):
    layer = CELLS[cell](3)
    with pytest.raises(ValueError, match=r"x: .*batch of sequences of shape \(batch, timesteps, features\).*x\[None\]"):
        layer.forward(np.ones((4, 5)))
    model = Sequential([Input((5, 2)), CELLS[cell](3)])
    with pytest.raises(ValueError, match=r"\(None, 5, 2\)"):
        model.predict(np.ones((4, 2)))


def test_feature_mismatch_is_refused_clearly():
    layer = LSTM(3)
    layer.forward(np.ones((2, 4, 2)))
    with pytest.raises(ValueError, match=r"built for 2 feature\(s\) per step.*got shape \(2, 4, 5\)"):
        layer.forward(np.ones((2, 4, 5)))
    model = Sequential([Input((4, 2)), GRU(3)])
    with pytest.raises(ValueError, match="x: expected an array of shape"):
        model.predict(np.ones((2, 4, 5)))


def test_zero_timesteps_are_refused_clearly():
    layer = GRU(3)
    with pytest.raises(ValueError, match=r"at least one timestep, got shape \(2, 0, 3\)"):
        layer.forward(np.ones((2, 0, 3)))


def test_an_input_of_the_wrong_rank_is_refused_at_build():
    with pytest.raises(ValueError, match="expects samples of rank 2"):
        Sequential([Input((4,)), SimpleRNN(3)])


def test_return_state_in_sequential_is_refused_clearly():
    with pytest.raises(ValueError, match="return_state: .*Sequential model cannot"):
        Sequential([Input((4, 2)), LSTM(3, return_state=True)])


@pytest.mark.parametrize("kwargs, match", [
    ({"units": 0}, "units"),
    ({"units": 2, "return_sequences": "yes"}, "return_sequences"),
    ({"units": 2, "activation": "nope"}, "nope"),
    ({"units": 2, "recurrent_initializer": "nope"}, "nope"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LSTM(**kwargs)


def test_backward_checks_its_gradient_shape_and_needs_forward():
    layer = SimpleRNN(3, return_sequences=True)
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.ones((2, 4, 3)))
    layer.forward(np.ones((2, 4, 1)))
    with pytest.raises(ValueError, match=r"dout: .*\(2, 4, 3\), got \(2, 3\)"):
        layer.backward(np.ones((2, 3)))


# --- agreement with Keras ----------------------------------------------------------------------------------

def agreement_differences(dtype):
    """Max |nnlib - Keras| for every cell x architecture: predictions before and after 3 SGD steps, weights.

    Runs in the current process; for float64 the caller must have set JAX_ENABLE_X64=1 before jax loads.
    """
    import keras

    if dtype == "float64":
        # Keras 3.15's type promotion on JAX maps float64 to float32 whatever JAX's x64 flag says
        # (keras/src/backend/common/dtypes.py, BIT64_TO_BIT32_DTYPE), so ops.tanh and ops.sigmoid
        # of a float64 tensor return float32 and the RNN scan refuses the mixed carry. This process
        # exists only for the float64 comparison, so the mapping is switched off here.
        from keras.src.backend.common import dtypes as keras_dtypes

        keras_dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    previous = nnlib.floatx()
    nnlib.set_floatx(dtype)
    results = {}
    try:
        for cell in ["SimpleRNN", "LSTM", "GRU"]:
            for architecture in ARCHITECTURES:
                results[f"{cell}/{architecture}"] = _one_agreement(keras, cell, architecture, dtype)
    finally:
        nnlib.set_floatx(previous)
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float32")
    return results


def _one_agreement(keras, cell, architecture, dtype):
    rng = np.random.default_rng(10 * list(CELLS).index(cell) + ARCHITECTURES.index(architecture))
    x = rng.normal(size=(BATCH + 1, STEPS, FEATURES)).astype(dtype)
    y = rng.normal(size=(BATCH + 1, 1)).astype(dtype)

    def layers(lib):
        rnn = getattr(lib.layers, cell)
        if architecture == "last":
            return [rnn(UNITS), lib.layers.Dense(1)]
        return [rnn(UNITS, return_sequences=True), rnn(UNITS, return_sequences=True), lib.layers.Flatten(),
                lib.layers.Dense(1)]

    ours = Sequential([Input((STEPS, FEATURES)), *layers(nnlib)])
    ours.set_weights([rng.normal(0.0, 0.5, size=w.shape) for w in ours.get_weights()])
    theirs = keras.Sequential([keras.Input((STEPS, FEATURES)), *layers(keras)])
    theirs.set_weights(ours.get_weights())
    differences = {"predict": float(np.max(np.abs(ours.predict(x) - np.asarray(theirs(x)))))}
    start = ours.get_weights()
    ours.compile(optimizer=nnlib.optimizers.SGD(0.1), loss="mse")
    theirs.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    for _ in range(3):
        ours.train_on_batch(x, y)
        theirs.train_on_batch(x, y)
    differences["weights"] = max(float(np.max(np.abs(a - np.asarray(b))))
                                 for a, b in zip(ours.get_weights(), theirs.get_weights()))
    differences["predict_after"] = float(np.max(np.abs(ours.predict(x) - np.asarray(theirs(x)))))
    differences["moved"] = max(float(np.max(np.abs(a - b))) for a, b in zip(ours.get_weights(), start))
    return differences


@pytest.fixture(scope="module")
def float32_agreement():
    pytest.importorskip("keras")
    pytest.importorskip("jax")
    import keras

    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend")
    return agreement_differences("float32")


@pytest.fixture(scope="module")
def float64_agreement():
    pytest.importorskip("keras")
    pytest.importorskip("jax")
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, JAX_ENABLE_X64="1", KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               PYTHONPATH=os.pathsep.join([here, os.path.dirname(here), os.environ.get("PYTHONPATH", "")]))
    code = "import json, test_recurrent as t; print(json.dumps(t.agreement_differences('float64')))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case", [f"{c}/{a}" for c in ["SimpleRNN", "LSTM", "GRU"] for a in ARCHITECTURES])
def test_keras_agreement_float32(float32_agreement, case):
    found = float32_agreement[case]
    print(f"\nfloat32 {case}: {found}")
    for key in ("predict", "weights", "predict_after"):
        assert found[key] <= 1e-5, f"{case} {key}: max |nnlib - keras| = {found[key]:.3g}"
    assert found["moved"] > 1e-3, "training did not move the weights: the comparison would be empty"


@pytest.mark.parametrize("case", [f"{c}/{a}" for c in ["SimpleRNN", "LSTM", "GRU"] for a in ARCHITECTURES])
def test_keras_agreement_float64(float64_agreement, case):
    found = float64_agreement[case]
    print(f"\nfloat64 {case}: {found}")
    for key in ("predict", "weights", "predict_after"):
        assert found[key] <= 1e-9, f"{case} {key}: max |nnlib - keras| = {found[key]:.3g}"
    assert found["moved"] > 1e-3


# --- the chapter's helpers: gradient-norm curves, the shipped text ------------------------------------------

def test_jacobian_norms_follow_the_gain_exactly_in_a_linear_cell():
    from nnlib.widgets.recurrence import jacobian_norms

    for gain in (0.8, 1.0, 1.2):
        norms = jacobian_norms(30, gain=gain, activation="linear")
        np.testing.assert_allclose(norms, gain ** np.arange(30, -1, -1), rtol=1e-9)


def test_jacobian_norms_match_a_central_difference_jacobian():
    """||dh_T/dh_0|| from the product of Jacobians equals the norm of the finite-difference Jacobian."""
    from nnlib.widgets.recurrence import jacobian_norms

    units, length, gain, seed = 4, 6, 1.1, 3
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(units, units)))
    recurrent = gain * q * np.sign(np.diag(r))
    kernel = rng.uniform(-1.0, 1.0, size=(1, units))
    inputs = rng.normal(0.0, 1.0, size=(length, 1))

    def run(h0):
        h = h0
        for t in range(length):
            h = np.tanh(inputs[t] @ kernel + h @ recurrent)
        return h

    jac = np.zeros((units, units))
    for i in range(units):
        e = np.zeros(units)
        e[i] = 1e-6
        jac[i] = (run(e) - run(-e)) / 2e-6
    expected = np.linalg.norm(jac, 2)
    assert jacobian_norms(length, gain, units, seed=seed)[0] == pytest.approx(expected, rel=1e-6)


def test_gradient_norms_vanish_with_tanh_and_bad_arguments_are_refused():
    from nnlib.widgets.recurrence import gradient_norm_figure, jacobian_norms

    norms = jacobian_norms(60, gain=1.0)
    assert norms[-1] == 1.0 and norms[0] < 1e-3
    with pytest.raises(ValueError, match="gain"):
        jacobian_norms(10, gain=0)
    with pytest.raises(ValueError, match="activation"):
        jacobian_norms(10, activation="relu")
    with pytest.raises(ValueError, match="length"):
        jacobian_norms(0)
    import matplotlib.pyplot as plt

    fig = gradient_norm_figure(20)
    assert fig.axes[0].get_title().startswith("How much gradient")
    plt.close(fig)


def test_gradient_norm_arguments_named_in_errors():
    from nnlib.widgets.recurrence import gradient_norm_figure, jacobian_norms
    for scale in (-1.0, float("nan"), "1"):
        with pytest.raises(ValueError, match="input_scale"):
            jacobian_norms(10, input_scale=scale)
    with pytest.raises(ValueError, match="gains"):
        gradient_norm_figure(10, gains=())
    # zero input keeps the tanh cell at h = 0, where the slope is 1: gain 1 then neither shrinks nor grows
    assert np.allclose(jacobian_norms(20, gain=1.0, input_scale=0.0), 1.0)


def test_static_gradient_norm_explorer_has_one_frame_per_length():
    from nnlib.widgets.recurrence import static_gradient_norm_explorer

    html = static_gradient_norm_explorer(lengths=(5, 10), dpi=30).data
    assert html.count("data:image/png;base64,") == 2


def test_the_shipped_text_and_its_windows():
    from nnlib import datasets

    text = datasets.lighthouse_text()
    assert len(text) > 1500 and text.startswith("the keeper")
    x, y, alphabet = datasets.char_windows(text, 16, step=2)
    assert x.shape == (len(y), 16) and alphabet == sorted(set(text))
    assert "".join(alphabet[c] for c in x[3]) == text[6:22] and alphabet[y[3]] == text[22]
    with pytest.raises(ValueError, match="length"):
        datasets.char_windows(text, 0)
    with pytest.raises(ValueError, match="text"):
        datasets.char_windows("short", 16)
