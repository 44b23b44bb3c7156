"""Tests for chapter 5's learning-rate explorer in nnlib.widgets: the descent on the bowl
f(x0, x1) = x0^2 + x1^2, its regimes, the live slider and its static twin."""
import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import widgets  # noqa: E402
from nnlib.gradients import gradient_descent, numerical_gradient  # noqa: E402

ipywidgets = pytest.importorskip("ipywidgets")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- pure functions ------------------------------------------------------------------------------


def test_bowl_and_its_gradient_at_three_four():
    assert widgets.bowl([3.0, 4.0]) == 25.0
    np.testing.assert_array_equal(widgets.bowl_gradient([3.0, 4.0]), [6.0, 8.0])
    np.testing.assert_array_equal(widgets.bowl(np.zeros((5, 7, 2))), np.zeros((5, 7)))


def test_bowl_gradient_matches_the_numerical_gradient():
    point = np.array([-1.3, 0.7])
    np.testing.assert_allclose(widgets.bowl_gradient(point), numerical_gradient(widgets.bowl, point), rtol=1e-8)


@pytest.mark.parametrize("function", [widgets.bowl, widgets.bowl_gradient])
def test_bowl_functions_reject_points_that_are_not_pairs(function):
    with pytest.raises(ValueError, match="expected an array of shape"):
        function([1.0, 2.0, 3.0])


def test_descent_path_starts_at_start_and_has_one_row_per_step():
    path = widgets.descent_path_on_bowl(0.1, start=(-1.5, 1.8), steps=20)
    assert path.shape == (21, 2)
    np.testing.assert_array_equal(path[0], [-1.5, 1.8])


@pytest.mark.parametrize("learning_rate", [0.01, 0.1, 0.3, 0.9, 0.99, 1.0, 1.05])
def test_every_step_multiplies_the_point_by_one_minus_two_eta(learning_rate):
    path = widgets.descent_path_on_bowl(learning_rate, steps=12)
    k = np.arange(13)[:, None]
    expected = (1 - 2 * learning_rate) ** k * np.array(widgets.BOWL_START)
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-15)


def test_descent_path_agrees_with_gradient_descent_on_a_numerical_gradient():
    path = widgets.descent_path_on_bowl(0.2, start=(1.0, -2.0), steps=8)
    numeric = gradient_descent(lambda x: numerical_gradient(widgets.bowl, x.copy()), np.array([1.0, -2.0]),
                               learning_rate=0.2, steps=8)
    np.testing.assert_allclose(path, numeric, rtol=1e-8, atol=1e-12)


def test_worked_step_from_three_four_with_eta_point_one():
    # x1 = (3, 4) - 0.1 * (6, 8) = (2.4, 3.2)
    np.testing.assert_allclose(widgets.descent_path_on_bowl(0.1, start=(3.0, 4.0), steps=1)[1], [2.4, 3.2])


@pytest.mark.parametrize(
    "learning_rate, regime",
    [(0.01, "slow"), (0.03, "slow"),
     (0.1, "converges"), (0.3, "converges"), (0.4, "converges"), (0.5, "converges"),
     (0.9, "oscillates"), (0.95, "oscillates"), (0.99, "oscillates"), (1.0, "oscillates"),
     (1.01, "diverges"), (1.05, "diverges"), (1.5, "diverges")],
)
def test_the_four_regimes_are_classified_by_final_distance_and_overshoot(learning_rate, regime):
    path = widgets.descent_path_on_bowl(learning_rate, steps=20)
    assert widgets.descent_regime(path) == regime
    assert regime in widgets.DESCENT_REGIMES


def test_final_distances_of_the_four_regimes():
    start_distance = np.hypot(*widgets.BOWL_START)

    def final_distance(learning_rate):
        return np.linalg.norm(widgets.descent_path_on_bowl(learning_rate, steps=20)[-1])

    # |1 - 2 eta|^20 times the starting distance
    assert final_distance(0.01) == pytest.approx(0.98 ** 20 * start_distance)        # slow: 2/3 of the way left
    assert final_distance(0.1) == pytest.approx(0.8 ** 20 * start_distance)          # good: about 1 %
    assert final_distance(0.95) == pytest.approx(0.9 ** 20 * start_distance)         # oscillating: 12 %
    assert final_distance(1.0) == pytest.approx(start_distance)                      # bounces for ever
    assert final_distance(1.05) == pytest.approx(1.1 ** 20 * start_distance)         # diverging: 6.7 times
    assert final_distance(0.01) > 0.1 * start_distance > final_distance(0.1)


def test_an_overflowing_path_is_classified_as_diverging():
    path = widgets.descent_path_on_bowl(1e200, steps=3)
    assert not np.all(np.isfinite(path[-1]))
    assert widgets.descent_regime(path) == "diverges"


def test_descent_regime_respects_slow_fraction():
    path = widgets.descent_path_on_bowl(0.03, steps=20)       # ends at 0.94^20 = 29 % of the start distance
    assert widgets.descent_regime(path, slow_fraction=0.1) == "slow"
    assert widgets.descent_regime(path, slow_fraction=0.5) == "converges"


@pytest.mark.parametrize(
    "call, argument",
    [(lambda: widgets.descent_path_on_bowl(0.1, start=(1.0, 2.0, 3.0)), "start"),
     (lambda: widgets.descent_path_on_bowl(0.1, start=(np.nan, 1.0)), "start"),
     (lambda: widgets.descent_path_on_bowl(0.1, start="here"), "start"),
     (lambda: widgets.descent_path_on_bowl(-0.1), "learning_rate"),
     (lambda: widgets.descent_path_on_bowl(0.1, steps=-1), "steps"),
     (lambda: widgets.descent_regime(np.zeros((1, 2))), "path"),
     (lambda: widgets.descent_regime(np.zeros((5, 3))), "path"),
     (lambda: widgets.descent_regime(np.ones((5, 2)), slow_fraction=1.5), "slow_fraction")],
)
def test_bad_arguments_raise_value_errors_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_describe_descent_names_factor_distance_and_regime():
    text = widgets.describe_descent(1.05)
    assert "factor 1 - 2*eta = -1.10" in text
    assert text.endswith("diverges")
    assert f"{1.1 ** 20 * np.hypot(*widgets.BOWL_START):.3g}" in text


# --- figure ----------------------------------------------------------------------------------------


def test_descent_figure_has_a_path_panel_and_a_loss_panel():
    fig = widgets.descent_figure(0.95)
    try:
        ax_path, ax_loss = fig.axes
        assert "oscillates" in ax_path.get_title()
        assert ax_loss.get_yscale() == "log"
        # the loss f(x_k) = |x_k|^2 changes by the square of the point's factor: (-0.9)^2 = 0.81
        assert "0.81" in ax_loss.get_title() and "-0.90" not in ax_loss.get_title()
        ratios = ax_loss.get_lines()[0].get_ydata()[1:] / ax_loss.get_lines()[0].get_ydata()[:-1]
        np.testing.assert_allclose(ratios, 0.81)
        assert all(float(tick).is_integer() for tick in ax_loss.get_xticks())
        assert "leaves" not in ax_path.get_title()
        losses = ax_loss.get_lines()[0].get_ydata()
        assert len(losses) == 21
        np.testing.assert_allclose(losses[0], widgets.bowl(widgets.BOWL_START))
    finally:
        plt.close(fig)


@pytest.mark.parametrize("learning_rate, top", [(1.05, 1e4), (1.2, 1e8)])
def test_descent_figure_shows_divergence_plainly(learning_rate, top):
    """D5-4: a diverging path says that it leaves the window, and the loss axis grows with it."""
    fig = widgets.descent_figure(learning_rate)
    try:
        ax_path, ax_loss = fig.axes
        assert "diverges" in ax_path.get_title() and "leaves this window at step" in ax_path.get_title()
        losses = ax_loss.get_lines()[0].get_ydata()
        assert losses[-1] > losses[0] and losses.max() < ax_loss.get_ylim()[1]
        assert max(ax_loss.get_yticks()) == top
        assert f"{(1 - 2 * learning_rate) ** 2:.2f}" in ax_loss.get_title()
    finally:
        plt.close(fig)


def test_the_explorers_include_an_unmistakable_divergence():
    assert max(widgets.DESCENT_LEARNING_RATES) == 1.2
    assert widgets.descent_regime(widgets.descent_path_on_bowl(1.2)) == "diverges"


def test_descent_figure_draws_exact_zero_losses_at_the_floor():
    fig = widgets.descent_figure(0.5)          # one step lands exactly on the minimum
    try:
        losses = fig.axes[1].get_lines()[0].get_ydata()
        assert np.all(losses[1:] == 1e-12)
    finally:
        plt.close(fig)


# --- live explorer -----------------------------------------------------------------------------------


def _parts(box):
    slider, label, output = box.children
    return slider, label, output


def test_learning_rate_explorer_builds_a_slider_over_the_learning_rates():
    box = widgets.learning_rate_explorer()
    plt.close("all")
    slider, label, output = _parts(box)
    assert isinstance(box, ipywidgets.VBox)
    assert isinstance(slider, ipywidgets.SelectionSlider)
    assert isinstance(output, ipywidgets.Output)
    assert [text for text, _ in slider.options] == [f"{rate:g}" for rate in widgets.DESCENT_LEARNING_RATES]
    assert [rate for _, rate in slider.options] == list(widgets.DESCENT_LEARNING_RATES)
    assert slider.value == 0.1
    assert slider.continuous_update is False
    assert label.value.endswith("converges")


def test_moving_the_slider_redraws_the_figure_and_updates_the_label(monkeypatch):
    drawn = []
    original = widgets.descent_figure

    def recording_figure(learning_rate, start, steps):
        drawn.append(learning_rate)
        return original(learning_rate, start, steps)

    monkeypatch.setattr(widgets.descent, "descent_figure", recording_figure)
    box = widgets.learning_rate_explorer()
    slider, label, _ = _parts(box)
    assert drawn == [0.1]
    slider.value = 1.05
    assert drawn == [0.1, 1.05]
    assert "factor 1 - 2*eta = -1.10" in label.value and label.value.endswith("diverges")
    slider.value = 0.01
    assert drawn[-1] == 0.01 and label.value.endswith("slow")
    slider.value = 0.95
    assert label.value.endswith("oscillates")
    plt.close("all")


def test_learning_rate_explorer_leaves_no_figure_open():
    before = set(plt.get_fignums())
    box = widgets.learning_rate_explorer()
    box.children[0].value = 0.9
    assert set(plt.get_fignums()) == before


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"learning_rates": []}, "learning_rates"), ({"learning_rates": [0.1, -1.0]}, "learning_rates"),
     ({"learning_rates": [0.1, 0.1]}, "learning_rates"), ({"learning_rates": ["fast"]}, "learning_rates"),
     ({"initial": 0.2}, "initial"), ({"steps": 0}, "steps"), ({"start": (1.0,)}, "start")],
)
def test_learning_rate_explorers_reject_bad_arguments(kwargs, argument):
    for explorer in (widgets.learning_rate_explorer, widgets.static_learning_rate_explorer):
        with pytest.raises(ValueError, match=argument):
            explorer(**kwargs)


# --- static twin -------------------------------------------------------------------------------------


def _frames(html_text):
    return re.findall(r'<img data-frame="(\d+)"[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html_text)


def test_static_twin_has_one_frame_per_learning_rate():
    rates = (0.01, 0.1, 0.95, 1.05)
    html_text = widgets.static_learning_rate_explorer(learning_rates=rates, initial=0.1).data
    frames = _frames(html_text)
    assert [int(index) for index, _ in frames] == list(range(len(rates)))
    images = [base64.b64decode(data) for _, data in frames]
    assert all(image.startswith(PNG_SIGNATURE) for image in images)
    assert len(set(images)) == len(rates)
    assert re.search(r'<input type="range"[^>]*max="3"[^>]*value="1"', html_text)
    for text in ("0.01 (slow)", "0.1 (converges)", "0.95 (oscillates)", "1.05 (diverges)"):
        assert text in html_text


def test_static_twin_with_the_default_rates_is_self_contained_and_modest():
    html_text = widgets.static_learning_rate_explorer().data
    assert len(_frames(html_text)) == len(widgets.DESCENT_LEARNING_RATES)
    assert "http://" not in html_text and "https://" not in html_text
    assert len(html_text.encode()) < 1_500_000


def test_static_twin_closes_its_figures():
    before = set(plt.get_fignums())
    widgets.static_learning_rate_explorer(learning_rates=(0.1, 1.05))
    assert set(plt.get_fignums()) == before
