"""Reference tests: nnlib agrees with Keras 3 (JAX backend, CPU, float32) number for number.

The same architecture is built on both sides, nnlib's weights are copied into Keras with ``set_weights``,
and predictions, training steps (every optimizer x every loss), losses and ``evaluate`` are compared
with a max-abs tolerance of 1e-5. The largest difference seen in the whole file is printed at the end
("largest Keras difference: ..."; run pytest with -s to see it).
"""
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")
jnp = jax.numpy

import nnlib  # noqa: E402

if keras.backend.backend() != "jax":
    pytest.skip(
        f"Keras was already imported with the {keras.backend.backend()!r} backend", allow_module_level=True
    )

# Keras 3.15 converts its variables with np.array(self) and NumPy 2 warns about the copy keyword: not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

TOLERANCE = 1e-5
N_INPUTS = 4
N_CLASSES = 3
TRAIN_STEPS = 3

# (max abs difference, what was compared) for every comparison made in this file
DIFFERENCES = []


@pytest.fixture(scope="module", autouse=True)
def report_largest_difference():
    """After the module's tests, print the largest difference measured, for the lead to quote."""
    yield
    if DIFFERENCES:
        largest, where = max(DIFFERENCES)
        print(f"\nlargest Keras difference: {largest:.3g} (at {where}; {len(DIFFERENCES)} comparisons)")


def assert_agree(what, nnlib_value, keras_value, atol=TOLERANCE):
    """Record max |nnlib - keras| and require it to be at most ``atol``."""
    ours = np.asarray(nnlib_value, dtype=np.float64)
    theirs = np.asarray(keras_value, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: nnlib shape {ours.shape}, Keras shape {theirs.shape}"
    difference = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    DIFFERENCES.append((difference, what))
    assert difference <= atol, f"{what}: max |nnlib - keras| = {difference:.3g} > {atol:g}"


def build_pair(layer_specs, seed):
    """The same network in nnlib and Keras; nnlib's weights (with random biases) copied into Keras.

    ``layer_specs`` is a list of (units, activation name).
    """
    nnlib.set_random_seed(seed)
    ours = nnlib.Sequential(
        [nnlib.Input((N_INPUTS,))] + [nnlib.layers.Dense(units, activation=act) for units, act in layer_specs]
    )
    rng = np.random.default_rng(seed)
    weights = ours.get_weights()
    for index in range(1, len(weights), 2):  # nonzero biases, so that a bias bug cannot hide
        weights[index] = rng.normal(0.0, 0.3, size=weights[index].shape).astype(np.float32)
    ours.set_weights(weights)

    theirs = keras.Sequential(
        [keras.Input((N_INPUTS,))] + [keras.layers.Dense(units, activation=act) for units, act in layer_specs]
    )
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def inputs(seed, n_samples):
    return np.random.default_rng(seed).normal(0.0, 1.5, size=(n_samples, N_INPUTS)).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Weight order and predictions


def test_get_weights_order_matches_keras():
    ours, theirs = build_pair([(5, "relu"), (N_CLASSES, "softmax")], seed=1)
    our_weights = ours.get_weights()
    assert [w.shape for w in our_weights] == [(N_INPUTS, 5), (5,), (5, N_CLASSES), (N_CLASSES,)]
    assert [tuple(w.shape) for w in our_weights] == [tuple(w.shape) for w in theirs.get_weights()]
    dense = [layer for layer in ours.layers if layer.params]
    expected = [layer.params[key] for layer in dense for key in ("kernel", "bias")]
    for index, (ours_w, theirs_w, layer_w) in enumerate(zip(our_weights, theirs.get_weights(), expected)):
        np.testing.assert_array_equal(ours_w, layer_w, err_msg=f"get_weights()[{index}]")
        np.testing.assert_array_equal(ours_w, theirs_w, err_msg=f"get_weights()[{index}]")


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"])
def test_predict_agrees(activation):
    ours, theirs = build_pair([(6, activation), (5, activation), (N_CLASSES, activation)], seed=2)
    x = inputs(seed=3, n_samples=20)
    assert_agree(f"predict[{activation}]", ours.predict(x), theirs.predict(x, verbose=0))


# ---------------------------------------------------------------------------------------------
# Training: every optimizer x every loss, three train_on_batch steps, then evaluate

OPTIMIZERS = {
    "sgd": lambda lib: lib.optimizers.SGD(learning_rate=0.05),
    "sgd_momentum": lambda lib: lib.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda lib: lib.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda lib: lib.optimizers.RMSprop(learning_rate=0.01),
    "adam": lambda lib: lib.optimizers.Adam(learning_rate=0.01),
}


def regression_targets(rng, n):
    return rng.normal(size=(n, 2)).astype(np.float32)


def binary_targets(rng, n):
    return rng.permutation(np.arange(n) % 2).reshape(-1, 1).astype(np.float32)


def integer_targets(rng, n):
    return rng.permutation(np.arange(n) % N_CLASSES)


def one_hot_targets(rng, n):
    return np.eye(N_CLASSES, dtype=np.float32)[integer_targets(rng, n)]


# loss name -> (output units, output activation, target maker)
LOSSES = {
    "mse": (2, "linear", regression_targets),
    "binary_crossentropy": (1, "sigmoid", binary_targets),
    "categorical_crossentropy": (N_CLASSES, "softmax", one_hot_targets),
    "sparse_categorical_crossentropy": (N_CLASSES, "softmax", integer_targets),
}


def compiled_pair(optimizer_name, loss_name, seed, metrics=None):
    units, output_activation, make_targets = LOSSES[loss_name]
    ours, theirs = build_pair([(6, "relu"), (5, "tanh"), (units, output_activation)], seed=seed)
    ours.compile(optimizer=OPTIMIZERS[optimizer_name](nnlib), loss=loss_name, metrics=metrics)
    theirs.compile(optimizer=OPTIMIZERS[optimizer_name](keras), loss=loss_name, metrics=metrics)
    return ours, theirs, make_targets


@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
def test_training_steps_agree(optimizer_name, loss_name):
    ours, theirs, make_targets = compiled_pair(optimizer_name, loss_name, seed=4)
    rng = np.random.default_rng(5)
    x, y = inputs(seed=6, n_samples=10), make_targets(rng, 10)
    start = [w.copy() for w in ours.get_weights()]

    for step in range(1, TRAIN_STEPS + 1):
        our_loss = ours.train_on_batch(x, y)
        their_loss = theirs.train_on_batch(x, y)
        assert np.ndim(our_loss) == 0, f"train_on_batch should return one float, got {our_loss!r}"
        assert_agree(f"{optimizer_name}/{loss_name} step {step} loss", our_loss, their_loss)
        for index, (w_ours, w_theirs) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
            assert_agree(f"{optimizer_name}/{loss_name} step {step} weights[{index}]", w_ours, w_theirs)

    moved = max(float(np.max(np.abs(w - w0))) for w, w0 in zip(ours.get_weights(), start))
    assert moved > 1e-3, "the weights barely moved; the comparison would prove little"

    # evaluate on more samples than Keras's default batch of 32, so Keras averages over two batches
    x_eval, y_eval = inputs(seed=7, n_samples=45), make_targets(rng, 45)
    assert_agree(
        f"{optimizer_name}/{loss_name} evaluate",
        ours.evaluate(x_eval, y_eval),
        theirs.evaluate(x_eval, y_eval, verbose=0),
    )


# loss object class name -> (output units, target maker); both sides use Class(from_logits=True), linear output
FROM_LOGITS_LOSSES = {
    "BinaryCrossentropy": (1, binary_targets),
    "CategoricalCrossentropy": (N_CLASSES, one_hot_targets),
    "SparseCategoricalCrossentropy": (N_CLASSES, integer_targets),
}


@pytest.mark.parametrize("loss_class", list(FROM_LOGITS_LOSSES))
def test_training_with_from_logits_losses_agrees(loss_class):
    units, make_targets = FROM_LOGITS_LOSSES[loss_class]
    ours, theirs = build_pair([(6, "relu"), (5, "tanh"), (units, "linear")], seed=13)
    ours.compile(optimizer=OPTIMIZERS["adam"](nnlib), loss=getattr(nnlib.losses, loss_class)(from_logits=True))
    theirs.compile(optimizer=OPTIMIZERS["adam"](keras), loss=getattr(keras.losses, loss_class)(from_logits=True))
    rng = np.random.default_rng(14)
    x, y = inputs(seed=15, n_samples=10), make_targets(rng, 10)
    for step in range(1, TRAIN_STEPS + 1):
        our_loss, their_loss = ours.train_on_batch(x, y), theirs.train_on_batch(x, y)
        assert_agree(f"adam/{loss_class}(from_logits) step {step} loss", our_loss, their_loss)
        for index, (w_ours, w_theirs) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
            assert_agree(f"adam/{loss_class}(from_logits) step {step} weights[{index}]", w_ours, w_theirs)
    x_eval, y_eval = inputs(seed=16, n_samples=45), make_targets(rng, 45)
    assert_agree(
        f"{loss_class}(from_logits) evaluate",
        ours.evaluate(x_eval, y_eval),
        theirs.evaluate(x_eval, y_eval, verbose=0),
    )


@pytest.mark.parametrize("loss_name", [name for name in LOSSES if name != "mse"])
def test_evaluate_with_accuracy_agrees(loss_name):
    ours, theirs, make_targets = compiled_pair("sgd", loss_name, seed=8, metrics=["accuracy"])
    x, y = inputs(seed=9, n_samples=45), make_targets(np.random.default_rng(10), 45)
    our_loss, our_accuracy = ours.evaluate(x, y)
    their_loss, their_accuracy = theirs.evaluate(x, y, verbose=0)
    assert_agree(f"{loss_name} evaluate loss (with metrics)", our_loss, their_loss)
    assert_agree(f"{loss_name} evaluate accuracy", our_accuracy, their_accuracy)


# ---------------------------------------------------------------------------------------------
# Optimizers on their own, with gradients from large to tiny (where the placement of epsilon matters)


def gradient_sequence(shape, steps, rng):
    """Gradients whose entries span 1 down to 1e-7, with a zero, varying from step to step."""
    scales = np.array([1.0, -0.3, 1e-2, 1e-4, -1e-6, 1e-7, 0.0, 2.5])
    out = []
    for _ in range(steps):
        base = rng.permutation(np.resize(scales, int(np.prod(shape))))
        out.append((base * rng.uniform(0.5, 1.5, size=base.shape)).reshape(shape).astype(np.float32))
    return out


@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
def test_optimizer_update_rule_agrees(optimizer_name):
    rng = np.random.default_rng(12)
    shapes = [(4, 6), (6,)]
    params = [rng.normal(size=shape).astype(np.float32) for shape in shapes]
    gradients = {shape: gradient_sequence(shape, 5, rng) for shape in shapes}

    our_params = [p.copy() for p in params]
    our_optimizer = OPTIMIZERS[optimizer_name](nnlib)
    their_params = [keras.Variable(p) for p in params]
    their_optimizer = OPTIMIZERS[optimizer_name](keras)
    for step in range(5):
        grads = [gradients[shape][step] for shape in shapes]
        our_optimizer.apply(our_params, [g.copy() for g in grads])
        their_optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], their_params)
        for index, (ours, theirs) in enumerate(zip(our_params, their_params)):
            theirs = keras.ops.convert_to_numpy(theirs)
            assert_agree(f"{optimizer_name} update step {step + 1} param[{index}]", ours, theirs)


# ---------------------------------------------------------------------------------------------
# Loss functions and their gradients on their own, including saturated predictions (the clip region)


def loss_problem(loss_name, rng):
    """(y_true, y_pred) in float32 with ordinary rows and rows at or beyond the clip limits 1e-7 and 1 - 1e-7."""
    if loss_name == "mean_squared_error":
        return rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 3)).astype(np.float32)
    if loss_name == "binary_crossentropy":
        y_pred = rng.uniform(0.02, 0.98, size=(8, 2))
        y_pred[0] = [0.0, 1.0]        # beyond the clip on both sides
        y_pred[1] = [1e-9, 1 - 1e-9]  # inside [0, 1], still clipped
        y_pred[2] = [1e-3, 1 - 1e-3]  # confident, but not clipped
        y_true = np.array([[1, 0], [1, 0], [1, 0]] + [[0, 1]] * 5, dtype=np.float32)
        return y_true, y_pred.astype(np.float32)
    logits = rng.normal(0.0, 2.0, size=(8, N_CLASSES))
    y_pred = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    y_pred[0] = [1.0, 0.0, 0.0]      # certain and right
    y_pred[1] = [0.0, 1.0, 0.0]      # certain and wrong
    y_pred[2] = [1e-3, 0.5, 0.499]   # confident-ish, not clipped
    labels = np.array([0, 0, 0, 1, 2, 0, 1, 2])
    if loss_name == "sparse_categorical_crossentropy":
        return labels, y_pred.astype(np.float32)
    return np.eye(N_CLASSES, dtype=np.float32)[labels], y_pred.astype(np.float32)


LOSS_NAMES = ["mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
              "sparse_categorical_crossentropy"]


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
def test_loss_values_agree_per_sample(loss_name):
    y_true, y_pred = loss_problem(loss_name, np.random.default_rng(20))
    ours = getattr(nnlib.losses, loss_name)(y_true, y_pred)
    theirs = keras.ops.convert_to_numpy(getattr(keras.losses, loss_name)(y_true, y_pred))
    assert_agree(f"{loss_name} per-sample values", ours, theirs)


@pytest.mark.parametrize("loss_name", LOSS_NAMES)
def test_loss_gradients_agree_with_jax_grad(loss_name):
    """nnlib's d(mean loss)/d y_pred equals JAX's derivative of Keras's batch-mean loss, clip included."""
    y_true, y_pred = loss_problem(loss_name, np.random.default_rng(21))
    keras_loss = getattr(keras.losses, loss_name)
    theirs = np.asarray(jax.grad(lambda p: jnp.mean(keras_loss(y_true, p)))(jnp.asarray(y_pred)))
    ours = getattr(nnlib.losses, loss_name + "_gradient")(y_true, y_pred)
    # relative to the size of the gradient: unclipped confident predictions give entries of order 1/(n * 1e-3)
    scale = max(1.0, float(np.max(np.abs(theirs))))
    assert_agree(f"{loss_name} gradient / {scale:.3g}", ours / scale, theirs / scale)


# ---------------------------------------------------------------------------------------------
# What a Keras user reaches for: sample and class weights, weighted validation data, evaluate's
# batch_size and return_dict, batch_size=None, MAE and Huber, Keras's loss and metric names.
# Keras runs eagerly here (jit_compile=False): the same operations without one compilation per model.

def fitted_pair(loss_name, units, output_activation, fit_kwargs, keras_fit_kwargs=None, metrics=None, seed=30):
    """Both models after fit(epochs=1, batch_size=8, shuffle=False) on 24 samples: three steps."""
    ours, theirs = build_pair([(6, "relu"), (units, output_activation)], seed=seed)
    ours.compile(optimizer=OPTIMIZERS["adam"](nnlib), loss=loss_name, metrics=metrics)
    theirs.compile(optimizer=OPTIMIZERS["adam"](keras), loss=loss_name, metrics=metrics, jit_compile=False)
    common = dict(epochs=1, batch_size=8, shuffle=False, verbose=0)
    our_history = ours.fit(**fit_kwargs, **common).history
    their_history = theirs.fit(**(keras_fit_kwargs or fit_kwargs), **common).history
    return ours, theirs, our_history, their_history


def assert_fit_agrees(what, ours, theirs, our_history, their_history):
    for index, (w_ours, w_theirs) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
        assert_agree(f"{what} weights[{index}]", w_ours, w_theirs)
    assert sorted(our_history) == sorted(their_history), f"{what}: history keys differ"
    for key in our_history:
        assert_agree(f"{what} history[{key!r}]", our_history[key], their_history[key])


WEIGHTED = {  # name -> (loss, units, output activation, target maker)
    "sparse": ("sparse_categorical_crossentropy", N_CLASSES, "softmax", integer_targets),
    "one_hot": ("categorical_crossentropy", N_CLASSES, "softmax", one_hot_targets),
    "binary": ("binary_crossentropy", 1, "sigmoid", binary_targets),
}


@pytest.mark.parametrize("targets", list(WEIGHTED))
def test_fit_with_sample_weight_agrees(targets):
    loss_name, units, activation, make_targets = WEIGHTED[targets]
    rng = np.random.default_rng(31)
    x, y = inputs(seed=32, n_samples=24), make_targets(rng, 24)
    weights = rng.uniform(0.0, 3.0, size=24).astype(np.float32)
    pair = fitted_pair(loss_name, units, activation, dict(x=x, y=y, sample_weight=weights), metrics=["accuracy"])
    assert_fit_agrees(f"sample_weight/{targets}", *pair)


@pytest.mark.parametrize("targets", list(WEIGHTED))
def test_fit_with_class_weight_agrees(targets):
    loss_name, units, activation, make_targets = WEIGHTED[targets]
    x, y = inputs(seed=33, n_samples=24), make_targets(np.random.default_rng(34), 24)
    class_weight = {0: 0.25, 1: 4.0}
    pair = fitted_pair(loss_name, units, activation, dict(x=x, y=y, class_weight=class_weight),
                       metrics=["accuracy"])
    assert_fit_agrees(f"class_weight/{targets}", *pair)


def test_weighted_validation_data_agrees():
    rng = np.random.default_rng(35)
    x, y = inputs(seed=36, n_samples=24), integer_targets(rng, 24)
    x_val, y_val, w_val = inputs(seed=37, n_samples=10), integer_targets(rng, 10), rng.uniform(0, 2, 10)
    fit_kwargs = dict(x=x, y=y, validation_data=(x_val, y_val, w_val.astype(np.float32)))
    pair = fitted_pair("sparse_categorical_crossentropy", N_CLASSES, "softmax", fit_kwargs, metrics=["accuracy"])
    assert_fit_agrees("validation_data with sample weights", *pair)
    unweighted = pair[0].evaluate(x_val, y_val)
    assert abs(pair[2]["val_loss"][0] - unweighted[0]) > 1e-3, "the validation weights changed nothing"


def test_validation_split_splits_the_sample_weights_too():
    rng = np.random.default_rng(38)
    x, y, w = inputs(seed=39, n_samples=30), one_hot_targets(rng, 30), rng.uniform(0, 2, 30).astype(np.float32)
    pair = fitted_pair("categorical_crossentropy", N_CLASSES, "softmax",
                       dict(x=x, y=y, sample_weight=w, validation_split=0.2))
    assert_fit_agrees("validation_split with sample weights", *pair)


def test_batch_size_none_means_32_as_in_keras():
    ours, theirs = build_pair([(5, "tanh"), (1, "sigmoid")], seed=40)
    ours.compile(optimizer=OPTIMIZERS["sgd"](nnlib), loss="binary_crossentropy")
    theirs.compile(optimizer=OPTIMIZERS["sgd"](keras), loss="binary_crossentropy", jit_compile=False)
    x, y = inputs(seed=41, n_samples=45), binary_targets(np.random.default_rng(42), 45)  # 32 + 13: two steps
    our_history = ours.fit(x, y, batch_size=None, epochs=2, shuffle=False, verbose=0).history
    their_history = theirs.fit(x, y, batch_size=None, epochs=2, shuffle=False, verbose=0).history
    assert_fit_agrees("batch_size=None", ours, theirs, our_history, their_history)


def test_evaluate_with_batch_size_sample_weight_and_return_dict_agrees():
    ours, theirs = build_pair([(6, "relu"), (N_CLASSES, "softmax")], seed=43)
    for model, lib in ((ours, nnlib), (theirs, keras)):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy", "acc"],
                      **({"jit_compile": False} if lib is keras else {}))
    rng = np.random.default_rng(44)
    x, y, w = inputs(seed=45, n_samples=45), integer_targets(rng, 45), rng.uniform(0, 2, 45).astype(np.float32)
    for kwargs in ({}, {"batch_size": 7}, {"sample_weight": w}, {"batch_size": 10, "sample_weight": w}):
        our_logs = ours.evaluate(x, y, return_dict=True, **kwargs)
        their_logs = theirs.evaluate(x, y, return_dict=True, verbose=0, **kwargs)
        assert sorted(our_logs) == sorted(their_logs)
        for key in our_logs:
            assert_agree(f"evaluate({kwargs}) [{key!r}]", our_logs[key], their_logs[key])


@pytest.mark.parametrize("loss", ["mae", "MAE", "mean_absolute_error", "huber", "Huber", "MSE"])
def test_regression_losses_by_their_keras_names_agree(loss):
    rng = np.random.default_rng(46)
    x, y = inputs(seed=47, n_samples=24), 2.0 * regression_targets(rng, 24)  # errors on both sides of delta=1
    pair = fitted_pair(loss, 2, "linear", dict(x=x, y=y), metrics=["mae", "MSE"])
    assert_fit_agrees(f"loss={loss!r}", *pair)


def test_huber_object_with_its_delta_agrees():
    ours, theirs = build_pair([(6, "relu"), (2, "linear")], seed=48)
    ours.compile(optimizer=OPTIMIZERS["adam"](nnlib), loss=nnlib.losses.Huber(delta=0.3))
    theirs.compile(optimizer=OPTIMIZERS["adam"](keras), loss=keras.losses.Huber(delta=0.3), jit_compile=False)
    x, y = inputs(seed=49, n_samples=10), regression_targets(np.random.default_rng(50), 10)
    for step in range(1, TRAIN_STEPS + 1):
        assert_agree(f"Huber(0.3) step {step} loss", ours.train_on_batch(x, y), theirs.train_on_batch(x, y))
    for index, (w_ours, w_theirs) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
        assert_agree(f"Huber(0.3) weights[{index}]", w_ours, w_theirs)


def test_a_metrics_string_is_refused_as_keras_refuses_it():
    for model, lib in ((nnlib.Sequential([nnlib.Input((2,)), nnlib.layers.Dense(1)]), nnlib),
                       (keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), keras)):
        with pytest.raises(ValueError, match="list"):
            model.compile(optimizer="sgd", loss="mse", metrics="accuracy")
            model.evaluate(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)
