"""Explorers for the chapter "Vanishing and exploding gradients" (book/gradients.ipynb).

- :class:`WrecExplorer`: choose the spectral radius rho of W_rec, the nonlinearity and the
  sequence length; see ||dh_T/dh_t|| against T - t with the theory line (rho^(T-t) for a linear
  RNN, Pascanu et al.'s bound (gamma sigma_max)^(T-t) otherwise) and each step's share of
  dL/dW_hh.
- :class:`CliffExplorer`: the (w, b) loss surface of the single unit of :mod:`rnnlearn.cliff`,
  and a gradient-descent path on it, with or without norm clipping.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.collections import LineCollection

from .. import cliff, rnn
from .._checks import check_choice, check_float, check_int
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Choice, IntSlider, Slider

#: max phi' of each nonlinearity (gamma of Pascanu et al.'s bound); linear: the exact rate.
GAMMA = {"linear": 1.0, "tanh": 1.0, "sigmoid": 0.25}
#: Plotted values are kept within [10^-LOG_RANGE, 10^LOG_RANGE] (drawn at the edge beyond).
LOG_RANGE = 32
#: The shares are drawn down to 10^-SHARE_RANGE.
SHARE_RANGE = 16


class WrecData(NamedTuple):
    lags: np.ndarray  # (T,) T - t for t = T-1, ..., 0: 1 .. T
    log10_norms: np.ndarray  # (T,) log10 ||dh_T/dh_t|| at lag T - t
    log10_theory: np.ndarray  # (T,) log10 of rho^(T-t) (linear) or (gamma sigma_max)^(T-t)
    shares: np.ndarray  # (T,) share of step t = 1..T in ||dL/dW_hh||
    sigma_max: float  # largest singular value of W_hh (= rho: W_hh = rho Q)
    nonlinearity: str


def wrec_gradients(rho, nonlinearity, T, H=24, D=4, seed=0) -> WrecData:
    r"""Jacobian norms and gradient shares of a seeded RNN with W_hh = rho Q (Q orthogonal).

    The RNN (:func:`rnnlearn.rnn.init_params` with ``init="orthogonal"``, zero biases) reads
    T inputs drawn N(0, 0.5^2) from ``seed``; the loss L = ||h_T - y||^2 / 2 has a fixed target
    y ~ U(-0.5, 0.5)^H. Equal arguments give equal numbers; the first t inputs do not depend
    on T.

    Parameters
    ----------
    rho : float
        Spectral radius (and largest singular value) of W_hh, > 0.
    nonlinearity : {"linear", "tanh", "sigmoid"}
    T : int
        Sequence length, >= 1.
    H, D, seed : int

    Returns
    -------
    WrecData

    Equations
    ---------
    .. math:: \Big\lVert \frac{\partial h_T}{\partial h_t} \Big\rVert_2 = \rho^{T-t}
              \ \text{(linear)}, \qquad \le (\gamma\,\sigma_{\max})^{T-t}, \
              \gamma = \max \phi'
    """
    rho = check_float("rho", rho, 0.0, lo_open=True)
    check_choice("nonlinearity", nonlinearity, GAMMA)
    T = check_int("T", T, lo=1)
    rng = np.random.default_rng(seed)
    params = rnn.init_params(D, H, rng, init="orthogonal", scale=rho)
    xs = np.random.default_rng(seed + 1).normal(0.0, 0.5, size=(T, 1, D))
    y = np.random.default_rng(seed + 2).uniform(-0.5, 0.5, size=(1, H))
    hs, cache = rnn.forward(xs, None, params, nonlinearity)
    log10_norms = rnn.jacobian_norms(cache, b=0, log=True)[::-1] / np.log(10)  # lag 1 first
    sigma_max = float(np.linalg.norm(params["weight_hh"], 2))
    lags = np.arange(1, T + 1)
    log10_theory = lags * np.log10(GAMMA[nonlinearity] * sigma_max)
    dhs = np.zeros_like(hs)
    dhs[-1] = hs[-1] - y
    shares = rnn.grad_shares(dhs, cache).shares
    return WrecData(lags, log10_norms, log10_theory, shares, sigma_max, nonlinearity)


def _clip_log(log10_values):
    return 10.0 ** np.clip(log10_values, -LOG_RANGE, LOG_RANGE)


class WrecArtists(NamedTuple):
    norms: object  # Line2D: measured ||dh_T/dh_t||
    theory: object  # Line2D: rho^(T-t) or the bound
    norm_text: object  # Text: the norm at the largest lag, and the theory's
    bars: object  # LineCollection: each step's share of dL/dW_hh
    share_text: object  # Text: the first half's share
    legend: object  # Legend: names the theory line


@register
class WrecExplorer(Explorer):
    controls = (
        # powers of sqrt(2) from 1/4 to 4: the critical rho = 1 is the middle grid point
        Slider("rho", "spectral radius ρ of W_rec", 0.25, 4.0, default=1.0, log=True, frames=9,
               live_steps=64, fmt=".3g"),
        Choice("nonlinearity", "nonlinearity φ", ("linear", "tanh", "sigmoid"), "tanh"),
        IntSlider("T", "sequence length T", 10, 50, default=30, frames=5),  # twin: 10, 20, ..
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.0  # 135 frames at 1.5x exceed the size budget
    twin_bytes_per_px = 0.07  # line art: 0.065 measured
    caption = (
        "An RNN of 24 units whose recurrent weight is W_rec = ρQ (Q a fixed random orthogonal "
        "matrix), run on T fixed random inputs. Left: the gradient norm ‖∂h_T/∂h_t‖ against the "
        "distance T − t, with the theory line: ρ^(T−t), exact for a linear RNN, or the bound "
        "(γ‖W_rec‖₂)^(T−t) of Pascanu et al. (2013), here (γρ)^(T−t), γ = 1 for tanh and 1/4 for "
        "sigmoid. Right: "
        "each step's share of ∂L/∂W_rec for a loss at the last step. Log axes; values beyond "
        "10^±32 (left) or below 10⁻¹⁶ (right) are drawn at the edge."
    )
    alt = ("Gradient norms through time on a log axis with a theory line, and each time step's "
           "share of the recurrent-weight gradient")

    def compute(self, rho, nonlinearity, T):
        return wrec_gradients(rho, nonlinearity, T)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.11, right=0.985, bottom=0.14, top=0.86, wspace=0.33)
        t_max = self.controls[2].hi
        log_axis(left, range(-LOG_RANGE, LOG_RANGE + 1, 8))
        log_axis(right, range(-SHARE_RANGE, 1, 4))
        for ax in (left, right):
            ax.set_xlim(0, t_max + 1)
        left.set(xlabel="distance T − t (steps)", ylabel="‖∂h_T/∂h_t‖")
        right.set(xlabel="time step t", ylabel="share of ‖∂L/∂W_rec‖")
        (theory,) = left.plot([], [], "--", color=PALETTE["black"], lw=1.3, label="theory")
        (norms,) = left.plot([], [], "-", color=PALETTE["blue"], label="measured")
        legend = left.legend(loc="lower left", handlelength=1.5)
        bars = LineCollection([], colors=PALETTE["orange"], linewidths=2.0)
        right.add_collection(bars)
        return fig, WrecArtists(norms, theory, heading(left), bars, heading(right), legend)

    def update(self, a, d):
        a.norms.set_data(d.lags, _clip_log(d.log10_norms))
        a.theory.set_data(d.lags, _clip_log(d.log10_theory))
        T = len(d.lags)
        name = ("ρ^(T−t)" if d.nonlinearity == "linear"
                else f"bound ({GAMMA[d.nonlinearity]:g}·ρ)^(T−t)")
        a.legend.get_texts()[0].set_text(f"theory: {name}")
        a.norm_text.set_text(f"‖∂h_T/∂h_0‖ = {10 ** d.log10_norms[-1]:.2g}, "
                             f"theory {10 ** d.log10_theory[-1]:.2g}")
        floor = 10.0 ** -SHARE_RANGE
        steps = np.arange(1, T + 1)
        heights = np.clip(d.shares, floor, 1.0)
        a.bars.set_segments([np.array([[t, floor], [t, h]]) for t, h in zip(steps, heights)])
        first = d.shares[: T // 2].sum()
        a.share_text.set_text(f"steps 1–{T // 2} carry {100 * first:.2g}% of it")


# -- the cliff ------------------------------------------------------------------------------------
#: The setting of Pascanu et al.'s Figure 6: h_0 = 0.5, T = 50 steps, target h_T = 0.7.
CLIFF_T, CLIFF_TARGET, CLIFF_X0 = 50, 0.7, 0.5
#: The window of the loss surface: (w_lo, w_hi, b_lo, b_hi).
CLIFF_EXTENT = (0.0, 10.0, -7.0, 1.0)
#: Named starts (w, b) of the descent.
CLIFF_STARTS = {"A (8, −4)": (8.0, -4.0), "B (6, −4)": (6.0, -4.0), "C (4, −2)": (4.0, -2.0)}
CLIPS = ("off", "20", "5", "1")


class CliffData(NamedTuple):
    path: cliff.Path
    clip: float | None


def cliff_descent(start, clip, lr=0.1, steps=60) -> CliffData:
    """Gradient descent on the single unit's loss from a named start (see :data:`CLIFF_STARTS`),
    clipped at the threshold ``clip`` (a string of :data:`CLIPS`, "off" for none)."""
    check_choice("start", start, CLIFF_STARTS)
    check_choice("clip", clip, CLIPS)
    threshold = None if clip == "off" else float(clip)
    w, b = CLIFF_STARTS[start]
    path = cliff.descend(w, b, CLIFF_TARGET, CLIFF_T, lr=lr, steps=steps, clip=threshold,
                         x0=CLIFF_X0)
    return CliffData(path, threshold)


def cliff_surface(n=161):
    """log10 of the loss (floored at 1e-6) over the window, (n, n), rows along b."""
    w = np.linspace(*CLIFF_EXTENT[:2], n)
    b = np.linspace(*CLIFF_EXTENT[2:], n)
    W, B = np.meshgrid(w, b)
    return np.log10(cliff.loss(W, B, CLIFF_TARGET, CLIFF_T, CLIFF_X0) + 1e-6)


class CliffArtists(NamedTuple):
    path: object  # Line2D: the (w, b) iterates
    end: object  # Line2D: the last iterate
    start: object  # Line2D: the start
    jump_text: object  # Text: the largest step
    losses: object  # Line2D: loss per step
    loss_text: object  # Text: final loss, clipped steps


@register
class CliffExplorer(Explorer):
    controls = (
        Choice("start", "start (w, b)", tuple(CLIFF_STARTS), "A (8, −4)"),
        Choice("clip", "clipping threshold θ", CLIPS, "off"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 2.0
    twin_bytes_per_px = 0.2  # a colour image behind the path: 0.11 measured at 1.5x
    lr, steps = 0.1, 60
    caption = (
        "The single unit h_t = w σ(h_{t−1}) + b of Pascanu et al. (2013), run for 50 steps from "
        "h_0 = 0.5, with the loss (h_50 − 0.7)²/2. Left: log10 of the loss over (w, b), dark is "
        "low; the sharp edge is the cliff, where h_50 jumps from one fixed point to the other. "
        "The path is 60 steps of gradient descent (α = 0.1); with clipping, a gradient longer "
        "than θ is shortened to θ. Right: the loss at each step (log scale)."
    )
    alt = ("A loss surface with a cliff over the weight w and bias b of one recurrent unit, a "
           "gradient-descent path on it, and the loss along the path")

    def compute(self, start, clip):
        return cliff_descent(start, clip, self.lr, self.steps)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, width_ratios=[1.2, 1], layout=None)
        fig.subplots_adjust(left=0.09, right=0.985, bottom=0.14, top=0.86, wspace=0.3)
        image = left.imshow(cliff_surface(), extent=CLIFF_EXTENT, origin="lower", aspect="auto",
                            cmap="cividis", vmin=-6, vmax=2, interpolation="bilinear")
        image.set_rasterized(True)
        left.set(xlim=CLIFF_EXTENT[:2], ylim=CLIFF_EXTENT[2:], xlabel="w", ylabel="b")
        left.grid(False)
        (path,) = left.plot([], [], "-o", color=PALETTE["vermillion"], ms=2.5, lw=1.3)
        (start,) = left.plot([], [], "o", color="white", mec=PALETTE["black"], ms=7)
        (end,) = left.plot([], [], "X", color="white", mec=PALETTE["black"], ms=8)
        log_axis(right, range(-8, 3, 2))
        right.set(xlim=(0, self.steps), xlabel="gradient step", ylabel="loss")
        (losses,) = right.plot([], [], color=PALETTE["blue"])
        return fig, CliffArtists(path, end, start, heading(left), losses, heading(right))

    def update(self, a, d):
        p = d.path
        a.path.set_data(p.params[:, 0], p.params[:, 1])
        a.start.set_data(p.params[:1, 0], p.params[:1, 1])
        a.end.set_data(p.params[-1:, 0], p.params[-1:, 1])
        a.losses.set_data(np.arange(len(p.losses)), np.clip(p.losses, 1e-8, 1e2))
        jumps = np.linalg.norm(np.diff(p.params, axis=0), axis=1)
        k = int(np.argmax(jumps))
        a.jump_text.set_text(f"largest step {jumps[k]:.2g} at step {k + 1} "
                             f"(‖g‖ = {p.grad_norms[k]:.2g})")
        clipped = (f", {int(p.clipped.sum())} of {len(p.clipped)} steps clipped"
                   if d.clip is not None else ", no clipping")
        a.loss_text.set_text(f"final loss {p.losses[-1]:.2g}{clipped}")
