"""The PDF edition: `make pdf` builds the whole book as one PDF with numbered chapters and figures.

Runs the same command as `make pdf` (jupyter-book's LaTeX builder, XeLaTeX) after the HTML build
of tests/test_book_build.py, whose execution cache it reuses (no notebook runs twice), and reads
the PDF back with poppler's pdftotext, pdfinfo and pdfimages. Needs the Debian packages in
.ci/packages.txt; .ci/run installs them, elsewhere the test is skipped with that hint.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest

from test_figure_captions import captioned_cells, figure_options

ROOT = pathlib.Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "latex" / "book.pdf"
TOOLS = ("xelatex", "latexmk", "pdftotext", "pdfinfo", "pdfimages")


def toc_files():
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.MULTILINE)


def title_of(name):
    """The first level-1 heading of a page of the book (notebook or markdown)."""
    path = ROOT / f"{name}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{name}.md").read_text()
    match = re.search(r"^# (.+)$", text, flags=re.MULTILINE)
    assert match, f"{name}: no level-1 heading"
    # a soft hyphen (&shy;) lets a long title word break on a phone; the PDF shows no trace of it
    title = match.group(1).replace("&shy;", "").replace("\u00ad", "")
    return re.sub(r"[`*_]|\$[^$]*\$", "", title).strip()


def words(text):
    """Lower-case words only: pdftotext breaks lines and hyphenates, headings may use ligatures."""
    text = text.replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\u2019", "'")
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.fixture(scope="module")
def pdf(book_build):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"the PDF edition needs {missing}: install the Debian packages in .ci/packages.txt"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert book_build.returncode == 0, "the HTML book did not build; see test_book_build.py"
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    start = time.monotonic()
    build = subprocess.run([str(jupyter_book), "build", str(ROOT), "--builder", "pdflatex", "-n", "--keep-going"],
                           cwd=ROOT, capture_output=True, text=True, timeout=1800)
    seconds = time.monotonic() - start
    print(f"PDF edition built in {seconds:.0f} s")
    if build.returncode == 0 and (ROOT / "_build" / "html").is_dir():
        shutil.copy2(PDF, ROOT / "_build" / "html" / "book.pdf")      # as `make pdf` does
    return build


@pytest.fixture(scope="module")
def pdf_text(pdf):
    assert pdf.returncode == 0 and PDF.exists(), "the PDF build failed:\n" + "\n".join(
        (pdf.stdout + pdf.stderr).splitlines()[-40:])
    return subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_builds_without_executing_notebooks_again(pdf):
    output = pdf.stdout + pdf.stderr
    assert pdf.returncode == 0, "the PDF build failed:\n" + "\n".join(output.splitlines()[-40:])
    assert PDF.exists()
    executed = re.findall(r"(\S+\.ipynb): Executing notebook", output)
    assert not executed, f"the PDF build ran notebooks again instead of using the HTML build's cache: {executed}"


def test_every_chapter_title_is_in_the_pdf(pdf_text):
    text = words(pdf_text)
    missing = [name for name in toc_files() if words(title_of(name)) not in text]
    assert not missing, f"chapter titles missing from the PDF: {[title_of(n) for n in missing]}"


def test_chapters_are_numbered_and_references_resolved(pdf_text):
    numbered = [n for n in toc_files() if re.match(r"chapters/\d\d_", n)]
    text = words(pdf_text)
    for number, name in enumerate(numbered, start=1):
        assert f"chapter {number} {words(title_of(name))}" in text or \
            f"{number} {words(title_of(name))}" in text, f"no numbered heading for chapter {number}, {title_of(name)}"
    unresolved = re.findall(r".{0,30}(?<![\w?])\?\?(?![\w?]).{0,30}", pdf_text)   # not "sigmoid??"
    assert not unresolved, f"the PDF has unresolved references: {unresolved[:3]}"


def test_figures_and_equations_are_in_the_pdf(pdf):
    images = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True)
    count = len(images.stdout.splitlines()) - 2           # two header lines
    notebooks = [ROOT / f"{n}.ipynb" for n in toc_files() if (ROOT / f"{n}.ipynb").exists()]
    figures = sum(json.dumps(json.loads(p.read_text())["cells"]).count('"image/png"') for p in notebooks)
    print(f"PDF: {count} images; the notebooks' stored outputs hold {figures} PNG figures")
    assert count >= 0.9 * figures, f"the PDF has {count} images, the notebooks {figures} figures"


def captions():
    """(chapter, figure name, caption) for every numbered figure of the book's notebooks."""
    found = []
    for name in toc_files():
        path = ROOT / f"{name}.ipynb"
        if path.exists():
            for cell in captioned_cells(json.loads(path.read_text())):
                figure = figure_options(cell)
                found.append((name, figure.get("name"), figure["caption"]))
    return found


def test_numbered_figures_and_their_captions_are_in_the_pdf(pdf_text):
    """Every caption's text (without its math) is in the PDF, and each figure has its "Fig. N" label."""
    text = words(pdf_text)
    figures = captions()
    assert len(figures) >= 20, f"only {len(figures)} numbered figures in the book (tests/test_figure_captions.py)"
    missing = []
    for chapter, name, caption in figures:
        plain = words(re.sub(r"\$[^$]*\$|\{[a-z]+\}`[^`]*`", " ", caption))
        if plain and plain not in text:
            missing.append((chapter, name))
    assert not missing, f"captions missing from the PDF: {missing[:5]} ({len(missing)} of {len(figures)})"
    numbered = re.findall(r"Fig(?:\.|ure)\s*\d+(?:\.\d+)?", pdf_text)
    assert len(numbered) >= len(figures), f"{len(numbered)} 'Fig. N' labels for {len(figures)} captioned figures"


def test_page_count(pdf):
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.MULTILINE).group(1))
    size = PDF.stat().st_size / 1e6
    print(f"PDF edition: {pages} pages, {size:.1f} MB")
    assert 150 <= pages <= 1500, f"the PDF has {pages} pages"
    assert size < 60, f"the PDF is {size:.1f} MB"
