"""`rapport.xlsx` and other workbook text written back into spreadsheets."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from .files import atomic_write_bytes

REPORT_NAME = "rapport.xlsx"


def spreadsheet_text(value):
    """Workbook text stays text in a spreadsheet: never a formula (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_report(path: Path, headers: list[str], rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rapport"
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = ws.cell(number, column, value)
            if isinstance(value, str):
                # Stored as a string cell, so Excel shows "=…" as typed instead of running it.
                cell.data_type = "s"
    for column, width in zip("ABCDEFGHIJ", (10, 28, 30, 14, 28, 60, 60)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    _save(wb, path)


def update_column(path: Path, header: str, values: dict[str, str]) -> None:
    """Set one column of an existing report (added at the end if missing), by the Ansattnr in column A.

    For what another command learns later (the archive's receipts), without redoing `generer`.
    """
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    headers = [cell.value for cell in ws[1]]
    column = headers.index(header) + 1 if header in headers else len(headers) + 1
    ws.cell(1, column, header).font = Font(bold=True)
    for number in range(2, ws.max_row + 1):
        key = ws.cell(number, 1).value
        cell = ws.cell(number, column, values.get(str(key), "") if key is not None else None)
        cell.data_type = "s"
    _save(wb, path)


def _save(wb: openpyxl.Workbook, path: Path) -> None:
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
