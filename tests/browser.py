"""Show Anki cards in headless Chromium as Anki does, and measure what runs off the screen.

Anki shows a card as `<body class="card card1">` (plus `nightMode night_mode` at night)
with the note type's CSS and MathJax 3 typesetting `\\(...\\)` and `\\[...\\]`. This page
does the same for many cards at once, waits for MathJax, then lists every element that
ends outside the screen without a scroll container around it, and every formula cut by
an ancestor that hides overflow. The list is written into the page, which Chromium's
`--dump-dom` prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = ROOT / "node_modules" / "mathjax-full" / "es5" / "tex-chtml-full.js"

# Anki's own MathJax settings (ts/mathjax/index.ts in Anki 2.1.50+): only \[...\] and \(...\),
# no escapes, environments or refs outside math, with noerrors, mathtools and mhchem.
ANKI_MATHJAX_CONFIG = """
window.MathJax = {
  tex: {
    displayMath: [["\\\\[", "\\\\]"]],
    processEscapes: false, processEnvironments: false, processRefs: false,
    packages: {"[+]": ["noerrors", "mathtools", "mhchem"], "[-]": ["textmacros"]},
  },
  startup: {typeset: false},
  options: {ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process"},
};
"""

CHECK_SCRIPT = """
function scroller(el) {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p).overflowX;
    if (s === "auto" || s === "scroll") return p;
  }
  return null;
}
function clipper(el) {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.overflowX === "hidden" || s.overflowX === "clip" || s.overflowY === "hidden") return p;
  }
  return null;
}
function check() {
  const width = document.documentElement.clientWidth;
  const problems = [];
  document.querySelectorAll(".case").forEach((card) => {
    const id = card.dataset.id;
    card.querySelectorAll("*").forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return;
      const own = getComputedStyle(el).overflowX;
      // text spilling out of its box (nowrap, long words) shows only in scrollWidth
      const right = own === "visible" ? Math.max(r.right, r.left + el.scrollWidth) : r.right;
      if (right > width + 1 || r.left < -1) {
        const s = scroller(el);
        const sr = s && s.getBoundingClientRect();
        if (!s || sr.right > width + 1 || sr.left < -1)
          problems.push({card: id, what: "overflow", el: el.tagName + "." + el.className, right: Math.round(right)});
      }
    });
    card.querySelectorAll("mjx-container").forEach((math) => {
      const box = math.getBoundingClientRect();
      const r = {left: box.left, top: box.top, bottom: box.bottom, right: Math.max(box.right, box.left + math.scrollWidth)};
      const c = clipper(math);
      if (c) {
        const cr = c.getBoundingClientRect();
        if (r.top < cr.top - 1 || r.bottom > cr.bottom + 1 || (getComputedStyle(c).overflowX !== "auto"
            && (r.left < cr.left - 1 || r.right > cr.right + 1)))
          problems.push({card: id, what: "formula clipped", el: math.textContent.slice(0, 40)});
      }
      const s = scroller(math);
      if (s && s.scrollWidth > s.clientWidth + 1 && getComputedStyle(s).overflowX === "hidden")
        problems.push({card: id, what: "formula clipped", el: math.textContent.slice(0, 40)});
    });
  });
  if (document.documentElement.scrollWidth > width + 1)
    problems.push({card: "page", what: "the page scrolls sideways", right: document.documentElement.scrollWidth});
  const formulas = document.querySelectorAll("mjx-container").length;
  const errors = document.querySelectorAll("mjx-merror").length;
  document.getElementById("result").textContent = JSON.stringify({problems, formulas, errors});
}
MathJax.startup.promise.then(() => MathJax.typesetPromise()).then(check,
  (e) => { document.getElementById("result").textContent = JSON.stringify({error: String(e)}); });
"""


def chromium() -> str | None:
    """The Chromium executable, if the set-up installed one (Debian names it `chromium`)."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def card_page(cards: list[str], css: str, night: bool) -> str:
    """One page holding every card (answer side, which includes the front), as Anki shows them."""
    body_class = "card card1" + (" nightMode night_mode" if night else "")
    cases = "\n".join(f'<div class="case" data-id="{i}">{card}</div><hr class="between">' for i, card in enumerate(cards))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>{css}</style>
<script>{ANKI_MATHJAX_CONFIG}</script>
<script src="{MATHJAX.as_uri()}"></script>
</head><body class="{body_class}">
{cases}
<pre id="result"></pre>
<script>{CHECK_SCRIPT}</script>
</body></html>"""


def measure(page: str, width: int, folder: Path, screenshot: Path | None = None) -> dict[str, object]:
    """Load `page` at `width` CSS pixels in headless Chromium; the check's JSON result."""
    exe = chromium()
    assert exe is not None, "chromium is not installed (make test installs it)"
    path = folder / f"cards-{width}.html"
    path.write_text(page, encoding="utf-8")
    args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
            "--hide-scrollbars", f"--window-size={width},900", "--virtual-time-budget=60000",
            "--run-all-compositor-stages-before-draw"]
    if screenshot is not None:
        subprocess.run([*args, f"--screenshot={screenshot}", path.as_uri()], capture_output=True, timeout=300)
    out = subprocess.run([*args, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=300).stdout
    found = re.search(r'<pre id="result">(.*?)</pre>', out, re.DOTALL)
    assert found and found.group(1), "the page's check did not run (MathJax did not finish?)"
    result: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return result
