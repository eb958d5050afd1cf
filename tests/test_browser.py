"""A real browser on the built book: Debian's chromium driven by Playwright, offline.

Serves _build/html on 127.0.0.1, blocks and records every request to any other host, and checks on
every page of the build (each opened once, solutions unfolded) that nothing is requested from another
host, the console stays clean, every formula is typeset, every image loads and has alt text, and
every link into the book reaches a built file and an id in it; a full-page screenshot of each page
is saved to _build/screenshots/ (the artefact to look at). On every chapter: dragging each slider of
each static explorer changes the picture and its read-out; every control has an accessible name and
every slider works from the keyboard; a keyboard user reaches the first slider without tabbing
through the formulas. And the theme: light mode only, one search field, a favicon, icons without
the Font Awesome script; the search page finds a chapter offline. (Layout at phone and desktop
width is in test_layout.py.)
"""
import functools
import re
from urllib.parse import unquote, urlparse

import pytest

from book_browser import PAGES
from conftest import CHAPTERS as CHAPTER_NAMES

CHAPTERS = [f"book/{name}.html" for name in CHAPTER_NAMES]  # the pages with explorers
SITE = PAGES + ["genindex.html", "search.html", "index.html"]  # every page of the build
IDS = lambda p: p.split("/")[-1].removesuffix(".html")  # noqa: E731


def _recording_page(browser, **context_args):
    ctx = browser.new_context(**context_args)
    pg = ctx.new_page()
    pg.errors, pg.external, pg.requested = [], [], []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("requestfailed", lambda r: urlparse(r.url).hostname == "127.0.0.1" and pg.errors.append(f"failed: {r.url}"))
    pg.on("response", lambda r: r.status >= 400 and pg.errors.append(f"HTTP {r.status}: {r.url}"))

    def route(r):
        url = r.request.url
        if url.startswith("data:") or urlparse(url).hostname == "127.0.0.1":
            pg.requested.append(url)
            return r.continue_()
        pg.external.append(url)
        return r.abort()

    pg.route("**/*", route)
    return ctx, pg


@pytest.fixture
def page(browser, server):
    """A desktop page that records console errors and blocks (and records) every non-local request."""
    ctx, pg = _recording_page(browser, viewport={"width": 1280, "height": 1000})
    yield pg
    ctx.close()


def open_page(page, server, path):
    page.goto(f"{server}/{path}", wait_until="load")
    page.wait_for_function("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=20_000)
    page.evaluate("async () => { await MathJax.startup.promise; }")


def shot_name(path):
    """book/slopes.html -> book_slopes.jpg"""
    return path.replace("/", "_").removesuffix(".html") + ".jpg"


def _visit(browser, base, html, path, shots):
    """Open one page as a reader meets it: record what it requests and logs, its math, images and
    links, and save a full-page screenshot (the test artefact) into ``shots``."""
    ctx, pg = _recording_page(browser, viewport={"width": 1280, "height": 1000})
    try:
        pg.goto(f"{base}/{path}", wait_until="load")
        redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', (html / path).read_text())
        if redirect:  # the root page sends the reader on; check the page it arrives at
            pg.wait_for_url(f"**/{redirect.group(1)}", wait_until="load")
        if pg.locator("script[src*='mathjax']").count():
            pg.wait_for_function("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                                 timeout=20_000)
            pg.evaluate("async () => { await MathJax.startup.promise; }")
        pg.evaluate("async () => { await document.fonts.ready; }")
        # open every dropdown (solutions) so what it holds loads and is checked too
        pg.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        pg.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        pg.wait_for_load_state("networkidle")
        data = pg.evaluate(r"""async () => {
          const imgs = Array.from(document.images);
          await Promise.all(imgs.map(i => i.decode().catch(() => null)));
          return {
            url: location.href,
            math: document.querySelectorAll('.math').length,
            typeset: document.querySelectorAll('.math mjx-container').length,
            merror: document.querySelectorAll('mjx-merror').length,
            images: imgs.map(i => ({src: i.getAttribute('src').slice(0, 80), alt: i.getAttribute('alt'),
                                    loaded: i.complete && i.naturalWidth > 0})),
            links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
          };
        }""")
        pg.evaluate("window.scrollTo(0, 0)")
        shots.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(shots / shot_name(path)), full_page=True, type="jpeg", quality=80,
                      timeout=120_000)
    finally:
        ctx.close()
    data["errors"], data["external"] = pg.errors, pg.external
    return data


@pytest.fixture(scope="module")
def visit(browser, server, built_book):
    """visit(path): the record of one page of the built book (each page is opened once)."""
    html, _ = built_book
    shots, seen = html.parent / "screenshots", {}

    def get(path):
        if path not in seen:
            seen[path] = _visit(browser, server, html, path, shots)
        return seen[path]
    get.html, get.shots, get.server = html, shots, server
    return get


def built_pages(html):
    """Every HTML page of the build, as a path from its root (assets and sources left out)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if p.relative_to(html).parts[0] not in {"_static", "_sources", "_images"})


def test_every_built_page_is_covered(built_book):
    html, _ = built_book
    assert built_pages(html) == sorted(SITE), "a page of the build is missing from the browser checks"


def test_the_root_opens_the_intro(visit):
    assert visit("index.html")["url"].endswith("/book/intro.html")


@pytest.mark.parametrize("path", SITE, ids=IDS)
def test_page_is_offline_clean_typeset_and_screenshotted(visit, path):
    v = visit(path)
    assert v["external"] == [], f"external requests: {v['external']}"
    assert v["errors"] == [], f"console errors: {v['errors']}"
    assert v["typeset"] == v["math"], f"{v['math'] - v['typeset']} of {v['math']} formulas not typeset"
    assert v["merror"] == 0, "MathJax reported a TeX error"
    if path in CHAPTERS:
        assert v["math"] > 0
    shot = visit.shots / shot_name(path)
    assert shot.stat().st_size > 10_000, f"no screenshot of {path}"


@pytest.mark.parametrize("path", SITE, ids=IDS)
def test_every_image_loads_and_says_what_it_shows(visit, path):
    v = visit(path)
    broken = [i["src"] for i in v["images"] if not i["loaded"]]
    assert broken == [], f"images that did not load: {broken}"
    for i in v["images"]:
        alt = (i["alt"] or "").strip()
        # Sphinx falls back to the file name when a figure has no alt text
        assert alt and not re.search(r"\.(png|svg|jpe?g|gif)$", alt, re.I), f"{i['src']}: alt {alt!r}"


@pytest.mark.parametrize("path", SITE, ids=IDS)
def test_internal_links_resolve(visit, path):
    """Every link to the book itself points at a built file, and at an id that file has."""
    v, bad = visit(path), []
    for href in set(v["links"]):
        url = urlparse(href)
        if f"{url.scheme}://{url.netloc}" != visit.server:
            continue  # a link out of the book (a reference, the repository): never requested
        target = visit.html / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            bad.append(f"{href}: no such file")
        elif url.fragment and target.suffix == ".html" and url.fragment not in _ids(target):
            bad.append(f"{href}: no id {url.fragment!r} in {target.name}")
    assert bad == [], "broken internal links:\n" + "\n".join(sorted(bad))


@functools.lru_cache(maxsize=None)
def _ids(page):
    return set(re.findall(r'\b(?:id|name)="([^"]+)"', page.read_text(encoding="utf-8")))


def _drag(page, slider, towards_max: bool):
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    start, end = (0.4, 0.95) if towards_max else (0.6, 0.05)
    page.mouse.move(box["x"] + start * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + end * box["width"], y, steps=8)
    page.mouse.up()


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_dragging_every_slider_changes_the_frame(page, server, path):
    open_page(page, server, path)
    explorers = page.locator(".rnnlearn-explorer")
    assert explorers.count() >= 1, f"{path} has no static explorer"
    for i in range(explorers.count()):
        fig = explorers.nth(i)
        img = fig.locator("img")
        sliders = fig.locator("input[type=range]")
        assert sliders.count() >= 1
        for j in range(sliders.count()):
            slider = sliders.nth(j)
            out = slider.locator("xpath=following-sibling::output[1]")  # the read-out next to it
            slider.scroll_into_view_if_needed()
            before = img.get_attribute("src"), out.inner_text(), slider.input_value()
            alt = img.get_attribute("alt")
            # drag across the far half of the track from where the thumb now is
            towards_max = float(slider.input_value()) < float(slider.get_attribute("max")) / 2
            _drag(page, slider, towards_max)
            name = slider.get_attribute("aria-label")
            assert slider.input_value() != before[2], f"explorer {i}, {name!r}: the drag did not move the slider"
            assert img.get_attribute("src") != before[0], f"explorer {i}, {name!r}: slider moved, picture did not"
            assert out.inner_text() != before[1], f"explorer {i}, {name!r}: read-out did not change"
            assert slider.get_attribute("aria-valuetext") == out.inner_text(), (
                f"explorer {i}, {name!r}: aria-valuetext should say the value the read-out shows")
            assert img.get_attribute("alt") != alt, f"explorer {i}, {name!r}: alt text not updated"
        selects = fig.locator("select")  # dropdowns: another option shows another frame
        for j in range(selects.count()):
            select = selects.nth(j)
            before = img.get_attribute("src")
            options = select.locator("option").all_inner_texts()
            other = options[0] if select.input_value() != options[0] else options[-1]
            select.select_option(label=other)
            assert img.get_attribute("src") != before, f"explorer {i}: dropdown changed no frame"
    assert page.errors == [] and page.external == []


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_every_control_has_a_name_and_every_slider_works_from_the_keyboard(page, server, path):
    """Home/End jump to an end of the grid and an arrow key steps back: picture and read-out follow."""
    open_page(page, server, path)
    name_of = "el => (el.getAttribute('aria-label') || Array.from(el.labels || [], l => l.textContent).join(' ')).trim()"
    for control in page.locator(".rnnlearn-explorer select").all():
        assert control.evaluate(name_of), "a dropdown of an explorer has no accessible name"
    sliders = page.locator(".rnnlearn-explorer input[type=range]")
    assert sliders.count() >= 1
    for slider in sliders.all():
        name = slider.evaluate(name_of)
        assert name, "a slider has no accessible name"
        fig = slider.locator("xpath=ancestor::figure[contains(@class, 'rnnlearn-explorer')]")
        img, out = fig.locator("img"), slider.locator("xpath=following-sibling::output[1]")
        slider.focus()
        before = slider.input_value(), img.get_attribute("src"), out.inner_text()
        at_min = float(before[0]) <= float(slider.get_attribute("min"))
        key, back = ("End", "ArrowLeft") if at_min else ("Home", "ArrowRight")
        page.keyboard.press(key)
        after = slider.input_value(), img.get_attribute("src"), out.inner_text()
        assert all(a != b for a, b in zip(after, before)), f"{name!r}: {key} changed {before} to {after}"
        page.keyboard.press(back)
        assert slider.input_value() not in (after[0], ""), f"{name!r}: {back} did not step the slider"
        assert img.get_attribute("src") != after[1], f"{name!r}: {back} moved the slider, not the picture"
    assert page.errors == []


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_keyboard_reaches_the_first_slider_without_tabbing_through_formulas(page, server, path):
    """MathJax puts every formula in the Tab order unless told not to (hundreds of stops per page).

    What remains before the first slider are links, buttons, dropdown toggles and the boxes that
    scroll sideways (code, a too-wide equation: Chromium lets the keyboard scroll them).
    """
    open_page(page, server, path)
    assert page.locator("mjx-container[tabindex='0']").count() == 0, "formulas are in the Tab order"
    stops = page.evaluate("""() => {
      const first = document.querySelector('.rnnlearn-explorer input[type=range]');
      const before = el => el.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING;
      const shown = el => el.checkVisibility({visibilityProperty: true});
      const focusable = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
      const scrollers = Array.from(document.querySelectorAll('body *')).filter(el =>
        el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX));
      return new Set([...document.querySelectorAll(focusable), ...scrollers]
        .filter(el => before(el) && shown(el) && !el.disabled)).size;
    }""")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    presses, limit = 0, stops + 10
    while presses < limit:
        page.keyboard.press("Tab")
        presses += 1
        focused = page.evaluate("""(() => { const a = document.activeElement;
          return {tag: a.tagName, type: a.type || '', scrolls: a.scrollWidth > a.clientWidth + 1}; })()""")
        assert not (focused["tag"] == "MJX-CONTAINER" and not focused["scrolls"]), (
            f"Tab press {presses} landed on a formula")
        if focused["tag"] == "INPUT" and focused["type"] == "range":
            break
    else:
        pytest.fail(f"no slider after {limit} Tab presses ({stops} tab stops come before it)")
    print(f"{path}: first slider after {presses} Tab presses")


def test_light_mode_only_even_after_choosing_dark_elsewhere(browser, server):
    ctx, pg = _recording_page(browser, viewport={"width": 1280, "height": 900}, color_scheme="dark")
    pg.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    open_page(pg, server, "book/slopes.html")
    pg.wait_for_function("document.documentElement.dataset.theme === 'light'", timeout=5_000)
    assert pg.evaluate("document.documentElement.dataset.mode") == "light"
    assert not pg.locator(".theme-switch-button").first.is_visible(), "the colour-mode switch is still offered"
    ctx.close()


def test_one_search_field_and_icons_without_the_font_awesome_script(page, server):
    open_page(page, server, "book/slopes.html")
    visible = [b for b in page.locator(".search-button-field").all() if b.is_visible()]
    assert len(visible) == 1, f"{len(visible)} search fields on a desktop page"
    assert not any("fontawesome.js" in u for u in page.requested), "fontawesome.js is still loaded"
    # the theme's icons come from the Font Awesome webfont its CSS loads
    icon = page.locator(".article-header-buttons .fa-solid, .article-header-buttons .fas").first
    assert icon.count() == 1
    family = icon.evaluate("el => getComputedStyle(el, '::before').fontFamily")
    assert "Font Awesome" in family, family
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    unnamed = page.locator("button.copybtn:not([aria-label])").count()
    assert page.locator("button.copybtn").count() > 0 and unnamed == 0, f"{unnamed} copy buttons have no name"
    assert icon.bounding_box()["width"] > 0


def test_favicon(page, server):
    open_page(page, server, "book/intro.html")
    href = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert href, "no <link rel=icon>"
    response = page.request.get(re.sub(r"[^/]*$", "", page.url) + href)
    assert response.ok, f"favicon {href}: HTTP {response.status}"


def test_search_finds_the_chapters_offline(page, server):
    """The search page works from the build alone: its index loads, and a query lists chapters."""
    page.goto(f"{server}/search.html?q=momentum", wait_until="load")
    results = page.locator("ul.search li a")
    results.first.wait_for(timeout=20_000)
    found = {href.split("#")[0].split("?")[0] for href in
             results.evaluate_all("links => links.map(a => a.getAttribute('href'))")}
    assert "book/descent.html" in found, found  # the momentum chapter
    assert page.errors == [] and page.external == []
