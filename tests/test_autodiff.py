"""Tests of nnlib.autodiff, the reverse-mode engine of chapter 8, Automatic differentiation.

Three independent references for the gradients: central differences
(``nnlib.gradients.numerical_gradient``, relative error at most 1e-6 in float64),
``jax.grad`` of the same expression written with ``jax.numpy``, and the hand-written
backpropagation of ``nnlib``'s ``Sequential`` (chapter 6).
"""
import math
import operator

import matplotlib
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from matplotlib.patches import FancyArrowPatch

import nnlib
from nnlib import autodiff
from nnlib.autodiff import Tensor, cross_entropy, draw_graph, graph_layout, mean_squared_error
from nnlib.gradients import numerical_gradient, rel_error

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)

GRADIENT_TOLERANCE = 1e-6      # engine versus central differences
REFERENCE_TOLERANCE = 1e-9     # engine versus jax.grad: both exact, so only round-off differs


ABSOLUTE_FLOOR = 1e-6           # where the true gradient is 0: central differences leave round-off (~1e-12)
                               # and truncation h**2 f'''/6 (4e-8 for cos(log(2x)) at x = 0.5, h = 1e-4)


def gradient_error(analytic, reference):
    """The relative error, or 0 when the two differ by less than ABSOLUTE_FLOOR in norm.

    A relative error means nothing for a gradient that is exactly zero: the reference's
    round-off noise is then 100 % of it.
    """
    if np.linalg.norm(np.asarray(analytic) - np.asarray(reference)) <= ABSOLUTE_FLOOR:
        return 0.0
    return rel_error(analytic, reference)


def assert_gradients_match_numerical(build, *arrays, tolerance=GRADIENT_TOLERANCE):
    """Check every input's gradient of L = sum(build(inputs) * R), R a fixed random array.

    The random weights R make each output entry count differently, so a gradient
    sent to the wrong entry cannot hide behind a plain sum.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    tensors = [Tensor(a) for a in arrays]
    output = build(*tensors)
    weights = np.random.default_rng(0).normal(size=output.shape)
    (output * weights).sum().backward()

    def loss(_):
        return float(np.sum(build(*[Tensor(a) for a in arrays]).value * weights))

    for position, (tensor, array) in enumerate(zip(tensors, arrays)):
        numeric = numerical_gradient(loss, array)
        error = gradient_error(tensor.grad, numeric)
        assert error <= tolerance, f"input {position}: relative error {error:.2e} > {tolerance:.0e}"


def uniform(shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from_zero(shape, seed=0):
    """Values in +-[0.3, 2]: safe where relu bends at 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# --- every operation against central differences ---------------------------------------------

# id -> (expression of tensors, input arrays)
OPERATION_CASES = {
    "add": (operator.add, [uniform((2, 3)), uniform((2, 3), seed=1)]),
    "add broadcast (3,1)+(1,4)": (operator.add, [uniform((3, 1)), uniform((1, 4), seed=1)]),
    "sub broadcast (2,3)-(3,)": (operator.sub, [uniform((2, 3)), uniform((3,), seed=1)]),
    "mul": (operator.mul, [uniform((2, 3)), uniform((2, 3), seed=1)]),
    "mul broadcast (2,3)*(3,)": (operator.mul, [uniform((2, 3)), uniform((3,), seed=1)]),
    "mul scalar*matrix": (operator.mul, [uniform(()), uniform((2, 3), seed=1)]),
    "div broadcast (2,3)/(3,1)": (operator.truediv, [uniform((2, 3)), uniform((3, 1), 0.5, 2.0, seed=1).T]),
    "div": (operator.truediv, [uniform((4,)), uniform((4,), 0.5, 2.0, seed=1)]),
    "pow 2": (lambda a: a ** 2, [uniform((2, 3))]),
    "pow 3": (lambda a: a ** 3, [uniform((2, 3))]),
    "pow 0.5": (lambda a: a ** 0.5, [uniform((2, 3), 0.5, 2.0)]),
    "pow -1.5": (lambda a: a ** -1.5, [uniform((2, 3), 0.5, 2.0)]),
    "neg": (operator.neg, [uniform((2, 3))]),
    "matmul (2,3)@(3,4)": (operator.matmul, [uniform((2, 3)), uniform((3, 4), seed=1)]),
    "matmul (3,)@(3,4)": (operator.matmul, [uniform((3,)), uniform((3, 4), seed=1)]),
    "matmul (2,3)@(3,)": (operator.matmul, [uniform((2, 3)), uniform((3,), seed=1)]),
    "matmul (3,)@(3,)": (operator.matmul, [uniform((3,)), uniform((3,), seed=1)]),
    "exp": (Tensor.exp, [uniform((2, 3))]),
    "log": (Tensor.log, [uniform((2, 3), 0.5, 2.0)]),
    "sin": (Tensor.sin, [uniform((2, 3))]),
    "cos": (Tensor.cos, [uniform((2, 3))]),
    "tanh": (Tensor.tanh, [uniform((2, 3))]),
    "sigmoid": (Tensor.sigmoid, [uniform((2, 3), -6.0, 6.0)]),
    "relu": (Tensor.relu, [away_from_zero((2, 3))]),
    "sum": (lambda a: a.sum(), [uniform((2, 3))]),
    "sum axis 0": (lambda a: a.sum(axis=0), [uniform((2, 3))]),
    "sum axis 1 keepdims": (lambda a: a.sum(axis=1, keepdims=True), [uniform((2, 3))]),
    "sum axis -1 of 3-D": (lambda a: a.sum(axis=-1), [uniform((2, 3, 2))]),
    "mean": (lambda a: a.mean(), [uniform((2, 3))]),
    "mean axis 0": (lambda a: a.mean(axis=0), [uniform((2, 3))]),
    "mean axes (0,2) keepdims": (lambda a: a.mean(axis=(0, 2), keepdims=True), [uniform((2, 3, 2))]),
    "reshape": (lambda a: a.reshape(3, 2), [uniform((2, 3))]),
    "reshape tuple": (lambda a: a.reshape((6,)), [uniform((2, 3))]),
    "transpose": (lambda a: a.T, [uniform((2, 3))]),
    "log_softmax": (autodiff.log_softmax, [uniform((3, 4), -5.0, 5.0)]),
    "softmax": (autodiff.softmax, [uniform((3, 4), -5.0, 5.0)]),
    "softmax axis 0": (lambda a: autodiff.softmax(a, axis=0), [uniform((3, 4), -5.0, 5.0)]),
    "cross_entropy labels": (lambda a: cross_entropy(np.array([0, 3, 1]), a), [uniform((3, 4))]),
    "cross_entropy one-hot": (lambda a: cross_entropy(np.eye(4)[[2, 2, 0]], a), [uniform((3, 4))]),
    "mean_squared_error": (lambda a: mean_squared_error(uniform((3, 2), seed=5), a), [uniform((3, 2))]),
    "used twice": (lambda a: a * a.sin() + a, [uniform((2, 3))]),
}


@pytest.mark.parametrize("case", OPERATION_CASES, ids=list(OPERATION_CASES))
def test_operation_gradient_matches_numerical_gradient(case):
    build, arrays = OPERATION_CASES[case]
    assert_gradients_match_numerical(build, *arrays)


# id -> (expression with a plain number or array on one side, input array)
REFLECTED_CASES = {
    "2 * t": (lambda t: 2 * t, uniform((3,))),
    "t * 2": (lambda t: t * 2, uniform((3,))),
    "2.5 + t": (lambda t: 2.5 + t, uniform((3,))),
    "3 - t": (lambda t: 3 - t, uniform((3,))),
    "t - 3": (lambda t: t - 3, uniform((3,))),
    "1.0 / t": (lambda t: 1.0 / t, uniform((3,), 0.5, 2.0)),
    "t / 4": (lambda t: t / 4, uniform((3,))),
    "ones(3) + t": (lambda t: np.ones(3) + t, uniform((3,))),
    "array (2,3) * t (3,)": (lambda t: uniform((2, 3), seed=7) * t, uniform((3,))),
    "array (2,3) - t (2,1)": (lambda t: uniform((2, 3), seed=7) - t, uniform((2, 1))),
    "array / t": (lambda t: uniform((2, 3), seed=7) / t, uniform((2, 3), 0.5, 2.0)),
    "array @ t": (lambda t: uniform((2, 3), seed=7) @ t, uniform((3, 4))),
    "t @ array": (lambda t: t @ uniform((3, 4), seed=7), uniform((2, 3))),
    "numpy float * t": (lambda t: np.float64(1.5) * t, uniform((3,))),
    "-(2 - t) / 3": (lambda t: -(2 - t) / 3, uniform((3,))),
}


@pytest.mark.parametrize("case", REFLECTED_CASES, ids=list(REFLECTED_CASES))
def test_reflected_operation_gradient_matches_numerical_gradient(case):
    build, array = REFLECTED_CASES[case]
    assert_gradients_match_numerical(build, array)


def test_reflected_operations_with_arrays_return_tensors_with_numpy_values():
    t = Tensor([1.0, 2.0, 4.0])
    for result, expected in [(1.0 / t, [1.0, 0.5, 0.25]), (2 * t, [2.0, 4.0, 8.0]), (3 - t, [2.0, 1.0, -1.0]),
                             (np.ones(3) + t, [2.0, 3.0, 5.0])]:
        assert isinstance(result, Tensor)
        np.testing.assert_allclose(result.value, expected)


def test_unbroadcast_sums_over_stretched_and_added_axes():
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(autodiff._unbroadcast(grad, (4,)), grad.sum(axis=(0, 1)))
    np.testing.assert_allclose(autodiff._unbroadcast(grad, (3, 1)), grad.sum(axis=(0, 2))[:, None])
    np.testing.assert_allclose(autodiff._unbroadcast(grad, ()), grad.sum())
    np.testing.assert_allclose(autodiff._unbroadcast(grad, (2, 3, 4)), grad)


# --- the worked example of chapter 8 -----------------------------------------------------------

def test_worked_example_value_and_gradient_equal_the_hand_values():
    """z = sin(x1 + x2) + x2^2 x3: dz/dx1 = cos(x1 + x2), dz/dx2 = cos(x1 + x2) + 2 x2 x3, dz/dx3 = x2^2."""
    x1, x2, x3 = Tensor(1.0, name="x1"), Tensor(2.0, name="x2"), Tensor(3.0, name="x3")
    z = (x1 + x2).sin() + x2 ** 2 * x3
    z.backward()
    assert z.item() == pytest.approx(math.sin(3.0) + 12.0, rel=1e-15)
    assert x1.grad.item() == pytest.approx(math.cos(3.0), rel=1e-15)
    assert x2.grad.item() == pytest.approx(math.cos(3.0) + 12.0, rel=1e-15)
    assert x3.grad.item() == pytest.approx(4.0, rel=1e-15)


def test_worked_example_on_arrays_matches_the_hand_formulas_elementwise():
    x1_value, x2_value, x3_value = uniform((5,), seed=1), uniform((5,), seed=2), uniform((5,), seed=3)
    x1, x2, x3 = Tensor(x1_value), Tensor(x2_value), Tensor(x3_value)
    z = (x1 + x2).sin() + x2 ** 2 * x3
    z.sum().backward()
    np.testing.assert_allclose(z.value, np.sin(x1_value + x2_value) + x2_value ** 2 * x3_value, rtol=1e-14)
    np.testing.assert_allclose(x1.grad, np.cos(x1_value + x2_value), rtol=1e-14)
    np.testing.assert_allclose(x2.grad, np.cos(x1_value + x2_value) + 2 * x2_value * x3_value, rtol=1e-14)
    np.testing.assert_allclose(x3.grad, x2_value ** 2, rtol=1e-14)


# --- a two-layer network against nnlib's hand-written backprop (chapter 6) -------------------

def test_two_layer_network_gradients_equal_sequential_backprop(float64):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(4,)), rng.normal(size=(4, 2)), rng.normal(size=(2,))]
    model = nnlib.Sequential([nnlib.Input((3,)), nnlib.layers.Dense(4, activation="tanh"), nnlib.layers.Dense(2)])
    model.set_weights(weights)
    y_pred = model.forward(x)
    model.backward(nnlib.losses.mean_squared_error_gradient(y, y_pred))
    hand = [layer.grads[key] for layer in model.layers for key in ("kernel", "bias")]

    W1, b1, W2, b2 = (Tensor(w) for w in weights)
    loss = mean_squared_error(y, (x @ W1 + b1).tanh() @ W2 + b2)
    loss.backward()

    assert loss.item() == pytest.approx(float(np.mean(nnlib.losses.mean_squared_error(y, y_pred))), rel=1e-13)
    for name, tensor, expected in zip(["W1", "b1", "W2", "b2"], [W1, b1, W2, b2], hand):
        assert tensor.grad.shape == expected.shape, name
        np.testing.assert_allclose(tensor.grad, expected, rtol=1e-11, atol=1e-14, err_msg=name)


def test_cross_entropy_equals_nnlib_loss_and_its_gradient_is_softmax_minus_one_hot():
    rng = np.random.default_rng(4)
    logits_value, labels = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    logits = Tensor(logits_value)
    loss = cross_entropy(labels, logits)
    loss.backward()
    expected = np.mean(nnlib.losses.sparse_categorical_crossentropy(labels, logits_value, from_logits=True))
    assert loss.item() == pytest.approx(float(expected), rel=1e-12)
    softmax = nnlib.activations.softmax(logits_value)
    np.testing.assert_allclose(logits.grad, (softmax - np.eye(3)[labels]) / 5, rtol=1e-12, atol=1e-15)


def test_log_softmax_is_stable_for_large_scores():
    scores = Tensor([[1000.0, 0.0, -1000.0]])
    out = autodiff.log_softmax(scores)
    out.sum().backward()
    assert np.all(np.isfinite(out.value)) and np.all(np.isfinite(scores.grad))
    assert out.value[0, 0] == pytest.approx(0.0, abs=1e-12)


# --- random expressions: numerical gradients and jax.grad --------------------------------------

INPUT_LOW, INPUT_HIGH = 0.5, 1.5   # positive, so log and sqrt may be applied to inputs
MAGNITUDE_LIMIT = 20.0             # every subexpression stays within +-20: well-conditioned differences

UNARY_OPERATIONS = ["neg", "sin", "cos", "tanh", "sigmoid", "exp", "log", "sqrt", "square", "mean_last_axis"]
BINARY_OPERATIONS = ["add", "sub", "mul", "div"]


def unary_bound(op, bound, shape):
    """Interval containing op(v) for v in ``bound``, or None if op is unsafe (or pointless) there."""
    low, high = bound
    largest = max(abs(low), abs(high))
    if op == "neg":
        return -high, -low
    if op in ("sin", "cos"):
        return -1.0, 1.0
    if op == "tanh":
        return math.tanh(low), math.tanh(high)
    if op == "sigmoid":
        return 1 / (1 + math.exp(-low)), 1 / (1 + math.exp(-high))
    if op == "exp":
        return (math.exp(low), math.exp(high)) if high <= 2.0 else None
    if op in ("log", "sqrt"):
        function = math.log if op == "log" else math.sqrt
        return (function(low), function(high)) if low >= 0.25 else None
    if op == "square":
        return (0.0 if low <= 0 <= high else min(low * low, high * high), largest ** 2) if largest <= 4 else None
    if op == "mean_last_axis":
        return (low, high) if len(shape) > 0 and shape[-1] > 1 else None
    raise AssertionError(op)


def binary_bound(op, left, right):
    """Interval containing left op right, or None if division comes near 0 or values grow too large."""
    if op == "add":
        low, high = left[0] + right[0], left[1] + right[1]
    elif op == "sub":
        low, high = left[0] - right[1], left[1] - right[0]
    else:
        if op == "div":
            if -0.5 < right[0] and right[1] < 0.5 or right[0] < 0.5 and -0.5 < right[1]:
                return None   # the denominator may come within 0.5 of zero
            right = (1.0 / right[1], 1.0 / right[0])
        products = [a * b for a in left for b in right]
        low, high = min(products), max(products)
    return (low, high) if max(abs(low), abs(high)) <= MAGNITUDE_LIMIT else None


@st.composite
def expressions(draw, depth, n_inputs, shape):
    """A random expression tree of exactly ``depth`` levels: (tree, value bound, shape).

    A tree is ("input", i), (unary op, child) or (binary op, left, right). Each
    operation is drawn among those that are safe for its operands' value bounds.
    """
    if depth == 0:
        return ("input", draw(st.integers(0, n_inputs - 1))), (INPUT_LOW, INPUT_HIGH), shape
    if draw(st.booleans()):
        child, bound, child_shape = draw(expressions(depth - 1, n_inputs, shape))
        allowed = {op: unary_bound(op, bound, child_shape) for op in UNARY_OPERATIONS}
        op = draw(st.sampled_from([op for op, b in allowed.items() if b is not None]))
        new_shape = child_shape[:-1] + (1,) if op == "mean_last_axis" else child_shape
        return (op, child), allowed[op], new_shape
    deep = draw(expressions(depth - 1, n_inputs, shape))
    other = draw(expressions(draw(st.integers(0, depth - 1)), n_inputs, shape))
    left, right = (deep, other) if draw(st.booleans()) else (other, deep)
    allowed = {op: binary_bound(op, left[1], right[1]) for op in BINARY_OPERATIONS}
    choices = [op for op, b in allowed.items() if b is not None]
    if not choices:
        return ("tanh", deep[0]), unary_bound("tanh", deep[1], deep[2]), deep[2]
    op = draw(st.sampled_from(choices))
    return (op, left[0], right[0]), allowed[op], np.broadcast_shapes(left[2], right[2])


@st.composite
def expressions_with_inputs(draw):
    """(tree, input arrays): 1 to 3 inputs of one small shape, values in [0.5, 1.5], depth 1 to 4."""
    shape = draw(st.sampled_from([(), (3,), (2, 3)]))
    n_inputs = draw(st.integers(1, 3))
    tree, _, _ = draw(expressions(draw(st.integers(1, 4)), n_inputs, shape))
    elements = st.floats(INPUT_LOW, INPUT_HIGH, allow_nan=False, allow_infinity=False)
    inputs = [draw(hnp.arrays(np.float64, shape, elements=elements)) for _ in range(n_inputs)]
    return tree, inputs


ENGINE_UNARY = {
    "neg": operator.neg, "sin": Tensor.sin, "cos": Tensor.cos, "tanh": Tensor.tanh, "sigmoid": Tensor.sigmoid,
    "exp": Tensor.exp, "log": Tensor.log, "sqrt": lambda t: t ** 0.5, "square": lambda t: t ** 2,
    "mean_last_axis": lambda t: t.mean(axis=-1, keepdims=True),
}
BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}


def jax_unary(jax):
    jnp = jax.numpy
    return {
        "neg": operator.neg, "sin": jnp.sin, "cos": jnp.cos, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
        "exp": jnp.exp, "log": jnp.log, "sqrt": jnp.sqrt, "square": lambda v: v ** 2,
        "mean_last_axis": lambda v: jnp.mean(v, axis=-1, keepdims=True),
    }


def evaluate(tree, inputs, unary):
    """The value of ``tree`` with the given inputs, unary operations from ``unary`` and Python's operators."""
    op, *children = tree
    if op == "input":
        return inputs[children[0]]
    values = [evaluate(child, inputs, unary) for child in children]
    return unary[op](*values) if len(values) == 1 else BINARY[op](*values)


def engine_value_and_gradients(tree, inputs):
    tensors = [Tensor(v) for v in inputs]
    output = evaluate(tree, tensors, ENGINE_UNARY).sum()
    output.backward()
    return output.item(), [t.grad for t in tensors]


@settings(max_examples=80, deadline=None)
@given(expressions_with_inputs())
@example((("cos", ("log", ("add", ("input", 0), ("input", 0)))), [np.array(0.5)]))  # a true gradient of 0
def test_random_expression_gradients_match_numerical_gradients(case):
    tree, inputs = case
    _, gradients = engine_value_and_gradients(tree, inputs)

    def loss(_):
        return evaluate(tree, [Tensor(v) for v in inputs], ENGINE_UNARY).sum().item()

    for position, (array, gradient) in enumerate(zip(inputs, gradients)):
        error = gradient_error(gradient, numerical_gradient(loss, array))
        assert error <= GRADIENT_TOLERANCE, f"input {position} of {tree}: relative error {error:.2e}"


@pytest.fixture(scope="module")
def jax_x64():
    """jax with 64-bit floats for this module only (Keras tests elsewhere expect the default)."""
    jax = pytest.importorskip("jax")
    previous = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield jax
    jax.config.update("jax_enable_x64", previous)


@settings(max_examples=60, deadline=None)
@given(case=expressions_with_inputs())
def test_random_expression_values_and_gradients_match_jax(jax_x64, case):
    jax, (tree, inputs) = jax_x64, case
    unary = jax_unary(jax)

    def jax_output(*arrays):
        return jax.numpy.sum(evaluate(tree, arrays, unary))

    value, gradients = engine_value_and_gradients(tree, inputs)
    jax_gradients = jax.grad(jax_output, argnums=tuple(range(len(inputs))))(*inputs)
    assert value == pytest.approx(float(jax_output(*inputs)), rel=REFERENCE_TOLERANCE, abs=1e-12)
    for position, (gradient, reference) in enumerate(zip(gradients, jax_gradients)):
        reference = np.asarray(reference)
        assert reference.dtype == np.float64
        error = gradient_error(gradient, reference)
        assert error <= REFERENCE_TOLERANCE, f"input {position} of {tree}: relative error {error:.2e}"


# --- backward: seeding, accumulation, constants -------------------------------------------------

def test_backward_accumulates_and_zero_grad_resets():
    x = Tensor([1.0, -2.0, 3.0])
    hidden = x * 3
    y = (hidden ** 2).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, 18 * x.value)
    y.backward()
    np.testing.assert_allclose(x.grad, 36 * x.value)
    np.testing.assert_allclose(hidden.grad, 4 * hidden.value)
    autodiff.zero_grad([x, hidden])
    np.testing.assert_allclose(x.grad, 0.0)
    np.testing.assert_allclose(hidden.grad, 0.0)


def test_tensor_used_twice_receives_the_sum_of_both_gradients():
    x = Tensor(3.0)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_backward_of_non_scalar_uses_the_given_gradient():
    x = Tensor([1.0, 2.0, 3.0])
    y = x ** 2
    upstream = np.array([1.0, 10.0, 100.0])
    y.backward(grad=upstream)
    np.testing.assert_allclose(x.grad, 2 * x.value * upstream)


def test_backward_of_non_scalar_without_gradient_says_what_to_do():
    y = Tensor(np.ones((2, 3))) * 2
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*grad="):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape_is_rejected():
    y = Tensor(np.ones(3)) * 2
    with pytest.raises(ValueError, match=r"grad: expected .*\(3,\), got shape \(2,\)"):
        y.backward(grad=np.ones(2))


def test_constants_get_no_gradient_and_all_constant_graphs_cannot_backward():
    x, c = Tensor(2.0), Tensor(5.0, requires_grad=False)
    (x * c).backward()
    assert x.grad.item() == 5.0 and c.grad.item() == 0.0
    with pytest.raises(ValueError, match="requires_grad=True"):
        (c * 2).backward()


def test_intermediate_tensors_hold_their_gradients_after_backward():
    x = Tensor(0.5)
    hidden = x.tanh()
    (hidden * 4).backward()
    assert hidden.grad.item() == 4.0
    assert x.grad.item() == pytest.approx(4 * (1 - math.tanh(0.5) ** 2))


def test_long_chains_do_not_hit_the_recursion_limit():
    x = Tensor(1.0)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 3000)


def test_float32_tensors_stay_float32():
    x = Tensor([1.0, 2.0], dtype="float32")
    y = (2.0 * x + 1).tanh().sum()
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_tensor_describes_itself():
    t = Tensor(np.zeros((2, 3)), name="W")
    text = repr(t)
    assert "shape=(2, 3)" in text and "name='W'" in text and "grad=" in text
    assert "op='@'" in repr(Tensor(np.ones(3)) @ Tensor(np.ones(3)))
    assert t.shape == (2, 3) and t.ndim == 2
    assert t.value.dtype == np.float64 and t.grad.shape == (2, 3) and not t.grad.any()


# --- clear errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("other", ["a", None, {"a": 1}, [1, "b"]], ids=["str", "None", "dict", "mixed list"])
def test_unsupported_operands_raise_a_clear_type_error(other):
    with pytest.raises(TypeError, match="expected a Tensor, a number or a NumPy array"):
        Tensor([1.0, 2.0]) + other
    with pytest.raises(TypeError, match="expected a Tensor, a number or a NumPy array"):
        other * Tensor([1.0, 2.0])


def test_power_needs_a_constant_exponent():
    with pytest.raises(TypeError, match="exponent must be a constant number"):
        Tensor(2.0) ** Tensor(3.0)
    with pytest.raises(TypeError, match="raised to a Tensor power"):
        2 ** Tensor(3.0)


@pytest.mark.parametrize("left, right", [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4,))])
def test_matmul_shape_mismatch_names_both_shapes(left, right):
    with pytest.raises(ValueError, match=rf"{re_shape(left)} and {re_shape(right)}"):
        Tensor(np.ones(left)) @ Tensor(np.ones(right))


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


def test_matmul_rejects_three_dimensional_tensors():
    with pytest.raises(ValueError, match="1-D or 2-D"):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((2, 2)))


def test_bad_values_and_arguments_raise_value_errors_naming_them():
    with pytest.raises(ValueError, match="value: expected a number"):
        Tensor("abc")
    with pytest.raises(ValueError, match="dtype: expected a float type"):
        Tensor([1, 2], dtype="int64")
    with pytest.raises(ValueError, match="log: expected positive values"):
        Tensor([1.0, 0.0]).log()
    with pytest.raises(ValueError, match="axis: expected"):
        Tensor(np.ones((2, 3))).sum(axis=2)
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match="y_true: expected 2 integer labels"):
        cross_entropy(np.array([0, 5]), Tensor(np.zeros((2, 3))))
    with pytest.raises(ValueError, match="y_true: expected the shape of y_pred"):
        mean_squared_error(np.zeros((2, 1)), Tensor(np.zeros((2, 2))))


# --- drawing the graph ---------------------------------------------------------------------------

def test_draw_graph_has_one_label_per_node_and_one_arrow_per_edge():
    x1, x2, x3 = Tensor(1.0, name="x1"), Tensor(2.0, name="x2"), Tensor(3.0, name="x3")
    z = (x1 + x2).sin() + x2 ** 2 * x3
    z.backward()
    positions, edges = graph_layout(z)
    fig = draw_graph(z)
    try:
        ax = fig.axes[0]
        assert len(positions) == 8 and len(edges) == 8
        assert len(ax.texts) == len(positions)
        assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == len(edges)
        labels = [text.get_text() for text in ax.texts]
        assert any(label.startswith("x3") and "grad 4" in label for label in labels)
        assert any(label.startswith("sin") for label in labels)
        assert ax.get_title()
    finally:
        plt.close(fig)


def test_graph_layout_puts_inputs_left_of_the_operations_that_use_them():
    x, c = Tensor(np.ones((2, 3)), name="x"), Tensor(np.ones(3), requires_grad=False)
    out = ((x * c).tanh() * 2).sum()
    positions, edges = graph_layout(out)
    depth = {id(node): xy[0] for node, xy in positions}
    assert depth[id(x)] == 0.0 and depth[id(out)] == max(depth.values())
    for parent, child in edges:
        assert positions[parent][1][0] < positions[child][1][0]


def test_draw_graph_uses_a_given_axes_and_labels_arrays_by_shape():
    fig, ax = plt.subplots()
    try:
        w = Tensor(np.ones((3, 2)), name="W")
        returned = draw_graph((Tensor(np.ones((4, 3)), requires_grad=False) @ w).mean(), ax=ax)
        assert returned is fig
        assert any("shape (3, 2)" in text.get_text() for text in ax.texts)
    finally:
        plt.close(fig)
