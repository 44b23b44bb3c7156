"""The exercise notebooks (exercises/): a grader that passes the solutions and fails everything else.

- Every question has public and hidden tests, and the solutions pass all of them.
- The committed student notebooks, autograder zips and index list are what
  exercises/build.py makes now (it rebuilds them into a temporary folder and compares).
- Student notebooks contain no solution code and no hidden test.
- Every typical mistake in exercises/fixtures/NN_name/mistakes.py loses points with its hint.
- Faults in student code (an exception, an endless loop, NaN, the wrong type, a missing or
  undefined answer) give a clear AssertionError message, never a crash.
- The student notebooks run top to bottom in a Jupyter kernel, their check cells report
  failures, and they score 0; a notebook with faulty answers also runs to the end.
- exercises/grade.py grades a folder of notebooks (solution, stubs, mistakes, faults) into a
  CSV with the expected scores.

Most checks run a notebook's code in this process, which is fast. Jupyter kernels are started
once per student notebook (a module-scoped fixture), once for the faults notebook, and by
`otter run` for the four graded submissions.
"""
import ast
import copy
import csv
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from exercise_scripts import load_script
from nbclient import NotebookClient
from otter.test_files import ExceptionTestFile

from nnlib import grading

ROOT = Path(__file__).resolve().parents[1]




build = load_script("build")
grade = load_script("grade")

EXERCISES = build.read_all()
BY_STEM = {exercise.stem: exercise for exercise in EXERCISES}
GRADED_CHAPTER = "04_loss_functions"   # the chapter the grading script is tested on (its set-up cell defines
                                        # names after the grader line, so a renamed submission must still work)
CHECK_CELL = re.compile(r'grader\.check\("(q\d+)"\)')


def load_mistakes(exercise):
    path = build.FIXTURE_DIR / exercise.stem / "mistakes.py"
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace["MISTAKES"]


MISTAKES = [(exercise, mistake) for exercise in EXERCISES for mistake in load_mistakes(exercise)]


# --- running an exercise in this process -------------------------------------------------------

def autograder_tests(exercise):
    """{question: test file text} from the committed autograder zip (public and hidden tests)."""
    members = build.zip_members(exercise.autograder_path)
    return {question: members[f"tests/{question}.py"].decode() for question in exercise.questions}


def grade_in_process(exercise, answers=None, errors=None):
    """Run the exercise's code here, with ``answers`` ({question: code}) in place of the solutions,
    then every test; returns {question: otter test file holding the results}.

    Like Jupyter running all cells with errors allowed (as otter's grading does), a cell that
    raises does not stop the later ones; the exceptions are appended to ``errors``. Each cell
    gets 10 s (generous on a busy machine), so that an endless function called by a later cell cannot
    hang the test.
    """
    namespace = {"__name__": "__main__"}
    for index, source in enumerate(exercise.program_sources(answers)):
        code = compile(source, f"<{exercise.stem} cell {index}>", "exec")
        try:
            # The set-up cell (index 0) imports libraries, Keras among them: it gets 60 s, the others 1 s.
            grading.run_with_time_limit(exec, (code, namespace), {}, 60.0 if index == 0 else 10.0)
        except (Exception, grading.TimeLimitExceeded) as error:  # as in a notebook, later cells still run
            (errors if errors is not None else []).append((index, error))
    results = {}
    for question, text in autograder_tests(exercise).items():
        test_file = ExceptionTestFile.from_string(text, path=f"tests/{question}.py")
        test_file.run(namespace)
        results[question] = test_file
    return results


def failure_messages(test_file):
    return [result.message for result in test_file.test_case_results if not result.passed]


def student_answer_cells(notebook):
    """{question: the answer cell} of a student notebook: the answer cell before each check cell."""
    answers = {}
    for index, cell in enumerate(notebook.cells):
        match = CHECK_CELL.fullmatch(cell.source.strip())
        if match:
            previous = [c for c in notebook.cells[:index] if "otter_answer_cell" in c.metadata.get("tags", [])]
            answers[match.group(1)] = previous[-1]
    return answers


def student_notebook(exercise):
    return nbformat.read(exercise.student_path, as_version=4)


def with_answers(exercise, answers):
    """A copy of the student notebook with the answer cells of ``answers`` filled in."""
    notebook = copy.deepcopy(student_notebook(exercise))
    for question, cell in student_answer_cells(notebook).items():
        if question in answers:
            cell.source = answers[question]
    return notebook


# --- typical faults, for any question -----------------------------------------------------------

FUNCTION_FAULTS = {
    "an exception": ("raise RuntimeError('something went wrong in my code')", "raised RuntimeError"),
    "an endless loop": ("while True:\n        pass", "did not finish within"),
    "NaN": ("return np.full(np.shape(args[0]), np.nan)", ""),
    "the wrong type": ("return 'not an answer'", ""),
}
VALUE_FAULTS = {"NaN": "float('nan')", "the wrong type": "'not an answer'"}


def answer_kind(exercise, question):
    """(function names, variable names) the student's answer cell defines."""
    cell = student_answer_cells(student_notebook(exercise))[question]
    return build.answer_names(cell.source)


def fault_code(exercise, question, fault):
    """Code for the answer cell of ``question`` that has ``fault``."""
    functions, values = answer_kind(exercise, question)
    if fault == "missing (the stub)":
        return student_answer_cells(student_notebook(exercise))[question].source
    if fault == "not defined":
        return "pass"
    lines = [f"def {name}(*args, **kwargs):\n    {FUNCTION_FAULTS[fault][0]}\n" for name in functions]
    lines += [f"{name} = {VALUE_FAULTS[fault]}" for name in values]
    return "\n".join(lines)


def faults_for(exercise, question):
    functions, _ = answer_kind(exercise, question)
    kinds = list(FUNCTION_FAULTS) if functions else list(VALUE_FAULTS)
    return kinds + ["missing (the stub)", "not defined"]


FAULT_CASES = [(e, q, f) for e in EXERCISES for q in e.questions for f in faults_for(e, q)]


# --- structure and staleness -------------------------------------------------------------------

@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_every_question_has_public_and_hidden_tests_and_3_to_6_questions(exercise):
    assert 3 <= len(exercise.questions) <= 6, f"{exercise.stem}: {len(exercise.questions)} questions"
    for question, text in autograder_tests(exercise).items():
        cases = ExceptionTestFile.from_string(text, path=question).test_cases
        assert any(c.hidden for c in cases) and any(not c.hidden for c in cases), f"{exercise.stem} {question}"


def test_committed_notebooks_and_autograders_are_up_to_date():
    start = time.perf_counter()
    run = subprocess.run([sys.executable, str(ROOT / "exercises" / "build.py"), "--check"],
                         capture_output=True, text=True, timeout=300)
    print(f"exercises/build.py --check took {time.perf_counter() - start:.1f} s")
    assert run.returncode == 0, f"stale exercise files; run `make exercises`:\n{run.stdout}\n{run.stderr[-2000:]}"


def test_a_source_without_hidden_tests_is_rejected(tmp_path):
    exercise = EXERCISES[0]
    notebook = nbformat.read(exercise.path, as_version=4)
    notebook.cells = [c for c in notebook.cells if not c.source.startswith("# HIDDEN")]
    broken = tmp_path / exercise.path.name
    nbformat.write(notebook, broken)
    with pytest.raises(build.SourceError, match="at least one public and one hidden test"):
        build.read_exercise(broken)


# --- solutions and mistakes (in this process) ---------------------------------------------------

@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_solutions_pass_every_public_and_hidden_test(exercise):
    errors = []
    results = grade_in_process(exercise, errors=errors)
    assert not errors, f"cells of the solution raised: {errors}"
    for question, result in results.items():
        assert result.passed_all, f"{exercise.stem} {question}:\n{result.summary()}"
        assert result.score == exercise.questions[question].points


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_every_question_has_a_typical_mistake_fixture(exercise):
    covered = {mistake["question"] for mistake in load_mistakes(exercise)}
    assert covered == set(exercise.questions), f"{exercise.stem}: no mistake fixture for {set(exercise.questions) - covered}"


@pytest.mark.parametrize("exercise, mistake", MISTAKES,
                         ids=[f"{e.stem[:2]}-{m['question']}-{m['name']}" for e, m in MISTAKES])
def test_a_typical_mistake_fails_with_its_hint(exercise, mistake):
    result = grade_in_process(exercise, {mistake["question"]: mistake["code"]})[mistake["question"]]
    assert result.score < result.possible, f"the mistake {mistake['name']!r} got full marks"
    messages = failure_messages(result)
    assert any(mistake["hint"] in message for message in messages), (
        f"no failure message contains {mistake['hint']!r}; the messages were:\n" + "\n---\n".join(messages))


@pytest.mark.parametrize("exercise, question, fault", FAULT_CASES,
                         ids=[f"{e.stem[:2]}-{q}-{f}" for e, q, f in FAULT_CASES])
def test_a_fault_in_student_code_gives_a_clear_message(exercise, question, fault, monkeypatch):
    monkeypatch.setattr(grading, "DEFAULT_TIMEOUT", 0.05)
    result = grade_in_process(exercise, {question: fault_code(exercise, question, fault)})[question]
    assert result.score == 0, f"{fault} scored {result.score}"
    names = [n for group in answer_kind(exercise, question) for n in group]
    expected = FUNCTION_FAULTS.get(fault, ("", ""))[1]
    for message in failure_messages(result):
        error = message.strip().splitlines()[-1]
        assert "\nAssertionError: " in message, f"not a clear message, a crash:\n{message}"
        assert any(name in message.split("AssertionError: ", 1)[1] for name in names), message
        assert expected in message, message
        assert not error.startswith(("TypeError", "ValueError", "AttributeError", "IndexError")), message


# --- what students get ---------------------------------------------------------------------------

def solution_lines(exercise):
    """The non-trivial lines of every solution: inside BEGIN/END SOLUTION and ending in # SOLUTION."""
    lines = set()
    for question in exercise.questions.values():
        inside = False
        for line in question.answer.splitlines():
            stripped = line.strip()
            if stripped.startswith("# END SOLUTION"):
                inside = False
            if inside or stripped.endswith("# SOLUTION"):
                code = re.sub(r"\s*# SOLUTION$", "", stripped)
                if len(code) > 12 and not code.startswith("#"):
                    lines.add(code)
            if stripped.startswith("# BEGIN SOLUTION"):
                inside = True
    return lines


def hidden_test_lines(exercise):
    """The lines of the hidden tests (and their function names)."""
    lines = set()
    for text in autograder_tests(exercise).values():
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and "hidden=True" in ast.unparse(node.decorator_list[0]):
                lines.add(f"def {node.name}(")
                lines.update(line.strip() for line in ast.get_source_segment(text, node).splitlines()[1:])
    return {line for line in lines if len(line) > 12}


def visible_lines(exercise):
    """Lines a student may see: the instructor notebook without its answer cells and hidden tests,
    the prompts inside answer cells, and otter's rewritten public tests."""
    notebook = nbformat.read(exercise.path, as_version=4)
    answers = {question.answer for question in exercise.questions.values()}
    texts = [c.source for c in notebook.cells if c.source not in answers and not c.source.startswith("# HIDDEN")]
    texts += re.findall(r'""" # BEGIN PROMPT\n(.*?)""" # END PROMPT', "\n".join(answers), flags=re.DOTALL)
    texts += list(student_notebook(exercise).metadata["otter"]["tests"].values())
    return {line.strip() for text in texts for line in text.splitlines()}


def notebook_text_lines(notebook):
    """The stripped lines of every cell and of otter's public tests stored in the metadata."""
    texts = [cell.source for cell in notebook.cells] + list(notebook.metadata.get("otter", {}).get("tests", {}).values())
    return {line.strip() for text in texts for line in text.splitlines()}


def leaks(exercise, notebook):
    """Solution lines and hidden-test lines (those not also visible elsewhere) found in ``notebook``."""
    secret = (solution_lines(exercise) | hidden_test_lines(exercise)) - visible_lines(exercise)
    return sorted(secret & notebook_text_lines(notebook))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_student_notebooks_hold_no_solution_and_no_hidden_test(exercise):
    assert solution_lines(exercise) - visible_lines(exercise), "no solution line to look for"
    assert hidden_test_lines(exercise) - visible_lines(exercise), "no hidden-test line to look for"
    # The scan finds the solutions in the instructor notebook, so it can fail ...
    assert leaks(exercise, nbformat.read(exercise.path, as_version=4))
    # ... and finds nothing in the student notebook, which does carry the public tests.
    notebook = student_notebook(exercise)
    assert not leaks(exercise, notebook), f"{exercise.student_path.name} leaks: {leaks(exercise, notebook)}"
    public_names = re.findall(r"def (test_\w+)\(", "\n".join(notebook.metadata["otter"]["tests"].values()))
    assert len(public_names) == sum(q.public_tests for q in exercise.questions.values())


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_student_notebooks_render_as_book_pages(exercise):
    notebook = student_notebook(exercise)
    headings = [line for c in notebook.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("# ")]
    assert headings == [f"# Exercises for chapter {exercise.chapter}: {exercise.title}"]
    assert notebook.cells[0].source.startswith("# Exercises for chapter"), "the title must come first"
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    assert not [c for c in notebook.cells if c.cell_type == "raw"], "otter's delimiter cells must not remain"
    checks = [m.group(1) for c in notebook.cells for m in [CHECK_CELL.fullmatch(c.source.strip())] if m]
    assert checks == list(exercise.questions)


# --- Jupyter kernels ------------------------------------------------------------------------------

SCORE_CELL = """
import json, zipfile
from otter.test_files import ExceptionTestFile
scores = {{}}
with zipfile.ZipFile({zip!r}) as archive:
    for name in sorted(n for n in archive.namelist() if n.startswith("tests/")):
        test_file = ExceptionTestFile.from_string(archive.read(name).decode(), path=name)
        test_file.run(globals())
        scores[test_file.name] = test_file.score
print(json.dumps(scores))
"""


def execute(notebook, folder, name):
    """Run a notebook in a fresh kernel in ``folder`` (saved there as ``name``), keeping errors
    as outputs; returns the executed notebook."""
    path = Path(folder) / name
    nbformat.write(notebook, path)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def error_outputs(notebook):
    return [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(notebook.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def text_output(cell):
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


@pytest.fixture(scope="module")
def executed_students(tmp_path_factory):
    """Every student notebook as generated, run top to bottom, plus a cell scoring it on all tests."""
    executed = {}
    for exercise in EXERCISES:
        notebook = student_notebook(exercise)
        notebook.cells.append(nbformat.v4.new_code_cell(SCORE_CELL.format(zip=str(exercise.autograder_path))))
        start = time.perf_counter()
        executed[exercise.stem] = execute(notebook, tmp_path_factory.mktemp(exercise.stem[:2]), exercise.path.name)
        print(f"{exercise.stem}: executed in {time.perf_counter() - start:.1f} s")
    return executed


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.stem)
def test_student_notebook_runs_top_to_bottom_reports_failures_and_scores_zero(exercise, executed_students):
    notebook = executed_students[exercise.stem]
    assert not error_outputs(notebook), f"cells raised: {error_outputs(notebook)}"
    for cell in notebook.cells:
        match = CHECK_CELL.fullmatch(cell.source.strip())
        if match:
            report = text_output(cell)
            assert f"{match.group(1)} results:" in report and "Test case failed" in report, report
            assert "is still `...`" in report or "returned None" in report, report
    scores = json.loads(text_output(notebook.cells[-1]))
    assert scores == {question: 0 for question in exercise.questions}


ROTATING_FAULTS = ["an exception", "an endless loop", "NaN", "the wrong type"]
FAULT_FRAGMENTS = {"an exception": "raised RuntimeError: something went wrong", "an endless loop": "did not finish within 0.5 s",
                   "NaN": "nan", "the wrong type": "not an answer"}


def faulty_answers(exercise):
    """One fault per question, rotating through the kinds that apply to it."""
    answers, position = {}, 0
    for question in exercise.questions:
        possible = [f for f in ROTATING_FAULTS if f in faults_for(exercise, question)]
        fault = possible[position % len(possible)]
        answers[question] = (fault, fault_code(exercise, question, fault))
        position += 1
    return answers


def with_short_time_limit(notebook):
    """Insert, after the set-up cell, a cell that lowers the time limit to 0.5 s (keeps tests fast)."""
    index = next(i for i, c in enumerate(notebook.cells) if "otter.Notebook(" in c.source) + 1
    notebook.cells.insert(index, nbformat.v4.new_code_cell("import nnlib.grading\nnnlib.grading.DEFAULT_TIMEOUT = 0.5"))
    return notebook


def test_faulty_answers_give_clear_check_messages_and_the_notebook_keeps_running(tmp_path):
    exercise = BY_STEM[GRADED_CHAPTER]
    faults = faulty_answers(exercise)
    notebook = with_short_time_limit(with_answers(exercise, {q: code for q, (_, code) in faults.items()}))
    notebook.cells.append(nbformat.v4.new_code_cell('print("reached the last cell")'))
    notebook = execute(notebook, tmp_path, exercise.path.name)
    assert not error_outputs(notebook), error_outputs(notebook)
    for cell in notebook.cells:
        match = CHECK_CELL.fullmatch(cell.source.strip())
        if match:
            fault, _ = faults[match.group(1)]
            report = text_output(cell)
            assert "AssertionError: " in report and FAULT_FRAGMENTS[fault] in report, f"{fault}:\n{report}"
    assert text_output(notebook.cells[-1]) == "reached the last cell\n"


# --- the teacher's grading script -----------------------------------------------------------------

def first_mistakes(exercise):
    mistakes = {}
    for mistake in load_mistakes(exercise):
        mistakes.setdefault(mistake["question"], mistake["code"])
    return mistakes


def test_grade_script_writes_per_question_scores_for_a_folder(tmp_path):
    exercise = BY_STEM[GRADED_CHAPTER]
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    solutions = {q: question.answer for q, question in exercise.questions.items()}
    mistakes = first_mistakes(exercise)
    faults = {q: code for q, (_, code) in faulty_answers(exercise).items()}
    nbformat.write(with_answers(exercise, solutions), submissions / "solution.ipynb")
    nbformat.write(student_notebook(exercise), submissions / "stubs.ipynb")
    nbformat.write(with_answers(exercise, mistakes), submissions / "mistakes.ipynb")
    nbformat.write(with_short_time_limit(with_answers(exercise, faults)), submissions / "faults.ipynb")

    out = tmp_path / "scores.csv"
    start = time.perf_counter()
    run = subprocess.run([sys.executable, str(ROOT / "exercises" / "grade.py"), exercise.stem[:2], str(submissions),
                          str(out), "--jobs", "2", "--call-timeout", "0.5"], capture_output=True, text=True, timeout=600)
    print(f"grade.py on 4 notebooks took {time.perf_counter() - start:.1f} s\n{run.stdout}")
    assert run.returncode == 0, run.stderr[-3000:]
    print(out.read_text())
    rows = {row["submission"]: row for row in csv.DictReader(out.open())}
    questions = list(exercise.questions)
    assert list(next(iter(rows.values()))) == ["submission", *questions, "total", "possible", "status"]

    expected_mistakes = {q: r.score for q, r in grade_in_process(exercise, mistakes).items()}
    expected = {
        "solution.ipynb": {q: exercise.questions[q].points for q in questions},
        "stubs.ipynb": {q: 0.0 for q in questions},
        "mistakes.ipynb": expected_mistakes,
        "faults.ipynb": {q: 0.0 for q in questions},
    }
    assert sorted(rows) == sorted(expected)
    for name, scores in expected.items():
        row = rows[name]
        assert row["status"].startswith("graded"), row
        assert (row["status"] == "graded") == (name != "faults.ipynb"), row
        assert {q: float(row[q]) for q in questions} == pytest.approx(scores), name
        assert float(row["total"]) == pytest.approx(sum(scores.values()))
        assert float(row["possible"]) == exercise.points
    assert all(expected_mistakes[q] < exercise.questions[q].points for q in questions)


def test_grade_script_reports_a_cell_that_never_finishes_and_grades_the_rest(tmp_path):
    exercise = BY_STEM[GRADED_CHAPTER]
    answers = {q: question.answer for q, question in exercise.questions.items()}
    endless = with_answers(exercise, {**answers, "q4": "while True:\n    pass"})
    nbformat.write(endless, tmp_path / "endless.ipynb")
    scores, status = grade.grade_one(tmp_path / "endless.ipynb", exercise.autograder_path, timeout=2)
    assert scores == {q: (0.0 if q == "q4" else float(p.points)) for q, p in exercise.questions.items()}
    assert status == "graded; q4: a cell did not finish within 2 s of CPU time", status


def test_grade_script_names_the_known_chapters():
    assert grade.find_autograder(GRADED_CHAPTER[:2].lstrip("0")) == BY_STEM[GRADED_CHAPTER].autograder_path
    assert grade.find_autograder(GRADED_CHAPTER) == BY_STEM[GRADED_CHAPTER].autograder_path
    with pytest.raises(ValueError, match="chapter: expected one of 01_what_is_a_neural_network"):
        grade.find_autograder("99")
