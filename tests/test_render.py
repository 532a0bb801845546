"""The one-parse renderer: Word-edited templates, escaping, errors, equality with docxtpl."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import word_split
from docx import Document
from naive import naive_render

from generator.documents.jinja import make_jinja_env
from generator.documents.render import DocxRenderer
from generator.documents.template import PreparedTemplate
from generator.exceptions import TemplateError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def word_like_template(path: Path, paragraphs: list[str]) -> Path:
    """A template with these paragraphs, saved the way Word saves it (see conftest.word_split)."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)
    return word_split(path)


CONTEXT = {
    "kommune": {"navn": "Testvik & Omegn <kommune>", "logo": ""},
    "periode": {"ar": 2027, "til": date(2027, 12, 31)},
    "leder": {"navn": 'Åse «Æ» "Ø" Å', "stilling": "Rektor\nTestvik skole"},
    "oppdrag": [
        {"nr": "1", "tekst": "{{ 7*7 }} og {% if x %}", "tiltak": ["Kurs <august>", "Møter & oppfølging"]},
        {"nr": "2", "tekst": "Nummer to", "tiltak": []},
    ],
}

PARAGRAPHS = [
    "Avtale for {{ leder.navn }}, {{ leder.stilling }}",
    "Kommune: {{ kommune.navn }}. Frist {{ periode.til|dato }} / {{ periode.til|dato('lang') }}",
    "{%p for o in oppdrag %}",
    "Oppdrag {{ o.nr }}: {{ o.tekst }}",
    "{%p for t in o.tiltak %}",
    "Tiltak: {{ t }}",
    "{%p endfor %}",
    "{%p endfor %}",
]


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_word_split_tags_render(tmp_path):
    template = word_like_template(tmp_path / "mal.docx", PARAGRAPHS)
    assert "proofErr" in zipfile.ZipFile(template).read("word/document.xml").decode()
    texts = paragraphs(DocxRenderer(PreparedTemplate(template)).render(CONTEXT))
    assert texts == [
        'Avtale for Åse «Æ» "Ø" Å, Rektor\nTestvik skole',
        "Kommune: Testvik & Omegn <kommune>. Frist 31.12.2027 / 31. desember 2027",
        "Oppdrag 1: {{ 7*7 }} og {% if x %}",
        "Tiltak: Kurs <august>",
        "Tiltak: Møter & oppfølging",
        "Oppdrag 2: Nummer to",
    ]


def test_line_break_in_value_is_a_word_line_break(tmp_path):
    template = word_like_template(tmp_path / "mal.docx", ["{{ leder.stilling }}"])
    data = DocxRenderer(PreparedTemplate(template)).render(CONTEXT)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Rektor</w:t><w:br/>" in xml


def test_same_text_as_plain_docxtpl(tmp_path):
    template = word_like_template(tmp_path / "mal.docx", PARAGRAPHS)
    env = make_jinja_env()
    fast = DocxRenderer(PreparedTemplate(template), env).render(CONTEXT)
    naive = naive_render(template, CONTEXT, env)
    assert paragraphs(fast) == paragraphs(naive)


def test_renderer_is_reusable_and_deterministic(tmp_path):
    template = word_like_template(tmp_path / "mal.docx", PARAGRAPHS)
    renderer = DocxRenderer(PreparedTemplate(template))
    first = renderer.render(CONTEXT)
    other = renderer.render(dict(CONTEXT, leder={"navn": "Per", "stilling": "Sjef"}))
    assert renderer.render(CONTEXT) == first
    assert paragraphs(other)[0] == "Avtale for Per, Sjef"


def test_document_properties_are_set(tmp_path):
    template = word_like_template(tmp_path / "mal.docx", ["x"])
    data = DocxRenderer(PreparedTemplate(template)).render(CONTEXT, {"title": "Lederavtale 2027 – Åse & co", "author": "Testvik"})
    props = Document(io.BytesIO(data)).core_properties
    assert props.title == "Lederavtale 2027 – Åse & co"
    assert props.author == "Testvik"


def test_undefined_name_names_template_and_name(tmp_path):
    template = word_like_template(tmp_path / "avtale.docx", ["Hei {{ leder.fornavn }}"])
    with pytest.raises(TemplateError) as info:
        DocxRenderer(PreparedTemplate(template)).render(CONTEXT)
    message = str(info.value)
    assert "avtale.docx" in message and "fornavn" in message


def test_syntax_error_names_template(tmp_path):
    template = word_like_template(tmp_path / "avtale.docx", ["{% for o in oppdrag %}", "{{ o.nr }}"])
    with pytest.raises(TemplateError) as info:
        DocxRenderer(PreparedTemplate(template))
    assert "avtale.docx" in str(info.value)
    assert "koden slutter før den er ferdig" in str(info.value)  # the unclosed {% for %}


def test_not_a_docx_is_a_template_error(tmp_path):
    bad = tmp_path / "lederavtale.docx"
    bad.write_text("dette er ikke Word")
    with pytest.raises(TemplateError) as info:
        DocxRenderer(PreparedTemplate(bad))
    assert "lederavtale.docx" in str(info.value)


def test_logo_in_header_becomes_an_image(tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), "navy").save(logo)
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "{% if kommune.logo %}{{ kommune.logo }}{% endif %}{{ kommune.navn }}"
    doc.add_paragraph("Brødtekst")
    doc.save(tmp_path / "mal.docx")
    data = DocxRenderer(PreparedTemplate(tmp_path / "mal.docx"), logo=logo).render(CONTEXT)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        header = zf.read("word/header1.xml").decode()
        assert "<pic:pic" in header
        assert any(name.startswith("word/media/") for name in zf.namelist())
    # without a logo the same template renders no image
    data = DocxRenderer(PreparedTemplate(tmp_path / "mal.docx")).render(CONTEXT)
    assert "<pic:pic" not in zipfile.ZipFile(io.BytesIO(data)).read("word/header1.xml").decode()
