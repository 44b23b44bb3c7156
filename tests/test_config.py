"""Unit tests of nnlib.config: the default float type and the library's random generator."""
import numpy as np
import pytest

import nnlib
from nnlib import config
from nnlib.layers import Dense, Input
from nnlib.models import Sequential


pytestmark = pytest.mark.usefixtures("fresh_library_state")  # see conftest.py


def initial_weights():
    return Sequential([Input((3,)), Dense(4, activation="relu"), Dense(2)]).get_weights()


def test_default_floatx_is_float32():
    assert nnlib.floatx() == "float32"


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_set_floatx_accepts_the_three_float_types(name):
    nnlib.set_floatx(name)
    assert nnlib.floatx() == name
    assert nnlib.floatx() is config.floatx()


@pytest.mark.parametrize("value", ["float128", "int32", "double", "Float64", np.float64, 64, None])
def test_set_floatx_rejects_unknown_types_and_lists_the_known_ones(value):
    with pytest.raises(ValueError, match=r"expected one of \('float16', 'float32', 'float64'\), got"):
        nnlib.set_floatx(value)
    assert nnlib.floatx() == "float32"


def test_set_floatx_changes_the_dtype_of_new_weights():
    nnlib.set_floatx("float64")
    assert all(w.dtype == np.float64 for w in initial_weights())


def test_set_random_seed_makes_initial_weights_reproducible():
    nnlib.set_random_seed(7)
    first = initial_weights()
    nnlib.set_random_seed(7)
    second = initial_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_give_different_initial_weights():
    nnlib.set_random_seed(7)
    first = initial_weights()
    nnlib.set_random_seed(8)
    second = initial_weights()
    assert not np.array_equal(first[0], second[0])


def test_successive_models_after_one_seed_differ():
    nnlib.set_random_seed(7)
    assert not np.array_equal(initial_weights()[0], initial_weights()[0])


def test_default_rng_is_the_generator_set_random_seed_installs():
    nnlib.set_random_seed(11)
    expected = np.random.default_rng(11).random(3)
    np.testing.assert_array_equal(config.default_rng().random(3), expected)


def test_as_rng_turns_none_int_and_generator_into_generators():
    generator = np.random.default_rng(1)
    assert config.as_rng(generator) is generator
    assert config.as_rng(None) is config.default_rng()
    np.testing.assert_array_equal(config.as_rng(5).random(2), np.random.default_rng(5).random(2))
    np.testing.assert_array_equal(config.as_rng(np.int64(5)).random(2), np.random.default_rng(5).random(2))


@pytest.mark.parametrize("seed", [1.5, "0", True])
def test_as_rng_rejects_other_seeds_naming_seed(seed):
    with pytest.raises(ValueError, match=r"seed: expected None, an int or a numpy Generator"):
        config.as_rng(seed)


@pytest.mark.parametrize("seed", ["abc", 1.5])
def test_set_random_seed_rejects_a_non_integer_seed_with_a_clear_message(seed):
    with pytest.raises(ValueError, match="seed"):
        nnlib.set_random_seed(seed)
