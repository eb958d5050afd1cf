r"""Gradient-based optimisers, gradient clipping, and runs of an optimiser on a landscape.

Used by the chapter "descent" (gradient descent, momentum and adaptive methods on the
landscapes of :mod:`rnnlearn.landscapes`) and by every later chapter that trains a model.

An optimiser is a small object with ``step(params, grads)``: it updates the arrays of the dict
``params`` in place from ``grads`` (same keys and shapes) and keeps whatever it remembers
between steps (momentum buffer z, squared-gradient averages) in ``state``, keyed like params.
``state_dict()`` / ``load_state_dict()`` snapshot and restore it (to resume a run).

Reset policy: the state follows the arrays. :func:`run` starts from a new iterate w0, so it
resets the optimiser first; :func:`rnnlearn.training.fit` and :func:`rnnlearn.mlp.train`
continue training the caller's params, so they keep it. All three take ``reset=`` to override.

The clipping helpers (:func:`clip_by_global_norm`, :func:`clip_by_value`) are for the recurrent
chapters (exploding gradients in backpropagation through time); ``fit(clip=...)`` uses the first.
"""
from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import NamedTuple

import numpy as np

from rnnlearn._checks import (as_float, check_array, check_bool, check_choice, check_float,
                              check_int, check_like, check_positive)


def _check(name, value, low, high=np.inf, closed=False):
    """``value`` as a float, if it is a real number in (low, high), or [low, high) if closed."""
    return check_float(name, value, low, high, lo_open=not closed)


class Optimizer(ABC):
    """Base class: checks the (params, grads) pair and applies ``_update`` to each array.

    Subclasses define ``_update(w, g, state)`` (in place) and, if they remember anything,
    ``_new_state(w)``. Hyperparameters are the attributes other than ``state``.
    """

    def __init__(self, lr):
        self.lr = check_positive("lr", lr)
        self.state = {}

    def __repr__(self):
        hyper = ", ".join(f"{k}={v:g}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({hyper})"

    def hyperparameters(self):
        """The constructor's arguments, e.g. ``{"lr": 0.1, "beta": 0.9}``."""
        return {k: v for k, v in vars(self).items() if k != "state"}

    def reset(self):
        """Forget all state, as if no step had been taken."""
        self.state = {}

    def state_dict(self):
        """A snapshot: the class name, hyperparameters and state, as plain dicts of copies.

        Returns
        -------
        dict
            ``{"optimizer": "Adam", "hyperparameters": {"lr": ..., ...},
            "state": {param key: {"m": ndarray, "v": ndarray, "k": int}, ...}}``. Arrays are
            copies, so later steps do not change the snapshot; it can be saved with
            ``np.savez`` after flattening, or kept in memory.
        """
        return {"optimizer": type(self).__name__,
                "hyperparameters": self.hyperparameters(),
                "state": copy.deepcopy(self.state)}

    def load_state_dict(self, state_dict):
        """Continue from a :meth:`state_dict` snapshot of an optimiser of the same class.

        The hyperparameters and state are replaced by (copies of) the snapshot's.

        Parameters
        ----------
        state_dict : dict
            As returned by :meth:`state_dict`.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict must be a dict; got {type(state_dict).__name__}")
        missing = {"optimizer", "hyperparameters", "state"} - state_dict.keys()
        if missing:
            raise ValueError(f"state_dict must have the keys optimizer, hyperparameters, "
                             f"state; missing {sorted(missing)}")
        if state_dict["optimizer"] != type(self).__name__:
            raise ValueError(f"state_dict is for a {state_dict['optimizer']}; this optimiser is "
                             f"a {type(self).__name__}")
        type(self).__init__(self, **state_dict["hyperparameters"])  # validates them again
        self.state = copy.deepcopy(state_dict["state"])

    def step(self, params, grads):
        """Update every array of ``params`` in place using ``grads``.

        Parameters
        ----------
        params : dict of str to ndarray
            Float arrays of any shapes, modified in place.
        grads : dict of str to ndarray
            dL/d(params): the same keys and shapes.
        """
        check_like("grads", grads, params)
        for key, w in params.items():
            if not (isinstance(w, np.ndarray) and w.dtype.kind == "f"):
                raise TypeError(f"params[{key!r}] must be a float ndarray (it is updated in "
                                f"place); got {getattr(w, 'dtype', type(w).__name__)}")
        self._apply(params, grads)

    def _apply(self, params, grads):
        """:meth:`step` without its input checks, for loops that built the arrays themselves."""
        for key, w in params.items():
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = self._new_state(w)
            self._update(w, grads[key], state)

    def _new_state(self, w):
        return {}  # SGD remembers nothing

    @abstractmethod
    def _update(self, w, g, state):
        """Update ``w`` in place from the gradient ``g`` and this key's ``state``."""


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
              w \leftarrow w - \alpha
              \frac{m / (1 - \beta_1^k)}{\sqrt{v / (1 - \beta_2^k)} + \epsilon}
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
    """The optimiser called ``name`` (a key of OPTIMIZERS), e.g. ``make("adam", lr=1e-3)``.

    Parameters
    ----------
    name : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
    **hyper : float
        The class's arguments: ``lr`` and, e.g., ``beta`` for momentum.

    Returns
    -------
    Optimizer
    """
    check_choice("optimizer", name, OPTIMIZERS)
    return OPTIMIZERS[name](**hyper)


def global_norm(grads):
    """Euclidean norm of all gradient arrays taken together as one vector.

    Parameters
    ----------
    grads : dict of str to ndarray
        Arrays of any shapes.

    Returns
    -------
    float
    """
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
    """Clip every gradient entry to [-limit, limit] (for the recurrent chapters).

    Parameters
    ----------
    grads : dict of str to ndarray
        Not modified.
    limit : float
        > 0.

    Returns
    -------
    dict of str to ndarray
        New arrays, keyed like grads, each of its gradient's shape.
    """
    limit = _check("limit", limit, 0.0)
    return {key: np.clip(g, -limit, limit) for key, g in grads.items()}


_CHUNK = 32  # steps of run() between two divergence checks


class Trajectory(NamedTuple):
    """Iterates of :func:`run`: only finite values, up to (not including) a divergence."""

    ws: np.ndarray  # (k + 1, dim) w_0, ..., w_k
    losses: np.ndarray  # (k + 1,) f(w_0), ..., f(w_k)
    diverged: bool
    diverged_at: int | None  # the step whose iterate blew up; then k + 1 == diverged_at


def run(landscape, w0, optimizer, steps, diverge_at=1e6, *, reset=True):
    """Run ``optimizer`` for ``steps`` steps on ``landscape`` from ``w0``, stopping if it diverges.

    The optimiser sees the landscape's vector as the params dict {"w": w}. It is reset first
    (unless ``reset=False``), so every run starts from a fresh state: the run's iterate is a new
    array, and state kept from other arrays does not belong to it (the package's reset policy:
    :func:`rnnlearn.training.fit`, which continues training the caller's arrays, keeps it). Step
    k diverges when f(w_k) - f_min exceeds ``diverge_at`` times the loss scale max(f(w_0) -
    f_min, 1), or is not finite (inf, NaN); the run then stops and keeps only w_0, ..., w_{k-1},
    so plots never see inf or NaN.

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
    reset : bool
        Reset the optimiser's state before the first step (default).

    Returns
    -------
    Trajectory
        ``ws`` has shape (k + 1, dim) also for 1-D landscapes (then (k + 1, 1)).
    """
    dim = landscape.dim
    w0 = as_float(w0, "w0").astype(np.float64)
    if w0.shape != (dim,) and not (dim == 1 and w0.ndim == 0):
        raise ValueError(f"w0 must have shape ({dim},){' or be a float' if dim == 1 else ''}; "
                         f"got {w0.shape}")
    if not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be finite; got {w0}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an rnnlearn.optim.Optimizer; "
                        f"got {type(optimizer).__name__}")
    steps = check_int("steps", steps, lo=0)
    reset = check_bool("reset", reset)
    diverge_at = _check("diverge_at", diverge_at, 1.0)
    f = landscape if dim > 1 else lambda ws: landscape(ws[..., 0])  # (...) for ws (..., dim)
    ws = np.empty((steps + 1, dim))
    losses = np.empty(steps + 1)
    ws[0] = w0
    losses[0] = f(ws[0])
    limit = landscape.f_min + diverge_at * max(losses[0] - landscape.f_min, 1.0)
    w = ws[0].copy()
    params, grads = {"w": w}, {}
    if reset:
        optimizer.reset()
    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is detected, not warned about
        # Steps run in chunks, each chunk's losses in one vectorised call: a third of the
        # time of one loss call per step. Steps past a divergence are computed, then dropped.
        for start in range(1, steps + 1, _CHUNK):
            chunk = slice(start, min(start + _CHUNK, steps + 1))
            for k in range(chunk.start, chunk.stop):
                grads["w"] = landscape.grad(w)
                optimizer._apply(params, grads)  # run made both arrays: no per-step checks
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
    losses = check_array("losses", losses.losses if isinstance(losses, Trajectory) else losses,
                         "(k + 1,)")
    if losses.size == 0:
        raise ValueError(f"losses must have shape (k + 1,) with k >= 0; got {losses.shape}")
    f0 = losses[0] if f0 is None else f0
    if not f0 > f_min:
        raise ValueError(f"f0 must be > f_min = {f_min}; got {f0}")
    tol = _check("tol", tol, 0.0)
    reached = np.flatnonzero((losses - f_min) / (f0 - f_min) <= tol)
    return int(reached[0]) if reached.size else None
