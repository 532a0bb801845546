"""`status.xlsx`: one row per leader × assignment, where the leaders report how each assignment stands.

Written by `oppfolging` (`build_status_workbook`), read back by `status` and `nytt-ar`
(`read_status`), which check it against the workbook it was made from: the municipality and year
in sheet Om, then every row. Sheet Status is defined with the workbook's sheets (columns.STATUS)
and read with the same cell access (`Cells`): headers by their aliases, places like `Status!I7`.

The book speaks the workbook's målform (Målform in sheet Kommune): its sheets, headers, guidance,
print header and the statuses of the drop-down. A status has one name per målform (`status_names`),
the same in this book, the report's book and the Word report; `read_status` takes either målform's.
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

NYNORSK = "nynorsk"
SHEET = STATUS.name  # «Status», «Tiltak» and «Om» are nynorsk too: the sheets `read_status` looks for
HELP_SHEET = "Veiledning"
HELP_SHEET_NN = "Rettleiing"
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
# The bokmål names above are the statuses' keys everywhere in the code; in nynorsk they are these.
# «Går ut» for «Utgår»: the same verb with its particle after it, as nynorsk writes it, and the words
# of the Word report («Oppdrag som går ut»).
_NYNORSK_STATUS = {IKKE_STARTET: "Ikkje starta", I_RUTE: "I rute", FORSINKET: "Forseinka", FULLFORT: "Fullført",
                   UTGAR: "Går ut", IKKE_RAPPORTERT: "Ikkje rapportert"}
# Read back in either målform, whatever the book's: a book may have been filled in from the other
# målform's follow-up document, and «Fell bort» is what the nynorsk follow-up document offered for
# Utgår, so books filled in from it still read.
_BY_NORM = {norm(s): s for s in STATUSES} | {norm(name): s for s, name in _NYNORSK_STATUS.items() if s in STATUSES} \
    | {norm("Fell bort"): UTGAR}

HEADERS = tuple(column.header for column in STATUS.columns)
# Sheet Status's headers in nynorsk where they differ; read back as the bokmål ones.
_NYNORSK_HEADERS = {"navn": "Namn", "enhet": "Eining"}
_HEADER_BY_NORM = {norm(_NYNORSK_HEADERS[key]): STATUS.column(key).header for key in _NYNORSK_HEADERS}
KEY_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: read-only


def status_names(malform: str) -> dict[str, str]:
    """Each status, and IKKE_RAPPORTERT, by its name in `malform`: the one set of names the status
    book's drop-down, the report's book and the Word report use."""
    if malform == NYNORSK:
        return dict(_NYNORSK_STATUS)
    return {s: s for s in (*STATUSES, IKKE_RAPPORTERT)}


def headers(malform: str) -> tuple[str, ...]:
    """Sheet Status's headers in `malform`."""
    return tuple(_NYNORSK_HEADERS.get(column.key, column.header) if malform == NYNORSK else column.header
                 for column in STATUS.columns)


def _help(nynorsk: bool) -> tuple:
    names = ", ".join(status_names(NYNORSK if nynorsk else "bokmål")[s] for s in STATUSES)
    if nynorsk:
        return (
            ("Statusrapportering", None),
            (("Arket Status har éi rad per leiar og oppdrag frå styringsbrevet. Leiaren (eller HR etter "
              "oppfølgingssamtalen) fyller ut kolonnane Status, Resultat og Kommentar."), ""),
            (("Dei grå kolonnane (Ansattnr, Namn, Eining, Nr, Område, Oppdrag, Mål og Frist) kjem frå arbeidsboka "
              "og er låste. Ikkje endre dei: «lederavtale status» kjenner att radene på Ansattnr og Nr."), ""),
            (("Arket Tiltak viser tiltaka leiaren sjølv har sett opp for kvart oppdrag, eitt per linje. Er "
              "leiaravtalen endra i Word etter at han vart laga, står tiltaka slik dei er skrivne i avtalen."), ""),
            (f"Status vel du frå lista: {names}. Ein tom Status blir talt som «Ikkje rapportert».", ""),
            (("Resultat: kva som er oppnådd, målt slik oppdraget seier. Kommentar: forklaring, særleg når "
              "oppdraget er forseinka (kommentaren står i avviksoversikta i statusrapporten, som er offentleg)."), ""),
            (("Ei rad blir ikkje høgare av seg sjølv når du skriv ein lang tekst: merk radene og vel «Hjem» > "
              "«Format» > «Autotilpass radhøyde» i Excel (eller dobbeltklikk på skiljelinja under "
              "radnummeret)."), ""),
            ("Når arket er fylt ut, lag statusrapporten med: lederavtale status ARBEIDSBOK status.xlsx", ""),
            (("Filtera i overskriftsrada kan brukast sjølv om arket er låst. Ei ny køyring av «lederavtale "
              "oppfolging» skriv aldri over ei statusbok som nokon har endra."), ""),
            (("Arket Om seier kva kommune og kva år statusboka gjeld. «lederavtale status» bruker ho berre "
              "saman med arbeidsboka for den kommunen og det året."), ""),
        )
    return (
        ("Statusrapportering", None),
        (("Arket Status har én rad per leder og oppdrag fra styringsbrevet. Lederen (eller HR etter "
          "oppfølgingssamtalen) fyller ut kolonnene Status, Resultat og Kommentar."), ""),
        (("De grå kolonnene (Ansattnr, Navn, Enhet, Nr, Område, Oppdrag, Mål og Frist) kommer fra arbeidsboken "
          "og er låst. Ikke endre dem: «lederavtale status» kjenner igjen radene på Ansattnr og Nr."), ""),
        (("Arket Tiltak viser lederens egne tiltak for hvert oppdrag, ett per linje. Er lederavtalen endret i "
          "Word etter at den ble laget, står tiltakene slik de er skrevet i avtalen."), ""),
        (f"Status velges fra listen: {names}. En tom Status telles som «Ikke rapportert».", ""),
        (("Resultat: hva som er oppnådd, målt slik oppdraget sier. Kommentar: forklaring, særlig når oppdraget "
          "er forsinket (kommentaren står i avviksoversikten i statusrapporten, som er offentlig)."), ""),
        (("En rad blir ikke høyere av seg selv når du skriver en lang tekst: merk radene og velg «Hjem» > "
          "«Format» > «Autotilpass radhøyde» i Excel (eller dobbeltklikk på skillelinjen under "
          "radnummeret)."), ""),
        ("Når arket er utfylt, lag statusrapporten med: lederavtale status ARBEIDSBOK status.xlsx", ""),
        (("Filtrene i overskriftsraden kan brukes selv om arket er låst. En ny kjøring av «lederavtale oppfolging» "
          "overskriver aldri en statusbok som noen har endret."), ""),
        (("Arket Om sier hvilken kommune og hvilket år statusboken gjelder. «lederavtale status» bruker den bare "
          "sammen med arbeidsboken for den kommunen og det året."), ""),
    )

# The rest of the book's words, (bokmål, nynorsk).
_WORDS = {
    "tittel": ("Statusbok {ar}, laget {dato}", "Statusbok {ar}, laga {dato}"),
    "ugyldig": ("Ugyldig status", "Ugyldig status"),
    "velg": ("Velg en av verdiene: {names}.", "Vel ein av verdiane: {names}."),
    "laget": ("Laget", "Laga"),
    "om_kommune": ("Kommunen statusboken gjelder.", "Kommunen statusboka gjeld."),
    "om_ar": ("Året statusboken gjelder: «lederavtale status» godtar den bare sammen med arbeidsboken for "
              "dette året.", "Året statusboka gjeld: «lederavtale status» godtek ho berre saman med arbeidsboka "
                            "for dette året."),
    "om_arbeidsbok": ("Arbeidsboken statusboken ble laget fra.", "Arbeidsboka statusboka vart laga frå."),
    "om_laget": ("Datoen «lederavtale oppfolging» laget statusboken.",
                 "Datoen «lederavtale oppfolging» laga statusboka."),
}


def _words(nynorsk: bool) -> dict[str, str]:
    return {key: pair[nynorsk] for key, pair in _WORDS.items()}


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
    """The status workbook for these leaders, as `oppfolging` writes it, in the workbook's målform."""
    today = today or date.today()
    nynorsk = bok.kommune.malform == NYNORSK
    words = _words(nynorsk)
    names = status_names(bok.kommune.malform)
    wb = xlsx.new_workbook()
    ws = wb.create_sheet(SHEET)
    xlsx.header(ws, list(zip(headers(bok.kommune.malform), (column.width for column in STATUS.columns))))
    # Ansattnr, Navn and Enhet stay in view beside the columns the leader fills in.
    ws.freeze_panes = "D2"
    r = 1
    for leder in ledere:
        for o in bok.oppdrag_for(leder):
            r += 1
            # A whole-number Nr as a number, so that Excel sorts 2 before 10 (`read_status` reads it back as
            # text). Ansattnr stays text: an identifier, where a leading zero would be lost. Every column is
            # aligned left with its header, the number 2 beside the text «2a» too.
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
    choices = [names[s] for s in STATUSES]
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle=words["ugyldig"],
                        error=words["velg"].format(names=", ".join(choices)))
    ws.add_data_validation(dv)
    dv.add(f"{status_letter}2:{status_letter}{max(r, 2)}")
    xlsx.auto_filter(ws, len(STATUS.columns), r - 1)
    _protect(ws)
    # Filtering and sorting stay allowed, since that is how a leader finds their own rows.
    ws.protection.autoFilter = False
    ws.protection.sort = False
    _write_measures(wb.create_sheet(TILTAK_SHEET), bok, ledere)
    _write_help(wb.create_sheet(HELP_SHEET_NN if nynorsk else HELP_SHEET), nynorsk)
    _write_about(wb.create_sheet(ABOUT_SHEET), bok, today, words)
    xlsx.prepare(wb, bok.kommune.navn, words["tittel"].format(ar=bok.kommune.periode.ar, dato=f"{today:%d.%m.%Y}"))
    return wb


def write_status_workbook(bok: Arbeidsbok, ledere: list[Leder], path: Path, today: date | None = None) -> bytes:
    """Write `path` for these leaders (whatever is there: `oppfolging` decides whether it may); the bytes."""
    return xlsx.save(build_status_workbook(bok, ledere, today), path)


def _write_measures(ws, bok: Arbeidsbok, ledere: list[Leder]) -> None:
    """The leaders' own measures beside the assignments, on a sheet of their own so that sheet Status
    keeps its columns: the agreement's, when `oppfolging` read them from an agreement edited in Word."""
    keys = [STATUS.column(key) for key in MEASURE_KEYS]
    titles = dict(zip((column.key for column in STATUS.columns), headers(bok.kommune.malform)))
    xlsx.header(ws, [(titles[column.key], column.width) for column in keys] + [("Tiltak", 60)])
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


def _write_help(ws, nynorsk: bool) -> None:
    ws.column_dimensions["A"].width = 110
    for r, (text, style) in enumerate(_help(nynorsk), start=1):
        cell = xlsx.put(ws, r, 1, text, TOP_WRAP)
        if style is None:
            cell.font = Font(name=xlsx.FONT_NAME, bold=True, size=14, color="1F4E79")
    ws.sheet_view.showGridLines = False


def _write_about(ws, bok: Arbeidsbok, today: date, words: dict[str, str]) -> None:
    # Felt, Verdi and Forklaring, and the fields Kommune and År `read_status` looks for, are nynorsk too.
    xlsx.header(ws, [("Felt", 14), ("Verdi", 30), ("Forklaring", 70)])
    rows = (
        (ABOUT_KOMMUNE, bok.kommune.navn, words["om_kommune"]),
        (ABOUT_AR, bok.kommune.periode.ar, words["om_ar"]),
        ("Arbeidsbok", bok.path.name, words["om_arbeidsbok"]),
        (words["laget"], today, words["om_laget"]),
    )
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            # Left like the text beside it: the year and the date are values of the column Verdi.
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


def _bokmal_headers(rows: list[tuple]) -> list[tuple]:
    """Sheet Status with a nynorsk book's headers (Namn, Eining) as the bokmål ones the columns are
    defined with, so that they are known columns, not unknown ones with a typo warning."""
    at = next((i for i, row in enumerate(rows) if any(v is not None and str(v).strip() for v in row)), None)
    if at is None:
        return rows
    header = tuple(_HEADER_BY_NORM.get(norm(v), v) if isinstance(v, str) else v for v in rows[at])
    return [*rows[:at], header, *rows[at + 1:]]


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
    rows = _bokmal_headers(found.rows)
    c = Cells(RawSheets({SHEET: rows}, [], [], found.uncached))
    sheet = c.table(SHEET, rows)
    if sheet is None or c.errors:  # no usable header, or a column twice
        raise WorkbookError(c.errors, heading=_heading(path))

    # The names the book's drop-down offered; the other målform's are taken too.
    valid = ", ".join(status_names(bok.kommune.malform)[s] for s in STATUSES)
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
                                                f"(gyldige: {valid})")
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
