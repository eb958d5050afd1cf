"""Checkers for the coding exercises of the chapter "lstm" (book/lstm.ipynb): one step of an LSTM
in nn.LSTM's layout, and the backward step along the cell path.

The expected values are computed here from the definitions (a = x W_ih^T + b_ih + h W_hh^T + b_hh,
row blocks i, f, g, o; c = f * c_prev + i * g; h = o * tanh(c); dc_prev = (dc + dh * o *
(1 - tanh(c)**2)) * f), not with ``rnnlearn.lstm``.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_lstm_step", "check_lstm_cell_backward"]


def _sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def _step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, order="ifgo", g_act=np.tanh,
          out_act=np.tanh, use_b_hh=True, untransposed=False, f_on_input=False):
    """One LSTM step by the definitions, or one of its typical wrong variants (the flags)."""
    H = h_prev.shape[1]
    W = W_ih if untransposed else W_ih.T
    a = x @ W + b_ih + h_prev @ W_hh.T + (b_hh if use_b_hh else 0.0)  # (B, 4H)
    blocks = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    i, f, o = (_sigmoid(blocks[k]) for k in "ifo")
    g = g_act(blocks["g"])
    c = f * c_prev + i * g
    if f_on_input:
        c = i * c_prev + f * g
    return o * out_act(c), c


def _wrong_step(**flags):
    return lambda *args: _step(*args, **flags)


STEP_MISTAKES = [
    Mistake(_wrong_step(order="ifog"),
            "the row blocks are read as i, f, o, g (the order of Karpathy's char-rnn, the "
            "three sigmoid gates first); nn.LSTM stacks them i, f, g, o: rows 2H:3H are the "
            "candidate g, rows 3H:4H the output gate o"),
    Mistake(_wrong_step(g_act=_sigmoid),
            "the candidate g goes through a sigmoid: only the three gates i, f, o use the "
            "sigmoid; g = tanh(a_g), so the cell can be written with either sign"),
    Mistake(_wrong_step(out_act=lambda c: c),
            "h = o * c: the cell state is squashed before it is read out, h = o * tanh(c)"),
    Mistake(_wrong_step(use_b_hh=False),
            "b_hh is missing: nn.LSTM adds both biases, b_ih and b_hh, to every gate"),
    Mistake(_wrong_step(untransposed=True),
            "W_ih is used untransposed: in nn.LSTM's layout W_ih has shape (4H, D), so the "
            "input term is x @ W_ih.T (and the recurrent term h_prev @ W_hh.T)"),
    Mistake(_wrong_step(f_on_input=True),
            "the gates are swapped in the cell update: the forget gate multiplies the old "
            "cell, c = f * c_prev + i * g"),
]


def check_lstm_step(lstm_step) -> CheckResult:
    """Check ``lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)``, one step of nn.LSTM.

    Parameters
    ----------
    lstm_step : callable
        The function to check. With x (B, D), h_prev and c_prev (B, H), W_ih (4H, D),
        W_hh (4H, H), b_ih and b_hh (4H,), it must return ``(h, c)``, each (B, H): the row
        blocks of a = x W_ih^T + b_ih + h_prev W_hh^T + b_hh are i, f, g, o;
        c = sigma(a_f) * c_prev + sigma(a_i) * tanh(a_g) and h = sigma(a_o) * tanh(c), leaving
        its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(21)

    def arrays(B, D, H, scale=1.0, zero_state=False):
        x = rng.normal(size=(B, D)) * scale
        h = np.zeros((B, H)) if zero_state else rng.uniform(-1, 1, size=(B, H))
        c = np.zeros((B, H)) if zero_state else rng.normal(size=(B, H))
        return (x, h, c, rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H)) / np.sqrt(H),
                rng.normal(size=4 * H), rng.normal(size=4 * H))

    shapes = [
        ("B = 3, D = 2, H = 4", arrays(3, 2, 4)),
        ("a batch of one, B = 1, D = 3, H = 2", arrays(1, 3, 2)),
        ("D = 4H = 8, H = 2 (W_ih square)", arrays(2, 8, 2)),
        ("the first step, h_prev = c_prev = 0", arrays(2, 3, 3, zero_state=True)),
        ("large inputs, B = 2, D = H = 2", arrays(2, 2, 2, scale=20.0)),
    ]
    cases = [Case(label, a, _step(*a)) for label, a in shapes]
    return run_cases("lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)", lstm_step, cases,
                     STEP_MISTAKES, names=("h", "c"),
                     arg_names=("x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
                     rtol=1e-12, atol=1e-14)


def _cell_backward(dc, dh, f, o, tanh_c, h_path=True, slope=True, forget=True, f_on_all=True):
    """dL/dc_{t-1} along the cell path, or one of its typical wrong variants (the flags)."""
    through_h = dh * o * ((1 - tanh_c**2) if slope else 1.0) if h_path else 0.0
    if not forget:
        return dc + through_h
    return (dc + through_h) * f if f_on_all else dc * f + through_h


def _wrong_backward(**flags):
    return lambda dc, dh, f, o, tanh_c: _cell_backward(dc, dh, f, o, tanh_c, **flags)


BACKWARD_MISTAKES = [
    Mistake(_wrong_backward(h_path=False),
            "the path through h_t is missing: h_t = o * tanh(c_t) depends on c_t too, so "
            "dL/dc_t gets dh * o * (1 - tanh(c_t)**2) besides the dc from later steps"),
    Mistake(_wrong_backward(slope=False),
            "the slope of the tanh is missing: d tanh(c)/dc = 1 - tanh(c)**2, so the path "
            "through h_t adds dh * o * (1 - tanh_c**2)"),
    Mistake(_wrong_backward(forget=False),
            "the forget gate is missing: c_t = f * c_{t-1} + ..., so dL/dc_{t-1} is dL/dc_t "
            "times f"),
    Mistake(_wrong_backward(f_on_all=False),
            "f multiplies only the dc from later steps: it multiplies all of dL/dc_t, "
            "(dc + dh * o * (1 - tanh_c**2)) * f"),
]


def check_lstm_cell_backward(cell_backward) -> CheckResult:
    """Check ``cell_backward(dc, dh, f, o, tanh_c)``, dL/dc_{t-1} along the LSTM's cell path.

    Parameters
    ----------
    cell_backward : callable
        The function to check. From dc = dL/dc_t from later steps, dh = dL/dh_t, the gates f
        and o and tanh_c = tanh(c_t) (each (B, H)), it must return dc_prev = (dc + dh * o *
        (1 - tanh_c**2)) * f, shape (B, H), leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(22)

    def arrays(B, H, f=None, dh_scale=1.0, saturated=False):
        dc, dh = rng.normal(size=(B, H)), rng.normal(size=(B, H)) * dh_scale
        gate_f = rng.uniform(0.05, 0.95, size=(B, H)) if f is None else np.full((B, H), f)
        o = rng.uniform(0.05, 0.95, size=(B, H))
        c = rng.normal(size=(B, H)) * (6.0 if saturated else 1.0)
        return dc, dh, gate_f, o, np.tanh(c)

    shapes = [
        ("B = 3, H = 4", arrays(3, 4)),
        ("a batch of one, B = 1, H = 5", arrays(1, 5)),
        ("a saturated cell, |c_t| large (B = 2, H = 3)", arrays(2, 3, saturated=True)),
        ("f = 1 and large dh (B = 2, H = 2)", arrays(2, 2, f=1.0, dh_scale=100.0)),
        ("f = 0.5 everywhere (B = 4, H = 1)", arrays(4, 1, f=0.5)),
    ]
    cases = [Case(label, a, (_cell_backward(*a),)) for label, a in shapes]
    return run_cases("cell_backward(dc, dh, f, o, tanh_c)", cell_backward, cases,
                     BACKWARD_MISTAKES, arg_names=("dc", "dh", "f", "o", "tanh_c"),
                     rtol=1e-12, atol=1e-14)
