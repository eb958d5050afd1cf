"""Browser benchmark of the live explorers: key press -> new picture painted, in JupyterLab.

Starts JupyterLab (127.0.0.1, a free port, a token) on a temporary folder holding a generated
notebook with one cell per registered explorer (``from rnnlearn.explorers import X; X()``), opens
it in headless Chromium (Debian's /usr/bin/chromium through Playwright, as tests/book_browser.py),
runs every cell and waits for each explorer's widget view. Then, for each explorer and each of its
controls in turn (sliders: ArrowRight/ArrowLeft on the slider handle; toggle buttons: Enter on the
next button; dropdowns: End/Home on the <select>, i.e. last <-> first option, as JupyterLab takes
the arrow keys of a collapsed <select> for its own shortcuts: ipywidgets issue 3912), it presses a
key N times and measures, in the page, performance.now() at the keydown -> the explorer's <img>
gets a new src (MutationObserver) -> the image is decoded (img.decode()) -> two
requestAnimationFrame later (approximately: painted). Each press waits for its picture, and the
kernel for idle, before the next one (no queued presses); a press that brings no new picture
within --timeout seconds is counted as a miss, not timed. The first --warmup presses of each
control are not counted.
Controls are found in the DOM (ipywidgets classes), not through Python handles, so the benchmark
runs on any explorer framework whose widget is ipywidgets controls + an Image.

Prints p50 / p90 / n per explorer (all its controls pooled) and per control, the median time to
the src change (kernel round trip) and the load average. Issue 7 goal: p50 <= 100 ms per Part I
explorer. --floor adds a bare IntSlider -> Image cell (what any framework pays on this machine);
--interact adds ipywidgets.interact re-plotting each explorer's figure from scratch.

Run: python benchmarks/browser.py [--explorers TangentExplorer,RaceExplorer] [--presses 25]
     [--floor] [--interact] [--first-control-only]
     [--pythonpath /tmp/before]   (DIR first on the kernel's sys.path: measure another checkout)
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from book_browser import CHROMIUM, FLAGS  # noqa: E402

TOKEN = "rnnlearn-bench"
CELLS = ".jp-Notebook .jp-Cell"
STDERR = "[data-mime-type='application/vnd.jupyter.stderr']"
CONTROLS = ".widget-slider .noUi-handle, .widget-toggle-buttons, .widget-dropdown select"

# In the page: __bench.arm(root) times the next keydown -> <img> under root gets a new src ->
# decoded -> 2 rAF; the result lands in window.__st.
BENCH_JS = r"""
window.__bench = {
  arm(root) {
    const st = window.__st = {t0: null, tm: null, t1: null, done: false};
    window.addEventListener("keydown", () => { st.t0 = performance.now(); },
                            {capture: true, once: true});
    const obs = new MutationObserver(async (muts) => {
      let img = null;
      for (const m of muts) {
        if (m.type === "attributes" && m.target.tagName === "IMG") img = m.target;
        for (const n of m.addedNodes || []) {
          if (n.nodeType === 1) img = n.tagName === "IMG" ? n : (n.querySelector("img") || img);
        }
      }
      if (!img || st.t0 === null) return;
      obs.disconnect();
      st.tm = performance.now();
      try { await img.decode(); } catch (e) { st.err = String(e); }
      st.td = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        st.t1 = performance.now(); st.done = true;
      }));
    });
    obs.observe(root, {subtree: true, childList: true, attributes: true, attributeFilter: ["src"]});
    st.cancel = () => obs.disconnect();
  },
};
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kernel_env(pythonpath: str | None) -> dict:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    return env


def registered(env: dict, cwd: Path) -> list[str]:
    """The registry's names as the kernel sees them (run in ``cwd``: no checkout shadows it)."""
    code = "from rnnlearn.explorers import REGISTRY; print(' '.join(sorted(REGISTRY)))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True,
                         text=True)
    if out.returncode:
        raise RuntimeError("cannot list the explorers:\n" + out.stderr)
    return out.stdout.split()


# --interact: the same figure re-plotted from scratch by ipywidgets.interact on every change (a new
# explorer computed, drawn and shown inline). Uses the old framework's API (6cf5d8c):
# ``X(**values).fig`` and ``control.widget(value)``.
INTERACT = """%matplotlib inline
import ipywidgets, matplotlib.pyplot as plt
from IPython.display import display
from rnnlearn.explorers import {n}
def replot(**values):
    fig = {n}(**values).fig
    display(fig)
    plt.close(fig)
ipywidgets.interact(replot, **{{c.name: c.widget({n}().values[c.name]) for c in {n}.controls}});"""


# --floor: the same round trip with no explorer (an IntSlider -> a one-colour 600x368 PNG made by
# PIL): what JupyterLab, the kernel and the browser cost on this machine whatever the framework.
FLOOR_NAME = "floor (IntSlider -> plain PNG)"
FLOOR = """import io, ipywidgets
from PIL import Image
def png(i):
    buf = io.BytesIO()
    Image.new("RGB", (600, 368), (20 * i, 90, 160)).save(buf, "png")
    return buf.getvalue()
slider = ipywidgets.IntSlider(value=5, min=0, max=10, description="floor")
image = ipywidgets.Image(value=png(5), format="png")
slider.observe(lambda change: setattr(image, "value", png(change["new"])), "value")
ipywidgets.VBox([slider, image])"""


def source(name: str) -> str:
    """The cell that shows ``name``: an explorer, its interact version, or the floor."""
    if name == FLOOR_NAME:
        return FLOOR
    if name.endswith(" (interact)"):
        return INTERACT.format(n=name[:-len(" (interact)")])
    return f"from rnnlearn.explorers import {name}\n{name}()"


def write_notebook(root: Path, names: list[str]) -> None:
    def cell(src):
        return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": src}
    cells = [cell("import rnnlearn, sys\nprint(rnnlearn.__file__, sys.version.split()[0])")]
    cells += [cell(source(n)) for n in names]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python",
          "display_name": "Python 3"}}, "nbformat": 4, "nbformat_minor": 5}
    (root / "bench.ipynb").write_text(json.dumps(nb))
    # every cell attached to the DOM (no windowing), so each explorer renders like the first
    tracker = root / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    tracker /= "tracker.jupyterlab-settings"
    tracker.write_text(json.dumps({"windowingMode": "none"}))


def start_lab(root: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(root / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={root / 'settings'}",
         f"--LabApp.workspaces_dir={root / 'workspaces'}", "--allow-root", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    stop_lab(proc, url)
    raise RuntimeError(f"JupyterLab did not start; see {root / 'lab.log'}")


def stop_lab(proc: subprocess.Popen, url: str) -> None:
    """Shut the kernels down through the API, then the server (our own child, by its pid)."""
    try:
        with urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}", timeout=5) as r:
            for k in json.load(r):
                req = urllib.request.Request(f"{url}/api/kernels/{k['id']}?token={TOKEN}",
                                             method="DELETE")
                urllib.request.urlopen(req, timeout=10)
    except OSError:
        pass
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def control_info(ctl) -> dict:
    """Kind, label and state of one control element (a slider handle, toggle group or select)."""
    return ctl.evaluate("""el => {
      const box = el.closest('.widget-slider, .widget-toggle-buttons, .widget-dropdown');
      const lab = box && box.querySelector('.widget-label');
      const label = lab ? lab.textContent.trim() : '';
      if (el.classList.contains('noUi-handle')) return {kind: 'slider', label,
        now: +el.getAttribute('aria-valuenow'), min: +el.getAttribute('aria-valuemin'),
        max: +el.getAttribute('aria-valuemax')};
      if (el.tagName === 'SELECT') return {kind: 'dropdown', label, now: el.selectedIndex,
        min: 0, max: el.options.length - 1};
      const b = [...el.querySelectorAll('button')];
      return {kind: 'toggle', label, now: b.findIndex(x => x.classList.contains('mod-active')),
        min: 0, max: b.length - 1};
    }""")


def press(page, root, ctl, direction: int, timeout: float) -> tuple[int, dict | None]:
    """One measured press in ``direction`` (+1/-1, flipped at either end). Returns the direction
    used and the timings (None when no new picture came within ``timeout`` seconds)."""
    info = control_info(ctl)
    if info["max"] <= info["min"]:
        return direction, None
    if info["now"] >= info["max"] if direction > 0 else info["now"] <= info["min"]:
        direction = -direction
    if info["kind"] == "toggle":
        target, key = ctl.locator("button").nth(info["now"] + direction), "Enter"
    else:
        target = ctl
        key = {"slider": ("ArrowRight", "ArrowLeft"),
               "dropdown": ("End", "Home")}[info["kind"]][direction < 0]
    target.focus()
    page.evaluate("root => __bench.arm(root)", root)
    page.keyboard.press(key)
    try:
        page.wait_for_function("() => window.__st.done", timeout=timeout * 1000, polling=10)
    except Exception:  # playwright TimeoutError: this press brought no new picture
        page.evaluate("() => window.__st.cancel()")
        return direction, None
    st = page.evaluate("() => ({t0: __st.t0, tm: __st.tm, td: __st.td, t1: __st.t1})")
    page.get_by_text("| Idle").first.wait_for(timeout=timeout * 1000)  # kernel done with it
    return direction, {"total": st["t1"] - st["t0"], "src": st["tm"] - st["t0"],
                       "decode": st["td"] - st["tm"]}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def row(name: str, times: list[dict], misses: int) -> str:
    if not times:
        return f"{name:34} {0:4d}      -       -        -        -  {misses:6d}"
    tot = [t["total"] for t in times]
    src, dec = (statistics.median(t[k] for t in times) for k in ("src", "decode"))
    return (f"{name:34} {len(tot):4d} {statistics.median(tot):7.1f} {pct(tot, 0.9):7.1f}"
            f" {src:8.1f} {dec:8.1f}  {misses:6d}")


def bench_cell(page, cell, name: str, args) -> None:
    """Wait for one cell's explorer, press each of its controls, print its rows."""
    out = cell.locator(".jp-Cell-outputArea")
    out.locator(f"img, {STDERR}").first.wait_for(timeout=args.timeout * 60_000)
    if out.locator(STDERR).count():
        print(f"{name}: error\n" + out.inner_text()[-2000:])
        return
    root = out.element_handle()
    out.locator("img").first.scroll_into_view_if_needed()
    page.get_by_text("| Idle").first.wait_for(timeout=args.timeout * 60_000)
    controls = out.locator(CONTROLS)
    pooled, lines, missed = [], [], 0
    for c in range(controls.count() if args.all_controls else min(1, controls.count())):
        ctl = controls.nth(c)
        info = control_info(ctl)
        times, misses, direction = [], 0, 1
        for k in range(args.warmup + args.presses):
            direction, t = press(page, root, ctl, direction, args.timeout)
            if k >= args.warmup and t is None:
                misses += 1
            elif k >= args.warmup:
                times.append(t)
        pooled += times
        missed += misses
        lines.append(row(f"  {info['kind']} {info['label'][:22]}", times, misses))
    if out.locator(STDERR).count():
        lines.append("  ERROR shown: " + out.locator(STDERR).first.inner_text()[-500:])
    print(row(name, pooled, missed))
    print("\n".join(lines), flush=True)


def bench(url: str, names: list[str], args) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                (url, "data:", "blob:")) else r.abort())
            page.goto(f"{url}/lab/tree/bench.ipynb?token={TOKEN}")
            page.locator(CELLS).first.wait_for(timeout=120_000)
            page.get_by_text("| Idle").first.wait_for(timeout=120_000)  # kernel connected
            page.add_script_tag(content=BENCH_JS)
            page.locator(CELLS).first.click()
            for _ in range(len(names) + 1):
                page.keyboard.press("Shift+Enter")
            out = page.locator(CELLS).first.locator(".jp-OutputArea-output")
            out.first.wait_for(timeout=120_000)
            print("kernel imports rnnlearn from:", out.first.inner_text().strip())
            print(f"{'explorer / control':34} {'n':>4} {'p50 ms':>7} {'p90 ms':>7}"
                  f" {'src p50':>8} {'dec p50':>8}  {'misses':>6}")
            for i, name in enumerate(names, start=1):
                bench_cell(page, page.locator(CELLS).nth(i), name, args)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--explorers", help="comma-separated class names (default: all registered)")
    ap.add_argument("--presses", type=int, default=25, help="measured presses per control")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured presses per control first")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one picture")
    ap.add_argument("--first-control-only", dest="all_controls", action="store_false",
                    help="press only each explorer's first control")
    ap.add_argument("--floor", action="store_true",
                    help="also time a bare IntSlider -> Image round trip (no explorer)")
    ap.add_argument("--pythonpath", help="put DIR first on the kernel's PYTHONPATH")
    ap.add_argument("--interact", action="store_true",
                    help="also time ipywidgets.interact re-plotting each explorer's figure "
                         "(old framework API: use with --pythonpath /tmp/before)")
    args = ap.parse_args()
    env = kernel_env(args.pythonpath)

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="rnnlearn-browser-") as tmp:
        root = Path(tmp)
        names = args.explorers.split(",") if args.explorers else registered(env, root)
        if args.interact:
            names = [m for n in names for m in (n, f"{n} (interact)")]
        if args.floor:
            names.append(FLOOR_NAME)
        write_notebook(root, names)
        proc, url = start_lab(root, env)
        try:
            bench(url, names, args)
        finally:
            stop_lab(proc, url)
    print(f"load average at end:   {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("p50/p90: keydown -> new <img> src -> decoded -> 2 rAF; src p50: keydown -> new src;"
          " dec p50: new src -> decoded")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # server and browser are already shut down by the finally blocks
        sys.exit("interrupted")
