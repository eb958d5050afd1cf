r"""Training a char-LM: truncated BPTT on a long stream, through the shared loop.

The id stream is cut into B contiguous rows, each row into chunks of T steps
(:func:`stream_chunks`); one optimiser step trains on one chunk of all B rows (B * T
characters), and the state reached at the end of a chunk starts the next one: carried, but no
gradient flows back through it (truncated BPTT). Each epoch starts from a zero state.
:func:`train` runs it with :func:`rnnlearn.training.fit` (progress: loss, bits per character,
characters per second) and records a validation curve with
:func:`rnnlearn.charlm.model.evaluate`.
"""
from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from rnnlearn import optim, seqmodel, training
from rnnlearn._checks import check_array, check_callable, check_int, check_keys, check_positive
from rnnlearn.charlm.model import Config, Curve, _ids, evaluate, loss_and_grads


class Chunks(NamedTuple):
    """A stream cut for truncated BPTT by :func:`stream_chunks`."""

    inputs: np.ndarray  # (K, T, B) ids: chunk k, step t, row b
    targets: np.ndarray  # (K, T, B) the id that follows each input in the stream


def stream_chunks(ids, B, T):
    """Cut an id stream into B contiguous rows and each row into K chunks of T steps.

    Row b reads ``ids[b*L : (b+1)*L]`` with L = (N - 1) // B, chunk k its steps k*T to
    (k+1)*T - 1 (K = L // T, the rest of each row is dropped), so chunk k + 1 of a row continues
    where chunk k stopped.

    Parameters
    ----------
    ids : ndarray of int, shape (N,)
    B, T : int
        Rows and steps per chunk; N must give at least one chunk (N > B*T).

    Returns
    -------
    Chunks
    """
    ids = check_array("ids", ids, "(N,)", dtype="int")
    B, T = check_int("B", B, lo=1), check_int("T", T, lo=1)
    L = (len(ids) - 1) // B
    K = L // T
    if K == 0:
        raise ValueError(f"a stream of {len(ids)} ids is too short for one chunk of "
                         f"B = {B} rows of T = {T} steps (it needs more than B*T ids)")
    rows = np.arange(B)[None, None, :] * L  # (1, 1, B)
    steps = (np.arange(K)[:, None] * T + np.arange(T)[None, :])[:, :, None]  # (K, T, 1)
    return Chunks(ids[rows + steps], ids[rows + steps + 1])


def train(params, ids, config, *, steps, valid_ids=None, eval_every=None, optimizer=None,
          progress="auto", on_evaluate=None, max_seconds=None):
    r"""Train a char-LM in place by truncated BPTT on an id stream, with the shared loop.

    Parameters
    ----------
    params : dict of str to ndarray
        As made by :func:`init_params` (or :func:`new_model`); updated in place, in their dtype.
    ids : ndarray of int, shape (N,)
        The training stream, cut by :func:`stream_chunks` (config.batch_size rows, chunks of
        config.seq_len steps); epochs repeat it, each from a zero state.
    config : Config
        Cell, T, B, optimiser, lr and clip (H, seed and dtype are the params' business).
    steps : int
        Optimiser steps, >= 1 (one chunk of B * T characters each).
    valid_ids : ndarray of int, shape (M,), optional
        Evaluated with :func:`evaluate` before the first step, every ``eval_every`` steps and
        after the last.
    eval_every : int or None
        Steps between evaluations (default: steps // 20, at least 1).
    optimizer : rnnlearn.optim.Optimizer or None
        Default: ``optim.make(config.optimizer, lr=config.lr)``; pass one to continue a run.
    progress : {"auto", True, False}
        As in :func:`rnnlearn.training.fit`: the loss, bits per character and characters/s.
    on_evaluate : callable or None
        Called after each evaluation with that entry of the curve, ``(step, seconds,
        train_nats, valid_nats)`` (e.g. to print it).
    max_seconds : float or None
        Stop before ``steps`` once this much training time (evaluations excluded) has passed:
        for comparisons at equal wall time.

    Returns
    -------
    history : rnnlearn.training.History
    curve : Curve or None
        None without ``valid_ids``.

    Equations
    ---------
    Chunk k of every row starts from the state :math:`s_{kT}` the previous chunk reached, used
    as a constant: :math:`\partial L_k / \partial s_{kT}` is not propagated further back.
    """
    if not isinstance(config, Config):
        raise TypeError(f"config must be a charlm.Config; got {type(config).__name__}")
    check_keys("params", params, seqmodel.HEAD_KEYS)
    V = np.shape(params["head.bias"])[0]
    ids = check_array("ids", ids, "(N,)", dtype="int")
    _ids("ids", ids[:, None], V)
    chunks = stream_chunks(ids, config.batch_size, config.seq_len)
    steps = check_int("steps", steps, lo=1)
    if valid_ids is not None:
        _ids("valid_ids", check_array("valid_ids", valid_ids, "(M,)", dtype="int")[:, None], V)
    every = max(steps // 20, 1) if eval_every is None else check_int("eval_every", eval_every,
                                                                      lo=1)
    opt = optim.make(config.optimizer, lr=config.lr) if optimizer is None else optimizer
    if on_evaluate is not None:
        check_callable("on_evaluate", on_evaluate, "(row)")
    if max_seconds is not None:
        max_seconds = check_positive("max_seconds", max_seconds)
    K = len(chunks.inputs)
    carried, window, rows = [None], [], []
    clock = {"start": 0.0, "evaluating": 0.0}  # training time = since start - evaluating

    def step(p, i):
        k = i % K  # step i trains on chunk k of epoch i // K
        if max_seconds is not None and (time.perf_counter() - clock["start"]
                                        - clock["evaluating"]) >= max_seconds:
            raise training.StopTraining
        state = None if k == 0 else carried[0]  # each epoch starts from zeros
        loss, grads, carried[0] = loss_and_grads(p, chunks.inputs[k], chunks.targets[k], state,
                                                 cell=config.cell)
        window.append(loss)
        return loss, grads

    def record(info):
        if valid_ids is None or (rows and rows[-1][0] == info.step):
            return
        seconds = (time.perf_counter() - clock["start"] - clock["evaluating"]) if rows else 0.0
        begin = time.perf_counter()
        value = evaluate(params, valid_ids, cell=config.cell)
        clock["evaluating"] += time.perf_counter() - begin
        rows.append((info.step, seconds, np.mean(window) if window else np.nan, value))
        window.clear()
        if on_evaluate is not None:
            on_evaluate(rows[-1])

    record(training.StepInfo(0, 0, np.nan, None, np.nan, params))  # before the first step
    clock["start"], clock["evaluating"] = time.perf_counter(), 0.0
    history = training.fit(step, params, range(steps), opt, clip=config.clip,
                           callback=record, every=every, progress=progress,
                           items_per_step=config.batch_size * config.seq_len, unit="char")
    record(training.StepInfo(0, len(history.losses), np.nan, None, np.nan, params))
    if valid_ids is None:
        return history, None
    steps_, seconds, train_nats, valid_nats = (np.array(c) for c in zip(*rows))
    return history, Curve(steps_.astype(np.int64), seconds, train_nats, valid_nats)
