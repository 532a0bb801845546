"""tests/portals.py builds what it says: the certificates, the three signature forms, Posten's new
PDF, a portal's seal on our own PDF and the relabelled hostile file, each opened again here with
pikepdf, pyHanko, cryptography, asn1crypto, signxml and pdftotext."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from base64 import b64encode
from datetime import datetime, timezone

import pikepdf
import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from lxml import etree

import portals
from generator.documents import identity
from generator.documents.identity import read_pdf_id
from portals import Authority, cms_detached, pades, portal_sealed, posten_signed, relabelled, xades_detached

WHEN = datetime(2027, 3, 15, 10, 30, tzinfo=timezone.utc)
DS = "http://www.w3.org/2000/09/xmldsig#"


@pytest.fixture(scope="module")
def pki():
    bank = Authority("BankID - TestBank1 - Bank CA")
    entrust = Authority("Entrust Test Root")
    entrust_ca = Authority("Entrust Class 3 Client CA - SHA256", issuer=entrust)
    return {
        "bank": bank, "entrust": entrust,
        "posten": entrust_ca.seal("Posten Norge AS", portals.POSTEN_ORGNR, email="kundeservice@posten.no"),
        "penneo": entrust.seal("Penneo A/S", "935633766"),
        "leder": bank.bankid_person("Sykehjem", "Øystein", serial="9578-4050-127091783", fnr="01043100358"),
        "overordnet": bank.bankid_person("Helse", "Per Olav"),
        "tredje": bank.person("Tore", "Tredje"),
    }


@pytest.fixture(scope="module")
def document_id():
    """An ID as our documents carry it now: the short one (made with a year folder's key)."""
    return identity.make_id("Testvik kommune", "", 2027, "210", "avtale", identity.fingerprint("portals"),
                            bytes(range(32)))


@pytest.fixture(scope="module")
def original(document_id):
    return portals.our_pdf(pages=2, document_id=document_id)


class Built(dict):
    """Posten's PDF per evidence form, built on first use (so no one test pays for all three)."""

    def __init__(self, build):
        super().__init__()
        self.build = build

    def __missing__(self, evidence):
        self[evidence] = self.build(evidence)
        return self[evidence]


@pytest.fixture(scope="module")
def posten(pki, original):
    signers = [pki["leder"], pki["overordnet"]]
    return Built(lambda evidence: posten_signed(original, signers, pki["posten"], evidence=evidence, when=WHEN))


def page_text(pdf: bytes, tmp_path, page: int) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                            capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def signatures(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    return PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures


def validate(signature, *roots: Authority):
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[
        asn1_x509.Certificate.load(root.cert.public_bytes(serialization.Encoding.DER)) for root in roots])
    return validate_pdf_signature(signature, signer_validation_context=context)


# --- certificates -------------------------------------------------------------------------------

def test_a_bankid_certificate_names_its_holder_as_bankid_does(pki):
    subject = pki["leder"].cert.subject
    assert pki["leder"].name == "Sykehjem, Øystein"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Sykehjem, Øystein"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "9578-4050-127091783"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "NO"
    assert not subject.get_attributes_for_oid(NameOID.GIVEN_NAME)
    assert not subject.get_attributes_for_oid(NameOID.SURNAME)
    usage = pki["leder"].cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and not usage.digital_signature
    assert pki["leder"].cert.issuer == pki["bank"].cert.subject
    random_serial = pki["overordnet"].cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value
    assert re.fullmatch(r"9578-\d{4}-\d{9}", random_serial)
    assert pki["overordnet"].display_name == "Per Olav Helse"


def test_a_plain_person_and_a_seal(pki):
    plain = pki["tredje"].cert.subject
    assert pki["tredje"].name == "Tore Tredje"
    assert plain.get_attributes_for_oid(NameOID.GIVEN_NAME)[0].value == "Tore"
    assert plain.get_attributes_for_oid(NameOID.SURNAME)[0].value == "Tredje"
    seal = pki["posten"].cert
    values = {attribute.oid.dotted_string: attribute.value for attribute in seal.subject}
    assert values["2.5.4.3"] == values["2.5.4.10"] == "Posten Norge AS"
    assert values["2.5.4.97"] == "NTRNO-984661185" and values["2.5.4.5"] == "984661185"
    assert values["2.5.4.6"] == "NO" and values["1.2.840.113549.1.9.1"] == "kundeservice@posten.no"
    usage = seal.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    # Posten's seal sits below an intermediate, as Entrust's does.
    assert [c.subject.rfc4514_string() for c in pki["posten"].chain] == [
        "CN=Entrust Class 3 Client CA - SHA256,C=NO", "CN=Entrust Test Root,C=NO"]


def test_an_authority_writes_a_trust_roots_folder(pki, tmp_path):
    folder = pki["bank"].write(tmp_path / "tillit")
    assert folder == tmp_path / "tillit"
    [pem] = folder.iterdir()
    assert pem.suffix == ".pem"
    assert x509.load_pem_x509_certificate(pem.read_bytes()) == pki["bank"].cert


# --- a signer's own signature -------------------------------------------------------------------

def test_cms_is_detached_sha256_over_the_bytes(pki, original):
    p7s = cms_detached(original, pki["leder"])
    signed_data = asn1_cms.ContentInfo.load(p7s)["content"]
    assert signed_data["encap_content_info"]["content"].native is None  # detached
    signer_info = signed_data["signer_infos"][0]
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha256"
    attrs = {a["type"].native: a["values"][0].native for a in signer_info["signed_attrs"]}
    assert attrs["message_digest"] == hashlib.sha256(original).digest()
    assert abs(attrs["signing_time"] - datetime.now(timezone.utc)).total_seconds() < 600

    check = portals.verify_cms_detached(p7s, original, roots=[pki["bank"].cert])
    assert check.intact and check.trusted and check.cert == pki["leder"].cert
    assert not portals.verify_cms_detached(p7s, original + b" ", roots=[pki["bank"].cert]).intact
    assert portals.verify_cms_detached(p7s, original, roots=[pki["entrust"].cert]).trusted is False


def test_xades_verifies_with_signxml_given_the_external_bytes(pki, original, tmp_path):
    from signxml import InvalidCertificate, InvalidInput
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    xml = xades_detached(original, pki["leder"], "lederavtale.pdf", when=WHEN)
    root = etree.fromstring(xml)
    reference = root.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    assert reference.get("URI") == "lederavtale.pdf" and reference.find(f"{{{DS}}}Transforms") is None
    assert reference.findtext(f"{{{DS}}}DigestValue") == b64encode(hashlib.sha256(original).digest()).decode()
    assert root.findtext(".//{http://uri.etsi.org/01903/v1.3.2#}SigningTime") == "2027-03-15T10:30:00+00:00"

    resolver = {"lederavtale.pdf": original}.get
    results = XAdESVerifier().verify(xml, x509_cert=pki["leder"].cert, uri_resolver=resolver,
                                     expect_config=XAdESSignatureConfiguration(expect_references=3))
    assert results[0].signed_data == original
    with pytest.raises(InvalidInput, match="External URI dereferencing is not configured"):
        XAdESVerifier().verify(xml, x509_cert=pki["leder"].cert)
    # signxml's own path check wants digitalSignature, which a BankID signing certificate lacks.
    [pem] = pki["bank"].write(tmp_path / "tillit").iterdir()
    with pytest.raises(InvalidCertificate, match="digitalSignature"):
        XAdESVerifier().verify(xml, ca_pem_file=str(pem), uri_resolver=resolver)
    XAdESVerifier().verify(xml, ca_pem_file=str(pem), uri_resolver=resolver,
                           ee_policy=x509.verification.ExtensionPolicy.permit_all())

    check = portals.verify_xades_detached(xml, original, roots=[pki["bank"].cert])
    assert check.intact and check.trusted and check.signing_time == WHEN
    assert not portals.verify_xades_detached(xml, original + b" ").intact


def test_pades_adds_an_approval_signature(pki, original):
    signed = pades(original, pki["tredje"], "Leder")
    assert signed.startswith(original)
    [signature] = signatures(signed)
    assert signature.field_name == "Leder" and signature.docmdp_level is None
    status = validate(signature, pki["bank"])
    assert status.intact and status.valid and status.trusted
    assert read_pdf_id(pikepdf.open(io.BytesIO(signed))) == read_pdf_id(pikepdf.open(io.BytesIO(original)))


# --- Posten signering ---------------------------------------------------------------------------

def test_posten_makes_a_cover_page_and_a_footer_on_every_page(posten, tmp_path, document_id):
    pdf = pikepdf.open(io.BytesIO(posten["xades"]))
    assert len(pdf.pages) == 3
    assert all([round(float(v)) for v in page.mediabox] == [0, 0, 595, 842] for page in pdf.pages)
    cover = page_text(posten["xades"], tmp_path, 1)
    assert "Dette dokumentet er signert digitalt av følgende undertegnere:" in cover
    assert "Øystein Sykehjem (01043100358), signert 15.03.2027 med BankID" in cover
    assert "Per Olav Helse, signert 15.03.2027 med BankID" in cover
    assert "Dokumentet er forseglet av Posten Norge" in cover
    for number in (2, 3):
        text = page_text(posten["xades"], tmp_path, number)
        assert f"Side {number - 1} av 2" in text and identity.footer_text(document_id) in text
        assert "Dokumentet er signert digitalt av:" in text and "Per Olav Helse, 15.03.2027" in text
        assert "Forseglet av" in text


def test_posten_keeps_the_qr_code_on_the_original_page(posten, tmp_path, document_id):
    import zxingcpp
    from PIL import Image

    path = tmp_path / "posten.pdf"
    path.write_bytes(posten["none"])
    png = subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-f", "3", "-l", "3", str(path)],
                         capture_output=True, check=True).stdout
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [code.text for code in codes] == [document_id.short]


def test_posten_makes_a_new_pdf_a_3b_without_our_xmp(posten, original):
    signed = posten["xades"]
    assert not signed.startswith(original[:-50])
    pdf = pikepdf.open(io.BytesIO(signed))
    assert pdf.pdf_version == "1.7"
    assert pdf.open_metadata().pdfa_status == "3B"
    assert read_pdf_id(pdf) is None
    assert identity.XMP_NS.encode() not in signed


@pytest.mark.parametrize("evidence, suffix, mime", [("xades", ".xml", "/application/xml"),
                                                     ("cms", ".p7s", "/application/pkcs7-signature")])
def test_posten_embeds_each_signers_signature_over_the_original(posten, pki, original, evidence, suffix, mime):
    pdf = pikepdf.open(io.BytesIO(posten[evidence]))
    assert set(pdf.attachments) == {f"Sykehjem, Øystein{suffix}", f"Helse, Per Olav{suffix}"}
    associated = {str(spec.UF) for spec in pdf.Root.AF}
    assert associated == set(pdf.attachments)
    verify = portals.verify_xades_detached if evidence == "xades" else portals.verify_cms_detached
    for name, attached in pdf.attachments.items():
        assert attached.obj.AFRelationship == pikepdf.Name.Data
        assert attached.obj.EF.F.Subtype == pikepdf.Name(mime)
        check = verify(attached.get_file().read_bytes(), original, roots=[pki["bank"].cert])
        assert check.intact and check.trusted
        assert check.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value + suffix == name


def test_posten_without_evidence_has_no_attachments(posten):
    pdf = pikepdf.open(io.BytesIO(posten["none"]))
    assert len(pdf.attachments) == 0 and "/AF" not in pdf.Root
    assert len(signatures(posten["none"])) == 1


def test_posten_certifies_once_with_docmdp(posten, pki):
    [signature] = signatures(posten["xades"])
    assert signature.field_name == "Posten Norge AS"
    assert signature.docmdp_level.name == "NO_CHANGES"
    pdf = pikepdf.open(io.BytesIO(posten["xades"]))
    assert pdf.Root.Perms.DocMDP.Reference[0].TransformParams.P == 1
    status = validate(signature, pki["entrust"])
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE" and status.docmdp_ok
    assert status.signing_cert.subject.native["organization_name"] == "Posten Norge AS"
    assert not validate(signature, pki["bank"]).trusted


# --- a portal's seal on our own PDF, and the hostile relabelling --------------------------------

def test_a_portal_seals_our_pdf_with_attachments_in_one_update(pki, original, tmp_path):
    p7s = cms_detached(original, pki["leder"])
    sealed = portal_sealed(original, pki["penneo"], {"Sykehjem, Øystein.p7s": p7s},
                           evidence_lines=["Signert av", "Øystein Sykehjem, 15.03.2027 (BankID)"])
    assert sealed.startswith(original)
    assert sealed.count(b"%%EOF") == original.count(b"%%EOF") + 1
    pdf = pikepdf.open(io.BytesIO(sealed))
    assert pdf.attachments["Sykehjem, Øystein.p7s"].get_file().read_bytes() == p7s
    assert len(pdf.pages) == 3 and "Øystein Sykehjem, 15.03.2027" in page_text(sealed, tmp_path, 3)
    before = pikepdf.open(io.BytesIO(original))
    assert pdf.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()  # XMP untouched
    [signature] = signatures(sealed)
    assert signature.docmdp_level.name == "FILL_FORMS"
    status = validate(signature, pki["entrust"])
    assert status.intact and status.trusted and status.coverage.name == "ENTIRE_FILE"


def test_relabelled_swaps_the_xmp_id_and_pyhanko_lets_it_pass(pki, original):
    sealed = portal_sealed(original, pki["penneo"])
    hostile = relabelled(sealed, "LA1:Andre+kommune:2027:999:avtale:000000000000:0000")
    assert hostile.startswith(sealed)
    assert read_pdf_id(pikepdf.open(io.BytesIO(hostile))) == "LA1:Andre+kommune:2027:999:avtale:000000000000:0000"
    [signature] = signatures(hostile)
    status = validate(signature, pki["entrust"])
    # What the verifier must catch itself: pyHanko calls the XMP swap a harmless metadata update.
    assert status.intact and status.valid and status.docmdp_ok
    assert status.coverage.name == "ENTIRE_REVISION" and status.modification_level.name == "LTA_UPDATES"


def test_a_signature_after_postens_final_seal_breaks_its_docmdp(posten, pki):
    from pyhanko.sign.general import SigningError

    with pytest.raises(SigningError, match="forbids all changes"):
        pades(posten["none"], pki["tredje"], "Etterpå")
    late = pades(posten["none"], pki["tredje"], "Etterpå", force=True)
    seal, added = signatures(late)
    assert not validate(seal, pki["entrust"]).docmdp_ok
    assert validate(added, pki["bank"]).intact
