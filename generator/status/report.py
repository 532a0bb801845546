"""`statusrapport.xlsx`: the counts per assignment and per unit, the goals and results, the reasons for
what goes, the deviations and who has not reported, for HR to sort and filter, and the chart of the
report as an Excel chart drawn from the sheet Oppdrag, so that HR can restyle it or copy it into a
presentation (the report's own charts are pictures, `chart.py`)."""

from __future__ import annotations

from pathlib import Path

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties

from ..store import xlsx
from ..store.xlsx import TOP_WRAP
from ..store.year import STATUS_REPORT_XLSX as REPORT_XLSX
from .chart import COLOURS, OUTLINE
from .counts import KOLONNER, Status


CHART_SHEET = "Diagram"
_FIRST_COUNT_COLUMN = 5  # in the sheet Oppdrag: Nr, Område, Oppdrag, Ledere, then one column per status
_CHART_ROW_CM = 0.9  # height per assignment, so the bars keep their thickness however many there are


def write_status_report(status: Status, path: Path, names: bool = False, kommune: str | None = None) -> None:
    """`names`: the Kommune field Navn i statusrapport. Without it the deviations and results name the
    unit only, as in the public report; who has not reported is named regardless, so HR can remind them."""
    wb = xlsx.new_workbook()
    who = [("Ansattnr", 11), ("Navn", 26)] if names else []

    def person(r) -> list:
        return [r.ansattnr, r.navn] if names else []

    # Mål after the counts: the count columns keep their places for anyone who reads them by position.
    xlsx.table(wb.create_sheet("Oppdrag"),
               [("Nr", 7), ("Område", 16), ("Oppdrag", 45), ("Ledere", 9)] + [(k, max(11, len(k) + 3)) for k in KOLONNER]
               + [("Mål", 30)],
               [[o.nr, o.omrade, o.tekst, t.ledere, *t.row(), o.mal] for o, t in status.oppdrag],
               {i: TOP_WRAP for i in range(1, 12)})
    _chart_sheet(wb, len(status.oppdrag))
    wrap = {i: TOP_WRAP for i in range(1, 10)}
    xlsx.table(wb.create_sheet("Resultater"),
               [("Nr", 7), ("Oppdrag", 40), ("Mål", 30), ("Enhet", 28), *who, ("Status", 14), ("Resultat", 50)],
               [[r.nr, r.oppdrag, o.mal, r.enhet, *person(r), r.status, r.resultat]
                for o, _ in status.oppdrag for r in status.resultater(o.nr)], wrap)
    xlsx.table(wb.create_sheet("Utgår"),
               [("Enhet", 28), *who, ("Nr", 7), ("Oppdrag", 40), ("Begrunnelse", 60)],
               [[r.enhet, *person(r), r.nr, r.oppdrag, r.kommentar] for r in status.utgar()], wrap)
    xlsx.table(wb.create_sheet("Avvik"),
               [("Enhet", 30), *who, ("Nr", 7), ("Oppdrag", 50), ("Kommentar", 60)],
               [[a.enhet, *person(a), a.nr, a.oppdrag, a.kommentar] for a in status.avvik_per_enhet()], wrap)
    xlsx.table(wb.create_sheet("Ikke rapportert"), [("Enhet", 30), ("Leder", 26), ("Oppdrag (Nr)", 24)],
               [[enhet, navn, ", ".join(nrs)] for enhet, navn, nrs in status.ikke_rapportert()])
    xlsx.table(wb.create_sheet("Enheter"), [("Enhet", 32), ("Ledere", 9)] + [(k, max(11, len(k) + 3)) for k in KOLONNER],
               [[t.navn, t.ledere, *t.row()] for t in status.enheter])
    xlsx.save(wb, path, kommune)


def _chart_sheet(wb, assignments: int) -> None:
    """Each assignment's leaders by status as shares of 100 %, one bar per assignment on one scale, in
    the report's colours and outlines, from the counts in the sheet Oppdrag."""
    ws = wb.create_sheet(CHART_SHEET)
    xlsx.put(ws, 1, 1, "Status per oppdrag: andel av lederne som har oppdraget. Tallene står i arket Oppdrag.")
    if not assignments:
        return
    source = wb["Oppdrag"]
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.title = "Status per oppdrag"
    chart.x_axis.title = "Oppdrag (Nr)"
    chart.y_axis.title = "Andel av lederne (%)"
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
    ws.add_chart(chart, "A3")
