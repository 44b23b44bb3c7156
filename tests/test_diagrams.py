"""Tests for nnlib.diagrams: the worked values are the forward pass, and the figures carry the numbers."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import diagrams  # noqa: E402
from nnlib.activations import relu, sigmoid  # noqa: E402

W1 = np.array([[2.0, 4.0], [4.0, -5.0]])
W2 = np.array([[2.0], [7.0]])


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_worked_values_is_the_forward_pass_of_chapter_3():
    (z1, a1), (z2, a2) = diagrams.worked_values([2.0, 3.0], [W1, W2], [[0, 0], [0]], ["relu", "linear"])
    np.testing.assert_array_equal(z1, [16.0, -7.0])
    np.testing.assert_array_equal(a1, [16.0, 0.0])
    np.testing.assert_array_equal(z2, [32.0])
    np.testing.assert_array_equal(a2, [32.0])


def test_worked_values_agree_with_matrix_form_for_random_sigmoid_net():
    rng = np.random.default_rng(3)
    ws = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    bs = [rng.normal(size=4), rng.normal(size=2)]
    x = rng.normal(size=3)
    values = diagrams.worked_values(x, ws, bs, ["sigmoid", "relu"])
    hidden = sigmoid(x @ ws[0] + bs[0])
    np.testing.assert_allclose(values[0][1], hidden, rtol=1e-12)
    np.testing.assert_allclose(values[1][1], relu(hidden @ ws[1] + bs[1]), rtol=1e-12)


@pytest.mark.parametrize("args, word", [
    (([1.0, 2.0], [W1], [[0, 0], [0]], ["relu"]), "weights and biases"),
    (([1.0, 2.0], [W1], [[0, 0, 0]], ["relu"]), "biases[0]"),
    (([1.0, 2.0], [W1, np.ones((3, 1))], [[0, 0], [0]], ["relu", "linear"]), "weights[1]"),
    (([1.0, 2.0, 3.0], [W1], [[0, 0]], ["relu"]), "x: expected"),
    (([1.0, 2.0], [W1], [[0, 0]], "relu"), "activation_names"),
    (([1.0, 2.0], [W1], [[0, 0]], ["nope"]), "activation"),
])
def test_bad_input_names_the_argument(args, word):
    with pytest.raises(ValueError, match=re.escape(word)):
        diagrams.worked_values(*args)


def test_draw_neuron_writes_weights_bias_and_values():
    fig = diagrams.draw_neuron([0.8, -0.4], 0.5, x=[2.0, 3.0], activation="relu")
    shown = " ".join(texts(fig))
    for piece in ["0.8", "-0.4", "bias b = 0.5", "z = 0.9", "a = 0.9"]:
        assert piece in shown, piece
    assert fig.axes[0].get_title()
    plt.close(fig)


def test_draw_neuron_counts_inputs_from_0_as_the_code_does():
    # The book's notation (chapters/intro.md): x_0 is x[0], so the labels start at 0.
    fig = diagrams.draw_neuron([0.8, -0.4, 0.1], 0.5, x=[2.0, 3.0, 1.0])
    shown = " ".join(texts(fig))
    for piece in ["$x_0$", "$x_2$", "$w_0$ = 0.8", "$w_2$ = 0.1"]:
        assert piece in shown, piece
    assert "$x_3$" not in shown and "$w_3$" not in shown
    plt.close(fig)


def test_draw_neuron_without_input_and_bad_weights():
    fig = diagrams.draw_neuron([1.0, 2.0, 3.0], -1.0, activation="sigmoid", title="t")
    assert "a = f(z)" in " ".join(texts(fig)) and fig.axes[0].get_title() == "t"
    plt.close(fig)
    with pytest.raises(ValueError, match="w: expected"):
        diagrams.draw_neuron([], 0.0)


def test_draw_worked_network_labels_every_edge_and_neuron():
    fig = diagrams.draw_worked_network([2.0, 3.0], [W1, W2], [[0, 0], [0]], ["relu", "linear"])
    shown = texts(fig)
    edge_labels = [t for t in shown if t in {"2", "4", "-5", "7"}]
    assert len(edge_labels) == 6                      # 4 + 2 weights
    assert "z=16\na=16" in shown and "z=-7\na=0" in shown and "z=32\na=32" in shown
    assert "2-2-1" in fig.axes[0].get_title()
    assert "$x_0$\n2" in shown and "$x_1$\n3" in shown  # default names count from 0 (intro's notation)
    plt.close(fig)


def test_draw_worked_network_writes_every_delta_under_its_neuron():
    fig = diagrams.draw_worked_network([2.0, 3.0], [W1, W2], [[0, 0], [0]], ["relu", "linear"],
                                       deltas=[[0.25, -0.125], [1.5]])
    deltas = [t for t in fig.axes[0].texts if t.get_text().startswith("δ = ")]
    assert sorted(t.get_text() for t in deltas) == ["δ = -0.125", "δ = 0.25", "δ = 1.5"]
    # each delta sits just under its own neuron: the output delta at the output layer's x position
    output_delta = next(t for t in deltas if t.get_text() == "δ = 1.5")
    assert output_delta.get_position()[0] == max(t.get_position()[0] for t in deltas)
    plt.close(fig)
    fig = diagrams.draw_worked_network([2.0, 3.0], [W1, W2], [[0, 0], [0]], ["relu", "linear"])
    assert not [t for t in texts(fig) if t.startswith("δ")]
    plt.close(fig)


@pytest.mark.parametrize("deltas, word", [
    ([[0.1, 0.2]], "deltas: expected a list with one array per layer (2)"),
    ([[0.1, 0.2, 0.3], [1.0]], "deltas[0]: expected shape (2,)"),
    ([[0.1, 0.2], [1.0, 2.0]], "deltas[1]: expected shape (1,)"),
    (np.zeros((2, 2)), "deltas: expected a list"),
])
def test_draw_worked_network_rejects_deltas_of_the_wrong_shape(deltas, word):
    with pytest.raises(ValueError, match=re.escape(word)):
        diagrams.draw_worked_network([2.0, 3.0], [W1, W2], [[0, 0], [0]], ["relu", "linear"], deltas=deltas)
