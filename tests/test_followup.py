"""`oppfolging` end to end: real runs on the synthetic municipality with the default templates."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import docx_text, write_xlsx
from synth import GOAL_MARKER, expected_tildeling, synthetic_sheets

from generator.workbook import read_workbook
from generator.cli import main

N_LEADERS = 12


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def manifest(year_dir: Path) -> dict:
    return json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))


def followup_files(year_dir: Path, fmt: str = "docx", rolle: str = "oppfolging") -> dict[str, Path]:
    """Ansattnr -> the follow-up document (or, with `rolle`, its exempt appendix) the manifest records."""
    return {nr: year_dir / f["sti"] for nr, entry in manifest(year_dir)["ledere"].items()
            for f in entry["filer"] if f["rolle"] == rolle and f["format"] == fmt}


def flat(text: str) -> str:
    # The renderer keeps a number and its unit together with a non-breaking space («1,5 %»).
    return " ".join(text.split())


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in folder.rglob("*") if p.is_file() and p.name != ".lederavtale.lock"}


def assignments_and_measures(sheets) -> tuple[dict[str, str], dict[str, list[str]]]:
    header = sheets["Oppdrag"][0]
    texts = {str(row[0]): row[header.index("Oppdrag")] for row in sheets["Oppdrag"][1:]}
    measures: dict[str, list[str]] = {}
    for nr, _, text in sheets["Tiltak"][1:]:
        measures.setdefault(str(nr), []).append(text)
    return texts, measures


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("oppf")
    sheets = synthetic_sheets(N_LEADERS)
    workbook = write_xlsx(tmp / "arbeidsbok.xlsx", sheets)
    result = run("oppfolging", workbook, "--ut", tmp / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    return tmp, sheets, workbook, tmp / "ut" / "2027"


@pytest.mark.slow
def test_every_leader_gets_assignments_and_measures_and_no_goals(synthetic):
    _, sheets, workbook, year_dir = synthetic
    texts, measures = assignments_and_measures(sheets)
    files = followup_files(year_dir)
    bok = read_workbook(workbook)
    # The kommunedirektør (his superior the ordfører) gets the evaluation; everyone else the ordinary form.
    directors = {l.ansattnr for l in bok.ledere
                 if bok.overordnet(l) is not None and bok.overordnet(l).niva.casefold() == "ordfører"}
    assert len(directors) == 1
    tildeling = expected_tildeling(sheets)
    assert set(files) == set(tildeling)
    for nr, path in files.items():
        assert path.name.startswith("Oppfølgingssamtale 2027 - ") and path.parent.name.startswith(nr)
        text = flat(docx_text(path))
        for oppdrag in tildeling[nr]:
            assert flat(texts[oppdrag]) in text, (nr, oppdrag)
        for measure in measures.get(nr, []):
            assert flat(measure) in text, (nr, measure)
        assert GOAL_MARKER not in text
        assert "Status" in text and "Resultat" in text and "Kommentar" in text
        if nr in directors:
            # The agreement both ways, in public; the evaluation of the person is the exempt appendix's.
            assert "Gjensidige forventninger" in text and "For kommunestyret" in text
            assert "Ordførerens evaluering" not in [line.strip() for line in text.splitlines()]
        else:
            assert "Hvilken støtte trenger lederen" in text
        assert "Underskrifter" in text
        assert "unntatt offentlighet" in text  # says where the goals are followed up
        # Nowhere in the package either: not in properties, headers or any other part.
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                assert GOAL_MARKER.encode() not in package.read(name), (nr, name)
    # Only the follow-up documents: no agreement or appendix is written by this command.
    assert not list(year_dir.rglob("Lederavtale *")) and not list(year_dir.rglob("Utviklingsmål *"))


@pytest.mark.slow
def test_every_leader_gets_the_exempt_appendix_and_the_kommunedirektor_his_evaluation(synthetic):
    _, sheets, workbook, year_dir = synthetic
    bok = read_workbook(workbook)
    files = followup_files(year_dir, rolle="oppfolging_vedlegg")
    assert set(files) == set(followup_files(year_dir))
    for nr, path in files.items():
        leder = bok.leder(nr)
        assert path.name == f"Oppfølgingssamtale 2027 - {leder.navn} - vedlegg (unntatt offentlighet).docx"
        text = flat(docx_text(path))
        assert "Unntatt offentlighet" in text and "Underskrifter" in text
        # The goals are followed up here, exempt: this leader's, and no one else's.
        for goal in bok.utviklingsmal_for(leder):
            assert flat(goal.mal) in text
        assert all(f"{GOAL_MARKER}{other.ansattnr}" not in text for other in bok.ledere if other.ansattnr != nr)
        superior = bok.overordnet(leder)
        if superior is not None and superior.niva.casefold() == "ordfører":
            assert "Ordførerens evaluering" in text and "Kommunedirektørens egenevaluering" in text
            assert "For kommunestyret" in text
        else:
            assert "Egen ledelse" in text and "Tilbakemelding fra overordnet leder" in text


def test_manifest_role_is_oppfolging_and_public(synthetic):
    _, _, _, year_dir = synthetic
    for entry in manifest(year_dir)["ledere"].values():
        public, exempt = entry["filer"]
        assert public["rolle"] == "oppfolging" and public["format"] == "docx" and public["offentlig"] is True
        # Its appendix beside it, exempt like the agreement's.
        assert exempt["rolle"] == "oppfolging_vedlegg" and exempt["format"] == "docx" and exempt["offentlig"] is False
        assert public["dokument_id"] and exempt["dokument_id"] and public["dokument_id"] != exempt["dokument_id"]


def test_status_workbook_is_written(synthetic):
    _, _, _, year_dir = synthetic
    assert (year_dir / "status.xlsx").is_file()


@pytest.mark.slow
def test_rerun_unchanged_writes_nothing_and_edited_document_is_kept(synthetic, tmp_path):
    tmp, _, workbook, _ = synthetic
    out = tmp_path / "ut"
    shutil.copytree(tmp / "ut", out)
    year_dir = out / "2027"
    before = snapshot(year_dir)
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    after = snapshot(year_dir)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    # No document is written again; the status workbook is made anew while nobody has filled it in.
    assert changed <= {"manifest.json", "status.xlsx"}, changed

    nr, path = sorted(followup_files(year_dir).items())[0]
    path.write_bytes(path.read_bytes() + b"\0")  # a person has filled it in
    edited = path.read_bytes()
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == edited
    assert "endret for hånd" in result.output and nr in result.output

    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf", "--overskriv")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() != edited
    assert any(p.read_bytes() == edited for p in path.parent.glob("* (endret *).docx"))


@pytest.mark.slow
def test_agreements_and_follow_up_share_the_folder_without_disturbing_each_other(synthetic, tmp_path):
    tmp, _, workbook, _ = synthetic
    out = tmp_path / "ut"
    shutil.copytree(tmp / "ut", out)
    year_dir = out / "2027"
    assert run("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    before = snapshot(year_dir)
    # Each command sees only its own documents' sources: neither rewrites the other's.
    assert run("oppfolging", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    assert run("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    after = snapshot(year_dir)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed <= {"manifest.json", "rapport.xlsx", "status.xlsx"}, changed
    roles = {f["rolle"] for e in manifest(year_dir)["ledere"].values() for f in e["filer"]}
    assert roles == {"avtale", "vedlegg", "oppfolging", "oppfolging_vedlegg"}


@pytest.mark.slow
def test_nynorsk(tmp_path):
    sheets = synthetic_sheets(4)
    (row,) = [r for r in sheets["Kommune"] if r[0] == "Målform"]
    row[1] = "nynorsk"
    workbook = write_xlsx(tmp_path / "nn.xlsx", sheets)
    result = run("oppfolging", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    for path in followup_files(tmp_path / "ut" / "2027").values():
        text = docx_text(path)
        # The kommunedirektør's follow-up in nynorsk, the ordinary form for the others.
        assert ("Gjensidige forventingar" in text if "For kommunestyret" in text
                else "Kva støtte treng leiaren" in text) and "unnateke offentlegheit" in text
        assert "Hvilken støtte" not in text and "Gjensidige forventninger" not in text and GOAL_MARKER not in text
    for path in followup_files(tmp_path / "ut" / "2027", rolle="oppfolging_vedlegg").values():
        assert path.name.endswith(" - vedlegg (unnateke offentlegheit).docx")
        text = docx_text(path)
        assert ("Evalueringa frå ordføraren" in text or "Tilbakemelding frå overordna leiar" in text)
        assert "Unnateke offentlegheit" in text and "Unntatt offentlighet" not in text


def test_one_leader_selected(synthetic, tmp_path):
    _, sheets, workbook, _ = synthetic
    nr = sorted(expected_tildeling(sheets))[1]
    result = run("oppfolging", workbook, "--ut", tmp_path / "ut", "--ingen-pdf", "--leder", nr)
    assert result.exit_code == 0, result.output
    assert list(followup_files(tmp_path / "ut" / "2027")) == [nr]


def test_check_catches_a_broken_follow_up_template(synthetic, tmp_path):
    from generator.documents.templates import default_template_dir

    _, _, workbook, _ = synthetic
    maler = tmp_path / "maler"
    shutil.copytree(default_template_dir(), maler)
    path = maler / "oppfolging.docx"
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["word/document.xml"].decode()
    assert "{{ leder.navn }}" in xml
    # A development-goal field in the public document, and a misspelt field.
    parts["word/document.xml"] = xml.replace("{{ leder.navn }}", "{{ utviklingsmal }} {{ leder.nvan }}", 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)

    for command in ("sjekk", "oppfolging"):
        args = [command, workbook, "--maler", maler] + (["--ut", tmp_path / "ut", "--ingen-pdf"]
                                                       if command == "oppfolging" else [])
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert "oppfolging.docx" in result.output and "utviklingsmal" in result.output and "nvan" in result.output
    assert not (tmp_path / "ut").exists() or not list((tmp_path / "ut").rglob("*.docx"))


def test_missing_follow_up_template_is_named(synthetic, tmp_path):
    from generator.documents.templates import default_template_dir

    _, _, workbook, _ = synthetic
    maler = tmp_path / "maler"
    shutil.copytree(default_template_dir(), maler)
    (maler / "oppfolging.docx").unlink()
    result = run("oppfolging", workbook, "--maler", maler, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 1 and "oppfolging.docx" in result.output and "mangler" in result.output


@pytest.mark.slow
def test_a_template_folder_from_before_the_follow_up_appendix_borrows_the_tools_own(synthetic, tmp_path):
    """A municipality's templates made by an older `init` have no oppfolging_vedlegg*.docx: the autumn's
    documents are still made, the appendix from the tool's own template, and the run says so."""
    from generator.documents.templates import default_template_dir

    _, _, workbook, _ = synthetic
    maler = tmp_path / "maler"
    shutil.copytree(default_template_dir(), maler)
    for old in maler.rglob("oppfolging_vedlegg*.docx"):
        old.unlink()
    result = run("oppfolging", workbook, "--maler", maler, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert "har ikke «oppfolging_vedlegg.docx», som er nyere enn malene der" in result.output
    assert len(followup_files(tmp_path / "ut" / "2027", rolle="oppfolging_vedlegg")) == N_LEADERS


def test_maler_lists_the_follow_up_template():
    result = run("maler")
    assert "oppfolging.docx" in result.output and "epost_oppfolging.txt" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("uten_vedlegg", [False, True])
def test_epost_oppfolging_attaches_the_follow_up_document_and_its_exempt_appendix(synthetic, tmp_path, uten_vedlegg):
    """As the agreement's mail carries the appendix: the public document, then the exempt appendix, to the
    leader and the superior, marked private; with --uten-vedlegg the public document alone."""
    tmp, sheets, workbook, _ = synthetic
    out = tmp_path / "ut"
    shutil.copytree(tmp / "ut", out)
    year_dir = out / "2027"
    assert run("generer", workbook, "--ut", out, "--ingen-pdf").exit_code == 0
    result = run("epost", workbook, "--ut", out, "--oppfolging", *(["--uten-vedlegg"] if uten_vedlegg else []))
    assert result.exit_code == 0, result.output
    drafts = sorted((year_dir / "epost" / "oppfolging").glob("*.eml"))
    files, appendices = followup_files(year_dir), followup_files(year_dir, rolle="oppfolging_vedlegg")
    assert len(drafts) == len(files) == len(appendices)
    # The kommunedirektør's evaluation does not go to the ordfører's mailbox (Vedlegg til ordfører is nei).
    bok = read_workbook(workbook)
    (kd,) = [leder.ansattnr for leder in bok.avtaleledere() if bok.er_kommunedirektor(leder)]
    assert not list((year_dir / "epost").glob("*.eml"))  # the agreements' mailing is untouched
    for draft in drafts:
        message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        nr = draft.name.split()[0]
        assert message["Subject"].startswith("Oppfølgingssamtale 2027 – ")
        attachments = list(message.iter_attachments())
        assert attachments[0].get_filename() == files[nr].name
        assert attachments[0].get_content() == files[nr].read_bytes()
        assert GOAL_MARKER.encode() not in attachments[0].get_content()
        body = message.get_body(("plain",)).get_content()
        assert "oppfølgingssamtalen" in body and GOAL_MARKER not in body
        if uten_vedlegg or nr == kd:
            assert len(attachments) == 1 and message["Sensitivity"] is None
        else:
            assert [a.get_filename() for a in attachments[1:]] == [appendices[nr].name]
            assert attachments[1].get_content() == appendices[nr].read_bytes()
            assert message["Sensitivity"] == "Private"


def test_epost_oppfolging_before_the_follow_up_is_written(tmp_path):
    sheets = synthetic_sheets(3)
    workbook = write_xlsx(tmp_path / "s.xlsx", sheets)
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf").exit_code == 0
    result = run("epost", workbook, "--ut", tmp_path / "ut", "--oppfolging")
    assert result.exit_code == 3 and "oppfolging" in result.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installert")
@pytest.mark.slow
def test_pdf_is_a_form_without_the_draft_mark(synthetic, tmp_path):
    """The follow-up document is filled in and signed as it is: no UTKAST on it (the agreement has one)."""
    from pypdf import PdfReader

    _, sheets, workbook, _ = synthetic
    nr = sorted(expected_tildeling(sheets))[1]  # [0] is the kommunedirektør, with his evaluation
    result = run("oppfolging", workbook, "--ut", tmp_path / "ut", "--leder", nr)
    assert result.exit_code == 0, result.output
    year_dir = tmp_path / "ut" / "2027"
    (pdf,) = followup_files(year_dir, "pdf").values()
    (entry,) = [f for f in manifest(year_dir)["ledere"][nr]["filer"] if f["format"] == "pdf" and f["rolle"] == "oppfolging"]
    assert entry["rolle"] == "oppfolging" and entry["offentlig"] is True
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Oppfølgingssamtale 2027" in text and "UTKAST" not in text.replace(" ", "").replace("\n", "")
    assert GOAL_MARKER not in text
    # The agreement made beside it is still a draft.
    assert run("generer", workbook, "--ut", tmp_path / "ut", "--leder", nr).exit_code == 0
    (agreement,) = year_dir.rglob("Lederavtale*.pdf")
    assert "UTKAST" in "".join(page.extract_text() for page in PdfReader(agreement).pages).replace(" ", "")


def test_filled_in_status_workbook_is_kept_by_a_rerun(synthetic, tmp_path):
    import openpyxl

    tmp, _, workbook, _ = synthetic
    out = tmp_path / "ut"
    shutil.copytree(tmp / "ut", out)
    path = out / "2027" / "status.xlsx"
    book = openpyxl.load_workbook(path)
    book["Status"]["I2"] = "I rute"
    book.save(path)
    filled = path.read_bytes()
    result = run("oppfolging", workbook, "--ut", out, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == filled and "status.xlsx» er endret" in result.output
    assert "er ikke overskrevet" in result.output
