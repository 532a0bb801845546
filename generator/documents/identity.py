"""The document ID: which municipality, year, leader, kind and version a document is.

A signed copy comes back as a PDF from an e-signing portal or as a scan, and must be matched to the
document it was made from without trusting its file name. So every document carries an ID in the
footer ("Dokument-ID …"), in a QR code on the signature page, in the .docx custom properties and in
the PDF's XMP metadata. An ID has two forms.

The full ID is the record: what the year folder's manifest keeps for each document (FileEntry.dokument_id)
and what the tool reasons with. It looks like

    LA1:Testvik+kommune:2027:210:avtale:3f9a2c1b7d4e:5c0e

* `LA1` marks the format, so a foreign QR code or string is told apart.
* The municipality is its organisation number when the workbook has one, else its name.
* The Ansattnr may hold anything HR typed: every text part is percent-encoded UTF-8 (space as `+`).
* The version is the first 12 hex digits of a sha256 of what the document was made from.
* The last four hex digits check the rest.

The short ID is what a document carries, since the agreement is a public document and its footer,
QR code and metadata must not publish the Ansattnr. It looks like

    LA2-2027-K7QH3M9XPA2B-4F

* `LA2` marks the format, then the year.
* Twelve characters of Crockford's base32 (0-9 and A-Z without I, L, O and U: read aloud and typed
  without mix-ups) hold 60 bits of an HMAC-SHA256 of the full ID under the year folder's own secret
  key (`new_key`, kept beside the manifest: store.manifest.Manifest.id_key). Without the key, nothing about the document, not the
  Ansattnr, can be found from the short ID, not even by trying every Ansattnr against a re-made
  document. With 60 bits, two of one year's documents sharing a short ID is impossible in practice:
  for 100 000 IDs in one year folder (5 000 leaders, three kinds, several versions each) the chance
  is n²/2⁶¹ ≈ 4·10⁻⁹; and should it ever happen, the short ID is refused as ambiguous, never
  matched to the wrong one.
* The two last characters check the year and the code: a weighted sum (weights 1 to 16) of their
  values modulo the prime 1021, so one wrong character anywhere, and any two swapped characters of
  the year and code (or of the check), are always caught, other damage in all but 1 of 1021 cases; a short ID that passes the check but was
  never issued is refused as unknown.

A short ID is resolved to its document through the year folder's manifest (`IdRegister`): every
short ID the year's documents were given is recorded with the full ID it stands for, also after a
document is made again. Documents made before short IDs carry their full ID, and are read as before.

Parsing is strict: anything that is not one of our IDs is refused with a Norwegian reason
(`InvalidDocumentId`); a well-formed short ID the year folder never issued with `UnknownDocumentId`. A
short ID is read as Crockford's base32 is (case aside; I and L as 1, O as 0), as a person may type it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import struct
import zlib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping
from urllib.parse import quote_plus, unquote_plus

import pikepdf
import numpy as np
import zxingcpp
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from .kinds import KINDS as ALL_KINDS

PREFIX = "LA1"  # the full ID
SHORT_PREFIX = "LA2"  # the short ID, which documents carry
# The roles (documents.kinds) of the documents that carry an ID.
KINDS = tuple(kind.rolle for kind in ALL_KINDS.values() if kind.carries_id)
FOOTER_LABEL = "Dokument-ID"
PROPERTY_NAME = "Dokument-ID"  # the .docx custom property, as Word shows it under File > Properties

_SEP = ":"
_VERSION = re.compile(r"[0-9a-f]{12}")
_CHECK = re.compile(r"[0-9a-f]{4}")
_ORGNR = re.compile(r"[0-9]{9}")
_YEAR = re.compile(r"[0-9]{4}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,30}")
# What quote_plus leaves as it is, plus its escapes: the alphabet of an encoded part.
_ENCODED = re.compile(r"(?:[A-Za-z0-9_.~+-]|%[0-9A-F]{2})+")

# The short ID: Crockford's base32, its code's length (5 bits a character) and the check's modulus.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits
CHECK_PRIME = 1021  # the largest prime two base32 characters hold
_SYMBOL = "[0-9A-HJKMNP-TV-Z]"
_SHORT = re.compile(rf"{SHORT_PREFIX}-([0-9]{{4}})-({_SYMBOL}{{{CODE_LENGTH}}})-({_SYMBOL}{{2}})")
# What a person may type for a character Crockford's alphabet leaves out.
_ALIASES = str.maketrans("ILO", "110")
KEY_BYTES = 32

# The longest ID the QR code and the footer have to hold; longer names are refused at make().
MAX_LENGTH = 200


class InvalidDocumentId(ValueError):
    """A string that is not one of our document IDs; str() is the Norwegian reason."""


class UnknownDocumentId(InvalidDocumentId):
    """A well-formed short ID that the year folder's manifest does not know; str() says so."""


@dataclass(frozen=True)
class DocumentId:
    kommune: str  # the organisation number (nine digits) or, without one, Kommunenavn as written
    ar: int
    ansattnr: str
    kind: str  # a role in KINDS
    version: str  # 12 lowercase hex digits
    # The short ID the document carries ("" for one that carries its full ID: made before short IDs, or
    # without a key). Not part of what the document is: equal IDs are the same document however read.
    short: str = field(default="", compare=False)

    @property
    def by_orgnr(self) -> bool:
        return _ORGNR.fullmatch(self.kommune) is not None

    def __str__(self) -> str:
        return format_id(self)


def fingerprint(*parts: bytes | str) -> str:
    """The version: 12 hex digits of a sha256 over the parts (each length-prefixed, so ("ab", "c") ≠ ("a", "bc"))."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:12]


def new_key() -> bytes:
    """A year folder's secret for its short IDs."""
    return secrets.token_bytes(KEY_BYTES)


def make_id(kommunenavn: str, organisasjonsnummer: str, ar: int, ansattnr: str, kind: str, version: str,
            key: bytes | None = None) -> DocumentId:
    """The ID of one document; the organisation number wins over the name when the workbook has one.

    With the year folder's `key`, the ID has its short form, which the document then carries; without,
    it carries the full ID, as documents made before short IDs do (what the tests of those make)."""
    orgnr = re.sub(r"\s", "", organisasjonsnummer or "")
    kommune = orgnr if _ORGNR.fullmatch(orgnr) else _nfc(kommunenavn).strip()
    document_id = DocumentId(kommune, int(ar), _nfc(str(ansattnr)).strip(), kind, version)
    _check_fields(document_id, known_kind=False)
    if len(format_id(document_id)) > MAX_LENGTH:
        raise InvalidDocumentId(f"Dokument-ID-en blir lengre enn {MAX_LENGTH} tegn (kommunenavn eller Ansattnr er for langt)")
    return replace(document_id, short=short_id(document_id, key)) if key is not None else document_id


def format_id(document_id: DocumentId) -> str:
    """The full ID (LA1), the record the manifest keeps."""
    body = _SEP.join((PREFIX, _encode(document_id.kommune), str(document_id.ar), _encode(document_id.ansattnr),
                      document_id.kind, document_id.version))
    return body + _SEP + _check(body)


def short_id(document_id: DocumentId, key: bytes) -> str:
    """The short ID (LA2) of a document under the year folder's `key`."""
    if len(key) < 16:
        raise ValueError("the key of the short document IDs is too short")
    digest = hmac.new(key, format_id(document_id).encode("ascii"), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_LENGTH)
    code = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))
    year = f"{document_id.ar:04d}"
    return f"{SHORT_PREFIX}-{year}-{code}-{_short_check(year + code)}"


def carried_text(document_id: DocumentId) -> str:
    """What the document carries in its footer, QR code, custom property and XMP: its short ID, or its
    full ID when it has none (a document made before short IDs)."""
    return document_id.short or format_id(document_id)


def footer_text(document_id: DocumentId) -> str:
    """What the footer of every page prints."""
    return f"{FOOTER_LABEL} {carried_text(document_id)}"


def _without_label(text: str) -> str:
    text = text.strip()
    if text.startswith(FOOTER_LABEL):
        text = text[len(FOOTER_LABEL):].lstrip(" :")
    return text


def is_short(text: str) -> bool:
    """Whether a text is meant as a short ID (it may still be damaged)."""
    return isinstance(text, str) and _without_label(text)[:4].upper() == SHORT_PREFIX + "-"


def looks_ours(text: str) -> bool:
    """Whether a text (a QR code's) is meant as one of our IDs, of either form, damaged or not."""
    return isinstance(text, str) and (is_short(text) or _without_label(text).startswith(PREFIX + _SEP))


def parse_short(text: str) -> str:
    """A short ID as the tool writes it, from a text holding one, or InvalidDocumentId saying why not.

    Read as Crockford's base32 is: case aside, and I and L read as 1, O as 0 (as a person may type it).
    Surrounding whitespace and a leading "Dokument-ID" are allowed.
    """
    if not isinstance(text, str):
        raise InvalidDocumentId("Dokument-ID-en er ikke tekst")
    text = _without_label(text)
    if len(text) > MAX_LENGTH:
        raise InvalidDocumentId(f"Teksten er for lang til å være en dokument-ID ({len(text)} tegn)")
    if not is_short(text):
        raise InvalidDocumentId("Teksten er ikke en kort dokument-ID fra lederavtale (den begynner ikke med "
                                f"{SHORT_PREFIX}-)")
    canonical = text[:4].upper() + text[4:].upper().translate(_ALIASES)
    found = _SHORT.fullmatch(canonical)
    if found is None:
        raise InvalidDocumentId(f"Dokument-ID-en «{text}» har ikke formen {SHORT_PREFIX}-ÅÅÅÅ-"
                                f"{'X' * CODE_LENGTH}-XX (den er skadet eller ufullstendig)")
    year, code, check = found.groups()
    if check != _short_check(year + code):
        raise InvalidDocumentId("Kontrolltegnene i dokument-ID-en stemmer ikke (ID-en er skadet eller skrevet av feil)")
    return canonical


def canonical_text(text: str) -> str:
    """An ID text of either form as the tool writes it (a full ID checked whole, a short one by its
    check characters), or InvalidDocumentId; what a document may be stamped with."""
    if is_short(text):
        return parse_short(text)
    return format_id(parse_id(text))


def parse_id(text: str) -> DocumentId:
    """The full ID a string holds, or InvalidDocumentId saying why it is not one of ours.

    Surrounding whitespace and a leading "Dokument-ID" (as copied from a footer) are allowed. A short
    ID says nothing without the year folder's manifest: read it with `IdRegister.read`.
    """
    if not isinstance(text, str):
        raise InvalidDocumentId("Dokument-ID-en er ikke tekst")
    text = _without_label(text)
    if len(text) > MAX_LENGTH:
        raise InvalidDocumentId(f"Teksten er for lang til å være en dokument-ID ({len(text)} tegn)")
    parts = text.split(_SEP)
    if parts[0] != PREFIX:
        raise InvalidDocumentId("Teksten er ikke en dokument-ID fra lederavtale (den begynner ikke med "
                                f"{PREFIX}{_SEP} eller {SHORT_PREFIX}-)")
    if len(parts) != 7:
        raise InvalidDocumentId(f"Dokument-ID-en har {len(parts)} deler, ikke 7 (den er skadet eller ufullstendig)")
    _, kommune, ar, ansattnr, kind, version, check = parts
    if not _CHECK.fullmatch(check) or check != _check(_SEP.join(parts[:-1])):
        raise InvalidDocumentId("Kontrollsifrene i dokument-ID-en stemmer ikke (ID-en er skadet eller skrevet av feil)")
    if not _YEAR.fullmatch(ar):
        raise InvalidDocumentId(f"Året i dokument-ID-en er ikke et årstall: «{ar}»")
    document_id = DocumentId(_decode(kommune, "kommunen"), int(ar), _decode(ansattnr, "Ansattnr"), kind, version)
    _check_fields(document_id)
    if format_id(document_id) != text:
        raise InvalidDocumentId("Dokument-ID-en er ikke skrevet slik lederavtale skriver den")
    return document_id


class IdRegister:
    """The IDs one year folder's documents were given, to read what a copy carries.

    `issued` maps each short ID to the full IDs it was given for (store.manifest.issued_ids reads them
    from the manifest); `ar` is the year folder's year, for a clearer reason when a short ID is another
    year's. A full ID is read as it is, whether the register knows it or not (`same_owner` says whose
    it is), so documents made before short IDs match as they always did.
    """

    def __init__(self, issued: Mapping[str, Iterable[str]] | None = None, ar: int | None = None):
        self.issued = {short: tuple(sorted(set(fulls))) for short, fulls in (issued or {}).items()}
        self.ar = int(ar) if ar is not None else None

    def read(self, text: str) -> DocumentId:
        """The document an ID text names (its `short` set when it was a short ID); InvalidDocumentId when
        the text is no ID of ours or is damaged, UnknownDocumentId when the year folder never issued it."""
        if not is_short(text):
            return parse_id(text)
        short = parse_short(text)
        fulls = self.issued.get(short, ())
        if not fulls:
            year = int(short[4:8])
            if self.ar is not None and year != self.ar:
                raise UnknownDocumentId(f"dokument-ID-en {short} gjelder {year}, ikke {self.ar}")
            raise UnknownDocumentId(f"dokument-ID-en {short} er ikke laget i denne årsmappen (manifest.json kjenner "
                                    "den ikke); den kan være fra en annen kommune eller en annen utmappe")
        documents = set()
        for full in fulls:
            try:
                documents.add(parse_id(full))
            except InvalidDocumentId:
                continue  # a damaged record is no document; the others still are
        if len(documents) != 1:
            raise UnknownDocumentId(f"dokument-ID-en {short} står for {len(documents)} dokumenter i manifest.json "
                                    "og kan ikke brukes til å finne dokumentet")
        return replace(documents.pop(), short=short)


def same_owner(document_id: DocumentId, kommunenavn: str, organisasjonsnummer: str, ar: int, ansattnr: str) -> str:
    """Why the document belongs to another municipality, year or leader than these, or "" when it is theirs.

    An ID made with the organisation number is compared with the workbook's; one made with the
    name is compared with Kommunenavn (case, accents as written in either form, and spacing aside).
    """
    orgnr = re.sub(r"\s", "", organisasjonsnummer or "")
    if document_id.by_orgnr and _ORGNR.fullmatch(orgnr):
        if document_id.kommune != orgnr:
            return f"dokumentet hører til organisasjonsnummer {document_id.kommune}, ikke {orgnr}"
    elif document_id.by_orgnr and _name_key(document_id.kommune) != _name_key(kommunenavn):
        return (f"dokumentet hører til organisasjonsnummer {document_id.kommune}, og arbeidsboken har "
                "ikke noe organisasjonsnummer å sammenligne med")
    elif _name_key(document_id.kommune) != _name_key(kommunenavn):
        return f"dokumentet hører til {document_id.kommune}, ikke {kommunenavn}"
    if document_id.ar != int(ar):
        return f"dokumentet gjelder {document_id.ar}, ikke {ar}"
    if _nfc(str(ansattnr)).strip() != document_id.ansattnr:
        return f"dokumentet hører til Ansattnr {document_id.ansattnr}, ikke {ansattnr}"
    return ""


# --- QR code ----------------------------------------------------------------------------------

# Level H restores 30 % of the code: a signature, a stamp or a staple across it on paper still
# reads. One module is 8 pixels at 300 dpi, 0.68 mm printed: a 300 dpi scan puts about 8 scan
# pixels on each module, far above what zxing-cpp needs, and a 200 dpi office scanner still 5.
QR_ERROR = "h"
QR_DPI = 300
QR_SCALE = 8
QR_BORDER = 4  # the quiet zone the QR standard asks for


def qr_matrix(text: str) -> np.ndarray:
    """The QR code of `text` at error level H, one bool per module (True: dark), without quiet zone.

    Made by zxing-cpp, the library that reads the scans too: its C++ encoder takes 0.2 ms, where
    segno, in pure Python, took 1–5 ms, which at one code per document halved `generer`'s speed
    (benchmarks/bench_docx.py).
    """
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_ERROR.upper())
    return np.asarray(code.to_image(scale=1, add_quiet_zones=False)) < 128


def qr_png_of(text: str) -> bytes:
    """`text` as a QR code: a 1-bit PNG at 300 dpi with the quiet zone, QR_SCALE pixels a module."""
    light = ~np.pad(qr_matrix(text), QR_BORDER)  # a 1-bit grey-scale PNG: 1 is white
    pixels = np.repeat(np.repeat(light, QR_SCALE, axis=0), QR_SCALE, axis=1)
    rows = np.packbits(pixels, axis=1)
    raw = np.hstack([np.zeros((rows.shape[0], 1), dtype=np.uint8), rows]).tobytes()  # filter byte 0 per row
    width = pixels.shape[1]
    per_metre = round(QR_DPI / 0.0254)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def qr_png(document_id: DocumentId) -> bytes:
    """The ID the document carries as a QR code (PNG, 300 dpi), so Word places it at its printed size."""
    return qr_png_of(carried_text(document_id))


def qr_width_mm(document_id: DocumentId) -> float:
    """How wide qr_png prints, quiet zone included, for a template that sets the picture's width."""
    modules = qr_matrix(carried_text(document_id)).shape[0] + 2 * QR_BORDER
    return modules * QR_SCALE / QR_DPI * 25.4


# --- .docx custom properties ------------------------------------------------------------------

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format ID every custom property of Office documents carries (MS-OSHARED, PID_CUSTOM).
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def custom_xml(existing: bytes | None, value: str) -> bytes:
    """docProps/custom.xml with the property "Dokument-ID" set to `value`; the properties already
    there (Word's, HR's) are kept, and ours keeps its place and pid."""
    root = None
    if existing:
        try:
            root = etree.fromstring(existing, _SAFE_XML)
        except etree.XMLSyntaxError:
            root = None  # a damaged part is replaced rather than carried on
    if root is None or root.tag != f"{{{_CUSTOM_NS}}}Properties":
        root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    pids, pid = [], None
    for prop in root.findall(f"{{{_CUSTOM_NS}}}property"):
        if (prop.get("pid") or "").isdigit():
            pids.append(int(prop.get("pid")))
        if prop.get("name") == PROPERTY_NAME:
            pid = pid or prop.get("pid")  # ours again: same place, same pid
            root.remove(prop)
    # pid 0 and 1 are reserved; 2 is the first a property may have.
    prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property", fmtid=_FMTID,
                            pid=pid if pid and pid.isdigit() else str(max(pids, default=1) + 1), name=PROPERTY_NAME)
    etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_docx_id(document, document_id: DocumentId) -> None:
    """Store the ID the document carries as custom property "Dokument-ID" of a python-docx Document
    (before it is saved).

    python-docx has no API for custom properties, so the part is written with its OPC layer, and
    the package's relationship points to the new part.
    """
    package = document.part.package
    existing = None
    for rId, rel in list(package.rels.items()):
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            existing = rel.target_part.blob
            del package.rels[rId]
    blob = custom_xml(existing, carried_text(document_id))
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def docx_id_text(document) -> str | None:
    """The custom property "Dokument-ID" of a python-docx Document as written, or None."""
    try:
        blob = document.part.package.part_related_by(RT.CUSTOM_PROPERTIES).blob
        root = etree.fromstring(blob, _SAFE_XML)
    except (KeyError, ValueError, etree.XMLSyntaxError):
        return None
    for prop in root.findall(f"{{{_CUSTOM_NS}}}property"):
        if prop.get("name") == PROPERTY_NAME:
            value = prop.find(f"{{{_VT_NS}}}lpwstr")
            return value.text if value is not None else None
    return None


def read_docx_id(path: Path | str, register: IdRegister | None = None) -> DocumentId | None:
    """The ID stored in a .docx file, None when it has none; InvalidDocumentId when it is damaged (a
    short ID is read through the year folder's `register`)."""
    from docx import Document

    text = docx_id_text(Document(str(path)))
    return None if text is None else (register or IdRegister()).read(text)


# --- PDF XMP metadata ---------------------------------------------------------------------------

XMP_NS = "https://lederavtale.no/ns/dokument/1.0/"
XMP_PREFIX = "lederavtale"
XMP_PROPERTY = "dokumentid"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_X = "adobe:ns:meta/"
_PDFA_EXT = "http://www.aiim.org/pdfa/ns/extension/"
_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"


def set_pdf_id(pdf: pikepdf.Pdf, document_id: DocumentId | str) -> None:
    """Store the ID the document carries (an ID, or its text) in the PDF's XMP metadata (in memory; the
    caller saves), keeping PDF/A-2b.

    PDF/A allows a property outside the standard schemas only when the XMP itself describes it
    in a PDF/A extension schema, so both are written. pikepdf's metadata API can write the
    value but not that description (a bag of structures), so the XMP packet is edited with lxml;
    everything LibreOffice wrote (pdfaid, dc, xmp dates) stays as it was.
    """
    stream = pdf.Root.get("/Metadata")
    xmp = bytes(stream.read_bytes()) if isinstance(stream, pikepdf.Stream) else b""
    root = _xmp_root(xmp)
    rdf = root.find(f"{{{_RDF}}}RDF")
    for description in rdf.findall(f"{{{_RDF}}}Description"):
        for old in description.findall(f"{{{XMP_NS}}}{XMP_PROPERTY}"):
            description.remove(old)
        if description.get(f"{{{XMP_NS}}}{XMP_PROPERTY}") is not None:
            del description.attrib[f"{{{XMP_NS}}}{XMP_PROPERTY}"]
    ours = etree.SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""},
                            nsmap={XMP_PREFIX: XMP_NS})
    etree.SubElement(ours, f"{{{XMP_NS}}}{XMP_PROPERTY}").text = (
        carried_text(document_id) if isinstance(document_id, DocumentId) else canonical_text(document_id))
    _describe_schema(rdf)
    packet = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
              + etree.tostring(root, encoding="UTF-8") + b'\n<?xpacket end="w"?>')
    if isinstance(stream, pikepdf.Stream):
        # Written unfiltered: PDF/A readers, and documents/pdf.py, read the XMP as plain text.
        stream.write(packet, filter=None)
    else:
        pdf.Root.Metadata = pdf.make_stream(packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)


def read_pdf_id(pdf: pikepdf.Pdf) -> str | None:
    """The ID text in the PDF's XMP metadata as written (read it with IdRegister.read), or None."""
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return None
    try:
        root = _xmp_root(bytes(stream.read_bytes()))
    except (etree.XMLSyntaxError, pikepdf.PdfError):
        return None
    for description in root.iter(f"{{{_RDF}}}Description"):
        value = description.get(f"{{{XMP_NS}}}{XMP_PROPERTY}")
        element = description.find(f"{{{XMP_NS}}}{XMP_PROPERTY}")
        if element is not None:
            value = element.text
        if value:
            return value.strip()
    return None


def pdf_edit(carried: str) -> Callable[[pikepdf.Pdf], None] | None:
    """`set_pdf_id` for the converter to apply as it finishes the PDF (`PdfConverter.submit`): `carried`
    is the ID text the .docx carries (FileEntry.carried_id), short or, for an older document, full;
    None for a document without an ID."""
    if not carried:
        return None
    text = canonical_text(carried)
    return lambda pdf: set_pdf_id(pdf, text)


def _xmp_root(xmp: bytes):
    """The x:xmpmeta element of an XMP packet (a new, empty one when there is none)."""
    body = re.sub(rb"<\?xpacket[^>]*\?>", b"", xmp).strip()
    if body:
        root = etree.fromstring(body, _SAFE_XML)
        if root.tag == f"{{{_RDF}}}RDF":  # a bare rdf:RDF, allowed by XMP: wrap it
            wrapper = etree.Element(f"{{{_X}}}xmpmeta", nsmap={"x": _X})
            wrapper.append(root)
            root = wrapper
        if root.tag == f"{{{_X}}}xmpmeta" and root.find(f"{{{_RDF}}}RDF") is not None:
            return root
    root = etree.Element(f"{{{_X}}}xmpmeta", nsmap={"x": _X})
    etree.SubElement(root, f"{{{_RDF}}}RDF", nsmap={"rdf": _RDF})
    return root


def _describe_schema(rdf) -> None:
    """The PDF/A extension schema for our property, added to the schemas bag (once)."""
    bag = None
    for description in rdf.findall(f"{{{_RDF}}}Description"):
        schemas = description.find(f"{{{_PDFA_EXT}}}schemas")
        if schemas is not None:
            bag = schemas.find(f"{{{_RDF}}}Bag")
            if bag is None:
                bag = etree.SubElement(schemas, f"{{{_RDF}}}Bag")
            break
    if bag is None:
        description = etree.SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""},
                                       nsmap={"pdfaExtension": _PDFA_EXT, "pdfaSchema": _PDFA_SCHEMA,
                                              "pdfaProperty": _PDFA_PROPERTY})
        bag = etree.SubElement(etree.SubElement(description, f"{{{_PDFA_EXT}}}schemas"), f"{{{_RDF}}}Bag")
    for item in bag.findall(f"{{{_RDF}}}li"):
        if item.findtext(f"{{{_PDFA_SCHEMA}}}namespaceURI") == XMP_NS:
            return
    item = etree.SubElement(bag, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    etree.SubElement(item, f"{{{_PDFA_SCHEMA}}}schema").text = "Lederavtale dokument-ID"
    etree.SubElement(item, f"{{{_PDFA_SCHEMA}}}namespaceURI").text = XMP_NS
    etree.SubElement(item, f"{{{_PDFA_SCHEMA}}}prefix").text = XMP_PREFIX
    properties = etree.SubElement(etree.SubElement(item, f"{{{_PDFA_SCHEMA}}}property"), f"{{{_RDF}}}Seq")
    prop = etree.SubElement(properties, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    etree.SubElement(prop, f"{{{_PDFA_PROPERTY}}}name").text = XMP_PROPERTY
    etree.SubElement(prop, f"{{{_PDFA_PROPERTY}}}valueType").text = "Text"
    etree.SubElement(prop, f"{{{_PDFA_PROPERTY}}}category").text = "external"
    etree.SubElement(prop, f"{{{_PDFA_PROPERTY}}}description").text = (
        "Dokument-ID (LA2-…: slås opp i årsmappens manifest.json; LA1:…: kommune, år, Ansattnr, dokumenttype "
        "og versjon)")


# --- encoding -----------------------------------------------------------------------------------

def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _encode(text: str) -> str:
    return quote_plus(text, safe="", encoding="utf-8", errors="strict")


def _decode(part: str, what: str) -> str:
    if not part:
        raise InvalidDocumentId(f"Dokument-ID-en mangler {what}")
    if not _ENCODED.fullmatch(part):
        raise InvalidDocumentId(f"{what} i dokument-ID-en har tegn som ikke hører hjemme der: «{part}»")
    try:
        return unquote_plus(part, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InvalidDocumentId(f"{what} i dokument-ID-en er ikke gyldig UTF-8") from None


def _check(body: str) -> str:
    return hashlib.sha256(body.encode("ascii")).hexdigest()[:4]


def _short_check(chars: str) -> str:
    """Two base32 characters checking a short ID's year and code: the sum of each character's value
    times its place (1, 2, …) modulo CHECK_PRIME. As the prime exceeds 16 × 31, a changed character
    or two swapped ones always change the sum."""
    total = sum(place * CROCKFORD.index(char) for place, char in enumerate(chars, 1)) % CHECK_PRIME
    return CROCKFORD[total >> 5] + CROCKFORD[total & 31]


def _check_fields(document_id: DocumentId, known_kind: bool = True) -> None:
    if not document_id.kommune:
        raise InvalidDocumentId("Dokument-ID-en mangler kommunen")
    if not document_id.ansattnr:
        raise InvalidDocumentId("Dokument-ID-en mangler Ansattnr")
    if not 1000 <= document_id.ar <= 9999:
        raise InvalidDocumentId(f"Året i dokument-ID-en er ikke et årstall: {document_id.ar}")
    # Written for any kind that carries an ID (a role is a plain word); read back only for the known ones.
    if not _KIND.fullmatch(document_id.kind) or (known_kind and document_id.kind not in KINDS):
        raise InvalidDocumentId(f"Dokumenttypen i dokument-ID-en er ukjent: «{document_id.kind}» "
                                f"(kjente: {', '.join(KINDS)})")
    if not _VERSION.fullmatch(document_id.version):
        raise InvalidDocumentId(f"Versjonen i dokument-ID-en er ikke 12 heksadesimale sifre: «{document_id.version}»")


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
