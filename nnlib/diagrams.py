"""Diagrams with numbers on them: one neuron (chapter 1) and small worked networks (chapters 3 and 6).

``nnlib.plotting.draw_network`` draws the *shape* of a network. The figures here draw a
particular network: every weight written on its edge, every bias beside its neuron, and, when an
input is given, the value each neuron computes (its pre-activation ``z`` and its output ``a``);
for chapter 6 also each neuron's delta, the gradient of the loss with respect to its ``z``.
The arithmetic lives in the pure function :func:`worked_values`, tested on its own; the drawing
functions only place text and circles. Weights use the book's row-wise layout: ``W[i, j]`` is the
weight from input ``i`` to neuron ``j`` (shape ``(n_in, n_out)``), biases have shape ``(n_out,)``.
"""
import matplotlib.pyplot as plt
import numpy as np

from . import activations

__all__ = ["worked_values", "draw_neuron", "draw_worked_network"]

_FACE = {"input": "#c6dbef", "hidden": "#c7e9c0", "output": "#fcbba1"}
_RIM = {"input": "#08519c", "hidden": "#238b45", "output": "#cb181d"}


def _check_weights(weights, biases):
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"weights and biases: expected the same non-zero number of layers, got "
                         f"{len(weights)} weight matrices and {len(biases)} bias vectors.")
    kernels, bias_vectors = [], []
    for k, (w, b) in enumerate(zip(weights, biases)):
        w = np.asarray(w, dtype=float)
        b = np.atleast_1d(np.asarray(b, dtype=float))
        if w.ndim != 2 or b.shape != (w.shape[1],):
            raise ValueError(f"weights[{k}], biases[{k}]: expected shapes (n_in, n_out) and (n_out,), "
                             f"got {w.shape} and {b.shape}.")
        if kernels and w.shape[0] != kernels[-1].shape[1]:
            raise ValueError(f"weights[{k}]: expected {kernels[-1].shape[1]} rows (the previous layer's "
                             f"neurons), got shape {w.shape}.")
        kernels.append(w)
        bias_vectors.append(b)
    return kernels, bias_vectors


def worked_values(x, weights, biases, activation_names):
    """The forward pass of one example, layer by layer: a list with one ``(z, a)`` pair per layer,
    ``z = a_prev @ W + b`` (shape ``(n_out,)``) and ``a = f(z)``, where ``a_prev`` starts as ``x``
    (shape ``(n_in,)``). ``activation_names`` gives one nnlib activation name per layer
    ("relu", "sigmoid", "linear", "softmax", ...). Chapter 3 derives it.
    """
    kernels, bias_vectors = _check_weights(weights, biases)
    if isinstance(activation_names, str) or len(activation_names) != len(kernels):
        raise ValueError(f"activation_names: expected one name per layer ({len(kernels)}), "
                         f"got {activation_names!r}.")
    a = np.asarray(x, dtype=float)
    if a.shape != (kernels[0].shape[0],):
        raise ValueError(f"x: expected one example of shape ({kernels[0].shape[0]},), got shape {a.shape}.")
    values = []
    for w, b, name in zip(kernels, bias_vectors, activation_names):
        z = a @ w + b
        a = np.asarray(activations.get(name)(z[None, :])[0], dtype=float)
        values.append((z, a))
    return values


def _node(ax, x, y, kind, text, radius):
    ax.add_patch(plt.Circle((x, y), radius, facecolor=_FACE[kind], edgecolor=_RIM[kind], linewidth=1.4,
                            zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)


def _edge(ax, start, end, label, radius, where=0.5, color="#555555"):
    (x0, y0), (x1, y1) = start, end
    length = np.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    ax.annotate("", xy=(x1 - ux * radius, y1 - uy * radius), xytext=(x0 + ux * radius, y0 + uy * radius),
                arrowprops=dict(arrowstyle="-|>", color=color, linewidth=1.2), zorder=2)
    lx, ly = x0 + (x1 - x0) * where, y0 + (y1 - y0) * where
    ax.text(lx, ly, label, ha="center", va="center", fontsize=10, color="#222222", zorder=5,
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))


def _fmt(value, digits):
    return f"{value:.{digits}g}" if digits else f"{value:g}"


def draw_neuron(w, b, x=None, activation="relu", ax=None, title=None, digits=4):
    """Draw one neuron: inputs ``x_i`` on the left, an arrow per weight ``w_i`` (labelled), the
    sum node ``z = sum_i w_i x_i + b`` and the activation node ``a = f(z)``.

    ``w`` has shape ``(n_in,)``; with ``x`` (shape ``(n_in,)``) the input values, ``z`` and ``a`` are
    written in the nodes as well. Inputs and weights are labelled from 0 (``x_0`` is ``x[0]``), the
    book's notation. Returns the figure. Chapter 1.
    """
    w = np.atleast_1d(np.asarray(w, dtype=float))
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w: expected a non-empty vector of weights, got shape {w.shape}.")
    values = None
    if x is not None:
        x = np.asarray(x, dtype=float)
        values = worked_values(x, [w[:, None]], [np.array([float(b)])], [activation])[0]
    n = w.size
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, max(3.0, 1.1 * n + 1.2)))
    else:
        fig = ax.figure
    radius = 0.32
    ys = np.linspace((n - 1) * 0.6, -(n - 1) * 0.6, n)
    for i in range(n):
        text = f"$x_{i}$" if x is None else f"$x_{i}$\n{_fmt(x[i], digits)}"
        _node(ax, 0.0, ys[i], "input", text, radius)
        _edge(ax, (0.0, ys[i]), (2.2, 0.0), f"$w_{i}$ = {_fmt(w[i], digits)}", radius, where=0.45)
    sum_text = r"$\Sigma$" + "\n" + (f"z = {_fmt(values[0][0], digits)}" if values is not None else "z")
    _node(ax, 2.2, 0.0, "hidden", sum_text, radius * 1.5)
    ax.annotate(f"bias b = {_fmt(float(b), digits)}", xy=(2.2, -radius * 1.5), xytext=(2.2, -radius * 1.5 - 0.55),
                ha="center", va="top", fontsize=10, arrowprops=dict(arrowstyle="-|>", color="#555555"))
    act_text = f"{activation}\n" + (f"a = {_fmt(values[1][0], digits)}" if values is not None else "a = f(z)")
    _edge(ax, (2.2, 0.0), (4.0, 0.0), "", radius * 1.5)
    _node(ax, 4.0, 0.0, "output", act_text, radius * 1.5)
    ax.annotate("", xy=(5.0, 0.0), xytext=(4.0 + radius * 1.5, 0.0),
                arrowprops=dict(arrowstyle="-|>", color="#555555", linewidth=1.2))
    ax.text(5.05, 0.0, "output", ha="left", va="center", fontsize=10)
    ax.text(2.2, ys[0] + 0.75, "weighted sum + bias", ha="center", fontsize=9, color="#444444")
    ax.text(4.0, ys[0] + 0.75, "activation", ha="center", fontsize=9, color="#444444")
    ax.set_xlim(-0.6, 5.9)
    ax.set_ylim(min(ys[-1], -1.2) - 0.5, ys[0] + 1.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title if title is not None else f"One neuron: $z = \\mathbf{{w}}\\cdot\\mathbf{{x}} + b$, "
                 f"$a = $ {activation}$(z)$")
    return fig


def _check_deltas(deltas, kernels):
    if deltas is None:
        return None
    if isinstance(deltas, np.ndarray) or len(deltas) != len(kernels):
        raise ValueError(f"deltas: expected a list with one array per layer ({len(kernels)}), got {deltas!r}.")
    checked = []
    for k, (delta, w) in enumerate(zip(deltas, kernels)):
        delta = np.atleast_1d(np.asarray(delta, dtype=float))
        if delta.shape != (w.shape[1],):
            raise ValueError(f"deltas[{k}]: expected shape ({w.shape[1]},), one value per neuron of layer {k + 1}, "
                             f"got shape {delta.shape}.")
        checked.append(delta)
    return checked


def draw_worked_network(x, weights, biases, activation_names, ax=None, title=None, digits=4, input_names=None,
                        deltas=None):
    """Draw a small dense network with its own numbers: each weight on its edge, each bias under
    its neuron, and the values ``z`` and ``a`` of one example ``x`` inside the neurons
    (computed by :func:`worked_values`). ``weights[k]`` has shape ``(n_in, n_out)``. Chapter 3.
    ``input_names`` labels the input neurons; by default ``$x_0$, $x_1$, ...``, counted from 0 as
    positions are throughout the book.

    ``deltas`` (optional, chapter 6): one array per layer, ``deltas[k]`` of shape ``(n_out,)``, the
    gradient of the loss with respect to that layer's ``z`` (its delta,
    ``delta_k = (W_{k+1} delta_{k+1}) * f_k'(z_k)``); each is written in red under its neuron. The
    deltas are drawn as given, so the notebook that computes them by hand can show its own numbers.
    """
    values = worked_values(x, weights, biases, activation_names)
    kernels, bias_vectors = _check_weights(weights, biases)
    deltas = _check_deltas(deltas, kernels)
    sizes = [kernels[0].shape[0]] + [w.shape[1] for w in kernels]
    n_layers = len(sizes)
    gap_x = 3.2
    tallest = max(sizes)
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(3.1 * n_layers + 0.5, 13), max(3.6, 1.6 * tallest + 1.2)))
    else:
        fig = ax.figure
    radius = 0.52
    positions = []
    for layer, size in enumerate(sizes):
        ys = np.linspace((size - 1) * 0.9, -(size - 1) * 0.9, size)
        positions.append([(layer * gap_x, y) for y in ys])
    for k, w in enumerate(kernels):
        for i, start in enumerate(positions[k]):
            for j, end in enumerate(positions[k + 1]):
                # Labels near the target neuron, where the incoming edges fan apart.
                _edge(ax, start, end, _fmt(w[i, j], digits), radius, where=0.7)
    names = input_names or [f"$x_{i}$" for i in range(sizes[0])]  # positions count from 0
    x = np.asarray(x, dtype=float)
    for i, (px, py) in enumerate(positions[0]):
        _node(ax, px, py, "input", f"{names[i]}\n{_fmt(x[i], digits)}", radius)
    for k, (z, a) in enumerate(values):
        kind = "output" if k == len(values) - 1 else "hidden"
        for j, (px, py) in enumerate(positions[k + 1]):
            _node(ax, px, py, kind, f"z={_fmt(z[j], digits)}\na={_fmt(a[j], digits)}", radius)
            ax.text(px, py - radius - 0.12, f"b = {_fmt(bias_vectors[k][j], digits)}", ha="center", va="top",
                    fontsize=9, color="#444444")
            if deltas is not None:
                ax.text(px, py - radius - 0.42, f"δ = {_fmt(deltas[k][j], digits)}", ha="center", va="top",
                        fontsize=9, color="#cb181d", fontweight="bold")
        ax.text(positions[k + 1][0][0], max(p[1] for p in positions[k + 1]) + radius + 0.35,
                activation_names[k], ha="center", va="bottom", fontsize=9, color="#444444", style="italic")
    top = max(p[1] for layer in positions for p in layer)
    ax.set_xlim(-radius - 0.4, (n_layers - 1) * gap_x + radius + 0.4)
    ax.set_ylim(-top - radius - (1.0 if deltas is not None else 0.7), top + radius + 0.8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is None:
        title = f"{'-'.join(map(str, sizes))} network with its weights; values for x = {np.round(x, digits).tolist()}"
    ax.set_title(title)
    return fig
