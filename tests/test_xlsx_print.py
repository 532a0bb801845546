"""Every spreadsheet the tool writes prints: landscape, one page wide, the header row on every page, the
municipality and the page number in the margins, rows tall enough for their wrapped text; and sorts."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx

from generator.cli import main
from generator.status.workbook import write_status_workbook
from generator.store import xlsx
from generator.store.report import write_report
from generator.workbook import read_workbook

KOMMUNE = "Testvik kommune"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def workbook(tmp_path):
    return write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())


def assert_prints(ws, kommune: str | None, title_rows: bool = True):
    assert ws.page_setup.orientation == "landscape", ws.title
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    if title_rows:
        assert ws.print_title_rows == "$1:$1", ws.title
    assert ws.oddFooter.center.text == "Side &P av &N", ws.title
    assert ws.oddHeader.right.text == ws.title
    assert ws.oddHeader.left.text == kommune, ws.title


def test_status_workbook_prints(workbook, tmp_path):
    bok = read_workbook(workbook)
    path = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), path)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert_prints(ws, KOMMUNE, title_rows=ws.title != "Veiledning")


def test_run_report_prints_and_keeps_its_header_when_a_column_is_added(tmp_path):
    from generator.store.report import update_column

    path = tmp_path / "rapport.xlsx"
    write_report(path, ["Ansattnr", "Navn", "Filer"], [["1", "Ola", "a.docx\nb.pdf"]], KOMMUNE)
    update_column(path, "Arkivert", {"1": "ja"})
    ws = openpyxl.load_workbook(path).active
    assert_prints(ws, KOMMUNE)
    assert ws.cell(1, 4).value == "Arkivert"


def test_new_workbooks_print(workbook, tmp_path):
    assert run("init", tmp_path / "ny").exit_code == 0
    for ws in openpyxl.load_workbook(tmp_path / "ny" / "lederavtale.xlsx").worksheets:
        # init's municipality is a placeholder HR replaces: no name in the header.
        assert_prints(ws, None, title_rows=ws.title != "Veiledning")
    ny = tmp_path / "2028.xlsx"
    result = run("nytt-ar", workbook, "--til", 2028, "--ut", ny)
    assert result.exit_code == 0, result.output
    for ws in openpyxl.load_workbook(ny).worksheets:
        assert_prints(ws, KOMMUNE, title_rows=ws.title != "Veiledning")


def test_rows_are_tall_enough_for_wrapped_text(tmp_path):
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("Ark")
    long = "ord " * 60  # 240 characters in a column 20 wide: many lines
    xlsx.table(ws, [("Kort", 20), ("Lang", 20)], [["a", "b"], ["a", long], ["a", "en\nto\ntre"]],
               {2: xlsx.TOP_WRAP})
    path = tmp_path / "ark.xlsx"
    xlsx.save(wb, path)
    ws = openpyxl.load_workbook(path)["Ark"]
    assert ws.row_dimensions[2].height is None  # one line: Excel's own height
    assert ws.row_dimensions[3].height >= 240 / 22 * xlsx.LINE_HEIGHT
    assert ws.row_dimensions[4].height == 3 * xlsx.LINE_HEIGHT


def test_natural_key_and_numbers():
    assert sorted(["10", "2", "1", "1.10", "1.2", "2a"], key=xlsx.natural_key) == [
        "1", "1.2", "1.10", "2", "2a", "10"]
    assert [xlsx.number_or_text(v) for v in ("7", "07", "1.1", "2a", "", 3)] == [7, "07", "1.1", "2a", "", 3]


def test_status_workbook_freezes_keys_stores_numbers_and_reads_back(workbook, tmp_path):
    from generator.status.workbook import read_status

    sheets = basic_sheets()
    sheets["Oppdrag"][3][0] = "03"  # leading zero: a number would lose it
    sheets["Tiltak"] = [row if row[1] != "3" else [row[0], "03", row[2]] for row in sheets["Tiltak"]]
    sheets["Oppdrag"][4][0] = "10"
    source = write_xlsx(tmp_path / "nr.xlsx", sheets)
    bok = read_workbook(source)
    path = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Status"]
    assert ws.freeze_panes == "D2"
    nr = {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)}
    assert nr == {1, 2, "03", 10, 5}
    # Ansattnr is an identifier: text, so that a leading zero is kept.
    assert {type(ws.cell(r, 1).value) for r in range(2, ws.max_row + 1)} == {str}
    assert 10 in {c.value for c in wb["Tiltak"]["D"]}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 9).value = "I rute"
    wb.save(path)
    rows = read_status(bok, path).rows
    assert {(row.ansattnr, row.nr) for row in rows} == {(l.ansattnr, n) for l in bok.avtaleledere()
                                                        for n in bok.tildeling.get(l.ansattnr, [])}
    assert {row.nr for row in rows} == {"1", "2", "03", "10", "5"}


def test_run_report_wraps_has_widths_and_filters(workbook, tmp_path):
    from generator.result import Item
    from generator.store.report import update_column, write_run_report

    bok = read_workbook(workbook)
    items = [Item(leder.ansattnr, leder.navn, "laget", [f"{leder.ansattnr}/avtale.docx", f"{leder.ansattnr}/avtale.pdf"],
                  ["en advarsel " * 12], 2) for leder in bok.avtaleledere()]
    path = tmp_path / "rapport.xlsx"
    write_run_report(path, bok, items, [], {"Signert": {items[0].ansattnr: "signert.pdf"}})
    update_column(path, "Arkivert", {items[1].ansattnr: "kvittering"})
    ws = openpyxl.load_workbook(path).active
    headers = [c.value for c in ws[1]]
    assert headers[-2:] == ["Signert", "Arkivert"]
    for c in range(1, len(headers) + 1):
        letter = openpyxl.utils.get_column_letter(c)
        assert ws.column_dimensions[letter].width and ws.column_dimensions[letter].width >= 10, headers[c - 1]
        assert ws.cell(2, c).alignment.wrap_text, headers[c - 1]
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{len(items) + 1}"
    assert ws.freeze_panes == "A2"
    # Ansattnr stays text here: scripts and `update_column` read the report's column A as text.
    assert [ws.cell(r, 1).value for r in range(2, len(items) + 2)] == [i.ansattnr for i in items]
    files = headers.index("Filer") + 1
    assert ws.cell(2, files).value.count("\n") == 1
    assert ws.row_dimensions[2].height >= 2 * xlsx.LINE_HEIGHT  # two files, the long warning
    assert ws.cell(2, len(headers) - 1).value == "signert.pdf" and ws.cell(3, len(headers)).value == "kvittering"
    assert_prints(ws, KOMMUNE)
