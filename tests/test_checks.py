"""The shared validation helpers (rnnlearn._checks): the types and messages every kernel uses."""
import numpy as np
import pytest

from rnnlearn import _checks as checks


@pytest.mark.parametrize("x, dtype", [
    (np.ones(3, dtype=np.float32), np.float32),
    (np.ones(3), np.float64),
    (np.ones(3, dtype=np.float16), np.float64),
    (np.ones(3, dtype=np.int32), np.float64),
    (np.array([True, False]), np.float64),
    ([1, 2, 3], np.float64),
    (2, np.float64),
    (2.5, np.float64),
])
def test_as_float_follows_the_dtype_rule(x, dtype):
    assert checks.as_float(x).dtype == dtype


def test_as_float_keeps_float_arrays_without_copying():
    for dtype in (np.float32, np.float64):
        x = np.ones(4, dtype=dtype)
        assert checks.as_float(x) is x


@pytest.mark.parametrize("x", [np.array(["a"]), np.array([1 + 2j]), [[1, 2], [3]], object()])
def test_as_float_rejects_what_is_not_real(x):
    with pytest.raises(TypeError, match="x must hold real numbers"):
        checks.as_float(x)


def test_check_array_names_expected_and_actual_shape():
    with pytest.raises(ValueError, match=r"^xs must have shape \(T, B, D\); got \(5, 3\)$"):
        checks.check_array("xs", np.zeros((5, 3)), "(T, B, D)")
    with pytest.raises(ValueError, match=r"x must have shape \(B, D\) with D = 4; got \(2, 3\)"):
        checks.check_array("x", np.zeros((2, 3)), "(B, D)", D=4)
    with pytest.raises(ValueError, match=r"y must have shape \(B, 2\); got \(2, 3\)"):
        checks.check_array("y", np.zeros((2, 3)), "(B, 2)")
    with pytest.raises(ValueError, match=r"w must have shape \(n,\); got \(\)"):
        checks.check_array("w", 1.0, "(n,)")
    x = np.zeros((2, 4), dtype=np.float32)
    assert checks.check_array("x", x, "(B, D)", D=4) is x
    assert checks.check_array("x", [[1, 2]], "(...)").dtype == np.float64


def test_check_array_integer_arrays():
    labels = checks.check_array("labels", [0, 1, 1], "(B,)", dtype="int", B=3)
    assert labels.dtype.kind == "i"
    with pytest.raises(TypeError, match="labels must hold integers; got dtype float64"):
        checks.check_array("labels", [0.0, 1.0], "(B,)", dtype="int")
    with pytest.raises(TypeError, match="labels must hold integers; got dtype bool"):
        checks.check_array("labels", [True, False], "(B,)", dtype="int")


def test_check_array_refuses_an_unknown_axis_name():
    with pytest.raises(KeyError, match="not axes"):
        checks.check_array("x", np.zeros((2, 3)), "(B, D)", H=3)


@pytest.mark.parametrize("value, error, message", [
    (True, TypeError, "n must be an int; got bool True"),
    (2.0, TypeError, "n must be an int; got float 2.0"),
    ("3", TypeError, "n must be an int; got str '3'"),
    (0, ValueError, "n must be an int >= 1; got 0"),
])
def test_check_int_rejects(value, error, message):
    with pytest.raises(error, match=message):
        checks.check_int("n", value, lo=1)


def test_check_int_accepts_numpy_integers_and_bounds():
    assert checks.check_int("n", np.int64(3), lo=1) == 3
    assert type(checks.check_int("n", np.int64(3))) is int
    with pytest.raises(ValueError, match=r"n must be an int in \[1, 4\]; got 5"):
        checks.check_int("n", 5, lo=1, hi=4)
    with pytest.raises(ValueError, match="n must be an int <= 4; got 5"):
        checks.check_int("n", 5, hi=4)


@pytest.mark.parametrize("value, error, message", [
    (True, TypeError, "lr must be a real number; got bool True"),
    ("0.1", TypeError, "lr must be a real number; got str '0.1'"),
    (0.0, ValueError, r"lr must be in \(0.0, inf\); got 0.0"),
    (float("nan"), ValueError, r"lr must be in \(0.0, inf\); got nan"),
    (float("inf"), ValueError, r"lr must be in \(0.0, inf\); got inf"),
])
def test_check_positive_rejects(value, error, message):
    with pytest.raises(error, match=message):
        checks.check_positive("lr", value)


def test_check_float_intervals():
    assert checks.check_float("beta", 0, 0.0, 1.0) == 0.0
    with pytest.raises(ValueError, match=r"beta must be in \[0.0, 1.0\); got 1"):
        checks.check_float("beta", 1, 0.0, 1.0)
    assert checks.check_float("p", 1.0, 0.0, 1.0, hi_open=False) == 1.0
    assert type(checks.check_float("p", np.float32(0.5))) is float


def test_check_bool_rng_choice_callable():
    assert checks.check_bool("flag", np.True_) is True
    with pytest.raises(TypeError, match="flag must be True or False; got 1"):
        checks.check_bool("flag", 1)
    rng = np.random.default_rng(0)
    assert checks.check_rng(rng) is rng
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator to shuffle; got int"):
        checks.check_rng(0, why=" to shuffle")
    assert checks.check_choice("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"mode must be one of \['a', 'b'\]; got 'c'"):
        checks.check_choice("mode", "c", ("b", "a"))
    with pytest.raises(ValueError, match=r"mode must be one of \['a'\]; got \[1\]"):
        checks.check_choice("mode", [1], {"a": 1})  # unhashable: a ValueError, not a crash
    with pytest.raises(TypeError, match=r"step must be callable\(params, batch\); got int"):
        checks.check_callable("step", 3, "(params, batch)")


def test_check_like():
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}
    assert checks.check_like("grads", {"W": np.zeros((2, 2)), "b": np.zeros(2)}, params)
    with pytest.raises(ValueError,
                       match=r"grads must have the keys of params \['W', 'b'\]; got \['W'\]"):
        checks.check_like("grads", {"W": np.zeros((2, 2))}, params)
    with pytest.raises(ValueError,
                       match=r"grads\['b'\] must have the shape of params\['b'\] \(2,\)"):
        checks.check_like("grads", {"W": np.zeros((2, 2)), "b": np.zeros(3)}, params)
    with pytest.raises(TypeError, match="grads must be a dict of arrays; got list"):
        checks.check_like("grads", [], params)
