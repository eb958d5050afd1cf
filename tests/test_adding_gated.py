"""The adding problem at T = 50 for RNN, LSTM and GRU (rnnlearn/data/adding_gated.npz, made by
scripts/adding_gated.py): the cache holds what the chapters "Long short-term memory" and "Gated
recurrent units" read, it is what the script computes, and the result they state holds when
retrained: the LSTM and the GRU drive the plain test MSE below 0.01, the tanh RNN stays above 0.1
(issue 9: in at least 2 of 3 seeds)."""
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import gru, lstm, results, rnn, seqmodel, tasks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import adding_gated as a  # noqa: E402

#: the models trained to the solved mark in the retraining test, and the one trained in full
SOLVERS, FAILER = ("lstm-fb1", "gru"), "rnn"
CELL_KEYS = {"lstm-fb1": lstm.KEYS, "gru": gru.KEYS, "rnn": rnn.KEYS}


@pytest.fixture(scope="module")
def cache():
    return results.load("adding_gated")


@pytest.fixture(scope="module")
def retrained():
    """Seeds 0-2 of the LSTM (forget bias 1) and the GRU, each stopped at its first evaluation
    below the solved mark, and of the RNN for the whole budget: name -> [Run per seed]."""
    return {name: [a.run(name, seed, stop_below=None if name == FAILER else a.SOLVED)
                   for seed in a.SEEDS] for name in SOLVERS + (FAILER,)}


def test_the_cache_holds_the_contract_and_the_script_settings(cache):
    S = a.N_STEPS // a.EVAL_EVERY + 1
    assert list(cache["models"]) == ["rnn", "lstm", "lstm-fb1", "gru"] == list(a.MODELS)
    assert list(cache["variants"]) == ["V", "NP", "CIFG", "NIG", "NFG", "NOG", "NIAF",
                                       "NOAF"] == list(a.VARIANTS)
    assert list(cache["seeds"]) == [0, 1, 2] == list(a.SEEDS)
    assert np.array_equal(cache["steps"], a.EVAL_EVERY * np.arange(S))
    assert cache["steps"][-1] == a.N_STEPS and cache["steps"].dtype.kind == "i"
    for prefix, n in (("", 4), ("variant_", 8)):
        curves, final = cache[prefix + "curves"], cache[prefix + "final"]
        solved = cache[prefix + "solved_step"]
        assert curves.shape == (n, 3, S) and final.shape == solved.shape == (n, 3)
        assert np.isfinite(curves).all() and (curves > 0).all()
        assert np.array_equal(final, curves[..., -1])
        assert solved.dtype.kind == "i"
        for curve, step in zip(curves.reshape(-1, S), solved.ravel()):  # first step below 0.01
            below = np.flatnonzero(curve < a.SOLVED)
            assert step == (cache["steps"][below[0]] if below.size else -1)
        # step 0: an untrained read-out is far from the sums (above the 1/6 baseline)
        assert (curves[..., 0] > a.BASELINE).all()
    # "NP" is nn.LSTM: the same runs as the model "lstm"
    assert np.array_equal(cache["variant_curves"][1], cache["curves"][1])
    settings = {"T": a.T, "H": a.H, "batch": a.BATCH, "n_steps": a.N_STEPS, "lr": a.LR,
                "clip": a.CLIP, "n_test": a.N_TEST, "eval_every": a.EVAL_EVERY}
    for key, value in settings.items():
        assert cache[key].shape == () and cache[key] == value, key
    assert results.path("adding_gated").stat().st_size < 200_000


@pytest.mark.parametrize("name", a.SAVED)
def test_the_saved_parameters_are_seed_0s_trained_model(cache, name):
    """Seqmodel's keys with their shapes, and they score seed 0's cached final test MSE."""
    prefix = f"params_{name}/"
    params = {k[len(prefix):]: v for k, v in cache.items() if k.startswith(prefix)}
    assert sorted(params) == sorted(CELL_KEYS[name] + seqmodel.HEAD_KEYS)
    gates = {"lstm-fb1": 4, "gru": 3, "rnn": 1}[name]
    assert params["weight_ih"].shape == (gates * a.H, 2)
    assert params["weight_hh"].shape == (gates * a.H, a.H)
    assert params["head.weight"].shape == (1, a.H) and params["head.bias"].shape == (1,)
    cell, _, cell_options = a.setting(name)
    xt, yt = tasks.adding_problem(a.T, a.N_TEST, np.random.default_rng(10_000))
    i = list(a.MODELS).index(name)
    assert_allclose(a.plain_mse(params, xt, yt, cell, cell_options), cache["final"][i, 0],
                    rtol=1e-9)


def test_the_counts_the_chapters_state(cache):
    """Issue 9's claim on the cached runs (plain test MSE after 2000 steps): the LSTM, with
    forget bias 1 or nn.LSTM's own, and the GRU below 0.01, the tanh RNN above 0.1, each in at
    least 2 of 3 seeds (measured: see scripts/part3/FINDINGS.md)."""
    final = dict(zip(cache["models"], cache["final"]))
    for name in ("lstm", "lstm-fb1", "gru"):
        assert np.sum(final[name] < 0.01) >= 2, (name, final[name])
    assert np.sum(final["rnn"] > 0.1) >= 2, final["rnn"]
    # the RNN does not merely miss 0.01: it stays near the 1/6 of predicting the constant 1
    rnn_curves = cache["curves"][0, :, 1:]
    assert np.sum(np.abs(rnn_curves[:, -1] / a.BASELINE - 1) < 0.1) >= 2


def test_retraining_solves_with_gates_and_not_without(retrained):
    """Issue 9's "done when", re-run: LSTM (forget bias 1) and GRU below plain test MSE 0.01 within
    the budget in at least 2 of 3 seeds; the RNN above 0.1 after the whole budget in 2 of 3."""
    for name in SOLVERS:
        solved = [r.solved_step for r in retrained[name]]
        assert sum(0 < s <= a.N_STEPS for s in solved) >= 2, (name, solved)
    rnn_final = [r.curve[-1] for r in retrained[FAILER]]
    assert all(r.steps[-1] == a.N_STEPS for r in retrained[FAILER])
    assert sum(f > 0.1 for f in rnn_final) >= 2, rnn_final


def test_the_retrained_seed_0_starts_as_the_cache(cache, retrained):
    """Reproduction: seed 0's first three evaluations (steps 0, 50, 100) as cached. Later points
    are left out: rounding differs across BLAS kernels and Adam amplifies it over the run."""
    for name in SOLVERS + (FAILER,):
        run = retrained[name][0]
        i = list(a.MODELS).index(name)
        assert np.array_equal(run.steps[:3], cache["steps"][:3])
        assert_allclose(run.curve[:3], cache["curves"][i, 0, :3], rtol=1e-6)
