r"""One training loop for every model: batches in, optimiser steps, a history out.

Used by :func:`rnnlearn.mlp.train` (chapters "backprop" and "descent") and by the recurrent
chapters' models. The model is only a function ``step(params, batch) -> (loss, grads)``, so the
same loop trains an MLP, an RNN on the adding problem or a character language model:

>>> history = fit(step, params, batches, optim.Adam(1e-3), epochs=10, clip=5.0)  # doctest: +SKIP

Each step: ``loss, grads = step(params, batch)``; the global gradient norm is recorded; with
``clip`` the gradients are rescaled to that global norm at most
(:func:`rnnlearn.optim.clip_by_global_norm`); ``optimizer.step(params, grads)`` updates the
params in place. The loss recorded for a step is the one measured *before* its update.

Progress: ``progress="auto"`` (the default) stays silent for runs shorter than
:data:`AUTO_AFTER` seconds, and in book builds (``RNNLEARN_STATIC_EXPLORERS=1``) or wherever
``RNNLEARN_PROGRESS=0`` is set; a longer run then shows an ipywidgets progress bar with the loss
and speed in a Jupyter kernel, or prints a line every :data:`PRINT_EVERY` seconds in a terminal.
``progress=True`` shows it from the first step, ``False`` never. With ``items_per_step`` and
``unit`` (e.g. ``items_per_step=B * T, unit="char"`` for a character language model) the speed
is counted in units per second and the loss, read as a mean cross-entropy in nats per unit, is
shown in bits per unit too: ``step 40/500 · loss 2.079 · 3.000 bits/char · 1.2e+04 chars/s``.
"""
from __future__ import annotations

import os
import sys
import time
from typing import NamedTuple

import numpy as np

from rnnlearn import optim
from rnnlearn._checks import check_bool, check_callable, check_choice, check_int, check_positive

AUTO_AFTER = 2.0  #: seconds a run must last before progress="auto" shows anything
PRINT_EVERY = 5.0  #: seconds between two progress lines in a terminal
_REDRAW_EVERY = 0.2  # seconds between two progress-bar updates in a notebook


class StopTraining(Exception):
    """Raise it in a callback to end :func:`fit` after the current step, or in ``step`` to end it
    before that step (the history of the steps taken is kept)."""


class StepInfo(NamedTuple):
    """What a :func:`fit` callback receives."""

    epoch: int  # 0-based epoch of the last step
    step: int  # steps taken so far (1 after the first)
    loss: float  # the last step's loss, before its update
    epoch_loss: float | None  # mean loss of the epoch just ended; None mid-epoch
    grad_norm: float  # global norm of the last step's gradient, before clipping (nan if untracked)
    params: dict  # the params being trained (the live dict, not a copy)


class History(NamedTuple):
    """What :func:`fit` records."""

    losses: np.ndarray  # (steps,) every step's loss, measured before its update
    grad_norms: np.ndarray  # (steps,) every step's global gradient norm before clipping (or nan)
    epoch_losses: np.ndarray  # (epochs run,) weighted mean of each epoch's step losses
    records: list  # what the callback returned, each call that returned something but None
    stopped: bool  # True if a callback (or step) raised StopTraining
    seconds: float  # wall time of the run


def _in_notebook():
    """True inside a Jupyter kernel (where widgets can be displayed)."""
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    return get is not None and hasattr(get(), "kernel")


def _allowed():
    """False in a book build or where the user switched progress output off."""
    return (os.environ.get("RNNLEARN_PROGRESS", "") != "0"
            and os.environ.get("RNNLEARN_STATIC_EXPLORERS", "") != "1")  # explorers.base's switch


class _Progress:
    """Progress output for :func:`fit`: shown from the start (True), after AUTO_AFTER ("auto")."""

    def __init__(self, mode, total, items_per_step=None, unit=None):
        self.mode, self.total = mode, total
        self.items_per_step, self.unit = items_per_step, unit  # both None: steps/s
        self.start = self.last = time.perf_counter()
        self.shown = None  # None (not yet), "widget" or "text"
        self.widgets = None

    def _show(self):
        if _in_notebook():
            import ipywidgets as widgets
            from IPython.display import display

            bar = widgets.IntProgress(value=0, min=0, max=self.total or 1,
                                      description="training")
            label = widgets.Label()
            self.widgets = (bar, label)
            display(widgets.HBox([bar, label]))
            self.shown = "widget"
        else:
            self.shown = "text"

    def _text(self, step, loss, now):
        speed = step / max(now - self.start, 1e-9)
        of = f"/{self.total}" if self.total else ""
        if self.unit is None:
            return f"step {step}{of} · loss {loss:.4g} · {speed:.3g} steps/s"
        return (f"step {step}{of} · loss {loss:.4g} · {loss / np.log(2):.3f} bits/{self.unit} · "
                f"{speed * self.items_per_step:.3g} {self.unit}s/s")

    def update(self, step, loss, final=False):
        now = time.perf_counter()
        if self.shown is None:
            if self.mode is False:
                return
            if self.mode == "auto" and now - self.start > AUTO_AFTER and not _allowed():
                self.mode = False  # a long run in a book build: stay silent, stop asking
                return
            if self.mode is True or now - self.start > AUTO_AFTER:
                self._show()
                self.last = -np.inf
            else:
                return
        if self.shown == "widget":
            if final or now - self.last >= _REDRAW_EVERY:
                bar, label = self.widgets
                bar.value = min(step, bar.max) if self.total else 0
                label.value = self._text(step, loss, now)
                self.last = now
        elif final or now - self.last >= PRINT_EVERY:
            print(self._text(step, loss, now), file=sys.stderr, flush=True)
            self.last = now


def _batch_source(batches, epochs):
    """A function epoch -> iterable of batches, and the number of batches per epoch if known."""
    if callable(batches):
        return batches, None
    try:
        iterator = iter(batches)
    except TypeError:
        raise TypeError("batches must be an iterable of batches or a function "
                        f"epoch -> batches; got {type(batches).__name__}") from None
    if iterator is batches and epochs > 1:
        raise ValueError("batches is a one-pass iterator but epochs > 1; pass a list, or a "
                         "function epoch -> batches that makes each epoch's batches")
    return (lambda epoch: batches), (len(batches) if hasattr(batches, "__len__") else None)


def fit(step, params, batches, optimizer, *, epochs=1, clip=None, callback=None, every=None,
        weight=None, progress="auto", reset=False, track_grad_norm=True, items_per_step=None,
        unit=None):
    r"""Train ``params`` in place: for each epoch, one optimiser step per batch.

    Parameters
    ----------
    step : callable
        ``step(params, batch) -> (loss, grads)``: the loss (a float) on ``batch`` and its
        gradient, a dict keyed like ``params``.
    params : dict of str to ndarray
        Float arrays, updated in place.
    batches : iterable or callable
        The batches of one epoch (a list, re-used each epoch), or a function
        ``batches(epoch) -> iterable`` that makes them (e.g. after shuffling with an ``rng``).
        A batch is whatever ``step`` takes, e.g. a tuple ``(x (B, D), y (B, K))``.
    optimizer : rnnlearn.optim.Optimizer
        Or any object with ``step(params, grads)`` (and ``reset()`` for ``reset=True``). Its
        state carries over from earlier calls unless ``reset=True`` (see :mod:`rnnlearn.optim`).
    epochs : int
        Passes over the batches, >= 1.
    clip : float or None
        Rescale each step's gradients to a global norm of at most ``clip`` (> 0).
    callback : callable or None
        ``callback(info: StepInfo)``, after each epoch or, with ``every``, after every
        ``every`` steps. What it returns (unless None) is appended to ``History.records``;
        it may raise :class:`StopTraining` to end the run.
    every : int or None
        Call ``callback`` every ``every`` steps instead of after each epoch.
    weight : callable or None
        ``weight(batch) -> number``, the batch's weight in the epoch's mean loss (e.g. its
        size); default 1 for every batch.
    progress : {"auto", True, False}
        See the module docstring.
    reset : bool
        Reset the optimiser's state before the first step.
    track_grad_norm : bool
        Record each step's global gradient norm (computed anyway when clipping).
    items_per_step : int or None
        With ``unit``: how many units (e.g. characters, B * T) one step trains on.
    unit : str or None
        With ``items_per_step``: the progress output counts the speed in units per second
        and shows the loss, taken to be in nats per unit, in bits per unit (loss / ln 2) too.

    Returns
    -------
    History

    Equations
    ---------
    .. math:: g \leftarrow g \cdot \min\left(1, \frac{\text{clip}}{\lVert g \rVert}\right),
              \qquad \text{epoch loss} = \frac{\sum_b w_b L_b}{\sum_b w_b}
    """
    check_callable("step", step, "(params, batch)")
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of arrays; got {type(params).__name__}")
    check_callable("optimizer.step", getattr(optimizer, "step", None), "(params, grads)")
    epochs = check_int("epochs", epochs, lo=1)
    clip = None if clip is None else check_positive("clip", clip)
    if callback is not None:
        check_callable("callback", callback, "(info)")
    every = None if every is None else check_int("every", every, lo=1)
    if weight is not None:
        check_callable("weight", weight, "(batch)")
    if not isinstance(progress, bool):
        check_choice("progress", progress, ("auto",))
    reset, track_grad_norm = check_bool("reset", reset), check_bool("track_grad_norm",
                                                                     track_grad_norm)
    if (items_per_step is None) != (unit is None):
        raise ValueError("items_per_step and unit go together: give both or neither")
    if unit is not None:
        items_per_step = check_int("items_per_step", items_per_step, lo=1)
        if not isinstance(unit, str) or not unit:
            raise TypeError(f"unit must be a non-empty str; got {unit!r}")
    source, per_epoch = _batch_source(batches, epochs)
    if reset:
        optimizer.reset()
    bar = None if progress is False else _Progress(progress, per_epoch and per_epoch * epochs,
                                                   items_per_step, unit)
    losses, norms, epoch_losses, records = [], [], [], []
    stopped, count, start, nan = False, 0, time.perf_counter(), float("nan")

    def call(epoch, epoch_loss):
        info = StepInfo(epoch, count, losses[-1], epoch_loss, norms[-1], params)
        record = callback(info)
        if record is not None:
            records.append(record)

    try:
        for epoch in range(epochs):
            total, total_weight = 0.0, 0
            for batch in source(epoch):
                value, grads = step(params, batch)
                value = float(value)
                if clip is not None:
                    grads, norm = optim.clip_by_global_norm(grads, clip)
                else:
                    norm = optim.global_norm(grads) if track_grad_norm else nan
                optimizer.step(params, grads)
                count += 1
                losses.append(value)
                norms.append(norm)
                w = 1 if weight is None else weight(batch)
                total += value * w
                total_weight += w
                if bar is not None:
                    bar.update(count, value)
                if callback is not None and every is not None and count % every == 0:
                    call(epoch, None)
            if total_weight == 0:
                raise ValueError(f"epoch {epoch} had no batches")
            epoch_losses.append(total / total_weight)
            if callback is not None and every is None:
                call(epoch, epoch_losses[-1])
    except StopTraining:
        stopped = True
    if bar is not None and bar.shown and count:
        bar.update(count, losses[-1], final=True)
    return History(np.array(losses, dtype=float), np.array(norms, dtype=float),
                   np.array(epoch_losses, dtype=float), records, stopped,
                   time.perf_counter() - start)


#: For ``from rnnlearn.training import *``.
__all__ = ["fit", "History", "StepInfo", "StopTraining", "AUTO_AFTER", "PRINT_EVERY"]
