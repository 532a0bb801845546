"""Each leader's own targets (issue 31): sheet Måltall, the selector selv-og-under:, and the warning for a
level nobody has.

In the basic workbook, assignment 2 (Sykefravær, Mål «Sykefravær under 6,7 %», Utgangspunkt «8,1 %»)
goes to the virksomhetsledere and the avdelingsleder: 210, 310, 320 and 211.
"""

from __future__ import annotations

import openpyxl
import pytest
from conftest import basic_sheets, write_xlsx

from generator.documents.context import agreement_context
from generator.exceptions import WorkbookError
from generator.status.workbook import write_status_workbook
from generator.workbook import read_workbook

HEADER = ["Ansattnr", "Nr", "Mål", "Utgangspunkt"]


def with_maltall(*rows: list) -> dict:
    sheets = basic_sheets()
    sheets["Måltall"] = [HEADER, *map(list, rows)]
    return sheets


def read(tmp_path, sheets):
    return read_workbook(write_xlsx(tmp_path / "bok.xlsx", sheets))


def problems(tmp_path, sheets) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        read(tmp_path, sheets)
    return [str(p) for p in info.value.problems]


def figures(bok, ansattnr: str, nr: str) -> tuple[str, str]:
    (o,) = [o for o in agreement_context(bok, bok.leder(ansattnr))["oppdrag"] if o["nr"] == nr]
    return o["mal"], o["utgangspunkt"]


# --------------------------------------------------------------------------- Måltall


def test_a_leaders_own_figures_replace_the_assignments_in_that_leaders_documents(tmp_path):
    bok = read(tmp_path, with_maltall([210, "2", "Sykefravær under 9 %", "10,4 % i 2026"],
                                      [310, 2, "Sykefravær under 5 %", None],  # Utgangspunkt: the assignment's
                                      [211, "2", None, "11,0 % i 2026"]))
    assert figures(bok, "210", "2") == ("Sykefravær under 9 %", "10,4 % i 2026")
    assert figures(bok, "310", "2") == ("Sykefravær under 5 %", "8,1 %")
    assert figures(bok, "211", "2") == ("Sykefravær under 6,7 %", "11,0 % i 2026")
    assert figures(bok, "320", "2") == ("Sykefravær under 6,7 %", "8,1 %")  # no row: the assignment's own
    assert figures(bok, "210", "1") == ("Avvik under 1 %", "Avvik 2,3 % i 2026")
    # The areas group the same objects as the flat list.
    context = agreement_context(bok, bok.leder("210"))
    grouped = [o for omrade in context["omrader"] for o in omrade["oppdrag"] if o["nr"] == "2"]
    assert [o["mal"] for o in grouped] == ["Sykefravær under 9 %"]
    # The assignment itself keeps its own figures, for the status report's table per assignment.
    assert bok.oppdrag[1].mal == "Sykefravær under 6,7 %"
    assert [(m.ansattnr, m.nr, m.rad) for m in bok.maltall] == [("210", "2", 2), ("310", "2", 3), ("211", "2", 4)]


def test_the_status_workbook_has_each_leaders_own_target(tmp_path):
    bok = read(tmp_path, with_maltall([210, "2", "Sykefravær under 9 %", None]))
    path = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), path)
    ws = openpyxl.load_workbook(path)["Status"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)]
    targets = {(str(r["Ansattnr"]), str(r["Nr"])): r["Mål"] for r in rows}
    assert targets[("210", "2")] == "Sykefravær under 9 %"
    assert targets[("310", "2")] == "Sykefravær under 6,7 %"


def test_the_sheet_is_optional_and_may_be_empty(tmp_path):
    assert read(tmp_path, basic_sheets()).maltall == []
    assert read(tmp_path, with_maltall()).maltall == []


@pytest.mark.parametrize("row, message", [
    ([999, "2", "x", None], "Måltall!A2: Ansattnr «999» finnes ikke i arket Ledere"),
    ([210, "9", "x", None], "Måltall!B2: oppdrag «9» finnes ikke i arket Oppdrag"),
    ([200, "2", "x", None], "Måltall!B2: oppdrag 2 gjelder ikke Per Helse (200)"),  # a kommunalsjef: not reached
    ([1, "1", "x", None], "Måltall!B2: oppdrag 1 gjelder ikke Ola Ordfører (1)"),  # Avtale=nei
    ([210, "2", None, None], "Måltall!C2: fyll ut Mål eller Utgangspunkt (eller begge), eller slett raden"),
    ([None, "2", "x", None], "Måltall!A2: Ansattnr mangler"),
])
def test_a_wrong_row_is_refused_at_its_cell(tmp_path, row, message):
    assert problems(tmp_path, with_maltall(row)) == [message]


def test_one_row_per_leader_and_assignment(tmp_path):
    assert problems(tmp_path, with_maltall([210, "2", "a", None], [210, 2, "b", None])) == [
        "Måltall!B3: Øystein Sykehjem (210) har allerede måltall for oppdrag 2 på rad 2"]


def test_nynorsk_workbook_warns_of_bokmal_in_the_figures(tmp_path):
    sheets = with_maltall([210, "2", "Sykefravær under 9 %", None])
    sheets["Kommune"].append(["Målform", "nynorsk"])
    warnings = [str(w) for w in read(tmp_path, sheets).warnings]
    assert "Måltall!C2: «Sykefravær» er bokmål, men arbeidsboken har målform nynorsk" in warnings


# --------------------------------------------------------------------------- selv-og-under:


@pytest.mark.parametrize("gjelder", ["selv-og-under:200", " Selv og under: 200 ", "sjølv-og-under:200"])
def test_selv_og_under_gives_the_person_and_everyone_below(tmp_path, gjelder):
    sheets = basic_sheets()
    sheets["Oppdrag"][4][7] = gjelder  # Nr 4, «under:200» in the basic workbook
    bok = read(tmp_path, sheets)
    assert {nr for nr, assigned in bok.tildeling.items() if "4" in assigned} == {"200", "210", "211"}


def test_selv_og_under_names_a_leader_who_must_exist(tmp_path):
    sheets = basic_sheets()
    sheets["Oppdrag"][4][7] = "selv-og-under:999"
    sheets["Tiltak"].pop()
    assert problems(tmp_path, sheets) == [
        "Oppdrag!H5: Ansattnr «999» i «selv-og-under:999» finnes ikke i arket Ledere"]


# --------------------------------------------------------------------------- a level nobody has


def test_a_level_nobody_has_is_named_with_the_levels_there_are(tmp_path):
    sheets = basic_sheets()
    sheets["Oppdrag"][2][7] = "nivå:virksomhetsledere; nivå:virksomhetsleder; nivå:avdelingsleder"
    sheets["Oppdrag"][3][7] = "nivå:verksemdsleiar, enhet:Testvik skole"
    warnings = [str(w) for w in read(tmp_path, sheets).warnings]
    levels = "«avdelingsleder», «kommunalsjef», «kommunedirektør», «ordfører», «virksomhetsleder»"
    assert ("Oppdrag!H3: utvalget «nivå:virksomhetsledere» treffer ingen: ingen i arket Ledere har nivået "
            f"«virksomhetsledere»; mente du «virksomhetsleder»? Nivåene er {levels}.") in warnings
    assert ("Oppdrag!H4: utvalget «nivå:verksemdsleiar» treffer ingen: ingen i arket Ledere har nivået "
            f"«verksemdsleiar». Nivåene er {levels}.") in warnings
