"""Sheet Kommune's fields, declared once (generator/workbook/columns.py, KOMMUNE_FIELDS).

A field is one line there: the reader, the template context, a new workbook's Kommune sheet and
Veiledning, the field catalogue (`lederavtale maler`) and `nytt-ar` all follow it. The first tests add a
made-up field in one line and follow it through; the others check the fields added with the line.
"""

from __future__ import annotations

import dataclasses
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
from generator.documents.context import agreement_context, kommune_fields
from generator.exceptions import WorkbookError
from generator.model import Kommune, Periode
from generator.workbook import read_workbook
from generator.workbook.columns import KOMMUNE, Field
from generator.workbook.write import build_workbook, starter_content

NEW_FIELD = Field("kontonummer", "Kontonummer", "Kommunens kontonummer for fakturaer.", aliases=("kontonr",),
                  template="kommunens kontonummer")


@pytest.fixture
def with_new_field():
    """KOMMUNE with one field more, for this test alone (the table is frozen: set as its own tests do)."""
    before = KOMMUNE.fields
    object.__setattr__(KOMMUNE, "fields", before + (NEW_FIELD,))
    try:
        yield
    finally:
        object.__setattr__(KOMMUNE, "fields", before)


def kommune_with(tmp_path: Path, *rows: list):
    sheets = basic_sheets()
    sheets["Kommune"] += [list(row) for row in rows]
    return read_workbook(write_xlsx(tmp_path / "bok.xlsx", sheets))


def errors_with(tmp_path: Path, *rows: list) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        kommune_with(tmp_path, *rows)
    return [str(p) for p in info.value.problems]


NEXT_ROW = len(basic_sheets()["Kommune"]) + 1  # the row the first added field gets


# --------------------------------------------------------------------------- one line per field


def test_a_new_field_is_read_into_the_context_and_a_new_workbook(tmp_path, with_new_field):
    bok = kommune_with(tmp_path, ["kontonr ", "1234 56 78901"])  # an alias, in another case, with a space
    assert bok.kommune.felt == {"kontonummer": "1234 56 78901"}
    assert bok.kommune.celle("kontonummer", "Kontonummer") == f"Kommune!B{NEXT_ROW}"
    assert kommune_fields(bok.kommune)["kontonummer"] == "1234 56 78901"
    assert agreement_context(bok, bok.leder("210"))["kommune"]["kontonummer"] == "1234 56 78901"

    content = starter_content()
    content["kommune"]["Kontonummer"] = "1234 56 78901"
    wb = build_workbook(**content)
    rows = {row[0]: row[1:] for row in wb["Kommune"].iter_rows(min_row=2, values_only=True)}
    assert rows["Kontonummer"] == ("1234 56 78901", "Kommunens kontonummer for fakturaer.")
    veiledning = {row[0]: row[1] for row in wb["Veiledning"].iter_rows(values_only=True) if row[0]}
    assert veiledning["Kontonummer"] == "Kommunens kontonummer for fakturaer."


# Runs the CLI with one Kommune field more than the product has: one line.
WITH_NEW_FIELD = r'''
import sys
from generator.workbook.columns import KOMMUNE, Field

object.__setattr__(KOMMUNE, "fields", KOMMUNE.fields + (
    Field("kontonummer", "Kontonummer", "Kommunens kontonummer for fakturaer.", template="kommunens kontonummer"),))

from generator.cli import main
main(sys.argv[1:])
'''


def run_with_new_field(tmp_path: Path, *args) -> subprocess.CompletedProcess:
    script = tmp_path / "med_nytt_felt.py"
    script.write_text(WITH_NEW_FIELD, encoding="utf-8")
    return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          timeout=300)


@pytest.mark.slow
def test_a_new_field_is_one_line_for_every_command(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"].append(["Kontonummer", "1234 56 78901"])
    workbook = write_xlsx(tmp_path / "bok.xlsx", sheets)
    maler = tmp_path / "maler"
    maler.mkdir()
    for item in (ROOT / "maler").iterdir():
        if item.is_file():
            (maler / item.name).write_bytes(item.read_bytes())
    doc = Document(str(maler / "lederavtale.docx"))
    doc.add_paragraph("Konto: {{ kommune.kontonummer }}")
    doc.save(str(maler / "lederavtale.docx"))

    checked = run_with_new_field(tmp_path, "sjekk", workbook, "--maler", maler)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    made = run_with_new_field(tmp_path, "generer", workbook, "--maler", maler, "--ut", tmp_path / "ut", "--ingen-pdf",
                              "--leder", "210")
    assert made.returncode == 0, made.stdout + made.stderr
    text = docx_text(tmp_path / "ut" / "2027" / "210 Øystein Sykehjem" / "Lederavtale 2027 - Øystein Sykehjem.docx")
    assert "Konto: 1234 56 78901" in text

    listed = run_with_new_field(tmp_path, "maler")
    assert any("{{ kommune.kontonummer }}" in line and line.rstrip().endswith("kommunens kontonummer")
               for line in listed.stdout.splitlines()), listed.stdout

    assert run_with_new_field(tmp_path, "init", tmp_path / "ny").returncode == 0
    new = openpyxl.load_workbook(tmp_path / "ny" / "lederavtale.xlsx")
    assert ["Kontonummer", None, "Kommunens kontonummer for fakturaer."] in [
        list(row) for row in new["Kommune"].iter_rows(values_only=True)]

    carried = run_with_new_field(tmp_path, "nytt-ar", workbook, "--til", 2028, "--ut", tmp_path / "2028.xlsx")
    assert carried.returncode == 0, carried.stdout + carried.stderr
    rows = {row[0]: row[1] for row in openpyxl.load_workbook(tmp_path / "2028.xlsx")["Kommune"].iter_rows(
        values_only=True)}
    assert rows["Kontonummer"] == "1234 56 78901"


def test_every_field_of_the_product_is_an_attribute_of_the_model():
    """A key the model lacks would still be read, into Kommune.felt; for the product's own fields that is a
    typo in the table, and code reading kommune.<key> would fail."""
    attributes = {f.name for f in dataclasses.fields(Kommune)}
    assert [f.key for f in KOMMUNE.fields if not f.own_rule and f.key not in attributes] == []


def test_the_model_defaults_are_the_declared_ones():
    """An empty cell reads as the field's type says; a Kommune made in code must get the same."""
    plain = Kommune("Testvik kommune", Periode(date(2027, 1, 1), date(2027, 12, 31)))
    for f in KOMMUNE.fields:
        if f.own_rule or f.required or f.key == "frist":  # required: no default; frist: from the period
            continue
        assert getattr(plain, f.key) == f.type.read(None, f.name, None), f.key


def test_names_are_unique_and_match_whatever_their_case():
    names = [name for f in KOMMUNE.fields for name in f.names]
    assert len(names) == len(set(names))
    assert len({f.key for f in KOMMUNE.fields}) == len(KOMMUNE.fields)


# --------------------------------------------------------------------------- Frist


def test_frist_is_always_set(tmp_path):
    assert kommune_with(tmp_path).kommune.frist == date(2027, 3, 31)
    assert kommune_with(tmp_path, ["Frist", "15.02.2027"]).kommune.frist == date(2027, 2, 15)
    assert Kommune("X", Periode(date(2028, 1, 1), date(2028, 12, 31))).frist == date(2028, 3, 31)
    context = kommune_fields(kommune_with(tmp_path).kommune)
    assert context["frist"] == date(2027, 3, 31)


def test_an_empty_frist_before_a_period_from_august_is_a_warning(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"][2] = ["Periode", None]
    sheets["Kommune"] += [["Fra", "01.08.2027"], ["Til", "31.07.2028"]]
    for row in sheets["Ledere"][1:]:
        row[9] = None  # Signert in January: before this period
    bok = read_workbook(write_xlsx(tmp_path / "bok.xlsx", sheets))
    assert bok.kommune.frist == date(2027, 3, 31)
    assert ("Kommune: Frist er tom, og standardfristen 31.03.2027 er før perioden begynner (01.08.2027); skriv "
            "datoen avtalene skal være signert innen") in [str(w) for w in bok.warnings]


def test_frist_must_be_a_date(tmp_path):
    assert errors_with(tmp_path, ["Frist", "i mars"]) == [
        f"Kommune!B{NEXT_ROW}: ugyldig dato «i mars»; skriv datoen som dd.mm.åååå"]


def test_frist_outside_the_period_is_a_warning(tmp_path):
    warnings = [str(w) for w in kommune_with(tmp_path, ["Frist", date(2026, 3, 31)]).warnings]
    assert (f"Kommune!B{NEXT_ROW}: Frist 31.03.2026 er før perioden begynner (01.01.2027); skriv datoen avtalene "
            "skal være signert innen") in warnings
    warnings = [str(w) for w in kommune_with(tmp_path, ["Frist", "01.01.2028"]).warnings]
    assert any(w.startswith(f"Kommune!B{NEXT_ROW}: Frist 01.01.2028 er etter at perioden slutter") for w in warnings)


# --------------------------------------------------------------------------- the other new fields


def test_new_fields_are_read_and_in_the_context(tmp_path):
    bok = kommune_with(tmp_path, ["Kontaktperson", "Kari Nordmann, HR-rådgiver, 12 34 56 78"],
                       ["Politisk sekretariat", "politikk@testvik.kommune.no"], ["Vedlegg til ordfører", "ja"],
                       ["Sak systemID", " 22f05e04-37c4-4051-8b3a-853c8eac4b33 "])
    k = bok.kommune
    assert k.kontaktperson == "Kari Nordmann, HR-rådgiver, 12 34 56 78"
    assert k.politisk_sekretariat == "politikk@testvik.kommune.no"
    assert k.vedlegg_til_ordforer is True
    assert k.sak_system_id == "22f05e04-37c4-4051-8b3a-853c8eac4b33"
    context = agreement_context(bok, bok.leder("100"))["kommune"]
    assert (context["kontaktperson"], context["politisk_sekretariat"], context["vedlegg_til_ordforer"],
            context["sak_system_id"]) == (k.kontaktperson, k.politisk_sekretariat, True, k.sak_system_id)
    assert context["logo"] == ""  # the renderer puts the picture in its place


def test_new_fields_default_to_empty_and_no(tmp_path):
    k = kommune_with(tmp_path).kommune
    assert (k.kontaktperson, k.politisk_sekretariat, k.vedlegg_til_ordforer, k.sak_system_id) == ("", "", False, "")


@pytest.mark.parametrize("row, message", [
    (["Politisk sekretariat", "politikk(at)testvik"], "ugyldig e-postadresse «politikk(at)testvik»"),
    (["Vedlegg til ordfører", "kanskje"], "Vedlegg til ordfører må være «ja» eller «nei», ikke «kanskje»"),
    (["Sak systemID", "2027/123"], "Sak systemID «2027/123» er ikke en systemID fra arkivet (en UUID, f.eks. "
                                   "22f05e04-37c4-4051-8b3a-853c8eac4b33); kopier den fra saken i sak/arkiv-systemet"),
])
def test_a_bad_value_is_refused_at_its_cell(tmp_path, row, message):
    assert errors_with(tmp_path, row) == [f"Kommune!B{NEXT_ROW}: {message}"]


def test_sak_system_id_is_not_used_with_personalmappe(tmp_path):
    bok = kommune_with(tmp_path, ["Sak systemID", "22f05e04-37c4-4051-8b3a-853c8eac4b33"], ["Plassering", "personalmappe"],
                       ["Klassifikasjonssystem", "Ansattnummer"], ["Klasse", "Ansattnr"])
    assert (f"Kommune!B{NEXT_ROW}: Sak systemID blir ikke brukt med Plassering «personalmappe»: hver leders avtale "
            "arkiveres i lederens egen mappe") in [str(w) for w in bok.warnings]


def test_a_sak_system_id_is_a_place_for_the_archive_without_arkivsak(tmp_path):
    """`arkiv` checks the placement with the workbook's Sak systemID: a sak by its systemID alone is enough,
    so the run gets past that check (and stops where it should here: nothing is generated)."""
    sheets = basic_sheets()
    sheets["Kommune"] = [row for row in sheets["Kommune"] if row[0] != "Arkivsak"]
    sheets["Kommune"] += [["Saksbehandler", "hr@testvik.kommune.no"]]
    without = write_xlsx(tmp_path / "uten.xlsx", sheets)
    refused = CliRunner().invoke(main, ["arkiv", str(without), "--ut", str(tmp_path / "ut")])
    assert refused.exit_code == 1 and "fyll ut Arkivsak" in refused.output, refused.output
    sheets["Kommune"] += [["Sak systemID", "22f05e04-37c4-4051-8b3a-853c8eac4b33"]]
    with_id = write_xlsx(tmp_path / "med.xlsx", sheets)
    passed = CliRunner().invoke(main, ["arkiv", str(with_id), "--ut", str(tmp_path / "ut")])
    assert "fyll ut Arkivsak" not in passed.output, passed.output


def test_formatkode_says_what_an_empty_cell_means():
    (formatkode,) = [f for f in KOMMUNE.fields if f.key == "formatkode"]
    assert formatkode.help.endswith("Tom: PDF i Fiks-meldingen og fmt/477 i Noark 5-uttrekket.")


# --------------------------------------------------------------------------- nytt-ar


def test_next_year_clears_the_fields_of_one_year_and_keeps_the_others(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"] += [["Frist", date(2027, 3, 1)], ["Sak systemID", "22f05e04-37c4-4051-8b3a-853c8eac4b33"],
                          ["Kontaktperson", "Kari Nordmann, HR-rådgiver"], ["Vedlegg til ordfører", "ja"],
                          ["Politisk sekretariat", "politikk@testvik.kommune.no"]]
    sheets["Ledere"][0] += ["Avtalesamtale", "Avdeling"]
    for row in sheets["Ledere"][1:]:
        row += [date(2027, 1, 12), "Avdeling A"]
    workbook = write_xlsx(tmp_path / "bok.xlsx", sheets)
    result = CliRunner().invoke(main, ["nytt-ar", str(workbook), "--til", "2028", "--ut", str(tmp_path / "ny.xlsx")])
    assert result.exit_code == 0, result.output
    new = read_workbook(tmp_path / "ny.xlsx")
    k = new.kommune
    assert (k.frist, k.sak_system_id, k.arkivsak) == (date(2028, 3, 31), "", "")
    assert (k.kontaktperson, k.vedlegg_til_ordforer, k.politisk_sekretariat) == (
        "Kari Nordmann, HR-rådgiver", True, "politikk@testvik.kommune.no")
    assert {leder.avtalesamtale for leder in new.ledere} == {None}
    assert {leder.avdeling for leder in new.ledere} == {"Avdeling A"}
