"""rnnlearn/data/bptt_copy_truncation.npz, the cached copy-task runs of the bptt chapter: small,
loads without pickle, is what scripts/bptt_copy_truncation.py makes (a short prefix re-run),
and holds the result the chapter states."""
import importlib.util
import pathlib

import numpy as np
import pytest
from numpy.testing import assert_allclose

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "rnnlearn" / "data" / "bptt_copy_truncation.npz"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("bptt_copy_truncation",
                                                  ROOT / "scripts" / "bptt_copy_truncation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data():
    with np.load(DATA, allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


def test_cache_is_small_and_matches_the_script_settings(data, script):
    assert DATA.stat().st_size < 100_000
    assert list(data["windows"]) == [8, 0] and list(data["seeds"]) == list(script.SEEDS)
    assert data["train"].shape == (2, 5, script.STEPS // script.BLOCK)
    assert data["test"].shape == (2, 5, script.STEPS // script.EVAL)
    assert float(data["baseline"]) == pytest.approx(3 * np.log(4) / 11, rel=1e-12)
    assert int(data["steps"]) == script.STEPS and int(data["delay"]) == script.DELAY


@pytest.mark.parametrize("i, seed", [(0, 0), (1, 3)])
def test_a_short_prefix_rerun_matches_the_cache(data, script, i, seed):
    losses, _ = script.run(int(data["windows"][i]), seed, steps=script.PREFIX)
    assert_allclose(losses, data["prefix"][i, seed], rtol=1e-8)


def test_the_cached_result_the_chapter_states(data):
    ratio = data["test"][:, :, -1] / data["baseline"]
    assert np.all(np.abs(ratio[0] - 1) < 0.05)  # K = the gap: the baseline, every seed
    assert np.all(ratio[1] < 0.5)  # full BPTT: well below it, every seed
