"""A signed copy received: one PDF read, verified and matched to its document and leader.

An e-signed PDF is validated with pyHanko (verify.py); a portal's seal is read with the signers' own
signatures embedded in the file (evidence.py); a scan is matched by the QR code on its signature page,
else by the Ansattnr its file name begins with (scan.py). The document ID is the one the signatures
cover. A copy carries its short ID (documents.identity), which the year folder's manifest resolves to its
document (`IdRegister`); one made before short IDs carries the full ID, read as it is. A copy of another
municipality, year or leader (a short ID the year folder never issued), a broken signature, a change after the last
signature or an ID changed after signing is refused with the reason (`Refused`). `Readers` reads many
copies in worker processes. What becomes of a copy (kept, recorded) is `commands/signed.py`'s.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import unicodedata
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pikepdf
from asn1crypto import x509

from ..documents.identity import (
    DocumentId,
    IdRegister,
    InvalidDocumentId,
    UnknownDocumentId,
    canonical_text,
    carried_text,
    format_id,
    parse_id,
    read_pdf_id,
    same_owner,
)
from ..documents.kinds import AGREEMENT, APPENDIX, SIGNED_KINDS
from ..exceptions import LederavtaleError
from ..model import Arbeidsbok, Leder
from ..store.manifest import SIGNING, LeaderEntry, issued_ids
from ..store.year import YearFolder
from .evidence import Bevis, Known, content_digests, portal_name, read_evidence
from .record import E_SIGNATURE, SCAN, SIGNED, Signature
from .scan import UnreadableScan, qr_in_images, read_scan
from .verify import DELVIS, Signatur, UnreadablePdf, compare_parties, read_bounded, read_signatures
from ..advice import advice

KINDS = {kind.rolle: kind for kind in SIGNED_KINDS}


# In a scan's file name, when no QR code says which document it is. The follow-up documents' names
# (documents.kinds: «Oppfølgingssamtale 2027 - Navn - vedlegg …») are neither the agreement nor its appendix:
# read as one of them, a scanned follow-up form would stand in the record as the signed agreement.
_APPENDIX_WORDS = ("vedlegg", "utviklingsm")
_FOLLOW_UP_WORDS = ("oppfølging", "oppfolging", "oppfoelging")


@dataclass
class Received:
    """One PDF from the folder, read and matched."""

    path: Path
    kilde: str  # as the messages name it: relative to the folder
    data: bytes
    leder: Leder
    rolle: str
    type: str
    dato: date
    dokument_id: DocumentId | None  # the document, however the copy carried its ID
    status: str
    signaturer: list[Signature] = field(default_factory=list)
    advarsler: list[str] = field(default_factory=list)
    forsegling: Signature | None = None

    @property
    def rank(self) -> tuple:
        """Which of several copies of one document is kept: fully signed first, then the one with more
        valid signatures, then the newest."""
        latest = max((s.tidspunkt for s in self.signaturer), default="")
        return (self.status == SIGNED, valid_count(self.signaturer), self.dato.isoformat(), latest, self.kilde)


def valid_count(signaturer: list[Signature]) -> int:
    return sum(1 for s in signaturer if s.gyldig)


class Refused(LederavtaleError):
    """A copy that is not recorded; str() says why."""


def id_register(entries: dict[str, LeaderEntry], bok: Arbeidsbok) -> IdRegister:
    """The IDs the year folder's documents were given (its manifest's entries), to read the copies with."""
    return IdRegister(issued_ids(entries), bok.kommune.periode.ar)


# From this many files on, the copies are also read in worker processes: checking signatures is pure
# Python (pyHanko), so threads would take turns. The run itself reads too, from the end of the list, while
# the workers start (a worker takes about a second to import what it needs), so a few dozen files gain as
# well. Spawned, not forked: the web page runs jobs in a thread, and a fork of a threaded process can hang;
# and spawn is all Windows has.
PARALLEL_FROM = 12


MAX_WORKERS = 3


class Readers:
    """Reads the copies: in this process alone, or, from PARALLEL_FROM files on, also in worker processes
    that start as soon as the run knows how many files there are (before it reads the workbook)."""

    def __init__(self, files: int):
        workers = min((os.cpu_count() or 1) - 1, MAX_WORKERS)
        self.pool = None
        if files >= PARALLEL_FROM and workers >= 1:
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_same_warnings, initargs=(list(warnings.filters),))
            for _ in range(workers):
                self.pool.submit(_warm)

    def __enter__(self) -> "Readers":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def read(self, tasks: list[tuple], progress) -> list[tuple[str, "Received | str"]]:
        """(kilde, the copy or why it was refused) for each task, in the tasks' order."""
        outcomes: list = [None] * len(tasks)
        done = 0

        def finished(index: int, outcome) -> None:
            nonlocal done
            outcomes[index], done = outcome, done + 1
            if progress:
                progress("Leser signerte kopier", done, len(tasks))

        if self.pool is None:
            for index, task in enumerate(tasks):
                finished(index, _read_one(task))
            return outcomes
        futures = {self.pool.submit(_read_one, task): index for index, task in enumerate(tasks)}
        # This process reads too, from the end of the list, until it meets what a worker has begun.
        for future, index in reversed(list(futures.items())):
            if not future.cancel():
                break
            finished(index, _read_one(tasks[index]))
        for future in as_completed([f for f in futures if not f.cancelled()]):
            finished(futures[future], future.result())
        return outcomes


def _warm() -> None:
    """What a worker needs, imported while the run reads the workbook (about a second)."""
    import pyhanko.sign.validation  # noqa: F401
    import signxml  # noqa: F401


def _same_warnings(filters: list) -> None:
    """A worker shows the warnings its parent shows, and no others (generator.start)."""
    warnings.filters[:] = filters


def _read_one(task: tuple) -> tuple[str, "Received | str"]:
    path, kilde, bok, year, entries, register, der, dato, today = task
    roots = [x509.Certificate.load(cert) for cert in der] if der is not None else None
    try:
        return kilde, read_copy(path, kilde, bok, year, entries, roots, dato, today, register)
    except (UnreadablePdf, UnreadableScan, Refused) as exc:
        return kilde, str(exc)


def read_copy(path: Path, kilde: str, bok: Arbeidsbok, year: YearFolder, entries: dict[str, LeaderEntry], roots,
          dato: date | None, today: date, register: IdRegister | None = None) -> Received:
    """One copy read and matched. It carries a short ID (or, made before short IDs, the full one), and
    `register` (the year folder's IDs, `id_register`; read from `entries` when not given) says which
    document that is."""
    data, _ = read_bounded(path, kilde, UnreadablePdf)
    signatures = read_signatures(data, roots, kilde)
    known = [leder.ansattnr for leder in bok.ledere]
    register = register or id_register(entries, bok)
    if signatures.signert:
        if signatures.feil:
            raise Refused("; ".join(signatures.feil))
        seal = _seal(signatures.signaturer)
        evidence = read_evidence(data, _known(data, seal, year, entries, register), roots) if seal else []
        document_id = _signed_id(data, signatures.signaturer, register)
        if document_id is not None:
            _same_as_qr(data, document_id, register)
        document_id = document_id or _evidence_id(evidence, register) or _scanned_id(data, kilde, known, register)
        if document_id is None:
            raise Refused("den digitalt signerte filen har ingen dokument-ID (ikke laget med «lederavtale "
                           f"signering»); den er signert av {_who(signatures.signaturer, evidence)}")
        copy_type = E_SIGNATURE
    else:
        if _xmp_is_ours(data):
            # Our own PDF, untouched since the tool wrote it: a scan or a portal's copy loses our XMP.
            raise Refused("PDF-en er ikke signert: det er kopien laget for signering (eller et utkast) slik "
                           "verktøyet skrev den. Legg inn den signerte kopien fra signeringstjenesten, eller skannet.")
        # Every page: the pages of two documents in one scan must not pass as one of them.
        scan = read_scan(data, kilde, known, all_pages=True, register=register)
        if scan.blandet:
            raise Refused(scan.blandet)
        document_id = scan.dokument_id
        if document_id is None and scan.ukjent:
            raise Refused(f"hører ikke til denne arbeidsboken: QR-koden på {scan.ukjent[0]}")
        if document_id is None and scan.skadet:
            raise Refused(f"QR-koden kan ikke leses som dokument-ID ({scan.skadet[0]})")
        if document_id is None and scan.ansattnr_fra_filnavn is None:
            raise Refused("ingen signatur, ingen QR-kode med dokument-ID og ingen Ansattnr først i filnavnet")
        copy_type = SCAN
    if document_id is not None:
        why = same_owner(document_id, bok.kommune.navn, bok.kommune.organisasjonsnummer, bok.kommune.periode.ar,
                         document_id.ansattnr)
        if why:
            raise Refused(f"hører ikke til denne arbeidsboken: {why}")
        ansattnr, rolle = document_id.ansattnr, document_id.kind
    else:
        ansattnr = scan.ansattnr_fra_filnavn
        name = unicodedata.normalize("NFC", path.name).casefold()
        if any(w in name for w in _FOLLOW_UP_WORDS):
            raise Refused("ingen QR-kode med dokument-ID, og filnavnet sier at det er et dokument fra "
                          "oppfølgingssamtalen, ikke avtalen eller vedlegget som signeres")
        rolle = APPENDIX.rolle if any(w in name for w in _APPENDIX_WORDS) else AGREEMENT.rolle
    if rolle not in KINDS:
        raise Refused(f"er {document_id.kind}-dokumentet, ikke avtalen eller vedlegget som signeres")
    leder = next((leder for leder in bok.ledere if leder.ansattnr == ansattnr), None)
    if leder is None or not leder.avtale:
        raise Refused(f"Ansattnr {ansattnr} har ingen lederavtale i arbeidsboken")
    superior = bok.overordnet(leder)
    parties = [leder.navn] + ([superior.navn] if superior else [])
    warnings = []
    if document_id is None:
        warnings.append(f"kjent igjen bare på filnavnet (Ansattnr {ansattnr}); ingen QR-kode ble funnet")
    else:
        warnings += _version_warning(entries, ansattnr, rolle, document_id)
    forsegling = None
    if copy_type == E_SIGNATURE:
        signers = [s for s in signatures.signaturer if s is not seal] + _own(evidence, document_id)
        parter = compare_parties(signers, parties)
        status = parter.status
        lines = parter.advarsler
        lines += [f"{b.fil}: signaturen til {b.signatur.navn} teller ikke: {b.signatur.feil or b.signatur.problem}"
                  for b in evidence if not b.signatur.gyldig]
        lines += [s.merknad for s in signatures.signaturer if s.merknad]
        if seal is not None:
            status, lines = _sealed(seal, signers, status, lines)
            forsegling = _signature(seal)
        warnings += lines
        times = [s.tidspunkt for s in signers if s.tidspunkt and s.gyldig] or [s.tidspunkt for s in signatures.signaturer
                                                                             if s.tidspunkt]
        signed_on = max(times).date() if times else today
        found = [_signature(s) for s in signers]
    else:
        signed_on = dato or leder.signert
        if signed_on is None:
            raise Refused(f"skannet kopi uten dato: {advice('dato')}, eller før datoen i Signert for {leder.navn}")
        status, found = SIGNED, []
    return Received(path, kilde, data, leder, rolle, copy_type, signed_on, document_id, status, found, warnings,
                 forsegling)


def _signature(s: Signatur) -> Signature:
    return Signature(s.navn, s.gyldig, s.klarert, s.tidspunkt.isoformat() if s.tidspunkt else "")


UNREAD = "undertegnerne kunne ikke leses fra filen"


def _seal(signaturer: list[Signatur]) -> Signatur | None:
    """The portal's seal: a certification signature (DocMDP) by an organisation, not by a person."""
    return next((s for s in signaturer if s.sertifiserer and s.organisasjon), None)


def _full_text(text: str | None, register: IdRegister) -> str:
    """An ID text as the full ID of its document, so IDs carried in either form compare; the text itself
    when it names no document the year folder knows."""
    if not text:
        return ""
    try:
        return format_id(register.read(text))
    except InvalidDocumentId:
        return text


def _known(data: bytes, seal: Signatur, year: YearFolder, entries: dict[str, LeaderEntry],
           register: IdRegister) -> Known:
    """What a signer's evidence may sign: the file as it was before the seal (the portal sealed our own
    PDF), or a copy `signering` made (the portal made a new PDF of it, as Posten signering does). Each
    is named by its document's full ID."""
    known: Known = {}
    for digest, original in content_digests(data, seal.lomme):
        known[digest] = (lambda original=original: original, _full_text(_xmp_text(original), register))
    for entry in entries.values():
        for fil in entry.filer:
            if fil.fase == SIGNING and fil.format == "pdf" and fil.sha256:
                known.setdefault(fil.sha256, (lambda sti=fil.sti: (year.path / sti).read_bytes(), fil.dokument_id))
    return known


def _evidence_id(evidence: list[Bevis], register: IdRegister) -> DocumentId | None:
    """The document the signers' evidence signs, when the file itself carries no ID (a portal's new PDF)."""
    ids = {b.dokument_id for b in evidence if b.dokument_id and b.signatur.intakt}
    if len(ids) > 1:
        raise Refused("signaturene i filen gjelder forskjellige dokumenter: " + " og ".join(f"«{i}»" for i in sorted(ids)))
    try:
        return register.read(ids.pop()) if ids else None
    except InvalidDocumentId:
        return None


def _scanned_id(data: bytes, kilde: str, known: list[str], register: IdRegister) -> DocumentId | None:
    """The document a signed file's QR code names, read from its pages, when nothing else names one."""
    scan = read_scan(data, kilde, known, register=register)
    if scan.dokument_id is None and scan.ukjent:
        raise Refused(f"hører ikke til denne arbeidsboken: QR-koden på {scan.ukjent[0]}")
    return scan.dokument_id


def _own(evidence: list[Bevis], document_id: DocumentId | None) -> list[Signatur]:
    """The evidence's signatures, each of another document than this one made invalid, saying which."""
    mine = format_id(document_id) if document_id is not None else ""
    for bevis in evidence:
        if bevis.dokument_id and mine and bevis.dokument_id != mine and not bevis.signatur.feil:
            bevis.signatur.feil = f"den gjelder et annet dokument («{bevis.dokument_id}»)"
    return [bevis.signatur for bevis in evidence]


def _sealed(seal: Signatur, signers: list[Signatur], status: str, lines: list[str]) -> tuple[str, list[str]]:
    """What a seal adds: with no signer to be read, the seal alone, until HR confirms; with trust roots,
    a seal from an untrusted issuer makes nothing final."""
    portal = portal_name(seal)
    if not any(s.gyldig for s in signers):
        status = DELVIS
        lines = [f"forseglet av {portal}; {UNREAD}. Se etter i filen at begge parter har signert, og bekreft det "
                 "da"] + [line for line in lines if "har ikke signert" not in line]
    if seal.kontrollert and not seal.klarert:
        status = DELVIS
        lines.append(f"forseglingen fra {portal} er ikke fra en klarert utsteder ({seal.utsteder})")
    return status, lines


def _xmp_id(data: bytes, register: IdRegister) -> DocumentId | None:
    """The document the XMP names; None without one (or with a damaged one); Refused for a short ID the
    year folder never issued."""
    text = _xmp_text(data)
    try:
        return register.read(text) if text else None
    except UnknownDocumentId as exc:
        raise Refused(f"hører ikke til denne arbeidsboken: {exc}") from None
    except InvalidDocumentId:
        return None


def _xmp_is_ours(data: bytes) -> bool:
    """Whether the XMP holds an ID of ours, of either form (known to this year folder or not)."""
    text = _xmp_text(data)
    try:
        return bool(text) and bool(canonical_text(text))
    except InvalidDocumentId:
        return False


def _xmp_text(data: bytes) -> str | None:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return read_pdf_id(pdf)
    except pikepdf.PdfError:
        return None


def _signed_id(data: bytes, signaturer: list[Signatur], register: IdRegister) -> DocumentId | None:
    """The document ID as the signatures cover it: from the XMP of the first revision that was signed.

    A PDF reader may let the XMP change after the last signature, so an ID read from the file as it
    ends could be another document's, put there afterwards (an appendix relabelled as the public
    agreement). Each later revision, and the file as it ends, must carry the signed ID or none."""
    ends = sorted({s.slutt for s in signaturer if 0 < s.slutt <= len(data)})
    if not ends:
        return _xmp_id(data, register)
    signed = _xmp_text(data[:ends[0]])
    for end in ends[1:] + [len(data)]:
        later = _xmp_text(data[:end])
        if later is not None and later != signed:
            if signed is None:
                raise Refused(f"dokument-ID-en «{later}» er lagt til etter signeringen; den signerte filen har "
                               "ingen, så filen godtas ikke")
            raise Refused(f"dokument-ID-en er endret etter signeringen (signert som «{signed}», nå «{later}»); "
                           "filen godtas ikke")
    return _xmp_id(data[:ends[0]], register)


def _same_as_qr(data: bytes, document_id: DocumentId, register: IdRegister) -> None:
    """Refused when the QR code on the pages names another document than the metadata does (each read as
    the document it names: a short ID and a full ID of one document agree)."""
    for text in qr_in_images(data):
        try:
            same = register.read(text) == document_id
        except InvalidDocumentId:
            same = False
        if not same:
            raise Refused(f"QR-koden på sidene («{text}») og metadataene («{carried_text(document_id)}») har "
                          "forskjellige dokument-ID-er")


def _who(signaturer: list[Signatur], evidence: list[Bevis]) -> str:
    """The signers and when, for a message about a file that is not ours."""
    everyone = signaturer + [b.signatur for b in evidence]
    return ", ".join(f"{s.navn} ({s.tidspunkt:%d.%m.%Y})" if s.tidspunkt else s.navn for s in everyone)


def _version_warning(entries: dict[str, LeaderEntry], ansattnr: str, rolle: str,
                     document_id: DocumentId) -> list[str]:
    """A copy of another version than the current copy for signing: accepted, with both versions named."""
    entry = entries.get(ansattnr)
    current = entry.file(rolle, "pdf", SIGNING) if entry else None
    if current is None or not current.dokument_id:
        return []
    current_version = parse_id(current.dokument_id).version
    if current_version == document_id.version:
        return []
    return [f"den signerte kopien er versjon {document_id.version}, men gjeldende kopi for signering er versjon "
            f"{current_version}: den signerte er en eldre (eller annen) versjon av dokumentet"]
