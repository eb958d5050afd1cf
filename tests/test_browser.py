"""A real browser on the built book: Debian's chromium driven by Playwright, offline.

Serves _build/html on 127.0.0.1, blocks and records every request to any other host, and checks
that math is typeset, that dragging a static explorer's slider changes the picture, and that the
console stays clean.
"""
import functools
import http.server
import shutil
import threading
from urllib.parse import urlparse

import pytest

from playwright import sync_api as playwright  # a missing browser stack fails, never skips

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="module")
def server(built_book):
    html, _ = built_book
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A page that records console errors and blocks (and records) every non-local request."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = ctx.new_page()
    pg.errors, pg.external = [], []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith("data:") or host == "127.0.0.1":
            return r.continue_()
        pg.external.append(r.request.url)
        return r.abort()

    pg.route("**/*", route)
    yield pg
    ctx.close()


def open_page(page, server, path):
    page.goto(f"{server}/{path}", wait_until="load")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000)
    page.evaluate("MathJax.startup.promise")


@pytest.mark.parametrize("path", ["book/intro.html", "book/slopes.html"])
def test_math_renders_offline_without_errors(page, server, path):
    open_page(page, server, path)
    n_math = page.locator(".math").count()  # every math node Sphinx wrote...
    assert n_math > 0
    assert page.locator(".math mjx-container").count() == n_math  # ...is typeset by MathJax
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    assert page.external == [], f"external requests: {page.external}"
    assert page.errors == [], f"console errors: {page.errors}"


def test_dragging_a_static_explorer_changes_the_frame(page, server):
    open_page(page, server, "book/slopes.html")
    explorers = page.locator("figure.rnnlearn-explorer")
    assert explorers.count() >= 2
    for i in range(explorers.count()):
        fig = explorers.nth(i)
        slider, img = fig.locator("input[type=range]").first, fig.locator("img")
        fig.scroll_into_view_if_needed()
        before_src, before_out = img.get_attribute("src"), fig.locator("output").first.inner_text()
        box = slider.bounding_box()
        y = box["y"] + box["height"] / 2
        # drag across the far half of the track from where the thumb now is
        far_right = float(slider.input_value()) < float(slider.get_attribute("max")) / 2
        start, end = (0.6, 0.9) if far_right else (0.4, 0.1)
        page.mouse.move(box["x"] + start * box["width"], y)
        page.mouse.down()
        page.mouse.move(box["x"] + end * box["width"], y, steps=8)
        page.mouse.up()
        assert img.get_attribute("src") != before_src, f"explorer {i}: slider moved, picture did not"
        assert fig.locator("output").first.inner_text() != before_out
        assert img.get_attribute("alt")
    assert page.errors == [] and page.external == []
