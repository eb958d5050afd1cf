r"""Gradient-based optimisers, gradient clipping, and runs of an optimiser on a landscape.

Used by the chapter "descent" (gradient descent, momentum and adaptive methods on the
landscapes of :mod:`rnnlearn.landscapes`) and by every later chapter that trains a model.

An optimiser is a small object with ``step(params, grads)``: it updates the arrays of the dict
``params`` in place from ``grads`` (same keys and shapes) and keeps whatever it remembers
between steps (momentum buffer z, squared-gradient averages) in ``state``, keyed like params.
"""
from __future__ import annotations

from numbers import Real
from typing import NamedTuple

import numpy as np


def _check(name, value, low, high=np.inf, closed=False):
    """``value`` as a float, if it is a real number in (low, high), or [low, high) if closed."""
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    if not ((low <= value if closed else low < value) and value < high):
        raise ValueError(f"{name} must be in {'[' if closed else '('}{low}, {high}); got {value}")
    return float(value)


class Optimizer:
    """Base class: checks the (params, grads) pair and applies ``_update`` to each array."""

    def __init__(self, lr):
        self.lr = _check("lr", lr, 0.0)
        self.state = {}

    def __repr__(self):
        hyper = ", ".join(f"{k}={v:g}" for k, v in vars(self).items() if k != "state")
        return f"{type(self).__name__}({hyper})"

    def reset(self):
        """Forget all state, as if no step had been taken."""
        self.state = {}

    def step(self, params, grads):
        """Update every array of ``params`` in place using ``grads``.

        Parameters
        ----------
        params : dict of str to ndarray
            Float arrays, modified in place.
        grads : dict of str to ndarray
            dL/d(params): the same keys and shapes.
        """
        if grads.keys() != params.keys():
            raise ValueError(f"grads must have the keys of params {sorted(params)}; got {sorted(grads)}")
        for key, w in params.items():
            g = grads[key]
            if g.shape != w.shape:
                raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}] {w.shape}; got {g.shape}")
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = self._new_state(w)
            self._update(w, g, state)

    def _new_state(self, w):
        return {}  # SGD remembers nothing


class SGD(Optimizer):
    r"""Plain gradient descent.

    Equations
    ---------
    .. math:: w \leftarrow w - \alpha \nabla f(w)
    """

    def _update(self, w, g, state):
        w -= self.lr * g


class Momentum(Optimizer):
    r"""Heavy-ball momentum in Goh's (2017) form: the buffer z sums past gradients.

    Equations
    ---------
    .. math:: z \leftarrow \beta z + \nabla f(w), \qquad w \leftarrow w - \alpha z
    """

    def __init__(self, lr, beta=0.9):
        super().__init__(lr)
        self.beta = _check("beta", beta, 0.0, 1.0, closed=True)

    def _new_state(self, w):
        return {"z": np.zeros_like(w)}

    def _update(self, w, g, state):
        z = state["z"]
        z *= self.beta
        z += g
        w -= self.lr * z


class Nesterov(Momentum):
    r"""Nesterov momentum in the form of Sutskever et al. (2013) and PyTorch (``nesterov=True``).

    The gradient is taken at the current w, which stands for the look-ahead point of the
    classical form: with v = -alpha z, these iterates are u_k = w_k + beta v_k of
    v <- beta v - alpha grad f(w + beta v), w <- w + v.

    Equations
    ---------
    .. math:: z \leftarrow \beta z + \nabla f(w), \qquad
              w \leftarrow w - \alpha (\nabla f(w) + \beta z)
    """

    def _update(self, w, g, state):
        z = state["z"]
        z *= self.beta
        z += g
        w -= self.lr * (g + self.beta * z)


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011): per-coordinate step sizes shrink with the summed squares.

    Equations
    ---------
    .. math:: G \leftarrow G + \nabla f(w)^2, \qquad
              w \leftarrow w - \alpha \frac{\nabla f(w)}{\sqrt{G} + \epsilon}
    """

    def __init__(self, lr, eps=1e-8):
        super().__init__(lr)
        self.eps = _check("eps", eps, 0.0)

    def _new_state(self, w):
        return {"G": np.zeros_like(w)}

    def _update(self, w, g, state):
        G = state["G"]
        G += g * g
        w -= self.lr * g / (np.sqrt(G) + self.eps)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton 2012): Adagrad with a decaying average of squares.

    Equations
    ---------
    .. math:: s \leftarrow \rho s + (1 - \rho) \nabla f(w)^2, \qquad
              w \leftarrow w - \alpha \frac{\nabla f(w)}{\sqrt{s} + \epsilon}
    """

    def __init__(self, lr, decay=0.9, eps=1e-8):
        super().__init__(lr)
        self.decay = _check("decay", decay, 0.0, 1.0, closed=True)
        self.eps = _check("eps", eps, 0.0)

    def _new_state(self, w):
        return {"s": np.zeros_like(w)}

    def _update(self, w, g, state):
        s = state["s"]
        s *= self.decay
        s += (1 - self.decay) * g * g
        w -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015): momentum on the gradient and its square, bias-corrected.

    Equations
    ---------
    .. math:: m \leftarrow \beta_1 m + (1 - \beta_1) \nabla f, \quad
              v \leftarrow \beta_2 v + (1 - \beta_2) \nabla f^2, \quad
              w \leftarrow w - \alpha \frac{m / (1 - \beta_1^k)}{\sqrt{v / (1 - \beta_2^k)} + \epsilon}
    """

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = _check("beta1", beta1, 0.0, 1.0, closed=True)
        self.beta2 = _check("beta2", beta2, 0.0, 1.0, closed=True)
        self.eps = _check("eps", eps, 0.0)

    def _new_state(self, w):
        return {"m": np.zeros_like(w), "v": np.zeros_like(w), "k": 0}

    def _update(self, w, g, state):
        m, v = state["m"], state["v"]
        state["k"] += 1
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1 ** state["k"])
        v_hat = v / (1 - self.beta2 ** state["k"])
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": Adagrad,
              "rmsprop": RMSprop, "adam": Adam}


def make(name, **hyper):
    """The optimiser called ``name`` (a key of OPTIMIZERS), e.g. ``make("adam", lr=1e-3)``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got {name!r}")
    return OPTIMIZERS[name](**hyper)


def global_norm(grads):
    """Euclidean norm of all gradient arrays taken together as one vector."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_by_global_norm(grads, max_norm):
    r"""Rescale all gradients together so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str to ndarray
        Not modified.
    max_norm : float
        > 0.

    Returns
    -------
    clipped : dict of str to ndarray
        New arrays, keyed like grads.
    total_norm : float
        The global norm before clipping.

    Equations
    ---------
    .. math:: g \leftarrow g \cdot \min\left(1, \frac{\text{max\_norm}}{\lVert g \rVert}\right)
    """
    max_norm = _check("max_norm", max_norm, 0.0)
    total = global_norm(grads)
    scale = max_norm / max(total, max_norm)  # 1 unless the norm is too large
    return {key: g * scale for key, g in grads.items()}, total


def clip_by_value(grads, limit):
    """Clip every gradient entry to [-limit, limit]; returns new arrays, keyed like grads."""
    limit = _check("limit", limit, 0.0)
    return {key: np.clip(g, -limit, limit) for key, g in grads.items()}


_CHUNK = 32  # steps of run() between two divergence checks


class Trajectory(NamedTuple):
    """Iterates of :func:`run`: only finite values, up to (not including) a divergence."""

    ws: np.ndarray  # (k + 1, dim) w_0, ..., w_k
    losses: np.ndarray  # (k + 1,) f(w_0), ..., f(w_k)
    diverged: bool
    diverged_at: int | None  # the step whose iterate blew up; then k + 1 == diverged_at


def run(landscape, w0, optimizer, steps, diverge_at=1e6):
    """Run ``optimizer`` for ``steps`` steps on ``landscape`` from ``w0``, stopping if it diverges.

    The optimiser sees the landscape's vector as the params dict {"w": w}. It is reset first,
    so every run starts from a fresh state. Step k diverges when f(w_k) - f_min exceeds
    ``diverge_at`` times the loss scale max(f(w_0) - f_min, 1), or is not finite (inf, NaN);
    the run then stops and keeps only w_0, ..., w_{k-1}, so plots never see inf or NaN.

    Parameters
    ----------
    landscape : landscape from :mod:`rnnlearn.landscapes`
        Callable with ``grad``, ``dim`` and ``f_min``.
    w0 : float or ndarray, shape (dim,)
        Start; a float is accepted for 1-D landscapes.
    optimizer : Optimizer
    steps : int
        Number of steps k (>= 0).
    diverge_at : float
        Divergence threshold, > 1, relative to the loss scale.

    Returns
    -------
    Trajectory
        ``ws`` has shape (k + 1, dim) also for 1-D landscapes (then (k + 1, 1)).
    """
    dim = landscape.dim
    w0 = np.asarray(w0, dtype=float)
    if w0.shape != (dim,) and not (dim == 1 and w0.ndim == 0):
        raise ValueError(f"w0 must have shape ({dim},){' or be a float' if dim == 1 else ''}; got {w0.shape}")
    if not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be finite; got {w0}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an rnnlearn.optim.Optimizer; got {type(optimizer).__name__}")
    if not (isinstance(steps, (int, np.integer)) and steps >= 0):
        raise ValueError(f"steps must be an int >= 0; got {steps!r}")
    diverge_at = _check("diverge_at", diverge_at, 1.0)
    f = landscape if dim > 1 else lambda ws: landscape(ws[..., 0])  # (...) for ws (..., dim)
    ws = np.empty((steps + 1, dim))
    losses = np.empty(steps + 1)
    ws[0] = w0
    losses[0] = f(ws[0])
    limit = landscape.f_min + diverge_at * max(losses[0] - landscape.f_min, 1.0)
    w = ws[0].copy()
    params, grads = {"w": w}, {}
    optimizer.reset()
    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is detected, not warned about
        # Steps run in chunks, each chunk's losses in one vectorised call: a third of the
        # time of one loss call per step. Steps past a divergence are computed, then dropped.
        for start in range(1, steps + 1, _CHUNK):
            chunk = slice(start, min(start + _CHUNK, steps + 1))
            for k in range(chunk.start, chunk.stop):
                grads["w"] = landscape.grad(w)
                optimizer.step(params, grads)
                ws[k] = w
            losses[chunk] = f(ws[chunk])
            bad = np.flatnonzero(~(losses[chunk] <= limit))  # also catches NaN
            if bad.size:
                k = start + int(bad[0])
                return Trajectory(ws[:k], losses[:k], True, k)
    return Trajectory(ws, losses, False, None)


def steps_to_tolerance(losses, f_min, f0=None, tol=1e-6):
    r"""First step k at which the relative suboptimality (f_k - f_min) / (f_0 - f_min) <= tol.

    Works for any decreasing measure: pass distances ||w_k - w*|| with f_min = 0 to count steps
    to a relative error in w.

    Parameters
    ----------
    losses : Trajectory or ndarray, shape (k + 1,)
        A run, or its losses f_0, ..., f_k.
    f_min : float
        The minimum value.
    f0 : float, optional
        Reference start value; default losses[0].
    tol : float
        > 0.

    Returns
    -------
    int or None
        None if the tolerance is never reached.
    """
    losses = np.asarray(losses.losses if isinstance(losses, Trajectory) else losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"losses must have shape (k + 1,); got {losses.shape}")
    f0 = losses[0] if f0 is None else f0
    if not f0 > f_min:
        raise ValueError(f"f0 must be > f_min = {f_min}; got {f0}")
    tol = _check("tol", tol, 0.0)
    reached = np.flatnonzero((losses - f_min) / (f0 - f_min) <= tol)
    return int(reached[0]) if reached.size else None
