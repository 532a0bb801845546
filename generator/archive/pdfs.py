"""The Noark 5 export's PDF files under `arkiv/`: the signed copies, or the .docx files as they are now.

A document with a signed copy recorded in signert.json is archived as that copy, byte for byte:
it is what the two parties signed, and converting it would break the signatures. Any other
document is made afresh from its .docx on every run, since HR edits the Word files after
`generer`. All of a run's PDFs are copied or converted into a staging folder first; only the
leaders whose documents all succeeded are moved into place, so the folder never mixes a
half-finished run with the last one.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.kinds import by_role
from ..documents.naming import archive_stem
from ..documents.pdf import PdfSettings
from ..documents.placeholders import placeholders_left
from ..model import Leder
from ..progress import Progress
from ..signing.record import SignedDocument
from ..store.files import sha256_file
from ..store.manifest import Manifest
from ..store.year import YearFolder, leader_folder
from .formats import PdfFormat, UnknownFormat, pdf_format
from .record import ARCHIVED, PRODUKSJONSFORMAT, Dokumentfil
from ..advice import run


@dataclass
class SignedCopy:
    """A signed copy as signert.json recorded it, found unchanged on disk."""

    path: Path
    sha256: str
    format: PdfFormat


@dataclass
class Plan:
    """One leader's two documents: each a signed copy or a .docx on disk, and where its PDF goes."""

    leder: Leder
    kilder: dict[str, Path]  # rolle -> .docx, for the documents made afresh
    pdfer: dict[str, Path]  # rolle -> final PDF in the arkiv folder
    staging: dict[str, Path]  # rolle -> where the converter (or the copy) writes it first
    signerte: dict[str, SignedCopy] = field(default_factory=dict)  # rolle -> archived byte for byte
    # rolle -> «[Fylles ut …]» left in its .docx, for the documents made afresh only: a signed copy is
    # what was signed, whatever its .docx holds now.
    placeholders: dict[str, int] = field(default_factory=dict)


@dataclass
class Converted:
    """What `convert_into_place` did: the leaders whose PDFs are in place, and what failed."""

    done: list[Plan] = field(default_factory=list)
    feil: list[tuple[Leder, str]] = field(default_factory=list)  # (leader, «lederavtalen: why»)


def rolle_navn(rolle: str) -> str:
    return by_role(rolle).navn[0]


def plan(manifest: Manifest, year: YearFolder, leder: Leder, nynorsk: bool,
         signed: dict[str, SignedDocument] | None = None) -> Plan | str:
    """The leader's documents, or why they cannot be archived. `signed`: rolle -> the signed copy
    to archive for that document (the others are made from their .docx)."""
    entry = manifest.ledere.get(leder.ansattnr)
    if entry is None:
        return f"ingen dokumenter er generert ({run('generer')})"
    signed = signed or {}
    kilder, signerte, stems = {}, {}, {}
    for rolle in (kind.rolle for kind in ARCHIVED):
        fil = entry.file(rolle, "docx")
        if fil is None:
            return f"{rolle_navn(rolle)} er ikke generert ({run(by_role(rolle).command)})"
        docx = year.path / fil.sti
        stems[rolle] = docx.stem
        if rolle in signed:
            copy = signed_copy(year, rolle, signed[rolle])
            if isinstance(copy, str):
                return copy
            signerte[rolle] = copy
        elif not docx.is_file():
            return f"finner ikke «{docx}»"
        else:
            kilder[rolle] = docx
    folder = year.arkiv_leader(leder)
    pdfer = {rolle: folder / f"{archive_stem(by_role(rolle), leder, nynorsk, stem)}.pdf" for rolle, stem in stems.items()}
    staging = {rolle: year.arkiv_staging / f"{leader_folder(leder)}-{rolle}.pdf" for rolle in stems}
    left = {rolle: n for rolle, docx in kilder.items() if (n := placeholders_left(docx))}
    return Plan(leder, kilder, pdfer, staging, signerte, left)


def signed_copy(year: YearFolder, rolle: str, doc: SignedDocument) -> SignedCopy | str:
    """The recorded copy, if it is still the file that was verified; else why not."""
    path = year.path / doc.fil
    name = f"den signerte kopien av {rolle_navn(rolle)}, «{doc.fil}»,"
    if year.path.resolve() not in path.resolve().parents:
        return f"{name} ligger utenfor årsmappen (signert.json er endret for hånd?)"
    if not path.is_file():
        return f"{name} finnes ikke lenger ({run('signert')} på nytt med den signerte kopien)"
    if sha256_file(path) != doc.sha256:
        return (f"{name} er endret etter at den ble lest inn (sjekksummen stemmer ikke med signert.json); "
                "den arkiveres ikke")
    try:
        return SignedCopy(path, doc.sha256, pdf_format(path))
    except UnknownFormat as exc:
        return f"{name} kan ikke arkiveres: {exc}"


def convert_into_place(plans: list[Plan], year: YearFolder, libreoffice: PdfSettings,
                       progress: Progress | None) -> Converted:
    """Convert everything first, then move the leaders whose documents all succeeded into place.

    The Noark 5 metadata of the last run is removed once the PDFs start to change: none may be
    left describing files that are no longer the ones it names.
    """
    staging_dir = year.arkiv_staging
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True)
    try:
        failed = _convert(plans, libreoffice, progress)
        for ansattnr, errors in _copy_signed(plans).items():
            failed.setdefault(ansattnr, {}).update(errors)
        result = Converted()
        for p in plans:
            for rolle, melding in failed.get(p.leder.ansattnr, {}).items():
                result.feil.append((p.leder, f"{rolle_navn(rolle)}: {melding}"))
        result.done = [p for p in plans if p.leder.ansattnr not in failed]
        for path in (year.arkivstruktur, year.import_csv):
            path.unlink(missing_ok=True)
        for p in result.done:
            for rolle, pdf in p.pdfer.items():
                pdf.parent.mkdir(parents=True, exist_ok=True)
                os.replace(p.staging[rolle], pdf)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    return result


def _convert(plans: list[Plan], libreoffice: PdfSettings, progress: Progress | None) -> dict[str, dict[str, str]]:
    """Convert every planned .docx; returns Ansattnr -> rolle -> error for those that failed.

    The converter hands back only PDF/A-2b (`pdf.pdfa_2b_problem`), what the records system takes.
    """
    if not any(p.kilder for p in plans):
        return {}
    owner = {}
    with libreoffice.converter() as converter:
        for p in plans:
            for rolle, docx in p.kilder.items():
                converter.submit(docx, p.staging[rolle])
                owner[p.staging[rolle]] = (p.leder.ansattnr, rolle)
        # The PDF stage as every job shows it: file by file, not batch by batch.
        conversions = converter.wait(progress)
    failed: dict[str, dict[str, str]] = {}
    for conversion in conversions:
        if not conversion.ok:
            ansattnr, rolle = owner[Path(conversion.pdf)]
            failed.setdefault(ansattnr, {})[rolle] = str(conversion.feil or "konverteringen feilet")
    return failed


def _copy_signed(plans: list[Plan]) -> dict[str, dict[str, str]]:
    """The signed copies into staging, byte for byte; returns Ansattnr -> rolle -> error for a copy
    that changed since it was checked (what goes out must be the file that was verified)."""
    failed: dict[str, dict[str, str]] = {}
    for p in plans:
        for rolle, copy in p.signerte.items():
            shutil.copyfile(copy.path, p.staging[rolle])
            if sha256_file(p.staging[rolle]) != copy.sha256:
                failed.setdefault(p.leder.ansattnr, {})[rolle] = (
                    f"den signerte kopien «{copy.path.name}» ble endret mens arkivpakken ble laget")
    return failed


def remove_other_pdfs(year: YearFolder, keep: set[Path]) -> None:
    """Make the folder match the Noark 5 XML: PDFs of leaders no longer included go.

    fiks/ is left alone here: each message folder holds its own copies and is replaced whole.
    """
    arkiv_dir, fiks_dir = year.arkiv, year.fiks
    if not arkiv_dir.exists():
        return
    for pdf in arkiv_dir.rglob("*.pdf"):
        if pdf not in keep and fiks_dir not in pdf.parents:
            pdf.unlink(missing_ok=True)
    folders = (p for p in arkiv_dir.rglob("*") if p.is_dir() and p != fiks_dir and fiks_dir not in p.parents)
    for folder in sorted(folders, reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def dokumentfil(year: YearFolder, plan: Plan, rolle: str) -> Dokumentfil:
    """The PDF in place, described by what is on disk (and, for a signed copy, by its real format)."""
    pdf = plan.pdfer[rolle]
    described = Dokumentfil(
        rolle=rolle,
        sti=pdf.relative_to(year.arkiv).as_posix(),
        sha256=sha256_file(pdf),
        storrelse=pdf.stat().st_size,
    )
    copy = plan.signerte.get(rolle)
    if copy is not None:
        described.konvertert = False
        described.filformat = copy.format.kode
        if not copy.format.pdfa:
            described.variantformat = PRODUKSJONSFORMAT
    return described
