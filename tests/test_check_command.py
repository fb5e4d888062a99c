"""`exporter check` and `exporter dump` as a user runs them: findings, summary, exit status."""

from __future__ import annotations

import json
from collections.abc import Iterator
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main

PROJECT = Path(__file__).resolve().parent.parent
FINDING = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+)?:? ?(?P<level>error|warning|info): .+ \[(?P<code>[a-z-]+)\]$")


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "sources").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(project: Path, name: str, text: str) -> None:
    (project / "sources" / name).write_text(text, encoding="utf-8")


def check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output.splitlines()


def test_clean_notes_pass_with_a_summary(project: Path) -> None:
    write(project, "a.md", "Question : Bio - Cells - What is ATP?\nAnswer : The energy currency.\n")
    code, lines = check()
    assert code == 0
    assert lines == ["1 files, 1 notes: 0 errors, 0 warnings, 0 infos; 100% of the text on cards"]


def test_an_error_anywhere_exits_1_and_every_file_is_still_read(project: Path) -> None:
    write(project, "bad.md", "Question : Bio - Cells - Show it\nAnswer : ![x](../../etc/passwd)\n")
    write(project, "good.md", "Question : Bio - Cells - What is ATP?\nAnswer : Energy.\n")
    code, lines = check()
    assert code == 1
    assert lines[0].startswith("sources/bad.md:2: error: ")
    assert lines[0].endswith("[forbidden-media]")
    assert lines[-1] == "2 files, 2 notes: 1 errors, 0 warnings, 0 infos; 100% of the text on cards"


def test_a_missing_path_is_a_finding_not_a_traceback(project: Path) -> None:
    code, lines = check("sources/nope.md")
    assert code == 1
    assert lines[0] == "sources/nope.md: error: no such file or folder [not-found]"


def test_dump_keeps_the_good_file_when_another_is_unknown(project: Path) -> None:
    write(project, "good.md", "Question : Bio - Cells - What is ATP?\nAnswer : Energy.\n")
    write(project, "notes.txt", "just some prose without any structure\n")
    result = CliRunner().invoke(main, ["dump"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [n["question"] for n in data["notes"]] == ["What is ATP?"]
    assert data["diagnostics"] == [
        {
            "path": "sources/notes.txt",
            "line": 0,
            "level": "warning",
            "code": "unknown-format",
            "message": "no card pattern recognises this file; skipped",
        }
    ]


def test_the_seeds_give_their_real_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PROJECT / "sources", tmp_path / "sources")
    monkeypatch.chdir(tmp_path)
    code, lines = check("sources")
    findings = [FINDING.match(line) for line in lines[:-1]]
    assert all(findings), [line for line, m in zip(lines, findings) if not m]
    found = {(m["path"].removeprefix("sources/"), int(m["line"] or 0), m["code"]) for m in findings if m}
    expected = {
        ("deep-learning-quiz-qa.md", 458, "duplicate"),
        ("deep-learning-quiz-qa.md", 629, "missing-media"),
        ("deep-learning-quiz-qa.md", 935, "missing-media"),
        ("deep-learning-quiz-qa.md", 984, "missing-media"),
        ("deep-learning-questions-de-cours.md", 100, "junk"),
        ("deep-learning-questions-de-cours.md", 165, "junk"),
        ("deep-learning-questions-de-cours.md", 232, "junk"),
        ("lesson-transfer-learning.md", 10, "mojibake"),
        ("lesson-transfer-learning.md", 32, "forbidden-media"),
        ("transfer-learning-open-questions.md", 5, "no-answer"),
    }
    assert expected <= found
    # The lesson's images climb out of the project (../../../../../translated_images): errors.
    assert code == 1
    keys = [(m["path"], int(m["line"] or 0)) for m in findings if m]
    assert keys == sorted(keys), "findings are sorted by file and line"
    assert lines[-1] == "5 files, 270 notes: 6 errors, 7 warnings, 24 infos; 98% of the text on cards"


def test_a_pattern_that_crashes_costs_only_its_own_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exporter.reading.claim import Claim, Reading
    from exporter.reading.patterns.question_headings import QuestionHeadings

    original = QuestionHeadings.claim

    def explode(self: QuestionHeadings, reading: Reading) -> Iterator[Claim]:
        if reading.doc.path.endswith("cours.md"):
            raise IndexError("list index out of range")
        return original(self, reading)

    monkeypatch.setattr(QuestionHeadings, "claim", explode)
    write(project, "cours.md", "# Cours\n\n### Q1. Une question ?\n**Réponse :** oui\n")
    write(project, "quiz.md", "Question : Bio - Cells - What is ATP?\nAnswer : Energy.\n")
    code, lines = check()
    assert code == 1
    assert lines[0].startswith("sources/cours.md: error: reading this file failed (IndexError")
    assert lines[-1] == "2 files, 1 notes: 1 errors, 0 warnings, 0 infos; 40% of the text on cards"
