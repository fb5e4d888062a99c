"""TeX -> plain Unicode text, for the invisible search layer under math and for the fallback."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _converter() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def latex_to_text(tex: str) -> str:
    """What a reader would type to search for the formula: `\\alpha` -> `α`, layout dropped."""
    try:
        text = _converter().latex_to_text(tex)  # type: ignore[attr-defined]
    except Exception:  # pylatexenc raises on some malformed input; the source text still reads fine
        text = tex
    text = re.sub(r"\s+", " ", text).strip()
    return text or tex.strip()
