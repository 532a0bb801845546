"""What the commands print on a terminal: names, paths and cell text never act on it.

A file name or a cell can hold an escape sequence (retitle the window, clear the screen) or a
line break that fakes a line of output. Every such character is shown escaped.
"""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx

from generator.cli import main
from generator.terminal import visible
from generator.store.files import TEMP_PREFIX, atomic_write_bytes

TITLE = "\x1b]0;hacked\x07"  # sets the terminal window's title
CLEAR = "\x1b[2J"
FAKE = "\nKvitteringer: 16 nye"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_inert(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "\r" not in output
    assert not any(line.strip() == FAKE.strip() for line in output.splitlines())


def test_visible_escapes_controls_and_keeps_letters():
    assert visible(f"Åse {TITLE}{CLEAR}{FAKE}\u202e") == (
        "Åse \\x1b]0;hacked\\x07\\x1b[2J\\nKvitteringer: 16 nye\\u202e")
    assert visible("Kari Anne Ødegård – 王 👩‍💻") == "Kari Anne Ødegård – 王 👩‍💻"


def test_paths_with_escape_sequences_are_printed_escaped(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    ut = tmp_path / f"ut{TITLE}{CLEAR}{FAKE}"
    result = run("generer", workbook, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert "ut\\x1b]0;hacked\\x07\\x1b[2J\\nKvitteringer: 16 nye" in result.output
    missing = run("sjekk", tmp_path / f"finnes ikke{CLEAR}{FAKE}.xlsx")
    assert missing.exit_code == 1 and "\\x1b[2J" in missing.output
    assert_inert(missing.output)


def test_a_cell_with_a_line_break_cannot_add_a_line(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"][7][1] = f"Nils{FAKE}"  # Nils has no e-mail address: his name is in a warning
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("sjekk", workbook)
    assert result.exit_code == 0, result.output
    assert "Nils\\nKvitteringer: 16 nye" in result.output
    assert_inert(result.output)


def test_receipt_file_names_are_printed_escaped(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    ut = tmp_path / "ut"
    assert run("generer", workbook, "--ut", ut, "--ingen-pdf").exit_code == 0
    receipts = tmp_path / "kvitteringer"
    receipts.mkdir()
    (receipts / f"{TITLE}{CLEAR}{FAKE}.xml").write_bytes(b"<ikke en kvittering/>")
    result = run("arkiv", workbook, "--ut", ut, "--kvitteringer", receipts)
    assert "\\x1b]0;hacked" in result.output, result.output
    assert_inert(result.output)


def test_an_empty_path_is_refused(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        before = sorted(p.name for p in tmp_path.iterdir())
        result = run("generer", workbook, "--ut", "", "--ingen-pdf")
        assert result.exit_code == 2 and "kan ikke være tom" in result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == before
        assert run("nytt-ar", workbook, "--til", 2028, "--ut", " ").exit_code == 2
    finally:
        os.chdir(cwd)


def test_failed_run_does_not_say_ferdig_before_its_failures(tmp_path):
    from conftest import GOAL_TEXT

    sheets = basic_sheets()
    sheets["Tiltak"].append([210, "1", GOAL_TEXT])
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert not any(line.startswith("Ferdig:") for line in lines)
    assert any(line.startswith("Skrevet: 7 ledere") for line in lines)
    assert any(line.startswith("Ferdig, men noen dokumenter feilet") for line in lines)


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    ut = tmp_path / "ut"
    (ut / "2027" / "rapport.xlsx").mkdir(parents=True)  # the report cannot replace a folder
    (ut / "2027" / "rapport.xlsx" / "x").write_text("x")
    result = run("generer", workbook, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 1, result.output
    assert "rapport.xlsx" in result.output and TEMP_PREFIX not in result.output and ".tmp" not in result.output
    try:
        atomic_write_bytes(ut / "2027" / "rapport.xlsx", b"x")
    except OSError as exc:
        assert exc.filename == str(ut / "2027" / "rapport.xlsx") and TEMP_PREFIX not in str(exc)
    else:
        raise AssertionError("a folder cannot be replaced by a file")
    assert not [p for p in Path(ut / "2027").iterdir() if p.name.startswith(TEMP_PREFIX)]
