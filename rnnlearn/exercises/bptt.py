"""Checkers for the coding exercises of the chapter "bptt" (book/bptt.ipynb): one step of a
recurrent cell in nn.RNN's layout, and backpropagation through time for its weights.

The expected values are computed here from the definitions, with plain loops over time
(a_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, h_t = tanh(a_t); delta_t = (dL/dh_t +
delta_{t+1} W_hh) * (1 - h_t**2)), not with ``rnnlearn.rnn``.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_rnn_step", "check_bptt"]


def _step(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def _sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


STEP_MISTAKES = [
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih + b_ih + h @ W_hh + b_hh),
            "the weights are used untransposed: in nn.RNN's layout a weight has shape "
            "(out, in), so a row vector x times it is x @ W_ih.T (and h_prev @ W_hh.T)"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh),
            "W_hh is used untransposed: W_hh has shape (out, in) = (H, H), so the recurrent "
            "term is h_prev @ W_hh.T"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: x @ W_ih.T + b_ih + h @ W_hh.T + b_hh,
            "that is the net input a_t: the new state is tanh(a_t)"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + b_hh),
            "the recurrent term h_prev @ W_hh.T is missing: without it the cell has no memory"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + h @ W_hh.T + b_hh),
            "b_ih is missing: nn.RNN adds both biases, b_ih and b_hh"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T),
            "b_hh is missing: nn.RNN adds both biases, b_ih and b_hh"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: _sigmoid(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh),
            "that is the logistic function sigma(a_t); the cell uses tanh(a_t)"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(W_ih @ x.T + W_hh @ h.T).T
            + 0 * b_ih, "the biases are missing (and check the layout of each product)"),
]


def check_rnn_step(rnn_step) -> CheckResult:
    """Check ``rnn_step(x, h_prev, W_ih, W_hh, b_ih, b_hh)``, one step of a tanh RNN.

    Parameters
    ----------
    rnn_step : callable
        The function to check. With x (B, D), h_prev (B, H), W_ih (H, D), W_hh (H, H),
        b_ih (H,) and b_hh (H,), it must return h_t = tanh(x W_ih^T + b_ih + h_prev W_hh^T +
        b_hh), shape (B, H), leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(11)

    def arrays(B, D, H, scale=1.0, zero_h=False):
        x = rng.normal(size=(B, D)) * scale
        h = np.zeros((B, H)) if zero_h else rng.uniform(-1, 1, size=(B, H))
        return (x, h, rng.normal(size=(H, D)), rng.normal(size=(H, H)) / np.sqrt(H),
                rng.normal(size=H), rng.normal(size=H))

    shapes = [
        ("B = 3, D = 2, H = 4 (W_ih not square)", arrays(3, 2, 4)),
        ("a batch of one, B = 1, D = 3, H = 2", arrays(1, 3, 2)),
        ("D = H = 3 (W_ih square)", arrays(4, 3, 3)),
        ("the first step, h_prev = 0", arrays(2, 3, 3, zero_h=True)),
        ("large inputs, B = 2, D = H = 2", arrays(2, 2, 2, scale=50.0)),
    ]
    cases = [Case(label, a, (_step(*a),)) for label, a in shapes]
    return run_cases("rnn_step(x, h_prev, W_ih, W_hh, b_ih, b_hh)", rnn_step, cases,
                     STEP_MISTAKES, arg_names=("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
                     rtol=1e-12, atol=1e-14)


def _bptt(dhs, xs, h0, hs, W_hh, recurrent=True, slope=True, slope_on_all=True,
          layout=False, h_now=False, transposed=False):
    """BPTT by a plain loop, or one of its typical wrong variants (the flags)."""
    T, B, H = hs.shape
    dW_ih, dW_hh, db = 0.0, 0.0, 0.0
    delta_next = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        back = delta_next @ (W_hh.T if layout else W_hh) if recurrent else 0.0
        slope_t = 1 - hs[t] ** 2 if slope else 1.0
        delta = (dhs[t] + back) * slope_t if slope_on_all else dhs[t] * slope_t + back
        h_prev = hs[t] if h_now else (hs[t - 1] if t > 0 else h0)
        if transposed:
            dW_ih, dW_hh = dW_ih + xs[t].T @ delta, dW_hh + h_prev.T @ delta
        else:
            dW_ih, dW_hh = dW_ih + delta.T @ xs[t], dW_hh + delta.T @ h_prev
        db = db + delta.sum(axis=0)
        delta_next = delta
    return dW_ih, dW_hh, db


def _variant(**flags):
    return lambda dhs, xs, h0, hs, W_hh: _bptt(dhs, xs, h0, hs, W_hh, **flags)


BPTT_MISTAKES = [
    Mistake(_variant(recurrent=False),
            "the recurrent term is missing from delta_t: h_t also feeds a_{t+1}, so "
            "dL/dh_t = (the loss at step t) + delta_{t+1} @ W_hh; treating h_{t-1} as a "
            "constant gives only the immediate derivative of each step"),
    Mistake(_variant(h_now=True),
            "dW_hh pairs delta_t with h_t: a_t = ... + h_{t-1} W_hh^T, so its weight "
            "gradient is delta_t.T @ h_{t-1} (h0 at the first step)"),
    Mistake(_variant(layout=True),
            "the error goes back through W_hh.T: a_{t+1} = ... + h_t @ W_hh.T, so "
            "dL/dh_t gets delta_{t+1} @ W_hh"),
    Mistake(_variant(transposed=True),
            "the weight gradients are transposed: they have the weights' shapes (H, D) and "
            "(H, H), so dW_ih = delta_t.T @ x_t and dW_hh = delta_t.T @ h_{t-1}"),
    Mistake(_variant(slope=False),
            "the factor tanh'(a_t) = 1 - h_t**2 is missing: delta_t = dL/da_t = "
            "dL/dh_t * (1 - h_t**2)"),
    Mistake(_variant(slope_on_all=False),
            "1 - h_t**2 multiplies only the step's own loss: it multiplies all of dL/dh_t, "
            "(dhs[t] + delta_{t+1} @ W_hh) * (1 - h_t**2)"),
]


def check_bptt(bptt) -> CheckResult:
    """Check ``bptt(dhs, xs, h0, hs, W_hh)``, the weight gradients of a tanh RNN by BPTT.

    Parameters
    ----------
    bptt : callable
        The function to check. From dhs (T, B, H), the gradients dL_t/dh_t of the losses at
        each step alone, the inputs xs (T, B, D), the initial state h0 (B, H), the states
        hs (T, B, H) of h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (hs[t - 1] is
        h_t) and W_hh (H, H), it must return ``(dW_ih, dW_hh, db)`` of shapes (H, D), (H, H)
        and (H,) (db: the gradient of either bias), leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-10 relative.
    """
    rng = np.random.default_rng(12)

    def arrays(T, B, D, H, last_only=False, scale=1.0):
        xs = rng.normal(size=(T, B, D))
        h0 = rng.uniform(-0.5, 0.5, size=(B, H))
        W_ih, W_hh = rng.normal(size=(H, D)), rng.normal(size=(H, H)) * 1.2 / np.sqrt(H)
        b = rng.normal(size=H) * 0.3
        hs, h = np.empty((T, B, H)), h0
        for t in range(T):
            h = hs[t] = np.tanh(xs[t] @ W_ih.T + h @ W_hh.T + b)
        dhs = rng.normal(size=(T, B, H)) * scale
        if last_only:
            dhs[:-1] = 0.0
        return dhs, xs, h0, hs, W_hh

    shapes = [
        ("T = 4, B = 3, D = 2, H = 3", arrays(4, 3, 2, 3)),
        ("a batch of one, B = 1 (T = 5, D = 3, H = 2)", arrays(5, 1, 3, 2)),
        ("one step, T = 1 (B = 2, D = 2, H = 3)", arrays(1, 2, 2, 3)),
        ("a loss at the last step only (many-to-one, T = 6)", arrays(6, 2, 1, 4, True)),
        ("D = 4, H = 2, large and negative dhs", arrays(3, 2, 4, 2, scale=-1e3)),
    ]
    cases = [Case(label, a, _bptt(*a)) for label, a in shapes]
    return run_cases("bptt(dhs, xs, h0, hs, W_hh)", bptt, cases, BPTT_MISTAKES,
                     names=("dW_ih", "dW_hh", "db"), arg_names=("dhs", "xs", "h0", "hs", "W_hh"),
                     rtol=1e-10, atol=1e-12)
