r"""Gradient checks of a whole layer at once: every input and parameter, or a sample of entries.

Used by the test of every ``*_backward`` kernel in the package (and importable as
``rnnlearn.gradcheck.check_layer``). :func:`check_layer` builds a random upstream gradient,
checks the layer's input and parameter gradients in one call against central differences, and
samples entries of large layers (cs231n's sparse check), judging each difference against the
noise of the central difference itself.
"""
from typing import NamedTuple

import numpy as np

from rnnlearn._checks import (check_callable, check_float, check_int, check_like, check_positive,
                              check_rng)
from rnnlearn.gradcheck import _EPS, _allowed, _entry, _partials_at, relative_error


class LayerCheckReport(NamedTuple):
    """Outcome of :func:`check_layer`; ``str(report)`` explains it, ``raise_if_failed`` asserts."""

    passed: bool
    worst_key: str  # array holding the worst entry: largest |analytic - numerical| / allowed
    worst_kind: str  # "input" or "parameter"
    worst_index: tuple  # that entry's index in its array
    analytic: float  # the backward pass's value there
    numerical: float  # its central difference with step h
    allowed: float  # the largest |analytic - numerical| that passes there
    ratios: dict  # key -> max |analytic - numerical| / allowed over its checked entries (<= 1)
    relative_errors: dict  # key -> relative_error of its checked entries
    n_failed: dict  # key -> number of its checked entries that fail
    checked: dict  # key -> flat (C-order) indices of its checked entries, sorted
    sizes: dict  # key -> number of entries of the array
    noise: float  # estimated roundoff noise of one central difference (see check_layer)
    rtol: float

    def __str__(self):
        n_checked = sum(len(flats) for flats in self.checked.values())
        entry = self.worst_key + _entry(self.worst_index)
        values = f"analytic {self.analytic:.10g}, numerical {self.numerical:.10g}"
        if self.passed:
            return (f"layer check passed: {n_checked} of {sum(self.sizes.values())} entries "
                    f"in {len(self.sizes)} arrays; worst entry {entry} at "
                    f"{self.ratios[self.worst_key]:.2g} of its tolerance ({values})")
        key = self.worst_key
        others = [k for k in self.n_failed if self.n_failed[k] and k != key]
        also = f"; also failing: {', '.join(map(repr, others))}" if others else ""
        gap = abs(self.analytic - self.numerical)
        return (f"layer check FAILED for {self.worst_kind} {key!r}: {self.n_failed[key]} of "
                f"{len(self.checked[key])} checked entries fail; worst entry {entry}: {values}, "
                f"difference {gap:.2e} > allowed {self.allowed:.2e} (relative error of "
                f"{key!r} {self.relative_errors[key]:.1e}, rtol {self.rtol:g}){also}")

    def raise_if_failed(self):
        """Raise ``AssertionError(str(self))`` if the check failed; else return ``self``."""
        if not self.passed:
            raise AssertionError(str(self))
        return self


def _as_outputs(result, what):
    if isinstance(result, np.ndarray):
        outputs = (result,)
    elif isinstance(result, tuple) and all(isinstance(y, np.ndarray) for y in result):
        outputs = result
    else:
        raise TypeError(f"{what} must be an ndarray or a tuple of ndarrays; got "
                        f"{type(result).__name__}")
    for y in outputs:
        if y.dtype != np.float64:
            raise TypeError(f"{what} must be float64 (gradient checks need it); got {y.dtype}")
    return outputs


def _call_forward(forward, inputs, params):
    result = forward(inputs, params)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("forward must return a pair (outputs, cache); got "
                        f"{type(result).__name__}")
    return _as_outputs(result[0], "forward's outputs"), result[1]


def _layer_arrays(inputs, params):
    """{key: (kind, array)} over inputs and params, validated."""
    arrays = {}
    for kind, name, group in (("input", "inputs", inputs), ("parameter", "params", params)):
        if not isinstance(group, dict):
            raise TypeError(f"{name} must be a dict of arrays; got {type(group).__name__}")
        for key, a in group.items():
            if not isinstance(key, str):
                raise TypeError(f"{name} keys must be str; got {key!r}")
            if key in arrays:
                raise ValueError(f"{key!r} is both an input and a parameter; rename one")
            if not (isinstance(a, np.ndarray) and a.dtype == np.float64):
                dtype = getattr(a, "dtype", type(a).__name__)
                raise TypeError(f"{name}[{key!r}] must be a float64 ndarray (gradient checks "
                                f"need float64; it is perturbed in place); got {dtype}")
            if not a.flags.writeable:
                raise ValueError(f"{name}[{key!r}] must be writeable (it is perturbed in place)")
            arrays[key] = (kind, a)
    if not any(a.size for _, a in arrays.values()):
        raise ValueError("inputs and params must hold at least one entry between them")
    return arrays


def _analytic(grads, group, name):
    """The backward pass's gradients for ``group`` as float64 copies (later calls cannot
    change them), checked to have its keys and shapes."""
    check_like(f"backward's d{name}", grads, group, name)
    return {key: np.array(g, dtype=np.float64) for key, g in grads.items()}


def _sample(grad, n_entries, rng):
    """Flat indices to check: all, or ``n_entries`` incl. the largest |grad|, the rest random."""
    if n_entries is None or n_entries >= grad.size:
        return np.arange(grad.size)
    top = int(np.argmax(np.abs(grad)))
    others = rng.choice(grad.size - 1, size=n_entries - 1, replace=False)
    others = others + (others >= top)  # skip top
    return np.sort(np.concatenate([[top], others])).astype(np.intp)


def check_layer(forward, backward, inputs, params, *, rng, n_entries=None, h=1e-5, rtol=1e-7):
    r"""Check a layer's backward pass against central differences: every input and parameter.

    Draws a random upstream gradient :math:`u_k` for each output :math:`y_k`, so that the
    backward pass is exercised on :math:`L = \sum_k \langle u_k, y_k \rangle`, runs ``backward``
    once, and compares each gradient entry with a central difference of :math:`L`.

    Parameters
    ----------
    forward : callable
        ``forward(inputs, params) -> (outputs, cache)``; ``outputs`` a float64 ndarray or a
        tuple of them. Called with the very dicts passed here, whose arrays are perturbed in
        place (and restored bit for bit).
    backward : callable
        ``backward(doutputs, cache) -> (dinputs, dparams)``, dicts with the keys of ``inputs``
        and ``params``; ``doutputs`` has the structure of ``outputs``. Adapt other signatures
        with a lambda, e.g. for ``dxs, dh0, grads = rnn.backward(dhs, caches)``::

            check_layer(lambda i, p: rnn.forward(i["xs"], i["h0"], p),
                        lambda dhs, c: (lambda dxs, dh0, g: ({"xs": dxs, "h0": dh0}, g))(
                            *rnn.backward(dhs, c)),
                        {"xs": xs, "h0": h0}, params, rng=rng).raise_if_failed()

        Inputs that are not differentiated (targets, labels) belong in the closure instead.
    inputs, params : dict[str, ndarray]
        float64 arrays of any shapes; no key in both. Either may be empty, not both.
    rng : numpy.random.Generator
        Draws the upstream gradients and the sampled entries.
    n_entries : int or None, optional
        Entries checked per array: None checks all; an int checks ``min(n_entries, size)``
        distinct entries of each array (cs231n's sparse check): always the entry with the
        largest analytic :math:`|g|` (it sets the array's scale below, and a bug that blows one
        entry up shows there), the others uniformly at random.
    h : float, optional
        Finite-difference step, > 0. Each checked entry costs four forward passes (steps
        ``h`` and ``2 h``).
    rtol : float, optional
        Relative tolerance, >= 0.

    Returns
    -------
    LayerCheckReport
        ``passed`` when every checked entry passes; names the worst entry and its array.

    Equations
    ---------
    With steps :math:`h` and :math:`2h`, the central difference of entry :math:`i` is

    .. math::

        n_i(h) = \frac{\hat L(\theta + h e_i) - \hat L(\theta - h e_i)}{2h}
               = g_i + \frac{h^2}{6} \partial_i^3 L + \rho_i(h), \qquad
        |\rho_i(h)| \lesssim \frac{\eta}{h},

    where :math:`\hat L` is :math:`L` as computed, with rounding error up to :math:`\eta`
    (about :math:`\varepsilon \sum_k \langle |u_k|, |y_k| \rangle` at best, more after
    cancellation inside the layer). The truncation term is :math:`-\tfrac13` of
    :math:`n_i(h) - n_i(2h)` and the roundoff of both is of the same order :math:`\eta / h`,
    so :math:`\nu_i = |n_i(h) - n_i(2h)|` estimates the noise of entry :math:`i`, and its
    median over all checked entries of all arrays (at least the best-case
    :math:`\varepsilon \sum_k \langle |u_k|, |y_k|\rangle / h`) the roundoff level
    :math:`\bar\nu` common to them. An entry passes when

    .. math::

        |a_i - n_i(h)| \le \mathrm{rtol} \cdot s + \nu_i + \kappa\, \bar\nu, \qquad
        s = \max_j |a_j| + \max_j |n_j(h)|, \quad \kappa = 10,

    with :math:`a` the analytic gradient and the maxima over the entry's array (checked
    entries for :math:`n`). For an ordinary gradient the noise terms are negligible and this
    is the familiar standard: no entry off by more than :math:`10^{-7}` of the array's size.
    A vanishing gradient (a deep sigmoid network's first layer, a long recurrence) is judged
    against the noise instead, which its error cannot beat. The allowance does not depend on
    :math:`a`, so a bug larger than the noise is still caught. The rounding of
    :math:`\theta \pm h` adds a relative error of about :math:`\varepsilon |\theta| / h`,
    covered by rtol while :math:`|\theta| \ll 10^4`.
    """
    check_callable("forward", forward, "(inputs, params)")
    check_callable("backward", backward, "(doutputs, cache)")
    arrays = _layer_arrays(inputs, params)
    check_rng(rng)
    if n_entries is not None:
        check_int("n_entries", n_entries, lo=1)
    check_positive("h", h)
    check_float("rtol", rtol, lo=0.0)
    outputs, cache = _call_forward(forward, inputs, params)
    upstream = tuple(rng.standard_normal(y.shape) for y in outputs)
    doutputs = tuple(u.copy() for u in upstream)
    result = backward(doutputs if len(doutputs) > 1 else doutputs[0], cache)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("backward must return a pair (dinputs, dparams); got "
                        f"{type(result).__name__}")
    analytic = {**_analytic(result[0], inputs, "inputs"),
                **_analytic(result[1], params, "params")}
    # sums of products, not np.vdot: a threaded BLAS dot is slow on a busy machine
    magnitude = sum(float(np.sum(np.abs(u * y))) for u, y in zip(upstream, outputs))

    def loss():
        ys = _as_outputs(forward(inputs, params)[0], "forward's outputs")
        return sum(float(np.sum(u * y)) for u, y in zip(upstream, ys))

    checked = {key: _sample(analytic[key], n_entries, rng) for key in arrays}
    numerical, numerical_2h = {}, {}
    for key, (_, a) in arrays.items():
        numerical[key] = _partials_at(loss, a, checked[key], h)
        numerical_2h[key] = _partials_at(loss, a, checked[key], 2 * h)
    spread = np.concatenate([np.abs(numerical[k] - numerical_2h[k]) for k in arrays])
    noise = max(float(np.median(spread)), _EPS * magnitude / h)
    ratios, relative_errors, n_failed, worst = {}, {}, {}, {}
    for key in arrays:
        a, n = analytic[key].ravel()[checked[key]], numerical[key]
        if not a.size:
            ratios[key], relative_errors[key], n_failed[key] = 0.0, 0.0, 0
            continue
        scale = np.max(np.abs(analytic[key])) + np.max(np.abs(n))
        allowed = _allowed(n, numerical_2h[key], rtol, scale, noise)
        gap = np.abs(a - n)
        ratio = np.nan_to_num(gap / np.maximum(allowed, 1e-300), nan=np.inf)
        k = int(np.argmax(ratio))
        ratios[key], n_failed[key] = float(ratio[k]), int(np.sum(ratio > 1))
        relative_errors[key] = relative_error(a, n)
        worst[key] = (k, float(allowed[k]))
    key = max(worst, key=lambda name: ratios[name])
    k, allowed = worst[key]
    index = tuple(int(i) for i in np.unravel_index(checked[key][k], analytic[key].shape))
    return LayerCheckReport(
        passed=not any(n_failed.values()), worst_key=key, worst_kind=arrays[key][0],
        worst_index=index, analytic=float(analytic[key][index]),
        numerical=float(numerical[key][k]), allowed=allowed, ratios=ratios,
        relative_errors=relative_errors, n_failed=n_failed, checked=checked,
        sizes={key: a.size for key, (_, a) in arrays.items()}, noise=noise, rtol=rtol)


def assert_layer_close(forward, backward, inputs, params, *, rng, n_entries=None, h=1e-5,
                       rtol=1e-7):
    """:func:`check_layer`, raising ``AssertionError(str(report))`` if it fails.

    Parameters
    ----------
    forward, backward, inputs, params, rng, n_entries, h, rtol
        As in :func:`check_layer`.

    Returns
    -------
    LayerCheckReport
        The (passing) report.
    """
    return check_layer(forward, backward, inputs, params, rng=rng, n_entries=n_entries, h=h,
                       rtol=rtol).raise_if_failed()
