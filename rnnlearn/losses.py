"""Loss functions with their backward passes: mean squared error and softmax cross-entropy.

Used by the chapter "backprop" (through :mod:`rnnlearn.mlp`) and by the later RNN chapters.
Every loss is a mean over the batch, so its gradient carries a factor 1/B, and returns
``(loss, cache)``; the matching ``*_backward(cache)`` returns dL/d(input) for that scalar loss.

Inputs follow the package's dtype rule (:mod:`rnnlearn._checks`), like :mod:`rnnlearn.activations`:
float32 predictions give float32 gradients, anything else real becomes float64. The loss itself is
returned as a Python float.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn._checks import as_float, check_array
from rnnlearn.activations import log_softmax


class MSECache(NamedTuple):
    """What :func:`mse_backward` needs."""

    diff: np.ndarray  # (B, K) y_pred - y


class CrossEntropyCache(NamedTuple):
    """What :func:`softmax_cross_entropy_backward` needs."""

    probs: np.ndarray  # (B, C) softmax of the logits
    labels: np.ndarray  # (B,) integer class indices


def mse(y_pred, y):
    r"""Half the squared error, summed over outputs and averaged over the batch.

    The factor 1/2 is the book's (and Rumelhart et al.'s) convention: it makes the output
    error simply ``o - y``. ``torch.nn.MSELoss`` averages over all B*K entries without the 1/2,
    so it equals ``2 * mse / K``.

    Parameters
    ----------
    y_pred : ndarray, shape (B, K)
        Network outputs o.
    y : ndarray, shape (B, K)
        Targets.

    Returns
    -------
    loss : float
    cache : MSECache

    Equations
    ---------
    .. math:: L = \frac{1}{B} \sum_{b=1}^{B} \frac{1}{2} \sum_{j=1}^{K} (o_{bj} - y_{bj})^2
    """
    y_pred = as_float(y_pred, "y_pred")
    y = as_float(y, "y")
    if y_pred.ndim != 2 or len(y_pred) == 0:
        raise ValueError(f"y_pred must have shape (B, K) with B >= 1; got {y_pred.shape}")
    if y.shape != y_pred.shape:
        raise ValueError(f"y must have the shape of y_pred {y_pred.shape}; got {y.shape}")
    diff = y_pred - y  # (B, K)
    loss = 0.5 * float(np.sum(diff * diff)) / len(diff)
    return loss, MSECache(diff)


def mse_backward(cache):
    r"""Gradient of :func:`mse` with respect to y_pred.

    Parameters
    ----------
    cache : MSECache

    Returns
    -------
    dy_pred : ndarray, shape (B, K)

    Equations
    ---------
    .. math:: \frac{\partial L}{\partial o_{bj}} = \frac{1}{B} (o_{bj} - y_{bj})
    """
    return cache.diff / len(cache.diff)


def softmax_cross_entropy(logits, labels):
    r"""Mean negative log-likelihood of integer labels under softmax(logits).

    Computed with a stable log-softmax, so logits of any size (|net| up to 1e3 and beyond)
    give finite values without overflow warnings.

    Parameters
    ----------
    logits : ndarray, shape (B, C)
        Unnormalised scores net.
    labels : ndarray of int, shape (B,)
        Class indices in [0, C).

    Returns
    -------
    loss : float
    cache : CrossEntropyCache

    Equations
    ---------
    .. math:: L = -\frac{1}{B} \sum_{b=1}^{B} \log \operatorname{softmax}(net_b)_{y_b}
    """
    logits = as_float(logits, "logits")
    if logits.ndim != 2 or len(logits) == 0:
        raise ValueError(f"logits must have shape (B, C) with B >= 1; got {logits.shape}")
    batch, classes = logits.shape
    labels = check_array("labels", labels, "(B,)", dtype="int", B=batch)
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"labels must lie in [0, {classes}); got values from {labels.min()} to {labels.max()}"
        )
    log_probs = log_softmax(logits)  # (B, C)
    loss = -float(np.mean(log_probs[np.arange(batch), labels]))
    return loss, CrossEntropyCache(np.exp(log_probs), labels)


def softmax_cross_entropy_backward(cache):
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the logits.

    Parameters
    ----------
    cache : CrossEntropyCache

    Returns
    -------
    dlogits : ndarray, shape (B, C)

    Equations
    ---------
    .. math:: \delta_{bj} = \frac{\partial L}{\partial net_{bj}}
              = \frac{1}{B} \left(\operatorname{softmax}(net_b)_j - [j = y_b]\right)
    """
    batch = len(cache.labels)
    dlogits = cache.probs.copy()  # (B, C)
    dlogits[np.arange(batch), cache.labels] -= 1.0
    return dlogits / batch
