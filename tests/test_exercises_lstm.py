"""The lstm chapter's checkers (rnnlearn.exercises.lstm): a right answer passes, each typical
mistake fails with its own hint, an untouched scaffold is "not attempted yet", and a broken
answer gives a failed verdict, never an error."""
import numpy as np
import pytest

from checker_asserts import assert_exported, assert_mistake_named, assert_right_answer_passes
from rnnlearn import exercises, lstm


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    i, f, g, o = np.split(a, 4, axis=1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def lstm_step_with_the_package(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """Another right answer: rnnlearn.lstm.step_forward."""
    params = {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh}
    (h, c), _ = lstm.step_forward(x, (h_prev, c_prev), params)
    return h, c


def cell_backward(dc, dh, f, o, tanh_c):
    return (dc + dh * o * (1 - tanh_c**2)) * f


def cell_backward_with_the_package(dc, dh, f, o, tanh_c):
    """Another right answer: dL/dc_{t-1} of lstm.step_backward on a cache with these gates."""
    B, H = f.shape
    z = np.zeros((B, H))
    cache = lstm.StepCache(np.zeros((B, 1)), z, z, z + 0.5, f, z, o, np.arctanh(tanh_c), tanh_c,
                           np.zeros((4 * H, 1)), np.zeros((4 * H, H)), None, lstm.Options())
    return lstm.step_backward(dh, dc, cache)[1][1]


RIGHT = {"check_lstm_step": lstm_step, "check_lstm_cell_backward": cell_backward}


def test_the_checkers_are_exported():
    from rnnlearn.exercises import lstm as module
    assert_exported(module, RIGHT)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes(name):
    result = getattr(exercises, name)(RIGHT[name])
    assert_right_answer_passes(result)
    assert "B = 1" in " ".join(c.label for c in result.cases)


def test_other_right_forms_pass_too():
    assert exercises.check_lstm_step(lstm_step_with_the_package).passed
    assert exercises.check_lstm_cell_backward(cell_backward_with_the_package).passed


def _step_with(order="ifgo", g_act=np.tanh, out_act=np.tanh, b_hh=True, f_on_input=False):
    def wrong(x, h_prev, c_prev, W_ih, W_hh, b_ih, bias_hh):
        H = h_prev.shape[1]
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + (bias_hh if b_hh else 0)
        block = {k: a[:, n * H:(n + 1) * H] for n, k in enumerate(order)}
        i, f, o, g = sigmoid(block["i"]), sigmoid(block["f"]), sigmoid(block["o"]), g_act(
            block["g"])
        c = i * c_prev + f * g if f_on_input else f * c_prev + i * g
        return o * out_act(c), c
    return wrong


def transposed(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih + b_ih + h_prev @ W_hh.T + b_hh  # W_ih untransposed
    i, f, g, o = np.split(a, 4, axis=1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def _backward_with(h_path=True, slope=True, forget=True, f_on_all=True):
    def wrong(dc, dh, f, o, tanh_c):
        through = dh * o * ((1 - tanh_c**2) if slope else 1) if h_path else 0
        if not forget:
            return dc + through
        return (dc + through) * f if f_on_all else dc * f + through
    return wrong


MISTAKES = [
    ("check_lstm_step", _step_with(order="ifog"), "read as i, f, o, g"),
    ("check_lstm_step", _step_with(g_act=sigmoid), "the candidate g goes through a sigmoid"),
    ("check_lstm_step", _step_with(out_act=lambda c: c), "h = o * c: the cell state is squashed"),
    ("check_lstm_step", _step_with(b_hh=False), "b_hh is missing"),
    ("check_lstm_step", _step_with(f_on_input=True), "the gates are swapped in the cell update"),
    ("check_lstm_step", transposed, "W_ih is used untransposed"),
    ("check_lstm_cell_backward", _backward_with(h_path=False), "the path through h_t is missing"),
    ("check_lstm_cell_backward", _backward_with(slope=False), "the slope of the tanh is missing"),
    ("check_lstm_cell_backward", _backward_with(forget=False), "the forget gate is missing"),
    ("check_lstm_cell_backward", _backward_with(f_on_all=False),
     "f multiplies only the dc from later steps"),
]


@pytest.mark.parametrize("name, wrong, hint", MISTAKES,
                         ids=[f"{name[6:]}-{hint[:30]}" for name, _, hint in MISTAKES])
def test_a_typical_mistake_fails_with_its_own_hint(name, wrong, hint):
    assert_mistake_named(getattr(exercises, name)(wrong), hint, first=False, quoted=True)


def test_the_order_mistake_is_named_first():
    result = exercises.check_lstm_step(_step_with(order="ifog"))
    assert "read as i, f, o, g" in result.hints[0]
    assert sum(c.passed for c in result.cases) == 0


def test_transposed_weights_fail_with_a_shape_hint_where_they_do_not_fit():
    """x @ W_ih runs only when D = 4H; elsewhere the product raises, and the verdict says so."""
    result = exercises.check_lstm_step(transposed)
    raised = [c for c in result.cases if "raised ValueError" in c.message]
    assert raised and all("check which factor to transpose" in " ".join(c.hints) for c in raised)
    square = [c for c in result.cases if "W_ih square" in c.label]
    assert not square[0].passed and "untransposed" in " ".join(square[0].hints)


def test_forgetting_f_passes_only_where_f_is_one():
    result = exercises.check_lstm_cell_backward(_backward_with(forget=False))
    passed = [c.label for c in result.cases if c.passed]
    assert passed == ["f = 1 and large dh (B = 2, H = 2)"]


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_an_untouched_scaffold_is_not_attempted(name):
    def scaffold(*args):
        raise NotImplementedError

    result = getattr(exercises, name)(scaffold)
    assert not result.passed and not result.attempted
    assert "not attempted yet" in str(result)


@pytest.mark.parametrize("name", sorted(RIGHT))
@pytest.mark.parametrize("broken", [
    lambda *a: None,
    lambda *a: 1 / 0,
    lambda *a: (np.zeros(3), np.zeros(3)),
    lambda *a: [0.0],
], ids=["none", "raises", "wrong-shape", "list"])
def test_a_broken_answer_fails_without_raising(name, broken):
    result = getattr(exercises, name)(broken)
    assert not result.passed and result.attempted and str(result)


def test_changing_an_argument_in_place_fails():
    def in_place(dc, dh, f, o, tanh_c):
        dc += dh * o * (1 - tanh_c**2)
        dc *= f
        return dc

    result = exercises.check_lstm_cell_backward(in_place)
    assert not result.passed and "changed dc in place" in str(result)
