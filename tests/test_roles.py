"""Documents for every role, on the bundled examples (bokmål and nynorsk) rendered by the real
commands and opened with python-docx: the kommunedirektør's follow-up and his evaluation (exempt), role-aware
agreement text, the follow-up form without self-assessment, and its exempt appendix with it."""

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


EXEMPT_FOLLOW_UP = " - vedlegg ("  # in the name of the follow-up's exempt appendix


def text_of(year_dir: Path, ansattnr: str, prefix: str, exempt_follow_up: bool = False) -> str:
    """The text of the leader's document whose name begins with `prefix`; the follow-up document's exempt
    appendix (its name begins the same) only with `exempt_follow_up`."""
    (path,) = [p for p in year_dir.glob(f"{ansattnr} */*.docx")
               if p.name.startswith(prefix) and (EXEMPT_FOLLOW_UP in p.name) == exempt_follow_up]
    return docx_text(path)


WORDS = {
    "bokmål": dict(follow_up="Oppfølgingssamtale", agreement="Lederavtale", appendix="Utviklingsmål",
                   superior="Overordnet leder", styringsbrev="Oppdrag fra styringsbrevet",
                   self_eval="Kommunedirektørens egenevaluering", evidence="Grunnlaget for oppfølgingen",
                   written="Ordførerens evaluering", own="Egen ledelse", tick="Ikke startet",
                   mutual="Gjensidige forventninger", strengths="Styrker og utfordringer",
                   responsible="ansvar for å inngå lederavtaler med lederne under seg",
                   known="gjøres kjent for de ansatte", department="lederens avdeling",
                   pay_other="lønnspolitikk", principles="Lederprinsipper", opposition="Opposisjonsleder",
                   special="Særskilte mål og oppdrag"),
    "nynorsk": dict(follow_up="Oppfølgingssamtale", agreement="Leiaravtale", appendix="Utviklingsmål",
                    superior="Overordna leiar", styringsbrev="Oppdrag frå styringsbrevet",
                    self_eval="Eigenevalueringa til kommunedirektøren", evidence="Grunnlaget for oppfølginga",
                    written="Evalueringa frå ordføraren", own="Eiga leiing", tick="Ikkje starta",
                    mutual="Gjensidige forventingar", strengths="Styrkar og utfordringar",
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
    # In public: his goals and assignments, and the agreement's expectations both ways.
    for expected in ("Oppfølgingssamtale 2027", "For kommunestyret", w["special"], w["mutual"], w["evidence"],
                     "Kommunedirektør"):
        assert expected in text, expected
    for wrong in (w["superior"], w["styringsbrev"], "for enheten", "for eininga", "Evaluering av kommunedirektøren"):
        assert wrong not in text, wrong
    # Named where the text says where they are, never a section of their own here.
    lines = [line.strip() for line in text.splitlines()]
    assert w["self_eval"] not in lines and w["written"] not in lines
    # His municipality-wide targets, named in Gjelder: the budget (1) and sickness absence (3).
    assert "budsjettramme" in text.lower() or "budsjettramma" in text.lower()
    # The evaluation of him as a person: the ordfører's and his own, exempt, signed by both.
    evaluation = text_of(year_dir, "1001", w["follow_up"], exempt_follow_up=True)
    for expected in ("Evaluering av kommunedirektøren 2027", "For kommunestyret", w["self_eval"], w["written"],
                     "Kommunedirektør", "Unntatt offentlighet" if malform == "bokmål" else "Unnateke offentlegheit"):
        assert expected in evaluation, expected
    # Without the Kommune field nobody else takes part.
    assert w["opposition"] not in text and w["opposition"] not in evaluation


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
    assert "Opposisjonsleder Kari Motstrøm deltar i oppfølgingssamtalen" in text
    evaluation = text_of(tmp_path / "ut" / "2027", "1001", "Oppfølgingssamtale", exempt_follow_up=True)
    assert "Opposisjonsleder Kari Motstrøm deltar i evalueringen" in evaluation


@pytest.mark.slow
def test_the_follow_up_form_has_tick_boxes_and_no_self_assessment(year):
    import zipfile

    malform, year_dir = year
    w = WORDS[malform]
    text = text_of(year_dir, "1010", w["follow_up"])
    assert w["tick"] in text and "status.xlsx" not in text
    # Word check boxes (content controls), five for each assignment, which python-docx's text does not show.
    (form,) = [p for p in year_dir.glob("1010 */*.docx") if p.name.startswith(w["follow_up"])
               and EXEMPT_FOLLOW_UP not in p.name]
    with zipfile.ZipFile(form) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert xml.count("<w14:checkbox>") == 5 * text.count(w["tick"]) > 0
    # The public form says the self-assessment is in its appendix, and does not ask it.
    assert f"{w['own']}:" not in text
    assert f"{w['own']}:" in text_of(year_dir, "1010", w["follow_up"], exempt_follow_up=True)
    # Not in January's appendix either, which has the strengths instead.
    appendix = text_of(year_dir, "1010", w["appendix"])
    assert w["own"] not in appendix and w["strengths"] in appendix


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
