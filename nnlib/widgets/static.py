"""Static twins: pre-computed frames behind a slider that works without a kernel or a network.

A live explorer needs a running Jupyter kernel; in the HTML book its callbacks never run. A static
twin calls ``make_figure`` once per slider position ahead of time, renders every figure to a PNG,
and packs the frames, range sliders and a few lines of JavaScript into one self-contained HTML
snippet (images as ``data:`` URIs, an inline script), so the slider still works offline.

- :func:`static_slider` (one slider, built on :func:`static_slider_html`) is the twin of the
  layer-size explorer of chapter 3, Forward propagation, and of the learning-rate explorer of
  chapter 5, Numerical gradients and gradient descent;
- :func:`static_slider_grid` (two sliders, built on :func:`static_slider_grid_html`) is the twin
  of the training explorer of chapter 7, Training a network.

In JupyterLab the script runs only in a trusted notebook (or once the cell has run); until then a
note inside the twin says so, and the script hides it. Each rendered copy gets ids of its own (two
views of one notebook), and the keys a twin handles do not reach JupyterLab's shortcuts.

Both are generic: any ``make_figure(value) -> Figure`` (or ``make_figure(first, second)``) can be
turned into a twin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
from typing import Callable, Iterable, Sequence

import matplotlib.pyplot as plt

from ._checks import check_one_of

__all__ = [
    "figure_to_png_base64",
    "render_frames",
    "static_slider_html",
    "static_slider",
    "static_slider_grid_html",
    "static_slider_grid",
]


def _twin(html_text: str, first_frame: str):
    """An ``IPython.display.HTML`` of the twin that also offers its first frame as ``image/png``.

    HTML pages show the slider (text/html comes first there); outputs that cannot show HTML
    -- the PDF edition built with LaTeX, a plain-text console -- show the frame on display.
    """
    from IPython.display import HTML

    twin = HTML(html_text)
    twin._repr_png_ = lambda: base64.b64decode(first_frame)
    return twin


def figure_to_png_base64(fig, dpi: int = 75) -> str:
    """Render a Matplotlib figure to PNG and return it base64-encoded (ASCII text).

    The whole figure is saved (no tight cropping), so frames drawn at one figure size have
    exactly the same pixel size and a slider can switch between them without the page jumping.
    """
    buffer = io.BytesIO()
    # No "Software" metadata: smaller frames, and the same bytes every run.
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_frames(make_figure: Callable, values: Iterable, dpi: int = 75) -> list[str]:
    """Call ``make_figure(value)`` for every value; return the frames as base64 PNG strings.

    Each figure is closed after rendering, so no figure is left open (or shown twice inline).
    """
    frames = []
    for value in values:
        fig = make_figure(value)
        try:
            frames.append(figure_to_png_base64(fig, dpi=dpi))
        finally:
            plt.close(fig)
    return frames


_slider_ids = itertools.count()

# Run first by both twins' scripts, once for each rendered copy of a twin (``root`` is its element).
_COMMON_SCRIPT = """
  // The script runs, so the slider works: hide the note that says how to make it work. Where
  // scripts are stripped (an untrusted notebook in JupyterLab) the note stays in view.
  root.querySelectorAll(".nnlib-twin-note").forEach(function (note) { note.style.display = "none"; });
  // Ids unique to this copy: two views of one notebook (JupyterLab's "New View for Notebook")
  // render the same stored output twice, and each <label for>/<output for> must name its own slider.
  var copy = "-" + Math.random().toString(36).slice(2, 10);
  root.id += copy;
  root.querySelectorAll("[id]").forEach(function (node) { node.id += copy; });
  root.querySelectorAll("label[for], output[for]").forEach(function (node) {
    node.setAttribute("for", node.getAttribute("for") + copy);
  });
  // The keys the twin handles stay in the twin: JupyterLab would take them as notebook shortcuts
  // (arrows move between cells, Space/Enter/Home/End act on the notebook).
  var keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp",
              "PageDown", "Enter", " "];
  root.addEventListener("keydown", function (event) {
    if (keys.indexOf(event.key) >= 0) { event.stopPropagation(); }
  });
"""

# Shown where the twin's script does not run; the script hides it.
_NOTE = ('<div class="nnlib-twin-note" style="font-family:sans-serif;font-size:13px;font-style:italic;'
         'margin:2px 0">Run this cell (or trust the notebook) to move the pre-computed frames.</div>\n')

_SLIDER_SCRIPT = """
(function () {
  // The root is this script's parent: with two views of one notebook (JupyterLab) each copy
  // binds its own slider; the id is the fallback where currentScript is unavailable.
  var here = document.currentScript && document.currentScript.parentElement;
  var root = (here && here.classList.contains("nnlib-static-slider")) ? here : document.getElementById(%(root_id)s);
  if (!root) { return; }
%(common)s  var slider = root.querySelector("input[type=range]");
  var shown = root.querySelector("output");
  var frames = root.querySelectorAll("img[data-frame]");
  var labels = %(labels)s;
  function show(index) {
    index = Math.max(0, Math.min(frames.length - 1, index));
    for (var i = 0; i < frames.length; i++) {
      frames[i].style.display = (i === index) ? "block" : "none";
    }
    slider.value = String(index);
    slider.setAttribute("aria-valuetext", labels[index]);  // read out "2 (9 parameters)", not "1"
    shown.textContent = labels[index];
  }
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  root.querySelector("button[data-step='-1']").addEventListener("click", function () {
    show(parseInt(slider.value, 10) - 1);
  });
  root.querySelector("button[data-step='1']").addEventListener("click", function () {
    show(parseInt(slider.value, 10) + 1);
  });
  show(parseInt(slider.value, 10));
})();
"""


def static_slider_html(frames: Sequence[str], value_labels: Sequence[str], label: str,
                       initial_index: int = 0) -> str:
    """Build a self-contained HTML snippet: base64 PNG frames, an ``<input type=range>`` and JS.

    ``frames[i]`` is shown when the slider is at position ``i``; the text ``label: value_labels[i]``
    is shown next to the slider. Everything is inline (images as ``data:`` URIs, a short script),
    so it works offline and without a kernel. Without JavaScript the initial frame still shows.
    """
    if len(frames) == 0:
        raise ValueError("frames: expected at least one frame, got an empty sequence")
    if len(value_labels) != len(frames):
        raise ValueError(
            f"value_labels: expected one label per frame ({len(frames)}), got {len(value_labels)}"
        )
    if not 0 <= initial_index < len(frames):
        raise ValueError(
            f"initial_index: expected an integer in [0, {len(frames) - 1}], got {initial_index!r}"
        )
    digest = hashlib.sha1("".join(frames).encode("ascii")).hexdigest()[:10]
    root_id = f"nnlib-slider-{digest}-{next(_slider_ids)}"
    images = "\n".join(
        f'<img data-frame="{index}" alt="{html.escape(label)}: {html.escape(text)}" '
        f'style="display:{"block" if index == initial_index else "none"};max-width:100%" '
        f'src="data:image/png;base64,{frame}"/>'
        for index, (frame, text) in enumerate(zip(frames, value_labels))
    )
    script = _SLIDER_SCRIPT % {"root_id": json.dumps(root_id), "labels": json.dumps(list(value_labels)),
                               "common": _COMMON_SCRIPT}
    return (
        f'<div class="nnlib-static-slider" id="{root_id}">\n'
        f'<div style="font-family:sans-serif;font-size:14px;margin:4px 0">\n'
        f'<label for="{root_id}-range">{html.escape(label)}</label>\n'
        f'<button type="button" data-step="-1" aria-label="previous {html.escape(label)}">&#9664;</button>\n'
        f'<input type="range" id="{root_id}-range" min="0" max="{len(frames) - 1}" step="1" '
        f'value="{initial_index}" aria-valuetext="{html.escape(value_labels[initial_index])}" '
        f'style="width:40%;min-width:10em;vertical-align:middle"/>\n'
        f'<button type="button" data-step="1" aria-label="next {html.escape(label)}">&#9654;</button>\n'
        f'<output for="{root_id}-range" style="font-weight:bold;margin-left:8px">'
        f"{html.escape(value_labels[initial_index])}</output>\n"
        f"</div>\n{_NOTE}{images}\n<script>{script}</script>\n</div>"
    )


def static_slider(make_figure: Callable, values: Sequence, label: str,
                  format_value: Callable | None = None, dpi: int = 75, initial_value=None):
    """The static twin of a one-slider explorer: one pre-computed figure per slider value.

    ``make_figure(value)`` must return a Matplotlib figure; it is called once for each of
    ``values`` and the figures are rendered at ``dpi`` and closed. ``format_value(value)`` gives
    the text shown next to the slider (default ``str``). Returns an ``IPython.display.HTML``
    object whose slider switches between the frames in the browser, with no kernel and no network.
    Keep ``len(values) * frame size`` modest: about 20-60 kB per frame at dpi 75.
    """
    values = _slider_values("values", values)
    _check_name("label", label)
    format_value = str if format_value is None else format_value
    initial_index = 0 if initial_value is None else check_one_of("initial_value", initial_value, values)
    frames = render_frames(make_figure, values, dpi=dpi)
    labels = [format_value(value) for value in values]
    return _twin(static_slider_html(frames, labels, label, initial_index=initial_index), frames[initial_index])


def _slider_values(name: str, values) -> list:
    """``values`` as a list; a slider needs at least one."""
    values = list(values)
    if not values:
        raise ValueError(f"{name}: expected at least one slider value, got an empty sequence")
    return values


def _check_name(name: str, text) -> None:
    """A slider's name is shown next to it: it must be a non-empty string."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"{name}: expected a non-empty string, got {text!r}")


# --- a static twin with two sliders ----------------------------------------------------------------

_GRID_SLIDER_SCRIPT = """
(function () {
  var here = document.currentScript && document.currentScript.parentElement;
  var root = (here && here.classList.contains("nnlib-static-slider-grid")) ? here : document.getElementById(%(root_id)s);
  if (!root) { return; }
%(common)s  var sliders = root.querySelectorAll("input[type=range]");
  var shown = root.querySelectorAll("output");
  var frames = root.querySelectorAll("img[data-frame]");
  var labels = [%(first_labels)s, %(second_labels)s];
  var columns = labels[1].length;
  function show() {
    var i = parseInt(sliders[0].value, 10), j = parseInt(sliders[1].value, 10);
    var index = i * columns + j;
    for (var k = 0; k < frames.length; k++) {
      frames[k].style.display = (k === index) ? "block" : "none";
    }
    shown[0].textContent = labels[0][i];
    shown[1].textContent = labels[1][j];
    sliders[0].setAttribute("aria-valuetext", labels[0][i]);
    sliders[1].setAttribute("aria-valuetext", labels[1][j]);
  }
  [0, 1].forEach(function (n) {
    var slider = sliders[n];
    slider.addEventListener("input", show);
    root.querySelectorAll("button[data-slider='" + n + "']").forEach(function (button) {
      button.addEventListener("click", function () {
        var next = parseInt(slider.value, 10) + parseInt(button.dataset.step, 10);
        slider.value = String(Math.max(0, Math.min(labels[n].length - 1, next)));
        show();
      });
    });
  });
  show();
})();
"""


def static_slider_grid_html(frames: Sequence[Sequence[str]], first_labels: Sequence[str],
                            second_labels: Sequence[str], first_name: str, second_name: str,
                            initial_indices: tuple[int, int] = (0, 0)) -> str:
    """A self-contained HTML snippet with TWO range sliders choosing among a grid of base64 PNG frames.

    ``frames[i][j]`` is shown when the first slider is at position ``i`` and the second at ``j``
    (``len(first_labels)`` rows of ``len(second_labels)`` frames). Each slider shows its name and the
    label of its position. The frames are ``data:`` URIs and the script is inline, so the snippet
    works offline and without a kernel; without JavaScript the initial frame still shows.
    """
    rows = [list(row) for row in frames]
    if not rows or not all(rows):
        raise ValueError("frames: expected a non-empty grid of frames (a list of non-empty rows), got an empty one")
    if len(first_labels) != len(rows):
        raise ValueError(f"first_labels: expected one label per row of frames ({len(rows)}), got {len(first_labels)}")
    for index, row in enumerate(rows):
        if len(row) != len(second_labels):
            raise ValueError(
                f"second_labels: expected one label per frame in each row; row {index} has {len(row)} frames "
                f"and there are {len(second_labels)} labels"
            )
    first, second = initial_indices
    if not (0 <= first < len(rows) and 0 <= second < len(second_labels)):
        raise ValueError(
            f"initial_indices: expected a pair in [0, {len(rows) - 1}] x [0, {len(second_labels) - 1}], "
            f"got {initial_indices!r}"
        )
    flat = [frame for row in rows for frame in row]
    digest = hashlib.sha1("".join(flat).encode("ascii")).hexdigest()[:10]
    root_id = f"nnlib-slider-grid-{digest}-{next(_slider_ids)}"
    columns = len(second_labels)
    initial = first * columns + second
    images = "\n".join(
        f'<img data-frame="{index}" alt="{html.escape(first_name)}: {html.escape(first_labels[index // columns])}, '
        f'{html.escape(second_name)}: {html.escape(second_labels[index % columns])}" '
        f'style="display:{"block" if index == initial else "none"};max-width:100%" '
        f'src="data:image/png;base64,{frame}"/>'
        for index, frame in enumerate(flat)
    )

    def slider_row(number: int, name: str, labels: Sequence[str], value: int) -> str:
        slider_id = f"{root_id}-range-{number}"
        return (
            f'<div style="font-family:sans-serif;font-size:14px;margin:4px 0">\n'
            f'<label for="{slider_id}" style="display:inline-block;min-width:9em">{html.escape(name)}</label>\n'
            f'<button type="button" data-slider="{number}" data-step="-1" '
            f'aria-label="previous {html.escape(name)}">&#9664;</button>\n'
            f'<input type="range" id="{slider_id}" min="0" max="{len(labels) - 1}" step="1" value="{value}" '
            f'aria-valuetext="{html.escape(labels[value])}" style="width:35%;min-width:10em;vertical-align:middle"/>\n'
            f'<button type="button" data-slider="{number}" data-step="1" '
            f'aria-label="next {html.escape(name)}">&#9654;</button>\n'
            f'<output for="{slider_id}" style="font-weight:bold;margin-left:8px">'
            f"{html.escape(labels[value])}</output>\n"
            f"</div>"
        )

    script = _GRID_SLIDER_SCRIPT % {"root_id": json.dumps(root_id), "first_labels": json.dumps(list(first_labels)),
                                    "second_labels": json.dumps(list(second_labels)), "common": _COMMON_SCRIPT}
    return (
        f'<div class="nnlib-static-slider-grid" id="{root_id}">\n'
        f"{slider_row(0, first_name, first_labels, first)}\n"
        f"{slider_row(1, second_name, second_labels, second)}\n"
        f"{_NOTE}{images}\n<script>{script}</script>\n</div>"
    )


def static_slider_grid(make_figure: Callable, first_values: Sequence, second_values: Sequence,
                       first_name: str, second_name: str, format_first: Callable | None = None,
                       format_second: Callable | None = None, dpi: int = 70, initial_values=None):
    """The static twin of a two-slider explorer: one pre-computed figure per pair of slider values.

    ``make_figure(first, second)`` must return a Matplotlib figure; it is called for every pair in
    ``first_values`` x ``second_values`` (``len(first_values) * len(second_values)`` frames, rendered
    at ``dpi`` and closed). ``format_first`` / ``format_second`` give the text shown next to each
    slider (default ``str``); ``initial_values`` is the (first, second) pair shown first. Returns an
    ``IPython.display.HTML`` object whose two sliders switch between the frames in the browser.
    """
    first_values = _slider_values("first_values", first_values)
    second_values = _slider_values("second_values", second_values)
    _check_name("first_name", first_name)
    _check_name("second_name", second_name)
    if initial_values is None:
        initial_indices = (0, 0)
    else:
        try:
            first_initial, second_initial = initial_values
        except (TypeError, ValueError):
            raise ValueError(f"initial_values: expected a (first, second) pair, got {initial_values!r}") from None
        initial_indices = (check_one_of("initial_values[0]", first_initial, first_values),
                           check_one_of("initial_values[1]", second_initial, second_values))
    format_first = str if format_first is None else format_first
    format_second = str if format_second is None else format_second
    frames = [render_frames(lambda second, first=first: make_figure(first, second), second_values, dpi=dpi)
              for first in first_values]
    return _twin(static_slider_grid_html(frames, [format_first(v) for v in first_values],
                                         [format_second(v) for v in second_values], first_name, second_name,
                                         initial_indices=initial_indices),
                 frames[initial_indices[0]][initial_indices[1]])

