r"""A character-level language model: a recurrent layer reads text and predicts the next character.

Used by the chapter "A character-level language model" (char-rnn, Karpathy 2015, in spirit).
Everything is reachable as ``charlm.<name>``; the code lives in four modules:

- :mod:`.model`: :class:`Config` (H, cell, T, B, optimiser, lr, clip, seed, dtype),
  :func:`init_params` / :func:`new_model`, :func:`forward`, :func:`loss_and_grads` (nats per
  character), :func:`evaluate` (a whole text, state carried), :func:`to_bits`;
- :mod:`.trainer`: :func:`stream_chunks` (B contiguous rows, chunks of T steps) and
  :func:`train` (truncated BPTT with the state carried across chunks, through
  :func:`rnnlearn.training.fit`; a validation :class:`Curve`);
- :mod:`.sampling`: :func:`probabilities` (softmax(z / tau)), :func:`entropy`, :func:`draw`,
  :func:`condition` (a priming text) and :func:`sample`;
- :mod:`.files`: :func:`save` / :func:`load` (``.npz``, ``allow_pickle=False``, float32
  weights) and :func:`load_pretrained`, the LSTM that ships with the package.

The vocabulary is :class:`rnnlearn.corpus.Vocab` (also ``charlm.Vocab``); the corpus is
:func:`rnnlearn.corpus.load_corpus`. A session, in short:

>>> import numpy as np                                                # doctest: +SKIP
>>> from rnnlearn import charlm, corpus
>>> text = corpus.load_corpus()
>>> vocab = charlm.Vocab.from_text(text.train)
>>> model = charlm.new_model(vocab, charlm.Config(H=128))
>>> history, curve = charlm.train(model.params, vocab.encode(text.train), model.config,
...                               steps=500, valid_ids=vocab.encode(text.valid))
>>> charlm.sample(model, "The ", 200, np.random.default_rng(0), tau=0.8)
"""
from rnnlearn.charlm.files import FORMAT, PRETRAINED, expected_shapes, load, load_pretrained, save
from rnnlearn.charlm.model import (CELLS, DTYPES, Config, Curve, Model, evaluate, forward,
                                   init_params, loss_and_grads, new_model, one_hot, to_bits)
from rnnlearn.charlm.sampling import condition, draw, entropy, probabilities, sample
from rnnlearn.charlm.trainer import Chunks, stream_chunks, train
from rnnlearn.corpus import Vocab

__all__ = ["Vocab", "Config", "Curve", "Model", "CELLS", "DTYPES", "init_params", "new_model",
           "one_hot", "forward", "loss_and_grads", "evaluate", "to_bits", "Chunks",
           "stream_chunks", "train", "probabilities", "entropy", "draw", "condition", "sample",
           "save", "load", "load_pretrained", "expected_shapes", "PRETRAINED", "FORMAT"]
