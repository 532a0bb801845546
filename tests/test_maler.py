"""The default templates in maler/: they render with docxtpl against the documented context.

The templates are rendered with docxtpl directly (not through generator.render), so these
tests pin down the templates themselves: every documented field works, values stay data,
the agreement templates never touch `utviklingsmal`, drafts show the placeholder convention,
and laid out by LibreOffice the documents read well (no lone «%», no signature block opening
a page, no half-empty page).
"""

from __future__ import annotations

import html
import io
import itertools
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree
from PIL import Image

from generator.documents.jinja import make_jinja_env

from generator.documents.fields import MAIL_SAMPLES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MALER = ROOT / "maler"
NYNORSK = MALER / "nynorsk"

AGREEMENTS = ["lederavtale.docx", "lederavtale_kommunedirektor.docx"]
ALL_DOCX = AGREEMENTS + ["vedlegg.docx"]
# The autumn's documents: the public follow-up forms and their exempt appendices.
FOLLOW_UPS = ["oppfolging.docx", "oppfolging_kommunedirektor.docx"]
EXEMPT_FOLLOW_UPS = ["oppfolging_vedlegg.docx", "oppfolging_vedlegg_kommunedirektor.docx"]
EVERY_DOCX = ALL_DOCX + FOLLOW_UPS + EXEMPT_FOLLOW_UPS
FOLDERS = [MALER, NYNORSK]
FOLDER_IDS = ["bokmal", "nynorsk"]
# The January conversation is the avtalesamtale in both målformer (the spring's is the ledersamtale).
PLACEHOLDER = {MALER: "[Fylles ut i avtalesamtalen]", NYNORSK: "[Fyllast ut i avtalesamtalen]"}
NBSP = "\u00a0"

INJECTION = "{{ 7*7 }}"


def person(ansattnr, navn, stilling, enhet, niva, epost="", oppfolging="", avtalesamtale=None):
    return {"ansattnr": ansattnr, "navn": navn, "fornavn": navn.split()[0], "stilling": stilling, "enhet": enhet,
            "niva": niva, "epost": epost, "oppfolging": oppfolging, "avtalesamtale": avtalesamtale, "ekstra": {}}


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
        "opposisjonsleder": "",
        "frist": None,  # sheet Kommune's Frist: None when the workbook has none
        "kontaktperson": "",
    }
    base.update(overrides)
    return base


def periode():
    return {"tekst": "1. januar 2027 – 31. desember 2027", "fra": date(2027, 1, 1),
            "til": date(2027, 12, 31), "ar": 2027}


def assignment(nr, omrade, tekst, mal="", malemetode="", utgangspunkt="", frist=None, tiltak=()):
    return {"nr": nr, "omrade": omrade, "tekst": tekst, "mal": mal, "malemetode": malemetode,
            "utgangspunkt": utgangspunkt, "frist": frist, "tiltak": list(tiltak), "ekstra": {}}


def rich_oppdrag():
    return [
        assignment("1", "Økonomi & drift", "Drive innenfor vedtatt budsjett\nmed månedlig rapport", "Avvik < 1 %",
                   "Månedsrapport", "Avvik 2,3 % i 2026", date(2027, 12, 31),
                   ["Månedlig gjennomgang med økonomirådgiver", f"Prøve {INJECTION} & <b>fet</b>"]),
        assignment("2", "Økonomi & drift", "Redusere innkjøpskostnader"),
        assignment("7", "Sykefravær", "Redusere sykefraværet med systematisk oppfølging", "Sykefravær under 6,7 %",
                   "Fraværsstatistikk", "8,1 %", date(2027, 6, 30), ["Ukentlige samtaler med sykmeldte"]),
    ]


def long_oppdrag():
    """Realistic assignments with long texts and values: what made the old layout hyphenate."""
    text = ("Gjennomføre medarbeiderundersøkelsen og følge opp resultatene med en handlingsplan i samarbeid med "
            "tillitsvalgte og verneombud, med særlig vekt på arbeidsmiljøet i turnusavdelingene.")
    return [assignment(str(n), area, text, "Handlingsplan i alle enheter innen fristen, og minst 85 % svarprosent",
                       "Handlingsplaner registrert i kvalitetssystemet", "60 % av enhetene hadde handlingsplan i 2026",
                       date(2027, 6, 30), [f"Tiltak {n}.{k}: gjennomfører personalseminar om resultatene i "
                                           "medarbeiderundersøkelsen og følger opp i personalmøtene" for k in range(n % 3)])
            for n, area in enumerate(["Økonomi", "Økonomi", "Sykefravær", "HMS", "HMS", "Digitalisering",
                                      "Kvalitet", "Kvalitet", "Klima"], start=1)]


MEASURES = 26  # more than fit on a whole page under the running header and footer


def many_measures():
    """An assignment early on a page with more measures than fit on the rest of it."""
    oppdrag = long_oppdrag()
    oppdrag[1]["tekst"] = "Redusere sykefraværet gjennom systematisk oppfølging av sykmeldte"
    oppdrag[1]["tiltak"] = [f"Oppfølgingstiltak {k}: samtale med sykmeldte innen fire uker og tilrettelegging "
                            "i samarbeid med NAV arbeidslivssenter og bedriftshelsetjenesten" for k in range(1, MEASURES + 1)]
    return oppdrag


def group(oppdrag):
    omrader = []
    for o in oppdrag:
        if not omrader or omrader[-1]["navn"] != o["omrade"]:
            omrader.append({"navn": o["omrade"], "oppdrag": []})
        omrader[-1]["oppdrag"].append(o)
    return omrader


PRINCIPLES = [{"prinsipp": "Vi er tydelige", "beskrivelse": "Vi setter klare mål og gir tilbakemeldinger."},
              {"prinsipp": "Vi er modige", "beskrivelse": ""}]


def agreement_context(rich: bool = True, oppdrag=None, lederprinsipper=(), niva="virksomhetsleder",
                      oppfolging="", underordnede=(), **kommune_overrides):
    if oppdrag is None:
        oppdrag = rich_oppdrag() if rich else []
    leder = person("210", "Øystein Æsøy-Ås", "Virksomhetsleder", "Fjordvik sykehjem & omsorg", niva,
                   "oystein@fjordvik.kommune.no", oppfolging)
    overordnet = person("200", "Per <Helse>", "Kommunalsjef helse og omsorg", "Helse og omsorg",
                        "kommunalsjef", "per@fjordvik.kommune.no")
    return {
        "kommune": kommune(**kommune_overrides),
        "periode": periode(),
        "leder": leder,
        "overordnet": overordnet,
        "omrader": group(oppdrag),
        "oppdrag": oppdrag,
        "lederprinsipper": list(lederprinsipper),
        "underordnede": list(underordnede),
        "dato": date(2027, 1, 10),
    }


def director_context(**kwargs):
    ctx = agreement_context(**kwargs)
    ctx["leder"] = person("100", "Kari Direktør", "Kommunedirektør", "Kommunedirektørens stab", "kommunedirektør",
                          oppfolging=kwargs.get("oppfolging", ""))
    ctx["overordnet"] = person("1", "Ola Ordfører", "Ordfører", "Politisk ledelse", "ordfører")
    return ctx


def appendix_context(rich: bool = True, ctx: dict | None = None, **kommune_overrides):
    ctx = dict(ctx or agreement_context(rich, **kommune_overrides))
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
    locale = "nn" if path.parent == NYNORSK else "nb"
    tpl.render(ctx, jinja_env=make_jinja_env(locale=locale), autoescape=True)
    buffer = io.BytesIO()
    tpl.save(buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def paragraphs(element, document) -> list[str]:
    """Text of every paragraph under element, tables included, line breaks as \\n."""
    return [docx.text.paragraph.Paragraph(p, document).text for p in element.iter(qn("w:p"))]


def body_text(document) -> str:
    return "\n".join(paragraphs(document.element.body, document))


def headers(document) -> list:
    """The first page's header (the letterhead), then every other page's."""
    section = document.sections[0]
    return [section.first_page_header._element, section.header._element]


def footers(document) -> list:
    section = document.sections[0]
    return [section.first_page_footer._element, section.footer._element]


def header_text(document) -> str:
    return "\n".join(line for part in headers(document) for line in paragraphs(part, document))


def footer_text(document) -> str:
    return "\n".join(line for part in footers(document) for line in paragraphs(part, document))


def all_text(document) -> str:
    return "\n".join([header_text(document), body_text(document), footer_text(document)])


def assignment_tables(document):
    """The assignment blocks: each table that names its assignment (the alternative text
    `lederavtale-tiltak:<Nr>`, which documents/measures.py reads)."""
    return [t for t in document.tables
            if (caption := t._tbl.tblPr.find(qn("w:tblCaption"))) is not None
            and caption.get(qn("w:val"), "").startswith("lederavtale-tiltak:")]


def highlighted(document) -> list[str]:
    return [run.text for p in document.element.body.iter(qn("w:p"))
            for run in docx.text.paragraph.Paragraph(p, document).runs
            if run.font.highlight_color == WD_COLOR_INDEX.YELLOW]


def template_xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


@pytest.fixture(scope="module")
def logo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    Image.new("RGB", (80, 100), (31, 78, 121)).save(path)
    return path


# ---------------------------------------------------------------- files present and reproducible


def test_every_template_exists():
    for folder in FOLDERS:
        for name in EVERY_DOCX + ["epost.txt", "epost_oppfolging.txt"]:
            assert (folder / name).is_file(), folder / name
    assert (MALER / "LESMEG.md").is_file()


JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def tag_skeleton(path: Path) -> dict[str, list[str]]:
    """The Jinja tags of each part (body, headers, footers) in order, as Word holds them."""
    skeleton = {}
    with zipfile.ZipFile(path) as archive:
        for part in sorted(archive.namelist()):
            if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", part):
                root = etree.fromstring(archive.read(part))
                text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in root.iter(qn("w:p")))
                skeleton[part] = JINJA_TAG.findall(text)
    return skeleton


@pytest.mark.parametrize("name", EVERY_DOCX)
def test_bokmal_and_nynorsk_have_the_same_tags(name):
    """The .docx files are the source (no builder): a change to one målform needs the same in the other.
    The words may differ; the fields, loops and conditions, in their order, may not."""
    bokmal, nynorsk = tag_skeleton(MALER / name), tag_skeleton(NYNORSK / name)
    assert bokmal["word/document.xml"], name
    assert bokmal == nynorsk, f"{name}: bokmål og nynorsk har ikke de samme feltene og kodene"


def test_docx_text_shows_a_template_for_git_diff():
    """tools/docx_text.py, git's textconv for *.docx (.gitattributes): paragraphs with their style,
    table cells, header and footer."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "docx_text.py"), str(MALER / "vedlegg.docx")],
                            capture_output=True, text=True, encoding="utf-8", check=True)
    lines = result.stdout.splitlines()
    assert "[Title] Personlige utviklingsmål {{ periode.ar }}" in lines
    assert "| [Malkode] {%tr for u in utviklingsmal %}" in lines
    assert "=== header1.xml" in lines and "=== footer1.xml" in lines


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_jinja_tags_each_in_one_run(folder, name):
    """HR edits these in Word; a tag split over runs would only work by luck of docxtpl's cleanup."""
    document = docx.Document(folder / name)
    parts = [document.element.body, *headers(document), *footers(document)]
    for part in parts:
        for run in part.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            for opening, closing in (("{{", "}}"), ("{%", "%}")):
                assert text.count(opening) == text.count(closing), text


# ---------------------------------------------------------------- Word opens them as current documents


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_word_metadata(folder, name):
    settings = etree.fromstring(template_xml(folder / name, "word/settings.xml").encode())
    modes = [el.get(qn("w:val")) for el in settings.iter(qn("w:compatSetting"))
             if el.get(qn("w:name")) == "compatibilityMode"]
    assert modes == ["15"], "Word åpner dokumentet i kompatibilitetsmodus"
    assert settings.find(qn("w:autoHyphenation")) is None, "automatisk orddeling skal være av"
    app = template_xml(folder / name, "docProps/app.xml")
    root = etree.fromstring(app.encode())
    ns = {"ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
    assert root.findtext("ep:Application", namespaces=ns) == "lederavtale"
    assert "Microsoft" not in app and "Macintosh" not in app and "AppVersion" not in app
    core = template_xml(folder / name, "docProps/core.xml")
    assert "<cp:revision>1</cp:revision>" in core


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_norwegian_separators(folder, name):
    """Word's decimal sign and list separator (fields, formulas in tables) as in Norway: «,» and «;»."""
    settings = etree.fromstring(template_xml(folder / name, "word/settings.xml").encode())
    assert settings.find(qn("w:decimalSymbol")).get(qn("w:val")) == ","
    assert settings.find(qn("w:listSeparator")).get(qn("w:val")) == ";"


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_letterhead_on_the_first_page_only(folder, name):
    """A letter's convention: the logo, address and contact details on the first page; the other pages
    name the municipality and carry the title, page number and document ID (and an exempt document's
    mark on every page)."""
    document = docx.Document(folder / name)
    section = document.sections[0]
    assert section.different_first_page_header_footer
    (first_header, header), (first_footer, footer) = headers(document), footers(document)
    head = ["\n".join(paragraphs(part, document)) for part in (first_header, header)]
    foot = ["\n".join(paragraphs(part, document)) for part in (first_footer, footer)]
    assert "kommune.logo" in head[0] and "kommune.logo" not in head[1]
    assert all("{{ kommune.navn }}" in text for text in head)
    exempt = "offentl" in head[0]
    assert ("offentl" in head[1]) == exempt
    assert "kommune.adresse" in foot[0] and "kommune.telefon" in foot[0]
    assert "kommune.adresse" not in foot[1] and "kommune.telefon" not in foot[1]
    for text in foot:
        assert "{{ periode.ar }}" in text and "Side" in text and "Dokument-ID" in text


def test_tables_have_one_layout_element():
    """A repeated <w:tblLayout> is against the schema; Word may refuse the file."""
    for folder in FOLDERS:
        for name in EVERY_DOCX:
            xml = template_xml(folder / name)
            assert "<w:tblLayout w:type=\"fixed\"/><w:tblLayout" not in xml, name


def test_templates_carry_only_the_styles_they_need():
    """A clean base, not python-docx's default (174 styles, linked «Char» styles in theme fonts), which
    LibreOffice spent over a third of its time per document reading; the PDF step copies a document as
    it is."""
    for folder in FOLDERS:
        for name in EVERY_DOCX:
            styles = template_xml(folder / name, "word/styles.xml")
            ids = re.findall(r'w:styleId="([^"]+)"', styles)
            assert len(ids) <= 40, (folder / name, len(ids))
            assert not [i for i in ids if i.endswith("Char")], folder / name
            assert "Theme=" not in styles, f"{folder / name}: fonts from the theme, not Arial"


# ---------------------------------------------------------------- typography of the templates' own text


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_own_text_keeps_numbers_together(folder, name):
    """The templates' own «§ 13», «kap. 3» and «%» never break over two lines."""
    xml = "".join(template_xml(folder / name, part) for part in ("word/document.xml", "word/footer1.xml",
                                                                   "word/footer2.xml"))
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)))
    assert not re.search(r"§ | %|kap\. \d|pkt\. \d", text)
    assert "Hovedtariffavtalen kapittel" not in text and "hovudtariffavtalen kapittel" not in text


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_footer_never_wraps_at_a_separator(folder):
    document = render(folder / "lederavtale.docx", agreement_context())
    footer = footer_text(document)
    assert " · " not in footer and f"{NBSP}·{NBSP}" in footer
    # Name and address on one line, the contact details on the next.
    lines = footer.split("\n")
    assert lines[0] == f"Fjordvik kommune{NBSP}·{NBSP}Rådhusplassen 1, 6900 Fjordvik"
    assert lines[1] == (f"Telefon{NBSP}57 00 00 00{NBSP}·{NBSP}postmottak@fjordvik.kommune.no{NBSP}·{NBSP}"
                        "www.fjordvik.kommune.no")


# ---------------------------------------------------------------- the agreement


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_agreement_renders_rich_context(folder, logo):
    document = render(folder / "lederavtale.docx", agreement_context(), logo=logo)
    text = body_text(document)
    assert "2027" in text and "1. januar 2027 – 31. desember 2027" in text
    for value in ["Øystein Æsøy-Ås", "Virksomhetsleder", "Fjordvik sykehjem & omsorg",
                  "Per <Helse>, kommunalsjef helse og omsorg"]:
        assert value in text, value
    # Areas as headings, assignments with every field, the date through the filter.
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Økonomi & drift", "Sykefravær"]
    assert "Drive innenfor vedtatt budsjett\nmed månedlig rapport" in text
    for value in [f"Avvik < 1{NBSP}%", "Månedsrapport", f"Avvik 2,3{NBSP}% i 2026", "31.12.2027",
                  "30.06.2027", "Redusere innkjøpskostnader", f"Sykefravær under 6,7{NBSP}%", f"8,1{NBSP}%"]:
        assert value in text, value
    # Values are data: the injected Jinja prints literally, and markup stays text.
    assert f"Prøve {INJECTION} & <b>fet</b>" in text
    assert "49" not in text
    assert "{%" not in all_text(document)
    assert "{{" not in all_text(document).replace(INJECTION, "")
    # The logo lands in the first page's header, with the municipality's name and contact details; the
    # other pages carry the name alone (the letterhead is the first page's).
    first, running = headers(document)
    assert first.findall(".//" + qn("w:drawing")), "logoen mangler i toppteksten"
    assert not running.findall(".//" + qn("w:drawing")), "logoen skal bare stå på første side"
    assert "Fjordvik kommune" in paragraphs(running, document)[0]
    footer = footer_text(document)
    for value in ["Rådhusplassen 1, 6900 Fjordvik", "57 00 00 00", "postmottak@fjordvik.kommune.no",
                  "www.fjordvik.kommune.no", "Side"]:
        assert value in footer, value
    # Signatures: place, both names and titles.
    assert "Fjordvik, " in text
    assert text.count("Øystein Æsøy-Ås") >= 2 and text.count("Per <Helse>") >= 2


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_assignment_layout(folder):
    """Each assignment its own full-width block: text, then the targets side by side, then the measures."""
    document = render(folder / "lederavtale.docx", agreement_context())
    tables = assignment_tables(document)
    assert len(tables) == 3  # one per assignment
    first, second, third = tables
    # Row 1: number and text across the full width.
    task = first.rows[0]
    assert len(task._tr.findall(qn("w:tc"))) == 1
    assert task.cells[0].text == "1\tDrive innenfor vedtatt budsjett\nmed månedlig rapport"
    # Row 2: each target under its label.
    targets = [[p.text for p in cell.paragraphs] for cell in first.rows[1].cells]
    assert targets == [["Mål", f"Avvik < 1{NBSP}%"],
                       ["Målemetode", "Månedsrapport"],
                       ["Utgangspunkt", f"Avvik 2,3{NBSP}% i 2026"], ["Frist", "31.12.2027"]]
    assert [p.text for p in second.rows[1].cells[3].paragraphs] == ["Frist", ""]  # no deadline → empty, not "None"
    # Row 3: one bulleted paragraph per measure, or the placeholder.
    measures = [p.text for p in first.rows[2].cells[0].paragraphs]
    assert measures[1:] == ["Månedlig gjennomgang med økonomirådgiver", f"Prøve {INJECTION} & <b>fet</b>"]
    assert [p.text for p in second.rows[2].cells[0].paragraphs][1:] == [PLACEHOLDER[folder]]
    assert [p.text for p in third.rows[2].cells[0].paragraphs][1:] == ["Ukentlige samtaler med sykmeldte"]
    # The text and targets are heading rows that cannot split: repeated above measures that run
    # onto the next page, never left alone at the foot of a page.
    for row in first.rows[:2]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert first.rows[2]._tr.trPr.find(qn("w:cantSplit")) is None
    # Row 4 (Lørenskog): the leader's most important contribution and the ambition agreed, two boxes
    # written in the avtalesamtale, below the measures (which stay the first row after the headings).
    for table in tables:
        assert len(table.rows) == 4
        notes = table.rows[3]
        assert len(notes._tr.findall(qn("w:tc"))) == 2
        assert [[p.text for p in cell.paragraphs] for cell in dict.fromkeys(notes.cells)] == (
            [["Lederens viktigste bidrag"], ["Avtalt ambisjon"]] if folder == MALER
            else [["Det viktigaste leiaren bidreg med"], ["Avtalt ambisjon"]])
        assert notes._tr.trPr.find(qn("w:cantSplit")) is not None


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", AGREEMENTS)
def test_no_keep_with_next_inside_tables(folder, name):
    """LibreOffice keeps a table with "keep with next" paragraphs whole and moves it to the next
    page, leaving a gap; the assignment blocks rely on heading rows instead."""
    document = docx.Document(folder / name)
    styles = {s.style_id: s for s in document.styles if s.type == 1}
    for table in document.element.body.iter(qn("w:tbl")):
        for p in table.iter(qn("w:p")):
            para = docx.text.paragraph.Paragraph(p, document)
            assert not para.paragraph_format.keep_with_next
            style = styles.get(p.pPr.pStyle.val) if p.pPr is not None and p.pPr.pStyle is not None else None
            assert style is None or not style.paragraph_format.keep_with_next, style.name


@pytest.mark.parametrize("folder,sentence", [
    (MALER, "Enheten har ikke fått egne oppdrag i styringsbrevet for 2027."),
    (NYNORSK, "Eininga har ikkje fått eigne oppdrag i styringsbrevet for 2027."),
], ids=FOLDER_IDS)
def test_agreement_without_assignments(folder, sentence):
    document = render(folder / "lederavtale.docx", agreement_context(rich=False, adresse="", telefon="",
                                                                     nettside="", sted=""))
    text = body_text(document)
    assert sentence in text
    assert not assignment_tables(document)
    assert not any(part.findall(".//" + qn("w:drawing")) for part in headers(document))
    footer = footer_text(document)
    assert "Telefon" not in footer and "·" not in footer
    assert "Fjordvik kommune\npostmottak@fjordvik.kommune.no" in footer


@pytest.mark.parametrize("folder,heading,intro", [
    (MALER, "Lederprinsipper", "Lederprinsippene i Fjordvik kommune"),
    (NYNORSK, "Leiarprinsipp", "Leiarprinsippa i Fjordvik kommune"),
], ids=FOLDER_IDS)
def test_leadership_principles_replace_the_general_demands(folder, heading, intro):
    document = render(folder / "lederavtale.docx", agreement_context(lederprinsipper=PRINCIPLES))
    text = body_text(document)
    assert heading in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert intro in text
    principles = [p for p in document.paragraphs if p.text.startswith("Vi er")]
    assert [p.text for p in principles] == ["Vi er tydelige: Vi setter klare mål og gir tilbakemeldinger.",
                                           "Vi er modige"]
    assert all((p.runs[0].bold or p.runs[0].style.font.bold) and p.runs[0].text.startswith("Vi er") for p in principles)
    assert "Krav til le" not in text


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.slow
def test_demands_depend_on_the_level(folder):
    """Without principles, «Krav til lederen» says what the role is at the levels it knows."""
    texts = {niva: body_text(render(folder / "lederavtale.docx", agreement_context(niva=niva)))
             for niva in ["Kommunalsjef", "virksomhetsleder", "avdelingsleder", "prosjektleder"]}
    assert all(("Krav til lederen" if folder == MALER else "Krav til leiaren") in t for t in texts.values())
    assert "kommunedirektør" in texts["Kommunalsjef"].split("Oppdrag fr")[0].split("Krav til le")[1]
    level_words = {"Kommunalsjef": "Som kommunalsjef", "virksomhetsleder":
                   "Som virksomhetsleder" if folder == MALER else "Som verksemdsleiar",
                   "avdelingsleder": "Som avdelingsleder" if folder == MALER else "Som avdelingsleiar"}
    for niva, words in level_words.items():
        assert words in texts[niva], niva
        assert sum(w in texts[niva] for w in level_words.values()) == 1
    assert not any(w in texts["prosjektleder"] for w in level_words.values())
    assert ("Fjordvik kommune forventer at lederen" if folder == MALER
            else "Fjordvik kommune ventar at leiaren") in texts["prosjektleder"]


@pytest.mark.parametrize("folder,sentences", [
    (MALER, ["Lederavtalen er et tillegg til arbeidsavtalen", "Avtalen gjelder til ny avtale er inngått.",
             "Lederavtalen er et offentlig dokument.",
             f"vedlegg, som er unntatt offentlighet (offl. §{NBSP}13 jf. fvl. §{NBSP}13 første ledd nr. 1)"]),
    (NYNORSK, ["Leiaravtalen er eit tillegg til arbeidsavtalen", "Avtalen gjeld til ny avtale er inngått.",
               "Leiaravtalen er eit offentleg dokument.",
               f"vedlegg, som er unnateke offentlegheit (offl. §{NBSP}13 jf. fvl. §{NBSP}13 første ledd nr. 1)"]),
], ids=FOLDER_IDS)
@pytest.mark.parametrize("name", AGREEMENTS)
def test_agreement_status_in_so_many_words(folder, sentences, name):
    ctx = director_context() if name == AGREEMENTS[1] else agreement_context()
    text = body_text(render(folder / name, ctx))
    for sentence in sentences:
        assert sentence in text, sentence


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", AGREEMENTS)
@pytest.mark.parametrize("rich", [True, False], ids=["rich", "empty"])
def test_agreements_never_reference_development_goals(folder, name, rich):
    # The agreement context has no `utviklingsmal`; StrictUndefined fails on any use of it.
    ctx = agreement_context(rich)
    assert "utviklingsmal" not in ctx
    render(folder / name, ctx)
    assert "utviklingsmal" not in template_xml(folder / name)


def test_page_numbers_are_real_fields():
    for folder in FOLDERS:
        for name in EVERY_DOCX:
            for footer in footers(docx.Document(folder / name)):
                instructions = " ".join(t.text for t in footer.iter(qn("w:instrText")))
                assert "PAGE" in instructions.split() and "NUMPAGES" in instructions.split(), name


def test_page_is_a4():
    for folder in FOLDERS:
        for name in EVERY_DOCX:
            section = docx.Document(folder / name).sections[0]
            assert abs(section.page_width.mm - 210) < 0.5 and abs(section.page_height.mm - 297) < 0.5


# ---------------------------------------------------------------- drafts: the placeholder convention


def test_placeholder_text_is_the_convention_and_highlighted():
    """Every placeholder is exactly «[Fylles ut i ledersamtalen]» (nynorsk «[Fyllast ut i
    leiarsamtalen]»), in one highlighted run; no other text starts like one."""
    for folder in FOLDERS:
        for name in ALL_DOCX:
            document = docx.Document(folder / name)
            runs = [run for p in document.element.body.iter(qn("w:p"))
                    for run in docx.text.paragraph.Paragraph(p, document).runs]
            marked = [run for run in runs if "[Fyll" in run.text]
            assert marked, name
            for run in marked:
                assert run.text == PLACEHOLDER[folder], (name, run.text)
                assert run.font.highlight_color == WD_COLOR_INDEX.YELLOW
            assert all("[Fyll" not in (t.text or "") for part in headers(document) for t in part.iter(qn("w:t")))


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", AGREEMENTS)
def test_placeholders_only_where_something_is_missing(folder, name):
    make = director_context if name == AGREEMENTS[1] else agreement_context
    draft = render(folder / name, make())
    # Assignment 2 has no measures, and no follow-up conversations are agreed.
    assert highlighted(draft) == [PLACEHOLDER[folder]] * 2
    oppdrag = rich_oppdrag()
    oppdrag[1]["tiltak"] = ["Ny avtale med innkjøpsrådgiver"]
    done = render(folder / name, make(oppdrag=oppdrag, oppfolging="15. mars og 20. oktober"))
    text = body_text(done)
    assert "[Fyll" not in text and not highlighted(done)
    assert "15. mars og 20. oktober" in text


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_appendix_without_goals_is_a_visible_draft(folder):
    assert highlighted(render(folder / "vedlegg.docx", appendix_context(rich=False))) == [PLACEHOLDER[folder]]
    assert "[Fyll" not in body_text(render(folder / "vedlegg.docx", appendix_context()))


# ---------------------------------------------------------------- the signature block


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_signatures_keep_with_the_section_before(folder, name):
    """Everything from the last section heading to the signatures keeps with the next, and
    the signature row cannot split: the signatures never open a page alone."""
    document = docx.Document(folder / name)
    body = list(document.element.body.iterchildren())
    signatures = max(i for i, el in enumerate(body) if el.tag == qn("w:tbl"))
    heading = max(i for i, el in enumerate(body[:signatures]) if el.tag == qn("w:p")
                  and docx.text.paragraph.Paragraph(el, document).style.name == "Heading 1"
                  and docx.text.paragraph.Paragraph(el, document).text != "Underskrifter")
    for el in body[heading:signatures]:
        # A box to write in before the signatures (the appendix's own leadership) keeps with them too.
        paras = ([docx.text.paragraph.Paragraph(p, document) for p in el.iter(qn("w:p"))]
                 if el.tag == qn("w:tbl") else [docx.text.paragraph.Paragraph(el, document)])
        for para in paras:
            assert para.paragraph_format.keep_with_next or para.style.paragraph_format.keep_with_next, para.text
    row = document.tables[-1].rows[0]
    assert row._tr.trPr.find(qn("w:cantSplit")) is not None


# ---------------------------------------------------------------- the appendix


@pytest.mark.parametrize("folder,mark", [(MALER, "Unntatt offentlighet"), (NYNORSK, "Unnateke offentlegheit")],
                         ids=FOLDER_IDS)
def test_appendix_renders_goals_and_screening(folder, mark, logo):
    document = render(folder / "vedlegg.docx", appendix_context(), logo=logo)
    text = body_text(document)
    hjemmel = f"§{NBSP}13 jf. fvl. §{NBSP}13 første ledd nr. 1"
    # Marked at the top of the page body and in the page header, with the legal basis:
    # «Offl.» on a line of its own, «offl.» in the middle of a sentence.
    assert f"{mark} – offl. {hjemmel}" in header_text(document)
    assert text.lstrip().startswith(f"{mark}\nOffl. {hjemmel}")
    # Said in the header and the stamp; the text and the footer no longer repeat it (issue 21).
    assert text.count(mark) == 1 and mark not in footer_text(document)
    for value in ["Øystein Æsøy-Ås, virksomhetsleder", "Per <Helse>, kommunalsjef helse og omsorg",
                  "Bli tryggere i krevende personalsamtaler", "Lederutviklingsprogram\nmed mentor",
                  f"Samtale i juni {INJECTION}", "Delegere mer til teamlederne & avdelingslederne", "Høst"]:
        assert value in text, value
    goals = [t for t in document.tables if len(t.columns) == 3 and t.rows[0].cells[0].text == "Mål"]
    assert len(goals) == 1 and len(goals[0].rows) == 3  # header + two goals, no blank rows
    assert "{%" not in all_text(document)


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_appendix_without_goals_has_blank_rows(folder):
    document = render(folder / "vedlegg.docx", appendix_context(rich=False))
    goals = [t for t in document.tables if len(t.columns) == 3 and t.rows[0].cells[0].text == "Mål"]
    assert len(goals) == 1
    rows = goals[0].rows[1:]
    assert len(rows) >= 3 and all(not row.cells[0].text.strip() for row in rows[1:])


@pytest.mark.parametrize("folder,ordforer,superior", [
    (MALER, "ordføreren", "overordnet leder"), (NYNORSK, "ordføraren", "overordna leiar")], ids=FOLDER_IDS)
def test_appendix_speaks_of_the_ordforer(folder, ordforer, superior):
    director = body_text(render(folder / "vedlegg.docx", appendix_context(ctx=director_context())))
    # HR reports to the kommunedirektør: his goals are for him and the ordfører (as in Øyer's agreement).
    assert f"kommunedirektøren og {ordforer}" in director.lower() and "For kommunestyret" in director
    assert "og HR" not in director and "Lederens" not in director and "lederens" not in director
    assert superior not in director.lower()
    leader = body_text(render(folder / "vedlegg.docx", appendix_context()))
    assert f", {superior} og HR" in leader and ordforer not in leader


# ---------------------------------------------------------------- the kommunedirektør


@pytest.mark.parametrize("folder,sentences", [
    (MALER, ["mellom kommunestyret og kommunedirektøren", "Særskilte mål og oppdrag for 2027",
             "Kommunedirektøren kan forvente at ordføreren og kommunestyret", "Kommunestyret forventer at",
             "Kommunedirektørens egenevaluering", "Grunnlaget for evalueringen", "Politisk behandling",
             "Formannskapet drøfter utkastet", "kommunestyret orienteres", "oppfølgingssamtale",
             "Avtalen inngås i avtalesamtalen mellom ordføreren og kommunedirektøren i januar. Ordføreren kaller inn",
             f"Hovedtariffavtalen kap.{NBSP}3 pkt.{NBSP}3.4.1", "For kommunestyret", f"kommuneloven §{NBSP}13-1",
             "Kommunedirektørens tiltak", "Ola Ordfører, ordfører"]),
    (NYNORSK, ["mellom kommunestyret og kommunedirektøren", "Særskilde mål og oppdrag for 2027",
               "Kommunedirektøren kan vente at ordføraren og kommunestyret", "Kommunestyret ventar at",
               "Eigenevalueringa til kommunedirektøren", "Grunnlaget for evalueringa", "Politisk handsaming",
               "Formannskapet drøftar utkastet", "kommunestyret blir orientert", "oppfølgingssamtale",
               "Avtalen blir inngått i avtalesamtalen mellom ordføraren og kommunedirektøren i januar. Ordføraren "
               "kallar inn",
               f"Hovudtariffavtalen kap.{NBSP}3 pkt.{NBSP}3.4.1", "For kommunestyret",
               f"kommunelova §{NBSP}13-1", "Tiltak frå kommunedirektøren", "Ola Ordfører, ordfører"]),
], ids=FOLDER_IDS)
def test_kommunedirektor_agreement(folder, sentences):
    document = render(folder / "lederavtale_kommunedirektor.docx", director_context())
    text = body_text(document)
    for sentence in sentences + ["Kari Direktør", "Drive innenfor vedtatt budsjett",
                                 "Ukentlige samtaler med sykmeldte", f"Prøve {INJECTION} & <b>fet</b>"]:
        assert sentence in text, sentence
    # The items are the kommunedirektør's own, not presented as the kommunestyre's goals.
    assert "Kommunestyrets mål" not in text and "Måla til kommunestyret" not in text
    assert len(assignment_tables(document)) == 3


# ---------------------------------------------------------------- nynorsk is nynorsk


@pytest.mark.parametrize("name,words", [
    ("lederavtale.docx", ["Leiaravtale 2027", "Føremål", "Overordna leiar", "Tiltak frå leiaren",
                          "Stad og dato", "Underskrifter", "unnateke offentlegheit", "Krav til leiaren"]),
    ("vedlegg.docx", ["Personlege utviklingsmål 2027", "Leiar", "Stad og dato"]),
    ("lederavtale_kommunedirektor.docx", ["Leiaravtale 2027", "Lønsforhandling", "Stad og dato",
                                          "Gjensidige forventingar", "står bak kommunedirektøren utad"]),
    ("oppfolging.docx", ["Oppfølgingssamtale 2027", "Går ut", "Ingen eigne tiltak er ført inn i leiaravtalen.",
                         "Stad og dato", "unnateke offentlegheit"]),
    ("oppfolging_kommunedirektor.docx", ["Oppfølgingssamtale 2027", "Gjensidige forventingar", "Går ut",
                                         "Grunnlaget for oppfølginga", "HMS-arbeidet"]),
    ("oppfolging_vedlegg.docx", ["Eiga leiing og utvikling 2027", "Unnateke offentlegheit", "Korleis har det gått?",
                                 "Tilbakemelding frå overordna leiar"]),
    ("oppfolging_vedlegg_kommunedirektor.docx", ["Evaluering av kommunedirektøren 2027", "Evalueringa frå ordføraren",
                                                 "Eigenevalueringa til kommunedirektøren", "Unnateke offentlegheit"]),
])
def test_nynorsk_templates_are_nynorsk(name, words):
    director = name in (AGREEMENTS[1], FOLLOW_UPS[1], EXEMPT_FOLLOW_UPS[1])
    ctx = director_context() if director else agreement_context()
    if name in ["vedlegg.docx", *EXEMPT_FOLLOW_UPS]:
        ctx = appendix_context(ctx=ctx)
    text = body_text(render(NYNORSK / name, ctx))
    for word in words:
        assert word in text, word
    for bokmal in ["Lederavtale", "Formål", "Overordnet leder", "Sted og dato", "ikke", "hvilke", "fra",
                   "forventer", "Fylles", "behandling", "gjelder"]:
        assert not re.search(rf"\b{bokmal}\b", text), bokmal


# ---------------------------------------------------------------- e-mail


@pytest.mark.parametrize("folder,subject,greeting", [
    (MALER, "Emne: Utkast til lederavtale 2027 – Øystein Æsøy-Ås", "Hei Øystein,"),
    (NYNORSK, "Emne: Utkast til leiaravtale 2027 – Øystein Æsøy-Ås", "Hei Øystein,"),
], ids=FOLDER_IDS)
def test_email_template(folder, subject, greeting):
    source = (folder / "epost.txt").read_text(encoding="utf-8")
    env = make_jinja_env(autoescape=False)
    text = env.from_string(source).render({**agreement_context(), **MAIL_SAMPLES[0]})
    lines = text.splitlines()
    assert lines[0] == subject
    assert lines[1] == greeting
    body = "\n".join(lines[1:])
    assert "Per <Helse> (kommunalsjef helse og omsorg)" in body and "Fjordvik kommune" in body
    assert "utviklingsmål" in body.lower()  # the appendix is named, never its content
    assert "samtalen med" in body  # the avtalesamtale with the superior
    # The appendix is exempt and not to be forwarded; the signed copies never go by e-mail.
    assert ("unntatt offentlighet: ikke videresend det" if folder == MALER
            else "unnateke offentlegheit: ikkje send det vidare") in body
    assert ("ikke på e-post" if folder == MALER else "ikkje på e-post") in body
    assert "utviklingsmal" not in source  # never the goals themselves
    # Renders with the empty context too (no assignments).
    for sample in MAIL_SAMPLES:
        env.from_string(source).render({**agreement_context(rich=False), **sample})


def render_email(folder: Path, name: str, ctx: dict) -> str:
    """The e-mail text rendered as a leader gets it: with the appendix attached and no political secretariat,
    unless `ctx` says otherwise (mail.message.mail_context)."""
    source = (folder / name).read_text(encoding="utf-8")
    env = make_jinja_env(autoescape=False, locale="nn" if folder == NYNORSK else "nb")
    return env.from_string(source).render({**MAIL_SAMPLES[0], **ctx})


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_email_says_who_calls_how_the_files_come_back_the_deadline_and_whom_to_ask(folder):
    """The meeting's date, the deadline and the contact from the workbook when it has them (Avtalesamtale in
    Ledere, Frist and Kontaktperson in Kommune), and what holds without them: 31 March, HR."""
    bare = render_email(folder, "epost.txt", agreement_context())
    nb = folder == MALER
    assert ("Per <Helse> kaller inn til avtalesamtalen. " if nb else "Per <Helse> kallar inn til avtalesamtalen. ") \
        in bare
    # The Word files come back to HR as agreed, never by e-mail (the appendix is exempt); HR hands them in.
    assert ("De utfylte Word-filene leverer dere til HR så snart samtalen er holdt" if nb
            else "Dei utfylte Word-filene leverer de til HR så snart samtalen er halden") in bare
    assert ("HR legger dem inn i verktøyet for lederavtaler" if nb else "HR legg dei inn i verktøyet for leiaravtalar") \
        in bare
    assert ("Avtalen skal være signert innen 31. mars 2027." if nb
            else "Avtalen skal vere underskriven innan 31. mars 2027.") in bare
    assert "ta kontakt med HR (svar på denne e-posten)." in bare
    ctx = agreement_context(frist=date(2027, 2, 15), kontaktperson="Mona Lunde, HR-rådgiver, 57 00 12 40")
    ctx["leder"]["avtalesamtale"] = date(2027, 1, 18)
    filled = render_email(folder, "epost.txt", ctx)
    assert (f"avtalesamtalen, som er {'satt' if nb else 'sett'} til 18. januar 2027. ") in filled
    assert ("signert innen 15. februar 2027." if nb else "underskriven innan 15. februar 2027.") in filled
    assert "31. mars" not in filled
    assert "ta kontakt med Mona Lunde, HR-rådgiver, 57 00 12 40." in filled


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_follow_up_email_names_the_exempt_appendix(folder):
    body = render_email(folder, "epost_oppfolging.txt", agreement_context())
    assert "oppfølgingssamtalen" in body
    assert ("leverer dere til HR etter samtalen, slik det er avtalt – ikke på e-post" if folder == MALER
            else "leverer de til HR etter samtalen, slik det er avtalt – ikkje på e-post") in body
    # Attached: named, and not to be passed on; left out (the kommunedirektør's, or --uten-vedlegg): how it comes.
    assert ("Det andre vedlegget, «Vedlegg til oppfølgingssamtale 2027», følger opp dine personlige utviklingsmål"
            if folder == MALER else
            "Det andre vedlegget, «Vedlegg til oppfølgingssamtale 2027», følgjer opp dei personlege utviklingsmåla") in body
    assert ("Vedlegget er unntatt offentlighet: ikke videresend det" if folder == MALER
            else "Vedlegget er unnateke offentlegheit: ikkje send det vidare") in body
    left_out = render_email(folder, "epost_oppfolging.txt", {**agreement_context(), "vedlegg_utelatt": True})
    assert "Det andre vedlegget" not in left_out
    assert ("er derfor ikke lagt ved denne e-posten; du får det av HR på annen måte" if folder == MALER
            else "er difor ikkje lagt ved denne e-posten; du får det frå HR på annan måte") in left_out
    assert "utviklingsmal" not in (folder / "epost_oppfolging.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- one name per meeting

MEETINGS = {MALER: ("avtalesamtale", "ledersamtale", "våren"), NYNORSK: ("avtalesamtale", "leiarsamtale", "våren")}


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_one_name_per_meeting(folder):
    """The avtalesamtale in January, the ledersamtale in the spring, the oppfølgingssamtale in the autumn: the
    spring's name is only ever said of the spring, and the autumn's conversation has no other name."""
    january, spring, spring_time = MEETINGS[folder]
    texts = {}
    for name in EVERY_DOCX:
        director = name in (AGREEMENTS[1], FOLLOW_UPS[1], EXEMPT_FOLLOW_UPS[1])
        ctx = director_context() if director else agreement_context()
        if name in ["vedlegg.docx", *EXEMPT_FOLLOW_UPS]:
            ctx = appendix_context(ctx=ctx)
        texts[name] = all_text(render(folder / name, ctx))
    for name in ("epost.txt", "epost_oppfolging.txt"):
        texts[name] = render_email(folder, name, agreement_context())
    for name, text in texts.items():
        assert "evalueringssamtale" not in text.lower(), name
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
            if spring in sentence.lower():
                assert spring_time in sentence.lower() or "oppfølgingssamtale" in sentence, (name, sentence)
    for name in AGREEMENTS + ["vedlegg.docx", "epost.txt"]:
        assert january in texts[name], name


# ---------------------------------------------------------------- the agreement's new sections


@pytest.mark.parametrize("folder,headings,call", [
    (MALER, ["Handlingsrom", "Arbeidsgiverstrategien", "Risiko"],
     "Avtalen inngås i avtalesamtalen mellom lederen og overordnet leder i januar. Overordnet leder kaller inn til "
     "samtalen, og avtalen skal være signert innen "),
    (NYNORSK, ["Handlingsrom", "Arbeidsgivarstrategien", "Risiko"],
     "Avtalen blir inngått i avtalesamtalen mellom leiaren og overordna leiar i januar. Overordna leiar kallar inn "
     "til samtalen, og avtalen skal vere underskriven innan "),
], ids=FOLDER_IDS)
def test_agreement_has_room_strategy_risk_and_says_who_calls_by_when(folder, headings, call):
    document = render(folder / "lederavtale.docx", agreement_context())
    h1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    # Each a section of its own, which HR deletes whole: its heading and what stands under it.
    assert all(heading in h1 for heading in headings)
    assert h1.index(headings[0]) < h1.index(h1[h1.index(headings[1]) - 1]) < h1.index(headings[1])
    text = body_text(document)
    assert call + "31. mars 2027." in text
    later = body_text(render(folder / "lederavtale.docx", agreement_context(frist=date(2027, 2, 15))))
    assert call + "15. februar 2027." in later


# ---------------------------------------------------------------- the appendix: strengths, no autumn box


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_appendix_has_strengths_tied_to_the_principles_and_no_box_for_the_autumn(folder):
    from generator.documents.placeholders import empty_tables

    nb = folder == MALER
    with_principles = render(folder / "vedlegg.docx",
                             appendix_context(ctx=agreement_context(lederprinsipper=PRINCIPLES)))
    text = body_text(with_principles)
    assert ("Styrker og utfordringer" if nb else "Styrkar og utfordringar") in text
    assert ("Velg to eller tre av lederprinsippene" if nb else "Vel to eller tre av leiarprinsippa") in text
    assert ("Dette er jeg god til:" if nb else "Dette er eg god til:") in text
    assert ("Dette er utfordrende for meg:" if nb else "Dette er utfordrande for meg:") in text
    # The leader's view of the year so far is the autumn's exempt appendix, not a box signed empty in January.
    assert "så langt i år" not in text and "Egen ledelse" not in text and "Eiga leiing" not in text
    without = body_text(render(folder / "vedlegg.docx", appendix_context()))
    assert ("Velg to eller tre av forventningene i avtalen" if nb else "Vel to eller tre av forventingane i avtalen") \
        in without
    # Left empty, the strengths never count as an empty goals table, which stops signing.
    buffer = io.BytesIO()
    with_principles.save(buffer)
    assert empty_tables(buffer.getvalue()) == 0


# ---------------------------------------------------------------- the follow-up documents


def follow_up_context(name: str, **kwargs) -> dict:
    director = name in (FOLLOW_UPS[1], EXEMPT_FOLLOW_UPS[1])
    ctx = director_context(**kwargs) if director else agreement_context(**kwargs)
    return appendix_context(ctx=ctx) if name in EXEMPT_FOLLOW_UPS else ctx


W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"


@pytest.mark.parametrize("folder,statuses", [
    (MALER, ["Ikke startet", "I rute", "Forsinket", "Fullført", "Utgår"]),
    (NYNORSK, ["Ikkje starta", "I rute", "Forseinka", "Fullført", "Går ut"]),
], ids=FOLDER_IDS)
@pytest.mark.parametrize("name", FOLLOW_UPS)
def test_follow_up_statuses_are_word_check_boxes(folder, statuses, name):
    """Each status a check box content control Word ticks with a click; the box is ☐ inside it, which
    LibreOffice prints too. The names are status.xlsx's."""
    document = render(folder / name, follow_up_context(name))
    tables = assignment_tables(document)
    assert len(tables) == 3
    for table in tables:
        cell = table.rows[-1].cells[0]
        assert [p.text.strip() for p in cell.paragraphs[1:]] == statuses
        boxes = cell._tc.findall(".//" + qn("w:sdt"))
        assert len(boxes) == len(statuses)
        for box, status in zip(boxes, statuses):
            checkbox = box.find(qn("w:sdtPr") + "/" + W14 + "checkbox")
            assert checkbox is not None
            assert checkbox.find(W14 + "checked").get(W14 + "val") == "0"
            assert box.find(qn("w:sdtPr") + "/" + qn("w:alias")).get(qn("w:val")) == status
            assert "".join(t.text for t in box.iter(qn("w:t"))) == "\u2610"
    # No box is a bare character that cannot be ticked.
    loose = [t.text for t in document.element.body.iter(qn("w:t"))
             if "\u2610" in (t.text or "") and not any(a.tag == qn("w:sdt") for a in t.iterancestors())]
    assert loose == []


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", FOLLOW_UPS + EXEMPT_FOLLOW_UPS)
def test_follow_up_documents_show_the_agreed_conversations(folder, name):
    agreed = "Ledersamtale 10.06.2027, oppfølgingssamtale 18.11.2027"
    parties = render(folder / name, follow_up_context(name, oppfolging=agreed)).tables[int(name in EXEMPT_FOLLOW_UPS)]
    last = [cell.text for cell in parties.rows[-1].cells]
    assert last == ["Avtalte samtaler" if folder == MALER else "Avtalte samtalar", agreed]
    parties = render(folder / name, follow_up_context(name)).tables[int(name in EXEMPT_FOLLOW_UPS)]
    assert [cell.text for cell in parties.rows[-1].cells] == ["Dato for samtalen", ""]


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", FOLLOW_UPS)
def test_public_follow_ups_never_reference_development_goals(folder, name):
    ctx = follow_up_context(name, rich=False)
    assert "utviklingsmal" not in ctx
    render(folder / name, ctx)
    assert "utviklingsmal" not in template_xml(folder / name)


@pytest.mark.parametrize("folder,present,absent", [
    (MALER, ["Gjensidige forventninger", "Det kommunedirektøren kan forvente av ordføreren og kommunestyret",
             "Har ordføreren og kommunestyret gitt tydelige mål", "Det kommunestyret forventer av kommunedirektøren",
             "vedlegget til oppfølgingssamtalen, som er unntatt offentlighet (offl. §\u00a013",
             f"jf. kommuneloven §{NBSP}11-5", "Grunnlaget for oppfølgingen", "Neste lederavtale"],
     ["fylt rollen", "Ordførerens evaluering", "Skriftlig evaluering", "Kommunedirektørens egenevaluering",
      "Grunnlaget for evalueringen", "Tilbakemelding"]),
    (NYNORSK, ["Gjensidige forventingar", "Det kommunedirektøren kan vente av ordføraren og kommunestyret",
               "Har ordføraren og kommunestyret gitt tydelege mål", "Det kommunestyret ventar av kommunedirektøren",
               "vedlegget til oppfølgingssamtalen, som er unnateke offentlegheit (offl. §\u00a013",
               f"jf. kommunelova §{NBSP}11-5", "Grunnlaget for oppfølginga", "Neste leiaravtale"],
     ["fylt rolla", "Evalueringa frå ordføraren", "Skriftleg evaluering", "Eigenevalueringa til kommunedirektøren",
      "Grunnlaget for evalueringa", "Tilbakemelding"]),
], ids=FOLDER_IDS)
def test_director_follow_up_is_the_agreement_both_ways_and_appraises_no_one(folder, present, absent):
    """Public: status on the assignments and the expectations on both sides (Øyer: did the politicians keep
    theirs?). The ordfører's evaluation and the self-evaluation are the exempt appendix's."""
    document = render(folder / "oppfolging_kommunedirektor.docx", director_context())
    text = body_text(document)
    for sentence in present:
        assert sentence in text, sentence
    # Named, where the text says where they are; never a section or a box to write them in.
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    boxes = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for words in absent:
        assert not any(words in heading for heading in headings) and words not in boxes, words
    assert absent[0] not in text


@pytest.mark.parametrize("folder,mark", [(MALER, "Unntatt offentlighet"), (NYNORSK, "Unnateke offentlegheit")],
                         ids=FOLDER_IDS)
@pytest.mark.parametrize("name,sentences", [
    ("oppfolging_vedlegg.docx", {MALER: ["Egen ledelse og utvikling 2027", "Hvordan har det gått?",
                                         "Hvordan vurderer lederen sin egen ledelse så langt i år",
                                         "Tilbakemelding fra overordnet leder", "Bare lederen, overordnet leder og HR",
                                         "Overordnet leder"],
                                 NYNORSK: ["Eiga leiing og utvikling 2027", "Korleis har det gått?",
                                           "Korleis vurderer leiaren si eiga leiing så langt i år",
                                           "Tilbakemelding frå overordna leiar", "Berre leiaren, overordna leiar og HR",
                                           "Overordna leiar"]}),
    ("oppfolging_vedlegg_kommunedirektor.docx", {
        MALER: ["Evaluering av kommunedirektøren 2027", "Kommunedirektørens egenevaluering", "Ordførerens evaluering",
                "hvordan kommunedirektøren har fylt rollen", "begge parter signerer den", "For kommunestyret",
                "bare kommunedirektøren og ordføreren"],
        NYNORSK: ["Evaluering av kommunedirektøren 2027", "Eigenevalueringa til kommunedirektøren",
                  "Evalueringa frå ordføraren", "korleis kommunedirektøren har fylt rolla",
                  "begge partar skriv under på henne", "For kommunestyret", "berre kommunedirektøren og ordføraren"]}),
])
def test_exempt_follow_ups_are_marked_and_follow_the_goals_up(folder, mark, name, sentences, logo):
    document = render(folder / name, follow_up_context(name), logo=logo)
    text = body_text(document)
    hjemmel = f"§{NBSP}13 jf. fvl. §{NBSP}13 første ledd nr. 1"
    assert f"{mark} – offl. {hjemmel}" in header_text(document)
    assert text.lstrip().startswith(f"{mark}\nOffl. {hjemmel}")
    for sentence in sentences[folder] + ["Bli tryggere i krevende personalsamtaler", "Lederutviklingsprogram\nmed mentor"]:
        assert sentence in text, sentence
    assert "{%" not in all_text(document)
    # Without goals: blank rows to write them in.
    empty = render(folder / name, appendix_context(ctx=follow_up_context(name), rich=False))
    goals = [t for t in empty.tables if len(t.columns) == 3 and t.rows[0].cells[0].text == "Mål"]
    assert len(goals) == 1 and len(goals[0].rows) >= 4


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
def test_the_follow_up_form_leaves_the_person_to_the_exempt_appendix(folder):
    text = body_text(render(folder / "oppfolging.docx", agreement_context()))
    assert ("ikke om lederen som person" if folder == MALER else "ikkje om leiaren som person") in text
    assert ("ikke om enkeltpersoner" if folder == MALER else "ikkje om enkeltpersonar") in text
    assert ("vurderinger av lederen som person skrives i vedlegget" if folder == MALER
            else "vurderingar av leiaren som person skriv de i vedlegget") in text
    assert "vurderer lederen sin egen ledelse" not in text and "vurderer leiaren si eiga leiing" not in text


def test_the_reviews_words_are_fixed_in_both_malformer():
    """utad, «Ingen eigne tiltak er ført inn», HMS as the workbooks name it, and the statuses as status.xlsx
    names them (Utgår, Går ut)."""
    for folder in FOLDERS:
        for name in EVERY_DOCX:
            words = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", template_xml(folder / name)))
            for wrong in ("utetter", "HMT", "tryggleik (H", "Fell bort", "er førte inn"):
                assert wrong not in words, (folder, name, wrong)
    assert "Helse, miljø og sikkerheit (HMS)" in template_xml(NYNORSK / "lederavtale.docx")
    assert "Helse, miljø og sikkerhet (HMS)" in template_xml(MALER / "lederavtale.docx")


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
              "tblLook", "tblCaption", "tblDescription"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
             "tblHeader", "tblCellSpacing", "jc", "hidden"],
}


@pytest.mark.parametrize("folder", FOLDERS, ids=FOLDER_IDS)
@pytest.mark.parametrize("name", EVERY_DOCX)
def test_property_elements_in_schema_order(folder, name):
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


class Laid:
    """A document laid out by LibreOffice: each page's text lines with their vertical position."""

    def __init__(self, pdf: Path, source: str):
        self.path = pdf
        self.source = source  # the document's own text, to tell a hyphen in the text from a broken word
        out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                             text=True).stdout
        self.pages = []
        for height, body in re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', out, re.DOTALL):
            lines = []
            for y0, y1, words in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                            r'yMax="([\d.]+)">(.*?)</line>', body, re.DOTALL):
                text = " ".join(html.unescape(w) for w in re.findall(r"<word [^>]*>(.*?)</word>", words))
                lines.append((float(y0), float(y1), text))
            self.pages.append((float(height), lines))

    def body(self, page: int) -> list[tuple[float, float, str]]:
        """The lines between the letterhead and the footer (3.6 cm and 2.4 cm margins)."""
        height, lines = self.pages[page]
        top, bottom = 3.6 / 2.54 * 72, height - 2.4 / 2.54 * 72
        return [line for line in lines if top - 2 < line[0] and line[1] < bottom + 2]

    def filled(self, page: int) -> float:
        height = self.pages[page][0]
        top, bottom = 3.6 / 2.54 * 72, height - 2.4 / 2.54 * 72
        return (max(line[1] for line in self.body(page)) - top) / (bottom - top)

    def text(self, page: int) -> str:
        return "\n".join(line[2] for line in self.pages[page][1])


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory, logo) -> dict[str, Laid]:
    """One soffice run over the documents people read, rich and empty, bokmål and nynorsk."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) er ikke installert")
    tmp = tmp_path_factory.mktemp("pdf")
    docs = {
        "avtale": render(MALER / "lederavtale.docx", agreement_context(), logo=logo),
        "lang": render(MALER / "lederavtale.docx", agreement_context(oppdrag=long_oppdrag()), logo=logo),
        "leiar": render(NYNORSK / "lederavtale.docx", agreement_context(oppdrag=long_oppdrag(),
                                                                         lederprinsipper=PRINCIPLES), logo=logo),
        "mange": render(MALER / "lederavtale.docx", agreement_context(oppdrag=many_measures()), logo=logo),
        "direktor": render(MALER / "lederavtale_kommunedirektor.docx", director_context(oppdrag=long_oppdrag()),
                           logo=logo),
        "vedlegg": render(NYNORSK / "vedlegg.docx", appendix_context(rich=False), logo=logo),
        "skjema": render(NYNORSK / "oppfolging.docx", agreement_context(), logo=logo),
    }
    for name, document in docs.items():
        document.save(tmp / f"{name}.docx")
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp / 'profil').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp), *[str(tmp / f"{name}.docx") for name in docs]],
        check=True, capture_output=True, timeout=300,
    )
    return {name: Laid(tmp / f"{name}.pdf", all_text(document)) for name, document in docs.items()}


@pytest.mark.slow
def test_rendered_templates_lay_out_in_libreoffice(laid_out):
    avtale = laid_out["avtale"]
    pages = [avtale.text(n) for n in range(len(avtale.pages))]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"Side {number} av {len(pages)}\b", page), page[-300:]
        assert "Fjordvik kommune" in page
        # The letterhead's address and contact details on the first page only.
        assert ("Rådhusplassen 1" in page) == (number == 1), number
    # The logo (the test's 80 × 100 picture) on the first page only.
    listed = subprocess.run(["pdfimages", "-list", str(avtale.path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    logo_pages = [int(line.split()[0]) for line in listed if line.split()[3:5] == ["80", "100"]]
    assert logo_pages == [1], listed
    joined = "\n".join(pages)
    for value in ["Økonomi & drift", "Sykefravær", "31.12.2027", "Ukentlige samtaler", "Avvik < 1"]:
        assert value in joined, value
    assert INJECTION in joined and "{%" not in joined
    # The signatures stay together on the last page.
    assert "Øystein Æsøy-Ås" in pages[-1] and "Per <Helse>" in pages[-1] and "Sted og dato" in pages[-1]

    vedlegg = laid_out["vedlegg"]
    assert len(vedlegg.pages) == 1, "det tomme vedlegget skal få plass på én side"
    # The header and the stamp; the footer and the text no longer repeat it (issue 21: four times was too many).
    assert vedlegg.text(0).count("Unnateke offentlegheit") == 2
    assert "Stad og dato" in vedlegg.text(0)


@pytest.mark.slow
def test_check_boxes_are_printed_as_boxes(laid_out):
    """LibreOffice (7.4) does not know Word's check box controls, but prints what is in them: a box."""
    form = laid_out["skjema"]
    text = "\n".join(form.text(n) for n in range(len(form.pages)))
    for status in ("Ikkje starta", "I rute", "Forseinka", "Fullført", "Går ut"):
        assert text.count(f"\u2610 {status}") == 3, status  # one per assignment


@pytest.mark.parametrize("name", ["avtale", "lang", "mange", "leiar", "direktor", "vedlegg"])
@pytest.mark.slow
def test_no_lone_percent_or_separator_on_a_line(laid_out, name):
    doc = laid_out[name]
    for page in range(len(doc.pages)):
        for _, _, line in doc.pages[page][1]:
            assert line.strip() not in ("%", "·"), (page + 1, line)
            assert not line.startswith("· ") and not line.endswith(" ·"), line


@pytest.mark.parametrize("name", ["avtale", "lang", "mange", "leiar", "direktor"])
@pytest.mark.slow
def test_no_hyphenation(laid_out, name):
    """A line ends in a hyphen only where the text has one (HMS-arbeid), never in the middle of a word."""
    doc = laid_out[name]
    lines = [line[2] for page in range(len(doc.pages)) for line in doc.body(page)]
    for line, after in itertools.pairwise(lines):
        if line.endswith("-") and after:
            word = line.split()[-1] + after.split()[0]
            assert word in doc.source, f"orddeling: «{line[-30:]}» / «{after[:30]}»"


@pytest.mark.parametrize("name", ["avtale", "lang", "mange", "leiar", "direktor"])
@pytest.mark.slow
def test_signature_block_never_opens_a_page(laid_out, name):
    doc = laid_out[name]
    page = next(n for n in range(len(doc.pages)) if "Underskrifter" in doc.text(n))
    before = doc.text(page).split("Underskrifter")[0]
    assert "Om avtalen" in before, "underskriftene står alene øverst på siden"


@pytest.mark.parametrize("name", ["lang", "mange", "leiar", "direktor"])
@pytest.mark.slow
def test_no_page_left_half_empty(laid_out, name):
    """Assignments flow from page to page: no block jumps ahead leaving 40 % of a page blank."""
    doc = laid_out[name]
    for page in range(len(doc.pages) - 1):
        assert doc.filled(page) > 0.6, f"side {page + 1} er bare {doc.filled(page):.0%} fylt"


@pytest.mark.slow
def test_long_measures_continue_under_their_assignment(laid_out):
    """Measures that do not fit start where there is room and run onto the next page, with
    their assignment repeated above them."""
    doc = laid_out["mange"]
    first, last = (next(n for n in range(len(doc.pages)) if f"Oppfølgingstiltak {k}:" in doc.text(n))
                   for k in (1, MEASURES))
    assert last == first + 1, "tiltakene skal begynne der det er plass og fortsette på neste side"
    for page in (first, last):
        assert "Redusere sykefraværet gjennom systematisk" in doc.text(page)


@pytest.mark.slow
def test_the_default_e_mail_texts_say_when_the_appendix_is_left_out_and_where_the_follow_up_goes(tmp_path):
    """The kommunedirektør's agreement e-mail (the ordfører in copy, Vedlegg til ordfører = nei) says the appendix
    is handed over another way; his follow-up e-mail names the political secretariat, in both målformer."""
    import email as email_lib
    import email.policy

    from generator.commands.email import write_drafts
    from generator.commands.followup import follow_up
    from generator.commands.generate import generate
    from generator.job import Job
    from generator.workbook import read_workbook

    for book, said, follow in (("eksempel.xlsx", "ikke lagt ved denne e-posten", "til det politiske sekretariatet"),
                               ("eksempel-nynorsk.xlsx", "ikkje lagt ved denne e-posten",
                                "til det politiske sekretariatet")):
        workbook = ROOT / "input" / book
        bok = read_workbook(workbook)
        (kd,) = [l.ansattnr for l in bok.avtaleledere() if bok.er_kommunedirektor(l)]
        other = next(l.ansattnr for l in bok.avtaleledere() if not bok.er_kommunedirektor(l) and l.epost)
        ut = tmp_path / book
        assert generate(Job(workbook, ut), ledere=[kd, other], pdf=False).exit_code == 0
        assert follow_up(Job(workbook, ut), ledere=[kd], pdf=False).exit_code == 0
        assert write_drafts(Job(workbook, ut), [kd, other]).exit_code == 0
        assert write_drafts(Job(workbook, ut), [kd], oppfolging=True).exit_code == 0

        def body(nr: str, subfolder: str = "") -> str:
            path = next((ut / "2027" / "epost" / subfolder).glob(f"{nr} *.eml"))
            message = email_lib.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            return " ".join(message.get_body(("plain",)).get_content().split())

        assert said in body(kd) and said not in body(other)
        assert follow in body(kd, "oppfolging") and bok.kommune.politisk_sekretariat in body(kd, "oppfolging")
        # His follow-up's exempt appendix (the evaluation) does not go to the secretariat either, and says so.
        assert said in body(kd, "oppfolging")
