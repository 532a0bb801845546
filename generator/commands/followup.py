"""`oppfolging`: the autumn follow-up conversation's document for each leader, and status.xlsx.

The document is public and made from the agreement's fields only (`FollowUpBatch`); it is
written by the same machinery as the agreements (`documents.writing`): checked for every
leader before the first file, edit-protected, atomic and resumable, with its own role
`oppfolging` in the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from ..documents.pdf import PdfSettings
from ..documents.writing import FOLLOW_UP, LeaderResult, WriteResult, run
from ..model import Arbeidsbok
from ..progress import Progress
from ..status.workbook import STATUS_NAME, write_status_workbook
from ..store.manifest import LeaderEntry


@dataclass
class FollowUpResult(WriteResult):
    status_written: bool = False  # False: someone has filled in the status workbook, which was kept

    @property
    def status_path(self) -> Path:
        return self.year_dir / STATUS_NAME


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
    status_written = []

    def finish(year_dir: Path, bok: Arbeidsbok, results: list[LeaderResult], removed: list[LeaderEntry]) -> None:
        # Every leader with an agreement, whichever were selected: the status workbook is the
        # whole year's, and a run for one leader must not shrink it.
        status_written.append(write_status_workbook(bok, bok.avtaleledere(), year_dir / STATUS_NAME))

    result = run(FOLLOW_UP, workbook, maler, ut, ledere, enhet, pdf, overskriv, libreoffice, progress, today,
                 finish=finish)
    return FollowUpResult(**{f.name: getattr(result, f.name) for f in fields(WriteResult)},
                          status_written=status_written[0])
