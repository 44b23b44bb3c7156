"""Training a small classifier: the learning-rate and hidden-layer-size explorer of chapter 7,
Training a network.

The explorer follows the book's four-part pattern:

1. a *pure* function trains a 2-``hidden_units``-1 network on a 2-D data set and returns its loss
   and accuracy per epoch and its decision-boundary grid (:func:`train_classifier_2d`, returning
   a :class:`TrainingRun`);
2. a *figure* function draws the loss curve and the decision boundary side by side
   (:func:`training_figure`, the boundary drawn by ``nnlib.plotting.plot_decision_boundary_grid``);
3. a *live* explorer with a learning-rate and a hidden-units slider (:func:`training_explorer`,
   needs ipywidgets and a running kernel);
4. its *static twin*, with both sliders over pre-computed trainings
   (:func:`static_training_explorer`, built on :func:`nnlib.widgets.static_slider_grid`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .. import datasets, initializers
from ..layers import Dense, Input
from ..models import Sequential
from ..optimizers import Adam
from ..plotting import COLORS, decision_boundary_grid, plot_decision_boundary_grid
from ._checks import (check_learning_rate, check_learning_rates, check_one_of, check_positive_int, check_sizes,
                      import_ipywidgets)
from .static import static_slider_grid

__all__ = [
    "TRAINING_DATASETS",
    "TRAINING_LEARNING_RATES",
    "TrainingRun",
    "train_classifier_2d",
    "training_figure",
    "training_explorer",
    "static_training_explorer",
]

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


def _check_seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"seed: expected an integer, got {value!r}")
    return int(value)


def _training_data(dataset: str, n_points: int, seed: int):
    """Points in their own units, labels, and the function that scales points for the network.

    Spirals already lie in [-1, 1]^2 and are used as they are. Coffee roasts (deg C, minutes) are
    standardised with the statistics of the training points (chapter 9 explains why).
    """
    if dataset == "spirals":
        x, y = datasets.spirals(n=n_points // 2, noise=0.2, seed=seed)
        return x, y, (lambda points: points), ("x0", "x1"), 0.25
    x, y = datasets.coffee_roasting(n=n_points, seed=seed)
    standardizer = datasets.Standardizer().fit(x)
    return x, y, standardizer.transform, ("temperature (deg C)", "duration (min)"), (10.0, 0.3)


def _seeded_glorot(rng):
    """A Glorot-uniform initializer that draws from ``rng``, so a model's weights follow its seed."""
    def initializer(shape, seed=None):
        return initializers.glorot_uniform(shape, seed=rng)

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
    check_one_of("dataset", dataset, TRAINING_DATASETS)
    check_positive_int("hidden_units", hidden_units)
    learning_rate = check_learning_rate(learning_rate)
    check_positive_int("epochs", epochs)
    seed = _check_seed(seed)
    check_positive_int("n_points", n_points, minimum=4)
    if batch_size is not None:
        check_positive_int("batch_size", batch_size)
    check_positive_int("resolution", resolution, minimum=2)

    x, y, scale, feature_names, margin = _training_data(dataset, n_points, seed)
    x_scaled = scale(x)
    rng = np.random.default_rng(seed)
    model = Sequential([
        Input((2,)),
        Dense(int(hidden_units), activation="tanh", kernel_initializer=_seeded_glorot(rng)),
        Dense(1, activation="sigmoid", kernel_initializer=_seeded_glorot(rng)),
    ])
    model.compile(optimizer=Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_scaled, y, epochs=int(epochs), batch_size=int(batch_size or len(x)), shuffle=True,
                        verbose=0, seed=seed)
    xx, yy, zz = decision_boundary_grid(lambda points: model.predict(scale(points)), x,
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
    coloured by their label, drawn by ``nnlib.plotting.plot_decision_boundary_grid`` in its compact
    style (no colour bar). The titles give the final loss and accuracy. The layout uses fixed
    margins (no ``tight_layout``), which keeps a slider change fast. Returns the figure (the caller
    shows or closes it).
    """
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    fig, (loss_ax, boundary_ax) = plt.subplots(1, 2, figsize=figsize)
    epochs = np.arange(1, len(run.loss) + 1)
    loss_ax.plot(epochs, np.clip(run.loss, 1e-3, 10.0), color=COLORS[0], linewidth=2)
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

    plot_decision_boundary_grid(run.xx, run.yy, run.zz, run.x, run.y, ax=boundary_ax,
                                title=f"Decision boundary: accuracy {run.final_accuracy:.2f}",
                                xlabel=run.feature_names[0], ylabel=run.feature_names[1], compact=True)
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
    check_one_of("dataset", dataset, TRAINING_DATASETS)
    check_positive_int("max_hidden", max_hidden)
    check_positive_int("epochs", epochs)
    seed = _check_seed(seed)
    rates = check_learning_rates(learning_rates)
    learning_rate = check_learning_rate(learning_rate)
    check_one_of("learning_rate", learning_rate, rates)
    check_positive_int("hidden_units", hidden_units)
    if hidden_units > max_hidden:
        raise ValueError(f"hidden_units: expected at most max_hidden = {max_hidden}, got {hidden_units!r}")
    widgets = import_ipywidgets()
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
    check_one_of("dataset", dataset, TRAINING_DATASETS)
    rates = check_learning_rates(learning_rates)
    sizes = check_sizes("hidden_units", hidden_units)
    check_positive_int("epochs", epochs)
    seed = _check_seed(seed)

    def make_figure(learning_rate: float, units: int):
        run = train_classifier_2d(dataset, hidden_units=units, learning_rate=learning_rate, epochs=epochs,
                                  seed=seed)
        return training_figure(run)

    return static_slider_grid(make_figure, rates, sizes, "learning rate", "hidden units",
                              format_first=lambda rate: f"{rate:g}", format_second=str, dpi=dpi,
                              initial_values=initial_values)
