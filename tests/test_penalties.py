"""penalties: Pascanu et al.'s norm-preserving penalty, gradient-checked with v_t and phi' frozen."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import penalties, rnn
from rnnlearn.gradcheck import assert_layer_close


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _run(rng, T=7, B=3, D=2, H=5, nonlinearity="tanh", scale=0.8):
    params = rnn.init_params(D, H, rng, init="orthogonal", scale=scale)
    hs, caches = rnn.forward(rng.standard_normal((T, B, D)), None, params, nonlinearity)
    dhs = rng.standard_normal((T, B, H))
    return params, caches, dhs


@pytest.mark.parametrize("nonlinearity", ["tanh", "linear", "sigmoid"])
def test_penalty_gradient_passes_check_layer_with_v_and_dphi_frozen(nonlinearity, rng):
    _, caches, dhs = _run(rng, nonlinearity=nonlinearity)
    vs = rng.standard_normal((6, 3, 5))
    dphis = rng.uniform(0.1, 1.0, size=(6, 3, 5))

    def forward(inputs, params):
        omega, grads = penalties.norm_ratio_penalty(params["weight_hh"], vs, dphis)
        return np.array(omega), grads

    def backward(domega, grads):
        return {}, {"weight_hh": domega * grads["weight_hh"]}

    W = {"weight_hh": caches.weight_hh.copy()}
    report = assert_layer_close(forward, backward, {}, W, rng=rng)
    assert max(report.relative_errors.values()) < 1e-7


def test_pascanu_penalty_gradient_passes_check_layer_through_an_rnn_run(rng):
    """The whole penalty of a run: v_t and phi' computed from the run at the checked W_hh,
    then frozen while W_hh is perturbed (the paper's convention)."""
    _, caches, dhs = _run(rng, T=9)
    omega, grads = penalties.pascanu_penalty(dhs, caches)
    frozen = {}

    def forward(inputs, params):
        c = caches._replace(weight_hh=params["weight_hh"])
        if not frozen:  # v_t and phi' at the unperturbed W_hh
            dphi = 1 - caches.hs ** 2
            v, vs = np.zeros_like(dhs[0]), np.empty_like(dhs)
            for t in range(len(dhs) - 1, -1, -1):
                vs[t] = dhs[t] + v
                v = (vs[t] * dphi[t]) @ caches.weight_hh
            frozen.update(vs=vs[1:], dphis=dphi[1:])
        out, g = penalties.norm_ratio_penalty(c.weight_hh, frozen["vs"], frozen["dphis"])
        return np.array(out), g

    report = assert_layer_close(forward, lambda d, g: ({}, {"weight_hh": d * g["weight_hh"]}),
                                {}, {"weight_hh": caches.weight_hh.copy()}, rng=rng)
    assert max(report.relative_errors.values()) < 1e-7
    again, g2 = penalties.norm_ratio_penalty(caches.weight_hh, frozen["vs"], frozen["dphis"])
    assert again == pytest.approx(omega, rel=1e-12)
    assert_allclose(g2["weight_hh"], grads["weight_hh"], rtol=1e-12)


def test_penalty_equals_a_plain_loop_over_steps_and_sequences(rng):
    """Omega from its definition: each (t, b) term written out with explicit Jacobians."""
    _, caches, dhs = _run(rng, T=6, B=2, H=4)
    omega, _ = penalties.pascanu_penalty(dhs, caches)
    W, hs = caches.weight_hh, caches.hs
    terms = []
    for b in range(2):
        v = np.zeros(4)
        vs = {}
        for t in range(5, -1, -1):
            vs[t] = dhs[t, b] + v
            J = np.diag(1 - hs[t, b] ** 2) @ W  # dh_t/dh_{t-1} (column layout)
            v = vs[t] @ J
        for t in range(1, 6):
            J = np.diag(1 - hs[t, b] ** 2) @ W
            terms.append((np.linalg.norm(vs[t] @ J) / np.linalg.norm(vs[t]) - 1) ** 2)
    assert omega == pytest.approx(np.mean(terms), rel=1e-12)


def test_orthogonal_linear_rnn_has_zero_penalty(rng):
    """A linear RNN with W_hh orthogonal preserves every norm: Omega = 0, gradient 0."""
    _, caches, dhs = _run(rng, nonlinearity="linear", scale=1.0)
    omega, grads = penalties.pascanu_penalty(dhs, caches)
    assert omega < 1e-24 and np.abs(grads["weight_hh"]).max() < 1e-12
    _, shrink, dhs = _run(rng, nonlinearity="linear", scale=0.5)
    omega, grads = penalties.pascanu_penalty(dhs, shrink)
    assert omega == pytest.approx(0.25, rel=1e-12)  # every ratio is 0.5: (0.5 - 1)^2
    # a step against the gradient raises the scale towards 1
    W = shrink.weight_hh - 0.1 * grads["weight_hh"]
    assert np.linalg.norm(W, 2) > 0.5


def test_zero_error_signals_give_zero_penalty_and_a_single_step_has_none(rng):
    _, caches, dhs = _run(rng)
    omega, grads = penalties.pascanu_penalty(np.zeros_like(dhs), caches)
    assert omega == 0.0 and not grads["weight_hh"].any()
    _, one, dhs1 = _run(rng, T=1)
    omega, grads = penalties.pascanu_penalty(dhs1, one)
    assert omega == 0.0 and grads["weight_hh"].shape == (5, 5)


def test_dh_last_enters_v_at_the_last_step(rng):
    _, caches, dhs = _run(rng)
    extra = rng.standard_normal((3, 5))
    with_last = penalties.pascanu_penalty(dhs, caches, extra)[0]
    shifted = dhs.copy()
    shifted[-1] += extra
    assert with_last == pytest.approx(penalties.pascanu_penalty(shifted, caches)[0], rel=1e-14)


@pytest.mark.parametrize("call, error, message", [
    (lambda: penalties.norm_ratio_penalty(np.eye(3), np.ones((2, 1, 4)), np.ones((2, 1, 4))),
     ValueError, r"vs must have shape \(S, B, H\) with H = 3"),
    (lambda: penalties.norm_ratio_penalty(np.eye(3), np.ones((2, 1, 3)), np.ones((1, 1, 3))),
     ValueError, r"dphis must have shape \(S, B, H\) with S = 2"),
    (lambda: penalties.norm_ratio_penalty(np.ones((3, 2)), np.ones((2, 1, 3)),
                                          np.ones((2, 1, 3))),
     ValueError, "weight_hh must have shape"),
    (lambda: penalties.norm_ratio_penalty("W", np.ones((2, 1, 3)), np.ones((2, 1, 3))),
     TypeError, "weight_hh"),
    (lambda: penalties.pascanu_penalty(np.ones((4, 2, 3)), _cache()), ValueError,
     r"dhs must have shape \(T, B, H\)"),
    (lambda: penalties.pascanu_penalty(np.ones((5, 2, 3)), _cache(), np.ones((2, 4))),
     ValueError, r"dh_last must have shape \(B, H\)"),
])
def test_bad_input_gives_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _cache():
    params = rnn.init_params(1, 3, np.random.default_rng(1))
    return rnn.forward(np.ones((5, 2, 1)), None, params)[1]
