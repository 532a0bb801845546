"""Tiltak come back from the agreement: measures typed into a generated agreement in Word (here with
python-docx, as a person's script or Word would leave them) reach `oppfolging`'s document and
status.xlsx, `sjekk` warns where they differ from the workbook, and the workbook is never written."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from generator.cli import main
from generator.commands.followup import follow_up
from generator.documents.measures import (TAG_PREFIX, Unreadable, clean, edited_agreements, read_measures,
                                          with_measures)
from generator.job import Job
from generator.workbook import read_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "input" / "eksempel.xlsx"
LEADER, FOLDER = "1010", "1010 Bjørn Kvamme"
AGREEMENT = f"{FOLDER}/Lederavtale 2027 - Bjørn Kvamme.docx"
FOLLOW_UP = f"{FOLDER}/Oppfølgingssamtale 2027 - Bjørn Kvamme.docx"
TYPED_1 = ["Starter et månedlig budsjettmøte med 1,5 % margin.", "Rapporterer avvik til kommunedirektøren."]
TYPED_3 = "Innfører fast oppfølging av sykmeldte hver fredag."


def copy_example(workbook: Path) -> None:
    shutil.copyfile(EXAMPLE, workbook)
    shutil.copyfile(EXAMPLE.parent / "logo.png", workbook.parent / "logo.png")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assignment_table(doc, nr: str):
    """The table of assignment `nr`, found as a person finds it: by the Nr in its first cell."""
    (table,) = [t for t in doc.tables if t.rows[0].cells[0].text.split("\t")[0].strip() == nr]
    return table


def measures_cell(table):
    return table.rows[2].cells[0]


def type_measures(path: Path, nr: str, texts: list[str]) -> None:
    """Replace the first paragraph after the label with the first text, add the rest as new paragraphs."""
    doc = Document(str(path))
    cell = measures_cell(assignment_table(doc, nr))
    first = cell.paragraphs[1]
    for extra in first.runs[1:]:
        extra._r.getparent().remove(extra._r)
    first.runs[0].text = texts[0]
    first.runs[0].font.highlight_color = None
    for text in texts[1:]:
        cell.add_paragraph(text)
    doc.save(str(path))


def status_rows(path: Path) -> dict[tuple[str, str], dict]:
    """status.xlsx's sheet Tiltak, by (Ansattnr, Nr)."""
    ws = openpyxl.load_workbook(path)["Tiltak"]
    headers = [c.value for c in ws[1]]
    return {(str(r[0]), str(r[3])): dict(zip(headers, r)) for r in ws.iter_rows(min_row=2, values_only=True)}


def workbook_measures(bok, ansattnr: str, nr: str) -> list[str]:
    return [t.tekst for t in bok.tiltak_for(bok.leder(ansattnr), nr)]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """The example generated, 1010's agreement edited in assignments 1 and 3, then `sjekk` and `oppfolging`."""
    tmp = tmp_path_factory.mktemp("tiltak")
    workbook = tmp / "eksempel.xlsx"
    copy_example(workbook)
    before = sha(workbook)
    ut = tmp / "ut"
    assert run("generer", workbook, "--ut", ut, "--ingen-pdf").exit_code == 0
    year = ut / "2027"
    type_measures(year / AGREEMENT, "1", TYPED_1)
    type_measures(year / AGREEMENT, "3", [TYPED_3])
    check = run("sjekk", workbook, "--ut", ut)
    followup = run("oppfolging", workbook, "--ut", ut, "--ingen-pdf")
    return tmp, workbook, before, year, check, followup


@pytest.mark.slow
def test_generated_agreements_name_each_assignment_in_its_table(tmp_path):
    workbook = tmp_path / "eksempel.xlsx"
    copy_example(workbook)
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf").exit_code == 0
    bok = read_workbook(workbook)
    year = tmp_path / "ut" / "2027"
    agreements = sorted(year.glob("*/Lederavtale 2027 - *.docx"))
    assert len(agreements) == len(bok.avtaleledere())
    for path in agreements:
        ansattnr = path.parent.name.split()[0]
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        # One marked table per assignment, with the right Nr, and no template code left in it.
        tags = re.findall(r'<w:tblCaption w:val="([^"]*)"/>', xml)
        assert tags == [TAG_PREFIX + nr for nr in bok.tildeling[ansattnr]], path.name
        # An agreement as generated reads back as the workbook's measures (the placeholder is none).
        read = read_measures(path)
        assert read == {nr: workbook_measures(bok, ansattnr, nr) for nr in bok.tildeling[ansattnr]}
    # Nothing a person changed: nothing to say.
    assert edited_agreements(bok, year, bok.avtaleledere()) == []


@pytest.mark.parametrize("folder", ["", "nynorsk"])
@pytest.mark.parametrize("name", ["lederavtale.docx", "lederavtale_kommunedirektor.docx", "oppfolging.docx"])
def test_default_templates_mark_the_assignment_table(folder, name):
    with zipfile.ZipFile(ROOT / "maler" / folder / name) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert xml.count(f'<w:tblCaption w:val="{TAG_PREFIX}{{{{ o.nr }}}}"/>') == 1
    # python-docx would not see the measures inside a content control: the only ones are the follow-up
    # form's status check boxes, each a box inside a paragraph, never around a paragraph.
    for control in re.findall(r"<w:sdt>.*?</w:sdt>", xml, flags=re.S):
        assert "<w14:checkbox>" in control and "<w:p>" not in control and "<w:p " not in control
    assert xml.count("<w:sdt>") == (5 if name == "oppfolging.docx" else 0)


@pytest.mark.slow
def test_typed_measures_reach_the_follow_up_document(edited):
    _, workbook, _, year, _, followup = edited
    assert followup.exit_code == 0, followup.output
    doc = Document(str(year / FOLLOW_UP))
    first = measures_cell(assignment_table(doc, "1")).text
    assert all(" ".join(t.split()) in " ".join(first.split()) for t in TYPED_1)
    assert "Ingen egne tiltak" not in first
    third = measures_cell(assignment_table(doc, "3")).text
    assert TYPED_3 in third
    bok = read_workbook(workbook)
    # The first of the workbook's two was written over; the second is still there.
    replaced, kept = workbook_measures(bok, LEADER, "3")
    assert replaced not in third and kept in third
    # The assignments nobody typed in keep the workbook's measures.
    eighth = measures_cell(assignment_table(doc, "8")).text
    assert all(t in eighth for t in workbook_measures(bok, LEADER, "8"))


@pytest.mark.slow
def test_the_run_says_where_the_measures_came_from(edited):
    _, _, _, _, _, followup = edited
    out = " ".join(followup.output.split())
    assert (f"Tiltak for {LEADER} Bjørn Kvamme er hentet fra lederavtalen (endret i Word), ikke fra arbeidsboken: "
            f"oppdrag 1, 3 i «{AGREEMENT}»") in out
    assert out.count("er hentet fra lederavtalen") == 1  # only the leader whose agreement was edited


@pytest.mark.slow
def test_the_leaders_item_notes_it(edited):
    _, workbook, _, year, _, _ = edited
    result = follow_up(Job(workbook, year.parent, ROOT / "maler"), ledere=[LEADER, "1001"], pdf=False)
    items = {item.ansattnr: item for item in result.items}
    assert any("er hentet fra lederavtalen" in m for m in items[LEADER].notices)
    assert not any("lederavtalen" in m for m in items["1001"].notices)


@pytest.mark.slow
def test_status_workbook_has_the_agreements_measures_last(edited):
    _, workbook, _, year, _, _ = edited
    book = openpyxl.load_workbook(year / "status.xlsx")
    # Sheet Status keeps the columns the README names («Oppfølgingssamtalen»); the measures have a sheet of their own.
    assert [c.value for c in book["Status"][1]] == ["Ansattnr", "Navn", "Enhet", "Nr", "Område", "Oppdrag", "Mål",
                                                    "Frist", "Status", "Resultat", "Kommentar"]
    assert [c.value for c in book["Tiltak"][1]][-1] == "Tiltak"
    rows = status_rows(year / "status.xlsx")
    assert rows[LEADER, "1"]["Tiltak"] == "\n".join(TYPED_1)
    bok = read_workbook(workbook)
    assert rows[LEADER, "3"]["Tiltak"] == "\n".join([TYPED_3] + workbook_measures(bok, LEADER, "3")[1:])
    # An unedited agreement: the workbook's measures, one per line.
    for (ansattnr, nr), row in rows.items():
        if ansattnr != LEADER:
            assert (row["Tiltak"] or "") == "\n".join(workbook_measures(bok, ansattnr, nr)), (ansattnr, nr)


@pytest.mark.slow
def test_status_reads_the_new_book_and_an_old_one_without_the_measures(edited, tmp_path):
    _, workbook, _, year, _, _ = edited
    for old in (False, True):
        book = tmp_path / f"status-{old}.xlsx"
        wb = openpyxl.load_workbook(year / "status.xlsx")
        ws = wb["Status"]
        ws.protection.sheet = False
        ws["I2"] = "Forsinket"
        ws["K2"] = "Venter på budsjett"
        if old:
            del wb["Tiltak"]  # a status.xlsx from before the sheet
        wb.save(book)
        result = run("status", workbook, book, "--ut", tmp_path / f"ut-{old}", "--ingen-pdf")
        assert result.exit_code == 0, result.output
        report = openpyxl.load_workbook(tmp_path / f"ut-{old}" / "2027" / "statusrapport.xlsx")
        assert any("Venter på budsjett" in str(v) for row in report["Avvik"].iter_rows(values_only=True) for v in row)


@pytest.mark.slow
def test_sjekk_warns_per_assignment_and_exits_zero(edited):
    _, _, _, _, check, _ = edited
    assert check.exit_code == 0, check.output
    out = " ".join(check.output.split())
    for nr in ("1", "3"):
        assert (f"{LEADER} Bjørn Kvamme: lederavtalen «{AGREEMENT}» har andre tiltak for oppdrag {nr} "
                "enn arbeidsboken") in out
    assert "oppdrag 8 enn" not in out


@pytest.mark.slow
def test_the_workbook_is_never_written(edited):
    _, workbook, before, _, _, _ = edited
    assert sha(workbook) == before


@pytest.mark.slow
def test_a_removed_marker_falls_back_to_the_workbook_with_a_warning(tmp_path):
    workbook = tmp_path / "eksempel.xlsx"
    copy_example(workbook)
    ut = tmp_path / "ut"
    assert run("generer", workbook, "--ut", ut, "--ingen-pdf", "--leder", LEADER).exit_code == 0
    path = ut / "2027" / AGREEMENT
    type_measures(path, "3", [TYPED_3])
    doc = Document(str(path))
    # Removed from the table's properties in Word (Alternativ tekst), as a person could.
    caption = assignment_table(doc, "3")._tbl.tblPr.find(qn("w:tblCaption"))
    caption.getparent().remove(caption)
    doc.save(str(path))
    result = run("oppfolging", workbook, "--ut", ut, "--ingen-pdf", "--leder", LEADER)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert f"Advarsel: I lederavtalen «{AGREEMENT}» for {LEADER} Bjørn Kvamme er tabellen for oppdrag 3" in out
    assert "er hentet fra lederavtalen" not in out
    bok = read_workbook(workbook)
    third = measures_cell(assignment_table(Document(str(ut / "2027" / FOLLOW_UP)), "3")).text
    assert TYPED_3 not in third and all(t in third for t in workbook_measures(bok, LEADER, "3"))
    assert status_rows(ut / "2027" / "status.xlsx")[LEADER, "3"]["Tiltak"] == "\n".join(
        workbook_measures(bok, LEADER, "3"))
    check = run("sjekk", workbook, "--ut", ut)
    assert check.exit_code == 0 and "tabellen for oppdrag 3 slettet" in " ".join(check.output.split())


def test_a_development_goal_typed_into_the_agreement_is_not_used(tmp_path):
    workbook = tmp_path / "eksempel.xlsx"
    copy_example(workbook)
    bok = read_workbook(workbook)
    goal = next(g.mal for g in bok.utviklingsmal if len(g.mal) >= 30)
    ut = tmp_path / "ut"
    assert run("generer", workbook, "--ut", ut, "--ingen-pdf", "--leder", LEADER).exit_code == 0
    type_measures(ut / "2027" / AGREEMENT, "1", [goal])
    result = run("oppfolging", workbook, "--ut", ut, "--ingen-pdf", "--leder", LEADER)
    assert result.exit_code == 3, result.output
    assert "Personvernsperre: tiltakene for oppdrag 1 i lederavtalen" in " ".join(result.output.split())
    for row in status_rows(ut / "2027" / "status.xlsx").values():
        assert goal not in (row["Tiltak"] or "")
    assert goal not in "\n".join(c.text for t in Document(str(ut / "2027" / FOLLOW_UP)).tables
                                 for r in t.rows for c in r.cells)


def test_a_damaged_agreement_is_named_and_the_workbook_used(tmp_path):
    workbook = tmp_path / "eksempel.xlsx"
    copy_example(workbook)
    ut = tmp_path / "ut"
    assert run("generer", workbook, "--ut", ut, "--ingen-pdf", "--leder", LEADER).exit_code == 0
    path = ut / "2027" / AGREEMENT
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(Unreadable):
        read_measures(path)
    bok = read_workbook(workbook)
    (found,) = edited_agreements(bok, ut / "2027", bok.avtaleledere())
    assert found.differ == {} and "kan ikke leses" in found.warnings[0] and AGREEMENT in found.warnings[0]
    assert with_measures(bok, [found]) is bok


def test_a_paragraph_is_a_measure_unless_it_is_a_placeholder_or_a_list_mark():
    assert clean("[Fylles ut i ledersamtalen]") == ""
    assert clean("  [Fyllast ut i leiarsamtalen]  ") == ""
    assert clean("•") == "" and clean("- ") == ""
    assert clean("• Ukentlige møter") == "Ukentlige møter"
    assert clean("– Ukentlige møter") == "Ukentlige møter"
    assert clean("2. tertial: ny rapport") == "2. tertial: ny rapport"
    assert clean("-5 % avvik godtas ikke") == "-5 % avvik godtas ikke"
    assert clean("1,5\u00a0% margin\n  andre linje ") == "1,5 % margin\nandre linje"
