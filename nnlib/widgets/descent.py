"""Gradient descent on the bowl f(x0, x1) = x0^2 + x1^2: the learning-rate explorer of chapter 5,
Numerical gradients and gradient descent.

The explorer follows the book's four-part pattern:

1. *pure* functions: the descent path (:func:`descent_path_on_bowl`) and its behaviour
   (:func:`descent_regime`: slow, converges, oscillates or diverges);
2. a *figure* function: the path on the bowl's contour lines and the loss per step
   (:func:`descent_figure`);
3. a *live* explorer with a learning-rate slider (:func:`learning_rate_explorer`, needs
   ipywidgets and a running kernel);
4. its *static twin* over pre-computed frames (:func:`static_learning_rate_explorer`, built on
   :func:`nnlib.widgets.static_slider`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..gradients import gradient_descent
from ._checks import check_learning_rates, check_one_of, check_positive_int, import_ipywidgets
from .static import static_slider

__all__ = [
    "DESCENT_LEARNING_RATES",
    "BOWL_START",
    "DESCENT_REGIMES",
    "bowl",
    "bowl_gradient",
    "descent_path_on_bowl",
    "descent_regime",
    "descent_figure",
    "describe_descent",
    "learning_rate_explorer",
    "static_learning_rate_explorer",
]

#: Learning rates of the chapter 5 explorers: slow (0.01, 0.03), good (0.1, 0.3, 0.5),
#: oscillating (0.9, 0.95, 0.99), bouncing for ever (1.0), diverging just past the edge (1.05)
#: and diverging unmistakably (1.2: the loss grows by (1 - 2 eta)^2 = 1.96 per step).
DESCENT_LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 0.5, 0.9, 0.95, 0.99, 1.0, 1.05, 1.2)

#: Where the explorers start descending: a point off both axes, at distance about 2.34 from the minimum.
BOWL_START = (-1.5, 1.8)

DESCENT_REGIMES = ("slow", "converges", "oscillates", "diverges")


def bowl(points):
    """The bowl f(x0, x1) = x0^2 + x1^2, evaluated at ``points`` of shape (..., 2); returns shape (...).

    Its only minimum is f(0, 0) = 0. Used in chapter 5, Numerical gradients and gradient descent.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim == 0 or points.shape[-1] != 2:
        raise ValueError(f"points: expected an array of shape (..., 2), got shape {points.shape}")
    return np.sum(points ** 2, axis=-1)


def bowl_gradient(point):
    """The gradient of the bowl, (df/dx0, df/dx1) = (2 x0, 2 x1), with the shape of ``point`` (..., 2)."""
    point = np.asarray(point, dtype=np.float64)
    if point.ndim == 0 or point.shape[-1] != 2:
        raise ValueError(f"point: expected an array of shape (..., 2), got shape {point.shape}")
    return 2.0 * point


def _check_start(start) -> np.ndarray:
    try:
        point = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start: expected two finite numbers (x0, x1), got {start!r}") from None
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"start: expected two finite numbers (x0, x1), got {start!r}")
    return point


def descent_path_on_bowl(learning_rate: float, start=BOWL_START, steps: int = 20) -> np.ndarray:
    """Gradient descent x <- x - learning_rate * (2 x) on the bowl; returns the path, shape (steps + 1, 2).

    Row 0 is ``start``, row k the point after k steps. Because the gradient is 2x, every step
    multiplies the point by the same factor ``1 - 2 * learning_rate``:

        x_k = (1 - 2 eta)^k x_0,

    so the descent converges for 0 < eta < 1, bounces between x_0 and -x_0 at eta = 1 and diverges
    beyond. Computed with ``nnlib.gradients.gradient_descent``. Derived in chapter 5.
    """
    return gradient_descent(bowl_gradient, _check_start(start), learning_rate=learning_rate, steps=steps)


def descent_regime(path, slow_fraction: float = 0.1) -> str:
    """Name the behaviour of a descent path towards the minimum at the origin, shape (n_steps + 1, 2).

    With d_0 and d_n the distances of the first and last points from the minimum:

    - ``"diverges"``: d_n > d_0 (or the path overflowed): the steps carry it away;
    - ``"oscillates"``: not diverging, but some step jumps across the minimum
      (x_k . x_{k+1} < 0), so the path zigzags (at eta = 1 it bounces for ever, d_n = d_0);
    - ``"slow"``: no overshoot, but d_n is still above ``slow_fraction * d_0``;
    - ``"converges"``: no overshoot and d_n <= ``slow_fraction * d_0``.

    Used by the learning-rate explorers of chapter 5.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] < 2:
        raise ValueError(
            f"path: expected an array of shape (n_steps + 1, 2) with n_steps >= 1, got shape {path.shape}"
        )
    if not 0.0 < slow_fraction < 1.0:
        raise ValueError(f"slow_fraction: expected a number between 0 and 1, got {slow_fraction!r}")
    start_distance = np.linalg.norm(path[0])
    final_distance = np.linalg.norm(path[-1])
    if not np.isfinite(final_distance) or final_distance > start_distance:
        return "diverges"
    if np.any(np.sum(path[:-1] * path[1:], axis=1) < 0.0):
        return "oscillates"
    if final_distance > slow_fraction * start_distance:
        return "slow"
    return "converges"


_LOSS_FLOOR = 1e-12
_LOSS_CEILING = 1e4      # the loss axis reaches at least this high, and further for a diverging path
_PATH_WINDOW = 2.5       # the path panel shows [-2.5, 2.5]^2 for every learning rate


def _loss_axis_top(loss) -> float:
    """The top of the loss axis: 1e4, or the next power of 10^4 above the largest finite loss."""
    finite = loss[np.isfinite(loss)]
    largest = float(finite.max()) if finite.size else _LOSS_CEILING
    exponent = max(4, 4 * int(np.ceil(np.log10(max(largest, 1.0)) / 4)))
    return 10.0 ** exponent


def descent_figure(learning_rate: float, start=BOWL_START, steps: int = 20):
    """Two panels for one learning rate: the path on the bowl's contour lines, and the loss per step.

    The left panel always shows [-2.5, 2.5]^2, so paths of different learning rates can be
    compared; each step is a curved arrow, so jumps across the minimum show, and a path that
    leaves the window says so in the panel's title. The right panel plots f(x_k) on a log scale from
    1e-12 to 1e4 (higher, in steps of 10^4, when a diverging loss goes beyond); losses below
    1e-12, including exact zeros, are drawn at 1e-12. Its title gives the factor by which the
    *loss* changes per step, (1 - 2 eta)^2, the square of the factor applied to the point
    (chapter 5). Returns the Matplotlib figure (the caller shows or closes it).
    """
    path = descent_path_on_bowl(learning_rate, start, steps)
    regime = descent_regime(path)
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(10, 4))
    grid = np.linspace(-2.5, 2.5, 101)
    x0, x1 = np.meshgrid(grid, grid)
    contours = ax_path.contour(x0, x1, x0 ** 2 + x1 ** 2, levels=[0.25, 1, 2, 4, 6, 9, 12],
                               colors="0.65", linewidths=0.8)
    ax_path.clabel(contours, fontsize=7, fmt="%g")
    with np.errstate(invalid="ignore"):
        ax_path.plot(path[:, 0], path[:, 1], "o", color="tab:red", markersize=3, label="points $x_k$")
    for before, after in zip(path[:-1], path[1:]):     # one curved arrow per step, so jumps show
        if np.all(np.isfinite(after)):
            ax_path.annotate("", xy=after, xytext=before, arrowprops={
                "arrowstyle": "->", "color": "tab:red", "linewidth": 0.8, "connectionstyle": "arc3,rad=0.4"})
    ax_path.plot(*path[0], "s", color="tab:blue", label="start")
    ax_path.plot(0, 0, "*", color="black", markersize=10, label="minimum")
    window = (-_PATH_WINDOW, _PATH_WINDOW)
    ax_path.set(xlim=window, ylim=window, xlabel="$x_0$", ylabel="$x_1$", aspect="equal")
    with np.errstate(invalid="ignore"):
        left_at = np.flatnonzero(~(np.abs(path) <= _PATH_WINDOW).all(axis=1))
    title = f"Path on $f = x_0^2 + x_1^2$: {regime}"
    if left_at.size:
        title += f"\n(it leaves this window at step {left_at[0]})"
    ax_path.set_title(title)
    ax_path.legend(loc="lower right", fontsize=8)
    with np.errstate(invalid="ignore", over="ignore"):
        loss = np.maximum(bowl(path), _LOSS_FLOOR)
    top = _loss_axis_top(loss)
    ax_loss.semilogy(np.arange(steps + 1), loss, "o-", markersize=3, label="$f(x_k)$")
    ax_loss.set(ylim=(_LOSS_FLOOR / 2, top * 2), xlabel="step k", ylabel="loss $f(x_k)$ (log scale)")
    # few tick labels (every 4 decades): faster frames for the twin
    ax_loss.set_yticks(10.0 ** np.arange(-12, np.log10(top) + 1, 4))
    ax_loss.minorticks_off()
    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))   # steps are whole numbers
    loss_factor = (1 - 2 * learning_rate) ** 2
    ax_loss.set_title(f"Loss per step: factor $(1 - 2\\eta)^2$ = {loss_factor:.2f}")
    fig.suptitle(f"Gradient descent with learning rate $\\eta$ = {learning_rate:g}")
    fig.tight_layout()
    return fig


def _explorer_settings(learning_rates, initial: float, start, steps: int):
    """Check the arguments of both learning-rate explorers; return (rates, initial rate, start point)."""
    rates = check_learning_rates(learning_rates)
    initial = rates[check_one_of("initial", initial, rates)]
    start = _check_start(start)
    check_positive_int("steps", steps)
    return rates, initial, start


def describe_descent(learning_rate: float, start=BOWL_START, steps: int = 20) -> str:
    """One line for the explorers: the factor 1 - 2 eta, the final distance and the regime."""
    path = descent_path_on_bowl(learning_rate, start, steps)
    with np.errstate(invalid="ignore", over="ignore"):
        final_distance = np.linalg.norm(path[-1])
    return (f"learning rate {learning_rate:g}: factor 1 - 2*eta = {1 - 2 * learning_rate:+.2f}, "
            f"distance to the minimum after {steps} steps {final_distance:.3g}: {descent_regime(path)}")


def learning_rate_explorer(learning_rates=DESCENT_LEARNING_RATES, start=BOWL_START, steps: int = 20,
                           initial: float = 0.1):
    """A learning-rate slider for gradient descent on the bowl; each change redraws the path and loss.

    A ``SelectionSlider`` over ``learning_rates`` (``continuous_update=False``) drives
    :func:`descent_figure` through ``ipywidgets.interactive_output``; a ``Label`` under it shows
    :func:`describe_descent` (factor, final distance, regime). Returns an ``ipywidgets.VBox``
    with children ``[slider, label, output]``. Explored in chapter 5.
    """
    rates, initial, start = _explorer_settings(learning_rates, initial, start, steps)
    widgets = import_ipywidgets()
    from IPython.display import display

    slider = widgets.SelectionSlider(
        options=[(f"{rate:g}", rate) for rate in rates], value=initial,
        description="learning rate η", continuous_update=False,
        style={"description_width": "initial"}, layout={"width": "500px"},
    )
    summary_label = widgets.Label()

    def redraw(learning_rate: float) -> None:
        summary_label.value = describe_descent(learning_rate, start, steps)
        fig = descent_figure(learning_rate, start, steps)
        display(fig)
        plt.close(fig)

    output = widgets.interactive_output(redraw, {"learning_rate": slider})
    return widgets.VBox([slider, summary_label, output])


def static_learning_rate_explorer(learning_rates=DESCENT_LEARNING_RATES, start=BOWL_START, steps: int = 20,
                                  initial: float = 0.1, dpi: int = 75):
    """Static twin of :func:`learning_rate_explorer`: one pre-computed :func:`descent_figure` per rate.

    The text next to the slider gives the rate and its regime, e.g. ``0.95 (oscillates)``.
    Returns an ``IPython.display.HTML`` object that works in the HTML book (no kernel, no network).
    """
    rates, initial, start = _explorer_settings(learning_rates, initial, start, steps)

    def describe(rate: float) -> str:
        return f"{rate:g} ({descent_regime(descent_path_on_bowl(rate, start, steps))})"

    return static_slider(
        lambda rate: descent_figure(rate, start, steps), rates,
        label="learning rate η", format_value=describe, dpi=dpi, initial_value=initial,
    )

