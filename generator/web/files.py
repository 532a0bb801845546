"""Downloads: only files the tool wrote, named by its own records, inside the year folder.

A path is served when the manifest, signert.json or the year's fixed layout (YearFolder) names it, and it
resolves to a plain file under the year folder. Anything else (`..`, an absolute path, a link out of the
folder, a file a person put there) is not found: 404, the same answer as for a file that does not exist.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from ..documents.writing import backups
from ..exceptions import LederavtaleError
from ..model import Arbeidsbok
from ..signing.record import load_signed
from ..store.manifest import Manifest
from ..store.year import YearFolder

# Opened in the browser; everything else is downloaded.
INLINE = {".pdf": "application/pdf", ".png": "image/png"}
TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".eml": "message/rfc822",
    ".xml": "application/xml",
}


def year_files(year: YearFolder) -> list[Path]:
    """The year's own files, beside the leaders' (reports, status books, lists for signing and archive)."""
    return [year.report, year.status, *year.status_report, year.signatarer, year.arkivstruktur, year.import_csv]


def known(bok: Arbeidsbok, year: YearFolder) -> set[str]:
    """Every path (relative to the year folder, with forward slashes) the tool's records name."""
    names = {year.relative(p) for p in year_files(year)}
    if year.manifest.exists():
        try:
            manifest = Manifest.load(year.path)
        except LederavtaleError:
            manifest = None
        if manifest is not None:
            names |= {f.sti for entry in manifest.ledere.values() for f in entry.filer}
            names |= {year.relative(p) for entry in manifest.ledere.values() for p in backups(year.path, entry)}
            names |= set(manifest.arsfiler)
    try:
        signed = load_signed(year.signert)
    except LederavtaleError:
        signed = {}
    names |= {doc.fil for leader in signed.values() for doc in (leader.avtale, leader.vedlegg) if doc is not None}
    names |= {year.relative(year.draft(leder)) for leder in bok.avtaleledere()}
    return names


def resolve(bok: Arbeidsbok, year: YearFolder, sti: str, names: set[str] | None = None) -> Path | None:
    """The file to serve for `sti`, or None (404); `names` is `known()` when the caller has it already."""
    if not sti or "\\" in sti or "\x00" in sti:
        return None
    pure = PurePosixPath(sti)
    if pure.is_absolute() or ".." in pure.parts or sti not in (names if names is not None else known(bok, year)):
        return None
    root = year.path.resolve()
    path = (year.path / pure).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def content_type(path: Path) -> tuple[str, bool]:
    """(Content-Type, whether the browser shows it itself)."""
    suffix = path.suffix.lower()
    if suffix in INLINE:
        return INLINE[suffix], True
    return TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream", False
