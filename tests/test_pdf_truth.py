"""One truth per document (issue 17 item 2): a PDF never lags the Word file it is the twin of.

Everything runs on the bundled example, cut to six leaders to keep the suite short (`KEEP`), with real
LibreOffice: `generer` and `oppfolging` with PDFs, then an assignment changes and a run is made without PDFs or stopped
during the PDF stage (SIGINT, SIGKILL), then a normal run. After it, every PDF must show the
words of its .docx, for every leader. Nothing is faked: runs are stopped with real signals
from inside the process, right after a PDF is recorded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, docx_text

from generator.cli import main
from generator.store.files import sha256_file
from generator.store.manifest import Manifest
from generator.workbook import read_workbook

pytestmark = [pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) mangler"),
              pytest.mark.slow]

EXAMPLE = ROOT / "input" / "eksempel.xlsx"
# Replaces assignment 4 (Gjelder `alle`: every leader but the kommunedirektør, who is named for
# assignment 1 and 3 only), in words found nowhere else in the documents.
NEW_TEXT = "Halvere energibruken i formålsbyggene med enøktiltak og nattsenking."
NEW_WORDS = {"Halvere", "energibruken", "formålsbyggene", "enøktiltak", "nattsenking"}
ROLES = {"generer": ("avtale", "vedlegg"), "oppfolging": ("oppfolging",)}
# The drafts' PDFs carry the UTKAST mark; the follow-up form is filled in as it is (Kind.draft).
MARK = {"avtale": "UTKAST", "vedlegg": "UTKAST", "oppfolging": None}
CHANGED = {"generer": "avtale", "oppfolging": "oppfolging"}  # the role that shows assignment 4


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def manifest(year_dir: Path) -> dict:
    """The manifest as every command reads it: with the journal of a stopped run replayed."""
    return Manifest.load(year_dir).to_dict()


def _words(text: str) -> set[str]:
    # pdftotext joins a word LibreOffice broke at a hyphen ("HMS-" / "arbeid" → "HMSarbeid"),
    # so hyphens go on both sides.
    return set(re.findall(r"\w+", text.replace("-", "").replace("\u00ad", "")))


def docx_words(path: Path) -> set[str]:
    """The words of a .docx as python-docx reads it: paragraphs, tables, headers and footers."""
    return _words(docx_text(path))


def pdf_words(path: Path, mark: str | None = "UTKAST") -> set[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = _words(text)
    if mark:
        assert mark in words, f"{path.name} mangler {mark}-merket"
    # Page numbers are fields the .docx does not spell out; the draft mark is the PDF's own.
    return {w for w in words - {mark} if not w.isdigit()}


def differs(docx: Path, pdf: Path, mark: str | None = "UTKAST") -> str:
    """Empty when the PDF shows the .docx, else what is missing and what is extra."""
    want, got = {w for w in docx_words(docx) if not w.isdigit()}, pdf_words(pdf, mark)
    if want == got:
        return ""
    return f"{pdf.name}: mangler {sorted(want - got)[:8]}, har i tillegg {sorted(got - want)[:8]}"


def assert_every_pdf_shows_its_docx(year_dir: Path, command: str) -> None:
    """Every leader's PDF exists, is the one the manifest vouches for, and shows its .docx."""
    problems, changed = [], 0
    for nr, entry in manifest(year_dir)["ledere"].items():
        files = {(f["rolle"], f["format"]): f for f in entry["filer"]}
        for rolle in ROLES[command]:
            docx = year_dir / files[(rolle, "docx")]["sti"]
            assert sha256_file(docx) == files[(rolle, "docx")]["sha256"], docx
            pdf_entry = files.get((rolle, "pdf"))
            if pdf_entry is None:
                problems.append(f"{nr} {rolle}: ingen PDF i manifestet")
                continue
            pdf = year_dir / pdf_entry["sti"]
            assert pdf == docx.with_suffix(".pdf")
            assert sha256_file(pdf) == pdf_entry["sha256"], pdf
            if problem := differs(docx, pdf, MARK[rolle]):
                problems.append(f"{nr} {problem}")
            changed += rolle == CHANGED[command] and NEW_WORDS <= docx_words(docx)
    assert not problems, "\n".join(problems)
    assert changed == len(KEEP) - 1, "the new assignment reaches every leader but the kommunedirektør"


def assert_no_pdf_lags(year_dir: Path, command: str) -> None:
    """After a run without PDFs: a PDF is either gone or still shows its .docx."""
    stale = []
    for nr, entry in manifest(year_dir)["ledere"].items():
        for f in entry["filer"]:
            if f["format"] == "docx" and f["rolle"] in ROLES[command]:
                docx = year_dir / f["sti"]
                pdf = docx.with_suffix(".pdf")
                if pdf.exists() and (problem := differs(docx, pdf, MARK[f["rolle"]])):
                    stale.append(f"{nr} {problem}")
        recorded = {f["sti"] for f in entry["filer"] if f["format"] == "pdf"}
        assert all((year_dir / sti).exists() for sti in recorded), f"{nr}: the manifest lists a PDF that is gone"
    assert not stale, "\n".join(stale)


# Two chains from the kommunedirektør down to an avdelingsleder: every level, and a superior with two leaders.
KEEP = {"1001", "1002", "1010", "1011", "1040", "1041"}


def keep_only(workbook: Path, keep: set[str]) -> None:
    """The others get no agreement (they stay as superiors), and their rows in the leaders' sheets go."""
    wb = openpyxl.load_workbook(workbook)
    ledere = wb["Ledere"]
    avtale = [c.value for c in ledere[1]].index("Avtale") + 1
    for row in range(2, ledere.max_row + 1):
        if ledere.cell(row, 1).value is not None and str(ledere.cell(row, 1).value) not in keep:
            ledere.cell(row, avtale).value = "nei"
    for name in ("Tiltak", "Måltall", "Utviklingsmål"):
        ws = wb[name]
        for row in range(ws.max_row, 1, -1):
            if ws.cell(row, 1).value is not None and str(ws.cell(row, 1).value) not in keep:
                ws.delete_rows(row)
    wb.save(workbook)


def change_assignment(workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Oppdrag"]
    (row,) = [r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value) == "4"]
    ws.cell(row, 3).value = NEW_TEXT
    wb.save(workbook)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The example, with agreements and follow-up documents made with PDFs."""
    base = tmp_path_factory.mktemp("sannhet")
    shutil.copy(EXAMPLE, base / "eksempel.xlsx")
    shutil.copy(ROOT / "input" / "logo.png", base / "logo.png")
    keep_only(base / "eksempel.xlsx", KEEP)
    for command in ROLES:
        result = cli(command, base / "eksempel.xlsx", "--ut", base / "ut")
        assert result.exit_code == 0, result.output
    assert set(manifest(base / "ut" / "2027")["ledere"]) == KEEP
    return base


@pytest.fixture
def work(made, tmp_path) -> Path:
    """A copy of `made` (with the files' times), its assignment 4 changed."""
    folder = tmp_path / "w"
    shutil.copytree(made, folder)
    change_assignment(folder / "eksempel.xlsx")
    return folder


@pytest.mark.parametrize("command", list(ROLES))
def test_a_run_without_pdf_leaves_no_stale_pdf_and_the_next_run_makes_them(work, command):
    workbook, out, year_dir = work / "eksempel.xlsx", work / "ut", work / "ut" / "2027"
    result = cli(command, workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert_no_pdf_lags(year_dir, command)

    result = cli(command, workbook, "--ut", out)
    assert result.exit_code == 0, result.output
    assert "endret for hånd" not in result.output
    assert_every_pdf_shows_its_docx(year_dir, command)


KILL_AFTER_PDFS = """
import os, sys
from generator.cli import main
from generator.documents import pdf, writing

real, count, sig = writing._record_pdf, 0, int(sys.argv[1])

# Batches of four, as a big run's batches of a hundred: LibreOffice is still at work on the
# others when the signal lands, and Ctrl-C stops it there.
pdf.PdfSettings.converter = lambda self, on_done=None, watermark=None: pdf.PdfConverter(
    jobber=1, on_done=on_done, watermark=watermark, batch_size=4)

def record(*args):
    # The signal lands right after the third PDF is recorded, the others still converting.
    global count
    real(*args)
    count += 1
    if count == 3:
        os.kill(os.getpid(), sig)

writing._record_pdf = record
sys.argv = ["lederavtale", sys.argv[2], sys.argv[3], "--ut", sys.argv[4]]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("command", list(ROLES))
def test_stopped_during_the_pdf_stage_the_rerun_makes_every_pdf(work, command, sig):
    workbook, out, year_dir = work / "eksempel.xlsx", work / "ut", work / "ut" / "2027"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER_PDFS, str(int(sig)), command, str(workbook), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 130), proc.stderr
    assert "Traceback" not in proc.stderr
    assert_no_pdf_lags(year_dir, command)

    result = cli(command, workbook, "--ut", out)
    assert result.exit_code == 0, result.output
    assert "Ferdig" in result.output and "endret for hånd" not in result.output
    assert_every_pdf_shows_its_docx(year_dir, command)


def test_a_manifest_from_before_pdfs_named_their_source(work, made):
    """Old manifests have no `kilde` on their PDFs: a PDF older than its .docx is made again,
    one made after it is kept as it is."""
    workbook, out, year_dir = work / "eksempel.xlsx", work / "ut", work / "ut" / "2027"
    assert cli("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    # What an earlier version left: the old PDFs back in place, vouched for by the manifest.
    old = manifest(made / "ut" / "2027")["ledere"]
    data = manifest(year_dir)
    for nr, entry in data["ledere"].items():
        old_pdfs = [f for f in old[nr]["filer"] if f["format"] == "pdf" and f["rolle"] in ("avtale", "vedlegg")]
        for f in old_pdfs:
            shutil.copy2(made / "ut" / "2027" / f["sti"], year_dir / f["sti"])
        entry["filer"] = [f for f in entry["filer"] if f["format"] != "pdf"] + old_pdfs
        for f in entry["filer"]:
            f.pop("kilde", None)
    (year_dir / "manifest.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    kept = {p: p.stat().st_mtime_ns for p in (year_dir / "1001 Håkon Lie").glob("*.pdf")
            if not p.name.startswith("Oppfølgingssamtale")}
    assert len(kept) == 2  # the kommunedirektør's documents do not show assignment 4

    result = cli("generer", workbook, "--ut", out)
    assert result.exit_code == 0, result.output
    assert "endret for hånd" not in result.output
    assert_every_pdf_shows_its_docx(year_dir, "generer")
    assert {p: p.stat().st_mtime_ns for p in kept} == kept


def test_epost_and_arkiv_use_the_word_files_as_they_are_now(work):
    workbook, out, year_dir = work / "eksempel.xlsx", work / "ut", work / "ut" / "2027"
    assert cli("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    docx = {nr: {f["rolle"]: year_dir / f["sti"] for f in e["filer"]
                 if f["format"] == "docx" and f["rolle"] in ROLES["generer"]}
            for nr, e in manifest(year_dir)["ledere"].items()}

    result = cli("epost", workbook, "--ut", out)
    assert result.exit_code == 0, result.output
    drafts = sorted((year_dir / "epost").glob("*.eml"))
    assert drafts
    # The kommunedirektør's appendix stays out of the e-mail the ordfører gets a copy of (Vedlegg til ordfører).
    bok = read_workbook(workbook)
    top = {leder.ansattnr for leder in bok.ledere if bok.er_kommunedirektor(leder)}
    for path in drafts:
        nr = path.name.split(" ")[0]
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        assert attached == {p.name: p.read_bytes() for rolle, p in docx[nr].items()
                            if not (nr in top and rolle == "vedlegg")}

    result = cli("arkiv", workbook, "--ut", out, "--alle")
    assert result.exit_code == 0, result.output
    arkiv = year_dir / "arkiv"
    for nr, files in docx.items():
        (pdf,) = arkiv.rglob(f"{files['avtale'].stem}.pdf")
        assert not differs(files["avtale"], pdf, mark=None), differs(files["avtale"], pdf, mark=None)
        assert "UTKAST" not in pdf_words(pdf, mark=None)


def test_a_signed_pdf_is_kept_when_its_word_file_changes_without_pdf(work):
    """A PDF a person changed (signed) is never deleted: without PDFs it stays and the report says
    it no longer shows the .docx; a PDF run reports it, and --overskriv keeps a copy."""
    workbook, out, year_dir = work / "eksempel.xlsx", work / "ut", work / "ut" / "2027"
    pdf = year_dir / "1010 Bjørn Kvamme" / "Lederavtale 2027 - Bjørn Kvamme.pdf"
    signed = pdf.read_bytes() + b"\n% signert\n"
    pdf.write_bytes(signed)

    result = cli("generer", workbook, "--ut", out, "--ingen-pdf", "--leder", "1010")
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes() == signed
    assert NEW_WORDS <= docx_words(pdf.with_suffix(".docx"))
    assert not [f for f in manifest(year_dir)["ledere"]["1010"]["filer"] if f["sti"].endswith(pdf.name)]
    report = openpyxl.load_workbook(year_dir / "rapport.xlsx").active
    (notes,) = [row[6].value for row in report.iter_rows() if row[0].value == "1010"]
    assert f"{pdf.name} er endret for hånd og er beholdt" in notes

    result = cli("generer", workbook, "--ut", out, "--leder", "1010")
    assert result.exit_code == 0, result.output
    assert "endret for hånd" in result.output and pdf.read_bytes() == signed

    result = cli("generer", workbook, "--ut", out, "--leder", "1010", "--overskriv")
    assert result.exit_code == 0, result.output
    (copy,) = pdf.parent.glob("Lederavtale 2027 - Bjørn Kvamme (endret *).pdf")
    assert copy.read_bytes() == signed
    assert not differs(pdf.with_suffix(".docx"), pdf)
