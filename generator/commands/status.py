"""`status`: a filled-in status workbook checked against the workbook, then the status report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..documents.pdf import PdfSettings
from ..documents.privacy import PrivacyGuard
from ..exceptions import PartialFailure
from ..model import Arbeidsbok, Problem
from ..status.counts import Status, count
from ..status.document import REPORT_DOCX, REPORT_PDF, write_status_document
from ..status.report import REPORT_XLSX, write_status_report
from ..status.workbook import StatusRow, read_status
from ..store.files import remove_stale_temp_files
from ..store.lock import RunLock
from ..store.year import year_dir as year_folder
from ..workbook import read_workbook


@dataclass
class StatusResult:
    year_dir: Path
    status: Status
    filer: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def _check_privacy(bok: Arbeidsbok, status: Status, rows: list[StatusRow], statusbok: str) -> None:
    """The report is public. The comments are the leaders' own words: one that quotes any leader's
    development goal stops the run, as it would stop an agreement. The rest of what the report
    prints (assignments, names, units) is read too."""
    guard = PrivacyGuard(bok)
    what = ("statusrapporten", "Statusrapporten")
    rad = {(row.ansattnr, row.nr): row.rad for row in rows}
    for avvik in status.avvik:
        guard.check(avvik.kommentar, bok.leder(avvik.ansattnr), what,
                    kilde=f"Status rad {rad[avvik.ansattnr, avvik.nr]} i {statusbok}")
    printed = [text for o, telling in status.oppdrag for text in (o.omrade, o.tekst, telling.navn)]
    printed += [t.navn for t in status.enheter] + [f"{a.navn} {a.enhet}" for a in status.avvik]
    guard.check("\n".join(printed), None, what)


def make_status_report(workbook: Path, statusbok: Path, ut: Path = Path("output"), pdf: bool = True,
                       libreoffice: PdfSettings = PdfSettings(), today: date | None = None) -> StatusResult:
    """WorkbookError (exit 1, nothing written) for a bad workbook or status workbook; else the report."""
    today = today or date.today()
    if pdf:
        libreoffice = libreoffice.checked()  # LibreOffice missing: said before anything is written
    bok = read_workbook(workbook)
    book = read_status(bok, statusbok)
    status = count(bok, book.rows)
    _check_privacy(bok, status, book.rows, Path(statusbok).name)
    folder = year_folder(bok, ut)
    result = StatusResult(folder, status, warnings=bok.warnings + book.warnings)
    with RunLock(folder):
        remove_stale_temp_files(folder)
        # The document first: it renders HR's letterhead, which a template error stops before
        # anything is written.
        write_status_document(bok, status, folder / REPORT_DOCX, today)
        write_status_report(status, folder / REPORT_XLSX)
        result.filer += [folder / REPORT_XLSX, folder / REPORT_DOCX]
        if pdf:
            with libreoffice.converter() as converter:
                converter.submit(folder / REPORT_DOCX, folder / REPORT_PDF)
                conversion = converter.wait()[0]
            if not conversion.ok:
                raise PartialFailure([f"{REPORT_PDF}: {conversion.feil}"],
                                     heading="Statusrapporten er skrevet, men PDF-en kunne ikke lages:")
            result.filer.append(folder / REPORT_PDF)
    return result
