"""`oppfolging`: the autumn follow-up conversation's document for each leader, and status.xlsx.

The document is public and made from the agreement's fields only (`documents.kinds.FOLLOW_UP`); it is
written by the same machinery as the agreements (`documents.writing`): checked for every
leader before the first file, edit-protected, atomic and resumable, with its own role
`oppfolging` in the manifest.

status.xlsx follows the same rule as the documents: the manifest records the sha256 the tool
wrote, and a file that differs from it (filled in, a sheet or column added, a header renamed),
or that the manifest does not know, is someone's work. It is kept; with --overskriv it is copied
first, as an edited document is.

The measures (tiltak) are the agreement's where a person has changed the agreement in Word
and its measures differ from the workbook's (documents.measures): the follow-up document and
status.xlsx are then made from an Arbeidsbok holding those, and the run says so per leader.
The workbook itself is only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..documents.batch import Batch, prepare
from ..documents.measures import edited_agreements, with_measures
from ..documents.writing import FOLLOW_UPS, LeaderResult, keep_copy, write_documents
from ..job import Job
from ..result import Result
from ..model import Arbeidsbok
from ..status.workbook import STATUS_NAME, build_status_workbook
from ..store import xlsx
from ..store.files import sha256_file
from ..store.manifest import LeaderEntry, Manifest
from ..store.year import YearFolder
from ..advice import advice


@dataclass
class _StatusOutcome:
    written: bool  # False: a person has changed the status workbook, which was kept
    backup: Path | None = None  # the copy of a changed status workbook replaced with --overskriv
    notice: str = ""  # for the user, when the status workbook was kept or copied


def follow_up(job: Job, ledere=(), enhet: str | None = None, pdf: bool = True, overskriv: bool = False) -> Result:
    """Every selected leader's follow-up document, and status.xlsx unless a person has changed it.

    The Result's `files` has status.xlsx only when this run wrote it.
    """
    outcome = []

    def finish(year: YearFolder, bok: Arbeidsbok, results: list[LeaderResult], removed: list[LeaderEntry]) -> None:
        outcome.append(_write_status(year, bok, overskriv, job.today))

    libreoffice = job.pdf.checked() if pdf else None  # fail before any work when LibreOffice is missing
    bok, selected, templates = prepare(job.workbook, job.maler, ledere, enhet, job.today, kinds=FOLLOW_UPS.kinds,
                                       bok=job.bok)
    # Every leader's, not only the selected: status.xlsx is the whole year's.
    agreements = edited_agreements(bok, YearFolder.of(bok, job.ut).path, bok.avtaleledere())
    batch = Batch(with_measures(bok, agreements), templates, job.today, FOLLOW_UPS.kinds)
    verdicts = batch.check(selected, job.progress)
    written = write_documents(job, FOLLOW_UPS, batch, verdicts, libreoffice, overskriv, finish=finish)
    by_nr = {m.leder.ansattnr: m for m in agreements}
    for leader in written.leaders:
        found = by_nr.pop(leader.leder.ansattnr, None)
        if found is not None:
            leader.warnings += ([found.notice] if found.differ else []) + found.warnings
            leader.failures += found.refused  # in the run's failures, under the leader's name
    status = outcome[0]
    notices = [line for m in agreements
               for line in ([m.notice] if m.differ else []) + [f"Advarsel: {w}" for w in m.warnings]]
    result = written.result(f"Statusbok: {written.year.status}", notices + ([status.notice] if status.notice else []))
    # A leader this run did not select still has a row in status.xlsx.
    result.failures += [line for m in by_nr.values() for line in m.refused]
    if status.written:
        result.files.append(written.year.status)
    return result.after("oppfolging")


def _write_status(year: YearFolder, bok: Arbeidsbok, overskriv: bool, today: date) -> _StatusOutcome:
    """Write status.xlsx unless a person has changed it (called under the run lock, after the documents)."""
    path = year.status
    manifest = Manifest.load(year.path)
    backup = None
    if path.exists() and not manifest.owns_year_file(STATUS_NAME, sha256_file(path)):
        if not overskriv:
            return _StatusOutcome(False, notice=(
                f"Merk: «{path}» er endret etter at lederavtale laget den (eller er laget av en eldre versjon), "
                f"og er ikke overskrevet. {advice('overskriv_status')}; da tas det først en kopi."))
        backup = keep_copy(path, today)
    # Every leader with an agreement, whichever were selected: the status workbook is the
    # whole year's, and a run for one leader must not shrink it.
    manifest.write_year_file(STATUS_NAME, xlsx.to_bytes(build_status_workbook(bok, bok.avtaleledere(), today)))
    notice = f"Merk: «{path}» var endret; kopien ligger i «{backup.name}», og en ny statusbok er skrevet." if backup \
        else ""
    return _StatusOutcome(True, backup, notice)
