"""TeX -> plain Unicode text, for the invisible search layer under math and for the fallback."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _converter() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


@lru_cache(maxsize=8192)
def latex_to_text(tex: str) -> str:
    """What a reader would type to search for the formula: `\\alpha` -> `α`, layout dropped.

    Remembered: each sheet asks again for every formula the build drew ahead (1.3 ms each
    through pylatexenc), and forked sheet writers inherit what the parent computed.
    """
    try:
        text = _converter().latex_to_text(tex)  # type: ignore[attr-defined]
    except Exception:  # pylatexenc raises on some malformed input; the source text still reads fine
        text = tex
    text = re.sub(r"\s+", " ", text).strip()
    return text or tex.strip()
