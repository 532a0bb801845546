"""`signert`: the signed copies come home, read from a folder of PDFs with any names.

Each PDF is read, verified and matched to its document by signing/received.py (refused copies are named
with the reason). Of several copies of one document the best is kept: copied byte for byte into the
leader's folder as `… (signert).pdf`, never changed afterwards, and recorded in `signert.json`
(signing/record.py). Reading the same folder again changes nothing. HR confirms the parties of a copy
that a portal only sealed (`bekreft`).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

from ..documents.identity import format_id
from ..exceptions import LederavtaleError
from ..job import Job
from ..model import Arbeidsbok
from ..plural import antall
from ..result import Item, Result
from ..signing.received import KINDS, UNREAD, Readers, Received, id_register, valid_count
from ..signing.record import (
    SIGNED,
    REPORT_COLUMN,
    LeaderSigned,
    SignedDocument,
    load_signed,
    report_column,
    save_signed,
)
from ..signing.verify import DELVIS, NOT_CHECKED, trust_roots_for
from ..store.files import sha256_bytes
from ..store.lock import RunLock
from ..store.manifest import Manifest, load_generated
from ..store.report import update_column
from ..store.year import YearFolder
from ..advice import advice

FAILURE_HEADING = "Noen filer ble ikke godtatt (de andre er registrert):"


def signert(job: Job, mappe: Path, tillit: Path | None = None, dato: date | None = None,
            bekreft: tuple[str, ...] = ()) -> Result:
    """Read every PDF under `mappe`, verify and match it, keep the signed copies and record them.

    `bekreft`: Ansattnr whose sealed copies HR has looked at, when the portal's seal was all the file
    told (no signer's own signature could be read): HR confirms that both parties signed."""
    mappe = Path(mappe)
    if not mappe.is_dir():
        raise LederavtaleError(f"Finner ikke mappen «{mappe}» med de signerte kopiene.")
    files = sorted(p for p in mappe.rglob("*") if p.is_file() and not p.name.startswith("."))
    pdfs = [p for p in files if p.suffix.lower() == ".pdf"]
    if not pdfs:
        raise LederavtaleError(f"Fant ingen PDF-filer i «{mappe}».")
    with Readers(len(pdfs)) as readers:
        return _signert(job, mappe, files, pdfs, readers, tillit, dato, bekreft)


def _signert(job: Job, mappe: Path, files: list[Path], pdfs: list[Path], readers: "Readers", tillit: Path | None,
             dato: date | None, bekreft: tuple[str, ...]) -> Result:
    bok, year = job.bok, job.year
    roots = trust_roots_for(tillit, year.trust)
    result = Result(failure_heading=FAILURE_HEADING)
    if len(pdfs) < len(files):
        result.notices.append(f"{antall(len(files) - len(pdfs), 'fil', 'filer')} i «{mappe}» er ikke PDF og er hoppet over.")
    with RunLock(year.path):
        load_generated(year.path, job.workbook, "signert")
        manifest = Manifest.load(year.path)
        record = load_signed(year.signert)
        copies: dict[tuple[str, str], list[Received]] = {}
        # A task may cross to a worker process: the manifest's entries (not the Manifest and its lock), and the
        # trust roots as DER (asn1crypto's certificates lose what they parsed lazily when pickled).
        der = [root.dump() for root in roots] if roots is not None else None
        register = id_register(manifest.ledere, bok)
        tasks = [(path, path.relative_to(mappe).as_posix(), bok, year, manifest.ledere, register, der, dato, job.today)
                 for path in pdfs]
        for kilde, outcome in readers.read(tasks, job.progress):
            if isinstance(outcome, str):
                result.failures.append(f"{kilde}: {outcome}")
            else:
                copies.setdefault((outcome.leder.ansattnr, outcome.rolle), []).append(outcome)
        changed, items = False, {}
        for (ansattnr, rolle), found in sorted(copies.items()):
            kept = max(found, key=lambda c: c.rank)
            leader = record.setdefault(ansattnr, LeaderSigned())
            earlier = leader.document(rolle)
            item = items.setdefault(ansattnr, Item(ansattnr, kept.leder.navn, "uendret", [], []))
            document = _keep(kept, [c for c in found if c is not kept], earlier, year, manifest)
            if document is not earlier:
                setattr(leader, rolle, document)
                changed = True
                item.status = document.status
            item.filer.append(document.fil)
            item.notices += [f"{KINDS[rolle].navn[1]}: {w}" for w in document.advarsler]
        changed = _confirm_all(bok, record, bekreft, job.today, result) or changed
        if changed:
            save_signed(year.signert, record)
            warning = _update_report(year, record)
            if warning:
                result.notices.append(warning)
    result.items = list(items.values())
    if roots is None:
        result.notices.append(f"Signaturene er {NOT_CHECKED} ({advice('tillit', f'«{year.trust}»')} "
                              "for å kontrollere det).")
    result.summary.append(f"{'Ferdig' if not result.failures else 'Lest'}: {antall(len(pdfs), 'fil', 'filer')} lest, "
                          f"{antall(len(items), 'leder', 'ledere')} med signerte kopier. Oversikt: {year.signert}")
    result.files.append(year.signert)
    return result.after("signert")


def bekreft(job: Job, ansattnr: tuple[str, ...]) -> Result:
    """HR confirms that both parties signed the sealed copies already read whose signers could not be read
    from the file (the portal's seal was all it told): each becomes signed, with the confirmation recorded."""
    bok, year = job.bok, job.year
    result = Result(failure_heading=FAILURE_HEADING)
    with RunLock(year.path):
        record = load_signed(year.signert)
        if _confirm_all(bok, record, ansattnr, job.today, result):
            save_signed(year.signert, record)
            warning = _update_report(year, record)
            if warning:
                result.notices.append(warning)
    result.summary.append(f"Oversikt: {year.signert}")
    return result


def _confirm_all(bok: Arbeidsbok, record: dict[str, LeaderSigned], ansattnr: tuple[str, ...], today: date,
                 result: Result) -> bool:
    changed = False
    for nr in ansattnr:
        confirmed = _confirm(bok, record, nr, today)
        if not confirmed:
            result.failures.append(f"Ansattnr {nr}: ingen forseglet kopi venter på at HR bekrefter undertegnerne "
                                   "(les den inn først)")
        result.notices += confirmed
        changed = changed or bool(confirmed)
    return changed


def _confirm(bok: Arbeidsbok, record: dict[str, LeaderSigned], ansattnr: str, today: date) -> list[str]:
    """HR's confirmation of the parties of a leader's sealed copies whose signers could not be read:
    each becomes signed, with what was confirmed recorded beside it. The lines say what was confirmed."""
    leder = next((leder for leder in bok.ledere if leder.ansattnr == ansattnr), None)
    leader = record.get(ansattnr)
    if leder is None or leader is None:
        return []
    superior = bok.overordnet(leder)
    parties = " og ".join([leder.navn] + ([superior.navn] if superior else []))
    lines = []
    for rolle, document in leader.documents():
        if not document.venter_bekreftelse:
            continue
        text = (f"{today:%d.%m.%Y}: HR bekreftet at {parties} har signert {KINDS[rolle].navn[0]} «{document.fil}», "
                f"forseglet av {document.forsegling.navn}")
        setattr(leader, rolle, replace(document, status=SIGNED, bekreftet=text,
                                       advarsler=[w for w in document.advarsler if UNREAD not in w]))
        lines.append(f"Bekreftet: {text}.")
    return lines


# --- a portal's seal ------------------------------------------------------------------------------


def _keep(kept: Received, others: list[Received], earlier: SignedDocument | None, year: YearFolder,
          manifest: Manifest) -> SignedDocument:
    """The kept copy in the leader's folder and its record; `earlier` itself when nothing is new."""
    sha = sha256_bytes(kept.data)
    again = next((c for c in others if earlier is not None and sha256_bytes(c.data) == earlier.sha256), None)
    if again is not None:
        # The recorded copy read again beside a new one: compared as it is judged now (other trust roots).
        earlier = _judged_again(earlier, again)
    if earlier is not None and earlier.sha256 == sha:
        # The same file read again: what its check says now (with --tillit, after a new copy for
        # signing) replaces what it said; nothing else changes.
        return _judged_again(earlier, kept)
    if earlier is not None and _better(earlier, kept):
        return earlier
    entry = manifest.ledere[kept.leder.ansattnr]
    stem = Path(entry.file(kept.rolle, "docx").sti).stem if entry.file(kept.rolle, "docx") else kept.path.stem
    number = 1
    target = year.signed_copy(kept.leder, stem)
    # Never over another signed copy: the next free name (… (signert 2).pdf) unless it is these bytes.
    while target.exists() and sha256_bytes(target.read_bytes()) != sha:
        number += 1
        target = year.signed_copy(kept.leder, stem, number)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(kept.data)
        shutil.move(partial, target)
    others_text = [f"{c.kilde}: ikke brukt ({c.status}, {c.dato:%d.%m.%Y}); en nyere eller fullt signert kopi er valgt"
                   for c in others]
    if earlier is not None:
        others_text.append(f"{earlier.fil}: tidligere registrert kopi, erstattet av {kept.kilde}")
    return SignedDocument(
        fil=year.relative(target), sha256=sha, type=kept.type, dato=kept.dato.isoformat(),
        dokument_id=format_id(kept.dokument_id) if kept.dokument_id else "", status=kept.status,
        signaturer=kept.signaturer, kilde=kept.kilde, versjon=kept.dokument_id.version if kept.dokument_id else "",
        advarsler=kept.advarsler, andre=others_text, forsegling=kept.forsegling)


def _judged_again(earlier: SignedDocument, copy: Received) -> SignedDocument:
    """The recorded copy as its check judges it now; `earlier` itself when nothing changed. HR's
    confirmation of a sealed copy's parties stands for these very bytes."""
    confirmed = earlier.bekreftet and copy.status == DELVIS and earlier.status == SIGNED
    now = replace(earlier, status=earlier.status if confirmed else copy.status, signaturer=copy.signaturer,
                  advarsler=earlier.advarsler if confirmed else copy.advarsler, forsegling=copy.forsegling)
    return earlier if now == earlier else now


def _better(earlier: SignedDocument, new: Received) -> bool:
    """Whether the copy recorded before stays: fully signed where the new is not, more valid
    signatures, or newer."""
    if (earlier.status == SIGNED) != (new.status == SIGNED):
        return earlier.status == SIGNED
    if valid_count(earlier.signaturer) != valid_count(new.signaturer):
        return valid_count(earlier.signaturer) > valid_count(new.signaturer)
    return earlier.dato > new.dato.isoformat()


def _update_report(year: YearFolder, record: dict[str, LeaderSigned]) -> str:
    if not year.report.is_file():
        return ""
    try:
        update_column(year.report, REPORT_COLUMN, report_column(record))
    except OSError as exc:
        return (f"«{year.report}» kunne ikke oppdateres ({exc.strerror or exc}); er den åpen i Excel? "
                "De signerte kopiene er likevel registrert.")
    return ""
