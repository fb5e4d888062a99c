"""Every regular expression of the package runs in linear time on 100 KB of adversarial text.

A pattern with nested or adjacent quantifiers over the same characters (`\\s*#*\\s*$`,
`[ \\t]*(?:...)`) backtracks quadratically or worse, and a single hostile line then
hangs the build. Each pattern is tried at 10 KB first, so a slow one fails in
seconds instead of running for minutes, then at 100 KB.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.hostile.regex_audit import adversarial, cached_patterns, package_patterns

PACKAGE = Path(__file__).resolve().parents[2] / "exporter"
SOURCES = list(PACKAGE.rglob("*.py"))


def _our_patterns() -> list[re.Pattern[str]]:
    """Module-level patterns of the audited modules, and inline ones whose text is in their source."""
    from exporter.build.pipeline import collect

    source = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    collect([PACKAGE.parent / "tests" / "fixtures"], PACKAGE.parent, use_lock=False)  # fills re's cache
    audited = package_patterns() | cached_patterns()
    return sorted((p for p in audited if p.pattern in source), key=lambda p: p.pattern)


def _time(pattern: re.Pattern[str], text: str) -> float:
    """CPU seconds of this process: other work on a shared machine does not make a pattern look slow."""
    start = time.process_time()
    for _ in pattern.finditer(text):
        pass
    pattern.match(text)
    return time.process_time() - start


@pytest.mark.slow
def test_every_pattern_is_linear() -> None:
    patterns = _our_patterns()
    assert len(patterns) > 15  # the audit found the package's patterns
    small, large = adversarial(10_000), adversarial(100_000)
    slow = []
    for pattern in patterns:
        times = []
        for index, text in enumerate(small):
            times.append((_time(pattern, text), index))
            if times[-1][0] > 0.2:
                break
        worst = sorted(times, reverse=True)[:5]
        if worst[0][0] > 0.2:
            slow.append(f"{pattern.pattern!r}: {worst[0][0]:.2f} s on 10 KB of {small[worst[0][1]][:30]!r}...")
            continue
        for _, index in worst:  # ten times the text: a linear pattern takes about ten times as long
            took = _time(pattern, large[index])
            if took > 0.5:
                slow.append(f"{pattern.pattern!r}: {took:.2f} s on 100 KB of {large[index][:30]!r}...")
                break
    assert slow == []
