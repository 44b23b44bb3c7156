"""Shared pytest fixtures for the test suite."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import nnlib


@pytest.fixture
def float64():
    """Run a test with ``nnlib.floatx() == "float64"``; restore the previous float type afterwards."""
    previous = nnlib.floatx()
    nnlib.set_floatx("float64")
    try:
        yield "float64"
    finally:
        nnlib.set_floatx(previous)


@pytest.fixture
def fresh_library_state(monkeypatch):
    """A fresh library generator (seed 0) for the test; the float type is put back afterwards."""
    monkeypatch.setattr(nnlib.config, "_rng", np.random.default_rng(0))
    previous = nnlib.floatx()
    yield
    nnlib.set_floatx(previous)


ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def book_build():
    """Build the book once per test session, exactly as `make book` does (-W -n --keep-going).

    Returns the finished ``subprocess.CompletedProcess``; the HTML is in _build/html.
    Notebook results are cached in _build/.jupyter_cache, so a rebuild re-runs only
    the notebooks whose code changed.
    """
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    return subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
