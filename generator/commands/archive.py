"""`arkiv`: the archive package for the records system, from the documents as they are now.

The package is rebuilt from the .docx files on disk on every run, because HR edits and signs
those after `generer`: each becomes a fresh PDF/A-2b, and the metadata describes the PDFs
actually written. Two forms of the same facts come out: the Noark 5 export (`arkivstruktur.xml`,
`import.csv`) and one Fiks Arkiv message per leader under `fiks/`. With `--kvitteringer`, the
archive's receipts are read back into `arkivert.json`, and a leader the archive has confirmed is
never packaged again unless asked for by name.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pikepdf

from ..archive.arkivert import REPORT_COLUMN, Arkivert, description, report_column
from ..archive.fiks import (
    DOKUMENTFIL,
    FIKS_DIRNAME,
    MELDING_NAME,
    build_arkivmelding,
    folder_name,
    parse_xml,
    schema_problems,
)
from ..archive.noark5 import CSV_NAME, XML_NAME, build_csv, build_xml
from ..archive.receipts import Avvist, read_folder
from ..archive.record import (
    ARCHIVED,
    ARKIV_DIRNAME,
    FAGSYSTEM,
    Arkivpakke,
    Dokumentfil,
    Journalpost,
    check_placement,
    ekstern_noekkel,
    journalpost_tittel,
    norsk_tid,
    offentlig_tittel,
)
from ..documents.kinds import by_role
from ..documents.naming import archive_stem
from ..documents.pdf import PdfSettings
from ..documents.placeholders import placeholders_left
from ..documents.privacy import PrivacyGuard
from ..exceptions import LederavtaleError, PartialFailure, WorkbookError
from ..model import Arbeidsbok, Leder, Problem
from ..plural import antall
from ..progress import Progress
from ..store.files import (
    atomic_write_bytes,
    remove_stale_temp_files,
    sha256_file,
)
from ..store.lock import RunLock
from ..store.manifest import Manifest
from ..store.report import REPORT_NAME, update_column
from ..store.year import folder_key, leader_folder, require_generated
from ..store.year import year_dir as year_folder
from ..workbook import read_workbook
from ..workbook.selection import select_leaders

# PDFs are converted here first and moved into place only when the whole batch is done.
STAGING_DIRNAME = ".konvertering"
# A leader's message folder is assembled here, then swapped in whole: a Fiks IO integration
# reading fiks/ never sees half a message.
FIKS_STAGING_PREFIX = ".ny-"
FIKS_OLD_PREFIX = ".gammel-"


@dataclass
class ArkivResultat:
    arkiv_dir: Path
    alle: bool = False
    journalposter: list[Journalpost] = field(default_factory=list)
    ikke_signert: list[Leder] = field(default_factory=list)
    arkivert: list[Leder] = field(default_factory=list)  # confirmed by the archive: not packaged again
    igjen: list[Leder] = field(default_factory=list)  # confirmed, but packaged again on request
    meldinger: list[Path] = field(default_factory=list)  # the Fiks message folders written
    feil: list[str] = field(default_factory=list)
    advarsler: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [
            f"Arkivpakke: {antall(len(self.journalposter), 'lederavtale', 'lederavtaler')} med vedlegg i {self.arkiv_dir}",
            f"  Noark 5: {XML_NAME} og {CSV_NAME} (regneark)",
            (f"  Fiks Arkiv: {antall(len(self.meldinger), 'melding', 'meldinger')} i {self.arkiv_dir / FIKS_DIRNAME}, "
             "én mappe per leder, klare for kommunens Fiks IO-integrasjon"),
        ]
        if self.arkivert:
            lines.append(f"Allerede arkivert ({len(self.arkivert)}), ifølge kvitteringene i arkivert.json; "
                         "ikke pakket på nytt (--arkiver-igjen --leder ANSATTNR sender en leder på nytt):")
            lines += [f"  {leder.ansattnr} {leder.navn}" for leder in self.arkivert]
        if self.igjen:
            lines.append(f"Arkivert før, men pakket på nytt fordi du ba om det ({len(self.igjen)}):")
            lines += [f"  {leder.ansattnr} {leder.navn}" for leder in self.igjen]
        if self.ikke_signert:
            if self.alle:
                lines.append(f"Ikke signert ennå ({len(self.ikke_signert)}), men tatt med fordi --alle er brukt "
                             "(arkiveres som under redigering, ikke som ferdige):")
            else:
                lines.append(f"Ikke signert ennå ({len(self.ikke_signert)}), og derfor ikke med (--alle tar dem med):")
            lines += [f"  {leder.ansattnr} {leder.navn}" for leder in self.ikke_signert]
        if self.advarsler:
            lines.append("Advarsel – avtaler som fortsatt har felt som skal fylles ut i ledersamtalen:")
            lines += [f"  {line}" for line in self.advarsler]
        return lines

    def failure(self) -> PartialFailure | None:
        if not self.feil:
            return None
        return PartialFailure(self.feil, heading="Noen dokumenter kom ikke med i arkivpakken:")

    def raise_for_failures(self) -> None:
        failure = self.failure()
        if failure:
            raise failure


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
    arkiver_igjen: tuple[str, ...] | list[str] = (),
) -> ArkivResultat:
    """Build `<ut>/<år>/arkiv/` from the documents on disk.

    `arkiver_igjen`: Ansattnr of leaders to package although the archive has confirmed them.
    Failed or missing documents are listed in the result (`raise_for_failures()` turns them
    into exit code 3); everything else is written completely.
    """
    bok = read_workbook(Path(workbook))
    # Everything that can stop the run does so before any work.
    check_placement(bok.kommune)
    _check_titles(bok)
    igjen = {leder.ansattnr for leder in select_leaders(bok, arkiver_igjen)} if arkiver_igjen else set()
    _check_fiks_folders(bok)
    year_dir = year_folder(bok, ut)
    require_generated(year_dir, workbook, "arkiv")
    libreoffice = libreoffice.checked()  # before touching the package
    with RunLock(year_dir):
        manifest = Manifest.load(year_dir)  # as it is now that no `generer` can be writing
        arkivert = Arkivert(year_dir / ARKIV_DIRNAME)  # a damaged record stops the run here
        return _build(bok, manifest, year_dir, alle, igjen, arkivert, _Converting(libreoffice, progress),
                      norsk_tid(now))


def _check_titles(bok: Arbeidsbok) -> None:
    """The titles are public (the records system's public journal shows them): no goal text in them."""
    guard = PrivacyGuard(bok)
    ar = bok.kommune.periode.ar
    for leder in bok.avtaleledere():
        titles = (journalpost_tittel(leder, ar), offentlig_tittel(leder, ar, bok.kommune.skjerm_navn))
        guard.check("\n".join(titles), leder, ("arkivtittelen", "Arkivpakken"))


def _check_fiks_folders(bok: Arbeidsbok) -> None:
    """Two leaders must never share a message folder; on Windows «A100» and «a100» would."""
    first: dict[str, Leder] = {}
    problems = []
    for leder in bok.avtaleledere():
        other = first.setdefault(folder_key(folder_name(leder.ansattnr)), leder)
        if other is not leder:
            problems.append(Problem(f"Ledere rad {leder.rad}",
                                    f"Ansattnr «{leder.ansattnr}» og «{other.ansattnr}» (rad {other.rad}) får samme "
                                    f"mappe under {FIKS_DIRNAME}/ på Windows; gi dem Ansattnr som skiller seg i mer "
                                    "enn store og små bokstaver"))
    if problems:
        raise WorkbookError(problems)


@dataclass
class _Converting:
    libreoffice: PdfSettings
    progress: Progress | None


def _build(
    bok: Arbeidsbok, manifest: Manifest, year_dir: Path, alle: bool, igjen: set[str], arkivert: Arkivert,
    converting: _Converting, now: datetime,
) -> ArkivResultat:
    arkiv_dir = year_dir / ARKIV_DIRNAME
    result = ArkivResultat(arkiv_dir, alle)
    avtaleledere = bok.avtaleledere()
    valgt = avtaleledere if alle else [leder for leder in avtaleledere if leder.signert is not None]
    result.arkivert = [leder for leder in valgt if arkivert.has(leder.ansattnr) and leder.ansattnr not in igjen]
    result.igjen = [leder for leder in valgt if arkivert.has(leder.ansattnr) and leder.ansattnr in igjen]
    skipped = {leder.ansattnr for leder in result.arkivert}
    valgt = [leder for leder in valgt if leder.ansattnr not in skipped]
    result.ikke_signert = [leder for leder in avtaleledere if leder.signert is None and leder.ansattnr not in skipped]

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
            avtale=_dokumentfil(arkiv_dir, "avtale", plan.pdfer["avtale"]),
            vedlegg=_dokumentfil(arkiv_dir, "vedlegg", plan.pdfer["vedlegg"]),
        )
        for plan in done
    ]
    pakke = Arkivpakke(bok.kommune, result.journalposter, now)
    atomic_write_bytes(arkiv_dir / XML_NAME, build_xml(pakke))
    atomic_write_bytes(arkiv_dir / CSV_NAME, build_csv(pakke))
    _write_fiks(arkiv_dir, pakke, result)
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
    return by_role(rolle).navn[0]


def _plan(
    manifest: Manifest, year_dir: Path, arkiv_dir: Path, staging_dir: Path, leder: Leder, nynorsk: bool
) -> _Plan | str:
    """The leader's documents, or why they cannot be archived."""
    entry = manifest.ledere.get(leder.ansattnr)
    if entry is None:
        return "ingen dokumenter er generert (kjør «lederavtale generer»)"
    kilder = {}
    for rolle in (kind.rolle for kind in ARCHIVED):
        fil = entry.file(rolle, "docx")
        if fil is None:
            return f"{_rolle_navn(rolle)} er ikke generert (kjør «lederavtale {by_role(rolle).command}»)"
        docx = year_dir / fil.sti
        if not docx.is_file():
            return f"finner ikke «{docx}»"
        kilder[rolle] = docx
    folder = arkiv_dir / leader_folder(leder)
    pdfer = {rolle: folder / f"{archive_stem(by_role(rolle), leder, nynorsk, docx.stem)}.pdf"
             for rolle, docx in kilder.items()}
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
    """Make the folder match the Noark 5 XML: PDFs of leaders no longer included go.

    fiks/ is left alone here: each message folder holds its own copies and is replaced whole.
    """
    if not arkiv_dir.exists():
        return
    fiks_dir = arkiv_dir / FIKS_DIRNAME
    for pdf in arkiv_dir.rglob("*.pdf"):
        if pdf not in keep and fiks_dir not in pdf.parents:
            pdf.unlink(missing_ok=True)
    folders = (p for p in arkiv_dir.rglob("*") if p.is_dir() and p != fiks_dir and fiks_dir not in p.parents)
    for folder in sorted(folders, reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _dokumentfil(arkiv_dir: Path, rolle: str, pdf: Path) -> Dokumentfil:
    return Dokumentfil(
        rolle=rolle,
        sti=pdf.relative_to(arkiv_dir).as_posix(),
        sha256=sha256_file(pdf),
        storrelse=pdf.stat().st_size,
    )


# --- fiks/ -------------------------------------------------------------------------------------


def _write_fiks(arkiv_dir: Path, pakke: Arkivpakke, result: ArkivResultat) -> None:
    """One message folder per journalpost; every other entry under fiks/ goes, so the folder
    holds exactly what should be sent (a leader the archive has confirmed is no longer there)."""
    fiks_dir = arkiv_dir / FIKS_DIRNAME
    keep = set()
    for jp in pakke.journalposter:
        melding = build_arkivmelding(pakke, jp)
        problems = schema_problems(parse_xml(melding))
        if problems:
            # Never sent as it is: the archive would refuse it. A fault in this tool, not in the data.
            result.feil.append(f"{jp.leder.ansattnr} {jp.leder.navn}: Fiks-meldingen følger ikke skjemaet "
                               f"({'; '.join(problems[:3])})")
            continue
        name = folder_name(jp.leder.ansattnr)
        _replace_folder(fiks_dir, name, jp, melding, arkiv_dir)
        keep.add(name)
        result.meldinger.append(fiks_dir / name)
    _remove_other_messages(fiks_dir, keep)


def _replace_folder(fiks_dir: Path, name: str, jp: Journalpost, melding: bytes, arkiv_dir: Path) -> None:
    staging, old, target = (fiks_dir / f"{FIKS_STAGING_PREFIX}{name}", fiks_dir / f"{FIKS_OLD_PREFIX}{name}",
                            fiks_dir / name)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for fil in jp.dokumenter:
        shutil.copyfile(arkiv_dir / fil.sti, staging / DOKUMENTFIL[fil.rolle])
    # Last, so that a folder with a message in it always has its files.
    (staging / MELDING_NAME).write_bytes(melding)
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_other_messages(fiks_dir: Path, keep: set[str]) -> list[str]:
    """Remove every entry under fiks/ but `keep`; returns the message folders removed."""
    removed = []
    if not fiks_dir.is_dir():
        return removed
    for entry in fiks_dir.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
            if not entry.name.startswith("."):
                removed.append(entry.name)
        else:
            entry.unlink(missing_ok=True)
    if not any(fiks_dir.iterdir()):
        fiks_dir.rmdir()
    return removed


# --- receipts ----------------------------------------------------------------------------------


@dataclass
class KvitteringResultat:
    arkivert_path: Path
    nye: list[tuple[Leder, dict]] = field(default_factory=list)
    uendret: list[tuple[Leder, dict]] = field(default_factory=list)
    endret: list[tuple[Leder, dict]] = field(default_factory=list)
    avvist: list[Avvist] = field(default_factory=list)
    fjernet: list[str] = field(default_factory=list)  # fiks/ folders of leaders now confirmed
    advarsler: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lest = len(self.nye) + len(self.uendret) + len(self.endret) + len(self.avvist)
        if not lest:
            return ["Fant ingen kvitteringer å lese."]
        lines = [f"Kvitteringer: {antall(len(self.nye), 'ny', 'nye')} registrert i {self.arkivert_path}"]
        lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in self.nye]
        if self.uendret:
            lines.append(f"Allerede registrert fra før ({len(self.uendret)}), ingenting endret:")
            lines += [f"  {leder.ansattnr} {leder.navn}" for leder, _ in self.uendret]
        if self.endret:
            lines.append(f"Advarsel – arkivet melder en annen registrering enn før ({len(self.endret)}); "
                         "den nye er registrert, den gamle står under «tidligere» i arkivert.json. "
                         "Sjekk i arkivet at lederen ikke er arkivert to ganger:")
            lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in self.endret]
        if self.fjernet:
            lines.append(f"Fjernet fra {FIKS_DIRNAME}/ fordi arkivet har kvittert: {', '.join(self.fjernet)}")
        lines += [f"Advarsel: {line}" for line in self.advarsler]
        return lines

    def failure(self) -> PartialFailure | None:
        if not self.avvist:
            return None
        return PartialFailure([str(a) for a in self.avvist],
                              heading="Noen kvitteringer kunne ikke brukes (de andre er registrert):")

    def raise_for_failures(self) -> None:
        failure = self.failure()
        if failure:
            raise failure


def read_receipts(workbook: Path, kvitteringer: Path, ut: Path = Path("output"),
                  now: datetime | None = None) -> KvitteringResultat:
    """Read every receipt in `kvitteringer` into `<ut>/<år>/arkiv/arkivert.json`.

    Receipts that cannot be used are listed in the result (exit code 3); the others are recorded,
    and what was recorded before is never lost.
    """
    bok = read_workbook(Path(workbook))
    folder = Path(kvitteringer)
    if not folder.is_dir():
        raise LederavtaleError(f"Finner ikke mappen «{folder}» med kvitteringer fra arkivet.")
    ar = bok.kommune.periode.ar
    ledere = {ekstern_noekkel(bok.kommune, leder.ansattnr): leder for leder in bok.avtaleledere()}
    year_dir = year_folder(bok, ut)
    lest = norsk_tid(now)
    with RunLock(year_dir):
        arkiv_dir = year_dir / ARKIV_DIRNAME
        arkivert = Arkivert(arkiv_dir)
        result = KvitteringResultat(arkivert.path)
        gode, result.avvist = read_folder(folder)
        for kvittering in gode:
            leder = ledere.get(kvittering.noekkel) if kvittering.fagsystem == FAGSYSTEM else None
            if leder is None:
                result.avvist.append(Avvist(kvittering.fil, f"nøkkelen «{kvittering.fagsystem}: {kvittering.noekkel}» "
                                            f"hører ikke til noen leder med avtale i arbeidsboken for {ar}"))
                continue
            outcome = arkivert.record(leder.ansattnr, leder.navn, kvittering, lest)
            found = {"ny": result.nye, "uendret": result.uendret, "endret": result.endret}[outcome]
            if outcome == "endret":
                # Several conflicting receipts for one leader: one warning, with the record kept.
                found[:] = [(other, entry) for other, entry in found if other is not leder]
            found.append((leder, arkivert.ledere[leder.ansattnr]))
        result.avvist.sort(key=lambda a: a.fil)
        if result.nye or result.endret:
            arkivert.save()
        confirmed = {leder.ansattnr for leder, _ in result.nye + result.endret}
        result.fjernet = _remove_confirmed(arkiv_dir / FIKS_DIRNAME, confirmed)
        _update_report(year_dir, result)
    return result


def _remove_confirmed(fiks_dir: Path, confirmed: set[str]) -> list[str]:
    """A message the archive has just confirmed must not be sent again: its folder leaves fiks/.

    Only for records first noted in this run. A receipt never removes a package made after it
    was first recorded: from then on only --arkiver-igjen packages the leader, on purpose, and a
    reread finds the record already noted (also one that a conflicting receipt has since moved
    to «tidligere»). The run lock orders this against `arkiv`, so no clock is compared: every
    package in fiks/ now was made before this run noted its receipts.
    """
    if not fiks_dir.is_dir():
        return []
    keep = {entry.name for entry in fiks_dir.iterdir()} - {folder_name(nr) for nr in confirmed}
    return _remove_other_messages(fiks_dir, keep)


def _update_report(year_dir: Path, result: KvitteringResultat) -> None:
    report = year_dir / REPORT_NAME
    if not report.is_file():
        return
    try:
        update_column(report, REPORT_COLUMN, report_column(year_dir))
    except OSError as exc:
        # The receipts are safe in arkivert.json; the report catches up on the next run.
        result.advarsler.append(f"«{report}» kunne ikke oppdateres ({exc.strerror or exc}); er den åpen i Excel? "
                                "Kvitteringene er likevel registrert.")
