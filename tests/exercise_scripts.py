"""Import the scripts of exercises/ (build.py, grade.py, class_kit.py), which are not a package."""
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script(name):
    """Import exercises/NAME.py as the module exercises_NAME (once; later calls reuse it)."""
    module_name = f"exercises_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "exercises" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
