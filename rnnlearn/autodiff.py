"""A tiny scalar reverse-mode automatic differentiation, in the style of Karpathy's micrograd.

Used by the chapter "backprop" to show the chain rule at work: every operation creates a
:class:`Value` that remembers its inputs and, right beside the forward formula, how to pass the
gradient back to them (the local derivative times the incoming gradient). :meth:`Value.backward`
visits the graph in reverse topological order. Scalars only and slow: for teaching, not training.
"""
from __future__ import annotations

import math
from numbers import Real


class Value:
    """A scalar in a computation graph, with the gradient dL/d(self) filled in by backward().

    Parameters
    ----------
    data : float
    children : tuple of Value
        The inputs of the operation that produced this value.
    op : str
        Name of that operation, for display.

    Examples
    --------
    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a.tanh()
    >>> c.backward()
    >>> round(a.grad, 6)    # b + (1 - tanh(a)**2)
    -2.929349
    """

    def __init__(self, data, children=(), op=""):
        if isinstance(data, bool) or not isinstance(data, Real):  # a bool is not a number
            raise TypeError(f"data must be a real number; got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self._children = tuple(children)
        self._backward = lambda: None
        self.op = op

    def __repr__(self):
        return f"Value(data={self.data:g}, grad={self.grad:g})"

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, bool) or not isinstance(exponent, Real):
            raise TypeError(f"exponent must be an int or float; got {type(exponent).__name__}")
        exponent = exponent if isinstance(exponent, int) else float(exponent)  # no numpy scalars
        out = Value(_power(self.data, exponent), (self,), f"**{exponent:g}")

        def _backward():  # d(a^n)/da = n a^(n-1); for n = 0 the derivative is 0 everywhere
            local = 0.0 if exponent == 0 else exponent * _power(self.data, exponent - 1)
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        """A new Value, tanh(self); its backward pass adds the local derivative."""
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():  # d tanh(a)/da = 1 - tanh(a)^2
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self):
        """A new Value, the logistic sigmoid of self; its backward adds the local slope."""
        e = math.exp(-abs(self.data))  # stable: never exp of a large positive number
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward():  # d sigma(a)/da = sigma(a) (1 - sigma(a))
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        """A new Value, max(self, 0); its backward pass adds the local derivative."""
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():  # d relu(a)/da = 1 if a > 0 else 0
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        """A new Value, e to the power self; its backward pass adds the local derivative."""
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward():  # d e^a/da = e^a
            self.grad += e * out.grad

        out._backward = _backward
        return out

    def log(self):
        """A new Value, the natural logarithm of self (> 0); its backward adds 1/self."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument; got {self.data!r}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():  # d log(a)/da = 1/a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    # Everything else is built from the operations above, so needs no derivative of its own.
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other))

    def __truediv__(self, other):
        return self * _as_value(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def backward(self):
        """Fill in ``.grad`` of every value this one depends on: d(self)/d(value).

        Gradients accumulate (+=), as in micrograd: reset ``.grad`` to 0 before a second call.
        """
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # iterative depth-first search: deep graphs do not hit the recursion limit
            node, children_done = stack.pop()
            if children_done:
                order.append(node)  # all its inputs are already in order
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._children)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _power(x, p):
    """``x ** p`` for floats as PyTorch computes it, never raising.

    Python's own ``**`` raises for ``0.0 ** -1`` and on overflow, and returns a complex number
    for a negative base with a fractional exponent. Here, as in C's ``pow`` and PyTorch: 0 to a
    negative power is infinite (with the sign of the zero for an odd integer power), overflow
    gives an infinity, and a negative base with a non-integer exponent gives nan. Like PyTorch,
    the powers 1/2 and -1/2 are a square root and its reciprocal (so ``(-0.0) ** 0.5`` is -0.0).
    """
    if p == 0.5 or p == -0.5:
        if math.isnan(x) or x < 0:
            return math.nan
        root = math.sqrt(x)  # keeps the sign of a zero
        if p > 0:
            return root
        return math.copysign(math.inf, root) if root == 0 else 1.0 / root
    odd = float(p).is_integer() and p % 2 == 1  # an odd integer power keeps the sign of x
    if x == 0 and p < 0:
        return math.copysign(math.inf, x) if odd else math.inf
    if x < 0 and math.isfinite(x) and math.isfinite(p) and not float(p).is_integer():
        return math.nan
    try:
        return float(x**p)
    except OverflowError:
        return -math.inf if (x < 0 and odd) else math.inf


def _as_value(x):
    """Wrap a plain number as a constant Value."""
    return x if isinstance(x, Value) else Value(x)
