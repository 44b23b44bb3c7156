"""Unit tests of nnlib.layers: Input, Dense and Activation (chapters 3 and 6).

The backward passes are checked against central-difference gradients of the scalar
L = sum(output * R), whose gradient with respect to the output is R, in float64.
"""
import numpy as np
import pytest

import nnlib
from nnlib import activations
from nnlib.gradients import numerical_gradient
from nnlib.layers import Activation, Dense, Input

ACTIVATION_NAMES = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "step"]
SMOOTH_ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
KINK_MARGIN = 1e-3


@pytest.fixture
def use_float64():
    previous = nnlib.floatx()
    nnlib.set_floatx("float64")
    yield
    nnlib.set_floatx(previous)


@pytest.fixture(autouse=True)
def fresh_library_generator(monkeypatch):
    monkeypatch.setattr(nnlib.config, "_rng", np.random.default_rng(0))


def built_dense(n_in, units, activation=None, use_bias=True, seed=0):
    """A Dense layer with random (not zero) kernel and bias, so every gradient term is exercised."""
    layer = Dense(units, activation=activation, use_bias=use_bias, name="dense")
    layer.build(n_in)
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n_in, units))] + ([rng.normal(size=units)] if use_bias else [])
    layer.set_weights(weights)
    return layer


def backward_against_numerical(layer, x, seed=1):
    """Analytic and numerical gradients of L = sum(layer.forward(x) * R) for x and each parameter."""
    upstream = np.random.default_rng(seed).normal(size=layer.forward(x).shape)

    def objective():
        return float(np.sum(layer.forward(x) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream)
    analytic = {"x": dx, **{key: layer.grads[key].copy() for key in layer.params}}
    numeric = {"x": numerical_gradient(lambda _: objective(), x, h=1e-6)}
    for key, value in layer.params.items():
        numeric[key] = numerical_gradient(lambda _: objective(), value, h=1e-6)
    return analytic, numeric


def inputs_away_from_kinks(layer, n_samples=5, seed=2):
    """A batch whose pre-activations all stay KINK_MARGIN away from 0 (relu and leaky_relu bend there)."""
    rng = np.random.default_rng(seed)
    while True:
        x = rng.normal(size=(n_samples, layer.input_dim))
        z = x @ layer.kernel + (layer.bias if layer.use_bias else 0.0)
        if np.abs(z).min() > KINK_MARGIN:
            return x


# --- Input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3,), 3, [3], (np.int64(3),)])
def test_input_normalises_its_shape_to_a_1_tuple(shape):
    assert Input(shape).shape == (3,)


def test_input_repr_shows_its_shape():
    assert repr(Input((2,))) == "Input(shape=(2,))"


# --- Dense forward -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_dense_forward_equals_x_at_w_plus_b_then_activation(activation, use_float64):
    layer = built_dense(3, 4, activation)
    x = np.random.default_rng(3).normal(size=(6, 3))
    expected = activations.get(activation)(x @ layer.kernel + layer.bias)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)


def test_dense_forward_by_hand():
    # Chapter 3's network, first node: inputs (2, 3), weights [2, 4] -> z = 2*2 + 3*4 = 16.
    layer = Dense(2, activation="relu")
    layer.build(2)
    layer.set_weights([np.array([[2.0, 4.0], [4.0, -5.0]]), np.zeros(2)])
    np.testing.assert_allclose(layer.forward(np.array([[2.0, 3.0]])), [[16.0, 0.0]])


def test_dense_output_shape_is_samples_by_units():
    layer = Dense(5)
    assert layer.forward(np.ones((7, 3))).shape == (7, 5)


def test_dense_builds_on_first_forward_with_keras_shapes():
    layer = Dense(4)
    assert not layer.built
    layer.forward(np.ones((2, 3)))
    assert layer.built
    assert layer.kernel.shape == (3, 4)
    assert layer.bias.shape == (4,)


def test_dense_bias_starts_at_zero_and_kernel_is_glorot_uniform():
    layer = Dense(20)
    layer.build(30)
    np.testing.assert_array_equal(layer.bias, np.zeros(20))
    assert np.all(np.abs(layer.kernel) <= np.sqrt(6.0 / 50))
    assert np.std(layer.kernel) > 0.0


def test_dense_parameters_follow_floatx(use_float64):
    layer = Dense(2)
    layer.build(3)
    assert layer.kernel.dtype == np.float64 and layer.bias.dtype == np.float64


def test_dense_parameters_default_to_float32():
    layer = Dense(2)
    layer.build(3)
    assert layer.kernel.dtype == np.float32 and layer.bias.dtype == np.float32


def test_dense_uses_named_and_callable_initializers():
    def halves(shape, seed=None):
        return np.full(shape, 0.5)
    layer = Dense(2, kernel_initializer="zeros", bias_initializer=halves)
    layer.build(3)
    np.testing.assert_array_equal(layer.kernel, np.zeros((3, 2)))
    np.testing.assert_array_equal(layer.bias, [0.5, 0.5])


def test_dense_accepts_an_activation_function():
    layer = Dense(2, activation=activations.tanh)
    assert layer.activation is activations.tanh
    assert layer.activation_name == "tanh"


def test_dense_activation_none_is_linear():
    layer = Dense(2)
    assert layer.activation is activations.linear


def test_dense_rejects_input_with_the_wrong_feature_count_once_built():
    layer = built_dense(3, 2)
    with pytest.raises(ValueError, match=r"x: layer 'dense' expects input of shape \(n_samples, 3\), got shape \(4, 2\)"):
        layer.forward(np.ones((4, 2)))


def test_dense_rejects_1d_input():
    layer = built_dense(3, 2)
    with pytest.raises(ValueError, match=r"x: layer 'dense' expects input of shape \(n_samples, 3\)"):
        layer.forward(np.ones(3))


def test_unnamed_layer_outside_a_model_is_called_by_its_type_in_messages():
    layer = Dense(2)
    layer.build(3)
    with pytest.raises(ValueError, match=r"x: layer 'dense' expects input of shape \(n_samples, 3\)"):
        layer.forward(np.ones((1, 4)))


def test_dense_backward_before_forward_raises():
    layer = built_dense(3, 2)
    with pytest.raises(RuntimeError, match="call forward before backward"):
        layer.backward(np.ones((1, 2)))


# --- Dense backward ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", SMOOTH_ACTIVATIONS)
def test_dense_backward_gives_numerical_gradients_for_kernel_bias_and_input(activation, use_float64):
    layer = built_dense(3, 4, activation)
    x = inputs_away_from_kinks(layer)
    analytic, numeric = backward_against_numerical(layer, x)
    for key in ("kernel", "bias", "x"):
        np.testing.assert_allclose(analytic[key], numeric[key], rtol=1e-6, atol=1e-9, err_msg=key)


def test_dense_backward_without_bias_gives_numerical_gradients(use_float64):
    layer = built_dense(4, 3, "tanh", use_bias=False)
    x = inputs_away_from_kinks(layer)
    analytic, numeric = backward_against_numerical(layer, x)
    assert set(analytic) == {"x", "kernel"}
    for key in ("kernel", "x"):
        np.testing.assert_allclose(analytic[key], numeric[key], rtol=1e-6, atol=1e-9, err_msg=key)


def test_dense_backward_formulas_for_a_linear_layer(use_float64):
    layer = built_dense(2, 3)
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    dout = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    layer.forward(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(layer.grads["kernel"], x.T @ dout)
    np.testing.assert_allclose(layer.grads["bias"], dout.sum(axis=0))
    np.testing.assert_allclose(dx, dout @ layer.kernel.T)


def test_dense_step_activation_passes_no_gradient(use_float64):
    layer = built_dense(2, 2, "step")
    layer.forward(np.array([[1.0, -1.0]]))
    dx = layer.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(dx, 0.0)
    np.testing.assert_array_equal(layer.grads["kernel"], 0.0)


def test_dense_grads_have_the_shapes_of_params():
    layer = built_dense(3, 4, "relu")
    layer.forward(np.ones((5, 3)))
    layer.backward(np.ones((5, 4)))
    assert {key: g.shape for key, g in layer.grads.items()} == {key: p.shape for key, p in layer.params.items()}


# --- parameters and weights --------------------------------------------------------------------------------------

def test_param_names_are_kernel_then_bias():
    layer = built_dense(3, 2)
    assert list(layer.params) == ["kernel", "bias"]
    kernel, bias = layer.get_weights()
    np.testing.assert_array_equal(kernel, layer.kernel)
    np.testing.assert_array_equal(bias, layer.bias)


def test_count_params_is_n_in_times_units_plus_units():
    assert built_dense(3, 4).count_params() == 3 * 4 + 4


def test_use_bias_false_has_only_a_kernel():
    layer = Dense(4, use_bias=False)
    layer.build(3)
    assert list(layer.params) == ["kernel"]
    assert layer.bias is None
    assert layer.count_params() == 12
    x = np.random.default_rng(4).normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_allclose(layer.forward(x), x @ layer.kernel, rtol=1e-6)


def test_get_weights_returns_copies():
    layer = built_dense(2, 2)
    weights = layer.get_weights()
    weights[0][...] = 99.0
    assert not np.any(layer.kernel == 99.0)


def test_set_weights_copies_and_keeps_the_dtype():
    layer = Dense(2)
    layer.build(2)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])  # float64 into a float32 layer
    layer.set_weights([kernel, np.array([0.5, -0.5])])
    kernel[0, 0] = 99.0
    assert layer.kernel.dtype == np.float32
    np.testing.assert_array_equal(layer.kernel, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(layer.bias, [0.5, -0.5])


def test_set_weights_rejects_the_wrong_count():
    layer = built_dense(3, 2)
    with pytest.raises(ValueError, match=r"weights: layer 'dense' expects 2 array\(s\) with shapes \[\(3, 2\), \(2,\)\], got 1"):
        layer.set_weights([np.zeros((3, 2))])


def test_set_weights_rejects_the_wrong_shape():
    layer = built_dense(3, 2)
    with pytest.raises(ValueError, match=r"weights: layer 'dense' expects kernel of shape \(3, 2\), got shape \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])


def test_failed_set_weights_leaves_the_layer_unchanged():
    layer = built_dense(3, 2)
    before = layer.get_weights()
    with pytest.raises(ValueError):
        layer.set_weights([np.ones((3, 2)), np.ones(5)])
    np.testing.assert_array_equal(layer.kernel, before[0])


# --- Activation layer ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_activation_layer_forward_applies_the_function(activation):
    x = np.random.default_rng(5).normal(size=(4, 3))
    np.testing.assert_allclose(Activation(activation).forward(x), activations.get(activation)(x))


@pytest.mark.parametrize("activation", SMOOTH_ACTIVATIONS)
def test_activation_layer_backward_gives_numerical_gradient(activation):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 3))
    x[np.abs(x) < KINK_MARGIN] = 0.5
    layer = Activation(activation)
    analytic, numeric = backward_against_numerical(layer, x)
    np.testing.assert_allclose(analytic["x"], numeric["x"], rtol=1e-6, atol=1e-9)


def test_activation_layer_has_no_parameters():
    layer = Activation("relu")
    layer.forward(np.ones((2, 3)))
    assert layer.params == {} and layer.get_weights() == [] and layer.count_params() == 0
    assert layer.output_dim(3) == 3


def test_activation_layer_set_weights_rejects_any_array():
    layer = Activation("relu")
    with pytest.raises(ValueError, match=r"expects 0 array\(s\)"):
        layer.set_weights([np.zeros(2)])


def test_activation_layer_rejects_an_unknown_name():
    with pytest.raises(ValueError, match=r"Unknown activation 'selu'.*Known activations"):
        Activation("selu")
