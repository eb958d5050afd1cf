r"""Slopes by finite differences: derivatives, gradients, tangent lines and their errors.

Used by the chapter "slopes" (the derivative as the slope of a tangent line, and why the
central difference beats the forward one) and, through :mod:`rnnlearn.gradcheck`, by every
gradient check in the book.
"""
from numbers import Real
from typing import NamedTuple

import numpy as np

from rnnlearn._checks import check_array, check_bool


def _check_step(h):
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, Real):
        raise TypeError(f"h must be a finite number > 0; got {type(h).__name__} {h!r}")
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a finite number > 0; got {h}")


def _check_exact_step(exact_step):
    check_bool("exact_step", exact_step)


def _run(x_plus, x_minus, h, exact_step):
    """The run to divide by: ``h``, or the run the rounded points really span.

    ``x_plus - x_minus`` is computed exactly when the two points are within a factor 2 of
    each other (Sterbenz's lemma), which holds whenever the step is small against ``x``.
    """
    if not exact_step:
        return h
    run = x_plus - x_minus
    if np.any(run == 0):
        raise ValueError("h is too small to change x: x + h rounds back to x")
    return run


def _as_point(x):
    """``x`` as a float (for a scalar, so plain ``math`` functions work) or a float64 array."""
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def derivative(f, x, h=1e-5, exact_step=False):
    r"""Central-difference estimate of :math:`f'(x)`.

    Parameters
    ----------
    f : callable
        :math:`\mathbb{R} \to \mathbb{R}`; must be vectorised if ``x`` is an array.
    x : float or ndarray, shape (...)
    h : float, optional
        Step, finite and > 0.
    exact_step : bool, optional
        If True, divide by the run the two points really span, ``(x + h) - (x - h)``
        after rounding, instead of ``2 h``: ``x + h`` is rarely a double, so the run
        differs from ``2 h`` by up to about :math:`\varepsilon |x|`, an error that the
        division by a tiny ``h`` magnifies (Numerical Recipes, section 5.7). Raises
        ``ValueError`` if ``x + h`` rounds back to ``x``.

    Returns
    -------
    float or ndarray, shape (...)

    Equations
    ---------
    .. math::

        f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}, \qquad
        \text{error} = \frac{h^2}{6} f'''(x) + O(h^4)
    """
    _check_step(h)
    _check_exact_step(exact_step)
    x = _as_point(x)
    x_plus, x_minus = x + h, x - h
    return (f(x_plus) - f(x_minus)) / _run(x_plus, x_minus, 2 * h, exact_step)


def forward_difference(f, x, h=1e-5, exact_step=False):
    r"""Forward-difference estimate of :math:`f'(x)`: the slope of a secant.

    Parameters
    ----------
    f : callable
    x : float or ndarray, shape (...)
    h : float, optional
        Step, finite and > 0.
    exact_step : bool, optional
        If True, divide by the run really taken, ``(x + h) - x`` after rounding, instead
        of ``h`` (Numerical Recipes, section 5.7: ``temp = x + h; h = temp - x``).
        Raises ``ValueError`` if ``x + h`` rounds back to ``x``.

    Returns
    -------
    float or ndarray, shape (...)

    Equations
    ---------
    .. math::

        f'(x) \approx \frac{f(x + h) - f(x)}{h}, \qquad
        \text{error} = \frac{h}{2} f''(x) + O(h^2)
    """
    _check_step(h)
    _check_exact_step(exact_step)
    x = _as_point(x)
    x_plus = x + h
    return (f(x_plus) - f(x)) / _run(x_plus, x, h, exact_step)


def _central_partials(f, w, h):
    """Central differences of ``f(w)`` in every entry of the float array ``w`` (any shape).

    Each entry is perturbed in place and then restored by assignment, so ``w`` is
    bit-for-bit unchanged afterwards.
    """
    grad = np.zeros(w.shape)
    for index in np.ndindex(w.shape):
        original = w[index]
        w[index] = original + h
        f_plus = f(w)
        w[index] = original - h
        f_minus = f(w)
        w[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient(f, w, h=1e-5):
    r"""Central-difference estimate of the gradient :math:`\nabla f(w)`.

    Parameters
    ----------
    f : callable
        :math:`\mathbb{R}^n \to \mathbb{R}`, called with arrays of shape (n,).
    w : ndarray, shape (n,)
        The caller's array is not modified.
    h : float, optional
        Step, finite and > 0.

    Returns
    -------
    ndarray, shape (n,)

    Equations
    ---------
    .. math::

        \frac{\partial f}{\partial w_i} \approx \frac{f(w + h e_i) - f(w - h e_i)}{2h}
    """
    _check_step(h)
    w = check_array("w", w, "(n,)").astype(np.float64)  # a copy: perturbed in place below
    return _central_partials(f, w, h)


class Line(NamedTuple):
    r"""The straight line :math:`y = \text{slope}\cdot x + \text{intercept}`."""

    slope: float
    intercept: float

    def __call__(self, x):
        """Height of the line at ``x`` (float or ndarray)."""
        return self.slope * np.asarray(x, dtype=np.float64) + self.intercept


def tangent_line(f, x0, slope=None, h=1e-5):
    r"""Tangent line to ``f`` at ``x0``.

    Parameters
    ----------
    f : callable
    x0 : float
    slope : float, optional
        :math:`f'(x_0)` if known; otherwise estimated with :func:`derivative`.
    h : float, optional
        Step for the estimate.

    Returns
    -------
    Line

    Equations
    ---------
    .. math::

        y = f(x_0) + f'(x_0)\,(x - x_0)
    """
    x0 = float(x0)
    slope = float(derivative(f, x0, h) if slope is None else slope)
    return Line(slope, float(f(x0)) - slope * x0)


def difference_errors(f, df, x, hs, exact_step=False):
    r"""Absolute errors of the central and forward differences for each step in ``hs``.

    On a log-log plot against :math:`h` the central error falls with slope 2 and the
    forward one with slope 1, until rounding error (of order :math:`\varepsilon / h` times
    the sizes of :math:`x f'(x)` and of the terms of :math:`f`) takes over for tiny
    :math:`h` and the errors grow again.

    Parameters
    ----------
    f : callable
    df : callable
        The exact derivative :math:`f'`.
    x : float or ndarray, shape (...)
    hs : ndarray, shape (S,)
        Steps, each finite and > 0.
    exact_step : bool, optional
        Passed on to :func:`derivative` and :func:`forward_difference`.

    Returns
    -------
    central_errors, forward_errors : ndarray, shape (S, ...)

    Equations
    ---------
    .. math::

        e_c(h) = \Big|\tfrac{f(x+h) - f(x-h)}{2h} - f'(x)\Big|
        \approx \tfrac{h^2}{6}|f'''(x)|,
        \qquad
        e_f(h) = \Big|\tfrac{f(x+h) - f(x)}{h} - f'(x)\Big| \approx \tfrac{h}{2}|f''(x)|
    """
    hs = check_array("hs", hs).astype(np.float64)
    if hs.ndim != 1 or hs.size == 0:
        raise ValueError(f"hs must have shape (S,) with S >= 1; got {hs.shape}")
    exact = df(_as_point(x))
    _check_exact_step(exact_step)
    central = [np.abs(derivative(f, x, h, exact_step) - exact) for h in hs]
    forward = [np.abs(forward_difference(f, x, h, exact_step) - exact) for h in hs]
    return np.array(central), np.array(forward)
