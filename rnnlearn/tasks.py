r"""Sequence tasks for the recurrent chapters, generated from a seeded ``rng``.

Used by the chapters "Recurrent networks and backpropagation through time" and "Vanishing and
exploding gradients" (and the ESN section): :func:`adding_problem` and :func:`copy_task`, the
long-memory benchmarks of Hochreiter & Schmidhuber (1997) in the form of Arjovsky, Shah &
Bengio (2016); :func:`sine_waves` for next-step prediction; :func:`pulse`, one input in a silent sequence
(the gate explorers of the LSTM and GRU chapters); :func:`mackey_glass`, the chaotic
delay equation of the echo-state-network literature, integrated here.

Every output is time-major, ``(T, B, D)``, like :func:`rnnlearn.rnn.forward`'s input. Each
generator documents its trivial baseline (the loss of the best predictor without memory), the
number a trained network must beat.
"""
from __future__ import annotations

import numpy as np

from rnnlearn._checks import check_float, check_int, check_positive, check_rng


def adding_problem(T, n, rng):
    r"""The adding problem: the sum of the two marked values of a random sequence.

    Parameters
    ----------
    T : int
        Sequence length, >= 2.
    n : int
        Number of sequences, >= 1.
    rng : numpy.random.Generator

    Returns
    -------
    xs : ndarray, shape (T, n, 2)
        Channel 0 holds values U[0, 1]; channel 1 is 1 at two steps, one drawn uniformly in
        the first half (t < T // 2) and one in the second, and 0 elsewhere.
    ys : ndarray, shape (n, 1)
        The sum of the two marked values.

    Notes
    -----
    The target is the sum of two independent U[0, 1] values: mean 1, variance 2/12. Predicting
    the constant 1 therefore gives a mean squared error of 1/6 (with the 1/2 of
    :func:`rnnlearn.losses.mse`: 1/12), the baseline a network must beat.

    Equations
    ---------
    .. math:: y = \sum_t x_{t,0}\, x_{t,1}, \qquad E[(y - 1)^2] = \tfrac{1}{6}
    """
    T, n = check_int("T", T, lo=2), check_int("n", n, lo=1)
    check_rng(rng)
    xs = np.zeros((T, n, 2))
    xs[:, :, 0] = rng.uniform(0.0, 1.0, size=(T, n))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    columns = np.arange(n)
    xs[first, columns, 1] = 1.0
    xs[second, columns, 1] = 1.0
    ys = (xs[first, columns, 0] + xs[second, columns, 0])[:, None]
    return xs, ys


def delay_task(T, n, rng, *, delay):
    r"""The delay task: output, at every step, the input of ``delay`` steps before.

    The smallest memory task: a model must carry one bit for exactly ``delay`` steps. It is
    the cleanest test of truncated backpropagation through time, which can only learn it when
    the window exceeds the delay.

    Parameters
    ----------
    T : int
        Sequence length, > delay.
    n : int
        Number of sequences, >= 1.
    rng : numpy.random.Generator
    delay : int
        The delay m, 1 <= m < T.

    Returns
    -------
    xs : ndarray, shape (T, n, 1)
        Inputs +1 or -1, independent and equally likely.
    ys : ndarray, shape (T, n, 1)
        ``ys[t] = xs[t - delay]`` for t >= delay, and 0 before.
    mask : ndarray of bool, shape (T, n)
        True where the target is defined (t >= delay): the steps the loss should count.

    Notes
    -----
    A model without memory can only predict 0, the mean of the target: mean squared error 1,
    half-MSE 0.5 with :func:`rnnlearn.losses.mse`.

    Equations
    ---------
    .. math:: y_t = x_{t-m} \quad (t \ge m)
    """
    T, n = check_int("T", T, lo=2), check_int("n", n, lo=1)
    delay = check_int("delay", delay, lo=1, hi=T - 1)
    check_rng(rng)
    xs = rng.choice(np.array([-1.0, 1.0]), size=(T, n, 1))
    ys = np.zeros_like(xs)
    ys[delay:] = xs[:-delay]
    mask = np.zeros((T, n), dtype=bool)
    mask[delay:] = True
    return xs, ys, mask


def pulse(T, *, time, size=1.0):
    r"""One input pulse in a silent sequence: the probe of the gate explorers.

    Parameters
    ----------
    T : int
        Sequence length, >= 1.
    time : int
        The step of the pulse, 1 <= time <= T (steps count from 1, as in the book).
    size : float
        Its height (any sign).

    Returns
    -------
    xs : ndarray, shape (T, 1, 1)
        Zero except ``xs[time - 1] = size``.

    Equations
    ---------
    .. math:: x_t = s\,[t = t_0], \quad t = 1..T
    """
    T = check_int("T", T, lo=1)
    time = check_int("time", time, lo=1, hi=T)
    xs = np.zeros((T, 1, 1))
    xs[time - 1] = check_float("size", size)
    return xs


def copy_task(T, n, rng, *, n_symbols=8, length=10):
    r"""The copy (memory) task: remember ``length`` symbols over a delay of T steps.

    Parameters
    ----------
    T : int
        The delay, >= 1.
    n : int
        Number of sequences.
    rng : numpy.random.Generator
    n_symbols : int
        Data symbols, 1..n_symbols (>= 2); 0 is the blank, n_symbols + 1 the delimiter.
    length : int
        Symbols to copy, >= 1.

    Returns
    -------
    xs : ndarray, shape (T + 2 length, n, n_symbols + 2)
        One-hot inputs: the ``length`` symbols, T - 1 blanks, the delimiter, ``length`` blanks.
    ys : ndarray of int, shape (T + 2 length, n)
        Labels: T + length blanks, then the ``length`` symbols in order.

    Notes
    -----
    A model without memory can at best predict blanks where they are certain and guess
    uniformly in the last ``length`` steps: mean cross-entropy per step
    ``length ln(n_symbols) / (T + 2 length)``, 10 ln 8 / (T + 20) for the defaults.
    """
    T, n = check_int("T", T, lo=1), check_int("n", n, lo=1)
    check_rng(rng)
    n_symbols = check_int("n_symbols", n_symbols, lo=2)
    length = check_int("length", length, lo=1)
    steps = T + 2 * length
    symbols = rng.integers(1, n_symbols + 1, size=(length, n))
    labels_in = np.zeros((steps, n), dtype=np.int64)
    labels_in[:length] = symbols
    labels_in[T + length - 1] = n_symbols + 1  # the delimiter: "now repeat"
    ys = np.zeros((steps, n), dtype=np.int64)
    ys[T + length:] = symbols
    xs = np.eye(n_symbols + 2)[labels_in]  # (steps, n, n_symbols + 2)
    return xs, ys


def sine_waves(T, n, rng, *, periods=(10.0, 50.0), noise=0.0):
    r"""Sine waves of random period, phase and amplitude, for next-step prediction.

    Parameters
    ----------
    T : int
        Steps, >= 1.
    n : int
        Number of waves.
    rng : numpy.random.Generator
    periods : (float, float)
        The period (in steps) is drawn uniformly from this range, 0 < low <= high.
    noise : float
        Standard deviation of Gaussian noise added to the inputs (not the targets), >= 0.

    Returns
    -------
    xs : ndarray, shape (T, n, 1)
        s_0, ..., s_{T-1} (plus noise).
    ys : ndarray, shape (T, n, 1)
        s_1, ..., s_T: the next value at every step.

    Equations
    ---------
    .. math:: s_t = A \sin(2 \pi t / P + \varphi), \quad A \sim U[0.5, 1],
              \ P \sim U[\text{periods}], \ \varphi \sim U[0, 2\pi)
    """
    T, n = check_int("T", T, lo=1), check_int("n", n, lo=1)
    check_rng(rng)
    low, high = (check_positive("periods[0]", periods[0]), check_positive("periods[1]",
                                                                           periods[1]))
    if high < low:
        raise ValueError(f"periods must be (low, high) with low <= high; got {periods}")
    noise = check_float("noise", noise, lo=0.0)
    amplitude = rng.uniform(0.5, 1.0, size=n)
    period = rng.uniform(low, high, size=n)
    phase = rng.uniform(0.0, 2 * np.pi, size=n)
    t = np.arange(T + 1)[:, None]
    s = (amplitude * np.sin(2 * np.pi * t / period + phase))[:, :, None]  # (T + 1, n, 1)
    xs = s[:-1] + (noise * rng.standard_normal((T, n, 1)) if noise else 0.0)
    return xs, s[1:].copy()


def mackey_glass(n, *, batch=1, tau=17.0, beta=0.2, gamma=0.1, power=10, dt=0.1, every=1.0,
                 x0=1.2, discard=1000.0, rng=None):
    r"""The Mackey-Glass delay differential equation, sampled every ``every`` time units.

    Integrated with the classical Runge-Kutta method (RK4) at step ``dt``: the delayed value
    at a grid time is read from the stored solution, at a half step it is its cubic Hermite
    interpolation from the two neighbours and their slopes, so the scheme stays fourth order.
    Chaos amplifies every error: with dt = 0.1 the samples agree with dt = 0.01 to 2e-8
    at the first and 1e-6 a thousand time units later, and part visibly (1e-3) after two
    thousand; each is still a faithful path on the attractor.
    The history before time 0 is the constant ``x0``; the first ``discard`` time units
    (the transient) are dropped.

    Parameters
    ----------
    n : int
        Samples returned, >= 1.
    batch : int
        Independent series, >= 1.
    tau, beta, gamma : float
        Delay and rates, > 0; tau / dt and every / dt must be whole numbers.
    power : int
        The exponent of the feedback term, >= 1.
    dt : float
        Integration step, > 0.
    every : float
        Time between two samples, > 0 (1 for tau = 17, as in Jaeger & Haas 2004).
    x0 : float
        The constant initial history, > 0 (used when ``rng`` is None).
    discard : float
        Time units dropped at the start, >= 0.
    rng : numpy.random.Generator or None
        If given, each series starts from its own constant history x0 ~ U[0.5, 1.5].

    Returns
    -------
    xs : ndarray, shape (n, batch, 1)
        x(discard), x(discard + every), ...; for tau = 17 the chaotic attractor lies within
        about [0.2, 1.4].

    Equations
    ---------
    .. math:: \frac{dx}{dt} = \beta \frac{x(t - \tau)}{1 + x(t - \tau)^{p}} - \gamma\, x(t)
    """
    n, batch = check_int("n", n, lo=1), check_int("batch", batch, lo=1)
    tau, beta, gamma, dt, every = (check_positive(name, value) for name, value in (
        ("tau", tau), ("beta", beta), ("gamma", gamma), ("dt", dt), ("every", every)))
    power = check_int("power", power, lo=1)
    discard = check_float("discard", discard, lo=0.0)
    lag, stride, skip = (int(round(v / dt)) for v in (tau, every, discard))
    for name, value, steps in (("tau", tau, lag), ("every", every, stride)):
        if steps < 1 or abs(steps * dt - value) > 1e-9 * value:
            raise ValueError(f"{name} / dt must be a whole number >= 1; got {value} / {dt}")
    if rng is None:
        start = np.full(batch, check_positive("x0", x0))
    else:
        start = check_rng(rng).uniform(0.5, 1.5, size=batch)
    total = skip + (n - 1) * stride + 1  # grid points from time 0
    out = np.empty((total, batch))
    for b in range(batch):  # Python floats: a scalar step is ~30x faster than numpy's
        out[:, b] = _integrate(float(start[b]), total, lag, dt, beta, gamma, power)
    return out[skip::stride][:n, :, None].copy()


def _integrate(x0, total, lag, dt, beta, gamma, power):
    """RK4 for Mackey-Glass from a constant history x0: x(i dt) for i = 0..total-1."""
    x = [x0] * (lag + 1)  # x[lag + i] = x(i dt); before that the history
    slope = [0.0] * lag  # dx/dt at the same points, from x[lag] on (the history's is 0)
    half = 0.5 * dt

    def f(now, delayed):
        return beta * delayed / (1.0 + delayed ** power) - gamma * now

    for i in range(lag, lag + total - 1):
        now, past, past_next = x[i], x[i - lag], x[i - lag + 1]
        k1 = f(now, past)
        slope.append(k1)  # slope[i]
        middle = 0.5 * (past + past_next)  # exact in the constant history; else Hermite:
        if i >= 2 * lag:  # the slope jumps at time 0: take it from the right side only
            middle += dt / 8 * (slope[i - lag] - slope[i - lag + 1])
        k2 = f(now + half * k1, middle)
        k3 = f(now + half * k2, middle)
        k4 = f(now + dt * k3, past_next)
        x.append(now + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4))
    return x[lag:]
