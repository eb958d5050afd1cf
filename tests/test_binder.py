"""What Binder does with this repository, simulated: the notebooks run from requirements.txt alone.

Binder builds an image with repo2docker. With no environment.yml, Pipfile or binder/ folder it uses
its Python buildpack: the Python of ``runtime.txt`` (without one, repo2docker's default, 3.10 in
2026), then ``pip install -r requirements.txt`` in a copy of the repository (``-e .`` is a local
reference, so repo2docker copies the repository before it installs). Here: the repository's files as
they would be committed (ignored files such as _build/ or a local cache are left out, as Binder
never sees them), a fresh virtual environment with ``pip install -r requirements.txt`` and nothing
else, and every chapter notebook executed top to bottom in it by a Jupyter kernel from that
environment, as a student in Binder would run it (Run All; working directory book/).

And what Colab does: it opens one notebook from GitHub, with no repository around it, and the
notebook's first cell pip-installs the package from the repository. Here: the repository installed
(not editable) into another fresh venv with a kernel, and each notebook run alone from an empty
folder; the install cell itself only runs in Colab, and this install is what it would do.
"""
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import ROOT

NOTEBOOKS = sorted(p.name for p in (ROOT / "book").glob("*.ipynb"))
# Files by which repo2docker would pick another buildpack, or ignore requirements.txt.
OTHER_BUILDPACKS = ["environment.yml", "Pipfile", "Pipfile.lock", "setup.py", "binder", ".binder",
                    "Project.toml", "REQUIRE", "install.R", "DESCRIPTION", "Dockerfile", "flake.nix"]


def runtime_python() -> str:
    """The "x.y" runtime.txt asks Binder for."""
    text = (ROOT / "runtime.txt").read_text().strip()
    m = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert m, f"runtime.txt should read python-X.Y, not {text!r}"
    return m.group(1)


def test_repo2docker_takes_the_python_buildpack_with_our_python():
    present = [f for f in OTHER_BUILDPACKS if (ROOT / f).exists()]
    assert present == [], f"repo2docker would not build from requirements.txt alone: {present}"
    assert (ROOT / "requirements.txt").is_file()
    version = runtime_python()
    # repo2docker refuses a runtime.txt version outside pyproject's requires-python
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    lowest = tuple(int(x) for x in re.fullmatch(r">=\s*(\d+)\.(\d+)", spec).groups())
    assert tuple(int(x) for x in version.split(".")) >= lowest, (version, spec)
    assert binder_python(), f"no python{version} here to simulate Binder with"


def test_requirements_hold_no_local_file_binder_cannot_see():
    """Each line is a requirement, a comment, or ``-e .``; no -r/-c to another file."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line == "-e .":
            continue
        assert not line.startswith("-"), f"requirements.txt: {line!r} (Binder installs this file alone)"
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+\s*([<>=!~]=?[^,\s]+\s*,?\s*)*", line), line


def binder_python() -> str | None:
    """This machine's interpreter of the version Binder will use."""
    return shutil.which(f"python{runtime_python()}")


def committed_files() -> list[str]:
    """Tracked and untracked-but-not-ignored files: what a commit of this tree would hold."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def clean_env(venv: Path, home: Path) -> dict:
    """The environment of a Binder session: this venv first on PATH, none of ours or the test run's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "RNNLEARN_", "JUPYTER", "IPYTHON", "MPL"))
           and k != "OPENBLAS_NUM_THREADS"}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    # no kernelspec or config from this machine's user: only the venv's own
    for key, sub in [("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                     ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "matplotlib")]:
        env[key] = str(home / sub)
    return env


class Session(NamedTuple):
    """A fresh venv, the environment to run in it, and the folder a notebook runs from."""
    venv: Path
    env: dict
    workdir: Path


def fresh_venv(base: Path, *pip_args: str, cwd: Path) -> tuple[Path, dict]:
    python = binder_python()
    assert python, f"the simulation needs python{runtime_python()} (runtime.txt)"
    venv = base / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    env = clean_env(venv, base)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-input",
                          "--disable-pip-version-check", *pip_args],
                         cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, (f"pip install {' '.join(pip_args)} failed:\n"
                                 f"{pip.stdout[-3000:]}{pip.stderr[-3000:]}")
    return venv, env


def copy_repository(to: Path) -> Path:
    for f in committed_files():
        (to / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, to / f)
    return to


@pytest.fixture(scope="module")
def binder(tmp_path_factory):
    """Binder: a copy of the repository, requirements.txt alone installed; notebooks run in book/."""
    base = tmp_path_factory.mktemp("binder")
    repo = copy_repository(base / "repo")
    venv, env = fresh_venv(base, "-r", "requirements.txt", cwd=repo)
    return Session(venv, env, repo / "book")


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """Colab: a notebook opened alone from GitHub, in an empty folder, in a Python that has the
    package as its first cell installs it there (pip install of the repository, not editable:
    only pyproject's dependencies and the package's own files) and a kernel; no requirements.txt."""
    base = tmp_path_factory.mktemp("colab")
    repo = copy_repository(base / "repo")
    venv, env = fresh_venv(base, str(repo), "ipykernel", "nbconvert", cwd=base)
    shutil.rmtree(repo)  # the install must not lean on the checkout
    (base / "content").mkdir()
    return Session(venv, env, base / "content")


def run_notebook(session: Session, path: Path, timeout=600) -> subprocess.CompletedProcess:
    """Execute the notebook at ``path`` from the session's folder (copied there if it is not)."""
    if path.parent != session.workdir:
        path = Path(shutil.copy(path, session.workdir))
    return subprocess.run(
        [str(session.venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=300",
         "--output-dir", str(session.workdir.parent / "executed"), path.name],
        cwd=session.workdir, env=session.env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("where", ["binder", "colab"])
def test_the_kernel_is_the_fresh_environment(where, request, tmp_path):
    session = request.getfixturevalue(where)
    probe = tmp_path / f"probe_{where}.ipynb"
    probe.write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                   "source": "import sys, rnnlearn; print(sys.prefix); print(rnnlearn.__file__)"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    proc = run_notebook(session, probe, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    executed = session.workdir.parent / "executed" / probe.name
    prefix, module = "".join(json.loads(executed.read_text())["cells"][0]["outputs"][0]["text"]).split()
    assert Path(prefix) == session.venv, f"the kernel ran in {prefix}, not the fresh venv {session.venv}"
    home = session.workdir.parent if where == "binder" else session.venv  # the repo copy, or site-packages
    assert Path(module).is_relative_to(home), f"rnnlearn imported from {module}, not from {home}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_from_requirements_alone(binder, name):
    proc = run_notebook(binder, binder.workdir / name)
    assert proc.returncode == 0, f"{name} failed in the Binder environment:\n{proc.stderr[-5000:]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_alone_with_the_installed_package_as_in_colab(colab, name):
    proc = run_notebook(colab, ROOT / "book" / name)
    assert proc.returncode == 0, f"{name} failed alone, with the package installed:\n{proc.stderr[-5000:]}"
