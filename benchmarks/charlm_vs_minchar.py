"""The package's char-LM trainer against min-char-rnn, at equal wall time on one core.

Both learn the training text of :func:`rnnlearn.corpus.load_corpus` and are measured on the
whole validation text (53,097 characters, one row, state carried, with
:func:`rnnlearn.charlm.evaluate`), in bits per character, against seconds of training (the
evaluations are not counted).

- "charlm": :func:`rnnlearn.charlm.train` with the settings of the shipped model
  (scripts/train_charlm.py's CONFIG: one LSTM layer, H = 256, B = 16 rows, T = 50, Adam
  3e-3, global-norm clipping at 5, float64), stopped after ``--seconds`` of training.
- "min-char-rnn": a plain single-layer tanh RNN trained the way of Karpathy's min-char-rnn gist
  (2015), written out here: H = 100, batch 1, T = 25 characters per update, the hidden state
  carried from chunk to chunk (reset at the end of the text), weights N(0, 0.01^2), biases 0,
  the loss summed over the 25 steps, every gradient entry clipped to [-5, 5], Adagrad with lr
  0.1 (w -= lr g / sqrt(G + 1e-8)). The one-hot input product is a column lookup (the same
  numbers, faster than the gist's matrix product). Its weights are mapped onto
  :mod:`rnnlearn.seqmodel`'s "rnn" cell for evaluation (checked against its own forward pass).

Run (one core; 2 x --seconds of training plus the evaluations, about 5 min by default):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/charlm_vs_minchar.py [--seconds 120]

Measured (120 s each, one core of the 2-core machine, other work running): charlm 2.487
bits/char after 1,418 steps, min-char-rnn 2.693 after 131,123 updates; min-char-rnn is ahead
for the first minute (3.370 against 4.178 at 10-12 s), charlm from about 65 s on. Read from a
zero state, min-char-rnn's validation loss was 14.8 bits/char after 10 s (its saturated state
settles somewhere it never trained in) and the same as from its carried state from 20 s on.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core

import numpy as np  # noqa: E402

from rnnlearn import charlm, corpus  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))
import train_charlm  # noqa: E402


def minchar_step(params, inputs, targets, h_prev):
    """min-char-rnn's lossFun: summed cross-entropy of one chunk, gradients, last state."""
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    T = len(inputs)
    hs = np.empty((T + 1, len(bh)))  # hs[t] = h_{t+1}; the extra row hs[T] = hs[-1] holds h_0
    hs[-1] = h_prev
    ps = np.empty((T, len(by)))
    loss = 0.0
    for t in range(T):
        hs[t] = np.tanh(Wxh[:, inputs[t]] + Whh @ hs[t - 1] + bh)
        y = Why @ hs[t] + by
        e = np.exp(y - y.max())
        ps[t] = e / e.sum()
        loss -= np.log(ps[t, targets[t]])
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_next = np.zeros_like(bh)
    for t in reversed(range(T)):
        dy = ps[t].copy()
        dy[targets[t]] -= 1.0
        grads["Why"] += np.outer(dy, hs[t])
        grads["by"] += dy
        dh = Why.T @ dy + dh_next
        dh_raw = (1.0 - hs[t] ** 2) * dh  # through the tanh
        grads["bh"] += dh_raw
        grads["Wxh"][:, inputs[t]] += dh_raw
        grads["Whh"] += np.outer(dh_raw, hs[t - 1])
        dh_next = Whh.T @ dh_raw
    return loss, grads, hs[T - 1].copy()


def as_seqmodel(params):
    """min-char-rnn's weights as seqmodel's "rnn" cell and read-out (for charlm.evaluate)."""
    return {"weight_ih": params["Wxh"], "weight_hh": params["Whh"], "bias_ih": params["bh"],
            "bias_hh": np.zeros_like(params["bh"]), "head.weight": params["Why"],
            "head.bias": params["by"]}


def run_minchar(ids, valid_ids, V, seconds, eval_every, *, H=100, T=25, lr=0.1, seed=0):
    """Train for ``seconds``; the curve as (seconds, steps, validation nats) rows.

    The validation text is read on from the state training reached (the way this RNN always
    runs: its state is carried, and it has seen a zero state only at the start of each pass);
    from a zero state it does far worse (printed as well).
    """
    rng = np.random.default_rng(seed)
    params = {"Wxh": rng.standard_normal((H, V)) * 0.01,
              "Whh": rng.standard_normal((H, H)) * 0.01,
              "Why": rng.standard_normal((V, H)) * 0.01, "bh": np.zeros(H), "by": np.zeros(V)}
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    check = ids[:30]  # it is seqmodel's rnn cell: the same loss and gradients on a short text
    loss, grads, _ = minchar_step(params, check[:-1], check[1:], np.zeros(H))
    ref, ref_grads, _ = charlm.loss_and_grads(as_seqmodel(params), check[:-1, None],
                                              check[1:, None], cell="rnn")
    assert abs(loss / 29 - ref) < 1e-10, (loss / 29, ref)
    for key, value in as_seqmodel(grads).items():  # the sum over 29 steps = 29 x the mean
        if key != "bias_hh":
            np.testing.assert_allclose(value, 29 * ref_grads[key], rtol=1e-8, atol=1e-12)
    curve = [(0.0, 0, charlm.evaluate(as_seqmodel(params), valid_ids, cell="rnn"))]
    from_zero = []
    h, position, steps, trained, next_eval = np.zeros(H), 0, 0, 0.0, eval_every
    while trained < seconds:
        start = time.perf_counter()
        if position + T + 1 >= len(ids):
            h, position = np.zeros(H), 0  # the gist: back to the start, state reset
        _, grads, h = minchar_step(params, ids[position:position + T],
                                   ids[position + 1:position + T + 1], h)
        for key, w in params.items():
            g = np.clip(grads[key], -5.0, 5.0)
            memory[key] += g * g
            w -= lr * g / np.sqrt(memory[key] + 1e-8)
        position, steps = position + T, steps + 1
        trained += time.perf_counter() - start
        if trained >= next_eval or trained >= seconds:
            weights = as_seqmodel(params)
            curve.append((trained, steps, charlm.evaluate(weights, valid_ids, cell="rnn",
                                                          state=h[None])))
            from_zero.append(charlm.evaluate(weights, valid_ids, cell="rnn"))
            print(f"  min-char-rnn {trained:6.1f} s  step {steps:6d}  valid "
                  f"{charlm.to_bits(curve[-1][2]):.3f} bits/char (from a zero state "
                  f"{charlm.to_bits(from_zero[-1]):.3f})", flush=True)
            next_eval += eval_every
    return curve


def run_charlm(ids, valid_ids, vocab, seconds, eval_every):
    """The package's trainer with the shipped model's settings, for ``seconds``."""
    config = train_charlm.CONFIG
    model = charlm.new_model(vocab, config)

    def show(row):
        print(f"  charlm       {row[1]:6.1f} s  step {row[0]:6d}  valid "
              f"{charlm.to_bits(row[3]):.3f} bits/char", flush=True)

    _, curve = charlm.train(model.params, ids, config, steps=10**9, valid_ids=valid_ids,
                            eval_every=eval_every, progress=False, on_evaluate=show,
                            max_seconds=seconds)
    return list(zip(curve.seconds, curve.steps, curve.valid_nats))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="training time of each model (default 120)")
    parser.add_argument("--minchar-eval-every", type=float, default=10.0,
                        help="seconds of min-char-rnn training between evaluations")
    parser.add_argument("--charlm-eval-every", type=int, default=150,
                        help="charlm steps between evaluations")
    args = parser.parse_args(argv)
    text = corpus.load_corpus()
    vocab = charlm.Vocab.from_text(text.train)
    ids, valid_ids = vocab.encode(text.train), vocab.encode(text.valid)
    unigram = corpus.unigram_entropy(text.valid, text.train)
    print(f"{args.seconds:g} s of training each, one core (OPENBLAS_NUM_THREADS="
          f"{os.environ['OPENBLAS_NUM_THREADS']}); validation text {len(valid_ids)} characters; "
          f"unigram model {unigram:.3f} bits/char, uniform {np.log2(vocab.size):.3f}")
    print(f"charlm: {train_charlm.CONFIG}")
    lm = run_charlm(ids, valid_ids, vocab, args.seconds, args.charlm_eval_every)
    print("min-char-rnn: tanh RNN, H = 100, batch 1, T = 25, Adagrad lr 0.1, clip [-5, 5]")
    mc = run_minchar(ids, valid_ids, vocab.size, args.seconds, args.minchar_eval_every)
    for name, curve in (("charlm", lm), ("min-char-rnn", mc)):
        points = ", ".join(f"({s:.0f} s, {charlm.to_bits(v):.3f})" for s, _, v in curve)
        print(f"{name} curve (seconds, validation bits/char): {points}")
    final_lm, final_mc = charlm.to_bits(lm[-1][2]), charlm.to_bits(mc[-1][2])
    print(f"final after {args.seconds:g} s: charlm {final_lm:.3f} bits/char ({lm[-1][1]} steps)"
          f", min-char-rnn {final_mc:.3f} bits/char ({mc[-1][1]} steps); "
          f"{'charlm' if final_lm < final_mc else 'min-char-rnn'} is lower by "
          f"{abs(final_lm - final_mc):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
