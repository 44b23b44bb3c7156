"""Grade a folder of submitted exercise notebooks locally and write a CSV of per-question scores.

    python exercises/grade.py CHAPTER SUBMISSIONS_DIR OUT.csv [--jobs N] [--timeout SECONDS]

CHAPTER picks the autograder in exercises/autograder/: a chapter number (2 or 02) or a
notebook name (02_activation_functions). Every *.ipynb file in SUBMISSIONS_DIR is graded with
`otter run` (no Docker): in its own process and Jupyter kernel, with all tests, public and
hidden, and a time limit per notebook, so one broken or endless submission cannot stop the rest.
Student code runs on this machine, in the Python environment that runs this script (it needs
numpy, otter-grader and nnlib, as `make install` provides); grade only submissions you are
willing to run.

The CSV has one row per notebook: its file name, the score of each question, the total, the
possible total, and a status ("graded", or what went wrong, in which case the scores are
empty). Example:

    submission,q1,q2,q3,q4,total,possible,status
    ada.ipynb,3,2,2,2,9,9,graded
    bob.ipynb,1.5,2,0,2,5.5,9,graded
"""
import argparse
import concurrent.futures
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

AUTOGRADER_DIR = Path(__file__).resolve().parent / "autograder"
SUFFIX = "-autograder.zip"


def find_autograder(chapter):
    """The autograder zip for ``chapter``: "2", "02", "02_activation_functions" or a path to a zip."""
    if str(chapter).endswith(".zip"):
        return Path(chapter)
    prefix = f"{int(chapter):02d}_" if str(chapter).isdigit() else str(chapter)
    matches = sorted(p for p in AUTOGRADER_DIR.glob(f"*{SUFFIX}") if p.name.startswith(prefix))
    if len(matches) != 1:
        known = ", ".join(p.name[:-len(SUFFIX)] for p in sorted(AUTOGRADER_DIR.glob(f"*{SUFFIX}")))
        raise ValueError(f"chapter: expected one of {known}, got {chapter!r}.")
    return matches[0]


def question_points(autograder):
    """{question: points} from the test files in the autograder zip, in question order."""
    points = {}
    with zipfile.ZipFile(autograder) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"tests/q\d+\.py", n)]
        for name in sorted(names, key=lambda n: int(re.search(r"\d+", n).group())):
            text = archive.read(name).decode()
            points[Path(name).stem] = float(re.search(r"^points = ([\d.]+)$", text, re.MULTILINE).group(1))
    return points


def grade_one(submission, autograder, timeout):
    """Grade one notebook with `otter run`; returns ({question: score}, status).

    The notebook is graded as a copy named like the chapter's notebook (``NN_name.ipynb``),
    whatever the student called it: its set-up cell opens the grader by that name.
    """
    with tempfile.TemporaryDirectory() as work:
        notebook = Path(work) / (Path(autograder).name.removesuffix("-autograder.zip") + ".ipynb")
        shutil.copyfile(submission, notebook)
        output = Path(work) / "results"
        output.mkdir()
        command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder), "-o", str(output),
                   str(notebook)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {}, f"error: not finished after {timeout:g} s (an endless loop outside a function?)"
        results = Path(output) / "results.json"
        if run.returncode != 0 or not results.exists():
            lines = [line for line in (run.stderr or run.stdout).strip().splitlines() if line.strip()]
            return {}, "error: " + (lines[-1] if lines else f"otter run exited with code {run.returncode}")
        tests = json.loads(results.read_text())["tests"]
    scores = {t["name"]: float(t["score"]) for t in tests if t.get("score") is not None and t["name"] != "Public Tests"}
    return scores, "graded"


def grade_folder(chapter, folder, jobs=1, timeout=300.0):
    """Grade every notebook in ``folder``; returns ({question: points}, rows) for ``write_csv``."""
    autograder = find_autograder(chapter)
    points = question_points(autograder)
    submissions = sorted(Path(folder).glob("*.ipynb"))
    if not submissions:
        raise ValueError(f"submissions_dir: expected .ipynb files in {folder}, found none.")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(lambda s: grade_one(s, autograder, timeout), submissions))
    rows = []
    for submission, (scores, status) in zip(submissions, outcomes):
        row = {"submission": submission.name, "status": status, "possible": sum(points.values())}
        graded = status == "graded"
        for question in points:
            row[question] = scores.get(question, 0.0) if graded else None
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapter", help="chapter number (2 or 02) or exercise name (02_activation_functions)")
    parser.add_argument("submissions_dir", help="folder of submitted .ipynb notebooks")
    parser.add_argument("out_csv", help="where to write the scores")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at the same time (default 1)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per notebook (default 300)")
    args = parser.parse_args(argv)
    try:
        points, rows = grade_folder(args.chapter, args.submissions_dir, args.jobs, args.timeout)
    except ValueError as error:
        parser.error(str(error))
    write_csv(args.out_csv, points, rows)
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
