"""Reference tests for nnlib.gradients: numerical derivatives and gradient checks of backpropagation.

The gradient checks build small networks for every hidden activation, every loss with its natural output
activation, and 1 to 3 hidden layers, and require the analytic gradients of ``model.backward`` to agree
with central differences to a relative error of 1e-6 in float64 (chapter 6, Backpropagation).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlib
from nnlib.gradients import check_gradients, numerical_diff, numerical_gradient, rel_error

GRADIENT_TOLERANCE = 1e-6
N_INPUTS = 3
HIDDEN_UNITS = 4
N_SAMPLES = 6
N_CLASSES = 3
KINK_MARGIN = 1e-2  # hidden pre-activations stay this far from 0, where relu and leaky_relu bend

HIDDEN_ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]

# Independent NumPy versions of the hidden activations, used only to locate kinks.
REFERENCE_ACTIVATIONS = {
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
}


def regression_targets(rng, n_samples):
    return rng.normal(size=(n_samples, 2))


def probability_targets(rng, n_samples):
    return rng.uniform(0.05, 0.95, size=(n_samples, 2))


def binary_targets(rng, n_samples):
    labels = np.arange(n_samples) % 2  # both classes present
    return rng.permutation(labels).reshape(-1, 1).astype(float)


def integer_targets(rng, n_samples):
    return rng.permutation(np.arange(n_samples) % N_CLASSES)


def one_hot_targets(rng, n_samples):
    return np.eye(N_CLASSES)[integer_targets(rng, n_samples)]


def binary_crossentropy_from_logits():
    """keras.losses.BinaryCrossentropy(from_logits=True) in nnlib: a loss object for compile."""
    return nnlib.losses.BinaryCrossentropy(from_logits=True)


def categorical_crossentropy_from_logits():
    return nnlib.losses.CategoricalCrossentropy(from_logits=True)


# id -> (loss given to compile, output units, output activation, target maker)
LOSS_SETUPS = {
    "mse-linear": (lambda: "mse", 2, "linear", regression_targets),
    "mse-sigmoid": (lambda: "mse", 2, "sigmoid", probability_targets),
    "bce-sigmoid": (lambda: "binary_crossentropy", 1, "sigmoid", binary_targets),
    "bce_from_logits-linear": (binary_crossentropy_from_logits, 1, "linear", binary_targets),
    "cce-softmax": (lambda: "categorical_crossentropy", N_CLASSES, "softmax", one_hot_targets),
    "scce-softmax": (lambda: "sparse_categorical_crossentropy", N_CLASSES, "softmax", integer_targets),
    "cce_from_logits-linear": (categorical_crossentropy_from_logits, N_CLASSES, "linear", one_hot_targets),
}


def build_model(hidden_activation, n_hidden, n_outputs, output_activation, seed, dense_class=None):
    """A Sequential network N_INPUTS -> n_hidden x Dense(HIDDEN_UNITS) -> Dense(n_outputs), seeded."""
    nnlib.set_random_seed(seed)
    hidden_dense = dense_class or nnlib.layers.Dense
    layers = [nnlib.Input((N_INPUTS,))]
    layers += [hidden_dense(HIDDEN_UNITS, activation=hidden_activation) for _ in range(n_hidden)]
    layers.append(nnlib.layers.Dense(n_outputs, activation=output_activation))
    return nnlib.Sequential(layers)


def randomize_biases(model, rng):
    """Give every bias a nonzero value so that bias gradients flow through non-trivial paths."""
    weights = model.get_weights()
    for index in range(1, len(weights), 2):
        weights[index] = rng.normal(0.0, 0.3, size=weights[index].shape).astype(weights[index].dtype)
    model.set_weights(weights)


def hidden_preactivations(model, x, hidden_activation, n_hidden):
    """The hidden layers' Z = X @ W + b, recomputed with NumPy from ``model.get_weights()``."""
    weights = model.get_weights()
    activation = REFERENCE_ACTIVATIONS[hidden_activation]
    outputs, preactivations = x, []
    for layer in range(n_hidden):
        z = outputs @ weights[2 * layer] + weights[2 * layer + 1]
        preactivations.append(z)
        outputs = activation(z)
    return preactivations


def inputs_away_from_kinks(model, hidden_activation, n_hidden, rng):
    """Draw inputs until every hidden pre-activation is at least KINK_MARGIN away from 0."""
    for _ in range(200):
        x = rng.normal(0.0, 1.5, size=(N_SAMPLES, N_INPUTS))
        zs = hidden_preactivations(model, x, hidden_activation, n_hidden)
        if min(np.min(np.abs(z)) for z in zs) > KINK_MARGIN:
            return x
    raise RuntimeError("could not draw inputs away from the activation kinks; change the seed")


def prepared_check(hidden_activation, loss_id, n_hidden, seed=0, dense_class=None):
    """Build and compile a model for ``loss_id``; return it with inputs and targets."""
    make_loss, n_outputs, output_activation, make_targets = LOSS_SETUPS[loss_id]
    rng = np.random.default_rng(seed)
    model = build_model(hidden_activation, n_hidden, n_outputs, output_activation, seed, dense_class)
    randomize_biases(model, rng)
    model.compile(optimizer="sgd", loss=make_loss())
    x = inputs_away_from_kinks(model, hidden_activation, n_hidden, rng)
    y = make_targets(rng, N_SAMPLES)
    return model, x, y


def dense_layers(model):
    return [layer for layer in model.layers if layer.params]


# ---------------------------------------------------------------------------------------------
# check_gradients on every activation x loss x depth


@pytest.mark.parametrize("n_hidden", [1, 2, 3])
@pytest.mark.parametrize("loss_id", list(LOSS_SETUPS))
@pytest.mark.parametrize("hidden_activation", HIDDEN_ACTIVATIONS)
def test_backward_matches_numerical_gradient(float64, hidden_activation, loss_id, n_hidden):
    model, x, y = prepared_check(hidden_activation, loss_id, n_hidden, seed=n_hidden)
    errors = check_gradients(model, x, y)

    expected_keys = {f"{layer.name}/{key}" for layer in dense_layers(model) for key in ("kernel", "bias")}
    assert set(errors) == expected_keys
    worst_key = max(errors, key=errors.get)
    assert errors[worst_key] <= GRADIENT_TOLERANCE, f"{worst_key}: relative error {errors[worst_key]:.3g}"


def test_check_gradients_leaves_weights_and_floatx_unchanged():
    model, x, y = prepared_check("tanh", "cce-softmax", 2, seed=7)
    weights_before = [w.copy() for w in model.get_weights()]
    check_gradients(model, x, y)
    assert nnlib.floatx() == "float32"
    for before, after in zip(weights_before, model.get_weights()):
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)


def test_check_gradients_of_a_float32_model_is_computed_in_float64():
    """The contract says check_gradients works in float64, so a float32 model passes at 1e-6 too."""
    model, x, y = prepared_check("sigmoid", "mse-linear", 2, seed=3)
    assert model.get_weights()[0].dtype == np.float32
    errors = check_gradients(model, x.astype(np.float32), y.astype(np.float32))
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


# ---------------------------------------------------------------------------------------------
# The check can fail: deliberately wrong backward passes


class DenseWithScaledKernelGradient(nnlib.layers.Dense):
    """A Dense layer whose kernel gradient is 1% too large: a deliberate bug."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["kernel"] = self.grads["kernel"] * 1.01
        return dx


class DenseWithScaledInputGradient(nnlib.layers.Dense):
    """A Dense layer that passes a 1% too large gradient to the layer below: a deliberate bug."""

    def backward(self, dout):
        return super().backward(dout) * 1.01


def test_check_gradients_detects_a_wrong_kernel_gradient(float64):
    model, x, y = prepared_check("tanh", "mse-linear", 2, seed=11, dense_class=DenseWithScaledKernelGradient)
    errors = check_gradients(model, x, y)
    hidden = dense_layers(model)[:2]
    for layer in hidden:
        # rel_error(g, 1.01 g) = 0.01 / 2.01 whatever g is
        assert errors[f"{layer.name}/kernel"] == pytest.approx(0.01 / 2.01, rel=1e-3)
        assert errors[f"{layer.name}/bias"] <= GRADIENT_TOLERANCE
    output_layer = dense_layers(model)[-1]
    assert errors[f"{output_layer.name}/kernel"] <= GRADIENT_TOLERANCE


def test_check_gradients_detects_a_wrong_input_gradient(float64):
    """A bug in dx of the second hidden layer corrupts only the gradients of the layer below it."""
    rng = np.random.default_rng(5)
    nnlib.set_random_seed(5)
    model = nnlib.Sequential([
        nnlib.Input((N_INPUTS,)),
        nnlib.layers.Dense(HIDDEN_UNITS, activation="tanh"),
        DenseWithScaledInputGradient(HIDDEN_UNITS, activation="tanh"),
        nnlib.layers.Dense(2),
    ])
    randomize_biases(model, rng)
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(N_SAMPLES, N_INPUTS))
    y = rng.normal(size=(N_SAMPLES, 2))
    errors = check_gradients(model, x, y)
    first, second, output = dense_layers(model)
    assert errors[f"{first.name}/kernel"] == pytest.approx(0.01 / 2.01, rel=1e-3)
    assert errors[f"{first.name}/bias"] == pytest.approx(0.01 / 2.01, rel=1e-3)
    for layer in (second, output):
        assert errors[f"{layer.name}/kernel"] <= GRADIENT_TOLERANCE
        assert errors[f"{layer.name}/bias"] <= GRADIENT_TOLERANCE


# ---------------------------------------------------------------------------------------------
# numerical_gradient, numerical_diff, rel_error


@st.composite
def quadratic_problems(draw):
    """(x, A, b) with x of shape (3,), (2, 3) or (2, 2, 2) and A, b sized for x.ravel()."""
    shape = draw(st.sampled_from([(3,), (2, 3), (2, 2, 2)]))
    size = int(np.prod(shape))
    values = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)
    x = draw(hnp.arrays(np.float64, shape, elements=values))
    a = draw(hnp.arrays(np.float64, (size, size), elements=values))
    b = draw(hnp.arrays(np.float64, (size,), elements=values))
    return x, a, b


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(quadratic_problems())
def test_numerical_gradient_of_a_quadratic_is_exact(problem):
    """For f(x) = x^T A x + b^T x the central difference has no truncation error: grad = (A + A^T) x + b."""
    x, a, b = problem

    def quadratic(v):
        flat = v.ravel()
        return float(flat @ a @ flat + b @ flat)

    expected = ((a + a.T) @ x.ravel() + b).reshape(x.shape)
    gradient = numerical_gradient(quadratic, x)
    assert gradient.shape == x.shape
    np.testing.assert_allclose(gradient, expected, rtol=0, atol=1e-6)


def test_numerical_gradient_leaves_x_unchanged():
    # Values that are not exact in binary, so "add h, then subtract h" would not restore them bit for bit.
    x = np.array([[0.1, 1.0 / 3.0, -2.7], [1e-3, 123.456, np.pi]])
    original = x.copy()
    seen = []

    def spy(v):
        seen.append(v.copy())
        return float(np.sum(np.sin(v)))

    gradient = numerical_gradient(spy, x)
    np.testing.assert_array_equal(x, original)
    assert x.dtype == np.float64
    np.testing.assert_allclose(gradient, np.cos(original), rtol=1e-7, atol=1e-8)
    # Each call perturbed exactly one entry of x (by h = 1e-4).
    for v in seen:
        moved = np.flatnonzero(v != original)
        assert moved.size <= 1
        if moved.size:
            assert abs((v - original).ravel()[moved[0]]) == pytest.approx(1e-4, rel=1e-6)


def test_numerical_diff_of_sin():
    point = 0.7
    # central difference: error h^2/6 |cos| ~ 1.3e-9; a forward difference would be off by ~3e-5
    assert abs(numerical_diff(np.sin, point) - np.cos(point)) < 1e-8


def test_numerical_diff_uses_the_central_difference_formula_with_h():
    point, h = 0.7, 1e-2
    expected = (np.sin(point + h) - np.sin(point - h)) / (2 * h)
    assert numerical_diff(np.sin, point, h=h) == pytest.approx(expected, rel=1e-12)


def test_rel_error_values():
    a = np.array([[1.0, -2.0], [3.5, 0.25]])
    assert rel_error(a, a) == 0
    assert rel_error(a, -a) == pytest.approx(1.0)
    assert rel_error(a, 2 * a) == pytest.approx(1.0 / 3.0)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0  # tiny denominator, no NaN
