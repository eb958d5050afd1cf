"""Explorers for the chapter "Recurrent networks and backpropagation through time"
(book/bptt.ipynb).

- :class:`UnrollExplorer`: a small random RNN unrolled on a sine input; a time-step control (a
  view control: scrubbing it never recomputes the network) shows the hidden state at that step
  and how strongly the loss at that step reaches back to every earlier state,
  ||dL_t/dh_t'|| for t' <= t (t' an earlier step; k is kept for optimiser steps).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.patches import Rectangle

from .. import rnn
from .._checks import check_float
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import IntSlider, Slider

#: Range of the log-scale gradient plot (values beyond are drawn at its edges).
FLOOR, CEILING = 1e-8, 1e2


class UnrollData(NamedTuple):
    xs: np.ndarray  # (T,) the input x_t, t = 1..T
    ys: np.ndarray  # (T,) the target y_t
    hs: np.ndarray  # (T, H) the hidden states h_1 .. h_T
    outputs: np.ndarray  # (T,) the read-out o_t = h_t W_ho^T (no bias)
    losses: np.ndarray  # (T,) L_t = (o_t - y_t)^2 / 2
    grads: np.ndarray  # (T, T) grads[t-1, t'-1] = ||dL_t/dh_t'|| for t' <= t, 0 above


class UnrollView(NamedTuple):
    data: UnrollData
    t: int  # the time step looked at, 1..T


def unroll(scale, T=24, H=8, seed=0) -> UnrollData:
    r"""Run a seeded tanh RNN on a sine input and backpropagate each step's loss separately.

    W_hh = ``scale`` Q with Q random orthogonal (:func:`rnnlearn.rnn.init_params`,
    ``init="orthogonal"``), one input x_t = sin(2 pi t / 12), a fixed random read-out
    W_ho (1, H), entries U(-1, 1), no bias, and the target y_t = x_{t-3} (recall the input of
    m = 3 steps back; 0 before the start). Nothing is trained: this is BPTT at the start.

    Parameters
    ----------
    scale : float
        Spectral radius of W_hh, > 0.
    T, H, seed : int

    Returns
    -------
    UnrollData

    Equations
    ---------
    .. math:: \frac{\partial L_t}{\partial h_t} = (o_t - y_t)\, W_{ho}, \qquad
              \frac{\partial L_t}{\partial h_{t'-1}} = \Big(\frac{\partial L_t}{\partial h_{t'}}
              \odot \tanh'(a_{t'})\Big) W_{hh}
    """
    scale = check_float("scale", scale, 0.0, lo_open=True)
    rng = np.random.default_rng(seed)
    params = rnn.init_params(1, H, rng, init="orthogonal", scale=scale)
    w_ho = np.random.default_rng(seed + 1).uniform(-1.0, 1.0, size=H)
    t = np.arange(1, T + 1)
    xs = np.sin(2 * np.pi * t / 12)
    ys = np.concatenate([np.zeros(3), xs[:-3]])
    hs, cache = rnn.forward(xs[:, None, None], None, params, "tanh")
    hs = hs[:, 0]  # (T, H)
    outputs = hs @ w_ho
    dphi = 1.0 - hs**2  # tanh'(a_k) from the output, (T, H)
    grads = np.zeros((T, T))
    for s in range(T):  # the loss at step s + 1
        g = (outputs[s] - ys[s]) * w_ho  # dL/dh_{s+1}
        for j in range(s, -1, -1):  # dL/dh_{t'} with t' = j + 1
            grads[s, j] = np.linalg.norm(g)
            g = (g * dphi[j]) @ params["weight_hh"]
    return UnrollData(xs, ys, hs, outputs, 0.5 * (outputs - ys) ** 2, grads)


class UnrollArtists(NamedTuple):
    states: object  # AxesImage: h_t for every t (units down, time across)
    cursor: object  # Rectangle: the column of step t
    state_text: object  # Text: step t's output and target
    grads: object  # Line2D: ||dL_t/dh_t'|| for t' <= t
    now: object  # Line2D: vertical line at t' = t
    grad_text: object  # Text: how much reaches h_1


@register
class UnrollExplorer(Explorer):
    controls = (
        # 1/2, 1 and 2 in the twin (every step of t there); finer live
        Slider("scale", "spectral radius of W_hh", 0.5, 2.0, default=1.0, log=True, frames=3,
               live_steps=40),
        IntSlider("t", "time step t", 1, 24, default=12, stage="view"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.5
    twin_bytes_per_px = 0.07  # 0.05 measured
    T = 24
    caption = (
        "A random tanh RNN with 8 hidden units, unrolled over 24 steps of a sine input; a "
        "random linear read-out should recall the input of three steps before. Left: "
        "every hidden state h_t (one column per step, purple negative, orange positive), the "
        "box marks step t. Right: how strongly the loss at step t reaches back to each "
        "earlier state, ‖∂L_t/∂h_t′‖ for t′ ≤ t (log scale): backpropagation through time "
        "walks this line from right to left."
    )
    alt = ("The hidden states of an unrolled RNN as a colour grid with the current step boxed, "
           "and the norm of the gradient of that step's loss with respect to each earlier state")

    def compute(self, scale):
        return unroll(scale, self.T)

    def select(self, data, t):
        return UnrollView(data, t)

    def draw(self, v):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.09, right=0.985, bottom=0.14, top=0.86, wspace=0.28)
        H = v.data.hs.shape[1]
        states = left.imshow(np.zeros((H, self.T)), extent=(0.5, self.T + 0.5, H + 0.5, 0.5),
                             cmap="PuOr_r", vmin=-1, vmax=1, aspect="auto",
                             interpolation="nearest")
        left.set(xlabel="time step t", ylabel="hidden unit")
        left.set_yticks(range(1, H + 1, 2))
        left.grid(False)
        cursor = Rectangle((0.5, 0.5), 1.0, H, fill=False, ec=PALETTE["black"], lw=2.0)
        left.add_patch(cursor)
        log_axis(right, range(-8, 3, 2))
        right.set(xlim=(0.5, self.T + 0.5), xlabel="earlier step t′",
                  ylabel=r"$\Vert\partial \mathcal{L}_t / \partial \mathbf{h}_{t'}\Vert$")
        (now,) = right.plot([], [], ":", color=PALETTE["grey"], lw=1.2)
        (grads,) = right.plot([], [], "-o", color=PALETTE["blue"], ms=4)
        return fig, UnrollArtists(states, cursor, heading(left), grads, now, heading(right))

    def update(self, a, v):
        d, t = v.data, v.t
        a.states.set_data(d.hs.T)
        a.cursor.set_x(t - 0.5)
        a.state_text.set_text(f"step {t}: output {d.outputs[t - 1]:+.2f}, target "
                              f"{d.ys[t - 1]:+.2f}")
        earlier = np.arange(1, t + 1)  # t' = 1 .. t
        row = d.grads[t - 1, :t]
        a.grads.set_data(earlier, np.clip(row, FLOOR, CEILING))
        a.now.set_data([t, t], [FLOOR, CEILING])
        if row[-1] > 0:
            a.grad_text.set_text(f"‖∂L_t/∂h_1‖ / ‖∂L_t/∂h_t‖ = {row[0] / row[-1]:.2g}")
        else:
            a.grad_text.set_text("L_t = 0 here: no gradient")
