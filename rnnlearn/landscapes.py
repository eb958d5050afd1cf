r"""Loss landscapes with exact gradients, for watching gradient descent move.

Used by the chapters "slopes" (:class:`Quartic`, whose flat point at 0 is not a minimum)
and "descent" (:class:`Quadratic` and its condition number, :class:`Rosenbrock`'s curved
valley, :class:`DoubleWell` and :class:`DoubleWell2D` with a local and a global minimum).

Every landscape is a callable object with the same interface:

- ``f(w)`` the loss and ``f.grad(w)`` its gradient :math:`\nabla f`;
- ``dim``: 1-D landscapes take a scalar or an array ``x`` elementwise (a float for a
  scalar input); n-D ones take ``w`` of shape (..., dim) and return shape (...) (the
  gradient has shape (..., dim)), so a whole plotting grid is evaluated in one call;
- ``name`` (for titles), ``bounds`` (plot window: ``(lo, hi)`` in 1-D, one ``(lo, hi)``
  per axis otherwise), ``minima`` (global minimiser first; shape (m,) in 1-D, (m, dim)
  otherwise) and ``f_min`` (the global minimum value).
"""
import numpy as np

from rnnlearn._checks import check_int


class _Landscape:
    """Shared evaluation and input checks; subclasses define ``_f`` and ``_grad``."""

    def __call__(self, w):
        """Loss f(w): a float or shape (...) for 1-D, shape (...) for w of shape (..., dim)."""
        return self._evaluate(self._f, w)

    def grad(self, w):
        """Gradient: like ``f(w)`` in 1-D, shape (..., dim) for w of shape (..., dim)."""
        return self._evaluate(self._grad, w)

    def _evaluate(self, function, w):
        w = np.asarray(w, dtype=np.float64)
        if self.dim == 1:
            out = function(w)
            return float(out) if w.ndim == 0 else out
        if w.ndim == 0 or w.shape[-1] != self.dim:
            raise ValueError(f"w must have shape (..., {self.dim}); got {w.shape}")
        return function(w)

    def __repr__(self):
        return f"<{type(self).__name__}: {self.name}>"


class Quartic(_Landscape):
    r"""The quartic :math:`f(x) = x^4 - 3x^3 + 2` of the chapter "slopes".

    Its slope is zero at two points: the minimiser :math:`x = 9/4` and :math:`x = 0`,
    a stationary inflection point (:math:`f'(0) = f''(0) = 0`, :math:`f'''(0) = -18`):
    flat, but not a minimum, so "slope zero" alone does not mean "bottom".

    Equations
    ---------
    .. math::

        f(x) = x^4 - 3x^3 + 2, \qquad f'(x) = 4x^3 - 9x^2 = x^2(4x - 9)
    """

    dim = 1
    name = "quartic x^4 - 3x^3 + 2"
    bounds = (-1.5, 4.2)
    minima = np.array([9 / 4])
    stationary_points = np.array([0.0, 9 / 4])
    f_min = (9 / 4) ** 4 - 3 * (9 / 4) ** 3 + 2  # -1675/256

    def _f(self, x):
        return x**4 - 3 * x**3 + 2

    def _grad(self, x):
        return 4 * x**3 - 9 * x**2


def _rotation_matrix(rotation, dim):
    if rotation is None:
        return np.eye(dim)
    if np.ndim(rotation) == 0:
        if dim != 2:
            raise ValueError(f"a rotation angle needs dim 2; got dim {dim}")
        c, s = np.cos(rotation), np.sin(rotation)
        return np.array([[c, -s], [s, c]])
    Q = np.asarray(rotation, dtype=np.float64)
    if Q.shape != (dim, dim):
        raise ValueError(f"rotation must be an angle (dim 2) or a matrix of shape "
                         f"({dim}, {dim}); got shape {Q.shape}")
    if not np.allclose(Q.T @ Q, np.eye(dim), atol=1e-10):
        raise ValueError("rotation must be orthogonal (Q^T Q = I); got a matrix with "
                         f"Q^T Q =\n{Q.T @ Q}")
    return Q


class Quadratic(_Landscape):
    r"""Quadratic bowl :math:`f(w) = \tfrac12 (w - c)^\top A (w - c)` with chosen eigenvalues.

    Gradient descent on it converges for :math:`0 < \alpha < 2/L`, at a rate set by the
    condition number :math:`\kappa = L/\mu`.

    Parameters
    ----------
    eigenvalues : array_like, shape (dim,)
        Curvatures :math:`\lambda_i > 0` along the axes of :math:`Q`, in that order.
    rotation : float or ndarray, shape (dim, dim), optional
        Angle in radians (dim 2 only) or an orthogonal matrix :math:`Q`; default identity.
    center : ndarray, shape (dim,), optional
        The minimiser :math:`c`; default the origin.

    Attributes
    ----------
    A : ndarray, shape (dim, dim)
        The Hessian.
    eigenvalues : ndarray, shape (dim,)
        Sorted ascending.
    mu, L, kappa : float
        Smallest, largest eigenvalue and :math:`\kappa = L/\mu`.

    Equations
    ---------
    .. math::

        A = Q \operatorname{diag}(\lambda_1, \dots, \lambda_n) Q^\top, \qquad
        \nabla f(w) = A (w - c), \qquad f_{\min} = f(c) = 0
    """

    def __init__(self, eigenvalues, rotation=None, center=None):
        eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
        if eigenvalues.ndim != 1 or eigenvalues.size == 0:
            raise ValueError(f"eigenvalues must have shape (dim,); got {eigenvalues.shape}")
        if not np.all((eigenvalues > 0) & np.isfinite(eigenvalues)):
            raise ValueError(f"eigenvalues must all be finite and > 0; got {eigenvalues}")
        self.dim = dim = eigenvalues.size
        Q = _rotation_matrix(rotation, dim)
        A = Q @ np.diag(eigenvalues) @ Q.T
        self.A = (A + A.T) / 2  # exactly symmetric
        self.eigenvalues = np.sort(eigenvalues)
        self.mu, self.L = float(self.eigenvalues[0]), float(self.eigenvalues[-1])
        self.kappa = self.L / self.mu
        self.center = np.zeros(dim) if center is None else np.asarray(center, np.float64)
        if self.center.shape != (dim,):
            raise ValueError(f"center must have shape ({dim},); got {self.center.shape}")
        self.minima = self.center[None, :] if dim > 1 else self.center.copy()
        self.f_min = 0.0
        windows = tuple((float(ci) - 1.5, float(ci) + 1.5) for ci in self.center)
        self.bounds = windows[0] if dim == 1 else windows
        self.name = f"quadratic bowl (kappa = {self.kappa:g})"

    @classmethod
    def spread(cls, mu, L, dim, rotation=None):
        r"""Quadratic with eigenvalues evenly spaced from ``mu`` to ``L`` (``np.linspace``).

        Parameters
        ----------
        mu, L : float
            0 < mu <= L < inf.
        dim : int
            >= 2 (or 1 with mu == L).
        rotation : float or ndarray, shape (dim, dim), optional
            As in :class:`Quadratic`.

        Returns
        -------
        Quadratic
        """
        if not 0 < mu <= L < np.inf:
            raise ValueError(f"need 0 < mu <= L < inf; got mu={mu}, L={L}")
        dim = check_int("dim", dim)
        if dim < 1 or (dim == 1 and mu != L):
            raise ValueError(f"dim must be >= 2 (or 1 with mu == L); got dim={dim}")
        return cls(np.linspace(mu, L, dim), rotation=rotation)

    @classmethod
    def from_condition(cls, kappa, L=1.0, dim=2, rotation=None):
        r"""Quadratic with condition number ``kappa``: eigenvalues evenly spaced in [L/kappa, L].

        Parameters
        ----------
        kappa : float
            Finite, >= 1.
        L : float
            Largest eigenvalue.
        dim : int
        rotation : float or ndarray, shape (dim, dim), optional

        Returns
        -------
        Quadratic
        """
        if not 1 <= kappa < np.inf:
            raise ValueError(f"kappa must be finite and >= 1; got {kappa}")
        return cls.spread(L / kappa, L, dim, rotation)

    def _offset(self, w):
        return (w[..., None] if self.dim == 1 else w) - self.center  # (..., dim)

    def _f(self, w):
        d = self._offset(w)
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def _grad(self, w):
        g = self._offset(w) @ self.A  # A is symmetric
        return g[..., 0] if self.dim == 1 else g


class Rosenbrock(_Landscape):
    r"""Rosenbrock's banana valley: easy to find, slow to follow to its minimum at :math:`(a, a^2)`.

    Equations
    ---------
    .. math::

        f(x, y) = (a - x)^2 + b (y - x^2)^2, \qquad
        \nabla f = \begin{pmatrix} -2(a - x) - 4 b x (y - x^2) \\ 2 b (y - x^2) \end{pmatrix}
    """

    dim = 2
    bounds = ((-2.0, 2.0), (-1.0, 3.0))
    f_min = 0.0

    def __init__(self, a=1.0, b=100.0):
        if not (np.isfinite(a) and 0 < b < np.inf):
            raise ValueError(f"need a finite and b finite and > 0; got a={a}, b={b}")
        self.a, self.b = float(a), float(b)
        self.minima = np.array([[self.a, self.a**2]])
        self.name = f"Rosenbrock (a={self.a:g}, b={self.b:g})"

    def _f(self, w):
        x, y = w[..., 0], w[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, w):
        x, y = w[..., 0], w[..., 1]
        valley = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * valley, 2 * self.b * valley], -1)


MAX_TILT = 8 / (3 * np.sqrt(3))  # beyond this the double well has a single minimum


class DoubleWell(_Landscape):
    r"""Two valleys, tilted so that one is lower: gradient descent finds the nearer one.

    For :math:`0 < |t| < 8/(3\sqrt3)` there are two minima (the outer real roots of
    :math:`f'`) and a local maximum between them; with :math:`t > 0` the left well is the
    global one. The minima are computed from the roots of :math:`f'` with ``np.roots``.

    Parameters
    ----------
    tilt : float
        :math:`t`, with :math:`|t| < 8/(3\sqrt 3) \approx 1.5396`.

    Equations
    ---------
    .. math::

        f(x) = x^4 - 2x^2 + t x, \qquad f'(x) = 4x^3 - 4x + t
    """

    dim = 1
    bounds = (-2.0, 2.0)

    def __init__(self, tilt=0.3):
        if not abs(tilt) < MAX_TILT:
            raise ValueError(f"|tilt| must be < 8/(3 sqrt 3) = {MAX_TILT:.4f} for two "
                             f"minima to exist; got {tilt}")
        self.tilt = float(tilt)
        roots = np.sort(np.roots([4.0, 0.0, -4.0, self.tilt]).real)  # three real roots
        wells = roots[[0, 2]]  # f'' = 12x^2 - 4 > 0 at the outer roots
        self.minima = wells[np.argsort(self._f(wells), kind="stable")]
        self.f_min = float(self._f(self.minima[0]))
        self.name = f"double well x^4 - 2x^2 {'-' if tilt < 0 else '+'} {abs(self.tilt):g}x"

    def _f(self, x):
        return x**4 - 2 * x**2 + self.tilt * x

    def _grad(self, x):
        return 4 * x**3 - 4 * x + self.tilt


class DoubleWell2D(_Landscape):
    r""":class:`DoubleWell` along :math:`x`, a parabola of stiffness :math:`s` across it.

    Parameters
    ----------
    tilt : float
        As in :class:`DoubleWell`.
    stiffness : float
        :math:`s > 0`.

    Equations
    ---------
    .. math::

        f(x, y) = x^4 - 2x^2 + t x + s y^2, \qquad
        \nabla f = \begin{pmatrix} 4x^3 - 4x + t \\ 2 s y \end{pmatrix}
    """

    dim = 2
    bounds = ((-2.0, 2.0), (-1.5, 1.5))

    def __init__(self, tilt=0.3, stiffness=1.0):
        if not 0 < stiffness < np.inf:
            raise ValueError(f"stiffness must be finite and > 0; got {stiffness}")
        self.well = DoubleWell(tilt)
        self.tilt, self.stiffness = self.well.tilt, float(stiffness)
        self.minima = np.stack([self.well.minima, np.zeros(2)], axis=-1)  # (2, 2)
        self.f_min = self.well.f_min
        self.name = f"2-D double well (tilt {self.tilt:g}, stiffness {self.stiffness:g})"

    def _f(self, w):
        return self.well._f(w[..., 0]) + self.stiffness * w[..., 1] ** 2

    def _grad(self, w):
        return np.stack([self.well._grad(w[..., 0]), 2 * self.stiffness * w[..., 1]], -1)
