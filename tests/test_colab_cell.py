"""The hidden Colab set-up cell installs nnlib on Colab only (issue 12, item 9).

Elsewhere an ImportError must stay an error the reader sees, never a silent
`pip install` from the repository into whatever kernel happens to run.
The cell is run in a real IPython shell whose `%pip` magic is replaced by a recorder.
"""
import json
import pathlib
import sys
import types

import pytest
from IPython.core.interactiveshell import InteractiveShell

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))
import sync_colab_cells  # noqa: E402


def run_cell_recording_pip(on_colab, nnlib_importable):
    shell = InteractiveShell.instance()
    calls = []
    shell.register_magic_function(lambda line: calls.append(line), magic_kind="line", magic_name="pip")
    source = sync_colab_cells.expected_source()
    if not nnlib_importable:
        source = source.replace("import nnlib", "import nnlib_that_is_not_installed")
    saved = sys.modules.get("google.colab")
    try:
        if on_colab:
            sys.modules["google.colab"] = types.ModuleType("google.colab")
        else:
            sys.modules.pop("google.colab", None)
        result = shell.run_cell(source)
    finally:
        if saved is not None:
            sys.modules["google.colab"] = saved
        else:
            sys.modules.pop("google.colab", None)
    assert result.success, result.error_in_exec
    return calls


@pytest.mark.parametrize("nnlib_importable", [True, False])
def test_outside_colab_the_cell_never_installs(nnlib_importable):
    assert run_cell_recording_pip(on_colab=False, nnlib_importable=nnlib_importable) == []


def test_on_colab_with_nnlib_present_nothing_is_installed():
    assert run_cell_recording_pip(on_colab=True, nnlib_importable=True) == []


def test_on_colab_without_nnlib_the_repository_is_installed():
    calls = run_cell_recording_pip(on_colab=True, nnlib_importable=False)
    assert calls == [f'install --quiet "nnlib @ git+{sync_colab_cells.repository_url()}"']


def test_every_chapter_starts_with_the_current_cell_and_its_lines_fit():
    assert sync_colab_cells.stale_notebooks() == []
    for line in sync_colab_cells.expected_source().splitlines():
        assert len(line) <= 79, line
    first = json.loads((ROOT / "chapters" / "01_what_is_a_neural_network.ipynb").read_text())["cells"][0]
    assert "remove-cell" in first["metadata"]["tags"]
