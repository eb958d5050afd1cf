"""seqmodel: an RNN with a linear read-out; gradients by check_layer, errors, training through fit."""
import numpy as np
import pytest

from rnnlearn import optim, seqmodel
from rnnlearn.gradcheck import assert_layer_close


@pytest.mark.parametrize("call, error, message", [
    (lambda r: seqmodel.train(seqmodel.init_model(2, 3, 1, r), np.zeros((4, 5, 2)),
                              np.zeros((5, 1)), None, output="every"),
     ValueError, "output must be one of"),
    (lambda r: seqmodel.loss_and_grads(seqmodel.init_model(2, 3, 1, r), np.zeros((4, 5, 2)),
                                       np.zeros((4, 5, 1))), ValueError,
     r"ys must have shape \(5, 1\) for loss 'mse' and output 'last'; got \(4, 5, 1\)"),
    (lambda r: seqmodel.model_forward(np.zeros((4, 5, 2)), {k: v for k, v in
                                      seqmodel.init_model(2, 3, 1, r).items() if k != "head.bias"}),
     ValueError, r"params must have the keys \['head.weight', 'head.bias'\] too"),
    (lambda r: seqmodel.loss_and_grads(seqmodel.init_model(1, 3, 1, r), np.zeros((4, 5, 1)),
                                       np.zeros((4, 5, 1)), output="all",
                                       mask=np.ones((4, 5), dtype=int)), ValueError,
     "mask must be a bool array"),
    (lambda r: seqmodel.loss_and_grads(seqmodel.init_model(1, 3, 1, r), np.zeros((4, 5, 1)),
                                       np.zeros((5, 1)), mask=np.ones((4, 5), dtype=bool)),
     ValueError, "mask needs output='all'"),
    (lambda r: seqmodel.train(seqmodel.init_model(1, 3, 1, r), np.zeros((4, 5, 1)),
                              np.zeros((4, 5, 1)), None, output="all",
                              mask=np.ones((4, 6), dtype=bool)), ValueError,
     r"mask must have shape \(T, N\)"),
])
def test_bad_input_gives_clear_errors(call, error, message, rng):
    with pytest.raises(error, match=message):
        call(rng)


@pytest.mark.parametrize("output, loss", [("last", "mse"), ("all", "mse"),
                                          ("all", "cross_entropy"), ("last", "cross_entropy")])
def test_model_gradients_pass_check_layer(output, loss, rng):
    T, B, D, H, O = 5, 3, 2, 4, 3
    params = seqmodel.init_model(D, H, O, rng)
    xs = rng.standard_normal((T, B, D))
    shape = (B,) if output == "last" else (T, B)
    ys = (rng.standard_normal(shape + (O,)) if loss == "mse" else rng.integers(0, O, shape))

    def forward(inputs, p):
        value, _ = seqmodel.loss_and_grads(p, xs, ys, output=output, loss=loss)
        return np.array([value]), None

    def backward(dvalue, _):
        _, grads = seqmodel.loss_and_grads(params, xs, ys, output=output, loss=loss)
        return {}, {k: g * dvalue[0] for k, g in grads.items()}

    assert_layer_close(forward, backward, {}, params, rng=rng)
    assert seqmodel.model_forward(xs, params, output=output)[0].shape == shape + (O,)

    def model_backward(dout, cache):
        dxs, dh0, grads = seqmodel.model_backward(dout, cache)
        return {"xs": dxs, "h0": dh0}, grads

    assert_layer_close(lambda i, p: seqmodel.model_forward(i["xs"], p, h0=i["h0"], output=output),
                       model_backward, {"xs": xs, "h0": rng.standard_normal((B, H))}, params,
                       rng=rng)


def test_train_fits_a_tiny_task_through_fit(rng):
    """Many-to-one: output the first input of a 5-step sequence (needs memory)."""
    xs = rng.standard_normal((5, 64, 1))
    ys = xs[0].copy()  # (64, 1)
    params = seqmodel.init_model(1, 8, 1, rng)
    first, _ = seqmodel.loss_and_grads(params, xs, ys)
    history = seqmodel.train(params, xs, ys, optim.Adam(lr=0.02), epochs=60, batch_size=16, rng=rng,
                        clip=5.0)
    assert len(history.losses) == 60 * 4 and history.epoch_losses.shape == (60,)
    final, _ = seqmodel.loss_and_grads(params, xs, ys)
    assert final < 0.05 * first


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_mask_counts_only_the_chosen_steps(loss, rng):
    """The masked loss is the loss of the kept steps alone; its gradient passes check_layer."""
    T, B, D, H, O = 6, 4, 2, 3, 3
    params = seqmodel.init_model(D, H, O, rng)
    xs = rng.standard_normal((T, B, D))
    ys = rng.standard_normal((T, B, O)) if loss == "mse" else rng.integers(0, O, (T, B))
    mask = rng.random((T, B)) < 0.5
    mask[0, 0] = True
    value, grads = seqmodel.loss_and_grads(params, xs, ys, output="all", loss=loss, mask=mask)
    out, _ = seqmodel.model_forward(xs, params, output="all")
    if loss == "mse":
        expected = 0.5 * ((out - ys)[mask] ** 2).sum(axis=-1).mean()  # mse: a mean over rows
    else:
        logp = out - np.log(np.exp(out).sum(axis=-1, keepdims=True))
        expected = -np.take_along_axis(logp, ys[..., None], axis=-1)[..., 0][mask].mean()
    np.testing.assert_allclose(value, expected, rtol=1e-12)

    def forward(inputs, p):
        v, _ = seqmodel.loss_and_grads(p, xs, ys, output="all", loss=loss, mask=mask)
        return np.array([v]), None

    def backward(dvalue, _):
        return {}, {k: g * dvalue[0] for k, g in grads.items()}

    assert_layer_close(forward, backward, {}, params, rng=rng)


CELL_CASES = [("lstm", None), ("lstm", "peepholes"), ("gru", None), ("gru", "before")]


def _cell_kwargs(cell, variant):
    from rnnlearn import lstm
    if cell == "lstm":
        return {"options": lstm.Options(peepholes=True)} if variant else None
    return {"reset": variant} if variant else None


@pytest.mark.parametrize("cell, variant", CELL_CASES)
@pytest.mark.parametrize("output", ["last", "all"])
def test_lstm_and_gru_models_pass_check_layer(cell, variant, output, rng):
    T, B, D, H, O = 4, 2, 3, 3, 2
    from rnnlearn import lstm
    options = lstm.Options(peepholes=True) if (cell, variant) == ("lstm", "peepholes") else None
    params = seqmodel.init_model(D, H, O, rng, cell=cell, options=options)
    kw = {"cell": cell, "cell_options": _cell_kwargs(cell, variant), "output": output}
    xs = rng.standard_normal((T, B, D))
    ys = rng.standard_normal(((B,) if output == "last" else (T, B)) + (O,))

    def forward(inputs, p):
        value, _ = seqmodel.loss_and_grads(p, inputs["xs"], ys, **kw)
        return np.array([value]), None

    def backward(dvalue, _):
        out, cache = seqmodel.model_forward(xs, params, **kw)
        from rnnlearn import losses
        value, loss_cache = losses.mse(out.reshape(-1, O), ys.reshape(-1, O))
        dout = losses.mse_backward(loss_cache).reshape(out.shape) * dvalue[0]
        dxs, _, grads = seqmodel.model_backward(dout, cache)
        return {"xs": dxs}, grads

    assert_layer_close(forward, backward, {"xs": xs}, params, rng=rng)


def test_the_cell_changes_the_model_and_its_cache(rng):
    from rnnlearn import gru, lstm
    xs = rng.standard_normal((5, 2, 3))
    for cell, module in (("lstm", lstm), ("gru", gru)):
        params = seqmodel.init_model(3, 4, 1, np.random.default_rng(0), cell=cell)
        assert params["weight_hh"].shape == ({"lstm": 16, "gru": 12}[cell], 4)
        out, cache = seqmodel.model_forward(xs, params, cell=cell)
        hs, _ = module.forward(xs, None, params)
        np.testing.assert_allclose(cache.cell.hs, hs)
        np.testing.assert_allclose(out, hs[-1] @ params["head.weight"].T + params["head.bias"])
        assert cache.kind == cell
    params = seqmodel.init_model(3, 4, 1, rng, cell="lstm", forget_bias=1.0)
    assert np.allclose((params["bias_ih"] + params["bias_hh"])[4:8], 1.0)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"cell": "lstm", "init": "orthogonal"}, ValueError, "init and scale apply to cell='rnn'"),
    ({"cell": "gru", "forget_bias": 1.0}, ValueError, "forget_bias and options apply"),
    ({"cell": "elman"}, ValueError, "cell must be one of"),
])
def test_init_model_refuses_options_of_another_cell(kwargs, error, message, rng):
    with pytest.raises(error, match=message):
        seqmodel.init_model(2, 3, 1, rng, **kwargs)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"cell": "gru", "nonlinearity": "relu"}, ValueError, "nonlinearity applies to cell='rnn'"),
    ({"cell": "gru", "cell_options": {"options": None}}, ValueError, r"may hold \['reset'\]"),
    ({"cell": "lstm", "cell_options": ["reset"]}, TypeError, "cell_options must be a dict"),
])
def test_model_forward_refuses_mixed_cell_options(kwargs, error, message, rng):
    params = seqmodel.init_model(2, 3, 1, rng, cell=kwargs["cell"])
    with pytest.raises(error, match=message):
        seqmodel.model_forward(np.zeros((4, 2, 2)), params, **kwargs)


def test_train_fits_with_an_lstm_cell_through_fit(rng):
    """A memory of one step: y = x_{T-1}; the trained LSTM beats predicting 0 by far."""
    xs = rng.choice([-1.0, 1.0], size=(6, 64, 1))
    ys = xs[-2]
    params = seqmodel.init_model(1, 8, 1, np.random.default_rng(1), cell="lstm", forget_bias=1.0)
    before, _ = seqmodel.loss_and_grads(params, xs, ys, cell="lstm")
    history = seqmodel.train(params, xs, ys, optim.Adam(lr=0.05), epochs=150, cell="lstm")
    after, _ = seqmodel.loss_and_grads(params, xs, ys, cell="lstm")
    assert history.losses[0] == pytest.approx(before)
    assert after < 0.02 * before
