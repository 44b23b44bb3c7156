"""The timing loop the speed benchmarks share (training_speed.py, cnn_speed.py, rnn_speed.py)."""
import statistics
import time


def time_round_robin(runners, epochs):
    """Median epoch time of each runner, timing them in turns (one epoch each, then again).

    ``runners`` maps a name to a function that runs one epoch. Taking turns means a burst of
    load from elsewhere on the machine slows all of them alike, so the ratios stay meaningful
    on a busy machine. One warm-up epoch each first (Keras compiles its step function in it).
    Returns {name: median seconds per epoch}.
    """
    for run_one_epoch in runners.values():
        run_one_epoch()
    times = {name: [] for name in runners}
    for _ in range(epochs):
        for name, run_one_epoch in runners.items():
            start = time.perf_counter()
            run_one_epoch()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
