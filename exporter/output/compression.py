"""PDF streams deflated at zlib level 4, not pydyf's level 9: same pages, less CPU.

pydyf (WeasyPrint's PDF writer) deflates every content stream and font at level 9. On a
sheet's page descriptions level 9 takes 4.5 times as long as level 6 for a file 3% smaller
(deep-learning.pdf: 0.12 s against 0.03 s), some 3% of laying out and writing a sheet; level
4 takes 0.066 s for the 6.3 MB of streams of the five shipped sheets against 0.153 s at level
6, for files 6% larger (the five sheets 797 KB against 750 KB; level 1 would save another
0.02 s for files 19% larger). The stream contents are the same bytes either way (deflate is
lossless), so every page is drawn the same. The hook swaps the `zlib` pydyf sees for one whose
`compressobj` uses LEVEL; it is installed only on the pydyf versions it was checked against
(`CHECKED_VERSIONS`).
"""

from __future__ import annotations

import zlib
from typing import Any

CHECKED_VERSIONS = ("0.13.",)
LEVEL = 4


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
