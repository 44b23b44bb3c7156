"""The rhythm issue 13 asks of chapters 1-14: a "try it" in every section, nnlib's lines in every
"In nnlib" step, and plotting boilerplate collapsed while teaching code stays visible.

- Every ``##`` section (not Summary, Exercises, References, Where to go next) holds a paragraph
  starting with ``**Try it.**`` followed by a collapsed answer (a MyST ``dropdown``) or a pointer to
  an exercise.
- Every "In nnlib" heading is followed, before the next heading, by a code cell that calls
  ``show_source`` (nnlib.listing): the library's own lines, read from the installed package.
- A cell tagged ``hide-input`` shows a figure (its code only draws), and no cell that calls
  ``show_source`` hides its input.
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb"))
CORE = [p for p in CHAPTERS if re.match(r"(0\d|1[0-4])_", p.name)]
NOT_TAUGHT = ("Summary", "Exercises", "References", "Where to go")


def sections(path):
    """[(heading, text of its markdown and code, including its ### subsections)] for the ## sections."""
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            if found:
                found[-1][1].append(source)
            continue
        parts = re.split(r"(?m)^(## .*)$", source)
        if found:
            found[-1][1].append(parts[0])
        for heading, body in zip(parts[1::2], parts[2::2]):
            found.append((heading, [body]))
    return [(heading, "\n".join(body)) for heading, body in found]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.stem)
def test_every_section_has_a_try_it_with_an_answer(path):
    missing = []
    for heading, text in sections(path):
        if any(word in heading for word in NOT_TAUGHT):
            continue
        tries = re.findall(r"\*\*Try it\.?\*\*(.*?)(?=\*\*Try it|\Z)", text, flags=re.S)
        if not any(":::{dropdown}" in t or re.search(r"exercise", t, re.I) for t in tries):
            missing.append(heading)
    assert not missing, f"{path.name}: sections without a try-it and its answer: {missing}"


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.stem)
def test_every_in_nnlib_step_prints_the_library_lines(path):
    cells = json.loads(path.read_text())["cells"]
    silent = []
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        heading = re.search(r"(?m)^#{2,4} In `?nnlib`?.*$", source) if cell["cell_type"] == "markdown" else None
        if not heading:
            continue
        shown = False
        for later in cells[index + 1:]:
            text = "".join(later["source"])
            if later["cell_type"] == "markdown" and re.search(r"(?m)^#{1,4} ", text):
                break
            shown = shown or (later["cell_type"] == "code" and "show_source(" in text)
        if not shown:
            silent.append(f"cell {index}")
    assert not silent, f"{path.name}: 'In nnlib' steps that show no nnlib source: {silent}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_hidden_inputs_only_draw(path):
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or "hide-input" not in tags:
            continue
        source = "".join(cell["source"])
        assert "show_source(" not in source, f"{path.name} cell {index}: a listing must stay visible"
        images = [o for o in cell.get("outputs", []) if any(m.startswith("image/") for m in o.get("data", {}))]
        assert images, f"{path.name} cell {index}: hide-input on a cell that shows no figure"


def test_the_rules_can_fail(tmp_path):
    """The section parser sees a missing try-it (guards the tests above against matching nothing)."""
    notebook = {"cells": [{"cell_type": "markdown", "source": ["## A\n", "text\n"]},
                          {"cell_type": "markdown", "source": ["**Try it.** x\n\n:::{dropdown} Answer\ny\n:::\n"]},
                          {"cell_type": "markdown", "source": ["## B\n", "no prompt here\n"]}]}
    path = tmp_path / "probe.ipynb"
    path.write_text(json.dumps(notebook))
    with pytest.raises(AssertionError, match=r"## B"):
        test_every_section_has_a_try_it_with_an_answer(path)
