"""How long does one slider change of chapter 7's training explorer take?

A slider change in ``nnlib.widgets.training_explorer`` calls ``train_classifier_2d`` (a fresh
network trained for 250 epochs of full-batch Adam on 200 points, then evaluated on a 100 x 100
grid) and draws ``training_figure`` (loss curve and decision boundary). This script times exactly
that -- the function the callback calls plus drawing the figure on an Agg canvas -- for a sequence
of slider changes, and prints the median with the machine it ran on. The goal for the book is a
median of at most 300 ms, so that the live widget feels immediate.

Run from the repository root:

    .venv/bin/python benchmarks/widget_latency.py [--changes 20] [--dataset spirals]

Nothing is asserted: timings depend on the machine and on what else it is doing (the load
average is printed for that reason).
"""
import argparse
import io
import os
import platform
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nnlib import widgets  # noqa: E402

GOAL_SECONDS = 0.300


def slider_positions(n_changes, learning_rates, max_hidden):
    """(learning rate, hidden units) after each change: alternately move one slider, then the other.

    Deterministic: the learning rate walks up and down the slider's values, the hidden units
    through 2, 4, ..., max_hidden and back, so that every change differs from the one before.
    """
    rates = list(learning_rates)
    sizes = list(range(2, max_hidden + 1, 2))
    rate_index, size_index = rates.index(0.1), sizes.index(8)
    positions = []
    for change in range(n_changes):
        if change % 2 == 0:
            rate_index = (rate_index + 3) % len(rates)
        else:
            size_index = (size_index + 5) % len(sizes)
        positions.append((rates[rate_index], sizes[size_index]))
    return positions


def one_change(dataset, learning_rate, hidden_units, encode_png):
    """Seconds for: train_classifier_2d, training_figure, draw on the Agg canvas (and PNG encoding)."""
    start = time.perf_counter()
    run = widgets.train_classifier_2d(dataset, hidden_units=hidden_units, learning_rate=learning_rate)
    trained = time.perf_counter()
    fig = widgets.training_figure(run)
    fig.canvas.draw()
    drawn = time.perf_counter()
    if encode_png:                                  # what the notebook's inline backend adds on top
        fig.savefig(io.BytesIO(), format="png", dpi=fig.dpi)
    plt.close(fig)
    encoded = time.perf_counter()
    return trained - start, drawn - trained, encoded - drawn


def machine_description():
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return "\n".join([
        f"platform:      {platform.platform()}",
        f"processor:     {platform.processor() or platform.machine()}",
        f"CPU count:     {os.cpu_count()}",
        f"python:        {platform.python_version()}",
        f"numpy:         {np.__version__}",
        f"matplotlib:    {matplotlib.__version__}",
        f"load average:  {load} (1, 5, 15 min)",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=20, help="number of slider changes to time (default 20)")
    parser.add_argument("--dataset", choices=widgets.TRAINING_DATASETS, default="spirals")
    parser.add_argument("--png", action="store_true", help="also encode each figure as PNG, as a notebook does")
    args = parser.parse_args()
    if args.changes < 1:
        parser.error(f"--changes: expected a positive integer, got {args.changes}")

    one_change(args.dataset, 0.1, 8, args.png)     # warm-up: imports, font cache, first draw
    positions = slider_positions(args.changes, widgets.TRAINING_LEARNING_RATES, max_hidden=32)
    rows = []
    for learning_rate, hidden_units in positions:
        train, draw, encode = one_change(args.dataset, learning_rate, hidden_units, args.png)
        rows.append((learning_rate, hidden_units, train, draw, encode))

    print(f"Chapter 7 training explorer: one slider change = train_classifier_2d({args.dataset!r}, ...) "
          f"+ training_figure + Agg draw{' + PNG encoding' if args.png else ''}")
    print(f"{'change':>6} {'learning rate':>13} {'hidden':>6} {'train ms':>9} {'draw ms':>8} {'total ms':>9}")
    totals = []
    for number, (learning_rate, hidden_units, train, draw, encode) in enumerate(rows, start=1):
        total = train + draw + encode
        totals.append(total)
        print(f"{number:>6} {learning_rate:>13g} {hidden_units:>6} {1000 * train:>9.0f} "
              f"{1000 * (draw + encode):>8.0f} {1000 * total:>9.0f}")
    median = statistics.median(totals)
    print()
    print(f"median of {len(totals)} slider changes: {1000 * median:.0f} ms "
          f"(training {1000 * statistics.median(r[2] for r in rows):.0f} ms, "
          f"drawing {1000 * statistics.median(r[3] + r[4] for r in rows):.0f} ms); "
          f"min {1000 * min(totals):.0f} ms, max {1000 * max(totals):.0f} ms")
    verdict = "within" if median <= GOAL_SECONDS else "ABOVE"
    print(f"goal: median <= {1000 * GOAL_SECONDS:.0f} ms -> {verdict} the goal on this machine")
    print()
    print(machine_description())


if __name__ == "__main__":
    main()
