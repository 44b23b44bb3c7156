"""A small reverse-mode automatic-differentiation engine over NumPy arrays.

Derived in chapter 8, Automatic differentiation.

A ``Tensor`` holds an array ``value`` and, after ``backward``, an array ``grad`` of
the same shape: the derivative of one scalar output with respect to that value.
Every operation on tensors returns a new tensor that remembers

- its parents (the tensors it was computed from), and
- a local backward rule: given dL/d(output), the derivative of the final output
  with respect to this operation's result, it returns dL/d(parent) for each parent.
  For ``c = a * b`` the rule is dL/da = dL/dc * b and dL/db = dL/dc * a, because
  d(a*b)/da = b and d(a*b)/db = a.

``backward`` sorts the graph so that every tensor comes after the tensors it was
computed from, then walks that order from the output back to the inputs, applying
each local rule once. That is reverse mode: one backward pass gives the derivative
of the output with respect to every input, whatever their number.

Broadcasting: when NumPy stretches an operand of shape (3,) to (4, 3) for an
addition, each of its entries is used 4 times, so its gradient is the sum of the 4
incoming gradients. ``_unbroadcast`` does that summing for every binary operation.

Example::

    >>> x1, x2, x3 = Tensor(1.0, name="x1"), Tensor(2.0, name="x2"), Tensor(3.0, name="x3")
    >>> z = (x1 + x2).sin() + x2 ** 2 * x3
    >>> z.backward()
    >>> x3.grad          # dz/dx3 = x2^2
    array(4.)
"""
import numbers

import numpy as np

from . import activations

__all__ = [
    "Tensor", "cross_entropy", "draw_graph", "graph_layout", "log_softmax", "mean_squared_error",
    "softmax", "zero_grad",
]


# --- helpers ------------------------------------------------------------------------------

def _unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting in the backward pass.

    Broadcasting adds leading axes and stretches axes of length 1. An operand
    stretched along an axis was used once per position on it, so its gradient is
    the sum of the gradient over that axis. Example: b of shape (3,) added to a
    (4, 3) batch gets grad.sum(axis=0), shape (3,).
    """
    grad = np.asarray(grad)
    extra_axes = grad.ndim - len(shape)
    if extra_axes > 0:
        grad = grad.sum(axis=tuple(range(extra_axes)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def _as_float_array(value, dtype=None):
    """``value`` as a new float array (float64 unless ``dtype`` names another float type)."""
    if isinstance(value, Tensor):
        raise ValueError("value: expected a number or an array of numbers, got a Tensor. "
                         "Use the tensor itself, or its .value array.")
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype: expected a float type such as float64 or float32, got {dtype}.")
    try:
        return np.array(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"value: expected a number or an array of numbers, got {type(value).__name__} "
                         f"{value!r:.60}.") from None


def _constant_label(array):
    return f"{array.item():g}" if array.size == 1 else f"const {array.shape}"


def _operand(other, like, symbol):
    """Turn the other operand of ``symbol`` into a Tensor; numbers and arrays become constants.

    A Python number takes the float type of the tensor it meets (``like``), as in NumPy.
    """
    if isinstance(other, Tensor):
        return other
    is_number = isinstance(other, (numbers.Real, np.number)) and not isinstance(other, (bool, np.bool_))
    if is_number or isinstance(other, (np.ndarray, list, tuple)):
        array = np.asarray(other)
        if array.dtype.kind in "iuf":                     # integers or floats, not strings or objects
            dtype = like.value.dtype if is_number or array.dtype.kind != "f" else array.dtype
            return Tensor(array, requires_grad=False, name=_constant_label(array), dtype=dtype)
    raise TypeError(f"unsupported operand for Tensor {symbol}: expected a Tensor, a number or a NumPy array of "
                    f"numbers, got {type(other).__name__} {other!r:.40}.")


def _normalize_axes(axis, ndim):
    """``axis`` (None, an int or a tuple of ints, negatives allowed) as a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(f"axis: expected None or axes in [{-ndim}, {ndim - 1}] for a tensor with {ndim} "
                             f"dimension(s), got {axis!r}.")
        normalized.append(int(a) % ndim)
    return tuple(sorted(set(normalized)))


def _expand_reduced(grad, shape, axes, keepdims):
    """Broadcast the gradient of a sum over ``axes`` back to the input's ``shape``."""
    if not keepdims:
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


def _from_operation(value, op, parents, backward):
    """The tensor an operation returns: its value, its op label, its parents and its local rule."""
    value = np.asarray(value)
    out = Tensor.__new__(Tensor)
    out.value = value
    out.grad = np.zeros_like(value)
    out.requires_grad = any(parent.requires_grad for parent in parents)
    out.name = None
    out._op = op
    out._parents = tuple(parents)
    out._backward = backward
    return out


def _topological_order(root):
    """Every tensor ``root`` depends on (and root itself), each listed after all of its parents.

    A depth-first search without recursion, so long chains of operations do not hit
    Python's recursion limit.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in reversed(node._parents):
            if id(parent) not in visited:
                stack.append((parent, False))
    return order


# --- the Tensor --------------------------------------------------------------------------

class Tensor:
    """An array in a computational graph: ``value``, ``grad`` and how it was computed.

    ``Tensor(value, requires_grad=True, name=None, dtype=None)`` copies ``value``
    into a float64 array (or ``dtype``, a float type). ``grad`` has the shape of
    ``value``, starts at zero, and ``backward`` adds dL/d(value) to it, so call
    ``zero_grad`` between training steps. Tensors with ``requires_grad=False`` are
    constants: gradients do not flow into them.

    Derived in chapter 8, Automatic differentiation.
    """

    # NumPy hands ``array + tensor`` back to Tensor.__radd__ instead of looping over the array.
    __array_ufunc__ = None

    def __init__(self, value, requires_grad=True, name=None, dtype=None):
        self.value = _as_float_array(value, dtype)
        self.grad = np.zeros_like(self.value)
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._op = None            # label of the operation that made this tensor; None for inputs
        self._parents = ()         # the tensors it was computed from
        self._backward = None      # dL/d(self) -> (dL/d(parent) for each parent)

    # --- description ---

    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def dtype(self):
        return self.value.dtype

    def item(self):
        """The value of a one-element tensor as a Python float."""
        if self.value.size != 1:
            raise ValueError(f"item: expected a tensor with one element, got shape {self.shape}.")
        return float(self.value.reshape(()))

    def __repr__(self):
        """``Tensor(value, shape=..., grad=..., op=..., name=...)``; arrays aligned as NumPy prints them."""
        indent = " " * len("Tensor(")

        def show(array, prefix):
            return np.array2string(array, precision=4, separator=", ", threshold=20, edgeitems=2, prefix=prefix)

        parts = [show(self.value, "Tensor(")]
        if self.ndim > 0:
            parts.append(f"shape={self.shape}")
        if self.requires_grad:
            parts.append("grad=" + show(self.grad, indent + "grad="))
        else:
            parts.append("requires_grad=False")
        if self._op is not None:
            parts.append(f"op={self._op!r}")
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self.dtype != np.float64:
            parts.append(f"dtype={self.dtype}")
        separator = ",\n" + indent if self.ndim > 1 else ", "
        return f"Tensor({separator.join(parts)})"

    # --- arithmetic: each operation computes its value and its local backward rule ---

    def __add__(self, other):
        """a + b, with broadcasting. Rule: d(a+b)/da = 1 and d(a+b)/db = 1."""
        a, b = self, _operand(other, self, "+")
        return _from_operation(a.value + b.value, "+", (a, b),
                               lambda g: (_unbroadcast(g, a.shape), _unbroadcast(g, b.shape)))

    def __radd__(self, other):
        return _operand(other, self, "+") + self

    def __sub__(self, other):
        """a - b, with broadcasting. Rule: d(a-b)/da = 1 and d(a-b)/db = -1."""
        a, b = self, _operand(other, self, "-")
        return _from_operation(a.value - b.value, "-", (a, b),
                               lambda g: (_unbroadcast(g, a.shape), _unbroadcast(-g, b.shape)))

    def __rsub__(self, other):
        return _operand(other, self, "-") - self

    def __mul__(self, other):
        """a * b elementwise, with broadcasting. Rule: d(a*b)/da = b and d(a*b)/db = a."""
        a, b = self, _operand(other, self, "*")
        return _from_operation(a.value * b.value, "*", (a, b),
                               lambda g: (_unbroadcast(g * b.value, a.shape), _unbroadcast(g * a.value, b.shape)))

    def __rmul__(self, other):
        return _operand(other, self, "*") * self

    def __truediv__(self, other):
        """a / b elementwise, with broadcasting. Rule: d(a/b)/da = 1/b and d(a/b)/db = -a/b^2."""
        a, b = self, _operand(other, self, "/")
        return _from_operation(a.value / b.value, "/", (a, b),
                               lambda g: (_unbroadcast(g / b.value, a.shape),
                                          _unbroadcast(-g * a.value / b.value ** 2, b.shape)))

    def __rtruediv__(self, other):
        return _operand(other, self, "/") / self

    def __pow__(self, exponent):
        """a ** p for a constant number p. Rule: d(a^p)/da = p a^(p-1)."""
        if isinstance(exponent, Tensor) or isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"unsupported operand for Tensor **: the exponent must be a constant number such as "
                            f"2 or 0.5, got {type(exponent).__name__}.")
        a, p = self, float(exponent)
        return _from_operation(a.value ** p, f"**{p:g}", (a,), lambda g: (g * p * a.value ** (p - 1.0),))

    def __rpow__(self, base):
        raise TypeError(f"unsupported operand for **: a {type(base).__name__} raised to a Tensor power is not "
                        f"supported; write b ** t as (t * np.log(b)).exp().")

    def __neg__(self):
        """-a. Rule: d(-a)/da = -1."""
        a = self
        return _from_operation(-a.value, "neg", (a,), lambda g: (-g,))

    def __matmul__(self, other):
        """Matrix product a @ b of 1-D and 2-D tensors, as NumPy defines it.

        Rule, for C = A @ B with A (n, k) and B (k, m): dL/dA = dL/dC @ B^T (n, k)
        and dL/dB = A^T @ dL/dC (k, m). A 1-D left operand is treated as one row
        (1, k), a 1-D right operand as one column (k, 1), and the results are
        reshaped back.
        """
        a, b = self, _operand(other, self, "@")
        return _matmul(a, b)

    def __rmatmul__(self, other):
        return _matmul(_operand(other, self, "@"), self)

    # --- elementwise functions ---

    def exp(self):
        """e^a elementwise. Rule: d(e^a)/da = e^a."""
        a, out_value = self, np.exp(self.value)
        return _from_operation(out_value, "exp", (a,), lambda g: (g * out_value,))

    def log(self):
        """Natural logarithm of a positive tensor. Rule: d(ln a)/da = 1/a."""
        a = self
        if np.any(a.value <= 0):
            raise ValueError(f"log: expected positive values, got a minimum of {a.value.min():.6g}.")
        return _from_operation(np.log(a.value), "log", (a,), lambda g: (g / a.value,))

    def sin(self):
        """sin(a) elementwise. Rule: d(sin a)/da = cos a."""
        a = self
        return _from_operation(np.sin(a.value), "sin", (a,), lambda g: (g * np.cos(a.value),))

    def cos(self):
        """cos(a) elementwise. Rule: d(cos a)/da = -sin a."""
        a = self
        return _from_operation(np.cos(a.value), "cos", (a,), lambda g: (-g * np.sin(a.value),))

    def tanh(self):
        """tanh(a) elementwise. Rule: d(tanh a)/da = 1 - tanh(a)^2 (chapter 2)."""
        a, t = self, np.tanh(self.value)
        return _from_operation(t, "tanh", (a,), lambda g: (g * (1.0 - t * t),))

    def sigmoid(self):
        """sigma(a) = 1 / (1 + e^-a), computed stably. Rule: d(sigma a)/da = sigma(a) (1 - sigma(a))."""
        a, s = self, activations.sigmoid(self.value)
        return _from_operation(s, "sigmoid", (a,), lambda g: (g * s * (1.0 - s),))

    def relu(self):
        """max(0, a) elementwise. Rule: d(relu a)/da = 1 where a > 0, else 0."""
        a = self
        return _from_operation(np.maximum(a.value, 0.0), "relu", (a,), lambda g: (g * (a.value > 0),))

    # --- reductions and shape ---

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (all axes by default). Rule: d(sum_i a_i)/da_j = 1, so the
        gradient is copied back to every summed entry."""
        a, axes = self, _normalize_axes(axis, self.ndim)
        out_value = a.value.sum(axis=axes, keepdims=keepdims)
        return _from_operation(out_value, _reduction_label("sum", axis), (a,),
                               lambda g: (_expand_reduced(g, a.shape, axes, keepdims),))

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (all axes by default). Rule: d(mean)/da_j = 1/n, with n the
        number of entries averaged."""
        a, axes = self, _normalize_axes(axis, self.ndim)
        count = int(np.prod([a.shape[i] for i in axes])) if axes else 1
        out_value = a.value.mean(axis=axes, keepdims=keepdims) if axes else a.value.copy()
        return _from_operation(out_value, _reduction_label("mean", axis), (a,),
                               lambda g: (_expand_reduced(g, a.shape, axes, keepdims) / count,))

    def reshape(self, *shape):
        """The same entries in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``.
        Rule: the gradient is reshaped back to the input's shape."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        a = self
        try:
            out_value = a.value.reshape(shape)
        except (TypeError, ValueError):
            raise ValueError(f"shape: cannot reshape a tensor of shape {a.shape} ({a.value.size} entries) "
                             f"into {shape}.") from None
        return _from_operation(out_value, "reshape", (a,), lambda g: (g.reshape(a.shape),))

    @property
    def T(self):
        """The transpose (axes reversed). Rule: the gradient is transposed back."""
        a = self
        return _from_operation(a.value.T, "T", (a,), lambda g: (g.T,))

    # --- backward pass ---

    def backward(self, grad=None):
        """Add dL/d(v) to ``v.grad`` for every tensor v this tensor depends on (L = this tensor).

        For a scalar (one-element) tensor the pass starts from dL/dL = 1. For any
        other shape, pass ``grad``: the gradient of some scalar with respect to this
        tensor, an array of its shape. Local rules are applied once each, in reverse
        topological order; a tensor used several times receives the sum of the
        gradients from all its uses.
        """
        seed = self._seed_gradient(grad)
        if not self.requires_grad:
            raise ValueError("backward: this tensor depends on no tensor with requires_grad=True, "
                             "so there is no gradient to compute.")
        pending = {id(self): seed}
        for node in reversed(_topological_order(self)):
            g = pending.pop(id(node), None)
            if g is None:
                continue
            node.grad += g
            if node._backward is None:
                continue
            for parent, parent_grad in zip(node._parents, node._backward(g)):
                if parent.requires_grad:
                    key = id(parent)
                    pending[key] = parent_grad if key not in pending else pending[key] + parent_grad

    def _seed_gradient(self, grad):
        if grad is None:
            if self.value.size != 1:
                raise ValueError(
                    f"grad: backward() without grad needs a scalar output, but this tensor has shape "
                    f"{self.shape}. Reduce it first (for example .sum() or .mean()), or pass grad=, an array "
                    f"of shape {self.shape} holding dL/d(this tensor)."
                )
            return np.ones_like(self.value)
        grad = np.asarray(grad.value if isinstance(grad, Tensor) else grad, dtype=self.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"grad: expected an array of the tensor's shape {self.shape}, got shape {grad.shape}.")
        return grad

    def zero_grad(self):
        """Set ``grad`` back to zeros (gradients accumulate across ``backward`` calls)."""
        self.grad = np.zeros_like(self.value)


def _reduction_label(name, axis):
    return name if axis is None else f"{name}(axis={axis})"


def _matmul(a, b):
    """a @ b for 1-D and 2-D tensors; the rule is in ``Tensor.__matmul__``."""
    if a.ndim not in (1, 2) or b.ndim not in (1, 2):
        raise ValueError(f"@: expected 1-D or 2-D tensors, got shapes {a.shape} and {b.shape}.")
    if a.shape[-1] != b.shape[0]:
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} do not fit: the last axis of the left operand has "
            f"{a.shape[-1]} entries, the first axis of the right operand has {b.shape[0]}."
        )
    a_matrix = a.value.reshape(1, -1) if a.ndim == 1 else a.value          # (n, k)
    b_matrix = b.value.reshape(-1, 1) if b.ndim == 1 else b.value          # (k, m)

    def backward(g):
        g_matrix = np.reshape(g, (a_matrix.shape[0], b_matrix.shape[1]))   # (n, m)
        return (g_matrix @ b_matrix.T).reshape(a.shape), (a_matrix.T @ g_matrix).reshape(b.shape)

    return _from_operation(a.value @ b.value, "@", (a, b), backward)


# --- functions of tensors ----------------------------------------------------------------

def log_softmax(t, axis=-1):
    """log softmax(t) along ``axis``: t_i - m - log sum_j exp(t_j - m), with m = max_j t_j.

    Subtracting m keeps every exponent <= 0 (no overflow, chapter 2). Rule, with
    s = softmax(t): dL/dt_i = g_i - s_i sum_j g_j, where g = dL/d(log softmax).
    """
    a = t if isinstance(t, Tensor) else Tensor(t, requires_grad=False)
    shifted = a.value - a.value.max(axis=axis, keepdims=True)
    out_value = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    s = np.exp(out_value)
    return _from_operation(out_value, "log_softmax", (a,),
                           lambda g: (g - s * g.sum(axis=axis, keepdims=True),))


def softmax(t, axis=-1):
    """softmax(t)_i = exp(t_i - m) / sum_j exp(t_j - m) along ``axis``, m = max_j t_j.

    Rule (the softmax Jacobian of chapter 6 applied to g = dL/ds without forming it):
    dL/dt_i = s_i (g_i - sum_j g_j s_j).
    """
    a = t if isinstance(t, Tensor) else Tensor(t, requires_grad=False)
    shifted = a.value - a.value.max(axis=axis, keepdims=True)
    exp_shifted = np.exp(shifted)
    s = exp_shifted / exp_shifted.sum(axis=axis, keepdims=True)
    return _from_operation(s, "softmax", (a,), lambda g: (s * (g - (g * s).sum(axis=axis, keepdims=True)),))


def cross_entropy(y_true, logits):
    """Mean categorical cross-entropy of scores ``logits`` (n_samples, n_classes): a scalar Tensor.

    L = -(1/n) sum_i log softmax(logits_i)[y_i]. ``y_true`` holds integer class labels,
    shape (n_samples,), or one-hot rows, shape (n_samples, n_classes). Same number as
    ``nnlib.losses.sparse_categorical_crossentropy(y, logits, from_logits=True).mean()``
    (chapter 4); its gradient for the logits is (softmax - one_hot) / n (chapter 6).
    """
    if not isinstance(logits, Tensor):
        raise ValueError(f"logits: expected a Tensor of shape (n_samples, n_classes), got {type(logits).__name__}.")
    if logits.ndim != 2:
        raise ValueError(f"logits: expected shape (n_samples, n_classes), got shape {logits.shape}.")
    n_samples, n_classes = logits.shape
    y_true = np.asarray(y_true)
    if y_true.ndim == 1:
        valid_labels = np.all(np.mod(y_true, 1) == 0) and np.all((y_true >= 0) & (y_true < n_classes))
        if len(y_true) != n_samples or not valid_labels:
            raise ValueError(f"y_true: expected {n_samples} integer labels in 0..{n_classes - 1}, got shape "
                             f"{y_true.shape} with values {np.unique(y_true)[:10]}.")
        one_hot = np.eye(n_classes, dtype=logits.dtype)[y_true.astype(int)]
    elif y_true.shape == logits.shape:
        one_hot = y_true.astype(logits.dtype)
    else:
        raise ValueError(f"y_true: expected labels of shape ({n_samples},) or one-hot rows of shape "
                         f"{logits.shape}, got shape {y_true.shape}.")
    return -(log_softmax(logits, axis=1) * one_hot).sum(axis=1).mean()


def mean_squared_error(y_true, y_pred):
    """Mean of (y_pred - y_true)^2 over every entry: a scalar Tensor.

    Same number as the batch mean of ``nnlib.losses.mean_squared_error`` (chapter 4),
    whose per-sample value is already a mean over the outputs.
    """
    if not isinstance(y_pred, Tensor):
        raise ValueError(f"y_pred: expected a Tensor, got {type(y_pred).__name__}.")
    y_true_value = y_true.value if isinstance(y_true, Tensor) else np.asarray(y_true)
    if y_true_value.shape != y_pred.shape:
        raise ValueError(f"y_true: expected the shape of y_pred {y_pred.shape}, got {y_true_value.shape}.")
    return ((y_pred - y_true) ** 2).mean()


def zero_grad(tensors):
    """Set ``grad`` to zeros for every tensor in ``tensors`` (for example a list of weights)."""
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise ValueError(f"tensors: expected Tensors, got a {type(tensor).__name__}.")
        tensor.zero_grad()


# --- drawing the graph -------------------------------------------------------------------

def graph_layout(t):
    """Positions for drawing the graph of ``t``: a list of (tensor, (x, y)) pairs and a list of edges.

    x is the node's depth: 0 for inputs, 1 + the largest depth of its parents for
    an operation; a constant sits one column left of its first use. Within a column,
    nodes are ordered by the mean height of their parents (fewer crossing arrows) and
    centred on y = 0. Edges are (parent index, child index) pairs into the node list.
    """
    if not isinstance(t, Tensor):
        raise ValueError(f"t: expected a Tensor, got {type(t).__name__}.")
    nodes = _topological_order(t)
    index = {id(node): i for i, node in enumerate(nodes)}
    depth = [0] * len(nodes)
    for i, node in enumerate(nodes):
        if node._parents:
            depth[i] = 1 + max(depth[index[id(p)]] for p in node._parents)
    edges = [(index[id(p)], i) for i, node in enumerate(nodes) for p in node._parents]
    for i, node in enumerate(nodes):
        if not node._parents and not node.requires_grad:
            depth[i] = max(0, min((depth[child] for parent, child in edges if parent == i), default=1) - 1)
    height = [0.0] * len(nodes)
    for column in range(max(depth) + 1):
        members = [i for i in range(len(nodes)) if depth[i] == column]
        if column > 0:
            members.sort(key=lambda i: -np.mean([height[p] for p, c in edges if c == i] or [0.0]))
        for rank, i in enumerate(members):
            height[i] = (len(members) - 1) / 2.0 - rank
    positions = [(node, (float(depth[i]), height[i])) for i, node in enumerate(nodes)]
    return positions, edges


def _node_label(node, show_grad=True):
    if node._op is None:
        title = node.name or ("input" if node.requires_grad else "constant")
    else:
        title = f"{node.name} = {node._op}" if node.name else node._op
    if node.value.size == 1:
        lines = [title, f"value {node.value.item():.4g}"]
        if node.requires_grad and show_grad:
            lines.append(f"grad {node.grad.item():.4g}")
    else:
        lines = [title, f"shape {node.shape}"]
        if node.requires_grad and show_grad:
            lines.append(f"|grad| {np.linalg.norm(node.grad):.4g}")
    return "\n".join(lines)


def _node_colour(node, is_output):
    if is_output:
        return "#c7e9c0"      # green: the output
    if node._op is None:
        return "#c6dbef" if node.requires_grad else "#e0e0e0"  # blue: inputs, grey: constants
    return "#fdd0a2"          # orange: operations


def draw_graph(t, ax=None, title="Computational graph", show_grad=True):
    """Draw the computational graph of ``t`` with Matplotlib and return the figure.

    Inputs on the left, the output on the right, one column per depth (see
    ``graph_layout``). Each node is one text box showing its name or operation,
    its value (or shape) and, unless ``show_grad=False``, its gradient (the
    gradient's norm for arrays); arrows run from each operation's inputs to its
    result. Blue boxes are inputs, grey constants, orange operations, green the output.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    positions, edges = graph_layout(t)
    n_columns = int(max(x for _, (x, _) in positions)) + 1
    n_rows = max(sum(1 for _, (x, _) in positions if x == column) for column in range(n_columns))
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4.0, 1.9 * n_columns + 0.4), max(2.5, 0.95 * n_rows + 0.9)))
    texts = []
    for node, (x, y) in positions:
        texts.append(ax.text(x, y, _node_label(node, show_grad), ha="center", va="center", fontsize=8, zorder=3,
                             bbox=dict(boxstyle="round,pad=0.4", facecolor=_node_colour(node, node is t),
                                       edgecolor="0.35")))
    for number, (parent, child) in enumerate(edges):
        # An operand used twice (x * x) gets a second, curved arrow.
        curve = 0.3 if (parent, child) in edges[:number] else 0.0
        # Drawn above the boxes (zorder 4) so each box is placed before the arrow is clipped to its edge.
        ax.add_patch(FancyArrowPatch(positions[parent][1], positions[child][1], arrowstyle="-|>",
                                     connectionstyle=f"arc3,rad={curve}", mutation_scale=11, color="0.3",
                                     linewidth=1.0, zorder=4, patchA=texts[parent].get_bbox_patch(),
                                     patchB=texts[child].get_bbox_patch()))
    ax.set_xlim(-0.6, n_columns - 0.4)
    ax.set_ylim(-n_rows / 2.0, n_rows / 2.0)
    ax.set_title(title)
    ax.axis("off")
    return ax.figure
