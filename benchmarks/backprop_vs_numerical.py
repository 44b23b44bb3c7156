"""Measure the cost of one full gradient: numerical (central differences) versus backpropagation.

The longer companion of the measurement in chapter 6, Backpropagation. The network is the chapter's
two-layer network, widened: d inputs, d sigmoid hidden units and 3 softmax outputs with
categorical cross-entropy, so it has P = (d + 1)(d + 3) parameters, evaluated on a batch of
128 examples in float64.

- One forward pass costs about P multiply-adds per example, plus work per unit (about d) and a
  fixed overhead per NumPy call.
- A numerical gradient needs 2 forward passes per parameter: cost about 2P forward passes, ~P^2.
- Backpropagation needs one forward and one backward pass: cost ~P.

The script prints a table of CPU times (``time.process_time``, so other programs running on the
machine do not count) and the slopes of log(time) against log(P), fitted by least squares over the
networks with at least ``--fit-from`` parameters. NumPy's BLAS is limited to one thread (through the
environment variables below, set before NumPy is imported), so that CPU time equals the work done.

Run from the repository root:

    .venv/bin/python benchmarks/backprop_vs_numerical.py
    .venv/bin/python benchmarks/backprop_vs_numerical.py --max-numerical-params 20000
"""
import argparse
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from nnlib.activations import sigmoid, softmax  # noqa: E402
from nnlib.gradients import numerical_gradient, rel_error  # noqa: E402

WIDTHS = (1, 2, 4, 7, 12, 20, 32, 50, 70, 100, 140, 200, 300, 500, 700, 1000, 1400, 2000)


def parameter_count(d):
    """P = d*d + d (hidden layer) + 3*d + 3 (output layer) = (d + 1)(d + 3)."""
    return (d + 1) * (d + 3)


def make_problem(d, n_samples=128, seed=0):
    """Seeded inputs X (n_samples, d), one-hot targets T (n_samples, 3) and parameters W1, b1, W2, b2."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, d))
    T = np.eye(3)[rng.integers(0, 3, size=n_samples)]
    params = {"W1": rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, d)), "b1": np.zeros(d),
              "W2": rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, 3)), "b2": np.zeros(3)}
    return X, T, params


def forward_pass(X, params):
    """A1 = sigmoid(X W1 + b1), P = softmax(A1 W2 + b2); returns what the backward pass needs."""
    A1 = sigmoid(X @ params["W1"] + params["b1"])
    P = softmax(A1 @ params["W2"] + params["b2"])
    return {"X": X, "A1": A1, "P": P}


def cross_entropy(P, T):
    """Batch mean of -sum_k T_k log P_k."""
    return -np.sum(T * np.log(P)) / len(T)


def backward_pass(cache, T, params):
    """Backpropagation (chapter 6): delta2 = (P - T)/N, delta1 = delta2 W2^T * A1 (1 - A1)."""
    delta2 = (cache["P"] - T) / len(T)
    delta1 = (delta2 @ params["W2"].T) * cache["A1"] * (1 - cache["A1"])
    return {"W1": cache["X"].T @ delta1, "b1": delta1.sum(axis=0),
            "W2": cache["A1"].T @ delta2, "b2": delta2.sum(axis=0)}


def numerical_gradients(X, T, params):
    """Central differences (h = 1e-4) for every entry of every parameter array."""
    def loss(_):
        return cross_entropy(forward_pass(X, params)["P"], T)

    return {name: numerical_gradient(loss, value) for name, value in params.items()}


def fastest_cpu_seconds(compute, repeats):
    """The smallest CPU time of ``repeats`` calls of ``compute()``."""
    fastest = np.inf
    for _ in range(repeats):
        start = time.process_time()
        compute()
        fastest = min(fastest, time.process_time() - start)
    return fastest


def repeats_for(seconds_estimate, budget=0.5, most=7):
    """Enough repetitions to take about ``budget`` seconds, between 1 and ``most``."""
    return int(np.clip(budget / max(seconds_estimate, 1e-9), 1, most))


def measure(d, with_numerical):
    """CPU seconds for a forward pass, a backprop gradient and (optionally) a numerical gradient."""
    X, T, params = make_problem(d)
    first_forward = fastest_cpu_seconds(lambda: forward_pass(X, params), 1)
    repeats = repeats_for(3 * first_forward)
    row = {"d": d, "P": parameter_count(d),
           "forward": fastest_cpu_seconds(lambda: forward_pass(X, params), repeats),
           "backprop": fastest_cpu_seconds(lambda: backward_pass(forward_pass(X, params), T, params), repeats)}
    if with_numerical:
        estimate = 2 * row["P"] * row["forward"]
        row["numerical"] = fastest_cpu_seconds(lambda: numerical_gradients(X, T, params), repeats_for(estimate, most=3))
    return row


def fitted_slope(P, seconds):
    """Least-squares slope k of log10(seconds) = k log10(P) + c."""
    return float(np.polyfit(np.log10(P), np.log10(seconds), 1)[0])


def check_backprop_agrees_with_numerical(d=6):
    """Guard: the two methods being timed compute the same gradient (relative error <= 1e-7)."""
    X, T, params = make_problem(d, n_samples=16)
    analytic = backward_pass(forward_pass(X, params), T, params)
    numeric = numerical_gradients(X, T, params)
    errors = {name: rel_error(analytic[name], numeric[name]) for name in params}
    worst = max(errors.values())
    if worst > 1e-7:
        raise RuntimeError(f"backprop and numerical gradients disagree: relative errors {errors}")
    return worst


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-params", type=int, default=4_100_000,
                        help="largest network for backpropagation (default 4,100,000 parameters)")
    parser.add_argument("--max-numerical-params", type=int, default=11_000,
                        help="largest network for numerical gradients (default 11,000; 20,000 takes minutes)")
    parser.add_argument("--fit-from", type=int, default=1000,
                        help="fit the slopes over networks with at least this many parameters (default 1000)")
    arguments = parser.parse_args()
    for name in ("max_params", "max_numerical_params", "fit_from"):
        if getattr(arguments, name) < 8:
            parser.error(f"--{name.replace('_', '-')}: expected at least 8 (the smallest network), "
                         f"got {getattr(arguments, name)}")
    return arguments


def main():
    arguments = parse_arguments()
    worst = check_backprop_agrees_with_numerical()
    print(f"check: backprop vs numerical gradient, largest relative error {worst:.1e} (expected <= 1e-7)\n")

    widths = [d for d in WIDTHS if parameter_count(d) <= arguments.max_params]
    header = (f"{'d':>5} {'P':>10} {'forward (s)':>12} {'backprop (s)':>13} {'numerical (s)':>14}"
              f" {'numerical/backprop':>19}")
    print(header)
    print("-" * len(header))
    rows = []
    for d in widths:
        row = measure(d, with_numerical=parameter_count(d) <= arguments.max_numerical_params)
        rows.append(row)
        line = f"{d:>5} {row['P']:>10,} {row['forward']:>12.2e} {row['backprop']:>13.2e}"
        if "numerical" in row:
            line += f" {row['numerical']:>14.2e} {row['numerical'] / row['backprop']:>19,.0f}"
        print(line, flush=True)

    print(f"\nslopes of log(time) against log(P), least squares over P >= {arguments.fit_from:,}:")
    for key, ideal in (("numerical", 2), ("backprop", 1), ("forward", 1)):
        fitted = [(row["P"], row[key]) for row in rows if key in row and row["P"] >= arguments.fit_from]
        if len(fitted) < 2:
            print(f"  {key:<10} not enough sizes to fit (raise --max-{'numerical-' if key == 'numerical' else ''}params)")
            continue
        P, seconds = np.array(fitted).T
        print(f"  {key:<10} {fitted_slope(P, seconds):.2f} (ideal {ideal}; {len(fitted)} sizes, "
              f"P from {int(P[0]):,} to {int(P[-1]):,})")
    large = [row for row in rows if row["P"] >= 100_000]
    if len(large) >= 2:
        P, seconds = np.array([(row["P"], row["backprop"]) for row in large]).T
        print(f"  backprop over P >= 100,000 only: {fitted_slope(P, seconds):.2f}")


if __name__ == "__main__":
    main()
