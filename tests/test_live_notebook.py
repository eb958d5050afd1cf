"""The live side of the explorers: a real JupyterLab, a real kernel, a real browser.

Starts JupyterLab on 127.0.0.1 in a temporary folder, opens a notebook that shows an explorer,
runs it, moves an ipywidgets slider with the keyboard and checks that the picture is redrawn by
the kernel (the image changes and no error is shown).
"""
import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from playwright import sync_api as playwright  # a missing browser stack fails, never skips
from book_browser import CHROMIUM, FLAGS  # noqa: E402

TOKEN = "rnnlearn-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "from rnnlearn.explorers import TangentExplorer\nTangentExplorer()"}
    nb = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
          "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    (root / "live.ipynb").write_text(json.dumps(nb))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--allow-root", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_live_widget_redraws_when_slider_moves(lab, tmp_path):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url or r.request.url.startswith(("data:", "blob:")) else r.abort())
        page.goto(f"{lab}/lab/tree/live.ipynb?token={TOKEN}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)  # kernel connected
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Shift+Enter")
        img = page.locator(".jp-OutputArea img.widget-image")
        img.wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelector('.jp-OutputArea img.widget-image').naturalWidth > 0")
        size = img.evaluate("i => [i.naturalWidth, i.naturalHeight, i.clientWidth, i.clientHeight]")
        assert size[:2] == size[2:], f"live image shown at {size[2:]}, rendered at {size[:2]}: not sharp"
        before = img.get_attribute("src")
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(10):
            handle.press("ArrowLeft")
        page.wait_for_function(
            "before => { const i = document.querySelector('.jp-OutputArea img.widget-image');"
            " return i && i.getAttribute('src') !== before; }",
            arg=before, timeout=30_000,
        )
        readout = page.locator(".widget-slider .widget-readout").first.inner_text()
        assert float(readout) < 3.0  # moved left from the default x = 3
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        page.screenshot(path=str(tmp_path / "lab.png"))
        browser.close()
