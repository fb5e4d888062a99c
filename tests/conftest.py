"""Process-wide state a test may change and must not hand on to the next one."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fresh_mathjax_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with a fresh MathJax time budget, and the one it sets is undone.

    A build stores its deadline in the environment (forked writers share it); a test
    that fakes the clock would otherwise leave a deadline months away to every later test.
    """
    monkeypatch.delenv("EXPORTER_MATHJAX_DEADLINE", raising=False)
