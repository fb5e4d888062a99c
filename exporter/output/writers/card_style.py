"""The Anki note type's card templates and stylesheet: phone-friendly, night-mode aware.

The templates are part of the note type's shape (see `exporter.output.writers.apkg`): changing
them, like changing the fields, needs a new note type name and ID. The CSS may change
freely, but Anki only takes the new CSS into a collection when the note type's
modification time is newer, so bump `STYLE_MODIFIED` with every change to it.
"""

from __future__ import annotations

from functools import lru_cache

from exporter.rendering.highlight import pygments_css

STYLE_MODIFIED = 1_795_996_800
"""Seconds since the epoch (2026-11-30) of the last change to templates or CSS; bump it on change."""



def front_template(shown: str) -> str:
    """A card's front: the context line, then the field `shown` as the question."""
    return f"""\
<div class="exporter kind-{{{{Kind}}}}">
{{{{#Context}}}}<div class="context">{{{{Context}}}}</div>{{{{/Context}}}}
<div class="question">{{{{{shown}}}}}</div>
</div>"""


def back_template(hidden: str) -> str:
    """A card's back: its front, the rule Anki scrolls to, the field `hidden` as the answer, the source."""
    return f"""\
{{{{FrontSide}}}}

<hr id=answer>

<div class="exporter kind-{{{{Kind}}}}">
<div class="answer">{{{{{hidden}}}}}</div>
{{{{#Source}}}}<div class="source">{{{{Source}}}}</div>{{{{/Source}}}}
</div>"""


FRONT_TEMPLATE = front_template("Question")
BACK_TEMPLATE = back_template("Answer")
REVERSE_FRONT_TEMPLATE = front_template("Answer")
"""The reversed note type's second card: the answer asks, the question answers."""
REVERSE_BACK_TEMPLATE = back_template("Question")

CLOZE_FRONT_TEMPLATE = """\
<div class="exporter kind-{{Kind}}">
{{#Context}}<div class="context">{{Context}}</div>{{/Context}}
<div class="cloze-text">{{cloze:Text}}</div>
</div>"""
"""As Anki's own Cloze type: one template, `{{cloze:Text}}` on both sides (the front shows blanks)."""

CLOZE_BACK_TEMPLATE = """\
<div class="exporter kind-{{Kind}}">
{{#Context}}<div class="context">{{Context}}</div>{{/Context}}
<div class="cloze-text">{{cloze:Text}}</div>
{{#Extra}}<hr id=answer>
<div class="answer">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="source">{{Source}}</div>{{/Source}}
</div>"""

# Anki desktop puts `nightMode` (and `night_mode`) on the body and `.card.nightMode` on the
# card; AnkiDroid has used `night_mode`. Every dark rule covers all of these spellings.
_NIGHT = (".nightMode", ".night_mode")

_BASE_CSS = """\
.card {
  --fg: #1f2328;
  --bg: #ffffff;
  --muted: #5f6b78;
  --border: #d0d7de;
  --code-bg: #f6f8fa;
  --table-head: #eef1f4;
  --link: #0b63c5;
  --warn-fg: #8a4b00;
  --warn-bg: #fff4e0;
  --warn-border: #e0a040;
  --cue: rgba(0, 0, 0, 0.28);
  --cloze: #0b4fb3;
  --cloze-bg: #e6efff;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 19px;
  line-height: 1.5;
  text-align: left;
  color: var(--fg);
  background-color: var(--bg);
  margin: 0;
  padding: 12px 14px;
  overflow-wrap: break-word;
  word-wrap: break-word;
}

NIGHT_CARD {
  --fg: #e6e6e6;
  --bg: #1e1f22;
  --muted: #a0a8b2;
  --border: #4a4f57;
  --code-bg: #272822;
  --table-head: #2c3036;
  --link: #7ab8ff;
  --warn-fg: #ffcf8a;
  --warn-bg: #3a2a12;
  --warn-border: #a86f1c;
  --cue: rgba(255, 255, 255, 0.35);
  --cloze: #9cc7ff;
  --cloze-bg: #1d3250;
}

/* Text keeps a readable measure; code, tables and formulas may use the whole card's width. */
.exporter { margin: 0 auto; max-width: 72em; }
.exporter p, .exporter li, .exporter .context, .exporter .source { max-width: 42em; }
.exporter a { color: var(--link); }
.exporter p { margin: 0.4em 0; }
.exporter ul, .exporter ol { padding-left: 1.4em; margin: 0.4em 0; }

.context {
  font-size: 0.72em;
  color: var(--muted);
  margin-bottom: 0.5em;
  letter-spacing: 0.01em;
}
.question { font-weight: 600; }
/* cloze deletions: Anki wraps the active one in span.cloze ("[...]" on the front) */
.exporter .cloze {
  font-weight: 700;
  color: var(--cloze);
  background: var(--cloze-bg);
  border-radius: 3px;
  padding: 0 0.15em;
}
.answer { margin-top: 0.2em; }
.source {
  font-size: 0.7em;
  color: var(--muted);
  margin-top: 1.2em;
  border-top: 1px solid var(--border);
  padding-top: 0.4em;
}
hr#answer { border: none; border-top: 1px solid var(--border); margin: 0.9em 0; }

/* images and media never wider than the screen */
.exporter img, .exporter svg, .exporter video { max-width: 100%; height: auto; }

/* Wide code, tables and display formulas scroll sideways inside their own block, never the
   card. A shadow shows on the side where more is hidden (the "local" backgrounds cover it
   once scrolled to that end): a phone hides scrollbars, so without it a cut-off Param column
   or the last digits of a result would look like all there is. */
.exporter pre, .exporter table, .math.display {
  --cue-bg: var(--bg);
  overflow-x: auto;
  -webkit-overflow-scrolling: touch;
  scrollbar-width: thin;
  background:
    linear-gradient(to right, var(--cue-bg) 40%, transparent) left center / 1.5em 100% no-repeat local,
    linear-gradient(to left, var(--cue-bg) 40%, transparent) right center / 1.5em 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, var(--cue), transparent) left center / 0.7em 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, var(--cue), transparent) right center / 0.7em 100% no-repeat scroll,
    var(--cue-bg);
}
.exporter pre { --cue-bg: var(--code-bg); }
.exporter pre::-webkit-scrollbar, .exporter table::-webkit-scrollbar, .math.display::-webkit-scrollbar { height: 6px; }
.exporter pre::-webkit-scrollbar-thumb, .exporter table::-webkit-scrollbar-thumb,
.math.display::-webkit-scrollbar-thumb { background: var(--border); border-radius: 3px; }

/* code */
.exporter code {
  font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.85em;
  background: var(--code-bg);
  border-radius: 3px;
  padding: 0.1em 0.3em;
}
.exporter pre {
  padding: 0.6em 0.8em;
  border-radius: 6px;
  border: 1px solid var(--border);
  line-height: 1.35;
  font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.8em; /* Pygments writes <pre><span>, with no <code> to size */
}
.exporter pre code { background: none; padding: 0; font-size: 1em; }
.highlight { margin: 0.5em 0; border-radius: 6px; }

/* math: the display block scrolls (see above); MathJax's own container must not clip it */
.math.display { display: block; max-width: 100%; padding: 0.2em 0; overflow-y: hidden; }
.math.display mjx-container[display="true"] { margin: 0.4em 0; min-width: max-content; }

/* tables: borders, readable header, horizontal scroll on narrow screens */
.exporter table {
  display: block;
  max-width: 100%;
  border-collapse: collapse;
  margin: 0.5em 0;
  font-size: 0.9em;
}
.exporter th, .exporter td {
  border: 1px solid var(--border);
  padding: 0.3em 0.6em;
  vertical-align: top;
}
.exporter th { background: var(--table-head); }

/* problems the build already reported stay visible on the card */
.missing-media {
  display: inline-block;
  max-width: 100%;
  box-sizing: border-box;
  overflow-wrap: anywhere;
  color: var(--warn-fg);
  background: var(--warn-bg);
  border: 1px dashed var(--warn-border);
  border-radius: 4px;
  padding: 0.1em 0.4em;
  font-size: 0.85em;
}
.no-answer {
  color: var(--warn-fg);
  background: var(--warn-bg);
  border-left: 4px solid var(--warn-border);
  padding: 0.3em 0.6em;
  font-style: italic;
}

@media (max-width: 480px) {
  .card { font-size: 17px; padding: 8px 10px; }
}

/* printed cards: nothing scrolls on paper, so long lines wrap */
@media print {
  .exporter pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  .exporter pre, .exporter table, .math.display { overflow: visible; background: var(--cue-bg); }
}
"""


def _night_card_selector() -> str:
    selectors = []
    for night in _NIGHT:
        selectors += [f".card{night}", f"{night} .card"]
    return ",\n".join(selectors)


@lru_cache(maxsize=1)
def card_css() -> str:
    """The note type's whole stylesheet: layout, night-mode colours and Pygments code colours."""
    code_css = pygments_css(_NIGHT[0])
    # `pygments_css` prefixes its dark rules with one selector; repeat them for the other spelling.
    first_dark = code_css.index(f"{_NIGHT[0]} ")
    other_dark = code_css[first_dark:].replace(f"{_NIGHT[0]} ", f"{_NIGHT[1]} ")
    return _BASE_CSS.replace("NIGHT_CARD", _night_card_selector()) + "\n" + code_css + other_dark
