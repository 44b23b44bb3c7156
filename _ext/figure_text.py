"""Sphinx extension: a notebook figure's alt text is what the figure shows, not its file path.

myst-nb gives an output image the alt text set in the cell's metadata (``mystnb.image.alt``)
and otherwise none, so docutils falls back to the image's path ("../_images/3f2a....png"),
which a screen reader reads out. ``nnlib.plotting.use_book_style()`` stores a description of
every inline figure in the output's metadata (``metadata["image/png"]["alt"]``, written by
``nnlib.plotting.describe_figure`` from the figure's titles, axis labels and legend). This
extension makes myst-nb use that description when the cell sets no alt text of its own.
A cell's own ``mystnb: image: alt:`` still wins. Checked by tests/test_book_build.py.
"""


def use_output_alt_text():
    from myst_nb.core.render import NbElementRenderer

    original = NbElementRenderer.render_image
    if getattr(original, "_output_alt", False):
        return

    def render_image(self, data):
        nodes = original(self, data)
        alt = (data.output_metadata.get(data.mime_type) or {}).get("alt")
        if alt:
            for node in nodes:
                if not node.get("alt"):
                    node["alt"] = str(alt)
        return nodes

    render_image._output_alt = True
    NbElementRenderer.render_image = render_image


def setup(app):
    use_output_alt_text()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
