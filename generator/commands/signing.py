"""`signering`: the final copies to be signed, made from the Word files as the conversation left them.

Per leader, the agreement and the appendix become PDF/A-2b without the draft mark in
`signering/<Ansattnr> <Navn>/`, each carrying the document ID of its content now (the short ID in the
footer line, the QR code and the XMP; documents.stamp): an unchanged .docx keeps the draft's ID, an
edited one gets a new version, and `signert` later knows which version came back. A document still
holding a placeholder, or an appendix whose goals table is empty, holds the leader back; the others go
on. `signatarer.csv` lists every copy with its two signers, for an e-signing portal's bulk upload.

A copy is made again only when its .docx changed, or when it was made before short IDs (it shows the
Ansattnr); a copy a person changed is never overwritten.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..documents.batch import document_id_of
from ..documents.identity import format_id, pdf_edit
from ..documents.kinds import APPENDIX, SIGNED_KINDS, Kind
from ..documents.pdf import pdfa_2b_problem
from ..documents.placeholders import empty_tables, placeholders_left
from ..documents.stamp import restamp_docx
from ..job import Job
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..progress import Progress
from ..result import Item, Result
from ..store.files import atomic_write_bytes, remove_stale_temp_files, sha256_bytes, sha256_file
from ..store.lock import RunLock
from ..store.manifest import SIGNING, FileEntry, LeaderEntry, Manifest, load_generated
from ..store.report import spreadsheet_text
from ..store.year import YearFolder, leader_folder
from ..workbook.selection import select_leaders
from ..advice import advice, run

NEW, UPDATED, UNCHANGED, REFUSED, KEPT, FAILED = ("ny", "oppdatert", "uendret", "ikke klar for signering",
                                                 "endret av en person – ikke overskrevet", "feilet")
FAILURE_HEADING = "Ferdig, men noen ledere fikk ingen kopi for signering (de andre er klare):"
CSV_HEADERS = ("Fil", "Ansattnr", "Dokument", "Dokument-ID", "Signatar 1", "E-post signatar 1", "Signatar 2",
               "E-post signatar 2", "Rekkefølge")
ORDER = "1 (lederen), deretter 2"
STAGING = ".konvertering"


@dataclass
class _Copy:
    leder: Leder
    kind: Kind
    docx: Path  # the leader's .docx as it is now
    stamped: Path  # the .docx with the ID of its content, in the staging folder
    target: Path  # the PDF in signering/
    kilde: str  # the .docx's sha256
    dokument_id: str  # the full ID, the record
    kort_id: str  # the short ID the copy carries


def signering(job: Job, ledere: tuple[str, ...] | list[str] = ()) -> Result:
    """The copies for signing of every leader with an agreement (or of `ledere`), and signatarer.csv."""
    libreoffice = job.pdf.checked()  # fail before any work when LibreOffice is missing
    bok = job.bok
    selected = select_leaders(bok, tuple(ledere))
    year = job.year
    result = Result(failure_heading=FAILURE_HEADING)
    with RunLock(year.path):
        load_generated(year.path, job.workbook, "signering")
        remove_stale_temp_files(year.path)
        manifest = Manifest.load(year.path)
        staging = year.signering / STAGING
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            copies, items = _plan(bok, year, manifest, selected, staging, result)
            _convert(copies, libreoffice, year, manifest, items, result, job.progress)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        manifest.save()
        _write_signatories(bok, year, manifest)
    result.items = [items[leder.ansattnr] for leder in selected]
    ready = sum(1 for item in result.items if item.status in (NEW, UPDATED, UNCHANGED))
    result.files.append(year.signatarer)
    result.summary.append(
        f"{'Ferdig' if not result.failures else 'Skrevet'}: {antall(ready, 'leder', 'ledere')} klar for signering "
        f"i {year.signering}. Signatarer: {year.signatarer}")
    return result.after("signering")


def _plan(bok: Arbeidsbok, year: YearFolder, manifest: Manifest, selected: list[Leder], staging: Path,
          result: Result) -> tuple[list[_Copy], dict[str, Item]]:
    """What each leader needs converted; leaders not ready or with nothing to do are settled here."""
    copies, items = [], {}
    key = manifest.id_key()
    for leder in selected:
        item = items[leder.ansattnr] = Item(leder.ansattnr, leder.navn, UNCHANGED, [], [])
        entry = manifest.ledere.get(leder.ansattnr)
        problems = _not_ready(year, entry)
        if problems:
            item.status = REFUSED
            item.notices += problems
            result.failures += [f"{leder.ansattnr} {leder.navn}: {p}" for p in problems]
            continue
        for kind in SIGNED_KINDS:
            docx = year.path / entry.file(kind.rolle, "docx").sti
            data = docx.read_bytes()
            stamped, document_id = restamp_docx(data, kind.rolle,
                                                lambda version, k=kind: document_id_of(bok, leder, k, version, key))
            target = year.signering_leader(leder) / f"{docx.stem}.pdf"
            rel = year.relative(target)
            recorded = entry.file(kind.rolle, "pdf", SIGNING)
            on_disk = sha256_file(target) if target.exists() else None
            if on_disk is not None and not manifest.owns(recorded, rel, on_disk):
                item.status = KEPT
                item.filer.append(rel)
                item.notices.append(f"{rel} er endret etter at den ble laget, og er ikke overskrevet. Flytt den "
                                      f"bort og {run('signering')} igjen for å lage en ny.")
                continue
            # Made from this very .docx: nothing to do. Unless it was made before short IDs: its pages show the
            # full ID with the Ansattnr, so it is made again. (A short ID under an earlier key is still the
            # manifest's: the copy stays.)
            if (on_disk is not None and recorded.dokument_id == format_id(document_id) and recorded.kort_id
                    and recorded.kilde == sha256_bytes(data)):
                item.filer.append(rel)
                continue
            path = staging / f"{leader_folder(leder)}-{kind.rolle}.docx"
            path.write_bytes(stamped)
            copies.append(_Copy(leder, kind, docx, path, target, sha256_bytes(data), format_id(document_id),
                                document_id.short))
            item.status = UPDATED if recorded is not None else NEW
    return copies, items


def _not_ready(year: YearFolder, entry: LeaderEntry | None) -> list[str]:
    """Why a leader's documents cannot be signed yet: not generated, placeholders, an empty goals table."""
    if entry is None:
        return [f"ingen dokumenter er generert ({run('generer')})"]
    problems = []
    for kind in SIGNED_KINDS:
        fil = entry.file(kind.rolle, "docx")
        if fil is None or not (year.path / fil.sti).is_file():
            problems.append(f"{kind.navn[0]} finnes ikke ({run('generer')})")
            continue
        path = year.path / fil.sti
        left = placeholders_left(path)
        if left:
            problems.append(f"{kind.navn[1]} «{path.name}» har {antall(left, 'felt', 'felt')} som ikke er fylt ut "
                            f"(«[Fylles ut …]»). {advice('fyll_ut')}.")
        if kind is APPENDIX and empty_tables(path):
            problems.append(f"{kind.navn[1]} «{path.name}» har en tom tabell for utviklingsmål. Skriv inn målene "
                            f"i Word, {advice('lever_inn')} og {run('signering')} igjen.")
    return problems


def _convert(copies: list[_Copy], libreoffice, year: YearFolder, manifest: Manifest, items: dict[str, Item],
             result: Result, progress: Progress | None = None) -> None:
    """PDF/A-2b without the draft mark, the ID in the XMP, then into place and into the manifest."""
    by_docx = {copy.stamped: copy for copy in copies}

    def finished(conversion) -> None:
        copy = by_docx[conversion.docx]
        item = items[copy.leder.ansattnr]
        problem = conversion.feil if not conversion.ok else ""
        if not problem:
            problem = pdfa_2b_problem(conversion.pdf)
        if problem:
            item.status = FAILED
            message = f"PDF av {copy.kind.navn[0]} feilet: {problem}"
            item.notices.append(message)
            result.failures.append(f"{copy.leder.ansattnr} {copy.leder.navn}: {message}")
            return
        data = conversion.pdf.read_bytes()
        rel = year.relative(copy.target)
        manifest.intend(rel, sha256_bytes(data))
        atomic_write_bytes(copy.target, data)
        manifest.update(copy.leder.ansattnr, FileEntry(rel, copy.kind.rolle, "pdf", copy.kind.public,
                                                       sha256_bytes(data), copy.kilde, copy.dokument_id, SIGNING,
                                                       kort_id=copy.kort_id))
        item.filer.append(rel)

    if not copies:
        return
    with libreoffice.converter(finished) as converter:
        for copy in copies:
            converter.submit(copy.stamped, copy.stamped.with_suffix(".pdf"), pdf_edit(copy.kort_id))
        converter.wait(progress)


def _write_signatories(bok: Arbeidsbok, year: YearFolder, manifest: Manifest) -> None:
    """signatarer.csv: every copy for signing there is, for every leader still in the workbook."""
    rows = []
    for leder in bok.avtaleledere():
        entry = manifest.ledere.get(leder.ansattnr)
        superior = bok.overordnet(leder)
        for kind in SIGNED_KINDS:
            copy = entry.file(kind.rolle, "pdf", SIGNING) if entry else None
            if copy is None or not (year.path / copy.sti).is_file():
                continue
            # The ID the copy shows, as the portal and HR see it on the page.
            rows.append([copy.sti, leder.ansattnr, kind.rolle, copy.carried_id, leder.navn, leder.epost,
                         superior.navn if superior else "", superior.epost if superior else "", ORDER])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    writer.writerows([[spreadsheet_text(value) for value in row] for row in rows])
    # With BOM: Excel on Windows then reads æøå as UTF-8.
    atomic_write_bytes(year.signatarer, out.getvalue().encode("utf-8-sig"))
