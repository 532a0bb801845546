"""Reads the workbook HR fills in and validates all of it before anything is written.

Every problem is collected, not just the first, so HR can fix the whole workbook in one
round. Errors are raised together as `WorkbookError`; warnings are returned with the
workbook. Places are written with the canonical sheet names (`Ledere!G9`), which is
what HR sees on the tabs whatever the case of the name.
"""

from __future__ import annotations

import difflib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from email_validator import EmailNotValidError, validate_email
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from PIL import Image, UnidentifiedImageError

from .exceptions import WorkbookError
from .model import (
    DEFAULT_SKJERMINGSHJEMMEL,
    DEFAULT_TILGANGSKODE,
    Arbeidsbok,
    Kommune,
    Leder,
    Oppdrag,
    Periode,
    Problem,
    Tiltak,
    Utviklingsmal,
)

# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the canonical header, used in messages
    aliases: tuple[str, ...]
    required: bool = False


KOMMUNE = "Kommune"
LEDERE = "Ledere"
OPPDRAG = "Oppdrag"
TILTAK = "Tiltak"
UTVIKLINGSMAL = "Utviklingsmål"

# Normalised sheet name -> canonical name. Names without å are accepted because a
# keyboard or a system export may have lost it.
SHEET_NAMES = {
    "kommune": KOMMUNE,
    "ledere": LEDERE,
    "oppdrag": OPPDRAG,
    "tiltak": TILTAK,
    "utviklingsmål": UTVIKLINGSMAL,
    "utviklingsmal": UTVIKLINGSMAL,
    "utviklingsmaal": UTVIKLINGSMAL,
}

COLUMNS: dict[str, tuple[Column, ...]] = {
    KOMMUNE: (
        Column("felt", "Felt", ("felt",), True),
        Column("verdi", "Verdi", ("verdi",), True),
    ),
    LEDERE: (
        Column("ansattnr", "Ansattnr", ("ansattnr", "ansattnummer", "ansatt nr", "ansattnr."), True),
        # Navn is required unless Fornavn and Etternavn are given; checked separately.
        Column("navn", "Navn", ("navn", "fullt navn")),
        Column("fornavn", "Fornavn", ("fornavn",)),
        Column("etternavn", "Etternavn", ("etternavn",)),
        Column("stilling", "Stilling", ("stilling", "stillingstittel", "tittel"), True),
        Column("enhet", "Enhet", ("enhet",), True),
        Column("niva", "Nivå", ("nivå", "niva", "nivaa")),
        Column("epost", "E-post", ("e-post", "epost", "e-postadresse", "epostadresse", "e-mail", "email")),
        Column("overordnet", "Overordnet", ("overordnet", "leder", "overordnet leder", "overordnede")),
        Column("avtale", "Avtale", ("avtale",)),
        Column("mal", "Mal", ("mal", "malfil")),
        Column("signert", "Signert", ("signert", "signert dato", "signeringsdato")),
    ),
    OPPDRAG: (
        Column("nr", "Nr", ("nr", "nr.", "nummer"), True),
        Column("omrade", "Område", ("område", "omrade", "omraade"), True),
        Column("oppdrag", "Oppdrag", ("oppdrag",), True),
        Column("mal", "Mål", ("mål", "mal", "maal")),
        Column("malemetode", "Målemetode", ("målemetode", "malemetode", "maalemetode")),
        Column("utgangspunkt", "Utgangspunkt", ("utgangspunkt", "resultat før start")),
        Column("frist", "Frist", ("frist",)),
        Column("gjelder", "Gjelder", ("gjelder",), True),
    ),
    TILTAK: (
        Column("ansattnr", "Ansattnr", ("ansattnr", "ansattnummer", "ansatt nr", "ansattnr."), True),
        Column("nr", "Nr", ("nr", "nr.", "oppdrag", "oppdragsnr"), True),
        Column("tiltak", "Tiltak", ("tiltak",), True),
    ),
    UTVIKLINGSMAL: (
        Column("ansattnr", "Ansattnr", ("ansattnr", "ansattnummer", "ansatt nr", "ansattnr."), True),
        Column("mal", "Mål", ("mål", "mal", "maal", "utviklingsmål"), True),
        Column("tiltak", "Tiltak", ("tiltak",)),
        Column("oppfolging", "Oppfølging", ("oppfølging", "oppfolging", "oppfølgning")),
    ),
}

# Felt in sheet Kommune: normalised name -> key.
KOMMUNE_FIELDS = {
    "kommunenavn": "navn",
    "kommune": "navn",
    "periode": "periode",
    "år": "periode",
    "fra": "fra",
    "til": "til",
    "adresse": "adresse",
    "telefon": "telefon",
    "e-post": "epost",
    "epost": "epost",
    "nettside": "nettside",
    "logo": "logo",
    "sted": "sted",
    "avsender": "avsender",
    "arkivsak": "arkivsak",
    "skjermingshjemmel": "skjermingshjemmel",
    "målform": "malform",
    "malform": "malform",
    "tilgangskode": "tilgangskode",
}

MALFORMER = {
    "bokmål": "bokmål",
    "bokmal": "bokmål",
    "bokmaal": "bokmål",
    "nb": "bokmål",
    "bm": "bokmål",
    "nynorsk": "nynorsk",
    "nn": "nynorsk",
}

YES = {"ja", "j", "yes", "y", "x", "sann", "true", "1"}
NO = {"nei", "n", "no", "usann", "false", "0", "-"}

EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# --------------------------------------------------------------------------- values

# Excel stores characters XML cannot hold as `_xHHHH_`; openpyxl leaves them escaped.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Control characters that would corrupt the XML of a .docx (tab and newline are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_DATE_TEXT = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")
_ISO_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")


def norm(text) -> str:
    """A header, sheet name or selector as compared: trimmed, case-folded, single spaces."""
    return " ".join(str(text).split()).casefold().rstrip("*:").strip()


def clean_text(value) -> str:
    """A cell as text: line breaks kept as \\n, XML-breaking characters removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value:%d.%m.%Y}"
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # Norwegian readers expect a decimal comma.
        return f"{value:.15g}".replace(".", ",")
    text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _CONTROL.sub("", text).strip()


def id_text(value) -> str:
    """An identifier (Ansattnr, Nr): a number typed in Excel must match the same text."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_text(value)


def parse_date(value) -> date | None:
    """An Excel date or `dd.mm.yyyy` text; None when empty. ValueError when unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = clean_text(value)
        if not text:
            return None
        match = _DATE_TEXT.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _ISO_DATE_TEXT.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    raise ValueError(value)


def parse_yes_no(value) -> bool | None:
    """Avtale: True/False, or None when the value means neither. Empty means yes."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = norm(clean_text(value))
    if not text:
        return True
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def quoted(value) -> str:
    return f"«{value}»"


# --------------------------------------------------------------------------- the file


def read_workbook(path: Path) -> Arbeidsbok:
    """Read and validate the workbook; raise WorkbookError with every error found."""
    path = Path(path)
    data = _read_bytes(path)
    _check_format(path, data)
    raw = _load_sheets(path, data)
    return _Validator(path, raw).run()


def _fail(message: str, place: str = ""):
    raise WorkbookError([Problem(place, message)])


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        _fail(f"«{path}» er en mappe, ikke en arbeidsbok.")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        _fail(f"Finner ikke arbeidsboken «{path}».")
    except PermissionError:
        _fail(f"Har ikke tilgang til å lese «{path.name}». Er filen åpen i et annet program?")
    except OSError as exc:
        _fail(f"Kan ikke lese «{path.name}»: {exc.strerror or exc}.")


def _check_format(path: Path, data: bytes) -> None:
    """Turn every kind of file that is not an .xlsx into one message HR can act on."""
    name = path.name
    if not data:
        _fail(f"«{name}» er tom (0 byte). Velg riktig arbeidsbok, eller lag en ny med «lederavtale init».")
    if data.startswith(OLE_MAGIC):
        _fail(_ole_message(path, data))
    if data.startswith(ZIP_MAGIC):
        _check_zip(name, data)
        return
    if _looks_like_text(data):
        _fail(
            f"«{name}» er en tekstfil (for eksempel CSV), ikke en Excel-arbeidsbok. "
            "Åpne den i Excel og lagre den som Excel-arbeidsbok (.xlsx)."
        )
    _fail(f"«{name}» er ikke en Excel-arbeidsbok (.xlsx).")


def _ole_message(path: Path, data: bytes) -> str:
    """Excel writes both the old .xls and password-protected workbooks as OLE files."""
    name = path.name
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        kind = "encrypted"
    elif "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        kind = "xls"
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        kind = "encrypted"
    else:
        kind = "xls"
    if kind == "encrypted":
        return (
            f"«{name}» er passordbeskyttet. Fjern passordet i Excel (Fil → Informasjon → "
            "Beskytt arbeidsbok → Krypter med passord, tøm feltet), lagre og prøv igjen."
        )
    return f"«{name}» er en gammel Excel-fil (.xls). Lagre den som .xlsx i Excel (Fil → Lagre som) og prøv igjen."


def _check_zip(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        _fail(
            f"«{name}» er skadet og kan ikke åpnes (ufullstendig eller ødelagt fil). "
            "Åpne den i Excel og lagre den på nytt, eller hent en ny kopi."
        )
    if b"opendocument.spreadsheet" in mimetype:
        _fail(f"«{name}» er et OpenDocument-regneark (.ods). Lagre det som Excel-arbeidsbok (.xlsx) og prøv igjen.")
    if "xl/workbook.bin" in names:
        _fail(f"«{name}» er en binær Excel-arbeidsbok (.xlsb). Lagre den som Excel-arbeidsbok (.xlsx) og prøv igjen.")
    if "xl/workbook.xml" not in names:
        _fail(f"«{name}» er ikke en Excel-arbeidsbok (.xlsx).")


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's «Unicode-tekst» export is UTF-16
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


# --------------------------------------------------------------------------- the sheets


@dataclass
class RawSheets:
    """The cell values of the sheets this tool reads, before any validation."""

    rows: dict[str, list[tuple]]  # canonical sheet name -> rows from row 1
    missing: list[str]
    duplicates: list[str]
    uncached: set[tuple[str, int, int]] = field(default_factory=set)  # formulas without a value


def _load_sheets(path: Path, data: bytes) -> RawSheets:
    try:
        raw = _read_values(data)
        if raw.rows and _has_formulas(data):
            raw.uncached = _uncached_formulas(data, raw)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl trips on, the file is unreadable
        raise WorkbookError(
            [
                Problem(
                    "",
                    f"«{path.name}» kunne ikke leses som Excel-arbeidsbok. "
                    "Åpne den i Excel, lagre den på nytt og prøv igjen.",
                )
            ]
        ) from exc
    return raw


def _open(data: bytes, data_only: bool):
    # A file object skips openpyxl's check of the file name's extension.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _our_sheets(wb) -> tuple[dict[str, object], list[str]]:
    found: dict[str, object] = {}
    duplicates = []
    for ws in wb.worksheets:
        canonical = SHEET_NAMES.get(norm(ws.title))
        if canonical is None:
            continue
        if canonical in found:
            duplicates.append(canonical)
            continue
        found[canonical] = ws
    return found, duplicates


def _sheet_rows(ws) -> list[tuple]:
    # Some programs write wrong dimensions; without them openpyxl reads every row there is.
    ws.reset_dimensions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _read_values(data: bytes) -> RawSheets:
    wb = _open(data, data_only=True)
    try:
        found, duplicates = _our_sheets(wb)
        rows = {name: _sheet_rows(ws) for name, ws in found.items()}
    finally:
        wb.close()
    missing = [name for name in COLUMNS if name not in rows]
    return RawSheets(rows=rows, missing=missing, duplicates=duplicates)


def _has_formulas(data: bytes) -> bool:
    """Cheap pre-check so that the usual workbook without formulas is read only once."""
    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                if pattern.search(archive.read(name)):
                    return True
    return False


def _uncached_formulas(data: bytes, raw: RawSheets) -> set[tuple[str, int, int]]:
    """Cells holding a formula whose value was never calculated (files not saved by Excel)."""
    uncached = set()
    wb = _open(data, data_only=False)
    try:
        found, _ = _our_sheets(wb)
        for name, ws in found.items():
            values = raw.rows.get(name, [])
            for r, row in enumerate(_sheet_rows(ws), start=1):
                for c, formula in enumerate(row, start=1):
                    if not _is_formula(formula):
                        continue
                    value_row = values[r - 1] if r <= len(values) else ()
                    value = value_row[c - 1] if c <= len(value_row) else None
                    if value is None:
                        uncached.add((name, r, c))
    finally:
        wb.close()
    return uncached


def _is_formula(value) -> bool:
    # Array and data-table formulas come as objects rather than text.
    return isinstance(value, (ArrayFormula, DataTableFormula)) or (isinstance(value, str) and value.startswith("="))


@dataclass
class Row:
    number: int  # row number in the sheet, as Excel shows it
    values: tuple

    def get(self, col: int | None):
        if col is None or col > len(self.values):
            return None
        return self.values[col - 1]


@dataclass
class Sheet:
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


class _Validator:
    """Reads each sheet into model objects, collecting every problem on the way."""

    def __init__(self, path: Path, raw: RawSheets):
        self.path = path
        self.raw = raw
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- problems

    def error(self, place: str, message: str) -> None:
        self.errors.append(Problem(place, message))

    def warn(self, place: str, message: str) -> None:
        self.warnings.append(Problem(place, message))

    # -- driving

    def run(self) -> Arbeidsbok:
        for name in self.raw.missing:
            self.error(name, f"arket {quoted(name)} mangler i arbeidsboken")
        for name in self.raw.duplicates:
            self.error(name, f"arbeidsboken har mer enn ett ark som heter {quoted(name)}")
        sheets = {name: self.sheet(name, rows) for name, rows in self.raw.rows.items()}

        kommune = self.read_kommune(sheets.get(KOMMUNE))
        ledere = self.read_ledere(sheets.get(LEDERE))
        ledere_ok = sheets.get(LEDERE) is not None
        if ledere_ok:
            self.check_hierarchy(ledere)
        oppdrag, tildeling, bad_gjelder = self.read_oppdrag(sheets.get(OPPDRAG), ledere, ledere_ok)
        tiltak = self.read_tiltak(
            sheets.get(TILTAK), ledere, oppdrag, tildeling, bad_gjelder, ledere_ok, sheets.get(OPPDRAG) is not None
        )
        goals = self.read_utviklingsmal(sheets.get(UTVIKLINGSMAL), ledere, ledere_ok)

        if sheets.get(OPPDRAG) is not None:
            for leder in ledere:
                if leder.avtale and not tildeling.get(leder.ansattnr):
                    self.warn(f"{LEDERE} rad {leder.rad}", f"{self.who(leder)} får ingen oppdrag")
        if sheets.get(UTVIKLINGSMAL) is not None:
            with_goals = {g.ansattnr for g in goals}
            for leder in ledere:
                if leder.avtale and leder.ansattnr not in with_goals:
                    self.warn(f"{LEDERE} rad {leder.rad}", f"{self.who(leder)} har ingen utviklingsmål")

        if self.errors or kommune is None:
            raise WorkbookError(self.errors)
        return Arbeidsbok(
            path=self.path,
            kommune=kommune,
            ledere=ledere,
            oppdrag=oppdrag,
            tiltak=tiltak,
            utviklingsmal=goals,
            tildeling=tildeling,
            warnings=self.warnings,
        )

    @staticmethod
    def who(leder: Leder) -> str:
        return f"{leder.navn} ({leder.ansattnr})" if leder.navn else quoted(leder.ansattnr)

    # -- sheet structure

    def sheet(self, name: str, rows: list[tuple]) -> Sheet | None:
        """Find the header row and columns; None when the sheet cannot be used."""
        header_index = next((i for i, row in enumerate(rows) if not _is_empty(row)), None)
        if header_index is None:
            self.error(name, f"arket {quoted(name)} er tomt; første rad skal ha kolonneoverskriftene")
            return None
        header_row = header_index + 1
        known = {alias: col for col in COLUMNS[name] for alias in col.aliases}
        columns: dict[str, int] = {}
        extra: dict[str, int] = {}
        for number, header in enumerate(rows[header_index], start=1):
            written = clean_text(header)
            if not written:
                continue
            place = f"{name}!{get_column_letter(number)}{header_row}"
            column = known.get(norm(written))
            if column is None and written in extra:
                self.error(place, f"kolonnen {quoted(written)} finnes to ganger")
            elif column is None:
                self.check_typo(place, written, name)
                extra[written] = number
            elif column.key in columns:
                self.error(place, f"kolonnen {quoted(column.label)} finnes to ganger")
            else:
                columns[column.key] = number

        usable = True
        for column in COLUMNS[name]:
            if column.required and column.key not in columns:
                self.error(f"{name} rad {header_row}", f"mangler kolonnen {quoted(column.label)}")
                usable = False
        if name == LEDERE and "navn" not in columns and not {"fornavn", "etternavn"} <= columns.keys():
            self.error(f"{name} rad {header_row}", "mangler kolonnen «Navn» (eller «Fornavn» og «Etternavn»)")
            usable = False
        if not usable:
            return None

        data_rows = [
            Row(number, row)
            for number, row in enumerate(rows[header_index + 1 :], start=header_row + 1)
            if not _is_empty(row)
        ]
        return Sheet(name, header_row, columns, extra, data_rows)

    def check_typo(self, place: str, written: str, sheet: str) -> None:
        """Unknown columns are allowed (HR's own notes, `ekstra`); a near miss is likely a typo."""
        labels = {norm(c.label): c.label for c in COLUMNS[sheet]}
        close = difflib.get_close_matches(norm(written), list(labels), n=1, cutoff=0.8)
        if close:
            self.warn(place, f"ukjent kolonne {quoted(written)} blir ikke brukt; mente du {quoted(labels[close[0]])}?")

    # -- cell access

    def value(self, sheet: Sheet, row: Row, key: str):
        """The raw value, or None after reporting a cell Excel could not give a value."""
        col = sheet.columns.get(key)
        value = row.get(col)
        if value is None and col is not None and (sheet.name, row.number, col) in self.raw.uncached:
            self.error(
                sheet.place(row, key),
                "formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen",
            )
            return _REPORTED
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
            self.error(sheet.place(row, key), f"cellen inneholder feilverdien {quoted(value.strip())}")
            return _REPORTED
        return value

    def text(self, sheet: Sheet, row: Row, key: str, required: bool = False, as_id: bool = False) -> str:
        value = self.value(sheet, row, key)
        if value is _REPORTED:
            return ""
        text = id_text(value) if as_id else clean_text(value)
        if required and not text:
            self.error(sheet.place(row, key), f"{self.label(sheet, key)} mangler")
        return text

    def date(self, sheet: Sheet, row: Row, key: str) -> date | None:
        value = self.value(sheet, row, key)
        if value is _REPORTED:
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

    @staticmethod
    def label(sheet: Sheet, key: str) -> str:
        return next(c.label for c in COLUMNS[sheet.name] if c.key == key)

    # -- Kommune

    def read_kommune(self, sheet: Sheet | None) -> Kommune | None:
        if sheet is None:
            return None
        fields: dict[str, tuple[object, str]] = {}  # key -> (raw value, place of Verdi)
        first_row: dict[str, int] = {}
        for row in sheet.rows:
            felt = self.text(sheet, row, "felt", required=True)
            if not felt:
                continue
            key = KOMMUNE_FIELDS.get(norm(felt))
            if key is None:
                self.warn(sheet.place(row, "felt"), f"ukjent felt {quoted(felt)} blir ikke brukt")
                continue
            if key in fields:
                self.error(sheet.place(row, "felt"), f"feltet {quoted(felt)} står også på rad {first_row[key]}")
                continue
            value = self.value(sheet, row, "verdi")
            fields[key] = (None if value is _REPORTED else value, sheet.place(row, "verdi"))
            first_row[key] = row.number

        def text(key: str) -> str:
            return clean_text(fields[key][0]) if key in fields else ""

        navn = text("navn")
        if not navn:
            self.error(fields["navn"][1] if "navn" in fields else KOMMUNE, "Kommunenavn mangler")
        periode = self.kommune_periode(fields)
        avsender = text("avsender")
        if avsender:
            self.email(fields["avsender"][1], avsender)
        logo = self.kommune_logo(fields["logo"][1], text("logo")) if text("logo") else None
        malform = self.kommune_malform(fields)
        if not navn or periode is None:
            return None
        return Kommune(
            navn=navn,
            periode=periode,
            adresse=text("adresse"),
            telefon=text("telefon"),
            epost=text("epost"),
            nettside=text("nettside"),
            logo=logo,
            sted=text("sted"),
            avsender=avsender,
            arkivsak=text("arkivsak"),
            skjermingshjemmel=text("skjermingshjemmel") or DEFAULT_SKJERMINGSHJEMMEL,
            malform=malform,
            tilgangskode=text("tilgangskode") or DEFAULT_TILGANGSKODE,
        )

    def kommune_periode(self, fields: dict) -> Periode | None:
        value, place = fields.get("periode", (None, KOMMUNE))
        has_range = bool(clean_text(fields.get("fra", (None,))[0]) or clean_text(fields.get("til", (None,))[0]))
        if value is not None and clean_text(value):
            year = self.year(value)
            if year is None:
                self.error(place, f"Periode må være et årstall, for eksempel 2027, ikke {quoted(clean_text(value))}")
                return None
            if has_range:
                self.warn(place, "Fra og Til blir ikke brukt fordi Periode er fylt ut")
            return Periode(date(year, 1, 1), date(year, 12, 31))

        if not has_range:
            self.error(place, "Periode mangler; skriv et årstall, eller fyll ut Fra og Til")
            return None
        fra = self.kommune_date(fields, "fra", "Fra")
        til = self.kommune_date(fields, "til", "Til")
        if fra is None or til is None:
            return None
        if til < fra:
            self.error(fields["til"][1], f"Til ({til:%d.%m.%Y}) er før Fra ({fra:%d.%m.%Y})")
            return None
        return Periode(fra, til)

    @staticmethod
    def year(value) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)) and float(value).is_integer():
            year = int(value)
        elif isinstance(value, str) and _YEAR.fullmatch(clean_text(value)):
            year = int(clean_text(value))
        else:
            return None
        return year if 2000 <= year <= 2100 else None

    def kommune_date(self, fields: dict, key: str, label: str) -> date | None:
        if key not in fields or not clean_text(fields[key][0]):
            self.error(fields[key][1] if key in fields else KOMMUNE, f"{label} mangler (når Periode er tom)")
            return None
        value, place = fields[key]
        try:
            return parse_date(value)
        except ValueError:
            self.error(place, f"ugyldig dato {quoted(clean_text(value))}; skriv datoen som dd.mm.åååå")
            return None

    def kommune_logo(self, place: str, written: str) -> Path | None:
        # Workbooks are often made on Windows; a backslash path must work here too.
        relative = Path(written.replace("\\", "/"))
        logo = relative if relative.is_absolute() else (self.path.parent / relative)
        logo = logo.resolve()
        if not logo.is_file():
            self.error(place, f"finner ikke logofilen {quoted(written)} (stien er regnet fra arbeidsbokens mappe)")
            return None
        try:
            with Image.open(logo) as image:
                kind = image.format
        except (UnidentifiedImageError, OSError):
            kind = None
        if kind not in ("PNG", "JPEG"):
            self.error(place, f"logoen {quoted(written)} må være et PNG- eller JPEG-bilde")
            return None
        return logo

    def kommune_malform(self, fields: dict) -> str:
        value, place = fields.get("malform", (None, KOMMUNE))
        written = clean_text(value)
        if not written:
            return "bokmål"
        malform = MALFORMER.get(norm(written))
        if malform is None:
            self.error(place, f"Målform må være «bokmål» eller «nynorsk», ikke {quoted(written)}")
            return "bokmål"
        return malform

    # -- Ledere

    def read_ledere(self, sheet: Sheet | None) -> list[Leder]:
        if sheet is None:
            return []
        ledere: list[Leder] = []
        seen: dict[str, int] = {}
        for row in sheet.rows:
            leder = self.read_leder(sheet, row)
            if not leder.ansattnr:
                continue
            if leder.ansattnr in seen:
                self.error(
                    sheet.place(row, "ansattnr"),
                    f"Ansattnr {quoted(leder.ansattnr)} finnes allerede på rad {seen[leder.ansattnr]}",
                )
                continue
            seen[leder.ansattnr] = row.number
            ledere.append(leder)

        by_nr = {leder.ansattnr: leder for leder in ledere}
        rows = {row.number: row for row in sheet.rows}
        for leder in ledere:
            self.check_superior(sheet, rows[leder.rad], leder, by_nr)
        return ledere

    def read_leder(self, sheet: Sheet, row: Row) -> Leder:
        ansattnr = self.text(sheet, row, "ansattnr", required=True, as_id=True)
        navn = self.leder_navn(sheet, row)
        stilling = self.text(sheet, row, "stilling", required=True)
        enhet = self.text(sheet, row, "enhet", required=True)
        epost = self.text(sheet, row, "epost")
        avtale = self.leder_avtale(sheet, row)
        if epost:
            self.email(sheet.place(row, "epost"), epost)
        elif avtale:
            self.warn(sheet.place(row, "epost"), "mangler e-postadresse; e-postutkast kan ikke lages")
        return Leder(
            ansattnr=ansattnr,
            navn=navn,
            stilling=stilling,
            enhet=enhet,
            niva=self.text(sheet, row, "niva"),
            epost=epost,
            overordnet=self.text(sheet, row, "overordnet", as_id=True),
            avtale=avtale,
            mal=self.text(sheet, row, "mal"),
            signert=self.date(sheet, row, "signert"),
            ekstra={header: clean_text(row.get(col)) for header, col in sheet.extra.items()},
            rad=row.number,
        )

    def leder_navn(self, sheet: Sheet, row: Row) -> str:
        navn = self.text(sheet, row, "navn") if "navn" in sheet.columns else ""
        if not navn:
            parts = [self.text(sheet, row, key) for key in ("fornavn", "etternavn") if key in sheet.columns]
            navn = " ".join(p for p in parts if p)
        if not navn:
            key = "navn" if "navn" in sheet.columns else "fornavn"
            self.error(sheet.place(row, key), "Navn mangler")
        return navn

    def leder_avtale(self, sheet: Sheet, row: Row) -> bool:
        value = self.value(sheet, row, "avtale")
        if value is _REPORTED:
            return True
        avtale = parse_yes_no(value)
        if avtale is None:
            self.error(sheet.place(row, "avtale"), f"Avtale må være «ja» eller «nei», ikke {quoted(clean_text(value))}")
            return True
        return avtale

    def check_superior(self, sheet: Sheet, row: Row, leder: Leder, by_nr: dict[str, Leder]) -> None:
        place = sheet.place(row, "overordnet")
        if not leder.overordnet:
            if leder.avtale:
                self.error(place, f"{self.who(leder)} har avtale, men mangler overordnet (Ansattnr)")
        elif leder.overordnet == leder.ansattnr:
            self.error(place, f"{self.who(leder)} kan ikke være sin egen overordnede")
        elif leder.overordnet not in by_nr:
            self.error(place, f"overordnet {quoted(leder.overordnet)} finnes ikke i arket Ledere")

    def check_hierarchy(self, ledere: list[Leder]) -> None:
        """Report each cycle of superiors once, naming everyone in it."""
        by_nr = {leder.ansattnr: leder for leder in ledere}
        done: set[str] = set()
        for start in ledere:
            path: list[str] = []
            current = start.ansattnr
            while current in by_nr and current not in done and current not in path:
                path.append(current)
                superior = by_nr[current].overordnet
                current = superior if superior != by_nr[current].ansattnr else ""
            if current in path:
                self.report_cycle([by_nr[nr] for nr in path[path.index(current) :]])
            done.update(path)

    def report_cycle(self, cycle: list[Leder]) -> None:
        first = min(range(len(cycle)), key=lambda i: cycle[i].rad)
        ordered = cycle[first:] + cycle[:first]
        chain = " → ".join(self.who(leder) for leder in ordered + ordered[:1])
        place = f"{LEDERE} rad {ordered[0].rad}"
        self.error(place, f"overordnet-kjeden går i ring: {chain}")

    # -- Oppdrag

    def read_oppdrag(
        self, sheet: Sheet | None, ledere: list[Leder], ledere_ok: bool
    ) -> tuple[list[Oppdrag], dict[str, list[str]], set[str]]:
        tildeling = {leder.ansattnr: [] for leder in ledere if leder.avtale}
        if sheet is None:
            return [], tildeling, set()
        selector = _Selector(ledere)
        oppdrag: list[Oppdrag] = []
        seen: dict[str, int] = {}
        bad_gjelder: set[str] = set()
        for row in sheet.rows:
            item = Oppdrag(
                nr=self.text(sheet, row, "nr", required=True, as_id=True),
                omrade=self.text(sheet, row, "omrade", required=True),
                tekst=self.text(sheet, row, "oppdrag", required=True),
                mal=self.text(sheet, row, "mal"),
                malemetode=self.text(sheet, row, "malemetode"),
                utgangspunkt=self.text(sheet, row, "utgangspunkt"),
                frist=self.date(sheet, row, "frist"),
                gjelder=self.text(sheet, row, "gjelder", required=True),
                rad=row.number,
            )
            if not item.nr:
                continue
            if item.nr in seen:
                self.error(sheet.place(row, "nr"), f"Nr {quoted(item.nr)} finnes allerede på rad {seen[item.nr]}")
                continue
            seen[item.nr] = row.number
            oppdrag.append(item)
            if not ledere_ok or not item.gjelder:
                bad_gjelder.add(item.nr)
                continue
            matched = self.resolve(sheet.place(row, "gjelder"), item.gjelder, selector)
            if matched is None:
                bad_gjelder.add(item.nr)
                continue
            for ansattnr in matched:
                tildeling[ansattnr].append(item.nr)
        return oppdrag, tildeling, bad_gjelder

    def resolve(self, place: str, gjelder: str, selector: "_Selector") -> set[str] | None:
        """The Ansattnr of every Avtale=ja leader the cell selects; None after an error."""
        matched: set[str] = set()
        ok = True
        for token in (t.strip() for t in re.split(r"[,;\n]", gjelder)):
            if not token:
                continue
            try:
                hits = selector.select(token)
            except _SelectorError as exc:
                self.error(place, str(exc))
                ok = False
                continue
            if not hits:
                self.warn(place, f"utvalget {quoted(token)} treffer ingen ledere med avtale")
            matched |= hits
        return matched if ok else None

    # -- Tiltak

    def read_tiltak(
        self,
        sheet: Sheet | None,
        ledere: list[Leder],
        oppdrag: list[Oppdrag],
        tildeling: dict[str, list[str]],
        bad_gjelder: set[str],
        ledere_ok: bool,
        oppdrag_ok: bool,
    ) -> list[Tiltak]:
        if sheet is None:
            return []
        by_nr = {leder.ansattnr: leder for leder in ledere}
        known_oppdrag = {o.nr for o in oppdrag}
        result: list[Tiltak] = []
        for row in sheet.rows:
            item = Tiltak(
                ansattnr=self.text(sheet, row, "ansattnr", required=True, as_id=True),
                nr=self.text(sheet, row, "nr", required=True, as_id=True),
                tekst=self.text(sheet, row, "tiltak", required=True),
                rad=row.number,
            )
            if not (item.ansattnr and item.nr):
                continue
            leder = by_nr.get(item.ansattnr)
            if ledere_ok and leder is None:
                self.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(item.ansattnr)} finnes ikke i arket Ledere")
            elif oppdrag_ok and item.nr not in known_oppdrag:
                self.error(sheet.place(row, "nr"), f"oppdrag {quoted(item.nr)} finnes ikke i arket Oppdrag")
            elif leder is not None and oppdrag_ok and item.nr not in bad_gjelder:
                if item.nr not in tildeling.get(leder.ansattnr, []):
                    self.error(sheet.place(row, "nr"), f"oppdrag {item.nr} gjelder ikke {self.who(leder)}")
            result.append(item)
        return result

    # -- Utviklingsmål

    def read_utviklingsmal(self, sheet: Sheet | None, ledere: list[Leder], ledere_ok: bool) -> list[Utviklingsmal]:
        # These texts are exempt from public access: messages name cells, never the content.
        if sheet is None:
            return []
        by_nr = {leder.ansattnr: leder for leder in ledere}
        result: list[Utviklingsmal] = []
        for row in sheet.rows:
            item = Utviklingsmal(
                ansattnr=self.text(sheet, row, "ansattnr", required=True, as_id=True),
                mal=self.text(sheet, row, "mal", required=True),
                tiltak=self.text(sheet, row, "tiltak"),
                oppfolging=self.text(sheet, row, "oppfolging"),
                rad=row.number,
            )
            if not item.ansattnr:
                continue
            leder = by_nr.get(item.ansattnr)
            if ledere_ok and leder is None:
                self.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(item.ansattnr)} finnes ikke i arket Ledere")
            elif leder is not None and not leder.avtale:
                self.warn(sheet.place(row, "ansattnr"), f"{self.who(leder)} har Avtale=nei; utviklingsmålet blir ikke brukt")
            result.append(item)
        return result


_REPORTED = object()  # a cell whose problem has already been reported


# --------------------------------------------------------------------------- Gjelder


class _SelectorError(Exception):
    pass


class _Selector:
    """Resolves one selector of a Gjelder cell to the Avtale=ja leaders it means."""

    def __init__(self, ledere: list[Leder]):
        self.ledere = ledere
        self.by_nr = {leder.ansattnr: leder for leder in ledere}
        self.by_folded = {leder.ansattnr.casefold(): leder for leder in ledere}
        self.children: dict[str, list[Leder]] = {}
        for leder in ledere:
            if leder.overordnet and leder.overordnet != leder.ansattnr:
                self.children.setdefault(leder.overordnet, []).append(leder)

    def select(self, token: str) -> set[str]:
        if ":" not in token:
            if norm(token) == "alle":
                return self.with_agreement(self.ledere)
            return self.with_agreement([self.person(token, token)])
        kind, _, argument = token.partition(":")
        kind, argument = norm(kind), argument.strip()
        if kind not in ("nivå", "niva", "nivaa", "enhet", "under"):
            raise _SelectorError(
                f"ukjent utvalg {quoted(token)}; bruk alle, nivå:…, enhet:…, under:<Ansattnr> eller et Ansattnr"
            )
        if not argument:
            raise _SelectorError(f"utvalget {quoted(token)} mangler en verdi etter kolon")
        if kind == "enhet":
            return self.with_agreement([x for x in self.ledere if norm(x.enhet) == norm(argument)])
        if kind == "under":
            return self.with_agreement(self.below(self.person(argument, token)))
        return self.with_agreement([x for x in self.ledere if norm(x.niva) == norm(argument)])

    def person(self, ansattnr: str, token: str) -> Leder:
        leder = self.by_nr.get(ansattnr) or self.by_folded.get(ansattnr.casefold())
        if leder is not None:
            return leder
        if ansattnr.isdigit():
            if ansattnr == token:
                raise _SelectorError(f"Ansattnr {quoted(ansattnr)} finnes ikke i arket Ledere")
            raise _SelectorError(f"Ansattnr {quoted(ansattnr)} i {quoted(token)} finnes ikke i arket Ledere")
        raise _SelectorError(
            f"ukjent utvalg {quoted(token)}; bruk alle, nivå:…, enhet:…, under:<Ansattnr> eller et Ansattnr"
        )

    def below(self, top: Leder) -> list[Leder]:
        found: list[Leder] = []
        seen = {top.ansattnr}
        stack = list(self.children.get(top.ansattnr, []))
        while stack:
            leder = stack.pop()
            if leder.ansattnr in seen:
                continue
            seen.add(leder.ansattnr)
            found.append(leder)
            stack.extend(self.children.get(leder.ansattnr, []))
        return found

    @staticmethod
    def with_agreement(ledere: list[Leder]) -> set[str]:
        return {leder.ansattnr for leder in ledere if leder.avtale}
