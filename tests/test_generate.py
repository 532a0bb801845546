"""`generer` end to end with the default templates: what the documents say, and what is written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import GOAL_TEXT, ROOT, basic_sheets, docx_text, write_xlsx

from generator.cli import main
from generator.commands.generate import generate
from generator.job import Job
from generator.store.files import sha256_file
from generator.store.lock import RunLock

# From conftest.BASIC's Gjelder column: who gets which assignment. The kommunedirektør (100)
# writes the styringsbrev, so `alle` does not reach him or her.
EXPECTED = {
    "100": {"5"}, "200": {"1"}, "300": {"1", "5"}, "210": {"1", "2", "4"},
    "211": {"1", "2", "4"}, "310": {"1", "2", "3"}, "320": {"1", "2"},
}
ASSIGNMENT_TEXT = {
    "1": "Drive innenfor vedtatt budsjett", "2": "Redusere sykefraværet", "3": "Ta i bruk digitalt fagsystem",
    "4": "Etablere hverdagsrehabilitering", "5": "Lede arbeidet med ny kommuneplan",
}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def manifest(year_dir: Path) -> dict:
    return json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))


def files_of(year_dir: Path, ansattnr: str, rolle: str, fmt: str = "docx") -> Path:
    entry = manifest(year_dir)["ledere"][ansattnr]
    (f,) = [f for f in entry["filer"] if f["rolle"] == rolle and f["format"] == fmt]
    return year_dir / f["sti"]


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gen")
    workbook = write_xlsx(tmp / "arbeidsbok.xlsx", basic_sheets())
    result = run("generer", workbook, "--ut", tmp / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    return tmp / "ut" / "2027", result


@pytest.mark.slow
def test_every_leader_with_agreement_gets_both_documents(generated):
    year_dir, _ = generated
    data = manifest(year_dir)
    assert set(data["ledere"]) == set(EXPECTED)  # the ordfører (Avtale=nei) gets none
    for nr, entry in data["ledere"].items():
        roles = {(f["rolle"], f["offentlig"]) for f in entry["filer"]}
        assert roles == {("avtale", True), ("vedlegg", False)}
        for f in entry["filer"]:
            assert sha256_file(year_dir / f["sti"]) == f["sha256"]
    assert not any("Ola Ordfører" in p.name for p in year_dir.iterdir())
    appendix = files_of(year_dir, "210", "vedlegg")
    assert "unntatt offentlighet" in appendix.name


def test_assignments_follow_the_selectors(generated):
    year_dir, _ = generated
    for nr, expected in EXPECTED.items():
        text = docx_text(files_of(year_dir, nr, "avtale"))
        present = {o for o, words in ASSIGNMENT_TEXT.items() if words in text}
        assert present == expected, nr


def test_agreement_names_both_parties_and_the_period(generated):
    year_dir, _ = generated
    text = docx_text(files_of(year_dir, "210", "avtale"))
    for words in ("Øystein Sykehjem", "Per Helse", "Kommunalsjef helse", "Testvik sykehjem",
                  "1. januar 2027", "31. desember 2027", "Testvik kommune", "Rådhusgata 1"):
        assert words in text


def test_measures_are_printed_under_their_assignment(generated):
    year_dir, _ = generated
    from docx import Document

    doc = Document(str(files_of(year_dir, "210", "avtale")))
    # One table per assignment: its text, its target, then the leader's own measures.
    tables = [[c.text for row in t.rows for c in row.cells] for t in doc.tables]
    (sick_leave,) = [t for t in tables if any("Redusere sykefraværet" in c for c in t)]
    assert any("Ukentlige oppfølgingssamtaler med sykmeldte" in c for c in sick_leave)
    assert any("Tilrettelegging i samarbeid med NAV" in c for c in sick_leave)
    (budget,) = [t for t in tables if any("Drive innenfor vedtatt budsjett" in c for c in t)]
    assert not any("NAV" in c for c in budget)
    assert any("[Fylles ut i avtalesamtalen]" in c for c in budget)  # no measures yet: a visible placeholder
    # a line break in the workbook cell stays a line break
    assert any("Redusere sykefraværet\nmed systematisk oppfølging" in c for c in sick_leave)


def test_development_goals_only_in_own_appendix(generated):
    year_dir, _ = generated
    assert GOAL_TEXT in docx_text(files_of(year_dir, "210", "vedlegg"))
    for nr in EXPECTED:
        assert GOAL_TEXT not in docx_text(files_of(year_dir, nr, "avtale"))
        if nr != "210":
            assert GOAL_TEXT not in docx_text(files_of(year_dir, nr, "vedlegg"))
    for path in all_files(year_dir):
        assert GOAL_TEXT not in path.name
        if path.suffix in (".json", ".xlsx"):
            assert GOAL_TEXT.encode() not in path.read_bytes()
    report = openpyxl.load_workbook(year_dir / "rapport.xlsx").active
    assert all(GOAL_TEXT not in str(v) for row in report.iter_rows(values_only=True) for v in row)


def test_report_has_a_row_per_leader(generated):
    year_dir, _ = generated
    rows = list(openpyxl.load_workbook(year_dir / "rapport.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Ansattnr", "Navn", "Enhet", "Antall oppdrag", "Status")
    by_nr = {r[0]: r for r in rows[1:]}
    assert set(by_nr) == set(EXPECTED)
    assert by_nr["210"][3] == 3
    assert "e-post" in by_nr["320"][6]  # Nils Barnehage has no e-mail: the warning is on his row


def test_template_code_and_xml_characters_in_cells_print_as_typed(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"][4][1] = 'Åse {{ 7*7 }} & <Co> "Q" {% if x %}'
    sheets["Tiltak"].append([300, "5", "Rapport til «kommunestyret» & <utvalg>"])
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    text = docx_text(files_of(tmp_path / "ut" / "2027", "300", "avtale"))
    assert 'Åse {{ 7*7 }} & <Co> "Q"' in text
    assert "{% if x %}" in text
    assert "Rapport til «kommunestyret» & <utvalg>" in text
    assert "49" not in text.split("Åse")[1][:10]


def test_bad_workbook_exits_1_writes_nothing(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"][3][6] = 9999  # unknown superior
    sheets["Oppdrag"][2][7] = "avdeling:Ukjent"  # unknown selector
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Ledere!G4" in result.output and "9999" in result.output
    assert "Oppdrag!H3" in result.output
    assert not (tmp_path / "ut").exists()


def test_not_an_xlsx_exits_1(tmp_path):
    fake = tmp_path / "ledere.xlsx"
    fake.write_text("Ansattnr;Navn\n1;Kari\n", encoding="utf-8")
    result = run("generer", fake, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "ledere.xlsx" in result.output
    assert not (tmp_path / "ut").exists()


def test_template_with_unknown_name_exits_1_naming_template_and_name(tmp_path):
    import shutil

    from docx import Document

    maler = tmp_path / "maler"
    shutil.copytree(ROOT / "maler", maler)
    doc = Document(str(maler / "lederavtale.docx"))
    doc.add_paragraph("Hilsen {{ leder.fornavnet }}")
    doc.save(str(maler / "lederavtale.docx"))
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    result = run("generer", workbook, "--maler", maler, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1
    assert "lederavtale.docx" in result.output and "fornavnet" in result.output
    assert not (tmp_path / "ut").exists()


def test_unknown_mal_column_template_is_an_error(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"][4][8] = "finnes_ikke.docx"
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "finnes_ikke.docx" in result.output
    assert not (tmp_path / "ut").exists()


@pytest.mark.slow
def test_filters_leder_and_enhet(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    assert run("generer", workbook, "--ut", tmp_path / "u1", "--ingen-pdf", "--leder", "210", "--leder", "310").exit_code == 0
    assert set(manifest(tmp_path / "u1" / "2027")["ledere"]) == {"210", "310"}
    assert run("generer", workbook, "--ut", tmp_path / "u2", "--ingen-pdf", "--enhet", "testvik SYKEHJEM").exit_code == 0
    assert set(manifest(tmp_path / "u2" / "2027")["ledere"]) == {"210", "211"}
    bad = run("generer", workbook, "--ut", tmp_path / "u3", "--ingen-pdf", "--leder", "4242")
    assert bad.exit_code == 1 and "4242" in bad.output


@pytest.mark.slow
def test_rerun_without_changes_rewrites_nothing(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    generate(Job(workbook, tmp_path / "ut"), pdf=False)
    year_dir = tmp_path / "ut" / "2027"
    before = {p: p.stat().st_mtime_ns for p in year_dir.rglob("*.docx")}
    time.sleep(0.01)
    result = generate(Job(workbook, tmp_path / "ut"), pdf=False)
    assert {item.status for item in result.items} == {"uendret"}
    assert {p: p.stat().st_mtime_ns for p in year_dir.rglob("*.docx")} == before
    # changed data for one leader: only that leader's documents are made again
    sheets = basic_sheets()
    sheets["Tiltak"].append([310, "1", "Nytt tiltak for skolen"])
    write_xlsx(workbook, sheets)
    result = generate(Job(workbook, tmp_path / "ut"), pdf=False)
    changed = {item.ansattnr for item in result.items if item.status == "oppdatert"}
    assert changed == {"310"}
    assert "Nytt tiltak for skolen" in docx_text(files_of(year_dir, "310", "avtale"))


@pytest.mark.slow
def test_edited_draft_survives_and_overskriv_keeps_a_copy(tmp_path):
    from docx import Document

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf").exit_code == 0
    year_dir = tmp_path / "ut" / "2027"
    path = files_of(year_dir, "210", "avtale")
    doc = Document(str(path))
    doc.add_paragraph("Lagt til av HR etter samtalen")
    doc.save(str(path))
    edited = path.read_bytes()

    sheets = basic_sheets()
    sheets["Tiltak"].append([210, "1", "Endret i arbeidsboken"])
    write_xlsx(workbook, sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0
    assert "210 Øystein Sykehjem" in result.output and "--overskriv" in result.output
    assert path.read_bytes() == edited
    report = list(openpyxl.load_workbook(year_dir / "rapport.xlsx").active.iter_rows(values_only=True))
    assert any(r[0] == "210" and "endret" in r[4] for r in report)

    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf", "--overskriv")
    assert result.exit_code == 0
    backups = list(path.parent.glob("*(endret *).docx"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert "Endret i arbeidsboken" in docx_text(path)
    assert sha256_file(path) == [f for f in manifest(year_dir)["ledere"]["210"]["filer"] if f["format"] == "docx" and f["rolle"] == "avtale"][0]["sha256"]


@pytest.mark.slow
def test_leader_removed_from_workbook_keeps_files(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    generate(Job(workbook, tmp_path / "ut"), pdf=False)
    year_dir = tmp_path / "ut" / "2027"
    kept = files_of(year_dir, "211", "avtale")
    sheets = basic_sheets()
    sheets["Ledere"] = [r for r in sheets["Ledere"] if r[0] != 211]
    write_xlsx(workbook, sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0 and "211 Berit Avdeling" in result.output
    assert kept.exists()
    report = list(openpyxl.load_workbook(year_dir / "rapport.xlsx").active.iter_rows(values_only=True))
    assert any(r[0] == "211" and "ikke lenger i arbeidsboken" in r[4] for r in report)


@pytest.mark.slow
def test_privacy_guard_stops_agreement_that_repeats_a_goal(tmp_path):
    sheets = basic_sheets()
    sheets["Tiltak"].append([210, "1", GOAL_TEXT])  # HR pasted the goal into a public measure
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 3
    assert "210 Øystein Sykehjem" in result.output
    assert "Tiltak rad 5" in result.output and "Utviklingsmål rad 2" in result.output
    assert GOAL_TEXT not in result.output
    year_dir = tmp_path / "ut" / "2027"
    folder = next(year_dir.glob("210 *"))
    assert not list(folder.glob("Lederavtale*"))
    assert list(folder.glob("Utviklingsmål*"))  # the non-public appendix is fine
    assert len(list(year_dir.glob("*/Lederavtale*.docx"))) == len(EXPECTED) - 1
    check = run("sjekk", workbook)
    assert check.exit_code == 1 and GOAL_TEXT not in check.output


def test_hostile_names_make_safe_folders(tmp_path):
    sheets = basic_sheets()
    sheets["Ledere"][4][1] = "../../etc/passwd"
    sheets["Ledere"][5][1] = "A/B: C\\D\t " + "x" * 300
    sheets["Ledere"][4][3] = "Enhet/med:skråstrek"
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    year_dir = (tmp_path / "ut" / "2027").resolve()
    for path in all_files(tmp_path):
        assert len(path.name.encode()) < 255
        if path.suffix == ".docx":
            assert path.resolve().parent.parent == year_dir
    assert not (tmp_path / "etc").exists()
    folders = {p.name for p in year_dir.iterdir() if p.is_dir()}
    assert "300 ..-..-etc-passwd" in folders
    assert any(f.startswith("210 A-B- C-D") for f in folders)


@pytest.mark.parametrize("navn", [".", "..", "...", " - ", "🙂🙂🙂"])
def test_a_name_without_letters_is_refused_with_its_cell(tmp_path, navn):
    sheets = basic_sheets()
    sheets["Ledere"][6][1] = navn  # row 7
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Ledere!B7: Navn «{navn.strip()}» må inneholde bokstaver" in result.output
    assert not (tmp_path / "ut").exists()


@pytest.mark.parametrize("first, second", [("2001/1", "2001-1"), ("a100", "A100"), ("2001:1", "2001*1")])
def test_ids_that_would_share_a_folder_are_refused_naming_both_cells(tmp_path, first, second):
    sheets = basic_sheets()
    # Two leaders with the same name, under the same superior, whose Ansattnr differ only in
    # characters a folder name cannot hold, or in case (one folder on Windows).
    for row, nr in ((6, first), (7, second)):  # 310 and 320, rows 7 and 8
        sheets["Ledere"][row][0] = nr
        sheets["Ledere"][row][1] = "Kari Hansen"
    for table in ("Tiltak", "Utviklingsmål"):
        sheets[table] = [r for r in sheets[table] if str(r[0]) != "310"]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    for command in ("sjekk", "generer"):
        result = run(command, workbook, "--ut", tmp_path / "ut", "--ingen-pdf") if command == "generer" \
            else run(command, workbook)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "Ledere!A8" in result.output and "(Ledere!A7)" in result.output and "samme mappe" in result.output
    assert not (tmp_path / "ut").exists()


@pytest.mark.parametrize("navn", ["王" * 120, "Kari " + "🙂" * 300, "Å" * 200])
@pytest.mark.slow
def test_over_long_names_are_shortened_keeping_the_ansattnr(tmp_path, navn):
    sheets = basic_sheets()
    sheets["Ledere"][5][1] = navn  # Ansattnr 210
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    year_dir = tmp_path / "ut" / "2027"
    (folder,) = [p for p in year_dir.iterdir() if p.name.startswith("210 ")]
    files = list(folder.iterdir())
    assert len(files) == 2
    for path in [folder, *files]:
        assert len(path.name.encode("utf-8")) <= 150
    assert navn[:10] in docx_text(files_of(year_dir, "210", "avtale"))  # the document keeps the whole name
    assert navn in docx_text(files_of(year_dir, "210", "avtale"))


HOLD_LOCK = """
import sys, time
from generator.store.lock import RunLock
with RunLock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.mark.slow
def test_second_run_on_same_folder_is_refused_until_the_holder_dies(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    with RunLock(tmp_path / "ut" / "2027"):
        result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "En annen kjøring" in result.output
    # Another process holds the lock, then is killed: the operating system releases it.
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "ut" / "2027")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
        assert refused.exit_code == 1 and f"prosess {holder.pid}" in refused.output
    finally:
        holder.kill()
        holder.wait()
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf").exit_code == 0


LOCK_ROUNDS = """
import os, sys, time
from generator.store.lock import RunLock
from generator.exceptions import OutputLocked
folder, inside = sys.argv[1], os.path.join(sys.argv[1], "inne")
overlaps = held = 0
while held < 40:
    try:
        with RunLock(folder):
            held += 1
            try:
                os.close(os.open(inside, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                overlaps += 1
                continue
            time.sleep(0.001)
            os.unlink(inside)
    except OutputLocked:
        time.sleep(0.0005)
print(overlaps)
"""


@pytest.mark.slow
def test_lock_lets_one_process_in_at_a_time(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", LOCK_ROUNDS, str(tmp_path)], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    overlaps = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert overlaps == [0, 0, 0, 0]


@pytest.mark.slow
def test_formula_in_cell_stays_text_in_report(tmp_path):
    sheets = basic_sheets()
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    wb = openpyxl.load_workbook(workbook)
    cell = wb["Ledere"]["B6"]  # leader 210's name, typed as text that looks like a formula
    cell.value = '=HYPERLINK("http://x";"klikk")'
    cell.data_type = "s"
    wb.save(workbook)
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "ut" / "2027" / "rapport.xlsx").active
    (cell,) = [row[1] for row in ws.iter_rows() if row[0].value == "210"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.slow
def test_interrupted_run_leaves_complete_files_and_rerun_completes(tmp_path):
    from synth import synthetic_workbook

    workbook = synthetic_workbook(tmp_path / "s.xlsx", 40)
    out = tmp_path / "ut"
    year_dir = out / "2027"
    cmd = [sys.executable, "-m", "generator", "generer", str(workbook), "--ut", str(out), "--jobber", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline and not list(year_dir.rglob("*.pdf")):
        time.sleep(0.05)
    assert list(year_dir.rglob("*.pdf")), "no PDF appeared"
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 130, output
    assert "Avbrutt" in output and "Traceback" not in output
    assert not [p for p in all_files(year_dir) if p.name.startswith(".~lederavtale-")]
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout
    assert not leftover.strip(), "LibreOffice processes left running"

    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    data = manifest(year_dir)
    assert len(data["ledere"]) == 40
    for entry in data["ledere"].values():
        assert {(f["rolle"], f["format"]) for f in entry["filer"]} == {
            ("avtale", "docx"), ("vedlegg", "docx"), ("avtale", "pdf"), ("vedlegg", "pdf")}
        for f in entry["filer"]:
            assert sha256_file(year_dir / f["sti"]) == f["sha256"]


@pytest.mark.slow
def test_write_error_is_a_message_not_a_traceback(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    year_dir = tmp_path / "ut" / "2027"
    year_dir.mkdir(parents=True)
    (year_dir / "210 Øystein Sykehjem").write_text("en fil der mappen skulle vært")
    result = run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1
    assert "Kunne ikke skrive" in result.output and "Traceback" not in result.output
    assert not [p for p in year_dir.rglob(".~lederavtale-*")]
    # what was finished before the failure is recorded, so a rerun after the fix completes it
    (year_dir / "210 Øystein Sykehjem").unlink()
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf").exit_code == 0
    assert len(manifest(year_dir)["ledere"]) == len(EXPECTED)


@pytest.mark.slow
def test_nynorsk_example_is_nynorsk_throughout_the_kommunedirektor_included(tmp_path):
    shutil.copy(ROOT / "input" / "logo.png", tmp_path / "logo.png")
    wb = openpyxl.load_workbook(ROOT / "input" / "eksempel.xlsx")
    kommune = wb["Kommune"]
    (row,) = [r for r in range(1, kommune.max_row + 1) if kommune.cell(r, 1).value == "Målform"]
    kommune.cell(row, 2).value = "nynorsk"
    wb.save(tmp_path / "eksempel.xlsx")
    bok_ledere = {leder["Ansattnr"]: leder for leder in _rows(wb["Ledere"])}
    named = [nr for nr, leder in bok_ledere.items() if leder.get("Mal")]
    assert named, "the example names a template in the Mal column"

    job = Job(tmp_path / "eksempel.xlsx", tmp_path / "ut", ROOT / "maler")
    generate(job, pdf=False)
    year_dir = job.year.path
    entries = manifest(year_dir)["ledere"]
    assert set(named) <= set(entries)
    for nr, entry in entries.items():
        for f in entry["filer"]:
            text = docx_text(year_dir / f["sti"])
            assert "Lederavtale" not in text and "Lederavtale" not in f["sti"], (nr, f["sti"])
        agreement = files_of(year_dir, nr, "avtale")
        assert agreement.name.startswith("Leiaravtale")
    for nr in named:
        assert "Føremål" in docx_text(files_of(year_dir, nr, "avtale"))  # the nynorsk kommunedirektør text


def _rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [{h: str(v) for h, v in zip(rows[0], row) if v is not None} for row in rows[1:] if any(row)]


# --- interrupts, full disks, edited PDFs, renamed leaders (issue 11) ----------------------------


def _no_false_edits_and_all_recorded(workbook: Path, out: Path) -> None:
    rerun = run("generer", workbook, "--ut", out, "--ingen-pdf")
    assert rerun.exit_code == 0, rerun.output
    assert "endret for hånd" not in rerun.output and "Overskrevet" not in rerun.output
    year_dir = out / "2027"
    recorded = {f["sti"] for e in manifest(year_dir)["ledere"].values() for f in e["filer"]}
    on_disk = {p.relative_to(year_dir).as_posix() for p in year_dir.rglob("*.docx")}
    assert on_disk == recorded
    assert len(manifest(year_dir)["ledere"]) == 300


KILL_AFTER_WRITES = """
import os, signal, sys
from generator.cli import main
from generator.documents import writing

real, count, sig = writing.atomic_write_bytes, 0, int(sys.argv[1])

def write(path, data, durable=False):
    # The signal lands right after a Word file is in place and before its leader is finished.
    global count
    real(path, data, durable)
    count += 1
    if count == 41:
        os.kill(os.getpid(), sig)

writing.atomic_write_bytes = write
sys.argv = ["lederavtale", "generer", sys.argv[2], "--ut", sys.argv[3], "--ingen-pdf"]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
@pytest.mark.slow
def test_killed_while_word_files_are_written_rerun_completes_without_false_edits(tmp_path, sig):
    from synth import synthetic_workbook

    workbook = synthetic_workbook(tmp_path / "s.xlsx", 300)
    out = tmp_path / "ut"
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER_WRITES, str(int(sig)), str(workbook), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 130), proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(list((out / "2027").rglob("*.docx"))) == 41
    _no_false_edits_and_all_recorded(workbook, out)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("kan ikke montere en liten tmpfs her (krever root): " + made.stderr.decode().strip())
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_no_room_for_the_batch_is_refused_before_anything_is_written(tmp_path, small_disk):
    from synth import synthetic_workbook

    workbook = synthetic_workbook(tmp_path / "s.xlsx", 300)
    result = run("generer", workbook, "--ut", small_disk / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "For lite ledig plass" in result.output and "300 ledere" in result.output
    assert not list(small_disk.rglob("*.docx"))


FILL_DISK_AFTER_WRITES = """
import os, sys
from generator.cli import main
from generator.documents import writing

real, count, filler = writing.atomic_write_bytes, 0, sys.argv[1]

def write(path, data, durable=False):
    # Something else fills the disk while the Word files are written.
    global count
    real(path, data, durable)
    count += 1
    if count == 41:
        with open(filler, "wb") as fh:
            try:
                while True:
                    fh.write(b"0" * 65536)
            except OSError:
                pass

writing.atomic_write_bytes = write
sys.argv = ["lederavtale", "generer", sys.argv[2], "--ut", sys.argv[3], "--ingen-pdf"]
main()
"""


@pytest.mark.slow
def test_disk_filling_up_while_word_files_are_written_then_rerun(tmp_path, small_disk):
    from synth import synthetic_workbook

    workbook = synthetic_workbook(tmp_path / "s.xlsx", 300)
    subprocess.run(["mount", "-o", "remount,size=80m", str(small_disk)], check=True)
    filler, out = small_disk / "annet.bin", small_disk / "ut"
    proc = subprocess.run([sys.executable, "-c", FILL_DISK_AFTER_WRITES, str(filler), str(workbook), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "No space left on device" in proc.stderr and "ingen halvskrevne filer" in proc.stderr
    assert not list(small_disk.rglob(".~lederavtale-*"))
    filler.unlink()
    _no_false_edits_and_all_recorded(workbook, out)


def _edit_docx(path: Path, text: str = "Endret av lederen") -> None:
    from docx import Document

    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) er ikke installert")
@pytest.mark.slow
def test_a_signed_pdf_is_never_replaced_silently(tmp_path):
    sheets = basic_sheets()
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    out = tmp_path / "ut"
    assert run("generer", workbook, "--ut", out, "--leder", "210").exit_code == 0
    year_dir = out / "2027"
    pdf = files_of(year_dir, "210", "avtale", "pdf")
    signed = pdf.read_bytes() + b"\n% signert\n"
    pdf.write_bytes(signed)

    again = run("generer", workbook, "--ut", out, "--leder", "210")
    assert again.exit_code == 0 and "210" in again.output and "endret for hånd" in again.output
    assert pdf.read_bytes() == signed
    sheets["Oppdrag"][1][2] = "Drive innenfor vedtatt budsjett, også i 2027"  # the data changes too
    write_xlsx(workbook, sheets)
    changed = run("generer", workbook, "--ut", out, "--leder", "210")
    assert changed.exit_code == 0 and pdf.read_bytes() == signed
    report = openpyxl.load_workbook(year_dir / "rapport.xlsx").active
    (row,) = [r for r in report.iter_rows(values_only=True) if r[0] == "210"]
    assert pdf.name in row[6]

    replaced = run("generer", workbook, "--ut", out, "--leder", "210", "--overskriv")
    assert replaced.exit_code == 0, replaced.output
    (backup,) = pdf.parent.glob(f"{pdf.stem} (endret *).pdf")
    assert backup.read_bytes() == signed and pdf.read_bytes() != signed


def _generated_then_renamed(tmp_path: Path, navn: str, edit: bool = False) -> tuple[Path, Path, Path]:
    """Generate, optionally edit leader 210's agreement, then change 210's Navn in the workbook."""
    sheets = basic_sheets()
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    out = tmp_path / "ut"
    assert run("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    agreement = files_of(out / "2027", "210", "avtale")
    if edit:
        _edit_docx(agreement)
    sheets["Ledere"][5][1] = navn  # Ansattnr 210
    write_xlsx(workbook, sheets)
    return workbook, out, agreement


@pytest.mark.slow
def test_renamed_leader_moves_with_its_folder(tmp_path):
    workbook, out, _ = _generated_then_renamed(tmp_path, "Øystein Sykehjem-Berg")
    year_dir = out / "2027"
    assert run("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    folders = sorted(p.name for p in year_dir.iterdir() if p.name.startswith("210 "))
    assert folders == ["210 Øystein Sykehjem-Berg"]
    assert manifest(year_dir)["ledere"]["210"]["mappe"] == "210 Øystein Sykehjem-Berg"
    assert all(f["sti"].startswith("210 Øystein Sykehjem-Berg/") for f in manifest(year_dir)["ledere"]["210"]["filer"])


@pytest.mark.slow
def test_renamed_leader_with_an_edited_agreement_is_never_orphaned(tmp_path):
    workbook, out, edited = _generated_then_renamed(tmp_path, "Øystein Berg", edit=True)
    year_dir = out / "2027"

    kept = run("generer", workbook, "--ut", out, "--ingen-pdf")
    assert kept.exit_code == 0 and "210 Øystein Sykehjem" in kept.output and "navnet er endret" in kept.output
    assert not (year_dir / "210 Øystein Berg").exists()
    assert files_of(year_dir, "210", "avtale") == edited  # epost and arkiv keep using the edited file
    assert "Endret av lederen" in docx_text(edited)

    moved = run("generer", workbook, "--ut", out, "--ingen-pdf", "--overskriv")
    assert moved.exit_code == 0, moved.output
    new_folder = year_dir / "210 Øystein Berg"
    (copy,) = new_folder.glob("* (endret *).docx")
    assert "Endret av lederen" in docx_text(copy)
    assert files_of(year_dir, "210", "avtale").parent == new_folder
    assert not edited.parent.exists()


@pytest.mark.parametrize("command", ["generer", "epost", "arkiv"])
@pytest.mark.slow
def test_read_only_output_folder_is_a_message_not_a_traceback(tmp_path, small_disk, command):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    out = small_disk / "ut"
    assert run("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run(command, workbook, "--ut", out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Kan ikke skrive i" in result.output
    assert str(out / "2027") in result.output


@pytest.mark.skipif(os.name != "posix" or shutil.which("soffice") is None, reason="POSIX file modes, LibreOffice")
@pytest.mark.slow
def test_every_written_file_gets_the_same_mode_from_the_umask(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    # The umask is read once, when the program starts, as in any run from a shell.
    subprocess.run([sys.executable, "-m", "generator", "generer", str(workbook), "--ut", str(tmp_path / "ut"),
                    "--leder", "210"], cwd=ROOT, check=True, capture_output=True, preexec_fn=lambda: os.umask(0o027))
    year_dir = tmp_path / "ut" / "2027"
    files = [p for p in year_dir.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert {p.suffix for p in files} >= {".docx", ".pdf", ".json", ".xlsx"}
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: oct(0o640) for p in files}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice")
@pytest.mark.slow
def test_pdf_conversion_is_a_stage_of_its_own_after_the_word_files(tmp_path):
    """The PDFs are most of a run's time: a page that polls the stages must not sit at the last Word file."""
    from generator.documents.pdf import PDF_STAGE, PdfSettings

    calls = []
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    # One LibreOffice process, so one batch of all 14: the stage must still rise file by file within it.
    job = Job(workbook, tmp_path / "ut", pdf=PdfSettings(jobber=1), progress=lambda *call: calls.append(call))
    result = generate(job)
    assert result.exit_code == 0, result.failures
    pdfs = sorted((tmp_path / "ut" / "2027").rglob("*.pdf"))
    assert len(pdfs) == 2 * len(EXPECTED)
    word = [i for i, (label, _, _) in enumerate(calls) if label == "Skriver dokumenter"]
    stage = [i for i, (label, _, _) in enumerate(calls) if label == PDF_STAGE]
    assert word and stage and min(stage) > max(word)  # the last .docx first, then the PDFs, as a stage of their own
    done = [calls[i][1] for i in stage]
    assert {calls[i][2] for i in stage} == {len(pdfs)}
    assert done == sorted(done) and done[-1] == len(pdfs) and len(set(done)) > 3  # rising, not one jump at the end
