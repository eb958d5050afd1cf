"""The exercise checkers: right answers pass, typical mistakes get their own hint, and a broken
answer (an exception, a wrong shape or type, None, NaN, an argument changed in place) gives a
failed verdict instead of an error."""
import numpy as np
import pytest

from rnnlearn import exercises


# ---- right answers, written as a reader would -------------------------------------------------

def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def descend(grad, x0, lr, steps, tol=None):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad(xs[-1]))
    return np.array(xs)


def momentum_step(w, z, grad, lr, beta):
    z = beta * z + grad
    return w - lr * z, z


def adam_step(w, m, v, grad, k, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1 ** (k + 1)), v / (1 - beta2 ** (k + 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def sigmoid_slope(x):
    s = 1 / (1 + np.exp(-x))  # overflows (a warning, not an error) at x = -1000
    return s * (1 - s)


def tanh_slope(x):
    return 1 - np.tanh(x) ** 2


def mse_gradient(o, y):
    return (o - y) / len(o)


def dense_backward(dnet, x, W):
    return dnet @ W.T, x.T @ dnet, dnet.sum(axis=0)


RIGHT = {
    "check_central_difference": central_difference,
    "check_descend": descend,
    "check_momentum_step": momentum_step,
    "check_adam_step": adam_step,
    "check_sigmoid_slope": sigmoid_slope,
    "check_tanh_slope": tanh_slope,
    "check_mse_gradient": mse_gradient,
    "check_dense_backward": dense_backward,
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_passes(name):
    result = getattr(exercises, name)(RIGHT[name])
    assert result.passed and result.attempted and bool(result)
    assert len(result.cases) >= 4 and result.hints == []
    assert str(result).startswith("\u2713") and "\u2717" not in str(result)


def test_other_right_forms_pass_too():
    """Equivalent formulas (other rounding, other spelling) are not judged wrong."""
    assert exercises.check_central_difference(
        lambda f, x, h: 0.5 * (f(x + h) - f(x - h)) / h).passed
    assert exercises.check_sigmoid_slope(
        lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2).passed
    assert exercises.check_tanh_slope(lambda x: 1 / np.cosh(np.clip(x, -300, 300)) ** 2).passed
    assert exercises.check_dense_backward(
        lambda dnet, x, W: (np.einsum("bh,dh->bd", dnet, W), np.einsum("bd,bh->dh", x, dnet),
                            np.ones(len(dnet)) @ dnet)).passed

    def descend_list_then_array(grad, x0, lr, steps):
        xs = np.empty(steps + 1)
        xs[0] = x0
        for k in range(steps):
            xs[k + 1] = xs[k] - lr * grad(xs[k])
        return xs
    assert exercises.check_descend(descend_list_then_array).passed


# ---- typical mistakes, each with the hint that names it ---------------------------------------

def _descend_with(step, drop_first=False, last_only=False, n_less=0):
    def descend_wrong(grad, x0, lr, steps):
        xs = [x0]
        for _ in range(steps - n_less):
            xs.append(step(xs[-1], lr, grad))
        return xs[-1] if last_only else np.array(xs[1:] if drop_first else xs)
    return descend_wrong


def _adam_with(correct=True, power=1, eps_inside=False):
    def adam_wrong(w, m, v, grad, k, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat, v_hat = m, v
        if correct:
            m_hat, v_hat = m / (1 - beta1 ** (k + power)), v / (1 - beta2 ** (k + power))
        root = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return w - lr * m_hat / root, m, v
    return adam_wrong


def _momentum_old_velocity(w, z, grad, lr, beta):
    return w - lr * z, beta * z + grad


def _momentum_lr_inside(w, z, grad, lr, beta):
    z = beta * z + lr * grad
    return w - z, z


MISTAKES = [
    ("check_central_difference", lambda f, x, h: (f(x + h) - f(x)) / h, "forward difference"),
    ("check_central_difference", lambda f, x, h: (f(x + h) - f(x - h)) / h,
     "instead of 2h"),
    ("check_central_difference", lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "'/ 2 * h'"),
    ("check_central_difference", lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h),
     "sign is flipped"),
    ("check_descend", _descend_with(lambda x, lr, g: x + lr * g(x)), "goes uphill"),
    ("check_descend", _descend_with(lambda x, lr, g: x - lr * g(x), drop_first=True),
     "x0 is missing"),
    ("check_descend", _descend_with(lambda x, lr, g: x - lr * g(x), last_only=True),
     "only the last iterate"),
    ("check_descend", _descend_with(lambda x, lr, g: x - lr * g(x), n_less=1),
     "one step short"),
    ("check_momentum_step", lambda w, z, g, lr, beta: (w + lr * (beta * z + g), beta * z + g),
     "w moves uphill"),
    ("check_momentum_step", _momentum_old_velocity, "old velocity"),
    ("check_momentum_step", _momentum_lr_inside, "learning rate went into the velocity"),
    ("check_momentum_step", lambda w, z, g, lr, beta: (w - lr * (beta * z + (1 - beta) * g),
                                                       beta * z + (1 - beta) * g),
     "damped form"),
    ("check_momentum_step", lambda w, z, g, lr, beta: (beta * z + g, w - lr * (beta * z + g)),
     "outputs are swapped"),
    ("check_adam_step", _adam_with(correct=False), "no bias correction"),
    ("check_adam_step", _adam_with(power=0), "beta**k"),
    ("check_adam_step", _adam_with(eps_inside=True), "eps is inside the square root"),
    ("check_sigmoid_slope", lambda x: 1 / (1 + np.exp(-x)), "that is sigma(x) itself"),
    ("check_sigmoid_slope", lambda x: x * (1 - x), "written with the output"),
    ("check_tanh_slope", np.tanh, "that is tanh(x) itself"),
    ("check_tanh_slope", lambda x: 1 - np.tanh(x), "the square is missing"),
    ("check_tanh_slope", lambda x: 1 - x**2, "written with the output"),
    ("check_mse_gradient", lambda o, y: o - y, "the 1/B is missing"),
    ("check_mse_gradient", lambda o, y: (o - y) / o.size, "divided by B * K"),
    ("check_mse_gradient", lambda o, y: 2 * (o - y) / len(o), "twice too large"),
    ("check_dense_backward", lambda dnet, x, W: (dnet @ W.T, dnet.T @ x, dnet.sum(axis=0)),
     "dW is transposed"),
    ("check_dense_backward", lambda dnet, x, W: (dnet @ W.T, x.T @ dnet, dnet.mean(axis=0)),
     "db is divided by B"),
    ("check_dense_backward", lambda dnet, x, W: (dnet @ W.T, x.T @ dnet / len(x),
                                                 dnet.sum(axis=0)), "dW is divided by B"),
    ("check_dense_backward", lambda dnet, x, W: (dnet @ W.T, x.T @ dnet, dnet.sum(axis=1)),
     "wrong axis"),
    ("check_dense_backward", lambda dnet, x, W: (dnet @ W.T, x.T @ dnet,
                                                 dnet.sum(axis=0, keepdims=True)),
     "without keepdims"),
]


@pytest.mark.parametrize("name, wrong, hint", MISTAKES,
                         ids=[f"{name[6:]}-{hint}" for name, _, hint in MISTAKES])
def test_a_typical_mistake_fails_with_its_own_hint(name, wrong, hint):
    result = getattr(exercises, name)(wrong)
    assert not result.passed and result.attempted
    assert any(not case.passed for case in result.cases)
    assert hint in result.hints[0], result.hints  # the most frequent hint names the mistake
    text = str(result)
    assert all(len(line) <= 88 for line in text.splitlines()), text  # wrapped for a phone
    flat = " ".join(text.split())
    assert " ".join(f"hint: {result.hints[0]}".split()) in flat and "\u2717" in text


def test_every_checker_has_at_least_two_typical_mistakes_tested():
    names = [name for name, _, _ in MISTAKES]
    assert all(names.count(name) >= 2 for name in RIGHT)


def test_the_verdict_says_on_which_input_and_by_how_much():
    text = " ".join(str(exercises.check_tanh_slope(lambda x: 1 - np.tanh(x))).split())
    assert "x = [-2, -0.5, 0.5, 2]: 4 of 4 entries wrong" in text
    assert "got 1.96403, expected 0.0706508 (off by 1.9)" in text
    assert "\u2713 x = 0" in text  # what passed is listed too


# ---- broken answers: a failed verdict, never an error ----------------------------------------

def _broken(kind, right):
    """A broken answer of the given kind, for the checker whose right answer is ``right``."""
    def broken(*args):
        if kind == "raises":
            raise ZeroDivisionError("division by zero")
        if kind == "None":
            return None
        if kind == "list":  # the right values, as lists
            out = right(*args)
            as_list = lambda o: np.asarray(o).reshape(-1).tolist()  # noqa: E731
            return tuple(map(as_list, out)) if isinstance(out, tuple) else as_list(out)
        if kind == "shape":
            return np.zeros((7, 7))
        if kind == "string":
            return "0.25"
        out = right(*args)  # kind == "NaN": the right outputs, all NaN
        if isinstance(out, tuple):
            return tuple(np.full_like(o, np.nan) for o in out)
        return np.full_like(np.asarray(out, dtype=float), np.nan)
    return broken


MESSAGES = {"raises": "raised ZeroDivisionError: division by zero", "None": "None",
            "list": "list", "NaN": "nan", "shape": "(7, 7)", "string": "str"}


@pytest.mark.parametrize("kind", sorted(MESSAGES))
@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_broken_answer_gives_a_failed_verdict(name, kind):
    result = getattr(exercises, name)(_broken(kind, RIGHT[name]))
    assert result.attempted and not result.passed
    assert all(not case.passed for case in result.cases)
    assert MESSAGES[kind] in str(result), str(result)
    if kind == "list":  # the hint says to return an array (or a number)
        assert "not a list" in result.hints[0] or "not the list" in result.hints[0]


def test_returning_none_is_blamed_on_a_missing_return():
    for name in RIGHT:
        assert "forget the return" in str(getattr(exercises, name)(_broken("None", None)))


def test_changing_an_argument_in_place_fails():
    def momentum_in_place(w, z, grad, lr, beta):
        z *= beta
        z += grad
        w -= lr * z
        return w, z
    result = exercises.check_momentum_step(momentum_in_place)
    assert not result.passed and "changed w, z in place" in str(result)
    assert "instead of changing the arguments" in result.hints[0]


def test_an_untouched_scaffold_is_not_attempted_and_not_an_error():
    def tanh_slope(x):
        raise NotImplementedError
    result = exercises.check_tanh_slope(tanh_slope)
    assert not result.attempted and not result.passed
    assert str(result).startswith("tanh_slope(x): not attempted yet")


def test_something_that_is_not_a_function_fails():
    result = exercises.check_descend(descend(lambda x: 2 * x, 1.0, 0.1, 3))  # called, not passed
    assert not result.passed and "expected a function; got an array" in str(result)
    assert "check(f), not check(f())" in str(result)


def test_a_warning_is_shown_but_does_not_fail():
    result = exercises.check_sigmoid_slope(sigmoid_slope)  # exp overflows at x = -1000
    assert result.passed and "warning: overflow" in str(result)


def test_compare():
    assert exercises.compare(np.ones(3), np.ones(3)) == ""
    assert exercises.compare(np.float64(2.0), 2.0) == "" == exercises.compare(np.array(2.0), 2.0)
    assert "shape" in exercises.compare(np.ones((2, 3)), np.ones((3, 2)))
    assert "expected a number" in exercises.compare(True, 1.0)
    assert "index (1, 0)" in exercises.compare(np.array([[1.0, 1], [3, 1]]), np.ones((2, 2)))
    assert exercises.compare(np.array([1.0 + 1e-12]), np.array([1.0])) == ""
    assert "off by" in exercises.compare(np.array([1.0 + 1e-6]), np.array([1.0]))


# ---- the chapters: every chapter has coding exercises wired to a checker --------------

from conftest import CHAPTERS  # noqa: E402  (every chapter of _toc.yml)


def _cells(chapter):
    import json

    from conftest import ROOT
    nb = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text())
    return [(c["cell_type"], c["metadata"].get("tags", []), "".join(c["source"]))
            for c in nb["cells"]]


def _run_cell(source, namespace):
    """Execute a cell's source like IPython: the value of a last expression is printed."""
    import ast
    tree = ast.parse(source)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        value = tree.body[-1].value
        tree.body[-1] = ast.Expr(ast.Call(ast.Name("print", ast.Load()), [value], []))
        ast.fix_missing_locations(tree)
    exec(compile(tree, "<cell>", "exec"), namespace)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_coding_exercises_wired_to_checkers(chapter, capsys):
    """Scaffold + check cells in a gated exercise; the untouched scaffold is 'not attempted'.

    The student build of issue 11 removes the cells tagged exercise-solution: what remains
    must still hold every exercise's start and end, and no solution.
    """
    cells = _cells(chapter)
    checks = [i for i, (_, tags, _) in enumerate(cells) if "exercise-check" in tags]
    assert len(checks) >= 2
    for i in checks:
        kind, tags, scaffold = cells[i - 1]
        assert "exercise-scaffold" in tags and "raise NotImplementedError" in scaffold
        assert "exercises.check_" in cells[i][2]
        namespace = {"np": np, "exercises": exercises}
        _run_cell(scaffold, namespace)
        _run_cell(cells[i][2], namespace)
        out = capsys.readouterr().out
        assert "not attempted yet" in out and "\u2717" not in out, out
    student = [c for c in cells if "exercise-solution" not in c[1]]
    text = "\n".join(source for _, _, source in student)
    assert text.count("{exercise-start}") == text.count("{exercise-end}") == len(checks)
    assert "{solution-start}" not in text and "{solution-end}" not in text
    every = "\n".join(source for _, _, source in cells)
    assert every.count("{solution-start}") == every.count("{exercise-start}")
    asserts = [source for _, tags, source in cells
               if {"remove-cell", "exercise-solution"} <= set(tags)]
    assert len(asserts) == every.count("{exercise-start}")
    assert all("exercises.check_" in s and ".passed" in s for s in asserts)
