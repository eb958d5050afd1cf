"""Explorer controls: what the reader can change, live (ipywidgets) and in the static twin.

Every control declares

- ``stage``: ``"model"`` (what to compute: the explorer memoises its model stage on these values)
  or ``"view"`` (what to look at: served by the cheap ``select`` step, never recomputing);
- ``static``: True puts the control's grid in the static twin; False makes it live-only (the
  twin pins it to its value and shows it as fixed text);
- ``continuous_update``: the live widget reports values while dragging (True) or on release.

:class:`Slider` (float, linear or log), :class:`IntSlider`, :class:`Choice` (toggle buttons or a
dropdown) and :class:`Toggle` (a checkbox). Used by every explorer (all Part I chapters).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

STAGES = ("model", "view")


def _check_common(kind: str, name: str, stage: str, static, continuous_update) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{kind}: name must be a Python identifier; got {name!r}")
    if stage not in STAGES:
        raise ValueError(f"{kind} {name!r}: stage must be one of {STAGES}; got {stage!r}")
    if not isinstance(static, bool) or not isinstance(continuous_update, bool):
        raise TypeError(f"{kind} {name!r}: static and continuous_update must be bools")


def _layout():
    import ipywidgets as widgets

    return dict(style={"description_width": "initial"}, layout=widgets.Layout(width="95%"))


@dataclass(frozen=True)
class Slider:
    """A float control, linear or logarithmic.

    Parameters
    ----------
    name : str
        Keyword passed to ``compute`` (model stage) or ``select`` (view stage).
    label : str
        What the reader sees, e.g. ``"learning rate α"``.
    lo, hi : float
        Range; both ends are reachable, live and static.
    default : float
        Start value (the twin starts at the grid point nearest to it, in log distance if ``log``).
    log : bool
        Logarithmic scale (``lo`` must then be positive).
    frames : int
        Number of grid points in the static twin (and in the sweep tests), ends included.
    live_steps : int
        About this many slider steps live (a whole number per grid step: every frame is reachable).
    fmt : str
        Format spec of the read-out.
    stage, static, continuous_update
        See the module docstring.
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
    stage: str = "model"
    static: bool = True
    continuous_update: bool = True

    def __post_init__(self):
        _check_common("Slider", self.name, self.stage, self.static, self.continuous_update)
        if not self.lo < self.hi:
            raise ValueError(f"Slider {self.name!r}: need lo < hi; got lo={self.lo}, hi={self.hi}")
        if self.log and self.lo <= 0:
            raise ValueError(f"Slider {self.name!r}: a log slider needs lo > 0; got {self.lo}")
        if not self.lo <= self.default <= self.hi:
            raise ValueError(f"Slider {self.name!r}: default must lie in [{self.lo}, {self.hi}]; "
                             f"got {self.default}")
        if self.frames < 2 or self.live_steps < 2:
            raise ValueError(f"Slider {self.name!r}: frames and live_steps must be >= 2")

    def grid(self) -> list[float]:
        """The static twin's values, ends included."""
        if self.log:
            values = np.logspace(math.log10(self.lo), math.log10(self.hi), self.frames)
        else:
            values = np.linspace(self.lo, self.hi, self.frames)
        return [float(v) for v in values]

    def distance(self, a: float, b: float) -> float:
        """How far apart two values are for the reader: in log distance on a log slider."""
        return abs(math.log(a / b)) if self.log else abs(a - b)

    def validate(self, value) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{self.name} must be a number; got {type(value).__name__}")
        value = float(value)
        # the live log slider can land a rounding error outside the range: allow 1e-9 relative
        tol = 1e-9 * max(abs(self.lo), abs(self.hi))
        if not (self.lo - tol <= value <= self.hi + tol):
            raise ValueError(f"{self.name} must lie in [{self.lo:g}, {self.hi:g}]; got {value:g}")
        return min(max(value, self.lo), self.hi)

    def text(self, value) -> str:
        return format(value, self.fmt)

    def make_widget(self, value):
        """The live ipywidgets slider."""
        import ipywidgets as widgets

        common = dict(value=value, description=self.label, readout_format=self.fmt,
                      continuous_update=self.continuous_update, **_layout())
        steps = (self.frames - 1) * max(1, round(self.live_steps / (self.frames - 1)))
        if self.log:
            lo, hi = math.log10(self.lo), math.log10(self.hi)
            return widgets.FloatLogSlider(min=lo, max=hi, step=(hi - lo) / steps, base=10, **common)
        return widgets.FloatSlider(min=self.lo, max=self.hi, step=(self.hi - self.lo) / steps,
                                   **common)


@dataclass(frozen=True)
class IntSlider:
    """An integer control (a depth, a time step, a cell index).

    Parameters
    ----------
    name, label : str
    lo, hi, default : int
    step : int
        Live step; every ``lo + k * step`` up to ``hi`` is a value.
    frames : int or None
        Static grid: None puts every value in the twin; an int asks for that many evenly spaced
        values, ends included, which must be values (e.g. 2..12 with ``frames=6``: 2, 4, ..., 12).
    stage, static, continuous_update
        See the module docstring.
    """

    name: str
    label: str
    lo: int
    hi: int
    default: int
    step: int = 1
    frames: int | None = None
    stage: str = "model"
    static: bool = True
    continuous_update: bool = True

    def __post_init__(self):
        _check_common("IntSlider", self.name, self.stage, self.static, self.continuous_update)
        for key in ("lo", "hi", "default", "step"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"IntSlider {self.name!r}: {key} must be an int; got {v!r}")
        if self.step < 1 or not self.lo < self.hi or (self.hi - self.lo) % self.step:
            raise ValueError(f"IntSlider {self.name!r}: need step >= 1, lo < hi and hi - lo a "
                             f"multiple of step; got lo={self.lo}, hi={self.hi}, step={self.step}")
        self.validate(self.default)
        if self.frames is not None:
            if self.frames < 2:
                raise ValueError(f"IntSlider {self.name!r}: frames must be >= 2 or None")
            points = np.linspace(self.lo, self.hi, self.frames)
            if not all(p == round(p) and (round(p) - self.lo) % self.step == 0 for p in points):
                raise ValueError(f"IntSlider {self.name!r}: {self.frames} evenly spaced frames "
                                 f"from {self.lo} to {self.hi} are not all values; got {points}")

    def grid(self) -> list[int]:
        if self.frames is None:
            return list(range(self.lo, self.hi + 1, self.step))
        return [int(round(p)) for p in np.linspace(self.lo, self.hi, self.frames)]

    def distance(self, a: int, b: int) -> float:
        return abs(a - b)

    def validate(self, value) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{self.name} must be an int; got {type(value).__name__} {value!r}")
        value = int(value)
        if not self.lo <= value <= self.hi or (value - self.lo) % self.step:
            raise ValueError(f"{self.name} must be one of {self.lo}, {self.lo + self.step}, ..., "
                             f"{self.hi}; got {value}")
        return value

    def text(self, value) -> str:
        return str(int(value))

    def make_widget(self, value):
        import ipywidgets as widgets

        return widgets.IntSlider(value=value, min=self.lo, max=self.hi, step=self.step,
                                 description=self.label, continuous_update=self.continuous_update,
                                 **_layout())


@dataclass(frozen=True)
class Choice:
    """One of a few named options (an activation, a data set).

    ``widget="auto"`` shows toggle buttons for up to 6 options and a dropdown above that;
    ``"toggle"`` or ``"dropdown"`` forces one. The twin shows a range input for toggle-style
    choices and a labelled ``<select>`` for dropdowns.
    """

    name: str
    label: str
    options: tuple[str, ...]
    default: str
    widget: str = "auto"
    stage: str = "model"
    static: bool = True
    continuous_update: bool = True

    def __post_init__(self):
        _check_common("Choice", self.name, self.stage, self.static, self.continuous_update)
        if not isinstance(self.options, tuple) or len(self.options) < 1:
            raise TypeError(f"Choice {self.name!r}: options must be a non-empty tuple")
        if self.default not in self.options:
            raise ValueError(f"Choice {self.name!r}: default must be one of {self.options}; "
                             f"got {self.default!r}")
        if self.widget not in ("auto", "toggle", "dropdown"):
            raise ValueError(f"Choice {self.name!r}: widget must be 'auto', 'toggle' or "
                             f"'dropdown'; got {self.widget!r}")

    @property
    def dropdown(self) -> bool:
        return self.widget == "dropdown" or (self.widget == "auto" and len(self.options) > 6)

    def grid(self) -> list[str]:
        return list(self.options)

    def distance(self, a, b) -> float:
        return 0.0 if a == b else 1.0

    def validate(self, value) -> str:
        if value not in self.options:
            raise ValueError(f"{self.name} must be one of {list(self.options)}; got {value!r}")
        return value

    def text(self, value) -> str:
        return str(value)

    def make_widget(self, value):
        import ipywidgets as widgets

        kind = widgets.Dropdown if self.dropdown else widgets.ToggleButtons
        return kind(options=list(self.options), value=value, description=self.label,
                    style={"description_width": "initial"})


@dataclass(frozen=True)
class Toggle:
    """An on/off control: a checkbox live and in the twin."""

    name: str
    label: str
    default: bool = False
    stage: str = "model"
    static: bool = True
    continuous_update: bool = True

    def __post_init__(self):
        _check_common("Toggle", self.name, self.stage, self.static, self.continuous_update)
        self.validate(self.default)

    def grid(self) -> list[bool]:
        return [False, True]

    def distance(self, a, b) -> float:
        return 0.0 if a == b else 1.0

    def validate(self, value) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{self.name} must be a bool; got {type(value).__name__}")
        return bool(value)

    def text(self, value) -> str:
        return "on" if value else "off"

    def make_widget(self, value):
        import ipywidgets as widgets

        return widgets.Checkbox(value=value, description=self.label, indent=False,
                                style={"description_width": "initial"})


Control = Slider | IntSlider | Choice | Toggle
