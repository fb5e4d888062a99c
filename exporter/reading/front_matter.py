"""Where a file's YAML front matter ends: the `---` ... `---` metadata block on its first line.

Kept apart from the pattern that claims it (`patterns.front_matter`) because the
engine needs it too: metadata is not text a lesson is made of, so it counts neither
as text to put on cards nor as text a pattern read.
"""

from __future__ import annotations

import re
from typing import Sequence

_CLOSE = ("---", "...")
_YAML_LINE = re.compile(r"^(?:\s*$|\s*#|\s+\S|\s*-\s|[\w.-]+\s*:(?:\s|$))")


def front_matter_end(lines: Sequence[str]) -> int:
    """The 0-based line after the front matter's closing `---`/`...`, 0 when the file has none.

    Front matter opens on the very first line with `---`, and every line until the
    closing one is empty, a comment, a list item, indented, or `key:`.
    """
    if not lines or lines[0].rstrip() != "---":
        return 0
    for number in range(1, len(lines)):
        if lines[number].rstrip() in _CLOSE:
            return number + 1 if number > 1 else 0
        if not _YAML_LINE.match(lines[number]):
            return 0
    return 0
