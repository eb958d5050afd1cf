"""The slopes chapter's explorers show what the chapter tells the reader to look for."""
import numpy as np
import pytest

from rnnlearn import explorers
from rnnlearn.explorers.slopes import DESCENT_XLIM


def on_grid(slider, value, rel=0.03):
    """The static twin has a frame within ``rel`` (relative) of ``value``."""
    return any(abs(v - value) <= rel * abs(value) + 1e-12 for v in slider.grid())


def test_descent_explorer_grid_holds_the_values_the_chapter_names():
    lr, x0 = explorers.DescentExplorer.controls
    for value in (1e-4, 0.001, 0.01, 0.018, 0.032, 0.056, 0.1):
        assert on_grid(lr, value), value
    for value in (-1.0, 0.0, 2.0, 3.0, 4.0):
        assert value in x0.grid()


def test_descent_explorer_first_steps_from_4_are_visible_or_named():
    ex = explorers.DescentExplorer()
    lr_grid = explorers.DescentExplorer.controls[0].grid()
    texts = set()
    for lr in lr_grid[-5:]:  # 0.032 .. 0.32: the first step overshoots the minimum
        d = ex.set(lr=lr, x0=4.0)
        if d.diverged_at is None:
            assert DESCENT_XLIM[0] <= d.xs.min() and d.xs.max() <= DESCENT_XLIM[1]
            assert ex.fig.axes[0].get_xlim() == pytest.approx(DESCENT_XLIM)
        else:
            assert f"x_{len(d.xs) - 1} = " in ex.artists.status.get_text()
            texts.add(ex.artists.status.get_text())
    assert len(texts) == 3  # each diverging frame names a different first step


def test_tangent_explorer_names_the_flat_inflection_point():
    ex = explorers.TangentExplorer()
    ex.set(x=0.0)
    assert "flat inflection point" in ex.artists.message.get_text()
    assert np.isclose(ex.compute(0.0).slope, 0.0)
