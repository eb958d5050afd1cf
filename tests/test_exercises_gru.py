"""The gru chapter's checkers (rnnlearn.exercises.gru): a right answer passes, each typical
mistake fails with its own hint, an untouched scaffold is "not attempted yet", and a broken
answer gives a failed verdict, never an error."""
import numpy as np
import pytest

from checker_asserts import assert_exported, assert_right_answer_passes
from rnnlearn import exercises, gru, lstm, rnn


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    gi = x @ W_ih.T + b_ih
    gh = h_prev @ W_hh.T + b_hh
    r = sigmoid(gi[:, :H] + gh[:, :H])
    z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h_prev


def gru_step_with_the_package(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    params = {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh}
    return gru.step_forward(x, h_prev, params)[0]


def param_count(cell, D, H):
    G = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    return G * (H * D + H * H + 2 * H)


def param_count_from_init(cell, D, H):
    module = {"rnn": rnn, "gru": gru, "lstm": lstm}[cell]
    params = module.init_params(D, H, np.random.default_rng(0))
    return sum(p.size for p in params.values())


RIGHT = {"check_gru_step": gru_step, "check_param_counts": param_count}


def test_the_checkers_are_exported():
    from rnnlearn.exercises import gru as module
    assert_exported(module, RIGHT)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes(name):
    result = getattr(exercises, name)(RIGHT[name])
    assert_right_answer_passes(result)


def test_other_right_forms_pass_too():
    assert exercises.check_gru_step(gru_step_with_the_package).passed
    assert exercises.check_param_counts(param_count_from_init).passed
    assert exercises.check_param_counts(lambda c, D, H: float(param_count(c, D, H))).passed


def _gru_with(swap=False, before=False, bias_outside=False, order="rzn"):
    def wrong(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        block = {g: slice(k * H, (k + 1) * H) for k, g in enumerate(order)}
        gi = x @ W_ih.T + b_ih
        r = sigmoid(gi[:, block["r"]] + h_prev @ W_hh[block["r"]].T + b_hh[block["r"]])
        z = sigmoid(gi[:, block["z"]] + h_prev @ W_hh[block["z"]].T + b_hh[block["z"]])
        W_hn, b_hn = W_hh[block["n"]], b_hh[block["n"]]
        if before:
            rec = (r * h_prev) @ W_hn.T + b_hn
        elif bias_outside:
            rec = r * (h_prev @ W_hn.T) + b_hn
        else:
            rec = r * (h_prev @ W_hn.T + b_hn)
        n = np.tanh(gi[:, block["n"]] + rec)
        return z * n + (1 - z) * h_prev if swap else (1 - z) * n + z * h_prev
    return wrong


@pytest.mark.parametrize("wrong, words", [
    (_gru_with(swap=True), "Chung et al.'s convention"),
    (_gru_with(before=True), "Cho et al.'s form"),
    (_gru_with(bias_outside=True), "b_hn is outside the reset gate"),
    (_gru_with(order="zrn"), "the order z, r, n"),
])
def test_each_gru_step_mistake_gets_its_hint(wrong, words):
    result = exercises.check_gru_step(wrong)
    assert not result.passed and result.attempted
    assert words in result.hints[0], result.hints  # the hint most cases give comes first
    assert len(result.hints) <= 2, result.hints  # at h_prev = 0 two forms coincide


def test_returning_the_candidate_is_named():
    def candidate(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
        r = sigmoid(gi[:, :H] + gh[:, :H])
        return np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    result = exercises.check_gru_step(candidate)
    assert not result.passed and any("that is the candidate n" in h for h in result.hints)


@pytest.mark.parametrize("wrong, words", [
    (lambda c, D, H: {"rnn": 1, "gru": 3, "lstm": 4}[c] * (H * D + H * H + H), "one bias"),
    (lambda c, D, H: H * D + H * H + 2 * H, "the gate factor is missing"),
    (lambda c, D, H: {"rnn": 1, "gru": 4, "lstm": 3}[c] * (H * D + H * H + 2 * H),
     "the gate factors are swapped"),
    (lambda c, D, H: {"rnn": 1, "gru": 3, "lstm": 4}[c] * (H * D + H * H) + 2 * H,
     "counted once for the whole layer"),
])
def test_each_count_mistake_gets_its_hint(wrong, words):
    result = exercises.check_param_counts(wrong)
    assert not result.passed and result.attempted
    assert any(words in hint for hint in result.hints), result.hints


def test_an_untouched_scaffold_is_not_attempted():
    def scaffold(*args):
        raise NotImplementedError
    for check in (exercises.check_gru_step, exercises.check_param_counts):
        result = check(scaffold)
        assert not result.attempted and not result.passed
        assert "not attempted yet" in str(result)


def test_broken_answers_fail_without_raising():
    for broken in (lambda *a: None, lambda *a: 1 / 0, lambda *a: "many"):
        for check in (exercises.check_gru_step, exercises.check_param_counts):
            result = check(broken)
            assert not result.passed and result.attempted
    result = exercises.check_gru_step(lambda x, h, *rest: h.__iadd__(1.0))
    assert not result.passed and "changed h_prev in place" in str(result)
    assert not exercises.check_param_counts(gru_step).passed  # the wrong function
