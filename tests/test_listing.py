"""Tests for nnlib.listing: the "In nnlib" listings are the installed code, numbered as in its file."""
import inspect

import pytest

import nnlib
from nnlib import activations, layers, listing, losses


def file_lines(obj):
    with open(inspect.getsourcefile(obj)) as handle:
        return handle.read().splitlines()


@pytest.mark.parametrize("obj", [activations.sigmoid, layers.Dense.backward, losses.binary_crossentropy,
                                 layers.Dense, nnlib.Sequential.fit])
def test_listing_is_the_installed_source_with_its_file_line_numbers(obj):
    shown = listing.show_source(obj)
    text = file_lines(obj)
    assert shown.lines, "an empty listing"
    for number, line in shown.numbered_lines:
        assert text[number - 1] == line
    assert shown.path.startswith("nnlib/") and shown.path.endswith(".py")
    assert "def " in shown.lines[0] or "class " in shown.lines[0] or shown.lines[0].lstrip().startswith("@")


def test_listing_follows_an_edit_of_the_library(tmp_path, monkeypatch):
    module = tmp_path / "growing.py"
    module.write_text('def f(x):\n    """Twice x."""\n    return 2 * x\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    growing = importlib.import_module("growing")
    assert listing.show_source(growing.f, docstring=False).lines == ["def f(x):", "    return 2 * x"]
    module.write_text('def f(x):\n    """Twice x."""\n    return x + x\n')
    importlib.reload(growing)
    assert listing.show_source(growing.f).lines[-1] == "    return x + x"


def test_docstring_can_be_hidden_and_numbers_stay_those_of_the_file():
    full = listing.show_source(activations.sigmoid)
    short = listing.show_source(activations.sigmoid, docstring=False)
    assert len(short.lines) < len(full.lines)
    assert '"""' not in "\n".join(short.lines)
    assert short.numbered_lines[-1] == full.numbered_lines[-1]
    assert short.numbered_lines[1][0] > full.numbered_lines[1][0]


def test_text_and_markdown_forms_name_the_file_and_lines():
    shown = listing.show_source(activations.relu, title="ReLU")
    text = str(shown)
    assert text.splitlines()[0] == f"# ReLU ({shown.path}, lines {shown.first_line}-{shown.last_line})"
    assert text.splitlines()[1].endswith("| " + shown.lines[0].rstrip()) or shown.lines[0] in text
    markdown = shown._repr_markdown_()
    assert "```python" in markdown and shown.lines[-1] in markdown


@pytest.mark.parametrize("bad", [len, 3, "sigmoid", None])
def test_objects_without_python_source_get_a_clear_type_error(bad):
    with pytest.raises(TypeError, match="expected a function, method, class or module written in Python"):
        listing.show_source(bad)
