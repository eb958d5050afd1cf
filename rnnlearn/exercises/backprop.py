"""Checkers for the coding exercises of the chapter "backprop": local slopes, the gradient of the
mean squared error, a dense layer's backward pass.

The expected values are computed here from the definitions (sigma'(x) = sigma(x)(1 - sigma(x)),
tanh'(x) = 1 - tanh(x)**2, (o - y)/B, the three products of a dense layer's backward pass), not
with ``rnnlearn.activations``, ``rnnlearn.losses`` or ``rnnlearn.mlp``.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_sigmoid_slope", "check_tanh_slope", "check_mse_gradient",
           "check_dense_backward"]

# the inputs of both slope checkers: zero, a batch of one, negatives, large values of both signs
SLOPE_INPUTS = [
    ("x = 0 (an array of shape (1,))", np.array([0.0])),
    ("x = [-2, -0.5, 0.5, 2]", np.array([-2.0, -0.5, 0.5, 2.0])),
    ("a (2, 3) array", np.array([[0.1, -1.5, 3.0], [-4.0, 0.7, 1.2]])),
    ("large inputs x = [-1000, -30, 30, 1000]", np.array([-1000.0, -30.0, 30.0, 1000.0])),
]


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))  # no overflow for any x


SIGMOID_MISTAKES = [
    Mistake(lambda x: _sigmoid(x), "that is sigma(x) itself; its slope is sigma(x) * (1 - "
                                   "sigma(x))"),
    Mistake(lambda x: x * (1 - x),
            "x * (1 - x) is the slope written with the output o = sigma(x): compute "
            "o = sigma(x) first, then o * (1 - o)"),
    Mistake(lambda x: _sigmoid(x) * (1 + _sigmoid(x)),
            "a sign slipped: sigma(x) * (1 - sigma(x)), with a minus"),
    Mistake(lambda x: 1 - _sigmoid(x), "the factor sigma(x) is missing: sigma(x) * (1 - "
                                       "sigma(x))"),
    Mistake(lambda x: 1 - _sigmoid(x) ** 2,
            "1 - sigma(x)**2 is the pattern of tanh's slope; the sigmoid's is "
            "sigma(x) * (1 - sigma(x))"),
]

TANH_MISTAKES = [
    Mistake(np.tanh, "that is tanh(x) itself; its slope is 1 - tanh(x)**2"),
    Mistake(lambda x: 1 - np.tanh(x), "the square is missing: 1 - tanh(x)**2"),
    Mistake(lambda x: 1 - x**2,
            "1 - x**2 is the slope written with the output o = tanh(x): compute o first, "
            "then 1 - o**2"),
    Mistake(lambda x: 1 + np.tanh(x) ** 2, "a sign slipped: 1 - tanh(x)**2, with a minus"),
    Mistake(lambda x: (1 - np.tanh(x)) ** 2,
            "(1 - tanh(x))**2 squares the wrong thing: 1 - tanh(x)**2 = (1 - tanh(x))(1 + "
            "tanh(x))"),
    Mistake(lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
            "that is the sigmoid's slope; tanh's is 1 - tanh(x)**2"),
]


def _slope_cases(slope):
    return [Case(label, (x,), (slope(x),)) for label, x in SLOPE_INPUTS]


def check_sigmoid_slope(sigmoid_slope) -> CheckResult:
    """Check ``sigmoid_slope(x)``, the slope sigma'(x) = sigma(x)(1 - sigma(x)) entry by entry.

    Parameters
    ----------
    sigmoid_slope : callable
        The function to check; x is an ndarray of any shape, and so is its result.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-9 relative (1e-15 absolute): also
        at x = +-1000, where a careless formula gives NaN.
    """
    return run_cases("sigmoid_slope(x)", sigmoid_slope,
                     _slope_cases(lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
                     SIGMOID_MISTAKES, arg_names=("x",), rtol=1e-9, atol=1e-15)


def check_tanh_slope(tanh_slope) -> CheckResult:
    """Check ``tanh_slope(x)``, the slope tanh'(x) = 1 - tanh(x)**2 entry by entry.

    Parameters
    ----------
    tanh_slope : callable
        The function to check; x is an ndarray of any shape, and so is its result.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-9 relative (1e-15 absolute).
    """
    return run_cases("tanh_slope(x)", tanh_slope,
                     _slope_cases(lambda x: 1 - np.tanh(x) ** 2),
                     TANH_MISTAKES, arg_names=("x",), rtol=1e-9, atol=1e-15)


MSE_MISTAKES = [
    Mistake(lambda o, y: o - y,
            "the 1/B is missing: the loss is a mean over the batch, so every gradient is "
            "divided by B = o.shape[0] (with B = 1 you cannot tell)"),
    Mistake(lambda o, y: (o - y) / o.size,
            "divided by B * K: that is the mean over every entry (PyTorch's MSELoss); this "
            "loss sums over the K outputs and averages over the B examples only"),
    Mistake(lambda o, y: (o - y) / o.shape[1],
            "divided by the number of outputs K: the mean is over the batch, B = o.shape[0]"),
    Mistake(lambda o, y: 2 * (o - y) / len(o),
            "twice too large: the 1/2 in the loss cancels the 2 from the square"),
    Mistake(lambda o, y: (y - o) / len(o), "the sign is flipped: the gradient is (o - y) / B"),
]


def check_mse_gradient(mse_gradient) -> CheckResult:
    """Check ``mse_gradient(o, y)``, the gradient of L = (1/B) sum_b (1/2)||o_b - y_b||^2.

    Parameters
    ----------
    mse_gradient : callable
        The function to check. With outputs o and targets y, both of shape (B, K), it must
        return dL/do = (o - y) / B, of shape (B, K).

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(5)
    shapes = [("B = 4 examples, K = 3 outputs", (4, 3), 1.0),
              ("a batch of one, B = 1, K = 2", (1, 2), 1.0),
              ("B = 2, K = 5", (2, 5), 1.0),
              ("large and negative values, B = 6, K = 1", (6, 1), -1e3)]
    cases = []
    for label, shape, scale in shapes:
        o, y = rng.normal(size=shape) * scale, rng.normal(size=shape)
        cases.append(Case(label, (o, y), ((o - y) / shape[0],)))
    o = rng.normal(size=(3, 2))
    cases.append(Case("a perfect fit, o = y: zero gradient", (o, o.copy()), (np.zeros((3, 2)),)))
    return run_cases("mse_gradient(o, y)", mse_gradient, cases, MSE_MISTAKES,
                     arg_names=("o", "y"), rtol=1e-12, atol=1e-15)


def _dense(dnet, x, W):
    return dnet @ W.T, x.T @ dnet, dnet.sum(axis=0)


def _replace(k, value):
    """A mistake that gets output k wrong in the way ``value(dnet, x, W)`` computes."""
    def outputs(dnet, x, W):
        right = list(_dense(dnet, x, W))
        right[k] = value(dnet, x, W)
        return tuple(right)
    return outputs


DENSE_MISTAKES = [
    Mistake(_replace(1, lambda dnet, x, W: dnet.T @ x),
            "dW is transposed: it has W's shape (D, H), so dW = x.T @ dnet"),
    Mistake(_replace(1, lambda dnet, x, W: (dnet.T @ x).T),
            "dW is transposed: it has W's shape (D, H), so dW = x.T @ dnet"),
    Mistake(_replace(0, lambda dnet, x, W: dnet @ W),
            "dx multiplies by W instead of W.T: dx = dnet @ W.T, of x's shape (B, D)"),
    Mistake(_replace(0, lambda dnet, x, W: W @ dnet.T),
            "dx is transposed: it has x's shape (B, D), so dx = dnet @ W.T"),
    Mistake(_replace(2, lambda dnet, x, W: dnet.sum(axis=1)),
            "db sums over the wrong axis: sum over the batch, dnet.sum(axis=0), one entry per "
            "output unit"),
    Mistake(_replace(2, lambda dnet, x, W: dnet.sum(axis=0, keepdims=True)),
            "db has shape (1, H): sum with axis=0 and without keepdims, to get b's shape (H,)"),
    Mistake(_replace(2, lambda dnet, x, W: dnet.mean(axis=0)),
            "db is divided by B: dnet already holds dL/dnet of the mean loss, so the 1/B is "
            "in it; sum over the batch"),
    Mistake(_replace(1, lambda dnet, x, W: x.T @ dnet / len(x)),
            "dW is divided by B: dnet already holds dL/dnet of the mean loss, so the 1/B is "
            "in it; dW = x.T @ dnet"),
    Mistake(_replace(2, lambda dnet, x, W: dnet.sum()),
            "db sums over everything: sum over the batch only, dnet.sum(axis=0)"),
    Mistake(_replace(1, lambda dnet, x, W: W.T @ dnet.T),
            "dW multiplies the wrong pair: the gradient of W pairs the input x with dnet, "
            "dW = x.T @ dnet"),
]


def check_dense_backward(dense_backward) -> CheckResult:
    """Check ``dense_backward(dnet, x, W)``, the backward pass of net = x @ W + b.

    Parameters
    ----------
    dense_backward : callable
        The function to check. With dnet (B, H), x (B, D) and W (D, H) it must return
        ``(dx, dW, db)`` with shapes (B, D), (D, H) and (H,), leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-10 relative.
    """
    rng = np.random.default_rng(3)

    def arrays(B, D, H, scale=1.0):
        return (rng.normal(size=(B, H)) * scale, rng.normal(size=(B, D)),
                rng.normal(size=(D, H)))

    shapes = [
        ("B = 4, D = 3, H = 2 (W not square)", arrays(4, 3, 2)),
        ("a batch of one, B = 1, D = 5, H = 3", arrays(1, 5, 3)),
        ("a square W, D = H = 3", arrays(6, 3, 3)),
        ("B = D = H = 2 (every shape the same)", arrays(2, 2, 2)),
        ("a zero dnet", (np.zeros((3, 2)),) + arrays(3, 4, 2)[1:]),
        ("large and negative dnet, B = 5, D = 2, H = 4", arrays(5, 2, 4, scale=-1e3)),
    ]
    cases = [Case(label, a, _dense(*a)) for label, a in shapes]
    return run_cases("dense_backward(dnet, x, W)", dense_backward, cases, DENSE_MISTAKES,
                     names=("dx", "dW", "db"), arg_names=("dnet", "x", "W"),
                     rtol=1e-10, atol=1e-12)
