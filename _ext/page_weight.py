"""Sphinx extension: slider frames are separate image files, loaded when first shown.

A static twin (nnlib/widgets/static.py) is one HTML output holding every frame as a
``data:image/png;base64,...`` URI, so the notebook and Jupyter show it with no other file. In the
HTML book that made chapter 7 a 1.45 MB page that a browser can neither cache nor load lazily.
When a page's doctree is resolved, this extension writes each such frame to ``_images/`` (named
by the hash of its bytes, like myst-nb's own figures) and points the ``<img>`` at the file; the
frames that start hidden get ``loading="lazy"``, so a reader downloads a frame only when the
slider first shows it. Other builders (the PDF edition) are untouched. Checked by
tests/test_book_build.py (page weight) and tests/test_browser.py (the sliders still work).

It also keeps out the widget state that a notebook saved for its live sliders (myst-nb writes
it into the page as a ``<script type="application/vnd.jupyter.widget-state+json">``, 267 KB
in chapter 7). Nothing reads it: the book loads no widget manager (``nb_ipywidgets_js: {}``
in _config.yml), because live widgets need a kernel and their cells are hidden; the HTML
shows the static twins instead.
"""
import base64
import hashlib
import pathlib
import re

from docutils import nodes

DATA_SRC = re.compile(r'src="data:image/(png|jpeg);base64,([A-Za-z0-9+/=\s]+)"')
HIDDEN_FRAME = re.compile(r'<img (data-frame="\d+"[^>]*?style="display:none)')


def externalise_frames(app, doctree, docname):
    if app.builder.format != "html":
        return
    images = pathlib.Path(app.outdir) / "_images"
    prefix = "../" * docname.count("/") + "_images/"

    def to_file(match):
        data = base64.b64decode(match.group(2))
        name = f"{hashlib.sha256(data).hexdigest()}.{match.group(1).replace('jpeg', 'jpg')}"
        path = images / name
        if not path.exists():
            images.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return f'src="{prefix}{name}"'

    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split() or "data:image/" not in node.astext():
            continue
        text = DATA_SRC.sub(to_file, node.astext())
        text = HIDDEN_FRAME.sub(r'<img loading="lazy" \1', text)
        node.replace_self(nodes.raw(node.rawsource, text, format=node["format"]))


def drop_unused_widget_state(app, doctree):
    """Forget the saved ipywidgets state of the page just read when no widget manager loads it."""
    if app.config.nb_ipywidgets_js:
        return
    metadata = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
    metadata.get("js_files", {}).pop("ipywidgets_state", None)


def setup(app):
    app.connect("doctree-resolved", externalise_frames)
    app.connect("doctree-read", drop_unused_widget_state)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
