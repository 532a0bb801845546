"""Every workbook the tool writes goes through here: new workbooks (`init`, `nytt-ar`), `rapport.xlsx`,
`status.xlsx` and `statusrapport.xlsx`. One rule for a cell, one header style, one way to save.

The rule for a cell: text is always stored as a string cell. HR's text («=2+2» as a job title, a
`=HYPERLINK(…)` in an assignment, «-1 %» as a goal) is shown as typed and never run as a formula
(spreadsheet formula injection), and a workbook the tool writes never holds a formula without a value.

Every sheet prints (`print_setup`, applied on saving): landscape, as wide as one page, the header row
on every page, the municipality (and a book's title, year and date) and «Side x av y» in the margins,
and rows tall enough for their wrapped text, which Excel does not measure when it opens a file.

One font for every cell and margin, the documents' Arial (`FONT_NAME`), so that what prints is what the
row heights were measured for: a cell without a font name falls back to whatever the spreadsheet
program has (LibreOffice printed the headers in DejaVu Serif), and the default Calibri is missing
where LibreOffice converts, so its wider stand-in cut the last lines off rows measured for Calibri.

One alignment per column, header included: text (and identifiers such as Nr, a number beside «2a»)
to the left, counts (`NUMBER`) centred, so that each figure stands under its own header.
"""

from __future__ import annotations

import io
import re
import unicodedata
from copy import copy
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.header_footer import _HeaderFooterPart
from openpyxl.worksheet.worksheet import Worksheet

from .files import atomic_write_bytes

DATE_FORMAT = "dd.mm.yyyy"

# The agreements' font (Arial, the templates in maler/): on every Windows PC, and LibreOffice prints it with
# the metric-compatible Liberation Sans, so the widths below hold in both.
FONT_NAME = "Arial"
FONT_SIZE = 10.0
HEADER_FONT = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))
HEADER_ALIGNMENT = Alignment(horizontal="left", vertical="center")
# Left explicitly, not Excel's «general» (numbers right, text left): in a column of identifiers the
# number 2 and the text «2a» would otherwise stand on opposite sides, and a year under a text header.
TOP_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
TOP = Alignment(horizontal="left", vertical="top")
# Counts centred under their centred headers: each figure under the middle of its own header however
# long the header is, and a count column's header never runs into the next column's, as a right-aligned
# one did («Ikke rapportert» against «Mål»).
NUMBER = Alignment(horizontal="center", vertical="top")

LINE_HEIGHT = 12.75  # points, one line of Arial 10 pt: Excel's own row height for it
DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody set
# A column's width counts the digit «0» of the default font, 7 pixels for Arial 10 pt at 96 dpi, and
# Excel keeps a few pixels of the cell for padding. Lines are filled to a little less than that room,
# for glyphs Excel draws a pixel wider than their outlines: rather a line too many than one cut off.
# LibreOffice has more room per width (about 5.5 points, Excel 5.25): measured against its PDF, the
# estimate never had too few lines, and one too many in a row now and then.
DIGIT_PIXELS = 7
CELL_PADDING_PIXELS = 5
FILL = 0.99
BOLD = 1.1  # bold Arial runs up to a tenth wider
# Arial's advance widths (the same as Liberation Sans'), in thousandths of the font size, for the
# characters " " to "~"; then the Norwegian and typographic ones HR's text has.
_ASCII = (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556,
          556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778,
          722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278,
          278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
          556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584)
_ADVANCE = {chr(32 + i): w for i, w in enumerate(_ASCII)} | {
    "Æ": 1000, "Ø": 778, "Å": 667, "æ": 889, "ø": 611, "å": 556, "É": 667, "é": 556, "è": 556, "ü": 556,
    "ö": 556, "ä": 556, "Ö": 778, "Ä": 667, "Ü": 722, "«": 556, "»": 556, "–": 556, "—": 1000, "‘": 222,
    "’": 222, "“": 333, "”": 333, "…": 1000, "§": 556, "°": 400, "\u00a0": 278, "×": 584, "½": 834,
    "\t": 556}
_UNKNOWN = 667  # another letter: as wide as a capital, so that the estimate errs on the tall side

PAGE_FOOTER = "Side &P av &N"  # the same words in nynorsk
_MARGIN_FONT = f"{FONT_NAME},Regular"
_MARGIN_BOLD = f"{FONT_NAME},Bold"


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


def header(ws: Worksheet, columns: Sequence[tuple[str, float]], row: int = 1,
           alignments: dict[int, Alignment] | None = None) -> None:
    """The header row (text, width) in the tool's style, with the rows below it scrolling under it;
    a header stands to the side its column's `alignments` (by column number, from 1) put the values."""
    alignments = alignments or {}
    for c, (text, width) in enumerate(columns, start=1):
        header_cell(ws, row, c, text, width, alignments.get(c))
    ws.freeze_panes = ws.cell(row + 1, 1).coordinate


def header_cell(ws: Worksheet, row: int, column: int, text: str, width: float,
                values: Alignment | None = None) -> Cell:
    """`values`: the alignment of the column's values, whose side the header takes."""
    side = values.horizontal if values is not None and values.horizontal in ("right", "center") else "left"
    cell = put(ws, row, column, text, Alignment(horizontal=side, vertical="center"))
    cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
    ws.column_dimensions[get_column_letter(column)].width = width
    return cell


def auto_filter(ws: Worksheet, columns: int, rows: int) -> None:
    """Filters on the header row over `rows` rows below it (at least one, so Excel shows them)."""
    ws.auto_filter.ref = f"A1:{get_column_letter(max(columns, 1))}{max(rows + 1, 2)}"


def table(ws: Worksheet, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence],
          alignments: dict[int, Alignment] | None = None) -> None:
    """A header and its rows, filterable; `alignments` by column number (from 1). A column without one
    is text to the left, or, when every value in it is a number, a count in the middle (`NUMBER`)."""
    alignments = dict(alignments or {})
    for c in range(1, len(columns) + 1):
        if c not in alignments:
            values = [row[c - 1] for row in rows if len(row) >= c and row[c - 1] not in (None, "")]
            counts = values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            alignments[c] = NUMBER if counts else TOP
    header(ws, columns, alignments=alignments)
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


def print_setup(ws: Worksheet, kommune: str | None = None, title: str | None = None) -> None:
    """Landscape, fit to the page's width (as many pages down as it takes), the frozen header rows
    repeated on every page; in the header the municipality, the book's `title` (with its year and date,
    in the book's målform) and the sheet, in the footer «Side x av y»; all in the cells' font.

    `kommune` and `title` None keep the header a sheet already has (a book opened again to add a column)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    frozen_rows = coordinate_to_tuple(ws.freeze_panes)[0] - 1 if ws.freeze_panes else 0
    if frozen_rows > 0:
        ws.print_title_rows = f"1:{frozen_rows}"
    if kommune is not None or title is not None or not ws.oddHeader.right.text:
        ws.oddHeader.left = _margin(_literal(kommune), bold=True)
        ws.oddHeader.center = _margin(_literal(title), bold=True)
        # The name as text, not the code &A, which openpyxl misreads after an empty section.
        ws.oddHeader.right = _margin(_literal(ws.title))
        ws.oddFooter.center = _margin(PAGE_FOOTER)


def _margin(text: str, bold: bool = False) -> _HeaderFooterPart:
    # An empty section gets no font code either: openpyxl leaves it out of the header.
    return _HeaderFooterPart(text, _MARGIN_BOLD if bold else _MARGIN_FONT) if text else _HeaderFooterPart()


def _literal(text: str | None) -> str:
    return (text or "").replace("&", "&&")  # «&» starts a code in a header


def text_lines(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> int:
    """How many lines `text` wraps to in a column `width` wide: each line break kept, words moved to
    the next line whole as Excel and LibreOffice do (a word longer than the line is broken), measured
    with Arial's widths."""
    return _lines(text, float(width), float(size), bold)


@lru_cache(maxsize=65536)  # a status book repeats each assignment's text and goal for every leader
def _lines(text: str, width: float, size: float, bold: bool) -> int:
    room = max(1.0, (width * DIGIT_PIXELS - CELL_PADDING_PIXELS) * 0.75 * FILL)  # points; 96 px = 72 pt
    scale = size / 1000 * (BOLD if bold else 1)
    space = _ADVANCE[" "] * scale
    lines = 0
    for paragraph in re.split(r"\r\n|\r|\n", text):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            length = sum(_advance(ch) for ch in word) * scale
            if used and used + space + length > room:
                lines += 1
                used = 0.0
            elif used:
                used += space
            if used + length <= room:
                used += length
                continue
            for ch in word:  # longer than a line: broken where it meets the edge
                advance = _advance(ch) * scale
                if used and used + advance > room:
                    lines += 1
                    used = 0.0
                used += advance
    return lines


def _advance(ch: str) -> int:
    width = _ADVANCE.get(ch)
    if width is not None:
        return width
    return 1000 if unicodedata.east_asian_width(ch) in ("W", "F") else _UNKNOWN


def fit_rows(ws: Worksheet) -> None:
    """Row heights that hold the wrapped text: the most lines any wrapped cell of the row needs at its
    column's width (`text_lines`), and never lower than a height the row already has."""
    # Each cell's wrapping and font looked up by the index its style keeps: asking every cell of a
    # status book of 25,000 rows for its alignment and font took seconds.
    wb = ws.parent
    wraps = [bool(a.wrap_text) for a in wb._alignments]
    fonts = [(float(f.sz or FONT_SIZE), bool(f.b)) for f in wb._fonts]
    widths: dict[int, float] = {}
    for row in ws.iter_rows(min_row=1):
        height = 0.0
        for cell in row:
            value, style = cell.value, cell._style  # None: a cell never styled, so not wrapped
            if not isinstance(value, str) or style is None or not wraps[style.alignmentId]:
                continue
            if cell.column not in widths:
                width = ws.column_dimensions[get_column_letter(cell.column)].width
                widths[cell.column] = width if width else DEFAULT_WIDTH
            size, bold = fonts[style.fontId]
            lines = text_lines(value, widths[cell.column], size, bold)
            height = max(height, lines * LINE_HEIGHT * size / FONT_SIZE)
        if height > LINE_HEIGHT:
            number = row[0].row
            ws.row_dimensions[number].height = max(ws.row_dimensions[number].height or 0, height)


def use_font(wb: Workbook) -> None:
    """Every font of the book in `FONT_NAME`: the default one (cells nobody styled, and the column
    width's unit), and every one set without a name (which the spreadsheet program would fill in
    with a font of its own). Sizes, weights and colours stay; the default's 11 pt becomes FONT_SIZE."""
    fonts = []
    for index, font in enumerate(wb._fonts):  # openpyxl's own list of the book's fonts, which it writes
        if font.name == FONT_NAME and font.scheme is None and (index or font.sz == FONT_SIZE):
            fonts.append(font)
            continue
        font = copy(font)
        font.name, font.scheme, font.family = FONT_NAME, None, 2  # 2: swiss, a sans serif
        if index == 0 or font.sz is None:
            font.sz = FONT_SIZE
        fonts.append(font)
    # Cells refer to their font by its place in the list, which stays the same.
    wb._fonts = IndexedList(fonts)


def prepare(wb: Workbook, kommune: str | None = None, title: str | None = None) -> None:
    use_font(wb)
    for ws in wb.worksheets:
        print_setup(ws, kommune, title)
        fit_rows(ws)


def to_bytes(wb: Workbook, kommune: str | None = None, title: str | None = None) -> bytes:
    """The file's bytes, every sheet set up to print (`print_setup`) for `kommune`, under `title`."""
    prepare(wb, kommune, title)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def save(wb: Workbook, path: Path, kommune: str | None = None, title: str | None = None) -> bytes:
    """Write `wb` to `path` atomically (the old file or the new one, never half); the bytes written."""
    data = to_bytes(wb, kommune, title)
    atomic_write_bytes(Path(path), data)
    return data
