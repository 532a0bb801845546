"""The workbook schema (generator/workbook/columns.py) drives everything: a new column is one line there.

The first test adds columns to the table in a separate process, and in that process alone, and
runs the real commands on real files: the reader, the template check, the documents, the field
catalogue (`lederavtale maler`) and `nytt-ar` all follow the one line. The others check the
status workbook read through the same cell access as the main workbook.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, basic_sheets, docx_text, write_xlsx
from docx import Document

from generator.cli import main
from generator.documents.fields import FIELDS
from generator.status.workbook import write_status_workbook
from generator.workbook import read_workbook

MALER = ROOT / "maler"

# Runs the CLI with three columns more in the table than the product has: one line each.
WITH_NEW_COLUMNS = r'''
import sys
from generator.workbook.columns import LEDERE, OPPDRAG, TILTAK, Column

def add(sheet, column):
    object.__setattr__(sheet, "columns", sheet.columns + (column,))

add(LEDERE, Column("telefon", "Telefon", ("telefon", "mobil"), "Lederens telefonnummer.",
                   template="${label}s telefonnummer"))
add(LEDERE, Column("tiltradt", "Tiltrådt", ("tiltrådt", "tiltradt"), "Datoen lederen tiltrådte.", date=True,
                   template="datoen $label tiltrådte (dato)"))
add(OPPDRAG, Column("hensikt", "Hensikt", ("hensikt",), "Hvorfor oppdraget gis.", template="hvorfor oppdraget gis"))
add(TILTAK, Column("ansvarlig", "Ansvarlig", ("ansvarlig",), "Hvem som gjør tiltaket.",
                   template="hvem som gjør tiltaket"))

from generator.cli import main
main(sys.argv[1:])
'''


def run_with_new_columns(tmp_path: Path, *args) -> subprocess.CompletedProcess:
    script = tmp_path / "med_nye_kolonner.py"
    script.write_text(WITH_NEW_COLUMNS, encoding="utf-8")
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          timeout=300)


def workbook_with_new_columns(tmp_path: Path) -> Path:
    sheets = basic_sheets()
    ledere = sheets["Ledere"]
    # Written under an alias, so that only a column of the table (not one of HR's own) is found.
    ledere[0] += ["Mobil", "Tiltrådt"]
    for row in ledere[1:]:
        row += [f"9000{row[0]}", date(2020, 3, 1) if row[0] == 210 else None]
    sheets["Oppdrag"][0].append("Hensikt")
    for row in sheets["Oppdrag"][1:]:
        row.append("Færre sykmeldte" if row[0] == "2" else None)
    sheets["Tiltak"][0].append("Ansvarlig")
    for row in sheets["Tiltak"][1:]:
        row.append("Avdelingslederen" if row[2].startswith("Ukentlige") else "NAV-kontakten")
    return write_xlsx(tmp_path / "bok.xlsx", sheets)


def template_folder(tmp_path: Path, name: str, paragraph: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for item in MALER.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    doc = Document(str(folder / "lederavtale.docx"))
    doc.add_paragraph(paragraph)
    doc.save(str(folder / "lederavtale.docx"))
    return folder


NEW_FIELDS = ("Telefon: {{ leder.telefon }} / {{ overordnet.telefon }}; tiltrådt {{ leder.tiltradt|dato }}; "
              "i ekstra: {{ 'Mobil' in leder.ekstra }}; "
              "hensikt: {% for o in oppdrag %}{{ o.hensikt }}{% for t in o.tiltak %} ({{ t.ansvarlig }}){% endfor %}"
              "|{% endfor %}")


@pytest.mark.slow
def test_a_new_column_is_one_line_in_the_table(tmp_path):
    workbook = workbook_with_new_columns(tmp_path)
    maler = template_folder(tmp_path, "maler", NEW_FIELDS)

    checked = run_with_new_columns(tmp_path, "sjekk", workbook, "--maler", maler)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    out = tmp_path / "ut"
    made = run_with_new_columns(tmp_path, "generer", workbook, "--maler", maler, "--ut", out, "--ingen-pdf")
    assert made.returncode == 0, made.stdout + made.stderr
    text = docx_text(out / "2027" / "210 Øystein Sykehjem" / "Lederavtale 2027 - Øystein Sykehjem.docx")
    assert "Telefon: 9000210 / 9000200; tiltrådt 01.03.2020; i ekstra: False;" in text
    assert "Færre sykmeldte (Avdelingslederen) (NAV-kontakten)|" in text

    # The template check knows the new names, and suggests them for a typo.
    typo = template_folder(tmp_path, "skrivefeil", "{{ leder.telefn }}")
    refused = run_with_new_columns(tmp_path, "sjekk", workbook, "--maler", typo)
    assert refused.returncode == 1
    assert "ukjent felt «leder.telefn». Mente du «leder.telefon»?" in refused.stdout + refused.stderr

    listed = run_with_new_columns(tmp_path, "maler")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for code, text in (("{{ leder.telefon }}", "lederens telefonnummer"),
                       ("{{ overordnet.telefon }}", "overordnet leders telefonnummer"),
                       ("{{ leder.tiltradt }}", "datoen lederen tiltrådte (dato)"),
                       ("{{ o.hensikt }}", "hvorfor oppdraget gis"),
                       ("{{ t.ansvarlig }}", "hvem som gjør tiltaket")):
        assert any(code in line and line.rstrip().endswith(text) for line in lines), code

    # nytt-ar carries the column as a column of the table: canonical header, its note, its values.
    ny = tmp_path / "ny.xlsx"
    carried = run_with_new_columns(tmp_path, "nytt-ar", workbook, "--til", 2028, "--ut", ny)
    assert carried.returncode == 0, carried.stdout + carried.stderr
    ws = openpyxl.load_workbook(ny)["Ledere"]
    headers = [c.value for c in ws[1]]
    assert "Mobil" not in headers
    telefon = headers.index("Telefon") + 1
    assert ws.cell(1, telefon).comment.text.startswith("Lederens telefonnummer.")
    assert [ws.cell(r, telefon).value for r in range(2, ws.max_row + 1)] == [
        f"9000{row[0]}" for row in basic_sheets()["Ledere"][1:]]


# The catalogue lines of the existing Ledere fields, word for word as before the table drove them.
PERSON_FIELDS = {
    "leder.navn": "lederens fulle navn",
    "leder.fornavn": "lederens fornavn (kolonnen Fornavn, ellers første ord i Navn), f.eks. til en hilsen",
    "leder.stilling": "lederens stilling (midt i en setning: {{ leder.stilling|liten }})",
    "leder.enhet": "lederens enhet",
    "leder.niva": "lederens nivå (kommunedirektør, kommunalsjef, virksomhetsleder …)",
    "leder.epost": "lederens e-postadresse",
    "leder.ansattnr": "lederens ansattnummer",
    "leder.oppfolging": "oppfølgingssamtalene som er avtalt med lederen (arket Ledere, Oppfølging)",
    "leder.ekstra": "egne kolonner i arket Ledere for lederen, f.eks. {{ leder.ekstra[\"Telefon\"] }}",
    "overordnet.navn": "overordnet leders fulle navn",
    "overordnet.stilling": "overordnet leders stilling (midt i en setning: {{ overordnet.stilling|liten }})",
    "overordnet.oppfolging": "oppfølgingssamtalene som er avtalt med overordnet leder (arket Ledere, Oppfølging)",
    "o.tekst": "selve oppdraget",
    "o.frist": "fristen (dato; skriv {{ o.frist|dato }}, tom hvis ingen frist)",
    "t.tekst": "tiltakets tekst (det samme som {{ t }})",
}


def test_the_catalogue_keeps_the_existing_fields_word_for_word():
    catalogue = {f.name: f.forklaring for f in FIELDS}
    assert {name: catalogue.get(name) for name in PERSON_FIELDS} == PERSON_FIELDS
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))


# --------------------------------------------------------------------------- the status workbook


@pytest.fixture
def status_book(tmp_path):
    workbook = write_xlsx(tmp_path / "bok.xlsx", basic_sheets())
    bok = read_workbook(workbook)
    path = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), path)
    return workbook, path


def status(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_status_workbook_is_written_from_the_table(status_book):
    from generator.workbook.columns import STATUS

    _workbook, path = status_book
    ws = openpyxl.load_workbook(path)["Status"]
    assert [c.value for c in ws[1]] == [c.header for c in STATUS.columns]
    for number, column in enumerate(STATUS.columns, start=1):
        letter = openpyxl.utils.get_column_letter(number)
        assert ws.column_dimensions[letter].width == pytest.approx(column.width, abs=1)
        assert ws.cell(2, number).protection.locked is not column.input, column.key


@pytest.mark.slow
def test_status_headers_are_matched_as_in_the_workbook(status_book, tmp_path):
    workbook, path = status_book
    wb = openpyxl.load_workbook(path)
    wb["Status"]["A1"] = "ansattnummer "  # an alias, in another case, with a space
    wb["Status"]["I2"] = "I rute"
    wb.save(path)
    result = status("status", workbook, path, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rapport" / "2027" / "statusrapport.xlsx").is_file()


def test_an_excel_error_in_a_status_cell_is_refused_with_its_place(status_book, tmp_path):
    workbook, path = status_book
    wb = openpyxl.load_workbook(path)
    wb["Status"]["I3"] = "Forsinket"
    wb["Status"]["K3"] = "#N/A"  # a lookup gone wrong: not a comment for the public report
    wb.save(path)
    result = status("status", workbook, path, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1
    assert "Status!K3: cellen inneholder feilverdien «#N/A»" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "rapport").exists()


def test_a_status_column_twice_is_refused(status_book, tmp_path):
    workbook, path = status_book
    wb = openpyxl.load_workbook(path)
    wb["Status"]["L1"] = "status"  # which of the two would count?
    wb.save(path)
    result = status("status", workbook, path, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1
    assert "Status!L1: kolonnen «Status» finnes to ganger" in result.output
    assert not (tmp_path / "rapport").exists()


def test_a_row_of_formulas_without_values_is_not_skipped(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"].append(["=1000+1", '="Ny"&" leder"', None, None, None, None, None, None, None, None])
    workbook = write_xlsx(tmp_path / "bok.xlsx", sheets)  # openpyxl stores no values: nobody calculated them
    result = status("sjekk", workbook)
    assert result.exit_code == 1
    message = "formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen"
    assert f"Ledere!A10: {message}" in result.output and f"Ledere!B10: {message}" in result.output
