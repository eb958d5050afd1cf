"""An explorer for the chapter "Vanishing and exploding gradients", section on echo state
networks (book/gradients.ipynb).

- :class:`EsnExplorer`: choose the reservoir's spectral radius and leak rate; two copies of the
  reservoir started from different states are driven by the same Mackey-Glass input (they fade
  together while the echo state property holds), and the read-out trained on one of them
  predicts the series in closed loop.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .. import esn, tasks
from .._checks import check_float
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Slider

#: Samples of the series: washout, training, then the closed-loop forecast.
WASHOUT, TRAIN, FORECAST = 100, 700, 200
#: Steps shown in the echo panel; floor of its log axis.
ECHO_STEPS, FLOOR = 300, 1e-16


@lru_cache(maxsize=1)
def mackey_glass_series() -> np.ndarray:
    """Mackey-Glass (tau = 17), minus 1, (WASHOUT + TRAIN + FORECAST + 1,); computed once."""
    u = tasks.mackey_glass(WASHOUT + TRAIN + FORECAST + 1)[:, 0, 0] - 1.0
    u.setflags(write=False)
    return u


class EsnData(NamedTuple):
    distance: np.ndarray  # (ECHO_STEPS,) ||h_t - h'_t|| of the two copies, t = 1..
    truth: np.ndarray  # (FORECAST,) the series after the training part
    forecast: np.ndarray  # (FORECAST,) the closed-loop prediction
    nrmse84: float  # |forecast - truth| 84 steps ahead / std of the series (one start)
    train_nrmse: float  # NRMSE of the teacher-forced one-step prediction on the training part


def esn_demo(spectral_radius, leak, N=100, seed=0) -> EsnData:
    r"""Drive a seeded reservoir with Mackey-Glass from two initial states; fit and forecast.

    The reservoir (:func:`rnnlearn.esn.init`, ``input_scale=1``, ``bias_scale=0.2``) is run
    on the series from h_0 = +r and h_0 = -r (r ~ U(-1, 1)^N); the first copy's states after
    a washout of 100 steps train a ridge read-out (1e-8) to predict the next value over 700
    steps, which then runs in closed loop for 200 steps.

    Parameters
    ----------
    spectral_radius : float
        > 0.
    leak : float
        In (0, 1].
    N, seed : int

    Returns
    -------
    EsnData
    """
    radius = check_float("spectral_radius", spectral_radius, 0.0, lo_open=True)
    leak = check_float("leak", leak, 0.0, 1.0, lo_open=True, hi_open=False)
    u = mackey_glass_series()
    rng = np.random.default_rng(seed)
    params = esn.init(N, 1, rng, spectral_radius=radius, input_scale=1.0, bias_scale=0.2)
    r = rng.uniform(-1.0, 1.0, size=N)
    end = WASHOUT + TRAIN
    xs = np.repeat(u[:end, None, None], 2, axis=1)  # (end, 2, 1)
    states = esn.run(xs, params, np.stack([r, -r]), leak=leak)  # states[t] has seen u_0..u_t
    distance = np.linalg.norm(states[:ECHO_STEPS, 0] - states[:ECHO_STEPS, 1], axis=1)
    train = states[WASHOUT:end, :1]
    targets = u[WASHOUT + 1:end + 1, None, None]
    readout = esn.fit_readout(train, targets, ridge=1e-8)
    variance = float(u.var())
    train_nrmse = esn.nrmse(esn.predict(train, readout), targets, variance)
    h = states[end - 1, :1]
    forecast = esn.generate(params, readout, h, esn.predict(h[None], readout)[0], FORECAST,
                            leak=leak)[:, 0, 0]
    truth = u[end:end + FORECAST]
    return EsnData(distance, truth, forecast, esn.nrmse(forecast[83:84], truth[83:84], variance),
                   train_nrmse)


class EsnArtists(NamedTuple):
    distance: object  # Line2D: ||h_t - h'_t||
    echo_text: object  # Text: the distance at the last step shown
    forecast: object  # Line2D: the closed-loop prediction
    forecast_text: object  # Text: NRMSE 84 steps ahead


@register
class EsnExplorer(Explorer):
    controls = (
        Slider("radius", "spectral radius ρ", 0.5, 1.5, default=0.9, frames=11, fmt=".2f"),
        Slider("leak", "leak rate", 0.1, 1.0, default=1.0, frames=4, fmt=".2f"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.5
    twin_bytes_per_px = 0.11  # two wiggly curves: 0.10 measured
    caption = (
        "An echo state network: 100 tanh units with fixed random weights scaled to spectral "
        "radius ρ, with a chosen leak rate, driven by the Mackey–Glass series (τ = 17). Left: the distance "
        "between two copies of the reservoir started from different states and fed the same "
        "input (log scale, floored at 10⁻¹⁶): they fade together while the echo state property "
        "holds. Right: after 700 steps of fitting only the linear read-out, the network "
        "predicts the series on its own (blue) against the truth (grey)."
    )
    alt = ("The distance between two reservoir states under the same input on a log axis, and "
           "an echo state network's closed-loop forecast of the Mackey-Glass series")

    def compute(self, radius, leak):
        return esn_demo(radius, leak)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.1, right=0.985, bottom=0.14, top=0.86, wspace=0.3)
        log_axis(left, range(-16, 5, 4))
        left.set(xlim=(0, ECHO_STEPS), xlabel="time step t", ylabel="‖h_t − h′_t‖")
        (distance,) = left.plot([], [], color=PALETTE["blue"])
        steps = np.arange(1, FORECAST + 1)
        right.plot(steps, d.truth, color=PALETTE["grey"], lw=2.5, label="truth")
        (forecast,) = right.plot(steps, np.zeros(FORECAST), color=PALETTE["blue"], lw=1.5,
                                 label="forecast")
        right.axvline(84, color=PALETTE["black"], lw=0.8, ls=":")
        right.set(xlim=(0, FORECAST), ylim=(-0.9, 0.6), xlabel="steps ahead",
                  ylabel="x(t) − 1")
        right.legend(loc="lower left", ncols=2)
        return fig, EsnArtists(distance, heading(left), forecast, heading(right))

    def update(self, a, d):
        a.distance.set_data(np.arange(1, len(d.distance) + 1), np.clip(d.distance, FLOOR, 1e2))
        a.echo_text.set_text(f"after {len(d.distance)} steps: ‖h − h′‖ = {d.distance[-1]:.1e}")
        a.forecast.set_ydata(np.clip(d.forecast, -5.0, 5.0))
        a.forecast_text.set_text(f"NRMSE 84 steps ahead: {d.nrmse84:.2g}")
