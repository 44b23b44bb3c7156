"""Recurrent layers: ``SimpleRNN``, ``LSTM`` and ``GRU``, as ``keras.layers`` names them.

Derived in chapter 14, Recurrent networks from scratch. As in Keras, each family has a
*cell*, one step in time, and a layer that runs the cell over the sequence. The step
functions ``simple_rnn_step``, ``lstm_step`` and ``gru_step`` compute one step for a batch
and can be called on their own; the layers loop over time and back-propagate through
time (BPTT).

Shapes: inputs x (batch, timesteps, features); the state h (batch, units), and for the
LSTM also the cell state c (batch, units). The output is the last h, (batch, units), or
every h, (batch, timesteps, units) with ``return_sequences=True``. Weights follow Keras's
layouts and order: [kernel (features, k*units), recurrent_kernel (units, k*units), bias],
with k = 1 (SimpleRNN), 4 (LSTM, gates i, f, c, o) or 3 (GRU, gates z, r, h). The initial
state is zero, as in Keras.

Not supported (Keras has them): masking, dropout and recurrent_dropout, stateful, unroll,
go_backwards and initial states. ``return_state=True`` works when a layer is called on its
own (``forward`` returns [output, h] or [output, h, c]); a ``Sequential`` model refuses it
with a clear error, as Keras's does, because the next layer takes one array.
"""
import numpy as np

from .. import activations, initializers
from .._validation import check_positive_int
from .base import Layer, as_shape


def _derivative(name, z, a):
    """d activation(z) / dz, reusing the output a where that is cheaper."""
    if name == "tanh":
        return 1.0 - a * a
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "linear":
        return np.ones_like(z)
    if name == "relu":
        return (z > 0).astype(z.dtype)
    return activations.get_derivative(name)(z)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}.")
    return bool(value)


# --- one step of each cell (chapter 14) --------------------------------------------------------------

def simple_rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias=None, activation="tanh"):
    """One step of an Elman cell: h_t = activation(x_t W + h_{t-1} U + b).

    x_t (batch, features), h_prev (batch, units), kernel W (features, units),
    recurrent_kernel U (units, units), bias b (units,). Returns h_t (batch, units).
    """
    z = x_t @ kernel + h_prev @ recurrent_kernel
    if bias is not None:
        z = z + bias
    return activations.get(activation)(z)


def _split(z, k):
    units = z.shape[-1] // k
    return [z[..., i * units:(i + 1) * units] for i in range(k)]


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias=None, activation="tanh",
              recurrent_activation="sigmoid"):
    """One LSTM step with Keras's gate order (i, f, c, o) along the last axis of the weights.

    z = x_t W + h_{t-1} U + b, split into four blocks of ``units`` columns;
    i = sigma(z_i), f = sigma(z_f), g = tanh(z_c), o = sigma(z_o);
    c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t).
    kernel (features, 4 units), recurrent_kernel (units, 4 units), bias (4 units,).
    Returns (h_t, c_t), each (batch, units).
    """
    z = x_t @ kernel + h_prev @ recurrent_kernel
    if bias is not None:
        z = z + bias
    gate, act = activations.get(recurrent_activation), activations.get(activation)
    z_i, z_f, z_c, z_o = _split(z, 4)
    c = gate(z_f) * c_prev + gate(z_i) * act(z_c)
    return gate(z_o) * act(c), c


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias=None, activation="tanh",
             recurrent_activation="sigmoid", reset_after=True):
    """One GRU step with Keras's gate order (z, r, h).

    reset_after=True (Keras's default), bias (2, 3 units) = [input bias; recurrent bias]:
    x_z, x_r, x_h = x_t W + b_in;  u_z, u_r, u_h = h_{t-1} U + b_rec;
    z = sigma(x_z + u_z), r = sigma(x_r + u_r), n = tanh(x_h + r * u_h).
    reset_after=False, bias (3 units,): n = tanh(x_h + (r * h_{t-1}) U_h).
    Either way h_t = z * h_{t-1} + (1 - z) * n. Returns h_t (batch, units).
    """
    gate, act = activations.get(recurrent_activation), activations.get(activation)
    units = h_prev.shape[-1]
    if reset_after:
        x_proj = x_t @ kernel + (bias[0] if bias is not None else 0.0)
        u = h_prev @ recurrent_kernel + (bias[1] if bias is not None else 0.0)
        x_z, x_r, x_h = _split(x_proj, 3)
        u_z, u_r, u_h = _split(u, 3)
        z, r = gate(x_z + u_z), gate(x_r + u_r)
        n = act(x_h + r * u_h)
    else:
        x_proj = x_t @ kernel + (bias if bias is not None else 0.0)
        x_z, x_r, x_h = _split(x_proj, 3)
        u_zr = h_prev @ recurrent_kernel[:, :2 * units]
        z, r = gate(x_z + u_zr[:, :units]), gate(x_r + u_zr[:, units:])
        n = act(x_h + (r * h_prev) @ recurrent_kernel[:, 2 * units:])
    return z * h_prev + (1.0 - z) * n


# --- the shared base ----------------------------------------------------------------------------------

class RNN(Layer):
    """What SimpleRNN, LSTM and GRU share: checks, the input projection, the loop and BPTT.

    Forward: p = x W (+ input bias) for every step at once, (batch, timesteps, k units);
    then for t = 1..T the subclass's ``_step(p_t, state)`` gives the new state. Backward
    (BPTT, chapter 14): for t = T..1, ``_step_backward`` turns dL/d(state_t) into dL/dp_t
    and dL/d(state_{t-1}) while adding to dL/dU; then dW = x^T dp (over batch and time),
    db = sum of dp, dx = dp W^T.
    """

    input_rank = 2
    _gates = 1          # k: how many blocks of ``units`` columns the kernels have
    _n_states = 1       # 1 for (h,), 2 for (h, c)

    def __init__(self, units, activation="tanh", use_bias=True, return_sequences=False,
                 return_state=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", name=None):
        super().__init__(name)
        check_positive_int(units, "units")
        self.units = int(units)
        self.activation_name = activations.name_of(activation)
        self.activation = activations.get(activation)
        self.use_bias = _check_bool(use_bias, "use_bias")
        self.return_sequences = _check_bool(return_sequences, "return_sequences")
        self.return_state = _check_bool(return_state, "return_state")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    # --- shapes and weights ---

    def build(self, input_shape):
        """Create kernel (features, k units), recurrent_kernel (units, k units) and the bias."""
        input_shape = as_shape(input_shape)
        self._check_rank(input_shape)
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"layer {self.label!r}: the feature axis must have a known size, got {input_shape}.")
        width = self._gates * self.units
        self.params = {
            "kernel": self._initial(self.kernel_initializer, (features, width), "kernel_initializer"),
            "recurrent_kernel": self._initial(self.recurrent_initializer, (self.units, width),
                                              "recurrent_initializer"),
        }
        if self.use_bias:
            self.params["bias"] = self._initial_bias()
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        super().build(input_shape)

    def _initial(self, initializer, shape, argument):
        value = np.asarray(initializer(shape))
        if value.shape != shape:
            raise ValueError(f"{argument}: layer {self.label!r} asked for shape {shape}, got shape {value.shape}.")
        return value

    def _initial_bias(self):
        return self._initial(self.bias_initializer, (self._gates * self.units,), "bias_initializer")

    def compute_output_shape(self, input_shape):
        input_shape = as_shape(input_shape)
        self._check_rank(input_shape)
        if self.return_state:
            raise ValueError(
                f"return_state: layer {self.label!r} returns a list [output, state...] with return_state=True, "
                "which a Sequential model cannot pass to the next layer (Keras's Sequential refuses it too). "
                "Call the layer on its own (layer.forward(x)) or use return_state=False."
            )
        if self.return_sequences:
            return (input_shape[0], self.units)
        return (self.units,)

    def _check_sequences(self, x):
        x = np.asarray(x)
        if x.ndim != 3:
            expected = f"(batch, timesteps, {self.input_shape[-1] if self.built else 'features'})"
            hint = (" A single sequence needs a batch axis: x[None]; one feature per step needs "
                    "x[..., None]." if x.ndim == 2 else "")
            raise ValueError(
                f"x: layer {self.label!r} ({type(self).__name__}) expects a batch of sequences of shape "
                f"{expected}, got shape {x.shape}.{hint}"
            )
        if x.shape[1] == 0:
            raise ValueError(f"x: layer {self.label!r} needs at least one timestep, got shape {x.shape}.")
        if self.built and x.shape[2] != self.input_shape[-1]:
            raise ValueError(
                f"x: layer {self.label!r} was built for {self.input_shape[-1]} feature(s) per step, "
                f"input shape (batch, timesteps, {self.input_shape[-1]}), got shape {x.shape}."
            )
        if not self.built:  # built from a first batch: any sequence length is accepted afterwards
            self.build((None, x.shape[2]))
        return self._check_input(x)

    # --- forward and BPTT ---

    def _project(self, x):
        """p = x W (+ the input bias): every step's input contribution at once."""
        p = x @ self.params["kernel"]
        if self.use_bias:
            p = p + self._input_bias()
        return p

    def _input_bias(self):
        return self.params["bias"]

    def forward(self, x, training=False):
        """Run the cell over the sequence; returns the last h, every h, or [output, *states]."""
        x = self._check_sequences(x)
        p = self._project(x)
        batch, steps = x.shape[0], x.shape[1]
        dtype = p.dtype
        state = tuple(np.zeros((batch, self.units), dtype=dtype) for _ in range(self._n_states))
        outputs = np.empty((batch, steps, self.units), dtype=dtype)
        caches = []
        for t in range(steps):
            state, cache = self._step(p[:, t], state)
            caches.append(cache)
            outputs[:, t] = state[0]
        self._cache = (x, caches)
        output = outputs if self.return_sequences else state[0]
        if self.return_state:
            return [output, *state]
        return output

    def backward(self, dout, input_gradient=True):
        """BPTT: fills grads for kernel, recurrent_kernel and bias; returns dL/dx (batch, T, features).

        ``dout`` is dL/d(output): (batch, units), or (batch, timesteps, units) with
        ``return_sequences``; with ``return_state`` it may be a list [d output, d h(, d c)].
        """
        self._require_forward()
        x, caches = self._cache
        steps = len(caches)
        extra = ()
        if isinstance(dout, (list, tuple)):
            dout, extra = dout[0], tuple(dout[1:])
        dout = np.asarray(dout)
        expected = (x.shape[0], steps, self.units) if self.return_sequences else (x.shape[0], self.units)
        if dout.shape != expected:
            raise ValueError(f"dout: layer {self.label!r} expects a gradient of shape {expected}, got {dout.shape}.")
        dstate = [np.zeros((x.shape[0], self.units), dtype=dout.dtype) for _ in range(self._n_states)]
        for i, grad in enumerate(extra):
            if grad is not None:
                dstate[i] = dstate[i] + grad
        if not self.return_sequences:
            dstate[0] = dstate[0] + dout
        self._zero_recurrent_grads()
        dp = np.empty((x.shape[0], steps, self._gates * self.units), dtype=dout.dtype)
        for t in range(steps - 1, -1, -1):
            if self.return_sequences:
                dstate[0] = dstate[0] + dout[:, t]
            dp[:, t], dstate = self._step_backward(dstate, caches[t])
        flat_dp = dp.reshape(-1, dp.shape[-1])
        self.grads["kernel"] = x.reshape(-1, x.shape[-1]).T @ flat_dp
        if self.use_bias:
            self._input_bias_gradient(flat_dp.sum(axis=0))
        return dp @ self.params["kernel"].T if input_gradient else None

    def _zero_recurrent_grads(self):
        self.grads["recurrent_kernel"] = np.zeros_like(self.params["recurrent_kernel"])
        if self.use_bias:
            self.grads["bias"] = np.zeros_like(self.params["bias"])

    def _input_bias_gradient(self, dbias):
        self.grads["bias"] = dbias

    def _step(self, p_t, state):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _step_backward(self, dstate, cache):  # pragma: no cover
        raise NotImplementedError

    def __repr__(self):
        return (f"{type(self).__name__}(units={self.units}, return_sequences={self.return_sequences})")


class SimpleRNN(RNN):
    """The Elman cell: h_t = activation(x_t W + h_{t-1} U + b), as ``keras.layers.SimpleRNN``.

    Weights [kernel (features, units), recurrent_kernel (units, units), bias (units,)].
    BPTT (chapter 14): with dh_t the gradient arriving at h_t (from the output and from
    step t+1), da_t = dh_t * activation'(a_t); dU += h_{t-1}^T da_t; dh_{t-1} = da_t U^T.
    """

    def _step(self, p_t, state):
        h_prev = state[0]
        z = p_t + h_prev @ self.params["recurrent_kernel"]
        h = self.activation(z)
        return (h,), (h_prev, z, h)

    def _step_backward(self, dstate, cache):
        h_prev, z, h = cache
        dz = dstate[0] * _derivative(self.activation_name, z, h)
        self.grads["recurrent_kernel"] += h_prev.T @ dz
        return dz, [dz @ self.params["recurrent_kernel"].T]


class LSTM(RNN):
    """Long short-term memory (Hochreiter & Schmidhuber 1997; forget gate, Gers et al. 2000).

    As ``keras.layers.LSTM``: gates (i, f, c, o) side by side in kernel (features, 4 units),
    recurrent_kernel (units, 4 units) and bias (4 units,); ``unit_forget_bias=True`` starts
    the forget gate's bias at 1. Step: see ``lstm_step``. BPTT (chapter 14), with dh and dc
    arriving at step t: do = dh tanh(c); dc += dh o tanh'(c); di = dc g; dg = dc i;
    df = dc c_{t-1}; dc_{t-1} = dc f; each through its activation's derivative gives dz;
    dU += h_{t-1}^T dz; dh_{t-1} = dz U^T.
    """

    _gates = 4
    _n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 return_sequences=False, return_state=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 name=None):
        super().__init__(units, activation, use_bias, return_sequences, return_state, kernel_initializer,
                         recurrent_initializer, bias_initializer, name)
        self.recurrent_activation_name = activations.name_of(recurrent_activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = _check_bool(unit_forget_bias, "unit_forget_bias")

    def _initial_bias(self):
        if not self.unit_forget_bias:
            return super()._initial_bias()
        units = self.units
        parts = [self._initial(self.bias_initializer, (units,), "bias_initializer"),
                 np.ones(units),
                 self._initial(self.bias_initializer, (2 * units,), "bias_initializer")]
        return np.concatenate(parts).astype(parts[0].dtype)

    def _step(self, p_t, state):
        h_prev, c_prev = state
        z = p_t + h_prev @ self.params["recurrent_kernel"]
        z_i, z_f, z_c, z_o = _split(z, 4)
        gate, act = self.recurrent_activation, self.activation
        i, f, g, o = gate(z_i), gate(z_f), act(z_c), gate(z_o)
        c = f * c_prev + i * g
        tc = act(c)
        h = o * tc
        return (h, c), (h_prev, c_prev, z, i, f, g, o, c, tc)

    def _step_backward(self, dstate, cache):
        h_prev, c_prev, z, i, f, g, o, c, tc = cache
        dh, dc = dstate
        z_i, z_f, z_c, z_o = _split(z, 4)
        gate_name, act_name = self.recurrent_activation_name, self.activation_name
        do = dh * tc
        dc = dc + dh * o * _derivative(act_name, c, tc)
        dz = np.concatenate([dc * g * _derivative(gate_name, z_i, i),
                             dc * c_prev * _derivative(gate_name, z_f, f),
                             dc * i * _derivative(act_name, z_c, g),
                             do * _derivative(gate_name, z_o, o)], axis=-1)
        self.grads["recurrent_kernel"] += h_prev.T @ dz
        return dz, [dz @ self.params["recurrent_kernel"].T, dc * f]

    def __repr__(self):
        return f"LSTM(units={self.units}, return_sequences={self.return_sequences})"


class GRU(RNN):
    """Gated recurrent unit (Cho et al. 2014), as ``keras.layers.GRU``, gates (z, r, h).

    kernel (features, 3 units), recurrent_kernel (units, 3 units); with ``reset_after=True``
    (Keras's default) the bias is (2, 3 units): row 0 is added to x W, row 1 to h U, and the
    reset gate multiplies h U's candidate block after the product. With ``reset_after=False``
    the bias is (3 units,) and r multiplies h before U_h. Step: see ``gru_step``.
    BPTT (chapter 14): with dh arriving at h_t = z h_{t-1} + (1 - z) n:
    dz = dh (h_{t-1} - n), dn = dh (1 - z), dh_{t-1} = dh z + (the paths through the gates).
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 return_sequences=False, return_state=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", reset_after=True, name=None):
        super().__init__(units, activation, use_bias, return_sequences, return_state, kernel_initializer,
                         recurrent_initializer, bias_initializer, name)
        self.recurrent_activation_name = activations.name_of(recurrent_activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = _check_bool(reset_after, "reset_after")

    def _initial_bias(self):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        return self._initial(self.bias_initializer, shape, "bias_initializer")

    def _input_bias(self):
        return self.params["bias"][0] if self.reset_after else self.params["bias"]

    def _input_bias_gradient(self, dbias):
        if self.reset_after:
            self.grads["bias"][0] = dbias
        else:
            self.grads["bias"] = dbias

    def _step(self, p_t, state):
        h_prev = state[0]
        units, U = self.units, self.params["recurrent_kernel"]
        gate, act = self.recurrent_activation, self.activation
        x_z, x_r, x_h = _split(p_t, 3)
        if self.reset_after:
            u = h_prev @ U
            if self.use_bias:
                u = u + self.params["bias"][1]
            u_z, u_r, u_h = _split(u, 3)
            z, r = gate(x_z + u_z), gate(x_r + u_r)
            a_n = x_h + r * u_h
        else:
            u_zr = h_prev @ U[:, :2 * units]
            u_z, u_r = u_zr[:, :units], u_zr[:, units:]
            u_h = None
            z, r = gate(x_z + u_z), gate(x_r + u_r)
            a_n = x_h + (r * h_prev) @ U[:, 2 * units:]
        n = act(a_n)
        h = z * h_prev + (1.0 - z) * n
        return (h,), (h_prev, x_z + u_z, x_r + u_r, a_n, z, r, n, u_h)

    def _step_backward(self, dstate, cache):
        h_prev, a_z, a_r, a_n, z, r, n, u_h = cache
        units, U = self.units, self.params["recurrent_kernel"]
        gate_name, act_name = self.recurrent_activation_name, self.activation_name
        dh = dstate[0]
        dh_prev = dh * z
        dz = dh * (h_prev - n) * _derivative(gate_name, a_z, z)
        dn = dh * (1.0 - z) * _derivative(act_name, a_n, n)
        if self.reset_after:
            dr = dn * u_h * _derivative(gate_name, a_r, r)
            du = np.concatenate([dz, dr, dn * r], axis=-1)  # dL/d(h U + b_rec)
            self.grads["recurrent_kernel"] += h_prev.T @ du
            if self.use_bias:
                self.grads["bias"][1] += du.sum(axis=0)
            dh_prev = dh_prev + du @ U.T
        else:
            drh = dn @ U[:, 2 * units:].T          # dL/d(r * h_prev)
            dr = drh * h_prev * _derivative(gate_name, a_r, r)
            dzr = np.concatenate([dz, dr], axis=-1)
            self.grads["recurrent_kernel"][:, :2 * units] += h_prev.T @ dzr
            self.grads["recurrent_kernel"][:, 2 * units:] += (r * h_prev).T @ dn
            dh_prev = dh_prev + drh * r + dzr @ U[:, :2 * units].T
        return np.concatenate([dz, dr, dn], axis=-1), [dh_prev]

    def __repr__(self):
        return f"GRU(units={self.units}, reset_after={self.reset_after}, return_sequences={self.return_sequences})"
