"""The char-LM chapter's explorers (TemperatureExplorer, CellExplorer): their computations on
their own (the temperature's limits, the sample's reproducibility, the cells' activations
against a plain forward pass), the cells they offer against a fresh search, and the artists
showing what was computed. The generic sweeps, budgets and twins run in test_explorers.py."""
import time

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import charlm, corpus, textstats
from rnnlearn.explorers import CellExplorer, TemperatureExplorer
from rnnlearn.explorers import charlm as module
from rnnlearn.explorers.charlm import (CELL_COLUMNS, CELLS, N_SAMPLE, PASSAGES, PRIMES, TOP,
                                       cell_run, colour_grid, compose, layout, passage_text,
                                       pretrained, temperature_run, text_ink)


def test_the_pretrained_model_is_loaded_once():
    model = pretrained()
    start = time.perf_counter()
    assert pretrained() is model
    assert time.perf_counter() - start < 1e-3
    assert model.config.H == 256 and model.vocab.size == 103


# -- temperature -----------------------------------------------------------------------------------
def test_a_frame_is_reproducible_and_the_sample_is_the_packages():
    a, b = temperature_run(PRIMES[1], 0.5), temperature_run(PRIMES[1], 0.5)
    assert a.sample == b.sample and len(a.sample) == N_SAMPLE
    direct = charlm.sample(pretrained(), PRIMES[1], N_SAMPLE, np.random.default_rng(0),
                           tau=0.5)
    assert a.sample == direct


def test_the_distribution_is_softmax_of_the_scores_over_tau():
    model = pretrained()
    _, scores = charlm.condition(model, PRIMES[0])
    for tau in (0.125, 1.0, 8.0):
        d = temperature_run(PRIMES[0], tau)
        p = np.exp((scores - scores.max()) / tau)
        p /= p.sum()
        order = np.argsort(-scores)[:TOP]
        assert d.chars == tuple(model.vocab.chars[i] for i in order)
        assert_allclose(d.probs, p[order], rtol=1e-9, atol=1e-300)
        assert d.entropy == pytest.approx(charlm.entropy(p), rel=1e-9)
        assert np.all(np.diff(d.probs) <= 0)  # most likely first


def test_the_limits_of_the_temperature():
    """tau -> 0: the argmax, entropy 0; tau -> infinity: uniform, log2 V; in between rising."""
    d = temperature_run(PRIMES[0], 0.01)
    assert d.probs[0] > 1 - 1e-9 and d.entropy < 1e-6
    assert np.all(np.diff(d.curve) > 0)
    assert d.curve[0] < 0.05 and d.uniform - d.curve[-1] < 0.1
    assert d.uniform == pytest.approx(np.log2(103))
    greedy_ids = []
    state, scores = charlm.condition(pretrained(), PRIMES[0])
    for _ in range(40):  # a tiny tau samples the greedy continuation
        greedy_ids.append(int(np.argmax(scores)))
        state, scores = charlm.condition(pretrained(), pretrained().vocab.chars[greedy_ids[-1]],
                                         state)
    assert temperature_run(PRIMES[0], 1e-3).sample[:40] == pretrained().vocab.decode(
        np.array(greedy_ids))


def test_layout_hard_wraps_and_keeps_line_breaks():
    assert layout("abcdefg\nhi", columns=3, lines=5) == ["abc", "def", "g", "hi", ""]
    assert layout("x" * 10, columns=4, lines=2) == ["xxxx", "xxxx"]
    assert layout("\n\n", columns=4, lines=3) == ["", "", ""]


def test_the_temperature_artists_show_the_data():
    ex = TemperatureExplorer(tau=2.0, prime=PRIMES[2])
    d, a = ex._view, ex.artists
    segments = a.bars.get_segments()
    assert len(segments) == TOP
    assert_allclose([s[1, 0] for s in segments], d.probs)
    assert [t.get_text() for t in a.labels] == [repr(c) for c in d.chars]
    assert a.prime.get_text() == PRIMES[2]
    shown = a.text.get_text().split("\n")
    assert shown[0].startswith(" " * len(PRIMES[2])) and len(shown) == module.LINES
    assert d.sample[:10] in a.text.get_text().replace("\n", "")
    assert_allclose(a.marker.get_xydata(), [[2.0, d.entropy]])
    assert "H = " not in a.entropy_title.get_text() and "entropy" in a.entropy_title.get_text()


# -- the cell browser ------------------------------------------------------------------------------
def test_passages_fit_the_panel():
    for name, (start, n_lines) in PASSAGES.items():
        text = passage_text(name)
        lines = text.split("\n")
        assert len(lines) == n_lines and max(map(len, lines)) <= CELL_COLUMNS
        assert corpus.load_corpus().valid[start:start + len(text)] == text


def test_cell_activations_are_a_plain_forward_pass():
    d = cell_run("truth values")
    start, _ = PASSAGES["truth values"]
    valid = corpus.load_corpus().valid
    read = valid[start - module.WARMUP:start] + d.text
    model = pretrained()
    _, _, cache = charlm.forward(model.vocab.encode(read)[:, None], model.params)
    assert_allclose(d.acts, np.tanh(cache.cell.cs[-len(d.text):, 0]), rtol=1e-12)
    assert d.acts.shape == (len(d.text), 256)
    assert_allclose(d.signals["inside quotes"], textstats.indicators(read)["inside quotes"]
                    [-len(d.text):])


def test_colours_and_ink():
    text = "ab\nc"
    grid = colour_grid(text, np.array([-1.0, 1.0, 0.0, 0.0]), rows=3, columns=4)
    assert grid.shape == (5, 6, 3) and grid.dtype == np.uint8
    assert tuple(grid[1, 1]) == (0xE6, 0x9F, 0x00)  # -1: orange
    assert tuple(grid[1, 2]) == (0x56, 0xB4, 0xE9)  # +1: sky blue
    assert min(grid[2, 1]) >= 250  # 0: white (the middle of the map, to a level or so)
    assert np.all(grid[0] == 255) and np.all(grid[:, 0] == 255)  # the blank margin
    assert np.all(grid[1, 3:] == 255)  # no character there
    ink = text_ink("ab")
    assert ink.shape == module.PANEL_PX and 0.0 <= ink.min() and ink.max() <= 1.0
    height, width = module.PANEL_PX
    row = ink[: height * 2 // (module.PANEL_ROWS + 2)]  # the first text row and the margin
    cell = width / (CELL_COLUMNS + 2)
    assert row[:, round(cell):round(3 * cell)].max() > 0.9  # "ab" in columns 1 and 2
    assert row[:, round(4 * cell):].max() < 0.05  # nothing after it
    pixels = compose(grid, np.zeros((50, 60)))
    assert pixels.shape == (50, 60, 4) and np.all(pixels[..., 3] == 255)
    dark = compose(grid, np.ones((50, 60)))
    assert np.all(dark[..., :3] == 0)  # full ink is black whatever the colour


def test_the_cells_on_offer_are_what_a_fresh_search_finds():
    """Over the whole validation text: each named cell is the best for its signal, the two
    unnamed ones move (standard deviation > 0.3) without tracking any of the signals."""
    model = pretrained()
    valid = corpus.load_corpus().valid
    params32 = {k: v.astype(np.float32) for k, v in model.params.items()}
    _, _, cache = charlm.forward(model.vocab.encode(valid)[:, None], params32)
    acts = np.tanh(cache.cell.cs[:, 0])
    signals = textstats.indicators(valid)
    r = textstats.correlations(acts, np.stack(list(signals.values()), axis=1))  # (6, 256)
    best = dict(zip(signals, np.argmax(np.abs(r), axis=1).tolist()))
    named = {what: cell for cell, what in CELLS.items() if what}
    assert named == best
    for cell in (c for c, what in CELLS.items() if not what):
        assert acts[:, cell].std() > 0.3 and np.abs(r[:, cell]).max() < 0.15


def test_the_cell_view_and_its_heading():
    ex = CellExplorer()
    view = ex.set(cell="123: inside quotes", passage="truth values")
    assert view.cell == 123 and view.what == "inside quotes" and view.r > 0.6
    assert "cell 123" in ex.artists.title.get_text() and "r = +0.65" in ex.outcome()
    image = np.asarray(ex.artists.image.get_array())
    assert image is not None
    assert image.shape == module.PANEL_PX + (4,) and image.dtype == np.uint8
    view = ex.set(cell="68: (none found)")
    assert np.isnan(view.r) and "no signal found" in ex.artists.title.get_text()
    with pytest.raises(ValueError, match="cell must be one of"):
        ex.set(cell="7: nothing")


def test_pixel_image_falls_back_to_resampling_at_other_scales():
    ex = CellExplorer()
    small, large = ex.image(1.0), ex.image(2.0)
    assert large.size == (2 * small.size[0], 2 * small.size[1])
    a = np.asarray(large.resize(small.size)).astype(int)
    b = np.asarray(small).astype(int)
    assert np.mean(np.abs(a - b)) < 20  # the same picture, sharper
