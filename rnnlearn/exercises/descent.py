"""Checkers for the coding exercises of the chapter "descent": one momentum step, one Adam step.

The expected values follow the chapter's equations (the convention of ``optim.Momentum`` and
``optim.Adam``), computed here from the definitions rather than with the optimiser classes.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_momentum_step", "check_adam_step"]


def _momentum(w, z, g, lr, beta):
    z_new = beta * z + g
    return w - lr * z_new, z_new


MOMENTUM_MISTAKES = [
    Mistake(lambda w, z, g, lr, beta: (w + lr * (beta * z + g), beta * z + g),
            "w moves uphill: the step is w - lr * z, not w + lr * z"),
    Mistake(lambda w, z, g, lr, beta: (w - lr * z, beta * z + g),
            "w moves with the old velocity: update z first, then step with the new z"),
    Mistake(lambda w, z, g, lr, beta: (w - lr * (z + g), z + g),
            "the old velocity is not discounted: z = beta * z + grad"),
    Mistake(lambda w, z, g, lr, beta: (w - lr * (beta * z + (1 - beta) * g),
                                       beta * z + (1 - beta) * g),
            "(1 - beta) * grad is the damped form, which averages the gradients; this "
            "chapter's z sums them: z = beta * z + grad"),
    Mistake(lambda w, z, g, lr, beta: (w - (beta * z + lr * g), beta * z + lr * g),
            "the learning rate went into the velocity (z = beta * z + lr * grad, w = w - z); "
            "in this chapter z = beta * z + grad and w = w - lr * z"),
    Mistake(lambda w, z, g, lr, beta: _momentum(w, z, g, lr, beta)[::-1],
            "the outputs are swapped: return the new w first, then the new z"),
]


def check_momentum_step(momentum_step) -> CheckResult:
    """Check ``momentum_step(w, z, grad, lr, beta)``, one step of heavy-ball momentum.

    Parameters
    ----------
    momentum_step : callable
        The function to check. It must return the pair ``(w_new, z_new)`` of new arrays,
        with z_new = beta * z + grad and w_new = w - lr * z_new, leaving w and z unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(7)
    w1, g1 = np.array([1.0, -2.0, 0.5]), np.array([0.4, -1.0, 2.0])
    w2, z2 = np.array([-3.0, 100.0, -1e3]), np.array([0.5, -20.0, 300.0])
    g2 = np.array([-1.0, 50.0, -2e3])
    W, Z, G = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    cases = [
        Case("the first step, z = 0", (w1, np.zeros(3), g1, 0.2, 0.9),
             _momentum(w1, np.zeros(3), g1, 0.2, 0.9)),
        Case("a running velocity; negative and large entries", (w2, z2, g2, 0.01, 0.9),
             _momentum(w2, z2, g2, 0.01, 0.9)),
        Case("beta = 0: plain gradient descent", (w2, z2, g1, 0.1, 0.0),
             _momentum(w2, z2, g1, 0.1, 0.0)),
        Case("a zero gradient: the ball coasts", (w1, -z2, np.zeros(3), 0.3, 0.5),
             _momentum(w1, -z2, np.zeros(3), 0.3, 0.5)),
        Case("a weight matrix of shape (2, 3)", (W, Z, G, 0.05, 0.8),
             _momentum(W, Z, G, 0.05, 0.8)),
        Case("a single parameter, shape (1,)", (np.array([2.0]), np.array([1.0]),
                                                 np.array([-3.0]), 0.2, 0.9),
             _momentum(np.array([2.0]), np.array([1.0]), np.array([-3.0]), 0.2, 0.9)),
    ]
    return run_cases("momentum_step(w, z, grad, lr, beta)", momentum_step, cases,
                     MOMENTUM_MISTAKES, names=("w", "z"),
                     arg_names=("w", "z", "grad", "lr", "beta"), rtol=1e-12, atol=1e-14)


def _adam(w, m, v, g, k, lr, beta1=0.9, beta2=0.999, eps=1e-8, correct=True, eps_in=False,
          old=False, square=True, damp=True, power=1):
    m_new = beta1 * m + ((1 - beta1) if damp else 1.0) * g
    v_new = beta2 * v + (1 - beta2) * (g * g if square else g)
    m_step, v_step = (m, v) if old else (m_new, v_new)
    if correct:
        with np.errstate(divide="ignore", invalid="ignore"):
            m_step = m_step / (1 - beta1 ** (k + power))
            v_step = v_step / (1 - beta2 ** (k + power))
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(v_step + eps) if eps_in else np.sqrt(v_step) + eps
        return w - lr * m_step / root, m_new, v_new


def _variant(**how):
    return lambda w, m, v, g, k, lr, b1, b2, eps: _adam(w, m, v, g, k, lr, b1, b2, eps, **how)


ADAM_MISTAKES = [
    Mistake(_variant(correct=False),
            "no bias correction: divide m by 1 - beta1**(k + 1) and v by 1 - beta2**(k + 1) "
            "before the step (m and v start at zero, so early on they are too small)"),
    Mistake(_variant(power=0),
            "the correction uses beta**k: this step makes m_{k+1}, so divide by "
            "1 - beta**(k + 1) (with beta**k the first step, k = 0, divides by zero)"),
    Mistake(_variant(eps_in=True),
            "eps is inside the square root: the chapter adds it after, sqrt(v_hat) + eps"),
    Mistake(_variant(square=False),
            "v must average the squared gradient, grad**2, not the gradient itself"),
    Mistake(_variant(damp=False),
            "m is the damped average: m = beta1 * m + (1 - beta1) * grad"),
    Mistake(_variant(old=True),
            "the step uses the old m and v: update them first, then step with the new ones"),
    Mistake(lambda w, m, v, g, k, lr, b1, b2, eps: (2 * w - _adam(w, m, v, g, k, lr, b1, b2,
                                                                  eps)[0],) + _adam(
        w, m, v, g, k, lr, b1, b2, eps)[1:],
            "w moves uphill: subtract the step, do not add it"),
]


def check_adam_step(adam_step) -> CheckResult:
    """Check ``adam_step(w, m, v, grad, k, lr, beta1, beta2, eps)``, one step of Adam.

    Parameters
    ----------
    adam_step : callable
        The function to check. ``k`` is the number of steps taken before this one (0 for the
        first). It must return ``(w_new, m_new, v_new)`` as in the chapter's equations, with
        the bias correction 1 - beta**(k + 1), leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-10 relative.
    """
    rng = np.random.default_rng(11)
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.4, -1.0, 2.0])
    m, v = np.array([0.1, -0.3, 0.2]), np.array([0.02, 0.5, 0.1])
    W, G = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    M, V = rng.normal(size=(2, 3)) * 0.1, rng.uniform(0.01, 1.0, size=(2, 3))
    z3 = np.zeros(3)
    args = [
        ("the first step, k = 0, m = v = 0", (w, z3, z3, g, 0, 0.1, 0.9, 0.999, 1e-8)),
        ("a later step, k = 5", (w, m, v, g, 5, 0.01, 0.9, 0.999, 1e-8)),
        ("negative and large gradients", (-w, m, v, np.array([-50.0, 300.0, -2e3]), 2, 0.1,
                                          0.9, 0.999, 1e-8)),
        ("a zero gradient", (w, m, v, z3, 3, 0.1, 0.9, 0.999, 1e-8)),
        ("a weight matrix of shape (2, 3)", (W, M, V, G, 10, 0.05, 0.8, 0.99, 1e-8)),
        ("a large eps = 0.1, to show where it goes", (w, m, v, g, 1, 0.1, 0.9, 0.999, 0.1)),
    ]
    cases = [Case(label, a, _adam(*a)) for label, a in args]
    return run_cases("adam_step(w, m, v, grad, k, lr, beta1, beta2, eps)", adam_step, cases,
                     ADAM_MISTAKES, names=("w", "m", "v"),
                     arg_names=("w", "m", "v", "grad", "k", "lr", "beta1", "beta2", "eps"),
                     rtol=1e-10, atol=1e-13)
