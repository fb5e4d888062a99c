"""Images of a note: resolve against the source file, pack what is safe, placeholder the rest.

Anki keeps only media a field names, so each packed file gets a unique flat name
and the `src` is rewritten to it. Nothing outside the project is ever opened:
URLs, absolute paths and `..` or symlinks that leave the root are refused first, then
hidden files and folders (`.ssh/`, `.env`) and anything that is not an image, audio
or video file (`MEDIA_SUFFIXES`), so a shared deck carries only what its cards show.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from functools import cached_property
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from exporter.diagnostics import Diagnostics
from exporter.language import DEFAULT_LANGUAGE, label
from exporter.model import MediaFile

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_IMG_TAG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
"""`[^<>]`, not `[^>]`: with no `>` ahead, every `<img` scanned to the end of the text (quadratic)."""
_SRC_ATTR = re.compile(r"""((?<![\w-])src\s*=\s*)("([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


MEDIA_SUFFIXES = frozenset({
    # images Anki's card view shows
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico", ".tif", ".tiff",
    # audio and video Anki plays
    ".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac", ".spx",
    ".mp4", ".webm", ".ogv", ".mov", ".mkv", ".m4v", ".mpg", ".mpeg", ".avi",
})
"""The only files ever packed: a deck is shared, so a path to `notes.txt` or a key must not ride along."""


def _hidden_part(relative: Path) -> str | None:
    """The first hidden file or folder name of a path inside the project, if any."""
    return next((part for part in relative.parts if part.startswith(".") and part not in (".", "..")), None)


def placeholder(path: str, reason: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The visible stand-in for an image that cannot be shown: it names the file, not its path.

    `reason` is a label key (`image_not_found`, `image_not_allowed`). The file name alone is
    what a reader can act on; `../../../../translated_images/<hash>.fr.png` only fills the card.
    The whole path stays in the build's warning, at the line that names it.
    """
    name = file_name(path)
    return f'<span class="missing-media">{html.escape(label(language, reason, name=name))}</span>'


def file_name(path: str) -> str:
    """The last part of a path or URL (`a/b/c.png` -> `c.png`); the whole text when it has none."""
    trimmed = path.split("#", 1)[0].split("?", 1)[0].rstrip("/\\")
    name = re.split(r"[/\\]", trimmed)[-1]
    return name or path


class MediaPacker:
    """Collects the media of one build; the same file always gets the same packed name."""

    def __init__(self, project_root: Path, diagnostics: Diagnostics, language: str = DEFAULT_LANGUAGE) -> None:
        self.project_root = project_root
        self.diagnostics = diagnostics
        self.language = language
        self.calls = 0
        """How many images were asked for: the render cache keeps only notes that ask for none."""

    @cached_property
    def root(self) -> Path:
        """The project root made absolute: asked only when a note has an image (one packer per note)."""
        return Path(os.path.abspath(self.project_root))

    @cached_property
    def real_root(self) -> Path:
        """The root with links resolved: asked only when a note has an image (one per note made)."""
        return self.root.resolve()

    def pack(self, src: str, source_path: str, line: int) -> MediaFile | str:
        """The MediaFile for `src` (written in `source_path` at `line`), or placeholder HTML."""
        self.calls += 1
        written = src.strip()
        target = unquote(written.split("#", 1)[0].split("?", 1)[0]) if not _SCHEME.match(written) else written
        refusal = self._refusal(target)
        if refusal:
            self.diagnostics.error(source_path, line, "forbidden-media", f"{refusal}, not packed: {written}")
            return placeholder(written, "image_not_allowed", self.language)
        candidate = Path(os.path.normpath(self.root / Path(source_path).parent / target))
        if not candidate.is_relative_to(self.root):
            self.diagnostics.error(
                source_path, line, "forbidden-media", f"image path leaves the project, not read: {written}"
            )
            return placeholder(written, "image_not_allowed", self.language)
        real = candidate.resolve()
        if not real.is_relative_to(self.real_root):
            self.diagnostics.error(
                source_path, line, "forbidden-media", f"image is a link that leaves the project, not read: {written}"
            )
            return placeholder(written, "image_not_allowed", self.language)
        hidden = _hidden_part(candidate.relative_to(self.root)) or _hidden_part(real.relative_to(self.real_root))
        if hidden:
            self.diagnostics.error(
                source_path, line, "forbidden-media", f"hidden file or folder {hidden!r}, not read: {written}"
            )
            return placeholder(written, "image_not_allowed", self.language)
        if real.suffix.lower() not in MEDIA_SUFFIXES or candidate.suffix.lower() not in MEDIA_SUFFIXES:
            self.diagnostics.error(
                source_path, line, "forbidden-media",
                f"not an image, audio or video file Anki can show, not read: {written}",
            )
            return placeholder(written, "image_not_allowed", self.language)
        if not real.is_file():
            self.diagnostics.warning(source_path, line, "missing-media", f"image not found: {written}")
            return placeholder(written, "image_not_found", self.language)
        relative = real.relative_to(self.real_root).as_posix()
        digest = hashlib.sha1(relative.encode("utf-8")).hexdigest()[:10]
        base = _UNSAFE_NAME_CHARS.sub("_", real.name).strip("._") or "image"
        return MediaFile(name=f"{digest}-{base}", path=str(real))

    @staticmethod
    def _refusal(target: str) -> str | None:
        if not target:
            return "empty image path"
        if _SCHEME.match(target) or target.startswith("//"):
            return "image URL"
        if target.startswith(("/", "\\")) or Path(target).is_absolute():
            return "absolute image path"
        return None


def rewrite_img_tags(markup: str, first_line: int, resolve: Callable[[str, int], MediaFile | str]) -> str:
    """Rewrite every `<img src>` of raw HTML outside comments via `resolve(src, line)`.

    A packed image keeps its tag with `src` set to the packed name; anything else
    is replaced, tag and all, by the placeholder `resolve` returns.
    """
    out: list[str] = []
    done = 0
    for comment in [*_COMMENT.finditer(markup), None]:
        stop = comment.start() if comment else len(markup)
        out.append(_rewrite_span(markup, done, stop, first_line, resolve))
        if comment:
            out.append(comment.group(0))
            done = comment.end()
    return "".join(out)


def _rewrite_span(
    markup: str, start: int, stop: int, first_line: int, resolve: Callable[[str, int], MediaFile | str]
) -> str:
    def replace(tag: re.Match[str]) -> str:
        src = _SRC_ATTR.search(tag.group(0))
        if src is None:
            return tag.group(0)
        value = html.unescape(next(g for g in src.group(3, 4, 5) if g is not None))
        line = first_line + markup.count("\n", 0, start + tag.start())
        outcome = resolve(value, line)
        if isinstance(outcome, str):
            return outcome
        new_attr = f'{src.group(1)}"{html.escape(outcome.name)}"'
        return tag.group(0)[: src.start()] + new_attr + tag.group(0)[src.end() :]

    return _IMG_TAG.sub(replace, markup[start:stop])
