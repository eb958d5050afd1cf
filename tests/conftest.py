"""Shared fixtures: a seeded random generator, passed in like everywhere else in rnnlearn."""
import os

# one BLAS thread (unless the caller chose): on a shared 2-core machine a threaded OpenBLAS makes
# the reservoir tests several times slower, and the notebooks' kernels inherit it
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261121)


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    """Every document of the book in reading order, as _toc.yml lists it ("book/slopes", ...).

    Read with a pattern, not a YAML parser: the second test environment has no PyYAML.
    """
    import re

    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^root:\s*(\S+)", text, re.M) + re.findall(r"^\s*-?\s*file:\s*(\S+)", text, re.M)


#: The chapters (the notebooks of _toc.yml), in the book's order: "slopes", "descent", ...
CHAPTERS = [f.split("/")[-1] for f in toc_files() if (ROOT / f"{f}.ipynb").is_file()]


@pytest.fixture(scope="session")
def built_book():
    """Build the book once per test session, warnings as errors; returns the HTML folder and log.

    RNNLEARN_REUSE_BUILD=1 skips the build and uses the last one in _build/html (to iterate on the
    browser tests; the build-log tests then have no log to check). CI never sets it.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    html = ROOT / "_build" / "html"
    if os.environ.get("RNNLEARN_REUSE_BUILD") == "1":
        return html, "build succeeded (reused)"

    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=1800,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"book build failed:\n{log[-6000:]}"
    assert (html / "book" / "slopes.html").is_file(), log[-3000:]
    return html, log


@pytest.fixture(scope="module")
def server(built_book):
    """The built book served on 127.0.0.1 (for the browser and layout tests); yields its URL."""
    from book_browser import serve

    html, _ = built_book
    httpd, url = serve(html)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, driven by Playwright (imported here: the unit tests do without it)."""
    from book_browser import CHROMIUM, FLAGS
    from playwright import sync_api as playwright  # a missing browser stack fails, never skips

    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
