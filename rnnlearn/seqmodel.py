r"""A sequence model: a recurrent network with a linear read-out, and its training.

Used by the chapters "Recurrent networks and backpropagation through time" and "Vanishing and
exploding gradients" (and, with other cells, by the LSTM and GRU chapters). The recurrent part is
:mod:`rnnlearn.rnn`; the read-out ``head.weight (O, H)``, ``head.bias (O,)`` (nn.Linear's layout)
reads the last step (many-to-one, output="last") or every step (many-to-many, output="all"):

    y_t = h_t W_head^T + b_head.

:func:`init_model`, :func:`model_forward`, :func:`model_backward`, :func:`loss_and_grads`, and
:func:`train` through :func:`rnnlearn.training.fit`. ``params`` hold the RNN's keys
(:data:`rnnlearn.rnn.KEYS`) and :data:`HEAD_KEYS`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn import losses, rnn, training
from rnnlearn._checks import check_array, check_choice, check_int, check_keys, check_rng

HEAD_KEYS = ("head.weight", "head.bias")  #: the read-out's names in a model's params
OUTPUTS = ("last", "all")
LOSSES = {"mse": (losses.mse, losses.mse_backward),
          "cross_entropy": (losses.softmax_cross_entropy,
                            losses.softmax_cross_entropy_backward)}


class ModelCache(NamedTuple):
    """What :func:`model_backward` needs."""

    rnn: rnn.Cache
    h_out: np.ndarray  # (B, H) h_T for output="last"; (T, B, H) hs for "all"
    head_weight: np.ndarray  # (O, H)


def init_model(D, H, O, rng, *, init="uniform", scale=1.0):
    """Parameters of an RNN with a linear read-out (float64).

    Parameters
    ----------
    D, H, O : int
        Input, hidden and output sizes, >= 1.
    rng : numpy.random.Generator
    init, scale
        For the RNN, as in :func:`rnnlearn.rnn.init_params`.

    Returns
    -------
    params : dict of str to ndarray
        The RNN's keys, ``head.weight (O, H)`` and ``head.bias (O,)``, both U(-k, k) with
        k = 1/sqrt(H) (nn.Linear's default).
    """
    params = rnn.init_params(D, H, rng, init=init, scale=scale)
    O = check_int("O", O, lo=1)
    k = 1.0 / np.sqrt(H)
    params["head.weight"] = rng.uniform(-k, k, size=(O, H))
    params["head.bias"] = rng.uniform(-k, k, size=O)
    return params


def model_forward(xs, params, *, h0=None, nonlinearity="tanh", output="last"):
    r"""The model's outputs: the read-out of the last state or of every state.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : dict of str to ndarray
        As made by :func:`init_model`.
    h0 : ndarray, shape (B, H), optional
        Zeros by default.
    nonlinearity : {"tanh", "relu", "sigmoid", "linear"}
    output : {"last", "all"}
        "last": many-to-one, ``y (B, O)``; "all": many-to-many, ``ys (T, B, O)``.

    Returns
    -------
    out : ndarray, shape (B, O) or (T, B, O)
    cache : ModelCache

    Equations
    ---------
    .. math:: y_t = h_t W_{\text{head}}^\top + b_{\text{head}}
    """
    check_choice("output", output, OUTPUTS)
    hs, caches = rnn.forward(xs, h0, params, nonlinearity)
    H = hs.shape[2]
    check_keys("params", params, HEAD_KEYS, " too")
    weight = check_array("params['head.weight']", params["head.weight"], "(O, H)", H=H)
    bias = check_array("params['head.bias']", params["head.bias"], "(O,)", O=weight.shape[0])
    h_out = hs[-1] if output == "last" else hs
    return h_out @ weight.T + bias, ModelCache(caches, h_out, weight)


def model_backward(dout, cache, *, truncate=None):
    """Backward pass of :func:`model_forward`.

    Parameters
    ----------
    dout : ndarray, shape (B, O) or (T, B, O)
        dL/d(out), the shape of the outputs.
    cache : ModelCache
    truncate : int or None
        Window of truncated BPTT, as in :func:`rnnlearn.rnn.backward`.

    Returns
    -------
    dxs : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    grads : dict of str to ndarray
        Keyed like the model's params.
    """
    shape = cache.h_out.shape[:-1] + (cache.head_weight.shape[0],)
    dout = check_array("dout", dout)
    if dout.shape != shape:
        raise ValueError(f"dout must have the outputs' shape {shape}; got {dout.shape}")
    O, H = cache.head_weight.shape
    dh_out = dout @ cache.head_weight  # (B, H) or (T, B, H)
    if dh_out.ndim == 2:
        dhs = np.zeros(cache.rnn.hs.shape, dtype=dh_out.dtype)
        dhs[-1] = dh_out
    else:
        dhs = dh_out
    dxs, dh0, grads = rnn.backward(dhs, cache.rnn, truncate=truncate)
    grads["head.weight"] = dout.reshape(-1, O).T @ cache.h_out.reshape(-1, H)
    grads["head.bias"] = dout.reshape(-1, O).sum(axis=0)
    return dxs, dh0, grads


def loss_and_grads(params, xs, ys, *, h0=None, nonlinearity="tanh", output="last", loss="mse",
                   truncate=None, mask=None):
    """The model's loss on (xs, ys) and its gradient with respect to every parameter.

    Parameters
    ----------
    params : dict of str to ndarray
        As made by :func:`init_model`.
    xs : ndarray, shape (T, B, D)
    ys : ndarray
        Targets: for loss="mse", the outputs' shape, (B, O) or (T, B, O); for
        "cross_entropy", int labels (B,) or (T, B).
    h0, nonlinearity, output
        As in :func:`model_forward`.
    loss : {"mse", "cross_entropy"}
        :func:`rnnlearn.losses.mse` or :func:`~rnnlearn.losses.softmax_cross_entropy`, a mean
        over the batch and, for output="all", over the T steps as well.
    truncate : int or None
        Window of truncated BPTT, as in :func:`rnnlearn.rnn.backward`.
    mask : ndarray of bool, shape (T, B), optional
        For output="all": the steps the loss counts (the mean is then over those only, and the
        others get no gradient), e.g. the mask of :func:`rnnlearn.tasks.delay_task`.

    Returns
    -------
    loss : float
    grads : dict of str to ndarray
        Keyed like params.
    """
    loss_fn, loss_backward = LOSSES[check_choice("loss", loss, LOSSES)]
    out, cache = model_forward(xs, params, h0=h0, nonlinearity=nonlinearity, output=output)
    ys = np.asarray(ys)
    shape = out.shape if loss == "mse" else out.shape[:-1]
    if ys.shape != shape:
        raise ValueError(f"ys must have shape {shape} for loss {loss!r} and output {output!r}; "
                         f"got {ys.shape}")
    O = out.shape[-1]
    out2, ys2 = out.reshape(-1, O), ys.reshape((-1, O) if loss == "mse" else -1)  # rows: T*B
    if mask is None:
        value, loss_cache = loss_fn(out2, ys2)
        dout = loss_backward(loss_cache).reshape(out.shape)
    else:
        if output != "all":
            raise ValueError("mask needs output='all' (it selects time steps)")
        mask = check_array("mask", mask, "(T, B)", dtype=None, T=out.shape[0], B=out.shape[1])
        if mask.dtype != bool or not mask.any():
            raise ValueError("mask must be a bool array with at least one True entry")
        rows = mask.ravel()
        value, loss_cache = loss_fn(out2[rows], ys2[rows])
        dout2 = np.zeros_like(out2)
        dout2[rows] = loss_backward(loss_cache)
        dout = dout2.reshape(out.shape)
    _, _, grads = model_backward(dout, cache, truncate=truncate)
    return value, grads


def train(params, xs, ys, optimizer, *, epochs=1, batch_size=None, rng=None, clip=None,
          callback=None, every=None, nonlinearity="tanh", output="last", loss="mse",
          truncate=None, mask=None, progress=False, reset=False):
    """Train the model in place with :func:`rnnlearn.training.fit`, minibatches along axis B.

    Parameters
    ----------
    params : dict of str to ndarray
        As made by :func:`init_model`; updated in place.
    xs : ndarray, shape (T, N, D)
        N training sequences.
    ys : ndarray
        Their targets, as in :func:`loss_and_grads` with N for B.
    optimizer : rnnlearn.optim.Optimizer
        E.g. ``optim.Adam(lr=1e-3)``.
    epochs : int
    batch_size : int or None
        Sequences per step; None: all N (then ``rng`` is not needed).
    rng : numpy.random.Generator or None
        Shuffles the sequences every epoch.
    clip, callback, every, progress, reset
        As in :func:`rnnlearn.training.fit` (clip: the global gradient norm).
    nonlinearity, output, loss, truncate
        As in :func:`loss_and_grads`.
    mask : ndarray of bool, shape (T, N), optional
        As in :func:`loss_and_grads`, one column per training sequence.

    Returns
    -------
    rnnlearn.training.History
    """
    xs = check_array("xs", xs, "(T, N, D)")
    ys = np.asarray(ys)
    check_choice("output", output, OUTPUTS)
    N = xs.shape[1]
    axis = 0 if output == "last" else 1
    if ys.ndim <= axis or ys.shape[axis] != N:
        raise ValueError(f"ys must hold N = {N} sequences along axis {axis}; got {ys.shape}")
    if mask is not None:
        mask = check_array("mask", mask, "(T, N)", dtype=None, T=xs.shape[0], N=N)
    size = N if batch_size is None else check_int("batch_size", batch_size, lo=1, hi=N)
    if size < N:
        check_rng(rng, why=" to shuffle batches")

    def batches(epoch):
        order = rng.permutation(N) if size < N else np.arange(N)
        return [order[start:start + size] for start in range(0, N, size)]

    def step(p, index):
        y = ys[index] if axis == 0 else ys[:, index]
        return loss_and_grads(p, xs[:, index], y, nonlinearity=nonlinearity, output=output,
                              loss=loss, truncate=truncate,
                              mask=None if mask is None else mask[:, index])

    return training.fit(step, params, batches, optimizer, epochs=epochs, clip=clip,
                        callback=callback, every=every, weight=len, progress=progress,
                        reset=reset)
