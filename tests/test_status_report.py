"""The status report's content for its readers, the politicians: counts of people, goals and results,
reasons, who has not reported, deviations by unit, charts that read alike. Real example workbook,
real status.xlsx filled in with openpyxl, the report opened with openpyxl and python-docx."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import numpy
import openpyxl
import pikepdf
import pytest
import PIL.Image
from click.testing import CliRunner
from conftest import docx_text, write_xlsx
from synth import GOAL_MARKER, synthetic_sheets
from docx import Document
from docx.oxml.ns import qn

from generator.cli import main
from generator.model import Oppdrag
from generator.status.chart import COLOURS, ChartText, area_chart, describe, label
from generator.status.counts import KOLONNER, Telling, count
from generator.status.workbook import write_status_workbook
from generator.workbook import read_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "input" / "eksempel.xlsx"


def test_a_unit_counts_its_leaders_not_their_assignments():
    bok = read_workbook(EXAMPLE)
    status = count(bok, [])
    sykehjem = next(t for t in status.enheter if t.navn == "Fjordvik sykehjem")
    # Two leaders there, each with six assignments.
    assert sum(len(bok.oppdrag_for(l)) for l in bok.avtaleledere() if l.enhet == "Fjordvik sykehjem") == 12
    assert sykehjem.ledere == 2
    assert sum(sykehjem.antall.values()) == 12
    assert sum(t.ledere for t in status.enheter) == len(bok.avtaleledere())


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def filled_example(tmp_path: Path, workbook: Path = EXAMPLE) -> Path:
    """The example's status.xlsx filled in: one result, one Utgår with its reason, one Forsinket,
    one leader (Ingunn Aas, 1042) who has reported nothing, the rest I rute."""
    bok = read_workbook(workbook)
    path = tmp_path / "status.xlsx"
    assert write_status_workbook(bok, bok.avtaleledere(), path)
    wb = openpyxl.load_workbook(path)
    for row in wb["Status"].iter_rows(min_row=2):
        key = (str(row[0].value), str(row[3].value))
        status, resultat, kommentar = {
            ("1010", "1"): ("Fullført", "Budsjett i balanse per 2. tertial", None),
            ("1040", "6"): ("Utgår", None, "Erstattet av regionalt prosjekt"),
            ("1010", "3"): ("Forsinket", None, "Venter på rekruttering"),
        }.get(key, (None, None, None) if key[0] == "1042" else ("I rute", None, None))
        row[8].value, row[9].value, row[10].value = status, resultat, kommentar
    wb.save(path)
    return path


@pytest.mark.slow
def test_report_has_goals_results_reasons_and_who_has_not_reported(tmp_path):
    bok = read_workbook(EXAMPLE)
    ut = tmp_path / "ut"
    result = run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    first = bok.oppdrag[0]
    assert first.nr == "1" and first.mal

    report = openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")
    oppdrag = {str(r[0]): r for r in report["Oppdrag"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in report["Oppdrag"][1]][-1] == "Mål" and oppdrag["1"][-1] == first.mal
    # Nr a number, as in the workbook (sorts 2 before 10).
    assert list(report["Resultater"].iter_rows(min_row=2, values_only=True)) == [
        (1, first.tekst, first.mal, "Fjordvik sykehjem", "Fullført", "Budsjett i balanse per 2. tertial")]
    assert [r[0::3] for r in report["Utgår"].iter_rows(min_row=2, values_only=True)] == [
        ("Fjordvik sykehjem", "Erstattet av regionalt prosjekt")]
    missing = list(report["Ikke rapportert"].iter_rows(min_row=2, values_only=True))
    aas = [o.nr for o in bok.oppdrag_for(bok.leder("1042"))]
    assert missing == [("Teknisk drift", ", ".join(aas))]  # the unit, not the leader: Navn i statusrapport = nei

    doc = Document(ut / "2027" / "statusrapport.docx")
    text = docx_text(ut / "2027" / "statusrapport.docx")
    for expected in ("Resultater i enhetene", "Utgangspunkt → resultat → mål", first.mal,
                     "Oppdrag som utgår", "Erstattet av regionalt prosjekt", "Ikke rapportert"):
        assert expected in text, expected
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    # The result on one line from the assignment's baseline to its goal, by the unit it is the result of.
    assert ["1", "Fjordvik sykehjem", "Fullført",
            f"{first.utgangspunkt} → Budsjett i balanse per 2. tertial → {first.mal}"] in rows
    # The reason sits in the Utgår table, on the row of its unit's department (Tone Fjeld's, Avdeling
    # «skjermet enhet»: Fjordvik sykehjem has two leaders) and assignment.
    assert ["Fjordvik sykehjem, skjermet enhet", "6", next(o.tekst for o in bok.oppdrag if o.nr == "6"),
            "Erstattet av regionalt prosjekt"] in rows
    # Who has not reported, by unit and title: the example names no one (Navn i statusrapport = nei).
    assert ["Teknisk drift, avdelingsleder vei, vann og avløp", ", ".join(aas)] in rows
    assert "Ingunn Aas" not in text


def test_a_result_quoting_a_development_goal_stops_the_report(tmp_path):
    # The results are printed in the public report now, so they are read like the comments.
    sheets = synthetic_sheets(12)
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", sheets)
    _header, *goals = sheets["Utviklingsmål"]
    ansattnr, goal = str(goals[0][0]), goals[0][1]
    bok = read_workbook(workbook)
    path = tmp_path / "status.xlsx"
    assert write_status_workbook(bok, bok.avtaleledere(), path)
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Status"].iter_rows(min_row=2) if str(r[0].value) == ansattnr)
    row[8].value, row[9].value = "Fullført", f"Oppnådd sammen med {goal}"
    wb.save(path)
    ut = tmp_path / "ut"
    result = run("status", workbook, path, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 1 and "Personvernsperre" in result.output
    assert GOAL_MARKER not in result.output and f"Status rad {row[0].row} " in result.output
    assert not ut.exists()


def xlsx_strings(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def with_field(tmp_path: Path, value: str) -> Path:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Kommune"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Navn i statusrapport":
            row[1].value = value
            break
    else:
        ws.append(["Navn i statusrapport", value])
    path = tmp_path / "arbeidsbok.xlsx"
    wb.save(path)
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    return path


@pytest.mark.slow
def test_deviations_are_by_unit_and_name_no_leader_unless_the_municipality_says_so(tmp_path):
    bok = read_workbook(EXAMPLE)
    assert not bok.kommune.navn_i_statusrapport  # the example, like the default, names no one
    kvamme = bok.leder("1010").navn  # reported one Forsinket and one result
    ut = tmp_path / "ut"
    assert run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut, "--ingen-pdf").exit_code == 0
    docx_file, xlsx_file = ut / "2027" / "statusrapport.docx", ut / "2027" / "statusrapport.xlsx"
    assert kvamme not in docx_text(docx_file) and kvamme not in xlsx_strings(xlsx_file)
    avvik = openpyxl.load_workbook(xlsx_file)["Avvik"]
    assert [c.value for c in avvik[1]] == ["Enhet", "Nr", "Oppdrag", "Kommentar"]
    assert list(avvik.iter_rows(min_row=2, values_only=True)) == [
        ("Fjordvik sykehjem", 3, next(o.tekst for o in bok.oppdrag if o.nr == "3"), "Venter på rekruttering")]
    rows = [[c.text for c in row.cells] for table in Document(docx_file).tables for row in table.rows]
    assert ["Enhet", "Nr", "Oppdrag", "Kommentar"] in rows

    named_dir = tmp_path / "ja"
    named_dir.mkdir()
    named = with_field(named_dir, "ja")
    assert read_workbook(named).kommune.navn_i_statusrapport
    ut = named_dir / "ut"
    result = run("status", named, filled_example(named_dir, named), "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    rows = [[c.text for c in row.cells] for table in Document(ut / "2027" / "statusrapport.docx").tables
            for row in table.rows]
    first = bok.oppdrag[0]
    assert ["1", "Fjordvik sykehjem", kvamme, "Fullført",
            f"{first.utgangspunkt} → Budsjett i balanse per 2. tertial → {first.mal}"] in rows
    # Who has not reported, by name too.
    aas = [o.nr for o in bok.oppdrag_for(bok.leder("1042"))]
    assert ["Teknisk drift, avdelingsleder vei, vann og avløp", "Ingunn Aas", ", ".join(aas)] in rows
    assert ["Fjordvik sykehjem", kvamme, "3", next(o.tekst for o in bok.oppdrag if o.nr == "3"),
            "Venter på rekruttering"] in rows
    avvik = openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")["Avvik"]
    assert [c.value for c in avvik[2]][:3] == ["Fjordvik sykehjem", "1010", kvamme]


def test_navn_i_statusrapport_must_be_yes_or_no(tmp_path):
    path = with_field(tmp_path, "kanskje")
    result = run("sjekk", path)
    assert result.exit_code == 1
    assert "Navn i statusrapport må være «ja» eller «nei», ikke «kanskje»" in result.output
    assert "Kommune!B" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- charts

TEXT = ChartText(dict(zip(KOLONNER, KOLONNER)), "Andel av lederne med oppdraget", "Oppdrag", ("{n} leder", "{n} ledere"))


def telling(ledere: int, **antall) -> Telling:
    t = Telling("x", ledere)
    t.antall.update({k.replace("_", " ").capitalize(): v for k, v in antall.items()})
    return t


def pixels(png: bytes, colour: str) -> int:
    image = PIL.Image.open(io.BytesIO(png)).convert("RGB")
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return int((numpy.asarray(image) == rgb).all(axis=-1).sum())


@pytest.mark.slow
def test_bars_share_one_scale_of_100_percent_whatever_the_number_of_leaders():
    one = [(Oppdrag("1", "A", "Kort oppdrag"), telling(1, fullført=1)),
           (Oppdrag("2", "A", "Kort oppdrag"), telling(15, fullført=15))]
    fifteen = [(Oppdrag("1", "A", "Kort oppdrag"), telling(15, fullført=15)),
               (Oppdrag("2", "A", "Kort oppdrag"), telling(15, fullført=15))]
    half = [(Oppdrag("1", "A", "Kort oppdrag"), telling(2, fullført=1, i_rute=1)),
            (Oppdrag("2", "A", "Kort oppdrag"), telling(15, fullført=15))]
    blue = COLOURS["Fullført"]
    full = pixels(area_chart(fifteen, TEXT), blue)
    # One leader's bar is as long as fifteen's when both are 100 % done.
    assert abs(pixels(area_chart(one, TEXT), blue) - full) < 0.02 * full
    assert 0.70 * full < pixels(area_chart(half, TEXT), blue) < 0.80 * full


def test_chart_words_labels_and_palette():
    long = ("Gjennomføre en helhetlig gjennomgang av tjenestetilbudet innen helse og omsorg med sikte "
            "på bærekraftig drift i hele planperioden")
    text = label(Oppdrag("7", "A", long))
    lines = text.removeprefix("7. ").split("\n")
    assert len(lines) == 2 and lines[-1].endswith(" …")
    words = long.split()
    assert all(w in words for line in lines for w in line.removesuffix(" …").split())  # no word cut
    assert label(Oppdrag("3", "A", "Kort oppdrag")) == "3. Kort oppdrag"
    # Okabe-Ito, no two statuses alike, every one outlined in the chart.
    assert set(COLOURS.values()) <= {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                                     "#D55E00", "#CC79A7", "#FFFFFF"}
    assert len(set(COLOURS.values())) == len(KOLONNER)
    items = [(Oppdrag("1", "A", "Kort oppdrag"), telling(4, fullført=1, i_rute=2, ikke_rapportert=1)),
             (Oppdrag("2", "A", "Annet  oppdrag"), telling(1, forsinket=1))]
    assert describe("Økonomi", items, TEXT) == (
        "Økonomi. 1. Kort oppdrag (4 ledere): I rute 50 %, Fullført 25 %, Ikke rapportert 25 %. "
        "2. Annet oppdrag (1 leder): Forsinket 100 %.")
    # The outline: the black of the edges is in the picture.
    assert pixels(area_chart(items, TEXT), "#000000") > 0


@pytest.mark.slow
def test_every_chart_in_the_report_has_alt_text_with_its_numbers(tmp_path):
    ut = tmp_path / "ut"
    assert run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut, "--ingen-pdf").exit_code == 0
    doc = Document(ut / "2027" / "statusrapport.docx")
    body = doc.element.body
    pictures = body.findall(".//" + qn("wp:docPr"))
    areas = list(dict.fromkeys(o.omrade for o in read_workbook(EXAMPLE).oppdrag))
    assert len(pictures) == len(areas)
    for picture, area in zip(pictures, areas):
        descr = picture.get("descr")
        assert descr.startswith(f"Figur: status for oppdragene i området {area}. ")
        assert re.search(r" \(\d+ ledere?\): ", descr) and " %" in descr
    bok = read_workbook(EXAMPLE)
    first = bok.oppdrag[0]
    carriers = sum(1 for leder in bok.avtaleledere() if first in bok.oppdrag_for(leder))
    descr = pictures[areas.index(first.omrade)].get("descr")
    assert f"1. {first.tekst} ({carriers} ledere): " in descr
    assert f"Fullført {100 / carriers:.0f} %" in descr  # Bjørn Kvamme's, the one Fullført


@pytest.mark.slow
def test_no_chart_of_the_example_is_cut_at_its_edges():
    # Fixed margins: a label or the axis title too long for them would be cut off at the left.
    status = count(read_workbook(EXAMPLE), [])
    for area, items in status.omrader().items():
        grey = numpy.asarray(PIL.Image.open(io.BytesIO(area_chart(items, TEXT))).convert("L"))
        ink = (grey < 250)
        assert not ink[:, 0].any() and not ink[:, -1].any() and not ink[0].any() and not ink[-1].any(), area


@pytest.mark.slow
def test_the_report_speaks_of_the_kommunedirektors_styringsbrev(tmp_path):
    ut = tmp_path / "ut"
    assert run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut, "--ingen-pdf").exit_code == 0
    text = docx_text(ut / "2027" / "statusrapport.docx")
    assert "Status for oppdragene i kommunedirektørens styringsbrev for 2027, slik lederne" in text
    assert "styringsbrevet til" not in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installert")
@pytest.mark.slow
def test_the_pdfs_figures_carry_the_charts_alt_text(tmp_path):
    ut = tmp_path / "ut"
    result = run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut)
    assert result.exit_code == 0, result.output
    figures = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node.K)
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    with pikepdf.open(ut / "2027" / "statusrapport.pdf") as pdf:
        walk(pdf.Root.StructTreeRoot)
    areas = list(dict.fromkeys(o.omrade for o in read_workbook(EXAMPLE).oppdrag))
    charts = [f for f in figures if f.startswith("Figur: status for oppdragene i området ")]
    assert [c.split("området ", 1)[1].split(". ", 1)[0] for c in charts] == areas
    assert all(alt for alt in figures)  # no picture without a description


@pytest.mark.slow
def test_statusrapport_xlsx_has_an_editable_chart_of_shares_in_the_report_colours(tmp_path):
    """The chart as Excel draws it, from the counts in the sheet Oppdrag: HR can restyle it."""
    from openpyxl.chart import BarChart

    ut = tmp_path / "ut"
    assert run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut, "--ingen-pdf").exit_code == 0
    report = openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")
    (chart,) = report["Diagram"]._charts
    assert isinstance(chart, BarChart) and chart.type == "bar" and chart.grouping == "percentStacked"
    assert chart.overlap == 100
    rows = report["Oppdrag"].max_row
    refs = [s.val.numRef.f for s in chart.series]
    assert len(refs) == len(KOLONNER) == 6
    assert refs[0] == f"'Oppdrag'!$E$2:$E${rows}" and refs[-1] == f"'Oppdrag'!$J$2:$J${rows}"
    assert [s.tx.strRef.f for s in chart.series][0] == "'Oppdrag'!E1"
    assert chart.series[0].cat.numRef.f == f"'Oppdrag'!$A$2:$A${rows}" if chart.series[0].cat.numRef \
        else chart.series[0].cat.strRef.f == f"'Oppdrag'!$A$2:$A${rows}"
    def rgb(fill) -> str:
        colour = fill.srgbClr
        return (colour if isinstance(colour, str) else colour.val).upper()

    assert [rgb(s.graphicalProperties.solidFill) for s in chart.series] == [COLOURS[k].lstrip("#").upper()
                                                                            for k in KOLONNER]
    assert all(rgb(s.graphicalProperties.line.solidFill) == "000000" for s in chart.series)
    title = "".join(r.t for p in chart.title.tx.rich.p for r in p.r)
    axis = "".join(r.t for p in chart.y_axis.title.tx.rich.p for r in p.r)
    assert title == "Status per oppdrag" and "Andel" in axis
    ws = report["Diagram"]
    assert ws.page_setup.orientation == "landscape" and ws.oddHeader.left.text == "Fjordvik kommune"


# --------------------------------------------------------------------------- the books as they print

# A word of ten digits is 55.6 points of Arial 10 pt: four of them and their spaces fill a line of the
# Resultat column (50 wide, about 259 points in Excel, 273 in LibreOffice), five do not.
DIGITS = "0123456789"
LONG_RESULT = " ".join([DIGITS] * 20)  # five lines in both programs
LONG_RESULT_LINES = 5


def with_nr(tmp_path: Path, old: str, new: str) -> Path:
    """The example with assignment `old` numbered `new` (in Oppdrag and Tiltak), beside its logo."""
    wb = openpyxl.load_workbook(EXAMPLE)
    for name in ("Oppdrag", "Tiltak"):
        ws = wb[name]
        column = [c.value for c in ws[1]].index("Nr")
        for row in ws.iter_rows(min_row=2):
            if str(row[column].value) == old:
                row[column].value = new
    path = tmp_path / "arbeidsbok.xlsx"
    wb.save(path)
    shutil.copy(EXAMPLE.parent / "logo.png", tmp_path / "logo.png")
    return path


def assert_aligned_with_headers(wb) -> None:
    """In every sheet with a table, each value stands to the side of its column's header."""
    for ws in wb.worksheets:
        if ws.freeze_panes is None:  # Diagram, Veiledning: no table
            continue
        for column in ws.iter_cols(min_row=1):
            head, *values = column
            sides = {c.alignment.horizontal for c in values if c.value is not None}
            assert sides <= {head.alignment.horizontal}, (ws.title, head.value, sides, head.alignment.horizontal)


@pytest.mark.slow
def test_both_books_align_store_numbers_fit_rows_and_print_a_title(tmp_path):
    from test_xlsx_print import assert_one_font

    from generator.store import xlsx

    workbook = with_nr(tmp_path, "2", "2a")  # one Nr that is not a number
    status = filled_example(tmp_path, workbook)
    wb = openpyxl.load_workbook(status)
    for row in wb["Status"].iter_rows(min_row=2):
        if (str(row[0].value), str(row[3].value)) == ("1020", "1"):
            row[8].value, row[9].value = "Fullført", LONG_RESULT
        if str(row[3].value) == "2a" and row[8].value == "I rute":
            row[8].value, row[10].value = "Forsinket", "Venter på vedtak"
    wb.save(status)
    ut = tmp_path / "ut"
    result = run("status", workbook, status, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    report = openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")
    book = openpyxl.load_workbook(status)

    # Nr a number where it is one, in both books; «2a» text.
    for ws, header in ((book["Status"], "Nr"), (book["Tiltak"], "Nr"), (report["Oppdrag"], "Nr"),
                       (report["Resultater"], "Nr"), (report["Avvik"], "Nr"), (report["Utgår"], "Nr")):
        column = [c.value for c in ws[1]].index(header)
        nrs = [row[column] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert nrs and all(type(nr) is int or nr == "2a" for nr in nrs), ws.title
        assert ws.title in ("Resultater", "Utgår") or "2a" in nrs, ws.title

    # Every figure under its header: the counts centred with their headers, text and Nr to the left.
    for ws, first in ((report["Oppdrag"], 4), (report["Enheter"], 2)):
        for column in range(first, first + 7):
            cells = [ws.cell(r, column) for r in range(1, ws.max_row + 1)]
            assert {c.alignment.horizontal for c in cells} == {"center"}, (ws.title, cells[0].value)
            assert all(type(c.value) is int for c in cells[1:])
    assert report["Oppdrag"]["A1"].alignment.horizontal == report["Oppdrag"]["A2"].alignment.horizontal == "left"
    assert_aligned_with_headers(report)
    assert_aligned_with_headers(book)

    # The row with the long result is as tall as its five lines.
    resultater = report["Resultater"]
    (row,) = [r[0].row for r in resultater.iter_rows(min_row=2) if r[-1].value == LONG_RESULT]
    assert resultater.row_dimensions[row].height >= LONG_RESULT_LINES * xlsx.LINE_HEIGHT

    # One font, and the municipality, title, year, date and page in the margins.
    assert_one_font(report)
    for ws in report.worksheets:
        assert ws.oddHeader.left.text == "Fjordvik kommune" and ws.oddHeader.left.font == "Arial,Bold"
        assert re.fullmatch(r"Statusrapport 2027 per \d\d\.\d\d\.\d{4}", ws.oddHeader.center.text), ws.title
        assert ws.oddHeader.right.text == ws.title and ws.oddFooter.center.text == "Side &P av &N"
    assert report.sheetnames == ["Oppdrag", "Diagram", "Resultater", "Utgår", "Avvik", "Ikke rapportert", "Enheter"]


def fill_all(path: Path) -> None:
    """Every row of the status book reported I rute, with a comment and a result on some."""
    wb = openpyxl.load_workbook(path)
    for i, row in enumerate(wb["Status"].iter_rows(min_row=2)):
        status = ("I rute", "Forsinket", "Utgår", "Fullført")[i % 4]
        row[8].value, row[9].value, row[10].value = status, f"Resultat {i}", f"Kommentar {i}"
    wb.save(path)


@pytest.mark.slow
def test_no_leader_is_named_in_any_sheet_when_the_municipality_says_no(tmp_path):
    """Navn i statusrapport = nei (the example's): no leader's name or Ansattnr in any sheet, header or
    footer of statusrapport.xlsx, not even in the list of who has not reported (the unit only)."""
    bok = read_workbook(EXAMPLE)
    assert not bok.kommune.navn_i_statusrapport
    leaders = {leder.ansattnr: leder.navn for leder in bok.ledere}

    def written(report: Path) -> dict[str, str]:
        wb = openpyxl.load_workbook(report)
        return {ws.title: "\n".join([str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
                                    + [str(part.text) for hf in (ws.oddHeader, ws.oddFooter)
                                       for part in (hf.left, hf.center, hf.right) if part.text])
                for ws in wb.worksheets}

    # Everyone reported: no name and no Ansattnr anywhere.
    everyone = tmp_path / "alle"
    everyone.mkdir()
    status = filled_example(everyone)
    fill_all(status)
    assert run("status", EXAMPLE, status, "--ut", everyone / "ut", "--ingen-pdf").exit_code == 0
    sheets = written(everyone / "ut" / "2027" / "statusrapport.xlsx")
    assert len(sheets) == 7
    for title, text in sheets.items():
        for ansattnr, navn in leaders.items():
            assert navn not in text, (title, navn)
            assert not re.search(rf"(?<!\d){ansattnr}(?!\d)", text), (title, ansattnr)

    # Ingunn Aas (1042) has not reported: her unit is in Ikke rapportert, her name nowhere.
    ut = tmp_path / "ut"
    assert run("status", EXAMPLE, filled_example(tmp_path), "--ut", ut, "--ingen-pdf").exit_code == 0
    sheets = written(ut / "2027" / "statusrapport.xlsx")
    assert "Teknisk drift" in sheets["Ikke rapportert"]
    for title, text in sheets.items():
        for ansattnr, navn in leaders.items():
            assert navn not in text, (title, navn)
            assert not re.search(rf"(?<!\d){ansattnr}(?!\d)", text), (title, ansattnr)
