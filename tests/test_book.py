"""The book: notebooks committed stripped, the build passes with warnings as errors, offline assets."""
import json
import re

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
ALLOWED_NB_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"tags", "mystnb"}  # mystnb: figure captions and alt text


def test_there_are_chapters():
    assert any(p.name == "slopes.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_stripped(path):
    nb = json.loads(path.read_text())
    assert set(nb["metadata"]) <= ALLOWED_NB_METADATA, f"stray notebook metadata: {set(nb['metadata'])}"
    for i, cell in enumerate(nb["cells"]):
        assert set(cell.get("metadata", {})) <= ALLOWED_CELL_METADATA, f"cell {i}: stray metadata {cell['metadata']}"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"cell {i} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_the_house_structure(path):
    """Objectives, exercises with solutions (3+), references, in that order; imports rnnlearn.

    Each chapter's bibliography has a :keyprefix: of its slug and cites keys with that prefix:
    without it, a key cited in two chapters is a duplicate citation (a build warning).
    """
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    positions = [text.find(s) for s in ("Learning objectives", "```{exercise}", "```{bibliography}")]
    assert -1 not in positions and positions == sorted(positions), positions
    assert text.count("```{exercise}") >= 3
    assert text.count("```{solution}") == text.count("```{exercise}")
    assert ":class: dropdown" in text  # solutions behind a toggle
    assert "from rnnlearn" in text or "import rnnlearn" in text
    slug = path.stem
    assert f":keyprefix: {slug}-" in text
    for keys in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", text):
        assert all(k.strip().startswith(f"{slug}-") for k in keys.split(",")), keys


def test_book_builds_without_warnings(built_book):
    html, log = built_book
    assert "build succeeded" in log, log[-3000:]
    warnings = re.findall(r".*: WARNING: .*", log)  # Sphinx's own warnings (kernels may log others)
    assert warnings == [], "\n".join(warnings)


def test_built_html_loads_nothing_external(built_book):
    html, _ = built_book
    pattern = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for page in html.rglob("*.html"):
        for tag in pattern.findall(page.read_text(encoding="utf-8")):
            # <link href> to an external site is only allowed for plain navigation links (<a>)
            pytest.fail(f"{page.relative_to(html)} loads an external asset: {tag}")


def test_mathjax_is_served_from_the_build(built_book):
    html, _ = built_book
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    page = (html / "book" / "slopes.html").read_text()
    assert re.search(r'src="\.\./_static/mathjax/tex-chtml\.js(\?v=\w+)?"', page)  # ?v= on a rebuild


def test_a_failing_cell_fails_the_build(tmp_path):
    """With our _config.yml, one raising cell must fail the whole build (not just warn)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copytree(ROOT / "book" / "_ext", tmp_path / "book" / "_ext")
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/bad\n")
    (tmp_path / "book" / "intro.md").write_text("# Intro\n")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "raise ValueError('a stated number no longer holds')"}
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Bad"}, cell],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 4}
    (tmp_path / "book" / "bad.ipynb").write_text(json.dumps(nb))
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(tmp_path), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "a stated number no longer holds" in proc.stdout + proc.stderr
