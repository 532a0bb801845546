"""`nytt-ar`: next year's workbook passes `sjekk`, carries what is not done, and never overwrites."""

from __future__ import annotations

from collections import Counter

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import write_xlsx
from synth import synthetic_sheets

from generator.cli import main
from generator.status.workbook import write_status_workbook
from generator.workbook import read_workbook

N_LEADERS = 30


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def workbook(tmp_path):
    return write_xlsx(tmp_path / "arbeidsbok.xlsx", synthetic_sheets(N_LEADERS))


def sheet_rows(path, name) -> list[dict]:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:] if any(v is not None for v in row)]


@pytest.mark.slow
def test_next_year_without_status(workbook, tmp_path):
    ny = tmp_path / "2028" / "arbeidsbok 2028.xlsx"
    result = run("nytt-ar", workbook, "--til", 2028, "--ut", ny)
    assert result.exit_code == 0, result.output
    assert run("sjekk", ny).exit_code == 0
    old, new = read_workbook(workbook), read_workbook(ny)
    assert new.kommune.periode.ar == 2028 and new.kommune.arkivsak == ""
    assert (new.kommune.navn, new.kommune.adresse, new.kommune.malform) == (
        old.kommune.navn, old.kommune.adresse, old.kommune.malform)
    assert [(l.ansattnr, l.navn, l.overordnet, l.avtale) for l in new.ledere] == [
        (l.ansattnr, l.navn, l.overordnet, l.avtale) for l in old.ledere]
    assert any(l.signert for l in old.ledere) and not any(l.signert for l in new.ledere)
    # Extra columns of Ledere are kept.
    assert [l.ekstra for l in new.ledere] == [l.ekstra for l in old.ledere]
    assert [o.nr for o in new.oppdrag] == [o.nr for o in old.oppdrag]
    assert new.tildeling == old.tildeling
    assert new.tiltak == [] and new.utviklingsmal == []
    # The same layout as `init`: instructions and drop-downs.
    wb = openpyxl.load_workbook(ny)
    assert wb.sheetnames[0] == "Veiledning"
    assert wb["Ledere"].data_validations.dataValidation


@pytest.mark.slow
def test_next_year_with_status_carries_what_is_not_done(workbook, tmp_path):
    bok = read_workbook(workbook)
    status = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), status)
    wb = openpyxl.load_workbook(status)
    ws = wb["Status"]
    done_nr, mixed_nr = bok.oppdrag[0].nr, bok.oppdrag[1].nr
    for row in ws.iter_rows(min_row=2):
        nr = str(row[3].value)
        if nr == done_nr:
            row[8].value = "Fullført"
        elif nr == mixed_nr:
            row[8].value = "Utgår" if row[0].row % 2 else "I rute"
        elif nr == bok.oppdrag[2].nr:
            row[8].value = "Utgår"
    wb.save(status)
    ny = tmp_path / "ny.xlsx"
    result = run("nytt-ar", workbook, "--til", 2028, "--status", status, "--ut", ny)
    assert result.exit_code == 0, result.output
    assert run("sjekk", ny).exit_code == 0
    rows = sheet_rows(ny, "Oppdrag")
    kept = [str(r["Nr"]) for r in rows]
    assert done_nr not in kept and bok.oppdrag[2].nr not in kept
    assert kept == [o.nr for o in bok.oppdrag if o.nr not in (done_nr, bok.oppdrag[2].nr)]
    fra = {str(r["Nr"]): r["Fra"] for r in rows}
    counts = Counter("I rute" if (r % 2 == 0) else "Utgår" for r, row in enumerate(ws.iter_rows(min_row=2), start=2)
                     if str(row[3].value) == mixed_nr)
    assert fra[mixed_nr] == f"2027, status I rute {counts['I rute']}, Utgår {counts['Utgår']}"
    assert fra[bok.oppdrag[3].nr] == "2027, status Ikke rapportert"
    assert read_workbook(ny).oppdrag[0].ekstra["Fra"].startswith("2027, status")


def test_next_year_refuses_to_overwrite(workbook, tmp_path):
    ny = tmp_path / "ny.xlsx"
    ny.write_bytes(b"noe viktig")
    result = run("nytt-ar", workbook, "--til", 2028, "--ut", ny)
    assert result.exit_code == 1
    assert "finnes allerede" in result.output and "Traceback" not in result.output
    assert ny.read_bytes() == b"noe viktig"
    # Nor the workbook itself.
    assert run("nytt-ar", workbook, "--til", 2028, "--ut", workbook).exit_code == 1


@pytest.mark.slow
def test_next_year_with_bad_status_writes_nothing(workbook, tmp_path):
    bok = read_workbook(workbook)
    status = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), status)
    wb = openpyxl.load_workbook(status)
    wb["Status"]["I3"] = "Nesten ferdig"
    wb.save(status)
    ny = tmp_path / "ny.xlsx"
    result = run("nytt-ar", workbook, "--til", 2028, "--status", status, "--ut", ny)
    assert result.exit_code == 1 and "Status!I3: «Nesten ferdig» er ikke en gyldig status" in result.output
    assert not ny.exists()


def test_next_year_moves_frist_and_empties_oppfolging_saying_so(tmp_path):
    from datetime import date

    from conftest import basic_sheets

    sheets = basic_sheets()
    sheets["Ledere"][0].append("Oppfølging")
    for row in sheets["Ledere"][1:]:
        row.append("10.06.2027 og 18.11.2027" if row[0] == 210 else None)
    sheets["Oppdrag"][3][6] = date(2028, 2, 29)  # into 2029, which has no 29 February
    source = write_xlsx(tmp_path / "arbeidsbok.xlsx", sheets)
    ny = tmp_path / "ny.xlsx"
    result = run("nytt-ar", source, "--til", 2028, "--ut", ny)
    assert result.exit_code == 0, result.output
    new = read_workbook(ny)
    assert {o.nr: o.frist for o in new.oppdrag} == {
        "1": date(2028, 12, 31), "2": date(2028, 12, 31), "3": date(2029, 2, 28), "4": None, "5": None}
    assert all(leder.oppfolging == "" for leder in new.ledere)
    out = result.output
    assert "Frist flyttet 1 år frem for 3 oppdrag" in out
    assert "oppdrag 1: 31.12.2027 → 31.12.2028" in out and "oppdrag 3: 29.02.2028 → 28.02.2029" in out
    assert "oppdrag 4" not in out
    assert "Oppfølging (arket Ledere) tømt for 1 leder" in out
    assert "Øystein Sykehjem (210): «10.06.2027 og 18.11.2027»" in out
    assert run("sjekk", ny).exit_code == 0
