"""The chapter "descent" explorers: their compute functions' numbers and their artists."""
import numpy as np
import pytest
from matplotlib.colors import to_hex
from numpy.testing import assert_allclose

from rnnlearn import optim, rates
from rnnlearn.explorers import QuadraticExplorer, RaceExplorer
from rnnlearn.explorers import descent
from rnnlearn.plotting import PALETTE


# -- quadratic_run ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kappa", descent.KAPPAS)
def test_bowls_have_the_chosen_condition_number_and_tilt(kappa):
    bowl = descent.BOWLS[kappa]
    assert bowl.L == pytest.approx(1.0) and bowl.kappa == pytest.approx(float(kappa))
    flat = np.array([np.cos(descent.ROTATION), np.sin(descent.ROTATION)])
    assert_allclose(bowl.A @ flat, bowl.mu * flat, atol=1e-15)  # mu along the tilted axis


@pytest.mark.parametrize(
    "alpha, beta, kappa", [(0.5, 0.0, "100"), (1.41, 0.6, "10"), (2.83, 0.9, "100"), (4.0, 0.3, "1")]
)
def test_quadratic_run_theory_is_momentum_rate(alpha, beta, kappa):
    d = descent.quadratic_run(alpha, beta, kappa)
    bowl = descent.BOWLS[kappa]
    assert d.theory_rate == rates.momentum_rate(alpha, beta, bowl.eigenvalues)
    assert d.limit == pytest.approx((2 + 2 * beta) / bowl.L)
    assert_allclose(d.ws[0], descent.START)
    assert d.errors[0] == 1.0
    assert_allclose(d.errors, np.linalg.norm(d.ws, axis=1) / np.linalg.norm(descent.START))


def test_quadratic_run_with_beta_zero_is_gradient_descent():
    d = descent.quadratic_run(1.0, 0.0, "10")
    plain = optim.run(descent.BOWLS["10"], descent.START, optim.SGD(1.0), 150)
    assert_allclose(d.ws, plain.ws, rtol=0, atol=0)
    assert d.theory_rate == pytest.approx(rates.gd_rate(1.0, 0.1, 1.0))  # 1 - alpha mu = 0.9
    assert d.measured_rate == pytest.approx(0.9, rel=1e-6)


def test_quadratic_run_measured_rate_matches_theory_at_the_momentum_optimum():
    bowl = descent.BOWLS["100"]
    alpha, beta, rate = rates.momentum_optimal(bowl.mu, bowl.L)
    d = descent.quadratic_run(alpha, beta, "100", steps=150)
    assert d.diverged_at is None and d.theory_rate == pytest.approx(rate, rel=1e-6)
    assert d.measured_rate == pytest.approx(rate, rel=0.02)


def test_quadratic_run_diverges_past_the_limit_and_stays_finite():
    below = descent.quadratic_run(1.9, 0.0, "100")  # 1.9 < 2 / L
    above = descent.quadratic_run(2.1, 0.0, "100")  # 2.1 > 2 / L
    assert below.diverged_at is None and above.diverged_at is not None
    assert len(above.ws) == len(above.errors) == above.diverged_at
    assert np.all(np.isfinite(above.ws)) and np.all(np.isfinite(above.errors))
    # momentum moves the limit to (2 + 2 beta) / L: the same step converges with beta = 0.3
    assert descent.quadratic_run(2.1, 0.3, "100").diverged_at is None


def test_quadratic_run_rejects_unknown_kappa():
    with pytest.raises(ValueError, match=r"kappa must be one of \['1', '10', '100'\]; got '5'"):
        descent.quadratic_run(1.0, 0.0, "5")


# -- QuadraticExplorer ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quad():
    return QuadraticExplorer()


def test_quadratic_explorer_moves_its_artists(quad):
    d = quad.set(alpha="1", beta="0.6", kappa="10")
    assert (d.alpha, d.beta) == (1.0, 0.6)
    assert_allclose(np.column_stack(quad.artists.path.get_data()), d.ws)
    assert_allclose(quad.artists.error.get_ydata(), np.maximum(d.errors, descent.FLOOR))
    ks = quad.artists.theory.get_xdata()
    eigenvalues = descent.BOWLS["10"].eigenvalues
    assert_allclose(quad.artists.theory.get_ydata(),
                    np.clip(rates.momentum_rate(1.0, 0.6, eigenvalues) ** ks, descent.FLOOR, 1e8))
    quad.image()  # the background for kappa = 10 shows that bowl's contours only
    assert quad.background_key(d) == "10"
    assert [k for k, c in quad.artists.contours.items() if c.get_visible()] == ["10"]
    assert f"theory {d.theory_rate:.3f}" in quad.artists.status.get_text()
    assert "(2 + 2β)/L = 3.2" in quad.artists.limit_text.get_text()
    ten = np.asarray(quad.image()).copy()
    quad.set(kappa="1")
    one = np.asarray(quad.image()).copy()
    assert [k for k, c in quad.artists.contours.items() if c.get_visible()] == ["1"]
    width = ten.shape[1]
    assert not np.array_equal(ten[:, : width // 2], one[:, : width // 2])  # other contours


def test_quadratic_explorer_marks_divergence_in_vermillion_at_the_top_of_the_grid(quad):
    d = quad.set(alpha="4", beta="0.9", kappa="100")  # 4 > (2 + 2 * 0.9) / 1
    assert d.diverged_at is not None
    assert quad.artists.status.get_text().startswith(f"diverged at step {d.diverged_at}")
    assert to_hex(quad.artists.status.get_color()) == PALETTE["vermillion"].lower()
    assert len(quad.artists.path.get_xdata()) == d.diverged_at
    for arr in quad.plotted_data():
        assert np.all(np.isfinite(arr))


def test_quadratic_explorer_at_the_bottom_of_the_grid_crawls_without_diverging(quad):
    d = quad.set(alpha="0.5", beta="0", kappa="100")
    assert d.diverged_at is None and 0.99 < d.theory_rate < 1  # 1 - alpha mu = 0.995
    assert to_hex(quad.artists.status.get_color()) == PALETTE["black"]
    assert d.errors[-1] > 0.3  # after 150 steps it has not even reduced the error threefold


def test_quadratic_explorer_grid_holds_the_gd_limit_and_both_optima():
    alpha, beta, kappa = QuadraticExplorer.controls
    assert {"1", "2", "2/(μ+L)", "α*"} <= set(alpha.grid()) and beta.grid()[0] == "0"
    assert "β*" in beta.grid() and kappa.grid() == list(descent.KAPPAS)
    assert np.prod([len(c.grid()) for c in QuadraticExplorer.controls]) <= 130


@pytest.mark.parametrize("kappa", descent.KAPPAS)
def test_named_grid_values_are_the_optima_for_each_kappa(kappa):
    bowl = descent.BOWLS[kappa]
    best = rates.momentum_optimal(bowl.mu, bowl.L)
    assert descent.resolve("α*", "β*", kappa) == (best.lr, best.beta)
    assert descent.resolve("2/(μ+L)", "0", kappa) == (rates.gd_optimal(bowl.mu, bowl.L).lr, 0.0)
    assert descent.resolve("2.83", "0.3", kappa) == (2.83, 0.3)


def test_quadratic_explorer_reaches_the_headline_rate_9_over_11(quad):
    d = quad.set(alpha="α*", beta="β*", kappa="100")
    assert abs(d.theory_rate - 9 / 11) < 1e-3 and d.diverged_at is None
    assert d.alpha == pytest.approx(4 / 121 * 100) and d.beta == pytest.approx(81 / 121)
    assert "theory 0.818" in quad.artists.status.get_text()
    # the repeated root makes the measured rate a little slower over 150 steps, never faster
    assert 9 / 11 < d.measured_rate < 9 / 11 + 0.02
    assert "α = 3.31, β = 0.669" in quad.artists.limit_text.get_text()
    gd = quad.set(alpha="2/(μ+L)", beta="0")
    assert f"{gd.theory_rate:.3f}" == "0.980"  # (kappa - 1) / (kappa + 1) = 99/101


def test_quadratic_explorer_optimum_for_kappa_1_is_one_step_gradient_descent(quad):
    d = quad.set(alpha="α*", beta="β*", kappa="1")
    assert (d.alpha, d.beta) == (1.0, 0.0) and d.errors[1] < 1e-15


# -- race -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start", descent.STARTS)
def test_race_trajectories_start_at_the_chosen_start(start):
    d = descent.race(1.0, start)
    for track, runs, w0 in zip(descent.TRACKS, d.runs, d.starts):
        assert_allclose(w0, track.starts[start])
        assert len(runs) == len(descent.RACERS)
        for run in runs:
            assert_allclose(run.ws[0], track.starts[start])
            assert np.all(np.isfinite(run.ws))


def test_race_uses_each_racers_learning_rate_times_the_scale():
    d = descent.race(0.3, "left", steps=20)
    track = descent.TRACKS[0]
    expected = optim.run(track.landscape, np.array(track.starts["left"]), optim.Adam(0.3 * track.lrs[4]), 20)
    assert_allclose(d.runs[0][4].ws, expected.ws)


def test_race_rejects_unknown_start():
    with pytest.raises(ValueError, match=r"start must be one of \['left', 'top', 'right'\]; got 'middle'"):
        descent.race(1.0, "middle")


def test_racer_label():
    run = optim.run(descent.TRACKS[1].landscape, np.array([1.6, 1.2]), optim.SGD(0.05), 200)
    assert descent.racer_label("SGD", run, descent.TRACKS[1].landscape.f_min) == "SGD: f − f* = 6.0e-01"  # local well
    blown = optim.run(descent.TRACKS[0].landscape, np.array([1.8, 0.5]), optim.SGD(0.01), 200)
    assert descent.racer_label("SGD", blown, 0.0) == f"SGD: diverged at step {blown.diverged_at}"


# -- RaceExplorer -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def racer():
    return RaceExplorer()


def test_race_explorer_moves_its_artists(racer):
    d = racer.set(scale=1.0, start="left")
    for runs, paths, ends, mark, w0 in zip(d.runs, racer.artists.paths, racer.artists.ends, racer.artists.start_marks, d.starts):
        assert_allclose(np.column_stack(mark.get_data()), [w0])
        for run, path, end in zip(runs, paths, ends):
            assert_allclose(np.column_stack(path.get_data()), run.ws)
            assert_allclose(np.column_stack(end.get_data()), run.ws[-1:])
    before = [p.get_xydata().copy() for p in racer.artists.paths[0]]
    racer.set(start="top")
    assert all(not np.array_equal(b, p.get_xydata()) for b, p in zip(before, racer.artists.paths[0]))


def test_race_explorer_flags_diverged_racers_in_the_legend_at_the_top_of_the_scale(racer):
    d = racer.set(scale=RaceExplorer.controls[0].hi, start="right")
    texts = [t for legend in racer.artists.legends for t in legend.get_texts()]
    runs = [run for runs in d.runs for run in runs]
    assert any(run.diverged for run in runs) and not all(run.diverged for run in runs)
    for run, text in zip(runs, texts):
        assert ("diverged at step" in text.get_text()) == run.diverged
        colour = PALETTE["vermillion"] if run.diverged else PALETTE["black"]
        assert to_hex(text.get_color()) == colour.lower()


def test_race_explorer_at_the_bottom_of_the_scale_nobody_diverges(racer):
    d = racer.set(scale=RaceExplorer.controls[0].lo, start="left")
    assert not any(run.diverged for runs in d.runs for run in runs)
    texts = [t.get_text() for legend in racer.artists.legends for t in legend.get_texts()]
    assert all("f − f* =" in t for t in texts)


def test_race_momentum_escapes_the_shallow_well_where_sgd_stays():
    d = descent.race(1.0, "right")
    well = descent.TRACKS[1].landscape
    sgd, momentum = d.runs[1][0], d.runs[1][1]
    assert_allclose(sgd.ws[-1], well.minima[1], atol=1e-3)  # the shallow (local) well
    assert_allclose(momentum.ws[-1], well.minima[0], atol=1e-3)  # the deep (global) well
