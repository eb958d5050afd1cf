"""Experiment 4: ||dh_T/dh_k|| against T - k at initialisation, tanh vs linear, orthogonal W_hh * rho.

H hidden units, D = 1 input x_t ~ N(0, s^2), W_ih U(-1/sqrt(H), 1/sqrt(H)), zero biases, h_0 ~
N(0, 0.5^2) (so that s = 0 is not the trivial fixed point h = 0, where tanh' = 1 everywhere).
Per-step factor = exp(slope of log||dh_T/dh_k|| vs T-k, least squares over T-k in [20, T]), and
||dh_T/dh_0||, averaged (log) over a batch of 16 sequences, then medians over seeds.
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp4_jacobian_decay.py
"""
import time

import numpy as np

from rnnlearn import rnn

H, T, BATCH = 64, 100, 16
RHOS = [0.5, 0.9, 1.0, 1.1, 1.5, 3.0]
SCALES = [0.0, 1.0, 3.0]
SEEDS = range(5)


def measure(seed, rho, s, nonlin):
    rng = np.random.default_rng(seed)
    params = rnn.init_params(1, H, rng, init="orthogonal", scale=rho)
    xs = s * rng.standard_normal((T, BATCH, 1))
    h0 = 0.5 * rng.standard_normal((BATCH, H))
    with np.errstate(all="ignore"):
        hs, cache = rnn.forward(xs, h0, params, nonlinearity=nonlin)
        logs = rnn.jacobian_norms(cache, log=True)  # logs[k] = log||dh_T/dh_k||
    lag = T - np.arange(T)  # T - k
    sel = lag >= 20
    slope = np.polyfit(lag[sel], logs[sel], 1)[0]
    sat = np.mean(np.abs(hs[-20:]) > 0.95)  # fraction of saturated units near the end
    return np.exp(slope), logs[0] / np.log(10), sat


if __name__ == "__main__":
    start = time.perf_counter()
    print(f"H={H}, T={T}, batch {BATCH}, seeds {len(SEEDS)}; factor = per-step growth of "
          "||dh_T/dh_k||, log10 N0 = log10||dh_T/dh_0||, sat = share of |h|>0.95 (last 20 steps);"
          " medians [min..max] over seeds")
    for nonlin, scales in (("linear", [1.0]), ("tanh", SCALES)):
        for s in scales:
            for rho in RHOS:
                r = np.array([measure(seed, rho, s, nonlin) for seed in SEEDS])
                f, n0, sat = np.median(r, axis=0)
                print(f"{nonlin:>6} s={s:<3} rho={rho:<3}: factor {f:.3f} [{r[:,0].min():.3f}.."
                      f"{r[:,0].max():.3f}]  log10 N0 {n0:7.2f} [{r[:,1].min():.1f}..{r[:,1].max():.1f}]"
                      f"  sat {sat:.2f}  (rho^T: log10 {T * np.log10(rho):.1f})")
    print(f"wall time {time.perf_counter() - start:.1f} s")
