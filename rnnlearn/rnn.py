r"""The vanilla recurrent network: forward pass, backpropagation through time, its diagnostics.

Used by the chapters "Recurrent networks and backpropagation through time" and "Vanishing and
exploding gradients". PyTorch ``nn.RNN`` names and ``(out, in)`` layout (see :mod:`rnnlearn`):

    h_t = phi(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),   t = 1..T,   h_0 given,

``weight_ih (H, D)``, ``weight_hh (H, H)``, ``bias_ih (H,)``, ``bias_hh (H,)``; sequences are
time-major, ``xs (T, B, D)``, ``hs (T, B, H)`` with ``hs[t - 1]`` = h_t. phi is "tanh" (the
default, as in nn.RNN), "relu" (nn.RNN's other choice), "sigmoid" or "linear" (the identity,
for the theory of the linear RNN).

Kernels: :func:`step_forward` / :func:`step_backward` (one step), :func:`forward` /
:func:`backward` (full or truncated BPTT), and the diagnostics the gradient chapter plots:
:func:`jacobian_norms` (||dh_T/dh_k|| for every k) and :func:`grad_shares` (each step's part of
dL/dW_hh). The sequence model (this RNN with a linear read-out) is in
:mod:`rnnlearn.seqmodel`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn import activations
from rnnlearn._checks import (check_array, check_choice, check_float, check_int, check_keys,
                              check_rng)

KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  #: the RNN's parameter names
NONLINEARITIES = {  # name -> (phi, phi' from the output)
    "tanh": (np.tanh, activations.tanh_grad_from_output),
    "relu": (activations.relu, activations.relu_grad_from_output),
    "sigmoid": (activations.sigmoid, activations.sigmoid_grad_from_output),
    "linear": (lambda a: a, np.ones_like),
}
INITS = ("uniform", "orthogonal", "identity")


class StepCache(NamedTuple):
    """What :func:`step_backward` needs."""

    x: np.ndarray  # (B, D) input x_t
    h_prev: np.ndarray  # (B, H) h_{t-1}
    h: np.ndarray  # (B, H) h_t = phi(a_t)
    weight_ih: np.ndarray  # (H, D)
    weight_hh: np.ndarray  # (H, H)
    nonlinearity: str


class Cache(NamedTuple):
    """What :func:`backward` needs: a whole sequence (the memory cost of BPTT is hs)."""

    xs: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    hs: np.ndarray  # (T, B, H) h_1 .. h_T
    weight_ih: np.ndarray  # (H, D)
    weight_hh: np.ndarray  # (H, H)
    nonlinearity: str


class Shares(NamedTuple):
    """What :func:`grad_shares` returns."""

    norms: np.ndarray  # (T,) ||contribution of step t to dL/dW_hh||_F, t = 1..T
    shares: np.ndarray  # (T,) norms / norms.sum() (all 0 if the gradient is 0)


def _weights(params, D=None):
    """The four RNN arrays from ``params`` (other keys ignored), checked against each other."""
    check_keys("params", params, KEYS)
    w_hh = check_array("params['weight_hh']", params["weight_hh"], "(H, H)")
    H = w_hh.shape[0]
    w_hh = check_array("params['weight_hh']", w_hh, "(H, H)", H=H)
    w_ih = check_array("params['weight_ih']", params["weight_ih"], "(H, D)", H=H,
                       **({} if D is None else {"D": D}))
    b_ih = check_array("params['bias_ih']", params["bias_ih"], "(H,)", H=H)
    b_hh = check_array("params['bias_hh']", params["bias_hh"], "(H,)", H=H)
    return w_ih, w_hh, b_ih, b_hh


def init_params(D, H, rng, *, init="uniform", scale=1.0):
    """Parameters of an RNN with D inputs and H hidden units (float64).

    Parameters
    ----------
    D, H : int
        Input and hidden sizes, >= 1.
    rng : numpy.random.Generator
    init : {"uniform", "orthogonal", "identity"}
        "uniform": every array U(-k, k), k = 1/sqrt(H), nn.RNN's default; "orthogonal":
        ``weight_hh`` a random orthogonal matrix (Haar), the input weights as in "uniform", zero
        biases; "identity": ``weight_hh`` the identity and zero biases (Le, Jaitly & Hinton 2015,
        the IRNN, meant for relu), the input weights as in "uniform".
    scale : float
        Multiplies ``weight_hh`` (its spectral radius for "orthogonal" and "identity"), >= 0.

    Returns
    -------
    params : dict of str to ndarray
        ``weight_ih (H, D)``, ``weight_hh (H, H)``, ``bias_ih (H,)``, ``bias_hh (H,)``.
    """
    D, H = check_int("D", D, lo=1), check_int("H", H, lo=1)
    check_rng(rng)
    check_choice("init", init, INITS)
    scale = check_float("scale", scale, lo=0.0)
    k = 1.0 / np.sqrt(H)
    params = {key: rng.uniform(-k, k, size=shape) for key, shape in
              zip(KEYS, ((H, D), (H, H), (H,), (H,)))}
    if init == "orthogonal":
        q, r = np.linalg.qr(rng.standard_normal((H, H)))
        params["weight_hh"] = q * np.where(np.diag(r) < 0, -1.0, 1.0)  # Haar-distributed
    elif init == "identity":
        params["weight_hh"] = np.eye(H)
    if init != "uniform":
        params["bias_ih"], params["bias_hh"] = np.zeros(H), np.zeros(H)
    params["weight_hh"] *= scale
    return params


def from_state_dict(state_dict, *, layer=0, gates=1):
    """The parameters of one layer from a PyTorch-style state dict of plain numpy arrays.

    Parameters
    ----------
    state_dict : dict of str to array_like
        Holds ``weight_ih_l{layer}`` (G*H, D), ``weight_hh_l{layer}`` (G*H, H),
        ``bias_ih_l{layer}`` and ``bias_hh_l{layer}`` (G*H,): the names ``nn.RNN``, ``nn.GRU``
        and ``nn.LSTM`` give them (``{k: v.numpy() for k, v in m.state_dict().items()}``).
        Other keys are ignored; torch is never imported.
    layer : int
        Which layer, >= 0.
    gates : int
        G, the blocks of rows: 1 for the RNN, 3 for the GRU (r, z, n), 4 for the LSTM (i, f, g, o).

    Returns
    -------
    params : dict of str to ndarray
        Float64 copies under :data:`KEYS`.
    """
    layer, G = check_int("layer", layer, lo=0), check_int("gates", gates, lo=1)
    names = {key: f"{key}_l{layer}" for key in KEYS}
    check_keys("state_dict", state_dict, list(names.values()))
    w_hh = check_array(names["weight_hh"], state_dict[names["weight_hh"]], "(GH, H)")
    H = w_hh.shape[1]
    if w_hh.shape[0] != G * H:
        raise ValueError(f"{names['weight_hh']} must have shape (G*H, H) with G = {G}; "
                         f"got {w_hh.shape}")
    shapes = {"weight_ih": "(GH, D)", "weight_hh": "(GH, H)", "bias_ih": "(GH,)",
              "bias_hh": "(GH,)"}
    return {key: check_array(name, state_dict[name], shapes[key], GH=G * H)
            .astype(np.float64, copy=True) for key, name in names.items()}


def step_forward(x, h_prev, params, nonlinearity="tanh"):
    r"""One time step.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    params : dict of str to ndarray
        The keys of :data:`KEYS` (others are ignored).
    nonlinearity : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    h : ndarray, shape (B, H)
    cache : StepCache

    Equations
    ---------
    .. math:: h_t = \phi(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh})
    """
    x = check_array("x", x, "(B, D)")
    w_ih, w_hh, b_ih, b_hh = _weights(params, x.shape[1])
    h_prev = check_array("h_prev", h_prev, "(B, H)", B=x.shape[0], H=w_hh.shape[0])
    phi = NONLINEARITIES[check_choice("nonlinearity", nonlinearity, NONLINEARITIES)][0]
    h = phi(x @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh)  # (B, H)
    return h, StepCache(x, h_prev, h, w_ih, w_hh, nonlinearity)


def step_backward(dh, cache):
    r"""Backward pass of :func:`step_forward`.

    Parameters
    ----------
    dh : ndarray, shape (B, H)
        dL/dh_t.
    cache : StepCache

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    grads : dict of str to ndarray
        Keyed like :data:`KEYS`.

    Equations
    ---------
    .. math:: \delta_t = \phi'(a_t) \odot \frac{\partial L}{\partial h_t}, \quad
              \frac{\partial L}{\partial W_{hh}} = \delta_t^\top h_{t-1}, \quad
              \frac{\partial L}{\partial h_{t-1}} = \delta_t W_{hh}
    """
    dh = check_array("dh", dh, "(B, H)", B=cache.h.shape[0], H=cache.h.shape[1])
    da = dh * NONLINEARITIES[cache.nonlinearity][1](cache.h)  # (B, H)
    grads = {"weight_ih": da.T @ cache.x, "weight_hh": da.T @ cache.h_prev,
             "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}
    return da @ cache.weight_ih, da @ cache.weight_hh, grads


def forward(xs, h0, params, nonlinearity="tanh"):
    r"""Run the RNN over a sequence.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H), or None
        The initial state h_0; None means zeros.
    params : dict of str to ndarray
        The keys of :data:`KEYS` (others are ignored).
    nonlinearity : {"tanh", "relu", "sigmoid", "linear"}

    Returns
    -------
    hs : ndarray, shape (T, B, H)
        h_1, ..., h_T.
    caches : Cache

    Equations
    ---------
    .. math:: h_t = \phi(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh})
    """
    xs = check_array("xs", xs, "(T, B, D)")
    T, B, D = xs.shape
    if T == 0 or B == 0:
        raise ValueError(f"xs must have shape (T, B, D) with T, B >= 1; got {xs.shape}")
    w_ih, w_hh, b_ih, b_hh = _weights(params, D)
    H = w_hh.shape[0]
    h0 = (np.zeros((B, H), dtype=np.result_type(xs, w_hh)) if h0 is None
          else check_array("h0", h0, "(B, H)", B=B, H=H))
    phi = NONLINEARITIES[check_choice("nonlinearity", nonlinearity, NONLINEARITIES)][0]
    drive = np.empty((T, B, H), np.result_type(xs, w_ih, b_ih))  # every step's x W_ih^T + b_ih
    np.matmul(xs.reshape(T * B, D), w_ih.T, out=drive.reshape(T * B, H))  # in one product
    drive += b_ih
    hs = np.empty(drive.shape, dtype=np.result_type(drive, h0, w_hh))
    h = h0
    for t in range(T):
        h = hs[t] = phi(drive[t] + h @ w_hh.T + b_hh)
    return hs, Cache(xs, h0, hs, w_ih, w_hh, nonlinearity)


def _by_columns(w):
    """``w`` for the products ``delta @ w`` of a backward loop: float64 weights are copied into
    column-major order, for which OpenBLAS computes (B, G*H) @ (G*H, H) up to 25% faster
    (measured here, with results equal up to rounding); float32's gains nothing and is kept."""
    return np.asfortranarray(w) if w.dtype == np.float64 else w


def _deltas(dhs, caches, dh_last, truncate):
    """delta_t = dL/da_t for every t, (T, B, H), and dL/dh_0, after checking the arguments."""
    T, B, H = caches.hs.shape
    dhs = check_array("dhs", dhs, "(T, B, H)", T=T, B=B, H=H)
    dh_next = (np.zeros((B, H), dtype=dhs.dtype) if dh_last is None
               else check_array("dh_last", dh_last, "(B, H)", B=B, H=H))
    k = T if truncate is None else check_int("truncate", truncate, lo=1)
    dphi = NONLINEARITIES[caches.nonlinearity][1](caches.hs)  # (T, B, H)
    das = np.empty(np.broadcast_shapes(dhs.shape, dphi.shape), np.result_type(dhs, dphi))
    w_hh = _by_columns(caches.weight_hh)  # W_hh, stored the way das[t] @ w_hh is fastest
    for t in range(T - 1, -1, -1):
        if t < T - 1 and (t + 1) % k == 0:  # h_{t+1} starts a chunk: its state was detached
            dh_next = np.zeros_like(dh_next)
        das[t] = (dhs[t] + dh_next) * dphi[t]
        dh_next = das[t] @ w_hh  # (B, H) dL/dh_{t-1} through step t
    return das, dh_next


def _h_prev(caches):
    """h_0, ..., h_{T-1}, (T, B, H)."""
    return np.concatenate([caches.h0[None], caches.hs[:-1]])


def backward(dhs, caches, dh_last=None, *, truncate=None):
    r"""Backpropagation through time, full or truncated.

    Parameters
    ----------
    dhs : ndarray, shape (T, B, H)
        dL/dh_t from the losses at each step (zeros where a step has no loss).
    caches : Cache
        From :func:`forward`.
    dh_last : ndarray, shape (B, H), optional
        An extra gradient into h_T from beyond the sequence.
    truncate : int or None
        None: full BPTT. An int k >= 1: truncated BPTT with window k, the chunked form
        (Williams & Peng's BPTT(k, k); what ``h = h.detach()`` between chunks does in PyTorch):
        the sequence is cut into chunks of k steps, t = 1..k, k+1..2k, ... (the last may be
        shorter); the hidden state is carried across each boundary but treated there as a
        constant, so a loss at step t sends gradient back only to the first step of t's chunk.
        The result is the sum of the chunks' full-BPTT gradients at the same parameters; it
        equals full BPTT when k >= T. dh0 then gets only the first chunk's losses, and
        dL_t/dx_s = 0 for s in an earlier chunk than t.

    Returns
    -------
    dxs : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    grads : dict of str to ndarray
        Keyed like :data:`KEYS`.

    Equations
    ---------
    .. math:: \delta_t = \phi'(a_t) \odot \Big(\frac{\partial L}{\partial h_t}
              + \delta_{t+1} W_{hh}\Big), \quad
              \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t^\top h_{t-1}, \quad
              \frac{\partial L}{\partial W_{ih}} = \sum_t \delta_t^\top x_t
    """
    das, dh0 = _deltas(dhs, caches, dh_last, truncate)
    T, B, H = das.shape
    D = caches.xs.shape[2]
    flat = das.reshape(T * B, H)
    grads = {"weight_ih": flat.T @ caches.xs.reshape(T * B, D),
             "weight_hh": flat.T @ _h_prev(caches).reshape(T * B, H),
             "bias_ih": flat.sum(axis=0), "bias_hh": flat.sum(axis=0)}
    return das @ caches.weight_ih, dh0, grads


def grad_shares(dhs, caches, dh_last=None, *, truncate=None):
    r"""Each time step's contribution to dL/dW_hh: its Frobenius norm and share.

    Parameters
    ----------
    dhs, caches, dh_last, truncate
        As for :func:`backward`.

    Returns
    -------
    Shares
        ``norms[t - 1]`` = ||delta_t^T h_{t-1}||_F for t = 1..T (summed over the batch), and
        ``shares`` = norms / norms.sum(), which sum to 1 (all 0 if every norm is 0).

    Equations
    ---------
    .. math:: \frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^T \delta_t^\top h_{t-1}
    """
    das, _ = _deltas(dhs, caches, dh_last, truncate)
    parts = np.einsum("tbi,tbj->tij", das, _h_prev(caches))  # (T, H, H)
    norms = np.sqrt(np.einsum("tij,tij->t", parts, parts))  # (T,)
    total = norms.sum()
    return Shares(norms, norms / total if total > 0 else np.zeros_like(norms))


def jacobian_norms(caches, *, b=None, log=False):
    r"""The spectral norms ||dh_T/dh_k||_2 for k = 0, ..., T - 1.

    Parameters
    ----------
    caches : Cache
        From :func:`forward`; the Jacobians use its ``weight_hh`` and states.
    b : int or None
        The batch element whose Jacobians are used; None averages the norms (or, with
        ``log=True``, the log norms) over the batch.
    log : bool
        Return natural logarithms: finite where the norms under- or overflow.

    Returns
    -------
    norms : ndarray, shape (T,)
        ``norms[k]`` = ||dh_T/dh_k||_2, h_0 the initial state; ``norms[T - 1]`` is
        ||dh_T/dh_{T-1}||, one step.

    Equations
    ---------
    .. math:: \frac{\partial h_T}{\partial h_k} = \prod_{t=k+1}^{T} \operatorname{diag}(\phi'(a_t))
              W_{hh}, \qquad \Big\lVert \frac{\partial h_T}{\partial h_k} \Big\rVert_2
              \le \big(\gamma\, \sigma_{\max}(W_{hh})\big)^{T-k}, \ \gamma = \max \phi'
    """
    T, B, H = caches.hs.shape
    dphi = NONLINEARITIES[caches.nonlinearity][1](caches.hs)  # (T, B, H)
    if b is not None:
        dphi = dphi[:, [check_int("b", b, lo=0, hi=B - 1)]]
    # products from the end, renormalised each step so that nothing under- or overflows
    P = np.broadcast_to(np.eye(H), (dphi.shape[1], H, H)).astype(np.float64)
    logs = np.empty((T, dphi.shape[1]))
    log_scale = np.zeros(dphi.shape[1])
    with np.errstate(divide="ignore"):
        for t in range(T - 1, -1, -1):
            P = P @ (dphi[t][:, :, None] * caches.weight_hh)  # (B, H, H) dh_T / dh_t
            size = np.sqrt(np.einsum("bij,bij->b", P, P))
            P = P / np.where(size > 0, size, 1.0)[:, None, None]
            log_scale += np.log(size)
            logs[t] = log_scale + np.log(np.linalg.norm(P, 2, axis=(1, 2)))
    if log:
        return logs.mean(axis=1)
    return np.exp(logs).mean(axis=1)
