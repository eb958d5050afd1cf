"""Precompute rnnlearn/data/charlm_stages.npz: what the char-LM writes at stages of its training.

The data of the section "Samples at stages of training" of the chapter "A character-level
language model". It trains the shipped model's configuration (``scripts/train_charlm.py``'s
CONFIG, read from that file: one LSTM layer of H = 256, T = 50, B = 16, Adam lr 3e-3, clip 5,
seed 0, float64) for the first N_STEPS = 1000 of its steps, the very same steps as the shipped
run (the training is deterministic and the evaluations do not touch it), and at each step of
:data:`STAGES` it

- measures the validation loss (the whole validation text, state carried) in bits per char;
- writes a sample at temperature 1 from ``default_rng(SAMPLE_SEED)``, primed with
  :data:`PRIME` (the separator between two topics: the sample starts a new topic), and keeps
  its first SHOWN characters;
- profiles a longer sample (N_PROFILE characters, the same seed and prime) with
  :func:`rnnlearn.textstats.profile`, the words counted as real being the training text's.

Writes (loaded with allow_pickle=False): stages (S,) int; valid_bits (S,); samples (S,) str (the
first SHOWN characters); for each field of :class:`rnnlearn.textstats.Profile` an (S,) array
``profile_<field>`` of the samples and two 0-d arrays ``train_<field>`` and ``valid_<field>``
of the training and validation texts; the settings as 0-d arrays (H, seq_len, batch_size, lr,
clip, seed, dtype, cell, optimizer, n_steps, sample_seed, prime, n_profile, shown, tau).

Run (about 4 min on one core of the 2-core build machine, others working):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/charlm_stages.py [--out PATH]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as documented

import numpy as np  # noqa: E402

from rnnlearn import charlm, corpus, textstats  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "rnnlearn/data/charlm_stages.npz"
#: The optimiser steps after which the model is measured (0: before training).
STAGES = (0, 10, 20, 30, 50, 70, 100, 150, 200, 300, 400, 500, 700, 1000)
N_STEPS = STAGES[-1]
EVERY = 10  #: the training loop's evaluation interval (every stage is a multiple of it)
PRIME = corpus.SEPARATOR  #: "\n\n\n": what comes before a topic's title
SAMPLE_SEED, TAU = 1, 1.0
SHOWN, N_PROFILE = 400, 20_000  #: characters kept for display, and profiled


def shipped_config():
    """The shipped model's CONFIG, read from scripts/train_charlm.py."""
    spec = importlib.util.spec_from_file_location("train_charlm", ROOT / "scripts/train_charlm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CONFIG


def run(stages=STAGES, config=None, n_profile=N_PROFILE, progress=True):
    """Train for ``stages[-1]`` steps and measure the model at each of ``stages``.

    Parameters
    ----------
    stages : tuple of int
        Increasing multiples of EVERY, the first 0 (a prefix of STAGES gives a prefix of the
        results).
    config : rnnlearn.charlm.Config or None
        None: the shipped model's.
    n_profile : int
        Characters of each profiled sample.
    progress : bool

    Returns
    -------
    dict of str to ndarray
        The arrays of the cached file, settings included.
    """
    config = shipped_config() if config is None else config
    if stages[0] != 0 or any(s % EVERY for s in stages) or list(stages) != sorted(set(stages)):
        raise ValueError(f"stages must increase from 0 in multiples of {EVERY}; got {stages}")
    text = corpus.load_corpus()
    vocab = charlm.Vocab.from_text(text.train)
    model = charlm.new_model(vocab, config)
    known = textstats.vocabulary(text.train)
    valid_ids = vocab.encode(text.valid)
    rows = []

    def measure(row):
        step = int(row[0])
        if step not in stages:
            return
        start = time.perf_counter()
        bits = charlm.to_bits(charlm.evaluate(model.params, valid_ids, cell=config.cell))
        long = charlm.sample(model, PRIME, n_profile, np.random.default_rng(SAMPLE_SEED),
                             tau=TAU)
        rows.append((step, bits, long[:SHOWN], textstats.profile(long, known)))
        if progress:
            print(f"step {step:5d}: validation {bits:.3f} bits/char, "
                  f"{time.perf_counter() - start:.1f} s; {long[:70]!r}", flush=True)

    # The loop evaluates a short excerpt every EVERY steps (cheap); ``measure`` does the rest.
    charlm.train(model.params, vocab.encode(text.train), config, steps=stages[-1],
                 valid_ids=valid_ids[:200], eval_every=EVERY, progress=False,
                 on_evaluate=measure)
    out = {"stages": np.array([r[0] for r in rows], dtype=np.int64),
           "valid_bits": np.array([r[1] for r in rows]),
           "samples": np.array([r[2] for r in rows])}
    for k, field in enumerate(textstats.Profile._fields):
        out[f"profile_{field}"] = np.array([r[3][k] for r in rows])
    for name, reference in (("train", text.train), ("valid", text.valid)):
        for field, value in zip(textstats.Profile._fields, textstats.profile(reference, known)):
            out[f"{name}_{field}"] = np.array(value)
    settings = {f: getattr(config, f) for f in ("H", "seq_len", "batch_size", "lr", "clip",
                                                "seed", "dtype", "cell", "optimizer")}
    settings.update(n_steps=stages[-1], sample_seed=SAMPLE_SEED, prime=PRIME,
                    n_profile=n_profile, shown=SHOWN, tau=TAU)
    out.update({key: np.array(value) for key, value in settings.items()})
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = run()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
