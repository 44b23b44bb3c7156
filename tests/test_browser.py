"""The built book, opened in headless Chromium with the network cut off, works for a reader.

Every page of the table of contents is served from _build/html on 127.0.0.1 and
opened in Debian's Chromium (driven by Playwright, which uses that browser rather
than downloading its own). Every request that is not to the local server is
aborted, so anything the book would need from the internet shows up as a failure.
Checked on each page: no console errors, math rendered by MathJax (no raw `$$`
left), every image loaded, and each pre-computed slider shows another frame when
moved. The search page must find "backpropagation". A screenshot of each page is
saved under _build/screenshots/ for a person to look at.
"""
import functools
import http.server
import os
import pathlib
import re
import shutil
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"]


def find_chromium():
    found = os.environ.get("CHROMIUM") or next((p for p in CHROMIUM_CANDIDATES if os.path.exists(p)), None)
    if found is None and shutil.which("chromium"):
        found = shutil.which("chromium")
    return found


def toc_pages():
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def server(book_build):
    assert book_build.returncode == 0, "the book did not build; see test_book_build.py"
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        message = ("Chromium is not installed (looked for /usr/bin/chromium); the browser test needs "
                   "Debian's `chromium` package. .ci/run installs it in CI.")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, server):
    """Open a page with only the local server reachable; collect console errors and blocked requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    context.set_default_timeout(30_000)
    blocked, errors = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server) or url.startswith("data:") or url.startswith("blob:"):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)

    def opener(path):
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        return page

    opener.blocked, opener.errors = blocked, errors
    yield opener
    context.close()


def wait_for_math(page):
    """Wait until MathJax has typeset the page (if it has math); return the number of formulas."""
    has_math = page.evaluate("document.querySelectorAll('.math, span.math, div.math').length") > 0
    if not has_math:
        return 0
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise !== undefined")
    page.evaluate("MathJax.startup.promise")
    return page.evaluate("document.querySelectorAll('mjx-container').length")


@pytest.mark.parametrize("name", toc_pages())
def test_page_works_offline(open_page, name):
    page = open_page(f"{name}.html")
    formulas = wait_for_math(page)
    text = page.inner_text("article")
    raw_math = [line for line in text.splitlines() if "$$" in line]
    # Figures load lazily (_ext/reader_chrome.py): load every shown one now, then check them all.
    page.evaluate("[...document.images].filter(i => i.loading === 'lazy' && i.offsetParent !== null)"
                  ".forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("[...document.images].filter(i => i.offsetParent !== null).every(i => i.complete)",
                           timeout=30_000)
    broken_images = page.evaluate(
        "[...document.images].filter(i => !(i.loading === 'lazy' && i.offsetParent === null))"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '__')}.png"))

    assert not open_page.blocked, f"{name}: the page asked the network for {open_page.blocked[:5]}"
    assert not open_page.errors, f"{name}: console errors {open_page.errors[:5]}"
    assert not broken_images, f"{name}: images that did not load: {broken_images}"
    assert not raw_math, f"{name}: unrendered math left on the page: {raw_math[:3]}"
    if page.evaluate("document.querySelectorAll('div.math').length"):
        assert formulas > 0, f"{name}: the page has math but MathJax rendered none of it"


def page_source_slider_count(name):
    """How many static sliders the notebook's stored outputs hold (0 for pages that are not notebooks)."""
    notebook = ROOT / f"{name}.ipynb"
    if not notebook.exists():
        return 0
    text = notebook.read_text()
    return text.count('class=\\"nnlib-static-slider\\"') + text.count('class=\\"nnlib-static-slider-grid\\"')


def visible_frame(slider):
    return slider.evaluate(
        "el => [...el.querySelectorAll('img[data-frame]')].filter(i => i.offsetParent !== null)"
        ".map(i => i.dataset.frame).join(',')")


@pytest.mark.parametrize("name", [n for n in toc_pages() if n.startswith("chapters/")])
def test_static_sliders_change_the_picture(open_page, name):
    page = open_page(f"{name}.html")
    sliders = page.query_selector_all(".nnlib-static-slider, .nnlib-static-slider-grid")
    # Every pre-computed slider in the notebook's stored HTML must be found on the page.
    assert len(sliders) == page_source_slider_count(name), f"{name}: a static slider did not render"
    for index, slider in enumerate(sliders):
        for range_input in slider.query_selector_all("input[type=range]"):
            before = visible_frame(slider)
            maximum = range_input.get_attribute("max")
            current = range_input.evaluate("el => el.value")
            target = "0" if current == maximum else maximum
            range_input.evaluate(
                "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", target)
            after = visible_frame(slider)
            shown = slider.query_selector(f'img[data-frame="{after}"]')
            shown.scroll_into_view_if_needed(timeout=10_000)   # a lazily loaded frame loads when seen
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shown, timeout=15_000)
            assert before and after, f"{name}: slider {index} shows no frame"
            assert after != before, f"{name}: moving slider {index} did not change the picture ({before})"
            slider.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '__')}__slider{index}.png"))
    assert not open_page.errors, f"{name}: console errors {open_page.errors[:5]}"


def test_search_finds_backpropagation(open_page):
    page = open_page("search.html?q=backpropagation")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    results = page.query_selector_all("#search-results ul.search li")
    page.screenshot(path=str(SCREENSHOTS / "search.png"))
    assert results, "searching the book for 'backpropagation' found nothing"
    assert not open_page.blocked, f"search asked the network for {open_page.blocked[:5]}"


def test_search_from_a_file_says_how_to_serve_the_book(browser):
    """Opened as _build/html/index.html (as the introduction allows), search finds pages but the
    browser refuses their snippets; the search page says how to serve the book instead."""
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else r.abort())
    page = context.new_page()
    page.goto((HTML / "search.html").as_uri() + "?q=backpropagation", wait_until="load")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    note = page.locator("#nnfs-file-search-note")
    assert note.is_visible(), "from file:// the search page must say how to serve the book"
    assert "python -m http.server --directory _build/html" in note.inner_text()
    context.close()


def test_search_note_is_only_for_files(open_page):
    page = open_page("search.html?q=backpropagation")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    assert page.locator("#nnfs-file-search-note").count() == 0


@pytest.mark.parametrize("width", [1280, 390])
def test_one_visible_way_to_search(open_device, width):
    """One search field on a desktop (not a second in a header bar), and a search button on a phone."""
    device = DESKTOP if width == 1280 else PHONE
    page = open_device(f"{NAV_PAGE}.html", device)
    visible = page.evaluate("""[...document.querySelectorAll('.search-button__button')]
        .filter(b => b.checkVisibility({visibilityProperty: true, opacityProperty: true}))
        .map(b => b.className)""")
    assert len(visible) == 1, f"{width} px: {len(visible)} visible search controls: {visible}"
    page.locator(".search-button__button").filter(visible=True).first.click()
    page.wait_for_selector("#pst-search-dialog[open], .search-button__wrapper.show", timeout=5000)
    assert not page.errors, page.errors[:5]


# --- Phones and tablets (issue 12): navigation, page contents, no sideways scrolling --------------

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
TABLET = {"viewport": {"width": 900, "height": 1200}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NAV_PAGE = "chapters/03_forward_propagation"


@pytest.fixture
def open_device(browser, server):
    """Open a page in a fresh context with the given device settings; only the local server is reachable."""
    contexts = []

    def opener(path, device):
        context = browser.new_context(**device)
        context.set_default_timeout(30_000)
        contexts.append(context)
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server)
                      or r.request.url.startswith(("data:", "blob:")) else r.abort())
        page = context.new_page()
        page.errors = []
        page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        return page

    yield opener
    for context in contexts:
        context.close()


def visible_button(page, selector):
    buttons = [b for b in page.query_selector_all(selector) if b.is_visible()]
    assert buttons, f"no visible {selector} button at width {page.viewport_size['width']}"
    return buttons[0]


def dialog_open(page, dialog_id):
    return page.evaluate(f"document.getElementById('{dialog_id}').open")


@pytest.mark.parametrize("device", [PHONE, TABLET], ids=["390px", "900px"])
def test_navigation_drawer_opens_and_closes_on_touch_screens(open_device, device):
    page = open_device(f"{NAV_PAGE}.html", device)
    assert not dialog_open(page, "pst-primary-sidebar-modal")
    visible_button(page, ".primary-toggle").tap()
    page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open", timeout=5000)
    links = page.evaluate("""[...document.querySelectorAll('#pst-primary-sidebar-modal a')]
        .filter(a => a.offsetParent !== null).map(a => a.getAttribute('href'))""")
    chapters = [href for href in links if re.search(r"\d\d_\w+\.html", href or "")]
    assert len(chapters) >= 11, f"the navigation drawer shows only these chapter links: {chapters}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"nav_drawer_{device['viewport']['width']}.png"))
    page.keyboard.press("Escape")
    page.wait_for_function("!document.getElementById('pst-primary-sidebar-modal').open", timeout=5000)
    assert not page.errors, page.errors[:5]


@pytest.mark.parametrize("device", [PHONE, TABLET], ids=["390px", "900px"])
def test_page_contents_drawer_opens_and_closes_on_touch_screens(open_device, device):
    page = open_device(f"{NAV_PAGE}.html", device)
    visible_button(page, ".secondary-toggle").tap()
    page.wait_for_function("document.getElementById('pst-secondary-sidebar-modal').open", timeout=5000)
    anchors = page.evaluate("""[...document.querySelectorAll('#pst-secondary-sidebar-modal a')]
        .filter(a => a.offsetParent !== null).map(a => a.getAttribute('href'))""")
    assert len([a for a in anchors if a.startswith("#")]) >= 3, f"page contents drawer links: {anchors}"
    page.keyboard.press("Escape")
    page.wait_for_function("!document.getElementById('pst-secondary-sidebar-modal').open", timeout=5000)
    assert not page.errors, page.errors[:5]


def test_desktop_sidebar_toggle_hides_and_shows_the_navigation(open_device):
    page = open_device(f"{NAV_PAGE}.html", DESKTOP)
    sidebar = page.query_selector("#pst-primary-sidebar")
    assert sidebar.is_visible()
    visible_button(page, ".primary-toggle").click()
    page.wait_for_function("!document.getElementById('pst-primary-sidebar').checkVisibility({visibilityProperty: true})",
                           timeout=5000)
    assert not dialog_open(page, "pst-primary-sidebar-modal"), "on a desktop the toggle must not open a drawer"
    visible_button(page, ".primary-toggle").click()
    page.wait_for_function("document.getElementById('pst-primary-sidebar').checkVisibility({visibilityProperty: true})",
                           timeout=5000)


def sideways_overflow(page):
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                         " - document.documentElement.clientWidth")


# Known open (issue 12 item 3): before the span.pre rule in reader.css, 6 pages overflowed by
# 7-52 px at 390 px (long inline code); the rule is not yet verified on a fresh build, so the
# check reports without failing until it is (remove this mark once it passes on a clean clone).
@pytest.mark.parametrize("name", toc_pages())
def test_nothing_scrolls_sideways_on_a_phone(open_device, name):
    page = open_device(f"{name}.html", PHONE)
    wait_for_math(page)
    overflow = sideways_overflow(page)
    culprits = [] if overflow <= 0 else page.evaluate("""() => {
        const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('article *')].filter(e => e.getBoundingClientRect().right > w + 1)
          .filter(e => !e.closest('pre, .highlight, mjx-container, table, .cell_output'))
          .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40));
    }""")
    assert overflow <= 0, f"{name}: the page is {overflow} px wider than a 390-px phone: {culprits}"


# --- Accessibility (issue 12): axe-core on every page ---------------------------------------------

def axe_script():
    """axe-core's browser bundle, from the axe-playwright-python wheel (requirements.txt): no CDN."""
    module = pytest.importorskip("axe_playwright_python")
    return pathlib.Path(module.__file__).parent / "axe.min.js"


@pytest.mark.parametrize("name", toc_pages())
def test_no_serious_or_critical_accessibility_violations(open_page, name):
    page = open_page(f"{name}.html")
    wait_for_math(page)
    page.add_script_tag(path=str(axe_script()))
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
            first: v.nodes[0] && v.nodes[0].target.join(' ')}));
    }""")
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    other = sum(v["nodes"] for v in violations if v not in bad)
    print(f"{name}: axe serious/critical nodes {sum(v['nodes'] for v in bad)}, other {other}")
    assert not bad, f"{name}: axe-core finds {bad}"


def test_static_slider_speaks_its_value_and_moves_by_keyboard(open_page):
    # Chapter 5's learning-rate twin has one slider (chapter 3's became a two-slider grid).
    page = open_page("chapters/05_numerical_gradients.html")
    slider = page.query_selector(".nnlib-static-slider input[type=range]")
    assert slider is not None
    root = page.query_selector(".nnlib-static-slider")
    before = visible_frame(root)
    slider.focus()
    page.keyboard.press("ArrowRight")
    after = visible_frame(root)
    assert after != before, "ArrowRight on a focused slider did not change the figure"
    text = slider.get_attribute("aria-valuetext")
    shown = root.query_selector("output").inner_text()
    assert text and text == shown, f"aria-valuetext {text!r} does not say what is shown ({shown!r})"
    root.query_selector("button[data-step='-1']").click()
    assert visible_frame(root) == before
