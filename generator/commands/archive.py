"""`arkiv`: the archive package for the records system, from what was signed; the archive's replies read back.

This module only sequences: read, decide, build, write, report. What is final and why is
`archive/finality.py`; the PDFs `archive/pdfs.py`; the Noark 5 export `archive/noark5.py`; one Fiks
Arkiv message per leader `archive/outbox.py`; the archive's replies `archive/receipts.py` into
`arkivert.json`; each leader's outcome and the Result `archive/outcome.py`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from openpyxl.utils import get_column_letter

from ..archive import finality, pdfs
from ..archive.arkivert import Arkivert, update_report
from ..archive.codecheck import UNCHECKED, check_codes, package_codes, signed_copy_codes
from ..archive.fiks import folder_name
from ..archive.finality import UTEN_KOPI, Choices, Finality
from ..archive.kodelister import Kodelister, read_kodelister
from ..archive.noark5 import build_csv, build_xml
from ..archive.outbox import check_folder_names, read_log, remove_confirmed, write_outbox
from ..archive.outcome import (  # the statuses and headings, as the command's own
    ARKIVERT, ENDRET, FEILET, FEILSVAR, IKKE_FERDIG, IKKE_SIGNERT, MOTTATT, PACKAGE_FAILED, PAKKET, RECEIPTS_FAILED,
    REGISTRERT, UENDRET, Outcome, package_result, reply_outcomes, reply_result,
)
from ..archive.receipts import note_receipts
from ..archive.record import (Arkivpakke, Journalpost, check_placement, check_titles, klassifikasjon_warning,
                              missing_fodselsnummer, norsk_tid, saksbehandler_warning)
from ..archive.replies import advice_now
from ..documents.kinds import AGREEMENT, APPENDIX
from ..documents.pdf import PdfSettings
from ..exceptions import LederavtaleError, OptionError
from ..job import Job
from ..model import Leder
from ..result import Result
from ..signing.record import LeaderSigned, load_signed
from ..store.files import atomic_write_bytes, remove_stale_temp_files, sha256_file
from ..store.lock import RunLock
from ..store.manifest import Manifest, require_generated
from ..workbook.cells import Cells
from ..workbook.columns import LEDERE
from ..workbook.file import read_sheets
from ..workbook.selection import select_leaders

__all__ = ["ARKIVERT", "ENDRET", "FEILET", "FEILSVAR", "IKKE_FERDIG", "IKKE_SIGNERT", "MOTTATT", "PACKAGE_FAILED",
           "PAKKET", "RECEIPTS_FAILED", "REGISTRERT", "UENDRET", "UTEN_KOPI", "arkiv", "build_archive", "read_receipts"]


def arkiv(job: Job, alle: bool = False, kvitteringer: Path | None = None, arkiver_igjen: bool = False,
          ledere: tuple[str, ...] | list[str] = (), now: datetime | None = None,
          godta_usignert: bool = False, kodelister: Path | None = None) -> Result:
    """`arkiv`: the package; with `kvitteringer`, the receipts first, and the package only with
    `alle` or `arkiver_igjen` (`ledere`: who to package again although the archive confirmed them).
    `godta_usignert`: a rendering of the .docx is final when the workbook's Signert says so.
    `kodelister`: the archive's saved kodeliste.hent replies (a folder, or one file), which the
    package's codes must be in; without it the Result warns, once, that they are unchecked."""
    if kodelister is not None and kvitteringer is not None and not (alle or arkiver_igjen):
        raise OptionError("--kodelister brukes når arkivpakken lages; --kvitteringer alene lager ingen pakke.")
    if arkiver_igjen and not ledere:
        raise OptionError("--arkiver-igjen krever at du velger ledere med --leder ANSATTNR.")
    if ledere and not arkiver_igjen:
        raise OptionError("--leder brukes bare sammen med --arkiver-igjen.")
    if kvitteringer is None:
        return build_archive(job, alle, ledere, now, godta_usignert, kodelister)
    if not (alle or arkiver_igjen):
        return read_receipts(job, kvitteringer, now)
    # Everything that would stop the package stops it before a receipt is noted, and one lock
    # covers both: no other run comes between the receipts and the package they decide.
    folder = _receipts_folder(job, kvitteringer)
    prepared = _prepare(job, alle, ledere, godta_usignert, kodelister)
    with RunLock(job.year.path):
        return _read_receipts(job, folder, now).add(_build(job, *prepared, now))


def build_archive(job: Job, alle: bool = False, arkiver_igjen: tuple[str, ...] | list[str] = (),
                  now: datetime | None = None, godta_usignert: bool = False,
                  kodelister: Path | None = None) -> Result:
    """Build `<ut>/<år>/arkiv/` from the signed copies and the documents on disk.

    `arkiver_igjen`: Ansattnr of leaders to package although the archive has confirmed them.
    Failed or missing documents are the result's failures (exit code 3); everything else is
    written completely.
    """
    prepared = _prepare(job, alle, arkiver_igjen, godta_usignert, kodelister)
    with RunLock(job.year.path):
        return _build(job, *prepared, now)


def read_receipts(job: Job, kvitteringer: Path, now: datetime | None = None) -> Result:
    """Read every receipt in `kvitteringer` into `<ut>/<år>/arkiv/arkivert.json`.

    Receipts that cannot be used are the result's failures (exit code 3); the others are
    recorded, and what was recorded before is never lost.
    """
    folder = _receipts_folder(job, kvitteringer)
    with RunLock(job.year.path):
        return _read_receipts(job, folder, now)


# --- the package -------------------------------------------------------------------------------


def _prepare(job: Job, alle: bool, arkiver_igjen, godta_usignert: bool,
             kodelister: Path | None) -> tuple[Choices, PdfSettings, Kodelister | None]:
    """Everything that can stop the package does so here, before any work."""
    bok = job.bok
    check_placement(bok.kommune, bok.kommune.sak_system_id)
    check_titles(bok)
    igjen = frozenset(leder.ansattnr for leder in select_leaders(bok, arkiver_igjen)) if arkiver_igjen else frozenset()
    check_folder_names(bok)
    require_generated(job.year.path, job.workbook, "arkiv")
    lister = read_kodelister(kodelister) if kodelister is not None else None
    if lister is not None:
        check_codes(lister, package_codes(bok.kommune, alle))
    return Choices(alle, godta_usignert, igjen), job.pdf.checked(), lister


def _build(job: Job, choices: Choices, libreoffice: PdfSettings, lister: Kodelister | None,
           now: datetime | None) -> Result:
    """The work, under the run lock: decide each leader, then the PDFs, the Noark 5 export, the Fiks outbox."""
    bok, year = job.bok, job.year
    # Read: as they are now that no `generer` or `signert` can be writing; a damaged record stops the run.
    manifest = Manifest.load(year.path)
    arkivert = Arkivert(year.arkivert)
    signed = load_signed(year.signert)
    nynorsk = bok.kommune.malform == "nynorsk"

    # Decide.
    outcomes = []
    cell = _fodselsnummer_cells(job)
    for leder in bok.avtaleledere():
        record = signed.get(leder.ansattnr, LeaderSigned())
        confirmed = arkivert.has(leder.ansattnr)
        plan = (pdfs.plan(manifest, year, leder, nynorsk, finality.signed_copies(record))
                if finality.needs_plan(leder, record, choices, confirmed) else None)
        decision = finality.decide(leder, record, plan, choices, confirmed)
        # A personalmappe classified by fødselsnummer cannot be found without the leader's number: that
        # leader is refused, before any PDF is made, and the others are packaged. Said beside another
        # refusal (placeholders left), so that one correction round is enough.
        refused = decision.state == finality.NEKTET
        missing = missing_fodselsnummer(bok.kommune, leder, cell(leder)) if decision.packaged or refused else None
        if missing:
            decision = Finality(finality.FEILET, (*(decision.hvorfor if refused else ()), missing),
                                placeholders=decision.placeholders, claimed=decision.claimed, igjen=decision.igjen)
        outcomes.append(Outcome.decided(leder, decision, plan))
    plans = [o.plan for o in outcomes if o.plan is not None]
    if lister is not None:  # a signed copy's format is known only now, and still before any work
        check_codes(lister, signed_copy_codes(bok.kommune, [
            (copy.path.name, copy.format.kode, copy.format.pdfa) for plan in plans for copy in plan.signerte.values()]))

    # Build: the PDFs in place, then the records describing them.
    if year.arkiv.exists():
        remove_stale_temp_files(year.arkiv)
    converted = pdfs.convert_into_place(plans, year, libreoffice, job.progress)
    pdfs.remove_other_pdfs(year, {pdf for plan in converted.done for pdf in plan.pdfer.values()})
    by_nr = {o.leder.ansattnr: o for o in outcomes}
    for plan in converted.done:
        outcome = by_nr[plan.leder.ansattnr]
        outcome.journalpost = Journalpost(
            leder=plan.leder, overordnet=bok.overordnet(plan.leder),
            avtale=pdfs.dokumentfil(year, plan, AGREEMENT.rolle), vedlegg=pdfs.dokumentfil(year, plan, APPENDIX.rolle),
            ferdig=outcome.finality.ferdig, dato=outcome.finality.dato)
    pakke = Arkivpakke(bok.kommune, [o.journalpost for o in outcomes if o.journalpost is not None], norsk_tid(now),
                       sak_system_id=bok.kommune.sak_system_id)

    # Write.
    atomic_write_bytes(year.arkivstruktur, build_xml(pakke))
    atomic_write_bytes(year.import_csv, build_csv(pakke))
    kilder = {plan.leder.ansattnr: {rolle: sha256_file(docx) for rolle, docx in plan.kilder.items()}
              for plan in converted.done}
    sent = write_outbox(year.fiks, year.arkiv, pakke, year.fiks_log, kilder)
    by_folder = {folder_name(nr): outcome for nr, outcome in by_nr.items()}
    for path in sent.meldinger:
        by_folder[path.name].melding = path
    for leder, why in converted.feil + sent.feil:
        by_nr[leder.ansattnr].failures.append(why)

    # Report.
    advarsler = ([w for w in [saksbehandler_warning(bok.kommune), klassifikasjon_warning(bok.kommune)] if w]
                 + ([UNCHECKED] if lister is None else []))
    return package_result(outcomes, year, choices.alle, sent.meldinger, advarsler).after("arkiv")


def _fodselsnummer_cells(job: Job) -> Callable[[Leder], str]:
    """Each leader's Fødselsnummer cell, as `Ledere!Q5`, for the message that it is empty. The model keeps a
    leader's row, not the column, so the sheet's header is read again, once, and only when a cell is asked
    for; a workbook that cannot be read now (or has no such column) gives the row and the column's name."""
    letters: list[str | None] = []

    def cell(leder: Leder) -> str:
        if not letters:
            letters.append(_fodselsnummer_column(job.workbook))
        letter = letters[0]
        return f"{LEDERE.name}!{letter}{leder.rad}" if letter else (
            f"{LEDERE.name} rad {leder.rad} (kolonnen {LEDERE.column('fodselsnummer').header})")
    return cell


def _fodselsnummer_column(workbook: Path) -> str | None:
    try:
        raw = read_sheets(Path(workbook))
        table = Cells(raw).table(LEDERE.name, raw.rows.get(LEDERE.name, []))
    except (LederavtaleError, OSError, ValueError):
        return None
    column = table.columns.get("fodselsnummer") if table is not None else None
    return get_column_letter(column) if column else None


# --- the replies -------------------------------------------------------------------------------


def _receipts_folder(job: Job, kvitteringer: Path) -> Path:
    job.bok  # read first: a workbook with errors says so before a missing folder does
    folder = Path(kvitteringer)
    if not folder.is_dir():
        raise LederavtaleError(f"Finner ikke mappen «{folder}» med kvitteringer fra arkivet.")
    return folder


def _read_receipts(job: Job, folder: Path, now: datetime | None) -> Result:
    """The work, under the run lock: receipts noted in arkivert.json, confirmed messages out of
    fiks/, the report's «Arkivert» column."""
    year = job.year
    # Read and decide: each reply matched to its leader, receipts noted (not yet saved).
    arkivert = Arkivert(year.arkivert)
    log = read_log(year.fiks_log)
    noted = note_receipts(folder, job.bok, arkivert, norsk_tid(now), log)
    # Write.
    files = []
    if noted.nye or noted.endret:
        arkivert.save()
        files.append(arkivert.path)
    fjernet = remove_confirmed(year.fiks, noted.confirmed)
    warning = update_report(year)
    if year.report.is_file() and not warning:
        files.append(year.report)
    # Report.
    outcomes = reply_outcomes(noted, [advice_now(svar, leder, year, arkivert, log) for leder, svar in noted.feilsvar])
    return reply_result(outcomes, noted, arkivert, year, fjernet, [warning] if warning else [], files)
