"""A laid-out page becomes a Form XObject with its own deflated bytes: the same drawing, not deflated again."""

from __future__ import annotations

import io
from typing import Any

import pytest

from exporter.output import imposition


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")


def test_a_weasyprint_page_lends_its_deflated_stream_to_the_form() -> None:
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    data = HTML(string="<p style='font: 10pt DejaVu Sans'>" + "A card face. " * 60 + "</p>").write_pdf()
    page = PdfReader(io.BytesIO(data)).pages[0]
    contents: Any = page["/Contents"].get_object()
    drawing: Any = page.get_contents()
    writer = PdfWriter()
    form: Any = writer.get_object(imposition.form_xobject(writer, page))
    assert form["/Subtype"] == "/Form" and form["/Filter"] == "/FlateDecode"
    assert form._data == contents._data  # the very bytes WeasyPrint deflated
    assert form.get_data() == drawing.get_data()  # the same drawing
    out = io.BytesIO()
    writer.write(out)
    again: Any = PdfReader(io.BytesIO(out.getvalue())).get_object(form.indirect_reference.idnum)
    assert b"A card face" not in out.getvalue()  # still deflated in the output
    assert again.get_data() == drawing.get_data()


def test_a_page_of_several_or_unfiltered_streams_is_encoded_as_before() -> None:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    source = PdfWriter()
    page = source.add_blank_page(width=100, height=100)
    parts = []
    for ops in (b"0 0 m 10 10 l S", b"1 0 0 RG"):
        stream = DecodedStreamObject()
        stream.set_data(ops)
        parts.append(source._add_object(stream))
    page[NameObject("/Contents")] = ArrayObject(parts)
    page[NameObject("/Resources")] = DictionaryObject()
    assert imposition._deflated_copy(page.get("/Contents")) is None
    writer = PdfWriter()
    form: Any = writer.get_object(imposition.form_xobject(writer, page))
    drawing: Any = page.get_contents()
    assert form.get_data() == drawing.get_data()
    assert imposition._deflated_copy(parts[0]) is None  # one stream, but not deflated
