"""The explorers of the chapter "A character-level language model" (book/charlm.ipynb).

Both read the pretrained LSTM that ships with the package (:func:`pretrained`, loaded once per
process).

- :class:`TemperatureExplorer`: a priming text (a dropdown) and the temperature tau (a log
  slider). Top: the prime and what the model writes after it, sampled at temperature tau with
  the same random numbers in every frame (``default_rng(SAMPLE_SEED)``), so each frame, and the
  static twin, is reproducible. Bottom left: the distribution of the character after the prime,
  p = softmax(z / tau), for its ten most likely characters. Bottom right: the entropy of that
  distribution against tau, from 0 bits (tau -> 0: the argmax) to log2 V (tau -> infinity:
  uniform), with the current tau marked.
- :class:`CellExplorer`: a passage of the validation text (a dropdown) and one of the
  network's 256 cells (a dropdown of cells the chapter's search singled out, and two it did
  not); every character of the passage is coloured by the cell's value tanh(c_t) after reading
  it, as in Karpathy, Johnson and Fei-Fei's (2015) figures. The state is warmed up on the
  WARMUP characters before the passage. The passage is drawn as one image, its glyphs
  (:func:`text_ink`, rendered once per passage) composited with the cells' colours
  (:func:`compose`), and shown pixel for pixel (:class:`PixelImage`); every cell on offer is
  composed when the passage is computed, so picking a cell costs one blit.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.image import AxesImage

from .. import charlm, corpus, textstats
from .._checks import check_choice, check_float
from ..plotting import PALETTE, figure, heading
from .base import Explorer, register
from .controls import Choice, Slider


@functools.lru_cache(maxsize=1)
def pretrained():
    """The pretrained char-LM (:func:`rnnlearn.charlm.load_pretrained`), loaded once per process.

    Returns
    -------
    rnnlearn.charlm.Model
        Shared: do not change its arrays.
    """
    return charlm.load_pretrained()


# -- temperature -----------------------------------------------------------------------------------
#: The priming texts of the temperature explorer (a prime ends where the model takes over).
PRIMES = ('The "while" statement', "   for item in ", "An exception is raised when",
          "The value of")
SAMPLE_SEED = 0  #: every frame draws its characters with default_rng(SAMPLE_SEED)
N_SAMPLE = 300  #: characters written after the prime
COLUMNS, LINES = 64, 7  #: the text panel: prime and sample, hard-wrapped at COLUMNS
TOP = 10  #: characters shown in the distribution panel
TAU_CURVE = np.logspace(np.log10(0.05), np.log10(20.0), 61)  #: the entropy curve's taus
TEXT_FONT = 12.5  #: points: COLUMNS characters take 6.7 in (a character is 0.6 em wide)


class TemperatureData(NamedTuple):
    prime: str
    tau: float
    sample: str  # the N_SAMPLE characters written after the prime
    chars: tuple  # (TOP,) the most likely next characters, most likely first
    probs: np.ndarray  # (TOP,) their probabilities at tau
    entropy: float  # bits, of the whole next-character distribution at tau
    curve: np.ndarray  # (len(TAU_CURVE),) its entropy at each of TAU_CURVE
    uniform: float  # log2 V


def temperature_run(prime, tau, n=N_SAMPLE, seed=SAMPLE_SEED) -> TemperatureData:
    r"""Sample the pretrained model after ``prime`` at temperature ``tau``.

    Parameters
    ----------
    prime : str
        Characters of the model's vocabulary, at least one.
    tau : float
        Temperature, > 0.
    n : int
        Characters to write.
    seed : int
        Of the ``numpy.random.default_rng`` that draws them.

    Returns
    -------
    TemperatureData

    Equations
    ---------
    .. math:: p = \operatorname{softmax}(z / \tau), \qquad H(p) = -\sum_c p_c \log_2 p_c
    """
    tau = check_float("tau", tau)
    model = pretrained()
    _, z = charlm.condition(model, prime)
    sample = charlm.sample(model, prime, n, np.random.default_rng(seed), tau=tau)
    p = charlm.probabilities(z, tau)
    order = np.argsort(-z, kind="stable")[:TOP]
    curve = charlm.entropy(charlm.probabilities(z[None, :] / TAU_CURVE[:, None], 1.0))
    return TemperatureData(prime, tau, sample, tuple(model.vocab.chars[i] for i in order),
                           p[order], float(charlm.entropy(p)), curve,
                           float(np.log2(model.vocab.size)))


def layout(text, columns=COLUMNS, lines=LINES) -> list:
    """``text`` hard-wrapped at ``columns`` (its own line breaks kept), the first ``lines``."""
    out = []
    for line in text.split("\n"):
        out += [line[i:i + columns] for i in range(0, max(len(line), 1), columns)]
    return (out + [""] * lines)[:lines]


class TemperatureArtists(NamedTuple):
    prime: object  # Text: the prime (blue), over the first line
    text: object  # Text: the sample, the prime's place left blank
    title: object  # Text: heading of the text panel
    bars: object  # LineCollection: one thick segment per character
    labels: list  # Text: the characters beside the bars
    values: list  # Text: their probabilities
    bars_title: object  # Text
    curve: object  # Line2D: entropy against tau
    marker: object  # Line2D: the current tau
    entropy_title: object  # Text


@register
class TemperatureExplorer(Explorer):
    controls = (
        Slider("tau", "temperature τ", 0.125, 8.0, default=1.0, log=True, frames=7,
               live_steps=60, fmt=".3g"),  # twin: 1/8, 1/4, 1/2, 1, 2, 4, 8
        Choice("prime", "priming text", PRIMES, PRIMES[0], widget="dropdown"),
    )
    figsize = (7.5, 4.6)
    twin_scale = 1.0
    twin_bytes_per_px = 0.12  # text: more edges than line art
    caption = (
        "The pretrained LSTM continues a priming text (blue) at temperature τ; every frame "
        "draws its characters with the same random numbers (seed 0). Bottom left: the "
        "distribution of the character after the prime, p = softmax(z/τ), for its ten most "
        "likely characters, written as Python writes them (' ' a space, '\\n' a line "
        "break). Bottom right: the entropy of that "
        "distribution against τ (log axis), from 0 bits at τ → 0 (always the most likely "
        "character) to log₂ V = 6.69 bits at τ → ∞ (all 103 characters equally likely).")
    alt = ("A sample of text written by the pretrained character-level LSTM after a priming "
           "text at one temperature, the next-character distribution as bars, and its entropy "
           "against the temperature")

    def compute(self, tau, prime):
        check_choice("prime", prime, PRIMES)
        return temperature_run(prime, tau)

    def draw(self, d):
        fig, _ = figure(*self.figsize, layout=None)
        fig.clear()
        text_ax = fig.add_axes([0.012, 0.53, 0.976, 0.4])
        text_ax.set(xlim=(0, 1), ylim=(0, 1))
        text_ax.axis("off")
        style = dict(family="monospace", fontsize=TEXT_FONT, va="top", ha="left",
                     linespacing=1.25, transform=text_ax.transAxes)
        text = text_ax.text(0.0, 1.0, "", color=PALETTE["black"], **style)
        prime = text_ax.text(0.0, 1.0, "", color=PALETTE["blue"], fontweight="bold", **style)
        bars_ax = fig.add_axes([0.07, 0.1, 0.4, 0.33])
        bars_ax.set(xlim=(0, 1), ylim=(TOP - 0.4, -0.6), xlabel="probability p")
        bars_ax.set_yticks([])
        bars_ax.grid(axis="y", visible=False)
        bars = LineCollection([], colors=PALETTE["blue"], linewidths=9, capstyle="butt")
        bars_ax.add_collection(bars)
        labels = [bars_ax.text(-0.02, k, "", ha="right", va="center", family="monospace",
                               fontsize=11, transform=bars_ax.get_yaxis_transform())
                  for k in range(TOP)]
        values = [bars_ax.text(0.0, k, "", ha="left", va="center", fontsize=10)
                  for k in range(TOP)]
        ent_ax = fig.add_axes([0.62, 0.1, 0.36, 0.33])
        ent_ax.set_xscale("log")
        ent_ax.set(xlim=(TAU_CURVE[0], TAU_CURVE[-1]), ylim=(0, 7.2), xlabel="temperature τ",
                   ylabel="entropy (bits)")
        ent_ax.set_xticks([0.1, 1, 10], ["0.1", "1", "10"])
        ent_ax.minorticks_off()
        ent_ax.axhline(d.uniform, color=PALETTE["grey"], ls="--", lw=1.2)
        ent_ax.text(TAU_CURVE[0] * 1.1, d.uniform - 0.15, "uniform: log₂ V", va="top",
                    fontsize=10, color=PALETTE["grey"])
        (curve,) = ent_ax.plot([], [], color=PALETTE["blue"], lw=1.8)
        (marker,) = ent_ax.plot([], [], "o", color=PALETTE["vermillion"], ms=8)
        return fig, TemperatureArtists(prime, text, heading(text_ax), bars, labels, values,
                                       heading(bars_ax), curve, marker, heading(ent_ax))

    def update(self, a, d):
        shown = layout(d.prime + d.sample)
        a.prime.set_text(d.prime[:COLUMNS])
        first = " " * min(len(d.prime), COLUMNS) + shown[0][len(d.prime):]
        a.text.set_text("\n".join([first] + shown[1:]))
        a.title.set_text(f"τ = {d.tau:.3g}: the prime and {N_SAMPLE} sampled characters "
                         f"(the first {LINES} lines)")
        a.bars.set_segments([[(0.0, k), (float(p), k)] for k, p in enumerate(d.probs)])
        for k, (c, p) in enumerate(zip(d.chars, d.probs)):
            a.labels[k].set_text(repr(c))
            a.values[k].set_position((float(p) + 0.02, k))
            a.values[k].set_text(f"{p:.2f}")
        a.bars_title.set_text("the next character")
        a.curve.set_data(TAU_CURVE, d.curve)
        a.marker.set_data([d.tau], [d.entropy])
        a.entropy_title.set_text(f"entropy {d.entropy:.2f} bits")


# -- the cell browser ------------------------------------------------------------------------------
#: Passages of the validation text: name -> (first character, number of lines). Each line is
#: at most CELL_COLUMNS characters long.
PASSAGES = {"prose": (4814, 10), "code and prose": (2864, 14), "truth values": (51930, 12)}
WARMUP = 1000  #: characters read before a passage, to bring the state into context
CELL_COLUMNS = 72  #: the passage panel's width in characters
#: The cells on offer: index -> what the chapter's search found it to track ("" for a cell
#: that tracks none of the signals). Checked against a fresh search in the tests.
CELLS = {171: "position in word", 123: "inside quotes", 52: "inside brackets",
         48: "indented line", 240: "position in line", 101: "inside *emphasis*",
         68: "", 238: ""}
CELL_OPTIONS = tuple(f"{k}: {what}" if what else f"{k}: (none found)" for k, what in
                     CELLS.items())
#: The colours of tanh(c) = -1, 0, +1: light tints of the palette's orange and blue, on which
#: black text stays readable.
CELL_CMAP = LinearSegmentedColormap.from_list("rnnlearn_cell", ["#E69F00", "#FFFFFF",
                                                                "#56B4E9"])


#: The passage panel in pixels at the explorer's 80 dpi (height, width; the figure is 600 x 280
#: and the panel sits 4 px from its left, right and bottom edges): a grid of (rows + 2) x
#: (CELL_COLUMNS + 2) character cells, a blank one all round, 8 px wide.
PANEL_PX = (248, 592)
PANEL_ROWS = max(n_lines for _, n_lines in PASSAGES.values())


class CellData(NamedTuple):
    passage: str  # its name
    text: str  # its characters
    acts: np.ndarray  # (N, H) tanh(c_t) after reading each character
    signals: dict  # textstats.indicators of the passage (read with its warm-up)
    ink: np.ndarray  # (PANEL_PX) the passage's glyphs: 0 paper, 1 ink


class CellView(NamedTuple):
    passage: str
    pixels: np.ndarray  # (PANEL_PX, 4) uint8: the passage, coloured by the cell
    cell: int
    what: str  # what the cell tracks ("" if nothing found)
    r: float  # its correlation with that signal on this passage (nan if none)


def cell_view(d, option) -> CellView:
    """What the cell browser shows for one of :data:`CELL_OPTIONS` on a passage's data.

    Parameters
    ----------
    d : CellData
        From :func:`cell_run`.
    option : str
        One of :data:`CELL_OPTIONS` ("<cell>: <what it tracks>").

    Returns
    -------
    CellView
    """
    check_choice("cell", option, CELL_OPTIONS)
    k = int(option.split(":")[0])
    what = CELLS[k]
    values = d.acts[:, k]
    r = np.nan
    if what and np.ptp(d.signals[what]) > 0:
        r = float(np.corrcoef(values, d.signals[what])[0, 1])
    return CellView(d.passage, compose(colour_grid(d.text, values), d.ink), k, what, r)


def passage_text(name) -> str:
    """The characters of passage ``name`` of :data:`PASSAGES` (its last line break dropped)."""
    start, n_lines = PASSAGES[name]
    valid = corpus.load_corpus().valid
    end = start
    for _ in range(n_lines):
        end = valid.index("\n", end) + 1
    return valid[start:end - 1]


def text_ink(text, shape=PANEL_PX, dpi=80) -> np.ndarray:
    """The glyphs of ``text`` in the passage panel: an (H, W) array, 1 where there is ink.

    Line r, character k sits in grid cell (r + 1, k + 1) of a grid of (PANEL_ROWS + 2) x
    (CELL_COLUMNS + 2) cells over the panel, in a monospace font sized so that a character's
    advance is a cell's width.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height, width = shape
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set(xlim=(-1, CELL_COLUMNS + 1), ylim=(PANEL_ROWS + 1, -1))
    ax.axis("off")
    probe = ax.text(0, 0, "M" * CELL_COLUMNS, family="monospace", fontsize=10)
    fig.draw_without_rendering()
    size = 10 * width * CELL_COLUMNS / (CELL_COLUMNS + 2) / probe.get_window_extent().width
    probe.remove()
    for row, line in enumerate(text.split("\n")[:PANEL_ROWS]):
        ax.text(0, row + 0.55, line[:CELL_COLUMNS], family="monospace", fontsize=size,
                va="center", ha="left", color="black")
    fig.canvas.draw()
    grey = np.asarray(fig.canvas.buffer_rgba())[..., 0].astype(np.float64)
    return 1.0 - grey / 255.0


def cell_run(passage) -> CellData:
    """The pretrained model reads the WARMUP characters before a passage, then the passage.

    Parameters
    ----------
    passage : str
        A name of :data:`PASSAGES`.

    Returns
    -------
    CellData
    """
    check_choice("passage", passage, tuple(PASSAGES))
    model = pretrained()
    start, _ = PASSAGES[passage]
    text = passage_text(passage)
    read = corpus.load_corpus().valid[max(0, start - WARMUP):start] + text
    _, _, cache = charlm.forward(model.vocab.encode(read)[:, None], model.params,
                                 cell=model.config.cell)
    acts = np.tanh(cache.cell.cs[-len(text):, 0])  # (N, H)
    signals = {k: v[-len(text):] for k, v in textstats.indicators(read).items()}
    return CellData(passage, text, acts, signals, text_ink(text))


def colour_grid(text, values, rows=PANEL_ROWS, columns=CELL_COLUMNS) -> np.ndarray:
    """RGB colours of the character cells of ``text`` laid out in lines (a blank cell all round):
    each character's cell coloured by its value in [-1, 1] (:data:`CELL_CMAP`), white if none.

    Returns
    -------
    ndarray of uint8, shape (rows + 2, columns + 2, 3)
    """
    grid = np.full((rows + 2, columns + 2, 3), 255, dtype=np.uint8)
    k = 0
    for row, line in enumerate(text.split("\n")[:rows]):
        n = min(len(line), columns)
        grid[row + 1, 1:n + 1] = CELL_CMAP((values[k:k + n] + 1) / 2, bytes=True)[:, :3]
        k += len(line) + 1  # the line break's own value is not shown
    return grid


@functools.lru_cache(maxsize=4)
def _cell_of_pixel(shape, grid_shape):
    height, width = shape
    rows = ((np.arange(height) + 0.5) * grid_shape[0] / height).astype(np.intp)
    cols = ((np.arange(width) + 0.5) * grid_shape[1] / width).astype(np.intp)
    return rows[:, None] * grid_shape[1] + cols[None, :]  # (H, W) index into the flat grid


def compose(grid, ink) -> np.ndarray:
    """The panel's pixels: each pixel takes its character cell's colour, darkened by the ink.

    Parameters
    ----------
    grid : ndarray of uint8, shape (R, C, 3)
        A colour per character cell (:func:`colour_grid`).
    ink : ndarray, shape (H, W)
        In [0, 1] (:func:`text_ink`).

    Returns
    -------
    ndarray of uint8, shape (H, W, 4)
        Opaque RGBA.
    """
    flat = _cell_of_pixel(ink.shape, grid.shape[:2])
    paper = np.round(256 * (1.0 - ink)).astype(np.uint16)[..., None]  # 0..256
    out = np.empty(ink.shape + (4,), dtype=np.uint8)
    out[..., :3] = (grid.reshape(-1, 3)[flat].astype(np.uint16) * paper + 128) >> 8
    out[..., 3] = 255
    return out


class PixelImage(AxesImage):
    """An AxesImage of opaque RGBA uint8 pixels that fills its axes: drawn pixel for pixel,
    without resampling, when its shape is the axes' size in pixels (at other resolutions, as
    any AxesImage)."""

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        A, box = np.ma.getdata(self._A), self.axes.bbox
        if (magnification == 1.0 and A.dtype == np.uint8 and A.ndim == 3
                and abs(box.height - A.shape[0]) < 1e-6 and abs(box.width - A.shape[1]) < 1e-6):
            return A[::-1], box.x0, box.y0, None  # Agg draws from the bottom row up
        return super().make_image(renderer, magnification, unsampled)


class CellArtists(NamedTuple):
    image: object  # AxesImage: the coloured passage, one pixel per pixel
    title: object  # Text


@register
class CellExplorer(Explorer):
    controls = (
        Choice("cell", "cell", CELL_OPTIONS, CELL_OPTIONS[0], widget="dropdown", stage="view"),
        Choice("passage", "passage", tuple(PASSAGES), "prose"),  # toggle buttons
    )
    figsize = (7.5, 3.5)
    twin_scale = 1.0
    twin_bytes_per_px = 0.16  # coloured text
    caption = (
        "A passage of the validation text read by the pretrained LSTM (after the 1000 "
        "characters before it); each character is coloured by one cell's value tanh(c_t) "
        "after reading it: orange −1, white 0, blue +1. The cells on offer are those the "
        "chapter's search found most correlated with a signal it names, and two it did not "
        "single out; the heading gives the cell's correlation r with its signal on this "
        "passage.")
    alt = ("A passage of text with every character coloured by the activation of one cell "
           "of the pretrained LSTM, orange for negative and blue for positive")

    def compute(self, passage):
        # every cell on offer is composed here, once per passage: picking a cell is a lookup
        d = cell_run(passage)
        return {option: cell_view(d, option) for option in CELL_OPTIONS}

    def select(self, views, cell):
        check_choice("cell", cell, CELL_OPTIONS)
        return views[cell]

    def draw(self, v):
        fig, ax = figure(*self.figsize, layout=None)
        height, width = PANEL_PX
        fig_w, fig_h = (size * self.dpi for size in self.figsize)
        ax.set_position([4 / fig_w, 4 / fig_h, width / fig_w, height / fig_h])
        ax.set(xlim=(0, width), ylim=(height, 0))
        ax.axis("off")
        ax.spines[:].set_visible(False)  # (a frame draws the spines above the image otherwise)
        image = PixelImage(ax, extent=(0, width, height, 0), interpolation="nearest")
        image.set_data(np.full((height, width, 4), 255, dtype=np.uint8))
        ax.add_image(image)
        return fig, CellArtists(image, heading(ax))

    def update(self, a, v):
        a.image.set_data(v.pixels)
        tracks = (f"tracks “{v.what}”? r = {v.r:+.2f} on this passage" if v.what
                  else "no signal found for it")
        a.title.set_text(f"cell {v.cell}: {tracks}")
