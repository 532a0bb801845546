"""The Noark 5 export's PDF/A files under `arkiv/`, made from the .docx files as they are now.

HR edits and signs the Word files after `generer`, so every run converts them afresh. All of a
run's PDFs are converted into a staging folder first; only the leaders whose documents all
succeeded are moved into place, so the folder never mixes a half-finished run with the last one.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.kinds import by_role
from ..documents.naming import archive_stem
from ..documents.pdf import PdfSettings
from ..model import Leder
from ..progress import Progress
from ..store.files import sha256_file
from ..store.manifest import Manifest
from ..store.year import YearFolder, leader_folder
from .record import ARCHIVED, Dokumentfil

PROGRESS_LABEL = "Lager PDF/A for arkivet"


@dataclass
class Plan:
    """One leader's two documents: the .docx on disk and where its PDF goes."""

    leder: Leder
    kilder: dict[str, Path]  # rolle -> .docx
    pdfer: dict[str, Path]  # rolle -> final PDF in the arkiv folder
    staging: dict[str, Path]  # rolle -> where the converter writes it first


@dataclass
class Converted:
    """What `convert_into_place` did: the leaders whose PDFs are in place, and what failed."""

    done: list[Plan] = field(default_factory=list)
    feil: list[tuple[Leder, str]] = field(default_factory=list)  # (leader, «lederavtalen: why»)


def rolle_navn(rolle: str) -> str:
    return by_role(rolle).navn[0]


def plan(manifest: Manifest, year: YearFolder, leder: Leder, nynorsk: bool) -> Plan | str:
    """The leader's documents, or why they cannot be archived."""
    entry = manifest.ledere.get(leder.ansattnr)
    if entry is None:
        return "ingen dokumenter er generert (kjør «lederavtale generer»)"
    kilder = {}
    for rolle in (kind.rolle for kind in ARCHIVED):
        fil = entry.file(rolle, "docx")
        if fil is None:
            return f"{rolle_navn(rolle)} er ikke generert (kjør «lederavtale {by_role(rolle).command}»)"
        docx = year.path / fil.sti
        if not docx.is_file():
            return f"finner ikke «{docx}»"
        kilder[rolle] = docx
    folder = year.arkiv_leader(leder)
    pdfer = {rolle: folder / f"{archive_stem(by_role(rolle), leder, nynorsk, docx.stem)}.pdf"
             for rolle, docx in kilder.items()}
    staging = {rolle: year.arkiv_staging / f"{leader_folder(leder)}-{rolle}.pdf" for rolle in kilder}
    return Plan(leder, kilder, pdfer, staging)


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
    if not plans:
        return {}
    owner = {}
    total, finished = 2 * len(plans), []

    def on_done(conversion) -> None:
        finished.append(conversion)
        if progress:
            progress(PROGRESS_LABEL, len(finished), total)

    with libreoffice.converter(on_done) as converter:
        for p in plans:
            for rolle, docx in p.kilder.items():
                converter.submit(docx, p.staging[rolle])
                owner[p.staging[rolle]] = (p.leder.ansattnr, rolle)
        conversions = converter.wait()
    failed: dict[str, dict[str, str]] = {}
    for conversion in conversions:
        if not conversion.ok:
            ansattnr, rolle = owner[Path(conversion.pdf)]
            failed.setdefault(ansattnr, {})[rolle] = str(conversion.feil or "konverteringen feilet")
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


def dokumentfil(year: YearFolder, rolle: str, pdf: Path) -> Dokumentfil:
    return Dokumentfil(
        rolle=rolle,
        sti=pdf.relative_to(year.arkiv).as_posix(),
        sha256=sha256_file(pdf),
        storrelse=pdf.stat().st_size,
    )
