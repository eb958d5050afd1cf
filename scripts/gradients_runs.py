"""Cached runs of the chapter "Vanishing and exploding gradients": rnnlearn/data/gradients_runs.npz.

Pascanu et al.'s penalty on the vanishing side (scripts/part2/FINDINGS.md section 5b): the
delay task (tasks.delay_task: x_t = +-1, y_t = x_{t-m}, m = 15, T = 30; a memoryless model has
half-MSE 0.5), a tanh RNN with H = 16, W_hh = 0.5 Q (Q random orthogonal, zero biases) and a
linear head, a fresh batch of 32 sequences at every step, SGD(0.1) with clipping at global norm
1 for 1000 steps, with the penalty (rnnlearn.penalties) weighted lam in LAMS, seeds 0-4.
(The same task with SGD and Adam, clipping off and on, over rho is the TrainingExplorer's cache,
wrec_training.)

Stored: "penalty_final" (lams, seeds), the mean loss of the last 50 steps; "penalty_curves"
(lams, seeds, 20), the mean loss of each block of 50 steps; the settings as 0-d arrays.
Run: OPENBLAS_NUM_THREADS=1 python scripts/gradients_runs.py   (about 30 s on one core)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rnnlearn import optim, penalties, seqmodel, tasks, training

T, M, H, B = 30, 15, 16, 32
LAMS = (0.0, 1.0, 4.0)
SEEDS = tuple(range(5))
PENALTY_RHO, PENALTY_LR, PENALTY_STEPS = 0.5, 0.1, 1000
OUT = Path(__file__).resolve().parents[1] / "rnnlearn" / "data" / "gradients_runs.npz"


class Run(NamedTuple):
    final: float  # mean loss over the last 50 steps
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
        _, extra = penalties.pascanu_penalty(dhs, cache.cell)
        grads["weight_hh"] = grads["weight_hh"] + lam * extra["weight_hh"]
    return 0.5 * float((err**2).sum()) / count, grads


def _run(seed, rho, lr, steps, clip, lam) -> Run:
    params = seqmodel.init_model(1, H, 1, np.random.default_rng(seed), init="orthogonal",
                                 scale=rho)
    data = np.random.default_rng(20_000 + seed)

    def step(p, _):
        return _loss_grads(p, *tasks.delay_task(T, B, data, delay=M), lam)

    hist = training.fit(step, params, [None] * steps, optim.SGD(lr), clip=clip,
                        progress=False)
    losses = np.asarray(hist.losses, dtype=float)
    return Run(float(np.mean(losses[-50:])), losses)


def penalty_run(seed, lam, steps=PENALTY_STEPS) -> Run:
    """SGD(0.1) with clip 1 from W_hh = 0.5 Q, with lam times Pascanu's penalty."""
    return _run(seed, PENALTY_RHO, PENALTY_LR, steps, 1.0, lam)


def main():
    start = time.perf_counter()
    p_final = np.empty((len(LAMS), len(SEEDS)))
    p_curves = np.empty((len(LAMS), len(SEEDS), PENALTY_STEPS // 50))
    for i, lam in enumerate(LAMS):
        for s, seed in enumerate(SEEDS):
            r = penalty_run(seed, lam)
            p_final[i, s] = r.final
            p_curves[i, s] = r.losses.reshape(-1, 50).mean(axis=1)
        print(f"lam {lam}: final {np.round(p_final[i], 3)}", flush=True)
    np.savez_compressed(
        OUT, lams=np.array(LAMS), seeds=np.array(SEEDS), penalty_final=p_final,
        penalty_curves=p_curves, penalty_lr=np.array(PENALTY_LR),
        penalty_steps=np.array(PENALTY_STEPS), penalty_rho=np.array(PENALTY_RHO))
    print(f"wrote {OUT} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
