"""A multilayer perceptron written out layer by layer: forward pass, backpropagation, training.

Used by the chapter "backprop". A layer l maps its input o (B, n_in) to net = o @ W_l + b_l with
W_l of shape (n_in, n_out), so the weight w_ij (row i, column j) connects input unit i to unit j:

    net_j = sum_i w_ij o_i + b_j,   o_j = phi(net_j),   delta_j = dL/dnet_j.

Hidden layers apply the activation phi; the last layer is linear unless asked otherwise (the
softmax lives in the cross-entropy loss). Parameters are a dict {"W1", "b1", "W2", "b2", ...},
layer 1 next to the input, so any optimiser in :mod:`rnnlearn.optim` can train them.

This ``x @ W`` layout with W of shape (n_in, n_out) is the book's notation for the MLP; the
recurrent kernels use PyTorch's ``(out, in)`` layout instead (see :mod:`rnnlearn`).
Caches are NamedTuples of arrays (and an activation's name): no callables.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn import activations, losses, training
from rnnlearn._checks import check_array, check_choice, check_int, check_rng

LOSSES = {
    "mse": (losses.mse, losses.mse_backward),
    "cross_entropy": (losses.softmax_cross_entropy, losses.softmax_cross_entropy_backward),
}
MODES = ("online", "batch", "minibatch")


class DenseCache(NamedTuple):
    """What :func:`dense_backward` needs."""

    x: np.ndarray  # (B, D) layer input o
    W: np.ndarray  # (D, H)


class LayerCache(NamedTuple):
    """One layer of :func:`forward`: the dense part, its net input and its activation's name."""

    dense: DenseCache
    net: np.ndarray  # (B, H)
    activation: str | None  # a key of activations.ACTIVATIONS; None for a linear layer


class History(NamedTuple):
    """What :func:`train` records, one row per epoch."""

    losses: np.ndarray  # (epochs,) mean loss over the epoch's batches, before each update
    grad_norms: np.ndarray  # (epochs, n_layers) mean ||dL/dW_l|| over the epoch's updates


def init_params(sizes, rng, scale="xavier"):
    """Random weights and zero biases for a network with layer widths ``sizes``.

    Parameters
    ----------
    sizes : list of int, length n_layers + 1
        Widths from input to output, e.g. [2, 16, 16, 2].
    rng : numpy.random.Generator
    scale : {"xavier", "he"} or float
        Standard deviation of the normal weights: "xavier" (Glorot) sqrt(2 / (n_in + n_out)),
        suited to tanh and sigmoid; "he" sqrt(2 / n_in), suited to relu; or a number.

    Returns
    -------
    params : dict of str to ndarray
        ``W{l}`` of shape (sizes[l-1], sizes[l]) and ``b{l}`` of shape (sizes[l],), l = 1..n_layers.
    """
    sizes = list(sizes)
    if any(isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) for n in sizes):
        raise TypeError(f"sizes must be a list of ints; got {sizes}")
    if len(sizes) < 2 or not all(n >= 1 for n in sizes):
        raise ValueError(f"sizes must be a list of at least two positive ints; got {sizes}")
    check_rng(rng)
    if isinstance(scale, bool) or not (
            scale in ("xavier", "he") or isinstance(scale, (int, float)) and scale >= 0):
        raise ValueError(f"scale must be 'xavier', 'he' or a number >= 0; got {scale!r}")
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        std = {"xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in)}.get(scale, scale)
        params[f"W{l}"] = rng.normal(0.0, std, size=(n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
    return params


def dense_forward(x, W, b):
    r"""Affine layer net = x @ W + b.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    net : ndarray, shape (B, H)
    cache : DenseCache

    Equations
    ---------
    .. math:: net_j = \sum_i w_{ij} o_i + b_j
    """
    x = check_array("x", x, "(B, D)")
    W = check_array("W", W, "(D, H)", D=x.shape[1])
    b = check_array("b", b, "(H,)", H=W.shape[1])
    return _dense_forward(x, W, b)


def _dense_forward(x, W, b):
    """:func:`dense_forward` without the checks, for callers that made them."""
    return x @ W + b, DenseCache(x, W)


def dense_backward(dnet, cache):
    r"""Backward pass of :func:`dense_forward`.

    Parameters
    ----------
    dnet : ndarray, shape (B, H)
        delta = dL/dnet.
    cache : DenseCache

    Returns
    -------
    dx : ndarray, shape (B, D)
    dW : ndarray, shape (D, H)
    db : ndarray, shape (H,)

    Equations
    ---------
    .. math:: \frac{\partial L}{\partial w_{ij}} = \sum_b o_{bi} \delta_{bj}, \quad
              \frac{\partial L}{\partial b_j} = \sum_b \delta_{bj}, \quad
              \frac{\partial L}{\partial o_i} = \sum_j w_{ij} \delta_j
    """
    B, H = cache.x.shape[0], cache.W.shape[1]
    dnet = check_array("dnet", dnet, "(B, H)", B=B, H=H)
    return _dense_backward(dnet, cache)


def _dense_backward(dnet, cache):
    """:func:`dense_backward` without the checks, for callers that made them."""
    return dnet @ cache.W.T, cache.x.T @ dnet, dnet.sum(axis=0)


def n_layers(params):
    """Number of layers of an MLP parameter dict, after checking its keys and shapes.

    Parameters
    ----------
    params : dict of str to ndarray
        ``W{l}`` of shape (n_{l-1}, n_l) and ``b{l}`` of shape (n_l,), l = 1..n, each layer's
        input width the previous layer's output width.

    Returns
    -------
    int
        n.
    """
    count = len(params) // 2
    expected = {f"{p}{l}" for l in range(1, count + 1) for p in "Wb"}
    if count == 0 or set(params) != expected:
        raise ValueError(f"params must have keys W1, b1, ..., Wn, bn; got {sorted(params)}")
    for l in range(1, count + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"W{l} must be (n_in, n_out) and b{l} (n_out,); "
                             f"got {W.shape}, {b.shape}")
        if l > 1 and W.shape[0] != params[f"W{l - 1}"].shape[1]:
            raise ValueError(
                f"W{l} must have {params[f'W{l - 1}'].shape[1]} rows to follow W{l - 1}; "
                f"got {W.shape}"
            )
    return count


def forward(x, params, activation="sigmoid", output="linear"):
    r"""Forward pass through all layers.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    params : dict of str to ndarray
        As made by :func:`init_params`.
    activation : {"sigmoid", "tanh", "relu"}
        phi of the hidden layers.
    output : "linear" or an activation name
        What the last layer applies to its net input.

    Returns
    -------
    out : ndarray, shape (B, K)
    caches : list of LayerCache, one per layer, input layer first

    Equations
    ---------
    .. math:: o^{(l)} = \phi(o^{(l-1)} W_l + b_l), \quad o^{(0)} = x
    """
    count = n_layers(params)
    x = check_array("x", x, f"(B, {params['W1'].shape[0]})")
    activations.get(activation)  # checks the name
    check_choice("output", output, ("linear", *activations.ACTIVATIONS))
    caches = []
    o = x
    for l in range(1, count + 1):
        net, dense = _dense_forward(o, params[f"W{l}"], params[f"b{l}"])  # (B, n_l); checked
        name = activation if l < count else None if output == "linear" else output
        o = net if name is None else activations.ACTIVATIONS[name][0](net)
        caches.append(LayerCache(dense, net, name))
    return o, caches


def backward(dout, caches):
    r"""Backpropagation through the layers recorded by :func:`forward`.

    Parameters
    ----------
    dout : ndarray, shape (B, K)
        dL/d(out).
    caches : list of LayerCache

    Returns
    -------
    dx : ndarray, shape (B, D)
    grads : dict of str to ndarray
        Keyed like params: ``W{l}``, ``b{l}``.

    Equations
    ---------
    .. math:: \delta_j = \phi'(net_j) \frac{\partial L}{\partial o_j}, \quad
              \frac{\partial L}{\partial o_i} = \sum_j w_{ij} \delta_j
    """
    dout = check_array("dout", dout)
    expected = caches[-1].net.shape
    if dout.shape != expected:
        raise ValueError(f"dout must have the output's shape (B, K) = {expected}; got {dout.shape}")
    grads = {}
    do = dout
    for l in range(len(caches), 0, -1):
        cache = caches[l - 1]
        if cache.activation is None:
            delta = do
        else:  # phi'(net) from the input: exact in the tails, where 1 - phi would cancel
            delta = activations.ACTIVATIONS[cache.activation][1](cache.net) * do  # (B, n_l)
        dense = cache.dense
        do, grads[f"W{l}"], grads[f"b{l}"] = _dense_backward(delta, dense)  # shapes follow
    return do, grads


def loss_and_grads(params, x, y, activation="sigmoid", loss="mse"):
    """Loss of the network on (x, y) and its gradient with respect to every parameter.

    Parameters
    ----------
    params : dict of str to ndarray
    x : ndarray, shape (B, D)
    y : ndarray, shape (B, K) of float for loss="mse"; shape (B,) of int labels for "cross_entropy"
    activation : {"sigmoid", "tanh", "relu"}
    loss : {"mse", "cross_entropy"}

    Returns
    -------
    loss : float
    grads : dict of str to ndarray, keyed like params
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}; got {loss!r}")
    loss_fn, loss_backward = LOSSES[loss]
    out, caches = forward(x, params, activation)
    value, cache = loss_fn(out, y)
    _, grads = backward(loss_backward(cache), caches)
    return value, grads


def layer_grad_norms(grads):
    """Frobenius norm ||dL/dW_l|| of each layer's weight gradient, input layer first.

    Parameters
    ----------
    grads : dict of str to ndarray
        Keyed like params (``W1``, ``b1``, ...); bias gradients are ignored.

    Returns
    -------
    norms : ndarray, shape (n_layers,)
    """
    count = n_layers(grads)
    return np.array([np.linalg.norm(grads[f"W{l}"]) for l in range(1, count + 1)])


def _batch_size(mode, batch_size, n):
    """The number of examples per update implied by ``mode`` and ``batch_size``."""
    if batch_size is not None:
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size,
                                                                      (int, np.integer)):
            raise TypeError(f"batch_size must be an int in [1, {n}] or None; got {batch_size!r}")
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be an int in [1, {n}] or None; got {batch_size!r}")
    if mode is None:
        return n if batch_size is None else int(batch_size)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES} or None; got {mode!r}")
    implied = {"online": 1, "batch": n, "minibatch": batch_size}[mode]
    if implied is None:
        raise ValueError("mode 'minibatch' needs a batch_size; got None")
    if batch_size not in (None, implied):
        raise ValueError(f"mode {mode!r} means batch_size {implied}; got {batch_size}")
    return int(implied)


def train(params, x, y, optimizer, epochs, batch_size=None, mode=None, rng=None,
          activation="sigmoid", loss="mse", callback=None, *, clip=None, progress=False,
          reset=False):
    """Train the network in place with ``optimizer`` for ``epochs`` passes over the data.

    The loop is :func:`rnnlearn.training.fit`; this function makes the batches and the step.

    Parameters
    ----------
    params : dict of str to ndarray
        Updated in place.
    x : ndarray, shape (N, D)
    y : ndarray, shape (N, K) for loss="mse"; shape (N,) of int labels for "cross_entropy"
    optimizer : object with ``step(params, grads)``
        E.g. from :func:`rnnlearn.optim.make`; its state carries over between calls unless
        ``reset=True``.
    epochs : int
        >= 1.
    batch_size : int or None
        Examples per update. None means the whole data set (or 1 with mode="online").
    mode : {"online", "batch", "minibatch"} or None
        "online": one example per update; "batch": the whole data set; "minibatch": batch_size
        examples. None derives the mode from batch_size.
    rng : numpy.random.Generator or None
        Shuffles the examples every epoch; required unless each update sees the whole data set.
    activation : {"sigmoid", "tanh", "relu"}
    loss : {"mse", "cross_entropy"}
    callback : callable(epoch, loss, params) or None
        Called after each epoch with its mean loss, e.g. to update a live plot.
    clip : float or None
        Clip each update's gradients to this global norm (see :func:`rnnlearn.training.fit`).
    progress : {False, "auto", True}
        Progress output (see :mod:`rnnlearn.training`); off by default.
    reset : bool
        Reset the optimiser's state first.

    Returns
    -------
    History
        losses: mean loss over each epoch's batches, each measured before its update;
        grad_norms: mean over each epoch's updates of ||dL/dW_l|| per layer (before clipping).
    """
    count = n_layers(params)
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (N, D); got {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"y must have N = {len(x)} rows like x; got {len(y)}")
    epochs = check_int("epochs", epochs, lo=1)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method; "
                        f"got {type(optimizer).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable(epoch, loss, params); "
                        f"got {type(callback).__name__}")
    n = len(x)
    size = _batch_size(mode, batch_size, n)
    if size < n:
        check_rng(rng, why=" to shuffle batches")
    starts = range(0, n, size)
    history = History(np.empty(epochs), np.empty((epochs, count)))
    norms = np.zeros(count)  # this epoch's sum of per-layer gradient norms

    def batches(epoch):
        order = rng.permutation(n) if size < n else slice(None)
        xs, ys = x[order], y[order]
        return [(xs[start:start + size], ys[start:start + size]) for start in starts]

    def step(p, batch):
        value, grads = loss_and_grads(p, batch[0], batch[1], activation, loss)
        norms[:] += layer_grad_norms(grads)
        return value, grads

    def end_of_epoch(info):
        history.losses[info.epoch] = info.epoch_loss
        history.grad_norms[info.epoch] = norms / len(starts)
        norms[:] = 0.0
        if callback is not None:
            callback(info.epoch, history.losses[info.epoch], params)

    training.fit(step, params, batches, optimizer, epochs=epochs, clip=clip,
                 callback=end_of_epoch, weight=lambda batch: len(batch[0]), progress=progress,
                 reset=reset, track_grad_norm=False)
    return history
