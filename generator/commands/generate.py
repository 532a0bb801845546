"""`generer`: workbook → validated model → contexts → .docx (→ PDF/A) → manifest and report.

Every document is rendered once before anything is written (`Batch.check`), so a template
that fails for any leader stops the run with nothing written. The writing itself (leader by
leader, journalled, edit-protected and resumable) is `documents.writing`, shared with
`oppfolging`; the report is `store.report`.
"""

from __future__ import annotations

from ..archive.arkivert import REPORT_COLUMN, report_column
from ..documents.measures import edited_agreements
from ..documents.writing import AGREEMENTS, LeaderResult, run
from ..exceptions import LederavtaleError
from ..job import Job
from ..result import Result
from ..model import Arbeidsbok
from ..signing.record import REPORT_COLUMN as SIGNED_COLUMN
from ..signing.record import load_signed
from ..signing.record import report_column as signed_column
from ..store.manifest import LeaderEntry
from ..store.report import write_run_report
from ..store.year import YearFolder


def generate(job: Job, ledere=(), enhet: str | None = None, pdf: bool = True, overskriv: bool = False) -> Result:
    """Every selected leader's agreement and appendix, and rapport.xlsx; failures are in the Result."""
    written = run(job, AGREEMENTS, ledere, enhet, pdf, overskriv, finish=_write_run_report)
    result = written.result(f"Oversikt: {written.year.report}")
    result.files.append(written.year.report)
    return result.after("generer")


def _write_run_report(year: YearFolder, bok: Arbeidsbok, results: list[LeaderResult],
                      removed: list[LeaderEntry]) -> None:
    # What an agreement edited in Word says about its measures, beside the workbook's (documents.measures).
    items = {r.leder.ansattnr: r.item() for r in results}
    for found in edited_agreements(bok, year.path, [r.leder for r in results]):
        items[found.leder.ansattnr].notices += found.difference_warnings(bok) + found.warnings
    # The signed copies as `signert` recorded them, the archive's receipts as `arkiv --kvitteringer` did.
    write_run_report(year.report, bok, list(items.values()), removed,
                     {SIGNED_COLUMN: signed_column(_signed(year)), REPORT_COLUMN: report_column(year.path)})


def _signed(year: YearFolder) -> dict:
    # The report is about the documents: a damaged signert.json is for `signert` to say.
    try:
        return load_signed(year.signert)
    except LederavtaleError:
        return {}
