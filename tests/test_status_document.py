"""The Word/PDF status report as its readers meet it (issue 31): a summary first, the municipality's and
the sectors' results before the units', results labelled by whose they are, each result between its
baseline and its goal, the leaders of one unit told apart, no leader named when the municipality says
no, the logo described, only the templates' styles, and every word in nynorsk for a nynorsk
municipality. Real example workbooks, status books filled in with openpyxl, the .docx read with
python-docx and the PDF with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import docx_text
from docx import Document
from docx.oxml.ns import qn

from generator.cli import main
from generator.status import document
from generator.status.counts import ENHET, KOLONNER, KOMMUNE, SEKTOR, own_figures, whose
from generator.status.workbook import write_status_workbook
from generator.workbook import read_workbook
from generator.workbook.language import bokmal_words

INPUT = Path(__file__).resolve().parent.parent / "input"
EXAMPLE = INPUT / "eksempel.xlsx"
EXAMPLE_NN = INPUT / "eksempel-nynorsk.xlsx"

# (Ansattnr, Nr) -> (Status, Resultat, Kommentar). 1001 the kommunedirektør, 1002 a kommunalsjef,
# 1010 and 1040 the two leaders of Fjordvik sykehjem; 1042 reports nothing; everyone else I rute.
FILL = {
    ("1001", "1"): ("Fullført", "Avvik 0,4 % ved 2. tertial", None),
    ("1001", "3"): ("I rute", "7,2 % per 2. kvartal", None),
    ("1002", "10"): ("Forsinket", None, "Klimabudsjett utsatt til 2028"),
    ("1010", "1"): ("Fullført", "Budsjett i balanse per 2. tertial", None),
    ("1010", "3"): ("Forsinket", "7,9 %", "Venter på rekruttering"),
    ("1040", "3"): ("I rute", "6,9 %", None),
    ("1040", "6"): ("Utgår", None, "Erstattet av regionalt prosjekt"),
}
NYNORSK = {"Forsinket": "Forseinka", "Utgår": "Går ut", "Venter på rekruttering": "Ventar på rekruttering",
           "Erstattet av regionalt prosjekt": "Erstatta av eit regionalt prosjekt"}
# Bjørn Kvamme's own figures for assignment 3 (sheet Måltall), in place of the assignment's.
OWN = ("1010", "3", "Sykefravær under 7,5 %", "8,8 % i 2026")
OWN_NN = ("1010", "3", "Sjukefråvær under 7,5 %", "8,8 % i 2026")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def workbook_copy(folder: Path, example: Path = EXAMPLE) -> Path:
    """The example beside its logo, with Bjørn Kvamme's own Mål and Utgangspunkt for assignment 3."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(INPUT / "logo.png", folder / "logo.png")
    wb = openpyxl.load_workbook(example)
    if "Måltall" not in wb.sheetnames:
        wb.create_sheet("Måltall").append(["Ansattnr", "Nr", "Mål", "Utgangspunkt"])
    own = OWN_NN if example == EXAMPLE_NN else OWN
    wb["Måltall"].append([int(own[0]), int(own[1]), own[2], own[3]])
    path = folder / "arbeidsbok.xlsx"
    wb.save(path)
    return path


def filled(workbook: Path, folder: Path, nynorsk: bool = False) -> Path:
    bok = read_workbook(workbook)
    path = folder / "status.xlsx"
    assert write_status_workbook(bok, bok.avtaleledere(), path)
    wb = openpyxl.load_workbook(path)
    for row in wb["Status"].iter_rows(min_row=2):
        key = (str(row[0].value), str(row[3].value))
        values = FILL.get(key, (None, None, None) if key[0] == "1042" else ("I rute", None, None))
        if nynorsk:
            values = tuple(NYNORSK.get(v, v) for v in values)
        row[8].value, row[9].value, row[10].value = values
    wb.save(path)
    return path


def make(folder: Path, example: Path = EXAMPLE, pdf: bool = False, nynorsk: bool = False) -> Path:
    """The report of the filled-in example: the year folder it is in."""
    workbook = workbook_copy(folder, example)
    result = run("status", workbook, filled(workbook, folder, nynorsk), "--ut", folder / "ut",
                 *([] if pdf else ["--ingen-pdf"]))
    assert result.exit_code == 0, result.output
    return folder / "ut" / "2027"


def rows_of(path: Path) -> list[list[str]]:
    return [[c.text for c in row.cells] for table in Document(path).tables for row in table.rows]


def headings(path: Path, style: str) -> list[str]:
    return [p.text for p in Document(path).paragraphs if p.style.name == style]


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """statusrapport.docx of the filled-in example (bokmål, Navn i statusrapport = nei)."""
    return make(tmp_path_factory.mktemp("statusrapport")) / "statusrapport.docx"


# --------------------------------------------------------------------------- whose results


def test_whose_results_the_municipality_the_sectors_and_the_units():
    bok = read_workbook(EXAMPLE)
    hvem = whose(bok)
    assert hvem["1001"].niva == KOMMUNE  # the kommunedirektør, under the ordfører
    assert [a for a, h in hvem.items() if h.niva == SEKTOR] == ["1002", "1003", "1004"]
    assert all(h.niva == ENHET for a, h in hvem.items() if a not in ("1001", "1002", "1003", "1004"))
    assert "1000" not in hvem  # the ordfører has no agreement
    # Two leaders in one unit: the virksomhetsleder is the unit's, the avdelingsleder's Avdeling tells hers apart.
    assert (hvem["1010"].enhet, hvem["1010"].del_) == ("Fjordvik sykehjem", "")
    assert (hvem["1040"].enhet, hvem["1040"].del_) == ("Fjordvik sykehjem", "skjermet enhet")
    # Without an Avdeling, the job title does.
    assert hvem["1042"].del_ == "avdelingsleder vei, vann og avløp"


def test_leaders_of_one_unit_are_told_apart_without_avdeling_and_with_the_same_title():
    bok = read_workbook(EXAMPLE)
    ledere = [replace(leder, avdeling="") if leder.ansattnr == "1040" else leder for leder in bok.ledere]
    assert whose(replace(bok, ledere=ledere))["1040"].del_ == "avdelingsleder"  # Stilling «Avdelingsleder»
    # Two avdelingsledere of the same title under the virksomhetsleder: numbered, never alike.
    twin = replace(next(l for l in ledere if l.ansattnr == "1040"), ansattnr="1043", navn="Tom Tvilling")
    twins = replace(bok, ledere=[*ledere, twin], tildeling={**bok.tildeling, "1043": bok.tildeling["1040"]})
    hvem = whose(twins)
    assert {hvem["1040"].del_, hvem["1043"].del_} == {"avdelingsleder (1)", "avdelingsleder (2)"}
    assert hvem["1010"].del_ == ""


def test_own_figures_are_the_leaders_where_the_workbook_has_them(tmp_path):
    bok = read_workbook(workbook_copy(tmp_path))
    oppdrag = next(o for o in bok.oppdrag if o.nr == "3")
    kvamme, fjeld = bok.leder("1010"), bok.leder("1040")
    assert own_figures(bok, kvamme, oppdrag) == (OWN[3], OWN[2])
    assert own_figures(bok, fjeld, oppdrag) == (oppdrag.utgangspunkt, oppdrag.mal)
    assert (oppdrag.utgangspunkt, oppdrag.mal) != (OWN[3], OWN[2])
    # A model without own figures: the assignment's.
    plain = SimpleNamespace(oppdrag=bok.oppdrag)
    assert own_figures(plain, kvamme, oppdrag) == (oppdrag.utgangspunkt, oppdrag.mal)


# --------------------------------------------------------------------------- the report


@pytest.mark.slow
def test_summary_first_then_the_municipality_the_sectors_and_the_units(report):
    assert headings(report, "Heading 1") == [
        "Sammendrag", "Kommunen samlet", "Sektorene", "Status per område", "Avvik: forsinkede oppdrag",
        "Oppdrag som utgår", "Ikke rapportert", "Status per enhet"]
    bok = read_workbook(report.parent.parent.parent / "arbeidsbok.xlsx")
    sectors = headings(report, "Heading 2")[:3]
    assert sectors == ["Helse og omsorg", "Oppvekst og kultur", "Samfunnsutvikling og teknisk"]
    text = docx_text(report)
    summary = text.split("Sammendrag", 1)[1].split("Kommunen samlet\n", 1)[0]
    n = sum(len(bok.oppdrag_for(leder)) for leder in bok.avtaleledere())
    assert (f"Styringsbrevet har {len(bok.oppdrag)} oppdrag. De står i lederavtalene til "
            f"{len(bok.avtaleledere())} ledere: til sammen {n} oppdrag hos lederne.") in summary
    # What is counted, and whose the results are, said in the report.
    assert "hver leder teller én gang for hvert oppdrag i lederavtalen sin, og alle ledere teller likt" in summary
    assert "Kommunens resultater er kommunedirektørens" in summary
    # The shares: every status and the unreported, with the sum.
    rows = rows_of(report)
    table = rows[rows.index(["Status", "Antall", "Prosent"]) + 1:][:len(KOLONNER) + 1]
    assert [r[0] for r in table] == [*KOLONNER, "Sum"]
    assert table[-1] == ["Sum", str(n), "100 %"]
    forsinket = next(r for r in table if r[0] == "Forsinket")
    assert forsinket == ["Forsinket", "2", f"{round(200 / n)} %"]
    assert next(r for r in table if r[0] == "Ikke rapportert")[1] == str(len(bok.oppdrag_for(bok.leder("1042"))))
    # The deviations that matter most: the sector's before the unit's.
    sector = summary.index("Helse og omsorg (sektor): 10. ")
    unit = summary.index("Fjordvik sykehjem: 3. ")
    assert sector < unit and "Klimabudsjett utsatt til 2028" in summary
    assert "1 leder har ikke rapportert status på" in summary and "1 oppdrag utgår" in summary


@pytest.mark.slow
def test_results_are_labelled_by_whose_they_are_between_baseline_and_goal(report):
    bok = read_workbook(EXAMPLE)
    rows = rows_of(report)
    one, three = (next(o for o in bok.oppdrag if o.nr == nr) for nr in ("1", "3"))
    text = docx_text(report)
    # The kommunedirektør's results are the municipality's: never his unit's.
    assert "Kommunedirektørens stab" not in text
    kommune = text.split("Kommunen samlet\n", 1)[1].split("Sektorene\n", 1)[0]
    assert "Resultatene her gjelder hele kommunen." in kommune
    assert ["1", one.tekst, "Fullført", f"{one.utgangspunkt} → Avvik 0,4 % ved 2. tertial → {one.mal}", ""] in rows
    assert ["3", three.tekst, "I rute", f"{three.utgangspunkt} → 7,2 % per 2. kvartal → {three.mal}", ""] in rows
    # A kommunalsjef's are the sector's, in the sector's table and among the deviations.
    ti = next(o for o in bok.oppdrag if o.nr == "10")
    assert ["10", ti.tekst, "Forsinket", f"{ti.utgangspunkt} → – → {ti.mal}", "Klimabudsjett utsatt til 2028"] in rows
    assert ["Helse og omsorg (sektor)", "10", ti.tekst, "Klimabudsjett utsatt til 2028"] in rows
    # The two leaders of Fjordvik sykehjem, each on a line of its own, told apart, with Bjørn Kvamme's own
    # baseline and goal (sheet Måltall).
    assert ["3", "Fjordvik sykehjem", "Forsinket", f"{OWN[3]} → 7,9 % → {OWN[2]}"] in rows
    assert ["3", "Fjordvik sykehjem, skjermet enhet", "I rute",
            f"{three.utgangspunkt} → 6,9 % → {three.mal}"] in rows
    # Status per enhet: one line per unit (both its leaders), the municipality and the sectors first.
    units = [r for r in rows if len(r) == 8 and r[1].isdigit()]
    assert [r[0] for r in units][:4] == ["Kommunen samlet", "Helse og omsorg (sektor)", "Oppvekst og kultur (sektor)",
                                        "Samfunnsutvikling og teknisk (sektor)"]
    sykehjem = [r for r in units if r[0].startswith("Fjordvik sykehjem")]
    assert len(sykehjem) == 1 and sykehjem[0][1] == "2"


@pytest.mark.slow
def test_only_the_templates_styles_a_described_logo_and_the_properties(report):
    doc = Document(report)
    # Headings the agreement template defines in its own look (maler/lederavtale.docx): no Heading 3.
    used = {p.style.name for p in doc.paragraphs}
    assert used <= {"Title", "Heading 1", "Heading 2", "Normal", "Punktliste"}, used
    template = {s.name for s in Document(INPUT.parent / "maler" / "lederavtale.docx").styles}
    assert used <= template
    # No table style: the tables carry their own lines.
    assert not doc.element.body.findall(".//" + qn("w:tblStyle"))
    headers = [e for s in doc.sections for hf in (s.header, s.first_page_header) if not hf.is_linked_to_previous
               for e in hf._element.iter(qn("wp:docPr"))]
    assert headers and {e.get("descr") for e in headers} == {"Logo for Fjordvik kommune"}
    props = doc.core_properties
    assert props.title == "Statusrapport 2027 – Fjordvik kommune"
    assert props.subject == "Status for oppdragene i kommunedirektørens styringsbrev for 2027"
    assert props.language == "nb-NO" and props.author == "Fjordvik kommune"


def all_names(bok) -> list[tuple[str, str]]:
    return [(leder.ansattnr, leder.navn) for leder in bok.ledere]


def assert_nameless(text: str, bok, where: str) -> None:
    flat = " ".join(text.split())
    for ansattnr, navn in all_names(bok):
        assert navn not in flat, (where, navn)
        assert not re.search(rf"(?<!\d){ansattnr}(?!\d)", flat), (where, ansattnr)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installert")
@pytest.mark.slow
def test_no_leader_is_named_anywhere_in_the_word_or_pdf_report_when_the_municipality_says_no(tmp_path):
    folder = make(tmp_path, pdf=True)
    bok = read_workbook(tmp_path / "arbeidsbok.xlsx")
    assert not bok.kommune.navn_i_statusrapport
    docx = folder / "statusrapport.docx"
    # Every part of the Word file: body, headers, footers, properties. Ingunn Aas (1042) has not reported.
    with zipfile.ZipFile(docx) as zf:
        for name in zf.namelist():
            if name.endswith(".xml"):
                assert_nameless(re.sub(r"<[^>]+>", " ", zf.read(name).decode("utf-8")), bok, name)
    assert_nameless(docx_text(docx), bok, "docx")
    pdf = pdf_text(folder / "statusrapport.pdf")
    assert "Teknisk drift, avdelingsleder vei, vann og avløp" in " ".join(pdf.split())
    assert_nameless(pdf, bok, "pdf")


def _static_phrases(nynorsk: bool) -> list[str]:
    """Every fixed phrase of the report's texts in one målform: the words between the placeholders."""
    phrases = []
    for key, pair in document._TEXT.items():
        if key in ("statuser", "n_ledere"):
            continue
        phrases += [p.strip(" .,:;()«»") for p in re.split(r"\{[^}]*\}", pair[nynorsk])]
    return [p for p in phrases if len(p) >= 8]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installert")
@pytest.mark.slow
def test_every_word_of_a_nynorsk_report_is_nynorsk(tmp_path):
    folder = make(tmp_path, EXAMPLE_NN, pdf=True, nynorsk=True)
    docx = folder / "statusrapport.docx"
    text, pdf = docx_text(docx), pdf_text(folder / "statusrapport.pdf")
    assert headings(docx, "Heading 1") == [
        "Samandrag", "Kommunen samla", "Sektorane", "Status per område", "Avvik: forseinka oppdrag",
        "Oppdrag som går ut", "Ikkje rapportert", "Status per eining"]
    assert "Slik er tala talde: kvar leiar tel éin gong for kvart oppdrag" in text
    assert "Nordvik sjukeheim, skjerma eining" in text
    props = Document(docx).core_properties
    assert props.subject == "Status for oppdraga i styringsbrevet frå kommunedirektøren for 2027"
    assert props.language == "nn-NO"
    for where, words in (("docx", text), ("pdf", pdf),
                         ("properties", "\n".join([props.title, props.subject, props.keywords]))):
        assert bokmal_words(words) == [], where
        flat = " ".join(words.split())
        nynorsk = set(_static_phrases(True))
        for phrase in _static_phrases(False):
            assert phrase in nynorsk or phrase not in flat, (where, phrase)
