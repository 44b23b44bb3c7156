"""A teacher's class kit: the exercises with hidden-test inputs drawn from the teacher's secret.

    python exercises/class_kit.py --seed-file ~/teaching/nn-2027.seed --out ~/teaching/nn-2027-kit
    python exercises/class_kit.py --seed-file SEED --out DIR 02 06       # only chapters 02 and 06
    python exercises/class_kit.py --seed-file SEED --out DIR --gradescope  # also Gradescope zips

The hidden tests in this public repository draw their random inputs from
``nnlib.grading.class_rng(<integer>)``. The kit copies the instructor notebooks, replaces every
such integer in a hidden test by one derived from the secret (SHA-256 of the secret, the
notebook, the question, the test and the public integer), and builds them with
``exercises/build.py``'s pipeline (``otter assign``, which runs every test, hidden ones
included, against the solutions). Expected values are computed by the tests from those inputs,
so they change with the seed. It writes, into a folder OUTSIDE the repository:

- ``student/NN_name.ipynb``: the notebooks to hand out (the same public checks as the book's);
- ``autograder/NN_name-autograder.zip``: every test, with the class's hidden inputs, for
  ``exercises/grade.py --autograders DIR``;
- ``solutions/NN_name.ipynb``: the instructor notebooks with the class's hidden tests;
- ``gradescope/NN_name-gradescope.zip`` with ``--gradescope`` (the autograder plus an nnlib wheel);
- ``README.md``: what is where, the seed's fingerprint (never the seed) and the grading command.

The same secret gives byte-identical files; another secret gives other hidden inputs. The
secret is read from ``--seed-file`` (first line), ``--seed`` or the environment variable
``CLASS_KIT_SEED``. See exercises/README.md, "A class kit", for what it keeps secret and what not.
"""
import argparse
import hashlib
import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat

EXERCISES = Path(__file__).resolve().parent
ROOT = EXERCISES.parent
MARKER = ".nnfs-class-kit"
MIN_SECRET = 8
CLASS_RNG = re.compile(r"\bclass_rng\(\s*(\d+)\s*\)")
TEST_NAME = re.compile(r"\bdef (test_\w+)\(")


def _load_build():
    spec = importlib.util.spec_from_file_location("exercises_build", EXERCISES / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


build = _load_build()


def derived_seed(secret, stem, question, test, public_seed):
    """The integer that replaces ``class_rng(public_seed)`` in one hidden test: 63 bits of
    SHA-256 over the secret and where the call is, so that each test gets its own stream."""
    key = "\x00".join([secret, stem, question, test, str(public_seed)]).encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") >> 1


def fingerprint(secret):
    """A short digest that identifies the secret without revealing it (written into README.md)."""
    return hashlib.sha256(("nnfs-class-kit\x00" + secret).encode()).hexdigest()[:12]


def check_secret(secret):
    if not isinstance(secret, str) or len(secret.strip()) < MIN_SECRET:
        got = "nothing" if not secret else f"{len(secret.strip())} characters"
        raise ValueError(f"seed: expected a secret of at least {MIN_SECRET} characters (a passphrase or a "
                         f"long random number kept outside the repository), got {got}.")
    return secret.strip()


def check_out_dir(out):
    """The kit's folder, resolved; refuses a folder inside this repository (which is public) and a
    non-empty folder that is not an earlier kit."""
    out = Path(out).expanduser().resolve()
    if out == ROOT or ROOT in out.parents:
        raise ValueError(f"out: expected a folder outside the repository {ROOT}, got {out}. The kit holds "
                         "the class's hidden tests; inside the repository it could be committed and "
                         "published. Write it somewhere private, e.g. ~/teaching/kit.")
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: expected a folder, got the file {out}.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(f"out: expected an empty folder or an earlier class kit, got {out}, which holds "
                         "other files. Give a new folder.")
    return out


def _hidden_test_cells(notebook):
    """(question, cell) for every hidden test cell of an instructor notebook."""
    block, question = [], None
    for cell in notebook.cells:
        delimiter = build._delimiter(cell)
        if delimiter == ("begin", "question"):
            question = build._config(cell).get("name")
        if delimiter:
            kind, name = delimiter
            block = block + [name] if kind == "begin" else block[:-1]
            continue
        first = build._first_line(cell)
        if cell.cell_type == "code" and block[-1:] == ["tests"] and first.startswith("#") and \
                re.search(r"\bhidden\b", first):
            yield question, cell


def class_notebook(source_path, secret):
    """The instructor notebook with every ``class_rng(<int>)`` of its hidden tests re-seeded;
    returns (notebook, [(question, test, public seed, class seed)])."""
    notebook = nbformat.read(source_path, as_version=4)
    stem = Path(source_path).stem
    replaced = []
    for question, cell in _hidden_test_cells(notebook):
        match = TEST_NAME.search(cell.source)
        test = match.group(1) if match else "?"

        def reseed(found):
            seed = derived_seed(secret, stem, question, test, int(found.group(1)))
            replaced.append((question, test, int(found.group(1)), seed))
            return f"class_rng({seed})"

        cell.source = CLASS_RNG.sub(reseed, cell.source)
    return notebook, replaced


def _write_readme(out, secret, exercises, replaced, gradescope):
    lines = [
        "# Class kit: Neural Networks from Scratch exercises", "",
        f"Made by `exercises/class_kit.py` from the repository at {ROOT}.",
        f"Secret fingerprint: `{fingerprint(secret)}` (the same secret always gives this fingerprint and "
        "byte-identical files; the secret itself is not stored here).", "",
        "| folder | what | who may see it |", "| --- | --- | --- |",
        "| `student/` | the notebooks to hand out (public checks only) | students |",
        "| `autograder/` | every test, with this class's hidden inputs | the teacher only |",
        "| `solutions/` | the instructor notebooks with this class's hidden tests | the teacher only |",
    ]
    if gradescope:
        lines.append("| `gradescope/` | the autograders plus an nnlib wheel, for Gradescope or `otter grade` "
                     "| the teacher only |")
    lines += ["", "Grade a class folder (one subfolder per student) with these autograders, from this folder:",
              "", "```bash", f"{ROOT}/.venv/bin/python {ROOT}/exercises/grade.py --autograders autograder "
              "--class SUBMISSIONS/ RESULTS/", "```", "",
              "| notebook | questions | points | hidden tests re-seeded |", "| --- | --- | --- | --- |"]
    for exercise in exercises:
        count = sum(1 for stem, *_ in replaced if stem == exercise.stem)
        lines.append(f"| {exercise.stem} | {len(exercise.questions)} | {exercise.points:g} | {count} |")
    (out / "README.md").write_text("\n".join(lines) + "\n")


def make_kit(secret, out, selection=(), run_tests=True, gradescope=False, verbose=True):
    """Write the class kit for ``secret`` into ``out`` (outside the repository); returns a list of
    (notebook stem, question, test, public seed, class seed) for every re-seeded call."""
    secret = check_secret(secret)
    out = check_out_dir(out)
    sources = sorted(build.SOURCE_DIR.glob("[0-9][0-9]_*.ipynb"))
    if selection:
        sources = [p for p in sources if any(p.stem.startswith(s) for s in selection)]
    if not sources:
        raise ValueError(f"chapters: expected names that start like the notebooks in {build.SOURCE_DIR}, "
                         f"got {list(selection)}.")
    for folder in ("student", "autograder", "solutions"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by exercises/class_kit.py\n")
    replaced, exercises = [], []
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for source in sources:
            notebook, calls = class_notebook(source, secret)
            replaced += [(source.stem, *call) for call in calls]
            solution = out / "solutions" / source.name
            nbformat.write(notebook, solution)
            exercise = build.read_exercise(solution)
            exercises.append(exercise)
            student, autograder = build.run_otter_assign(exercise, work / source.stem, run_tests)
            build.check_test_files(exercise, autograder)
            (out / "student" / source.name).write_text(build.normalised_student_notebook(student))
            build.write_deterministic_zip(autograder, out / "autograder" / f"{source.stem}-autograder.zip")
            if verbose:
                print(f"kit {source.stem}: {len(exercise.questions)} questions, "
                      f"{sum(1 for c in calls)} hidden-test seeds from the secret")
        if gradescope:
            wheel = build.build_nnlib_wheel(work / "wheel")
            (out / "gradescope").mkdir(exist_ok=True)
            for exercise in exercises:
                build.gradescope_zip(exercise, wheel, out / "gradescope" / f"{exercise.stem}-gradescope.zip",
                                     autograder=out / "autograder" / f"{exercise.stem}-autograder.zip")
    _write_readme(out, secret, exercises, replaced, gradescope)
    return replaced


def read_secret(args):
    if args.seed_file:
        path = Path(args.seed_file).expanduser()
        if not path.is_file():
            raise ValueError(f"seed-file: expected a file holding the secret, got {path}, which does not exist.")
        return path.read_text().splitlines()[0] if path.read_text().strip() else ""
    return args.seed if args.seed is not None else os.environ.get("CLASS_KIT_SEED", "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="only the notebooks whose names start with these (e.g. 02)")
    parser.add_argument("--out", required=True, help="the kit's folder, outside the repository")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--seed-file", help="a private file whose first line is the class's secret")
    secret.add_argument("--seed", help="the secret itself (it then lands in your shell history; prefer "
                                       "--seed-file or the environment variable CLASS_KIT_SEED)")
    parser.add_argument("--gradescope", action="store_true", help="also write Gradescope/otter-grade zips")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="do not let otter run the class's tests on the solutions (faster)")
    args = parser.parse_args(argv)
    try:
        replaced = make_kit(read_secret(args), args.out, args.chapters, run_tests=not args.no_run_tests,
                            gradescope=args.gradescope)
    except ValueError as error:
        parser.error(str(error))
    print(f"wrote the class kit to {Path(args.out).expanduser().resolve()} ({len(replaced)} hidden-test "
          "seeds derived from the secret); see its README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
