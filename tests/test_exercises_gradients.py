"""The checkers of the chapter "gradients": right answers pass, each typical mistake fails with
its own hint, an untouched scaffold is "not attempted yet", and nothing ever raises."""
import numpy as np
import pytest

from checker_asserts import assert_mistake_named
from rnnlearn import exercises, rnn
from rnnlearn.exercises import gradients as ex


def clip_by_norm(g, threshold):
    norm = np.linalg.norm(g)
    return g * (threshold / norm) if norm > threshold else g.copy()


def jacobian_norms(W, hs):
    T, H = hs.shape
    P, out = np.eye(H), np.empty(T)
    for t in range(T - 1, -1, -1):  # hs[t] = h_{t+1}
        P = P @ (np.diag(1 - hs[t] ** 2) @ W)
        out[t] = np.linalg.norm(P, 2)
    return out


RIGHT = {"check_clip_by_norm": clip_by_norm, "check_jacobian_norms": jacobian_norms}


def test_the_checkers_are_exported():
    assert set(ex.__all__) == set(RIGHT)
    assert all(name in exercises.__all__ and getattr(exercises, name) is getattr(ex, name)
               for name in RIGHT)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes(name):
    result = getattr(exercises, name)(RIGHT[name])
    assert result.passed and result.attempted and bool(result)
    assert len(result.cases) >= 5 and result.hints == []
    assert str(result).startswith("\u2713") and "\u2717" not in str(result)


def test_other_right_forms_pass_too():
    assert exercises.check_clip_by_norm(
        lambda g, t: g * min(1.0, t / max(np.sqrt((g**2).sum()), 1e-300))).passed

    def with_the_package(W, hs):  # the kernel, fed the states it would have computed
        cache = rnn.Cache(np.zeros((len(hs), 1, 1)), np.zeros((1, len(W))), hs[:, None],
                          np.zeros((len(W), 1)), W, "tanh")
        return rnn.jacobian_norms(cache, b=0)
    assert exercises.check_jacobian_norms(with_the_package).passed


def _clip_in_place(g, threshold):
    norm = np.linalg.norm(g)
    if norm > threshold:
        g *= threshold / norm
    return g


def _jac(**how):
    return lambda W, hs: ex._norms(W, hs, **how)


MISTAKES = [
    ("check_clip_by_norm", lambda g, t: np.clip(g, -t, t), "clipping by value"),
    ("check_clip_by_norm", lambda g, t: g * (t / np.linalg.norm(g)),
     "shorter than the threshold was rescaled"),
    ("check_clip_by_norm",
     lambda g, t: g * (t / np.sum(g**2)) if np.linalg.norm(g) > t else g.copy(),
     "squared norm"),
    ("check_clip_by_norm",
     lambda g, t: g * (t / np.abs(g).max()) if np.abs(g).max() > t else g.copy(),
     "not its largest entry"),
    ("check_clip_by_norm",
     lambda g, t: g / np.linalg.norm(g) if np.linalg.norm(g) > t else g.copy(), "length 1"),
    ("check_clip_by_norm", _clip_in_place, "instead of changing the arguments"),
    ("check_jacobian_norms", _jac(slope=np.ones_like), "slopes phi'(a_t) = 1 - h_t**2 are"),
    ("check_jacobian_norms", _jac(slope=lambda h: 1 - np.tanh(h) ** 2),
     "tanh was applied twice"),
    ("check_jacobian_norms", _jac(slope=lambda h: h * (1 - h)), "logistic"),
    ("check_jacobian_norms", _jac(shift=1), "slopes of the wrong step"),
    ("check_jacobian_norms", _jac(order="left"), "wrong order"),
    ("check_jacobian_norms", _jac(norm="fro"), "Frobenius"),
    ("check_jacobian_norms", _jac(reverse=True), "reverse order"),
]


@pytest.mark.parametrize("name, wrong, hint", MISTAKES,
                         ids=[f"{name[6:]}-{hint}" for name, _, hint in MISTAKES])
def test_a_typical_mistake_fails_with_its_own_hint(name, wrong, hint):
    with np.errstate(all="ignore"):
        result = getattr(exercises, name)(wrong)
    assert_mistake_named(result, hint)  # the most frequent hint names the mistake


def test_the_zero_gradient_case_catches_a_division_by_zero():
    def naive(g, t):
        norm = np.linalg.norm(g)
        return g / norm * min(norm, t)  # 0/0 for a zero gradient
    with np.errstate(all="ignore"):
        result = exercises.check_clip_by_norm(naive)
    assert not result.passed
    failed = [c for c in result.cases if not c.passed]
    assert [c.label for c in failed] == ["a zero gradient: nothing to clip (and no 0/0)"]


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_an_untouched_scaffold_is_not_attempted(name):
    def scaffold(*args):
        raise NotImplementedError  # replace this line by your code
    result = getattr(exercises, name)(scaffold)
    assert not result.passed and not result.attempted
    assert "not attempted yet" in str(result)


@pytest.mark.parametrize("name", sorted(RIGHT))
@pytest.mark.parametrize("broken", [
    lambda *a: None, lambda *a: [1.0, 2.0], lambda *a: np.zeros((7, 7)),
    lambda *a: np.full(a[0].shape if a[0].ndim == 1 else len(a[1]), np.nan),
    lambda *a: 1 / 0, lambda *a: "text", 42])
def test_a_broken_answer_fails_without_raising(name, broken):
    with np.errstate(all="ignore"):
        result = getattr(exercises, name)(broken)
    assert not result.passed
    assert isinstance(str(result), str)
