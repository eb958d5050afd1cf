"""esn: reservoir scaling, the echo state property, ridge read-out, Mackey-Glass prediction."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import esn, tasks


def test_init_scales_the_reservoir_to_the_spectral_radius(rng):
    for radius, density in ((0.9, 1.0), (1.5, 0.2)):
        p = esn.init(60, 3, rng, spectral_radius=radius, density=density, input_scale=0.5,
                     bias_scale=0.1)
        assert {k: v.shape for k, v in p.items()} == {"weight_ih": (60, 3),
                                                      "weight_hh": (60, 60), "bias_ih": (60,)}
        assert np.max(np.abs(np.linalg.eigvals(p["weight_hh"]))) == pytest.approx(radius,
                                                                                  rel=1e-10)
        assert np.abs(p["weight_ih"]).max() <= 0.5 and np.abs(p["bias_ih"]).max() <= 0.1
        nonzero = np.mean(p["weight_hh"] != 0)
        assert abs(nonzero - density) < 0.05


def test_run_follows_the_leaky_update(rng):
    p = esn.init(5, 2, rng, bias_scale=0.3)
    xs, h0 = rng.standard_normal((6, 3, 2)), rng.standard_normal((3, 5))
    states = esn.run(xs, p, h0, leak=0.4, washout=2)
    h, expected = h0, []
    for x in xs:
        h = 0.6 * h + 0.4 * np.tanh(x @ p["weight_ih"].T + h @ p["weight_hh"].T + p["bias_ih"])
        expected.append(h)
    assert states.shape == (4, 3, 5)
    assert_allclose(states, np.array(expected)[2:], rtol=0, atol=1e-14)


@pytest.mark.parametrize("radius, contracts", [(0.5, True), (0.9, True), (1.5, False)])
def test_echo_state_property(radius, contracts):
    """Two different initial states under the same input: within 1e-10 after 1000 steps for
    spectral radius <= 0.9, still apart (> 0.1) at 1.5; three reservoir seeds each."""
    u = tasks.mackey_glass(1000) - 1.0  # (1000, 1, 1)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        p = esn.init(100, 1, rng, spectral_radius=radius, input_scale=1.0, bias_scale=0.2)
        states = esn.run(np.repeat(u, 2, axis=1), p, rng.uniform(-1, 1, (2, 100)))
        gap = np.abs(states[-1, 0] - states[-1, 1]).max()
        assert gap < 1e-10 if contracts else gap > 0.1, (seed, gap)


def test_fit_readout_solves_the_ridge_problem(rng):
    states = rng.standard_normal((40, 2, 6))
    targets = states @ rng.standard_normal((3, 6)).T + np.array([1.0, -2.0, 0.5])
    exact = esn.fit_readout(states, targets, ridge=0.0)
    assert_allclose(esn.predict(states, exact), targets, atol=1e-12)
    ridge = 3.0
    noisy = targets + rng.standard_normal(targets.shape)
    r = esn.fit_readout(states, noisy, ridge)
    # the normal equations of the centred problem, solved independently
    X, Y = states.reshape(80, 6), noisy.reshape(80, 3)
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    W = np.linalg.solve(Xc.T @ Xc + ridge * np.eye(6), Xc.T @ Yc).T
    assert_allclose(r["weight"], W, rtol=1e-10)
    assert_allclose(r["bias"], Y.mean(axis=0) - W @ X.mean(axis=0), rtol=1e-10)


def test_generate_feeds_each_output_back(rng):
    p = esn.init(8, 2, rng)
    readout = {"weight": rng.standard_normal((2, 8)) * 0.1, "bias": np.zeros(2)}
    h, y = rng.standard_normal((3, 8)), rng.standard_normal((3, 2))
    ys = esn.generate(p, readout, h, y, 4, leak=0.5)
    assert ys.shape == (4, 3, 2) and np.array_equal(ys[0], y)
    for k in range(1, 4):
        h = esn.run(ys[k - 1][None], p, h, leak=0.5)[0]
        assert_allclose(ys[k], esn.predict(h[None], readout)[0], atol=1e-14)


def test_nrmse():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert esn.nrmse(y, y) == 0.0
    assert esn.nrmse(np.full(4, 2.5), y) == pytest.approx(1.0)
    assert esn.nrmse(y + 0.5, y, variance=0.25) == pytest.approx(1.0)


def test_mackey_glass_84_step_prediction():
    """Jaeger & Haas (2004)'s task with 500 units: teacher-forced one-step training on 2500
    samples, then from 95 starting points in the unseen part a closed-loop run of 84 steps;
    NRMSE_84 < 0.02 for every one of three reservoir seeds (measured 1e-3 to 5e-3 over
    twelve seeds)."""
    u = tasks.mackey_glass(5000)[:, 0, 0] - 1.0
    variance = u.var()
    starts = np.arange(2600, len(u) - 90, 25)  # 95 forecasts, none overlapping the training
    for seed in range(3):
        p = esn.init(500, 1, np.random.default_rng(seed), spectral_radius=0.9,
                     input_scale=1.0, bias_scale=0.2)
        states = esn.run(u[:-1, None, None], p)  # states[t] has seen u_0..u_t
        readout = esn.fit_readout(states[200:2500], u[201:2501, None, None], ridge=1e-8)
        h = states[starts - 1, 0]  # (95, 500)
        ys = esn.generate(p, readout, h, esn.predict(h[None], readout)[0], 84)
        error = esn.nrmse(ys[83, :, 0], u[starts + 83], variance)
        assert error < 0.02, (seed, error)


@pytest.mark.parametrize("call, error, message", [
    (lambda r: esn.init(10, 1, r, spectral_radius=-1.0), ValueError, "spectral_radius must be"),
    (lambda r: esn.init(10, 1, r, density=0.0), ValueError, r"density must be in \(0.0, 1.0\]"),
    (lambda r: esn.init(10.0, 1, r), TypeError, "N must be an int"),
    (lambda r: esn.run(np.zeros((5, 2)), esn.init(4, 1, r)), ValueError,
     r"xs must have shape \(T, B, D\); got \(5, 2\)"),
    (lambda r: esn.run(np.zeros((5, 1, 2)), esn.init(4, 1, r)), ValueError,
     r"params\['weight_ih'\] must have shape \(N, D\) with N = 4, D = 2; got \(4, 1\)"),
    (lambda r: esn.run(np.zeros((5, 1, 1)), esn.init(4, 1, r), leak=0.0), ValueError,
     r"leak must be in \(0.0, 1.0\]"),
    (lambda r: esn.run(np.zeros((5, 1, 1)), esn.init(4, 1, r), washout=5), ValueError,
     r"washout must be an int in \[0, 4\]; got 5"),
    (lambda r: esn.fit_readout(np.zeros((5, 1, 3)), np.zeros((4, 1, 1))), ValueError,
     r"targets must have shape \(T, B, O\) with T = 5, B = 1; got \(4, 1, 1\)"),
])
def test_bad_input_gives_clear_errors(call, error, message, rng):
    with pytest.raises(error, match=message):
        call(rng)
