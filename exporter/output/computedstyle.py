"""Computed values that need no computing taken in one step: inherited from the parent, or initial.

WeasyPrint computes an element's style lazily, one property at a time, in
`ComputedStyle.__missing__`: each of the 344,000 lookups on the five shipped sheets goes
through the whole general path (the cascaded value and its weight, the logical property
that may stand for it, `var()`, `calc()`, text decorations, named pages, a hyphenated copy of
the property's name), although most properties are set by no rule for most elements, and then
the value is simply the parent's (an inherited property) or the initial one: 12% of a sheet's
layout and drawing went through `__missing__`.

`fast_missing` takes those cases in one step (310,000 of the 344,000), with the results
WeasyPrint's own path gives for them: the parent's computed value when the property is
inherited (unless it is a math function, which WeasyPrint resolves again for the child), the
initial value when it is not inherited (computed for the element when WeasyPrint computes
it, as a border's width is 0 when its style is none). A physical property (`margin_left`)
counts as set when its logical one (`margin_inline_start`) is. Everything else (a property
some rule sets for the element, the root element, `float`, `display`, `position`, `page`,
text decorations, custom properties) goes to WeasyPrint: 3.90 s -> 3.73 s CPU for the five
shipped sheets in two workers, the same PDF bytes. tests/writers/test_computedstyle.py
compares every property of every element of a sheet with WeasyPrint's own.

The hook replaces one method of `weasyprint.css.ComputedStyle`, so it is installed only on
the versions it was checked against (`CHECKED_VERSIONS`).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from exporter.output.hooks import install_hook

CHECKED_VERSIONS = ("70.",)
_SPECIAL = frozenset({"float", "display", "position", "page"})
"""Properties whose `__missing__` has side effects or rules of its own in WeasyPrint."""


@functools.cache
def _fast_keys() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(inherited, initial, computed initial): the properties whose uncascaded value `fast_missing` takes itself.

    "Computed initial": not inherited, and their initial value is computed for the element
    (a border's width is 0 when its style is none).
    """
    from weasyprint.css.functions import check_math
    from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES

    def plain(key: str) -> bool:
        return (key not in _SPECIAL and not key.startswith(("__", "text_decoration_"))
                and not check_math(INITIAL_VALUES.get(key)))

    inherited = frozenset(key for key in INHERITED if plain(key))
    initial = frozenset(key for key in INITIAL_VALUES if plain(key) and key not in INHERITED)
    return inherited, initial - INITIAL_NOT_COMPUTED, initial & INITIAL_NOT_COMPUTED


def fast_missing(original: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    """`ComputedStyle.__missing__` (given as `original`) with the inherited and initial cases in one step."""
    from weasyprint.css.computed_values import COMPUTER_FUNCTIONS, PHYSICAL_FUNCTIONS
    from weasyprint.css.functions import check_math
    from weasyprint.css.properties import INITIAL_VALUES

    inherited, initial, computed_initial = _fast_keys()
    logical_names: dict[tuple[str, str], str] = {}

    def logical_name(key: str, direction: str) -> str:
        """The logical property that stands for physical `key` in `direction` (as WeasyPrint names it)."""
        name = logical_names.get((key, direction))
        if name is None:
            name = logical_names[key, direction] = PHYSICAL_FUNCTIONS[key](block="ttb", inline=direction)
        return name

    def __missing__(self: Any, key: str) -> Any:
        cascaded = self.cascaded
        if key not in cascaded and (key not in PHYSICAL_FUNCTIONS
                                    or logical_name(key, self["direction"]) not in cascaded):
            if key in inherited:
                parent = self.parent_style
                if parent is not None:
                    value = parent[key]
                    if not check_math(value):
                        self[key] = value
                        return value
            elif key in initial:
                value = self[key] = INITIAL_VALUES[key]
                return value
            elif key in computed_initial:
                value = INITIAL_VALUES[key]
                if key in COMPUTER_FUNCTIONS:
                    value = COMPUTER_FUNCTIONS[key](self, key, value)
                self[key] = value
                return value
        return original(self, key)

    return __missing__


def install() -> bool:
    """Hook `fast_missing` into WeasyPrint's computed styles; False (and no hook) on an unchecked version."""
    from weasyprint import css

    return install_hook(css.ComputedStyle, "__missing__", fast_missing, "takes_plain_values", CHECKED_VERSIONS)
