"""Experiment 1b: can a vanilla tanh RNN learn the copy task (tasks.copy_task) at small delays?

Small setting: 4 symbols, 3 to copy, delay T_delay; H = 32, Adam(1e-2), clip 1, fresh batches of
32, cross-entropy at every step; full BPTT vs truncated. Memoryless baseline per step:
length ln(n_symbols) / (T_delay + 2 length). 'learned' = test loss < 0.1 * baseline.
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp1b_copy_task.py [delay] [seeds] [steps]
"""
import sys
import time

import numpy as np

from rnnlearn import optim, seqmodel, tasks, training

DELAY = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SEEDS = range(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 1500
NSYM, LEN, H, B = 4, 3, 32, 32
BASE = LEN * np.log(NSYM) / (DELAY + 2 * LEN)
# the first symbol is read at step 1 and due at step DELAY + LEN + 1: a gap of DELAY + LEN
KS = [DELAY + LEN, None]  # k = the gap: no chunk spans it; None: full BPTT


def run(seed, k):
    rng = np.random.default_rng(seed)
    params = seqmodel.init_model(NSYM + 2, H, NSYM + 1, rng)
    xt, yt = tasks.copy_task(DELAY, 500, np.random.default_rng(10_000 + seed), n_symbols=NSYM,
                             length=LEN)
    data_rng = np.random.default_rng(20_000 + seed)

    def step(p, _):
        xs, ys = tasks.copy_task(DELAY, B, data_rng, n_symbols=NSYM, length=LEN)
        return seqmodel.loss_and_grads(p, xs, ys, output="all", loss="cross_entropy", truncate=k)

    training.fit(step, params, [None] * STEPS, optim.Adam(1e-2), clip=1.0, progress=False)
    return seqmodel.loss_and_grads(params, xt, yt, output="all", loss="cross_entropy")[0]


if __name__ == "__main__":
    start = time.perf_counter()
    print(f"copy task: {NSYM} symbols, copy {LEN}, delay {DELAY} (sequence {DELAY + 2 * LEN}); "
          f"H={H}, {STEPS} Adam(1e-2) steps, clip 1; baseline {BASE:.4f} nats/step")
    for k in KS:
        t0 = time.perf_counter()
        res = [run(seed, k) for seed in SEEDS]
        print(f"k={str(k):>4}: test/baseline " + " ".join(f"{x / BASE:.2f}" for x in res)
              + f"  learned {sum(x < 0.1 * BASE for x in res)}/{len(res)}"
              + f"  ({(time.perf_counter() - t0) / len(res):.1f} s/run)", flush=True)
    print(f"wall time {time.perf_counter() - start:.0f} s")
