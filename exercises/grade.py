"""Grade submitted exercise notebooks: one chapter's folder, or a whole class as an LMS exports it.

    python exercises/grade.py CHAPTER SUBMISSIONS_DIR OUT.csv [--jobs N]     # one chapter
    python exercises/grade.py --class CLASS_DIR OUT_DIR [--jobs N]           # every chapter found

Options: --cell-timeout SECONDS (CPU time per notebook cell, default 60), --call-timeout
SECONDS (CPU time per call of a student function when a test sets none, default 5).

How a notebook is graded (see "How grading works" in exercises/README.md): its code cells run,
in order, in a separate worker process (nnlib.grading_sandbox); the check cells and the otter
set-up lines are skipped, so the file may have any name. Then every test of the chapter's
autograder, public and hidden, runs in *this* process: it reaches the student's functions and
values across the process boundary as plain data, and compares and scores here, where student
code cannot patch anything. A fault (an exception of any kind, ``sys.exit``, ``os._exit``, an
endless loop, a loop that swallows the time limit, a huge answer) costs the test or cell it
happens in; the worker is restarted when it had to be stopped, and the status column says what
happened to which question ("graded" when nothing did).

The single-chapter CSV has one row per notebook: its file name, the score of each question,
the total, the possible total, and a status. Example:

    submission,q1,q2,q3,q4,total,possible,status
    ada.ipynb,3,2,2,2,9,9,graded
    bob.ipynb,1.5,2,0,2,5.5,9,graded; q4: the answer cell did not finish within 60 s of CPU time

With --class, CLASS_DIR holds one folder per student (any file names, any capitalisation of
.ipynb) or notebooks directly (one student per file); each notebook's chapter is read from the
notebook itself. OUT_DIR receives gradebook.csv (a row per student, a column per chapter and
question), summary.md (per-question averages) and feedback/STUDENT/NN_name.md (every test's
message).
"""
import argparse
import concurrent.futures
import csv
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

EXERCISES = Path(__file__).resolve().parent
ROOT = EXERCISES.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AUTOGRADER_DIR = EXERCISES / "autograder"
SUFFIX = "-autograder.zip"
CELL_TIMEOUT = 60.0
"""Default CPU seconds per notebook cell."""
CHECK_CELL = re.compile(r'\s*grader\.(check|check_all|export)\(.*\)\s*')
OTTER_LINES = re.compile(r"^\s*(import otter|from otter\b.*|grader\s*=\s*otter\.Notebook\(.*\))\s*$", re.MULTILINE)
OWN_CODE = re.compile(r"expect_own_code\(\s*['\"](\w+)['\"]")
NO_GRADER = ("class _NoGrader:\n    def __getattr__(self, name):\n        return lambda *args, **kwargs: None\n"
             "grader = _NoGrader()\n")


def find_autograder(chapter, directory=None):
    """The autograder zip for ``chapter``: "2", "02", "02_activation_functions" or a path to a zip,
    looked up in ``directory`` (default: this repository's exercises/autograder; a class kit's
    autograder/ folder for a class's own hidden inputs)."""
    if str(chapter).endswith(".zip"):
        return Path(chapter)
    directory = Path(directory) if directory else AUTOGRADER_DIR
    prefix = f"{int(chapter):02d}_" if str(chapter).isdigit() else str(chapter)
    matches = sorted(p for p in directory.glob(f"*{SUFFIX}") if p.name.startswith(prefix))
    if len(matches) != 1:
        known = ", ".join(p.name[:-len(SUFFIX)] for p in sorted(directory.glob(f"*{SUFFIX}")))
        raise ValueError(f"chapter: expected one of {known}, got {chapter!r}.")
    return matches[0]


class Question:
    """One question's tests, read from the autograder zip before any student code runs."""

    def __init__(self, name, text):
        from otter.test_files import ExceptionTestFile
        self.name = name
        self.test_file = ExceptionTestFile.from_string(text, path=f"tests/{name}.py")
        self.points = float(re.search(r"^points = ([\d.]+)$", text, re.MULTILINE).group(1))
        self.own_code = sorted(set(OWN_CODE.findall(text)))


def load_tests(autograder):
    """{question: Question} from an autograder zip, in question order."""
    with zipfile.ZipFile(autograder) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"tests/q\d+\.py", n)]
        names.sort(key=lambda n: int(re.search(r"\d+", n).group()))
        return {Path(n).stem: Question(Path(n).stem, archive.read(n).decode()) for n in names}


def question_points(autograder):
    """{question: points} from the test files in the autograder zip, in question order."""
    return {name: question.points for name, question in load_tests(autograder).items()}


def notebook_cells(path):
    """[(question or None, source)]: the code cells to run, each with the question it belongs to
    (the next check cell's), without check cells and otter's set-up lines."""
    import nbformat
    notebook = nbformat.read(path, as_version=4)
    cells, pending = [], []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        match = re.fullmatch(r'\s*grader\.check\(\s*["\'](q\d+)["\']\s*\)\s*', cell.source)
        if match:
            cells += [(match.group(1), source) for source in pending]
            pending = []
            continue
        if CHECK_CELL.fullmatch(cell.source):
            continue
        pending.append(OTTER_LINES.sub("", cell.source))
    cells += [(None, source) for source in pending]
    return notebook, cells


class Result:
    """What grading one notebook gave: scores, every test's message, and what went wrong where."""

    def __init__(self, questions):
        self.scores = {q: 0.0 for q in questions}
        self.tests = {q: [] for q in questions}      # [(test name, hidden, points, passed, message)]
        self.faults = {}                             # question (or "notebook") -> [reason]
        self.error = None

    def fault(self, question, reason):
        self.faults.setdefault(question or "notebook", []).append(reason)

    @property
    def status(self):
        if self.error:
            return f"error: {self.error}"
        notes = [f"{q}: {'; '.join(dict.fromkeys(r))}" for q, r in self.faults.items()]
        return "; ".join(["graded"] + notes)


class NotebookRun:
    """The student's notebook in a worker, restarted (and its good cells replayed) after a fault."""

    def __init__(self, cells, cell_timeout, workdir, result):
        from nnlib.grading_sandbox import Sandbox
        self.cells, self.cell_timeout, self.result = cells, cell_timeout, result
        self.bad = set()
        self.sandbox = Sandbox(cwd=workdir)
        self.run_all(record=True)

    def run_all(self, record):
        from nnlib import grading
        from nnlib.grading_sandbox import WorkerDied
        self.sandbox.run_cell(NO_GRADER, 10.0)
        for index, (question, source) in enumerate(self.cells):
            if index in self.bad:
                continue
            try:
                self.sandbox.run_cell(source, self.cell_timeout)
            except grading.TimeLimitExceeded:
                self.bad.add(index)
                if record:
                    self.result.fault(question, f"a cell did not finish within {self.cell_timeout:g} s of CPU time")
                if not self.sandbox.alive:
                    self.sandbox.restart()
                    self.sandbox.run_cell(NO_GRADER, 10.0)
                    self._replay(index)
            except WorkerDied as error:
                self.bad.add(index)
                if record:
                    self.result.fault(question, f"a cell stopped the notebook: {error}")
                self.sandbox.restart()
                self.sandbox.run_cell(NO_GRADER, 10.0)
                self._replay(index)
            except SyntaxError as error:
                if record:
                    self.result.fault(question, f"a cell has a syntax error: {error}")
            except Exception as error:  # the student's exception, as in Jupyter: later cells still run
                if record and type(error).__name__ in ("SystemExit", "KeyboardInterrupt"):
                    self.result.fault(question, f"a cell raised {type(error).__name__}")

    def _replay(self, upto):
        for index, (_, source) in enumerate(self.cells[:upto]):
            if index not in self.bad:
                try:
                    self.sandbox.run_cell(source, self.cell_timeout)
                except Exception:
                    pass

    def restart(self):
        self.sandbox.restart()
        self.run_all(record=False)


def grade_notebook(path, tests, cell_timeout=CELL_TIMEOUT, call_timeout=None):
    """Grade one notebook against ``tests`` ({question: Question}); returns a Result."""
    from nnlib import grading
    from nnlib.grading_sandbox import WorkerDied
    result = Result(tests)
    try:
        notebook, cells = notebook_cells(path)
    except Exception as error:
        result.error = f"not a readable notebook ({type(error).__name__}: {str(error)[:120]})"
        return result
    name = (notebook.metadata.get("otter") or {}).get("assignment_name")
    expected = getattr(tests, "assignment", None)
    if name and expected and name != expected:
        result.error = f"a notebook of {name}, not of {expected}"
        return result
    with tempfile.TemporaryDirectory(prefix="grade-") as workdir:
        run = NotebookRun(cells, cell_timeout, workdir, result)
        previous = grading._ACTIVE_SANDBOX, grading.DEFAULT_TIMEOUT
        grading._ACTIVE_SANDBOX = run.sandbox
        if call_timeout:
            grading.DEFAULT_TIMEOUT = call_timeout
        try:
            for question in tests.values():
                _grade_question(run, question, result)
        finally:
            grading._ACTIVE_SANDBOX, grading.DEFAULT_TIMEOUT = previous
            run.sandbox.stop()
    return result


def _grade_question(run, question, result):
    from nnlib import grading
    from nnlib.grading_sandbox import WorkerDied
    sandbox = run.sandbox
    lost = None
    try:
        if question.own_code:
            sandbox.forbid(question.own_code)
    except (WorkerDied, grading.TimeLimitExceeded):
        run.restart()
    score = 0.0
    for case in question.test_file.test_cases:
        test = case.body.test_func
        passed, message = False, ""
        known_faults = len(sandbox.faults)
        if lost:
            message = lost
        else:
            try:
                params = list(__import__("inspect").signature(test).parameters)
                test(**{p: sandbox.get(p) for p in params})
                passed = True
            except AssertionError as error:
                message = str(error)
            except grading.TimeLimitExceeded as error:
                message = f"the notebook did not answer in time ({error})"
            except WorkerDied as error:
                message = str(error)
            except Exception as error:  # the test met something it did not expect (a handle, say)
                message = f"the test could not use your answer: {type(error).__name__}: {error}"
            for reason in dict.fromkeys(sandbox.faults[known_faults:]):
                if sandbox.alive:
                    result.fault(question.name, reason)
            if not sandbox.alive:
                reason = sandbox.faults[-1] if sandbox.faults else "stopped"
                result.fault(question.name, f"the notebook's process {reason}; the question's remaining tests "
                                            "were skipped")
                lost = f"not run: an earlier test of {question.name} stopped the notebook's process ({reason})."
                run.restart()
                sandbox = run.sandbox
                grading._ACTIVE_SANDBOX = sandbox
        if passed:
            score += case.points
        result.tests[question.name].append((case.name, case.hidden, case.points, passed, message))
    if question.own_code and sandbox.forbidden_used:
        used = ", ".join(sorted(set(sandbox.forbidden_used)))
        message = (f"{question.name} calls nnlib's own {used}, the function this question asks you to write: "
                   "0 points. Write it yourself with NumPy.")
        result.fault(question.name, f"used nnlib's {used}")
        result.tests[question.name].append(("own code", False, 0, False, message))
        score = 0.0
    try:
        if question.own_code and sandbox.alive:
            sandbox.allow()
    except (WorkerDied, grading.TimeLimitExceeded):
        run.restart()
    result.scores[question.name] = round(score, 6)


class Tests(dict):
    """{question: Question} plus the assignment name."""
    assignment = None


def chapter_tests(autograder):
    tests = Tests(load_tests(autograder))
    tests.assignment = Path(autograder).name.removesuffix(SUFFIX)
    return tests


def grade_one(submission, autograder, timeout=CELL_TIMEOUT):
    """Grade one notebook; returns ({question: score}, status). (The single-notebook interface.)"""
    result = grade_notebook(submission, chapter_tests(autograder), cell_timeout=timeout)
    return ({} if result.error else result.scores), result.status


def _in_worker_pool(function, items, jobs):
    if jobs <= 1:
        return [function(item) for item in items]
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(function, items))


def _grade_task(task):
    path, autograder, cell_timeout, call_timeout = task
    return grade_notebook(path, chapter_tests(autograder), cell_timeout, call_timeout)


def grade_folder(chapter, folder, jobs=1, timeout=CELL_TIMEOUT, call_timeout=None, autograders=None):
    """Grade every notebook in ``folder``; returns ({question: points}, rows) for ``write_csv``."""
    autograder = find_autograder(chapter, autograders)
    points = question_points(autograder)
    submissions = sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() == ".ipynb"
                         and ".ipynb_checkpoints" not in p.parts)
    if not submissions:
        raise ValueError(f"submissions_dir: expected .ipynb files in {folder}, found none.")
    results = _in_worker_pool(_grade_task, [(s, autograder, timeout, call_timeout) for s in submissions], jobs)
    rows = []
    for submission, result in zip(submissions, results):
        row = {"submission": str(submission.relative_to(folder)), "status": result.status,
               "possible": sum(points.values()), "result": result}
        graded = result.error is None
        for question in points:
            row[question] = result.scores.get(question, 0.0) if graded else None
        row["total"] = sum(row[q] for q in points) if graded else None
        rows.append(row)
    return points, rows


def _number(value):
    return "" if value is None else f"{round(value, 4):g}"


def write_csv(path, points, rows):
    columns = ["submission", *points, "total", "possible", "status"]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row["submission"], *(_number(row[q]) for q in points), _number(row["total"]),
                             _number(row["possible"]), row["status"]])


def feedback_markdown(student, chapter, points, result):
    """The feedback page of one student for one chapter: every test's outcome and message."""
    lines = [f"# {chapter}: feedback for {student}", ""]
    if result.error:
        return "\n".join(lines + [f"This notebook could not be graded: {result.error}.", ""])
    total = sum(result.scores.values())
    lines += [f"Score: **{total:g} / {sum(points.values()):g}**", "", f"Status: {result.status}", ""]
    for question, possible in points.items():
        lines += [f"## {question}: {result.scores[question]:g} / {possible:g}", ""]
        for name, hidden, test_points, passed, message in result.tests[question]:
            kind = "hidden" if hidden else "public"
            lines.append(f"- {'passed' if passed else 'FAILED'} ({kind} test {name}, {test_points:g} points)")
            if message:
                lines += ["", "  ```text", *("  " + m for m in message.splitlines()), "  ```", ""]
        lines.append("")
    return "\n".join(lines)


# --- a whole class -----------------------------------------------------------------------------------

def discover_class(folder):
    """{student: [notebook paths]}: one folder per student, or loose notebooks (one student each)."""
    folder = Path(folder)
    students = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() != ".ipynb" or ".ipynb_checkpoints" in path.parts:
            continue
        relative = path.relative_to(folder)
        student = relative.parts[0] if len(relative.parts) > 1 else path.stem
        students.setdefault(student, []).append(path)
    return students


def notebook_assignment(path):
    """The exercise a notebook belongs to (otter's assignment name in its metadata), or None."""
    import json
    try:
        with open(path, encoding="utf-8") as handle:
            name = json.load(handle).get("metadata", {}).get("otter", {}).get("assignment_name")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def grade_class(folder, out_dir, jobs=1, cell_timeout=CELL_TIMEOUT, call_timeout=None, autograders=None):
    """Grade every chapter found in a class folder; writes gradebook.csv, summary.md and feedback/.
    ``autograders`` is the folder of autograder zips (default: this repository's)."""
    out_dir = Path(out_dir)
    (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    directory = Path(autograders) if autograders else AUTOGRADER_DIR
    known = {p.name.removesuffix(SUFFIX): p for p in sorted(directory.glob(f"*{SUFFIX}"))}
    if not known:
        raise ValueError(f"autograders: expected *{SUFFIX} files in {directory}, found none.")
    tasks, notes = [], {}
    for student, paths in discover_class(folder).items():
        candidates = {}
        for path in paths:
            assignment = notebook_assignment(path)
            if assignment not in known:
                notes.setdefault(student, []).append(f"{path.name}: not an exercise notebook of this book")
                continue
            candidates.setdefault(assignment, []).append(path)
        chosen = {}
        for assignment, copies in candidates.items():
            # duplicates: the most recently modified copy counts
            chosen[assignment] = max(copies, key=lambda p: (p.stat().st_mtime, p.name))
            if len(copies) > 1:
                notes.setdefault(student, []).append(
                    f"{assignment}: graded {chosen[assignment].name}, the newest of {len(copies)} copies")
        tasks += [(student, assignment, path) for assignment, path in sorted(chosen.items())]
    results = _in_worker_pool(_grade_task, [(p, known[a], cell_timeout, call_timeout) for _, a, p in tasks], jobs)
    chapters = sorted({a for _, a, _ in tasks})
    points = {a: question_points(known[a]) for a in chapters}
    book = {}
    for (student, assignment, path), result in zip(tasks, results):
        book.setdefault(student, {})[assignment] = result
        page = out_dir / "feedback" / student / f"{assignment}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(feedback_markdown(student, assignment, points[assignment], result))
    columns = ["student"]
    for a in chapters:
        columns += [f"{a[:2]} {q}" for q in points[a]] + [f"{a[:2]} total", f"{a[:2]} status"]
    columns += ["total", "possible", "notes"]
    with open(out_dir / "gradebook.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for student in sorted(set(discover_class(folder))):
            row, total, possible = [student], 0.0, 0.0
            for a in chapters:
                result = book.get(student, {}).get(a)
                possible += sum(points[a].values())
                if result is None or result.error:
                    row += [""] * len(points[a]) + ["", "missing" if result is None else result.status]
                    continue
                row += [_number(result.scores[q]) for q in points[a]]
                row += [_number(sum(result.scores.values())), result.status]
                total += sum(result.scores.values())
            writer.writerow(row + [_number(total), _number(possible), "; ".join(notes.get(student, []))])
    lines = ["# Class summary", "", f"{len(book)} students with at least one graded notebook.", "",
             "| chapter | question | points | average | graded notebooks |", "| --- | --- | --- | --- | --- |"]
    for a in chapters:
        graded = [r for s in book.values() for c, r in s.items() if c == a and not r.error]
        for q, p in points[a].items():
            average = sum(r.scores[q] for r in graded) / len(graded) if graded else float("nan")
            lines.append(f"| {a} | {q} | {p:g} | {average:.2f} | {len(graded)} |")
    (out_dir / "summary.md").write_text("\n".join(lines) + "\n")
    return book


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", nargs="?", help="chapter number (2 or 02) or exercise name (02_activation_functions)")
    parser.add_argument("submissions_dir", nargs="?", help="folder of submitted .ipynb notebooks")
    parser.add_argument("out_csv", nargs="?", help="where to write the scores")
    parser.add_argument("--class", dest="class_dir", nargs=2, metavar=("CLASS_DIR", "OUT_DIR"),
                        help="grade every chapter in a class folder (per-student subfolders)")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at the same time (default 1)")
    parser.add_argument("--cell-timeout", "--timeout", type=float, default=CELL_TIMEOUT,
                        help=f"CPU seconds per notebook cell (default {CELL_TIMEOUT:g})")
    parser.add_argument("--call-timeout", type=float, default=None,
                        help="CPU seconds per call of a student function when a test sets none (default 5)")
    parser.add_argument("--feedback", metavar="DIR", help="also write a Markdown feedback file per notebook")
    parser.add_argument("--autograders", metavar="DIR",
                        help="folder of autograder zips, e.g. a class kit's autograder/ (default: the repository's)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.class_dir:
        try:
            book = grade_class(*args.class_dir, jobs=args.jobs, cell_timeout=args.cell_timeout,
                               call_timeout=args.call_timeout, autograders=args.autograders)
        except ValueError as error:
            parser.error(str(error))
        print(f"graded {sum(len(s) for s in book.values())} notebooks of {len(book)} students in "
              f"{time.perf_counter() - start:.1f} s; wrote {args.class_dir[1]}/gradebook.csv, summary.md, feedback/")
        return 0
    if not (args.chapter and args.submissions_dir and args.out_csv):
        parser.error("give CHAPTER SUBMISSIONS_DIR OUT.csv, or --class CLASS_DIR OUT_DIR")
    try:
        points, rows = grade_folder(args.chapter, args.submissions_dir, args.jobs, args.cell_timeout,
                                    args.call_timeout, args.autograders)
    except ValueError as error:
        parser.error(str(error))
    write_csv(args.out_csv, points, rows)
    if args.feedback:
        chapter = find_autograder(args.chapter, args.autograders).name.removesuffix(SUFFIX)
        for row in rows:
            page = Path(args.feedback) / (Path(row["submission"]).with_suffix(".md"))
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(feedback_markdown(row["submission"], chapter, points, row["result"]))
    width = max(len(r["submission"]) for r in rows)
    print(f"{'submission':{width}s}  " + "  ".join(f"{q}/{p:g}" for q, p in points.items()) + "  total")
    for row in rows:
        scores = "  ".join(f"{_number(row[q]):>{len(q) + 1 + len(f'{p:g}')}s}" for q, p in points.items())
        print(f"{row['submission']:{width}s}  {scores}  {_number(row['total'])}/{_number(row['possible'])}  "
              f"{'' if row['status'] == 'graded' else row['status']}")
    print(f"wrote {args.out_csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
