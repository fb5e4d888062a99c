"""PDF streams deflated at level 4: the same page descriptions and fonts as pydyf's level 9."""

from __future__ import annotations

import io
import zlib

import pytest

from exporter.output import compression

PAGE = "<p style='font: 10pt DejaVu Sans'>" + "Gradient descent, step by step. " * 400 + "</p>"


def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string=PAGE).write_pdf()  # type: ignore[no-any-return]


def streams(data: bytes) -> list[bytes]:
    """Every page's decoded content stream."""
    import pypdf

    return [page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_level_4_streams_decode_to_the_same_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydyf

    if not compression.install():
        pytest.skip("pydyf version not checked: its own level is used")
    fast = pdf_bytes()
    monkeypatch.setattr(pydyf, "zlib", zlib)
    slow = pdf_bytes()
    assert fast != slow  # deflated differently...
    assert streams(fast) == streams(slow)  # ...to the same page descriptions
    # this page repeats one sentence, which level 9 packs best (the shipped sheets grow 6%, not 18%)
    assert len(streams(fast)) > 1 and len(fast) < len(slow) * 1.25


def test_an_unchecked_pydyf_keeps_its_level(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydyf

    monkeypatch.setattr(pydyf, "zlib", zlib)
    monkeypatch.setattr(pydyf, "__version__", "9.0")
    assert compression.install() is False
    assert pydyf.zlib is zlib
