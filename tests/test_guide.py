"""The reader's and the instructor's guides (book/howto.md, book/instructors.md) and the
``chapter-objectives`` directive of book/_ext that copies each chapter's objectives into the
instructor guide."""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
import yaml

from conftest import CHAPTERS, ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import rnnlearn_book  # noqa: E402  (the book's local Sphinx extension)


def toc_parts():
    return yaml.safe_load((ROOT / "_toc.yml").read_text())["parts"]


def words(text):
    """Text compared word by word: no math, no markup, no punctuation, no case."""
    text = re.sub(r"\$[^$]+\$", " ", text)
    return re.findall(r"\w+", text.replace("`", " ").lower())


def bullets(lines):
    """The items of a markdown bullet list, each joined into one string."""
    items = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:])
        elif line.strip():
            items[-1] += " " + line.strip()
    return items


# -- the directive's extraction, on fake notebooks (fast) ------------------------------------------
def fake_notebook(tmp_path, *markdown, as_string=False):
    cells = [{"cell_type": "markdown", "metadata": {},
              "source": m if as_string else m.splitlines(keepends=True)} for m in markdown]
    cells.insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": ["x = 1  # After working through this chapter you will be able to:"]})
    path = tmp_path / "fake.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


OBJECTIVES = """# A chapter

## Learning objectives

After working through this chapter you will be able to:

- compute $f'(x)$ with `calculus.slope`, and
  say why;
- run the loop.

The chapter uses some linear algebra.
"""


@pytest.mark.parametrize("as_string", [False, True])
def test_extraction_takes_the_list_and_stops_after_it(tmp_path, as_string):
    path = fake_notebook(tmp_path, "# A chapter\n\nIntro.", OBJECTIVES, as_string=as_string)
    lines = rnnlearn_book.chapter_objectives(path)
    assert lines == ["- compute $f'(x)$ with `calculus.slope`, and", "  say why;", "- run the loop."]


def test_extraction_keeps_a_loose_list_together(tmp_path):
    loose = OBJECTIVES.replace("  say why;\n", "  say why;\n\n")
    lines = rnnlearn_book.chapter_objectives(fake_notebook(tmp_path, loose))
    assert bullets(lines) == ["compute $f'(x)$ with `calculus.slope`, and say why;", "run the loop."]


@pytest.mark.parametrize("markdown, message", [
    ("# A chapter\n\nNo objectives here.\n", "no markdown cell"),
    ("## Learning objectives\n\nYou will learn things:\n\n- one\n", "no 'After working"),
    ("## Learning objectives\n\nAfter working through this chapter you will be able to:\n\n"
     "Nothing listed.\n", "no bullet list"),
    ("Learning objectives, in passing, but no heading.\n\n"
     "After working through this chapter you will be able to:\n\n- one\n", "no markdown cell"),
])
def test_extraction_fails_clearly_without_objectives(tmp_path, markdown, message):
    with pytest.raises(rnnlearn_book.ObjectivesNotFound, match=message):
        rnnlearn_book.chapter_objectives(fake_notebook(tmp_path, markdown))


def test_extraction_fails_clearly_without_the_notebook(tmp_path):
    with pytest.raises(rnnlearn_book.ObjectivesNotFound, match="no chapter notebook"):
        rnnlearn_book.chapter_objectives(tmp_path / "nowhere.ipynb")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_has_an_objectives_list(name):
    items = bullets(rnnlearn_book.chapter_objectives(ROOT / "book" / f"{name}.ipynb"))
    assert len(items) >= 3
    assert all(len(words(item)) >= 5 for item in items), items
    assert not any("Learning objectives" in item or item.startswith("#") for item in items)


def test_directive_in_a_sphinx_build(tmp_path):
    """A real (small) build: the list becomes typeset HTML; a missing chapter fails under -W."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'rnnlearn_book']\n"
        "myst_enable_extensions = ['dollarmath']\nhtml_theme = 'sphinx_book_theme'\n")
    fake_notebook(src, OBJECTIVES)
    (src / "index.md").write_text("# Guide\n\n```{chapter-objectives} fake\n```\n")
    build = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src)]
    proc = subprocess.run([*build, str(tmp_path / "ok")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (tmp_path / "ok" / "index.html").read_text(encoding="utf-8")
    box = page[page.index('class="rnnlearn-objectives rnnlearn-objectives-fake'):]
    assert box.count("<li>") == 2 and 'class="math' in box and "calculus.slope" in box

    (src / "index.md").write_text("# Guide\n\n```{chapter-objectives} missing\n```\n")
    proc = subprocess.run([*build, str(tmp_path / "bad")], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "chapter-objectives: no chapter notebook" in proc.stdout + proc.stderr


def test_importing_the_extension_leaves_the_environment_alone():
    """Only a build switches the explorers to static mode: this file imports the extension, and
    a kernel started later by the same test run (the live JupyterLab test) must stay live."""
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); before = dict(os.environ); "
            "import rnnlearn_book; print(sorted(set(os.environ.items()) ^ set(before.items())))")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "book" / "_ext")],
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "RNNLEARN_STATIC_EXPLORERS"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", f"importing the extension changed the environment: {proc.stdout}"
    assert "RNNLEARN_STATIC_EXPLORERS" not in os.environ  # nor has any import in this test run


# -- the table of contents -----------------------------------------------------------------------
def test_toc_puts_the_guides_around_the_numbered_chapters():
    parts = toc_parts()
    assert [c["file"] for c in parts[0]["chapters"]] == ["book/howto"]
    assert [c["file"] for c in parts[-1]["chapters"]] == ["book/instructors"]
    assert not parts[0].get("numbered") and not parts[-1].get("numbered")
    assert all(part.get("numbered") for part in parts[1:-1])
    assert len(CHAPTERS) == 8


# -- the how-to page's example is what the checker really says ------------------------------------
def test_howto_shows_the_checkers_real_report():
    text = (ROOT / "book" / "howto.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```text\n(✗.*?)```", text, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    assert out.getvalue() == shown


def test_guides_keep_lines_short():
    for name in ("howto", "instructors"):
        long = [line for line in (ROOT / "book" / f"{name}.md").read_text().splitlines() if len(line) > 100]
        assert long == [], f"{name}.md: lines over 100 characters: {long}"


def test_the_guides_numbers_are_the_chapters_numbers():
    """Each number the misconceptions and assignments quote (0.0988, 98.75, 2.286, ...) is one a
    chapter states, and so asserts: if a chapter's figure changes, this names the stale copy."""
    guide = (ROOT / "book" / "instructors.md").read_text()
    quoted = guide[guide.index("## Common misconceptions"):guide.index("## Running the notebooks")]
    quoted = re.sub(r"^\d+\. ", "", quoted, flags=re.M)  # the list's own numbering
    numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?!\w)", quoted))
    chapters = "\n".join("".join(c["source"]) for name in CHAPTERS
                         for c in json.loads((ROOT / "book" / f"{name}.ipynb").read_text())["cells"])
    stale = sorted(n for n in numbers if not re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", chapters))
    assert len(numbers) >= 20 and stale == [], f"numbers no chapter states: {stale}"


# -- the built pages ----------------------------------------------------------------------------
class _Objectives(HTMLParser):
    """The text of each top-level <li> inside each objectives box, math left out, by chapter."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.found = [], {}

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            return
        classes = (dict(attrs).get("class") or "").split()
        box = next((c.removeprefix("rnnlearn-objectives-") for c in classes
                    if c.startswith("rnnlearn-objectives-")), None)
        chapter = box or (self.stack[-1][1] if self.stack else None)
        math = "math" in classes or bool(self.stack and self.stack[-1][2])
        if box:
            self.found[box] = []
        if tag == "li" and chapter and not any(t == "li" for t, *_ in self.stack):
            self.found[chapter].append("")
        self.stack.append((tag, chapter, math))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            if any(t == "li" for t, *_ in self.stack):
                self.found[self.stack[-1][1]][-1] += data


def test_guide_links_every_chapter(built_book):
    html, _ = built_book
    page = (html / "book" / "instructors.html").read_text(encoding="utf-8")
    article = page[page.index("<article"):page.index("</article>")]
    for name in CHAPTERS:
        assert f'href="{name}.html"' in article, f"the instructor guide does not link {name}"


def test_guide_shows_each_chapters_objectives(built_book):
    html, _ = built_book
    page = (html / "book" / "instructors.html").read_text(encoding="utf-8")
    parser = _Objectives()
    parser.feed(page)
    assert list(parser.found) == CHAPTERS  # one box per chapter, in the book's order
    for name, shown in parser.found.items():
        expected = bullets(rnnlearn_book.chapter_objectives(ROOT / "book" / f"{name}.ipynb"))
        assert [words(s) for s in shown] == [words(e) for e in expected], name
    box = page[page.index("rnnlearn-objectives-slopes"):page.index("rnnlearn-objectives-descent")]
    assert 'class="math' in box  # typeset by MathJax, not raw dollars


def test_schedule_covers_every_chapter_in_six_to_eight_sessions(built_book):
    html, _ = built_book
    page = (html / "book" / "instructors.html").read_text(encoding="utf-8")
    table = re.search(r'<table[^>]*id="instructors-schedule".*?</table>', page, re.S)
    assert table, "no table labelled instructors-schedule"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
    rows = re.findall(r"<tr.*?</tr>", body, re.S)
    assert 6 <= len(rows) <= 8
    covered = set()
    for row in rows:
        linked = set(re.findall(r'href="(\w+)\.html"', row)) & set(CHAPTERS)
        assert linked, f"a session without a chapter: {re.sub('<[^>]+>', '', row)[:80]}"
        assert "explorer" in row and "check_" in row  # a live demo and a checked lab
        covered |= linked
    assert covered == set(CHAPTERS)


def test_misconceptions_each_link_to_the_book(built_book):
    html, _ = built_book
    page = (html / "book" / "instructors.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="common-misconceptions">(.*?)</section>\s*<section id="assignment',
                        page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    assert len(items) >= 10
    chapters = {name: 0 for name in CHAPTERS}
    for item in items:
        targets = re.findall(r'class="reference internal" href="(\w+)\.html(?:#[\w-]+)?"', item)
        assert targets, f"a misconception without a link: {re.sub('<[^>]+>', '', item)[:80]}"
        for t in targets:
            chapters[t] = chapters.get(t, 0) + 1
    parts = [["slopes", "descent", "backprop"], ["bptt", "gradients"], ["lstm", "gru"], ["charlm"]]
    assert all(sum(chapters[c] for c in part) for part in parts), chapters


def text_of(html_text):
    """What a reader sees (roughly): tags dropped, entities decoded, whitespace collapsed."""
    import html
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", html_text)).split())


def test_howto_names_every_way_to_run_the_book(built_book):
    html, _ = built_book
    page = (html / "book" / "howto.html").read_text(encoding="utf-8")
    article = page[page.index("<article"):page.index("</article>")]
    shown = text_of(article)
    for needed in ("Binder", "Colab", "pip install -r requirements.txt", "jupyter lab book/",
                   "bash tasks.sh book", '<input type="range">', "arrow keys",
                   "github.com/rnnlearn/rnnlearn/issues"):
        assert needed in shown, f"howto.html does not mention {needed!r}"
    assert 'href="https://github.com/rnnlearn/rnnlearn/issues"' in article  # a link, not just text
    intro = (html / "book" / "intro.html").read_text(encoding="utf-8")
    intro = intro[intro.index("<article"):intro.index("</article>")]
    assert 'href="howto.html"' in intro
    assert "pip install -r requirements.txt" not in text_of(intro)  # said once, on the how-to page
