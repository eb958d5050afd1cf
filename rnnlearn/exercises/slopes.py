"""Checkers for the coding exercises of the chapter "slopes": a central difference, a descent loop.

Each checker computes its expected values here, from the definitions, so that a change to the
package's kernels cannot change what counts as right.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_central_difference", "check_descend"]


def cube(x):
    """f(x) = x**3."""
    return x**3


def square(x):
    """f(x) = x**2."""
    return x**2


def _central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


CENTRAL_MISTAKES = [
    Mistake(lambda f, x, h: (f(x + h) - f(x)) / h,
            "this is the forward difference (f(x + h) - f(x)) / h; the central one steps to "
            "both sides: (f(x + h) - f(x - h)) / (2h)"),
    Mistake(lambda f, x, h: (f(x) - f(x - h)) / h,
            "this is the backward difference (f(x) - f(x - h)) / h; the central one steps to "
            "both sides: (f(x + h) - f(x - h)) / (2h)"),
    Mistake(lambda f, x, h: (f(x + h) - f(x - h)) / h,
            "divided by h instead of 2h: x - h and x + h are 2h apart, so the slope comes "
            "out twice too large"),
    Mistake(lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h),
            "the sign is flipped: subtract f(x - h) from f(x + h), not the other way round"),
    Mistake(lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h,
            "'/ 2 * h' multiplies by h: Python reads it as (... / 2) * h; write / (2 * h)"),
    Mistake(lambda f, x, h: f(x + h) - f(x - h) / (2 * h),
            "missing parentheses: f(x + h) - f(x - h) / (2 * h) divides only the second term"),
]


def check_central_difference(central_difference) -> CheckResult:
    """Check ``central_difference(f, x, h)``, the estimate (f(x + h) - f(x - h)) / (2h).

    Parameters
    ----------
    central_difference : callable
        The function to check: f is a function of one variable, x a float or an array (then
        the estimate is taken entry by entry), h a positive float.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-9 relative; its text is the verdict.
    """
    xs = np.array([-1.0, 0.0, 0.5, 2.0])
    cases = [
        Case("f(x) = x**3 at x = 2, h = 1e-3", (cube, 2.0, 1e-3), (_central(cube, 2.0, 1e-3),)),
        Case("f = np.sin at x = 0, h = 1e-4", (np.sin, 0.0, 1e-4), (_central(np.sin, 0.0, 1e-4),)),
        Case("a negative x: f(x) = x**3 at x = -3, h = 0.01", (cube, -3.0, 0.01),
             (_central(cube, -3.0, 0.01),)),
        Case("a zero slope: f(x) = x**2 at x = 0, h = 1e-3", (square, 0.0, 1e-3), (0.0,)),
        Case("a large x: f(x) = x**2 at x = 1e4, h = 0.5", (square, 1e4, 0.5),
             (_central(square, 1e4, 0.5),)),
        Case("an array x = [-1, 0, 0.5, 2], f = np.exp, h = 1e-3", (np.exp, xs, 1e-3),
             (_central(np.exp, xs, 1e-3),)),
    ]
    return run_cases("central_difference(f, x, h)", central_difference, cases,
                     CENTRAL_MISTAKES, arg_names=("f", "x", "h"), rtol=1e-9, atol=1e-12)


def quartic_slope(x):
    """f'(x) = 4x**3 - 9x**2, the slope of the chapter's quartic x**4 - 3x**3 + 2."""
    return 4 * x**3 - 9 * x**2


def parabola_slope(x):
    """f'(x) = 2x, the slope of f(x) = x**2."""
    return 2 * x


def _descend(grad, x0, lr, steps):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad(xs[-1]))
    return np.array(xs, dtype=float)


def _frozen_slope(grad, x0, lr, steps):
    return np.array([x0 - k * lr * grad(x0) for k in range(steps + 1)], dtype=float)


DESCEND_MISTAKES = [
    Mistake(lambda g, x0, lr, n: _descend(g, x0, lr, n)[1:],
            "x0 is missing: the array starts with x0 itself, then one iterate per step "
            "(steps + 1 entries in all)"),
    Mistake(lambda g, x0, lr, n: _descend(g, x0, -lr, n),
            "the walker goes uphill: subtract lr * grad(x), do not add it"),
    Mistake(lambda g, x0, lr, n: _descend(g, x0, lr, max(n - 1, 0)),
            "one step short: a loop over range(steps) takes steps steps"),
    Mistake(lambda g, x0, lr, n: _descend(g, x0, lr, n + 1),
            "one step too many: a loop over range(steps) takes steps steps"),
    Mistake(lambda g, x0, lr, n: float(_descend(g, x0, lr, n)[-1]),
            "it returns only the last iterate: collect every x in a list and return "
            "np.array(xs)"),
    Mistake(_frozen_slope,
            "every step uses the slope at x0: take grad at the current iterate"),
]


def check_descend(descend) -> CheckResult:
    """Check ``descend(grad, x0, lr, steps)``, the iterates of gradient descent from x0.

    Parameters
    ----------
    descend : callable
        The function to check. It must return an ndarray of shape (steps + 1,): x0, then
        x_{k+1} = x_k - lr * grad(x_k) for k = 0, ..., steps - 1.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    cases = [
        Case("the quartic from x0 = 4, lr = 0.001, 5 steps", (quartic_slope, 4.0, 0.001, 5),
             (_descend(quartic_slope, 4.0, 0.001, 5),)),
        Case("f(x) = x**2 from a negative x0 = -3, lr = 0.1, 10 steps",
             (parabola_slope, -3.0, 0.1, 10), (_descend(parabola_slope, -3.0, 0.1, 10),)),
        Case("steps = 0: only x0", (quartic_slope, 1.5, 0.01, 0), (np.array([1.5]),)),
        Case("a start at the minimum x0 = 0 stays there", (parabola_slope, 0.0, 0.1, 3),
             (np.zeros(4),)),
        Case("a large learning rate: f(x) = x**2, lr = 1.5, the iterates grow",
             (parabola_slope, 1.0, 1.5, 6), (_descend(parabola_slope, 1.0, 1.5, 6),)),
    ]
    return run_cases("descend(grad, x0, lr, steps)", descend, cases, DESCEND_MISTAKES,
                     arg_names=("grad", "x0", "lr", "steps"), rtol=1e-12, atol=1e-15,
                     type_hint="return np.array(xs), an array, not the list itself")
