"""The second environment: every notebook again, on the oldest versions and another BLAS kernel.

DESIGN.md section 4: a number the book states must hold on every machine. The main run executes
the notebooks with the newest numpy and matplotlib; this test executes all of them again (nbval,
lax, so every hidden assert) in `.venv-oldest/`, which `bash tasks.sh test` fills with exactly
the lower bounds of requirements.txt, and with

- another OpenBLAS kernel: OPENBLAS_CORETYPE=Sandybridge (AVX without FMA: matrix products
  round differently from the Haswell/Zen kernels a current x86 machine picks), also where the
  machine sets OPENBLAS_CORETYPE for every process (some build machines set Haswell): the
  second run must use a kernel other than the main run's, or it proves nothing;
- numpy's SIMD loops above SSE4.2 switched off (NPY_DISABLE_CPU_FEATURES), so elementwise
  functions take other code paths too.

It checks, from inside the notebook kernel, that the kernel really ran those versions and
settings, and prints both environments and the time the run took. The unit tests (all but those
that need the built book or a browser) run there a second time too.
"""
from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import threadpoolctl

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-oldest"
PYTHON = VENV / "bin" / "python"
PINNED = ("numpy", "matplotlib", "pillow", "ipywidgets")
# numpy's dispatched x86 SIMD features above the SSE4.2 level (numpy 1.x names)
SIMD_ABOVE_SSE42 = ("AVX", "F16C", "FMA3", "AVX2", "AVX512F", "AVX512CD", "AVX512_KNL",
                    "AVX512_KNM", "AVX512_SKX", "AVX512_CLX", "AVX512_CNL", "AVX512_ICL",
                    "AVX512_SPR")

# What the notebook kernel reports about itself (run as the first notebook of the session).
PROBE = """\
import json, os, sys
import IPython, ipywidgets, matplotlib, numpy, PIL, threadpoolctl
try:
    from numpy.core._multiarray_umath import __cpu_features__ as features
except ImportError:  # numpy >= 2
    from numpy._core._multiarray_umath import __cpu_features__ as features
blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
info = {
    "python": sys.version.split()[0], "prefix": sys.prefix,
    "numpy": numpy.__version__, "matplotlib": matplotlib.__version__,
    "pillow": PIL.__version__, "ipywidgets": ipywidgets.__version__,
    "ipython": IPython.__version__,
    "blas": [{k: b.get(k) for k in ("internal_api", "version", "architecture")} for b in blas],
    "simd": sorted(k for k, on in features.items() if on),
}
with open(os.environ["RNNLEARN_KERNEL_REPORT"], "w") as f:
    json.dump(info, f)
"""


def lower_bounds():
    """{package: lowest version} from requirements.txt's `name>=x` lines (what tasks.sh pins)."""
    text = (ROOT / "requirements.txt").read_text()
    bounds = dict(re.findall(r"^(numpy|matplotlib|pillow|ipywidgets)>=([^,;\s]+)", text, re.M))
    assert sorted(bounds) == sorted(PINNED), bounds
    return bounds


def same_version(installed, bound):
    """'3.8.0' == '3.8' as pip compares them (trailing zeros do not count)."""
    def norm(v):
        parts = [int(p) for p in v.split(".")]
        while parts and parts[-1] == 0:
            parts.pop()
        return parts
    return norm(installed) == norm(bound)


def venv_python(code, env):
    out = subprocess.run([str(PYTHON), "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def blas_kernel(env):
    """The OpenBLAS kernel numpy in .venv-oldest runs under env."""
    return venv_python(
        "import numpy, threadpoolctl; print(*[i.get('architecture') for i in "
        "threadpoolctl.threadpool_info() if i['user_api'] == 'blas'])", env)


def second_settings():
    """The environment for the second run: another BLAS kernel and fewer SIMD features."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NBVAL"))}
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    cpu = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags = set(re.findall(r"^flags\s*:(.*)$", cpu, re.M)[0].split()) if "flags" in cpu else set()
    if platform.machine() == "x86_64" and "avx" in flags and blas_kernel(env) != "Sandybridge":
        env["OPENBLAS_CORETYPE"] = "Sandybridge"  # runs on any x86 CPU with AVX
    if platform.machine() == "x86_64":
        found = json.loads(venv_python(
            "import json; from numpy.core._multiarray_umath import __cpu_features__ as f; "
            "print(json.dumps([k for k, on in f.items() if on]))", env))
        off = [k for k in SIMD_ABOVE_SSE42 if k in found]
        if off:
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(off)
    return env


@pytest.fixture(scope="module")
def second_env():
    """os.environ for a run in .venv-oldest with the second BLAS kernel and SIMD setting."""
    assert PYTHON.is_file(), (f"{VENV} is missing: `bash tasks.sh test` creates it (the oldest "
                              "numpy/matplotlib/pillow/ipywidgets requirements.txt allows)")
    return second_settings()


def settings_of(env):
    return {k: env[k] for k in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES") if k in env}


def run_pytest_in_oldest(env, *args):
    """pytest in .venv-oldest (pyproject's options apply); returns (process, seconds)."""
    start = time.perf_counter()
    run = subprocess.run([str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf",
                          "--no-header", "--color=no", *args],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=2400)
    return run, time.perf_counter() - start


def test_every_notebook_holds_on_the_oldest_versions_and_another_blas_kernel(
        second_env, tmp_path, capsys):
    bounds = lower_bounds()
    main_kernel = [i.get("architecture") for i in threadpoolctl.threadpool_info()
                   if i["user_api"] == "blas"]
    env = dict(second_env)
    settings = settings_of(env)
    report = tmp_path / "kernel.json"
    env["RNNLEARN_KERNEL_REPORT"] = str(report)
    probe = tmp_path / "environment_probe.ipynb"
    probe.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "probe", "metadata": {},
                   "outputs": [], "source": PROBE}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "book").glob("*.ipynb"))
    assert notebooks, "no notebooks in book/"

    # --nbval-current-env: the kernel is .venv-oldest's own python, not a kernelspec from
    # elsewhere; the probe notebook runs first and reports what the kernel really is
    run, seconds = run_pytest_in_oldest(env, "--nbval-lax", "--nbval-current-env", str(probe),
                                        *notebooks)
    kernel = json.loads(report.read_text()) if report.is_file() else {}
    with capsys.disabled():
        print(f"\n== second environment: {len(notebooks)} notebooks in {seconds:.0f} s; {settings}"
              f"\n   kernel: {json.dumps(kernel)}"
              f"\n   main run: Python {sys.version.split()[0]}, numpy {np.__version__}, "
              f"OpenBLAS kernel {main_kernel}")
    tail = run.stdout[-12000:] + run.stderr[-3000:]

    # the kernel really ran the oldest versions, from .venv-oldest, with the settings asked for
    assert kernel, f"the probe notebook did not run:\n{tail}"
    assert Path(kernel["prefix"]) == VENV, kernel
    for name in PINNED:
        assert same_version(kernel[name], bounds[name]), (name, kernel[name], bounds[name])
    if "OPENBLAS_CORETYPE" in settings:
        assert [b["architecture"] for b in kernel["blas"]] == [settings["OPENBLAS_CORETYPE"]]
        assert kernel["blas"][0]["architecture"] not in main_kernel
    for feature in settings.get("NPY_DISABLE_CPU_FEATURES", "").split():
        assert feature not in kernel["simd"], (feature, kernel["simd"])
    assert settings or platform.machine() != "x86_64", "nothing differs from the main run"

    assert run.returncode == 0, f"a notebook fails in the second environment {settings}:\n{tail}"
    assert " passed" in run.stdout, tail


def test_unit_tests_hold_on_the_oldest_versions_and_another_blas_kernel(second_env, capsys):
    """The package's tests too (all but those that need the built book or a browser, and the
    Binder simulation, which makes fresh environments of its own)."""
    here = Path(__file__)
    files = [str(p.relative_to(ROOT)) for p in sorted(here.parent.glob("test_*.py"))
             if p not in (here, here.with_name("test_binder.py"))  # that one builds its own venvs
             and not re.search(r"built_book|playwright|book_browser", p.read_text())]
    assert len(files) >= 5, files
    run, seconds = run_pytest_in_oldest(second_env, *files)
    with capsys.disabled():
        print(f"\n== second environment: {len(files)} unit-test files in {seconds:.0f} s: "
              f"{run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ''}")
    tail = run.stdout[-12000:] + run.stderr[-3000:]
    assert run.returncode == 0, (f"a unit test fails in the second environment "
                                 f"{settings_of(second_env)}:\n{tail}")
    assert " passed" in run.stdout and " failed" not in run.stdout, tail
