"""Weight penalties: ``L1``, ``L2`` and ``L1L2``, with Keras 3's names and defaults.

Derived in chapter 12, Generalisation and regularisation. A layer given
``kernel_regularizer=L2(l)`` adds ``penalty(W) = l * sum(W**2)`` to the loss that
training reports, and ``gradient(W) = 2 * l * W`` to dL/dW before the optimizer step
(``Sequential._add_regularization``), as Keras does. The penalty is added once per
batch, not divided by the batch size.

=============  ==============================  ===============================
class          penalty(w)                      gradient(w), same shape as w
=============  ==============================  ===============================
``L1(l1)``     l1 * sum(|w|)                   l1 * sign(w), with sign(0) = +1
``L2(l2)``     l2 * sum(w**2)                  2 * l2 * w
``L1L2``       both terms added                both terms added
=============  ==============================  ===============================

Defaults are Keras 3's: ``L1(l1=0.01)``, ``L2(l2=0.01)``, ``L1L2(l1=0.0, l2=0.0)``; the
names ``"l1"``, ``"l2"`` and ``"l1l2"`` give those defaults. The L1 gradient at exactly
zero is +1 because that is what JAX differentiates ``abs`` to, so nnlib and Keras on
JAX take the same step there (any value in [-1, 1] is a valid subgradient).
"""
import math

import numpy as np

from ._validation import unknown_name

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get"]


def _check_factor(value, name):
    """A penalty factor must be a finite number >= 0; return it as a float."""
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
            or not math.isfinite(value) or value < 0):
        raise ValueError(f"{name}: expected a non-negative penalty factor such as 0.01, got {value!r}.")
    return float(value)


class Regularizer:
    """The interface the layers call: ``penalty(w)`` (a float) and ``gradient(w)`` (w's shape)."""

    def penalty(self, w):
        raise NotImplementedError

    def gradient(self, w):
        raise NotImplementedError

    def __call__(self, w):
        """``regularizer(w)`` is the penalty, as in Keras."""
        return self.penalty(w)


class L1L2(Regularizer):
    """penalty(w) = l1 * sum(|w|) + l2 * sum(w**2); gradient = l1 * sign(w) + 2 * l2 * w.

    ``w`` is any weight array (a kernel (n_in, units) or a bias (units,)); the gradient
    has its shape and dtype. Derived in chapter 12.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2")

    def penalty(self, w):
        w = np.asarray(w)
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(w)))
        if self.l2:
            total += self.l2 * float(np.sum(w * w))
        return total

    def gradient(self, w):
        w = np.asarray(w)
        grad = np.zeros_like(w)
        if self.l1:
            grad += w.dtype.type(self.l1) * np.where(w >= 0, 1, -1).astype(w.dtype)
        if self.l2:
            grad += w.dtype.type(2.0 * self.l2) * w
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v:g}' for k, v in self.get_config().items())})"


class L1(L1L2):
    """penalty(w) = l1 * sum(|w|); gradient = l1 * sign(w) (sign(0) = +1, as JAX). Chapter 12."""

    def __init__(self, l1=0.01):
        super().__init__(l1=0.01 if l1 is None else l1, l2=0.0)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """penalty(w) = l2 * sum(w**2); gradient = 2 * l2 * w (the "weight decay" term). Chapter 12."""

    def __init__(self, l2=0.01):
        super().__init__(l1=0.0, l2=0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


_REGULARIZERS = {"l1": L1, "l2": L2, "l1l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    """A regularizer from None, a Keras name ("l1", "l2", "l1l2") or an object with penalty/gradient."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _REGULARIZERS:
            return _REGULARIZERS[identifier]()
        raise unknown_name("regularizer", identifier, ["l1", "l2", "l1l2"])
    if callable(getattr(identifier, "penalty", None)) and callable(getattr(identifier, "gradient", None)):
        return identifier
    raise ValueError(
        f"Unknown regularizer {identifier!r}: expected None, 'l1', 'l2', 'l1l2' or an object with "
        "penalty(w) and gradient(w) such as nnlib.regularizers.L2(0.01)."
    )
