"""Explorers: interactive figures, live in Jupyter and draggable in the built book.

The framework: :mod:`.controls` (what the reader changes), :mod:`.base` (the
:class:`Explorer` class: stages, memo, budgets, headless API), :mod:`.render` (blitted frames),
:mod:`.live` (the ipywidgets view) and :mod:`.twin` (the static twin). One module per chapter
holds the explorers themselves: :mod:`.slopes`, :mod:`.descent`, :mod:`.backprop` (Part I),
:mod:`.bptt`, :mod:`.gradients`, :mod:`.wrec_training`, :mod:`.reservoir` (Part II),
:mod:`.lstm`, :mod:`.gru` (Part III), :mod:`.charlm` (Part IV).
``REGISTRY`` (and ``ALL``, the same classes in a tuple) lists every registered explorer.
"""
from .base import REGISTRY, Explorer, register, static_mode
from .controls import Choice, IntSlider, Slider, Toggle
from .slopes import DescentExplorer, TangentExplorer
from .descent import QuadraticExplorer, RaceExplorer
from .backprop import ClassifierExplorer, GradientFlowExplorer
from .bptt import UnrollExplorer
from .gradients import CliffExplorer, WrecExplorer
from .wrec_training import TrainingExplorer
from .reservoir import EsnExplorer
from .lstm import CarouselExplorer, GateExplorer
from .gru import GruGateExplorer
from .charlm import CellExplorer, TemperatureExplorer

#: Every registered explorer class, in chapter order.
ALL = tuple(REGISTRY.values())

__all__ = [
    "ALL", "REGISTRY", "Explorer", "register", "static_mode",
    "Slider", "IntSlider", "Choice", "Toggle",
    "TangentExplorer", "DescentExplorer", "QuadraticExplorer", "RaceExplorer",
    "GradientFlowExplorer", "ClassifierExplorer",
    "UnrollExplorer", "WrecExplorer", "TrainingExplorer", "CliffExplorer", "EsnExplorer",
    "GateExplorer", "CarouselExplorer", "GruGateExplorer", "TemperatureExplorer",
    "CellExplorer",
]
