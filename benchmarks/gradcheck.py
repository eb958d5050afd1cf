"""Gradient checks at scale: ``gradcheck.check_layer`` with sampling on a large recurrent layer.

Prints, for a tanh RNN layer with (T=20, B=4, D=16, H=256) in PyTorch's (out, in) layout
(written here, with its own backpropagation through time; about 70k weights):
- the time of ``check_layer`` with ``--n-entries`` sampled entries per array, the number of
  entries checked, and whether it passes;
- the estimated time of the full check (every entry), from the measured forward pass;
- that planted bugs (a transposed ``weight_hh`` gradient, one wrong sign in the ``bias_hh``
  term) are caught at that size, and which array the report names. (A bug confined to one
  entry is sampled with probability n_entries / size only: the full checks of small layers in
  the tests catch those.)

With ``--deep N`` it also checks N random deep sigmoid networks (correct backward passes) with
``check_gradients`` and ``check_layer``, and prints how many each flags (the old rule,
relative error <= 1e-7 per array, flags most of them: their first-layer gradients vanish).

Run: python benchmarks/gradcheck.py [--n-entries 20] [--deep 0]; quote the figures with the
load average (``uptime``): the machine may be shared.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from rnnlearn import gradcheck

KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def rnn_forward(inputs, params):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh); returns hs (T, B, H) and a cache."""
    W_ih, W_hh, b_ih, b_hh = (params[key] for key in KEYS)
    h, hs, prevs = inputs["h0"], [], []
    for x in inputs["xs"]:  # x (B, D)
        prevs.append(h)
        h = np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)  # (B, H)
        hs.append(h)
    hs = np.stack(hs)  # (T, B, H)
    return hs, (inputs["xs"].copy(), np.stack(prevs), hs, W_ih.copy(), W_hh.copy())


def rnn_backward(dhs, cache, bug=None):
    """Backpropagation through time: ({"xs", "h0"}, grads)."""
    xs, prevs, hs, W_ih, W_hh = cache
    grads = {"weight_ih": np.zeros_like(W_ih), "weight_hh": np.zeros_like(W_hh),
             "bias_ih": np.zeros(len(W_ih)), "bias_hh": np.zeros(len(W_hh))}
    dxs, dh = np.zeros_like(xs), np.zeros_like(prevs[0])
    for t in reversed(range(len(xs))):
        dz = (dhs[t] + dh) * (1 - hs[t] ** 2)  # (B, H)
        dxs[t] = dz @ W_ih
        grads["weight_ih"] += dz.T @ xs[t]
        grads["weight_hh"] += dz.T @ prevs[t]
        grads["bias_ih"] += dz.sum(axis=0)
        grads["bias_hh"] += -dz.sum(axis=0) if bug == "one wrong sign" else dz.sum(axis=0)
        dh = dz @ W_hh  # (B, H)
    if bug == "transposed weight_hh":
        grads["weight_hh"] = grads["weight_hh"].T.copy()
    return {"xs": dxs, "h0": dh}, grads


def rnn_layer(T=20, B=4, D=16, H=256, seed=0):
    rng = np.random.default_rng(seed)
    inputs = {"xs": rng.normal(size=(T, B, D)), "h0": rng.normal(scale=0.5, size=(B, H))}
    bound = 1 / np.sqrt(H)  # PyTorch's nn.RNN initialisation
    shapes = {"weight_ih": (H, D), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,)}
    return inputs, {key: rng.uniform(-bound, bound, size=shape) for key, shape in shapes.items()}


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def large_layer(n_entries: int) -> None:
    inputs, params = rnn_layer()
    n_weights = sum(p.size for p in params.values())
    n_all = n_weights + sum(x.size for x in inputs.values())
    forward_s = min(timed(lambda: rnn_forward(inputs, params)) for _ in range(10))
    print(f"tanh RNN layer T=20, B=4, D=16, H=256: {n_weights} weights, {n_all} entries "
          f"with xs and h0; one forward pass {1e3 * forward_s:.2f} ms ({load()})")
    start = time.perf_counter()
    report = gradcheck.check_layer(rnn_forward, rnn_backward, inputs, params,
                                   rng=np.random.default_rng(1), n_entries=n_entries)
    seconds = time.perf_counter() - start
    n_checked = sum(len(flats) for flats in report.checked.values())
    print(f"check_layer, n_entries={n_entries}: {seconds:.2f} s for {n_checked} entries "
          f"({1 + 4 * n_checked} forward passes); passed={report.passed}")
    print(f"  {report}")
    full = (1 + 4 * n_all) * forward_s
    print(f"full check (every entry) estimated: {full:.0f} s = {full / 60:.1f} min "
          f"({1 + 4 * n_all} forward passes)")
    for bug in ("transposed weight_hh", "one wrong sign"):
        start = time.perf_counter()
        wrong = gradcheck.check_layer(rnn_forward, lambda d, c: rnn_backward(d, c, bug),
                                      inputs, params, rng=np.random.default_rng(1),
                                      n_entries=n_entries)
        seconds = time.perf_counter() - start
        print(f"planted bug '{bug}': caught={not wrong.passed}, names {wrong.worst_key!r} "
              f"({seconds:.2f} s)\n  {wrong}")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def deep_networks(n: int, sizes=(3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1), B=4) -> None:
    """n random deep sigmoid MLPs (x @ W layout, linear output, batch-mean squared error)."""
    def forward(inputs, params):
        o, cache = inputs["x"], []
        for l in range(1, len(sizes)):
            z = o @ params[f"W{l}"] + params[f"b{l}"]  # (B, n_out)
            cache.append((o, params[f"W{l}"].copy()))
            o = 1 / (1 + np.exp(-z)) if l < len(sizes) - 1 else z
        return o, cache

    def backward(dy, cache):
        grads, d = {}, dy
        for l in range(len(cache), 0, -1):
            o, W = cache[l - 1]
            grads[f"W{l}"], grads[f"b{l}"] = o.T @ d, d.sum(axis=0)
            d = d @ W.T * (o * (1 - o) if l > 1 else 1)
        return {"x": d}, grads

    old = new = layer = 0
    smallest, worst_ratio, start = np.inf, 0.0, time.perf_counter()
    for seed in range(n):
        gen = np.random.default_rng(seed)
        params = {}
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{l}"] = gen.normal(scale=np.sqrt(2 / (n_in + n_out)), size=(n_in, n_out))
            params[f"b{l}"] = np.zeros(n_out)
        x, y = gen.normal(size=(B, sizes[0])), gen.normal(size=(B, sizes[-1]))
        out, cache = forward({"x": x}, params)
        grads = backward((out - y) / B, cache)[1]

        def loss(p):
            return 0.5 * float(np.mean(np.sum((forward({"x": x}, p)[0] - y) ** 2, axis=1)))

        report = gradcheck.check_gradients(loss, params, grads)
        old += max(report.errors.values()) > report.tol
        new += not report.passed
        by_layer = gradcheck.check_layer(forward, backward, {"x": x}, params, rng=gen)
        layer += not by_layer.passed
        worst_ratio = max(worst_ratio, *by_layer.ratios.values())
        smallest = min(smallest, np.linalg.norm(grads["W1"]))
    print(f"{n} deep sigmoid networks {list(sizes)}, correct backward passes "
          f"({time.perf_counter() - start:.0f} s, {load()}): the old rule flags {old}, "
          f"check_gradients flags {new}, check_layer flags {layer} (largest |a - n| / allowed "
          f"{worst_ratio:.2f}); smallest first-layer gradient norm {smallest:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-entries", type=int, default=20)
    parser.add_argument("--deep", type=int, default=0, metavar="N")
    args = parser.parse_args()
    large_layer(args.n_entries)
    if args.deep:
        deep_networks(args.deep)


if __name__ == "__main__":
    main()
