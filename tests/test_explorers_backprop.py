"""The chapter "backprop" explorers: gradient flow through a deep MLP, and a classifier trained live."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import mlp, optim
from rnnlearn.explorers import ClassifierExplorer, GradientFlowExplorer
from rnnlearn.explorers import backprop as bp


# -- gradient_flow ------------------------------------------------------------------------------
def test_sigmoid_gradients_shrink_towards_the_input():
    d = bp.gradient_flow(10, "sigmoid", 1.0)
    assert np.all(np.diff(np.log(d.grad_norms)) > 0)  # every layer gets more than the one below it
    assert d.grad_norms[0] / d.grad_norms[-1] < 1e-5
    assert d.rel_change[0] / d.rel_change[-1] < 1e-5  # and the first layer barely moves
    assert d.steps == 10 and not d.blew_up


def test_relu_at_he_scale_roughly_preserves_gradient_norms():
    d = bp.gradient_flow(12, "relu", math.sqrt(2))
    assert 0.1 < d.grad_norms[0] / d.grad_norms[-1] < 10
    assert np.all(d.grad_norms > 1e-3)


def test_larger_sigmoid_scale_vanishes_less():
    norms = [bp.gradient_flow(8, "sigmoid", g).grad_norms for g in (0.5, 1.0, 4.0)]
    ratios = [n[0] / n[-1] for n in norms]
    assert ratios[0] < ratios[1] < ratios[2] < 1


def test_gradient_flow_matches_a_network_built_by_hand():
    depth, gain = 3, 1.5
    x, y = bp.flow_task(dim=16, seed=0)
    params = mlp.init_params([16] * depth + [2], np.random.default_rng(1), "xavier")
    params = {k: v * gain if k.startswith("W") else v for k, v in params.items()}
    _, grads = mlp.loss_and_grads(params, x, y, "tanh", "cross_entropy")
    assert_allclose(bp.gradient_flow(depth, "tanh", gain).grad_norms, mlp.layer_grad_norms(grads))


def test_gradient_flow_is_deterministic():
    a, b = bp.gradient_flow(6, "relu", 2.0), bp.gradient_flow(6, "relu", 2.0)
    assert_allclose(a.grad_norms, b.grad_norms, rtol=0, atol=0)
    assert_allclose(a.rel_change, b.rel_change, rtol=0, atol=0)


def test_exploding_relu_run_stops_finite_and_says_so():
    d = bp.gradient_flow(12, "relu", 4.0)
    assert d.blew_up and d.steps == 1
    assert d.rel_change.max() > bp.BLOW_UP and np.all(np.isfinite(d.rel_change))
    ex = GradientFlowExplorer(depth=12, activation="relu", gain=4.0)
    assert ex.artists.status.get_text() == "blew up at step 1: ‖ΔW‖ > 10‖W‖"


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(depth=1, activation="tanh", gain=1.0), ValueError, "depth must be an int >= 2; got 1"),
    (dict(depth=4.0, activation="tanh", gain=1.0), ValueError, "depth must be an int >= 2; got 4.0"),
    (dict(depth=4, activation="tanh", gain=0.0), ValueError, r"gain must be > 0; got 0.0"),
    (dict(depth=4, activation="step", gain=1.0), ValueError, "activation must be one of"),
])
def test_gradient_flow_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        bp.gradient_flow(**kwargs)


# -- GradientFlowExplorer -------------------------------------------------------------------------
def test_flow_grid_hits_integer_depths_xavier_and_he():
    depth, activation, gain = GradientFlowExplorer.controls
    assert depth.grid() == [2, 4, 6, 8, 10, 12]
    assert depth.step == 1 and depth.make_widget(10).step == 1  # live: every whole layer
    assert activation.grid() == ["sigmoid", "tanh", "relu"]
    gains = gain.grid()
    assert_allclose([gains[0], gains[2], gains[3], gains[-1]], [0.5, 1.0, math.sqrt(2), 4.0])
    assert math.prod(len(c.grid()) for c in GradientFlowExplorer.controls) <= 150


def test_flow_explorer_draws_what_gradient_flow_computes():
    ex = GradientFlowExplorer()
    with pytest.raises(TypeError, match="depth must be an int"):
        ex.set(depth=7.4)
    d = ex.set(depth=7, activation="sigmoid", gain=1.0)  # a live value off the twin's grid
    assert len(d.grad_norms) == 7
    xs, ys = ex.artists.norms.get_data()
    assert_allclose(xs, np.arange(1, 8))
    assert_allclose(ys, bp.gradient_flow(7, "sigmoid", 1.0).grad_norms)
    assert_allclose(ex.artists.change.get_ydata(), d.rel_change)
    assert ex.artists.ratio.get_text() == f"layer 1 / layer 7: {d.grad_norms[0] / d.grad_norms[-1]:.2g}"
    assert ex.artists.status.get_text() == "after 10 steps of α = 0.1"


def test_flow_explorer_artists_move_on_set():
    ex = GradientFlowExplorer(depth=10, activation="sigmoid")
    before = ex.artists.norms.get_ydata().copy()
    ex.set(activation="tanh")
    after = ex.artists.norms.get_ydata()
    assert after.shape == before.shape and not np.allclose(after, before)
    ex.set(depth=12)
    assert len(ex.artists.norms.get_xdata()) == len(ex.artists.change.get_xdata()) == 12


# -- train_classifier -----------------------------------------------------------------------------
def test_classifier_fits_the_moons_at_a_good_learning_rate():
    d = bp.train_classifier(10**0.75, 16, epochs=60)
    assert d.losses[-1] < 0.05 and d.losses[-1] < d.losses[0] / 10
    assert d.accuracy >= 0.98


@pytest.mark.parametrize("lr, hidden", [(1.0, 2), (10**0.75, 16), (0.3, 8)])
def test_train_starts_does_what_mlp_train_does(lr, hidden):
    for seed in (0, 3):
        params = mlp.init_params([2, hidden, 2], np.random.default_rng(seed), "xavier")
        history = mlp.train(params, bp.MOONS_X, bp.MOONS_Y, optim.SGD(lr=lr), 60,
                            activation="tanh", loss="cross_entropy")
        run = bp.train_starts(lr, hidden, 60, (seed,))
        assert_allclose(run.losses[0], history.losses, rtol=1e-10, atol=0)
        assert_allclose(run.params["W1"][0], params["W1"], rtol=1e-8, atol=1e-10)
        out, _ = mlp.forward(bp.MOONS_X, params, "tanh")
        assert run.accuracy[0] == np.mean(out.argmax(axis=1) == bp.MOONS_Y)


def test_starts_are_independent_of_each_other():
    together = bp.train_starts(1.0, 4, 50, (0, 1, 2))
    alone = bp.train_starts(1.0, 4, 50, (1,))
    assert_allclose(together.losses[1], alone.losses[0], rtol=1e-12, atol=0)


def test_two_hidden_units_suffice_from_some_starts_not_others():
    # capacity is not the limit: some starts reach 98.75%, most stall near 87.5% (a poor valley)
    run = bp.train_starts(1.0, 2, 3000, range(10))
    good = run.accuracy >= 0.975
    assert 1 <= good.sum() <= 6
    assert np.all((run.accuracy[~good] > 0.85) & (run.accuracy[~good] < 0.9))
    assert np.all(run.losses[good, -1] < 0.1) and np.all(run.losses[~good, -1] > 0.2)


def test_large_learning_rates_make_the_loss_jump_in_every_start():
    # a statistic over starts, not one chaotic trajectory
    for hidden in (2, 16):
        calm = bp.train_starts(10**0.5, hidden, 300, range(10))
        wild = bp.train_starts(10**1.5, hidden, 300, range(10))
        assert np.sum(np.diff(wild.losses, axis=1).max(axis=1) > 1) >= 8
        assert np.sum(np.diff(calm.losses, axis=1).max(axis=1) > 0.5) <= 2
        assert np.median(wild.losses[:, -1]) > np.median(calm.losses[:, -1])


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr=0.0, hidden=2), "lr must be > 0"),
    (dict(lr=1.0, hidden=0), "hidden must be an int >= 1"),
    (dict(lr=1.0, hidden=2, epochs=0), "epochs must be an int >= 1"),
    (dict(lr=1.0, hidden=2, seeds=()), "seeds must hold at least one seed"),
])
def test_train_starts_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bp.train_starts(**kwargs)


def test_classifier_output_shapes_and_probabilities():
    d = bp.train_classifier(1.0, 8, epochs=5)
    assert d.probs.shape == bp.GRID_SHAPE and d.losses.shape == (5,)
    assert np.all((d.probs >= 0) & (d.probs <= 1))
    # P(class 1) is high where class 1 lives (bottom right) and low where class 0 lives
    assert d.probs[0, -1] > 0.5 > d.probs[-1, 0]


def test_classifier_is_deterministic():
    a, b = bp.train_classifier(3.0, 8), bp.train_classifier(3.0, 8)
    assert np.array_equal(a.probs, b.probs) and np.array_equal(a.losses, b.losses)


# -- ClassifierExplorer ---------------------------------------------------------------------------
def test_classifier_grid_ends_and_size():
    lr, hidden, start = ClassifierExplorer.controls
    assert_allclose(lr.grid(), [0.1, 10**-0.5, 1.0, 10**0.5, 10.0, 10**1.5])
    assert hidden.grid() == ["2", "4", "8", "16"] and start.grid() == ["0", "1", "2", "3"]
    assert math.prod(len(c.grid()) for c in ClassifierExplorer.controls) <= 100


def test_classifier_explorer_moves_image_and_curve_but_not_the_points():
    ex = ClassifierExplorer(lr=1.0, hidden="2")
    points = [c.get_offsets().copy() for c in ex.fig.axes[0].collections]
    image, curve = ex.artists.image.get_array().copy(), ex.artists.loss.get_ydata().copy()
    d = ex.set(lr=10**0.5, hidden="16", start="1")
    assert_allclose(ex.artists.image.get_array(), d.probs)
    assert_allclose(d.losses, bp.train_classifier(10**0.5, 16, 300, seed=1).losses)
    assert not np.allclose(ex.artists.image.get_array(), image) and not np.allclose(ex.artists.loss.get_ydata(), curve)
    assert ex.artists.accuracy.get_text() == f"training accuracy {100 * d.accuracy:.1f}%"
    assert ex.artists.final.get_text() == f"final loss {d.losses[-1]:.3g}"
    after = [c.get_offsets() for c in ex.fig.axes[0].collections]
    assert len(after) == 2 and all(np.array_equal(a, b) for a, b in zip(points, after))
    assert_allclose(np.vstack(after), np.vstack([bp.MOONS_X[bp.MOONS_Y == 0], bp.MOONS_X[bp.MOONS_Y == 1]]))


def test_classifier_widget_hidden_choice_retrains():
    ex = ClassifierExplorer()
    box = ex.widget()
    before = box.image.value
    box.controls["hidden"].value = "2"
    assert box.errors.outputs == () and box.image.value != before
    assert ex.values["hidden"] == "2"
