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

``tests/test_browser.py`` checks every one of these in Chromium (and ``tests/test_book_build.py``
the titles).
"""
import pathlib

STATIC = pathlib.Path(__file__).parent / "static"
TEMPLATES = pathlib.Path(__file__).parent / "templates"


def add_static_path(app, config):
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]


def one_search_field(app, config):
    options = dict(config.html_theme_options or {})
    options["navbar_persistent"] = []
    config.html_theme_options = options


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
    app.connect("config-inited", add_templates)
    app.connect("html-page-context", adjust_header_buttons, priority=600)
    app.add_js_file("reader.js")
    app.add_css_file("reader.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
