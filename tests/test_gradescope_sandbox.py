"""Gradescope autograders score in nnlib's sandbox, so forged answers earn nothing there either.

`exercises/build.py --gradescope` writes zips whose otter_config.json lists the plugin
`nnlib.grading_otter.SandboxGrading`. Here one chapter's zip is unpacked into Gradescope's layout
(/autograder/{source,submission,results}, in a temporary folder) and otter's autograder entry
point (what Gradescope's run_autograder calls) grades three notebooks in this virtual environment:
the solution (full marks), the stubs (0) and the forged notebook of test_grading_integrity.py with
every patch of otter, NumPy, nnlib.grading, the test files and the zip, plus a patch aimed at
otter's in-kernel grading that makes every test case pass (0, what its answers earn; without the
plugin that notebook gets full marks, which the last test shows).
(The fresh-venv test in test_grading_integrity.py installs the same zip from the package index.)
"""
import json
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from test_grading_integrity import (EXERCISES, FAULT_CHAPTER, FORGERIES, attack_cell, build, filled,
                                    forged_answers, with_cells)



OTTER_FORGERY = '''
# Aimed at otter's own autograder, which runs the tests in this kernel: every test case "passes".
from otter.test_files.abstract_test import TestCaseResult
from otter.test_files.exception_test import ExceptionTestFile
def _every_case_passes(self, global_environment):
    self.test_case_results = [TestCaseResult(test_case=case, message="passed", passed=True)
                              for case in self.test_cases]
ExceptionTestFile.run = _every_case_passes
'''


@pytest.fixture(scope="module")
def exercise():
    return next(e for e in EXERCISES if e.stem == FAULT_CHAPTER)


@pytest.fixture(scope="module")
def source(exercise, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gradescope")
    archive = build.write_gradescope_zips([exercise], folder / "zips")[0]
    with zipfile.ZipFile(archive) as handle:
        handle.extractall(folder / "source")
        config = json.loads(handle.read("otter_config.json"))
    assert config["plugins"] == ["nnlib.grading_otter.SandboxGrading"]
    return folder / "source"


def run_autograder(source, notebook, tmp_path, name):
    autograder = tmp_path / "autograder"
    (autograder / "submission").mkdir(parents=True)
    (autograder / "results").mkdir()
    shutil.copytree(source, autograder / "source")
    (autograder / "submission_metadata.json").write_text("{}")
    nbformat.write(notebook, autograder / "submission" / name)
    run = subprocess.run([sys.executable, "-c", "import sys\nfrom otter.run.run_autograder import main\n"
                          "main(sys.argv[1])", str(autograder)], capture_output=True, text=True,
                         cwd=autograder, timeout=600)
    results = autograder / "results" / "results.json"
    assert results.exists(), run.stdout[-2000:] + run.stderr[-3000:]
    scores = json.loads(results.read_text())
    total = sum(float(t.get("score") or 0) for t in scores["tests"] if t.get("name") != "Public Tests")
    return total, scores


def test_the_solution_scores_full_marks(exercise, source, tmp_path):
    solutions = {q: question.answer for q, question in exercise.questions.items()}
    total, scores = run_autograder(source, filled(exercise, solutions), tmp_path, exercise.path.name)
    print(f"solution: {total} / {exercise.points}")
    assert total == pytest.approx(exercise.points), scores


def test_the_stubs_score_zero(exercise, source, tmp_path):
    total, scores = run_autograder(source, nbformat.read(exercise.student_path, as_version=4), tmp_path,
                                   exercise.path.name)
    assert total == 0, scores


def test_forged_answers_and_patches_earn_nothing_under_gradescope(exercise, source, tmp_path):
    notebook = with_cells(filled(exercise, forged_answers(exercise)), after_setup=[FORGERIES, OTTER_FORGERY],
                          at_end=[attack_cell(tmp_path, exercise)])
    total, scores = run_autograder(source, notebook, tmp_path, exercise.path.name)
    print(f"forged: {total} / {exercise.points}")
    assert total == 0, scores
    messages = " ".join(t.get("output", "") for t in scores["tests"])
    assert "q1" in json.dumps(scores) and messages



def test_without_the_plugin_otter_alone_is_forged(exercise, source, tmp_path):
    """The reason for the plugin: otter's own entry point believes the forged kernel."""
    plain = tmp_path / "plain-source"
    shutil.copytree(source, plain)
    config = json.loads((plain / "otter_config.json").read_text())
    config.pop("plugins")
    (plain / "otter_config.json").write_text(json.dumps(config))
    notebook = with_cells(filled(exercise, forged_answers(exercise)), after_setup=[OTTER_FORGERY])
    total, scores = run_autograder(plain, notebook, tmp_path, exercise.path.name)
    print(f"forged, otter without the plugin: {total} / {exercise.points}")
    assert total == pytest.approx(exercise.points), scores
