"""`status.xlsx`: one row per leader × assignment, where the leaders report how each assignment stands.

Written by `oppfolging` (`write_status_workbook`), read back by `status` and `nytt-ar`
(`read_status`), which check it against the workbook it was made from.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..exceptions import WorkbookError
from ..model import Arbeidsbok, Leder, Problem
from ..store.files import atomic_write_bytes

# The bounded reading of the main workbook (size, format and row limits) applies here too.
from ..workbook.file import check_format, open_workbook, read_bytes, sheet_rows
from ..workbook.values import clean_text, id_text, norm, quoted
from ..workbook.write import (
    DATE_FORMAT,
    HEADER_BORDER,
    HEADER_FILL,
    HEADER_FONT,
    TOP,
    TOP_WRAP,
)

STATUS_NAME = "status.xlsx"
SHEET = "Status"
HELP_SHEET = "Veiledning"

IKKE_STARTET, I_RUTE, FORSINKET, FULLFORT, UTGAR = "Ikke startet", "I rute", "Forsinket", "Fullført", "Utgår"
# The order of the drop-down, the report's columns and the chart's colours.
STATUSES = (IKKE_STARTET, I_RUTE, FORSINKET, FULLFORT, UTGAR)
IKKE_RAPPORTERT = "Ikke rapportert"  # a blank Status: not a status anyone chose
_BY_NORM = {norm(s): s for s in STATUSES}

# (header, key, width); the last three are the leaders' to fill in, the rest is the key.
COLUMNS = (
    ("Ansattnr", "ansattnr", 11), ("Navn", "navn", 26), ("Enhet", "enhet", 28), ("Nr", "nr", 7),
    ("Område", "omrade", 16), ("Oppdrag", "oppdrag", 50), ("Mål", "mal", 30), ("Frist", "frist", 12),
    ("Status", "status", 14), ("Resultat", "resultat", 36), ("Kommentar", "kommentar", 40),
)
HEADERS = tuple(header for header, _, _ in COLUMNS)
INPUT = ("status", "resultat", "kommentar")
_COLUMN_NUMBER = {key: n for n, (_, key, _) in enumerate(COLUMNS, start=1)}
KEY_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: read-only

HELP = (
    ("Statusrapportering", None),
    (("Arket Status har én rad per leder og oppdrag fra styringsbrevet. Lederen (eller HR etter "
      "oppfølgingssamtalen) fyller ut kolonnene Status, Resultat og Kommentar."), ""),
    (("De grå kolonnene (Ansattnr, Navn, Enhet, Nr, Område, Oppdrag, Mål og Frist) kommer fra arbeidsboken "
      "og er låst. Ikke endre dem: «lederavtale status» kjenner igjen radene på Ansattnr og Nr."), ""),
    ("Status velges fra listen: " + ", ".join(STATUSES) + ". En tom Status telles som «Ikke rapportert».", ""),
    (("Resultat: hva som er oppnådd, målt slik oppdraget sier. Kommentar: forklaring, særlig når oppdraget "
      "er forsinket (kommentaren står i avviksoversikten i statusrapporten, som er offentlig)."), ""),
    ("Når arket er utfylt, lag statusrapporten med: lederavtale status ARBEIDSBOK status.xlsx", ""),
    (("Filtrene i overskriftsraden kan brukes selv om arket er låst. En ny kjøring av «lederavtale oppfolging» "
      "overskriver aldri en statusbok som noen har begynt å fylle ut."), ""),
)


@dataclass
class StatusRow:
    """One filled-in row of sheet Status."""

    ansattnr: str
    nr: str
    status: str  # one of STATUSES, or "" when blank
    resultat: str
    kommentar: str
    rad: int


def write_status_workbook(bok: Arbeidsbok, ledere: list[Leder], path: Path) -> bool:
    """Write `path` for these leaders; False, writing nothing, when `path` has been filled in already."""
    path = Path(path)
    if path.exists() and _filled_in(path):
        return False
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for c, (header, _, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(1, c, header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        ws.column_dimensions[get_column_letter(c)].width = width
    r = 1
    for leder in ledere:
        for o in bok.oppdrag_for(leder):
            r += 1
            values = (leder.ansattnr, leder.navn, leder.enhet, o.nr, o.omrade, o.tekst, o.mal, o.frist)
            for c, value in enumerate(values, start=1):
                cell = ws.cell(r, c, value if value != "" else None)
                cell.fill = KEY_FILL
                cell.alignment = TOP_WRAP if c in (6, 7) else TOP
                if isinstance(value, str):
                    cell.data_type = "s"  # workbook text stays text: "=…" is shown as typed, never run
            ws.cell(r, _COLUMN_NUMBER["frist"]).number_format = DATE_FORMAT
            for key in INPUT:
                cell = ws.cell(r, _COLUMN_NUMBER[key])
                cell.protection = Protection(locked=False)
                cell.alignment = TOP_WRAP
    status_letter = get_column_letter(_COLUMN_NUMBER["status"])
    dv = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Ugyldig status",
                        error="Velg en av verdiene: " + ", ".join(STATUSES) + ".")
    ws.add_data_validation(dv)
    dv.add(f"{status_letter}2:{status_letter}{max(r, 2)}")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(r, 2)}"
    # Locked without a password: it shows what not to edit, it does not lock HR out. Filtering
    # and sorting stay allowed, since that is how a leader finds their own rows.
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    _write_help(wb.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return True


def _write_help(ws) -> None:
    ws.column_dimensions["A"].width = 110
    for r, (text, style) in enumerate(HELP, start=1):
        cell = ws.cell(r, 1, text)
        cell.alignment = TOP_WRAP
        if style is None:
            cell.font = Font(bold=True, size=14, color="1F4E79")
    ws.sheet_view.showGridLines = False


def _filled_in(path: Path) -> bool:
    """Whether any Status, Resultat or Kommentar cell holds something. A file that cannot be read
    counts as filled in: it may be someone's work, and overwriting it cannot be undone."""
    try:
        header, rows = _status_rows(path)
    except WorkbookError:
        return True
    columns = [header.get(key) for key in INPUT]
    return any(not _is_empty(row[c - 1:c]) for row in rows for c in columns if c is not None)


def _is_empty(values) -> bool:
    # Cheaper than clean_text on every cell, which matters at 25,000 rows.
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# --------------------------------------------------------------------------- reading


def _status_rows(path: Path) -> tuple[dict[str, int], list[tuple]]:
    """Column numbers by key, and the rows below the header, of sheet Status."""
    path = Path(path)
    data = read_bytes(path)
    check_format(path, data)
    try:
        wb = open_workbook(data, data_only=True)
    except Exception as exc:
        raise WorkbookError([Problem("", f"«{path.name}» kunne ikke leses som Excel-arbeidsbok.")]) from exc
    try:
        ws = next((ws for ws in wb.worksheets if norm(ws.title) == norm(SHEET)), None)
        if ws is None:
            raise WorkbookError([Problem("", f"«{path.name}» har ikke arket {quoted(SHEET)}; er det en statusbok "
                                             "laget av «lederavtale oppfolging»?")])
        rows = sheet_rows(path.name, ws)
    finally:
        wb.close()
    known = {norm(header): key for header, key, _ in COLUMNS}
    header = {}
    for c, value in enumerate(rows[0] if rows else (), start=1):
        key = known.get(norm(value)) if value is not None else None
        if key and key not in header:
            header[key] = c
    return header, rows[1:]


def read_status(bok: Arbeidsbok, path: Path) -> list[StatusRow]:
    """The filled-in rows, checked against the workbook; WorkbookError with every problem found."""
    header, rows = _status_rows(path)
    errors: list[Problem] = []
    missing = [h for h, key, _ in COLUMNS if key in ("ansattnr", "nr", "status") and key not in header]
    if missing:
        raise WorkbookError([Problem(f"{SHEET} rad 1", f"mangler kolonnen {quoted(h)}") for h in missing],
                            heading="Statusboken har feil. Ingenting er skrevet.")

    def place(key: str, rad: int) -> str:
        return f"{SHEET}!{get_column_letter(header[key])}{rad}"

    def cell(row: tuple, key: str):
        c = header.get(key)
        return row[c - 1] if c is not None and c <= len(row) else None

    known_nr = {o.nr for o in bok.oppdrag}
    ledere = {leder.ansattnr: leder for leder in bok.ledere}
    seen: dict[tuple[str, str], int] = {}
    result = []
    for rad, row in enumerate(rows, start=2):
        if _is_empty(row):
            continue
        ansattnr, nr = id_text(cell(row, "ansattnr")), id_text(cell(row, "nr"))
        written = clean_text(cell(row, "status"))
        status = _BY_NORM.get(norm(written), "") if written else ""
        if written and not status:
            errors.append(Problem(place("status", rad), f"{quoted(written)} er ikke en gyldig status "
                                                        f"(gyldige: {', '.join(STATUSES)})"))
        leder = ledere.get(ansattnr)
        if not ansattnr:
            errors.append(Problem(place("ansattnr", rad), "Ansattnr mangler"))
        elif leder is None:
            errors.append(Problem(place("ansattnr", rad), f"Ansattnr {quoted(ansattnr)} finnes ikke i arket Ledere"))
        if not nr:
            errors.append(Problem(place("nr", rad), "Nr mangler"))
        elif nr not in known_nr:
            errors.append(Problem(place("nr", rad), f"oppdrag {quoted(nr)} finnes ikke i arket Oppdrag"))
        elif leder is not None and nr not in bok.tildeling.get(ansattnr, ()):
            errors.append(Problem(place("nr", rad), f"oppdrag {quoted(nr)} gjelder ikke {leder.navn} ({ansattnr})"))
        if ansattnr and nr:
            if (ansattnr, nr) in seen:
                errors.append(Problem(place("ansattnr", rad), f"Ansattnr {quoted(ansattnr)} og oppdrag {quoted(nr)} "
                                                              f"står allerede på rad {seen[ansattnr, nr]}"))
                continue
            seen[ansattnr, nr] = rad
        result.append(StatusRow(ansattnr, nr, status, clean_text(cell(row, "resultat")),
                                clean_text(cell(row, "kommentar")), rad))
    if errors:
        raise WorkbookError(errors, heading="Statusboken har feil. Ingenting er skrevet.")
    return result

