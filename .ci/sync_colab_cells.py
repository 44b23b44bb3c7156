"""Keep the Colab set-up cell of every notebook in step with the repository URL in _config.yml.

The first cell of each chapter notebook installs nnlib on Google Colab (detected by
the `google.colab` module Colab's kernel has loaded) when it is not importable, and
does nothing elsewhere: an ImportError in a local or Binder kernel is never turned
into an installation. The address it installs from is written
once, in _config.yml (repository.url); this script copies it into the notebooks.

    python .ci/sync_colab_cells.py          # rewrite the cells that differ
    python .ci/sync_colab_cells.py --check  # exit 1 and list the notebooks that differ
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_FOLDERS = ("chapters",)
TAG = "remove-cell"

TEMPLATE = """# Colab set-up: on Google Colab, install nnlib from the book's repository.
# Anywhere else this cell does nothing: a missing nnlib there is a real
# problem with your environment, so the import in the next cell reports it.
import sys

if "google.colab" in sys.modules:
    try:
        import nnlib
    except ImportError:
        source = ("nnlib @ git+{head}/"
                  "{tail}")
        %pip install --quiet "{{source}}"
"""


def repository_url():
    """repository.url from _config.yml (read without a YAML library: the key is on its own line)."""
    lines = (ROOT / "_config.yml").read_text().splitlines()
    in_repository = False
    for line in lines:
        if line.startswith("repository:"):
            in_repository = True
        elif in_repository and line.strip().startswith("url:"):
            return line.split("url:", 1)[1].strip()
        elif in_repository and line and not line.startswith(" "):
            break
    raise SystemExit("_config.yml has no repository.url")


def expected_source():
    """The cell's code; the URL is split at its last slash so no line passes 79 characters."""
    head, tail = repository_url().rsplit("/", 1)
    return TEMPLATE.format(head=head, tail=tail).rstrip("\n")


def notebooks():
    for folder in NOTEBOOK_FOLDERS:
        yield from sorted((ROOT / folder).glob("*.ipynb"))


def first_cell_matches(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    if not cells:
        return False
    cell = cells[0]
    return "".join(cell["source"]) == expected_source() and TAG in cell.get("metadata", {}).get("tags", [])


def stale_notebooks():
    """The notebooks whose first cell is not the current Colab set-up cell."""
    return [path for path in notebooks() if not first_cell_matches(path)]


def rewrite(notebook):
    data = json.loads(notebook.read_text())
    cell = {"cell_type": "code", "execution_count": None, "id": "colab-setup",
            "metadata": {"tags": [TAG]}, "outputs": [], "source": expected_source().splitlines(keepends=True)}
    first = data["cells"][0] if data["cells"] else None
    if first is not None and "".join(first["source"]).startswith("# Colab set-up"):
        cell["execution_count"] = first.get("execution_count")
        data["cells"][0] = cell
    else:
        data["cells"].insert(0, cell)
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def main(argv):
    stale = stale_notebooks()
    if "--check" in argv:
        for path in stale:
            print(f"stale Colab cell: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path in stale:
        rewrite(path)
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
