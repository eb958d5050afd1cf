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
