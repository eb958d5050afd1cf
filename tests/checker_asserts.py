"""What every chapter's checker tests (tests/test_exercises_*.py) assert of a checker's verdict."""
from rnnlearn import exercises


def assert_exported(module, names):
    """The chapter's checker module exports exactly ``names``, and ``rnnlearn.exercises`` too."""
    assert set(module.__all__) == set(names)
    assert all(name in exercises.__all__ for name in names)


def assert_right_answer_passes(result, min_cases=5):
    """A right answer: attempted, passed on at least ``min_cases`` cases, no hint, a tick."""
    assert result.passed and result.attempted and result.hints == []
    assert len(result.cases) >= min_cases and str(result).startswith("\u2713")


def assert_mistake_named(result, hint, *, first=True, quoted=False):
    """A typical mistake: attempted and failed, with ``hint`` in the first (most frequent) hint, or
    in any hint if not ``first``; a report of lines <= 88 characters with a cross; with ``quoted``,
    the report shows the hint whole."""
    assert not result.passed and result.attempted
    if first:
        assert hint in result.hints[0], result.hints
    else:
        assert any(hint in h for h in result.hints), result.hints
    text = str(result)
    assert all(len(line) <= 88 for line in text.splitlines()), text
    assert "\u2717" in text
    if quoted:
        assert " ".join(hint.split()) in " ".join(text.split())
