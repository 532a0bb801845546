"""`statusrapport.xlsx`: the counts per assignment and per unit, and the deviations, for HR to sort and filter."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..store.files import atomic_write_bytes
from ..workbook.write import HEADER_BORDER, HEADER_FILL, HEADER_FONT
from .counts import KOLONNER, Status

REPORT_XLSX = "statusrapport.xlsx"


def write_status_report(status: Status, path: Path) -> None:
    wb = Workbook()
    oppdrag = wb.active
    oppdrag.title = "Oppdrag"
    _table(oppdrag, [("Nr", 7), ("Område", 18), ("Oppdrag", 60), ("Ledere", 9)] + [(k, 13) for k in KOLONNER],
           [[o.nr, o.omrade, o.tekst, t.ledere, *t.row()] for o, t in status.oppdrag])
    _table(wb.create_sheet("Avvik"),
           [("Ansattnr", 11), ("Navn", 26), ("Enhet", 30), ("Nr", 7), ("Oppdrag", 50), ("Kommentar", 60)],
           [[a.ansattnr, a.navn, a.enhet, a.nr, a.oppdrag, a.kommentar] for a in status.avvik])
    _table(wb.create_sheet("Enheter"), [("Enhet", 32), ("Ledere", 9)] + [(k, 13) for k in KOLONNER],
           [[t.navn, t.ledere, *t.row()] for t in status.enheter])
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())


def _table(ws, columns: list[tuple[str, int]], rows: list[list]) -> None:
    for c, (header, width) in enumerate(columns, start=1):
        cell = ws.cell(1, c, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # stored as text, so "=…" is shown as typed, never run
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"
