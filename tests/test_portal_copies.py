"""`signert` against the signed copies that real portals return, built as their documentation describes
them (tests/portals.py names each source): Posten signering's new PDF with the signers' XAdES (or CMS)
attached and one seal by Posten Norge AS; a portal's seal on our own PDF with the signers' .p7s
attached; a seal with no readable signers, confirmed by HR; BankID names (`CN=Etternavn, Fornavn
Mellomnavn`); a signer whose issuer is not trusted; and an appendix relabelled as the agreement after
it was signed. Each outcome is read from what the tool wrote: signert.json and the kept copies.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import BASIC, write_xlsx
from portals import POSTEN_ORGNR, Authority, cms_detached, pades, portal_sealed, posten_signed, relabelled
from test_signering import YEAR, cli, files_of, fill_in

from generator.archive import fiks

F = {"f": fiks.NS, "m": fiks.MDK}

pytestmark = pytest.mark.slow  # LibreOffice makes the copies for signing

LEADER, SUPERIOR = "Øystein Sykehjem", "Per Helse"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Leader 210's copies for signing, and the certificates: BankID for the people, Entrust for Posten's seal."""
    root = tmp_path_factory.mktemp("portaler")
    book = write_xlsx(root / "bok.xlsx", BASIC)
    out = root / "ut"
    assert cli("generer", book, "--ut", out, "--ingen-pdf", "--leder", "210").exit_code == 0
    for entry in files_of(out, "210").values():
        fill_in(out / YEAR / entry["sti"])
    done = cli("signering", book, "--ut", out, "--leder", "210")
    assert done.exit_code == 0, done.output
    copies = {rolle: (out / YEAR / e["sti"]).read_bytes() for (rolle, _), e in files_of(out, "210", "signering").items()}
    bankid = Authority("BankID - TestBank1 - Bank CA", issuer=Authority("BankID Root CA"))
    entrust = Authority("Entrust Class 3 Client CA - SHA256", issuer=Authority("Entrust Test Root"))
    people = {
        # The register's full names, surnames first, as a BankID certificate has them: a middle name the
        # workbook leaves out, and a double surname of which the workbook has the first.
        LEADER: bankid.bankid_person("Sykehjem", "Øystein Andreas"),
        SUPERIOR: bankid.bankid_person("Helse Berg", "Per"),
    }
    tillit = root / "tillit"
    bankid.root.write(tillit)
    entrust.root.write(tillit)
    return {"root": root, "book": book, "out": out, "copies": copies, "people": people, "bankid": bankid,
            "posten": entrust.seal("Posten Norge AS", POSTEN_ORGNR), "tillit": tillit,
            "scrive": Authority("Scrive Test CA").seal("Scrive AB", "999999999")}  # a made-up number


def read(made, tmp_path: Path, files: dict[str, bytes], *extra) -> tuple:
    """`signert` on a folder holding `files`, into a copy of the output folder; (result, 210's record, out)."""
    out = tmp_path / "ut"
    shutil.copytree(made["out"], out)
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    done = cli("signert", made["book"], inbox, "--ut", out, *extra)
    signed = out / YEAR / "signert.json"
    record = json.loads(signed.read_text(encoding="utf-8")).get("210", {}) if signed.exists() else {}
    return done, record, out


def test_posten_signering_with_both_signers_embedded_is_signed_and_kept_byte_for_byte(made, tmp_path):
    people = [made["people"][LEADER], made["people"][SUPERIOR]]
    files = {"dokument-1.pdf": posten_signed(made["copies"]["avtale"], people, made["posten"], evidence="xades"),
             "dokument-2.pdf": posten_signed(made["copies"]["vedlegg"], people, made["posten"], evidence="cms")}
    done, record, out = read(made, tmp_path, files, "--tillit", made["tillit"])
    assert done.exit_code == 0, done.output
    for rolle, name in (("avtale", "dokument-1.pdf"), ("vedlegg", "dokument-2.pdf")):
        document = record[rolle]
        assert document["status"] == "signert", document
        assert sorted((s["navn"], s["gyldig"], s["klarert"]) for s in document["signaturer"]) == [
            ("Helse Berg, Per", True, True), ("Sykehjem, Øystein Andreas", True, True)]
        assert (document["forsegling"]["navn"], document["forsegling"]["klarert"]) == ("Posten Norge AS", True)
        assert not any("Posten" in line or "ikke part" in line for line in document["advarsler"])
        assert (out / YEAR / document["fil"]).read_bytes() == files[name]
    # Archived as final, byte for byte, as the PDF/A-3b Posten made it (PRONOM fmt/480, the file's own claim).
    archived = cli("arkiv", made["book"], "--ut", out)
    # 100 and 200 have a Signert date in the workbook but no documents in this folder: those are what fail.
    failed = archived.output.split("Noen dokumenter kom ikke med i arkivpakken:")[1]
    assert archived.exit_code == 3 and "210" not in failed and "100 Kari Direktør" in failed
    assert "PDF/A-3b, fmt/480 (slik filen selv oppgir)" in archived.output
    melding = ET.parse(out / YEAR / "arkiv" / "fiks" / "210" / "arkivmelding.xml").getroot()
    registrering = melding.find("f:registrering", F)
    assert registrering.findtext("f:journalstatus/m:kode", namespaces=F) == "F"
    objects = registrering.findall(".//f:dokumentobjekt", F)
    # The Fiks code is PDF, as in KS' supported examples (fiks-protokoll-validator,
    # TestCases/no.ks.fiks.arkiv.v1/NyJournalpostN1/arkivmelding.xml); the file's own claim in formatDetaljer.
    assert [o.findtext("f:format/m:kode", namespaces=F) for o in objects] == ["PDF", "PDF"]
    assert [o.findtext("f:formatDetaljer", namespaces=F) for o in objects] == ["PDF/A-3b (fmt/480)"] * 2
    assert {o.findtext("f:sjekksum", namespaces=F) for o in objects} == {hashlib.sha256(d).hexdigest()
                                                                         for d in files.values()}


def test_a_seal_on_our_own_pdf_with_the_signers_p7s_attached_is_signed(made, tmp_path):
    original = made["copies"]["avtale"]
    evidence = {f"{name}.p7s": cms_detached(original, person) for name, person in made["people"].items()}
    sealed = portal_sealed(original, made["scrive"], evidence)
    done, record, _ = read(made, tmp_path, {"signert.pdf": sealed})
    assert done.exit_code == 0, done.output
    assert record["avtale"]["status"] == "signert"
    assert record["avtale"]["forsegling"]["navn"] == "Scrive AB"
    assert sorted(s["navn"] for s in record["avtale"]["signaturer"]) == ["Helse Berg, Per", "Sykehjem, Øystein Andreas"]
    # A signer's .p7s over another document than the one sealed does not count.
    wrong = {f"{LEADER}.p7s": cms_detached(original, made["people"][LEADER]),
             f"{SUPERIOR}.p7s": cms_detached(made["copies"]["vedlegg"], made["people"][SUPERIOR])}
    done, record, _ = read(made, tmp_path / "feil", {"signert.pdf": portal_sealed(original, made["scrive"], wrong)})
    assert record["avtale"]["status"] == "delvis signert"
    assert any("teller ikke: den gjelder et annet dokument" in line for line in record["avtale"]["advarsler"])


def test_a_seal_without_readable_signers_waits_for_hr_to_confirm(made, tmp_path):
    people = [made["people"][LEADER], made["people"][SUPERIOR]]
    sealed = posten_signed(made["copies"]["avtale"], people, made["posten"], evidence="none")
    done, record, out = read(made, tmp_path, {"dokument.pdf": sealed})
    assert record["avtale"]["status"] == "delvis signert"
    assert record["avtale"]["advarsler"][0].startswith(
        "forseglet av Posten signering (Posten Norge AS); undertegnerne kunne ikke leses fra filen")
    assert record["avtale"]["signaturer"] == [] and record["avtale"]["forsegling"]["navn"] == "Posten Norge AS"
    nothing = cli("signert", made["book"], "--ut", out)
    assert nothing.exit_code == 2 and "Oppgi MAPPE" in nothing.output
    confirmed = cli("signert", made["book"], "--ut", out, "--bekreft", "210")
    assert confirmed.exit_code == 0, confirmed.output
    document = json.loads((out / YEAR / "signert.json").read_text(encoding="utf-8"))["210"]["avtale"]
    assert document["status"] == "signert"
    assert f"HR bekreftet at {LEADER} og {SUPERIOR} har signert lederavtalen" in document["bekreftet"]
    assert "forseglet av Posten Norge AS" in document["bekreftet"] and document["fil"] in document["bekreftet"]
    assert "Bekreftet:" in confirmed.output
    # Read again, the confirmation stands for these very bytes.
    again = cli("signert", made["book"], tmp_path / "innboks", "--ut", out)
    assert json.loads((out / YEAR / "signert.json").read_text(encoding="utf-8"))["210"]["avtale"]["status"] == "signert"
    assert again.exit_code == 0


def test_hr_confirms_a_sealed_copy_on_the_web_page(made, tmp_path):
    from test_web import Server, csrf_of, wait_for_job

    people = [made["people"][LEADER], made["people"][SUPERIOR]]
    sealed = posten_signed(made["copies"]["avtale"], people, made["posten"], evidence="none")
    read(made, tmp_path, {"dokument.pdf": sealed})
    shutil.copy(made["book"], tmp_path / "eksempel.xlsx")  # what the server is started on
    server = Server(tmp_path)
    try:
        with server.client() as hr:
            assert hr.get(server.url).status_code == 303
            page = hr.get("/signering").text
            assert "Forseglet av Posten Norge AS" in page and "undertegnerne kunne ikke leses fra filen" in page
            assert f"Bekreft at {LEADER} og {SUPERIOR} har signert" in page and "--bekreft" not in page
            done = hr.post("/signering/bekreft", data={"csrf": csrf_of(page), "ansattnr": "210"})
            assert done.status_code == 303
            wait_for_job(hr)
            page = hr.get("/signering").text
        assert "HR bekreftet at" in page and "Bekreft at" not in page
        record = json.loads((tmp_path / "ut" / YEAR / "signert.json").read_text(encoding="utf-8"))["210"]["avtale"]
        assert record["status"] == "signert" and record["bekreftet"]
    finally:
        server.stop()


def test_with_trust_roots_a_signer_from_another_issuer_is_never_final(made, tmp_path):
    rogue = Authority("BankID - TestBank1 - Bank CA")  # the same name, another key
    impostor = rogue.bankid_person("Helse Berg", "Per")
    signed = pades(pades(made["copies"]["avtale"], made["people"][LEADER], "Leder"), impostor, "Overordnet")
    done, record, _ = read(made, tmp_path, {"avtale.pdf": signed}, "--tillit", made["tillit"])
    assert record["avtale"]["status"] == "delvis signert"
    assert any(line.startswith(f"{SUPERIOR} har signert (Helse Berg, Per), men utstederen av sertifikatet") and
               "ikke blant de klarerte" in line for line in record["avtale"]["advarsler"])


def copy_for_signing(made, rolle: str = "avtale") -> dict:
    """Leader 210's copy for signing as the manifest records it (its full ID and the short ID it carries)."""
    return files_of(made["out"], "210", "signering")[(rolle, "pdf")]


@pytest.mark.parametrize("form", ["kort_id", "dokument_id"])
def test_an_appendix_relabelled_as_the_agreement_after_signing_is_refused(made, tmp_path, form):
    people = made["people"]
    appendix = pades(pades(made["copies"]["vedlegg"], people[LEADER], "Leder"), people[SUPERIOR], "Overordnet")
    agreement_id = copy_for_signing(made)[form]  # the agreement's ID as the copy carries it, or in full
    done, record, _ = read(made, tmp_path, {"avtale.pdf": relabelled(appendix, agreement_id)})
    assert done.exit_code == 3
    assert "dokument-ID-en er endret etter signeringen" in done.output and agreement_id in done.output
    assert record == {}  # neither recorded as the agreement, nor at all


def _with_a_field(data: bytes) -> bytes:
    """Our PDF with an empty text field on page 1 (a form to fill in after signing)."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        field = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("Journalført"),
            Rect=[50, 50, 250, 70], F=4, P=pdf.pages[0].obj))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([field]))
        pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array([field])))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def _filled_in(data: bytes) -> bytes:
    """The field filled in as an incremental update, as a PDF reader saves a filled form."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    field = writer.root["/AcroForm"]["/Fields"][0].get_object()
    field[generic.NameObject("/V")] = generic.pdf_string("2027/123-4")
    writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_change_the_certification_permits_is_accepted_and_named(made):
    """A form field filled in after a seal that permits form filling (DocMDP 2) is no reason to refuse the
    copy, but it is said; after a seal that permits no change (DocMDP 1), the same is refused."""
    from generator.signing.verify import read_signatures

    form = _with_a_field(made["copies"]["avtale"])
    lenient = read_signatures(_filled_in(portal_sealed(form, made["scrive"], docmdp="FILL_FORMS")))
    assert lenient.feil == []
    assert lenient.signaturer[0].merknad == "skjemafelt er fylt ut etter signeringen (sertifiseringen tillater det)"
    strict = read_signatures(_filled_in(portal_sealed(form, made["scrive"], docmdp="NO_CHANGES")))
    assert strict.feil and "endret etter signeringen" in strict.feil[0]


def test_a_signed_file_without_our_id_names_who_signed_it(made, tmp_path):
    from portals import our_pdf

    foreign = pades(our_pdf("Et annet dokument"), made["people"][LEADER], "Leder")
    done, record, _ = read(made, tmp_path, {"annet.pdf": foreign})
    assert done.exit_code == 3 and record == {}
    assert "har ingen dokument-ID" in done.output and "signert av Sykehjem, Øystein Andreas (" in done.output


def test_many_copies_are_read_in_worker_processes_with_the_same_outcome(made, tmp_path, monkeypatch):
    """From PARALLEL_FROM files on, the copies are read in spawned worker processes (as on Windows); what
    is recorded and refused is the same as when they are read one by one."""
    from portals import our_pdf

    from generator.signing import received as signed

    monkeypatch.setattr(signed, "PARALLEL_FROM", 2)
    people = [made["people"][LEADER], made["people"][SUPERIOR]]
    files = {"a.pdf": posten_signed(made["copies"]["avtale"], people, made["posten"]),
             "b.pdf": posten_signed(made["copies"]["vedlegg"], people, made["posten"], evidence="cms"),
             "c.pdf": pades(our_pdf("Et annet dokument"), made["people"][LEADER], "Leder"),
             "d.pdf": b"%PDF-1.7 ikke en hel fil"}
    done, record, _ = read(made, tmp_path, files, "--tillit", made["tillit"])
    assert (record["avtale"]["status"], record["vedlegg"]["status"]) == ("signert", "signert")
    assert done.exit_code == 3 and "c.pdf: den digitalt signerte filen har ingen dokument-ID" in done.output
    assert "d.pdf: " in done.output and "Traceback" not in done.output


@pytest.mark.parametrize("other", ["full", "kort"])
def test_a_copy_whose_qr_code_and_metadata_disagree_is_refused(made, tmp_path, other):
    """The copy for signing with another document's ID put in its metadata before it was signed (another
    leader's full ID, or the short ID of 210's own appendix): the QR code on the signature page still names
    leader 210's agreement."""
    import io

    import pikepdf

    from generator.documents.identity import make_id, set_pdf_id

    if other == "full":
        other = str(make_id("Testvik kommune", "", 2027, "211", "avtale", "0" * 12))
    else:
        other = copy_for_signing(made, "vedlegg")["kort_id"]
    with pikepdf.open(io.BytesIO(made["copies"]["avtale"])) as pdf:
        set_pdf_id(pdf, other)
        relabelled_before = io.BytesIO()
        pdf.save(relabelled_before)
    people = made["people"]
    signed = pades(pades(relabelled_before.getvalue(), people[LEADER], "Leder"), people[SUPERIOR], "Overordnet")
    done, record, _ = read(made, tmp_path, {"avtale.pdf": signed})
    assert done.exit_code == 3 and record == {}
    assert f"QR-koden på sidene («{copy_for_signing(made)['kort_id']}») og metadataene («{other}»)" in done.output
    assert "har forskjellige dokument-ID-er" in done.output


def test_a_scan_uploaded_on_the_page_takes_the_date_given_there(made, tmp_path):
    """Leader 210 has no Signert date in the workbook: the Signering page's date field gives the scan its date."""
    import subprocess

    import img2pdf

    from test_web import Server, csrf_of, wait_for_job

    pages = tmp_path / "sider"
    pages.mkdir()
    (tmp_path / "kopi.pdf").write_bytes(made["copies"]["avtale"])
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-jpeg", str(tmp_path / "kopi.pdf"), str(pages / "s")], check=True)
    scan = img2pdf.convert(sorted(str(p) for p in pages.iterdir()))
    shutil.copytree(made["out"], tmp_path / "ut")
    shutil.copy(made["book"], tmp_path / "eksempel.xlsx")
    server = Server(tmp_path)
    try:
        with server.client() as hr:
            hr.get(server.url)
            page = hr.get("/signering").text
            assert 'type="date"' in page
            bad = hr.post("/signering/signerte", data={"csrf": csrf_of(page), "dato": "31.02.2027"},
                          files=[("signerte", ("skann.pdf", scan, "application/pdf"))])
            assert bad.status_code == 400 and "er ikke en dato" in bad.text
            sent = hr.post("/signering/signerte", data={"csrf": csrf_of(page), "dato": "2027-03-03"},
                           files=[("signerte", ("skann.pdf", scan, "application/pdf"))])
            assert sent.status_code == 303
            wait_for_job(hr)
    finally:
        server.stop()
    record = json.loads((tmp_path / "ut" / YEAR / "signert.json").read_text(encoding="utf-8"))["210"]["avtale"]
    assert (record["type"], record["dato"], record["status"]) == ("skann", "2027-03-03", "signert")


# --- copies carrying a document ID the short ID's way, or the way documents made before it carried it ---

def test_a_copy_made_before_short_ids_is_matched_by_its_full_id(made, tmp_path):
    """A copy for signing made before this version carries the full ID (LA1:…) in its footer, QR code and XMP:
    signed, and scanned on paper, it still finds its document."""
    from portals import our_pdf
    from test_signing import scanned_pages

    from generator.documents.identity import parse_id

    full = copy_for_signing(made)["dokument_id"]
    old = our_pdf("Lederavtale 2027", pages=2, document_id=parse_id(full))
    signed = pades(pades(old, made["people"][LEADER], "Leder"), made["people"][SUPERIOR], "Overordnet")
    done, record, _ = read(made, tmp_path / "e", {"gammel.pdf": signed}, "--tillit", made["tillit"])
    assert done.exit_code == 0, done.output
    assert (record["avtale"]["status"], record["avtale"]["dokument_id"]) == ("signert", full)
    appendix_full = copy_for_signing(made, "vedlegg")["dokument_id"]
    done, record, _ = read(made, tmp_path / "s", {"skann.pdf": scanned_pages([appendix_full])}, "--dato", "03.03.2027")
    assert done.exit_code == 0, done.output
    assert (record["vedlegg"]["type"], record["vedlegg"]["dokument_id"]) == ("skann", appendix_full)


def test_a_copy_with_a_short_id_this_year_folder_never_gave_is_refused(made, tmp_path):
    """Signed, or scanned: a short ID made in another output folder (another key) names no document here."""
    from portals import our_pdf
    from test_signing import scanned_pages

    from dataclasses import replace

    from generator.documents.identity import parse_id, short_id

    full = parse_id(copy_for_signing(made)["dokument_id"])
    elsewhere = replace(full, short=short_id(full, bytes(32)))
    signed = pades(pades(our_pdf(document_id=elsewhere), made["people"][LEADER], "Leder"),
                   made["people"][SUPERIOR], "Overordnet")
    done, record, _ = read(made, tmp_path / "e", {"annen.pdf": signed, "skann.pdf": scanned_pages([elsewhere.short])},
                           "--dato", "03.03.2027")
    assert done.exit_code == 3 and record == {}
    output = " ".join(done.output.split())
    assert (f"annen.pdf: hører ikke til denne arbeidsboken: dokument-ID-en {elsewhere.short} er ikke laget i denne "
            "årsmappen") in output
    assert (f"skann.pdf: hører ikke til denne arbeidsboken: QR-koden på side 1: dokument-ID-en {elsewhere.short} er "
            "ikke laget i denne årsmappen") in output
