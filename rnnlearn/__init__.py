r"""rnnlearn: numpy kernels and interactive explorers for the rnnlearn textbook.

Every module is reachable as an attribute, imported on first use, so ``import rnnlearn`` stays
cheap (it imports nothing else; matplotlib only with ``plotting`` or ``explorers``)::

    import rnnlearn
    rnnlearn.optim.Adam(lr=1e-3)          # imports rnnlearn.optim now
    from rnnlearn import mlp, training    # the same modules

``rnnlearn.__all__`` (and ``dir(rnnlearn)``) lists them. Kernels never import matplotlib; only
``plotting`` and ``explorers`` do.

Conventions shared by every module (DESIGN.md section 2)
--------------------------------------------------------
Weight layout.
    The MLP (:mod:`rnnlearn.mlp`) computes ``x @ W + b`` with ``W`` of shape ``(n_in, n_out)``,
    the book's notation for feed-forward nets. Every *recurrent* kernel (``rnn``, ``esn``,
    ``lstm``, ``gru``) instead uses PyTorch's names and ``(out, in)`` layout, ``weight_ih``
    ``(G*H, D)``, ``weight_hh`` ``(G*H, H)``, ``bias_ih`` and ``bias_hh`` ``(G*H,)``, computing
    ``x @ weight_ih.T + h @ weight_hh.T + bias_ih + bias_hh`` (LSTM gate rows i, f, g, o; GRU
    rows r, z, n), so weights copied from ``torch.nn.RNN`` / ``LSTM`` / ``GRU`` give the same
    numbers. Sequences are time-major: ``xs`` of shape ``(T, B, D)``.
Parameters and gradients.
    Plain ``dict[str, ndarray]`` with the same keys, so any optimiser in :mod:`rnnlearn.optim`,
    :func:`rnnlearn.training.fit` and :mod:`rnnlearn.gradcheck` work on any model.
Caches.
    NamedTuples of arrays (an activation's name at most), never callables. Backward passes of
    gates use the outputs: :func:`rnnlearn.activations.sigmoid_grad_from_output` and friends.
The learning rate is ``lr`` everywhere
    (optimisers, :mod:`rnnlearn.rates`, ``fit``, the explorers' controls); the formulas call it
    alpha.
Argument order.
    A kernel takes the data first, then what it needs to compute, then options:
    ``forward(x, params, activation)``, ``backward(dout, caches)``,
    ``step_forward(x, h_prev, params)``. A function that is differentiated or optimised over
    the parameters takes ``params`` first, so it drops into ``loss_fn(params)`` or
    ``step(params, batch)``: ``loss_and_grads(params, x, y)``, ``train(params, x, y, ...)``.
    Options have defaults; new ones are keyword-only. Randomness is passed in as
    ``rng: numpy.random.Generator``, the last required argument (``init_params(sizes, rng)``,
    ``two_moons(n, noise, rng)``) or a keyword when optional (``train(..., rng=None)``); never
    global state.
Validation and dtypes.
    Public functions check their inputs with :mod:`rnnlearn._checks`: ``TypeError`` for a wrong
    type (a bool is not an int), ``ValueError`` for a wrong value or shape, naming expected and
    actual. Arrays follow one dtype rule (stated there): float32 and float64 are kept, other
    real input becomes float64; the package's own parameters are float64.
"""
import importlib

__version__ = "0.1.0"

#: The public modules, imported on first attribute access. Adding a module is one line here.
_MODULES = (
    "activations",
    "autodiff",
    "calculus",
    "charlm",
    "cliff",
    "corpus",
    "datasets",
    "esn",
    "exercises",
    "explorers",
    "gradcheck",
    "gru",
    "layercheck",
    "landscapes",
    "losses",
    "lstm",
    "mlp",
    "optim",
    "penalties",
    "plotting",
    "rates",
    "results",
    "rnn",
    "seqmodel",
    "tasks",
    "textstats",
    "training",
)

__all__ = list(_MODULES)


def __getattr__(name):
    if name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module  # later accesses skip this function
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_MODULES))
