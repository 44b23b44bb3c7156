"""Static twins for every reader (issue 12): screen-reader text, keyboard and ◀ ▶ controls on every
slider, one binding per copy, and a PNG of the first frame for outputs that cannot show HTML (the
PDF edition). The behaviour in a browser is checked by tests/test_browser.py."""
import re

import matplotlib
import matplotlib.pyplot as plt

from nnlib import widgets

matplotlib.use("Agg")


def _figure(value, colour="C0"):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.bar([0], [value], color=colour)
    return fig


def test_one_slider_twin_has_valuetext_buttons_and_a_png_fallback():
    twin = widgets.static_slider(_figure, [1, 2, 3], label="height", initial_value=2,
                                 format_value=lambda v: f"{v} units")
    text = twin.data
    assert re.search(r'<input type="range"[^>]*aria-valuetext="2 units"', text)
    assert 'aria-label="previous height"' in text and 'aria-label="next height"' in text
    assert 'setAttribute("aria-valuetext"' in text
    assert "stopPropagation" in text                     # arrow keys stay with the slider in JupyterLab
    assert "document.currentScript" in text              # two views of one notebook bind separately
    png = twin._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    second_frame = re.findall(r'data-frame="1"[^>]*src="data:image/png;base64,([^"]+)"', text)[0]
    import base64
    assert base64.b64decode(second_frame) == png, "the PNG must be the frame shown first"


def test_two_slider_twin_has_the_same_controls_on_both_sliders():
    twin = widgets.static_slider_grid(_figure, [1, 2], ["C0", "C1", "C2"], "height", "colour",
                                      initial_values=(2, "C1"))
    text = twin.data
    assert text.count('<input type="range"') == 2
    assert len(re.findall(r'<button type="button" data-slider="[01]" data-step="-?1"', text)) == 4
    assert re.search(r'aria-valuetext="2"', text) and re.search(r'aria-valuetext="C1"', text)
    assert twin._repr_png_().startswith(b"\x89PNG")


# --- the twins in a browser: untrusted notebooks, keyboard in JupyterLab, two views -------------
# A plain Chromium page stands in for JupyterLab's output area (tests/test_lab.py runs a twin in
# JupyterLab itself): the twin's HTML is put into the page the way Lab renders an output.

import pytest  # noqa: E402

from test_browser import CHROMIUM_FLAGS, find_chromium  # noqa: E402

# How JupyterLab renders trusted HTML output: innerHTML (scripts inert), then each <script> replaced
# by a fresh copy, which runs with document.currentScript set to it (evalInnerHTMLScriptTags).
RENDER_AS_LAB = """([html, trusted]) => {
  const host = document.createElement("div");
  host.className = "view";
  document.body.appendChild(host);
  host.innerHTML = html;
  for (const old of Array.from(host.querySelectorAll("script"))) {
    if (trusted) {
      const fresh = document.createElement("script");
      fresh.text = old.text;
      old.parentNode.replaceChild(fresh, old);
    } else {
      old.remove();                    // an untrusted notebook: Lab's sanitiser drops scripts
    }
  }
}"""


@pytest.fixture(scope="module")
def page():
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (looked for /usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        yield page
        browser.close()


def _fresh(page):
    page.set_content("<!doctype html><html><body></body></html>")
    # What reaches the document: JupyterLab's shortcuts listen here.
    page.evaluate("window.leaked = []; document.addEventListener('keydown', e => window.leaked.push(e.key))")


def _visible_frame(root):
    return root.evaluate("r => Array.from(r.querySelectorAll('img[data-frame]'))"
                         ".filter(i => i.style.display !== 'none').map(i => i.dataset.frame)")


TWINS = {
    "one slider": lambda: widgets.static_slider(_figure, [1, 2, 3, 4], label="height").data,
    "two sliders": lambda: widgets.static_slider_grid(_figure, [1, 2, 3], ["C0", "C1"], "height", "colour").data,
}


@pytest.mark.parametrize("kind", TWINS)
def test_untrusted_twin_says_how_to_make_it_move(page, kind):
    _fresh(page)
    page.evaluate(RENDER_AS_LAB, [TWINS[kind](), False])
    note = page.locator(".nnlib-twin-note")
    assert note.is_visible(), "without its script the twin must say how to make it work"
    assert "Run this cell (or trust the notebook)" in note.inner_text()


@pytest.mark.parametrize("kind", TWINS)
def test_trusted_twin_hides_the_note_and_keeps_its_keys_from_the_notebook(page, kind):
    _fresh(page)
    page.evaluate(RENDER_AS_LAB, [TWINS[kind](), True])
    assert not page.locator(".nnlib-twin-note").is_visible()
    root = page.locator(".view > div").element_handle()
    slider = page.locator("input[type=range]").first
    before = _visible_frame(root)
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    assert _visible_frame(root) != before, "the arrow keys must move the twin"
    page.locator("button[aria-label^='previous']").first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    assert page.evaluate("window.leaked") == [], "the twin's keys must not reach JupyterLab's shortcuts"
    page.keyboard.press("a")                  # a key the twin does not handle still reaches Lab
    assert page.evaluate("window.leaked") == ["a"]


@pytest.mark.parametrize("kind", TWINS)
def test_two_views_of_one_output_move_independently(page, kind):
    """Two views of one notebook render the same stored HTML (the same ids) twice."""
    _fresh(page)
    html_text = TWINS[kind]()
    page.evaluate(RENDER_AS_LAB, [html_text, True])
    page.evaluate(RENDER_AS_LAB, [html_text, True])
    first, second = [view.query_selector("div") for view in page.query_selector_all(".view")]
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]')).map(n => n.id)")
    assert len(ids) == len(set(ids)), f"ids repeated across the two views: {ids}"
    for root in (first, second):
        for label in root.query_selector_all("label[for], output[for]"):
            target = label.get_attribute("for")
            assert root.query_selector(f"[id='{target}']") is not None, "a label must name its own slider"
    before_first, before_second = _visible_frame(first), _visible_frame(second)
    second.query_selector("button[data-step='1']").click()
    assert _visible_frame(second) != before_second, "the second view's twin must move"
    assert _visible_frame(first) == before_first, "moving the second view must leave the first alone"
    first_range = first.query_selector("input[type=range]")
    start = int(first_range.evaluate("r => r.value"))
    first.query_selector("button[data-step='1']").click()
    assert int(first_range.evaluate("r => r.value")) == start + 1, "one click moves its slider by one step"
    assert _visible_frame(first) != before_first
