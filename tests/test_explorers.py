"""The explorer framework and every registered explorer: sweeps, static twins, live widgets."""
import json
import re
import warnings

import numpy as np
import pytest

from rnnlearn import explorers
from rnnlearn.explorers import REGISTRY, Choice, Slider, base

ALL = sorted(REGISTRY)


@pytest.fixture(scope="module", params=ALL)
def explorer(request):
    return REGISTRY[request.param]()


@pytest.fixture(scope="module")
def twin(explorer):
    """The explorer's static twin, built once: it renders every frame, and no frame may warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return explorer.static_html()


def test_registry_holds_the_chapter_explorers():
    assert {"TangentExplorer", "DescentExplorer"} <= set(REGISTRY)


@pytest.mark.parametrize("name", ALL)
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
    assert n == np.prod([len(c.grid()) for c in ex.controls])


def test_static_twin_is_self_contained_and_small(explorer, twin):
    page = twin
    assert len(page.encode()) <= 2_000_000
    assert len(re.findall(r'<input type="range"', page)) == len(explorer.controls)
    for c in explorer.controls:
        assert f'aria-label="{c.label}"' in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "static twin must not load external URLs"
    assert page.count("<script") == 2


def test_static_twin_controls_announce_values_and_frames_are_hidpi(explorer, twin):
    import base64
    import io

    from PIL import Image

    # every range input carries aria-valuetext = its read-out, and the script keeps it so
    inputs = re.findall(r'<input type="range"[^>]*>', twin)
    outputs = re.findall(r"<output>(.*?)</output>", twin)
    assert len(inputs) == len(outputs) == len(explorer.controls)
    for tag, shown in zip(inputs, outputs):
        assert f'aria-valuetext="{shown}"' in tag
    assert 'setAttribute("aria-valuetext", label)' in twin
    # the frame is shown at its 1x size and holds twin_scale times as many pixels
    width, height = explorer.size_px()
    img = re.search(r'<img src="data:image/png;base64,([^"]*)" width="(\d+)" height="(\d+)"', twin)
    assert (int(img.group(2)), int(img.group(3))) == (width, height)
    natural = Image.open(io.BytesIO(base64.b64decode(img.group(1)))).size
    assert explorer.twin_scale in explorer.twin_scales
    assert natural == (round(width * explorer.twin_scale), round(height * explorer.twin_scale))
    # read-outs and labels get room for their longest text; narrow screens stack label over slider
    assert "@media (max-width:600px)" in twin and "::-webkit-slider-thumb" in twin
    assert "::-moz-range-thumb" in twin and "width:24px;height:24px" in twin


def test_static_twin_alt_text_names_the_outcome():
    ex = REGISTRY["TangentExplorer"](x=3.0)
    page = ex.static_html()
    assert "downhill is to the left (point x = 3)" in page
    assert ex.twin_scale == ex.twin_scales[0]  # a small twin gets the sharpest frames


def test_static_twin_frames_follow_the_grid(explorer, twin):
    data = json.loads(re.search(r'class="rx-data">(.*?)</script>', twin, re.S).group(1))
    n = int(np.prod([len(c.grid()) for c in explorer.controls]))
    assert len(data["frame_of"]) == len(data["alts"]) == n
    assert max(data["frame_of"]) == len(data["frames"]) - 1
    # dragging must change the picture: more than one distinct frame along every control
    assert len(data["frames"]) > 1


def test_static_twin_restores_the_state_it_started_from():
    ex = REGISTRY["TangentExplorer"](x=1.5)
    before_values, before_png = dict(ex.values), ex.png()
    ex.static_html()
    assert ex.values == before_values and ex.png() == before_png


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
    name, control = next(iter(box.controls.items()))
    before_png, before_data = box.image.value, [a.copy() for a in explorer.plotted_data()]
    spec = explorer._controls[name]
    control.value = spec.options[-1] if isinstance(spec, Choice) else spec.hi
    assert box.errors.outputs == ()
    assert box.image.value != before_png
    after = explorer.plotted_data()
    assert any(a.shape != b.shape or not np.allclose(a, b) for a, b in zip(after, before_data))


def test_widget_shows_callback_errors(monkeypatch):
    ex = REGISTRY["TangentExplorer"]()
    box = ex.widget()

    def broken(**values):
        raise RuntimeError("boom in compute")

    monkeypatch.setattr(ex, "compute", broken)
    box.controls["x"].value = 1.0
    assert "boom in compute" in box.errors.outputs[0]["text"]


def test_set_rejects_unknown_and_out_of_range():
    ex = REGISTRY["TangentExplorer"]()
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['y'\]"):
        ex.set(y=1.0)
    with pytest.raises(ValueError, match=r"x must lie in \[-1.25, 4\]; got 9"):
        ex.set(x=9.0)
    with pytest.raises(TypeError, match="x must be a number"):
        ex.set(x="1")


def test_slider_grid_includes_both_ends_and_is_log_when_asked():
    s = Slider("lr", "α", 1e-4, 0.3, default=0.01, log=True, frames=5)
    g = s.grid()
    np.testing.assert_allclose([g[0], g[-1]], [1e-4, 0.3])
    np.testing.assert_allclose(np.diff(np.log(g)), np.log(0.3 / 1e-4) / 4)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(lo=1.0, hi=0.0, default=0.5), "need lo < hi"),
        (dict(lo=0.0, hi=1.0, default=0.5, log=True), "log slider needs lo > 0"),
        (dict(lo=0.0, hi=1.0, default=2.0), r"default must lie in \[0.0, 1.0\]"),
    ],
)
def test_slider_rejects_bad_declarations(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Slider("a", "a", **kwargs)


def test_choice_validates():
    c = Choice("act", "activation", ("tanh", "relu"), "tanh")
    assert c.grid() == ["tanh", "relu"]
    with pytest.raises(ValueError, match=r"act must be one of \['tanh', 'relu'\]; got 'gelu'"):
        c.validate("gelu")
    with pytest.raises(ValueError, match="default must be one of"):
        Choice("act", "activation", ("tanh",), "relu")


# -- the chapter 1 explorers ---------------------------------------------------------------------
def test_tangent_explorer_shows_tangent_and_direction():
    ex = explorers.TangentExplorer()
    d = ex.set(x=3.0)
    assert d.slope == pytest.approx(4 * 27 - 9 * 9)  # f'(3) = 27 > 0
    assert d.direction == -1 and "downhill is to the left" in ex.message.get_text()
    xs, ys = ex.tangent.get_data()
    np.testing.assert_allclose(np.diff(ys) / np.diff(xs), d.slope)  # the drawn line has the slope
    d = ex.set(x=-1.0)
    assert d.direction == 1 and ex.arrow.get_marker() == ">"
    d = ex.set(x=0.0)
    assert d.direction == 0 and "cannot say" in ex.message.get_text()
    assert len(ex.arrow.get_xdata()) == 0


def test_descent_explorer_worked_example_and_divergence():
    ex = explorers.DescentExplorer()
    d = ex.set(lr=0.001, x0=4.0)
    np.testing.assert_allclose(d.xs[:3], [4.0, 3.888, 3.788956], atol=1e-6)
    assert d.diverged_at is None
    d = ex.set(lr=0.3, x0=4.0)
    assert d.diverged_at is not None and np.all(np.isfinite(d.xs))
    assert "diverged at step" in ex.status.get_text()


@pytest.mark.parametrize("log", [False, True])
def test_live_slider_steps_land_on_every_static_frame(log):
    s = Slider("a", "a", 0.01, 1.0, default=0.1, log=log, frames=7, live_steps=100)
    w = s.widget(s.default)
    for value in s.grid():
        if log:
            position = (np.log10(value) - w.min) / w.step
        else:
            position = (value - w.min) / w.step
        assert position == pytest.approx(round(position), abs=1e-9)
