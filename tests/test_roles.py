"""Documents for every role, on the bundled examples (bokmål and nynorsk) rendered by the real
commands and opened with python-docx: the kommunedirektør's evaluation, role-aware agreement text,
the follow-up form without self-assessment, the appendix with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import docx_text

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {"bokmål": ROOT / "input" / "eksempel.xlsx", "nynorsk": ROOT / "input" / "eksempel-nynorsk.xlsx"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module", params=list(EXAMPLES))
def year(request, tmp_path_factory):
    ut = tmp_path_factory.mktemp(f"roller-{request.param}")
    for command in ("generer", "oppfolging"):
        result = run(command, EXAMPLES[request.param], "--ut", ut, "--ingen-pdf")
        assert result.exit_code == 0, result.output
    return request.param, ut / "2027"


def text_of(year_dir: Path, ansattnr: str, prefix: str) -> str:
    (path,) = [p for p in year_dir.glob(f"{ansattnr} */*.docx") if p.name.startswith(prefix)]
    return docx_text(path)


WORDS = {
    "bokmål": dict(follow_up="Oppfølgingssamtale", agreement="Lederavtale", appendix="Utviklingsmål",
                   superior="Overordnet leder", styringsbrev="Oppdrag fra styringsbrevet",
                   self_eval="Kommunedirektørens egenevaluering", evidence="Grunnlaget for evalueringen",
                   written="Skriftlig evaluering", own="Egen ledelse", tick="\u2610 Ikke startet",
                   responsible="ansvar for å inngå lederavtaler med lederne under seg",
                   known="gjøres kjent for de ansatte", department="lederens avdeling",
                   pay_other="lønnspolitikk", principles="Lederprinsipper", opposition="Opposisjonsleder",
                   special="Særskilte mål og oppdrag"),
    "nynorsk": dict(follow_up="Oppfølgingssamtale", agreement="Leiaravtale", appendix="Utviklingsmål",
                    superior="Overordna leiar", styringsbrev="Oppdrag frå styringsbrevet",
                    self_eval="Eigenevalueringa til kommunedirektøren", evidence="Grunnlaget for evalueringa",
                    written="Skriftleg evaluering", own="Eiga leiing", tick="\u2610 Ikkje starta",
                    responsible="ansvar for å inngå leiaravtalar med leiarane under seg",
                    known="gjord kjend for dei tilsette", department="avdelinga til leiaren",
                    pay_other="lønspolitikken", principles="Leiarprinsipp", opposition="Opposisjonsleiar",
                    special="Særskilde mål og oppdrag"),
}


@pytest.mark.slow
def test_the_kommunedirektor_gets_an_evaluation_not_the_ordinary_follow_up(year):
    malform, year_dir = year
    w = WORDS[malform]
    text = text_of(year_dir, "1001", w["follow_up"])
    for expected in ("Evaluering av kommunedirektøren 2027", "For kommunestyret", w["special"],
                     w["self_eval"], w["evidence"], w["written"], "Kommunedirektør"):
        assert expected in text, expected
    for wrong in (w["superior"], w["styringsbrev"], "for enheten", "for eininga"):
        assert wrong not in text, wrong
    # His municipality-wide targets, named in Gjelder: the budget (1) and sickness absence (3).
    assert "budsjettramme" in text.lower() or "budsjettramma" in text.lower()
    # Without the Kommune field nobody else takes part.
    assert w["opposition"] not in text


def test_the_opposisjonsleder_takes_part_when_the_kommune_field_says_so(tmp_path):
    wb = openpyxl.load_workbook(EXAMPLES["bokmål"])
    (row,) = [r for r in wb["Kommune"].iter_rows(min_row=2) if r[0].value == "Opposisjonsleder"]
    row[1].value = "Kari Motstrøm"
    book = tmp_path / "med opposisjonsleder.xlsx"
    wb.save(book)
    for logo in EXAMPLES["bokmål"].parent.glob("*.png"):  # the Logo field's file, beside the workbook
        shutil.copy(logo, tmp_path)
    assert run("oppfolging", book, "--ut", tmp_path / "ut", "--ingen-pdf", "--leder", "1001").exit_code == 0
    text = text_of(tmp_path / "ut" / "2027", "1001", "Oppfølgingssamtale")
    assert "Opposisjonsleder Kari Motstrøm deltar i evalueringssamtalen" in text


@pytest.mark.slow
def test_the_follow_up_form_has_tick_boxes_and_no_self_assessment(year):
    malform, year_dir = year
    w = WORDS[malform]
    text = text_of(year_dir, "1010", w["follow_up"])
    assert w["tick"] in text and "status.xlsx" not in text
    # The public form says the self-assessment is in the appendix, and does not ask it.
    assert f"{w['own']}:" not in text
    assert w["own"] in text_of(year_dir, "1010", w["appendix"])


@pytest.mark.slow
def test_agreement_text_follows_the_leaders_level(year):
    malform, year_dir = year
    w = WORDS[malform]
    from generator.workbook import read_workbook

    bok = read_workbook(EXAMPLES[malform])
    virksomhetsleder = text_of(year_dir, "1010", w["agreement"])
    avdelingsleder = text_of(year_dir, "1040", w["agreement"])
    kommunalsjef = text_of(year_dir, "1002", w["agreement"])
    director = text_of(year_dir, "1001", w["agreement"])
    # Responsible for the leaders below, named; the avdelingsleder has none.
    assert w["responsible"] in virksomhetsleder and bok.leder("1040").navn in virksomhetsleder
    assert w["responsible"] not in avdelingsleder
    assert bok.leder("1010").navn in kommunalsjef and w["responsible"] in kommunalsjef
    # The unit sentence names the avdelingsleder's own department, not only the superior's unit.
    assert w["department"] in avdelingsleder and w["department"] not in virksomhetsleder
    # Pay: HTA 3.4.2 for the kommunalsjef, 3.4.3 for the virksomhetsleder, the pay policy otherwise.
    assert "3.4.2" in kommunalsjef and "3.4.3" in virksomhetsleder
    assert w["pay_other"] in avdelingsleder and "3.4." not in avdelingsleder
    assert w["known"] in virksomhetsleder
    # The kommunedirektør's agreement carries the sheet Lederprinsipper like every other.
    assert w["principles"] in director and w["principles"] in virksomhetsleder


@pytest.mark.slow
def test_the_kommunedirektors_appendix_is_his_and_the_ordforers(year):
    malform, year_dir = year
    text = text_of(year_dir, "1001", WORDS[malform]["appendix"])
    assert "kommunedirektøren" in text.lower() and "og HR" not in text
    assert "Lederens" not in text and "Leiaren" not in text.split("Eiga leiing")[0]
