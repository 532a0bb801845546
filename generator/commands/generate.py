"""`generer`: workbook → validated model → contexts → .docx (→ PDF/A) → manifest and report.

Every document is rendered once before anything is written (`Batch.check`), so a template
that fails for any leader stops the run with nothing written. The writing itself (leader by
leader, journalled, edit-protected and resumable) is `documents.writing`, shared with
`oppfolging`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..archive.arkivert import REPORT_COLUMN, report_column
from ..documents.pdf import PdfSettings
from ..documents.writing import (
    AGREEMENTS,
    STATUS_BACKED_UP,
    LeaderResult,
    WriteResult,
    raise_for_failures,
    run,
)
from ..model import Arbeidsbok
from ..progress import Progress
from ..store.manifest import LeaderEntry
from ..store.report import REPORT_NAME, write_report

__all__ = ["STATUS_BACKED_UP", "GenerateResult", "generate", "raise_for_failures"]

GenerateResult = WriteResult

STATUS_NOT_SELECTED = "ikke med i denne kjøringen"
STATUS_REMOVED = "ikke lenger i arbeidsboken – filene er beholdt"


def generate(
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
) -> GenerateResult:
    return run(AGREEMENTS, workbook, maler, ut, ledere, enhet, pdf, overskriv, libreoffice, progress, today,
               finish=_write_run_report)


def _write_run_report(year_dir: Path, bok: Arbeidsbok, results: list[LeaderResult], removed: list[LeaderEntry]) -> None:
    headers = ["Ansattnr", "Navn", "Enhet", "Antall oppdrag", "Status", "Filer", "Advarsler og feil"]
    by_nr = {r.leder.ansattnr: r for r in results}
    rows = []
    for leder in bok.avtaleledere():
        r = by_nr.get(leder.ansattnr)
        if r is None:
            rows.append([leder.ansattnr, leder.navn, leder.enhet, len(bok.tildeling.get(leder.ansattnr, [])), STATUS_NOT_SELECTED, "", ""])
            continue
        notes = r.advarsler + r.endret + r.feil + [f"Kopi av endret fil: {b}" for b in r.backups]
        rows.append([leder.ansattnr, leder.navn, leder.enhet, r.antall_oppdrag, r.status, "\n".join(sorted(set(r.filer))), "\n".join(notes)])
    for entry in removed:
        rows.append([entry.ansattnr, entry.navn, "", "", STATUS_REMOVED, "\n".join(f.sti for f in entry.filer), ""])
    arkivert = report_column(year_dir)  # the archive's receipts, as `arkiv --kvitteringer` recorded them
    write_report(year_dir / REPORT_NAME, headers + [REPORT_COLUMN], [row + [arkivert.get(row[0], "")] for row in rows])

