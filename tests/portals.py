"""Signed PDFs in the shapes Norwegian e-signing portals deliver, made here with real keys and throwaway CAs.

The verifier (generator/signing/verify.py) is meant to be tested against these instead of against
files from a real portal, which cannot be put in the repository (they carry real names and
fødselsnumre) and whose certificates expire. Every builder says where its shape comes from.

* `Authority` is a CA made here; it issues `Person`s: BankID-like personal certificates, plain
  personal certificates and organisation seals.
* `cms_detached`, `xades_detached` and `pades` are the three forms a signer's own signature takes.
* `posten_signed` makes the new PDF Posten signering returns; `portal_sealed` seals our own PDF as
  Penneo, Scrive, Visma Sign and Signicat do; `relabelled` is the hostile case of a signed file whose
  XMP document ID is swapped afterwards.
* `verify_cms_detached` and `verify_xades_detached` show how a verifier checks the evidence that
  `posten_signed` and `portal_sealed` embed (with the gotchas spelled out in their docstrings).

Nothing here imports from the other test files, so it keeps working while they change.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from base64 import b64decode, b64encode
from dataclasses import dataclass, field as dataclass_field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf
from asn1crypto import cms as asn1_cms
# asn1crypto.tsp adds signing_certificate_v2 (and more) to CMSAttributeType's names; asn1crypto builds
# the name-to-OID map once, at the first CMS attribute it parses, so this must come first: parsed
# later, pyHanko's signing fails with "invalid literal for int() ... 'signing_certificate_v2'".
from asn1crypto import tsp as _asn1_tsp  # noqa: F401
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from lxml import etree

from generator.documents import identity

ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")  # ETSI EN 319 412-1 organizationIdentifier
A4 = (595.28, 841.89)
POSTEN_ORGNR = "984661185"  # Posten Norge AS (Posten Bring AS since 2023; the seal kept the old name)

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_X = "adobe:ns:meta/"


# --- certificates -------------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(timezone.utc)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "ca"


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


class Authority:
    """A throwaway CA: a root (self-signed) or, with `issuer`, an intermediate below another Authority.

    EC P-256 keys, SHA-256 signatures, BasicConstraints CA (critical), KeyUsage keyCertSign + cRLSign
    (critical), subject and authority key identifiers, valid from a year ago to five years ahead, so
    a signature made now validates and `when` in posten_signed may lie in the past.
    E.g. Authority("BankID - TestBank1 - Bank CA"), or Posten's seal chain as Adobe shows it
    ("sertifikat utstedt av Entrust Class 3 Client CA - SHA256"):
    Authority("Entrust Class 3 Client CA - SHA256", issuer=Authority("Entrust Test Root")).
    """

    def __init__(self, name: str, issuer: Authority | None = None):
        self.name = name
        self.issuer = issuer
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        signing_key = issuer.key if issuer else self.key
        now = _now()
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(issuer.cert.subject if issuer else subject)
                   .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=365)).not_valid_after(now + timedelta(days=5 * 365))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                key_cert_sign=True, crl_sign=True, encipher_only=False,
                                                decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
                                  critical=False))
        self.cert = builder.sign(signing_key, hashes.SHA256())

    @property
    def chain(self) -> list[x509.Certificate]:
        """This CA's certificate and its issuers', up to the root."""
        return [self.cert] + (self.issuer.chain if self.issuer else [])

    @property
    def root(self) -> Authority:
        return self.issuer.root if self.issuer else self

    def write(self, folder: Path) -> Path:
        """Write this CA's certificate as `<folder>/<slug of the name>.pem` (a trust-roots folder); returns folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{_slug(self.name)}.pem").write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return folder

    def _issue(self, attributes: list[x509.NameAttribute], key_usage: x509.KeyUsage, key_type: str,
               **person) -> Person:
        key = _new_key(key_type)
        now = _now()
        cert = (x509.CertificateBuilder().subject_name(x509.Name(attributes)).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=30)).not_valid_after(now + timedelta(days=3 * 365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(key_usage, critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        return Person(name=common, cert=cert, key=key, ca=self, **person)

    def bankid_person(self, surname: str, given: str, serial: str | None = None, fnr: str | None = None,
                      key_type: str = "ec") -> Person:
        """A BankID personal signing certificate: subject `C=NO, CN=Surname, Given Middle, serialNumber=9578-…`.

        As BankID names its holder: the CN in "Etternavn, Fornavn Mellomnavn" order with a comma, the
        BankID PID as serialNumber (`9578-4050-127091783`; random when None), no givenName or surname
        attributes; KeyUsage nonRepudiation only (critical), as on BankID's signing certificates. `fnr`
        is not in the certificate: it is what Posten prints in brackets after the name when the sender
        addressed the signer by fødselsnummer. `key_type`: see `_new_key` (real BankID keys are RSA).
        """
        serial = serial or f"9578-{secrets.randbelow(9000) + 1000}-{secrets.randbelow(900_000_000) + 100_000_000}"
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"{surname}, {given}"),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, serial)]
        usage = x509.KeyUsage(digital_signature=False, content_commitment=True, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
        return self._issue(attributes, usage, key_type, given=given, surname=surname, fnr=fnr)

    def person(self, given: str, surname: str, key_type: str = "ec") -> Person:
        """A plain personal certificate: CN="Given Surname" with givenName and surname attributes;
        KeyUsage digitalSignature + nonRepudiation (as tests/test_signing.py's Pki.signer)."""
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, f"{given} {surname}"),
                      x509.NameAttribute(NameOID.GIVEN_NAME, given),
                      x509.NameAttribute(NameOID.SURNAME, surname)]
        usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
        return self._issue(attributes, usage, key_type, given=given, surname=surname)

    def seal(self, organisation: str, orgnr: str, email: str | None = None, key_type: str = "rsa") -> Person:
        """An organisation seal (virksomhetssertifikat / e-seal): C=NO, O=organisation,
        organizationIdentifier=NTRNO-<orgnr> (2.5.4.97, ETSI EN 319 412-1), serialNumber=orgnr,
        CN=organisation, and emailAddress when given (Adobe shows Posten's seal as
        "Posten Norge AS <kundeservice@posten.no>"); KeyUsage digitalSignature + nonRepudiation.
        An RSA key by default, as real seals have (see `_new_key` for why it matters)."""
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(ORGANIZATION_IDENTIFIER, f"NTRNO-{orgnr}"),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, orgnr),
                      x509.NameAttribute(NameOID.COMMON_NAME, organisation)]
        if email:
            attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
        usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
        return self._issue(attributes, usage, key_type)


def _new_key(key_type: str):
    """A new private key: "ec" (P-256, fast) or "rsa" (2048 bits, ~50-150 ms to make).

    The key type shows in the PDF: when pyHanko signs with an ECDSA key it registers the ISO 32002
    extension and raises the file to PDF 2.0 (/Version /2.0 and /Extensions in the catalog, in the
    signature's own update); with RSA it only registers the ESIC extension and keeps 1.7. Real
    seals (Posten's Entrust certificate, Buypass and Commfides e-seals) and BankID keys are RSA.
    """
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"key_type must be 'ec' or 'rsa', not {key_type!r}")


@dataclass
class Person:
    """A certificate holder with its key; `name` is the certificate's CN as written there."""

    name: str
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ca: Authority
    given: str = ""
    surname: str = ""
    fnr: str | None = None  # only what a portal prints next to the name, never in the certificate
    _signer: object = dataclass_field(default=None, repr=False, compare=False)

    @property
    def display_name(self) -> str:
        """The name in reading order ("Given Surname"), as portals print it; the CN for a seal."""
        return f"{self.given} {self.surname}" if self.given and self.surname else self.name

    @property
    def chain(self) -> list[x509.Certificate]:
        """The CA certificates above this one, nearest first (not this certificate itself)."""
        return self.ca.chain

    @property
    def signer(self):
        """A pyHanko SimpleSigner for this certificate, with the CA chain in its certificate registry
        (so pyHanko embeds the chain in each CMS it makes)."""
        if self._signer is None:
            from pyhanko.sign import signers
            from pyhanko_certvalidator.registry import SimpleCertificateStore

            der_key = self.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
            self._signer = signers.SimpleSigner(
                signing_cert=asn1_x509.Certificate.load(_der(self.cert)),
                signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
                cert_registry=SimpleCertificateStore.from_certs(
                    [asn1_x509.Certificate.load(_der(c)) for c in self.chain]))
        return self._signer


# --- a signer's own signature -------------------------------------------------------------------

def cms_detached(data: bytes, person: Person) -> bytes:
    """DER CMS/PKCS#7 SignedData, detached, SHA-256, over `data`: the `.p7s` a signer's signature travels as.

    Made with cryptography's PKCS7SignatureBuilder, options DetachedSignature + Binary (no MIME
    canonicalisation, so the digest is over the bytes exactly); signed attributes contentType,
    signingTime (now: cryptography sets it, it cannot be chosen), messageDigest = sha256(data) and
    SMIMECapabilities; the signer's certificate and its CA chain are in `certificates`.
    Source: RFC 5652 §5 (SignedData, detached content); the `.p7s` form Signicat's SDOs and
    Posten's `evidence="cms"` variant carry. Check it with `verify_cms_detached`.
    """
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(person.cert, person.key, hashes.SHA256())
    for cert in person.chain:
        builder = builder.add_certificate(cert)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                                     pkcs7.PKCS7Options.Binary])


def _xades_signer(data: bytes, when: datetime | None, mime_type: str, description: str, rsa_key: bool):
    from signxml import DigestAlgorithm, SignatureMethod, methods
    from signxml.util import ds_tag, xades_tag
    from signxml.xades import XAdESDataObjectFormat, XAdESSigner

    digest = b64encode(hashlib.sha256(data).digest()).decode()
    signing_time = (when or _now()).astimezone(timezone.utc).isoformat(timespec="seconds")

    class _DetachedBinaryXAdESSigner(XAdESSigner):
        # signxml cannot digest external binary data: a detached reference is always canonicalised XML.
        # So the XML we hand it is a stand-in, and this annotator, which runs after the references are
        # built and before SignedInfo is signed, turns the first reference into what XAdES wants for an
        # external file: the file name as URI, no transforms, DigestValue = sha256 of the bytes.
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.signature_annotators.append(self._point_at_external_file)

        def _point_at_external_file(self, sig_root, signing_settings):
            reference = sig_root.find(f"{ds_tag('SignedInfo')}/{ds_tag('Reference')}")
            transforms = reference.find(ds_tag("Transforms"))
            if transforms is not None:
                reference.remove(transforms)
            reference.find(ds_tag("DigestValue")).text = digest

        def add_signing_time(self, signed_signature_properties, sig_root, signing_settings):
            etree.SubElement(signed_signature_properties, xades_tag("SigningTime"),
                             nsmap=self.namespaces).text = signing_time

    return _DetachedBinaryXAdESSigner(
        method=methods.detached,
        signature_algorithm=SignatureMethod.RSA_SHA256 if rsa_key else SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        data_object_format=XAdESDataObjectFormat(Description=description, MimeType=mime_type))


def xades_detached(data: bytes, person: Person, file_name: str = "dokument.pdf", *,
                   when: datetime | None = None, mime_type: str = "application/pdf") -> bytes:
    """A XAdES-BES signature (signxml's XAdESSigner) over `data` as a detached reference to an external file.

    The `ds:Signature` is the root element. Its SignedInfo has three references, as signxml's XAdES
    always makes: (1) URI=`file_name`, no Transforms, DigestMethod sha256, DigestValue =
    base64(sha256(data)); (2) the xades:SignedProperties (SigningTime = `when` or now,
    SigningCertificateV2 with sha256 of the signer's certificate, DataObjectFormat with `mime_type`
    pointing at reference 1); (3) the KeyInfo, which holds X509Data with the signer's certificate and
    (signxml's XAdES default) a KeyValue, then any intermediate CA certificates. ECDSA-SHA256 or
    RSA-SHA256 after the key; SignedInfo canonicalised with C14N 1.1.
    Source: digipost/signering-docs, source/signert-dokument.rst: "A technical signature is an XML file
    called XML Advanced Electronic Signature (XAdES) and is the proof that you have signed
    digitally"; digipost/signature-api-specification, docs/_v1_0/6_signerte_dokumenter.md: "det vil
    finnes én XAdES per undertegner som har signert". (Posten's real XAdES is an LTV-SDO that wraps
    the e-ID provider's SEID-SDO; this keeps only what a verifier can check: the signature, the
    certificate and the digest of the document.) Check it with `verify_xades_detached`.
    """
    signer = _xades_signer(data, when, mime_type, f"Signert dokument: {file_name}",
                           isinstance(person.key, rsa.RSAPrivateKey))
    # Any XML will do as the stand-in: the annotator above replaces its digest.
    stand_in = etree.Element("Dokument")
    intermediates = person.chain[:-1]  # the signer's certificate first, then any CA below the root
    signature = signer.sign(stand_in, key=person.key, cert=[person.cert, *intermediates], reference_uri=file_name)
    return etree.tostring(signature, xml_declaration=True, encoding="UTF-8")


def _keep_xmp_writer(data: bytes):
    """pyHanko's IncrementalPdfFileWriter, but leaving the XMP alone.

    On every write pyHanko re-serialises the XMP metadata stream through its own model (prefixes
    become ns0, the PDF/A extension schema's namespaceURI becomes an rdf:resource, ModifyDate and
    Producer are set). A portal that only adds a signature does not do that, and `relabelled` must
    write exactly the XMP it means to, so the XMP update is skipped here; /Info is left as it was.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _Writer(IncrementalPdfFileWriter):
        def _update_meta(self):
            pass

    return _Writer(io.BytesIO(data), strict=False)


def _sign(writer, person: Person, field: str, certify_level: str | None = None, reason: str | None = None,
          force: bool = False) -> bytes:
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
        certify=certify_level is not None,
        docmdp_permissions=fields.MDPPerm[certify_level] if certify_level else fields.MDPPerm.FILL_FORMS)
    pdf_signer = signers.PdfSigner(meta, signer=person.signer)
    if force:  # pyHanko refuses to sign after a NO_CHANGES certification or to certify a signed file
        pdf_signer._enforce_certification_constraints = lambda reader: None
    return pdf_signer.sign_pdf(writer).getvalue()


def pades(data: bytes, person: Person, field: str, *, force: bool = False) -> bytes:
    """One more approval signature as an incremental update, as per-signer PAdES portals add them.

    pyHanko, SubFilter ETSI.CAdES.detached, sha256, an invisible signature field `field` on page 1;
    the XMP is left as it was (see `_keep_xmp_writer`). No DocMDP of its own. pyHanko refuses to
    sign a file certified with NO_CHANGES ("Author signature forbids all changes"); `force=True`
    signs anyway, for the hostile case of a signature added after a portal's final seal.
    Source: ETSI EN 319 142-1 (PAdES baseline B-B), each signature an incremental update
    (ISO 32000-1 §12.8); the way BankID/Signicat per-signer PAdES and tests/test_signing.py's
    `sign` add signatures.
    """
    return _sign(_keep_xmp_writer(data), person, field, force=force)


# --- PDF pages ---------------------------------------------------------------------------------

def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _fonts(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    def font(base: str):
        return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name(base),
                                                    Encoding=pikepdf.Name.WinAnsiEncoding))
    return pikepdf.Dictionary(PF1=font("/Helvetica"), PF2=font("/Helvetica-Bold"))


def _text(x: float, y: float, size: float, text: str, bold: bool = False) -> bytes:
    font = b"/PF2" if bold else b"/PF1"
    return b"BT %s %.1f Tf %.2f %.2f Td %s Tj ET\n" % (font, size, x, y, _pdf_text(text))


def our_pdf(text: str = "Lederavtale 2027", pages: int = 1, document_id=None) -> bytes:
    """A stand-in for one of our generated PDFs: A4 pages with `text`, and, given a DocumentId, the ID it
    carries (identity.carried_text: its short ID, or for one made without a key its full ID, as documents
    made before short IDs carry it) as "Dokument-ID …" in each page's footer, as the QR code
    (identity.qr_matrix, 2 pt a module with the quiet zone, as an image) on the last page, and in the XMP
    (identity.set_pdf_id)."""
    import zlib

    pdf = pikepdf.new()
    fonts = _fonts(pdf)
    footer = identity.footer_text(document_id) if document_id is not None else ""
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=A4)
        page.Resources = pikepdf.Dictionary(Font=fonts)
        content = _text(72, 760, 18, text) + _text(72, 730, 11, f"Side {number} av {pages}")
        if footer:
            content += _text(72, 30, 8, footer)
        if document_id is not None and number == pages:
            dark = identity.qr_matrix(identity.carried_text(document_id))
            size = dark.shape[0] + 2 * identity.QR_BORDER
            pixels = bytearray(b"\xff" * size * size)
            for row, col in zip(*dark.nonzero()):
                pixels[(row + identity.QR_BORDER) * size + col + identity.QR_BORDER] = 0
            image = pdf.make_stream(zlib.compress(bytes(pixels)), Type=pikepdf.Name.XObject,
                                    Subtype=pikepdf.Name.Image, Width=size, Height=size,
                                    ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                                    Filter=pikepdf.Name.FlateDecode, Interpolate=False)
            page.Resources.XObject = pikepdf.Dictionary(QR=image)
            scale = 2.0 * size  # 2 pt a module: 0.7 mm, as our signature page prints it
            content += b"q %.1f 0 0 %.1f 72 80 cm /QR Do Q\n" % (scale, scale)
        page.Contents = pdf.make_stream(content)
    if document_id is not None:
        identity.set_pdf_id(pdf, document_id)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def _local(when: datetime) -> datetime:
    if when.tzinfo is None:
        return when
    try:
        from zoneinfo import ZoneInfo
        return when.astimezone(ZoneInfo("Europe/Oslo"))
    except Exception:  # no tz database: the date in UTC is near enough for a test
        return when


def _signer_label(person: Person, upper: bool) -> str:
    name = person.display_name.upper() if upper else person.display_name
    return f"{name} ({person.fnr})" if person.fnr else name


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line] if line else lines


def _cover_content(title: str, signers: list[Person], seal: Person, when: datetime, upper: bool) -> bytes:
    date = _local(when).strftime("%d.%m.%Y")
    seal_name = seal.name.removesuffix(" AS")
    out = [_text(72, 740, 22, title),
           _text(72, 640, 10.5, "Dette dokumentet er signert digitalt av følgende undertegnere:", bold=True)]
    y = 618
    for person in signers:
        out.append(_text(80, y, 10, f"\u2022  {_signer_label(person, upper)}, signert {date} med BankID"))
        y -= 17
    # The grey band at the foot of the cover, as on Posten's cover page.
    out.append(b"q 0.94 g 0 0 %.2f 330 re f Q\n" % A4[0])
    y = 290
    for heading, body in (
            ("Dokumentet inneholder", ["\u2022  En forside med informasjon om signeringen",
                                       "\u2022  Originaldokumentet med signaturdetaljer på hver side",
                                       "\u2022  Digitalt integrerte signaturer"]),
            (f"Dokumentet er forseglet av {seal_name}",
             _wrap(f"Signeringen er gjort med en signaturtjeneste fra {seal.name}. {seal_name.split()[0]} "
                   "garanterer dermed for autentisiteten og forseglingen av dette dokumentet.", 90)),
            ("Slik ser du at signaturen er gyldig",
             _wrap(f"Hvis du åpner dokumentet i Adobe Reader, skal det stå øverst at dokumentet er sertifisert "
                   f"av {seal.name}. Dette garanterer at innholdet i dokumentet ikke er endret etter signering.",
                   90))):
        out.append(_text(100, y, 10, heading, bold=True))
        y -= 15
        for line in body:
            out.append(_text(100, y, 9, line))
            y -= 13
        y -= 14
    return b"".join(out)


def _footer_content(signers: list[Person], seal: Person, when: datetime, upper: bool, height: float) -> bytes:
    date = _local(when).strftime("%d.%m.%Y")
    out = [b"q 0.94 g 0 0 %.2f %.2f re f Q\n" % (A4[0], height),
           _text(40, height - 16, 7.5, "Dokumentet er signert digitalt av:", bold=True)]
    y = height - 28
    for person in signers:
        out.append(_text(46, y, 7, f"\u2022  {_signer_label(person, upper)}, {date}"))
        y -= 10
    out.append(_text(A4[0] - 110, height - 16, 7, "Forseglet av"))
    out.append(_text(A4[0] - 110, height - 28, 8, seal.name.removesuffix(" AS"), bold=True))
    return b"".join(out)


def _xmp_pdfa3b(title: str, producer: str, when: datetime) -> bytes:
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
    xmp = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="{_RDF}">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{esc(title)}</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
   <xmp:CreatorTool>{esc(producer)}</xmp:CreatorTool>
   <pdf:Producer>{esc(producer)}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return xmp.encode("utf-8")


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
        n += 1
    taken.add(candidate)
    return candidate


def posten_signed(original: bytes, signers: list[Person], seal: Person, evidence: str = "xades",
                  when: datetime | None = None, *, title: str | None = None, original_name: str = "dokument.pdf",
                  docmdp: str = "NO_CHANGES", field: str = "Posten Norge AS", upper_names: bool = False,
                  pdfa: bool = True) -> bytes:
    """A NEW PDF as Posten signering returns it (the "PAdES" of a signing job).

    Shape, page by page:
    * page 1, the cover: `title` (default: the original's /Title, else "Dokument"), "Dette dokumentet
      er signert digitalt av følgende undertegnere:", one line per signer
      "•  Given Surname[ (fnr)], signert dd.mm.yyyy med BankID" (date of `when` in Europe/Oslo;
      names in capitals with `upper_names`, as Posten's test environment shows them), and the grey
      band "Dokumentet inneholder / Dokumentet er forseglet av Posten Norge / Slik ser du at
      signaturen er gyldig";
    * then each page of the original, scaled onto A4 portrait (as a form XObject, so its text and
      any QR code are kept, about 0.93 of the size) above a grey footer "Dokumentet er signert
      digitalt av: •  Given Surname, dd.mm.yyyy … Forseglet av Posten Norge" (the original's
      annotations and form fields are not carried over).
    * attachments, as PDF/A-3 associated files (in /Names /EmbeddedFiles and in the catalog's /AF,
      /AFRelationship /Data, the embedded stream's /Subtype the MIME type): evidence="xades": one
      `<CN>.xml` per signer (xades_detached over the ORIGINAL bytes, reference URI `original_name`,
      application/xml); evidence="cms": one `<CN>.p7s` per signer (cms_detached over the original,
      application/pkcs7-signature); evidence="none": none. CN is the certificate's common name,
      so a BankID signer's file is e.g. "Sykehjem, Øystein.xml".
    * XMP that claims PDF/A-3b (pdfaid:part 3, conformance B; with pdfa=False none, as Posten does
      for an original that is not PDF/A) with dc:title and xmp dates; the original's XMP, and with
      it our dokumentid, is NOT kept. (Only a claim: the standard-14 fonts are not embedded and
      there is no output intent, so veraPDF would refuse it.)
    * finally certified ONCE by `seal` with pyHanko in one incremental update: field `field`,
      ETSI.CAdES.detached, /Perms /DocMDP with permission `docmdp` (NO_CHANGES by default; the docs
      do not say which level Posten uses, see below), the seal's CA chain in the CMS.

    Sources: digipost/signering-docs, source/signert-dokument.rst: "A signed PDF is called PDF
    Advanced Electronic Signature (PAdES). This consists of the original document, a front page with
    information about the signing, and the technical signatures (the XAdES) for all of the signers.
    The XAdESes are digitally integrated into the PAdES and are not visible"; "the document will
    have a front page showing who has signed it and what the document contains. Each page also
    contains a footer that shows who has signed." Its image pades-visning-adobe-prod.png shows
    Adobe's banner "Sertifisert av Posten Norge AS <kundeservice@posten.no>, Posten Norge AS,
    sertifikat utstedt av Entrust Class 3 Client CA - SHA256" (a certification signature), and
    pades-visning-innhold.png the cover and footer texts used here.
    source/opprette-oppdrag.rst: "For PDF/A, the service will always produce signed PAdES documents
    of the PDF/A-3b type"; "In PAdES, the documents will always be presented in A4 and portrait
    format." digipost/signature-api-specification, docs/_v1_0/6_signerte_dokumenter.md: "PAdES er
    tilgjengelig når minst én undertegner har signert og vil inneholde de signaturene som er
    gjennomført for oppdraget i nedlastningsøyeblikket" (so the file is made anew, not appended to).
    """
    if evidence not in ("xades", "cms", "none"):
        raise ValueError(f"evidence must be 'xades', 'cms' or 'none', not {evidence!r}")
    when = when or _now()
    source = pikepdf.open(io.BytesIO(original))
    if title is None:
        title = str(source.docinfo.get("/Title", "")) or "Dokument"

    pdf = pikepdf.new()
    fonts = _fonts(pdf)
    cover = pdf.add_blank_page(page_size=A4)
    cover.Resources = pikepdf.Dictionary(Font=fonts)
    cover.Contents = pdf.make_stream(_cover_content(title, signers, seal, when, upper_names))

    footer_height = 40 + 10 * len(signers)
    for page_number, source_page in enumerate(source.pages, start=1):
        page = pdf.add_blank_page(page_size=A4)
        page.Resources = pikepdf.Dictionary(Font=fonts)
        page.Contents = pdf.make_stream(_footer_content(signers, seal, when, upper_names, footer_height))
        form = pdf.copy_foreign(source_page.as_form_xobject())
        page.add_overlay(form, pikepdf.Rectangle(0, footer_height, A4[0], A4[1]))

    taken: set[str] = set()
    associated = []
    stamp = "D:" + when.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S") + "Z"
    for person in signers if evidence != "none" else []:
        if evidence == "xades":
            name = _unique(f"{person.name}.xml", taken)
            data = xades_detached(original, person, original_name, when=when)
            mime, what = "application/xml", "XAdES"
        else:
            name = _unique(f"{person.name}.p7s", taken)
            data = cms_detached(original, person)
            mime, what = "application/pkcs7-signature", "CMS-signatur"
        spec = pikepdf.AttachedFileSpec(pdf, data, description=f"{what} for {person.display_name}",
                                        filename=name, mime_type=mime, creation_date=stamp, mod_date=stamp,
                                        relationship=pikepdf.Name.Data)
        pdf.attachments[name] = spec
        associated.append(spec.obj)
    if associated:
        pdf.Root.AF = pdf.make_indirect(pikepdf.Array(associated))

    producer = "Posten signering"
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(Title=title, Producer=producer, Creator=producer))
    if pdfa:
        pdf.Root.Metadata = pdf.make_stream(_xmp_pdfa3b(title, producer, when), Type=pikepdf.Name.Metadata,
                                            Subtype=pikepdf.Name.XML)
    out = io.BytesIO()
    pdf.save(out, min_version="1.7")
    return _sign(_keep_xmp_writer(out.getvalue()), seal, field, certify_level=docmdp,
                 reason="Forseglet av " + seal.name)


def _mime_of(name: str) -> str:
    return {"p7s": "application/pkcs7-signature", "xml": "application/xml", "html": "text/html",
            "pdf": "application/pdf", "json": "application/json"}.get(name.rpartition(".")[2].lower(),
                                                                        "application/octet-stream")


def _evidence_page(writer, lines: list[str]) -> None:
    from pyhanko.pdf_utils import generic

    font = writer.add_object(generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        generic.pdf_name("/Encoding"): generic.pdf_name("/WinAnsiEncoding")}))
    content = b"".join(_text(60, 780 - 16 * i, 12 if i == 0 else 10, line) for i, line in enumerate(lines))
    stream = writer.add_object(generic.StreamObject(stream_data=content))
    page = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Page"),
        generic.pdf_name("/MediaBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, *A4)]),
        generic.pdf_name("/Resources"): generic.DictionaryObject({
            generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/PF1"): font})}),
        generic.pdf_name("/Contents"): stream})
    writer.insert_page(page)


def portal_sealed(original: bytes, seal: Person, attachments: dict[str, bytes] | None = None,
                  docmdp: str = "FILL_FORMS", *, evidence_lines: list[str] | None = None,
                  field: str = "Forsegling") -> bytes:
    """Our own PDF, otherwise unchanged, with the portal's seal as ONE incremental update.

    In that one update, before the signature: each attachment as an embedded file (/Names
    /EmbeddedFiles, /Subtype the MIME type guessed from the extension, size and checksum in
    /Params; no /AF), and with `evidence_lines` one appended page listing them (Scrive's
    "verification page", Visma Sign's signature page at the end); then one certification
    signature by `seal` (field `field`, ETSI.CAdES.detached, /Perms /DocMDP with `docmdp`:
    NO_CHANGES, FILL_FORMS or ANNOTATE). The original's bytes are a prefix of the result, its XMP
    (and our dokumentid in it) untouched.
    Sources: Penneo (support.penneo.com, "Qualified Electronic Seals and Timestamps in Penneo Sign"):
    "Penneo's Qualified Electronic Seal is applied to all documents signed via Penneo Sign ... If the
    content of the document or its signatures are tampered with, then the seal can no longer be
    validated." Scrive (helpcenter.scrive.com, "Finding and interpreting the Evidence package"):
    "Embeds the evidence package directly into the signed PDF file", "Verification page: Appended to
    the end of each signed PDF", "The full evidence log is included as an embedded HTML file
    attachment"; ("Sealing and verifying a Scrive document"): "As soon as all parties have
    electronically signed a document, Scrive seals the file". Visma Sign (support.vismasign.fi,
    "What do the markings on the signed document mean"): "the signature is technically implemented
    in accordance with the PAdES -standard", "one or more signature pages will be added". Signicat
    (developer.signicat.com, PackagingService v4): "used for packaging one or more native Signed
    Data Objects (SDOs) into a richer PDF ... package one or more LTV-SDOs into a PAdES SDO".
    (Visma Sign also stamps a line on every original page; that is not imitated here.)
    """
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file

    writer = _keep_xmp_writer(original)
    now = _now()
    for name, data in (attachments or {}).items():
        stream = EmbeddedFileObject.from_file_data(
            writer, data, mime_type=_mime_of(name),
            params=EmbeddedFileParams(creation_date=now, modification_date=now))
        embed_file(writer, FileSpec(file_spec_string=name, file_name=name, embedded_data=stream,
                                    description=f"Signatur: {name}"))
    if evidence_lines:
        _evidence_page(writer, evidence_lines)
    return _sign(writer, seal, field, certify_level=docmdp, reason="Forseglet")


# --- hostile -----------------------------------------------------------------------------------

def _xmp_with_id(old: bytes, new_id_text: str) -> bytes:
    body = re.sub(rb"<\?xpacket[^>]*\?>", b"", old or b"").strip()
    root = None
    if body:
        try:
            root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            root = None
    if root is None or root.tag != f"{{{_X}}}xmpmeta" or root.find(f"{{{_RDF}}}RDF") is None:
        root = etree.Element(f"{{{_X}}}xmpmeta", nsmap={"x": _X})
        etree.SubElement(root, f"{{{_RDF}}}RDF", nsmap={"rdf": _RDF})
    prop = f"{{{identity.XMP_NS}}}{identity.XMP_PROPERTY}"
    for description in root.iter(f"{{{_RDF}}}Description"):
        for old_element in description.findall(prop):
            description.remove(old_element)
        description.attrib.pop(prop, None)
    rdf = root.find(f"{{{_RDF}}}RDF")
    ours = etree.SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""},
                            nsmap={identity.XMP_PREFIX: identity.XMP_NS})
    etree.SubElement(ours, prop).text = new_id_text
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            + etree.tostring(root, encoding="UTF-8") + b'\n<?xpacket end="w"?>')


def relabelled(signed: bytes, new_xmp_id_text: str) -> bytes:
    """Hostile: after the last signature, one incremental update that replaces the XMP metadata
    stream with one whose <lederavtale:dokumentid> is `new_xmp_id_text` (any text, valid ID or not).

    The namespace and element are identity.XMP_NS / identity.XMP_PROPERTY ("dokumentid", lower
    case), so identity.read_pdf_id returns exactly `new_xmp_id_text`. The rest of the old XMP is
    kept; every old dokumentid (element or attribute) is removed. When the catalog's /Metadata is
    an indirect stream, the new stream takes the SAME object number (an object override), so the
    catalog is not touched: pyHanko's MetadataUpdateRule accepts exactly this as a harmless metadata
    update (it only checks that the new XMP is well-formed), so pyHanko calls the signatures intact
    and, under DocMDP FILL_FORMS, still within the permissions. Without an XMP stream a new one is
    added and the catalog updated. Page content, and so the footer and QR code, stays as signed.
    Source: ISO 32000-1 §7.5.6 (incremental updates) and §14.3.2 (metadata streams); the attack is
    ours to defend against, no portal does it.
    """
    from pyhanko.pdf_utils import generic

    writer = _keep_xmp_writer(signed)
    raw = writer.root.raw_get("/Metadata") if "/Metadata" in writer.root else None
    old = b""
    if isinstance(raw, generic.IndirectObject):
        stream = raw.get_object()
        if isinstance(stream, generic.StreamObject):
            old = stream.data
    new_stream = generic.StreamObject({generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
                                       generic.pdf_name("/Subtype"): generic.pdf_name("/XML")},
                                      stream_data=_xmp_with_id(old, new_xmp_id_text))
    if isinstance(raw, generic.IndirectObject):
        writer.objects[(raw.generation, raw.idnum)] = new_stream
    else:
        writer.root["/Metadata"] = writer.add_object(new_stream)
        writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- checking the evidence ---------------------------------------------------------------------

@dataclass
class EvidenceCheck:
    """What a check of one detached signature found: `intact` (the digest matches the data and the
    signature verifies with the certificate's key), `trusted` (the certificate chains to one of the
    given roots; None when no roots were given), the signer's certificate and signing time."""

    intact: bool
    trusted: bool | None
    cert: x509.Certificate | None
    signing_time: datetime | None
    reason: str = ""


def verify_cms_detached(p7s: bytes, data: bytes, roots: list[x509.Certificate] | None = None) -> EvidenceCheck:
    """Check a detached CMS (.p7s) against the bytes it claims to sign.

    cryptography has no PKCS#7/CMS verification API (only signing, encryption and decryption), so:
    1. asn1crypto: `cms.ContentInfo.load(p7s)["content"]` is the SignedData; its
       `signer_infos[0]["signed_attrs"]` hold `message_digest`, which must equal
       sha256(data) (the digest algorithm is `signer_infos[0]["digest_algorithm"]`);
    2. the signature is over the DER of the signed attributes as a SET OF (tag 0x31, not the
       [0] IMPLICIT tag 0xA0 they are stored with): cryptography's
       `cert.public_key().verify(signature, b"\x31" + signed_attrs.dump()[1:], ECDSA(SHA256()))`
       (PKCS1v15 + SHA256 for RSA), the certificate found in `certificates` by the signer's
       issuer and serial number;
    3. the path to `roots` with cryptography's PolicyBuilder, the other certificates in the CMS as
       intermediates (a permit-all end-entity policy: a BankID certificate has no digitalSignature).
    pyHanko does 1-3 in one call too: `asyncio.run(pyhanko.sign.validation.async_validate_detached_cms(
    data, signed_data, signer_validation_context=ValidationContext(trust_roots=[…])))`, status
    .intact/.valid/.trusted (its first call takes ~0.25 s; without a context it tries the system
    roots and logs a path-building traceback).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        signed_data = asn1_cms.ContentInfo.load(p7s)["content"]
        signer_info = signed_data["signer_infos"][0]
        attrs = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed_data["certificates"]]
    except Exception as error:  # noqa: BLE001 - anything unreadable is simply not intact
        return EvidenceCheck(False, None, None, None, f"ikke en lesbar CMS: {error}")
    sid = signer_info["sid"].chosen
    cert = next((c for c in certs if c.serial_number == sid["serial_number"].native
                 and c.issuer.public_bytes() == sid["issuer"].dump()), None)
    signing_time = attrs["signing_time"].native if "signing_time" in attrs else None
    if cert is None:
        return EvidenceCheck(False, None, None, signing_time, "signerens sertifikat mangler i CMS-en")
    if attrs.get("message_digest") is None or attrs["message_digest"].native != hashlib.new(algorithm, data).digest():
        return EvidenceCheck(False, None, cert, signing_time, "messageDigest stemmer ikke med dataene")
    hash_algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[algorithm]
    to_verify = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signer_info["signature"].native, to_verify, padding.PKCS1v15(), hash_algorithm)
        else:
            key.verify(signer_info["signature"].native, to_verify, ec.ECDSA(hash_algorithm))
    except InvalidSignature:
        return EvidenceCheck(False, None, cert, signing_time, "signaturen stemmer ikke med sertifikatet")
    trusted = _chains_to(cert, roots, [c for c in certs if c != cert]) if roots else None
    return EvidenceCheck(True, trusted, cert, signing_time)


def verify_xades_detached(xml: bytes, data: bytes, roots: list[x509.Certificate] | None = None,
                          file_name: str | None = None) -> EvidenceCheck:
    """Check a detached XAdES (as xades_detached makes it) against the bytes it claims to sign.

    signxml's XAdESVerifier resolves a reference whose URI is not "#…" only through `uri_resolver`
    (without one: "External URI dereferencing is not configured"); it must return the raw bytes,
    which, with no Transforms on the reference, are digested as they are (not canonicalised). So:
        XAdESVerifier().verify(xml, x509_cert=cert, uri_resolver=lambda uri: data if uri == name else None,
                               expect_config=XAdESSignatureConfiguration(expect_references=3))
    Gotchas:
    * expect_references: signxml's XAdES default is 3 (data, SignedProperties, KeyInfo); Posten's real
      XAdES may carry another number, so pass `expect_references=True` (any) for foreign files.
    * Certificate path: with `ca_pem_file` signxml uses cryptography's client verifier whose default
      end-entity policy REQUIRES KeyUsage digitalSignature; a BankID signing certificate has only
      nonRepudiation and is refused ("certificate KeyUsage does not allow digitalSignature").
      Either pass `ee_policy=x509.verification.ExtensionPolicy.permit_all()` or, as done here,
      verify the signature with `x509_cert=` (the certificate from the XML's X509Data, after
      checking its path yourself). Without `x509_cert` and `ca_pem_file`, signxml trusts certifi's
      web CAs, so nothing made here verifies.
    * x509_cert skips signxml's chain check, so the path to `roots` is checked here with
      cryptography's PolicyBuilder (client verifier, permit-all end-entity policy).
    * The file name in the reference is the portal's (Posten: its own name for the document), so
      the resolver here accepts any single external URI unless `file_name` is given.
    """
    from signxml import InvalidInput, InvalidSignature
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    ds = "http://www.w3.org/2000/09/xmldsig#"
    cert_text = root.findtext(f".//{{{ds}}}X509Certificate")
    if not cert_text:
        return EvidenceCheck(False, None, None, None, "XAdES-en har ikke noe sertifikat")
    cert = x509.load_der_x509_certificate(b64decode(cert_text))
    external = [r.get("URI") for r in root.iterfind(f".//{{{ds}}}SignedInfo/{{{ds}}}Reference")
                if r.get("URI") and not r.get("URI").startswith("#")]
    wanted = {file_name} if file_name else set(external)

    try:
        results = XAdESVerifier().verify(
            xml, x509_cert=cert, uri_resolver=lambda uri: data if uri in wanted else None,
            expect_config=XAdESSignatureConfiguration(expect_references=True))
    except (InvalidInput, InvalidSignature, ValueError) as error:
        return EvidenceCheck(False, None, cert, None, str(error))
    covered = any(isinstance(r.signed_data, bytes) and r.signed_data == data for r in results)
    signing_time = None
    time_text = root.findtext(".//{http://uri.etsi.org/01903/v1.3.2#}SigningTime")
    if time_text:
        signing_time = datetime.fromisoformat(time_text.replace("Z", "+00:00"))
    trusted = None
    if roots:
        trusted = _chains_to(cert, roots, [x509.load_der_x509_certificate(b64decode(t.text))
                                           for t in root.iterfind(f".//{{{ds}}}X509Certificate")][1:])
    return EvidenceCheck(covered, trusted, cert, signing_time, "" if covered else "ingen referanse dekker dataene")


def _chains_to(cert: x509.Certificate, roots: list[x509.Certificate],
               intermediates: list[x509.Certificate]) -> bool:
    from cryptography.x509 import verification

    builder = (verification.PolicyBuilder().store(verification.Store(roots))
               .extension_policies(ee_policy=verification.ExtensionPolicy.permit_all(),
                                   ca_policy=verification.ExtensionPolicy.webpki_defaults_ca()))
    try:
        builder.build_client_verifier().verify(cert, intermediates)
        return True
    except verification.VerificationError:
        return False
