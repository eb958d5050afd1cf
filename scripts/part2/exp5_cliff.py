"""Experiment 5: the cliff of the single unit x_t = w sigma(x_{t-1}) + b (Pascanu et al. 2013).

w = 5: bistable for b in (-2.65561, -2.34439). x_0 = 0, T = 50 steps, loss L = 1/2 (x_T - y)^2
with y = 1 (a value on neither branch's plateau near the fold, so the minimum is at the cliff's
edge). Gradient descent on (w, b) with forward-mode derivatives, with and without norm clipping
(Pascanu's Algorithm 1, threshold 1). Over a grid of starts and learning rates: the largest
single step ||delta (w, b)||, the largest gradient norm met, and the final loss.
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp5_cliff.py
"""
import time

import numpy as np

T, Y, X0 = 50, 1.0, 0.0


def sigma(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def loss_grad(w, b):
    x, dw, db = X0, 0.0, 0.0
    for _ in range(T):
        s = sigma(x)
        ds = s * (1 - s)
        dw, db = s + w * ds * dw, 1.0 + w * ds * db
        x = w * s + b
    e = x - Y
    return 0.5 * e * e, np.array([e * dw, e * db]), x


def descend(w, b, lr, clip, steps=200):
    p = np.array([w, b], float)
    biggest_step = biggest_g = 0.0
    for _ in range(steps):
        loss, g, _ = loss_grad(*p)
        gn = np.linalg.norm(g)
        if not np.isfinite(gn):
            return np.nan, biggest_step, np.inf
        biggest_g = max(biggest_g, gn)
        if clip is not None and gn > clip:
            g = g * clip / gn
        p = p - lr * g
        biggest_step = max(biggest_step, lr * np.linalg.norm(g))
    return loss_grad(*p)[0], biggest_step, biggest_g


if __name__ == "__main__":
    start = time.perf_counter()
    # the fold: a 1-D scan of x_T(b) at w = 5
    bs = np.linspace(-3.0, -2.0, 100001)
    xT = np.array([loss_grad(5.0, b)[2] for b in bs[::100]])
    jump = np.argmax(np.abs(np.diff(xT)))
    print(f"w=5, x0={X0}, T={T}: x_T jumps from {xT[jump]:.3f} to {xT[jump + 1]:.3f} between b = "
          f"{bs[::100][jump]:.4f} and {bs[::100][jump + 1]:.4f}")
    gmax = max(np.linalg.norm(loss_grad(5.0, b)[1]) for b in np.linspace(bs[::100][jump],
                                                                           bs[::100][jump + 1], 2001))
    print(f"largest ||grad|| found on that interval (2001 points): {gmax:.3g}")
    rng = np.random.default_rng(0)
    starts = [(rng.uniform(4.0, 6.0), rng.uniform(-3.0, -2.0)) for _ in range(20)]
    for lr in (0.01, 0.05, 0.2):
        for clip in (None, 1.0):
            res = np.array([descend(w, b, lr, clip) for w, b in starts])
            thrown = np.sum(res[:, 1] > 1.0)
            print(f"lr={lr:<4} clip={str(clip):>4}: steps > 1 in {thrown}/20 runs; largest step "
                  f"median {np.median(res[:, 1]):.3g} max {np.max(res[:, 1]):.3g}; largest grad "
                  f"max {np.max(res[:, 2]):.3g}; final loss median {np.nanmedian(res[:, 0]):.3g}, "
                  f"non-finite {np.sum(~np.isfinite(res[:, 0]))}")
    print(f"wall time {time.perf_counter() - start:.1f} s")
