"""The status workbook (`status.xlsx`) and the status report (`status`): real files, every problem named."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import docx_text, write_xlsx
from synth import GOAL_MARKER, expected_tildeling, synthetic_sheets

from generator.cli import main
from generator.status.workbook import HEADERS, STATUSES, write_status_workbook
from generator.workbook import read_workbook

N_LEADERS = 40
# The status each row gets when the test fills in the workbook: every status, and blanks.
CYCLE = (*STATUSES, None)


def make_workbook(tmp_path: Path, malform: str = "bokmål") -> Path:
    sheets = synthetic_sheets(N_LEADERS)
    sheets["Kommune"] = [row if row[0] != "Målform" else ["Målform", malform] for row in sheets["Kommune"]]
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", sheets)
    # An assignment text that would be a formula if written carelessly into a spreadsheet.
    wb = openpyxl.load_workbook(path)
    cell = wb["Oppdrag"]["C2"]
    cell.value = '=HYPERLINK("http://x")'
    cell.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture
def workbook(tmp_path) -> Path:
    return make_workbook(tmp_path)


@pytest.fixture
def status_file(workbook, tmp_path) -> Path:
    bok = read_workbook(workbook)
    path = tmp_path / "status.xlsx"
    assert write_status_workbook(bok, bok.avtaleledere(), path)
    return path


def fill(path: Path, target: Path) -> Counter:
    """Fill in Status (cycling through every status and blank) and return what was written, by (Nr, status)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Status"]
    written: Counter = Counter()
    for i, row in enumerate(ws.iter_rows(min_row=2), start=0):
        status = CYCLE[i % len(CYCLE)]
        row[8].value = status
        row[10].value = f"Kommentar {i}" if status == "Forsinket" else None
        written[str(row[3].value), status or "Ikke rapportert"] += 1
    wb.save(target)
    return written


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(name).decode("utf-8") for name in zf.namelist() if name.endswith(".xml"))


# --------------------------------------------------------------------------- status.xlsx


def test_status_workbook_has_one_row_per_leader_and_assignment(workbook, status_file):
    tildeling = expected_tildeling(synthetic_sheets(N_LEADERS))
    wb = openpyxl.load_workbook(status_file)
    ws = wb["Status"]
    assert tuple(c.value for c in ws[1]) == HEADERS
    rows = [(str(r[0].value), str(r[3].value)) for r in ws.iter_rows(min_row=2)]
    assert sorted(rows) == sorted((a, nr) for a, nrs in tildeling.items() for nr in nrs)
    # Locked key columns, open input columns, a drop-down of the statuses, frozen header, filters.
    assert ws.protection.sheet
    assert ws["A2"].protection.locked and ws["F2"].protection.locked
    assert not ws["I2"].protection.locked and not ws["J2"].protection.locked and not ws["K2"].protection.locked
    assert ws["A2"].fill.fgColor.rgb.endswith("E7E6E6")
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(STATUSES) + '"' and "I2" in str(dv.sqref)
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref
    assert "Veiledning" in wb.sheetnames
    # The assignment that looks like a formula is text.
    assert any(c.data_type == "s" and str(c.value).startswith("=HYPERLINK") for c in ws["F"])
    assert GOAL_MARKER not in xlsx_text(status_file)


@pytest.mark.slow
def test_filled_in_status_workbook_is_never_overwritten(workbook, tmp_path):
    from generator.commands.followup import follow_up
    from generator.job import Job

    job = Job(workbook, tmp_path / "ut")
    path = job.year.status
    assert path in follow_up(job, pdf=False).files
    # Untouched: a rerun may write it again.
    assert path in follow_up(job, pdf=False).files
    wb = openpyxl.load_workbook(path)
    wb["Status"]["K5"] = "Vi er godt i gang"
    wb.save(path)
    before = path.read_bytes()
    assert path not in follow_up(job, pdf=False).files
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- status


@pytest.mark.slow
def test_status_report_counts_exactly(workbook, status_file, tmp_path):
    filled = tmp_path / "utfylt.xlsx"
    written = fill(status_file, filled)
    ut = tmp_path / "ut"
    result = run("status", workbook, filled, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    report = openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")
    ws = report["Oppdrag"]
    headers = [c.value for c in ws[1]]
    assert headers == ["Nr", "Område", "Oppdrag", "Ledere", *STATUSES, "Ikke rapportert", "Mål"]
    tildeling = expected_tildeling(synthetic_sheets(N_LEADERS))
    carriers = Counter(nr for nrs in tildeling.values() for nr in nrs)
    for row in ws.iter_rows(min_row=2, values_only=True):
        nr = str(row[0])
        assert row[3] == carriers[nr]
        assert list(row[4:10]) == [written[nr, s] for s in headers[4:10]]
    avvik = list(report["Avvik"].iter_rows(min_row=2, values_only=True))
    assert len(avvik) == sum(n for (nr, s), n in written.items() if s == "Forsinket")
    kommentar = [c.value for c in report["Avvik"][1]].index("Kommentar")
    assert all(str(r[kommentar]).startswith("Kommentar ") for r in avvik)
    enheter = list(report["Enheter"].iter_rows(min_row=2, values_only=True))
    assert sum(r[1] for r in enheter) == len(tildeling)  # leaders, not leader × assignment rows
    assert sum(sum(r[2:]) for r in enheter) == sum(carriers.values())
    # Text stays text: the formula-looking assignment is a string cell.
    assert any(c.data_type == "s" and str(c.value).startswith("=HYPERLINK") for c in ws["C"])
    text = docx_text(ut / "2027" / "statusrapport.docx")
    assert "Statusrapport 2027" in text and "Avvik: forsinkede oppdrag" in text
    with zipfile.ZipFile(ut / "2027" / "statusrapport.docx") as zf:
        charts = [n for n in zf.namelist() if n.startswith("word/media/")]
    areas = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert len(charts) == len(areas)


@pytest.mark.slow
def test_a_status_pdf_that_fails_is_in_the_result_after_the_report_is_written(workbook, status_file, tmp_path):
    from generator.commands.status import make_status_report
    from generator.documents.pdf import PdfSettings
    from generator.job import Job

    filled = tmp_path / "utfylt.xlsx"
    fill(status_file, filled)
    broken = tmp_path / "soffice"  # runs, and makes no PDF
    broken.write_text("#!/bin/sh\nexit 0\n")
    broken.chmod(0o755)
    job = Job(workbook, tmp_path / "ut", pdf=PdfSettings(soffice=str(broken)))
    report_xlsx, report_docx, report_pdf = job.year.status_report

    result = make_status_report(job, filled)
    assert result.exit_code == 3
    assert result.failure_heading == "Statusrapporten er skrevet, men PDF-en kunne ikke lages:"
    assert len(result.failures) == 1 and result.failures[0].startswith("statusrapport.pdf: ")
    assert result.files == [report_xlsx, report_docx] and report_xlsx.exists() and report_docx.exists()
    assert not report_pdf.exists()
    assert result.summary[0].startswith("Skrevet: status for ")

    shown = run("status", workbook, filled, "--ut", tmp_path / "ut", "--soffice", broken)
    assert shown.exit_code == 3
    assert shown.output.splitlines()[-2:] == [result.failure_heading, f"  {result.failures[0]}"]


@pytest.mark.slow
def test_missing_rows_count_as_not_reported(workbook, status_file, tmp_path):
    wb = openpyxl.load_workbook(status_file)
    ws = wb["Status"]
    total = ws.max_row - 1
    ws.delete_rows(2, 3)
    wb.save(status_file)
    ut = tmp_path / "ut"
    assert run("status", workbook, status_file, "--ut", ut, "--ingen-pdf").exit_code == 0
    rows = list(openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")["Oppdrag"].iter_rows(min_row=2,
                                                                                             values_only=True))
    assert sum(r[9] for r in rows) == total


@pytest.mark.slow
def test_bad_status_workbook_names_every_problem_and_writes_nothing(workbook, status_file, tmp_path):
    wb = openpyxl.load_workbook(status_file)
    ws = wb["Status"]
    ws["I7"] = "Nesten ferdig"
    ws["A3"] = "99999"  # unknown Ansattnr
    ws["D4"] = "999"  # unknown Nr
    ordforer = "10000"  # the ordfører has no agreement, so no assignment applies to him
    ws["A5"], ws["D5"] = ordforer, "1"
    ws.append([c.value for c in ws[2]])  # a duplicate of row 2
    last = ws.max_row
    wb.save(status_file)
    ut = tmp_path / "ut"
    result = run("status", workbook, status_file, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 1
    out = result.output
    assert ("Status!I7: «Nesten ferdig» er ikke en gyldig status "
            "(gyldige: Ikke startet, I rute, Forsinket, Fullført, Utgår)") in out
    assert "Status!A3: Ansattnr «99999» finnes ikke i arket Ledere" in out
    assert "Status!D4: oppdrag «999» finnes ikke i arket Oppdrag" in out
    assert "Status!D5: oppdrag «1» gjelder ikke" in out
    assert f"Status!A{last}: " in out and "står allerede på rad 2" in out
    assert "Traceback" not in out
    assert not ut.exists()


def test_comment_quoting_a_development_goal_stops_the_report(workbook, status_file, tmp_path):
    sheets = synthetic_sheets(N_LEADERS)
    _header, *goals = sheets["Utviklingsmål"]
    ansattnr, goal = str(goals[0][0]), goals[0][1]
    wb = openpyxl.load_workbook(status_file)
    ws = wb["Status"]
    row = next(r for r in ws.iter_rows(min_row=2) if str(r[0].value) == ansattnr)
    row[8].value, row[10].value = "Forsinket", f"Henger sammen med {goal}"
    wb.save(status_file)
    ut = tmp_path / "ut"
    result = run("status", workbook, status_file, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 1 and "Personvernsperre" in result.output
    assert GOAL_MARKER not in result.output
    assert not ut.exists()


@pytest.mark.parametrize("content", [b"", b"Ansattnr;Nr;Status\n1;2;I rute\n"])
def test_unreadable_status_workbook_is_one_message(workbook, tmp_path, content):
    bad = tmp_path / "status.xlsx"
    bad.write_bytes(content)
    result = run("status", workbook, bad, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "status.xlsx" in result.output and "Traceback" not in result.output


def test_status_workbook_without_status_sheet(workbook, tmp_path):
    other = write_xlsx(tmp_path / "feil.xlsx", {"Ark1": [["Ansattnr", "Nr"]]})
    result = run("status", workbook, other, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "arket «Status»" in result.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installert")
@pytest.mark.slow
def test_nynorsk_report_with_pdf_has_no_goals(tmp_path):
    workbook = make_workbook(tmp_path, "nynorsk")
    bok = read_workbook(workbook)
    status = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), status)
    fill(status, status)
    ut = tmp_path / "ut"
    result = run("status", workbook, status, "--ut", ut)
    assert result.exit_code == 0, result.output
    folder = ut / "2027"
    text = docx_text(folder / "statusrapport.docx")
    assert "Avvik: forseinka oppdrag" in text and "Status per eining" in text and "Leiarar" in text
    pdf = subprocess.run(["pdftotext", str(folder / "statusrapport.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "Statusrapport 2027" in pdf and "Synthvik kommune" in pdf
    with open(folder / "statusrapport.pdf", "rb") as fh:
        assert b"pdfaid:part" in fh.read()
    # Privacy: nothing from the development goals, in any file the report consists of.
    for name in ("status.xlsx",):
        assert GOAL_MARKER not in xlsx_text(tmp_path / name)
    assert GOAL_MARKER not in xlsx_text(folder / "statusrapport.xlsx")
    assert GOAL_MARKER not in xlsx_text(folder / "statusrapport.docx")
    assert GOAL_MARKER not in pdf
