"""status.xlsx is trusted only as far as it deserves: a book a person touched is never replaced, `status`
refuses a book for another year or municipality, and a formula without a stored value is an error."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import write_xlsx
from synth import synthetic_sheets

from generator.cli import main

N_LEADERS = 8


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def followed_up(tmp_path_factory):
    """A workbook and an output folder after one `oppfolging` run (no PDF)."""
    tmp = tmp_path_factory.mktemp("status-trust")
    workbook = write_xlsx(tmp / "arbeidsbok.xlsx", synthetic_sheets(N_LEADERS))
    result = run("oppfolging", workbook, "--ut", tmp / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    return tmp, workbook


@pytest.fixture
def out(followed_up, tmp_path) -> Path:
    """A private copy of the output folder, for a test to change."""
    tmp, _ = followed_up
    shutil.copytree(tmp / "ut", tmp_path / "ut")
    return tmp_path / "ut"


@pytest.fixture
def workbook(followed_up) -> Path:
    return followed_up[1]


# --------------------------------------------------------------------------- item 3: never replaced


def add_notes_sheet(wb):
    wb.create_sheet("Notater")["A1"] = "Husk å spørre Kari om fristen"


def add_column(wb):
    wb["Status"]["L1"] = "Notat"
    wb["Status"]["L3"] = "Ringt 12.10"


def rename_header(wb):
    wb["Status"]["K1"] = "Kommentar fra leder"


def insert_title_row(wb):
    wb["Status"].insert_rows(1)
    wb["Status"]["A1"] = "Status for styringsbrevet 2027"


@pytest.mark.parametrize("edit", [add_notes_sheet, add_column, rename_header, insert_title_row])
@pytest.mark.slow
def test_a_status_workbook_a_person_touched_is_kept(workbook, out, edit):
    path = out / "2027" / "status.xlsx"
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    touched = path.read_bytes()

    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == touched
    assert "status.xlsx" in result.output and "ikke overskrevet" in result.output
    assert list(path.parent.glob("status (endret*")) == []

    # --overskriv: a copy first, as for documents; then a fresh status workbook.
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf", "--overskriv")
    assert result.exit_code == 0, result.output
    copy = path.with_name(f"status (endret {date.today().isoformat()}).xlsx")
    assert copy.read_bytes() == touched
    assert copy.name in result.output
    fresh = openpyxl.load_workbook(path)
    assert "Notater" not in fresh.sheetnames
    assert [c.value for c in fresh["Status"][1]][:2] == ["Ansattnr", "Navn"]
    assert fresh["Status"]["L1"].value is None and fresh["Status"]["K1"].value == "Kommentar"

    # Now the tool's own again: the next run may replace it without a word.
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0 and "ikke overskrevet" not in result.output
    assert len(list(path.parent.glob("status (endret*"))) == 1


def test_a_status_workbook_the_manifest_does_not_know_is_kept(workbook, out):
    """Written by an older version, or by someone else: nothing says it is the tool's, so it stays."""
    year = out / "2027"
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("arsfiler", None)
    (year / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = (year / "status.xlsx").read_bytes()
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert (year / "status.xlsx").read_bytes() == before and "ikke overskrevet" in result.output


def test_the_tool_records_what_it_wrote(out):
    from generator.store.files import sha256_file

    year = out / "2027"
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["arsfiler"] == {"status.xlsx": [sha256_file(year / "status.xlsx")]}


def test_a_run_killed_while_writing_status_xlsx_leaves_it_the_tools_own(workbook, out):
    """Killed between recording the new sha256 and writing the file (or just after): the manifest lists
    the old and the new one, and whichever file is there is known as the tool's."""
    year = out / "2027"
    path = year / "status.xlsx"
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    old = manifest["arsfiler"]["status.xlsx"][0]
    manifest["arsfiler"]["status.xlsx"] = [old, "0" * 64]  # the new file never made it to disk
    (year / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert "ikke overskrevet" not in result.output
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    from generator.store.files import sha256_file

    # The rewrite may give the same bytes as before (same content within the same second): what
    # counts is that the sha256 of a file that never reached the disk is no longer vouched for.
    assert manifest["arsfiler"]["status.xlsx"] == [sha256_file(path)]


@pytest.mark.slow
def test_an_untouched_status_workbook_follows_the_workbook(tmp_path):
    sheets = synthetic_sheets(N_LEADERS)
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", sheets)
    out = tmp_path / "ut"
    assert run("oppfolging", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    sheets["Oppdrag"].append(["99", "Nytt", "Et nytt oppdrag", "", "", "", None, "alle"])
    write_xlsx(workbook, sheets)
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    nrs = {str(r[3]) for r in openpyxl.load_workbook(out / "2027" / "status.xlsx")["Status"].iter_rows(
        min_row=2, values_only=True)}
    assert "99" in nrs


# --------------------------------------------------------------------------- item 9: the right book


def test_the_status_workbook_says_which_municipality_and_year(out):
    wb = openpyxl.load_workbook(out / "2027" / "status.xlsx")
    om = {row[0]: row[1] for row in wb["Om"].iter_rows(min_row=2, values_only=True)}
    assert om["Kommune"] == "Synthvik kommune" and om["År"] == 2027


def test_status_refuses_a_book_for_another_year(workbook, out, tmp_path):
    ny = tmp_path / "arbeidsbok 2028.xlsx"
    assert run("nytt-ar", workbook, "--til", 2028, "--ut", ny).exit_code == 0
    status = out / "2027" / "status.xlsx"
    result = run("status", ny, status, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 1, result.output
    assert "Statusboken «status.xlsx»" in result.output
    assert "Om!B3" in result.output and "2027" in result.output and "2028" in result.output
    assert "Traceback" not in result.output
    assert not (out / "2028").exists()


def test_status_refuses_a_book_for_another_municipality(out, tmp_path):
    sheets = synthetic_sheets(N_LEADERS)
    sheets["Kommune"] = [row if row[0] != "Kommunenavn" else ["Kommunenavn", "Nabovik kommune"]
                         for row in sheets["Kommune"]]
    other = write_xlsx(tmp_path / "nabovik.xlsx", sheets)
    result = run("status", other, out / "2027" / "status.xlsx", "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1, result.output
    assert "Om!B2" in result.output and "Synthvik kommune" in result.output and "Nabovik kommune" in result.output
    assert not (tmp_path / "rapport").exists()


def test_nytt_ar_refuses_a_status_book_for_another_year(workbook, out, tmp_path):
    status = out / "2027" / "status.xlsx"
    wb = openpyxl.load_workbook(status)
    wb["Om"]["B3"] = 2026
    wb.save(status)
    ny = tmp_path / "ny.xlsx"
    result = run("nytt-ar", workbook, "--til", 2028, "--status", status, "--ut", ny)
    assert result.exit_code == 1 and "Om!B3" in result.output and "2026" in result.output
    assert not ny.exists()


@pytest.mark.slow
def test_a_status_book_from_an_older_version_is_read_with_a_warning(workbook, out, tmp_path):
    status = out / "2027" / "status.xlsx"
    wb = openpyxl.load_workbook(status)
    del wb["Om"]
    wb.save(status)
    result = run("status", workbook, status, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert "Om" in result.output and "eldre versjon" in result.output
    assert (tmp_path / "rapport" / "2027" / "statusrapport.xlsx").is_file()


def test_a_status_formula_without_a_stored_value_is_refused(workbook, out, tmp_path):
    status = out / "2027" / "status.xlsx"
    wb = openpyxl.load_workbook(status)
    wb["Status"]["I2"] = '=IF(1=1,"I rute","")'  # openpyxl stores no value: nobody calculated it
    wb["Status"]["K4"] = "=A4"
    wb.save(status)
    result = run("status", workbook, status, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1, result.output
    message = "formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen"
    assert f"Status!I2: {message}" in result.output and f"Status!K4: {message}" in result.output
    assert not (tmp_path / "rapport").exists()


@pytest.mark.slow
def test_a_calculated_status_formula_counts(workbook, out, tmp_path):
    status = out / "2027" / "status.xlsx"
    wb = openpyxl.load_workbook(status)
    wb["Status"]["I2"] = '=IF(1=1,"I rute","")'
    wb.save(status)
    # Stored with its value, as Excel saves a formula it has calculated.
    with zipfile.ZipFile(status) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    calculated = re.sub(rb'<c r="I2"( s="\d+")?><f>(.*?)</f><v\s*/?>(</v>)?',
                        rb'<c r="I2"\1 t="str"><f>\2</f><v>I rute</v>', entries[sheet])
    assert calculated != entries[sheet]
    entries[sheet] = calculated
    with zipfile.ZipFile(status, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    result = run("status", workbook, status, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    report = openpyxl.load_workbook(tmp_path / "rapport" / "2027" / "statusrapport.xlsx")["Oppdrag"]
    headers = [c.value for c in report[1]]
    assert sum(row[headers.index("I rute")] for row in report.iter_rows(min_row=2, values_only=True)) == 1


# --------------------------------------------------------------------------- item 11: the right heading


@pytest.mark.parametrize("content", [b"", b"Ansattnr;Nr;Status\n"])
def test_errors_in_a_status_workbook_are_headed_with_its_name(workbook, tmp_path, content):
    bad = tmp_path / "status.xlsx"
    bad.write_bytes(content)
    result = run("status", workbook, bad, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "Statusboken «status.xlsx» har feil. Ingenting er skrevet."
    assert "Arbeidsboken har feil" not in result.output


def test_bad_rows_are_headed_with_the_status_workbooks_name(workbook, out, tmp_path):
    status = out / "2027" / "status.xlsx"
    wb = openpyxl.load_workbook(status)
    wb["Status"]["I3"] = "Nesten ferdig"
    wb.save(status)
    result = run("status", workbook, status, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "Statusboken «status.xlsx» har feil. Ingenting er skrevet."
