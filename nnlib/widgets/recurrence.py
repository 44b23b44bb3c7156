"""Vanishing and exploding gradients in a recurrent cell: sequence length against gradient norm.

Chapter 14, Recurrent networks from scratch. A simple recurrent cell h_t = tanh(x_t W + h_{t-1} U)
is run on random inputs; back-propagation multiplies the gradient at h_T by one Jacobian per step,
dh_t/dh_{t-1} = diag(1 - h_t^2) U^T (written for column vectors), so dh_T/dh_t is a product of
T - t Jacobians. :func:`jacobian_norms` measures its largest singular value for every t; with
U = gain * (an orthogonal matrix) the norm shrinks or grows roughly like gain ** (T - t).

The four parts of every explorer (see ``nnlib.widgets``): the pure function
:func:`jacobian_norms`, the figure :func:`gradient_norm_figure`, the live explorer
:func:`gradient_norm_explorer` and its static twin :func:`static_gradient_norm_explorer`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._checks import check_positive_int, import_ipywidgets
from .static import static_slider

GRADIENT_GAINS = (0.8, 1.0, 1.2)
GRADIENT_LENGTHS = (5, 10, 20, 40, 60, 80, 100)
ACTIVATIONS = ("tanh", "linear")


def _check_gain(gain, name="gain") -> float:
    if isinstance(gain, bool) or not isinstance(gain, (int, float, np.integer, np.floating)) \
            or not np.isfinite(gain) or gain <= 0:
        raise ValueError(f"{name}: expected a positive number such as 1.0, got {gain!r}.")
    return float(gain)


def _check_activation(activation) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {ACTIVATIONS}, got {activation!r}.")
    return activation


def jacobian_norms(length: int, gain: float = 1.0, units: int = 16, activation: str = "tanh",
                   input_scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """||dh_T / dh_t||_2 for t = 0, ..., T: how much of a gradient at the last step reaches step t.

    The cell has ``units`` units, recurrent kernel U = gain * Q (Q orthogonal, drawn with
    ``seed``), a kernel W of shape (1, units) and one input per step drawn from
    Normal(0, ``input_scale``). Returns an array of T + 1 norms, entry t for dh_T/dh_t
    (entry T is 1, the identity). ``activation`` is "tanh" (the Keras default) or "linear",
    where the norms follow gain ** (T - t) exactly.
    """
    length = check_positive_int("length", length)
    units = check_positive_int("units", units)
    gain = _check_gain(gain)
    activation = _check_activation(activation)
    if isinstance(input_scale, bool) or not isinstance(input_scale, (int, float, np.integer, np.floating)) \
            or not np.isfinite(input_scale) or input_scale < 0:
        raise ValueError(f"input_scale: expected a number >= 0 such as 1.0, got {input_scale!r}.")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(units, units)))
    recurrent = gain * q * np.sign(np.diag(r))
    kernel = rng.uniform(-1.0, 1.0, size=(1, units))
    inputs = rng.normal(0.0, input_scale, size=(length, 1))
    h = np.zeros(units)
    jacobians = []
    for t in range(length):
        z = inputs[t] @ kernel + h @ recurrent
        h = np.tanh(z) if activation == "tanh" else z
        slope = 1.0 - h ** 2 if activation == "tanh" else np.ones(units)
        jacobians.append(recurrent * slope)  # row-vector convention: dh_{t} = dh_{t-1} @ (U * slope)
    norms = np.empty(length + 1)
    product = np.eye(units)
    norms[length] = 1.0
    for t in range(length - 1, -1, -1):  # dh_T/dh_t = J_{t+1} J_{t+2} ... J_T (row vectors)
        product = jacobians[t] @ product
        norms[t] = np.linalg.norm(product, 2)
    return norms


def gradient_norm_figure(length: int, gains=GRADIENT_GAINS, activation: str = "tanh", units: int = 16,
                         max_length: int | None = None, seed: int = 0):
    """Figure: ||dh_T/dh_t|| against the number of steps back, T - t, one line per gain (log scale)."""
    length = check_positive_int("length", length)
    gains = [_check_gain(g, "gains") for g in gains]
    if not gains:
        raise ValueError("gains: expected at least one gain such as (0.8, 1.0, 1.2), got none.")
    fixed_axes = max_length is not None  # the frames of an explorer share their axes; a lone figure fits its data
    max_length = length if max_length is None else check_positive_int("max_length", max_length)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for gain in gains:
        norms = jacobian_norms(length, gain, units, activation, seed=seed)
        steps_back = np.arange(length, -1, -1)
        ax.semilogy(steps_back, np.maximum(norms, 1e-300), label=f"gain {gain:g}: {norms[0]:.2g} at {length} steps")
    ax.set_xlim(0, max_length)
    if activation == "tanh" and fixed_axes:
        ax.set_ylim(1e-24, 10.0)
    ax.axhline(1.0, color="0.6", linewidth=0.8)
    ax.set_title(f"How much gradient reaches earlier steps ({activation} cell, T = {length})")
    ax.set_xlabel("steps back in time, T - t")
    ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|_2$")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


def gradient_norm_explorer(lengths=GRADIENT_LENGTHS, gains=GRADIENT_GAINS, activation: str = "tanh"):
    """Live explorer: sliders for the sequence length and the gain of the recurrent kernel.

    Redraws :func:`gradient_norm_figure` for the chosen length with the chosen gain next to
    gain 1.0, and a dropdown switches between the tanh and the linear cell. Needs a kernel.
    """
    lengths = [check_positive_int("lengths", n) for n in lengths]
    gains = [_check_gain(g, "gains") for g in gains]
    _check_activation(activation)
    widgets = import_ipywidgets()
    from IPython.display import display

    length_slider = widgets.SelectionSlider(options=lengths, value=lengths[len(lengths) // 2],
                                            description="sequence length T", continuous_update=False,
                                            style={"description_width": "initial"}, layout={"width": "450px"})
    gain_slider = widgets.FloatSlider(value=max(gains), min=0.5, max=1.5, step=0.05, description="gain",
                                      continuous_update=False)
    activation_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="cell")

    def redraw(length, gain, activation):
        fig = gradient_norm_figure(length, sorted({1.0, gain}), activation, max_length=max(lengths))
        display(fig)
        plt.close(fig)

    output = widgets.interactive_output(redraw, {"length": length_slider, "gain": gain_slider,
                                                 "activation": activation_menu})
    return widgets.VBox([widgets.HBox([length_slider, gain_slider, activation_menu]), output])


def static_gradient_norm_explorer(lengths=GRADIENT_LENGTHS, gains=GRADIENT_GAINS, activation: str = "tanh",
                                  dpi: int = 75):
    """Static twin of :func:`gradient_norm_explorer`: one pre-computed figure per sequence length."""
    lengths = [check_positive_int("lengths", n) for n in lengths]
    return static_slider(lambda n: gradient_norm_figure(n, gains, activation, max_length=max(lengths)),
                         lengths, label="sequence length T", dpi=dpi)
