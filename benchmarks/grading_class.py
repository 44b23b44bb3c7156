"""Time exercises/grade.py on a made-up class: N students, each a folder with a chapter's notebook.

    .venv/bin/python benchmarks/grading_class.py                  # 30 students, chapter 02, 1 job
    .venv/bin/python benchmarks/grading_class.py --students 30 --chapter 04 --jobs 2

The students' notebooks rotate through four kinds: the solution, the untouched stubs, the typical
mistakes of exercises/fixtures (the first one of each question), and a notebook whose first
question raises SystemExit. The class is written to a temporary folder, graded with
``grade.grade_class`` (one worker process per notebook, every test in the grader's process), and
the wall-clock time, the time per notebook and the per-question averages are printed.
"""
import argparse
import copy
import importlib.util
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_script(name):
    spec = importlib.util.spec_from_file_location(f"exercises_{name}", ROOT / "exercises" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def filled(exercise, answers):
    notebook = copy.deepcopy(nbformat.read(exercise.student_path, as_version=4))
    for index, cell in enumerate(notebook.cells):
        match = re.fullmatch(r'grader\.check\("(q\d+)"\)', cell.source.strip())
        if match and match.group(1) in answers:
            [c for c in notebook.cells[:index] if "otter_answer_cell" in c.metadata.get("tags", [])][-1].source = \
                answers[match.group(1)]
    return notebook


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--chapter", default="02")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    build, grade = load_script("build"), load_script("grade")
    exercise = build.read_all([args.chapter])[0]
    solutions = {q: question.answer for q, question in exercise.questions.items()}
    namespace = {}
    fixture = build.FIXTURE_DIR / exercise.stem / "mistakes.py"
    exec(compile(fixture.read_text(), str(fixture), "exec"), namespace)
    mistakes = {}
    for mistake in namespace["MISTAKES"]:
        mistakes.setdefault(mistake["question"], mistake["code"])
    first = next(iter(exercise.questions))
    exit_answer = "import sys\n" + "\n".join(f"def {name}(*args, **kwargs):\n    sys.exit(1)\n"
                                             for name in build.answer_names(exercise.questions[first].answer)[0])
    kinds = [filled(exercise, solutions), nbformat.read(exercise.student_path, as_version=4),
             filled(exercise, mistakes), filled(exercise, {**solutions, first: exit_answer or "pass"})]
    with tempfile.TemporaryDirectory(prefix="grading-class-") as work:
        klass = Path(work) / "class"
        for number in range(args.students):
            folder = klass / f"student {number:02d}"
            folder.mkdir(parents=True)
            nbformat.write(kinds[number % len(kinds)], folder / f"{exercise.stem} ({number}).ipynb")
        start = time.perf_counter()
        grade.grade_class(klass, Path(work) / "out", jobs=args.jobs)
        elapsed = time.perf_counter() - start
        summary = (Path(work) / "out" / "summary.md").read_text()
    print(f"{args.students} students, {exercise.stem}, jobs={args.jobs}: {elapsed:.1f} s in all, "
          f"{elapsed / args.students:.2f} s per notebook")
    print(summary)


if __name__ == "__main__":
    main()
