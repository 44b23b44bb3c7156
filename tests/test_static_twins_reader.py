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
