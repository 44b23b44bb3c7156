"""The book's figures: functions with their derivatives, training curves, decision boundaries,
network diagrams, glyphs and matrices.

Every drawing function returns the Matplotlib ``Figure`` (end the notebook cell with
``plt.show()``) and accepts an existing ``ax`` where that makes sense. Where there is real
computation -- the grid of a decision boundary, the layout of a network diagram, a parameter
count -- it lives in a pure function (``decision_boundary_grid``, ``network_layout``,
``count_parameters``) that is tested on its own, and the drawing function only draws its result.
Matplotlib only; no global style is changed on import: a notebook opts in with
``use_book_style()`` (one colour-blind-safe palette, line styles, HiDPI output).
"""
import math
import numbers
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from . import config

__all__ = [
    "COLORS", "plot_function_and_derivative", "plot_history", "decision_boundary_grid",
    "plot_decision_boundary", "plot_decision_boundary_grid", "check_layer_sizes", "count_parameters", "NetworkLayout",
    "network_layout", "draw_network", "show_glyphs", "plot_matrix", "LINESTYLES",
    "use_book_style", "describe_figure",
]

COLORS = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7",
          "#56B4E9", "#F0E442", "#000000"]
"""The book's colours, one per line or class, in order: the Okabe-Ito palette, which stays
distinguishable under the common forms of colour blindness (blue first, vermilion second)."""

LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3)), "-"]
"""One line style per colour, so that lines stay apart in grey print and for every reader."""


class _BookStyle(dict):
    """The settings ``use_book_style`` applied; a dict that Jupyter does not print as a cell result."""

    def _ipython_display_(self):
        pass


def use_book_style(retina=True):
    """Set the book's figure style for the rest of the session and return the rc settings.

    Colours and line styles cycle together (``COLORS`` with ``LINESTYLES``), fonts are a
    little larger than Matplotlib's defaults, and, inside IPython/Jupyter, inline figures are
    drawn at twice the pixel density (``retina=True``) so labels stay sharp on phones and
    projectors, and carry a text description (:func:`describe_figure`) that the HTML book uses
    as the image's alt text. Every chapter calls it once, in its first code cell. The returned
    dict of settings is not printed when it ends a cell.
    """
    from cycler import cycler

    settings = {
        "axes.prop_cycle": cycler(color=COLORS) + cycler(linestyle=LINESTYLES),
        "axes.grid": False,
        "font.size": 11,
        "axes.titlesize": 12,
        "legend.frameon": False,
        "figure.dpi": 100,
        "savefig.dpi": 200,
    }
    plt.rcParams.update(settings)
    _set_inline_png(retina)
    return _BookStyle(settings)


def _set_inline_png(retina):
    """Inline figures as PNG (twice the resolution when ``retina``) with an "alt" description.

    No-op outside IPython. The description goes into the output's metadata
    (``metadata["image/png"]["alt"]``), where _ext/figure_text.py finds it for the HTML book.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure, retina_figure
        from matplotlib.figure import Figure
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    # Matplotlib loads Jupyter's inline backend lazily, at the first figure, and loading it
    # (or `%matplotlib inline`) resets the PNG formatter to plain 1x PNGs. Load it now, and put
    # this formatter back before every cell should anything reset it again.
    try:
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass

    def png_with_alt(fig):
        if retina:
            data, metadata = retina_figure(fig)
        else:
            data, metadata = print_figure(fig, "png"), {}
        if data is None:                    # an empty figure draws nothing
            return None
        return data, {**(metadata or {}), "alt": describe_figure(fig)}

    formatter = shell.display_formatter.formatters["image/png"]

    def install(*args):
        if getattr(formatter.lookup_by_type(Figure), "_book_style", None) != retina:
            formatter.for_type(Figure, png_with_alt)

    png_with_alt._book_style = retina
    formatter.for_type(Figure, png_with_alt)
    previous = getattr(shell, "_nnlib_book_style_hook", None)
    if previous is not None:
        shell.events.unregister("pre_run_cell", previous)
    shell.events.register("pre_run_cell", install)
    shell._nnlib_book_style_hook = install


def _clean(text):
    """Matplotlib text without TeX markup: "$\\eta$ = 0.1" -> "eta = 0.1"."""
    text = text.replace("$", "").replace("\\", "")
    return " ".join(text.split())


def describe_figure(fig):
    """A one-sentence text description of a Matplotlib figure, for screen readers (alt text).

    Built from what the figure itself says: its title, and per panel the title, the axis labels
    and the legend entries, e.g. ``"Figure: Sigmoid and its derivative. Plot of sigmoid(x) and
    sigmoid'(x) against x."``. Panels without any text are counted ("3 panels of images").
    Returns a string (never empty). Used for every figure once ``use_book_style`` is on.
    """
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(_clean(suptitle.get_text()))
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"]
    unlabelled = 0
    for ax in axes:
        title = _clean(ax.get_title() or ax.get_title("left") or ax.get_title("right"))
        xlabel, ylabel = _clean(ax.get_xlabel()), _clean(ax.get_ylabel())
        legend = ax.get_legend()
        entries = [_clean(t.get_text()) for t in legend.get_texts()] if legend is not None else []
        entries = [e for e in entries if e]
        if not (title or xlabel or ylabel or entries):
            words = [_clean(t.get_text()) for t in ax.texts if _clean(t.get_text())]
            if not words:
                unlabelled += 1
                continue
            title = "a diagram labelled " + ", ".join(words[:8]) + (" and more" if len(words) > 8 else "")
        text = title or "a plot"
        if entries:
            text += ": " + ", ".join(entries[:6]) + (" and more" if len(entries) > 6 else "")
        if xlabel and ylabel:
            text += f" ({ylabel} against {xlabel})"
        elif xlabel or ylabel:
            text += f" ({xlabel or ylabel})"
        parts.append(text)
    if unlabelled:
        kind = "image" if any(ax.images for ax in axes) else "drawing"
        parts.append(f"{unlabelled} unlabelled {kind}s" if unlabelled > 1 else f"an unlabelled {kind}")
    if not parts:
        parts.append("an empty figure")
    description = "Figure: " + "; ".join(parts) + "."
    return description[0] + description[1:300]


_GRID_STYLE = {"color": "#d0d0d0", "linewidth": 0.6}


def _new_axes(ax, figsize=(6, 4)):
    """Use ``ax`` when given, otherwise make a new figure with one axes."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    return fig, ax


# ---------------------------------------------------------------------------------------------
# Functions and their derivatives (chapter 2, Activation functions)
# ---------------------------------------------------------------------------------------------

def plot_function_and_derivative(f, df, x=None, name="", ax=None):
    """Plot ``f(x)`` (solid) and its derivative ``df(x)`` (dashed) on one axes.

    ``x`` defaults to 401 points from -5 to 5; ``name`` (e.g. "sigmoid") labels the curves
    "sigmoid(x)" and "sigmoid'(x)" and the title. Returns the figure.
    Used in chapter 2, Activation functions.
    """
    x = np.linspace(-5.0, 5.0, 401) if x is None else np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"x: expected a 1-D array of at least 2 points, got shape {x.shape}.")
    label = name or "f"
    fig, ax = _new_axes(ax)
    ax.axhline(0.0, **_GRID_STYLE)
    ax.axvline(0.0, **_GRID_STYLE)
    ax.plot(x, np.broadcast_to(f(x), x.shape), color=COLORS[0], linewidth=2, label=f"{label}(x)")
    ax.plot(x, np.broadcast_to(df(x), x.shape), color=COLORS[1], linewidth=2, linestyle="--",
            label=f"{label}'(x)")
    ax.set_xlabel("x")
    ax.set_ylabel("value")
    ax.set_title(f"{name} and its derivative" if name else "A function and its derivative")
    ax.legend(loc="best", frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------
# Training curves (chapter 7, Training a network)
# ---------------------------------------------------------------------------------------------

def _history_dict(history):
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise ValueError(
            f"history: expected an nnlib History (with a .history dict) or a dict of lists, got {type(history).__name__}."
        )
    return logs


def plot_history(history, metrics=("loss",), ax=None):
    """Training curves: one axes per metric, the training values solid, ``val_<metric>`` dashed.

    ``history`` is what ``model.fit`` returns (its ``.history`` dict) or a plain dict of lists such
    as ``{"loss": [...], "val_loss": [...]}``; ``metrics`` names the keys to plot (a string or a
    sequence). ``ax`` may be one axes (for one metric) or a sequence of axes, one per metric.
    Epochs are numbered from 1. Returns the figure. Used in chapter 7, Training a network.
    """
    logs = _history_dict(history)
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    if not metrics:
        raise ValueError("metrics: expected at least one metric name such as 'loss', got none.")
    for metric in metrics:
        if metric not in logs:
            raise ValueError(f"metrics: {metric!r} is not in the history; it holds {sorted(logs)}.")
    if ax is None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(ax))
        if len(axes) != len(metrics):
            raise ValueError(f"ax: expected {len(metrics)} axes, one per metric, got {len(axes)}.")
        fig = axes[0].figure
    for index, (metric, axis) in enumerate(zip(metrics, axes)):
        color = COLORS[index % len(COLORS)]
        values = np.asarray(logs[metric], dtype=np.float64)
        epochs = np.arange(1, len(values) + 1)
        axis.plot(epochs, values, color=color, linewidth=2, label=f"training {metric}")
        if f"val_{metric}" in logs:
            val = np.asarray(logs[f"val_{metric}"], dtype=np.float64)
            axis.plot(np.arange(1, len(val) + 1), val, color=color, linewidth=2, linestyle="--",
                      label=f"validation {metric}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.set_title(f"{metric.replace('_', ' ').capitalize()} per epoch")
        axis.grid(True, **_GRID_STYLE)
        axis.legend(loc="best", frameon=False)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# Decision boundaries (chapter 7, Training a network)
# ---------------------------------------------------------------------------------------------

def _check_points_2d(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x: expected 2-D points of shape (n_samples, 2), got shape {x.shape}.")
    if len(x) == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x: expected at least one point and only finite values, got shape {x.shape}.")
    return x


def _grid_values(output, n_points):
    """Probabilities as float64 (one column / 1-D float output), or class labels as int64 (integer or
    boolean output, or the argmax of several columns)."""
    output = np.asarray(output)
    if output.shape[0] != n_points:
        raise ValueError(f"predict: expected one output row per grid point ({n_points}), got shape {output.shape}.")
    if output.ndim == 2 and output.shape[1] > 1:
        return np.argmax(output, axis=1).astype(np.int64)
    output = output.reshape(n_points)
    is_labels = np.issubdtype(output.dtype, np.integer) or output.dtype == bool
    return output.astype(np.int64 if is_labels else np.float64)


def decision_boundary_grid(predict, x, resolution=200, margin=0.5):
    """Evaluate ``predict`` on a ``resolution`` x ``resolution`` grid covering the points ``x``.

    The grid spans each coordinate's range of ``x`` (n_samples, 2) widened by ``margin`` on both
    sides: one number for both axes, or a pair (x margin, y margin) when the features have different
    scales (for the coffee data, e.g. ``margin=(10, 0.5)``). ``predict`` receives the grid points
    as an array (resolution**2, 2) in ``nnlib.floatx()`` and returns one of:

    - probabilities of shape (m, 1) or (m,) as floats (binary classifier): ``zz`` holds them;
    - scores of shape (m, k), k > 1: ``zz`` holds the class with the largest score (argmax);
    - integer class labels of shape (m,): ``zz`` holds them.

    Returns ``(xx, yy, zz)``, each of shape (resolution, resolution), ready for ``contourf`` and
    :func:`plot_decision_boundary_grid`. ``zz`` is float64 for probabilities and int64 for classes.
    """
    x = _check_points_2d(x)
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
        raise ValueError(f"resolution: expected an integer >= 2, got {resolution!r}.")
    margin = _check_margin(margin)
    low, high = x.min(axis=0) - margin, x.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    points = np.column_stack([xx.ravel(), yy.ravel()]).astype(config.floatx())
    zz = _grid_values(predict(points), len(points))
    return xx, yy, zz.reshape(xx.shape)


def _check_margin(margin):
    """A margin for both axes: one number >= 0, or a pair (x margin, y margin)."""
    try:
        values = np.broadcast_to(np.asarray(margin, dtype=np.float64), (2,))
    except (TypeError, ValueError):
        raise ValueError(f"margin: expected a number >= 0 or a pair of them, got {margin!r}.") from None
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"margin: expected a number >= 0 or a pair of them, got {margin!r}.")
    return values


def _labels_for_colouring(y, n):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = np.argmax(y, axis=1)
    y = y.reshape(-1)
    if len(y) != n:
        raise ValueError(f"y: expected one label per point ({n}), got shape {np.shape(y)}.")
    if np.any(y != np.round(y)) or np.any(y < 0):
        raise ValueError("y: expected class labels 0, 1, 2, ... (or one-hot rows).")
    return y.astype(np.int64)


def plot_decision_boundary(predict, x, y, ax=None, resolution=200, title="Decision boundary",
                           xlabel="$x_0$", ylabel="$x_1$", margin=0.5):
    """Colour the plane by the model's prediction and draw the labelled points on top.

    Evaluates ``predict`` with :func:`decision_boundary_grid` (see there for what ``predict`` may
    return) and draws the grid with :func:`plot_decision_boundary_grid`: for a binary model that
    returns probabilities (one column of floats) the background shows P(class 1) from blue (0) to
    red (1) with the 0.5 contour -- the decision boundary -- in black; otherwise each predicted
    class gets its colour from ``COLORS``. Points are coloured by their label ``y`` (integers, a
    column, or one-hot rows). Returns the figure. Used in chapter 7, Training a network.
    """
    x = _check_points_2d(x)
    labels = _labels_for_colouring(y, len(x))
    xx, yy, zz = decision_boundary_grid(predict, x, resolution, margin)
    return plot_decision_boundary_grid(xx, yy, zz, x, labels, ax=ax, title=title, xlabel=xlabel, ylabel=ylabel)


_POINT_STYLE = {"s": 22, "linewidths": 0.6, "zorder": 3}
"""The labelled points of a decision-boundary figure of its own: drawn over the 0.5 contour."""

_COMPACT_POINT_STYLE = {"s": 14, "linewidths": 0.5}
"""The points of a compact panel (chapter 7's training explorer): smaller, and at the default zorder,
so the 0.5 contour is drawn over them."""


def _check_grid(xx, yy, zz):
    """``xx``, ``yy``, ``zz`` as arrays of one 2-D shape, as :func:`decision_boundary_grid` returns them."""
    xx, yy, zz = np.asarray(xx, dtype=np.float64), np.asarray(yy, dtype=np.float64), np.asarray(zz)
    if zz.dtype == bool:
        zz = zz.astype(np.int64)
    if xx.ndim != 2 or xx.shape != yy.shape or xx.shape != zz.shape or min(xx.shape) < 2:
        raise ValueError(
            f"xx, yy, zz: expected three 2-D arrays of one shape (at least 2 x 2), as decision_boundary_grid "
            f"returns them, got shapes {xx.shape}, {yy.shape} and {zz.shape}."
        )
    if not np.issubdtype(zz.dtype, np.number) or np.issubdtype(zz.dtype, np.complexfloating):
        raise ValueError(f"zz: expected probabilities (floats) or class labels (integers), got dtype {zz.dtype}.")
    return xx, yy, zz


def plot_decision_boundary_grid(xx, yy, zz, x, y, ax=None, title=None, xlabel="$x_0$", ylabel="$x_1$",
                                compact=False):
    """Draw a decision boundary from a precomputed grid, and the labelled points.

    ``xx``, ``yy``, ``zz`` have one shape (resolution, resolution), as :func:`decision_boundary_grid`
    returns them. Float ``zz`` holds P(class 1): the background goes from blue (0) to red (1), the
    0.5 contour -- the decision boundary -- is drawn in black, and a colour bar labelled
    "P(class 1)" is added. Integer ``zz`` holds predicted classes, each coloured from ``COLORS``.
    The points ``x`` (n_samples, 2) are coloured by their label ``y`` (integers, a column, or
    one-hot rows) and drawn over the 0.5 contour. The axes show exactly the grid; ``title=None``
    means "Decision boundary". :func:`plot_decision_boundary` evaluates the grid and calls this.

    ``compact=True`` is for a small panel beside others (chapter 7's training explorer): smaller
    points, drawn under the 0.5 contour, a small legend in the upper right corner, and no colour
    bar. Returns the figure. Used in chapter 7, Training a network.
    """
    x = _check_points_2d(x)
    labels = _labels_for_colouring(y, len(x))
    xx, yy, zz = _check_grid(xx, yy, zz)
    fig, ax = _new_axes(ax, figsize=(5.5, 5))
    if np.issubdtype(zz.dtype, np.integer):
        n_classes = int(max(labels.max(), zz.max())) + 1
        class_colors = ListedColormap([COLORS[k % len(COLORS)] for k in range(n_classes)])
        ax.contourf(xx, yy, zz, levels=np.arange(n_classes + 1) - 0.5, cmap=class_colors, alpha=0.25)
    else:
        filled = ax.contourf(xx, yy, zz, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r", alpha=0.45,
                             vmin=0.0, vmax=1.0)
        if zz.min() < 0.5 < zz.max():
            ax.contour(xx, yy, zz, levels=[0.5], colors="black", linewidths=1.5)
        if not compact:
            fig.colorbar(filled, ax=ax, label="P(class 1)", shrink=0.85)
    point_style = _COMPACT_POINT_STYLE if compact else _POINT_STYLE
    for k in np.unique(labels):
        chosen = labels == k
        ax.scatter(x[chosen, 0], x[chosen, 1], color=COLORS[k % len(COLORS)], edgecolors="white",
                   label=f"class {k}", **point_style)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("Decision boundary" if title is None else title)
    if compact:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    else:
        ax.legend(loc="best", framealpha=0.85)
    return fig


# ---------------------------------------------------------------------------------------------
# Network diagrams (chapters 1 and 3)
# ---------------------------------------------------------------------------------------------

def check_layer_sizes(layer_sizes):
    """``layer_sizes`` as a list of ints (at least two, all positive), or a ValueError naming the problem."""
    try:
        sizes = [size for size in layer_sizes]
    except TypeError:
        raise ValueError(f"layer_sizes: expected a sequence of positive integers such as [3, 4, 1], got {layer_sizes!r}.") from None
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes: expected at least 2 sizes (inputs and outputs), got {sizes!r}.")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"layer_sizes: expected positive integers, got {sizes!r} ({size!r} is not one).")
    return [int(size) for size in sizes]


def count_parameters(layer_sizes):
    """Parameters of a fully connected network ``[n_0, n_1, ..., n_L]``: sum of ``n_{l-1} * n_l + n_l``.

    Each dense layer has a kernel of shape (n_in, n_out) and a bias of shape (n_out,).
    Example: [3, 4, 1] -> (3*4 + 4) + (4*1 + 1) = 21. Derived in chapter 3, Forward propagation.
    """
    sizes = check_layer_sizes(layer_sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def layer_names(n_layers):
    """"Input", "Hidden 1", ..., "Output" for a network with ``n_layers`` layers of neurons."""
    return ["Input"] + [f"Hidden {i}" for i in range(1, n_layers - 1)] + ["Output"]


@dataclass
class NetworkLayout:
    """Where to draw a network: computed by :func:`network_layout`, drawn by :func:`draw_network`.

    - ``nodes``: list of (layer, neuron, x, y): neuron index ``neuron`` of layer ``layer`` at (x, y);
    - ``ellipses``: list of (layer, x, y): the "..." that stands for the neurons not drawn;
    - ``edges``: list of ((x0, y0), (x1, y1)): one line per weight between drawn neurons;
    - ``n_slots``: the most rows any column uses (for sizing the picture).
    """

    layer_sizes: list
    nodes: list
    ellipses: list
    edges: list
    n_slots: int


def _shown_neurons(size, max_nodes_shown):
    """Neuron indices to draw, with None marking the ellipsis: all of them, or the first few and the last."""
    if size <= max_nodes_shown:
        return list(range(size))
    return list(range(max_nodes_shown - 2)) + [None, size - 1]


def network_layout(layer_sizes, max_nodes_shown=10):
    """Coordinates of the neurons and weights of a fully connected network diagram.

    Layer ``l`` is the column ``x = l``; its rows are 1 apart and centred on ``y = 0``, neuron 0 on
    top. A layer with more than ``max_nodes_shown`` neurons shows its first ``max_nodes_shown - 2``
    neurons, an ellipsis, and its last neuron (``max_nodes_shown`` rows in all). Every drawn neuron
    is joined to every drawn neuron of the next layer. Returns a :class:`NetworkLayout`.
    """
    sizes = check_layer_sizes(layer_sizes)
    if isinstance(max_nodes_shown, bool) or not isinstance(max_nodes_shown, numbers.Integral) or max_nodes_shown < 3:
        raise ValueError(f"max_nodes_shown: expected an integer >= 3, got {max_nodes_shown!r}.")
    nodes, ellipses, columns = [], [], []
    for layer, size in enumerate(sizes):
        shown = _shown_neurons(size, max_nodes_shown)
        column = []
        for row, neuron in enumerate(shown):
            y = (len(shown) - 1) / 2 - row
            if neuron is None:
                ellipses.append((layer, float(layer), y))
            else:
                nodes.append((layer, neuron, float(layer), y))
                column.append((float(layer), y))
        columns.append(column)
    edges = [(start, end) for left, right in zip(columns[:-1], columns[1:]) for start in left for end in right]
    n_slots = max(len(_shown_neurons(size, max_nodes_shown)) for size in sizes)
    return NetworkLayout(layer_sizes=sizes, nodes=nodes, ellipses=ellipses, edges=edges, n_slots=n_slots)


def _node_colors(n_layers):
    """Face colours: inputs blue, hidden layers green, outputs red."""
    return ["#c6dbef"] + ["#c7e9c0"] * (n_layers - 2) + ["#fcbba1"]


def _edge_colors(n_layers):
    return ["#08519c"] + ["#238b45"] * (n_layers - 2) + ["#cb181d"]


def draw_network(layer_sizes, ax=None, labels=True, max_nodes_shown=10, title=None):
    """Draw a fully connected network: circles for neurons in columns, lines for weights.

    Under each column: the layer's name (Input, Hidden 1, ..., Output) and its number of neurons.
    The default title gives the shape and the parameter count, biases included, e.g.
    "3-4-1 network: 21 parameters" (see :func:`count_parameters`). Large layers are drawn with an
    ellipsis (see :func:`network_layout`). Returns the figure. Used in chapters 1 and 3.
    """
    layout = network_layout(layer_sizes, max_nodes_shown=max_nodes_shown)
    sizes = layout.layer_sizes
    n_layers = len(sizes)
    if ax is None:
        width = min(max(4.5, 1.9 * n_layers + 0.8), 12.0)
        height = min(max(3.2, 0.42 * layout.n_slots + 1.6), 7.0)
        fig, ax = plt.subplots(figsize=(width, height))
    else:
        fig = ax.figure
    label_space = 0.85 if labels else 0.2
    half_height = (layout.n_slots - 1) / 2
    ax.set_xlim(-0.5, n_layers - 0.5)
    ax.set_ylim(-half_height - 0.5 - label_space, half_height + 0.6)
    ax.set_axis_off()

    # Marker size from the height of one row in points, so circles never overlap.
    axes_height_points = ax.get_window_extent().height * 72.0 / fig.dpi
    row_points = axes_height_points / (layout.n_slots + 1.1 + label_space)
    diameter = float(np.clip(0.62 * row_points, 5.0, 26.0))

    edge_width = 0.9 if len(layout.edges) <= 60 else 0.4
    edge_alpha = 0.55 if len(layout.edges) <= 60 else 0.3
    for (x0, y0), (x1, y1) in layout.edges:
        ax.plot([x0, x1], [y0, y1], color="#888888", linewidth=edge_width, alpha=edge_alpha, zorder=1)
    faces, rims = _node_colors(n_layers), _edge_colors(n_layers)
    for layer in range(n_layers):
        points = np.array([(x, y) for node_layer, _, x, y in layout.nodes if node_layer == layer])
        ax.scatter(points[:, 0], points[:, 1], s=diameter ** 2, color=faces[layer], edgecolors=rims[layer],
                   linewidths=1.3, zorder=3)
    for _, x, y in layout.ellipses:
        ax.scatter([x, x, x], [y + 0.25, y, y - 0.25], s=(diameter * 0.18) ** 2 + 2, color="#444444", zorder=3)
    if labels:
        for layer, (name, size) in enumerate(zip(layer_names(n_layers), sizes)):
            unit_word = "input" if layer == 0 else "neuron"
            ax.text(layer, -half_height - 0.55, f"{name}\n{size} {unit_word}{'s' if size != 1 else ''}",
                    ha="center", va="top", fontsize=10)
    if title is None:
        title = f"{'-'.join(str(size) for size in sizes)} network: {count_parameters(sizes):,} parameters"
    ax.set_title(title)
    return fig


# ---------------------------------------------------------------------------------------------
# Glyphs and matrices as images (chapters 1, 7, 9)
# ---------------------------------------------------------------------------------------------

def show_glyphs(x, shape, titles=None, ncols=None, title=None, cmap="gray_r", pixel_grid=True):
    """A grid of small images: row ``i`` of ``x`` reshaped to ``shape`` and shown with imshow.

    ``x`` has shape (n, rows * cols) (flat glyphs, e.g. from :func:`nnlib.datasets.letters`) or
    (n, rows, cols); ``shape`` is (rows, cols), e.g. ``LETTER_SHAPE``. ``titles`` gives one caption
    per image; ``title`` a caption for the whole figure. By default "on" pixels are dark and thin
    grey lines separate the pixels (``pixel_grid=False`` turns them off, e.g. for 28x28 digits).
    Returns the figure. Used in chapters 7, Training a network, and 9, Real data.
    """
    shape = tuple(int(size) for size in shape)
    if len(shape) != 2:
        raise ValueError(f"shape: expected (rows, cols), got {shape!r}.")
    images = np.asarray(x, dtype=np.float64)
    if images.ndim == 1:
        images = images[np.newaxis]
    if images.ndim < 2 or math.prod(images.shape[1:]) != math.prod(shape):
        raise ValueError(
            f"x: expected images of {shape[0]}x{shape[1]} = {math.prod(shape)} pixels each, got shape {images.shape}."
        )
    images = images.reshape(len(images), *shape)
    n = len(images)
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles: expected one title per image ({n}), got {len(titles)}.")
    ncols = min(n, 8) if ncols is None else ncols
    nrows = math.ceil(n / ncols)
    width, height = 1.3 * shape[1] / max(shape), 1.3 * shape[0] / max(shape)
    title_space = 0.3 if titles is not None else 0.0
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(ncols * (width + 0.15) + 0.2,
                                      nrows * (height + 0.15 + title_space) + (0.4 if title else 0.1)))
    low, high = min(images.min(), 0.0), max(images.max(), 1.0)
    for index, axis in enumerate(axes.ravel()):
        if index >= n:
            axis.set_axis_off()
            continue
        axis.imshow(images[index], cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
        axis.set_xticks([])
        axis.set_yticks([])
        if pixel_grid:
            _draw_pixel_grid(axis, shape)
        if titles is not None:
            axis.set_title(str(titles[index]), fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _draw_pixel_grid(axis, shape):
    for row in range(1, shape[0]):
        axis.axhline(row - 0.5, color="#b0b0b0", linewidth=0.5)
    for col in range(1, shape[1]):
        axis.axvline(col - 0.5, color="#b0b0b0", linewidth=0.5)


def _cell_format(a, fmt):
    if fmt is not None:
        return fmt
    return "d" if np.issubdtype(a.dtype, np.integer) else ".3g"


def plot_matrix(a, ax=None, title=None, xlabel="column j", ylabel="row i", cmap="viridis", fmt=None,
                annotate=None, row_labels=None, col_labels=None, colorbar_label=None):
    """Show a matrix as an image: one coloured cell per entry, with a colour bar.

    Cell (i, j) of the picture is ``a[i, j]``, row 0 on top. When the matrix is small (at most
    12 x 12 unless ``annotate`` says otherwise) each cell also shows its value, formatted with
    ``fmt`` (default "d" for integers, ".3g" for floats), in black or white for contrast.
    ``row_labels``/``col_labels`` replace the index tick labels (e.g. class names for a confusion
    matrix: ``xlabel="predicted class", ylabel="true class"``). Returns the figure.
    Used in chapter 1 ("a matrix shown as an image") and chapter 9 (confusion matrices).
    """
    a = np.asarray(a)
    if a.ndim == 1:
        a = a[np.newaxis]
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"a: expected a non-empty 2-D array, got shape {a.shape}.")
    if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise ValueError(f"a: expected numbers, got dtype {a.dtype}.")
    a = a.astype(np.int64) if a.dtype == bool else a
    rows, cols = a.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(max(3.5, 0.55 * cols + 2.2), 9), min(max(3.0, 0.5 * rows + 1.4), 8)))
    else:
        fig = ax.figure
    image = ax.imshow(a, cmap=cmap, interpolation="nearest", aspect="equal" if max(rows, cols) <= 40 else "auto")
    fig.colorbar(image, ax=ax, label=colorbar_label, fraction=0.046, pad=0.04)
    if annotate is None:
        annotate = rows <= 12 and cols <= 12
    if annotate:
        _write_cell_values(ax, image, a, _cell_format(a, fmt))
    if max(rows, cols) <= 20 or row_labels is not None or col_labels is not None:
        ax.set_xticks(range(cols))
        ax.set_yticks(range(rows))
        if col_labels is not None:
            ax.set_xticklabels(col_labels)
        if row_labels is not None:
            ax.set_yticklabels(row_labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else f"A {rows} x {cols} matrix as an image")
    return fig


def _write_cell_values(ax, image, a, fmt):
    """Write each value in its cell, white on dark cells and black on light ones."""
    for (i, j), value in np.ndenumerate(a):
        red, green, blue, _ = image.cmap(image.norm(value))
        brightness = 0.299 * red + 0.587 * green + 0.114 * blue
        ax.text(j, i, format(value, fmt), ha="center", va="center", fontsize=9,
                color="black" if brightness > 0.5 else "white")
