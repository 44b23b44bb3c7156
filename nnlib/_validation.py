"""Checks at the library's boundary, so that bad input gets a clear message.

Every message names the argument, what was expected, and what arrived.
"""
import numpy as np

from . import config


def as_float_array(value, name, dtype=None):
    """Convert ``value`` to a float array of the default float type; reject NaN and inf.

    Strings and complex numbers are refused (NumPy would parse "1.5" or drop an imaginary
    part silently), and so are finite values too large for the float type.
    """
    dtype = np.dtype(dtype or config.floatx())
    raw = value if isinstance(value, np.ndarray) else None
    if raw is None:
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError):
            raw = None
    if raw is not None and raw.dtype.kind in "USc":
        kind = "complex numbers" if raw.dtype.kind == "c" else "strings"
        raise ValueError(f"{name}: expected real numbers, got {kind} (dtype {raw.dtype}).")
    try:
        with np.errstate(over="ignore"):
            array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected numbers convertible to {dtype}, got {type(value).__name__} ({error}).") from None
    if raw is not None and raw.dtype.kind == "f" and not np.all(np.isfinite(array)) and np.all(np.isfinite(raw)):
        largest = float(np.max(np.abs(raw)))
        raise ValueError(f"{name}: values up to {largest:.3g} exceed the range of {dtype} "
                         f"(largest {float(np.finfo(dtype).max):.3g}); rescale the data.")
    check_finite(array, name)
    return array


def check_finite(array, name):
    """Raise if ``array`` holds NaN or infinity, saying how many and where the first is."""
    if np.issubdtype(np.asarray(array).dtype, np.number) and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))
        raise ValueError(
            f"{name}: expected finite numbers, found {len(bad)} NaN or inf value(s), "
            f"the first at index {tuple(int(i) for i in bad[0])}."
        )


def check_not_empty(array, name):
    if array.size == 0 or (array.ndim > 0 and array.shape[0] == 0):
        raise ValueError(f"{name}: expected at least one sample, got an empty array of shape {array.shape}.")


def check_2d(array, name, n_features=None):
    """Require shape ``(n_samples, n_features)``; 1-D input is rejected with a hint."""
    if array.ndim != 2:
        hint = " Use x.reshape(-1, 1) for one feature or x.reshape(1, -1) for one sample." if array.ndim == 1 else ""
        raise ValueError(f"{name}: expected a 2-D array of shape (n_samples, n_features), got shape {array.shape}.{hint}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(
            f"{name}: expected {n_features} feature(s) per sample, shape (n_samples, {n_features}), "
            f"got shape {array.shape}."
        )


def check_same_length(x, y, x_name="x", y_name="y"):
    if len(x) != len(y):
        raise ValueError(
            f"{y_name}: expected the same number of rows as {x_name} ({len(x)}), got {len(y)} "
            f"({y_name} shape {np.shape(y)}, {x_name} shape {np.shape(x)})."
        )


def check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}.")


def check_fraction(value, name, low=0.0, high=1.0, include_high=False):
    """Require a real number in [low, high) (or [low, high] with include_high)."""
    ok_type = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    inside = ok_type and np.isfinite(value) and low <= value and (value <= high if include_high else value < high)
    if not inside:
        interval = f"[{low:g}, {high:g}]" if include_high else f"[{low:g}, {high:g})"
        raise ValueError(f"{name}: expected a fraction in {interval}, got {value!r}.")


def check_positive_number(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}.")


def unknown_name(kind, name, known):
    """The error for a string identifier that is not in ``known``."""
    plural = kind + ("es" if kind.endswith("s") else "s")
    return ValueError(f"Unknown {kind} {name!r}. Known {plural}: {', '.join(sorted(known))}.")
