"""Numerical derivatives and gradient checks.

Derived in chapter 5, Numerical gradients and gradient descent; the gradient check
is used in chapter 6, Backpropagation, to test hand-derived gradients.
"""
import numpy as np

from . import config


def numerical_diff(f, x, h=1e-4):
    """Central difference (f(x + h) - f(x - h)) / (2h) of a scalar function at a scalar x.

    Its error shrinks like h^2 (the forward difference's only like h); the default step
    h = 1e-4 balances that truncation error against round-off in float64 (chapter 5 measures
    both). The same default is used by :func:`numerical_gradient`; :func:`check_gradients`
    uses h = 1e-5 (see there why).
    """
    return (f(x + h) - f(x - h)) / (2.0 * h)


def numerical_gradient(f, x, h=1e-4):
    """The gradient of a scalar function ``f(x)`` at an array ``x`` of any shape, by central differences.

    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h) for every index i of ``x``, with the same
    default step h = 1e-4 as :func:`numerical_diff` (2 calls of ``f`` per entry).
    Each entry of ``x`` is nudged by +h and -h in place (so ``f`` may read ``x``
    through a closure) and restored afterwards; ``x`` must be a float array, and should be
    float64: in float32 the round-off error at this h swamps the result (chapter 5).
    Returns a float64 array with the shape of ``x``. Derived in chapter 5.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"x: expected a float numpy array (it is perturbed in place), got {type(x).__name__}"
                         f"{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}.")
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = _scalar(f(x))
        x[index] = original - h
        f_minus = _scalar(f(x))
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * h)
    return grad


def _scalar(value):
    """``value`` as a float, or a clear error: a gradient is taken of a single number."""
    if np.ndim(value) != 0:
        raise ValueError(f"f: expected a function that returns one number (a loss), got an array of shape "
                         f"{np.shape(value)}; sum or average it first.")
    return float(value)


def _check_step(value, name):
    """A positive, finite number such as 1e-5 or 0.1, or a clear error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}.")


def rel_error(a, b):
    """Relative error ||a - b|| / (||a|| + ||b||) in the Euclidean norm; 0 when both are 0.

    Below about 1e-7 in float64 means the two gradients agree; above 1e-3, something is wrong.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a {a.shape}, got {b.shape}.")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / max(denominator, np.finfo(np.float64).tiny))


def check_gradients(model, x, y, h=1e-5):
    """Compare a compiled model's backprop gradients with numerical ones, in float64.

    ``x`` has shape (n_samples, ...) as for ``fit``, ``y`` the targets the model's loss
    expects. For every parameter array the relative error :func:`rel_error` between the
    backward pass and :func:`numerical_gradient` of the mean loss is computed. The step
    ``h`` defaults to 1e-5, smaller than the 1e-4 of :func:`numerical_gradient`: the check
    always runs in float64 on smooth losses, where the truncation error (~h^2) then falls
    about a hundredfold while the round-off error (~eps / h, eps = 2.2e-16) stays far below
    the 1e-7 pass line. Pass ``h=1e-4`` to use chapter 5's step.

    Returns a dict mapping "layer/parameter" (for example "dense/kernel") to the
    relative error between the two. The model's weights are copied to float64 for
    the check and restored afterwards, unchanged. Used in chapter 6, Backpropagation.
    """
    model._require_compiled("check_gradients")
    _check_step(h, "h")
    model._prepare_x(x)  # builds an unbuilt model now, in the current floatx, so its weights keep that dtype
    previous_floatx = config.floatx()
    config.set_floatx("float64")
    try:
        x = model._prepare_x(x)
        y = model._prepare_y(y, x)
        slots = model._parameters()
        saved = [layer.params[key] for layer, key in slots]
        for layer, key in slots:
            layer.params[key] = layer.params[key].astype(np.float64)

        def loss():
            return np.mean(model.loss.per_sample(y, model.forward(x)))

        y_pred = model.forward(x)
        model.backward(model.loss.gradient(y, y_pred))
        errors = {}
        for layer, key in slots:
            analytic = layer.grads[key].copy()
            numeric = numerical_gradient(lambda _: loss(), layer.params[key], h=h)
            errors[f"{layer.name}/{key}"] = rel_error(analytic, numeric)
    finally:
        config.set_floatx(previous_floatx)
        if "saved" in locals():
            for (layer, key), value in zip(slots, saved):
                layer.params[key] = value
    return errors


def gradient_descent(grad_f, x0, learning_rate=0.1, steps=100):
    """Plain gradient descent x <- x - learning_rate * grad_f(x), returning the whole path.

    ``grad_f`` maps an array of the shape of ``x0`` to the gradient there (an exact
    gradient, or ``lambda x: numerical_gradient(f, x)``). Returns an array of shape
    (steps + 1, *x0.shape): the start and every iterate. Iterates that overflow become
    inf, so a diverging run is visible rather than an error. Derived in chapter 5.
    """
    _check_step(learning_rate, "learning_rate")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps: expected a non-negative integer, got {steps!r}.")
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            gradient = np.asarray(grad_f(x), dtype=np.float64)
            if gradient.shape != x.shape:
                raise ValueError(f"grad_f: expected a gradient of the shape of x0 {x.shape}, got shape {gradient.shape}.")
            x = x - learning_rate * gradient
            path.append(x.copy())
    return np.array(path)
