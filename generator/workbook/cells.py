"""Cell access for validation: each value read with its place (`Ledere!G9`), each problem kept.

Every problem is collected, not just the first, so HR can fix the whole workbook in one
round. Places are written with the canonical sheet names, which is what HR sees on the
tabs whatever the case of the name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from openpyxl.utils import get_column_letter

from ..model import Ekstra, Leder, Problem
from ..typos import closest
from .columns import SHEETS, STATUS
from .file import UNCACHED_FORMULA, RawSheets
from .values import EXCEL_ERRORS, clean_text, id_text, norm, parse_date, quoted

# The workbook's sheets, and status.xlsx's, which is read the same way.
_LAYOUT = {sheet.name: sheet for sheet in (*SHEETS, STATUS)}
REPORTED = object()  # a cell whose problem has already been reported


@dataclass
class Row:
    number: int  # row number in the sheet, as Excel shows it
    values: tuple

    def get(self, col: int | None):
        if col is None or col > len(self.values):
            return None
        return self.values[col - 1]


@dataclass
class Table:
    name: str
    header_row: int
    columns: dict[str, int]  # key -> column number
    extra: dict[str, int]  # unknown header as written -> column number
    rows: list[Row]

    def place(self, row: Row, key: str) -> str:
        col = self.columns.get(key)
        if col is None:
            return f"{self.name} rad {row.number}"
        return f"{self.name}!{get_column_letter(col)}{row.number}"


def _is_empty(values: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# --------------------------------------------------------------------------- validation


class Cells:
    """The sheets' cells, read so that each problem is reported with its place, and every problem kept."""

    def __init__(self, raw: RawSheets):
        self.raw = raw
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- problems

    def error(self, place: str, message: str) -> None:
        self.errors.append(Problem(place, message))

    def warn(self, place: str, message: str, ansattnr: str = "") -> None:
        self.warnings.append(Problem(place, message, ansattnr))

    @staticmethod
    def who(leder: Leder) -> str:
        return f"{leder.navn} ({leder.ansattnr})" if leder.navn else quoted(leder.ansattnr)

    # -- sheet structure

    def table(self, name: str, rows: list[tuple]) -> Table | None:
        """Find the header row and columns; None when the sheet cannot be used."""
        header_index = next((i for i, row in enumerate(rows) if not _is_empty(row)), None)
        if header_index is None:
            # An optional sheet left empty says what an absent one says: nothing to add.
            if not _LAYOUT[name].optional:
                self.error(name, f"arket {quoted(name)} er tomt; første rad skal ha kolonneoverskriftene")
            return None
        header_row = header_index + 1
        known = {alias: col for col in _LAYOUT[name].columns for alias in col.aliases}
        columns: dict[str, int] = {}
        extra: dict[str, int] = {}
        extra_seen: dict[str, str] = {}  # normalised -> as first written
        for number, header in enumerate(rows[header_index], start=1):
            written = clean_text(header)
            if not written:
                continue
            place = f"{name}!{get_column_letter(number)}{header_row}"
            column = known.get(norm(written))
            if column is None and norm(written) in extra_seen:
                # `ekstra` keys match like headers, so «Telefon» and «telefon» would be one key.
                self.error(place, f"kolonnen {quoted(extra_seen[norm(written)])} finnes to ganger")
            elif column is None:
                self.check_typo(place, written, name)
                extra[written] = number
                extra_seen[norm(written)] = written
            elif column.key in columns:
                self.error(place, f"kolonnen {quoted(column.header)} finnes to ganger")
            else:
                columns[column.key] = number

        usable = True
        for column in _LAYOUT[name].columns:
            if not column.required or column.key in columns:
                continue
            if column.instead and set(column.instead) <= columns.keys():
                continue
            alternative = " og ".join(quoted(_LAYOUT[name].column(key).header) for key in column.instead)
            self.error(f"{name} rad {header_row}", f"mangler kolonnen {quoted(column.header)}"
                       + (f" (eller {alternative})" if alternative else ""))
            usable = False
        if not usable:
            return None

        # A formula without a stored value reads as an empty cell: a row of nothing else is still a
        # row, whose cells must be reported, not skipped (beyond the last row with a value it is
        # not among `rows` at all).
        formula_rows = {r for sheet, r, _ in self.raw.uncached if sheet == name and r > header_row}
        data_rows = [
            Row(number, row)
            for number, row in enumerate(rows[header_index + 1 :], start=header_row + 1)
            if not _is_empty(row) or number in formula_rows
        ]
        data_rows += [Row(number, ()) for number in sorted(formula_rows) if number > len(rows)]
        return Table(name, header_row, columns, extra, data_rows)

    def check_typo(self, place: str, written: str, sheet: str) -> None:
        """Unknown columns are allowed (HR's own notes, `ekstra`); a near miss is likely a typo."""
        labels = {norm(c.header): c.header for c in _LAYOUT[sheet].columns}
        close = closest(norm(written), labels, cutoff=0.75)
        if close:
            self.warn(place, f"ukjent kolonne {quoted(written)} blir ikke brukt; mente du {quoted(labels[close])}?")

    # -- cell access

    def value(self, sheet: Table, row: Row, key: str):
        """The raw value, or None after reporting a cell Excel could not give a value."""
        col = sheet.columns.get(key)
        value = row.get(col)
        if value is None and col is not None and (sheet.name, row.number, col) in self.raw.uncached:
            self.error(sheet.place(row, key), UNCACHED_FORMULA)
            return REPORTED
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
            self.error(sheet.place(row, key), f"cellen inneholder feilverdien {quoted(value.strip())}")
            return REPORTED
        return value

    def text(self, sheet: Table, row: Row, key: str, required: bool = False, as_id: bool = False) -> str:
        value = self.value(sheet, row, key)
        if value is REPORTED:
            return ""
        text = id_text(value) if as_id else clean_text(value)
        if required and not text:
            self.error(sheet.place(row, key), f"{self.label(sheet, key)} mangler")
        return text

    def date(self, sheet: Table, row: Row, key: str) -> date | None:
        value = self.value(sheet, row, key)
        if value is REPORTED:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.error(
                sheet.place(row, key),
                f"ugyldig dato {quoted(clean_text(value))}; skriv datoen som dd.mm.åååå",
            )
            return None

    def email(self, place: str, address: str) -> bool:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            self.error(place, f"ugyldig e-postadresse {quoted(address)}")
            return False
        return True

    def fields(self, sheet: Table, row: Row) -> dict[str, object]:
        """The row's template columns that the model has no attribute for (not `modelled`), by key:
        text, or a date for a date column. Every one is there, empty when the sheet lacks the column,
        so that a template using one never meets a missing key for one row and not for another."""
        return {column.key: self.date(sheet, row, column.key) if column.date else self.text(sheet, row, column.key)
                for column in _LAYOUT[sheet.name].columns if column.template and not column.modelled}

    @staticmethod
    def label(sheet: Table, key: str) -> str:
        return _LAYOUT[sheet.name].column(key).header

    @staticmethod
    def ekstra(sheet: Table, row: Row) -> Ekstra:
        """The row's extra columns, every header present (empty cells as ""), so that a template
        using one never meets a missing key for one row and not for another."""
        return Ekstra((header, clean_text(row.get(col))) for header, col in sheet.extra.items())
