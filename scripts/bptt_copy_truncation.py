"""Precompute rnnlearn/data/bptt_copy_truncation.npz: truncated against full BPTT on the copy
task, for the chapter "Recurrent networks and backpropagation through time" (book/bptt.ipynb).

The setting of scripts/part2/FINDINGS.md section 1 (exp1b_copy_task.py): the copy task of
:func:`rnnlearn.tasks.copy_task` with 4 symbols, 3 of them to copy, delay 5 (11 steps; each
symbol is read at step j and must be written at step j + 8, a gap of 8); a tanh RNN of H = 32
units with a linear read-out and softmax cross-entropy at every step; STEPS steps of Adam(0.01)
with clipping at global norm 1, each on a fresh batch of 32 sequences. K = 8 (the gap: no
chunk of truncated BPTT holds both ends of any dependency) against full BPTT. Seed s
initialises the model with default_rng(s), draws the batches with default_rng(20_000 + s) and
its test set of 500 sequences with default_rng(10_000 + s).

Writes (loaded with allow_pickle=False): windows (2,) (0: full BPTT), seeds (n,),
train (2, n, STEPS // BLOCK) the mean training loss of each block of BLOCK steps,
test (2, n, STEPS // EVAL) the test loss after every EVAL steps, prefix (2, n, PREFIX) the
first PREFIX training losses as they were (for the test that re-runs them), baseline (0-d),
settings (0-d arrays).

Run (10 runs of about 3.5 s each unloaded):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/bptt_copy_truncation.py [--out PATH]
"""
from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from rnnlearn import optim, seqmodel, tasks, training

N_SYMBOLS, LENGTH, DELAY, H, BATCH = 4, 3, 5, 32, 32
STEPS, BLOCK, EVAL, PREFIX = 4000, 50, 100, 20
WINDOWS = (DELAY + LENGTH, 0)  # K = the gap, and 0 for full BPTT
SEEDS = (0, 1, 2, 3, 4)
#: The memoryless loss per step (nats): blanks where they are certain, a uniform guess at the
#: LENGTH output steps, averaged over the DELAY + 2 LENGTH steps.
BASELINE = LENGTH * np.log(N_SYMBOLS) / (DELAY + 2 * LENGTH)
OUT = pathlib.Path(__file__).resolve().parents[1] / "rnnlearn" / "data" / "bptt_copy_truncation.npz"


def test_loss(params, xs, ys):
    out, _ = seqmodel.model_forward(xs, params, output="all")
    out = out - out.max(axis=-1, keepdims=True)
    log_p = out - np.log(np.exp(out).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(log_p, ys[..., None], axis=-1).mean()


def run(window, seed, steps=STEPS):
    """One run: (every step's training loss (steps,), test losses after every EVAL steps)."""
    params = seqmodel.init_model(N_SYMBOLS + 2, H, N_SYMBOLS + 1, np.random.default_rng(seed))
    xt, yt = tasks.copy_task(DELAY, 500, np.random.default_rng(10_000 + seed),
                             n_symbols=N_SYMBOLS, length=LENGTH)
    data_rng = np.random.default_rng(20_000 + seed)
    tests = []

    def step(p, _):
        xs, ys = tasks.copy_task(DELAY, BATCH, data_rng, n_symbols=N_SYMBOLS, length=LENGTH)
        return seqmodel.loss_and_grads(p, xs, ys, output="all", loss="cross_entropy",
                                       truncate=window or None)

    def callback(info):
        tests.append(test_loss(params, xt, yt))

    history = training.fit(step, params, [None] * steps, optim.Adam(1e-2), clip=1.0,
                           callback=callback, every=EVAL, progress=False)
    return history.losses, np.array(tests)


def main(out=OUT):
    start = time.perf_counter()
    shape = (len(WINDOWS), len(SEEDS))
    train = np.empty(shape + (STEPS // BLOCK,))
    test = np.empty(shape + (STEPS // EVAL,))
    prefix = np.empty(shape + (PREFIX,))
    for i, window in enumerate(WINDOWS):
        for j, seed in enumerate(SEEDS):
            losses, tests = run(window, seed)
            train[i, j] = losses.reshape(-1, BLOCK).mean(axis=1)
            test[i, j], prefix[i, j] = tests, losses[:PREFIX]
            print(f"K={window or 'full':>4} seed {seed}: test/baseline "
                  f"{tests[-1] / BASELINE:.2f}", flush=True)
    settings = dict(n_symbols=N_SYMBOLS, length=LENGTH, delay=DELAY, H=H, batch=BATCH,
                    steps=STEPS, block=BLOCK, every=EVAL)
    np.savez_compressed(out, windows=np.array(WINDOWS), seeds=np.array(SEEDS), train=train,
                        test=test, prefix=prefix, baseline=np.array(BASELINE),
                        **{k: np.array(v) for k, v in settings.items()})
    print(f"wrote {out} ({pathlib.Path(out).stat().st_size / 1e3:.0f} kB) in "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=OUT, type=pathlib.Path)
    main(parser.parse_args().out)
