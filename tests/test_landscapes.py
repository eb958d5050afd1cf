import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import landscapes as ls
from rnnlearn.calculus import derivative, gradient
from rnnlearn.gradcheck import relative_error

ONE_D = [ls.Quartic(), ls.DoubleWell(), ls.DoubleWell(-0.7), ls.Quadratic([3.0], center=[0.5])]
N_D = [
    ls.Quadratic([1.0, 10.0]),
    ls.Quadratic.from_condition(25.0, L=2.0, rotation=0.6),
    ls.Quadratic([0.5, 1.0, 4.0], center=[1.0, -2.0, 0.5]),
    ls.Rosenbrock(),
    ls.Rosenbrock(a=-0.5, b=5.0),
    ls.DoubleWell2D(),
    ls.DoubleWell2D(tilt=-0.4, stiffness=3.0),
]
ALL = ONE_D + N_D


def random_points(landscape, rng, n=40):
    """Uniform points inside the plot window, shape (n,) or (n, dim)."""
    if landscape.dim == 1:
        return rng.uniform(*landscape.bounds, size=n)
    lo, hi = np.array(landscape.bounds).T  # (dim,) each
    return rng.uniform(lo, hi, size=(n, landscape.dim))


@pytest.mark.parametrize("landscape", ONE_D, ids=repr)
def test_1d_grad_matches_finite_differences(landscape, rng):
    x = random_points(landscape, rng)
    assert relative_error(landscape.grad(x), derivative(landscape, x)) < 1e-7


@pytest.mark.parametrize("landscape", N_D, ids=repr)
def test_nd_grad_matches_finite_differences(landscape, rng):
    w = random_points(landscape, rng)
    numerical = np.array([gradient(landscape, point) for point in w])
    assert relative_error(landscape.grad(w), numerical) < 1e-7


@pytest.mark.parametrize("landscape", ALL, ids=repr)
def test_minima_attain_f_min_with_zero_gradient(landscape):
    minima = landscape.minima
    assert minima.shape[1:] == (() if landscape.dim == 1 else (landscape.dim,))
    assert_allclose(landscape(minima[0]), landscape.f_min, atol=1e-12)
    assert np.all(landscape(minima) >= landscape.f_min - 1e-12)
    assert_allclose(landscape.grad(minima), 0.0, atol=1e-10)


@pytest.mark.parametrize("landscape", ALL, ids=repr)
def test_minima_are_the_lowest_points_of_the_window(landscape, rng):
    assert np.all(landscape(random_points(landscape, rng, n=2000)) >= landscape.f_min)


@pytest.mark.parametrize("landscape", ONE_D, ids=repr)
def test_1d_scalar_in_float_out(landscape):
    x0 = landscape.bounds[0]
    assert isinstance(landscape(x0), float) and isinstance(landscape.grad(x0), float)
    # the scalar and the array path may round x**4 differently in the last bit
    assert landscape(x0) == pytest.approx(landscape(np.array([x0]))[0], rel=1e-14, abs=0)
    assert landscape(np.zeros((3, 4))).shape == landscape.grad(np.zeros((3, 4))).shape == (3, 4)


@pytest.mark.parametrize("landscape", [l for l in N_D if l.dim == 2], ids=repr)
def test_grid_evaluation_matches_pointwise(landscape):
    (xlo, xhi), (ylo, yhi) = landscape.bounds
    X, Y = np.meshgrid(np.linspace(xlo, xhi, 60), np.linspace(ylo, yhi, 50))
    W = np.stack([X, Y], axis=-1)  # (50, 60, 2)
    values, grads = landscape(W), landscape.grad(W)
    assert values.shape == (50, 60) and grads.shape == (50, 60, 2)
    for i, j in [(0, 0), (17, 41), (49, 59), (25, 3)]:
        assert_allclose(values[i, j], landscape(W[i, j]), rtol=1e-12)
        assert_allclose(grads[i, j], landscape.grad(W[i, j]), rtol=1e-12)
    pointwise = np.array([[landscape(w) for w in row] for row in W])
    assert_allclose(values, pointwise, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("landscape", N_D, ids=repr)
@pytest.mark.parametrize("shape", [(), (3,), (2, 5)])
def test_nd_rejects_wrong_last_axis(landscape, shape):
    bad = np.zeros(shape + (landscape.dim + 1,)) if shape else 1.0
    message = re.escape(f"w must have shape (..., {landscape.dim}); got {np.shape(bad)}")
    with pytest.raises(ValueError, match=message):
        landscape(bad)
    with pytest.raises(ValueError, match=message):
        landscape.grad(bad)


def test_quartic_flat_inflection_at_zero():
    q = ls.Quartic()
    assert_allclose(q.stationary_points, [0.0, 2.25])
    assert_allclose(q.grad(q.stationary_points), 0.0)
    assert q.f_min == -1675 / 256 and q.minima.tolist() == [2.25]
    assert derivative(q.grad, 0.0) == pytest.approx(0.0, abs=1e-9)  # f''(0) = 0
    assert q(-0.1) > q(0.0) > q(0.1)  # still falling on both sides: not a minimum
    assert q.bounds == (-1.5, 4.2) and q.name == "quartic x^4 - 3x^3 + 2"


def test_quadratic_spectrum_properties():
    f = ls.Quadratic([10.0, 1.0, 4.0])
    assert_allclose(f.eigenvalues, [1.0, 4.0, 10.0])
    assert (f.mu, f.L, f.kappa, f.dim) == (1.0, 10.0, 10.0, 3)
    assert_allclose(f.A, np.diag([10.0, 1.0, 4.0]))
    assert f(np.array([1.0, 1.0, 1.0])) == pytest.approx(7.5)


@pytest.mark.parametrize("angle", [0.0, 0.3, np.pi / 4, 2.0])
def test_quadratic_rotation_keeps_eigenvalues(angle):
    f = ls.Quadratic([0.5, 8.0], rotation=angle, center=[1.0, -1.0])
    assert_allclose(np.linalg.eigvalsh(f.A), [0.5, 8.0])
    assert_allclose(f.A, f.A.T)
    assert f.kappa == 16.0
    # the principal axes turn with the angle: moving along Q's first column costs lambda_1
    v = np.array([np.cos(angle), np.sin(angle)])
    assert f(f.center + v) == pytest.approx(0.25)
    assert f.bounds == ((-0.5, 2.5), (-2.5, 0.5))


def test_quadratic_orthogonal_matrix_rotation(rng):
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    f = ls.Quadratic([1.0, 2.0, 3.0, 4.0], rotation=Q)
    assert_allclose(np.linalg.eigvalsh(f.A), [1.0, 2.0, 3.0, 4.0])
    assert_allclose(f.A @ Q[:, 2], 3.0 * Q[:, 2])


@pytest.mark.parametrize("kappa, dim", [(1.0, 2), (10.0, 2), (100.0, 5)])
def test_quadratic_from_condition(kappa, dim):
    f = ls.Quadratic.from_condition(kappa, L=2.0, dim=dim)
    assert f.dim == dim
    assert f.kappa == pytest.approx(kappa) and f.L == 2.0
    assert_allclose(f.eigenvalues, np.linspace(2.0 / kappa, 2.0, dim))
    assert_allclose(ls.Quadratic.spread(0.5, 2.0, 4).eigenvalues, [0.5, 1.0, 1.5, 2.0])


def test_quadratic_1d_is_elementwise():
    f = ls.Quadratic([4.0], center=[1.0])
    assert f(3.0) == 8.0 and f.grad(3.0) == 8.0
    assert_allclose(f(np.array([0.0, 1.0, 2.0])), [2.0, 0.0, 2.0])
    assert f.bounds == (-0.5, 2.5) and f.minima.tolist() == [1.0]


def test_quadratic_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"must all be finite and > 0; got \[ 1. -1.\]"):
        ls.Quadratic([1.0, -1.0])
    with pytest.raises(ValueError, match=r"eigenvalues must have shape \(dim,\); got \(2, 2\)"):
        ls.Quadratic(np.eye(2))
    with pytest.raises(ValueError, match="a rotation angle needs dim 2; got dim 3"):
        ls.Quadratic([1.0, 2.0, 3.0], rotation=0.5)
    with pytest.raises(ValueError, match="rotation must be orthogonal"):
        ls.Quadratic([1.0, 2.0], rotation=[[1.0, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"rotation must be .* shape \(2, 2\); got shape \(3, 3\)"):
        ls.Quadratic([1.0, 2.0], rotation=np.eye(3))
    with pytest.raises(ValueError, match=r"center must have shape \(2,\); got \(3,\)"):
        ls.Quadratic([1.0, 2.0], center=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="kappa must be finite and >= 1; got 0.5"):
        ls.Quadratic.from_condition(0.5)
    with pytest.raises(ValueError, match="dim must be >= 2"):
        ls.Quadratic.spread(1.0, 2.0, 1)


def test_rosenbrock_minimum_and_attributes():
    f = ls.Rosenbrock(a=2.0, b=10.0)
    assert f.minima.tolist() == [[2.0, 4.0]] and f.f_min == 0.0
    assert f(np.array([0.0, 0.0])) == 4.0
    assert f.bounds == ((-2.0, 2.0), (-1.0, 3.0))
    with pytest.raises(ValueError, match="b finite and > 0; got a=1.0, b=0.0"):
        ls.Rosenbrock(b=0.0)


@pytest.mark.parametrize("tilt", [0.3, -0.3, 1.0, 1.5])
def test_double_well_minima_from_roots(tilt):
    f = ls.DoubleWell(tilt)
    global_x, local_x = f.minima
    assert np.sign(global_x) == -np.sign(tilt) == -np.sign(local_x)  # tilt > 0: left well wins
    # f_min is f at the global minimum up to rounding: scalar and array evaluations of x**4 may
    # differ in the last bit (libm against numpy's SIMD loops), so compare with a tolerance
    assert f(global_x) == pytest.approx(f.f_min, rel=1e-14, abs=1e-15)
    assert f(local_x) - f.f_min > abs(tilt)  # the other well is higher, by about 2|tilt|
    for x in f.minima:  # minima, not maxima: f'' = 12 x^2 - 4 > 0
        assert 12 * x**2 - 4 > 0
    assert f.bounds == (-2.0, 2.0)


@pytest.mark.parametrize("tilt", [1.54, -2.0, np.nan])
def test_double_well_rejects_large_tilt(tilt):
    with pytest.raises(ValueError, match=r"\|tilt\| must be < 8/\(3 sqrt 3\) = 1.5396"):
        ls.DoubleWell(tilt)
    with pytest.raises(ValueError, match=r"\|tilt\| must be <"):
        ls.DoubleWell2D(tilt)


def test_double_well_2d_extends_1d():
    f, g = ls.DoubleWell2D(tilt=0.3, stiffness=2.0), ls.DoubleWell(0.3)
    assert_allclose(f.minima, np.column_stack([g.minima, [0.0, 0.0]]))
    assert f.f_min == g.f_min
    assert f(np.array([0.7, 0.5])) == pytest.approx(g(0.7) + 0.5)
    assert f.bounds == ((-2.0, 2.0), (-1.5, 1.5))
    with pytest.raises(ValueError, match="stiffness must be finite and > 0; got -1"):
        ls.DoubleWell2D(stiffness=-1)


@pytest.mark.parametrize("landscape", ALL, ids=repr)
def test_common_attributes(landscape):
    assert isinstance(landscape.name, str) and landscape.name
    assert landscape.dim >= 1 and isinstance(landscape.f_min, float)
    assert len(landscape.bounds) == (2 if landscape.dim == 1 else landscape.dim)


def test_spread_wants_an_int_dimension():
    with pytest.raises(TypeError, match="dim must be an int; got float 2.0"):
        ls.Quadratic.spread(1.0, 10.0, 2.0)
    with pytest.raises(TypeError, match="dim must be an int; got bool True"):
        ls.Quadratic.from_condition(10.0, dim=True)
