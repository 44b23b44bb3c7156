"""Unit tests of nnlib.optimizers: Keras 3 update rules worked by hand for two steps, in float64.

Chapter 5 derives plain gradient descent; chapter 7 momentum, Nesterov, RMSprop and Adam.
"""
import numpy as np
import pytest

from nnlib import optimizers


def run_two_steps(optimizer, start, gradients):
    """Apply two steps to a copy of ``start`` (a list of arrays) and return the params after each step."""
    params = [np.array(p, dtype=np.float64) for p in start]
    history = []
    for grads in gradients:
        optimizer.apply(params, [np.array(g, dtype=np.float64) for g in grads])
        history.append([p.copy() for p in params])
    return history


W0 = [np.array([1.0, -2.0])]
G = [[np.array([0.5, -1.0])], [np.array([0.25, 2.0])]]


# --- SGD --------------------------------------------------------------------------------------------------

def test_plain_sgd_two_steps():
    first, second = run_two_steps(optimizers.SGD(learning_rate=0.1), W0, G)
    # w1 = w0 - 0.1 g1 = [1 - 0.05, -2 + 0.1]; w2 = w1 - 0.1 g2 = [0.95 - 0.025, -1.9 - 0.2].
    np.testing.assert_allclose(first[0], [0.95, -1.9], rtol=1e-12)
    np.testing.assert_allclose(second[0], [0.925, -2.1], rtol=1e-12)


def test_sgd_with_momentum_two_steps():
    first, second = run_two_steps(optimizers.SGD(learning_rate=0.1, momentum=0.9), W0, G)
    # v1 = -0.1 g1 = [-0.05, 0.1], w1 = w0 + v1 = [0.95, -1.9].
    # v2 = 0.9 v1 - 0.1 g2 = [-0.045 - 0.025, 0.09 - 0.2] = [-0.07, -0.11], w2 = [0.88, -2.01].
    np.testing.assert_allclose(first[0], [0.95, -1.9], rtol=1e-12)
    np.testing.assert_allclose(second[0], [0.88, -2.01], rtol=1e-12)


def test_sgd_with_nesterov_momentum_two_steps():
    first, second = run_two_steps(optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), W0, G)
    # v1 = [-0.05, 0.1]; w1 = w0 + 0.9 v1 - 0.1 g1 = [1 - 0.045 - 0.05, -2 + 0.09 + 0.1] = [0.905, -1.81].
    # v2 = [-0.07, -0.11]; w2 = w1 + 0.9 v2 - 0.1 g2 = [0.905 - 0.063 - 0.025, -1.81 - 0.099 - 0.2].
    np.testing.assert_allclose(first[0], [0.905, -1.81], rtol=1e-12)
    np.testing.assert_allclose(second[0], [0.817, -2.109], rtol=1e-12)


def test_momentum_state_is_kept_per_parameter():
    optimizer = optimizers.SGD(learning_rate=1.0, momentum=0.5)
    start = [np.array([0.0]), np.array([[0.0, 0.0]])]
    grads = [[np.array([1.0]), np.array([[0.0, 2.0]])], [np.array([0.0]), np.array([[0.0, 0.0]])]]
    first, second = run_two_steps(optimizer, start, grads)
    # Parameter 0: v = -1 then -0.5 -> w = -1 then -1.5. Parameter 1: v = [0, -2] then [0, -1].
    np.testing.assert_allclose(first[0], [-1.0])
    np.testing.assert_allclose(second[0], [-1.5])
    np.testing.assert_allclose(second[1], [[0.0, -3.0]])


def test_sgd_defaults_are_keras_defaults():
    sgd = optimizers.SGD()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)


# --- RMSprop ----------------------------------------------------------------------------------------------

def test_rmsprop_two_steps_with_large_gradients():
    # Here epsilon is negligible (sqrt(v) >> 1e-7), so this checks the running mean of squares.
    start = [np.array([1.0, -1.0])]
    grads = [[np.array([2.0, -0.5])], [np.array([1.0, 1.0])]]
    first, second = run_two_steps(optimizers.RMSprop(learning_rate=0.01, rho=0.9), start, grads)
    # v1 = 0.1 g1^2 = [0.4, 0.025]: w1 = w0 - 0.01 g1 / sqrt(v1) = [1 - 0.02/0.632456, -1 + 0.005/0.158114].
    v1 = np.array([0.4, 0.025])
    w1 = np.array([1.0, -1.0]) - 0.01 * np.array([2.0, -0.5]) / np.sqrt(v1)
    np.testing.assert_allclose(first[0], w1, rtol=1e-6)
    np.testing.assert_allclose(first[0], [0.968377, -0.968377], rtol=1e-6)
    # v2 = 0.9 v1 + 0.1 g2^2 = [0.46, 0.1225]; w2 = w1 - 0.01 g2 / sqrt(v2).
    v2 = np.array([0.46, 0.1225])
    np.testing.assert_allclose(second[0], w1 - 0.01 / np.sqrt(v2), rtol=1e-6)


def test_rmsprop_two_steps_match_keras_3_with_small_gradients():
    # Keras 3 divides by sqrt(v + epsilon), not sqrt(v) + epsilon; with g = 1e-4 the two differ tenfold.
    start = [np.array([0.0])]
    grads = [[np.array([1e-4])], [np.array([1e-4])]]
    first, second = run_two_steps(optimizers.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-7), start, grads)
    v1 = 0.1 * 1e-8                      # 1e-9
    w1 = -0.01 * 1e-4 / np.sqrt(v1 + 1e-7)
    v2 = 0.9 * v1 + 0.1 * 1e-8           # 1.9e-9
    w2 = w1 - 0.01 * 1e-4 / np.sqrt(v2 + 1e-7)
    np.testing.assert_allclose(first[0], [w1], rtol=1e-9)
    np.testing.assert_allclose(second[0], [w2], rtol=1e-9)


def test_rmsprop_defaults_are_keras_defaults():
    rmsprop = optimizers.RMSprop()
    assert (rmsprop.learning_rate, rmsprop.rho, rmsprop.epsilon) == (0.001, 0.9, 1e-7)


# --- Adam ---------------------------------------------------------------------------------------------------

def test_adam_two_steps_with_bias_correction():
    start = [np.array([1.0])]
    grads = [[np.array([0.5])], [np.array([-1.0])]]
    first, second = run_two_steps(optimizers.Adam(learning_rate=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
                                  start, grads)
    # Step 1: m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025,
    # alpha = 0.1 sqrt(1 - 0.999) / (1 - 0.9) = sqrt(0.001) = 0.0316228,
    # w1 = 1 - alpha m / (sqrt(v) + eps) = 1 - 0.0316228 * 0.05 / 0.0158115 = 0.9000006.
    m1, v1 = 0.05, 0.00025
    w1 = 1.0 - np.sqrt(0.001) * m1 / (np.sqrt(v1) + 1e-7)
    assert first[0][0] == pytest.approx(w1, rel=1e-12)
    assert first[0][0] == pytest.approx(0.9000006, abs=1e-7)
    # Step 2: m = 0.05 + 0.1 (-1 - 0.05) = -0.055, v = 0.00025 + 0.001 (1 - 0.00025) = 0.00124975,
    # alpha = 0.1 sqrt(1 - 0.999^2) / (1 - 0.9^2) = 0.1 sqrt(0.001999) / 0.19 = 0.0235317,
    # w2 = w1 - alpha m / (sqrt(v) + eps) = 0.9000006 + 0.0235317 * 0.055 / 0.0353519 = 0.9366109.
    m2, v2 = -0.055, 0.00124975
    alpha2 = 0.1 * np.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2)
    w2 = w1 - alpha2 * m2 / (np.sqrt(v2) + 1e-7)
    assert second[0][0] == pytest.approx(w2, rel=1e-12)
    assert second[0][0] == pytest.approx(0.9366109, abs=1e-7)


@pytest.mark.parametrize("gradient", [1e-3, 1.0, 1e3])
def test_adam_first_step_moves_about_the_learning_rate_whatever_the_gradient_scale(gradient):
    # Bias correction makes the first step lr * g / |g| (up to epsilon): m_hat = g, v_hat = g^2.
    param = np.array([0.0])
    optimizers.Adam(learning_rate=0.01).apply([param], [np.array([gradient])])
    assert param[0] == pytest.approx(-0.01, rel=5e-3)


def test_adam_counts_iterations_once_per_apply():
    adam = optimizers.Adam()
    params = [np.zeros(2), np.zeros(3)]
    adam.apply(params, [np.ones(2), np.ones(3)])
    adam.apply(params, [np.ones(2), np.ones(3)])
    assert adam.iterations == 2
    # Both parameters took identical steps: the step count is shared, not advanced per parameter.
    np.testing.assert_allclose(params[0], params[1][:2], rtol=1e-12)


def test_adam_defaults_are_keras_defaults():
    adam = optimizers.Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)


# --- shared behaviour -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", [optimizers.SGD(momentum=0.9, nesterov=True), optimizers.RMSprop(),
                                       optimizers.Adam()], ids=["sgd", "rmsprop", "adam"])
def test_apply_updates_float32_params_in_place_and_keeps_float32(optimizer):
    param = np.ones((2, 2), dtype=np.float32)
    alias = param
    optimizer.apply([param], [np.full((2, 2), 0.5, dtype=np.float32)])
    assert alias is param and param.dtype == np.float32
    assert np.all(param < 1.0)


@pytest.mark.parametrize("make", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam],
                         ids=["sgd", "rmsprop", "adam"])
def test_apply_with_mismatched_lists_raises(make):
    with pytest.raises(ValueError, match=r"grads: expected 2 gradient arrays, one per parameter, got 1"):
        make().apply([np.zeros(2), np.zeros(3)], [np.zeros(2)])


@pytest.mark.parametrize("make", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam],
                         ids=["sgd", "rmsprop", "adam"])
def test_apply_with_a_mismatched_shape_raises(make):
    with pytest.raises(ValueError, match=r"grads\[1\]: expected shape \(3,\), got \(4,\)"):
        make().apply([np.zeros(2), np.zeros(3)], [np.zeros(2), np.zeros(4)])


def test_get_adam_has_keras_defaults():
    adam = optimizers.get("adam")
    assert isinstance(adam, optimizers.Adam)
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)


@pytest.mark.parametrize("name, cls", [("sgd", optimizers.SGD), ("rmsprop", optimizers.RMSprop),
                                       ("adam", optimizers.Adam), ("Adam", optimizers.Adam)])
def test_get_builds_a_fresh_optimizer_by_name(name, cls):
    first, second = optimizers.get(name), optimizers.get(name)
    assert type(first) is cls and first is not second


def test_get_passes_an_optimizer_object_through():
    sgd = optimizers.SGD(learning_rate=0.5)
    assert optimizers.get(sgd) is sgd


def test_get_rejects_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adagrad'.*adam, adamw, rmsprop, sgd"):
        optimizers.get("adagrad")


@pytest.mark.parametrize("momentum", [-0.1, 1.5])
def test_sgd_rejects_momentum_outside_zero_one(momentum):
    with pytest.raises(ValueError, match=r"momentum: expected a fraction in \[0, 1\]"):
        optimizers.SGD(momentum=momentum)
