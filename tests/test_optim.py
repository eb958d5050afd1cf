
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import optim
from rnnlearn.landscapes import DoubleWell, Quadratic, Quartic, Rosenbrock


def two_steps(optimizer, w=(1.0, -2.0), grads=((0.5, -1.0), (0.25, 3.0))):
    """Apply two steps with fixed gradients; return the iterates after each."""
    params = {"w": np.array(w)}
    iterates = []
    for g in grads:
        optimizer.step(params, {"w": np.array(g)})
        iterates.append(params["w"].copy())
    return iterates


def test_sgd_step():
    w1, w2 = two_steps(optim.SGD(0.1))
    assert_allclose(w1, [1.0 - 0.05, -2.0 + 0.1])
    assert_allclose(w2, w1 - 0.1 * np.array([0.25, 3.0]))


def test_momentum_is_goh_heavy_ball():
    w1, w2 = two_steps(optim.Momentum(0.1, beta=0.5))
    z1 = np.array([0.5, -1.0])
    z2 = 0.5 * z1 + np.array([0.25, 3.0])
    assert_allclose(w1, np.array([1.0, -2.0]) - 0.1 * z1)
    assert_allclose(w2, w1 - 0.1 * z2)


def test_nesterov_iterates_are_the_look_ahead_points_of_the_classical_form(rng):
    q = Quadratic([1.0, 10.0], rotation=0.4, center=[0.5, -1.0])
    alpha, beta = 0.05, 0.8
    trajectory = optim.run(q, np.array([2.0, 1.0]), optim.Nesterov(alpha, beta), 50)
    w, v = np.array([2.0, 1.0]), np.zeros(2)  # v <- beta v - alpha grad f(w + beta v); w <- w + v
    for k in range(1, 51):
        v = beta * v - alpha * q.grad(w + beta * v)
        w = w + v
        assert_allclose(trajectory.ws[k], w + beta * v, rtol=1e-12, atol=1e-14)


def test_adagrad_steps():
    w1, w2 = two_steps(optim.Adagrad(0.1, eps=1e-8))
    g1, g2 = np.array([0.5, -1.0]), np.array([0.25, 3.0])
    assert_allclose(w1, np.array([1.0, -2.0]) - 0.1 * g1 / (np.abs(g1) + 1e-8))
    assert_allclose(w2, w1 - 0.1 * g2 / (np.sqrt(g1**2 + g2**2) + 1e-8))


def test_rmsprop_steps():
    w1, w2 = two_steps(optim.RMSprop(0.1, decay=0.9, eps=1e-8))
    g1, g2 = np.array([0.5, -1.0]), np.array([0.25, 3.0])
    s1 = 0.1 * g1**2
    s2 = 0.9 * s1 + 0.1 * g2**2
    assert_allclose(w1, np.array([1.0, -2.0]) - 0.1 * g1 / (np.sqrt(s1) + 1e-8))
    assert_allclose(w2, w1 - 0.1 * g2 / (np.sqrt(s2) + 1e-8))


def test_adam_steps_with_bias_correction():
    w1, w2 = two_steps(optim.Adam(0.1, beta1=0.9, beta2=0.999, eps=1e-8))
    g1, g2 = np.array([0.5, -1.0]), np.array([0.25, 3.0])
    assert_allclose(w1, np.array([1.0, -2.0]) - 0.1 * np.sign(g1), rtol=1e-7)  # first step: lr * sign
    m2 = (0.9 * 0.1 * g1 + 0.1 * g2) / (1 - 0.9**2)
    v2 = (0.999 * 0.001 * g1**2 + 0.001 * g2**2) / (1 - 0.999**2)
    assert_allclose(w2, w1 - 0.1 * m2 / (np.sqrt(v2) + 1e-8))


def test_repr_names_the_hyper_parameters():
    assert repr(optim.Momentum(0.1, beta=0.9)) == "Momentum(lr=0.1, beta=0.9)"
    assert repr(optim.make("adam", lr=0.01)) == "Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)"


def test_state_is_keyed_like_params_and_reset_forgets_it():
    optimizer = optim.Adam(0.1)
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    optimizer.step(params, {"W": np.ones((2, 3)), "b": np.ones(3)})
    assert optimizer.state.keys() == params.keys()
    assert optimizer.state["W"]["m"].shape == (2, 3) and optimizer.state["b"]["k"] == 1
    optimizer.reset()
    assert optimizer.state == {}


OPTIMIZER_SETTINGS = {
    "sgd": dict(lr=0.15), "momentum": dict(lr=0.1, beta=0.5), "nesterov": dict(lr=0.1, beta=0.5),
    "adagrad": dict(lr=1.0), "rmsprop": dict(lr=0.01), "adam": dict(lr=0.05),
}


@pytest.mark.parametrize("name", optim.OPTIMIZERS)
def test_every_optimizer_finds_the_minimum_of_a_quadratic(name):
    q = Quadratic([1.0, 10.0], rotation=0.3, center=[1.0, -0.5])
    optimizer = optim.make(name, **OPTIMIZER_SETTINGS[name])
    assert isinstance(optimizer, optim.OPTIMIZERS[name])
    trajectory = optim.run(q, np.array([-1.0, 1.0]), optimizer, 2000)
    assert not trajectory.diverged
    assert_allclose(trajectory.ws[-1], q.center, atol=1e-2 if name == "rmsprop" else 1e-6)


@pytest.mark.parametrize("make, error, message", [
    (lambda: optim.SGD(0.0), ValueError, r"lr must be in \(0.0, inf\); got 0.0"),
    (lambda: optim.SGD(-0.1), ValueError, r"lr must be in \(0.0, inf\); got -0.1"),
    (lambda: optim.SGD(float("nan")), ValueError, r"lr must be in \(0.0, inf\); got nan"),
    (lambda: optim.SGD("0.1"), TypeError, "lr must be a real number; got str"),
    (lambda: optim.Momentum(0.1, beta=1.0), ValueError, r"beta must be in \[0.0, 1.0\); got 1.0"),
    (lambda: optim.Nesterov(0.1, beta=-0.1), ValueError, r"beta must be in \[0.0, 1.0\); got -0.1"),
    (lambda: optim.Adagrad(0.1, eps=0.0), ValueError, r"eps must be in \(0.0, inf\); got 0.0"),
    (lambda: optim.RMSprop(0.1, decay=1.5), ValueError, r"decay must be in \[0.0, 1.0\); got 1.5"),
    (lambda: optim.Adam(0.1, beta1=1.0), ValueError, r"beta1 must be in \[0.0, 1.0\); got 1.0"),
    (lambda: optim.Adam(0.1, beta2=-1), ValueError, r"beta2 must be in \[0.0, 1.0\); got -1"),
    (lambda: optim.make("lbfgs", lr=0.1), ValueError, r"optimizer must be one of \['adagrad', .*\]; got 'lbfgs'"),
])
def test_bad_hyper_parameters_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_step_rejects_mismatched_grads():
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}
    with pytest.raises(ValueError, match=r"grads must have the keys of params \['W', 'b'\]; got \['W'\]"):
        optim.SGD(0.1).step(params, {"W": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"grads\['b'\] must have the shape of params\['b'\] \(2,\); got \(1, 2\)"):
        optim.SGD(0.1).step(params, {"W": np.ones((2, 2)), "b": np.ones((1, 2))})


def test_clip_by_global_norm_rescales_all_gradients_together():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, total = optim.clip_by_global_norm(grads, 1.0)
    assert total == pytest.approx(5.0)
    assert_allclose(clipped["a"], [0.6, 0.0])
    assert_allclose(clipped["b"], [[0.8]])
    assert_allclose(grads["a"], [3.0, 0.0])  # input untouched


def test_clip_by_global_norm_leaves_small_gradients_alone_in_new_arrays():
    grads = {"a": np.array([0.3, 0.4]), "z": np.zeros(3)}
    clipped, total = optim.clip_by_global_norm(grads, 1.0)
    assert total == pytest.approx(0.5)
    assert all(np.array_equal(clipped[k], grads[k]) and clipped[k] is not grads[k] for k in grads)
    clipped["a"][0] = 7.0
    assert grads["a"][0] == 0.3
    _, zero = optim.clip_by_global_norm({"z": np.zeros(3)}, 1.0)
    assert zero == 0.0


def test_clip_by_value():
    grads = {"a": np.array([-3.0, 0.5, 2.0])}
    assert_allclose(optim.clip_by_value(grads, 1.0)["a"], [-1.0, 0.5, 1.0])
    assert_allclose(grads["a"], [-3.0, 0.5, 2.0])
    with pytest.raises(ValueError, match=r"limit must be in \(0.0, inf\); got -1.0"):
        optim.clip_by_value(grads, -1.0)
    with pytest.raises(ValueError, match=r"max_norm must be in \(0.0, inf\); got 0"):
        optim.clip_by_global_norm(grads, 0)


def test_run_of_gradient_descent_on_a_quadratic_is_the_closed_form():
    q = Quadratic([1.0, 4.0], rotation=0.7)
    w0, alpha = np.array([1.0, 2.0]), 0.1
    trajectory = optim.run(q, w0, optim.SGD(alpha), 30)
    assert trajectory.ws.shape == (31, 2) and trajectory.losses.shape == (31,)
    step = np.eye(2) - alpha * q.A
    for k in (0, 1, 30):
        assert_allclose(trajectory.ws[k], np.linalg.matrix_power(step, k) @ w0, rtol=1e-12)
    assert_allclose(trajectory.losses, q(trajectory.ws), rtol=1e-14)
    assert not trajectory.diverged and trajectory.diverged_at is None


@pytest.mark.parametrize("w0", [1.5, np.array([1.5])])
def test_run_on_a_one_dimensional_landscape(w0):
    well = DoubleWell(0.3)
    trajectory = optim.run(well, w0, optim.SGD(0.05), 200)
    assert trajectory.ws.shape == (201, 1)
    assert_allclose(trajectory.losses, well(trajectory.ws[:, 0]))
    assert trajectory.ws[-1, 0] == pytest.approx(well.minima[1], abs=1e-8)  # the right (local) well


def test_run_stops_cleanly_at_divergence_without_warnings():
    trajectory = optim.run(Quartic(), 3.0, optim.SGD(1.0), 100)  # overflows within a few steps
    assert trajectory.diverged
    assert len(trajectory.ws) == len(trajectory.losses) == trajectory.diverged_at
    assert np.all(np.isfinite(trajectory.ws)) and np.all(np.isfinite(trajectory.losses))
    scale = max(trajectory.losses[0] - Quartic.f_min, 1.0)
    assert np.all(trajectory.losses - Quartic.f_min <= 1e6 * scale)


def test_divergence_threshold_is_relative_to_the_start():
    q = Quadratic([1.0, 1.0])
    w0 = np.array([1.0, 1.0])  # f(w0) = 1; SGD with lr = 3 multiplies w by -2, f by 4 per step
    trajectory = optim.run(q, w0, optim.SGD(3.0), 100, diverge_at=1000)
    assert trajectory.diverged_at == 5  # 4^5 = 1024 > 1000 >= 4^4
    assert trajectory.losses[-1] == pytest.approx(256.0)


def test_run_resets_the_optimizer_state():
    r = Rosenbrock()
    optimizer = optim.Adam(0.02)
    first = optim.run(r, np.array([-1.0, 1.0]), optimizer, 100)
    second = optim.run(r, np.array([-1.0, 1.0]), optimizer, 100)
    assert np.array_equal(first.ws, second.ws)
    assert second.losses[-1] < 0.5 * second.losses[0]


def test_run_with_zero_steps_returns_the_start():
    trajectory = optim.run(Rosenbrock(), np.array([0.0, 0.0]), optim.SGD(0.1), 0)
    assert_allclose(trajectory.ws, [[0.0, 0.0]])
    assert_allclose(trajectory.losses, [1.0])


@pytest.mark.parametrize("args, error, message", [
    ((np.zeros(3), optim.SGD(0.1), 10), ValueError, r"w0 must have shape \(2,\); got \(3,\)"),
    ((np.array([np.nan, 0.0]), optim.SGD(0.1), 10), ValueError, r"w0 must be finite; got \[nan  0.\]"),
    ((np.zeros(2), "sgd", 10), TypeError, "optimizer must be an rnnlearn.optim.Optimizer; got str"),
    ((np.zeros(2), optim.SGD(0.1), -1), ValueError, "steps must be an int >= 0; got -1"),
    ((np.zeros(2), optim.SGD(0.1), 2.5), TypeError, "steps must be an int; got float 2.5"),
    ((np.zeros(2), optim.SGD(0.1), True), TypeError, "steps must be an int; got bool True"),
])
def test_run_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        optim.run(Rosenbrock(), *args)


def test_run_rejects_bad_input_on_one_dimensional_landscapes():
    with pytest.raises(ValueError, match=r"w0 must have shape \(1,\) or be a float; got \(2,\)"):
        optim.run(Quartic(), np.zeros(2), optim.SGD(0.1), 10)
    with pytest.raises(ValueError, match=r"diverge_at must be in \(1.0, inf\); got 1.0"):
        optim.run(Quartic(), 1.0, optim.SGD(0.1), 10, diverge_at=1.0)


def test_steps_to_tolerance():
    losses = np.array([10.0, 5.0, 2.0, 1.5, 1.05, 1.01])
    assert optim.steps_to_tolerance(losses, f_min=1.0, tol=0.1) == 3  # (1.5 - 1) / 9 <= 0.1
    assert optim.steps_to_tolerance(losses, f_min=1.0, f0=19.0, tol=0.1) == 2
    assert optim.steps_to_tolerance(losses, f_min=1.0, tol=1e-4) is None
    trajectory = optim.run(Quadratic([1.0]), 1.0, optim.SGD(0.5), 20)  # f_k = 0.5 * 0.25^k
    assert optim.steps_to_tolerance(trajectory, f_min=0.0, tol=1e-6) == 10  # 0.25^10 < 1e-6 < 0.25^9
    with pytest.raises(ValueError, match=r"f0 must be > f_min = 20.0; got 10.0"):
        optim.steps_to_tolerance(losses, f_min=20.0)
    with pytest.raises(ValueError, match=r"losses must have shape \(k \+ 1,\); got \(2, 3\)"):
        optim.steps_to_tolerance(np.ones((2, 3)), f_min=0.0)


def test_step_rejects_integer_params_with_a_message():
    params, grads = {"w": np.array([1, 2])}, {"w": np.array([0.5, 0.5])}
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float ndarray .*; got int"):
        optim.SGD(0.1).step(params, grads)


def test_the_base_optimizer_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        optim.Optimizer(0.1)


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {}), ("momentum", {"beta": 0.8}), ("nesterov", {}), ("adagrad", {}),
    ("rmsprop", {"decay": 0.5}), ("adam", {"beta1": 0.8, "beta2": 0.99}),
])
def test_state_dict_round_trip_continues_identically(name, hyper, rng):
    """Save mid-run, load into a fresh optimiser, continue: the same iterates, bit for bit."""
    grads_seq = [{"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)} for _ in range(12)]
    params = {"W": rng.normal(size=(3, 2)), "b": np.zeros(2)}
    first = optim.make(name, lr=0.05, **hyper)
    for g in grads_seq[:5]:
        first.step(params, g)
    snapshot = first.state_dict()
    resumed_params = {k: v.copy() for k, v in params.items()}
    for g in grads_seq[5:]:
        first.step(params, g)
    second = optim.make(name, lr=1.0)  # other hyperparameters: the snapshot's win
    second.load_state_dict(snapshot)
    assert second.hyperparameters() == first.hyperparameters()
    for g in grads_seq[5:]:
        second.step(resumed_params, g)
    for key in params:
        assert np.array_equal(resumed_params[key], params[key])
    if name != "sgd":  # the snapshot is a copy: later steps did not change it
        assert not np.array_equal(snapshot["state"]["W"][next(iter(snapshot["state"]["W"]))],
                                  first.state["W"][next(iter(first.state["W"]))])


def test_load_state_dict_rejects_another_optimiser():
    with pytest.raises(ValueError, match="state_dict is for a SGD; this optimiser is a Adam"):
        optim.Adam(0.1).load_state_dict(optim.SGD(0.1).state_dict())
    with pytest.raises(ValueError, match="missing"):
        optim.Adam(0.1).load_state_dict({"optimizer": "Adam"})


def test_run_resets_unless_asked_not_to():
    bowl = Quadratic([1.0, 10.0])
    opt = optim.Momentum(0.05, beta=0.9)
    fresh = optim.run(bowl, np.ones(2), opt, 10)
    again = optim.run(bowl, np.ones(2), opt, 10)  # reset: the same run
    assert np.array_equal(fresh.ws, again.ws)
    carried = optim.run(bowl, np.ones(2), opt, 10, reset=False)  # momentum left from `again`
    assert not np.array_equal(fresh.ws, carried.ws)
