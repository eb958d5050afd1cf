r"""Activation functions and their derivatives, computed without overflow.

Used by the chapter "backprop" (sigmoid, tanh and relu with their slopes) and by every
recurrent kernel and the language model (softmax, log-softmax and its backward pass).

All functions accept Python scalars and arrays and follow the package's dtype rule
(:mod:`rnnlearn._checks`): float32 and float64 arrays keep their dtype, everything else real
(ints, bools, lists, float16) becomes float64. Large inputs only ever reach ``exp`` as
:math:`e^{-|x|}` or after subtracting a maximum, so nothing overflows for :math:`|x|` up to 1e3;
results that are smaller than the smallest float (e.g. :math:`\sigma(-1000)`) are rounded to 0
quietly, because 0 is the correctly rounded answer there, not an error.

Two forms of each derivative: ``*_grad(x)`` takes the *input* x and keeps full relative
precision in the tails (the mlp uses it); ``*_grad_from_output(y)`` takes the *output* y = f(x),
which is what a gate's backward pass has at hand (sigma(1 - sigma), 1 - tanh^2: the LSTM and GRU
chapters). :func:`softmax_backward` is the softmax's vector-Jacobian product, for the language
model's chapter.
"""
import numpy as np

from rnnlearn._checks import as_float as _as_float


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
        z = np.exp(-np.abs(x))  # e^{-|x|}, which is also e^{min(x, 0)} where x < 0: one exp
        # e^{min(x, 0)} is z where x < 0 and 1 elsewhere, max(z, x >= 0) as 0 <= z <= 1 (and
        # without a branch per element, unlike np.where: 2-4 times faster on random signs)
        return np.maximum(z, x >= 0) / (x.dtype.type(1) + z)


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


def sigmoid_grad_from_output(y):
    r"""Derivative of the sigmoid, from its output ``y = sigmoid(x)``.

    For backward passes that kept the output (gates). Where ``y`` is within about 1e-8 of 1,
    ``1 - y`` cancels and the result has few correct digits; :func:`sigmoid_grad` of the input
    does not.

    Parameters
    ----------
    y : float or ndarray, shape (...)
        Sigmoid outputs, in [0, 1].

    Returns
    -------
    ndarray, shape (...)
        Values in [0, 1/4].

    Equations
    ---------
    .. math:: \sigma'(x) = y\,(1 - y), \qquad y = \sigma(x)
    """
    y = _as_float(y, "y")
    return y * (1 - y)


def tanh_grad_from_output(y):
    r"""Derivative of tanh, from its output ``y = tanh(x)``.

    Parameters
    ----------
    y : float or ndarray, shape (...)
        tanh outputs, in [-1, 1].

    Returns
    -------
    ndarray, shape (...)
        Values in [0, 1].

    Equations
    ---------
    .. math:: \tanh'(x) = 1 - y^2, \qquad y = \tanh(x)
    """
    y = _as_float(y, "y")
    return 1 - y * y


def relu_grad_from_output(y):
    r"""Derivative of relu, from its output ``y = relu(x)``: 1 where y > 0, else 0.

    The same as :func:`relu_grad` of the input, since y > 0 exactly when x > 0.

    Parameters
    ----------
    y : float or ndarray, shape (...)
        relu outputs, >= 0.

    Returns
    -------
    ndarray, shape (...)

    Equations
    ---------
    .. math:: \operatorname{relu}'(x) = [y > 0], \qquad y = \operatorname{relu}(x)
    """
    y = _as_float(y, "y")
    return (y > 0).astype(y.dtype)


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
#: name -> derivative from the output, e.g. ``GRADS_FROM_OUTPUT["tanh"](y) == 1 - y**2``
GRADS_FROM_OUTPUT = {
    "sigmoid": sigmoid_grad_from_output,
    "tanh": tanh_grad_from_output,
    "relu": relu_grad_from_output,
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
