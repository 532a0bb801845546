"""`statusrapport.xlsx`: the counts per assignment and per unit, the goals and results, the reasons for
what goes, the deviations and who has not reported, for HR to sort and filter, and the chart of the
report as an Excel chart drawn from the sheet Oppdrag, so that HR can restyle it or copy it into a
presentation (the report's own charts are pictures, `chart.py`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

from ..model import Arbeidsbok
from ..store import xlsx
from ..store.xlsx import NUMBER, TOP, TOP_WRAP
from ..store.year import STATUS_REPORT_XLSX as REPORT_XLSX
from .chart import COLOURS, OUTLINE
from .counts import KOLONNER, Status
from .workbook import NYNORSK, status_names

CHART_SHEET = "Diagram"
_FIRST_COUNT_COLUMN = 5  # in the sheet Oppdrag: Nr, Område, Oppdrag, Ledere, then one column per status
_CHART_ROW_CM = 0.9  # height per assignment, so the bars keep their thickness however many there are

# The book's words, (bokmål, nynorsk): sheet names first, then headers and the chart's.
_WORDS = {
    "oppdrag_ark": ("Oppdrag", "Oppdrag"),
    "resultater_ark": ("Resultater", "Resultat"),
    "utgar_ark": ("Utgår", "Går ut"),
    "avvik_ark": ("Avvik", "Avvik"),
    "ikke_rapportert_ark": ("Ikke rapportert", "Ikkje rapportert"),
    "enheter_ark": ("Enheter", "Einingar"),
    "nr": ("Nr", "Nr"),
    "omrade": ("Område", "Område"),
    "oppdrag": ("Oppdrag", "Oppdrag"),
    "ledere": ("Ledere", "Leiarar"),
    "leder": ("Leder", "Leiar"),
    "mal": ("Mål", "Mål"),
    "enhet": ("Enhet", "Eining"),
    "ansattnr": ("Ansattnr", "Ansattnr"),
    "navn": ("Navn", "Namn"),
    "status": ("Status", "Status"),
    "resultat": ("Resultat", "Resultat"),
    "begrunnelse": ("Begrunnelse", "Grunngiving"),
    "kommentar": ("Kommentar", "Kommentar"),
    "oppdrag_nr": ("Oppdrag (Nr)", "Oppdrag (Nr)"),
    "tittel": ("Statusrapport {ar} per {dato}", "Statusrapport {ar} per {dato}"),
    "diagram_tekst": ("Status per oppdrag: andel av lederne som har oppdraget. Tallene står i arket Oppdrag.",
                      "Status per oppdrag: del av leiarane som har oppdraget. Tala står i arket Oppdrag."),
    "diagram_tittel": ("Status per oppdrag", "Status per oppdrag"),
    "diagram_x": ("Oppdrag (Nr)", "Oppdrag (Nr)"),
    "diagram_y": ("Andel av lederne (%)", "Del av leiarane (%)"),
}


def _words(nynorsk: bool) -> dict[str, str]:
    return {key: pair[nynorsk] for key, pair in _WORDS.items()}


def write_status_report(bok: Arbeidsbok, status: Status, path: Path, today: date) -> None:
    """In the workbook's målform, with the statuses named as in the status book and the Word report.

    The Kommune field Navn i statusrapport decides whether the deviations, results, reasons and who has not
    reported name the leader (Ansattnr and name) or the unit only, as in the public Word report: the book is
    as public as the report (HR finds who to remind in the overview and status.xlsx)."""
    names = bok.kommune.navn_i_statusrapport
    nynorsk = bok.kommune.malform == NYNORSK
    w = _words(nynorsk)
    statuses = status_names(bok.kommune.malform)
    wb = xlsx.new_workbook()
    who = [(w["ansattnr"], 11), (w["navn"], 26)] if names else []

    def person(r) -> list:
        return [r.ansattnr, r.navn] if names else []

    def nr(value):
        # A whole-number Nr as a number, so that the sheets sort 2 before 10; «2a» stays text.
        return xlsx.number_or_text(value)

    def counts(first: int) -> dict[int, object]:
        """Every count column from `first` to the right, with its header: each figure under its header."""
        return {c: NUMBER for c in range(first, first + len(KOLONNER) + 1)}

    # Mål after the counts: the count columns keep their places for anyone who reads them by position.
    # Nr is an identifier, to the left like the text beside it, also where it is a number.
    xlsx.table(wb.create_sheet(w["oppdrag_ark"]),
               [(w["nr"], 7), (w["omrade"], 16), (w["oppdrag"], 45), (w["ledere"], 9)]
               + [(statuses[k], max(11, len(statuses[k]) + 3)) for k in KOLONNER] + [(w["mal"], 30)],
               [[nr(o.nr), o.omrade, o.tekst, t.ledere, *t.row(), o.mal] for o, t in status.oppdrag],
               {1: TOP, 2: TOP_WRAP, 3: TOP_WRAP, **counts(4), 5 + len(KOLONNER): TOP_WRAP})
    _chart_sheet(wb, len(status.oppdrag), w, statuses)
    wrap = {i: TOP_WRAP for i in range(1, 10)}
    xlsx.table(wb.create_sheet(w["resultater_ark"]),
               [(w["nr"], 7), (w["oppdrag"], 40), (w["mal"], 30), (w["enhet"], 28), *who, (w["status"], 14),
                (w["resultat"], 50)],
               [[nr(r.nr), r.oppdrag, r.mal or o.mal, r.enhet, *person(r), statuses[r.status], r.resultat]
                for o, _ in status.oppdrag for r in status.resultater(o.nr)], wrap)
    xlsx.table(wb.create_sheet(w["utgar_ark"]),
               [(w["enhet"], 28), *who, (w["nr"], 7), (w["oppdrag"], 40), (w["begrunnelse"], 60)],
               [[r.enhet, *person(r), nr(r.nr), r.oppdrag, r.kommentar] for r in status.utgar()], wrap)
    xlsx.table(wb.create_sheet(w["avvik_ark"]),
               [(w["enhet"], 30), *who, (w["nr"], 7), (w["oppdrag"], 50), (w["kommentar"], 60)],
               [[a.enhet, *person(a), nr(a.nr), a.oppdrag, a.kommentar] for a in status.avvik_per_enhet()], wrap)
    missing = status.ikke_rapportert()
    if names:
        xlsx.table(wb.create_sheet(w["ikke_rapportert_ark"]),
                   [(w["enhet"], 30), (w["leder"], 26), (w["oppdrag_nr"], 24)],
                   [[enhet, navn, ", ".join(nrs)] for enhet, navn, nrs in missing], wrap)
    else:
        by_unit: dict[str, list[str]] = {}
        for enhet, _, nrs in missing:
            by_unit.setdefault(enhet, []).extend(n for n in nrs if n not in by_unit.get(enhet, []))
        xlsx.table(wb.create_sheet(w["ikke_rapportert_ark"]), [(w["enhet"], 30), (w["oppdrag_nr"], 24)],
                   [[enhet, ", ".join(nrs)] for enhet, nrs in by_unit.items()], wrap)
    xlsx.table(wb.create_sheet(w["enheter_ark"]),
               [(w["enhet"], 32), (w["ledere"], 9)] + [(statuses[k], max(11, len(statuses[k]) + 3)) for k in KOLONNER],
               [[t.navn, t.ledere, *t.row()] for t in status.enheter], {1: TOP_WRAP, **counts(2)})
    xlsx.save(wb, path, bok.kommune.navn, w["tittel"].format(ar=bok.kommune.periode.ar, dato=f"{today:%d.%m.%Y}"))


def _chart_sheet(wb, assignments: int, w: dict[str, str], statuses: dict[str, str]) -> None:
    """Each assignment's leaders by status as shares of 100 %, one bar per assignment on one scale, in
    the report's colours and outlines, from the counts in the sheet Oppdrag."""
    ws = wb.create_sheet(CHART_SHEET)
    xlsx.put(ws, 1, 1, w["diagram_tekst"])
    if not assignments:
        return
    source = wb[w["oppdrag_ark"]]
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.title = w["diagram_tittel"]
    chart.x_axis.title = w["diagram_x"]
    chart.y_axis.title = w["diagram_y"]
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    # Nr 1 at the top, as in the sheet and the report.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    data = Reference(source, min_col=_FIRST_COUNT_COLUMN, max_col=_FIRST_COUNT_COLUMN + len(KOLONNER) - 1,
                     min_row=1, max_row=assignments + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(source, min_col=1, min_row=2, max_row=assignments + 1))
    for series, status in zip(chart.series, KOLONNER):
        series.graphicalProperties = GraphicalProperties(solidFill=COLOURS[status].lstrip("#"),
                                                         ln=LineProperties(solidFill=OUTLINE.lstrip("#")))
    chart.width = 25
    chart.height = max(7.5, 3.5 + _CHART_ROW_CM * assignments)
    _in_font(chart)
    ws.add_chart(chart, "A3")


def _in_font(chart) -> None:
    """The chart's words in the cells' font: a chart without one is drawn in the program's own (Calibri
    in Excel, DejaVu Sans where LibreOffice converts)."""
    def characters(size: int, bold: bool = False) -> CharacterProperties:
        return CharacterProperties(latin=Font(typeface=xlsx.FONT_NAME), sz=size, b=bold)

    def text(size: int) -> RichText:
        return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=characters(size)), endParaRPr=characters(size))])

    for part in (chart.x_axis, chart.y_axis, chart.legend):
        part.txPr = text(900)
    for title, size in ((chart.title, 1400), (chart.x_axis.title, 1000), (chart.y_axis.title, 1000)):
        for paragraph in title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=characters(size, bold=True))
            for run in paragraph.r or ():
                run.rPr = characters(size, bold=True)
