"""Cached results shipped with the package: training runs too long to repeat in a chapter.

Each result is a ``rnnlearn/data/<name>.npz`` file of plain arrays (strings, numbers, no
objects), made by a script in ``scripts/`` that reproduces it exactly from fixed seeds; a unit
test re-runs a short prefix of each and compares it with the file. A chapter reads one with
:func:`load` and states what it shows (the counts it quotes are asserted in hidden cells).

====================  ===============================================  ==========================
name                  what it holds                                    made by (run time)
====================  ===============================================  ==========================
wrec_training         tanh RNNs (H = 16) on the delay task (m = 15,    scripts/train_wrec.py
                      T = 30) from W_hh = rho Q, rho in 0.5..3, Adam   (about 1.5 min)
                      or SGD, clipping off or at 1, seeds 0-4: block
                      mean loss and block max gradient norm over 500
                      steps (the data of TrainingExplorer)
adding_t50            the adding problem with T = 50: tanh RNNs        scripts/adding_t50.py
                      (uniform, orthogonal, identity W_hh) and the     (about 3 min)
                      IRNN (ReLU, W_hh = I), H = 32, 2000 steps of
                      Adam(1e-3) with clip 1, seeds 0-4: training
                      curves and test losses
bptt_copy_truncation  truncated (K = 8) against full BPTT on the copy  scripts/bptt_copy_
                      task (book/bptt.ipynb)                           truncation.py (under 1 min)
gradients_runs        delay-task runs of book/gradients.ipynb: SGD     scripts/gradients_runs.py
                      with clipping off and on over rho; Pascanu's     (about 2 min)
                      penalty
adding_gated          the adding problem with T = 50 for the tanh      scripts/adding_gated.py
                      RNN, LSTM (nn.LSTM init, forget bias 1), GRU     (about 9 min)
                      and Greff et al.'s 8 LSTM variants, H = 32,
                      2000 steps of Adam(1e-2) with clip 1, seeds
                      0-2: test MSE curves, solved steps, trained
                      parameters of seed 0 (book/lstm, book/gru)
charlm_stages         the char-LM's first 1000 training steps (the     scripts/charlm_stages.py
                      shipped model's settings and steps): at 14       (about 4 min)
                      stages the validation bits per char, a sample
                      at tau = 1 (first 400 characters) and the
                      textstats profile of a 20,000-character one
                      (spaces, corpus words, commas, brackets), with
                      the training and validation texts' profiles
                      (book/charlm)
====================  ===============================================  ==========================

Run times are for one core (``OPENBLAS_NUM_THREADS=1``) of the book's 2-core build machine,
with other work running; the arrays each file holds are listed in its script's docstring.
"""
from __future__ import annotations

import pathlib

import numpy as np

DATA = pathlib.Path(__file__).resolve().parent / "data"
#: Every cached result: name -> the script (relative to the repository) that makes it.
SCRIPTS = {"wrec_training": "scripts/train_wrec.py", "adding_t50": "scripts/adding_t50.py",
           "bptt_copy_truncation": "scripts/bptt_copy_truncation.py",
           "gradients_runs": "scripts/gradients_runs.py",
           "adding_gated": "scripts/adding_gated.py",
           "charlm_stages": "scripts/charlm_stages.py"}


def names() -> list[str]:
    """The names of the cached results, in the order of the module docstring's table."""
    return list(SCRIPTS)


def _check_name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; got {type(name).__name__}")
    if name not in SCRIPTS:
        raise ValueError(f"no cached result named {name!r}; the available ones are "
                         f"{', '.join(names())}")
    return name


def path(name) -> pathlib.Path:
    """The file of the cached result ``name`` (``rnnlearn/data/<name>.npz``).

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    pathlib.Path
    """
    return DATA / f"{_check_name(name)}.npz"


def load(name) -> dict[str, np.ndarray]:
    """The arrays of the cached result ``name``, read without pickle.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    dict of str to ndarray
        Every array of the file, copied out (the file is closed on return); settings are 0-d
        arrays (``float(d["lr"])``), names are str arrays.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the available ones), or a file that would need
        pickle (an object array).
    """
    with np.load(path(name), allow_pickle=False) as f:
        return {key: np.array(f[key]) for key in f.files}
