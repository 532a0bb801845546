"""`status`: a filled-in status workbook checked against the workbook, then the status report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..documents.pdf import PdfSettings
from ..documents.privacy import privacy_guard
from ..exceptions import PartialFailure
from ..model import Problem
from ..status.counts import Status, count
from ..status.document import REPORT_DOCX, REPORT_PDF, write_status_document
from ..status.report import REPORT_XLSX, write_status_report
from ..status.workbook import read_status
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


def make_status_report(workbook: Path, statusbok: Path, ut: Path = Path("output"), pdf: bool = True,
                       libreoffice: PdfSettings = PdfSettings(), today: date | None = None) -> StatusResult:
    """WorkbookError (exit 1, nothing written) for a bad workbook or status workbook; else the report."""
    today = today or date.today()
    if pdf:
        libreoffice = libreoffice.checked()  # LibreOffice missing: said before anything is written
    bok = read_workbook(workbook)
    book = read_status(bok, statusbok)
    status = count(bok, book.rows)
    # The comments are the leaders' own words, printed in a public report: a comment that
    # quotes the leader's development goal stops the run, as it would stop an agreement.
    for avvik in status.avvik:
        privacy_guard(bok, bok.leder(avvik.ansattnr), avvik.kommentar, ("statusrapporten", "Statusrapporten"))
    folder = year_folder(bok, ut)
    result = StatusResult(folder, status, warnings=bok.warnings + book.warnings)
    with RunLock(folder):
        remove_stale_temp_files(folder)
        write_status_report(status, folder / REPORT_XLSX)
        write_status_document(bok, status, folder / REPORT_DOCX, today)
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
