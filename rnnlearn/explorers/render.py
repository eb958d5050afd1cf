"""Blitted frames: an explorer's static background drawn once, then only what moves.

:class:`Blitter` marks the moving artists ``animated`` (so a full draw leaves them out), draws and
caches the background once per render scale and background key, and makes a frame by restoring
the background and drawing the moving artists on it, in the order a full draw would use. The
same path serves live updates (:func:`png_bytes`, a fast PNG) and the static twin's frames
(:func:`palette_png`, a quantised palette PNG). Used by :mod:`rnnlearn.explorers.base`.
"""
from __future__ import annotations

import contextlib
import io
import struct
import zlib
from operator import attrgetter

import numpy as np

from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend


def flatten(artists) -> list:
    """Every matplotlib artist in a (nested) tuple, list or dict of artists, in order."""
    if isinstance(artists, dict):
        artists = list(artists.values())
    if isinstance(artists, (tuple, list)):
        return [a for item in artists for a in flatten(item)]
    return [] if artists is None else [artists]


class TextCache:
    """Replays the glyph bitmaps of a text drawn before with the same string, font, angle and
    position (a frame's status lines and legend entries recur as the reader drags back and
    forth; rendering glyphs is most of a frame's cost). Colour comes from the graphics context
    at replay. Math text is not cached."""

    def __init__(self, size: int = 512):
        self.size, self.entries = size, {}

    def install(self, renderer) -> None:
        """Route ``renderer.draw_text`` through the cache (once per renderer)."""
        if getattr(renderer, "_rnnlearn_text_cache", None) is self:
            return
        original = type(renderer).draw_text
        entries = self.entries

        def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:
                return original(renderer, gc, x, y, s, prop, angle, ismath, mtext)
            key = (s, prop, angle, x, y, gc.get_antialiased(), renderer.dpi, renderer.height)
            calls = entries.get(key)
            if calls is not None:
                for image, bx, by, bangle in calls:
                    renderer._renderer.draw_text_image(image, bx, by, bangle, gc)
                return None
            real, calls = renderer._renderer, []
            renderer._renderer = _Recorder(real, calls)
            try:
                original(renderer, gc, x, y, s, prop, angle, ismath, mtext)
            finally:
                renderer._renderer = real
            if len(entries) >= self.size:
                entries.clear()
            entries[key] = calls
            return None

        renderer.draw_text = draw_text
        renderer._rnnlearn_text_cache = self


class _Recorder:
    """Stands in for the Agg renderer while a text is drawn: keeps each glyph image it is given."""

    def __init__(self, real, calls):
        self._real, self._calls = real, calls

    def draw_text_image(self, image, x, y, angle, gc):
        image = np.array(image, dtype=np.uint8, copy=True)
        self._calls.append((image, x, y, angle))
        self._real.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):
        return getattr(self._real, name)


class SpriteCache:
    """Legends drawn once per content (their entries' texts and colours) onto a transparent layer
    and composited ("over") afterwards: laying out a legend costs more than drawing its lines."""

    def __init__(self, size: int = 256):
        self.size, self.sprites, self._layers = size, {}, {}

    def draw(self, legend: Legend, canvas) -> None:
        renderer = canvas.get_renderer()
        texts = tuple((t.get_text(), to_rgba(t.get_color())) for t in legend.get_texts())
        key = (id(legend), renderer.dpi, renderer.width, renderer.height, texts)
        sprite = self.sprites.get(key)
        if sprite is None:
            sprite = self.sprites[key] = self._render(legend, renderer)
            if len(self.sprites) > self.size:
                self.sprites.pop(next(iter(self.sprites)))
        if sprite is None:  # empty legend
            return
        top, left, premultiplied, transparency = sprite
        h, w, _ = premultiplied.shape
        dst = np.asarray(canvas.buffer_rgba())[top:top + h, left:left + w, :3]
        dst[...] = premultiplied + dst * transparency

    def _render(self, legend, renderer):
        size = (renderer.width, renderer.height, renderer.dpi)
        layer = self._layers.get(size)
        if layer is None:
            layer = self._layers[size] = RendererAgg(*size)
        layer.clear()  # transparent
        legend.draw(layer)
        box = legend.get_window_extent(layer).padded(3)
        height = int(renderer.height)
        x0, x1 = max(0, int(box.x0)), min(int(renderer.width), int(np.ceil(box.x1)))
        top, bottom = max(0, height - int(np.ceil(box.y1))), min(height, height - int(box.y0))
        if x1 <= x0 or bottom <= top:
            return None
        pixels = np.asarray(layer.buffer_rgba())[top:bottom, x0:x1].astype(np.float32)
        alpha = pixels[..., 3:] / 255.0
        return top, x0, pixels[..., :3] * alpha + 0.5, 1.0 - alpha  # + 0.5: rounds on the cast


class Blitter:
    """Frames of one figure whose ``moving`` artists change and whose other artists do not.

    Parameters
    ----------
    fig : Figure
    moving : list of Artist
        What ``update`` moves. In each axes, any other artist drawn after the first moving one
        (higher zorder, or added later at equal zorder; axis ticks and grid excepted) is drawn
        with them in every frame, so a frame stacks exactly as a full draw does.
    dpi : float
        Resolution at scale 1.
    """

    def __init__(self, fig, moving, dpi: float, style=None):
        self.fig, self.dpi, self.style = fig, dpi, style
        canvas = FigureCanvasAgg(fig) if not isinstance(fig.canvas, FigureCanvasAgg) else fig.canvas
        self.canvas = canvas
        moving_ids = {id(a) for a in moving}
        self.order = []  # what a frame draws, in draw order
        for ax in fig.axes:
            children = sorted(ax.get_children(), key=attrgetter("zorder"))  # stable: as Axes.draw
            seen = False
            for a in children:
                if id(a) in moving_ids:
                    seen = True
                if seen and (id(a) in moving_ids or not isinstance(a, Axis)) and a is not ax.patch:
                    self.order.append(a)
        placed = {id(a) for a in self.order}
        self.order += [a for a in moving if id(a) not in placed]  # figure-level artists
        for a in self.order:
            a.set_animated(True)
        self._backgrounds: dict = {}
        self.text_cache = TextCache()
        self.sprites = SpriteCache()

    def invalidate(self) -> None:
        """Forget the cached backgrounds (after a change to a static artist)."""
        self._backgrounds.clear()

    def array(self, scale: float = 1.0, key=None, prepare=None) -> np.ndarray:
        """The current state as an (H, W, 4) uint8 RGBA array at ``scale`` times ``dpi``.

        ``key`` names the background (e.g. which contour set is shown); ``prepare(key)`` is called
        before that background is first drawn, to show the static artists it needs.
        """
        dpi = self.dpi * scale
        if self.fig.dpi != dpi:
            self.fig.set_dpi(dpi)
        renderer = self.canvas.get_renderer()
        self.text_cache.install(renderer)
        background = self._backgrounds.get((dpi, key))
        if background is None:
            if prepare is not None:
                prepare(key)
            with self.style() if self.style else contextlib.nullcontext():
                self.canvas.draw()  # everything but the animated artists
            background = self._backgrounds[dpi, key] = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(background)
        for a in self.order:
            if not a.get_visible():
                continue
            if isinstance(a, Legend):
                self.sprites.draw(a, self.canvas)
            else:
                a.draw(renderer)
        # a copy: the canvas buffer is redrawn by the next frame (or a savefig)
        return np.array(self.canvas.buffer_rgba(), copy=True)

    def full(self, scale: float = 1.0):
        """The same state by a full ``savefig`` (no blitting), as a PIL RGBA image: for tests."""
        from PIL import Image

        buf = io.BytesIO()
        renderer = self.canvas.get_renderer()
        renderer.__dict__.pop("draw_text", None)  # render every glyph afresh
        renderer._rnnlearn_text_cache = None
        self.fig.savefig(buf, format="png", dpi=self.dpi * scale)
        self.fig.set_dpi(self.dpi * scale)  # savefig restores the figure's dpi; keep ours
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGBA")


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(image, level: int = 1) -> bytes:
    """A fast RGB PNG of a PIL image or an (H, W, 3 or 4) uint8 array, for live updates.

    Rows unfiltered, zlib level 1: about 2.5x faster than Pillow's encoder at any level (which
    tries a filter per row) on these mostly white frames, at a similar size.
    """
    rgb = np.asarray(image)[:, :, :3]
    height, width, _ = rgb.shape
    raw = np.empty((height, 1 + 3 * width), np.uint8)
    raw[:, 0] = 0  # the filter type of each row: none
    raw[:, 1:].reshape(height, width, 3)[...] = rgb  # one copy, through a view
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _chunk(b"IEND", b""))


def palette_png(image, colors: int = 128) -> bytes:
    """A small palette PNG (static twin frames). Octree quantisation keeps every house colour
    within 8/255 of itself (median cut merged thin lines' colours) and gives smaller files."""
    from PIL import Image

    img = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
