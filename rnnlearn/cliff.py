r"""The single-unit recurrent network of Pascanu, Mikolov & Bengio (2013) and its cliff.

Used by the chapter "Vanishing and exploding gradients". One unit, one weight w, one bias b:

    x_t = w sigma(x_{t-1}) + b,   t = 1..T,   x_0 given,   sigma the logistic sigmoid,

and the loss of the state after T steps against a target y, L(w, b) = (x_T - y)^2 / 2. For
w > 4 the map has, for b in an interval, two stable fixed points and an unstable one between
them; at the interval's ends two of them meet and vanish (saddle-node bifurcations). Near those
values of (w, b) the state after many steps jumps from one fixed point's basin to the other's:
the loss surface has a cliff, its gradient there is huge, and one gradient step can throw the
parameters far away. Norm clipping (Pascanu et al.'s Algorithm 1) bounds the step.

Kernels: :func:`iterate`, :func:`fixed_points`, :func:`bifurcation_values`, :func:`loss`
(over a grid of (w, b) at once), :func:`loss_and_grad` (BPTT) and :func:`descend`. Every
function takes w, b (and x_0) as floats or broadcastable float64 arrays, unless stated.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn._checks import check_float, check_int
from rnnlearn.activations import sigmoid


class FixedPoint(NamedTuple):
    """One fixed point x* = w sigma(x*) + b and its stability."""

    x: float  # the fixed point
    slope: float  # w sigma'(x*), the map's derivative there
    stable: bool  # |slope| < 1


class Path(NamedTuple):
    """What :func:`descend` returns."""

    params: np.ndarray  # (steps + 1, 2) (w, b) before each step, the start first
    losses: np.ndarray  # (steps + 1,) the loss at each row of params
    grad_norms: np.ndarray  # (steps,) ||dL/d(w, b)|| at each step, before clipping
    clipped: np.ndarray  # (steps,) bool: the step was clipped


def _as_arrays(**named):
    out = []
    for name, value in named.items():
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a real number or a float array; got a bool")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a real number or a float array; "
                            f"got {type(value).__name__}") from None
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite")
        out.append(arr)
    return out


def iterate(w, b, T, x0=0.5):
    r"""The states x_0, ..., x_T of the single unit.

    Parameters
    ----------
    w, b, x0 : float or ndarray, shape (...)
        Broadcast against each other.
    T : int
        Steps, >= 0.

    Returns
    -------
    xs : ndarray, shape (T + 1, ...)
        ``xs[t]`` = x_t, ``xs[0]`` = x_0.

    Equations
    ---------
    .. math:: x_t = w\,\sigma(x_{t-1}) + b
    """
    w, b, x0 = _as_arrays(w=w, b=b, x0=x0)
    T = check_int("T", T, lo=0)
    shape = np.broadcast_shapes(w.shape, b.shape, x0.shape)
    xs = np.empty((T + 1,) + shape)
    xs[0] = x0
    for t in range(1, T + 1):
        xs[t] = w * sigmoid(xs[t - 1]) + b
    return xs


def fixed_points(w, b, *, tol=1e-13):
    r"""Every fixed point of x -> w sigma(x) + b, with its stability.

    Roots of g(x) = w sigma(x) + b - x, which all lie in [min(b, b + w), max(b, b + w)]:
    bracketed on a fine grid, then bisected to ``tol``. A double root (exactly at a
    bifurcation) may be missed; near it both roots are found.

    Parameters
    ----------
    w, b : float
    tol : float
        Bracket width at which bisection stops, > 0.

    Returns
    -------
    list of FixedPoint
        Sorted by x: one, or three (stable, unstable, stable) for w > 4 with b strictly
        inside :func:`bifurcation_values`.

    Equations
    ---------
    .. math:: x^* = w\,\sigma(x^*) + b, \qquad \text{stable} \iff |w\,\sigma'(x^*)| < 1
    """
    w, b = check_float("w", w), check_float("b", b)
    tol = check_float("tol", tol, 0.0, lo_open=True)
    lo, hi = min(b, b + w) - 1.0, max(b, b + w) + 1.0

    def g(x):
        return w * sigmoid(x) + b - x

    xs = np.linspace(lo, hi, 20001)
    gs = g(xs)
    points = []
    for i in np.flatnonzero(np.sign(gs[:-1]) * np.sign(gs[1:]) <= 0):
        if gs[i] == 0 and i > 0 and gs[i - 1] == 0:
            continue
        a, c = xs[i], xs[i + 1]
        ga = g(a)
        while c - a > tol:
            m = 0.5 * (a + c)
            gm = g(m)
            if gm == 0:
                a = c = m
            elif np.sign(gm) == np.sign(ga):
                a, ga = m, gm
            else:
                c = m
        x = 0.5 * (a + c)
        if points and abs(points[-1] - x) < 10 * tol:
            continue
        points.append(x)
    out = []
    for x in points:
        s = float(sigmoid(x))
        slope = w * s * (1 - s)
        out.append(FixedPoint(float(x), float(slope), bool(abs(slope) < 1)))
    return out


def bifurcation_values(w):
    r"""The two values of b at which the single unit's fixed points appear or vanish.

    At a saddle-node bifurcation a fixed point is tangent to the diagonal: w sigma'(x*) = 1,
    i.e. s(1 - s) = 1/w for s = sigma(x*), solved in closed form; then b = x* - w s.

    Parameters
    ----------
    w : float
        > 4 (for w <= 4 the map has a single fixed point for every b).

    Returns
    -------
    b_lo, b_hi : float
        For b strictly between them there are three fixed points (two stable).

    Equations
    ---------
    .. math:: s_\pm = \tfrac12\big(1 \pm \sqrt{1 - 4/w}\big), \quad
              x_\pm = \log\frac{s_\pm}{1 - s_\pm}, \quad b_\pm = x_\pm - w s_\pm
    """
    w = check_float("w", w, 4.0, lo_open=True)
    root = np.sqrt(1.0 - 4.0 / w)
    s = np.array([0.5 * (1 + root), 0.5 * (1 - root)])
    x = np.log(s) - np.log1p(-s)
    b = x - w * s
    return float(b[0]), float(b[1])


def loss(w, b, target, T, x0=0.5):
    r"""The loss (x_T - y)^2 / 2 for every (w, b) at once.

    Parameters
    ----------
    w, b : float or ndarray, shape (...)
        E.g. the two arrays of a ``np.meshgrid``.
    target : float
        y.
    T : int
        Steps, >= 1.
    x0 : float

    Returns
    -------
    ndarray, shape (...)
    """
    target = check_float("target", target)
    T = check_int("T", T, lo=1)
    return 0.5 * (iterate(w, b, T, x0)[-1] - target) ** 2


def loss_and_grad(w, b, target, T, x0=0.5):
    r"""The loss and its gradient by backpropagation through time.

    Parameters
    ----------
    w, b : float or ndarray, shape (...)
    target : float
    T : int
        Steps, >= 1.
    x0 : float or ndarray

    Returns
    -------
    L : ndarray, shape (...)
    dw, db : ndarray, shape (...)
        dL/dw and dL/db.

    Equations
    ---------
    .. math:: \delta_T = x_T - y, \quad \delta_{t-1} = \delta_t\, w\, \sigma'(x_{t-1}), \quad
              \frac{\partial L}{\partial w} = \sum_{t=1}^T \delta_t\, \sigma(x_{t-1}), \quad
              \frac{\partial L}{\partial b} = \sum_{t=1}^T \delta_t
    """
    target = check_float("target", target)
    T = check_int("T", T, lo=1)
    w, b = _as_arrays(w=w, b=b)
    xs = iterate(w, b, T, x0)  # (T + 1, ...)
    s = sigmoid(xs[:-1])  # sigma(x_0) .. sigma(x_{T-1})
    delta = xs[-1] - target
    dw, db = np.zeros_like(delta), np.zeros_like(delta)
    for t in range(T, 0, -1):  # delta = dL/dx_t
        dw = dw + delta * s[t - 1]
        db = db + delta
        delta = delta * w * s[t - 1] * (1 - s[t - 1])
    return 0.5 * (xs[-1] - target) ** 2, dw, db


def descend(w, b, target, T, *, lr, steps, clip=None, x0=0.5):
    r"""Gradient descent on (w, b), with or without norm clipping (Pascanu et al.'s Algorithm 1).

    Parameters
    ----------
    w, b : float
        The start.
    target : float
    T : int
        Steps of the unit, >= 1.
    lr : float
        Learning rate, > 0.
    steps : int
        Gradient steps, >= 1.
    clip : float or None
        The threshold: a gradient whose norm exceeds it is rescaled to this norm. None: no
        clipping.
    x0 : float

    Returns
    -------
    Path

    Equations
    ---------
    .. math:: \hat g = \nabla_{(w,b)} L, \quad
              \text{if } \lVert \hat g \rVert \ge \theta:\ \hat g \leftarrow
              \frac{\theta}{\lVert \hat g \rVert}\,\hat g, \quad
              (w, b) \leftarrow (w, b) - \alpha\,\hat g
    """
    w, b = check_float("w", w), check_float("b", b)
    lr = check_float("lr", lr, 0.0, lo_open=True)
    steps = check_int("steps", steps, lo=1)
    if clip is not None:
        clip = check_float("clip", clip, 0.0, lo_open=True)
    params = np.empty((steps + 1, 2))
    losses = np.empty(steps + 1)
    norms = np.empty(steps)
    clipped = np.zeros(steps, dtype=bool)
    theta = np.array([w, b])
    for k in range(steps + 1):
        L, dw, db = loss_and_grad(theta[0], theta[1], target, T, x0)
        params[k], losses[k] = theta, L
        if k == steps:
            break
        g = np.array([float(dw), float(db)])
        norms[k] = np.hypot(*g)
        if clip is not None and norms[k] >= clip:
            g *= clip / norms[k]
            clipped[k] = True
        theta = theta - lr * g
    return Path(params, losses, norms, clipped)
