"""The project root and its one lock, found from the paths given, wherever the command runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main
from exporter.project import find_project, relative_path

REPO = Path(__file__).resolve().parent.parent


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_exporter_toml_above_the_paths_is_the_root_and_the_lock_sits_beside_it(tmp_path: Path) -> None:
    touch(tmp_path / "exporter.toml")
    touch(tmp_path / "notes" / "sub" / "a.md")
    for given in ([tmp_path / "notes"], [tmp_path / "notes" / "sub"], [tmp_path / "notes" / "sub" / "a.md"]):
        project = find_project(given)
        assert (project.root, project.lock_path) == (tmp_path, tmp_path / "exporter.lock")
        assert project.settings == tmp_path / "exporter.toml"


def test_pyproject_counts_only_with_a_tool_exporter_table(tmp_path: Path) -> None:
    touch(tmp_path / "notes" / "a.md")
    touch(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_project([tmp_path / "notes"]).settings is None
    touch(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n[tool.exporter]\n")
    assert find_project([tmp_path / "notes"]).settings == tmp_path / "pyproject.toml"


def test_without_settings_the_lock_names_the_root(tmp_path: Path) -> None:
    touch(tmp_path / "project" / "sources" / "exporter.lock", "{}")
    touch(tmp_path / "project" / "sources" / "sub" / "a.md")
    for given in ("sources", "sources/sub", "sources/sub/a.md"):
        project = find_project([tmp_path / "project" / given])
        assert project.root == tmp_path / "project"
        assert project.lock_path == tmp_path / "project" / "sources" / "exporter.lock"


def test_without_settings_or_lock_the_root_is_the_common_parent(tmp_path: Path) -> None:
    touch(tmp_path / "notes" / "a.md")
    touch(tmp_path / "notes" / "b" / "c.md")
    project = find_project([tmp_path / "notes"])
    assert (project.root, project.lock_path) == (tmp_path, tmp_path / "notes" / "exporter.lock")
    both = find_project([tmp_path / "notes" / "a.md", tmp_path / "notes" / "b" / "c.md"])
    assert both == project


def test_a_stray_lock_below_the_project_lock_is_ignored_and_named(tmp_path: Path) -> None:
    touch(tmp_path / "sources" / "exporter.lock", "{}")
    touch(tmp_path / "sources" / "sub" / "exporter.lock", "{}")  # what older versions left
    project = find_project([tmp_path / "sources" / "sub"])
    assert project.lock_path == tmp_path / "sources" / "exporter.lock"
    assert project.ignored_locks == (tmp_path / "sources" / "sub" / "exporter.lock",)


def test_lock_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    touch(tmp_path / "exporter.lock", "{}")  # someone else's, above the repository
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    touch(tmp_path / "repo" / "notes" / "a.md")
    project = find_project([tmp_path / "repo" / "notes"])
    assert project.lock_path == tmp_path / "repo" / "notes" / "exporter.lock"


def test_relative_path_never_gives_an_absolute_path(tmp_path: Path) -> None:
    assert relative_path(tmp_path / "a" / "b.md", tmp_path) == "a/b.md"
    assert relative_path(Path("/elsewhere/secret.md"), tmp_path) == "secret.md"


def no_absolute_paths(value: object, where: str, roots: list[str]) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in no_absolute_paths(v, f"{where}.{k}", roots)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in no_absolute_paths(v, f"{where}[{i}]", roots)]
    if isinstance(value, str) and any(root in value for root in roots):
        return [where]
    return []


@pytest.mark.parametrize("run_from", ["project", "parent", "/"])
def test_dump_and_findings_are_the_same_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      run_from: str) -> None:
    project = tmp_path / "project"
    touch(project / "sources" / "a.md", "Question : Deck - What is $x$?\nAnswer : ![img](missing.png)\n")
    cwd = {"project": project, "parent": tmp_path, "/": Path("/")}[run_from]
    monkeypatch.chdir(cwd)
    given = os.path.relpath(project / "sources", cwd) if run_from != "/" else str(project / "sources")
    result = CliRunner().invoke(main, ["dump", given])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [n["source"] for n in data["notes"]] == [{"path": "sources/a.md", "line": 1}]
    assert {d["path"] for d in data["diagnostics"]} == {"sources/a.md"}
    assert no_absolute_paths(data, "dump", [str(tmp_path), "/tmp/"]) == []


def test_a_missing_path_is_reported_relative_to_where_it_was_asked(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "nosuch"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "nosuch: error: no such file or folder [not-found]"


def test_sub_folder_build_without_settings_uses_the_lock_above_and_keeps_guids(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "sources" / "top.md", "Question : Deck - Top - What is a cell?\nAnswer : A unit of life.\n")
    sub = touch(tmp_path / "sources" / "sub" / "b.md", "Question : Deck - Sub - What is DNA?\nAnswer : A molecule.\n")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build", "--format", "html", "sources"]).exit_code == 0
    lock = tmp_path / "sources" / "exporter.lock"
    before = {n["question"]: n["guid"] for n in json.loads(lock.read_text(encoding="utf-8"))["notes"]}
    sub.write_text("Question : Deck - Sub - What is DNA, in short?\nAnswer : A molecule.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--format", "html", "sources/sub"])
    assert result.exit_code == 0, result.output
    assert "Deck: 0 added, 1 updated, 0 removed" in result.output
    assert not (tmp_path / "sources" / "sub" / "exporter.lock").exists()
    after = {n["question"]: n["guid"] for n in json.loads(lock.read_text(encoding="utf-8"))["notes"]}
    assert after == {"What is a cell?": before["What is a cell?"], "What is DNA, in short?": before["What is DNA?"]}
