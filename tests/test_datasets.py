"""Synthetic data sets: shapes, labels, geometry, reproducibility and input checks."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import datasets


@pytest.mark.parametrize("n", [2, 7, 80])
def test_two_moons_shapes_and_balanced_labels(n, rng):
    x, y = datasets.two_moons(n, 0.1, rng)
    assert x.shape == (n, 2) and y.shape == (n,) and x.dtype == np.float64
    assert np.issubdtype(y.dtype, np.integer)
    assert np.sum(y == 0) == n // 2 and np.sum(y == 1) == n - n // 2
    assert np.all(y[: n // 2] == 0) and np.all(y[n // 2:] == 1)


def test_two_moons_without_noise_lie_on_their_arcs(rng):
    x, y = datasets.two_moons(200, 0.0, rng)
    upper = x[y == 0] + [0.5, 0.25]  # undo the centring
    lower = x[y == 1] + [0.5, 0.25]
    assert_allclose(np.hypot(*upper.T), 1.0)
    assert np.all(upper[:, 1] >= 0)
    assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_two_moons_are_not_linearly_separable(rng):
    """The best least-squares line misclassifies some noise-free points: the moons interlock."""
    x, y = datasets.two_moons(400, 0.0, rng)
    X = np.column_stack([x, np.ones(len(x))])
    w, *_ = np.linalg.lstsq(X, 2.0 * y - 1, rcond=None)
    accuracy = np.mean((X @ w > 0) == (y == 1))
    assert 0.8 < accuracy < 1.0


def test_two_moons_is_reproducible_and_noise_scales():
    a = datasets.two_moons(50, 0.2, np.random.default_rng(3))
    b = datasets.two_moons(50, 0.2, np.random.default_rng(3))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    clean = datasets.two_moons(2000, 0.0, np.random.default_rng(4))[0]
    noisy = datasets.two_moons(2000, 0.3, np.random.default_rng(4))[0]
    assert 0.25 < np.std(noisy - clean) < 0.35  # same angles, plus N(0, 0.3^2) noise


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n=1, noise=0.1), ValueError, "n must be an int >= 2; got 1"),
    (dict(n=10.0, noise=0.1), TypeError, "n must be an int; got float 10.0"),
    (dict(n=True, noise=0.1), TypeError, "n must be an int; got bool True"),
    (dict(n=10, noise=-0.1), ValueError, r"noise must be in \[0.0, inf\); got -0.1"),
    (dict(n=10, noise=float("nan")), ValueError, r"noise must be in \[0.0, inf\); got nan"),
    (dict(n=10, noise="0.1"), TypeError, "noise must be a real number; got str '0.1'"),
])
def test_two_moons_rejects_bad_input(kwargs, error, match, rng):
    with pytest.raises(error, match=match):
        datasets.two_moons(rng=rng, **kwargs)


def test_two_moons_requires_a_generator():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator; got int"):
        datasets.two_moons(10, 0.1, 0)
