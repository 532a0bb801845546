"""How far `arkiv --kvitteringer` trusts the receipts folder.

Conflicting receipts are reported once and a reread changes nothing; a receipt never removes a
package made after it was first recorded; links are not followed out of the folder; a hostile
receipt costs a bounded amount of memory; and the date shown is the archive's, not the reader's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_fiks import _read, _report, receipt_xml, setup  # noqa: F401  (setup is a fixture)

from generator.archive import receipts, record
from generator.cli import main
from generator.store.year import ARKIVERT_NAME

pytestmark = pytest.mark.slow  # real LibreOffice, subprocesses or SMTP servers throughout

SYSTEM_IDS = {5: "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c15", 6: "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c16",
              7: "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c17"}


def _receipt(kommune, ansattnr: str, nr: int, opprettet: str | None = "2027-02-03T10:15:00+01:00") -> bytes:
    """A receipt for journalpost `nr` of the sak; `opprettet` is its opprettetDato (None: none given)."""
    data = receipt_xml(record.ekstern_noekkel(kommune, ansattnr), system_id=SYSTEM_IDS[nr], journalpostnummer=nr)
    line = "    <opprettetDato>2027-02-03T10:15:00+01:00</opprettetDato>\n"
    assert line.encode() in data
    return data.replace(line.encode(), f"    <opprettetDato>{opprettet}</opprettetDato>\n".encode() if opprettet else b"")


def _arkivert(year_dir: Path) -> dict:
    return json.loads((year_dir / "arkiv" / ARKIVERT_NAME).read_text("utf-8"))


# --- conflicting receipts ------------------------------------------------------------------------


def test_conflicting_receipts_are_reported_once_and_a_reread_changes_nothing(setup):
    workbook, year_dir, svar, kommune = setup
    for nr in (5, 6, 7):
        (svar / f"{nr}.xml").write_bytes(_receipt(kommune, "210", nr))

    first = _read(workbook, svar, year_dir)

    assert first.exit_code == 0, first.output
    assert first.output.count("to ganger") == 1
    assert first.output.count("210 Øystein Sykehjem") == 2  # once as new, once under the warning
    entry = _arkivert(year_dir)["210"]
    assert entry["journalpostnummer"] == 7
    assert [old["journalpostnummer"] for old in entry["tidligere"]] == [5, 6]
    recorded = (year_dir / "arkiv" / ARKIVERT_NAME).read_bytes()

    for _ in range(2):
        again = _read(workbook, svar, year_dir)
        assert again.exit_code == 0, again.output
        assert "to ganger" not in again.output
        assert "Allerede registrert fra før (3)" in again.output
        assert (year_dir / "arkiv" / ARKIVERT_NAME).read_bytes() == recorded


# --- a package made after the receipt -----------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="arkiv krever LibreOffice")
@pytest.mark.slow
def test_a_reread_never_removes_a_package_made_after_the_receipt_was_recorded(setup):
    from test_archive import fill_placeholders

    from generator.store.manifest import Manifest

    workbook, year_dir, svar, kommune = setup
    # Kari Direktør (100) is signed, by the workbook's word (filled in, as Per Helse's, so that
    # --godta-usignert files them as final); the archive has answered twice, with two different records.
    for nr in ("100", "200"):
        for rolle in ("avtale", "vedlegg"):
            fill_placeholders(year_dir / Manifest.load(year_dir).ledere[nr].file(rolle, "docx").sti)
    (svar / "a.xml").write_bytes(_receipt(kommune, "100", 5))
    (svar / "b.xml").write_bytes(_receipt(kommune, "100", 6))
    assert _read(workbook, svar, year_dir).exit_code == 0
    # HR sends her again on purpose.
    again = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(year_dir.parent),
                                      "--arkiver-igjen", "--leder", "100", "--godta-usignert"])
    assert again.exit_code == 0, again.output
    package = year_dir / "arkiv" / "fiks" / "100"
    message = (package / "arkivmelding.xml").read_bytes()

    reread = _read(workbook, svar, year_dir)

    assert reread.exit_code == 0, reread.output
    assert (package / "arkivmelding.xml").read_bytes() == message
    assert sorted(p.name for p in package.iterdir()) == ["arkivmelding.xml", "lederavtale.pdf", "melding.json", "vedlegg.pdf"]
    assert "Fjernet fra" not in reread.output

    # The archive's answer to that message is a receipt recorded after the package was made: it goes.
    (svar / "c.xml").write_bytes(_receipt(kommune, "100", 7))
    answered = _read(workbook, svar, year_dir)
    assert answered.exit_code == 0, answered.output
    assert not package.exists() and "Fjernet fra fiks/ fordi arkivet har kvittert: 100" in answered.output


# --- links ----------------------------------------------------------------------------------------


def test_links_out_of_the_folder_are_not_followed(setup, tmp_path):
    workbook, year_dir, svar, kommune = setup
    elsewhere = tmp_path / "et annet sted"
    (elsewhere / "mappe").mkdir(parents=True)
    (elsewhere / "kvittering.xml").write_bytes(_receipt(kommune, "210", 5))
    (elsewhere / "mappe" / "kvittering.xml").write_bytes(_receipt(kommune, "211", 6))
    (svar / "lenke ut.xml").symlink_to(elsewhere / "kvittering.xml")
    (svar / "lenke til mappe").symlink_to(elsewhere / "mappe")
    (svar / "brutt lenke.xml").symlink_to(tmp_path / "finnes ikke.xml")
    (svar / "undermappe").mkdir()
    (svar / "undermappe" / "ekte.xml").write_bytes(_receipt(kommune, "310", 7))
    (svar / "lenke inne.xml").symlink_to(svar / "undermappe" / "ekte.xml")
    os.mkfifo(svar / "rør")  # must neither hang the run nor be taken for a receipt

    outcome = _read(workbook, svar, year_dir)

    assert outcome.exit_code == 3, outcome.output
    lines = outcome.output.splitlines()

    def line(name: str) -> str:
        return next(x for x in lines if x.strip().startswith(f"{name}:"))

    assert "utenfor mappen" in line("lenke ut.xml")
    assert "utenfor mappen" in line("lenke til mappe")
    assert "finnes ikke" in line("brutt lenke.xml")
    assert "ikke en vanlig fil" in line("rør")
    assert str(elsewhere) in line("lenke ut.xml")
    # Only what lies in the folder is recorded; the link inside it reads the same receipt again.
    assert set(_arkivert(year_dir)) == {"310"}
    assert "Allerede registrert fra før (1)" in outcome.output


# --- size and memory ------------------------------------------------------------------------------


def test_a_receipt_over_the_limit_is_not_read(tmp_path):
    big = tmp_path / "stor.xml"
    big.write_bytes(b"<a>" + b" " * receipts.MAX_BYTES + b"</a>")
    outcome = receipts.read_file(big, "stor.xml")
    assert isinstance(outcome, receipts.Avvist) and "for stor" in outcome.grunn
    assert receipts.MAX_BYTES <= 1024 * 1024  # a receipt is a few kilobytes


MEMORY_PROBE = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from generator.archive import receipts
    from generator.archive.fiks import schema
    schema(receipts.SCHEMA)  # loaded once in any run: not the receipt's cost
    folder = Path(sys.argv[1])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    good, refused = receipts.read_folder(folder)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"growth_kb": after - before, "refused": {a.fil: a.grunn for a in refused}, "good": len(good)}))
""")


def _attribute_bomb(size: int) -> bytes:
    head, tail = f'<arkivmeldingKvittering xmlns="{receipts.NS}"'.encode(), b"/>"
    body, i = bytearray(), 0
    while len(head) + len(body) + len(tail) + 16 < size:
        body += f' a{i}=""'.encode()
        i += 1
    return head + bytes(body) + tail


def _element_bomb(size: int) -> bytes:
    head, tail = f'<arkivmeldingKvittering xmlns="{receipts.NS}">'.encode(), b"</arkivmeldingKvittering>"
    return head + b"<a/>" * ((size - len(head) - len(tail)) // 4) + tail


def test_hostile_receipts_cost_a_bounded_amount_of_memory(tmp_path):
    """A receipt made of attributes or elements is refused before it can cost more than a few times its
    size: measured as the growth of the peak memory of a real process reading the folder."""
    folder = tmp_path / "svar"
    folder.mkdir()
    limit = receipts.MAX_BYTES
    (folder / "attributter 5 MB.xml").write_bytes(_attribute_bomb(5 * 1024 * 1024 - 1024))
    (folder / "attributter.xml").write_bytes(_attribute_bomb(limit))
    (folder / "elementer.xml").write_bytes(_element_bomb(limit))
    assert (folder / "attributter.xml").stat().st_size <= limit and (folder / "elementer.xml").stat().st_size <= limit

    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(folder)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)

    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout)
    assert probe["good"] == 0 and set(probe["refused"]) == {"attributter 5 MB.xml", "attributter.xml", "elementer.xml"}
    assert "for stor" in probe["refused"]["attributter 5 MB.xml"]
    # Three files of up to 1 MB each, read one after the other: a few MB, not hundreds.
    assert probe["growth_kb"] < 8 * limit // 1024, probe


# --- the archive's date ---------------------------------------------------------------------------


def test_the_date_shown_is_the_archives_opprettet_dato(setup):
    workbook, year_dir, svar, kommune = setup
    (svar / "210.xml").write_bytes(_receipt(kommune, "210", 5, "2027-02-03T10:15:00+01:00"))
    # Late on 3 February in UTC is 4 February in Norway.
    (svar / "211.xml").write_bytes(_receipt(kommune, "211", 6, "2027-02-03T23:30:00Z"))
    (svar / "310.xml").write_bytes(_receipt(kommune, "310", 7, None))

    outcome = _read(workbook, svar, year_dir)

    assert outcome.exit_code == 0, outcome.output
    assert "210 Øystein Sykehjem: 2027/4567, nr. 5 i saken (Opprettet 03.02.2027)" in outcome.output
    assert "211 Berit Avdeling: 2027/4567, nr. 6 i saken (Opprettet 04.02.2027)" in outcome.output
    assert "310 Liv Skole: 2027/4567, nr. 7 i saken (Opprettet)" in outcome.output
    report = _report(year_dir)
    assert report["210"] == "2027/4567, nr. 5 i saken (Opprettet 03.02.2027)"
    assert report["310"] == "2027/4567, nr. 7 i saken (Opprettet)"
    assert _arkivert(year_dir)["210"]["opprettetDato"] == "2027-02-03T10:15:00+01:00"
