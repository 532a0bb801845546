"""`rapport.xlsx` (one row per leader: files, assignments, status, warnings) and other workbook
text written back into spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl

from . import xlsx
from ..result import Item
from .year import REPORT_NAME
from ..advice import TERMINAL, words

if TYPE_CHECKING:
    from ..model import Arbeidsbok
    from .manifest import LeaderEntry

HEADERS = ["Ansattnr", "Navn", "Enhet", "Antall oppdrag", "Status", "Filer", "Advarsler og feil"]
STATUS_NOT_SELECTED = "ikke med i denne kjøringen"
STATUS_REMOVED = "ikke lenger i arbeidsboken – filene er beholdt"
WIDTHS = (10, 28, 30, 14, 28, 60, 60)
WIDTH = 20  # a column past WIDTHS (the archive's receipts)


def spreadsheet_text(value):
    """Workbook text stays text in a CSV file a spreadsheet opens: never a formula (formula injection).

    A CSV cell has no type, so the text gets Excel's text prefix; workbooks use string cells (`xlsx.put`).
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_report(path: Path, headers: list[str], rows: list[list], kommune: str | None = None) -> None:
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("Rapport")
    # The report is the command's file: advice in it is said as the terminal says it.
    rows = [[words(v, TERMINAL) if isinstance(v, str) else v for v in row] for row in rows]
    xlsx.table(ws, [(h, WIDTHS[c] if c < len(WIDTHS) else WIDTH) for c, h in enumerate(headers)], rows,
               {c: xlsx.TOP_WRAP for c in range(1, len(headers) + 1)})
    xlsx.save(wb, path, kommune)


def write_run_report(path: Path, bok: Arbeidsbok, items: list[Item], removed: list[LeaderEntry],
                     columns: dict[str, dict[str, str]]) -> None:
    """`generer`'s report: every leader with an agreement, those this run left out too, and the
    leaders gone from the workbook whose files are kept; `columns` are what later commands record
    (header → Ansattnr → text: the signed copies, the archive's receipts)."""
    by_nr = {item.ansattnr: item for item in items}
    rows = []
    for leder in bok.avtaleledere():
        r = by_nr.get(leder.ansattnr)
        if r is None:
            rows.append([leder.ansattnr, leder.navn, leder.enhet, len(bok.tildeling.get(leder.ansattnr, [])),
                         STATUS_NOT_SELECTED, "", ""])
            continue
        rows.append([leder.ansattnr, leder.navn, leder.enhet, r.oppdrag, r.status, "\n".join(r.filer),
                     "\n".join(r.notices)])
    for entry in removed:
        rows.append([entry.ansattnr, entry.navn, "", "", STATUS_REMOVED, "\n".join(f.sti for f in entry.filer), ""])
    write_report(path, HEADERS + list(columns),
                 [row + [values.get(row[0], "") for values in columns.values()] for row in rows], bok.kommune.navn)


def update_column(path: Path, header: str, values: dict[str, str]) -> None:
    """Set one column of an existing report (added at the end if missing), by the Ansattnr in column A.

    For what another command learns later (the archive's receipts), without redoing `generer`.
    """
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    headers = [cell.value for cell in ws[1]]
    column = headers.index(header) + 1 if header in headers else len(headers) + 1
    xlsx.header_cell(ws, 1, column, header, WIDTH)
    for number in range(2, ws.max_row + 1):
        key = ws.cell(number, 1).value
        xlsx.put(ws, number, column, values.get(str(key), "") if key is not None else None, xlsx.TOP_WRAP)
    xlsx.auto_filter(ws, max(column, len(headers)), ws.max_row - 1)
    xlsx.save(wb, path)
