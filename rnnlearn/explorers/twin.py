"""The static twin of an explorer: its frames over every grid point as self-contained HTML.

One frame per combination of the static controls' grids, rendered once at the class's
``twin_scale`` through the same blitted path as live updates and shown at the 1x size; a labelled
control per control (a range input with ``aria-valuetext`` and a read-out, a ``<select>`` for a
dropdown, a checkbox for a toggle, fixed text for a live-only control), and a few lines of plain
JS that swap the frame and its alt text. No external URL. Used by :meth:`Explorer.static_html`
while the book is built; :func:`check_budget` checks a class's twin when the class is defined.
"""
from __future__ import annotations

import base64
import html
import itertools
import json
import math
import uuid

import numpy as np

from .controls import Choice, Toggle
from .render import palette_png


def start_index(control, grid: list, value) -> int:
    """The grid point nearest to ``value`` (log distance on a log slider)."""
    return int(np.argmin([control.distance(v, value) for v in grid]))


def sweep(explorer):
    """Render every twin frame: returns (distinct frame URIs, frame index per grid point, alt
    per grid point), grid points in the controls' order (first control slowest). The model
    stage is walked outermost, so the memo serves the view controls. The explorer's state is
    restored afterwards, even on an error."""
    controls = [c for c in explorer.controls if c.static]
    grids = {c.name: c.grid() for c in controls}
    strides = {c.name: math.prod(len(grids[d.name]) for d in controls[i + 1:])
               for i, c in enumerate(controls)}
    walk = sorted(controls, key=lambda c: c.stage != "model")  # stable: model controls first
    n = math.prod(len(g) for g in grids.values())
    frames, frame_of, alts, seen = [], [0] * n, [""] * n, {}
    start = dict(explorer.values)
    listeners, explorer._listeners = explorer._listeners, []  # a live view waits for the end
    try:
        for combo in itertools.product(*(list(enumerate(grids[c.name])) for c in walk)):
            explorer.set(**{c.name: v for c, (_, v) in zip(walk, combo)})
            k = sum(i * strides[c.name] for c, (i, _) in zip(walk, combo))
            png = palette_png(explorer.image(explorer.twin_scale), explorer.frame_colors)
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            frame_of[k] = seen.setdefault(uri, len(seen))
            if frame_of[k] == len(frames):
                frames.append(uri)
            alts[k] = explorer.describe()
    finally:
        explorer._listeners = listeners
        explorer.set(**start)
    return frames, frame_of, alts


def _row(c, grid, i, value) -> str:
    label = html.escape(c.label)
    name = f'<span class="rx-name">{label}</span>'
    if not c.static:  # live-only: pinned in the twin
        return (f'<div class="rx-row rx-fixed">{name}<span class="rx-ctl"><output>'
                f'{html.escape(c.text(value))}</output> <small>(live notebook only)</small>'
                f'</span></div>')
    if isinstance(c, Toggle):
        checked = " checked" if grid[i] else ""
        return (f'<label class="rx-row">{name}<span class="rx-ctl"><input type="checkbox" '
                f'data-rx aria-label="{label}"{checked}></span></label>')
    labels = [c.text(v) for v in grid]
    if isinstance(c, Choice) and c.dropdown:
        options = "".join(f'<option{" selected" if j == i else ""}>{html.escape(t)}</option>'
                          for j, t in enumerate(labels))
        return (f'<label class="rx-row">{name}<span class="rx-ctl"><select data-rx '
                f'aria-label="{label}">{options}</select></span></label>')
    return (f'<label class="rx-row">{name}<span class="rx-ctl"><input type="range" min="0" '
            f'max="{len(grid) - 1}" step="1" value="{i}" data-rx aria-label="{label}" '
            f'aria-valuetext="{html.escape(labels[i])}" '
            f'data-labels="{html.escape(json.dumps(labels))}">'
            f'<output>{html.escape(labels[i])}</output></span></label>')


def static_html(explorer) -> str:
    """Self-contained HTML: the frames over every grid point, one labelled control per control."""
    values = dict(explorer.values)
    frames, frame_of, alts = sweep(explorer)
    static = [c for c in explorer.controls if c.static]
    grids = [c.grid() for c in static]
    strides = [math.prod(len(g) for g in grids[i + 1:]) for i in range(len(grids))]
    index = {c.name: start_index(c, g, values[c.name]) for c, g in zip(static, grids)}
    first = sum(index[c.name] * s for c, s in zip(static, strides))
    rows, readout_width = [], 1
    for c in explorer.controls:
        grid = c.grid() if c.static else [values[c.name]]
        readout_width = max(readout_width, *(len(c.text(v)) for v in grid))
        rows.append(_row(c, grid, index.get(c.name, 0), values[c.name]))
    name_width = max(len(c.label) for c in explorer.controls)
    width, height = explorer.size_px()
    payload = json.dumps({"frames": frames, "frame_of": frame_of, "alts": alts,
                          "strides": strides})
    uid = "rx-" + uuid.uuid4().hex[:10]
    return _page(uid, rows, name_width, readout_width, frames[frame_of[first]], width, height,
                 alts[first], explorer.caption, payload)


def _page(uid, rows, name_width, readout_width, src, width, height, alt, caption, payload) -> str:
    r = f"#{uid}"
    narrow = (f"{r} .rx-row{{flex-wrap:wrap;row-gap:0}} {r} .rx-name{{flex:1 0 100%;"
              f"white-space:normal}} {r} .rx-ctl{{flex:1 0 100%}}")
    thumb = ("width:24px;height:24px;border-radius:50%;background:#0072B2;border:2px solid #fff;"
             "box-shadow:0 0 0 1px #0072B2;box-sizing:border-box")
    track = "height:6px;border-radius:3px;background:#767676"
    return f"""<figure class="rnnlearn-explorer" id="{uid}">
<style>{r}{{container:rx-{uid[3:]}/inline-size;margin:1em 0}}
{r} .rx-row{{display:flex;align-items:center;gap:.2em .6em;margin:.1em 0;font-size:.9em}}
{r} .rx-name{{flex:0 0 auto;min-width:{name_width}ch;white-space:nowrap}}
{r} .rx-ctl{{flex:1 1 12em;display:flex;align-items:center;gap:.6em;min-width:0}}
{r} input[type=range]{{flex:1 1 auto;min-width:0;height:32px;margin:0;background:transparent;
cursor:pointer;-webkit-appearance:none;appearance:none}}
{r} input[type=range]::-webkit-slider-runnable-track{{{track}}}
{r} input[type=range]::-webkit-slider-thumb{{-webkit-appearance:none;appearance:none;
margin-top:-9px;{thumb}}}
{r} input[type=range]::-moz-range-track{{{track}}}
{r} input[type=range]::-moz-range-thumb{{{thumb}}}
{r} input[type=checkbox]{{width:24px;height:24px;margin:4px 0}}
{r} select{{min-height:32px;max-width:100%;font:inherit}}
{r} input:focus-visible,{r} select:focus-visible{{outline:3px solid #C132AF;outline-offset:2px}}
{r} output{{flex:0 0 auto;min-width:{readout_width}ch;font-family:monospace,monospace;
white-space:nowrap;text-align:right}}
{r} .rx-fixed output{{text-align:left}}
{r} img{{display:block;max-width:100%;height:auto;margin-top:.3em}}
{r} figcaption{{text-align:left}}
@media (max-width:600px){{{narrow}}}
@container rx-{uid[3:]} (max-width:560px){{{narrow}}}</style>
<div class="rx-controls">{''.join(rows)}</div>
<img src="{src}" width="{width}" height="{height}" alt="{html.escape(alt)}">
<figcaption>{html.escape(caption)}</figcaption>
<script type="application/json" class="rx-data">{payload}</script>
<script>(function () {{
  var root = document.getElementById("{uid}");
  var data = JSON.parse(root.querySelector(".rx-data").textContent);
  var inputs = root.querySelectorAll("[data-rx]"), img = root.querySelector("img");
  function index(el) {{
    if (el.type === "checkbox") return el.checked ? 1 : 0;
    return el.tagName === "SELECT" ? el.selectedIndex : Number(el.value);
  }}
  function show() {{
    var k = 0;
    inputs.forEach(function (input, i) {{
      var j = index(input);
      k += j * data.strides[i];
      if (input.type === "range") {{
        var label = JSON.parse(input.dataset.labels)[j];
        input.nextElementSibling.textContent = label;
        input.setAttribute("aria-valuetext", label);
      }}
    }});
    img.src = data.frames[data.frame_of[k]];
    img.alt = data.alts[k];
  }}
  inputs.forEach(function (input) {{
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  }});
}})();</script>
</figure>"""


def twin_frames(cls) -> tuple[int, dict]:
    """The twin's frame count of an explorer class and each control's grid size in it."""
    sizes = {c.name: (len(c.grid()) if c.static else 1) for c in cls.controls}
    return math.prod(sizes.values()), sizes


def twin_estimate(cls) -> int:
    """Estimated twin size in bytes: frames x 1x pixels x ``twin_scale`` x ``twin_bytes_per_px``,
    plus an alt text per frame and the page."""
    frames, _ = twin_frames(cls)
    width, height = (s * cls.dpi for s in cls.figsize)
    per_frame = width * height * cls.twin_scale * cls.twin_bytes_per_px + 300
    return round(frames * per_frame + 20_000)


def check_budget(cls) -> None:
    """Refuse an explorer class whose twin would exceed its frame or size budget."""
    frames, sizes = twin_frames(cls)
    grids = ", ".join(f"{name}: {n}" for name, n in sizes.items())
    fix = ("make a grid coarser (fewer frames), make a control live-only (static=False), or "
           "declare a larger budget")
    if frames > cls.max_frames:
        raise ValueError(f"{cls.__name__}: its static twin would have {frames} frames "
                         f"({grids}), over max_frames = {cls.max_frames}; {fix} (max_frames)")
    estimate = twin_estimate(cls)
    if estimate > cls.twin_budget:
        raise ValueError(f"{cls.__name__}: its static twin would take about "
                         f"{estimate / 1e6:.2f} MB "
                         f"({frames} frames ({grids}) at twin_scale {cls.twin_scale:g}), over "
                         f"twin_budget = {cls.twin_budget / 1e6:g} MB; {fix} (twin_budget), or a "
                         f"smaller twin_scale")
