"""textstats: the measures of generated text (spaces, words, commas, brackets, loops), the
indicator signals along a text and their correlations with activations, on texts small enough
to count by hand, and the corpus's own values."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import corpus, textstats


def test_words_are_runs_of_ascii_letters():
    assert textstats.words('assert_stmt ::= "assert" x2y') == ["assert", "stmt", "assert",
                                                              "x", "y"]
    assert textstats.words("a bb ccc dddd", min_length=3) == ["ccc", "dddd"]
    assert textstats.words("") == [] and textstats.vocabulary("b a b") == {"a", "b"}


def test_word_fraction_counts_long_words_only():
    known = textstats.vocabulary("the value of an object")
    assert textstats.word_fraction("the valeu of an objct", known) == pytest.approx(1 / 3)
    assert textstats.word_fraction("the valeu of an objct", known, min_length=1) == 0.6
    assert math.isnan(textstats.word_fraction("a b ; ,", known))
    with pytest.raises(TypeError, match="known must be a set"):
        textstats.word_fraction("the", ["the"])


def test_char_and_comma_fractions():
    assert textstats.char_fraction("a b c\n", " ") == pytest.approx(2 / 6)
    assert textstats.char_fraction("a b c\n", " \n") == 0.5
    assert textstats.spaced_fraction("a, b,c,\nd,") == pytest.approx(2 / 3)  # the last: no
    assert math.isnan(textstats.spaced_fraction("abc"))
    with pytest.raises(ValueError, match="text must not be empty"):
        textstats.char_fraction("", " ")
    with pytest.raises(ValueError, match="mark must be one character"):
        textstats.spaced_fraction("a, b", ", ")


@pytest.mark.parametrize("text, expected", [
    ('f(a[1]) "x"\nno brackets here\n(open\nclose)', 1 / 3),
    ("(a)\n[b)\n)c(\n{d}", 0.5),
    ('say "hi\n"', 0.0),
    ("nothing at all", math.nan),
])
def test_balanced_lines(text, expected):
    value = textstats.balanced_lines(text)
    assert (math.isnan(value) and math.isnan(expected)) or value == pytest.approx(expected)


def test_loop_period_finds_the_shortest_repeated_ending():
    assert textstats.loop_period("xy the cat the cat the cat ") == 8
    assert textstats.loop_period("aaaa") == 1
    assert textstats.loop_period("the cat the cat ") == 0  # twice is not a loop
    assert textstats.loop_period("the cat the cat ", min_repeats=2) == 8
    assert textstats.loop_period("abcdefgh") == 0
    assert textstats.loop_period("ab" * 300, max_period=1) == 0


def test_indicators_by_hand():
    text = 'ab "cd" (e\nf) *x* y\n   code\n****\n'
    d = textstats.indicators(text)
    assert list(d) == list(textstats.INDICATORS)
    assert all(v.shape == (len(text),) and v.dtype == np.float64 for v in d.values())

    def ones(name):
        return "".join(c for c, v in zip(text, d[name]) if v)

    assert ones("inside quotes") == '"cd'
    assert ones("inside brackets") == "(e\nf"  # depth carries across the line break
    assert ones("inside *emphasis*") == "*x"  # the underline of asterisks is no emphasis
    assert ones("indented line") == "   code\n"
    assert d["position in line"][:4].tolist() == [1, 2, 3, 4]
    assert d["position in line"][text.index("\n")] == 0
    assert d["position in word"][:4].tolist() == [1, 2, 0, 0]


def test_a_quote_left_open_closes_at_the_end_of_its_line():
    d = textstats.indicators('a "b\nc" d')
    assert d["inside quotes"].tolist() == [0, 0, 1, 1, 0, 0, 1, 1, 1]


def test_correlations_against_numpy():
    rng = np.random.default_rng(0)
    s = rng.normal(size=200)
    a = np.stack([s, -2 * s + 1, rng.normal(size=200), np.full(200, 3.0)], axis=1)
    r = textstats.correlations(a, s)
    assert_allclose(r[:2], [1.0, -1.0], rtol=1e-12)
    assert r[2] == pytest.approx(np.corrcoef(a[:, 2], s)[0, 1], rel=1e-12)
    assert r[3] == 0.0  # a constant activation: no correlation, no warning
    with pytest.raises(ValueError, match="signal must not be constant"):
        textstats.correlations(a, np.ones(200))
    with pytest.raises(ValueError, match="one entry per row"):
        textstats.correlations(a, s[:10])


def test_profile_of_the_corpus_and_of_unigram_noise():
    text = corpus.load_corpus()
    known = textstats.vocabulary(text.train)
    train = textstats.profile(text.train, known)
    assert train.word_fraction == 1.0 and 0.17 < train.space < 0.19
    assert train.comma_spaced > 0.95 and 0.75 < train.balanced < 0.85
    valid = textstats.profile(text.valid, known)
    assert 0.85 < valid.word_fraction < 0.9  # held-out text has words the training text lacks
    rng = np.random.default_rng(0)
    chars = sorted(set(text.train))
    counts = np.array([text.train.count(c) for c in chars], dtype=float)
    noise = "".join(rng.choice(chars, 20_000, p=counts / counts.sum()))
    unigram = textstats.profile(noise, known)
    assert abs(unigram.space - train.space) < 0.01  # right frequencies ...
    assert unigram.word_fraction < 0.02 and unigram.balanced < 0.2  # ... and no structure
    assert unigram.comma_spaced < 0.4


def test_bad_input():
    with pytest.raises(TypeError, match="text must be a str"):
        textstats.words(3)
    with pytest.raises(TypeError, match="text must be a str"):
        textstats.indicators(b"abc")
    with pytest.raises(ValueError, match="min_repeats"):
        textstats.loop_period("aaa", min_repeats=1)


def test_correlations_of_several_signals_at_once():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(300, 5))
    signals = rng.normal(size=(300, 3))
    r = textstats.correlations(a, signals)
    assert r.shape == (3, 5)
    for k in range(3):
        assert_allclose(r[k], textstats.correlations(a, signals[:, k]), rtol=1e-12)
    with pytest.raises(ValueError, match="signal must not be constant"):
        textstats.correlations(a, np.stack([signals[:, 0], np.ones(300)], axis=1))
