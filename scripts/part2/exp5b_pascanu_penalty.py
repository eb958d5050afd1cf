"""Experiment 5b: Pascanu, Mikolov & Bengio's (2013) gradient-preserving penalty on the delay task.

Omega = mean over steps t and sequences of (||v_t dh_t/dh_{t-1}|| / ||v_t|| - 1)^2, v_t = dL/dh_t
(the total gradient into h_t), with v_t and tanh'(a_t) held constant as in the paper, so that
dOmega/dW_hh = sum 2 (r - 1) / (n ||v_t||) * (v_t * tanh'_t)^T u_t / ||u_t||, u_t = (v_t * tanh'_t) W_hh
(row-vector layout, u_t = dL/dh_{t-1} through step t). Added to the loss gradient with weight lam.
Task: delay d = 15, T = 30, tanh H = 16, W_hh = rho * orthogonal (rho = 0.5: the vanishing case),
SGD(0.1) with clip 1 (as in the paper), 1000 steps. Prints the final task loss (last 50 steps).
Run: OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/part2/exp5b_pascanu_penalty.py [rho] [seeds]
"""
import sys
import time

import numpy as np

from rnnlearn import optim, seqmodel, training

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import exp1_truncated_delay as e1  # noqa: E402

e1.D_DELAY = 15
RHO = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
SEEDS = range(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
H, B, STEPS, LR = 16, 32, 1000, 0.1
LAMS = [0.0, 1.0, 4.0]


def loss_grads_penalised(params, xs, ys, mask, lam):
    out, cache = seqmodel.model_forward(xs, params, output="all")
    err = (out - ys) * mask
    count = mask.sum()
    loss = 0.5 * (err ** 2).sum() / count
    dout = err / count
    _, _, grads = seqmodel.model_backward(dout, cache)
    if lam:
        c = cache.cell
        W = c.weight_hh
        dphi = 1.0 - c.hs ** 2  # tanh'
        dhs = dout @ cache.head_weight  # (T, B, H) direct losses into h_t
        T = dhs.shape[0]
        gW = np.zeros_like(W)
        omega, n = 0.0, 0
        u_next = np.zeros_like(dhs[0])
        for t in range(T - 1, 0, -1):  # steps 2..T: dh_t/dh_{t-1}
            v = dhs[t] + u_next  # dL/dh_t
            a = v * dphi[t]
            u = a @ W  # dL/dh_{t-1} through step t
            nv = np.linalg.norm(v, axis=1)
            nu = np.linalg.norm(u, axis=1)
            ok = (nv > 1e-12) & (nu > 1e-12)
            r = np.where(ok, nu / np.where(ok, nv, 1), 1.0)
            omega += ((r - 1) ** 2)[ok].sum()
            n += ok.sum()
            coef = np.where(ok, 2 * (r - 1) / np.where(ok, nv * nu, 1), 0.0)  # (B,)
            gW += (a * coef[:, None]).T @ u  # d r / dW (row layout: u = a W)
            u_next = u
        if n:
            grads["weight_hh"] = grads["weight_hh"] + lam * gW / n
            loss_extra = omega / n
        else:
            loss_extra = 0.0
        return loss, grads, loss_extra
    return loss, grads, 0.0


def run(seed, lam):
    rng = np.random.default_rng(seed)
    params = seqmodel.init_model(1, H, 1, rng, init="orthogonal", scale=RHO)
    data_rng = np.random.default_rng(20_000 + seed)
    omegas = []

    def step(p, _):
        loss, grads, om = loss_grads_penalised(p, *e1.batch(data_rng, B), lam)
        omegas.append(om)
        return loss, grads

    hist = training.fit(step, params, [None] * STEPS, optim.SGD(LR), clip=1.0, progress=False)
    return np.mean(hist.losses[-50:]), np.mean(omegas[:10]), np.mean(omegas[-50:])


if __name__ == "__main__":
    start = time.perf_counter()
    print(f"delay d=15 T=30, tanh H={H}, orthogonal W_hh*{RHO}, SGD({LR}) clip 1, {STEPS} steps; "
          "final task loss (last 50 steps; baseline 0.5), Omega at start / end")
    for lam in LAMS:
        r = [run(seed, lam) for seed in SEEDS]
        print(f"lam={lam:<4}: final " + " ".join(f"{x[0]:.3f}" for x in r)
              + " | Omega start " + " ".join(f"{x[1]:.3f}" for x in r)
              + " end " + " ".join(f"{x[2]:.3f}" for x in r), flush=True)
    print(f"wall time {time.perf_counter() - start:.0f} s")
