"""Clear feedback for the exercise notebooks' tests (exercises/, one notebook per chapter).

The tests behind every ``grader.check("qN")`` cell use these helpers instead of bare
``assert`` statements, so that a failing check says what was expected, what arrived, and
often what to try next. Every helper raises ``AssertionError``; otter-grader shows its
message in the check cell and the notebook keeps running.

- ``call_student(function, *args)`` runs student code under a time limit and turns an
  exception, an infinite loop, a missing ``return`` or a stub that is still ``...`` into a
  message, so a test never crashes on student code.
- ``expect_raises(ValueError, function, *args)`` checks that bad input is rejected.
- ``as_number(name, value)`` turns an answer into a float or says why it is not a number.
- ``expect_array``, ``expect_number``, ``expect_equal`` and ``expect_choice`` compare an
  answer with the expected one and describe the difference: wrong type, wrong shape (and
  whether it is the transpose), NaN or inf, wrong values (largest difference and where).
- ``expect_own_code`` and ``function_uses`` check *how* an answer was computed: that it
  does not call a library (``nnlib``, ``scipy``, ...) that would answer the question, and
  whether it uses the ``@`` operator or a loop.
- ``class_rng(seed)`` is the random generator a hidden test draws its inputs from; a
  teacher's class kit (exercises/class_kit.py) replaces the seed with one derived from the
  teacher's secret.

Example (a test in an instructor notebook)::

    def test_softmax_rows_sum_to_one(softmax):
        from nnlib.grading import call_student, expect_array
        probabilities = call_student(softmax, np.array([[2.0, 1.0, 0.1]]), name="softmax")
        expect_array("softmax([[2, 1, 0.1]])", probabilities, [[0.659, 0.2424, 0.0986]], atol=1e-4)
"""
import copy
import dis
import math
import numbers
import signal
import threading
import traceback
import types
import warnings

import numpy as np

DEFAULT_TIMEOUT = 5.0
"""CPU seconds a student function may run in ``call_student`` before it counts as an infinite loop."""

LIBRARIES_THAT_ANSWER = ("nnlib", "scipy", "sklearn", "keras", "tensorflow", "torch", "jax")
"""Packages whose functions would do an exercise's work; ``expect_own_code`` rejects them."""

_MISSING_HINT = "replace the `...` in the answer cell with your answer and run that cell, then run this check again"


_ACTIVE_SANDBOX = None
"""Set by exercises/grade.py while it grades: the ``nnlib.grading_sandbox.Sandbox`` whose worker
runs the student's notebook. Time limits are then enforced by the worker (CPU time) and the
grader's watchdog, not by a signal in the grader's process."""


def class_rng(seed):
    """``np.random.default_rng(seed)``: where a hidden test draws its random inputs from.

    In this repository's instructor notebooks ``seed`` is a public integer literal.
    ``exercises/class_kit.py`` rewrites every ``class_rng(<integer>)`` in the hidden tests to
    ``class_rng(<integer derived from the teacher's secret>)``, so a class's hidden inputs are
    not the published ones. A test that uses it must therefore compute its expected values
    from those inputs (with a reference formula), never type them.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, got {seed!r}.")
    return np.random.default_rng(int(seed))


def _remote(value):
    """True for a handle to an object in a grading worker (``nnlib.grading_sandbox.Remote``)."""
    module = __import__("sys").modules.get("nnlib.grading_sandbox")
    return module is not None and isinstance(value, module.Remote)


class TimeLimitExceeded(BaseException):
    """Raised inside student code when the time limit passes (a BaseException, so that a
    student's ``except Exception`` cannot swallow it)."""


def _fail(message, hint=None):
    raise AssertionError(message + (f"\nHint: {hint}" if hint else ""))


def _describe(value):
    """A short description of a value's type (and shape, for arrays) for messages."""
    if _remote(value):
        return f"a {value._type_name}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"a {type(value).__name__} ({value!r})" if _short(value) else f"a {type(value).__name__}"


def _short(value):
    return len(repr(value)) <= 60


def expect_answered(name, value):
    """Fail with a clear message when ``value`` is missing: ``None`` (not defined) or ``...``.

    Tests receive the student's variables by name; otter passes ``None`` for a name the
    notebook never defined. Returns ``value`` so that a test can write
    ``x = expect_answered("x", x)``.
    """
    if value is None:
        _fail(f"{name} is not defined (or is None): run the cell that defines it, then run this check again.")
    if value is Ellipsis:
        _fail(f"{name} is still `...`: {_MISSING_HINT}.")
    return value


def expect_function(name, function):
    """Fail unless ``function`` is a function the student defined (not missing, not ``...``)."""
    expect_answered(name, function)
    if not callable(function):
        _fail(f"{name}: expected a function, got {_describe(function)}.")
    return function


def call_student(function, *args, name=None, timeout=None, hint=None, **kwargs):
    """Call student code safely and return its result, or fail with a clear message.

    - The arguments are deep copies, so a function that changes its input in place cannot
      spoil later tests; if it did change one, that is reported as a fault of its own.
    - The call runs under a limit of ``timeout`` seconds of CPU time (``DEFAULT_TIMEOUT`` when
      None), enforced with ``signal.setitimer(ITIMER_PROF)`` on Unix in the main thread (where
      Jupyter kernels and pytest run code); elsewhere the call runs without a limit.
    - An exception becomes a message naming its type, its text and the student's line.
    - A result of ``None`` or ``...`` means the body is unfinished or lacks ``return``.
    - NumPy's overflow and invalid-value warnings are silenced; the tests check for the
      NaN and inf they produce and say so.

    ``hint`` is appended to any of these messages.
    """
    name = name or getattr(function, "__name__", "your function")
    expect_function(name, function)
    copies = copy.deepcopy(args)
    call = f"{name}({', '.join(_describe_argument(a) for a in args)})"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            result = run_with_time_limit(function, copies, kwargs, DEFAULT_TIMEOUT if timeout is None else timeout)
    except TimeLimitExceeded:
        seconds = DEFAULT_TIMEOUT if timeout is None else timeout
        _fail(f"{call} did not finish within {seconds:g} s: look for a loop that never ends "
              "(a `while` whose condition stays true, or a counter that is never updated).", hint)
    except Exception as error:  # student code may raise anything; report it instead of crashing
        _fail(_raised_message(call, error, function), hint)
    if result is None:
        _fail(f"{call} returned None: the body is still `...` or has no `return` statement.", hint)
    if result is Ellipsis:
        _fail(f"{call} returned `...`: {_MISSING_HINT}.", hint)
    changed = [p for p, (a, b) in enumerate(zip(args, copies), start=1) if not _same(a, b)]
    if _remote(function):
        changed = function._sandbox.last_mutated
    if changed:
        _fail(f"{call} changed its argument {changed[0]} in place. Work on a copy "
              "(for example `z = z - m` instead of `z -= m`), so the caller's data stays as it was.", hint)
    return result


def expect_raises(exception_type, function, *args, name=None, timeout=None, hint=None, **kwargs):
    """Fail unless ``function(*args, **kwargs)`` raises ``exception_type`` (e.g. ValueError for bad input).

    The call runs like ``call_student``: on copies of the arguments, under the time limit.
    """
    name = name or getattr(function, "__name__", "your function")
    expect_function(name, function)
    call = f"{name}({', '.join(_describe_argument(a) for a in args)})"
    seconds = DEFAULT_TIMEOUT if timeout is None else timeout
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            result = run_with_time_limit(function, copy.deepcopy(args), kwargs, seconds)
    except TimeLimitExceeded:
        _fail(f"{call} did not finish within {seconds:g} s: look for a loop that never ends.", hint)
    except exception_type as error:
        if not _sandbox_fault(error):
            return
        _fail(_raised_message(call, error, function), hint)
    except Exception as error:  # the wrong kind of error is a fault of its own
        if _sandbox_fault(error):
            _fail(_raised_message(call, error, function), hint)
        _fail(f"{call} raised {type(error).__name__} ({error}), expected {exception_type.__name__}."
              f"{_student_line(error, function)}", hint)
    _fail(f"{call} returned {_describe(result)} instead of raising {exception_type.__name__}.", hint)


def _describe_argument(value):
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    return repr(value) if _short(value) else f"<{type(value).__name__}>"


def _same(a, b, depth=0):
    """True when ``b`` (a deep copy made before the call) still equals ``a``, recursively."""
    if depth > 20:  # deep or cyclic structures: assume unchanged rather than loop
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and \
            np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], depth + 1) for k in a)
    if type(a) is type(b) and type(a).__eq__ is object.__eq__ and hasattr(a, "__dict__"):
        # Plain objects (a model, a graph node) compare by identity; compare their contents instead.
        return _same(vars(a), vars(b), depth + 1)
    try:
        return bool(a == b)
    except Exception:  # objects without a usable ==
        return True


def _sandbox_fault(error):
    module = __import__("sys").modules.get("nnlib.grading_sandbox")
    return module is not None and isinstance(error, module.WorkerDied)


def _raised_message(call, error, function):
    if _sandbox_fault(error):
        return (f"{call} stopped the notebook's process: {error} Only this question's remaining tests "
                "are lost; the grader restarted the notebook for the next question.")
    return f"{call} raised {type(error).__name__}: {error}{_student_line(error, function)}"


def run_with_time_limit(function, args, kwargs, seconds):
    """function(*args, **kwargs), interrupted after ``seconds`` of CPU time where signals allow it.

    While exercises/grade.py grades (``_ACTIVE_SANDBOX`` set), student code runs in the
    sandbox's worker process, which enforces ``seconds`` of CPU time per call itself.
    """
    if _ACTIVE_SANDBOX is not None:
        _ACTIVE_SANDBOX.call_timeout = seconds or DEFAULT_TIMEOUT
        return function(*args, **kwargs)
    can_interrupt = (seconds and hasattr(signal, "setitimer")
                     and threading.current_thread() is threading.main_thread())
    if not can_interrupt:
        return function(*args, **kwargs)

    def on_alarm(signum, frame):
        raise TimeLimitExceeded()

    # CPU time (ITIMER_PROF), not wall-clock time: on a busy machine a correct answer gets its
    # full share of the limit, while an endless loop, which burns CPU, is still stopped.
    previous = signal.signal(signal.SIGPROF, on_alarm)
    done = threading.Event()
    nudger = threading.Thread(target=_nudge_main_thread, args=(done,), daemon=True)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    nudger.start()
    try:
        return function(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        done.set()
        signal.signal(signal.SIGPROF, previous)


def _nudge_main_thread(done, every=0.02):
    """Wake up every ``every`` seconds until ``done``, so that a pending SIGPROF is handled.

    The kernel may deliver the timer's SIGPROF to any thread of the process, for example one of
    OpenBLAS's worker threads. On Linux, CPython (3.11) then records the signal but does not
    tell the main thread to look (it computes that flag for the thread the signal landed on), so
    a student's ``while True: pass`` can run on forever with the time-limit signal pending. Each
    time this thread wants the interpreter lock back, the main thread re-checks its pending
    events and runs the handler. Seen in tests/test_exercises.py under pytest-xdist.
    """
    while not done.wait(every):
        pass


def _student_line(error, function):
    """'\\n  in your line: `...`' for the last traceback line in the student's own code."""
    if getattr(error, "student_line", None):
        return f"\n  in your line: `{error.student_line}`"
    code = getattr(function, "__code__", None)
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if code is not None and f.filename == code.co_filename and f.line]
    return f"\n  in your line: `{own[-1].line.strip()}`" if own else ""


def _as_number_array(name, got, expected_shape):
    """np.asarray(got, dtype=float), or fail saying what arrived instead of numbers."""
    expect_answered(name, got)
    if isinstance(got, (str, bytes, dict, set)) or callable(got):
        _fail(f"{name}: expected an array of numbers with shape {expected_shape}, got {_describe(got)}.")
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        _fail(f"{name}: expected an array of numbers with shape {expected_shape}, got {_describe(got)}, "
              "which NumPy cannot turn into an array of numbers.")


FLOAT32_ULPS = 64
"""A float32 answer may differ from the float64 expectation by this many float32 rounding steps
(``np.finfo(np.float32).eps``, 1.2e-7) relative to the expected values' magnitude: a float32
computation of the right formula lands well within it, a wrong formula far outside."""


def _least_precise_dtype(got):
    """The least precise floating dtype in ``got`` (an array, a number, or nested lists of them)."""
    if isinstance(got, (np.ndarray, np.generic)) and np.issubdtype(got.dtype, np.floating):
        return got.dtype
    if isinstance(got, (list, tuple)):
        dtypes = [d for d in (_least_precise_dtype(item) for item in got[:1000]) if d is not None]
        return max(dtypes, key=lambda d: np.finfo(d).eps) if dtypes else None
    return None


def tolerances(got, expected, atol, rtol):
    """(atol, rtol) widened for an answer computed in lower precision than float64.

    For a float32 (or float16) answer: rtol at least FLOAT32_ULPS * eps of that dtype, and atol
    at least the same times the largest magnitude in ``expected`` (so that entries near zero,
    which carry the rounding error of the larger entries they were computed from, pass too).
    """
    dtype = _least_precise_dtype(got)
    if dtype is None or np.finfo(dtype).eps <= np.finfo(np.float64).eps:
        return atol, rtol
    step = FLOAT32_ULPS * float(np.finfo(dtype).eps)
    finite = np.abs(np.asarray(expected, dtype=float))
    finite = finite[np.isfinite(finite)]
    scale = float(finite.max()) if finite.size else 1.0
    return max(atol, step * max(scale, 1e-3)), max(rtol, step)


def _differences(got, expected, atol, rtol, limit=5):
    """Lines naming the entries that differ: index, expected, got, and by how much."""
    difference = np.abs(got - expected)
    difference[np.isnan(difference)] = np.inf
    outside = difference > atol + rtol * np.abs(expected)
    indices = np.argwhere(outside)
    order = np.argsort(-difference[outside], kind="stable")[:limit]
    lines = []
    for i in order:
        index = tuple(int(k) for k in indices[i])
        lines.append(f"  at {index}: expected {expected[index]:.10g}, got {got[index]:.10g}, "
                     f"off by {difference[index]:.3g}")
    return int(outside.sum()), lines


def _matching_mistake(got, mistakes, atol, rtol):
    for wrong, mistake_hint in mistakes:
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == got.shape and np.allclose(got, wrong, atol=atol, rtol=rtol):
            return mistake_hint
    return None


def expect_array(name, got, expected, atol=1e-6, rtol=1e-6, hint=None, mistakes=()):
    """Fail unless ``got`` is an array of numbers with ``expected``'s shape and values.

    Compares like ``np.allclose(got, expected, atol=atol, rtol=rtol)`` after converting
    ``got`` with ``np.asarray(got, dtype=float)`` (so a list of lists is accepted). The
    message reports, in this order: a missing answer, a value that is not numbers, a wrong
    shape (noting a transpose or a single number), NaN or inf where finite numbers were
    expected, and otherwise the largest difference and where it is.

    ``mistakes`` lists known wrong answers as ``(wrong_array, hint)``; when ``got`` equals
    one of them, its hint replaces ``hint``. Tests use it to name a typical mistake such
    as a forgotten bias.
    """
    expected = np.asarray(expected, dtype=float)
    atol, rtol = tolerances(got, expected, atol, rtol)
    got_array = _as_number_array(name, got, expected.shape)
    hint = _matching_mistake(got_array, mistakes, atol, rtol) or hint
    if got_array.shape != expected.shape:
        note = ""
        if got_array.ndim == 0:
            note = " (a single number)"
        elif got_array.ndim >= 2 and got_array.shape == expected.shape[::-1]:
            note = " (the transpose of the expected shape)"
        _fail(f"{name}: expected shape {expected.shape}, got shape {got_array.shape}{note}.", hint)
    bad = ~np.isfinite(got_array) & np.isfinite(expected)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        kinds = " and ".join(k for k, m in [("nan", np.isnan(got_array)), ("inf", np.isinf(got_array))] if (m & bad).any())
        _fail(f"{name} contains {kinds}: {int(bad.sum())} of {bad.size} value(s), the first at index {first}; "
              "expected finite numbers everywhere.", hint)
    if not np.allclose(got_array, expected, atol=atol, rtol=rtol, equal_nan=True):
        difference = np.abs(got_array - expected)
        difference[np.isnan(difference)] = np.inf
        where = np.unravel_index(int(np.argmax(difference)), difference.shape)
        index = tuple(int(i) for i in where)
        count, lines = _differences(got_array, expected, atol, rtol)
        message = (f"{name}: wrong values. The largest difference is at index {index}: "
                   f"expected {expected[where]:.10g}, got {got_array[where]:.10g} (off by {difference[where]:.3g}; "
                   f"allowed: {atol:.2g} + {rtol:.2g} * |expected|). {count} of {expected.size} entries differ"
                   + (":\n" + "\n".join(lines) if count > 1 else "."))
        if expected.size <= 12:
            message += f"\n  expected: {_format(expected)}\n  got:      {_format(got_array)}"
        _fail(message, hint)


def _format(array):
    """An array on (indented) lines, 4 decimals, for messages."""
    return np.array2string(array, precision=4, separator=", ").replace("\n", "\n            ")


def as_number(name, got, hint=None):
    """``got`` as a float, or fail: missing, not a single real number, NaN or inf.

    Accepts Python and NumPy numbers and arrays holding a single number.
    """
    expect_answered(name, got)
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        _fail(f"{name}: expected a single number, got {_describe(got)}.", hint)
    got = float(got)
    if math.isnan(got) or math.isinf(got):
        _fail(f"{name} is {got}: expected a finite number.", hint)
    return got


def expect_number(name, got, expected, atol=1e-6, rtol=1e-6, integer=False, hint=None, mistakes=()):
    """Fail unless ``got`` is one real number close to ``expected`` (the message never shows it).

    With ``integer=True`` the answer must be a whole number. ``mistakes`` lists known wrong
    answers as ``(wrong_value, hint)``, as in ``expect_array``.
    """
    atol, rtol = tolerances(got, np.asarray(expected, dtype=float), atol, rtol)
    got = as_number(name, got, hint)
    if integer and not got.is_integer():
        _fail(f"{name}: expected a whole number, got {got:g}.", hint)
    hint = _matching_mistake(np.asarray(got), mistakes, atol, rtol) or hint
    if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
        _fail(f"{name}: got {got:.6g}, which is not the expected value.", hint)


def expect_equal(name, got, expected, hint=None):
    """Fail unless ``got == expected`` exactly (for shapes, labels, small lists).

    ``...`` counts as a missing answer. On a type mismatch only the expected *type* is
    named, so the message does not give the answer away.
    """
    if got is Ellipsis:
        expect_answered(name, got)
    both_numbers = isinstance(got, numbers.Number) and isinstance(expected, numbers.Number)
    if expected is not None and got is not None and type(got) is not type(expected) and not both_numbers:
        _fail(f"{name}: expected a {type(expected).__name__}, got {_describe(got)}.", hint)
    if got != expected:
        _fail(f"{name}: got {got!r}, which is not right.", hint)


def expect_choice(name, got, choices, expected, hint=None):
    """Fail unless ``got`` is one of ``choices`` (strings, compared ignoring case and spaces)
    and equals ``expected``."""
    expect_answered(name, got)
    allowed = ", ".join(repr(c) for c in choices)
    if not isinstance(got, str) or got.strip().lower() not in [c.lower() for c in choices]:
        _fail(f"{name}: expected one of {allowed}, got {_describe(got)}.")
    if got.strip().lower() != expected.lower():
        _fail(f"{name}: {got.strip()!r} is not the right choice.", hint)


def _code_objects(code):
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


def function_uses(function):
    """The names a function's code refers to, plus ``"@"`` and ``"loop"`` markers.

    Collects global, closure and attribute names (``np.dot`` gives ``"np"`` and ``"dot"``)
    from the bytecode of the function and everything nested in it (inner functions,
    comprehensions). Adds ``"@"`` when it uses the matrix-multiplication operator and
    ``"loop"`` when it contains a ``for`` or ``while`` loop or a comprehension.
    """
    if _remote(function):
        return function._sandbox.function_uses(function)
    used = set()
    for code in _code_objects(function.__code__):
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_ATTR", "LOAD_METHOD", "LOAD_DEREF"):
                used.add(str(instruction.argval))
            elif instruction.opname == "BINARY_OP" and instruction.argrepr in ("@", "@="):
                used.add("@")
            elif instruction.opname in ("FOR_ITER", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"):
                used.add("loop")
    return used


def _library_of(value):
    """The top-level package a module or function comes from ('' if none is known)."""
    module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return (module or "").split(".")[0]


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:  # an empty closure cell
        return None


def expect_own_code(name, function, libraries=LIBRARIES_THAT_ANSWER, _seen=None):
    """Fail if ``function`` calls a package from ``libraries`` (nnlib, scipy, ...).

    Follows the global names the function uses, including helper functions the student
    defined, so ``nnlib.activations.softmax(z)``, ``activations.softmax(z)`` and an
    imported alias are all caught. NumPy is always allowed.
    """
    expect_function(name, function)
    if _remote(function):
        return  # graded in a sandbox, where the library's own function is unavailable (grading_sandbox.forbid)
    _seen = set() if _seen is None else _seen
    if id(function) in _seen:
        return
    _seen.add(id(function))
    if _library_of(function) in libraries:
        _fail(f"{name} is {_library_of(function)}'s own function. The point of this question is to write it "
              "yourself, with NumPy.")
    namespace = dict(getattr(function, "__globals__", {}))
    code, cells = getattr(function, "__code__", None), getattr(function, "__closure__", None) or ()
    if code is not None:
        namespace.update(zip(code.co_freevars, (_cell_value(cell) for cell in cells)))
    for used_name in function_uses(function) if hasattr(function, "__code__") else ():
        value = namespace.get(used_name)
        if value is None:
            continue
        if _library_of(value) in libraries:
            _fail(f"{name} uses `{used_name}` from {_library_of(value)}, which would answer the question for you. "
                  "Write it yourself with NumPy.")
        if isinstance(value, types.FunctionType):
            expect_own_code(name, value, libraries, _seen)
