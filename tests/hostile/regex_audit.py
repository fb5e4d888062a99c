"""Every regular expression the package uses, and strings built to make a backtracking one explode.

Patterns are gathered two ways: the module-level compiled patterns of every `exporter`
module, and whatever `re`'s own cache holds after reading and rendering real notes
(inline `re.sub(r"...")` calls land there).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import exporter

UNITS = (" ", "\t", "a", "a ", "#", "# ", "[a ", "[\\", "![[", "](", "$", "$x", "\\(", "\\[", "*", "*a", "**",
         "_a ", "`", "<", "<!--", "<a ", "<img src=", "{", "{{c1::", "}", "|", "|-", "-", "- ", "1. ", ">",
         ":", " :", "Question : ", "**Réponse :** ", "\\", "\"", "'", "=", ".", "?", "é", "&", "&#", "x=\"",
         "\n", " \n", "# a\n", "> ", "\\begin{", "\\text{", "ex\"", "0.", "-0")
PREFIXES = ("", "# ", "## Q1. ", "Question : ", "**Réponse :** ", "- ", "<svg", "<span class=\"math inline\">\\(")


def package_patterns() -> set[re.Pattern[str]]:
    """The compiled patterns at module level of every exporter module."""
    found: set[re.Pattern[str]] = set()
    for info in pkgutil.walk_packages(exporter.__path__, "exporter."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # an optional writer whose library is missing
            continue
        for value in vars(module).values():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.add(value)
    return found


def cached_patterns() -> set[re.Pattern[str]]:
    """The patterns `re` compiled for inline calls so far (its private cache: best effort)."""
    cache = getattr(re, "_cache", {})
    return {p for p in cache.values() if isinstance(p, re.Pattern) and isinstance(p.pattern, str)}


def adversarial(size: int) -> list[str]:
    """Strings of about `size` characters: each prefix followed by one unit repeated, plus a tail."""
    out = []
    for prefix in PREFIXES:
        for unit in UNITS:
            body = prefix + unit * (size // len(unit))
            out.append(body)
            out.append(body + "!")
    return out
