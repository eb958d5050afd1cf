"""Explorers for the chapter "Slopes: which way is downhill?" (book/slopes.ipynb).

- :class:`TangentExplorer`: drag x along the quartic and watch the tangent and the sign of the
  slope.
- :class:`DescentExplorer`: drag the learning rate and the start point; see the steps of gradient
  descent on the curve and the loss f(x_k) against the step k.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import calculus, landscapes, optim
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Slider

QUARTIC = landscapes.Quartic()
#: Below this |slope| the explorers call the tangent flat.
FLAT = 1e-9
#: Floor of the log-scale loss gap f(x_k) - f(x*) (it reaches 0 to rounding).
GAP_FLOOR = 1e-12
#: x-range of the descent explorer's curve: wide enough to show the first step from
#: x0 = 4 at alpha = 0.056, which lands at x1 = -2.3 across the valley.
DESCENT_XLIM = (-2.5, 4.2)


class TangentData(NamedTuple):
    x: float  # the point
    fx: float  # f(x)
    slope: float  # f'(x), analytic
    line_x: np.ndarray  # (2,) ends of the drawn tangent segment
    line_y: np.ndarray  # (2,)
    direction: int  # the downhill step: +1 right, -1 left, 0 flat


def tangent_data(x: float, landscape=QUARTIC, half_width: float = 0.6) -> TangentData:
    """The tangent of a 1-D landscape at x, and which way is downhill.

    Equations
    ---------
    .. math:: u \\mapsto f(x) + f'(x)(u - x), \\qquad
              \\text{step direction} = -\\operatorname{sign} f'(x)
    """
    slope = float(landscape.grad(x))
    line = calculus.tangent_line(landscape, x, slope=slope)
    line_x = np.array([x - half_width, x + half_width])
    direction = 0 if abs(slope) < FLAT else -int(np.sign(slope))
    return TangentData(x, float(landscape(x)), slope, line_x, line(line_x), direction)


def slope_message(d: TangentData) -> str:
    if d.direction == 0:
        return (
            f"f'({d.x:.3g}) = 0: flat. Minimum, maximum or flat inflection point? "
            "The slope cannot say."
        )
    way = "right" if d.direction > 0 else "left"
    sign = "negative" if d.slope < 0 else "positive"
    return f"f'({d.x:.3g}) = {d.slope:.3g} is {sign}: downhill is to the {way}"


class TangentArtists(NamedTuple):
    tangent: object  # Line2D: the tangent segment, coloured by the slope's sign
    point: object  # Line2D: (x, f(x))
    arrow: object  # Line2D: a one-marker arrow pointing downhill (empty when flat)
    slope_point: object  # Line2D: (x, f'(x)) on the lower axes
    message: object  # Text: the slope in words


@register
class TangentExplorer(Explorer):
    controls = (Slider("x", "point x", -1.25, 4.0, default=3.0, frames=43),)
    figsize = (7.5, 4.6)
    twin_scale = 2.0  # sharp on HiDPI: 43 frames of one thin curve stay small
    caption = (
        "Top: the quartic f(x) = x⁴ − 3x³ + 2 with its tangent at x. Bottom: the slope f'(x). "
        "The tangent is blue where the slope is negative (step right), vermillion where it is "
        "positive (step left) and black where it is flat."
    )
    alt = "The quartic curve with a tangent line at the chosen point and the slope curve below"

    def compute(self, x):
        return tangent_data(x)

    def draw(self, d):
        fig, (top, bottom) = figure(*self.figsize, nrows=2, sharex=True, height_ratios=[2, 1])
        lo, hi = QUARTIC.bounds
        u = np.linspace(lo, hi, 400)
        top.plot(u, QUARTIC(u), color=PALETTE["grey"], lw=1.5)
        top.set(ylim=(-10, 40), ylabel="f(x)")
        (tangent,) = top.plot([], [], lw=2.5)
        (point,) = top.plot([], [], "o", color=PALETTE["black"], ms=7)
        (arrow,) = top.plot([], [], lw=0, ms=11, color=PALETTE["green"])
        message = heading(top)
        bottom.plot(u, QUARTIC.grad(u), color=PALETTE["grey"], lw=1.5)
        bottom.axhline(0, color=PALETTE["black"], lw=0.8)
        bottom.set(ylim=(-20, 40), xlabel="x", ylabel="f'(x)")
        (slope_point,) = bottom.plot([], [], "o", color=PALETTE["black"], ms=7)
        return fig, TangentArtists(tangent, point, arrow, slope_point, message)

    def update(self, a, d):
        colour = {1: PALETTE["blue"], -1: PALETTE["vermillion"], 0: PALETTE["black"]}[d.direction]
        a.tangent.set_data(d.line_x, d.line_y)
        a.tangent.set_color(colour)
        a.point.set_data([d.x], [d.fx])
        a.slope_point.set_data([d.x], [d.slope])
        if d.direction:
            a.arrow.set_data([d.x + 0.35 * d.direction], [d.fx])
            a.arrow.set_marker(">" if d.direction > 0 else "<")
        else:
            a.arrow.set_data([], [])
        a.message.set_text(slope_message(d))


class DescentData(NamedTuple):
    xs: np.ndarray  # (k+1,) iterates x_0 .. x_k, finite
    fs: np.ndarray  # (k+1,) f(x_k)
    diverged_at: int | None  # the step where the run blew up, if it did


def descent_path(lr: float, x0: float, steps: int = 150, landscape=QUARTIC) -> DescentData:
    """Gradient descent x_{k+1} = x_k - lr f'(x_k) on a 1-D landscape, stopped cleanly if it
    diverges."""
    run = optim.run(landscape, x0, optim.SGD(lr=lr), steps)
    xs = np.ravel(run.ws)
    return DescentData(xs, np.asarray(run.losses, dtype=float), run.diverged_at)


class DescentArtists(NamedTuple):
    path: object  # Line2D: the iterates (x_k, f(x_k)) on the curve
    start: object  # Line2D: x_0
    loss: object  # Line2D: f(x_k) - f(x*) against k
    status: object  # Text: the last iterate, or where the run diverged


@register
class DescentExplorer(Explorer):
    controls = (
        # quarter-decade grid from 1e-4 to 10^-0.5: holds 0.001, 0.01 and 0.1 (just past 2/f''(x*))
        Slider("lr", "learning rate α", 1e-4, 10**-0.5, default=0.01, log=True, frames=15),
        Slider("x0", "start x₀", -1.0, 4.0, default=4.0, frames=6),
    )
    figsize = (7.5, 3.2)
    twin_scale = 1.5  # 2x exceeds the size budget
    steps = 150
    caption = (
        "Gradient descent on f(x) = x⁴ − 3x³ + 2. Left: the iterates x_k on the curve. Right: how "
        "far the loss f(x_k) is above its minimum f(9/4), against the step k (log scale). Small α "
        "crawls, large α overshoots and, past a point, diverges; starting left of 0 can stall on "
        "the flat stretch around the inflection point at 0."
    )
    alt = "Gradient-descent steps on the quartic and the loss against the step number"

    def compute(self, lr, x0):
        return descent_path(lr, x0, self.steps)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2)
        lo, hi = DESCENT_XLIM
        u = np.linspace(lo, hi, 400)
        left.plot(u, QUARTIC(u), color=PALETTE["grey"], lw=1.5)
        left.set(xlim=(lo, hi), ylim=(-10, 70), xlabel="x", ylabel="f(x)")
        (path,) = left.plot([], [], "-o", color=PALETTE["blue"], lw=0.8, ms=3.5)
        (start,) = left.plot([], [], "o", color=PALETTE["orange"], ms=8)
        (loss,) = right.plot([], [], color=PALETTE["blue"])
        log_axis(right, range(-12, 5, 4))  # the gap, floored at GAP_FLOOR = 1e-12
        right.set(xlim=(0, self.steps), xlabel="step k", ylabel="f(x_k) − f(x*)")
        return fig, DescentArtists(path, start, loss, heading(right))

    def update(self, a, d):
        a.path.set_data(d.xs, d.fs)
        a.start.set_data(d.xs[:1], d.fs[:1])
        a.loss.set_data(np.arange(len(d.fs)), np.maximum(d.fs - QUARTIC.f_min, GAP_FLOOR))
        if d.diverged_at is not None:
            # the last finite iterate is usually far off the plot: name it
            last = len(d.xs) - 1
            a.status.set_text(f"diverged at step {d.diverged_at} (x_{last} = {d.xs[-1]:.3g})")
            a.status.set_color(PALETTE["vermillion"])
        else:
            a.status.set_text(f"x_{len(d.xs) - 1} = {d.xs[-1]:.4f}")
            a.status.set_color(PALETTE["black"])
