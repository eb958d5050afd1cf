"""Experiment 3: initial W_hh spectral radius rho and training, with clipping on and off.

The delay task of exp1 (x_t = +-1, y_t = x_{t-d}, d = 5 or argv[2], T = 30, full BPTT, baseline half-MSE 0.5),
tanh RNN H = 16, W_hh = rho * (random orthogonal), zero biases; 500 steps of Adam(1e-2) or
SGD(0.1) (or argv[4]), clip = global norm 1 or none. Per run: mean loss of the last 50 steps (nan if the loss
went non-finite), the median and max gradient norm over the run, the initial grad norm.
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp3_wrec_training.py [adam|sgd] [d] [seeds] [lr] [steps] [rhos]
"""
import sys
import time

import numpy as np

from rnnlearn import optim, seqmodel, training

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import exp1_truncated_delay as e1  # noqa: E402  (T = 30)
from exp1_truncated_delay import batch, loss_grads  # noqa: E402

OPT = sys.argv[1] if len(sys.argv) > 1 else "adam"
e1.D_DELAY = int(sys.argv[2]) if len(sys.argv) > 2 else 5  # batch() reads it
H, B = 16, 32
STEPS = int(sys.argv[5]) if len(sys.argv) > 5 else 500
RHOS = [0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0]
if len(sys.argv) > 6:  # a subset, e.g. "0.5,2,3"
    RHOS = [float(r) for r in sys.argv[6].split(",")]
SEEDS = range(int(sys.argv[3]) if len(sys.argv) > 3 else 3)
LR = float(sys.argv[4]) if len(sys.argv) > 4 else (1e-2 if OPT == "adam" else 0.1)


def run(seed, rho, clip):
    rng = np.random.default_rng(seed)
    params = seqmodel.init_model(1, H, 1, rng, init="orthogonal", scale=rho)
    data_rng = np.random.default_rng(20_000 + seed)
    opt = optim.Adam(LR) if OPT == "adam" else optim.SGD(LR)

    def step(p, _):
        return loss_grads(p, *batch(data_rng, B))

    with np.errstate(all="ignore"):
        hist = training.fit(step, params, [None] * STEPS, opt, clip=clip, progress=False)
    final = np.mean(hist.losses[-50:])
    g = hist.grad_norms
    return final, np.nanmedian(g), np.nanmax(g), g[0], np.all(np.isfinite(hist.losses))


if __name__ == "__main__":
    start = time.perf_counter()
    print(f"delay task d={e1.D_DELAY} T=30, tanh H={H}, orthogonal W_hh*rho, {STEPS} steps {OPT}({LR}), "
          f"seeds {len(SEEDS)}; final = mean loss of last 50 steps (baseline 0.5)")
    for clip in (None, 1.0):
        for rho in RHOS:
            r = [run(seed, rho, clip) for seed in SEEDS]
            print(f"clip={str(clip):>4} rho={rho:<3}: final " + " ".join(f"{x[0]:.3f}" for x in r)
                  + " | grad0 " + " ".join(f"{x[3]:.2g}" for x in r)
                  + " | median g " + " ".join(f"{x[1]:.2g}" for x in r)
                  + " | max g " + " ".join(f"{x[2]:.2g}" for x in r)
                  + f" | finite {sum(x[4] for x in r)}/{len(r)}", flush=True)
    print(f"wall time {time.perf_counter() - start:.0f} s")
