"""Build the exercise notebooks: instructor sources in, student notebooks and autograders out.

    python exercises/build.py                 # rebuild everything (what `make exercises` runs)
    python exercises/build.py 02 03           # only the sources whose names start with 02 or 03
    python exercises/build.py --check         # rebuild into a temporary folder; exit 1 if the
                                              # committed files differ (they are stale)
    python exercises/build.py --no-run-tests  # skip otter's own run of the tests on the solutions

For each instructor notebook exercises/source/NN_name.ipynb this runs `otter assign`, then
writes, in a form that is identical every time it is rebuilt:

- exercises/student/NN_name.ipynb: solutions replaced by `...`, hidden tests removed, a
  `grader.check("qN")` cell after each question, no outputs, no machine-specific metadata;
- exercises/autograder/NN_name-autograder.zip: every test, public and hidden, for grading
  (exercises/grade.py); otter's zip carries a timestamp in its name and in every entry, so it
  is rewritten with sorted entries and a fixed date;
- the list of notebooks in exercises/index.md, between the EXERCISE LIST markers.

Adding a chapter's exercises means adding its instructor notebook (and its mistake fixtures,
exercises/fixtures/NN_name/mistakes.py); exercises/README.md lists the conventions that
`read_exercise` checks.
"""
import argparse
import ast
import dataclasses
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat

EXERCISES = Path(__file__).resolve().parent
SOURCE_DIR = EXERCISES / "source"
STUDENT_DIR = EXERCISES / "student"
AUTOGRADER_DIR = EXERCISES / "autograder"
FIXTURE_DIR = EXERCISES / "fixtures"
INDEX = EXERCISES / "index.md"

LIST_BEGIN = "<!-- BEGIN EXERCISE LIST (written by exercises/build.py; do not edit by hand) -->"
LIST_END = "<!-- END EXERCISE LIST -->"
TITLE = re.compile(r"^# Exercises for chapter (\d+): (.+)$")
OTTER_SETUP_LINES = re.compile(r"^(import otter|grader = otter\.Notebook\(.*\))\s*$")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class SourceError(ValueError):
    """An instructor notebook breaks one of the conventions in exercises/README.md."""


@dataclasses.dataclass
class Cell:
    """A code cell of an instructor notebook that belongs to the program (not a test)."""
    source: str
    question: str | None = None       # set for answer cells (inside a SOLUTION block)


@dataclasses.dataclass
class Question:
    name: str
    points: float
    answer: str                       # the solution cell's source, markers included
    public_tests: int
    hidden_tests: int


@dataclasses.dataclass
class Exercise:
    """One instructor notebook, parsed: its title, its questions and its code in order."""
    path: Path
    chapter: int
    title: str
    questions: dict                   # name -> Question, in notebook order
    program: list                     # Cells: set-up, given code and answers, in order

    @property
    def stem(self):
        return self.path.stem

    @property
    def student_path(self):
        return STUDENT_DIR / self.path.name

    @property
    def autograder_path(self):
        return AUTOGRADER_DIR / f"{self.stem}-autograder.zip"

    @property
    def points(self):
        return sum(q.points for q in self.questions.values())

    def program_sources(self, answers=None):
        """The code cells in order, for running outside Jupyter: the otter set-up lines are left
        out, and ``answers`` ({question: code}) replaces the solution of those questions."""
        answers = answers or {}
        sources = []
        for cell in self.program:
            source = answers.get(cell.question, cell.source) if cell.question else cell.source
            lines = [line for line in source.splitlines() if not OTTER_SETUP_LINES.match(line)]
            sources.append("\n".join(lines))
        return sources


def _first_line(cell):
    return cell.source.strip().splitlines()[0].strip().lower() if cell.source.strip() else ""


def _delimiter(cell):
    """('begin'|'end', block) for otter's raw delimiter cells, else None."""
    if cell.cell_type != "raw":
        return None
    match = re.match(r"#\s+(begin|end)\s+(question|solution|tests|prompt)\b", _first_line(cell))
    return (match.group(1), match.group(2)) if match else None


def _config(cell):
    import yaml
    return yaml.safe_load(cell.source) or {}


def read_exercise(path):
    """Parse an instructor notebook and check this pipeline's conventions (see README.md).

    Raises SourceError naming the notebook, the question and what is wrong.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    where = path.name
    configs = [c for c in nb.cells if c.cell_type == "raw" and _first_line(c) == "# assignment config"]
    if len(configs) != 1:
        raise SourceError(f"{where}: expected one raw '# ASSIGNMENT CONFIG' cell, found {len(configs)}.")
    config = _config(configs[0])
    expected = {"name": path.stem, "init_cell": False, "export_cell": False}
    for key, value in expected.items():
        if config.get(key) != value:
            raise SourceError(f"{where}: the ASSIGNMENT CONFIG needs `{key}: {value}`, found {config.get(key)!r}.")
    if (config.get("tests") or {}).get("ok_format") is not False:
        raise SourceError(f"{where}: the ASSIGNMENT CONFIG needs `tests: {{ok_format: false}}` (exception-based tests).")

    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("# ")]
    title = TITLE.match(headings[0]) if len(headings) == 1 else None
    if title is None:
        raise SourceError(f"{where}: expected exactly one '# ' heading, of the form "
                          f"'# Exercises for chapter N: Title', found {headings}.")
    setup = f'grader = otter.Notebook("{path.name}")'
    if not any(c.cell_type == "code" and setup in c.source for c in nb.cells):
        raise SourceError(f"{where}: no set-up cell with `{setup}` (the check cells need it).")

    questions, program, block, current = {}, [], [], None
    answers, tests = [], {"public": 0, "hidden": 0}
    for cell in nb.cells:
        delimiter = _delimiter(cell)
        if delimiter == ("begin", "question"):
            current = _config(cell)
            answers, tests = [], {"public": 0, "hidden": 0}
        if delimiter:
            kind, name = delimiter
            block = block + [name] if kind == "begin" else block[:-1]
            if delimiter == ("end", "question"):
                _add_question(where, current, answers, tests, questions)
            continue
        if cell.cell_type != "code":
            continue
        if block[-1:] == ["tests"]:
            hidden = bool(re.search(r"\bhidden\b", _first_line(cell))) if _first_line(cell).startswith("#") else False
            tests["hidden" if hidden else "public"] += 1
            if not hidden and "class_rng(" in cell.source:
                raise SourceError(f"{where}, {current['name']}: a public test calls class_rng; only hidden tests "
                                  "may (students see public tests, whose expected values are typed).")
        elif block[-1:] == ["solution"]:
            answers.append(cell.source)
            program.append(Cell(cell.source, current["name"]))
        else:
            program.append(Cell(cell.source))
    if not questions:
        raise SourceError(f"{where}: no questions found.")
    return Exercise(path, int(title.group(1)), title.group(2), questions, program)


def _add_question(where, config, answers, tests, questions):
    name = config.get("name")
    expected_name = f"q{len(questions) + 1}"
    if name != expected_name:
        raise SourceError(f"{where}: questions are named q1, q2, ... in order; expected {expected_name}, found {name!r}.")
    if len(answers) != 1:
        raise SourceError(f"{where}, {name}: expected exactly one code cell in the SOLUTION block, "
                          f"found {len(answers)}.")
    if tests["public"] < 1 or tests["hidden"] < 1:
        raise SourceError(f"{where}, {name}: every question needs at least one public and one hidden test "
                          f"(found {tests['public']} public, {tests['hidden']} hidden).")
    if not isinstance(config.get("points"), (int, float)):
        raise SourceError(f"{where}, {name}: give the question's `points`.")
    answer_names(answers[0])  # must parse
    questions[name] = Question(name, config["points"], answers[0], tests["public"], tests["hidden"])


def answer_names(source):
    """(function names, variable names) that an answer cell defines at its top level."""
    tree = ast.parse(source)
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    values = [target.id for node in tree.body if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)]
    return functions, list(dict.fromkeys(values))


def read_all(selection=()):
    """Every instructor notebook (or those whose names start with one of ``selection``)."""
    paths = sorted(SOURCE_DIR.glob("[0-9][0-9]_*.ipynb"))
    if selection:
        paths = [p for p in paths if any(p.stem.startswith(s) for s in selection)]
    return [read_exercise(p) for p in paths]


# --- building ------------------------------------------------------------------------------------

def run_otter_assign(exercise, result_dir, run_tests):
    """otter assign SOURCE RESULT_DIR; returns (student notebook path, autograder zip path)."""
    from otter.assign import main as otter_assign
    otter_assign(str(exercise.path), str(result_dir), no_run_tests=not run_tests, no_pdfs=True)
    zips = sorted((result_dir / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"{exercise.path.name}: expected one autograder zip from otter assign, found {zips}.")
    return result_dir / "student" / exercise.path.name, zips[0]


def normalised_student_notebook(path):
    """The student notebook as text that does not change between builds or machines.

    Cell ids are numbered by position (otter gives new cells random ids), outputs and
    execution counts are dropped, and only the metadata a reader's Jupyter needs is kept:
    cell tags and otter's lock flags, the kernelspec, and otter's public tests.
    """
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"
        cell.metadata = {key: cell.metadata[key] for key in ("deletable", "editable", "tags") if key in cell.metadata}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "otter": nb.metadata["otter"]}
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def zip_members(path):
    """{name: bytes} of a zip file: what the staleness check compares."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def write_deterministic_zip(source_zip, destination):
    """Copy a zip with its entries sorted and dated 1980-01-01, so equal contents give equal bytes."""
    with zipfile.ZipFile(source_zip) as source:
        infos = sorted((i for i in source.infolist() if not i.is_dir()), key=lambda i: i.filename)
        with zipfile.ZipFile(destination, "w") as target:
            for info in infos:
                entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = info.external_attr
                target.writestr(entry, source.read(info), compresslevel=9)


def check_test_files(exercise, zip_path):
    """Each question's test file in the zip has the public and hidden tests of the source."""
    from otter.test_files import ExceptionTestFile
    members = zip_members(zip_path)
    for name, question in exercise.questions.items():
        test_file = ExceptionTestFile.from_string(members[f"tests/{name}.py"].decode(), path=f"tests/{name}.py")
        hidden = sum(case.hidden for case in test_file.test_cases)
        public = len(test_file.test_cases) - hidden
        if (public, hidden) != (question.public_tests, question.hidden_tests):
            raise SourceError(f"{exercise.path.name}, {name}: the source has {question.public_tests} public and "
                              f"{question.hidden_tests} hidden test cells but the test file has {public} and {hidden}; "
                              "give every test function in a question its own name.")


def index_list(exercises):
    lines = [LIST_BEGIN, ""]
    for exercise in exercises:
        lines.append(f"- [Chapter {exercise.chapter}: {exercise.title}](student/{exercise.path.name}): "
                     f"{len(exercise.questions)} questions, {exercise.points:g} points")
    lines += ["", LIST_END]
    return "\n".join(lines)


def updated_index(text, exercises):
    """index.md with the list between the markers replaced."""
    start, end = text.find(LIST_BEGIN), text.find(LIST_END)
    if start < 0 or end < start:
        raise SourceError(f"{INDEX.name}: the markers {LIST_BEGIN!r} and {LIST_END!r} are missing.")
    return text[:start] + index_list(exercises) + text[end + len(LIST_END):]


def build(exercises, target=EXERCISES, run_tests=True, all_exercises=None, verbose=True):
    """Write student notebooks, autograder zips and the index list under ``target``."""
    target = Path(target)
    (target / "student").mkdir(parents=True, exist_ok=True)
    (target / "autograder").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for exercise in exercises:
            student, autograder = run_otter_assign(exercise, Path(work) / exercise.stem, run_tests)
            check_test_files(exercise, autograder)
            (target / "student" / exercise.path.name).write_text(normalised_student_notebook(student))
            write_deterministic_zip(autograder, target / "autograder" / exercise.autograder_path.name)
            if verbose:
                print(f"built {exercise.stem}: {len(exercise.questions)} questions, {exercise.points:g} points")
    (target / INDEX.name).write_text(updated_index(INDEX.read_text(), all_exercises or exercises))


def _same_code(a, b):
    """Equal Python code, compared after re-printing both with this Python's ``ast.unparse``:
    otter writes test code with ``ast.unparse``, whose layout varies between Python versions."""
    try:
        return ast.unparse(ast.parse(a)) == ast.unparse(ast.parse(b))
    except SyntaxError:
        return a == b


def same_student_notebook(a, b):
    """Two student notebook files hold the same cells and metadata (tests compared as code)."""
    first, second = nbformat.read(a, as_version=4), nbformat.read(b, as_version=4)
    tests = [n.metadata["otter"].pop("tests", {}) for n in (first, second)]
    return (first == second and tests[0].keys() == tests[1].keys()
            and all(_same_code(tests[0][k], tests[1][k]) for k in tests[0]))


def same_autograder(a, b):
    """Two autograder zips hold the same files (test files compared as code)."""
    first, second = zip_members(a), zip_members(b)
    return first.keys() == second.keys() and all(
        _same_code(first[k].decode(), second[k].decode()) if k.endswith(".py") else first[k] == second[k]
        for k in first)


def stale_files(exercises):
    """Rebuild into a temporary folder and list the committed files that differ or are missing.

    Rebuilding gives byte-identical files with the same Python and otter; the comparison
    reads the files, so that only a change in content counts (zip compression or the layout
    of otter's generated test code may differ between versions)."""
    stale = []
    with tempfile.TemporaryDirectory() as fresh:
        fresh = Path(fresh)
        build(exercises, fresh, run_tests=False, all_exercises=read_all(), verbose=False)
        for exercise in exercises:
            built = fresh / "student" / exercise.path.name
            if not exercise.student_path.exists() or not same_student_notebook(built, exercise.student_path):
                stale.append(exercise.student_path)
            built_zip = fresh / "autograder" / exercise.autograder_path.name
            if not exercise.autograder_path.exists() or not same_autograder(built_zip, exercise.autograder_path):
                stale.append(exercise.autograder_path)
        if (fresh / INDEX.name).read_text() != INDEX.read_text():
            stale.append(INDEX)
    known = {e.path.name for e in read_all()}
    stale += [p for p in sorted(STUDENT_DIR.glob("*.ipynb")) if p.name not in known]
    stale += [p for p in sorted(AUTOGRADER_DIR.glob("*.zip")) if p.name[:-len("-autograder.zip")] + ".ipynb" not in known]
    return stale


# --- autograders for `otter grade` and Gradescope ----------------------------------------------------

OTTER_REQUIREMENT = "otter-grader[grading]==7.0.0"
SANDBOX_PLUGIN = "nnlib.grading_otter.SandboxGrading"
"""The otter plugin that makes the Gradescope autograders score in nnlib's sandbox."""


def build_nnlib_wheel(directory):
    """Build this repository's nnlib as a wheel into ``directory``; returns its path.

    The zips must install *this* nnlib: PyPI's package called nnlib is an unrelated project.
    """
    import shutil
    import subprocess
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    root = EXERCISES.parent
    with tempfile.TemporaryDirectory() as source:   # build from a copy: setuptools writes build/ folders
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (root / name).exists():
                shutil.copy(root / name, Path(source) / name)
        shutil.copytree(root / "nnlib", Path(source) / "nnlib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--wheel-dir", str(directory), source], check=True, capture_output=True,
                       env={**__import__("os").environ, "SOURCE_DATE_EPOCH": "315532800"})
    wheels = sorted(directory.glob("nnlib-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one nnlib wheel in {directory}, found {wheels}")
    return wheels[0]


def gradescope_zip(exercise, wheel, destination, autograder=None):
    """The chapter's autograder plus the nnlib wheel, with requirements that install it.

    ``requirements.txt`` (pip, run from the unzipped folder) and ``environment.yml`` (otter's
    conda environment on Gradescope, where the zip is unpacked into /autograder/source) both
    name the wheel by its path, so no package index is asked for nnlib.
    """
    import yaml
    wheel = Path(wheel)
    members = zip_members(autograder or exercise.autograder_path)
    environment = yaml.safe_load(members["environment.yml"])
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict) and "pip" in dependency:
            dependency["pip"] = [OTTER_REQUIREMENT, f"/autograder/source/{wheel.name}"]
    members["environment.yml"] = yaml.safe_dump(environment, sort_keys=False).encode()
    members["requirements.txt"] = f"{OTTER_REQUIREMENT}\n./{wheel.name}\n".encode()
    members[wheel.name] = wheel.read_bytes()
    # Scores come from nnlib's sandbox, not from tests run inside the student's kernel
    # (nnlib/grading_otter.py): otter loads the plugin, which grades with grade.py.
    config = json.loads(members["otter_config.json"])
    config["plugins"] = [SANDBOX_PLUGIN]
    members["otter_config.json"] = (json.dumps(config, indent=2) + "\n").encode()
    members["grade.py"] = (EXERCISES / "grade.py").read_bytes()
    with zipfile.ZipFile(destination, "w") as target:
        for name in sorted(members):
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o755 << 16 if name == "run_autograder" else 0o644 << 16
            target.writestr(entry, members[name])
    return Path(destination)


def write_gradescope_zips(exercises, out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        wheel = build_nnlib_wheel(work)
        return [gradescope_zip(e, wheel, out_dir / f"{e.stem}-gradescope.zip") for e in exercises]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="build only sources whose names start with these (e.g. 02)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are stale")
    parser.add_argument("--no-run-tests", action="store_true", help="do not let otter run the tests on the solutions")
    parser.add_argument("--gradescope", metavar="OUT_DIR",
                        help="write autograders for `otter grade`/Gradescope (with an nnlib wheel) into OUT_DIR")
    args = parser.parse_args(argv)
    exercises = read_all(args.names)
    if not exercises:
        parser.error(f"no instructor notebook in {SOURCE_DIR} matches {args.names}")
    if args.gradescope:
        for path in write_gradescope_zips(exercises, args.gradescope):
            print(f"wrote {path}")
        return 0
    if args.check:
        stale = stale_files(exercises)
        for path in stale:
            print(f"stale: {path.relative_to(EXERCISES.parent)}")
        if stale:
            print("Run `make exercises` (python exercises/build.py) and commit the result.")
        return 1 if stale else 0
    build(exercises, run_tests=not args.no_run_tests, all_exercises=read_all())
    return 0


if __name__ == "__main__":
    sys.exit(main())
