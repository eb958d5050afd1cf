"""Cached runs of the chapter "Vanishing and exploding gradients": rnnlearn/data/gradients_runs.npz.

Two experiments on the delay task (tasks.delay_task: x_t = +-1, y_t = x_{t-m}, m = 15, T = 30;
a memoryless model has half-MSE 0.5), a tanh RNN with H = 16, W_hh = rho Q (Q random
orthogonal, zero biases) and a linear head, a fresh batch of 32 sequences at every step
(scripts/part2/FINDINGS.md sections 3 and 5b):

- "clip": SGD(0.3) for 500 steps, rho in RHOS, clipping off or at global norm 1, seeds 0-4;
- "penalty": rho = 0.5, SGD(0.1) with clip 1 for 1000 steps, Pascanu et al.'s penalty
  (rnnlearn.penalties) weighted lam in LAMS, seeds 0-4.

Stored per run: the final loss (mean of the last 50 steps; NaN if the loss went non-finite),
the largest gradient norm met (before clipping; inf if non-finite) and the largest loss met (inf
if non-finite). A run "blew up" if its loss went non-finite or ended above 1.
Run: OPENBLAS_NUM_THREADS=1 python scripts/gradients_runs.py   (about 2 minutes on one core)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rnnlearn import optim, penalties, seqmodel, tasks, training

T, M, H, B = 30, 15, 16, 32
RHOS = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0)
CLIPS = (0.0, 1.0)  # 0: no clipping
LAMS = (0.0, 1.0, 4.0)
SEEDS = tuple(range(5))
CLIP_LR, CLIP_STEPS = 0.3, 500
PENALTY_RHO, PENALTY_LR, PENALTY_STEPS = 0.5, 0.1, 1000
OUT = Path(__file__).resolve().parents[1] / "rnnlearn" / "data" / "gradients_runs.npz"


class Run(NamedTuple):
    final: float  # mean loss over the last 50 steps (NaN if it went non-finite)
    max_grad: float  # largest gradient norm met, before clipping (inf if non-finite)
    blew_up: bool  # the loss went non-finite, or its final value is above 1
    max_loss: float  # the largest loss met (inf if non-finite)
    losses: np.ndarray  # (steps,) the loss at every step


def _loss_grads(params, xs, ys, mask, lam):
    """The masked half-MSE and its gradients, plus lam * Pascanu's penalty on W_hh."""
    out, cache = seqmodel.model_forward(xs, params, output="all")
    err = (out - ys) * mask[:, :, None]
    count = mask.sum()
    dout = err / count
    _, _, grads = seqmodel.model_backward(dout, cache)
    if lam:
        dhs = dout @ cache.head_weight  # (T, B, H): each step's own loss into h_t
        _, extra = penalties.pascanu_penalty(dhs, cache.rnn)
        grads["weight_hh"] = grads["weight_hh"] + lam * extra["weight_hh"]
    return 0.5 * float((err**2).sum()) / count, grads


def _run(seed, rho, lr, steps, clip, lam) -> Run:
    params = seqmodel.init_model(1, H, 1, np.random.default_rng(seed), init="orthogonal",
                                 scale=rho)
    data = np.random.default_rng(20_000 + seed)

    def step(p, _):
        return _loss_grads(p, *tasks.delay_task(T, B, data, delay=M), lam)

    with np.errstate(all="ignore"):
        hist = training.fit(step, params, [None] * steps, optim.SGD(lr),
                            clip=clip or None, progress=False)
    losses = np.asarray(hist.losses, dtype=float)
    grads = np.asarray(hist.grad_norms, dtype=float)
    finite = bool(np.all(np.isfinite(losses)))
    final = float(np.mean(losses[-50:])) if finite else np.nan
    return Run(final, float(np.max(grads)) if np.all(np.isfinite(grads)) else np.inf,
               (not finite) or final > 1.0, float(np.max(losses)) if finite else np.inf,
               losses)


def clip_run(seed, rho, clip, steps=CLIP_STEPS) -> Run:
    """SGD(0.3) on the delay task from W_hh = rho Q; clip 0 means no clipping."""
    return _run(seed, rho, CLIP_LR, steps, clip, 0.0)


def penalty_run(seed, lam, steps=PENALTY_STEPS) -> Run:
    """SGD(0.1) with clip 1 from W_hh = 0.5 Q, with lam times Pascanu's penalty."""
    return _run(seed, PENALTY_RHO, PENALTY_LR, steps, 1.0, lam)


def main():
    start = time.perf_counter()
    shape = (len(RHOS), len(CLIPS), len(SEEDS))
    c_final, c_max, c_loss = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, rho in enumerate(RHOS):
        for j, clip in enumerate(CLIPS):
            for s, seed in enumerate(SEEDS):
                r = clip_run(seed, rho, clip)
                c_final[i, j, s], c_max[i, j, s], c_loss[i, j, s] = (r.final, r.max_grad,
                                                                      r.max_loss)
            print(f"rho {rho} clip {clip}: final {np.round(c_final[i, j], 3)} "
                  f"max g {c_max[i, j]} max loss {c_loss[i, j]}", flush=True)
    p_final = np.empty((len(LAMS), len(SEEDS)))
    p_curves = np.empty((len(LAMS), len(SEEDS), PENALTY_STEPS // 50))
    for i, lam in enumerate(LAMS):
        for s, seed in enumerate(SEEDS):
            r = penalty_run(seed, lam)
            p_final[i, s] = r.final
            p_curves[i, s] = r.losses.reshape(-1, 50).mean(axis=1)
        print(f"lam {lam}: final {np.round(p_final[i], 3)}", flush=True)
    np.savez_compressed(
        OUT, rhos=np.array(RHOS), clips=np.array(CLIPS), lams=np.array(LAMS),
        seeds=np.array(SEEDS), clip_final=c_final, clip_max_grad=c_max, clip_max_loss=c_loss,
        penalty_final=p_final, penalty_curves=p_curves, clip_lr=np.array(CLIP_LR),
        clip_steps=np.array(CLIP_STEPS), penalty_lr=np.array(PENALTY_LR),
        penalty_steps=np.array(PENALTY_STEPS), penalty_rho=np.array(PENALTY_RHO))
    print(f"wrote {OUT} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
