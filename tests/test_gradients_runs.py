"""The cached runs of the chapter "gradients" (rnnlearn/data/gradients_runs.npz) are what
scripts/gradients_runs.py computes: a short re-run agrees with the cache, and the chapter's
claim holds for one seed."""
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import gradients_runs as g  # noqa: E402


@pytest.fixture(scope="module")
def cache():
    with np.load(g.OUT, allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


def test_the_cache_holds_the_script_settings(cache):
    assert np.array_equal(cache["lams"], g.LAMS) and np.array_equal(cache["seeds"], g.SEEDS)
    assert cache["penalty_final"].shape == (3, len(g.SEEDS))
    assert cache["penalty_curves"].shape == (3, len(g.SEEDS), g.PENALTY_STEPS // 50)
    assert int(cache["penalty_steps"]) == g.PENALTY_STEPS
    assert float(cache["penalty_lr"]) == g.PENALTY_LR
    assert float(cache["penalty_rho"]) == g.PENALTY_RHO
    assert_allclose(cache["penalty_curves"][..., -1:].mean(axis=-1), cache["penalty_final"])


def test_a_penalty_prefix_re_runs_to_the_cached_curve(cache):
    run = g.penalty_run(0, 1.0, steps=100)
    blocks = run.losses.reshape(-1, 50).mean(axis=1)
    assert_allclose(blocks, cache["penalty_curves"][1, 0, :2], rtol=1e-6)


def test_the_penalty_lifts_a_vanishing_start_off_the_baseline():
    """FINDINGS 5b in short, one seed: without the penalty the loss stays at 0.5; with
    lam = 1 it leaves it within 1000 steps."""
    plain = g.penalty_run(0, 0.0, steps=1000)
    lifted = g.penalty_run(0, 1.0, steps=1000)
    assert abs(plain.final - 0.5) < 0.01 and lifted.final < 0.4
