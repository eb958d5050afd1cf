import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import activations as act
from rnnlearn.calculus import derivative
from rnnlearn.gradcheck import assert_layer_close, relative_error

EXTREME = np.array([-1000.0, -745.0, -709.0, -40.0, -1e-3, 0.0, 1e-3, 40.0, 709.0, 745.0, 1000.0])


def test_values_match_textbook_formulas(rng):
    x = rng.uniform(-30, 30, size=200)
    assert_allclose(act.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    assert_allclose(act.tanh(x), (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)), rtol=1e-13)
    assert_allclose(act.relu(x), np.where(x > 0, x, 0.0))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_derivative_matches_finite_differences(name, rng):
    f, df = act.get(name)
    x = rng.uniform(-5, 5, size=100)
    x = x[np.abs(x) > 1e-3]  # relu has a kink at 0
    assert relative_error(df(x), derivative(f, x)) < 1e-7


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_no_floating_point_errors_for_large_inputs(name):
    f, df = act.get(name)
    with np.errstate(all="raise"):
        y, dy = f(EXTREME), df(EXTREME)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy))
    assert np.all(dy >= 0)


def test_sigmoid_tails_are_exact():
    with np.errstate(all="raise"):
        assert act.sigmoid(-1000.0) == 0.0
        assert act.sigmoid(1000.0) == 1.0
        assert_allclose(act.sigmoid(-40.0), np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-15)
        # sigma(40)(1 - sigma(40)) would cancel to ~0; the gradient keeps its relative precision
        assert_allclose(act.sigmoid_grad([40.0, -40.0]), np.exp(-40.0), rtol=1e-12)
        assert_allclose(act.tanh_grad([20.0, -20.0]), 4 * np.exp(-40.0), rtol=1e-12)


def test_relu_grad_at_zero_is_zero():
    assert_allclose(act.relu_grad([-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_accepts_scalars_and_integers(name):
    f, df = act.get(name)
    out = f(np.array([-2, 0, 3]))
    assert out.dtype == np.float64
    assert_allclose(out, f(np.array([-2.0, 0.0, 3.0])))
    assert df(np.arange(3)).dtype == np.float64
    assert np.shape(f(1)) == () and float(f(1)) == float(f(np.array([1.0]))[0])
    assert f(np.ones(3, dtype=np.float32)).dtype == np.float32


def test_rejects_non_numeric_input():
    with pytest.raises(TypeError, match="x must hold real numbers; got dtype <U"):
        act.sigmoid(np.array(["a"]))


@pytest.mark.parametrize("shape, axis", [((1, 5), -1), ((4, 3), -1), ((4, 3), 0), ((2, 3, 4), 1)])
def test_softmax_is_a_distribution_and_shift_invariant(shape, axis, rng):
    x = rng.normal(scale=3, size=shape)
    y = act.softmax(x, axis=axis)
    assert y.shape == shape and np.all(y > 0)
    assert_allclose(y.sum(axis=axis), 1.0)
    assert_allclose(act.softmax(x + 123.0, axis=axis), y, rtol=1e-12)
    naive = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
    assert_allclose(y, naive, rtol=1e-12)
    assert_allclose(act.log_softmax(x, axis=axis), np.log(naive), rtol=1e-12, atol=1e-14)


def test_softmax_and_log_softmax_extremes():
    x = np.array([[0.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    with np.errstate(all="raise"):
        y, log_y = act.softmax(x), act.log_softmax(x)
    assert_allclose(y, [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    assert_allclose(log_y, [[-1000.0, -2000.0, 0.0], [-np.log(2), -np.log(2), -2000.0 - np.log(2)]])


@pytest.mark.parametrize("shape, axis", [((1, 5), -1), ((4, 3), -1), ((4, 3), 0), ((2, 3, 4), 1)])
def test_softmax_backward_passes_gradient_check(shape, axis, rng):
    def forward(inputs, params):
        y = act.softmax(inputs["x"], axis=axis)
        return y, y  # the output is its own cache

    def backward(dy, y):
        return {"x": act.softmax_backward(dy, y, axis=axis)}, {}

    assert_layer_close(forward, backward, {"x": rng.normal(size=shape)}, {}, rng=rng)


def test_softmax_backward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"dy must have the shape of y \(2, 3\); got \(3, 2\)"):
        act.softmax_backward(np.ones((3, 2)), np.ones((2, 3)) / 3)


def test_get_returns_pairs_and_lists_valid_names():
    assert act.get("tanh") == (act.tanh, act.tanh_grad)
    assert set(act.ACTIVATIONS) == {"sigmoid", "tanh", "relu"}
    with pytest.raises(ValueError, match="'sigmoid', 'tanh', 'relu'; got 'gelu'"):
        act.get("gelu")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_grad_from_output_matches_grad_of_input(name, rng):
    f, df = act.get(name)
    x = rng.uniform(-6, 6, size=200)
    from_output = act.GRADS_FROM_OUTPUT[name]
    assert_allclose(from_output(f(x)), df(x), rtol=1e-10, atol=1e-15)
    assert from_output(f(x).astype(np.float32)).dtype == np.float32


def test_grad_from_output_formulas():
    y = np.array([0.0, 0.25, 0.5, 1.0])
    assert_allclose(act.sigmoid_grad_from_output(y), [0.0, 0.1875, 0.25, 0.0])
    assert_allclose(act.tanh_grad_from_output([-1.0, 0.0, 0.5]), [0.0, 1.0, 0.75])
    assert_allclose(act.relu_grad_from_output([0.0, 2.0]), [0.0, 1.0])
    with pytest.raises(TypeError, match="y must hold real numbers"):
        act.tanh_grad_from_output(np.array(["a"]))


@pytest.mark.parametrize("dtype, expected", [
    (np.float32, np.float32), (np.float64, np.float64), (np.float16, np.float64),
    (np.int64, np.float64), (bool, np.float64)])
def test_dtype_rule(dtype, expected):
    x = np.array([0, 1], dtype=dtype)
    for f in (act.sigmoid, act.sigmoid_grad, act.tanh, act.tanh_grad, act.relu, act.relu_grad,
              act.sigmoid_grad_from_output, act.tanh_grad_from_output, act.softmax,
              act.log_softmax):
        assert f(x).dtype == expected, f.__name__
