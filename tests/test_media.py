"""Images resolve against their source file; only files inside the project are packed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostics
from exporter.rendering.render import render_notes
from tests.rendering import note, render_one

DOT = Path(__file__).parent / "fixtures" / "media" / "dot.png"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "notes" / "img").mkdir(parents=True)
    shutil.copy(DOT, tmp_path / "notes" / "img" / "dot.png")
    return tmp_path


def test_markdown_image_is_packed_and_its_src_rewritten(project: Path) -> None:
    rendered, findings = render_one("![un point](img/dot.png)", project)
    [media] = rendered.media
    assert media.name == "39d749dde0-dot.png"
    assert media.path == str((project / "notes" / "img" / "dot.png").resolve())
    assert rendered.question_html == '<p><img src="39d749dde0-dot.png" alt="un point"></p>\n'
    assert findings == []


def test_html_image_keeps_its_width(project: Path) -> None:
    rendered, _ = render_one('<p align="center">\n<img src="img/dot.png" alt="a" width="577"/>\n</p>', project)
    assert rendered.question_html == '<p align="center">\n<img src="39d749dde0-dot.png" alt="a" width="577">\n</p>'
    assert [m.name for m in rendered.media] == ["39d749dde0-dot.png"]


def test_same_basename_in_two_folders_gets_two_names(project: Path) -> None:
    (project / "other").mkdir()
    shutil.copy(DOT, project / "other" / "dot.png")
    rendered, _ = render_one("![a](img/dot.png) ![b](../other/dot.png)", project)
    names = [m.name for m in rendered.media]
    assert len(set(names)) == 2 and all(n.endswith("-dot.png") for n in names)


def test_one_image_used_twice_is_packed_once(project: Path) -> None:
    rendered, _ = render_one("![a](img/dot.png) ![b](./img/dot.png)", project)
    assert len(rendered.media) == 1


def test_missing_image_is_a_visible_placeholder_and_a_warning(project: Path) -> None:
    rendered, findings = render_one("Titre\n\n<img src=\"img/none.png\" width=\"5\">", project, line=7)
    assert rendered.question_html == (
        '<p>Titre</p>\n<span class="missing-media">image not found: none.png</span>'
    )
    assert rendered.media == ()
    assert findings == ["9 warning missing-media"]


@pytest.mark.parametrize(
    "src",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "https://example.com/a.png",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "//example.com/a.png",
    ],
)
def test_paths_leaving_the_project_are_refused(src: str, project: Path) -> None:
    rendered, findings = render_one(f"![x]({src})", project)
    assert "<img" not in rendered.question_html
    assert 'class="missing-media">image not allowed:' in rendered.question_html
    assert rendered.media == ()
    assert findings == ["1 error forbidden-media"]


def test_symlink_out_of_the_project_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    shutil.copy(DOT, outside)
    (project / "notes" / "img" / "link.png").symlink_to(outside)
    rendered, findings = render_one("![x](img/link.png)", project)
    assert rendered.media == ()
    assert findings == ["1 error forbidden-media"]


def test_image_in_an_html_comment_is_left_alone(project: Path) -> None:
    rendered, findings = render_one('<!--\n<img src="img/none.png">\n-->\nTexte', project)
    assert findings == []
    assert rendered.question_html == "\n<p>Texte</p>\n"


def test_images_of_every_field_are_collected(project: Path) -> None:
    diagnostics = Diagnostics()
    [rendered] = render_notes([note("![q](img/dot.png)", "![a](img/dot.png)")], project, diagnostics)
    assert [m.name for m in rendered.media] == ["39d749dde0-dot.png"]
    assert 'src="39d749dde0-dot.png"' in rendered.answer_html


def test_a_missing_image_in_french_notes_is_named_in_french_by_its_file_only(project: Path) -> None:
    text = "Le schéma de la couche est dans le dossier des images :\n\n![schéma](../../../translated_images/abc123.fr.png)"
    rendered, findings = render_one(text, project, line=3)
    assert '<span class="missing-media">image refusée&nbsp;: abc123.fr.png</span>' in rendered.question_html
    assert "translated_images" not in rendered.question_html
    assert findings == ["5 error forbidden-media"]  # the warning still names the whole path
