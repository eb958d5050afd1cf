import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import activations, losses
from rnnlearn.gradcheck import assert_layer_close


@pytest.mark.parametrize("B, K", [(1, 1), (1, 3), (5, 2)])
def test_mse_value_is_half_squared_error_averaged_over_batch(B, K, rng):
    y_pred, y = rng.normal(size=(B, K)), rng.normal(size=(B, K))
    loss, _ = losses.mse(y_pred, y)
    expected = sum(0.5 * sum((y_pred[b, j] - y[b, j]) ** 2 for j in range(K)) for b in range(B)) / B
    assert loss == pytest.approx(expected, rel=1e-14)


def test_mse_relates_to_torch_convention(rng):
    y_pred, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    loss, _ = losses.mse(y_pred, y)
    assert 2 * loss / 3 == pytest.approx(np.mean((y_pred - y) ** 2), rel=1e-14)


@pytest.mark.parametrize("B, K", [(1, 1), (1, 3), (5, 2)])
def test_mse_backward_passes_gradient_check(B, K, rng):
    y = rng.normal(size=(B, K))

    def forward(inputs, params):
        value, cache = losses.mse(inputs["y_pred"], y)
        return np.array(value), cache  # a 0-d output: check_layer scales it by a random u

    assert_layer_close(forward, lambda du, cache: ({"y_pred": du * losses.mse_backward(cache)}, {}),
                       {"y_pred": rng.normal(size=(B, K))}, {}, rng=rng)


@pytest.mark.parametrize("B, C", [(1, 2), (1, 5), (6, 3)])
def test_cross_entropy_value_is_mean_negative_log_probability(B, C, rng):
    logits = rng.normal(size=(B, C))
    labels = rng.integers(0, C, size=B)
    loss, _ = losses.softmax_cross_entropy(logits, labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(B), labels])), rel=1e-13)


@pytest.mark.parametrize("B, C", [(1, 2), (1, 5), (6, 3)])
def test_cross_entropy_backward_passes_gradient_check(B, C, rng):
    logits, labels = rng.normal(size=(B, C)), rng.integers(0, C, size=B)
    _, cache = losses.softmax_cross_entropy(logits, labels)
    dlogits = losses.softmax_cross_entropy_backward(cache)
    assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-15)  # softmax rows sum to 1

    def forward(inputs, params):
        value, cache = losses.softmax_cross_entropy(inputs["logits"], labels)
        return np.array(value), cache

    assert_layer_close(
        forward, lambda du, c: ({"logits": du * losses.softmax_cross_entropy_backward(c)}, {}),
        {"logits": logits}, {}, rng=rng)


def test_cross_entropy_is_finite_for_huge_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    loss, cache = losses.softmax_cross_entropy(logits, np.array([1, 2]))
    assert loss == pytest.approx((2000.0 + 1.0 + np.log1p(np.exp(-1.0))) / 2, rel=1e-12)
    assert np.all(np.isfinite(losses.softmax_cross_entropy_backward(cache)))


def test_cross_entropy_of_a_sure_correct_prediction_is_zero():
    loss, cache = losses.softmax_cross_entropy(np.array([[50.0, -50.0]]), np.array([0]))
    assert loss == pytest.approx(0.0, abs=1e-40)
    assert_allclose(losses.softmax_cross_entropy_backward(cache), 0.0, atol=1e-40)


@pytest.mark.parametrize("y_pred, y, message", [
    (np.zeros(3), np.zeros(3), r"y_pred must have shape \(B, K\) with B >= 1; got \(3,\)"),
    (np.zeros((0, 2)), np.zeros((0, 2)), r"y_pred must have shape \(B, K\) with B >= 1; got \(0, 2\)"),
    (np.zeros((3, 1)), np.zeros(3), r"y must have the shape of y_pred \(3, 1\); got \(3,\)"),
])
def test_mse_rejects_bad_shapes(y_pred, y, message):
    with pytest.raises(ValueError, match=message):
        losses.mse(y_pred, y)


@pytest.mark.parametrize("logits, labels, error, message", [
    (np.zeros(3), np.zeros(3, int), ValueError, r"logits must have shape \(B, C\) with B >= 1; got \(3,\)"),
    (np.zeros((2, 3)), np.zeros(3, int), ValueError, r"labels must have shape \(B,\) with B = 2; got \(3,\)"),
    (np.zeros((2, 3)), np.zeros(2), TypeError, r"labels must hold integers; got dtype float64"),
    (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"labels must lie in \[0, 3\); got values from 0 to 3"),
    (np.zeros((2, 3)), np.array([-1, 0]), ValueError, r"labels must lie in \[0, 3\); got values from -1 to 0"),
])
def test_cross_entropy_rejects_bad_input(logits, labels, error, message):
    with pytest.raises(error, match=message):
        losses.softmax_cross_entropy(logits, labels)


def test_losses_follow_the_dtype_rule_like_activations(rng):
    """float32 in, float32 out (as in activations); ints and lists become float64."""
    pred32 = rng.normal(size=(4, 3)).astype(np.float32)
    _, cache = losses.mse(pred32, np.zeros((4, 3), dtype=np.float32))
    assert losses.mse_backward(cache).dtype == np.float32
    _, cache = losses.softmax_cross_entropy(pred32, np.array([0, 1, 2, 0]))
    assert losses.softmax_cross_entropy_backward(cache).dtype == np.float32
    assert activations.softmax(pred32).dtype == np.float32
    value, cache = losses.mse([[1, 2]], [[0, 0]])
    assert value == 2.5 and losses.mse_backward(cache).dtype == np.float64
    with pytest.raises(TypeError, match="y_pred must hold real numbers; got dtype <U1"):
        losses.mse(np.array([["a"]]), np.zeros((1, 1)))
