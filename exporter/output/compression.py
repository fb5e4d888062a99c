"""PDF streams deflated at zlib's default level 6, not pydyf's level 9: same pages, less CPU.

pydyf (WeasyPrint's PDF writer) deflates every content stream and font at level 9. On a
sheet's page descriptions level 9 takes 4.5 times as long as level 6 for a file 3% smaller
(deep-learning.pdf: 0.12 s against 0.03 s), some 3% of laying out and writing a sheet. The
stream contents are the same bytes either way (deflate is lossless), so every page is drawn
the same. The hook swaps the `zlib` pydyf sees for one whose `compressobj` uses level 6;
it is installed only on the pydyf versions it was checked against (`CHECKED_VERSIONS`).
"""

from __future__ import annotations

import zlib
from typing import Any

CHECKED_VERSIONS = ("0.13.",)
LEVEL = 6


class _Zlib:
    """`zlib` as pydyf uses it, with `compressobj` at LEVEL whatever level pydyf asks for."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = LEVEL, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(LEVEL, *args, **kwargs)


def install() -> bool:
    """Point pydyf at `_Zlib`; False (and pydyf untouched) on an unchecked version."""
    import pydyf

    if not pydyf.__version__.startswith(CHECKED_VERSIONS):
        return False
    if not isinstance(pydyf.zlib, _Zlib):
        pydyf.zlib = _Zlib()
    return True
