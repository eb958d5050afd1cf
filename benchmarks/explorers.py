"""Benchmark every registered explorer against the framework's budgets (DESIGN.md section 3).

For each explorer it prints:
- live: median time of one live update, driven exactly as a reader's drag is (a control widget's
  value changes -> compute -> move artists -> draw + PNG encode -> image widget updated);
- bare: median time of a bare redraw (draw + PNG encode) of the same, unchanged figure;
- ratio live/bare (budget <= 1.3);
- the static twin's size (budget <= 2 MB), its grid points and distinct frames, the resolution
  of its frames (times the 1x size they are shown at; 2 is sharp on a HiDPI screen) and the time
  to build it.

Run: python benchmarks/explorers.py [--repeats N]
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from rnnlearn.explorers import REGISTRY  # noqa: E402

RATIO_BUDGET, SIZE_BUDGET = 1.3, 2_000_000


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def live_values(ex):
    """An endless walk over every control's static grid, like a reader dragging back and forth."""
    walks = []
    for c in ex.controls:
        g = c.grid()
        walks.append((c.name, itertools.cycle(g + g[-2:0:-1]) if len(g) > 1 else itertools.repeat(g[0])))
    control = itertools.cycle(walks)
    while True:
        name, values = next(control)
        yield name, next(values)


def bench(name: str, repeats: int) -> dict:
    ex = REGISTRY[name]()
    box = ex.widget()
    moves = live_values(ex)

    def live():
        control, value = next(moves)
        box.controls[control].value = value
        if box.errors.outputs:
            raise RuntimeError(box.errors.outputs[0]["text"])

    for _ in range(3):  # warm up caches and fonts
        live()
        ex.png()
    live_t = median_time(live, repeats)
    bare_t = median_time(ex.png, repeats)
    t0 = time.perf_counter()
    page = ex.static_html()
    static_t = time.perf_counter() - t0
    size = len(page.encode())
    frames = 1
    for c in ex.controls:
        frames *= len(c.grid())
    distinct = page.count('"data:image/png;base64,') - 1  # the frames, not the <img> src
    return dict(name=name, live=live_t, bare=bare_t, ratio=live_t / bare_t, size=size, frames=frames,
                distinct=distinct, scale=ex.twin_scale, static=static_t)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    print(f"{'explorer':22} {'live ms':>8} {'bare ms':>8} {'ratio':>6} {'twin KB':>8} {'grid':>5} {'frames':>6} "
          f"{'scale':>5} {'build s':>8}  budgets")
    ok = True
    for name in sorted(REGISTRY):
        r = bench(name, args.repeats)
        within = r["ratio"] <= RATIO_BUDGET and r["size"] <= SIZE_BUDGET
        ok &= within
        print(
            f"{r['name']:22} {1e3 * r['live']:8.1f} {1e3 * r['bare']:8.1f} {r['ratio']:6.2f} "
            f"{r['size'] / 1e3:8.0f} {r['frames']:5d} {r['distinct']:6d} {r['scale']:5.2f} {r['static']:8.1f}  "
            f"{'ok' if within else 'OVER BUDGET'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
