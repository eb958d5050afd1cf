"""The student build: every chapter notebook with its solutions removed, ready to hand out.

    bash tasks.sh student            # or: python scripts/student_build.py [--out DIR]

writes ``_student/`` (git-ignored): a copy of ``book/*.ipynb`` in which

- every cell tagged ``exercise-solution`` is gone (the gated solutions of the coding exercises
  and their hidden checks, see :mod:`rnnlearn.exercises`);
- every ``{solution}`` block is cut out of the markdown cells (the written exercises'
  solutions, fenced with three or more backticks);
- every hidden (``remove-cell``) code cell after the chapter's "## Exercises" heading is gone:
  those assert the numbers the solutions state;
- outputs and execution counts are cleared.

The exercise statements, the scaffolds (``exercise-scaffold``: a function that raises
NotImplementedError) and the checker cells (``exercise-check``) stay, so a student can write the
function and run the checker. Nothing else changes: the notebooks still run top to bottom.
The HTML book keeps its solutions, behind toggles.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^(`{3,})\{solution(?:-start|-end)?\}", re.M)


def strip_solution_blocks(markdown: str) -> str:
    """The markdown without its ``{solution}`` blocks (each to its own closing fence)."""
    out, closing = [], None
    for line in markdown.splitlines(keepends=True):
        if closing is None:
            match = _FENCE.match(line)
            if match:
                closing = match.group(1)
                continue
            out.append(line)
        elif line.rstrip() == closing:
            closing = None
    if closing is not None:
        raise ValueError(f"a {{solution}} block is not closed (missing {closing})")
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip("\n")


def student_notebook(nb: dict) -> dict:
    """A copy of the notebook ``nb`` (nbformat 4 as a dict) without its solutions."""
    cells, in_exercises = [], False
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.search(r"^## Exercises", source, re.M):
            in_exercises = True
        if re.match(r"## References", source):
            in_exercises = False
        if "exercise-solution" in tags:
            continue
        if cell["cell_type"] == "code" and in_exercises and "remove-cell" in tags:
            continue
        cell = json.loads(json.dumps(cell))  # a deep copy
        if cell["cell_type"] == "markdown" and _FENCE.search(source):
            source = strip_solution_blocks(source)
            if not source:
                continue
            cell["source"] = re.findall(r"[^\n]*\n|[^\n]+$", source)  # lines, "\n" kept
        elif cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    return {**nb, "cells": cells}


def build(out: pathlib.Path) -> list[pathlib.Path]:
    """Write the student copy of every chapter notebook into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        target = out / path.name
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "_student")
    args = parser.parse_args()
    for path in build(args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
