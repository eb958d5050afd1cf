"""A real browser on the built book: Debian's chromium driven by Playwright, offline.

Serves _build/html on 127.0.0.1, blocks and records every request to any other host, and checks on
every page that math is typeset and the console stays clean; on every chapter, that dragging each
slider of each static explorer changes the picture and its read-out, and that a keyboard user
reaches the first slider without tabbing through the formulas; and the theme: light mode only, one
search field, a favicon, icons without the Font Awesome script. (Layout at phone and desktop width
is in test_layout.py.)
"""
import re
from urllib.parse import urlparse

import pytest

from book_browser import PAGES

CHAPTERS = [p for p in PAGES if not p.endswith("intro.html")]  # the pages with explorers
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


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_math_renders_offline_without_errors(page, server, path):
    open_page(page, server, path)
    n_math = page.locator(".math").count()  # every math node Sphinx wrote...
    assert n_math > 0
    assert page.locator(".math mjx-container").count() == n_math  # ...is typeset by MathJax
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy assets, if any
    page.wait_for_timeout(200)
    assert page.external == [], f"external requests: {page.external}"
    assert page.errors == [], f"console errors: {page.errors}"


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
