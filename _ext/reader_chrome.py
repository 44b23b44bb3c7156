"""Sphinx extension: the reader's edition of the theme's chrome (issue 12).

Adds ``_ext/static/reader.js`` and ``reader.css`` to every HTML page. Each fix there is
commented with the defect it answers; in short:

* the navigation and "On this page" buttons work on phones and tablets, and the desktop
  sidebar toggle works (a workaround for pydata-sphinx-theme issue #2451, which every
  fresh install of jupyter-book 1.0.4 has: sphinx-book-theme 1.3.0 pins pydata 0.17.1);
* the theme's buttons get accessible names that contain their visible text (axe-core);
* nothing scrolls the whole page sideways at 390 px: long inline code and links may break,
  wide equations and tables scroll inside their own box.

And, on the theme's header buttons (``html-page-context``, after sphinx-book-theme adds them):

* the download menu offers the whole book as a PDF (``book.pdf`` next to the HTML book, put
  there by ``make pdf``), and the theme's "print this page" entry is called that, not ".pdf";
* exercise pages get no Colab button: their checks need this repository's files (their text
  says so), so a Colab launch could only fail. Binder, which has the repository, stays.

And two pieces of chrome (``config-inited``, and ``templates/layout.html``):

* one search field, not two: pydata-sphinx-theme 0.17 adds a header bar whose only item is a
  second "Search Ctrl+K" field (its ``navbar_persistent`` default) above sphinx-book-theme's own
  field in the sidebar; with ``navbar_persistent`` empty the theme leaves that bar out (the
  article header keeps its search button for narrow screens);
* no doubled title: the page whose heading is the book's title (the introduction) gets
  "Neural Networks from Scratch" as its ``<title>``, not that title twice;
* from ``file://`` the search page says how to serve the book (``reader.js``).

And page weight (``html-page-context``): every figure in a page's body loads lazily
(``loading="lazy"``), so the figures far below do not share the reader's bandwidth with the
theme's deferred scripts, which DOMContentLoaded waits for. On Chrome DevTools' "Fast 4G" profile
this took chapter 7 from 4.75 s to DOMContentLoaded to 3.56 s. The two largest scripts, Font
Awesome's (``templates/layout.html``) and MathJax (``config-inited``), load ``async`` rather than
``defer``, so DOMContentLoaded does not wait for them either (figures in benchmarks/README.md).

``tests/test_browser.py`` checks every one of these in Chromium (and ``tests/test_book_build.py``
the titles).
"""
import pathlib
import re

STATIC = pathlib.Path(__file__).parent / "static"
TEMPLATES = pathlib.Path(__file__).parent / "templates"


def add_static_path(app, config):
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]


def math_async(app, config):
    """MathJax (1.2 MB, 0.26 MB gzipped) loads ``async`` instead of ``defer``: the page is ready
    (DOMContentLoaded) without waiting for it; it typesets the formulas when it arrives."""
    config.mathjax_options = {**(config.mathjax_options or {}), "async": "async"}


def one_search_field(app, config):
    options = dict(config.html_theme_options or {})
    options["navbar_persistent"] = []
    config.html_theme_options = options


IMG_WITHOUT_LOADING = re.compile(r"<img(?![^>]*\bloading=)")


def lazy_figures(app, pagename, templatename, context, doctree):
    """``loading="lazy"`` on every ``<img>`` of the page body that does not choose already."""
    if "body" in context:
        context["body"] = IMG_WITHOUT_LOADING.sub('<img loading="lazy"', context["body"])


def add_templates(app, config):
    """``templates/layout.html``: the theme's layout, whose ``<title>`` is "page — book" except on
    the page titled like the book (``titlesuffix`` is set inside Sphinx's template, so a template
    block, not the page context, is where to change it)."""
    config.templates_path = list(config.templates_path) + [str(TEMPLATES)]


BOOK_PDF = "book.pdf"
NO_COLAB_PREFIXES = ("exercises/",)


def adjust_header_buttons(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            for button in group["buttons"]:
                if button.get("label") == "download-pdf-button":
                    button["text"] = "print page"
                    button["tooltip"] = "Print this page (or save it as a PDF)"
            group["buttons"].append({
                "type": "link",
                "url": context["pathto"](BOOK_PDF, 1),
                "text": "book (PDF)",
                "tooltip": "Download the whole book as one PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            })
        if group.get("label") == "launch-buttons" and pagename.startswith(NO_COLAB_PREFIXES):
            group["buttons"] = [b for b in group["buttons"] if b.get("text") != "Colab"]


def setup(app):
    app.connect("config-inited", add_static_path)
    app.connect("config-inited", one_search_field)
    app.connect("config-inited", math_async)
    app.connect("config-inited", add_templates)
    app.connect("html-page-context", lazy_figures)
    app.connect("html-page-context", adjust_header_buttons, priority=600)
    app.add_js_file("reader.js")
    app.add_css_file("reader.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
