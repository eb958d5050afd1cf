"""Exercise checkers: run a reader's function on several cases and say what is wrong, and why.

Used by the coding exercises of Part I (chapters "slopes", "descent" and "backprop"), Part II
("bptt" and "gradients"), Part III ("lstm" and "gru") and Part IV ("charlm"). A checker takes the
reader's function, calls it on cases that include edge cases (a batch of one, zeros, negative and
large inputs, a non-square weight), and returns a :class:`CheckResult`: ``passed`` for a notebook
to assert on, one ✓/✗ line per case for the reader to read, and a hint when a wrong answer
matches a typical mistake (a flipped sign, a transposed gradient, a missing 1/B). It never
raises on a wrong answer: an exception in the reader's code, a wrong type or shape, None, NaN or
an argument changed in place each fail their case with a one-line message. An untouched
scaffold (a body that raises ``NotImplementedError``) gives "not attempted yet".

=====================================  =========  ============================================
Checker                                Chapter    The reader writes
=====================================  =========  ============================================
``check_central_difference``           slopes     ``central_difference(f, x, h)``
``check_descend``                      slopes     ``descend(grad, x0, lr, steps)``
``check_momentum_step``                descent    ``momentum_step(w, z, grad, lr, beta)``
``check_adam_step``                    descent    ``adam_step(w, m, v, grad, k, lr, ...)``
``check_sigmoid_slope``                backprop   ``sigmoid_slope(x)``
``check_tanh_slope``                   backprop   ``tanh_slope(x)``
``check_mse_gradient``                 backprop   ``mse_gradient(o, y)``
``check_dense_backward``               backprop   ``dense_backward(dnet, x, W)``
``check_rnn_step``                     bptt       ``rnn_step(x, h_prev, W_ih, W_hh, b_ih, b_hh)``
``check_bptt``                         bptt       ``bptt(dhs, xs, h0, hs, W_hh)``
``check_clip_by_norm``                 gradients  ``clip_by_norm(g, threshold)``
``check_jacobian_norms``               gradients  ``jacobian_norms(W, hs)``
``check_lstm_step``                    lstm       ``lstm_step(x, h_prev, c_prev, W_ih, W_hh, ...)``
``check_lstm_cell_backward``           lstm       ``cell_backward(dc, dh, f, o, tanh_c)``
``check_gru_step``                     gru        ``gru_step(x, h_prev, W_ih, W_hh, b_ih, b_hh)``
``check_param_counts``                 gru        ``param_count(cell, D, H)``
``check_temperature``                  charlm     ``temperature_probs(scores, tau)``
``check_bits_per_char``                charlm     ``bits_per_char(scores, targets)``
=====================================  =========  ============================================

How a coding exercise is laid out in a chapter notebook (for the student build of issue 11)
-------------------------------------------------------------------------------------------
The exercise uses sphinx-exercise's *gated* directives, so that code cells can sit inside it::

    markdown  ```{exercise-start} Title             the statement: keep
              :label: chapter-ex-name
              ```
              ...
    code      def f(...): raise NotImplementedError   tag "exercise-scaffold": keep
    code      exercises.check_f(f)                    tag "exercise-check": keep
    markdown  ```{exercise-end}                       keep
              ```
    markdown  ```{solution-start} chapter-ex-name     tag "exercise-solution": remove
              :class: dropdown
              ```
    code      def f(...): <the solution>              tag "exercise-solution": remove
              exercises.check_f(f)
    markdown  ```{solution-end}                       tag "exercise-solution": remove
              ```
    code      assert exercises.check_f(f).passed      tags "remove-cell", "exercise-solution"

The tags are the names in :data:`TAGS`. A student build removes every cell tagged
``exercise-solution`` (and, as for the older exercises, the ``{solution}`` blocks written in
markdown cells); the scaffold and the check remain, and the check then says "not attempted yet"
until the student fills in the scaffold. In the HTML book the reader sees the scaffold, the check
saying "not attempted yet", and the solution with its passing check behind a toggle. Executing
the notebook (the book build, nbval) never fails on a scaffold, and the hidden last cell fails
the build if the solution stops passing its checker.
"""
from .core import Case, CaseResult, CheckResult, Mistake, compare, run_cases
from .backprop import (check_dense_backward, check_mse_gradient, check_sigmoid_slope,
                       check_tanh_slope)
from .descent import check_adam_step, check_momentum_step
from .slopes import check_central_difference, check_descend
from .bptt import check_bptt, check_rnn_step
from .gradients import check_clip_by_norm, check_jacobian_norms
from .lstm import check_lstm_cell_backward, check_lstm_step
from .gru import check_gru_step, check_param_counts
from .charlm import check_bits_per_char, check_temperature

TAGS = {
    "scaffold": "exercise-scaffold",  # the function the reader fills in: keep in a student build
    "check": "exercise-check",  # the call of the checker on it: keep
    "solution": "exercise-solution",  # solution cells, and the hidden assert: remove
}

__all__ = ["TAGS", "Case", "CaseResult", "CheckResult", "Mistake", "compare", "run_cases",
           "check_central_difference", "check_descend", "check_momentum_step", "check_adam_step",
           "check_sigmoid_slope", "check_tanh_slope", "check_mse_gradient",
           "check_dense_backward", "check_rnn_step", "check_bptt", "check_clip_by_norm",
           "check_jacobian_norms", "check_lstm_step", "check_lstm_cell_backward",
           "check_gru_step", "check_param_counts", "check_temperature", "check_bits_per_char"]
