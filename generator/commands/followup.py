"""`oppfolging`: the autumn follow-up conversation's document for each leader, and status.xlsx.

The document is public and made from the agreement's fields only (`documents.kinds.FOLLOW_UP`); it is
written by the same machinery as the agreements (`documents.writing`): checked for every
leader before the first file, edit-protected, atomic and resumable, with its own role
`oppfolging` in the manifest.

status.xlsx follows the same rule as the documents: the manifest records the sha256 the tool
wrote, and a file that differs from it (filled in, a sheet or column added, a header renamed),
or that the manifest does not know, is someone's work. It is kept; with --overskriv it is copied
first, as an edited document is.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from ..documents.pdf import PdfSettings
from ..documents.writing import FOLLOW_UPS, LeaderResult, WriteResult, keep_copy, run
from ..model import Arbeidsbok
from ..progress import Progress
from ..status.workbook import STATUS_NAME, build_status_workbook
from ..store import xlsx
from ..store.files import sha256_file
from ..store.manifest import LeaderEntry, Manifest


@dataclass
class FollowUpResult(WriteResult):
    status_written: bool = False  # False: a person has changed the status workbook, which was kept
    status_backup: Path | None = None  # the copy of a changed status workbook replaced with --overskriv
    status_notice: str = ""  # for the user, when the status workbook was kept or copied

    @property
    def status_path(self) -> Path:
        return self.year_dir / STATUS_NAME


@dataclass
class _StatusOutcome:
    written: bool
    backup: Path | None = None
    notice: str = ""


def follow_up(
    workbook: Path,
    maler: Path | None = None,
    ut: Path = Path("output"),
    ledere=(),
    enhet: str | None = None,
    pdf: bool = True,
    overskriv: bool = False,
    libreoffice: PdfSettings = PdfSettings(),
    progress: Progress | None = None,
    today: date | None = None,
) -> FollowUpResult:
    today = today or date.today()
    outcome = []

    def finish(year_dir: Path, bok: Arbeidsbok, results: list[LeaderResult], removed: list[LeaderEntry]) -> None:
        outcome.append(_write_status(year_dir, bok, overskriv, today))

    result = run(FOLLOW_UPS, workbook, maler, ut, ledere, enhet, pdf, overskriv, libreoffice, progress, today,
                 finish=finish)
    status = outcome[0]
    return FollowUpResult(**{f.name: getattr(result, f.name) for f in fields(WriteResult)},
                          status_written=status.written, status_backup=status.backup, status_notice=status.notice)


def _write_status(year_dir: Path, bok: Arbeidsbok, overskriv: bool, today: date) -> _StatusOutcome:
    """Write status.xlsx unless a person has changed it (called under the run lock, after the documents)."""
    path = year_dir / STATUS_NAME
    manifest = Manifest.load(year_dir)
    backup = None
    if path.exists() and not manifest.owns_year_file(STATUS_NAME, sha256_file(path)):
        if not overskriv:
            return _StatusOutcome(False, notice=(
                f"Merk: «{path}» er endret etter at lederavtale laget den (eller er laget av en eldre versjon), "
                "og er ikke overskrevet. Bruk --overskriv for å lage en ny statusbok; da tas det først en kopi."))
        backup = keep_copy(path, today)
    # Every leader with an agreement, whichever were selected: the status workbook is the
    # whole year's, and a run for one leader must not shrink it.
    manifest.write_year_file(STATUS_NAME, xlsx.to_bytes(build_status_workbook(bok, bok.avtaleledere(), today)))
    notice = f"Merk: «{path}» var endret; kopien ligger i «{backup.name}», og en ny statusbok er skrevet." if backup \
        else ""
    return _StatusOutcome(True, backup, notice)
