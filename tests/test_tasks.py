"""tasks: the generators' structure, their baselines, and Mackey-Glass's known properties."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import losses, tasks


@pytest.mark.parametrize("T, n", [(2, 1), (3, 5), (50, 40)])
def test_adding_problem_structure(T, n, rng):
    xs, ys = tasks.adding_problem(T, n, rng)
    assert xs.shape == (T, n, 2) and ys.shape == (n, 1)
    marks = xs[:, :, 1]
    assert np.array_equal(marks[: T // 2].sum(axis=0), np.ones(n))
    assert np.array_equal(marks[T // 2:].sum(axis=0), np.ones(n))
    assert set(np.unique(marks)) <= {0.0, 1.0}
    assert np.all((0 <= xs[:, :, 0]) & (xs[:, :, 0] < 1))
    assert_allclose(ys[:, 0], (xs[:, :, 0] * marks).sum(axis=0), rtol=1e-15)


def test_adding_problem_constant_one_baseline_is_one_sixth(rng):
    """Monte Carlo: E[(y - 1)^2] = 1/6 within 4 standard errors (and mse's 1/2 gives 1/12)."""
    _, ys = tasks.adding_problem(10, 200_000, rng)
    squared = (ys[:, 0] - 1.0) ** 2
    standard_error = squared.std() / np.sqrt(squared.size)
    assert abs(squared.mean() - 1 / 6) < 4 * standard_error
    assert standard_error < 5e-4  # so the test can tell 1/6 from e.g. 1/12 or 1/4
    assert abs(losses.mse(np.ones_like(ys), ys)[0] - 1 / 12) < 2 * standard_error


def test_adding_problem_is_reproducible_and_seeded():
    a = tasks.adding_problem(20, 7, np.random.default_rng(3))
    b = tasks.adding_problem(20, 7, np.random.default_rng(3))
    c = tasks.adding_problem(20, 7, np.random.default_rng(4))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("T", [1, 5, 100])
def test_copy_task_structure_and_memoryless_baseline(T, rng):
    n = 64
    xs, ys = tasks.copy_task(T, n, rng)
    steps = T + 20
    assert xs.shape == (steps, n, 10) and ys.shape == (steps, n)
    assert np.array_equal(xs.sum(axis=2), np.ones((steps, n)))  # one-hot
    inputs = xs.argmax(axis=2)
    assert np.all((1 <= inputs[:10]) & (inputs[:10] <= 8))
    assert np.array_equal(inputs[T + 9], np.full(n, 9))  # the delimiter
    assert not inputs[10:T + 9].any() and not inputs[T + 10:].any()
    assert not ys[:T + 10].any() and np.array_equal(ys[T + 10:], inputs[:10])
    # the best memoryless predictor: blank where certain, uniform over 8 in the last 10 steps
    logits = np.full((steps, n, 10), -1e3)
    logits[:T + 10, :, 0] = 0.0
    logits[T + 10:, :, 1:9] = 0.0
    value, _ = losses.softmax_cross_entropy(logits.reshape(-1, 10), ys.reshape(-1))
    assert value == pytest.approx(10 * np.log(8) / (T + 20), rel=1e-12)


def test_copy_task_symbols_are_uniform(rng):
    _, ys = tasks.copy_task(3, 20_000, rng, n_symbols=4, length=2)
    counts = np.bincount(ys[-2:].ravel(), minlength=5)[1:]
    expected = ys[-2:].size / 4
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected))


def test_sine_waves_targets_are_the_next_inputs(rng):
    xs, ys = tasks.sine_waves(30, 6, rng, periods=(8.0, 12.0))
    assert xs.shape == ys.shape == (30, 6, 1)
    assert np.array_equal(xs[1:], ys[:-1])
    amplitude = np.abs(np.concatenate([xs, ys[-1:]])).max(axis=0)[:, 0]
    assert np.all((amplitude <= 1.0) & (amplitude > 0.5 * np.cos(np.pi / 8)))
    noisy, clean = tasks.sine_waves(30, 6, np.random.default_rng(1), noise=0.1)
    _, again = tasks.sine_waves(30, 6, np.random.default_rng(1))
    assert np.array_equal(clean, again) and 0.05 < np.std(noisy[1:] - clean[:-1]) < 0.15


def test_mackey_glass_stays_on_its_attractor_and_is_reproducible():
    xs = tasks.mackey_glass(3000)
    assert xs.shape == (3000, 1, 1)
    assert 0.2 < xs.min() < 0.5 and 1.2 < xs.max() < 1.4
    assert 0.2 < xs.std() < 0.25  # chaotic, not a cycle of small amplitude or a fixed point
    assert np.array_equal(xs, tasks.mackey_glass(3000))
    seeded = tasks.mackey_glass(500, batch=3, rng=np.random.default_rng(0))
    assert seeded.shape == (500, 3, 1)
    assert np.array_equal(seeded, tasks.mackey_glass(500, batch=3, rng=np.random.default_rng(0)))
    assert np.abs(seeded[:, 0] - seeded[:, 1]).max() > 0.1
    assert 0.2 < seeded.min() and seeded.max() < 1.4


def test_mackey_glass_solves_the_delay_equation_with_delay_tau():
    """Sampled every dt, central differences match the right-hand side with the delay tau
    (170 samples back) to O(dt^2), and not with a delay off by one time unit."""
    dt = 0.1
    x = tasks.mackey_glass(4000, every=dt, dt=dt, discard=300.0)[:, 0, 0]

    def rhs(now, delayed):
        return 0.2 * delayed / (1 + delayed ** 10) - 0.1 * now

    slope = (x[2:] - x[:-2]) / (2 * dt)  # at samples 1..n-2
    i = np.arange(180, len(x) - 1)
    assert np.abs(slope[i - 1] - rhs(x[i], x[i - 170])).max() < 1e-3
    assert np.abs(slope[i - 1] - rhs(x[i], x[i - 160])).max() > 1e-2


def test_mackey_glass_converges_at_fourth_order():
    coarse, fine, finest = (tasks.mackey_glass(200, dt=dt)[:, 0, 0] for dt in (0.1, 0.05, 0.01))
    ratio = np.abs(coarse - finest).max() / np.abs(fine - finest).max()
    assert 12 < ratio < 20  # 2^4 = 16 for RK4 with a fourth-order delayed value


@pytest.mark.parametrize("T, n, delay", [(2, 1, 1), (30, 7, 5), (12, 3, 11)])
def test_delay_task_targets_are_the_inputs_delay_steps_back(T, n, delay, rng):
    xs, ys, mask = tasks.delay_task(T, n, rng, delay=delay)
    assert xs.shape == ys.shape == (T, n, 1) and mask.shape == (T, n) and mask.dtype == bool
    assert set(np.unique(xs)) <= {-1.0, 1.0}
    assert np.array_equal(ys[delay:], xs[:-delay]) and not ys[:delay].any()
    assert not mask[:delay].any() and mask[delay:].all()


def test_delay_task_memoryless_baseline_is_one_half(rng):
    """Predicting 0 (the target's mean) on the counted steps: half-MSE 0.5 exactly."""
    xs, ys, mask = tasks.delay_task(20, 50, rng, delay=4)
    value, _ = losses.mse(np.zeros((int(mask.sum()), 1)), ys[mask])
    assert value == 0.5


@pytest.mark.parametrize("call, error, message", [
    (lambda r: tasks.adding_problem(1, 3, r), ValueError, "T must be an int >= 2; got 1"),
    (lambda r: tasks.adding_problem(5, 2.0, r), TypeError, "n must be an int"),
    (lambda r: tasks.adding_problem(5, 2, None), TypeError, "rng must be a numpy.random"),
    (lambda r: tasks.copy_task(5, 2, r, n_symbols=1), ValueError, "n_symbols must be an int >= 2"),
    (lambda r: tasks.delay_task(5, 2, r, delay=5), ValueError, "delay must be an int"),
    (lambda r: tasks.sine_waves(5, 2, r, periods=(5.0, 2.0)), ValueError, "low <= high"),
    (lambda r: tasks.sine_waves(5, 2, r, noise=-0.1), ValueError, "noise must be in"),
    (lambda r: tasks.mackey_glass(10, dt=0.3), ValueError, "tau / dt must be a whole number"),
    (lambda r: tasks.mackey_glass(10, rng=3), TypeError, "rng must be a numpy.random"),
    (lambda r: tasks.mackey_glass(0), ValueError, "n must be an int >= 1; got 0"),
])
def test_bad_input_gives_clear_errors(call, error, message, rng):
    with pytest.raises(error, match=message):
        call(rng)


def test_pulse_is_silent_but_for_one_step():
    xs = tasks.pulse(6, time=3, size=-2.5)
    assert xs.shape == (6, 1, 1)
    assert xs[2, 0, 0] == -2.5 and np.count_nonzero(xs) == 1
    assert tasks.pulse(1, time=1)[0, 0, 0] == 1.0
    with pytest.raises(ValueError, match="time"):
        tasks.pulse(6, time=7)
    with pytest.raises(ValueError, match="time"):
        tasks.pulse(6, time=0)
