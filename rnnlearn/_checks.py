r"""Input validation shared by every public function of the package.

Not a chapter's topic: every kernel (:mod:`~rnnlearn.activations`, :mod:`~rnnlearn.losses`,
:mod:`~rnnlearn.mlp`, :mod:`~rnnlearn.optim`, ...) checks its arguments through these helpers,
so that a wrong call fails the same way everywhere:

- ``TypeError`` for a wrong *type* (a string where a number belongs, a float where an int
  belongs). A ``bool`` is never accepted as a number: ``epochs=True`` is a mistake, not 1.
- ``ValueError`` for a wrong *value* or *shape*, naming what was expected and what came:
  ``"xs must have shape (T, B, D); got (5, 3)"``.

Internal helpers trust their callers and do not check again.

The dtype rule
--------------
Array inputs go through :func:`as_float`: float32 and float64 arrays are used as they are
(float32 in gives float32 out, for speed); everything else that holds real numbers (Python
numbers, lists, bool, integer or float16 arrays) becomes float64. Complex, string and object
input is a ``TypeError``. Mixing float32 and float64 follows numpy's promotion (float64).
Parameters made by the package (``init_params``) are float64: gradient checks need it.
"""
from __future__ import annotations

import functools
import math
import warnings
from numbers import Integral, Real

import numpy as np

_KEPT = (np.dtype(np.float32), np.dtype(np.float64))


def _type_name(value):
    return type(value).__name__


def as_float(x, name="x"):
    """``x`` as a float32 or float64 ndarray, following the dtype rule of this module.

    Parameters
    ----------
    x : array_like, shape (...)
    name : str
        For the error message.

    Returns
    -------
    ndarray, shape (...)
        ``x`` itself if it is a float32 or float64 array; otherwise a float64 copy.
    """
    if isinstance(x, np.ndarray):
        array = x
    else:
        try:
            with warnings.catch_warnings():  # numpy < 1.24 warns before making a ragged list
                warnings.simplefilter("ignore")  # an object array, refused below
                array = np.asarray(x)
        except (TypeError, ValueError) as error:  # numpy >= 1.24 refuses ragged lists
            raise TypeError(f"{name} must hold real numbers; got {_type_name(x)} ({error})"
                            ) from None
    if array.dtype in _KEPT:
        return array
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {array.dtype}")
    return array.astype(np.float64)


@functools.lru_cache(maxsize=512)
def _parse_shape(shape):
    """``"(T, B, D)"`` -> ``("T", "B", "D")``; ``"(B, 2)"`` -> ``("B", 2)``; ``"(...)"`` -> None."""
    if shape.strip() == "(...)":
        return None
    names = [part.strip() for part in shape.strip().strip("()").split(",")]
    return tuple(int(part) if part.isdigit() else part for part in names if part)


def check_array(name, x, shape=None, *, dtype="float", **dims):
    """``x`` as an ndarray, after checking its shape against ``shape`` and ``dims``.

    Parameters
    ----------
    name : str
        The argument's name, for messages.
    x : array_like
    shape : str, optional
        The expected shape as written in docstrings, e.g. ``"(T, B, D)"`` or ``"(B, 2)"``:
        the number of entries is the required ndim, a number is a required size. ``"(...)"``
        or None accepts any shape.
    dtype : {"float", "int", None}
        "float": convert by the dtype rule (:func:`as_float`); "int": require an integer array
        (bool is refused); None: ``np.asarray`` only.
    **dims : int
        Required sizes of named axes, e.g. ``D=3`` with ``shape="(B, D)"``.

    Returns
    -------
    ndarray, shape as checked

    Examples
    --------
    >>> check_array("xs", np.zeros((5, 3)), "(T, B, D)")
    Traceback (most recent call last):
    ValueError: xs must have shape (T, B, D); got (5, 3)
    """
    if dtype == "float":
        x = as_float(x, name)
    elif dtype == "int":
        x = np.asarray(x)
        if x.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integers; got dtype {x.dtype}")
    else:
        x = np.asarray(x)
    axes = None if shape is None else _parse_shape(shape)
    if axes is None:
        return x
    if dims and not set(dims) <= set(axes):
        unknown = sorted(set(dims) - set(axes))
        raise KeyError(f"check_array: {unknown} are not axes of {shape}")  # a bug in the caller
    if x.ndim == len(axes):  # the common case, kept fast: kernels check on every call
        for size, axis in zip(x.shape, axes):
            wanted = axis if type(axis) is int else dims.get(axis)
            if wanted is not None and size != wanted:
                break
        else:
            return x
    named = ", ".join(f"{a} = {dims[a]}" for a in axes if a in dims)
    raise ValueError(f"{name} must have shape {shape}{' with ' + named if named else ''}; "
                     f"got {x.shape}")


def check_int(name, value, lo=None, hi=None):
    """``value`` as an int, if it is an integer (not a bool) in [lo, hi].

    Parameters
    ----------
    name : str
    value : int or numpy integer
    lo, hi : int, optional
        Inclusive bounds.

    Returns
    -------
    int
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
        raise TypeError(f"{name} must be an int; got {_type_name(value)} {value!r}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = (f">= {lo}" if hi is None else f"<= {hi}" if lo is None else f"in [{lo}, {hi}]")
        raise ValueError(f"{name} must be an int {bounds}; got {value}")
    return value


def check_float(name, value, lo=-math.inf, hi=math.inf, *, lo_open=False, hi_open=True):
    """``value`` as a float, if it is a real number (not a bool) in the interval (lo, hi).

    Parameters
    ----------
    name : str
    value : float or int
    lo, hi : float
        Bounds; ``lo_open`` and ``hi_open`` say whether each is excluded. NaN never passes.

    Returns
    -------
    float
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number; got {_type_name(value)} {value!r}")
    number = float(value)
    low_ok = lo < number if lo_open else lo <= number
    high_ok = number < hi if hi_open else number <= hi
    if not (low_ok and high_ok):
        raise ValueError(f"{name} must be in {'(' if lo_open else '['}{lo}, {hi}"
                         f"{')' if hi_open else ']'}; got {value}")
    return number


def check_positive(name, value, hi=math.inf):
    """``value`` as a float in (0, hi): e.g. a learning rate, a step, a tolerance.

    Parameters
    ----------
    name : str
    value : float
    hi : float
        Excluded upper bound.
    """
    return check_float(name, value, 0.0, hi, lo_open=True)


def check_bool(name, value):
    """``value`` as a bool, if it is True or False (a numpy bool too); 0 and 1 are refused.

    Parameters
    ----------
    name : str
    value : bool
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_rng(rng, name="rng", why=""):
    """``rng`` if it is a ``numpy.random.Generator`` (``np.random.default_rng(seed)``).

    Parameters
    ----------
    rng : numpy.random.Generator
    name : str
    why : str, optional
        Appended to the message, e.g. " to shuffle batches".
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator{why}; got {_type_name(rng)}")
    return rng


def check_choice(name, value, options):
    """``value`` if it is one of ``options``; the message lists them, sorted.

    Parameters
    ----------
    name : str
    value : object
    options : collection
        E.g. a dict's keys or a tuple of names.
    """
    try:
        ok = value in options
    except TypeError:  # an unhashable value looked up in a dict or set
        ok = False
    if not ok:
        listed = sorted(options, key=str)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def check_callable(name, value, signature=""):
    """``value`` if it is callable.

    Parameters
    ----------
    name : str
    value : callable
    signature : str
        How it is called, for the message, e.g. ``"(params, batch)"``.
    """
    if not callable(value):
        raise TypeError(f"{name} must be callable{signature}; got {_type_name(value)}")
    return value


def check_keys(name, arrays, keys, what=""):
    """``arrays`` if it is a dict holding every key of ``keys`` (other keys are allowed).

    Parameters
    ----------
    name : str
        E.g. "params".
    arrays : dict of str to ndarray
    keys : sequence of str
    what : str
        Added after the key list in the message, e.g. " too".
    """
    if not isinstance(arrays, dict):
        raise TypeError(f"{name} must be a dict of arrays; got {_type_name(arrays)}")
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(f"{name} must have the keys {list(keys)}{what}; missing {missing}")
    return arrays


def check_like(name, arrays, reference, reference_name="params"):
    """Check that the dict ``arrays`` has exactly the keys and shapes of ``reference``.

    Parameters
    ----------
    name : str
        E.g. "grads".
    arrays, reference : dict of str to ndarray
    reference_name : str
    """
    if not isinstance(arrays, dict):
        raise TypeError(f"{name} must be a dict of arrays; got {_type_name(arrays)}")
    if arrays.keys() != reference.keys():
        raise ValueError(f"{name} must have the keys of {reference_name} {sorted(reference)}; "
                         f"got {sorted(arrays)}")
    for key, a in arrays.items():
        want = np.shape(reference[key])
        if np.shape(a) != want:
            raise ValueError(f"{name}[{key!r}] must have the shape of {reference_name}[{key!r}] "
                             f"{want}; got {np.shape(a)}")
    return arrays
