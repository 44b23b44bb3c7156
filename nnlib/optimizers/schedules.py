"""Learning-rate schedules: ``learning_rate=ExponentialDecay(...)`` makes the rate a function of the step.

Introduced in chapter 9. A schedule is called with the optimizer's step count
``iterations`` (0 for the first update) and returns the learning rate for that
update, exactly as ``keras.optimizers.schedules`` does; the formulas below are
Keras 3's. Pass one as any optimizer's ``learning_rate``; the optimizer's
``learning_rate`` attribute then reads the current value and cannot be set
(``LearningRateScheduler`` needs an optimizer built with a plain number).
"""
import math

import numpy as np

from .._validation import check_positive_number


def _check_step_count(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a positive number of steps, got {value!r}.")


def _check_step(step):
    if isinstance(step, bool) or not isinstance(step, (int, float, np.integer, np.floating)) \
            or not np.isfinite(step) or step < 0:
        raise ValueError(f"step: expected a non-negative step count, got {step!r}.")
    return float(step)


class LearningRateSchedule:
    """The base class: ``schedule(step)`` returns the learning rate (a float) for update ``step``."""

    def __call__(self, step):
        raise NotImplementedError

    def __repr__(self):
        fields = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({fields})"


class ExponentialDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps).

    With ``staircase=True`` the exponent is rounded down, so the rate drops in steps
    every ``decay_steps`` updates.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        check_positive_number(initial_learning_rate, "initial_learning_rate")
        _check_step_count(decay_steps, "decay_steps")
        check_positive_number(decay_rate, "decay_rate")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)

    def __call__(self, step):
        p = _check_step(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
    and values[-1] after the last boundary (Keras's convention: a boundary belongs to the interval
    that ends there).
    """

    def __init__(self, boundaries, values):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"boundaries: expected one fewer boundary than values ({len(values) - 1}), "
                             f"got {len(boundaries)} boundaries and {len(values)} values.")
        if not boundaries:
            raise ValueError("boundaries: expected at least one boundary (and two values).")
        for index, value in enumerate(values):
            check_positive_number(value, f"values[{index}]")
        for index, boundary in enumerate(boundaries):
            _check_step(boundary)
            if index and boundary <= boundaries[index - 1]:
                raise ValueError(f"boundaries: expected increasing step counts, got {boundaries}.")
        self.boundaries = boundaries
        self.values = [float(v) for v in values]

    def __call__(self, step):
        step = _check_step(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]


class CosineDecay(LearningRateSchedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha * initial_learning_rate``.

    decayed(s) = (1 - alpha) * 0.5 * (1 + cos(pi * min(s, decay_steps) / decay_steps)) + alpha;
    lr(step) = initial_learning_rate * decayed(step). With ``warmup_target``, the rate first rises
    linearly from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` updates and
    then decays from ``warmup_target``.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        if isinstance(initial_learning_rate, bool) or not isinstance(
                initial_learning_rate, (int, float, np.integer, np.floating)) \
                or not np.isfinite(initial_learning_rate) or initial_learning_rate < 0:
            raise ValueError(f"initial_learning_rate: expected a non-negative number, got {initial_learning_rate!r}.")
        _check_step_count(decay_steps, "decay_steps")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)) \
                or not 0 <= alpha <= 1:
            raise ValueError(f"alpha: expected a fraction in [0, 1], got {alpha!r}.")
        if warmup_target is not None:
            check_positive_number(warmup_target, "warmup_target")
            _check_step_count(warmup_steps, "warmup_steps")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.alpha = float(alpha)
        self.warmup_target = None if warmup_target is None else float(warmup_target)
        self.warmup_steps = warmup_steps

    def _decay(self, step, start):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = _check_step(step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            rise = self.warmup_target - self.initial_learning_rate
            return rise * step / self.warmup_steps + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)


__all__ = ["CosineDecay", "ExponentialDecay", "LearningRateSchedule", "PiecewiseConstantDecay"]
