"""Render every note's Markdown to sanitised HTML once; all writers share the result.

Per field: parse with the one configured MarkdownIt, check its math, pack or
placeholder its images, name any unsafe HTML, render, then clean with nh3.
Every finding is reported at the source line it comes from.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from exporter.diagnostics import Diagnostics
from exporter.markdown import MATH_TYPES, UNCLOSED_KEY, markdown, walk
from exporter.mathdetect import tex_problem
from exporter.media import MediaPacker, rewrite_img_tags
from exporter.model import MediaFile, Note, NoteKind, RenderedNote
from exporter.progress import Step
from exporter.render_cache import CachedFields, RenderCache, note_key
from exporter.sanitize import clean, is_script_url, unsafe_parts
from exporter.text import decode

_SEARCH_WINDOW = 60
"""How many source lines past the question a field's first line is looked for."""
_STEP_EVERY = 100
NO_ANSWER_HTML = '<p class="no-answer">No answer written yet.</p>\n'


def render_notes(
    notes: list[Note],
    project_root: Path,
    diagnostics: Diagnostics,
    cache_dir: Path | None = None,
    step: Step | None = None,
) -> list[RenderedNote]:
    """One RenderedNote per note, in order; bad Markdown gives diagnostics, never an exception.

    With `cache_dir`, notes rendered by an earlier build are taken from the render cache;
    `step` hears how far rendering got every `_STEP_EVERY` notes.
    """
    packer = MediaPacker(project_root, diagnostics)
    lines = _SourceLines(project_root)
    cache = RenderCache(cache_dir)
    rendered: list[RenderedNote] = []
    try:
        for note in notes:
            rendered.append(_render_note(note, packer, lines, diagnostics, cache))
            if step is not None and (len(rendered) % _STEP_EVERY == 0 or len(rendered) == len(notes)):
                step("render", len(rendered), len(notes))
    finally:
        cache.close()
    return rendered


def _render_note(
    note: Note, packer: MediaPacker, lines: _SourceLines, diagnostics: Diagnostics, cache: RenderCache
) -> RenderedNote:
    media: dict[str, MediaFile] = {}
    question_line = lines.first_line_of(note, note.question, note.source.line)
    has_answer = not (note.answer is None or (note.kind is NoteKind.OPEN and not note.answer.strip()))
    answer_line = 0
    if has_answer:
        after_question = question_line + note.question.rstrip("\n").count("\n")
        answer_line = lines.first_line_of(note, note.answer or "", after_question)
    base = note.source.line
    key = note_key([note.source.path, note.kind.value, note.question, note.answer, question_line - base,
                    answer_line - base if has_answer else None, base if base < 1 else 0])
    cached = cache.get(key)
    if cached is not None:
        diagnostics.items.extend(cached.diagnostics(note.source.path, base))
        question_html, answer_html = cached.question_html, cached.answer_html
    else:
        found_before, packs_before = len(diagnostics.items), packer.calls
        question_html = _Field(note, question_line, packer, diagnostics, media).render(note.question)
        answer_html = NO_ANSWER_HTML
        if has_answer:
            answer_html = _Field(note, answer_line, packer, diagnostics, media).render(note.answer or "")
        if packer.calls == packs_before:  # images depend on files on disk: never cached
            findings = tuple((d.line - base, d.level.value, d.code, d.message) for d in diagnostics.items[found_before:])
            cache.put(key, CachedFields(question_html, answer_html, findings))
    return RenderedNote(
        note=note,
        question_html=question_html,
        answer_html=answer_html,
        context_html=html.escape(note.context),
        source_html=source_html(note),
        media=tuple(media.values()),
    )


def source_html(note: Note) -> str:
    """`path:line`, plus the note's link when the source gives one."""
    where = html.escape(str(note.source))
    if not note.link:
        return where
    link = html.escape(note.link)
    return clean(f'{where} · <a href="{link}">{link}</a>')


@dataclass
class _Field:
    """One Markdown field of a note; `first_line` is the source line of its first line."""

    note: Note
    first_line: int
    packer: MediaPacker
    diagnostics: Diagnostics
    media: dict[str, MediaFile] = field(default_factory=dict)

    def render(self, text: str) -> str:
        md = markdown()
        env: dict[str, object] = {}
        tokens = md.parse(text, env)
        for token, line in walk(tokens):
            self._inspect(token, self.first_line + line)
        for line, snippet in env.get(UNCLOSED_KEY, []):  # type: ignore[attr-defined]
            self._warn(self.first_line + line, "unclosed-math", f"'$' opens math that is never closed: {snippet}")
        return clean(md.renderer.render(tokens, md.options, env))

    def _inspect(self, token: Token, line: int) -> None:
        if token.type in MATH_TYPES:
            problem = tex_problem(token.content)
            if problem:
                self._warn(line, "math", f"math does not parse ({problem}): {_short(token.content)}")
        elif token.type == "image":
            self._image_token(token, line)
        elif token.type in ("html_block", "html_inline"):
            for part in unsafe_parts(token.content):
                self._warn(line, "unsafe-html", f"removed unsafe HTML: {part}")
            token.content = rewrite_img_tags(token.content, line, self._pack)
        elif token.type == "link_open" and is_script_url(str(token.attrGet("href") or "")):
            self._warn(line, "unsafe-html", "removed unsafe HTML: javascript: URL")

    def _image_token(self, token: Token, line: int) -> None:
        outcome = self._pack(str(token.attrGet("src") or ""), line)
        if isinstance(outcome, MediaFile):
            token.attrSet("src", outcome.name)
            return
        token.type, token.tag, token.children, token.content = "html_inline", "", None, outcome

    def _pack(self, src: str, line: int) -> MediaFile | str:
        outcome = self.packer.pack(src, self.note.source.path, line)
        if isinstance(outcome, MediaFile):
            self.media.setdefault(outcome.name, outcome)
        return outcome

    def _warn(self, line: int, code: str, message: str) -> None:
        self.diagnostics.warning(self.note.source.path, line, code, message)


def _short(tex: str, limit: int = 60) -> str:
    flat = " ".join(tex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _SourceLines:
    """Finds where a field starts in its source file, so findings point at their own line.

    Notes only carry the line of their question; an answer's findings would all
    land there. Readers keep text as written, so the field's first non-blank line
    is searched for from the question's line on; when it is not found (a reader
    rewrote it), the question's line is used.
    """

    def __init__(self, project_root: Path) -> None:
        self.root = project_root
        self.cache: dict[str, list[str]] = {}

    def first_line_of(self, note: Note, text: str, search_from: int) -> int:
        """The source line of `text`'s first line, looking from line `search_from` on."""
        body = text.split("\n")
        first = next((i for i, line in enumerate(body) if line.strip()), None)
        source = self._lines(note.source.path)
        if first is None or not source:
            return note.source.line
        needle = body[first].strip()
        start = max(search_from, 1)
        for number in range(start, min(start + _SEARCH_WINDOW, len(source)) + 1):
            if needle in source[number - 1]:
                return max(number - first, 1)
        return note.source.line

    def _lines(self, path: str) -> list[str]:
        if path not in self.cache:
            try:
                self.cache[path] = decode((self.root / path).read_bytes()).text.split("\n")
            except (OSError, ValueError):
                self.cache[path] = []
        return self.cache[path]
