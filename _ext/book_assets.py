"""Sphinx extension: the book's pages load nothing from the network and log no errors.

1. MathJax is served from the build itself, so math renders offline.

Sphinx normally loads MathJax from a CDN. This extension points ``mathjax_path`` at
a copy inside ``_static/`` and, when the build finishes, copies the parts of MathJax 3
that the book uses (the TeX-to-CommonHTML bundle, its web fonts and the TeX
extensions it may load on demand) from the ``django-static-mathjax`` package that
requirements.txt installs (a plain copy of MathJax's files; Django is not needed).

2. Two fixes for a clean browser console (checked by tests/test_browser.py):
   sphinx-thebe registers its inline configuration script twice under jupyter-book 1
   ("Identifier 'THEBE_JS_URL' has already been declared"), so duplicate scripts are
   dropped from each page; and the theme gets an explicit default colour mode (html_context's default_mode), without
   which pydata-sphinx-theme logs "Got invalid theme mode".
"""
import pathlib
import shutil

MATHJAX_ENTRY = "mathjax/es5/tex-chtml.js"
# Paths inside MathJax's es5/ folder that the book needs at reading time.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")


def mathjax_source():
    """The folder holding MathJax's es5/ build, from the installed package."""
    try:
        import mathjax
    except ImportError as error:
        raise RuntimeError(
            "The offline MathJax copy is missing: install the requirements "
            "(`make install`, which installs django-static-mathjax)."
        ) from error
    source = pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").exists():
        raise RuntimeError(f"MathJax's tex-chtml.js was not found under {source}.")
    return source


def configure(app, config):
    mathjax_source()  # fail early, with a clear message, if the package is missing
    config.mathjax_path = MATHJAX_ENTRY
    config.html_context.setdefault("default_mode", "auto")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Keep the first of several identical <script> entries (same file, same inline body)."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # An inline script has no file name (None or ""); its body is in its attributes.
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = pathlib.Path(app.outdir) / "_static" / "mathjax" / "es5"
    for part in MATHJAX_PARTS:
        origin, destination = source / part, target / part
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)


def setup(app):
    app.connect("config-inited", configure)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)  # after others add theirs
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
