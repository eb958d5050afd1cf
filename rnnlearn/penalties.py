r"""Penalties that act on how gradients travel through time: Pascanu et al.'s regulariser.

Used by the chapter "Vanishing and exploding gradients". Pascanu, Mikolov & Bengio (2013,
Section 3.3) proposed a penalty that asks each step of backpropagation through time to keep
the size of the error signal: with :math:`v_t = \partial L / \partial h_t` (the whole gradient
reaching :math:`h_t`, from the loss at step t and from every later step),

.. math:: \Omega = \frac{1}{n} \sum_{t=2}^{T} \sum_{b}
          \Bigg( \frac{\lVert v_t \, \partial h_t / \partial h_{t-1} \rVert}
                      {\lVert v_t \rVert} - 1 \Bigg)^2 ,

the mean over the n (step, sequence) pairs where both norms are non-zero. In the book's
row-vector layout (:mod:`rnnlearn.rnn`), :math:`v_t\,\partial h_t/\partial h_{t-1}
= (v_t \odot \phi'(a_t))\, W_{hh}`. As in the paper, :math:`v_t` and :math:`\phi'(a_t)` are
held constant when differentiating, so the penalty's gradient reaches :math:`W_{hh}` only.
It is added, weighted by a factor :math:`\xi` (the paper's :math:`\lambda`; the book keeps
:math:`\lambda` for eigenvalues), to the loss gradient.

Kernels: :func:`norm_ratio_penalty` (the penalty and its gradient for given, frozen
:math:`v_t` and :math:`\phi'`) and :func:`pascanu_penalty` (the same from an RNN's forward
cache and the direct losses, computing :math:`v_t` by backpropagation through time).
"""
from __future__ import annotations

import numpy as np

from rnnlearn import rnn
from rnnlearn._checks import check_array

__all__ = ["norm_ratio_penalty", "pascanu_penalty"]

#: Norms at or below this count as zero: a (step, sequence) pair with a zero v_t or a zero
#: product is left out of the mean (its ratio is undefined).
TINY = 1e-12


def norm_ratio_penalty(weight_hh, vs, dphis):
    r"""The penalty :math:`\Omega` for given :math:`v_t` and :math:`\phi'(a_t)`, and its gradient.

    Parameters
    ----------
    weight_hh : ndarray, shape (H, H)
        :math:`W_{hh}`.
    vs : ndarray, shape (S, B, H)
        The error signals :math:`v_t = \partial L / \partial h_t` of the S steps penalised
        (constants).
    dphis : ndarray, shape (S, B, H)
        :math:`\phi'(a_t)` at those steps (constants).

    Returns
    -------
    omega : float
        The mean of :math:`(\lVert u_t \rVert / \lVert v_t \rVert - 1)^2` over the pairs
        (step, sequence) with both norms above :data:`TINY`; 0 if there are none.
    grads : dict
        ``{"weight_hh": dOmega/dW_hh}``, shape (H, H), with vs and dphis held constant.

    Equations
    ---------
    .. math:: u_t = (v_t \odot \phi'_t)\, W_{hh}, \quad r_t = \frac{\lVert u_t \rVert}
              {\lVert v_t \rVert}, \quad \Omega = \frac1n \sum (r_t - 1)^2, \quad
              \frac{\partial \Omega}{\partial W_{hh}} = \frac1n \sum
              \frac{2 (r_t - 1)}{\lVert v_t \rVert \lVert u_t \rVert}
              (v_t \odot \phi'_t)^\top u_t
    """
    weight_hh = check_array("weight_hh", weight_hh, "(H, H)")
    H = weight_hh.shape[0]
    weight_hh = check_array("weight_hh", weight_hh, "(H, H)", H=H)
    vs = check_array("vs", vs, "(S, B, H)", H=H)
    dphis = check_array("dphis", dphis, "(S, B, H)", S=vs.shape[0], B=vs.shape[1], H=H)
    a = vs * dphis  # (S, B, H)
    u = a @ weight_hh  # (S, B, H) v_t dh_t/dh_{t-1}
    nv = np.linalg.norm(vs, axis=2)  # (S, B)
    nu = np.linalg.norm(u, axis=2)
    ok = (nv > TINY) & (nu > TINY)
    n = int(ok.sum())
    if n == 0:
        return 0.0, {"weight_hh": np.zeros_like(weight_hh)}
    safe_v, safe_u = np.where(ok, nv, 1.0), np.where(ok, nu, 1.0)
    r = safe_u / safe_v
    omega = float(((r - 1.0) ** 2)[ok].sum() / n)
    coef = np.where(ok, 2.0 * (r - 1.0) / (safe_v * safe_u), 0.0) / n  # (S, B)
    S, B, _ = a.shape
    grad = (a * coef[:, :, None]).reshape(S * B, H).T @ u.reshape(S * B, H)  # (H, H)
    return omega, {"weight_hh": grad}


def pascanu_penalty(dhs, caches, dh_last=None):
    r"""Pascanu et al.'s penalty :math:`\Omega` of an RNN run, and its gradient on W_hh.

    Parameters
    ----------
    dhs : ndarray, shape (T, B, H)
        :math:`\partial L / \partial h_t` from the loss at each step alone (zeros where a step
        has no loss), as for :func:`rnnlearn.rnn.backward`.
    caches : rnnlearn.rnn.Cache
        From :func:`rnnlearn.rnn.forward`.
    dh_last : ndarray, shape (B, H), optional
        An extra gradient into :math:`h_T` from beyond the sequence.

    Returns
    -------
    omega : float
        The penalty over the steps t = 2..T (the Jacobians :math:`\partial h_t/\partial
        h_{t-1}` between states the network computes; :math:`h_0` is given).
    grads : dict
        ``{"weight_hh": dOmega/dW_hh}``, shape (H, H), with :math:`v_t` and :math:`\phi'`
        held constant; add ``xi * grads["weight_hh"]`` to the loss gradient.

    Equations
    ---------
    .. math:: v_T = \frac{\partial L}{\partial h_T}\Big|_{\text{direct}}, \quad
              v_{t-1} = \frac{\partial L}{\partial h_{t-1}}\Big|_{\text{direct}}
              + (v_t \odot \phi'_t)\, W_{hh}, \quad
              \Omega = \frac1n \sum_{t=2}^{T} \sum_b \Big(
              \frac{\lVert (v_t \odot \phi'_t) W_{hh} \rVert}{\lVert v_t \rVert} - 1\Big)^2
    """
    T, B, H = caches.hs.shape
    dhs = check_array("dhs", dhs, "(T, B, H)", T=T, B=B, H=H)
    v = (np.zeros((B, H)) if dh_last is None
         else check_array("dh_last", dh_last, "(B, H)", B=B, H=H))
    dphis = rnn.NONLINEARITIES[caches.nonlinearity][1](caches.hs)  # (T, B, H)
    vs = np.empty((T, B, H))
    for t in range(T - 1, -1, -1):  # vs[t] = dL/dh_{t+1} in the math's 1-based time
        vs[t] = dhs[t] + v
        v = (vs[t] * dphis[t]) @ caches.weight_hh
    return norm_ratio_penalty(caches.weight_hh, vs[1:], dphis[1:]) if T > 1 else (
        0.0, {"weight_hh": np.zeros_like(caches.weight_hh)})
