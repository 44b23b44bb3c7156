"""Regularisation against overfitting: the dropout-rate and L2-strength explorer of chapter 12,
Generalisation and regularisation.

The explorer follows the book's four-part pattern:

1. a *pure* function trains a wide 64-``hidden_units``-10 network on a small part of the 8x8
   digits with one regulariser at one strength and returns its training and validation curves
   (:func:`train_with_regularization`, returning a :class:`RegularizationRun`);
2. a *figure* function draws the two loss curves and the two accuracy curves
   (:func:`regularization_figure`);
3. a *live* explorer with one slider over the strengths (:func:`regularization_explorer`, needs
   ipywidgets and a running kernel);
4. its *static twin* over pre-computed trainings (:func:`static_regularization_explorer`, built
   on :func:`nnlib.widgets.static_slider`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .. import datasets, initializers, losses, metrics
from ..layers import Dense, Dropout, Input
from ..models import Sequential
from ..optimizers import Adam
from ..plotting import COLORS
from ..regularizers import L2
from ._checks import check_one_of, check_positive_int, import_ipywidgets
from .static import static_slider

__all__ = [
    "REGULARIZATION_KINDS",
    "DROPOUT_RATES",
    "L2_STRENGTHS",
    "RegularizationRun",
    "digits_splits",
    "train_with_regularization",
    "regularization_figure",
    "regularization_explorer",
    "static_regularization_explorer",
]

REGULARIZATION_KINDS = ("dropout", "l2")
"""The regularisers the explorer can turn up: a Dropout layer's rate, or an L2 kernel penalty."""

DROPOUT_RATES = (0.0, 0.1, 0.3, 0.5, 0.7)
"""Dropout rates of the slider (0: no dropout)."""

L2_STRENGTHS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
"""L2 factors l of the slider, ``kernel_regularizer=L2(l)`` adding l * sum(W**2) (0: no penalty)."""


@dataclass(frozen=True)
class RegularizationRun:
    """What :func:`train_with_regularization` returns; every curve has one entry per epoch.

    ``loss`` and ``val_loss`` are the cross-entropy on the training and validation images with
    the network in inference mode and *without* the penalty (so that every setting is measured
    with the same ruler); ``accuracy`` and ``val_accuracy`` likewise.
    """

    kind: str
    strength: float
    hidden_units: int
    epochs: int
    seed: int
    loss: np.ndarray
    val_loss: np.ndarray
    accuracy: np.ndarray
    val_accuracy: np.ndarray

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss."""
        return int(np.argmin(self.val_loss)) + 1

    def describe(self) -> str:
        name = "dropout rate" if self.kind == "dropout" else "L2 factor"
        return (f"{name} {self.strength:g}: final loss {self.loss[-1]:.4f} (training), "
                f"{self.val_loss[-1]:.4f} (validation); lowest validation loss {self.val_loss.min():.4f} "
                f"at epoch {self.best_epoch}; final validation accuracy {self.val_accuracy[-1]:.3f}")


def digits_splits(n_train: int = 150, n_val: int = 500, seed: int = 0):
    """The 8x8 digits, pixels scaled to [0, 1], in three disjoint parts chosen with ``seed``.

    Returns ``(x_train, y_train), (x_val, y_val), (x_test, y_test)``: images (n, 64) and integer
    labels (n,); ``n_train`` and ``n_val`` images for training and validation, the rest (1,797 in
    all) for the test. Chapter 12 uses a small training part on purpose, to make overfitting easy.
    """
    check_positive_int("n_train", n_train)
    check_positive_int("n_val", n_val)
    digits = datasets.load_digits()
    if n_train + n_val >= len(digits.target):
        raise ValueError(f"n_val: n_train + n_val must leave test images, got {n_train} + {n_val}")
    order = np.random.default_rng(seed).permutation(len(digits.target))
    x, y = digits.data[order] / 16.0, digits.target[order]
    parts = np.split(np.arange(len(y)), [n_train, n_train + n_val])
    return tuple((x[index], y[index]) for index in parts)


def _check_strength(kind: str, strength) -> float:
    ok = isinstance(strength, (int, float, np.integer, np.floating)) and not isinstance(strength, bool)
    if not ok or not np.isfinite(strength) or strength < 0 or (kind == "dropout" and strength >= 1):
        expected = "a dropout rate in [0, 1)" if kind == "dropout" else "a non-negative L2 factor"
        raise ValueError(f"strength: expected {expected}, got {strength!r}")
    return float(strength)


def train_with_regularization(kind: str = "dropout", strength: float = 0.0, hidden_units: int = 128,
                              epochs: int = 40, seed: int = 0, n_train: int = 100) -> RegularizationRun:
    """Train Dense(hidden_units, relu) -> [Dropout(strength)] -> Dense(10, softmax) on ``n_train`` digits.

    ``kind="dropout"`` puts ``Dropout(strength)`` after the hidden layer; ``kind="l2"`` gives both
    Dense layers ``kernel_regularizer=L2(strength)``. Adam (learning rate 0.01), batches of 32,
    sparse categorical cross-entropy, Glorot weights and shuffling and dropout masks seeded by
    ``seed``; the data are :func:`digits_splits` (``n_train`` training, 500 validation images).
    After every epoch the cross-entropy and accuracy on both parts are measured in inference mode,
    without the penalty. Same arguments, same numbers. Returns a :class:`RegularizationRun`.
    """
    check_one_of("kind", kind, REGULARIZATION_KINDS)
    strength = _check_strength(kind, strength)
    check_positive_int("hidden_units", hidden_units)
    check_positive_int("epochs", epochs)
    check_positive_int("n_train", n_train)
    (x_train, y_train), (x_val, y_val), _ = digits_splits(n_train=n_train)
    rng = np.random.default_rng(seed)

    def glorot(shape, seed=None):
        return initializers.glorot_uniform(shape, seed=rng)

    penalty = L2(strength) if kind == "l2" and strength > 0 else None
    layers = [Input((64,)), Dense(hidden_units, activation="relu", kernel_initializer=glorot,
                                  kernel_regularizer=penalty)]
    if kind == "dropout" and strength > 0:
        layers.append(Dropout(strength, seed=seed))
    layers.append(Dense(10, activation="softmax", kernel_initializer=glorot, kernel_regularizer=penalty))
    model = Sequential(layers)
    model.compile(optimizer=Adam(0.01), loss="sparse_categorical_crossentropy")
    curves = {name: [] for name in ("loss", "val_loss", "accuracy", "val_accuracy")}
    for _ in range(epochs):
        model.fit(x_train, y_train, epochs=1, batch_size=32, verbose=0, seed=rng)
        for prefix, x, y in (("", x_train, y_train), ("val_", x_val, y_val)):
            p = model.predict(x)
            curves[prefix + "loss"].append(float(np.mean(losses.sparse_categorical_crossentropy(y, p))))
            curves[prefix + "accuracy"].append(float(metrics.sparse_categorical_accuracy(y, p)))
    return RegularizationRun(kind=kind, strength=strength, hidden_units=int(hidden_units), epochs=int(epochs),
                             seed=int(seed), **{key: np.array(value) for key, value in curves.items()})


def regularization_figure(run: RegularizationRun, figsize: tuple[float, float] = (10.0, 3.8)):
    """Draw a run: training and validation loss (left, log scale, fixed limits) and accuracy (right).

    A dotted line marks the epoch of the lowest validation loss. The limits are the same for every
    run, so frames of a slider can be compared at a glance. Returns the figure.
    """
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=figsize)
    epochs = np.arange(1, run.epochs + 1)
    for ax, key, label in ((loss_ax, "loss", "cross-entropy (log scale)"), (acc_ax, "accuracy", "accuracy")):
        ax.plot(epochs, getattr(run, key), color=COLORS[0], linewidth=2, label="training")
        ax.plot(epochs, getattr(run, "val_" + key), color=COLORS[1], linewidth=2, linestyle="--",
                label="validation")
        ax.axvline(run.best_epoch, color="gray", linestyle=":", linewidth=1)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(True, color="#d0d0d0", linewidth=0.6)
        ax.legend(loc="center right")
    loss_ax.set_yscale("log")
    loss_ax.set_ylim(1e-3, 3.0)
    acc_ax.set_ylim(0.0, 1.02)
    loss_ax.set_title(f"Loss: validation lowest {run.val_loss.min():.3f} at epoch {run.best_epoch}")
    acc_ax.set_title(f"Accuracy: validation {run.val_accuracy[-1]:.3f} at the end")
    name = "dropout rate" if run.kind == "dropout" else "L2 factor"
    fig.suptitle(f"{name} {run.strength:g}: {run.hidden_units} hidden units, {run.epochs} epochs")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.82, wspace=0.25)
    return fig


def _strengths(kind: str, values) -> list[float]:
    values = [_check_strength(kind, value) for value in values]
    if not values:
        raise ValueError("values: expected at least one strength, got an empty sequence")
    return values


def regularization_explorer(kind: str = "dropout", values: Sequence[float] | None = None, epochs: int = 40,
                            seed: int = 0):
    """A live slider over the strengths of ``kind``; each change retrains and redraws.

    A ``SelectionSlider`` over ``values`` (default :data:`DROPOUT_RATES` or :data:`L2_STRENGTHS`) with
    ``continuous_update=False``; through ``ipywidgets.interactive_output`` every change calls
    :func:`train_with_regularization` and shows :func:`regularization_figure`. Returns an
    ``ipywidgets.VBox`` with children ``[slider, output]``. Explored in chapter 12.
    """
    check_one_of("kind", kind, REGULARIZATION_KINDS)
    values = _strengths(kind, values if values is not None else
                        (DROPOUT_RATES if kind == "dropout" else L2_STRENGTHS))
    check_positive_int("epochs", epochs)
    widgets = import_ipywidgets()
    from IPython.display import display

    slider = widgets.SelectionSlider(options=[(f"{value:g}", value) for value in values], value=values[0],
                                     description="dropout rate" if kind == "dropout" else "L2 factor",
                                     continuous_update=False, style={"description_width": "initial"})

    def retrain(strength: float) -> None:
        run = train_with_regularization(kind, strength, epochs=epochs, seed=seed)
        fig = regularization_figure(run)
        display(fig)
        plt.close(fig)
        print(run.describe())

    output = widgets.interactive_output(retrain, {"strength": slider})
    return widgets.VBox([slider, output])


def static_regularization_explorer(kind: str = "dropout", values: Sequence[float] | None = None,
                                   epochs: int = 40, seed: int = 0, dpi: int = 70, runs=None):
    """Static twin of :func:`regularization_explorer`: one pre-computed training per slider value.

    ``runs`` may pass runs already trained (a dict strength -> :class:`RegularizationRun`) so a
    chapter that has drawn them once need not train them again. Returns an
    ``IPython.display.HTML`` object that works in the HTML book without a kernel or a network.
    """
    check_one_of("kind", kind, REGULARIZATION_KINDS)
    values = _strengths(kind, values if values is not None else
                        (DROPOUT_RATES if kind == "dropout" else L2_STRENGTHS))
    runs = dict(runs or {})

    def make_figure(strength: float):
        run = runs.get(strength) or train_with_regularization(kind, strength, epochs=epochs, seed=seed)
        return regularization_figure(run)

    return static_slider(make_figure, values, "dropout rate" if kind == "dropout" else "L2 factor",
                         format_value=lambda value: f"{value:g}", dpi=dpi)
