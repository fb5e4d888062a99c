"""Only the project's own images, audio and video ever travel in a deck or beside the HTML preview."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from tests.reliability.harness import exporter

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

REFUSED = {
    "key": "![x](../.ssh/id_rsa)",
    "text": "![x](../secret.txt)",
    "hidden": "![x](.hidden/pic.png)",
    "outside": "![x](../../outside.png)",
    "link-out": "![x](linked.png)",
    "link-dir": "![x](linkdir/pic.png)",
    "html-tag": '<img src="../secret.txt">',
}


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    sources = project / "sources"
    (sources / "img").mkdir(parents=True)
    (sources / ".hidden").mkdir()
    (project / ".ssh").mkdir()
    (project / ".ssh" / "id_rsa").write_text("PRIVATE KEY")
    (project / "secret.txt").write_text("SECRET")
    (tmp_path / "outside.png").write_bytes(PNG)
    (tmp_path / "outdir").mkdir()
    (tmp_path / "outdir" / "pic.png").write_bytes(PNG)
    (sources / "img" / "pic.png").write_bytes(PNG)
    (sources / ".hidden" / "pic.png").write_bytes(PNG)
    os.symlink(tmp_path / "outside.png", sources / "linked.png")
    os.symlink(tmp_path / "outdir", sources / "linkdir")
    notes = [f"## Q{i}. Question {name}?\n\n**Réponse :** {ref}\n" for i, (name, ref) in enumerate(REFUSED.items(), 1)]
    notes.append("## Q99. The good image?\n\n**Réponse :** ![ok](img/pic.png)\n")
    (sources / "notes.md").write_text("# Media deck\n\n" + "\n".join(notes), encoding="utf-8")
    return project


def test_only_project_media_is_packed_or_copied(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run = exporter(project, "build", "--no-lock", "--format", "apkg", "--format", "html")
    forbidden = [line for line in run.stderr.splitlines() if line.endswith("[forbidden-media]")]
    assert len(forbidden) == len(REFUSED), run.stderr
    assert all(line.startswith("sources/notes.md:") and ": error: " in line for line in forbidden)
    with zipfile.ZipFile(project / "dist" / "media-deck.apkg") as archive:
        packed = [archive.read(name) for name in archive.namelist() if name.isdigit()]
    assert packed == [PNG]
    copied = list((project / "dist" / "media-deck-media").iterdir())
    assert [p.read_bytes() for p in copied] == [PNG]
    page = (project / "dist" / "media-deck.html").read_text(encoding="utf-8")
    assert "SECRET" not in page and "PRIVATE KEY" not in page
