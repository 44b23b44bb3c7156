"""Tests for chapter 12's regularisation explorer in nnlib.widgets: the pure training function, its
figure, the live slider and the static twin."""
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import widgets  # noqa: E402

ipywidgets = pytest.importorskip("ipywidgets")


def test_splits_are_disjoint_scaled_and_complete():
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = widgets.digits_splits(n_train=100, n_val=500)
    assert x_train.shape == (100, 64) and x_val.shape == (500, 64) and len(x_test) == 1797 - 600
    assert x_train.max() <= 1.0 and x_train.min() >= 0.0
    assert len(y_train) == 100 and len(y_val) == 500 and len(y_test) == 1197
    with pytest.raises(ValueError, match=r"^n_val: n_train \+ n_val must leave test images"):
        widgets.digits_splits(n_train=1000, n_val=797)


def test_a_run_has_one_value_per_epoch_and_repeats_with_its_seed():
    run = widgets.train_with_regularization("dropout", 0.5, hidden_units=16, epochs=3, seed=1)
    again = widgets.train_with_regularization("dropout", 0.5, hidden_units=16, epochs=3, seed=1)
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        assert getattr(run, key).shape == (3,)
        np.testing.assert_array_equal(getattr(run, key), getattr(again, key))
    assert 1 <= run.best_epoch <= 3
    assert run.describe().startswith("dropout rate 0.5: final loss")


def test_a_strong_l2_penalty_keeps_the_training_loss_up():
    free = widgets.train_with_regularization("l2", 0.0, hidden_units=32, epochs=15)
    tight = widgets.train_with_regularization("l2", 0.03, hidden_units=32, epochs=15)
    assert tight.loss[-1] > 3 * free.loss[-1]


@pytest.mark.parametrize("kind,strength,pattern", [
    ("dropout", 1.0, r"^strength: expected a dropout rate in \[0, 1\)"),
    ("l2", -0.1, r"^strength: expected a non-negative L2 factor"),
    ("l1", 0.1, r"^kind: expected one of"),
])
def test_bad_settings_are_refused(kind, strength, pattern):
    with pytest.raises(ValueError, match=pattern):
        widgets.train_with_regularization(kind, strength, epochs=1)


def test_the_figure_has_titled_labelled_axes_and_legends():
    fig = widgets.regularization_figure(widgets.train_with_regularization("l2", 1e-3, hidden_units=8, epochs=2))
    try:
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() == "epoch" and ax.get_ylabel()
            assert ax.get_legend() is not None
        assert "L2 factor 0.001" in fig._suptitle.get_text()
    finally:
        plt.close(fig)


def test_the_live_slider_retrains_on_change():
    box = widgets.regularization_explorer("dropout", values=(0.0, 0.5), epochs=1)
    slider, output = box.children
    assert isinstance(slider, ipywidgets.SelectionSlider) and slider.value == 0.0
    slider.value = 0.5
    assert isinstance(output, ipywidgets.Output)


def test_the_static_twin_has_one_frame_per_value_and_reuses_given_runs():
    given = {0.0: widgets.train_with_regularization("l2", 0.0, hidden_units=8, epochs=2)}
    html = widgets.static_regularization_explorer("l2", values=(0.0, 0.01), epochs=2, runs=given).data
    assert len(re.findall(r'<img data-frame="', html)) == 2
    assert "L2 factor" in html and '"0.01"' in html
