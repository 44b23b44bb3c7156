"""Figures described for screen readers: nnlib.plotting.describe_figure and the inline PNG
formatter that use_book_style() installs (its description becomes the HTML book's alt text
through _ext/figure_text.py). Fast: an in-process IPython shell, no kernel."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib import plotting

matplotlib.use("Agg")


def test_description_uses_titles_labels_and_legend():
    fig, (left, right) = plt.subplots(1, 2)
    fig.suptitle("Two losses")
    left.plot([0, 1], label="$\\eta$ = 0.1")
    left.plot([1, 0], label="η = 1")
    left.legend()
    left.set(title="Training loss", xlabel="epoch", ylabel="loss")
    right.imshow(np.eye(3))
    text = plotting.describe_figure(fig)
    plt.close(fig)
    assert text.startswith("Figure: Two losses; Training loss: eta = 0.1, η = 1 (loss against epoch)")
    assert "an unlabelled image" in text and "$" not in text and "\\" not in text


@pytest.mark.parametrize("make, expected", [
    (lambda: plt.figure(), "Figure: an empty figure."),
    (lambda: plt.subplots()[0], "Figure: an unlabelled drawing."),
])
def test_description_is_never_empty(make, expected):
    fig = make()
    assert plotting.describe_figure(fig) == expected
    plt.close(fig)


def test_diagram_text_is_used_when_there_are_no_labels():
    fig, ax = plt.subplots()
    for i, word in enumerate(["x1", "x2", "h1", "y"]):
        ax.text(i, 0, word)
    assert plotting.describe_figure(fig) == "Figure: a diagram labelled x1, x2, h1, y."
    plt.close(fig)


def test_inline_png_carries_the_description_and_the_settings_are_not_printed():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    with matplotlib.rc_context():
        settings = plotting.use_book_style(retina=True)
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [1, 0])
        ax.set(title="A line", xlabel="x", ylabel="y")
        data, metadata = shell.display_formatter.format(fig)
        plt.close(fig)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert metadata["image/png"]["alt"] == "Figure: A line (y against x)."
    pixels = int.from_bytes(data["image/png"][16:20], "big")   # the PNG's width (IHDR)
    assert abs(pixels - 2 * metadata["image/png"]["width"]) <= 1   # retina: twice the pixels, shown at 1x
    assert settings["font.size"] == 11 and isinstance(settings, dict)
    assert shell.display_formatter.format(settings) == ({}, {})


def test_the_formatter_survives_jupyters_inline_backend_being_configured_later():
    """Loading the inline backend (at the first figure, or `%matplotlib inline`) resets PNG output;
    use_book_style() puts its formatter back before the next cell runs."""
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib_inline.backend_inline import configure_inline_support

    shell = InteractiveShell.instance()
    with matplotlib.rc_context():
        plotting.use_book_style(retina=True)
        configure_inline_support(shell, "inline")          # what Jupyter does at the first figure
        shell.run_cell("pass")                              # the next cell
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.set_title("after")
        data, metadata = shell.display_formatter.format(fig)
        plt.close(fig)
    assert metadata["image/png"]["alt"] == "Figure: after."
