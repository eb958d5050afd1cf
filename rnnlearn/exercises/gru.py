"""Checkers for the coding exercises of the chapter "gru" (book/gru.ipynb): one step of a GRU in
nn.GRU's layout, and the parameter counts of the RNN, GRU and LSTM layers.

The expected values are computed here from the documented equations (nn.GRU: rows r, z, n;
n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)); h' = (1 - z) * n + z * h) and from the
count G (H D + H^2 + 2 H), not with ``rnnlearn.gru``.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_gru_step", "check_param_counts"]


def _sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def _gru_step(x, h, W_ih, W_hh, b_ih, b_hh, *, order="rzn", reset="after", bias_inside=True,
              swap_update=False):
    """One GRU step by the equations, or one of its typical wrong variants (the flags)."""
    H = h.shape[1]
    gi = x @ W_ih.T + b_ih  # (B, 3H)
    rows = {name: slice(k * H, (k + 1) * H) for k, name in enumerate(order)}
    r = _sigmoid(gi[:, rows["r"]] + h @ W_hh[rows["r"]].T + b_hh[rows["r"]])
    z = _sigmoid(gi[:, rows["z"]] + h @ W_hh[rows["z"]].T + b_hh[rows["z"]])
    W_hn, b_hn = W_hh[rows["n"]], b_hh[rows["n"]]
    if reset == "before":
        recurrent = (r * h) @ W_hn.T + b_hn
    elif bias_inside:
        recurrent = r * (h @ W_hn.T + b_hn)
    else:
        recurrent = r * (h @ W_hn.T) + b_hn
    n = np.tanh(gi[:, rows["n"]] + recurrent)
    return z * n + (1 - z) * h if swap_update else (1 - z) * n + z * h


def _variant(**flags):
    return lambda x, h, W_ih, W_hh, b_ih, b_hh: _gru_step(x, h, W_ih, W_hh, b_ih, b_hh, **flags)


def _candidate(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    r = _sigmoid(x @ W_ih[:H].T + b_ih[:H] + h @ W_hh[:H].T + b_hh[:H])
    return np.tanh(x @ W_ih[2 * H:].T + b_ih[2 * H:] + r * (h @ W_hh[2 * H:].T + b_hh[2 * H:]))


STEP_MISTAKES = [
    Mistake(_variant(swap_update=True),
            "(1 - z) and z are swapped: that is Chung et al.'s convention, h' = (1 - z) h + z n. "
            "nn.GRU keeps the old state with weight z: h' = (1 - z) * n + z * h_prev"),
    Mistake(_variant(reset="before"),
            "the reset gate is applied before the matrix product, (r * h_prev) @ W_hn.T: that "
            "is Cho et al.'s form. nn.GRU applies it after: r * (h_prev @ W_hn.T + b_hn)"),
    Mistake(_variant(bias_inside=False),
            "b_hn is outside the reset gate: nn.GRU resets the whole recurrent term, "
            "r * (h_prev @ W_hn.T + b_hn), bias included"),
    Mistake(_variant(order="zrn"),
            "the gates are taken in the order z, r, n: nn.GRU stacks the rows r, z, n "
            "(rows 0:H the reset gate, H:2H the update gate, 2H:3H the candidate)"),
    Mistake(_variant(order="zrn", swap_update=True),
            "the rows are read as z, r, n and (1 - z) and z are swapped: nn.GRU stacks r, z, n "
            "and keeps the old state with weight z, h' = (1 - z) * n + z * h_prev"),
    Mistake(_candidate,
            "that is the candidate n; the new state blends it with the old one: "
            "h' = (1 - z) * n + z * h_prev"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: _gru_step(x, h, W_ih, W_hh, b_ih,
                                                           np.zeros_like(b_hh)),
            "b_hh is missing: nn.GRU adds both biases, b_ih and b_hh (b_hn inside r * (...))"),
    Mistake(lambda x, h, W_ih, W_hh, b_ih, b_hh: _gru_step(x, h, W_ih, W_hh,
                                                           np.zeros_like(b_ih), b_hh),
            "b_ih is missing: nn.GRU adds both biases, b_ih and b_hh"),
]


def check_gru_step(gru_step) -> CheckResult:
    """Check ``gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh)``, one step of nn.GRU's cell.

    Parameters
    ----------
    gru_step : callable
        The function to check. With x (B, D), h_prev (B, H), W_ih (3H, D), W_hh (3H, H),
        b_ih (3H,) and b_hh (3H,), rows stacked r, z, n, it must return the new state
        h' = (1 - z) * n + z * h_prev, shape (B, H), with
        r = sigma(x W_ir^T + b_ir + h_prev W_hr^T + b_hr), z likewise, and
        n = tanh(x W_in^T + b_in + r * (h_prev W_hn^T + b_hn)), leaving its arguments unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-12 relative.
    """
    rng = np.random.default_rng(21)

    def arrays(B, D, H, scale=1.0, zero_h=False):
        x = rng.normal(size=(B, D)) * scale
        h = np.zeros((B, H)) if zero_h else rng.uniform(-1, 1, size=(B, H))
        return (x, h, rng.normal(size=(3 * H, D)), rng.normal(size=(3 * H, H)) / np.sqrt(H),
                rng.normal(size=3 * H), rng.normal(size=3 * H))

    shapes = [
        ("B = 3, D = 2, H = 4 (W_ih not square)", arrays(3, 2, 4)),
        ("a batch of one, B = 1, D = 3, H = 2", arrays(1, 3, 2)),
        ("one unit, B = 2, D = 1, H = 1", arrays(2, 1, 1)),
        ("the first step, h_prev = 0 (B = 2, D = 3, H = 3)", arrays(2, 3, 3, zero_h=True)),
        ("large inputs, B = 2, D = H = 2", arrays(2, 2, 2, scale=20.0)),
    ]
    cases = [Case(label, a, (_gru_step(*a),)) for label, a in shapes]
    return run_cases("gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh)", gru_step, cases,
                     STEP_MISTAKES, arg_names=("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
                     rtol=1e-12, atol=1e-14)


GATES = {"rnn": 1, "gru": 3, "lstm": 4}  #: row blocks of each layer: G


def _count(cell, D, H, *, biases=2, gates=None):
    G = GATES[cell] if gates is None else gates[cell]
    return G * (H * D + H * H + biases * H)


COUNT_MISTAKES = [
    Mistake(lambda cell, D, H: _count(cell, D, H, biases=1),
            "one bias vector per gate: PyTorch's layers have two, b_ih and b_hh, so each gate "
            "block has 2H biases (the two add up, but both are parameters)"),
    Mistake(lambda cell, D, H: _count(cell, D, H, gates={"rnn": 1, "gru": 1, "lstm": 1}),
            "the gate factor is missing: a GRU has G = 3 blocks of weights (r, z, n) and an "
            "LSTM G = 4 (i, f, g, o), each the size of a whole RNN layer's"),
    Mistake(lambda cell, D, H: _count(cell, D, H, gates={"rnn": 1, "gru": 4, "lstm": 3}),
            "the gate factors are swapped: the GRU has 3 blocks (r, z, n), the LSTM 4 "
            "(i, f, g, o)"),
    Mistake(lambda cell, D, H: _count(cell, D, H, gates={"rnn": 1, "gru": 2, "lstm": 3}),
            "only the gates are counted: the candidate (n in the GRU, g in the LSTM) has "
            "weights too, so G = 3 for the GRU and 4 for the LSTM"),
    Mistake(lambda cell, D, H: GATES[cell] * (H * D + H * H) + 2 * H,
            "the biases are counted once for the whole layer: every block has its own two "
            "bias vectors, so G * 2H of them"),
    Mistake(lambda cell, D, H: GATES[cell] * (H * D + D * D + 2 * H),
            "W_hh maps the H hidden units to the G H rows: it has shape (G H, H), so G H^2 "
            "weights, not G D^2"),
]


def check_param_counts(param_count) -> CheckResult:
    """Check ``param_count(cell, D, H)``, the parameters of one recurrent layer.

    Parameters
    ----------
    param_count : callable
        The function to check. For ``cell`` one of "rnn", "gru", "lstm", D inputs and H hidden
        units, it must return the number of parameters in PyTorch's layout with both bias
        vectors: weight_ih (G H, D), weight_hh (G H, H), bias_ih and bias_hh (G H,), where G
        is 1, 3 or 4.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every count is exact.
    """
    settings = [("rnn", 8, 32), ("gru", 8, 32), ("lstm", 8, 32), ("gru", 1, 1),
                ("lstm", 100, 1), ("gru", 3, 50), ("lstm", 256, 512)]
    cases = [Case(f'cell = "{cell}", D = {D}, H = {H}', (cell, D, H), (_count(cell, D, H),))
             for cell, D, H in settings]
    return run_cases("param_count(cell, D, H)", param_count, cases, COUNT_MISTAKES,
                     arg_names=("cell", "D", "H"), rtol=0.0, atol=0.0)
