"""rnnlearn.training.fit: the one training loop (steps, clipping, callbacks, history, progress)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import optim, training


def regression(rng, n=40):
    """Data for y = x @ w_true and a least-squares step: loss 1/2 mean (x w - y)^2."""
    x = rng.normal(size=(n, 3))
    y = x @ np.array([1.0, -2.0, 0.5])

    def step(params, batch):
        xb, yb = batch
        r = xb @ params["w"] - yb  # (B,)
        return 0.5 * float(np.mean(r * r)), {"w": xb.T @ r / len(r)}

    batches = [(x[i:i + 10], y[i:i + 10]) for i in range(0, n, 10)]
    return step, batches


def test_fit_trains_and_records_every_step(rng):
    step, batches = regression(rng)
    params = {"w": np.zeros(3)}
    first_loss = step(params, batches[0])[0]
    history = training.fit(step, params, batches, optim.SGD(0.1), epochs=30, progress=False)
    assert history.losses.shape == history.grad_norms.shape == (120,)
    assert history.epoch_losses.shape == (30,)
    assert history.losses[0] == first_loss  # measured before the first update
    assert_allclose(history.epoch_losses, history.losses.reshape(30, 4).mean(axis=1))
    assert history.epoch_losses[-1] < 1e-3 * history.epoch_losses[0]
    assert_allclose(params["w"], [1.0, -2.0, 0.5], atol=1e-2)
    assert not history.stopped and history.records == [] and history.seconds >= 0


def test_batches_may_be_a_function_of_the_epoch(rng):
    step, batches = regression(rng)
    seen = []

    def make(epoch):
        seen.append(epoch)
        return batches[epoch % 2::2]

    history = training.fit(step, {"w": np.zeros(3)}, make, optim.SGD(0.1), epochs=3)
    assert seen == [0, 1, 2] and len(history.losses) == 6


def test_a_one_pass_iterator_is_refused_for_several_epochs(rng):
    step, batches = regression(rng)
    with pytest.raises(ValueError, match="one-pass iterator but epochs > 1"):
        training.fit(step, {"w": np.zeros(3)}, iter(batches), optim.SGD(0.1), epochs=2)
    history = training.fit(step, {"w": np.zeros(3)}, iter(batches), optim.SGD(0.1))
    assert len(history.losses) == 4


def test_clipping_rescales_to_the_global_norm_and_records_the_norm_before(rng):
    def step(params, batch):
        return 0.0, {"a": np.array([3.0]), "b": np.array([4.0])}  # global norm 5

    params = {"a": np.zeros(1), "b": np.zeros(1)}
    history = training.fit(step, params, [None], optim.SGD(1.0), clip=1.0)
    assert_allclose([params["a"][0], params["b"][0]], [-0.6, -0.8])
    assert history.grad_norms[0] == 5.0
    unclipped = {"a": np.zeros(1), "b": np.zeros(1)}
    training.fit(step, unclipped, [None], optim.SGD(1.0), clip=10.0)
    assert_allclose([unclipped["a"][0], unclipped["b"][0]], [-3.0, -4.0])


def test_weights_make_the_epoch_loss_a_weighted_mean():
    losses = iter([1.0, 4.0])
    step = lambda params, batch: (next(losses), {"w": np.zeros(1)})  # noqa: E731
    history = training.fit(step, {"w": np.zeros(1)}, [1, 3], optim.SGD(0.1),
                           weight=lambda batch: batch)
    assert history.epoch_losses[0] == (1.0 * 1 + 4.0 * 3) / 4


def test_callback_per_epoch_and_every_k_steps_and_records(rng):
    step, batches = regression(rng)
    infos = []

    def callback(info):
        infos.append(info)
        return {"step": info.step, "w0": float(info.params["w"][0])} if info.step % 8 == 0 else None

    history = training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), epochs=3,
                           callback=callback)
    assert [(i.epoch, i.step) for i in infos] == [(0, 4), (1, 8), (2, 12)]
    assert [i.epoch_loss for i in infos] == list(history.epoch_losses)
    assert [r["step"] for r in history.records] == [8]
    infos.clear()
    training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), epochs=3, every=5,
                 callback=callback)
    assert [(i.epoch, i.step, i.epoch_loss) for i in infos] == [(1, 5, None), (2, 10, None)]
    assert infos[0].loss > 0 and infos[0].grad_norm > 0


def test_a_callback_can_stop_training(rng):
    step, batches = regression(rng)

    def stop_at_six(info):
        if info.step == 6:
            raise training.StopTraining

    params = {"w": np.zeros(3)}
    history = training.fit(step, params, batches, optim.SGD(0.1), epochs=10, every=1,
                           callback=stop_at_six)
    assert history.stopped and len(history.losses) == 6 and len(history.epoch_losses) == 1


def test_reset_and_state_carry_over(rng):
    step, batches = regression(rng)
    opt = optim.Momentum(0.05)
    training.fit(step, {"w": np.zeros(3)}, batches, opt)
    carried = training.fit(step, {"w": np.zeros(3)}, batches, opt).losses
    reset = training.fit(step, {"w": np.zeros(3)}, batches, opt, reset=True).losses
    fresh = training.fit(step, {"w": np.zeros(3)}, batches, optim.Momentum(0.05)).losses
    assert np.array_equal(reset, fresh) and not np.array_equal(carried, fresh)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(step=3), TypeError, r"step must be callable\(params, batch\); got int"),
    (dict(params={}), TypeError, "params must be a non-empty dict of arrays"),
    (dict(optimizer="sgd"), TypeError, r"optimizer.step must be callable\(params, grads\)"),
    (dict(epochs=True), TypeError, "epochs must be an int; got bool True"),
    (dict(epochs=0), ValueError, "epochs must be an int >= 1; got 0"),
    (dict(clip=0.0), ValueError, r"clip must be in \(0.0, inf\); got 0.0"),
    (dict(every=0), ValueError, "every must be an int >= 1; got 0"),
    (dict(progress="yes"), ValueError, r"progress must be one of \['auto'\]; got 'yes'"),
    (dict(batches=5), TypeError, "batches must be an iterable of batches or a function"),
    (dict(batches=[]), ValueError, "epoch 0 had no batches"),
    (dict(unit="char"), ValueError, "items_per_step and unit go together"),
    (dict(items_per_step=10), ValueError, "items_per_step and unit go together"),
    (dict(items_per_step=0, unit="char"), ValueError, "items_per_step must be an int >= 1"),
    (dict(items_per_step=10, unit=""), TypeError, "unit must be a non-empty str"),
])
def test_fit_rejects_bad_input(kwargs, error, message, rng):
    step, batches = regression(rng)
    args = dict(step=step, params={"w": np.zeros(3)}, batches=batches, optimizer=optim.SGD(0.1))
    args.update(kwargs)
    with pytest.raises(error, match=message):
        training.fit(args.pop("step"), args.pop("params"), args.pop("batches"),
                     args.pop("optimizer"), **args)


def test_progress_in_a_terminal(rng, capsys, monkeypatch):
    step, batches = regression(rng)
    monkeypatch.delenv("RNNLEARN_PROGRESS", raising=False)
    monkeypatch.delenv("RNNLEARN_STATIC_EXPLORERS", raising=False)
    for progress in (False, "auto"):  # "auto": a short run says nothing
        training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), progress=progress)
        assert capsys.readouterr() == ("", "")
    training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), epochs=2, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("step 8/8 · loss ") and lines[-1].endswith(" steps/s")
    monkeypatch.setattr(training, "AUTO_AFTER", 0.0)  # every run counts as long
    training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), progress="auto")
    assert capsys.readouterr().err.startswith("step 1/4")
    for switch in ("RNNLEARN_PROGRESS=0", "RNNLEARN_STATIC_EXPLORERS=1"):  # off: book builds
        name, value = switch.split("=")
        monkeypatch.setenv(name, value)
        training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), progress="auto")
        assert capsys.readouterr() == ("", "")
        monkeypatch.delenv(name)


def test_step_may_raise_stop_training_before_its_update():
    calls = []

    def step(params, batch):
        if len(calls) == 3:
            raise training.StopTraining
        calls.append(batch)
        return 1.0, {"w": np.ones(1)}

    params = {"w": np.zeros(1)}
    history = training.fit(step, params, list(range(10)), optim.SGD(0.5))
    assert history.stopped and len(history.losses) == 3 and params["w"][0] == -1.5


def test_progress_in_units_shows_bits_per_unit_and_units_per_second(capsys, monkeypatch):
    """A loss of ln 8 nats per char is 3 bits per char; 4 steps of 250 chars each."""
    monkeypatch.delenv("RNNLEARN_PROGRESS", raising=False)
    monkeypatch.delenv("RNNLEARN_STATIC_EXPLORERS", raising=False)
    clock = iter(range(100))  # perf_counter: one second per call
    monkeypatch.setattr(training.time, "perf_counter", lambda: float(next(clock)))
    step = lambda params, batch: (np.log(8.0), {"w": np.zeros(1)})  # noqa: E731
    training.fit(step, {"w": np.zeros(1)}, [0, 1, 2, 3], optim.SGD(0.1), progress=True,
                 items_per_step=250, unit="char")
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("step 4/4 · loss 2.079 · 3.000 bits/char · ")
    speed = float(last.split(" · ")[-1].removesuffix(" chars/s"))
    assert 1000 / 6 <= speed <= 1000 / 4  # 4 steps x 250 chars in the seconds the clock ran


def test_progress_in_a_notebook_is_a_widget(rng, capsys, monkeypatch):
    import IPython.display

    step, batches = regression(rng)
    shown = []
    monkeypatch.setattr(training, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    training.fit(step, {"w": np.zeros(3)}, batches, optim.SGD(0.1), epochs=5, progress=True)
    (box,) = shown
    bar, label = box.children
    assert (bar.value, bar.max) == (20, 20)
    assert label.value.startswith("step 20/20 · loss ")
    assert capsys.readouterr() == ("", "")
