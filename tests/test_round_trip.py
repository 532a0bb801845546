"""The signed agreement comes home, the whole way, on the bundled example: `generer`, the documents filled
in with python-docx as a person in Word would, `signering`, copies signed with pyHanko by a throwaway CA
(an intact pair, a missing signer, a wrong signer, a tampered copy) and one printed and scanned, `signert`
with and without --tillit, then `arkiv` (the signed bytes in the Fiks message) and `oppfolging` (the tiltak
typed into the agreement in the follow-up document and status.xlsx).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import docx
import img2pdf
import openpyxl
import pytest

from conftest import ROOT
from test_signering import cli, files_of, fill_in
from test_signing import Pki, sign

pytestmark = pytest.mark.slow

YEAR = "2027"
TYPED = "Månedlige møter med tillitsvalgte om bemanningen"
# The example's leaders used here: Ansattnr -> (leader, superior).
PAIR, MISSING, WRONG, TAMPERED, SCANNED = "1002", "1003", "1004", "1010", "1011"
PEOPLE = {"1002": ("Marit Bjørnstad", "Håkon Lie"), "1003": ("Jonas Eriksen", "Håkon Lie"),
          "1004": ("Siri Åsheim", "Håkon Lie"), "1010": ("Bjørn Kvamme", "Marit Bjørnstad"),
          "1011": ("Line Dahl", "Marit Bjørnstad")}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def type_measure(path: Path, text: str) -> None:
    """Write a tiltak where the agreement's first assignment has none, as a person in Word would."""
    document = docx.Document(str(path))
    for table in document.tables:
        for cell in table.rows[2].cells if len(table.rows) > 2 else []:
            for paragraph in cell.paragraphs:
                if "[Fylles ut" in paragraph.text:
                    for run in paragraph.runs:
                        run.text = ""
                    paragraph.runs[0].text = text
                    document.save(str(path))
                    return
    raise AssertionError("no empty measures cell found")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("rundtur")
    book = root / "eksempel.xlsx"
    shutil.copy(ROOT / "input" / "eksempel.xlsx", book)
    shutil.copy(ROOT / "input" / "logo.png", root / "logo.png")
    workbook_bytes = book.read_bytes()
    out = root / "ut"
    leaders = list(PEOPLE)
    args = [a for nr in leaders for a in ("--leder", nr)]
    assert cli("generer", book, "--ut", out, "--ingen-pdf").exit_code == 0
    type_measure(out / YEAR / files_of(out, PAIR)[("avtale", "docx")]["sti"], TYPED)
    for nr in leaders:
        for entry in files_of(out, nr).values():
            fill_in(out / YEAR / entry["sti"])
    made = cli("signering", book, "--ut", out, *args)
    assert made.exit_code == 0, made.output
    copies = {(nr, rolle): (out / YEAR / e["sti"]).read_bytes()
              for nr in leaders for (rolle, _), e in files_of(out, nr, "signering").items()}
    ca = Pki(root)
    signers = {name: ca.signer(*name.split(" ", 1)) for pair in PEOPLE.values() for name in pair}
    signers["Tore Tredje"] = ca.signer("Tore", "Tredje")

    def both(nr, rolle, second=None):
        leader, superior = PEOPLE[nr]
        once = sign(copies[nr, rolle], signers[leader], "Leder")
        return sign(once, signers[second or superior], "Overordnet")

    inbox = root / "fra portalen"
    inbox.mkdir()
    received = {
        "a.pdf": both(PAIR, "avtale"), "b.pdf": both(PAIR, "vedlegg"),
        "c.pdf": sign(copies[MISSING, "avtale"], signers["Jonas Eriksen"], "Leder"),
        "d.pdf": both(WRONG, "avtale", second="Tore Tredje"),
    }
    tampered = bytearray(both(TAMPERED, "avtale"))
    at = tampered.find(b"/Producer")
    tampered[at + 1] = ord("Q")
    received["e.pdf"] = bytes(tampered)
    scans = root / "skann"
    scans.mkdir()
    pdf = root / "skriv-ut.pdf"
    pdf.write_bytes(copies[SCANNED, "avtale"])
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(pdf), str(scans / "s")], check=True)
    received["scan/IMG_2231.pdf"] = img2pdf.convert(sorted(str(p) for p in scans.glob("s*.png")))
    for name, data in received.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    untrusted = cli("signert", book, inbox, "--ut", out, "--dato", "2027-02-10")
    record_untrusted = json.loads((out / YEAR / "signert.json").read_text(encoding="utf-8"))
    trusted = cli("signert", book, inbox, "--ut", out, "--tillit", ca.write_ca(root / "tillit"),
                  "--dato", "2027-02-10")
    record = json.loads((out / YEAR / "signert.json").read_text(encoding="utf-8"))
    archived = cli("arkiv", book, "--ut", out)
    followed = cli("oppfolging", book, "--ut", out, "--ingen-pdf", *args)
    return {"book": book, "workbook_bytes": workbook_bytes, "out": out, "received": received,
            "untrusted": untrusted, "record_untrusted": record_untrusted, "trusted": trusted, "record": record,
            "archived": archived, "followed": followed}


def test_each_copy_has_its_outcome(year):
    record, untrusted = year["record"], year["record_untrusted"]
    assert year["untrusted"].exit_code == 3 and year["trusted"].exit_code == 3
    assert "e.pdf" in year["trusted"].output and "ugyldig" in year["trusted"].output
    assert TAMPERED not in record
    pair = record[PAIR]
    assert {pair["avtale"]["status"], pair["vedlegg"]["status"]} == {"signert"}
    assert all(s["gyldig"] and s["klarert"] for s in pair["avtale"]["signaturer"])
    assert all(s["gyldig"] and not s["klarert"] for s in untrusted[PAIR]["avtale"]["signaturer"])
    assert record[MISSING]["avtale"]["status"] == "delvis signert"
    assert record[WRONG]["avtale"]["status"] == "delvis signert"
    assert any("Tore Tredje" in w for w in record[WRONG]["avtale"]["advarsler"])
    scan = record[SCANNED]["avtale"]
    assert (scan["type"], scan["status"], scan["dato"]) == ("skann", "signert", "2027-02-10")
    assert scan["dokument_id"] == files_of(year["out"], SCANNED, "signering")[("avtale", "pdf")]["dokument_id"]
    kept = year["out"] / YEAR / pair["avtale"]["fil"]
    assert kept.read_bytes() == year["received"]["a.pdf"] and kept.name.endswith(" (signert).pdf")


def test_the_report_shows_what_was_signed(year):
    sheet = openpyxl.load_workbook(year["out"] / YEAR / "rapport.xlsx").active
    headers = [c.value for c in sheet[1]]
    rows = {str(r[0]): dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Avtalen: signert (e-signatur)" in rows[PAIR]["Signert"]
    assert "delvis signert" in rows[MISSING]["Signert"]
    assert "signert (skann) 10.02.2027" in rows[SCANNED]["Signert"]
    assert not rows[TAMPERED]["Signert"]


def test_arkiv_sends_the_signed_bytes(year):
    assert year["archived"].exit_code == 0, year["archived"].output
    folder = year["out"] / YEAR / "arkiv" / "fiks" / PAIR
    message = (folder / "arkivmelding.xml").read_text(encoding="utf-8")
    pdfs = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    assert sorted(sha(d) for d in pdfs.values()) == sorted(sha(year["received"][n]) for n in ("a.pdf", "b.pdf"))
    for data in pdfs.values():
        assert sha(data) in message
    # Partly signed is not final: not packaged without --alle.
    assert not (year["out"] / YEAR / "arkiv" / "fiks" / MISSING).exists()


def test_the_typed_tiltak_reach_the_follow_up(year):
    assert year["followed"].exit_code == 0, year["followed"].output
    assert "hentet fra lederavtalen" in year["followed"].output
    follow_up = year["out"] / YEAR / files_of(year["out"], PAIR)[("oppfolging", "docx")]["sti"]
    document = docx.Document(str(follow_up))
    text = "\n".join(p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs)
    assert TYPED in text
    sheet = openpyxl.load_workbook(year["out"] / YEAR / "status.xlsx")["Tiltak"]
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(TYPED in (r["Tiltak"] or "") for r in rows if str(r["Ansattnr"]) == PAIR)
    assert year["book"].read_bytes() == year["workbook_bytes"]  # HR's workbook is never written
