"""Speed of the kernels the explorers call on every slider move (budgets from DESIGN.md §3).

Prints the best of N runs, in milliseconds:
- optim.run: 300 steps on a 2-D quadratic, per optimiser (an explorer redraw is ~40-100 ms, so a
  run should take a few ms at most to keep the live/bare ratio under 1.3);
- mlp.train: one full-batch epoch of a 2-16-16-2 tanh network on 200 points.

Run: python benchmarks/kernels.py [--repeats N]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from rnnlearn import mlp, optim
from rnnlearn.landscapes import Quadratic


def best_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    bowl = Quadratic.from_condition(10.0, dim=2, rotation=0.5)
    for optimizer in (optim.SGD(0.1), optim.Momentum(0.1, 0.9), optim.Adam(0.1)):
        ms = best_ms(lambda: optim.run(bowl, np.array([1.0, 1.0]), optimizer, 300), args.repeats)
        print(f"optim.run  {type(optimizer).__name__:9} 300 steps, 2-D quadratic   {ms:6.2f} ms")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    labels = (x[:, 0] * x[:, 1] > 0).astype(int)
    params = mlp.init_params([2, 16, 16, 2], rng)
    for loss, y in (("mse", np.eye(2)[labels]), ("cross_entropy", labels)):
        ms = best_ms(lambda: mlp.train(params, x, y, optim.SGD(0.1), 1, activation="tanh", loss=loss), args.repeats)
        print(f"mlp.train  {loss:13} 1 epoch, 2-16-16-2, 200 points {ms:6.2f} ms")


if __name__ == "__main__":
    main()
