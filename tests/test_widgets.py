"""Tests for nnlib.widgets: the pure parameter counts, the live layer-size explorer and its static twin."""
import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import widgets  # noqa: E402

ipywidgets = pytest.importorskip("ipywidgets")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- pure functions ------------------------------------------------------------------------------


def test_network_summary_counts_weights_and_biases_per_layer():
    summary = widgets.network_summary([2, 3, 1])
    assert summary.layer_sizes == (2, 3, 1)
    assert [(layer.n_in, layer.n_out) for layer in summary.layers] == [(2, 3), (3, 1)]
    assert [layer.weights for layer in summary.layers] == [6, 3]
    assert [layer.biases for layer in summary.layers] == [3, 1]
    assert [layer.parameters for layer in summary.layers] == [9, 4]
    assert summary.total_weights == 9
    assert summary.total_biases == 4
    assert summary.total_parameters == 13


@pytest.mark.parametrize(
    "layer_sizes, expected",
    [([2, 2, 1], 9), ([2, 3, 3, 1], 25), ([784, 128, 10], 101_770), ([784, 512, 512, 10], 669_706)],
)
def test_network_summary_total_matches_the_formula(layer_sizes, expected):
    assert widgets.network_summary(layer_sizes).total_parameters == expected


@pytest.mark.parametrize("layer_sizes", [[2, 1], [3, 5, 2], [2, 8, 8, 1], [4, 1, 7, 3, 2]])
def test_network_summary_agrees_with_sequential_count_params(layer_sizes):
    model = nnlib.Sequential([nnlib.Input((layer_sizes[0],))]
                             + [nnlib.layers.Dense(units) for units in layer_sizes[1:]])
    summary = widgets.network_summary(layer_sizes)
    assert summary.total_parameters == model.count_params()
    assert [layer.parameters for layer in summary.layers] == [layer.count_params() for layer in model.layers]


@pytest.mark.parametrize("layer_sizes", [[2, 1], [2, 3, 1], [784, 128, 10], [5, 8, 8, 8, 3]])
def test_network_summary_agrees_with_plotting_count_parameters(layer_sizes):
    from nnlib.plotting import count_parameters

    assert widgets.network_summary(layer_sizes).total_parameters == count_parameters(layer_sizes)


def test_network_summary_accepts_numpy_integers():
    assert widgets.network_summary(np.array([2, 3, 1])).total_parameters == 13


@pytest.mark.parametrize("bad", [[2], [], [2, 0, 1], [2, -3, 1], [2, 1.5, 1], ["2", "1"], 5, None, [True, 2]])
def test_network_summary_rejects_bad_layer_sizes(bad):
    with pytest.raises(ValueError, match="layer_sizes"):
        widgets.network_summary(bad)


def test_describe_lists_every_layer_and_the_total():
    text = widgets.network_summary([2, 3, 1]).describe()
    assert "layer 1: 2 -> 3: 6 weights + 3 biases = 9" in text
    assert "layer 2: 3 -> 1: 3 weights + 1 bias = 4" in text
    assert text.endswith("total parameters: 13")


def test_layer_size_frames_lists_one_network_per_hidden_size():
    assert widgets.layer_size_frames() == [[2, size, 1] for size in range(1, 9)]
    assert widgets.layer_size_frames(3, 2, [4, 6], second_hidden_size=5) == [[3, 4, 5, 2], [3, 6, 5, 2]]


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"n_inputs": 0}, "n_inputs"), ({"hidden_sizes": []}, "hidden_sizes"),
     ({"hidden_sizes": [1, 0]}, "hidden_sizes"), ({"hidden_sizes": [2, 2]}, "hidden_sizes"),
     ({"second_hidden_size": -1}, "second_hidden_size")],
)
def test_layer_size_frames_rejects_bad_arguments(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        widgets.layer_size_frames(**kwargs)


# --- figure ----------------------------------------------------------------------------------------


def test_layer_size_figure_puts_the_parameter_count_in_the_title():
    fig = widgets.layer_size_figure([2, 3, 1])
    try:
        assert fig.axes[0].get_title() == "2-3-1 network: 13 parameters"
    finally:
        plt.close(fig)


def test_layer_size_figure_uses_a_fixed_size_when_asked():
    fig = widgets.layer_size_figure([2, 8, 1], figsize=(7.0, 4.0))
    try:
        assert tuple(fig.get_size_inches()) == (7.0, 4.0)
        assert fig.axes[0].get_title() == "2-8-1 network: 33 parameters"
    finally:
        plt.close(fig)


# --- live explorer -----------------------------------------------------------------------------


def _sliders(box):
    return [child for child in box.children[0].children if isinstance(child, ipywidgets.IntSlider)]


def _label(box):
    return next(child for child in box.children if isinstance(child, ipywidgets.Label))


def test_layer_size_explorer_builds_two_sliders_that_update_on_release():
    box = widgets.layer_size_explorer(n_inputs=2, n_outputs=1, max_hidden=8)
    plt.close("all")
    assert isinstance(box, ipywidgets.VBox)
    hidden_1, hidden_2 = _sliders(box)
    assert (hidden_1.min, hidden_1.max, hidden_1.value) == (1, 8, 3)
    assert (hidden_2.min, hidden_2.max, hidden_2.value) == (0, 8, 0)
    assert "hidden layer 1" in hidden_1.description
    assert "hidden layer 2" in hidden_2.description
    assert hidden_1.continuous_update is False
    assert hidden_2.continuous_update is False
    assert any(isinstance(child, ipywidgets.Output) for child in box.children)


def test_moving_a_slider_reruns_the_callback_and_updates_the_count(capsys):
    box = widgets.layer_size_explorer(n_inputs=2, n_outputs=1, max_hidden=8)
    hidden_1, hidden_2 = _sliders(box)
    label = _label(box)
    assert label.value.endswith("13 parameters")          # [2, 3, 1]
    assert "total parameters: 13" in capsys.readouterr().out

    hidden_1.value = 5                                       # [2, 5, 1]: 15 + 6
    assert label.value == "layer sizes [2, 5, 1]: 21 parameters"
    assert "total parameters: 21" in capsys.readouterr().out

    hidden_2.value = 4                                       # [2, 5, 4, 1]: 15 + 24 + 5
    assert label.value == "layer sizes [2, 5, 4, 1]: 44 parameters"
    assert "total parameters: 44" in capsys.readouterr().out
    plt.close("all")


def test_layer_size_explorer_leaves_no_figure_open():
    before = set(plt.get_fignums())
    box = widgets.layer_size_explorer()
    _sliders(box)[0].value = 7
    assert set(plt.get_fignums()) == before


def test_layer_size_explorer_rejects_bad_sizes():
    with pytest.raises(ValueError, match="max_hidden"):
        widgets.layer_size_explorer(max_hidden=0)


def test_live_explorer_tells_the_reader_how_to_install_ipywidgets(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        widgets.layer_size_explorer()


# --- static twins ------------------------------------------------------------------------------------


def _line_figure(slope):
    fig, ax = plt.subplots(figsize=(3, 2))
    x = np.linspace(0, 1, 5)
    ax.plot(x, slope * x)
    ax.set_ylim(0, 3)
    ax.set_title(f"slope {slope}")
    return fig


def _frames(html_text):
    return re.findall(r'<img data-frame="(\d+)"[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html_text)


def test_static_slider_has_one_frame_per_value_and_a_range_input():
    html_text = widgets.static_slider(_line_figure, [1, 2, 3], label="slope").data
    frames = _frames(html_text)
    assert [index for index, _ in frames] == ["0", "1", "2"]
    images = [base64.b64decode(data) for _, data in frames]
    assert all(image.startswith(PNG_SIGNATURE) for image in images)
    assert len(set(images)) == 3                                   # three different pictures
    assert re.search(r'<input type="range"[^>]*min="0" max="2" step="1" value="0"', html_text)
    assert "<script>" in html_text
    assert "slope" in html_text


def test_static_slider_needs_no_network():
    html_text = widgets.static_slider(_line_figure, [1, 2], label="slope").data
    assert "http://" not in html_text and "https://" not in html_text
    assert re.search(r"<script[^>]*\bsrc=", html_text) is None     # no external script
    assert "<link" not in html_text


def test_static_slider_shows_the_formatted_value_labels():
    html_text = widgets.static_slider(_line_figure, [0.5, 2.0], label="slope",
                                      format_value=lambda v: f"m = {v:.2f}").data
    assert "m = 0.50" in html_text and "m = 2.00" in html_text
    assert '<output for=' in html_text


def test_static_slider_starts_at_the_initial_value():
    html_text = widgets.static_slider(_line_figure, [1, 2, 3], label="slope", initial_value=2).data
    assert 'value="1"' in html_text
    assert re.search(r'data-frame="1"[^>]*display:block', html_text)
    assert len(re.findall(r"display:block", html_text)) == 1


def test_static_slider_gives_unique_ids_to_two_twins_of_the_same_figures():
    first = widgets.static_slider(_line_figure, [1], label="slope").data
    second = widgets.static_slider(_line_figure, [1], label="slope").data
    id_pattern = r'class="nnlib-static-slider" id="([^"]+)"'
    assert re.search(id_pattern, first).group(1) != re.search(id_pattern, second).group(1)


def test_static_slider_closes_its_figures():
    before = set(plt.get_fignums())
    widgets.static_slider(_line_figure, [1, 2], label="slope")
    assert set(plt.get_fignums()) == before


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"values": []}, "values"), ({"label": ""}, "label"), ({"initial_value": 9}, "initial_value")],
)
def test_static_slider_rejects_bad_arguments(kwargs, argument):
    arguments = {"make_figure": _line_figure, "values": [1, 2], "label": "slope"} | kwargs
    with pytest.raises(ValueError, match=argument):
        widgets.static_slider(**arguments)


def test_static_slider_html_checks_labels_against_frames():
    with pytest.raises(ValueError, match="value_labels"):
        widgets.static_slider_html(["AAAA"], ["a", "b"], label="x")


def test_static_layer_size_explorer_has_a_frame_and_a_count_per_hidden_size():
    html_text = widgets.static_layer_size_explorer(n_inputs=2, n_outputs=1, hidden_sizes=range(1, 9)).data
    assert len(_frames(html_text)) == 8
    assert 'max="7"' in html_text
    for size in range(1, 9):
        parameters = widgets.network_summary([2, size, 1]).total_parameters
        assert f"{size} ({parameters} parameters)" in html_text
    assert "https://" not in html_text and "http://" not in html_text
    assert len(html_text.encode()) < 1_500_000


def _png_size(data):
    png = base64.b64decode(data)
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_static_layer_size_frames_all_have_the_same_pixel_size():
    html_text = widgets.static_layer_size_explorer(hidden_sizes=[1, 4, 8], dpi=50).data
    sizes = {_png_size(data) for _, data in _frames(html_text)}
    assert len(sizes) == 1
