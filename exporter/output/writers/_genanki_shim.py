"""Import genanki without asyncio: a stand-in for its `cached_property` dependency, for the import only.

genanki takes `cached_property` from the package of that name, which imports asyncio (for
coroutine properties genanki never has): 16 ms of a 0.6 s one-answer rebuild, a third of
genanki's import. `functools.cached_property` does for genanki what that package does (a
value computed on first use, then kept in the instance's `__dict__`), so it stands in while
genanki is imported, and is removed at once: any later `import cached_property` gets the
real package. tests/writers/test_apkg_kinds.py checks the collection's bytes against
genanki's own notes, whose cards come from a cached property of the note type.
"""

from __future__ import annotations

import functools
import sys
import types

_NAME = "cached_property"


class Shim:
    """The stand-in module while it is in `sys.modules` (None when the real package was already there)."""

    def __init__(self, module: types.ModuleType | None) -> None:
        self.module = module

    def remove(self) -> None:
        if self.module is not None and sys.modules.get(_NAME) is self.module:
            del sys.modules[_NAME]


def install() -> Shim:
    """Put the stand-in in place, unless genanki or the real package is already imported."""
    if "genanki" in sys.modules or _NAME in sys.modules:
        return Shim(None)
    module = types.ModuleType(_NAME, "functools.cached_property standing in while genanki is imported")
    module.cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules[_NAME] = module
    return Shim(module)
