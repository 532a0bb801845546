"""The digital signatures of a PDF that came back from an e-signing portal, read with pyHanko.

For each signature: whether it is intact (the signed bytes are unchanged and the signature
matches them), whether it covers the whole document as it was when signed, whether anything
other than further signatures was changed after it, the signer's name from the certificate,
the signing time, and whether the certificate chain leads to one of the CA certificates the
municipality trusts (`--tillit DIR`: BankID, Buypass, Commfides, the portal's own seal).

What "verified" does not mean, said in the texts this module writes:

* Without trust roots, no signature is `klarert`, and the text says "ikke kontrollert mot en
  klarert utsteder": anyone can make a certificate with any name on it.
* Nothing is fetched from the network: revocation (OCSP, CRL) is not checked, and a certificate
  revoked after it was issued still counts as trusted when its chain is.
* The certificate name is compared with the parties' names (`compare_parties`); a name is not an
  identity number, and two people can share one.

A file that cannot be read is an `UnreadablePdf` with a Norwegian message, never a traceback.
At most MAX_BYTES are read; pyHanko's own decode limits bound what a stream may expand to.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

from asn1crypto import pem, x509

from ..exceptions import EXIT_PARTIAL, LederavtaleError

# pyHanko and its certificate validator log every failed check with its traceback. Without a
# handler of their own, Python's last-resort handler would print those on stderr for every
# tampered file; what went wrong is in the result instead. An application that configures
# logging still receives them.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

MAX_BYTES = 50 * 1024 * 1024
MAX_CERT_BYTES = 1024 * 1024  # a CA certificate is a few kB; a bundle a few hundred
MAX_CERT_FILES = 1000
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")

NOT_CHECKED = "ikke kontrollert mot en klarert utsteder"
TRUSTED = "klarert utsteder"
NOT_TRUSTED = "utstederen er ikke blant de klarerte"

SIGNERT = "signert"
DELVIS = "delvis signert"

COVERS_FILE = "hele filen"
COVERS_REVISION = "dokumentet slik det var da det ble signert"
COVERS_PART = "bare en del av dokumentet"

# The changes after signing that a certification (DocMDP) can permit, by pyHanko's ModificationLevel, whose
# value is also the DocMDP level that permits it: 2 form filling, 3 annotations too.
_PERMITTED = {2: "skjemafelt er fylt ut", 3: "kommentarer eller merknader er lagt til"}


class UnreadablePdf(LederavtaleError):
    """A file whose signatures cannot be read; str() names the file and says why, in Norwegian."""

    exit_code = EXIT_PARTIAL


class TrustError(LederavtaleError):
    """The --tillit folder cannot be used."""


@dataclass
class Signatur:
    navn: str  # from the certificate: given name and surname, else the common name
    felt: str  # the signature field's name in the PDF
    intakt: bool  # the signed bytes are unchanged and the signature matches them
    dekker: str  # COVERS_FILE, COVERS_REVISION or COVERS_PART
    endret_etter: bool  # something other than further signatures changed after this one
    tidspunkt: datetime | None  # from a timestamp when there is one, else as the signer's software says
    kontrollert: bool  # trust roots were given
    klarert: bool  # the chain leads to a trust root (always False without them)
    utsteder: str = ""  # the certificate's issuer, for the report
    feil: str = ""  # why it is not valid, in Norwegian
    slutt: int = 0  # where the revision it signed ends in the file (its byte range's end)
    lomme: int = 0  # where its own signature value begins: inside the update that added it
    # A certification signature (DocMDP): the permission level it gives later changes (1 none, 2 form
    # filling, 3 also annotations), 0 for an ordinary approval signature. A portal's seal certifies.
    sertifiserer: int = 0
    organisasjon: str = ""  # the certificate's organisation number or name, when it is an organisation's
    merknad: str = ""  # a change after it that the certification permits (a form filled in), named

    @property
    def gyldig(self) -> bool:
        """Intact, covering the signed document, and nothing but signatures added after it."""
        return self.intakt and self.dekker != COVERS_PART and not self.endret_etter and not self.feil

    @property
    def tillit(self) -> str:
        if not self.kontrollert:
            return NOT_CHECKED
        return TRUSTED if self.klarert else NOT_TRUSTED

    @property
    def tekst(self) -> str:
        when = f", {self.tidspunkt:%d.%m.%Y %H:%M}" if self.tidspunkt else ""
        state = "gyldig" if self.gyldig else f"ugyldig: {self.feil or self.problem}"
        return f"{self.navn}{when}: {state}, {self.tillit}"

    @property
    def problem(self) -> str:
        if not self.intakt:
            return "signaturen er brutt (filen er endret etter signering)"
        if self.dekker == COVERS_PART:
            return "signaturen dekker bare en del av dokumentet"
        if self.endret_etter:
            return "dokumentet er endret etter signeringen"
        return ""


@dataclass
class Signaturer:
    """The signatures of one PDF, in signing order."""

    signaturer: list[Signatur] = field(default_factory=list)
    kontrollert: bool = False

    @property
    def signert(self) -> bool:
        return bool(self.signaturer)

    @property
    def feil(self) -> list[str]:
        """Why the file must be refused (a broken signature, a change after the last one); [] when fine."""
        return [f"Signaturen til {s.navn} er ugyldig: {s.feil or s.problem}" for s in self.signaturer if not s.gyldig]


@dataclass
class Parter:
    """The signers compared with the two parties."""

    status: str  # SIGNERT or DELVIS
    signert_av: list[tuple[str, str]]  # (party as in the workbook, name in the certificate)
    mangler: list[str]  # parties who have not signed
    ikke_parter: list[str]  # valid signatures by someone who is not a party
    # Parties whose valid signature's issuer is not among the trusted ones: (party, name, issuer).
    ikke_klarert: list[tuple[str, str, str]] = field(default_factory=list)
    # For a party who has not signed, the signer whose name comes nearest, and why it is not the party.
    naermest: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def advarsler(self) -> list[str]:
        lines = []
        for navn in self.mangler:
            near = self.naermest.get(navn)
            lines.append(f"{navn} har ikke signert" + (f"; nærmest er {near[0]}, men {near[1]}" if near else ""))
        lines += [f"{party} har signert ({navn}), men utstederen av sertifikatet ({utsteder or 'ukjent'}) er ikke "
                  "blant de klarerte, så signaturen teller ikke" for party, navn, utsteder in self.ikke_klarert]
        named = {near[0] for near in self.naermest.values()}
        lines += [f"{navn} har signert, men er ikke part i avtalen" for navn in self.ikke_parter if navn not in named]
        return lines


# --- trust roots --------------------------------------------------------------------------------

def load_trust_roots(folder: Path) -> list[x509.Certificate]:
    """The CA certificates in a folder (PEM, several per file allowed, or DER); TrustError names a bad file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise TrustError(f"Mappen med klarerte sertifikater finnes ikke: {folder}")
    roots: list[x509.Certificate] = []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in CERT_SUFFIXES and p.is_file())
    if len(files) > MAX_CERT_FILES:
        raise TrustError(f"{folder} har mer enn {MAX_CERT_FILES} sertifikatfiler")
    for path in files:
        if path.stat().st_size > MAX_CERT_BYTES:
            raise TrustError(f"{path.name} er for stor til å være et sertifikat (over 1 MB)")
        roots += read_certificates(path.read_bytes(), path.name)
    if not roots:
        raise TrustError(f"Fant ingen sertifikater ({', '.join(CERT_SUFFIXES)}) i {folder}")
    return roots


def read_certificates(data: bytes, name: str) -> list[x509.Certificate]:
    """The certificates in one file's bytes (PEM, several allowed, or DER); TrustError naming the file `name`.
    The one reader of a trusted issuer's file: what the page Innstillinger takes, `signert` can use."""
    try:
        if pem.detect(data):
            found = [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                     if kind == "CERTIFICATE"]
        else:
            found = [x509.Certificate.load(data)]
        for cert in found:
            cert.native  # asn1crypto parses lazily: a damaged certificate fails here, not during validation
    except Exception as exc:  # asn1crypto raises ValueError, TypeError and others for damaged input
        raise TrustError(f"{name} er ikke et sertifikat i PEM- eller DER-format ({exc})") from None
    if not found:
        raise TrustError(f"{name} har ingen sertifikater")
    return found


def trust_roots_for(tillit: Path | None, kept: Path) -> list[x509.Certificate] | None:
    """The roots given (`--tillit`), else those kept in the output folder (`<ut>/tillit/`) when it holds
    any certificate, else None: nothing is checked."""
    if tillit is not None:
        return load_trust_roots(tillit)
    if kept.is_dir() and any(p.suffix.lower() in CERT_SUFFIXES for p in kept.iterdir() if p.is_file()):
        return load_trust_roots(kept)
    return None


# --- reading signatures -------------------------------------------------------------------------

def read_signatures(source: bytes | Path, trust_roots: Sequence[x509.Certificate] | None = None,
                    name: str = "") -> Signaturer:
    """Every signature of a PDF, validated; trust_roots None means: not checked against any issuer.

    `name` is what messages call the file (the path's name by default).
    """
    data, name = _read_bounded(source, name)
    try:
        return run_coroutine(_read(data, trust_roots))
    except UnreadablePdf as exc:
        raise UnreadablePdf(f"{name}: {exc}") from None
    except Exception as exc:  # pyHanko's reader raises many kinds for damaged files; none may escape as a traceback
        raise UnreadablePdf(f"{name}: filen kan ikke leses som PDF ({short_error(exc)})") from None


def run_coroutine(coroutine):
    """The coroutine's result, also when called from inside a running event loop (a web front end)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def read_bounded(source: bytes | Path, name: str, error: type[Exception]) -> tuple[bytes, str]:
    """At most MAX_BYTES of a received file (bytes or a path) and the name to show; `error` when
    it cannot be opened or is larger (a signed copy or a scan is never read unbounded)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source[: MAX_BYTES + 1])
        name = name or "PDF-filen"
    else:
        path = Path(source)
        name = name or path.name
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except OSError as exc:
            raise error(f"{name}: filen kan ikke åpnes ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise error(f"{name}: filen er større enn {MAX_BYTES // (1024 * 1024)} MB og leses ikke")
    return data, name


def _read_bounded(source: bytes | Path, name: str) -> tuple[bytes, str]:
    data, name = read_bounded(source, name, UnreadablePdf)
    if b"%PDF-" not in data[:1024]:
        raise UnreadablePdf(f"{name}: filen er ikke en PDF")
    return data, name


def validation_context(trust_roots: Sequence[x509.Certificate] | None):
    """A fresh pyHanko validation context: with no roots it trusts nothing (not the operating system's
    TLS list), and it never goes to the network. One per signature, the embedded evidence's too."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=list(trust_roots or []), allow_fetching=False, revocation_mode="soft-fail")


def key_usage():
    """Personal certificates (BankID, Buypass) have non-repudiation; a portal's seal may have digital
    signature only. Either is a signature here; which issuer is trusted is --tillit's job."""
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    return KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False)


async def _read(data: bytes, trust_roots: Sequence[x509.Certificate] | None) -> Signaturer:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.encrypted:
        raise UnreadablePdf("filen er kryptert og kan ikke kontrolleres")
    checked = trust_roots is not None
    signatures = list(reader.embedded_regular_signatures)
    result = Signaturer(kontrollert=checked)
    # What the certifying signature, if any, lets happen after the signatures (DocMDP: 2 form filling, 3 also
    # annotations); a plain approval signature lets nothing but further signatures follow.
    permitted = max((_docmdp(embedded) for embedded in signatures), default=0)
    usage = key_usage()
    for n, embedded in enumerate(signatures):
        last = n == len(signatures) - 1
        result.signaturer.append(await _one(embedded, validation_context(trust_roots), usage, last, checked,
                                            permitted))
    return result


async def _one(embedded, context, usage, last: bool, checked: bool, permitted: int = 0) -> Signatur:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        cert = embedded.signer_cert
        navn, utsteder, organisasjon = signer_name(cert), cert.issuer.human_friendly, organisation_of(cert)
    except Exception:
        navn, utsteder, organisasjon = "ukjent signatar", "", ""
    felt = str(embedded.field_name or "")
    lomme, slutt = _byte_range(embedded)
    extra = {"slutt": slutt, "lomme": lomme, "sertifiserer": _docmdp(embedded), "organisasjon": organisasjon}
    try:
        status = await async_validate_pdf_signature(embedded, signer_validation_context=context, key_usage_settings=usage)
    except Exception as exc:  # a malformed signature is reported for what it is, the other signatures still count
        return Signatur(navn, felt, False, COVERS_PART, False, None, checked, False, utsteder,
                        feil=f"signaturen kan ikke kontrolleres ({short_error(exc)})", **extra)
    coverage = status.coverage
    dekker = (COVERS_FILE if coverage == SignatureCoverageLevel.ENTIRE_FILE
              else COVERS_REVISION if coverage == SignatureCoverageLevel.ENTIRE_REVISION else COVERS_PART)
    level = status.modification_level
    # After the last signature only archival updates (validation data, document timestamps)
    # may follow; after an earlier one also the later signatures themselves.
    allowed = ModificationLevel.LTA_UPDATES if last else ModificationLevel.FORM_FILLING
    endret = level is None or level > allowed or status.docmdp_ok is False
    merknad = ""
    if endret and status.docmdp_ok and level is not None and level.value in _PERMITTED \
            and permitted >= level.value:
        # Filled in or commented after signing, as the certification allows: accepted, and said.
        endret, merknad = False, f"{_PERMITTED[level.value]} etter signeringen (sertifiseringen tillater det)"
    extra["merknad"] = merknad
    when = None
    if status.timestamp_validity is not None and status.timestamp_validity.intact:
        when = status.timestamp_validity.timestamp
    when = when or status.signer_reported_dt
    feil = ""
    if status.intact and not status.valid:
        feil = "signaturen stemmer ikke med sertifikatet"
    return Signatur(navn, felt, bool(status.intact), dekker, endret, when, checked,
                    checked and bool(status.trusted), utsteder, feil, **extra)


def _byte_range(embedded) -> tuple[int, int]:
    """(where the signature value begins, where the signed revision ends)."""
    try:
        byte_range = [int(v) for v in embedded.byte_range]
        return byte_range[1], byte_range[2] + byte_range[3]
    except Exception:  # a damaged byte range: the validation says so
        return 0, 0


def _docmdp(embedded) -> int:
    try:
        level = embedded.docmdp_level
    except Exception:
        return 0
    return int(level.value) if level is not None else 0


def organisation_of(cert: x509.Certificate) -> str:
    """An organisation's certificate (a seal): its organisation number (organizationIdentifier
    `NTRNO-984661185`, or a nine-digit serialNumber), else its organisation name; "" for a person's."""
    subject = cert.subject.native
    if subject.get("given_name") or subject.get("surname"):
        return ""
    for attribute in ("organization_identifier", "serial_number"):
        value = subject.get(attribute)
        digits = re.sub(r"^NTRNO-", "", value.strip()) if isinstance(value, str) else ""
        if re.fullmatch(r"\d{9}", digits):
            return digits
    organisation = subject.get("organization_name")
    return organisation.strip() if isinstance(organisation, str) else ""


def signer_name(cert: x509.Certificate) -> str:
    """Given name and surname from the certificate's subject when both are there, else its common name."""
    subject = cert.subject.native
    given, surname = subject.get("given_name"), subject.get("surname")
    if isinstance(given, str) and isinstance(surname, str) and given.strip() and surname.strip():
        return f"{given.strip()} {surname.strip()}"
    common = subject.get("common_name")
    if isinstance(common, list):
        common = " ".join(common)
    return (common or cert.subject.human_friendly or "ukjent signatar").strip()


def short_error(exc: BaseException) -> str:
    """An exception's text on one line of at most 160 characters, for a Norwegian message to quote."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


# --- the parties --------------------------------------------------------------------------------

# Letters that Unicode does not decompose, folded as Norwegian keyboards without them write them.
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ß": "ss"})


def name_key(name: str) -> tuple[str, ...]:
    """A name as comparable words: "Direktør, Kari" and "kari  direktor" give the same key.

    Case, accents (NFKD, combining marks dropped; æ → ae, ø → o), spacing, hyphens and dots
    are ignored, and "Etternavn, Fornavn" is turned round.
    """
    text = unicodedata.normalize("NFKC", name or "").strip()
    if text.count(",") == 1:
        last, first = text.split(",")
        text = f"{first} {last}"
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return tuple(w for w in re.split(r"[\s,.\-‐‑–—]+", text) if w)


def same_person(party: str, signer: str) -> bool:
    """The same given name, and the one name's surname among the other's surnames or middle names.

    A BankID certificate carries the full name from the population register, surnames first
    (`CN=Berg, Ingrid Sæther`); the workbook often has only the name in daily use ("Ingrid Sæther"
    or "Ingrid Berg"). So the shorter name's words must all be in the longer one, its first word
    (the given name) first in both, and its last word among the longer one's other names. Never a
    likeness of spelling: a letter from another alphabet, or the names turned round, is another person.
    """
    a, b = name_key(party), name_key(signer)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return (len(shorter) >= 2 and shorter[0] == longer[0] and shorter[-1] in longer[1:]
            and set(shorter) <= set(longer))


def _why_not(party: str, signer: str) -> str:
    """In a few words, why `signer` is not `party` (for the nearest signer of a party who has not signed)."""
    a, b = name_key(party), name_key(signer)
    if a[0] != b[0]:
        return "fornavnet er et annet"
    words = [w for w in re.split(r"[\s,.\-‐‑–—]+", unicodedata.normalize("NFKC", party)) if w]
    missing = [word for word, key in zip(words, a) if key not in b] if len(words) == len(a) else []
    return f"«{' '.join(missing)}» står ikke i sertifikatets navn" if missing else "navnene er for ulike"


def _nearest(party: str, signers: list[str]) -> str | None:
    """The signer to name beside a party who has not signed: one who shares a name with the party, or whose
    name is spelt much alike. Likeness only chooses whom to name; it never makes a match."""
    from rapidfuzz import fuzz

    key = name_key(party)

    def likeness(signer: str) -> float:
        return fuzz.ratio(" ".join(key), " ".join(name_key(signer)))

    near = [n for n in signers if set(key) & set(name_key(n)) or likeness(n) >= 80]
    return max(near, key=likeness, default=None)


def compare_parties(signatures: Iterable[Signatur], parties: Sequence[str]) -> Parter:
    """Which parties signed (valid signatures only), who is missing, and who signed without being a party.

    Each signature counts for at most one party, exact names before looser matches, so two
    signatures are needed for two parties even when their names are alike. When trust roots were
    given, a signature whose issuer is not among them counts for no one: its party is named as
    having signed with an untrusted certificate, and the document is not signed.
    """
    valid = [s for s in signatures if s.gyldig]
    counted = [s.navn for s in valid if s.klarert or not s.kontrollert]
    untrusted = [s for s in valid if s.kontrollert and not s.klarert]
    matched = _match(parties, counted)
    ikke_klarert = []
    for p, party in enumerate(parties):
        if p in matched:
            continue
        found = next((s for s in untrusted if same_person(party, s.navn)), None)
        if found is not None:
            untrusted.remove(found)
            ikke_klarert.append((party, found.navn, found.utsteder))
    done = {party for party, _, _ in ikke_klarert}
    signert_av = [(parties[p], counted[i]) for p, i in sorted(matched.items())]
    mangler = [party for p, party in enumerate(parties) if p not in matched and party not in done]
    ikke_parter = [counted[i] for i in range(len(counted)) if i not in matched.values()]
    naermest = {party: (near, _why_not(party, near)) for party in mangler
                if name_key(party) and (near := _nearest(party, ikke_parter)) is not None}
    status = SIGNERT if not mangler and not ikke_klarert else DELVIS
    return Parter(status, signert_av, mangler, ikke_parter, ikke_klarert, naermest)


def _match(parties: Sequence[str], signers: list[str]) -> dict[int, int]:
    """Party index -> signer index, exact names first, each signer used once."""
    unused = list(range(len(signers)))
    matched: dict[int, int] = {}
    for exact in (True, False):
        for p, party in enumerate(parties):
            if p in matched:
                continue
            for i in unused:
                if (name_key(party) == name_key(signers[i])) if exact else same_person(party, signers[i]):
                    matched[p] = i
                    unused.remove(i)
                    break
    return matched
