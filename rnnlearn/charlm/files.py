r"""Saving and loading a char-LM as one ``.npz`` file of plain arrays (``allow_pickle=False``).

A file holds ``format`` (0-d int, :data:`FORMAT`), ``vocab`` (V,) the characters' code points
(int32), ``config.<field>`` one 0-d array per field of :class:`~rnnlearn.charlm.model.Config`
(int, float or str), ``params.<key>`` the weights in float32 (loaded as float64), and, for a
trained model, ``curve.<field>`` (K,) the learning curve of
:class:`~rnnlearn.charlm.model.Curve`. :func:`load` checks everything it reads and names what
is wrong: a missing file, a file numpy cannot read (corrupted, truncated, not an ``.npz`` or
holding objects), a missing key, or an array whose shape does not fit the vocabulary and H.
"""
from __future__ import annotations

import os
import pathlib
import zipfile
import zlib
from dataclasses import fields

import numpy as np

from rnnlearn.charlm.model import GATES, Config, Curve, Model
from rnnlearn.corpus import Vocab

FORMAT = 1  #: the file layout's version
#: the pretrained LSTM that ships with the package (``scripts/train_charlm.py`` makes it)
PRETRAINED = pathlib.Path(__file__).resolve().parents[1] / "data" / "charlm_lstm.npz"
_KINDS = {int: "iu", float: "iuf", str: "U"}  # the array kinds each Config field type accepts


def _path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path; got {type(path).__name__}")
    return pathlib.Path(path)


def expected_shapes(V, H, cell):
    """The shape of every weight of a char-LM.

    Parameters
    ----------
    V, H : int
    cell : {"lstm", "gru", "rnn"}

    Returns
    -------
    dict of str to tuple
        ``weight_ih (G*H, V)``, ``weight_hh (G*H, H)``, ``bias_ih``, ``bias_hh (G*H,)``,
        ``head.weight (V, H)``, ``head.bias (V,)``; G = 4, 3, 1 for lstm, gru, rnn.
    """
    G = GATES[cell]
    return {"weight_ih": (G * H, V), "weight_hh": (G * H, H), "bias_ih": (G * H,),
            "bias_hh": (G * H,), "head.weight": (V, H), "head.bias": (V,)}


def save(path, model):
    """Write ``model`` to ``path`` (compressed ``.npz``; weights stored as float32).

    Parameters
    ----------
    path : str or os.PathLike
        numpy adds ``.npz`` if the name lacks it.
    model : rnnlearn.charlm.model.Model
    """
    path = _path(path)
    if not isinstance(model, Model):
        raise TypeError(f"model must be a charlm Model; got {type(model).__name__}")
    config, vocab = model.config, model.vocab
    shapes = expected_shapes(vocab.size, config.H, config.cell)
    if set(model.params) != set(shapes):
        raise ValueError(f"model.params must have the keys {sorted(shapes)}; "
                         f"got {sorted(model.params)}")
    arrays = {"format": np.array(FORMAT),
              "vocab": np.array([ord(c) for c in vocab.chars], dtype=np.int32)}
    for field in fields(Config):
        arrays[f"config.{field.name}"] = np.array(getattr(config, field.name))
    for key, shape in shapes.items():
        value = np.asarray(model.params[key])
        if value.shape != shape:
            raise ValueError(f"model.params[{key!r}] must have shape {shape} for V = "
                             f"{vocab.size}, H = {config.H}; got {value.shape}")
        arrays[f"params.{key}"] = value.astype(np.float32)
    if model.curve is not None:
        for name, value in zip(Curve._fields, model.curve):
            arrays[f"curve.{name}"] = np.asarray(value)
    np.savez_compressed(path, **arrays)


def _read(path):
    """Every array of the file, or a clear error."""
    if not path.is_file():
        raise FileNotFoundError(f"no char-LM model file at {path}")
    try:
        f = np.load(path, allow_pickle=False)
        if not isinstance(f, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not an .npz archive")
        with f:
            return {key: np.array(f[key]) for key in f.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(f"{path} is not a readable char-LM .npz file (corrupted, truncated or "
                         f"holding objects): {error}") from None


def _require(path, arrays, keys):
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(f"{path} is missing the key(s) {missing}: not a complete char-LM file")


def load(path):
    """Read a model written by :func:`save`, checking every array.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    rnnlearn.charlm.model.Model
        Weights as float64; ``curve`` None if the file has none.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is corrupted or not an ``.npz``; a key is missing; a setting is invalid; a
        weight's shape does not match V and H (the message names the key and both shapes).
    """
    path = _path(path)
    arrays = _read(path)
    _require(path, arrays, ["format", "vocab"] + [f"config.{f.name}" for f in fields(Config)])
    if arrays["format"].shape != () or int(arrays["format"]) != FORMAT:
        raise ValueError(f"{path} has format {arrays['format']}; this rnnlearn reads {FORMAT}")
    settings = {}
    for field in fields(Config):
        value, kind = arrays[f"config.{field.name}"], type(field.default)
        if value.shape != () or value.dtype.kind not in _KINDS[kind]:
            raise ValueError(f"{path}: config.{field.name} must be a 0-d {kind.__name__} array; "
                             f"got dtype {value.dtype}, shape {value.shape}")
        settings[field.name] = kind(value.item())
    try:
        config = Config(**settings)
        codes = arrays["vocab"]
        if codes.ndim != 1 or codes.dtype.kind not in "iu":
            raise ValueError(f"vocab must be a 1-d int array; got {codes.dtype} {codes.shape}")
        vocab = Vocab("".join(chr(c) for c in codes.tolist()))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path} holds an invalid setting: {error}") from None
    shapes = expected_shapes(vocab.size, config.H, config.cell)
    _require(path, arrays, [f"params.{key}" for key in shapes])
    params = {}
    for key, shape in shapes.items():
        value = arrays[f"params.{key}"]
        if value.shape != shape or value.dtype.kind != "f":
            raise ValueError(f"{path}: params.{key} has shape {value.shape} (dtype {value.dtype});"
                             f" a {config.cell} with V = {vocab.size}, H = {config.H} needs a "
                             f"float array of shape {shape}")
        params[key] = value.astype(np.float64)
    curve = None
    if any(key.startswith("curve.") for key in arrays):
        names = [f"curve.{name}" for name in Curve._fields]
        _require(path, arrays, names)
        values = [arrays[name] for name in names]
        if any(v.ndim != 1 or len(v) != len(values[0]) for v in values):
            raise ValueError(f"{path}: the curve arrays {names} must be 1-d and of one length; "
                             f"got shapes {[v.shape for v in values]}")
        curve = Curve(*values)
    return Model(params, vocab, config, curve)


def load_pretrained():
    """The LSTM language model shipped with the package (:data:`PRETRAINED`).

    Returns
    -------
    rnnlearn.charlm.model.Model
    """
    if not PRETRAINED.is_file():
        raise FileNotFoundError(f"the pretrained char-LM {PRETRAINED} is missing: make it with "
                                "`python scripts/train_charlm.py` (about 20 minutes)")
    return load(PRETRAINED)
