"""Explorers for the chapter "Backpropagation" (book/backprop.ipynb).

- :class:`GradientFlowExplorer`: choose the depth, the activation and the weight scale of an MLP;
  see how large each layer's weight gradient is at initialisation and how far each layer's
  weights move in the first steps of gradient descent.
- :class:`ClassifierExplorer`: choose the learning rate, the hidden size and the random start; a
  one-hidden-layer tanh network is trained on two interleaved moons, and the class-probability
  map and the loss curve are redrawn.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from .. import datasets, mlp, optim
from ..activations import log_softmax, sigmoid
from ..plotting import PALETTE, figure, heading, log_axis
from .base import Explorer, register
from .controls import Choice, IntSlider, Slider

#: Floor of the log-scale plots: an exact 0 (e.g. a layer of dead relu units) is drawn here.
FLOOR = 1e-16


# -- gradient flow through a deep network ---------------------------------------------------------
class FlowData(NamedTuple):
    grad_norms: np.ndarray  # (depth,) ||dL/dW_l|| at initialisation, input layer first
    rel_change: np.ndarray  # (depth,) ||W_l - W_l(0)|| / ||W_l(0)|| after `steps` SGD steps
    steps: int  # steps taken: fewer than asked if the weights blew up
    blew_up: bool  # some layer's weights changed by more than BLOW_UP times their size


#: A step that changes some layer's weights by more than this many times their size ends the run.
BLOW_UP = 10.0


def flow_task(batch=32, dim=16, seed=0):
    """The fixed data of :func:`gradient_flow`: Gaussian inputs labelled by the sign of x_1 x_2.

    Returns
    -------
    x : ndarray, shape (batch, dim)
    y : ndarray of int, shape (batch,)
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, dim))
    return x, (x[:, 0] * x[:, 1] > 0).astype(int)


def gradient_flow(depth, activation, gain, width=16, steps=10, lr=0.1, seed=0) -> FlowData:
    r"""Per-layer gradient norms of a deep MLP at initialisation, and how far each layer moves.

    The network has ``depth`` weight layers (``depth - 1`` hidden layers of ``width`` units and a
    linear output for two classes, trained with cross-entropy on :func:`flow_task`). Its weights
    are Glorot/Xavier normal, multiplied by ``gain``. Everything is seeded, so equal arguments
    give equal numbers.

    Parameters
    ----------
    depth : int
        Number of weight layers, >= 2.
    activation : {"sigmoid", "tanh", "relu"}
    gain : float
        Weight scale relative to Xavier's std sqrt(2 / (n_in + n_out)); sqrt(2) is He's scale
        for the square hidden layers.
    width, steps, seed : int
    lr : float
        Learning rate of the ``steps`` full-batch gradient-descent steps.

    Returns
    -------
    FlowData

    Equations
    ---------
    .. math::

        \frac{\partial \mathcal{L}}{\partial W_l} = (o^{(l-1)})^\top \delta^{(l)}, \qquad
        \text{relative change}_l
        = \frac{\lVert W_l^{(k)} - W_l^{(0)} \rVert}{\lVert W_l^{(0)} \rVert}
    """
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 2:
        raise ValueError(f"depth must be an int >= 2; got {depth!r}")
    if not gain > 0:
        raise ValueError(f"gain must be > 0; got {gain!r}")
    x, y = flow_task(dim=width, seed=seed)
    params = mlp.init_params([width] * depth + [2], np.random.default_rng(seed + 1), "xavier")
    for l in range(1, depth + 1):
        params[f"W{l}"] *= gain
    start = [params[f"W{l}"].copy() for l in range(1, depth + 1)]
    sizes = np.array([np.linalg.norm(W) for W in start])
    _, grads = mlp.loss_and_grads(params, x, y, activation, "cross_entropy")
    grad_norms = mlp.layer_grad_norms(grads)
    sgd = optim.SGD(lr=lr)
    rel_change, taken = np.zeros(depth), 0
    while taken < steps:
        sgd.step(params, grads)
        taken += 1
        rel_change = np.array([np.linalg.norm(params[f"W{l}"] - W0)
                               for l, W0 in enumerate(start, start=1)]) / sizes
        if rel_change.max() > BLOW_UP or taken == steps:
            break
        _, grads = mlp.loss_and_grads(params, x, y, activation, "cross_entropy")
    return FlowData(grad_norms, rel_change, taken, bool(rel_change.max() > BLOW_UP))


class FlowArtists(NamedTuple):
    norms: object  # Line2D: gradient norm per layer
    change: object  # Line2D: relative weight change per layer
    ratio: object  # Text: layer 1 / last layer
    status: object  # Text: steps taken, or the blow-up


@register
class GradientFlowExplorer(Explorer):
    controls = (
        # even depths 2, 4, ..., 12 in the static twin; every integer live
        IntSlider("depth", "depth (weight layers)", 2, 12, default=10, frames=6),
        Choice("activation", "activation φ", ("sigmoid", "tanh", "relu"), "sigmoid"),
        # sqrt(2) steps from 0.5 to 4: hit 1 (Xavier) and sqrt(2) (He, for the square layers)
        Slider("gain", "weight scale (× Xavier)", 0.5, 4.0, default=1.0, log=True, frames=7,
               live_steps=60),
    )
    figsize = (7.5, 3.3)
    twin_scale = 1.0  # 126 frames at 1.5x exceed the size budget
    steps, lr = 10, 0.1
    caption = (
        "A deep MLP (16 units per hidden layer, one fixed seeded data set and seeded weights) at "
        "initialisation. Left: the norm of each layer's weight gradient ‖∂L/∂W_l‖, layer 1 next "
        "to the input. Right: how far each layer's weights move in the first 10 steps of "
        "gradient descent (α = 0.1), relative to their size; a run stops once a layer has moved "
        "by more than ten times its size (dotted line). Both axes are logarithmic; an exact 0 "
        "would be drawn at 1e-16. With sigmoid the layers near the input get the least; relu at "
        "the He scale (× 1.41) keeps the layers level; large scales make the steps blow up."
    )
    alt = "Per-layer weight-gradient norms and relative weight changes of a deep MLP, on log axes"

    def compute(self, depth, activation, gain):
        return gradient_flow(depth, activation, gain, steps=self.steps, lr=self.lr)

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, layout=None)
        fig.subplots_adjust(left=0.1, right=0.985, bottom=0.15, top=0.9, wspace=0.3)
        hi = self.controls[0].hi
        for ax in (left, right):
            log_axis(ax, range(-12, 7, 3))
            ax.set(xlim=(0.5, hi + 0.5), xlabel="layer l (1 = next to the input)")
            ax.set_xticks(range(1, hi + 1))
        left.set_ylabel("‖∂L/∂W_l‖ at initialisation")
        right.set_ylabel("‖ΔW_l‖ / ‖W_l‖")
        right.axhline(BLOW_UP, color=PALETTE["grey"], lw=0.8, ls=":")
        (norms,) = left.plot([], [], "-o", color=PALETTE["blue"], ms=5)
        (change,) = right.plot([], [], "-s", color=PALETTE["orange"], ms=5)
        return fig, FlowArtists(norms, change, heading(left), heading(right))

    def update(self, a, d):
        layers = np.arange(1, len(d.grad_norms) + 1)
        a.norms.set_data(layers, np.maximum(d.grad_norms, FLOOR))
        a.change.set_data(layers, np.maximum(d.rel_change, FLOOR))
        a.ratio.set_text(f"layer 1 / layer {len(layers)}: "
                         f"{d.grad_norms[0] / d.grad_norms[-1]:.2g}")
        if d.blew_up:
            a.status.set_text(f"blew up at step {d.steps}: ‖ΔW‖ > {BLOW_UP:g}‖W‖")
            a.status.set_color(PALETTE["vermillion"])
        else:
            a.status.set_text(f"after {d.steps} steps of α = {self.lr:g}")
            a.status.set_color(PALETTE["black"])


# -- a classifier trained live ---------------------------------------------------------------------
class ClassifierData(NamedTuple):
    probs: np.ndarray  # (G, G) P(class 1 | point) over GRID, rows along y
    losses: np.ndarray  # (epochs,) mean cross-entropy before each update
    accuracy: float  # on the training points after training


class StartsData(NamedTuple):
    losses: np.ndarray  # (S, epochs) mean cross-entropy before each update, one row per seed
    accuracy: np.ndarray  # (S,) training accuracy after the last update
    params: dict  # "W1" (S, 2, H), "b1" (S, 1, H), "W2" (S, H, 2), "b2" (S, 1, 2) after training


#: The training set: 80 noisy moon points from a fixed seed.
MOONS_X, MOONS_Y = datasets.two_moons(80, 0.15, np.random.default_rng(0))
#: The class-probability image: EXTENT = (x_lo, x_hi, y_lo, y_hi), GRID_POINTS (G*G, 2),
#: row-major in y.
EXTENT = (-2.25, 2.25, -1.5, 1.5)
_gx, _gy = np.meshgrid(np.linspace(*EXTENT[:2], 64), np.linspace(*EXTENT[2:], 48))
GRID_POINTS = np.column_stack([_gx.ravel(), _gy.ravel()])  # (G_y * G_x, 2)
GRID_SHAPE = _gx.shape


def _margin(params, x):
    """net_1 - net_0 of the stacked networks in ``params`` at the points x (N, 2): (S, N)."""
    net2 = np.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]  # (S, N, 2)
    return net2[..., 1] - net2[..., 0]


def train_starts(lr, hidden, epochs=300, seeds=(0,)) -> StartsData:
    r"""Train one 2-``hidden``-2 tanh MLP per seed on the moons, all at once, by gradient descent.

    Each network starts from ``mlp.init_params([2, hidden, 2], default_rng(seed), "xavier")``
    and takes ``epochs`` full-batch steps of plain gradient descent on the cross-entropy of all
    80 points: the same arithmetic as ``mlp.train(..., optim.SGD(lr), epochs,
    activation="tanh", loss="cross_entropy")`` (equal to about 1e-12 while the run is not
    chaotic), with the networks stacked along a first axis so that many starts cost little more
    than one.

    Parameters
    ----------
    lr : float
        Learning rate alpha, > 0.
    hidden : int
        Hidden units, >= 1.
    epochs : int
    seeds : sequence of int
        One network per seed.

    Returns
    -------
    StartsData

    Equations
    ---------
    .. math::

        \delta^{(2)} = \tfrac{1}{B}(\mathbf{p} - \mathbf{y}), \quad
        \delta^{(1)} = (\delta^{(2)} W_2^\top) \odot (1 - (o^{(1)})^2), \quad
        W_l \leftarrow W_l - \alpha\, (o^{(l-1)})^\top \delta^{(l)}
    """
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)) or hidden < 1:
        raise ValueError(f"hidden must be an int >= 1; got {hidden!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1; got {epochs!r}")
    starts = [mlp.init_params([2, hidden, 2], np.random.default_rng(s), "xavier") for s in seeds]
    if not starts:
        raise ValueError("seeds must hold at least one seed")
    W1, b1, W2, b2 = (np.stack([p[k] for p in starts]) for k in ("W1", "b1", "W2", "b2"))
    b1, b2 = b1[:, None, :], b2[:, None, :]  # (S, 1, H), (S, 1, 2): broadcast over the batch
    x, onehot = MOONS_X, np.eye(2)[MOONS_Y]  # (N, 2), (N, 2)
    losses = np.empty((len(starts), epochs))
    for k in range(epochs):
        o1 = np.tanh(x @ W1 + b1)  # (S, N, H)
        log_p = log_softmax(o1 @ W2 + b2)  # (S, N, 2)
        losses[:, k] = -np.mean(np.sum(onehot * log_p, axis=-1), axis=-1)
        delta2 = (np.exp(log_p) - onehot) / len(x)  # (S, N, 2)
        delta1 = (delta2 @ W2.swapaxes(1, 2)) * (1 - o1 * o1)  # (S, N, H)
        W2 -= lr * (o1.swapaxes(1, 2) @ delta2)
        b2 -= lr * delta2.sum(axis=1, keepdims=True)
        W1 -= lr * (x.T @ delta1)
        b1 -= lr * delta1.sum(axis=1, keepdims=True)
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    accuracy = np.mean((_margin(params, x) > 0) == (MOONS_Y == 1), axis=1)
    return StartsData(losses, accuracy, params)


def train_classifier(lr, hidden, epochs=300, seed=0) -> ClassifierData:
    r"""Train a 2-``hidden``-2 tanh MLP on the moons with full-batch gradient descent.

    Cross-entropy loss, Xavier initialisation from ``seed``, plain gradient descent on all
    80 points at once, ``epochs`` updates (see :func:`train_starts`).

    Parameters
    ----------
    lr : float
        Learning rate alpha, > 0.
    hidden : int
        Hidden units, >= 1.
    epochs, seed : int

    Returns
    -------
    ClassifierData

    Equations
    ---------
    .. math:: P(\text{class } 1 \mid \mathbf{x}) = \operatorname{softmax}(net^{(2)})_1, \quad
              net^{(2)} = \tanh(\mathbf{x} W_1 + b_1) W_2 + b_2
    """
    run = train_starts(lr, hidden, epochs, (seed,))
    probs = sigmoid(_margin(run.params, GRID_POINTS)[0]).reshape(GRID_SHAPE)
    return ClassifierData(probs, run.losses[0], float(run.accuracy[0]))


#: Pale blue (class 0) through white (undecided) to pale orange (class 1): the boundary is the
#: white band, and the saturated data points stand out on both sides.
CLASS_CMAP = LinearSegmentedColormap.from_list("moons", ["#8FB8DE", "#FFFFFF", "#F3CB7A"])


class ClassifierArtists(NamedTuple):
    image: object  # AxesImage: P(class 1) over the plane
    points: tuple  # two PathCollections: the training points, redrawn on top of the image
    accuracy: object  # Text: training accuracy
    loss: object  # Line2D: the loss curve
    final: object  # Text: the final loss


@register
class ClassifierExplorer(Explorer):
    controls = (
        # half decades from 0.1 to 10^1.5: holds 0.1, 1 and 10
        Slider("lr", "learning rate α", 0.1, 10**1.5, default=1.0, log=True, frames=6),
        Choice("hidden", "hidden units", ("2", "4", "8", "16"), "16"),
        # the seed of the random starting weights: the same four starts for every network
        Choice("start", "start (seed)", ("0", "1", "2", "3"), "0"),
    )
    figsize = (7.5, 3.3)
    twin_scale = 1.0  # 96 frames at 1.5x exceed the size budget
    epochs = 300
    caption = (
        "A network with one hidden layer of tanh units, trained from a random start (the seed) "
        "by 300 steps of full-batch gradient descent on 80 points (cross-entropy). Left: the "
        "probability it gives to class 1, orange for class 1, blue for class 0, white on the "
        "decision boundary; the training points on top. Right: the loss during training (log "
        "scale, floored at 1e-5)."
    )
    alt = "Decision map of a small network on two interleaved moons, and its training-loss curve"

    def compute(self, lr, hidden, start):
        return train_classifier(lr, int(hidden), self.epochs, int(start))

    def draw(self, d):
        fig, (left, right) = figure(*self.figsize, ncols=2, width_ratios=[1.25, 1], layout=None)
        fig.subplots_adjust(left=0.08, right=0.985, bottom=0.15, top=0.9, wspace=0.25)
        image = left.imshow(np.full(GRID_SHAPE, 0.5), extent=EXTENT, origin="lower",
                            cmap=CLASS_CMAP, vmin=0.0, vmax=1.0, aspect="auto",
                            interpolation="bilinear")
        points = []
        for label, colour, marker in ((0, "blue", "o"), (1, "orange", "^")):
            xy = MOONS_X[MOONS_Y == label]
            points.append(left.scatter(xy[:, 0], xy[:, 1], s=18, c=PALETTE[colour], marker=marker,
                                       edgecolors=PALETTE["black"], linewidths=0.6,
                                       label=f"class {label}"))
        left.set(xlim=EXTENT[:2], ylim=EXTENT[2:], xlabel="x₁", ylabel="x₂")
        left.grid(False)
        accuracy = heading(left)
        (loss,) = right.plot(np.arange(1, self.epochs + 1), np.ones(self.epochs),
                             color=PALETTE["blue"])
        log_axis(right, range(-5, 3))
        right.set(xlim=(0, self.epochs), xlabel="epoch (one step each)",
                  ylabel="cross-entropy loss")
        return fig, ClassifierArtists(image, tuple(points), accuracy, loss, heading(right))

    def update(self, a, d):
        a.image.set_data(d.probs)
        a.loss.set_ydata(np.maximum(d.losses, 1e-5))
        a.accuracy.set_text(f"training accuracy {100 * d.accuracy:.1f}%")
        a.final.set_text(f"final loss {d.losses[-1]:.3g}")
