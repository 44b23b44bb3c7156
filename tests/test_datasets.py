"""Tests for nnlib.datasets: glyphs, generated sets, bundled data, IDX/MNIST files and preprocessing."""
import gzip
import hashlib
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import datasets

# The syllabus appendix, typed again independently of nnlib/datasets.py: '#' = 1, '.' = 0.
SYLLABUS_LETTERS = {
    "A": ["..##..", ".#..#.", "######", "#....#", "#....#"],
    "B": [".####.", ".#..#.", ".####.", ".#..#.", ".####."],
    "C": [".####.", ".#....", ".#....", ".#....", ".####."],
}
SYLLABUS_DIGITS = {
    "0": [".##.", "#..#", "#..#", "#..#", ".##."],
    "1": ["..#.", "..#.", "..#.", "..#.", "..#."],
    "2": [".##.", "#..#", "..#.", ".#..", "####"],
    "3": ["####", "...#", ".###", "...#", "####"],
}


def grid_pixels(rows):
    return np.array([[char == "#" for char in row] for row in rows], dtype=float)


# --- glyphs ---------------------------------------------------------------------------------------

def test_letters_match_the_syllabus_grids_pixel_by_pixel():
    x, y, names = datasets.letters()
    assert x.shape == (3, 30) and y.shape == (3,)
    assert names == ["A", "B", "C"]
    np.testing.assert_array_equal(y, [0, 1, 2])
    for row, name in enumerate(names):
        np.testing.assert_array_equal(x[row].reshape(datasets.LETTER_SHAPE), grid_pixels(SYLLABUS_LETTERS[name]))


def test_letter_glyphs_have_the_expected_pixel_counts():
    x, _, _ = datasets.letters()
    np.testing.assert_array_equal(x.sum(axis=1), [14, 16, 11])


def test_digit_glyphs_match_the_syllabus_grids_pixel_by_pixel():
    x, y, names = datasets.digit_glyphs()
    assert x.shape == (4, 20) and y.shape == (4,)
    assert names == ["0", "1", "2", "3"]
    np.testing.assert_array_equal(x.sum(axis=1), [10, 5, 10, 13])
    for row, name in enumerate(names):
        np.testing.assert_array_equal(x[row].reshape(datasets.DIGIT_SHAPE), grid_pixels(SYLLABUS_DIGITS[name]))


def test_glyphs_use_the_library_float_type(float64):
    x, _, _ = datasets.letters()
    assert x.dtype == np.float64
    nnlib.set_floatx("float32")
    assert datasets.digit_glyphs()[0].dtype == np.float32


@pytest.mark.parametrize("n_flips", [0, 1, 3, 7])
def test_noisy_copies_flip_exactly_n_flips_pixels(n_flips):
    x, y, _ = datasets.letters()
    noisy, noisy_y = datasets.noisy_copies(x, y, n_copies=5, n_flips=n_flips, seed=3)
    assert noisy.shape == (15, 30) and noisy_y.shape == (15,)
    originals = np.repeat(x, 5, axis=0)
    np.testing.assert_array_equal(np.sum(noisy != originals, axis=1), np.full(15, n_flips))
    np.testing.assert_array_equal(noisy_y, np.repeat(y, 5))
    assert set(np.unique(noisy)) <= {0.0, 1.0}


def test_noisy_copies_are_deterministic_for_a_seed_and_differ_across_seeds():
    x, y, _ = datasets.digit_glyphs()
    first, _ = datasets.noisy_copies(x, y, n_copies=10, n_flips=2, seed=7)
    again, _ = datasets.noisy_copies(x, y, n_copies=10, n_flips=2, seed=7)
    other, _ = datasets.noisy_copies(x, y, n_copies=10, n_flips=2, seed=8)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_noisy_copies_keep_one_hot_labels_row_by_row():
    x, y, _ = datasets.letters()
    _, noisy_y = datasets.noisy_copies(x, datasets.one_hot(y), n_copies=2, n_flips=1, seed=0)
    np.testing.assert_array_equal(datasets.from_one_hot(noisy_y), [0, 0, 1, 1, 2, 2])


def test_noisy_copies_do_not_change_the_input():
    x, y, _ = datasets.letters()
    before = x.copy()
    datasets.noisy_copies(x, y, n_copies=3, n_flips=4, seed=0)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_copies": 0, "n_flips": 1}, "n_copies"),
    ({"n_copies": 2, "n_flips": 31}, "n_flips"),
    ({"n_copies": 2, "n_flips": -1}, "n_flips"),
    ({"n_copies": 2.5, "n_flips": 1}, "n_copies"),
])
def test_noisy_copies_reject_bad_counts(kwargs, message):
    x, y, _ = datasets.letters()
    with pytest.raises(ValueError, match=message):
        datasets.noisy_copies(x, y, **kwargs)


def test_noisy_copies_reject_non_binary_pixels_and_length_mismatch():
    x, y, _ = datasets.letters()
    with pytest.raises(ValueError, match="0 or 1"):
        datasets.noisy_copies(x * 0.5, y, n_copies=1, n_flips=1)
    with pytest.raises(ValueError, match="same number of rows"):
        datasets.noisy_copies(x, y[:2], n_copies=1, n_flips=1)


def test_flip_pixels_flips_only_the_given_positions():
    x, _, _ = datasets.letters()
    glyph = x[0]
    flipped = datasets.flip_pixels(glyph, [0, 29])
    assert flipped.shape == glyph.shape
    np.testing.assert_array_equal(np.flatnonzero(flipped != glyph), [0, 29])
    np.testing.assert_array_equal(flipped[[0, 29]], 1 - glyph[[0, 29]])


def test_flip_pixels_keeps_a_two_dimensional_glyph_shape():
    x, _, _ = datasets.digit_glyphs()
    image = x[1].reshape(datasets.DIGIT_SHAPE)
    flipped = datasets.flip_pixels(image, 5)  # row 1, column 1
    assert flipped.shape == (5, 4)
    assert flipped[1, 1] == 1 - image[1, 1]
    assert np.sum(flipped != image) == 1


@pytest.mark.parametrize("indices, message", [([30], "0 to 29"), ([-1], "0 to 29"), ([3, 3], "distinct"), ([1.5], "integer")])
def test_flip_pixels_rejects_bad_indices(indices, message):
    x, _, _ = datasets.letters()
    with pytest.raises(ValueError, match=message):
        datasets.flip_pixels(x[0], indices)


# --- the classic four samples ------------------------------------------------------------------------

def test_classic_four_samples_first_column_targets():
    x, y = datasets.classic_four_samples("first_column")
    np.testing.assert_array_equal(x, [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    assert y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], x[:, 0])


def test_classic_four_samples_xor_targets():
    x, y = datasets.classic_four_samples(target="xor")
    assert y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(x[:, 0], x[:, 1]).astype(float))


def test_classic_four_samples_rejects_unknown_target():
    with pytest.raises(ValueError, match="first_column"):
        datasets.classic_four_samples("and")


# --- spirals and coffee --------------------------------------------------------------------------------

def test_spirals_shapes_labels_and_determinism():
    x, y = datasets.spirals(n=50, noise=0.2, seed=1, n_classes=3)
    assert x.shape == (150, 2) and y.shape == (150,)
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    again_x, again_y = datasets.spirals(n=50, noise=0.2, seed=1, n_classes=3)
    np.testing.assert_array_equal(x, again_x)
    np.testing.assert_array_equal(y, again_y)
    assert not np.array_equal(x, datasets.spirals(n=50, noise=0.2, seed=2, n_classes=3)[0])


def test_spirals_without_noise_follow_the_documented_formula():
    x, y = datasets.spirals(n=11, noise=0.0, n_classes=2, turns=1.25)
    t = np.linspace(0, 1, 11)
    for k in range(2):
        theta = 2 * np.pi * (1.25 * t + k / 2)
        expected = np.column_stack([t * np.cos(theta), t * np.sin(theta)])
        np.testing.assert_allclose(x[y == k], expected, atol=1e-6)


def test_spiral_arms_are_interleaved_not_separable_by_a_line():
    x, y = datasets.spirals(n=200, noise=0.0)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert np.all(radius <= 1 + 1e-6)
    # The two arms are point reflections of each other: (x, y) on arm 0 is (-x, -y) on arm 1.
    np.testing.assert_allclose(x[y == 0], -x[y == 1], atol=1e-6)


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n_classes": 1}, {"noise": -0.1}, {"n": 2.5}])
def test_spirals_reject_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        datasets.spirals(**kwargs)


def test_coffee_roasting_shapes_ranges_and_determinism():
    x, y = datasets.coffee_roasting(n=300, seed=4)
    assert x.shape == (300, 2) and y.shape == (300,)
    assert datasets.COFFEE_FEATURES == ["temperature_c", "duration_min"]
    assert 150 <= x[:, 0].min() and x[:, 0].max() <= 300
    assert 11.5 <= x[:, 1].min() and x[:, 1].max() <= 16
    np.testing.assert_array_equal(x, datasets.coffee_roasting(n=300, seed=4)[0])
    assert not np.array_equal(x, datasets.coffee_roasting(n=300, seed=5)[0])
    assert 0.2 < y.mean() < 0.6  # both classes are well represented


def test_coffee_labels_follow_the_documented_rule():
    x, y = datasets.coffee_roasting(n=1000, seed=0)
    t, d = x[:, 0].astype(float), x[:, 1].astype(float)
    rule = (t >= 175) & (t <= 260) & (d >= 12) & (d <= 15.5) & (t + 7.5 * d >= 285)
    np.testing.assert_array_equal(y, rule.astype(int))
    assert set(np.unique(y)) == {0, 1}


@pytest.mark.parametrize("temperature, duration, good", [
    (200, 14, 1), (170, 14, 0), (265, 14, 0), (200, 11.9, 0), (200, 15.6, 0),
    (190, 12.5, 0),   # 190 + 93.75 < 285: too short for that heat
    (195, 12.0, 1),   # exactly on the diagonal
])
def test_coffee_rule_on_hand_picked_roasts(temperature, duration, good):
    assert datasets.coffee_is_good(temperature, duration) == good


# --- scikit-learn's bundled data ---------------------------------------------------------------------

def test_breast_cancer_has_569_samples_and_30_features():
    data = datasets.load_breast_cancer()
    assert data.data.shape == (569, 30)
    assert data.target.shape == (569,)
    assert np.issubdtype(data.data.dtype, np.floating)
    assert np.issubdtype(data.target.dtype, np.integer)
    np.testing.assert_array_equal(np.bincount(data.target), [212, 357])
    assert data.target_names == ["malignant", "benign"]
    assert len(data.feature_names) == 30 and data.feature_names[0] == "mean radius"
    assert data.images is None


def test_digits_have_1797_images_of_8_by_8_pixels():
    data = datasets.load_digits()
    assert data.data.shape == (1797, 64)
    assert data.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(data.images.reshape(1797, 64), data.data)
    np.testing.assert_array_equal(np.unique(data.target), np.arange(10))
    assert data.target_names == [str(k) for k in range(10)]
    assert data.data.min() == 0 and data.data.max() == 16


# --- IDX files and MNIST ------------------------------------------------------------------------------

def small_mnist(n=5, rows=28, cols=28, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


def write_mnist(folder, kind_prefix, images, labels, suffix=""):
    datasets.write_idx(folder / f"{kind_prefix}-images-idx3-ubyte{suffix}", images)
    datasets.write_idx(folder / f"{kind_prefix}-labels-idx1-ubyte{suffix}", labels)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("name", ["array.idx", "array.idx.gz"])
def test_idx_round_trip(tmp_path, dtype, name):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else np.arange(24, dtype=dtype).reshape(2, 3, 4)
    path = datasets.write_idx(tmp_path / name, array)
    back = datasets.read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)


def test_idx_file_layout_is_big_endian_with_the_magic_number_first(tmp_path):
    path = datasets.write_idx(tmp_path / "x.idx", np.array([1, 258], dtype=np.int16))
    raw = path.read_bytes()
    assert raw[:4] == bytes([0, 0, 0x0B, 1])
    assert raw[4:8] == (2).to_bytes(4, "big")
    assert raw[8:] == bytes([0, 1, 1, 2])


def test_write_idx_gzips_when_the_name_ends_in_gz(tmp_path):
    path = datasets.write_idx(tmp_path / "labels.gz", np.arange(3, dtype=np.uint8))
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(path.read_bytes())[:4] == bytes([0, 0, 8, 1])


def test_write_idx_rejects_unsupported_types(tmp_path):
    with pytest.raises(ValueError, match="int64"):
        datasets.write_idx(tmp_path / "x.idx", np.arange(3, dtype=np.int64))


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("kind, prefix", [("train", "train"), ("test", "t10k")])
def test_load_mnist_reads_plain_and_gzipped_idx_files(tmp_path, suffix, kind, prefix):
    images, labels = small_mnist(n=6, seed=1)
    write_mnist(tmp_path, prefix, images, labels, suffix)
    loaded_images, loaded_labels = datasets.load_mnist(tmp_path, kind=kind)
    assert loaded_images.dtype == np.uint8 and loaded_images.shape == (6, 28, 28)
    assert loaded_labels.dtype == np.uint8 and loaded_labels.shape == (6,)
    np.testing.assert_array_equal(loaded_images, images)
    np.testing.assert_array_equal(loaded_labels, labels)


def test_load_mnist_keeps_the_image_size_from_the_header(tmp_path):
    images, labels = small_mnist(n=3, rows=5, cols=7)
    write_mnist(tmp_path, "train", images, labels)
    loaded_images, _ = datasets.load_mnist(tmp_path)
    assert loaded_images.shape == (3, 5, 7)


def test_load_mnist_accepts_the_dotted_file_names(tmp_path):
    images, labels = small_mnist(n=2)
    datasets.write_idx(tmp_path / "train-images.idx3-ubyte", images)
    datasets.write_idx(tmp_path / "train-labels.idx1-ubyte", labels)
    np.testing.assert_array_equal(datasets.load_mnist(tmp_path)[1], labels)


def test_load_mnist_missing_file_names_the_files_and_says_it_never_downloads(tmp_path):
    images, _ = small_mnist(n=2)
    datasets.write_idx(tmp_path / "train-images-idx3-ubyte", images)
    with pytest.raises(FileNotFoundError) as error:
        datasets.load_mnist(tmp_path)
    message = str(error.value)
    assert "train-labels-idx1-ubyte" in message and "train-labels-idx1-ubyte.gz" in message
    assert "never downloads" in message


def test_load_mnist_missing_folder_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads"):
        datasets.load_mnist(tmp_path / "no-such-folder")


def test_load_mnist_rejects_a_wrong_magic_number(tmp_path):
    images, labels = small_mnist(n=2)
    write_mnist(tmp_path, "train", images, labels)
    path = tmp_path / "train-images-idx3-ubyte"
    raw = bytearray(path.read_bytes())
    raw[0] = 0x12
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="magic number"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_swapped_images_and_labels(tmp_path):
    images, labels = small_mnist(n=2)
    datasets.write_idx(tmp_path / "train-images-idx3-ubyte", labels)
    datasets.write_idx(tmp_path / "train-labels-idx1-ubyte", images)
    with pytest.raises(ValueError, match="2051"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_a_truncated_file(tmp_path):
    images, labels = small_mnist(n=4)
    write_mnist(tmp_path, "train", images, labels)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="holds"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_different_image_and_label_counts(tmp_path):
    images, labels = small_mnist(n=4)
    write_mnist(tmp_path, "train", images, labels[:3])
    with pytest.raises(ValueError, match="4 images but .* 3 labels"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_rejects_an_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        datasets.load_mnist(tmp_path, kind="validation")


def test_load_mnist_checks_sha256_checksums(tmp_path):
    images, labels = small_mnist(n=3)
    write_mnist(tmp_path, "train", images, labels, ".gz")
    digests = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
               for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]}
    np.testing.assert_array_equal(datasets.load_mnist(tmp_path, sha256=digests)[0], images)
    wrong = dict(digests, **{"train-labels-idx1-ubyte.gz": "0" * 64})
    with pytest.raises(ValueError, match="checksum mismatch"):
        datasets.load_mnist(tmp_path, sha256=wrong)
    with pytest.raises(ValueError, match="expected a checksum for"):
        datasets.load_mnist(tmp_path, sha256={"train-images-idx3-ubyte.gz": digests["train-images-idx3-ubyte.gz"]})


def test_load_mnist_cache_is_written_reused_and_refreshed(tmp_path):
    images, labels = small_mnist(n=3, seed=0)
    write_mnist(tmp_path, "train", images, labels)
    datasets.load_mnist(tmp_path, cache=True)
    cache = tmp_path / "mnist-train.npz"
    assert cache.is_file()
    with np.load(cache) as cached:
        np.testing.assert_array_equal(cached["images"], images)
        recorded = cached["sources"]
    assert [row[0] for row in recorded] == ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
    assert recorded[0][2] == hashlib.sha256((tmp_path / "train-images-idx3-ubyte").read_bytes()).hexdigest()

    # The cache is what is read while the recorded names, sizes and digests match the IDX files ...
    sentinel_images = np.zeros_like(images)
    with np.load(cache) as cached:
        np.savez(cache, **{key: cached[key] for key in cached.files if key != "images"}, images=sentinel_images)
    np.testing.assert_array_equal(datasets.load_mnist(tmp_path, cache=True)[0], sentinel_images)
    # ... and without cache=True the IDX files are read.
    np.testing.assert_array_equal(datasets.load_mnist(tmp_path)[0], images)


def test_load_mnist_cache_is_keyed_on_content_not_dates(tmp_path):
    images, labels = small_mnist(n=3, seed=0)
    write_mnist(tmp_path, "train", images, labels)
    datasets.load_mnist(tmp_path, cache=True)
    cache = tmp_path / "mnist-train.npz"
    # New files of the same size, dated *before* the cache (as a restored backup would be): rebuilt.
    new_images, new_labels = small_mnist(n=3, seed=9)
    write_mnist(tmp_path, "train", new_images, new_labels)
    old = cache.stat().st_mtime - 1000
    for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]:
        os.utime(tmp_path / name, (old, old))
    loaded_images, loaded_labels = datasets.load_mnist(tmp_path, cache=True)
    np.testing.assert_array_equal(loaded_images, new_images)
    np.testing.assert_array_equal(loaded_labels, new_labels)
    with np.load(cache) as cached:  # and the cache was rewritten from them
        np.testing.assert_array_equal(cached["images"], new_images)
    # Touching the files without changing them keeps the cache valid.
    os.utime(tmp_path / "train-images-idx3-ubyte")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(datasets.load_mnist(tmp_path, cache=True)[0], new_images)


@pytest.mark.parametrize("damage", ["garbage", "truncated zip", "foreign npz", "wrong arrays"])
def test_load_mnist_reparses_a_corrupted_or_foreign_cache_with_a_warning(tmp_path, damage):
    images, labels = small_mnist(n=4, seed=2)
    write_mnist(tmp_path, "train", images, labels)
    datasets.load_mnist(tmp_path, cache=True)
    cache = tmp_path / "mnist-train.npz"
    if damage == "garbage":
        cache.write_bytes(b"this is not a zip file at all")
    elif damage == "truncated zip":
        cache.write_bytes(cache.read_bytes()[:200])
    elif damage == "foreign npz":
        np.savez(cache, weights=np.ones(3))
    else:
        with np.load(cache) as cached:
            stored = {key: cached[key] for key in cached.files}
        np.savez(cache, **dict(stored, images=np.ones((4, 2), dtype=np.float32)))
    with pytest.warns(UserWarning, match="re-parsing the IDX files and rewriting it"):
        loaded_images, loaded_labels = datasets.load_mnist(tmp_path, cache=True)
    np.testing.assert_array_equal(loaded_images, images)
    np.testing.assert_array_equal(loaded_labels, labels)
    with warnings.catch_warnings():  # the rewritten cache is good again
        warnings.simplefilter("error")
        np.testing.assert_array_equal(datasets.load_mnist(tmp_path, cache=True)[0], images)


def test_load_mnist_range_checks_the_labels(tmp_path):
    images, labels = small_mnist(n=4)
    labels[2] = 11
    write_mnist(tmp_path, "train", images, labels)
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: expected labels from 0 to 9 \(num_classes=10\), "
                                         r"got values from \d+ to 11"):
        datasets.load_mnist(tmp_path)
    np.testing.assert_array_equal(datasets.load_mnist(tmp_path, num_classes=12)[1], labels)
    np.testing.assert_array_equal(datasets.load_mnist(tmp_path, num_classes=None)[1], labels)
    with pytest.raises(ValueError, match="num_classes: expected a positive integer or None"):
        datasets.load_mnist(tmp_path, num_classes=0)


def test_load_mnist_checks_the_magic_number_before_the_sizes(tmp_path):
    images, labels = small_mnist(n=3)
    write_mnist(tmp_path, "train", images, labels)
    # A labels file in the images slot, also truncated: the magic number is what the message names.
    (tmp_path / "train-images-idx3-ubyte").write_bytes((tmp_path / "train-labels-idx1-ubyte").read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"expected the magic number 2051 .*got 2049 .*swapped"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_names_a_float_images_file_without_suggesting_a_swap(tmp_path):
    images, labels = small_mnist(n=3)
    write_mnist(tmp_path, "train", images, labels)
    datasets.write_idx(tmp_path / "train-images-idx3-ubyte", images.astype(np.float32))
    with pytest.raises(ValueError, match=r"expected the magic number 2051 \(0x00000803, uint8 values, 3 dimensions\), "
                                         r"got 3331 \(0x00000d03, float32 values, 3 dimensions\)\.$"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_names_a_foreign_magic_number(tmp_path):
    images, labels = small_mnist(n=2)
    write_mnist(tmp_path, "train", images, labels)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(b"PK\x03\x04" + path.read_bytes()[4:])
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: expected the magic number 2049 "
                                         r"\(0x00000801, uint8 values, 1 dimension\), got \d+ \(0x504b0304, "
                                         r"not an IDX magic number\)\.$"):
        datasets.load_mnist(tmp_path)


def test_read_idx_rejects_a_file_that_is_not_idx(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, world")
    with pytest.raises(ValueError, match="not an IDX file"):
        datasets.read_idx(path)


# --- train_test_split --------------------------------------------------------------------------------

def test_train_test_split_sizes_and_disjoint_cover():
    x = np.arange(40, dtype=float).reshape(20, 2)
    y = np.arange(20)
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=0.25, seed=0)
    assert x_train.shape == (15, 2) and x_test.shape == (5, 2)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    np.testing.assert_array_equal(x_train[:, 0], 2 * y_train)  # rows stay paired with their labels
    np.testing.assert_array_equal(x_test[:, 0], 2 * y_test)


def test_train_test_split_accepts_an_integer_count_and_is_seeded():
    x, y = np.arange(30).reshape(10, 3).astype(float), np.arange(10)
    first = datasets.train_test_split(x, y, test_size=3, seed=5)
    again = datasets.train_test_split(x, y, test_size=3, seed=5)
    other = datasets.train_test_split(x, y, test_size=3, seed=6)
    assert len(first[1]) == 3
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], other[3])


def test_stratified_split_keeps_class_proportions():
    labels = np.array([0] * 60 + [1] * 30 + [2] * 10)
    x = np.arange(100, dtype=float).reshape(100, 1)
    _, _, y_train, y_test = datasets.train_test_split(x, labels, test_size=0.2, stratify=True, seed=1)
    np.testing.assert_array_equal(np.bincount(y_test), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_train), [48, 24, 8])


def test_stratified_split_on_breast_cancer_keeps_the_benign_share():
    data = datasets.load_breast_cancer()
    _, _, y_train, y_test = datasets.train_test_split(data.data, data.target, test_size=0.3, stratify=True, seed=0)
    share = data.target.mean()
    assert abs(y_train.mean() - share) < 0.005 and abs(y_test.mean() - share) < 0.01


def test_stratified_split_accepts_one_hot_labels():
    labels = np.array([0] * 8 + [1] * 4)
    x = np.zeros((12, 2))
    _, _, _, y_test = datasets.train_test_split(x, datasets.one_hot(labels), test_size=0.25, stratify=True)
    assert y_test.shape == (3, 2)
    np.testing.assert_array_equal(y_test.sum(axis=0), [2, 1])


def test_unstratified_split_can_lose_a_rare_class_but_stratified_cannot():
    labels = np.array([0] * 95 + [1] * 5)
    x = np.zeros((100, 1))
    lost = [datasets.train_test_split(x, labels, test_size=0.1, seed=s)[3].sum() == 0 for s in range(20)]
    assert any(lost)
    for seed in range(20):
        assert datasets.train_test_split(x, labels, test_size=0.1, stratify=True, seed=seed)[3].sum() == 1


@pytest.mark.parametrize("test_size", [0, 1.0, 1.5, -0.2, 10, 0, True, "0.2"])
def test_train_test_split_rejects_bad_test_size(test_size):
    with pytest.raises(ValueError, match="test_size"):
        datasets.train_test_split(np.zeros((10, 2)), np.zeros(10), test_size=test_size)


def test_train_test_split_rejects_length_mismatch_and_nan():
    with pytest.raises(ValueError, match="same number of rows"):
        datasets.train_test_split(np.zeros((10, 2)), np.zeros(9))
    x = np.zeros((10, 2))
    x[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        datasets.train_test_split(x, np.zeros(10))


# --- one_hot ------------------------------------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=30))
def test_one_hot_round_trips_through_argmax(labels):
    encoded = datasets.one_hot(labels, num_classes=10)
    assert encoded.shape == (len(labels), 10)
    np.testing.assert_array_equal(encoded.sum(axis=1), np.ones(len(labels)))
    np.testing.assert_array_equal(datasets.from_one_hot(encoded), labels)


def test_one_hot_infers_the_class_count_and_accepts_a_column():
    encoded = datasets.one_hot(np.array([[2], [0], [1]]))
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert encoded.dtype == np.dtype(nnlib.floatx())
    np.testing.assert_array_equal(datasets.one_hot([1.0, 0.0]), [[0, 1], [1, 0]])


@pytest.mark.parametrize("labels, num_classes, message", [
    ([0, -1, 2], None, ">= 0"),
    ([0, 1.5], None, "non-integer"),
    ([0, 3], 3, "from 0 to 2"),
    ([[0, 1], [1, 0]], None, "shape"),
    (["a", "b"], None, "integer class labels"),
    ([0, 1], 0, "num_classes"),
    ([0, np.nan], None, "NaN"),
])
def test_one_hot_rejects_bad_labels(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        datasets.one_hot(labels, num_classes=num_classes)


# --- standardize --------------------------------------------------------------------------------------

def test_standardize_gives_training_data_mean_zero_and_std_one():
    rng = np.random.default_rng(0)
    x_train = rng.normal(loc=[5.0, -3.0], scale=[2.0, 0.5], size=(200, 2))
    z, scaler = datasets.standardize(x_train)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(scaler.mean_, x_train.mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, x_train.std(axis=0))


def test_standardize_uses_training_statistics_only():
    rng = np.random.default_rng(1)
    x_train = rng.normal(0.0, 1.0, size=(500, 3))
    x_test = rng.normal(0.0, 1.0, size=(100, 3)) + 4.0  # a shifted test set
    z_train, z_test, scaler = datasets.standardize(x_train, x_test)
    np.testing.assert_allclose(z_test, (x_test - x_train.mean(axis=0)) / x_train.std(axis=0), rtol=1e-5, atol=1e-5)
    assert np.all(z_test.mean(axis=0) > 3.0)  # not re-centred on the test set's own mean
    np.testing.assert_allclose(z_train.mean(axis=0), 0.0, atol=1e-5)


def test_standardize_maps_constant_columns_to_zero_not_nan():
    x_train = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    z_train, z_test, scaler = datasets.standardize(x_train, np.array([[2.0, 8.0]]))
    assert np.all(np.isfinite(z_train)) and np.all(np.isfinite(z_test))
    np.testing.assert_array_equal(z_train[:, 1], [0.0, 0.0, 0.0])
    assert scaler.scale_[1] == 1.0
    assert z_test[0, 1] == pytest.approx(1.0)


def test_standardizer_inverse_transform_undoes_transform(float64):
    x = np.random.default_rng(2).uniform(-10, 10, size=(20, 4))
    scaler = datasets.Standardizer().fit(x)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(x)), x, rtol=1e-12)


def test_standardizer_rejects_bad_input():
    with pytest.raises(ValueError, match="call fit"):
        datasets.Standardizer().transform(np.zeros((2, 2)))
    scaler = datasets.Standardizer().fit(np.eye(3))
    with pytest.raises(ValueError, match="expected 3 features"):
        scaler.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="2-D"):
        datasets.standardize(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        datasets.standardize(np.array([[1.0, np.nan], [2.0, 3.0]]))
