"""gru: nn.GRU's and Cho et al.'s equations, BPTT (full and truncated) by check_layer, the
carousel at z = 1, state dicts, init and errors."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import gru
from rnnlearn.gradcheck import assert_layer_close

RESETS = ["after", "before"]
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 4), (5, 1, 3, 2), (7, 3, 2, 5)]  # (T, B, D, H)


def _plain_loop(xs, h0, w_ih, w_hh, b_ih, b_hh, reset):
    """The documented equations entry by entry in python floats, independent of the package.

    nn.GRU (reset="after"):  n = tanh(W_in x + b_in + r * (W_hn h + b_hn));
    Cho et al. 2014 ("before"): n = tanh(W_in x + b_in + W_hn (r * h) + b_hn);
    both: r = sigma(W_ir x + b_ir + W_hr h + b_hr), z likewise, h' = (1 - z) n + z h."""
    T, B, D = xs.shape
    H = w_hh.shape[1]

    def sigma(a):
        return 1.0 / (1.0 + math.exp(-a))

    def affine(w, b, row, v):  # w[row] . v + b[row]
        return b[row] + sum(float(w[row, j]) * v[j] for j in range(len(v)))

    out = np.zeros((T, B, H))
    for b in range(B):
        h = [float(v) for v in h0[b]]
        for t in range(T):
            x = [float(v) for v in xs[t, b]]
            r = [sigma(affine(w_ih, b_ih, i, x) + affine(w_hh, b_hh, i, h)) for i in range(H)]
            z = [sigma(affine(w_ih, b_ih, H + i, x) + affine(w_hh, b_hh, H + i, h))
                 for i in range(H)]
            rh = [r[j] * h[j] for j in range(H)]
            n = [math.tanh(affine(w_ih, b_ih, 2 * H + i, x)
                           + (r[i] * affine(w_hh, b_hh, 2 * H + i, h) if reset == "after"
                              else affine(w_hh, b_hh, 2 * H + i, rh)))
                 for i in range(H)]
            h = [(1 - z[i]) * n[i] + z[i] * h[i] for i in range(H)]
            out[t, b] = h
    return out


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("T, B, D, H", SHAPES)
def test_forward_equals_the_documented_equations(T, B, D, H, reset, rng):
    params = {k: 2 * v for k, v in gru.init_params(D, H, rng).items()}  # gates off centre
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    hs, cache = gru.forward(xs, h0, params, reset=reset)
    expected = _plain_loop(xs, h0, *(params[k] for k in gru.KEYS), reset)
    assert hs.shape == (T, B, H) and hs.dtype == np.float64
    assert_allclose(hs, expected, rtol=0, atol=1e-12)
    for gate in gru.GATES:
        assert getattr(cache, gate).shape == (T, B, H)
    assert np.all((cache.r > 0) & (cache.r < 1) & (cache.z > 0) & (cache.z < 1))
    h, _ = gru.step_forward(xs[0], h0, params, reset=reset)
    assert_allclose(h, expected[0], rtol=0, atol=1e-12)


def test_forward_with_no_h0_starts_from_zeros(rng):
    params = gru.init_params(2, 3, rng)
    xs = rng.standard_normal((4, 2, 2))
    assert_allclose(gru.forward(xs, None, params)[0], gru.forward(xs, np.zeros((2, 3)), params)[0])


def _saturate(params, block, H):
    """Gate block 0 (r) or 1 (z) pinned at 1: zero weights, input bias 40 (sigma(40) = 1.0)."""
    p = {k: v.copy() for k, v in params.items()}
    rows = slice(block * H, (block + 1) * H)
    p["weight_ih"][rows], p["weight_hh"][rows] = 0.0, 0.0
    p["bias_ih"][rows], p["bias_hh"][rows] = 40.0, 0.0
    return p


def test_the_two_reset_forms_agree_when_r_is_one_and_differ_otherwise(rng):
    T, B, D, H = 6, 3, 2, 4
    params = gru.init_params(D, H, rng)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    after, before = (gru.forward(xs, h0, params, reset=reset)[0] for reset in RESETS)
    assert np.abs(after - before).max() > 1e-2
    open_ = _saturate(params, 0, H)
    after, cache = gru.forward(xs, h0, open_, reset="after")
    before = gru.forward(xs, h0, open_, reset="before")[0]
    assert np.all(cache.r == 1.0)
    assert_allclose(after, before, rtol=0, atol=1e-14)


@pytest.mark.parametrize("reset", RESETS)
def test_chained_steps_equal_forward(reset, rng):
    T, B, D, H = 6, 2, 3, 4
    params = gru.init_params(D, H, rng)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    hs, cache = gru.forward(xs, h0, params, reset=reset)
    h = h0
    for t in range(T):
        h, step = gru.step_forward(xs[t], h, params, reset=reset)
        assert_allclose(h, hs[t], rtol=0, atol=1e-14)
        for gate in ("r", "z", "n", "hn"):
            assert_allclose(getattr(step, gate), getattr(cache, gate)[t], rtol=0, atol=1e-14)


def _check(xs, h0, params, reset, rng, truncate=None, with_last=False):
    """check_layer over xs, h0 and every parameter; with_last adds h_T as a second output, so
    its upstream gradient arrives through dh_last. With truncate=k the forward pass detaches the
    state carried into each chunk (a constant computed once), the gradient truncate computes."""
    T, k = xs.shape[0], truncate or xs.shape[0]
    hs_fixed = gru.forward(xs, h0, params, reset=reset)[0].copy()

    def forward(inputs, p):
        pieces = []
        for start in range(0, T, k):
            h_start = inputs["h0"] if start == 0 else hs_fixed[start - 1]
            pieces.append(gru.forward(inputs["xs"][start:start + k], h_start, p,
                                      reset=reset)[0])
        hs, cache = np.concatenate(pieces), gru.forward(inputs["xs"], inputs["h0"], p,
                                                         reset=reset)[1]
        return ((hs, hs[-1].copy()) if with_last else hs), cache

    def backward(douts, cache):
        dhs, dh_last = douts if with_last else (douts, None)
        dxs, dh0, grads = gru.backward(dhs, cache, dh_last, truncate=truncate)
        return {"xs": dxs, "h0": dh0}, grads

    report = assert_layer_close(forward, backward, {"xs": xs, "h0": h0}, params, rng=rng)
    assert max(report.relative_errors.values()) < 1e-7
    return report


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("T, B, D, H", SHAPES)
def test_backward_passes_check_layer(T, B, D, H, reset, rng):
    params = {k: 2 * v for k, v in gru.init_params(D, H, rng).items()}
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    _check(xs, h0, params, reset, rng)
    # truncation with a window k >= T is full BPTT, bit for bit
    dhs = rng.standard_normal((T, B, H))
    _, cache = gru.forward(xs, h0, params, reset=reset)
    full, cut = gru.backward(dhs, cache), gru.backward(dhs, cache, truncate=T)
    assert all(np.array_equal(a, b) for a, b in zip(full[:2], cut[:2]))
    assert all(np.array_equal(full[2][k], cut[2][k]) for k in gru.KEYS)


@pytest.mark.parametrize("reset", RESETS)
def test_backward_with_dh_last_and_truncation_passes_check_layer(reset, rng):
    T, B, D, H = 7, 2, 3, 4
    params = {k: 2 * v for k, v in gru.init_params(D, H, rng).items()}
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    _check(xs, h0, params, reset, rng, with_last=True)
    _check(xs, h0, params, reset, rng, truncate=2, with_last=True)


@pytest.mark.parametrize("reset", RESETS)
def test_step_backward_passes_check_layer(reset, rng):
    params = {k: 2 * v for k, v in gru.init_params(3, 4, rng).items()}
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))

    def backward(dh, cache):
        dx, dh_prev, grads = gru.step_backward(dh, cache)
        return {"x": dx, "h_prev": dh_prev}, grads

    report = assert_layer_close(
        lambda i, p: gru.step_forward(i["x"], i["h_prev"], p, reset=reset), backward,
        {"x": x, "h_prev": h}, params, rng=rng)
    assert max(report.relative_errors.values()) < 1e-7


@pytest.mark.parametrize("reset", RESETS)
def test_dh_last_enters_at_the_last_step(reset, rng):
    params = gru.init_params(2, 3, rng)
    xs, h0 = rng.standard_normal((4, 2, 2)), rng.standard_normal((2, 3))
    _, cache = gru.forward(xs, h0, params, reset=reset)
    dh_last = rng.standard_normal((2, 3))
    dhs = np.zeros((4, 2, 3))
    dhs[-1] = dh_last
    expected = gru.backward(dhs, cache)
    got = gru.backward(np.zeros((4, 2, 3)), cache, dh_last)
    assert_allclose(got[0], expected[0], rtol=1e-15, atol=0)
    assert_allclose(got[1], expected[1], rtol=1e-15, atol=0)


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("T, B, k", [(1, 1, 1), (5, 1, 2), (7, 3, 3), (8, 2, 4), (6, 2, 1)])
def test_truncated_backward_is_the_gradient_with_detached_chunk_starts(T, B, k, reset, rng):
    params = {k: 2 * v for k, v in gru.init_params(2, 3, rng).items()}
    xs, h0 = rng.standard_normal((T, B, 2)), rng.standard_normal((B, 3))
    _check(xs, h0, params, reset, rng, truncate=k)


def test_truncation_cuts_the_gradient_at_chunk_starts_as_predicted(rng):
    """A loss at the last step only: truncated dxs equal full BPTT's inside the last chunk and
    are exactly 0 before it; dh0 is 0 unless the first chunk is the last; dW_hh differs."""
    T, B, D, H, k = 10, 2, 2, 3, 4
    params = gru.init_params(D, H, rng)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    _, cache = gru.forward(xs, h0, params)
    dhs = np.zeros((T, B, H))
    dhs[-1] = rng.standard_normal((B, H))
    dxs_full, dh0_full, g_full = gru.backward(dhs, cache)
    dxs_cut, dh0_cut, g_cut = gru.backward(dhs, cache, truncate=k)
    start = (T - 1) // k * k  # first step of the last chunk (0-based): 8
    assert_allclose(dxs_cut[start:], dxs_full[start:], rtol=1e-14, atol=0)
    assert not dxs_cut[:start].any() and np.abs(dxs_full[:start]).min() > 0
    assert not dh0_cut.any() and np.abs(dh0_full).max() > 0
    assert np.abs(g_cut["weight_hh"] - g_full["weight_hh"]).max() > 1e-6


@pytest.mark.parametrize("reset", RESETS)
def test_an_update_gate_at_one_copies_the_state_and_its_gradient(reset, rng):
    """z = 1: h_t = h_{t-1} exactly, and dL/dh_0 = the sum of every dL/dh_t (the carousel);
    nothing reaches the inputs or the weights."""
    T, B, D, H = 9, 2, 3, 4
    params = _saturate(gru.init_params(D, H, rng), 1, H)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    hs, cache = gru.forward(xs, h0, params, reset=reset)
    assert np.all(cache.z == 1.0)
    assert np.array_equal(hs, np.broadcast_to(h0, hs.shape))
    dhs = rng.standard_normal((T, B, H))
    dxs, dh0, grads = gru.backward(dhs, cache)
    assert_allclose(dh0, dhs.sum(axis=0), rtol=1e-14, atol=1e-15)
    assert not dxs.any() and not any(g.any() for g in grads.values())
    # a gate a little below 1 lets the gradient leak into the weights
    params["bias_ih"][H:2 * H] = 3.0
    _, cache = gru.forward(xs, h0, params, reset=reset)
    assert np.abs(gru.backward(dhs, cache)[2]["weight_ih"]).max() > 1e-3


def test_from_state_dict_reads_torch_names_of_the_chosen_layer(rng):
    H, D = 3, 2
    sd = {f"{key}_l{layer}": rng.standard_normal(shape).astype(np.float32)
          for layer, D_in in ((0, D), (1, H))
          for key, shape in zip(gru.KEYS, ((3 * H, D_in), (3 * H, H), (3 * H,), (3 * H,)))}
    params = gru.from_state_dict(sd, layer=1)
    assert sorted(params) == sorted(gru.KEYS)
    for key in gru.KEYS:
        assert params[key].dtype == np.float64
        assert_allclose(params[key], sd[f"{key}_l1"])
        assert not np.shares_memory(params[key], sd[f"{key}_l1"])
    assert gru.forward(np.ones((2, 1, H)), None, params)[0].shape == (2, 1, H)
    assert_allclose(gru.from_state_dict(sd)["weight_ih"], sd["weight_ih_l0"])
    del sd["bias_hh_l1"]
    with pytest.raises(ValueError, match="bias_hh_l1"):
        gru.from_state_dict(sd, layer=1)
    sd["bias_hh_l0"] = np.zeros(3 * H + 1)
    with pytest.raises(ValueError, match="bias_hh_l0 must have shape"):
        gru.from_state_dict(sd)
    sd["weight_hh_l0"] = np.zeros((4 * H, H))  # an LSTM's 4 blocks
    with pytest.raises(ValueError, match="weight_hh_l0"):
        gru.from_state_dict(sd)


def test_init_params_shapes_and_range(rng):
    p = gru.init_params(3, 50, rng)
    assert {k: v.shape for k, v in p.items()} == {"weight_ih": (150, 3), "weight_hh": (150, 50),
                                                  "bias_ih": (150,), "bias_hh": (150,)}
    assert all(v.dtype == np.float64 for v in p.values())
    assert all(np.abs(v).max() <= 1 / np.sqrt(50) for v in p.values())
    assert np.abs(p["weight_hh"]).max() > 0.9 / np.sqrt(50)


def test_dtypes_follow_the_package_rule(rng):
    """float32 in, float32 out; float32 mixed with float64 is float64; ints become float64."""
    p64 = gru.init_params(2, 3, rng)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    xs = rng.standard_normal((4, 2, 2))
    for reset in RESETS:
        hs, cache = gru.forward(xs.astype(np.float32), None, p32, reset=reset)
        assert hs.dtype == cache.z.dtype == np.float32
        assert_allclose(hs, gru.forward(xs, None, p64, reset=reset)[0], rtol=0, atol=1e-5)
        dxs, dh0, grads = gru.backward(np.ones((4, 2, 3), np.float32), cache)
        assert dxs.dtype == dh0.dtype == np.float32
        assert all(g.dtype == np.float32 for g in grads.values())
        assert gru.forward(xs.astype(np.float32), None, p64, reset=reset)[0].dtype == np.float64
        assert gru.forward(np.ones((4, 2, 2), int), None, p64, reset=reset)[0].dtype == np.float64


def _cache(p, T=5):
    return gru.forward(np.zeros((T, 1, 2)), None, p)[1]


@pytest.mark.parametrize("call, error, message", [
    (lambda p, r: gru.forward(np.zeros((5, 3)), None, p), ValueError,
     r"xs must have shape \(T, B, D\); got \(5, 3\)"),
    (lambda p, r: gru.forward(np.zeros((0, 3, 2)), None, p), ValueError, "T, B >= 1"),
    (lambda p, r: gru.forward(np.zeros((5, 3, 4)), None, p), ValueError,
     r"params\['weight_ih'\] must have shape \(3H, D\) with 3H = 9, D = 4; got \(9, 2\)"),
    (lambda p, r: gru.forward(np.zeros((5, 3, 2)), None, {**p, "weight_hh": np.zeros((3, 3))}),
     ValueError, r"params\['weight_hh'\] must have shape \(3H, H\) with 3H = 9, H = 3; "
     r"got \(3, 3\)"),
    (lambda p, r: gru.forward(np.zeros((5, 3, 2)), None, {**p, "bias_hh": np.zeros(3)}),
     ValueError, r"params\['bias_hh'\] must have shape \(3H,\) with 3H = 9; got \(3,\)"),
    (lambda p, r: gru.forward(np.zeros((5, 2, 2)), np.zeros((2, 4)), p), ValueError,
     r"h0 must have shape \(B, H\) with B = 2, H = 3; got \(2, 4\)"),
    (lambda p, r: gru.forward(np.zeros((5, 2, 2)), None, {"weight_ih": 1}), ValueError,
     r"params must have the keys .*; missing \['weight_hh', 'bias_ih', 'bias_hh'\]"),
    (lambda p, r: gru.forward(np.zeros((5, 2, 2)), None, p, reset="middle"), ValueError,
     r"reset must be one of \['after', 'before'\]; got 'middle'"),
    (lambda p, r: gru.step_forward(np.zeros((2, 2)), np.zeros((2, 3)), p, reset=None),
     ValueError, "reset must be one of"),
    (lambda p, r: gru.step_forward(np.zeros((2, 2)), np.zeros((3, 3)), p), ValueError,
     r"h_prev must have shape \(B, H\) with B = 2, H = 3; got \(3, 3\)"),
    (lambda p, r: gru.forward(np.full((2, 1, 2), "a"), None, p), TypeError,
     "xs must hold real numbers"),
    (lambda p, r: gru.backward(np.zeros((4, 1, 3)), _cache(p)), ValueError,
     r"dhs must have shape \(T, B, H\) with T = 5, B = 1, H = 3; got \(4, 1, 3\)"),
    (lambda p, r: gru.backward(np.zeros((5, 1, 3)), _cache(p), np.zeros((1, 2))), ValueError,
     r"dh_last must have shape \(B, H\) with B = 1, H = 3; got \(1, 2\)"),
    (lambda p, r: gru.backward(np.zeros((5, 1, 3)), _cache(p), truncate=0), ValueError,
     "truncate must be an int >= 1; got 0"),
    (lambda p, r: gru.backward(np.zeros((5, 1, 3)), _cache(p), truncate=True), TypeError,
     "truncate must be an int"),
    (lambda p, r: gru.step_backward(np.zeros((1, 2)),
                                    gru.step_forward(np.zeros((1, 2)), np.zeros((1, 3)), p)[1]),
     ValueError, r"dh must have shape \(B, H\) with B = 1, H = 3; got \(1, 2\)"),
    (lambda p, r: gru.init_params(2, True, r), TypeError, "H must be an int"),
    (lambda p, r: gru.init_params(0, 3, r), ValueError, "D must be an int >= 1; got 0"),
    (lambda p, r: gru.init_params(2, 3, 7), TypeError, "rng must be a numpy.random.Generator"),
    (lambda p, r: gru.from_state_dict({}, layer=-1), ValueError, "layer must be an int >= 0"),
])
def test_bad_input_gives_clear_errors(call, error, message, rng):
    params = gru.init_params(2, 3, rng)
    with pytest.raises(error, match=message):
        call(params, rng)
