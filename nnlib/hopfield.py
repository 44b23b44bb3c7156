"""Hopfield networks: a memory that completes a pattern from a damaged copy.

Derived in chapter 11, A tour of architectures.

A Hopfield network has ``N`` binary neurons with states ``s_i`` in {-1, +1}, every neuron connected
to every other one by a symmetric weight ``W[i, j] = W[j, i]`` and to itself by nothing
(``W[i, i] = 0``). There are no layers, no inputs and outputs apart from the state itself, and no
gradient descent:

- **Storing** ``P`` patterns ``xi^1, ..., xi^P`` (rows of a (P, N) array of -1/+1) uses Hebb's rule,
  "neurons that are on together get a stronger connection":

      W = (1 / N) * sum_mu outer(xi^mu, xi^mu),   then   W[i, i] = 0;

  in matrix form ``W = Xi.T @ Xi / N`` with the diagonal set to zero.
- **Recalling** starts from a state ``s`` (for example a corrupted pattern) and lets neurons copy the
  sign of their *local field* ``h_i = sum_j W[i, j] s_j``:

      s_i <- +1 if h_i > 0,   -1 if h_i < 0,   unchanged if h_i = 0.

  *Asynchronously*, one neuron at a time in a random order (drawn from a seeded generator), or
  *synchronously*, all neurons at once.
- The **energy** ``E(s) = -1/2 * sum_ij W[i, j] s_i s_j = -1/2 * s @ W @ s`` never increases under
  asynchronous updates: flipping neuron ``i`` changes it by ``-2 |h_i| < 0``. So asynchronous
  recall always ends in a stable state (a local minimum of ``E``), ideally a stored pattern.
- The **capacity**: with random patterns, recall works while ``P`` stays below about ``0.138 N``
  (Amit, Gutfreund and Sompolinsky, 1985); :func:`capacity_experiment` measures it.

States are float64 arrays of -1.0 and +1.0; :func:`to_bipolar` and :func:`to_binary` convert from
and to the 0/1 pixels of :mod:`nnlib.datasets`. Every random choice comes from
``numpy.random.default_rng(seed)``.
"""
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CAPACITY_RATIO", "HopfieldNetwork", "RecallResult", "CapacityResult", "hebbian_weights", "energy",
    "overlap", "to_bipolar", "to_binary", "random_patterns", "corrupt", "capacity_experiment",
]

CAPACITY_RATIO = 0.138
"""Storable random patterns per neuron, P / N, for large N (Amit, Gutfreund and Sompolinsky, 1985)."""

TIE_TOLERANCE = 1e-9
"""A local field with ``|h_i| <= TIE_TOLERANCE`` counts as zero: the neuron keeps its state."""

_MODES = ("async", "sync")


# ---------------------------------------------------------------------------------------------
# Checks at the boundary
# ---------------------------------------------------------------------------------------------

def _check_bipolar(array, name):
    """A float64 copy of ``array``; raise unless every entry is -1 or +1."""
    try:
        values = np.array(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected numbers that are -1 or +1, got {type(array).__name__}.") from None
    if values.size == 0:
        raise ValueError(f"{name}: expected at least one -1/+1 value, got an empty array of shape {values.shape}.")
    wrong = values[(values != -1.0) & (values != 1.0)]
    if wrong.size:
        hint = " Use to_bipolar(x) to turn 0/1 pixels into -1/+1 states." if np.all(np.isin(values, (0.0, 1.0))) else ""
        raise ValueError(
            f"{name}: expected states that are -1 or +1, got {wrong.size} other value(s), "
            f"e.g. {np.unique(wrong)[:5].tolist()}.{hint}"
        )
    return values


def _check_int(value, name, low, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (high is not None and value > high):
        expected = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
        raise ValueError(f"{name}: expected {expected}, got {value!r}.")
    return int(value)


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError(f"mode: expected 'async' (one neuron at a time) or 'sync' (all at once), got {mode!r}.")


def _check_square_weights(W):
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square (N, N) weight matrix, got shape {W.shape}.")
    return W


# ---------------------------------------------------------------------------------------------
# Conversions and small helpers
# ---------------------------------------------------------------------------------------------

def to_bipolar(x):
    """0/1 pixels to -1/+1 states: ``s = 2 x - 1``, elementwise, any shape, float64.

    A glyph of :func:`nnlib.datasets.letters` (30 pixels) becomes a state of 30 neurons.
    """
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isin(x, (0.0, 1.0))):
        raise ValueError(f"x: expected pixels that are 0 or 1, got the values {np.unique(x)[:5].tolist()}.")
    return 2.0 * x - 1.0


def to_binary(s):
    """-1/+1 states to 0/1 pixels: ``x = (s + 1) / 2``, elementwise, any shape, float64."""
    return (_check_bipolar(s, "s") + 1.0) / 2.0


def overlap(a, b):
    """The overlap ``m = (1 / N) sum_i a_i b_i`` of -1/+1 vectors of length N, in [-1, 1].

    ``m = 1``: identical; ``m = -1``: each other's negative; ``m`` near 0: unrelated. Equal to
    ``1 - 2 d / N`` where ``d`` is the number of differing entries (the Hamming distance).
    ``a`` and ``b`` have shape (N,) or (n, N) (broadcast against each other); the result has the
    shape of the broadcast batch, e.g. (n,), or is a float for two single vectors.
    """
    a, b = _check_bipolar(a, "a"), _check_bipolar(b, "b")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"b: expected vectors of the same length as a ({a.shape[-1]}), got shape {b.shape}.")
    m = np.mean(a * b, axis=-1)
    return float(m) if np.ndim(m) == 0 else m


def random_patterns(n_patterns, n_neurons, seed=0):
    """``n_patterns`` random patterns of -1/+1, each entry +1 with probability 1/2: shape (P, N).

    Drawn with ``numpy.random.default_rng(seed)``. Such patterns are nearly uncorrelated: their
    overlaps are about ``+-1 / sqrt(N)``.
    """
    n_patterns = _check_int(n_patterns, "n_patterns", 1)
    n_neurons = _check_int(n_neurons, "n_neurons", 2)
    rng = np.random.default_rng(seed)
    return rng.choice(np.array([-1.0, 1.0]), size=(n_patterns, n_neurons))


def corrupt(patterns, n_flips, seed=0):
    """Copies of -1/+1 patterns with exactly ``n_flips`` distinct entries of each copy negated.

    ``patterns`` has shape (N,) or (n, N); the result has the same shape. The positions are drawn
    independently for each row with ``numpy.random.default_rng(seed)``.
    """
    patterns = _check_bipolar(patterns, "patterns")
    n_neurons = patterns.shape[-1]
    n_flips = _check_int(n_flips, "n_flips", 0, n_neurons)
    rng = np.random.default_rng(seed)
    copies = np.atleast_2d(patterns).copy()
    for row in copies:
        flipped = rng.choice(n_neurons, size=n_flips, replace=False)
        row[flipped] = -row[flipped]
    return copies.reshape(patterns.shape)


# ---------------------------------------------------------------------------------------------
# Storing and energy
# ---------------------------------------------------------------------------------------------

def hebbian_weights(patterns):
    """Hebb's rule: ``W = Xi.T @ Xi / N`` with a zero diagonal, i.e. ``W[i, j] = (1/N) sum_mu xi_i^mu xi_j^mu``.

    ``patterns`` (P, N) holds one -1/+1 pattern per row (a single (N,) pattern is accepted).
    Returns the symmetric (N, N) float64 weight matrix with ``W[i, i] = 0``.
    Derived in chapter 11, A tour of architectures.
    """
    patterns = np.atleast_2d(_check_bipolar(patterns, "patterns"))
    if patterns.ndim != 2:
        raise ValueError(f"patterns: expected a 2-D array of shape (n_patterns, n_neurons), got shape {patterns.shape}.")
    n_neurons = patterns.shape[1]
    if n_neurons < 2:
        raise ValueError(f"patterns: expected at least 2 neurons (columns), got shape {patterns.shape}.")
    W = patterns.T @ patterns / n_neurons
    np.fill_diagonal(W, 0.0)
    return W


def energy(W, states):
    """The Hopfield energy ``E(s) = -1/2 * s @ W @ s = -1/2 sum_ij W[i, j] s_i s_j``.

    ``W`` (N, N); ``states`` (N,) gives a float, (n, N) gives an array (n,) with one energy per row.
    Derived in chapter 11, A tour of architectures.
    """
    W = _check_square_weights(W)
    states = _check_bipolar(states, "states")
    if states.shape[-1] != W.shape[0] or states.ndim > 2:
        raise ValueError(f"states: expected shape ({W.shape[0]},) or (n, {W.shape[0]}), got shape {states.shape}.")
    return _energy(W, states)


def _energy(W, states):
    """``-1/2 * s @ W @ s`` for each row, without the checks (for states the network made itself)."""
    E = -0.5 * np.sum((states @ W) * states, axis=-1)
    return float(E) if np.ndim(E) == 0 else E


# ---------------------------------------------------------------------------------------------
# Recall
# ---------------------------------------------------------------------------------------------

@dataclass
class RecallResult:
    """What :meth:`HopfieldNetwork.recall` returns.

    - ``state``: the final state, same shape as the starting state ((N,) or (n, N));
    - ``converged``: True where a whole sweep (async) or step (sync) changed nothing, i.e. the state
      is stable; a bool, or a bool array (n,) for a batch;
    - ``sweeps``: sweeps (async: N single-neuron updates each) or steps (sync) that were run,
      the last, unchanging one included;
    - ``trajectory``: (k + 1, *state shape): the starting state, then the state after every update
      that changed something (async: one neuron flipped in at least one row; sync: one step);
      None when recall was called with ``record_trajectory=False``;
    - ``energies``: (k + 1,) or (k + 1, n): the energy of each trajectory entry; with
      ``record_trajectory=False``, only the energies of the start and of the final state, (2,) or (2, n).
    """

    state: np.ndarray
    converged: object
    sweeps: int
    trajectory: np.ndarray
    energies: np.ndarray


def _sign_keeping_ties(fields, current):
    """+1 where the field is positive, -1 where negative, the current state where it is (nearly) zero."""
    new = np.array(current, dtype=np.float64)
    new[fields > TIE_TOLERANCE] = 1.0
    new[fields < -TIE_TOLERANCE] = -1.0
    return new


def _async_sweep(W, states, order, trajectory):
    """Update the neurons one at a time in ``order``, every row of ``states`` (n, N) in place.

    Appends a copy of ``states`` to ``trajectory`` (a list, or None to record nothing) after each
    neuron update that changed a row. Returns a bool array (n,): which rows changed during the sweep.
    """
    changed = np.zeros(len(states), dtype=bool)
    for i in order:
        new = _sign_keeping_ties(states @ W[i], states[:, i])  # W is symmetric: row i = column i
        flipped = new != states[:, i]
        if flipped.any():
            states[:, i] = new
            changed |= flipped
            if trajectory is not None:
                trajectory.append(states.copy())
    return changed


def _sync_step(W, states, trajectory):
    """Update every neuron at once from the same old state: ``s <- sign(s @ W)`` (ties kept)."""
    new = _sign_keeping_ties(states @ W, states)
    changed = np.any(new != states, axis=1)
    if changed.any():
        states[:] = new
        if trajectory is not None:
            trajectory.append(states.copy())
    return changed


class HopfieldNetwork:
    """A Hopfield network of ``n_neurons`` binary (-1/+1) neurons with symmetric weights.

    ``train(patterns)`` stores patterns with Hebb's rule (:func:`hebbian_weights`);
    ``recall(state)`` lets a state settle; ``energy(state)`` evaluates ``-1/2 s @ W @ s``.
    ``W`` is the (N, N) weight matrix (zero until ``train`` is called) and ``patterns`` the
    stored (P, N) patterns. Derived in chapter 11, A tour of architectures.
    """

    def __init__(self, n_neurons):
        self.n_neurons = _check_int(n_neurons, "n_neurons", 2)
        self.W = np.zeros((self.n_neurons, self.n_neurons))
        self.patterns = np.zeros((0, self.n_neurons))

    def train(self, patterns):
        """Store the rows of ``patterns`` (P, N) of -1/+1, replacing what was stored. Returns self."""
        patterns = np.atleast_2d(_check_bipolar(patterns, "patterns"))
        if patterns.ndim != 2 or patterns.shape[1] != self.n_neurons:
            raise ValueError(
                f"patterns: expected shape (n_patterns, {self.n_neurons}) for {self.n_neurons} neurons, "
                f"got shape {patterns.shape}."
            )
        self.W = hebbian_weights(patterns)
        self.patterns = patterns
        return self

    def _check_state(self, state):
        state = _check_bipolar(state, "state")
        if state.ndim not in (1, 2) or state.shape[-1] != self.n_neurons:
            raise ValueError(
                f"state: expected shape ({self.n_neurons},) or (n, {self.n_neurons}) for {self.n_neurons} neurons, "
                f"got shape {state.shape}."
            )
        return state

    def energy(self, state):
        """``E(s) = -1/2 * s @ W @ s`` for a state (N,) (a float) or a batch (n, N) (an array (n,))."""
        return energy(self.W, self._check_state(state))

    def recall(self, state, mode="async", max_sweeps=100, seed=0, record_trajectory=True):
        """Let ``state`` (N,) or a batch (n, N) of -1/+1 settle; return a :class:`RecallResult`.

        ``mode="async"``: each sweep visits every neuron once, in an order drawn by
        ``numpy.random.default_rng(seed).permutation(N)`` (a new order per sweep, the same for every
        row of a batch), and sets ``s_i = sign(h_i)`` with ``h_i = sum_j W[i, j] s_j`` computed from the
        current state; the energy never increases. ``mode="sync"``: each step sets every neuron from
        the same old state, ``s = sign(W s)``; it can end in a 2-cycle instead of a stable state.
        A zero field keeps the neuron's state. Stops after a sweep (step) that changed no row, or
        after ``max_sweeps``. The starting state is not modified. ``seed`` is an int or a
        ``numpy.random.Generator``. ``record_trajectory=False`` skips keeping every intermediate state
        (faster for large batches).
        """
        _check_mode(mode)
        max_sweeps = _check_int(max_sweeps, "max_sweeps", 1)
        start = self._check_state(state)
        if len(self.patterns) == 0:
            raise ValueError("state: this network stores no patterns yet; call train(patterns) before recall.")
        states = np.atleast_2d(start).copy()
        trajectory = [states.copy()] if record_trajectory else None
        rng = np.random.default_rng(seed)
        for sweep in range(1, max_sweeps + 1):
            if mode == "async":
                changed = _async_sweep(self.W, states, rng.permutation(self.n_neurons), trajectory)
            else:
                changed = _sync_step(self.W, states, trajectory)
            if not changed.any():
                break
        visited = np.stack(trajectory) if record_trajectory else np.stack([np.atleast_2d(start), states])
        energies = _energy(self.W, visited.reshape(-1, self.n_neurons)).reshape(visited.shape[:2])
        trajectory = visited if record_trajectory else None
        converged = ~changed
        if start.ndim == 1:
            return RecallResult(states[0], bool(converged[0]), sweep,
                                None if trajectory is None else trajectory[:, 0], energies[:, 0])
        return RecallResult(states, converged, sweep, trajectory, energies)


# ---------------------------------------------------------------------------------------------
# Capacity
# ---------------------------------------------------------------------------------------------

@dataclass
class CapacityResult:
    """What :func:`capacity_experiment` returns; every array has one entry per pattern count.

    - ``pattern_counts`` (k,): the numbers P of stored patterns tried;
    - ``success_rate`` (k,): the fraction of stored patterns recalled with overlap >= ``min_overlap``;
    - ``exact_rate`` (k,): the fraction recalled exactly (overlap 1);
    - ``mean_overlap`` (k,): the mean overlap of the recalled state with the pattern it started from;
    - ``n_neurons``, ``n_trials``, ``n_flips``, ``min_overlap``: the settings used.
    """

    pattern_counts: np.ndarray
    success_rate: np.ndarray
    exact_rate: np.ndarray
    mean_overlap: np.ndarray
    n_neurons: int
    n_trials: int
    n_flips: int
    min_overlap: float


def capacity_experiment(n_neurons=100, pattern_counts=range(1, 41), n_trials=10, n_flips=5, min_overlap=0.9,
                        mode="async", max_sweeps=50, seed=0):
    """Measure how recall degrades as a network of ``n_neurons`` stores more random patterns.

    For each P in ``pattern_counts`` and each of ``n_trials`` trials: draw P random patterns
    (:func:`random_patterns`), store them, corrupt every stored pattern by ``n_flips`` flips
    (:func:`corrupt`), recall all P copies (:meth:`HopfieldNetwork.recall`, as one batch) and
    compare each result with the pattern it came from. A recall counts as a success when the
    overlap is at least ``min_overlap`` (0.9 means at most 5 % of the neurons wrong).
    All randomness comes from one ``numpy.random.default_rng(seed)``, so the result is reproducible.
    Theory for large N: recall breaks down near ``P = CAPACITY_RATIO * N``. Returns a
    :class:`CapacityResult`. Used in chapter 11, A tour of architectures.
    """
    n_neurons = _check_int(n_neurons, "n_neurons", 2)
    counts = list(np.atleast_1d(pattern_counts))
    if not counts:
        raise ValueError("pattern_counts: expected at least one number of patterns, got none.")
    counts = np.array([_check_int(p, "pattern_counts", 1) for p in counts], dtype=np.int64)
    n_trials = _check_int(n_trials, "n_trials", 1)
    n_flips = _check_int(n_flips, "n_flips", 0, n_neurons)
    if isinstance(min_overlap, bool) or not isinstance(min_overlap, (int, float, np.number)) or not -1 <= min_overlap <= 1:
        raise ValueError(f"min_overlap: expected a number from -1 to 1, got {min_overlap!r}.")
    _check_mode(mode)
    rng = np.random.default_rng(seed)
    success, exact, mean_m = [], [], []
    for p in counts:
        overlaps = []
        for _ in range(n_trials):
            patterns = random_patterns(int(p), n_neurons, seed=rng)
            network = HopfieldNetwork(n_neurons).train(patterns)
            start = corrupt(patterns, n_flips, seed=rng)
            result = network.recall(start, mode=mode, max_sweeps=max_sweeps, seed=rng, record_trajectory=False)
            overlaps.append(np.mean(result.state * patterns, axis=1))
        overlaps = np.concatenate(overlaps)
        success.append(np.mean(overlaps >= min_overlap - TIE_TOLERANCE))
        exact.append(np.mean(overlaps == 1.0))
        mean_m.append(np.mean(overlaps))
    return CapacityResult(counts, np.array(success), np.array(exact), np.array(mean_m), n_neurons, n_trials,
                          n_flips, float(min_overlap))
