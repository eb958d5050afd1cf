"""lstm: nn.LSTM's equations and Greff et al.'s variants, BPTT by check_layer, the carousel."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from rnnlearn import lstm
from rnnlearn.gradcheck import assert_layer_close

SHAPES = [(1, 1, 1, 1), (1, 3, 2, 4), (5, 1, 3, 2), (6, 3, 2, 3)]  # (T, B, D, H)
VARIANTS = {  # name -> Options fields
    "default": {}, "peepholes": {"peepholes": True}, "coupled": {"coupled": True},
    "no_input_gate": {"no_input_gate": True}, "no_forget_gate": {"no_forget_gate": True},
    "no_output_gate": {"no_output_gate": True},
    "no_input_activation": {"no_input_activation": True},
    "no_output_activation": {"no_output_activation": True},
    "peepholes+coupled": {"peepholes": True, "coupled": True},
}
ROWS = {gate: k for k, gate in enumerate(lstm.GATES)}


def _options(name):
    return lstm.Options(**VARIANTS[name])


def _plain_loop(xs, h0, c0, params, opt):
    """nn.LSTM as documented (and each variant as its paper writes it), entry by entry in
    Python floats, independent of the package."""
    T, B, D = xs.shape
    w_ih, w_hh, b_ih, b_hh = (params[k] for k in lstm.KEYS)
    H = w_hh.shape[1]
    peep = [params[k] for k in lstm.PEEPHOLE_KEYS] if opt.peepholes else None

    def sigma(a):
        return 1 / (1 + math.exp(-a))

    hs, cs = np.zeros((T, B, H)), np.zeros((T, B, H))
    for b in range(B):
        h, c = [float(v) for v in h0[b]], [float(v) for v in c0[b]]
        for t in range(T):
            a = [b_ih[r] + b_hh[r] + sum(w_ih[r, j] * xs[t, b, j] for j in range(D))
                 + sum(w_hh[r, j] * h[j] for j in range(H)) for r in range(4 * H)]
            new_h, new_c = [], []
            for n in range(H):
                a_i, a_f, a_g, a_o = a[n], a[H + n], a[2 * H + n], a[3 * H + n]
                if peep:
                    a_i, a_f = a_i + peep[0][n] * c[n], a_f + peep[1][n] * c[n]
                i = 1.0 if opt.no_input_gate else sigma(a_i)
                f = 1.0 if opt.no_forget_gate else 1 - i if opt.coupled else sigma(a_f)
                g = a_g if opt.no_input_activation else math.tanh(a_g)
                c_new = f * c[n] + i * g
                if peep:
                    a_o += peep[2][n] * c_new
                o = 1.0 if opt.no_output_gate else sigma(a_o)
                new_h.append(o * (c_new if opt.no_output_activation else math.tanh(c_new)))
                new_c.append(c_new)
            h, c = new_h, new_c
            hs[t, b], cs[t, b] = h, c
    return hs, cs


def _data(T, B, D, H, rng, opt=None, **kwargs):
    params = lstm.init_params(D, H, rng, options=opt, **kwargs)
    return (params, rng.standard_normal((T, B, D)), rng.standard_normal((B, H)),
            rng.standard_normal((B, H)))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("T, B, D, H", SHAPES)
def test_forward_equals_the_documented_equations(T, B, D, H, variant, rng):
    opt = _options(variant)
    params, xs, h0, c0 = _data(T, B, D, H, rng, opt)
    hs, cache = lstm.forward(xs, (h0, c0), params, opt)
    expected_hs, expected_cs = _plain_loop(xs, h0, c0, params, opt)
    assert hs.shape == cache.cs.shape == (T, B, H) and hs.dtype == np.float64
    assert_allclose(hs, expected_hs, rtol=0, atol=1e-12)
    assert_allclose(cache.cs, expected_cs, rtol=0, atol=1e-12)
    # step_forward chained T times is forward
    state = (h0, c0)
    for t in range(T):
        state, step = lstm.step_forward(xs[t], state, params, opt)
        assert_allclose(state[0], hs[t], rtol=0, atol=1e-14)
        assert_allclose(state[1], cache.cs[t], rtol=0, atol=1e-14)
        for gate in lstm.GATES:
            assert_allclose(getattr(step, gate), getattr(cache, gate)[t], rtol=0, atol=1e-14)


def test_forward_with_no_state_starts_from_zeros(rng):
    params, xs, _, _ = _data(4, 2, 2, 3, rng)
    zeros = np.zeros((2, 3))
    expected = lstm.forward(xs, (zeros, zeros), params)[0]
    assert_array_equal(lstm.forward(xs, None, params)[0], expected)
    assert_array_equal(lstm.forward(xs, (None, zeros), params)[0], expected)


def _check(xs, h0, c0, params, opt, rng, *, truncate=None, detached=False, with_cs=False):
    """check_layer on forward + backward; outputs hs and c_T (through dstate_last), or hs and
    cs (through dcs) with ``with_cs``; ``detached``: the truncated forward pass."""
    T = xs.shape[0]
    fixed = lstm.forward(xs.copy(), (h0.copy(), c0.copy()),
                         {k: v.copy() for k, v in params.items()}, opt)[1]

    def forward(inputs, p):
        hs, cache = lstm.forward(inputs["xs"], (inputs["h0"], inputs["c0"]), p, opt)
        if detached:  # the state carried into each later chunk is a constant
            pieces = [lstm.forward(inputs["xs"][s:s + truncate],
                                   (inputs["h0"], inputs["c0"]) if s == 0 else
                                   (fixed.hs[s - 1], fixed.cs[s - 1]), p, opt)
                      for s in range(0, T, truncate)]
            hs = np.concatenate([piece[0] for piece in pieces])
            c_last = pieces[-1][1].cs[-1]
        else:
            c_last = cache.cs[-1]
        return (hs, cache.cs if with_cs else c_last.copy()), cache

    def backward(douts, cache):
        dhs, extra = douts
        if with_cs:
            out = lstm.backward(dhs, cache, truncate=truncate, dcs=extra)
        else:
            out = lstm.backward(dhs, cache, (None, extra), truncate=truncate)
        dxs, (dh0, dc0), grads = out
        return {"xs": dxs, "h0": dh0, "c0": dc0}, grads

    return assert_layer_close(forward, backward, {"xs": xs, "h0": h0, "c0": c0}, params,
                              rng=rng)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("T, B, D, H", [(1, 1, 1, 1), (5, 2, 3, 3)])
def test_backward_passes_check_layer(T, B, D, H, variant, rng):
    opt = _options(variant)
    params, xs, h0, c0 = _data(T, B, D, H, rng, opt)
    report = _check(xs, h0, c0, params, opt, rng)
    assert max(report.relative_errors.values()) < 1e-7
    report = _check(xs, h0, c0, params, opt, rng, with_cs=True)
    assert max(report.relative_errors.values()) < 1e-7
    # truncation with a window k >= T is full BPTT, bit for bit
    _, cache = lstm.forward(xs, (h0, c0), params, opt)
    dhs = rng.standard_normal((T, B, H))
    full, cut = lstm.backward(dhs, cache), lstm.backward(dhs, cache, truncate=T)
    assert_array_equal(full[0], cut[0])
    assert all(np.array_equal(a, b) for a, b in zip(full[1], cut[1]))
    assert full[2].keys() == cut[2].keys() == params.keys()
    assert all(np.array_equal(full[2][k], cut[2][k]) for k in params)


@pytest.mark.parametrize("variant", ["default", "peepholes+coupled", "no_forget_gate"])
@pytest.mark.parametrize("T, B, k", [(1, 1, 1), (5, 1, 2), (7, 2, 3), (6, 2, 1)])
def test_truncated_backward_is_the_gradient_with_detached_chunk_starts(T, B, k, variant, rng):
    opt = _options(variant)
    params, xs, h0, c0 = _data(T, B, 2, 3, rng, opt)
    report = _check(xs, h0, c0, params, opt, rng, truncate=k, detached=True)
    assert max(report.relative_errors.values()) < 1e-7


def test_truncation_cuts_h_and_c_at_chunk_starts(rng):
    """A loss at the last step only: with k = 1 and 4, dxs before the last chunk are exactly
    0, inside it they equal full BPTT's; dh0 and dc0 are 0."""
    T, B, D, H = 10, 2, 2, 3
    params, xs, h0, c0 = _data(T, B, D, H, rng)
    _, cache = lstm.forward(xs, (h0, c0), params)
    dhs = np.zeros((T, B, H))
    dhs[-1] = rng.standard_normal((B, H))
    dxs_full, (dh0_full, dc0_full), g_full = lstm.backward(dhs, cache)
    for k in (1, 4):
        dxs_cut, (dh0_cut, dc0_cut), g_cut = lstm.backward(dhs, cache, truncate=k)
        start = (T - 1) // k * k
        assert_allclose(dxs_cut[start:], dxs_full[start:], rtol=1e-14, atol=0)
        assert not dxs_cut[:start].any() and np.abs(dxs_full[:start]).min() > 0
        assert not dh0_cut.any() and not dc0_cut.any()
        assert np.abs(dh0_full).min() > 0 and np.abs(dc0_full).min() > 0
        assert np.abs(g_cut["weight_hh"] - g_full["weight_hh"]).max() > 1e-6


def test_dstate_last_is_a_gradient_on_the_last_step(rng):
    T, B, H = 4, 2, 3
    params, xs, h0, c0 = _data(T, B, 2, H, rng)
    _, cache = lstm.forward(xs, (h0, c0), params)
    dhs, dh_T, dc_T = (rng.standard_normal((T, B, H)), rng.standard_normal((B, H)),
                       rng.standard_normal((B, H)))
    got = lstm.backward(dhs, cache, (dh_T, dc_T))
    dhs_last, dcs = dhs.copy(), np.zeros((T, B, H))
    dhs_last[-1] += dh_T
    dcs[-1] = dc_T
    expected = lstm.backward(dhs_last, cache, dcs=dcs)
    assert_allclose(got[0], expected[0], rtol=1e-14, atol=1e-15)
    for a, b in zip(got[1], expected[1]):
        assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_step_backward_passes_check_layer(rng):
    for variant in ("default", "peepholes", "peepholes+coupled", "no_output_activation"):
        opt = _options(variant)
        params = lstm.init_params(3, 4, rng, options=opt)
        inputs = {"x": rng.standard_normal((2, 3)), "h_prev": rng.standard_normal((2, 4)),
                  "c_prev": rng.standard_normal((2, 4))}

        def forward(i, p):
            return lstm.step_forward(i["x"], (i["h_prev"], i["c_prev"]), p, opt)

        def backward(douts, cache):
            dx, (dh_prev, dc_prev), grads = lstm.step_backward(*douts, cache)
            return {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev}, grads

        report = assert_layer_close(forward, backward, inputs, params, rng=rng)
        assert max(report.relative_errors.values()) < 1e-7


def _forced(params, gate, bias):
    """A copy of params with gate's rows of the weights zeroed and its total bias ``bias``."""
    H = params["weight_hh"].shape[1]
    rows = slice(ROWS[gate] * H, (ROWS[gate] + 1) * H)
    forced = {k: v.copy() for k, v in params.items()}
    for key in lstm.KEYS:
        forced[key][rows] = 0.0
    forced["bias_ih"][rows] = bias
    return forced, rows


def _run(params, opt, xs, h0, c0, dhs, dc_T):
    hs, cache = lstm.forward(xs, (h0, c0), params, opt)
    return hs, cache, lstm.backward(dhs, cache, (None, dc_T))


@pytest.mark.parametrize("option, gate", [("no_forget_gate", "f"), ("no_input_gate", "i"),
                                          ("no_output_gate", "o")])
def test_a_removed_gate_is_the_default_cell_with_that_gate_saturated_at_1(option, gate, rng):
    """sigma(40) is 1 in float64: the default cell with the gate's weights zeroed and bias 40
    computes the same numbers; the variant's gradients of the unused rows are exactly 0."""
    T, B, D, H = 5, 2, 3, 4
    params, xs, h0, c0 = _data(T, B, D, H, rng)
    forced, rows = _forced(params, gate, 40.0)
    dhs, dc_T = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    hs, cache, (dxs, dstate0, grads) = _run(forced, None, xs, h0, c0, dhs, dc_T)
    assert np.all(getattr(cache, gate) == 1.0)
    opt = lstm.Options(**{option: True})
    hs_v, cache_v, (dxs_v, dstate0_v, grads_v) = _run(params, opt, xs, h0, c0, dhs, dc_T)
    assert np.all(getattr(cache_v, gate) == 1.0)
    assert_allclose(hs_v, hs, rtol=1e-14, atol=1e-15)
    assert_allclose(cache_v.cs, cache.cs, rtol=1e-14, atol=1e-15)
    assert_allclose(dxs_v, dxs, rtol=1e-13, atol=1e-15)
    for a, b in zip(dstate0_v, dstate0):
        assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    for key in lstm.KEYS:
        assert not grads_v[key][rows].any() and not grads[key][rows].any()
        assert_allclose(grads_v[key], grads[key], rtol=1e-13, atol=1e-15)


def test_coupled_is_the_default_cell_with_forget_rows_minus_the_input_rows(rng):
    """sigma(-a) = 1 - sigma(a): f rows = -(i rows) gives f = 1 - i; with the rows tied, the
    default cell's gradient on the shared rows is d/d(i rows) - d/d(f rows)."""
    T, B, D, H = 5, 2, 3, 4
    params, xs, h0, c0 = _data(T, B, D, H, rng)
    tied = {k: v.copy() for k, v in params.items()}
    for key in lstm.KEYS:
        tied[key][H:2 * H] = -tied[key][:H]
    dhs, dc_T = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    hs, cache, (dxs, dstate0, grads) = _run(tied, None, xs, h0, c0, dhs, dc_T)
    opt = lstm.Options(coupled=True)
    hs_v, cache_v, (dxs_v, dstate0_v, grads_v) = _run(params, opt, xs, h0, c0, dhs, dc_T)
    assert_allclose(cache_v.f, 1 - cache_v.i, rtol=0, atol=0)
    assert_allclose(hs_v, hs, rtol=0, atol=1e-13)
    assert_allclose(cache_v.cs, cache.cs, rtol=0, atol=1e-13)
    assert_allclose(dxs_v, dxs, rtol=0, atol=1e-12)
    for key in lstm.KEYS:
        assert not grads_v[key][H:2 * H].any()
        assert_allclose(grads_v[key][:H], grads[key][:H] - grads[key][H:2 * H], atol=1e-12)
        assert_allclose(grads_v[key][2 * H:], grads[key][2 * H:], rtol=0, atol=1e-12)


def test_zero_peepholes_are_the_default_cell(rng):
    T, B, D, H = 5, 2, 3, 4
    opt = lstm.Options(peepholes=True)
    params, xs, h0, c0 = _data(T, B, D, H, rng, opt)
    for key in lstm.PEEPHOLE_KEYS:
        params[key][:] = 0.0
    dhs, dc_T = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    plain = {k: params[k] for k in lstm.KEYS}
    hs, _, (dxs, _, grads) = _run(plain, None, xs, h0, c0, dhs, dc_T)
    hs_v, _, (dxs_v, _, grads_v) = _run(params, opt, xs, h0, c0, dhs, dc_T)
    assert_allclose(hs_v, hs, rtol=1e-14, atol=1e-15)
    assert_allclose(dxs_v, dxs, rtol=1e-13, atol=1e-15)
    assert sorted(grads) == sorted(lstm.KEYS) and grads_v.keys() == params.keys()
    for key in lstm.KEYS:
        assert_allclose(grads_v[key], grads[key], rtol=1e-13, atol=1e-15)
    assert all(np.abs(grads_v[key]).max() > 1e-3 for key in lstm.PEEPHOLE_KEYS)


def test_unused_peepholes_get_zero_gradient(rng):
    for option, key in (("coupled", "weight_cf"), ("no_input_gate", "weight_ci"),
                        ("no_forget_gate", "weight_cf"), ("no_output_gate", "weight_co")):
        opt = lstm.Options(peepholes=True, **{option: True})
        params, xs, h0, c0 = _data(4, 2, 2, 3, rng, opt)
        _, cache = lstm.forward(xs, (h0, c0), params, opt)
        grads = lstm.backward(rng.standard_normal((4, 2, 3)), cache)[2]
        assert not grads[key].any()
        assert all(np.abs(grads[k]).max() > 0 for k in lstm.PEEPHOLE_KEYS if k != key)


@pytest.mark.parametrize("forced", ["no_forget_gate", "bias"])
def test_constant_error_carousel(forced, rng):
    """f = 1 (the option, or a forget bias of 40), an input gate open only at step 1 (a pulse
    through a weight of 160 against a bias of -80: i_1 = sigma(80) = 1, then i_t < 1e-34),
    W_hh = 0: c_1 is held for T steps, and a gradient on c_T arrives at c_0 unchanged,
    dL/dc_0 = dL/dc_T exactly."""
    T, B, D, H = 30, 2, 2, 3
    params, xs, h0, c0 = _data(T, B, D, H, rng)
    params["weight_hh"][:] = 0.0
    params["weight_ih"][:H] = 0.0
    params["weight_ih"][:H, 0] = 160.0
    params["bias_ih"][:H], params["bias_hh"][:H] = -80.0, 0.0
    xs[:, :, 0] = 0.0
    xs[0, :, 0] = 1.0  # the pulse
    opt = None
    if forced == "bias":
        params, _ = _forced(params, "f", 40.0)
        params["weight_hh"][:] = 0.0
    else:
        opt = lstm.Options(no_forget_gate=True)
    _, cache = lstm.forward(xs, (h0, c0), params, opt)
    assert np.all(cache.f == 1.0) and np.all(cache.i[0] == 1.0) and cache.i[1:].max() < 1e-34
    assert_array_equal(cache.cs[-1], cache.cs[0])  # the cell holds c_1
    dc_T = rng.standard_normal((B, H))
    dxs, (dh0, dc0), _ = lstm.backward(np.zeros((T, B, H)), cache, (None, dc_T))
    assert_array_equal(dc0, dc_T)
    assert not dh0.any()


def test_without_the_output_path_the_cell_gradient_is_the_product_of_forget_gates(rng):
    """dhs = 0, dstate_last = (0, dc_T), W_hh = 0: nothing reaches h, so dL/dc_0 =
    dL/dc_T * prod_t f_t, here with ordinary forget gates (a forget bias of 3)."""
    T, B, D, H = 12, 3, 2, 4
    params, xs, h0, c0 = _data(T, B, D, H, rng, forget_bias=3.0)
    params["weight_hh"][:] = 0.0
    _, cache = lstm.forward(xs, (h0, c0), params)
    dc_T = rng.standard_normal((B, H))
    _, (dh0, dc0), _ = lstm.backward(np.zeros((T, B, H)), cache, (np.zeros((B, H)), dc_T))
    product = np.prod(cache.f, axis=0)
    assert 0.05 < product.min() and product.max() < 1  # neither 1 nor vanished
    assert_allclose(dc0, dc_T * product, rtol=1e-13)
    assert not dh0.any()


def test_from_state_dict_reads_torch_names(rng):
    H, D = 3, 2
    sd = {f"{key}_l{layer}": rng.standard_normal(shape).astype(np.float32)
          for layer, d_in in ((0, D), (1, H))
          for key, shape in zip(lstm.KEYS, ((4 * H, d_in), (4 * H, H), (4 * H,), (4 * H,)))}
    for layer in (0, 1):
        params = lstm.from_state_dict(sd, layer=layer)
        assert sorted(params) == sorted(lstm.KEYS)
        for key in lstm.KEYS:
            assert params[key].dtype == np.float64
            assert_array_equal(params[key], sd[f"{key}_l{layer}"])
    hs, _ = lstm.forward(rng.standard_normal((2, 1, H)), None, params)
    assert hs.shape == (2, 1, H)
    del sd["bias_hh_l1"]
    with pytest.raises(ValueError, match="bias_hh_l1"):
        lstm.from_state_dict(sd, layer=1)
    sd["bias_hh_l1"] = np.zeros(4 * H + 1)
    with pytest.raises(ValueError, match="bias_hh_l1 must have shape"):
        lstm.from_state_dict(sd, layer=1)


def test_init_params_shapes_range_and_forget_bias(rng):
    D, H = 3, 50
    p = lstm.init_params(D, H, rng)
    assert {k: v.shape for k, v in p.items()} == {
        "weight_ih": (4 * H, D), "weight_hh": (4 * H, H), "bias_ih": (4 * H,),
        "bias_hh": (4 * H,)}
    assert all(v.dtype == np.float64 for v in p.values())
    assert all(np.abs(v).max() <= 1 / np.sqrt(H) for v in p.values())
    assert np.abs(p["weight_hh"]).max() > 0.9 / np.sqrt(H)
    q = lstm.init_params(D, H, rng, forget_bias=1.0, options=lstm.Options(peepholes=True))
    assert sorted(q) == sorted(lstm.KEYS + lstm.PEEPHOLE_KEYS)
    assert all(q[k].shape == (H,) and np.abs(q[k]).max() <= 1 / np.sqrt(H)
               for k in lstm.PEEPHOLE_KEYS)
    total = q["bias_ih"] + q["bias_hh"]
    assert np.all(total[H:2 * H] == 1.0)
    assert np.abs(total[:H]).max() > 0.5 / np.sqrt(H)  # the other gates keep their draw


def test_dtypes_follow_the_package_rule(rng):
    params, xs, h0, c0 = _data(4, 2, 3, 5, rng, lstm.Options(peepholes=True))
    opt = lstm.Options(peepholes=True)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs, cache = lstm.forward(xs.astype(np.float32), None, p32, opt)
    assert hs.dtype == cache.cs.dtype == cache.f.dtype == np.float32
    dxs, (dh0, dc0), grads = lstm.backward(np.ones((4, 2, 5), np.float32), cache)
    assert dxs.dtype == dh0.dtype == dc0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    assert_allclose(hs, lstm.forward(xs, None, params, opt)[0], atol=1e-5)
    # float32 data with float64 parameters: numpy's promotion
    assert lstm.forward(xs.astype(np.float32), None, params, opt)[0].dtype == np.float64


@pytest.mark.parametrize("call, error, message", [
    (lambda p, r: lstm.forward(np.zeros((5, 3)), None, p), ValueError,
     r"xs must have shape \(T, B, D\); got \(5, 3\)"),
    (lambda p, r: lstm.forward(np.zeros((5, 3, 4)), None, p), ValueError,
     r"params\['weight_ih'\] must have shape \(4H, D\) with 4H = 12, D = 4; got \(12, 2\)"),
    (lambda p, r: lstm.forward(np.zeros((5, 2, 2)), (np.zeros((2, 4)), None), p), ValueError,
     r"state0\[0\] must have shape \(B, H\) with B = 2, H = 3; got \(2, 4\)"),
    (lambda p, r: lstm.forward(np.zeros((5, 2, 2)), np.zeros((2, 3)), p), TypeError,
     r"state0 must be a pair \(h, c\)"),
    (lambda p, r: lstm.forward(np.zeros((5, 2, 2)), None, p, lstm.Options(peepholes=True)),
     ValueError, r"missing \['weight_ci', 'weight_cf', 'weight_co'\]"),
    (lambda p, r: lstm.forward(np.zeros((5, 2, 2)), None, p, {"coupled": True}), TypeError,
     "options must be an lstm.Options"),
    (lambda p, r: lstm.forward(np.zeros((5, 2, 2)), None, dict(p, weight_hh=np.zeros((3, 3)))),
     ValueError, r"params\['weight_hh'\] must have shape \(4H, H\) with 4H = 12"),
    (lambda p, r: lstm.backward(np.zeros((4, 1, 3)), lstm.forward(np.zeros((5, 1, 2)), None,
                                                                  p)[1]), ValueError,
     r"dhs must have shape \(T, B, H\) with T = 5, B = 1, H = 3; got \(4, 1, 3\)"),
    (lambda p, r: lstm.backward(np.zeros((5, 1, 3)), lstm.forward(np.zeros((5, 1, 2)), None,
                                                                  p)[1], truncate=True),
     TypeError, "truncate must be an int"),
    (lambda p, r: lstm.backward(np.zeros((5, 1, 3)), lstm.forward(np.zeros((5, 1, 2)), None,
                                                                  p)[1], dcs=np.zeros(3)),
     ValueError, r"dcs must have shape \(T, B, H\)"),
    (lambda p, r: lstm.init_params(2, True, r), TypeError, "H must be an int"),
    (lambda p, r: lstm.init_params(2, 0, r), ValueError, "H must be an int >= 1; got 0"),
    (lambda p, r: lstm.init_params(2, 3, r, forget_bias="1"), TypeError,
     "forget_bias must be a real number"),
    (lambda p, r: lstm.init_params(2, 3, 7), TypeError, "rng must be a numpy.random.Generator"),
    (lambda p, r: lstm.Options(coupled=True, no_forget_gate=True), ValueError,
     "coupled .* contradicts"),
    (lambda p, r: lstm.Options(coupled=True, no_input_gate=True), ValueError,
     "coupled .* contradicts"),
    (lambda p, r: lstm.Options(peepholes=1), TypeError, "Options.peepholes must be True or False"),
])
def test_bad_input_gives_clear_errors(call, error, message, rng):
    params = lstm.init_params(2, 3, rng)
    with pytest.raises(error, match=message):
        call(params, rng)
