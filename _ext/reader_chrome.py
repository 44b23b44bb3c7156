"""Sphinx extension: the reader's edition of the theme's chrome (issue 12).

Adds ``_ext/static/reader.js`` and ``reader.css`` to every HTML page. Each fix there is
commented with the defect it answers; in short:

* the navigation and "On this page" buttons work on phones and tablets, and the desktop
  sidebar toggle works (a workaround for pydata-sphinx-theme issue #2451, which every
  fresh install of jupyter-book 1.0.4 has: sphinx-book-theme 1.3.0 pins pydata 0.17.1);
* the theme's buttons get accessible names that contain their visible text (axe-core);
* nothing scrolls the whole page sideways at 390 px: long inline code and links may break,
  wide equations and tables scroll inside their own box.

``tests/test_browser.py`` checks every one of these in Chromium.
"""
import pathlib

STATIC = pathlib.Path(__file__).parent / "static"


def add_static_path(app, config):
    config.html_static_path = list(config.html_static_path) + [str(STATIC)]


def setup(app):
    app.connect("config-inited", add_static_path)
    app.add_js_file("reader.js")
    app.add_css_file("reader.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
