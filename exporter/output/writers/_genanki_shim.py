"""Import genanki without asyncio or PyYAML: stand-ins for two of its dependencies, for the import only.

genanki takes `cached_property` from the package of that name, which imports asyncio (for
coroutine properties genanki never has): 16 ms of a 0.6 s one-answer rebuild, a third of
genanki's import. `functools.cached_property` does for genanki what that package does (a
value computed on first use, then kept in the instance's `__dict__`), so it stands in while
genanki is imported, and is removed at once: any later `import cached_property` gets the
real package. tests/writers/test_apkg_kinds.py checks the collection's bytes against
genanki's own notes, whose cards come from a cached property of the note type.

genanki also imports PyYAML (7 ms), which it uses only for note types whose fields or templates
are given as YAML text; ours are lists. Its stand-in imports the real module on first use, so a
note type of YAML text would still work.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any

_NAME = "cached_property"
_YAML = "yaml"


class _Deferred(types.ModuleType):
    """A module imported on first use of one of its attributes (once the stand-in left `sys.modules`)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


class Shim:
    """The stand-in modules while they are in `sys.modules` (none for a real module already there)."""

    def __init__(self, modules: list[types.ModuleType]) -> None:
        self.modules = modules

    def remove(self) -> None:
        for module in self.modules:
            if sys.modules.get(module.__name__) is module:
                del sys.modules[module.__name__]


def install() -> Shim:
    """Put the stand-ins in place, unless genanki or the real modules are already imported."""
    if "genanki" in sys.modules:
        return Shim([])
    modules: list[types.ModuleType] = []
    if _NAME not in sys.modules:
        module = types.ModuleType(_NAME, "functools.cached_property standing in while genanki is imported")
        module.cached_property = functools.cached_property  # type: ignore[attr-defined]
        modules.append(module)
    if _YAML not in sys.modules:
        modules.append(_Deferred(_YAML, "PyYAML, imported when genanki first uses it"))
    for module in modules:
        sys.modules[module.__name__] = module
    return Shim(modules)
