"""Local Sphinx extension for the rnnlearn book build.

1. Puts explorers into static mode: the executing kernels inherit RNNLEARN_STATIC_EXPLORERS=1
   from this process, so each explorer also emits its static twin (frames + plain JS).
2. Removes duplicate <script> entries from each page: sphinx-thebe 0.3 registers its config
   script twice under Jupyter Book 1, which redeclares a const and logs a console error.
3. Serves MathJax from the build: copies the parts of MathJax 3's ``es5`` folder (from the PyPI
   package ``django-static-mathjax``; no Django needed, just the files) that ``tex-chtml.js`` and
   its context menu can load, to ``_static/mathjax``, which ``mathjax_path`` in ``_config.yml``
   points at. No page loads anything from a CDN.
4. Theme and reading comfort: adds ``assets/rnnlearn.css`` (inline math that scrolls instead of
   being cut, readable captions, no header "#" widening a phone page, no colour-mode switch), pins
   light mode, drops the duplicate header search field and the 1.5 MB ``fontawesome.js`` (see
   ``templates/static/webpack-macros.html``), names the code copy buttons for screen readers, keeps
   punctuation after inline math on the formula's line.
5. Explorers as numbered figures: a code cell whose metadata is ``mystnb: figure: {name: ...}``
   is wrapped by MyST-NB in a figure; when that figure holds an explorer's static twin and has no
   caption of its own, the twin's caption becomes the figure caption ("Fig. 2.5"), so
   ``{numref}`` works. Either way the twin's own <figcaption> is dropped (one caption, numbered).
6. Author-year labels in the reference lists ("[Cauchy, 1847]"), matching the in-text citations;
   ``$...$`` in a reference entry (a BibTeX title) is typeset as math.
7. A build check: text outside math, code and raw HTML that still holds TeX (``$`` or a
   backslash command such as ``\\alpha``) is a warning, so ``-W`` fails the build.
8. The directive ``chapter-objectives``: ``{chapter-objectives} slopes`` shows the learning
   objectives of the chapter ``slopes.ipynb`` (the bullet list after "After working through this
   chapter you will be able to:"), parsed as MyST, so the instructor guide quotes the chapters
   without copying them. A missing notebook or list is a warning (``-W`` fails the build), and
   the page is rebuilt when the chapter changes.
"""
from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
from importlib import resources
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util import logging

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)

# -- 3. MathJax ------------------------------------------------------------------------------------
# What tex-chtml.js loads: its TeX extensions on demand (\boldsymbol, \cancel, ...) and its fonts;
# and what its context menu can load: the accessibility tools (explorer, speech in English and
# Nemeth braille), the lazy/safe options and the SVG renderer. The rest of the 24 MB distribution
# (the other combined builds, MathML and AsciiMath input, 11 more speech languages) is left out.
MATHJAX_PARTS = [
    "tex-chtml.js",
    "input/tex/extensions",
    "output/chtml/fonts/woff-v2",
    "output/svg.js",
    "output/svg",
    "ui",
    "a11y",
    "sre/mathmaps/base.json",
    "sre/mathmaps/en.json",
    "sre/mathmaps/nemeth.json",
]


def mathjax_source() -> Path:
    """The installed MathJax 3 ``es5`` folder."""
    root = resources.files("mathjax") / "static" / "mathjax" / "es5"
    path = Path(str(root))
    missing = [p for p in MATHJAX_PARTS if not (path / p).exists()]
    if missing:
        raise RuntimeError(f"MathJax incomplete at {path} (missing {missing}): pip install django-static-mathjax")
    return path


def copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src, dest = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        target = dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if (src / part).is_dir():
            shutil.copytree(src / part, target, dirs_exist_ok=True)
        else:
            shutil.copy2(src / part, target)


def drop_unused_assets(app, exception) -> None:
    """fontawesome.js is no longer referenced by any page (see the template override)."""
    if exception is None and app.builder.format == "html":
        for f in (Path(app.outdir) / "_static" / "scripts").glob("fontawesome.js*"):
            f.unlink()


# -- 2. duplicate scripts --------------------------------------------------------------------------
def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # filename is None for some inline scripts and "" for others: compare them as equal
        key = (getattr(script, "filename", script) or "", repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# -- 4. theme --------------------------------------------------------------------------------------
# Runs in <head> after the theme's own mode script and before its deferred bundle, which then
# applies (and stores) this mode: a reader who once chose dark or auto on this origin gets light.
PIN_LIGHT_MODE = 'document.documentElement.dataset.mode = "light"; document.documentElement.dataset.theme = "light";'
# sphinx-copybutton's buttons have no accessible name (the <title> inside their SVG is not exposed).
NAME_COPY_BUTTONS = ('window.addEventListener("load", function () { document.querySelectorAll('
                     '"button.copybtn:not([aria-label])").forEach(function (b) { '
                     'b.setAttribute("aria-label", "Copy code"); }); });')


def configure_theme(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(HERE / "assets")]
    config.templates_path = [str(HERE / "templates"), *config.templates_path]
    # The header's search field repeats the one in the sidebar (pydata-sphinx-theme >= 0.16 adds it
    # unless navbar_persistent is set); the article header keeps its search button for phones.
    config.html_theme_options = {**config.html_theme_options, "navbar_persistent": []}


# -- 5. explorers as figures -----------------------------------------------------------------------
FIGCAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)


def _explorer_raws(node: nodes.Element) -> list[nodes.raw]:
    return [r for r in node.findall(nodes.raw) if 'class="rnnlearn-explorer"' in r.astext()]


class ExplorerFigures(SphinxTransform):
    """Give an explorer inside a MyST-NB figure one numbered caption."""

    default_priority = 200  # before Sphinx collects figure titles and numbers

    def apply(self, **kwargs) -> None:
        for figure in list(self.document.findall(nodes.figure)):
            raws = _explorer_raws(figure)
            if not raws:
                continue
            has_caption = any(isinstance(c, nodes.caption) for c in figure.children)
            if not has_caption:
                found = FIGCAPTION.search(raws[0].astext())
                if found:
                    text = html_lib.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
                    caption = nodes.caption(text, text)
                    caption.source, caption.line = figure.source, figure.line
                    figure.append(caption)
            for raw in raws:
                text = FIGCAPTION.sub("", raw.astext())
                raw.clear()
                raw += nodes.Text(text)


# -- 4b. punctuation after inline math -------------------------------------------------------------
PUNCTUATION = re.compile(r"^[.,;:!?)\]]+")


class KeepPunctuationWithMath(SphinxTransform):
    """Keep the "." or "," after inline math on the formula's line (it wrapped to a line of its own)."""

    default_priority = 210

    def apply(self, **kwargs) -> None:
        for math in list(self.document.findall(nodes.math)):
            parent = math.parent
            if parent is None or isinstance(parent, nodes.inline) and "rnnlearn-nowrap" in parent["classes"]:
                continue
            i = parent.index(math)
            nxt = parent[i + 1] if i + 1 < len(parent) else None
            if not isinstance(nxt, nodes.Text):
                continue
            found = PUNCTUATION.match(nxt.astext())
            if not found:
                continue
            punct, rest = found.group(0), nxt.astext()[found.end():]
            group = nodes.inline("", "", classes=["rnnlearn-nowrap"])
            parent.replace(math, group)
            group += math
            group += nodes.Text(punct)
            if rest:
                parent.replace(nxt, nodes.Text(rest))
            else:
                parent.remove(nxt)


# -- 6. citation labels ----------------------------------------------------------------------------
def register_author_year_labels() -> None:
    """pybtex style ``rnnlearn``: the alpha style with "Author, Year" labels instead of "Cau47"."""
    from pybtex.plugin import register_plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.alpha import Style as AlphaStyle
    from pybtex.style.labels import BaseLabelStyle

    def last(person) -> str:
        return " ".join(Text(*person.rich_prelast_names, *person.rich_last_names).render_as("text").split())

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            labels = []
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [last(p) for p in people]
                if len(names) > 2:
                    who = f"{names[0]} et al."
                elif names:
                    who = " and ".join(names)
                else:
                    who = entry.fields.get("title", entry.key)
                labels.append(f"{who}, {entry.fields.get('year', 'n.d.')}")
            counts = {lab: labels.count(lab) for lab in labels}
            seen: dict[str, int] = {}
            for lab in labels:
                if counts[lab] > 1:  # the same author and year twice: 1998a, 1998b
                    seen[lab] = seen.get(lab, 0) + 1
                    lab += "abcdefghijklmnopqrstuvwxyz"[seen[lab] - 1]
                yield lab

    class AuthorYearStyle(AlphaStyle):
        default_label_style = "rnnlearn-author-year"

    register_plugin("pybtex.style.labels", "rnnlearn-author-year", AuthorYearLabels, force=True)
    register_plugin("pybtex.style.formatting", "rnnlearn", AuthorYearStyle, force=True)


# -- 7. raw TeX check ------------------------------------------------------------------------------
RAW_TEX = re.compile(r"(?<![\w\\])\$|\\(?:[a-zA-Z]{2,}|[{}_^,;!])")
NOT_PROSE = (nodes.math, nodes.math_block, nodes.literal, nodes.literal_block, nodes.raw,
             nodes.comment, nodes.target, nodes.substitution_definition)


INLINE_DOLLARS = re.compile(r"\$([^$]+)\$")


def math_in_references(app, doctree, docname) -> None:
    """Typeset $...$ in reference-list entries (a BibTeX title such as "rate {$O(1/k^2)$}"):
    pybtex passes it through as text, so readers saw the dollars."""
    for citation in doctree.findall(nodes.citation):
        for text in list(citation.findall(nodes.Text)):
            parts = INLINE_DOLLARS.split(text.astext())
            if len(parts) == 1:
                continue
            new = [nodes.math(p, p) if i % 2 else nodes.Text(p) for i, p in enumerate(parts) if p]
            text.parent.replace(text, new)


def check_raw_tex(app, doctree, docname) -> None:
    for text in doctree.findall(nodes.Text):
        parent = text.parent
        if any(isinstance(a, NOT_PROSE) for a in _ancestors(parent)):
            continue
        found = RAW_TEX.search(text.astext())
        if found:
            s = text.astext()
            snippet = s[max(0, found.start() - 30): found.end() + 30].replace("\n", " ")
            logger.warning("TeX left outside math (a broken $...$?): %r", snippet,
                           location=parent, type="rnnlearn", subtype="raw_tex")


def _ancestors(node):
    while node is not None:
        yield node
        node = node.parent


# -- 8. chapter objectives -------------------------------------------------------------------------
OBJECTIVES_HEADING = re.compile(r"^#+[ \t]+Learning objectives[ \t]*$", re.M)
OBJECTIVES_LEAD = "After working through this chapter you will be able to:"


class ObjectivesNotFound(ValueError):
    """A chapter notebook that is missing, or has no learning-objectives list."""


def chapter_objectives(notebook: Path) -> list[str]:
    """The learning-objectives list of a chapter notebook, as MyST source lines.

    The list is the one after ``OBJECTIVES_LEAD`` in the markdown cell with the "Learning
    objectives" heading; it ends at the first line that is neither a bullet, an indented
    continuation, nor a blank line followed by either. Raises :class:`ObjectivesNotFound`.
    """
    if not notebook.is_file():
        raise ObjectivesNotFound(f"no chapter notebook {notebook}")
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        heading = OBJECTIVES_HEADING.search(source)
        if cell["cell_type"] != "markdown" or not heading:
            continue
        start = source.find(OBJECTIVES_LEAD, heading.end())
        if start == -1:
            raise ObjectivesNotFound(f"{notebook.name}: no {OBJECTIVES_LEAD!r} after the heading")
        lines = source[start + len(OBJECTIVES_LEAD):].splitlines()
        while lines and not lines[0].strip():
            lines.pop(0)
        items = []
        for i, line in enumerate(lines):
            bullet = line.startswith(("- ", "* "))
            continuation = bool(items) and line[:1] in (" ", "\t")
            blank_inside = not line.strip() and any(
                nxt.startswith(("- ", "* ", " ", "\t")) for nxt in lines[i + 1:i + 2])
            if not (bullet or continuation or blank_inside):
                break
            items.append(line)
        if not items or not items[0].startswith(("- ", "* ")):
            raise ObjectivesNotFound(f"{notebook.name}: no bullet list after {OBJECTIVES_LEAD!r}")
        return items
    raise ObjectivesNotFound(f"{notebook.name}: no markdown cell with a 'Learning objectives' heading")


class ChapterObjectives(SphinxDirective):
    """``{chapter-objectives} <chapter>``: the chapter's objectives list, parsed as MyST.

    ``<chapter>`` names a notebook as ``{doc}`` would, relative to the current page
    (``slopes`` from ``book/instructors.md`` reads ``book/slopes.ipynb``).
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        _, path = self.env.relfn2path(f"{name}.ipynb", self.env.docname)
        self.env.note_dependency(path)  # an edited chapter rebuilds this page
        try:
            lines = chapter_objectives(Path(path))
        except ObjectivesNotFound as err:
            logger.warning("chapter-objectives: %s", err, location=self.get_location(),
                           type="rnnlearn", subtype="objectives")
            return []
        box = nodes.container(classes=["rnnlearn-objectives", f"rnnlearn-objectives-{name}"])
        self.state.nested_parse(StringList(lines, source=str(path)), self.content_offset, box)
        return [box]


def setup(app):
    # In setup, not at import: a test that imports this module must not switch the explorers of
    # every later kernel of its process to static mode.
    os.environ["RNNLEARN_STATIC_EXPLORERS"] = "1"
    mathjax_source()  # fail at start, not after a long build
    register_author_year_labels()
    app.connect("config-inited", configure_theme)
    app.add_css_file("rnnlearn.css")
    app.add_js_file(None, body=PIN_LIGHT_MODE)
    app.add_js_file(None, body=NAME_COPY_BUTTONS)
    app.add_directive("chapter-objectives", ChapterObjectives)
    app.add_transform(ExplorerFigures)
    app.add_transform(KeepPunctuationWithMath)
    app.connect("doctree-resolved", math_in_references, priority=400)
    app.connect("doctree-resolved", check_raw_tex, priority=600)
    app.connect("html-page-context", dedupe_scripts, priority=900)  # after the themes add theirs
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", drop_unused_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
