"""Render every note's Markdown to sanitised HTML once; all writers share the result.

Per field: parse with the one configured MarkdownIt, check its math, pack or
placeholder its images, name any unsafe HTML, render, then clean with nh3.
Every finding is reported at the source line it comes from.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping

from markdown_it.token import Token

from exporter.diagnostics import Diagnostic, Diagnostics
from exporter.language import DEFAULT_LANGUAGE, detect_language, label, language_of, marker_counts
from exporter.reading.markdown import (
    CODE_SLOTS_KEY, FLOOD_KEY, MATH_TYPES, MAX_BRACKETS, SPLIT_OPEN_KEY, UNCLOSED_KEY, code_slot, markdown, plain_html,
    walk,
)
from exporter.reading.mathdetect import tex_problem
from exporter.reading.texcheck import structure_problem
from exporter.rendering import cloze
from exporter.rendering.direct import direct_html
from exporter.rendering.highlight import load_ahead
from exporter.rendering.highlight_cloze import NEXT_NUMBER, first_free_number
from exporter.rendering.media import MediaPacker, rewrite_img_tags
from exporter.model import MediaFile, Note, NoteKind, RenderedNote
from exporter.build.parallel import cores, worker_pool
from exporter.build.progress import Step
from exporter.rendering.render_cache import (
    CachedFields, FileFields, Hashes, RenderCache, field_key, file_entry_key, group_entry_key, note_rest,
)
from exporter.rendering.sanitize import MAX_NESTING, clean, clean_markdown, fill_code_slots, is_script_url, nesting_depth, unsafe_parts

_STEP_EVERY = 100


def no_answer_html(language: str) -> str:
    """The back of a question with no answer yet, in the notes' language."""
    return f'<p class="no-answer">{html.escape(label(language, "no_answer"))}</p>\n'


def file_languages(
    notes: list[Note],
    configured: Mapping[str, str | None] | None = None,
    markers: Mapping[str, tuple[int, int]] | None = None,
    read: list[Note] | None = None,
) -> dict[str, str]:
    """Each source file's language: as configured, else guessed from all of that file's notes.

    `markers` gives `marker_counts` of every note `read` from a file (before the checks
    dropped duplicates), kept by the parse cache: the counts of the notes dropped since
    are taken off, so the guess is the one over the notes kept, without reading them all.
    """
    configured = configured or {}
    markers = markers or {}
    counts: dict[str, tuple[int, int]] = {}
    texts: dict[str, list[str]] = {}
    for note in notes:
        path = note.source.path
        if path not in counts and path not in texts:
            if path in markers:
                counts[path] = markers[path]
            else:
                texts[path] = []
        if path in texts:
            texts[path].extend((note.question, note.answer or ""))
    if read is not None and len(read) != len(notes):
        kept = {id(note) for note in notes}
        for note in read:
            if id(note) not in kept and note.source.path in counts:
                french, english = marker_counts((note.question, note.answer or ""))
                old_french, old_english = counts[note.source.path]
                counts[note.source.path] = (old_french - french, old_english - english)
    guessed = {path: language_of(count) for path, count in counts.items()}
    guessed.update((path, detect_language(parts)) for path, parts in texts.items())
    return {path: configured.get(path) or guessed[path] for path in [*counts, *texts]}


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
    return render_and_hash(notes, project_root, diagnostics, cache_dir, step, workers, languages)[0]


def render_and_hash(
    notes: list[Note],
    project_root: Path,
    diagnostics: Diagnostics,
    cache_dir: Path | None = None,
    step: Step | None = None,
    workers: int | None = None,
    languages: Mapping[str, str] | None = None,
    origins: Mapping[int, Origin] | None = None,
    hasher: Callable[[RenderedNote], Hashes] | None = None,
    look_in: Mapping[str, list[str]] | None = None,
    listing: Mapping[str, list[str]] | None = None,
) -> tuple[list[RenderedNote], list[Hashes | None]]:
    """`render_notes`, and with `hasher` what it gives of each rendered note, kept in the render cache.

    `origins` gives, by `id(note)`, the parse-cache key of the file a note was read from
    and its index among that file's notes: a note of an unchanged file is then found in
    the cache by its place, without hashing it, and has its hashes from there: the stages
    after rendering (identity, the outputs' input hashes) then cost nothing for it.
    A big file read by groups of pairs (`reading/chunked.py`) gives each group's notes
    their own entry, named in the origin's third item (None: one entry for the file):
    after an edit, the unchanged groups are found by place and only the edited group's
    entry is written again, not the whole file's.
    (Notes not in `notes`, such as duplicates the checks dropped, may be in `origins`:
    only the notes rendered are looked up.) `look_in` names, by a file's entry key, the entries
    its notes missing from their own are looked for in, instead of all those its index lists:
    the edit build knows which groups an edited group replaced. `listing` gives, by a file's entry
    key, all its groups' entries, for its index, when `notes` hold only some groups' notes (the
    edit build's).
    """
    cache = RenderCache(cache_dir)
    languages = languages or file_languages(notes)
    origins = origins or {}
    try:
        entry_keys, groups = _entry_keys(notes, languages, origins)
        fields, placed, keys, indexes = _from_cache(notes, entry_keys, groups, languages, origins, cache,
                                                    look_in or {})
        missing = [index for index, found in enumerate(fields) if found is None]
        places = {index: where for index in missing if (where := placed[index]) is not None}
        done = len(notes) - len(missing)
        for index, result in _render_missing(notes, places, missing, project_root, workers):
            fields[index] = result
            done += 1
            if step is not None and (done % _STEP_EVERY == 0 or done == len(notes)):
                step("render", done, len(notes))
        rendered = _rendered(notes, fields, languages, diagnostics)
        hashes = [f.hashes if f is not None and f.hashes is not None else hasher(r) if hasher is not None else None
                  for f, r in zip(fields, rendered)]
        _store(notes, fields, hashes, entry_keys, keys, origins, cache)
        for file_key, listed in {**groups, **(listing or {})}.items():
            if indexes.get(file_key) != listed:
                cache.put_index(file_key, listed)
    finally:
        cache.close()
    return rendered, hashes


def _rendered(
    notes: list[Note], fields: list[_Fields | None], languages: Mapping[str, str], diagnostics: Diagnostics
) -> list[RenderedNote]:
    rendered = []
    escape = html.escape
    for note, note_fields in zip(notes, fields):
        assert note_fields is not None
        if note_fields.findings:
            diagnostics.items.extend(note_fields.findings)
        rendered.append(RenderedNote(
            note,
            note_fields.question_html,
            note_fields.answer_html,
            escape(note.context) if note.context else "",
            source_html(note),
            note_fields.media,
            languages.get(note.source.path, DEFAULT_LANGUAGE),
        ))
    return rendered


def _language(languages: Mapping[str, str], note: Note) -> str:
    return languages.get(note.source.path, DEFAULT_LANGUAGE)


def _entry_keys(notes: list[Note], languages: Mapping[str, str],
                origins: Mapping[int, Origin]) -> tuple[list[str], dict[str, list[str]]]:
    """Each note's `file_entry_key`, hashed once per file (or per group of a file read by groups), and for
    each file read by groups, by its own entry's key, the keys of its groups' entries in order."""
    files: dict[str, str] = {}
    groups: dict[str, str] = {}
    listed: dict[str, list[str]] = {}
    keys = []
    for note in notes:
        path = note.source.path
        origin = origins.get(id(note))
        group = origin[2] if origin is not None else None
        if group is None:
            key = files.get(path)
            if key is None:
                key = files[path] = file_entry_key(path, _language(languages, note))
        else:
            key = groups.get(group)
            if key is None:
                language = _language(languages, note)
                key = groups[group] = group_entry_key(path, group, language)
                listed.setdefault(file_entry_key(path, language), []).append(key)
        keys.append(key)
    return keys, listed


class _Elsewhere:
    """A file's other entries, where a note its own entry misses is looked for by `field_key`.

    The entry of the whole file, or the entries of its groups that its own entry lists
    (`RenderCache.put_index`): a file read whole after being read by groups, or by groups
    after being read whole, or a group whose text changed, finds its notes there instead
    of rendering them all again.
    """

    def __init__(self, cache: RenderCache, stored: dict[str, FileFields], indexes: dict[str, list[str]],
                 languages: Mapping[str, str]) -> None:
        self.cache = cache
        self.stored = stored
        self.indexes = indexes
        self.languages = languages
        self.by_path: dict[str, dict[str, FileFields]] = {}

    def get(self, note: Note, key: str) -> tuple[CachedFields, tuple[Hashes, list[object]] | None] | None:
        path = note.source.path
        entries = self.by_path.get(path)
        if entries is None:
            entries = self.by_path[path] = self._load(file_entry_key(path, _language(self.languages, note)))
        entry = entries.get(key)
        return entry.get(key) if entry is not None else None

    def _load(self, file_key: str) -> dict[str, FileFields]:
        """Each note key of the file's entries, to the entry holding it."""
        listed = self.indexes.get(file_key)
        if listed is None:
            listed = self.cache.get_indexes([file_key]).get(file_key, [file_key])
        wanted = [key for key in listed if key not in self.stored]
        found = {**self.cache.get_files(wanted), **self.stored} if wanted else self.stored
        entries: dict[str, FileFields] = {}
        for entry_key in listed:
            entry = found.get(entry_key)
            if entry is not None:
                for key in entry.keys:
                    entries.setdefault(key, entry)
        return entries


def _from_cache(
    notes: list[Note], entry_keys: list[str], groups: dict[str, list[str]], languages: Mapping[str, str],
    origins: Mapping[int, Origin], cache: RenderCache, look_in: Mapping[str, list[str]],
) -> tuple[list[_Fields | None], list[_Placement | None], dict[str, list[str | None]], dict[str, list[str]]]:
    """Each note's fields from the cache (None: to render), the placement of every note not
    found by its place, per file entry the key of each of its notes found (None: to
    store afresh), and the group entries' keys each file read by groups had listed."""
    stored = cache.get_files(list(dict.fromkeys(entry_keys)))
    indexes = cache.get_indexes(list(groups)) if groups else {}
    elsewhere = _Elsewhere(cache, stored, {**indexes, **look_in}, languages)
    fields: list[_Fields | None] = [None] * len(notes)
    placed: list[_Placement | None] = [None] * len(notes)
    keys: dict[str, list[str | None]] = {}
    for index, (note, entry_key) in enumerate(zip(notes, entry_keys)):
        entry = stored.get(entry_key)
        origin = origins.get(id(note))
        found = entry.at(origin[0], origin[1]) if entry is not None and origin is not None else None
        hashes = None
        if found is not None:
            key, cached, kept = found
            hashes = kept[0] if kept is not None else None  # the very note stored: valid as is
        else:
            where = placed[index] = _place(note, _language(languages, note))
            key, hit = where.key, entry.get(where.key) if entry is not None else None
            if hit is None:
                hit = elsewhere.get(note, key)
            if hit is None:
                keys.setdefault(entry_key, []).append(None)
                continue
            cached, kept = hit
            if kept is not None and kept[1] == note_rest(note):
                hashes = kept[0]
        keys.setdefault(entry_key, []).append(key if found is not None else None)
        findings = tuple(cached.diagnostics(note.source.path, note.source.line)) if cached.findings else ()
        fields[index] = _Fields(cached.question_html, cached.answer_html, (), findings, False, key, hashes)
    return fields, placed, keys, indexes


def _store(
    notes: list[Note],
    fields: list[_Fields | None],
    hashes: list[Hashes | None],
    entry_keys: list[str],
    keys: dict[str, list[str | None]],
    origins: Mapping[int, Origin],
    cache: RenderCache,
) -> None:
    """Store the entry of every file not wholly found by place, with the fields of all its notes.

    Notes with images are left out: their output depends on files on disk.
    """
    stale = {entry_key for entry_key, found in keys.items() if None in found}
    if not stale:
        return
    entries: dict[str, list[tuple[str, int, CachedFields, tuple[Hashes, list[object]] | None]]] = {
        key: [] for key in stale}
    files: dict[str, set[str | None]] = {key: set() for key in stale}
    for note, result, note_hashes, entry_key in zip(notes, fields, hashes, entry_keys):
        assert result is not None
        if entry_key not in stale:
            continue
        origin = origins.get(id(note))
        files[entry_key].add(origin[0] if origin is not None else None)
        if result.packed_media:  # images depend on files on disk: never cached
            continue
        base = note.source.line
        relative = tuple((d.line - base, d.level.value, d.code, d.message) for d in result.findings)
        entries[entry_key].append((result.key, origin[1] if origin is not None else -1,
                                   CachedFields(result.question_html, result.answer_html, relative),
                                   (note_hashes, note_rest(note)) if note_hashes is not None else None))
    for entry_key in stale:
        file = next(iter(files[entry_key])) if len(files[entry_key]) == 1 else None
        cache.put_file(entry_key, file, entries[entry_key])


Origin = tuple[str, int, str | None]
"""Where a note was read: the parse-cache key of its file's bytes (or of its group of pairs, at its
place in the file), its index there, and the name of its group's render entry (None: its file's)."""


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
    key: str
    """The note's `field_key`, under which its file's cache entry keeps these fields."""
    hashes: Hashes | None = None
    """The note's hashes as stored with its fields (found by place); None: to compute."""


def _place(note: Note, language: str) -> _Placement:
    """Readers give each field's first source line: the question's is the note's, the answer's its own."""
    question_line = note.source.line
    has_answer = not (note.answer is None or (note.kind is NoteKind.OPEN and not note.answer.strip()))
    answer_line = (note.answer_line or note.source.line) if has_answer else 0
    base = note.source.line
    key = field_key(note.source.path, note.kind.value, note.question, note.answer, question_line - base,
                    answer_line - base if has_answer else None, base if base < 1 else 0, language)
    return _Placement(question_line, answer_line, has_answer, key, language)


_Job = tuple[str, bool, str, str | None, int, int, bool, str]
"""What rendering a note needs, as plain values: its file, whether it is a cloze, its question
and answer, their first source lines, whether it has an answer, its language. Workers get
these, not the Note: a Note pickles and unpickles ten times slower (0.08 s at 10k notes)."""
_Output = tuple[str, str, tuple[MediaFile, ...], tuple[Diagnostic, ...], bool]
"""A rendered note as a worker sends it back, in the order of `_Fields`' first fields."""


def _job(note: Note, where: _Placement) -> _Job:
    return (note.source.path, note.kind is NoteKind.CLOZE, note.question, note.answer,
            where.question_line, where.answer_line, where.has_answer, where.language)


def _render_missing(
    notes: list[Note], placed: Mapping[int, _Placement], missing: list[int], project_root: Path, workers: int | None
) -> Iterator[tuple[int, _Fields]]:
    """(index, fields) for each note to render, in order; in worker processes when many."""
    count = workers if workers is not None else cores()
    if count <= 1 or len(missing) < (2 if workers is not None else _PARALLEL_MIN_NOTES):
        for index in missing:
            yield index, _Fields(*_render_fields(_job(notes[index], placed[index]), project_root), placed[index].key)
        return
    chunks = [chunk for i in range(count * 4) if (chunk := missing[i:: count * 4])]
    jobs = [[_job(notes[i], placed[i]) for i in chunk] for chunk in chunks]
    _load_ahead(jobs)
    with worker_pool(count) as pool:
        results: dict[int, _Output] = {}
        for chunk, batch in zip(chunks, pool.map(_render_batch, jobs, [project_root] * len(jobs))):
            results.update(zip(chunk, batch))
    for index in missing:
        yield index, _Fields(*results[index], placed[index].key)


def _load_ahead(jobs: list[list[_Job]]) -> None:
    """Build here, before the workers fork and share it, what each would otherwise build for itself
    on its first note: pylatexenc's argument specs, the direct path's pattern, the lexers of the
    languages the notes' code names (about 50 ms a worker)."""
    structure_problem("x")
    plain_html()
    load_ahead(text for batch in jobs for job in batch for text in (job[2], job[3] or ""))


def _render_batch(jobs: list[_Job], project_root: Path) -> list[_Output]:
    """Worker-process entry point: render a batch of notes."""
    return [_render_fields(job, project_root) for job in jobs]


def _render_fields(job: _Job, project_root: Path) -> _Output:
    """Render one note's question and answer, collecting its own findings and media."""
    path, is_cloze, question, answer, question_line, answer_line, has_answer, language = job
    found = Diagnostics()
    packer = MediaPacker(project_root, found, language)
    media: dict[str, MediaFile] = {}
    question_html = _Field(path, question_line, packer, found, media).render(question, is_cloze)
    answer_html = "" if is_cloze else no_answer_html(language)  # a cloze note's answer is its optional Extra
    if has_answer:
        answer_html = _Field(path, answer_line, packer, found, media).render(answer or "")
    return question_html, answer_html, tuple(media.values()), tuple(found.items), packer.calls > 0


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
    """One Markdown field of a note from the file at `path`; `first_line` is the source line of its first line."""

    path: str
    first_line: int
    packer: MediaPacker
    diagnostics: Diagnostics
    media: dict[str, MediaFile] = field(default_factory=dict)

    def render(self, text: str, is_cloze: bool = False) -> str:
        """Sanitised HTML of `text`; with `is_cloze`, `==x==` are deletions and every deletion is Anki-safe."""
        env: dict[str, object] = {NEXT_NUMBER: first_free_number(text)} if is_cloze else {}
        slots: list[str] = []
        direct = direct_html(text, {**env, CODE_SLOTS_KEY: slots})
        if direct is not None:  # the same HTML, without a token tree (see there)
            markup, formulas = direct
            for tex, line in formulas:
                self._check_math(tex, self.first_line + line)
            html_text = fill_code_slots(clean_markdown(markup), slots, code_slot)
            return self._cloze(html_text) if is_cloze else html_text
        md = markdown()
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
            slots = []
            env[CODE_SLOTS_KEY] = slots
            markup = md.renderer.render(tokens, md.options, env)
            cleaned = clean(markup) if env.get(SPLIT_OPEN_KEY) else clean_markdown(markup)
            html_text = fill_code_slots(cleaned, slots, code_slot)
        return self._cloze(html_text) if is_cloze else html_text

    def _cloze(self, html_text: str) -> str:
        if not cloze.numbers(html_text):
            self._warn(self.first_line, "cloze", "cloze text without any deletion ({{c1::...}} or ==...==): "
                       "written as a plain card")
        return cloze.anki_text(html_text)

    def _check_math(self, tex: str, line: int) -> None:
        problem = tex_problem(tex)
        if problem:
            self._warn(line, "math", f"math does not parse ({problem}): {_short(tex)}")

    def _inspect(self, token: Token, line: int) -> None:
        if token.type in MATH_TYPES:
            self._check_math(token.content, line)
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
        outcome = self.packer.pack(src, self.path, line)
        if isinstance(outcome, MediaFile):
            self.media.setdefault(outcome.name, outcome)
        return outcome

    def _warn(self, line: int, code: str, message: str) -> None:
        self.diagnostics.warning(self.path, line, code, message)


def _short(tex: str, limit: int = 60) -> str:
    flat = " ".join(tex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
