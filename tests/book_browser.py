"""A headless browser on the built book, shared by the browser tests and the layout report.

Debian's chromium (/usr/bin/chromium) driven by Playwright through ``executable_path``; pages are
served from the built HTML on 127.0.0.1 and every request to any other host is blocked and recorded.
``measure_page`` opens one page at one width (390 = a phone: is_mobile, touch, DPR 3; 1280 = a
desktop) and returns its layout offenders: display and inline math wider than its box (with the TeX
source), explorer read-outs cut off at any slider position, and sideways page scroll with the
elements that cause it. ``offender_lines`` formats them, one line each.
Run it as a script for a report on any build:
``python tests/book_browser.py [_build/html] [--widths 390]``.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

from conftest import toc_files

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = [f + ".html" for f in toc_files()]  # the book's pages, built

# Runs in the page once MathJax is done. Returns {kind: [offender, ...], ...}.
MEASURE_JS = r"""
async (opts) => {
  const TOL = 1.0;  // px of slack for sub-pixel rounding
  const out = {DISPLAY: [], INLINE: [], READOUT: [], EXPLORER: [], PAGE: []};
  const vw = document.documentElement.clientWidth;

  // 1. open every dropdown so hidden content gets a layout
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("button.toggle-button").forEach(b => {
    if (b.classList.contains("toggle-button-hidden")) b.click();
  });
  document.querySelectorAll(".dropdown .admonition-title, .dropdown.admonition").forEach(() => {});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));

  const describe = (el) => {
    if (!el || el.nodeType !== 1) return String(el);
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (typeof el.className === "string" ? el.className : "").trim().split(/\s+/)
      .filter(Boolean).slice(0, 3);
    if (cls.length) s += "." + cls.join(".");
    return s;
  };
  const where = (el) => {  // the nearest section heading above el, to find it in the notebook
    let sec = el.closest("section");
    while (sec) {
      const h = sec.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4");
      if (h) return h.textContent.replace(/#$/, "").replace(/\s+/g, " ").trim().slice(0, 60);
      sec = sec.parentElement && sec.parentElement.closest("section");
    }
    return "";
  };
  const inDropdown = (el) => !!el.closest("details, .dropdown, .toggle, .solution, .admonition");
  const hidden = (el) => { const r = el.getBoundingClientRect(); return r.width === 0 && r.height === 0; };
  // First ancestor (below <html>) that clips or scrolls horizontally and does not fully show el.
  const clippedBy = (el, from, rect) => {
    const r = rect || el.getBoundingClientRect();
    for (let a = (from || el.parentElement); a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === "visible") continue;
      const ar = a.getBoundingClientRect();
      const left = ar.left + parseFloat(cs.borderLeftWidth), right = ar.right - parseFloat(cs.borderRightWidth);
      const over = Math.max(r.right - right, left - r.left);
      if (over > TOL) return {by: a, over: Math.round(over), scrolls: cs.overflowX !== "hidden" && cs.overflowX !== "clip"};
      // a scroll container that shows el fully: nothing further up can clip less than it
    }
    return null;
  };

  // 2. math: TeX source of every typeset node
  const tex = new Map();
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) {
      if (item.typesetRoot) tex.set(item.typesetRoot, {tex: item.math, display: item.display});
    }
  }
  // only the page content: the off-canvas table of contents repeats headings that hold math
  const content = ["article.bd-article", "#main-content article", "main"]
    .map(sel => document.querySelector(sel)).find(Boolean) || document.body;
  const mathNodes = content.querySelectorAll("mjx-container");
  for (const c of mathNodes) {
    if (hidden(c)) continue;
    const info = tex.get(c) || {tex: c.textContent, display: c.getAttribute("display") === "true"};
    const target = c.querySelector(":scope > mjx-math, :scope > svg") || c;
    const clip = clippedBy(target);
    // a scroll box narrower than its content (a few px of italic overhang do not count)
    const scrolls = getComputedStyle(c).overflowX !== "visible";
    const own = scrolls && c.scrollWidth - c.clientWidth > 3 ? c.scrollWidth - c.clientWidth : 0;
    const over = Math.max(clip ? clip.over : 0, own);
    const tooWide = target.getBoundingClientRect().right > vw + TOL;
    if (over > TOL || tooWide) {
      const block = c.closest("div.math, span.math") || c;
      out[info.display ? "DISPLAY" : "INLINE"].push({
        tex: info.tex.trim().replace(/\s+/g, " "),
        over: over > TOL ? over : Math.round(target.getBoundingClientRect().right - vw),
        width: Math.round(target.getBoundingClientRect().width),
        box: clip ? Math.round(clip.by.getBoundingClientRect().width) : Math.round(c.clientWidth),
        by: clip ? describe(clip.by) : (tooWide ? "viewport" : describe(c)),
        id: block.id || "", section: where(c), dropdown: inDropdown(c),
      });
    }
  }

  // 3. explorers: every read-out at every slider position; the explorer against its column
  const figs = document.querySelectorAll("figure.rnnlearn-explorer");
  const settle = () => new Promise(r => requestAnimationFrame(() => r()));
  const checkReadouts = (fig, i, control, valueText) => {
    fig.querySelectorAll("output").forEach(o => {
      // the text itself, not the output box (which may be wider than the text it shows)
      const range = document.createRange();
      range.selectNodeContents(o);
      const r = range.getBoundingClientRect(), fr = fig.getBoundingClientRect();
      const clip = clippedBy(o, o.parentElement, r);
      const own = getComputedStyle(o).overflowX !== "visible" ? o.scrollWidth - o.clientWidth : 0;
      const outside = Math.max(r.right - fr.right, fr.left - r.left);
      const over = Math.max(clip ? clip.over : 0, own, outside);
      if (over > TOL) {
        const row = o.closest("label, .rx-row, div") || o.parentElement;
        const name = (row.querySelector(".rx-name") || row).textContent.trim().slice(0, 40);
        out.READOUT.push({explorer: i, readout: name, text: o.textContent, over: Math.round(over),
                          by: clip ? describe(clip.by) : (own > TOL ? "output itself" : "figure"),
                          moved: control, value: valueText, section: where(fig)});
      }
    });
  };
  for (let i = 0; i < figs.length; i++) {
    const fig = figs[i];
    if (hidden(fig)) continue;
    const clip = clippedBy(fig);
    const wide = fig.scrollWidth - fig.clientWidth;
    if (clip || wide > TOL) {
      out.EXPLORER.push({explorer: i, over: clip ? clip.over : wide, by: clip ? describe(clip.by) : "figure",
                         width: Math.round(fig.getBoundingClientRect().width), section: where(fig)});
    }
    checkReadouts(fig, i, "(initial)", "");
    if (!opts.sliders) continue;
    for (const input of fig.querySelectorAll("input[type=range], select")) {
      const name = input.getAttribute("aria-label") || input.name || "control";
      const orig = input.value;
      const values = input.tagName === "SELECT"
        ? Array.from(input.options).map(o => o.value)
        : (() => { const v = [], lo = +input.min || 0, hi = +(input.max || 100), st = +(input.step) || 1;
                   for (let x = lo; x <= hi + 1e-9; x += st) v.push(String(x)); return v; })();
      for (const v of values) {
        input.value = v;
        input.dispatchEvent(new Event("input", {bubbles: true}));
        input.dispatchEvent(new Event("change", {bubbles: true}));
        checkReadouts(fig, i, name, v);
      }
      input.value = orig;
      input.dispatchEvent(new Event("input", {bubbles: true}));
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }
    await settle();
  }
  // one entry per (explorer, read-out): every distinct text that was cut, and the worst overflow
  const grouped = new Map();
  for (const o of out.READOUT) {
    const k = o.explorer + "|" + o.readout;
    if (!grouped.has(k)) grouped.set(k, {...o, texts: [], over: 0});
    const g = grouped.get(k);
    if (!g.texts.includes(o.text)) g.texts.push(o.text);
    g.over = Math.max(g.over, o.over);
  }
  out.READOUT = Array.from(grouped.values());

  // 4. sideways page scroll, and what sticks out past the right edge
  const se = document.scrollingElement || document.documentElement;
  window.scrollTo(100000, window.scrollY);
  const scrolledX = window.scrollX;
  window.scrollTo(0, window.scrollY);
  const pageOver = Math.max(se.scrollWidth - se.clientWidth, scrolledX);
  if (pageOver > TOL) {
    const culprits = [], culpritEls = [];
    const isFixed = (el) => { for (let a = el; a; a = a.parentElement)
                                if (getComputedStyle(a).position === "fixed") return true; return false; };
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right <= vw + TOL || (r.width === 0 && r.height === 0)) continue;
      if (clippedBy(el) || isFixed(el)) continue;
      // outermost only: skip what sits inside an element already listed
      if (culpritEls.some(c => c.contains(el))) continue;
      culpritEls.push(el);
      culprits.push({el: describe(el), right: Math.round(r.right), over: Math.round(r.right - vw),
                     text: (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50),
                     section: where(el)});
    }
    out.PAGE.push({over: Math.round(pageOver), viewport: vw, culprits: culprits.slice(0, 12),
                   n_culprits: culprits.length});
  }
  out.counts = {math: mathNodes.length, mathSource: content.querySelectorAll(".math").length,
                explorers: figs.length,
                outputs: document.querySelectorAll("figure.rnnlearn-explorer output").length};
  return out;
}
"""


def serve(root: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}"


def context_for(browser, width: int):
    if width < 700:
        return browser.new_context(viewport={"width": width, "height": 844}, is_mobile=True,
                                   has_touch=True, device_scale_factor=3)
    return browser.new_context(viewport={"width": width, "height": 900})


def measure_page(browser, base: str, path: str, width: int, sliders=True, shots: Path | None = None):
    """Open one page at one width; returns the offender dict (plus CONSOLE and EXTERNAL lists)."""
    ctx = context_for(browser, width)
    page = ctx.new_page()
    errors, external = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        url = r.request.url
        if url.startswith("data:") or urlparse(url).hostname == "127.0.0.1":
            return r.continue_()
        external.append(url)
        return r.abort()

    page.route("**/*", route)
    try:
        page.goto(f"{base}/{path}", wait_until="load", timeout=60_000)
        if page.locator("script[src*='mathjax']").count():  # Sphinx loads it on pages with math
            page.wait_for_function("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                                   timeout=30_000)
            page.evaluate("async () => { await MathJax.startup.promise; }")
        page.evaluate("async () => { await document.fonts.ready; }")
        result = page.evaluate(MEASURE_JS, {"sliders": sliders})
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            stem = f"{width}_{path.replace('/', '_').removesuffix('.html')}"
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / f"{stem}_top.png"))
            page.screenshot(path=str(shots / f"{stem}.png"), full_page=True, scale="css", timeout=120_000)
    finally:
        ctx.close()
    result["CONSOLE"], result["EXTERNAL"] = errors, external
    return result


def offender_lines(result: dict) -> list[str]:
    """One readable line per offender."""
    lines = []
    for d in result["DISPLAY"]:
        lines.append(f"DISPLAY  +{d['over']}px (math {d['width']} in {d['box']}, by {d['by']})"
                     f"{' [in dropdown]' if d['dropdown'] else ''} §{d['section']!r}"
                     f"{' #' + d['id'] if d['id'] else ''}\n           {d['tex']}")
    for d in result["INLINE"]:
        lines.append(f"INLINE   +{d['over']}px (math {d['width']} in {d['box']}, by {d['by']})"
                     f"{' [in dropdown]' if d['dropdown'] else ''} §{d['section']!r}\n           {d['tex']}")
    for d in result["READOUT"]:
        texts = ", ".join(repr(t) for t in d["texts"][:8]) + (" ..." if len(d["texts"]) > 8 else "")
        lines.append(f"READOUT  explorer {d['explorer']} {d['readout']!r}: {len(d['texts'])} value(s) cut, "
                     f"up to +{d['over']}px, by {d['by']} §{d['section']!r}: {texts}")
    for d in result["EXPLORER"]:
        lines.append(f"EXPLORER explorer {d['explorer']} +{d['over']}px wider than {d['by']} §{d['section']!r}")
    for d in result["PAGE"]:
        lines.append(f"PAGE     document {d['over']}px wider than the {d['viewport']}px viewport; "
                     f"{d['n_culprits']} element(s) stick out:")
        for c in d["culprits"]:
            lines.append(f"           {c['el']} right={c['right']} (+{c['over']}) {c['text']!r} §{c['section']!r}")
    lines += [f"CONSOLE  {e}" for e in result["CONSOLE"]]
    lines += [f"EXTERNAL {u}" for u in result["EXTERNAL"]]
    return lines


def main(argv=None) -> int:
    """Print every layout offender of every page at each width; exit 1 if there are any."""
    import argparse

    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description="Layout offenders of the built book, per page and width.")
    ap.add_argument("html", nargs="?", default="_build/html", type=Path, help="built HTML folder")
    ap.add_argument("--pages", nargs="+", default=PAGES)
    ap.add_argument("--widths", nargs="+", type=int, default=[390, 1280])
    args = ap.parse_args(argv)
    if not (args.html / args.pages[0]).is_file():
        ap.error(f"{args.html / args.pages[0]} not found: build the book first")
    httpd, base = serve(args.html.resolve())
    offenders = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for path in args.pages:
                for width in args.widths:
                    lines = offender_lines(measure_page(browser, base, path, width))
                    offenders += len(lines)
                    print(f"== {path} @ {width} px: {len(lines)} offender line(s)")
                    print("\n".join("  " + line for line in lines), end="\n" if lines else "")
            browser.close()
    finally:
        httpd.shutdown()
    return 1 if offenders else 0


if __name__ == "__main__":
    raise SystemExit(main())
