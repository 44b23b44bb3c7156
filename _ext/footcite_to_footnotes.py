"""Rewrite the chapters' citations as MyST footnotes, which JupyterLab shows as readable text.

In JupyterLab a chapter's ``{footcite}`Cybenko1989,Hornik1989``` is raw text ("{footcite}" and a
code span) and its ``{footbibliography}`` block leaves the "References" heading empty: JupyterLab's
Markdown knows neither (nor does the jupyterlab-myst extension: mystmd's cite roles are ``cite``,
``cite:p``, ``cite:t`` and sphinxcontrib-bibtex's variants, not ``footcite``, and it reads no
``.bib`` file). MyST's own footnotes work in both places:

* in the book (jupyter-book 1, myst-nb) ``[^Cybenko1989]`` is a numbered footnote mark and the
  definitions ``[^Cybenko1989]: G. Cybenko. ...`` are listed, numbered, with back-links, at the end
  of the page -- where the References cell is (the last cell of every chapter) -- as
  ``{footbibliography}`` lists them now (``myst_footnote_transition: false`` is already set);
* in JupyterLab the mark reads ``[^Cybenko1989]`` and the References cell lists every entry in
  full under its heading (checked in JupyterLab 4.6: plain paragraphs, nothing hidden).

This script makes that change: each ``{footcite}`A,B``` becomes ``[^A][^B]``, and each
``{footbibliography}`` block becomes the definitions of the keys that chapter cites, in order of
first citation, formatted from ``chapters/references.bib`` with pybtex (sphinxcontrib-bibtex's
engine, style ``unsrt``, Markdown backend). ``references.bib`` stays the source: re-running the
script on converted chapters rewrites their definitions from it (``--check`` exits 1 when a
chapter is not converted or its definitions differ from the ``.bib``, for a test).

    .venv/bin/python _ext/footcite_to_footnotes.py            # dry run: what would change
    .venv/bin/python _ext/footcite_to_footnotes.py --write    # rewrite chapters/*.ipynb in place
    .venv/bin/python _ext/footcite_to_footnotes.py --check    # exit 1 if any chapter would change

Only Markdown cells change; outputs, ids and metadata are kept, so no chapter needs re-executing.
"""
import argparse
import json
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
FOOTCITE = re.compile(r"\{footcite(?::[a-z]+)?\}`([^`]+)`")
FOOTBIBLIOGRAPHY = re.compile(r"```\{footbibliography\}[^\n]*\n(?::[^\n]*\n)*```")
MARK = re.compile(r"\[\^([^\]\s]+)\]")
DEFINITIONS = re.compile(r"^\[\^[^\]]+\]: [\s\S]*", flags=re.MULTILINE)   # from the first one to the end


def bibliography(path=CHAPTERS / "references.bib"):
    """{key: Markdown text of the entry}, formatted as the book formats its bibliography."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    data = parse_file(str(path))
    style = find_plugin("pybtex.style.formatting", "unsrt")()
    backend = find_plugin("pybtex.backends", "markdown")()
    entries = {}
    for entry in style.format_entries(data.entries.values()):
        text = entry.text.render(backend)
        entries[entry.key] = re.sub(r"\s+", " ", text.replace("\\", "")).strip()
    return entries


def keys_cited(cells):
    """Citation keys in order of first citation: {footcite} roles, or footnote marks once converted."""
    order = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        found = [key for match in FOOTCITE.finditer(text) for key in match.group(1).split(",")]
        found += MARK.findall(DEFINITIONS.sub("", text))
        for key in (k.strip() for k in found):
            if key not in order:
                order.append(key)
    return order


def convert(notebook, entries):
    """The notebook with footnotes instead of footcite/footbibliography; raises on an unknown key."""
    cells = notebook["cells"]
    order = keys_cited(cells)
    missing = [key for key in order if key not in entries]
    if missing:
        raise ValueError(f"keys cited but not in references.bib: {missing}")
    definitions = "\n\n".join(f"[^{key}]: {entries[key]}" for key in order)
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        # A mark must not start a line: "[^Key]: text" there would be a footnote definition.
        new = re.sub(r"\n(?=\{footcite)", " ", text)
        new = FOOTCITE.sub(lambda m: "".join(f"[^{k.strip()}]" for k in m.group(1).split(",")), new)
        new = FOOTBIBLIOGRAPHY.sub(lambda m: definitions, new)
        if DEFINITIONS.search(new):                       # converted before: definitions from the .bib again
            new = DEFINITIONS.sub(lambda m: definitions + "\n" * m.group(0).endswith("\n"), new)
        if new != text:
            cell["source"] = new.splitlines(keepends=True)
    return notebook


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the notebooks in place")
    parser.add_argument("--check", action="store_true", help="exit 1 if any notebook would change")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        default=sorted(CHAPTERS.glob("*.ipynb")))
    args = parser.parse_args()
    entries = bibliography()
    changed = 0
    for path in args.notebooks:
        before = path.read_text()
        notebook = convert(json.loads(before), entries)
        after = nbformat.writes(nbformat.from_dict(notebook))
        if json.loads(after) != json.loads(before):
            changed += 1
            cited = keys_cited(json.loads(before)["cells"])
            print(f"{path}: {len(cited)} keys -> footnotes")
            if args.write:
                path.write_text(after)
    print(f"{changed} notebook(s) {'rewritten' if args.write else 'would change (dry run; --write to apply)'}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
