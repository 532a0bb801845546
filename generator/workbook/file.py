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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def read_sheets(path: Path) -> "RawSheets":
    """The values of the sheets this tool reads; WorkbookError when the file is not a usable .xlsx."""
    data = _read_bytes(path)
    _check_format(path, data)
    return _load_sheets(path, data)


def fail(message: str, place: str = ""):
    raise WorkbookError([Problem(place, message)])


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        fail(f"«{path}» er en mappe, ikke en arbeidsbok.")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        fail(f"Finner ikke arbeidsboken «{path}».")
    except PermissionError:
        fail(f"Har ikke tilgang til å lese «{path.name}». Er filen åpen i et annet program?")
    except OSError as exc:
        fail(f"Kan ikke lese «{path.name}»: {exc.strerror or exc}.")


def _check_format(path: Path, data: bytes) -> None:
    """Turn every kind of file that is not an .xlsx into one message HR can act on."""
    name = path.name
    if not data:
        fail(f"«{name}» er tom (0 byte). Velg riktig arbeidsbok, eller lag en ny med «lederavtale init».")
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


def _check_zip(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
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
        sheet = sheet_named(ws.title)
        if sheet is None:
            continue
        canonical = sheet.name
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
    missing = [sheet.name for sheet in SHEETS if sheet.name not in rows]
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
