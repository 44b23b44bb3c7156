"""Data sets for the book, all offline and all deterministic.

What is here, and the chapter that uses it:

- the glyph sets of the syllabus appendix: letters A, B, C as 5x6 pixel grids and digits 0-3 as
  5x4 grids, with seeded noisy copies (chapter 7, Training a network);
- the classic four-sample inputs with the "first column" and XOR-like targets (chapter 6,
  Backpropagation);
- generated 2-D sets: interleaved spirals and a "coffee roasting" set (chapter 7);
- scikit-learn's bundled breast-cancer and 8x8 digits data (chapter 9, Real data);
- a reader and writer for the IDX files that MNIST is distributed in (chapter 9). ``nnlib`` never
  downloads anything: ``load_mnist`` reads files that are already on disk;
- preprocessing: ``train_test_split``, ``one_hot``, ``standardize`` (chapters 7 and 9).

Arrays follow the book's convention: one example per row, ``x`` of shape (n_samples, n_features).
Inputs are returned in ``nnlib.floatx()`` (float32 unless changed); integer class labels as int64.
"""
import gzip
import hashlib
import math
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import config
from ._validation import check_finite, check_same_length

__all__ = [
    "LETTER_SHAPE", "DIGIT_SHAPE", "COFFEE_FEATURES", "letters", "digit_glyphs", "noisy_copies",
    "flip_pixels", "classic_four_samples", "spirals", "coffee_roasting", "coffee_is_good",
    "Dataset", "load_breast_cancer", "load_digits", "load_mnist", "read_idx", "write_idx",
    "train_test_split", "one_hot", "from_one_hot", "Standardizer", "standardize",
]


# ---------------------------------------------------------------------------------------------
# Glyphs (chapter 7, Training a network)
# ---------------------------------------------------------------------------------------------

LETTER_SHAPE = (5, 6)
"""(rows, columns) of a letter glyph: ``plt.imshow(x[0].reshape(LETTER_SHAPE))``."""

DIGIT_SHAPE = (5, 4)
"""(rows, columns) of a digit glyph: ``plt.imshow(x[0].reshape(DIGIT_SHAPE))``."""

# '#' is an "on" pixel (1), '.' an "off" pixel (0); read row by row.
_LETTER_GRIDS = {
    "A": ("..##..",
          ".#..#.",
          "######",
          "#....#",
          "#....#"),
    "B": (".####.",
          ".#..#.",
          ".####.",
          ".#..#.",
          ".####."),
    "C": (".####.",
          ".#....",
          ".#....",
          ".#....",
          ".####."),
}

_DIGIT_GRIDS = {
    "0": (".##.",
          "#..#",
          "#..#",
          "#..#",
          ".##."),
    "1": ("..#.",
          "..#.",
          "..#.",
          "..#.",
          "..#."),
    "2": (".##.",
          "#..#",
          "..#.",
          ".#..",
          "####"),
    "3": ("####",
          "...#",
          ".###",
          "...#",
          "####"),
}


def _grid_to_vector(rows, shape):
    """Turn rows of '#'/'.' characters into a flat 0/1 vector of length rows*columns."""
    if len(rows) != shape[0] or any(len(row) != shape[1] for row in rows):
        raise ValueError(f"glyph grid: expected {shape[0]} rows of {shape[1]} characters, got {rows!r}.")
    return np.array([1.0 if pixel == "#" else 0.0 for row in rows for pixel in row])


def _glyph_set(grids, shape):
    names = list(grids)
    x = np.stack([_grid_to_vector(grids[name], shape) for name in names]).astype(config.floatx())
    y = np.arange(len(names), dtype=np.int64)
    return x, y, names


def letters():
    """The letters A, B, C as 5x6 pixel grids: 30 inputs, 3 classes.

    Returns ``(x, y, class_names)``: ``x`` of shape (3, 30) with 1 for an "on" pixel and 0 for an
    "off" one, read row by row; ``y`` the integer labels [0, 1, 2], shape (3,); ``class_names``
    ``["A", "B", "C"]``. Show glyph ``i`` with ``x[i].reshape(LETTER_SHAPE)``.
    Used in chapter 7, Training a network.
    """
    return _glyph_set(_LETTER_GRIDS, LETTER_SHAPE)


def digit_glyphs():
    """The digits 0, 1, 2, 3 as 5x4 pixel grids: 20 inputs, 4 classes.

    Returns ``(x, y, class_names)``: ``x`` of shape (4, 20), ``y`` = [0, 1, 2, 3] of shape (4,),
    ``class_names`` ``["0", "1", "2", "3"]``. Show glyph ``i`` with ``x[i].reshape(DIGIT_SHAPE)``.
    Used in chapter 7, Training a network.
    """
    return _glyph_set(_DIGIT_GRIDS, DIGIT_SHAPE)


def _is_real(value):
    """True for a finite real number (bools and strings are not)."""
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and bool(np.isfinite(value)))


def _check_seed(seed):
    """A seed for ``numpy.random.default_rng``: None, a non-negative int, or a Generator."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected None, a non-negative integer or a numpy Generator, got {seed!r}.")
    return seed


def _check_binary_pixels(x, name):
    values = np.unique(x)
    if not np.all(np.isin(values, (0, 1))):
        raise ValueError(f"{name}: expected pixels that are 0 or 1, got the values {values[:10].tolist()}.")


def _check_int_in_range(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name}: expected an integer from {low} to {high}, got {value!r}.")


def noisy_copies(x, y, n_copies, n_flips, seed=0):
    """Noisy copies of 0/1 glyphs: each copy has exactly ``n_flips`` pixels flipped (0 <-> 1).

    ``x`` has shape (n_glyphs, n_pixels) with 0/1 values; ``y`` holds one label per glyph,
    shape (n_glyphs,) for integer labels or (n_glyphs, k) for one-hot rows. Returns
    ``(x_noisy, y_noisy)`` of shapes (n_glyphs * n_copies, n_pixels) and
    (n_glyphs * n_copies, ...): first the ``n_copies`` copies of glyph 0, then those of glyph 1, ...
    The flipped pixels of each copy are ``n_flips`` distinct positions drawn by
    ``numpy.random.default_rng(seed)``, so the same seed gives the same copies.
    Used in chapter 7, Training a network, to make a larger training set.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2:
        raise ValueError(f"x: expected a 2-D array of shape (n_glyphs, n_pixels), got shape {x.shape}.")
    check_same_length(x, y)
    _check_binary_pixels(x, "x")
    _check_int_in_range(n_copies, "n_copies", 1, 10**6)
    _check_int_in_range(n_flips, "n_flips", 0, x.shape[1])
    rng = np.random.default_rng(seed)
    copies = np.repeat(x, n_copies, axis=0).astype(config.floatx())
    for row in copies:
        flipped = rng.choice(x.shape[1], size=n_flips, replace=False)
        row[flipped] = 1 - row[flipped]
    return copies, np.repeat(y, n_copies, axis=0)


def flip_pixels(glyph, indices):
    """A copy of one glyph with the pixels at the flat positions ``indices`` flipped (0 <-> 1).

    ``glyph`` is a 0/1 array of any shape, e.g. (30,) or (5, 6); ``indices`` are positions in the
    flattened glyph (``row * n_columns + column``), distinct. Returns an array of the glyph's shape.
    Makes the noisy test glyph of chapter 7, Training a network.
    """
    glyph = np.asarray(glyph)
    _check_binary_pixels(glyph, "glyph")
    indices = np.atleast_1d(np.asarray(indices))
    if indices.size and not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices: expected integer pixel positions, got {indices.tolist()}.")
    if np.any(indices < 0) or np.any(indices >= glyph.size):
        raise ValueError(f"indices: expected positions from 0 to {glyph.size - 1}, got {indices.tolist()}.")
    if len(np.unique(indices)) != len(indices):
        raise ValueError(f"indices: expected distinct positions (a pixel flipped twice is unchanged), got {indices.tolist()}.")
    flipped = glyph.astype(config.floatx()).ravel()
    flipped[indices] = 1 - flipped[indices]
    return flipped.reshape(glyph.shape)


# ---------------------------------------------------------------------------------------------
# The classic four samples (chapter 6, Backpropagation)
# ---------------------------------------------------------------------------------------------

_FOUR_INPUTS = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
_FOUR_TARGETS = {"first_column": [0, 0, 1, 1], "xor": [0, 1, 1, 0]}


def classic_four_samples(target="first_column"):
    """The four 3-input samples of the classic "network in a few lines" example.

    Inputs, shape (4, 3): [[0,0,1], [0,1,1], [1,0,1], [1,1,1]] (the third input is always 1 and
    plays the part of a bias). Targets, shape (4, 1):

    - ``target="first_column"``: [0, 0, 1, 1], a copy of the first input, which one sigmoid layer learns;
    - ``target="xor"``: [0, 1, 1, 0], the XOR of the first two inputs, which one layer cannot learn
      and a 3-4-1 network can.

    Returns ``(x, y)`` in ``nnlib.floatx()``. Used in chapter 6, Backpropagation.
    """
    if target not in _FOUR_TARGETS:
        raise ValueError(f"target: expected one of {sorted(_FOUR_TARGETS)}, got {target!r}.")
    dtype = config.floatx()
    x = np.array(_FOUR_INPUTS, dtype=dtype)
    y = np.array(_FOUR_TARGETS[target], dtype=dtype).reshape(4, 1)
    return x, y


# ---------------------------------------------------------------------------------------------
# Generated 2-D sets (chapter 7, Training a network)
# ---------------------------------------------------------------------------------------------

def spirals(n=100, noise=0.2, seed=0, n_classes=2, turns=1.25):
    """Interleaved spiral arms in the plane, one arm per class.

    Point ``i`` of arm ``k`` (``t = i / (n - 1)`` from 0 to 1) lies at radius ``r = t`` and angle

        theta = 2 * pi * (turns * t + k / n_classes) + noise * t * e,   e ~ N(0, 1),

    i.e. at ``(r cos theta, r sin theta)``: the arms start together at the centre and wind
    ``turns`` times round it, rotated by a fraction ``k / n_classes`` of a turn from each other.
    ``noise`` is the standard deviation of the angle jitter (radians) at the outer end.

    Returns ``(x, y)``: ``x`` of shape (n * n_classes, 2) in ``nnlib.floatx()``, ``y`` integer labels
    of shape (n * n_classes,), arm 0 first. Deterministic for a given ``seed``.
    Used in chapter 7, Training a network (decision boundaries).
    """
    _check_int_in_range(n, "n", 2, 10**7)
    _check_int_in_range(n_classes, "n_classes", 2, 100)
    if not _is_real(noise) or noise < 0:
        raise ValueError(f"noise: expected a number >= 0, got {noise!r}.")
    if not _is_real(turns):
        raise ValueError(f"turns: expected a finite number of turns such as 1.25, got {turns!r}.")
    rng = np.random.default_rng(_check_seed(seed))
    t = np.linspace(0.0, 1.0, n)
    points, labels = [], []
    for k in range(n_classes):
        theta = 2 * np.pi * (turns * t + k / n_classes) + noise * t * rng.standard_normal(n)
        points.append(np.column_stack([t * np.cos(theta), t * np.sin(theta)]))
        labels.append(np.full(n, k, dtype=np.int64))
    return np.concatenate(points).astype(config.floatx()), np.concatenate(labels)


COFFEE_FEATURES = ["temperature_c", "duration_min"]
"""Column names of ``coffee_roasting``'s x: roasting temperature (deg C) and duration (minutes)."""

COFFEE_TEMPERATURE_RANGE = (150.0, 300.0)
COFFEE_DURATION_RANGE = (11.5, 16.0)


def coffee_is_good(temperature, duration):
    """The book's own rule for a good roast (1) or a bad one (0), elementwise.

    A roast is good when all three hold:

    - ``175 <= temperature <= 260`` (cooler is under-roasted, hotter is burnt);
    - ``12 <= duration <= 15.5`` (shorter is under-roasted, longer is burnt);
    - ``temperature + 7.5 * duration >= 285`` (a short roast needs more heat: at 12 minutes at
      least 195 deg C, at 14 minutes at least 180 deg C).

    Returns int64 labels with the shape of ``temperature``. Used in chapter 7, Training a network.
    """
    temperature = np.asarray(temperature, dtype=np.float64)
    duration = np.asarray(duration, dtype=np.float64)
    good = ((175.0 <= temperature) & (temperature <= 260.0)
            & (12.0 <= duration) & (duration <= 15.5)
            & (temperature + 7.5 * duration >= 285.0))
    return good.astype(np.int64)


def coffee_roasting(n=200, seed=0):
    """A generated "coffee roasting" set: temperature and duration of a roast, and whether it is good.

    Temperatures are uniform in [150, 300] deg C and durations uniform in [11.5, 16] minutes, drawn
    with ``numpy.random.default_rng(seed)``. The label is :func:`coffee_is_good` of the returned
    values (no label noise), so the good roasts fill a region bounded by four straight lines and one
    diagonal -- a small network must learn several boundaries at once.

    Returns ``(x, y)``: ``x`` of shape (n, 2) in ``nnlib.floatx()`` with columns ``COFFEE_FEATURES``
    (temperature_c, duration_min), ``y`` int64 labels of shape (n,). Used in chapter 7, Training a network.
    """
    _check_int_in_range(n, "n", 1, 10**7)
    rng = np.random.default_rng(seed)
    temperature = rng.uniform(*COFFEE_TEMPERATURE_RANGE, size=n)
    duration = rng.uniform(*COFFEE_DURATION_RANGE, size=n)
    x = np.column_stack([temperature, duration]).astype(config.floatx())
    return x, coffee_is_good(x[:, 0], x[:, 1])


# ---------------------------------------------------------------------------------------------
# scikit-learn's bundled data (chapter 9, Real data)
# ---------------------------------------------------------------------------------------------

@dataclass
class Dataset:
    """A loaded data set: ``data`` (n_samples, n_features) floats, ``target`` (n_samples,) int labels.

    ``feature_names`` and ``target_names`` are lists of strings; ``images`` holds the samples as
    images, (n_samples, rows, cols), when the data are images (otherwise None).
    """

    data: np.ndarray
    target: np.ndarray
    feature_names: list
    target_names: list
    images: np.ndarray = None
    description: str = field(default="", repr=False)


def _import_sklearn_datasets():
    try:
        from sklearn import datasets as sklearn_datasets
    except ImportError as error:
        raise ImportError(
            "This data set is read from the copy bundled with scikit-learn, which is not installed. "
            "Install it with `pip install scikit-learn` (in a notebook: `%pip install scikit-learn`)."
        ) from error
    return sklearn_datasets


def load_breast_cancer():
    """The Wisconsin diagnostic breast-cancer data bundled with scikit-learn (no network needed).

    569 samples, 30 features (measurements of cell nuclei, e.g. "mean radius"); ``target`` 0 for
    malignant and 1 for benign (``target_names`` ["malignant", "benign"]), as in scikit-learn.
    Returns a :class:`Dataset` with ``data`` (569, 30) in ``nnlib.floatx()`` and ``target`` (569,) int64.
    Used in chapter 9, Real data.
    """
    bunch = _import_sklearn_datasets().load_breast_cancer()
    return Dataset(
        data=np.asarray(bunch.data, dtype=config.floatx()),
        target=np.asarray(bunch.target, dtype=np.int64),
        feature_names=[str(name) for name in bunch.feature_names],
        target_names=[str(name) for name in bunch.target_names],
        description=bunch.DESCR,
    )


def load_digits():
    """The 8x8 handwritten digits bundled with scikit-learn (no network needed).

    1,797 images of the digits 0-9, pixel values 0..16. Returns a :class:`Dataset` with
    ``data`` (1797, 64) in ``nnlib.floatx()`` (each image flattened row by row), ``images``
    (1797, 8, 8) of the same values, ``target`` (1797,) int64 labels and ``target_names``
    ["0", ..., "9"]. Used in chapters 9, Real data, 10, From nnlib to Keras, and 11, Architectures.
    """
    bunch = _import_sklearn_datasets().load_digits()
    return Dataset(
        data=np.asarray(bunch.data, dtype=config.floatx()),
        target=np.asarray(bunch.target, dtype=np.int64),
        feature_names=[str(name) for name in bunch.feature_names],
        target_names=[str(name) for name in bunch.target_names],
        images=np.asarray(bunch.images, dtype=config.floatx()),
        description=bunch.DESCR,
    )


# ---------------------------------------------------------------------------------------------
# IDX files and MNIST (chapter 9, Real data)
# ---------------------------------------------------------------------------------------------

# IDX type codes (third byte of the magic number) and the big-endian NumPy types they hold.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IDX_CODES = {np.dtype(code).name: type_code for type_code, code in _IDX_TYPES.items()}  # "uint8" -> 0x08, ...
_GZIP_SIGNATURE = b"\x1f\x8b"

MNIST_IMAGES_MAGIC = 0x00000803  # 2051: unsigned bytes, 3 dimensions (n, rows, cols)
MNIST_LABELS_MAGIC = 0x00000801  # 2049: unsigned bytes, 1 dimension (n,)


def _read_bytes(path):
    """The file's bytes, decompressed when it is gzip (recognised by its first two bytes)."""
    raw = Path(path).read_bytes()
    if raw[:2] == _GZIP_SIGNATURE:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{Path(path).name}: looks gzip-compressed but cannot be decompressed ({error}).") from None
    return raw


def _describe_magic(magic):
    """What a 4-byte IDX magic number announces: 0x00000803 -> 'uint8 values, 3 dimensions'."""
    type_code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    if magic >> 16 != 0 or type_code not in _IDX_TYPES or ndim == 0:
        return "not an IDX magic number"
    plural = "s" if ndim != 1 else ""
    return f"{np.dtype(_IDX_TYPES[type_code]).name} values, {ndim} dimension{plural}"


def _swap_hint(expected_magic, magic):
    """A hint when an MNIST images file holds the labels magic or the reverse, else nothing."""
    if {expected_magic, magic} == {MNIST_IMAGES_MAGIC, MNIST_LABELS_MAGIC}:
        return " This is the magic number of the other MNIST file: are the images and labels files swapped?"
    return ""


def _parse_idx(raw, name, expected_magic=None):
    """Parse IDX bytes: 4-byte magic (0, 0, type code, ndim), ndim big-endian uint32 sizes, data.

    With ``expected_magic`` the magic number is compared first, before any size is read, so a
    swapped or foreign file is named as such rather than as a size mismatch.
    """
    if len(raw) < 4:
        raise ValueError(f"{name}: not an IDX file: expected at least a 4-byte magic number, got {len(raw)} byte(s).")
    magic = int.from_bytes(raw[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(
            f"{name}: expected the magic number {expected_magic} ({expected_magic:#010x}, "
            f"{_describe_magic(expected_magic)}), got {magic} ({magic:#010x}, "
            f"{_describe_magic(magic)}).{_swap_hint(expected_magic, magic)}"
        )
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(
            f"{name}: not an IDX file: expected a magic number 0x0000TTDD (TT a type code in "
            f"{[hex(code) for code in _IDX_TYPES]}, DD the number of dimensions), "
            f"got {int.from_bytes(raw[:4], 'big'):#010x}."
        )
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{name}: truncated IDX header: expected {header_size} bytes, got {len(raw)}.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header_size + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{name}: the header announces shape {shape} ({expected} bytes in all), "
            f"but the file holds {len(raw)} bytes."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return int.from_bytes(raw[:4], "big"), data.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read one IDX file (gzip-compressed or not) into a NumPy array.

    The IDX format: a magic number ``0x0000TTDD`` whose byte ``TT`` gives the element type
    (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) and ``DD`` the
    number of dimensions; then each dimension's size as a big-endian uint32; then the elements,
    big-endian, row by row. Returns an array of that shape and type (native byte order).
    Raises ValueError for a bad magic number or a size that does not match the header.
    Used in chapter 9, Real data.
    """
    return _parse_idx(_read_bytes(path), Path(path).name)[1]


def write_idx(path, array):
    """Write ``array`` as an IDX file (see :func:`read_idx`); gzip-compressed when ``path`` ends in ".gz".

    Supported types: uint8, int8, int16, int32, float32, float64; 1 to 255 dimensions.
    Returns the path as a ``pathlib.Path``. The tests use it to make small MNIST-like files.
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native.name not in _IDX_CODES:
        raise ValueError(f"array: expected one of the IDX types uint8, int8, int16, int32, float32, float64, got {array.dtype}.")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array: expected 1 to 255 dimensions, got shape {array.shape}.")
    header = bytes([0, 0, _IDX_CODES[native.name], array.ndim])
    header += b"".join(int(size).to_bytes(4, "big") for size in array.shape)
    payload = header + array.astype(native.newbyteorder(">")).tobytes()
    path = Path(path)
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    path.write_bytes(payload)
    return path


_MNIST_PREFIXES = {"train": "train", "test": "t10k", "t10k": "t10k"}


def _mnist_candidates(prefix, part):
    """File names to look for, e.g. train-images-idx3-ubyte[.gz] and train-images.idx3-ubyte[.gz]."""
    ndim = 3 if part == "images" else 1
    names = [f"{prefix}-{part}-idx{ndim}-ubyte", f"{prefix}-{part}.idx{ndim}-ubyte"]
    return [candidate for name in names for candidate in (name, name + ".gz")]


def _find_mnist_file(folder, prefix, part):
    candidates = _mnist_candidates(prefix, part)
    for name in candidates:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"load_mnist: no {part} file for kind {prefix!r} in {str(folder)!r}: looked for "
        f"{', '.join(repr(name) for name in candidates)}. nnlib never downloads data; put the "
        f"MNIST IDX files (gzip-compressed or not) in that folder."
    )


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify_sha256(path, sha256):
    if path.name not in sha256:
        raise ValueError(f"sha256: expected a checksum for {path.name!r}, got checksums for {sorted(sha256)}.")
    actual = _sha256_of(path)
    if actual != str(sha256[path.name]).lower():
        raise ValueError(f"sha256: checksum mismatch for {path.name!r}: expected {sha256[path.name]}, got {actual}.")


def _read_mnist_part(path, expected_magic):
    return _parse_idx(_read_bytes(path), path.name, expected_magic)[1]


def _check_labels(labels, num_classes, name):
    """MNIST labels must be class numbers 0..num_classes-1 (None skips the check)."""
    if num_classes is None or labels.size == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        raise ValueError(f"{name}: expected labels from 0 to {num_classes - 1} (num_classes={num_classes}), "
                         f"got values from {low} to {high}. For another label range pass num_classes "
                         "(or num_classes=None).")


def load_mnist(path, kind="train", sha256=None, cache=False, num_classes=10):
    """Read MNIST (or a data set in the same format) from the IDX files in the folder ``path``.

    ``kind`` is ``"train"`` (train-images-idx3-ubyte, train-labels-idx1-ubyte) or ``"test"``
    (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte); each file may be gzip-compressed with a
    ".gz" ending, and the spelling "train-images.idx3-ubyte" is accepted too. The images file must
    have the magic number 2051 and the labels file 2049, and both must hold the same number of
    samples. ``nnlib`` never downloads: a missing file raises FileNotFoundError naming the files
    looked for.

    ``sha256``: optional dict {file name: hex digest}; each file read is checked against it
    (ValueError on a mismatch or a missing entry). ``cache=True`` saves the parsed arrays as
    ``mnist-<kind>.npz`` next to the files, together with each IDX file's name, size and SHA-256
    digest, and reads it on later calls while those still match the files (dates are not
    trusted: a copied or restored file keeps or changes its date independently of its content);
    a cache that is corrupted, foreign or stale is re-parsed from the IDX files and rewritten,
    with a warning for the first two. ``num_classes``: labels must lie in 0..num_classes-1
    (10 for MNIST; None skips the check).

    Returns ``(images, labels)``: uint8 arrays of shapes (n, rows, cols) -- (n, 28, 28) for
    MNIST -- and (n,). Used in chapter 9, Real data.
    """
    if kind not in _MNIST_PREFIXES:
        raise ValueError(f"kind: expected 'train' or 'test', got {kind!r}.")
    if sha256 is not None and not isinstance(sha256, dict):
        raise ValueError(f"sha256: expected a dict of file name -> hex digest, got {type(sha256).__name__}.")
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"load_mnist: {str(folder)!r} is not a folder. Pass the folder that holds the MNIST IDX files; "
            f"nnlib never downloads data."
        )
    prefix = _MNIST_PREFIXES[kind]
    images_path = _find_mnist_file(folder, prefix, "images")
    labels_path = _find_mnist_file(folder, prefix, "labels")
    if sha256 is not None:
        _verify_sha256(images_path, sha256)
        _verify_sha256(labels_path, sha256)

    if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer))
                                    or num_classes < 1):
        raise ValueError(f"num_classes: expected a positive integer or None, got {num_classes!r}.")

    cache_path = folder / f"mnist-{prefix}.npz"
    sources = _source_record(images_path, labels_path) if cache else None
    if cache:
        cached = _read_cache(cache_path, sources)
        if cached is not None:
            _check_labels(cached[1], num_classes, f"{cache_path.name} (labels)")
            return cached

    images = _read_mnist_part(images_path, MNIST_IMAGES_MAGIC)
    labels = _read_mnist_part(labels_path, MNIST_LABELS_MAGIC)
    if len(images) != len(labels):
        raise ValueError(
            f"load_mnist: {images_path.name} holds {len(images)} images but {labels_path.name} "
            f"holds {len(labels)} labels; expected the same number."
        )
    _check_labels(labels, num_classes, labels_path.name)
    if cache:
        _write_cache(cache_path, images, labels, sources)
    return images, labels


_CACHE_FORMAT = "nnlib-mnist-cache-1"


def _source_record(*paths):
    """A small array naming each source file with its size and SHA-256 digest: what the cache is keyed on."""
    return np.array([[path.name, str(path.stat().st_size), _sha256_of(path)] for path in paths])


def _read_cache(cache_path, sources):
    """The cached (images, labels) if the cache matches ``sources``; None to re-parse the IDX files.

    A missing cache or one made from other files (stale) is silently rebuilt; an unreadable or
    foreign one is rebuilt with a warning, never with a raw BadZipFile or KeyError.
    """
    if not cache_path.is_file():
        return None
    try:
        with np.load(cache_path, allow_pickle=False) as cached:
            if "format" not in cached.files or str(cached["format"]) != _CACHE_FORMAT:
                raise KeyError("it was not written by load_mnist")
            recorded, images, labels = cached["sources"], cached["images"], cached["labels"]
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError) as error:
        warnings.warn(f"load_mnist: ignoring the unreadable or foreign cache {cache_path.name} ({error}); "
                      "re-parsing the IDX files and rewriting it.", stacklevel=3)
        return None
    if recorded.shape != sources.shape or not np.array_equal(recorded, sources):
        return None  # the IDX files changed: rebuild
    if images.dtype != np.uint8 or labels.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 1 \
            or len(images) != len(labels):
        warnings.warn(f"load_mnist: the cache {cache_path.name} holds arrays of unexpected shapes or types "
                      f"(images {images.dtype} {images.shape}, labels {labels.dtype} {labels.shape}); "
                      "re-parsing the IDX files and rewriting it.", stacklevel=3)
        return None
    return images, labels


def _write_cache(cache_path, images, labels, sources):
    temporary = cache_path.with_name(cache_path.stem + ".partial.npz")
    try:
        np.savez(temporary, images=images, labels=labels, sources=sources, format=np.array(_CACHE_FORMAT))
        os.replace(temporary, cache_path)
    except OSError as error:
        warnings.warn(f"load_mnist: could not write the cache {cache_path.name} ({error}); continuing without it.")


# ---------------------------------------------------------------------------------------------
# Preprocessing (chapters 7 and 9)
# ---------------------------------------------------------------------------------------------

def _class_labels(y, name="y"):
    """Integer-like class labels (n,) from labels (n,), a column (n, 1), or one-hot rows (n, k)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if y.ndim == 2:
        return y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name}: expected labels of shape (n,), (n, 1) or one-hot (n, k), got shape {y.shape}.")
    return y


def _test_count(test_size, n):
    """The number of test samples: ceil(test_size * n) for a fraction, or test_size itself."""
    if isinstance(test_size, bool):
        raise ValueError(f"test_size: expected a fraction in (0, 1) or a sample count, got {test_size!r}.")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size <= n - 1:
            raise ValueError(f"test_size: expected a count from 1 to {n - 1} (n = {n} samples), got {test_size}.")
        return int(test_size)
    if isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n)
        if not 1 <= n_test <= n - 1:
            raise ValueError(f"test_size: {test_size} of {n} samples leaves {n - n_test} for training; expected at least 1.")
        return n_test
    raise ValueError(f"test_size: expected a fraction strictly between 0 and 1 or a count from 1 to {n - 1}, got {test_size!r}.")


def _stratified_test_counts(labels, classes, n_test):
    """Split n_test across classes in proportion to their sizes.

    Each class first gets the whole part of its share; the samples left over go to the classes with
    the largest fractional parts, and on a tie to the smaller class, so a rare class is not lost.
    """
    sizes = np.array([np.sum(labels == c) for c in classes])
    exact = n_test * sizes / sizes.sum()
    counts = np.floor(exact).astype(int)
    shortfall = n_test - counts.sum()
    remainders = np.round(exact - counts, 12)
    by_remainder = np.lexsort((sizes, -remainders))
    counts[by_remainder[:shortfall]] += 1
    return np.minimum(counts, sizes)


def train_test_split(x, y, test_size=0.25, stratify=False, seed=0):
    """Split samples into a training and a test set at random (seeded).

    ``x`` (n, ...) and ``y`` (n, ...) are split along their first axis. ``test_size`` is a fraction
    in (0, 1) -- the test set gets ``ceil(test_size * n)`` samples -- or an integer count.
    ``stratify=True`` keeps each class's share the same in both sets (``y`` as integer labels,
    a (n, 1) column, or one-hot rows); each class's test count is its share of the test set, rounded
    by largest remainders. Sample order within each set is random. Deterministic for a ``seed``.

    Returns ``(x_train, x_test, y_train, y_test)``. Used in chapters 7 and 9.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"x, y: expected arrays with one sample per row, got shapes {x.shape} and {y.shape}.")
    check_same_length(x, y)
    check_finite(x, "x")
    check_finite(y, "y")
    n = len(x)
    if n < 2:
        raise ValueError(f"x: expected at least 2 samples to split, got {n}.")
    n_test = _test_count(test_size, n)
    rng = np.random.default_rng(_check_seed(seed))
    if stratify:
        labels = _class_labels(y)
        classes = np.unique(labels)
        counts = _stratified_test_counts(labels, classes, n_test)
        test_index = np.concatenate([
            rng.permutation(np.flatnonzero(labels == c))[:count] for c, count in zip(classes, counts)
        ])
    else:
        test_index = rng.permutation(n)[:n_test]
    is_test = np.zeros(n, dtype=bool)
    is_test[test_index] = True
    train_index = rng.permutation(np.flatnonzero(~is_test))
    test_index = rng.permutation(np.flatnonzero(is_test))
    return x[train_index], x[test_index], y[train_index], y[test_index]


def one_hot(labels, num_classes=None):
    """One-hot rows for integer class labels: ``Y[i, labels[i]] = 1``, every other entry 0.

    ``labels`` has shape (n,) or (n, 1) and holds integers 0..num_classes-1 (integer-valued floats
    such as 2.0 are accepted); ``num_classes`` defaults to ``max(labels) + 1``.
    Returns shape (n, num_classes) in ``nnlib.floatx()``. Undo with :func:`from_one_hot`.
    Used in chapter 4, Loss functions (categorical cross-entropy), and chapters 7 and 9.
    """
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"labels: expected integer labels of shape (n,) or (n, 1), got shape {array.shape}.")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"labels: expected integer class labels, got dtype {array.dtype}.")
    check_finite(array, "labels")
    if np.any(array != np.round(array)):
        bad = array[array != np.round(array)]
        raise ValueError(f"labels: expected integer class labels, got non-integer values such as {bad[0]!r}.")
    if np.any(array < 0):
        raise ValueError(f"labels: expected labels >= 0, got {array.min()!r}.")
    array = array.astype(np.int64)
    if num_classes is None:
        num_classes = int(array.max(initial=-1)) + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes: expected a positive integer, got {num_classes!r}.")
    if array.size and array.max() >= num_classes:
        raise ValueError(f"labels: expected labels from 0 to {num_classes - 1} (num_classes={num_classes}), got {array.max()}.")
    encoded = np.zeros((len(array), max(num_classes, 1)), dtype=config.floatx())
    encoded[np.arange(len(array)), array] = 1
    return encoded


def from_one_hot(y):
    """Integer labels (n,) from one-hot rows (n, k): the index of each row's largest entry (argmax)."""
    y = np.asarray(y)
    if y.ndim != 2:
        raise ValueError(f"y: expected one-hot rows of shape (n, k), got shape {y.shape}.")
    return np.argmax(y, axis=1).astype(np.int64)


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1, using statistics of one data set.

    ``fit(x_train)`` stores per-column ``mean_`` and ``scale_`` (the population standard deviation,
    ddof=0, as ``sklearn.preprocessing.StandardScaler``); ``transform(x)`` returns
    ``(x - mean_) / scale_`` for any data, always with the *training* statistics, so no
    information leaks from a test set into training. A constant column (standard deviation 0, up to
    round-off) gets ``scale_ = 1``: it becomes all zeros instead of NaN.
    Used in chapter 9, Real data.
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, x):
        """Compute ``mean_`` and ``scale_`` from ``x`` (n_samples, n_features); returns self."""
        x = self._check(x, "x", fitted=False)
        if len(x) == 0:
            raise ValueError(f"x: expected at least one sample, got shape {x.shape}.")
        mean = x.mean(axis=0)
        std = x.std(axis=0)
        constant = std <= 1e-10 * np.maximum(np.abs(mean), 1.0)
        self.mean_ = mean
        self.scale_ = np.where(constant, 1.0, std)
        return self

    def transform(self, x):
        """``(x - mean_) / scale_``, shape of ``x``, in ``nnlib.floatx()``."""
        if self.mean_ is None:
            raise ValueError("Standardizer: call fit(x_train) before transform.")
        x = self._check(x, "x", fitted=True)
        return ((x - self.mean_) / self.scale_).astype(config.floatx())

    def fit_transform(self, x):
        """``fit(x)`` then ``transform(x)``."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z):
        """Undo ``transform``: ``z * scale_ + mean_``."""
        if self.mean_ is None:
            raise ValueError("Standardizer: call fit(x_train) before inverse_transform.")
        z = self._check(z, "z", fitted=True)
        return (z * self.scale_ + self.mean_).astype(config.floatx())

    def _check(self, x, name, fitted):
        try:
            x = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name}: expected numbers, got {type(x).__name__} ({error}).") from None
        if x.ndim != 2:
            raise ValueError(f"{name}: expected a 2-D array of shape (n_samples, n_features), got shape {x.shape}.")
        if fitted and x.shape[1] != len(self.mean_):
            raise ValueError(
                f"{name}: expected {len(self.mean_)} features, as in the data the Standardizer was fitted on, "
                f"got shape {x.shape}."
            )
        check_finite(x, name)
        return x

    def __repr__(self):
        state = "not fitted" if self.mean_ is None else f"{len(self.mean_)} features"
        return f"Standardizer({state})"


def standardize(x_train, x_test=None):
    """Standardize with the statistics of the training data only.

    Fits a :class:`Standardizer` on ``x_train`` (n_train, n_features) and applies it to ``x_train``
    and, when given, to ``x_test`` (n_test, n_features): ``z = (x - mean_train) / std_train``.
    Returns ``(x_train_std, standardizer)`` or, with ``x_test``,
    ``(x_train_std, x_test_std, standardizer)``. The test set's mean is in general *not* zero:
    that is the point. Used in chapter 9, Real data.
    """
    standardizer = Standardizer().fit(x_train)
    if x_test is None:
        return standardizer.transform(x_train), standardizer
    return standardizer.transform(x_train), standardizer.transform(x_test), standardizer


# --- a short text for character-level models (chapter 14) -------------------------------------------

def lighthouse_text():
    """A short story written for this book (about 1,900 characters, lower case), as one string.

    Chapter 14, Recurrent networks from scratch, trains a character-level model on it and samples
    text from the model. The file ships with nnlib (``nnlib/data/lighthouse.txt``), so no download
    is needed. It is the book's own text, released with the book's licence.
    """
    from importlib import resources

    return resources.files("nnlib").joinpath("data", "lighthouse.txt").read_text(encoding="utf-8")


def char_windows(text, length, step=1):
    """Cut ``text`` into (window, next character) pairs for a character-level model (chapter 14).

    Returns ``(x, y, alphabet)``: ``x`` (n_windows, length) integer codes of the windows, ``y``
    (n_windows,) the code of the character after each window, ``alphabet`` the sorted list of
    distinct characters, so ``alphabet[code]`` is the character. Windows start every ``step``
    characters.
    """
    from ._validation import check_positive_int

    check_positive_int(length, "length")
    check_positive_int(step, "step")
    if not isinstance(text, str):
        raise ValueError(f"text: expected a string, got {type(text).__name__}.")
    if len(text) <= length:
        raise ValueError(f"text: expected more than length={length} characters, got {len(text)}.")
    alphabet = sorted(set(text))
    index = {char: code for code, char in enumerate(alphabet)}
    codes = np.array([index[char] for char in text])
    starts = np.arange(0, len(codes) - length, step)
    x = codes[starts[:, None] + np.arange(length)]
    y = codes[starts + length]
    return x, y, alphabet
