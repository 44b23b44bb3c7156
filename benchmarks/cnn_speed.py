"""Chapter 13's CNN: one training epoch in nnlib against Keras 3 (JAX), and im2col against loops.

The task: the 8x8 digits split as in chapters 9 and 13 (1,077 training images), the chapter's
LeNet-style network -- Conv2D(6, 3, "same", ReLU), MaxPooling2D(2), Conv2D(16, 3, ReLU),
Flatten, Dense(32, ReLU), Dense(10, softmax) -- with Adam(0.01), categorical cross-entropy,
batch 32, float32, both starting from the same weights.

1. Epoch time: one warm-up epoch each (Keras compiles its step in it), then nnlib and Keras
   take turns, one epoch each, for --epochs rounds; medians and the ratio nnlib / Keras
   (goal <= 1.0).
2. Forward pass of the first convolution on 64 digits (8 filters of 3x3, "same"): the
   chapter's loops against the library's im2col layer, best of several runs each, and the
   ratio (goal >= 30).

    .venv/bin/python benchmarks/cnn_speed.py [--epochs 10]
"""
import argparse
import os
import platform
import timeit

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

import nnlib  # noqa: E402
from round_robin import time_round_robin  # noqa: E402  (benchmarks/round_robin.py)
from nnlib import datasets  # noqa: E402
from nnlib.layers import Conv2D, Dense, Flatten, MaxPooling2D  # noqa: E402

BATCH_SIZE = 32


def digits_split():
    digits = datasets.load_digits()
    images = (digits.images[..., np.newaxis] / 16.0).astype(np.float32)
    x_rest, x_test, y_rest, y_test = datasets.train_test_split(images, digits.target, test_size=0.2,
                                                               stratify=True, seed=0)
    x_train, _, y_train, _ = datasets.train_test_split(x_rest, y_rest, test_size=0.25, stratify=True, seed=0)
    return x_train, datasets.one_hot(y_train, 10).astype(np.float32), x_test, y_test


def nnlib_lenet():
    return nnlib.Sequential([nnlib.Input((8, 8, 1)), Conv2D(6, 3, padding="same", activation="relu"),
                             MaxPooling2D(2), Conv2D(16, 3, activation="relu"), Flatten(),
                             Dense(32, activation="relu"), Dense(10, activation="softmax")])


def keras_lenet(keras):
    layers = keras.layers
    return keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(6, 3, padding="same", activation="relu"),
                             layers.MaxPooling2D(2), layers.Conv2D(16, 3, activation="relu"), layers.Flatten(),
                             layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax")])



def conv2d_loops(x, kernel, bias):
    """Chapter 13's loop version, "same" padding and stride 1 for an odd kernel."""
    kh, kw, _, filters = kernel.shape
    x = np.pad(x, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    out_h, out_w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    z = np.zeros((x.shape[0], out_h, out_w, filters), dtype=x.dtype)
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                window = x[n, i:i + kh, j:j + kw, :]
                for f in range(filters):
                    z[n, i, j, f] = np.sum(window * kernel[:, :, :, f]) + bias[f]
    return z


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="timed epochs per library (default 10)")
    args = parser.parse_args()

    import keras

    x_train, t_train, x_test, y_test = digits_split()
    nnlib.set_random_seed(0)
    ours, theirs = nnlib_lenet(), keras_lenet(keras)
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer=nnlib.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    theirs.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    medians = time_round_robin({
        "nnlib": lambda: ours.fit(x_train, t_train, epochs=1, batch_size=BATCH_SIZE, verbose=0),
        "keras": lambda: theirs.fit(x_train, t_train, epochs=1, batch_size=BATCH_SIZE, verbose=0),
    }, args.epochs)
    accuracy = {"nnlib": float(np.mean(ours.predict(x_test).argmax(1) == y_test)),
                "keras": float(np.mean(theirs.predict(x_test, verbose=0).argmax(1) == y_test))}

    x_time = x_train[:64]
    layer = Conv2D(8, 3, padding="same")
    layer.build(x_time.shape[1:])
    np.testing.assert_allclose(layer.forward(x_time), conv2d_loops(x_time, layer.kernel, layer.bias), atol=1e-5)
    loops = min(timeit.repeat(lambda: conv2d_loops(x_time, layer.kernel, layer.bias), number=1, repeat=3))
    im2col = min(timeit.repeat(lambda: layer.forward(x_time), number=50, repeat=5)) / 50

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, Keras {keras.__version__} "
          f"({keras.backend.backend()}), load average {os.getloadavg()[0]:.2f}")
    print(f"one epoch, {len(x_train)} images, batch {BATCH_SIZE} (median of {args.epochs}, in turns):")
    for name in ("nnlib", "keras"):
        print(f"  {name:>5}: {1000 * medians[name]:7.1f} ms per epoch, test accuracy {accuracy[name]:.3f} "
              f"after {args.epochs + 1} epochs")
    print(f"  nnlib / Keras = {medians['nnlib'] / medians['keras']:.2f}  (goal <= 1.0)")
    print("first convolution forward, 64 digits, 8 filters 3x3 'same':")
    print(f"  loops {1000 * loops:.1f} ms, im2col (Conv2D.forward) {1000 * im2col:.3f} ms, "
          f"im2col is {loops / im2col:,.0f}x faster  (goal >= 30x)")


if __name__ == "__main__":
    main()
