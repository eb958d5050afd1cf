r"""What a piece of text looks like, in numbers: spaces, words, punctuation, loops.

Used by the chapter "A character-level language model" (book/charlm.ipynb) and by
``scripts/charlm_stages.py`` to say, measured rather than by eye, what a char-LM's samples have
learned: whether spaces come as often as in the corpus (:func:`char_fraction`), whether the
words between them are the corpus's words (:func:`word_fraction`), whether punctuation is used
as the corpus uses it (:func:`spaced_fraction`: a comma followed by a space;
:func:`balanced_lines`: brackets and quotes that close on their line), and whether a greedy
sample has fallen into a loop (:func:`loop_period`). :func:`profile` collects them.
:func:`indicators` gives signals along a text that a network's cells might track (the position
in the line, inside quotes or brackets, an indented line), and :func:`correlations` correlates
them with the cells' activations.

A *word* is a maximal run of ASCII letters (``re`` pattern ``[A-Za-z]+``): "assert_stmt" holds
the words "assert" and "stmt". Every function takes plain ``str`` and returns plain floats.
"""
from __future__ import annotations

import math
import re
from typing import NamedTuple

import numpy as np

from rnnlearn._checks import check_array, check_int

_WORD = re.compile(r"[A-Za-z]+")
#: Pairs that :func:`balanced_lines` checks: an opener and its closer.
PAIRS = (("(", ")"), ("[", "]"), ("{", "}"))
#: Punctuation counted by :func:`profile` (ASCII marks of prose and code).
PUNCTUATION = ".,;:!?()[]{}\"'"


def _text(name, value):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str; got {type(value).__name__}")
    return value


def words(text, min_length=1) -> list:
    """The words of ``text``: maximal runs of ASCII letters with at least ``min_length``.

    Parameters
    ----------
    text : str
    min_length : int
        >= 1.

    Returns
    -------
    list of str
        In order of occurrence.
    """
    _text("text", text)
    min_length = check_int("min_length", min_length, lo=1)
    return [w for w in _WORD.findall(text) if len(w) >= min_length]


def vocabulary(text, min_length=1) -> frozenset:
    """The distinct words of ``text`` (see :func:`words`).

    Parameters
    ----------
    text : str
    min_length : int

    Returns
    -------
    frozenset of str
    """
    return frozenset(words(text, min_length))


def word_fraction(text, known, min_length=3) -> float:
    r"""The fraction of the words of ``text`` (of ``min_length`` letters or more) in ``known``.

    Short words are left out by default: a one- or two-letter run such as "a" or "in" is a
    word of almost any corpus, so random letters would score well on them.

    Parameters
    ----------
    text : str
    known : set or frozenset of str
        E.g. :func:`vocabulary` of the training text.
    min_length : int

    Returns
    -------
    float
        In [0, 1]; nan if ``text`` has no such word.

    Equations
    ---------
    .. math:: \frac{\#\{\text{words } w \text{ of text}: |w| \ge m,\ w \in \text{known}\}}
              {\#\{\text{words } w \text{ of text}: |w| \ge m\}}
    """
    if not isinstance(known, (set, frozenset)):
        raise TypeError(f"known must be a set of words; got {type(known).__name__}")
    found = words(text, min_length)
    return sum(w in known for w in found) / len(found) if found else math.nan


def char_fraction(text, chars) -> float:
    """The fraction of the characters of ``text`` that are any of ``chars``.

    Parameters
    ----------
    text : str
        Not empty.
    chars : str
        The characters counted, e.g. ``" "``.

    Returns
    -------
    float
    """
    _text("text", text)
    _text("chars", chars)
    if not text:
        raise ValueError("text must not be empty")
    wanted = set(chars)
    return sum(c in wanted for c in text) / len(text)


def spaced_fraction(text, mark=",") -> float:
    """The fraction of the occurrences of ``mark`` followed by a space or a line break.

    In English prose a comma is followed by a space; in the corpus's code examples it need not
    be ("f(a,b)" is rare there, but "'a,b'" occurs). A mark at the very end of ``text`` does not
    count.

    Parameters
    ----------
    text : str
    mark : str
        One character.

    Returns
    -------
    float
        In [0, 1]; nan if ``mark`` does not occur (before the last character).
    """
    _text("text", text)
    if not isinstance(mark, str) or len(mark) != 1:
        raise ValueError(f"mark must be one character; got {mark!r}")
    after = [text[i + 1] for i in range(len(text) - 1) if text[i] == mark]
    return sum(c in " \n" for c in after) / len(after) if after else math.nan


def balanced_lines(text) -> float:
    """The fraction of lines holding a bracket or a double quote on which all of them close.

    A line counts as balanced when, read left to right, no closer of :data:`PAIRS` comes before
    its opener, every opener is closed (nesting respected) and the number of ``"`` is even.
    Lines with none of these characters are left out.

    Parameters
    ----------
    text : str

    Returns
    -------
    float
        In [0, 1]; nan if no line holds such a character.
    """
    _text("text", text)
    closer_of = dict(PAIRS)
    openers = set(closer_of.values())
    counted = balanced = 0
    for line in text.split("\n"):
        if not any(c in line for pair in PAIRS for c in pair) and '"' not in line:
            continue
        counted += 1
        stack, ok = [], line.count('"') % 2 == 0
        for c in line:
            if c in closer_of:
                stack.append(closer_of[c])
            elif c in openers:
                if not stack or stack.pop() != c:
                    ok = False
                    break
        balanced += ok and not stack
    return balanced / counted if counted else math.nan


def loop_period(text, min_repeats=3, max_period=200) -> int:
    """The period of the loop that ``text`` ends in, or 0 if it does not end in one.

    The smallest p <= ``max_period`` such that the last ``min_repeats * p`` characters are one
    block of p characters repeated ``min_repeats`` times (greedy decoding ends like this).

    Parameters
    ----------
    text : str
    min_repeats : int
        >= 2.
    max_period : int
        >= 1.

    Returns
    -------
    int
    """
    _text("text", text)
    min_repeats = check_int("min_repeats", min_repeats, lo=2)
    max_period = check_int("max_period", max_period, lo=1)
    for p in range(1, max_period + 1):
        if min_repeats * p > len(text):
            break
        block = text[len(text) - p:]
        if text.endswith(block * min_repeats):
            return p
    return 0


#: The signals of :func:`indicators`, in order.
INDICATORS = ("position in line", "position in word", "inside quotes", "inside brackets",
              "inside *emphasis*", "indented line")


def indicators(text) -> dict:
    r"""Signals that say, at every character, something nameable about where the text is.

    Entry t describes the position *after* reading ``text[t]`` (what a model that has read
    ``text[:t + 1]`` could know; "indented line" peeks at the start of the current line only).
    A line break belongs to the line it ends.

    - "position in line": characters since the last line break (0 at a line break);
    - "position in word": letters since the last non-letter (0 at a non-letter);
    - "inside quotes": 1 between an opening and a closing ``"`` on one line (the opening
      quote included, the closing one not); a line break closes an open quote;
    - "inside brackets": 1 while more of ``( [ {`` than of ``) ] }`` have been read (the
      depth never goes below 0; it carries across lines, as parentheses in prose do);
    - "inside *emphasis*": 1 between two ``*`` on one line (the corpus marks names and
      metavariables as *name*), lines of asterisks only (title underlines) excluded;
    - "indented line": 1 on lines that start with three spaces (the corpus's code examples
      and grammar rules), 0 on prose lines.

    Parameters
    ----------
    text : str

    Returns
    -------
    dict of str to ndarray of float64, shape (N,)
        Keys :data:`INDICATORS`, N = len(text).
    """
    _text("text", text)
    n = len(text)
    out = {name: np.zeros(n) for name in INDICATORS}
    column = word = depth = 0
    quote = emphasis = False
    line_start = 0
    for t, c in enumerate(text):
        if t == line_start:  # a new line: is it indented, is it a title underline?
            end = text.find("\n", t)
            line = text[t:] if end < 0 else text[t:end]
            indented = line.startswith("   ")
            underline = bool(line) and set(line) == {"*"}
        if c == "\n":
            column, quote, emphasis, line_start = 0, False, False, t + 1
        else:
            column += 1
            if c == '"':
                quote = not quote
                if quote:
                    out["inside quotes"][t] = 1.0
            if c == "*" and not underline:
                emphasis = not emphasis
                if emphasis:
                    out["inside *emphasis*"][t] = 1.0
        word = word + 1 if ("a" <= c <= "z" or "A" <= c <= "Z") else 0
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        out["position in line"][t] = column
        out["position in word"][t] = word
        out["inside quotes"][t] = max(out["inside quotes"][t], float(quote))
        out["inside brackets"][t] = float(depth > 0)
        out["inside *emphasis*"][t] = max(out["inside *emphasis*"][t], float(emphasis))
        out["indented line"][t] = float(indented)
    return out


def correlations(activations, signal):
    r"""Pearson's correlation of every column of ``activations`` with ``signal``.

    Parameters
    ----------
    activations : ndarray, shape (N, H)
        E.g. a cell's value at every character, one column per unit.
    signal : ndarray, shape (N,) or (N, S)
        One signal, or S of them (columns), none constant.

    Returns
    -------
    ndarray of float64, shape (H,) or (S, H)
        In [-1, 1]; 0 for a constant column of ``activations``.

    Equations
    ---------
    .. math:: r_k = \frac{\sum_t (a_{tk} - \bar a_k)(s_t - \bar s)}
              {\sqrt{\sum_t (a_{tk} - \bar a_k)^2 \sum_t (s_t - \bar s)^2}}
    """
    a = check_array("activations", activations, "(N, H)")
    s = np.asarray(signal)
    one = s.ndim == 1
    s = check_array("signal", s[:, None] if one else s, "(N, S)").astype(np.float64)
    if len(s) != len(a):
        raise ValueError(f"signal must have one entry per row of activations ({len(a)}); "
                         f"got {len(s)}")
    s = s - s.mean(axis=0)
    s_norms = np.sqrt((s * s).sum(axis=0))  # (S,)
    if np.any(s_norms == 0):
        raise ValueError("signal must not be constant")
    a = a.astype(np.float64)
    a = a - a.mean(axis=0)
    a_norms = np.sqrt((a * a).sum(axis=0))  # (H,)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (s.T @ a) / (s_norms[:, None] * a_norms[None, :])  # (S, H)
    r = np.where(a_norms > 0, r, 0.0)
    return r[0] if one else r


class Profile(NamedTuple):
    """The statistics of :func:`profile`, each a float (nan where undefined)."""

    space: float  # fraction of characters that are spaces
    newline: float  # fraction of characters that are line breaks
    punctuation: float  # fraction of characters in PUNCTUATION
    word_fraction: float  # fraction of words of >= 3 letters that are known words
    word_length: float  # mean length of the words (all lengths)
    comma_spaced: float  # fraction of commas followed by a space or a line break
    balanced: float  # fraction of bracket/quote lines on which they all close


def profile(text, known) -> Profile:
    """Every statistic of this module for one text.

    Parameters
    ----------
    text : str
        Not empty.
    known : set or frozenset of str
        The words counted as real (:func:`word_fraction`).

    Returns
    -------
    Profile
    """
    found = words(text)
    return Profile(char_fraction(text, " "), char_fraction(text, "\n"),
                   char_fraction(text, PUNCTUATION), word_fraction(text, known),
                   sum(map(len, found)) / len(found) if found else math.nan,
                   spaced_fraction(text, ","), balanced_lines(text))


__all__ = ["words", "vocabulary", "word_fraction", "char_fraction", "spaced_fraction",
           "balanced_lines", "loop_period", "indicators", "correlations", "Profile", "profile",
           "PAIRS", "PUNCTUATION", "INDICATORS"]
