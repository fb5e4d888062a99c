"""Render every note's Markdown to sanitised HTML once; all writers share the result.

Per field: parse with the one configured MarkdownIt, check its math, pack or
placeholder its images, name any unsafe HTML, render, then clean with nh3.
Every finding is reported at the source line it comes from.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from markdown_it.token import Token

from exporter.diagnostics import Diagnostic, Diagnostics
from exporter.language import DEFAULT_LANGUAGE, detect_language, label
from exporter.reading.markdown import (
    CODE_SLOTS_KEY, FLOOD_KEY, MATH_TYPES, MAX_BRACKETS, UNCLOSED_KEY, code_slot, parser_for, walk,
)
from exporter.reading.mathdetect import tex_problem
from exporter.rendering import cloze
from exporter.rendering.highlight_cloze import NEXT_NUMBER, first_free_number
from exporter.rendering.media import MediaPacker, rewrite_img_tags
from exporter.model import MediaFile, Note, NoteKind, RenderedNote
from exporter.build.parallel import cores, worker_pool
from exporter.build.progress import Step
from exporter.rendering.render_cache import CachedFields, RenderCache, note_key
from exporter.rendering.sanitize import MAX_NESTING, clean, fill_code_slots, is_script_url, nesting_depth, unsafe_parts

_STEP_EVERY = 100


def no_answer_html(language: str) -> str:
    """The back of a question with no answer yet, in the notes' language."""
    return f'<p class="no-answer">{html.escape(label(language, "no_answer"))}</p>\n'


def file_languages(notes: list[Note], configured: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Each source file's language: as configured, else guessed from all of that file's notes."""
    texts: dict[str, list[str]] = {}
    for note in notes:
        texts.setdefault(note.source.path, []).extend((note.question, note.answer or ""))
    configured = configured or {}
    return {path: configured.get(path) or detect_language(parts) for path, parts in texts.items()}


def render_notes(
    notes: list[Note],
    project_root: Path,
    diagnostics: Diagnostics,
    cache_dir: Path | None = None,
    step: Step | None = None,
    workers: int | None = None,
    languages: Mapping[str, str] | None = None,
) -> list[RenderedNote]:
    """One RenderedNote per note, in order; bad Markdown gives diagnostics, never an exception.

    With `cache_dir`, notes rendered by an earlier build are taken from the render cache;
    the others are rendered in `workers` processes (default: one per core once there are
    enough of them to pay for the processes). `step` hears how far rendering got.
    `languages` gives each source file's language (default: guessed from its notes).
    """
    cache = RenderCache(cache_dir)
    languages = languages or file_languages(notes)
    try:
        placed = [_place(note, languages.get(note.source.path, DEFAULT_LANGUAGE)) for note in notes]
        fields: list[_Fields | None] = [None] * len(notes)
        missing: list[int] = []
        hits = cache.get_many([where.key for where in placed])
        for index, (note, where) in enumerate(zip(notes, placed)):
            cached = hits.get(where.key)
            if cached is None:
                missing.append(index)
            else:
                findings = tuple(cached.diagnostics(note.source.path, note.source.line))
                fields[index] = _Fields(cached.question_html, cached.answer_html, (), findings, False)
        done = len(notes) - len(missing)
        for index, result in _render_missing(notes, placed, missing, project_root, workers):
            fields[index] = result
            base = notes[index].source.line
            if not result.packed_media:  # images depend on files on disk: never cached
                relative = tuple((d.line - base, d.level.value, d.code, d.message) for d in result.findings)
                cache.put(placed[index].key, CachedFields(result.question_html, result.answer_html, relative))
            done += 1
            if step is not None and (done % _STEP_EVERY == 0 or done == len(notes)):
                step("render", done, len(notes))
    finally:
        cache.close()
    rendered = []
    for note, note_fields in zip(notes, fields):
        assert note_fields is not None
        diagnostics.items.extend(note_fields.findings)
        rendered.append(RenderedNote(
            note=note,
            question_html=note_fields.question_html,
            answer_html=note_fields.answer_html,
            context_html=html.escape(note.context),
            source_html=source_html(note),
            media=note_fields.media,
            language=languages.get(note.source.path, DEFAULT_LANGUAGE),
        ))
    return rendered


_PARALLEL_MIN_NOTES = 400
"""Below this many notes to render, starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class _Placement:
    """Where a note's fields start in its source, and its render-cache key."""

    question_line: int
    answer_line: int
    has_answer: bool
    key: str
    language: str


@dataclass(frozen=True)
class _Fields:
    """A note's rendered fields with what rendering found; picklable, so workers can return it."""

    question_html: str
    answer_html: str
    media: tuple[MediaFile, ...]
    findings: tuple[Diagnostic, ...]
    packed_media: bool


def _place(note: Note, language: str) -> _Placement:
    """Readers give each field's first source line: the question's is the note's, the answer's its own."""
    question_line = note.source.line
    has_answer = not (note.answer is None or (note.kind is NoteKind.OPEN and not note.answer.strip()))
    answer_line = (note.answer_line or note.source.line) if has_answer else 0
    base = note.source.line
    key = note_key([note.source.path, note.kind.value, note.question, note.answer, question_line - base,
                    answer_line - base if has_answer else None, base if base < 1 else 0, language])
    return _Placement(question_line, answer_line, has_answer, key, language)


def _render_missing(
    notes: list[Note], placed: list[_Placement], missing: list[int], project_root: Path, workers: int | None
) -> Iterator[tuple[int, _Fields]]:
    """(index, fields) for each note to render, in order; in worker processes when many."""
    count = workers if workers is not None else cores()
    if count <= 1 or len(missing) < (2 if workers is not None else _PARALLEL_MIN_NOTES):
        for index in missing:
            yield index, _render_fields(notes[index], placed[index], project_root)
        return
    chunks = [missing[i:: count * 4] for i in range(count * 4)]
    jobs = [[(i, notes[i], placed[i]) for i in chunk] for chunk in chunks if chunk]
    with worker_pool(count) as pool:
        results: dict[int, _Fields] = {}
        for batch in pool.map(_render_batch, jobs, [project_root] * len(jobs)):
            results.update(batch)
    for index in missing:
        yield index, results[index]


def _render_batch(job: list[tuple[int, Note, _Placement]], project_root: Path) -> dict[int, _Fields]:
    """Worker-process entry point: render a batch of notes."""
    return {index: _render_fields(note, where, project_root) for index, note, where in job}


def _render_fields(note: Note, where: _Placement, project_root: Path) -> _Fields:
    """Render one note's question and answer, collecting its own findings and media."""
    found = Diagnostics()
    packer = MediaPacker(project_root, found, where.language)
    media: dict[str, MediaFile] = {}
    is_cloze = note.kind is NoteKind.CLOZE
    question_html = _Field(note, where.question_line, packer, found, media).render(note.question, is_cloze)
    answer_html = "" if is_cloze else no_answer_html(where.language)  # a cloze note's answer is its optional Extra
    if where.has_answer:
        answer_html = _Field(note, where.answer_line, packer, found, media).render(note.answer or "")
    return _Fields(question_html, answer_html, tuple(media.values()), tuple(found.items), packer.calls > 0)


def source_html(note: Note) -> str:
    """Where the note comes from, as the card shows it: the file, its section unless the context shows it, the link.

    Never the line number: a line moves whenever anything above it is edited, and a field
    that changes makes Anki rewrite the note on every device (see the note type in
    `exporter.output.writers.apkg`). The file and the section heading find the question
    in an editor as well, and stay put; `dump` and every finding give the line.
    """
    where = note.source.path
    if note.section and not note.context.endswith(note.section):
        where = f"{where} › {note.section}"
    escaped = html.escape(where)
    if not note.link:
        return escaped
    link = html.escape(note.link)
    return clean(f'{escaped} · <a href="{link}">{link}</a>')


_INSPECTED = MATH_TYPES | {"image", "html_block", "html_inline", "link_open"}
"""The tokens `_Field._inspect` looks at: math, images, raw HTML and links."""


@dataclass
class _Field:
    """One Markdown field of a note; `first_line` is the source line of its first line."""

    note: Note
    first_line: int
    packer: MediaPacker
    diagnostics: Diagnostics
    media: dict[str, MediaFile] = field(default_factory=dict)

    def render(self, text: str, is_cloze: bool = False) -> str:
        """Sanitised HTML of `text`; with `is_cloze`, `==x==` are deletions and every deletion is Anki-safe."""
        md = parser_for(text)
        env: dict[str, object] = {NEXT_NUMBER: first_free_number(text)} if is_cloze else {}
        tokens = md.parse(text, env)
        raw_html = False
        for token, line in walk(tokens, _INSPECTED):
            self._inspect(token, self.first_line + line)  # may turn an image into HTML
            raw_html = raw_html or token.type in ("html_block", "html_inline")
        for line, snippet in env.get(UNCLOSED_KEY, []):  # type: ignore[attr-defined]
            self._warn(self.first_line + line, "unclosed-math", f"'$' opens math that is never closed: {snippet}")
        if env.get(FLOOD_KEY):
            self._warn(self.first_line, "too-many-brackets",
                       f"a paragraph holds over {MAX_BRACKETS} '[': its links and images are shown as plain text")
        if raw_html:  # the user's tags can reshape what follows them: clean the whole field
            html_text = clean(md.renderer.render(tokens, md.options, env))
            depth = nesting_depth(html_text)
            if depth > MAX_NESTING:
                self._warn(self.first_line, "too-deep",
                           f"HTML nested {depth} elements deep (at most {MAX_NESTING} can be laid out): shown as text")
                html_text = "<pre>" + html.escape(text) + "</pre>"
        else:
            # Markdown alone gives balanced markup, so the highlighted code (our own, escaped)
            # is left out of the cleaning and put back after it: same result, less to parse.
            # (Markdown alone also nests at most markdown-it's maxNesting deep.)
            slots: list[str] = []
            env[CODE_SLOTS_KEY] = slots
            html_text = fill_code_slots(clean(md.renderer.render(tokens, md.options, env)), slots, code_slot)
        if not is_cloze:
            return html_text
        if not cloze.numbers(html_text):
            self._warn(self.first_line, "cloze", "cloze text without any deletion ({{c1::...}} or ==...==): "
                       "written as a plain card")
        return cloze.anki_text(html_text)

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
