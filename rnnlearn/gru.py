r"""The gated recurrent unit (GRU): forward pass and backpropagation through time.

Used by the chapter "Gated recurrent units". PyTorch ``nn.GRU`` names, equations and
``(out, in)`` layout by default (see :mod:`rnnlearn`): ``weight_ih (3H, D)``, ``weight_hh
(3H, H)``, ``bias_ih (3H,)``, ``bias_hh (3H,)``, rows stacked r, z, n (``[0:H]`` the reset
gate, ``[H:2H]`` the update gate, ``[2H:3H]`` the candidate):

    r_t = σ(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr)
    z_t = σ(x_t W_iz^T + b_iz + h_{t-1} W_hz^T + b_hz)
    n_t = tanh(x_t W_in^T + b_in + r_t ⊙ (h_{t-1} W_hn^T + b_hn))     reset="after"
    n_t = tanh(x_t W_in^T + b_in + (r_t ⊙ h_{t-1}) W_hn^T + b_hn)     reset="before"
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

Two places for the reset gate. ``reset="after"`` (the default: PyTorch, cuDNN, Keras's
``reset_after=True``) scales each candidate unit's whole recurrent input after the matrix
product, so the three gates' recurrent terms are one product h_{t-1} W_hh^T. ``reset="before"``
is the form Cho et al. (2014) published: r_t multiplies h_{t-1} component by component before
W_hn mixes it, so the candidate sees only the parts of the old state the gate lets through.
The two agree where r_t = 1 and differ otherwise.

PyTorch and Cho et al. write h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1} (z_t = 1 keeps the old
state), while Chung et al. (2014) write h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ n_t, the same cell
with z_t and 1 - z_t swapped. Where z_t = 1 the state is copied and dL/dh_{t-1} = dL/dh_t:
the GRU's constant error carousel.

Sequences are time-major, ``xs (T, B, D)``, ``hs (T, B, H)`` with ``hs[t - 1]`` = h_t.
Kernels: :func:`init_params`, :func:`from_state_dict`, :func:`step_forward` /
:func:`step_backward`, :func:`forward` / :func:`backward` (full or truncated BPTT). Dtypes
follow :mod:`rnnlearn._checks`; gate derivatives are taken from the gate outputs.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlearn import rnn
from rnnlearn.activations import sigmoid
from rnnlearn._checks import check_array, check_choice, check_int, check_keys, check_rng

KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  #: the GRU's parameter names
GATES = ("r", "z", "n")  #: the order of the row blocks
RESETS = ("after", "before")  #: where the reset gate acts: nn.GRU's form, Cho et al.'s form


class StepCache(NamedTuple):
    """What :func:`step_backward` needs."""

    x: np.ndarray  # (B, D) input x_t
    h_prev: np.ndarray  # (B, H) h_{t-1}
    r: np.ndarray  # (B, H) reset gate r_t
    z: np.ndarray  # (B, H) update gate z_t
    n: np.ndarray  # (B, H) candidate n_t
    hn: np.ndarray  # (B, H) h_{t-1} W_hn^T + b_hn ("after"); (r_t * h_{t-1}) W_hn^T + b_hn
    weight_ih: np.ndarray  # (3H, D)
    weight_hh: np.ndarray  # (3H, H)
    reset: str


class Cache(NamedTuple):
    """What :func:`backward` needs: a whole sequence (gate outputs for every step)."""

    xs: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    hs: np.ndarray  # (T, B, H) h_1 .. h_T
    r: np.ndarray  # (T, B, H) reset gates
    z: np.ndarray  # (T, B, H) update gates
    n: np.ndarray  # (T, B, H) candidates
    hn: np.ndarray  # (T, B, H) the recurrent term of n's pre-activation, as in StepCache
    weight_ih: np.ndarray  # (3H, D)
    weight_hh: np.ndarray  # (3H, H)
    reset: str


def _weights(params, D=None):
    """The four GRU arrays from ``params`` (other keys ignored), checked against each other."""
    check_keys("params", params, KEYS)
    w_hh = check_array("params['weight_hh']", params["weight_hh"], "(3H, H)")
    H = w_hh.shape[1]
    w_hh = check_array("params['weight_hh']", w_hh, "(3H, H)", **{"3H": 3 * H, "H": H})
    w_ih = check_array("params['weight_ih']", params["weight_ih"], "(3H, D)",
                       **{"3H": 3 * H, **({} if D is None else {"D": D})})
    b_ih = check_array("params['bias_ih']", params["bias_ih"], "(3H,)", **{"3H": 3 * H})
    b_hh = check_array("params['bias_hh']", params["bias_hh"], "(3H,)", **{"3H": 3 * H})
    return w_ih, w_hh, b_ih, b_hh


def init_params(D, H, rng):
    """Parameters of a GRU with D inputs and H hidden units (float64), as ``nn.GRU`` makes them.

    Parameters
    ----------
    D, H : int
        Input and hidden sizes, >= 1.
    rng : numpy.random.Generator

    Returns
    -------
    params : dict of str to ndarray
        ``weight_ih (3H, D)``, ``weight_hh (3H, H)``, ``bias_ih (3H,)``, ``bias_hh (3H,)``,
        every entry U(-k, k) with k = 1/sqrt(H).
    """
    D, H = check_int("D", D, lo=1), check_int("H", H, lo=1)
    check_rng(rng)
    k = 1.0 / np.sqrt(H)
    return {key: rng.uniform(-k, k, size=shape) for key, shape in
            zip(KEYS, ((3 * H, D), (3 * H, H), (3 * H,), (3 * H,)))}


def from_state_dict(state_dict, *, layer=0):
    """One layer's parameters from ``nn.GRU``'s state dict of plain numpy arrays.

    Parameters
    ----------
    state_dict : dict of str to array_like
        ``weight_ih_l{layer}`` (3H, D), ``weight_hh_l{layer}`` (3H, H), ``bias_ih_l{layer}``
        and ``bias_hh_l{layer}`` (3H,), e.g. ``{k: v.numpy() for k, v in
        gru.state_dict().items()}``; other keys are ignored, torch is never imported.
    layer : int
        Which layer, >= 0.

    Returns
    -------
    params : dict of str to ndarray
        Float64 copies under :data:`KEYS` (:func:`rnnlearn.rnn.from_state_dict` with
        ``gates=3``): :func:`forward` then gives nn.GRU's numbers.
    """
    return rnn.from_state_dict(state_dict, layer=layer, gates=3)


def _step(gx, h, w_hh, b_hh, reset):
    """One step from the input projection gx = x W_ih^T + b_ih, (B, 3H): h_t, r, z, n, hn."""
    H = h.shape[1]
    rows = 3 * H if reset == "after" else 2 * H  # "before": n's product must wait for r
    gh = h @ w_hh[:rows].T + b_hh[:rows]  # (B, 3H) or (B, 2H): one matmul
    rz = sigmoid(gx[:, :2 * H] + gh[:, :2 * H])  # (B, 2H): both gates in one call
    r, z = rz[:, :H], rz[:, H:]  # (B, H) each
    if reset == "after":
        hn = gh[:, 2 * H:]
        n = np.tanh(gx[:, 2 * H:] + r * hn)
    else:
        hn = (r * h) @ w_hh[2 * H:].T + b_hh[2 * H:]
        n = np.tanh(gx[:, 2 * H:] + hn)
    return (1 - z) * n + z * h, r, z, n, hn


def _slopes(h_prev, r, z, n, hn, reset):
    """What a step's backward pass multiplies by, from its forward outputs alone (any leading
    shape: one step, or every step at once, outside the loop): with dh = dL/dh_t,
    da_n = dh * s_n, da_z = dh * s_z, and da_r = da_n * s_r ("after") or (da_n W_hn) * s_r."""
    s_n = (1 - z) * (1 - n * n)  # dh_t/dn_t = 1 - z_t, times tanh' from the output n
    s_z = (h_prev - n) * z * (1 - z)  # dh_t/dz_t = h_{t-1} - n_t, times sigma' from the output
    s_r = (hn if reset == "after" else h_prev) * r * (1 - r)  # what r_t scales, times sigma'
    return s_n, s_z, s_r


def _step_back(dh, r, z, slopes, w_hh, reset, gi, gh):
    """Backward through one step: fill gh (B, 3H), the pre-activation gradients on the recurrent
    side (the terms W_hh multiplies), and the n block of gi, those on the input side
    (x W_ih^T + b_ih), whose r and z blocks are gh's (with reset="before" gi is gh: the n block
    too); return dL/dh_{t-1}."""
    H = dh.shape[1]
    s_n, s_z, s_r = slopes
    da_n = np.multiply(dh, s_n, out=gi[:, 2 * H:])  # (B, H)
    np.multiply(dh, s_z, out=gh[:, H:2 * H])  # da_z
    if reset == "after":
        np.multiply(da_n, s_r, out=gh[:, :H])  # da_r
        np.multiply(da_n, r, out=gh[:, 2 * H:])  # on h W_hn^T + b_hn, which r multiplies
        return dh * z + gh @ w_hh
    drh = da_n @ w_hh[2 * H:]  # (B, H) dL/d(r * h_{t-1}); gh's n block is gi's: da_n
    np.multiply(drh, s_r, out=gh[:, :H])  # da_r
    return dh * z + gh[:, :2 * H] @ w_hh[:2 * H] + drh * r


def _buffers(shape, dtype, reset):
    """gi and gh for :func:`_step_back`: one array for reset="before", two for "after"."""
    gh = np.empty(shape, dtype)
    return (gh if reset == "before" else np.empty_like(gh)), gh


def _grads(gi, gh, x, h_prev, r, reset):
    """Parameter gradients from rows (N, 3H) of pre-activation gradients: N = B or T*B."""
    H = h_prev.shape[1]
    w_hh = (gh.T @ h_prev if reset == "after"  # (3H, H); "before": n's rows met r * h_{t-1}
            else np.concatenate([gh[:, :2 * H].T @ h_prev, gh[:, 2 * H:].T @ (r * h_prev)]))
    return {"weight_ih": gi.T @ x, "weight_hh": w_hh,
            "bias_ih": gi.sum(axis=0), "bias_hh": gh.sum(axis=0)}


def step_forward(x, h_prev, params, *, reset="after"):
    r"""One time step.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    params : dict of str to ndarray
        The keys of :data:`KEYS` (others are ignored).
    reset : {"after", "before"}
        "after": nn.GRU's form; "before": Cho et al. (2014)'s.

    Returns
    -------
    h : ndarray, shape (B, H)
    cache : StepCache

    Equations
    ---------
    .. math::
        r_t &= \sigma(x_t W_{ir}^\top + b_{ir} + h_{t-1} W_{hr}^\top + b_{hr}) \\
        z_t &= \sigma(x_t W_{iz}^\top + b_{iz} + h_{t-1} W_{hz}^\top + b_{hz}) \\
        n_t &= \tanh(x_t W_{in}^\top + b_{in} + r_t \odot (h_{t-1} W_{hn}^\top + b_{hn}))
               \quad \text{(after)} \\
        n_t &= \tanh(x_t W_{in}^\top + b_{in} + (r_t \odot h_{t-1}) W_{hn}^\top + b_{hn})
               \quad \text{(before)} \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
    """
    x = check_array("x", x, "(B, D)")
    w_ih, w_hh, b_ih, b_hh = _weights(params, x.shape[1])
    H = w_hh.shape[1]
    h_prev = check_array("h_prev", h_prev, "(B, H)", B=x.shape[0], H=H)
    check_choice("reset", reset, RESETS)
    h, r, z, n, hn = _step(x @ w_ih.T + b_ih, h_prev, w_hh, b_hh, reset)
    return h, StepCache(x, h_prev, r, z, n, hn, w_ih, w_hh, reset)


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
    The pre-activation gradients, from the gate outputs:

    .. math::
        \delta^n_t &= \tfrac{\partial L}{\partial h_t} \odot (1 - z_t) \odot (1 - n_t^2), \quad
        \delta^z_t = \tfrac{\partial L}{\partial h_t} \odot (h_{t-1} - n_t) \odot z_t (1 - z_t)
        \\
        \delta^r_t &= \delta^n_t \odot (h_{t-1} W_{hn}^\top + b_{hn}) \odot r_t (1 - r_t)
        \quad \text{(after)}, \qquad
        (\delta^n_t W_{hn}) \odot h_{t-1} \odot r_t (1 - r_t) \quad \text{(before)} \\
        \tfrac{\partial L}{\partial h_{t-1}} &= \tfrac{\partial L}{\partial h_t} \odot z_t
        + \delta^r_t W_{hr} + \delta^z_t W_{hz} +
        \begin{cases} (\delta^n_t \odot r_t) W_{hn} & \text{(after)} \\
                      (\delta^n_t W_{hn}) \odot r_t & \text{(before)} \end{cases}
    """
    B, H = cache.h_prev.shape
    dh = check_array("dh", dh, "(B, H)", B=B, H=H)
    slopes = _slopes(cache.h_prev, cache.r, cache.z, cache.n, cache.hn, cache.reset)
    gi, gh = _buffers((B, 3 * H), np.result_type(dh, *slopes), cache.reset)
    dh_prev = _step_back(dh, cache.r, cache.z, slopes, cache.weight_hh, cache.reset, gi, gh)
    gi[:, :2 * H] = gh[:, :2 * H]  # da_r, da_z
    return gi @ cache.weight_ih, dh_prev, _grads(gi, gh, cache.x, cache.h_prev, cache.r,
                                                 cache.reset)


def forward(xs, h0, params, *, reset="after"):
    r"""Run the GRU over a sequence.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H), or None
        The initial state h_0; None means zeros.
    params : dict of str to ndarray
        The keys of :data:`KEYS` (others are ignored).
    reset : {"after", "before"}
        "after": nn.GRU's form (the default); "before": Cho et al. (2014)'s.

    Returns
    -------
    hs : ndarray, shape (T, B, H)
        h_1, ..., h_T.
    cache : Cache
        With the gate outputs ``r``, ``z``, ``n`` (T, B, H) for the chapter's plots.

    Equations
    ---------
    :func:`step_forward`'s, for t = 1, ..., T, each step's input projections
    :math:`x_t W_{ih}^\top + b_{ih}` computed together in one matrix product.
    """
    xs = check_array("xs", xs, "(T, B, D)")
    T, B, D = xs.shape
    if T == 0 or B == 0:
        raise ValueError(f"xs must have shape (T, B, D) with T, B >= 1; got {xs.shape}")
    w_ih, w_hh, b_ih, b_hh = _weights(params, D)
    H = w_hh.shape[1]
    h0 = (np.zeros((B, H), dtype=np.result_type(xs, w_hh)) if h0 is None
          else check_array("h0", h0, "(B, H)", B=B, H=H))
    check_choice("reset", reset, RESETS)
    gxs = np.empty((T, B, 3 * H), np.result_type(xs, w_ih, b_ih))  # every step's x W_ih^T + b_ih
    np.matmul(xs.reshape(T * B, D), w_ih.T, out=gxs.reshape(T * B, 3 * H))  # in one product
    gxs += b_ih
    dtype = np.result_type(gxs, h0, w_hh, b_hh)
    hs, r, z, n, hn = (np.empty((T, B, H), dtype=dtype) for _ in range(5))
    h = h0
    for t in range(T):
        h, r[t], z[t], n[t], hn[t] = _step(gxs[t], h, w_hh, b_hh, reset)
        hs[t] = h
    return hs, Cache(xs, h0, hs, r, z, n, hn, w_ih, w_hh, reset)


def backward(dhs, cache, dh_last=None, *, truncate=None):
    r"""Backpropagation through time, full or truncated.

    Parameters
    ----------
    dhs : ndarray, shape (T, B, H)
        dL/dh_t from the losses at each step (zeros where a step has no loss).
    cache : Cache
        From :func:`forward`.
    dh_last : ndarray, shape (B, H), optional
        An extra gradient into h_T from beyond the sequence.
    truncate : int or None
        None: full BPTT. An int k >= 1: chunked truncated BPTT as in
        :func:`rnnlearn.rnn.backward` (chunks of k steps; the state carried into each chunk is
        a constant there, as after PyTorch's ``h.detach()``).

    Returns
    -------
    dxs : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    grads : dict of str to ndarray
        Keyed like :data:`KEYS`.

    Equations
    ---------
    :func:`step_backward`'s at every step, with :math:`\partial L / \partial h_t` the loss's
    gradient at step t plus the one from step t + 1; with :math:`\delta_t = (\delta^r_t,
    \delta^z_t, \delta^n_t)` (B, 3H), summed over t = 1..T in one matrix product each:

    .. math:: \frac{\partial L}{\partial W_{ih}} = \sum_t \delta_t^\top x_t, \qquad
              \frac{\partial L}{\partial W_{hn}} = \sum_t (\delta^n_t \odot r_t)^\top h_{t-1}
              \ \text{(after)}, \quad \sum_t \delta^{n\top}_t (r_t \odot h_{t-1})
              \ \text{(before)}
    """
    T, B, H = cache.hs.shape
    dhs = check_array("dhs", dhs, "(T, B, H)", T=T, B=B, H=H)
    dh_next = (np.zeros((B, H), dtype=dhs.dtype) if dh_last is None
               else check_array("dh_last", dh_last, "(B, H)", B=B, H=H))
    k = T if truncate is None else check_int("truncate", truncate, lo=1)
    h_prev = np.concatenate([cache.h0[None], cache.hs[:-1]])  # (T, B, H) h_0 .. h_{T-1}
    slopes = _slopes(h_prev, cache.r, cache.z, cache.n, cache.hn, cache.reset)  # every step's
    gi, gh = _buffers((T, B, 3 * H), np.result_type(dhs, *slopes), cache.reset)
    w_hh = rnn._by_columns(cache.weight_hh)  # (3H, H), laid out for gh[t] @ w_hh
    for t in range(T - 1, -1, -1):
        if t < T - 1 and (t + 1) % k == 0:  # h_{t+1} starts a chunk: its state was detached
            dh_next = np.zeros_like(dh_next)
        dh_next = _step_back(dhs[t] + dh_next, cache.r[t], cache.z[t], [s[t] for s in slopes],
                             w_hh, cache.reset, gi[t], gh[t])
    gi[:, :, :2 * H] = gh[:, :, :2 * H]  # da_r, da_z of every step
    D = cache.xs.shape[2]
    grads = _grads(gi.reshape(T * B, 3 * H), gh.reshape(T * B, 3 * H),
                   cache.xs.reshape(T * B, D), h_prev.reshape(T * B, H),
                   cache.r.reshape(T * B, H), cache.reset)
    return gi @ cache.weight_ih, dh_next, grads

