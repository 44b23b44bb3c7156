"""Tests for nnlib.hopfield: Hebbian storage, recall, energy and capacity (chapter 11)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import datasets, hopfield
from nnlib.hopfield import HopfieldNetwork


def letter_states():
    x, _, names = datasets.letters()
    return hopfield.to_bipolar(x), names


def outer_product_weights(patterns):
    """Hebb's rule written as the double loop of its definition, independently of the library."""
    n_patterns, n_neurons = patterns.shape
    W = np.zeros((n_neurons, n_neurons))
    for i in range(n_neurons):
        for j in range(n_neurons):
            if i != j:
                W[i, j] = sum(patterns[mu, i] * patterns[mu, j] for mu in range(n_patterns)) / n_neurons
    return W


# --- storing -------------------------------------------------------------------------------------

def test_hebbian_weights_match_the_definition_and_are_symmetric_with_zero_diagonal():
    patterns = hopfield.random_patterns(4, 12, seed=3)
    W = hopfield.hebbian_weights(patterns)
    np.testing.assert_allclose(W, outer_product_weights(patterns), atol=1e-12)
    np.testing.assert_array_equal(W, W.T)
    np.testing.assert_array_equal(np.diag(W), 0.0)


def test_train_stores_the_patterns_and_replaces_earlier_ones():
    first, second = hopfield.random_patterns(3, 20, seed=0), hopfield.random_patterns(2, 20, seed=1)
    network = HopfieldNetwork(20).train(first).train(second)
    np.testing.assert_array_equal(network.patterns, second)
    np.testing.assert_allclose(network.W, hopfield.hebbian_weights(second))


def test_bipolar_and_binary_conversions_invert_each_other():
    x, _, _ = datasets.letters()
    s = hopfield.to_bipolar(x)
    assert set(np.unique(s)) == {-1.0, 1.0}
    np.testing.assert_array_equal(hopfield.to_binary(s), x)


def test_overlap_counts_differing_entries():
    a = np.ones(10)
    b = a.copy()
    b[:3] = -1
    assert hopfield.overlap(a, b) == pytest.approx(1 - 2 * 3 / 10)
    assert hopfield.overlap(a, -a) == -1.0


# --- recall --------------------------------------------------------------------------------------

def test_stored_letters_are_stable_states():
    states, _ = letter_states()
    network = HopfieldNetwork(30).train(states)
    result = network.recall(states)
    np.testing.assert_array_equal(result.state, states)
    assert result.converged.all() and result.sweeps == 1


@pytest.mark.parametrize("letter", [0, 1, 2])
@pytest.mark.parametrize("seed", range(10))
def test_letters_are_recalled_from_copies_with_one_flipped_pixel(letter, seed):
    states, _ = letter_states()
    network = HopfieldNetwork(30).train(states)
    noisy = hopfield.corrupt(states[letter], 1, seed=seed)
    result = network.recall(noisy, seed=seed)
    assert result.converged
    np.testing.assert_array_equal(result.state, states[letter])


def test_letters_are_mostly_recalled_from_copies_with_three_flipped_pixels():
    states, _ = letter_states()
    network = HopfieldNetwork(30).train(states)
    recalled = []
    for seed in range(40):
        result = network.recall(hopfield.corrupt(states, 3, seed=seed), seed=seed)
        recalled.append(np.all(result.state == states, axis=1))
    rate = np.mean(recalled, axis=0)
    assert rate[0] == 1.0 and rate[2] == 1.0     # A and C: every time
    assert 0.75 <= rate[1] < 1.0                  # B is close to C (overlap 2/3) and sometimes falls into it


def test_a_corrupted_b_can_fall_into_c_because_they_are_correlated():
    states, _ = letter_states()
    assert hopfield.overlap(states[1], states[2]) == pytest.approx(2 / 3)
    differing = np.flatnonzero(states[1] != states[2])   # the 5 pixels that tell B from C
    b_made_like_c = states[1].copy()
    b_made_like_c[differing[:3]] *= -1                   # 3 of the 5: now closer to C than to B
    result = HopfieldNetwork(30).train(states).recall(b_made_like_c)
    np.testing.assert_array_equal(result.state, states[2])


def test_the_starting_state_is_not_modified():
    states, _ = letter_states()
    noisy = hopfield.corrupt(states, 4, seed=0)
    before = noisy.copy()
    HopfieldNetwork(30).train(states).recall(noisy)
    np.testing.assert_array_equal(noisy, before)


def test_recall_is_deterministic_for_a_seed():
    patterns = hopfield.random_patterns(10, 60, seed=0)
    start = hopfield.corrupt(patterns, 12, seed=1)
    network = HopfieldNetwork(60).train(patterns)
    first, second = network.recall(start, seed=5), network.recall(start, seed=5)
    np.testing.assert_array_equal(first.state, second.state)
    np.testing.assert_array_equal(first.trajectory, second.trajectory)


def test_batch_recall_equals_recalling_each_row_alone():
    patterns = hopfield.random_patterns(8, 50, seed=2)
    start = hopfield.corrupt(patterns, 10, seed=3)
    network = HopfieldNetwork(50).train(patterns)
    batch = network.recall(start, seed=7)
    for row in range(len(start)):
        alone = network.recall(start[row], seed=7)
        np.testing.assert_array_equal(batch.state[row], alone.state)
        assert batch.converged[row] == alone.converged


def test_async_trajectory_flips_one_neuron_per_entry_and_ends_in_the_final_state():
    states, _ = letter_states()
    result = HopfieldNetwork(30).train(states).recall(hopfield.corrupt(states[0], 4, seed=2), seed=2)
    differences = np.sum(result.trajectory[1:] != result.trajectory[:-1], axis=1)
    np.testing.assert_array_equal(differences, 1)
    np.testing.assert_array_equal(result.trajectory[-1], result.state)
    assert len(result.energies) == len(result.trajectory)


def test_record_trajectory_false_keeps_only_the_start_and_end_energies():
    patterns = hopfield.random_patterns(5, 40, seed=0)
    start = hopfield.corrupt(patterns, 6, seed=0)
    network = HopfieldNetwork(40).train(patterns)
    full, lean = network.recall(start, seed=1), network.recall(start, seed=1, record_trajectory=False)
    assert lean.trajectory is None and lean.energies.shape == (2, 5)
    np.testing.assert_array_equal(full.state, lean.state)
    np.testing.assert_allclose(lean.energies, full.energies[[0, -1]])


# --- energy --------------------------------------------------------------------------------------

def test_energy_matches_the_double_sum():
    patterns = hopfield.random_patterns(3, 15, seed=4)
    W = hopfield.hebbian_weights(patterns)
    s = hopfield.random_patterns(1, 15, seed=5)[0]
    double_sum = -0.5 * sum(W[i, j] * s[i] * s[j] for i in range(15) for j in range(15))
    assert hopfield.energy(W, s) == pytest.approx(double_sum)
    np.testing.assert_allclose(hopfield.energy(W, np.stack([s, -s])), [double_sum, double_sum])


@settings(max_examples=40, deadline=None)
@given(n_neurons=st.integers(5, 60), n_patterns=st.integers(1, 15), n_flips=st.integers(0, 5),
       seed=st.integers(0, 10_000))
def test_energy_never_increases_under_asynchronous_updates(n_neurons, n_patterns, n_flips, seed):
    patterns = hopfield.random_patterns(n_patterns, n_neurons, seed=seed)
    start = hopfield.corrupt(patterns, min(n_flips, n_neurons), seed=seed + 1)
    result = HopfieldNetwork(n_neurons).train(patterns).recall(start, seed=seed + 2)
    assert np.all(np.diff(result.energies, axis=0) <= 1e-12)
    # Each single flip of neuron i lowers the energy by exactly 2 |h_i| > 0 (or leaves a row alone).
    assert np.all(result.converged)


def test_synchronous_updates_can_oscillate_where_asynchronous_ones_settle():
    network = HopfieldNetwork(2).train([[1.0, -1.0]])     # W = [[0, -1/2], [-1/2, 0]]
    sync = network.recall([1.0, 1.0], mode="sync", max_sweeps=10)
    assert not sync.converged and sync.sweeps == 10
    np.testing.assert_array_equal(sync.trajectory[:3], [[1, 1], [-1, -1], [1, 1]])
    settled = network.recall([1.0, 1.0], mode="async")
    assert settled.converged
    assert abs(hopfield.overlap(settled.state, [1.0, -1.0])) == 1.0


def test_synchronous_recall_restores_a_lightly_corrupted_pattern():
    patterns = hopfield.random_patterns(3, 100, seed=0)
    result = HopfieldNetwork(100).train(patterns).recall(hopfield.corrupt(patterns, 5, seed=1), mode="sync")
    np.testing.assert_array_equal(result.state, patterns)


# --- capacity ------------------------------------------------------------------------------------

def test_recall_succeeds_well_below_capacity_and_fails_far_above_it():
    result = hopfield.capacity_experiment(n_neurons=100, pattern_counts=[5, 50], n_trials=4, n_flips=5, seed=0)
    np.testing.assert_array_equal(result.pattern_counts, [5, 50])
    below, above = result.success_rate
    assert 50 > 3 * hopfield.CAPACITY_RATIO * 100 and 5 < 0.5 * hopfield.CAPACITY_RATIO * 100
    assert below == 1.0 and result.exact_rate[0] == 1.0
    assert above < 0.1
    assert result.mean_overlap[1] < 0.7


def test_capacity_experiment_is_reproducible_and_exact_rate_is_the_stricter_measure():
    kwargs = dict(n_neurons=40, pattern_counts=range(2, 13, 2), n_trials=3, n_flips=2, seed=11)
    first, second = hopfield.capacity_experiment(**kwargs), hopfield.capacity_experiment(**kwargs)
    np.testing.assert_array_equal(first.success_rate, second.success_rate)
    assert np.all(first.exact_rate <= first.success_rate)
    assert first.success_rate[0] > first.success_rate[-1]


# --- bad input -----------------------------------------------------------------------------------

def test_zero_one_pixels_are_rejected_with_a_hint_to_convert():
    x, _, _ = datasets.letters()
    with pytest.raises(ValueError, match=r"patterns: expected states that are -1 or \+1.*to_bipolar"):
        HopfieldNetwork(30).train(x)


@pytest.mark.parametrize("call, message", [
    (lambda: HopfieldNetwork(1), "n_neurons: expected an integer >= 2"),
    (lambda: HopfieldNetwork(3.5), "n_neurons"),
    (lambda: HopfieldNetwork(4).train(np.ones((2, 5))), r"patterns: expected shape \(n_patterns, 4\)"),
    (lambda: HopfieldNetwork(4).train(np.ones((2, 2, 4))), r"patterns: expected shape"),
    (lambda: HopfieldNetwork(4).train([[1, -1, 2, 1]]), r"patterns: expected states that are -1 or \+1"),
    (lambda: HopfieldNetwork(4).train([]), "patterns: expected at least one"),
    (lambda: HopfieldNetwork(4).recall([1, 1, 1, 1]), "no patterns yet"),
    (lambda: HopfieldNetwork(4).train(np.ones(4)).recall([1, 1, 1]), r"state: expected shape \(4,\)"),
    (lambda: HopfieldNetwork(4).train(np.ones(4)).recall([1, 0, 1, 1]), "state: expected states"),
    (lambda: HopfieldNetwork(4).train(np.ones(4)).recall(np.ones(4), mode="parallel"), "mode: expected 'async'"),
    (lambda: HopfieldNetwork(4).train(np.ones(4)).recall(np.ones(4), max_sweeps=0), "max_sweeps"),
    (lambda: hopfield.energy(np.ones((3, 4)), np.ones(4)), r"W: expected a square"),
    (lambda: hopfield.energy(np.zeros((3, 3)), np.ones(4)), r"states: expected shape \(3,\)"),
    (lambda: hopfield.corrupt(np.ones(4), 5), "n_flips: expected an integer from 0 to 4"),
    (lambda: hopfield.to_bipolar([0, 2]), "x: expected pixels that are 0 or 1"),
    (lambda: hopfield.overlap(np.ones(3), np.ones(4)), "b: expected vectors of the same length"),
    (lambda: hopfield.random_patterns(0, 10), "n_patterns"),
    (lambda: hopfield.capacity_experiment(pattern_counts=[]), "pattern_counts: expected at least one"),
    (lambda: hopfield.capacity_experiment(pattern_counts=[0]), "pattern_counts: expected an integer >= 1"),
    (lambda: hopfield.capacity_experiment(min_overlap=2.0), "min_overlap"),
    (lambda: hopfield.capacity_experiment(mode="random"), "mode"),
])
def test_bad_input_raises_a_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
