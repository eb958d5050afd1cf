"""The explorer framework (stages, memo, budgets, blitting, controls, twin, live view) on small
toy explorers, and every registered explorer: sweeps, static twins, live widgets."""
import json
import re
import warnings
from typing import NamedTuple

import numpy as np
import pytest

from rnnlearn import explorers
from rnnlearn.explorers import (ALL, REGISTRY, Choice, Explorer, IntSlider, Slider, Toggle,
                                base, register)
from rnnlearn.explorers.twin import start_index, twin_estimate, twin_frames
from rnnlearn.plotting import figure, heading

NAMES = sorted(REGISTRY)


# -- toy explorers: tiny figures, a few frames ----------------------------------------------------
class ToyArtists(NamedTuple):
    line: object
    label: object


class Toy(Explorer):
    """A model slider ``a`` (3 frames) and a view slider ``t`` (time step 0..2)."""

    controls = (Slider("a", "amplitude a", 0.0, 1.0, default=0.0, frames=3),
                IntSlider("t", "time step t", 0, 2, default=0, stage="view"))
    figsize, dpi = (2.0, 1.5), 40
    calls = 0
    fail_at = None  # compute raises at this a

    def compute(self, a):
        self.calls += 1
        if a == self.fail_at:
            raise RuntimeError(f"compute failed at a = {a}")
        return np.array([[a * k, a * k + 1.0, a * k + 0.5] for k in range(3)])  # (T=3, 3)

    def select(self, data, t):
        return data[t]

    def draw(self, view):
        fig, ax = figure(*self.figsize, layout=None)
        ax.set(xlim=(0, 2), ylim=(-0.5, 3.5))
        (line,) = ax.plot([], [], "o-")
        return fig, ToyArtists(line, heading(ax))

    def update(self, a, view):
        a.line.set_data([0, 1, 2], view)
        a.label.set_text(f"last {view[-1]:.2f}")


@pytest.fixture
def toy():
    return Toy()


def line_y(ex):
    return ex.artists.line.get_ydata().copy()


def test_scrubbing_a_view_control_does_not_recompute_the_model(toy):
    toy.set(a=1.0)
    calls = toy.calls
    seen = []
    for t in (1, 2, 1, 0, 2):
        toy.set(t=t)
        seen.append(line_y(toy))
    assert toy.calls == calls  # the model stage ran once for a = 1
    assert not np.allclose(seen[0], seen[1])  # and the view moved
    box = toy.widget()  # the same through the live widget
    before = box.image.value
    box.controls["t"].value = 1
    assert toy.calls == calls and box.image.value != before and toy.values["t"] == 1


def test_a_model_control_revisit_hits_the_memo(toy):
    toy.set(a=0.5)
    toy.set(a=1.0)
    calls = toy.calls
    toy.set(a=0.5)
    toy.set(a=0.0)
    assert toy.calls == calls
    toy.set(a=0.25)  # a new value: computed once
    assert toy.calls == calls + 1


def test_the_memo_drops_the_least_recently_used():
    class Small(Toy):
        memo_size = 2

    ex = Small()  # memo: a = 0
    ex.set(a=0.5)
    ex.set(a=1.0)  # a = 0 dropped
    calls = ex.calls
    ex.set(a=0.5)
    assert ex.calls == calls
    ex.set(a=0.0)
    assert ex.calls == calls + 1


def test_a_failing_compute_leaves_values_figure_and_widget_as_they_were(toy):
    box = toy.widget()
    toy.set(a=0.5)
    values, y, png = dict(toy.values), line_y(toy), box.image.value
    toy.fail_at = 1.0
    with pytest.raises(RuntimeError, match="compute failed"):
        toy.set(a=1.0, t=2)
    assert toy.values == values and np.array_equal(line_y(toy), y) and toy.png() == png
    box.controls["a"].value = 1.0  # live: the error is shown and the slider goes back
    assert "compute failed at a = 1.0" in box.errors.outputs[0]["text"]
    assert box.controls["a"].value == 0.5 and toy.values == values and box.image.value == png


def test_a_failing_update_puts_the_artists_back(toy, monkeypatch):
    toy.set(a=0.5, t=1)
    values, y = dict(toy.values), line_y(toy)
    original = Toy.update

    def broken(self, a, view):
        original(self, a, view)  # moves the line, then fails
        if view[0] > 1:
            raise ValueError("update failed")

    monkeypatch.setattr(Toy, "update", broken)
    with pytest.raises(ValueError, match="update failed"):
        toy.set(a=1.0, t=2)
    assert toy.values == values and np.array_equal(line_y(toy), y)


def test_the_twin_sweep_restores_the_state_after_an_error_mid_sweep(toy):
    toy.set(a=0.5, t=1)
    values, y, png = dict(toy.values), line_y(toy), toy.png()
    toy.fail_at = 1.0  # the last model grid point: the sweep has moved everything by then
    with pytest.raises(RuntimeError, match="compute failed"):
        toy.static_html()
    assert toy.values == values and np.array_equal(line_y(toy), y) and toy.png() == png


def test_the_twin_sweep_restores_the_state_after_success(toy):
    toy.set(a=0.5, t=1)
    values, png = dict(toy.values), toy.png()
    toy.static_html()
    assert toy.values == values and toy.png() == png


def test_the_twin_walks_the_model_stage_outermost(toy):
    page = toy.static_html()
    assert toy.calls == 3  # one compute per model value, though t varies fastest in the grid
    data = json.loads(re.search(r'class="rx-data">(.*?)</script>', page, re.S).group(1))
    assert data["strides"] == [3, 1] and len(data["frame_of"]) == 9
    # a = 0 draws the same line at every t; a > 0 draws three different ones
    assert len({data["frame_of"][k] for k in (0, 1, 2)}) == 1
    assert len({data["frame_of"][k] for k in (3, 4, 5)}) == 3
    assert data["alts"][5] == toy.alt + ". last 1.50 (amplitude a = 0.5, time step t = 2)"


# -- budgets at class definition -------------------------------------------------------------------
def test_an_explorer_over_its_frame_budget_is_refused_at_definition():
    with pytest.raises(ValueError, match=(
            r"^TooMany: its static twin would have 400 frames \(a: 20, b: 20\), over "
            r"max_frames = 150; make a grid coarser .*static=False.*max_frames")):
        class TooMany(Toy):
            controls = (Slider("a", "a", 0.0, 1.0, default=0.0, frames=20),
                        Slider("b", "b", 0.0, 1.0, default=0.0, frames=20))


def test_an_explorer_over_its_size_budget_is_refused_at_definition():
    with pytest.raises(ValueError, match=(
            r"^TooBig: its static twin would take about 6.5\d MB \(150 frames \(a: 150\) at "
            r"twin_scale 2\), over twin_budget = 2 MB; .*static=False")):
        class TooBig(Toy):
            controls = (Slider("a", "a", 0.0, 1.0, default=0.0, frames=150),)
            figsize, dpi, twin_scale = (7.5, 5.0), 80, 2.0


def test_a_live_only_control_keeps_an_explorer_within_budget():
    class LiveOnly(Toy):
        controls = (Slider("a", "a", 0.0, 1.0, default=0.0, frames=20),
                    Slider("b", "b", 0.0, 1.0, default=0.0, frames=20, static=False))

    assert twin_frames(LiveOnly) == (20, {"a": 20, "b": 1})


def test_registration_is_explicit():
    assert "Toy" not in REGISTRY and set(NAMES) == {
        "TangentExplorer", "DescentExplorer", "QuadraticExplorer", "RaceExplorer",
        "GradientFlowExplorer", "ClassifierExplorer", "UnrollExplorer", "WrecExplorer",
        "TrainingExplorer", "CliffExplorer", "EsnExplorer", "GateExplorer", "CarouselExplorer",
        "GruGateExplorer", "TemperatureExplorer", "CellExplorer"}
    assert set(ALL) == set(REGISTRY.values())
    assert all(getattr(explorers, name) is REGISTRY[name] for name in NAMES)
    with pytest.raises(TypeError, match="register expects an Explorer subclass"):
        register(int)


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_explorer_is_within_budget_and_says_what_it_shows(name):
    cls = REGISTRY[name]
    frames, _ = twin_frames(cls)
    assert frames <= cls.max_frames and twin_estimate(cls) <= cls.twin_budget
    assert cls.alt.strip() and cls.caption.strip()


# -- controls --------------------------------------------------------------------------------------
def test_int_slider_grid_validation_widget_and_twin():
    s = IntSlider("t", "time step", 0, 12, default=4, frames=4)
    assert s.grid() == [0, 4, 8, 12] and IntSlider("t", "t", 1, 4, 2).grid() == [1, 2, 3, 4]
    for bad in (True, 1.5, 4.0, "4"):
        with pytest.raises(TypeError, match="t must be an int"):
            s.validate(bad)
    for bad in (-1, 13):
        with pytest.raises(ValueError, match=r"t must be one of 0, 1, \.\.\., 12; got"):
            s.validate(bad)
    assert s.validate(np.int64(7)) == 7 and s.text(7) == "7"
    with pytest.raises(ValueError, match="are not all values"):
        IntSlider("t", "t", 0, 10, default=0, frames=4)
    w = s.make_widget(4)
    assert type(w).__name__ == "IntSlider" and (w.min, w.max, w.step, w.value) == (0, 12, 1, 4)
    page = Toy(t=2).static_html()
    assert 'data-labels="[&quot;0&quot;, &quot;1&quot;, &quot;2&quot;]"' in page


def test_choice_picks_toggle_buttons_or_a_dropdown():
    few = Choice("act", "activation", ("tanh", "relu"), "tanh")
    many = Choice("cell", "cell", tuple(str(i) for i in range(8)), "3")
    forced = Choice("act", "activation", ("tanh", "relu"), "tanh", widget="dropdown")
    assert type(few.make_widget("tanh")).__name__ == "ToggleButtons" and not few.dropdown
    assert type(many.make_widget("3")).__name__ == "Dropdown" and many.dropdown
    assert forced.dropdown
    with pytest.raises(ValueError, match=r"act must be one of \['tanh', 'relu'\]; got 'gelu'"):
        few.validate("gelu")
    with pytest.raises(ValueError, match="default must be one of"):
        Choice("act", "activation", ("tanh",), "relu")


class DropArtists(NamedTuple):
    text: object


class Controls(Explorer):
    """A dropdown, a toggle and a live-only slider."""

    controls = (Choice("cell", "cell index", tuple(str(i) for i in range(8)), "3"),
                Toggle("bias", "with bias", default=True),
                Slider("noise", "noise level", 0.0, 1.0, default=0.25, static=False))
    figsize, dpi = (2.0, 1.0), 40

    def compute(self, cell, bias, noise):
        return f"cell {cell}, bias {bias}, noise {noise:g}"

    def draw(self, view):
        fig, ax = figure(*self.figsize, layout=None)
        return fig, DropArtists(heading(ax))

    def update(self, a, view):
        a.text.set_text(view)


def test_dropdown_toggle_and_live_only_control_live_and_in_the_twin():
    ex = Controls()
    box = ex.widget()
    assert type(box.controls["cell"]).__name__ == "Dropdown"
    assert type(box.controls["bias"]).__name__ == "Checkbox"
    box.controls["noise"].value = 0.75  # live-only: still live
    box.controls["cell"].value = "6"
    box.controls["bias"].value = False
    assert ex.artists.text.get_text() == "cell 6, bias False, noise 0.75"
    page = ex.static_html()
    data = json.loads(re.search(r'class="rx-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["frame_of"]) == 16 and data["strides"] == [2, 1]  # noise pinned
    select = re.search(r'<select data-rx aria-label="cell index">(.*?)</select>', page).group(1)
    assert select.count("<option") == 8 and "<option selected>6</option>" in select
    assert re.search(r'<input type="checkbox" data-rx aria-label="with bias">', page)  # off
    fixed = re.search(r'<div class="rx-row rx-fixed">(.*?)</div>', page).group(1)
    assert "noise level" in fixed and "<output>0.75</output>" in fixed
    assert page.count("<input") == 1 and "noise level = 0.75" in data["alts"][0]
    assert 'el.tagName === "SELECT" ? el.selectedIndex' in page
    assert 'el.type === "checkbox") return el.checked ? 1 : 0' in page


def test_the_twin_starts_at_the_nearest_grid_point_in_log_distance():
    log = Slider("lr", "lr", 0.01, 100.0, default=0.2, log=True, frames=3)  # 0.01, 1, 100
    assert start_index(log, log.grid(), 0.2) == 1  # linear distance would pick 0.01
    lin = Slider("x", "x", 0.01, 100.0, default=0.2, frames=3)
    assert start_index(lin, lin.grid(), 0.2) == 0


def test_slider_grid_includes_both_ends_and_is_log_when_asked():
    s = Slider("lr", "α", 1e-4, 0.3, default=0.01, log=True, frames=5)
    g = s.grid()
    np.testing.assert_allclose([g[0], g[-1]], [1e-4, 0.3])
    np.testing.assert_allclose(np.diff(np.log(g)), np.log(0.3 / 1e-4) / 4)


@pytest.mark.parametrize("kwargs, match", [
    (dict(lo=1.0, hi=0.0, default=0.5), "need lo < hi"),
    (dict(lo=0.0, hi=1.0, default=0.5, log=True), "log slider needs lo > 0"),
    (dict(lo=0.0, hi=1.0, default=2.0), r"default must lie in \[0.0, 1.0\]"),
    (dict(lo=0.0, hi=1.0, default=0.5, stage="data"), "stage must be one of"),
])
def test_slider_rejects_bad_declarations(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Slider("a", "a", **kwargs)


@pytest.mark.parametrize("log", [False, True])
def test_live_slider_steps_land_on_every_static_frame(log):
    s = Slider("a", "a", 0.01, 1.0, default=0.1, log=log, frames=7, live_steps=100,
               continuous_update=False)
    w = s.make_widget(s.default)
    assert w.continuous_update is False
    for value in s.grid():
        position = ((np.log10(value) if log else value) - w.min) / w.step
        assert position == pytest.approx(round(position), abs=1e-9)


# -- every registered explorer ---------------------------------------------------------------------
@pytest.fixture(scope="module", params=NAMES)
def explorer(request):
    return REGISTRY[request.param]()


@pytest.fixture(scope="module")
def twin(explorer):
    """The explorer's static twin, built once: it renders every frame, and no frame may warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return explorer.static_html()


def twin_data(page):
    return json.loads(re.search(r'class="rx-data">(.*?)</script>', page, re.S).group(1))


def different_pixels(a, b, level=32) -> int:
    a, b = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
    assert a.shape == b.shape
    return int(np.count_nonzero(np.abs(a - b).max(axis=2) > level))


def test_a_blitted_frame_equals_a_full_render(explorer):
    """Blitting cannot drop or misplace an artist: the frame equals a full savefig (a few
    antialiased pixels of an image's edge may differ slightly), at the start and after every
    control moved to the other end of its grid."""
    start = dict(explorer.values)
    try:
        for values in (start, {c.name: c.grid()[-1] if c.grid()[0] == start[c.name]
                               else c.grid()[0] for c in explorer.controls}):
            explorer.set(**values)
            for scale in {1.0, explorer.twin_scale}:
                assert different_pixels(explorer.image(scale), explorer.full_image(scale)) <= 10
    finally:
        explorer.set(**start)


def test_the_artists_are_a_named_tuple_and_the_figure_has_its_declared_size(explorer):
    assert hasattr(explorer.artists, "_fields")
    assert explorer.size_px() == tuple(round(s * explorer.dpi) for s in explorer.figsize)
    assert explorer.image().size == explorer.size_px()


@pytest.mark.parametrize("name", NAMES)
def test_sweep_whole_grid_no_warning_finite_data(name):
    ex = REGISTRY[name]()
    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for values in ex.grid():
            ex.set(**values)
            for arr in ex.plotted_data():
                assert np.all(np.isfinite(arr)), f"{name} at {values}: non-finite plotted data"
            n += 1
    assert n == twin_frames(type(ex))[0]


def test_static_twin_is_self_contained_and_small(explorer, twin):
    assert len(twin.encode()) <= explorer.twin_budget
    dropdowns = [c for c in explorer.controls if isinstance(c, Choice) and c.dropdown]
    assert len(re.findall(r'<input type="range"', twin)) == len(explorer.controls) - len(
        dropdowns)
    assert len(re.findall(r"<select data-rx", twin)) == len(dropdowns)
    for c in explorer.controls:
        assert f'aria-label="{c.label}"' in twin
    assert not re.search(r"(src|href)=\"(https?:)?//", twin), "no external URLs"
    # the estimate made at class definition is conservative
    assert len(twin.encode()) <= twin_estimate(type(explorer))


def test_static_twin_controls_announce_values_and_frames_are_hidpi(explorer, twin):
    import base64
    import io

    from PIL import Image

    inputs = re.findall(r'<input type="range"[^>]*>', twin)
    outputs = re.findall(r"<output>(.*?)</output>", twin)
    dropdowns = [c for c in explorer.controls if isinstance(c, Choice) and c.dropdown]
    assert len(inputs) == len(outputs) == len(explorer.controls) - len(dropdowns)
    for tag, shown in zip(inputs, outputs):
        assert f'aria-valuetext="{shown}"' in tag
    for c in dropdowns:  # a dropdown announces its value itself: the selected option
        select = re.search(rf'<select data-rx aria-label="{re.escape(c.label)}">(.*?)</select>',
                           twin).group(1)
        assert select.count("<option") == len(c.grid()) and select.count(" selected") == 1
    assert 'setAttribute("aria-valuetext", label)' in twin
    width, height = explorer.size_px()
    img = re.search(r'<img src="data:image/png;base64,([^"]*)" width="(\d+)" height="(\d+)"',
                    twin)
    assert (int(img.group(2)), int(img.group(3))) == (width, height)
    natural = Image.open(io.BytesIO(base64.b64decode(img.group(1)))).size
    assert natural == (round(width * explorer.twin_scale), round(height * explorer.twin_scale))
    assert "@media (max-width:600px)" in twin and "::-webkit-slider-thumb" in twin


def test_every_control_changes_the_twin_frame_at_every_step(explorer, twin):
    """Along each control, the others at their start values, neighbouring grid points show
    different frames: a slider that moves while the picture stays still misleads."""
    data = twin_data(twin)
    controls = [c for c in explorer.controls if c.static]
    start = [start_index(c, c.grid(), explorer.values[c.name]) for c in controls]
    for i, c in enumerate(controls):
        frames = []
        for j in range(len(c.grid())):
            index = list(start)
            index[i] = j
            frames.append(data["frame_of"][sum(k * s for k, s in zip(index, data["strides"]))])
        same = [c.grid()[j] for j in range(len(frames) - 1) if frames[j] == frames[j + 1]]
        assert not same, f"{type(explorer).__name__}: {c.name} from {same} shows the same frame"


def test_static_twin_alt_texts_name_the_outcome(explorer, twin):
    data = twin_data(twin)
    assert all(alt.startswith(explorer.alt + ". ") for alt in data["alts"])
    ex = REGISTRY["TangentExplorer"](x=3.0)
    assert "downhill is to the left (point x = 3)" in ex.describe()


def test_mimebundle_live_and_static(explorer, monkeypatch):
    monkeypatch.delenv(base.STATIC_ENV, raising=False)
    live = explorer._repr_mimebundle_()
    assert base.WIDGET_VIEW in live and "image/png" in live and "text/html" not in live
    monkeypatch.setenv(base.STATIC_ENV, "1")
    monkeypatch.setattr(explorer, "static_html", lambda: "<figure>twin</figure>")
    static = explorer._repr_mimebundle_()
    assert static["text/html"] == "<figure>twin</figure>" and base.WIDGET_VIEW not in static


def test_widget_control_updates_picture_and_data(explorer):
    box = explorer.widget()
    width, _ = explorer.size_px()
    assert box.image.layout.width == f"{width}px" and box.image.layout.max_width == "100%"
    for name, control in box.controls.items():
        spec = explorer._controls[name]
        before_png, before = box.image.value, [a.copy() for a in explorer.plotted_data()]
        target = spec.grid()[-1] if spec.grid()[0] == explorer.values[name] else spec.grid()[0]
        control.value = target
        assert box.errors.outputs == ()
        assert explorer.values[name] == target and box.image.value != before_png
        after = explorer.plotted_data()
        assert any(a.shape != b.shape or not np.allclose(a, b) for a, b in zip(after, before))
    explorer.set(**{c.name: c.default for c in explorer.controls})  # code moves the widgets too
    assert all(box.controls[c.name].value == pytest.approx(c.default) for c in explorer.controls)


def test_set_rejects_unknown_and_out_of_range():
    ex = REGISTRY["TangentExplorer"]()
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['y'\]"):
        ex.set(y=1.0)
    with pytest.raises(ValueError, match=r"x must lie in \[-1.25, 4\]; got 9"):
        ex.set(x=9.0)
    with pytest.raises(TypeError, match="x must be a number"):
        ex.set(x="1")


# -- the chapter 1 explorers -----------------------------------------------------------------------
def test_tangent_explorer_shows_tangent_and_direction():
    ex = explorers.TangentExplorer()
    a = ex.artists
    d = ex.set(x=3.0)
    assert d.slope == pytest.approx(4 * 27 - 9 * 9)  # f'(3) = 27 > 0
    assert d.direction == -1 and "downhill is to the left" in a.message.get_text()
    xs, ys = a.tangent.get_data()
    np.testing.assert_allclose(np.diff(ys) / np.diff(xs), d.slope)  # the drawn line has the slope
    d = ex.set(x=-1.0)
    assert d.direction == 1 and a.arrow.get_marker() == ">"
    d = ex.set(x=0.0)
    assert d.direction == 0 and "cannot say" in a.message.get_text()
    assert len(a.arrow.get_xdata()) == 0


def test_descent_explorer_worked_example_and_divergence():
    ex = explorers.DescentExplorer()
    d = ex.set(lr=0.001, x0=4.0)
    np.testing.assert_allclose(d.xs[:3], [4.0, 3.888, 3.788956], atol=1e-6)
    assert d.diverged_at is None
    d = ex.set(lr=0.3, x0=4.0)
    assert d.diverged_at is not None and np.all(np.isfinite(d.xs))
    assert "diverged at step" in ex.artists.status.get_text()


def test_an_update_that_rescales_the_axes_gets_a_full_redraw():
    class Rescaling(Toy):
        redraw_on_update = True

        def update(self, a, view):
            super().update(a, view)
            a.line.axes.set_ylim(0, 1 + view.max())  # a static part changes with the view

    ex = Rescaling()
    ex.image()
    ex.set(a=1.0, t=2)
    assert different_pixels(ex.image(), ex.full_image()) == 0


def test_the_twin_sweep_leaves_the_live_view_alone_until_it_ends(toy, monkeypatch):
    box = toy.widget()
    toy.set(a=0.5)
    pngs = []
    monkeypatch.setattr(toy, "png", lambda scale=1.0: pngs.append(scale) or b"png")
    toy.static_html()
    assert len(pngs) == 1 and box.controls["a"].value == 0.5  # one refresh: the restored state
