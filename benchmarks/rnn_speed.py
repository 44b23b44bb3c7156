"""Recurrent layers (chapter 14): one epoch of nnlib against Keras 3 (JAX), and BPTT's cost against length.

Part 1, one epoch of the chapter's models, nnlib's ``fit`` against Keras's ``fit`` from the same
weights, taking turns epoch by epoch (one warm-up epoch each first, in which Keras compiles):

- ``recall``: the marked-recall task (512 sequences of 30 steps, 2 features), SimpleRNN / LSTM /
  GRU with 8 units -> Dense(1, sigmoid), Adam, batch 32;
- ``chars``: the character model (1,930 windows of 16 one-hot characters of the book's story),
  GRU(64) -> Dense(27, softmax), Adam, batch 32.

Part 2, the time of one forward + backward pass (BPTT) of an LSTM(32) on a batch of 32 sequences of
8 features, against the sequence length T, with a straight-line fit: the cost should grow linearly
in T (one forward and one backward step per timestep).

NumPy's BLAS is limited to one thread (threadpoolctl): the matrices of a recurrent step are small,
and several threads cost more than they save (measured: 27x slower for GRU(64) on a busy machine).

    .venv/bin/python benchmarks/rnn_speed.py [--epochs 5] [--skip-keras]
"""
import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import nnlib  # noqa: E402
from round_robin import time_round_robin  # noqa: E402  (benchmarks/round_robin.py)
from nnlib import datasets  # noqa: E402


def marked_recall(n, lag, rng):
    x = np.zeros((n, lag, 2), dtype="float32")
    x[:, :, 0] = rng.choice([-1.0, 1.0], size=(n, lag))
    x[:, 0, 1] = 1.0
    return x, (x[:, 0, 0] > 0).astype("float32")


def problems():
    rng = np.random.default_rng(0)
    x_recall, y_recall = marked_recall(512, 30, rng)
    windows, next_chars, alphabet = datasets.char_windows(datasets.lighthouse_text(), 16)
    x_chars = np.eye(len(alphabet), dtype="float32")[windows]
    return {
        "recall": (x_recall, y_recall, "binary_crossentropy", lambda lib, cell: [
            lib.Input((30, 2)), getattr(lib.layers, cell)(8), lib.layers.Dense(1, activation="sigmoid")]),
        "chars": (x_chars, next_chars, "sparse_categorical_crossentropy", lambda lib, cell: [
            lib.Input((16, len(alphabet))), getattr(lib.layers, cell)(64),
            lib.layers.Dense(len(alphabet), activation="softmax")]),
    }


def epoch_runners(problem, cell, keras):
    x, y, loss, layers = problem
    nnlib.set_random_seed(0)
    ours = nnlib.Sequential(layers(nnlib, cell))
    ours.compile(optimizer=nnlib.optimizers.Adam(0.01), loss=loss)
    runners = {"nnlib": lambda: ours.fit(x, y, epochs=1, batch_size=32, verbose=0)}
    if keras is not None:
        theirs = keras.Sequential(layers(keras, cell))
        theirs.set_weights(ours.get_weights())
        theirs.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
        runners["keras"] = lambda: theirs.fit(x, y, epochs=1, batch_size=32, verbose=0)
    return runners



def bptt_cost(lengths, repeats=5):
    """Median time of one forward + backward pass of LSTM(32) on (32, T, 8), for each T."""
    rng = np.random.default_rng(0)
    layer = nnlib.layers.LSTM(32, return_sequences=True)
    layer.build((None, 8))
    results = []
    for steps in lengths:
        x = rng.normal(size=(32, steps, 8)).astype("float32")
        dout = rng.normal(size=(32, steps, 32)).astype("float32")
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            layer.forward(x)
            layer.backward(dout)
            timings.append(time.perf_counter() - start)
        results.append(statistics.median(timings))
    return np.array(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--skip-keras", action="store_true")
    args = parser.parse_args()
    threadpool_limits(1)
    keras = None
    if not args.skip_keras:
        import keras
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"Keras {keras.__version__ if keras else '-'}, load average {os.getloadavg()[0]:.1f}")
    print("\n| model | nnlib ms/epoch | Keras ms/epoch | nnlib / Keras |\n| --- | --- | --- | --- |")
    for name, problem in problems().items():
        for cell in ("SimpleRNN", "LSTM", "GRU"):
            if name == "chars" and cell != "GRU":
                continue
            medians = time_round_robin(epoch_runners(problem, cell, keras), args.epochs)
            ours, theirs = medians["nnlib"] * 1e3, medians.get("keras")
            ratio = f"{ours / (theirs * 1e3):.2f}" if theirs else "-"
            keras_ms = f"{theirs * 1e3:.0f}" if theirs else "-"
            print(f"| {name}, {cell} | {ours:.0f} | {keras_ms} | {ratio} |", flush=True)
    lengths = [10, 20, 40, 80, 160]
    costs = bptt_cost(lengths)
    slope, intercept = np.polyfit(lengths, costs, 1)
    log_slope = np.polyfit(np.log(lengths), np.log(costs), 1)[0]
    print("\n| T | forward + backward, ms | ms per step |\n| --- | --- | --- |")
    for steps, cost in zip(lengths, costs):
        print(f"| {steps} | {cost * 1e3:.2f} | {cost * 1e3 / steps:.3f} |")
    print(f"\nlinear fit: {slope * 1e3:.3f} ms per step + {intercept * 1e3:.2f} ms; "
          f"log-log slope {log_slope:.2f} (1 = linear)")


if __name__ == "__main__":
    main()
