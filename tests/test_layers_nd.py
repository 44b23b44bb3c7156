"""Tensors of any rank: Input shapes, Dense on the last axis, Flatten, Reshape, summaries and errors.

The Part IV layers (convolutions, recurrent layers) rest on this: every layer states its
output shape from its input shape, and shape errors name the layer and both shapes.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import gradients  # noqa: E402
from nnlib.layers import Activation, Dense, Flatten, Input, Layer, Reshape  # noqa: E402
from nnlib.models import Sequential  # noqa: E402


def central_differences(array, objective, h=1e-6):
    """d objective() / d array by central differences: chapter 5's numerical_gradient, which
    perturbs ``array`` in place, so ``objective`` reads it through the layer."""
    return nnlib.gradients.numerical_gradient(lambda _: objective(), array, h=h)


def numerical_input_gradient(layer, x, dout):
    return central_differences(x, lambda: np.sum(layer.forward(x) * dout))


def numerical_param_gradient(layer, key, x, dout):
    return central_differences(layer.params[key], lambda: np.sum(layer.forward(x) * dout))


# --- shapes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3,), (5, 3), (4, 4, 2), (None, 3), 7])
def test_input_accepts_any_shape_as_keras_does(shape):
    expected = (shape,) if isinstance(shape, int) else shape
    assert Input(shape).shape == expected


def test_every_layer_states_its_output_shape():
    model = Sequential([Input((4, 4, 2)), Flatten(), Dense(6, activation="relu"), Reshape((2, 3)),
                        Dense(5), Activation("softmax")])
    assert [layer.output_shape for layer in model.layers] == [(32,), (6,), (2, 3), (2, 5), (2, 5)]
    assert model.output_shape == (2, 5)
    assert model.predict(np.ones((3, 4, 4, 2))).shape == (3, 2, 5)


def test_summary_prints_full_shapes(capsys):
    model = Sequential([Input((5, 3)), Dense(4), Flatten(), Dense(1)])
    model.summary()
    out = capsys.readouterr().out
    assert "(None, 5, 4)" in out and "(None, 20)" in out and "(None, 1)" in out
    assert "Total params: 37" in out  # 3*4+4 + 20*1+1


def test_variable_length_axis_is_accepted():
    model = Sequential([Input((None, 3)), Dense(2)])
    assert model.output_shape == (None, 2)
    assert model.predict(np.ones((2, 7, 3))).shape == (2, 7, 2)
    assert model.predict(np.ones((2, 4, 3))).shape == (2, 4, 2)


def test_model_builds_from_the_first_batch_of_any_rank():
    model = Sequential([Flatten(), Dense(2)])
    assert model.predict(np.ones((3, 2, 5))).shape == (3, 2)
    assert model.input_shape == (2, 5)
    assert model.layers[1].kernel.shape == (10, 2)


# --- Dense on the last axis -----------------------------------------------------------------------------

def test_dense_on_rank_three_acts_on_the_last_axis(fresh_library_state):
    layer = Dense(4, activation="tanh")
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype(np.float32)
    out = layer.forward(x)
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out[1, 2], np.tanh(x[1, 2] @ layer.kernel + layer.bias), rtol=1e-6)


@pytest.mark.parametrize("activation", ["linear", "tanh", "softmax", "relu"])
def test_dense_rank_three_backward_matches_central_differences(float64, activation):
    rng = np.random.default_rng(2)
    layer = Dense(3, activation=activation)
    x = rng.normal(size=(2, 4, 5))
    dout = rng.normal(size=(2, 4, 3))
    layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, numerical_input_gradient(layer, x, dout), rtol=1e-6, atol=1e-8)
    layer.forward(x)
    layer.backward(dout)
    for key in ("kernel", "bias"):
        analytic = layer.grads[key].copy()
        assert gradients.rel_error(analytic, numerical_param_gradient(layer, key, x, dout)) < 1e-7


def test_flatten_and_reshape_backward_restore_the_input_shape(float64):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4))
    for layer, out_shape in ((Flatten(), (2, 12)), (Reshape((6, -1)), (2, 6, 2))):
        out = layer.forward(x)
        assert out.shape == out_shape
        np.testing.assert_array_equal(out.reshape(x.shape), x)  # C order, as Keras
        dout = rng.normal(size=out_shape)
        np.testing.assert_array_equal(layer.backward(dout), dout.reshape(x.shape))


def test_a_model_over_images_passes_a_full_gradient_check(float64):
    rng = np.random.default_rng(4)
    nnlib.set_random_seed(4)
    model = Sequential([Input((3, 3, 2)), Dense(4, activation="tanh"), Flatten(), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = rng.normal(size=(5, 3, 3, 2))
    y = np.eye(3)[rng.integers(0, 3, size=5)]
    report = gradients.check_gradients(model, x, y)
    assert max(report.values()) < 1e-6, report


# --- Keras agreement ---------------------------------------------------------------------------------------

keras = pytest.importorskip("keras")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dense_on_sequences_and_flatten_agree_with_keras_after_three_steps(fresh_library_state):
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 4, 3)).astype(np.float32)
    y = rng.normal(size=(8, 2)).astype(np.float32)
    ours = Sequential([Input((4, 3)), Dense(5, activation="tanh"), Flatten(), Dense(2)])
    ours.compile(optimizer=nnlib.optimizers.SGD(0.1), loss="mse")
    theirs = keras.Sequential([keras.Input((4, 3)), keras.layers.Dense(5, activation="tanh"),
                               keras.layers.Flatten(), keras.layers.Dense(2)])
    theirs.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), atol=1e-6)
    for _ in range(3):
        loss_ours = ours.train_on_batch(x, y)
        loss_theirs = theirs.train_on_batch(x, y)
        assert abs(loss_ours - float(loss_theirs)) < 1e-5
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)


# --- errors that name the layer and the shapes -----------------------------------------------------------------

def test_wrong_sample_shape_names_expected_and_received():
    model = Sequential([Input((8, 8, 1)), Flatten(), Dense(2)])
    with pytest.raises(ValueError, match=r"x: expected an array of shape \(None, 8, 8, 1\), got shape \(2, 8, 8, 3\)"):
        model.predict(np.ones((2, 8, 8, 3)))


def test_layer_alone_names_itself_and_both_shapes():
    layer = Dense(2, name="head")
    layer.build((5, 3))
    with pytest.raises(ValueError, match=r"x: layer 'head' expects input of shape \(None, 5, 3\), got shape \(4, 5, 2\)"):
        layer.forward(np.ones((4, 5, 2)))


def test_a_layer_that_needs_a_rank_says_so():
    class NeedsImages(Layer):
        input_rank = 3

        def forward(self, x, training=False):
            return self._check_input(x)

    with pytest.raises(ValueError, match=r"layer 'needs_images' \(NeedsImages\) expects samples of rank 3.*"
                                         r"got samples of shape \(64,\)"):
        NeedsImages().forward(np.ones((2, 64)))


def test_reshape_to_a_wrong_size_is_refused():
    with pytest.raises(ValueError, match=r"cannot reshape samples of shape \(12,\) \(12 entries\) into \(5, 2\)"):
        Sequential([Input((12,)), Reshape((5, 2))])
    with pytest.raises(ValueError, match=r"target_shape: expected a tuple of positive sizes"):
        Reshape((0, 3))


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "summary"])
def test_a_model_without_layers_raises_clearly(method):
    model = Sequential()
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"the model has no layers"):
        if method == "summary":
            model.summary()
        elif method == "predict":
            model.predict(x)
        else:
            getattr(model, method)(x, np.ones((2, 1)))


# --- set_weights checks everything before replacing anything ----------------------------------------------------

@pytest.mark.parametrize("bad_bias", [np.array(["a", "b"]), np.array([1 + 2j, 0j]), np.array([np.nan, 0.0]),
                                      np.array([object(), object()], dtype=object)])
def test_set_weights_is_atomic_and_checks_every_dtype(bad_bias):
    model = Sequential([Input((3,)), Dense(2), Dense(1)])
    before = model.get_weights()
    new = [np.ones_like(w) for w in before]
    new[1] = bad_bias
    with pytest.raises(ValueError, match=r"weights: layer 'dense'"):
        model.set_weights(new)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    layer = model.layers[0]
    with pytest.raises(ValueError, match=r"weights: layer 'dense'"):
        layer.set_weights([np.ones((3, 2)), bad_bias])
    np.testing.assert_array_equal(layer.kernel, before[0])


@pytest.mark.parametrize("weights", [None, "weights", np.ones(3)])
def test_set_weights_rejects_non_lists(weights):
    model = Sequential([Input((3,)), Dense(1)])
    with pytest.raises(ValueError, match=r"weights: expected a list of arrays"):
        model.set_weights(weights)


def test_kernel_initializer_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"kernel_initializer: layer 'dense' asked for a kernel of shape \(3, 2\)"):
        Sequential([Input((3,)), Dense(2, kernel_initializer=lambda shape: np.zeros((2, 2)))])
