"""Precompute rnnlearn/data/adding_gated.npz: the adding problem (T = 50) for RNN, LSTM and GRU.

The data of the chapters "Long short-term memory" and "Gated recurrent units". The adding problem
of :func:`rnnlearn.tasks.adding_problem` (Arjovsky et al. 2016's form) with T = 50; a recurrent
cell of H = 32 units and one linear read-out of its last state h_T
(:mod:`rnnlearn.seqmodel`); Adam with lr 1e-2 and the global gradient norm clipped at 1; a
fresh batch of 32 sequences every step for N_STEPS steps; the plain test mean squared error
(twice :func:`rnnlearn.losses.mse`, which is half of it) on 1000 test sequences every EVAL_EVERY
steps, from step 0. A run is "solved" at the first evaluated step where the plain test MSE is
below 0.01; predicting the constant 1 scores 1/6. Models (:data:`MODELS`):

- "rnn": the tanh RNN, nn.RNN's uniform initialisation;
- "lstm": nn.LSTM, its initialisation (forget bias random, around 0);
- "lstm-fb1": nn.LSTM with the forget-gate bias set to 1 (b_if = 1, b_hf = 0);
- "gru": nn.GRU (reset gate after the matrix product, as PyTorch).

Variants of the LSTM (:data:`VARIANTS`, Greff et al. 2017's names, nn.LSTM's initialisation):
"V" (peepholes), "NP" (no peepholes: nn.LSTM itself, the same runs as "lstm"), "CIFG" (coupled
gates, f = 1 - i), "NIG", "NFG", "NOG" (no input, forget, output gate), "NIAF", "NOAF" (no input,
output activation).

Seeds 0, 1, 2. Seed s initialises the model with default_rng(s), draws the test set with
default_rng(10_000 + s) and the training batches with default_rng(20_000 + s), as
scripts/adding_t50.py does; so every model of a seed sees the same test set and batches.

Writes (loaded with allow_pickle=False): models (4,) str, seeds (3,) int, steps (S,) int the
evaluated steps (0, EVAL_EVERY, ..., N_STEPS), curves (4, 3, S) the plain test MSE there, final
(4, 3) the plain test MSE after N_STEPS steps, solved_step (4, 3) int the first evaluated step
with plain test MSE < 0.01 (-1 if none); variants (8,) str, variant_curves (8, 3, S),
variant_final (8, 3), variant_solved_step (8, 3); the trained parameters of seed 0 of "lstm-fb1",
"gru" and "rnn" as "params_<model>/<key>" (the seqmodel keys, head.weight and head.bias
included); the settings as 0-d arrays (T, H, batch, n_steps, lr, clip, n_test, eval_every).

Run (33 runs of 10-25 s: about 9 min on one core of the 2-core build machine, others working):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/adding_gated.py [--out PATH]
"""
from __future__ import annotations

import argparse
import pathlib
import time
from typing import NamedTuple

import numpy as np

from rnnlearn import lstm, optim, seqmodel, tasks, training

T, H, BATCH, N_STEPS, LR, CLIP, N_TEST, EVAL_EVERY = 50, 32, 32, 2000, 1e-2, 1.0, 1000, 50
SOLVED = 0.01  #: a run is solved once its plain test MSE is below this
BASELINE = 1.0 / 6.0  #: plain MSE of predicting the constant 1
SEEDS = (0, 1, 2)
#: name -> (cell, forget_bias, lstm.Options or None)
MODELS = {"rnn": ("rnn", None, None), "lstm": ("lstm", None, lstm.Options()),
          "lstm-fb1": ("lstm", 1.0, lstm.Options()), "gru": ("gru", None, None)}
#: Greff et al.'s name -> lstm.Options (nn.LSTM's initialisation, forget bias not set)
VARIANTS = {"V": lstm.Options(peepholes=True), "NP": lstm.Options(),
            "CIFG": lstm.Options(coupled=True), "NIG": lstm.Options(no_input_gate=True),
            "NFG": lstm.Options(no_forget_gate=True), "NOG": lstm.Options(no_output_gate=True),
            "NIAF": lstm.Options(no_input_activation=True),
            "NOAF": lstm.Options(no_output_activation=True)}
SAVED = ("lstm-fb1", "gru", "rnn")  #: the models whose seed-0 parameters are kept
OUT = pathlib.Path(__file__).resolve().parents[1] / "rnnlearn/data/adding_gated.npz"


class Run(NamedTuple):
    """One training run."""

    steps: np.ndarray  # (S,) evaluated steps, 0 first
    curve: np.ndarray  # (S,) plain test MSE at those steps
    solved_step: int  # first evaluated step with plain test MSE < SOLVED, -1 if none
    params: dict  # the trained parameters
    seconds: float


def setting(name):
    """(cell, forget_bias, cell_options) of a model or a variant's name."""
    if name in MODELS:
        cell, forget_bias, options = MODELS[name]
    elif name in VARIANTS:
        cell, forget_bias, options = "lstm", None, VARIANTS[name]
    else:
        raise ValueError(f"unknown model or variant {name!r}")
    return cell, forget_bias, (None if options is None else {"options": options})


def plain_mse(params, xs, ys, cell, cell_options):
    """The plain mean squared error of the model's read-out of h_T on (xs, ys)."""
    out, _ = seqmodel.model_forward(xs, params, cell=cell, cell_options=cell_options)
    return float(np.mean((out - ys) ** 2))


def run(name, seed, steps=N_STEPS, stop_below=None):
    """Train one model (or variant) for ``steps`` steps, evaluating every EVAL_EVERY steps.

    ``stop_below``: end the run at the first evaluation whose plain test MSE is below it (the
    curve then ends there). Returns a :class:`Run`.
    """
    start = time.perf_counter()
    cell, forget_bias, cell_options = setting(name)
    options = None if cell_options is None else cell_options["options"]
    kwargs = {} if cell == "rnn" else {"cell": cell}
    if cell == "lstm":
        kwargs.update(forget_bias=forget_bias, options=options)
    params = seqmodel.init_model(2, H, 1, np.random.default_rng(seed), **kwargs)
    xt, yt = tasks.adding_problem(T, N_TEST, np.random.default_rng(10_000 + seed))
    data_rng = np.random.default_rng(20_000 + seed)
    evaluated = [(0, plain_mse(params, xt, yt, cell, cell_options))]

    def step(p, _):
        xs, ys = tasks.adding_problem(T, BATCH, data_rng)
        return seqmodel.loss_and_grads(p, xs, ys, cell=cell, cell_options=cell_options)

    def evaluate(info):
        evaluated.append((info.step, plain_mse(info.params, xt, yt, cell, cell_options)))
        if stop_below is not None and evaluated[-1][1] < stop_below:
            raise training.StopTraining

    training.fit(step, params, [None] * steps, optim.Adam(LR), clip=CLIP, callback=evaluate,
                 every=EVAL_EVERY, progress=False)
    at, curve = (np.array(a) for a in zip(*evaluated))
    below = np.flatnonzero(curve < SOLVED)
    solved = int(at[below[0]]) if below.size else -1
    return Run(at, curve, solved, params, time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args()
    start = time.perf_counter()
    S = N_STEPS // EVAL_EVERY + 1
    out = {}
    runs = {}
    for group, names in (("", MODELS), ("variant_", VARIANTS)):
        curves = np.empty((len(names), len(SEEDS), S))
        solved = np.empty((len(names), len(SEEDS)), dtype=np.int64)
        for i, name in enumerate(names):
            for j, seed in enumerate(SEEDS):
                if group and name == "NP":  # nn.LSTM: the same init and data as "lstm"
                    r = runs["lstm", seed]
                else:
                    r = runs[name, seed] = run(name, seed)
                    print(f"{group or 'model '}{name:>9} seed {seed}: solved at "
                          f"{r.solved_step:>5}, final plain MSE {r.curve[-1]:.2e} "
                          f"({r.seconds:.1f} s)", flush=True)
                curves[i, j], solved[i, j] = r.curve, r.solved_step
        out[f"{group}curves"], out[f"{group}final"] = curves, curves[..., -1].copy()
        out[f"{group}solved_step"] = solved
    for name in SAVED:
        for key, value in runs[name, 0].params.items():
            out[f"params_{name}/{key}"] = value
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, models=np.array(list(MODELS)), variants=np.array(list(VARIANTS)),
        seeds=np.array(SEEDS), steps=EVAL_EVERY * np.arange(S), **out, T=np.array(T),
        H=np.array(H), batch=np.array(BATCH), n_steps=np.array(N_STEPS), lr=np.array(LR),
        clip=np.array(CLIP), n_test=np.array(N_TEST), eval_every=np.array(EVAL_EVERY))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in "
          f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
