"""The one configured MarkdownIt: CommonMark, tables, raw HTML, math and highlighted code.

Math is tokenised before any other inline rule touches it, so TeX keeps its
underscores, backslashes, braces and `<`. It comes out in the delimiters Anki's
MathJax reads: `<span class="math inline">\\(TEX\\)</span>` and
`<div class="math display">\\[TEX\\]</div>`, TEX escaped for HTML and nothing else.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.common.utils import escapeHtml, mdTrim
from markdown_it.rules_block import StateBlock, lheading
from markdown_it.rules_core import StateCore, block as block_rule, normalize
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from exporter.rendering.highlight import highlight_code
from exporter.rendering.cloze import highlight_keeping_clozes
from exporter.rendering.highlight_cloze import NEXT_NUMBER, highlight_cloze_plugin
from exporter.reading.field_blocks import block_tokens
from exporter.reading.mathdetect import BLOCK, DISPLAY_INLINE, INLINE, bracket_inline, display_block, unclosed_math

MATH_TYPES = frozenset({INLINE, DISPLAY_INLINE, BLOCK})
UNCLOSED_KEY = "unclosed_math"
"""`env` key: list of (0-based line, snippet) of unclosed `$` math found while parsing."""
CODE_SLOTS_KEY = "code_slots"
"""`env` key: when set to a list, highlighted code goes there and the HTML holds a slot for it.

The render stage then sanitises the HTML without the highlighter's markup (most of
it, in a note with code) and puts the code back after; see `sanitize.fill_code_slots`.
"""

SPLIT_OPEN_KEY = "display_math_split_open"
"""`env` key: set to True when display math was lifted out of a paragraph from inside open markup
(`**a $$x$$ b**`, a link, a cloze): the paragraphs around it then close tags they did not open."""

FLOOD_KEY = "bracket_flood"
"""`env` key: set to True when a paragraph had too many `[` for its links to be looked for."""
MAX_BRACKETS = 1000
"""Above this many `[` in one paragraph or heading, `[`/`![` are plain text there: markdown-it's
link-label scan restarts at every `[`, quadratic (200 KB of `![[` took minutes), and no
real note has a thousand links in one paragraph."""

# Children whose content may span lines; softbreak/hardbreak count one line each.
_MULTILINE_CHILDREN = frozenset({INLINE, DISPLAY_INLINE, "html_inline", "image"})


def escape_tex(tex: str) -> str:
    """HTML-escape TeX for a field: `&`, `<`, `>` only, so MathJax reads it back unchanged."""
    return html.escape(tex, quote=False)


def math_html(tex: str, display: bool) -> str:
    """The markup every writer relies on; surrounding whitespace of the formula is dropped."""
    body = escape_tex(tex.strip())
    if display:
        return f'<div class="math display">\\[{body}\\]</div>\n'
    return f'<span class="math inline">\\({body}\\)</span>'


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """Build the parser once; every note goes through this same configuration."""
    return _configured()


_CONTAINERS = r"^(?:[ \t]*(?:>|(?:[*+-]|\d{1,9}[.)])(?=[ \t])))*[ \t]*"
"""What may stand on a line before a block's first character: indentation, `>` and list markers."""
_RULE = re.compile(r"([-*_])[ \t]*\1[ \t]*\1")
_LIST_ITEM = re.compile(_CONTAINERS + r"(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)
_UNDERLINE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$", re.MULTILINE)
"""A setext underline: after a quote's `>` or a list item's indentation, nothing else on its line."""
_Trigger = tuple[str, ...] | re.Pattern[str]
# Each optional rule with the text it cannot match without: a text that lacks it
# is parsed without the rule, which could only have said no at every place it was
# tried (rules are tried in order and the first yes wins, so the others' answers are
# the same without it). Sound through containers: a block inside a list item or a
# quote is found after the markers `_CONTAINERS` allows.
_BLOCK_TRIGGERS: tuple[tuple[str, _Trigger], ...] = (
    ("table", ("|",)),
    # Indented code needs 4 columns of indentation past its container's: 4 spaces or a
    # tab somewhere (without it, markdown-it's is_code_block is false everywhere too).
    ("code", ("    ", "\t")),
    (BLOCK, ("$$", "\\[")),
    ("fence", ("```", "~~~")),
    ("blockquote", (">",)),
    ("hr", _RULE),
    ("list", _LIST_ITEM),
    ("reference", ("]:",)),
    ("html_block", ("<",)),
    ("heading", ("#",)),
    ("lheading", _UNDERLINE),
)


def parse_blocks(text: str) -> list[Token]:
    """The block tokens of `text` (inline tokens keep their content, children unparsed).

    Reading needs the block structure of whole files, and the block pass costs
    a few Python calls per rule per line: rules whose trigger the file does not
    hold are left out (same tokens, less time).
    """
    text = text.replace("\0", "\ufffd")
    md = _without(frozenset(name for name, trigger in _BLOCK_TRIGGERS if not _holds(text, trigger)))
    tokens: list[Token] = []
    if text:
        state = _BlockState(text, md, {}, tokens)
        md.block.tokenize(state, state.line, state.lineMax)
    return tokens


def _holds(text: str, trigger: _Trigger) -> bool:
    if isinstance(trigger, tuple):
        return any(part in text for part in trigger)
    return trigger.search(text) is not None


@lru_cache(maxsize=256)
def _without(block: frozenset[str]) -> MarkdownIt:
    """The configured parser less these block rules (0.1 ms to build, kept)."""
    if not block:
        return markdown()
    md = _configured()
    md.block.ruler.disable(sorted(block))
    md.core.ruler.at("block", block_rule)  # `field_blocks` reads the shapes of the full rule set
    return md


_CODE_LINE = "code line"
"""The key of a line indented as code (4 columns past its container's): every block rule but
`code` says no there first thing, and `code` says no anywhere else."""
_BLOCK_STARTS = {"code": (_CODE_LINE,), BLOCK: tuple("$\\"), "fence": tuple("`~"), "blockquote": (">",),
                 "hr": tuple("*-_"), "list": tuple("*+-0123456789"), "reference": ("[",), "html_block": ("<",),
                 "heading": ("#",)}
"""What each of these block rules can find first on a line (past its indentation and containers):
each rule looks there before anything else and says no, changing nothing, to anything else."""
_INLINE_STARTS = {"newline": ("\n",), INLINE: ("$",), "math_bracket": ("\\",), "escape": ("\\",), "backticks": ("`",),
                  "highlight_cloze": ("=",), "emphasis": tuple("*_"), "bracket_flood": tuple("[!"), "link": ("[",),
                  "image": ("!",), "autolink": ("<",), "html_inline": ("<",), "entity": ("&",)}
"""What each of these inline rules can find at the position it is tried at (likewise)."""
_TABLE_DELIMITER_STARTS = ("|", "-", ":")
"""A table's second line (its delimiter row) starts with one of these, which its rule checks first."""

_BlockRule = Callable[[StateBlock, int, int, bool], bool]
_InlineRule = Callable[[StateInline, bool], bool]


class _DispatchingRuler(Ruler[Any]):
    """A ruler whose chains call each rule of `starts` only where one of its keys (characters) stands.

    markdown-it tries every rule of a chain in order until one says yes: each block rule
    at every line (and, as a terminator, at every line of every paragraph), each inline
    rule wherever the text rule stops. Most rules look at one character first and say no
    to any other, a Python call (and a logging call) each time. Here each run of such
    rules in a chain is one function that looks the character up and calls, in their
    order, only the rules that can start with it: the first of them to say yes is the one
    markdown-it would have reached first, so the tokens are the same (15% less parse time
    on the benchmark's fields, with the table rule's gate).
    """

    def __init__(self, rules: Ruler[Any], starts: dict[str, tuple[str, ...]],
                 dispatcher: Callable[[dict[str, tuple[Any, ...]]], Any]) -> None:
        super().__init__()
        self.__rules__ = rules.__rules__
        self._starts = starts
        self._dispatcher = dispatcher

    def __compile__(self) -> None:
        super().__compile__()
        assert self.__cache__ is not None
        names = {id(rule.fn): rule.name for rule in self.__rules__}
        for chain, functions in self.__cache__.items():
            merged: list[Any] = []
            run: list[tuple[Any, tuple[str, ...]]] = []
            for function in [*functions, None]:
                starts = self._starts.get(names.get(id(function), "")) if function is not None else None
                if starts is not None:
                    run.append((function, starts))
                    continue
                if run:
                    by_start = {key: tuple(f for f, keys in run if key in keys) for _, keys in run for key in keys}
                    merged.append(self._dispatcher(by_start))
                    run = []
                if function is not None:
                    merged.append(function)
            self.__cache__[chain] = merged


def _block_dispatcher(by_start: dict[str, tuple[_BlockRule, ...]]) -> _BlockRule:
    def rules_starting_here(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if state.is_code_block(start_line):
            key = _CODE_LINE
        else:
            pos = state.bMarks[start_line] + state.tShift[start_line]
            key = state.src[pos : pos + 1]
        for rule in by_start.get(key, ()):
            if rule(state, start_line, end_line, silent):
                return True
        return False

    return rules_starting_here


def _before_a_delimiter_row(table: _BlockRule) -> _BlockRule:
    """The table rule, called only when the next line starts as a table's delimiter row can."""

    def table_here(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if start_line + 2 > end_line:
            return False
        pos = state.bMarks[start_line + 1] + state.tShift[start_line + 1]
        return state.src[pos : pos + 1] in _TABLE_DELIMITER_STARTS and table(state, start_line, end_line, silent)

    return table_here


def _with_an_underline(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The setext heading rule, called only when some line of the text can be its underline.

    Without one it says no having changed nothing but `state.parentType` (set to
    "paragraph", never restored), which every rule reading it sets first.
    """
    src = state.src
    if src is not _underlined[0]:  # not kept on the state: a new attribute slows all of its others
        _underlined[:] = [src, _UNDERLINE.search(src) is not None]
    return bool(_underlined[1]) and lheading(state, start_line, end_line, silent)


_underlined: list[Any] = [None, False]
"""The last text `_with_an_underline` looked at, and whether it holds a possible underline."""


def _block(state: StateCore) -> None:
    """markdown-it's block rule, with a one-line text starting with a letter taken as the paragraph it is.

    No block rule but the paragraph can start with a letter, and those that look at the
    next line (tables, setext headings) need one: the paragraph's three tokens are made
    here as its rule makes them, without setting up a block state (a third of the parse
    of a one-line question). Other texts made of the shapes `field_blocks` reads get their
    block tokens from there (half the parse of a field with a list), the rest from the parser.
    """
    src = state.src
    if state.inlineMode or not src:
        block_rule(state)
        return
    if "\n" in src or not src[:1].isalpha():
        tokens = block_tokens(src)
        if tokens is not None:
            state.tokens.extend(tokens)
            return
        block_state = _BlockState(src, state.md, state.env, state.tokens)
        state.md.block.tokenize(block_state, block_state.line, block_state.lineMax)
        return
    opening = Token("paragraph_open", "p", 1, map=[0, 1], block=True)
    inline = Token("inline", "", 0, map=[0, 1], level=1, content=mdTrim(src), children=[], block=True)
    state.tokens.extend((opening, inline, Token("paragraph_close", "p", -1, block=True)))


class _BlockState(StateBlock):
    """markdown-it's block state with its line tables made by string methods (the same tables).

    The original walks every line's indentation character by character in Python:
    the largest single cost of setting up a field's parse.
    """

    def __init__(self, src: str, md: MarkdownIt, env: Any, tokens: list[Token]) -> None:
        # The attributes of StateBlock.__init__, set in its order (so they share its key layout).
        self.src = src
        self.md = md
        self.env = env
        self.tokens = tokens
        self.bMarks = b_marks = []
        self.eMarks = e_marks = []
        self.tShift = t_shift = []
        self.sCount = s_count = []
        self.bsCount = []
        self.blkIndent = 0
        self.line = 0
        self.lineMax = 0
        self.tight = False
        self.ddIndent = -1
        self.listIndent = -1
        self.parentType = "root"
        self.level = 0
        self.result = ""
        start = 0
        lines = src.split("\n")
        last = len(lines) - 1
        for number, line in enumerate(lines):
            rest = line.lstrip(" \t")
            if number == last and not rest:
                break  # an empty or blank last line without its "\n" has no entry, as in the original
            indent = len(line) - len(rest)
            b_marks.append(start)
            start += len(line)
            e_marks.append(start)
            start += 1
            t_shift.append(indent)
            if indent and "\t" in line[:indent]:
                offset = 0
                for character in line[:indent]:
                    offset += 4 - offset % 4 if character == "\t" else 1
                s_count.append(offset)
            else:
                s_count.append(indent)
        length = len(src)
        b_marks.append(length)
        e_marks.append(length)
        t_shift.append(0)
        s_count.append(0)
        self.bsCount = [0] * len(b_marks)
        self.lineMax = len(b_marks) - 1
        self._code_enabled = "code" in md.block.ruler.get_active_rules()


_DELIMITER_RULES = frozenset({"balance_pairs", "strikethrough", "emphasis"})
"""Inline post-rules that only pair up delimiters (`*`, `_`, `~` runs): no-ops when none were found."""


def _inline_chain(md: MarkdownIt) -> Callable[[StateCore], None]:
    """markdown-it's inline core rule: lines `_plain_line` makes are made there, and the delimiter
    post-rules are skipped for a text without delimiters."""
    ruler2 = md.inline.ruler2
    kept = [rule.fn for rule in ruler2.__rules__ if rule.enabled and rule.name not in _DELIMITER_RULES]
    plain = _plain_line(md)

    def inline(state: StateCore) -> None:
        parser = md.inline
        env = state.env
        for token in state.tokens:
            if token.type != "inline":
                continue
            if token.children is None:
                token.children = []
            if not token.children:
                children = plain(token.content)
                if children is not None:
                    token.children.extend(children)
                    continue
            inline_state = StateInline(token.content, md, env, token.children)
            parser.tokenize(inline_state)
            delimited = inline_state.delimiters or any(meta and meta["delimiters"] for meta in inline_state.tokens_meta)
            for rule in ruler2.getRules("") if delimited else kept:
                rule(inline_state)

    return inline


_SPAN = re.compile(r"\$([^$]+)\$|`([^`\n]+)`|\*\*([^*]+)\*\*|(\n)[ \t]*")


_Piece = tuple[str, str]
"""A piece of a plain line: ("text", text), ("softbreak" | "hardbreak", ""), (INLINE, tex), ("code_inline", code)
or ("strong", text)."""


def _plain_pieces(md: MarkdownIt) -> Callable[[str], list[_Piece] | None]:
    """The pieces of lines of text, `$...$` math, `` `code` `` and `**strong**` alone, as markdown-it
    makes them; None for any other text.

    Text without the characters that stop markdown-it's text rule is one text token
    however it is parsed; at each `$` only the math rule can start, at each backtick only
    the code-span rule, at `**` only emphasis, at a line break only the newline rule (a
    soft or hard break, the blanks around it dropped as it drops them). Most questions,
    answers' paragraphs and list items are such lines (91% of the inline runs of the
    shipped notes): made here, they skip setting up an inline state, its rule loop and
    its post-rules.

    The text goes to the parser where a `$` would not open math as the math rule reads
    it (after a digit or an amount, before a digit, a closer after a backslash), for any
    run of more than one backtick, and for any `*` but a `**` pair that can only open
    (at the start or after a blank, before a letter or digit) and a `**` that can only
    close (after a letter or digit, before a blank or the end) around plain text: such
    pairs match each other and nothing else.
    """
    stops = md.inline.terminator_re.pattern
    assert stops.startswith("[") and stops.endswith("]") and all(c in stops for c in "$`*\n")
    text = "[^" + stops[1:]
    rules = {rule.name for rule in md.inline.ruler.__rules__ if rule.enabled} - {"text"}
    starts = {key for name in rules for key in _INLINE_STARTS.get(name, ())}
    if rules <= set(_INLINE_STARTS) and all(c in starts and c in stops for c in starts | set("$`*\n")):
        # A stop where no rule can start (`:`, `-`, `#`...) is taken as text, one character, and the text
        # rule goes on after it: the same text token. (Every start is a stop: one class says both.)
        text = f"[^{re.escape(''.join(sorted(starts)))}]"
    strong = f"(?<![^ \\n])\\*\\*[^\\W_](?:{text}*+(?<=[^\\W_]))?\\*\\*(?![^ \\n])"
    # A `$` is never first; no backtick right after a code span's closer.
    simple = re.compile(f"(?:{text}++|{strong})(?:{text}++|{strong}|\\$[^$]++\\$|`[^`\\n]++`(?!`)|\\n[ \\t]*+)*+")

    def pieces(content: str) -> list[_Piece] | None:
        if simple.fullmatch(content) is None:
            return None
        found: list[_Piece] = []
        pos = 0
        for span in _SPAN.finditer(content):
            start, end = span.span()
            tex, code, bold, newline = span.groups()
            pending = content[pos:start]
            if newline is not None:
                # The newline rule: two spaces or more before it make a hard break (and go), one goes.
                hard = pending.endswith("  ")
                pending = pending.rstrip(" ") if hard else pending[:-1] if pending.endswith(" ") else pending
            if pending:
                found.append(("text", pending))
            if newline is not None:
                found.append(("hardbreak" if hard else "softbreak", ""))
            elif tex is not None:
                # As the math rule reads it (no digit before; `start` is never 0) and `_not_after_an_amount`.
                if (content[start - 1].isdigit() or _after_an_amount(content, start)
                        or tex.endswith("\\") or content[end : end + 1].isdigit()):
                    return None
                found.append((INLINE, tex))
            elif code is not None:
                if code.startswith(" ") and code.endswith(" ") and code.strip(" "):
                    code = code[1:-1]  # as the code-span rule strips it
                found.append(("code_inline", code))
            else:
                found.append(("strong", bold))
            pos = end
        if pos < len(content):
            found.append(("text", content[pos:]))
        return found

    return pieces


def _plain_line(md: MarkdownIt) -> Callable[[str], list[Token] | None]:
    """The inline tokens markdown-it makes of a plain line (`_plain_pieces`); None for any other text."""
    pieces_of = _plain_pieces(md)

    def children(content: str) -> list[Token] | None:
        pieces = pieces_of(content)
        if pieces is None:
            return None
        found: list[Token] = []
        for kind, value in pieces:
            if kind == "text":
                found.append(Token("text", "", 0, content=value))
            elif kind == INLINE:
                found.append(Token(INLINE, "math", 0, content=value, markup="$"))
            elif kind == "code_inline":
                found.append(Token("code_inline", "code", 0, content=value, markup="`"))
            elif kind == "strong":
                # Emphasis leaves each `*` of the pair as a text token, turns the inner ones into the
                # tags and empties the outer ones, which then join the text around them.
                found.extend((Token("text", "", 0), Token("strong_open", "strong", 1, markup="**"),
                              Token("text", "", 0, level=1, content=value),
                              Token("strong_close", "strong", -1, markup="**"), Token("text", "", 0)))
            else:
                found.append(Token(kind, "br", 0))
        return _joined(found)

    return children


Formula = tuple[str, int]
"""A formula's TeX and its 0-based line in the text it was found in."""


@lru_cache(maxsize=1)
def plain_html() -> Callable[[str], tuple[str, list[Formula]] | None]:
    """The HTML `markdown()` renders for the inline tokens of a plain line (`_plain_pieces`), and its formulas;
    None for any other text. (Our options: XHTML tags, a soft break as a newline.)"""
    md = markdown()
    assert md.options["xhtmlOut"] and not md.options["breaks"]
    pieces_of = _plain_pieces(md)

    def html(content: str) -> tuple[str, list[Formula]] | None:
        pieces = pieces_of(content)
        if pieces is None:
            return None
        out: list[str] = []
        formulas: list[Formula] = []
        line = 0
        for kind, value in pieces:
            if kind == "text":
                out.append(escapeHtml(value))
            elif kind == INLINE:
                out.append(math_html(value, False))
                formulas.append((value, line))
                line += value.count("\n")
            elif kind == "code_inline":
                out.append("<code>" + escapeHtml(value) + "</code>")
            elif kind == "strong":
                out.append("<strong>" + escapeHtml(value) + "</strong>")
            else:
                out.append("<br />\n" if kind == "hardbreak" else "\n")
                line += 1
        return "".join(out), formulas

    return html


def _joined(tokens: list[Token]) -> list[Token]:
    """Adjacent text tokens joined into one, as markdown-it's `fragments_join` does after emphasis."""
    if len(tokens) < 2:
        return tokens
    joined = [tokens[0]]
    for token in tokens[1:]:
        if token.type == "text" and joined[-1].type == "text":
            joined[-1].content += token.content
        else:
            joined.append(token)
    return joined


def _inline_dispatcher(by_start: dict[str, tuple[_InlineRule, ...]]) -> _InlineRule:
    def rules_starting_here(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        for rule in by_start.get(state.src[pos : pos + 1], ()):
            if rule(state, silent):
                return True
        return False

    return rules_starting_here


def _configured(dispatch: bool = True) -> MarkdownIt:
    """The configuration; `dispatch=False` gives markdown-it's own rule loops and `normalize` (the tests' reference)."""
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.dollarmath.index import math_inline_dollar

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    # Every URL reaches the render stage, which refuses and reports what is unsafe
    # (file:, data: images, javascript: links) instead of leaving it as silent text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    dollarmath_plugin(md, allow_labels=False, allow_space=True, allow_digits=False, double_inline=True)
    # dollarmath's block rule ignores `silent` and cannot end a paragraph; ours does both.
    md.block.ruler.at(BLOCK, display_block, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.inline.ruler.at(INLINE, _not_after_an_amount(math_inline_dollar(allow_space=True, allow_digits=False, allow_double=True)))
    md.inline.ruler.before("escape", "math_bracket", bracket_inline)
    md.inline.ruler.before("link", "bracket_flood", _bracket_flood)
    highlight_cloze_plugin(md)  # idle outside cloze notes
    if dispatch:
        md.core.ruler.at("normalize", _normalize)
        md.core.ruler.at("block", _block)
        md.core.ruler.at("inline", _inline_chain(md))
    md.core.ruler.after("inline", "line_numbers", _annotate_lines)
    md.core.ruler.after("line_numbers", "unclosed_math", _find_unclosed_math)
    md.core.ruler.after("unclosed_math", "display_out_of_paragraph", _lift_display_math)

    md.add_render_rule(INLINE, lambda self, tokens, idx, options, env: math_html(tokens[idx].content, False))
    md.add_render_rule(DISPLAY_INLINE, lambda self, tokens, idx, options, env: math_html(tokens[idx].content, True))
    md.add_render_rule(BLOCK, lambda self, tokens, idx, options, env: math_html(tokens[idx].content, True))
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", lambda self, tokens, idx, options, env: _code(tokens[idx].content, None, env))
    if dispatch:
        table = md.block.ruler.__rules__[md.block.ruler.__find__("table")]
        md.block.ruler.at("table", _before_a_delimiter_row(table.fn), {"alt": table.alt})
        md.block.ruler.at("lheading", _with_an_underline)
        md.block.ruler = _DispatchingRuler(md.block.ruler, _BLOCK_STARTS, _block_dispatcher)
        md.inline.ruler = _DispatchingRuler(md.inline.ruler, _INLINE_STARTS, _inline_dispatcher)
    return md


def _not_after_an_amount(rule: Any) -> Any:
    """French prices write the sign after the amount (`5 $ et 6 $`): such a `$` never opens math."""

    def guarded(state: Any, silent: bool) -> bool:
        if state.src[state.pos] == "$" and _after_an_amount(state.src, state.pos):
            return False
        return bool(rule(state, silent))

    return guarded


def _after_an_amount(src: str, pos: int) -> bool:
    """Whether `pos` follows a digit and one blank (`5 $`)."""
    before = src[max(pos - 2, 0) : pos]
    return len(before) == 2 and before[0].isdigit() and before[1] in " \t"


def _bracket_flood(state: Any, silent: bool) -> bool:
    """In a paragraph with more than `MAX_BRACKETS` `[`, take `[` and `![` as text (see there)."""
    src = state.src
    opener = "![" if src.startswith("![", state.pos) else "[" if src[state.pos] == "[" else ""
    if not opener:
        return False
    count = state.__dict__.get("_exporter_brackets")
    if count is None:
        count = state.__dict__["_exporter_brackets"] = src.count("[")
    if count <= MAX_BRACKETS:
        return False
    if not silent:
        state.pending += opener
        state.env[FLOOD_KEY] = True
    state.pos += len(opener)
    return True


def _render_fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return fence_html(tokens[idx].content, tokens[idx].info, env)


def fence_html(code: str, info: str, env: Any) -> str:
    """A fenced code block as the renderer writes it: highlighted in the language its info names."""
    info = info.strip()
    language = info.split()[0] if info else None
    return _code(code, language, env)


def _code(code: str, language: str | None, env: Any) -> str:
    """Highlighted code (in a cloze note's text, with its deletions kept whole for Anki), or a slot
    for it when the caller collects code apart (`CODE_SLOTS_KEY`)."""
    if isinstance(env, dict) and NEXT_NUMBER in env:
        highlighted = highlight_keeping_clozes(code, lambda bare: highlight_code(bare, language))
    else:
        highlighted = highlight_code(code, language)
    slots = env.get(CODE_SLOTS_KEY) if isinstance(env, dict) else None
    if slots is None:
        return highlighted
    slots.append(highlighted)
    return code_slot(len(slots) - 1) + "\n"


def code_slot(index: int) -> str:
    """The stand-in for the `index`th code block: an empty `<div>`, parsed like the real one."""
    return f'<div class="exporter-code-slot-{index}"></div>'


def _normalize(state: StateCore) -> None:
    r"""markdown-it's `normalize` (`\r\n` and `\r` to `\n`, NUL to U+FFFD), skipped on a text
    without either: its two substitutions would give the text back, about 4% of a field's parse."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def _annotate_lines(state: StateCore) -> None:
    """Give every inline child `meta["line"]`: its 0-based line in the parsed text."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            child.meta["line"] = line
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in _MULTILINE_CHILDREN:
                line += child.content.count("\n")


def _find_unclosed_math(state: StateCore) -> None:
    """Look for a lone `$` before text_join merges escaped characters back into plain text."""
    found: list[tuple[int, str]] = state.env.setdefault(UNCLOSED_KEY, [])
    for token in state.tokens:
        if token.type == "inline" and _may_hold_unclosed_math(token):
            found.extend(_unclosed_math_lines(token))


def _may_hold_unclosed_math(token: Token) -> bool:
    """Whether an inline token's text may hold a `$` opening math: a plain text child with a `$`.

    Children hold the source's own characters (an entity's text keeps its markup here);
    every other `$` went into math or code, or is escaped (`\\$`, which never opens math).
    """
    return bool(token.children) and "$" in token.content and any(
        child.type == "text" and "$" in child.content for child in token.children or ())


def _unclosed_math_lines(token: Token) -> Iterator[tuple[int, str]]:
    """(0-based line, snippet) of each line of an inline token holding unclosed math."""
    pieces: list[str] = []
    first_line = None
    for child in [*(token.children or ()), Token("softbreak", "br", 0)]:
        if child.type == "text":
            if first_line is None:
                first_line = child.meta.get("line", 0)
            pieces.append(child.content)
        elif child.type in ("em_open", "em_close", "strong_open", "strong_close"):
            continue
        elif child.type == "text_special":
            pieces.append(child.markup)  # `\$` stays escaped, so it never opens math
        elif child.type in ("softbreak", "hardbreak"):
            snippet = unclosed_math("".join(pieces))
            if snippet:
                yield first_line or 0, snippet
            pieces, first_line = [], None
        else:
            pieces.append("\x00")


def _lift_display_math(state: StateCore) -> None:
    """Split a paragraph around display math so no `<div>` ends up inside a `<p>`."""
    if "$$" not in state.src and "\\[" not in state.src:
        return  # display math inside a paragraph opens with one of these
    old = state.tokens
    split = [i for i in range(len(old) - 2) if old[i].type == "paragraph_open" and _holds_display_math(old[i + 1])]
    if not split:
        return
    if any(_open_at_display_math(old[i + 1]) for i in split):
        state.env[SPLIT_OPEN_KEY] = True
    tokens: list[Token] = []
    done = 0
    for i in split:
        tokens.extend(old[done:i])
        tokens.extend(_split_paragraph(old[i], old[i + 1], old[i + 2]))
        done = i + 3
    tokens.extend(old[done:])
    state.tokens = tokens


def _holds_display_math(inline: Token) -> bool:
    """Whether an inline token has display math among its children (which only a `$$` or `\\[` in its text opens)."""
    return ("$$" in inline.content or "\\[" in inline.content) and any(
        child.type == DISPLAY_INLINE for child in inline.children or ())


def _open_at_display_math(inline: Token) -> bool:
    """Whether some display math among an inline token's children stands inside markup opened before it."""
    depth = 0
    for child in inline.children or ():
        if depth and child.type == DISPLAY_INLINE:
            return True
        depth += child.nesting
    return False


def _split_paragraph(opening: Token, inline: Token, closing: Token) -> Iterator[Token]:
    segment: list[Token] = []
    for child in [*(inline.children or ()), None]:
        if child is not None and child.type != DISPLAY_INLINE:
            segment.append(child)
            continue
        trimmed = _trim(segment)
        if trimmed:
            text = Token("inline", "", 0, map=inline.map, content="", children=trimmed)
            yield Token(opening.type, opening.tag, 1, map=opening.map, hidden=opening.hidden, level=opening.level, block=True)
            yield text
            yield Token(closing.type, closing.tag, -1, hidden=closing.hidden, level=closing.level, block=True)
        segment = []
        if child is not None:
            block = Token(BLOCK, "math", 0, content=child.content, markup=child.markup, block=True)
            block.map = [child.meta.get("line", 0), child.meta.get("line", 0) + child.content.count("\n") + 1]
            block.meta = dict(child.meta)
            yield block


def _trim(children: list[Token]) -> list[Token]:
    """Drop the line breaks and blanks left at the edges of a split paragraph."""
    items = list(children)
    while items and (items[0].type in ("softbreak", "hardbreak") or _blank(items[0])):
        items.pop(0)
    while items and (items[-1].type in ("softbreak", "hardbreak") or _blank(items[-1])):
        items.pop()
    if items and items[0].type == "text":
        items[0].content = items[0].content.lstrip()
    if items and items[-1].type == "text":
        items[-1].content = items[-1].content.rstrip()
    return items


def _blank(token: Token) -> bool:
    return token.type == "text" and not token.content.strip()


def walk(tokens: Sequence[Token], types: frozenset[str]) -> Iterator[tuple[Token, int]]:
    """Every token of these types with its 0-based line in the parsed text, inline children included.

    Tokens are tested before their line is worked out: a field has a few dozen
    tokens, of which the render stage looks at a handful.
    """
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.type in types:
            yield token, line
        for child in token.children or ():
            if child.type in types:
                yield child, int(child.meta.get("line", line))
