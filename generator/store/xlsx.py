"""Every workbook the tool writes goes through here: new workbooks (`init`, `nytt-ar`), `rapport.xlsx`,
`status.xlsx` and `statusrapport.xlsx`. One rule for a cell, one header style, one way to save.

The rule for a cell: text is always stored as a string cell. HR's text («=2+2» as a job title, a
`=HYPERLINK(…)` in an assignment, «-1 %» as a goal) is shown as typed and never run as a formula
(spreadsheet formula injection), and a workbook the tool writes never holds a formula without a value.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .files import atomic_write_bytes

DATE_FORMAT = "dd.mm.yyyy"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))
HEADER_ALIGNMENT = Alignment(vertical="center")
TOP_WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")


def new_workbook() -> Workbook:
    """A workbook without sheets: each writer names its own."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def put(ws: Worksheet, row: int, column: int, value, alignment: Alignment | None = None) -> Cell:
    """Write one value: text as a string cell, a date shown the Norwegian way, "" as an empty cell."""
    cell = ws.cell(row, column)
    cell.value = None if isinstance(value, str) and not value else value
    if isinstance(value, str) and value:
        cell.data_type = "s"  # set after the value: openpyxl makes text beginning with "=" a formula
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if alignment is not None:
        cell.alignment = alignment
    return cell


def header(ws: Worksheet, columns: Sequence[tuple[str, float]], row: int = 1) -> None:
    """The header row (text, width) in the tool's style, with the rows below it scrolling under it."""
    for c, (text, width) in enumerate(columns, start=1):
        header_cell(ws, row, c, text, width)
    ws.freeze_panes = ws.cell(row + 1, 1).coordinate


def header_cell(ws: Worksheet, row: int, column: int, text: str, width: float) -> Cell:
    cell = put(ws, row, column, text, HEADER_ALIGNMENT)
    cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
    ws.column_dimensions[get_column_letter(column)].width = width
    return cell


def auto_filter(ws: Worksheet, columns: int, rows: int) -> None:
    """Filters on the header row over `rows` rows below it (at least one, so Excel shows them)."""
    ws.auto_filter.ref = f"A1:{get_column_letter(max(columns, 1))}{max(rows + 1, 2)}"


def table(ws: Worksheet, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence],
          alignments: dict[int, Alignment] | None = None) -> None:
    """A header and its rows, filterable; `alignments` by column number (from 1)."""
    header(ws, columns)
    alignments = alignments or {}
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value, alignments.get(c))
    auto_filter(ws, len(columns), len(rows))


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def save(wb: Workbook, path: Path) -> bytes:
    """Write `wb` to `path` atomically (the old file or the new one, never half); the bytes written."""
    data = to_bytes(wb)
    atomic_write_bytes(Path(path), data)
    return data
