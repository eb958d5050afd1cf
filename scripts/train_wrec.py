"""Precompute rnnlearn/data/wrec_training.npz, the data of TrainingExplorer ("W_rec and
training"): tanh RNNs trained on the delay task from initial recurrent weights W_hh = rho * Q
(Q random orthogonal), with Adam or plain SGD, with and without gradient clipping.

The setting of scripts/part2/FINDINGS.md section 3: the delay task y_t = x_{t-m} with m = 15,
T = 30, inputs +-1, the loss (half-MSE) counted at the steps t >= m (memoryless baseline 0.5);
a tanh RNN of H = 16 units, zero biases, with a linear read-out at every step; full BPTT;
STEPS steps on a fresh batch of 32 sequences each; Adam(0.01) or SGD(0.3); clipping off or at
global norm 1. Seed s initialises the model with default_rng(s) and draws the batches with
default_rng(20_000 + s) (as exp3_wrec_training.py did).

Writes (loaded with allow_pickle=False): scales (S,), optimizers (2,) str, lrs (2,),
clips (2,) (0: off), seeds (n,), losses and grad_norms (S, 2, 2, n, blocks): the mean loss
and the largest gradient norm of each block of BLOCK steps, +inf where the run diverged (the
loss or the gradient stopped being a finite number); initial_loss and initial_grad_norm (S, n):
step 1 of every run of that scale and seed; steps (blocks,); settings as 0-d arrays.

The runs are deterministic on one machine. Those that start at rho >= 1.5 are chaotic: another
BLAS kernel or numpy version rounds differently, and within a few dozen steps their curves part
(the step-1 values and the runs at rho <= 1 agree to 1e-9: tests/test_explorers_recurrent.py).

Run (120 runs of 0.5-2 s: 75 s on one core of the 2-core build machine, others working):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/train_wrec.py [--out PATH]
``--table`` only prints the measured table (e.g. with --scales, --seeds, --steps, --sgd-lr).
"""
from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from rnnlearn import optim, seqmodel, tasks, training

SCALES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)  # initial spectral radius of W_hh
OPTIMIZERS = ("Adam", "SGD")
LRS = (1e-2, 0.3)  # Adam's and SGD's learning rates
CLIPS = (0.0, 1.0)  # 0: no clipping; else the global-norm threshold
SEEDS = (0, 1, 2, 3, 4)
T, DELAY, H, BATCH, STEPS, BLOCK = 30, 15, 16, 32, 500, 10
BASELINE = 0.5  # half-MSE of predicting 0, the best a memoryless model can do


def run(scale, optimizer, clip, seed, steps=STEPS, lr=None):
    """One training run: (block means of the loss, block maxima of the gradient norm), each
    (steps // BLOCK,), +inf from the block where the run diverged."""
    lr = LRS[OPTIMIZERS.index(optimizer)] if lr is None else lr
    params = seqmodel.init_model(1, H, 1, np.random.default_rng(seed), init="orthogonal",
                                 scale=scale)
    data_rng = np.random.default_rng(20_000 + seed)
    opt = optim.Adam(lr) if optimizer == "Adam" else optim.SGD(lr)

    def step(p, _):
        xs, ys, mask = tasks.delay_task(T, BATCH, data_rng, delay=DELAY)
        return seqmodel.loss_and_grads(p, xs, ys, output="all", mask=mask)

    with np.errstate(all="ignore"):  # a diverging SGD run overflows on purpose
        history = training.fit(step, params, [None] * steps, opt, clip=clip or None,
                               progress=False)
        losses = np.where(np.isfinite(history.losses), history.losses, np.inf)
        norms = np.where(np.isfinite(history.grad_norms), history.grad_norms, np.inf)
        blocks = losses.reshape(-1, BLOCK).mean(axis=1)
    return np.where(np.isfinite(blocks), blocks, np.inf), norms.reshape(-1, BLOCK).max(axis=1)


def initial(scale, seed):
    """The loss and the gradient norm at initialisation, on the first batch (step 1 of every
    run of this scale and seed): no training yet, so no chaos to amplify rounding."""
    params = seqmodel.init_model(1, H, 1, np.random.default_rng(seed), init="orthogonal",
                                 scale=scale)
    xs, ys, mask = tasks.delay_task(T, BATCH, np.random.default_rng(20_000 + seed), delay=DELAY)
    loss, grads = seqmodel.loss_and_grads(params, xs, ys, output="all", mask=mask)
    return loss, optim.global_norm(grads)


def table(scales, seeds, steps, sgd_lr):
    """Print, per optimiser, clipping and scale: final losses (mean of the last 5 blocks),
    largest gradient norms, and the number of diverged runs."""
    for optimizer, lr in zip(OPTIMIZERS, (LRS[0], sgd_lr)):
        for clip in CLIPS:
            for scale in scales:
                t0 = time.perf_counter()
                rows = [run(scale, optimizer, clip, s, steps, lr) for s in seeds]
                final = [r[0][-5:].mean() for r in rows]
                top = [r[1].max() for r in rows]
                print(f"{optimizer}({lr:g}) clip {clip:g} scale {scale:g}: final "
                      + " ".join(f"{x:.3g}" for x in final) + " | max g "
                      + " ".join(f"{x:.2g}" for x in top)
                      + f" | diverged {sum(np.isinf(r[0][-1]) for r in rows)}/{len(rows)}"
                      + f" | g>=1e4 {sum(x >= 1e4 for x in top)}/{len(rows)}"
                      + f" ({(time.perf_counter() - t0) / len(rows):.1f} s/run)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    default = pathlib.Path(__file__).resolve().parents[1] / "rnnlearn/data/wrec_training.npz"
    parser.add_argument("--out", type=pathlib.Path, default=default)
    parser.add_argument("--table", action="store_true", help="print the table only")
    parser.add_argument("--scales", default=",".join(map(str, SCALES)))
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--sgd-lr", type=float, default=LRS[1])
    args = parser.parse_args()
    start = time.perf_counter()
    if args.table:
        table([float(s) for s in args.scales.split(",")], range(args.seeds), args.steps,
              args.sgd_lr)
        print(f"wall time {time.perf_counter() - start:.0f} s")
        return
    shape = (len(SCALES), len(OPTIMIZERS), len(CLIPS), len(SEEDS), STEPS // BLOCK)
    losses, norms = np.empty(shape), np.empty(shape)
    start_loss, start_norm = np.empty(shape[::3]), np.empty(shape[::3])  # (S, n)
    for i, scale in enumerate(SCALES):
        for n, seed in enumerate(SEEDS):
            start_loss[i, n], start_norm[i, n] = initial(scale, seed)
        for j, optimizer in enumerate(OPTIMIZERS):
            for k, clip in enumerate(CLIPS):
                for n, seed in enumerate(SEEDS):
                    losses[i, j, k, n], norms[i, j, k, n] = run(scale, optimizer, clip, seed)
                print(f"scale {scale:g} {optimizer} clip {clip:g}: final losses "
                      + " ".join(f"{x:.3g}" for x in losses[i, j, k, :, -1]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, scales=np.array(SCALES), optimizers=np.array(OPTIMIZERS),
        lrs=np.array(LRS), clips=np.array(CLIPS), seeds=np.array(SEEDS), losses=losses,
        grad_norms=norms, initial_loss=start_loss, initial_grad_norm=start_norm,
        steps=BLOCK * np.arange(1, STEPS // BLOCK + 1), T=np.array(T),
        delay=np.array(DELAY), H=np.array(H), batch=np.array(BATCH), n_steps=np.array(STEPS),
        block=np.array(BLOCK), baseline=np.array(BASELINE))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
