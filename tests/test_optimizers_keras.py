"""AdamW, amsgrad, weight decay, gradient clipping and learning-rate schedules against Keras 3 (JAX).

Each case applies the same gradient sequence (entries from 3 down to 1e-7, large enough that
clipping acts) for STEPS >= 3 updates on both sides (one Adam step from zero moments cannot see
beta_1) and compares the parameters after every step: float32 within 1e-5 in this process, and
float64 within 1e-9 in a subprocess with JAX's 64-bit mode on (``JAX_ENABLE_X64=1`` must be set
before JAX is imported, so it cannot share this process). Run this file as a script
(``python tests/test_optimizers_keras.py float64``) to see the float64 figures.
"""
import json
import os
import subprocess
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")
pytest.importorskip("jax")

import nnlib  # noqa: E402
from nnlib import optimizers  # noqa: E402
from nnlib.optimizers import schedules  # noqa: E402

if keras.backend.backend() != "jax":
    pytest.skip(f"Keras was already imported with the {keras.backend.backend()!r} backend",
                allow_module_level=True)

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

STEPS = 4
TOLERANCE = {"float32": 1e-5, "float64": 1e-9}


def exponential(lib):
    return lib.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)


def staircase(lib):
    return lib.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5, staircase=True)


def piecewise(lib):
    return lib.optimizers.schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.03, 0.01])


def cosine(lib):
    return lib.optimizers.schedules.CosineDecay(0.05, decay_steps=4, alpha=0.1)


def cosine_warmup(lib):
    return lib.optimizers.schedules.CosineDecay(0.0, decay_steps=3, warmup_target=0.05, warmup_steps=2)


SCHEDULES = {"exponential": exponential, "staircase": staircase, "piecewise": piecewise, "cosine": cosine,
             "cosine_warmup": cosine_warmup}

# name -> function(lib) building the optimizer on either side (same argument names on both)
CASES = {
    "AdamW defaults": lambda lib: lib.optimizers.AdamW(),
    "AdamW wd 0.1 amsgrad clipnorm": lambda lib: lib.optimizers.AdamW(0.05, weight_decay=0.1, amsgrad=True,
                                                                      clipnorm=0.5),
    "Adam amsgrad clipvalue": lambda lib: lib.optimizers.Adam(0.05, amsgrad=True, clipvalue=0.1),
    "SGD nesterov weight_decay global_clipnorm": lambda lib: lib.optimizers.SGD(
        0.1, momentum=0.5, nesterov=True, weight_decay=0.05, global_clipnorm=0.7),
    "RMSprop weight_decay clipnorm": lambda lib: lib.optimizers.RMSprop(0.01, weight_decay=0.02, clipnorm=0.3),
    "SGD momentum staircase": lambda lib: lib.optimizers.SGD(staircase(lib), momentum=0.5),
    "SGD piecewise": lambda lib: lib.optimizers.SGD(piecewise(lib)),
    "Adam cosine warmup": lambda lib: lib.optimizers.Adam(cosine_warmup(lib)),
    "AdamW exponential": lambda lib: lib.optimizers.AdamW(exponential(lib), weight_decay=0.2),
}


def gradient_sequence(rng, shapes, dtype):
    """STEPS lists of gradients whose entries span 3 down to 1e-7, with a zero, varying each step."""
    scales = np.array([3.0, -0.3, 1e-2, 1e-4, -1e-6, 1e-7, 0.0, 2.5, -1.5])
    steps = []
    for _ in range(STEPS):
        grads = []
        for shape in shapes:
            base = rng.permutation(np.resize(scales, int(np.prod(shape))))
            grads.append((base * rng.uniform(0.5, 1.5, size=base.shape)).reshape(shape).astype(dtype))
        steps.append(grads)
    return steps


def run_case(name, dtype):
    """Max |nnlib - keras| over every parameter after every step, and how far the params moved."""
    rng = np.random.default_rng(sorted(CASES).index(name))
    shapes = [(3, 4), (4,), (2,)]
    params = [rng.normal(size=shape).astype(dtype) for shape in shapes]
    steps = gradient_sequence(rng, shapes, dtype)
    ours, theirs = [p.copy() for p in params], [keras.Variable(p, dtype=dtype) for p in params]
    our_optimizer, their_optimizer = CASES[name](nnlib), CASES[name](keras)
    largest = 0.0
    for grads in steps:
        our_optimizer.apply(ours, [g.copy() for g in grads])
        their_optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], theirs)
        for mine, other in zip(ours, theirs):
            assert mine.dtype == np.dtype(dtype)
            largest = max(largest, float(np.max(np.abs(mine.astype(np.float64)
                                                       - keras.ops.convert_to_numpy(other).astype(np.float64)))))
    moved = max(float(np.max(np.abs(a.astype(np.float64) - b))) for a, b in zip(ours, params))
    return largest, moved


@pytest.mark.parametrize("name", list(CASES))
def test_optimizer_agrees_with_keras_in_float32(name):
    largest, moved = run_case(name, "float32")
    assert moved > 1e-3, f"{name}: the parameters hardly moved ({moved:.3g}), the comparison would be empty"
    assert largest <= TOLERANCE["float32"], f"{name}: max |nnlib - keras| = {largest:.3g}"


@pytest.fixture(scope="module")
def float64_results():
    """All cases in float64, computed once in a subprocess with JAX's 64-bit mode on."""
    env = dict(os.environ, JAX_ENABLE_X64="1", KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "float64"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", list(CASES))
def test_optimizer_agrees_with_keras_in_float64(name, float64_results):
    largest, moved = float64_results["cases"][name]
    assert moved > 1e-3
    tolerance = TOLERANCE["float64"]
    if "cosine" in name and float64_results["keras_cosine_dtype"] == "float32":
        # Keras 3.15's CosineDecay returns float32 even with floatx float64 and JAX's 64-bit mode,
        # so its learning rates carry a relative error of about 1e-8: Keras's floor, not nnlib's.
        tolerance = 1e-8
    assert largest <= tolerance, f"{name}: max |nnlib - keras| = {largest:.3g} in float64"


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_values_agree_with_keras(name):
    ours, theirs = SCHEDULES[name](nnlib), SCHEDULES[name](keras)
    for step in range(12):
        expected = float(keras.ops.convert_to_numpy(theirs(step)))
        assert ours(step) == pytest.approx(expected, rel=1e-6, abs=1e-9), f"{name} at step {step}"


def test_learning_rate_reads_the_schedule_at_the_current_step():
    optimizer = optimizers.SGD(schedules.PiecewiseConstantDecay([0], [0.5, 0.25]))
    assert optimizer.learning_rate == 0.5
    optimizer.apply([np.zeros(2)], [np.ones(2)])
    assert optimizer.learning_rate == 0.25
    with pytest.raises(TypeError, match="created with a learning-rate schedule"):
        optimizer.learning_rate = 0.1


def test_defaults_are_keras_defaults():
    for name in ("SGD", "RMSprop", "Adam", "AdamW"):
        ours, theirs = getattr(optimizers, name)(), getattr(keras.optimizers, name)()
        for key, value in ours.get_config().items():
            expected = theirs.get_config()[key]
            assert value == pytest.approx(expected) if expected is not None else value is None, (name, key)
    assert optimizers.Adam().amsgrad is False and optimizers.AdamW().weight_decay == 0.004


if __name__ == "__main__":
    dtype = sys.argv[1] if len(sys.argv) > 1 else "float32"
    keras.config.set_floatx(dtype)
    nnlib.set_floatx(dtype)
    results = {name: run_case(name, dtype) for name in CASES}
    for name, (largest, moved) in results.items():
        print(f"{name:40s} max |nnlib - keras| {largest:.3g}   (moved {moved:.3g})", file=sys.stderr)
    cosine_dtype = str(keras.ops.convert_to_numpy(cosine(keras)(1)).dtype)
    print(json.dumps({"cases": results, "keras_cosine_dtype": cosine_dtype}))
