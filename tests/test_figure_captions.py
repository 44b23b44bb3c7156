"""Key figures are numbered, captioned and referenced from the prose (issue 12, item 4).

A figure made by a code cell gets its number and caption from the cell's metadata,
which myst-nb reads (``render_figure_options``, cell key ``figure``)::

    "metadata": {"mystnb": {"figure": {"name": "fig-xor-hidden",
                                       "caption": "What each hidden unit of the XOR network computes."}}}

With ``numfig`` on (``_config.yml``) Sphinx numbers it, in the HTML and in the PDF, and
the prose refers to it as ``{numref}`fig-xor-hidden```. myst-nb wraps every display
output of such a cell in the figure, so a captioned cell must display exactly one image.
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MIN_CAPTIONED = 2          # "key figures": at least this many in every chapter with this many images


def figure_options(cell):
    return ((cell.get("metadata", {}).get("mystnb") or {}).get("figure")) or None


def image_outputs(cell):
    return [o for o in cell.get("outputs", [])
            if o.get("output_type") in ("display_data", "execute_result")
            and any(m.startswith("image/") for m in o.get("data", {}))]


def display_outputs(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]


def captioned_cells(notebook):
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and figure_options(c)]


def markdown_of(notebook):
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_captioned_figures_are_well_formed_and_referenced(path):
    notebook = json.loads(path.read_text())
    prose = markdown_of(notebook)
    for cell in captioned_cells(notebook):
        options = figure_options(cell)
        name, caption = options.get("name", ""), options.get("caption", "")
        assert re.fullmatch(r"fig-[a-z0-9]+(-[a-z0-9]+)*", name), f"{path.name}: figure name {name!r}"
        assert len(caption.split()) >= 4, f"{path.name}: {name} needs a caption that says what it shows"
        assert len(image_outputs(cell)) == 1 and len(display_outputs(cell)) == 1, (
            f"{path.name}: {name}: a captioned cell must display exactly one image "
            f"(it displays {len(display_outputs(cell))} outputs, {len(image_outputs(cell))} images)")
        assert re.search(r"\{numref\}`(?:[^`<]*<)?" + re.escape(name) + r">?`", prose), (
            f"{path.name}: figure {name} is never referred to ({{numref}}`{name}`)")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_number_their_key_figures(path):
    notebook = json.loads(path.read_text())
    images = sum(len(image_outputs(c)) for c in notebook["cells"])
    if images >= MIN_CAPTIONED:
        assert len(captioned_cells(notebook)) >= MIN_CAPTIONED, (
            f"{path.name}: {images} figures, {len(captioned_cells(notebook))} numbered with a caption")


def test_figure_names_are_unique_in_the_book():
    names = [figure_options(c)["name"] for path in CHAPTERS
             for c in captioned_cells(json.loads(path.read_text()))]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_every_reference_points_to_a_figure_that_exists():
    names = {figure_options(c)["name"] for path in CHAPTERS
             for c in captioned_cells(json.loads(path.read_text()))}
    for path in CHAPTERS:
        for ref in re.findall(r"\{numref\}`(?:[^`<]*<)?(fig-[^`>]+)>?`", markdown_of(json.loads(path.read_text()))):
            assert ref in names, f"{path.name}: {{numref}} to {ref}, which no cell defines"
