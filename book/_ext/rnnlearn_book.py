"""Local Sphinx extension for the rnnlearn book build.

1. Puts explorers into static mode: the executing kernels inherit RNNLEARN_STATIC_EXPLORERS=1
   from this process, so each explorer also emits its static twin (frames + plain JS).
2. Removes duplicate <script> entries from each page: sphinx-thebe 0.3 registers its config
   script twice under Jupyter Book 1, which redeclares a const and logs a console error.
3. Serves MathJax from the build: copies MathJax 3's ``es5`` folder from the PyPI package
   ``django-static-mathjax`` (no Django needed, just the files) to ``_static/mathjax``, which
   ``mathjax_path`` in ``_config.yml`` points at. No page loads anything from a CDN.
"""
from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

os.environ["RNNLEARN_STATIC_EXPLORERS"] = "1"


def mathjax_source() -> Path:
    """The installed MathJax 3 ``es5`` folder."""
    root = resources.files("mathjax") / "static" / "mathjax" / "es5"
    path = Path(str(root))
    if not (path / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax not found at {path}: pip install django-static-mathjax")
    return path


def copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(mathjax_source(), Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # filename is None for some inline scripts and "" for others: compare them as equal
        key = (getattr(script, "filename", script) or "", repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    mathjax_source()  # fail at start, not after a long build
    app.connect("html-page-context", dedupe_scripts, priority=900)  # after the themes add theirs
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
