"""results: cached results load without pickle, every one is listed, and each is what its script
makes (a short prefix re-run); the counts the chapters quote from them."""
import importlib.util
import pathlib

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import results

ROOT = pathlib.Path(__file__).resolve().parents[1]


def script(name):
    """The module of the script that makes the cached result ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / results.SCRIPTS[name])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_round_trip_copies_arrays_and_closes_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "DATA", tmp_path)
    monkeypatch.setitem(results.SCRIPTS, "demo", "scripts/demo.py")
    arrays = {"curve": np.linspace(0.0, 1.0, 7), "names": np.array(["a", "bc"]),
              "lr": np.array(0.01), "seeds": np.arange(3)}
    np.savez_compressed(tmp_path / "demo.npz", **arrays)
    loaded = results.load("demo")
    assert set(loaded) == set(arrays)
    for key, value in arrays.items():
        assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape
        assert np.array_equal(loaded[key], value)
    loaded["curve"][:] = -1.0  # a copy: the next load is unchanged
    assert np.array_equal(results.load("demo")["curve"], arrays["curve"])
    (tmp_path / "demo.npz").unlink()  # closed: removable, and gone for the next load
    with pytest.raises(FileNotFoundError):
        results.load("demo")
    assert results.path("demo") == tmp_path / "demo.npz" and "demo" in results.names()


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"no cached result named 'adding'; the available ones "
                                         r"are wrec_training, adding_t50"):
        results.load("adding")
    with pytest.raises(TypeError, match="name must be a str"):
        results.path(3)


def test_an_object_array_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "DATA", tmp_path)
    monkeypatch.setitem(results.SCRIPTS, "evil", "scripts/evil.py")
    np.savez(tmp_path / "evil.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle=False"):
        results.load("evil")


@pytest.mark.parametrize("name", results.names())
def test_every_listed_result_exists_loads_and_has_its_script(name):
    data = results.load(name)
    assert data and all(isinstance(v, np.ndarray) and v.dtype != object for v in data.values())
    assert results.path(name).stat().st_size < 200_000
    assert (ROOT / results.SCRIPTS[name]).is_file()
    assert name in results.__doc__


def test_every_data_file_is_listed():
    """Every .npz in rnnlearn/data is a cached result, but the pretrained char-LM (a model,
    loaded by rnnlearn.charlm.load_pretrained and tested in tests/test_charlm.py)."""
    from rnnlearn import charlm

    files = sorted(p.stem for p in results.DATA.glob("*.npz") if p != charlm.PRETRAINED)
    assert files == sorted(results.names())
    assert charlm.PRETRAINED.parent == results.DATA


# -- adding_t50 ---------------------------------------------------------------------------------
def test_adding_t50_is_what_the_script_makes():
    """The first 100 steps of seed 0 of each model, re-run: Adam's first steps do not amplify
    rounding (BLAS kernels and numpy versions agree to ~1e-12 here)."""
    data = results.load("adding_t50")
    make = script("adding_t50")
    assert list(data["models"]) == list(make.MODELS) and list(data["seeds"]) == list(make.SEEDS)
    assert int(data["n_steps"]) == make.STEPS and int(data["block"]) == make.BLOCK
    assert float(data["baseline"]) == pytest.approx(1 / 12)
    assert data["curves"].shape == (4, 5, make.STEPS // make.BLOCK)
    assert data["steps"][-1] == make.STEPS
    for i, model in enumerate(make.MODELS):
        curve, _ = make.run(model, 0, steps=100)
        assert_allclose(curve, data["curves"][i, 0, :5], rtol=1e-7)


def test_adding_t50_counts_the_chapter_quotes():
    """Tanh at the baseline in every run (15 of 15 within 0.9-1.1 x 1/12 after 2000 steps,
    measured 0.99-1.08); the IRNN below 0.1 x baseline in 5 of 5 (0.005-0.079); asserted with
    a margin of one or two runs."""
    data = results.load("adding_t50")
    ratio = data["test_loss"] / data["baseline"]  # (models, seeds)
    tanh, irnn = ratio[:3], ratio[3]
    assert list(data["models"][:3]) == ["tanh-uniform", "tanh-orthogonal", "tanh-identity"]
    assert np.sum((tanh > 0.9) & (tanh < 1.1)) >= 13 and tanh.size == 15
    assert np.sum(irnn < 0.1) >= 4 and irnn.size == 5
    # the training curves agree: no tanh block mean below 0.8 x baseline; the IRNN's first
    # block below 0.1 x baseline ends between steps 500 and 1500 in every seed
    curves = data["curves"] / data["baseline"]
    assert curves[:3].min() > 0.8
    first = [data["steps"][np.argmax(c < 0.1)] for c in curves[3] if (c < 0.1).any()]
    assert len(first) >= 4 and all(500 <= s <= 1500 for s in first)
