"""YAML front matter: the `---` ... `---` block of metadata at the top of a file.

    ---
    date: 2023-03-12
    tags:
      - spaced_repetition
    ---
    # Spaced repetition

Obsidian, Jekyll and Hugo notes start with it. CommonMark reads it as a rule and a
paragraph (or an underlined heading), so without this pattern the metadata ended on
the file's first section card. The block is claimed with no note: it is settings for
other tools, not text to learn (`exporter.reading.front_matter` says where it ends).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from exporter.reading.claim import Claim, Reading
from exporter.reading.front_matter import front_matter_end


class FrontMatter:
    name: ClassVar[str] = "front-matter"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        end = front_matter_end(reading.doc.lines)
        if end and reading.free(0, end):
            yield Claim.of(0, end)
