"""The reader's-edition rewrites of the notebooks (_ext/reader_edition.py) are exact and idempotent,
and the chapters have been put through them.

Fast (no kernel, no build): reads the notebooks' JSON only.
"""
import copy
import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("reader_edition", ROOT / "_ext" / "reader_edition.py")
reader_edition = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reader_edition)

CHAPTERS = reader_edition.chapter_notebooks()

# Cells whose output nbval compares, per chapter. The 176 `# NBVAL_CHECK_OUTPUT` comments on main
# became tags on 2026-12-07; the counts below are those after that day's chapter work (teaching
# corrections in chapters 4-9, the training-gradient cells in 6, 9 and 10, and the new chapters
# 12-14). The same cells must stay checked: when a chapter's checked cells change on purpose,
# change its number here in the same commit.
CHECKED_CELLS = {
    "01_what_is_a_neural_network": 14, "02_activation_functions": 11, "03_forward_propagation": 14,
    "04_loss_functions": 21, "05_numerical_gradients": 17, "06_backpropagation": 15, "07_training": 23,
    "08_automatic_differentiation": 11, "09_real_data": 28, "10_nnlib_to_keras": 13,
    "11_architectures": 13, "12_regularization": 21, "13_convolutional_networks": 14,
    "14_recurrent_networks": 14, "appendix_python_numpy": 18,
}


def code_cell(source, tags=None):
    cell = {"cell_type": "code", "execution_count": None, "id": "x", "metadata": {}, "outputs": [],
            "source": source}
    if tags is not None:
        cell["metadata"]["tags"] = tags
    return cell


def test_marker_comment_becomes_a_tag_and_leaves_the_code():
    notebook = {"cells": [
        code_cell(["# NBVAL_CHECK_OUTPUT\n", "print(1)\n", "print(2)"]),
        code_cell(["x = 1\n", "#  NBVAL_CHECK_OUTPUT  \n", "print(x)"], tags=["hide-input"]),
        code_cell(["print(3)\n", "# NBVAL_CHECK_OUTPUT"]),           # marker as the last line
        code_cell("# NBVAL_IGNORE_OUTPUT\nprint(4)"),                    # a string source
        code_cell(["# NBVAL_CHECK_OUTPUT is what nbval reads\n", "print(5)"]),  # prose, not a marker
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# NBVAL_CHECK_OUTPUT\n"]},
    ]}
    assert reader_edition.markers_to_tags(notebook) == 4
    cells = notebook["cells"]
    assert cells[0]["source"] == ["print(1)\n", "print(2)"]
    assert cells[0]["metadata"]["tags"] == ["nbval-check-output"]
    assert cells[1]["source"] == ["x = 1\n", "print(x)"]
    assert cells[1]["metadata"]["tags"] == ["hide-input", "nbval-check-output"]
    assert cells[2]["source"] == ["print(3)"]
    assert cells[3]["source"] == ["print(4)"] and cells[3]["metadata"]["tags"] == ["nbval-ignore-output"]
    assert "tags" not in cells[4]["metadata"]
    assert cells[5]["source"] == ["# NBVAL_CHECK_OUTPUT\n"]
    assert [reader_edition.checked(c) for c in cells] == [True, True, True, False, False, False]
    again = copy.deepcopy(notebook)
    assert reader_edition.markers_to_tags(again) == 0 and again == notebook


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_tags_transform_keeps_the_same_cells_checked_and_is_idempotent(path):
    notebook = reader_edition.read_notebook(path)
    before = [reader_edition.checked(cell) for cell in notebook["cells"]]
    once = copy.deepcopy(notebook)
    reader_edition.markers_to_tags(once)
    twice = copy.deepcopy(once)
    assert reader_edition.markers_to_tags(twice) == 0 and twice == once
    assert [reader_edition.checked(cell) for cell in once["cells"]] == before
    for old, new in zip(notebook["cells"], once["cells"]):  # only sources and tags may change
        assert old.get("outputs") == new.get("outputs")
        assert {k: v for k, v in old["metadata"].items() if k != "tags"} == \
               {k: v for k, v in new["metadata"].items() if k != "tags"}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_nbval_comment_is_shown_to_readers(path):
    notebook = reader_edition.read_notebook(path)
    shown = [i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"
             and any(reader_edition.marker_of(line) for line in reader_edition.source_lines(cell))]
    assert not shown, (f"{path.name}: cells {shown} carry an nbval comment marker; "
                       "run `python _ext/reader_edition.py tags` (it moves them into cell tags)")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_checked_cells_are_still_checked(path):
    notebook = reader_edition.read_notebook(path)
    tagged = sum("nbval-check-output" in c.get("metadata", {}).get("tags", []) for c in notebook["cells"])
    assert tagged >= 1, f"{path.name}: no cell's output is checked by nbval (tag nbval-check-output)"
    if path.stem in CHECKED_CELLS:
        assert tagged == CHECKED_CELLS[path.stem], (
            f"{path.name}: {tagged} cells tagged nbval-check-output, {CHECKED_CELLS[path.stem]} were checked "
            "before; if that change is deliberate, update CHECKED_CELLS in this test")


def test_check_command_reports_pending_rewrites(tmp_path, capsys):
    pending = tmp_path / "pending.ipynb"
    reader_edition.write_notebook(pending, {"cells": [code_cell(["# NBVAL_CHECK_OUTPUT\n", "1"])],
                                            "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    text = pending.read_text()
    assert reader_edition.main(["check", str(pending)]) == 1
    assert pending.read_text() == text, "check must not write"
    assert reader_edition.main(["tags", str(pending)]) == 0
    assert json.loads(pending.read_text())["cells"][0]["source"] == ["1"]
    assert reader_edition.main(["check", str(pending)]) == 0


def test_style_call_goes_after_the_imports_of_the_first_visible_cell():
    notebook = {"cells": [
        code_cell(["import nnlib\n", "%pip install x"], tags=["remove-cell"]),
        code_cell(["import os\n", "os.environ['A'] = '1'\n", "from nnlib.plotting import (\n",
                   "    draw_network)\n", "\n", "x = 1"]),
        code_cell(["print(x)"]),
    ]}
    assert reader_edition.book_style(notebook) == 1
    source = "".join(notebook["cells"][1]["source"])
    assert source.startswith("import os\nos.environ['A'] = '1'\nfrom nnlib.plotting import (\n    draw_network)\n"
                             "from nnlib.plotting import use_book_style\nuse_book_style()")
    assert source.endswith("\n\nx = 1")
    assert notebook["cells"][0]["source"] == ["import nnlib\n", "%pip install x"]
    assert all(len(line) <= 79 for line in reader_edition.STYLE_CALL)
    assert reader_edition.book_style(notebook) == 0           # already calls it: left alone
    only_imports = {"cells": [code_cell(["import numpy as np"])]}
    reader_edition.book_style(only_imports)
    assert not "".join(only_imports["cells"][0]["source"]).endswith("\n")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_transform_has_been_applied_and_is_idempotent(path):
    notebook = reader_edition.read_notebook(path)
    for name, transform in reader_edition.TRANSFORMS.items():
        once = copy.deepcopy(notebook)
        transform(once)
        twice = copy.deepcopy(once)
        assert transform(twice) == 0 and twice == once, f"{name} is not idempotent on {path.name}"
        assert once == notebook, (f"{path.name}: `python _ext/reader_edition.py {name}` has not been run "
                                  "(run it, re-execute the notebook if it changed code, and commit)")


MAX_CODE_LINE = 79
NOTEBOOKS_READ_AS_CODE = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "exercises" / "source").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS_READ_AS_CODE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_code_lines_fit_a_phone_and_a_printed_page(path):
    """Issue 12, item 3: every code line of a chapter or exercise is at most 79 characters (PEP 8)."""
    notebook = json.loads(path.read_text())
    long_lines = [(index, line) for index, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"
                  for line in "".join(cell["source"]).splitlines() if len(line) > MAX_CODE_LINE]
    assert not long_lines, (
        f"{path.name}: {len(long_lines)} code lines over {MAX_CODE_LINE} characters, first: "
        f"cell {long_lines[0][0]}: {long_lines[0][1]!r}")


def test_citations_are_footnotes_in_step_with_the_bibliography():
    """Issue 12, item 9: chapters cite with MyST footnotes (readable in JupyterLab, numbered in the
    book), generated from chapters/references.bib by _ext/footcite_to_footnotes.py."""
    import subprocess
    import sys
    check = subprocess.run([sys.executable, str(ROOT / "_ext" / "footcite_to_footnotes.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        text = path.read_text()
        assert "{footcite}" not in text and "{footbibliography}" not in text, path.name
