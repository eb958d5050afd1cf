
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import mlp, optim
from rnnlearn.gradcheck import assert_gradients_close, assert_layer_close, check_gradients

ACTIVATIONS = ["sigmoid", "tanh", "relu"]


def test_init_params_keys_shapes_and_zero_biases(rng):
    params = mlp.init_params([3, 5, 4, 2], rng)
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [params[f"W{l}"].shape for l in (1, 2, 3)] == [(3, 5), (5, 4), (4, 2)]
    assert all(params[f"b{l}"].shape == (n,) and not params[f"b{l}"].any()
               for l, n in ((1, 5), (2, 4), (3, 2)))


@pytest.mark.parametrize("scale, expected_std", [
    ("xavier", np.sqrt(2 / (300 + 500))), ("he", np.sqrt(2 / 300)), (0.05, 0.05)])
def test_init_params_weight_scale(scale, expected_std, rng):
    W = mlp.init_params([300, 500], rng, scale)["W1"]
    assert W.std() == pytest.approx(expected_std, rel=0.01)
    assert abs(W.mean()) < 0.01 * expected_std


def test_init_params_is_reproducible_from_the_generator():
    a = mlp.init_params([2, 4, 1], np.random.default_rng(7))
    b = mlp.init_params([2, 4, 1], np.random.default_rng(7))
    assert all(np.array_equal(a[key], b[key]) for key in a)


@pytest.mark.parametrize("sizes, scale, message", [
    ([3], "xavier", r"sizes must be a list of at least two positive ints; got \[3\]"),
    ([3, 0, 2], "xavier", r"sizes must be a list of at least two positive ints; got \[3, 0, 2\]"),
    ([3, 2], "glorot", r"scale must be 'xavier', 'he' or a number >= 0; got 'glorot'"),
    ([3, 2], -1.0, r"scale must be 'xavier', 'he' or a number >= 0; got -1.0"),
])
def test_init_params_rejects_bad_input(sizes, scale, message, rng):
    with pytest.raises(ValueError, match=message):
        mlp.init_params(sizes, rng, scale)


def test_init_params_requires_a_generator():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator; got int"):
        mlp.init_params([2, 2], 0)


def test_dense_forward_follows_the_book_formula(rng):
    x, W, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    net, _ = mlp.dense_forward(x, W, b)
    for batch in range(2):
        for j in range(4):  # net_j = sum_i w_ij o_i + b_j
            assert net[batch, j] == pytest.approx(sum(W[i, j] * x[batch, i] for i in range(3)) + b[j])


@pytest.mark.parametrize("B", [1, 4])
def test_dense_backward_passes_gradient_check(B, rng):
    def backward(dnet, cache):
        dx, dW, db = mlp.dense_backward(dnet, cache)
        return {"x": dx}, {"W": dW, "b": db}

    assert_layer_close(lambda i, p: mlp.dense_forward(i["x"], p["W"], p["b"]), backward,
                       {"x": rng.normal(size=(B, 3))},
                       {"W": rng.normal(size=(3, 5)), "b": rng.normal(size=5)}, rng=rng)


@pytest.mark.parametrize("x, W, b, message", [
    (np.zeros(3), np.zeros((3, 2)), np.zeros(2), r"x must have shape \(B, D\); got \(3,\)"),
    (np.zeros((1, 3)), np.zeros((4, 2)), np.zeros(2), r"W must have shape \(D, H\) with D = 3; got \(4, 2\)"),
    (np.zeros((1, 3)), np.zeros((3, 2)), np.zeros(3), r"b must have shape \(H,\) with H = 2; got \(3,\)"),
])
def test_dense_forward_rejects_bad_shapes(x, W, b, message):
    with pytest.raises(ValueError, match=message):
        mlp.dense_forward(x, W, b)


def test_dense_backward_rejects_bad_shape(rng):
    _, cache = mlp.dense_forward(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"dnet must have shape \(B, H\) with B = 2, H = 4; got \(4, 2\)"):
        mlp.dense_backward(np.zeros((4, 2)), cache)


def network(rng, B, activation, loss):
    """A 3-4-5-K network, inputs and targets; relu's nets are kept away from the kink at 0."""
    params = mlp.init_params([3, 4, 5, 2 if loss == "mse" else 3], rng, scale=1.0)
    for key in ("b1", "b2"):
        params[key] = rng.normal(size=params[key].shape)
    x = rng.normal(size=(B, 3))
    y = rng.normal(size=(B, 2)) if loss == "mse" else rng.integers(0, 3, size=B)
    _, caches = mlp.forward(x, params, activation)
    assert min(np.abs(c.net).min() for c in caches) > 1e-3  # finite differences stay on one side
    return params, x, y


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("B", [1, 4])
def test_loss_and_grads_passes_gradient_check(B, activation, loss, rng):
    params, x, y = network(rng, B, activation, loss)
    value, grads = mlp.loss_and_grads(params, x, y, activation, loss)
    assert value == mlp.loss_and_grads(params, x, y, activation, loss)[0]
    report = assert_gradients_close(lambda p: mlp.loss_and_grads(p, x, y, activation, loss)[0],
                                    params, grads)
    assert max(report.errors.values()) < 1e-7


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("B", [1, 4])
def test_backward_gives_input_gradient(B, activation, output, rng):
    params, x, _ = network(rng, B, activation, "mse")

    def backward(dout, caches):
        dx, grads = mlp.backward(dout, caches)
        return {"x": dx}, grads

    assert_layer_close(lambda i, p: mlp.forward(i["x"], p, activation, output), backward,
                       {"x": x}, params, rng=rng)


def test_forward_output_activation_is_applied_to_the_last_layer_only(rng):
    params, x, _ = network(rng, 3, "tanh", "mse")
    linear, caches = mlp.forward(x, params, "tanh")
    squashed, _ = mlp.forward(x, params, "tanh", output="sigmoid")
    assert_allclose(linear, caches[-1].net)
    assert_allclose(squashed, 1 / (1 + np.exp(-linear)))
    assert_allclose(caches[0].dense.x, x)
    assert_allclose(caches[1].dense.x, np.tanh(caches[0].net))


def test_a_wrong_gradient_is_caught(rng):
    params, x, y = network(rng, 2, "tanh", "mse")
    _, grads = mlp.loss_and_grads(params, x, y, "tanh")
    grads["W2"] = grads["W2"] * 1.001
    report = check_gradients(lambda p: mlp.loss_and_grads(p, x, y, "tanh")[0], params, grads)
    assert not report.passed and report.worst_key == "W2"


def test_layer_grad_norms_orders_layers_numerically(rng):
    grads = mlp.init_params([2] * 12, rng)  # 11 layers: W10 and W11 must come after W9
    norms = mlp.layer_grad_norms(grads)
    assert_allclose(norms, [np.linalg.norm(grads[f"W{l}"]) for l in range(1, 12)])


def test_sigmoid_gradients_vanish_towards_the_input(rng):
    params = mlp.init_params([4] + [16] * 6 + [1], rng)
    x, y = rng.normal(size=(64, 4)), rng.normal(size=(64, 1))
    _, grads = mlp.loss_and_grads(params, x, y, "sigmoid")
    norms = mlp.layer_grad_norms(grads)
    assert norms[0] < 0.05 * norms[-1]
    _, grads = mlp.loss_and_grads(params, x, y, "tanh")
    assert mlp.layer_grad_norms(grads)[0] > 5 * norms[0]


@pytest.mark.parametrize("params, message", [
    ({"W1": np.zeros((2, 3))}, r"params must have keys W1, b1, ..., Wn, bn; got \['W1'\]"),
    ({"W1": np.zeros((2, 3)), "b1": np.zeros(2)}, r"W1 must be \(n_in, n_out\) and b1 \(n_out,\); got \(2, 3\), \(2,\)"),
    ({"W1": np.zeros((2, 3)), "b1": np.zeros(3), "W2": np.zeros((4, 1)), "b2": np.zeros(1)},
     r"W2 must have 3 rows to follow W1; got \(4, 1\)"),
])
def test_forward_rejects_bad_params(params, message):
    with pytest.raises(ValueError, match=message):
        mlp.forward(np.zeros((1, 2)), params)


def test_forward_rejects_bad_input_and_names(rng):
    params = mlp.init_params([2, 3, 1], rng)
    with pytest.raises(ValueError, match=r"x must have shape \(B, 2\); got \(4, 3\)"):
        mlp.forward(np.zeros((4, 3)), params)
    with pytest.raises(ValueError, match="activation must be one of .*; got 'softplus'"):
        mlp.forward(np.zeros((4, 2)), params, "softplus")
    with pytest.raises(ValueError, match=r"output must be one of \['linear', 'relu', 'sigmoid', 'tanh'\]; got 'softmax'"):
        mlp.forward(np.zeros((4, 2)), params, output="softmax")
    with pytest.raises(ValueError, match=r"loss must be one of \['cross_entropy', 'mse'\]; got 'hinge'"):
        mlp.loss_and_grads(params, np.zeros((4, 2)), np.zeros((4, 1)), loss="hinge")
    _, caches = mlp.forward(np.zeros((4, 2)), params)
    with pytest.raises(ValueError, match=r"dout must have the output's shape \(B, K\) = \(4, 1\); got \(4,\)"):
        mlp.backward(np.zeros(4), caches)


def blobs(rng, n=200):
    """Two Gaussian blobs in 2-D, labels 0 and 1."""
    labels = rng.integers(0, 2, size=n)
    x = rng.normal(size=(n, 2)) * 0.7 + np.where(labels[:, None] == 1, 1.5, -1.5)
    return x, labels


def test_full_batch_epoch_is_one_step_on_the_whole_data(rng):
    x, labels = blobs(rng)
    params = mlp.init_params([2, 8, 2], rng)
    by_hand = {key: p.copy() for key, p in params.items()}
    history = mlp.train(params, x, labels, optim.SGD(0.5), epochs=1, activation="tanh", loss="cross_entropy")
    loss, grads = mlp.loss_and_grads(by_hand, x, labels, "tanh", "cross_entropy")
    optim.SGD(0.5).step(by_hand, grads)
    assert history.losses[0] == pytest.approx(loss, rel=1e-14)
    assert_allclose(history.grad_norms[0], mlp.layer_grad_norms(grads), rtol=1e-14)
    for key in params:
        assert_allclose(params[key], by_hand[key], rtol=1e-14)


class RecordingSGD(optim.SGD):
    """SGD that records the layer gradient norms of every step."""

    def __init__(self, lr):
        super().__init__(lr)
        self.norms = []

    def step(self, params, grads):
        self.norms.append(mlp.layer_grad_norms(grads))
        super().step(params, grads)


@pytest.mark.parametrize("mode, batch_size, steps_per_epoch", [
    (None, None, 1), ("batch", None, 1), ("online", None, 50), (None, 1, 50),
    ("minibatch", 16, 4), (None, 16, 4), (None, 50, 1)])
def test_train_modes_take_the_right_number_of_steps(mode, batch_size, steps_per_epoch, rng):
    x, labels = blobs(rng, n=50)
    params = mlp.init_params([2, 3, 2], rng)
    optimizer = RecordingSGD(0.1)
    history = mlp.train(params, x, labels, optimizer, epochs=3, batch_size=batch_size, mode=mode,
                        rng=rng, loss="cross_entropy")
    assert len(optimizer.norms) == 3 * steps_per_epoch
    assert history.losses.shape == (3,) and history.grad_norms.shape == (3, 2)
    per_epoch = np.reshape(optimizer.norms, (3, steps_per_epoch, 2)).mean(axis=1)
    assert_allclose(history.grad_norms, per_epoch, rtol=1e-13)


@pytest.mark.parametrize("batch_size", [1, 16, 50])
def test_epoch_loss_is_the_mean_over_all_examples(batch_size, rng):
    x, labels = blobs(rng, n=50)
    params = mlp.init_params([2, 3, 2], rng)
    full, _ = mlp.loss_and_grads(params, x, labels, loss="cross_entropy")
    history = mlp.train(params, x, labels, optim.SGD(1e-12), 1, batch_size=batch_size, rng=rng,
                        loss="cross_entropy")  # a step so small that params stay put
    assert history.losses[0] == pytest.approx(full, rel=1e-9)


def test_train_learns_two_blobs_and_calls_back(rng):
    x, labels = blobs(rng)
    params = mlp.init_params([2, 16, 16, 2], rng)
    seen = []
    history = mlp.train(params, x, labels, optim.Adam(0.01), epochs=20, batch_size=20, rng=rng,
                        activation="tanh", loss="cross_entropy",
                        callback=lambda epoch, loss, p: seen.append((epoch, loss, p is params)))
    assert [s[0] for s in seen] == list(range(20)) and all(s[2] for s in seen)
    assert_allclose([s[1] for s in seen], history.losses)
    assert history.losses[-1] < 0.2 * history.losses[0]
    out, _ = mlp.forward(x, params, "tanh")
    assert np.mean(out.argmax(axis=1) == labels) > 0.95


def test_train_shuffles_with_the_given_generator(rng):
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    start = mlp.init_params([2, 4, 1], rng)
    runs = []
    for seed in (1, 1, 2):
        params = {key: p.copy() for key, p in start.items()}
        runs.append(mlp.train(params, x, y, optim.SGD(0.1), 2, batch_size=4,
                              rng=np.random.default_rng(seed)).losses)
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(epochs=0), ValueError, "epochs must be an int >= 1; got 0"),
    (dict(epochs=True), TypeError, "epochs must be an int; got bool True"),
    (dict(batch_size=2.0), TypeError, r"batch_size must be an int in \[1, 10\] or None; got 2.0"),
    (dict(callback=3), TypeError, r"callback must be callable\(epoch, loss, params\); got int"),
    (dict(batch_size=11), ValueError, r"batch_size must be an int in \[1, 10\] or None; got 11"),
    (dict(mode="stochastic"), ValueError, r"mode must be one of \('online', 'batch', 'minibatch'\) or None; got 'stochastic'"),
    (dict(mode="minibatch"), ValueError, "mode 'minibatch' needs a batch_size; got None"),
    (dict(mode="online", batch_size=4), ValueError, "mode 'online' means batch_size 1; got 4"),
    (dict(mode="batch", batch_size=4), ValueError, "mode 'batch' means batch_size 10; got 4"),
    (dict(batch_size=4, rng=None), TypeError, "rng must be a numpy.random.Generator to shuffle batches; got NoneType"),
    (dict(optimizer="sgd"), TypeError, r"optimizer must have a step\(params, grads\) method; got str"),
    (dict(x=np.zeros(10)), ValueError, r"x must have shape \(N, D\); got \(10,\)"),
    (dict(y=np.zeros((9, 1))), ValueError, "y must have N = 10 rows like x; got 9"),
])
def test_train_rejects_bad_input(kwargs, error, message, rng):
    args = dict(params=mlp.init_params([2, 3, 1], rng), x=np.zeros((10, 2)), y=np.zeros((10, 1)),
                optimizer=optim.SGD(0.1), epochs=1, rng=rng)
    with pytest.raises(error, match=message):
        mlp.train(**{**args, **kwargs})


def reference_train(params, x, y, optimizer, epochs, size, rng, activation, loss, callback):
    """mlp.train as it was before it used training.fit (commit 6cf5d8c), kept as the reference."""
    count, n = mlp.n_layers(params), len(x)
    starts = range(0, n, size)
    losses, grad_norms = np.empty(epochs), np.empty((epochs, count))
    for epoch in range(epochs):
        order = rng.permutation(n) if size < n else slice(None)
        xs, ys = x[order], y[order]
        total, norms = 0.0, np.zeros(count)
        for start in starts:
            batch = slice(start, start + size)
            value, grads = mlp.loss_and_grads(params, xs[batch], ys[batch], activation, loss)
            optimizer.step(params, grads)
            total += value * len(xs[batch])
            norms += mlp.layer_grad_norms(grads)
        losses[epoch] = total / n
        grad_norms[epoch] = norms / len(starts)
        callback(epoch, losses[epoch], params)
    return losses, grad_norms


@pytest.mark.parametrize("size, loss", [(1, "mse"), (7, "cross_entropy"), (30, "cross_entropy")])
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_train_is_bit_identical_to_the_old_loop(size, loss, name):
    """The same seeded run through the reference loop and through mlp.train (training.fit)."""
    gen = np.random.default_rng(5)
    x = gen.normal(size=(30, 2))
    y = gen.normal(size=(30, 1)) if loss == "mse" else gen.integers(0, 2, size=30)
    start = mlp.init_params([2, 5, 1 if loss == "mse" else 2], gen)
    runs = []
    for train in ("old", "new"):
        params = {key: p.copy() for key, p in start.items()}
        seen = []
        record = lambda epoch, value, p: seen.append((epoch, value, p["W1"].copy()))  # noqa: E731
        args = (params, x, y, optim.make(name, lr=0.05), 4)
        if train == "old":
            got = reference_train(*args, size, np.random.default_rng(9), "tanh", loss, record)
        else:
            h = mlp.train(*args, batch_size=size, rng=np.random.default_rng(9),
                          activation="tanh", loss=loss, callback=record)
            got = (h.losses, h.grad_norms)
        runs.append((got, params, seen))
    (old, old_params, old_seen), (new, new_params, new_seen) = runs
    assert np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1])
    assert all(np.array_equal(old_params[k], new_params[k]) for k in start)
    assert [s[:2] for s in old_seen] == [s[:2] for s in new_seen]
    assert all(np.array_equal(a[2], b[2]) for a, b in zip(old_seen, new_seen))


def test_train_keeps_the_optimiser_state_unless_reset(rng):
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    start = mlp.init_params([2, 3, 1], rng)
    copy = lambda: {k: v.copy() for k, v in start.items()}  # noqa: E731
    fresh = mlp.train(copy(), x, y, optim.Momentum(0.1), 2).losses
    after = {}
    for reset in (False, True):
        opt = optim.Momentum(0.1)
        mlp.train(copy(), x, y, opt, 1)  # leaves a momentum buffer behind
        after[reset] = mlp.train(copy(), x, y, opt, 2, reset=reset).losses
    assert np.array_equal(after[True], fresh)  # reset: as if the optimiser were new
    assert not np.array_equal(after[False], fresh)  # kept: the old momentum pushes


def test_caches_hold_data_only(rng):
    params = mlp.init_params([3, 4, 2], rng)
    _, caches = mlp.forward(rng.normal(size=(2, 3)), params, "tanh", output="sigmoid")
    assert [c.activation for c in caches] == ["tanh", "sigmoid"]
    for cache in caches:
        assert not any(callable(field) for field in cache)
        assert all(isinstance(a, np.ndarray) for a in (cache.net, cache.dense.x, cache.dense.W))
