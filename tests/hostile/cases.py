"""Hostile source files found by the bad-input campaign (issue 13), generated small.

Each case is a name and the bytes of one source file; the tests put it next to a good
file and run `check`/`build` with a time budget. `scale` shrinks them for quick runs;
at scale 1.0 each case is the size the campaign found hanging.
"""

from __future__ import annotations

GOOD = "## Q1. Good question?\n\n**Réponse :** good answer\n".encode()


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def cases(scale: float = 1.0) -> dict[str, bytes]:
    """name -> bytes of one hostile file."""
    kb = lambda n: int(n * 1024 * scale)  # noqa: E731
    out: dict[str, str | bytes] = {
        "heading-trailing-spaces": "## Q1. first?\n\n**Réponse :** a\n\n# a" + " " * kb(3) + "x\n",
        "heading-hashes-spaces": "## Q1. first?\n\n**Réponse :** a\n\n# " + _repeat("# ", kb(50)) + "\n",
        "brackets-answer": "## Q1. first?\n\n**Réponse :** " + _repeat("[a ", kb(300)) + "\n",
        "brackets-heading": "# " + _repeat("[a ", kb(300)) + "\n\nanswer\n",
        "brackets-question-block": "Question : " + _repeat("[a ", kb(300)) + "\nRéponse : a\n",
        "escaped-brackets-answer": "## Q1. first?\n\n**Réponse :** " + _repeat("[\\", kb(200)) + "\n",
        "escaped-brackets-heading": "# " + _repeat("[\\", kb(200)) + "\n\nanswer\n",
        "escaped-brackets-question-block": "Question : " + _repeat("[\\", kb(200)) + "\nRéponse : a\n",
        "image-brackets-answer": "## Q1. first?\n\n**Réponse :** " + _repeat("![[", kb(200)) + "\n",
        "image-brackets-heading": "# " + _repeat("![[", kb(200)) + "\n\nanswer\n",
        "image-brackets-question-block": "Question : " + _repeat("![[", kb(200)) + "\nRéponse : a\n",
        "dollars-answer": "## Q1. first?\n\n**Réponse :** " + _repeat("$", kb(200)) + "\n",
        "dollars-heading": "# " + _repeat("$", kb(200)) + "\n\nanswer\n",
        "dollars-question-block": "Question : " + _repeat("$", kb(200)) + "\nRéponse : a\n",
        "dollar-x-answer": "## Q1. first?\n\n**Réponse :** " + _repeat("$x", kb(200)) + "\n",
        "backslash-paren": "## Q1. first?\n\n**Réponse :** " + _repeat("\\(", kb(200)) + "\n",
        "stars": "## Q1. first?\n\n**Réponse :** " + _repeat("*a", kb(200)) + "\n",
        "underscores": "## Q1. first?\n\n**Réponse :** " + _repeat("_a ", kb(200)) + "\n",
        "backticks": "## Q1. first?\n\n**Réponse :** " + _repeat("`", kb(200)) + "\n",
        "nested-list": "## Q1. first?\n\n**Réponse :** a\n\n" + "- " * max(2, int(5000 * scale)) + "a\n",
        "nested-list-lines": "## Q1. first?\n\n**Réponse :** a\n\n"
        + "".join(" " * (2 * i) + "- a\n" for i in range(max(2, int(700 * scale)))),
        "nested-quote": "## Q1. first?\n\n**Réponse :** " + ">" * max(2, int(5000 * scale)) + " a\n",
        "questions-without-answers": _repeat("Question : what is this about?\n", kb(4600)),
        "nested-divs": "## Q1. first?\n\n**Réponse :** a\n\n" + "<div>" * 150 + "x" + "</div>" * 150 + "\n",
        "long-spaces-line": "## Q1. first?\n\n**Réponse :** a\n\n" + " " * kb(1000) + "x\n",
        "space-runs-lines": "## Q1. first?\n\n**Réponse :** a\n\n" + ("- " + " " * kb(20) + "x\n") * 20,
        "backtick-run": "## Q1. first?\n\n**Réponse :** " + "`" * kb(100) + "a\n",
        "ampersands": "## Q1. first?\n\n**Réponse :** {{c1::" + "&" * kb(100) + "}}\n",
        "long-line": "## Q1. first?\n\n**Réponse :** " + "a" * kb(1000) + "\n",
        "many-headings": _repeat("## Q?\n", kb(500)),
        "html-comment-open": "## Q1. first?\n\n**Réponse :** " + _repeat("<!-- a ", kb(200)) + "\n",
        "img-tags": "## Q1. first?\n\n**Réponse :** " + _repeat("<img src=", kb(200)) + "\n",
        "labels-repeated": _repeat("**Réponse :** ", kb(200)) + "\n",
        "cloze-braces": "## Q1. first?\n\n**Réponse :** " + _repeat("{{c1::", kb(200)) + "\n",
        "details": "## Q1. first?\n\n**Réponse :** " + _repeat("<details><summary>", kb(100)) + "\n",
        "table-pipes": "## Q1. first?\n\n**Réponse :**\n\n" + _repeat("|", kb(100)) + "\n" + _repeat("|-", kb(100)) + "\n",
        "utf8-bom-invalid": b"\xef\xbb\xbf## Q1. first?\n\n**R\xe9ponse :** \xff\xfe a\n",
        "utf16le-bom-nul": b"\xff\xfe\x00",
        "utf16le-bom-odd": b"\xff\xfe" + "## Q?\n".encode("utf-16-le") + b"\x00",
        "utf16be-bom-invalid": b"\xfe\xff\xd8\x00\x00\x41",
        "utf32-bom-invalid": b"\xff\xfe\x00\x00\xff\xff\xff\xff",
        "nul-bytes": b"## Q1. first?\n\n**R\xc3\xa9ponse :** a\x00\x00b\n",
    }
    return {name: value if isinstance(value, bytes) else value.encode("utf-8") for name, value in out.items()}
