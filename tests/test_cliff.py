"""cliff: the single unit x_t = w sigma(x_{t-1}) + b, its bifurcation, loss, BPTT and clipping."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import cliff
from rnnlearn.activations import sigmoid
from rnnlearn.gradcheck import check_gradients


def test_bifurcation_values_for_w_5():
    b_lo, b_hi = cliff.bifurcation_values(5.0)
    assert b_lo == pytest.approx(-2.65561, abs=1e-4) and b_hi == pytest.approx(-2.34439, abs=1e-4)


@pytest.mark.parametrize("w", [4.5, 5.0, 8.0])
def test_at_the_bifurcation_a_fixed_point_is_tangent(w):
    for b in cliff.bifurcation_values(w):
        # a fixed point with slope 1 exists there: x = w s + b and w s (1 - s) = 1
        s = 0.5 * (1 + np.array([1, -1]) * np.sqrt(1 - 4 / w))
        x = np.log(s / (1 - s))
        gap = np.abs(w * sigmoid(x) + b - x)
        assert gap.min() < 1e-12


def test_fixed_points_count_changes_across_the_interval():
    b_lo, b_hi = cliff.bifurcation_values(5.0)
    for b in (b_lo - 0.05, b_hi + 0.05):
        points = cliff.fixed_points(5.0, b)
        assert len(points) == 1 and points[0].stable
    inside = cliff.fixed_points(5.0, 0.5 * (b_lo + b_hi))
    assert [p.stable for p in inside] == [True, False, True]
    for p in inside:
        assert 5.0 * sigmoid(p.x) + 0.5 * (b_lo + b_hi) == pytest.approx(p.x, abs=1e-10)


@pytest.mark.parametrize("b", [-2.6, -2.5, -2.4])
def test_inside_the_interval_two_starts_reach_two_fixed_points(b):
    lo, _, hi = cliff.fixed_points(5.0, b)
    ends = cliff.iterate(5.0, b, 200, np.array([-3.0, 3.0]))[-1]
    assert_allclose(ends, [lo.x, hi.x], atol=1e-9)
    assert hi.x - lo.x > 2


def test_iterate_broadcasts_over_a_grid():
    W, B = np.meshgrid(np.linspace(1, 8, 4), np.linspace(-4, 0, 3))
    xs = cliff.iterate(W, B, 5)
    assert xs.shape == (6, 3, 4)
    assert_allclose(xs[1], W * sigmoid(0.5) + B)
    assert_allclose(cliff.loss(W, B, 0.7, 5), 0.5 * (xs[-1] - 0.7) ** 2)


@pytest.mark.parametrize("w, b, T", [(5.0, -2.5, 1), (5.0, -2.5, 20), (3.0, -1.0, 50),
                                     (8.0, -4.1, 30), (-2.0, 0.3, 10)])
def test_bptt_gradient_is_checked(w, b, T):
    params = {"w": np.array([w]), "b": np.array([b])}

    def loss_fn(p):
        return float(cliff.loss(p["w"][0], p["b"][0], 0.7, T))

    _, dw, db = cliff.loss_and_grad(w, b, 0.7, T)
    report = check_gradients(loss_fn, params, {"w": np.array([dw]), "b": np.array([db])})
    assert report.passed, report


def test_the_gradient_is_huge_at_the_cliff_and_clipping_bounds_the_step():
    # a start just off the cliff: one unclipped step throws (w, b) far away
    free = cliff.descend(8.0, -4.0, 0.7, 50, lr=0.1, steps=60)
    clipped = cliff.descend(8.0, -4.0, 0.7, 50, lr=0.1, steps=60, clip=1.0)
    jumps = np.linalg.norm(np.diff(free.params, axis=0), axis=1)
    assert free.grad_norms.max() > 50 and jumps.max() > 5
    steps = np.linalg.norm(np.diff(clipped.params, axis=0), axis=1)
    assert np.all(steps <= 0.1 * 1.0 + 1e-12) and clipped.clipped.any()
    assert np.all(clipped.clipped == (clipped.grad_norms >= 1.0))


def test_descend_without_clipping_is_plain_gradient_descent():
    path = cliff.descend(2.0, 0.0, 0.7, 10, lr=0.05, steps=3)
    w, b = 2.0, 0.0
    for k in range(3):
        assert_allclose(path.params[k], [w, b])
        _, dw, db = cliff.loss_and_grad(w, b, 0.7, 10)
        w, b = w - 0.05 * dw, b - 0.05 * db
    assert not path.clipped.any() and path.losses[-1] < path.losses[0]


@pytest.mark.parametrize("call, error, match", [
    (lambda: cliff.bifurcation_values(4.0), ValueError, "w must be in"),
    (lambda: cliff.bifurcation_values("5"), TypeError, "w must be a real number"),
    (lambda: cliff.iterate(5.0, -2.5, -1), ValueError, "T must be an int >= 0"),
    (lambda: cliff.iterate(5.0, -2.5, 2.0), TypeError, "T must be an int"),
    (lambda: cliff.iterate(5.0, np.nan, 2), ValueError, "b must be finite"),
    (lambda: cliff.iterate(True, 1.0, 2), TypeError, "w must be a real number"),
    (lambda: cliff.loss(5.0, -2.5, 0.7, 0), ValueError, "T must be an int >= 1"),
    (lambda: cliff.descend(5.0, -2.5, 0.7, 5, lr=0.0, steps=1), ValueError, "lr must be in"),
    (lambda: cliff.descend(5.0, -2.5, 0.7, 5, lr=0.1, steps=1, clip=0.0), ValueError,
     "clip must be in"),
])
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
