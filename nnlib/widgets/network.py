"""Layer sizes and parameter counts: the layer-size explorer of chapter 3, Forward propagation.

The explorer follows the book's four-part pattern:

1. a *pure* function counts the parameters (:func:`network_summary`, unit-tested);
2. a *figure* function draws the network with its count (:func:`layer_size_figure`);
3. a *live* explorer with two sliders for the hidden layers (:func:`layer_size_explorer`, needs
   ipywidgets and a running kernel);
4. a *static twin* that slides through the size of the first hidden layer over pre-computed
   frames (:func:`static_layer_size_explorer`, built on :func:`nnlib.widgets.static_slider`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import matplotlib.pyplot as plt

from ..plotting import check_layer_sizes
from ._checks import check_positive_int, check_sizes, import_ipywidgets
from .static import static_slider

__all__ = [
    "LayerSummary",
    "NetworkSummary",
    "network_summary",
    "layer_size_figure",
    "layer_size_explorer",
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


def network_summary(layer_sizes: Sequence[int]) -> NetworkSummary:
    """Count the parameters of a fully connected network with the given layer sizes.

    ``layer_sizes = [n_0, n_1, ..., n_L]`` lists the inputs ``n_0`` and the units of every dense
    layer. Layer ``l`` has ``n_{l-1} * n_l`` weights and ``n_l`` biases, so the total is

        sum over l of (n_{l-1} + 1) * n_l.

    Example: ``[2, 3, 1]`` has 2*3 + 3 = 9 and 3*1 + 1 = 4 parameters, 13 in all.
    Derived in chapter 3, Forward propagation.
    """
    sizes = tuple(check_layer_sizes(layer_sizes))
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


def layer_size_explorer(n_inputs: int = 2, n_outputs: int = 1, max_hidden: int = 8):
    """Sliders for the sizes of two hidden layers; each change redraws the network.

    Two IntSliders (``continuous_update=False``): hidden layer 1 (1..``max_hidden``) and
    hidden layer 2 (0..``max_hidden``, where 0 means "no second hidden layer"). Through
    ``ipywidgets.interactive_output`` every change redraws ``nnlib.plotting.draw_network`` and
    prints the parameter count; a ``Label`` under the sliders shows the same count.

    Returns an ``ipywidgets.VBox`` with children ``[sliders (HBox), label, output]``; display it in
    a notebook. Explored in chapter 3, Forward propagation.
    """
    check_positive_int("n_inputs", n_inputs)
    check_positive_int("n_outputs", n_outputs)
    check_positive_int("max_hidden", max_hidden)
    widgets = import_ipywidgets()
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
# Static twin (no kernel, no network)
# ---------------------------------------------------------------------------------------------


def layer_size_frames(n_inputs: int = 2, n_outputs: int = 1, hidden_sizes: Iterable[int] = range(1, 9),
                      second_hidden_size: int = 0) -> list[list[int]]:
    """The layer sizes shown by the static layer-size explorer, one list per frame.

    Frame ``i`` is ``[n_inputs, hidden_sizes[i], (second_hidden_size,) n_outputs]``; a
    ``second_hidden_size`` of 0 means no second hidden layer.
    """
    check_positive_int("n_inputs", n_inputs)
    check_positive_int("n_outputs", n_outputs)
    check_positive_int("second_hidden_size", second_hidden_size, minimum=0)
    hidden_sizes = check_sizes("hidden_sizes", hidden_sizes)
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
