"""Explorers: interactive figures, live in Jupyter and draggable in the built book.

:mod:`rnnlearn.explorers.base` holds the framework; one module per chapter family holds the
explorers themselves. Importing this package registers every explorer in ``REGISTRY``.
"""
from .base import REGISTRY, Choice, Explorer, Slider, static_mode
from .slopes import DescentExplorer, TangentExplorer
from .descent import QuadraticExplorer, RaceExplorer  # noqa: F401
from .backprop import ClassifierExplorer, GradientFlowExplorer  # noqa: F401

__all__ = ["REGISTRY", "Choice", "Explorer", "Slider", "static_mode", "TangentExplorer", "DescentExplorer"]
