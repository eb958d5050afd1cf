"""The book: notebooks committed stripped, the build passes with warnings as errors, offline assets."""
import json
import re

import pytest

from conftest import CHAPTERS, ROOT

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


# -- the rendered book: what a reader sees ----------------------------------------------------------
CHAPTER_PAGES = CHAPTERS  # the notebooks of _toc.yml in its order: chapters 1-8


class _Prose(__import__("html.parser").parser.HTMLParser):
    """The text a reader sees as prose: outside math, code, scripts, styles and explorer twins."""

    SKIP_TAGS = {"script", "style", "pre", "code", "kbd", "samp", "textarea", "title", "svg"}
    SKIP_CLASSES = {"math", "rnnlearn-explorer", "highlight", "output"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        inside_skipped = bool(self.stack) and self.stack[-1][1]
        skip = tag in self.SKIP_TAGS or bool(classes & self.SKIP_CLASSES) or inside_skipped
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:  # tolerate unclosed tags (<p> around block content)
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]) and data.strip():  # text outside any skipped element
            self.texts.append(data)


@pytest.mark.parametrize("name", ["intro", *CHAPTER_PAGES])
def test_no_tex_left_outside_math(built_book, name):
    """A broken $...$ (e.g. a wrapped line starting with "- " inside it) shows raw TeX to readers."""
    html, _ = built_book
    parser = _Prose()
    parser.feed((html / "book" / f"{name}.html").read_text(encoding="utf-8"))
    tex = re.compile(r"(?<![\w\\])\$|\\(?:[a-zA-Z]{2,}|[{}_^,;!])")
    bad = [t.strip()[:120] for t in parser.texts if tex.search(t)]
    assert bad == [], f"raw TeX in {name}.html:\n" + "\n".join(bad)


def test_chapters_sections_figures_and_exercises_are_numbered_per_chapter(built_book):
    html, _ = built_book
    for number, name in enumerate(CHAPTER_PAGES, start=1):
        page = (html / "book" / f"{name}.html").read_text(encoding="utf-8")
        assert f'<h1><span class="section-number">{number}. </span>' in page, f"{name}: chapter not numbered"
        assert f'<span class="section-number">{number}.1. </span>' in page, f"{name}: sections not numbered"
        figures = re.findall(r'<span class="caption-number">Fig\. ([\d.]+) </span>', page)
        assert figures and figures[0] == f"{number}.1", f"{name}: figures {figures[:3]} not numbered per chapter"
        assert all(f.startswith(f"{number}.") for f in figures), figures
        exercises = re.findall(r'<span class="caption-number">Exercise ([\d.]+) </span>', page)
        assert exercises and exercises[0] == f"{number}.1", f"{name}: exercises {exercises[:3]}"
        assert all(e.startswith(f"{number}.") for e in exercises), exercises


class _Tree(__import__("html.parser").parser.HTMLParser):
    """A minimal DOM: nested [tag, attrs, children, text] lists."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ["root", {}, [], ""]
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = [tag, dict(attrs), [], ""]
        self.stack[-1][2].append(node)
        if tag not in _Prose.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.stack[-1][3] += data


def _walk(node, ancestors=()):
    yield node, ancestors
    for child in node[2]:
        yield from _walk(child, (*ancestors, node))


def _text(node):
    return node[3] + "".join(_text(c) for c in node[2])


def test_explorers_are_numbered_figures_with_a_label(built_book):
    """Each explorer twin sits in a numbered figure ("Fig. 2.7") with an id usable by {numref}.

    The cell that shows an explorer needs `mystnb: figure: {name: <label>}` in its metadata (a
    caption there is optional: book/_ext takes the explorer's own caption when it has none).
    """
    html, _ = built_book
    for name in CHAPTER_PAGES:
        tree = _Tree()
        tree.feed((html / "book" / f"{name}.html").read_text(encoding="utf-8"))
        explorers = [(n, a) for n, a in _walk(tree.root) if "rnnlearn-explorer" in n[1].get("class", "").split()]
        assert explorers, f"{name}: no explorer"
        for node, ancestors in explorers:
            figures = [a for a in ancestors if a[0] == "figure" and a[1].get("id")]
            assert figures, f"{name}: explorer {_text(node)[:60]!r}... is not inside a labelled figure"
            captions = [c for c in figures[-1][2] if c[0] == "figcaption"]
            assert captions and re.match(r"\s*Fig\. \d+\.\d+ ", _text(captions[0])), (
                f"{name}: figure #{figures[-1][1]['id']} holding an explorer has no 'Fig. N.M' caption")
            assert not any(c[0] == "figcaption" for c in node[2]), (
                f"{name}: the explorer in #{figures[-1][1]['id']} keeps its own caption too")


def test_reference_lists_use_the_in_text_author_year_labels(built_book):
    html, _ = built_book
    for name in CHAPTER_PAGES:
        page = (html / "book" / f"{name}.html").read_text(encoding="utf-8")
        labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(?:<a [^>]*>)?(.*?)(?:</a>)?<span', page)
        assert labels, f"{name}: no reference list"
        for label in labels:
            assert re.fullmatch(r"\D+, \d{4}[a-z]?", label), f"{name}: reference label {label!r} is not 'Author, Year'"


def test_pages_stay_light(built_book):
    """No 1.5 MB icon script on every page; MathJax reduced to what tex-chtml.js and its menu load."""
    html, _ = built_book
    for page in html.rglob("*.html"):
        if "_static" not in page.parts:  # the theme's template sources are copied there too
            assert "fontawesome.js" not in page.read_text(encoding="utf-8"), f"{page.name} loads fontawesome.js"
    mathjax = html / "_static" / "mathjax"
    assert (mathjax / "tex-chtml.js").is_file()
    assert (mathjax / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff").is_file()
    assert (mathjax / "input" / "tex" / "extensions" / "boldsymbol.js").is_file()  # autoloaded
    size = sum(f.stat().st_size for f in mathjax.rglob("*") if f.is_file())
    assert size < 8e6, f"_static/mathjax holds {size / 1e6:.1f} MB"
    # what every page loads before any content: the theme's scripts and styles (intro has no frames)
    intro = (html / "book" / "intro.html").read_text(encoding="utf-8")
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="\.\./(_static/[^"?]+)', intro)
    fixed = sum((html / a).stat().st_size for a in set(assets) if (html / a).is_file())
    assert fixed < 2.5e6, f"intro.html loads {fixed / 1e6:.2f} MB of scripts and styles"


def test_favicon_is_linked(built_book):
    html, _ = built_book
    page = (html / "book" / "intro.html").read_text(encoding="utf-8")
    href = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert href, "no favicon link"
    assert (html / "book" / href.group(1)).resolve().is_file()
