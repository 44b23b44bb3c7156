"""``Layer``: what every layer shares (chapter 3 derives the forward pass, chapter 6 the backward).

Every layer follows one interface, for inputs of any rank:

- ``build(input_shape)`` creates the parameters for samples of ``input_shape``, the
  **per-sample** shape without the batch axis: ``(n_features,)`` for vectors,
  ``(height, width, channels)`` for images, ``(timesteps, features)`` for sequences;
- ``compute_output_shape(input_shape)`` gives the per-sample output shape;
- ``forward(x, training=False)`` takes a batch ``x`` of shape ``(batch, *input_shape)``,
  returns ``(batch, *output_shape)`` and caches what ``backward`` needs;
- ``backward(dout, input_gradient=True)`` takes dL/d(output), fills ``grads`` (same keys and
  shapes as ``params``) and returns dL/dx of the input's shape (or None when not wanted).

``params`` holds the trainable arrays and ``states`` the non-trainable ones (such as batch
normalisation's moving statistics), each in Keras's weight order; ``get_weights()`` returns
params then states, as ``keras.layers.Layer.get_weights()`` does. ``regularizers`` maps a
key of ``params`` to a penalty (see ``nnlib.regularizers``) that the model adds to the
loss and whose gradient it adds to ``grads``.
"""
import re

import numpy as np


def as_shape(shape, name="input_shape"):
    """Turn an int or a tuple/list of positive ints (or None) into a shape tuple, or raise."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or len(shape) == 0:
        raise ValueError(f"{name}: expected a tuple of sizes such as (2,) or (8, 8, 1), got {shape!r}.")
    for size in shape:
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size <= 0:
            raise ValueError(
                f"{name}: expected positive sizes (or None for a variable length) such as (2,) or "
                f"(8, 8, 1), got {tuple(shape)!r}."
            )
    return tuple(None if size is None else int(size) for size in shape)


def batch_shape(shape):
    """The shape as Keras prints it, with None for the batch axis: ``(None, 8, 8, 1)``."""
    return (None, *shape)


def describe_batch(shape):
    """The batch shape for messages: ``(n_samples, 3)`` for flat samples, ``(None, 8, 8, 1)`` otherwise."""
    if len(shape) == 1:
        return f"(n_samples, {shape[0] if shape[0] is not None else 'n_features'})"
    return str(batch_shape(shape))


def snake_case(class_name):
    """A layer class's default name as Keras writes it: ``MaxPooling2D`` -> ``max_pooling2d``,
    ``BatchNormalization`` -> ``batch_normalization``, ``SimpleRNN`` -> ``simple_rnn``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Layer:
    """The base class of every nnlib layer: a name, parameters, states and gradients by name."""

    #: The per-sample rank the layer needs (3 for Conv2D, 2 for recurrent layers), or None for any.
    input_rank = None

    def __init__(self, name=None):
        self.name = name
        self.params = {}
        self.states = {}
        self.grads = {}
        self.regularizers = {}
        self.built = False
        self.input_shape = None
        self._cache = None

    # --- shapes -----------------------------------------------------------------------------------

    def build(self, input_shape):
        """Record the per-sample ``input_shape``; subclasses create their parameters, then call this."""
        input_shape = as_shape(input_shape)
        self._check_rank(input_shape)
        self.input_shape = input_shape
        self.built = True

    def compute_output_shape(self, input_shape):
        """The per-sample output shape for a per-sample ``input_shape`` (here: unchanged)."""
        return as_shape(input_shape)

    @property
    def output_shape(self):
        """The per-sample output shape of a built layer."""
        if not self.built:
            raise ValueError(f"layer {self.label!r} is not built yet: it has no output shape.")
        return self.compute_output_shape(self.input_shape)

    @property
    def input_dim(self):
        """The size of the last input axis (the feature count for flat inputs), or None."""
        return None if self.input_shape is None else self.input_shape[-1]

    def output_dim(self, input_dim):
        """The size of the output's last axis for inputs whose last axis has ``input_dim`` entries."""
        return self.compute_output_shape((input_dim,))[-1]

    def _check_rank(self, input_shape):
        if self.input_rank is not None and len(input_shape) != self.input_rank:
            raise ValueError(
                f"layer {self.label!r} ({type(self).__name__}) expects samples of rank {self.input_rank}, "
                f"input of shape (batch, {', '.join(['...'] * self.input_rank)}), got samples of shape "
                f"{input_shape} (input shape {batch_shape(input_shape)})."
            )

    def _check_input(self, x):
        """Return ``x`` as an array after checking its rank and its per-sample shape; build if needed."""
        x = np.asarray(x)
        if x.ndim < 2:
            expected = describe_batch(self.input_shape) if self.built else "(batch, ...)"
            raise ValueError(
                f"x: layer {self.label!r} expects input of shape {expected}, got shape {x.shape}: "
                "the first axis is the batch."
            )
        sample_shape = x.shape[1:]
        if self.built:
            expected = self.input_shape
            fits = len(sample_shape) == len(expected) and all(
                want is None or want == got for want, got in zip(expected, sample_shape))
            if not fits:
                raise ValueError(
                    f"x: layer {self.label!r} expects input of shape {describe_batch(expected)}, "
                    f"got shape {x.shape}."
                )
        else:
            self._check_rank(sample_shape)
            self.build(sample_shape)
        return x

    def _require_forward(self):
        if self._cache is None:
            raise RuntimeError(f"layer {self.label!r}: call forward before backward.")

    # --- weights ----------------------------------------------------------------------------------

    @property
    def label(self):
        """The layer's name for messages: its own, or its type for a layer outside a model."""
        return self.name or snake_case(type(self).__name__)

    def count_params(self):
        """Number of scalars in the layer's weights (trainable and not, as Keras counts them)."""
        return int(sum(p.size for p in self.params.values()) + sum(s.size for s in self.states.values()))

    def count_trainable_params(self):
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def _weight_slots(self):
        """(dict, key) pairs in Keras's weight order: trainable params, then states."""
        return [(self.params, key) for key in self.params] + [(self.states, key) for key in self.states]

    def get_weights(self):
        """Copies of the weight arrays in Keras order (params such as kernel and bias, then states)."""
        return [store[key].copy() for store, key in self._weight_slots()]

    def check_weights(self, weights):
        """Check a list of arrays against this layer's weights; return them converted, replace nothing."""
        slots = self._weight_slots()
        if weights is None or isinstance(weights, (str, bytes, np.ndarray)) or not hasattr(weights, "__len__"):
            raise ValueError(
                f"weights: layer {self.label!r} expects a list of {len(slots)} array(s), got {type(weights).__name__}."
            )
        weights = list(weights)
        expected = [store[key].shape for store, key in slots]
        if len(weights) != len(slots):
            raise ValueError(
                f"weights: layer {self.label!r} expects {len(slots)} array(s) with shapes {expected}, "
                f"got {len(weights)}."
            )
        converted = []
        for (store, key), new in zip(slots, weights):
            current = store[key]
            array = np.asarray(new)
            if array.dtype == object or not (np.issubdtype(array.dtype, np.integer)
                                             or np.issubdtype(array.dtype, np.floating)
                                             or array.dtype == bool):
                raise ValueError(
                    f"weights: layer {self.label!r} expects {key} as real numbers, got dtype {array.dtype}."
                )
            if array.shape != current.shape:
                raise ValueError(
                    f"weights: layer {self.label!r} expects {key} of shape {current.shape}, got shape {array.shape}."
                )
            if not np.all(np.isfinite(array)):
                raise ValueError(f"weights: layer {self.label!r} got NaN or inf in {key}.")
            converted.append(array.astype(current.dtype))
        return converted

    def set_weights(self, weights):
        """Replace the weights by ``weights``, a list like ``get_weights()``; all are checked first."""
        converted = self.check_weights(weights)
        for (store, key), new in zip(self._weight_slots(), converted):
            store[key] = new.copy()

    def _create_kernel_and_bias(self, kernel_shape, n_out):
        """Fill ``params`` with a kernel of ``kernel_shape`` from ``kernel_initializer`` and, with
        ``use_bias``, a bias of ``n_out`` zeros (or ``bias_initializer``'s values); set ``grads`` and
        the ``regularizers`` asked for. Shared by Dense (chapter 3) and Conv2D (chapter 13)."""
        kernel = np.asarray(self.kernel_initializer(kernel_shape))
        if kernel.shape != tuple(kernel_shape):
            raise ValueError(
                f"kernel_initializer: layer {self.label!r} asked for a kernel of shape {tuple(kernel_shape)}, "
                f"got shape {kernel.shape}."
            )
        self.params = {"kernel": kernel}
        if self.use_bias:
            self.params["bias"] = np.asarray(self.bias_initializer((n_out,)))
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.regularizers = {key: reg for key, reg in (("kernel", self.kernel_regularizer),
                                                       ("bias", self.bias_regularizer))
                             if reg is not None and key in self.params}

    def regularization_penalty(self):
        """The sum of the layer's weight penalties (chapter 12), 0.0 without regularizers."""
        return float(sum(reg.penalty(self.params[key]) for key, reg in self.regularizers.items()))

    def add_regularization_gradients(self):
        """Add each penalty's gradient to ``grads`` (after ``backward``; chapter 12)."""
        for key, reg in self.regularizers.items():
            self.grads[key] = self.grads[key] + reg.gradient(self.params[key])
