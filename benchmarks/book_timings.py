"""How long the book takes: each notebook, a clean build, a cached rebuild, the test suite.

- per notebook: executed top to bottom in a fresh kernel with nbclient (what the book
  build and nbval do), wall time;
- clean build: the book's sources copied to a temporary folder and built from nothing
  with `jupyter-book build -W -n --keep-going` (every notebook executed);
- cached rebuild: the same build run again, nothing changed (notebooks come from the
  jupyter-cache, pages are reused);
- test suite (with --tests): `python -m pytest` in the repository, as `make test` runs it.

    .venv/bin/python benchmarks/book_timings.py [--tests] [--skip-builds]

Goals on a 2-core machine: tests <= 10 min, clean build <= 6 min, cached rebuild <= 60 s.
"""
import argparse
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK_SOURCES = ("_config.yml", "_toc.yml", "_ext", "chapters", "exercises")


def time_notebooks():
    rows = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        rows.append((path.name, time.perf_counter() - start))
        print(f"  {path.name:40s} {rows[-1][1]:6.1f} s", flush=True)
    return rows


def build(folder):
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    start = time.perf_counter()
    result = subprocess.run([str(jupyter_book), "build", str(folder), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"the build failed (exit {result.returncode})")
    return seconds


def time_builds():
    with tempfile.TemporaryDirectory() as tmp:
        book = pathlib.Path(tmp) / "book"
        book.mkdir()
        for name in BOOK_SOURCES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, book / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
            else:
                shutil.copy2(source, book / name)
        clean = build(book)
        print(f"  clean build     {clean:6.1f} s", flush=True)
        cached = build(book)
        print(f"  cached rebuild  {cached:6.1f} s", flush=True)
    return clean, cached


def time_tests():
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    print(f"  test suite      {seconds:6.1f} s   ({summary})", flush=True)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", action="store_true", help="also time the whole test suite (several minutes)")
    parser.add_argument("--skip-builds", action="store_true", help="only time the notebooks")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
          f"load average at start {load:.1f}")
    print("per-notebook execution (fresh kernel, wall time):")
    rows = time_notebooks()
    print(f"  {'total':40s} {sum(s for _, s in rows):6.1f} s")
    if not args.skip_builds:
        print("book builds (goals: clean <= 360 s, cached <= 60 s):")
        time_builds()
    if args.tests:
        print("tests (goal <= 600 s):")
        time_tests()


if __name__ == "__main__":
    main()
