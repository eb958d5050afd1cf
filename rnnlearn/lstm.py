r"""Long short-term memory: PyTorch's ``nn.LSTM`` cell, its BPTT, and the variants of Greff et al.

Used by the chapter "Long short-term memory" and by the character language model. By default
the equations are exactly ``nn.LSTM``'s, with its names and ``(out, in)`` layout (see
:mod:`rnnlearn`): ``weight_ih (4H, D)``, ``weight_hh (4H, H)``, ``bias_ih``, ``bias_hh (4H,)``,
gate rows stacked i, f, g, o ([0:H] = i, [H:2H] = f, [2H:3H] = g, [3H:4H] = o):

    a_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh                        (B, 4H)
    i_t = σ(a_i),  f_t = σ(a_f),  g_t = tanh(a_g),  o_t = σ(a_o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t,   h_t = o_t ⊙ tanh(c_t).

Sequences are time-major: ``xs (T, B, D)``, ``hs`` and ``cs (T, B, H)`` with ``hs[t - 1]`` = h_t.
:class:`Options` switches on the teaching variants (peepholes, Gers & Schmidhuber 2000; the
coupled, gate-less and activation-less cells compared by Greff et al. 2017); every one off is
``nn.LSTM``. Kernels: :func:`init_params`, :func:`from_state_dict`, :func:`step_forward` /
:func:`step_backward` (one step), :func:`forward` / :func:`backward` (full or truncated BPTT).
Dtypes follow :mod:`rnnlearn._checks` and numpy's promotion, as in :mod:`rnnlearn.rnn`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple, Optional

import numpy as np

from rnnlearn import rnn
from rnnlearn.activations import sigmoid, sigmoid_grad_from_output, tanh_grad_from_output
from rnnlearn._checks import check_array, check_bool, check_float, check_int, check_keys, check_rng

KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  #: the parameter names of nn.LSTM
PEEPHOLE_KEYS = ("weight_ci", "weight_cf", "weight_co")  #: each (H,), only with peepholes
GATES = ("i", "f", "g", "o")  #: the order of the row blocks


@dataclass(frozen=True)
class Options:
    """Which LSTM: every field False is ``nn.LSTM``."""

    peepholes: bool = False  # Gers & Schmidhuber 2000: i_t, f_t see c_{t-1}; o_t sees c_t
    coupled: bool = False  # CIFG: f_t = 1 - i_t (the f rows of the weights are unused)
    no_input_gate: bool = False  # NIG: i_t = 1
    no_forget_gate: bool = False  # NFG: f_t = 1
    no_output_gate: bool = False  # NOG: o_t = 1
    no_input_activation: bool = False  # NIAF: g_t = a_g (no tanh)
    no_output_activation: bool = False  # NOAF: h_t = o_t ⊙ c_t (no tanh)

    def __post_init__(self):
        for field in fields(self):
            check_bool(f"Options.{field.name}", getattr(self, field.name))
        if self.coupled and (self.no_input_gate or self.no_forget_gate):
            raise ValueError("Options: coupled (f = 1 - i) contradicts no_input_gate and "
                             "no_forget_gate; choose one")


class StepCache(NamedTuple):
    """What :func:`step_backward` needs."""

    x: np.ndarray  # (B, D) x_t
    h_prev: np.ndarray  # (B, H) h_{t-1}
    c_prev: np.ndarray  # (B, H) c_{t-1}
    i: np.ndarray  # (B, H) gate outputs (ones for a removed gate)
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray  # (B, H) c_t
    tanh_c: np.ndarray  # (B, H) tanh(c_t) (c_t itself with no_output_activation)
    weight_ih: np.ndarray  # (4H, D)
    weight_hh: np.ndarray  # (4H, H)
    peepholes: Optional[tuple]  # (w_ci, w_cf, w_co), each (H,), or None
    options: Options


class Cache(NamedTuple):
    """What :func:`backward` needs (and what the chapter plots: ``cs``, ``f``, ...)."""

    xs: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    c0: np.ndarray  # (B, H)
    hs: np.ndarray  # (T, B, H) h_1 .. h_T
    cs: np.ndarray  # (T, B, H) c_1 .. c_T
    i: np.ndarray  # (T, B, H) gate outputs i_1 .. i_T (ones for a removed gate)
    f: np.ndarray  # (T, B, H)
    g: np.ndarray  # (T, B, H)
    o: np.ndarray  # (T, B, H)
    tanh_c: np.ndarray  # (T, B, H) tanh(c_t) (c_t itself with no_output_activation)
    weight_ih: np.ndarray  # (4H, D)
    weight_hh: np.ndarray  # (4H, H)
    peepholes: Optional[tuple]  # (w_ci, w_cf, w_co), each (H,), or None
    options: Options


def _options(options):
    if options is None:
        return Options()
    if not isinstance(options, Options):
        raise TypeError(f"options must be an lstm.Options or None; got {type(options).__name__}")
    return options


def _weights(params, D, options):
    """weight_ih, weight_hh, bias_ih, bias_hh and the peephole tuple (or None), checked."""
    check_keys("params", params, KEYS + (PEEPHOLE_KEYS if options.peepholes else ()),
               " (the peephole weights with options.peepholes)" if options.peepholes else "")
    H = check_array("params['weight_hh']", params["weight_hh"], "(4H, H)").shape[1]
    rows = {"4H": 4 * H}  # "4H" names an axis in the shapes below
    w_ih = check_array("params['weight_ih']", params["weight_ih"], "(4H, D)", D=D, **rows)
    w_hh = check_array("params['weight_hh']", params["weight_hh"], "(4H, H)", H=H, **rows)
    b_ih = check_array("params['bias_ih']", params["bias_ih"], "(4H,)", **rows)
    b_hh = check_array("params['bias_hh']", params["bias_hh"], "(4H,)", **rows)
    peep = (tuple(check_array(f"params[{k!r}]", params[k], "(H,)", H=H) for k in PEEPHOLE_KEYS)
            if options.peepholes else None)
    return w_ih, w_hh, b_ih, b_hh, peep


def _pair(name, pair, B, H, dtype):
    """(h, c) from a pair of (B, H) arrays (None or a None entry: zeros)."""
    if pair is None:
        pair = (None, None)
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise TypeError(f"{name} must be a pair (h, c) of (B, H) arrays or None; "
                        f"got {type(pair).__name__}")
    return tuple(np.zeros((B, H), dtype) if a is None else
                 check_array(f"{name}[{k}]", a, "(B, H)", B=B, H=H) for k, a in enumerate(pair))


def init_params(D, H, rng, *, forget_bias=None, options=None):
    """Parameters of an LSTM with D inputs and H cells (float64), drawn as ``nn.LSTM`` does.

    Parameters
    ----------
    D, H : int
        Input and hidden sizes, >= 1.
    rng : numpy.random.Generator
    forget_bias : float or None
        None: as ``nn.LSTM`` (random). A number b: the f rows of ``bias_ih`` are set to b and
        those of ``bias_hh`` to 0, so the total forget bias is exactly b (Gers et al. 2000;
        Jozefowicz et al. 2015 recommend 1).
    options : Options or None
        With ``options.peepholes`` the peephole weights are drawn too.

    Returns
    -------
    params : dict of str to ndarray
        ``weight_ih (4H, D)``, ``weight_hh (4H, H)``, ``bias_ih (4H,)``, ``bias_hh (4H,)``,
        every entry U(-k, k) with k = 1/sqrt(H); with peepholes also ``weight_ci``,
        ``weight_cf``, ``weight_co (H,)``, U(-k, k) too.
    """
    D, H = check_int("D", D, lo=1), check_int("H", H, lo=1)
    check_rng(rng)
    options = _options(options)
    k = 1.0 / np.sqrt(H)
    shapes = [(4 * H, D), (4 * H, H), (4 * H,), (4 * H,)] + [(H,)] * 3 * options.peepholes
    params = {key: rng.uniform(-k, k, size=shape) for key, shape in zip(KEYS + PEEPHOLE_KEYS,
                                                                         shapes)}
    if forget_bias is not None:
        params["bias_ih"][H:2 * H] = check_float("forget_bias", forget_bias)
        params["bias_hh"][H:2 * H] = 0.0
    return params


def from_state_dict(state_dict, *, layer=0):
    """Float64 copies of one layer's :data:`KEYS` from an ``nn.LSTM`` state dict.

    Parameters
    ----------
    state_dict : dict of str to array_like
        Torch's names as numpy arrays, ``weight_ih_l{layer} (4H, D)``, ``weight_hh_l{layer}
        (4H, H)``, ``bias_ih_l{layer}``, ``bias_hh_l{layer} (4H,)`` (see
        :func:`rnnlearn.rnn.from_state_dict`); torch is never imported.
    layer : int
        >= 0.
    """
    return rnn.from_state_dict(state_dict, layer=layer, gates=4)


def _cell(a, c_prev, peep, opt, out):
    """One step, in place: a (B, 4H), the pre-activations [a_i a_f a_g a_o] (peepholes' terms
    not yet added), becomes the gate outputs [i f g o]; out = (c, tanh_c, h), each (B, H),
    receives c_t, tanh(c_t) and h_t."""
    H = c_prev.shape[1]
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]  # views of a, (B, H)
    c, tanh_c, h = out
    if peep is not None:  # i_t and f_t peek at c_{t-1}
        i += peep[0] * c_prev
        f += peep[1] * c_prev
    a[:, :2 * H] = sigmoid(a[:, :2 * H])  # i and f in one call
    if opt.no_input_gate:
        i[:] = 1
    if opt.no_forget_gate:
        f[:] = 1
    elif opt.coupled:
        f[:] = 1 - i
    if not opt.no_input_activation:
        np.tanh(g, out=g)
    np.add(f * c_prev, i * g, out=c)  # c_t = f ⊙ c_{t-1} + i ⊙ g
    if peep is not None:
        o += peep[2] * c  # o_t peeks at c_t
    o[:] = 1 if opt.no_output_gate else sigmoid(o)
    tanh_c[:] = c if opt.no_output_activation else np.tanh(c)
    np.multiply(o, tanh_c, out=h)  # h_t = o ⊙ tanh(c_t)


def _cell_backward(dh, dc, c_prev, i, f, g, o, c, tanh_c, peep, opt, da):
    """Fill da (B, 4H), dL/da_t (zero rows stay zero), from dL/dh_t and the dL/dc_t that comes
    from later steps; return dL/dc_{t-1}."""
    H = c.shape[1]
    dc = dc + dh * o * (1.0 if opt.no_output_activation else tanh_grad_from_output(tanh_c))
    if not opt.no_output_gate:
        da[:, 3 * H:] = dh * tanh_c * sigmoid_grad_from_output(o)
        if peep is not None:
            dc = dc + da[:, 3 * H:] * peep[2]  # o_t peeks at c_t
    di, df = dc * g, dc * c_prev
    if opt.coupled:
        di = di - df  # f = 1 - i
    if not opt.no_input_gate:
        da[:, :H] = di * sigmoid_grad_from_output(i)
    if not (opt.no_forget_gate or opt.coupled):
        da[:, H:2 * H] = df * sigmoid_grad_from_output(f)
    da[:, 2 * H:3 * H] = dc * i * (1.0 if opt.no_input_activation else tanh_grad_from_output(g))
    dc_prev = dc * f
    if peep is not None:
        dc_prev = dc_prev + da[:, :H] * peep[0] + da[:, H:2 * H] * peep[1]
    return dc_prev


def _grads(das, xs, h_prev, c_prev, cs, peepholes):
    """Parameter gradients from dL/da_t of every step, one matmul over all T*B rows."""
    H = h_prev.shape[-1]
    flat = das.reshape(-1, 4 * H)  # (T*B, 4H)
    bias = flat.sum(axis=0)
    grads = {"weight_ih": flat.T @ xs.reshape(-1, xs.shape[-1]),
             "weight_hh": flat.T @ h_prev.reshape(-1, H), "bias_ih": bias, "bias_hh": bias.copy()}
    if peepholes:
        for key, rows, state in zip(PEEPHOLE_KEYS, (0, 1, 3), (c_prev, c_prev, cs)):
            grads[key] = (flat[:, rows * H:(rows + 1) * H] * state.reshape(-1, H)).sum(axis=0)
    return grads


def step_forward(x, state, params, options=None):
    r"""One time step of the LSTM.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    state : pair of ndarray, shape (B, H) each
        (h_prev, c_prev) = (h_{t-1}, c_{t-1}).
    params : dict of str to ndarray
        :data:`KEYS`, and :data:`PEEPHOLE_KEYS` with peepholes (others are ignored).
    options : Options or None
        None is ``nn.LSTM``.

    Returns
    -------
    state : pair of ndarray, shape (B, H) each
        (h_t, c_t).
    cache : StepCache

    Equations
    ---------
    .. math::
        \begin{aligned}
        a_t &= x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh} \\
        i_t &= \sigma(a_i), \ f_t = \sigma(a_f), \ g_t = \tanh(a_g), \ o_t = \sigma(a_o) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \quad h_t = o_t \odot \tanh(c_t)
        \end{aligned}

    Peepholes add :math:`w_{ci} \odot c_{t-1}` to :math:`a_i`, :math:`w_{cf} \odot c_{t-1}` to
    :math:`a_f` and :math:`w_{co} \odot c_t` to :math:`a_o`; the other options replace a gate by
    1 (or :math:`f_t` by :math:`1 - i_t`) or drop a tanh, as :class:`Options` says.
    """
    x = check_array("x", x, "(B, D)")
    opt = _options(options)
    w_ih, w_hh, b_ih, b_hh, peep = _weights(params, x.shape[1], opt)
    B, H = x.shape[0], w_hh.shape[1]
    h_prev, c_prev = _pair("state", state, B, H, np.result_type(x, w_hh))
    dtype = np.result_type(x, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh, *(peep or ()))
    a = (x @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh).astype(dtype, copy=False)  # (B, 4H)
    c, tanh_c, h = np.empty((3, B, H), dtype)
    _cell(a, c_prev, peep, opt, (c, tanh_c, h))  # a becomes [i f g o]
    i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
    return (h, c), StepCache(x, h_prev, c_prev, i, f, g, o, c, tanh_c, w_ih, w_hh, peep, opt)


def step_backward(dh, dc, cache):
    r"""Backward pass of :func:`step_forward`.

    Parameters
    ----------
    dh, dc : ndarray, shape (B, H)
        dL/dh_t and dL/dc_t (the latter from beyond h_t: later steps, a loss on c_t).
    cache : StepCache

    Returns
    -------
    dx : ndarray, shape (B, D)
    dstate_prev : pair of ndarray, shape (B, H) each
        (dL/dh_{t-1}, dL/dc_{t-1}).
    grads : dict of str to ndarray
        Keyed like the parameters (with :data:`PEEPHOLE_KEYS` when used).

    Equations
    ---------
    .. math::
        \begin{aligned}
        \bar c_t &= \frac{\partial L}{\partial c_t} + \frac{\partial L}{\partial h_t}
                    \odot o_t \odot (1 - \tanh^2 c_t), \quad
        \frac{\partial L}{\partial c_{t-1}} = \bar c_t \odot f_t \\
        \delta_o &= \frac{\partial L}{\partial h_t} \odot \tanh c_t \odot o_t (1 - o_t), \
        \delta_i = \bar c_t \odot g_t \odot i_t (1 - i_t) \\
        \delta_f &= \bar c_t \odot c_{t-1} \odot f_t (1 - f_t), \
        \delta_g = \bar c_t \odot i_t \odot (1 - g_t^2), \quad
        \frac{\partial L}{\partial h_{t-1}} = \delta_t W_{hh}
        \end{aligned}
    """
    B, H = cache.c.shape
    dh = check_array("dh", dh, "(B, H)", B=B, H=H)
    dc = check_array("dc", dc, "(B, H)", B=B, H=H)
    da = np.zeros((B, 4 * H), np.result_type(dh, dc, cache.c))
    dc_prev = _cell_backward(dh, dc, cache.c_prev, cache.i, cache.f, cache.g, cache.o, cache.c,
                             cache.tanh_c, cache.peepholes, cache.options, da)
    grads = _grads(da, cache.x, cache.h_prev, cache.c_prev, cache.c, cache.options.peepholes)
    return da @ cache.weight_ih, (da @ cache.weight_hh, dc_prev), grads


def forward(xs, state0, params, options=None):
    r"""Run the LSTM over a sequence.

    Parameters
    ----------
    xs : ndarray, shape (T, B, D)
    state0 : pair of ndarray, shape (B, H) each, or None
        (h_0, c_0); None (or a None entry) means zeros.
    params : dict of str to ndarray
        :data:`KEYS`, and :data:`PEEPHOLE_KEYS` with peepholes (others are ignored).
    options : Options or None
        None is ``nn.LSTM``.

    Returns
    -------
    hs : ndarray, shape (T, B, H)
        h_1, ..., h_T.
    cache : Cache
        Holds ``cs`` (c_1..c_T) and the gate outputs ``i, f, g, o``, each (T, B, H).

    Equations
    ---------
    Those of :func:`step_forward` for t = 1, ..., T:

    .. math:: c_t = f_t \odot c_{t-1} + i_t \odot g_t, \quad h_t = o_t \odot \tanh(c_t)
    """
    xs = check_array("xs", xs, "(T, B, D)")
    T, B, D = xs.shape
    if T == 0 or B == 0:
        raise ValueError(f"xs must have shape (T, B, D) with T, B >= 1; got {xs.shape}")
    opt = _options(options)
    w_ih, w_hh, b_ih, b_hh, peep = _weights(params, D, opt)
    H = w_hh.shape[1]
    h0, c0 = _pair("state0", state0, B, H, np.result_type(xs, w_hh))
    dtype = np.result_type(xs, h0, c0, w_ih, w_hh, b_ih, b_hh, *(peep or ()))
    gates = np.empty((T, B, 4 * H), dtype)  # a_t, then the gate outputs [i f g o] of every step
    np.matmul(xs.reshape(T * B, D), w_ih.T, out=gates.reshape(T * B, 4 * H))  # one product
    gates += b_ih + b_hh  # for all the steps' input projections
    hs, cs, tanh_c = np.empty((3, T, B, H), dtype)
    recurrent = np.empty((B, 4 * H), dtype)  # h_{t-1} W_hh^T
    h, c = h0, c0
    for t in range(T):
        gates[t] += np.matmul(h, w_hh.T, out=recurrent)  # a_t
        _cell(gates[t], c, peep, opt, (cs[t], tanh_c[t], hs[t]))
        h, c = hs[t], cs[t]
    i, f, g, o = (gates[:, :, k * H:(k + 1) * H] for k in range(4))  # views (T, B, H)
    return hs, Cache(xs, h0, c0, hs, cs, i, f, g, o, tanh_c, w_ih, w_hh, peep, opt)


def backward(dhs, cache, dstate_last=None, *, truncate=None, dcs=None):
    r"""Backpropagation through time for :func:`forward`, full or truncated.

    Parameters
    ----------
    dhs : ndarray, shape (T, B, H)
        dL/dh_t from the losses at each step (zeros where a step has no loss).
    cache : Cache
    dstate_last : pair of ndarray, shape (B, H) each, or None
        (dL/dh_T, dL/dc_T) from beyond the sequence; None (or a None entry) means zeros.
    truncate : int or None
        None: full BPTT. k >= 1: chunked truncated BPTT(k, k), as :func:`rnnlearn.rnn.backward`:
        the state (h and c) carried into each chunk is treated as a constant there.
    dcs : ndarray, shape (T, B, H), optional
        Direct gradients dL/dc_t (for diagnostics).

    Returns
    -------
    dxs : ndarray, shape (T, B, D)
    dstate0 : pair of ndarray, shape (B, H) each
        (dL/dh_0, dL/dc_0).
    grads : dict of str to ndarray
        Keyed like the parameters (with :data:`PEEPHOLE_KEYS` when used).

    Equations
    ---------
    Those of :func:`step_backward` for t = T, ..., 1, then one sum over every step:

    .. math:: \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t^\top h_{t-1}, \qquad
              \frac{\partial L}{\partial c_{t-1}} = \bar c_t \odot f_t \ \text{(the carousel)}
    """
    T, B, H = cache.hs.shape
    dhs = check_array("dhs", dhs, "(T, B, H)", T=T, B=B, H=H)
    if dcs is not None:
        dcs = check_array("dcs", dcs, "(T, B, H)", T=T, B=B, H=H)
    dh_next, dc_next = _pair("dstate_last", dstate_last, B, H, dhs.dtype)
    k = T if truncate is None else check_int("truncate", truncate, lo=1)
    h_prev = np.concatenate([cache.h0[None], cache.hs[:-1]])  # (T, B, H) h_0 .. h_{T-1}
    c_prev = np.concatenate([cache.c0[None], cache.cs[:-1]])
    das = np.empty((T, B, 4 * H), np.result_type(dhs, cache.hs))  # dL/da_t (np.zeros would be
    # fresh pages from the system, each costing a page fault when first written: slower)
    opt = cache.options
    for block, removed in enumerate((opt.no_input_gate, opt.no_forget_gate or opt.coupled,
                                     False, opt.no_output_gate)):
        if removed:  # a block _cell_backward leaves alone: its gradient is 0
            das[:, :, block * H:(block + 1) * H] = 0
    w_hh = rnn._by_columns(cache.weight_hh)  # (4H, H), laid out for das[t] @ w_hh
    for t in range(T - 1, -1, -1):
        if t < T - 1 and (t + 1) % k == 0:  # step t+1 starts a chunk: its state was detached
            dh_next, dc_next = np.zeros_like(dh_next), np.zeros_like(dc_next)
        dc = dc_next if dcs is None else dc_next + dcs[t]
        dc_next = _cell_backward(dhs[t] + dh_next, dc, c_prev[t], cache.i[t], cache.f[t],
                                 cache.g[t], cache.o[t], cache.cs[t], cache.tanh_c[t],
                                 cache.peepholes, cache.options, das[t])
        dh_next = das[t] @ w_hh  # (B, H) dL/dh_{t-1} through step t
    grads = _grads(das, cache.xs, h_prev, c_prev, cache.cs, cache.options.peepholes)
    return das @ cache.weight_ih, (dh_next, dc_next), grads
