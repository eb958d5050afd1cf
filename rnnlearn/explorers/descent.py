"""Explorers for the chapter "Gradient descent and momentum" (book/descent.ipynb).

- :class:`QuadraticExplorer`: drag the learning rate alpha, the momentum beta and the condition
  number kappa of a tilted quadratic bowl; see the path on the contour map, the error against the
  step next to the theoretical rate ``rates.momentum_rate(alpha, beta, eigenvalues) ** k``, and
  where the run diverges.
- :class:`RaceExplorer`: SGD, momentum, Nesterov, RMSprop and Adam raced on Rosenbrock's valley
  and on the 2-D double well, for a chosen learning-rate scale and start.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import landscapes, optim, rates
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Choice, Slider

#: Smallest relative error drawn on the log axis (the error can reach exactly 0).
FLOOR = 1e-16
#: Contour lines: one light grey, no transparency, so that the twin's few frame colours go to the
#: paths.
CONTOUR = "#b0b0b0"


# -- (a) momentum on a quadratic bowl -------------------------------------------------------------
KAPPAS = ("1", "10", "100")
#: The flat eigen-direction (eigenvalue mu) points 30 degrees above the w1 axis.
ROTATION = np.pi / 6
#: One bowl per condition number, all with largest eigenvalue L = 1: the GD limit is 2 / L = 2.
BOWLS = {k: landscapes.Quadratic.from_condition(float(k), L=1.0, dim=2, rotation=ROTATION)
         for k in KAPPAS}
START = np.array([-1.4, -0.1])  # w_0: components along both eigen-directions
WINDOW = 1.6  # the contour map shows [-WINDOW, WINDOW]^2


#: The learning rates of the static grid: fixed values, plus the two optima, which depend on kappa.
ALPHAS = ("0.5", "1", "1.41", "2", "2.83", "4", "2/(μ+L)", "α*")
#: The momentum values of the static grid, plus Polyak's optimum beta*(kappa).
BETAS = ("0", "0.3", "0.6", "0.9", "β*")


def resolve(alpha: str | float, beta: str | float, kappa: str) -> tuple[float, float]:
    """The numbers behind the grid's labels for this kappa: "2/(μ+L)" is the best learning rate of
    gradient descent, "α*" and "β*" are the optimal momentum pair of ``rates.momentum_optimal``;
    a numeric label (or a float) stands for itself."""
    if kappa not in BOWLS:
        raise ValueError(f"kappa must be one of {list(BOWLS)}; got {kappa!r}")
    bowl = BOWLS[kappa]
    best = rates.momentum_optimal(bowl.mu, bowl.L)
    named_alpha = {"2/(μ+L)": rates.gd_optimal(bowl.mu, bowl.L).lr, "α*": best.lr}
    alpha = named_alpha[alpha] if alpha in named_alpha else float(alpha)
    beta = best.beta if beta == "β*" else float(beta)
    return alpha, beta


class QuadraticData(NamedTuple):
    kappa: str  # the condition number, as the control names it
    ws: np.ndarray  # (k + 1, 2) iterates w_0 .. w_k, finite
    errors: np.ndarray  # (k + 1,) ||w_k - w*|| / ||w_0 - w*||
    theory_rate: float  # rates.momentum_rate(alpha, beta, eigenvalues)
    measured_rate: float  # from the errors, see rates.peak_rate()
    limit: float  # (2 + 2 beta) / L: the largest stable alpha
    diverged_at: int | None  # the step where the run blew up, if it did
    alpha: float  # the learning rate used (a named grid value resolved for this kappa)
    beta: float  # the momentum used


def quadratic_run(alpha: float | str, beta: float | str, kappa: str, steps: int = 150,
                  start=START) -> QuadraticData:
    r"""Heavy-ball momentum (beta = 0: gradient descent) on the tilted bowl with condition number
    kappa.

    ``alpha`` and ``beta`` are numbers or grid labels (see :func:`resolve`).

    Equations
    ---------
    .. math:: z_{k+1} = \beta z_k + \nabla f(w_k), \quad w_{k+1} = w_k - \alpha z_{k+1}, \quad
              \text{rate} = \max_i \max |r|, \; r^2 - (1 + \beta - \alpha\lambda_i) r + \beta = 0
    """
    alpha, beta = resolve(alpha, beta, kappa)
    bowl = BOWLS[kappa]
    run = optim.run(bowl, start, optim.Momentum(alpha, beta), steps)
    errors = np.linalg.norm(run.ws - bowl.center, axis=1)
    errors = errors / errors[0]
    theory = rates.momentum_rate(alpha, beta, bowl.eigenvalues)
    return QuadraticData(kappa, run.ws, errors, theory, rates.peak_rate(errors),
                         (2 + 2 * beta) / bowl.L, run.diverged_at, alpha, beta)


class QuadraticArtists(NamedTuple):
    contours: dict  # kappa -> ContourSet: static, one shown per background (show_background)
    path: object  # Line2D: the iterates on the contour map
    limit_text: object  # Text: kappa, alpha, beta and the stability limit
    theory: object  # Line2D: rate ** k (dashed)
    error: object  # Line2D: the measured relative error
    status: object  # Text: measured and theoretical rate, or where the run diverged


@register
class QuadraticExplorer(Explorer):
    controls = (
        # fixed values hold 1 = 1/L, 2 = 2/L (the GD limit) and 2.83 (needs beta > 0.41); the named
        # ones are the optima for the chosen kappa, so the chapter's headline rates are on the grid
        # toggle buttons live and a range input in the twin (not a dropdown): ordered values
        Choice("alpha", "learning rate α", ALPHAS, default="1.41", widget="toggle"),
        Choice("beta", "momentum β", BETAS, default="0"),
        Choice("kappa", "condition number κ", KAPPAS, default="100"),
    )
    figsize = (7.5, 3.5)
    twin_scale = 1.0  # 120 frames at 1.5x exceed the size budget
    static_fields = ("contours",)
    steps = 150
    caption = (
        "Momentum on a tilted bowl f(w) = ½ wᵀAw whose eigenvalues are μ = 1/κ and L = 1 (β = 0 is "
        "plain gradient descent). The choices 2/(μ+L), α* and β* are the optimal values for the "
        "chosen κ. Left: the path from the orange start on the contour map. Right: the relative "
        "error ‖w_k − w*‖ / ‖w_0 − w*‖ against the step (log scale), with the theory line rateᵏ "
        "(dashed). A run is stopped, and marked in vermillion, when it diverges."
    )
    alt = ("A contour map of an elongated tilted bowl with the optimiser's path, and its error "
           "against the step")

    def compute(self, alpha, beta, kappa):
        return quadratic_run(alpha, beta, kappa, self.steps)

    def background_key(self, d):
        return d.kappa  # one contour set per kappa, drawn once into its own background

    def show_background(self, a, kappa):
        for key, contour in a.contours.items():
            contour.set_visible(key == kappa)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2)
        u = np.linspace(-WINDOW, WINDOW, 161)
        grid = np.stack(np.meshgrid(u, u), axis=-1)  # (161, 161, 2)
        contours = {}
        for kappa, bowl in BOWLS.items():
            levels = bowl(START) * 4.0 ** np.arange(-6, 2)
            contours[kappa] = left.contour(u, u, bowl(grid), levels=levels, colors=CONTOUR,
                                           linewidths=0.8)
        left.plot([0], [0], "*", color=PALETTE["black"], ms=10)
        (path,) = left.plot([], [], "-o", color=PALETTE["blue"], lw=1.0, ms=2.5)
        left.plot(START[:1], START[1:], "o", color=PALETTE["orange"], ms=8)
        left.set(xlim=(-WINDOW, WINDOW), ylim=(-WINDOW, WINDOW), xlabel="w₁", ylabel="w₂",
                 aspect="equal")
        left.grid(False)
        limit_text = heading(left)

        ks = np.arange(self.steps + 1)
        (theory,) = right.plot(ks, np.ones_like(ks, dtype=float), "--", color=PALETTE["black"],
                               lw=1.2, label="theory: rateᵏ")
        (error,) = right.plot([], [], color=PALETTE["blue"], label="measured")
        log_axis(right, range(-16, 5, 4))  # FLOOR = 1e-16 at the bottom
        right.set(xlim=(0, self.steps), xlabel="step k", ylabel="‖w_k − w*‖ / ‖w_0 − w*‖")
        right.legend(loc="lower left")
        self.show_background(QuadraticArtists(contours, *[None] * 5), d.kappa)
        return fig, QuadraticArtists(contours, path, limit_text, theory, error, heading(right))

    def update(self, a, d):
        a.path.set_data(d.ws[:, 0], d.ws[:, 1])
        a.error.set_data(np.arange(len(d.errors)), np.maximum(d.errors, FLOOR))
        ks = a.theory.get_xdata()
        a.theory.set_ydata(np.clip(d.theory_rate ** ks, FLOOR, 1e8))
        a.limit_text.set_text(f"κ = {d.kappa}, α = {d.alpha:.3g}, β = {d.beta:.3g}\n"
                              f"stable while α < (2 + 2β)/L = {d.limit:.3g}")
        if d.diverged_at is not None:
            a.status.set_text(f"diverged at step {d.diverged_at} "
                              f"(theory rate {d.theory_rate:.3f} > 1)")
            a.status.set_color(PALETTE["vermillion"])
        else:
            a.status.set_text(f"rate per step: measured {d.measured_rate:.3f}, "
                              f"theory {d.theory_rate:.3f}")
            a.status.set_color(PALETTE["black"])


# -- (b) optimisers raced on two landscapes -------------------------------------------------------
#: (label, optim.make name, hyper-parameters other than lr)
RACERS = (
    ("SGD", "sgd", {}),
    ("momentum", "momentum", {"beta": 0.9}),
    ("Nesterov", "nesterov", {"beta": 0.9}),
    ("RMSprop", "rmsprop", {}),
    ("Adam", "adam", {}),
)
#: Colours that survive the twin's palette frames.
RACER_COLOURS = ("blue", "orange", "green", "black", "sky")


class Track(NamedTuple):
    """A landscape to race on: its base learning rate per racer and its named starts."""

    title: str
    landscape: object
    lrs: tuple[float, ...]  # learning rate of each racer at scale 1, in RACERS order
    starts: dict  # start name -> w_0
    levels: np.ndarray  # contour levels of f - f_min


TRACKS = (
    Track("Rosenbrock valley", landscapes.Rosenbrock(), (1e-3, 5e-4, 5e-4, 1e-2, 2e-1),
          {"left": (-1.2, 1.0), "top": (-0.5, 2.5), "right": (1.8, 0.5)},
          np.geomspace(0.05, 2000, 12)),
    Track("2-D double well", landscapes.DoubleWell2D(tilt=0.3, stiffness=1.0),
          (5e-2, 2e-2, 2e-2, 5e-2, 1e-1),
          {"left": (-1.8, -1.0), "top": (0.4, 1.3), "right": (1.6, 1.2)},
          np.geomspace(0.02, 12, 12)),
)
STARTS = ("left", "top", "right")


class RaceData(NamedTuple):
    runs: tuple[tuple[optim.Trajectory, ...], ...]  # runs[track][racer]
    starts: tuple[np.ndarray, ...]  # (2,) start on each track


def race(scale: float, start: str, steps: int = 150) -> RaceData:
    """Every racer on every track from the named start, with its base learning rate times
    ``scale``."""
    if start not in STARTS:
        raise ValueError(f"start must be one of {list(STARTS)}; got {start!r}")
    runs, starts = [], []
    for track in TRACKS:
        w0 = np.array(track.starts[start])
        runs.append(tuple(optim.run(track.landscape, w0,
                                    optim.make(name, lr=lr * scale, **hyper), steps)
                          for (_, name, hyper), lr in zip(RACERS, track.lrs)))
        starts.append(w0)
    return RaceData(tuple(runs), tuple(starts))


def racer_label(label: str, trajectory: optim.Trajectory, f_min: float) -> str:
    """Legend entry: the final gap f(w_k) - f_min, or the step of divergence."""
    if trajectory.diverged:
        return f"{label}: diverged at step {trajectory.diverged_at}"
    return f"{label}: f − f* = {max(trajectory.losses[-1] - f_min, 0.0):.1e}"


class RaceArtists(NamedTuple):
    paths: tuple  # paths[track][racer]: Line2D of the iterates
    ends: tuple  # ends[track][racer]: Line2D marker at the last iterate
    start_marks: tuple  # [track]: Line2D, the start
    legends: tuple  # [track]: Legend whose texts give each racer's outcome


@register
class RaceExplorer(Explorer):
    controls = (
        Slider("scale", "learning-rate scale", 0.1, 10.0, default=1.0, log=True, frames=9,
               fmt=".2g"),
        Choice("start", "start", STARTS, default="right"),
    )
    figsize = (7.5, 4.4)
    twin_scale = 1.5  # 2x exceeds the size budget
    twin_bytes_per_px = 0.18  # busy (ten paths, two contour maps, two legends): 0.17 measured
    steps = 150
    caption = (
        "Five optimisers race for 150 steps on Rosenbrock's curved valley (left) and on a double "
        "well whose left valley is the deeper (right), each with its own learning rate times the "
        "common scale. Stars mark the global minima (hollow: the local one); the legends give each "
        "final gap f − f* or the step at which the run diverged (vermillion)."
    )
    alt = ("Two contour maps, each with five optimiser paths from a common start, and legends "
           "with final losses")

    def compute(self, scale, start):
        return race(scale, start, self.steps)

    def draw(self, d):
        fig, axes = figure(*self.figsize, ncols=2)
        paths, ends, marks, legends = [], [], [], []
        for ax, track in zip(axes, TRACKS):
            f = track.landscape
            (x_lo, x_hi), (y_lo, y_hi) = f.bounds
            xs, ys = np.linspace(x_lo, x_hi, 161), np.linspace(y_lo, y_hi, 161)
            gap = f(np.stack(np.meshgrid(xs, ys), axis=-1)) - f.f_min
            ax.contour(xs, ys, gap, levels=track.levels, colors=CONTOUR, linewidths=0.7)
            ax.plot(f.minima[:1, 0], f.minima[:1, 1], "*", color=PALETTE["black"], ms=11)
            ax.plot(f.minima[1:, 0], f.minima[1:, 1], "*", color=PALETTE["black"], mfc="none",
                    ms=11)
            track_paths, track_ends = [], []
            for (label, _, _), colour in zip(RACERS, RACER_COLOURS):
                # sky (Adam) is dashed: beside blue (SGD) its hue alone is hard to tell apart
                style = "--" if colour == "sky" else "-"
                (line,) = ax.plot([], [], style, color=PALETTE[colour], lw=1.8, label=label)
                (end,) = ax.plot([], [], "o", color=PALETTE[colour], ms=4.5)
                track_paths.append(line)
                track_ends.append(end)
            (mark,) = ax.plot([], [], "o", color=PALETTE["black"], mfc="white", ms=7, mew=1.5)
            ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="w₁", ylabel="w₂")
            ax.set_title(track.title, y=1.0)  # y: skip auto-placement, a slow step of every draw
            ax.grid(False)
            legends.append(ax.legend(handles=track_paths, loc="upper center",
                                     bbox_to_anchor=(0.5, -0.16), handlelength=1.2))
            paths.append(tuple(track_paths))
            ends.append(tuple(track_ends))
            marks.append(mark)
        return fig, RaceArtists(tuple(paths), tuple(ends), tuple(marks), tuple(legends))

    def update(self, a, d):
        for track, runs, w0, paths, ends, mark, legend in zip(
            TRACKS, d.runs, d.starts, a.paths, a.ends, a.start_marks, a.legends
        ):
            mark.set_data(w0[:1], w0[1:])
            for (label, _, _), run, path, end, text in zip(RACERS, runs, paths, ends,
                                                            legend.get_texts()):
                path.set_data(run.ws[:, 0], run.ws[:, 1])
                end.set_data(run.ws[-1:, 0], run.ws[-1:, 1])
                text.set_text(racer_label(label, run, track.landscape.f_min))
                text.set_color(PALETTE["vermillion"] if run.diverged else PALETTE["black"])
