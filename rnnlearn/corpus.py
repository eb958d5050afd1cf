r"""The corpus of the character language model: the Python Language Reference's topics.

Used by the chapter "A character-level language model" and by :mod:`rnnlearn.charlm`. The text
ships with the package as ``rnnlearn/data/python_topics.txt`` (UTF-8, 466,351 bytes): the 79
topics of ``pydoc_data.topics`` (what ``help("assert")`` prints) of **Python 3.11.7**, sorted
by key and joined by :data:`SEPARATOR`, not normalised in any way; ``scripts/make_corpus.py``
wrote it. It is English prose about Python with grammar rules and code examples, licensed under
the PSF License Version 2 (``rnnlearn/data/python_topics_LICENSE.txt``, the installation's
``LICENSE.txt``). Shipping the file keeps the corpus fixed whatever Python runs the book.

:func:`load_corpus` splits it into a training and a validation text by whole topics with a fixed
rule (no random numbers): topic ``i`` of the sorted list is a validation topic when
``i % 10 == 6`` (8 topics, 11.4 % of the characters; with this offset every character of the
validation text also occurs in the training text). :func:`unigram_entropy` gives the baseline
a language model must beat: the bits per character of a model that knows only the character
frequencies. :class:`Vocab` maps the characters to ids and back.
"""
from __future__ import annotations

import functools
import pathlib
from collections import Counter
from typing import NamedTuple

import numpy as np

from rnnlearn._checks import check_array


DATA = pathlib.Path(__file__).resolve().parent / "data"
PATH = DATA / "python_topics.txt"  #: the corpus file
LICENSE_PATH = DATA / "python_topics_LICENSE.txt"  #: Python's LICENSE.txt (PSF License v2)
PYTHON_VERSION = "3.11.7"  #: the Python whose ``pydoc_data.topics`` the file holds
SEPARATOR = "\n\n\n"  #: between two topics: with a topic's own final newline, two blank lines
N_TOPICS = 79
VALID_EVERY, VALID_OFFSET = 10, 6  #: topic i is a validation topic when i % 10 == 6


class Corpus(NamedTuple):
    """The two texts of :func:`load_corpus`."""

    train: str  # the training topics, joined by SEPARATOR
    valid: str  # the validation topics, joined by SEPARATOR
    valid_topics: tuple  # indices (in sorted order) of the validation topics


@functools.lru_cache(maxsize=1)
def load_text() -> str:
    """The whole corpus as one string, exactly as the file holds it (str is immutable).

    Returns
    -------
    str
        465,204 characters (466,351 bytes of UTF-8), 103 distinct ones.
    """
    return PATH.read_bytes().decode("utf-8")


def split_topics(text) -> list[str]:
    """The topics of a text made by joining topics with :data:`SEPARATOR`.

    A topic ends with exactly one newline and holds at most three in a row, so the only runs
    of four newlines are the boundaries (the topic's own last newline and the separator).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
        Each topic, with its final newline.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    pieces = text.split("\n" + SEPARATOR)
    return [piece + "\n" for piece in pieces[:-1]] + pieces[-1:]


def load_corpus() -> Corpus:
    """The training and validation texts: whole topics, topic i to validation if i % 10 == 6.

    Returns
    -------
    Corpus
        ``train`` (412,104 characters) and ``valid`` (53,097), each its topics
        joined by :data:`SEPARATOR`, and the indices of the validation topics.
    """
    topics = split_topics(load_text())
    if len(topics) != N_TOPICS:  # a damaged file
        raise ValueError(f"{PATH} must hold {N_TOPICS} topics; found {len(topics)}")
    valid = tuple(i for i in range(len(topics)) if i % VALID_EVERY == VALID_OFFSET)
    train = SEPARATOR.join(t for i, t in enumerate(topics) if i not in valid)
    return Corpus(train, SEPARATOR.join(topics[i] for i in valid), valid)


def char_counts(text) -> dict:
    """How often each character occurs in ``text``.

    Parameters
    ----------
    text : str
        Not empty.

    Returns
    -------
    dict of str to int
        Character -> count, in sorted character order.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    if not text:
        raise ValueError("text must not be empty")
    counts = Counter(text)
    return {char: counts[char] for char in sorted(counts)}


def unigram_entropy(text, reference=None) -> float:
    r"""Bits per character of ``text`` under a unigram model (character frequencies only).

    Parameters
    ----------
    text : str
        Not empty.
    reference : str or None
        None: the frequencies are those of ``text`` itself (its entropy). A text: the
        frequencies are ``reference``'s (the cross-entropy, e.g. of the validation text under
        the training text's frequencies); every character of ``text`` must occur in it.

    Returns
    -------
    float
        Bits per character.

    Equations
    ---------
    .. math:: H = -\frac{1}{N} \sum_{n=1}^{N} \log_2 p(x_n), \qquad
              p(c) = \frac{\text{count of } c \text{ in the reference}}{\text{its length}}
    """
    counts = char_counts(text)
    ref = counts if reference is None else char_counts(reference)
    missing = sorted(set(counts) - set(ref))
    if missing:
        raise ValueError(f"every character of text must occur in reference; missing {missing}")
    total_ref = sum(ref.values())
    n = np.array(list(counts.values()), dtype=np.float64)
    p = np.array([ref[c] for c in counts], dtype=np.float64) / total_ref
    return float(-(n @ np.log2(p)) / n.sum())


class Vocab:
    """The characters a model knows: ``chars[i]`` has id ``i``.

    Parameters
    ----------
    chars : str
        Distinct characters, at least one, in id order.
    """

    def __init__(self, chars):
        if not isinstance(chars, str):
            raise TypeError(f"chars must be a str; got {type(chars).__name__}")
        if not chars or len(set(chars)) != len(chars):
            raise ValueError(f"chars must be distinct characters, at least one; got {chars!r}")
        self.chars = chars
        codes = np.array([ord(c) for c in chars], dtype=np.int64)
        self._order = np.argsort(codes)
        self._sorted = codes[self._order]

    @classmethod
    def from_text(cls, text):
        """The vocabulary of ``text``: its distinct characters, sorted by code point.

        Parameters
        ----------
        text : str
            Not empty.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        return cls("".join(sorted(set(text))))

    @property
    def size(self):
        """V, the number of characters."""
        return len(self.chars)

    def __len__(self):
        return len(self.chars)

    def __eq__(self, other):
        return isinstance(other, Vocab) and other.chars == self.chars

    def __hash__(self):
        return hash(self.chars)

    def __repr__(self):
        return f"Vocab(V={self.size}, chars={self.chars!r})"

    def encode(self, text):
        """The ids of the characters of ``text``.

        Parameters
        ----------
        text : str

        Returns
        -------
        ids : ndarray of int64, shape (N,)
            N = len(text).
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; got {type(text).__name__}")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        where = np.minimum(np.searchsorted(self._sorted, codes), self.size - 1)
        unknown = self._sorted[where] != codes
        if unknown.any():
            missing = sorted({chr(c) for c in codes[unknown]})
            raise ValueError(f"text holds characters that are not in the vocabulary: "
                             f"{missing[:10]}{' ...' if len(missing) > 10 else ''}")
        return self._order[where]

    def decode(self, ids):
        """The text of a sequence of ids.

        Parameters
        ----------
        ids : array_like of int, shape (N,)
            Each in [0, V).

        Returns
        -------
        str
        """
        if isinstance(ids, (list, tuple)) and not ids:
            return ""
        ids = check_array("ids", ids, "(N,)", dtype="int")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size}); got values from {ids.min()} "
                             f"to {ids.max()}")
        return "".join(self.chars[i] for i in ids.tolist())


__all__ = ["Vocab", "Corpus", "load_text", "split_topics", "load_corpus", "char_counts",
           "unigram_entropy", "PATH", "LICENSE_PATH", "PYTHON_VERSION",
           "SEPARATOR"]
