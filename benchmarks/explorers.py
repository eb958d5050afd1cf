"""Benchmark every registered explorer against the framework's budgets (DESIGN.md section 3).

For each explorer it prints:
- live p50 / p90: one live update driven exactly as a reader's drag is (a control widget's value
  changes -> set: memoised model stage, select, move the artists -> blitted frame + PNG encode ->
  image widget updated), walking each control over its static grid and back, the others at
  their defaults; measured on the second walk (the model stage memoised, as when a reader
  drags back);
- cold p50: the same moves on the first walk where the model stage had to be computed;
- bare p50: the same render + encode path with nothing changed, timed at every state of the
  second walk (so both medians cover the same pictures); ratio live/bare (budget <= 1.3);
- the static twin: build time, size (budget <= 2 MB) and the class's estimate, grid points and
  distinct frames, the resolution of its frames (times the 1x size they are shown at).
Goal: live p50 <= 30 ms for every Part I explorer on a quiet machine (quote the load average).

Run: python benchmarks/explorers.py [--repeats N] [--only NAME ...] [--no-twin]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from rnnlearn.explorers import REGISTRY  # noqa: E402
from rnnlearn.explorers.twin import twin_estimate, twin_frames  # noqa: E402

RATIO_BUDGET, SIZE_BUDGET, LIVE_GOAL_MS = 1.3, 2_000_000, 30.0


def walk(ex):
    """(control, value) moves: each control over its grid and back, like a reader's drag."""
    moves = []
    for c in ex.controls:
        grid = c.grid()
        start = ex.values[c.name]
        moves += [(c.name, v) for v in grid + grid[-2::-1]]
        moves.append((c.name, start))
    return moves


def p(times, q):
    return statistics.quantiles(times, n=100)[q - 1] if len(times) > 1 else times[0]


def bench(name: str, repeats: int, twin: bool) -> dict:
    ex = REGISTRY[name]()
    box = ex.widget()
    moves = walk(ex)
    cold, warm, bare = [], [], []
    for rounds in range(2):
        for control, value in moves:
            before = len(ex._memo)
            t0 = time.perf_counter()
            box.controls[control].value = value
            dt = time.perf_counter() - t0
            if box.errors.outputs:
                raise RuntimeError(box.errors.outputs[0]["text"])
            if rounds == 0 and len(ex._memo) > before:
                cold.append(dt)
            elif rounds == 1:
                warm.append(dt)
                for _ in range(repeats):  # a bare redraw of the same state, nothing changed
                    t0 = time.perf_counter()
                    box.image.value = ex.png(ex.live_scale)
                    bare.append(time.perf_counter() - t0)
    r = dict(name=name, live=p(warm, 50), live90=p(warm, 90), cold=p(cold, 50) if cold else 0.0,
             bare=statistics.median(bare), frames=twin_frames(type(ex))[0],
             estimate=twin_estimate(type(ex)), scale=ex.twin_scale)
    r["ratio"] = r["live"] / r["bare"]
    if twin:
        t0 = time.perf_counter()
        page = ex.static_html()
        r["static"] = time.perf_counter() - t0
        r["size"] = len(page.encode())
        r["distinct"] = page.count('"data:image/png;base64,') - 1  # the frames, not the <img>
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="bare redraws per state")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--no-twin", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(f"{'explorer':22} {'live p50':>8} {'p90':>6} {'cold':>6} {'bare':>6} {'ratio':>5} "
          f"{'twin KB':>7} {'est KB':>6} {'grid':>4} {'frames':>6} {'scale':>5} {'build s':>7}"
          f"  budgets")
    ok = True
    for name in args.only or sorted(REGISTRY):
        r = bench(name, args.repeats, not args.no_twin)
        within = r["ratio"] <= RATIO_BUDGET and r.get("size", 0) <= SIZE_BUDGET
        ok &= within
        goal = "" if 1e3 * r["live"] <= LIVE_GOAL_MS else f", live > {LIVE_GOAL_MS:g} ms"
        twin = (f"{r['size'] / 1e3:7.0f} {r['estimate'] / 1e3:6.0f} {r['frames']:4d} "
                f"{r['distinct']:6d} {r['scale']:5.2f} {r['static']:7.1f}" if "size" in r else
                f"{'-':>7} {r['estimate'] / 1e3:6.0f} {r['frames']:4d} {'-':>6} {r['scale']:5.2f} "
                f"{'-':>7}")
        print(f"{r['name']:22} {1e3 * r['live']:8.1f} {1e3 * r['live90']:6.1f} "
              f"{1e3 * r['cold']:6.0f} {1e3 * r['bare']:6.1f} {r['ratio']:5.2f} {twin}  "
              f"{'ok' if within else 'OVER BUDGET'}{goal}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
