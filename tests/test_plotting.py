"""Tests for nnlib.plotting: the pure helpers by value, the drawing functions by what they put on the figure."""
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib import activations, datasets, plotting  # noqa: E402
from nnlib.models import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def scatter_collections(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


# --- count_parameters and network_layout (pure) --------------------------------------------------------

@pytest.mark.parametrize("sizes, expected", [
    ([3, 4, 1], 21), ([2, 3, 1], 13), ([2, 3, 3, 1], 25), ([30, 3], 93), ([64, 128, 64, 10], 17226),
])
def test_count_parameters_counts_weights_and_biases(sizes, expected):
    assert plotting.count_parameters(sizes) == expected


@pytest.mark.parametrize("sizes", [[3], [3, 0, 1], [3, 2.5, 1], 5, [3, True]])
def test_count_parameters_rejects_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        plotting.count_parameters(sizes)


def test_network_layout_of_a_small_network_has_every_neuron_and_weight():
    layout = plotting.network_layout([3, 4, 1])
    assert len(layout.nodes) == 8
    assert len(layout.edges) == 3 * 4 + 4 * 1
    assert layout.ellipses == []
    assert layout.n_slots == 4
    columns = {layer: [y for node_layer, _, _, y in layout.nodes if node_layer == layer] for layer in range(3)}
    assert columns[0] == [1.0, 0.0, -1.0]          # centred on y = 0, neuron 0 on top
    assert columns[1] == [1.5, 0.5, -0.5, -1.5]
    assert columns[2] == [0.0]
    assert {x for _, _, x, _ in layout.nodes} == {0.0, 1.0, 2.0}


def test_network_layout_shows_large_layers_with_an_ellipsis():
    layout = plotting.network_layout([64, 128, 64, 10], max_nodes_shown=10)
    per_layer = [sum(1 for node in layout.nodes if node[0] == layer) for layer in range(4)]
    assert per_layer == [9, 9, 9, 10]
    assert [ellipsis[0] for ellipsis in layout.ellipses] == [0, 1, 2]
    assert layout.n_slots == 10
    neurons_of_input = [neuron for layer, neuron, _, _ in layout.nodes if layer == 0]
    assert neurons_of_input == [0, 1, 2, 3, 4, 5, 6, 7, 63]  # the first few and the last
    assert len(layout.edges) == 9 * 9 + 9 * 9 + 9 * 10


def test_network_layout_rejects_a_too_small_max_nodes_shown():
    with pytest.raises(ValueError, match="max_nodes_shown"):
        plotting.network_layout([5, 5], max_nodes_shown=2)


# --- draw_network -------------------------------------------------------------------------------------

def test_draw_network_titles_with_shape_and_parameter_count():
    fig = plotting.draw_network([3, 4, 1])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "3-4-1 network: 21 parameters"
    assert len(scatter_collections(ax)) == 3           # one collection of circles per layer
    assert sum(len(c.get_offsets()) for c in scatter_collections(ax)) == 8
    assert len(ax.lines) == 16                         # one line per weight
    texts = [text.get_text() for text in ax.texts]
    assert texts == ["Input\n3 inputs", "Hidden 1\n4 neurons", "Output\n1 neuron"]


def test_draw_network_with_large_layers_draws_ellipses_and_a_grouped_count():
    fig = plotting.draw_network([64, 128, 64, 10])
    ax = fig.axes[0]
    assert ax.get_title() == "64-128-64-10 network: 17,226 parameters"
    assert len(scatter_collections(ax)) == 4 + 3       # four layers, three ellipses
    assert "Hidden 2\n64 neurons" in [text.get_text() for text in ax.texts]


def test_draw_network_on_given_axes_without_labels_and_with_a_custom_title():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plotting.draw_network([2, 2], ax=right, labels=False, title="A tiny network")
    assert returned is fig
    assert right.get_title() == "A tiny network"
    assert len(right.texts) == 0 and len(left.lines) == 0


def test_draw_network_keeps_circles_apart():
    fig = plotting.draw_network([2, 10, 1])
    ax = fig.axes[0]
    fig.canvas.draw()
    hidden = scatter_collections(ax)[1]
    diameter_points = np.sqrt(hidden.get_sizes()[0])
    row_points = abs(ax.transData.transform((0, 1))[1] - ax.transData.transform((0, 0))[1]) * 72 / fig.dpi
    assert diameter_points < row_points


# --- plot_function_and_derivative ---------------------------------------------------------------------

def test_plot_function_and_derivative_draws_two_labelled_curves():
    fig = plotting.plot_function_and_derivative(activations.sigmoid, activations.sigmoid_derivative, name="sigmoid")
    ax = fig.axes[0]
    curves = [line for line in ax.lines if line.get_label() in ("sigmoid(x)", "sigmoid'(x)")]
    assert len(curves) == 2
    x, s = curves[0].get_data()
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(curves[1].get_ydata(), s * (1 - s), rtol=1e-5, atol=1e-7)
    assert ax.get_title() == "sigmoid and its derivative"
    assert ax.get_xlabel() == "x" and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sigmoid(x)", "sigmoid'(x)"]


def test_plot_function_and_derivative_uses_given_x_and_axes():
    fig, ax = plt.subplots()
    x = np.linspace(-1, 1, 5)
    returned = plotting.plot_function_and_derivative(np.square, lambda v: 2 * v, x=x, ax=ax)
    assert returned is fig
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), 2 * x)
    assert ax.get_title()


# --- plot_history -------------------------------------------------------------------------------------

def test_plot_history_draws_validation_dashed_in_the_same_colour():
    history = History()
    for epoch, (loss, val_loss) in enumerate([(1.0, 1.2), (0.5, 0.7), (0.25, 0.5)]):
        history.append(epoch, {"loss": loss, "val_loss": val_loss})
    fig = plotting.plot_history(history)
    ax = fig.axes[0]
    train, val = ax.lines
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(train.get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(val.get_ydata(), [1.2, 0.7, 0.5])
    assert train.get_color() == val.get_color()
    assert train.get_linestyle() == "-" and val.get_linestyle() == "--"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and ax.get_title() == "Loss per epoch"


def test_plot_history_makes_one_axes_per_metric_from_a_plain_dict():
    logs = {"loss": [0.9, 0.4], "accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]}
    fig = plotting.plot_history(logs, metrics=("loss", "accuracy"))
    assert len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 1 and len(fig.axes[1].lines) == 2
    assert fig.axes[1].get_title() == "Accuracy per epoch"


def test_plot_history_names_the_available_keys_for_an_unknown_metric():
    with pytest.raises(ValueError, match=r"'accuracy'.*\['loss'\]"):
        plotting.plot_history({"loss": [1.0]}, metrics="accuracy")
    with pytest.raises(ValueError, match="history"):
        plotting.plot_history([1.0, 0.5])


# --- decision boundaries ------------------------------------------------------------------------------

def right_half_probability(points):
    """P(class 1) rising from left to right: 1 / (1 + exp(-4 x1)), shape (m, 1)."""
    return 1 / (1 + np.exp(-4 * points[:, :1]))


def test_decision_boundary_grid_covers_the_data_plus_margin():
    x = np.array([[0.0, 0.0], [2.0, 1.0]])
    xx, yy, zz = plotting.decision_boundary_grid(right_half_probability, x, resolution=5, margin=0.5)
    assert xx.shape == yy.shape == zz.shape == (5, 5)
    np.testing.assert_allclose(xx[0], np.linspace(-0.5, 2.5, 5))
    np.testing.assert_allclose(yy[:, 0], np.linspace(-0.5, 1.5, 5))
    np.testing.assert_allclose(zz, 1 / (1 + np.exp(-4 * xx)), rtol=1e-6)


def test_decision_boundary_grid_takes_a_margin_per_axis():
    x = np.array([[150.0, 12.0], [300.0, 16.0]])
    xx, yy, _ = plotting.decision_boundary_grid(right_half_probability, x, resolution=3, margin=(10, 0.5))
    assert (xx.min(), xx.max(), yy.min(), yy.max()) == (140.0, 310.0, 11.5, 16.5)


def test_decision_boundary_grid_turns_scores_into_classes():
    def three_bands(points):
        scores = np.stack([-points[:, 0], np.zeros(len(points)), points[:, 0]], axis=1)
        return scores  # class 0 left of -0, class 2 right of 0
    x = np.array([[-1.0, 0.0], [1.0, 1.0]])
    xx, _, zz = plotting.decision_boundary_grid(three_bands, x, resolution=9, margin=0.0)
    np.testing.assert_array_equal(zz[0], np.where(xx[0] < 0, 0, np.where(xx[0] > 0, 2, 0)))
    assert zz.dtype.kind == "i"


def test_decision_boundary_grid_rejects_points_that_are_not_2d_and_wrong_output_length():
    with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
        plotting.decision_boundary_grid(right_half_probability, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="one output row per grid point"):
        plotting.decision_boundary_grid(lambda p: np.zeros(3), np.zeros((5, 2)), resolution=4)


def test_plot_decision_boundary_for_probabilities_shows_the_half_contour_and_points():
    x, y = datasets.spirals(n=30, noise=0.1, seed=0)
    fig = plotting.plot_decision_boundary(right_half_probability, x, y, resolution=50, title="Spirals")
    ax = fig.axes[0]
    assert len(fig.axes) == 2                     # the plot and its colour bar
    assert ax.get_title() == "Spirals"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_0$", "$x_1$")  # positions count from 0 (intro)
    points = scatter_collections(ax)
    assert sorted(len(c.get_offsets()) for c in points) == [30, 30]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert fig.axes[1].get_ylabel() == "P(class 1)"


def test_plot_decision_boundary_for_class_labels_has_no_colour_bar():
    x, y = datasets.spirals(n=20, noise=0.0, n_classes=3)
    labels_of = lambda points: (points[:, 0] > 0).astype(int) + (points[:, 1] > 0).astype(int)  # noqa: E731
    fig = plotting.plot_decision_boundary(labels_of, x, datasets.one_hot(y), resolution=40)
    assert len(fig.axes) == 1
    assert len(scatter_collections(fig.axes[0])) == 3


# --- show_glyphs and plot_matrix ----------------------------------------------------------------------

def test_show_glyphs_draws_one_image_per_glyph_with_titles():
    x, _, names = datasets.letters()
    fig = plotting.show_glyphs(x, datasets.LETTER_SHAPE, titles=names, title="Letters")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3
    np.testing.assert_array_equal(images[0].get_array(), x[0].reshape(5, 6))
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["A", "B", "C"]
    assert fig._suptitle.get_text() == "Letters"


def test_show_glyphs_turns_off_unused_grid_cells():
    x, _, _ = datasets.digit_glyphs()
    fig = plotting.show_glyphs(x, datasets.DIGIT_SHAPE, ncols=3)
    assert len(fig.axes) == 6
    assert sum(1 for ax in fig.axes if ax.images) == 4
    assert sum(1 for ax in fig.axes if not ax.axison) == 2


def test_show_glyphs_rejects_a_wrong_shape():
    x, _, _ = datasets.letters()
    with pytest.raises(ValueError, match="5x4 = 20 pixels"):
        plotting.show_glyphs(x, datasets.DIGIT_SHAPE)
    with pytest.raises(ValueError, match="titles"):
        plotting.show_glyphs(x, datasets.LETTER_SHAPE, titles=["A"])


def test_plot_matrix_shows_the_values_with_a_colour_bar():
    a = np.array([[1, -1], [2, -2]])
    fig = plotting.plot_matrix(a, title="A")
    ax = fig.axes[0]
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(ax.images[0].get_array(), a)
    assert [t.get_text() for t in ax.texts] == ["1", "-1", "2", "-2"]
    assert ax.get_title() == "A" and ax.get_xlabel() and ax.get_ylabel()


def test_plot_matrix_writes_dark_text_on_light_cells_and_light_text_on_dark_cells():
    fig = plotting.plot_matrix(np.array([[0.0, 1.0]]), cmap="gray")
    colours = [t.get_color() for t in fig.axes[0].texts]
    assert colours == ["white", "black"]


def test_plot_matrix_of_a_large_matrix_writes_no_values():
    fig = plotting.plot_matrix(np.random.default_rng(0).normal(size=(30, 30)))
    assert len(fig.axes[0].texts) == 0


def test_plot_matrix_as_a_confusion_matrix_with_class_names():
    fig = plotting.plot_matrix(np.array([[5, 1], [0, 4]]), xlabel="predicted class", ylabel="true class",
                               row_labels=["cat", "dog"], col_labels=["cat", "dog"], title="Confusion matrix")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    assert ax.get_ylabel() == "true class"


def test_plot_matrix_rejects_non_numbers_and_empty_arrays():
    with pytest.raises(ValueError, match="a:"):
        plotting.plot_matrix(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="a:"):
        plotting.plot_matrix(np.zeros((0, 3)))


# --- plot_decision_boundary_grid ----------------------------------------------------------

def _pixels(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    plt.close(fig)
    return buffer.getvalue()


def test_the_grid_version_draws_exactly_what_plot_decision_boundary_draws():
    x, y = datasets.spirals(n=30, noise=0.1, seed=0)
    grid = plotting.decision_boundary_grid(right_half_probability, x, resolution=40)
    direct = plotting.plot_decision_boundary(right_half_probability, x, y, resolution=40, title="T")
    from_grid = plotting.plot_decision_boundary_grid(*grid, x, y, title="T")
    assert _pixels(direct) == _pixels(from_grid)


def test_compact_panel_has_no_colour_bar_and_a_small_legend_upper_right():
    x, y = datasets.spirals(n=30, noise=0.1, seed=0)
    fig, ax = plt.subplots()
    plotting.plot_decision_boundary_grid(*plotting.decision_boundary_grid(right_half_probability, x, resolution=20),
                                         x, y, ax=ax, compact=True)
    assert len(fig.axes) == 1
    assert ax.get_legend()._loc == 1          # "upper right"
    assert ax.get_title() == "Decision boundary"
    plt.close(fig)


def test_integer_grids_are_drawn_as_classes():
    x, y = datasets.spirals(n=20, noise=0.0, n_classes=3)
    labels_of = lambda p: (p[:, 0] > 0).astype(int) + (p[:, 1] > 0).astype(int)  # noqa: E731
    fig = plotting.plot_decision_boundary_grid(*plotting.decision_boundary_grid(labels_of, x, resolution=20), x, y)
    assert len(fig.axes) == 1
    plt.close(fig)


@pytest.mark.parametrize("shapes", [((3, 3), (3, 3), (3, 4)), ((3,), (3,), (3,)), ((1, 5), (1, 5), (1, 5))])
def test_mismatched_grids_are_rejected(shapes):
    x, y = np.zeros((2, 2)), np.array([0, 1])
    with pytest.raises(ValueError, match="xx, yy, zz"):
        plotting.plot_decision_boundary_grid(*(np.zeros(s) for s in shapes), x, y)


# --- the book style --------------------------------------------------------------------------------------

def test_use_book_style_cycles_colours_and_line_styles_together():
    with matplotlib.rc_context():
        plotting.use_book_style(retina=False)
        cycle = list(plt.rcParams["axes.prop_cycle"])
        assert [c["color"] for c in cycle] == plotting.COLORS
        assert len({str(c["linestyle"]) for c in cycle}) >= 7
        fig, ax = plt.subplots()
        first, second = ax.plot([0, 1]), ax.plot([1, 0])
        assert first[0].get_color() == plotting.COLORS[0]
        assert second[0].get_linestyle() == "--"


def test_book_colours_are_distinct_hex_codes():
    assert len(set(plotting.COLORS)) == len(plotting.COLORS) == len(plotting.LINESTYLES)
    assert all(matplotlib.colors.is_color_like(c) for c in plotting.COLORS)
