"""Sequential.save_weights / load_weights: round trips, clear errors, and the file-name rule Keras has."""
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib.layers import Dense, Input  # noqa: E402


def trained_model(hidden=4, seed=0):
    nnlib.set_random_seed(seed)
    model = nnlib.Sequential([Input((3,)), Dense(hidden, "tanh"), Dense(2, "softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(seed)
    model.fit(rng.normal(size=(20, 3)), rng.integers(0, 2, size=20), epochs=3, verbose=0)
    return model


def test_round_trip_restores_every_weight_exactly(tmp_path):
    model = trained_model()
    path = tmp_path / "model.weights.npz"
    model.save_weights(path)
    other = trained_model(seed=1)
    assert not np.allclose(other.get_weights()[0], model.get_weights()[0])
    other.load_weights(str(path))
    for saved, loaded in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(saved, loaded)
        assert saved.dtype == loaded.dtype
    x = np.random.default_rng(5).normal(size=(4, 3))
    np.testing.assert_array_equal(model.predict(x), other.predict(x))


def test_a_model_with_other_shapes_gets_an_error_naming_layer_and_shapes(tmp_path):
    path = tmp_path / "model.weights.npz"
    trained_model(hidden=4).save_weights(path)
    other = trained_model(hidden=5)
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"layer 0 'dense' expects weights of shapes \[\(3, 5\), \(5,\)\], "
                                         r"the file has \[\(3, 4\), \(4,\)\]"):
        other.load_weights(path)
    for old, now in zip(before, other.get_weights()):
        np.testing.assert_array_equal(old, now)


def test_a_model_with_another_layer_count_is_refused(tmp_path):
    path = tmp_path / "model.weights.npz"
    trained_model().save_weights(path)
    deeper = nnlib.Sequential([Input((3,)), Dense(4), Dense(4), Dense(2)])
    with pytest.raises(ValueError, match=r"holds weights for 2 layer\(s\) \['dense', 'dense_1'\], this model has 3"):
        deeper.load_weights(path)


@pytest.mark.parametrize("name, message", [
    ("model.h5", r"ending in '.weights.npz' .*got '.*model.h5'; for example '.*model.weights.npz'"),
    ("model.npz", r"ending in '.weights.npz'"),
    ("model.weights.h5", r"for example '.*model.weights.npz'"),
])
def test_the_file_name_must_end_in_weights_npz(tmp_path, name, message):
    with pytest.raises(ValueError, match=message):
        trained_model().save_weights(tmp_path / name)
    with pytest.raises(ValueError, match=message):
        trained_model().load_weights(tmp_path / name)


def test_missing_corrupt_and_foreign_files_get_clear_errors(tmp_path):
    model = trained_model()
    with pytest.raises(FileNotFoundError, match="no weights file at"):
        model.load_weights(tmp_path / "absent.weights.npz")
    corrupt = tmp_path / "corrupt.weights.npz"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="is not a weights file written by save_weights"):
        model.load_weights(corrupt)
    foreign = tmp_path / "foreign.weights.npz"
    np.savez(foreign, a=np.zeros(3))
    with pytest.raises(ValueError, match="not one written by save_weights"):
        model.load_weights(foreign)


def test_overwrite_false_keeps_an_existing_file(tmp_path):
    path = tmp_path / "model.weights.npz"
    trained_model().save_weights(path)
    with pytest.raises(ValueError, match="exists and overwrite=False"):
        trained_model().save_weights(path, overwrite=False)


def test_an_unbuilt_model_cannot_save_or_load(tmp_path):
    with pytest.raises(ValueError, match="save_weights: the model has no weights yet"):
        nnlib.Sequential([Dense(2)]).save_weights(tmp_path / "m.weights.npz")


def test_keras_applies_the_same_file_name_rule_and_the_loaded_weights_predict_as_keras(tmp_path):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was already imported with another backend")
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                               keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="weights.h5"):
        theirs.save_weights(str(tmp_path / "model.h5"))
    model = trained_model()
    model.save_weights(tmp_path / "model.weights.npz")
    fresh = trained_model(seed=3)
    fresh.load_weights(tmp_path / "model.weights.npz")
    theirs.set_weights(fresh.get_weights())
    x = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    np.testing.assert_allclose(fresh.predict(x), keras.ops.convert_to_numpy(theirs(x)), atol=1e-6)
