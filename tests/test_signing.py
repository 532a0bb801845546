"""The signing round trip's foundations with real parts: document IDs in QR codes, .docx and XMP;
PDFs signed with pyHanko by certificates from a CA made here; scans rendered and read back."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import img2pdf
import pikepdf
import pytest
import segno
import zxingcpp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFilter

from conftest import basic_sheets, write_xlsx
from generator.documents import identity
from generator.documents.identity import (
    IdRegister, InvalidDocumentId, UnknownDocumentId, fingerprint, format_id, make_id, parse_id, qr_png, qr_png_of,
    read_docx_id, read_pdf_id, same_owner, set_docx_id, set_pdf_id,
)
from generator.signing import scan, verify
from generator.signing.scan import ansattnr_from_filename, read_scan
from generator.signing.verify import (
    DELVIS, NOT_CHECKED, SIGNERT, TrustError, UnreadablePdf, compare_parties, load_trust_roots, name_key,
    read_signatures, same_person,
)

AWKWARD = ["210", "A-12 b", "ærlig/Ø:1+%", "  x\u0301y ", "Ansatt nr. 0042-ÅØÆ", "a" * 40]


def an_id(ansattnr="210", kind="avtale", kommune="Testvik kommune", orgnr="", ar=2027, content="innhold"):
    return make_id(kommune, orgnr, ar, ansattnr, kind, fingerprint(content))


# --- document ID ----------------------------------------------------------------------------

@pytest.mark.parametrize("ansattnr", AWKWARD)
def test_id_round_trips_through_text_and_qr_with_any_ansattnr(ansattnr):
    document_id = an_id(ansattnr)
    text = format_id(document_id)
    assert text.isascii() and text.isprintable() and " " not in text
    assert parse_id(text) == document_id
    assert parse_id(identity.footer_text(document_id)) == document_id
    assert document_id.ansattnr == unicodedata.normalize("NFC", ansattnr).strip()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(document_id))))
    assert [code.text for code in decoded] == [text]


def test_the_organisation_number_names_the_municipality_when_there_is_one():
    by_number = an_id(orgnr="974 760 673")
    assert by_number.kommune == "974760673" and by_number.by_orgnr
    assert an_id().kommune == "Testvik kommune"
    assert same_owner(by_number, "Annet navn", "974760673", 2027, "210") == ""
    assert "974760673" in same_owner(by_number, "Testvik kommune", "999888777", 2027, "210")
    assert "arbeidsboken har ikke noe organisasjonsnummer" in same_owner(by_number, "Testvik kommune", "", 2027, "210")
    # Made before HR filled in the organisation number: still compared by the name.
    assert same_owner(an_id(), "Testvik kommune", "974760673", 2027, "210") == ""


def test_signatures_are_read_from_inside_a_running_event_loop(signed_twice):
    import asyncio

    async def inside():
        return read_signatures(signed_twice)

    assert [s.gyldig for s in asyncio.run(inside()).signaturer] == [True, True]


def test_same_owner_names_what_differs():
    document_id = an_id("A-12 b")
    assert same_owner(document_id, " testvik  KOMMUNE", "", 2027, "A-12 b") == ""
    assert same_owner(document_id, "Fjordvik kommune", "", 2027, "A-12 b") == \
        "dokumentet hører til Testvik kommune, ikke Fjordvik kommune"
    assert same_owner(document_id, "Testvik kommune", "", 2028, "A-12 b") == "dokumentet gjelder 2027, ikke 2028"
    assert same_owner(document_id, "Testvik kommune", "", 2027, "A-12") == \
        "dokumentet hører til Ansattnr A-12 b, ikke A-12"


def test_version_is_a_fingerprint_of_the_content():
    assert fingerprint("a", "bc") != fingerprint("ab", "c")
    assert fingerprint(b"x") == fingerprint("x") and len(fingerprint("x")) == 12
    assert an_id(content="one").version != an_id(content="two").version


@pytest.mark.parametrize("text, reason", [
    ("https://example.com/qr", "ikke en dokument-ID fra lederavtale"),
    ("LA2:Testvik+kommune:2027:210:avtale:028f0df5b859:0000", "ikke en dokument-ID fra lederavtale"),
    ("LA1:Testvik+kommune:2027:210:avtale", "har 5 deler, ikke 7"),
    ("", "ikke en dokument-ID"),
])
def test_foreign_strings_are_refused_with_a_reason(text, reason):
    with pytest.raises(InvalidDocumentId, match=reason):
        parse_id(text)


def test_a_damaged_or_retyped_id_is_refused():
    text = format_id(an_id("210"))
    for damaged in (text.replace(":210:", ":219:"), text.replace(":avtale:", ":vedlegg:"), text[:-1] + "x",
                    text.replace("Testvik", "testvik")):
        with pytest.raises(InvalidDocumentId, match="Kontrollsifrene"):
            parse_id(damaged)


def _with_check(body: str) -> str:
    return body + ":" + identity._check(body)


@pytest.mark.parametrize("body, reason", [
    ("LA1:Testvik+kommune:2027:210:kontrakt:028f0df5b859", "Dokumenttypen"),
    ("LA1:Testvik+kommune:2027:210:avtale:028F0DF5B859", "Versjonen"),
    ("LA1:Testvik+kommune:27:210:avtale:028f0df5b859", "Året"),
    ("LA1:Testvik kommune:2027:210:avtale:028f0df5b859", "tegn som ikke hører hjemme"),
    ("LA1:Testvik+kommune:2027:%C3:avtale:028f0df5b859", "ikke gyldig UTF-8"),
    ("LA1:Testvik%20kommune:2027:210:avtale:028f0df5b859", "ikke skrevet slik lederavtale"),
    ("LA1:Testvik+kommune:2027::avtale:028f0df5b859", "mangler Ansattnr"),
])
def test_ids_not_written_as_we_write_them_are_refused(body, reason):
    with pytest.raises(InvalidDocumentId, match=reason):
        parse_id(_with_check(body))


def test_an_id_that_would_be_too_long_is_refused_when_made():
    with pytest.raises(InvalidDocumentId, match="lengre enn"):
        an_id("ø" * 40)


# --- the short ID, which documents carry --------------------------------------------------------

KEY = bytes(range(32))  # a year folder's key (store.manifest.Manifest.id_key), fixed so the IDs are too
SHORT = re.compile(r"LA2-2027-[0-9A-HJKMNP-TV-Z]{12}-[0-9A-HJKMNP-TV-Z]{2}")


def a_short(ansattnr="210", kind="avtale", content="innhold", ar=2027, key=KEY):
    return make_id("Testvik kommune", "", ar, ansattnr, kind, fingerprint(content), key)


@pytest.mark.parametrize("ansattnr", AWKWARD + ["4711", "0042"])
def test_the_short_id_says_nothing_about_the_leader(ansattnr):
    document_id = a_short(ansattnr)
    short = document_id.short
    assert SHORT.fullmatch(short), short
    assert identity.carried_text(document_id) == short
    assert identity.footer_text(document_id) == f"Dokument-ID {short}"
    assert unicodedata.normalize("NFC", ansattnr).strip() not in short and "+" not in short and "Testvik" not in short
    # The full ID stays the record, and the short one is the same for the same document and key.
    assert parse_id(format_id(document_id)) == document_id and parse_id(format_id(document_id)).ansattnr == \
        unicodedata.normalize("NFC", ansattnr).strip()
    assert a_short(ansattnr).short == short


def test_the_short_id_follows_the_document_and_the_key():
    short = a_short().short
    others = {a_short(content="endret").short, a_short(kind="vedlegg").short, a_short("211").short,
              a_short(key=bytes(32)).short}
    assert short not in others and len(others) == 4
    assert a_short() == an_id()  # the same document, whichever form it carries
    with pytest.raises(ValueError):
        a_short(key=b"kort")


def _short_text(year: str, code: str) -> str:
    return f"LA2-{year}-{code}-{identity._short_check(year + code)}"


def test_every_wrong_or_swapped_character_is_caught():
    """One character wrong anywhere, or any two characters of the year and code swapped: refused, every time."""
    for n in range(20):
        short = a_short(str(n)).short
        places = [i for i, char in enumerate(short) if i >= 4 and char != "-"]
        for at in places:
            for char in identity.CROCKFORD:
                if char != short[at]:
                    with pytest.raises(InvalidDocumentId):
                        identity.parse_short(short[:at] + char + short[at + 1:])
        swappable = places[:-2] + [places[-2]]  # year and code; the check's two characters among themselves below
        for i, a in enumerate(swappable):
            for b in swappable[i + 1:]:
                if short[a] != short[b]:
                    swapped = list(short)
                    swapped[a], swapped[b] = swapped[b], swapped[a]
                    with pytest.raises(InvalidDocumentId, match="Kontrolltegnene|har ikke formen"):
                        identity.parse_short("".join(swapped))
        if short[-1] != short[-2]:
            with pytest.raises(InvalidDocumentId):
                identity.parse_short(short[:-2] + short[-1] + short[-2])


def test_a_short_id_is_read_as_a_person_types_it():
    short = _short_text("2027", "0123456789AB")
    assert identity.parse_short(short) == short
    assert identity.parse_short(f"  Dokument-ID {short.lower()} ") == short
    assert identity.parse_short("la2-2o27-oI23456789ab" + short[-3:].lower()) == short  # O for 0, I for 1
    assert identity.parse_short("LA2-2027-0L23456789AB" + short[-3:]) == short  # L for 1
    for bad, reason in ((short.replace("AB-", "AU-"), "har ikke formen"), (short[:-1], "har ikke formen"),
                        (short.replace("-", ""), "begynner ikke med LA2-"), ("LA1-2027", "begynner ikke med LA2-")):
        with pytest.raises(InvalidDocumentId, match=reason):
            identity.parse_short(bad)
    assert identity.canonical_text(short.lower()) == short
    assert identity.canonical_text(format_id(an_id())) == format_id(an_id())


def test_the_register_finds_the_document_a_short_id_stands_for():
    agreement, appendix = a_short("210"), a_short("210", kind="vedlegg")
    register = IdRegister({agreement.short: [format_id(agreement)], appendix.short: {format_id(appendix)}}, 2027)
    found = register.read(f"Dokument-ID {agreement.short}")
    assert found == agreement and found.short == agreement.short and (found.ansattnr, found.kind) == ("210", "avtale")
    assert register.read(appendix.short.lower()) == appendix
    # A full ID, as documents made before short IDs carry it, is read as it is.
    old = an_id("999")
    assert register.read(format_id(old)) == old and register.read(format_id(old)).short == ""
    with pytest.raises(UnknownDocumentId, match="ikke laget i denne årsmappen"):
        register.read(a_short("211").short)
    with pytest.raises(UnknownDocumentId, match="gjelder 2026, ikke 2027"):
        register.read(a_short(ar=2026).short)
    with pytest.raises(InvalidDocumentId, match="Kontrolltegnene"):
        register.read(agreement.short[:-1] + ("0" if agreement.short[-1] != "0" else "1"))
    twice = IdRegister({agreement.short: [format_id(agreement), format_id(appendix)]}, 2027)
    with pytest.raises(UnknownDocumentId, match="står for 2 dokumenter"):
        twice.read(agreement.short)


def test_a_damaged_short_id_never_finds_another_leader():
    import random

    rng = random.Random(31)
    documents = [a_short(str(1000 + n), kind=kind) for n in range(300) for kind in ("avtale", "vedlegg")]
    register = IdRegister({d.short: [format_id(d)] for d in documents}, 2027)
    refused = 0
    for document in documents:
        for _ in range(10):
            text = list(document.short)
            for _ in range(rng.randint(1, 3)):
                at = rng.choice([i for i in range(4, len(text)) if text[i] != "-"])
                text[at] = rng.choice(identity.CROCKFORD)
            try:
                found = register.read("".join(text))
            except InvalidDocumentId:
                refused += 1
                continue
            assert found == document  # only when the damage changed nothing
    assert refused > 5000


def test_the_manifest_keeps_every_short_id_it_gave(tmp_path):
    from generator.store.manifest import FileEntry, LeaderEntry, Manifest, issued_ids

    first, second = a_short("210", content="1"), a_short("210", content="2")
    manifest = Manifest(tmp_path)
    entry = manifest.ledere["210"] = LeaderEntry("210", "Øystein Sykehjem", "210 Øystein Sykehjem")
    for document_id in (first, second):  # the document made again: the new file replaces the old one's entry
        manifest.update("210", FileEntry("210 Øystein Sykehjem/avtale.docx", "avtale", "docx", True, "sha",
                                         dokument_id=format_id(document_id), kort_id=document_id.short))
    assert [f.kort_id for f in entry.filer] == [second.short] and entry.filer[0].carried_id == second.short
    # Read back from the journal alone (a run that stopped), then from manifest.json.
    for _ in range(2):
        again = Manifest.load(tmp_path)
        issued = issued_ids(again.ledere)
        assert issued == {first.short: {format_id(first)}, second.short: {format_id(second)}}
        assert IdRegister(issued, 2027).read(first.short).version == first.version  # the earlier version too
        manifest.save()
    old = FileEntry("a.docx", "avtale", "docx", True, "sha", dokument_id=format_id(an_id()))
    assert old.carried_id == format_id(an_id())  # made before short IDs: it carries the full ID


def test_the_year_folder_keeps_its_key(tmp_path):
    from generator.store.manifest import Manifest
    from generator.store.year import ID_KEY_NAME

    key = Manifest(tmp_path).id_key()
    assert len(key) == 32 and (tmp_path / ID_KEY_NAME).is_file()
    assert Manifest.load(tmp_path).id_key() == key  # the next run's
    (tmp_path / ID_KEY_NAME).write_text("skadet")
    assert len(Manifest(tmp_path).id_key()) == 32  # a damaged file is replaced; the manifest still reads old IDs


def test_the_qr_code_of_a_short_id_is_small():
    document_id = a_short()
    assert identity.qr_matrix(document_id.short).shape == (29, 29)  # the full ID's was 41 × 41
    assert identity.qr_matrix(format_id(an_id())).shape[0] > 29
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(document_id))), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [(code.text, code.ec_level) for code in found] == [(document_id.short, "H")]


def _scanned(png: bytes, dpi: int, seed: int = 1) -> Image.Image:
    """The QR code printed at its size on an A4 page and scanned: resampled, blurred, rotated, noisy, JPEG."""
    import random

    rng = random.Random(seed)
    code = Image.open(io.BytesIO(png)).convert("L")
    size = round(code.width / identity.QR_DPI * dpi)
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    page.paste(code.resize((size, size), Image.BILINEAR), (round(5 * dpi), round(8 * dpi)))
    draw = ImageDraw.Draw(page)
    # A pen stroke from the signature above across the code.
    x0, y0 = round(4.6 * dpi), round(8.1 * dpi)
    draw.line([(x0, y0), (x0 + size, y0 + size // 3)], fill=40, width=max(2, dpi // 60))
    page = page.rotate(1.5, resample=Image.BILINEAR, fillcolor=255).filter(ImageFilter.GaussianBlur(0.8))
    noisy = page.point(lambda v: max(0, min(255, v + rng.randint(-25, 25))) if rng.random() < 0.5 else v)
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=35)
    return Image.open(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize("key", [KEY, None], ids=["kort", "full"])
@pytest.mark.parametrize("dpi", [300, 200])
def test_qr_is_read_from_a_poor_scan_of_the_printed_page(dpi, key):
    document_id = make_id("Nord-Fron kommune", "", 2027, "Ansatt nr. 0042-ÅØÆ", "avtale", fingerprint("x"), key)
    width_mm = identity.qr_width_mm(document_id)
    assert 25 < width_mm < 45  # fits beside the signature block
    found = zxingcpp.read_barcodes(_scanned(qr_png(document_id), dpi), formats=zxingcpp.BarcodeFormat.QRCode)
    register = IdRegister({document_id.short: [format_id(document_id)]} if key else {}, 2027)
    assert [code.text for code in found] == [identity.carried_text(document_id)]
    assert [register.read(code.text) for code in found] == [document_id]


def test_qr_uses_high_error_correction():
    document_id = an_id()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(document_id))), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [(code.text, code.ec_level) for code in found] == [(format_id(document_id), "H")]


# --- .docx custom properties ---------------------------------------------------------------

def _word_custom_properties(path: Path) -> None:
    """Add custom properties the way Word writes them (one HR set by hand)."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.'
           'org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Saksbehandler">'
           '<vt:lpwstr>Hanne HR</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="5" '
           'name="Dokument-ID"><vt:lpwstr>gammel</vt:lpwstr></property></Properties>')
    with zipfile.ZipFile(path) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    entries["docProps/custom.xml"] = xml.encode()
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.custom-properties+xml"/></Types>')
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


def test_docx_custom_property_round_trip(tmp_path):
    path = tmp_path / "avtale.docx"
    document = docx.Document()
    document.add_paragraph("Lederavtale")
    assert identity.docx_id_text(document) is None
    first, second = an_id("A-12 b", content="1"), an_id("A-12 b", content="2")
    set_docx_id(document, first)
    set_docx_id(document, second)  # again: replaced, not added
    document.save(path)
    assert read_docx_id(path) == second
    with zipfile.ZipFile(path) as zf:
        custom = zf.read("docProps/custom.xml").decode()
        assert custom.count('name="Dokument-ID"') == 1 and 'pid="2"' in custom
        assert "custom-properties+xml" in zf.read("[Content_Types].xml").decode()
        assert zf.read("_rels/.rels").decode().count("relationships/custom-properties") == 1


def test_docx_custom_property_keeps_what_word_wrote(tmp_path):
    path = tmp_path / "avtale.docx"
    docx.Document().save(path)
    _word_custom_properties(path)
    document = docx.Document(str(path))
    set_docx_id(document, an_id())
    document.save(path)
    assert read_docx_id(path) == an_id()
    with zipfile.ZipFile(path) as zf:
        custom = zf.read("docProps/custom.xml").decode()
        names = zf.namelist()
    assert "Hanne HR" in custom and "gammel" not in custom
    assert 'pid="5"' in custom and 'pid="2"' in custom  # ours keeps its pid, Word's keeps its own
    assert names.count("docProps/custom.xml") == 1


def test_a_damaged_docx_id_is_refused(tmp_path):
    path = tmp_path / "avtale.docx"
    docx.Document().save(path)
    _word_custom_properties(path)  # Dokument-ID = "gammel"
    with pytest.raises(InvalidDocumentId):
        read_docx_id(path)


# --- PDF XMP --------------------------------------------------------------------------------

def small_pdf(text: str = "Lederavtale 2027") -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("latin-1"))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)  # the text stays findable in the bytes, for tampering with it
    return out.getvalue()


def test_xmp_round_trip_once_however_often_it_is_set():
    pdf = pikepdf.open(io.BytesIO(small_pdf()))
    set_pdf_id(pdf, an_id(content="1"))
    set_pdf_id(pdf, an_id(content="2"))
    out = io.BytesIO()
    pdf.save(out)
    again = pikepdf.open(io.BytesIO(out.getvalue()))
    assert parse_id(read_pdf_id(again)) == an_id(content="2")
    xmp = bytes(again.Root.Metadata.read_bytes()).decode()
    assert xmp.count("<lederavtale:dokumentid>") == 1
    assert xmp.count("<pdfaSchema:namespaceURI>" + identity.XMP_NS) == 1
    # Written as plain text (PDF/A readers and documents/pdf.py read it without filters).
    assert format_id(an_id(content="2")).encode() in out.getvalue()


def test_a_document_with_a_short_id_carries_only_that_in_its_properties(tmp_path):
    document_id = a_short("A-12 b")
    register = IdRegister({document_id.short: [format_id(document_id)]}, 2027)
    pdf = pikepdf.open(io.BytesIO(small_pdf()))
    set_pdf_id(pdf, document_id)
    out = io.BytesIO()
    pdf.save(out)
    assert read_pdf_id(pikepdf.open(io.BytesIO(out.getvalue()))) == document_id.short
    assert b"A-12" not in out.getvalue() and format_id(document_id).encode() not in out.getvalue()
    path = tmp_path / "avtale.docx"
    document = docx.Document()
    set_docx_id(document, document_id)
    document.save(path)
    assert identity.docx_id_text(docx.Document(str(path))) == document_id.short
    assert read_docx_id(path, register) == document_id
    with pytest.raises(UnknownDocumentId):
        read_docx_id(path)  # without the year folder's register, a short ID names nothing
    # What the converter stamps into a PDF: the text the .docx carries, as it is, or refused.
    stamped = pikepdf.open(io.BytesIO(small_pdf()))
    identity.pdf_edit(document_id.short.lower())(stamped)
    assert read_pdf_id(stamped) == document_id.short
    assert identity.pdf_edit("") is None
    with pytest.raises(InvalidDocumentId):
        identity.pdf_edit("LA2-2027-ikke-gyldig")


# --- signatures -----------------------------------------------------------------------------

class Pki:
    """A throwaway CA and the certificates it issues, as files and as pyHanko signers."""

    def __init__(self, folder: Path, name: str = "Testvik test-CA"):
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))

    def write_ca(self, folder: Path, der: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
        path = folder / ("ca.der" if der else "ca.pem")
        path.write_bytes(self.cert.public_bytes(encoding))
        return folder

    def signer(self, given: str, surname: str, common: str | None = None):
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common or f"{given} {surname}"),
                             x509.NameAttribute(NameOID.GIVEN_NAME, given),
                             x509.NameAttribute(NameOID.SURNAME, surname)])
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
                .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                               critical=True)
                .sign(self.key, hashes.SHA256()))
        der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        ca = asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs([ca]))


def sign(data: bytes, signer, field: str) -> bytes:
    """One more signature, as an incremental update (as every e-signing portal adds them)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=field), signer=signer)
    return out.getvalue()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca = Pki(folder)
    return {"ca": ca, "tillit": ca.write_ca(folder / "tillit"), "leder": ca.signer("Øystein", "Sykehjem"),
            "overordnet": ca.signer("Per", "Helse", common="Helse, Per"), "tredje": ca.signer("Tore", "Tredje")}


@pytest.fixture(scope="module")
def signed_twice(pki):
    return sign(sign(small_pdf(), pki["leder"], "Leder"), pki["overordnet"], "Overordnet")


PARTIES = ["Øystein Sykehjem", "Per Helse"]


def test_two_signatures_are_valid_and_trusted_with_the_ca(pki, signed_twice):
    result = read_signatures(signed_twice, load_trust_roots(pki["tillit"]))
    assert [s.navn for s in result.signaturer] == ["Øystein Sykehjem", "Per Helse"]
    assert all(s.gyldig and s.klarert and s.intakt for s in result.signaturer)
    assert [s.dekker for s in result.signaturer] == [verify.COVERS_REVISION, verify.COVERS_FILE]
    assert result.feil == []
    for s in result.signaturer:
        assert s.tidspunkt and abs(s.tidspunkt - datetime.now(timezone.utc)) < timedelta(minutes=10)
        assert "klarert utsteder" in s.tekst and NOT_CHECKED not in s.tekst
    parties = compare_parties(result.signaturer, PARTIES)
    assert parties.status == SIGNERT and parties.mangler == [] and parties.ikke_parter == []


def test_without_trust_roots_nothing_is_claimed_about_the_issuer(signed_twice):
    result = read_signatures(signed_twice)
    assert all(s.gyldig and not s.klarert and not s.kontrollert for s in result.signaturer)
    assert all(NOT_CHECKED in s.tekst for s in result.signaturer)
    assert compare_parties(result.signaturer, PARTIES).status == SIGNERT


def test_another_ca_is_not_trusted(pki, signed_twice, tmp_path):
    other = Pki(tmp_path, "Annen CA").write_ca(tmp_path / "annen", der=True)
    result = read_signatures(signed_twice, load_trust_roots(other))
    assert all(s.gyldig and s.kontrollert and not s.klarert for s in result.signaturer)
    assert all(verify.NOT_TRUSTED in s.tekst for s in result.signaturer)


def test_one_signer_missing_is_partly_signed(pki):
    result = read_signatures(sign(small_pdf(), pki["leder"], "Leder"))
    parties = compare_parties(result.signaturer, PARTIES)
    assert parties.status == DELVIS and parties.mangler == ["Per Helse"]
    assert parties.advarsler == ["Per Helse har ikke signert"]


def test_a_third_person_is_not_a_party(pki):
    data = sign(sign(small_pdf(), pki["leder"], "Leder"), pki["tredje"], "Tredje")
    result = read_signatures(data)
    assert result.feil == []
    parties = compare_parties(result.signaturer, PARTIES)
    assert parties.status == DELVIS
    assert parties.ikke_parter == ["Tore Tredje"] and parties.mangler == ["Per Helse"]
    assert "Tore Tredje har signert, men er ikke part i avtalen" in parties.advarsler


def test_bytes_changed_after_signing_are_refused(signed_twice):
    at = signed_twice.index(b"Lederavtale 2027")
    tampered = signed_twice[:at] + b"Lederavtale 2028" + signed_twice[at + 16:]
    result = read_signatures(tampered)
    assert not any(s.intakt for s in result.signaturer)
    assert len(result.feil) == 2 and all("brutt" in line for line in result.feil)
    assert compare_parties(result.signaturer, PARTIES).mangler == PARTIES


@pytest.mark.slow
def test_a_tampered_file_prints_no_traceback(signed_twice, tmp_path):
    """pyHanko logs each failed check with its traceback; outside pytest nobody must see them. The
    process starts as `lederavtale` does (generator.start), so no library's warning is shown either."""
    import sys

    at = signed_twice.index(b"Lederavtale 2027")
    path = tmp_path / "endret.pdf"
    path.write_bytes(signed_twice[:at] + b"Lederavtale 2028" + signed_twice[at + 16:])
    script = ("import sys; from generator.start import quiet_libraries; quiet_libraries(); "
              "from generator.signing.verify import read_signatures; "
              "print(len(read_signatures(sys.argv[1]).feil))")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert (done.stdout.strip(), done.stderr) == ("2", "")


def test_a_change_appended_after_the_last_signature_is_refused(signed_twice):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_twice), strict=False)
    page = writer.root["/Pages"]["/Kids"][0]
    contents = generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (Endret etterpaa) Tj ET")
    page.get_object()["/Contents"] = writer.add_object(contents)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    result = read_signatures(out.getvalue())
    assert all(s.intakt for s in result.signaturer)  # each signed revision is untouched ...
    assert result.signaturer[-1].endret_etter and not result.signaturer[-1].gyldig  # ... but not what follows
    assert any("endret etter signeringen" in line for line in result.feil)


def test_an_unsigned_pdf_has_no_signatures():
    result = read_signatures(small_pdf())
    assert not result.signert and result.feil == []


@pytest.mark.parametrize("data, reason", [
    (b"Dette er ikke en PDF", "filen er ikke en PDF"),
    (small_pdf()[:300], "kan ikke leses som PDF"),
    (b"%PDF-1.7\n" + b"\x00" * 500, "kan ikke leses som PDF"),
])
def test_a_broken_file_is_a_norwegian_message(data, reason, tmp_path):
    path = tmp_path / "ødelagt.pdf"
    path.write_bytes(data)
    with pytest.raises(UnreadablePdf, match=reason) as caught:
        read_signatures(path)
    assert str(caught.value).startswith("ødelagt.pdf: ")


def test_a_file_over_the_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(verify, "MAX_BYTES", 1000)
    with pytest.raises(UnreadablePdf, match="større enn"):
        read_signatures(small_pdf() + b" " * 1000, name="stor.pdf")
    with pytest.raises(UnreadablePdf, match="finnes ikke|kan ikke åpnes"):
        read_signatures(tmp_path / "borte.pdf")


def test_trust_roots_from_pem_bundles_and_der(pki, tmp_path):
    folder = tmp_path / "tillit"
    folder.mkdir()
    first, second = Pki(tmp_path, "En"), Pki(tmp_path, "To")
    pem = first.cert.public_bytes(serialization.Encoding.PEM) + second.cert.public_bytes(serialization.Encoding.PEM)
    (folder / "bundle.crt").write_bytes(pem)
    (folder / "rot.CER").write_bytes(pki["ca"].cert.public_bytes(serialization.Encoding.DER))
    (folder / "LESMEG.txt").write_text("ikke et sertifikat")
    roots = load_trust_roots(folder)
    assert sorted(r.subject.native["common_name"] for r in roots) == ["En", "Testvik test-CA", "To"]


@pytest.mark.parametrize("content, reason", [
    (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "ikke et sertifikat"),
    (b"\x30\x03\x02\x01\x01", "ikke et sertifikat"),
])
def test_a_bad_trust_file_is_named(content, reason, tmp_path):
    (tmp_path / "feil.pem").write_bytes(content)
    with pytest.raises(TrustError, match=f"feil.pem.*{reason}"):
        load_trust_roots(tmp_path)


def test_an_empty_or_missing_trust_folder_is_refused(tmp_path):
    with pytest.raises(TrustError, match="Fant ingen sertifikater"):
        load_trust_roots(tmp_path)
    with pytest.raises(TrustError, match="finnes ikke"):
        load_trust_roots(tmp_path / "borte")


@pytest.mark.parametrize("party, signer", [
    ("Kari Direktør", "Direktør, Kari"),
    ("Kari Direktør", "KARI DIREKTØR"),
    ("Kari Direktør", "kari  direktor"),
    ("Åse Oppvekst", unicodedata.normalize("NFD", "Åse Oppvekst")),
    ("Åse Oppvekst", "Ase Oppvekst"),
    ("Kari Direktør", "Kari Anne Direktør"),
    ("Anne-Lise Hansen", "Anne Lise Hansen"),
    ("Ola P. Nordmann", "Ola Nordmann"),
])
def test_names_are_compared_normalised(party, signer):
    assert same_person(party, signer)


@pytest.mark.parametrize("party, signer", [
    ("Kari Direktør", "Kari Direktøren"),
    ("Kari Direktør", "Kari"),
    ("Kari Direktør", "Direktør Kari"),
    ("Kari Direktør", "Anne Direktør"),
    ("Kari Direktør", ""),
])
def test_different_names_are_different_people(party, signer):
    assert not same_person(party, signer)


# A BankID certificate names its holder as the population register does, surnames first:
# `CN=Etternavn, Fornavn Mellomnavn` (BankID's certificate profile; no givenName or surname attributes).
@pytest.mark.parametrize("party, signer", [
    ("Ingrid Sæther", "Berg, Ingrid Sæther"),  # the middle name used as a surname at work
    ("Ingrid Berg", "Berg, Ingrid Sæther"),
    ("Ingrid Sæther Berg", "Sæther Berg, Ingrid"),  # a double surname
    ("Ingrid Berg", "Sæther Berg, Ingrid"),
    ("Ingrid Sæther", "Sæther Berg, Ingrid"),
    ("Per Olav Helse", "Helse, Per Olav"),
])
def test_bankid_names_match_on_the_given_name_and_a_registered_name(party, signer):
    assert same_person(party, signer)


@pytest.mark.parametrize("party, signer", [
    ("Ingrid Berg", "Berg Ingrid"),  # turned round, without the comma that says so
    ("Ingrid Berg", "Berg, \u0406ngrid"),  # a Cyrillic І: alike to the eye, another name
    ("Ingrid Berg", "Berg, Inger Sæther"),
    ("Ingrid Berg", "Sæther, Ingrid"),
])
def test_bankid_names_that_are_other_people(party, signer):
    assert not same_person(party, signer)


def _valid(navn: str, kontrollert: bool = False, klarert: bool = False, utsteder: str = "") -> verify.Signatur:
    return verify.Signatur(navn, "A", True, verify.COVERS_FILE, False, None, kontrollert, klarert, utsteder)


def test_a_party_not_found_is_named_with_the_nearest_signer_and_why():
    parties = compare_parties([_valid("Berg, Inger Sæther"), _valid("Tore Tredje")], ["Ingrid Berg"])
    assert parties.status == DELVIS
    assert parties.advarsler == ["Ingrid Berg har ikke signert; nærmest er Berg, Inger Sæther, men fornavnet er et annet",
                                 "Tore Tredje har signert, men er ikke part i avtalen"]
    parties = compare_parties([_valid("Ingrid Aas")], ["Ingrid Berg"])
    assert parties.advarsler == ["Ingrid Berg har ikke signert; nærmest er Ingrid Aas, men «Berg» står ikke i "
                                 "sertifikatets navn"]


def test_with_trust_roots_an_untrusted_signature_counts_for_no_one():
    both_trusted = [_valid("Berg, Ingrid Sæther", True, True), _valid("Per Helse", True, True)]
    assert compare_parties(both_trusted, ["Ingrid Sæther", "Per Helse"]).status == SIGNERT
    one_untrusted = [_valid("Berg, Ingrid Sæther", True, True), _valid("Per Helse", True, False, "Falsk CA")]
    parties = compare_parties(one_untrusted, ["Ingrid Sæther", "Per Helse"])
    assert parties.status == DELVIS and parties.mangler == []
    assert parties.advarsler == ["Per Helse har signert (Per Helse), men utstederen av sertifikatet (Falsk CA) er ikke "
                                 "blant de klarerte, så signaturen teller ikke"]
    # Without trust roots nothing is checked, and the words elsewhere say so.
    unchecked = [_valid("Berg, Ingrid Sæther"), _valid("Per Helse")]
    assert compare_parties(unchecked, ["Ingrid Sæther", "Per Helse"]).status == SIGNERT


def test_one_signature_counts_for_one_party():
    one = verify.Signatur("Ola Nordmann", "A", True, verify.COVERS_FILE, False, None, False, False)
    assert compare_parties([one], ["Ola Nordmann", "Ola Nordmann"]).mangler == ["Ola Nordmann"]
    exact_first = [verify.Signatur("Ola Per Nordmann", "A", True, verify.COVERS_REVISION, False, None, False, False),
                   one]
    result = compare_parties(exact_first, ["Ola Nordmann", "Ola Per Nordmann"])
    assert result.signert_av == [("Ola Nordmann", "Ola Nordmann"), ("Ola Per Nordmann", "Ola Per Nordmann")]
    assert name_key("Nordmann, Ola") == ("ola", "nordmann")


# --- scans ----------------------------------------------------------------------------------

def scanned_pdf(document_id, pages: int = 1) -> bytes:
    """A paper copy scanned to an image-only PDF: the QR code on the last page, no text layer."""
    images = []
    for n in range(pages):
        page = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(page)
        draw.rectangle([300, 400, 2180, 460], fill=0)
        if n == pages - 1:
            code = Image.open(io.BytesIO(qr_png(document_id))).convert("L")
            page.paste(code, (1700, 2600))
        out = io.BytesIO()
        page.filter(ImageFilter.GaussianBlur(0.7)).save(out, "JPEG", quality=60)
        images.append(out.getvalue())
    return img2pdf.convert(images, layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300)))


@pytest.mark.slow
def test_a_scan_is_matched_by_its_qr_code():
    document_id = an_id("A-12 b")
    result = read_scan(scanned_pdf(document_id, pages=2), name="skann 0001.pdf")
    assert result.dokument_id == document_id
    assert result.funnet[0].side == 2 and result.sider == 2
    assert result.sider_lest == 1  # from the last page backwards: the signature page first
    assert result.ansattnr_fra_filnavn is None


def scanned_pages(texts: list[str]) -> bytes:
    """A scan of one page per text, each with that text as its QR code (as a printer would lay it)."""
    images = []
    for text in texts:
        page = Image.new("L", (2480, 3508), 255)
        page.paste(Image.open(io.BytesIO(qr_png_of(text))).convert("L"), (1700, 2600))
        out = io.BytesIO()
        page.save(out, "JPEG", quality=80)
        images.append(out.getvalue())
    return img2pdf.convert(images, layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300)))


@pytest.mark.slow
def test_a_scan_of_two_documents_names_both_and_a_damaged_code_says_why():
    agreement, other = an_id("210"), an_id("100")
    mixed = read_scan(scanned_pages([format_id(agreement), format_id(other)]), name="bunke.pdf", all_pages=True)
    assert mixed.blandet == (f"sidene har QR-koder fra mer enn ett dokument: «{format_id(agreement)}» (side 1) og "
                             f"«{format_id(other)}» (side 2); skann hvert dokument for seg")
    assert read_scan(scanned_pages([format_id(agreement)] * 2), all_pages=True).blandet == ""
    # One character changed: the check digits no longer agree. A code that is not ours is no reason.
    text = format_id(agreement)
    damaged = text[:-3] + ("0" if text[-3] != "0" else "1") + text[-2:]
    found = read_scan(scanned_pages([damaged, "https://example.org/ikke-vaar"]), name="x.pdf", all_pages=True)
    assert found.dokument_id is None and len(found.skadet) == 1 and "Kontrollsifrene" in found.skadet[0]
    assert found.andre_koder and "LA1:" in found.andre_koder[0]


@pytest.mark.slow
def test_a_scan_of_short_ids_is_read_through_the_register():
    agreement, appendix, old = a_short("210"), a_short("210", kind="vedlegg"), an_id("100")
    register = IdRegister({d.short: [format_id(d)] for d in (agreement, appendix)}, 2027)
    found = read_scan(scanned_pages([agreement.short]), name="skann.pdf", register=register)
    assert found.dokument_id == agreement and found.dokument_id.short == agreement.short
    # One document, its short ID on one page and its full ID (printed before short IDs) on the other.
    assert read_scan(scanned_pages([agreement.short, format_id(agreement)]), register=register,
                     all_pages=True).blandet == ""
    mixed = read_scan(scanned_pages([agreement.short, format_id(old)]), register=register, all_pages=True)
    assert mixed.blandet == (f"sidene har QR-koder fra mer enn ett dokument: «{agreement.short}» (side 1) og "
                             f"«{format_id(old)}» (side 2); skann hvert dokument for seg")
    # Another year folder's short ID is unknown here; a damaged one fails its check.
    other = a_short("211")
    damaged = appendix.short[:-1] + ("0" if appendix.short[-1] != "0" else "1")
    result = read_scan(scanned_pages([other.short, damaged]), register=register, all_pages=True)
    assert result.dokument_id is None
    assert result.ukjent == [f"side 1: dokument-ID-en {other.short} er ikke laget i denne årsmappen (manifest.json "
                             "kjenner den ikke); den kan være fra en annen kommune eller en annen utmappe"]
    assert len(result.skadet) == 1 and "Kontrolltegnene" in result.skadet[0]


def test_a_scan_without_a_code_falls_back_to_the_file_name():
    pdf = img2pdf.convert([_blank_jpeg()], layout_fun=img2pdf.get_fixed_dpi_layout_fun((72, 72)))
    result = read_scan(pdf, name="A-12 b Ola Nordmann.pdf", known_ansattnr=["A-12", "A-12 b", "210"])
    assert result.dokument_id is None and result.ansattnr_fra_filnavn == "A-12 b"
    assert result.sider_lest == 1


def test_a_foreign_qr_code_is_listed_not_taken(tmp_path):
    page = Image.new("L", (600, 600), 255)
    code = Image.open(io.BytesIO(_png(segno.make("https://example.com", error="h")))).convert("L")
    page.paste(code, (50, 50))
    out = io.BytesIO()
    page.save(out, "PNG")
    pdf = img2pdf.convert([out.getvalue()], layout_fun=img2pdf.get_fixed_dpi_layout_fun((72, 72)))
    result = read_scan(pdf, name="skann.pdf")
    assert result.dokument_id is None
    assert result.andre_koder == ["side 1: Teksten er ikke en dokument-ID fra lederavtale (den begynner ikke med LA1: "
                                  "eller LA2-)"]


def _png(code) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="png", scale=8)
    return out.getvalue()


def _blank_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("L", (100, 140), 255).save(out, "JPEG")
    return out.getvalue()


def test_scan_limits_and_broken_files(monkeypatch, tmp_path):
    with pytest.raises(scan.UnreadableScan, match="kan ikke leses som PDF"):
        read_scan(b"%PDF-1.4 ikke mer", name="x.pdf")
    monkeypatch.setattr(verify, "MAX_BYTES", 100)  # one limit for every received file
    with pytest.raises(scan.UnreadableScan, match="større enn"):
        read_scan(b"%PDF" + b" " * 200, name="x.pdf")
    monkeypatch.setattr(scan.shutil, "which", lambda name: None)
    with pytest.raises(scan.UnreadableScan, match="poppler-utils"):
        read_scan(b"%PDF", name="x.pdf")


def test_a_huge_page_is_rendered_at_a_lower_resolution(monkeypatch):
    seen = []
    real = scan.subprocess.run

    def spy(args, **kwargs):
        seen.append(int(args[args.index("-r") + 1]))
        return real(args, **kwargs)

    monkeypatch.setattr(scan.subprocess, "run", spy)
    monkeypatch.setattr(scan, "MAX_PIXELS", 5_000_000)
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(1191, 1684))  # A2
    out = io.BytesIO()
    pdf.save(out)
    read_scan(out.getvalue(), name="a2.pdf")
    assert seen and seen[0] < 300 and (1191 / 72 * seen[0]) * (1684 / 72 * seen[0]) <= 5_000_000


@pytest.mark.parametrize("name, known, expected", [
    ("210 Øystein Sykehjem.pdf", ["21", "210", "2100"], "210"),
    ("210_signert.pdf", None, "210"),
    ("2100.pdf", ["21", "210"], None),
    ("a-12 B-skann.pdf", ["A-12 b"], "A-12 b"),
    (unicodedata.normalize("NFD", "Ø-7 avtale.pdf"), ["Ø-7"], "Ø-7"),
    ("skann 210.pdf", None, None),
    ("２１０ x.pdf", None, None),  # full-width digits are not an Ansattnr
])
def test_ansattnr_from_file_name(name, known, expected):
    assert ansattnr_from_filename(name, known) == expected


# --- with real LibreOffice ------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installert")


@pytest.fixture(scope="module")
def agreement_pdf(tmp_path_factory) -> Path:
    """A real agreement for Øystein Sykehjem (210), PDF/A-2b from LibreOffice via `generer`."""
    from generator.cli import main

    tmp = tmp_path_factory.mktemp("generer")
    workbook = write_xlsx(tmp / "arbeidsbok.xlsx", basic_sheets())
    outcome = CliRunner().invoke(main, ["generer", str(workbook), "--ut", str(tmp / "ut"), "--leder", "210"])
    assert outcome.exit_code == 0, outcome.output
    [pdf] = (tmp / "ut" / "2027").glob("210 */Lederavtale*.pdf")
    return pdf


@pytest.mark.slow
@needs_soffice
def test_xmp_id_keeps_a_libreoffice_pdfa_pdfa_and_survives_signing(agreement_pdf, tmp_path, pki):
    from generator.documents.pdf import pdfa_2b_problem

    copy = tmp_path / "Lederavtale.pdf"
    shutil.copy(agreement_pdf, copy)
    document_id = an_id("210", content=agreement_pdf.read_bytes())
    with pikepdf.open(copy, allow_overwriting_input=True) as pdf:
        identity.set_pdf_id(pdf, document_id)
        pdf.save(copy)
    assert pdfa_2b_problem(copy) == ""
    with pikepdf.open(copy) as pdf:
        meta = pdf.open_metadata()
        assert (str(meta.get("pdfaid:part")), str(meta.get("pdfaid:conformance"))) == ("2", "B")
        assert meta.get("dc:language")  # what pdf.py added is kept
        assert parse_id(read_pdf_id(pdf)) == document_id

    signed = sign(sign(copy.read_bytes(), pki["leder"], "Leder"), pki["overordnet"], "Overordnet")
    result = read_signatures(signed, load_trust_roots(pki["tillit"]))
    assert [(s.navn, s.gyldig, s.klarert) for s in result.signaturer] == [
        ("Øystein Sykehjem", True, True), ("Per Helse", True, True)]
    assert compare_parties(result.signaturer, PARTIES).status == SIGNERT
    assert not any(s.klarert for s in read_signatures(signed).signaturer)
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        assert parse_id(read_pdf_id(pdf)) == document_id


@pytest.mark.slow
@needs_soffice
def test_a_printed_and_scanned_document_is_matched_by_its_qr_code(tmp_path):
    """A .docx with the QR code, PDF/A by LibreOffice, rendered to images and back into a PDF with no text."""
    from generator.documents.pdf import PdfConverter

    document_id = an_id("Ansatt nr. 0042-ÅØÆ", orgnr="974760673", kind="vedlegg")
    document = docx.Document()
    document.add_paragraph("Utviklingsmål 2027")
    for _ in range(30):
        document.add_paragraph("Tekst som fyller siden.")
    document.add_paragraph("Sted og dato ________________  Signatur ________________")
    document.add_picture(io.BytesIO(qr_png(document_id)))
    document.sections[0].footer.paragraphs[0].text = identity.footer_text(document_id)
    set_docx_id(document, document_id)
    source = tmp_path / "vedlegg.docx"
    document.save(source)
    assert read_docx_id(source) == document_id
    with PdfConverter(jobber=1) as converter:
        converter.submit(source, tmp_path / "vedlegg.pdf")
        [conversion] = converter.wait()
    assert conversion.ok, conversion.feil
    pages = tmp_path / "sider"
    pages.mkdir()
    subprocess.run(["pdftoppm", "-r", "150", "-jpeg", str(tmp_path / "vedlegg.pdf"), str(pages / "s")], check=True)
    images = sorted(pages.glob("s*.jpg"))
    assert len(images) >= 2
    scanned = img2pdf.convert([str(p) for p in images])
    assert subprocess.run(["pdftotext", "-", "-"], input=scanned, capture_output=True).stdout.strip() == b""
    result = read_scan(scanned, name="skannet.pdf")
    assert result.dokument_id == document_id
    assert result.funnet[0].side == len(images)
