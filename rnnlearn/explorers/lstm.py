"""Explorers for the chapter "Long short-term memory" (book/lstm.ipynb).

- :class:`GateExplorer`: one LSTM unit with fixed, stated weights reads a single input pulse
  (:func:`rnnlearn.tasks.pulse`); the forget-gate bias, the input-gate bias and the pulse's time
  and size are the controls. Left: the gates i_t, f_t, the cell state c_t and h_t over time.
  Right: |dc_T/dc_t| from :func:`rnnlearn.lstm.backward` against sigma(b_f)^(T-t), which it equals
  here because this cell has no recurrent weights (W_hh = 0) and its forget gate ignores x.
- :class:`CarouselExplorer`: an LSTM and a tanh RNN of the same size (H = 32, PyTorch's default
  initialisation, the LSTM's forget bias as nn.LSTM draws it or set to 1) read the same sequence
  of the adding problem; ||dh_T/dh_t|| against t on a log axis for both, with the measured
  per-step decay rates, and the LSTM's ||dc_T/dc_t|| beside the product of its forget gates
  (the carousel alone, the paths through W_hh cut).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import lstm, rnn, tasks
from .._checks import check_choice, check_float, check_int
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Choice, IntSlider, Slider

# -- the gate explorer ---------------------------------------------------------------------------
#: The gate explorer's sequence length.
GATE_T = 50
#: Weights of the one-unit cell (D = H = 1), rows i, f, g, o as in nn.LSTM: the pulse x drives the
#: input gate (4 x) and the candidate (2 x); the forget and output gates see only their biases;
#: no recurrent weights. b_g = 0 (nothing is written between pulses), b_o = 0 (o_t = 1/2).
GATE_W_IH = np.array([[4.0], [0.0], [2.0], [0.0]])
#: Values of |dc_T/dc_t| are drawn within [10^-GATE_LOG_RANGE, 1] (below: at the edge).
GATE_LOG_RANGE = 16


def gate_params(forget_bias, input_bias):
    """The gate explorer's cell: :data:`GATE_W_IH`, W_hh = 0, biases (b_i, b_f, 0, 0) in
    ``bias_ih`` and zeros in ``bias_hh`` (so b_f is the whole forget-gate bias)."""
    return {"weight_ih": GATE_W_IH.copy(), "weight_hh": np.zeros((4, 1)),
            "bias_ih": np.array([input_bias, forget_bias, 0.0, 0.0]), "bias_hh": np.zeros(4)}


class GateData(NamedTuple):
    t: np.ndarray  # (T,) 1..T
    x: np.ndarray  # (T,) the input, a pulse at t0
    i: np.ndarray  # (T,) input gate i_t
    f: np.ndarray  # (T,) forget gate f_t
    c: np.ndarray  # (T,) cell state c_t
    h: np.ndarray  # (T,) h_t
    dc_T: np.ndarray  # (T,) |dc_T/dc_t| for t = 1..T (1 at t = T), from lstm.backward
    theory: np.ndarray  # (T,) sigma(b_f)^(T - t)
    dc_dx: float  # dc_T/dx_{t0}, from lstm.backward
    t0: int
    forget_bias: float


def gate_run(forget_bias, input_bias, t0, size, T=GATE_T) -> GateData:
    r"""Run the gate explorer's one-unit LSTM on a pulse and backpropagate from c_T.

    The cell is :func:`gate_params`; the input :func:`rnnlearn.tasks.pulse` (``size`` at step
    ``t0``); h_0 = c_0 = 0. Forward and backward are :func:`rnnlearn.lstm.forward` and
    :func:`rnnlearn.lstm.backward` (the loss is c_T itself: dL/dc_T = 1). The per-step
    |dc_T/dc_t| come from backward runs over the tail of the cache, from step t + 1 on.

    Parameters
    ----------
    forget_bias, input_bias : float
        b_f and b_i.
    t0 : int
        Step of the pulse, 1 <= t0 <= T.
    size : float
        Height of the pulse.
    T : int

    Returns
    -------
    GateData

    Equations
    ---------
    .. math:: c_t = \sigma(b_f)\, c_{t-1} + \sigma(4 x_t + b_i) \tanh(2 x_t), \qquad
              \frac{\partial c_T}{\partial c_t} = \sigma(b_f)^{T-t}
    """
    forget_bias = check_float("forget_bias", forget_bias)
    input_bias = check_float("input_bias", input_bias)
    T = check_int("T", T, lo=1)
    t0 = check_int("t0", t0, lo=1, hi=T)
    xs = tasks.pulse(T, time=t0, size=check_float("size", size))
    params = gate_params(forget_bias, input_bias)
    hs, cache = lstm.forward(xs, None, params)
    zeros = np.zeros_like(hs)
    dxs, _, _ = lstm.backward(zeros, cache, (None, np.ones((1, 1))))  # dL/dc_T = 1
    dc_T = np.ones(T)
    for t in range(1, T):  # dc_T/dc_t: backward over steps t + 1 .. T, started from c_t
        tail = cache._replace(xs=cache.xs[t:], h0=cache.hs[t - 1], c0=cache.cs[t - 1],
                              **{k: getattr(cache, k)[t:] for k in ("hs", "cs", "i", "f", "g",
                                                                    "o", "tanh_c")})
        _, (_, dc_t), _ = lstm.backward(zeros[t:], tail, (None, np.ones((1, 1))))
        dc_T[t - 1] = abs(dc_t[0, 0])
    sig_f = 0.5 * (1.0 + np.tanh(0.5 * forget_bias))  # sigma(b_f)
    theory = sig_f ** (T - np.arange(1, T + 1))
    flat = {k: getattr(cache, k)[:, 0, 0] for k in ("i", "f", "cs")}
    return GateData(np.arange(1, T + 1), xs[:, 0, 0], flat["i"], flat["f"], flat["cs"],
                    hs[:, 0, 0], dc_T, theory, float(dxs[t0 - 1, 0, 0]), t0, forget_bias)


class GateArtists(NamedTuple):
    x: object  # Line2D: vertical line at t0 (left panel)
    i: object  # Line2D: input gate
    f: object  # Line2D: forget gate
    c: object  # Line2D: cell state
    h: object  # Line2D: h_t
    state_text: object  # Text: c_T and h_T
    grads: object  # Line2D: |dc_T/dc_t|
    theory: object  # Line2D: sigma(b_f)^(T-t)
    pulse_mark: object  # Line2D: vertical line at t0 (right panel)
    grad_text: object  # Text: dc_T/dx_t0


@register
class GateExplorer(Explorer):
    controls = (
        Slider("forget_bias", "forget-gate bias b_f", 0.0, 6.0, default=1.0, frames=7,
               live_steps=60, fmt=".2g"),
        Slider("input_bias", "input-gate bias b_i", -6.0, 0.0, default=-3.0, frames=3,
               live_steps=60, fmt=".2g"),
        IntSlider("t0", "pulse at step t₀", 5, 25, default=5, step=5, frames=2),
        Slider("size", "pulse size", 0.0, 2.0, default=1.0, frames=3, live_steps=40,
               fmt=".2g"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.0  # 126 frames
    twin_bytes_per_px = 0.07
    caption = (
        "One LSTM unit with fixed weights (rows i, f, g, o of W_ih: 4, 0, 2, 0; no recurrent "
        "weights; output-gate bias 0, so o_t = 1/2) reads a single pulse x of the given size at "
        "step t₀ of 50. The pulse opens the input gate, i_t = σ(4x_t + b_i), and tanh(2x_t) "
        "is written into the cell; the forget gate f_t = σ(b_f) is the same at every step. "
        "Left: i_t, f_t, c_t and h_t = o_t tanh(c_t); the dotted line marks t₀. Right: |∂c_50/∂c_t| from the package's "
        "backward pass (log scale) and σ(b_f)^(50−t); values below 10⁻¹⁶ are drawn at the edge."
    )
    alt = ("The gates, cell state and output of one LSTM unit after a pulse, and the gradient of "
           "the last cell state with respect to each earlier one on a log axis")

    def compute(self, forget_bias, input_bias, t0, size):
        return gate_run(forget_bias, input_bias, t0, size)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.085, right=0.985, bottom=0.14, top=0.86, wspace=0.28)
        left.set(xlim=(0, GATE_T + 1), ylim=(-0.04, 1.3), xlabel="time step t")
        (x,) = left.plot([], [], ":", color=PALETTE["grey"], lw=1.2)  # the pulse's time
        (i,) = left.plot([], [], color=PALETTE["orange"], lw=1.6, label="i_t")
        (f,) = left.plot([], [], "--", color=PALETTE["green"], lw=1.6, label="f_t")
        (c,) = left.plot([], [], color=PALETTE["blue"], lw=2.2, label="c_t")
        (h,) = left.plot([], [], color=PALETTE["vermillion"], lw=1.4, label="h_t")
        left.legend(loc="upper center", ncols=4, handlelength=1.2, columnspacing=0.9)
        log_axis(right, range(-GATE_LOG_RANGE, 1, 4))
        right.set(xlim=(0, GATE_T + 1), xlabel="time step t", ylabel="|∂c_T/∂c_t|")
        (grads,) = right.plot([], [], color=PALETTE["blue"], lw=2.5, label="backward")
        (theory,) = right.plot([], [], "--", color=PALETTE["black"], lw=1.3,
                               label="σ(b_f)^(T−t)")
        (mark,) = right.plot([], [], ":", color=PALETTE["grey"], lw=1.2)
        right.legend(loc="lower right", handlelength=1.5)
        return fig, GateArtists(x, i, f, c, h, heading(left), grads, theory, mark,
                                heading(right))

    def update(self, a, d):
        a.x.set_data([d.t0, d.t0], [-0.04, 1.3])
        a.i.set_data(d.t, d.i)
        a.f.set_data(d.t, d.f)
        a.c.set_data(d.t, d.c)
        a.h.set_data(d.t, d.h)
        a.state_text.set_text(f"c_T = {d.c[-1]:.3g}, h_T = {d.h[-1]:.3g}")
        floor = 10.0 ** -GATE_LOG_RANGE
        a.grads.set_data(d.t, np.clip(d.dc_T, floor, 1.0))
        a.theory.set_data(d.t, np.clip(d.theory, floor, 1.0))
        a.pulse_mark.set_data([d.t0, d.t0], [floor, 1.0])
        a.grad_text.set_text(f"∂c_T/∂x_t₀ = {d.dc_dx:.2g}")


# -- LSTM against RNN ----------------------------------------------------------------------------
#: The carousel explorer's LSTM initialisations: forget bias as nn.LSTM draws it, or set to 1.
CAROUSEL_MODELS = ("nn.LSTM default", "forget bias 1")
#: Values are drawn within [10^-CAROUSEL_LOG_RANGE, 10] (beyond: at the edge).
CAROUSEL_LOG_RANGE = 40


class CarouselData(NamedTuple):
    t: np.ndarray  # (T,) t = 0..T-1 (h_0 the initial state)
    rnn_norms: np.ndarray  # (T,) ||dh_T/dh_t||_2 of the tanh RNN
    lstm_norms: np.ndarray  # (T,) ||dh_T/dh_t||_2 of the LSTM (all paths)
    cell_norms: np.ndarray  # (T,) ||dc_T/dc_t||_2 of the LSTM (all paths)
    forget_product: np.ndarray  # (T,) max over units of prod_{t' > t} f_t' (W_hh paths cut)
    rnn_rate: float  # per-step factor: (||dh_T/dh_0|| / ||dh_T/dh_{T-1}||)^(1/(T-1))
    lstm_rate: float
    forget_mean: float  # mean forget gate over steps and units


def _rate(norms):
    """Geometric mean factor per step from the one-step norm to the T-step norm."""
    T = len(norms)
    return float(np.exp((np.log(norms[0]) - np.log(norms[-1])) / (T - 1))) if T > 1 else 1.0


def lstm_state_jacobians(cache, b=0):
    """||dh_T/dh_t||_2 and ||dc_T/dc_t||_2 for t = 0..T-1 of one sequence (batch element b),
    by :func:`rnnlearn.lstm.step_backward` over the cache's steps, the H unit vectors of dh_T
    as a batch: every path through h and c counts.

    Returns
    -------
    h_norms, c_norms : ndarray, shape (T,)
    """
    T, B, H = cache.hs.shape
    b = check_int("b", b, lo=0, hi=B - 1)
    eye = np.eye(H)
    dh = np.concatenate([eye, np.zeros((H, H))])  # rows: dh_T = e_j, then dc_T = e_j
    dc = np.concatenate([np.zeros((H, H)), eye])
    h_norms, c_norms = np.empty(T), np.empty(T)

    def rows(a):  # a (B, X) at one step
        return np.broadcast_to(a[b], (2 * H,) + a.shape[1:])  # (2H, X): one row per probe

    for t in range(T - 1, -1, -1):  # the step from (h_t, c_t) to (h_{t+1}, c_{t+1})
        h_prev = cache.hs[t - 1] if t > 0 else cache.h0
        c_prev = cache.cs[t - 1] if t > 0 else cache.c0
        step = lstm.StepCache(rows(cache.xs[t]), rows(h_prev), rows(c_prev),
                              *(rows(getattr(cache, k)[t]) for k in ("i", "f", "g", "o", "cs",
                                                                    "tanh_c")),
                              cache.weight_ih, cache.weight_hh, cache.peepholes, cache.options)
        _, (dh, dc), _ = lstm.step_backward(dh, dc, step)
        h_norms[t] = np.linalg.norm(dh[:H], 2)  # rows j: d h_T,j / d h_t
        c_norms[t] = np.linalg.norm(dc[H:], 2)  # rows j: d c_T,j / d c_t
    return h_norms, c_norms


def carousel(T, model, H=32, seed=0) -> CarouselData:
    r"""Gradient norms through time of a tanh RNN and an LSTM of the same size, at initialisation.

    Both have D = 2 inputs and H units with PyTorch's default initialisation (every weight and
    bias U(-1/sqrt(H), 1/sqrt(H)); :func:`rnnlearn.rnn.init_params`,
    :func:`rnnlearn.lstm.init_params`), the LSTM's forget bias as drawn or set to 1. They read
    the same sequence of the adding problem (:func:`rnnlearn.tasks.adding_problem`), from zero
    states.

    Parameters
    ----------
    T : int
        Sequence length, >= 2.
    model : {"nn.LSTM default", "forget bias 1"}
    H, seed : int

    Returns
    -------
    CarouselData

    Equations
    ---------
    .. math:: \frac{\partial c_T}{\partial c_t} = \prod_{t'=t+1}^{T} \operatorname{diag}(f_{t'})
              + (\text{paths through } h), \qquad
              \frac{\partial h_T}{\partial h_t} = \prod_{t'=t+1}^{T}
              \operatorname{diag}(1 - h_{t'}^2)\, W_{hh}\ \text{(RNN)}
    """
    T = check_int("T", T, lo=2)
    check_choice("model", model, CAROUSEL_MODELS)
    xs, _ = tasks.adding_problem(T, 1, np.random.default_rng(seed + 100))
    rnn_params = rnn.init_params(2, H, np.random.default_rng(seed))
    bias = None if model == CAROUSEL_MODELS[0] else 1.0
    lstm_params = lstm.init_params(2, H, np.random.default_rng(seed), forget_bias=bias)
    _, rnn_cache = rnn.forward(xs, None, rnn_params)
    rnn_norms = rnn.jacobian_norms(rnn_cache, b=0)
    _, cache = lstm.forward(xs, None, lstm_params)
    lstm_norms, cell_norms = lstm_state_jacobians(cache)
    f = cache.f[:, 0]  # (T, H)
    # dc_T/dc_t with the paths through h cut: prod_{t' = t+1}^{T} diag(f_t'), t = 0..T-1
    forget_product = np.cumprod(f[::-1], axis=0)[::-1].max(axis=1)  # its spectral norm
    return CarouselData(np.arange(T), rnn_norms, lstm_norms, cell_norms, forget_product,
                        _rate(rnn_norms), _rate(lstm_norms), float(f.mean()))


class CarouselArtists(NamedTuple):
    rnn: object  # Line2D
    lstm: object  # Line2D
    rate_text: object  # Text: per-step rates
    cell: object  # Line2D: ||dc_T/dc_t||
    forget: object  # Line2D: product of forget gates
    cell_text: object  # Text: mean forget gate


@register
class CarouselExplorer(Explorer):
    controls = (
        IntSlider("T", "sequence length T", 10, 100, default=50, step=10),
        Choice("model", "LSTM initialisation", CAROUSEL_MODELS, "forget bias 1"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.5
    twin_bytes_per_px = 0.08  # 0.075 measured
    caption = (
        "A tanh RNN and an LSTM, both with 32 units and PyTorch's default initialisation (the "
        "LSTM's forget bias as drawn or set to 1), read the same sequence of the adding problem. "
        "Left: ‖∂h_T/∂h_t‖ (spectral norm) against t for both, log scale; the heading gives each "
        "one's average factor per step. Right: the LSTM's ‖∂c_T/∂c_t‖ through all paths, and "
        "the product of its forget gates alone (the carousel with the paths through W_hh cut; "
        "the largest over the 32 units)."
    )
    alt = ("Gradient norms through time on a log axis for a plain RNN and an LSTM, and the LSTM's "
           "cell-state gradient beside the product of its forget gates")

    def compute(self, T, model):
        return carousel(T, model)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.1, right=0.985, bottom=0.14, top=0.86, wspace=0.3)
        t_max = self.controls[0].hi
        for ax in (left, right):
            log_axis(ax, range(-CAROUSEL_LOG_RANGE, 1, 10))
            ax.set_xlim(0, t_max)
            ax.set_xlabel("time step t")
        left.set_ylabel("‖∂h_T/∂h_t‖")
        right.set_ylabel("‖∂c_T/∂c_t‖")
        (rnn_line,) = left.plot([], [], color=PALETTE["vermillion"], label="tanh RNN")
        (lstm_line,) = left.plot([], [], color=PALETTE["blue"], label="LSTM")
        left.legend(loc="lower right", handlelength=1.5)
        (cell,) = right.plot([], [], color=PALETTE["blue"], label="all paths")
        (forget,) = right.plot([], [], "--", color=PALETTE["green"], label="∏ f (W_hh cut)")
        right.legend(loc="lower right", handlelength=1.5)
        return fig, CarouselArtists(rnn_line, lstm_line, heading(left), cell, forget,
                                    heading(right))

    def update(self, a, d):
        lo, hi = 10.0 ** -CAROUSEL_LOG_RANGE, 1.0
        a.rnn.set_data(d.t, np.clip(d.rnn_norms, lo, hi))
        a.lstm.set_data(d.t, np.clip(d.lstm_norms, lo, hi))
        a.rate_text.set_text(f"per step: RNN ×{d.rnn_rate:.2f}, LSTM ×{d.lstm_rate:.2f}")
        a.cell.set_data(d.t, np.clip(d.cell_norms, lo, hi))
        a.forget.set_data(d.t, np.clip(d.forget_product, lo, hi))
        a.cell_text.set_text(f"mean forget gate {d.forget_mean:.2f}")
