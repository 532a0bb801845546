"""The document jobs (`generer`, `oppfolging`, `status`, `nytt-ar`) return what they did.

A document that failed is in the job's `Result` with exit code 3, never raised after the work,
so a front end other than the terminal gets the whole result; the terminal shows exactly that
result, in the same order.
"""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import GOAL_TEXT, basic_sheets, write_xlsx

from generator.cli import main
from generator.commands.followup import follow_up
from generator.commands.generate import generate
from generator.commands.next_year import next_year
from generator.job import Job
from generator.terminal import lines
from generator.workbook import read_workbook
from generator.advice import TERMINAL, words

HEADING = "Ferdig, men noen dokumenter feilet (de andre er komplette):"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.slow
def test_a_refused_agreement_is_in_the_result_and_the_terminal_shows_that_result(tmp_path):
    sheets = basic_sheets()
    sheets["Tiltak"].append([210, "1", GOAL_TEXT])  # the privacy guard refuses Øystein's agreement
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    job = Job(workbook, tmp_path / "ut")

    result = generate(job, pdf=False)

    assert result.exit_code == 3 and result.failure_heading == HEADING
    assert [failure.split(": ")[0] for failure in result.failures] == ["210 Øystein Sykehjem"]
    (item,) = [item for item in result.items if item.ansattnr == "210"]
    assert item.status == "feilet" and any("Personvernsperre" in note for note in item.notices)
    assert [file.split("/")[1].split(" ")[0] for file in item.filer] == ["Utviklingsmål"]
    assert result.summary == [f"Skrevet: 7 ledere, 13 filer i {job.year.path}. Oversikt: {job.year.report}"]
    assert result.files == [job.year.report] and job.year.report.exists()

    # The same run on the command line: the same lines in the same order, and exit code 3.
    shown = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert shown.exit_code == 3
    again = generate(Job(workbook, tmp_path / "ut"), pdf=False)
    assert shown.output.splitlines() == [line for line, _ in lines(again)]
    assert shown.output.splitlines()[-2:] == [HEADING, f"  {result.failures[0]}"]


def test_a_leaders_warning_belongs_to_the_leader_by_ansattnr(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    warnings = read_workbook(workbook).warnings
    (no_email,) = [w for w in warnings if "e-postadresse" in w.message]
    assert no_email.ansattnr == "320"  # Nils
    assert all(w.ansattnr for w in warnings if w.place.startswith("Ledere"))

    job = Job(workbook, tmp_path / "ut")
    result = generate(job, pdf=False)
    assert result.exit_code == 0 and result.warnings == [str(w) for w in warnings]
    for item in result.items:
        assert item.notices == [w.message for w in warnings if w.ansattnr == item.ansattnr]
    assert len({w.ansattnr for w in warnings}) > 1
    report = {row[0]: row for row in openpyxl.load_workbook(job.year.report).active.iter_rows(values_only=True)}
    assert no_email.message in report["320"][6].splitlines()


@pytest.mark.slow
def test_follow_up_says_what_it_did_with_the_status_workbook(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    job = Job(workbook, tmp_path / "ut")
    first = follow_up(job, pdf=False)
    assert first.files == [job.year.status] and first.notices == []
    # Two documents each: the public follow-up and its exempt appendix.
    assert first.summary == [f"Ferdig: 7 ledere, 14 filer i {job.year.path}. Statusbok: {job.year.status}"]

    wb = openpyxl.load_workbook(job.year.status)
    wb["Status"]["K2"] = "Godt i gang"
    wb.save(job.year.status)
    kept = follow_up(job, pdf=False)
    assert kept.files == [] and len(kept.notices) == 1 and "er ikke overskrevet" in kept.notices[0]
    replaced = follow_up(job, pdf=False, overskriv=True)
    assert replaced.files == [job.year.status] and "kopien ligger i" in replaced.notices[0]


def test_next_year_returns_its_lines(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    target = tmp_path / "ny.xlsx"
    result = next_year(Job(workbook, tmp_path / "ut"), 2028, target)
    assert result.exit_code == 0 and result.files == [target] and target.exists()
    assert result.summary[0].startswith(f"Ny arbeidsbok for 2028: {target} (")
    assert words(result.summary[-1], TERMINAL) == f"Kontroller den med: lederavtale sjekk \"{target}\""


@pytest.mark.parametrize("args, message", [
    (["--ja"], "--ja brukes bare sammen med --send."),
    (["--send-igjen", "--smtp-port", "25"], "--send-igjen, --smtp-port brukes bare sammen med --send."),
    (["--send", "--send-igjen", "--ja"], "--send-igjen krever at du velger ledere med --leder ANSATTNR."),
    (["--send"], "Bekreft utsendingen med --ja når kommandoen ikke kjøres i en terminal."),
    (["--oppfolging", "--paminnelse"], "--paminnelse og --oppfolging kan ikke brukes sammen"),
])
def test_epost_option_rules_are_the_jobs_said_once_with_exit_code_2(tmp_path, args, message):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    result = run("epost", str(workbook), "--ut", str(tmp_path / "ut"), *args)
    assert result.exit_code == 2, result.output
    assert result.output.count(message) == 1, result.output
    assert not (tmp_path / "ut").exists()  # refused before anything is read or written


def test_resending_to_everyone_is_refused_by_the_job_and_by_send_alike(tmp_path):
    from generator.commands.email import EpostOptions, epost, send
    from generator.exceptions import OptionError

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    for attempt in (lambda: epost(Job(workbook, tmp_path / "ut"), EpostOptions(send=True, send_igjen=True, ja=True)),
                    lambda: send(Job(workbook, tmp_path / "ut"), send_igjen=True)):
        with pytest.raises(OptionError, match="--send-igjen krever"):
            attempt()
    assert not (tmp_path / "ut").exists()
