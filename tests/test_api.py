"""The public API: every module reachable as rnnlearn.<name>, listed, and a cheap import."""
import importlib
import inspect
import pkgutil
import subprocess
import sys
import types

import pytest

import rnnlearn

KERNELS = ["activations", "autodiff", "calculus", "datasets", "gradcheck", "landscapes", "losses",
           "mlp", "optim", "rates", "training", "rnn", "seqmodel", "tasks", "esn", "layercheck",
           "cliff", "penalties", "results", "lstm", "gru", "corpus",
           "charlm", "textstats"]


def test_every_public_module_is_listed():
    on_disk = {m.name for m in pkgutil.iter_modules(rnnlearn.__path__)
               if not m.name.startswith("_")}
    assert on_disk == set(rnnlearn.__all__)
    assert set(rnnlearn.__all__) <= set(dir(rnnlearn))


@pytest.mark.parametrize("name", rnnlearn.__all__)
def test_every_public_module_is_an_attribute(name):
    module = getattr(rnnlearn, name)
    assert isinstance(module, types.ModuleType)
    assert module is importlib.import_module(f"rnnlearn.{name}")


def test_unknown_attributes_raise_attribute_error():
    with pytest.raises(AttributeError, match="module 'rnnlearn' has no attribute 'optimizers'"):
        rnnlearn.optimizers  # noqa: B018


def test_importing_rnnlearn_and_its_kernels_does_not_import_matplotlib():
    code = ("import sys, rnnlearn; assert 'matplotlib' not in sys.modules, 'bare import'; "
            f"[getattr(rnnlearn, name) for name in {KERNELS!r}]; "
            "assert 'matplotlib' not in sys.modules, 'kernels'; "
            "assert 'ipywidgets' not in sys.modules, 'widgets'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", KERNELS)
def test_public_functions_document_their_parameters(name):
    """Every public function and method of a kernel module has a numpydoc docstring with a
    Parameters section when it takes arguments (the shapes go in its type lines). A kernel that
    is a package (charlm) is checked module by module."""
    package = getattr(rnnlearn, name)
    modules = [package] + [importlib.import_module(f"{package.__name__}.{m.name}")
                           for m in pkgutil.iter_modules(getattr(package, "__path__", []))]
    missing = []
    for attr, obj in [(a, o) for module in modules for a, o in vars(module).items()
                      if getattr(o, "__module__", None) == module.__name__]:
        if attr.startswith("_"):
            continue
        members = [(attr, obj)]
        if inspect.isclass(obj):
            members += [(f"{attr}.{k}", getattr(obj, k)) for k, v in vars(obj).items()
                        if not k.startswith("_") and inspect.isfunction(getattr(v, "__func__", v))]
        for label, member in members:
            doc = inspect.getdoc(member) or ""
            if not doc:
                missing.append(f"{label}: no docstring")
            elif not inspect.isclass(member):
                params = [p for p in inspect.signature(member).parameters
                          if p not in ("self", "cls")]
                if params and "Parameters\n---" not in doc:
                    missing.append(f"{label}: no Parameters section")
    assert not missing, missing
