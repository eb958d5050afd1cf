r"""The char-LM itself: its settings, weights, forward pass, loss and evaluation.

One-hot characters x_t (V,) enter one recurrent layer (:mod:`rnnlearn.seqmodel`: cell "lstm",
:mod:`rnnlearn.lstm` with forget bias 1, by default; "gru" or "rnn" on request); a linear
read-out gives V logits

    z_t = h_t W_head^T + b_head,     p(x_{t+1} = c | x_1..x_t) = softmax(z_t)_c,

and the loss is the mean cross-entropy in nats per character (:func:`to_bits`: divide by ln 2).
A state is what the layer carries between steps: h (B, H), or the pair (h, c) for an LSTM.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rnnlearn import losses, optim, seqmodel
from rnnlearn._checks import (check_array, check_choice, check_int, check_keys, check_positive,
                              check_rng)
from rnnlearn.corpus import Vocab

CELLS = ("lstm", "gru", "rnn")  #: the recurrent layers a char-LM may use
GATES = {"lstm": 4, "gru": 3, "rnn": 1}  #: G: row blocks of weight_ih and weight_hh
DTYPES = ("float64", "float32")  #: training dtypes (weights are saved as float32 either way)
LN2 = float(np.log(2.0))


@dataclass(frozen=True)
class Config:
    """How a char-LM is built and trained; saved with the model. The defaults are the shipped
    model's (scripts/train_charlm.py)."""

    H: int = 256  # hidden units of the recurrent layer
    cell: str = "lstm"  # "lstm" (forget-gate bias 1), "gru" or "rnn" (tanh)
    seq_len: int = 50  # T: time steps per chunk of truncated BPTT
    batch_size: int = 16  # B: contiguous rows the training stream is cut into
    optimizer: str = "adam"  # a name of rnnlearn.optim.OPTIMIZERS, e.g. "adam" or "adagrad"
    lr: float = 3e-3  # learning rate
    clip: float = 5.0  # the global gradient norm is clipped to this
    seed: int = 0  # seeds numpy.random.default_rng for the initial weights
    dtype: str = "float64"  # the training dtype, "float64" or "float32" (faster)

    def __post_init__(self):
        checked = {"H": check_int("H", self.H, lo=1),
                   "cell": str(check_choice("cell", self.cell, CELLS)),
                   "seq_len": check_int("seq_len", self.seq_len, lo=1),
                   "batch_size": check_int("batch_size", self.batch_size, lo=1),
                   "optimizer": str(check_choice("optimizer", self.optimizer, optim.OPTIMIZERS)),
                   "lr": check_positive("lr", self.lr), "clip": check_positive("clip", self.clip),
                   "seed": check_int("seed", self.seed, lo=0),
                   "dtype": str(check_choice("dtype", self.dtype, DTYPES))}
        for name, value in checked.items():  # plain int, float, str (numpy scalars converted)
            object.__setattr__(self, name, value)


class Curve(NamedTuple):
    """The learning curve recorded by :func:`train`, one entry per evaluation."""

    steps: np.ndarray  # (K,) steps taken when evaluated (the first entry: 0, before training)
    seconds: np.ndarray  # (K,) training wall time by then (evaluations excluded)
    train_nats: np.ndarray  # (K,) mean training loss of the steps since the last entry (nan at 0)
    valid_nats: np.ndarray  # (K,) validation loss, nats per character


class Model(NamedTuple):
    """A char-LM: what :func:`save` writes and :func:`load` returns."""

    params: dict  # seqmodel's keys for the cell, head.weight (V, H), head.bias (V,)
    vocab: Vocab
    config: Config
    curve: Curve | None  # None if never trained with a validation text


def to_bits(nats):
    r"""A loss in bits: nats / ln 2.

    Parameters
    ----------
    nats : float or ndarray, shape (...)

    Returns
    -------
    float or ndarray, shape (...)
    """
    return np.asarray(nats, dtype=np.float64) / LN2 if np.ndim(nats) else float(nats) / LN2


def init_params(V, H, rng, *, cell="lstm"):
    """Weights of a char-LM (float64): seqmodel's for the cell, forget bias 1 for an LSTM.

    Parameters
    ----------
    V, H : int
        Vocabulary size (inputs and outputs) and hidden size, >= 1.
    rng : numpy.random.Generator
    cell : {"lstm", "gru", "rnn"}

    Returns
    -------
    params : dict of str to ndarray
        ``weight_ih (G*H, V)``, ``weight_hh (G*H, H)``, ``bias_ih``, ``bias_hh (G*H,)`` (G = 4,
        3, 1), ``head.weight (V, H)``, ``head.bias (V,)``.
    """
    check_choice("cell", cell, CELLS)
    V = check_int("V", V, lo=1)
    extra = {"forget_bias": 1.0} if cell == "lstm" else {}
    return seqmodel.init_model(V, H, V, check_rng(rng), cell=cell, **extra)


def one_hot(ids, V, dtype=np.float64):
    """One-hot vectors of an id array.

    Parameters
    ----------
    ids : ndarray of int, shape (T, B)
        Each in [0, V).
    V : int
    dtype : numpy dtype

    Returns
    -------
    xs : ndarray, shape (T, B, V)
    """
    ids = _ids("ids", ids, check_int("V", V, lo=1))
    xs = np.zeros(ids.shape + (V,), dtype)
    np.put_along_axis(xs, ids[..., None], 1.0, axis=-1)
    return xs


def _final_state(cache):
    """The state after the last step of a seqmodel forward: (h, c) for an LSTM, else h."""
    hs = cache.cell.hs  # copies: the state carried on does not keep the cache alive
    return (hs[-1].copy(), cache.cell.cs[-1].copy()) if cache.kind == "lstm" else hs[-1].copy()


def _ids(name, ids, V):
    ids = check_array(name, ids, "(T, B)", dtype="int")
    if ids.size == 0 or ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"{name} must be a non-empty array of ids in [0, {V})")
    return ids


def forward(ids, params, state=None, *, cell="lstm"):
    r"""The logits of every step, and the state after the last.

    Parameters
    ----------
    ids : ndarray of int, shape (T, B)
        Input characters, each in [0, V).
    params : dict of str to ndarray
        As made by :func:`init_params`; V is ``head.bias``'s length.
    state : ndarray, shape (B, H), or pair of them, or None
        The state before step 1 (an LSTM's is (h, c)); None means zeros.
    cell : {"lstm", "gru", "rnn"}

    Returns
    -------
    logits : ndarray, shape (T, B, V)
    state : ndarray, shape (B, H), or pair of them
        The state after step T, to carry into the next chunk.
    cache : rnnlearn.seqmodel.ModelCache

    Equations
    ---------
    .. math:: z_t = h_t W_{\text{head}}^\top + b_{\text{head}}, \qquad
              h_t = \text{cell}(x_t, h_{t-1}), \ x_t = \text{onehot}(\text{ids}_t)
    """
    check_choice("cell", cell, CELLS)
    check_keys("params", params, seqmodel.HEAD_KEYS)
    V = np.shape(params["head.bias"])[0]
    xs = one_hot(ids, V, np.result_type(params["weight_hh"], np.float32))
    logits, cache = seqmodel.model_forward(xs, params, h0=state, cell=cell, output="all")
    return logits, _final_state(cache), cache


def loss_and_grads(params, ids, targets, state=None, *, cell="lstm"):
    r"""Mean cross-entropy of the next characters, its gradient, and the state after the chunk.

    Parameters
    ----------
    params : dict of str to ndarray
    ids, targets : ndarray of int, shape (T, B)
        Inputs and the characters that follow them (targets[t] = ids[t + 1] in a stream).
    state : ndarray, shape (B, H), or pair of them, or None
        Carried in from the previous chunk; treated as a constant (no gradient to it).
    cell : {"lstm", "gru", "rnn"}

    Returns
    -------
    loss : float
        Nats per character, the mean over the T * B predictions.
    grads : dict of str to ndarray
        Keyed like params.
    state : ndarray, shape (B, H), or pair of them
        After step T (plain arrays: "detached").

    Equations
    ---------
    .. math:: L = -\frac{1}{TB} \sum_{t, b} \log \operatorname{softmax}(z_{t,b})_{y_{t,b}},
              \qquad \frac{\partial L}{\partial z_{t,b}} = \frac{p_{t,b} - e_{y_{t,b}}}{TB}
    """
    logits, state_T, cache = forward(ids, params, state, cell=cell)
    T, B, V = logits.shape
    targets = _ids("targets", targets, V)
    if targets.shape != (T, B):
        raise ValueError(f"targets must have the shape of ids {(T, B)}; got {targets.shape}")
    loss, loss_cache = losses.softmax_cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    dlogits = losses.softmax_cross_entropy_backward(loss_cache).reshape(T, B, V)
    _, _, grads = seqmodel.model_backward(dlogits, cache)
    return loss, grads, state_T


def evaluate(params, ids, *, cell="lstm", chunk=500, state=None):
    r"""Mean cross-entropy of a text, read as one row with the state carried throughout.

    Parameters
    ----------
    params : dict of str to ndarray
    ids : ndarray of int, shape (N,)
        N >= 2: the first N - 1 characters predict the last N - 1.
    cell : {"lstm", "gru", "rnn"}
    chunk : int
        Steps per forward call (memory only: the result does not depend on it).
    state : ndarray, shape (1, H), or pair of them, or None
        The state before the first character (zeros by default).

    Returns
    -------
    float
        Nats per character; :func:`to_bits` gives bits.

    Equations
    ---------
    .. math:: L = -\frac{1}{N-1} \sum_{n=1}^{N-1} \log p(x_{n+1} \mid x_1, \dots, x_n)
    """
    ids = check_array("ids", ids, "(N,)", dtype="int")
    if len(ids) < 2:
        raise ValueError(f"ids must hold at least 2 characters; got {len(ids)}")
    chunk = check_int("chunk", chunk, lo=1)
    total = 0.0
    for start in range(0, len(ids) - 1, chunk):
        x = ids[start:start + chunk][:len(ids) - 1 - start]
        logits, state, _ = forward(x[:, None], params, state, cell=cell)
        y = ids[start + 1:start + 1 + len(x)]
        loss, _ = losses.softmax_cross_entropy(logits[:, 0], y)
        total += loss * len(x)
    return total / (len(ids) - 1)


def new_model(vocab, config):
    """A char-LM before training: weights from ``default_rng(config.seed)``, in config.dtype.

    Parameters
    ----------
    vocab : Vocab
    config : Config

    Returns
    -------
    Model
        With ``curve`` None.
    """
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a Vocab; got {type(vocab).__name__}")
    if not isinstance(config, Config):
        raise TypeError(f"config must be a charlm.Config; got {type(config).__name__}")
    params = init_params(vocab.size, config.H, np.random.default_rng(config.seed),
                         cell=config.cell)
    return Model({k: v.astype(config.dtype) for k, v in params.items()}, vocab, config, None)
