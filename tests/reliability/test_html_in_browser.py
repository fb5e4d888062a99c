"""The HTML preview opened in a real browser (headless Chromium): nothing in the notes runs or loads."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.reliability.harness import exporter

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MARK = "document.documentElement.dataset.pwned=1"
"""What an attack runs; no quotes, which Markdown's typographer would curl into a syntax error."""
ATTACKS = {
    "tooltip": f"$\\texttip{{x}}{{<script>{MARK}</script>}}$",
    "tooltip-display": f"$$\\texttip{{y}}{{<img src=x onerror=\"{MARK}\">}}$$",
    "href": "$\\href{javascript:" + MARK + "}{z}$",
    "external": "$\\href{https://example.com/}{w}$ and $\\style{background:url(https://example.com/x.png)}{v}$",
    "class": '$\\class{a" onload="' + MARK + '}{u}$',
    "raw-script": f"<script>{MARK}</script> text",
    "raw-handler": f'<img src="nothing.png" onerror="{MARK}"> <a href="javascript:{MARK}">link</a>',
    "raw-svg": f'<svg onload="{MARK}"><script>{MARK}</script></svg>',
}


def _project(tmp_path: Path) -> Path:
    notes = [f"## Q{i}. Attack {name}?\n\n**Réponse :** {body}\n" for i, (name, body) in enumerate(ATTACKS.items(), 1)]
    notes.append("## Q99. A real formula?\n\n**Réponse :** $\\frac{a}{b}$ stays drawn.\n")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "attacks.md").write_text("# Attacks\n\n" + "\n".join(notes), encoding="utf-8")
    return tmp_path


def test_the_page_has_no_script_handler_or_outside_url(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run = exporter(project, "build", "--no-lock", "--format", "html")
    assert run.returncode == 0, run.output
    page = (project / "dist" / "attacks.html").read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    assert "script" not in [tag for tag, _ in tags.found]
    attributes = [(name, value or "") for _, attrs in tags.found for name, value in attrs]
    assert [name for name, _ in attributes if name.startswith("on")] == []
    assert [v for n, v in attributes if n != "xmlns" and re.search(r"javascript:|https?:|url\(", v, re.IGNORECASE)] == []
    assert len([tag for tag, _ in tags.found if tag == "svg"]) >= 6  # the formulas are still drawn


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (make test installs it)")
def test_nothing_runs_in_a_browser(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert exporter(project, "build", "--no-lock", "--format", "html").returncode == 0
    page = project / "dist" / "attacks.html"
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert "Attack tooltip" in dom and "A real formula" in dom  # the page did load
    assert not re.search(r"<html[^>]*data-pwned", dom), dom[:300]
