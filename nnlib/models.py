"""``Sequential``: a stack of layers that can be compiled, trained and evaluated.

The training loop is derived in chapter 7, Training a network; the forward and
backward passes it calls are those of chapters 3 and 6. Names, arguments and
defaults follow ``keras.Sequential``, so chapter 10 can map one onto the other.
"""
import os
import zipfile

import numpy as np

from . import config, losses, metrics as metrics_module, optimizers
from .callbacks import CallbackList, History  # noqa: F401  (History is re-exported: nnlib.models.History)
from ._progress import ProgressBar
from ._validation import as_float_array, check_fraction, check_not_empty, check_positive_int, check_same_length
from .layers import Input, Layer
from .layers.base import as_shape, batch_shape, describe_batch, snake_case


class Sequential:
    """A linear stack of layers: ``Sequential([Input((2,)), Dense(3, "relu"), Dense(1, "sigmoid")])``."""

    def __init__(self, layers=None, name=None):
        self.name = name or "sequential"
        self.layers = []
        self.input_shape = None
        self.optimizer = None
        self.loss = None
        self.stop_training = False  # a callback sets it to end fit() early
        self.metric_names = []
        self._metric_functions = []
        for layer in layers or []:
            self.add(layer)

    # --- building ---------------------------------------------------------------------------------

    def add(self, layer):
        """Append a layer; an ``Input`` fixes the sample shape and builds the layers at once."""
        if isinstance(layer, Input):
            if self.layers or self.input_shape is not None:
                raise ValueError("layer: an Input must come first, before any other layer.")
            self.input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise ValueError(f"layer: expected an nnlib layer such as Dense(3), got {type(layer).__name__}.")
        if layer.name is None:
            layer.name = self._unique_name(snake_case(type(layer).__name__))
        self.layers.append(layer)
        if self.input_shape is not None:
            self.build(self.input_shape)

    def _unique_name(self, base):
        taken = {layer.name for layer in self.layers}
        name, index = base, 0
        while name in taken:
            index += 1
            name = f"{base}_{index}"
        return name

    def build(self, input_shape):
        """Create every layer's parameters for samples of ``input_shape`` (per sample, no batch axis).

        An int means flat samples with that many features: ``build(3)`` is ``build((3,))``.
        Each layer is built from the output shape of the one before it.
        """
        self.input_shape = as_shape(input_shape)
        shape = self.input_shape
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            elif tuple(layer.input_shape) != tuple(shape):
                raise ValueError(
                    f"layer {layer.label!r} was built for input {batch_shape(layer.input_shape)}, "
                    f"but the layer before it gives {batch_shape(shape)}."
                )
            shape = layer.compute_output_shape(shape)

    @property
    def built(self):
        return self.input_shape is not None and all(layer.built for layer in self.layers)

    @property
    def input_dim(self):
        """The size of the input's last axis (the feature count of flat samples), or None."""
        return None if self.input_shape is None else self.input_shape[-1]

    @property
    def output_shape(self):
        """The per-sample shape of the model's output."""
        shape = self.input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def output_dim(self):
        return self.output_shape[-1]

    def _require_layers(self, action):
        if not self.layers:
            raise ValueError(f"{action}: the model has no layers; add at least one, e.g. Dense(1).")

    def _require_built(self, action):
        self._require_layers(action)
        if not self.built:
            raise ValueError(
                f"{action}: the model has no weights yet. Start it with Input((n_features,)) or call "
                "build(n_features) first."
            )

    # --- parameters ---------------------------------------------------------------------------------

    def _parameters(self):
        """(layer, key) pairs in Keras order: W1, b1, W2, b2, ..."""
        return [(layer, key) for layer in self.layers for key in layer.params]

    def count_params(self):
        """Total number of trainable scalars: sum of n_in * n_out (+ n_out with bias) over layers."""
        self._require_built("count_params")
        return sum(layer.count_params() for layer in self.layers)

    def get_weights(self):
        """Copies of every weight array, in Keras order [W1, b1, W2, b2, ...] (each layer's
        trainable params, then its states such as moving statistics)."""
        return [array for layer in self.layers for array in layer.get_weights()]

    def set_weights(self, weights):
        """Replace every weight; ``weights`` must match ``get_weights()`` in count, shapes and kinds.

        Every array is checked before any is replaced, so a bad list leaves the model as it was.
        """
        self._require_built("set_weights")
        if weights is None or isinstance(weights, (str, bytes, np.ndarray)) or not hasattr(weights, "__len__"):
            raise ValueError(f"weights: expected a list of arrays like get_weights(), got {type(weights).__name__}.")
        weights = list(weights)
        counts = [len(layer.get_weights()) for layer in self.layers]
        if len(weights) != sum(counts):
            shapes = [w.shape for w in self.get_weights()]
            raise ValueError(f"weights: expected {sum(counts)} arrays with shapes {shapes}, got {len(weights)} arrays.")
        checked, start = [], 0
        for layer, count in zip(self.layers, counts):
            checked.append(layer.check_weights(weights[start:start + count]))
            start += count
        for layer, arrays in zip(self.layers, checked):
            for (store, key), new in zip(layer._weight_slots(), arrays):
                store[key] = new.copy()

    # --- saving and loading weights ----------------------------------------------------------------

    def save_weights(self, filepath, overwrite=True):
        """Write every layer's weights to an ``.npz`` file whose name ends in ``.weights.npz``.

        Keras 3 requires ``.weights.h5``; nnlib keeps the same rule with NumPy's own format
        (``np.savez``, no HDF5 needed): ``model.save_weights("spirals.weights.npz")``. The file
        holds, for layer i, its name and its arrays in ``get_weights`` order (entries
        ``"{i}/{name}/{j}"``), so ``load_weights`` can name the layer when a shape differs.
        """
        self._require_built("save_weights")
        path = _weights_path(filepath)
        if not overwrite and os.path.exists(path):
            raise ValueError(f"filepath: {path!r} exists and overwrite=False.")
        arrays = {}
        for i, layer in enumerate(self.layers):
            for j, array in enumerate(layer.get_weights()):
                arrays[f"{i}/{layer.name}/{j}"] = array
        arrays["__layers__"] = np.array([layer.name for layer in self.layers])
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)

    def load_weights(self, filepath):
        """Read weights written by ``save_weights`` into this model (layer by layer, in order).

        The model must have the same layers with the same weight shapes; every array is
        checked before any is replaced, and a mismatch names the layer, the shapes it
        expects and the shapes in the file.
        """
        self._require_built("load_weights")
        path = _weights_path(filepath)
        try:
            with np.load(path, allow_pickle=False) as stored:
                files = {key: stored[key] for key in stored.files}
        except FileNotFoundError:
            raise FileNotFoundError(f"filepath: no weights file at {path!r}.") from None
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise ValueError(f"filepath: {path!r} is not a weights file written by save_weights ({error}).") from None
        if "__layers__" not in files:
            raise ValueError(f"filepath: {path!r} is an .npz file but not one written by save_weights "
                             "(it has no '__layers__' entry).")
        names = [str(name) for name in files["__layers__"]]
        if len(names) != len(self.layers):
            raise ValueError(f"filepath: the file holds weights for {len(names)} layer(s) {names}, this model has "
                             f"{len(self.layers)} {[layer.name for layer in self.layers]}.")
        weights = []
        for i, (layer, name) in enumerate(zip(self.layers, names)):
            stored = []
            while f"{i}/{name}/{len(stored)}" in files:
                stored.append(files[f"{i}/{name}/{len(stored)}"])
            expected = [w.shape for w in layer.get_weights()]
            found = [w.shape for w in stored]
            if expected != found:
                raise ValueError(f"filepath: layer {i} {layer.name!r} expects weights of shapes {expected}, the file "
                                 f"has {found} for its layer {i} {name!r}.")
            weights.extend(stored)
        self.set_weights(weights)

    def summary(self):
        """Print a table of layers, output shapes and parameter counts, like Keras's ``summary()``."""
        self._require_built("summary")
        rows = [(f"{layer.name} ({type(layer).__name__})", str(batch_shape(layer.output_shape)),
                 f"{layer.count_params():,}") for layer in self.layers]
        widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in
                  enumerate(("Layer (type)", "Output Shape", "Param #"))]
        line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
        print(f'Model: "{self.name}"')
        print(line)
        print("| " + " | ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in
                                enumerate(zip(("Layer (type)", "Output Shape", "Param #"), widths))) + " |")
        print(line.replace("-", "="))
        for row in rows:
            print(f"| {row[0].ljust(widths[0])} | {row[1].ljust(widths[1])} | {row[2].rjust(widths[2])} |")
        print(line)
        print(f" Total params: {self.count_params():,}")

    # --- forward and backward ------------------------------------------------------------------------

    def forward(self, x, training=False):
        """Run x (batch, *input_shape) through every layer; returns (batch, *output_shape)."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, dloss):
        """Send dL/d(output) back through the layers (chapter 6); fills each layer's ``grads``."""
        for layer in reversed(self.layers):
            dloss = layer.backward(dloss)
        return dloss

    def gradients(self):
        """The gradients of the last ``backward`` call, in Keras order."""
        return [layer.grads[key] for layer, key in self._parameters()]

    # --- compile, fit, evaluate, predict --------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer (name or object), the loss (name, function or ``nnlib.losses.Loss``), and metrics."""
        if loss is None:
            raise ValueError("loss: expected a loss such as 'mse' or 'binary_crossentropy', got None.")
        self.optimizer = optimizers.get(optimizer)
        self.optimizer._attach(self)  # one optimizer object per model: its state belongs to these weights
        self.loss = losses.get_loss_object(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics: expected a list such as ['accuracy'], got {metrics!r} "
                             f"({type(metrics).__name__}), as Keras requires.")
        metrics = list(metrics or [])
        self._metric_functions = [metrics_module.get(m) for m in metrics]
        self.metric_names = [m if isinstance(m, str) else getattr(m, "__name__", "metric") for m in metrics]

    def _require_compiled(self, action):
        if self.optimizer is None or self.loss is None:
            raise ValueError(f"{action}: call compile(optimizer, loss) before {action}().")

    def _prepare_x(self, x, name="x"):
        """x as a float array of shape (batch, *input_shape), checked; builds the model if needed."""
        self._require_layers("the model")
        x = as_float_array(x, name)
        expected = describe_batch(self.input_shape) if self.input_shape is not None else "(n_samples, n_features)"
        if x.ndim < 2:
            hint = (" Use x.reshape(-1, 1) for one feature or x.reshape(1, -1) for one sample."
                    if x.ndim == 1 else "")
            raise ValueError(f"{name}: expected a 2-D array of shape {expected}, got shape {x.shape}.{hint}")
        if self.input_shape is not None:
            sample = x.shape[1:]
            fits = len(sample) == len(self.input_shape) and all(
                want is None or want == got for want, got in zip(self.input_shape, sample))
            if not fits:
                if len(self.input_shape) == 1 and x.ndim == 2:
                    n = self.input_shape[0]
                    raise ValueError(f"{name}: expected {n} feature(s) per sample, shape (n_samples, {n}), "
                                     f"got shape {x.shape}.")
                raise ValueError(f"{name}: expected an array of shape {expected}, got shape {x.shape}.")
        check_not_empty(x, name)
        if self.input_shape is None:
            self.build(x.shape[1:])
        return x

    def _prepare_y(self, y, x, name="y"):
        """Targets as the loss expects them, checked once for shape, format and values."""
        sparse = isinstance(self.loss, losses.SparseCategoricalCrossentropy)
        y = np.asarray(y)
        if y.dtype == object:
            raise ValueError(f"{name}: expected numbers, got an object array.")
        y = as_float_array(y, name, dtype=None if not sparse else np.float64)
        check_same_length(x, y, "x", name)
        if sparse:
            y = y.reshape(len(y)) if y.ndim == 2 and y.shape[1] == 1 else y
        elif y.ndim == 1 and self.output_dim == 1:
            y = y.reshape(-1, 1)
        # One pass of the loss on a neutral prediction validates the label format with a clear message,
        # reworded to name this argument (the loss functions call their targets y_true).
        output_shape = tuple(x.shape[i + 1] if size is None and i + 1 < x.ndim else size
                             for i, size in enumerate(self.output_shape))
        try:
            self.loss.per_sample(y, np.full((len(y), *output_shape), 0.5, dtype=config.floatx()))
        except ValueError as error:
            message = str(error)
            raise ValueError(f"{name}: {message[len('y_true: '):]}" if message.startswith("y_true: ")
                             else message) from None
        return y.astype(int) if sparse else y

    # --- sample weights, class weights, validation data ---------------------------------------------

    def _prepare_sample_weight(self, sample_weight, x, name="sample_weight"):
        """One weight per sample, shape (n,), as floats >= 0; None stays None (every sample weighs 1)."""
        if sample_weight is None:
            return None
        weights = as_float_array(sample_weight, name)
        if weights.ndim == 2 and weights.shape[1] == 1:
            weights = weights[:, 0]
        if weights.ndim != 1:
            raise ValueError(f"{name}: expected one weight per sample, shape ({len(x)},), got shape {weights.shape}.")
        check_same_length(x, weights, "x", name)
        if np.any(weights < 0):
            raise ValueError(f"{name}: expected weights >= 0, got values down to {weights.min():g}.")
        return weights

    def _class_sample_weights(self, class_weight, y):
        """``class_weight`` ({class: weight}) as one weight per sample, the way Keras builds it.

        A sample's class is its integer label, the argmax of its one-hot row, or its rounded
        value when the target is a single column (binary). Classes not listed weigh 1.
        """
        if not isinstance(class_weight, dict):
            raise ValueError(f"class_weight: expected a dict such as {{0: 1.0, 1: 5.0}}, "
                             f"got {type(class_weight).__name__}.")
        for key, value in class_weight.items():
            if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or key < 0:
                raise ValueError(f"class_weight: expected class numbers 0, 1, ... as keys, got {key!r}.")
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(value) or value < 0:
                raise ValueError(f"class_weight[{key}]: expected a weight >= 0, got {value!r}.")
        if y.ndim > 2:
            raise ValueError(f"class_weight: works with targets of shape (n,) or (n, k), got {y.shape}; "
                             "pass sample_weight instead.")
        labels = y if y.ndim == 1 else (y[:, 0] if y.shape[1] == 1 else np.argmax(y, axis=1))
        labels = np.round(labels).astype(int)
        weights = np.ones(len(y), dtype=config.floatx())
        for key, value in class_weight.items():
            weights[labels == key] = value
        return weights

    def _prepare_validation_data(self, validation_data):
        """(x_val, y_val, weights) from a tuple (x_val, y_val) or (x_val, y_val, sample_weight), checked."""
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            got = (f"a {type(validation_data).__name__} of length {len(validation_data)}"
                   if isinstance(validation_data, (tuple, list)) else f"a {type(validation_data).__name__}")
            raise ValueError("validation_data: expected a tuple (x_val, y_val) or (x_val, y_val, sample_weight), "
                             f"got {got}.")
        x_val = self._prepare_x(validation_data[0], "validation_data[0]")
        y_val = self._prepare_y(validation_data[1], x_val, "validation_data[1]")
        weights = validation_data[2] if len(validation_data) == 3 else None
        return x_val, y_val, self._prepare_sample_weight(weights, x_val, "validation_data[2]")

    # --- metrics ------------------------------------------------------------------------------------

    def _metric_totals(self, y, y_pred):
        """Per metric, (sum of values, count) over one batch: see ``metrics.batch_total``.

        Metrics are not weighted by sample or class weights: Keras's ``compile(metrics=...)``
        ignores them too (it weights only the loss and its separate ``weighted_metrics``).
        """
        return [metrics_module.batch_total(function, y, y_pred, name)
                for name, function in zip(self.metric_names, self._metric_functions)]

    def _metric_logs(self, totals, prefix=""):
        """{name: mean} from the per-batch totals of ``_metric_totals``."""
        if not self.metric_names:
            return {}
        sums = np.sum(totals, axis=0)  # shape (n_metrics, 2): the sums of values, the counts
        return {prefix + name: float(value / count) for name, (value, count) in zip(self.metric_names, sums)}

    # --- training -----------------------------------------------------------------------------------

    def _fuses_softmax_cross_entropy(self):
        """True when the model ends in softmax and the loss is a cross-entropy on probabilities.

        Both spellings count: ``Dense(k, activation="softmax")`` and ``Dense(k)`` followed
        by ``Activation("softmax")``. Training then takes the gradient for the logits in one
        step (``losses.softmax_cross_entropy_delta``), which is exactly the chain of the
        clipped loss's gradient and softmax's backward pass, so both spellings train alike.
        """
        last = self.layers[-1] if self.layers else None
        return (getattr(last, "activation_name", None) == "softmax" and hasattr(last, "backward_from_z")
                and isinstance(self.loss, (losses.CategoricalCrossentropy, losses.SparseCategoricalCrossentropy))
                and not self.loss.from_logits)

    def _train_step(self, x_batch, y_batch, fused, weights=None):
        """Forward, loss, backward, update on one batch whose targets were already checked.

        The step is the exact gradient of the loss it returns (with the clip of the
        probabilities, chapter 4), for every loss and output. With a softmax output and
        cross-entropy (``fused``, see ``_fuses_softmax_cross_entropy``) the gradient for the
        logits is computed in one step (chapter 6). ``weights`` (n,) weight each sample's
        loss, as Keras does: loss = sum(w * loss per sample) / n. The first layer's input
        gradient is not computed: nothing needs it.
        """
        y_pred = self.forward(x_batch, training=True)
        if fused:
            values, delta = losses.softmax_cross_entropy_delta(y_batch, y_pred)
        else:
            values = self.loss.unchecked_per_sample(y_batch, y_pred)
            delta = self.loss.unchecked_gradient(y_batch, y_pred)
        if weights is not None:
            values = values * weights.reshape(-1, *[1] * (values.ndim - 1))
            delta = delta * weights.reshape(-1, *[1] * (delta.ndim - 1))
        loss = float(values.sum() / values.size)  # the mean (np.mean costs more on small arrays)
        first, last = self.layers[0], self.layers[-1]
        if fused:
            delta = last.backward_from_z(delta, input_gradient=last is not first)
            remaining = self.layers[-2::-1]
        else:
            remaining = self.layers[::-1]
        for layer in remaining:
            delta = layer.backward(delta, input_gradient=layer is not first)
        loss += self._add_regularization()
        params = [param for layer in self.layers for param in layer.params.values()]
        self.optimizer.apply(params, [layer.grads[key] for layer in self.layers for key in layer.params])
        return loss, y_pred

    def _add_regularization(self):
        """Add every layer's weight-penalty gradients to its grads; return the summed penalty.

        Keras adds the penalties (``kernel_regularizer=L2(l)``: l * sum(w**2)) to the
        training loss it reports and to the gradient (chapter 12).
        """
        penalty = 0.0
        for layer in self.layers:
            if layer.regularizers:
                penalty += layer.regularization_penalty()
                layer.add_regularization_gradients()
        return penalty

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One gradient step on one batch. Returns the loss before the step (and metrics, if compiled)."""
        self._require_compiled("train_on_batch")
        x = self._prepare_x(x)
        y = self._prepare_y(y, x)
        weights = self._sample_weights(sample_weight, class_weight, x, y)
        loss, y_pred = self._train_step(x, y, self._fuses_softmax_cross_entropy(), weights)
        if not self.metric_names:
            return loss
        return [loss, *self._metric_logs([self._metric_totals(y, y_pred)]).values()]

    @staticmethod
    def _check_weight_arguments(sample_weight, class_weight):
        if sample_weight is not None and class_weight is not None:
            raise ValueError("class_weight: cannot be combined with sample_weight (Keras refuses this too); "
                             "fold the class weights into sample_weight.")

    def _sample_weights(self, sample_weight, class_weight, x, y):
        """The per-sample training weights from ``sample_weight`` or ``class_weight`` (not both, as in Keras)."""
        self._check_weight_arguments(sample_weight, class_weight)
        if class_weight is not None:
            return self._class_sample_weights(class_weight, y)
        return self._prepare_sample_weight(sample_weight, x)

    def fit(self, x, y, epochs=1, batch_size=None, shuffle=True, validation_data=None, validation_split=0.0,
            verbose=1, seed=None, callbacks=None, sample_weight=None, class_weight=None):
        """Train with mini-batch gradient descent; returns a ``History``.

        Each epoch shuffles the samples (seeded by ``seed``, or the library generator),
        cuts them into batches of ``batch_size`` (None means 32, as in Keras; the last
        batch may be smaller), and applies one optimizer step per batch. The epoch's
        "loss" is the sample-weighted mean of the batch losses, as Keras reports it.
        ``validation_split`` holds out the last fraction of the samples (and of
        ``sample_weight``) before shuffling, as Keras does; ``validation_data`` is
        (x_val, y_val) or (x_val, y_val, sample_weight). ``callbacks`` is a list of
        ``nnlib.callbacks.Callback`` objects (``EarlyStopping``, ...); one that sets
        ``model.stop_training = True`` ends training after the current batch.

        ``sample_weight`` (n,) weights each sample's loss: a batch's loss is
        sum(w * loss) / batch size, as in Keras; metrics stay unweighted, as Keras's do.
        ``class_weight`` ({class: weight}) gives every sample its class's weight.
        """
        self._require_compiled("fit")
        check_positive_int(epochs, "epochs")
        batch_size = 32 if batch_size is None else batch_size
        check_positive_int(batch_size, "batch_size")
        check_fraction(validation_split, "validation_split")
        x = self._prepare_x(x)
        y = self._prepare_y(y, x)
        self._check_weight_arguments(sample_weight, class_weight)
        weights = self._prepare_sample_weight(sample_weight, x)
        if validation_split and validation_data is None:
            n_train = int(np.floor(len(x) * (1.0 - validation_split)))  # as Keras: round down
            if n_train <= 0 or n_train >= len(x):
                raise ValueError(f"validation_split: {validation_split} leaves no training or no validation samples.")
            x, x_val, y, y_val = x[:n_train], x[n_train:], y[:n_train], y[n_train:]
            validation_data = (x_val, y_val, None if weights is None else weights[n_train:])
            weights = None if weights is None else weights[:n_train]
        elif validation_data is not None:
            validation_data = self._prepare_validation_data(validation_data)
        if class_weight is not None:  # after the split: class weights are for training only, as in Keras
            weights = self._class_sample_weights(class_weight, y)
        rng = config.as_rng(seed)
        fused = self._fuses_softmax_cross_entropy()
        n_samples = len(x)
        n_batches = -(-n_samples // batch_size)
        callbacks = CallbackList(callbacks, self, epochs=epochs, steps=n_batches, verbose=verbose)
        self.stop_training = False
        callbacks.on_train_begin()
        logs = {}
        for epoch in range(epochs):
            callbacks.on_epoch_begin(epoch)
            bar = ProgressBar(epoch, epochs, n_batches, verbose)
            order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
            loss_sum, metric_totals = 0.0, []  # metric_totals: one list of (sum, count) per batch
            for step, start in enumerate(range(0, n_samples, batch_size)):
                callbacks.on_train_batch_begin(step)
                index = order[start:start + batch_size]
                x_batch, y_batch = x[index], y[index]
                w_batch = None if weights is None else weights[index]
                loss, y_pred = self._train_step(x_batch, y_batch, fused, w_batch)
                loss_sum += loss * len(index)
                if self.metric_names:
                    metric_totals.append(self._metric_totals(y_batch, y_pred))
                batch_logs = {"loss": loss_sum / (start + len(index))}
                if verbose:
                    bar.update(step + 1, batch_logs)
                callbacks.on_train_batch_end(step, batch_logs)
                if self.stop_training:
                    break
            n_seen = min(start + batch_size, n_samples)
            logs = {"loss": loss_sum / n_seen}
            logs.update(self._metric_logs(metric_totals))
            if validation_data is not None:
                logs.update(self._evaluate_logs(*validation_data, prefix="val_"))
            callbacks.on_epoch_end(epoch, logs)
            bar.finish(logs)
            if self.stop_training:
                break
        callbacks.on_train_end(logs)
        return callbacks.history

    def _evaluate_logs(self, x, y, weights=None, prefix="", batch_size=None):
        """{"loss": ..., metric: ...} on checked (x, y): means over the samples, weighted by ``weights``."""
        y_pred = self.forward(x) if batch_size is None else self.predict(x, batch_size=batch_size)
        values = self.loss.unchecked_per_sample(y, y_pred)
        if weights is not None:
            values = values * weights.reshape(-1, *[1] * (values.ndim - 1))
        logs = {prefix + "loss": float(np.mean(values)) + self._regularization_penalty()}
        logs.update(self._metric_logs([self._metric_totals(y, y_pred)], prefix))
        return logs

    def _regularization_penalty(self):
        """The summed weight penalties, which Keras includes in every loss it reports (chapter 12)."""
        return sum(layer.regularization_penalty() for layer in self.layers if layer.regularizers)

    def evaluate(self, x, y, batch_size=None, verbose=0, sample_weight=None, return_dict=False):
        """The mean loss on (x, y), or [loss, metric, ...] when metrics were compiled.

        ``batch_size`` (None means 32, as in Keras) only sets how many samples go through
        the network at once; the result is the mean over all samples either way.
        ``sample_weight`` (n,) makes the loss sum(w * loss) / n, as in Keras (metrics stay
        unweighted). ``return_dict=True`` returns {"loss": ..., metric name: ...}.
        """
        self._require_compiled("evaluate")
        x = self._prepare_x(x)
        y = self._prepare_y(y, x)
        weights = self._prepare_sample_weight(sample_weight, x)
        logs = self._evaluate_logs(x, y, weights, batch_size=32 if batch_size is None else batch_size)
        if verbose:
            print(" - ".join(f"{key}: {value:.4f}" for key, value in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose=0):
        """The network's output for x (batch, *input_shape): shape (batch, *output_shape)."""
        x = self._prepare_x(x)
        self._require_built("predict")
        if batch_size is None:
            return self.forward(x)
        check_positive_int(batch_size, "batch_size")
        return np.concatenate([self.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])

    def __call__(self, x):
        return self.predict(x)

    def __repr__(self):
        return f"Sequential({self.layers!r})"


def _weights_path(filepath):
    """The path as a string, required to end in ``.weights.npz`` (Keras's rule, with NumPy's format)."""
    if not isinstance(filepath, (str, os.PathLike)):
        raise ValueError(f"filepath: expected a file name ending in '.weights.npz', got {type(filepath).__name__}.")
    path = os.fspath(filepath)
    if not path.endswith(".weights.npz"):
        stem = path[:-len(".weights.h5")] if path.endswith(".weights.h5") else os.path.splitext(path)[0]
        raise ValueError(f"filepath: expected a file name ending in '.weights.npz' (as Keras requires "
                         f"'.weights.h5'), got {path!r}; for example {stem + '.weights.npz'!r}.")
    return path
