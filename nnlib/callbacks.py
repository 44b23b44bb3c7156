"""Callbacks: code that ``fit`` runs at fixed points of training, as in ``keras.callbacks``.

Introduced in chapter 9 (early stopping and learning-rate schedules). ``fit``
calls, in this order::

    on_train_begin
    for each epoch:   on_epoch_begin(epoch)
        for each batch:   on_train_batch_begin(step), ..., on_train_batch_end(step, logs)
        on_epoch_end(epoch, logs)          # logs: "loss", metrics, "val_*"
    on_train_end

A callback may set ``model.stop_training = True``; ``fit`` then stops after the
current batch or epoch, exactly as Keras does. The names, arguments, defaults and
decisions below are Keras 3's (``keras/src/callbacks``): the same monitored
numbers make the same decisions on both sides.
"""
import warnings

import numpy as np


class Callback:
    """The base class: every hook does nothing until a subclass overrides it.

    ``fit`` calls ``set_model(model)`` and ``set_params({"epochs", "steps", "verbose"})``
    before training, so a hook can read ``self.model`` (its weights, its optimizer)
    and set ``self.model.stop_training``.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = dict(params)

    def on_train_begin(self, logs=None):
        """Called once, before the first epoch."""

    def on_train_end(self, logs=None):
        """Called once, after the last epoch (``logs`` are the last epoch's)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called before epoch ``epoch`` (counted from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after epoch ``epoch`` with its logs: "loss", metrics and "val_*" values.

        A callback may add keys to ``logs``; callbacks later in the list (and the
        ``History``, which always comes last) see them.
        """

    def on_batch_begin(self, batch, logs=None):
        """Keras's older name for ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """Keras's older name for ``on_train_batch_end``."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before batch ``batch`` of the epoch; calls ``on_batch_begin`` by default."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after batch ``batch``'s step, ``logs["loss"]`` being the epoch's running mean."""
        self.on_batch_end(batch, logs=logs)


class History(Callback):
    """What ``fit`` returns: ``history`` maps "loss", metric names and "val_*" to per-epoch lists.

    ``epoch`` lists the epoch numbers (from 0); ``params`` holds ``epochs``, ``steps``
    (batches per epoch) and ``verbose``; ``model`` is the trained model.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def set_model(self, model):
        super().set_model(model)
        model.history = self  # as in Keras: model.history is the last fit's History

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.append(epoch, logs or {})

    def append(self, epoch, logs):
        """Record one epoch's logs (what ``on_epoch_end`` does)."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def _is_accuracy(name):
    return name in ("acc", "accuracy") or name.endswith("_accuracy") or name.endswith("_acc")


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving; optionally restore the best weights.

    Keras 3's rule, epoch by epoch (from ``start_from_epoch`` on):

    * an epoch *improves* when it beats the best so far by more than ``min_delta``:
      ``current + min_delta < best`` (mode "min") or ``current - min_delta > best``
      (mode "max"); the first monitored epoch always improves;
    * ``wait`` counts the epochs since the last improvement; an improvement resets it to 0
      unless ``baseline`` is given and not beaten;
    * training stops at the end of the first epoch (other than epoch 0) where ``wait``
      reaches ``patience``: with ``patience=2`` that is two epochs after the best one;
    * with ``restore_best_weights=True``, the weights from the end of the best epoch are put
      back when training ends, *whether or not* it stopped early (as in Keras 3).

    ``mode="auto"`` minimises losses and maximises accuracies; other names need
    ``mode="min"`` or ``"max"``. After training, ``stopped_epoch`` is the epoch (from 0)
    that stopped it (0 if none did) and ``best_epoch`` the best one.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"monitor: expected the name of a logged value such as 'val_loss', got {monitor!r}.")
        for value, name in ((min_delta, "min_delta"), (baseline, "baseline")):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, np.number))
                                      or not np.isfinite(value)):
                raise ValueError(f"{name}: expected a finite number, got {value!r}.")
        for value, name in ((patience, "patience"), (start_from_epoch, "start_from_epoch")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name}: expected a non-negative integer, got {value!r}.")
        if mode not in ("auto", "min", "max"):
            # Keras warns and falls back to "auto"; a typo deserves an error here.
            raise ValueError(f"mode: expected 'auto', 'min' or 'max', got {mode!r}.")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.verbose = verbose
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def _direction(self):
        """+1 to maximise the monitored value, -1 to minimise it."""
        if self.mode != "auto":
            return 1 if self.mode == "max" else -1
        name = self.monitor[len("val_"):] if self.monitor.startswith("val_") else self.monitor
        if name == "loss":
            return -1
        if _is_accuracy(name):
            return 1
        raise ValueError(
            f"mode: EarlyStopping cannot tell whether {self.monitor!r} should be maximized or minimized; "
            "pass mode='max' or mode='min'."
        )

    def _is_improvement(self, current, reference):
        if reference is None:
            return True
        if self._direction() > 0:
            return current - self.min_delta > reference
        return current + self.min_delta < reference

    def on_train_begin(self, logs=None):
        self._direction()  # a monitor whose direction is unknown fails before training, not after an epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"EarlyStopping is conditioned on {self.monitor!r}, which is not in the logs. "
                          f"Available: {', '.join(logs)}.", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of every epoch: ``lr = schedule(epoch, lr)``.

    ``schedule`` receives the epoch (from 0) and the current learning rate and returns the
    new one (a one-argument ``schedule(epoch)`` also works, as in Keras). The rate in use is
    logged as ``"learning_rate"``, so it appears in ``History.history``.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ValueError(f"schedule: expected a function schedule(epoch, lr), got {type(schedule).__name__}.")
        self.schedule = schedule
        self.verbose = verbose

    def _call_schedule(self, epoch, learning_rate):
        try:
            return self.schedule(epoch, learning_rate)
        except TypeError:  # Keras also accepts the older one-argument form
            return self.schedule(epoch)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        current = float(optimizer.learning_rate)
        learning_rate = self._call_schedule(epoch, current)
        if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.floating, np.integer)) \
                or not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"schedule: expected it to return a positive float for epoch {epoch}, "
                             f"got {learning_rate!r}.")
        optimizer.learning_rate = float(learning_rate)
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(learning_rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CallbackList:
    """The callbacks of one ``fit`` call, user callbacks first and the ``History`` last (as Keras)."""

    def __init__(self, callbacks, model, **params):
        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, Callback):
            raise ValueError("callbacks: expected a list of callbacks, got a single "
                             f"{type(callbacks).__name__}; wrap it in a list: callbacks=[...].")
        else:
            callbacks = list(callbacks)
        for index, callback in enumerate(callbacks):
            if not isinstance(callback, Callback):
                raise ValueError(f"callbacks[{index}]: expected an nnlib.callbacks.Callback such as "
                                 f"EarlyStopping(), got {type(callback).__name__}.")
        histories = [c for c in callbacks if isinstance(c, History)]
        self.history = histories[0] if histories else History()
        if not histories:
            callbacks.append(self.history)
        self.callbacks = callbacks
        for callback in callbacks:
            callback.set_model(model)
            callback.set_params(params)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)
