"""How nnlib's epoch time grows with the data-set size and with the hidden width.

Same task as training_speed.py (8x8 digits, ReLU MLP, softmax, SGD, batch 32, float32).
The data set is grown by stacking copies of the training set (so the per-sample work is
unchanged); the width is that of both hidden layers of a 64-W-W-10 network. Each point
is the median of several epochs; the slope of log(time) against log(size) is fitted by
least squares. Epoch time should grow linearly with the number of samples (slope about 1);
with the width it grows more slowly than the weight count at small widths, where the
fixed cost per NumPy call dominates, and approaches the weight count's W^2 at large widths.

    .venv/bin/python benchmarks/scaling.py
"""
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nnlib  # noqa: E402
from training_speed import BATCH_SIZE, LEARNING_RATE, digits_split, machine  # noqa: E402

REPEATS = 3


def epoch_seconds(x, y, widths):
    nnlib.set_random_seed(0)
    model = nnlib.Sequential([nnlib.Input((x.shape[1],))] + [nnlib.Dense(w, activation="relu") for w in widths]
                             + [nnlib.Dense(10, activation="softmax")])
    model.compile(optimizer=nnlib.optimizers.SGD(LEARNING_RATE), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=BATCH_SIZE, verbose=0, seed=0)  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=BATCH_SIZE, verbose=0, seed=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slope(sizes, seconds):
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def main():
    x_train, y_train, _, _ = digits_split()
    print(f"machine: {machine()}")

    print("\nepoch time against data-set size (64-128-64-10):")
    copies = [1, 2, 4, 8]
    sizes, seconds = [], []
    for k in copies:
        x, y = np.tile(x_train, (k, 1)), np.tile(y_train, k)
        sizes.append(len(x))
        seconds.append(epoch_seconds(x, y, (128, 64)))
        print(f"  {len(x):6d} samples  {1000 * seconds[-1]:8.1f} ms/epoch  "
              f"{1e6 * seconds[-1] / len(x):6.2f} us/sample")
    print(f"  fitted slope d log(time) / d log(samples) = {slope(sizes, seconds):.2f}   (linear: 1)")

    print("\nepoch time against hidden width W (64-W-W-10, 1,437 samples):")
    widths = [16, 32, 64, 128, 256, 512]
    params, seconds = [], []
    for w in widths:
        seconds.append(epoch_seconds(x_train, y_train, (w, w)))
        params.append(64 * w + w + w * w + w + w * 10 + 10)
        print(f"  W = {w:4d}  {params[-1]:8,d} parameters  {1000 * seconds[-1]:8.1f} ms/epoch")
    print(f"  fitted slope against parameters, all widths      = {slope(params, seconds):.2f}")
    print(f"  fitted slope against parameters, W >= 128        = {slope(params[3:], seconds[3:]):.2f}")


if __name__ == "__main__":
    main()
