"""Train the pretrained char-LM, rnnlearn/data/charlm_lstm.npz, from the corpus.

The model of the chapter "A character-level language model": one LSTM layer (nn.LSTM's cell,
forget-gate bias 1) of H units with a linear read-out, trained on the training topics of
:func:`rnnlearn.corpus.load_corpus` (412,104 characters, V = 103) by truncated BPTT
(:func:`rnnlearn.charlm.train`: B rows, chunks of T steps, the state carried), with Adam and the
global gradient norm clipped, in float64 (the file stores float32 weights). The settings are
:data:`CONFIG` and :data:`STEPS`; the seed fixes the initial weights and nothing else is random. The validation loss of the whole validation text (53,097 characters,
one row, state carried) is measured every :data:`EVAL_EVERY` steps, printed, and saved in the
file as the curve (steps, seconds of training, training and validation nats per character).

Target (issue 10): validation loss at least 40 % below the corpus's unigram entropy
(4.689 bits per character, so 2.813 or less), within about 20 minutes on one core.

Why these settings (float32 trials of 120 s to 15 min, one core with other work running):
small chunks train faster per second (B = 16, T = 50, lr 3e-3: 2.354 bits/char after 120 s,
against 2.506 with B = 32, T = 100, lr 4e-3), and the validation loss bottoms out at about
2.27 after 3,500-4,500 steps, then rises as the model learns the training text by heart
(2.304 at 5,000, 2.367 at 6,500). With B = 32, T = 100, lr 2e-3 the best was 2.314, after
3,300 steps of four times the characters. Halving the learning rate every 1,000 or 2,000
steps only slowed the descent (2.448 and 2.350 after 3,000 steps, against 2.304 at a constant
rate). The full run here: see the curve in the file (float64: 2.286 bits/char after 4,000
steps, 315 s of training and 473 s in all, one core of the 2-core machine, others working).

Run (one core; the progress lines show the loss, bits per character and characters/s):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/train_charlm.py [--steps N] [--out PATH]
--steps N trains only the first N steps (a test re-runs a prefix and compares it with the
stored curve); --out writes elsewhere than the shipped file.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as documented

import numpy as np  # noqa: E402

from rnnlearn import charlm, corpus  # noqa: E402

#: The shipped model's settings.
CONFIG = charlm.Config(H=256, cell="lstm", seq_len=50, batch_size=16, optimizer="adam",
                       lr=3e-3, clip=5.0, seed=0, dtype="float64")
STEPS = 4000  #: optimiser steps of the full run (each B * T = 800 characters)
EVAL_EVERY = 100  #: steps between two validation measurements


def run(steps=STEPS, config=CONFIG, eval_every=EVAL_EVERY, progress=True, out=None):
    """Train the model for ``steps`` steps; return it (with its curve) and the history.

    Parameters
    ----------
    steps : int
        A prefix of the full run when less than STEPS: the same steps, in the same order.
    config : rnnlearn.charlm.Config
    eval_every : int
    progress : bool
        Print the shared loop's progress and every evaluation.
    out : path or None
        Where to save the model (None: not saved).
    """
    text = corpus.load_corpus()
    vocab = charlm.Vocab.from_text(text.train)
    model = charlm.new_model(vocab, config)

    def show(row):
        step, seconds, train_nats, valid_nats = row
        train = "  -  " if np.isnan(train_nats) else f"{charlm.to_bits(train_nats):.3f}"
        print(f"step {step:5d}  {seconds:7.1f} s  train {train}  "
              f"valid {charlm.to_bits(valid_nats):.3f} bits/char", flush=True)

    _, curve = charlm.train(model.params, vocab.encode(text.train), config, steps=steps,
                            valid_ids=vocab.encode(text.valid), eval_every=eval_every,
                            progress=progress, on_evaluate=show if progress else None)
    model = model._replace(curve=curve)
    if out is not None:
        charlm.save(out, model)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help=f"default {STEPS}")
    parser.add_argument("--out", default=str(charlm.PRETRAINED))
    args = parser.parse_args(argv)
    text = corpus.load_corpus()
    unigram = corpus.unigram_entropy(corpus.load_text())
    print(f"corpus: {len(text.train)} training and {len(text.valid)} validation characters; "
          f"unigram entropy {unigram:.3f} bits/char (target <= {0.6 * unigram:.3f}); "
          f"{CONFIG}; {args.steps} steps", flush=True)
    start = time.perf_counter()
    model = run(args.steps, out=args.out)
    final = charlm.to_bits(model.curve.valid_nats[-1])
    print(f"done in {time.perf_counter() - start:.0f} s: validation {final:.3f} bits/char "
          f"({100 * (1 - final / unigram):.1f} % below the unigram entropy); wrote {args.out} "
          f"({os.path.getsize(args.out)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
