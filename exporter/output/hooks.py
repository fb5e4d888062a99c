"""One way to put our speed-ups of WeasyPrint in place of one of its functions.

Each hook (`leaders`, `markers`, `marginboxes`, `svgpath`) replaces one function that
WeasyPrint looks up at call time, and was compared with WeasyPrint's own result on the
versions it names: on any other version nothing is replaced. Installing twice wraps once;
the replacement's `__wrapped__` is WeasyPrint's function (the tests put it back with it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def install_hook(table: Any, name: str, wrap: Callable[[Any], Any], mark: str, versions: tuple[str, ...]) -> bool:
    """Put `wrap(original)` in place of `name` in `table` (a module, or a dict such as `svg.TAGS`),
    marked with the attribute `mark`; False (and nothing replaced) on a WeasyPrint version not in `versions`."""
    import weasyprint

    if not weasyprint.__version__.startswith(versions):
        return False
    in_dict = isinstance(table, dict)
    original = table[name] if in_dict else getattr(table, name)
    if getattr(original, mark, False):
        return True
    replacement = wrap(original)
    setattr(replacement, mark, True)
    replacement.__wrapped__ = original
    if in_dict:
        table[name] = replacement
    else:
        setattr(table, name, replacement)
    return True
