"""The default templates in maler/: they render with docxtpl against the documented context.

The templates are rendered with docxtpl directly (not through generator.render), so these
tests pin down the templates themselves: every documented field works, values stay data,
and the agreement templates never touch `utviklingsmal`.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import zipfile
from datetime import date
from pathlib import Path

import docx
import jinja2
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MALER = ROOT / "maler"
NYNORSK = MALER / "nynorsk"

AGREEMENTS = ["lederavtale.docx", "lederavtale_kommunedirektor.docx"]
ALL_DOCX = AGREEMENTS + ["vedlegg.docx"]
FOLDERS = [MALER, NYNORSK]

MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember"]

INJECTION = "{{ 7*7 }}"


def dato(value, form: str = "kort") -> str:
    if value is None:
        return ""
    if form == "lang":
        return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"
    return value.strftime("%d.%m.%Y")


def jinja_env(autoescape: bool = True) -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=autoescape)
    env.filters["dato"] = dato
    return env


def person(ansattnr, navn, stilling, enhet, niva, epost=""):
    return {"ansattnr": ansattnr, "navn": navn, "stilling": stilling, "enhet": enhet,
            "niva": niva, "epost": epost, "ekstra": {}}


def kommune(**overrides):
    base = {
        "navn": "Fjordvik kommune",
        "adresse": "Rådhusplassen 1, 6900 Fjordvik",
        "telefon": "57 00 00 00",
        "epost": "postmottak@fjordvik.kommune.no",
        "nettside": "www.fjordvik.kommune.no",
        "sted": "Fjordvik",
        "logo": "",
        "skjermingshjemmel": "Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        "arkivsak": "2027/123",
    }
    base.update(overrides)
    return base


def periode():
    return {"tekst": "1. januar 2027–31. desember 2027", "fra": date(2027, 1, 1),
            "til": date(2027, 12, 31), "ar": 2027}


def rich_oppdrag():
    return [
        {"nr": "1", "omrade": "Økonomi & drift", "tekst": "Drive innenfor vedtatt budsjett\nmed månedlig rapport",
         "mal": "Avvik < 1 %", "malemetode": "Månedsrapport", "utgangspunkt": "Avvik 2,3 % i 2026",
         "frist": date(2027, 12, 31), "tiltak": ["Månedlig gjennomgang med økonomirådgiver",
                                                 f"Prøve {INJECTION} & <b>fet</b>"]},
        {"nr": "2", "omrade": "Økonomi & drift", "tekst": "Redusere innkjøpskostnader",
         "mal": "", "malemetode": "", "utgangspunkt": "", "frist": None, "tiltak": []},
        {"nr": "7", "omrade": "Sykefravær", "tekst": "Redusere sykefraværet med systematisk oppfølging",
         "mal": "Sykefravær under 6,7 %", "malemetode": "Fraværsstatistikk", "utgangspunkt": "8,1 %",
         "frist": date(2027, 6, 30), "tiltak": ["Ukentlige samtaler med sykmeldte"]},
    ]


def group(oppdrag):
    omrader = []
    for o in oppdrag:
        if not omrader or omrader[-1]["navn"] != o["omrade"]:
            omrader.append({"navn": o["omrade"], "oppdrag": []})
        omrader[-1]["oppdrag"].append(o)
    return omrader


def agreement_context(rich: bool = True, **kommune_overrides):
    oppdrag = rich_oppdrag() if rich else []
    leder = person("210", "Øystein Æsøy-Ås", "Virksomhetsleder", "Fjordvik sykehjem & omsorg",
                   "virksomhetsleder", "oystein@fjordvik.kommune.no")
    overordnet = person("200", "Per <Helse>", "Kommunalsjef helse og omsorg", "Helse og omsorg",
                        "kommunalsjef", "per@fjordvik.kommune.no")
    return {
        "kommune": kommune(**kommune_overrides),
        "periode": periode(),
        "leder": leder,
        "overordnet": overordnet,
        "omrader": group(oppdrag),
        "oppdrag": oppdrag,
        "dato": date(2027, 1, 10),
    }


def appendix_context(rich: bool = True, **kommune_overrides):
    ctx = agreement_context(rich, **kommune_overrides)
    ctx["utviklingsmal"] = [
        {"mal": "Bli tryggere i krevende personalsamtaler", "tiltak": "Lederutviklingsprogram\nmed mentor",
         "oppfolging": f"Samtale i juni {INJECTION}"},
        {"mal": "Delegere mer til teamlederne & avdelingslederne", "tiltak": "", "oppfolging": "Høst"},
    ] if rich else []
    return ctx


def render(path: Path, ctx: dict, logo: Path | None = None) -> docx.document.Document:
    tpl = DocxTemplate(str(path))
    if logo is not None:
        ctx = dict(ctx, kommune=dict(ctx["kommune"], logo=InlineImage(tpl, str(logo), height=Mm(20))))
    tpl.render(ctx, jinja_env=jinja_env(), autoescape=True)
    buffer = io.BytesIO()
    tpl.save(buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def paragraphs(element, document) -> list[str]:
    """Text of every paragraph under element, tables included, line breaks as \\n."""
    return [docx.text.paragraph.Paragraph(p, document).text for p in element.iter(qn("w:p"))]


def body_text(document) -> str:
    return "\n".join(paragraphs(document.element.body, document))


def header_text(document) -> str:
    section = document.sections[0]
    return "\n".join(paragraphs(section.header._element, document))


def footer_text(document) -> str:
    section = document.sections[0]
    return "\n".join(paragraphs(section.footer._element, document))


def all_text(document) -> str:
    return "\n".join([header_text(document), body_text(document), footer_text(document)])


@pytest.fixture(scope="module")
def logo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    Image.new("RGB", (80, 100), (31, 78, 121)).save(path)
    return path


# ---------------------------------------------------------------- files present and reproducible


def test_every_template_exists():
    for folder in FOLDERS:
        for name in ALL_DOCX + ["epost.txt"]:
            assert (folder / name).is_file(), folder / name
    assert (MALER / "LESMEG.md").is_file()


def test_build_script_reproduces_committed_templates(tmp_path):
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "tools" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    written = module.build_all(tmp_path)
    assert len(written) == 8
    for path in written:
        committed = MALER / path.relative_to(tmp_path)
        assert path.read_bytes() == committed.read_bytes(), f"{committed} er ikke bygd på nytt"


@pytest.mark.parametrize("folder", FOLDERS, ids=["bokmal", "nynorsk"])
@pytest.mark.parametrize("name", ALL_DOCX)
def test_jinja_tags_each_in_one_run(folder, name):
    """HR edits these in Word; a tag split over runs would only work by luck of docxtpl's cleanup."""
    document = docx.Document(folder / name)
    parts = [document.element.body, document.sections[0].header._element,
             document.sections[0].footer._element]
    for part in parts:
        for run in part.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            for opening, closing in (("{{", "}}"), ("{%", "%}")):
                assert text.count(opening) == text.count(closing), text


# ---------------------------------------------------------------- the agreement


@pytest.mark.parametrize("folder", FOLDERS, ids=["bokmal", "nynorsk"])
def test_agreement_renders_rich_context(folder, logo):
    document = render(folder / "lederavtale.docx", agreement_context(), logo=logo)
    text = body_text(document)
    assert "2027" in text and "1. januar 2027–31. desember 2027" in text
    for value in ["Øystein Æsøy-Ås", "Virksomhetsleder", "Fjordvik sykehjem & omsorg",
                  "Per <Helse>", "Kommunalsjef helse og omsorg"]:
        assert value in text, value
    # Areas as headings, assignments with every column, the date through the filter.
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Økonomi & drift", "Sykefravær"]
    assert "Drive innenfor vedtatt budsjett\nmed månedlig rapport" in text
    for value in ["Avvik < 1 %", "Månedsrapport", "Avvik 2,3 % i 2026", "31.12.2027", "30.06.2027",
                  "Redusere innkjøpskostnader", "Sykefravær under 6,7 %", "8,1 %"]:
        assert value in text, value
    # Values are data: the injected Jinja prints literally, and markup stays text.
    assert f"Prøve {INJECTION} & <b>fet</b>" in text
    assert "49" not in text
    assert "{%" not in all_text(document)
    assert "{{" not in all_text(document).replace(INJECTION, "")
    # The logo lands in the page header, with the municipality's name and contact details.
    header = document.sections[0].header._element
    assert header.findall(".//" + qn("w:drawing")), "logoen mangler i toppteksten"
    assert "Fjordvik kommune" in header_text(document)
    footer = footer_text(document)
    for value in ["Rådhusplassen 1, 6900 Fjordvik", "57 00 00 00", "postmottak@fjordvik.kommune.no",
                  "www.fjordvik.kommune.no", "Side"]:
        assert value in footer, value
    # Signatures: place, both names and titles.
    assert "Fjordvik, " in text
    assert text.count("Øystein Æsøy-Ås") >= 2 and text.count("Per <Helse>") >= 2


@pytest.mark.parametrize("folder", FOLDERS, ids=["bokmal", "nynorsk"])
def test_agreement_assignment_rows_and_measures(folder):
    document = render(folder / "lederavtale.docx", agreement_context())
    tables = [t for t in document.tables if len(t.columns) == 7]
    assert len(tables) == 2  # one per area
    first, second = tables
    assert [row.cells[0].text for row in first.rows] == [first.rows[0].cells[0].text, "1", "2"]
    assert [row.cells[0].text for row in second.rows][1:] == ["7"]
    # Each measure its own paragraph in the last cell; a hint where there are none.
    measures = [p.text for p in first.rows[1].cells[6].paragraphs]
    assert measures == ["Månedlig gjennomgang med økonomirådgiver", f"Prøve {INJECTION} & <b>fet</b>"]
    assert len(first.rows[2].cells[6].paragraphs) == 1
    assert first.rows[2].cells[6].paragraphs[0].text.strip()
    assert first.rows[2].cells[5].text == ""  # no deadline → empty, not "None"
    # The header row repeats on every page.
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


@pytest.mark.parametrize("folder,sentence", [
    (MALER, "Enheten har ikke fått egne oppdrag i styringsbrevet for 2027."),
    (NYNORSK, "Eininga har ikkje fått eigne oppdrag i styringsbrevet for 2027."),
], ids=["bokmal", "nynorsk"])
def test_agreement_without_assignments(folder, sentence):
    document = render(folder / "lederavtale.docx", agreement_context(rich=False, adresse="", telefon="",
                                                                     nettside="", sted=""))
    text = body_text(document)
    assert sentence in text
    assert not [t for t in document.tables if len(t.columns) == 7]
    assert not document.sections[0].header._element.findall(".//" + qn("w:drawing"))
    footer = footer_text(document)
    assert "Telefon" not in footer and " ·  · " not in footer
    assert "postmottak@fjordvik.kommune.no" in footer


@pytest.mark.parametrize("folder", FOLDERS, ids=["bokmal", "nynorsk"])
@pytest.mark.parametrize("name", AGREEMENTS)
@pytest.mark.parametrize("rich", [True, False], ids=["rich", "empty"])
def test_agreements_never_reference_development_goals(folder, name, rich):
    # The agreement context has no `utviklingsmal`; StrictUndefined fails on any use of it.
    ctx = agreement_context(rich)
    assert "utviklingsmal" not in ctx
    render(folder / name, ctx)
    raw = zipfile.ZipFile(folder / name).read("word/document.xml").decode()
    assert "utviklingsmal" not in raw


def test_page_numbers_are_real_fields():
    for folder in FOLDERS:
        for name in ALL_DOCX:
            footer = docx.Document(folder / name).sections[0].footer._element
            instructions = " ".join(t.text for t in footer.iter(qn("w:instrText")))
            assert "PAGE" in instructions.split() and "NUMPAGES" in instructions.split(), name


def test_page_is_a4():
    for folder in FOLDERS:
        for name in ALL_DOCX:
            section = docx.Document(folder / name).sections[0]
            assert abs(section.page_width.mm - 210) < 0.5 and abs(section.page_height.mm - 297) < 0.5


# ---------------------------------------------------------------- the appendix


@pytest.mark.parametrize("folder,mark", [(MALER, "Unntatt offentlighet"), (NYNORSK, "Unnateke frå innsyn")],
                         ids=["bokmal", "nynorsk"])
def test_appendix_renders_goals_and_screening(folder, mark, logo):
    document = render(folder / "vedlegg.docx", appendix_context(), logo=logo)
    text = body_text(document)
    hjemmel = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
    # Marked at the top of the page body and in the page header, with the legal basis.
    assert mark in header_text(document) and hjemmel in header_text(document)
    assert text.lstrip().startswith(mark)
    assert hjemmel in text
    assert mark in footer_text(document)
    for value in ["Øystein Æsøy-Ås", "Per <Helse>", "Personlig" if folder == MALER else "Personlege",
                  "Bli tryggere i krevende personalsamtaler", "Lederutviklingsprogram\nmed mentor",
                  f"Samtale i juni {INJECTION}", "Delegere mer til teamlederne & avdelingslederne", "Høst"]:
        assert value in text, value
    goals = [t for t in document.tables if len(t.columns) == 3 and t.rows[0].cells[0].text == "Mål"]
    assert len(goals) == 1 and len(goals[0].rows) == 3  # header + two goals, no blank rows
    assert "{%" not in all_text(document)


@pytest.mark.parametrize("folder", FOLDERS, ids=["bokmal", "nynorsk"])
def test_appendix_without_goals_has_blank_rows(folder):
    document = render(folder / "vedlegg.docx", appendix_context(rich=False))
    goals = [t for t in document.tables if len(t.columns) == 3 and t.rows[0].cells[0].text == "Mål"]
    assert len(goals) == 1
    rows = goals[0].rows[1:]
    assert len(rows) >= 3 and all(not row.cells[0].text.strip() for row in rows)


# ---------------------------------------------------------------- the kommunedirektør


@pytest.mark.parametrize("folder,sentences", [
    (MALER, ["mellom kommunestyret og kommunedirektøren", "Kommunestyrets mål for 2027",
             "evalueringssamtale", "lønnsforhandlingen", "For kommunestyret", "kommuneloven § 13-1"]),
    (NYNORSK, ["mellom kommunestyret og kommunedirektøren", "Måla til kommunestyret for 2027",
               "evalueringssamtale", "lønsforhandlinga", "For kommunestyret", "kommunelova § 13-1"]),
], ids=["bokmal", "nynorsk"])
def test_kommunedirektor_agreement(folder, sentences):
    ctx = agreement_context()
    ctx["leder"] = person("100", "Kari Direktør", "Kommunedirektør", "Kommunedirektørens stab",
                          "kommunedirektør")
    ctx["overordnet"] = person("1", "Ola Ordfører", "Ordfører", "Politisk ledelse", "ordfører")
    document = render(folder / "lederavtale_kommunedirektor.docx", ctx)
    text = body_text(document)
    for sentence in sentences + ["Kari Direktør", "Ola Ordfører", "Drive innenfor vedtatt budsjett",
                                 "Ukentlige samtaler med sykmeldte", f"Prøve {INJECTION} & <b>fet</b>"]:
        assert sentence in text, sentence


# ---------------------------------------------------------------- nynorsk is nynorsk


@pytest.mark.parametrize("name,words", [
    ("lederavtale.docx", ["Leiaravtale 2027", "Føremål", "Overordna leiar", "Tiltak frå leiaren",
                          "Stad og dato", "Underskrifter", "unnateke frå innsyn"]),
    ("vedlegg.docx", ["Personlege utviklingsmål 2027", "Leiar", "Stad og dato"]),
    ("lederavtale_kommunedirektor.docx", ["Leiaravtale 2027", "Lønsforhandling", "Stad og dato"]),
])
def test_nynorsk_templates_are_nynorsk(name, words):
    ctx = appendix_context() if name == "vedlegg.docx" else agreement_context()
    text = body_text(render(NYNORSK / name, ctx))
    for word in words:
        assert word in text, word
    for bokmal in ["Lederavtale", "Formål", "Overordnet leder", "Sted og dato", "ikke", "hvilke", "fra"]:
        assert not re.search(rf"\b{bokmal}\b", text), bokmal


# ---------------------------------------------------------------- e-mail


@pytest.mark.parametrize("folder,subject", [
    (MALER, "Emne: Utkast til lederavtale 2027 – Øystein Æsøy-Ås"),
    (NYNORSK, "Emne: Utkast til leiaravtale 2027 – Øystein Æsøy-Ås"),
], ids=["bokmal", "nynorsk"])
def test_email_template(folder, subject):
    source = (folder / "epost.txt").read_text(encoding="utf-8")
    text = jinja_env(autoescape=False).from_string(source).render(agreement_context())
    lines = text.splitlines()
    assert lines[0] == subject
    body = "\n".join(lines[1:])
    assert "Per <Helse>" in body and "Fjordvik kommune" in body
    assert "utviklingsmål" in body.lower()  # the appendix is named, never its content
    assert "samtalen med" in body  # the ledersamtale with the superior
    assert "utviklingsmal" not in source  # never the goals themselves
    # Renders with the empty context too (no assignments).
    jinja_env(autoescape=False).from_string(source).render(agreement_context(rich=False))


# ---------------------------------------------------------------- Word's schema order

# Word rejects a file whose property elements are out of schema order (LibreOffice does not
# care, so the PDF check alone would not notice).
ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
              "tblLook"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
}


@pytest.mark.parametrize("folder", FOLDERS, ids=["bokmal", "nynorsk"])
@pytest.mark.parametrize("name", ALL_DOCX)
def test_property_elements_in_schema_order(folder, name):
    from lxml import etree

    with zipfile.ZipFile(folder / name) as archive:
        parts = [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")]
        for part in parts:
            root = etree.fromstring(archive.read(part))
            for kind, order in ORDER.items():
                for props in root.iter(qn(f"w:{kind}")):
                    tags = [etree.QName(c).localname for c in props if isinstance(c.tag, str)]
                    positions = [order.index(t) for t in tags]
                    assert positions == sorted(positions), f"{part}: {kind} {tags}"


# ---------------------------------------------------------------- through LibreOffice


def test_rendered_templates_lay_out_in_libreoffice(tmp_path, logo):
    """One soffice run over a rich agreement and an empty nynorsk appendix: page fields, marks."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) er ikke installert")
    docs = {
        "avtale": render(MALER / "lederavtale.docx", agreement_context(), logo=logo),
        "vedlegg": render(NYNORSK / "vedlegg.docx", appendix_context(rich=False), logo=logo),
    }
    for name, document in docs.items():
        document.save(tmp_path / f"{name}.docx")
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "avtale.docx"),
         str(tmp_path / "vedlegg.docx")],
        check=True, capture_output=True, timeout=180,
    )

    def pages(name):
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{name}.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        return text.split("\f")[:-1]

    avtale = pages("avtale")
    assert len(avtale) >= 2
    for number, page in enumerate(avtale, start=1):
        assert re.search(rf"Side {number} av {len(avtale)}\b", page), page[-300:]
        assert "Fjordvik kommune" in page
    joined = "\n".join(avtale)
    for value in ["Økonomi & drift", "Sykefravær", "31.12.2027", "Ukentlige samtaler", "Avvik < 1 %"]:
        assert value in joined, value
    assert INJECTION in joined and "{%" not in joined
    # The signatures stay together on the last page.
    last = avtale[-1]
    assert last.count("Øystein Æsøy-Ås") >= 1 and "Per <Helse>" in last and "Sted og dato" in last

    vedlegg = pages("vedlegg")
    assert len(vedlegg) == 1, "det tomme vedlegget skal få plass på én side"
    assert vedlegg[0].count("Unnateke frå innsyn") >= 3  # header, stamp, footer
    assert "Stad og dato" in vedlegg[0]
