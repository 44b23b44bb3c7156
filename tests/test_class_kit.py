"""The teacher's class kit (exercises/class_kit.py): hidden-test inputs from a secret seed.

Builds chapter 2's kit three times (two secrets, one of them twice) without otter's own run
of the tests, then grades the solution and the stubs with the kit's autograder through
exercises/grade.py's sandboxed grading path.
"""
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from exercise_scripts import load_script

from nnlib.grading import class_rng

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "02_activation_functions"
SECRET_A = "first class, autumn term"
SECRET_B = "second class, spring term"
CLASS_RNG = re.compile(r"\bclass_rng\((\d+)\)")




class_kit = load_script("class_kit")
grade = load_script("grade")
build = class_kit.build


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    """{name: kit folder}: A and A again (same secret), B (another secret), chapter 2 only."""
    folders = {}
    for name, secret in [("A", SECRET_A), ("A again", SECRET_A), ("B", SECRET_B)]:
        folder = tmp_path_factory.mktemp("kit") / name.replace(" ", "_")
        class_kit.make_kit(secret, folder, [CHAPTER[:2]], run_tests=False, verbose=False)
        folders[name] = folder
    return folders


def autograder_tests(folder):
    """{question: test file text} of a folder's autograder zip."""
    with zipfile.ZipFile(Path(folder) / "autograder" / f"{CHAPTER}-autograder.zip") as archive:
        return {Path(n).stem: archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/")}


def class_seeds(folder):
    return sorted(int(s) for text in autograder_tests(folder).values() for s in CLASS_RNG.findall(text))


def public_seeds():
    return class_seeds(ROOT / "exercises")


# --- where the kit may go and which secrets it takes ---------------------------------------------------------

@pytest.mark.parametrize("inside", ["", "exercises/class-kit", "_build/kit"])
def test_the_kit_refuses_a_folder_inside_the_repository(inside):
    with pytest.raises(ValueError, match="out: expected a folder outside the repository"):
        class_kit.check_out_dir(ROOT / inside)


def test_the_command_line_refuses_the_repository_with_a_clear_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        class_kit.main(["02", "--seed", SECRET_A, "--out", str(ROOT / "exercises" / "kit")])
    assert exit_.value.code == 2
    assert "outside the repository" in capsys.readouterr().err
    assert not (ROOT / "exercises" / "kit").exists()


def test_the_kit_refuses_a_short_secret_and_a_folder_of_other_files(tmp_path):
    for secret in ["", "   ", "1234567"]:
        with pytest.raises(ValueError, match="seed: expected a secret of at least 8 characters"):
            class_kit.check_secret(secret)
    (tmp_path / "thesis.tex").write_text("not a kit")
    with pytest.raises(ValueError, match="out: expected an empty folder or an earlier class kit"):
        class_kit.make_kit(SECRET_A, tmp_path, [CHAPTER[:2]], run_tests=False, verbose=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_class_rng_takes_only_a_non_negative_integer():
    assert class_rng(5).normal() == np.random.default_rng(5).normal()
    for bad in [-1, 2.5, "5", True]:
        with pytest.raises(ValueError, match="seed: expected a non-negative integer"):
            class_rng(bad)


def test_a_public_test_may_not_use_class_rng(tmp_path):
    notebook = nbformat.read(build.SOURCE_DIR / f"{CHAPTER}.ipynb", as_version=4)
    public = next(c for c in notebook.cells if c.cell_type == "code" and "def test_softmax_of_a_batch" in c.source)
    public.source = public.source.replace("np.array([[2.0", "class_rng(1).normal() + np.array([[2.0")
    nbformat.write(notebook, tmp_path / f"{CHAPTER}.ipynb")
    with pytest.raises(build.SourceError, match="q1: a public test calls class_rng"):
        build.read_exercise(tmp_path / f"{CHAPTER}.ipynb")


# --- what the kit holds ----------------------------------------------------------------------------------------

def test_the_kit_has_student_notebooks_autograders_solutions_and_a_readme(kits):
    folder = kits["A"]
    assert (folder / "student" / f"{CHAPTER}.ipynb").is_file()
    assert (folder / "solutions" / f"{CHAPTER}.ipynb").is_file()
    assert (folder / "autograder" / f"{CHAPTER}-autograder.zip").is_file()
    readme = (folder / "README.md").read_text()
    assert class_kit.fingerprint(SECRET_A) in readme and SECRET_A not in readme
    assert "grade.py --autograders autograder --class" in readme
    # the student notebook carries the public checks only: the same as the book's
    assert build.same_student_notebook(folder / "student" / f"{CHAPTER}.ipynb",
                                       ROOT / "exercises" / "student" / f"{CHAPTER}.ipynb")
    assert not CLASS_RNG.search((folder / "student" / f"{CHAPTER}.ipynb").read_text())


def test_the_same_secret_gives_an_identical_kit(kits):
    first, second = kits["A"], kits["A again"]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for path in files:
        assert (first / path).read_bytes() == (second / path).read_bytes(), path


def test_two_secrets_give_different_hidden_inputs_and_neither_the_public_ones(kits):
    public, a, b = public_seeds(), class_seeds(kits["A"]), class_seeds(kits["B"])
    assert len(public) == len(a) == len(b) >= 3
    assert not set(a) & set(b)
    assert not set(public) & (set(a) | set(b))
    # the inputs themselves differ: the first draws of every hidden test's generator
    draws = {name: {tuple(np.round(class_rng(s).normal(size=4), 12)) for s in seeds}
             for name, seeds in [("public", public), ("A", a), ("B", b)]}
    assert not draws["public"] & draws["A"] and not draws["public"] & draws["B"] and not draws["A"] & draws["B"]


def test_only_the_hidden_seeds_change(kits):
    """Every test file of the kit equals the public one once the class_rng seeds are blanked: the kit
    changes inputs, never a test's logic, and the public tests not at all."""
    public, kit = autograder_tests(ROOT / "exercises"), autograder_tests(kits["A"])
    assert public.keys() == kit.keys()
    for question in public:
        assert CLASS_RNG.sub("class_rng(SEED)", public[question]) == CLASS_RNG.sub("class_rng(SEED)", kit[question])
        assert public[question] != kit[question] or not CLASS_RNG.search(public[question])


def test_the_published_hidden_inputs_do_not_appear_in_the_kit(kits):
    """The random batch of q1's hidden test, as published, is not among the arrays the kit's test draws."""
    published = np.random.default_rng(5).normal(scale=3.0, size=(6, 4))
    text = autograder_tests(kits["A"])["q1"]
    seeds = [int(s) for s in CLASS_RNG.findall(text)]
    assert seeds and 5 not in seeds
    for seed in seeds:
        assert not np.allclose(class_rng(seed).normal(scale=3.0, size=(6, 4)), published)


# --- grading with the kit's autograder -------------------------------------------------------------------------

def solved(student_path, exercise):
    """The kit's student notebook with every answer cell holding the solution."""
    notebook = nbformat.read(student_path, as_version=4)
    answers = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(exercise.questions)
    for cell, question in zip(answers, exercise.questions.values()):
        cell.source = question.answer
    return notebook


def test_the_solution_scores_full_and_the_stubs_zero_under_the_kit_autograder(kits, tmp_path):
    folder = kits["A"]
    exercise = build.read_exercise(folder / "solutions" / f"{CHAPTER}.ipynb")
    student = folder / "student" / f"{CHAPTER}.ipynb"
    nbformat.write(solved(student, exercise), tmp_path / "solution.ipynb")
    autograder = folder / "autograder" / f"{CHAPTER}-autograder.zip"
    scores, status = grade.grade_one(tmp_path / "solution.ipynb", autograder)
    assert status == "graded" and scores == {q: float(p.points) for q, p in exercise.questions.items()}
    scores, status = grade.grade_one(student, autograder)
    assert status == "graded" and scores == {q: 0.0 for q in exercise.questions}
    # grade.py finds a chapter's zip in a kit's autograder folder
    assert grade.find_autograder("2", folder / "autograder") == autograder
