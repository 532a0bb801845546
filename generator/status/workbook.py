"""`status.xlsx`: one row per leader × assignment, where the leaders report how each assignment stands.

Written by `oppfolging` (`build_status_workbook`), read back by `status` and `nytt-ar`
(`read_status`), which check it against the workbook it was made from: the municipality and year
in sheet Om, then every row. Sheet Status is defined with the workbook's sheets (columns.STATUS)
and read with the same cell access (`Cells`): headers by their aliases, places like `Status!I7`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..exceptions import WorkbookError
from ..model import Arbeidsbok, Leder, Problem
from ..store import xlsx
from ..store.xlsx import TOP, TOP_WRAP
from ..store.year import STATUS_NAME
from ..workbook.cells import Cells
from ..workbook.columns import STATUS

# The bounded reading of the main workbook (size, format, row limits, formulas without a value)
# applies here too.
from ..workbook.file import UNCACHED_FORMULA, RawSheets, check_format, read_bytes, read_values
from ..workbook.values import id_text, norm, quoted

SHEET = STATUS.name
HELP_SHEET = "Veiledning"
TILTAK_SHEET = "Tiltak"  # the measures beside each assignment, read only
MEASURE_KEYS = ("ansattnr", "navn", "enhet", "nr", "omrade", "oppdrag")
# Which municipality and year the book belongs to, so that `status` and `nytt-ar` can refuse
# another year's book (the rows alone cannot tell: `nytt-ar` carries the leaders and Nr over).
ABOUT_SHEET = "Om"
ABOUT_KOMMUNE, ABOUT_AR = "Kommune", "År"

IKKE_STARTET, I_RUTE, FORSINKET, FULLFORT, UTGAR = "Ikke startet", "I rute", "Forsinket", "Fullført", "Utgår"
# The order of the drop-down, the report's columns and the chart's colours.
STATUSES = (IKKE_STARTET, I_RUTE, FORSINKET, FULLFORT, UTGAR)
IKKE_RAPPORTERT = "Ikke rapportert"  # a blank Status: not a status anyone chose
_BY_NORM = {norm(s): s for s in STATUSES}

HEADERS = tuple(column.header for column in STATUS.columns)
KEY_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: read-only

HELP = (
    ("Statusrapportering", None),
    (("Arket Status har én rad per leder og oppdrag fra styringsbrevet. Lederen (eller HR etter "
      "oppfølgingssamtalen) fyller ut kolonnene Status, Resultat og Kommentar."), ""),
    (("De grå kolonnene (Ansattnr, Navn, Enhet, Nr, Område, Oppdrag, Mål og Frist) kommer fra arbeidsboken "
      "og er låst. Ikke endre dem: «lederavtale status» kjenner igjen radene på Ansattnr og Nr."), ""),
    (("Arket Tiltak viser lederens egne tiltak for hvert oppdrag, ett per linje. Er lederavtalen endret i "
      "Word etter at den ble laget, står tiltakene slik de er skrevet i avtalen."), ""),
    ("Status velges fra listen: " + ", ".join(STATUSES) + ". En tom Status telles som «Ikke rapportert».", ""),
    (("Resultat: hva som er oppnådd, målt slik oppdraget sier. Kommentar: forklaring, særlig når oppdraget "
      "er forsinket (kommentaren står i avviksoversikten i statusrapporten, som er offentlig)."), ""),
    ("Når arket er utfylt, lag statusrapporten med: lederavtale status ARBEIDSBOK status.xlsx", ""),
    (("Filtrene i overskriftsraden kan brukes selv om arket er låst. En ny kjøring av «lederavtale oppfolging» "
      "overskriver aldri en statusbok som noen har endret."), ""),
    (("Arket Om sier hvilken kommune og hvilket år statusboken gjelder. «lederavtale status» bruker den bare "
      "sammen med arbeidsboken for den kommunen og det året."), ""),
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


def build_status_workbook(bok: Arbeidsbok, ledere: list[Leder], today: date | None = None) -> Workbook:
    """The status workbook for these leaders, as `oppfolging` writes it."""
    wb = xlsx.new_workbook()
    ws = wb.create_sheet(SHEET)
    xlsx.header(ws, [(column.header, column.width) for column in STATUS.columns])
    # Ansattnr, Navn and Enhet stay in view beside the columns the leader fills in.
    ws.freeze_panes = "D2"
    r = 1
    for leder in ledere:
        for o in bok.oppdrag_for(leder):
            r += 1
            # A whole-number Nr as a number, so that Excel sorts 2 before 10 (`read_status` reads it back as
            # text). Ansattnr stays text: an identifier, where a leading zero would be lost.
            values = {"ansattnr": leder.ansattnr, "navn": leder.navn, "enhet": leder.enhet,
                      "nr": xlsx.number_or_text(o.nr),
                      "omrade": o.omrade, "oppdrag": o.tekst, "mal": o.mal, "frist": o.frist}
            for c, column in enumerate(STATUS.columns, start=1):
                if column.input:
                    cell = ws.cell(r, c)
                    cell.protection = Protection(locked=False)
                    cell.alignment = TOP_WRAP
                else:
                    xlsx.put(ws, r, c, values[column.key], TOP_WRAP if column.wrap else TOP).fill = KEY_FILL
    status_letter = get_column_letter(STATUS.columns.index(STATUS.column("status")) + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Ugyldig status",
                        error="Velg en av verdiene: " + ", ".join(STATUSES) + ".")
    ws.add_data_validation(dv)
    dv.add(f"{status_letter}2:{status_letter}{max(r, 2)}")
    xlsx.auto_filter(ws, len(STATUS.columns), r - 1)
    _protect(ws)
    # Filtering and sorting stay allowed, since that is how a leader finds their own rows.
    ws.protection.autoFilter = False
    ws.protection.sort = False
    _write_measures(wb.create_sheet(TILTAK_SHEET), bok, ledere)
    _write_help(wb.create_sheet(HELP_SHEET))
    _write_about(wb.create_sheet(ABOUT_SHEET), bok, today or date.today())
    xlsx.prepare(wb, bok.kommune.navn)
    return wb


def write_status_workbook(bok: Arbeidsbok, ledere: list[Leder], path: Path) -> bytes:
    """Write `path` for these leaders (whatever is there: `oppfolging` decides whether it may); the bytes."""
    return xlsx.save(build_status_workbook(bok, ledere), path)


def _write_measures(ws, bok: Arbeidsbok, ledere: list[Leder]) -> None:
    """The leaders' own measures beside the assignments, on a sheet of their own so that sheet Status
    keeps its columns: the agreement's, when `oppfolging` read them from an agreement edited in Word."""
    keys = [STATUS.column(key) for key in MEASURE_KEYS]
    xlsx.header(ws, [(column.header, column.width) for column in keys] + [("Tiltak", 60)])
    r = 1
    for leder in ledere:
        for o in bok.oppdrag_for(leder):
            r += 1
            values = (leder.ansattnr, leder.navn, leder.enhet, xlsx.number_or_text(o.nr), o.omrade, o.tekst,
                      "\n".join(t.tekst for t in bok.tiltak_for(leder, o.nr)))
            for c, value in enumerate(values, start=1):
                xlsx.put(ws, r, c, value, TOP_WRAP)
    xlsx.auto_filter(ws, len(keys) + 1, r - 1)
    _protect(ws)
    ws.protection.autoFilter = False
    ws.protection.sort = False


def _protect(ws) -> None:
    # Locked without a password: it shows what not to edit, it does not lock HR out.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_help(ws) -> None:
    ws.column_dimensions["A"].width = 110
    for r, (text, style) in enumerate(HELP, start=1):
        cell = xlsx.put(ws, r, 1, text, TOP_WRAP)
        if style is None:
            cell.font = Font(bold=True, size=14, color="1F4E79")
    ws.sheet_view.showGridLines = False


def _write_about(ws, bok: Arbeidsbok, today: date) -> None:
    xlsx.header(ws, [("Felt", 14), ("Verdi", 30), ("Forklaring", 70)])
    rows = (
        (ABOUT_KOMMUNE, bok.kommune.navn, "Kommunen statusboken gjelder."),
        (ABOUT_AR, bok.kommune.periode.ar, "Året statusboken gjelder: «lederavtale status» godtar den bare "
                                           "sammen med arbeidsboken for dette året."),
        ("Arbeidsbok", bok.path.name, "Arbeidsboken statusboken ble laget fra."),
        ("Laget", today, "Datoen «lederavtale oppfolging» laget statusboken."),
    )
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            xlsx.put(ws, r, c, value, TOP_WRAP if c == 3 else TOP)
    _protect(ws)


# --------------------------------------------------------------------------- reading


@dataclass
class StatusBook:
    """What `read_status` found: the rows, and what the user should know (an old book without Om)."""

    rows: list[StatusRow]
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Read:
    rows: list[tuple]  # sheet Status from row 1
    uncached: set[tuple[str, int, int]]  # formulas without a stored value
    about: list[tuple] | None  # sheet Om from row 1, None without it


def _heading(path: Path) -> str:
    return f"Statusboken «{Path(path).name}» har feil. Ingenting er skrevet."


def _read(path: Path) -> _Read:
    """Sheet Status (and Om) of the file; WorkbookError headed with the file's name when unusable."""
    path = Path(path)
    try:
        data = read_bytes(path)
        check_format(path, data)

        def pick(wb) -> dict[str, object]:
            sheets = {}
            for name in (SHEET, ABOUT_SHEET):
                ws = next((ws for ws in wb.worksheets if norm(ws.title) == norm(name)), None)
                if ws is not None:
                    sheets[name] = ws
            return sheets

        sheets, uncached = read_values(path.name, data, pick)
    except WorkbookError as exc:
        raise WorkbookError(exc.problems, heading=_heading(path)) from None
    if SHEET not in sheets:
        raise WorkbookError([Problem("", f"«{path.name}» har ikke arket {quoted(SHEET)}; er det en statusbok "
                                         "laget sammen med oppfølgingsdokumentene?")], heading=_heading(path))
    return _Read(sheets[SHEET], uncached, sheets.get(ABOUT_SHEET))


def _check_about(bok: Arbeidsbok, path: Path, found: _Read) -> list[Problem]:
    """Another municipality's or year's book is refused: its rows may match (nytt-ar keeps the
    leaders and Nr), and the report would show last year's statuses under this year's title."""
    kommune, ar = bok.kommune.navn, bok.kommune.periode.ar
    fields = {}
    for r, row in enumerate(found.about, start=1):
        if row and row[0] is not None and norm(row[0]) not in fields:
            fields[norm(row[0])] = (row[1] if len(row) > 1 else None, f"{ABOUT_SHEET}!B{r}",
                                    (ABOUT_SHEET, r, 2) in found.uncached)
    problems = []
    for name, expected in ((ABOUT_KOMMUNE, kommune), (ABOUT_AR, str(ar))):
        if norm(name) not in fields:
            problems.append(Problem(ABOUT_SHEET, f"feltet {quoted(name)} mangler; statusboken må si hvilken kommune "
                                                 "og hvilket år den gjelder"))
            continue
        value, place, uncached = fields[norm(name)]
        if uncached:
            problems.append(Problem(place, UNCACHED_FORMULA))
            continue
        written = id_text(value)
        if norm(written) == norm(expected):
            continue
        what = "kommunen" if name == ABOUT_KOMMUNE else "året"
        shown = quoted(written) if name == ABOUT_KOMMUNE else written
        wanted = quoted(expected) if name == ABOUT_KOMMUNE else expected
        problems.append(Problem(place, (f"statusboken gjelder {shown}, men arbeidsboken «{bok.path.name}» gjelder "
                                        f"{wanted}. Bruk statusboken som ble laget sammen med oppfølgingsdokumentene for {kommune} "
                                        f"{ar}") if written else f"{what} mangler"))
    return problems


def read_status(bok: Arbeidsbok, path: Path) -> StatusBook:
    """The filled-in rows, checked against the workbook; WorkbookError with every problem found."""
    path = Path(path)
    found = _read(path)
    warnings = []
    if found.about is None:
        # Books from the version before the Om sheet are still in use; they are read, with a word.
        warnings.append(Problem("", f"«{path.name}» har ikke arket {quoted(ABOUT_SHEET)} (den er laget av en eldre "
                                    f"versjon), så kommunen og året er ikke kontrollert. Kontroller selv at "
                                    f"statusboken gjelder {bok.kommune.navn} {bok.kommune.periode.ar}."))
    else:
        wrong_book = _check_about(bok, path, found)
        if wrong_book:
            raise WorkbookError(wrong_book, heading=_heading(path))
    c = Cells(RawSheets({SHEET: found.rows}, [], [], found.uncached))
    sheet = c.table(SHEET, found.rows)
    if sheet is None or c.errors:  # no usable header, or a column twice
        raise WorkbookError(c.errors, heading=_heading(path))

    known_nr = {o.nr for o in bok.oppdrag}
    ledere = {leder.ansattnr: leder for leder in bok.ledere}
    seen: dict[tuple[str, str], int] = {}
    result = []
    for row in sheet.rows:
        rad = row.number
        # Required, so that a blank is named; a formula without a value is named as that instead.
        ansattnr = c.text(sheet, row, "ansattnr", required=True, as_id=True)
        nr = c.text(sheet, row, "nr", required=True, as_id=True)
        written = c.text(sheet, row, "status")
        status = _BY_NORM.get(norm(written), "") if written else ""
        if written and not status:
            c.error(sheet.place(row, "status"), f"{quoted(written)} er ikke en gyldig status "
                                                f"(gyldige: {', '.join(STATUSES)})")
        resultat, kommentar = c.text(sheet, row, "resultat"), c.text(sheet, row, "kommentar")
        leder = ledere.get(ansattnr)
        if ansattnr and leder is None:
            c.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(ansattnr)} finnes ikke i arket Ledere")
        if nr and nr not in known_nr:
            c.error(sheet.place(row, "nr"), f"oppdrag {quoted(nr)} finnes ikke i arket Oppdrag")
        elif nr and leder is not None and nr not in bok.tildeling.get(ansattnr, ()):
            c.error(sheet.place(row, "nr"), f"oppdrag {quoted(nr)} gjelder ikke {leder.navn} ({ansattnr})")
        if ansattnr and nr:
            if (ansattnr, nr) in seen:
                c.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(ansattnr)} og oppdrag {quoted(nr)} "
                                                      f"står allerede på rad {seen[ansattnr, nr]}")
                continue
            seen[ansattnr, nr] = rad
        result.append(StatusRow(ansattnr, nr, status, resultat, kommentar, rad))
    if c.errors:
        raise WorkbookError(c.errors, heading=_heading(path))
    return StatusBook(result, warnings + c.warnings)
