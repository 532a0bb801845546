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
from generator.store.files import sha256_file
from generator.store.lock import RunLock

# From conftest.BASIC's Gjelder column: who gets which assignment.
EXPECTED = {
    "100": {"1", "5"}, "200": {"1"}, "300": {"1", "5"}, "210": {"1", "2", "4"},
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
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    (row2,) = [r for r in rows if any("Redusere sykefraværet" in c for c in r)]
    assert any("Ukentlige oppfølgingssamtaler med sykmeldte" in c for c in row2)
    assert any("Tilrettelegging i samarbeid med NAV" in c for c in row2)
    other = [r for r in rows if r is not row2 and any("Drive innenfor vedtatt budsjett" in c for c in r)]
    assert other and not any("NAV" in c for r in other for c in r)
    # a line break in the workbook cell stays a line break
    assert any("Redusere sykefraværet\nmed systematisk oppfølging" in c for c in row2)


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


def test_filters_leder_and_enhet(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    assert run("generer", workbook, "--ut", tmp_path / "u1", "--ingen-pdf", "--leder", "210", "--leder", "310").exit_code == 0
    assert set(manifest(tmp_path / "u1" / "2027")["ledere"]) == {"210", "310"}
    assert run("generer", workbook, "--ut", tmp_path / "u2", "--ingen-pdf", "--enhet", "testvik SYKEHJEM").exit_code == 0
    assert set(manifest(tmp_path / "u2" / "2027")["ledere"]) == {"210", "211"}
    bad = run("generer", workbook, "--ut", tmp_path / "u3", "--ingen-pdf", "--leder", "4242")
    assert bad.exit_code == 1 and "4242" in bad.output


def test_rerun_without_changes_rewrites_nothing(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    generate(workbook, ut=tmp_path / "ut", pdf=False)
    year_dir = tmp_path / "ut" / "2027"
    before = {p: p.stat().st_mtime_ns for p in year_dir.rglob("*.docx")}
    time.sleep(0.01)
    result = generate(workbook, ut=tmp_path / "ut", pdf=False)
    assert {r.status for r in result.leaders} == {"uendret"}
    assert {p: p.stat().st_mtime_ns for p in year_dir.rglob("*.docx")} == before
    # changed data for one leader: only that leader's documents are made again
    sheets = basic_sheets()
    sheets["Tiltak"].append([310, "1", "Nytt tiltak for skolen"])
    write_xlsx(workbook, sheets)
    result = generate(workbook, ut=tmp_path / "ut", pdf=False)
    changed = {r.leder.ansattnr for r in result.leaders if r.status == "oppdatert"}
    assert changed == {"310"}
    assert "Nytt tiltak for skolen" in docx_text(files_of(year_dir, "310", "avtale"))


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


def test_leader_removed_from_workbook_keeps_files(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    generate(workbook, ut=tmp_path / "ut", pdf=False)
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
    sheets["Ledere"][6][1] = "..."
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


HOLD_LOCK = """
import sys, time
from generator.store.lock import RunLock
with RunLock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


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


def test_lock_lets_one_process_in_at_a_time(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", LOCK_ROUNDS, str(tmp_path)], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    overlaps = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert overlaps == [0, 0, 0, 0]


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

    result = generate(tmp_path / "eksempel.xlsx", maler=ROOT / "maler", ut=tmp_path / "ut", pdf=False)
    entries = manifest(result.year_dir)["ledere"]
    assert set(named) <= set(entries)
    for nr, entry in entries.items():
        for f in entry["filer"]:
            text = docx_text(result.year_dir / f["sti"])
            assert "Lederavtale" not in text and "Lederavtale" not in f["sti"], (nr, f["sti"])
        agreement = files_of(result.year_dir, nr, "avtale")
        assert agreement.name.startswith("Leiaravtale")
    for nr in named:
        assert "Føremål" in docx_text(files_of(result.year_dir, nr, "avtale"))  # the nynorsk kommunedirektør text


def _rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [{h: str(v) for h, v in zip(rows[0], row) if v is not None} for row in rows[1:] if any(row)]
