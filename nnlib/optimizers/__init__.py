"""Optimizers with Keras 3's update rules, arguments and defaults.

Derived in chapter 5 (plain gradient descent) and chapter 7, Training a network
(momentum, RMSprop, Adam); chapter 9 adds weight decay (``AdamW``), gradient
clipping and learning-rate schedules (``nnlib.optimizers.schedules``). Every
optimizer has one method, ``apply(params, grads)``, which updates the list of
parameter arrays in place from the matching gradients. One update, as in Keras:

1. clip the gradients (``clipnorm``, ``clipvalue`` or ``global_clipnorm``, at most one);
2. decay the weights: w <- w - w * weight_decay * lr (every parameter, biases included);
3. the optimizer's own rule with the learning rate ``lr`` of this step (a schedule is
   called with ``iterations``, which is 0 for the first update);
4. ``iterations += 1``.

State (velocities, moments) is kept per parameter position, for the parameter shapes of
the first ``apply``; an optimizer object belongs to one model (see ``Optimizer.apply``).
A NaN or infinite gradient is applied as it is, so the weights it touches become NaN, as in
Keras (``fit`` checks its inputs, so such gradients come from a diverging run; chapter 7).
"""
import weakref

import numpy as np

from .._validation import check_fraction, check_positive_number, unknown_name
from . import schedules
from .schedules import LearningRateSchedule


def _check_optional_positive(value, name):
    if value is not None:
        check_positive_number(value, name)
        return float(value)
    return None


class Optimizer:
    """Shared bookkeeping: the learning rate, clipping, weight decay, the step count, per-parameter state.

    ``learning_rate`` is a positive number or a ``schedules.LearningRateSchedule``; reading
    ``optimizer.learning_rate`` gives the rate the next update will use (as in Keras).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None):
        self._learning_rate = None
        self.learning_rate = learning_rate
        self.weight_decay = _check_optional_positive(weight_decay, "weight_decay")
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clips.values()) > 1:
            raise ValueError("clipnorm, clipvalue, global_clipnorm: expected at most one of them, got "
                             + ", ".join(f"{k}={v!r}" for k, v in clips.items()) + ".")
        self.clipnorm = _check_optional_positive(clipnorm, "clipnorm")
        self.clipvalue = _check_optional_positive(clipvalue, "clipvalue")
        self.global_clipnorm = _check_optional_positive(global_clipnorm, "global_clipnorm")
        self.iterations = 0
        self._slots = {}
        self._built_for = None  # [(shape, dtype), ...] of the parameters of the first apply
        self._model = None      # weak reference to the model that compiled this optimizer

    # --- the learning rate ------------------------------------------------------------------------

    @property
    def learning_rate(self):
        """The learning rate of the next update: the number given, or ``schedule(iterations)``."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError("learning_rate: this optimizer was created with a learning-rate schedule, so its "
                            "rate cannot be set; create it with a number to set the rate (as Keras requires).")
        check_positive_number(value, "learning_rate")
        self._learning_rate = float(value)

    # --- one update ---------------------------------------------------------------------------------

    def _slot(self, name, index, like):
        key = (name, index)
        if key not in self._slots:
            self._slots[key] = np.zeros_like(like)
        return self._slots[key]

    def _check(self, params, grads):
        # Runs once per training step: the usual case (the same parameters as last time, gradients of
        # their shapes and dtypes) is recognised in one pass; anything else gets the full checks.
        try:
            if self._built_for is not None and [(p.shape, p.dtype.char) for p in params] == self._built_for \
                    and [(g.shape, g.dtype.char) for g in grads] == self._built_for:
                return
        except (AttributeError, TypeError):
            pass
        if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
            raise ValueError(f"params, grads: expected two lists of NumPy arrays, got {type(params).__name__} "
                             f"and {type(grads).__name__}.")
        if len(params) != len(grads):
            raise ValueError(f"grads: expected {len(params)} gradient arrays, one per parameter, got {len(grads)}.")
        for index, (param, grad) in enumerate(zip(params, grads)):
            if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
                kind = f"an array of dtype {param.dtype}" if isinstance(param, np.ndarray) else type(param).__name__
                raise ValueError(f"params[{index}]: expected a float NumPy array (it is updated in place), "
                                 f"got {kind}.")
            if not isinstance(grad, np.ndarray) or grad.dtype.kind not in "biuf":
                kind = f"an array of dtype {grad.dtype}" if isinstance(grad, np.ndarray) else type(grad).__name__
                raise ValueError(f"grads[{index}]: expected a NumPy array of numbers, got {kind}.")
            if param.shape != grad.shape:
                raise ValueError(f"grads[{index}]: expected shape {param.shape}, got {grad.shape}.")
        signature = [(p.shape, p.dtype.char) for p in params]
        if self._built_for is None:
            self._built_for = signature
        elif signature != self._built_for:
            raise ValueError(
                f"params: this {type(self).__name__} was built for parameters of shapes "
                f"{[shape for shape, _ in self._built_for]} (dtypes "
                f"{sorted({np.dtype(c).name for _, c in self._built_for})}), got shapes "
                f"{[shape for shape, _ in signature]} (dtypes {sorted({np.dtype(c).name for _, c in signature})}). "
                "Its moments belong to those parameters: create a new optimizer for each model."
            )

    def _clip(self, grads):
        """The gradients after Keras's clipping (new arrays; the inputs are not changed)."""
        if self.clipnorm is not None:
            clipped = []
            for g in grads:
                norm = np.sqrt(np.sum(np.square(g)))
                clipped.append(g * g.dtype.type(self.clipnorm) / np.maximum(norm, g.dtype.type(self.clipnorm)))
            return clipped
        if self.global_clipnorm is not None:
            norm = np.sqrt(sum(float(np.sum(np.square(g.astype(np.float64)))) for g in grads))
            with np.errstate(divide="ignore", invalid="ignore"):
                # clip / max(norm, clip); a NaN or inf norm gives NaN gradients, as in Keras
                scale = self.global_clipnorm * min(1.0 / norm, 1.0 / self.global_clipnorm) + (norm - norm)
            return [g * g.dtype.type(scale) for g in grads]
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def apply(self, params, grads):
        """Update every array in ``params`` in place using the gradient at the same position.

        ``params`` and ``grads`` are lists of NumPy arrays of matching shapes. The first call
        fixes the parameter shapes; a later call with other shapes raises (an optimizer's
        state belongs to one set of weights, as in Keras).
        """
        self._check(params, grads)
        grads = self._clip(grads)
        learning_rate = self.learning_rate
        if self.weight_decay is not None:
            for param in params:
                dtype = param.dtype.type
                param -= param * dtype(self.weight_decay) * dtype(learning_rate)
        for index, (param, grad) in enumerate(zip(params, grads)):
            self._update(index, param, grad, learning_rate)
        self.iterations += 1

    def _update(self, index, param, grad, learning_rate):
        raise NotImplementedError

    def _attach(self, model):
        """Called by ``compile``: one optimizer object trains one model.

        Reusing an object for a second model would share its moments and step count by
        accident (Keras refuses to apply an optimizer to variables it was not built for);
        nnlib says so at ``compile``. Compiling the same model again keeps the state.
        """
        owner = self._model() if self._model is not None else None
        if owner is not None and owner is not model:
            raise ValueError(
                f"optimizer: this {type(self).__name__} object already trains the model {owner.name!r}; its "
                "moments and step count belong to that model's weights. Create a new optimizer for each model, "
                f"e.g. compile(optimizer={type(self).__name__}(...)) or a name such as 'adam'."
            )
        self._model = weakref.ref(model)

    def get_config(self):
        """The constructor arguments, as in Keras (the learning rate as given, maybe a schedule)."""
        config = {"learning_rate": self._learning_rate, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm}
        return config


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    Plain: w <- w - lr * g.
    Momentum: v <- momentum * v - lr * g, then w <- w + v.
    Nesterov: v as above, then w <- w + momentum * v - lr * g.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        check_fraction(momentum, "momentum", include_high=True)  # Keras allows [0, 1]
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov: expected True or False, got {nesterov!r}.")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, index, param, grad, learning_rate):
        # Python floats times float32 arrays stay float32, so the update keeps the weights' dtype.
        lr, momentum = learning_rate, self.momentum
        if momentum == 0.0:
            param -= lr * grad
            return
        velocity = self._slot("velocity", index, param)
        velocity *= momentum
        velocity -= lr * grad
        if self.nesterov:
            param += momentum * velocity - lr * grad
        else:
            param += velocity


class RMSprop(Optimizer):
    """Divides the step by a running root-mean-square of recent gradients.

    v <- rho * v + (1 - rho) * g^2;  w <- w - lr * g / sqrt(v + epsilon).

    (Keras 3 puts epsilon inside the square root; Adam puts it outside.)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        check_fraction(rho, "rho")
        check_positive_number(epsilon, "epsilon")
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def _update(self, index, param, grad, learning_rate):
        dtype = param.dtype.type
        mean_square = self._slot("mean_square", index, param)
        mean_square *= dtype(self.rho)
        mean_square += dtype(1.0 - self.rho) * grad * grad
        param -= dtype(learning_rate) * grad / np.sqrt(mean_square + dtype(self.epsilon))


class Adam(Optimizer):
    """Adaptive moments (Kingma and Ba, 2015), in Keras 3's form.

    With t the step number (from 1):
    m <- m + (1 - beta_1)(g - m);  v <- v + (1 - beta_2)(g^2 - v);
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t);  w <- w - alpha * m / (sqrt(v) + epsilon).

    With ``amsgrad=True`` the denominator uses v_hat = max(v_hat, v), the largest v so
    far (Reddi et al., 2018), so the step size never grows back.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm)
        check_fraction(beta_1, "beta_1")
        check_fraction(beta_2, "beta_2")
        check_positive_number(epsilon, "epsilon")
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise ValueError(f"amsgrad: expected True or False, got {amsgrad!r}.")
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _update(self, index, param, grad, learning_rate):
        dtype = param.dtype.type
        step = self.iterations + 1
        alpha = learning_rate * np.sqrt(1.0 - self.beta_2 ** step) / (1.0 - self.beta_1 ** step)
        m = self._slot("m", index, param)
        v = self._slot("v", index, param)
        m += (grad - m) * dtype(1.0 - self.beta_1)
        v += (grad * grad - v) * dtype(1.0 - self.beta_2)
        if self.amsgrad:
            v_hat = self._slot("v_hat", index, param)
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        param -= dtype(alpha) * m / (np.sqrt(v) + dtype(self.epsilon))


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), Keras's default 0.004.

    Before each Adam step every weight shrinks by w * weight_decay * lr, separately from the
    gradient, so the decay is not rescaled by Adam's per-weight step sizes (as an L2 penalty
    added to the loss would be). As in Keras, biases decay too.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None):
        if weight_decay is None:
            raise ValueError("weight_decay: AdamW expects a positive number such as 0.004, got None.")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue,
                         global_clipnorm)


_OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW}


def get(identifier):
    """An optimizer object: a name (``"adam"``) gives one with Keras's defaults; an object passes through."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[identifier.lower()]()
    raise unknown_name("optimizer", identifier, _OPTIMIZERS)


__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "get", "schedules"]
