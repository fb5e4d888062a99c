"""tinyhtml5 (WeasyPrint's HTML parser) made to keep the regular expressions it means to keep.

`HTMLUnicodeInputStream.chars_until` caches the expression for each set of stop characters
in `characters_until_regex`, but stores it as `characters = cache[(characters, opposite)] =
regex`: Python assigns `characters` first, so the entry goes under the compiled expression,
never under the key it is looked up by. Every call (14,000 on the five shipped sheets, one per
run of text or attribute value; the formulas' long paths are attribute values) builds the
expression's text again and looks it up in `re`'s cache.

`install` puts a dict in its place whose missing keys build the expression exactly as
`chars_until` does and keep it under the key looked up: the same expressions, so the same
parse, made once. Installed only on the tinyhtml5 versions it was checked against.
"""

from __future__ import annotations

import re
from typing import Any

CHECKED_VERSIONS = ("2.1.",)


class RegexCache(dict[tuple[Any, bool], "re.Pattern[str]"]):
    """`characters_until_regex` that fills itself under the key `chars_until` looks up."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        # tinyhtml5's own construction, character for character (inputstream.chars_until)
        regex = "".join([f"\\x{ord(character):02x}" for character in characters])
        if not opposite:
            regex = f"^{regex}"
        compiled = self[key] = re.compile(f"[{regex}]+")
        return compiled


def install() -> bool:
    """Give tinyhtml5 a `RegexCache`; False (and tinyhtml5 untouched) on an unchecked version."""
    import tinyhtml5
    from tinyhtml5 import inputstream

    if not isinstance(inputstream.characters_until_regex, RegexCache):
        if not tinyhtml5.__version__.startswith(CHECKED_VERSIONS):
            return False
        inputstream.characters_until_regex = RegexCache()
    return True
