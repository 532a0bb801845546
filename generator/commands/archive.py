"""`arkiv`: the archive package for the records system, from the documents as they are now.

The package is rebuilt from the .docx files on disk on every run, because HR edits and signs
those after `generer`: each becomes a fresh PDF/A-2b, and the metadata describes the PDFs
actually written.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pikepdf

from ..archive.noark5 import (
    CSV_NAME,
    XML_NAME,
    Arkivpakke,
    Dokumentfil,
    Journalpost,
    build_csv,
    build_xml,
    parse_arkivsak,
)
from ..documents.pdf import PdfSettings
from ..documents.placeholders import placeholders_left
from ..exceptions import PartialFailure
from ..model import Arbeidsbok, Leder
from ..progress import Progress
from ..store.files import (
    atomic_write_bytes,
    remove_stale_temp_files,
    sha256_file,
)
from ..store.lock import RunLock
from ..store.manifest import Manifest
from ..store.year import leader_folder, require_generated
from ..store.year import year_dir as year_folder
from ..workbook import read_workbook

ARKIV_DIRNAME = "arkiv"
# PDFs are converted here first and moved into place only when the whole batch is done.
STAGING_DIRNAME = ".konvertering"


@dataclass
class ArkivResultat:
    arkiv_dir: Path
    alle: bool = False
    journalposter: list[Journalpost] = field(default_factory=list)
    ikke_signert: list[Leder] = field(default_factory=list)
    feil: list[str] = field(default_factory=list)
    advarsler: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [
            f"Arkivpakke: {len(self.journalposter)} lederavtaler med vedlegg i {self.arkiv_dir}",
            f"  Metadata: {XML_NAME} (Noark 5) og {CSV_NAME} (regneark)",
        ]
        if self.ikke_signert:
            if self.alle:
                lines.append(f"Ikke signert ennå ({len(self.ikke_signert)}), men tatt med fordi --alle er brukt:")
            else:
                lines.append(f"Ikke signert ennå ({len(self.ikke_signert)}), og derfor ikke med (--alle tar dem med):")
            lines += [f"  {leder.ansattnr} {leder.navn}" for leder in self.ikke_signert]
        if self.advarsler:
            lines.append("Advarsel – avtaler som fortsatt har felt som skal fylles ut i ledersamtalen:")
            lines += [f"  {line}" for line in self.advarsler]
        return lines

    def raise_for_failures(self) -> None:
        if self.feil:
            raise PartialFailure(self.feil, heading="Noen dokumenter kom ikke med i arkivpakken:")


@dataclass
class _Plan:
    """One leader's two documents: the .docx on disk and where its PDF goes."""

    leder: Leder
    kilder: dict[str, Path]  # rolle -> .docx
    pdfer: dict[str, Path]  # rolle -> final PDF in the arkiv folder
    staging: dict[str, Path]  # rolle -> where the converter writes it first


def build_archive(
    workbook: Path,
    ut: Path = Path("output"),
    alle: bool = False,
    libreoffice: PdfSettings = PdfSettings(),
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ArkivResultat:
    """Build `<ut>/<år>/arkiv/` from the documents on disk.

    Failed or missing documents are listed in the result (`raise_for_failures()` turns them
    into exit code 3); everything else is written completely.
    """
    bok = read_workbook(Path(workbook))
    ar = bok.kommune.periode.ar
    parse_arkivsak(bok.kommune.arkivsak, ar)  # a bad case number stops the run before any work
    year_dir = year_folder(bok, ut)
    require_generated(year_dir, workbook, "arkiv")
    libreoffice = libreoffice.checked()  # before touching the package
    with RunLock(year_dir):
        manifest = Manifest.load(year_dir)  # as it is now that no `generer` can be writing
        return _build(bok, manifest, year_dir, alle, _Converting(libreoffice, progress),
                      now or datetime.now().astimezone())


@dataclass
class _Converting:
    libreoffice: PdfSettings
    progress: Progress | None


def _build(
    bok: Arbeidsbok, manifest: Manifest, year_dir: Path, alle: bool, converting: _Converting, now: datetime
) -> ArkivResultat:
    arkiv_dir = year_dir / ARKIV_DIRNAME
    result = ArkivResultat(arkiv_dir, alle)
    avtaleledere = bok.avtaleledere()
    nummer = {leder.ansattnr: i for i, leder in enumerate(avtaleledere, start=1)}
    result.ikke_signert = [leder for leder in avtaleledere if leder.signert is None]
    valgt = avtaleledere if alle else [leder for leder in avtaleledere if leder.signert is not None]

    staging_dir = arkiv_dir / STAGING_DIRNAME
    plans = []
    for leder in valgt:
        plan = _plan(manifest, year_dir, arkiv_dir, staging_dir, leder, bok.kommune.malform == "nynorsk")
        if isinstance(plan, str):
            result.feil.append(f"{leder.ansattnr} {leder.navn}: {plan}")
            continue
        plans.append(plan)
        left = placeholders_left(plan.kilder["avtale"])
        if left:
            result.advarsler.append(f"{leder.ansattnr} {leder.navn}: {plan.kilder['avtale'].name} har "
                                    f"{left} «[Fylles ut …]» igjen")
    if arkiv_dir.exists():
        remove_stale_temp_files(arkiv_dir)
    done = _convert_into_place(plans, arkiv_dir, staging_dir, converting, result)
    _remove_other_pdfs(arkiv_dir, {pdf for plan in done for pdf in plan.pdfer.values()})

    result.journalposter = [
        Journalpost(
            leder=plan.leder,
            overordnet=bok.overordnet(plan.leder),
            nummer=nummer[plan.leder.ansattnr],
            avtale=_dokumentfil(arkiv_dir, "avtale", plan.pdfer["avtale"]),
            vedlegg=_dokumentfil(arkiv_dir, "vedlegg", plan.pdfer["vedlegg"]),
        )
        for plan in done
    ]
    pakke = Arkivpakke(bok.kommune, result.journalposter, now)
    atomic_write_bytes(arkiv_dir / XML_NAME, build_xml(pakke))
    atomic_write_bytes(arkiv_dir / CSV_NAME, build_csv(pakke))
    return result


def _convert_into_place(
    plans: list[_Plan], arkiv_dir: Path, staging_dir: Path, converting: _Converting, result: ArkivResultat
) -> list[_Plan]:
    """Convert everything first, then move the leaders whose documents all succeeded into place."""
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True)
    try:
        failed = _convert(plans, converting)
        for plan in plans:
            for rolle, melding in failed.get(plan.leder.ansattnr, {}).items():
                result.feil.append(f"{plan.leder.ansattnr} {plan.leder.navn}: {_rolle_navn(rolle)}: {melding}")
        done = [plan for plan in plans if plan.leder.ansattnr not in failed]
        # From here on the PDFs change, so no old metadata may be left describing them.
        for name in (XML_NAME, CSV_NAME):
            (arkiv_dir / name).unlink(missing_ok=True)
        for plan in done:
            for rolle, pdf in plan.pdfer.items():
                pdf.parent.mkdir(parents=True, exist_ok=True)
                os.replace(plan.staging[rolle], pdf)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    return done


def _rolle_navn(rolle: str) -> str:
    return "lederavtalen" if rolle == "avtale" else "vedlegget"


def _plan(
    manifest: Manifest, year_dir: Path, arkiv_dir: Path, staging_dir: Path, leder: Leder, nynorsk: bool
) -> _Plan | str:
    """The leader's documents, or why they cannot be archived."""
    entry = manifest.ledere.get(leder.ansattnr)
    if entry is None:
        return "ingen dokumenter er generert (kjør «lederavtale generer»)"
    kilder = {}
    for rolle in ("avtale", "vedlegg"):
        fil = entry.file(rolle, "docx")
        if fil is None:
            return f"{_rolle_navn(rolle)} er ikke generert (kjør «lederavtale generer»)"
        docx = year_dir / fil.sti
        if not docx.is_file():
            return f"finner ikke «{docx}»"
        kilder[rolle] = docx
    folder = arkiv_dir / leader_folder(leder)
    pdfer = {
        "avtale": folder / f"{kilder['avtale'].stem}.pdf",
        # The archive folder is internal, but the appendix's name need not tell whose it is.
        "vedlegg": folder / f"{leder.ansattnr} Vedlegg {'unnateke offentlegheit' if nynorsk else 'unntatt offentlighet'}.pdf",
    }
    staging = {rolle: staging_dir / f"{leader_folder(leder)}-{rolle}.pdf" for rolle in kilder}
    return _Plan(leder, kilder, pdfer, staging)


def _convert(plans: list[_Plan], converting: _Converting) -> dict[str, dict[str, str]]:
    """Convert every planned .docx; returns Ansattnr -> rolle -> error for those that failed."""
    if not plans:
        return {}
    owner = {}
    total, finished = 2 * len(plans), []

    def on_done(conversion) -> None:
        finished.append(conversion)
        if converting.progress:
            converting.progress("Lager PDF/A for arkivet", len(finished), total)

    with converting.libreoffice.converter(on_done) as converter:
        for plan in plans:
            for rolle, docx in plan.kilder.items():
                converter.submit(docx, plan.staging[rolle])
                owner[plan.staging[rolle]] = (plan.leder.ansattnr, rolle)
        conversions = converter.wait()
    failed: dict[str, dict[str, str]] = {}
    for conversion in conversions:
        ansattnr, rolle = owner[Path(conversion.pdf)]
        if conversion.ok:
            error = _not_pdfa_2b(Path(conversion.pdf))
        else:
            error = str(conversion.feil or "konverteringen feilet")
        if error:
            failed.setdefault(ansattnr, {})[rolle] = error
    return failed


def _not_pdfa_2b(pdf: Path) -> str:
    """Why the file is not PDF/A-2b, or "" when it is (the records system rejects anything else)."""
    try:
        with pikepdf.open(pdf) as document:
            meta = document.open_metadata()
            part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except (OSError, pikepdf.PdfError) as exc:
        return f"PDF-filen kan ikke leses ({exc})"
    if str(part) != "2" or str(conformance).upper() != "B":
        return f"PDF-filen er ikke PDF/A-2b (pdfaid part={part}, conformance={conformance})"
    return ""


def _remove_other_pdfs(arkiv_dir: Path, keep: set[Path]) -> None:
    """Make the folder match the XML: PDFs of leaders no longer included go."""
    if not arkiv_dir.exists():
        return
    for pdf in arkiv_dir.rglob("*.pdf"):
        if pdf not in keep:
            pdf.unlink(missing_ok=True)
    for folder in sorted((p for p in arkiv_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _dokumentfil(arkiv_dir: Path, rolle: str, pdf: Path) -> Dokumentfil:
    return Dokumentfil(
        rolle=rolle,
        sti=pdf.relative_to(arkiv_dir).as_posix(),
        sha256=sha256_file(pdf),
        storrelse=pdf.stat().st_size,
    )
