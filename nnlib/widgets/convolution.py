"""Kernel size and stride against output size and receptive field (chapter 13, Convolutional networks).

- :func:`conv_geometry` (pure, tested): the output size and receptive field of each layer in a
  stack of identical convolutions;
- :func:`convolution_figure`: the input grid with layer 1's windows and the receptive field of
  one unit of the last layer;
- :func:`convolution_explorer` (live, ipywidgets) and :func:`static_convolution_explorer` (its
  static twin, pre-computed frames behind two sliders).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from ..layers.im2col import output_length, padding_amounts
from ._checks import check_positive_int, import_ipywidgets
from .static import static_slider_grid

__all__ = ["ConvLayerGeometry", "conv_geometry", "convolution_figure", "convolution_explorer",
           "static_convolution_explorer"]


@dataclass(frozen=True)
class ConvLayerGeometry:
    """One layer of a stack: its output size and what one of its units sees of the input."""

    output_size: int     # units along one axis (0 when the kernel no longer fits)
    receptive_field: int  # input pixels along one axis that one unit depends on
    jump: int            # input pixels between neighbouring units (the product of the strides)
    start: int           # input pixel where the first unit's receptive field starts (< 0 in padding)


def conv_geometry(input_size, kernel_size, stride, padding="valid", layers=2):
    """Output size and receptive field, layer by layer, for ``layers`` identical convolutions.

    Along one axis of ``input_size`` pixels, layer l has output size
    floor((n - k) / s) + 1 ("valid") or ceil(n / s) ("same") of its input n, and
    receptive field r_l = r_(l-1) + (k - 1) * j_(l-1), with j_l = j_(l-1) * s (r_0 = j_0 = 1).
    Returns a list of :class:`ConvLayerGeometry`; a layer whose kernel does not fit gets
    output size 0, and so do the layers after it.
    """
    n = check_positive_int("input_size", input_size)
    k = check_positive_int("kernel_size", kernel_size)
    s = check_positive_int("stride", stride)
    check_positive_int("layers", layers)
    if padding not in ("valid", "same"):
        raise ValueError(f"padding: expected 'valid' or 'same', got {padding!r}")
    result, field, jump, start = [], 1, 1, 0
    for _ in range(layers):
        if n > 0:
            start -= padding_amounts(n, k, s, padding)[0] * jump
        n = max(output_length(n, k, s, padding), 0) if n > 0 else 0
        field, jump = field + (k - 1) * jump, jump * s
        result.append(ConvLayerGeometry(n, field, jump, start))
    return result


def convolution_figure(kernel_size, stride, input_size=12, padding="valid", layers=2, figsize=(9.5, 4.4)):
    """Two panels on an input of input_size x input_size pixels.

    Left: where layer 1's windows start (dots) and the first two windows (outlined).
    Right: the receptive field of the top-left unit of the last layer (shaded).
    """
    geometry = conv_geometry(input_size, kernel_size, stride, padding, layers)
    fig, axes = plt.subplots(1, 2, figsize=figsize)
    offset = geometry[0].start
    margin = min(geometry[-1].start, 0)
    for ax in axes:
        ax.set_xlim(-0.5 + margin, input_size - 0.5 - margin)
        ax.set_ylim(input_size - 0.5 - margin, -0.5 + margin)
        ax.set_aspect("equal")
        for edge in range(input_size + 1):
            ax.plot([edge - 0.5, edge - 0.5], [-0.5, input_size - 0.5], color="#bbbbbb", lw=0.6)
            ax.plot([-0.5, input_size - 0.5], [edge - 0.5, edge - 0.5], color="#bbbbbb", lw=0.6)
        ax.set_xlabel("input column")
        ax.set_ylabel("input row")
    first = geometry[0]
    left, right = axes
    if first.output_size > 0:
        starts = [offset + i * stride for i in range(first.output_size)]
        for row in starts:
            left.scatter(starts, [row] * len(starts), s=12, color="#0072B2", zorder=3)
        for index, (color, style) in enumerate([("#D55E00", "-"), ("#009E73", "--")][:first.output_size]):
            left.add_patch(Rectangle((offset + index * stride - 0.5, offset - 0.5), kernel_size, kernel_size,
                                     fill=False, edgecolor=color, linestyle=style, lw=2.2, zorder=4,
                                     label=f"window {index + 1}"))
        left.legend(loc="lower right", fontsize=8, framealpha=0.9)
    left.set_title(f"layer 1: {first.output_size} x {first.output_size} outputs", fontsize=11)
    last = geometry[-1]
    if last.output_size > 0:
        right.add_patch(Rectangle((last.start - 0.5, last.start - 0.5),
                                  last.receptive_field, last.receptive_field, facecolor="#E69F00", alpha=0.45,
                                  edgecolor="#D55E00", lw=2, zorder=2, label="receptive field"))
        right.legend(loc="lower right", fontsize=8, framealpha=0.9)
    right.set_title(f"a unit of layer {layers} sees {last.receptive_field} x {last.receptive_field} pixels"
                    if last.output_size > 0 else f"layer {layers}: the kernel no longer fits", fontsize=11)
    sizes = " -> ".join(str(g.output_size) for g in geometry)
    fig.suptitle(f"kernel {kernel_size}x{kernel_size}, stride {stride}, padding '{padding}': "
                 f"sizes {input_size} -> {sizes}", fontsize=12)
    fig.tight_layout()
    return fig


def convolution_explorer(input_size=12, layers=2, max_kernel=6, max_stride=3):
    """Live sliders for kernel size and stride (and a padding menu); each change redraws the figure.

    Returns an ``ipywidgets.VBox`` ``[controls (HBox), label, output]``; needs a running kernel.
    """
    check_positive_int("max_kernel", max_kernel)
    check_positive_int("max_stride", max_stride)
    widgets = import_ipywidgets()
    from IPython.display import display

    style = {"description_width": "initial"}
    kernel = widgets.IntSlider(value=3, min=1, max=max_kernel, description="kernel size",
                               continuous_update=False, style=style)
    stride = widgets.IntSlider(value=1, min=1, max=max_stride, description="stride",
                               continuous_update=False, style=style)
    padding = widgets.Dropdown(options=["valid", "same"], value="valid", description="padding")
    label = widgets.Label()

    def redraw(kernel_size, stride, padding):
        geometry = conv_geometry(input_size, kernel_size, stride, padding, layers)
        label.value = "; ".join(f"layer {i + 1}: output {g.output_size}, receptive field {g.receptive_field}"
                                for i, g in enumerate(geometry))
        fig = convolution_figure(kernel_size, stride, input_size, padding, layers)
        display(fig)
        plt.close(fig)

    output = widgets.interactive_output(redraw, {"kernel_size": kernel, "stride": stride, "padding": padding})
    return widgets.VBox([widgets.HBox([kernel, stride, padding]), label, output])


def static_convolution_explorer(kernel_sizes=(1, 2, 3, 4, 5), strides=(1, 2, 3), input_size=12, padding="valid",
                                layers=2, initial_values=(3, 1), dpi=60):
    """Static twin of :func:`convolution_explorer`: two sliders over pre-computed figures.

    One frame per (kernel size, stride) pair (15 with the defaults); works in the HTML book
    without a kernel or a network.
    """
    def describe_stride(value):
        geometry = conv_geometry(input_size, 3, value, padding, layers)
        jump = geometry[-1].jump
        return f"{value} (jump between units of layer {layers}: {jump} pixel{'' if jump == 1 else 's'})"

    return static_slider_grid(lambda k, s: convolution_figure(k, s, input_size, padding, layers),
                              kernel_sizes, strides, "kernel size", "stride",
                              format_second=describe_stride, dpi=dpi, initial_values=initial_values)
