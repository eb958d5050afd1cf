"""House plotting style: one colour-blind-safe palette and figure helpers for every chapter.

Figures are built with :class:`matplotlib.figure.Figure` directly (never through ``pyplot``), so
they are not auto-displayed and carry no global state; explorers and chapters both use them.
The palette keeps the names and hues of Okabe & Ito's (2008) colour-blind-safe colours, with the
light ones darkened so that every colour has at least 3:1 contrast on white (WCAG 2.x, graphics
and large text) and every pair stays apart under simulated deuteranopia, protanopia and
tritanopia (tests/test_plotting.py checks both).
"""
from __future__ import annotations

import matplotlib as mpl
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

#: House colours by name. Use these names, not raw hex codes, in chapters and explorers.
#: Okabe-Ito's hues, darkened where needed for >= 3:1 contrast on white (Okabe-Ito's own orange
#: E69F00, sky 56B4E9, yellow F0E442 and reddish purple CC79A7 have 2.25, 2.31, 1.32 and 3.06).
#: Every pair except yellow's is at least 10 apart (CIEDE2000) for normal vision and under
#: Machado et al.'s (2009) simulation of each dichromacy. Yellow is for a highlight only: under
#: deuteranopia and protanopia it is close to orange.
PALETTE = {
    "blue": "#0072B2",  # 5.2:1
    "orange": "#C38200",  # 3.2:1
    "green": "#00935A",  # 4.0:1
    "vermillion": "#C73F00",  # 5.1:1
    "sky": "#009AD0",  # 3.2:1
    "purple": "#B63488",  # 5.5:1
    "yellow": "#8F8400",  # 3.8:1
    "black": "#000000",
    "grey": "#7F7F7F",  # 4.0:1
}
#: Colour cycle for several lines in one axes, most distinct first.
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
#: Perceptually uniform, colour-blind-safe colormap for surfaces and contour maps.
CMAP = "cividis"

#: Text sizes in points. A phone shows a 7.5-in figure about 342 px wide, at 0.63 CSS px per point
#: (96 dpi) and an explorer frame at 0.63 too (80 dpi, 600 -> 342 px): 11-pt ticks are 7 px there,
#: where 9-pt ones were under 6; on a desktop (about 1.2 px per point) they are 13 px.
FONT_SIZE = 11

RC = {
    "axes.prop_cycle": cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": FONT_SIZE,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "figure.titlesize": 13,
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


def relative_luminance(colour) -> float:
    """WCAG 2.x relative luminance of a colour (any matplotlib colour spec), 0 (black) to 1 (white)."""
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in mpl.colors.to_rgb(colour)]
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def contrast_ratio(colour, background="#FFFFFF") -> float:
    """WCAG 2.x contrast ratio of two colours, 1 to 21 (3 is the minimum for lines and large text)."""
    lighter, darker = sorted((relative_luminance(colour), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def heading(ax, fontsize: float = FONT_SIZE):
    """A left-aligned text line just above ``ax``, for an explorer's status message.

    A plain text artist rather than an axes title: matplotlib re-measures every tick label to
    place a title on each draw, which would double the cost of a frame.
    """
    return ax.text(0.0, 1.03, "", transform=ax.transAxes, fontsize=fontsize, ha="left", va="bottom")
