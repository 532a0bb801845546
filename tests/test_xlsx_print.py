"""Every spreadsheet the tool writes prints: landscape, one page wide, the header row on every page, the
municipality and the page number in the margins, rows tall enough for their wrapped text, one font
(the documents' Arial) in every cell and margin, each column aligned with its header; and sorts."""

from __future__ import annotations

from datetime import date

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


def assert_prints(ws, kommune: str | None, title_rows: bool = True, title: str | None = None):
    assert ws.page_setup.orientation == "landscape", ws.title
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    if title_rows:
        assert ws.print_title_rows == "$1:$1", ws.title
    assert ws.oddFooter.center.text == "Side &P av &N", ws.title
    assert ws.oddHeader.right.text == ws.title
    assert ws.oddHeader.left.text == kommune, ws.title
    assert ws.oddHeader.center.text == title, ws.title
    # The margins in the cells' font, the municipality and the title bold.
    assert ws.oddFooter.center.font == ws.oddHeader.right.font == "Arial,Regular", ws.title
    if kommune:
        assert ws.oddHeader.left.font == "Arial,Bold", ws.title
    if title:
        assert ws.oddHeader.center.font == "Arial,Bold", ws.title


def assert_one_font(wb):
    """Every cell in Arial, headers included, and the book's default font too (a cell nobody styled,
    such as one a leader types into, and the unit of the column widths)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.font.name == "Arial" and cell.font.scheme is None, (ws.title, cell.coordinate)
        assert ws.cell(ws.max_row + 5, ws.max_column + 5).font.name == "Arial", ws.title
    assert wb._fonts[0].name == "Arial" and wb._fonts[0].sz == xlsx.FONT_SIZE


def test_status_workbook_prints(workbook, tmp_path):
    bok = read_workbook(workbook)
    path = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), path, today=date(2027, 10, 15))
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert_prints(ws, KOMMUNE, title_rows=ws.title != "Veiledning", title="Statusbok 2027, laget 15.10.2027")
    assert_one_font(wb)
    header = wb["Status"]["A1"]
    assert header.font.b and header.font.color.rgb.endswith("FFFFFF")


def test_run_report_prints_and_keeps_its_header_when_a_column_is_added(tmp_path):
    from generator.store.report import update_column

    path = tmp_path / "rapport.xlsx"
    write_report(path, ["Ansattnr", "Navn", "Filer"], [["1", "Ola", "a.docx\nb.pdf"]], KOMMUNE)
    update_column(path, "Arkivert", {"1": "ja"})
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert_prints(ws, KOMMUNE)
    assert ws.cell(1, 4).value == "Arkivert"
    assert_one_font(wb)  # the column added to a book read back from its file too


def test_new_workbooks_print(workbook, tmp_path):
    assert run("init", tmp_path / "ny").exit_code == 0
    new = openpyxl.load_workbook(tmp_path / "ny" / "lederavtale.xlsx")
    for ws in new.worksheets:
        # init's municipality is a placeholder HR replaces: no name in the header.
        assert_prints(ws, None, title_rows=ws.title != "Veiledning")
    assert_one_font(new)  # also the fonts `init` sets without a name (bold required fields)
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


# A word of ten digits is 55.6 points of Arial 10 pt; two of them and a space (114 points) are wider
# than a column 20 wide holds in Excel (about 101 points) and in LibreOffice (about 108): one word a line.
WORD = "0123456789"


@pytest.mark.parametrize("text, lines", [
    (" ".join([WORD] * 3), 3),
    (" ".join([WORD] * 7), 7),
    ("en\nto\ntre\nfire", 4),  # line breaks inside the text
    (f"{WORD} {WORD}\n{WORD}\n\n{WORD} {WORD} {WORD}", 7),  # both, and an empty line
    (WORD * 5, 3),  # one word longer than the line: broken, 278 points over lines of about 101
])
def test_a_row_is_as_tall_as_the_lines_its_text_needs(tmp_path, text, lines):
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("Ark")
    xlsx.table(ws, [("Kort", 10), ("Lang", 20)], [["a", text]], {2: xlsx.TOP_WRAP})
    path = tmp_path / "ark.xlsx"
    xlsx.save(wb, path)
    written = openpyxl.load_workbook(path)["Ark"]
    assert written.row_dimensions[2].height >= lines * xlsx.LINE_HEIGHT
    # Not a page of empty lines either: at most one line more than the text needs.
    assert written.row_dimensions[2].height <= (lines + 1) * xlsx.LINE_HEIGHT


def test_text_lines_measures_words_not_characters():
    # Forty narrow letters fit on a line where twenty wide ones do not: the old estimate counted every
    # character alike (22 to a line in a column 20 wide), too many lines for the one, too few for the other.
    assert xlsx.text_lines("i" * 40, 20) == 1
    assert xlsx.text_lines("W" * 20, 20) == 2
    # A word that does not fit on the line moves whole to the next.
    assert xlsx.text_lines("en to " + WORD, 12) == 2
    assert xlsx.text_lines("", 10) == 1


def test_each_column_is_aligned_with_its_header(tmp_path):
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("Ark")
    # A column of counts, a column of text, and Nr: an identifier where a number stands beside «2a».
    xlsx.table(ws, [("Nr", 7), ("Enhet", 20), ("Antall", 10)], [[1, "A", 14], ["2a", "B", 3], [10, "C", None]],
               {1: xlsx.TOP})
    path = tmp_path / "ark.xlsx"
    xlsx.save(wb, path)
    ws = openpyxl.load_workbook(path)["Ark"]
    for column, side in (("A", "left"), ("B", "left"), ("C", "center")):
        assert {c.alignment.horizontal for c in ws[column] if c.value is not None} == {side}, column


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
    sheets["Oppdrag"][2][0] = "2a"  # not a number: stays text
    sheets["Tiltak"] = [row if row[1] != "2" else [row[0], "2a", row[2]] for row in sheets["Tiltak"]]
    source = write_xlsx(tmp_path / "nr.xlsx", sheets)
    bok = read_workbook(source)
    path = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Status"]
    assert ws.freeze_panes == "D2"
    nr = {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)}
    assert nr == {1, "2a", "03", 10, 5}
    # Left, like the header: the number 1 and the text «2a» in one line down the column.
    assert {ws.cell(r, 4).alignment.horizontal for r in range(1, ws.max_row + 1)} == {"left"}
    # Ansattnr is an identifier: text, so that a leading zero is kept.
    assert {type(ws.cell(r, 1).value) for r in range(2, ws.max_row + 1)} == {str}
    assert 10 in {c.value for c in wb["Tiltak"]["D"]}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 9).value = "I rute"
    wb.save(path)
    rows = read_status(bok, path).rows
    assert {(row.ansattnr, row.nr) for row in rows} == {(l.ansattnr, n) for l in bok.avtaleledere()
                                                        for n in bok.tildeling.get(l.ansattnr, [])}
    assert {row.nr for row in rows} == {"1", "2a", "03", "10", "5"}


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
