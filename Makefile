# The two commands that matter on a fresh machine (Python 3.11 or newer):
#   make book   install what is needed into .venv/ and build the HTML book into _build/html/
#   make test   install what is needed into .venv/ and run the whole test suite
# Everything lives in the local virtual environment .venv/; nothing is installed system-wide.
# Optional third:
#   make pdf    the whole book as one PDF, _build/latex/book.pdf (needs TeX Live: .ci/packages.txt)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export KERAS_BACKEND := jax
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install book pdf lab test clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# -W turns every warning into an error, --keep-going lists them all, -n flags broken references.
book: install
	$(BIN)/jupyter-book build . -W -n --keep-going

# Unit tests, gradient checks, agreement with Keras, exercises and graders, every chapter
# notebook under nbval (lax mode, see tests/README.md) -- on both cores, a notebook or a test
# module per worker -- then the book build with -W, the browser test of the built book and the
# JupyterLab test (tests/test_lab.py: a chapter, a live slider and an exercise check in Lab).
BOOK_TESTS := tests/test_book_build.py tests/test_pdf.py tests/test_browser.py tests/test_lab.py
# The PDF edition with Sphinx's LaTeX builder and XeLaTeX. Notebooks are not run again when
# `make book` has run: both builds share the execution cache in _build/.jupyter_cache.
# A copy goes next to the HTML book, whose download menu links it.
pdf: install
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null || { echo "make pdf needs TeX Live \
	(xelatex, latexmk): install the Debian packages in .ci/packages.txt" >&2; exit 1; }
	$(BIN)/jupyter-book build . --builder pdflatex -n --keep-going
	mkdir -p _build/html && cp _build/latex/book.pdf _build/html/book.pdf

# JupyterLab on the notebooks, with the project's kernel registered under a name a student
# recognises ("Neural Networks from Scratch (.venv)") so it cannot be confused with a system Python.
lab: install
	$(BIN)/python -m ipykernel install --sys-prefix --name nnfs --display-name "Neural Networks from Scratch (.venv)" >/dev/null
	$(BIN)/jupyter lab

test: install
	$(BIN)/python -m pytest -n 2 --dist loadscope $(addprefix --ignore=,$(BOOK_TESTS))
	$(BIN)/python -m pytest $(BOOK_TESTS)

clean:
	rm -rf _build

# Regenerate the student exercise notebooks and the autograders from the instructor
# notebooks in exercises/source/ (see exercises/README.md). A test fails if they are stale.
.PHONY: exercises
exercises: install
	$(BIN)/python exercises/build.py

# A teacher's class kit outside the repository: hidden-test inputs from a secret seed
# (exercises/README.md, "A class kit"). Example:
#   make class-kit SEED_FILE=~/teaching/nn-2027.seed OUT=~/teaching/nn-2027-kit
.PHONY: class-kit
class-kit: install
	@test -n "$(SEED_FILE)" -a -n "$(OUT)" || { echo "usage: make class-kit SEED_FILE=path/to/secret OUT=folder-outside-the-repository" >&2; exit 2; }
	$(BIN)/python exercises/class_kit.py --seed-file "$(SEED_FILE)" --out "$(OUT)"
