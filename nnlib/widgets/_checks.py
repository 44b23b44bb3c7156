"""Checks shared by the explorers of chapters 3, 5 and 7: argument validators, and ipywidgets.

Each check raises a ValueError that names the argument, says what was expected and shows what
arrived, and returns the value in the form the caller uses (an ``int``, a list of floats, a
position). :func:`import_ipywidgets` imports ipywidgets for the live explorers, with a message
saying how to install it. The checks used by one module only stay private to that module.
"""

from __future__ import annotations

import numbers

import numpy as np


def import_ipywidgets():
    """Import ipywidgets lazily, so that ``import nnlib.widgets`` works without it."""
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "The live explorers need ipywidgets. Install it with `pip install ipywidgets` "
            "(in a notebook: `%pip install ipywidgets`), then restart the kernel. "
            "The static twins (static_slider, static_layer_size_explorer) work without it."
        ) from error
    return ipywidgets


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def check_sizes(name: str, values) -> list[int]:
    """Return ``values``, a non-empty sequence of distinct layer sizes (integers >= 1), as ints."""
    try:
        sizes = [check_positive_int(name, value) for value in values]
    except TypeError:
        raise ValueError(f"{name}: expected a sequence of positive integers, got {values!r}") from None
    if not sizes:
        raise ValueError(f"{name}: expected at least one hidden layer size, got none")
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"{name}: expected distinct sizes, got {sizes!r}")
    return sizes


def check_learning_rate(value, name: str = "learning_rate") -> float:
    """Return ``value`` as a float if it is a positive finite real number (not a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a positive finite number such as 0.1, got {value!r}")
    return float(value)


def check_learning_rates(values, name: str = "learning_rates") -> list[float]:
    """Return ``values``, a non-empty sequence of distinct learning rates, as a list of floats."""
    try:
        rates = [check_learning_rate(value, name) for value in values]
    except TypeError:
        raise ValueError(f"{name}: expected a sequence of positive numbers, got {values!r}") from None
    if not rates:
        raise ValueError(f"{name}: expected at least one learning rate, got none")
    if len(set(rates)) != len(rates):
        raise ValueError(f"{name}: expected distinct learning rates, got {rates!r}")
    return rates


def check_one_of(name: str, value, choices) -> int:
    """Return the position of the first entry of ``choices`` equal to ``value``.

    Used for a data set's name and for a slider's starting value, which must be one of the
    slider's values.
    """
    choices = list(choices)
    for index, choice in enumerate(choices):
        if choice == value:
            return index
    raise ValueError(f"{name}: expected one of {choices!r}, got {value!r}")
