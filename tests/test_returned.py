"""Word files that come back after the conversation (README, «Når du kjører på nytt» and «Nettsiden»):
matched by the document ID Word keeps in the file's properties, else by the file name, never guessed;
the server's file kept as a copy; the manifest records the handed-in file, and `generer` keeps it.

The edited files are made the way Word leaves them: python-docx opens the downloaded .docx, changes a
run's text and saves it, which keeps docProps/custom.xml (the «Dokument-ID» property) as Word does.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from generator.cli import main
from test_pdf import pdf_text
from test_web import generated_example
from generator.documents.returned import MAX_MEMBERS, changes, paragraphs
from generator.signing.record import overwrite_at_stake
from generator.store.manifest import HANDED_IN, Manifest, document_state
from generator.store.year import YearFolder


YEAR = "2027"
LEADERS = ("1010", "1011")
NEW_TEXT = "Avtalt i samtalen: tavlemøte hver mandag"


@pytest.fixture
def made(tmp_path) -> Path:
    return generated_example(tmp_path, *LEADERS)


def entry_file(root: Path, nr: str, rolle: str, fmt: str = "docx") -> dict:
    data = json.loads((root / "ut" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    return next(f for f in data["ledere"][nr]["filer"] if f["rolle"] == rolle and f["format"] == fmt and not f["fase"])


def edited_copy(root: Path, nr: str, rolle: str, target: Path, text: str = NEW_TEXT) -> Path:
    """The leader's document as HR downloads it and Word saves it after the conversation."""
    source = root / "ut" / YEAR / entry_file(root, nr, rolle)["sti"]
    document = Document(source)
    filled = 0
    for run in (r for p in _all_paragraphs(document) for r in p.runs):
        if "[Fylles ut" in run.text:
            run.text = text
            filled += 1
    if not filled:  # nothing left to fill in: the conversation adds a paragraph
        document.add_paragraph(text)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(target)
    return target


def _all_paragraphs(document):
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def hand_in(root: Path, *files: Path, pdf: bool = False):
    args = ["innlevert", str(root / "eksempel.xlsx"), *map(str, files), "--ut", str(root / "ut")]
    return CliRunner().invoke(main, args + ([] if pdf else ["--ingen-pdf"]))


def test_a_file_renamed_in_downloads_is_matched_by_its_document_id(made):
    # Browsers rename a second download («… (1).docx»); Word keeps the custom property.
    upload = edited_copy(made, "1010", "avtale", made / "nedlastet" / "Lederavtale (1).docx")
    result = hand_in(made, upload)
    assert result.exit_code == 0, result.output
    on_server = made / "ut" / YEAR / entry_file(made, "1010", "avtale")["sti"]
    assert NEW_TEXT in "\n".join(paragraphs(on_server.read_bytes()))
    assert "1010 Bjørn Kvamme: levert inn" in result.output
    assert f"+ {NEW_TEXT}" in result.output  # the public agreement's change, paragraph by paragraph
    recorded = entry_file(made, "1010", "avtale")
    manifest = Manifest.load(made / "ut" / YEAR)
    assert document_state(manifest, manifest.ledere["1010"].file("avtale", "docx")) == HANDED_IN
    assert recorded["innlevert"] != recorded["sha256"]
    kept = [p.name for p in on_server.parent.glob("* (endret *).docx")]
    assert kept == [on_server.stem + f" (endret {__import__('datetime').date.today().isoformat()}).docx"]
    assert "[Fylles ut" in (on_server.parent / kept[0]).read_text(errors="ignore") or \
        "[Fylles ut" in "\n".join(paragraphs((on_server.parent / kept[0]).read_bytes()))


def test_a_file_made_before_short_ids_is_matched_by_its_full_id(made):
    """A Word file downloaded before this version carries the full ID (LA1:…) in its properties: still matched."""
    from generator.documents.identity import docx_id_text, parse_id

    recorded = entry_file(made, "1011", "vedlegg")
    upload = _carrying(edited_copy(made, "1011", "vedlegg", made / "gammel" / "Mitt vedlegg.docx"),
                       parse_id(recorded["dokument_id"]))
    assert docx_id_text(Document(upload)) == recorded["dokument_id"]
    result = hand_in(made, upload)
    assert result.exit_code == 0, result.output
    assert "1011 Line Dahl: levert inn" in result.output and "koblet på filnavnet" not in result.output
    on_server = made / "ut" / YEAR / entry_file(made, "1011", "vedlegg")["sti"]
    assert NEW_TEXT in "\n".join(paragraphs(on_server.read_bytes()))


def test_a_file_without_an_id_is_matched_only_by_its_exact_name(made):
    upload = edited_copy(made, "1011", "avtale", made / "inn" / Path(entry_file(made, "1011", "avtale")["sti"]).name)
    with zipfile.ZipFile(upload) as zf:  # Word's «Inspect Document» removes custom properties
        parts = {name: zf.read(name) for name in zf.namelist() if name != "docProps/custom.xml"}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>', b"")
    parts["_rels/.rels"] = __import__("re").sub(rb'<Relationship [^>]*custom-properties[^>]*/>', b"", parts["_rels/.rels"])
    with zipfile.ZipFile(upload, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    renamed = upload.with_name("avtale Line.docx")
    shutil.copy(upload, renamed)
    result = hand_in(made, upload, renamed)
    assert result.exit_code == 3, result.output
    assert "1011 Line Dahl: levert inn" in result.output
    assert "«avtale Line.docx»: har ingen dokument-ID, og filnavnet er ikke navnet på noe dokument" in result.output


def _carrying(path: Path, document_id) -> Path:
    """The Word file with `document_id` in its properties, as a document made with that ID carries it."""
    from generator.documents.identity import set_docx_id

    document = Document(path)
    set_docx_id(document, document_id)
    document.save(path)
    return path


def test_anything_unmatched_is_listed_and_nothing_is_guessed(made):
    from generator.documents.identity import parse_id, short_id

    full = parse_id(entry_file(made, "1010", "avtale")["dokument_id"])
    last_year = replace(full, ar=2026)
    key = Manifest.load(made / "ut" / YEAR).id_key()
    # Last year's document, as it carries its ID now (short) and as it did before short IDs (full).
    short = _carrying(edited_copy(made, "1010", "avtale", made / "inn" / "a.docx"),
                      replace(last_year, short=short_id(last_year, key)))
    _carrying(edited_copy(made, "1010", "avtale", made / "inn" / "b.docx"), last_year)
    # This year's, from another output folder (another key): a short ID this year folder never gave.
    elsewhere = _carrying(edited_copy(made, "1010", "avtale", made / "inn" / "c.docx"),
                          replace(full, short=short_id(full, bytes(32))))
    (made / "inn" / "notat.txt").write_text("ikke Word", encoding="utf-8")
    (made / "inn" / "ødelagt.docx").write_bytes(b"PK\x03\x04 not really")
    before = entry_file(made, "1010", "avtale")
    names = ("a.docx", "b.docx", "c.docx", "notat.txt", "ødelagt.docx")
    result = hand_in(made, *(made / "inn" / name for name in names))
    assert result.exit_code == 3
    assert f"«a.docx»: dokument-ID-en {short_id(last_year, key)} gjelder 2026, ikke 2027" in result.output
    assert "«b.docx»: dokumentet gjelder 2026, ikke 2027" in result.output
    assert (f"«c.docx»: dokument-ID-en {short_id(full, bytes(32))} er ikke laget i denne årsmappen"
            in " ".join(result.output.split()))
    assert "Skrevet: 0 Word-filer levert inn" in result.output
    assert "«notat.txt»: ikke en Word-fil (.docx) eller en .zip med Word-filer" in result.output
    assert "«ødelagt.docx»: ikke en Word-fil som kan åpnes" in result.output
    assert entry_file(made, "1010", "avtale") == before


def test_a_zip_of_many_is_taken_and_the_same_document_twice_is_taken_from_neither(made):
    first = edited_copy(made, "1010", "avtale", made / "z" / "a.docx", "versjon en")
    second = edited_copy(made, "1010", "avtale", made / "z" / "b.docx", "versjon to")
    appendix = edited_copy(made, "1011", "vedlegg", made / "z" / "c.docx", "Mitt hemmelige mål for året")
    bundle = made / "alle.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for path in (first, second, appendix):
            zf.write(path, f"avtaler/{path.name}")
        zf.writestr("__MACOSX/avtaler/._a.docx", b"x")
        zf.writestr("~$a.docx", b"x")
    result = hand_in(made, bundle)
    assert result.exit_code == 3, result.output
    assert "kom i flere filer" in result.output
    assert "1011 Line Dahl: levert inn" in result.output
    # The appendix is exempt from public access: its change is counted, its text never shown.
    assert "Mitt hemmelige mål" not in result.output
    assert "Endringer mot filen på serveren: avsnitt" in result.output
    on_server = made / "ut" / YEAR / entry_file(made, "1010", "avtale")["sti"]
    assert "versjon" not in "\n".join(paragraphs(on_server.read_bytes()))


def test_a_zip_with_too_many_entries_is_refused_before_reading(made):
    bomb = made / "mange.zip"
    with zipfile.ZipFile(bomb, "w") as zf:
        for n in range(MAX_MEMBERS + 1):
            zf.writestr(f"{n}.docx", b"")
    result = hand_in(made, bomb)
    assert result.exit_code == 3
    assert f"«mange.zip»: har {MAX_MEMBERS + 1} filer; høyst {MAX_MEMBERS} i én .zip" in result.output


def test_a_signed_document_is_not_replaced(made):
    year = made / "ut" / YEAR
    (year / "signert.json").write_text(json.dumps({"1010": {"avtale": {
        "fil": "1010 Bjørn Kvamme/x (signert).pdf", "sha256": "0" * 64, "type": "skann", "dato": "2027-01-20",
        "dokument_id": "", "status": "signert"}}}), encoding="utf-8")
    before = (year / entry_file(made, "1010", "avtale")["sti"]).read_bytes()
    result = hand_in(made, edited_copy(made, "1010", "avtale", made / "inn" / "a.docx"))
    assert result.exit_code == 3
    assert "Avtalen er allerede signert, så den signerte kopien gjelder" in result.output
    assert (year / entry_file(made, "1010", "avtale")["sti"]).read_bytes() == before


def test_generer_keeps_a_handed_in_file_and_overwriting_counts_it(made):
    hand_in(made, edited_copy(made, "1010", "avtale", made / "inn" / "a.docx"))
    stake = overwrite_at_stake(YearFolder(made / "ut" / YEAR))
    assert (stake.edited, stake.signed, stake.leaders) == (1, 0, 1)
    again = CliRunner().invoke(main, ["generer", str(made / "eksempel.xlsx"), "--ut", str(made / "ut"), "--ingen-pdf",
                                      "--leder", "1010"])
    assert again.exit_code == 0, again.output
    on_server = made / "ut" / YEAR / entry_file(made, "1010", "avtale")["sti"]
    assert NEW_TEXT in "\n".join(paragraphs(on_server.read_bytes()))
    manifest = Manifest.load(made / "ut" / YEAR)
    assert document_state(manifest, manifest.ledere["1010"].file("avtale", "docx")) == HANDED_IN


def test_changes_are_told_paragraph_by_paragraph():
    def docx(*texts):
        document = Document()
        for text in texts:
            document.add_paragraph(text)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    found = changes(docx("Formål", "Gammel tekst", "Slutt"), docx("Formål", "Ny tekst", "Slutt", "Tillegg"))
    assert (found.changed, found.added, found.removed) == (1, 1, 0)
    assert found.lines == ["− Gammel tekst", "+ Ny tekst", "+ Tillegg"]
    assert found.summary() == "avsnitt 1 endret, 1 lagt til"
    assert changes(docx("A"), docx("A")).none


@pytest.mark.slow
def test_the_pdf_follows_and_the_signing_copy_carries_the_edit(made):
    upload = edited_copy(made, "1010", "avtale", made / "inn" / "a.docx")
    result = hand_in(made, upload, pdf=True)
    assert result.exit_code == 0, result.output
    pdf = entry_file(made, "1010", "avtale", "pdf")
    assert pdf["kilde"] == entry_file(made, "1010", "avtale")["innlevert"]
    assert NEW_TEXT in pdf_text(made / "ut" / YEAR / pdf["sti"])
    signing = CliRunner().invoke(main, ["signering", str(made / "eksempel.xlsx"), "--ut", str(made / "ut"),
                                        "--leder", "1010"])
    copy = next((made / "ut" / YEAR / "signering").glob("1010 */Lederavtale*.pdf"))
    assert NEW_TEXT in pdf_text(copy), signing.output
    assert "UTKAST" not in pdf_text(copy) and "UTKAST" in pdf_text(made / "ut" / YEAR / pdf["sti"])
