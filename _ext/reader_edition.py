"""Mechanical, idempotent rewrites of the chapter notebooks for the reader's edition (issue 12).

Usage (from the repository root, after adding or editing a chapter)::

    python _ext/reader_edition.py tags  [NOTEBOOK ...]   # nbval comment markers -> cell tags
    python _ext/reader_edition.py style [NOTEBOOK ...]   # call nnlib.plotting.use_book_style()
    python _ext/reader_edition.py check [NOTEBOOK ...]   # exit 1 if a rewrite is still pending

Without arguments every ``chapters/*.ipynb`` is processed. Each transform changes only what it
must (cell sources and tags; outputs, ids and execution metadata are left alone) and running it
twice changes nothing the second time; ``tests/test_reader_edition.py`` checks both.

``tags``
    nbval reads its markers either from a comment line in the cell (``# NBVAL_CHECK_OUTPUT``) or
    from a cell tag (``nbval-check-output``), see ``comment_markers``/``metadata_tags`` in
    ``nbval/plugin.py``. The comment is printed at the top of the code a reader sees, in the HTML
    book, on Binder and on Colab; the tag is invisible. This transform deletes every marker
    comment line and adds the equivalent tag, so exactly the same cells stay checked.

``style``
    A chapter that never calls ``use_book_style()`` gets the call (and its import) right after
    the last import of its first visible code cell: one palette and set of line styles for the
    whole book, HiDPI figures, and figure descriptions that become the images' alt text.
    Notebooks that already call it are left alone. Re-execute the notebook afterwards.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

# nbval's comment markers and the cell tags that mean the same (nbval/plugin.py, 0.11).
MARKER_TAGS = {
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_RAISES_EXCEPTION": "raises-exception",
}


def chapter_notebooks():
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def read_notebook(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def write_notebook(path, notebook):
    """Write in nbformat's own layout (indent 1, sorted keys, final newline) so diffs stay small."""
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    pathlib.Path(path).write_text(text, encoding="utf-8")


def source_lines(cell):
    source = cell.get("source", "")
    return source.splitlines(keepends=True) if isinstance(source, str) else list(source)


def marker_of(line):
    """The nbval marker a source line consists of (``# NBVAL_CHECK_OUTPUT``), or None."""
    stripped = line.strip()
    if not stripped.startswith("#"):
        return None
    word = stripped.lstrip("#").strip()
    return word if word in MARKER_TAGS else None


def checked(cell):
    """True when nbval compares this cell's output (a tag or a comment marker)."""
    if cell.get("cell_type") != "code":
        return False
    tags = cell.get("metadata", {}).get("tags", [])
    return "nbval-check-output" in tags or any(marker_of(l) == "NBVAL_CHECK_OUTPUT" for l in source_lines(cell))


def markers_to_tags(notebook):
    """Move nbval comment markers into cell tags; return the number of cells changed."""
    changed = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        lines = source_lines(cell)
        markers = [marker_of(line) for line in lines]
        if not any(markers):
            continue
        text = "".join(line for line, marker in zip(lines, markers) if marker is None)
        if text.endswith("\n") and not "".join(lines).endswith("\n"):
            text = text[:-1]  # the marker was the last line: keep Jupyter's "no final newline"
        cell["source"] = text.splitlines(keepends=True)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        for marker in markers:
            if marker and MARKER_TAGS[marker] not in tags:
                tags.append(MARKER_TAGS[marker])
        changed += 1
    return changed


STYLE_CALL = [
    "from nnlib.plotting import use_book_style\n",
    "use_book_style()  # book palette; sharp figures with alt text\n",
]


def _last_import_end(lines):
    """Index just after the last top-level import statement (with its bracketed continuation), or None."""
    end, depth, in_import = None, 0, False
    for index, line in enumerate(lines):
        if depth == 0:
            in_import = line.startswith(("import ", "from "))
        depth += line.count("(") - line.count(")")
        if in_import and depth <= 0:
            end, depth = index + 1, 0
    return end


def book_style(notebook):
    """Add ``use_book_style()`` after the first visible code cell's imports; return cells changed."""
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    if any("use_book_style(" in "".join(source_lines(c)) for c in code):
        return 0
    for cell in code:
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            continue
        lines = source_lines(cell)
        end = _last_import_end(lines)
        if end is None:
            continue
        if not lines[end - 1].endswith("\n"):
            lines[end - 1] += "\n"
        inserted = list(STYLE_CALL)
        if end == len(lines):
            inserted[-1] = inserted[-1].rstrip("\n")
        cell["source"] = lines[:end] + inserted + lines[end:]
        return 1
    return 0


TRANSFORMS = {"tags": markers_to_tags, "style": book_style}


def apply(name, paths, write=True):
    """Run transform ``name`` on ``paths``; return {path: cells changed} for the files it changed."""
    transform = TRANSFORMS[name]
    report = {}
    for path in paths:
        notebook = read_notebook(path)
        changed = transform(notebook)
        if changed:
            report[str(path)] = changed
            if write:
                write_notebook(path, notebook)
    return report


def main(argv):
    if not argv or argv[0] not in (*TRANSFORMS, "check"):
        print(__doc__)
        return 2
    paths = [pathlib.Path(p) for p in argv[1:]] or chapter_notebooks()
    if argv[0] == "check":
        pending = {name: apply(name, paths, write=False) for name in TRANSFORMS}
        pending = {name: files for name, files in pending.items() if files}
        for name, files in pending.items():
            print(f"`python _ext/reader_edition.py {name}` would change: {', '.join(files)}")
        return 1 if pending else 0
    for path, count in apply(argv[0], paths).items():
        print(f"{path}: {count} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
