"""Interactive explorers for the book: live ipywidgets and their static twins.

Every explorer in the book follows the same pattern:

1. a *pure* function computes the data (here: :func:`network_summary`), and is unit-tested;
2. a *figure* function draws it with Matplotlib (here: :func:`layer_size_figure`);
3. a *live* explorer wraps the figure function in thin ipywidgets sliders
   (here: :func:`layer_size_explorer`); it needs a running Jupyter kernel;
4. a *static twin* pre-computes one figure per slider position and packs the frames, a range
   slider and a few lines of JavaScript into one self-contained HTML snippet
   (:func:`static_slider`, used by :func:`static_layer_size_explorer`). The twin needs no kernel
   and no network, so the slider still works in the HTML book.

:func:`static_slider` is generic: any ``make_figure(value) -> Figure`` can be turned into a twin.
Layer sizes are explored in chapter 3, Forward propagation.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import numbers
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import matplotlib.pyplot as plt

__all__ = [
    "LayerSummary",
    "NetworkSummary",
    "network_summary",
    "layer_size_figure",
    "layer_size_explorer",
    "figure_to_png_base64",
    "render_frames",
    "static_slider_html",
    "static_slider",
    "layer_size_frames",
    "static_layer_size_explorer",
]


# ---------------------------------------------------------------------------------------------
# Pure functions: parameter counting
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerSummary:
    """Parameter count of one dense layer with ``n_in`` inputs and ``n_out`` units.

    ``weights = n_in * n_out`` (the kernel ``W`` has shape ``(n_in, n_out)``),
    ``biases = n_out`` (the bias ``b`` has shape ``(n_out,)``).
    """

    n_in: int
    n_out: int
    weights: int
    biases: int

    @property
    def parameters(self) -> int:
        """Weights plus biases of this layer: ``n_in * n_out + n_out``."""
        return self.weights + self.biases


@dataclass(frozen=True)
class NetworkSummary:
    """Parameter counts of a fully connected network, layer by layer and in total."""

    layer_sizes: tuple[int, ...]
    layers: tuple[LayerSummary, ...]

    @property
    def total_weights(self) -> int:
        return sum(layer.weights for layer in self.layers)

    @property
    def total_biases(self) -> int:
        return sum(layer.biases for layer in self.layers)

    @property
    def total_parameters(self) -> int:
        """Sum over layers of ``n_in * n_out + n_out``."""
        return self.total_weights + self.total_biases

    def describe(self) -> str:
        """A short text table: one line per layer, then the total."""
        lines = []
        for index, layer in enumerate(self.layers, start=1):
            lines.append(
                f"layer {index}: {layer.n_in} -> {layer.n_out}: "
                f"{_plural(layer.weights, 'weight')} + {_plural(layer.biases, 'bias', 'biases')} "
                f"= {layer.parameters}"
            )
        lines.append(f"total parameters: {self.total_parameters}")
        return "\n".join(lines)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    """'1 weight', '6 weights', '1 bias', '3 biases'."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _check_layer_sizes(layer_sizes) -> tuple[int, ...]:
    """Return ``layer_sizes`` as a tuple of ints, or raise ValueError naming the problem."""
    try:
        sizes = tuple(layer_sizes)
    except TypeError:
        raise ValueError(
            f"layer_sizes: expected a sequence of positive integers such as [2, 3, 1], "
            f"got {layer_sizes!r}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes: expected at least 2 sizes (inputs and outputs), got {list(sizes)!r}"
        )
    checked = []
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(
                f"layer_sizes: expected positive integers, got {list(sizes)!r} "
                f"(the entry {size!r} is not a positive integer)"
            )
        checked.append(int(size))
    return tuple(checked)


def network_summary(layer_sizes: Sequence[int]) -> NetworkSummary:
    """Count the parameters of a fully connected network with the given layer sizes.

    ``layer_sizes = [n_0, n_1, ..., n_L]`` lists the inputs ``n_0`` and the units of every dense
    layer. Layer ``l`` has ``n_{l-1} * n_l`` weights and ``n_l`` biases, so the total is

        sum over l of (n_{l-1} + 1) * n_l.

    Example: ``[2, 3, 1]`` has 2*3 + 3 = 9 and 3*1 + 1 = 4 parameters, 13 in all.
    Derived in chapter 3, Forward propagation.
    """
    sizes = _check_layer_sizes(layer_sizes)
    layers = tuple(
        LayerSummary(n_in=n_in, n_out=n_out, weights=n_in * n_out, biases=n_out)
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    )
    return NetworkSummary(layer_sizes=sizes, layers=layers)


def _hidden_layer_sizes(n_inputs: int, hidden_1: int, hidden_2: int, n_outputs: int) -> list[int]:
    """Layer sizes for one or two hidden layers; ``hidden_2 == 0`` means no second hidden layer."""
    sizes = [n_inputs, hidden_1]
    if hidden_2 > 0:
        sizes.append(hidden_2)
    sizes.append(n_outputs)
    return sizes


# ---------------------------------------------------------------------------------------------
# Figure
# ---------------------------------------------------------------------------------------------


def layer_size_figure(layer_sizes: Sequence[int], figsize: tuple[float, float] | None = None):
    """Draw the network with ``nnlib.plotting.draw_network``, titled with its parameter count.

    ``figsize=None`` lets ``draw_network`` size the figure to the network; the explorers pass a
    fixed size so that the picture does not jump as the sliders move. Returns the figure (the
    caller shows or closes it).
    """
    from nnlib.plotting import draw_network

    summary = network_summary(layer_sizes)
    shape = "-".join(str(size) for size in summary.layer_sizes)
    title = f"{shape} network: {summary.total_parameters:,} parameters"
    if figsize is None:
        return draw_network(list(summary.layer_sizes), title=title)
    fig, ax = plt.subplots(figsize=figsize)
    draw_network(list(summary.layer_sizes), ax=ax, title=title)
    return fig


def _explorer_figsize(largest_layer: int) -> tuple[float, float]:
    """One figure size for every frame of an explorer, tall enough for its largest layer."""
    return (7.0, min(max(3.2, 0.42 * min(largest_layer, 10) + 1.6), 7.0))


# ---------------------------------------------------------------------------------------------
# Live explorer (needs ipywidgets and a running kernel)
# ---------------------------------------------------------------------------------------------


def _import_ipywidgets():
    """Import ipywidgets lazily so that ``import nnlib.widgets`` works without it."""
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "The live explorers need ipywidgets. Install it with `pip install ipywidgets` "
            "(in a notebook: `%pip install ipywidgets`), then restart the kernel. "
            "The static twins (static_slider, static_layer_size_explorer) work without it."
        ) from error
    return ipywidgets


def _check_positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return value


def layer_size_explorer(n_inputs: int = 2, n_outputs: int = 1, max_hidden: int = 8):
    """Sliders for the sizes of two hidden layers; each change redraws the network.

    Two IntSliders (``continuous_update=False``): hidden layer 1 (1..``max_hidden``) and
    hidden layer 2 (0..``max_hidden``, where 0 means "no second hidden layer"). Through
    ``ipywidgets.interactive_output`` every change redraws ``nnlib.plotting.draw_network`` and
    prints the parameter count; a ``Label`` under the sliders shows the same count.

    Returns an ``ipywidgets.VBox`` with children ``[sliders (HBox), label, output]``; display it in
    a notebook. Explored in chapter 3, Forward propagation.
    """
    _check_positive_int("n_inputs", n_inputs)
    _check_positive_int("n_outputs", n_outputs)
    _check_positive_int("max_hidden", max_hidden)
    widgets = _import_ipywidgets()
    from IPython.display import display

    hidden_1 = widgets.IntSlider(
        value=min(3, max_hidden), min=1, max=max_hidden, step=1,
        description="hidden layer 1", continuous_update=False,
        style={"description_width": "initial"},
    )
    hidden_2 = widgets.IntSlider(
        value=0, min=0, max=max_hidden, step=1,
        description="hidden layer 2 (0 = none)", continuous_update=False,
        style={"description_width": "initial"},
    )
    count_label = widgets.Label()
    figsize = _explorer_figsize(max(n_inputs, max_hidden, n_outputs))

    def redraw(hidden_1: int, hidden_2: int) -> None:
        sizes = _hidden_layer_sizes(n_inputs, hidden_1, hidden_2, n_outputs)
        summary = network_summary(sizes)
        count_label.value = f"layer sizes {list(summary.layer_sizes)}: {summary.total_parameters} parameters"
        fig = layer_size_figure(sizes, figsize=figsize)
        display(fig)
        plt.close(fig)
        print(summary.describe())

    output = widgets.interactive_output(redraw, {"hidden_1": hidden_1, "hidden_2": hidden_2})
    return widgets.VBox([widgets.HBox([hidden_1, hidden_2]), count_label, output])


# ---------------------------------------------------------------------------------------------
# Static twins: pre-computed frames with a working slider, no kernel and no network needed
# ---------------------------------------------------------------------------------------------


def figure_to_png_base64(fig, dpi: int = 75) -> str:
    """Render a Matplotlib figure to PNG and return it base64-encoded (ASCII text).

    The whole figure is saved (no tight cropping), so frames drawn at one figure size have
    exactly the same pixel size and a slider can switch between them without the page jumping.
    """
    buffer = io.BytesIO()
    # No "Software" metadata: smaller frames, and the same bytes every run.
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_frames(make_figure: Callable, values: Iterable, dpi: int = 75) -> list[str]:
    """Call ``make_figure(value)`` for every value; return the frames as base64 PNG strings.

    Each figure is closed after rendering, so no figure is left open (or shown twice inline).
    """
    frames = []
    for value in values:
        fig = make_figure(value)
        try:
            frames.append(figure_to_png_base64(fig, dpi=dpi))
        finally:
            plt.close(fig)
    return frames


_slider_ids = itertools.count()

_SLIDER_SCRIPT = """
(function () {
  var root = document.getElementById(%(root_id)s);
  if (!root) { return; }
  var slider = root.querySelector("input[type=range]");
  var shown = root.querySelector("output");
  var frames = root.querySelectorAll("img[data-frame]");
  var labels = %(labels)s;
  function show(index) {
    index = Math.max(0, Math.min(frames.length - 1, index));
    for (var i = 0; i < frames.length; i++) {
      frames[i].style.display = (i === index) ? "block" : "none";
    }
    slider.value = String(index);
    shown.textContent = labels[index];
  }
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  root.querySelector("button[data-step='-1']").addEventListener("click", function () {
    show(parseInt(slider.value, 10) - 1);
  });
  root.querySelector("button[data-step='1']").addEventListener("click", function () {
    show(parseInt(slider.value, 10) + 1);
  });
  show(parseInt(slider.value, 10));
})();
"""


def static_slider_html(frames: Sequence[str], value_labels: Sequence[str], label: str,
                       initial_index: int = 0) -> str:
    """Build a self-contained HTML snippet: base64 PNG frames, an ``<input type=range>`` and JS.

    ``frames[i]`` is shown when the slider is at position ``i``; the text ``label: value_labels[i]``
    is shown next to the slider. Everything is inline (images as ``data:`` URIs, a short script),
    so it works offline and without a kernel. Without JavaScript the initial frame still shows.
    """
    if len(frames) == 0:
        raise ValueError("frames: expected at least one frame, got an empty sequence")
    if len(value_labels) != len(frames):
        raise ValueError(
            f"value_labels: expected one label per frame ({len(frames)}), got {len(value_labels)}"
        )
    if not 0 <= initial_index < len(frames):
        raise ValueError(
            f"initial_index: expected an integer in [0, {len(frames) - 1}], got {initial_index!r}"
        )
    digest = hashlib.sha1("".join(frames).encode("ascii")).hexdigest()[:10]
    root_id = f"nnlib-slider-{digest}-{next(_slider_ids)}"
    images = "\n".join(
        f'<img data-frame="{index}" alt="{html.escape(label)}: {html.escape(text)}" '
        f'style="display:{"block" if index == initial_index else "none"};max-width:100%" '
        f'src="data:image/png;base64,{frame}"/>'
        for index, (frame, text) in enumerate(zip(frames, value_labels))
    )
    script = _SLIDER_SCRIPT % {"root_id": json.dumps(root_id), "labels": json.dumps(list(value_labels))}
    return (
        f'<div class="nnlib-static-slider" id="{root_id}">\n'
        f'<div style="font-family:sans-serif;font-size:14px;margin:4px 0">\n'
        f'<label for="{root_id}-range">{html.escape(label)}</label>\n'
        f'<button type="button" data-step="-1" aria-label="previous">&#9664;</button>\n'
        f'<input type="range" id="{root_id}-range" min="0" max="{len(frames) - 1}" step="1" '
        f'value="{initial_index}" style="width:40%;vertical-align:middle"/>\n'
        f'<button type="button" data-step="1" aria-label="next">&#9654;</button>\n'
        f'<output for="{root_id}-range" style="font-weight:bold;margin-left:8px">'
        f"{html.escape(value_labels[initial_index])}</output>\n"
        f"</div>\n{images}\n<script>{script}</script>\n</div>"
    )


def static_slider(make_figure: Callable, values: Sequence, label: str,
                  format_value: Callable | None = None, dpi: int = 75, initial_value=None):
    """The static twin of a one-slider explorer: one pre-computed figure per slider value.

    ``make_figure(value)`` must return a Matplotlib figure; it is called once for each of
    ``values`` and the figures are rendered at ``dpi`` and closed. ``format_value(value)`` gives
    the text shown next to the slider (default ``str``). Returns an ``IPython.display.HTML``
    object whose slider switches between the frames in the browser, with no kernel and no network.
    Keep ``len(values) * frame size`` modest: about 20-60 kB per frame at dpi 75.
    """
    from IPython.display import HTML

    values = list(values)
    if len(values) == 0:
        raise ValueError("values: expected at least one slider value, got an empty sequence")
    if not isinstance(label, str) or not label:
        raise ValueError(f"label: expected a non-empty string, got {label!r}")
    format_value = str if format_value is None else format_value
    initial_index = 0 if initial_value is None else _index_of(values, initial_value)
    frames = render_frames(make_figure, values, dpi=dpi)
    labels = [format_value(value) for value in values]
    return HTML(static_slider_html(frames, labels, label, initial_index=initial_index))


def _index_of(values: list, value) -> int:
    for index, candidate in enumerate(values):
        if candidate == value:
            return index
    raise ValueError(f"initial_value: expected one of {values!r}, got {value!r}")


def layer_size_frames(n_inputs: int = 2, n_outputs: int = 1, hidden_sizes: Iterable[int] = range(1, 9),
                      second_hidden_size: int = 0) -> list[list[int]]:
    """The layer sizes shown by the static layer-size explorer, one list per frame.

    Frame ``i`` is ``[n_inputs, hidden_sizes[i], (second_hidden_size,) n_outputs]``; a
    ``second_hidden_size`` of 0 means no second hidden layer.
    """
    _check_positive_int("n_inputs", n_inputs)
    _check_positive_int("n_outputs", n_outputs)
    _check_positive_int("second_hidden_size", second_hidden_size, minimum=0)
    hidden_sizes = list(hidden_sizes)
    if not hidden_sizes:
        raise ValueError("hidden_sizes: expected at least one hidden layer size, got none")
    for size in hidden_sizes:
        _check_positive_int("hidden_sizes", size)
    if len(set(hidden_sizes)) != len(hidden_sizes):
        raise ValueError(f"hidden_sizes: expected distinct sizes, got {hidden_sizes!r}")
    return [_hidden_layer_sizes(n_inputs, size, second_hidden_size, n_outputs) for size in hidden_sizes]


def static_layer_size_explorer(n_inputs: int = 2, n_outputs: int = 1,
                               hidden_sizes: Iterable[int] = range(1, 9),
                               second_hidden_size: int = 0, dpi: int = 75):
    """Static twin of :func:`layer_size_explorer`: slide through the size of the first hidden layer.

    One frame per entry of ``hidden_sizes``: the network diagram with its parameter count.
    Returns an ``IPython.display.HTML`` object that works in the HTML book (no kernel, no network).
    """
    frames = layer_size_frames(n_inputs, n_outputs, hidden_sizes, second_hidden_size)
    by_hidden_size = {sizes[1]: sizes for sizes in frames}
    figsize = _explorer_figsize(max(max(sizes) for sizes in frames))

    def describe(hidden_size: int) -> str:
        summary = network_summary(by_hidden_size[hidden_size])
        return f"{hidden_size} ({summary.total_parameters} parameters)"

    return static_slider(
        lambda hidden_size: layer_size_figure(by_hidden_size[hidden_size], figsize=figsize),
        list(by_hidden_size),
        label="hidden layer 1 size",
        format_value=describe,
        dpi=dpi,
    )


# ---------------------------------------------------------------------------------------------
# Gradient descent on the bowl f(x0, x1) = x0^2 + x1^2, and the learning-rate explorer
# (chapter 5, Numerical gradients and gradient descent)
# ---------------------------------------------------------------------------------------------
# Same four-part pattern as the layer-size explorer above: pure functions (descent_path_on_bowl,
# descent_regime), a figure (descent_figure), a live explorer (learning_rate_explorer) and its
# static twin (static_learning_rate_explorer, built on static_slider).

import numpy as np  # noqa: E402  (imports of the section added for chapter 5)

from .gradients import gradient_descent  # noqa: E402

#: Learning rates of the chapter 5 explorers: slow (0.01, 0.03), good (0.1, 0.3, 0.5),
#: oscillating (0.9, 0.95, 0.99), bouncing for ever (1.0) and diverging (1.05).
DESCENT_LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 0.5, 0.9, 0.95, 0.99, 1.0, 1.05)

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


def descent_figure(learning_rate: float, start=BOWL_START, steps: int = 20):
    """Two panels for one learning rate: the path on the bowl's contour lines, and the loss per step.

    The left panel always shows [-2.5, 2.5]^2, so paths of different learning rates can be
    compared (a diverging path leaves it); each step is a curved arrow, so jumps across the
    minimum show. The right panel plots f(x_k) on a log scale from 1e-12 to 1e4; losses below
    1e-12, including exact zeros, are drawn at 1e-12.
    Returns the Matplotlib figure (the caller shows or closes it).
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
    ax_path.set(xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), xlabel="$x_0$", ylabel="$x_1$", aspect="equal")
    ax_path.set_title(f"Path on $f = x_0^2 + x_1^2$: {regime}")
    ax_path.legend(loc="lower right", fontsize=8)
    with np.errstate(invalid="ignore", over="ignore"):
        loss = np.maximum(bowl(path), _LOSS_FLOOR)
    ax_loss.semilogy(np.arange(steps + 1), loss, "o-", markersize=3, label="$f(x_k)$")
    ax_loss.set(ylim=(_LOSS_FLOOR / 2, 1e4), xlabel="step k", ylabel="loss $f(x_k)$ (log scale)")
    ax_loss.set_yticks([1e-12, 1e-8, 1e-4, 1e0, 1e4])   # few tick labels: faster frames for the twin
    ax_loss.minorticks_off()
    ax_loss.set_title(f"Loss per step: factor $1 - 2\\eta$ = {1 - 2 * learning_rate:+.2f}")
    fig.suptitle(f"Gradient descent with learning rate $\\eta$ = {learning_rate:g}")
    fig.tight_layout()
    return fig


def _check_learning_rates(learning_rates) -> list[float]:
    try:
        rates = [float(rate) for rate in learning_rates]
    except (TypeError, ValueError):
        raise ValueError(
            f"learning_rates: expected a sequence of positive numbers, got {learning_rates!r}"
        ) from None
    if not rates:
        raise ValueError("learning_rates: expected at least one learning rate, got none")
    if not all(np.isfinite(rate) and rate > 0 for rate in rates):
        raise ValueError(f"learning_rates: expected positive finite numbers, got {rates!r}")
    if len(set(rates)) != len(rates):
        raise ValueError(f"learning_rates: expected distinct values, got {rates!r}")
    return rates


def _initial_rate(rates: list[float], initial: float) -> float:
    if initial not in rates:
        raise ValueError(f"initial: expected one of the learning rates {rates!r}, got {initial!r}")
    return float(initial)


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
    rates = _check_learning_rates(learning_rates)
    initial = _initial_rate(rates, initial)
    start = _check_start(start)
    _check_positive_int("steps", steps)
    widgets = _import_ipywidgets()
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
    rates = _check_learning_rates(learning_rates)
    initial = _initial_rate(rates, initial)
    start = _check_start(start)
    _check_positive_int("steps", steps)

    def describe(rate: float) -> str:
        return f"{rate:g} ({descent_regime(descent_path_on_bowl(rate, start, steps))})"

    return static_slider(
        lambda rate: descent_figure(rate, start, steps), rates,
        label="learning rate η", format_value=describe, dpi=dpi, initial_value=initial,
    )


__all__ += [
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


# ---------------------------------------------------------------------------------------------
# Training a small classifier, and the learning-rate and hidden-layer-size explorer
# (chapter 7, Training a network)
# ---------------------------------------------------------------------------------------------
# Same four-part pattern again: a pure function (train_classifier_2d, returning a TrainingRun with
# the loss and accuracy per epoch and the decision-boundary grid), a figure (training_figure), a
# live explorer with two sliders (training_explorer) and its static twin, which needs two sliders
# too: static_training_explorer, built on the generic two-slider static_slider_grid.

import numpy as np  # noqa: E402  (imports of the section added for chapter 7)

from . import datasets as _datasets, initializers as _initializers  # noqa: E402
from .layers import Dense as _Dense, Input as _Input  # noqa: E402
from .models import Sequential as _Sequential  # noqa: E402
from .optimizers import Adam as _Adam  # noqa: E402
from .plotting import COLORS as _COLORS, decision_boundary_grid as _decision_boundary_grid  # noqa: E402

TRAINING_DATASETS = ("spirals", "coffee")
"""The 2-D data sets the training explorer can learn (see ``nnlib.datasets``)."""

TRAINING_LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""Learning rates of the live explorer's slider, about two per factor of ten: with Adam on the spirals,
0.001 and below stall, 0.01 is slow, 0.1 to 1 learn, 3 is erratic and 10 diverges."""


@dataclass(frozen=True)
class TrainingRun:
    """What :func:`train_classifier_2d` returns.

    - ``x`` (n_samples, 2): the points in their own units; ``y`` (n_samples,): labels 0 or 1;
    - ``loss``, ``accuracy`` (epochs,): the training loss and accuracy of each epoch, as ``fit``
      reports them in ``History.history["loss"]`` and ``["accuracy"]``;
    - ``xx``, ``yy``, ``zz`` (resolution, resolution): the grid of
      ``nnlib.plotting.decision_boundary_grid``, ``zz`` = P(class 1) at each grid point;
    - the settings that produced them: ``dataset``, ``hidden_units``, ``learning_rate``, ``epochs``,
      ``seed``, and ``feature_names`` for the axis labels.
    """

    dataset: str
    hidden_units: int
    learning_rate: float
    epochs: int
    seed: int
    x: np.ndarray
    y: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    xx: np.ndarray
    yy: np.ndarray
    zz: np.ndarray
    feature_names: tuple

    @property
    def final_loss(self) -> float:
        """The training loss of the last epoch."""
        return float(self.loss[-1])

    @property
    def final_accuracy(self) -> float:
        """The training accuracy of the last epoch."""
        return float(self.accuracy[-1])

    def describe(self) -> str:
        """One line: the settings and the final loss and accuracy."""
        return (f"{self.dataset}: {self.hidden_units} hidden units, learning rate {self.learning_rate:g}, "
                f"{self.epochs} epochs -> loss {self.final_loss:.4f}, accuracy {self.final_accuracy:.3f}")


def _check_training_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {list(choices)!r}, got {value!r}")
    return value


def _check_training_rate(value, name: str = "learning_rate") -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a positive finite number such as 0.1, got {value!r}")
    return float(value)


def _check_training_rates(values, name: str = "learning_rates") -> list[float]:
    try:
        rates = [_check_training_rate(value, name) for value in values]
    except TypeError:
        raise ValueError(f"{name}: expected a sequence of positive numbers, got {values!r}") from None
    if not rates:
        raise ValueError(f"{name}: expected at least one learning rate, got none")
    if len(set(rates)) != len(rates):
        raise ValueError(f"{name}: expected distinct learning rates, got {rates!r}")
    return rates


def _check_hidden_sizes(values, name: str = "hidden_units") -> list[int]:
    try:
        sizes = [_check_positive_int(name, value) for value in values]
    except TypeError:
        raise ValueError(f"{name}: expected a sequence of positive integers, got {values!r}") from None
    if not sizes:
        raise ValueError(f"{name}: expected at least one hidden-layer size, got none")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"{name}: expected distinct sizes, got {sizes!r}")
    return [int(size) for size in sizes]


def _check_training_seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"seed: expected an integer, got {value!r}")
    return int(value)


def _training_data(dataset: str, n_points: int, seed: int):
    """Points in their own units, labels, and the function that scales points for the network.

    Spirals already lie in [-1, 1]^2 and are used as they are. Coffee roasts (deg C, minutes) are
    standardised with the statistics of the training points (chapter 9 explains why).
    """
    if dataset == "spirals":
        x, y = _datasets.spirals(n=n_points // 2, noise=0.2, seed=seed)
        return x, y, (lambda points: points), ("x1", "x2"), 0.25
    x, y = _datasets.coffee_roasting(n=n_points, seed=seed)
    standardizer = _datasets.Standardizer().fit(x)
    return x, y, standardizer.transform, ("temperature (deg C)", "duration (min)"), (10.0, 0.3)


def _seeded_glorot(rng):
    """A Glorot-uniform initializer that draws from ``rng``, so a model's weights follow its seed."""
    def initializer(shape, seed=None):
        return _initializers.glorot_uniform(shape, seed=rng)

    return initializer


def train_classifier_2d(dataset: str = "spirals", hidden_units: int = 8, learning_rate: float = 0.1,
                        epochs: int = 250, seed: int = 0, n_points: int = 200, batch_size: int | None = None,
                        resolution: int = 100) -> TrainingRun:
    """Train a 2-``hidden_units``-1 classifier on a 2-D data set and return its curves and boundary.

    The network is ``Dense(hidden_units, "tanh")`` then ``Dense(1, "sigmoid")``, Glorot-uniform
    weights drawn from ``numpy.random.default_rng(seed)``, trained with
    ``nnlib.optimizers.Adam(learning_rate)`` on the binary cross-entropy

        L = -mean( y log p + (1 - y) log(1 - p) ),

    for ``epochs`` epochs of mini-batches of ``batch_size`` (``None``: the full batch, one step per
    epoch), shuffled with ``seed``. ``dataset`` is ``"spirals"`` (``n_points // 2`` points on each of
    two arms, ``nnlib.datasets.spirals``) or ``"coffee"`` (``n_points`` roasts,
    ``nnlib.datasets.coffee_roasting``, standardised); both are drawn with ``seed``. The decision
    boundary is P(class 1) on a ``resolution`` x ``resolution`` grid
    (``nnlib.plotting.decision_boundary_grid``). Same arguments, same numbers.

    Returns a :class:`TrainingRun`. The training loop is derived in chapter 7, Training a network;
    this function is what the chapter's learning-rate and hidden-layer-size sliders call.
    """
    _check_training_choice("dataset", dataset, TRAINING_DATASETS)
    _check_positive_int("hidden_units", hidden_units)
    learning_rate = _check_training_rate(learning_rate)
    _check_positive_int("epochs", epochs)
    seed = _check_training_seed(seed)
    _check_positive_int("n_points", n_points, minimum=4)
    if batch_size is not None:
        _check_positive_int("batch_size", batch_size)
    _check_positive_int("resolution", resolution, minimum=2)

    x, y, scale, feature_names, margin = _training_data(dataset, n_points, seed)
    x_scaled = scale(x)
    rng = np.random.default_rng(seed)
    model = _Sequential([
        _Input((2,)),
        _Dense(int(hidden_units), activation="tanh", kernel_initializer=_seeded_glorot(rng)),
        _Dense(1, activation="sigmoid", kernel_initializer=_seeded_glorot(rng)),
    ])
    model.compile(optimizer=_Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_scaled, y, epochs=int(epochs), batch_size=int(batch_size or len(x)), shuffle=True,
                        verbose=0, seed=seed)
    xx, yy, zz = _decision_boundary_grid(lambda points: model.predict(scale(points)), x,
                                         resolution=int(resolution), margin=margin)
    return TrainingRun(dataset=dataset, hidden_units=int(hidden_units), learning_rate=learning_rate,
                       epochs=int(epochs), seed=seed, x=x, y=y,
                       loss=np.asarray(history.history["loss"], dtype=np.float64),
                       accuracy=np.asarray(history.history["accuracy"], dtype=np.float64),
                       xx=xx, yy=yy, zz=zz, feature_names=feature_names)


def training_figure(run: TrainingRun, figsize: tuple[float, float] = (10.0, 4.0)):
    """Draw a :class:`TrainingRun`: the loss per epoch (left) and the decision boundary (right).

    Left: the training loss on a log scale with fixed limits (1e-3 to 10, values outside are clipped),
    so that figures for different settings can be compared at a glance. Right: P(class 1) on the
    grid from blue (0) to red (1), the 0.5 contour (the decision boundary) in black, and the points
    coloured by their label. The titles give the final loss and accuracy. The layout uses fixed
    margins (no ``tight_layout``), which keeps a slider change fast. Returns the figure (the caller
    shows or closes it).
    """
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    fig, (loss_ax, boundary_ax) = plt.subplots(1, 2, figsize=figsize)
    epochs = np.arange(1, len(run.loss) + 1)
    loss_ax.plot(epochs, np.clip(run.loss, 1e-3, 10.0), color=_COLORS[0], linewidth=2)
    loss_ax.set_yscale("log")
    loss_ax.set_ylim(1e-3, 10.0)
    loss_ax.yaxis.set_major_locator(FixedLocator([0.001, 0.01, 0.1, 1.0, 10.0]))
    loss_ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    loss_ax.yaxis.set_minor_locator(NullLocator())
    loss_ax.set_xlim(1, max(len(run.loss), 2))
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("training loss (log scale)")
    loss_ax.set_title(f"Loss per epoch: final {run.final_loss:.3f}")
    loss_ax.grid(True, color="#d0d0d0", linewidth=0.6)

    extent = (run.xx.min(), run.xx.max(), run.yy.min(), run.yy.max())
    boundary_ax.contourf(run.xx, run.yy, run.zz, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r", alpha=0.45,
                         vmin=0.0, vmax=1.0)
    if run.zz.min() < 0.5 < run.zz.max():
        boundary_ax.contour(run.xx, run.yy, run.zz, levels=[0.5], colors="black", linewidths=1.5)
    for label in (0, 1):
        chosen = run.y == label
        boundary_ax.scatter(run.x[chosen, 0], run.x[chosen, 1], s=14, color=_COLORS[label], edgecolors="white",
                            linewidths=0.5, label=f"class {label}")
    boundary_ax.set_xlim(extent[0], extent[1])
    boundary_ax.set_ylim(extent[2], extent[3])
    boundary_ax.set_xlabel(run.feature_names[0])
    boundary_ax.set_ylabel(run.feature_names[1])
    boundary_ax.set_title(f"Decision boundary: accuracy {run.final_accuracy:.2f}")
    boundary_ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    fig.suptitle(f"{run.dataset}: {run.hidden_units} hidden units, learning rate {run.learning_rate:g}, "
                 f"{run.epochs} epochs of Adam")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.83, wspace=0.25)
    return fig


def training_explorer(dataset: str = "spirals", learning_rates: Sequence[float] = TRAINING_LEARNING_RATES,
                      max_hidden: int = 32, epochs: int = 250, seed: int = 0, learning_rate: float = 0.1,
                      hidden_units: int = 8):
    """Live sliders for the learning rate and the hidden-layer size; each change retrains and redraws.

    A ``SelectionSlider`` over ``learning_rates`` and an ``IntSlider`` for the hidden units
    (1..``max_hidden``), both with ``continuous_update=False``. Through
    ``ipywidgets.interactive_output`` every change calls :func:`train_classifier_2d` with the
    sliders' values and shows :func:`training_figure` (loss curve and decision boundary side by side);
    a ``Label`` under the sliders shows the final loss and accuracy. ``learning_rate`` and
    ``hidden_units`` are the starting positions.

    Returns an ``ipywidgets.VBox`` with children ``[sliders (HBox), label, output]``.
    Explored in chapter 7, Training a network.
    """
    _check_training_choice("dataset", dataset, TRAINING_DATASETS)
    _check_positive_int("max_hidden", max_hidden)
    _check_positive_int("epochs", epochs)
    seed = _check_training_seed(seed)
    rates = _check_training_rates(learning_rates)
    learning_rate = _check_training_rate(learning_rate)
    if learning_rate not in rates:
        raise ValueError(f"learning_rate: expected one of learning_rates {rates!r}, got {learning_rate!r}")
    _check_positive_int("hidden_units", hidden_units)
    if hidden_units > max_hidden:
        raise ValueError(f"hidden_units: expected at most max_hidden = {max_hidden}, got {hidden_units!r}")
    widgets = _import_ipywidgets()
    from IPython.display import display

    rate_slider = widgets.SelectionSlider(
        options=[(f"{rate:g}", rate) for rate in rates], value=learning_rate, description="learning rate",
        continuous_update=False, style={"description_width": "initial"},
    )
    hidden_slider = widgets.IntSlider(
        value=hidden_units, min=1, max=max_hidden, step=1, description="hidden units",
        continuous_update=False, style={"description_width": "initial"},
    )
    result_label = widgets.Label()

    def retrain(learning_rate: float, hidden_units: int) -> None:
        run = train_classifier_2d(dataset, hidden_units=hidden_units, learning_rate=learning_rate,
                                  epochs=epochs, seed=seed)
        result_label.value = (f"final loss {run.final_loss:.4f}, accuracy {run.final_accuracy:.3f} "
                              f"({hidden_units} hidden units, learning rate {learning_rate:g})")
        fig = training_figure(run)
        display(fig)
        plt.close(fig)
        print(run.describe())

    output = widgets.interactive_output(retrain, {"learning_rate": rate_slider, "hidden_units": hidden_slider})
    return widgets.VBox([widgets.HBox([rate_slider, hidden_slider]), result_label, output])


# --- a static twin with two sliders ----------------------------------------------------------------

_GRID_SLIDER_SCRIPT = """
(function () {
  var root = document.getElementById(%(root_id)s);
  if (!root) { return; }
  var sliders = root.querySelectorAll("input[type=range]");
  var shown = root.querySelectorAll("output");
  var frames = root.querySelectorAll("img[data-frame]");
  var labels = [%(first_labels)s, %(second_labels)s];
  var columns = labels[1].length;
  function show() {
    var i = parseInt(sliders[0].value, 10), j = parseInt(sliders[1].value, 10);
    var index = i * columns + j;
    for (var k = 0; k < frames.length; k++) {
      frames[k].style.display = (k === index) ? "block" : "none";
    }
    shown[0].textContent = labels[0][i];
    shown[1].textContent = labels[1][j];
  }
  sliders[0].addEventListener("input", show);
  sliders[1].addEventListener("input", show);
  show();
})();
"""


def static_slider_grid_html(frames: Sequence[Sequence[str]], first_labels: Sequence[str],
                            second_labels: Sequence[str], first_name: str, second_name: str,
                            initial_indices: tuple[int, int] = (0, 0)) -> str:
    """A self-contained HTML snippet with TWO range sliders choosing among a grid of base64 PNG frames.

    ``frames[i][j]`` is shown when the first slider is at position ``i`` and the second at ``j``
    (``len(first_labels)`` rows of ``len(second_labels)`` frames). Each slider shows its name and the
    label of its position. The frames are ``data:`` URIs and the script is inline, so the snippet
    works offline and without a kernel; without JavaScript the initial frame still shows.
    """
    rows = [list(row) for row in frames]
    if not rows or not all(rows):
        raise ValueError("frames: expected a non-empty grid of frames (a list of non-empty rows), got an empty one")
    if len(first_labels) != len(rows):
        raise ValueError(f"first_labels: expected one label per row of frames ({len(rows)}), got {len(first_labels)}")
    for index, row in enumerate(rows):
        if len(row) != len(second_labels):
            raise ValueError(
                f"second_labels: expected one label per frame in each row; row {index} has {len(row)} frames "
                f"and there are {len(second_labels)} labels"
            )
    first, second = initial_indices
    if not (0 <= first < len(rows) and 0 <= second < len(second_labels)):
        raise ValueError(
            f"initial_indices: expected a pair in [0, {len(rows) - 1}] x [0, {len(second_labels) - 1}], "
            f"got {initial_indices!r}"
        )
    flat = [frame for row in rows for frame in row]
    digest = hashlib.sha1("".join(flat).encode("ascii")).hexdigest()[:10]
    root_id = f"nnlib-slider-grid-{digest}-{next(_slider_ids)}"
    columns = len(second_labels)
    initial = first * columns + second
    images = "\n".join(
        f'<img data-frame="{index}" alt="{html.escape(first_name)}: {html.escape(first_labels[index // columns])}, '
        f'{html.escape(second_name)}: {html.escape(second_labels[index % columns])}" '
        f'style="display:{"block" if index == initial else "none"};max-width:100%" '
        f'src="data:image/png;base64,{frame}"/>'
        for index, frame in enumerate(flat)
    )

    def slider_row(number: int, name: str, labels: Sequence[str], value: int) -> str:
        slider_id = f"{root_id}-range-{number}"
        return (
            f'<div style="font-family:sans-serif;font-size:14px;margin:4px 0">\n'
            f'<label for="{slider_id}" style="display:inline-block;min-width:9em">{html.escape(name)}</label>\n'
            f'<input type="range" id="{slider_id}" min="0" max="{len(labels) - 1}" step="1" value="{value}" '
            f'style="width:35%;vertical-align:middle"/>\n'
            f'<output for="{slider_id}" style="font-weight:bold;margin-left:8px">'
            f"{html.escape(labels[value])}</output>\n"
            f"</div>"
        )

    script = _GRID_SLIDER_SCRIPT % {"root_id": json.dumps(root_id), "first_labels": json.dumps(list(first_labels)),
                                    "second_labels": json.dumps(list(second_labels))}
    return (
        f'<div class="nnlib-static-slider-grid" id="{root_id}">\n'
        f"{slider_row(0, first_name, first_labels, first)}\n"
        f"{slider_row(1, second_name, second_labels, second)}\n"
        f"{images}\n<script>{script}</script>\n</div>"
    )


def static_slider_grid(make_figure: Callable, first_values: Sequence, second_values: Sequence,
                       first_name: str, second_name: str, format_first: Callable | None = None,
                       format_second: Callable | None = None, dpi: int = 70, initial_values=None):
    """The static twin of a two-slider explorer: one pre-computed figure per pair of slider values.

    ``make_figure(first, second)`` must return a Matplotlib figure; it is called for every pair in
    ``first_values`` x ``second_values`` (``len(first_values) * len(second_values)`` frames, rendered
    at ``dpi`` and closed). ``format_first`` / ``format_second`` give the text shown next to each
    slider (default ``str``); ``initial_values`` is the (first, second) pair shown first. Returns an
    ``IPython.display.HTML`` object whose two sliders switch between the frames in the browser.
    """
    from IPython.display import HTML

    first_values, second_values = list(first_values), list(second_values)
    if not first_values:
        raise ValueError("first_values: expected at least one slider value, got an empty sequence")
    if not second_values:
        raise ValueError("second_values: expected at least one slider value, got an empty sequence")
    for name, text in (("first_name", first_name), ("second_name", second_name)):
        if not isinstance(text, str) or not text:
            raise ValueError(f"{name}: expected a non-empty string, got {text!r}")
    if initial_values is None:
        initial_indices = (0, 0)
    else:
        try:
            first_initial, second_initial = initial_values
        except (TypeError, ValueError):
            raise ValueError(f"initial_values: expected a (first, second) pair, got {initial_values!r}") from None
        initial_indices = (_position_of("initial_values[0]", first_values, first_initial),
                           _position_of("initial_values[1]", second_values, second_initial))
    format_first = str if format_first is None else format_first
    format_second = str if format_second is None else format_second
    frames = [render_frames(lambda second, first=first: make_figure(first, second), second_values, dpi=dpi)
              for first in first_values]
    return HTML(static_slider_grid_html(frames, [format_first(v) for v in first_values],
                                        [format_second(v) for v in second_values], first_name, second_name,
                                        initial_indices=initial_indices))


def _position_of(name: str, values: list, value) -> int:
    for index, candidate in enumerate(values):
        if candidate == value:
            return index
    raise ValueError(f"{name}: expected one of {values!r}, got {value!r}")


def static_training_explorer(dataset: str = "spirals",
                             learning_rates: Sequence[float] = (0.001, 0.01, 0.1, 1.0, 10.0),
                             hidden_units: Sequence[int] = (2, 4, 8, 16), epochs: int = 250, seed: int = 0,
                             initial_values=(0.1, 8), dpi: int = 70):
    """Static twin of :func:`training_explorer`: both sliders, over pre-computed trainings.

    Trains one network per pair in ``learning_rates`` x ``hidden_units`` with
    :func:`train_classifier_2d` (20 trainings with the defaults, a few seconds) and draws each with
    :func:`training_figure`. The first slider picks the learning rate, the second the number of
    hidden units; ``initial_values`` (learning rate, hidden units) is the frame shown first and must
    be one of the pairs. Returns an ``IPython.display.HTML`` object that works in the HTML book
    without a kernel or a network (about 1.1 MB with the defaults at ``dpi=70``).
    """
    _check_training_choice("dataset", dataset, TRAINING_DATASETS)
    rates = _check_training_rates(learning_rates)
    sizes = _check_hidden_sizes(hidden_units)
    _check_positive_int("epochs", epochs)
    seed = _check_training_seed(seed)

    def make_figure(learning_rate: float, units: int):
        run = train_classifier_2d(dataset, hidden_units=units, learning_rate=learning_rate, epochs=epochs,
                                  seed=seed)
        return training_figure(run)

    return static_slider_grid(make_figure, rates, sizes, "learning rate", "hidden units",
                              format_first=lambda rate: f"{rate:g}", format_second=str, dpi=dpi,
                              initial_values=initial_values)


__all__ += [
    "TRAINING_DATASETS",
    "TRAINING_LEARNING_RATES",
    "TrainingRun",
    "train_classifier_2d",
    "training_figure",
    "training_explorer",
    "static_slider_grid_html",
    "static_slider_grid",
    "static_training_explorer",
]
