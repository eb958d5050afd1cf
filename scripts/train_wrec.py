"""Precompute the data of TrainingExplorer: RNNs trained on the adding problem from initial
recurrent weights W_hh = scale * Q (Q random orthogonal), with and without gradient clipping.

Writes rnnlearn/data/wrec_training.npz (loaded with allow_pickle=False). Deterministic: every
seed is fixed below. Takes a few minutes on one core.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/train_wrec.py [--out PATH]
"""
from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from rnnlearn import optim, seqmodel, tasks

SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)  # initial spectral radius of W_hh
CLIPS = (0.0, 1.0)  # 0: no clipping; else the global-norm threshold
SEEDS = (0, 1, 2)  # data and initialisation seeds
T, H, N, BATCH, EPOCHS, LR, BLOCK = 20, 32, 2000, 50, 40, 1e-2, 10


def run(scale, clip, seed):
    """Block means of the step losses and block maxima of the gradient norms, (steps / BLOCK,)."""
    xs, ys = tasks.adding_problem(T, N, np.random.default_rng(100 + seed))
    params = seqmodel.init_model(2, H, 1, np.random.default_rng(seed), init="orthogonal",
                                 scale=scale)
    history = seqmodel.train(params, xs, ys, optim.Adam(lr=LR), epochs=EPOCHS, batch_size=BATCH,
                             rng=np.random.default_rng(200 + seed), clip=clip or None)
    losses = history.losses.reshape(-1, BLOCK)
    norms = history.grad_norms.reshape(-1, BLOCK)
    return losses.mean(axis=1), norms.max(axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    default = pathlib.Path(__file__).resolve().parents[1] / "rnnlearn/data/wrec_training.npz"
    parser.add_argument("--out", type=pathlib.Path, default=default)
    args = parser.parse_args()
    shape = (len(SCALES), len(CLIPS), len(SEEDS), N // BATCH * EPOCHS // BLOCK)
    losses, norms = np.empty(shape), np.empty(shape)
    for i, scale in enumerate(SCALES):
        for j, clip in enumerate(CLIPS):
            for k, seed in enumerate(SEEDS):
                t0 = time.perf_counter()
                losses[i, j, k], norms[i, j, k] = run(scale, clip, seed)
                print(f"scale {scale:g} clip {clip:g} seed {seed}: final loss "
                      f"{losses[i, j, k, -1]:.4f} ({time.perf_counter() - t0:.1f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, scales=np.array(SCALES), clips=np.array(CLIPS),
                        seeds=np.array(SEEDS), losses=losses, grad_norms=norms,
                        settings=np.array([T, H, N, BATCH, EPOCHS, LR, BLOCK], dtype=float))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
