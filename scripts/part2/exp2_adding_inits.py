"""Experiment 2: the adding problem (Arjovsky form), T = 50: does the init decide?

Configurations: tanh with nn.RNN's uniform init; tanh with orthogonal W_hh; ReLU with identity
W_hh and zero biases (IRNN, Le, Jaitly & Hinton 2015); tanh with identity W_hh. Adam + global
norm clipping, fresh batches every step, H hidden units. Test half-MSE (the package's mse) on 1000
held-out sequences; baseline (predict 1) = 1/12 = 0.0833 in the package's units (1/6 as plain MSE).
'solved' = test half-MSE < 0.1 * baseline (plain MSE < 0.0167).
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp2_adding_inits.py [T] [seeds] [steps] [config] [first seed] [clip, 0 = none]
"""
import sys
import time

import numpy as np

from rnnlearn import optim, seqmodel, tasks, training

T = int(sys.argv[1]) if len(sys.argv) > 1 else 50
SEEDS = range(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
H, B, LR = 32, 32, 1e-3
CLIP = (float(sys.argv[6]) or None) if len(sys.argv) > 6 else 1.0  # 0: no clipping
CONFIGS = [("tanh uniform", "tanh", "uniform"), ("tanh orthogonal", "tanh", "orthogonal"),
           ("relu identity (IRNN)", "relu", "identity"), ("tanh identity", "tanh", "identity")]
BASE = 1 / 12
ONLY = sys.argv[4] if len(sys.argv) > 4 else None  # e.g. "IRNN": run only matching configs
FIRST = int(sys.argv[5]) if len(sys.argv) > 5 else 0  # first seed
SEEDS = range(FIRST, FIRST + len(SEEDS))


def run(seed, nonlin, init):
    rng = np.random.default_rng(seed)
    params = seqmodel.init_model(2, H, 1, rng, init=init)
    xt, yt = tasks.adding_problem(T, 1000, np.random.default_rng(10_000 + seed))
    data_rng = np.random.default_rng(20_000 + seed)

    def step(p, _):
        xs, ys = tasks.adding_problem(T, B, data_rng)
        return seqmodel.loss_and_grads(p, xs, ys, nonlinearity=nonlin)

    with np.errstate(all="ignore"):
        hist = training.fit(step, params, [None] * STEPS, optim.Adam(LR), clip=CLIP,
                            progress=False)
        test, _ = seqmodel.loss_and_grads(params, xt, yt, nonlinearity=nonlin)
    return test, hist


if __name__ == "__main__":
    start = time.perf_counter()
    print(f"adding T={T}, H={H}, batch {B}, {STEPS} Adam({LR}) steps, clip {CLIP}; "
          f"baseline half-MSE {BASE:.4f}; solved = < {0.1 * BASE:.4f}")
    for name, nonlin, init in CONFIGS:
        if ONLY and ONLY not in name:
            continue
        t0 = time.perf_counter()
        res = [run(seed, nonlin, init) for seed in SEEDS]
        tests = [r[0] for r in res]
        solved = sum(x < 0.1 * BASE for x in tests)
        below = sum(x < 0.9 * BASE for x in tests)
        first = [int(np.argmax(np.convolve(r[1].losses, np.ones(50) / 50, "valid") < 0.1 * BASE))
                 if np.any(np.convolve(r[1].losses, np.ones(50) / 50, "valid") < 0.1 * BASE)
                 else -1 for r in res]
        print(f"{name:>22}: test/baseline " + " ".join(f"{x / BASE:.2f}" for x in tests)
              + f" | solved {solved}/{len(tests)}, below 0.9 baseline {below}/{len(tests)}"
              + f" | first step (50-avg) < 0.1 base: {first}"
              + f" ({(time.perf_counter() - t0) / len(tests):.1f} s/run)", flush=True)
    print(f"wall time {time.perf_counter() - start:.0f} s")
