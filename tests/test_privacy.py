"""The privacy guard reads every public text against every leader's development goals.

A measure, a status comment or an e-mail text may quote a colleague's goal as easily as the
leader's own; each public document is checked against all of them, through the real commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import GOAL_TEXT, basic_sheets, docx_text, write_xlsx

from generator.cli import main
from generator.commands.generate import generate
from generator.documents.privacy import GUARD_MIN_LENGTH, PrivacyGuard
from generator.job import Job
from generator.terminal import lines
from generator.workbook import read_workbook

# Øystein (210) owns GOAL_TEXT; Liv (310) and Berit (211) are other leaders.
OTHER_GOAL = "Bli en tydeligere leder i endringsarbeid. Gi ros og ris i samme samtale hver uke."
SECOND_SENTENCE = "Gi ros og ris i samme samtale hver uke"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def public_texts(year_dir: Path) -> dict[str, str]:
    """Every public .docx the manifest lists, with its text."""
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    found = {}
    for entry in manifest["ledere"].values():
        for f in entry["filer"]:
            if f["offentlig"] and f["format"] == "docx":
                found[f["sti"]] = docx_text(year_dir / f["sti"])
    return found


@pytest.mark.slow
def test_a_measure_quoting_another_leaders_goal_stops_that_agreement(tmp_path):
    sheets = basic_sheets()
    # Liv (310) writes Øystein's goal into her own public measure.
    sheets["Tiltak"].append([310, "3", f"Som avtalt: «{GOAL_TEXT}»"])
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 3, result.output
    assert "310 Liv Skole" in result.output and "Personvernsperre" in result.output
    assert "Tiltak rad 5" in result.output and "Utviklingsmål rad 2" in result.output
    assert "Ansattnr 210" in result.output  # whose goal it is, never its text
    assert GOAL_TEXT not in result.output
    year_dir = tmp_path / "ut" / "2027"
    assert not list(next(year_dir.glob("310 *")).glob("Lederavtale*"))
    texts = public_texts(year_dir)
    assert len(texts) == 6  # the other six agreements are written
    assert not any(GOAL_TEXT.casefold() in text.casefold() for text in texts.values())
    assert run("sjekk", workbook).exit_code == 1


def test_one_sentence_of_a_goal_is_enough(tmp_path):
    sheets = basic_sheets()
    sheets["Utviklingsmål"].append([211, OTHER_GOAL, "", ""])
    sheets["Tiltak"].append([210, "2", SECOND_SENTENCE.upper()])  # case and spacing do not hide it
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 3 and "210 Øystein Sykehjem" in result.output
    assert "Utviklingsmål rad 4" in result.output and SECOND_SENTENCE not in result.output


@pytest.mark.slow
def test_follow_up_document_and_mail_are_guarded_too(tmp_path):
    sheets = basic_sheets()
    sheets["Tiltak"].append([211, "2", GOAL_TEXT])  # Berit quotes Øystein's goal
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    ut = tmp_path / "ut"
    result = run("oppfolging", workbook, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 3 and "211 Berit Avdeling" in result.output
    assert "oppfølgingsdokumentet" in result.output and GOAL_TEXT not in result.output
    # The public document is refused; its exempt appendix is written, as the agreement's appendix is.
    assert [p.name for p in (ut / "2027").glob("211 */Oppfølgingssamtale*")] == [
        "Oppfølgingssamtale 2027 - Berit Avdeling - vedlegg (unntatt offentlighet).docx"]

    # An e-mail text that prints the measures: stopped before any draft is written.
    maler = tmp_path / "maler"
    assert run("init", tmp_path / "ny").exit_code == 0
    (tmp_path / "ny" / "maler").rename(maler)
    (maler / "epost.txt").write_text(
        "Emne: Lederavtale\n{% for o in oppdrag %}{{ o.tiltak|join(', ') }}\n{% endfor %}", encoding="utf-8")
    clean = basic_sheets()
    write_xlsx(workbook, clean)
    assert run("generer", workbook, "--ut", ut, "--ingen-pdf", "--maler", maler).exit_code == 0
    write_xlsx(workbook, sheets)  # the measure added after the documents were made
    mail = run("epost", workbook, "--ut", ut, "--maler", maler)
    assert mail.exit_code == 1 and "Personvernsperre" in mail.output and "e-posten" in mail.output
    assert GOAL_TEXT not in mail.output
    assert not (ut / "2027" / "epost").exists() or not list((ut / "2027" / "epost").glob("*.eml"))


@pytest.mark.slow
def test_a_status_comment_quoting_another_leaders_goal_stops_the_report(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    ut = tmp_path / "ut"
    assert run("oppfolging", workbook, "--ut", ut, "--ingen-pdf").exit_code == 0
    status_file = ut / "2027" / "status.xlsx"
    filled = tmp_path / "utfylt.xlsx"
    wb = openpyxl.load_workbook(status_file)
    ws = wb["Status"]
    headers = {cell.value: cell.column for cell in next(ws.iter_rows(min_row=1, max_row=1))}
    row = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, headers["Ansattnr"]).value) == "310")
    ws.cell(row, headers["Status"]).value = "Forsinket"
    ws.cell(row, headers["Kommentar"]).value = f"Venter på at {GOAL_TEXT.lower()} blir fulgt opp"
    wb.save(filled)
    result = run("status", workbook, filled, "--ut", tmp_path / "rapport", "--ingen-pdf")
    assert result.exit_code == 1, result.output
    assert "Personvernsperre" in result.output and f"Status rad {row} i utfylt.xlsx" in result.output
    assert "Ansattnr 210" in result.output and GOAL_TEXT not in result.output
    assert not (tmp_path / "rapport").exists()


def test_archive_titles_are_guarded(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"][6][2] = GOAL_TEXT  # Liv's title is Øystein's goal, word for word
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("arkiv", workbook, "--ut", tmp_path / "ut", "--alle")
    assert result.exit_code == 1 and "Personvernsperre" in result.output and "arkivtittelen" in result.output
    assert "Ledere rad 7" in result.output and GOAL_TEXT not in result.output
    assert not (tmp_path / "ut").exists()


def test_no_false_alarm_for_short_goals_or_goals_not_quoted(tmp_path):
    sheets = basic_sheets()
    # "Samtale i juni" and "Høst" are goals too short to guard; they occur in agreements naturally.
    sheets["Tiltak"].append([210, "1", "Samtale i juni om budsjettet, og en ny i høst"])
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert len(public_texts(tmp_path / "ut" / "2027")) == 7


def test_the_guard_finds_every_goal_and_only_goals(tmp_path):
    sheets = basic_sheets()
    sheets["Utviklingsmål"].append([211, OTHER_GOAL, "", ""])
    guard = PrivacyGuard(read_workbook(write_xlsx(tmp_path / "a.xlsx", sheets)))
    text = f"Innledning.\n«{GOAL_TEXT.upper()}»\nog\u00ad så: {SECOND_SENTENCE.replace(' ', '  ')}."
    assert [goal.rad for goal, _ in guard.found(text)] == [2, 4]
    assert guard.found("Bli tryggere i krevende") == []  # a part of a sentence is not a goal
    assert guard.found(GOAL_TEXT[:-1] + "x") == []
    assert len("Samtale i juni") < GUARD_MIN_LENGTH and guard.found("Samtale i juni") == []



LIV_GOAL = basic_sheets()["Utviklingsmål"][2][1]  # Liv's (310) goal, long enough to be guarded


def quoted_in_many_places(tmp_path: Path) -> Path:
    """Øystein's goal in three agreements (two measures, one assignment), Liv's in two."""
    sheets = basic_sheets()
    # Øystein's goal in Liv's and Berit's measures, and in an assignment Øystein and Berit get (under:200).
    sheets["Tiltak"] += [[310, "3", f"Som avtalt: «{GOAL_TEXT}»"], [211, "2", GOAL_TEXT]]
    sheets["Oppdrag"][4][3] = GOAL_TEXT
    # Liv's goal in Nils' measure and in the assignment only Liv's school gets.
    sheets["Tiltak"].append([320, "2", LIV_GOAL])
    sheets["Oppdrag"][3][4] = LIV_GOAL
    return write_xlsx(tmp_path / "a.xlsx", sheets)


def assert_one_line_per_leader(lines: list[str]) -> None:
    assert len(lines) == 2, lines
    oystein, liv = lines
    assert oystein.startswith("210 Øystein Sykehjem: Personvernsperre: tekst fra lederens utviklingsmål "
                              "(Ansattnr 210, Utviklingsmål rad 2) står i 3 offentlige dokumenter: ")
    assert all(f"{nr} " in oystein for nr in ("310", "211", "210"))
    assert "Tiltak rad 5 og 6" in oystein and "Oppdrag rad 5" in oystein  # the cells to correct
    assert liv.startswith("310 Liv Skole: ") and "(Ansattnr 310, Utviklingsmål rad 3)" in liv
    assert "2 offentlige dokumenter" in liv
    assert "320 Nils Barnehage" in liv and "Tiltak rad 7" in liv and "Oppdrag rad 4" in liv
    for line in lines:
        assert GOAL_TEXT.casefold() not in line.casefold() and LIV_GOAL.casefold() not in line.casefold()


@pytest.mark.slow
def test_findings_come_once_per_leader_whose_goal_shows(tmp_path):
    """A goal quoted in many public places is one line, for the leader whose goal it is: who, how many
    documents and which, the cells to correct; never the goal's text."""
    from generator.commands.check import check
    from generator.exceptions import InvalidInput
    from generator.job import Job

    assert len(LIV_GOAL) >= GUARD_MIN_LENGTH
    with pytest.raises(InvalidInput) as checked:
        check(Job(quoted_in_many_places(tmp_path), tmp_path / "ut"))
    assert_one_line_per_leader([str(p) for p in checked.value.problems])


@pytest.mark.slow
def test_generer_says_the_findings_once_per_leader_and_each_leader_keeps_its_note(tmp_path):
    from generator.commands.generate import generate
    from generator.job import Job

    workbook = quoted_in_many_places(tmp_path)
    result = generate(Job(workbook, tmp_path / "ut"), pdf=False)
    assert_one_line_per_leader(result.failures)  # the web page shows these lines, as the terminal does
    # Each leader's own row still says what happened to that leader's agreement (rapport.xlsx, the web page).
    refused = {item.ansattnr for item in result.items if any("Personvernsperre" in m for m in item.notices)}
    assert refused == {"210", "211", "310", "320"}
    shown = run("generer", workbook, "--ut", tmp_path / "ut2", "--ingen-pdf")
    assert shown.exit_code == 3 and shown.output.count("Personvernsperre") == 2
    assert GOAL_TEXT not in shown.output and LIV_GOAL not in shown.output


def test_findings_group_the_guards_leaks_by_the_goals_owner(tmp_path):
    """`findings` alone (the job-level tests above are slow): many documents, two owners, two lines."""
    from generator.documents.privacy import findings

    bok = read_workbook(quoted_in_many_places(tmp_path))
    guard = PrivacyGuard(bok)
    leaks = []
    for nr in ("100", "200", "210", "211", "300", "310", "320"):
        leaks += guard.leaks(f"Avtale\n{GOAL_TEXT}\n{LIV_GOAL}", bok.leder(nr))
    leaks += guard.leaks(GOAL_TEXT, bok.leder("211"), ("oppfølgingsdokumentet", "Oppfølgingsdokumentet"))
    lines = findings(leaks, bok)
    assert len(lines) == 2 and lines[0].startswith("210 Øystein Sykehjem: Personvernsperre: ")
    # Five leaders named and the rest counted; the follow-up document is a document of its own.
    assert "8 offentlige dokumenter" in lines[0] and "og 2 andre ledere; oppfølgingsdokumentet til 211 " in lines[0]
    assert lines[1].startswith("310 Liv Skole: ") and "7 offentlige dokumenter" in lines[1]
    assert not any(GOAL_TEXT.casefold() in line.casefold() or LIV_GOAL.casefold() in line.casefold()
                   for line in lines)


# --- Fødselsnumre: secret like the goals --------------------------------------------------------------------

# Made-up numbers with both control digits right (month + 80, as Skatteetaten's synthetic numbers).
FNR = {210: "15866110015", 310: "12907601879", 100: "25857836270"}


def with_numbers(sheets: dict | None = None) -> dict:
    """BASIC (or `sheets`) with a column Fødselsnummer in Ledere (column K) holding FNR."""
    sheets = sheets or basic_sheets()
    sheets["Ledere"][0].append("Fødselsnummer")
    for row in sheets["Ledere"][1:]:
        row.append(FNR.get(row[0]))
    return sheets


@pytest.mark.slow
def test_a_measure_holding_a_leaders_fodselsnummer_stops_that_agreement_without_saying_the_number(tmp_path):
    sheets = with_numbers()
    # Liv (310) writes Øystein's number into her own public measure, spaced as it is often written.
    sheets["Tiltak"].append([310, "3", f"Kontaktperson: Øystein, fnr. {FNR[210][:6]} {FNR[210][6:]}"])
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = generate(Job(workbook, tmp_path / "ut"), pdf=False)
    output = "\n".join(line for line, _err in lines(result))  # what the terminal shows
    assert result.exit_code == 3, output
    # The run's finding: one line for the leader whose number it is, with the cell to correct.
    assert ("210 Øystein Sykehjem: Personvernsperre: lederens fødselsnummer (Ansattnr 210, kolonnen Fødselsnummer i "
            "Ledere rad 6) står i 1 offentlig dokument: lederavtalen til 310 Liv Skole. Samme nummer står i Tiltak "
            "rad 5.") in output
    # Liv's own row (rapport.xlsx, the web page) says what happened to her agreement.
    (liv,) = [item for item in result.items if item.ansattnr == "310"]
    assert ("Personvernsperre: lederavtalen inneholder en annen leders fødselsnummer (Ansattnr 210, kolonnen "
            "Fødselsnummer i Ledere rad 6) (samme nummer står i Tiltak rad 5)") in liv.notices[0]
    report = "\n".join(str(cell.value) for row in openpyxl.load_workbook(tmp_path / "ut" / "2027" / "rapport.xlsx")
                       .active.iter_rows() for cell in row)
    assert "Personvernsperre" in report
    for number in FNR.values():
        for text in (output, report, *liv.notices):
            assert number not in text.replace(" ", "")
    year_dir = tmp_path / "ut" / "2027"
    assert not list(next(year_dir.glob("310 *")).glob("Lederavtale*"))
    texts = public_texts(year_dir)
    assert len(texts) == 6  # the other six agreements are written, and hold no number
    assert not any(number in text.replace(" ", "") for text in texts.values() for number in FNR.values())
    assert run("sjekk", workbook).exit_code == 1


@pytest.mark.parametrize("written", ["{n}", "{a} {b}", "{a}-{b}", "{a}.{b}", "Nr. 44{n}7", "{a}\u00a0{b}",
                                     "{a}\n{b}", "{a}\u00ad{b}"])
def test_the_guard_finds_a_fodselsnummer_however_it_is_written(tmp_path, written):
    bok = read_workbook(write_xlsx(tmp_path / "a.xlsx", with_numbers()))
    guard = PrivacyGuard(bok)
    number = FNR[310]
    text = "Innledning. " + written.format(n=number, a=number[:6], b=number[6:]) + " Slutt."
    [(secret, found)] = guard.found(text)
    assert (secret.ansattnr, secret.rad, found) == ("310", 7, "")
    leak = guard.leaks(text, bok.leder("310"))[0]
    assert number not in leak.message() and "lederens fødselsnummer (Ansattnr 310" in leak.message()


def test_the_guard_does_not_stop_other_numbers(tmp_path):
    guard = PrivacyGuard(read_workbook(write_xlsx(tmp_path / "a.xlsx", with_numbers())))
    number = FNR[210]
    for text in (number[:-1], number[1:], f"{number[:6]} / {number[6:]}", f"{number[:6]}, {number[6:]}",
                 "Org.nr. 974 760 673, telefon 12 34 56 78", "Dokument-ID LA2-2027-M4E1B5YJ6BZC-SX", "12345678901"):
        assert guard.found(text) == [], text
    # Without the column, or with it empty, the guard has no numbers to look for.
    assert PrivacyGuard(read_workbook(write_xlsx(tmp_path / "b.xlsx", basic_sheets()))).found(number) == []


def test_archive_titles_are_guarded_for_numbers_too(tmp_path):
    sheets = with_numbers()
    sheets["Ledere"][6][2] = f"Rektor ({FNR[100]})"  # Liv's title holds Kari's number
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("arkiv", workbook, "--ut", tmp_path / "ut", "--alle")
    assert result.exit_code == 1 and "Personvernsperre" in result.output and "arkivtittelen" in result.output
    assert "fødselsnummer (Ansattnr 100" in result.output and "Ledere rad 7" in result.output
    assert FNR[100] not in result.output
    assert not (tmp_path / "ut").exists()


def test_findings_keep_goals_and_numbers_apart(tmp_path):
    from generator.documents.privacy import findings

    bok = read_workbook(write_xlsx(tmp_path / "a.xlsx", with_numbers()))
    guard = PrivacyGuard(bok)
    leaks = guard.leaks(f"{GOAL_TEXT}\n{FNR[210]}", bok.leder("310"))
    assert [leak.fodselsnummer for leak in leaks] == [False, True]
    lines = findings(leaks, bok)
    assert len(lines) == 2 and all(line.startswith("210 Øystein Sykehjem: Personvernsperre: ") for line in lines)
    assert "utviklingsmål (Ansattnr 210, Utviklingsmål rad 2)" in lines[0]
    assert "fødselsnummer (Ansattnr 210, kolonnen Fødselsnummer i Ledere rad 6)" in lines[1]
    assert not any(FNR[210] in line or GOAL_TEXT in line for line in lines)
