"""The LSTM chapter's explorers: the gate explorer (one unit and a pulse) and the carousel
explorer (LSTM against RNN gradient flow). The generic checks (budgets, whole-grid sweeps,
twins, blitting) run in test_explorers.py."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import lstm, rnn, tasks
from rnnlearn.explorers import CarouselExplorer, GateExplorer
from rnnlearn.explorers import lstm as ex_lstm


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


# -- the gate explorer ---------------------------------------------------------------------------
def test_gate_grids_hold_the_values_the_chapter_names():
    forget, inputs, t0, size = GateExplorer.controls
    assert {0.0, 1.0, 3.0, 6.0} <= set(forget.grid())
    assert inputs.grid() == [-6.0, -3.0, 0.0] and size.grid() == [0.0, 1.0, 2.0]
    assert t0.grid() == [5, 25]
    assert forget.default == 1.0 and inputs.default == -3.0 and size.default == 1.0


def test_gate_cell_is_the_stated_one_run_by_the_package():
    d = ex_lstm.gate_run(1.0, -4.0, 5, 1.0)
    xs = tasks.pulse(50, time=5, size=1.0)
    c, h = 0.0, 0.0
    for t in range(50):  # the documented equations, by hand
        x = xs[t, 0, 0]
        i, f, g, o = sigmoid(4 * x - 4), sigmoid(1.0), np.tanh(2 * x), 0.5
        c = f * c + i * g
        h = o * np.tanh(c)
        assert d.c[t] == pytest.approx(c, rel=1e-12, abs=1e-300)
        assert d.h[t] == pytest.approx(h, rel=1e-12, abs=1e-300)
        assert d.i[t] == pytest.approx(i, rel=1e-12) and d.f[t] == pytest.approx(f, rel=1e-12)
    assert d.c[4] == pytest.approx(0.5 * np.tanh(2.0), rel=1e-12)  # the pulse half opens i


@pytest.mark.parametrize("forget_bias", [-2.0, 0.0, 1.0, 3.0])
def test_cell_gradient_is_the_product_of_forget_gates(forget_bias):
    d = ex_lstm.gate_run(forget_bias, -4.0, 15, 1.0)
    assert_allclose(d.dc_T, sigmoid(forget_bias) ** (50 - np.arange(1, 51)), rtol=1e-10)
    assert_allclose(d.dc_T, d.theory, rtol=1e-10)


@pytest.mark.parametrize("t0, size, input_bias", [(5, 1.0, -4.0), (25, 2.0, 0.0),
                                                  (15, 0.5, -6.0)])
def test_gradient_readout_is_a_finite_difference(t0, size, input_bias):
    d = ex_lstm.gate_run(0.5, input_bias, t0, size)
    eps = 1e-6
    up = ex_lstm.gate_run(0.5, input_bias, t0, size + eps).c[-1]
    down = ex_lstm.gate_run(0.5, input_bias, t0, size - eps).c[-1]
    assert d.dc_dx == pytest.approx((up - down) / (2 * eps), rel=1e-6)


def test_a_forget_bias_of_40_keeps_the_cell_constant():
    d = ex_lstm.gate_run(40.0, 0.0, 5, 1.0)
    assert np.all(d.f == 1.0)
    assert np.all(d.c[4:] == d.c[4]) and d.c[4] > 0.8
    assert np.all(d.dc_T == 1.0)


def test_a_shut_input_gate_writes_almost_nothing():
    shut = ex_lstm.gate_run(6.0, -6.0, 5, 0.5)  # i = sigma(2 - 6)
    open_ = ex_lstm.gate_run(6.0, 2.0, 5, 0.5)  # i = sigma(4)
    assert shut.c[4] == pytest.approx(sigmoid(-4.0) * np.tanh(1.0), rel=1e-12)
    assert open_.c[4] > 30 * shut.c[4]


def test_gate_explorer_draws_what_it_computes():
    ex = GateExplorer()
    d = ex.set(forget_bias=3.0, t0=25)
    assert_allclose(ex.artists.c.get_ydata(), d.c)
    assert_allclose(ex.artists.grads.get_ydata(), np.clip(d.dc_T, 1e-16, 1.0))
    assert ex.artists.grad_text.get_text() == f"∂c_T/∂x_t₀ = {d.dc_dx:.2g}"
    assert list(ex.artists.pulse_mark.get_xdata()) == [25, 25]
    assert ex.artists.state_text.get_text().startswith("c_T = ")


def test_gate_run_rejects_bad_input():
    with pytest.raises(ValueError, match="t0"):
        ex_lstm.gate_run(1.0, 0.0, 51, 1.0)
    with pytest.raises(ValueError, match="must be one of"):
        GateExplorer().set(t0=7)


# -- LSTM against RNN ----------------------------------------------------------------------------
def _numerical_state_jacobians(xs, params, eps=1e-6):
    """||dh_T/dh_t||_2 and ||dc_T/dc_t||_2 by central differences, rerunning lstm.forward from
    a perturbed state at every t."""
    T, _, _ = xs.shape
    H = params["weight_hh"].shape[1]
    hs, cache = lstm.forward(xs, None, params)
    h_norms, c_norms = np.empty(T), np.empty(T)
    for t in range(T):
        h_t = cache.h0 if t == 0 else hs[t - 1]
        c_t = cache.c0 if t == 0 else cache.cs[t - 1]
        Jh, Jc = np.empty((H, H)), np.empty((H, H))
        for j in range(H):
            e = np.zeros((1, H))
            e[0, j] = eps
            hp, cp = lstm.forward(xs[t:], (h_t + e, c_t), params)[1][3:5]
            hm, cm = lstm.forward(xs[t:], (h_t - e, c_t), params)[1][3:5]
            Jh[:, j] = (hp[-1, 0] - hm[-1, 0]) / (2 * eps)
            hp, cp = lstm.forward(xs[t:], (h_t, c_t + e), params)[1][3:5]
            hm, cm = lstm.forward(xs[t:], (h_t, c_t - e), params)[1][3:5]
            Jc[:, j] = (cp[-1, 0] - cm[-1, 0]) / (2 * eps)
        h_norms[t], c_norms[t] = np.linalg.norm(Jh, 2), np.linalg.norm(Jc, 2)
    return h_norms, c_norms


def test_lstm_state_jacobians_are_finite_differences():
    rng = np.random.default_rng(3)
    params = lstm.init_params(2, 4, rng, forget_bias=1.0)
    xs = rng.normal(size=(6, 1, 2))
    _, cache = lstm.forward(xs, None, params)
    h_norms, c_norms = ex_lstm.lstm_state_jacobians(cache)
    h_num, c_num = _numerical_state_jacobians(xs, params)
    assert_allclose(h_norms, h_num, rtol=1e-6)
    assert_allclose(c_norms, c_num, rtol=1e-6)


def test_with_w_hh_cut_the_cell_gradient_is_the_forget_product():
    rng = np.random.default_rng(4)
    params = lstm.init_params(2, 5, rng, forget_bias=1.0)
    params["weight_hh"][:] = 0.0
    xs = rng.normal(size=(12, 1, 2))
    _, cache = lstm.forward(xs, None, params)
    _, c_norms = ex_lstm.lstm_state_jacobians(cache)
    f = cache.f[:, 0]
    expected = [np.prod(f[t:], axis=0).max() for t in range(12)]  # dc_12/dc_t, t = 0..11
    assert_allclose(c_norms, expected, rtol=1e-12)


def test_carousel_uses_the_package_and_the_stated_models():
    d = ex_lstm.carousel(20, "forget bias 1")
    xs, _ = tasks.adding_problem(20, 1, np.random.default_rng(100))
    _, cache = rnn.forward(xs, None, rnn.init_params(2, 32, np.random.default_rng(0)))
    assert_allclose(d.rnn_norms, rnn.jacobian_norms(cache, b=0), rtol=1e-12)
    params = lstm.init_params(2, 32, np.random.default_rng(0), forget_bias=1.0)
    _, lcache = lstm.forward(xs, None, params)
    assert d.forget_mean == pytest.approx(lcache.f.mean(), rel=1e-12)
    assert d.t.tolist() == list(range(20)) and d.lstm_norms.shape == (20,)


def test_forget_bias_1_slows_the_decay_and_the_rnn_is_fastest():
    """At T = 50: per-step factors RNN < LSTM (nn.LSTM init) < LSTM with forget bias 1."""
    default = ex_lstm.carousel(50, "nn.LSTM default")
    fb1 = ex_lstm.carousel(50, "forget bias 1")
    assert default.rnn_rate == fb1.rnn_rate
    assert fb1.rnn_rate < default.lstm_rate < fb1.lstm_rate
    assert fb1.lstm_norms[0] > 1e4 * fb1.rnn_norms[0]
    assert np.all(fb1.cell_norms[:-1] > fb1.forget_product[:-1])  # h paths add gradient here


def test_carousel_explorer_draws_what_it_computes():
    ex = CarouselExplorer()
    d = ex.set(T=30, model="nn.LSTM default")
    assert_allclose(ex.artists.lstm.get_xdata(), np.arange(30))
    assert_allclose(ex.artists.rnn.get_ydata(), np.clip(d.rnn_norms, 1e-40, 1.0))
    text = ex.artists.rate_text.get_text()
    assert text == f"per step: RNN ×{d.rnn_rate:.2f}, LSTM ×{d.lstm_rate:.2f}"
    assert {10, 50, 100} <= set(CarouselExplorer.controls[0].grid())


def test_carousel_rejects_bad_input():
    with pytest.raises(ValueError, match="model must be one of"):
        ex_lstm.carousel(20, "forget bias 2")
    with pytest.raises(ValueError, match="T"):
        ex_lstm.carousel(1, "forget bias 1")
