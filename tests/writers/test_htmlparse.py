"""tinyhtml5 keeps its run-of-characters expressions under the key it looks them up by: the same parse."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from exporter.output import htmlparse

PAGE = """<!DOCTYPE html><html lang="fr"><head><title>T &amp; t</title></head><body>
<p class="a b" data-x='single &quot;quoted&quot;'>Text with &eacute; &#233; &lt;tags&gt; and\r\nlines</p>
<svg class="math-svg" viewBox="0 -750 1000 1000"><path d="M 10 20 L 30 40 Q 1 2 3 4 Z"></path></svg>
<pre>  code   kept  </pre><table><tr><td>cell<td>next</table><!-- comment --><br/>
<span title=unquoted>x</span>
</body></html>"""


def parse(markup: str) -> bytes:
    import tinyhtml5

    return ElementTree.tostring(tinyhtml5.parse(markup))


def test_the_cache_fills_under_the_looked_up_key_and_parses_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinyhtml5 import inputstream

    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    plain = parse(PAGE)
    assert all(isinstance(key[0], re.Pattern) for key in inputstream.characters_until_regex)  # tinyhtml5's own miss
    assert htmlparse.install()
    cache = inputstream.characters_until_regex
    assert isinstance(cache, htmlparse.RegexCache)
    assert parse(PAGE) == plain
    assert cache and not any(isinstance(key[0], re.Pattern) for key in cache)
    built: list[object] = []
    missing = htmlparse.RegexCache.__missing__

    def counting(self: htmlparse.RegexCache, key: tuple[object, bool]) -> re.Pattern[str]:
        built.append(key)
        return missing(self, key)

    monkeypatch.setattr(htmlparse.RegexCache, "__missing__", counting)
    assert parse(PAGE) == plain
    assert built == []  # every expression found again, none built


def test_an_unchecked_tinyhtml5_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import tinyhtml5
    from tinyhtml5 import inputstream

    monkeypatch.setattr(inputstream, "characters_until_regex", {})
    monkeypatch.setattr(tinyhtml5, "__version__", "9.0.0")
    assert htmlparse.install() is False
    assert type(inputstream.characters_until_regex) is dict
