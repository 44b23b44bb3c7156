"""Unit and property tests of nnlib.activations (chapter 2, Activation functions).

Values are checked at points worked out by hand, derivatives against central
differences in float64 (away from the kinks of step, relu and leaky_relu), and the
softmax Jacobian against a numerical Jacobian.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import activations
from nnlib.gradients import numerical_diff

# Points that stay clear of the kink at 0 by much more than the difference step h.
SMOOTH_POINTS = np.array([-3.0, -1.5, -0.4, -0.05, 0.05, 0.3, 1.0, 2.5, 4.0])

DERIVATIVE_PAIRS = [
    ("step", activations.step, activations.step_derivative),
    ("linear", activations.linear, activations.linear_derivative),
    ("sigmoid", activations.sigmoid, activations.sigmoid_derivative),
    ("tanh", activations.tanh, activations.tanh_derivative),
    ("relu", activations.relu, activations.relu_derivative),
    ("leaky_relu", activations.leaky_relu, activations.leaky_relu_derivative),
]

# Floats of any magnitude a float64 can hold comfortably, including 0 and +-1e300.
ANY_MAGNITUDE = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)


def no_overflow_or_invalid():
    """Turn overflow, invalid operations and division by zero into errors.

    Underflow is left alone on purpose: exp(-1000) rounding to 0.0 is the correct
    answer, not a fault, and every stable sigmoid or softmax relies on it.
    """
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")


def numerical_elementwise_derivative(function, points, h=1e-6):
    return np.array([numerical_diff(lambda t: float(function(np.float64(t))), float(p), h=h) for p in points])


def numerical_jacobian(function, x, h=1e-6):
    """J[i, j] = d function(x)_i / d x_j by central differences, for a vector x."""
    k = len(x)
    jac = np.zeros((k, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = h
        jac[:, j] = (function(x + step) - function(x - step)) / (2 * h)
    return jac


# --- values at known points ----------------------------------------------------------------------

def test_step_is_one_only_for_positive_inputs():
    np.testing.assert_array_equal(activations.step(np.array([-2.0, 0.0, 1e-9, 3.0])), [0.0, 0.0, 1.0, 1.0])


def test_step_of_integer_input_returns_floats():
    out = activations.step(np.array([-1, 0, 2]))
    assert np.issubdtype(out.dtype, np.floating)
    np.testing.assert_array_equal(out, [0.0, 0.0, 1.0])


def test_linear_returns_its_input_unchanged():
    x = np.array([[-1.5, 0.0], [2.0, 7.0]])
    np.testing.assert_array_equal(activations.linear(x), x)


def test_sigmoid_at_known_points():
    x = np.array([0.0, np.log(3.0), -np.log(3.0)])
    # sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, and sigmoid(-x) = 1 - sigmoid(x).
    np.testing.assert_allclose(activations.sigmoid(x), [0.5, 0.75, 0.25], rtol=1e-12)


def test_sigmoid_of_a_python_scalar_is_one_half_at_zero():
    assert float(activations.sigmoid(0.0)) == 0.5


def test_sigmoid_keeps_float32():
    assert activations.sigmoid(np.array([1.0, -1.0], dtype=np.float32)).dtype == np.float32


def test_tanh_at_known_points():
    x = np.array([0.0, np.log(2.0)])
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5.
    np.testing.assert_allclose(activations.tanh(x), [0.0, 0.6], rtol=1e-12)


def test_relu_zeroes_negative_inputs_only():
    np.testing.assert_array_equal(activations.relu(np.array([-3.0, -0.0, 0.0, 2.5])), [0.0, 0.0, 0.0, 2.5])


def test_relu_keeps_the_input_dtype():
    assert activations.relu(np.array([-1.0, 1.0], dtype=np.float32)).dtype == np.float32


def test_leaky_relu_uses_keras_default_slope_of_0_2():
    np.testing.assert_allclose(activations.leaky_relu(np.array([-5.0, -1.0, 0.0, 3.0])), [-1.0, -0.2, 0.0, 3.0])


def test_leaky_relu_accepts_another_slope():
    np.testing.assert_allclose(activations.leaky_relu(np.array([-2.0, 2.0]), negative_slope=0.01), [-0.02, 2.0])


def test_leaky_relu_of_integer_input_keeps_the_negative_slope():
    np.testing.assert_allclose(activations.leaky_relu(np.array([-1, 2])), [-0.2, 2.0])


def test_softmax_at_a_known_point():
    # softmax([0, ln 2, ln 5]) = [1, 2, 5] / 8.
    np.testing.assert_allclose(activations.softmax(np.array([0.0, np.log(2.0), np.log(5.0)])),
                               [1 / 8, 2 / 8, 5 / 8], rtol=1e-12)


def test_softmax_is_unchanged_by_adding_a_constant_to_a_row():
    x = np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, 0.0]])
    np.testing.assert_allclose(activations.softmax(x), activations.softmax(x + 1000.0), rtol=1e-12)


def test_softmax_normalises_along_the_requested_axis():
    x = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]])
    np.testing.assert_allclose(activations.softmax(x, axis=0).sum(axis=0), [1.0, 1.0])
    np.testing.assert_allclose(activations.softmax(x, axis=0), activations.softmax(x.T).T, rtol=1e-12)


def test_softmax_is_stable_for_large_inputs():
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    with no_overflow_or_invalid():
        out = activations.softmax(x)
    expected = activations.softmax(np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(out[0], expected, rtol=1e-12)
    np.testing.assert_allclose(out[1], expected[::-1], rtol=1e-12)


def test_sigmoid_does_not_overflow_for_large_negative_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = activations.sigmoid(np.array([-1000.0, -710.0, 710.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 0.0, 1.0, 1.0], rtol=0, atol=1e-300)


# --- derivatives ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, function, derivative", DERIVATIVE_PAIRS, ids=[p[0] for p in DERIVATIVE_PAIRS])
def test_derivative_equals_numerical_derivative_away_from_kinks(name, function, derivative):
    analytic = derivative(SMOOTH_POINTS)
    numeric = numerical_elementwise_derivative(function, SMOOTH_POINTS)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name, function, derivative", DERIVATIVE_PAIRS, ids=[p[0] for p in DERIVATIVE_PAIRS])
def test_derivative_has_the_shape_of_its_input(name, function, derivative):
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    assert derivative(x).shape == (3, 4)


def test_leaky_relu_derivative_with_another_slope_equals_numerical_derivative():
    analytic = activations.leaky_relu_derivative(SMOOTH_POINTS, negative_slope=0.05)
    numeric = numerical_elementwise_derivative(lambda t: activations.leaky_relu(t, negative_slope=0.05),
                                               SMOOTH_POINTS)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_relu_derivative_is_zero_at_the_kink_as_in_keras():
    np.testing.assert_array_equal(activations.relu_derivative(np.array([-1.0, 0.0, 1.0])), [0.0, 0.0, 1.0])


def test_sigmoid_derivative_equals_s_times_one_minus_s():
    x = np.linspace(-6, 6, 25)
    s = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(activations.sigmoid_derivative(x), s * (1.0 - s), rtol=1e-12)


def test_sigmoid_derivative_peaks_at_one_quarter():
    assert float(activations.sigmoid_derivative(np.array(0.0))) == 0.25


def test_tanh_derivative_equals_one_minus_tanh_squared():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(activations.tanh_derivative(x), 1.0 - np.tanh(x) ** 2, rtol=1e-12)


# --- softmax Jacobian and its vector-Jacobian product --------------------------------------------------

def test_softmax_jacobian_matches_the_formula_s_i_delta_ij_minus_s_j():
    x = np.array([0.5, -1.0, 2.0])
    s = activations.softmax(x)
    expected = np.diag(s) - np.outer(s, s)
    np.testing.assert_allclose(activations.softmax_jacobian(x), expected, rtol=1e-12)


def test_softmax_jacobian_equals_numerical_jacobian():
    x = np.array([0.3, -1.2, 2.0, 0.0])
    np.testing.assert_allclose(activations.softmax_jacobian(x), numerical_jacobian(activations.softmax, x),
                               rtol=1e-6, atol=1e-10)


def test_softmax_jacobian_of_a_batch_has_one_matrix_per_row():
    x = np.random.default_rng(3).normal(size=(5, 4))
    jac = activations.softmax_jacobian(x)
    assert jac.shape == (5, 4, 4)
    for row in range(5):
        np.testing.assert_allclose(jac[row], numerical_jacobian(activations.softmax, x[row]), rtol=1e-6, atol=1e-10)


def test_softmax_jacobian_rows_sum_to_zero():
    # The outputs always sum to 1, so moving any input changes their total by 0.
    jac = activations.softmax_jacobian(np.random.default_rng(4).normal(size=(3, 5)))
    np.testing.assert_allclose(jac.sum(axis=-2), 0.0, atol=1e-12)


def test_softmax_backward_equals_dout_times_jacobian_per_row():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 4))
    dout = rng.normal(size=(6, 4))
    jac = activations.softmax_jacobian(x)
    expected = np.stack([dout[i] @ jac[i] for i in range(6)])
    np.testing.assert_allclose(activations.softmax_backward(x, dout), expected, rtol=1e-10, atol=1e-14)


# --- lookup by name ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"])
def test_get_returns_the_function_of_that_name(name):
    assert activations.get(name) is getattr(activations, name)


@pytest.mark.parametrize("name", ["step", "linear", "sigmoid", "tanh", "relu", "leaky_relu"])
def test_get_derivative_returns_the_derivative_of_that_name(name):
    assert activations.get_derivative(name) is getattr(activations, name + "_derivative")


def test_get_derivative_of_softmax_is_its_jacobian():
    assert activations.get_derivative("softmax") is activations.softmax_jacobian


def test_none_means_linear():
    assert activations.get(None) is activations.linear
    assert activations.get_derivative(None) is activations.linear_derivative


def test_get_passes_a_known_function_through():
    assert activations.get(activations.tanh) is activations.tanh
    assert activations.get_derivative(activations.relu) is activations.relu_derivative


def test_get_rejects_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown activation 'selu'.*Known activations: .*relu.*sigmoid"):
        activations.get("selu")


def test_get_derivative_rejects_an_unknown_name():
    with pytest.raises(ValueError, match=r"Unknown activation 'selu'"):
        activations.get_derivative("selu")


def test_get_rejects_a_foreign_function_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"activation: expected one of nnlib's activation.*Known activations"):
        activations.get(np.exp)


# --- properties ----------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
                  elements=ANY_MAGNITUDE))
def test_softmax_rows_sum_to_one_and_are_finite_for_any_magnitude(x):
    with no_overflow_or_invalid():
        out = activations.softmax(x)
    assert np.all(np.isfinite(out))
    assert np.all((out >= 0.0) & (out <= 1.0))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=8), elements=ANY_MAGNITUDE))
def test_sigmoid_is_finite_and_in_unit_interval_for_huge_inputs(x):
    with no_overflow_or_invalid():
        out = activations.sigmoid(x)
    assert out.shape == x.shape
    assert np.all(np.isfinite(out))
    assert np.all((out >= 0.0) & (out <= 1.0))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=8), elements=ANY_MAGNITUDE))
def test_sigmoid_is_symmetric_about_one_half(x):
    with no_overflow_or_invalid():
        np.testing.assert_allclose(activations.sigmoid(x) + activations.sigmoid(-x), 1.0, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=8),
                  elements=st.floats(min_value=-50, max_value=50)))
def test_sigmoid_derivative_is_between_zero_and_one_quarter(x):
    d = activations.sigmoid_derivative(x)
    assert np.all((d >= 0.0) & (d <= 0.25))
