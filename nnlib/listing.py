"""Show the lines of ``nnlib`` that implement what a chapter has just derived.

Every "In nnlib" step of the book calls :func:`show_source` on the function, method or
class it talks about. The listing is read from the *installed* package at run time
(``inspect.getsourcelines``), so it can never drift from the code that the chapter's
checks then run: edit the library and the book's listings change with it.

    >>> from nnlib import activations, listing
    >>> listing.show_source(activations.sigmoid)        # doctest: +SKIP

In Jupyter the result renders as a highlighted code block headed by the file and line
numbers; elsewhere its ``str`` is the same listing as plain text.
"""
import html
import inspect
import os

__all__ = ["Listing", "show_source", "source_lines"]

_PACKAGE_ROOT = os.path.dirname(os.path.abspath(__file__))


def _unwrap(obj):
    """The function behind a property, staticmethod, classmethod or bound method."""
    if isinstance(obj, property):
        return obj.fget
    if isinstance(obj, (staticmethod, classmethod)):
        return obj.__func__
    return inspect.unwrap(getattr(obj, "__func__", obj))


def _display_path(path):
    """``nnlib/layers/core.py`` for a file inside the package, the full path otherwise."""
    path = os.path.abspath(path)
    if path.startswith(_PACKAGE_ROOT + os.sep):
        return "nnlib/" + os.path.relpath(path, _PACKAGE_ROOT).replace(os.sep, "/")
    return path


def source_lines(obj, docstring=True):
    """Return ``(path, numbered_lines)``: the file ``obj`` lives in and its source as a
    list of ``(line_number, text)`` pairs, numbers counted in that file.

    ``obj`` is a function, method, class, property or module of nnlib (or of any pure
    Python package). With ``docstring=False`` the docstring's lines are left out (the other
    lines keep their numbers). Raises ``TypeError`` naming the object's type for things
    that have no Python source (built-ins, NumPy ufuncs, plain values).
    """
    target = _unwrap(obj)
    try:
        lines, first = inspect.getsourcelines(target)
        path = inspect.getsourcefile(target)
    except (TypeError, OSError) as error:
        raise TypeError(
            f"show_source: expected a function, method, class or module written in Python, "
            f"got {type(obj).__name__} ({error})."
        ) from None
    numbered = list(enumerate((line.rstrip("\n") for line in lines), max(first, 1)))
    if not docstring:
        numbered = _without_docstring(target, numbered)
    return _display_path(path), numbered


def _without_docstring(target, numbered):
    """Drop the docstring's lines from a function's or class's numbered source lines."""
    if inspect.ismodule(target) or not getattr(target, "__doc__", None):
        return numbered
    for start, (_, line) in enumerate(numbered):
        stripped = line.lstrip().lstrip("rRuU")
        if stripped.startswith(('"""', "'''")):
            quote = stripped[:3]
            if quote in stripped[3:]:
                end = start
            else:
                end = next((i for i in range(start + 1, len(numbered)) if quote in numbered[i][1]), start)
            return numbered[:start] + numbered[end + 1:]
        if stripped and not stripped.startswith(("def ", "class ", "@", "async def ")) and start > 0:
            break
    return numbered


class Listing:
    """A source listing: ``path`` and ``numbered_lines`` (``(number, text)`` pairs),
    optionally a ``title``; renders as a highlighted code block in Jupyter.

    ``str(listing)`` is the plain-text form: a header naming the file and line range, then
    one ``NNN | code`` line per source line.
    """

    def __init__(self, path, numbered_lines, title=None):
        self.path = path
        self.numbered_lines = list(numbered_lines)
        self.title = title

    @property
    def lines(self):
        return [text for _, text in self.numbered_lines]

    @property
    def first_line(self):
        return self.numbered_lines[0][0]

    @property
    def last_line(self):
        return self.numbered_lines[-1][0]

    def header(self):
        where = f"{self.path}, lines {self.first_line}-{self.last_line}"
        return f"{self.title} ({where})" if self.title else where

    def __str__(self):
        width = len(str(self.last_line))
        body = [f"{n:>{width}} | {text}".rstrip() for n, text in self.numbered_lines]
        return "\n".join([f"# {self.header()}"] + body)

    __repr__ = __str__

    def _repr_markdown_(self):
        code = "\n".join(self.lines)
        fence = "````" if "```" in code else "```"
        return f"*{html.escape(self.header())}*\n\n{fence}python\n{code}\n{fence}\n"


def show_source(obj, docstring=True, title=None):
    """The source of ``obj`` (a function, method, class, property or module) as a
    :class:`Listing`, read from the installed package; end a notebook cell with it.

    ``docstring=False`` hides the docstring so the listing shows only the computation;
    ``title`` replaces the default header text (the object's qualified name).
    """
    path, numbered = source_lines(obj, docstring=docstring)
    target = _unwrap(obj)
    name = title or getattr(target, "__qualname__", getattr(target, "__name__", None))
    return Listing(path, numbered, title=name)
