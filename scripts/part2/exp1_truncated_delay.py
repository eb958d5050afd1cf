"""Experiment 1: truncated BPTT on a delay task ("output the input from d steps ago").

x_t = +-1 at random, target y_t = x_{t-d} for t > d (loss masked before); vanilla tanh RNN,
H hidden units, linear head, Adam + clipping, fresh batches every step. Memoryless baseline:
half-MSE 0.5 (the package's mse has a 1/2). Truncated BPTT with window k (chunks of k steps,
state carried, gradient cut at chunk starts): a loss at step t reaches back only to the start of
t's chunk, so no gradient ever links y_t to x_{t-d} when k <= d.
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp1_truncated_delay.py
"""
import sys
import time

import numpy as np

from rnnlearn import optim, seqmodel, training

D_DELAY = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else 5
T, H, B, STEPS, LR, CLIP = 30, 16, 32, 1500, 1e-2, 1.0
KS = [2, D_DELAY - 1, D_DELAY, D_DELAY + 1, D_DELAY + 3, None]
SEEDS = range(int(sys.argv[2]) if __name__ == "__main__" and len(sys.argv) > 2 else 5)


def batch(rng, n):
    xs = rng.choice([-1.0, 1.0], size=(T, n, 1))
    ys = np.zeros_like(xs)
    ys[D_DELAY:] = xs[:-D_DELAY]
    mask = np.zeros((T, n, 1))
    mask[D_DELAY:] = 1.0
    return xs, ys, mask


def loss_grads(params, xs, ys, mask, truncate=None):
    out, cache = seqmodel.model_forward(xs, params, output="all")
    err = (out - ys) * mask
    count = mask.sum()
    loss = 0.5 * (err ** 2).sum() / count
    _, _, grads = seqmodel.model_backward(err / count, cache, truncate=truncate)
    return loss, grads


def run(seed, k):
    rng = np.random.default_rng(seed)
    params = seqmodel.init_model(1, H, 1, rng)
    test = batch(np.random.default_rng(10_000 + seed), 500)
    data_rng = np.random.default_rng(20_000 + seed)

    def step(p, _):
        return loss_grads(p, *batch(data_rng, B), truncate=k)

    hist = training.fit(step, params, [None] * STEPS, optim.Adam(LR), clip=CLIP,
                        progress=False)
    test_loss, _ = loss_grads(params, *test)
    return test_loss, hist


if __name__ == "__main__":
    start = time.perf_counter()
    print(f"delay d={D_DELAY}, T={T}, H={H}, batch {B}, {STEPS} Adam({LR}) steps, clip {CLIP}; "
          "baseline (memoryless) half-MSE 0.5; 'learned' = test loss < 0.05")
    for k in KS:
        t0 = time.perf_counter()
        losses = [run(seed, k)[0] for seed in SEEDS]
        learned = sum(loss < 0.05 for loss in losses)
        print(f"k={str(k):>4}: test loss " + " ".join(f"{x:.3f}" for x in losses)
              + f"  learned {learned}/{len(losses)}  ({(time.perf_counter() - t0) / len(losses):.1f} s/run)")
    print(f"wall time {time.perf_counter() - start:.0f} s")
