"""`arkiv`: the archive package for the records system, from what was signed.

A document with a signed copy in signert.json is archived as that copy, byte for byte, in its
real format (`archive/formats.py`). Only such a document is final (journalstatus and
dokumentstatus F), or a rendering of the .docx when HR vouches for it with the workbook's
`Signert` and `--godta-usignert`, and never one with placeholders left. Every other document is
made afresh from its .docx on disk (HR edits those after `generer`) as PDF/A-2b
(`archive/pdfs.py`), and the metadata describes the PDFs actually written. Two forms of the same facts come out: the Noark 5 export
(`arkivstruktur.xml`, `import.csv`) and one Fiks Arkiv message per leader under `fiks/`
(`archive/outbox.py`). With `--kvitteringer`, the archive's receipts are read back into
`arkivert.json` (`archive/receipts.py`), and a leader the archive has confirmed is never
packaged again unless asked for by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..archive import pdfs
from ..archive.arkivert import Arkivert, description, update_report
from ..archive.fiks import folder_name
from ..archive.codecheck import check_codes, package_codes, signed_copy_codes
from ..archive.kodelister import Kodelister, read_kodelister
from ..archive.noark5 import CSV_NAME, XML_NAME, build_csv, build_xml
from ..archive.outbox import ENVELOPE_NAME, check_folder_names, read_log, remove_confirmed, write_outbox
from ..archive.receipts import Noted, note_receipts
from ..archive.replies import Svar
from ..archive.record import (
    Arkivpakke,
    Journalpost,
    check_placement,
    journalpost_tittel,
    norsk_tid,
    offentlig_tittel,
    saksbehandler_warning,
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
from ..signing.record import PARTLY_SIGNED, ROLES, SIGNED, LeaderSigned, SignedDocument, load_signed
from ..store.files import atomic_write_bytes, read_json_object, remove_stale_temp_files, sha256_file
from ..store.lock import RunLock
from ..store.manifest import Manifest, require_generated
from ..store.year import FIKS_DIR, YearFolder
from ..workbook.selection import select_leaders
from ..advice import advice, run

# What the package did with each leader (Item.status).
PAKKET = "pakket"
ARKIVERT = "arkivert"  # confirmed by the archive: not packaged again
IKKE_SIGNERT = "ikke signert"  # left out until signed (--alle takes them)
IKKE_FERDIG = "ikke ferdig"  # signed by some account, but not final (the notes say why; --alle takes them)
FEILET = "feilet"
# What a receipt did (Item.status).
REGISTRERT = "registrert"
UENDRET = "uendret"
ENDRET = "endret"
MOTTATT = "mottatt"  # the archive has the message; its receipt is still to come
FEILSVAR = "feilsvar"  # the archive answered with an error: not archived

PACKAGE_FAILED = "Noen dokumenter kom ikke med i arkivpakken:"
RECEIPTS_FAILED = "Noen kvitteringer kunne ikke brukes (de andre er registrert):"


def arkiv(job: Job, alle: bool = False, kvitteringer: Path | None = None, arkiver_igjen: bool = False,
          ledere: tuple[str, ...] | list[str] = (), now: datetime | None = None,
          godta_usignert: bool = False, kodelister: Path | None = None) -> Result:
    """`arkiv`: the package; with `kvitteringer`, the receipts first, and the package only with
    `alle` or `arkiver_igjen` (`ledere`: who to package again although the archive confirmed them).
    `godta_usignert`: a rendering of the .docx is final when the workbook's Signert says so.
    `kodelister`: the archive's saved kodeliste.hent replies, which the package's codes must be in."""
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
    package = _prepare(job, alle, ledere, godta_usignert, kodelister)
    with RunLock(job.year.path):
        return _read_receipts(job, folder, now).add(_build(job, package, now))


def build_archive(job: Job, alle: bool = False, arkiver_igjen: tuple[str, ...] | list[str] = (),
                  now: datetime | None = None, godta_usignert: bool = False,
                  kodelister: Path | None = None) -> Result:
    """Build `<ut>/<år>/arkiv/` from the signed copies and the documents on disk.

    `arkiver_igjen`: Ansattnr of leaders to package although the archive has confirmed them.
    Failed or missing documents are the result's failures (exit code 3); everything else is
    written completely.
    """
    package = _prepare(job, alle, arkiver_igjen, godta_usignert, kodelister)
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
    godta_usignert: bool = False
    kodelister: Kodelister | None = None  # the archive's own lists, which every code must be in


def _prepare(job: Job, alle: bool, arkiver_igjen, godta_usignert: bool = False,
             kodelister: Path | None = None) -> _Package:
    """Everything that can stop the package does so here, before any work."""
    bok = job.bok
    check_placement(bok.kommune)
    _check_titles(bok)
    igjen = {leder.ansattnr for leder in select_leaders(bok, arkiver_igjen)} if arkiver_igjen else set()
    check_folder_names(bok)
    require_generated(job.year.path, job.workbook, "arkiv")
    lister = read_kodelister(kodelister) if kodelister is not None else None
    if lister is not None:
        check_codes(lister, package_codes(bok.kommune, alle))
    return _Package(alle, igjen, job.pdf.checked(), godta_usignert, lister)


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
    signed = load_signed(year.signert)  # and so does a damaged record of the signed copies
    avtaleledere = bok.avtaleledere()

    def claimed(leder: Leder) -> bool:  # signed, by a copy or by the workbook's word
        return leder.signert is not None or bool(signed.get(leder.ansattnr, LeaderSigned()).to_dict())

    valgt = avtaleledere if package.alle else [leder for leder in avtaleledere if claimed(leder)]
    skipped = [leder for leder in valgt if arkivert.has(leder.ansattnr) and leder.ansattnr not in package.igjen]
    igjen = [leder for leder in valgt if arkivert.has(leder.ansattnr) and leder.ansattnr in package.igjen]
    not_again = {leder.ansattnr for leder in skipped}
    valgt = [leder for leder in valgt if leder.ansattnr not in not_again]
    ikke_signert = [leder for leder in avtaleledere if not claimed(leder) and leder.ansattnr not in not_again]

    sorting = _sort(valgt, signed, manifest, year, bok.kommune.malform == "nynorsk", package)
    failed, placeholders, states, left_out = sorting.failed, sorting.placeholders, sorting.states, sorting.left_out
    if package.kodelister is not None:  # a signed copy's format is known only now, and still before any work
        check_codes(package.kodelister, signed_copy_codes(bok.kommune, [
            (copy.path.name, copy.format.kode, copy.format.pdfa) for plan in sorting.plans
            for copy in plan.signerte.values()]))
    if year.arkiv.exists():
        remove_stale_temp_files(year.arkiv)
    converted = pdfs.convert_into_place(sorting.plans, year, package.libreoffice, job.progress)
    pdfs.remove_other_pdfs(year, {pdf for plan in converted.done for pdf in plan.pdfer.values()})

    journalposter = [
        Journalpost(leder=plan.leder, overordnet=bok.overordnet(plan.leder),
                    avtale=pdfs.dokumentfil(year, plan, AGREEMENT.rolle),
                    vedlegg=pdfs.dokumentfil(year, plan, APPENDIX.rolle),
                    ferdig=states[plan.leder.ansattnr].ferdig, dato=states[plan.leder.ansattnr].dato)
        for plan in converted.done
    ]
    pakke = Arkivpakke(bok.kommune, journalposter, norsk_tid(now))
    atomic_write_bytes(year.arkivstruktur, build_xml(pakke))
    atomic_write_bytes(year.import_csv, build_csv(pakke))
    kilder = {plan.leder.ansattnr: {rolle: sha256_file(docx) for rolle, docx in plan.kilder.items()}
              for plan in converted.done}
    sent = write_outbox(year.fiks, year.arkiv, pakke, year.fiks_log, kilder)
    failed += converted.feil + sent.feil

    by_leader = _Outcomes(
        journalposter={jp.leder.ansattnr: jp for jp in journalposter},
        meldinger={path.name: path for path in sent.meldinger},
        failed={},
        placeholders=placeholders,
        igjen={leder.ansattnr for leder in igjen},
        states=states,
    )
    for leder, why in failed:
        by_leader.failed.setdefault(leder.ansattnr, []).append(why)
    refused = {leder.ansattnr for leder in left_out}
    items = [_package_item(year, leder, by_leader) for leder in valgt if leder.ansattnr not in refused]
    items += [Item(leder.ansattnr, leder.navn, IKKE_FERDIG,
                   merknader=states[leder.ansattnr].hvorfor + placeholders.get(leder.ansattnr, []))
              for leder in left_out]
    items += [Item(leder.ansattnr, leder.navn, ARKIVERT) for leder in skipped]
    if not package.alle:
        items += [Item(leder.ansattnr, leder.navn, IKKE_SIGNERT) for leder in ikke_signert]
    packaged = [jp.leder for jp in journalposter]
    # Signed by some account but not final; a refusal is among the failures unless --alle took it.
    ikke_ferdig = [(leder, state) for leder in valgt if (state := states.get(leder.ansattnr)) is not None
                   and not state.ferdig and claimed(leder) and (package.alle or not state.nektet)]
    return Result(
        items=items,
        notices=[f"{leder.ansattnr} {leder.navn}: {line}" for leder in packaged
                 for line in states[leder.ansattnr].merknader],
        summary=_package_lines(year.arkiv, package.alle, journalposter, sent.meldinger, skipped, igjen, ikke_signert,
                               ikke_ferdig, [line for lines in placeholders.values() for line in lines])
        + [f"Advarsel: {w}" for w in [saksbehandler_warning(bok.kommune)] if w],
        failures=[f"{leder.ansattnr} {leder.navn}: {why}" for leder, why in failed],
        failure_heading=PACKAGE_FAILED,
        files=[year.arkivstruktur, year.import_csv, *sent.meldinger],
    )


# --- final or not ------------------------------------------------------------------------------


@dataclass
class _Sorted:
    """The selected leaders sorted before any work: what to package, and what not and why."""

    plans: list[pdfs.Plan] = field(default_factory=list)  # to package
    states: dict[str, "_State"] = field(default_factory=dict)  # Ansattnr -> final or not, and why
    failed: list[tuple[Leder, str]] = field(default_factory=list)
    left_out: list[Leder] = field(default_factory=list)  # not final, and no --alle to take them
    placeholders: dict[str, list[str]] = field(default_factory=dict)  # Ansattnr -> the warnings


def _sort(valgt: list[Leder], signed: dict[str, LeaderSigned], manifest: Manifest, year: YearFolder, nynorsk: bool,
          package: _Package) -> _Sorted:
    out = _Sorted()
    for leder in valgt:
        record = signed.get(leder.ansattnr, LeaderSigned())
        copies = {rolle: doc for rolle in ROLES if (doc := record.document(rolle)) and doc.status == SIGNED}
        plan = pdfs.plan(manifest, year, leder, nynorsk, copies)
        if isinstance(plan, str):
            out.failed.append((leder, plan))
            continue
        # Only a rendering is checked: a signed copy is what was signed, whatever its .docx holds now.
        left = {rolle: n for rolle, docx in plan.kilder.items() if (n := placeholders_left(docx))}
        if left:
            out.placeholders[leder.ansattnr] = [f"{leder.ansattnr} {leder.navn}: {plan.kilder[rolle].name} har "
                                                f"{n} «[Fylles ut …]» igjen" for rolle, n in left.items()]
        state = out.states[leder.ansattnr] = _state(leder, record, plan, left, package.godta_usignert)
        if state.ferdig or package.alle:
            out.plans.append(plan)
        elif state.nektet:
            out.failed.append((leder, "; ".join(state.hvorfor)))
        else:
            out.left_out.append(leder)
    return out

UTEN_KOPI = (f"signert etter arbeidsboken, men ingen signert kopi er lest inn ({run('signert')}), "
             f"eller {advice('godta_usignert')}")


@dataclass
class _State:
    """Whether a leader's record is final, and what the user must know about it."""

    ferdig: bool
    dato: date | None = None  # the day it was signed, when final
    hvorfor: list[str] = field(default_factory=list)  # why it is not final
    nektet: bool = False  # HR asked for it as final (--godta-usignert), and it cannot be
    merknader: list[str] = field(default_factory=list)  # about the files archived (the run's notices)


def _state(leder: Leder, record: LeaderSigned, plan: pdfs.Plan, left: dict[str, int], godta: bool) -> _State:
    """Final only when every document is final: a signed copy, or (Signert with --godta-usignert)
    a rendering without placeholders. A copy signed by only one party is never final."""
    hvorfor, godtatt, uten_kopi, ikke_utfylt, merknader = [], [], [], [], []
    for rolle in ROLES:
        navn = pdfs.rolle_navn(rolle)
        copy = plan.signerte.get(rolle)
        doc = record.document(rolle)
        if copy is not None:
            if not copy.format.pdfa:
                merknader.append(f"den signerte kopien av {navn} er ikke PDF/A-2b, men {copy.format.beskrivelse} (slik "
                                 "filen selv oppgir); den arkiveres uendret i det formatet (variantformat "
                                 "Produksjonsformat)")
        elif doc is not None and doc.status == PARTLY_SIGNED:
            hvorfor.append(f"{navn} er bare delvis signert ({_signers(doc)}), og er derfor ikke ferdig: "
                           "begge parter må signere")
        elif leder.signert is None:
            if record.to_dict():  # the other document has a copy
                hvorfor.append(f"{navn} har ingen signert kopi ({run('signert')})")
        elif not godta:
            uten_kopi.append(navn)
        elif rolle in left:
            ikke_utfylt.append(f"{plan.kilder[rolle].name} har {left[rolle]} «[Fylles ut …]» igjen")
        else:
            godtatt.append(navn)
    if uten_kopi:
        hvorfor.insert(0, UTEN_KOPI if len(uten_kopi) == len(ROLES) else f"{' og '.join(uten_kopi)}: {UTEN_KOPI}")
    if ikke_utfylt:
        hvorfor.append(f"{'; '.join(ikke_utfylt)}: et dokument med felt som ikke er fylt ut, arkiveres aldri som "
                       f"ferdig, heller ikke {advice('godta_usignert_valg')}")
    if not plan.signerte and leder.signert is None and not hvorfor:
        hvorfor.append("ikke signert ennå")
    ferdig = not hvorfor
    if ferdig and godtatt:
        merknader.append(f"arkiverer en usignert gjengivelse av Word-filen ({' og '.join(godtatt)}) som ferdig, "
                         f"fordi arbeidsboken sier signert {advice('godta_usignert_brukt')}")
    # The record is complete on the day its last document was signed.
    dates = [d for rolle in plan.signerte if (d := _iso_date(record.document(rolle).dato))]
    dato = max(dates, default=leder.signert) if ferdig else None
    return _State(ferdig, dato, hvorfor, bool(ikke_utfylt), merknader)


def _signers(doc: SignedDocument) -> str:
    names = [s.navn for s in doc.signaturer if s.gyldig]
    return f"signert av {' og '.join(names)}" if names else "ingen gyldige signaturer"


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@dataclass
class _Outcomes:
    """What the package run did, by Ansattnr (and the Fiks folder's name), to tell each leader."""

    journalposter: dict[str, Journalpost]
    meldinger: dict[str, Path]
    failed: dict[str, list[str]]
    placeholders: dict[str, list[str]]
    igjen: set[str]
    states: dict[str, _State] = field(default_factory=dict)


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
    state = outcomes.states.get(nr)
    if state is not None and jp is not None:
        if not state.ferdig:
            notes.append(f"{'; '.join(state.hvorfor)}: arkiveres som under redigering")
        notes += state.merknader
    notes += outcomes.placeholders.get(nr, [])
    return Item(nr, leder.navn, status, filer, notes)


def _package_lines(arkiv_dir: Path, alle: bool, journalposter: list[Journalpost], meldinger: list[Path],
                   skipped: list[Leder], igjen: list[Leder], ikke_signert: list[Leder],
                   ikke_ferdig: list[tuple[Leder, _State]], placeholders: list[str]) -> list[str]:
    lines = [
        f"Arkivpakke: {antall(len(journalposter), 'lederavtale', 'lederavtaler')} med vedlegg i {arkiv_dir}",
        f"  Noark 5: {XML_NAME} og {CSV_NAME} (regneark)",
        (f"  Fiks Arkiv: {antall(len(meldinger), 'melding', 'meldinger')} i {arkiv_dir / FIKS_DIR}, "
         "én mappe per leder, klare for kommunens Fiks IO-integrasjon"),
    ]
    signerte = sum(1 for jp in journalposter for fil in jp.dokumenter if not fil.konvertert)
    if signerte:
        lines.append(f"  Signerte kopier: {antall(signerte, 'dokument', 'dokumenter')} arkivert byte for byte, "
                     "slik de ble signert")
    if skipped:
        lines.append(f"Allerede arkivert ({len(skipped)}), ifølge kvitteringene i arkivert.json; "
                     f"ikke pakket på nytt ({advice('arkiver_igjen')}):")
        lines += _names(skipped)
    if igjen:
        lines.append(f"Arkivert før, men pakket på nytt fordi du ba om det ({len(igjen)}):")
        lines += _names(igjen)
    if ikke_ferdig:
        if alle:
            lines.append(f"Ikke ferdige ({len(ikke_ferdig)}), men tatt med som under redigering {advice('alle_brukt')}:")
        else:
            lines.append(f"Ikke ferdige ({len(ikke_ferdig)}), og derfor ikke med ({advice('alle')} som under "
                         "redigering):")
        lines += [f"  {leder.ansattnr} {leder.navn}: {'; '.join(state.hvorfor)}" for leder, state in ikke_ferdig]
    if ikke_signert:
        if alle:
            lines.append(f"Ikke signert ennå ({len(ikke_signert)}), men tatt med {advice('alle_brukt')} "
                         "(arkiveres som under redigering, ikke som ferdige):")
        else:
            lines.append(f"Ikke signert ennå ({len(ikke_signert)}), og derfor ikke med ({advice('alle')}):")
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
    log = read_log(year.fiks_log)
    noted = note_receipts(folder, job.bok, arkivert, norsk_tid(now), log)
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
    feilsvar = [(leder, _error_advice(year, arkivert, log, leder, svar)) for leder, svar in noted.feilsvar]
    items += [Item(leder.ansattnr, leder.navn, MOTTATT, merknader=[f"{svar.fil}: arkivet har mottatt meldingen"])
              for leder, svar in noted.mottatt]
    items += [Item(leder.ansattnr, leder.navn, FEILSVAR, merknader=[advice]) for leder, advice in feilsvar]
    failures = [str(avvist) for avvist in noted.avvist]
    failures += [f"{svar.fil}: {leder.ansattnr} {leder.navn}: {advice}"
                 for (leder, svar), (_, advice) in zip(noted.feilsvar, feilsvar)]
    return Result(items=items, summary=_receipt_lines(noted, arkivert, fjernet, [warning] if warning else []),
                  failures=sorted(failures), failure_heading=RECEIPTS_FAILED, files=files)


def _error_advice(year: YearFolder, arkivert: Arkivert, log: dict[str, dict], leder: Leder, svar: Svar) -> str:
    """The error reply's advice, and what it means now: where the message is, whether the archive has
    confirmed the leader anyway (that record stays), whether a newer message has been made since."""
    lines = [svar.advice()]
    mappe = year.fiks / folder_name(leder.ansattnr)
    now = _envelope_id(mappe / ENVELOPE_NAME)
    if now is not None:
        older = now != svar.svar_pa
    else:  # no message in fiks/ now: a later one in the log says the same
        sendt = str(log.get(svar.svar_pa, {}).get("laget", ""))
        older = any(entry.get("ansattnr") == leder.ansattnr and str(entry.get("laget", "")) > sendt
                    for melding_id, entry in log.items() if melding_id != svar.svar_pa)
    if older:
        lines.append("Svaret gjelder en eldre utgave av meldingen; en nyere er laget siden, og det er den som "
                     "skal sendes.")
    entry = arkivert.ledere.get(leder.ansattnr)
    if entry is not None:
        same = entry.get("klientMeldingId") == svar.svar_pa
        lines.append(f"Arkivet har {'også kvittert for den samme meldingen' if same else 'likevel kvittert for lederen'} "
                     f"({description(entry)}), og den registreringen står i arkivert.json. Sjekk i arkivet at "
                     "journalposten finnes; gjør den det, er ingenting tapt, og feilsvaret kan flyttes ut av mappen.")
    elif now is not None:
        lines.append(f"Meldingen som skal sendes, ligger i {year.relative(mappe)}/.")
    else:
        lines.append(f"Meldingen ligger ikke lenger under fiks/: {run('arkiv')} for å lage den på nytt.")
    return " ".join(lines)


def _envelope_id(path: Path) -> str | None:
    """The klientMeldingId of the message now in the outbox (this tool's own file), if any."""
    try:
        data = read_json_object(path)
    except ValueError:
        return None
    return data.get("klientMeldingId") if isinstance(data.get("klientMeldingId"), str) else None


def _receipt_lines(noted: Noted, arkivert: Arkivert, fjernet: list[str], advarsler: list[str]) -> list[str]:
    if not noted.lest:
        return ["Fant ingen kvitteringer å lese."]
    lines = [f"Kvitteringer: {antall(len(noted.nye), 'ny', 'nye')} registrert i {arkivert.path}"]
    lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in noted.nye]
    if noted.uendret:
        lines.append(f"Allerede registrert fra før ({len(noted.uendret)}), ingenting endret:")
        lines += _names([leder for leder, _ in noted.uendret])
    if noted.endret:
        lines.append(f"Advarsel – arkivet melder en annen registrering enn før ({len(noted.endret)}); "
                     "den nye er registrert, den gamle står under «tidligere» i arkivert.json. "
                     "Sjekk i arkivet at lederen ikke er arkivert to ganger:")
        lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in noted.endret]
    venter = sorted({leder.ansattnr: leder for leder, _ in noted.mottatt if not arkivert.has(leder.ansattnr)}.values(),
                    key=lambda leder: leder.ansattnr)
    if venter:
        lines.append(f"Mottatt av arkivet, men ikke kvittert ennå ({len(venter)}); kvitteringen kommer når arkivet har "
                     "registrert meldingen – les den inn da:")
        lines += _names(venter)
    if noted.feilsvar:
        lines.append(f"Feilsvar fra arkivet ({len(noted.feilsvar)}): meldingene er ikke arkivert; hva som må gjøres, "
                     "står under feilene nedenfor.")
    if fjernet:
        lines.append(f"Fjernet fra {FIKS_DIR}/ fordi arkivet har kvittert: {', '.join(fjernet)}")
    lines += [f"Advarsel: {line}" for line in advarsler]
    return lines
