"""Convergence-rate theory of gradient descent and momentum on a quadratic, and its measurement.

Used by the chapter "descent". On f(w) = 1/2 (w - w*)^T A (w - w*) with eigenvalues lambda of A in
[mu, L] (kappa = L / mu), each eigen-direction evolves independently, so the error
||w_k - w*|| shrinks like rate^k. The formulas follow Goh (2017), "Why Momentum Really Works",
Distill, including his momentum convention z <- beta z + grad f(w); w <- w - alpha z.
A rate is per step: below 1 the iteration converges, above 1 it diverges.

The learning rate (step size) alpha of the formulas is the argument ``lr``, as everywhere in the
package; the optimal pairs are NamedTuples with an ``lr`` field (``.alpha`` is kept as an alias).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class GDOptimum(NamedTuple):
    """Best constant step size of gradient descent and the rate it achieves."""

    lr: float  # alpha* = 2 / (mu + L)
    rate: float

    @property
    def alpha(self):
        """The same as ``lr`` (the formulas' name for it)."""
        return self.lr


class MomentumOptimum(NamedTuple):
    """Best (lr, beta) of heavy-ball momentum and the rate it achieves."""

    lr: float  # alpha*
    beta: float
    rate: float

    @property
    def alpha(self):
        """The same as ``lr`` (the formulas' name for it)."""
        return self.lr


def _eigenvalues(mu, L):
    """Eigenvalues as a 1-D array, from (mu, L) or from an array given as mu with L None."""
    lam = (np.atleast_1d(np.asarray(mu, dtype=float)) if L is None
           else np.array([mu, L], dtype=float))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)) or lam.min() < 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D array of finite values >= 0; "
                         f"got {lam}")
    if L is not None and not mu <= L:
        raise ValueError(f"mu must be <= L; got mu={mu}, L={L}")
    return lam


def _check_interval(mu, L):
    if not 0 < mu <= L < np.inf:
        raise ValueError(f"need 0 < mu <= L < inf; got mu={mu}, L={L}")


def gd_rate(lr, mu, L=None):
    r"""Worst-case per-step contraction of gradient descent with step size alpha.

    Parameters
    ----------
    lr : float or ndarray
        Learning rate(s) alpha; an array gives one rate per entry.
    mu : float or array_like
        Smallest eigenvalue; or, with L omitted, all the eigenvalues.
    L : float, optional
        Largest eigenvalue. The maximum over [mu, L] is reached at an end, so (mu, L) suffice.

    Returns
    -------
    rate : float or ndarray, shape of lr

    Equations
    ---------
    .. math:: \text{rate}(\alpha) = \max_i |1 - \alpha \lambda_i|
              = \max(|1 - \alpha\mu|, |1 - \alpha L|)
    """
    lam = _eigenvalues(mu, L)
    lr = np.asarray(lr, dtype=float)
    rate = np.abs(1.0 - lr[..., None] * lam).max(axis=-1)
    return float(rate) if rate.ndim == 0 else rate


def gd_stability_limit(L):
    """Largest step size for which gradient descent converges: alpha < 2 / L.

    Parameters
    ----------
    L : float
        Largest eigenvalue, finite and > 0.

    Returns
    -------
    float
    """
    if not 0 < L < np.inf:
        raise ValueError(f"L must be a finite number > 0; got {L}")
    return 2.0 / L


def gd_optimal(mu, L):
    r"""Step size minimising :func:`gd_rate`, where |1 - alpha mu| = |1 - alpha L|.

    Parameters
    ----------
    mu, L : float
        Smallest and largest eigenvalue, 0 < mu <= L < inf.

    Returns
    -------
    GDOptimum
        ``(lr, rate)``.

    Equations
    ---------
    .. math:: \alpha^* = \frac{2}{\mu + L}, \quad
              \text{rate}^* = \frac{L - \mu}{L + \mu} = \frac{\kappa - 1}{\kappa + 1}
    """
    _check_interval(mu, L)
    return GDOptimum(float(2.0 / (mu + L)), float((L - mu) / (L + mu)))


def momentum_matrix(lr, beta, lam):
    r"""Iteration matrix of momentum along one eigen-direction, in Goh's (z, w - w*) coordinates.

    Parameters
    ----------
    lr, beta, lam : float or ndarray
        Learning rate alpha, momentum and eigenvalue, broadcast together; the result has
        their broadcast shape plus (2, 2).

    Returns
    -------
    R : ndarray, shape (..., 2, 2)

    Equations
    ---------
    .. math:: \begin{pmatrix} z_{k+1} \\ x_{k+1} \end{pmatrix}
              = \begin{pmatrix} \beta & \lambda \\ -\alpha\beta & 1 - \alpha\lambda
              \end{pmatrix} \begin{pmatrix} z_k \\ x_k \end{pmatrix}
    """
    lr, beta, lam = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lr, beta, lam)))
    return np.stack([np.stack([beta, lam], -1), np.stack([-lr * beta, 1 - lr * lam], -1)], -2)


def momentum_rate(lr, beta, eigenvalues):
    r"""Worst-case per-step contraction of heavy-ball momentum: the largest spectral radius.

    For each eigenvalue, the spectral radius of :func:`momentum_matrix` is the larger |root| of
    its characteristic polynomial t^2 - (1 + beta - alpha lambda) t + beta.

    Parameters
    ----------
    lr, beta : float or ndarray
        Learning rate alpha and momentum, broadcast together, e.g. a grid for a rate map.
    eigenvalues : array_like, shape (n,)
        E.g. (mu, L): the worst case over [mu, L] is at one of its ends.

    Returns
    -------
    rate : float or ndarray, shape broadcast(lr, beta)

    Equations
    ---------
    .. math:: \text{rate} = \max_i \max |t|, \quad t^2 - (1 + \beta - \alpha\lambda_i) t + \beta = 0
    """
    lam = _eigenvalues(eigenvalues, None)
    lr = np.asarray(lr, dtype=float)[..., None]
    beta = np.asarray(beta, dtype=float)[..., None]
    trace = 1 + beta - lr * lam  # of momentum_matrix; its determinant is beta
    root = np.sqrt(trace.astype(complex) ** 2 - 4 * beta)  # complex when the roots are
    rate = np.maximum(np.abs(trace + root), np.abs(trace - root)).max(axis=-1) / 2
    return float(rate) if rate.ndim == 0 else rate


def momentum_stable(lr, beta, lam):
    r"""Whether momentum converges along an eigen-direction (Goh 2017): rate < 1.

    Parameters
    ----------
    lr, beta, lam : float or ndarray
        Learning rate alpha, momentum and eigenvalue, broadcast together.

    Returns
    -------
    bool or ndarray of bool, shape broadcast(lr, beta, lam)

    Equations
    ---------
    .. math:: 0 < \alpha\lambda < 2 + 2\beta, \quad 0 \le \beta < 1
    """
    lr, beta, lam = (np.asarray(v, dtype=float) for v in (lr, beta, lam))
    stable = (0 < lr * lam) & (lr * lam < 2 + 2 * beta) & (0 <= beta) & (beta < 1)
    return bool(stable) if stable.ndim == 0 else stable


def momentum_optimal(mu, L):
    r"""Polyak's optimal heavy-ball parameters for eigenvalues in [mu, L].

    At this point every eigen-direction contracts at the same rate sqrt(beta*).

    Parameters
    ----------
    mu, L : float
        Smallest and largest eigenvalue, 0 < mu <= L < inf.

    Returns
    -------
    MomentumOptimum
        ``(lr, beta, rate)``.

    Equations
    ---------
    .. math:: \alpha^* = \left(\frac{2}{\sqrt{L} + \sqrt{\mu}}\right)^2, \quad
              \beta^* = \left(\frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}\right)^2, \quad
              \text{rate}^* = \frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}
    """
    _check_interval(mu, L)
    root_kappa = np.sqrt(L / mu)
    rate = (root_kappa - 1) / (root_kappa + 1)
    lr = (2 / (np.sqrt(L) + np.sqrt(mu))) ** 2
    return MomentumOptimum(float(lr), float(rate**2), float(rate))


def measured_rate(errors, tail=0.5, squared=False):
    r"""Per-step contraction factor of a converging (or diverging) sequence, from its tail.

    Takes the last ``tail`` fraction of the sequence, e_m ... e_n, and returns the geometric
    mean of the step ratios, (e_n / e_m)^(1 / (n - m)). Over a long enough tail this is the
    asymptotic rate, even when single ratios oscillate (complex roots of momentum).

    Parameters
    ----------
    errors : array_like, shape (k + 1,)
        Distances ||w_k - w*|| to the minimum; or, with squared=True, suboptimalities
        f(w_k) - f_min, which scale like the squared distance on a quadratic.
    tail : float in (0, 1]
        Fraction of the sequence to use, at its end.
    squared : bool
        Return the square root of the factor measured on ``errors`` (rate of the distance).

    Returns
    -------
    rate : float

    Equations
    ---------
    .. math:: \hat{r} = \left(\frac{e_n}{e_m}\right)^{1/(n - m)}, \quad m = n - \lfloor
              \text{tail} \cdot n \rfloor
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim != 1 or len(errors) < 3:
        raise ValueError(f"errors must have shape (k + 1,) with k >= 2; got {errors.shape}")
    if not 0 < tail <= 1:
        raise ValueError(f"tail must be in (0, 1]; got {tail}")
    n = len(errors) - 1
    m = n - max(int(tail * n), 1)
    if not np.all(errors[m:] > 0) or not np.all(np.isfinite(errors[m:])):
        raise ValueError("errors must be finite and > 0 over the tail; got a zero, negative or "
                         "non-finite value")
    rate = (errors[n] / errors[m]) ** (1.0 / (n - m))
    return float(np.sqrt(rate) if squared else rate)


#: Below this relative error a sequence counts as converged to rounding (see peak_rate).
ROUNDING = 1e-14


def peak_rate(errors, rounding=ROUNDING) -> float:
    r"""Per-step factor of a sequence of errors, from the peaks of the second half of its usable
    part.

    The usable part ends at the last error above ``rounding``. Its second half, steps m..n, is cut
    into thirds; the rate is :math:`(e_{i_2} / e_{i_1})^{1/(i_2 - i_1)}` between the largest error
    of the first third (step :math:`i_1`) and that of the last third (step :math:`i_2`). Taking
    peaks rather than end points keeps oscillating errors (complex roots of momentum, which can
    pass through zero) from fooling the estimate; on a geometric sequence it is exact.

    Parameters
    ----------
    errors : ndarray, shape (k + 1,)
        Relative errors, finite and >= 0.
    rounding : float
        Errors at or below this count as converged to rounding and are not used.

    Returns
    -------
    rate : float
        0.0 when the errors reach rounding level within 4 steps.
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim != 1 or not np.all(np.isfinite(errors)) or np.any(errors < 0):
        raise ValueError(f"errors must be a 1-D array of finite values >= 0; "
                         f"got shape {errors.shape}")
    above = np.flatnonzero(errors > rounding)
    n = int(above[-1]) if above.size else 0
    if n < 4:
        return 0.0
    m = n // 2
    third = max((n - m) // 3, 1)
    i1 = m + int(np.argmax(errors[m:m + third]))
    i2 = n - third + 1 + int(np.argmax(errors[n - third + 1:n + 1]))
    return float((errors[i2] / errors[i1]) ** (1.0 / (i2 - i1)))
