"""The book builds with zero warnings, and the built pages have what a reader needs.

Runs the same build as `make book` (jupyter-book 1, -W -n --keep-going) into _build/,
so a broken page, a failing notebook cell or a dangling reference fails the suite.
"""
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def toc_files():
    """Every file listed in _toc.yml (root and chapters), without extension."""
    text = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.MULTILINE)
    assert files, "no files found in _toc.yml"
    return files


@pytest.fixture(scope="module")
def build(book_build):
    return book_build


def test_book_builds_without_warnings(build):
    output = build.stdout + build.stderr
    # Sphinx's own warnings look like "path:line: WARNING: ..." (kernels' stderr lines do not).
    warnings = [line for line in output.splitlines() if re.search(r"(^|: )(WARNING|ERROR):", line)]
    assert build.returncode == 0, "the book build failed:\n" + "\n".join(warnings or output.splitlines()[-40:])
    assert not warnings, "the book build printed warnings:\n" + "\n".join(warnings)


def test_every_toc_page_is_built(build):
    missing = [name for name in toc_files() if not (HTML / f"{name}.html").exists()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


def test_no_notebook_failed_during_the_build(build):
    reports = sorted((HTML / "reports").rglob("*.err.log")) if (HTML / "reports").exists() else []
    assert not reports, f"notebook execution errors were logged: {[str(p) for p in reports]}"


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("chapters/") and n[9:11].isdigit()])
def test_chapter_pages_have_math_and_launch_buttons(build, name):
    page = (HTML / f"{name}.html").read_text()
    assert "mathjax" in page.lower(), f"{name}: no MathJax on the page"
    assert "mybinder.org" in page, f"{name}: no Binder launch button"
    assert "colab.research.google.com" in page, f"{name}: no Colab launch button"


def test_colab_cells_match_the_repository_url():
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import sync_colab_cells
    finally:
        sys.path.pop(0)
    stale = sync_colab_cells.stale_notebooks()
    assert not stale, (
        f"these notebooks' Colab set-up cell differs from _config.yml's repository.url: {stale}; "
        "run `python .ci/sync_colab_cells.py`"
    )


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("exercises/student/")])
def test_exercise_pages_offer_binder_but_not_colab(build, name):
    """The exercise checks need this repository's files: Colab cannot run them, Binder can."""
    page = (HTML / f"{name}.html").read_text()
    assert "mybinder.org" in page, f"{name}: no Binder launch button"
    assert "colab.research.google.com" not in page, f"{name}: a Colab button, where the checks cannot run"


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("chapters/")])
def test_download_menu_offers_the_whole_book_as_pdf(build, name):
    page = (HTML / f"{name}.html").read_text()
    links = re.findall(r'href="([^"]*book\.pdf)"', page)
    assert links, f"{name}: the download menu has no link to the PDF edition"
    assert (HTML / f"{name}.html").parent.joinpath(links[0]).resolve() == (HTML / "book.pdf").resolve()
    assert "print page" in page


def article_images(name):
    """(alt, src) of every <img> in a built page's article (the theme's logos are outside it)."""
    page = (HTML / f"{name}.html").read_text()
    article = page[page.find("<article"):page.rfind("</article>")]
    images = []
    for tag in re.findall(r"<img\b[^>]*>", article):
        alt = re.search(r'\balt="([^"]*)"', tag)
        src = re.search(r'\bsrc="([^"]*)"', tag)
        images.append((alt.group(1) if alt else None, src.group(1)[:60] if src else ""))
    return images


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("chapters/")])
def test_every_figure_has_alt_text_that_says_what_it_shows(build, name):
    bad = [(alt, src) for alt, src in article_images(name)
           if not alt or not alt.strip() or re.search(r"(^|/)[\w.-]+\.(png|jpe?g|svg|gif)$", alt.strip())
           or alt.strip().startswith(("../", "_images", "data:"))]
    assert not bad, f"{name}: figures whose alt text is empty, a path or a file name: {bad[:5]}"


MAX_PAGE_KB = 600


def test_no_page_is_heavier_than_600_kb(build):
    """Slider frames are files (_ext/page_weight.py), not inline data: URIs that no browser can cache."""
    weights = {str(p.relative_to(HTML)): p.stat().st_size / 1024 for p in HTML.rglob("*.html")
               if "_static" not in p.parts}
    heaviest = sorted(weights.items(), key=lambda item: -item[1])[:5]
    print("heaviest pages (KB):", ", ".join(f"{name} {kb:.0f}" for name, kb in heaviest))
    assert heaviest[0][1] <= MAX_PAGE_KB, f"pages over {MAX_PAGE_KB} KB: {heaviest}"
    inline = [name for name in weights if "data:image/png;base64" in (HTML / name).read_text()]
    assert not inline, f"pages with inline base64 images: {inline}"


# --- Small chrome (issue 12, item 10): no doubled title, one search field ---------------------------

def built_pages():
    return [name for name in toc_files()] + ["search", "genindex"]


@pytest.mark.parametrize("name", built_pages())
def test_page_title_names_the_book_once(build, name):
    page = (HTML / f"{name}.html").read_text()
    titles = re.findall(r"<title>(.*?)</title>", page, flags=re.DOTALL)
    assert len(titles) == 1, f"{name}: {len(titles)} <title> elements"
    parts = [part.strip() for part in re.split(r"&#8212;|—| - ", titles[0])]
    assert all(parts) and len(parts) == len(set(parts)), f"{name}: the title repeats itself: {titles[0]!r}"
    assert parts[-1] == "Neural Networks from Scratch", f"{name}: the title does not end with the book's"


@pytest.mark.parametrize("name", built_pages())
def test_one_search_field_per_page(build, name):
    """sphinx-book-theme's field in the sidebar; not a second one in pydata's header bar."""
    page = (HTML / f"{name}.html").read_text()
    fields = re.findall(r'<button[^>]*class="[^"]*\bsearch-button-field\b', page)
    assert len(fields) == 1, f"{name}: {len(fields)} search fields"
    assert "navbar-persistent--mobile" not in page, f"{name}: pydata's header search is back"


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("chapters/")])
def test_figures_load_lazily(build, name):
    """Figures do not compete with the theme's scripts for bandwidth before DOMContentLoaded."""
    page = (HTML / f"{name}.html").read_text()
    article = page[page.index('<article'):page.index('</article>')]
    eager = [tag[:80] for tag in re.findall(r"<img\b[^>]*>", article) if 'loading="lazy"' not in tag]
    assert not eager, f"{name}: figures without loading=lazy: {eager[:3]}"
