"""Chapter 13's explorer: kernel size and stride against output size and receptive field."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nnlib import widgets  # noqa: E402
from nnlib.layers import Conv2D  # noqa: E402


@pytest.mark.parametrize("n, k, s, padding", [(12, 3, 1, "valid"), (13, 3, 2, "valid"), (12, 3, 2, "same"),
                                              (9, 4, 3, "same"), (8, 2, 2, "valid")])
def test_output_sizes_are_those_of_a_stack_of_conv2d_layers(n, k, s, padding):
    geometry = widgets.conv_geometry(n, k, s, padding, layers=2)
    first = Conv2D(1, k, strides=s, padding=padding).compute_output_shape((n, n, 1))[0]
    second = Conv2D(1, k, strides=s, padding=padding).compute_output_shape((first, first, 1))[0]
    assert [g.output_size for g in geometry] == [first, second]


def test_receptive_field_grows_by_k_minus_1_times_the_jump():
    assert [(g.receptive_field, g.jump) for g in widgets.conv_geometry(12, 3, 1, layers=3)] == [(3, 1), (5, 1), (7, 1)]
    assert [(g.receptive_field, g.jump) for g in widgets.conv_geometry(32, 3, 2, layers=3)] == [(3, 2), (7, 4), (15, 8)]
    assert widgets.conv_geometry(12, 4, 3, "same")[0].start == -((3 * 3 + 4 - 12) // 2)


def test_a_kernel_that_no_longer_fits_gives_size_zero():
    assert [g.output_size for g in widgets.conv_geometry(5, 5, 1, layers=2)] == [1, 0]


@pytest.mark.parametrize("kwargs, argument", [(dict(kernel_size=0), "kernel_size"), (dict(stride=-1), "stride"),
                                              (dict(padding="full"), "padding")])
def test_bad_arguments_are_named(kwargs, argument):
    arguments = dict(input_size=12, kernel_size=3, stride=1, padding="valid") | kwargs
    with pytest.raises(ValueError, match=argument):
        widgets.conv_geometry(**arguments)


def test_figure_titles_state_the_sizes():
    fig = widgets.convolution_figure(3, 2, padding="same")
    assert "12 -> 6 -> 3" in fig._suptitle.get_text()
    assert "sees 7 x 7 pixels" in fig.axes[1].get_title()
    plt.close(fig)


def test_static_twin_has_a_frame_per_pair():
    html = widgets.static_convolution_explorer(kernel_sizes=(2, 3), strides=(1, 2), dpi=30).data
    assert html.count("data:image/png;base64") == 4
    assert "kernel size" in html and "stride" in html
    assert "layer 2: 1 pixel)" in html and "layer 2: 4 pixels)" in html     # stride 1 and 2: jumps 1 and 4


def test_live_explorer_builds_without_a_kernel():
    pytest.importorskip("ipywidgets")
    box = widgets.convolution_explorer()
    assert len(box.children) == 3
