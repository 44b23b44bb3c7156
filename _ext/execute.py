"""Re-execute notebooks in place, top to bottom in a fresh kernel, as tests/README.md asks after
editing a chapter (the book renders the committed outputs)::

    .venv/bin/python _ext/execute.py chapters/07_training.ipynb [more notebooks ...]

The same as ``jupyter nbconvert --to notebook --execute --inplace``, but with the sliced ZeroMQ
polling of ``reliable_execution.py``: with plain nbconvert a cell that shows a live widget can wait
for the whole cell timeout on a missed wake-up (seen: 10 minutes for chapter 3 instead of 1).
Each notebook runs with its own folder as the working directory, as in JupyterLab.
"""
import pathlib
import sys
import time

import nbclient
import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from reliable_execution import slice_polling  # noqa: E402

CELL_TIMEOUT = 600  # seconds: a bound for a loaded machine, not a budget


def execute_in_place(path):
    """Run the notebook at ``path`` top to bottom and write it back with its new outputs."""
    path = pathlib.Path(path).resolve()
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(notebook, path)


def main(paths):
    if not paths:
        print(__doc__)
        return 2
    slice_polling()
    for path in paths:
        start = time.monotonic()
        execute_in_place(path)
        print(f"{path}: executed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
