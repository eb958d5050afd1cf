"""The charlm chapter's checkers (rnnlearn.exercises.charlm): a right answer passes in several
forms, each typical mistake fails with its own hint, an untouched scaffold is "not attempted
yet", and a broken answer gives a failed verdict, never an error."""
import numpy as np
import pytest

from checker_asserts import assert_exported, assert_mistake_named, assert_right_answer_passes
from rnnlearn import charlm, exercises


def temperature_probs(scores, tau):
    a = np.asarray(scores, dtype=float) / tau
    a = a - a.max(axis=-1, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=-1, keepdims=True)


def bits_per_char(scores, targets):
    a = np.asarray(scores, dtype=float)
    a = a - a.max(axis=1, keepdims=True)
    log_p = a - np.log(np.exp(a).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(targets)), targets].mean() / np.log(2)


def log_of_the_packages_softmax(scores, targets):
    p = charlm.probabilities(scores)  # stable, but the log of an underflowed 0 is -inf
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log2(p[np.arange(len(targets)), targets])))


RIGHT = {"check_temperature": temperature_probs, "check_bits_per_char": bits_per_char}


def test_the_checkers_are_exported():
    from rnnlearn.exercises import charlm as module
    assert_exported(module, RIGHT)
    assert all(name in exercises.__doc__ for name in RIGHT)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes(name):
    result = getattr(exercises, name)(RIGHT[name])
    assert_right_answer_passes(result)


def test_other_right_forms_pass_too():
    assert exercises.check_temperature(lambda s, tau: charlm.probabilities(s, tau)).passed
    assert exercises.check_bits_per_char(
        lambda s, y: bits_per_char(s, y).item()).passed  # a numpy scalar or a float
    assert exercises.check_bits_per_char(  # logaddexp.reduce: another stable log-sum-exp
        lambda s, y: np.mean(np.logaddexp.reduce(s, axis=1) - s[np.arange(len(y)), y])
        / np.log(2)).passed


def _softmax(a, axis=-1):
    a = a - a.max(axis=axis, keepdims=True)
    return np.exp(a) / np.exp(a).sum(axis=axis, keepdims=True)


def _naive_temperature(scores, tau):
    e = np.exp(np.asarray(scores, dtype=float) / tau)
    return e / e.sum(axis=-1, keepdims=True)


def _naive_bits(scores, targets):
    e = np.exp(np.asarray(scores, dtype=float))
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log2(p[np.arange(len(targets)), targets]).mean()


MISTAKES = [
    ("check_temperature", lambda s, tau: _softmax(np.asarray(s, float) * tau),
     "multiplied by tau"),
    ("check_temperature", lambda s, tau: _softmax(np.asarray(s, float)) / tau,
     "after the softmax"),
    ("check_temperature", lambda s, tau: np.exp(np.asarray(s, float) / tau),
     "not normalised"),
    ("check_temperature", lambda s, tau: _softmax(np.asarray(s, float) / tau, axis=0),
     "wrong axis"),
    ("check_temperature", _naive_temperature, "overflows"),
    ("check_temperature", lambda s, tau: _softmax(np.asarray(s, float)), "tau is ignored"),
    ("check_bits_per_char", lambda s, y: bits_per_char(s, y) * np.log(2), "in nats"),
    ("check_bits_per_char", lambda s, y: bits_per_char(s, y) * len(y), "the sum"),
    ("check_bits_per_char",
     lambda s, y: -np.mean(np.log2(np.abs(np.asarray(s, float)[np.arange(len(y)), y])
                                   + 1e-300)), "used as probabilities"),
    ("check_bits_per_char",
     lambda s, y: -np.mean(np.log2(_softmax(np.asarray(s, float), axis=1).max(axis=1))),
     "most likely character"),
    ("check_bits_per_char",
     lambda s, y: bits_per_char(s[:-1], y[1:]) if len(y) > 1 else np.nan, "one position late"),
    ("check_bits_per_char", _naive_bits, "overflows"),
    ("check_bits_per_char", log_of_the_packages_softmax, "underflows to 0"),
]


@pytest.mark.parametrize("name, wrong, hint", MISTAKES,
                         ids=[f"{name[6:]}-{hint}" for name, _, hint in MISTAKES])
def test_a_typical_mistake_fails_with_its_own_hint(name, wrong, hint):
    with np.errstate(all="ignore"):
        result = getattr(exercises, name)(wrong)
    assert_mistake_named(result, hint)


def test_the_overflow_is_caught_only_where_it_happens():
    result = exercises.check_temperature(_naive_temperature)
    failed = [c.label for c in result.cases if not c.passed]
    assert failed == ["scores up to 1000 at tau = 0.01"]
    result = exercises.check_bits_per_char(_naive_bits)
    assert [c.label for c in result.cases if not c.passed] == ["scores up to 800, N = 4, V = 5"]


def test_an_untouched_scaffold_is_not_attempted():
    def temperature_probs(scores, tau):
        raise NotImplementedError

    def bits_per_char(scores, targets):
        raise NotImplementedError

    for check, scaffold in ((exercises.check_temperature, temperature_probs),
                            (exercises.check_bits_per_char, bits_per_char)):
        result = check(scaffold)
        assert not result.attempted and not result.passed
        assert "not attempted yet" in str(result)


@pytest.mark.parametrize("name", sorted(RIGHT))
@pytest.mark.parametrize("broken, message", [
    (lambda *args: None, "None"),
    (lambda *args: 1 / 0, "raised ZeroDivisionError"),
    (lambda *args: "0.5", "str"),
    (lambda *args: np.zeros((7, 7)), "(7, 7)"),
])
def test_a_broken_answer_gives_a_failed_verdict(name, broken, message):
    result = getattr(exercises, name)(broken)
    assert result.attempted and not result.passed
    assert all(not case.passed for case in result.cases)
    assert message in str(result), str(result)


def test_changing_the_scores_in_place_fails():
    def in_place(scores, tau):
        scores /= tau
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        return scores

    result = exercises.check_temperature(in_place)
    assert not result.passed and "changed scores in place" in str(result)
