"""The common core of the exercise checkers: run a student's function on cases, judge, hint.

A checker (one small function per exercise, in the chapter modules of this package) builds a
list of :class:`Case` objects, each holding arguments and the expected outputs (computed from
first principles, not with the package's kernels), and a list of typical *wrong* variants of the
function (:class:`Mistake`), each with a hint. :func:`run_cases` calls the student's function on
every case, on copies of the arguments, and never lets an error escape: an exception, a wrong
type or shape, None, NaN or inf, or an argument changed in place each give a failed case with a
short message. When a wrong output equals the output of a known mistake, the verdict names that
mistake in a hint.
"""
from __future__ import annotations

import copy
import textwrap
import warnings
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

__all__ = ["Mistake", "Case", "CaseResult", "CheckResult", "run_cases", "compare"]

PASS, FAIL = "\u2713", "\u2717"  # the marks of a passed and a failed line


class Mistake(NamedTuple):
    """A typical wrong answer: ``outputs(*args)`` gives its outputs, ``hint`` says what it is."""

    outputs: Callable[..., Any]
    hint: str


class Case(NamedTuple):
    """One call of the student's function.

    ``label`` says in words what the case tests; ``args`` are passed positionally (as copies);
    ``expected`` is a tuple with one entry per output named in ``run_cases(names=...)``.
    """

    label: str
    args: tuple
    expected: tuple


class CaseResult(NamedTuple):
    """The verdict on one case: ``message`` says what went wrong, ``hints`` why (if known)."""

    label: str
    passed: bool
    message: str = ""
    hints: tuple = ()


class CheckResult:
    """The verdict of a checker: ``passed``, ``attempted`` and one :class:`CaseResult` per case.

    Its text (``str``, and the notebook's display) is a ✓/✗ line per case, with the message of
    each failed one, then the hints; so a cell that ends with ``check_...(f)`` shows the verdict.
    """

    def __init__(self, title: str, cases: Sequence[CaseResult], attempted: bool = True,
                 note: str = ""):
        self.title = title
        self.cases = list(cases)
        self.attempted = attempted
        self.note = note

    @property
    def passed(self) -> bool:
        """True if the function was attempted and every case passed."""
        return self.attempted and bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def hints(self) -> list:
        """The hints of the failed cases, each once, those given by more cases first."""
        given = [h for c in self.cases for h in c.hints]
        return sorted(dict.fromkeys(given), key=lambda h: -given.count(h))

    def __bool__(self):
        return self.passed

    def __str__(self):
        if not self.attempted:
            return _wrap([f"{self.title}: not attempted yet. {self.note}"])
        n_ok = sum(c.passed for c in self.cases)
        lines = [f"{PASS if self.passed else FAIL} {self.title}: "
                 + (f"all {n_ok} cases passed." if self.passed
                    else f"{n_ok} of {len(self.cases)} cases passed.")]
        for c in self.cases:
            lines.append(f"  {PASS if c.passed else FAIL} {c.label}"
                         + ("" if c.passed else f": {c.message}"))
        lines += [f"  hint: {hint}" for hint in self.hints]
        if self.note and not self.passed:
            lines.append(self.note)
        return _wrap(lines)

    __repr__ = __str__


def _wrap(lines, width: int = 88) -> str:
    """Lines wrapped to ``width`` (a notebook output or a phone shows them without scrolling),
    continuation lines indented under their line's text."""
    out = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        out.append(textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False))
    return "\n".join(out)


def _describe(value) -> str:
    """A short description of a value's type (and shape) for messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def compare(actual, expected, rtol=1e-9, atol=1e-12) -> str:
    """Why ``actual`` does not match ``expected`` (an ndarray or a float), or "" if it does.

    A float is expected as any real scalar (float, numpy scalar, 0-d array); an array only as
    an ndarray of the same shape. Values must be finite where expected is and satisfy
    ``|actual - expected| <= atol + rtol * |expected|`` entry by entry.
    """
    if isinstance(expected, np.ndarray):
        if not isinstance(actual, np.ndarray):
            return f"expected an array of shape {expected.shape}; got {_describe(actual)}"
        if actual.shape != expected.shape:
            return f"expected shape {expected.shape}; got shape {actual.shape}"
    elif isinstance(actual, np.ndarray) and actual.shape == ():
        actual = actual[()]
    elif isinstance(actual, np.ndarray):
        return f"expected a number; got {_describe(actual)}"
    if isinstance(actual, (bool, np.bool_)) or not (
            isinstance(actual, (int, float, np.integer, np.floating, np.ndarray))):
        return f"expected {'numbers' if isinstance(expected, np.ndarray) else 'a number'}; " \
               f"got {_describe(actual)}"
    try:
        a = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return f"expected real numbers; got {_describe(actual)}"
    e = np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(a - e)
        ok = (error <= atol + rtol * np.abs(e)) | (a == e) | (np.isnan(a) & np.isnan(e))
    if np.all(ok):
        return ""
    if a.ndim == 0:
        return f"got {a[()]:.6g}, expected {e[()]:.6g}" + (
            f" (off by {error[()]:.2g})" if np.isfinite(a[()]) else "")
    worst = np.unravel_index(np.argmax(np.where(ok, -1.0, np.nan_to_num(error, nan=np.inf))),
                             a.shape)
    index = tuple(int(i) for i in worst)
    where = f"at index {index}" if a.ndim > 1 else f"at index {index[0]}"
    off = f" (off by {error[worst]:.2g})" if np.isfinite(a[worst]) else ""
    return (f"{int((~ok).sum())} of {a.size} entries wrong; the worst {where}: got "
            f"{a[worst]:.6g}, expected {e[worst]:.6g}{off}")


def _snapshot(args):
    try:
        return copy.deepcopy(args)
    except Exception:  # an argument that cannot be copied (a function closure is fine)
        return args


def _same(a, b) -> bool:
    """True if a and b hold the same values (arrays entry by entry, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, (list, tuple)):
        return (isinstance(b, type(a)) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    if a is b or callable(a):  # functions are not copied: the same object or not
        return a is b
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def _unpack(value, names):
    """The outputs as a tuple of len(names), or a message saying why they are not."""
    if len(names) == 1:
        return (value,), ""
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return tuple(value), ""
    return None, f"expected {len(names)} outputs ({', '.join(names)}); got {_describe(value)}"


def _call(fn, args):
    """(value, error message, warning messages) of ``fn(*args)``; never raises."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(*args)
        except NotImplementedError:
            raise
        except Exception as error:  # the student's error, shown in one line
            text = str(error).split("\n")[0]
            text = text if len(text) <= 120 else text[:117] + "..."
            return None, f"raised {type(error).__name__}: {text}", []
    return value, "", list(dict.fromkeys(str(w.message) for w in caught))


def run_cases(title: str, fn, cases: Sequence[Case], mistakes: Sequence[Mistake] = (), *,
              names: Sequence[str] = ("result",), arg_names: Sequence[str] = (),
              rtol=1e-9, atol=1e-12, type_hint: str = "") -> CheckResult:
    """Call ``fn`` on every case and judge its outputs; the :class:`CheckResult`.

    Parameters
    ----------
    title : str
        What is checked, e.g. ``"tanh_slope(x)"``; heads the verdict.
    fn : callable
        The student's function. If it raises NotImplementedError (an untouched scaffold), the
        result says "not attempted yet" and ``passed`` is False.
    cases : sequence of Case
    mistakes : sequence of Mistake
        Typical wrong variants, called with a case's arguments: a wrong output that matches a
        variant's output (and not the expected one) gets that variant's hint.
    names : sequence of str
        The names of the outputs; with more than one, fn must return a tuple of that length.
    arg_names : sequence of str
        The names of the arguments, to say which one fn changed in place.
    rtol, atol : float
        Tolerances of :func:`compare`.
    type_hint : str
        The hint for a list or tuple where an array is expected.
    """
    if not callable(fn):
        return CheckResult(title, [CaseResult(
            "call", False, f"expected a function; got {_describe(fn)}",
            ("pass the function itself, without calling it: check(f), not check(f())",))])
    results = []
    for case in cases:
        args = _snapshot(case.args)
        try:
            value, error, caught = _call(fn, args)
        except NotImplementedError:
            return CheckResult(title, results, attempted=False,
                               note="Fill in the function's body, run its cell, then run "
                                    "this check again.")
        if error:
            hint = _exception_hint(error)
            results.append(CaseResult(case.label, False, error, (hint,) if hint else ()))
            continue
        changed = [arg_names[i] if i < len(arg_names) else f"argument {i + 1}"
                   for i, (before, after) in enumerate(zip(case.args, args))
                   if not _same(before, after)]
        outputs, problem = _unpack(value, names)
        if problem:
            results.append(CaseResult(case.label, False, problem,
                                      (_structure_hint(value, case, mistakes, names),)))
            continue
        messages, wrong = [], []
        for k, name in enumerate(names):
            message = compare(outputs[k], case.expected[k], rtol, atol)
            if message:
                messages.append((f"{name}: " if len(names) > 1 else "") + message)
                wrong.append(k)
        hints = _mistake_hints(outputs, wrong, case, mistakes, rtol, atol) or [
            _generic(outputs[k], case.expected[k], type_hint) for k in wrong]
        if changed:
            messages.append(f"changed {', '.join(changed)} in place")
            hints.append("compute new arrays (x = x - ...) instead of changing the arguments "
                         "(x -= ...): the caller still needs them")
        if not messages and caught:
            note = "; ".join(caught)[:200]
            results.append(CaseResult(case.label + f" (warning: {note})", True))
            continue
        results.append(CaseResult(case.label, not messages, "; ".join(messages),
                                  tuple(dict.fromkeys(h for h in hints if h))))
    return CheckResult(title, results)


def _mistake_hints(outputs, wrong, case, mistakes, rtol, atol) -> list:
    """The hints of the known mistakes that explain the wrong outputs (indices ``wrong``).

    A mistake explains output k if its k-th output is wrong on this case and equals the
    student's. One mistake that explains every wrong output wins; otherwise each wrong output
    gets the hint of the first mistake that explains it.
    """
    explained = []
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                variant = mistake.outputs(*_snapshot(case.args))
        except Exception:
            continue
        variant = variant if isinstance(variant, tuple) else (variant,)
        ks = {k for k in wrong if k < len(variant)
              and compare(variant[k], case.expected[k], rtol, atol)
              and not compare(outputs[k], variant[k], rtol, atol)}
        if ks and ks == set(wrong):
            return [mistake.hint]
        explained.append((ks, mistake.hint))
    return [next(hint for ks, hint in explained if k in ks)
            for k in wrong if any(k in ks for ks, _ in explained)]


def _structure_hint(value, case, mistakes, names) -> str:
    """The hint for outputs that are not a tuple of the right length."""
    if value is None:
        return "it returns None: did you forget the return statement?"
    for mistake in mistakes:
        try:
            wrong = mistake.outputs(*_snapshot(case.args))
        except Exception:
            continue
        if not isinstance(wrong, tuple) and not compare(value, wrong):
            return mistake.hint
    return f"return a tuple: return {', '.join(names)}"


def _generic(output, expected, type_hint) -> str:
    """A hint from the kind of output, when no known mistake matches."""
    if output is None:
        return "it returns None: did you forget the return statement?"
    if isinstance(expected, np.ndarray) and isinstance(output, (list, tuple)):
        return type_hint or "return a numpy array (np.array(...)), not a list"
    if not isinstance(expected, np.ndarray) and isinstance(output, (list, tuple, np.ndarray)):
        return "return a single number for a single x, not a list or an array"
    nonfinite = "NaN or inf: an overflow, or 0/0, somewhere in the computation"
    if isinstance(output, np.ndarray) and isinstance(expected, np.ndarray):
        if output.shape == expected.shape and output.dtype.kind in "fc" and np.any(
                ~np.isfinite(output)):
            return nonfinite
        if output.ndim == 2 and output.shape == expected.shape[::-1] != expected.shape:
            return "the result is transposed"
    if isinstance(output, (float, np.floating)) and not np.isfinite(output):
        return nonfinite
    return ""


def _exception_hint(error: str) -> str:
    if "not aligned" in error or "core dimension" in error:
        return "a matrix product with shapes that do not fit: check which factor to transpose"
    if "could not be broadcast" in error:
        return "two arrays with shapes that do not broadcast: check each factor's shape"
    if error.startswith("raised TypeError") and "argument" in error:
        return "check the function's signature: the number and order of its arguments"
    return ""
