"""Universell utforming: documents a screen reader can read (issue 21).

A screen reader moves through a PDF by its structure tags: headings (/H1, /H2) and pictures
with a description (/Figure with /Alt). The tags come from the .docx: the heading styles'
outline level and the pictures' descriptions (docPr descr).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx
from docx import Document
from docx.oxml.ns import qn

from generator.cli import main
from generator.documents.pdf import pdf_filter, pdfa_2b_problem

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "maler").rglob("*.docx"))
KOMMUNE = "Testvik kommune"  # conftest's municipality
_DOCPR = re.compile(r"<wp:docPr\b[^>]*>")


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


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def workbook(folder: Path, malform: str = "bokmål") -> Path:
    shutil.copy(ROOT / "input" / "logo.png", folder / "logo.png")
    sheets = basic_sheets()
    sheets["Kommune"] += [["Logo", "logo.png"], ["Målform", malform]]
    return write_xlsx(folder / "arbeidsbok.xlsx", sheets)


def pictures(docx: Path) -> dict[str, list[dict[str, str]]]:
    """Part name -> the attributes of each picture's wp:docPr in it."""
    found = {}
    with zipfile.ZipFile(docx) as zf:
        for name in zf.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                tags = _DOCPR.findall(zf.read(name).decode("utf-8"))
                if tags:
                    found[name] = [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in tags]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("malform", ["bokmål", "nynorsk"])
def test_every_picture_in_every_docx_has_a_description(tmp_path, malform):
    book = workbook(tmp_path, malform)
    run("generer", book, "--ut", tmp_path / "ut", "--ingen-pdf")
    run("oppfolging", book, "--ut", tmp_path / "ut", "--ingen-pdf")
    documents = sorted((tmp_path / "ut" / "2027").rglob("*.docx"))
    assert {d.name.split(" ")[0] for d in documents} >= {"Oppfølgingssamtale", "Utviklingsmål"} | (
        {"Lederavtale"} if malform == "bokmål" else {"Leiaravtale"})
    for document in documents:
        found = pictures(document)
        logos = [pic for name, pics in found.items() if name.startswith("word/header") for pic in pics]
        assert logos and all(pic["descr"] == f"Logo for {KOMMUNE}" for pic in logos), (document.name, logos)
        assert all(pic.get("descr") for pics in found.values() for pic in pics), (document.name, found)


def structure(pdf) -> tuple[list[str], list[pikepdf.Dictionary]]:
    """The standard structure types of the PDF's tagged content in reading order (through the
    RoleMap: LibreOffice tags by style name), and its /Figure elements."""
    root = pdf.Root.StructTreeRoot
    role_map = root.get("/RoleMap", pikepdf.Dictionary())
    types, figures = [], []

    def walk(element):
        if "/S" in element:
            kind = str(role_map.get(element.S, element.S))
            types.append(kind)
            if kind == "/Figure":
                figures.append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:  # not a marked-content reference
                walk(kid)

    walk(root)
    return types, figures


def outline(pdf) -> list[str]:
    titles = []
    with pdf.open_outline() as tree:
        def walk(items):
            for item in items:
                titles.append(" ".join(item.title.split()))
                walk(item.children)
        walk(tree.root)
    return titles


def headings(docx: Path) -> list[tuple[str, str]]:
    return [(p.style.name, " ".join(p.text.split())) for p in Document(docx).paragraphs
            if p.style.name in ("Heading 1", "Heading 2") and p.text.strip()]


@pytest.mark.slow
def test_pdfs_have_heading_tags_bookmarks_and_described_figures(tmp_path):
    book = workbook(tmp_path)
    run("generer", book, "--ut", tmp_path / "ut", "--leder", 210)  # has development goals: an appendix
    run("oppfolging", book, "--ut", tmp_path / "ut", "--leder", 210)
    folder = tmp_path / "ut" / "2027" / "210 Øystein Sykehjem"
    pdfs = {pdf.name.split(" ")[0]: pdf for pdf in folder.glob("*.pdf")}
    assert set(pdfs) == {"Lederavtale", "Utviklingsmål", "Oppfølgingssamtale"}
    for kind, path in pdfs.items():
        assert pdfa_2b_problem(path) == "", kind
        expected = headings(path.with_suffix(".docx"))
        assert expected, kind
        with pikepdf.open(path) as pdf:
            types, figures = structure(pdf)
            assert types.count("/H1") == sum(style == "Heading 1" for style, _ in expected), kind
            assert types.count("/H2") == sum(style == "Heading 2" for style, _ in expected), kind
            # The QR code; the logo is in the page header, page furniture (an /Artifact, as PDF/UA
            # wants), which a screen reader skips.
            assert figures, kind
            assert all(str(figure.get("/Alt", "")).strip() for figure in figures), kind
            assert outline(pdf) == [text for _, text in expected], kind
    with pikepdf.open(pdfs["Lederavtale"]) as pdf:
        assert "/H2" in structure(pdf)[0]  # the assignment areas
