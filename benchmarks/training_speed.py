"""Time per epoch of nnlib's fit against Keras 3 (JAX) and a bare NumPy loop, measured in one run.

The task: scikit-learn's bundled 8x8 digits (1,797 images, 64 features, 10 classes),
an MLP 64-128-64-10 with ReLU hidden layers and a softmax output, sparse categorical
cross-entropy, plain SGD (learning rate 0.05), batch size 32, float32, shuffled
every epoch. All three start from the same initial weights.

- nnlib: ``Sequential.fit(verbose=0)``;
- Keras 3 on JAX (CPU): ``model.fit(verbose=0)`` with the same weights;
- bare NumPy: the same mathematics written as one loop with no framework at all
  (it also tracks the epoch's loss and accuracy, as both frameworks do, and takes the
  exact gradient of the clipped loss it reports, as nnlib and Keras do).

Each trains for one warm-up epoch (Keras compiles its step function in it), then the
three take turns, one epoch each, for --epochs rounds; the median epoch time of each
is reported, with the ratios nnlib/Keras and nnlib/bare and the test accuracy each
reaches (all three see the same number of epochs).

    .venv/bin/python benchmarks/training_speed.py [--epochs 10]
"""
import argparse
import os
import platform

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

import nnlib  # noqa: E402
from round_robin import time_round_robin  # noqa: E402  (benchmarks/round_robin.py)
from nnlib.datasets import load_digits, standardize, train_test_split  # noqa: E402

LAYERS = (64, 128, 64, 10)
LEARNING_RATE = 0.05
BATCH_SIZE = 32


def digits_split(seed=0):
    data = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.2, stratify=True, seed=seed)
    x_train, x_test, _ = standardize(x_train, x_test)
    return (x_train.astype(np.float32), y_train.astype(np.int64),
            x_test.astype(np.float32), y_test.astype(np.int64))


def initial_weights(seed=0):
    """Glorot-uniform kernels and zero biases for LAYERS, in Keras order [W1, b1, ...]."""
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(LAYERS[:-1], LAYERS[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        weights += [rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32),
                    np.zeros(n_out, dtype=np.float32)]
    return weights



# --- nnlib -------------------------------------------------------------------------------------

def nnlib_model(weights):
    model = nnlib.Sequential([nnlib.Input((LAYERS[0],))] +
                             [nnlib.Dense(n, activation="relu") for n in LAYERS[1:-1]] +
                             [nnlib.Dense(LAYERS[-1], activation="softmax")])
    model.set_weights(weights)
    model.compile(optimizer=nnlib.optimizers.SGD(LEARNING_RATE), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def nnlib_runner(data, weights):
    """(one epoch of training, test accuracy) for nnlib."""
    x_train, y_train, x_test, y_test = data
    model = nnlib_model(weights)
    return (lambda: model.fit(x_train, y_train, epochs=1, batch_size=BATCH_SIZE, verbose=0),
            lambda: float(np.mean(model.predict(x_test).argmax(1) == y_test)))


# --- Keras ----------------------------------------------------------------------------------------

def keras_runner(data, weights):
    """(one epoch of training, test accuracy, version) for Keras 3 on JAX."""
    import keras
    keras.utils.set_random_seed(0)
    x_train, y_train, x_test, y_test = data
    model = keras.Sequential([keras.Input((LAYERS[0],))] +
                             [keras.layers.Dense(n, activation="relu") for n in LAYERS[1:-1]] +
                             [keras.layers.Dense(LAYERS[-1], activation="softmax")])
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return (lambda: model.fit(x_train, y_train, epochs=1, batch_size=BATCH_SIZE, verbose=0),
            lambda: float(np.mean(model.predict(x_test, verbose=0).argmax(1) == y_test)),
            keras.__version__)


# --- bare NumPy --------------------------------------------------------------------------------------

def bare_runner(data, weights, seed=0):
    """(one epoch of training, test accuracy) for the same network written as one plain loop."""
    x_train, y_train, x_test, y_test = data
    W1, b1, W2, b2, W3, b3 = [w.copy() for w in weights]
    rng = np.random.default_rng(seed)
    n = len(x_train)
    lr = np.float32(LEARNING_RATE)

    def forward(x):
        h1 = np.maximum(x @ W1 + b1, 0)
        h2 = np.maximum(h1 @ W2 + b2, 0)
        z = h2 @ W3 + b3
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return h1, h2, e / e.sum(axis=1, keepdims=True)

    def one_epoch():
        nonlocal W1, b1, W2, b2, W3, b3
        order = rng.permutation(n)
        loss_sum = correct = 0.0  # the epoch's loss and accuracy, which fit reports too
        for start in range(0, n, BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            x, y = x_train[idx], y_train[idx]
            h1, h2, p = forward(x)
            rows = np.arange(len(y))
            total = p.sum(axis=1, keepdims=True)
            q = p[rows, y] / total[:, 0]  # the clipped loss, exactly as Keras computes it
            loss_sum += -np.log(np.clip(q, 1e-7, 1 - 1e-7)).sum()
            correct += (p.argmax(axis=1) == y).sum()
            slope = ((q > 1e-7) & (q < 1 - 1e-7)).astype(p.dtype)  # the clip's derivative
            slope[(q == 1e-7) | (q == 1 - 1e-7)] = 0.5
            dz = p * (slope[:, None] / total)  # its exact gradient for the logits (chapter 6)
            dz[rows, y] -= slope
            dz /= len(y)
            dW3, db3 = h2.T @ dz, dz.sum(0)
            dh2 = (dz @ W3.T) * (h2 > 0)
            dW2, db2 = h1.T @ dh2, dh2.sum(0)
            dh1 = (dh2 @ W2.T) * (h1 > 0)
            dW1, db1 = x.T @ dh1, dh1.sum(0)
            W1 -= lr * dW1; b1 -= lr * db1  # noqa: E702
            W2 -= lr * dW2; b2 -= lr * db2  # noqa: E702
            W3 -= lr * dW3; b3 -= lr * db3  # noqa: E702

    return one_epoch, lambda: float(np.mean(forward(x_test)[2].argmax(1) == y_test))


def machine():
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                         for i in threadpool_info())
    except ImportError:
        blas = "unknown"
    return (f"{platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
            f"NumPy {np.__version__}; BLAS: {blas}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20, help="timed epochs per framework (median reported)")
    parser.add_argument("--skip-keras", action="store_true", help="measure nnlib and bare NumPy only")
    args = parser.parse_args()

    data = digits_split()
    weights = initial_weights()
    print(f"machine: {machine()}")
    print(f"task: 8x8 digits, {len(data[0])} training samples, MLP {'-'.join(map(str, LAYERS))}, "
          f"SGD lr={LEARNING_RATE}, batch {BATCH_SIZE}, float32; median of {args.epochs} epochs each, "
          "timed in turns after a warm-up")
    runners = {"nnlib": nnlib_runner(data, weights), "bare NumPy": bare_runner(data, weights)}
    if not args.skip_keras:
        train, accuracy, version = keras_runner(data, weights)
        runners[f"Keras {version} (JAX)"] = (train, accuracy)
    seconds = time_round_robin({name: runner[0] for name, runner in runners.items()}, args.epochs)
    print(f"{'':22s} {'ms/epoch':>9s} {'test accuracy':>14s}")
    for name, (_, accuracy) in runners.items():
        print(f"{name:22s} {1000 * seconds[name]:9.1f} {accuracy():14.3f}")
    print(f"nnlib / bare NumPy = {seconds['nnlib'] / seconds['bare NumPy']:.2f}   (goal <= 1.3)")
    if not args.skip_keras:
        keras_name = next(name for name in runners if name.startswith("Keras"))
        print(f"nnlib / Keras      = {seconds['nnlib'] / seconds[keras_name]:.2f}   (goal <= 0.5)")


if __name__ == "__main__":
    main()
