import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import calculus


def quartic(x):
    return x**4 - 3 * x**3 + 2


def quartic_slope(x):
    return 4 * x**3 - 9 * x**2


def test_derivative_is_elementwise_for_arrays(rng):
    x = rng.uniform(-3, 3, size=(4, 5))
    d = calculus.derivative(np.sin, x)
    assert d.shape == x.shape
    assert_allclose(d, np.cos(x), atol=1e-10)


def test_derivative_of_plain_python_function_returns_float():
    d = calculus.derivative(math.sin, 1)
    assert isinstance(d, float)
    assert d == pytest.approx(math.cos(1), abs=1e-10)


def test_forward_difference_error_is_first_order():
    h = 1e-4
    estimate = calculus.forward_difference(quartic, 4.0, h)
    # f'(4) = 112, f''(4) = 120: the forward difference is off by about h f''/2
    assert estimate - quartic_slope(4.0) == pytest.approx(60 * h, rel=1e-3)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_gradient_matches_analytic(n, rng):
    A = rng.normal(size=(n, n))
    w = rng.normal(size=n)
    w_before = w.copy()
    g = calculus.gradient(lambda v: np.sin(v).sum() + v @ A @ v, w)
    assert g.shape == (n,)
    assert_allclose(g, np.cos(w) + (A + A.T) @ w, rtol=1e-8, atol=1e-9)
    assert np.array_equal(w, w_before)


def test_gradient_rejects_non_vector():
    with pytest.raises(ValueError, match=r"w must have shape \(n,\); got \(2, 3\)"):
        calculus.gradient(np.sum, np.zeros((2, 3)))


@pytest.mark.parametrize("h, error", [
    (0.0, ValueError), (-1e-5, ValueError), (np.inf, ValueError), (np.nan, ValueError),
    ("1e-5", TypeError), ([1e-5], TypeError), (True, TypeError)])
def test_bad_step_raises(h, error):
    with pytest.raises(error, match="h must be a finite number > 0; got"):
        calculus.derivative(np.sin, 1.0, h)
    with pytest.raises(error, match="h must be a finite number > 0"):
        calculus.forward_difference(np.sin, 1.0, h)


def test_line_evaluates_slope_and_intercept():
    line = calculus.Line(slope=2.0, intercept=-1.0)
    assert line(3.0) == 5.0
    assert_allclose(line(np.array([0.0, 1.0])), [-1.0, 1.0])
    assert line.slope == 2.0 and line.intercept == -1.0


def test_tangent_line_touches_and_has_the_slope():
    line = calculus.tangent_line(quartic, 1.0)
    assert line.slope == pytest.approx(quartic_slope(1.0), abs=1e-8)
    assert line(1.0) == pytest.approx(quartic(1.0))
    given = calculus.tangent_line(quartic, 1.0, slope=-5.0)
    assert given == calculus.Line(-5.0, quartic(1.0) + 5.0)


@pytest.mark.parametrize("f, df, x", [(quartic, quartic_slope, 4.0), (np.sin, np.cos, 1.0)])
def test_central_error_is_second_order_forward_first_order(f, df, x):
    hs = np.logspace(-1, -3, 9)
    central, forward = calculus.difference_errors(f, df, x, hs)
    assert central.shape == forward.shape == hs.shape
    central_order = np.polyfit(np.log(hs), np.log(central), 1)[0]
    forward_order = np.polyfit(np.log(hs), np.log(forward), 1)[0]
    assert central_order == pytest.approx(2.0, abs=0.1)
    assert forward_order == pytest.approx(1.0, abs=0.1)
    assert np.all(central < forward)


def test_rounding_error_takes_over_for_tiny_steps():
    central, forward = calculus.difference_errors(quartic, quartic_slope, 4.0, [1e-5, 1e-12])
    assert central[1] > central[0]
    assert forward[1] > forward[0]


def test_difference_errors_rejects_bad_steps():
    with pytest.raises(ValueError, match=r"hs must have shape \(S,\) with S >= 1; got \(0,\)"):
        calculus.difference_errors(np.sin, np.cos, 1.0, [])
    with pytest.raises(ValueError, match="h must be a finite number > 0; got -0.1"):
        calculus.difference_errors(np.sin, np.cos, 1.0, [0.1, -0.1])


def test_exact_step_divides_by_the_run_really_taken():
    # 4 + 1e-10 is not a double: the run really taken differs from h
    h = 1e-10
    run = (4.0 + h) - 4.0
    assert run != h
    f = lambda x: 3.0 * x  # noqa: E731 (a line: every secant slope is 3 up to rounding)
    exact = calculus.forward_difference(f, 4.0, h, exact_step=True)
    assert exact == (f(4.0 + h) - f(4.0)) / run
    assert calculus.forward_difference(f, 4.0, h) == (f(4.0 + h) - f(4.0)) / h
    central = calculus.derivative(f, 4.0, h, exact_step=True)
    assert central == (f(4.0 + h) - f(4.0 - h)) / ((4.0 + h) - (4.0 - h))


def test_exact_step_shrinks_the_rounding_error_at_a_power_of_two():
    # the quartic with only +, - and *, which every IEEE machine rounds alike
    def f(x):
        return (x - 3) * x * x * x + 2

    hs = np.logspace(-13, -10, 31)
    as_written = calculus.difference_errors(f, quartic_slope, 4.0, hs)
    exact = calculus.difference_errors(f, quartic_slope, 4.0, hs, exact_step=True)
    for before, after in zip(as_written, exact):
        assert np.median(after) < 0.5 * np.median(before)


def test_exact_step_keeps_arrays_and_accuracy(rng):
    x = rng.uniform(-3, 3, size=(3, 4))
    for method in (calculus.derivative, calculus.forward_difference):
        d = method(np.sin, x, 1e-6, exact_step=True)
        assert d.shape == x.shape
        assert_allclose(d, np.cos(x), atol=1e-6)


def test_exact_step_rejects_a_step_lost_to_rounding_and_non_booleans():
    for method in (calculus.derivative, calculus.forward_difference):
        with pytest.raises(ValueError, match="h is too small to change x"):
            method(np.sin, 1e20, 1e-5, exact_step=True)
        with pytest.raises(TypeError, match="exact_step must be True or False; got 1"):
            method(np.sin, 1.0, 1e-5, exact_step=1)
    with pytest.raises(TypeError, match="exact_step must be True or False"):
        calculus.difference_errors(np.sin, np.cos, 1.0, [1e-5], exact_step="yes")
    # without the option a lost step still gives the old (meaningless) answer, no error
    assert calculus.forward_difference(np.sin, 1e20, 1e-5) == 0.0
