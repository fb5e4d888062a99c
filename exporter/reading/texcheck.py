"""Does a formula's TeX hold together? One pass over the text, the same verdicts as pylatexenc.

The render stage checks every formula of every note (braces, environments, math
delimiters, arguments of known macros); pylatexenc's `LatexWalker` did it by building a
node tree, a third of a cold build. This scanner follows the walker's grammar exactly
(its tokens, its argument rules, its error messages) but builds nothing and looks at
each character once, so a check costs microseconds. The macro and environment argument
specs are read from pylatexenc's own default database, so the two cannot drift apart;
tests/test_texcheck.py compares both on every formula of the shipped sources, the
benchmark corpus and thousands of damaged variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


class TexError(Exception):
    """The first problem found; the message is pylatexenc's wording for it."""


class _EndOfInput(Exception):
    """The text ended where a token was needed (pylatexenc's LatexWalkerEndOfStream)."""


@dataclass(frozen=True)
class _ArgSpec:
    argspec: str
    """`{` mandatory, `[` optional, `*` optional star: pylatexenc's notation."""
    math_modes: tuple[bool | None, ...] | None = None
    """Per argument: read in math mode (True), text mode (False) or as around it (None)."""
    no_space_before_optional: bool = False
    verbatim: bool = False
    math_environment: bool = False


@dataclass(frozen=True)
class _Specs:
    macros: dict[str, _ArgSpec]
    environments: dict[str, _ArgSpec]
    specials: tuple[str, ...]
    """Multi-character specials (`--`, ``` `` ```): one token each, longest first."""


@lru_cache(maxsize=1)
def _specs() -> _Specs:
    """Argument specs from pylatexenc's default latex context (8 ms, once per process)."""
    from pylatexenc.latexwalker import get_default_latex_context_db

    db = get_default_latex_context_db()

    def spec(item: object, math_environment: bool = False) -> _ArgSpec:
        parser = getattr(item, "args_parser")
        modes = getattr(parser, "args_math_mode", None)
        return _ArgSpec(
            argspec=getattr(parser, "argspec", "") or "",
            math_modes=tuple(modes) if modes is not None else None,
            no_space_before_optional=bool(getattr(parser, "optional_arg_no_space", False)),
            verbatim=type(parser).__name__ == "VerbatimArgsParser",
            math_environment=math_environment,
        )

    macros = {m.macroname: spec(m) for m in reversed(list(db.iter_macro_specs()))}
    environments = {e.environmentname: spec(e, bool(e.is_math_mode))
                    for e in reversed(list(db.iter_environment_specs()))}
    specials = sorted((s.specials_chars for s in db.iter_specials_specs() if len(s.specials_chars) > 1),
                      key=len, reverse=True)
    return _Specs(macros, environments, tuple(specials))


_NO_ARGS = _ArgSpec("")
_ENVIRONMENT_NAME = re.compile(r"(?<!\s)\s*+\{([\w* ._-]++)\}")
r"""Matched right after `\begin`/`\end` (a letter precedes); `(?<!\s)` keeps a search linear too."""
_PARAGRAPH = "\n\n"
_STRUCTURAL = re.compile(r"[\\{}$%]")
_STRUCTURAL_BRACKETS = re.compile(r"[\\{}$%\[\]]")
_PLAIN_GROUP_REST = re.compile(r"(?<=\{)[^\\{}$%]*+\}")
"""The rest of a braced group after its `{` with no structural character inside: the node list
read there stops at its `}` at once, having found nothing (brackets are plain inside braces).
(The `{` looked behind keeps a search linear.)"""
_ASCII_MACRO = re.compile(r"\\([A-Za-z]+)")


@dataclass
class _Token:
    kind: str
    """char, macro, begin, end, open, close, math, comment, paragraph."""
    value: str
    start: int
    end: int


class _Scanner:
    """pylatexenc's LatexWalker (tolerant_parsing=False) reduced to what can fail."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.specs = _specs()

    # Tokens ---------------------------------------------------------------------------

    def token(self, pos: int, brackets: bool = False, environments: bool = True,
              dollar_math: bool = False) -> _Token:
        """The token at `pos` after blanks; `brackets` makes `[`/`]` braces, like an optional arg."""
        s, n = self.s, self.n
        previous_newline = False
        while pos < n and s[pos].isspace():
            if s[pos] == "\n":
                if previous_newline:
                    return _Token("paragraph", _PARAGRAPH, pos - 1, pos + 1)
                previous_newline = True
            else:
                previous_newline = False
            pos += 1
        if pos >= n:
            raise _EndOfInput
        c = s[pos]
        if c == "\\":
            if pos + 1 >= n:
                raise _EndOfInput
            end = pos + 2
            if s[pos + 1].isalpha():
                while end < n and s[end].isalpha():
                    end += 1
            name = s[pos + 1 : end]
            if name in ("[", "]", "(", ")"):
                return _Token("math", "\\" + name, pos, end)
            if environments and name in ("begin", "end"):
                match = _ENVIRONMENT_NAME.match(s, end)
                if match is None:
                    raise TexError(f"Bad \\{name} macro: expected {{environmentname}}")
                return _Token(name, match.group(1), pos, match.end())
            if name[0].isalpha():  # a letter macro takes the blanks after it, up to a paragraph break
                blank = end
                while blank < n and s[blank].isspace():
                    if s.startswith("\n\n", blank - 1) and blank - 1 >= end:
                        blank -= 1
                        break
                    blank += 1
                end = blank
            return _Token("macro", name, pos, end)
        if c == "%":
            newline = s.find("\n", pos)
            if newline < 0:
                return _Token("comment", "", pos, n)
            if s.startswith("\n", newline + 1):
                return _Token("comment", "", pos, newline)  # a paragraph break follows
            after = newline + 1
            while after < n and s[after].isspace():
                after += 1
            return _Token("comment", "", pos, after)
        if c == "{" or (brackets and c == "["):
            return _Token("open", c, pos, pos + 1)
        if c == "}" or (brackets and c == "]"):
            return _Token("close", c, pos, pos + 1)
        if c == "$":
            if s.startswith("$$", pos) and not dollar_math:
                return _Token("math", "$$", pos, pos + 2)
            return _Token("math", "$", pos, pos + 1)
        for special in self.specs.specials:
            if s.startswith(special, pos):
                return _Token("char", special, pos, pos + len(special))
        return _Token("char", c, pos, pos + 1)

    # Node lists -----------------------------------------------------------------------

    def nodes(self, pos: int, dollar_math: bool, close_brace: str | None = None,
              end_environment: str | None = None, close_math: str | None = None) -> int:
        """Read nodes from `pos` up to and past the given closer (or to the end); returns the position after."""
        brackets = close_brace == "]"
        # Between structural characters every token is a character (or blanks) that a
        # node list skips: jump straight to the next one.
        structural = _STRUCTURAL_BRACKETS if brackets else _STRUCTURAL
        s = self.s
        macros = self.specs.macros
        while True:
            found = structural.search(s, pos)
            if found is None:  # characters and blanks up to the end: `token` would find its end
                return self.end_of_input(close_brace, end_environment, close_math)
            pos = found.start()
            # Braces, most of a formula's structure, handled here as `token` would give them.
            c = s[pos : pos + 1]
            if c == "\\":
                # A macro without arguments (`\alpha`): `token` would read its name and the blanks
                # after it, which a node list skips anyway, and nothing can fail: jump past its name.
                macro = _ASCII_MACRO.match(s, pos)
                if macro is not None:
                    end = macro.end()
                    name = macro.group(1)
                    if not s[end : end + 1].isalpha() and name != "begin" and name != "end":
                        spec = macros.get(name, _NO_ARGS)
                        if not spec.argspec and not spec.verbatim:
                            pos = end
                            continue
            if c == "{" or (brackets and c == "["):
                plain = _PLAIN_GROUP_REST.match(s, pos + 1) if c == "{" else None
                pos = plain.end() if plain is not None else self.nodes(pos + 1, dollar_math,
                                                                      close_brace="}" if c == "{" else "]")
                continue
            if c == "}" or (brackets and c == "]"):
                if c != close_brace:
                    raise TexError(f"Unexpected mismatching closing brace: '{c}'")
                return pos + 1
            try:
                tok = self.token(pos, brackets=brackets, dollar_math=dollar_math)
            except _EndOfInput:
                return self.end_of_input(close_brace, end_environment, close_math)
            pos = tok.end
            kind = tok.kind
            if kind in ("char", "paragraph", "comment"):
                continue
            if kind == "close":
                if tok.value != close_brace:
                    raise TexError(f"Unexpected mismatching closing brace: '{tok.value}'")
                return pos
            if kind == "end":
                if end_environment is None:
                    raise TexError(f"Unexpected closing environment: '{tok.value}'")
                if tok.value != end_environment:
                    raise TexError(f"Unexpected mismatching closing environment: '{tok.value}', "
                                   f"was expecting '{end_environment}'")
                return pos
            if kind == "math":
                if close_math is not None:
                    if tok.value == close_math:
                        return pos
                    if tok.value in ("\\)", "\\]"):
                        raise TexError(f"Mismatching closing math mode: '{tok.value}', expected '{close_math}'")
                elif tok.value in ("\\)", "\\]"):
                    raise TexError(f"Unexpected closing math mode: '{tok.value}'")
                closer = {"\\(": "\\)", "\\[": "\\]"}.get(tok.value, tok.value)
                pos = self.nodes(pos, tok.value == "$", close_math=closer)
            elif kind == "open":
                pos = self.nodes(pos, dollar_math, close_brace="}" if tok.value == "{" else "]")
            elif kind == "begin":
                pos = self.environment(tok, dollar_math)
            elif kind == "macro":
                spec = self.specs.macros.get(tok.value, _NO_ARGS)
                try:
                    pos = self.arguments(spec, pos, dollar_math)
                except _EndOfInput:
                    raise TexError(f'End of input while parsing arguments of macro "{tok.value}"') from None

    def end_of_input(self, close_brace: str | None, end_environment: str | None, close_math: str | None) -> int:
        """A node list reaching the end of the text: fine at the top, else the closer it waits for is missing."""
        if close_brace is not None:
            raise TexError(f"Unexpected end of stream, was expecting '{close_brace}'")
        if end_environment is not None:
            raise TexError(f"Unexpected end of stream, was expecting \\end{{{end_environment}}}")
        if close_math is not None:
            raise TexError(f"Unexpected end of stream, was expecting '{close_math}'")
        return self.n

    def environment(self, begin: _Token, dollar_math: bool) -> int:
        name = begin.value
        spec = self.specs.environments.get(name, _NO_ARGS)
        try:
            pos = self.arguments(spec, begin.end, dollar_math, environment=name)
        except _EndOfInput:
            raise TexError(f'End of input while parsing arguments of environment "\\begin{{{name}}}"') from None
        inner = False if spec.math_environment else dollar_math
        return self.nodes(pos, inner, end_environment=name)

    # Arguments ------------------------------------------------------------------------

    def arguments(self, spec: _ArgSpec, pos: int, dollar_math: bool, environment: str | None = None) -> int:
        """Read a macro's or environment's arguments; raises _EndOfInput when one is missing."""
        if spec.verbatim:
            return self.verbatim(pos, environment is not None)
        for index, kind in enumerate(spec.argspec):
            mode = dollar_math
            if spec.math_modes is not None and spec.math_modes[index] is not None:
                mode = dollar_math if spec.math_modes[index] else False
            if kind == "{":
                pos = self.expression(pos, mode)
            elif kind == "[":
                if spec.no_space_before_optional and pos < self.n and self.s[pos].isspace():
                    continue
                try:
                    tok = self.token(pos, brackets=True, environments=False, dollar_math=mode)
                except _EndOfInput:
                    continue
                if tok.kind == "open" and tok.value == "[":
                    pos = self.nodes(tok.end, mode, close_brace="]")
            else:  # "*"
                tok = self.token(pos, dollar_math=dollar_math)
                if tok.kind == "char" and tok.value.startswith("*"):
                    pos = tok.start + 1
        return pos

    def expression(self, pos: int, dollar_math: bool) -> int:
        """One mandatory argument: a token, or a braced group; a closing brace is an empty one."""
        while True:
            tok = self.token(pos, environments=False, dollar_math=dollar_math)
            if tok.kind == "comment":
                pos = tok.end
                continue
            if tok.kind == "macro" and tok.value == "end":
                raise TexError("Expected expression, got \\end")
            if tok.kind == "open":
                plain = _PLAIN_GROUP_REST.match(self.s, tok.end)
                return plain.end() if plain is not None else self.nodes(tok.end, dollar_math, close_brace="}")
            if tok.kind == "close":
                return tok.start
            return tok.end

    def verbatim(self, pos: int, environment: bool) -> int:
        s = self.s
        if environment:
            end = s.find("\\end{verbatim}", pos)
            if end < 0:
                raise TexError("Cannot find matching \\end{verbatim}")
            return end
        while s[pos].isspace():  # pylatexenc indexes past the end here: an IndexError, kept
            pos += 1
            if pos >= self.n:
                raise TexError("Missing argument to \\verb command")
        end = s.find(s[pos], pos + 1)
        if end < 0:
            raise TexError("End of stream reached while reading argument to \\verb command")
        return end + 1


def structure_problem(tex: str) -> str | None:
    """The first structural error pylatexenc's walker would raise on `tex`, in its words; None if none."""
    try:
        _Scanner(tex).nodes(0, False)
    except TexError as error:
        return str(error)
    except IndexError:
        return "unparsable TeX (IndexError)"
    except RecursionError:
        return "unparsable TeX (RecursionError)"
    return None
