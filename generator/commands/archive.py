"""`arkiv`: the archive package for the records system, from the documents as they are now.

The package is rebuilt from the .docx files on disk on every run, because HR edits and signs
those after `generer`: each becomes a fresh PDF/A-2b (`archive/pdfs.py`), and the metadata
describes the PDFs actually written. Two forms of the same facts come out: the Noark 5 export
(`arkivstruktur.xml`, `import.csv`) and one Fiks Arkiv message per leader under `fiks/`
(`archive/outbox.py`). With `--kvitteringer`, the archive's receipts are read back into
`arkivert.json` (`archive/receipts.py`), and a leader the archive has confirmed is never
packaged again unless asked for by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..archive import pdfs
from ..archive.arkivert import Arkivert, description, update_report
from ..archive.fiks import folder_name
from ..archive.noark5 import CSV_NAME, XML_NAME, build_csv, build_xml
from ..archive.outbox import check_folder_names, remove_confirmed, write_outbox
from ..archive.receipts import Noted, note_receipts
from ..archive.record import (
    Arkivpakke,
    Journalpost,
    check_placement,
    journalpost_tittel,
    norsk_tid,
    offentlig_tittel,
)
from ..documents.kinds import AGREEMENT, APPENDIX
from ..documents.pdf import PdfSettings
from ..documents.placeholders import placeholders_left
from ..documents.privacy import PrivacyGuard
from ..exceptions import LederavtaleError, OptionError
from ..job import Job
from ..result import Item, Result
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..store.files import atomic_write_bytes, remove_stale_temp_files
from ..store.lock import RunLock
from ..store.manifest import Manifest, require_generated
from ..store.year import FIKS_DIR, YearFolder
from ..workbook.selection import select_leaders

# What the package did with each leader (Item.status).
PAKKET = "pakket"
ARKIVERT = "arkivert"  # confirmed by the archive: not packaged again
IKKE_SIGNERT = "ikke signert"  # left out until signed (--alle takes them)
FEILET = "feilet"
# What a receipt did (Item.status).
REGISTRERT = "registrert"
UENDRET = "uendret"
ENDRET = "endret"

PACKAGE_FAILED = "Noen dokumenter kom ikke med i arkivpakken:"
RECEIPTS_FAILED = "Noen kvitteringer kunne ikke brukes (de andre er registrert):"


def arkiv(job: Job, alle: bool = False, kvitteringer: Path | None = None, arkiver_igjen: bool = False,
          ledere: tuple[str, ...] | list[str] = (), now: datetime | None = None) -> Result:
    """`arkiv`: the package; with `kvitteringer`, the receipts first, and the package only with
    `alle` or `arkiver_igjen` (`ledere`: who to package again although the archive confirmed them)."""
    if arkiver_igjen and not ledere:
        raise OptionError("--arkiver-igjen krever at du velger ledere med --leder ANSATTNR.")
    if ledere and not arkiver_igjen:
        raise OptionError("--leder brukes bare sammen med --arkiver-igjen.")
    if kvitteringer is None:
        return build_archive(job, alle, ledere, now)
    if not (alle or arkiver_igjen):
        return read_receipts(job, kvitteringer, now)
    # Everything that would stop the package stops it before a receipt is noted, and one lock
    # covers both: no other run comes between the receipts and the package they decide.
    folder = _receipts_folder(job, kvitteringer)
    package = _prepare(job, alle, ledere)
    with RunLock(job.year.path):
        return _read_receipts(job, folder, now).add(_build(job, package, now))


def build_archive(job: Job, alle: bool = False, arkiver_igjen: tuple[str, ...] | list[str] = (),
                  now: datetime | None = None) -> Result:
    """Build `<ut>/<år>/arkiv/` from the documents on disk.

    `arkiver_igjen`: Ansattnr of leaders to package although the archive has confirmed them.
    Failed or missing documents are the result's failures (exit code 3); everything else is
    written completely.
    """
    package = _prepare(job, alle, arkiver_igjen)
    with RunLock(job.year.path):
        return _build(job, package, now)


def read_receipts(job: Job, kvitteringer: Path, now: datetime | None = None) -> Result:
    """Read every receipt in `kvitteringer` into `<ut>/<år>/arkiv/arkivert.json`.

    Receipts that cannot be used are the result's failures (exit code 3); the others are
    recorded, and what was recorded before is never lost.
    """
    folder = _receipts_folder(job, kvitteringer)
    with RunLock(job.year.path):
        return _read_receipts(job, folder, now)


# --- the package -------------------------------------------------------------------------------


@dataclass
class _Package:
    """A package run that has passed every check: only the work is left."""

    alle: bool
    igjen: set[str]
    libreoffice: PdfSettings


def _prepare(job: Job, alle: bool, arkiver_igjen) -> _Package:
    """Everything that can stop the package does so here, before any work."""
    bok = job.bok
    check_placement(bok.kommune)
    _check_titles(bok)
    igjen = {leder.ansattnr for leder in select_leaders(bok, arkiver_igjen)} if arkiver_igjen else set()
    check_folder_names(bok)
    require_generated(job.year.path, job.workbook, "arkiv")
    return _Package(alle, igjen, job.pdf.checked())


def _check_titles(bok: Arbeidsbok) -> None:
    """The titles are public (the records system's public journal shows them): no goal text in them."""
    guard = PrivacyGuard(bok)
    ar = bok.kommune.periode.ar
    for leder in bok.avtaleledere():
        titles = (journalpost_tittel(leder, ar), offentlig_tittel(leder, ar, bok.kommune.skjerm_navn))
        guard.check("\n".join(titles), leder, ("arkivtittelen", "Arkivpakken"))


def _build(job: Job, package: _Package, now: datetime | None) -> Result:
    """The work, under the run lock: PDFs, the Noark 5 export, the Fiks outbox."""
    bok, year = job.bok, job.year
    manifest = Manifest.load(year.path)  # as it is now that no `generer` can be writing
    arkivert = Arkivert(year.arkivert)  # a damaged record stops the run here
    avtaleledere = bok.avtaleledere()
    valgt = avtaleledere if package.alle else [leder for leder in avtaleledere if leder.signert is not None]
    skipped = [leder for leder in valgt if arkivert.has(leder.ansattnr) and leder.ansattnr not in package.igjen]
    igjen = [leder for leder in valgt if arkivert.has(leder.ansattnr) and leder.ansattnr in package.igjen]
    not_again = {leder.ansattnr for leder in skipped}
    valgt = [leder for leder in valgt if leder.ansattnr not in not_again]
    ikke_signert = [leder for leder in avtaleledere if leder.signert is None and leder.ansattnr not in not_again]

    failed, placeholders, plans = [], {}, []
    for leder in valgt:
        plan = pdfs.plan(manifest, year, leder, bok.kommune.malform == "nynorsk")
        if isinstance(plan, str):
            failed.append((leder, plan))
            continue
        plans.append(plan)
        left = placeholders_left(plan.kilder[AGREEMENT.rolle])
        if left:
            placeholders[leder.ansattnr] = (f"{leder.ansattnr} {leder.navn}: {plan.kilder[AGREEMENT.rolle].name} har "
                                            f"{left} «[Fylles ut …]» igjen")
    if year.arkiv.exists():
        remove_stale_temp_files(year.arkiv)
    converted = pdfs.convert_into_place(plans, year, package.libreoffice, job.progress)
    pdfs.remove_other_pdfs(year, {pdf for plan in converted.done for pdf in plan.pdfer.values()})

    journalposter = [
        Journalpost(leder=plan.leder, overordnet=bok.overordnet(plan.leder),
                    avtale=pdfs.dokumentfil(year, AGREEMENT.rolle, plan.pdfer[AGREEMENT.rolle]),
                    vedlegg=pdfs.dokumentfil(year, APPENDIX.rolle, plan.pdfer[APPENDIX.rolle]))
        for plan in converted.done
    ]
    pakke = Arkivpakke(bok.kommune, journalposter, norsk_tid(now))
    atomic_write_bytes(year.arkivstruktur, build_xml(pakke))
    atomic_write_bytes(year.import_csv, build_csv(pakke))
    sent = write_outbox(year.fiks, year.arkiv, pakke)
    failed += converted.feil + sent.feil

    by_leader = _Outcomes(
        journalposter={jp.leder.ansattnr: jp for jp in journalposter},
        meldinger={path.name: path for path in sent.meldinger},
        failed={},
        placeholders=placeholders,
        igjen={leder.ansattnr for leder in igjen},
    )
    for leder, why in failed:
        by_leader.failed.setdefault(leder.ansattnr, []).append(why)
    items = [_package_item(year, leder, by_leader) for leder in valgt]
    items += [Item(leder.ansattnr, leder.navn, ARKIVERT) for leder in skipped]
    if not package.alle:
        items += [Item(leder.ansattnr, leder.navn, IKKE_SIGNERT) for leder in ikke_signert]
    return Result(
        items=items,
        summary=_package_lines(year.arkiv, package.alle, journalposter, sent.meldinger, skipped, igjen, ikke_signert,
                               list(placeholders.values())),
        failures=[f"{leder.ansattnr} {leder.navn}: {why}" for leder, why in failed],
        failure_heading=PACKAGE_FAILED,
        files=[year.arkivstruktur, year.import_csv, *sent.meldinger],
    )


@dataclass
class _Outcomes:
    """What the package run did, by Ansattnr (and the Fiks folder's name), to tell each leader."""

    journalposter: dict[str, Journalpost]
    meldinger: dict[str, Path]
    failed: dict[str, list[str]]
    placeholders: dict[str, str]
    igjen: set[str]


def _package_item(year: YearFolder, leder: Leder, outcomes: _Outcomes) -> Item:
    """A leader the run set out to package: its PDFs and message folder, what failed, what to know."""
    nr = leder.ansattnr
    jp = outcomes.journalposter.get(nr)
    filer = [year.relative(year.arkiv / fil.sti) for fil in jp.dokumenter] if jp else []
    melding = outcomes.meldinger.get(folder_name(nr))
    if melding is not None:
        filer.append(year.relative(melding))
    notes = list(outcomes.failed.get(nr, []))
    status = FEILET if notes else PAKKET
    if nr in outcomes.igjen:
        notes.append("arkivert før, pakket på nytt fordi du ba om det")
    if leder.signert is None:
        notes.append("ikke signert ennå: arkiveres som under redigering")
    if nr in outcomes.placeholders:
        notes.append(outcomes.placeholders[nr])
    return Item(nr, leder.navn, status, filer, notes)


def _package_lines(arkiv_dir: Path, alle: bool, journalposter: list[Journalpost], meldinger: list[Path],
                   skipped: list[Leder], igjen: list[Leder], ikke_signert: list[Leder],
                   placeholders: list[str]) -> list[str]:
    lines = [
        f"Arkivpakke: {antall(len(journalposter), 'lederavtale', 'lederavtaler')} med vedlegg i {arkiv_dir}",
        f"  Noark 5: {XML_NAME} og {CSV_NAME} (regneark)",
        (f"  Fiks Arkiv: {antall(len(meldinger), 'melding', 'meldinger')} i {arkiv_dir / FIKS_DIR}, "
         "én mappe per leder, klare for kommunens Fiks IO-integrasjon"),
    ]
    if skipped:
        lines.append(f"Allerede arkivert ({len(skipped)}), ifølge kvitteringene i arkivert.json; "
                     "ikke pakket på nytt (--arkiver-igjen --leder ANSATTNR sender en leder på nytt):")
        lines += _names(skipped)
    if igjen:
        lines.append(f"Arkivert før, men pakket på nytt fordi du ba om det ({len(igjen)}):")
        lines += _names(igjen)
    if ikke_signert:
        if alle:
            lines.append(f"Ikke signert ennå ({len(ikke_signert)}), men tatt med fordi --alle er brukt "
                         "(arkiveres som under redigering, ikke som ferdige):")
        else:
            lines.append(f"Ikke signert ennå ({len(ikke_signert)}), og derfor ikke med (--alle tar dem med):")
        lines += _names(ikke_signert)
    if placeholders:
        lines.append("Advarsel – avtaler som fortsatt har felt som skal fylles ut i ledersamtalen:")
        lines += [f"  {line}" for line in placeholders]
    return lines


def _names(ledere: list[Leder]) -> list[str]:
    return [f"  {leder.ansattnr} {leder.navn}" for leder in ledere]


# --- receipts ----------------------------------------------------------------------------------


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
    arkivert = Arkivert(year.arkivert)
    noted = note_receipts(folder, job.bok, arkivert, norsk_tid(now))
    files = []
    if noted.nye or noted.endret:
        arkivert.save()
        files.append(arkivert.path)
    fjernet = remove_confirmed(year.fiks, noted.confirmed)
    warning = update_report(year)
    if year.report.is_file() and not warning:
        files.append(year.report)
    items = [Item(leder.ansattnr, leder.navn, status, merknader=[description(entry)])
             for status, found in ((REGISTRERT, noted.nye), (UENDRET, noted.uendret), (ENDRET, noted.endret))
             for leder, entry in found]
    return Result(items=items, summary=_receipt_lines(noted, arkivert.path, fjernet, [warning] if warning else []),
                  failures=[str(avvist) for avvist in noted.avvist], failure_heading=RECEIPTS_FAILED, files=files)


def _receipt_lines(noted: Noted, arkivert_path: Path, fjernet: list[str], advarsler: list[str]) -> list[str]:
    if not noted.lest:
        return ["Fant ingen kvitteringer å lese."]
    lines = [f"Kvitteringer: {antall(len(noted.nye), 'ny', 'nye')} registrert i {arkivert_path}"]
    lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in noted.nye]
    if noted.uendret:
        lines.append(f"Allerede registrert fra før ({len(noted.uendret)}), ingenting endret:")
        lines += _names([leder for leder, _ in noted.uendret])
    if noted.endret:
        lines.append(f"Advarsel – arkivet melder en annen registrering enn før ({len(noted.endret)}); "
                     "den nye er registrert, den gamle står under «tidligere» i arkivert.json. "
                     "Sjekk i arkivet at lederen ikke er arkivert to ganger:")
        lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in noted.endret]
    if fjernet:
        lines.append(f"Fjernet fra {FIKS_DIR}/ fordi arkivet har kvittert: {', '.join(fjernet)}")
    lines += [f"Advarsel: {line}" for line in advarsler]
    return lines
