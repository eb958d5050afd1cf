"""Precompute rnnlearn/data/adding_t50.npz: the adding problem with T = 50, four initialisations.

The setting of scripts/part2/FINDINGS.md section 2 (exp2_adding_inits.py): an RNN of H = 32 units
with a linear read-out of the last state, a fresh batch of 32 sequences every step, 2000 steps
of Adam(1e-3) with the global gradient norm clipped at 1, a test set of 1000 sequences. Models:

- "tanh-uniform": tanh, every weight U(-k, k), k = 1/sqrt(H) (nn.RNN's default);
- "tanh-orthogonal": tanh, W_hh a random orthogonal matrix, zero biases;
- "tanh-identity": tanh, W_hh = I, zero biases;
- "irnn": ReLU, W_hh = I, zero biases (Le, Jaitly & Hinton 2015).

Seeds 0-4 each. Seed s initialises the model with default_rng(s), draws the test set with
default_rng(10_000 + s) and the training batches with default_rng(20_000 + s), as exp2 did.
The baseline (predict the constant 1) is a half-MSE of 1/12 (plain MSE 1/6).

Writes (loaded with allow_pickle=False): models (4,) str, seeds (5,) int, steps (blocks,) the
step at the end of each block of BLOCK steps, curves (models, seeds, blocks) the mean training
half-MSE of each block, test_loss (models, seeds), baseline 0-d, and the settings as 0-d arrays
(T, H, batch, n_steps, lr, clip, block, n_test).

Run (20 runs of 3-16 s: 178 s on one core of the 2-core build machine, others working):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/adding_t50.py [--out PATH]
"""
from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from rnnlearn import optim, seqmodel, tasks, training

T, H, BATCH, STEPS, LR, CLIP, BLOCK, N_TEST = 50, 32, 32, 2000, 1e-3, 1.0, 20, 1000
#: name -> (nonlinearity, init of rnnlearn.rnn.init_params)
MODELS = {"tanh-uniform": ("tanh", "uniform"), "tanh-orthogonal": ("tanh", "orthogonal"),
          "tanh-identity": ("tanh", "identity"), "irnn": ("relu", "identity")}
SEEDS = (0, 1, 2, 3, 4)
BASELINE = 1.0 / 12.0


def run(model, seed, steps=STEPS):
    """Train one model; returns (block means of the training loss (steps // BLOCK,), the test
    loss after training)."""
    nonlinearity, init = MODELS[model]
    params = seqmodel.init_model(2, H, 1, np.random.default_rng(seed), init=init)
    xt, yt = tasks.adding_problem(T, N_TEST, np.random.default_rng(10_000 + seed))
    data_rng = np.random.default_rng(20_000 + seed)

    def step(p, _):
        xs, ys = tasks.adding_problem(T, BATCH, data_rng)
        return seqmodel.loss_and_grads(p, xs, ys, nonlinearity=nonlinearity)

    history = training.fit(step, params, [None] * steps, optim.Adam(LR), clip=CLIP,
                           progress=False)
    test, _ = seqmodel.loss_and_grads(params, xt, yt, nonlinearity=nonlinearity)
    return history.losses.reshape(-1, BLOCK).mean(axis=1), float(test)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    default = pathlib.Path(__file__).resolve().parents[1] / "rnnlearn/data/adding_t50.npz"
    parser.add_argument("--out", type=pathlib.Path, default=default)
    args = parser.parse_args()
    start = time.perf_counter()
    curves = np.empty((len(MODELS), len(SEEDS), STEPS // BLOCK))
    test = np.empty((len(MODELS), len(SEEDS)))
    for i, model in enumerate(MODELS):
        for j, seed in enumerate(SEEDS):
            t0 = time.perf_counter()
            curves[i, j], test[i, j] = run(model, seed)
            print(f"{model:>16} seed {seed}: test/baseline {test[i, j] / BASELINE:.3f} "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, models=np.array(list(MODELS)), seeds=np.array(SEEDS),
        steps=BLOCK * np.arange(1, STEPS // BLOCK + 1), curves=curves, test_loss=test,
        baseline=np.array(BASELINE), T=np.array(T), H=np.array(H), batch=np.array(BATCH),
        n_steps=np.array(STEPS), lr=np.array(LR), clip=np.array(CLIP), block=np.array(BLOCK),
        n_test=np.array(N_TEST))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
