import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import gradcheck


def make_problem(rng, B, D=3, H=4):
    """L = 1/2 ||tanh(X W + b) - Y||^2 with its analytic gradients."""
    X, Y = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    params = {"W": rng.normal(size=(D, H)), "b": rng.normal(size=H)}

    def loss(p):
        return 0.5 * float(np.sum((np.tanh(X @ p["W"] + p["b"]) - Y) ** 2))

    h = np.tanh(X @ params["W"] + params["b"])  # (B, H)
    dz = (h - Y) * (1 - h**2)  # (B, H)
    return loss, params, {"W": X.T @ dz, "b": dz.sum(axis=0)}


@pytest.mark.parametrize("B", [1, 5])
def test_numerical_gradient_matches_analytic(B, rng):
    loss, params, grads = make_problem(rng, B)
    numerical = gradcheck.numerical_gradient(loss, params)
    assert numerical.keys() == params.keys()
    for key in params:
        assert numerical[key].shape == params[key].shape
        assert_allclose(numerical[key], grads[key], rtol=1e-6, atol=1e-9)


def test_numerical_gradient_restores_params_exactly(rng):
    loss, params, _ = make_problem(rng, B=2)
    before = {key: p.copy() for key, p in params.items()}
    h = 1e-5
    # the test has teeth: undoing the steps arithmetically would not restore these values
    assert not np.array_equal(before["W"] + h - 2 * h + h, before["W"])
    gradcheck.numerical_gradient(loss, params, h)
    for key in params:
        assert np.array_equal(params[key], before[key])


def test_numerical_gradient_perturbs_the_callers_arrays():
    params = {"w": np.array([1.0, 2.0])}
    seen = []
    gradcheck.numerical_gradient(lambda p: seen.append(p["w"].copy()) or 0.0, params, h=0.5)
    assert_allclose(seen, [[1.5, 2.0], [0.5, 2.0], [1.0, 2.5], [1.0, 1.5]])


def test_relative_error():
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2) / 2)
    assert gradcheck.relative_error([2.0], [1.0]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match=r"same shape; got \(2,\) and \(3,\)"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("B", [1, 5])
def test_correct_gradient_passes(B, rng):
    loss, params, grads = make_problem(rng, B)
    report = gradcheck.assert_gradients_close(loss, params, grads)
    assert report.passed
    assert max(report.errors.values()) < 1e-7
    assert set(report.errors) == {"W", "b"}
    assert str(report).startswith("gradient check passed: worst relative error")


def test_wrong_gradient_fails_and_names_key_and_index(rng):
    loss, params, grads = make_problem(rng, B=4)
    grads["W"][2, 1] += 0.1
    report = gradcheck.check_gradients(loss, params, grads)
    assert not report.passed
    assert report.worst_key == "W" and report.worst_index == (2, 1)
    assert report.errors["W"] > 1e-7 > report.errors["b"]
    assert report.analytic - report.numerical == pytest.approx(0.1, rel=1e-5)
    message = str(report)
    assert message.startswith("gradient check FAILED for 'W': relative error ")
    assert "> 1e-07; worst entry W[2, 1]: analytic " in message
    with pytest.raises(AssertionError, match=r"FAILED for 'W'.*worst entry W\[2, 1\]"):
        gradcheck.assert_gradients_close(loss, params, grads)


def test_scalar_parameter_report():
    params = {"x": np.array(3.0)}
    report = gradcheck.check_gradients(lambda p: float(p["x"] ** 2), params, {"x": np.array(5.0)})
    assert report.worst_index == () and not report.passed
    assert "worst entry x: analytic 5, numerical 6" in str(report)


def test_validation_messages(rng):
    loss, params, grads = make_problem(rng, B=2)
    with pytest.raises(ValueError, match=r"keys of params \['W', 'b'\]; got \['W'\]"):
        gradcheck.check_gradients(loss, params, {"W": grads["W"]})
    with pytest.raises(ValueError, match=r"grads\['W'\] must have the shape of params\['W'\] "
                                         r"\(3, 4\); got \(4, 3\)"):
        gradcheck.check_gradients(loss, params, {"W": grads["W"].T, "b": grads["b"]})
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float64 ndarray .*; got int64"):
        gradcheck.numerical_gradient(loss, {"W": np.ones((3, 4), dtype=np.int64)})
    with pytest.raises(ValueError, match="at least one array"):
        gradcheck.check_gradients(loss, {}, {})


# check_layer ----------------------------------------------------------------------------------


def dense_forward(inputs, params):
    x, W, b = inputs["x"], params["W"], params["b"]
    return x @ W + b, (x, W)  # (B, H)


def dense_backward(dy, cache, bug=None):
    x, W = cache
    db = -dy.sum(axis=0) if bug == "sign term" else dy.sum(axis=0)
    return {"x": dy @ W.T}, {"W": x.T @ dy, "b": db}


def tanh_forward(inputs, params):
    y = np.tanh(inputs["x"])
    return y, y


def tanh_backward(dy, y):
    return {"x": dy * (1 - y**2)}, {}


def mean_loss_forward(inputs, params, targets):
    """0-d output: the batch mean of 1/2 ||x W + b - y||^2."""
    z = inputs["x"] @ params["W"] + params["b"]  # (B, H)
    return np.array(0.5 * np.mean(np.sum((z - targets) ** 2, axis=1))), (inputs["x"], params["W"],
                                                                        z - targets)


def mean_loss_backward(dloss, cache, bug=None):
    x, W, residual = cache
    dz = dloss * residual / len(x)  # (B, H)
    grads = {"W": x.T @ dz, "b": dz.sum(axis=0)}
    if bug == "missing 1/B":
        grads = {key: g * len(x) for key, g in grads.items()}
    return {"x": dz @ W.T}, grads


RNN_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def rnn_forward(inputs, params, both=False):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), PyTorch's (out, in) layout."""
    W_ih, W_hh, b_ih, b_hh = (params[key] for key in RNN_KEYS)
    h, hs, prevs = inputs["h0"], [], []
    for x in inputs["xs"]:  # x (B, D)
        prevs.append(h)
        h = np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)  # (B, H)
        hs.append(h)
    hs = np.stack(hs)  # (T, B, H)
    cache = (inputs["xs"].copy(), np.stack(prevs), hs, W_ih.copy(), W_hh.copy())
    return ((hs, hs[-1]) if both else hs), cache


def rnn_backward(dout, cache, bug=None):
    """Backpropagation through time; ``dout`` is dhs (T, B, H) or (dhs, dh_T)."""
    xs, prevs, hs, W_ih, W_hh = cache
    dhs, dh = (dout[0], dout[1].copy()) if isinstance(dout, tuple) else (dout, 0 * hs[0])
    grads = {"weight_ih": 0 * W_ih, "weight_hh": 0 * W_hh,
             "bias_ih": 0 * W_ih[:, 0], "bias_hh": 0 * W_hh[:, 0]}
    dxs = np.zeros_like(xs)
    for t in reversed(range(len(xs))):
        dz = (dhs[t] + dh) * (1 - hs[t] ** 2)  # (B, H)
        dxs[t] = dz @ W_ih
        grads["weight_ih"] += dz.T @ xs[t]
        grads["weight_hh"] += dz.T @ prevs[t]
        grads["bias_ih"] += dz.sum(axis=0)
        grads["bias_hh"] += dz.sum(axis=0)
        dh = dz @ W_hh  # (B, H)
    if bug == "transposed":
        grads["weight_hh"] = grads["weight_hh"].T.copy()
    if bug == "sign entry":
        grads["weight_ih"][1, 2] *= -1
    return {"xs": dxs, "h0": dh}, grads


def rnn_problem(rng, T, B, D=3, H=4):
    inputs = {"xs": rng.normal(size=(T, B, D)), "h0": rng.normal(size=(B, H))}
    shapes = {"weight_ih": (H, D), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,)}
    return inputs, {key: rng.normal(scale=0.5, size=shape) for key, shape in shapes.items()}


@pytest.mark.parametrize("B", [1, 5])
def test_check_layer_passes_dense_and_tanh_layers(B, rng):
    inputs, params = {"x": rng.normal(size=(B, 3))}, {"W": rng.normal(size=(3, 4)),
                                                      "b": rng.normal(size=4)}
    report = gradcheck.check_layer(dense_forward, dense_backward, inputs, params, rng=rng)
    assert report.passed, str(report)
    assert report.sizes == {"x": 3 * B, "W": 12, "b": 4}
    assert {key: len(flats) for key, flats in report.checked.items()} == report.sizes
    assert max(report.relative_errors.values()) < 1e-7
    assert str(report).startswith(f"layer check passed: {3 * B + 16} of {3 * B + 16} entries "
                                  "in 3 arrays; worst entry ")
    report = gradcheck.assert_layer_close(tanh_forward, tanh_backward,
                                          {"x": rng.normal(size=(B, 4))}, {}, rng=rng)
    assert report.passed and report.worst_kind == "input" and report.relative_errors["x"] < 1e-7


@pytest.mark.parametrize("T, B", [(1, 1), (1, 3), (4, 1), (5, 4)])
@pytest.mark.parametrize("both", [False, True])
def test_check_layer_passes_a_recurrent_layer(T, B, both, rng):
    inputs, params = rnn_problem(rng, T, B)
    report = gradcheck.check_layer(lambda i, p: rnn_forward(i, p, both), rnn_backward,
                                   inputs, params, rng=rng)
    assert report.passed, str(report)
    assert set(report.checked) == {"xs", "h0", *RNN_KEYS}
    assert max(report.relative_errors.values()) < 1e-7
    assert max(report.ratios.values()) < 0.1  # far inside the tolerance


def test_check_layer_catches_a_missing_one_over_batch(rng):
    inputs, params = {"x": rng.normal(size=(5, 3))}, {"W": rng.normal(size=(3, 4)),
                                                      "b": rng.normal(size=4)}
    targets = rng.normal(size=(5, 4))
    forward = lambda i, p: mean_loss_forward(i, p, targets)  # noqa: E731
    gradcheck.assert_layer_close(forward, mean_loss_backward, inputs, params, rng=rng)
    report = gradcheck.check_layer(forward, lambda d, c: mean_loss_backward(d, c, "missing 1/B"),
                                   inputs, params, rng=rng)
    assert not report.passed and report.worst_key in ("W", "b")
    assert report.worst_kind == "parameter"
    assert report.n_failed["x"] == 0 and report.n_failed["W"] == 12 and report.n_failed["b"] == 4
    assert report.analytic / report.numerical == pytest.approx(5, rel=1e-6)
    assert report.relative_errors["W"] == pytest.approx(4 / 6, rel=1e-6)  # (B - 1) / (B + 1)
    with pytest.raises(AssertionError, match=r"FAILED for parameter '[Wb]'.*also failing: '[Wb]'"):
        report.raise_if_failed()


def test_check_layer_catches_a_transposed_weight_gradient(rng):
    inputs, params = rnn_problem(rng, T=3, B=2)
    report = gradcheck.check_layer(rnn_forward, lambda d, c: rnn_backward(d, c, "transposed"),
                                   inputs, params, rng=rng)
    assert not report.passed
    assert report.worst_key == "weight_hh" and report.worst_kind == "parameter"
    assert [key for key, n in report.n_failed.items() if n] == ["weight_hh"]
    i, j = report.worst_index
    assert i != j and 0 < report.n_failed["weight_hh"] <= 4 * 3  # the diagonal is unchanged
    message = str(report)
    assert message.startswith("layer check FAILED for parameter 'weight_hh': ")
    assert f"worst entry weight_hh[{i}, {j}]: analytic " in message


@pytest.mark.parametrize("T", [1, 3])
def test_check_layer_catches_one_wrong_sign(T, rng):
    inputs, params = rnn_problem(rng, T, B=2)
    report = gradcheck.check_layer(rnn_forward, lambda d, c: rnn_backward(d, c, "sign entry"),
                                   inputs, params, rng=rng)
    assert not report.passed and report.worst_key == "weight_ih"
    assert report.worst_index == (1, 2) and report.n_failed == {
        "xs": 0, "h0": 0, "weight_ih": 1, "weight_hh": 0, "bias_ih": 0, "bias_hh": 0}
    assert report.analytic == pytest.approx(-report.numerical, rel=1e-6)
    with pytest.raises(AssertionError, match=r"1 of 12 checked entries fail; worst entry "
                                             r"weight_ih\[1, 2\]"):
        report.raise_if_failed()
    # one wrong sign in one term: the bias gradient of a dense layer
    inputs, params = {"x": rng.normal(size=(4, 3))}, {"W": rng.normal(size=(3, 2)),
                                                      "b": rng.normal(size=2)}
    report = gradcheck.check_layer(dense_forward, lambda d, c: dense_backward(d, c, "sign term"),
                                   inputs, params, rng=rng)
    assert not report.passed and report.worst_key == "b" and report.n_failed["b"] == 2
    assert report.n_failed["W"] == report.n_failed["x"] == 0


# never flag a correct vanishing gradient ------------------------------------------------------


def deep_sigmoid_problem(seed, sizes=(2, 3, 3, 3, 3, 3, 3, 3, 1), B=4):
    """A deep sigmoid MLP (x @ W layout, linear output): its first layers' gradients vanish."""
    gen = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = gen.normal(scale=np.sqrt(2 / (n_in + n_out)), size=(n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
    return params, gen.normal(size=(B, sizes[0])), gen.normal(size=(B, sizes[-1]))


def deep_forward(inputs, params):
    o, n_layers, cache = inputs["x"], len(params) // 2, []
    for l in range(1, n_layers + 1):
        z = o @ params[f"W{l}"] + params[f"b{l}"]  # (B, n_out)
        cache.append((o, params[f"W{l}"].copy()))
        o = 1 / (1 + np.exp(-z)) if l < n_layers else z
    return o, (cache, o)


def deep_backward(dy, caches, bug=None):
    cache, _ = caches
    grads, d = {}, dy
    for l in range(len(cache), 0, -1):
        o, W = cache[l - 1]
        grads[f"W{l}"], grads[f"b{l}"] = o.T @ d, d.sum(axis=0)
        d = d @ W.T * (o * (1 - o) if l > 1 else 1)  # sigmoid' from its output
    if bug == "sign entry":
        grads["W1"][1, 2] *= -1
    if bug == "transposed":
        grads["W3"] = grads["W3"].T.copy()
    return {"x": d}, grads


def deep_loss_and_grads(params, x, y, bug=None):
    """Batch-mean squared error and its gradients (``bug="missing 1/B"`` forgets the mean)."""
    out, caches = deep_forward({"x": x}, params)
    residual = out - y  # (B, 1)
    scale = 1 if bug == "missing 1/B" else 1 / len(x)
    return 0.5 * float(np.mean(np.sum(residual**2, axis=1))), deep_backward(
        scale * residual, caches)[1]


def test_a_correct_vanishing_gradient_is_never_flagged():
    old_rule_flags = 0
    for seed in range(10):
        params, x, y = deep_sigmoid_problem(seed)
        _, grads = deep_loss_and_grads(params, x, y)
        report = gradcheck.check_gradients(lambda p: deep_loss_and_grads(p, x, y)[0], params,
                                           grads)
        assert report.passed, f"seed {seed}: {report}"
        old_rule_flags += max(report.errors.values()) > 1e-7
        if seed < 2:
            layer = gradcheck.check_layer(deep_forward, deep_backward, {"x": x}, params,
                                          rng=np.random.default_rng(seed))
            assert layer.passed, f"seed {seed}: {layer}"
            assert np.linalg.norm(grads["W1"]) < 1e-3 * np.linalg.norm(grads["W8"])
    # the old rule (relative error <= 1e-7 per key) flags most of these correct networks
    assert old_rule_flags >= 8
    assert str(report).endswith("(tol 1e-07), within the finite-difference noise")


def test_planted_bugs_are_still_caught_where_the_gradient_vanishes():
    for seed in range(2):
        params, x, y = deep_sigmoid_problem(seed)
        for bug, key in (("sign entry", "W1"), ("transposed", "W3")):
            report = gradcheck.check_layer(deep_forward, lambda d, c: deep_backward(d, c, bug),
                                           {"x": x}, params, rng=np.random.default_rng(seed))
            assert not report.passed and report.worst_key == key, (bug, str(report))
            assert [k for k, n in report.n_failed.items() if n] == [key]
        _, wrong = deep_loss_and_grads(params, x, y, bug="missing 1/B")
        report = gradcheck.check_gradients(lambda p: deep_loss_and_grads(p, x, y)[0], params,
                                           wrong)
        assert not report.passed
        assert min(report.errors.values()) == pytest.approx(3 / 5, rel=1e-4)  # B = 4


def test_the_noise_floor_judges_a_gradient_buried_in_roundoff(rng):
    """L = sum(u * (1e4 + s sin w)): evaluating L rounds at ~1e4 eps, the slope is ~s."""
    s = 1e-3

    def forward(inputs, params):
        return 1e4 + s * np.sin(params["w"]), np.cos(params["w"])

    def backward(dy, cos, sign=1.0):
        return {}, {"w": sign * s * dy * cos}

    params = {"w": rng.normal(size=50)}
    report = gradcheck.check_layer(forward, backward, {}, params, rng=rng)
    assert report.passed, str(report)
    assert report.relative_errors["w"] > 1e-6  # the old rule would flag it
    assert 1e-7 < report.noise < 1e-4  # about eps * sum(|u|) * 1e4 / h
    wrong = gradcheck.check_layer(forward, lambda d, c: backward(d, c, -1.0), {}, params, rng=rng)
    assert not wrong.passed and wrong.n_failed["w"] >= 45  # all but the tiniest slopes


# sampling, restoring, validation --------------------------------------------------------------


def counting(forward):
    calls = []

    def counted(inputs, params):
        calls.append(1)
        return forward(inputs, params)

    return counted, calls


def test_sampling_checks_exactly_n_entries_per_array_deterministically(rng):
    inputs, params = rnn_problem(rng, T=3, B=2, D=5, H=6)  # xs 30, h0 12, weights 30 and 36
    forward, calls = counting(rnn_forward)
    report = gradcheck.check_layer(forward, rnn_backward, inputs, params,
                                   rng=np.random.default_rng(5), n_entries=7)
    assert report.passed, str(report)
    assert {key: len(flats) for key, flats in report.checked.items()} == {
        "xs": 7, "h0": 7, "weight_ih": 7, "weight_hh": 7, "bias_ih": 6, "bias_hh": 6}
    assert len(calls) == 1 + 4 * (4 * 7 + 2 * 6)  # one forward, then 2 steps x 2 signs each
    for key, flats in report.checked.items():
        assert len(set(flats)) == len(flats) and np.all(np.diff(flats) > 0)
    # the entry with the largest analytic gradient is always among them
    again = gradcheck.check_layer(rnn_forward, rnn_backward, inputs, params,
                                  rng=np.random.default_rng(5), n_entries=7)
    assert all(np.array_equal(again.checked[k], report.checked[k]) for k in report.checked)
    assert str(again) == str(report)
    other = gradcheck.check_layer(rnn_forward, rnn_backward, inputs, params,
                                  rng=np.random.default_rng(6), n_entries=7)
    assert any(not np.array_equal(other.checked[k], report.checked[k]) for k in ("xs", "h0"))


def test_sampling_always_includes_the_largest_gradient(rng):
    params = {"w": rng.normal(size=200)}
    scale = np.ones(200)
    scale[137] = 1e3

    def forward(inputs, p):
        return scale * p["w"], None

    report = gradcheck.check_layer(forward, lambda d, c: ({}, {"w": scale * d}), {}, params,
                                   rng=rng, n_entries=3)
    assert 137 in report.checked["w"] and len(report.checked["w"]) == 3
    # so a bug that blows one entry up is caught by any sample, even of one entry
    blown = np.ones(200)
    blown[42] = 30.0
    wrong = gradcheck.check_layer(lambda i, p: (1.0 * p["w"], None),
                                  lambda d, c: ({}, {"w": blown * d}), {},
                                  {"w": rng.normal(size=200)}, rng=rng, n_entries=1)
    assert not wrong.passed and wrong.worst_index == (42,)


def test_check_layer_restores_inputs_and_params_bit_for_bit(rng):
    inputs, params = rnn_problem(rng, T=2, B=2)
    inputs["xs"][0, 0, 0] = 0.1  # 0.1 + 1e-5 - 2e-5 + 1e-5 != 0.1 in floating point
    assert 0.1 + 1e-5 - 2e-5 + 1e-5 != 0.1
    before = {key: a.copy() for key, a in {**inputs, **params}.items()}
    gradcheck.check_layer(rnn_forward, rnn_backward, inputs, params, rng=rng)
    for key, a in {**inputs, **params}.items():
        assert np.array_equal(a, before[key])

    def failing(inputs, params, calls=[]):  # noqa: B006 -- counts its calls
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("forward failed")
        return rnn_forward(inputs, params)

    with pytest.raises(RuntimeError, match="forward failed"):
        gradcheck.check_layer(failing, rnn_backward, inputs, params, rng=rng)
    for key, a in {**inputs, **params}.items():
        assert np.array_equal(a, before[key])


def test_check_layer_validation(rng):
    inputs, params = {"x": rng.normal(size=(2, 3))}, {"W": rng.normal(size=(3, 4)),
                                                      "b": rng.normal(size=4)}

    def check(forward=dense_forward, backward=dense_backward, inputs=inputs, params=params,
              **options):
        options.setdefault("rng", rng)
        return gradcheck.check_layer(forward, backward, inputs, params, **options)

    with pytest.raises(TypeError, match=r"params\['W'\] must be a float64 ndarray .*float32"):
        check(params={**params, "W": params["W"].astype(np.float32)})
    with pytest.raises(TypeError, match=r"inputs\['x'\] must be a float64 ndarray .*got list"):
        check(inputs={"x": [[1.0, 2.0, 3.0]]})
    with pytest.raises(TypeError, match="outputs must be float64 .*; got float32"):
        check(forward=lambda i, p: (np.float32(1) * dense_forward(i, p)[0].astype(np.float32),
                                    None))
    with pytest.raises(TypeError, match="forward must return a pair"):
        check(forward=lambda i, p: dense_forward(i, p)[0])
    with pytest.raises(ValueError, match=r"backward's dparams must have the keys of params "
                                         r"\['W', 'b'\]; got \['W'\]"):
        check(backward=lambda d, c: (dense_backward(d, c)[0], {"W": dense_backward(d, c)[1]["W"]}))
    with pytest.raises(ValueError, match=r"dparams\['W'\] must have the shape of "
                                         r"params\['W'\] \(3, 4\); got \(4, 3\)"):
        check(backward=lambda d, c: (dense_backward(d, c)[0],
                                     {**dense_backward(d, c)[1], "W": np.zeros((4, 3))}))
    with pytest.raises(ValueError, match="'x' is both an input and a parameter"):
        check(params={**params, "x": np.ones(2)})
    with pytest.raises(ValueError, match="at least one entry"):
        check(inputs={}, params={})
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator; got int"):
        check(rng=0)
    with pytest.raises(TypeError, match="n_entries must be an int; got bool True"):
        check(n_entries=True)
    with pytest.raises(ValueError, match="n_entries must be an int >= 1; got 0"):
        check(n_entries=0)
    with pytest.raises(ValueError, match=r"h must be in \(0.0, inf\); got 0"):
        check(h=0)
    with pytest.raises(TypeError, match="rtol must be a real number; got str"):
        check(rtol="1e-7")
    with pytest.raises(TypeError, match="dinputs must be a dict of arrays; got list"):
        check(backward=lambda d, c: ([d], dense_backward(d, c)[1]))
    with pytest.raises(TypeError, match=r"forward must be callable\(inputs, params\)"):
        check(forward=None)
    with pytest.raises(ValueError, match="must be writeable"):
        frozen = params["W"].copy()
        frozen.flags.writeable = False
        check(params={**params, "W": frozen})
