"""Checkers for the coding exercises of the chapter "gradients": norm clipping, Jacobian norms.

The expected values are computed here from the definitions (explicit products of Jacobian
matrices, the norm of the whole gradient), not with the package's kernels.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_clip_by_norm", "check_jacobian_norms"]


# -- clip_by_norm(g, threshold) -------------------------------------------------------------------

def _clip(g, theta):
    norm = np.sqrt(np.sum(g * g))
    return g * (theta / norm) if norm > theta else g.copy()


CLIP_MISTAKES = [
    Mistake(lambda g, theta: np.clip(g, -theta, theta),
            "each entry was clipped to [-threshold, threshold]: that is clipping by value, "
            "which changes the gradient's direction; norm clipping rescales the whole "
            "gradient, g * threshold / ||g||"),
    Mistake(lambda g, theta: g * (theta / np.sqrt(np.sum(g * g))),
            "a gradient shorter than the threshold was rescaled too (made longer): only "
            "rescale when ||g|| > threshold, and return it unchanged otherwise"),
    Mistake(lambda g, theta: (g * (theta / np.sum(g * g)) if np.sum(g * g) > theta ** 2
                              else g.copy()),
            "divided by the squared norm ||g||^2 (np.sum(g**2)); divide by the norm itself, "
            "np.sqrt(np.sum(g**2)) or np.linalg.norm(g)"),
    Mistake(lambda g, theta: (g * (theta / np.abs(g).max()) if np.abs(g).max() > theta
                              else g.copy()),
            "the size of the gradient is its Euclidean norm over all entries, not its largest "
            "entry"),
    Mistake(lambda g, theta: (g / np.sqrt(np.sum(g * g)) if np.sqrt(np.sum(g * g)) > theta
                              else g.copy()),
            "the clipped gradient has length 1: scale it to length threshold, "
            "g * threshold / ||g||"),
]


def check_clip_by_norm(clip_by_norm) -> CheckResult:
    """Check ``clip_by_norm(g, threshold)``, Pascanu et al.'s norm clipping of one gradient.

    Parameters
    ----------
    clip_by_norm : callable
        The function to check. ``g`` is an array of any shape (the whole gradient) and
        ``threshold`` > 0; it must return a new array: ``g * threshold / ||g||`` if
        ``||g|| > threshold`` (Euclidean norm over all entries), else ``g`` unchanged,
        leaving ``g`` itself unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(3)
    big = np.array([3.0, -4.0])  # norm 5
    G = rng.normal(size=(3, 4)) * 10.0
    args = [
        ("a long gradient, ||g|| = 5 > 1", (big, 1.0)),
        ("a short gradient, ||g|| = 5 < 10: unchanged", (big, 10.0)),
        ("a weight matrix of shape (3, 4)", (G, 2.5)),
        ("a huge gradient, 1e6 in one entry", (np.array([1e6, -2.0, 0.5]), 1.0)),
        ("a zero gradient: nothing to clip (and no 0/0)", (np.zeros(3), 1.0)),
        ("many small entries: each below the threshold, the norm above it",
         (np.full(100, 0.5), 1.0)),
    ]
    cases = [Case(label, a, (_clip(*a),)) for label, a in args]
    return run_cases("clip_by_norm(g, threshold)", clip_by_norm, cases, CLIP_MISTAKES,
                     names=("g",), arg_names=("g", "threshold"), rtol=1e-12, atol=1e-15)


# -- jacobian_norms(W, hs) ------------------------------------------------------------------------

def _norms(W, hs, slope=lambda h: 1 - h**2, shift=0, order="right", norm=2, reverse=False):
    """||dh_T/dh_k||, k = 0..T-1, from explicit products; the keywords make the mistakes."""
    T, H = hs.shape
    out = np.empty(T)
    P = np.eye(H)
    for t in range(T - 1, -1, -1):  # hs[t] = h_{t+1}; J = dh_{t+1}/dh_t = diag(phi') W
        J = np.diag(slope(hs[t - shift])) @ W
        P = P @ J if order == "right" else J @ P
        out[t] = np.linalg.norm(P, norm)
    return out[::-1] if reverse else out


JACOBIAN_MISTAKES = [
    Mistake(lambda W, hs: _norms(W, hs, slope=np.ones_like),
            "the slopes phi'(a_t) = 1 - h_t**2 are missing: each step's Jacobian is "
            "diag(1 - h_t**2) @ W, not W alone (that is the linear RNN)"),
    Mistake(lambda W, hs: _norms(W, hs, slope=lambda h: 1 - np.tanh(h) ** 2),
            "tanh was applied twice: hs already holds h_t = tanh(a_t), so the slope is "
            "1 - h_t**2, not 1 - tanh(h_t)**2"),
    Mistake(lambda W, hs: _norms(W, hs, slope=lambda h: h * (1 - h)),
            "h * (1 - h) is the slope of the logistic function; tanh's is 1 - h**2"),
    Mistake(lambda W, hs: _norms(W, hs, shift=1),
            "the slopes of the wrong step: the Jacobian dh_t/dh_{t-1} uses h_t (hs[t - 1] in "
            "0-based indexing), not h_{t-1}; hs[-1] wraps round to the last state"),
    Mistake(lambda W, hs: _norms(W, hs, order="left"),
            "the product is in the wrong order: dh_T/dh_k = J_T J_{T-1} ... J_{k+1}, so "
            "extend it on the right, P = P @ J_t, while going back in time"),
    Mistake(lambda W, hs: _norms(W, hs, norm="fro"),
            "that is the Frobenius norm; the spectral norm is np.linalg.norm(P, 2), the "
            "largest singular value"),
    Mistake(lambda W, hs: _norms(W, hs, reverse=True),
            "the norms are in reverse order: entry k must be ||dh_T/dh_k||, so entry 0 is "
            "the longest product and the last entry is a single step"),
]


def _tanh_run(W, T, rng, scale):
    """States h_1..h_T, (T, H), of a tanh RNN with recurrent weight W and random drive."""
    h, hs = np.zeros(len(W)), []
    for _ in range(T):
        h = np.tanh(W @ h + scale * rng.normal(size=len(W)))
        hs.append(h)
    return np.array(hs)


def check_jacobian_norms(jacobian_norms) -> CheckResult:
    """Check ``jacobian_norms(W, hs)``: the spectral norms ||dh_T/dh_k|| of a tanh RNN.

    Parameters
    ----------
    jacobian_norms : callable
        The function to check. ``W`` (H, H) is W_hh and ``hs`` (T, H) the states
        h_1, ..., h_T of one sequence (``hs[t - 1]`` = h_t, h_t = tanh(a_t)). It must return
        an array of shape (T,) whose entry k is ||dh_T/dh_k||_2 for k = 0, ..., T - 1, with
        dh_t/dh_{t-1} = diag(1 - h_t**2) W, leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-9 relative.
    """
    rng = np.random.default_rng(5)
    W4 = np.linalg.qr(rng.normal(size=(4, 4)))[0] * 1.2
    W3 = np.array([[0.5, 2.0, 0.0], [0.0, 0.5, 2.0], [0.0, 0.0, 0.5]])  # not normal
    W5 = rng.normal(size=(5, 5)) * 0.4
    args = [
        ("one step, T = 1", (W4, _tanh_run(W4, 1, rng, 0.5))),
        ("a single unit, H = 1", (np.array([[1.5]]), _tanh_run(np.array([[1.5]]), 5, rng,
                                                               0.5))),
        ("H = 4, T = 6, moderate states", (W4, _tanh_run(W4, 6, rng, 0.5))),
        ("a non-normal W (H = 3, T = 5)", (W3, _tanh_run(W3, 5, rng, 0.3))),
        ("saturated states (strong inputs)", (W5, _tanh_run(W5, 7, rng, 3.0))),
        ("H = 5, T = 8", (W5, _tanh_run(W5, 8, rng, 0.5))),
    ]
    cases = [Case(label, a, (_norms(*a),)) for label, a in args]
    return run_cases("jacobian_norms(W, hs)", jacobian_norms, cases, JACOBIAN_MISTAKES,
                     names=("norms",), arg_names=("W", "hs"), rtol=1e-9, atol=1e-300)
