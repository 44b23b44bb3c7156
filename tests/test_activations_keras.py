"""elu, gelu, silu/swish and softplus: values against Keras 3 (JAX), derivatives against numbers.

Values are compared in float32 (within 1e-6 relative to max(1, |value|)) on a grid from -30 to 30
plus saturating points at +-1e3; derivatives are compared with central differences in float64 and
with ``jax.grad`` of Keras's own function; and each activation is used by name in ``Dense``, whose
forward pass agrees with Keras and whose backprop gradients pass ``check_gradients``.
"""
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import activations, gradients  # noqa: E402
from nnlib.layers import Dense, Input  # noqa: E402

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")
if keras.backend.backend() != "jax":
    pytest.skip(f"Keras was already imported with the {keras.backend.backend()!r} backend",
                allow_module_level=True)

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

# name -> (nnlib function, nnlib derivative, Keras function)
ACTIVATIONS = {
    "elu": (activations.elu, activations.elu_derivative, keras.activations.elu),
    "gelu": (activations.gelu, activations.gelu_derivative, keras.activations.gelu),
    "gelu approximate": (lambda x: activations.gelu(x, approximate=True),
                         lambda x: activations.gelu_derivative(x, approximate=True),
                         lambda x: keras.activations.gelu(x, approximate=True)),
    "silu": (activations.silu, activations.silu_derivative, keras.activations.silu),
    "swish": (activations.swish, activations.get_derivative("swish"), keras.activations.swish),
    "softplus": (activations.softplus, activations.softplus_derivative, keras.activations.softplus),
}
GRID = np.concatenate([np.linspace(-30, 30, 241), [-1e3, -50.0, -1e-3, 0.0, 1e-3, 50.0, 1e3]])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_values_agree_with_keras_in_float32(name):
    ours, _, theirs = ACTIVATIONS[name]
    x = GRID.astype(np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow warnings at +-1000
        mine = ours(x)
    other = keras.ops.convert_to_numpy(theirs(keras.ops.convert_to_tensor(x)))
    assert mine.dtype == np.float32 and np.all(np.isfinite(mine))
    scale = np.maximum(1.0, np.abs(other.astype(np.float64)))
    assert np.max(np.abs(mine - other.astype(np.float64)) / scale) <= 1e-6


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_central_differences_in_float64(name):
    ours, derivative, _ = ACTIVATIONS[name]
    x = np.linspace(-6, 6, 97) + 0.0123  # steer clear of elu's kink at 0
    h = 1e-6
    numeric = (ours(x + h) - ours(x - h)) / (2 * h)
    np.testing.assert_allclose(derivative(x), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_agrees_with_jax_grad_of_keras(name):
    _, derivative, theirs = ACTIVATIONS[name]
    x = GRID.astype(np.float32)
    expected = np.asarray(jax.vmap(jax.grad(lambda t: theirs(t)))(x))
    # Around x = -5 JAX's float32 derivative of gelu (both forms) cancels to about 2e-6 absolute
    # (it even gives 0 where the true value is -1e-6); nnlib evaluates it in float64 and rounds.
    np.testing.assert_allclose(derivative(x), expected, rtol=2e-6, atol=5e-6 if name.startswith("gelu") else 1e-6)


@pytest.mark.parametrize("name", ["elu", "gelu", "silu", "swish", "softplus"])
def test_dense_by_name_agrees_with_keras_and_passes_the_gradient_check(name):
    nnlib.set_random_seed(3)
    ours = nnlib.Sequential([Input((3,)), Dense(5, activation=name), Dense(2)])
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5, activation=name), keras.layers.Dense(2)])
    theirs.set_weights(ours.get_weights())
    x = np.random.default_rng(3).normal(size=(7, 3)).astype(np.float32) * 2
    np.testing.assert_allclose(ours.predict(x), keras.ops.convert_to_numpy(theirs(x)), atol=1e-6)
    ours.compile("sgd", "mse")
    errors = gradients.check_gradients(ours, x, np.zeros((7, 2)))
    assert max(errors.values()) < 1e-7, errors


def test_swish_is_silu_and_names_resolve():
    assert activations.get("swish") is activations.silu
    assert activations.name_of(activations.silu) == "silu"
    for name in ("elu", "gelu", "silu", "softplus"):
        assert activations.get(name) is getattr(activations, name)


def test_elu_and_softplus_keep_their_dtype_and_do_not_overflow():
    for dtype in (np.float16, np.float32, np.float64):
        x = np.array([-1e4, 0.0, 1e4], dtype=dtype) if dtype != np.float16 else np.array([-6e4, 0, 6e4], dtype)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            for function in (activations.elu, activations.softplus, activations.silu, activations.gelu):
                out = function(x)
                assert out.dtype == dtype and np.all(np.isfinite(out)), (function.__name__, dtype)
