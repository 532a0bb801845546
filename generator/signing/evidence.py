"""A signing portal's evidence: the signers' own signatures, embedded in a PDF the portal sealed.

Posten signering returns a new PDF (a cover page, the original pages, a footer naming the signers),
certified once by its seal, with each signer's XAdES signature over the document it received
attached to the file (digipost/signering-docs, «Signert dokument»). Penneo, Scrive, Visma Sign and
Signicat's packaged delivery seal our own PDF the same way, with the signers' signatures attached.
The seal says who the portal let sign; the attachments are the signatures themselves. Each
attachment that is a signature is verified on its own here:

* a detached CMS/PKCS#7 (`.p7s`) with pyHanko's `async_validate_detached_cms`;
* an XML signature (XAdES) with signxml, the reference to the document resolved to its bytes, and
  the certificate's chain checked with pyHanko's certificate validator, as for a PDF signature.

A signature counts only when what it signs is a document this tool made: the digest it carries must
be the sha256 of a copy `signering` made (recorded in manifest.json) or of the original revision
inside the file. Its signer's name comes from its certificate (a BankID certificate's
`CN=Etternavn, Fornavn`), and, with trust roots, its issuer must be trusted like any signature's.

Bounded: at most MAX_ATTACHMENTS attachments of MAX_ATTACHMENT_BYTES each are read.
"""

from __future__ import annotations

import hashlib
import io
from base64 import b64decode
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from asn1crypto import x509

from .verify import (
    COVERS_FILE,
    Signatur,
    key_usage,
    organisation_of,
    run_coroutine,
    short_error,
    signer_name,
    validation_context,
)

MAX_ATTACHMENTS = 50
MAX_ATTACHMENT_BYTES = 1024 * 1024  # a signature with its certificates is a few kB

_DS = "http://www.w3.org/2000/09/xmldsig#"
_XADES = "http://uri.etsi.org/01903/v1.3.2#"
_SHA256 = ("http://www.w3.org/2001/04/xmlenc#sha256",)

# What a signature signs, by the hex sha256 of it: a function that gives those bytes (read only when a
# signature claims that digest), and which document it is (an ID text, for the caller to compare).
Known = dict[str, tuple[Callable[[], bytes], str]]


@dataclass
class Bevis:
    """One signer's signature found in the file."""

    fil: str  # the attachment's name
    signatur: Signatur
    dokument_id: str  # the document it signs, as `Known` names it; "" when it signs none we know


def attachments(data: bytes) -> list[tuple[str, bytes]]:
    """The embedded files of a PDF (name, bytes), bounded; [] when it has none or cannot be read."""
    import pikepdf

    found = []
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for name, spec in list(pdf.attachments.items())[:MAX_ATTACHMENTS]:
                stream = spec.get_file()
                if int(stream.obj.get("/Length", 0)) > MAX_ATTACHMENT_BYTES:
                    continue
                content = stream.read_bytes()
                if len(content) <= MAX_ATTACHMENT_BYTES:
                    found.append((str(name), bytes(content)))
    except Exception:  # a damaged name tree: no evidence, and the seal alone speaks
        return []
    return found


def read_evidence(data: bytes, known: Known, trust_roots: Sequence[x509.Certificate] | None) -> list[Bevis]:
    """Every attachment that is a signature, verified; other attachments are left alone."""
    found = []
    for name, content in attachments(data):
        if _is_cms(content):
            found.append(run_coroutine(_cms(name, content, known, trust_roots)))
        elif b"Signature" in content[:65536] and content.lstrip()[:1] == b"<":
            found.append(run_coroutine(_xades(name, content, known, trust_roots)))
    return [bevis for bevis in found if bevis is not None]


# The portals that seal what their signers signed, by organisation number where we know it for certain and
# else by a word of the seal's organisation name; an unknown sealer is handled the same way, by its own name.
PORTALS = [
    ("984661185", "Posten Norge", "Posten signering"),  # Posten Norge AS, digipost/signering-docs
    ("989584022", "Signicat", "Signicat"),
    ("", "Penneo", "Penneo"),
    ("", "Scrive", "Scrive"),
    ("", "Visma", "Visma Sign"),
    ("", "Verified", "Verified"),
]


def portal_name(seal: Signatur) -> str:
    """The sealer as HR knows it: «Posten signering (Posten Norge AS)», or the certificate's own name."""
    for orgnr, word, name in PORTALS:
        if (orgnr and seal.organisasjon == orgnr) or word.casefold() in seal.navn.casefold():
            return name if name.casefold() in seal.navn.casefold() else f"{name} ({seal.navn})"
    return seal.navn


def _is_cms(content: bytes) -> bool:
    return content[:1] == b"\x30" and b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in content[:32]


def _refused(name: str, cert: x509.Certificate | None, why: str, when: datetime | None = None,
             checked: bool = False) -> Bevis:
    navn = signer_name(cert) if cert is not None else "ukjent signatar"
    utsteder = cert.issuer.human_friendly if cert is not None else ""
    return Bevis(name, Signatur(navn, name, False, COVERS_FILE, False, when, checked, False, utsteder, feil=why), "")


_ANOTHER = "den gjelder et annet dokument enn kopiene laget for signering"


async def _cms(name: str, content: bytes, known: Known, trust_roots) -> Bevis | None:
    from asn1crypto import cms
    from pyhanko.sign.validation import async_validate_detached_cms

    checked = trust_roots is not None
    try:
        info = cms.ContentInfo.load(content)
        if info["content_type"].native != "signed_data":
            return None
        signed_data = info["content"]
        signer_info = signed_data["signer_infos"][0]
        digest = next(bytes(a["values"][0].native) for a in signer_info["signed_attrs"]
                      if a["type"].native == "message_digest")
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        cert = next((c.chosen for c in signed_data["certificates"]
                     if c.chosen.serial_number == signer_info["sid"].chosen["serial_number"].native), None)
    except Exception as exc:  # asn1crypto raises many kinds for a damaged structure
        return _refused(name, None, f"signaturen kan ikke leses ({short_error(exc)})", checked=checked)
    if algorithm != "sha256":
        return _refused(name, cert, f"signaturen bruker {algorithm}, ikke SHA-256", checked=checked)
    source = known.get(digest.hex())
    if source is None:
        return _refused(name, cert, _ANOTHER, checked=checked)
    read, dokument_id = source
    try:
        status = await async_validate_detached_cms(read(), signed_data, signer_validation_context=validation_context(trust_roots),
                                                   key_usage_settings=key_usage())
    except Exception as exc:  # a malformed signature is reported for what it is
        return _refused(name, cert, f"signaturen kan ikke kontrolleres ({short_error(exc)})", checked=checked)
    cert = status.signing_cert or cert
    feil = "" if status.valid else "signaturen stemmer ikke med sertifikatet"
    return Bevis(name, Signatur(signer_name(cert), name, bool(status.intact), COVERS_FILE, False,
                                status.signer_reported_dt, checked, checked and bool(status.trusted),
                                cert.issuer.human_friendly, feil, organisasjon=organisation_of(cert)), dokument_id)


async def _xades(name: str, content: bytes, known: Known, trust_roots) -> Bevis | None:
    from lxml import etree
    from signxml import InvalidInput, InvalidSignature
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    checked = trust_roots is not None
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        return None
    signature = root if root.tag == f"{{{_DS}}}Signature" else root.find(f".//{{{_DS}}}Signature")
    if signature is None:
        return None
    certs = [_cert(t.text) for t in signature.iterfind(f".//{{{_DS}}}X509Certificate")]
    certs = [c for c in certs if c is not None]
    cert = certs[0] if certs else None
    # The document is the reference that points outside the XML (the file the portal received).
    external = [r for r in signature.iterfind(f"{{{_DS}}}SignedInfo/{{{_DS}}}Reference")
                if not (r.get("URI") or "").startswith("#") and r.get("URI")]
    if cert is None or len(external) != 1:
        return _refused(name, cert, "XML-signaturen har ikke ett sertifikat og én referanse til dokumentet",
                        checked=checked)
    method = external[0].find(f"{{{_DS}}}DigestMethod")
    if method is None or method.get("Algorithm") not in _SHA256:
        return _refused(name, cert, "XML-signaturen bruker ikke SHA-256 for dokumentet", checked=checked)
    try:
        digest = b64decode(external[0].findtext(f"{{{_DS}}}DigestValue") or "", validate=True).hex()
    except ValueError:
        return _refused(name, cert, "XML-signaturens sjekksum for dokumentet kan ikke leses", checked=checked)
    when = _signing_time(signature)
    source = known.get(digest)
    if source is None:
        return _refused(name, cert, _ANOTHER, when, checked)
    read, dokument_id = source
    document, uri = read(), external[0].get("URI")
    from cryptography import x509 as crypto_x509

    try:
        # The certificate in the XML checks the signature; its chain is checked below, as a PDF signer's is.
        XAdESVerifier().verify(content, x509_cert=crypto_x509.load_der_x509_certificate(cert.dump()),
                               uri_resolver=lambda wanted: document if wanted == uri else None,
                               expect_config=XAdESSignatureConfiguration(expect_references=True))
    except (InvalidInput, InvalidSignature, ValueError) as exc:
        return _refused(name, cert, f"XML-signaturen er ugyldig ({short_error(exc)})", when, checked)
    trusted = checked and await _trusted(cert, certs[1:], trust_roots)
    return Bevis(name, Signatur(signer_name(cert), name, True, COVERS_FILE, False, when, checked, trusted,
                                cert.issuer.human_friendly, organisasjon=organisation_of(cert)), dokument_id)


def _cert(text: str | None) -> x509.Certificate | None:
    try:
        cert = x509.Certificate.load(b64decode("".join((text or "").split())))
        cert.native  # parsed lazily: a damaged certificate fails here
        return cert
    except Exception:
        return None


def _signing_time(signature) -> datetime | None:
    text = signature.findtext(f".//{{{_XADES}}}SigningTime")
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


async def _trusted(cert: x509.Certificate, others: list[x509.Certificate], trust_roots) -> bool:
    from pyhanko_certvalidator import CertificateValidator

    try:
        await CertificateValidator(cert, intermediate_certs=others,
                                   validation_context=validation_context(trust_roots)).async_validate_path()
        return True
    except Exception:  # no path, an expired or revoked link: not trusted, which is what is said
        return False


def content_digests(data: bytes, first_signed: int) -> list[tuple[str, bytes]]:
    """(sha256 hex, bytes) of the file as it was before the first signature was added: the document the
    portal received, when it sealed it as an incremental update. The update begins after the end-of-file
    marker that ends the original, with or without the line break after it."""
    end = data.rfind(b"%%EOF", 0, first_signed)
    if end < 0:
        return []
    end += len(b"%%EOF")
    found = []
    for cut in (end, end + 1, end + 2):
        if cut <= len(data) and (cut == end or data[end:cut] in (b"\n", b"\r", b"\r\n")):
            original = data[:cut]
            found.append((hashlib.sha256(original).hexdigest(), original))
    return found
