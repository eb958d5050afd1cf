"""The explorer framework: one object that is a live widget in Jupyter and a static twin in the book.

An explorer has three layers (see DESIGN.md section 3):

1. compute: ``compute(**values) -> data``, a pure function of the control values;
2. view: ``draw(data) -> Figure`` builds the figure once and keeps its artists;
   ``update(data)`` only moves them (``set_data``, ``set_text``...);
3. controls: :class:`Slider` and :class:`Choice` declarations, turned into ipywidgets in a notebook
   and into labelled ``<input type="range">`` elements in the static twin.

One display call serves every viewer: :meth:`Explorer._repr_mimebundle_` returns the widget view
(live Jupyter, JupyterLab, Colab), a PNG of the default state (viewers with no widgets), and, only
while the book is being built (environment variable ``RNNLEARN_STATIC_EXPLORERS=1``), the static
twin as ``text/html``: frames precomputed over every control's grid and a few lines of plain JS.

Tests and benchmarks drive explorers headlessly with :meth:`Explorer.set` and read the artists back.
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import os
import traceback
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D

from .. import plotting

STATIC_ENV = "RNNLEARN_STATIC_EXPLORERS"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Every concrete explorer class, registered on definition (name -> class), for tests and benchmarks.
REGISTRY: dict[str, type["Explorer"]] = {}


def static_mode() -> bool:
    """True while the book is being built: explorers then also emit their static twin."""
    return os.environ.get(STATIC_ENV, "") == "1"


@dataclass(frozen=True)
class Slider:
    """A numeric control.

    Parameters
    ----------
    name : str
        Keyword passed to ``compute``.
    label : str
        What the reader sees, e.g. ``"learning rate α"``.
    lo, hi : float
        Range; both ends are reachable, live and static.
    default : float
        Start value (the static twin starts at the grid point nearest to it).
    log : bool
        Logarithmic scale (``lo`` must then be positive).
    frames : int
        Number of grid points in the static twin (and in the sweep tests).
    live_steps : int
        Number of slider steps in the live widget.
    fmt : str
        Format spec for the read-out.
    """

    name: str
    label: str
    lo: float
    hi: float
    default: float
    log: bool = False
    frames: int = 21
    live_steps: int = 200
    fmt: str = ".3g"

    def __post_init__(self):
        if not self.lo < self.hi:
            raise ValueError(f"Slider {self.name!r}: need lo < hi; got lo={self.lo}, hi={self.hi}")
        if self.log and self.lo <= 0:
            raise ValueError(f"Slider {self.name!r}: a log slider needs lo > 0; got {self.lo}")
        if not self.lo <= self.default <= self.hi:
            raise ValueError(
                f"Slider {self.name!r}: default must lie in [{self.lo}, {self.hi}]; got {self.default}"
            )
        if self.frames < 2 or self.live_steps < 2:
            raise ValueError(f"Slider {self.name!r}: frames and live_steps must be >= 2")

    def grid(self) -> list[float]:
        """The static twin's values, ends included."""
        if self.log:
            values = np.logspace(math.log10(self.lo), math.log10(self.hi), self.frames)
        else:
            values = np.linspace(self.lo, self.hi, self.frames)
        return [float(v) for v in values]

    def validate(self, value) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{self.name} must be a number; got {type(value).__name__}")
        value = float(value)
        # the live log slider can land a rounding error outside the range: allow 1e-9 relative
        tol = 1e-9 * max(abs(self.lo), abs(self.hi))
        if not (self.lo - tol <= value <= self.hi + tol):
            raise ValueError(f"{self.name} must lie in [{self.lo:g}, {self.hi:g}]; got {value:g}")
        return min(max(value, self.lo), self.hi)

    def text(self, value) -> str:
        return format(value, self.fmt)

    def widget(self, value):
        import ipywidgets as widgets

        common = dict(
            value=value,
            description=self.label,
            continuous_update=True,
            readout_format=self.fmt,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="95%"),
        )
        # a whole number of live steps per static grid step: the live slider lands on every frame
        steps = (self.frames - 1) * max(1, round(self.live_steps / (self.frames - 1)))
        if self.log:
            lo, hi = math.log10(self.lo), math.log10(self.hi)
            return widgets.FloatLogSlider(min=lo, max=hi, step=(hi - lo) / steps, base=10, **common)
        return widgets.FloatSlider(min=self.lo, max=self.hi, step=(self.hi - self.lo) / steps, **common)


@dataclass(frozen=True)
class Choice:
    """A control choosing one of a few named options (e.g. an activation function)."""

    name: str
    label: str
    options: tuple[str, ...]
    default: str

    def __post_init__(self):
        if self.default not in self.options:
            raise ValueError(f"Choice {self.name!r}: default must be one of {self.options}; got {self.default!r}")

    def grid(self) -> list[str]:
        return list(self.options)

    def validate(self, value) -> str:
        if value not in self.options:
            raise ValueError(f"{self.name} must be one of {list(self.options)}; got {value!r}")
        return value

    def text(self, value) -> str:
        return str(value)

    def widget(self, value):
        import ipywidgets as widgets

        return widgets.ToggleButtons(
            options=list(self.options), value=value, description=self.label,
            style={"description_width": "initial"},
        )


Control = Slider | Choice


class Explorer:
    """Base class of every explorer. Subclasses declare ``controls``, ``caption`` and ``alt`` and
    implement :meth:`compute`, :meth:`draw` and :meth:`update`.

    Parameters
    ----------
    **values
        Start values for some controls (default: each control's ``default``).
    """

    controls: ClassVar[tuple[Control, ...]] = ()
    #: One or two sentences shown under the figure, live and static.
    caption: ClassVar[str] = ""
    #: Alt text for the picture; the current control values are appended to it.
    alt: ClassVar[str] = ""
    #: Resolution of every rendered frame, live and static.
    dpi: ClassVar[int] = 80
    #: Colours in a static frame (palette PNG). Octree quantisation keeps every house colour
    #: within 8/255 of itself (median cut merged thin lines' colours) and gives smaller files.
    frame_colors: ClassVar[int] = 128
    #: Resolutions of the static frames relative to ``dpi``, sharpest first: the twin uses the
    #: first whose frames fit ``frame_budget``, and shows it at the 1x size (sharp on HiDPI).
    twin_scales: ClassVar[tuple[float, ...]] = (2.0, 1.5, 1.25, 1.0)
    #: Bytes of base64 frames allowed in one twin: the 2 MB twin budget minus room for the
    #: alt texts, the script and frames an explorer may gain.
    frame_budget: ClassVar[int] = 1_600_000

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.controls:
            REGISTRY[cls.__name__] = cls

    def __init__(self, **values):
        self._controls = {c.name: c for c in self.controls}
        self.values = {c.name: c.default for c in self.controls}
        self.values.update(self._validated(values))
        data = self.compute(**self.values)
        with plotting.style():  # lay out in the house style too: ticks are made at draw time
            self.fig = self.draw(data)
            if self.fig.get_layout_engine() is not None:  # lay out once, then freeze: fast redraws
                self.fig.draw_without_rendering()
                self.fig.set_layout_engine(None)  # None, not "none": a placeholder engine costs savefig a second draw
            self._keep_inside()  # the constrained layout can still leave an axis label cut off
        self._widget = None
        #: The resolution (times ``dpi``) of the last static twin's frames.
        self.twin_scale: float | None = None

    def _keep_inside(self, pad_px: float = 3.0) -> None:
        """Move the axes inwards where a tick label or an axis label would be cut off by the
        figure's edge (hand-placed figures after the house font sizes grew; and the constrained
        layout, which can misplace a legend-heavy figure)."""
        fig = self.fig
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

    # -- the three methods a subclass writes --------------------------------------------------
    def compute(self, **values) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def draw(self, data) -> Figure:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, data) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- headless API ---------------------------------------------------------------------------
    def _validated(self, values: dict) -> dict:
        unknown = set(values) - set(self._controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has {list(self._controls)}")
        return {name: self._controls[name].validate(v) for name, v in values.items()}

    def set(self, **values):
        """Set some control values, recompute and move the artists; returns the computed data."""
        self.values.update(self._validated(values))
        data = self.compute(**self.values)
        with plotting.style():
            self.update(data)
        return data

    def grid(self):
        """Every combination of the controls' static grids, as dicts (the static twin's frames)."""
        names = [c.name for c in self.controls]
        for combo in itertools.product(*(c.grid() for c in self.controls)):
            yield dict(zip(names, combo))

    def plotted_data(self) -> list[np.ndarray]:
        """The numeric data of every line, collection and image in the figure (for finiteness checks)."""
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

    def png(self, scale: float = 1.0) -> bytes:
        """Render the current state to PNG bytes (draws the figure) at ``scale`` times ``dpi``."""
        buf = io.BytesIO()
        with plotting.style():  # ticks made at draw time take the house sizes, as in the layout
            self.fig.savefig(buf, format="png", dpi=self.dpi * scale)
        return buf.getvalue()

    def size_px(self) -> tuple[int, int]:
        """Width and height of a 1x frame, in CSS pixels."""
        width, height = self.fig.get_size_inches() * self.dpi
        return round(width), round(height)

    def outcome(self) -> str:
        """What the current frame shows, in words: the text of every heading and status line
        (``ax.text``, :func:`rnnlearn.plotting.heading`) and every legend entry that the update
        rewrote (its text differs from its line's label), prefixed by the axes title."""
        parts = []
        for ax in self.fig.axes:
            parts.extend(" ".join(t.get_text().split()) for t in ax.texts if t.get_visible() and t.get_text().strip())
            legend = ax.get_legend()
            if legend is None:
                continue
            handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
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

    # -- live widget ------------------------------------------------------------------------------
    def widget(self):
        """The live ipywidgets view (built once, then reused)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as widgets

        image = widgets.Image(value=self.png(), format="png", layout=widgets.Layout(max_width="100%"))
        errors = widgets.Output()
        controls = {c.name: c.widget(self.values[c.name]) for c in self.controls}

        def on_change(change, name):
            try:
                self.set(**{name: change["new"]})
                image.value = self.png()
                errors.outputs = ()
            except Exception:  # show it to the reader: a silent callback error looks like a frozen plot
                errors.outputs = ({"output_type": "stream", "name": "stderr", "text": traceback.format_exc()},)

        for name, control in controls.items():
            control.observe(lambda change, name=name: on_change(change, name), names="value")
        caption = widgets.HTML(f"<small>{html.escape(self.caption)}</small>")
        box = widgets.VBox([*controls.values(), image, caption, errors])
        box.controls, box.image, box.errors = controls, image, errors  # handles for tests
        return box

    # -- static twin ------------------------------------------------------------------------------
    def _frame(self, image=None, scale: float | None = None) -> str:
        """A small palette PNG data URI: of the current state rendered at ``scale`` (default: the
        sharpest of ``twin_scales``), or of ``image`` (a PIL image) resized to ``scale``."""
        from PIL import Image

        scale = self.twin_scales[0] if scale is None else scale
        if image is None:
            img = Image.open(io.BytesIO(self.png(scale))).convert("RGB")
        else:
            width, height = self.size_px()
            img = image.convert("RGB").resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
        img = img.quantize(colors=self.frame_colors, method=Image.Quantize.FASTOCTREE)
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    def _fit_frames(self, frames: list[str]) -> tuple[list[str], float]:
        """The frames at the sharpest of ``twin_scales`` whose total fits ``frame_budget``
        (the last scale if none does), downsampled from the sharpest rendering."""
        from PIL import Image

        scale = self.twin_scales[0]
        images = None
        for smaller in self.twin_scales[1:]:
            if sum(len(f) for f in frames) <= self.frame_budget:
                break
            if images is None:
                images = [Image.open(io.BytesIO(base64.b64decode(f.split(",", 1)[1]))) for f in frames]
            frames, scale = [self._frame(img, smaller) for img in images], smaller
        return frames, scale

    def static_html(self) -> str:
        """Self-contained HTML: the frames over every grid point, one range input per control."""
        start = dict(self.values)
        grids = [c.grid() for c in self.controls]
        # the grid point nearest to each start value: the twin opens on (about) the default state
        start_index = [
            int(np.argmin([abs(v - start[c.name]) for v in g])) if isinstance(c, Slider) else g.index(start[c.name])
            for c, g in zip(self.controls, grids)
        ]
        frames, frame_of, alts = [], [], []
        seen: dict[str, int] = {}
        for values in self.grid():
            self.set(**values)
            uri = self._frame()
            frame_of.append(seen.setdefault(uri, len(seen)))
            if frame_of[-1] == len(frames):
                frames.append(uri)
            alts.append(self.describe())
        self.set(**start)
        frames, self.twin_scale = self._fit_frames(frames)

        uid = "rx-" + uuid.uuid4().hex[:10]
        strides = [math.prod(len(g) for g in grids[i + 1:]) for i in range(len(grids))]
        first = sum(i * s for i, s in zip(start_index, strides))
        rows, readout_width = [], 0
        for c, g, i in zip(self.controls, grids, start_index):
            labels = [c.text(v) for v in g]
            readout_width = max(readout_width, *(len(t) for t in labels))
            rows.append(
                f'<label class="rx-row"><span class="rx-name">{html.escape(c.label)}</span>'
                f'<span class="rx-ctl"><input type="range" min="0" max="{len(g) - 1}" step="1" value="{i}" '
                f'aria-label="{html.escape(c.label)}" aria-valuetext="{html.escape(labels[i])}" '
                f'data-labels="{html.escape(json.dumps(labels))}">'
                f'<output>{html.escape(labels[i])}</output></span></label>'
            )
        # label column: the longest label (a proportional font's letters are narrower than 1ch)
        name_width = max(len(c.label) for c in self.controls)
        width, height = self.size_px()
        payload = json.dumps({"frames": frames, "frame_of": frame_of, "alts": alts, "strides": strides})
        r = f"#{uid}"
        narrow = (f"{r} .rx-row{{flex-wrap:wrap;row-gap:0}} {r} .rx-name{{flex:1 0 100%;white-space:normal}} "
                  f"{r} .rx-ctl{{flex:1 0 100%}}")
        thumb = "width:24px;height:24px;border-radius:50%;background:#0072B2;border:2px solid #fff;" \
                "box-shadow:0 0 0 1px #0072B2;box-sizing:border-box"
        track = "height:6px;border-radius:3px;background:#767676"
        return f"""<figure class="rnnlearn-explorer" id="{uid}">
<style>{r}{{container:rx-{uid[3:]}/inline-size;margin:1em 0}}
{r} .rx-row{{display:flex;align-items:center;gap:.2em .6em;margin:.1em 0;font-size:.9em}}
{r} .rx-name{{flex:0 0 auto;min-width:{name_width}ch;white-space:nowrap}}
{r} .rx-ctl{{flex:1 1 12em;display:flex;align-items:center;gap:.6em;min-width:0}}
{r} input[type=range]{{flex:1 1 auto;min-width:0;height:32px;margin:0;background:transparent;cursor:pointer;-webkit-appearance:none;appearance:none}}
{r} input[type=range]::-webkit-slider-runnable-track{{{track}}}
{r} input[type=range]::-webkit-slider-thumb{{-webkit-appearance:none;appearance:none;margin-top:-9px;{thumb}}}
{r} input[type=range]::-moz-range-track{{{track}}}
{r} input[type=range]::-moz-range-thumb{{{thumb}}}
{r} input[type=range]:focus-visible{{outline:3px solid #C132AF;outline-offset:2px}}
{r} output{{flex:0 0 auto;min-width:{readout_width}ch;font-family:monospace,monospace;white-space:nowrap;text-align:right}}
{r} img{{display:block;max-width:100%;height:auto;margin-top:.3em}}
{r} figcaption{{text-align:left}}
@media (max-width:600px){{{narrow}}}
@container rx-{uid[3:]} (max-width:560px){{{narrow}}}</style>
<div class="rx-controls">{''.join(rows)}</div>
<img src="{frames[frame_of[first]]}" width="{width}" height="{height}" alt="{html.escape(alts[first])}">
<figcaption>{html.escape(self.caption)}</figcaption>
<script type="application/json" class="rx-data">{payload}</script>
<script>(function () {{
  var root = document.getElementById("{uid}");
  var data = JSON.parse(root.querySelector(".rx-data").textContent);
  var inputs = root.querySelectorAll("input[type=range]"), img = root.querySelector("img");
  function show() {{
    var k = 0;
    inputs.forEach(function (input, i) {{
      var label = JSON.parse(input.dataset.labels)[Number(input.value)];
      k += Number(input.value) * data.strides[i];
      input.nextElementSibling.textContent = label;
      input.setAttribute("aria-valuetext", label);
    }});
    img.src = data.frames[data.frame_of[k]];
    img.alt = data.alts[k];
  }}
  inputs.forEach(function (input) {{ input.addEventListener("input", show); }});
}})();</script>
</figure>"""

    # -- display ----------------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            "text/plain": f"<{type(self).__name__}: {self.describe()}>",
            "image/png": base64.b64encode(self.png()).decode("ascii"),
        }
        if static_mode():
            bundle["text/html"] = self.static_html()
        else:
            bundle[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0, "model_id": self.widget().model_id}
        return bundle
