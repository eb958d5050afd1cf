"""The charlm_stages cache (scripts/charlm_stages.py): its contract, its agreement with the
shipped model's own learning curve (the same training steps), and a re-run of its first two
stages, compared with the file."""
import importlib.util
import pathlib

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlearn import charlm, results, textstats

ROOT = pathlib.Path(__file__).resolve().parents[1]


def script():
    spec = importlib.util.spec_from_file_location("charlm_stages",
                                                  ROOT / results.SCRIPTS["charlm_stages"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cache():
    return results.load("charlm_stages")


def test_the_contract(cache):
    s = script()
    S = len(s.STAGES)
    assert cache["stages"].tolist() == list(s.STAGES) and int(cache["n_steps"]) == 1000
    assert cache["valid_bits"].shape == (S,) and cache["samples"].shape == (S,)
    assert all(len(str(x)) == s.SHOWN for x in cache["samples"])
    for field in textstats.Profile._fields:
        assert cache[f"profile_{field}"].shape == (S,)
        assert cache[f"train_{field}"].shape == () == cache[f"valid_{field}"].shape
    assert str(cache["prime"]) == s.PRIME and int(cache["sample_seed"]) == s.SAMPLE_SEED
    assert int(cache["n_profile"]) == s.N_PROFILE and float(cache["tau"]) == 1.0
    assert results.path("charlm_stages").stat().st_size < 200_000


def test_the_settings_are_the_shipped_models(cache):
    config = script().shipped_config()
    assert config == charlm.load_pretrained().config
    for field in ("H", "seq_len", "batch_size", "lr", "clip", "seed"):
        assert cache[field].item() == getattr(config, field)
    for field in ("dtype", "cell", "optimizer"):
        assert str(cache[field]) == getattr(config, field)


def test_the_stages_lie_on_the_shipped_models_curve(cache):
    """The stages are the first 1000 steps of the shipped run: where both measured the whole
    validation text (steps 0, 100, 200, ...), they agree."""
    curve = charlm.load_pretrained().curve
    common = [int(s) for s in cache["stages"] if s in curve.steps]
    assert common == [0, 100, 200, 300, 400, 500, 700, 1000]
    mine = {int(s): b for s, b in zip(cache["stages"], cache["valid_bits"])}
    theirs = dict(zip(curve.steps.tolist(), charlm.to_bits(curve.valid_nats)))
    assert_allclose([mine[s] for s in common], [theirs[s] for s in common], rtol=1e-4)


def test_the_profiles_say_what_the_chapter_says(cache):
    """What book/charlm.ipynb reads from the cache, checked here too: the space fraction is
    near the corpus's from step 10 on, the comma habit comes by step 300, words and closed
    brackets lag far behind."""
    stages = cache["stages"]
    space, comma = cache["profile_space"], cache["profile_comma_spaced"]
    words, balanced = cache["profile_word_fraction"], cache["profile_balanced"]
    assert space[0] < 0.02 and np.all(np.abs(space[stages >= 10] / cache["train_space"] - 1)
                                      < 0.7)
    assert np.all(comma[stages >= 300] > 0.9) and np.all(comma[stages <= 100] < 0.4)
    assert np.all(words[stages <= 100] < 0.011) and 0.25 < words[-1] < 0.35
    assert np.all(balanced < 0.25) and float(cache["train_balanced"]) > 0.75


def test_a_rerun_of_the_first_two_stages_matches_the_file(cache):
    """10 training steps re-run (about 10 s): the validation loss and the shown sample (the
    first 400 characters of the profiled one, the same random numbers) are the file's."""
    s = script()
    out = s.run(stages=(0, 10), n_profile=s.SHOWN, progress=False)
    assert out["stages"].tolist() == [0, 10]
    assert_allclose(out["valid_bits"], cache["valid_bits"][:2], rtol=1e-5)
    assert out["samples"].tolist() == cache["samples"][:2].tolist()
    with pytest.raises(ValueError, match="stages must increase from 0"):
        s.run(stages=(5, 10))
