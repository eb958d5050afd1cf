r"""Small synthetic data sets, made from a seeded generator, for training networks in seconds.

Used by the chapter "backprop" (:func:`two_moons`, the classification problem its classifier
explorer trains a network on). Every generator is a pure function of its arguments and the
``rng`` passed in, so a fixed seed always gives the same points.
"""
from __future__ import annotations

import numpy as np

from rnnlearn._checks import check_float, check_int, check_rng


def two_moons(n, noise, rng):
    r"""Two interleaved half-circles, one per class, with Gaussian noise; centred at the origin.

    Class 0 lies on the upper arc of the unit circle, class 1 on a lower arc shifted right by 1
    and down by 1/2, so that each arc reaches into the other's hollow: no straight line
    separates them.

    Parameters
    ----------
    n : int
        Number of points, >= 2; the classes get ``n // 2`` and ``n - n // 2`` of them.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (n, 2)
        The points, class 0 first.
    y : ndarray of int, shape (n,)
        Their labels, 0 or 1.

    Equations
    ---------
    .. math::

        \text{class 0: } (\cos\theta,\ \sin\theta) - c, \qquad
        \text{class 1: } (1 - \cos\theta,\ \tfrac12 - \sin\theta) - c, \qquad
        \theta \sim U[0, \pi],\ c = (\tfrac12, \tfrac14)
    """
    n = check_int("n", n, lo=2)
    noise = check_float("noise", noise, 0.0)
    check_rng(rng)
    n0 = n // 2
    theta = rng.uniform(0.0, np.pi, size=n)  # (n,)
    upper = np.column_stack([np.cos(theta[:n0]), np.sin(theta[:n0])])  # (n0, 2)
    lower = np.column_stack([1 - np.cos(theta[n0:]), 0.5 - np.sin(theta[n0:])])  # (n - n0, 2)
    x = np.vstack([upper, lower]) - np.array([0.5, 0.25])  # (n, 2)
    x += noise * rng.normal(size=x.shape)
    y = np.repeat([0, 1], [n0, n - n0])
    return x, y
