"""Universell utforming: documents a screen reader can read (issue 21).

A screen reader moves through a PDF by its structure tags: headings (/H1, /H2) and pictures
with a description (/Figure with /Alt). The tags come from the .docx: the heading styles'
outline level and the pictures' descriptions (docPr descr).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from generator.documents.pdf import pdf_filter

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "maler").rglob("*.docx"))


def outline_level(document, style_name: str) -> str | None:
    ppr = document.styles[style_name].element.find(qn("w:pPr"))
    level = None if ppr is None else ppr.find(qn("w:outlineLvl"))
    return None if level is None else level.get(qn("w:val"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.relative_to(ROOT / "maler").as_posix())
def test_heading_styles_keep_their_outline_level(template):
    document = Document(template)
    assert outline_level(document, "Heading 1") == "0"
    assert outline_level(document, "Heading 2") == "1"


def test_pdf_export_is_tagged_with_bookmarks():
    options = json.loads(pdf_filter("UTKAST").split(":", 2)[2])
    assert options["SelectPdfVersion"]["value"] == "2"
    assert options["UseTaggedPDF"] == {"type": "boolean", "value": "true"}
    assert options["ExportBookmarks"] == {"type": "boolean", "value": "true"}
