"""nnlib.grading: the helpers behind the exercise checks turn every fault into a clear message.

Each test feeds a helper one kind of bad answer (missing, wrong type, wrong shape, NaN,
an exception, an infinite loop, an input changed in place, a library call) and checks that
an AssertionError says what was expected and what arrived.
"""
import time

import numpy as np
import pytest

import nnlib
from nnlib import grading
from nnlib.grading import (as_number, call_student, expect_answered, expect_array, expect_choice, expect_equal,
                           expect_function, expect_number, expect_own_code, expect_raises, function_uses)


def failure_message(function, *args, **kwargs):
    """The AssertionError message of function(*args, **kwargs); fails the test if none is raised."""
    with pytest.raises(AssertionError) as caught:
        function(*args, **kwargs)
    return str(caught.value)


# --- missing answers --------------------------------------------------------------------------

def test_missing_answers_are_named():
    assert "is not defined" in failure_message(expect_answered, "softmax", None)
    message = failure_message(expect_answered, "n_params", ...)
    assert "n_params is still `...`" in message and "replace the `...`" in message


def test_expect_function_rejects_values_that_are_not_functions():
    assert "expected a function, got a int (3)" in failure_message(expect_function, "dense", 3)
    assert expect_function("dense", len) is len


# --- call_student -------------------------------------------------------------------------------

def test_call_student_returns_the_result():
    assert call_student(lambda x: x + 1, 1) == 2


def test_an_exception_becomes_a_message_with_the_student_line():
    def softmax(z):
        return z @ np.ones((5, 5))

    message = failure_message(call_student, softmax, np.ones((2, 3)))
    assert message.startswith("softmax(<array (2, 3)>) raised ValueError")
    assert "in your line: `return z @ np.ones((5, 5))`" in message


def test_a_stub_body_is_reported_as_unfinished():
    def relu_derivative(z):
        ...

    message = failure_message(call_student, relu_derivative, np.zeros(3))
    assert "returned None: the body is still `...` or has no `return` statement" in message


def test_returning_ellipsis_is_reported():
    assert "returned `...`" in failure_message(call_student, lambda: ..., name="answer")


def test_an_infinite_loop_hits_the_time_limit():
    def stuck(x):
        while x > 0:
            x = x + 1
        return x

    start = time.perf_counter()
    message = failure_message(call_student, stuck, 1, timeout=0.2)
    elapsed = time.perf_counter() - start
    print(f"time limit 0.2 s: interrupted after {elapsed:.2f} s")
    assert "stuck(1) did not finish within 0.2 s" in message
    assert "loop that never ends" in message


def test_the_time_limit_is_not_swallowed_by_a_broad_except():
    def stubborn():
        try:
            while True:
                pass
        except Exception:
            return "caught"

    assert "did not finish" in failure_message(call_student, stubborn, timeout=0.2)


def test_the_default_time_limit_can_be_lowered(monkeypatch):
    monkeypatch.setattr(grading, "DEFAULT_TIMEOUT", 0.1)

    def forever():
        while True:
            pass

    assert "within 0.1 s" in failure_message(call_student, forever)


def test_changing_an_input_in_place_is_reported_and_the_caller_data_is_safe():
    def shift(z):
        z -= z.max()
        return z

    data = np.array([1.0, 2.0, 3.0])
    message = failure_message(call_student, shift, data)
    assert "changed its argument 1 in place" in message
    np.testing.assert_array_equal(data, [1.0, 2.0, 3.0])


def test_numpy_overflow_warnings_are_silenced(recwarn):
    result = call_student(lambda z: np.exp(z), np.array([1000.0]))
    assert np.isinf(result[0])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_a_hint_is_appended():
    message = failure_message(call_student, lambda: 1 / 0, name="f", hint="divide by something else")
    assert message.endswith("Hint: divide by something else")


# --- expect_raises ------------------------------------------------------------------------------

def check_inner_lengths(P, Q):
    if P.shape[1] != Q.shape[0]:
        raise ValueError("inner lengths differ")
    return P @ Q


def test_expect_raises_accepts_the_right_exception():
    expect_raises(ValueError, check_inner_lengths, np.ones((2, 3)), np.ones((2, 3)))


def test_expect_raises_reports_a_missing_or_wrong_exception():
    message = failure_message(expect_raises, ValueError, lambda P, Q: 0.0, np.ones((2, 3)), np.ones((2, 3)),
                              name="matmul_loops")
    assert message == "matmul_loops(<array (2, 3)>, <array (2, 3)>) returned a float (0.0) instead of raising ValueError."

    def wrong_error(P, Q):
        return P[5]

    assert "raised IndexError (index 5 is out of bounds" in failure_message(
        expect_raises, ValueError, wrong_error, np.ones((2, 3)), np.ones((2, 3)))
    assert "did not finish within 0.1 s" in failure_message(
        expect_raises, ValueError, lambda: [0 for _ in iter(int, 1)], timeout=0.1)


# --- expect_array -------------------------------------------------------------------------------

def test_expect_array_accepts_close_arrays_and_lists():
    expect_array("a", [[1.0, 2.0]], np.array([[1.0, 2.0 + 1e-9]]))


@pytest.mark.parametrize("got, fragment", [
    ("abc", "got the string 'abc'"),
    ([[1, 2], [3]], "cannot turn into an array of numbers"),
    ({"a": 1}, "got a dict"),
])
def test_expect_array_rejects_values_that_are_not_arrays_of_numbers(got, fragment):
    message = failure_message(expect_array, "z", got, np.zeros((2, 2)))
    assert "expected an array of numbers with shape (2, 2)" in message and fragment in message


def test_expect_array_reports_shapes_and_notes_a_transpose():
    message = failure_message(expect_array, "Z", np.zeros((3, 2)), np.zeros((2, 3)))
    assert message == "Z: expected shape (2, 3), got shape (3, 2) (the transpose of the expected shape)."
    assert "(a single number)" in failure_message(expect_array, "Z", 1.0, np.zeros(3))


def test_expect_array_reports_nan_and_inf_with_their_position():
    got = np.array([[0.5, np.nan], [np.inf, 0.5]])
    message = failure_message(expect_array, "p", got, np.full((2, 2), 0.5))
    assert "p contains nan and inf: 2 of 4 value(s), the first at index (0, 1)" in message


def test_expect_array_reports_the_largest_difference():
    message = failure_message(expect_array, "y", np.array([1.0, 2.5, 3.0]), np.array([1.0, 2.0, 3.0]))
    assert "largest difference is at index (1,): expected 2, got 2.5" in message
    assert "expected: [1., 2., 3.]" in message and "got:      [1. , 2.5, 3. ]" in message


def test_a_known_mistake_gets_its_own_hint():
    X, W, b = np.ones((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 2.0])
    message = failure_message(expect_array, "dense", X @ W, X @ W + b, hint="generic",
                              mistakes=[(X @ W, "did you add the bias b?")])
    assert message.endswith("Hint: did you add the bias b?")
    assert failure_message(expect_array, "dense", X, X @ W + b, hint="generic",
                           mistakes=[(X @ W, "bias")]).endswith("Hint: generic")


# --- numbers, equality, choices -----------------------------------------------------------------

def test_expect_number_accepts_numpy_numbers_and_size_one_arrays():
    expect_number("x", np.float32(0.25), 0.25)
    expect_number("x", np.array([3]), 3, integer=True)


@pytest.mark.parametrize("got, fragment", [
    (..., "is still `...`"),
    ("12", "expected a single number, got the string '12'"),
    (True, "expected a single number, got a bool"),
    (np.array([1.0, 2.0]), "expected a single number, got a NumPy array of shape (2,)"),
    (float("nan"), "x is nan: expected a finite number"),
    (2.5, "expected a whole number, got 2.5"),
    (7, "got 7, which is not the expected value"),
])
def test_expect_number_faults(got, fragment):
    assert fragment in failure_message(expect_number, "x", got, 3, integer=True)


def test_as_number_returns_a_float_or_says_why_not():
    assert as_number("z", np.int64(17)) == 17.0 and isinstance(as_number("z", np.array([[0.5]])), float)
    assert "expected a single number, got a list ([1])" in failure_message(as_number, "z", [1])
    assert failure_message(as_number, "z", float("inf"), hint="use np.float32").endswith("Hint: use np.float32")


def test_expect_number_never_prints_the_expected_value():
    assert "123456" not in failure_message(expect_number, "count", 7, 123456)


def test_expect_equal_names_the_expected_type_only():
    assert failure_message(expect_equal, "shape", [4, 2], (4, 3)) == \
        "shape: expected a tuple, got a list ([4, 2])."
    assert "got (4, 2), which is not right" in failure_message(expect_equal, "shape", (4, 2), None)
    expect_equal("shape", None, None)


def test_expect_choice():
    expect_choice("answer", " B ", ["a", "b", "c"], "b")
    assert "expected one of 'a', 'b', 'c', got the string 'e'" in \
        failure_message(expect_choice, "answer", "e", ["a", "b", "c"], "b")
    assert "'a' is not the right choice" in failure_message(expect_choice, "answer", "a", ["a", "b"], "b")


# --- how an answer was computed -----------------------------------------------------------------

def test_function_uses_sees_names_the_matmul_operator_and_loops():
    def vectorised(X, W):
        return np.dot(X, W)

    def with_operator(X, W):
        return X @ W

    def with_comprehension(X):
        return [x * 2 for x in X]

    assert {"np", "dot"} <= function_uses(vectorised) and "loop" not in function_uses(vectorised)
    assert "@" in function_uses(with_operator)
    assert "loop" in function_uses(with_comprehension)


def test_expect_own_code_rejects_nnlib_directly_and_through_helpers():
    from nnlib.activations import softmax as library_softmax

    def calls_the_module(z):
        return nnlib.activations.softmax(z)

    def helper(z):
        return library_softmax(z)

    def calls_a_helper(z):
        return helper(z)

    def own(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert "is nnlib's own function" in failure_message(expect_own_code, "softmax", library_softmax)
    assert "uses `nnlib` from nnlib" in failure_message(expect_own_code, "softmax", calls_the_module)
    assert "uses `library_softmax` from nnlib" in failure_message(expect_own_code, "softmax", calls_a_helper)
    expect_own_code("softmax", own)


# --- tolerances that fit the answer's precision (issue 11 item 3) --------------------------------------

def test_a_float32_answer_of_the_right_formula_passes_a_tight_float64_check():
    z = np.random.default_rng(6).uniform(-6, 6, size=(3, 5))
    s64 = 1 / (1 + np.exp(-z))
    z32 = z.astype(np.float32)
    s32 = 1 / (1 + np.exp(-z32))
    got = s32 * (1 - s32)
    assert not np.allclose(got, s64 * (1 - s64), atol=1e-9, rtol=1e-6)   # the old check rejected it
    grading.expect_array("sigmoid_derivative", got, s64 * (1 - s64), atol=1e-9)
    grading.expect_array("as a list", [list(row) for row in got], s64 * (1 - s64), atol=1e-9)
    grading.expect_number("one entry", got[0, 0], float((s64 * (1 - s64))[0, 0]), atol=1e-12)


def test_a_float32_answer_of_a_wrong_formula_still_fails():
    z = np.linspace(-3, 3, 7)
    right = np.exp(-z) / (1 + np.exp(-z)) ** 2
    wrong = (np.exp(-z) / (1 + np.exp(-z)) ** 2 * 1.001).astype(np.float32)
    with pytest.raises(AssertionError, match="wrong values"):
        grading.expect_array("sigmoid_derivative", wrong, right, atol=1e-9)


def test_a_float64_answer_keeps_the_tight_tolerance():
    with pytest.raises(AssertionError):
        grading.expect_array("x", np.array([0.1277020 + 5e-7]), np.array([0.1277020]), atol=1e-9)


def test_the_message_shows_the_differing_entries_and_by_how_much():
    expected = np.array([[0.127702, 0.5, 0.25], [0.1, 0.2, 0.3]])
    got = expected.copy()
    got[0, 0] += 3e-7
    got[1, 2] -= 2e-6
    with pytest.raises(AssertionError) as error:
        grading.expect_array("grad", got, expected, atol=1e-9)
    message = str(error.value)
    assert "2 of 6 entries differ" in message
    assert "at (1, 2): expected 0.3, got 0.299998, off by 2e-06" in message
    assert "at (0, 0): expected 0.127702, got 0.1277023, off by 3e-07" in message
