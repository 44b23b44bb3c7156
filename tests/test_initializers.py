"""Unit tests of nnlib.initializers (chapter 7, Training a network: symmetry, scale, Glorot and He)."""
import numpy as np
import pytest

import nnlib
from nnlib import initializers

RANDOM_INITIALIZERS = [initializers.glorot_uniform, initializers.he_normal, initializers.random_normal]


pytestmark = pytest.mark.usefixtures("fresh_library_state")  # see conftest.py


@pytest.mark.parametrize("initializer", RANDOM_INITIALIZERS + [initializers.zeros], ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(3, 4), (7,), (1, 1)])
def test_initializer_returns_the_requested_shape(initializer, shape):
    assert initializer(shape).shape == shape


@pytest.mark.parametrize("initializer", RANDOM_INITIALIZERS + [initializers.zeros], ids=lambda f: f.__name__)
@pytest.mark.parametrize("floatx", ["float16", "float32", "float64"])
def test_dtype_follows_floatx(initializer, floatx):
    nnlib.set_floatx(floatx)
    assert initializer((4, 3)).dtype == np.dtype(floatx)


def test_default_dtype_is_float32():
    assert initializers.glorot_uniform((2, 2)).dtype == np.float32


@pytest.mark.parametrize("initializer", RANDOM_INITIALIZERS, ids=lambda f: f.__name__)
def test_same_int_seed_reproduces_the_draw(initializer):
    np.testing.assert_array_equal(initializer((5, 6), seed=42), initializer((5, 6), seed=42))


@pytest.mark.parametrize("initializer", RANDOM_INITIALIZERS, ids=lambda f: f.__name__)
def test_different_seeds_give_different_draws(initializer):
    assert not np.array_equal(initializer((5, 6), seed=1), initializer((5, 6), seed=2))


@pytest.mark.parametrize("initializer", RANDOM_INITIALIZERS, ids=lambda f: f.__name__)
def test_generator_seed_is_used_and_advanced(initializer):
    first = initializer((3, 3), seed=np.random.default_rng(7))
    again = initializer((3, 3), seed=np.random.default_rng(7))
    np.testing.assert_array_equal(first, again)
    shared = np.random.default_rng(7)
    assert not np.array_equal(initializer((3, 3), seed=shared), initializer((3, 3), seed=shared))


@pytest.mark.parametrize("initializer", RANDOM_INITIALIZERS, ids=lambda f: f.__name__)
def test_no_seed_uses_the_library_generator_that_set_random_seed_resets(initializer):
    nnlib.set_random_seed(3)
    first = initializer((4, 4))
    second = initializer((4, 4))
    nnlib.set_random_seed(3)
    np.testing.assert_array_equal(initializer((4, 4)), first)
    assert not np.array_equal(first, second)


def test_glorot_uniform_respects_its_limit_and_fills_the_interval():
    fan_in, fan_out = 30, 20
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    weights = initializers.glorot_uniform((fan_in, fan_out), seed=0)
    assert np.all(np.abs(weights) <= limit)
    assert weights.max() > 0.9 * limit and weights.min() < -0.9 * limit


def test_glorot_uniform_variance_is_two_over_fan_in_plus_fan_out():
    fan_in, fan_out = 400, 200
    weights = initializers.glorot_uniform((fan_in, fan_out), seed=1).astype(np.float64)
    # Uniform(-a, a) has variance a^2 / 3 = 2 / (fan_in + fan_out).
    assert weights.var() == pytest.approx(2.0 / (fan_in + fan_out), rel=0.02)
    assert abs(weights.mean()) < 0.01 * np.sqrt(2.0 / (fan_in + fan_out))


def test_glorot_uniform_bias_shape_uses_its_length_for_both_fans():
    limit = np.sqrt(6.0 / (50 + 50))
    weights = initializers.glorot_uniform((50,), seed=2)
    assert np.all(np.abs(weights) <= limit)
    assert np.abs(weights).max() > 0.8 * limit


def test_he_normal_is_truncated_at_two_standard_deviations():
    fan_in = 64
    untruncated_stddev = np.sqrt(2.0 / fan_in) / 0.87962566103423978
    weights = initializers.he_normal((fan_in, 500), seed=3)
    assert np.abs(weights).max() <= 2 * untruncated_stddev * (1 + 1e-6)
    assert np.abs(weights).max() > 1.9 * untruncated_stddev


def test_he_normal_stddev_is_close_to_sqrt_two_over_fan_in_on_a_large_draw():
    fan_in = 500
    weights = initializers.he_normal((fan_in, 400), seed=4).astype(np.float64)
    assert weights.std() == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.02)
    assert abs(weights.mean()) < 0.01 * np.sqrt(2.0 / fan_in)


def test_he_normal_does_not_depend_on_fan_out():
    narrow = initializers.he_normal((100, 2000), seed=5).astype(np.float64).std()
    wide = initializers.he_normal((100, 4000), seed=6).astype(np.float64).std()
    assert narrow == pytest.approx(wide, rel=0.02)


def test_random_normal_uses_its_mean_and_stddev():
    weights = initializers.random_normal((300, 300), mean=1.5, stddev=0.2, seed=7).astype(np.float64)
    assert weights.mean() == pytest.approx(1.5, abs=0.005)
    assert weights.std() == pytest.approx(0.2, rel=0.02)


def test_random_normal_defaults_are_keras_mean_0_stddev_0_05():
    weights = initializers.random_normal((300, 300), seed=8).astype(np.float64)
    assert abs(weights.mean()) < 0.001
    assert weights.std() == pytest.approx(0.05, rel=0.02)


def test_zeros_is_all_zeros():
    np.testing.assert_array_equal(initializers.zeros((3, 2)), np.zeros((3, 2)))


def test_zeros_accepts_and_ignores_a_seed():
    np.testing.assert_array_equal(initializers.zeros((2,), seed=5), [0.0, 0.0])


@pytest.mark.parametrize("name", ["glorot_uniform", "he_normal", "random_normal", "zeros"])
def test_get_returns_the_initializer_of_that_name(name):
    assert initializers.get(name) is getattr(initializers, name)


def test_get_passes_a_callable_through():
    def constant(shape, seed=None):
        return np.full(shape, 0.5)
    assert initializers.get(constant) is constant


def test_get_rejects_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot_normal'.*glorot_uniform.*he_normal.*zeros"):
        initializers.get("glorot_normal")


@pytest.mark.parametrize("seed", [1.5, "seven", True])
def test_bad_seed_is_rejected_with_a_message_naming_seed(seed):
    with pytest.raises(ValueError, match=r"seed: expected None, an int or a numpy Generator"):
        initializers.glorot_uniform((2, 2), seed=seed)
