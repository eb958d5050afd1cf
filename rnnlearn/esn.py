r"""Echo state networks: a fixed random reservoir and a read-out fitted by ridge regression.

Used by the chapter "Vanishing and exploding gradients" (remedies: reservoir computing,
Jaeger 2001; Jaeger & Haas 2004). Nothing is trained by backpropagation: a random recurrent
layer, scaled to a chosen spectral radius, is driven by the input, and only a linear read-out
of its states is fitted, in closed form. The reservoir uses the recurrent kernels' layout
(see :mod:`rnnlearn`): ``weight_ih (N, D)``, ``weight_hh (N, N)``, ``bias_ih (N,)``, with a
leak rate a:

    h_t = (1 - a) h_{t-1} + a tanh(x_t W_ih^T + h_{t-1} W_hh^T + b_ih).

:func:`init` makes a reservoir, :func:`run` drives it (dropping a washout), :func:`fit_readout`
fits ``weight (O, N)`` and ``bias (O,)``, :func:`predict` applies them, :func:`generate` runs
the trained network on its own predictions (closed loop), :func:`nrmse` scores it.
"""
from __future__ import annotations

import numpy as np

from rnnlearn._checks import (check_array, check_float, check_int, check_keys, check_positive,
                              check_rng)

KEYS = ("weight_ih", "weight_hh", "bias_ih")  #: a reservoir's parameter names


def init(N, D, rng, *, spectral_radius=0.9, density=1.0, input_scale=1.0, bias_scale=0.0):
    """A random reservoir of N tanh units with D inputs (float64).

    Parameters
    ----------
    N, D : int
        Reservoir and input sizes, >= 1.
    rng : numpy.random.Generator
    spectral_radius : float
        The largest |eigenvalue| of ``weight_hh`` after scaling, >= 0.
    density : float
        Fraction of nonzero recurrent weights, in (0, 1].
    input_scale, bias_scale : float
        ``weight_ih`` ~ U(-input_scale, input_scale), ``bias_ih`` ~ U(-bias_scale,
        bias_scale); both >= 0.

    Returns
    -------
    params : dict of str to ndarray
        ``weight_ih (N, D)``, ``weight_hh (N, N)`` (nonzero entries U(-1, 1) before scaling),
        ``bias_ih (N,)``.
    """
    N, D = check_int("N", N, lo=1), check_int("D", D, lo=1)
    check_rng(rng)
    radius = check_float("spectral_radius", spectral_radius, lo=0.0)
    density = check_float("density", density, 0.0, 1.0, lo_open=True, hi_open=False)
    input_scale = check_float("input_scale", input_scale, lo=0.0)
    bias_scale = check_float("bias_scale", bias_scale, lo=0.0)
    weight_hh = rng.uniform(-1.0, 1.0, size=(N, N))
    if density < 1.0:
        weight_hh *= rng.random((N, N)) < density
    largest = np.max(np.abs(np.linalg.eigvals(weight_hh)))
    if radius > 0 and largest == 0:
        raise ValueError(f"the reservoir drawn with density {density} has no nonzero "
                         "eigenvalue; raise the density or N")
    return {"weight_ih": rng.uniform(-input_scale, input_scale, size=(N, D)),
            "weight_hh": weight_hh * (radius / largest if radius > 0 else 0.0),
            "bias_ih": rng.uniform(-bias_scale, bias_scale, size=N)}


def _reservoir(params, D=None):
    check_keys("params", params, KEYS)
    w_hh = check_array("params['weight_hh']", params["weight_hh"], "(N, N)")
    N = w_hh.shape[0]
    check_array("params['weight_hh']", w_hh, "(N, N)", N=N)
    w_ih = check_array("params['weight_ih']", params["weight_ih"], "(N, D)", N=N,
                       **({} if D is None else {"D": D}))
    return w_ih, w_hh, check_array("params['bias_ih']", params["bias_ih"], "(N,)", N=N)


def _leak(leak):
    return check_float("leak", leak, 0.0, 1.0, lo_open=True, hi_open=False)


def run(xs, params, h0=None, *, leak=1.0, washout=0):
    r"""Drive the reservoir with ``xs`` and return its states after the washout.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    params : dict of str to ndarray
        As made by :func:`init`.
    h0 : ndarray, shape (B, N), optional
        The initial state; zeros by default.
    leak : float
        The leak rate a in (0, 1]; 1 is no leak.
    washout : int
        Initial states dropped (they still remember h0), 0 <= washout < T.

    Returns
    -------
    states : ndarray, shape (T - washout, B, N)
        h_{washout+1}, ..., h_T.

    Equations
    ---------
    .. math:: h_t = (1 - a)\, h_{t-1} + a \tanh(x_t W_{ih}^\top + h_{t-1} W_{hh}^\top + b_{ih})
    """
    xs = check_array("xs", xs, "(T, B, D)")
    T, B, D = xs.shape
    w_ih, w_hh, b = _reservoir(params, D)
    N = w_hh.shape[0]
    h = np.zeros((B, N)) if h0 is None else check_array("h0", h0, "(B, N)", B=B, N=N)
    leak = _leak(leak)
    washout = check_int("washout", washout, lo=0, hi=max(T - 1, 0))
    drive = (xs.reshape(T * B, D) @ w_ih.T + b).reshape(T, B, N)  # (T, B, N)
    states = np.empty((T, B, N), dtype=np.result_type(drive, h))
    for t in range(T):
        h = states[t] = (1 - leak) * h + leak * np.tanh(drive[t] + h @ w_hh.T)
    return states[washout:]


def fit_readout(states, targets, ridge=1e-8):
    r"""The linear read-out minimising squared error plus ``ridge`` times its squared weights.

    Parameters
    ----------
    states : ndarray, shape (T, B, N)
        From :func:`run` (after the washout).
    targets : ndarray, shape (T, B, O)
        What each state should produce.
    ridge : float
        Regularisation strength, >= 0 (the bias is not penalised).

    Returns
    -------
    readout : dict of str to ndarray
        ``weight (O, N)``, ``bias (O,)``.

    Equations
    ---------
    .. math:: \min_{W, c} \sum_{t, b} \lVert h_{tb} W^\top + c - y_{tb} \rVert^2
              + \lambda \lVert W \rVert_F^2
    """
    states = check_array("states", states, "(T, B, N)")
    T, B, N = states.shape
    targets = check_array("targets", targets, "(T, B, O)", T=T, B=B)
    ridge = check_float("ridge", ridge, lo=0.0)
    X = states.reshape(T * B, N).astype(np.float64)
    Y = targets.reshape(T * B, -1).astype(np.float64)
    mean_x, mean_y = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - mean_x  # centring removes the bias from the penalised problem
    # a least-squares problem with sqrt(ridge) I appended: stabler than the normal equations
    A = np.concatenate([Xc, np.sqrt(ridge) * np.eye(N)])
    rhs = np.concatenate([Y - mean_y, np.zeros((N, Y.shape[1]))])
    weight = np.linalg.lstsq(A, rhs, rcond=None)[0].T  # (O, N)
    return {"weight": weight, "bias": mean_y - weight @ mean_x}


def predict(states, readout):
    """The read-out of every state.

    Parameters
    ----------
    states : ndarray, shape (T, B, N)
    readout : dict of str to ndarray
        From :func:`fit_readout`.

    Returns
    -------
    ys : ndarray, shape (T, B, O)
    """
    states = check_array("states", states, "(T, B, N)")
    weight = check_array("readout['weight']", readout["weight"], "(O, N)", N=states.shape[2])
    return states @ weight.T + readout["bias"]


def generate(params, readout, h, y, steps, *, leak=1.0):
    r"""Run the trained network in closed loop: each output is the next input.

    Parameters
    ----------
    params : dict of str to ndarray
        The reservoir, with D inputs.
    readout : dict of str to ndarray
        With O = D outputs.
    h : ndarray, shape (B, N)
        The state reached on the true input (the last of :func:`run`).
    y : ndarray, shape (B, D)
        The first input: the read-out of ``h`` (one-step prediction) or the true next value.
    steps : int
        Outputs to generate, >= 1.
    leak : float
        As in :func:`run`.

    Returns
    -------
    ys : ndarray, shape (steps, B, D)
        ``ys[0]`` is ``y``; ``ys[k]`` the prediction k steps after it.
    """
    w_ih, w_hh, b = _reservoir(params)
    N, D = w_ih.shape
    h = check_array("h", h, "(B, N)", N=N)
    y = check_array("y", y, "(B, D)", B=h.shape[0], D=D)
    weight = check_array("readout['weight']", readout["weight"], "(D, N)", D=D, N=N)
    steps, leak = check_int("steps", steps, lo=1), _leak(leak)
    ys = np.empty((steps, *y.shape))
    ys[0] = y
    for k in range(1, steps):
        h = (1 - leak) * h + leak * np.tanh(y @ w_ih.T + h @ w_hh.T + b)
        y = ys[k] = h @ weight.T + readout["bias"]
    return ys


def nrmse(y_pred, y, variance=None):
    r"""Normalised root-mean-square error: sqrt(mean squared error / variance of the target).

    Parameters
    ----------
    y_pred, y : ndarray, shape (...)
        Predictions and targets, the same shape.
    variance : float, optional
        The normaliser, > 0; default the variance of ``y`` (pass the signal's variance when
        ``y`` is only a few samples of it, as in Jaeger & Haas's NRMSE_84).

    Returns
    -------
    float
        0 for a perfect prediction, 1 for predicting the mean.
    """
    y_pred, y = check_array("y_pred", y_pred), check_array("y", y)
    if y_pred.shape != y.shape:
        raise ValueError(f"y_pred must have the shape of y {y.shape}; got {y_pred.shape}")
    variance = float(np.var(y)) if variance is None else check_positive("variance", variance)
    return float(np.sqrt(np.mean((y_pred - y) ** 2) / variance))
