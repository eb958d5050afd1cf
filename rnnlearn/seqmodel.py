r"""A sequence model: a recurrent layer with a linear read-out, and its training.

Used by the chapters "Recurrent networks and backpropagation through time", "Vanishing and
exploding gradients", "Long short-term memory" and "Gated recurrent units". The recurrent layer
is a ``cell``: "rnn" (:mod:`rnnlearn.rnn`, the default), "lstm" (:mod:`rnnlearn.lstm`) or "gru"
(:mod:`rnnlearn.gru`); the read-out ``head.weight (O, H)``, ``head.bias (O,)`` (nn.Linear's
layout) reads the last step (many-to-one, output="last") or every step (many-to-many,
output="all"):

    y_t = h_t W_head^T + b_head.

:func:`init_model`, :func:`model_forward`, :func:`model_backward`, :func:`loss_and_grads`, and
:func:`train` through :func:`rnnlearn.training.fit`. ``params`` hold the cell's keys (the same
four names for every cell, PyTorch's) and :data:`HEAD_KEYS`. Each function takes the same
``cell`` and ``cell_options``: for "rnn", ``nonlinearity`` instead; for "lstm",
``cell_options={"options": lstm.Options(...)}``; for "gru", ``cell_options={"reset": "before"}``
(Cho et al.'s form). An LSTM's ``h0`` is the pair ``(h0, c0)``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn import gru, losses, lstm, rnn, training
from rnnlearn._checks import check_array, check_choice, check_int, check_keys, check_rng

HEAD_KEYS = ("head.weight", "head.bias")  #: the read-out's names in a model's params
OUTPUTS = ("last", "all")
CELLS = {"rnn": rnn, "lstm": lstm, "gru": gru}  #: cell name -> its kernel module
CELL_OPTIONS = {"rnn": (), "lstm": ("options",), "gru": ("reset",)}  #: what cell_options holds
LOSSES = {"mse": (losses.mse, losses.mse_backward),
          "cross_entropy": (losses.softmax_cross_entropy,
                            losses.softmax_cross_entropy_backward)}


class ModelCache(NamedTuple):
    """What :func:`model_backward` needs."""

    cell: tuple  # the recurrent layer's cache: rnn.Cache, lstm.Cache or gru.Cache
    kind: str  # "rnn", "lstm" or "gru"
    h_out: np.ndarray  # (B, H) h_T for output="last"; (T, B, H) hs for "all"
    head_weight: np.ndarray  # (O, H)


def _cell_options(cell, nonlinearity, cell_options):
    """The keyword arguments of the cell's forward, after checking the combination."""
    check_choice("cell", cell, CELLS)
    if cell != "rnn" and nonlinearity != "tanh":
        raise ValueError(f"nonlinearity applies to cell='rnn' only; got {nonlinearity!r} "
                         f"with cell={cell!r}")
    options = {} if cell_options is None else cell_options
    if not isinstance(options, dict):
        raise TypeError(f"cell_options must be a dict or None; got {type(options).__name__}")
    unknown = sorted(set(options) - set(CELL_OPTIONS[cell]))
    if unknown:
        raise ValueError(f"cell_options for cell={cell!r} may hold "
                         f"{list(CELL_OPTIONS[cell])}; got {unknown}")
    return {"nonlinearity": nonlinearity} if cell == "rnn" else options


def init_model(D, H, O, rng, *, cell="rnn", init="uniform", scale=1.0, forget_bias=None,
               options=None):
    """Parameters of a recurrent layer with a linear read-out (float64).

    Parameters
    ----------
    D, H, O : int
        Input, hidden and output sizes, >= 1.
    rng : numpy.random.Generator
    cell : {"rnn", "lstm", "gru"}
    init, scale
        For cell="rnn" only, as in :func:`rnnlearn.rnn.init_params`.
    forget_bias, options
        For cell="lstm" only, as in :func:`rnnlearn.lstm.init_params`.

    Returns
    -------
    params : dict of str to ndarray
        The cell's keys, ``head.weight (O, H)`` and ``head.bias (O,)``, both U(-k, k) with
        k = 1/sqrt(H) (nn.Linear's default).
    """
    check_choice("cell", cell, CELLS)
    if cell != "rnn" and (init != "uniform" or scale != 1.0):
        raise ValueError(f"init and scale apply to cell='rnn' only; got cell={cell!r}")
    if cell != "lstm" and (forget_bias is not None or options is not None):
        raise ValueError(f"forget_bias and options apply to cell='lstm' only; got cell={cell!r}")
    if cell == "rnn":
        params = rnn.init_params(D, H, rng, init=init, scale=scale)
    elif cell == "lstm":
        params = lstm.init_params(D, H, rng, forget_bias=forget_bias, options=options)
    else:
        params = gru.init_params(D, H, rng)
    O = check_int("O", O, lo=1)
    k = 1.0 / np.sqrt(H)
    params["head.weight"] = rng.uniform(-k, k, size=(O, H))
    params["head.bias"] = rng.uniform(-k, k, size=O)
    return params


def model_forward(xs, params, *, h0=None, cell="rnn", nonlinearity="tanh", cell_options=None,
                  output="last"):
    r"""The model's outputs: the read-out of the last state or of every state.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : dict of str to ndarray
        As made by :func:`init_model`.
    h0 : ndarray, shape (B, H), optional
        Zeros by default; for cell="lstm" the pair (h0, c0).
    cell : {"rnn", "lstm", "gru"}
    nonlinearity : {"tanh", "relu", "sigmoid", "linear"}
        For cell="rnn".
    cell_options : dict, optional
        For cell="lstm": {"options": lstm.Options(...)}; for "gru": {"reset": "after" or
        "before"}.
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
    kwargs = _cell_options(cell, nonlinearity, cell_options)
    hs, caches = CELLS[cell].forward(xs, h0, params, **kwargs)
    H = hs.shape[2]
    check_keys("params", params, HEAD_KEYS, " too")
    weight = check_array("params['head.weight']", params["head.weight"], "(O, H)", H=H)
    bias = check_array("params['head.bias']", params["head.bias"], "(O,)", O=weight.shape[0])
    h_out = hs[-1] if output == "last" else hs
    return h_out @ weight.T + bias, ModelCache(caches, cell, h_out, weight)


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
        For an LSTM the pair (dh0, dc0).
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
        dhs = np.zeros(cache.cell.hs.shape, dtype=dh_out.dtype)
        dhs[-1] = dh_out
    else:
        dhs = dh_out
    dxs, dh0, grads = CELLS[cache.kind].backward(dhs, cache.cell, truncate=truncate)
    grads["head.weight"] = dout.reshape(-1, O).T @ cache.h_out.reshape(-1, H)
    grads["head.bias"] = dout.reshape(-1, O).sum(axis=0)
    return dxs, dh0, grads


def loss_and_grads(params, xs, ys, *, h0=None, cell="rnn", nonlinearity="tanh", cell_options=None,
                   output="last", loss="mse", truncate=None, mask=None):
    """The model's loss on (xs, ys) and its gradient with respect to every parameter.

    Parameters
    ----------
    params : dict of str to ndarray
        As made by :func:`init_model`.
    xs : ndarray, shape (T, B, D)
    ys : ndarray
        Targets: for loss="mse", the outputs' shape, (B, O) or (T, B, O); for
        "cross_entropy", int labels (B,) or (T, B).
    h0, cell, nonlinearity, cell_options, output
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
    out, cache = model_forward(xs, params, h0=h0, cell=cell, nonlinearity=nonlinearity,
                               cell_options=cell_options, output=output)
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
          callback=None, every=None, cell="rnn", nonlinearity="tanh", cell_options=None,
          output="last", loss="mse", truncate=None, mask=None, progress=False, reset=False):
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
    cell, nonlinearity, cell_options, output, loss, truncate
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
        return loss_and_grads(p, xs[:, index], y, cell=cell, nonlinearity=nonlinearity,
                              cell_options=cell_options, output=output, loss=loss,
                              truncate=truncate,
                              mask=None if mask is None else mask[:, index])

    return training.fit(step, params, batches, optimizer, epochs=epochs, clip=clip,
                        callback=callback, every=every, weight=len, progress=progress,
                        reset=reset)
