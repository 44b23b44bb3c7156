"""Tests for chapter 7's training explorer in nnlib.widgets: the pure training function, its figure,
the live learning-rate and hidden-units sliders, and the two-slider static twin."""
import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import datasets, widgets  # noqa: E402

ipywidgets = pytest.importorskip("ipywidgets")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def good_spirals_run():
    """Adam at 0.1 with 16 tanh units on the two spirals: the explorer's "it works" setting."""
    return widgets.train_classifier_2d("spirals", hidden_units=16, learning_rate=0.1, epochs=250, seed=0)


# --- the pure function ---------------------------------------------------------------------------


def test_run_holds_one_loss_and_accuracy_per_epoch_and_a_square_grid():
    run = widgets.train_classifier_2d("spirals", hidden_units=4, learning_rate=0.1, epochs=30, seed=0,
                                      n_points=120, resolution=40)
    assert run.loss.shape == (30,) and run.accuracy.shape == (30,)
    assert run.x.shape == (120, 2) and run.y.shape == (120,)
    assert set(np.unique(run.y)) == {0, 1}
    assert run.xx.shape == run.yy.shape == run.zz.shape == (40, 40)
    assert np.all((run.zz >= 0) & (run.zz <= 1))
    assert (run.dataset, run.hidden_units, run.learning_rate, run.epochs, run.seed) == ("spirals", 4, 0.1, 30, 0)
    assert run.final_loss == run.loss[-1] and run.final_accuracy == run.accuracy[-1]


def test_the_grid_covers_the_points_with_a_margin():
    run = widgets.train_classifier_2d("spirals", epochs=5, resolution=20)
    assert run.xx.min() < run.x[:, 0].min() and run.xx.max() > run.x[:, 0].max()
    assert run.yy.min() < run.x[:, 1].min() and run.yy.max() > run.x[:, 1].max()


def test_the_run_uses_the_datasets_of_nnlib():
    spirals = widgets.train_classifier_2d("spirals", epochs=2, n_points=200, seed=3)
    x, y = datasets.spirals(n=100, noise=0.2, seed=3)
    np.testing.assert_array_equal(spirals.x, x)
    np.testing.assert_array_equal(spirals.y, y)
    coffee = widgets.train_classifier_2d("coffee", epochs=2, n_points=150, seed=3)
    x, y = datasets.coffee_roasting(n=150, seed=3)
    np.testing.assert_array_equal(coffee.x, x)
    np.testing.assert_array_equal(coffee.y, y)


def test_loss_decreases_for_a_good_learning_rate(good_spirals_run):
    loss = good_spirals_run.loss
    assert loss[0] > 0.6                         # near log 2 = 0.693 at the start
    assert good_spirals_run.final_loss < 0.1 * loss[0]
    assert np.min(loss[-20:]) < np.min(loss[:20])


def test_enough_hidden_units_separate_the_spirals(good_spirals_run):
    assert good_spirals_run.final_accuracy >= 0.95


def test_the_boundary_grid_agrees_with_the_labels_of_a_good_run(good_spirals_run):
    run = good_spirals_run
    # P(class 1) at the grid point nearest to each training point, thresholded at 0.5.
    columns = np.abs(run.xx[0][None, :] - run.x[:, :1]).argmin(axis=1)
    rows = np.abs(run.yy[:, 0][None, :] - run.x[:, 1:]).argmin(axis=1)
    predicted = (run.zz[rows, columns] > 0.5).astype(int)
    assert np.mean(predicted == run.y) >= 0.9


def test_two_hidden_units_are_too_few_for_the_spirals():
    run = widgets.train_classifier_2d("spirals", hidden_units=2, learning_rate=0.1, epochs=250, seed=0)
    assert run.final_accuracy < 0.8


def test_a_tiny_learning_rate_stalls_near_the_starting_loss():
    run = widgets.train_classifier_2d("spirals", hidden_units=16, learning_rate=1e-4, epochs=250, seed=0)
    assert run.final_loss > 0.6
    assert run.loss[0] - run.final_loss < 0.05
    assert run.final_accuracy < 0.7


def test_a_huge_learning_rate_diverges():
    run = widgets.train_classifier_2d("spirals", hidden_units=16, learning_rate=10.0, epochs=250, seed=0)
    assert run.final_loss > run.loss[0]          # worse than guessing 0.5 everywhere
    assert run.final_accuracy < 0.7


def test_the_coffee_roasts_are_learned_in_their_own_units():
    run = widgets.train_classifier_2d("coffee", hidden_units=8, learning_rate=0.1, epochs=250, seed=0)
    assert run.final_accuracy >= 0.95
    assert run.xx.min() < 150 and run.xx.max() > 300          # degrees C, not standardised units
    assert run.yy.min() < 11.5 and run.yy.max() > 16          # minutes
    assert run.feature_names == ("temperature (deg C)", "duration (min)")


def test_the_same_seed_gives_the_same_numbers():
    first = widgets.train_classifier_2d("spirals", hidden_units=6, learning_rate=0.03, epochs=40, seed=7)
    second = widgets.train_classifier_2d("spirals", hidden_units=6, learning_rate=0.03, epochs=40, seed=7)
    np.testing.assert_array_equal(first.loss, second.loss)
    np.testing.assert_array_equal(first.accuracy, second.accuracy)
    np.testing.assert_array_equal(first.zz, second.zz)


def test_another_seed_gives_other_numbers():
    first = widgets.train_classifier_2d("spirals", epochs=20, seed=0)
    second = widgets.train_classifier_2d("spirals", epochs=20, seed=1)
    assert not np.array_equal(first.loss, second.loss)


def test_mini_batches_take_more_steps_than_the_full_batch():
    full = widgets.train_classifier_2d("coffee", hidden_units=8, learning_rate=0.01, epochs=20, seed=0)
    mini = widgets.train_classifier_2d("coffee", hidden_units=8, learning_rate=0.01, epochs=20, seed=0,
                                       batch_size=20)
    assert full.loss[0] == pytest.approx(mini.loss[0], abs=0.05)   # same start
    assert mini.final_loss < full.final_loss                        # ten steps per epoch instead of one


def test_describe_names_the_settings_and_the_results():
    run = widgets.train_classifier_2d("spirals", hidden_units=3, learning_rate=0.3, epochs=10, seed=0)
    text = run.describe()
    assert text.startswith("spirals: 3 hidden units, learning rate 0.3, 10 epochs -> loss ")
    assert f"{run.final_loss:.4f}" in text and f"accuracy {run.final_accuracy:.3f}" in text


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"dataset": "moons"}, "dataset"), ({"hidden_units": 0}, "hidden_units"),
     ({"hidden_units": 2.5}, "hidden_units"), ({"learning_rate": 0}, "learning_rate"),
     ({"learning_rate": -0.1}, "learning_rate"), ({"learning_rate": float("nan")}, "learning_rate"),
     ({"learning_rate": "0.1"}, "learning_rate"), ({"epochs": 0}, "epochs"), ({"seed": "zero"}, "seed"),
     ({"seed": 1.5}, "seed"), ({"n_points": 2}, "n_points"), ({"batch_size": 0}, "batch_size"),
     ({"resolution": 1}, "resolution")],
)
def test_train_classifier_2d_rejects_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        widgets.train_classifier_2d(**({"epochs": 2} | kwargs))


# --- the figure -----------------------------------------------------------------------------------


def test_training_figure_shows_the_loss_curve_and_the_boundary_side_by_side(good_spirals_run):
    fig = widgets.training_figure(good_spirals_run)
    try:
        loss_ax, boundary_ax = fig.axes
        assert loss_ax.get_yscale() == "log"
        assert loss_ax.get_xlabel() == "epoch" and "loss" in loss_ax.get_ylabel()
        np.testing.assert_allclose(loss_ax.get_lines()[0].get_ydata(), good_spirals_run.loss)
        assert f"{good_spirals_run.final_loss:.3f}" in loss_ax.get_title()
        assert "Decision boundary" in boundary_ax.get_title()
        assert boundary_ax.get_xlabel() == "x0" and boundary_ax.get_ylabel() == "x1"
        assert boundary_ax.get_legend() is not None
        assert "16 hidden units, learning rate 0.1" in fig._suptitle.get_text()
    finally:
        plt.close(fig)


def test_training_figure_keeps_the_loss_axis_fixed_so_frames_compare():
    diverged = widgets.train_classifier_2d("spirals", hidden_units=4, learning_rate=10.0, epochs=30)
    fig = widgets.training_figure(diverged)
    try:
        assert fig.axes[0].get_ylim() == pytest.approx((1e-3, 10.0))
    finally:
        plt.close(fig)


# --- the live explorer ----------------------------------------------------------------------------


def _sliders(box):
    rate, hidden = box.children[0].children
    return rate, hidden


def _label(box):
    return next(child for child in box.children if isinstance(child, ipywidgets.Label))


def test_training_explorer_builds_a_rate_and_a_size_slider_that_update_on_release():
    box = widgets.training_explorer(epochs=20)
    plt.close("all")
    assert isinstance(box, ipywidgets.VBox)
    rate, hidden = _sliders(box)
    assert isinstance(rate, ipywidgets.SelectionSlider)
    assert isinstance(hidden, ipywidgets.IntSlider)
    assert list(rate.options) == [(f"{value:g}", value) for value in widgets.TRAINING_LEARNING_RATES]
    assert rate.value == 0.1
    assert (hidden.min, hidden.max, hidden.value) == (1, 32, 8)
    assert rate.continuous_update is False and hidden.continuous_update is False
    assert any(isinstance(child, ipywidgets.Output) for child in box.children)


def test_moving_either_slider_retrains_and_redraws(capsys):
    box = widgets.training_explorer(dataset="spirals", epochs=20, seed=0)
    rate, hidden = _sliders(box)
    label = _label(box)
    assert "(8 hidden units, learning rate 0.1)" in label.value
    assert "spirals: 8 hidden units, learning rate 0.1, 20 epochs" in capsys.readouterr().out

    hidden.value = 3
    expected = widgets.train_classifier_2d("spirals", hidden_units=3, learning_rate=0.1, epochs=20, seed=0)
    assert label.value.startswith(f"final loss {expected.final_loss:.4f}")
    assert "(3 hidden units, learning rate 0.1)" in label.value
    assert expected.describe() in capsys.readouterr().out

    rate.value = 1.0
    assert "(3 hidden units, learning rate 1)" in label.value
    assert "3 hidden units, learning rate 1, 20 epochs" in capsys.readouterr().out
    plt.close("all")


def test_training_explorer_leaves_no_figure_open():
    before = set(plt.get_fignums())
    box = widgets.training_explorer(epochs=5)
    _sliders(box)[1].value = 2
    assert set(plt.get_fignums()) == before


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"dataset": "xor"}, "dataset"), ({"max_hidden": 0}, "max_hidden"), ({"learning_rates": []}, "learning_rates"),
     ({"learning_rates": [0.1, -1.0]}, "learning_rates"), ({"learning_rates": [0.1, 0.1]}, "learning_rates"),
     ({"learning_rate": 0.2}, "learning_rate"), ({"hidden_units": 40}, "hidden_units"),
     ({"epochs": -1}, "epochs"), ({"seed": None}, "seed")],
)
def test_training_explorer_rejects_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        widgets.training_explorer(**kwargs)


def test_training_explorer_tells_the_reader_how_to_install_ipywidgets(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        widgets.training_explorer()


# --- the two-slider static twin -----------------------------------------------------------------------


def _frames(html_text):
    return re.findall(r'<img data-frame="(\d+)" alt="([^"]*)"[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"',
                      html_text)


def _ranges(html_text):
    return re.findall(r'<input type="range"[^>]*min="0" max="(\d+)" step="1" value="(\d+)"', html_text)


def _bar_figure(height, colour):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.bar([0], [height], color=colour)
    ax.set_ylim(0, 4)
    ax.set_title(f"{height} {colour}")
    return fig


def test_static_slider_grid_has_a_frame_per_pair_and_two_range_inputs():
    html_text = widgets.static_slider_grid(_bar_figure, [1, 2, 3], ["red", "blue"], "height", "colour").data
    frames = _frames(html_text)
    assert [int(index) for index, _, _ in frames] == list(range(6))
    images = [base64.b64decode(data) for _, _, data in frames]
    assert all(image.startswith(PNG_SIGNATURE) for image in images)
    assert len(set(images)) == 6
    assert _ranges(html_text) == [("2", "0"), ("1", "0")]
    assert "height" in html_text and "colour" in html_text


def test_frame_k_shows_row_k_div_columns_and_column_k_mod_columns():
    """The page's script shows frame i * n_columns + j; the frames must be stored in that order."""
    html_text = widgets.static_slider_grid(_bar_figure, [1, 2, 3], ["red", "blue"], "height", "colour").data
    for index, alt, _ in _frames(html_text):
        i, j = divmod(int(index), 2)
        assert alt == f"height: {[1, 2, 3][i]}, colour: {['red', 'blue'][j]}"
    assert "var index = i * columns + j;" in html_text


def test_static_slider_grid_starts_at_the_initial_values():
    html_text = widgets.static_slider_grid(_bar_figure, [1, 2, 3], ["red", "blue"], "height", "colour",
                                           initial_values=(2, "blue")).data
    assert _ranges(html_text) == [("2", "1"), ("1", "1")]
    assert re.search(r'data-frame="3"[^>]*display:block', html_text)
    assert len(re.findall(r"display:block", html_text)) == 1


def test_static_slider_grid_needs_no_network_and_closes_its_figures():
    before = set(plt.get_fignums())
    html_text = widgets.static_slider_grid(_bar_figure, [1, 2], ["red"], "height", "colour").data
    assert set(plt.get_fignums()) == before
    assert "http://" not in html_text and "https://" not in html_text
    assert re.search(r"<script[^>]*\bsrc=", html_text) is None
    assert "<link" not in html_text


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"first_values": []}, "first_values"), ({"second_values": []}, "second_values"),
     ({"first_name": ""}, "first_name"), ({"second_name": None}, "second_name"),
     ({"initial_values": (9, "red")}, "initial_values"), ({"initial_values": 3}, "initial_values")],
)
def test_static_slider_grid_rejects_bad_arguments(kwargs, argument):
    arguments = {"make_figure": _bar_figure, "first_values": [1, 2], "second_values": ["red"],
                 "first_name": "height", "second_name": "colour"} | kwargs
    with pytest.raises(ValueError, match=argument):
        widgets.static_slider_grid(**arguments)


@pytest.mark.parametrize(
    "frames, first_labels, second_labels, argument",
    [([], [], ["a"], "frames"), ([["A"], ["B"]], ["x"], ["a"], "first_labels"),
     ([["A", "B"], ["C"]], ["x", "y"], ["a", "b"], "second_labels")],
)
def test_static_slider_grid_html_checks_the_labels_against_the_frames(frames, first_labels, second_labels,
                                                                      argument):
    with pytest.raises(ValueError, match=argument):
        widgets.static_slider_grid_html(frames, first_labels, second_labels, "first", "second")


def test_static_training_explorer_offers_both_sliders_over_the_default_grid():
    html_text = widgets.static_training_explorer().data
    frames = _frames(html_text)
    assert len(frames) == 5 * 4
    assert _ranges(html_text) == [("4", "2"), ("3", "2")]              # starts at 0.1 and 8 units
    assert re.search(r'data-frame="10"[^>]*display:block', html_text)
    assert frames[10][1] == "learning rate: 0.1, hidden units: 8"
    assert "learning rate" in html_text and "hidden units" in html_text
    assert "http://" not in html_text and "https://" not in html_text
    assert len(html_text.encode()) < 2_000_000
    headers = [base64.b64decode(data)[16:24] for _, _, data in frames]   # PNG width and height
    assert len(set(headers)) == 1                                          # the page does not jump


def test_static_training_explorer_with_a_small_grid():
    html_text = widgets.static_training_explorer("coffee", learning_rates=[0.01, 0.1], hidden_units=[2, 8],
                                                 epochs=10, initial_values=(0.1, 2), dpi=40).data
    assert len(_frames(html_text)) == 4
    assert _ranges(html_text) == [("1", "1"), ("1", "0")]


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"dataset": "iris"}, "dataset"), ({"learning_rates": [0.0]}, "learning_rates"),
     ({"hidden_units": [2, 0]}, "hidden_units"), ({"hidden_units": []}, "hidden_units"),
     ({"initial_values": (0.5, 8)}, "initial_values")],
)
def test_static_training_explorer_rejects_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        widgets.static_training_explorer(**({"epochs": 2} | kwargs))
