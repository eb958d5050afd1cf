import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import gradcheck


def make_problem(rng, B, D=3, H=4):
    """L = 1/2 ||tanh(X W + b) - Y||^2 with its analytic gradients."""
    X, Y = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    params = {"W": rng.normal(size=(D, H)), "b": rng.normal(size=H)}

    def loss(p):
        return 0.5 * float(np.sum((np.tanh(X @ p["W"] + p["b"]) - Y) ** 2))

    h = np.tanh(X @ params["W"] + params["b"])  # (B, H)
    dz = (h - Y) * (1 - h**2)  # (B, H)
    return loss, params, {"W": X.T @ dz, "b": dz.sum(axis=0)}


@pytest.mark.parametrize("B", [1, 5])
def test_numerical_gradient_matches_analytic(B, rng):
    loss, params, grads = make_problem(rng, B)
    numerical = gradcheck.numerical_gradient(loss, params)
    assert numerical.keys() == params.keys()
    for key in params:
        assert numerical[key].shape == params[key].shape
        assert_allclose(numerical[key], grads[key], rtol=1e-6, atol=1e-9)


def test_numerical_gradient_restores_params_exactly(rng):
    loss, params, _ = make_problem(rng, B=2)
    before = {key: p.copy() for key, p in params.items()}
    h = 1e-5
    # the test has teeth: undoing the steps arithmetically would not restore these values
    assert not np.array_equal(before["W"] + h - 2 * h + h, before["W"])
    gradcheck.numerical_gradient(loss, params, h)
    for key in params:
        assert np.array_equal(params[key], before[key])


def test_numerical_gradient_perturbs_the_callers_arrays():
    params = {"w": np.array([1.0, 2.0])}
    seen = []
    gradcheck.numerical_gradient(lambda p: seen.append(p["w"].copy()) or 0.0, params, h=0.5)
    assert_allclose(seen, [[1.5, 2.0], [0.5, 2.0], [1.0, 2.5], [1.0, 1.5]])


def test_relative_error():
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2) / 2)
    assert gradcheck.relative_error([2.0], [1.0]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match=r"same shape; got \(2,\) and \(3,\)"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("B", [1, 5])
def test_correct_gradient_passes(B, rng):
    loss, params, grads = make_problem(rng, B)
    report = gradcheck.assert_gradients_close(loss, params, grads)
    assert report.passed
    assert max(report.errors.values()) < 1e-7
    assert set(report.errors) == {"W", "b"}
    assert str(report).startswith("gradient check passed: worst relative error")


def test_wrong_gradient_fails_and_names_key_and_index(rng):
    loss, params, grads = make_problem(rng, B=4)
    grads["W"][2, 1] += 0.1
    report = gradcheck.check_gradients(loss, params, grads)
    assert not report.passed
    assert report.worst_key == "W" and report.worst_index == (2, 1)
    assert report.errors["W"] > 1e-7 > report.errors["b"]
    assert report.analytic - report.numerical == pytest.approx(0.1, rel=1e-5)
    message = str(report)
    assert message.startswith("gradient check FAILED for 'W': relative error ")
    assert "> 1e-07; worst entry W[2, 1]: analytic " in message
    with pytest.raises(AssertionError, match=r"FAILED for 'W'.*worst entry W\[2, 1\]"):
        gradcheck.assert_gradients_close(loss, params, grads)


def test_scalar_parameter_report():
    params = {"x": np.array(3.0)}
    report = gradcheck.check_gradients(lambda p: float(p["x"] ** 2), params, {"x": np.array(5.0)})
    assert report.worst_index == () and not report.passed
    assert "worst entry x: analytic 5, numerical 6" in str(report)


def test_validation_messages(rng):
    loss, params, grads = make_problem(rng, B=2)
    with pytest.raises(ValueError, match=r"keys of params \['W', 'b'\]; got \['W'\]"):
        gradcheck.check_gradients(loss, params, {"W": grads["W"]})
    with pytest.raises(ValueError, match=r"grads\['W'\] must have the shape of params\['W'\] "
                                         r"\(3, 4\); got \(4, 3\)"):
        gradcheck.check_gradients(loss, params, {"W": grads["W"].T, "b": grads["b"]})
    with pytest.raises(TypeError, match=r"params\['W'\] must be a float64 ndarray .*; got int64"):
        gradcheck.numerical_gradient(loss, {"W": np.ones((3, 4), dtype=np.int64)})
    with pytest.raises(ValueError, match="at least one array"):
        gradcheck.check_gradients(loss, {}, {})
