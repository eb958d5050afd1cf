import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import mlp
from rnnlearn.autodiff import Value
from rnnlearn.gradcheck import assert_gradients_close

EXPRESSIONS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**3 + b**-2 + b**0.5,
    "neg": lambda a, b: -a * b,
    "constants on the right": lambda a, b: (a + 2) * 3 - b / 4 - 1,
    "constants on the left": lambda a, b: 2 + 3 * a - 1 / b + (5 - a),
    "tanh": lambda a, b: (a * b).tanh(),
    "exp": lambda a, b: (a - b).exp(),
    "log": lambda a, b: (a * a + b).log(),
    "sigmoid": lambda a, b: (a * b).sigmoid(),
    "relu": lambda a, b: (a + b).relu() + (a - b).relu(),
    "reused": lambda a, b: a * a * a + a * b + (a * b).tanh() * a,
}


@pytest.mark.parametrize("a, b", [(0.7, 1.3), (-1.2, 0.4)])
@pytest.mark.parametrize("name", EXPRESSIONS)
def test_gradients_match_finite_differences(name, a, b):
    expression = EXPRESSIONS[name]
    params = {"a": np.array([a]), "b": np.array([b])}
    va, vb = Value(a), Value(b)
    expression(va, vb).backward()
    assert_gradients_close(lambda p: expression(Value(p["a"][0]), Value(p["b"][0])).data,
                           params, {"a": np.array([va.grad]), "b": np.array([vb.grad])})


def test_forward_values_and_local_derivatives():
    a = Value(2.0)
    assert (a**3).data == 8.0 and (1 / a).data == 0.5 and (3 - a).data == 1.0
    b = a.tanh()
    b.backward()
    assert a.grad == pytest.approx(1 - math.tanh(2.0) ** 2, rel=1e-15)


def test_gradient_accumulates_over_every_use():
    a = Value(3.0)
    b = a + a  # a feeds b twice: db/da = 2
    c = b * a  # c = 2 a^2: dc/da = 4 a
    c.backward()
    assert a.grad == 12.0 and b.grad == 3.0


def test_deep_graph_needs_no_recursion():
    x = Value(1.0)
    total = x
    for _ in range(5000):
        total = total + x * 0.5
    total.backward()
    assert total.data == 2501.0 and x.grad == 2501.0


def test_sigmoid_is_stable_for_huge_inputs():
    for data, expected in ((1000.0, 1.0), (-1000.0, 0.0)):
        a = Value(data)
        s = a.sigmoid()
        s.backward()
        assert s.data == expected and a.grad == 0.0


@pytest.mark.parametrize("make, error, message", [
    (lambda: Value("1"), TypeError, "data must be a real number; got str"),
    (lambda: Value(2.0) ** Value(2.0), TypeError, "exponent must be an int or float; got Value"),
    (lambda: Value(-1.0).log(), ValueError, "log needs a positive argument; got -1.0"),
    (lambda: Value(1.0) + "x", TypeError, "data must be a real number; got str"),
    (lambda: Value(True), TypeError, "data must be a real number; got bool"),
    (lambda: Value(2.0) ** True, TypeError, "exponent must be an int or float; got bool"),
])
def test_bad_input_raises(make, error, message):
    with pytest.raises(error, match=message):
        make()


inf, nan = math.inf, math.nan

# (x, p, x**p, d(x**p)/dx) as PyTorch 2.13.0 (CPU, float64) computes them with
# torch.tensor(x, requires_grad=True) ** p and .backward(): d/dx x**0 = 0 everywhere (also at
# 0, inf and nan), x**p at 0 has an infinite slope for p < 1, a negative base with a fractional
# power is nan, overflow is inf, and p = 1/2 is a square root (keeping the sign of a zero).
TORCH_POW = [
    (0.0, 0, 1.0, 0.0), (-3.0, 0, 1.0, 0.0), (inf, 0, 1.0, 0.0), (nan, 0, 1.0, 0.0),
    (0.0, 0.5, 0.0, inf), (-0.0, 0.5, -0.0, -inf), (0.0, 1.5, 0.0, 0.0),
    (0.0, 1, 0.0, 1.0), (0.0, 2, 0.0, 0.0), (-0.0, 3, -0.0, 0.0), (-0.0, 2.5, 0.0, 0.0),
    (0.0, -1, inf, -inf), (-0.0, -1, -inf, -inf), (0.0, -2, inf, -inf), (-0.0, -2, inf, inf),
    (0.0, -0.5, inf, -inf), (-0.0, -0.5, -inf, -inf), (0.0, -1.5, inf, -inf),
    (-8.0, 1 / 3, nan, nan), (-8.0, 0.5, nan, nan), (-8.0, -0.5, nan, nan),
    (-inf, 0.5, nan, nan), (-1.0, inf, 1.0, inf),
    (-2.0, 3, -8.0, 12.0), (-2.0, 2, 4.0, -4.0), (3.0, -1, 1 / 3, -1 / 9),
    (1e200, 2, inf, 2e200), (-1e200, 3, -inf, inf), (1e-200, -2, inf, -inf),
    (2.0, 1024, inf, inf), (0.5, -1100, inf, -inf),
]


def same_float(a, b):
    """Equal, or both nan (0.0 == -0.0; infinities must agree in sign)."""
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("x, p, value, slope", TORCH_POW, ids=repr)
def test_pow_edge_cases_match_pytorch(x, p, value, slope):
    a = Value(x)
    out = a**p
    out.backward()  # no ZeroDivisionError, OverflowError or complex number on the way
    assert same_float(out.data, value) and same_float(a.grad, slope), (out.data, a.grad)
    assert math.copysign(1, out.data) == math.copysign(1, value) or math.isnan(value)


def test_zero_power_and_square_root_at_zero_inside_a_graph():
    a = Value(0.0)
    (3.0 * a**0 + a**2).backward()  # constant plus a flat parabola: slope 0 at 0
    assert a.grad == 0.0
    b = Value(0.0)
    (b**0.5).backward()
    assert b.grad == inf  # PyTorch: the slope of sqrt at 0 is inf


@pytest.mark.parametrize("p, value, slope", [
    (np.float64(1024.0), inf, inf), (np.int64(1024), inf, inf),
    (np.float32(0.5), math.sqrt(2.0), 0.5 / math.sqrt(2.0)),
])
def test_numpy_scalar_exponents_behave_like_python_numbers(p, value, slope):
    a = Value(2.0)
    out = a**p  # a numpy scalar would warn about the overflow (an error in this suite)
    out.backward()
    assert (out.data, a.grad) == (value, slope)


def test_division_by_zero_matches_pytorch():
    a, b = Value(1.0), Value(0.0)
    out = a / b  # PyTorch 2.13.0: 1/0 = inf, d/da = 1/b = inf, d/db = -a/b^2 = -inf
    out.backward()
    assert (out.data, a.grad, b.grad) == (inf, inf, -inf)


def value_mlp_loss(params, x, y):
    """The tanh/mse network of rnnlearn.mlp, written with scalar Values: (loss, Value params)."""
    values = {key: [[Value(float(w)) for w in row] for row in np.atleast_2d(p)] for key, p in params.items()}
    count = len(params) // 2
    total = Value(0.0)
    for xb, yb in zip(x, y):
        o = [Value(float(v)) for v in xb]
        for l in range(1, count + 1):
            W, b = values[f"W{l}"], values[f"b{l}"][0]
            net = [sum((W[i][j] * o[i] for i in range(len(o))), b[j]) for j in range(len(b))]
            o = [n.tanh() for n in net] if l < count else net
        total = total + 0.5 * sum((oj - float(yj)) ** 2 for oj, yj in zip(o, yb))
    return total / len(x), values


@pytest.mark.parametrize("B", [1, 3])
def test_value_mlp_matches_rnnlearn_mlp(B, rng):
    params = mlp.init_params([3, 4, 2], rng, scale=1.0)
    params["b1"] = rng.normal(size=4)
    x, y = rng.normal(size=(B, 3)), rng.normal(size=(B, 2))
    expected_loss, expected_grads = mlp.loss_and_grads(params, x, y, "tanh", "mse")
    loss, values = value_mlp_loss(params, x, y)
    loss.backward()
    assert loss.data == pytest.approx(expected_loss, rel=1e-12, abs=0)
    for key, rows in values.items():
        grad = np.array([[v.grad for v in row] for row in rows]).reshape(params[key].shape)
        assert_allclose(grad, expected_grads[key], rtol=1e-12, atol=1e-14)
