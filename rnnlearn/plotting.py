"""House plotting style: one colour-blind-safe palette and figure helpers for every chapter.

Figures are built with :class:`matplotlib.figure.Figure` directly (never through ``pyplot``), so
they are not auto-displayed and carry no global state; explorers and chapters both use them.
The palette is Okabe & Ito's (2008) eight colours, safe for the common colour-vision deficiencies.
"""
from __future__ import annotations

import matplotlib as mpl
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

#: Okabe-Ito colours by role. Use these names, not raw hex codes, in chapters and explorers.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#7F7F7F",
}
#: Colour cycle for several lines in one axes, most distinct first.
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
#: Perceptually uniform, colour-blind-safe colormap for surfaces and contour maps.
CMAP = "cividis"

RC = {
    "axes.prop_cycle": cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "image.cmap": CMAP,
    "figure.dpi": 96,
    "savefig.dpi": 96,
}


def figure(width: float = 7.5, height: float = 3.2, nrows: int = 1, ncols: int = 1, layout="constrained", **subplot_kw):
    """Create a house-style figure with a grid of axes, outside pyplot.

    Axes take the house style when created here; artists added later take it too when they are
    added inside :func:`style` (explorers do this for you).

    Parameters
    ----------
    width, height : float
        Size in inches (the book's text column is about 7.5 in wide).
    nrows, ncols : int
        Axes grid; extra keyword arguments go to :meth:`Figure.subplots`.
    layout : str or None
        Matplotlib layout engine (explorers freeze it after the first draw).

    Returns
    -------
    fig : Figure
    axes : Axes or ndarray of Axes
        As :meth:`Figure.subplots` returns them.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive; got {width}, {height}")
    with style():
        fig = Figure(figsize=(width, height), dpi=RC["figure.dpi"], layout=layout)
        axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


def style():
    """Context manager that applies the house style to figures and artists made inside it."""
    return mpl.rc_context(RC)


def use() -> None:
    """Apply the house style for the rest of the session (chapters call this once)."""
    mpl.rcParams.update(RC)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: int) -> str:
    """Plain-text label of 10**exponent, e.g. ``10⁻³`` (``1`` for exponent 0)."""
    return "1" if exponent == 0 else "10" + str(int(exponent)).translate(_SUPERSCRIPT)


def log_axis(ax, exponents, axis: str = "y") -> None:
    """Log-scale axis with ticks at 10**exponents, labelled in plain Unicode (10⁻³), fixed limits.

    Matplotlib's default log labels are mathtext, parsed again on every draw: plain labels keep
    an explorer's redraw cheap.
    """
    exponents = list(exponents)
    ticks, labels = [10.0**e for e in exponents], [power_of_ten(e) for e in exponents]
    if axis == "y":
        ax.set_yscale("log")
        ax.set_yticks(ticks, labels)
        ax.set_ylim(ticks[0], ticks[-1])
        ax.yaxis.set_minor_locator(NullLocator())
    else:
        ax.set_xscale("log")
        ax.set_xticks(ticks, labels)
        ax.set_xlim(ticks[0], ticks[-1])
        ax.xaxis.set_minor_locator(NullLocator())


def heading(ax, fontsize: float = 10):
    """A left-aligned text line just above ``ax``, for an explorer's status message.

    A plain text artist rather than an axes title: matplotlib re-measures every tick label to
    place a title on each draw, which would double the cost of a frame.
    """
    return ax.text(0.0, 1.03, "", transform=ax.transAxes, fontsize=fontsize, ha="left", va="bottom")
