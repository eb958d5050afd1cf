"""Checkers for the coding exercises of the chapter "A character-level language model"
(book/charlm.ipynb): sampling probabilities at a temperature, and a loss in bits per character.

The expected values are computed here from the equations, p = softmax(scores / tau) along the
last axis and bits = mean_n -log2 softmax(scores[n])[targets[n]], with the largest score
subtracted first (so scores of any size work), not with ``rnnlearn.charlm``.
"""
from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, Mistake, run_cases

__all__ = ["check_temperature", "check_bits_per_char"]


def _softmax(a, axis=-1):
    a = a - a.max(axis=axis, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)


def _temperature(scores, tau):
    return _softmax(np.asarray(scores, dtype=float) / tau)


def _naive(scores, tau):
    """softmax(scores / tau) without subtracting the largest score: overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(scores, dtype=float) / tau)
        return e / e.sum(axis=-1, keepdims=True)


TEMPERATURE_MISTAKES = [
    Mistake(lambda s, tau: _softmax(np.asarray(s, dtype=float) * tau),
            "the scores are multiplied by tau: divide them, softmax(scores / tau), so that a "
            "small tau sharpens the distribution and a large one flattens it"),
    Mistake(lambda s, tau: _softmax(np.asarray(s, dtype=float)) / tau,
            "tau is applied after the softmax: divide the scores by tau before it (dividing "
            "the probabilities only rescales them, and they no longer sum to 1)"),
    Mistake(lambda s, tau: np.exp(np.asarray(s, dtype=float) / tau),
            "the exponentials are not normalised: divide by their sum along the last axis "
            "so that the probabilities sum to 1"),
    Mistake(lambda s, tau: _softmax(np.asarray(s, dtype=float) / tau, axis=0),
            "the softmax runs along the wrong axis: for a batch of shape (B, V) normalise each "
            "row, along the last axis (axis=-1, keepdims=True)"),
    Mistake(lambda s, tau: _naive(s, tau),
            "exp(scores / tau) overflows for large scores or a small tau (inf / inf = nan): "
            "subtract the largest scaled score of each row first; the result is the same"),
    Mistake(lambda s, tau: _softmax(np.asarray(s, dtype=float)),
            "tau is ignored: that is the model's own distribution, tau = 1"),
]


def check_temperature(temperature_probs) -> CheckResult:
    """Check ``temperature_probs(scores, tau)``: softmax(scores / tau) along the last axis.

    Parameters
    ----------
    temperature_probs : callable
        The function to check. With ``scores`` an array of shape (V,) or (B, V) and
        ``tau > 0``, it must return the probabilities of the same shape, summing to 1 along the
        last axis, and leave ``scores`` unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-9 relative (1e-15 absolute).
    """
    rng = np.random.default_rng(31)
    settings = [
        ("scores (2, 1, 0) at tau = 1", np.array([2.0, 1.0, 0.0]), 1.0),
        ("scores (2, 1, 0) at tau = 0.5", np.array([2.0, 1.0, 0.0]), 0.5),
        ("scores (2, 1, 0) at tau = 2", np.array([2.0, 1.0, 0.0]), 2.0),
        ("V = 6 random scores at tau = 0.7", rng.normal(size=6), 0.7),
        ("a batch of 3 rows, V = 4, tau = 1.5", rng.normal(size=(3, 4)), 1.5),
        ("scores up to 1000 at tau = 0.01", np.array([1000.0, 999.0, -5.0, 998.5]), 0.01),
        ("a tie for the largest score at tau = 0.05", np.array([3.0, 3.0, 1.0]), 0.05),
        ("tau = 100: close to uniform", rng.normal(size=5), 100.0),
    ]
    cases = [Case(label, (s, tau), (_temperature(s, tau),)) for label, s, tau in settings]
    return run_cases("temperature_probs(scores, tau)", temperature_probs, cases,
                     TEMPERATURE_MISTAKES, arg_names=("scores", "tau"), rtol=1e-9,
                     atol=1e-15)


def _log_softmax(a):
    a = np.asarray(a, dtype=float)
    a = a - a.max(axis=1, keepdims=True)
    return a - np.log(np.exp(a).sum(axis=1, keepdims=True))


def _bits(scores, targets):
    return float(-_log_softmax(scores)[np.arange(len(targets)), targets].mean() / np.log(2))


def _naive_bits(scores, targets):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(np.asarray(scores, dtype=float))
        p = e / e.sum(axis=1, keepdims=True)
        return float(-np.log2(p[np.arange(len(targets)), targets]).mean())


def _log_of_softmax(scores, targets):
    """A stable softmax, then the log of the target's probability (which may underflow)."""
    with np.errstate(divide="ignore"):
        p = np.exp(_log_softmax(scores))
        return float(-np.log2(p[np.arange(len(targets)), targets]).mean())


def _late(scores, targets):
    """The targets read one position late: scores[n] scored against targets[n + 1]."""
    if len(targets) < 2:
        return np.nan
    return float(-_log_softmax(scores[:-1])[np.arange(len(targets) - 1), targets[1:]].mean()
                 / np.log(2))


BITS_MISTAKES = [
    Mistake(lambda s, y: _bits(s, y) * np.log(2),
            "that is the loss in nats (natural logarithm): divide by ln 2 for bits"),
    Mistake(lambda s, y: _bits(s, y) * len(y),
            "that is the sum over the positions: the loss per character is the mean"),
    Mistake(lambda s, y: _bits(s, y) * len(y) * np.log(2),
            "that is the sum over the positions, in nats: take the mean, and divide by ln 2"),
    Mistake(lambda s, y: float(-np.mean(np.log2(np.abs(np.asarray(s, float)[np.arange(len(y)),
                                                                             y]) + 1e-300))),
            "the scores are used as probabilities: take the softmax of each row first "
            "(log-softmax = scores - log(sum(exp(scores))))"),
    Mistake(lambda s, y: float(-np.mean(np.log2(np.exp(_log_softmax(s)).max(axis=1)))),
            "that is the probability of the most likely character: the loss uses the "
            "probability of the target, the character that actually came next"),
    Mistake(_late,
            "the targets are read one position late: scores[n] predicts targets[n], the "
            "character after input n, not targets[n + 1]"),
    Mistake(_naive_bits,
            "exp(scores) overflows for large scores (inf / inf = nan, log 0 = -inf): subtract "
            "the largest score of each row first, or use a stable log-softmax"),
    Mistake(_log_of_softmax,
            "the target's probability underflows to 0 and its log is -inf: take the "
            "log-softmax directly, a - log(sum(exp(a))) with a = scores - their row's maximum"),
]


def check_bits_per_char(bits_per_char) -> CheckResult:
    """Check ``bits_per_char(scores, targets)``: the mean cross-entropy in bits per character.

    Parameters
    ----------
    bits_per_char : callable
        The function to check. With ``scores`` of shape (N, V) (a row of scores per position)
        and ``targets`` integers of shape (N,) in [0, V), it must return
        mean_n -log2 softmax(scores[n])[targets[n]] as a number, and leave its arguments
        unchanged.

    Returns
    -------
    CheckResult
        Its ``passed`` is True if every case matches to 1e-9 relative.
    """
    rng = np.random.default_rng(32)
    big = rng.normal(size=(4, 5)) * 300
    big[0, 2] = 800.0
    settings = [
        ("N = 6, V = 4, random scores", rng.normal(size=(6, 4)), rng.integers(0, 4, 6)),
        ("a uniform model, V = 8 (log2 V = 3 bits)", np.zeros((5, 8)), rng.integers(0, 8, 5)),
        ("a single position, N = 1, V = 3", np.array([[2.0, 1.0, 0.0]]), np.array([1])),
        ("a confident, right model", np.array([[9.0, 0, 0], [0, 9.0, 0], [0, 0, 9.0]]),
         np.array([0, 1, 2])),
        ("scores up to 800, N = 4, V = 5", big, np.array([2, 0, 4, 1])),
        ("N = 7, V = 103 (the corpus's vocabulary)", rng.normal(size=(7, 103)) * 3,
         rng.integers(0, 103, 7)),
    ]
    cases = [Case(label, (s, y), (_bits(s, y),)) for label, s, y in settings]
    return run_cases("bits_per_char(scores, targets)", bits_per_char, cases, BITS_MISTAKES,
                     arg_names=("scores", "targets"), rtol=1e-9, atol=1e-12)
