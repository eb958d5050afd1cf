"""Part II explorers: the W_rec explorer, the cliff, the echo state network, the unrolled RNN.
The generic checks (budgets, whole-grid sweeps, twins, blitting) run in test_explorers.py."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import cliff, rnn
from rnnlearn.explorers import (CliffExplorer, EsnExplorer, TrainingExplorer, UnrollExplorer,
                                WrecExplorer)
from rnnlearn.explorers import bptt, gradients, reservoir, wrec_training


# -- W_rec ---------------------------------------------------------------------------------------
def test_wrec_grid_holds_the_critical_radius():
    rho, nonlinearity, T = WrecExplorer.controls
    grid = rho.grid()
    assert grid[4] == pytest.approx(1.0, rel=1e-14) and grid[0] == 0.25 and grid[-1] == 4.0
    assert_allclose(np.diff(np.log(grid)), math.log(2) / 2)
    assert nonlinearity.grid() == ["linear", "tanh", "sigmoid"] and T.grid() == [10, 20, 30, 40, 50]


def test_wrec_norms_are_rnn_jacobian_norms():
    d = gradients.wrec_gradients(1.3, "tanh", 20)
    params = rnn.init_params(4, 24, np.random.default_rng(0), init="orthogonal", scale=1.3)
    xs = np.random.default_rng(1).normal(0.0, 0.5, size=(20, 1, 4))
    hs, cache = rnn.forward(xs, None, params, "tanh")
    assert_allclose(10 ** d.log10_norms, rnn.jacobian_norms(cache)[::-1], rtol=1e-10)
    y = np.random.default_rng(2).uniform(-0.5, 0.5, size=(1, 24))
    dhs = np.zeros_like(hs)
    dhs[-1] = hs[-1] - y
    assert_allclose(d.shares, rnn.grad_shares(dhs, cache).shares, rtol=1e-12)
    assert d.sigma_max == pytest.approx(1.3, rel=1e-12)


@pytest.mark.parametrize("rho", [0.25, 0.7, 1.0, 1.9, 4.0])
def test_linear_case_slope_is_log_rho(rho):
    d = gradients.wrec_gradients(rho, "linear", 50)
    slope = np.polyfit(d.lags, d.log10_norms * np.log(10), 1)[0]
    assert slope == pytest.approx(math.log(rho), abs=1e-6)
    assert_allclose(d.log10_norms, d.log10_theory, atol=1e-9)


@pytest.mark.parametrize("nonlinearity", ["tanh", "sigmoid"])
@pytest.mark.parametrize("rho", [0.5, 1.0, 2.0, 4.0])
def test_nonlinear_norms_stay_under_the_pascanu_bound(nonlinearity, rho):
    d = gradients.wrec_gradients(rho, nonlinearity, 50)
    assert np.all(d.log10_norms <= d.log10_theory + 1e-9)


def test_small_rho_makes_early_steps_go_dark():
    small = gradients.wrec_gradients(0.5, "tanh", 50).shares
    critical = gradients.wrec_gradients(1.0, "tanh", 50).shares
    assert small[:25].sum() < 1e-6 < critical[:25].sum()


def test_wrec_explorer_draws_what_it_computes():
    ex = WrecExplorer(rho=0.5, nonlinearity="linear", T=10)
    d = ex.set(T=17)  # a live value off the twin's grid
    xs, ys = ex.artists.norms.get_data()
    assert_allclose(xs, np.arange(1, 18)) and assert_allclose(ys, 0.5 ** np.arange(1, 18))
    assert len(ex.artists.bars.get_segments()) == 17
    assert ex.artists.legend.get_texts()[0].get_text() == "theory: ρ^(T−t)"
    ex.set(nonlinearity="sigmoid")
    assert ex.artists.legend.get_texts()[0].get_text() == "theory: bound (0.25·ρ)^(T−t)"
    assert ex.artists.norm_text.get_text().startswith("‖∂h_T/∂h_0‖ = ")
    assert d.shares.sum() == pytest.approx(1.0)


# -- cliff -------------------------------------------------------------------------------------
def test_cliff_path_is_cliff_descend():
    d = gradients.cliff_descent("A (8, −4)", "5")
    path = cliff.descend(8.0, -4.0, 0.7, 50, lr=0.1, steps=60, clip=5.0)
    assert_allclose(d.path.params, path.params) and d.clip == 5.0


def test_without_clipping_a_step_falls_off_the_cliff():
    free = gradients.cliff_descent("A (8, −4)", "off").path
    tight = gradients.cliff_descent("A (8, −4)", "1").path
    assert np.linalg.norm(np.diff(free.params, axis=0), axis=1).max() > 5
    assert np.linalg.norm(np.diff(tight.params, axis=0), axis=1).max() <= 0.1 + 1e-12


def test_cliff_explorer_reports_the_jump_and_clipping():
    ex = CliffExplorer()
    assert ex.artists.jump_text.get_text().startswith("largest step 7.1 at step")
    assert ex.artists.loss_text.get_text().endswith("no clipping")
    ex.set(clip="1")
    assert "steps clipped" in ex.artists.loss_text.get_text()
    d = ex._view
    assert_allclose(ex.artists.path.get_xydata(), d.path.params)


def test_cliff_rejects_unknown_choices():
    with pytest.raises(ValueError, match="clip must be one of"):
        gradients.cliff_descent("A (8, −4)", "2")


# -- echo state network ------------------------------------------------------------------------
def test_echo_state_property_holds_below_one_and_fails_above():
    calm = reservoir.esn_demo(0.8, 1.0)
    wild = reservoir.esn_demo(1.5, 1.0)
    assert calm.distance[-1] < 1e-10 and wild.distance[-1] > 1e-3
    # the read-out of a contracting reservoir fits far better than that of a chaotic one
    assert calm.train_nrmse < 0.002 and wild.train_nrmse > 10 * calm.train_nrmse


def test_esn_explorer_moves_with_both_controls():
    ex = EsnExplorer()
    before = ex.artists.forecast.get_ydata().copy()
    ex.set(leak=0.4)
    assert not np.allclose(before, ex.artists.forecast.get_ydata())
    assert ex.artists.forecast_text.get_text() == f"NRMSE 84 steps ahead: {ex._view.nrmse84:.2g}"


# -- unrolled RNN ------------------------------------------------------------------------------
def test_per_step_gradients_are_rnn_backward_on_one_loss():
    """||dL_t/dh_k||: rnn.backward of the loss at step t alone, run from h_k (its dh0)."""
    d = bptt.unroll(1.2, T=10)
    params = rnn.init_params(1, 8, np.random.default_rng(0), init="orthogonal", scale=1.2)
    w_out = np.random.default_rng(1).uniform(-1.0, 1.0, size=8)
    hs, _ = rnn.forward(d.xs[:, None, None], None, params, "tanh")
    assert_allclose(hs[:, 0], d.hs)
    dhs = ((d.outputs - d.ys)[:, None] * w_out)[:, None, :]  # (T, 1, H) dL_t/dh_t
    for t in (4, 10):
        only = np.zeros_like(dhs)
        only[t - 1] = dhs[t - 1]
        assert np.linalg.norm(dhs[t - 1]) == pytest.approx(d.grads[t - 1, t - 1], rel=1e-12)
        for k in range(1, t):
            tail = rnn.forward(d.xs[k:, None, None], hs[k - 1], params, "tanh")[1]
            _, dh_k, _ = rnn.backward(only[k:], tail)
            assert np.linalg.norm(dh_k) == pytest.approx(d.grads[t - 1, k - 1], rel=1e-10)
    assert np.all(np.triu(d.grads, 1) == 0)


def test_small_scale_vanishes_large_scale_does_not():
    small, large = bptt.unroll(0.5), bptt.unroll(2.0)
    assert small.grads[-1, 0] / small.grads[-1, -1] < 1e-4
    assert large.grads[-1, 0] / large.grads[-1, -1] > 0.1


def test_scrubbing_the_time_step_does_not_recompute(monkeypatch):
    ex = UnrollExplorer(scale=0.5)
    calls = []
    monkeypatch.setattr(bptt, "unroll", lambda *a, **k: calls.append(a) or None)
    seen = []
    for t in (1, 7, 24, 3):
        v = ex.set(t=t)
        seen.append(ex.artists.grads.get_ydata().copy())
        assert len(seen[-1]) == t and v.t == t
        assert ex.artists.cursor.get_x() == t - 0.5
    assert calls == []  # the model stage was memoised
    assert_allclose(seen[1], np.clip(v.data.grads[6, :7], bptt.FLOOR, bptt.CEILING))


def test_unroll_rejects_bad_input():
    with pytest.raises(ValueError, match="scale must be in"):
        bptt.unroll(0.0)
    with pytest.raises(TypeError, match="t must be an int"):
        UnrollExplorer().set(t=2.5)


# -- W_rec and training (precomputed) ----------------------------------------------------------
def test_training_data_is_small_and_loads_without_pickle():
    assert wrec_training.DATA.stat().st_size < 200_000
    runs = wrec_training.load_runs()
    assert_allclose(runs.scales, [0.25, 0.5, 1.0, 2.0, 4.0]) and runs.T == 20
    assert runs.losses.shape == runs.grad_norms.shape == (5, 2, 3, 160)
    assert np.all(np.isfinite(runs.losses)) and runs.steps[-1] == 1600


def test_training_data_is_what_the_script_computes():
    """The early blocks, before chaos can amplify rounding, agree with a fresh run."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "train_wrec.py"
    spec = importlib.util.spec_from_file_location("train_wrec", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    losses, norms = script.run(4.0, 1.0, 0)
    runs = wrec_training.load_runs()
    assert_allclose(losses[:5], runs.losses[4, 1, 0, :5], rtol=1e-6)
    assert_allclose(norms[:5], runs.grad_norms[4, 1, 0, :5], rtol=1e-6)


def test_training_explorer_selects_without_recomputing(monkeypatch):
    ex = TrainingExplorer()
    monkeypatch.setattr(wrec_training, "load_runs", lambda *a: None)
    v = ex.set(scale=3.0, clip="at norm 1")  # a live value between grid points: the nearest, 4
    assert v.scale == 4.0 and v.clip == 1.0
    runs = ex._memo[()]
    assert_allclose(ex.artists.losses[0].get_ydata(), np.clip(runs.losses[4, 1, 0], 1e-3, 1))
    assert ex.artists.threshold.get_visible()
    ex.set(clip="off")
    assert not ex.artists.threshold.get_visible()
    assert ex.artists.norm_text.get_text().endswith("no clipping")


def test_exploding_starts_stay_at_the_baseline():
    runs = wrec_training.load_runs()
    final = runs.losses[..., -10:].mean(axis=-1)  # (scales, clip, seeds)
    assert np.all(final[3:] > 0.07)  # scales 2 and 4: near 1/12 in every seed, clipped or not
    assert np.sum(final[:3] < 0.03) >= 6  # scales <= 1: 8 of the 18 runs learn (< 0.03)
