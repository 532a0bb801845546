"""Opening the workbook file: every kind of file that is not an .xlsx gets one message HR can act on,
and the sheets this tool reads come back as plain rows of values."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ..exceptions import WorkbookError
from ..model import Problem
from .columns import SHEETS, sheet_named
from ..advice import advice

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# While a workbook is open, Excel keeps an owner file beside it: «~$» and the workbook's own name,
# 165 bytes holding the name of whoever has it open. No real workbook is that small.
OWNER_PREFIX = "~$"
OWNER_MAX = 4096
ZIP_MAGIC = b"PK\x03\x04"

# A workbook for 5,000 leaders unpacks to about 3.5 MB; one with a pasted HR export of 50,000
# employees in 20 columns to about 50 MB. Memory follows the unpacked size (openpyxl holds shared strings at
# about ten times their XML), and zipfile never inflates more than an entry's declared size,
# so the declared sizes are checked before openpyxl parses anything. A compression-ratio
# check would add nothing: a file just big enough to pass it costs the same memory.
MAX_UNPACKED = 200 * 1024**2
# openpyxl holds the shared-strings table whole, at about eleven times its XML (20 MB of short
# strings took 236 MB), so that part gets its own, lower limit.
MAX_SHARED_STRINGS = 50 * 1024**2
# Rows and cells with content in one sheet this tool reads; counted while reading, so that
# an absurd sheet is refused before its rows are held. Far beyond any municipality.
MAX_ROWS = 100_000
MAX_CELLS = 5_000_000  # 100,000 rows of 50 columns; one far-off cell makes a row that wide
EXCEL_ROWS = 1_048_576  # Excel's last row: nothing beyond it is read
CHUNK = 1024**2  # the formula scan reads a sheet's XML in pieces of this size
# What a cell holding a formula without a stored value gets, in any workbook the tool reads.
UNCACHED_FORMULA = "formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen"


def read_sheets(path: Path) -> "RawSheets":
    """The values of the sheets this tool reads; WorkbookError when the file is not a usable .xlsx."""
    data = read_bytes(path)
    check_format(path, data)
    return _load_sheets(path, data)


def fail(message: str, place: str = ""):
    raise WorkbookError([Problem(place, message)])


def read_bytes(path: Path) -> bytes:
    if path.is_dir():
        fail(f"«{path}» er en mappe, ikke en arbeidsbok.")
    try:
        size = path.stat().st_size
        if path.name.startswith(OWNER_PREFIX) and size <= OWNER_MAX:
            fail(_owner_file_message(path))
        if size > MAX_UNPACKED:
            fail(f"«{path.name}» er for stor ({_size(size)}); {_USUAL}")
        return path.read_bytes()
    except FileNotFoundError:
        fail(f"Finner ikke arbeidsboken «{path}».")
    except PermissionError:
        fail(f"Har ikke tilgang til å lese «{path.name}». Er filen åpen i et annet program?")
    except OSError as exc:
        fail(f"Kan ikke lese «{path.name}»: {exc.strerror or exc}.")


def owner_file_message(name: str, opened_by: str = "", beside: bool = False) -> str:
    """What to say of Excel's owner file «~$NAVN.xlsx» given as the workbook."""
    workbook = name[len(OWNER_PREFIX):]
    return (f"«{name}» er ikke en arbeidsbok, men låsefilen Excel lager mens arbeidsboken «{workbook}» er "
            f"åpen{opened_by}. Velg «{workbook}» i stedet, og lagre den i Excel først."
            + (" Den ligger i samme mappe." if beside else ""))


def _owner_file_message(path: Path) -> str:
    return owner_file_message(path.name, _opened_by(path), path.with_name(path.name[len(OWNER_PREFIX):]).is_file())


def _opened_by(owner: Path) -> str:
    """« (åpnet av NAVN)» from Excel's owner file: a length byte, then the user's name; or nothing."""
    try:
        with owner.open("rb") as file:
            head = file.read(64)
    except OSError:
        return ""
    name = head[1:1 + head[0]].decode("cp1252", "replace").strip() if head else ""
    return f" (åpnet av {name})" if name.isprintable() and name and "\ufffd" not in name else ""


def open_in_excel(path: Path) -> list[Problem]:
    """A warning when Excel's owner file lies beside the workbook: the workbook is open in Excel, and
    what has not been saved there is not in the file this tool reads. Looked at on each run (and each
    page), not with the workbook, since opening it in Excel does not change the workbook's file."""
    owner = Path(path).with_name(OWNER_PREFIX + Path(path).name)
    if not owner.is_file():
        return []
    return [Problem("", f"Arbeidsboken «{Path(path).name}» er åpen i Excel{_opened_by(owner)}. Endringer som "
                        "ikke er lagret i Excel, kommer ikke med. Lagre arbeidsboken i Excel først.")]


def check_format(path: Path, data: bytes) -> None:
    """Turn every kind of file that is not an .xlsx into one message HR can act on."""
    name = path.name
    if not data:
        fail(f"«{name}» er tom (0 byte). Velg riktig arbeidsbok, eller {advice('init')}.")
    if data.startswith(OLE_MAGIC):
        fail(_ole_message(path, data))
    if data.startswith(ZIP_MAGIC):
        _check_zip(name, data)
        return
    if _looks_like_text(data):
        fail(
            f"«{name}» er en tekstfil (for eksempel CSV), ikke en Excel-arbeidsbok. "
            "Åpne den i Excel og lagre den som Excel-arbeidsbok (.xlsx)."
        )
    fail(f"«{name}» er ikke en Excel-arbeidsbok (.xlsx).")


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


_USUAL = (
    "en arbeidsbok for lederavtaler er vanligvis under 10 MB. "
    "Velg riktig fil, eller fjern ark og bilder som ikke trengs."
)


def _size(n: int) -> str:
    text = f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.1f} MB"
    return text.replace(".", ",")  # a Norwegian decimal comma


def _check_zip(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            shared = sum(info.file_size for info in archive.infolist()
                         if info.filename.lower().endswith("sharedstrings.xml"))
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100)  # only its start is needed, and the entry may be huge
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        fail(
            f"«{name}» er skadet og kan ikke åpnes (ufullstendig eller ødelagt fil). "
            "Åpne den i Excel og lagre den på nytt, eller hent en ny kopi."
        )
    if b"opendocument.spreadsheet" in mimetype:
        fail(f"«{name}» er et OpenDocument-regneark (.ods). Lagre det som Excel-arbeidsbok (.xlsx) og prøv igjen.")
    if "xl/workbook.bin" in names:
        fail(f"«{name}» er en binær Excel-arbeidsbok (.xlsb). Lagre den som Excel-arbeidsbok (.xlsx) og prøv igjen.")
    if "xl/workbook.xml" not in names:
        fail(f"«{name}» er ikke en Excel-arbeidsbok (.xlsx).")
    if unpacked > MAX_UNPACKED or shared > MAX_SHARED_STRINGS:
        fail(f"«{name}» er for stor pakket ut ({_size(unpacked)}); {_USUAL}")


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
    duplicates: list[str] = []

    def ours(wb) -> dict[str, object]:
        found, duplicates[:] = _our_sheets(wb)
        return found

    rows, uncached = read_values(path.name, data, ours)
    missing = [sheet.name for sheet in SHEETS if sheet.name not in rows and not sheet.optional]
    return RawSheets(rows=rows, missing=missing, duplicates=duplicates, uncached=uncached)


def open_workbook(data: bytes, data_only: bool):
    # A file object skips openpyxl's check of the file name's extension.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _our_sheets(wb) -> tuple[dict[str, object], list[str]]:
    found: dict[str, object] = {}
    duplicates = []
    for ws in wb.worksheets:
        sheet = sheet_named(ws.title)
        if sheet is None:
            continue
        canonical = sheet.name
        if canonical in found:
            duplicates.append(canonical)
            continue
        found[canonical] = ws
    return found, duplicates


def sheet_rows(file_name: str, ws) -> list[tuple]:
    """The rows from row 1; empty rows only where a row with content follows."""
    # Some programs write wrong dimensions; without them openpyxl reads every row there is.
    ws.reset_dimensions()
    rows: list[tuple] = []
    empty = filled = cells = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in ws.iter_rows(max_row=EXCEL_ROWS, values_only=True):
            # Formatting alone can reach Excel's last row, so empty rows are only counted
            # (count() keeps a very wide empty row cheap).
            if row.count(None) == len(row):
                empty += 1
                continue
            filled += 1
            cells += len(row)
            if filled > MAX_ROWS or cells > MAX_CELLS:
                fail(
                    f"«{file_name}»: arket «{ws.title}» er for stort (over {_number(MAX_ROWS)} rader eller "
                    f"{_number(MAX_CELLS)} celler); en arbeidsbok for lederavtaler har vanligvis noen hundre "
                    "rader. Slett radene og kolonnene som ikke hører hjemme der, og prøv igjen."
                )
            rows.extend([()] * empty)
            empty = 0
            rows.append(tuple(row))
    return rows


def _number(n: int) -> str:
    return f"{n:,}".replace(",", " ")  # 100 000, as Norwegian writes it


def read_values(file_name: str, data: bytes, pick) -> tuple[dict[str, list[tuple]], set[tuple[str, int, int]]]:
    """The rows of the sheets `pick(wb)` chooses ({name: worksheet}), and the cells among them that
    hold a formula without a stored value, as (name, row, column). Any workbook this tool reads,
    the main one or the status workbook, is read this way; WorkbookError for one it cannot read."""
    try:
        wb = open_workbook(data, data_only=True)
        try:
            found = pick(wb)
            rows = {name: sheet_rows(file_name, ws) for name, ws in found.items()}
            # openpyxl has no public name for a sheet's entry; this is the one its read-only sheets read.
            parts = [ws._worksheet_path for ws in found.values()]
        finally:
            wb.close()
        uncached = _uncached_formulas(file_name, data, rows, pick) if _has_formulas(data, parts) else set()
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl trips on, the file is unreadable
        raise WorkbookError([Problem("", f"«{file_name}» kunne ikke leses som Excel-arbeidsbok. "
                                         "Åpne den i Excel, lagre den på nytt og prøv igjen.")]) from exc
    return rows, uncached


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes, parts: list[str]) -> bool:
    """Cheap pre-check so that the usual workbook without formulas is read only once."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in parts:
            # In pieces, since a sheet's XML can be far larger than the file; the tail of the
            # previous piece is searched again so that a tag split between two is found.
            tail = b""
            with archive.open(part) as xml:
                while chunk := xml.read(CHUNK):
                    if _FORMULA.search(tail + chunk):
                        return True
                    tail = chunk[-64:]
    return False


def _uncached_formulas(file_name: str, data: bytes, rows: dict[str, list[tuple]], pick) -> set[tuple[str, int, int]]:
    """Cells holding a formula whose value was never calculated (files not saved by Excel)."""
    uncached = set()
    wb = open_workbook(data, data_only=False)
    try:
        for name, ws in pick(wb).items():
            values = rows.get(name, [])
            for r, row in enumerate(sheet_rows(file_name, ws), start=1):
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
