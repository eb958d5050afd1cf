"""The explorer of the chapter "Gated recurrent units" (book/gru.ipynb).

:class:`GruGateExplorer`: one GRU unit (D = H = 1) with fixed, stated weights reads the pulse
task of the LSTM gate explorer (:func:`rnnlearn.tasks.pulse`: a silent sequence of T = 50 steps
with one input x_{t0} = s). The reader sets the update-gate bias, the reset-gate bias and the
pulse's time and size, and sees the gates r_t and z_t and the state h_t over time, and how much
gradient the last state sends back: |dh_T/dh_t| at every step and |dh_T/dx_{t0}| to the pulse.
Everything is computed with :mod:`rnnlearn.gru` (forward, backward and step_backward).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import gru, tasks
from .._checks import check_float, check_int
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import IntSlider, Slider

#: Length of the pulse task (as the LSTM gate explorer's).
T_PULSE = 50
#: The unit's fixed weights. The pulse pushes the update gate shut (w_iz < 0: z drops, the unit
#: writes) and writes tanh(w_in x) into the candidate; afterwards x = 0, so the gates sit at
#: sigma(bias) and the candidate looks back at the state through r * w_hn. The gates do not
#: read h (w_hr = w_hz = 0), so dh_t/dh_{t-1} = z_t + (1 - z_t)(1 - n_t^2) r_t w_hn exactly.
WEIGHTS = {"w_ir": 0.0, "w_iz": -8.0, "w_in": 2.0, "w_hr": 0.0, "w_hz": 0.0, "w_hn": 0.5,
           "b_in": 0.0, "b_hn": 0.0}
#: Log10 range of the gradient panel (values beyond it are drawn at its edge).
LOG_LO, LOG_HI = -24, 0


def pulse_params(update_bias, reset_bias) -> dict:
    """nn.GRU-layout parameters of the explorer's unit: :data:`WEIGHTS`, the reset-gate bias
    b_r and the update-gate bias b_z (each the total b_i* + b_h*, put in ``bias_ih``)."""
    w = WEIGHTS
    return {"weight_ih": np.array([[w["w_ir"]], [w["w_iz"]], [w["w_in"]]]),  # (3H, D) = (3, 1)
            "weight_hh": np.array([[w["w_hr"]], [w["w_hz"]], [w["w_hn"]]]),  # (3H, H) = (3, 1)
            "bias_ih": np.array([float(reset_bias), float(update_bias), w["b_in"]]),
            "bias_hh": np.array([0.0, 0.0, w["b_hn"]])}


class PulseData(NamedTuple):
    steps: np.ndarray  # (T,) t = 1..T
    x: np.ndarray  # (T,) the input: size s at t0, else 0
    r: np.ndarray  # (T,) reset gate r_t
    z: np.ndarray  # (T,) update gate z_t
    h: np.ndarray  # (T,) state h_t
    grad_h: np.ndarray  # (T + 1,) |dh_T/dh_t| for t = 0..T (the last entry is 1)
    grad_x: float  # |dh_T/dx_{t0}|: the gradient back to the pulse
    time: int  # t0
    size: float  # s


def gru_pulse(update_bias, reset_bias, time, size, T=T_PULSE) -> PulseData:
    r"""The explorer's unit on ``tasks.pulse(T, time=time, size=size)``, from h_0 = 0.

    Parameters
    ----------
    update_bias, reset_bias : float
        b_z and b_r, the totals of the two biases of each gate.
    time : int
        t0, 1 <= t0 <= T.
    size : float
        s, the pulse's height.
    T : int

    Returns
    -------
    PulseData

    Equations
    ---------
    .. math::
        r_t = \sigma(b_r + w_{ir} x_t), \quad z_t = \sigma(b_z + w_{iz} x_t), \quad
        n_t = \tanh(w_{in} x_t + r_t w_{hn} h_{t-1}), \quad
        h_t = (1 - z_t) n_t + z_t h_{t-1}
    """
    update_bias = check_float("update_bias", update_bias)
    reset_bias = check_float("reset_bias", reset_bias)
    T = check_int("T", T, lo=1)
    time = check_int("time", time, lo=1, hi=T)
    xs = tasks.pulse(T, time=time, size=check_float("size", size))  # (T, 1, 1)
    params = pulse_params(update_bias, reset_bias)
    hs, cache = gru.forward(xs, None, params)  # (T, 1, 1)
    dxs, _, _ = gru.backward(np.zeros_like(hs), cache, dh_last=np.ones((1, 1)))
    grad_h = np.empty(T + 1)  # dh_T/dh_t, t = T down to 0, one step_backward per step
    dh = np.ones((1, 1))
    grad_h[T] = 1.0
    h_prev = np.concatenate([cache.h0[None], hs[:-1]])  # (T, 1, 1) h_0 .. h_{T-1}
    for t in range(T, 0, -1):  # the step from h_{t-1} to h_t
        step = gru.StepCache(xs[t - 1], h_prev[t - 1], cache.r[t - 1], cache.z[t - 1],
                             cache.n[t - 1], cache.hn[t - 1], cache.weight_ih,
                             cache.weight_hh, cache.reset)
        _, dh, _ = gru.step_backward(dh, step)
        grad_h[t - 1] = abs(dh[0, 0])
    return PulseData(np.arange(1, T + 1), xs[:, 0, 0], cache.r[:, 0, 0], cache.z[:, 0, 0],
                     hs[:, 0, 0], grad_h, float(abs(dxs[time - 1, 0, 0])), time, size)


def _clip_log(values):
    with np.errstate(divide="ignore"):
        return 10.0 ** np.clip(np.log10(values), LOG_LO, LOG_HI)


class GruArtists(NamedTuple):
    z: object  # Line2D: z_t
    r: object  # Line2D: r_t
    h: object  # Line2D: h_t
    pulse: object  # Line2D: a vertical line at t0
    state_text: object  # Text: h at the pulse and at T
    grad: object  # Line2D: |dh_T/dh_t|
    grad_pulse: object  # Line2D: one marker, |dh_T/dx_t0| at t0
    grad_text: object  # Text: the readout


@register
class GruGateExplorer(Explorer):
    controls = (
        Slider("update_bias", "update-gate bias b_z", -2.0, 6.0, default=0.0, frames=5,
               live_steps=80, fmt=".2g"),  # twin: -2, 0, 2, 4, 6
        Slider("reset_bias", "reset-gate bias b_r", -4.0, 4.0, default=0.0, frames=3,
               live_steps=80, fmt=".2g"),  # twin: -4, 0, 4
        IntSlider("time", "pulse time t₀", 10, 40, default=10, frames=2),  # twin: 10, 40
        Slider("size", "pulse size s", -1.0, 2.0, default=1.0, frames=4, live_steps=60,
               fmt=".2g"),  # twin: -1, 0, 1, 2
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.0
    twin_bytes_per_px = 0.07  # line art: 0.058 measured (1.21 MB for 120 frames)
    caption = (
        "One GRU unit (D = H = 1) reads a silent sequence of 50 steps with one pulse x_t₀ = s. "
        "Fixed weights: w_iz = −8 (a positive pulse shuts the update gate, so the unit writes), "
        "w_in = 2, w_hn = 0.5, all others 0; the biases b_z and b_r are the controls. Left: the "
        "update gate z_t, the reset gate r_t and the state h_t. Right: the gradient that h_T "
        "sends back, |∂h_T/∂h_t| at every step (log axis, values below 10⁻²⁴ drawn at the "
        "edge), and |∂h_T/∂x_t₀|, the gradient back to the pulse (dot)."
    )
    alt = ("The gates and the state of one GRU unit over 50 steps after an input pulse, and the "
           "gradient of the last state with respect to every earlier state on a log axis")

    def compute(self, update_bias, reset_bias, time, size):
        return gru_pulse(update_bias, reset_bias, time, size)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.09, right=0.985, bottom=0.14, top=0.86, wspace=0.3)
        T = len(d.steps)
        left.set(xlim=(0, T + 1), ylim=(-1.55, 1.1), xlabel="time step t",
                 yticks=[-1, -0.5, 0, 0.5, 1])
        (pulse,) = left.plot([], [], ":", color=PALETTE["grey"], lw=1.5)
        (z,) = left.plot([], [], color=PALETTE["blue"], label="update z_t")
        (r,) = left.plot([], [], "--", color=PALETTE["orange"], label="reset r_t")
        (h,) = left.plot([], [], color=PALETTE["vermillion"], label="state h_t")
        left.legend(loc="lower left", handlelength=1.3, fontsize=10, ncols=3,
                    columnspacing=0.6, handletextpad=0.4, borderaxespad=0.2)
        log_axis(right, range(LOG_LO, LOG_HI + 1, 4))
        right.set(xlim=(0, T + 1), xlabel="time step t", ylabel="|∂h_T/∂h_t|")
        (grad,) = right.plot([], [], color=PALETTE["blue"])
        (grad_pulse,) = right.plot([], [], "o", color=PALETTE["vermillion"], ms=7)
        return fig, GruArtists(z, r, h, pulse, heading(left), grad, grad_pulse, heading(right))

    def update(self, a, d):
        a.z.set_data(d.steps, d.z)
        a.r.set_data(d.steps, d.r)
        a.h.set_data(d.steps, d.h)
        a.pulse.set_data([d.time, d.time], [-1.0, 1.1])
        at_pulse = round(float(d.h[d.time - 1]), 2) + 0.0  # + 0.0: never "-0.00"
        a.state_text.set_text(f"h at the pulse {at_pulse:.2f}, h_T {d.h[-1]:.2g}")
        a.grad.set_data(np.arange(len(d.grad_h)), _clip_log(d.grad_h))
        a.grad_pulse.set_data([d.time], _clip_log(np.array([d.grad_x])))
        a.grad_text.set_text(f"|∂h_T/∂x_t₀| = {d.grad_x:.2g}")
