"""An explorer for the chapter "Vanishing and exploding gradients": W_rec and training
(book/gradients.ipynb).

- :class:`TrainingExplorer`: loss and gradient-norm curves of RNNs trained on the adding problem
  from initial recurrent weights W_hh = scale * Q (Q random orthogonal), with and without
  gradient clipping. Training takes minutes, so the curves are precomputed by
  ``scripts/train_wrec.py`` into ``rnnlearn/data/wrec_training.npz``; both controls only
  select from them (view stage).
"""
from __future__ import annotations

import pathlib
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_float
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Choice, Slider

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "wrec_training.npz"
#: The adding problem's baseline: predicting the constant 1 gives mse 1/6, i.e. 1/12 with the
#: package's mse (which halves the squared error).
BASELINE = 1.0 / 12.0
SEED_COLOURS = ("blue", "orange", "green")
#: The clipping control's options, in the order of the data's clip axis.
CLIP_CHOICES = ("off", "at norm 1")


class Runs(NamedTuple):
    scales: np.ndarray  # (S,) initial spectral radius of W_hh
    clips: np.ndarray  # (2,) 0 (off) and the clipping threshold
    losses: np.ndarray  # (S, 2, seeds, blocks) mean step loss over each block of steps
    grad_norms: np.ndarray  # (S, 2, seeds, blocks) largest gradient norm in each block
    steps: np.ndarray  # (blocks,) the step at the end of each block
    T: int  # sequence length


@lru_cache(maxsize=1)
def load_runs(path=DATA) -> Runs:
    """The precomputed training runs (see ``scripts/train_wrec.py``)."""
    with np.load(path, allow_pickle=False) as f:
        settings = f["settings"]
        block = int(settings[6])
        losses = f["losses"]
        return Runs(f["scales"], f["clips"], losses, f["grad_norms"],
                    block * np.arange(1, losses.shape[-1] + 1), int(settings[0]))


class TrainingView(NamedTuple):
    losses: np.ndarray  # (seeds, blocks)
    grad_norms: np.ndarray  # (seeds, blocks)
    steps: np.ndarray  # (blocks,)
    scale: float
    clip: float  # 0: off


def select_runs(runs: Runs, scale, clip) -> TrainingView:
    """The runs of the grid scale nearest to ``scale`` (in log distance); ``clip`` one of
    :data:`CLIP_CHOICES`."""
    scale = check_float("scale", scale, 0.0, lo_open=True)
    j = CLIP_CHOICES.index(check_choice("clip", clip, CLIP_CHOICES))
    i = int(np.argmin(np.abs(np.log(runs.scales / scale))))
    return TrainingView(runs.losses[i, j], runs.grad_norms[i, j], runs.steps,
                        float(runs.scales[i]), float(runs.clips[j]))


class TrainingArtists(NamedTuple):
    losses: tuple  # Line2D per seed
    loss_text: object  # Text: final losses against the baseline
    norms: tuple  # Line2D per seed
    threshold: object  # Line2D: the clipping threshold (hidden when off)
    norm_text: object  # Text: the largest gradient norm


@register
class TrainingExplorer(Explorer):
    controls = (
        # the precomputed scales: 1/4, 1/2, 1, 2, 4
        Slider("scale", "initial spectral radius of W_rec", 0.25, 4.0, default=1.0, log=True,
               frames=5, live_steps=4, stage="view"),
        Choice("clip", "gradient clipping", CLIP_CHOICES, "off", stage="view"),
    )
    figsize = (7.5, 3.6)
    twin_scale = 2.0
    twin_bytes_per_px = 0.15  # six noisy curves: 0.136 measured at 1.5x
    caption = (
        "A tanh RNN of 32 units trained with Adam (α = 0.01, batches of 50) on the adding "
        "problem with T = 20 steps, from W_rec = ρQ (Q random orthogonal), three seeds (one "
        "line each). Left: the training loss, averaged over blocks of 10 steps; the dashed line "
        "is the baseline 1/12 of always answering 1 (the package's mse halves the squared "
        "error). Right: the largest gradient norm in each block, and the clipping threshold "
        "when clipping is on. Precomputed by scripts/train_wrec.py."
    )
    alt = ("Training-loss curves and gradient-norm curves of recurrent networks on the adding "
           "problem for one initial recurrent-weight scale, three seeds, log axes")

    def compute(self):
        return load_runs()

    def select(self, data, scale, clip):
        return select_runs(data, scale, clip)

    def draw(self, v):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.1, right=0.985, bottom=0.14, top=0.86, wspace=0.3)
        last = float(v.steps[-1])
        log_axis(left, range(-3, 1))
        log_axis(right, range(-2, 5, 2))
        left.set(xlim=(0, last), xlabel="training step", ylabel="loss (block mean)")
        right.set(xlim=(0, last), xlabel="training step", ylabel="largest ‖∇L‖ in block")
        left.axhline(BASELINE, color=PALETTE["black"], ls="--", lw=1.2)
        losses, norms = [], []
        for colour in SEED_COLOURS[: v.losses.shape[0]]:
            losses.append(left.plot([], [], color=PALETTE[colour], lw=1.3)[0])
            norms.append(right.plot([], [], color=PALETTE[colour], lw=1.3)[0])
        (threshold,) = right.plot([0, last], [1, 1], ":", color=PALETTE["vermillion"], lw=1.5)
        return fig, TrainingArtists(tuple(losses), heading(left), tuple(norms), threshold,
                                    heading(right))

    def update(self, a, v):
        for line, row in zip(a.losses, v.losses):
            line.set_data(v.steps, np.clip(row, 1e-3, 1.0))
        for line, row in zip(a.norms, v.grad_norms):
            line.set_data(v.steps, np.clip(row, 1e-2, 1e4))
        a.threshold.set_visible(v.clip > 0)
        if v.clip > 0:
            a.threshold.set_ydata([v.clip, v.clip])
        finals = ", ".join(f"{x:.2g}" for x in v.losses[:, -1])
        a.loss_text.set_text(f"final losses {finals} (baseline {BASELINE:.3f})")
        a.norm_text.set_text(f"largest ‖∇L‖ {v.grad_norms.max():.2g}"
                             + (f", clipped at {v.clip:g}" if v.clip > 0 else ", no clipping"))
