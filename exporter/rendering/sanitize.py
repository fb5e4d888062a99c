"""Card HTML is untrusted: an nh3 allowlist cleans it, and what it removes is named first.

nh3 strips silently, so `unsafe_parts` looks at the raw HTML of a note before
cleaning and says which dangerous kinds are there; the render stage reports
them with the note's line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, Callable

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
        "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
        "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "p": {"align", "class"},
    "div": {"class", "align"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "ol": {"start"},
    "th": {"align", "style", "colspan", "rowspan"},
    "td": {"align", "style", "colspan", "rowspan"},
    "details": {"open"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_DANGEROUS_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "style", "form", "base", "meta", "link", "svg"}
)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})
_INVISIBLE = re.compile(r"[\x00-\x20]+")
MAX_NESTING = 100
"""Elements inside each other a field may hold: WeasyPrint lays boxes out recursively and
raised RecursionError at 150 nested `<div>`s, losing the deck's PDF. Markdown nests
lists and quotes deeper than that only on purpose to break things."""
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*+)([^<>]*+)>")
_VOID = frozenset({"br", "hr", "img", "wbr", "col", "input", "source"})


def clean(markup: str) -> str:
    """The allowlisted HTML: seed markup (`<p align>`, `<img width>`, tables, code, math) survives."""
    cleaned: str = _cleaner().clean(markup)
    return cleaned


@lru_cache(maxsize=1)
def _cleaner() -> Any:
    """One nh3 sanitizer for the process: `nh3.clean` built its allowlists anew on every call,
    three quarters of the time it took on a note's field."""
    import nh3

    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        filter_style_properties={"text-align"},
        strip_comments=True,
        attribute_filter=_absolute_links_only,
    )


_MARKDOWN_VOCABULARY = re.compile(
    r"(?:[^<>&\x00\r\xa0]++"  # text nh3 writes back as it is
    r"|&(?:amp|lt|gt|quot);"
    r"|</?(?:p|ul|ol|li|em|strong|code|blockquote|h[1-6]|span|div)>"
    r"|<ol start=\"\d{1,9}\">|<(?:span|div) class=\"[a-z0-9 -]*\">|<br />|<hr />)*+"
)
"""What markdown-it writes from Markdown without links, images, tables or raw HTML: tags nh3
keeps as they are (`<br />` and `<hr />` aside), escaped text, no character nh3 rewrites."""


def clean_markdown(markup: str) -> str:
    """`clean(markup)` for markup rendered from Markdown alone, properly nested; without parsing it when it can.

    Such markup, when it holds only `_MARKDOWN_VOCABULARY`, is a tree nh3 keeps as it
    is: every tag allowed with its attributes, none that an HTML parser moves (no block
    inside a paragraph: display math is lifted out of them), text escaped as markdown-it
    escapes it. nh3 then only writes `&quot;` as `"` and void tags without their `/`:
    done here, it saves parsing most fields (tests/test_sanitize.py compares both on
    every field of the shipped and benchmark notes and thousands of random texts).
    The caller guarantees the nesting: markup split around display math inside `*...*`
    or a link is not properly nested, and goes to `clean`.
    """
    if _MARKDOWN_VOCABULARY.fullmatch(markup) is None:
        return clean(markup)
    if "&quot;" in markup:
        markup = markup.replace("&quot;", '"')
    if "/>" in markup:
        markup = markup.replace("<br />", "<br>").replace("<hr />", "<hr>")
    return markup


def as_cleaned(highlighted: str) -> str:
    """Highlighter HTML exactly as `clean` would give it back, without parsing it.

    Pygments and `html.escape` write only `<div>`, `<pre>`, `<code>` and `<span class>`
    (all allowed) around escaped text; nh3 keeps that tree and re-serialises the text,
    writing quotes bare, a no-break space as `&nbsp;` and dropping NUL. Doing the same
    here saves parsing the largest part of a note with code (tests/test_sanitize.py
    compares both on thousands of random snippets).
    """
    return (highlighted.replace("&quot;", '"').replace("&#39;", "'").replace("&#x27;", "'")
            .replace("\xa0", "&nbsp;").replace("\x00", ""))


def fill_code_slots(cleaned: str, slots: list[str], slot: Callable[[int], str]) -> str:
    """Put each highlighted code block back where `clean` left its empty stand-in `<div>`."""
    for index, highlighted in enumerate(slots):
        cleaned = cleaned.replace(slot(index) + "\n", as_cleaned(highlighted), 1)
    return cleaned


def _absolute_links_only(element: str, attribute: str, value: str) -> str | None:
    """Keep a link only when it leads somewhere from a phone or a printed page.

    A relative link (`TrainingTricks.md`, `lab/README.md`, `#part`) in the user's notes
    points into the folder they were written in: on a card it goes nowhere, and in a PDF
    it would become a `file://` path of the machine that built it. The text stays; the
    `href` goes.
    """
    if element == "a" and attribute == "href":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        return value if scheme in URL_SCHEMES else None
    return value


def unsafe_parts(markup: str) -> list[str]:
    """The dangerous kinds present in raw HTML, in order of appearance, each named once."""
    finder = _UnsafeFinder()
    finder.feed(_without_comments(markup))
    finder.close()
    return list(dict.fromkeys(finder.found))


def _without_comments(markup: str) -> str:
    """`markup` without its HTML comments (an unclosed one runs to the end, as browsers read it).

    Comments never reach a card (`clean` strips them) so nothing in them is unsafe; and
    the standard library's parser rescans from every `<!--` that has no `-->`, which
    made 200 KB of `<!-- a` take minutes.
    """
    kept: list[str] = []
    pos = 0
    while (start := markup.find("<!--", pos)) >= 0:
        kept.append(markup[pos:start])
        for abrupt in ("<!-->", "<!--->"):  # closed at once, as HTML5 reads them
            if markup.startswith(abrupt, start):
                pos = start + len(abrupt)
                break
        else:
            end = markup.find("-->", start + 4)
            if end < 0:
                return "".join(kept)
            pos = end + 3
    kept.append(markup[pos:])
    return "".join(kept)


def nesting_depth(markup: str) -> int:
    """How many elements deep `markup` (clean HTML, as `clean` returns it) nests at its deepest."""
    depth = deepest = 0
    for closing, name, rest in _TAG.findall(markup):
        if name.lower() in _VOID or rest.endswith("/"):
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def is_script_url(url: str) -> bool:
    """True for `javascript:`/`vbscript:` URLs, however browsers would still read them."""
    return _INVISIBLE.sub("", url).lower().startswith(("javascript:", "vbscript:"))


class _UnsafeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DANGEROUS_TAGS:
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event handler attribute {name}")
            elif name in _URL_ATTRIBUTES and value is not None and is_script_url(value):
                self.found.append("javascript: URL")

    handle_startendtag = handle_starttag
