"""Speed of the kernels: the explorers' budgets and the recurrent kernels' forward + backward.

Prints, in milliseconds:
- optim.run: 300 steps on a 2-D quadratic, per optimiser, best of N (an explorer redraw is
  ~40-100 ms, so a run should take a few ms at most to keep the live/bare ratio under 1.3);
- mlp.train: one full-batch epoch of a 2-16-16-2 tanh network on 200 points, best of N;
- rnn, lstm and gru forward + backward at (T=50, B=32, D=16, H=128) and at the shipped
  char-LM's size (T=50, B=16, D=103 one-hot inputs, H=256), in float64 and float32: the median and the best of
  N runs. One run is ``forward`` then ``backward`` with dhs = ones, the gradient of the sum of
  all outputs h_1..h_T, giving dxs, dh_0 and every parameter gradient;
- when torch imports: torch.nn.RNN / LSTM / GRU on the CPU at the same sizes and dtypes, one run
  being the forward pass and ``out.sum().backward()`` with the input's gradient too (the same
  results as ours), with ``torch.set_num_threads`` set to numpy's BLAS threads. Its runs are
  interleaved with ours (ours, torch, ours, torch, ...) so both see the same machine load, and
  the ratio ours/torch of the medians is printed;
- characters per second of char-LM training at the shipped model's settings, float64 and
  float32 (:func:`charlm_tokens_per_second`).

The numpy, BLAS and torch versions, the thread counts and the load average are printed first.
Beside each time, "faults" is the median number of minor page faults per run: fresh memory from
the system, which costs about 2-6 us a page on the virtual machine these figures were measured
on, and whose count depends on the allocator's history in the process (glibc returns large
freed blocks to the system), so it explains much of the run-to-run spread.

Run: python benchmarks/kernels.py [--repeats N] [--quick] [--threads N]
     (PYTHONPATH=. with a Python that has torch, for the comparison)

Threads: one by default, for numpy's BLAS and for torch (as in tests/conftest.py; an
OPENBLAS_NUM_THREADS already set is kept). ``--threads N`` sets N; ``--threads 0`` leaves the
BLAS its own default (the cores). These matrix products are small: with 2 threads on 2 cores
that other jobs were using, the median run here took up to 14 times the best one, while with 1
thread it kept within 10 per cent of it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# the BLAS reads its thread count when numpy loads it, so this comes before the imports
_THREADS = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--threads=")),
                sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv[:-1]
                else None)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    if _THREADS is None:
        os.environ.setdefault(_var, "1")
    elif _THREADS != "0":
        os.environ[_var] = _THREADS

import numpy as np  # noqa: E402

from rnnlearn import gru, lstm, mlp, optim, rnn  # noqa: E402
from rnnlearn.landscapes import Quadratic  # noqa: E402

try:
    import torch
except ImportError:  # torch is never a dependency: the comparison is skipped
    torch = None

SIZES = {  # name -> (T, B, D, H, one-hot inputs)
    "T50 B32 D16 H128": (50, 32, 16, 128, False),
    "charlm T50 B16 D103 H256": (50, 16, 103, 256, True),  # the shipped model's (charlm.Config)
}
MODELS = {  # name -> (rnnlearn module, torch.nn class name)
    "rnn": (rnn, "RNN"),
    "lstm": (lstm, "LSTM"),
    "gru": (gru, "GRU"),
}
DTYPES = ("float64", "float32")


def best_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def seconds_and_faults(fn) -> tuple[float, int]:
    """Wall time of fn() and the minor page faults it caused (0 where getrusage is missing)."""
    faults = _minor_faults()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start, _minor_faults() - faults


def _minor_faults() -> int:
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def blas_threads() -> tuple[int, str]:
    """The threads numpy's BLAS uses, and how that was found."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        if counts:
            return max(counts), "threadpoolctl"
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]), var
    return os.cpu_count() or 1, "no threadpoolctl or *_NUM_THREADS: the BLAS default, the cores"


def blas_name() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except Exception:  # the config's layout is numpy's business
        return "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unavailable"


def explorer_kernels(repeats: int) -> None:
    """The kernels the explorers call on every slider move (best of N)."""
    bowl = Quadratic.from_condition(10.0, dim=2, rotation=0.5)
    for optimizer in (optim.SGD(0.1), optim.Momentum(0.1, 0.9), optim.Adam(0.1)):
        ms = best_ms(lambda: optim.run(bowl, np.array([1.0, 1.0]), optimizer, 300), repeats)
        print(f"optim.run  {type(optimizer).__name__:9} 300 steps, 2-D quadratic   {ms:6.2f} ms")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    labels = (x[:, 0] * x[:, 1] > 0).astype(int)
    params = mlp.init_params([2, 16, 16, 2], rng)
    for loss, y in (("mse", np.eye(2)[labels]), ("cross_entropy", labels)):
        ms = best_ms(lambda: mlp.train(params, x, y, optim.SGD(0.1), 1, activation="tanh",
                                       loss=loss), repeats)
        print(f"mlp.train  {loss:13} 1 epoch, 2-16-16-2, 200 points {ms:6.2f} ms")


def inputs(T, B, D, one_hot, dtype, rng):
    """xs (T, B, D): standard normal, or one-hot rows (a character per position)."""
    if one_hot:
        return np.eye(D, dtype=dtype)[rng.integers(0, D, size=(T, B))]
    return rng.standard_normal((T, B, D)).astype(dtype)


def ours_run(module, xs, params):
    """One forward + backward of rnnlearn's kernel, dhs = ones (the sum of the outputs)."""
    T, B, _ = xs.shape
    H = params["weight_hh"].shape[1]
    dhs = np.ones((T, B, H), xs.dtype)

    def run():
        hs, cache = module.forward(xs, None, params)
        return hs, module.backward(dhs, cache)[2]["weight_hh"]
    return run


def torch_run(torch_name, xs, params):
    """The same forward + backward with torch.nn.<torch_name>, from the same weights."""
    T, B, D = xs.shape
    H = params["weight_hh"].shape[1]
    dtype = getattr(torch, str(xs.dtype))
    net = getattr(torch.nn, torch_name)(D, H, dtype=dtype)
    with torch.no_grad():
        for key, value in params.items():
            getattr(net, key + "_l0").copy_(torch.from_numpy(value))
    x = torch.from_numpy(xs).requires_grad_(True)

    def run():
        net.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = net(x)
        out.sum().backward()
        return out.detach().numpy(), net.weight_hh_l0.grad.numpy()
    return run


def same_results(ours, theirs, dtype) -> bool:
    """Whether h_1..h_T and dL/dW_hh agree: the two runs do the same work."""
    rtol = 1e-3 if dtype == "float32" else 1e-9
    return all(np.allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())
               for a, b in zip(ours, theirs))


def recurrent_kernels(repeats: int, models, sizes) -> None:
    """Forward + backward of RNN, LSTM and GRU, ours against torch's, runs interleaved."""
    print(f"\nforward + backward (dhs = ones), ms: median (best) of {repeats} runs"
          + (", interleaved with torch's" if torch else "; torch not installed: no comparison"))
    header = f"{'model':5} {'size':26} {'dtype':7} {'rnnlearn':>17} {'faults':>6}"
    if torch:
        header += f" {'torch':>17} {'faults':>6} {'ours/torch':>10} {'(best)':>6}"
    print(header)
    for size in sizes:
        T, B, D, H, one_hot = SIZES[size]
        for dtype in DTYPES:
            for name in models:
                module, torch_name = MODELS[name]
                rng = np.random.default_rng(0)
                params = {k: v.astype(dtype) for k, v in module.init_params(D, H, rng).items()}
                xs = inputs(T, B, D, one_hot, dtype, rng)
                runs = {"ours": ours_run(module, xs, params)}
                if torch:
                    runs["torch"] = torch_run(torch_name, xs, params)
                times, faults = {key: [] for key in runs}, {key: [] for key in runs}
                results = {key: run() for key, run in runs.items()}  # also warms up
                if torch and not same_results(results["ours"], results["torch"], dtype):
                    raise AssertionError(f"{name} {size} {dtype}: rnnlearn and torch disagree")
                for _ in range(repeats):
                    for key, run in runs.items():
                        seconds, new_faults = seconds_and_faults(run)
                        times[key].append(1e3 * seconds)
                        faults[key].append(new_faults)
                line = f"{name:5} {size:26} {dtype:7}"
                for key in runs:
                    line += (f" {statistics.median(times[key]):8.2f} ({min(times[key]):6.2f})"
                             f" {statistics.median(faults[key]):6.0f}")
                if torch:
                    ratio = statistics.median(times["ours"]) / statistics.median(times["torch"])
                    best = min(times["ours"]) / min(times["torch"])
                    line += f" {ratio:10.2f} {best:6.2f}"
                print(line, flush=True)


def charlm_tokens_per_second(repeats: int, dtype: str) -> float:
    """Characters per second of char-LM training: the shipped model's settings (charlm.Config's
    defaults: LSTM H=256, B=16, T=50, Adam, clipping) on the corpus, in ``dtype``; the best of
    ``repeats`` runs of 20 optimiser steps each (after 2 warm-up steps)."""
    from rnnlearn import charlm, corpus

    text = corpus.load_corpus().train
    vocab = charlm.Vocab.from_text(text)
    ids = vocab.encode(text)[:200_000]
    config = charlm.Config(dtype=dtype)
    model = charlm.new_model(vocab, config)
    charlm.train(model.params, ids, config, steps=2, progress=False)  # warm-up
    steps, best = 20, float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        charlm.train(model.params, ids, config, steps=steps, progress=False)
        best = min(best, time.perf_counter() - start)
    return steps * config.batch_size * config.seq_len / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs per measurement (default 20; 3 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="3 runs per measurement, for a smoke test")
    parser.add_argument("--threads", type=int, default=None,
                        help="numpy's BLAS threads and torch's (default 1; 0: the BLAS's)")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--sizes", nargs="+", choices=["small", "charlm"],
                        default=["small", "charlm"])
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 20)
    threads, how = blas_threads()
    print(f"numpy {np.__version__}, BLAS {blas_name()}, {threads} BLAS threads ({how})")
    if torch:
        torch.set_num_threads(threads)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads (set to numpy's)")
    else:
        print("torch: not installed")
    print(f"cores {os.cpu_count()}, load average {load_average()} (1, 5, 15 min)\n")
    explorer_kernels(repeats)
    sizes = [size for size in SIZES if ("charlm" if size.startswith("charlm") else "small")
             in args.sizes]
    recurrent_kernels(repeats, args.models, sizes)
    print()
    for dtype in DTYPES:
        rate = charlm_tokens_per_second(max(1, repeats // 4), dtype)
        print(f"char-LM training ({dtype}): {rate:,.0f} characters per second")
    print(f"load average {load_average()} at the end")


if __name__ == "__main__":
    main()
