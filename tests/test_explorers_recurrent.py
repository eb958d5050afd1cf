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


# -- W_rec and training (cached: results "wrec_training") ----------------------------------------
def _train_wrec_script():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "train_wrec.py"
    spec = importlib.util.spec_from_file_location("train_wrec", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_training_data_is_small_and_covers_the_slider_grid():
    from rnnlearn import results

    assert results.path("wrec_training").stat().st_size < 200_000
    runs = wrec_training.load_runs()
    assert_allclose(runs.scales, TrainingExplorer.controls[0].grid(), rtol=0, atol=1e-12)
    assert {0.5, 1.0, 3.0} <= set(runs.scales.tolist())  # the values the chapter names
    assert runs.optimizers == wrec_training.OPTIMIZER_CHOICES and runs.baseline == 0.5
    assert runs.losses.shape == runs.grad_norms.shape == (6, 2, 2, 5, 50)
    assert runs.steps[-1] == 500 and not np.any(np.isnan(runs.losses))
    assert np.all(runs.grad_norms > 0)


def test_training_data_is_what_the_script_computes():
    """Step 1 of every run (no training yet), and the first 80 steps of runs that start at
    rho <= 1, agree with a fresh run to 1e-6 (measured: 4e-10 across BLAS kernels and numpy
    1.23). Runs from rho >= 1.5 are chaotic: their curves part within tens of steps on another
    machine (measured), so only their first step is compared."""
    script = _train_wrec_script()
    data = __import__("rnnlearn").results.load("wrec_training")
    for i, scale in enumerate(script.SCALES):
        for n, seed in enumerate(script.SEEDS):
            loss, norm = script.initial(scale, seed)
            assert_allclose([loss, norm], [data["initial_loss"][i, n],
                                           data["initial_grad_norm"][i, n]], rtol=1e-9)
    for scale, optimizer, clip, seed in ((1.0, "SGD", 0.0, 0), (1.0, "Adam", 1.0, 1),
                                         (0.5, "SGD", 0.0, 2)):
        losses, norms = script.run(scale, optimizer, clip, seed, steps=80)
        index = (script.SCALES.index(scale), script.OPTIMIZERS.index(optimizer),
                 script.CLIPS.index(clip), seed, slice(0, 8))
        assert_allclose(losses, data["losses"][index], rtol=1e-6)
        assert_allclose(norms, data["grad_norms"][index], rtol=1e-6)


def test_training_explorer_selects_without_recomputing(monkeypatch):
    ex = TrainingExplorer()
    monkeypatch.setattr(wrec_training, "load_runs", lambda *a: None)
    v = ex.set(scale=1.4, optimizer="Adam", clip="at norm 1")  # between grid points: 1.5
    assert (v.scale, v.optimizer, v.lr, v.clip) == (1.5, "Adam", 0.01, 1.0)
    runs = ex._memo[()]
    curve = ex.artists.losses.get_segments()[0]  # seed 0: (step, log10 loss)
    assert_allclose(curve, np.column_stack([runs.steps, np.log10(runs.losses[2, 0, 1, 0])]))
    assert_allclose(ex.artists.threshold.get_ydata(), [0.0, 0.0])  # log10 of the threshold 1
    ex.set(clip="off", optimizer="SGD")
    assert len(ex.artists.threshold.get_ydata()) == 0
    assert ex.artists.norm_text.get_text().endswith("no clipping")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        ex.set(optimizer="RMSprop")


def test_blow_ups_are_drawn_at_the_top_with_a_cross():
    from matplotlib.colors import to_rgb

    from rnnlearn.plotting import CYCLE

    ex = TrainingExplorer(scale=3.0, optimizer="SGD", clip="off")
    runs = wrec_training.load_runs()
    raw = runs.losses[5, 1, 0]  # two runs went non-finite (inf in the data)
    assert np.sum(np.isinf(raw[:, -1])) >= 1
    up = wrec_training.blown_up(raw)
    top = np.log10(wrec_training.BLOW_UP)  # the axes hold log10 values
    crosses = ex.artists.blowups.get_offsets()
    assert len(crosses) == up.sum() >= 3
    colours = ex.artists.blowups.get_facecolors()
    for i, (curve, row) in enumerate(zip(ex.artists.losses.get_segments(), raw)):
        y = curve[:, 1]
        assert np.all(np.isfinite(y)) and y.max() <= top
        assert_allclose(y[row <= 1], np.log10(row[row <= 1]))  # on the axis: as measured
        if up[i]:
            first = np.argmax(~(row <= wrec_training.BLOW_UP))
            k = np.flatnonzero(up).tolist().index(i)
            assert_allclose(crosses[k], [runs.steps[first], top]) and y[first] == top
            assert_allclose(colours[k][:3], to_rgb(CYCLE[i]))
    assert ex.artists.blowup_text.get_visible()
    assert ex.artists.blowup_text.get_text() == f"✕ blew up: {up.sum()} of 5"
    assert "NaN" in ex.artists.loss_text.get_text()
    assert ex.artists.norm_text.get_text().startswith("largest ‖∇L‖ ∞")
    assert all(np.all(np.isfinite(c)) for c in ex.artists.norms.get_segments())
    ex.set(clip="at norm 1")  # clipping: no cross, no note
    assert not ex.artists.blowup_text.get_visible()
    assert len(ex.artists.blowups.get_offsets()) == 0


def test_the_facts_the_chapter_quotes():
    """The counts of the module docstring (500 steps, seeds 0-4), asserted with a margin."""
    f = wrec_training.facts()
    big = (2.0, 2.5, 3.0)
    # plain SGD without clipping blows up from large starts (measured 2, 4, 4 of 5) ...
    assert sum(f["SGD", "off", s]["blown_up"] for s in big) >= 8
    assert all(f["SGD", "off", s]["blown_up"] >= 1 for s in big)
    assert sum(f["SGD", "off", s]["norm_1e4"] for s in big) >= 8  # measured 10 of 15
    # ... never from rho <= 1.5, never with Adam, never with clipping (0 of 90)
    assert sum(d["blown_up"] for (opt, clip, s), d in f.items()
               if clip == "at norm 1" or opt == "Adam" or s <= 1.5) == 0
    # too small a start stays at the memoryless baseline: SGD 10 of 10, Adam 8 of 10
    assert f["SGD", "off", 0.5]["baseline"] + f["SGD", "at norm 1", 0.5]["baseline"] == 10
    assert f["Adam", "off", 0.5]["baseline"] + f["Adam", "at norm 1", 0.5]["baseline"] >= 7
    # near 1 trains: Adam learns (< 0.05) in 5 of 5 at rho = 1 (and 4 of 5 at 1.5)
    for clip in wrec_training.CLIP_CHOICES:
        assert f["Adam", clip, 1.0]["learned"] == 5 and f["Adam", clip, 1.5]["learned"] >= 3
    # SGD near 1 gets below 0.15 in 10 of 10 with clipping, 7 of 10 without
    assert f["SGD", "at norm 1", 1.0]["trained"] + f["SGD", "at norm 1", 1.5]["trained"] >= 9
    assert f["SGD", "off", 1.0]["trained"] + f["SGD", "off", 1.5]["trained"] <= 8
    # nothing starting at rho >= 2 learns within 500 steps (0 of 60)
    assert sum(f[o, c, s]["learned"] for o in ("Adam", "SGD")
               for c in wrec_training.CLIP_CHOICES for s in big) == 0
    # the start: gradient norms 100-680 from rho = 3, 0.3-1.0 from rho = 1 (every seed)
    runs = wrec_training.load_runs()
    assert np.all((runs.initial_grad_norm[5] > 90) & (runs.initial_grad_norm[5] < 700))
    assert np.all((runs.initial_grad_norm[1] > 0.25) & (runs.initial_grad_norm[1] < 1.1))
