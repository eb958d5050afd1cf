"""An explorer for the chapter "Vanishing and exploding gradients": W_rec and training
(book/gradients.ipynb).

- :class:`TrainingExplorer`: loss and gradient-norm curves of tanh RNNs trained on the delay
  task (y_t = x_{t-m}, m = 15, T = 30, H = 16; memoryless baseline 0.5) from initial recurrent
  weights W_hh = rho Q (Q random orthogonal), rho = 0.5, 1, ..., 3, with Adam(0.01) or plain
  SGD(0.3), clipping off or at global norm 1, five seeds. Training takes minutes, so the curves
  are the cached result ``wrec_training`` (:mod:`rnnlearn.results`, made by
  ``scripts/train_wrec.py``); all three controls only select from it (view stage).

What it shows (measured, 500 steps, seeds 0-4; :func:`facts` recomputes every count):

- **Exploding, plain SGD, no clipping**: from rho = 2, 2.5 and 3, 10 of the 15 runs blow up
  (a block's mean loss above 10, i.e. 20 times the baseline, or NaN; 2, 4 and 4 of 5), and
  10 of 15 meet gradient norms of 10^4 or more (up to 5e14; in the 2 runs at rho = 3 that end
  in NaN, past 1e149 and then inf). Several blown-up runs fall back to the baseline
  afterwards: the huge step saturates the tanh units.
- **Clipping prevents every blow-up**: 0 of the 30 clipped SGD runs (and 0 of the 30 Adam
  runs, clipped or not: Adam normalises its step). It does not make a large start learn:
  0 of the 60 runs from rho >= 2 learn (final loss < 0.05) within 500 steps, with either
  optimiser, clipped or not (final losses 0.33-0.53 when they did not blow up).
- **Vanishing**: from rho = 0.5 SGD stays at the baseline (0.500-0.501) in 10 of 10 runs,
  clipped or not; Adam in 8 of 10 (seed 4 is at 0.43 after 500 steps, clipped or not: Adam
  amplifies the tiny gradient and leaves the plateau, FINDINGS section 3).
- **Near 1 trains**: Adam learns (final loss < 0.05) in 5 of 5 runs from rho = 1, clipped or
  not, and 4 of 5 from rho = 1.5. SGD from rho = 1 or 1.5 gets below 0.15 in 10 of 10 runs
  with clipping and 7 of 10 without.
- **The start**: at step 1 the gradient norm is 100-680 from rho = 3 against 0.3-1.0 from
  rho = 1 (150 to 2200 times larger, seed by seed; ``Runs.initial_grad_norm``).

Regenerated with numpy 1.23 and another BLAS kernel, the chaotic runs (rho >= 1.5) follow
other paths, but every count above holds to within one run (the blow-ups exactly: 10 of 15
and 0 of 90); the tests assert them with that margin.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from matplotlib.collections import LineCollection

from .. import results
from .._checks import check_choice, check_float
from ..plotting import CYCLE, PALETTE, figure, heading, power_of_ten
from .base import Explorer, register
from .controls import Choice, Slider

#: The optimiser control's options, in the order of the data's optimiser axis.
OPTIMIZER_CHOICES = ("Adam", "SGD")
#: The clipping control's options, in the order of the data's clip axis.
CLIP_CHOICES = ("off", "at norm 1")
#: The plotted ranges (log axes): a value above the top (or not a number) is drawn at the top.
LOSS_RANGE = (-3, 1)  # 10^-3 .. 10
NORM_RANGE = (-2, 16)  # 10^-2 .. 10^16
#: A run "blew up" if a block's mean loss went above this (20 x the baseline) or stopped being
#: a finite number (the data hold +inf from that block on).
BLOW_UP = 10.0 ** LOSS_RANGE[1]
#: "Learned": the mean loss of the last 50 steps below this (a tenth of the baseline 0.5);
#: "trained": below TRAINED (well off the baseline, the measure FINDINGS used for SGD).
LEARNED, TRAINED = 0.05, 0.15


class Runs(NamedTuple):
    scales: np.ndarray  # (S,) initial spectral radius of W_hh
    optimizers: tuple  # ("Adam", "SGD")
    lrs: np.ndarray  # (2,) their learning rates
    clips: np.ndarray  # (2,) 0 (off) and the clipping threshold
    losses: np.ndarray  # (S, 2, 2, seeds, blocks) mean loss of each block; inf once diverged
    grad_norms: np.ndarray  # (S, 2, 2, seeds, blocks) largest gradient norm in each block
    steps: np.ndarray  # (blocks,) the step at the end of each block
    baseline: float  # the memoryless half-MSE, 0.5
    initial_loss: np.ndarray  # (S, seeds) the loss at step 1
    initial_grad_norm: np.ndarray  # (S, seeds) the gradient norm at step 1


@lru_cache(maxsize=1)
def load_runs() -> Runs:
    """The cached training runs (``rnnlearn.results.load("wrec_training")``)."""
    d = results.load("wrec_training")
    return Runs(d["scales"], tuple(str(o) for o in d["optimizers"]), d["lrs"], d["clips"],
                d["losses"], d["grad_norms"], d["steps"], float(d["baseline"]),
                d["initial_loss"], d["initial_grad_norm"])


class TrainingView(NamedTuple):
    losses: np.ndarray  # (seeds, blocks)
    grad_norms: np.ndarray  # (seeds, blocks)
    steps: np.ndarray  # (blocks,)
    scale: float
    optimizer: str
    lr: float
    clip: float  # 0: off
    baseline: float


def select_runs(runs: Runs, scale, optimizer, clip) -> TrainingView:
    """The runs of the grid scale nearest to ``scale``; ``optimizer`` one of
    :data:`OPTIMIZER_CHOICES`, ``clip`` one of :data:`CLIP_CHOICES`."""
    scale = check_float("scale", scale, 0.0, lo_open=True)
    j = OPTIMIZER_CHOICES.index(check_choice("optimizer", optimizer, OPTIMIZER_CHOICES))
    k = CLIP_CHOICES.index(check_choice("clip", clip, CLIP_CHOICES))
    i = int(np.argmin(np.abs(runs.scales - scale)))
    return TrainingView(runs.losses[i, j, k], runs.grad_norms[i, j, k], runs.steps,
                        float(runs.scales[i]), runs.optimizers[j], float(runs.lrs[j]),
                        float(runs.clips[k]), runs.baseline)


def blown_up(losses) -> np.ndarray:
    """Which runs blew up: a block's mean loss above :data:`BLOW_UP` or not finite, (seeds,)."""
    losses = np.asarray(losses)
    return np.any(~(losses <= BLOW_UP), axis=-1)


def final_losses(losses) -> np.ndarray:
    """The mean loss of the last 50 steps (5 blocks) of each run; inf for a diverged run."""
    return np.asarray(losses)[..., -5:].mean(axis=-1)


def facts(runs: Runs | None = None) -> dict:
    """The counts the chapter may quote, per (optimiser, clipping) and scale: runs that blew
    up, that met a gradient norm of 10^4 or more, that learned (final loss < :data:`LEARNED`),
    that trained (final loss < :data:`TRAINED`), and that stayed at the baseline (final loss
    within 0.45-0.55)."""
    runs = load_runs() if runs is None else runs
    out = {}
    for j, opt in enumerate(runs.optimizers):
        for k, clip in enumerate(CLIP_CHOICES):
            for i, scale in enumerate(runs.scales):
                losses, norms = runs.losses[i, j, k], runs.grad_norms[i, j, k]
                with np.errstate(invalid="ignore"):
                    final = final_losses(losses)
                out[opt, clip, float(scale)] = {
                    "blown_up": int(blown_up(losses).sum()),
                    "norm_1e4": int(np.sum(norms.max(axis=-1) >= 1e4)),
                    "learned": int(np.sum(final < LEARNED)),
                    "trained": int(np.sum(final < TRAINED)),
                    "baseline": int(np.sum(np.abs(final - runs.baseline) < 0.05)),
                    "seeds": losses.shape[0]}
    return out


def _to_plot(values, lo_exp, hi_exp):
    """log10 of the values, clipped into [lo_exp, hi_exp]; not-a-number at the top. The axes
    plot log10 on a linear scale (ticks labelled 10^k): a log scale's non-affine transform of
    every moved line would cost a third of a live frame."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(values <= 10.0 ** hi_exp, np.log10(np.maximum(values, 10.0 ** lo_exp)),
                        float(hi_exp))


def _log_ticks(ax, exponents):
    """A linear y axis that holds log10 values, ticks at ``exponents`` labelled 10^k."""
    exponents = list(exponents)
    ax.set_yticks(exponents, [power_of_ten(e) for e in exponents])
    ax.set_ylim(exponents[0], exponents[-1])


class TrainingArtists(NamedTuple):
    losses: object  # LineCollection: one curve per seed (log10 of the loss)
    blowups: object  # PathCollection: a cross at the top, in its seed's colour, per blow-up
    blowup_text: object  # Text: explains the crosses (shown when there are any)
    loss_text: object  # Text: final losses against the baseline
    norms: object  # LineCollection: one curve per seed (log10 of the gradient norm)
    threshold: object  # Line2D: the clipping threshold (no data when off)
    norm_text: object  # Text: the largest gradient norm


@register
class TrainingExplorer(Explorer):
    controls = (
        # the cached scales 0.5, 1, ..., 3; live steps land on them only
        Slider("scale", "initial spectral radius ρ of W_rec", 0.5, 3.0, default=1.0, frames=6,
               live_steps=5, fmt=".2g", stage="view"),
        Choice("optimizer", "optimiser", OPTIMIZER_CHOICES, "SGD", stage="view"),
        Choice("clip", "gradient clipping", CLIP_CHOICES, "off", stage="view"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 1.5
    twin_bytes_per_px = 0.11  # five noisy curves per panel: 0.099 measured at 1.5x
    caption = (
        "A tanh RNN of 16 units learning to output, at every step, its input of 15 steps "
        "before (sequences of 30 steps of ±1), from W_rec = ρQ (Q random orthogonal), with "
        "Adam (α = 0.01) or plain SGD (α = 0.3), batches of 32; five seeds, one line each. "
        "Left: the loss, averaged over blocks of 10 steps; the dashed line is 0.5, the best "
        "a network without memory can do; a cross at the top marks a run that blew up (loss "
        "above 10 or not a number); above it, each seed's final loss (the mean of the last "
        "50 steps). Right: the largest gradient norm in each block, before clipping, and the "
        "threshold when clipping is on. Precomputed by scripts/train_wrec.py."
    )
    alt = ("Training-loss curves and gradient-norm curves, log axes, of five recurrent networks "
           "trained on a delay task from one initial recurrent-weight scale")

    def compute(self):
        return load_runs()

    def select(self, data, scale, optimizer, clip):
        return select_runs(data, scale, optimizer, clip)

    def draw(self, v):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.1, right=0.985, bottom=0.14, top=0.86, wspace=0.3)
        last = float(v.steps[-1])
        _log_ticks(left, range(LOSS_RANGE[0], LOSS_RANGE[1] + 1))
        _log_ticks(right, range(NORM_RANGE[0], NORM_RANGE[1] + 1, 3))
        left.set(xlim=(0, last), xlabel="training step", ylabel="loss (block mean)")
        right.set(xlim=(0, last), xlabel="training step", ylabel="largest ‖∇L‖ in block")
        left.axhline(np.log10(v.baseline), color=PALETTE["black"], ls="--", lw=1.2)
        # one collection per panel, not a line per seed: a moved Line2D recaches its path,
        # which made a live frame 30% slower than a bare redraw
        colours = CYCLE[: v.losses.shape[0]]
        losses = LineCollection([], colors=colours, linewidths=1.2)
        norms = LineCollection([], colors=colours, linewidths=1.2)
        left.add_collection(losses)
        right.add_collection(norms)
        blowups = left.scatter([], [], s=64, marker="X", edgecolors="white", linewidths=0.6,
                               clip_on=False, zorder=3)
        (threshold,) = right.plot([], [], ":", color=PALETTE["black"], lw=1.5)
        text = left.text(0.97, 0.9, "✕ blew up", transform=left.transAxes, ha="right",
                         va="top", fontsize=9)
        return fig, TrainingArtists(losses, blowups, text, heading(left), norms, threshold,
                                    heading(right))

    def update(self, a, v):
        top = BLOW_UP
        up = blown_up(v.losses)
        a.losses.set_segments([np.column_stack([v.steps, _to_plot(row, *LOSS_RANGE)])
                               for row in v.losses])
        a.norms.set_segments([np.column_stack([v.steps, _to_plot(row, *NORM_RANGE)])
                              for row in v.grad_norms])
        first = np.argmax(~(v.losses[up] <= top), axis=1)  # the block where each blew up
        a.blowups.set_offsets(np.column_stack([v.steps[first],
                                               np.full(len(first), float(LOSS_RANGE[1]))]))
        a.blowups.set_facecolors([CYCLE[i] for i in np.flatnonzero(up)])
        a.blowup_text.set_visible(bool(up.any()))
        a.blowup_text.set_text(f"✕ blew up: {int(up.sum())} of {len(up)}")
        if v.clip > 0:  # the threshold's line only when clipping is on
            a.threshold.set_data([0, v.steps[-1]], [np.log10(v.clip)] * 2)
        else:
            a.threshold.set_data([], [])
        with np.errstate(invalid="ignore", over="ignore"):
            finals = final_losses(v.losses)
        shown = " ".join("NaN" if np.isnan(x) or np.isinf(x) else ">10" if x > top
                         else f"{x:.2f}" for x in finals)
        a.loss_text.set_text(f"final losses {shown}")
        largest = v.grad_norms.max()
        size = f"{largest:.2g}" if np.isfinite(largest) else "∞"
        a.norm_text.set_text(f"largest ‖∇L‖ {size}"
                             + (f", clipped at {v.clip:g}" if v.clip > 0 else ", no clipping"))
