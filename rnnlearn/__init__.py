"""rnnlearn: numpy kernels and interactive explorers for the rnnlearn textbook.

Import the module you need, named by concept: ``from rnnlearn import landscapes, calculus``.
Modules are not imported eagerly, so ``import rnnlearn`` stays cheap.
"""
__version__ = "0.1.0"
