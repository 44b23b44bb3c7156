"""Grades a teacher can trust (issue 11): exercises/grade.py under attack and under faults.

grade.py runs a notebook's cells in a worker process (nnlib.grading_sandbox) and every test in
its own process. For every chapter's exercise notebook (every exercises/source/*.ipynb, so a new
chapter is covered without changing this file) two notebooks are graded:

- the forged one: every answer replaced by an object that claims to equal anything (a forged
  ``__eq__``, ``__array__``, ``__float__``, a float subclass, an ndarray subclass), plus cells
  that patch NumPy's comparisons, ``nnlib.grading`` (its functions and its ``sys.modules``
  entry), otter's test classes, builtins, the ``grader`` object, test files on disk and the
  autograder zip the grader read. It must score exactly 0, what the real answers (none) earn;
- the solution with the same patches in a last cell: it must keep full marks.

Then the faults that must cost only their own question: SystemExit and os._exit inside a
function, a loop that swallows the time-limit exception, and, in top-level cells,
KeyboardInterrupt, deep recursion, 50 MB of output, an endless loop and os._exit.

One worker process per graded notebook; about 2-5 s a chapter on an idle core (chapter 10, which
imports Keras in the worker and in the grader, takes longer).
"""
import copy
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

from exercise_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]




build = load_script("build")
grade = load_script("grade")
EXERCISES = build.read_all()
CHECK_CELL = re.compile(r'grader\.check\("(q\d+)"\)')


def answer_cells(notebook):
    """{question: its answer cell} of a student notebook."""
    cells = {}
    for index, cell in enumerate(notebook.cells):
        match = CHECK_CELL.fullmatch(cell.source.strip())
        if match:
            cells[match.group(1)] = [c for c in notebook.cells[:index]
                                     if "otter_answer_cell" in c.metadata.get("tags", [])][-1]
    return cells


def filled(exercise, answers):
    notebook = copy.deepcopy(nbformat.read(exercise.student_path, as_version=4))
    for question, cell in answer_cells(notebook).items():
        if question in answers:
            cell.source = answers[question]
    return notebook


FORGERIES = '''
import numpy as np


class Anything:
    """Claims to equal everything, to be any array, any number, any sequence."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    __le__ = __ge__ = __eq__
    __gt__ = __lt__
    def __hash__(self): return 0
    def __array__(self, *args, **kwargs): return np.zeros(1)
    def __float__(self): return 0.5
    def __int__(self): return 1
    def __index__(self): return 1
    def __len__(self): return 1
    def __bool__(self): return True
    def __getitem__(self, key): return self
    def __iter__(self): return iter([self])
    def __call__(self, *args, **kwargs): return self
    def __getattr__(self, name): return self
    def __repr__(self): return "the expected answer"


class ForgedFloat(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__


class ForgedArray(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
    def __array__(self, *args, **kwargs): return self


FORGED = [Anything(), ForgedFloat(0.5), np.zeros(3).view(ForgedArray)]
'''

PATCHES = '''
import builtins, math, os, sys, types
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast_shapes(np.shape(a), np.shape(b)), dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
import nnlib.grading as _grading
for _name in list(vars(_grading)):
    if _name.startswith(("expect", "as_number", "_fail", "call_student", "_matching", "function_uses")):
        setattr(_grading, _name, lambda *args, **kwargs: args[1] if len(args) > 1 else None)
sys.modules["nnlib.grading"] = types.SimpleNamespace(**{_n: (lambda *args, **kwargs: None) for _n in (
    "call_student", "expect_array", "expect_number", "expect_equal", "expect_choice", "expect_raises",
    "expect_own_code", "as_number", "expect_answered", "function_uses")})
try:
    import otter.test_files as _test_files
    _test_files.ExceptionTestFile.run = lambda self, *args, **kwargs: None
    _test_files.abstract_test.TestFile.score = property(lambda self: 1000)
    _test_files.abstract_test.TestFile.passed_all = property(lambda self: True)
except Exception:
    pass
builtins.AssertionError = type("AssertionError", (Exception,), {})
grader = types.SimpleNamespace(check=lambda *args, **kwargs: "All tests passed!", check_all=lambda *a, **k: None)
os.makedirs("tests", exist_ok=True)
for _i in range(1, 10):
    with open(f"tests/q{_i}.py", "w") as _handle:
        _handle.write(f"from otter.test_files import test_case\\nOK_FORMAT = False\\nname = 'q{_i}'\\npoints = 100\\n"
                      "@test_case(points=100)\\ndef test_anything():\\n    pass\\n")
with open({zip!r}, "wb") as _handle:
    _handle.write(b"not a zip any more")
with open({marker!r}, "w") as _handle:
    _handle.write("the attack ran")
'''

SELF_HARM = '''
import builtins
builtins.isinstance = lambda *args: True
builtins.len = lambda *args: 1
'''


def forged_answers(exercise):
    answers = {}
    for number, (question, cell) in enumerate(answer_cells(nbformat.read(exercise.student_path, as_version=4)).items()):
        functions, values = build.answer_names(cell.source)
        lines = [f"def {name}(*args, **kwargs):\n    return FORGED[{number % 3}]\n" for name in functions]
        lines += [f"{name} = FORGED[{(number + i) % 3}]" for i, name in enumerate(values)]
        answers[question] = "\n".join(lines) or "pass"
    return answers


def with_cells(notebook, after_setup=(), at_end=()):
    index = next(i for i, c in enumerate(notebook.cells) if "otter.Notebook(" in c.source) + 1
    for offset, source in enumerate(after_setup):
        notebook.cells.insert(index + offset, nbformat.v4.new_code_cell(source))
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in at_end]
    return notebook


def graded(exercise, notebook, tmp_path, **options):
    """Grade ``notebook`` with tests read (before any student code runs) from a copy of the zip."""
    zip_copy = tmp_path / exercise.autograder_path.name
    zip_copy.write_bytes(exercise.autograder_path.read_bytes())
    tests = grade.chapter_tests(zip_copy)
    path = tmp_path / f"submission-{exercise.stem}.IPYNB"
    nbformat.write(notebook, path)
    start = time.perf_counter()
    result = grade.grade_notebook(path, tests, **options)
    print(f"{exercise.stem}: graded in {time.perf_counter() - start:.1f} s: {result.scores} {result.status}")
    return result


def attack_cell(tmp_path, exercise):
    return PATCHES.replace("{zip!r}", repr(str(tmp_path / exercise.autograder_path.name))).replace(
        "{marker!r}", repr(str(tmp_path / "attack-ran.txt")))


def failures(result):
    return "\n".join(f"{q} {name}: {message}" for q, tests in result.tests.items()
                     for name, _, _, passed, message in tests if not passed)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_forged_answers_and_patched_grading_earn_nothing(exercise, tmp_path):
    notebook = with_cells(filled(exercise, forged_answers(exercise)), after_setup=[FORGERIES],
                          at_end=[attack_cell(tmp_path, exercise)])
    result = graded(exercise, notebook, tmp_path, call_timeout=2.0)
    assert (tmp_path / "attack-ran.txt").read_text() == "the attack ran"
    assert (tmp_path / exercise.autograder_path.name).read_bytes() == b"not a zip any more"
    assert result.error is None, result.status
    honest = sum(1 for tests in result.tests.values() for t in tests if not t[3])
    total = sum(len(tests) for tests in result.tests.values())
    print(f"{exercise.stem}: {honest}/{total} tests failed the forged answers, score {sum(result.scores.values())}")
    assert result.scores == {q: 0.0 for q in exercise.questions}, failures(result)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_solutions_keep_full_marks_when_the_notebook_patches_the_grading(exercise, tmp_path):
    solutions = {q: question.answer for q, question in exercise.questions.items()}
    notebook = with_cells(filled(exercise, solutions), at_end=[attack_cell(tmp_path, exercise)])
    result = graded(exercise, notebook, tmp_path)
    assert (tmp_path / "attack-ran.txt").exists()
    assert result.scores == {q: float(question.points) for q, question in exercise.questions.items()}, failures(result)
    assert result.status == "graded"


def test_a_notebook_that_breaks_builtins_harms_only_itself(tmp_path):
    exercise = next(e for e in EXERCISES if e.stem == FAULT_CHAPTER)
    notebook = with_cells(filled(exercise, forged_answers(exercise)), after_setup=[FORGERIES],
                          at_end=[attack_cell(tmp_path, exercise), SELF_HARM])
    result = graded(exercise, notebook, tmp_path, call_timeout=2.0)
    assert result.scores == {q: 0.0 for q in exercise.questions}, failures(result)


# --- faults cost their own question only ------------------------------------------------------------

FAULT_CHAPTER = "02_activation_functions"


def test_faults_cost_their_own_question_only(tmp_path):
    exercise = next(e for e in EXERCISES if e.stem == FAULT_CHAPTER)
    answers = {q: question.answer for q, question in exercise.questions.items()}
    answers["q1"] = answers["q1"].replace('    """Row-wise', '    if len(z) > 2:\n        raise SystemExit(1)\n    """Row-wise')
    answers["q2"] = answers["q2"].replace('    """d sigma', '    import os\n    if np.size(z) > 3:\n        os._exit(3)\n    """d sigma')
    answers["q3"] = ("def relu_derivative(z):\n    while True:\n        try:\n            pass\n"
                     "        except BaseException:\n            pass\n")
    notebook = filled(exercise, answers)
    answer_q4 = answer_cells(notebook)["q4"]
    position = notebook.cells.index(answer_q4)
    top_level = ["raise KeyboardInterrupt", "def deeper(n):\n    return deeper(n + 1)\ndeeper(0)",
                 "print('x' * 50_000_000)",
                 "while True:\n    try:\n        pass\n    except BaseException:\n        pass",
                 "import os\nos._exit(0)"]
    for offset, source in enumerate(top_level):
        notebook.cells.insert(position + offset, nbformat.v4.new_code_cell(source))
    result = graded(exercise, notebook, tmp_path, cell_timeout=3.0, call_timeout=1.0)
    print(failures(result))
    assert result.scores == {"q1": 1.8, "q2": 1.0, "q3": 0.0, "q4": 2.0}, failures(result)
    status = result.status
    assert status.startswith("graded; "), status
    assert "q1: SystemExit was raised" in status
    assert re.search(r"q2: the notebook's process stopped", status), status
    assert re.search(r"q3: [^;]*did not (stop|finish)", status), status
    for fragment in ("KeyboardInterrupt", "did not finish within 3 s", "a cell stopped the notebook"):
        assert fragment in status.split("q4: ", 1)[1], status
    assert "raised SystemExit" in failures(result)


def test_a_forbidden_library_function_scores_zero_however_it_is_reached(tmp_path):
    exercise = next(e for e in EXERCISES if e.stem == FAULT_CHAPTER)
    answers = {q: question.answer for q, question in exercise.questions.items()}
    answers["q1"] = ("import importlib, functools\nfrom nnlib import activations\n"
                     "_table = {'s': getattr(importlib.import_module('nnlib.activations'), 'soft' + 'max')}\n"
                     "def softmax(z, _f=functools.partial(_table['s'], axis=-1)):\n    return _f(z)\n")
    answers["q2"] = ("import nnlib.activations as _a\n_d = vars(_a)\n"
                     "def sigmoid_derivative(z):\n    try:\n        return _d['sigmoid_derivative'](z)\n"
                     "    except BaseException:\n        return None\n")
    result = graded(exercise, filled(exercise, answers), tmp_path)
    print(failures(result))
    assert result.scores["q1"] == 0 and result.scores["q2"] == 0
    assert result.scores["q3"] == 2 and result.scores["q4"] == 2
    assert "calls nnlib's own softmax" in failures(result)
    assert "calls nnlib's own sigmoid_derivative" in failures(result)


# --- the class workflow ---------------------------------------------------------------------------

def test_a_class_folder_as_an_lms_exports_it(tmp_path):
    """Per-student folders, renamed files, .IPYNB, duplicates, another kernel name, loose files,
    two chapters: one gradebook row per student, feedback pages, a summary."""
    by_stem = {e.stem: e for e in EXERCISES}
    chapter_a, chapter_b = by_stem[FAULT_CHAPTER], by_stem["03_forward_propagation"]
    solutions = {e.stem: {q: question.answer for q, question in e.questions.items()} for e in (chapter_a, chapter_b)}
    klass = tmp_path / "class"
    (klass / "Ada Lovelace").mkdir(parents=True)
    (klass / "Bob").mkdir()
    nbformat.write(filled(chapter_a, solutions[chapter_a.stem]), klass / "Ada Lovelace" / "02 (1).IPYNB")
    other_kernel = filled(chapter_b, solutions[chapter_b.stem])
    other_kernel.metadata["kernelspec"] = {"name": "conda-env-nn-py", "display_name": "nn", "language": "python"}
    nbformat.write(other_kernel, klass / "Ada Lovelace" / "forward.ipynb")
    old = klass / "Bob" / "02_activation_functions.ipynb"
    nbformat.write(filled(chapter_a, solutions[chapter_a.stem]), old)
    newer = klass / "Bob" / "02_activation_functions-Copy1.ipynb"
    nbformat.write(nbformat.read(chapter_a.student_path, as_version=4), newer)   # the newest copy: stubs
    import os
    os.utime(old, (1_000_000_000, 1_000_000_000))
    (klass / "Bob" / "notes.ipynb").write_text("{ not a notebook")
    nbformat.write(filled(chapter_a, {"q3": solutions[chapter_a.stem]["q3"]}), klass / "carol_02.ipynb")
    out = tmp_path / "out"
    book = grade.grade_class(klass, out)
    rows = {row["student"]: row for row in __import__("csv").DictReader((out / "gradebook.csv").open())}
    assert sorted(rows) == ["Ada Lovelace", "Bob", "carol_02"]
    assert rows["Ada Lovelace"]["02 total"] == "9" and rows["Ada Lovelace"]["03 total"] == "9"
    assert rows["Ada Lovelace"]["total"] == "18" and rows["Ada Lovelace"]["possible"] == "18"
    assert rows["Bob"]["02 total"] == "0" and "the newest of 2 copies" in rows["Bob"]["notes"]
    assert "notes.ipynb: not an exercise notebook" in rows["Bob"]["notes"]
    assert rows["Bob"]["03 status"] == "missing"
    assert rows["carol_02"]["02 q3"] == "2" and rows["carol_02"]["02 total"] == "2"
    page = (out / "feedback" / "carol_02" / "02_activation_functions.md").read_text()
    assert "Score: **2 / 9**" in page and "returned None" in page and "## q3: 2 / 2" in page
    summary = (out / "summary.md").read_text()
    assert "| 02_activation_functions | q3 | 2 | 1.33 | 3 |" in summary
    assert "| 02_activation_functions | q1 | 3 | 1.00 | 3 |" in summary
    assert set(book) == {"Ada Lovelace", "Bob", "carol_02"}


def test_chapter_6_backward_pass_is_checked_with_the_graders_own_forward_pass(tmp_path):
    exercise = next(e for e in EXERCISES if e.stem.startswith("06_"))
    solutions = {q: question.answer for q, question in exercise.questions.items()}
    # a notebook whose forward_pass is changed after the answers: the tests must not use it
    notebook = with_cells(filled(exercise, solutions), at_end=[
        "def forward_pass(X, params):\n    return {'X': X, 'A1': np.ones((len(X), 1)), 'P': np.ones((len(X), 1))}\n"])
    result = graded(exercise, notebook, tmp_path)
    assert result.scores["q2"] == exercise.questions["q2"].points, failures(result)


# --- an autograder under otter's own entry point, in a fresh virtual environment -------------------

GRADESCOPE_CHAPTER = FAULT_CHAPTER


def test_a_gradescope_autograder_installs_this_nnlib_and_grades_in_a_fresh_venv(tmp_path):
    """Costly (a fresh venv and otter-grader from the package index, a few minutes): one chapter.

    The zip carries this repository's nnlib as a wheel; its requirements.txt installs otter and
    that wheel (never PyPI's unrelated nnlib); otter's autograder entry point (what Gradescope's
    run_autograder calls), scoring through the zip's sandbox plugin (nnlib.grading_otter), then
    gives the solution full marks and the stubs none."""
    import json
    import os
    import subprocess
    import zipfile
    exercise = next(e for e in EXERCISES if e.stem == GRADESCOPE_CHAPTER)
    archive = build.write_gradescope_zips([exercise], tmp_path / "zips")[0]
    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    source = tmp_path / "source"
    with zipfile.ZipFile(archive) as handle:
        handle.extractall(source)
    assert [line for line in (source / "requirements.txt").read_text().splitlines() if "nnlib" in line] == \
        [f"./{next(source.glob('nnlib-*.whl')).name}"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"], cwd=source,
                             capture_output=True, text=True, env=env, timeout=1500)
    if install.returncode and re.search(r"(?i)connection|resolve host|network is unreachable|no matching distribution",
                                        install.stderr):
        pytest.skip(f"the package index is not reachable: {install.stderr.strip().splitlines()[-1]}")
    assert install.returncode == 0, install.stderr[-3000:]
    where = subprocess.run([str(python), "-c", "import nnlib, os; print(nnlib.__file__)"], capture_output=True,
                           text=True, env=env, cwd=tmp_path)
    assert str(venv) in where.stdout, where.stdout + where.stderr
    solutions = {q: question.answer for q, question in exercise.questions.items()}
    for label, notebook, expected in [("solution", filled(exercise, solutions), exercise.points),
                                      ("stubs", nbformat.read(exercise.student_path, as_version=4), 0)]:
        autograder = tmp_path / label
        (autograder / "submission").mkdir(parents=True)
        (autograder / "results").mkdir()
        (autograder / "submission_metadata.json").write_text("{}")   # Gradescope writes it; otter reads it for plugins
        import shutil
        shutil.copytree(source, autograder / "source")
        nbformat.write(notebook, autograder / "submission" / exercise.path.name)
        run = subprocess.run([str(python), "-c", "import sys\nfrom otter.run.run_autograder import main\n"
                              "main(sys.argv[1])", str(autograder)], capture_output=True, text=True, env=env,
                             cwd=autograder, timeout=600)
        results = autograder / "results" / "results.json"
        assert results.exists(), run.stdout[-2000:] + run.stderr[-3000:]
        scores = json.loads(results.read_text())
        total = sum(float(t.get("score") or 0) for t in scores["tests"] if t.get("name") != "Public Tests")
        print(f"{label}: {total} / {exercise.points} under otter's autograder in a fresh venv")
        assert total == pytest.approx(expected), scores
