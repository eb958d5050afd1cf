r"""Activation functions and their derivatives, computed without overflow.

Used by the chapter "backprop" (sigmoid, tanh and relu with their slopes) and by every
recurrent kernel and the language model (softmax, log-softmax and its backward pass).

All functions accept Python scalars and arrays, turn integer input into float64 and keep
float32 as float32. Large inputs only ever reach ``exp`` as :math:`e^{-|x|}` or after
subtracting a maximum, so nothing overflows for :math:`|x|` up to 1e3; results that are
smaller than the smallest float (e.g. :math:`\sigma(-1000)`) are rounded to 0 quietly,
because 0 is the correctly rounded answer there, not an error.
"""
import numpy as np


def _as_float(x, name="x"):
    """``x`` as a floating ndarray: booleans and integers become float64."""
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        return x.astype(np.float64)
    if x.dtype.kind != "f":
        raise TypeError(f"{name} must hold real numbers; got dtype {x.dtype}")
    return x


def sigmoid(x):
    r"""Logistic sigmoid, elementwise.

    Parameters
    ----------
    x : float or ndarray, shape (...)

    Returns
    -------
    ndarray, shape (...)
        Values in [0, 1].

    Equations
    ---------
    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{\min(x, 0)}}{1 + e^{-|x|}}

    The second form is the one computed: both exponents are :math:`\le 0`.
    """
    x = _as_float(x)
    with np.errstate(under="ignore"):
        return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))


def sigmoid_grad(x):
    r"""Derivative of the sigmoid, evaluated at the input ``x``.

    Parameters
    ----------
    x : float or ndarray, shape (...)

    Returns
    -------
    ndarray, shape (...)
        Values in [0, 1/4].

    Equations
    ---------
    .. math::

        \sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \frac{e^{-|x|}}{(1 + e^{-|x|})^2}

    The second form keeps full relative precision in both tails, where
    :math:`1 - \sigma(x)` would cancel.
    """
    x = _as_float(x)
    with np.errstate(under="ignore"):
        z = np.exp(-np.abs(x))
        return z / (1 + z) ** 2


def tanh(x):
    r"""Hyperbolic tangent, elementwise.

    Parameters
    ----------
    x : float or ndarray, shape (...)

    Returns
    -------
    ndarray, shape (...)
        Values in [-1, 1].

    Equations
    ---------
    .. math::

        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1
    """
    return np.tanh(_as_float(x))


def tanh_grad(x):
    r"""Derivative of tanh, evaluated at the input ``x``.

    Parameters
    ----------
    x : float or ndarray, shape (...)

    Returns
    -------
    ndarray, shape (...)
        Values in [0, 1].

    Equations
    ---------
    .. math::

        \tanh'(x) = 1 - \tanh^2(x) = 4\,\sigma'(2x)

    The second form (from :math:`\tanh(x) = 2\sigma(2x) - 1`) is computed, so the
    tails keep their relative precision.
    """
    return 4 * sigmoid_grad(2 * _as_float(x))


def relu(x):
    r"""Rectified linear unit, elementwise.

    Parameters
    ----------
    x : float or ndarray, shape (...)

    Returns
    -------
    ndarray, shape (...)

    Equations
    ---------
    .. math::

        \operatorname{relu}(x) = \max(x, 0)
    """
    return np.maximum(_as_float(x), 0)


def relu_grad(x):
    r"""Derivative of relu, evaluated at the input ``x``.

    relu has no derivative at 0; like every deep-learning library we return 0 there,
    one valid choice of subgradient (anything in [0, 1] would be).

    Parameters
    ----------
    x : float or ndarray, shape (...)

    Returns
    -------
    ndarray, shape (...)
        1 where ``x > 0``, else 0.

    Equations
    ---------
    .. math::

        \operatorname{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}
    """
    x = _as_float(x)
    return (x > 0).astype(x.dtype)


def softmax(x, axis=-1):
    r"""Softmax along ``axis``: positive values that sum to 1.

    Parameters
    ----------
    x : ndarray, shape (..., K, ...)
        Scores (logits); ``K`` is the length of ``axis``.
    axis : int, optional

    Returns
    -------
    y : ndarray, same shape as ``x``

    Equations
    ---------
    .. math::

        y_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}}, \qquad m = \max_j x_j

    Subtracting :math:`m` changes nothing mathematically and keeps every exponent
    :math:`\le 0`.
    """
    x = _as_float(x)
    with np.errstate(under="ignore"):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    r"""Logarithm of the softmax along ``axis``, without computing the softmax.

    Finite even where the softmax itself rounds to 0 (e.g. ``[0, -1000]``).

    Parameters
    ----------
    x : ndarray, shape (..., K, ...)
    axis : int, optional

    Returns
    -------
    ndarray, same shape as ``x``

    Equations
    ---------
    .. math::

        \log y_i = (x_i - m) - \log \sum_j e^{x_j - m}, \qquad m = \max_j x_j
    """
    x = _as_float(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_backward(dy, y, axis=-1):
    r"""Backward pass of the softmax: the vector-Jacobian product :math:`dy \to dx`.

    Parameters
    ----------
    dy : ndarray, same shape as ``y``
        Upstream gradient :math:`\partial L / \partial y`.
    y : ndarray, shape (..., K, ...)
        The softmax output ``softmax(x, axis)``.
    axis : int, optional
        The axis the softmax was taken along.

    Returns
    -------
    dx : ndarray, same shape as ``y``

    Equations
    ---------
    .. math::

        \frac{\partial y_j}{\partial x_i} = y_j(\delta_{ij} - y_i)
        \quad\Longrightarrow\quad
        dx_i = y_i \Big(dy_i - \sum_j dy_j\, y_j\Big)
    """
    dy, y = _as_float(dy, "dy"), _as_float(y, "y")
    if dy.shape != y.shape:
        raise ValueError(f"dy must have the shape of y {y.shape}; got {dy.shape}")
    return y * (dy - (dy * y).sum(axis=axis, keepdims=True))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}


def get(name):
    """Look up an activation by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``.

    Returns
    -------
    f, df : callable
        The function and its derivative (evaluated at the input).
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        valid = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"activation must be one of {valid}; got {name!r}") from None
