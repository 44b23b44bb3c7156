"""The book renders the outputs committed in the chapter notebooks (``execute_notebooks: "off"`` in
_config.yml), so every committed notebook must hold the outputs of one clean top-to-bottom run.

nbval (in ``make test``) re-runs each chapter and compares the cells tagged
``nbval-check-output``; this module checks the stored side: every code cell was executed, in
order, in a single kernel session, and no stored output is an error. A notebook saved after
running cells out of order, after re-running one cell, or with a cell never run, fails here.
Fast: it reads the JSON only.
"""
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def code_cells(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 15


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_code_cell_ran_once_in_order(path):
    counts = [cell.get("execution_count") for cell in code_cells(path)]
    never_ran = [index for index, count in enumerate(counts) if count is None]
    assert not never_ran, f"{path.name}: code cells {never_ran} have no execution count; re-execute the notebook"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1, 2, 3, ...: the stored outputs do not come from "
        "one top-to-bottom run; re-execute the notebook (tests/README.md)")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_stored_output_is_an_error(path):
    errors = [index for index, cell in enumerate(code_cells(path))
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors, f"{path.name}: code cells {errors} stored an error; re-execute the notebook"
