"""The local path of the README, in a real JupyterLab: a student's notebooks run and their widgets live.

JupyterLab is started headless on a free localhost port, with a token, on a temporary copy of a
chapter, an exercise and a small notebook holding a static twin (so nothing in the checkout is
autosaved over). Its kernel is the project's, registered as `make lab` does it, "Neural Networks
from Scratch (.venv)". Debian's Chromium (driven by Playwright, as in tests/test_browser.py) then:

* opens chapter 3 (the fastest chapter with a live explorer), runs all cells, waits until every
  code cell has run, finds no error output, moves a live ipywidgets slider from the keyboard and
  sees the explorer's figure change (its PNG bytes differ);
* opens the student notebook of exercise 2, runs it with the answer still `...`, and sees otter's
  check say what is wrong;
* opens a static twin untrusted (the note says to run the cell), runs it, moves it with the arrow
  keys without Lab taking them, and opens a second view of the notebook whose twin moves on its own;
* shows that chapter 3's ``{footcite}`` is raw text in Lab with an empty References heading, and
  that after ``_ext/footcite_to_footnotes.py`` (MyST footnotes) the marks and references read.

No request leaves the machine (the browser may reach only the Lab server). The server and its
kernels are stopped at the end.
"""
import base64
import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from test_browser import CHROMIUM_FLAGS, find_chromium

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTER = "chapters/03_forward_propagation.ipynb"
EXERCISE = "exercises/student/02_activation_functions.ipynb"
TWIN = "twin.ipynb"
CITED = "chapters/03_footnotes.ipynb"     # chapter 3 after _ext/footcite_to_footnotes.py
KERNEL_NAME = "nnfs"
KERNEL_DISPLAY_NAME = "Neural Networks from Scratch (.venv)"     # as `make lab` registers it
RUN_TIMEOUT = 90  # seconds for Run All; chapter 3 runs in about 3 s


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_kernel(source, target):
    """Copy a notebook, pointing it at the project's kernel."""
    notebook = json.loads(source.read_text())
    notebook["metadata"]["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME,
                                          "language": "python"}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))


def _twin_notebook(target):
    """A notebook with one stored static twin, as a chapter stores it (executed, not trusted here)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib import widgets

    def figure(height):
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.bar([0], [height])
        ax.set_ylim(0, 4)
        return fig

    source = ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
              "from nnlib import widgets\n\n"
              "def figure(height):\n    fig, ax = plt.subplots(figsize=(2, 1.5))\n"
              "    ax.bar([0], [height])\n    ax.set_ylim(0, 4)\n    return fig\n\n"
              "widgets.static_slider(figure, [1, 2, 3, 4], label='height')")
    twin = widgets.static_slider(figure, [1, 2, 3, 4], label="height")
    notebook = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME,
                                    "language": "python"}},
        "cells": [{"cell_type": "code", "id": "twin", "metadata": {}, "execution_count": 1,
                   "source": source,
                   "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                "data": {"text/html": twin.data, "text/plain": "<HTML twin>"}}]}],
    }
    target.write_text(json.dumps(notebook))


def _converter():
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import footcite_to_footnotes
    finally:
        sys.path.pop(0)
    return footcite_to_footnotes


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a temporary copy; yields (base url, token, root). Stopped with its kernels."""
    pytest.importorskip("jupyterlab")
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    for path in (CHAPTER, EXERCISE):
        _with_kernel(ROOT / path, root / path)
    _twin_notebook(root / TWIN)
    converter = _converter()
    cited = converter.convert(json.loads((ROOT / CHAPTER).read_text()), converter.bibliography())
    (root / CITED).write_text(json.dumps(cited))
    _with_kernel(root / CITED, root / CITED)
    # The project's kernel, exactly as `make lab` registers it, but in this temporary data dir;
    # nnlib comes from this checkout.
    kernel_dir = home / "data" / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME, "language": "python",
        "env": {"PYTHONPATH": str(ROOT), "KERAS_BACKEND": "jax", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                "MPLBACKEND": "module://matplotlib_inline.backend_inline"},
    }))
    # Every cell rendered, not only those in view (the default windowing renders as one scrolls).
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), PYTHONPATH=str(ROOT))
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--allow-root",
               # window.jupyterapp: the test runs Lab's own commands (Run All, open, new view).
               "--LabApp.expose_app_in_browser=True",
               # No network: no news feed, no update check.
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{(home / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield url, token, root
    finally:
        server.send_signal(signal.SIGINT)       # Lab shuts its kernels down, then exits
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
        # No kernel of this server survives it: a kernel's command line names its connection file,
        # which lives in this server's runtime directory.
        runtime = str(home / "runtime")
        deadline = time.monotonic() + 10
        while (left := _processes_naming(runtime)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not left, f"kernels left running after JupyterLab stopped: {left}"


def _processes_naming(text):
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(int(proc.name))
    return found


@pytest.fixture(scope="module")
def page(lab):
    chromium = find_chromium()
    if chromium is None:
        message = "Chromium is not installed (looked for /usr/bin/chromium); .ci/run installs it in CI."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    url, token, _ = lab
    blocked, errors = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)

        def route(request_route):
            request = request_route.request.url
            if request.startswith(url) or request.startswith(("data:", "blob:")) or request.startswith(
                    url.replace("http", "ws")):
                request_route.continue_()
            else:
                blocked.append(request)
                request_route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/lab?token={token}", wait_until="load")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell && "
                               "document.querySelector('.jp-LabShell') !== null", timeout=60_000)
        page.blocked, page.errors = blocked, errors
        yield page
        browser.close()


# --- helpers on Lab's own objects -----------------------------------------------------------------

CURRENT = "window.jupyterapp.shell.currentWidget"


def open_notebook(page, path):
    """Open a notebook in Lab and wait until its kernel (the project's) is ready; return its node id."""
    page.evaluate("async path => { await window.jupyterapp.commands.execute('docmanager:open', "
                  "{path: path, factory: 'Notebook'}); return null; }", path)
    page.wait_for_function(
        f"(path) => {{ const w = {CURRENT}; return w && w.context && w.context.path === path && "
        "w.context.isReady && w.sessionContext.session && w.sessionContext.session.kernel && "
        "w.sessionContext.session.kernel.connectionStatus === 'connected' && "
        "w.sessionContext.session.kernel.status === 'idle'; }", arg=path, timeout=60_000)
    return page.evaluate(f"{CURRENT}.id")


def run_all(page):
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is idle."""
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells'); null")
    page.wait_for_function(
        f"() => {{ const w = {CURRENT}; const cells = w.content.widgets.filter(c => c.model.type === 'code');"
        "return w.sessionContext.session.kernel.status === 'idle' && "
        "cells.every(c => c.model.executionCount !== null) && "
        "![...w.node.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*')); }",
        timeout=RUN_TIMEOUT * 1000, polling=250)


def panel(page, widget_id):
    return page.locator(f"[id='{widget_id}']")


# --- the tests ------------------------------------------------------------------------------------

def test_chapter_runs_and_its_live_slider_redraws_the_figure(page):
    start = time.monotonic()
    widget_id = open_notebook(page, CHAPTER)
    kernel = page.evaluate(f"{CURRENT}.sessionContext.kernelDisplayName")
    assert kernel == KERNEL_DISPLAY_NAME, f"the chapter runs on {kernel!r}, not the project's kernel"
    run_all(page)
    ran = time.monotonic() - start
    notebook = panel(page, widget_id)
    errors = notebook.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, f"Run All left error outputs: {errors.first.inner_text()[:500]}"
    assert page.evaluate(f"{CURRENT}.content.widgets.filter(c => c.model.type === 'code')"
                         ".every(c => c.model.executionCount > 0)")

    # The live explorer: ipywidgets sliders (noUiSlider handles) above an Output widget's figure.
    handle = notebook.locator(".widget-slider .noUi-handle").first
    handle.wait_for(state="attached", timeout=30_000)
    view = handle.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
    figure = view.locator(".widget-output img").first
    figure.wait_for(state="visible", timeout=30_000)
    before = figure.get_attribute("src")
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([img, old]) => img.isConnected ? img.src !== old : true",
                           arg=[figure.element_handle(), before], timeout=30_000)
    after = view.locator(".widget-output img").first
    after.wait_for(state="visible", timeout=30_000)
    after_src = after.get_attribute("src")
    assert before.startswith("data:image/png;base64,") and after_src.startswith("data:image/png;base64,")
    old_png = base64.b64decode(before.split(",", 1)[1])
    new_png = base64.b64decode(after_src.split(",", 1)[1])
    assert old_png.startswith(b"\x89PNG") and new_png.startswith(b"\x89PNG")
    assert new_png != old_png, "moving the live slider did not redraw the explorer's figure"
    assert ran < RUN_TIMEOUT
    assert not page.blocked, f"JupyterLab asked the network for {page.blocked[:5]}"


def test_exercise_check_cell_reports_the_unanswered_question(page):
    widget_id = open_notebook(page, EXERCISE)
    run_all(page)
    notebook = panel(page, widget_id)
    # The check cell under question 1, run with the answer still `...`: otter's report on q1.
    check = notebook.locator(".jp-CodeCell", has_text='grader.check("q1")').first
    report = check.locator(".jp-OutputArea-output").first
    report.wait_for(state="visible", timeout=30_000)
    text = report.inner_text()
    assert "q1" in text and "results" in text, f"no otter report for q1: {text[:300]}"
    assert "returned None" in text, f"the report does not say the answer is still missing: {text[:500]}"
    assert "passed" not in text.split("results", 1)[1][:40], "an unanswered question must not pass"


def test_static_twin_in_lab_untrusted_trusted_keys_and_two_views(page):
    widget_id = open_notebook(page, TWIN)
    notebook = panel(page, widget_id)
    # Untrusted (a fresh copy): Lab strips the script, so the twin says how to make it move.
    note = notebook.locator(".nnlib-twin-note")
    note.wait_for(state="visible", timeout=30_000)
    assert "Run this cell (or trust the notebook)" in note.inner_text()
    assert notebook.locator(".nnlib-static-slider script").count() == 0

    run_all(page)             # the output is now the kernel's own: trusted, the script runs
    notebook.locator(".nnlib-static-slider input[type=range]").wait_for(timeout=30_000)
    page.wait_for_function("root => [...root.querySelectorAll('.nnlib-twin-note')]"
                           ".every(n => n.offsetParent === null)", arg=notebook.element_handle())
    slider = notebook.locator(".nnlib-static-slider input[type=range]")
    cell_before = page.evaluate(f"{CURRENT}.content.activeCellIndex")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert slider.evaluate("r => r.value") == "2", "arrow keys must move the twin in JupyterLab"
    assert notebook.locator(".nnlib-static-slider output").inner_text() == "3"
    assert page.evaluate(f"{CURRENT}.content.activeCellIndex") == cell_before

    # A second view of the same notebook: each view's twin moves on its own.
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:clone'); return null; }")
    page.wait_for_function("() => document.querySelectorAll('.nnlib-static-slider').length === 2")
    first, second = page.locator(".nnlib-static-slider").nth(0), page.locator(".nnlib-static-slider").nth(1)
    values = [root.locator("input[type=range]").evaluate("r => r.value") for root in (first, second)]
    second.locator("button[data-step='1']").click()
    after = [root.locator("input[type=range]").evaluate("r => r.value") for root in (first, second)]
    assert after[0] == values[0], "moving the second view's twin moved the first"
    assert int(after[1]) == int(values[1]) + 1, "the second view's twin must move by one step"
    ids = page.evaluate("[...document.querySelectorAll('.nnlib-static-slider [id], .nnlib-static-slider')]"
                        ".map(n => n.id)")
    assert len(ids) == len(set(ids)), f"the two views share ids: {ids}"
    assert not page.errors, f"page errors in JupyterLab: {page.errors[:5]}"


def test_citations_read_as_footnotes_in_lab(page):
    """Chapter 3 as committed (converted by _ext/footcite_to_footnotes.py) shows its citation marks as
    [^Key] and lists the references under their heading in JupyterLab, where {footcite} was raw text
    and the References heading empty; converting it again changes nothing."""
    def markdown_texts(path):
        widget_id = page.evaluate("async path => { const w = await window.jupyterapp.commands.execute("
                                  "'docmanager:open', {path: path, factory: 'Notebook'}); "
                                  "await w.context.ready; return w.id; }", path)
        cells = panel(page, widget_id).locator(".jp-MarkdownCell .jp-RenderedMarkdown")
        cells.last.wait_for(state="attached", timeout=30_000)
        page.wait_for_function("id => [...document.getElementById(id).querySelectorAll('.jp-MarkdownCell')]"
                               ".every(c => c.querySelector('.jp-RenderedMarkdown'))", arg=widget_id)
        # text_content: off-screen cells have no innerText; "¶" is the heading anchor.
        return [cell.text_content().replace("¶", "").strip() for cell in cells.all()]

    for path in (CHAPTER, CITED):
        shown = markdown_texts(path)
        assert not any("{footcite}" in text or "footbibliography" in text for text in shown), path
        cited = [text for text in shown if "approximate any continuous" in text]
        assert any("[^Cybenko1989]" in text for text in cited), f"{path}: no citation mark in {cited}"
        references = shown[-1]
        assert references.startswith("References") and "Approximation by superpositions" in references
        assert "[^Hornik1989]:" in references and "Multilayer feedforward networks" in references


def test_footnote_conversion_edges():
    """A mark never starts a line (it would become a definition); unknown keys fail; idempotent."""
    converter = _converter()
    entries = {"A": "Author A. Title A. 2001.", "B": "Author B. Title B. 2002."}

    def notebook(*sources):
        return {"cells": [{"cell_type": "markdown", "metadata": {}, "source": s} for s in sources]}

    once = converter.convert(notebook("the **transformer**\n{footcite}`B`: it attends, and {footcite}`A,B`.",
                                      "## References\n\n```{footbibliography}\n```"), entries)
    text, references = ("".join(cell["source"]) for cell in once["cells"])
    assert text == "the **transformer** [^B]: it attends, and [^A][^B]."
    assert references == "## References\n\n[^B]: Author B. Title B. 2002.\n\n[^A]: Author A. Title A. 2001."
    again = converter.convert(json.loads(json.dumps(once)), entries)
    assert again == once
    with pytest.raises(ValueError, match="not in references.bib"):
        converter.convert(notebook("{footcite}`Missing2020`"), entries)
    bib = converter.bibliography()
    assert "Cybenko1989" in bib and "Approximation by superpositions" in bib["Cybenko1989"]


def test_every_kernel_is_the_projects(lab):
    """Three notebooks ran; each on the project's kernel (the fixture checks none outlives the server)."""
    url, token, _ = lab
    with urllib.request.urlopen(f"{url}/api/kernels?token={token}", timeout=5) as response:
        kernels = json.loads(response.read())
    assert len(kernels) >= 1
    assert all(kernel["name"] == KERNEL_NAME for kernel in kernels), kernels
