r"""Finite-difference gradient checks: a loss over a dict of arrays, or a whole layer at once.

Used by the chapter "backprop" (how to trust a hand-written backward pass:
:func:`check_gradients`) and by the test of every ``*_backward`` kernel in the package
(:func:`check_layer`, which also samples entries of large layers; it lives in
:mod:`rnnlearn.layercheck` and is importable from here): compare the analytic gradient with
central differences and report the worst offender by name and index.

Both judge a difference against the noise of the central difference itself (roundoff and
truncation, estimated from a second step ``2 h``), so a correct but vanishing gradient is not
flagged; see :func:`check_layer` for the rule.
"""
from typing import NamedTuple

import numpy as np

from rnnlearn.calculus import _central_partials

_EPS = float(np.finfo(np.float64).eps)


def _check_params(params):
    if not params:
        raise ValueError("params must hold at least one array; got an empty dict")
    for key, p in params.items():
        if not (isinstance(p, np.ndarray) and p.dtype == np.float64):
            dtype = getattr(p, "dtype", type(p).__name__)
            raise TypeError(f"params[{key!r}] must be a float64 ndarray (it is perturbed "
                            f"in place); got {dtype}")


def numerical_gradient(loss_fn, params, h=1e-5):
    r"""Central-difference gradient of ``loss_fn(params)`` with respect to every entry.

    Each entry of each array is perturbed in place, ``loss_fn(params)`` is called, and
    the entry is restored by assignment, so ``params`` is bit-for-bit unchanged afterwards.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> float``.
    params : dict[str, ndarray]
        float64 arrays of any shapes.
    h : float, optional
        Step, finite and > 0.

    Returns
    -------
    dict[str, ndarray]
        Same keys and shapes as ``params``.

    Equations
    ---------
    .. math::

        \frac{\partial L}{\partial \theta_i} \approx
        \frac{L(\theta + h e_i) - L(\theta - h e_i)}{2h}
    """
    _check_params(params)
    return {key: _central_partials(lambda _: loss_fn(params), p, h)
            for key, p in params.items()}


def relative_error(a, b):
    r"""Relative distance between two arrays of the same shape (0.0 when both are zero).

    Parameters
    ----------
    a, b : ndarray, shape (...)

    Returns
    -------
    float
        In [0, 1].

    Equations
    ---------
    .. math::

        \frac{\lVert a - b \rVert_2}{\max(\lVert a \rVert_2 + \lVert b \rVert_2,\; 10^{-300})}
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    return float(np.linalg.norm(a - b) / scale)


class GradCheckReport(NamedTuple):
    """Outcome of :func:`check_gradients`; ``str(report)`` explains it in one line."""

    passed: bool
    worst_key: str  # a failing parameter with the largest relative error (any, if none fail)
    worst_index: tuple  # entry of worst_key with the largest |analytic - numerical|
    analytic: float  # grads[worst_key][worst_index]
    numerical: float  # its finite-difference estimate
    errors: dict  # relative error per key
    tol: float

    def __str__(self):
        error = self.errors[self.worst_key]
        if self.passed:
            noise = ", within the finite-difference noise" if error > self.tol else ""
            return (f"gradient check passed: worst relative error {error:.1e} "
                    f"for {self.worst_key!r} (tol {self.tol:g}){noise}")
        entry = self.worst_key + _entry(self.worst_index)
        return (f"gradient check FAILED for {self.worst_key!r}: relative error {error:.1e} "
                f"> {self.tol:g}; worst entry {entry}: analytic {self.analytic:.10g}, "
                f"numerical {self.numerical:.10g}")


def _entry(index):
    return f"[{', '.join(map(str, index))}]" if index else ""


def _partials_at(loss, w, flats, step):
    """Central differences of ``loss()`` at ``step`` in the entries ``flats`` (C order) of ``w``.

    Each entry is perturbed in place and restored by assignment, even if ``loss`` raises.
    """
    out = np.empty(len(flats))
    for k, flat in enumerate(flats):
        index = np.unravel_index(flat, w.shape)
        original = w[index]
        try:
            w[index] = original + step
            f_plus = loss()
            w[index] = original - step
            f_minus = loss()
        finally:
            w[index] = original
        out[k] = (f_plus - f_minus) / (2 * step)
    return out


def _allowed(numerical, numerical_2h, rtol, scale, floor):
    """Largest |analytic - numerical| that passes, per entry (see :func:`check_layer`)."""
    return rtol * scale + np.abs(numerical - numerical_2h) + NOISE_FACTOR * floor


NOISE_FACTOR = 10.0  # kappa: the roundoff allowance in units of the estimated noise


def check_gradients(loss_fn, params, grads, h=1e-5, tol=1e-7):
    r"""Compare analytic gradients with central differences, key by key.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> float``.
    params : dict[str, ndarray]
        float64 arrays; perturbed in place and restored exactly.
    grads : dict[str, ndarray]
        Analytic gradients: exactly the keys and shapes of ``params``.
    h : float, optional
        Finite-difference step.
    tol : float, optional
        Largest relative error (see :func:`relative_error`) that passes.

    Returns
    -------
    GradCheckReport
        ``passed`` is True when every key's relative error is <= ``tol``, or, for a key whose
        gradient is so small that the central difference cannot resolve it to ``tol``, when
        every entry passes the noise-aware rule of :func:`check_layer` (with ``rtol = tol``
        and the noise of ``loss_fn`` estimated from :math:`|L|` and a second step ``2 h``).
        Only such a key costs extra evaluations.
    """
    _check_params(params)
    if grads.keys() != params.keys():
        raise ValueError(f"grads must have the keys of params {sorted(params)}; "
                         f"got {sorted(grads)}")
    grads = {key: np.asarray(g, dtype=np.float64) for key, g in grads.items()}
    for key, p in params.items():
        if grads[key].shape != p.shape:
            raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}] "
                             f"{p.shape}; got {grads[key].shape}")
    numerical = numerical_gradient(loss_fn, params, h)
    errors = {key: relative_error(grads[key], numerical[key]) for key in params}
    failed = {key for key, error in errors.items() if not error <= tol}
    if failed:
        roundoff = _EPS * abs(float(loss_fn(params))) / h  # noise of one difference quotient
        for key in sorted(failed):
            a, n, p = grads[key].ravel(), numerical[key].ravel(), params[key]
            n_2h = _partials_at(lambda: loss_fn(params), p, range(p.size), 2 * h)
            floor = max(float(np.median(np.abs(n - n_2h))), roundoff)
            scale = np.max(np.abs(a)) + np.max(np.abs(n))
            if np.all(np.abs(a - n) <= _allowed(n, n_2h, tol, scale, floor)):
                failed.discard(key)
    worst_key = max(errors, key=lambda key: (key in failed,
                                             np.nan_to_num(errors[key], nan=np.inf)))
    gap = np.abs(grads[worst_key] - numerical[worst_key])
    worst_index = tuple(int(i) for i in np.unravel_index(np.argmax(gap), gap.shape))
    return GradCheckReport(
        passed=not failed,
        worst_key=worst_key,
        worst_index=worst_index,
        analytic=float(grads[worst_key][worst_index]),
        numerical=float(numerical[worst_key][worst_index]),
        errors=errors,
        tol=tol,
    )


def assert_gradients_close(loss_fn, params, grads, h=1e-5, tol=1e-7):
    """Like :func:`check_gradients`, but raise ``AssertionError(str(report))`` on failure.

    Parameters
    ----------
    loss_fn, params, grads, h, tol
        As in :func:`check_gradients`.

    Returns
    -------
    GradCheckReport
        The (passing) report.
    """
    report = check_gradients(loss_fn, params, grads, h, tol)
    if not report.passed:
        raise AssertionError(str(report))
    return report


_LAYER_NAMES = ("check_layer", "assert_layer_close", "LayerCheckReport")


def __getattr__(name):
    """``gradcheck.check_layer`` and friends, from :mod:`rnnlearn.layercheck` (imported on first
    use: that module builds on this one)."""
    if name in _LAYER_NAMES:
        from rnnlearn import layercheck
        return getattr(layercheck, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAYER_NAMES))
