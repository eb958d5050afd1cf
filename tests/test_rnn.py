"""rnn: nn.RNN's equations, BPTT (full and truncated) by check_layer, the Jacobian diagnostics."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import rnn
from rnnlearn.gradcheck import assert_layer_close

NONLINEARITIES = ["tanh", "relu", "sigmoid", "linear"]
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 4), (5, 1, 3, 2), (7, 3, 2, 5)]  # (T, B, D, H)


def _pytorch_loop(xs, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity):
    """nn.RNN as documented: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), written
    entry by entry, independent of the package."""
    T, B, D = xs.shape
    H = w_hh.shape[0]
    phi = {"tanh": np.tanh, "relu": lambda a: max(a, 0.0), "linear": lambda a: a,
           "sigmoid": lambda a: 1 / (1 + np.exp(-a))}[nonlinearity]
    out = np.zeros((T, B, H))
    for b in range(B):
        h = [float(v) for v in h0[b]]
        for t in range(T):
            new = []
            for i in range(H):
                a = b_ih[i] + b_hh[i]
                a += sum(w_ih[i, j] * xs[t, b, j] for j in range(D))
                a += sum(w_hh[i, j] * h[j] for j in range(H))
                new.append(phi(a))
            h = new
            out[t, b] = h
    return out


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("T, B, D, H", SHAPES)
def test_forward_equals_pytorch_equations(T, B, D, H, nonlinearity, rng):
    params = rnn.init_params(D, H, rng)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    hs, caches = rnn.forward(xs, h0, params, nonlinearity)
    expected = _pytorch_loop(xs, h0, *(params[k] for k in rnn.KEYS), nonlinearity)
    assert hs.shape == (T, B, H) and hs.dtype == np.float64
    assert_allclose(hs, expected, rtol=0, atol=1e-12)
    h, _ = rnn.step_forward(xs[0], h0, params, nonlinearity)
    assert_allclose(h, expected[0], rtol=0, atol=1e-12)


def test_forward_with_no_h0_starts_from_zeros(rng):
    params = rnn.init_params(2, 3, rng)
    xs = rng.standard_normal((4, 2, 2))
    assert_allclose(rnn.forward(xs, None, params)[0], rnn.forward(xs, np.zeros((2, 3)), params)[0])


def _check(xs, h0, params, nonlinearity, truncate, rng):
    def forward(inputs, p):
        return rnn.forward(inputs["xs"], inputs["h0"], p, nonlinearity)

    def backward(dhs, caches):
        dxs, dh0, grads = rnn.backward(dhs, caches, truncate=truncate)
        return {"xs": dxs, "h0": dh0}, grads

    return assert_layer_close(forward, backward, {"xs": xs, "h0": h0}, params, rng=rng)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("T, B, D, H", SHAPES)
def test_backward_passes_check_layer(T, B, D, H, nonlinearity, rng):
    params = rnn.init_params(D, H, rng, scale=1.5)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    report = _check(xs, h0, params, nonlinearity, None, rng)
    assert max(report.relative_errors.values()) < 1e-7
    # truncation with a window k >= T is full BPTT, bit for bit
    dhs = rng.standard_normal((T, B, H))
    _, caches = rnn.forward(xs, h0, params, nonlinearity)
    full, cut = rnn.backward(dhs, caches), rnn.backward(dhs, caches, truncate=T)
    assert all(np.array_equal(a, b) for a, b in zip(full[:2], cut[:2]))
    assert all(np.array_equal(full[2][k], cut[2][k]) for k in rnn.KEYS)


def test_step_backward_passes_check_layer(rng):
    params = rnn.init_params(3, 4, rng)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))

    def backward(dh, cache):
        dx, dh_prev, grads = rnn.step_backward(dh, cache)
        return {"x": dx, "h_prev": dh_prev}, grads

    assert_layer_close(lambda i, p: rnn.step_forward(i["x"], i["h_prev"], p), backward,
                       {"x": x, "h_prev": h}, params, rng=rng)


def test_dh_last_enters_at_the_last_step(rng):
    params = rnn.init_params(2, 3, rng)
    xs, h0 = rng.standard_normal((4, 2, 2)), rng.standard_normal((2, 3))
    _, caches = rnn.forward(xs, h0, params)
    dh_last = rng.standard_normal((2, 3))
    dhs = np.zeros((4, 2, 3))
    dhs[-1] = dh_last
    expected = rnn.backward(dhs, caches)
    got = rnn.backward(np.zeros((4, 2, 3)), caches, dh_last)
    assert_allclose(got[0], expected[0], rtol=1e-15, atol=0)
    assert_allclose(got[1], expected[1], rtol=1e-15, atol=0)


@pytest.mark.parametrize("nonlinearity", ["tanh", "linear"])
@pytest.mark.parametrize("T, B, k", [(1, 1, 1), (5, 1, 2), (7, 3, 3), (8, 2, 4), (6, 2, 1)])
def test_truncated_backward_is_the_gradient_with_detached_chunk_starts(T, B, k, nonlinearity,
                                                                      rng):
    """Chunked truncated BPTT is the exact gradient of the forward pass in which the state
    carried into each chunk after the first is a constant (computed once, not perturbed)."""
    D, H = 2, 3
    params = rnn.init_params(D, H, rng, scale=1.5)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    hs_fixed = rnn.forward(xs, h0, params, nonlinearity)[0].copy()  # the detached states

    def detached(inputs, p):
        pieces = []
        for start in range(0, T, k):
            h_start = inputs["h0"] if start == 0 else hs_fixed[start - 1]
            pieces.append(rnn.forward(inputs["xs"][start:start + k], h_start, p,
                                      nonlinearity)[0])
        caches = rnn.forward(inputs["xs"], inputs["h0"], p, nonlinearity)[1]
        return np.concatenate(pieces), caches

    def backward(dhs, caches):
        dxs, dh0, grads = rnn.backward(dhs, caches, truncate=k)
        return {"xs": dxs, "h0": dh0}, grads

    report = assert_layer_close(detached, backward, {"xs": xs, "h0": h0}, params, rng=rng)
    assert max(report.relative_errors.values()) < 1e-7


def test_truncation_cuts_the_gradient_at_chunk_starts_as_predicted(rng):
    """A loss at the last step only: truncated dxs equal full BPTT's inside the last chunk and
    are exactly 0 before it; dh0 is 0 unless the first chunk is the last; dW_hh differs."""
    T, B, D, H, k = 10, 2, 2, 3, 4
    params = rnn.init_params(D, H, rng, scale=1.5)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    _, caches = rnn.forward(xs, h0, params)
    dhs = np.zeros((T, B, H))
    dhs[-1] = rng.standard_normal((B, H))
    dxs_full, dh0_full, g_full = rnn.backward(dhs, caches)
    dxs_cut, dh0_cut, g_cut = rnn.backward(dhs, caches, truncate=k)
    start = (T - 1) // k * k  # first step of the last chunk (0-based): 8
    assert_allclose(dxs_cut[start:], dxs_full[start:], rtol=1e-14, atol=0)
    assert not dxs_cut[:start].any() and np.abs(dxs_full[:start]).min() > 0
    assert not dh0_cut.any() and np.abs(dh0_full).max() > 0
    assert np.abs(g_cut["weight_hh"] - g_full["weight_hh"]).max() > 1e-6


def test_linear_rnn_jacobian_norms_decay_at_log_lambda(rng):
    """W = lambda Q with Q orthogonal: ||dh_{k+d}/dh_k|| = lambda^d exactly, so the slope of
    the log norms against d is log(lambda)."""
    T, H = 60, 8
    for lam in (0.7, 1.0, 1.3):
        params = rnn.init_params(2, H, rng, init="orthogonal", scale=lam)
        _, caches = rnn.forward(rng.standard_normal((T, 3, 2)), None, params, "linear")
        logs = rnn.jacobian_norms(caches, log=True)
        d = T - np.arange(T)  # T - k
        slope = np.polyfit(d, logs, 1)[0]
        assert abs(slope - np.log(lam)) < 1e-6, (lam, slope)
        assert_allclose(logs, d * np.log(lam), rtol=0, atol=1e-10)
        if lam == 0.7:
            assert_allclose(rnn.jacobian_norms(caches, b=1), lam ** d, rtol=1e-10)


def test_tanh_jacobian_norms_obey_the_sigma_max_bound_and_vanish(rng):
    T, H = 200, 16
    for target in (0.9, 1.5, 3.0):
        params = rnn.init_params(3, H, rng)
        params["weight_hh"] *= target / np.linalg.norm(params["weight_hh"], 2)
        _, caches = rnn.forward(rng.standard_normal((T, 4, 3)), None, params)
        norms = rnn.jacobian_norms(caches, b=2)
        bound = target ** (T - np.arange(T))
        assert np.all(norms <= bound * (1 + 1e-10))
        if target < 1:
            assert norms[0] <= 0.9 ** 200 < 1e-9
    # the batch mean is the mean of each element's norms
    each = [rnn.jacobian_norms(caches, b=b) for b in range(4)]
    assert_allclose(rnn.jacobian_norms(caches), np.mean(each, axis=0), rtol=1e-12)


def test_grad_shares_sum_the_weight_gradient(rng):
    T, B, D, H = 6, 2, 2, 3
    params = rnn.init_params(D, H, rng)
    xs = rng.standard_normal((T, B, D))
    _, caches = rnn.forward(xs, None, params)
    dhs = rng.standard_normal((T, B, H))
    shares = rnn.grad_shares(dhs, caches)
    assert shares.norms.shape == shares.shares.shape == (T,)
    assert shares.shares.sum() == pytest.approx(1.0, abs=1e-14)
    # each part by hand, and their sum is backward's dW_hh
    _, _, grads = rnn.backward(dhs, caches)
    h_prev = np.concatenate([np.zeros((1, B, H)), caches.hs[:-1]])
    parts = []
    dh_next = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        delta = (dhs[t] + dh_next) * (1 - caches.hs[t] ** 2)
        parts.append(delta.T @ h_prev[t])
        dh_next = delta @ params["weight_hh"]
    parts = parts[::-1]
    assert_allclose(sum(parts), grads["weight_hh"], rtol=1e-12)
    assert_allclose(shares.norms, [np.linalg.norm(p) for p in parts], rtol=1e-12)
    zero = rnn.grad_shares(np.zeros((T, B, H)), caches)
    assert not zero.shares.any()


def test_init_params_shapes_and_schemes(rng):
    p = rnn.init_params(3, 50, rng)
    assert {k: v.shape for k, v in p.items()} == {"weight_ih": (50, 3), "weight_hh": (50, 50),
                                                  "bias_ih": (50,), "bias_hh": (50,)}
    assert all(np.abs(v).max() <= 1 / np.sqrt(50) for v in p.values())
    assert np.abs(p["weight_hh"]).max() > 0.9 / np.sqrt(50)
    q = rnn.init_params(3, 50, rng, init="orthogonal", scale=0.5)["weight_hh"]
    assert_allclose(q @ q.T, 0.25 * np.eye(50), atol=1e-13)
    i = rnn.init_params(3, 5, rng, init="identity")
    assert np.array_equal(i["weight_hh"], np.eye(5)) and not i["bias_hh"].any()


@pytest.mark.parametrize("call, error, message", [
    (lambda p, r: rnn.forward(np.zeros((5, 3)), None, p), ValueError,
     r"xs must have shape \(T, B, D\); got \(5, 3\)"),
    (lambda p, r: rnn.forward(np.zeros((5, 3, 4)), None, p), ValueError,
     r"params\['weight_ih'\] must have shape \(H, D\) with H = 3, D = 4; got \(3, 2\)"),
    (lambda p, r: rnn.forward(np.zeros((5, 2, 2)), np.zeros((2, 4)), p), ValueError,
     r"h0 must have shape \(B, H\) with B = 2, H = 3; got \(2, 4\)"),
    (lambda p, r: rnn.forward(np.zeros((5, 2, 2)), None, {"weight_ih": 1}), ValueError,
     r"params must have the keys .*; missing \['weight_hh', 'bias_ih', 'bias_hh'\]"),
    (lambda p, r: rnn.forward(np.zeros((5, 2, 2)), None, p, "softplus"), ValueError,
     r"nonlinearity must be one of \['linear', 'relu', 'sigmoid', 'tanh'\]; got 'softplus'"),
    (lambda p, r: rnn.forward(np.full((2, 1, 2), "a"), None, p), TypeError,
     "xs must hold real numbers"),
    (lambda p, r: rnn.backward(np.zeros((4, 1, 3)), rnn.forward(np.zeros((5, 1, 2)), None,
                                                                p)[1]), ValueError,
     r"dhs must have shape \(T, B, H\) with T = 5, B = 1, H = 3; got \(4, 1, 3\)"),
    (lambda p, r: rnn.backward(np.zeros((5, 1, 3)), rnn.forward(np.zeros((5, 1, 2)), None,
                                                                p)[1], truncate=0), ValueError,
     "truncate must be an int >= 1; got 0"),
    (lambda p, r: rnn.backward(np.zeros((5, 1, 3)), rnn.forward(np.zeros((5, 1, 2)), None,
                                                                p)[1], truncate=True),
     TypeError, "truncate must be an int"),
    (lambda p, r: rnn.init_params(2, 3, r, init="xavier"), ValueError, "init must be one of"),
    (lambda p, r: rnn.init_params(2, True, r), TypeError, "H must be an int"),
    (lambda p, r: rnn.init_params(2, 3, r, scale=True), TypeError, "scale must be a real number"),
    (lambda p, r: rnn.init_params(2, 3, r, scale=-1.0), ValueError, "scale must be in"),
    (lambda p, r: rnn.init_params(2, 3, 7), TypeError, "rng must be a numpy.random.Generator"),
    (lambda p, r: rnn.jacobian_norms(rnn.forward(np.zeros((5, 2, 2)), None, p)[1], b=2),
     ValueError, r"b must be an int in \[0, 1\]; got 2"),
])
def test_bad_input_gives_clear_errors(call, error, message, rng):
    params = rnn.init_params(2, 3, rng)
    with pytest.raises(error, match=message):
        call(params, rng)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid"])
def test_jacobian_norms_equal_the_explicit_products(nonlinearity, rng):
    """Against dh_T/dh_k built by finite differences of the forward pass from step k on."""
    T, B, D, H = 5, 2, 2, 3
    params = rnn.init_params(D, H, rng, scale=2.0)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    hs, caches = rnn.forward(xs, h0, params, nonlinearity)
    b, eps = 1, 1e-6
    expected = []
    for k in range(T):
        h_k = h0 if k == 0 else hs[k - 1]
        J = np.empty((H, H))
        for j in range(H):
            plus, minus = h_k.copy(), h_k.copy()
            plus[b, j] += eps
            minus[b, j] -= eps
            J[:, j] = (rnn.forward(xs[k:], plus, params, nonlinearity)[0][-1, b]
                       - rnn.forward(xs[k:], minus, params, nonlinearity)[0][-1, b]) / (2 * eps)
        expected.append(np.linalg.norm(J, 2))
    assert_allclose(rnn.jacobian_norms(caches, b=b), expected, rtol=1e-6)


def test_jacobian_log_norms_stay_finite_where_the_norms_underflow(rng):
    params = rnn.init_params(2, 4, rng, init="orthogonal", scale=0.1)
    _, caches = rnn.forward(rng.standard_normal((400, 1, 2)), None, params, "linear")
    logs = rnn.jacobian_norms(caches, log=True)
    assert np.all(np.isfinite(logs))
    assert logs[0] == pytest.approx(400 * np.log(0.1), rel=1e-12)
    assert rnn.jacobian_norms(caches)[0] == 0.0  # 1e-400 rounds to 0


@pytest.mark.parametrize("gates", [1, 3, 4])
def test_from_state_dict_reads_torch_names_of_the_chosen_layer(gates, rng):
    H, D = 3, 2
    sd = {f"{key}_l{layer}": rng.standard_normal(shape).astype(np.float32)
          for layer, D_in in ((0, D), (1, H))
          for key, shape in zip(rnn.KEYS, ((gates * H, D_in), (gates * H, H), (gates * H,),
                                            (gates * H,)))}
    params = rnn.from_state_dict(sd, layer=1, gates=gates)
    assert sorted(params) == sorted(rnn.KEYS)
    for key in rnn.KEYS:
        assert params[key].dtype == np.float64
        assert_allclose(params[key], sd[f"{key}_l1"])
        assert params[key] is not sd[f"{key}_l1"]


def test_from_state_dict_names_what_is_missing_or_misshapen(rng):
    sd = {"weight_ih_l0": np.zeros((8, 2)), "weight_hh_l0": np.zeros((8, 2)),
          "bias_ih_l0": np.zeros(8)}
    with pytest.raises(ValueError, match="bias_hh_l0"):
        rnn.from_state_dict(sd, gates=4)
    sd["bias_hh_l0"] = np.zeros(6)
    with pytest.raises(ValueError, match="bias_hh_l0 must have shape"):
        rnn.from_state_dict(sd, gates=4)
    sd["bias_hh_l0"] = np.zeros(8)
    with pytest.raises(ValueError, match="weight_hh_l0"):
        rnn.from_state_dict(sd, gates=3)  # 8 rows are not 3 blocks of H = 2
