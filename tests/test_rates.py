"""Theory of rnnlearn.rates against runs of rnnlearn.optim on Quadratic.spread(1, 100, ...).

The numbers asserted here are quoted in the chapter "descent".
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import optim, rates
from rnnlearn.landscapes import Quadratic

MU, L = 1.0, 100.0
QUAD = Quadratic.spread(MU, L, dim=10)  # eigenvalues 1, 12, 23, ..., 100 along the axes
W0 = np.ones(10)  # a component along every eigenvector


def distances(trajectory):
    """||w_k - w*|| for every iterate (the minimiser is the origin)."""
    return np.linalg.norm(trajectory.ws, axis=1)


def test_gd_rate_formulas():
    assert rates.gd_rate(0.01, MU, L) == pytest.approx(0.99)
    assert rates.gd_rate(0.0195, [1.0, 50.0, 100.0]) == pytest.approx(0.9805)  # mu decides
    assert rates.gd_rate(0.0199, [1.0, 50.0, 100.0]) == pytest.approx(0.99)  # L decides
    assert_allclose(rates.gd_rate(np.array([0.0, 0.01, 0.03]), MU, L), [1.0, 0.99, 2.0])
    assert rates.gd_stability_limit(L) == 0.02
    alpha, rate = rates.gd_optimal(MU, L)
    assert (alpha, rate) == (pytest.approx(2 / 101), pytest.approx(99 / 101))
    assert rates.gd_rate(alpha, MU, L) == pytest.approx(rate, rel=1e-15)
    assert rates.gd_rate(alpha * 1.01, MU, L) > rate < rates.gd_rate(alpha * 0.99, MU, L)


def test_momentum_rate_is_the_spectral_radius_of_the_iteration_matrix(rng):
    alpha, beta = rng.uniform(0, 0.05, size=20), rng.uniform(0, 1, size=20)
    radius = np.abs(np.linalg.eigvals(rates.momentum_matrix(alpha[:, None], beta[:, None], QUAD.eigenvalues)))
    assert_allclose(rates.momentum_rate(alpha, beta, QUAD.eigenvalues), radius.max(axis=(-2, -1)), rtol=1e-10)
    assert rates.momentum_rate(0.01, 0.0, [MU, L]) == pytest.approx(rates.gd_rate(0.01, MU, L))


def test_momentum_stable_agrees_with_the_rate():
    alpha, beta = np.meshgrid(np.linspace(0.001, 0.05, 77), np.linspace(0.0, 0.99, 67))
    for lam in (MU, 37.0, L):
        assert np.array_equal(rates.momentum_stable(alpha, beta, lam),
                              rates.momentum_rate(alpha, beta, [lam]) < 1)
    assert rates.momentum_stable(0.039, 0.99, L) and not rates.momentum_stable(0.04, 0.99, L)
    assert not rates.momentum_stable(0.01, 1.0, L)


def test_momentum_optimal():
    alpha, beta, rate = rates.momentum_optimal(MU, L)
    assert (alpha, beta, rate) == (pytest.approx(4 / 121), pytest.approx(81 / 121), pytest.approx(9 / 11))
    assert rates.momentum_rate(alpha, beta, QUAD.eigenvalues) == pytest.approx(rate, rel=1e-7)
    grid = rates.momentum_rate(alpha * np.array([0.97, 1.0, 1.03])[:, None],
                               beta * np.array([0.97, 1.0, 1.03]), [MU, L])
    assert grid.argmin() == 4  # the centre of the 3 x 3 neighbourhood


def test_gradient_descent_converges_just_below_2_over_L_and_diverges_just_above():
    below = optim.run(QUAD, W0, optim.SGD(0.995 * 2 / L), 3000)
    assert not below.diverged and below.losses[-1] < 1e-10 * below.losses[0]
    above = optim.run(QUAD, W0, optim.SGD(1.005 * 2 / L), 3000)
    assert above.diverged
    # f_k ~ 1/2 L |1 - alpha L|^(2k) once the other directions have died out; the run stops at
    # the first k where that exceeds 1e6 f(w0)
    growth = abs(1 - 1.005 * 2)
    assert above.diverged_at == int(np.ceil(np.log(1e6 * QUAD(W0) / (0.5 * L)) / (2 * np.log(growth))))
    assert above.diverged_at == 776


@pytest.mark.parametrize("alpha", [1 / L, 2 / (MU + L), 1.99 / L])
def test_measured_gd_rate_matches_theory(alpha):
    trajectory = optim.run(QUAD, W0, optim.SGD(alpha), 1500)
    theory = rates.gd_rate(alpha, MU, L)
    assert rates.measured_rate(distances(trajectory)) == pytest.approx(theory, rel=1e-3)
    assert rates.measured_rate(trajectory.losses, squared=True) == pytest.approx(theory, rel=1e-3)


def test_measured_momentum_rate_matches_theory_at_the_optimum():
    alpha, beta, rate = rates.momentum_optimal(MU, L)
    trajectory = optim.run(QUAD, W0, optim.Momentum(alpha, beta), 400)
    measured = rates.measured_rate(distances(trajectory))
    assert measured == pytest.approx(rate, rel=0.02)
    assert measured > rate  # the double roots at mu and L add a factor k: slightly slower


def modal_distances(alpha, beta, quadratic, w0, steps):
    """||w_k - w*|| from theory alone: each eigen-direction follows its 2x2 momentum matrix."""
    Q = np.linalg.eigh(quadratic.A)[1]
    x0 = Q.T @ (w0 - quadratic.center)  # coordinates along the eigenvectors
    R = rates.momentum_matrix(alpha, beta, np.linalg.eigvalsh(quadratic.A))  # (dim, 2, 2)
    state = np.stack([np.zeros_like(x0), x0], axis=-1)  # (dim, 2): z_0 = 0, x_0
    out = [np.linalg.norm(x0)]
    for _ in range(steps):
        state = np.einsum("nij,nj->ni", R, state)
        out.append(np.linalg.norm(state[:, 1]))
    return np.array(out)


def count(errors, tol=1e-8):
    return optim.steps_to_tolerance(errors, 0.0, tol=tol)


@pytest.mark.parametrize("dim", [2, 10])
def test_step_counts_match_the_modal_theory(dim, rng):
    Q = np.linalg.qr(rng.normal(size=(dim, dim)))[0]  # eigenvectors not along the axes
    quadratic = Quadratic(np.linspace(MU, L, dim), rotation=Q, center=rng.normal(size=dim))
    w0 = quadratic.center + rng.normal(size=dim)
    gd_alpha = rates.gd_optimal(MU, L).alpha
    momentum = rates.momentum_optimal(MU, L)
    for alpha, beta in ((gd_alpha, 0.0), (momentum.alpha, momentum.beta)):  # beta = 0 is GD
        trajectory = optim.run(quadratic, w0, optim.Momentum(alpha, beta), 1200)
        measured = np.linalg.norm(trajectory.ws - quadratic.center, axis=1)
        theory = modal_distances(alpha, beta, quadratic, w0, 1200)
        assert_allclose(measured, theory, rtol=1e-9, atol=1e-13)  # atol: rounding near w*
        assert count(measured) == count(theory)


def test_step_counts_to_1e_minus_8_gd_versus_momentum():
    quadratic = Quadratic.spread(MU, L, dim=2)
    w0 = np.ones(2)
    gd_alpha, gd_rate = rates.gd_optimal(MU, L)
    alpha, beta, momentum_rate = rates.momentum_optimal(MU, L)
    gd = count(distances(optim.run(quadratic, w0, optim.SGD(gd_alpha), 2000)))
    momentum = count(distances(optim.run(quadratic, w0, optim.Momentum(alpha, beta), 2000)))
    gd_predicted = np.log(1e-8) / np.log(gd_rate)  # 921.0
    momentum_predicted = np.log(1e-8) / np.log(momentum_rate)  # 91.8
    # GD: both end directions shrink by exactly gd_rate per step, so the prediction is exact.
    assert gd == np.ceil(gd_predicted) == 922
    # Momentum: mu and L are double roots, so the error is (a + b k) rate^k; the factor k costs
    # log(b k) / -log(rate), about 25 steps here, on top of the simple prediction.
    assert momentum == 117
    assert momentum_predicted < momentum < 1.3 * momentum_predicted
    ks = np.arange(200)  # the closed form for this start: b = 2/11 at mu and 20/11 at L
    closed_form = momentum_rate**ks * np.sqrt(((1 + 2 * ks / 11) ** 2 + (1 + 20 * ks / 11) ** 2) / 2)
    assert momentum == count(closed_form)
    assert gd > 7 * momentum


@pytest.mark.parametrize("call, message", [
    (lambda: rates.gd_rate(0.1, 2.0, 1.0), "mu must be <= L; got mu=2.0, L=1.0"),
    (lambda: rates.gd_rate(0.1, [-1.0, 2.0]), r"eigenvalues must be a non-empty 1-D array of finite values >= 0; got \[-1.  2.\]"),
    (lambda: rates.gd_stability_limit(0.0), "L must be a finite number > 0; got 0.0"),
    (lambda: rates.gd_optimal(0.0, 1.0), "need 0 < mu <= L < inf; got mu=0.0, L=1.0"),
    (lambda: rates.momentum_optimal(2.0, 1.0), "need 0 < mu <= L < inf; got mu=2.0, L=1.0"),
    (lambda: rates.momentum_rate(0.1, 0.5, []), r"eigenvalues must be a non-empty 1-D array of finite values >= 0; got \[\]"),
    (lambda: rates.measured_rate([1.0, 0.5]), r"errors must have shape \(k \+ 1,\) with k >= 2; got \(2,\)"),
    (lambda: rates.measured_rate([1.0, 0.5, 0.25], tail=0.0), r"tail must be in \(0, 1\]; got 0.0"),
    (lambda: rates.measured_rate([1.0, 0.5, 0.0]), "errors must be finite and > 0 over the tail"),
])
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_measured_rate_uses_the_tail():
    errors = np.concatenate([0.5 ** np.arange(10), 0.5**9 * 0.9 ** np.arange(1, 11)])  # k = 0..19
    assert rates.measured_rate(errors, tail=0.5) == pytest.approx(0.9)
    assert rates.measured_rate(errors, tail=1.0) == pytest.approx((0.5**9 * 0.9**10) ** (1 / 19))
    assert rates.measured_rate(errors**2, squared=True) == pytest.approx(0.9)


# -- peak_rate ---------------------------------------------------------------------------------
def test_peak_rate_is_exact_on_a_geometric_sequence():
    assert rates.peak_rate(0.9 ** np.arange(151)) == pytest.approx(0.9, rel=1e-12)
    assert rates.peak_rate(1.05 ** np.arange(40)) == pytest.approx(1.05, rel=1e-12)


def test_peak_rate_sees_through_oscillation_and_zero_crossings():
    k = np.arange(151)
    oscillating = 0.95**k * np.abs(np.cos(0.7 * k))  # complex roots of modulus 0.95
    assert rates.peak_rate(oscillating) == pytest.approx(0.95, rel=5e-3)
    assert rates.peak_rate(0.9 ** np.arange(151)) != pytest.approx(rates.peak_rate(oscillating))
    crossing = 0.8**k
    crossing[1] = 0.0  # passes through w* once, then comes back
    assert rates.peak_rate(crossing) == pytest.approx(0.8, rel=1e-12)


def test_peak_rate_ignores_rounding_level_and_is_zero_for_one_step_convergence():
    errors = np.concatenate([0.1 ** np.arange(12), np.full(50, 1e-17)])
    assert rates.peak_rate(errors) == pytest.approx(0.1, rel=1e-9)
    assert rates.peak_rate(np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])) == 0.0


def test_peak_rate_rejects_bad_input():
    with pytest.raises(ValueError, match="errors must be a 1-D array of finite values >= 0"):
        rates.peak_rate(np.array([1.0, np.nan, 0.5]))


def test_the_learning_rate_is_called_lr():
    best = rates.gd_optimal(MU, L)
    assert best.lr == best.alpha == 2 / (MU + L)  # .alpha: the formulas' name, kept as an alias
    momentum = rates.momentum_optimal(MU, L)
    assert momentum.lr == momentum.alpha == momentum[0]
    assert rates.gd_rate(lr=best.lr, mu=MU, L=L) == best.rate
    assert rates.momentum_rate(lr=momentum.lr, beta=momentum.beta, eigenvalues=[MU, L]) == \
        pytest.approx(momentum.rate)
    assert rates.momentum_stable(lr=momentum.lr, beta=momentum.beta, lam=L)
    assert rates.momentum_matrix(lr=0.1, beta=0.5, lam=1.0).shape == (2, 2)
