"""The explorer framework: one object, a live widget in Jupyter and a static twin in the book.

An explorer has three layers (DESIGN.md section 3):

1. compute: ``compute(**model_values) -> data``, pure and memoised per instance (keyed by the
   model controls' values); ``select(data, **view_values) -> view`` serves the view controls
   cheaply (default: the data itself, for explorers without view controls);
2. view: ``draw(view) -> (fig, artists)`` builds the figure once, ``artists`` a NamedTuple of
   everything ``update(artists, view)`` moves; the rest is a static background drawn once and
   reused (:mod:`.render`), live and in the twin alike;
3. controls (:mod:`.controls`): ipywidgets live (:mod:`.live`), HTML inputs in the twin
   (:mod:`.twin`).

Each concrete explorer is registered with :func:`register`; its static twin's frame count and
estimated size are checked against its declared budget when the class is defined. Tests and
benchmarks drive explorers headlessly with :meth:`Explorer.set` and read the artists back.
"""
from __future__ import annotations

import base64
import itertools
import os
from collections import OrderedDict
from typing import Any, ClassVar

import numpy as np
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

from .. import plotting
from .controls import Control
from .render import Blitter, flatten, png_bytes
from .twin import check_budget, static_html

STATIC_ENV = "RNNLEARN_STATIC_EXPLORERS"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Every registered explorer class (name -> class), for the book, tests and benchmarks.
REGISTRY: dict[str, type["Explorer"]] = {}


def static_mode() -> bool:
    """True while the book is being built: explorers then also emit their static twin."""
    return os.environ.get(STATIC_ENV, "") == "1"


def register(cls):
    """Class decorator: list an explorer in :data:`REGISTRY` (swept by tests and benchmarks)."""
    if not (isinstance(cls, type) and issubclass(cls, Explorer) and cls.controls):
        raise TypeError(f"register expects an Explorer subclass with controls; got {cls!r}")
    REGISTRY[cls.__name__] = cls
    return cls


class Explorer:
    """Base class of every explorer.

    Subclasses declare ``controls``, ``caption``, ``alt``, ``figsize`` and ``twin_scale`` and
    implement :meth:`compute`, :meth:`draw` and :meth:`update` (and :meth:`select` when they
    have view controls).

    Parameters
    ----------
    **values
        Start values for some controls (default: each control's ``default``).
    """

    controls: ClassVar[tuple[Control, ...]] = ()
    #: One or two sentences shown under the figure, live and static.
    caption: ClassVar[str] = ""
    #: Alt text for the picture; the outcome and the control values are appended to it.
    alt: ClassVar[str] = ""
    #: Figure size in inches; ``draw`` must make a figure of this size (checked).
    figsize: ClassVar[tuple[float, float]] = (7.5, 3.2)
    #: Resolution of a 1x frame: 7.5 in at 80 dpi is 600 CSS pixels.
    dpi: ClassVar[int] = 80
    #: Resolution of the twin's frames (times ``dpi``), shown at the 1x size: 2 is sharp on HiDPI.
    twin_scale: ClassVar[float] = 1.0
    #: Resolution of the live frames (times ``dpi``), shown at the 1x CSS size.
    live_scale: ClassVar[float] = 1.0
    #: Colours in a twin frame (palette PNG).
    frame_colors: ClassVar[int] = 128
    #: Budgets checked at class definition: the twin's frames and its estimated size in bytes.
    max_frames: ClassVar[int] = 150
    twin_budget: ClassVar[int] = 2_000_000
    #: Twin bytes (base64 included) per 1x frame pixel and per unit of ``twin_scale``: a palette
    #: PNG of line art grows with the length of its edges, i.e. linearly in the scale. 0.09
    #: covers five of Part I's six measured twins (0.049-0.086); a busier explorer declares its own.
    twin_bytes_per_px: ClassVar[float] = 0.09
    #: Model-stage results kept per instance (least recently used dropped first).
    memo_size: ClassVar[int] = 32
    #: Fields of the artists NamedTuple that hold static artists (for :meth:`show_background`),
    #: not moved by ``update`` and drawn into the background.
    static_fields: ClassVar[tuple[str, ...]] = ()
    #: True if ``update`` changes something static (axis limits, ticks): every frame is then
    #: drawn in full. Avoid it.
    redraw_on_update: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.controls:
            names = [c.name for c in cls.controls]
            if len(set(names)) != len(names):
                raise ValueError(f"{cls.__name__}: control names must be unique; got {names}")
            check_budget(cls)

    def __init__(self, **values):
        self._controls = {c.name: c for c in self.controls}
        self._memo: OrderedDict = OrderedDict()
        self._listeners: list = []
        self._widget = None
        start = {c.name: c.default for c in self.controls}
        start.update(self._validated(values))
        view = self._select(self._model(start), start)
        with plotting.style():  # lay out in the house style too: ticks are made at draw time
            fig, artists = self.draw(view)
            self.update(artists, view)
            if fig.get_layout_engine() is not None:  # lay out once, then freeze: fast redraws
                fig.draw_without_rendering()
                fig.set_layout_engine(None)
            _keep_inside(fig)
        if not np.allclose(fig.get_size_inches(), self.figsize):
            size = tuple(fig.get_size_inches())
            raise ValueError(f"{type(self).__name__}: draw made a {size} in figure; the class "
                             f"declares figsize = {self.figsize}")
        self.fig, self.artists = fig, artists
        self.values, self._view = start, view
        moving = [a for f, v in zip(artists._fields, artists) if f not in self.static_fields
                  for a in flatten(v)]
        self._blitter = Blitter(fig, moving, self.dpi, style=plotting.style)

    # -- what a subclass writes --------------------------------------------------------------------
    def compute(self, **model_values) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def select(self, data, **view_values):
        """What the view controls pick out of the model stage's data (default: all of it)."""
        if view_values:
            raise NotImplementedError(f"{type(self).__name__} has view controls: write select()")
        return data

    def draw(self, view):  # pragma: no cover - abstract
        """Build the figure; return ``(fig, artists)`` (the framework calls ``update`` next)."""
        raise NotImplementedError

    def update(self, artists, view) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def background_key(self, view):
        """Which static background this view needs (default: one for all views)."""
        return None

    def show_background(self, artists, key) -> None:
        """Make the static artists show background ``key`` (before it is drawn and cached)."""

    # -- stages ------------------------------------------------------------------------------------
    def _stage_values(self, values: dict, stage: str) -> dict:
        return {c.name: values[c.name] for c in self.controls if c.stage == stage}

    def _model(self, values: dict):
        model = self._stage_values(values, "model")
        key = tuple(model.values())
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]
        data = self.compute(**model)
        self._memo[key] = data
        while len(self._memo) > self.memo_size:
            self._memo.popitem(last=False)
        return data

    def _select(self, data, values: dict):
        return self.select(data, **self._stage_values(values, "view"))

    # -- headless API ------------------------------------------------------------------------------
    def _validated(self, values: dict) -> dict:
        unknown = set(values) - set(self._controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has "
                             f"{list(self._controls)}")
        return {name: self._controls[name].validate(v) for name, v in values.items()}

    def set(self, **values):
        """Set some control values and move the artists; returns the view drawn.

        The values change only once compute, select and update have succeeded; on an error the
        values, the figure and the live widgets stay as they were.
        """
        new = {**self.values, **self._validated(values)}
        view = self._select(self._model(new), new)
        try:
            self.update(self.artists, view)
        except BaseException:
            self.update(self.artists, self._view)
            raise
        self.values, self._view = new, view
        for listener in self._listeners:
            listener()
        return view

    def grid(self):
        """Every combination of the twin's control values, as dicts (live-only controls pinned to
        their current value)."""
        names = [c.name for c in self.controls]
        grids = [c.grid() if c.static else [self.values[c.name]] for c in self.controls]
        for combo in itertools.product(*grids):
            yield dict(zip(names, combo))

    def plotted_data(self) -> list[np.ndarray]:
        """The numeric data of every line, collection and image in the figure (moving or not)."""
        arrays = []
        for ax in self.fig.axes:
            for artist in ax.get_children():
                if isinstance(artist, Line2D):
                    arrays.append(np.asarray(artist.get_xydata(), dtype=float))
                elif isinstance(artist, Collection):
                    arrays.append(np.asarray(artist.get_offsets(), dtype=float))
                    arrays.extend(np.asarray(p.vertices, dtype=float) for p in artist.get_paths())
                elif isinstance(artist, AxesImage):
                    arrays.append(np.ma.getdata(artist.get_array()).astype(float))
        return arrays

    def pixels(self, scale: float = 1.0) -> np.ndarray:
        """The current state as an (H, W, 4) uint8 RGBA array at ``scale`` times ``dpi``
        (blitted: the cached background and the moving artists drawn on it)."""
        if self.redraw_on_update:
            self._blitter.invalidate()

        def prepare(key):
            self.show_background(self.artists, key)

        return self._blitter.array(scale, self.background_key(self._view), prepare)

    def image(self, scale: float = 1.0):
        """The current state as a PIL RGBA image at ``scale`` times ``dpi`` (blitted)."""
        from PIL import Image

        return Image.fromarray(self.pixels(scale))

    def png(self, scale: float = 1.0) -> bytes:
        """The current state as PNG bytes at ``scale`` times ``dpi``."""
        return png_bytes(self.pixels(scale))

    def full_image(self, scale: float = 1.0):
        """The current state by a full redraw (no blitting): to check the blitted frames."""
        self.show_background(self.artists, self.background_key(self._view))
        with plotting.style():
            return self._blitter.full(scale)

    def size_px(self) -> tuple[int, int]:
        """Width and height of a 1x frame, in CSS pixels."""
        return round(self.figsize[0] * self.dpi), round(self.figsize[1] * self.dpi)

    def outcome(self) -> str:
        """What the current frame shows, in words: the text of every heading and status line
        and every legend entry that the update rewrote, prefixed by the axes title."""
        parts = []
        for ax in self.fig.axes:
            parts.extend(" ".join(t.get_text().split()) for t in ax.texts
                         if t.get_visible() and t.get_text().strip())
            legend = ax.get_legend()
            if legend is None:
                continue
            handles = (getattr(legend, "legend_handles", None)
                       or getattr(legend, "legendHandles", []))
            rewritten = [" ".join(t.get_text().split()) for t, h in zip(legend.get_texts(), handles)
                         if t.get_text() != h.get_label()]
            if rewritten:
                title = ax.get_title()
                parts.append((f"{title}: " if title else "") + ", ".join(rewritten))
        return "; ".join(parts)

    def describe(self) -> str:
        """Alt text for the current state: what the picture is, what it shows now, the controls."""
        state = ", ".join(f"{c.label} = {c.text(self.values[c.name])}" for c in self.controls)
        outcome = self.outcome()
        return f"{self.alt}. {outcome} ({state})" if outcome else f"{self.alt} ({state})"

    # -- live and static views ---------------------------------------------------------------------
    def widget(self):
        """The live ipywidgets view (built once, then reused)."""
        if self._widget is None:
            from .live import build_widget

            self._widget = build_widget(self)
        return self._widget

    def static_html(self) -> str:
        """The static twin: self-contained HTML with a frame per grid point (see :mod:`.twin`)."""
        return static_html(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            "text/plain": f"<{type(self).__name__}: {self.describe()}>",
            "image/png": base64.b64encode(self.png()).decode("ascii"),
        }
        if static_mode():
            bundle["text/html"] = self.static_html()
        else:
            bundle[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0,
                                   "model_id": self.widget().model_id}
        return bundle


def _keep_inside(fig, pad_px: float = 3.0) -> None:
    """Move the axes inwards where a tick label or an axis label would be cut off by the figure's
    edge (hand-placed figures; and the constrained layout, which can misplace a legend)."""
    fig.draw_without_rendering()  # places the axis labels where the next frame will have them
    width, height = fig.get_size_inches() * fig.dpi
    box = fig.get_tightbbox().transformed(fig.dpi_scale_trans)
    over = [max(0.0, pad_px - box.x0), max(0.0, box.x1 - width + pad_px),
            max(0.0, pad_px - box.y0), max(0.0, box.y1 - height + pad_px)]
    if any(over):  # squeeze every axes into the figure: an affine map of figure coordinates
        left, right = over[0] / width, 1 - over[1] / width
        bottom, top = over[2] / height, 1 - over[3] / height
        for ax in fig.axes:
            x0, y0, w, h = ax.get_position().bounds
            ax.set_position([left + x0 * (right - left), bottom + y0 * (top - bottom),
                             w * (right - left), h * (top - bottom)])
