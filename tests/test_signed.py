"""`signert`: the copies made by `signering`, signed with pyHanko by a throwaway CA or scanned, read back.

Each outcome is read from what the tool wrote: signert.json, the kept copies (byte for byte),
rapport.xlsx (openpyxl).
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import img2pdf
import openpyxl
import pikepdf
import pytest
from PIL import Image

from conftest import BASIC, write_xlsx
from generator.documents.identity import make_id, set_pdf_id
from test_signering import YEAR, cli, files_of, fill_in
from test_signing import Pki, sign, small_pdf

pytestmark = pytest.mark.slow


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def scanned(pdf: Path, folder: Path) -> bytes:
    """The PDF printed and scanned: pages rendered to images, back into a PDF with no text layer."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(folder / "side")], check=True)
    return img2pdf.convert(sorted(str(p) for p in folder.glob("side*.png")))


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("signert")
    book = write_xlsx(root / "bok.xlsx", BASIC)
    out = root / "ut"
    assert cli("generer", book, "--ut", out, "--ingen-pdf", "--leder", "100", "--leder", "210").exit_code == 0
    for ansattnr in ("100", "210"):
        for entry in files_of(out, ansattnr).values():
            fill_in(out / YEAR / entry["sti"])
    made = cli("signering", book, "--ut", out, "--leder", "100", "--leder", "210")
    assert made.exit_code == 0, made.output
    copies = {(nr, rolle): (out / YEAR / e["sti"]).read_bytes()
              for nr in ("100", "210") for (rolle, _), e in files_of(out, nr, "signering").items()}
    ca = Pki(root)
    people = {name: ca.signer(*name.split()) for name in
              ("Øystein Sykehjem", "Per Helse", "Kari Direktør", "Tore Tredje")}
    inbox = root / "innboks"
    (inbox / "portal" / "under").mkdir(parents=True)
    pair = sign(sign(copies["210", "avtale"], people["Øystein Sykehjem"], "Leder"), people["Per Helse"], "Overordnet")
    only_leader = sign(copies["210", "vedlegg"], people["Øystein Sykehjem"], "Leder")
    third = sign(sign(copies["100", "avtale"], people["Kari Direktør"], "Leder"), people["Tore Tredje"], "Vitne")
    tampered = bytearray(pair)
    at = tampered.find(b"Testvik")
    tampered[at:at + 7] = b"Tostvik"
    other = io.BytesIO()
    with pikepdf.open(io.BytesIO(small_pdf())) as pdf:
        set_pdf_id(pdf, make_id("Annenvik kommune", "", 2027, "210", "avtale", "0" * 12))
        pdf.save(other)
    foreign = sign(other.getvalue(), people["Øystein Sykehjem"], "Leder")
    scan_folder = root / "skann"
    scan_folder.mkdir()
    signering_pdf = out / YEAR / files_of(out, "100", "signering")[("vedlegg", "pdf")]["sti"]
    scan = scanned(signering_pdf, scan_folder)
    files = {"portal/dokument-1.pdf": pair, "portal/under/a.pdf": only_leader, "kd.pdf": third,
             "endret.pdf": bytes(tampered), "annen kommune.pdf": foreign, "IMG_0001.pdf": scan,
             "portal/bare-leder-avtale.pdf": sign(copies["210", "avtale"], people["Øystein Sykehjem"], "Leder"),
             "usignert.pdf": copies["210", "vedlegg"]}
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    (inbox / "les meg.txt").write_text("ikke en PDF")
    first = cli("signert", book, inbox, "--ut", out, "--dato", "03.03.2027")
    return {"book": book, "out": out, "inbox": inbox, "ca": ca, "root": root, "files": files, "first": first,
            "record_path": out / YEAR / "signert.json"}


def record(rt) -> dict:
    return json.loads(rt["record_path"].read_text(encoding="utf-8"))


def test_outcomes_without_trust_roots(round_trip):
    rt = round_trip
    first = rt["first"]
    assert first.exit_code == 3, first.output
    assert "endret.pdf" in first.output and "ugyldig" in first.output
    assert "annen kommune.pdf" in first.output and "Annenvik kommune" in first.output
    assert "ikke kontrollert mot en klarert utsteder" in first.output
    assert "usignert.pdf: PDF-en er ikke signert" in first.output  # the copy for signing itself
    data = record(rt)
    agreement = data["210"]["avtale"]
    assert (agreement["type"], agreement["status"]) == ("e-signatur", "signert")
    assert [s["navn"] for s in agreement["signaturer"]] == ["Øystein Sykehjem", "Per Helse"]
    assert all(s["gyldig"] and not s["klarert"] and s["tidspunkt"] for s in agreement["signaturer"])
    assert agreement["sha256"] == sha(rt["files"]["portal/dokument-1.pdf"])
    assert agreement["kilde"] == "portal/dokument-1.pdf"
    assert any("bare-leder-avtale.pdf" in line for line in agreement["andre"])  # the newest full one is kept
    kept = rt["out"] / YEAR / agreement["fil"]
    assert kept.name.endswith(" (signert).pdf") and kept.read_bytes() == rt["files"]["portal/dokument-1.pdf"]
    assert kept.parent.name == "210 Øystein Sykehjem"
    assert data["210"]["vedlegg"]["status"] == "delvis signert"
    assert any("Per Helse har ikke signert" in w for w in data["210"]["vedlegg"]["advarsler"])
    director = data["100"]["avtale"]
    assert director["status"] == "delvis signert"
    assert any("Tore Tredje" in w and "ikke part" in w for w in director["advarsler"])
    scan = data["100"]["vedlegg"]
    assert (scan["type"], scan["status"], scan["dato"], scan["signaturer"]) == ("skann", "signert", "2027-03-03", [])
    assert scan["dokument_id"] == files_of(rt["out"], "100", "signering")[("vedlegg", "pdf")]["dokument_id"]


def test_report_has_a_signert_column(round_trip):
    rt = round_trip
    assert cli("generer", rt["book"], "--ut", rt["out"], "--ingen-pdf", "--leder", "100", "--leder", "210").exit_code == 0
    sheet = openpyxl.load_workbook(rt["out"] / YEAR / "rapport.xlsx").active
    headers = [c.value for c in sheet[1]]
    rows = {str(r[0]): dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Avtalen: signert (e-signatur)" in rows["210"]["Signert"]
    assert "Vedlegget: delvis signert" in rows["210"]["Signert"]
    assert "Vedlegget: signert (skann) 03.03.2027" in rows["100"]["Signert"]
    assert not rows["300"]["Signert"]


def test_reading_the_same_folder_again_changes_nothing(round_trip):
    rt = round_trip
    before = rt["record_path"].read_bytes()
    kept = sorted(p.name for p in (rt["out"] / YEAR).rglob("* (signert*).pdf"))
    again = cli("signert", rt["book"], rt["inbox"], "--ut", rt["out"], "--dato", "03.03.2027")
    assert again.exit_code == 3
    assert rt["record_path"].read_bytes() == before
    assert sorted(p.name for p in (rt["out"] / YEAR).rglob("* (signert*).pdf")) == kept


def test_with_trust_roots_the_issuer_is_trusted(round_trip):
    rt = round_trip
    tillit = rt["ca"].write_ca(rt["root"] / "tillit")
    trusted = cli("signert", rt["book"], rt["inbox"], "--ut", rt["out"], "--tillit", tillit, "--dato", "03.03.2027")
    assert trusted.exit_code == 3
    assert "ikke kontrollert mot en klarert utsteder" not in trusted.output
    agreement = record(rt)["210"]["avtale"]
    assert all(s["gyldig"] and s["klarert"] for s in agreement["signaturer"])
    other_ca = Pki(rt["root"], "Et annet CA").write_ca(rt["root"] / "annen-tillit")
    cli("signert", rt["book"], rt["inbox"], "--ut", rt["out"], "--tillit", other_ca, "--dato", "03.03.2027")
    assert not any(s["klarert"] for s in record(rt)["210"]["avtale"]["signaturer"])


def test_an_older_version_is_accepted_with_both_versions_named(round_trip):
    rt = round_trip
    draft = rt["out"] / YEAR / files_of(rt["out"], "210")[("avtale", "docx")]["sti"]
    import docx

    document = docx.Document(str(draft))
    document.add_paragraph("Endret etter signeringen.")
    document.save(str(draft))
    signed_short = files_of(rt["out"], "210", "signering")[("avtale", "pdf")]["kort_id"]
    assert cli("signering", rt["book"], "--ut", rt["out"], "--leder", "210").exit_code == 0
    current = files_of(rt["out"], "210", "signering")[("avtale", "pdf")]["dokument_id"].split(":")[5]
    # The signed copy carries the earlier short ID: no file has it now, and the manifest still knows it.
    manifest = json.loads((rt["out"] / YEAR / "manifest.json").read_text(encoding="utf-8"))["ledere"]["210"]
    assert signed_short not in {f["kort_id"] for f in manifest["filer"]} and signed_short in manifest["ider"]
    cli("signert", rt["book"], rt["inbox"], "--ut", rt["out"], "--dato", "03.03.2027")
    agreement = record(rt)["210"]["avtale"]
    assert agreement["versjon"] != current
    assert any(agreement["versjon"] in w and current in w for w in agreement["advarsler"])


def test_a_scan_without_a_date_is_refused(tmp_path, round_trip):
    rt = round_trip
    inbox = tmp_path / "skann"
    inbox.mkdir()
    (inbox / "skann.pdf").write_bytes(rt["files"]["IMG_0001.pdf"])
    sheets = copy.deepcopy(BASIC)
    director = next(row for row in sheets["Ledere"] if row[0] == 100)
    director[-1] = None  # no Signert: the scan has no date to take
    book = write_xlsx(tmp_path / "uten-dato.xlsx", sheets)
    before = rt["record_path"].read_bytes()
    result = cli("signert", book, inbox, "--ut", rt["out"])
    assert result.exit_code == 3 and "skann.pdf" in result.output and "--dato" in result.output
    assert rt["record_path"].read_bytes() == before


def test_bad_options_are_messages(round_trip, tmp_path):
    rt = round_trip
    assert cli("signert", rt["book"], tmp_path / "finnes-ikke", "--ut", rt["out"]).exit_code == 1
    bad_date = cli("signert", rt["book"], rt["inbox"], "--ut", rt["out"], "--dato", "31.02.2027")
    assert bad_date.exit_code == 2 and "--dato" in bad_date.output
    empty = tmp_path / "tom"
    empty.mkdir()
    assert cli("signert", rt["book"], rt["inbox"], "--ut", rt["out"], "--tillit", empty).exit_code == 1


def test_no_library_warning_reaches_the_terminal(round_trip, tmp_path):
    """`lederavtale signert` as HR runs it, with Python told to show every warning (-W default and
    PYTHONWARNINGS): its standard error is the tool's own lines alone, the same as with every warning
    ignored. It was not: pyHanko 0.38 imports DSA, which cryptography 51 deprecates, and that English
    warning came before the tool's first line."""
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    (inbox / "avtale.pdf").write_bytes(round_trip["files"]["portal/dokument-1.pdf"])

    def signert(warnings: str) -> subprocess.CompletedProcess:
        out = tmp_path / "ut"  # the same folder each time, as it was after the first reading
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(round_trip["out"], out)
        return subprocess.run([sys.executable, "-W", warnings, "-m", "generator", "signert", str(round_trip["book"]),
                               str(inbox), "--ut", str(out), "--dato", "03.03.2027"], capture_output=True, text=True,
                              env={**os.environ, "PYTHONWARNINGS": warnings})

    shown, ignored = signert("default"), signert("ignore")
    assert shown.returncode == ignored.returncode == 0, shown.stderr
    assert "signert" in shown.stdout
    assert shown.stderr == ignored.stderr
    assert "Warning" not in shown.stderr + shown.stdout


def test_a_scan_named_as_a_follow_up_document_is_not_taken_for_the_agreement(tmp_path):
    """A scan without a readable QR code is matched by its file name. The follow-up documents' names
    (documents/kinds.py) hold «vedlegg» or nothing the agreement's lacks: read as the appendix or the agreement,
    a scanned follow-up form would stand as the signed agreement."""
    book = write_xlsx(tmp_path / "bok.xlsx", BASIC)
    out = tmp_path / "ut"
    assert cli("generer", book, "--ut", out, "--ingen-pdf", "--leder", "210").exit_code == 0
    page = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(page, "PNG")  # a blank A4 page at 150 dpi: no QR code to read
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    follow_ups = ["210 Oppfølgingssamtale 2027 - Øystein Sykehjem.pdf",
                  "210 Oppfølgingssamtale 2027 - Øystein Sykehjem - vedlegg (unntatt offentlighet).pdf"]
    for name in follow_ups + ["210 Lederavtale 2027 - Øystein Sykehjem.pdf"]:
        (inbox / name).write_bytes(img2pdf.convert(page.getvalue()))

    result = cli("signert", book, inbox, "--ut", out, "--dato", "03.03.2027")

    assert result.exit_code == 3, result.output
    for name in follow_ups:
        assert (f"{name}: ingen QR-kode med dokument-ID, og filnavnet sier at det er et dokument fra "
                "oppfølgingssamtalen") in " ".join(result.output.split()), result.output
    data = json.loads((out / YEAR / "signert.json").read_text(encoding="utf-8"))
    assert list(data["210"]) == ["avtale"]
    assert data["210"]["avtale"]["kilde"] == "210 Lederavtale 2027 - Øystein Sykehjem.pdf"
