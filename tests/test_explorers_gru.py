"""The GRU chapter's explorer (GruGateExplorer): its compute on its own (the gradient readout is
a finite difference of h_T, a huge update bias freezes the state, the gradient path is the
update gate), the grid values the chapter names, and the artists showing what was computed.
The generic sweeps, budgets and twins run in test_explorers.py."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import gru, tasks
from rnnlearn.explorers import GruGateExplorer
from rnnlearn.explorers.gru import T_PULSE, WEIGHTS, gru_pulse, pulse_params


def h_last(update_bias, reset_bias, time, size):
    xs = tasks.pulse(T_PULSE, time=time, size=size)
    return gru.forward(xs, None, pulse_params(update_bias, reset_bias))[0][-1, 0, 0]


@pytest.mark.parametrize("update_bias, reset_bias, time, size",
                         [(0.0, 0.0, 10, 1.0), (4.0, -4.0, 10, 1.0), (6.0, 4.0, 40, 2.0),
                          (2.0, 1.3, 25, -1.0), (4.0, 0.0, 1, 0.5)])
def test_gradient_readout_is_a_finite_difference(update_bias, reset_bias, time, size):
    d = gru_pulse(update_bias, reset_bias, time, size)
    eps = 1e-6
    fd = (h_last(update_bias, reset_bias, time, size + eps)
          - h_last(update_bias, reset_bias, time, size - eps)) / (2 * eps)
    assert d.grad_x == pytest.approx(abs(fd), rel=1e-6, abs=1e-12)


def test_state_gradients_are_finite_differences_of_the_state():
    """|dh_T/dh_t| by perturbing h_t and running the rest of the sequence."""
    b_z, b_r, t0, s = 2.0, 1.0, 10, 1.0
    d = gru_pulse(b_z, b_r, t0, s)
    params, xs = pulse_params(b_z, b_r), tasks.pulse(T_PULSE, time=t0, size=s)
    hs, _ = gru.forward(xs, None, params)
    for t in (0, 5, 9, 10, 30, 49):
        h_t = np.zeros((1, 1)) if t == 0 else hs[t - 1]
        eps = 1e-6
        ends = [gru.forward(xs[t:], h_t + e, params)[0][-1, 0, 0] for e in (eps, -eps)]
        assert d.grad_h[t] == pytest.approx(abs(ends[0] - ends[1]) / (2 * eps), rel=1e-6)
    assert d.grad_h[-1] == 1.0


def test_update_bias_40_keeps_the_state_constant():
    for size in (-1.0, 1.0, 2.0):
        d = gru_pulse(40.0, 0.0, 10, size)
        assert np.all(d.z > 1 - 1e-9)  # sigma(40 - 8 s) even at the pulse
        assert_allclose(d.h, 0.0, atol=1e-9)  # h_0 = 0 is kept: nothing is written
        assert_allclose(d.grad_h, 1.0, rtol=1e-9)  # z = 1: the gradient passes unchanged


def test_one_step_jacobian_is_z_plus_the_candidate_path():
    """The gates do not read h, so dh_t/dh_{t-1} = z_t + (1 - z_t)(1 - n_t^2) r_t w_hn."""
    assert WEIGHTS["w_hr"] == WEIGHTS["w_hz"] == 0.0
    d = gru_pulse(2.0, -1.0, 25, 1.0)
    params = pulse_params(2.0, -1.0)
    _, cache = gru.forward(tasks.pulse(T_PULSE, time=25, size=1.0), None, params)
    z, r, n = cache.z[:, 0, 0], cache.r[:, 0, 0], cache.n[:, 0, 0]
    jac = z + (1 - z) * (1 - n**2) * r * WEIGHTS["w_hn"]  # (T,) dh_t/dh_{t-1}, t = 1..T
    expected = np.append(np.cumprod(jac[::-1])[::-1], 1.0)
    assert_allclose(d.grad_h, expected, rtol=1e-12)


def test_the_update_bias_decides_the_memory():
    """What the chapter says: b_z = 0 forgets the pulse, b_z = 4 keeps about half of it, and
    the gradient back to the pulse follows."""
    forget, keep = gru_pulse(0.0, 0.0, 10, 1.0), gru_pulse(4.0, 0.0, 10, 1.0)
    assert forget.h[9] > 0.9 and keep.h[9] > 0.9  # both write the pulse
    assert abs(forget.h[-1]) < 1e-6 and 0.4 < keep.h[-1] < 0.7
    assert forget.grad_x < 1e-8 and 0.1 < keep.grad_x < 0.3
    # the reset gate matters only where the update gate lets the candidate in
    low, high = gru_pulse(0.0, -4.0, 10, 1.0), gru_pulse(0.0, 4.0, 10, 1.0)
    assert high.grad_x / low.grad_x > 1e4
    low, high = gru_pulse(6.0, -4.0, 10, 1.0), gru_pulse(6.0, 4.0, 10, 1.0)
    assert high.grad_x / low.grad_x < 1.1
    # a negative pulse pushes the update gate open to keep: nothing is written
    neg = gru_pulse(4.0, 0.0, 10, -1.0)
    assert abs(neg.h[9]) < 1e-3 and neg.z[9] > 0.99


def test_grid_holds_the_values_the_chapter_names():
    update, reset, time, size = GruGateExplorer.controls
    for value in (-2.0, 0.0, 2.0, 4.0, 6.0):
        assert np.isclose(update.grid(), value).any()
    assert_allclose(reset.grid(), [-4.0, 0.0, 4.0])
    assert time.grid() == [10, 40] and time.default == 10
    assert_allclose(size.grid(), [-1.0, 0.0, 1.0, 2.0])
    assert update.default == 0.0 and reset.default == 0.0 and size.default == 1.0


def test_explorer_draws_what_it_computes():
    ex = GruGateExplorer()
    d = ex.set(update_bias=4.0, time=23)  # a live value off the twin's grid
    assert_allclose(ex.artists.h.get_ydata(), d.h)
    assert_allclose(ex.artists.z.get_ydata(), d.z)
    assert_allclose(ex.artists.r.get_ydata(), d.r)
    assert list(ex.artists.pulse.get_xdata()) == [23, 23]
    assert_allclose(ex.artists.grad.get_ydata(), d.grad_h, rtol=1e-12)
    assert_allclose(ex.artists.grad_pulse.get_xydata(), [[23, d.grad_x]], rtol=1e-12)
    assert ex.artists.grad_text.get_text() == f"|∂h_T/∂x_t₀| = {d.grad_x:.2g}"
    assert ex.artists.state_text.get_text().endswith(f"h_T {d.h[-1]:.2g}")


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match="time"):
        gru_pulse(0.0, 0.0, 51, 1.0)
    with pytest.raises(TypeError):
        gru_pulse("big", 0.0, 10, 1.0)
    with pytest.raises(ValueError):
        GruGateExplorer().set(update_bias=7.0)
