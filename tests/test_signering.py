"""Document identity in what `generer` writes, and `signering`: the final copies made from the edited .docx.

The IDs are read back the ways a signed copy will be read: the custom property (python-docx), the footer
text, the QR picture decoded with zxing-cpp, the PDF's XMP (pikepdf) and its text (pdftotext).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pikepdf
import pytest
import zxingcpp
from click.testing import CliRunner
from lxml import etree
from PIL import Image

from conftest import BASIC, basic_sheets, write_xlsx
from generator.cli import main
from generator.documents import stamp
from generator.documents.identity import IdRegister, docx_id_text, format_id, make_id, parse_id, read_pdf_id
from generator.documents.placeholders import MARKS
from generator.documents.render import DocxRenderer
from generator.documents.template import PreparedTemplate
from generator.store.manifest import Manifest, issued_ids
from generator.store.year import ID_KEY_NAME

YEAR = "2027"
SHORT = re.compile(r"LA2-2027-[0-9A-HJKMNP-TV-Z]{12}-[0-9A-HJKMNP-TV-Z]{2}")
KEY = bytes(range(32))


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def manifest(out: Path) -> dict:
    return json.loads((out / YEAR / "manifest.json").read_text(encoding="utf-8"))


def files_of(out: Path, ansattnr: str, fase: str = "") -> dict[tuple[str, str], dict]:
    return {(f["rolle"], f["format"]): f for f in manifest(out)["ledere"][ansattnr]["filer"] if f["fase"] == fase}


def footer_texts(document) -> list[str]:
    return ["\n".join(p.text for p in section.footer.paragraphs) + "".join(
        t.text or "" for t in section.footer._element.iter("{%s}t" % stamp.W)) for section in document.sections]


def qr_in_docx(path: Path) -> list[str]:
    """What every QR picture named by documents.stamp decodes to."""
    with zipfile.ZipFile(path) as zf:
        body = zf.read("word/document.xml").decode()
        rid = stamp.qr_rid(body)
        rels = zf.read("word/_rels/document.xml.rels").decode()
        target = next(part for part in rels.split("<Relationship ") if f'Id="{rid}"' in part).split('Target="')[1]
        png = zf.read("word/" + target.split('"')[0])
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def fill_in(path: Path, text: str = "Skrevet inn i samtalen") -> int:
    """Replace every placeholder paragraph of a .docx with `text`, as a person in Word would."""
    document = docx.Document(str(path))
    count = 0
    paragraphs = list(document.paragraphs) + [p for table in document.tables for row in table.rows
                                              for cell in row.cells for p in cell.paragraphs]
    for paragraph in paragraphs:
        if any(mark in paragraph.text for mark in MARKS):
            for run in paragraph.runs:
                run.text = ""
            paragraph.runs[0].text = f"{text} {count}"
            count += 1
    document.save(str(path))
    return count


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("signering")
    book = write_xlsx(root / "bok.xlsx", BASIC)
    result = cli("generer", book, "--ut", root / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    return book, root / "ut"


def test_every_document_carries_its_id_in_footer_qr_and_properties(generated):
    _, out = generated
    register = IdRegister(issued_ids(Manifest.load(out / YEAR).ledere), 2027)
    for ansattnr in ("100", "210"):
        for (rolle, fmt), entry in files_of(out, ansattnr).items():
            path = out / YEAR / entry["sti"]
            # The manifest keeps the full ID, the record of which document it is ...
            document_id = parse_id(entry["dokument_id"])
            assert (document_id.ansattnr, document_id.ar, document_id.kind) == (ansattnr, 2027, rolle)
            assert document_id.kommune == "Testvik kommune"
            # ... and the document carries the short ID, which the manifest resolves to it.
            short = entry["kort_id"]
            assert SHORT.fullmatch(short) and manifest(out)["ledere"][ansattnr]["ider"][short] == entry["dokument_id"]
            assert register.read(short) == document_id
            document = docx.Document(str(path))
            assert docx_id_text(document) == short
            assert all(f"Dokument-ID {short}" in text for text in footer_texts(document))
            assert qr_in_docx(path) == [short]
            with zipfile.ZipFile(path) as zf:
                parts = [zf.read(name).decode("utf-8") for name in zf.namelist() if name.endswith(".xml")]
            assert not any("LA1:" in part for part in parts)  # neither the full ID nor the template's sentinel


def test_the_version_follows_the_content(generated, tmp_path):
    _, out = generated
    entry = files_of(out, "210")[("avtale", "docx")]
    data = (out / YEAR / entry["sti"]).read_bytes()
    version = parse_id(entry["dokument_id"]).version
    key = Manifest.load(out / YEAR).id_key()

    def make(v):
        return make_id("Testvik kommune", "", 2027, "210", "avtale", v, key)

    again, same = stamp.restamp_docx(data, "avtale", make)
    assert same.version == version  # nothing edited: the draft's version, and its short ID
    assert same.short == entry["kort_id"] and format_id(same) == entry["dokument_id"]
    edited = tmp_path / "endret.docx"
    edited.write_bytes(data)
    assert fill_in(edited) > 0
    restamped, new = stamp.restamp_docx(edited.read_bytes(), "avtale", make)
    assert new.version != version
    (tmp_path / "ny.docx").write_bytes(restamped)
    document = docx.Document(str(tmp_path / "ny.docx"))
    assert new.short != same.short
    assert docx_id_text(document) == new.short
    assert all(f"Dokument-ID {new.short}" in text and same.short not in text for text in footer_texts(document))
    assert qr_in_docx(tmp_path / "ny.docx") == [new.short]
    with zipfile.ZipFile(tmp_path / "ny.docx") as zf:
        assert "Skrevet inn i samtalen 0" in zf.read("word/document.xml").decode()


def test_a_template_without_the_places_gets_them(tmp_path):
    source = docx.Document()
    source.add_paragraph("Avtale for {{ navn }}")
    source.sections[0].footer.paragraphs[0].text = "Kommunens bunntekst"
    source.save(str(tmp_path / "mal.docx"))
    renderer = DocxRenderer(PreparedTemplate(tmp_path / "mal.docx"), identity=True)
    made = []

    def make(version):
        made.append(make_id("Testvik kommune", "", 2027, "7", "avtale", version, KEY))
        return made[-1]

    data = renderer.render({"navn": "Kari"}, rolle="avtale", make_id=make)
    (tmp_path / "ut.docx").write_bytes(data)
    document = docx.Document(str(tmp_path / "ut.docx"))
    text = docx_id_text(document)
    assert text == made[0].short
    assert IdRegister({text: [format_id(made[0])]}, 2027).read(text).ansattnr == "7"
    assert f"Dokument-ID {text}" in footer_texts(document)[0] and "Kommunens bunntekst" in footer_texts(document)[0]
    assert qr_in_docx(tmp_path / "ut.docx") == [text]
    plain = DocxRenderer(PreparedTemplate(tmp_path / "mal.docx")).render({"navn": "Kari"})
    (tmp_path / "uten.docx").write_bytes(plain)
    assert docx_id_text(docx.Document(str(tmp_path / "uten.docx"))) is None


@pytest.fixture(scope="module")
def signed_round(tmp_path_factory):
    """The BASIC workbook generated, two leaders' documents filled in, `signering` run for three."""
    root = tmp_path_factory.mktemp("signering-kjoring")
    book = write_xlsx(root / "bok.xlsx", BASIC)
    out = root / "ut"
    assert cli("generer", book, "--ut", out, "--ingen-pdf").exit_code == 0
    filled = {}
    for ansattnr in ("100", "210"):
        for (rolle, _), entry in files_of(out, ansattnr).items():
            filled[ansattnr, rolle] = fill_in(out / YEAR / entry["sti"])
    first = cli("signering", book, "--ut", out, "--leder", "100", "--leder", "210", "--leder", "310")
    return book, out, first, filled


@pytest.mark.slow
def test_signering_refuses_a_leader_with_placeholders_and_makes_the_rest(signed_round):
    _, out, first, filled = signed_round
    assert filled["210", "avtale"] and not filled["210", "vedlegg"]  # 210 has goals: nothing to fill in there
    assert first.exit_code == 3, first.output
    assert "310 Liv Skole" in first.output and "felt som ikke er fylt ut" in first.output
    assert "Lederavtale 2027 - Liv Skole.docx" in first.output
    assert not (out / YEAR / "signering" / "310 Liv Skole").exists()
    for ansattnr in ("100", "210"):
        copies = files_of(out, ansattnr, "signering")
        drafts = files_of(out, ansattnr)
        assert set(copies) == {("avtale", "pdf"), ("vedlegg", "pdf")}
        for (rolle, _), entry in copies.items():
            pdf = out / YEAR / entry["sti"]
            assert entry["sti"].startswith("signering/")
            with pikepdf.open(pdf) as opened:
                assert read_pdf_id(opened) == entry["kort_id"]
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
            assert "UTKAST" not in text and "[Fylles ut" not in text
            assert f"Dokument-ID {entry['kort_id']}" in text and "LA1:" not in text
            # Filled in after `generer`: a new version of the same document; untouched: the draft's.
            draft = parse_id(drafts[(rolle, "docx")]["dokument_id"])
            copy = parse_id(entry["dokument_id"])
            assert (copy.ansattnr, copy.kind) == (draft.ansattnr, draft.kind)
            assert (copy.version != draft.version) == bool(filled[ansattnr, rolle])


@pytest.mark.slow
def test_signatarer_csv_lists_both_signers_in_order(signed_round):
    out = signed_round[1]
    raw = (out / YEAR / "signering" / "signatarer.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    by = {(r["Ansattnr"], r["Dokument"]): r for r in rows}
    assert set(by) == {("100", "avtale"), ("100", "vedlegg"), ("210", "avtale"), ("210", "vedlegg")}
    # The kommunedirektør signs with the ordfører; a virksomhetsleder with the kommunalsjef.
    assert (by["100", "avtale"]["Signatar 1"], by["100", "avtale"]["Signatar 2"]) == ("Kari Direktør", "Ola Ordfører")
    assert by["100", "avtale"]["E-post signatar 2"] == "ordforer@testvik.kommune.no"
    assert (by["210", "vedlegg"]["Signatar 1"], by["210", "vedlegg"]["Signatar 2"]) == ("Øystein Sykehjem", "Per Helse")
    assert all((out / YEAR / r["Fil"]).is_file() and r["Rekkefølge"] for r in rows)
    # The ID the copy shows on its pages, as the portal and HR see it.
    assert all(r["Dokument-ID"] == files_of(out, r["Ansattnr"], "signering")[(r["Dokument"], "pdf")]["kort_id"]
               and SHORT.fullmatch(r["Dokument-ID"]) for r in rows)


@pytest.mark.slow
def test_a_rerun_rewrites_only_what_changed_and_never_an_edited_copy(signed_round):
    book, out = signed_round[:2]
    copies = {nr: files_of(out, nr, "signering") for nr in ("100", "210")}
    paths = {nr: out / YEAR / c[("avtale", "pdf")]["sti"] for nr, c in copies.items()}
    before = {nr: (p.read_bytes(), p.stat().st_mtime_ns) for nr, p in paths.items()}
    appendix = out / YEAR / copies["100"][("vedlegg", "pdf")]["sti"]
    appendix_before = appendix.read_bytes()
    # 100's agreement is edited again; a person writes into 210's copy for signing.
    fill_in_more = out / YEAR / files_of(out, "100")[("avtale", "docx")]["sti"]
    document = docx.Document(str(fill_in_more))
    document.add_paragraph("Et tillegg avtalt etter samtalen.")
    document.save(str(fill_in_more))
    paths["210"].write_bytes(before["210"][0] + b"\n% endret\n")
    again = cli("signering", book, "--ut", out, "--leder", "100", "--leder", "210")
    assert again.exit_code == 0, again.output
    assert paths["100"].read_bytes() != before["100"][0]
    assert files_of(out, "100", "signering")[("avtale", "pdf")]["dokument_id"] != copies["100"][("avtale", "pdf")]["dokument_id"]
    assert paths["210"].read_bytes() == before["210"][0] + b"\n% endret\n"  # kept as the person left it
    # The appendix did not change: its copy is not made again.
    assert appendix.read_bytes() == appendix_before
    assert files_of(out, "100", "signering")[("vedlegg", "pdf")] == copies["100"][("vedlegg", "pdf")]
    made = paths["100"].stat().st_mtime_ns
    unchanged = cli("signering", book, "--ut", out, "--leder", "100")
    assert unchanged.exit_code == 0
    assert paths["100"].stat().st_mtime_ns == made


@pytest.mark.slow
def test_an_empty_goals_table_is_refused(tmp_path):
    book = write_xlsx(tmp_path / "bok.xlsx", BASIC)
    out = tmp_path / "ut"
    assert cli("generer", book, "--ut", out, "--ingen-pdf", "--leder", "320").exit_code == 0
    files = files_of(out, "320")
    fill_in(out / YEAR / files[("avtale", "docx")]["sti"])
    appendix = out / YEAR / files[("vedlegg", "docx")]["sti"]
    # The placeholder deleted and nothing written in the goals table.
    document = docx.Document(str(appendix))
    goals = [t for t in document.tables if t.rows[0].cells[0].text.strip() == "Mål"]
    assert len(goals) == 1
    for table in goals:
        for row in table.rows[1:]:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.text = ""
    document.save(str(appendix))
    result = cli("signering", book, "--ut", out)
    assert result.exit_code == 3
    assert "tom tabell for utviklingsmål" in result.output and appendix.name in result.output
    assert not (out / YEAR / "signering" / "320 Nils Barnehage").exists()


@pytest.mark.slow
def test_a_copy_made_before_short_ids_is_made_again_and_a_new_key_remakes_nothing(tmp_path):
    """A copy for signing from before short IDs shows the full ID with the Ansattnr: `signering` makes it again.
    A lost key makes no copy again: the short ID the copy carries is still the manifest's."""
    from dataclasses import replace

    book = write_xlsx(tmp_path / "bok.xlsx", BASIC)
    out = tmp_path / "ut"
    assert cli("generer", book, "--ut", out, "--ingen-pdf", "--leder", "210").exit_code == 0
    for entry in files_of(out, "210").values():
        fill_in(out / YEAR / entry["sti"])
    assert cli("signering", book, "--ut", out, "--leder", "210").exit_code == 0
    copy = files_of(out, "210", "signering")[("avtale", "pdf")]
    path = out / YEAR / copy["sti"]
    made = path.stat().st_mtime_ns

    (out / YEAR / ID_KEY_NAME).unlink()
    assert cli("signering", book, "--ut", out, "--leder", "210").exit_code == 0
    assert path.stat().st_mtime_ns == made and files_of(out, "210", "signering")[("avtale", "pdf")] == copy

    # As a manifest from before short IDs records the copy: no short ID.
    manifest_now = Manifest.load(out / YEAR)
    old = manifest_now.ledere["210"].file("avtale", "pdf", "signering")
    manifest_now.ledere["210"].set_file(replace(old, kort_id=""))
    manifest_now.save()
    again = cli("signering", book, "--ut", out, "--leder", "210")
    assert again.exit_code == 0, again.output
    remade = files_of(out, "210", "signering")[("avtale", "pdf")]
    assert path.stat().st_mtime_ns != made and remade["dokument_id"] == copy["dokument_id"]
    assert SHORT.fullmatch(remade["kort_id"]) and remade["kort_id"] != copy["kort_id"]  # under the new key
    with pikepdf.open(path) as opened:
        assert read_pdf_id(opened) == remade["kort_id"]
    register = IdRegister(issued_ids(Manifest.load(out / YEAR).ledere), 2027)
    assert register.read(copy["kort_id"]) == register.read(remade["kort_id"]) == parse_id(copy["dokument_id"])


# --- what a public agreement shows (README, «Dokument-ID») -------------------------------------------

PRIVATE = ("4711", "HR-77k")  # Nils Barnehage's Ansattnr made four digits, Berit Avdeling's one with letters


@pytest.fixture(scope="module")
def public_agreements(tmp_path_factory) -> Path:
    """The agreements of two leaders whose Ansattnr would be easy to spot, as PDFs too (LibreOffice)."""
    root = tmp_path_factory.mktemp("offentlig")
    sheets = basic_sheets()
    renamed = {320: 4711, 211: "HR-77k"}
    for row in sheets["Ledere"][1:]:
        row[0] = renamed.get(row[0], row[0])
    book = write_xlsx(root / "bok.xlsx", sheets)
    out = root / "ut"
    # The year folder's key, fixed: the same document gets the same short ID in every run of the test.
    (out / YEAR).mkdir(parents=True)
    (out / YEAR / ID_KEY_NAME).write_text(bytes(range(100, 132)).hex(), encoding="ascii")
    result = cli("generer", book, "--ut", out, "--leder", "4711", "--leder", "HR-77k")
    assert result.exit_code == 0, result.output
    return out


def _footer_xml_texts(path: Path) -> list[str]:
    """Each footer part's text as Word holds it: the text of its w:t elements, paragraph by paragraph."""
    texts = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if re.fullmatch(r"word/footer\d*\.xml", name):
                root = etree.fromstring(zf.read(name))
                texts += ["".join(t.text or "" for t in p.iter(f"{{{stamp.W}}}t"))
                          for p in root.iter(f"{{{stamp.W}}}p")]
    return [text for text in texts if text]


@pytest.mark.slow
@pytest.mark.parametrize("ansattnr", PRIVATE)
def test_a_public_agreement_shows_neither_the_ansattnr_nor_a_plus(public_agreements, ansattnr):
    out = public_agreements
    files = files_of(out, ansattnr)
    docx_entry, pdf_entry = files[("avtale", "docx")], files[("avtale", "pdf")]
    assert docx_entry["offentlig"] and pdf_entry["offentlig"]
    short = docx_entry["kort_id"]
    assert SHORT.fullmatch(short) and pdf_entry["kort_id"] == short
    assert parse_id(docx_entry["dokument_id"]).ansattnr == ansattnr  # the manifest keeps whose it is

    # The footer as the .docx holds it: the ID line is the short ID, and no footer line has the Ansattnr or a «+».
    path = out / YEAR / docx_entry["sti"]
    footer = _footer_xml_texts(path)
    assert f"Dokument-ID {short}" in footer
    assert not [line for line in footer if ansattnr in line or "+" in line], footer
    assert docx_id_text(docx.Document(str(path))) == short and qr_in_docx(path) == [short]

    # The PDF as it prints: every page's ID line is the short ID; nowhere the Ansattnr, a «+» or the full ID.
    pdf = out / YEAR / pdf_entry["sti"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    lines = [line.strip() for page in pages for line in page.splitlines() if "Dokument-ID" in line]
    assert lines == [f"Dokument-ID {short}"] * len(pages)
    assert ansattnr not in text and "+" not in text and "LA1" not in text
    with pikepdf.open(pdf) as opened:
        assert read_pdf_id(opened) == short
        xmp = bytes(opened.Root.Metadata.read_bytes()).decode("utf-8")
    assert ansattnr not in xmp and docx_entry["dokument_id"] not in xmp

    # The QR code on the signature page, read from the printed page, names the document through the manifest.
    image = subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", str(len(pages)), "-l", str(len(pages)),
                            "-singlefile", str(pdf)], capture_output=True, check=True).stdout
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [code.text for code in codes] == [short]
    register = IdRegister(issued_ids(Manifest.load(out / YEAR).ledere), 2027)
    found = register.read(codes[0].text)
    assert (found.ansattnr, found.kind, format_id(found)) == (ansattnr, "avtale", docx_entry["dokument_id"])
