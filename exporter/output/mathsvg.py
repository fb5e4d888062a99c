"""TeX -> inline SVG before layout, because WeasyPrint runs no JavaScript and draws no MathML.

MathJax 3 (the engine Anki uses) runs as one batched Node process per build when
`node` and `mathjax-full` are present; ziamath (pure Python) is the fallback. An
expression neither engine can draw comes back as an error, and the caller prints
its pylatexenc plain text instead. SVGs are cached on disk by (engine, TeX, display).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from exporter.output import mathengine
from exporter.output.latex_text import latex_to_text
from exporter.output.svgclean import clean_svg
from exporter.output.svgflat import flatten_svg

MATHJAX_SCRIPT = Path(__file__).with_name("mathjax_svg.js")
ENGINES = ("mathjax", "ziamath")

INLINE_MATH_RE = re.compile(r'<span class="math inline">\\\((.*?)\\\)</span>', re.DOTALL)
DISPLAY_MATH_RE = re.compile(r'<div class="math display">\\\[(.*?)\\\]</div>', re.DOTALL)

# Combining marks -> TeX text-mode accent macros: MathJax's SVG fonts have no "é".
_ACCENT_MACROS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~",
    "\u0304": "=", "\u0307": ".", "\u030c": "v", "\u0306": "u", "\u0327": "c",
}
_TEXT_COMMANDS = ("text", "textrm", "textit", "textbf", "textsf", "texttt", "textnormal", "mbox")
_TEXT_COMMAND_RE = re.compile(r"\\(" + "|".join(_TEXT_COMMANDS) + r")\s*\{")


@dataclass(frozen=True)
class MathResult:
    """One formula ready for the page: SVG markup, or an error and nothing to draw."""

    svg: str | None
    text: str
    """Plain text of the formula, for the invisible search layer or as the fallback."""
    error: str | None = None


def find_math(fragment: str) -> list[tuple[str, bool]]:
    """Every (TeX, display) pair in a rendered HTML fragment, TeX unescaped."""
    found = [(html.unescape(m.group(1)), False) for m in INLINE_MATH_RE.finditer(fragment)]
    found += [(html.unescape(m.group(1)), True) for m in DISPLAY_MATH_RE.finditer(fragment)]
    return found


def substitute_math(fragment: str, results: dict[tuple[str, bool], MathResult]) -> str:
    """Replace each math span of `fragment` with its SVG plus the invisible text layer."""

    def build(tex: str, display: bool) -> str:
        result = results[(tex, display)]
        kind = "display" if display else "inline"
        text = html.escape(result.text, quote=False)
        if result.svg is None:
            return f'<span class="math {kind} math-fallback">{text}</span>'
        return f'<span class="math {kind}">{result.svg}<span class="math-text">{text}</span></span>'

    fragment = INLINE_MATH_RE.sub(lambda m: build(html.unescape(m.group(1)), False), fragment)
    return DISPLAY_MATH_RE.sub(
        lambda m: f'<div class="math-block">{build(html.unescape(m.group(1)), True)}</div>', fragment
    )


def accents_to_macros(tex: str) -> str:
    """Rewrite accented letters inside `\\text{...}` to `\\'{e}` and friends, which MathJax can draw."""
    out: list[str] = []
    pos = 0
    for match in _TEXT_COMMAND_RE.finditer(tex):
        if match.start() < pos:
            continue  # nested inside a text group already rewritten
        out.append(tex[pos : match.end()])
        depth, i = 1, match.end()
        while i < len(tex) and depth:
            depth += {"{": 1, "}": -1}.get(tex[i], 0)
            i += 1
        body_end = i - 1 if depth == 0 else i
        out.append("".join(_accent_macro(ch) for ch in tex[match.end() : body_end]))
        pos = body_end
    out.append(tex[pos:])
    return "".join(out)


def _accent_macro(ch: str) -> str:
    if ch.isascii():
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not base.isascii() or not marks or any(m not in _ACCENT_MACROS for m in marks):
        return ch
    for mark in marks:
        base = f"\\{_ACCENT_MACROS[mark]}{{{base}}}"
    return base


_DRAWN: dict[tuple[str, str, bool], tuple[str | None, str | None]] = {}
"""(engine, TeX, display) -> (SVG, error) drawn by this process, failures included.

`draw_ahead` fills it before the sheets are laid out in forked worker processes, which
inherit it: one engine run per build, whatever the number of decks.
"""


CACHE_FORM = "flat1"
"""Part of every cache key: what a stored drawing already is. Entries of "flat1" were stored
sized, cleaned and with their glyphs folded into one path (`_sized`), so a read only checks
and cleans them again; the unflattened entries of earlier builds are not read (each formula
is drawn once more), instead of being flattened again at every read (2 ms a formula)."""


class MathRenderer:
    """Renders batches of formulas with one engine, with an on-disk cache."""

    def __init__(self, cache_dir: Path | None, engine: str = "auto", project_root: Path | None = None):
        self.node_modules = mathengine.find_mathjax(project_root)
        engine = mathengine.resolved_engine(engine, project_root)
        if engine not in ENGINES:
            raise ValueError(f"unknown math engine {engine!r}")
        if engine == "mathjax" and self.node_modules is None:
            raise ValueError("MathJax needs node and mathjax-full (run `npm ci`)")
        self.engine = engine
        self.cache_dir = cache_dir

    def render(self, items: Iterable[tuple[str, bool]]) -> dict[tuple[str, bool], MathResult]:
        """SVG for every distinct (TeX, display); the engine runs once for all cache misses."""
        wanted = list(dict.fromkeys(items))
        results: dict[tuple[str, bool], MathResult] = {}
        missing: list[tuple[str, bool]] = []
        for key in wanted:
            drawn_here = _DRAWN.get((self.engine, *key))
            if drawn_here is not None:
                results[key] = MathResult(drawn_here[0], latex_to_text(key[0]), drawn_here[1])
                continue
            cached = self._cache_get(key)
            if cached is not None:
                results[key] = MathResult(cached, latex_to_text(key[0]))
            else:
                missing.append(key)
        if missing:
            answers = self._mathjax(missing) if self.engine == "mathjax" else None
            drawn: list[tuple[str | None, str | None] | None] = (
                answers if answers is not None else [None] * len(missing))
            # MathJax could not run or answered nonsense: ziamath is better than plain text,
            # but its drawings are not remembered as MathJax's (the next build tries again).
            cacheable = [answer is not None or self.engine == "ziamath" for answer in drawn]
            fallback = [i for i, answer in enumerate(drawn) if answer is None]
            if fallback:  # ziamath's import alone is 0.16 s: not paid when MathJax drew everything
                for i, fallen in zip(fallback, self._ziamath([missing[i] for i in fallback])):
                    drawn[i] = fallen
            for key, answer, keep in zip(missing, drawn, cacheable):
                svg, error = answer if answer is not None else (None, "no drawing")
                if svg is not None and keep:  # the cache is per engine
                    self._cache_put(key, svg)
                if keep:
                    _DRAWN[(self.engine, *key)] = (svg, error)
                results[key] = MathResult(svg, latex_to_text(key[0]), error)
        return results

    def _cache_path(self, key: tuple[str, bool]) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(f"{self.engine}\0{CACHE_FORM}\0{int(key[1])}\0{key[0]}".encode()).hexdigest()
        return self.cache_dir / f"{digest}.svg"

    def _cache_get(self, key: tuple[str, bool]) -> str | None:
        """The cached SVG, or None; a damaged file (truncated, foreign) is a miss and is deleted."""
        path = self._cache_path(key)
        if path is None:
            return None
        try:
            svg = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            svg = None
        cleaned = clean_svg(svg) if svg is not None and is_svg(svg) else None
        if cleaned is not None:
            return cleaned  # stored as drawn for the page: sized, cleaned and flattened (CACHE_FORM)
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        return None

    def _cache_put(self, key: tuple[str, bool], svg: str) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(svg, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs speed

    def _mathjax(self, keys: list[tuple[str, bool]]) -> list[tuple[str | None, str | None] | None] | None:
        """(SVG, error) per formula, None for an unusable answer; None when Node failed or answered nonsense.

        Each answer is checked (an object with an SVG that parses, or an error string);
        the caller draws the unusable ones with ziamath; one warning names how many.
        """
        payload = json.dumps([{"tex": accents_to_macros(tex), "display": d} for tex, d in keys])
        env = {**os.environ, "NODE_PATH": str(self.node_modules)}
        remaining = mathengine.time_left()
        if remaining <= 0:
            print("math: MathJax's time for this build is used up; formulas drawn with ziamath", file=sys.stderr)
            return None
        try:
            proc = subprocess.run(
                ["node", *node_flags(len(keys)), str(MATHJAX_SCRIPT)], input=payload, capture_output=True,
                text=True, encoding="utf-8", env=env, timeout=remaining, check=True,
            )
            answers = json.loads(proc.stdout)
        except (OSError, subprocess.SubprocessError, ValueError, RecursionError) as exc:
            print(f"math: MathJax did not run ({str(exc)[:200]}); formulas drawn with ziamath", file=sys.stderr)
            return None
        if not isinstance(answers, list):
            print("math: MathJax answered something other than a list; formulas drawn with ziamath",
                  file=sys.stderr)
            return None
        out: list[tuple[str | None, str | None] | None] = [
            _checked_answer(answers[i] if i < len(answers) else None, display) for i, (_, display) in enumerate(keys)
        ]
        bad = sum(answer is None for answer in out)
        if bad:
            print(f"math: MathJax gave no usable answer for {bad} of {len(keys)} formulas; "
                  "those are drawn with ziamath", file=sys.stderr)
        return out

    def _ziamath(self, keys: list[tuple[str, bool]]) -> list[tuple[str | None, str | None]]:
        from ziamath.config import config
        from ziamath.zmath import Latex

        config.svg2 = False  # paths, not <symbol id=...> shared across the page
        size = 16.0
        out: list[tuple[str | None, str | None]] = []
        for tex, display in keys:
            try:
                math = Latex(tex, size=size)
                svg = math.svg()
            except Exception as exc:  # ziamath raises many types on bad TeX
                out.append((None, str(exc) or type(exc).__name__))
                continue
            try:
                out.append(_ziamath_svg(svg, size, display))
            except ValueError:
                out.append((None, "ziamath gave no usable drawing"))
        return out


NO_OPT_UP_TO = 500
"""Batches up to this many formulas run Node without its optimising compiler (`--no-opt`)."""


def node_flags(formulas: int) -> list[str]:
    """Node's flags for a batch of `formulas`: a short batch is over before optimised code pays.

    On the shipped sources' 52 formulas `--no-opt` costs 0.36 s of CPU against 0.47 s (the
    optimising compiler's work, in threads of its own, is never repaid; same SVG bytes); at
    1,040 formulas both take 2.4 s, and at 5,200 `--no-opt` is slower (10.4 s against 7.8 s).
    """
    return ["--no-opt"] if formulas <= NO_OPT_UP_TO else []


def is_svg(markup: str) -> bool:
    """True when `markup` is one whole, well-formed SVG element (not truncated, not something else)."""
    import xml.etree.ElementTree as ElementTree

    if not markup.lstrip().startswith("<svg") or not markup.rstrip().endswith("</svg>"):
        return False
    try:
        root = ElementTree.fromstring(markup)
    except (ElementTree.ParseError, ValueError, RecursionError):
        return False
    return root.tag.rsplit("}", 1)[-1] == "svg"


def _checked_answer(answer: object, display: bool) -> tuple[str | None, str | None] | None:
    """One MathJax answer as (SVG, error), or None when it is not a usable answer."""
    if not isinstance(answer, dict):
        return None
    svg, error = answer.get("svg"), answer.get("error")
    if isinstance(svg, str) and is_svg(svg):
        try:
            return _mathjax_svg(svg, display), None
        except ValueError:
            return None
    if svg is None and isinstance(error, str):
        return None, error or "MathJax error"
    return None


_ATTR_RE = re.compile(r'\s(?:data-[\w-]+|role|focusable)="[^"]*"')


def _mathjax_svg(svg: str, display: bool) -> str:
    """Move MathJax's ex sizes into CSS (WeasyPrint reads them there) and drop unused attributes."""
    svg = _ATTR_RE.sub("", svg)
    head_end = svg.index(">")
    head, rest = svg[:head_end], svg[head_end:]
    width = re.search(r'\swidth="([\d.]+)ex"', head)
    height = re.search(r'\sheight="([\d.]+)ex"', head)
    valign = re.search(r'vertical-align:\s*(-?[\d.]+)ex', head)
    head = re.sub(r'\s(?:width|height|style)="[^"]*"', "", head)
    w = float(width.group(1)) if width else 0.0
    h = float(height.group(1)) if height else 0.0
    v = float(valign.group(1)) if valign else 0.0
    return _sized(head, rest, w, h, v, "ex", display)


def _ziamath_svg(svg: str, size: float, display: bool) -> tuple[str | None, str | None]:
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    head_end = svg.index(">")
    head, rest = svg[:head_end], svg[head_end:]
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', head)
    if box is None:
        return None, "ziamath gave no viewBox"
    _, min_y, width, height = (float(g) for g in box.groups())
    if height > 8 * size:
        return None, "ziamath layout failed (formula taller than eight lines)"
    head = re.sub(r'\s(?:width|height)="[^"]*"', "", head)
    descent = min_y + height
    return _sized(head, rest, width / size, height / size, -descent / size, "em", display), None


def _sized(head: str, rest: str, width: float, height: float, valign: float, unit: str, display: bool) -> str:
    """One sizing rule for both engines: inline sits on the baseline, display shrinks to fit.

    The result is cleaned (`clean_svg`): what TeX asked for beyond drawing is gone; its
    glyphs are one path (`flatten_svg`), which WeasyPrint draws several times faster.
    """
    if display:
        # An explicit height: WeasyPrint does not derive it from the viewBox. If max-width
        # narrows a long formula, "meet" scales the drawing down inside the box, never clips it.
        style = f"width: {width:.3f}{unit}; max-width: 100%; height: {height:.3f}{unit}"
        svg = f'{head} class="math-svg" preserveAspectRatio="xMidYMid meet" style="{style}"{rest}'
    else:
        style = f"width: {width:.3f}{unit}; height: {height:.3f}{unit}; vertical-align: {valign:.3f}{unit}"
        svg = f'{head} class="math-svg" style="{style}"{rest}'
    cleaned = clean_svg(svg)
    if cleaned is None:
        raise ValueError("not an SVG drawing")
    return flatten_svg(cleaned)
