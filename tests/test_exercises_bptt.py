"""The bptt chapter's checkers (rnnlearn.exercises.bptt): a right answer passes, each typical
mistake fails with its own hint, an untouched scaffold is "not attempted yet", and a broken
answer gives a failed verdict, never an error."""
import numpy as np
import pytest

from checker_asserts import assert_exported, assert_mistake_named, assert_right_answer_passes
from rnnlearn import exercises, rnn


def rnn_step(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def bptt(dhs, xs, h0, hs, W_hh):
    T, B, H = hs.shape
    dW_ih, dW_hh, db = 0, 0, 0
    delta_next = np.zeros((B, H))
    for t in reversed(range(T)):
        delta = (dhs[t] + delta_next @ W_hh) * (1 - hs[t] ** 2)
        h_prev = hs[t - 1] if t > 0 else h0
        dW_ih = dW_ih + delta.T @ xs[t]
        dW_hh = dW_hh + delta.T @ h_prev
        db = db + delta.sum(axis=0)
        delta_next = delta
    return dW_ih, dW_hh, db


def bptt_with_the_package(dhs, xs, h0, hs, W_hh):
    """Another right answer: rnn.backward on a cache rebuilt from the arguments."""
    D = xs.shape[2]
    cache = rnn.Cache(xs, h0, hs, np.zeros((hs.shape[2], D)), W_hh, "tanh")
    _, _, g = rnn.backward(dhs, cache)
    return g["weight_ih"], g["weight_hh"], g["bias_hh"]


RIGHT = {"check_rnn_step": rnn_step, "check_bptt": bptt}


def test_the_checkers_are_exported():
    from rnnlearn.exercises import bptt as module
    assert_exported(module, RIGHT)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes(name):
    result = getattr(exercises, name)(RIGHT[name])
    assert_right_answer_passes(result)
    labels = " ".join(c.label for c in result.cases)
    assert "B = 1" in labels
    if name == "check_bptt":
        assert "T = 1" in labels


def test_other_right_forms_pass_too():
    assert exercises.check_bptt(bptt_with_the_package).passed
    assert exercises.check_rnn_step(
        lambda x, h, W_ih, W_hh, b_ih, b_hh: np.tanh(np.einsum("bd,hd->bh", x, W_ih)
                                                     + (h @ W_hh.T + b_hh) + b_ih)).passed


def _bptt_with(recurrent=True, slope=True, slope_on_all=True, layout=False, h_now=False,
               transposed=False):
    def wrong(dhs, xs, h0, hs, W_hh):
        T, B, H = hs.shape
        dW_ih, dW_hh, db = 0, 0, 0
        delta_next = np.zeros((B, H))
        for t in reversed(range(T)):
            back = delta_next @ (W_hh.T if layout else W_hh) if recurrent else 0
            s = 1 - hs[t] ** 2 if slope else 1
            delta = (dhs[t] + back) * s if slope_on_all else dhs[t] * s + back
            h_prev = hs[t] if h_now else (hs[t - 1] if t > 0 else h0)
            if transposed:
                dW_ih, dW_hh = dW_ih + xs[t].T @ delta, dW_hh + h_prev.T @ delta
            else:
                dW_ih, dW_hh = dW_ih + delta.T @ xs[t], dW_hh + delta.T @ h_prev
            db = db + delta.sum(axis=0)
            delta_next = delta
        return dW_ih, dW_hh, db
    return wrong


MISTAKES = [
    ("check_rnn_step", lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi + bi + h @ Wh + bh),
     "untransposed: in nn.RNN's layout"),
    ("check_rnn_step", lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + h @ Wh + bh),
     "W_hh is used untransposed"),
    ("check_rnn_step", lambda x, h, Wi, Wh, bi, bh: x @ Wi.T + bi + h @ Wh.T + bh,
     "that is the net input a_t"),
    ("check_rnn_step", lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + bh),
     "the recurrent term h_prev @ W_hh.T is missing"),
    ("check_rnn_step", lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + h @ Wh.T),
     "b_hh is missing"),
    ("check_rnn_step", lambda x, h, Wi, Wh, bi, bh: 1 / (1 + np.exp(-(x @ Wi.T + bi + h @ Wh.T
                                                                      + bh))),
     "logistic function"),
    ("check_bptt", _bptt_with(recurrent=False), "the recurrent term is missing from delta_t"),
    ("check_bptt", _bptt_with(h_now=True), "dW_hh pairs delta_t with h_t"),
    ("check_bptt", _bptt_with(layout=True), "the error goes back through W_hh.T"),
    ("check_bptt", _bptt_with(transposed=True), "the weight gradients are transposed"),
    ("check_bptt", _bptt_with(slope=False), "1 - h_t**2 is missing"),
    ("check_bptt", _bptt_with(slope_on_all=False), "multiplies only the step's own loss"),
]


@pytest.mark.parametrize("name, wrong, hint", MISTAKES,
                         ids=[f"{name[6:]}-{hint[:30]}" for name, _, hint in MISTAKES])
def test_a_typical_mistake_fails_with_its_own_hint(name, wrong, hint):
    assert_mistake_named(getattr(exercises, name)(wrong), hint, quoted=True)


def test_forgetting_the_recurrent_term_passes_only_where_it_cannot_show():
    """With T = 1 there is no later step: the immediate derivative is the whole story."""
    result = exercises.check_bptt(_bptt_with(recurrent=False))
    verdicts = {c.label: c.passed for c in result.cases}
    assert verdicts["one step, T = 1 (B = 2, D = 2, H = 3)"]
    assert sum(verdicts.values()) == 1


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_an_untouched_scaffold_is_not_attempted(name):
    def scaffold(*args):
        raise NotImplementedError
    result = getattr(exercises, name)(scaffold)
    assert not result.attempted and not result.passed and "not attempted yet" in str(result)


BROKEN = {
    "raises": (lambda *a: 1 / 0, "raised ZeroDivisionError"),
    "None": (lambda *a: None, "forget the return"),
    "shape": (lambda *a: np.zeros((7, 7)), "(7, 7)"),
    "string": (lambda *a: "h", "str"),
    "NaN": (lambda *a: np.full((7, 7), np.nan), "(7, 7)"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_broken_answer_gives_a_failed_verdict_not_an_error(name, kind):
    fn, message = BROKEN[kind]
    result = getattr(exercises, name)(fn)
    assert result.attempted and not result.passed
    assert all(not c.passed for c in result.cases)
    assert message in str(result), str(result)


def test_nan_outputs_of_the_right_shape_fail():
    result = exercises.check_rnn_step(lambda x, h, *w: np.full(h.shape, np.nan))
    assert not result.passed and "nan" in str(result).lower()
    result = exercises.check_bptt(lambda dhs, xs, h0, hs, W: tuple(
        np.full_like(g, np.nan) for g in bptt(dhs, xs, h0, hs, W)))
    assert not result.passed


def test_changing_an_argument_in_place_fails():
    def bptt_in_place(dhs, xs, h0, hs, W_hh):
        out = bptt(dhs, xs, h0, hs, W_hh)
        dhs *= 0
        return out
    result = exercises.check_bptt(bptt_in_place)
    assert not result.passed and "changed dhs in place" in str(result)
