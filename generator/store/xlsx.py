"""Every workbook the tool writes goes through here: new workbooks (`init`, `nytt-ar`), `rapport.xlsx`,
`status.xlsx` and `statusrapport.xlsx`. One rule for a cell, one header style, one way to save.

The rule for a cell: text is always stored as a string cell. HR's text («=2+2» as a job title, a
`=HYPERLINK(…)` in an assignment, «-1 %» as a goal) is shown as typed and never run as a formula
(spreadsheet formula injection), and a workbook the tool writes never holds a formula without a value.

Every sheet prints (`print_setup`, applied on saving): landscape, as wide as one page, the header row
on every page, the municipality and «Side x av y» in the margins, and rows tall enough for their
wrapped text, which Excel does not measure when it opens a file.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

from .files import atomic_write_bytes

DATE_FORMAT = "dd.mm.yyyy"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))
HEADER_ALIGNMENT = Alignment(vertical="center")
TOP_WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")

LINE_HEIGHT = 15.0  # points, one line of the default 11 pt font
DEFAULT_WIDTH = 13.0  # Excel's width of a column nobody set
# Characters per unit of column width: a width counts the digit «0», and ordinary text runs a little
# narrower; estimated low, so that a row is rather too tall than cut off.
CHARS_PER_WIDTH = 1.1
PAGE_FOOTER = "Side &P av &N"


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


def natural_key(value) -> tuple:
    """Sorts identifiers as a person reads them: «2» before «10», «1.2» before «1.10»."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.findall(r"\d+|\D+", "" if value is None else str(value)))


def number_or_text(value):
    """An identifier that is a plain whole number as a number, so that Excel sorts 2 before 10; anything
    else (leading zeros, «1.1», «2a») stays text, since as a number it would read back differently."""
    if isinstance(value, str) and re.fullmatch(r"[1-9][0-9]{0,14}", value):
        return int(value)
    return value


def print_setup(ws: Worksheet, kommune: str | None = None) -> None:
    """Landscape, fit to the page's width (as many pages down as it takes), the frozen header rows
    repeated on every page, the municipality and the sheet in the header, the page in the footer.

    `kommune` None keeps the header a sheet already has (a report opened again to add a column)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    frozen_rows = coordinate_to_tuple(ws.freeze_panes)[0] - 1 if ws.freeze_panes else 0
    if frozen_rows > 0:
        ws.print_title_rows = f"1:{frozen_rows}"
    if kommune is not None or not ws.oddHeader.left.text:
        ws.oddHeader.left.text = _literal(kommune) or None
        # The name as text, not the code &A, which openpyxl misreads after an empty section.
        ws.oddHeader.right.text = _literal(ws.title)
        ws.oddFooter.center.text = PAGE_FOOTER


def _literal(text: str | None) -> str:
    return (text or "").replace("&", "&&")  # «&» starts a code in a header


def fit_rows(ws: Worksheet) -> None:
    """Row heights that hold the wrapped text (estimated from its length and the column's width)."""
    widths: dict[int, float] = {}
    for row in ws.iter_rows(min_row=1):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not (cell.alignment and cell.alignment.wrap_text):
                continue
            if cell.column not in widths:
                width = ws.column_dimensions[get_column_letter(cell.column)].width
                widths[cell.column] = width if width else DEFAULT_WIDTH
            per_line = max(1, int(widths[cell.column] * CHARS_PER_WIDTH))
            lines = max(lines, sum(max(1, math.ceil(len(part) / per_line)) for part in cell.value.split("\n")))
        if lines > 1:
            number = row[0].row
            height = ws.row_dimensions[number].height or 0
            ws.row_dimensions[number].height = max(height, lines * LINE_HEIGHT)


def prepare(wb: Workbook, kommune: str | None = None) -> None:
    for ws in wb.worksheets:
        print_setup(ws, kommune)
        fit_rows(ws)


def to_bytes(wb: Workbook, kommune: str | None = None) -> bytes:
    """The file's bytes, every sheet set up to print (`print_setup`) for `kommune`."""
    prepare(wb, kommune)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def save(wb: Workbook, path: Path, kommune: str | None = None) -> bytes:
    """Write `wb` to `path` atomically (the old file or the new one, never half); the bytes written."""
    data = to_bytes(wb, kommune)
    atomic_write_bytes(Path(path), data)
    return data
