r"""Writing with a char-LM: temperature, priming text and sampling one character at a time.

The model gives logits z for the next character; the temperature tau reshapes them,
p = softmax(z / tau): tau = 1 is the model's own distribution, tau -> 0 puts all the mass on
the most likely character (greedy decoding, which tends to loop), a large tau flattens p
towards the uniform distribution (noise). :func:`probabilities` computes p, :func:`draw` draws
ids from it with a ``numpy.random.Generator`` (by the inverse of the cumulative distribution,
so a seed gives the same text on every machine that rounds alike), :func:`condition` runs a
priming text through the model, and :func:`sample` writes a continuation.
"""
from __future__ import annotations

import numpy as np

from rnnlearn._checks import as_float, check_float, check_int, check_rng
from rnnlearn.activations import softmax
from rnnlearn.charlm.model import Model, forward


def _tau(tau):
    tau = check_float("tau", tau)
    if not tau > 0 or not np.isfinite(tau):
        raise ValueError(f"tau must be a finite number > 0 (the logits are divided by it); "
                         f"got {tau}")
    return tau


def probabilities(logits, tau=1.0):
    r"""The next-character distribution at temperature ``tau``.

    Parameters
    ----------
    logits : ndarray, shape (..., V)
        Scores z (any real numbers; computed stably, |z / tau| up to 1e300 is fine).
    tau : float
        Temperature, > 0.

    Returns
    -------
    p : ndarray, shape (..., V)
        Non-negative, summing to 1 along the last axis.

    Equations
    ---------
    .. math:: p_c = \frac{e^{z_c / \tau}}{\sum_{c'} e^{z_{c'} / \tau}}, \qquad
              \lim_{\tau \to 0} p = e_{\arg\max z}, \quad \lim_{\tau \to \infty} p = 1 / V
    """
    tau = _tau(tau)
    z = as_float(logits, "logits")
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"logits must have shape (..., V) with V >= 1; got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    return softmax(z / tau)


def entropy(p):
    r"""Entropy of distributions, in bits.

    Parameters
    ----------
    p : ndarray, shape (..., V)
        Probabilities along the last axis.

    Returns
    -------
    ndarray, shape (...)
        (A float for one distribution.)

    Equations
    ---------
    .. math:: H(p) = -\sum_c p_c \log_2 p_c \qquad (0 \log 0 = 0)
    """
    p = as_float(p, "p")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    h = terms.sum(axis=-1)
    return float(h) if h.ndim == 0 else h


def draw(p, rng, size=None):
    r"""Ids drawn from the distribution ``p`` (inverse of its cumulative sum).

    Parameters
    ----------
    p : ndarray, shape (V,)
        Non-negative, summing to 1 (within 1e-6).
    rng : numpy.random.Generator
    size : int or None
        None: one id (an int); n: an array of n ids.

    Returns
    -------
    int or ndarray of int64, shape (size,)

    Equations
    ---------
    .. math:: c = \min\{c : \textstyle\sum_{c' \le c} p_{c'} > u\}, \qquad u \sim U[0, 1)
    """
    p = as_float(p, "p")
    if p.ndim != 1 or len(p) == 0:
        raise ValueError(f"p must have shape (V,) with V >= 1; got {p.shape}")
    if np.any(p < 0) or not abs(float(p.sum()) - 1.0) <= 1e-6:
        raise ValueError(f"p must be non-negative and sum to 1; got sum {float(p.sum())!r} and "
                         f"min {float(p.min())!r}")
    check_rng(rng)
    n = None if size is None else check_int("size", size, lo=1)
    cdf = np.cumsum(p, dtype=np.float64)
    u = rng.random(n) * cdf[-1]
    ids = np.minimum(np.searchsorted(cdf, u, side="right"), len(p) - 1)
    return int(ids) if n is None else ids.astype(np.int64)


def _model(model):
    if not isinstance(model, Model):
        raise TypeError(f"model must be a charlm Model; got {type(model).__name__}")
    return model


def condition(model, prime, state=None):
    """Run a priming text through the model: the state after it and the next logits.

    Parameters
    ----------
    model : rnnlearn.charlm.model.Model
    prime : str
        At least one character, each in the model's vocabulary.
    state : ndarray, shape (1, H), or pair of them, or None
        The state before the prime (zeros by default).

    Returns
    -------
    state : ndarray, shape (1, H), or pair of them
        After the last character of the prime.
    logits : ndarray, shape (V,)
        Scores of the character that follows the prime.
    """
    model = _model(model)
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime must be a non-empty str; got {prime!r}")
    ids = model.vocab.encode(prime)
    logits, state, _ = forward(ids[:, None], model.params, state, cell=model.config.cell)
    return state, logits[-1, 0]


def sample(model, prime, n, rng, *, tau=1.0, state=None):
    r"""Continue ``prime`` by ``n`` characters, each drawn at temperature ``tau``.

    Parameters
    ----------
    model : rnnlearn.charlm.model.Model
    prime : str
        The priming text (not repeated in the result).
    n : int
        Characters to write, >= 0.
    rng : numpy.random.Generator
    tau : float
        Temperature, > 0.
    state : ndarray, shape (1, H), or pair of them, or None
        The state before the prime.

    Returns
    -------
    str
        The n new characters.

    Equations
    ---------
    .. math:: x_{t+1} \sim \operatorname{softmax}(z_t / \tau), \qquad
              z_{t+1} = \text{model}(x_{t+1}, s_t)
    """
    tau = _tau(tau)
    n = check_int("n", n, lo=0)
    check_rng(rng)
    state, z = condition(model, prime, state)
    out = []
    for i in range(n):
        c = draw(probabilities(z, tau), rng)
        out.append(c)
        if i < n - 1:
            logits, state, _ = forward(np.array([[c]]), model.params, state,
                                       cell=model.config.cell)
            z = logits[0, 0]
    return model.vocab.decode(np.array(out, dtype=np.int64))
