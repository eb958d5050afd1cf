"""The student build (scripts/student_build.py): no solution survives, every exercise stays."""
import json
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import student_build  # noqa: E402

NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def _text(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_a_solution_block_is_cut_to_its_own_fence_and_nested_code_stays_out():
    md = ("Before.\n\n````{solution} ex-a\n:class: dropdown\n\n```python\nsecret = 1\n```\n"
          "````\n\nAfter.\n\n```{exercise} ex-b\nKeep me.\n```\n")
    out = student_build.strip_solution_blocks(md)
    assert "secret" not in out and "{solution}" not in out
    assert out.startswith("Before.") and "After." in out and "Keep me." in out
    with pytest.raises(ValueError, match="not closed"):
        student_build.strip_solution_blocks("```{solution} x\nanswer\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_survives_and_every_exercise_stays(path, tmp_path):
    original = json.loads(path.read_text(encoding="utf-8"))
    (written,) = [p for p in student_build.build(tmp_path) if p.name == path.name]
    student = json.loads(written.read_text(encoding="utf-8"))
    text = _text(student)
    assert "{solution" not in text and ":class: dropdown" not in text
    tags = [set(c["metadata"].get("tags", [])) for c in student["cells"]]
    assert not any("exercise-solution" in t for t in tags)
    # what the solutions said is gone: each solution cell's code, each written solution's body
    for cell in original["cells"]:
        source = "".join(cell["source"])
        if "exercise-solution" in cell["metadata"].get("tags", []) and cell["cell_type"] == "code":
            assert source.strip() not in text
    solutions = [block for block in _text(original).split("{solution}")[1:]]
    for block in solutions:
        body = [line for line in block.splitlines()[2:8] if len(line.strip()) > 30]
        assert not any(line in text for line in body), body
    # every exercise, scaffold and checker stays, in order, and nothing is executed
    assert text.count("{exercise}") == _text(original).count("{exercise}")
    assert text.count("{exercise-start}") == text.count("{exercise-end}") == sum(
        "exercise-check" in t for t in tags) == _text(original).count("{exercise-start}")
    assert sum("exercise-scaffold" in t for t in tags) == sum("exercise-check" in t for t in tags)
    assert all(not c.get("outputs") for c in student["cells"] if c["cell_type"] == "code")
    # the chapter before its exercises is untouched
    cut = next(i for i, c in enumerate(original["cells"])
               if "## Exercises" in "".join(c["source"]))
    assert student["cells"][:cut] == [
        {**c, **({"outputs": [], "execution_count": None} if c["cell_type"] == "code" else {})}
        for c in original["cells"][:cut]]
