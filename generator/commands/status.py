"""`status`: a filled-in status workbook checked against the workbook, then the status report."""

from __future__ import annotations

from pathlib import Path

from ..documents.privacy import PrivacyGuard
from ..job import Job
from ..result import Result
from ..model import Arbeidsbok
from ..plural import antall
from ..status.counts import Status, count
from ..status.document import write_status_document
from ..status.report import write_status_report
from ..status.workbook import read_status
from ..store.files import atomic_write_bytes, remove_stale_temp_files
from ..store.lock import RunLock

PDF_FAILED = "Statusrapporten er skrevet, men PDF-en kunne ikke lages:"


def _check_privacy(bok: Arbeidsbok, status: Status, statusbok: str) -> None:
    """The report is public. Results and comments are the leaders' own words: one that quotes any
    leader's development goal stops the run, as it would stop an agreement. The rest of what the
    report prints (assignments, goals, names, units) is read too."""
    guard = PrivacyGuard(bok)
    what = ("statusrapporten", "Statusrapporten")
    for rad in status.rader:
        words = "\n".join(text for text in (rad.resultat, rad.kommentar) if text)
        if words:
            guard.check(words, bok.leder(rad.ansattnr), what, kilde=f"Status rad {rad.rad} i {statusbok}")
    printed = [text for o, telling in status.oppdrag for text in (o.omrade, o.tekst, o.mal, telling.navn)]
    printed += [t.navn for t in status.enheter] + [f"{r.navn} {r.enhet}" for r in status.rader]
    # A leader's own figures (sheet Måltall) and what tells the leaders of a unit apart (Avdeling or title).
    printed += [f"{r.hvem.del_}\n{r.utgangspunkt}\n{r.mal}" for r in status.rader]
    guard.check("\n".join(printed), None, what)


def make_status_report(job: Job, statusbok: Path, pdf: bool = True) -> Result:
    """WorkbookError (exit 1, nothing written) for a bad workbook or status workbook; else the report,
    with a PDF that could not be made as the Result's failure (the .xlsx and .docx are written)."""
    libreoffice = job.pdf.checked() if pdf else None  # LibreOffice missing: said before anything is written
    bok = job.bok
    book = read_status(bok, statusbok)
    status = count(bok, book.rows)
    _check_privacy(bok, status, Path(statusbok).name)
    year = job.year
    report_xlsx, report_docx, report_pdf = year.status_report
    result = Result(warnings=[str(w) for w in bok.warnings + book.warnings], failure_heading=PDF_FAILED)
    with RunLock(year.path):
        remove_stale_temp_files(year.path)
        # The document first: it renders HR's letterhead, which a template error stops before
        # anything is written.
        write_status_document(bok, status, report_docx, job.today, job.templates)
        write_status_report(bok, status, report_xlsx, job.today)
        result.files += [report_xlsx, report_docx]
        # The book the report counts is the year's status from now on (the overview, next year's workbook),
        # whether the report was made here or on the web page.
        if Path(statusbok).resolve() != year.statusbok.resolve():
            atomic_write_bytes(year.statusbok, Path(statusbok).read_bytes())
        if libreoffice is not None:
            with libreoffice.converter() as converter:
                converter.submit(report_docx, report_pdf)
                # One document, but LibreOffice takes long over its tables: the page shows it as a stage.
                conversion = converter.wait(job.progress)[0]
            if conversion.ok:
                result.files.append(report_pdf)
            else:
                result.failures.append(f"{report_pdf.name}: {conversion.feil}")
    result.summary.append(_summary(status, result))
    return result.after("status")


def _summary(status: Status, result: Result) -> str:
    # «Ferdig» only when nothing failed, since the heading of the failure that follows says what was written.
    total = status.totalt()
    return (f"{'Skrevet' if result.failures else 'Ferdig'}: status for "
            f"{antall(sum(total.values()), 'oppdrag', 'oppdrag')} hos lederne, "
            f"{antall(len(status.avvik), 'avvik', 'avvik')}. Rapporten: {', '.join(str(f) for f in result.files)}")
