"""Nynorsk throughout: the nynorsk example workbook, and sjekk's warning for bokmål words in a nynorsk workbook."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, docx_text

from generator.cli import main
from generator.workbook import read_workbook
from generator.workbook.language import BOKMAL_ONLY, bokmal_words

EXAMPLE = ROOT / "input" / "eksempel-nynorsk.xlsx"
BOKMAL_WARNING = "er bokmål, men arbeidsboken har målform nynorsk"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sheet_rows(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
            for ws in wb.worksheets}


def copy_example(folder: Path) -> Path:
    """The nynorsk example beside its logo, in a folder of the test's own."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "input" / "logo.png", folder / "logo.png")
    return Path(shutil.copy(EXAMPLE, folder / "eksempel-nynorsk.xlsx"))


def edit(path: Path, sheet: str, cell: str, value) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


def set_malform(path: Path, malform: str) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["Kommune"]
    (row,) = [r for r in ws.iter_rows(min_row=2) if r[0].value == "Målform"]
    row[1].value = malform
    wb.save(path)
    return path


def bokmal_warnings(path: Path) -> list[str]:
    return [str(w) for w in read_workbook(path).warnings if BOKMAL_WARNING in w.message]


# --------------------------------------------------------------------------- the example


def test_example_is_fresh(tmp_path):
    spec = importlib.util.spec_from_file_location("example_nynorsk", ROOT / "tools" / "example_nynorsk.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    fresh = tool.write_example_workbook(tmp_path / "eksempel-nynorsk.xlsx")
    assert sheet_rows(fresh) == sheet_rows(EXAMPLE), "input/eksempel-nynorsk.xlsx is stale: run tools/example_nynorsk.py"


def test_example_has_the_bokmal_examples_shape():
    nn, nb = read_workbook(EXAMPLE), read_workbook(ROOT / "input" / "eksempel.xlsx")
    assert nn.kommune.malform == "nynorsk" and nb.kommune.malform == "bokmål"
    assert nn.kommune.navn != nb.kommune.navn
    assert [len(x) for x in (nn.ledere, nn.oppdrag, nn.tiltak, nn.utviklingsmal, nn.lederprinsipper)] == \
        [len(x) for x in (nb.ledere, nb.oppdrag, nb.tiltak, nb.utviklingsmal, nb.lederprinsipper)]
    # The same hierarchy and the same assignments per leader: the selectors in nynorsk level names
    # pick out the same leaders as the bokmål ones.
    assert [(x.ansattnr, x.overordnet) for x in nn.ledere] == [(x.ansattnr, x.overordnet) for x in nb.ledere]
    assert nn.tildeling == nb.tildeling


@pytest.mark.slow
def test_sjekk_passes_on_the_example_without_bokmal_warnings(tmp_path):
    result = run("sjekk", copy_example(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Arbeidsboken er i orden" in result.output
    assert "bokmål" not in result.output, result.output
    # Only the example's two intended warnings.
    assert "mangler e-postadresse" in result.output and "har ingen utviklingsmål" in result.output


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nn")
    result = run("generer", copy_example(folder), "--ut", folder / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    year = folder / "ut" / "2027"
    return year, json.loads((year / "manifest.json").read_text(encoding="utf-8"))


def document(generated, ansattnr: str, rolle: str) -> Path:
    year, manifest = generated
    (entry,) = [f for f in manifest["ledere"][ansattnr]["filer"] if f["rolle"] == rolle and f["format"] == "docx"]
    return year / entry["sti"]


def test_generer_writes_nynorsk_from_templates_and_data(generated):
    text = docx_text(document(generated, "1010", "avtale"))
    # The template's words ...
    for word in ("Leiaravtale", "leiaren", "Overordna leiar", "Oppdrag frå styringsbrevet"):
        assert word in text, word
    # ... and the workbook's: Stilling, Enhet, an assignment, a measure, the principles, Oppfølging
    # (a no-break space keeps «6,7 %» on one line).
    for words in ("Verksemdsleiar", "Nordvik sjukeheim", "Redusere sjukefråværet gjennom systematisk oppfølging",
                  "Sjukefråvær under 6,7\xa0%", "Gjennomfører vekentlege oppfølgingssamtalar med sjukmelde.",
                  "Vi er tydelege", "Leiarsamtale i juni, oppfølgingssamtale i november"):
        assert words in text, words
    appendix = docx_text(document(generated, "1010", "vedlegg"))
    assert "Personlege utviklingsmål" in appendix and "Utvikle meg som endringsleiar" in appendix


@pytest.mark.slow
def test_no_bokmal_word_in_any_agreement_or_appendix(generated):
    _, manifest = generated
    assert len(manifest["ledere"]) == 16
    for ansattnr in manifest["ledere"]:
        for rolle in ("avtale", "vedlegg"):
            assert bokmal_words(docx_text(document(generated, ansattnr, rolle))) == [], (ansattnr, rolle)


def test_file_names_are_nynorsk(generated):
    agreement, appendix = document(generated, "1010", "avtale"), document(generated, "1010", "vedlegg")
    assert agreement.name == "Leiaravtale 2027 - Knut Aarseth.docx"
    assert appendix.name.startswith("Utviklingsmål 2027 - Knut Aarseth (unnateke ")
    assert "unntatt" not in appendix.name and "offentlighet" not in appendix.name


def test_titles_and_subjects_are_nynorsk(generated):
    """What Word's File > Info and a PDF reader show: the title, subject and keywords of a nynorsk document."""
    from docx import Document

    agreement = Document(str(document(generated, "1010", "avtale"))).core_properties
    assert (agreement.title, agreement.subject, agreement.keywords, agreement.language) == (
        "Leiaravtale 2027 – Knut Aarseth", "Leiaravtale 2027, Nordvik sjukeheim", "leiaravtale", "nn-NO")
    appendix = Document(str(document(generated, "1010", "vedlegg"))).core_properties
    assert appendix.title == "Personlege utviklingsmål 2027 – Knut Aarseth"
    assert appendix.subject.startswith("Unnateke offentlegheit, ") and appendix.keywords == "unnateke offentlegheit"


@pytest.mark.slow
def test_follow_up_documents_are_nynorsk(tmp_path):
    """`oppfolging` on the nynorsk example: the public form and its exempt appendix, the kommunedirektør's too,
    without a bokmål word, and named and titled in nynorsk."""
    from docx import Document

    book = copy_example(tmp_path)
    result = run("oppfolging", book, "--ut", tmp_path / "ut", "--ingen-pdf")
    assert result.exit_code == 0, result.output
    year = tmp_path / "ut" / "2027"
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    for ansattnr in ("1001", "1010", "1042"):
        files = {f["rolle"]: year / f["sti"] for f in manifest["ledere"][ansattnr]["filer"] if f["format"] == "docx"}
        assert set(files) == {"oppfolging", "oppfolging_vedlegg"}
        for rolle, path in files.items():
            text = docx_text(path)
            assert bokmal_words(text) == [], (ansattnr, rolle, bokmal_words(text))
            assert "utetter" not in text and "er førte inn" not in text and "Fell bort" not in text
        assert files["oppfolging_vedlegg"].name.endswith(" - vedlegg (unnateke offentlegheit).docx")
        properties = Document(str(files["oppfolging"])).core_properties
        assert properties.subject.startswith("Oppfølging av leiaravtale 2027, ")
        assert "Går ut" in docx_text(files["oppfolging"])


# --------------------------------------------------------------------------- the warning


@pytest.mark.slow
def test_bokmal_in_an_assignment_is_warned_with_its_cell(tmp_path):
    book = edit(copy_example(tmp_path), "Oppdrag", "C4", "Ikke overskride budsjettet, og vise hvordan det skal være.")
    assert bokmal_warnings(book) == [
        "Oppdrag!C4: «Ikke», «hvordan», «være» er bokmål, men arbeidsboken har målform nynorsk"]
    result = run("sjekk", book)
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert "Oppdrag!C4: «Ikke», «hvordan», «være» er bokmål" in result.output


@pytest.mark.slow
def test_a_bokmal_workbook_is_not_warned(tmp_path):
    book = edit(copy_example(tmp_path), "Oppdrag", "C4", "Ikke overskride budsjettet.")
    assert bokmal_warnings(book)
    assert bokmal_warnings(set_malform(book, "bokmål")) == []
    assert "er bokmål" not in run("sjekk", book).output


def test_nynorsk_words_and_words_inside_words_are_not_warned(tmp_path):
    book = copy_example(tmp_path)
    edit(book, "Oppdrag", "C4", "Ikkje overskride budsjettet; korleis det skal vere.")
    edit(book, "Oppdrag", "D4", "Brikkene i lederavtalen og enhetsleiarane")  # ikke, leder, enhet inside words
    assert bokmal_warnings(book) == []


@pytest.mark.slow
def test_every_free_text_column_is_checked_and_names_are_not(tmp_path):
    book = copy_example(tmp_path)
    free = {"Ledere": ("C3", "K3"), "Oppdrag": ("B2", "D2", "E2", "F2"), "Tiltak": ("C2",),
            "Utviklingsmål": ("B2", "C2", "D2"), "Lederprinsipper": ("A2", "B2")}
    for sheet, cells in free.items():
        for cell in cells:
            edit(book, sheet, cell, "Noe mye")
    # Names, units, e-mail and selectors are what they are: Navn, Enhet, E-post, Gjelder.
    for sheet, cell, value in (("Ledere", "B4", "Hvem Noen"), ("Ledere", "D4", "Enhet for leder"),
                               ("Ledere", "F4", "ikke@nordvik.kommune.no")):
        edit(book, sheet, cell, value)
    assert openpyxl.load_workbook(book)["Oppdrag"]["H9"].value.startswith("enhet:")
    warned = [w.split(":")[0] for w in bokmal_warnings(book)]
    assert sorted(warned) == sorted(f"{s}!{c}" for s, cells in free.items() for c in cells)
    assert all("«Noe», «mye» er bokmål" in w for w in bokmal_warnings(book))


def test_the_word_list_is_bokmal_only():
    # Words that are right in nynorsk too must never be on the list: it would warn about correct text.
    assert not {"også", "skole", "mellom", "bare", "ansatte", "avtalen", "mål", "blir"} & set(BOKMAL_ONLY)
    assert all(word != nynorsk for word, nynorsk in BOKMAL_ONLY.items())
    assert bokmal_words("IKKE ikke Ikke, hvordan") == ["IKKE", "hvordan"]  # each word once, as first written


# --------------------------------------------------------------------------- the status books

NN_STATUSES = ["Ikkje starta", "I rute", "Forseinka", "Fullført", "Går ut"]


def book_words(wb) -> str:
    """Every text of a book: cells, sheet names, print margins and drop-down lists."""
    parts = []
    for ws in wb.worksheets:
        parts.append(ws.title)
        parts += [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        parts += [part.text for hf in (ws.oddHeader, ws.oddFooter) for part in (hf.left, hf.center, hf.right)
                  if part.text]
        for dv in ws.data_validations.dataValidation:
            parts += [dv.formula1 or "", dv.error or "", dv.errorTitle or ""]
    return "\n".join(parts)


@pytest.mark.slow
def test_status_books_are_nynorsk_and_read_back_either_malforms_statuses(tmp_path):
    from datetime import date

    from generator.status.workbook import write_status_workbook

    book = copy_example(tmp_path)
    bok = read_workbook(book)
    status = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), status, today=date(2027, 10, 15))
    wb = openpyxl.load_workbook(status)
    assert wb.sheetnames == ["Status", "Tiltak", "Rettleiing", "Om"]
    assert [c.value for c in wb["Status"][1]] == ["Ansattnr", "Namn", "Eining", "Nr", "Område", "Oppdrag", "Mål",
                                                  "Frist", "Status", "Resultat", "Kommentar"]
    assert [c.value for c in wb["Tiltak"][1]][:3] == ["Ansattnr", "Namn", "Eining"]
    (dv,) = wb["Status"].data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(NN_STATUSES) + '"'
    assert dv.error == "Vel ein av verdiane: " + ", ".join(NN_STATUSES) + "."
    assert wb["Om"]["A5"].value == "Laga"
    for ws in wb.worksheets:
        assert ws.oddHeader.left.text == "Nordvik kommune"
        assert ws.oddHeader.center.text == "Statusbok 2027, laga 15.10.2027"
    assert bokmal_words(book_words(wb)) == []
    assert "utetter" not in book_words(wb) and "er førte inn" not in book_words(wb)

    # Filled in with the nynorsk names, the bokmål ones and «Fell bort» (the nynorsk follow-up document's
    # word until now): all read, and the report counts them as one status each.
    ws = wb["Status"]
    written = ["Går ut", "Utgår", "Fell bort", "Forseinka", "Forsinket", "Ikkje starta", "Fullført", "I rute"]
    for i, row in enumerate(ws.iter_rows(min_row=2)):
        if str(row[0].value) == "1042":
            continue  # one leader who has not reported
        row[8].value = written[i % len(written)]
        if row[8].value in ("Forseinka", "Forsinket", "Går ut", "Utgår", "Fell bort"):
            row[10].value = "Ventar på vedtak i kommunestyret"
        if row[8].value == "Fullført":
            row[9].value = "Nådd før fristen"
    wb.save(status)
    ut = tmp_path / "ut"
    result = run("status", book, status, "--ut", ut, "--ingen-pdf")
    assert result.exit_code == 0, result.output
    report = openpyxl.load_workbook(ut / "2027" / "statusrapport.xlsx")
    assert report.sheetnames == ["Oppdrag", "Diagram", "Resultat", "Går ut", "Avvik", "Ikkje rapportert", "Einingar"]
    assert [c.value for c in report["Oppdrag"][1]] == ["Nr", "Område", "Oppdrag", "Leiarar", *NN_STATUSES,
                                                       "Ikkje rapportert", "Mål"]
    assert [c.value for c in report["Einingar"][1]] == ["Eining", "Leiarar", *NN_STATUSES, "Ikkje rapportert"]
    # The example names no one (Navn i statusrapport = nei): the unit, not the leader.
    assert [c.value for c in report["Ikkje rapportert"][1]] == ["Eining", "Oppdrag (Nr)"]
    assert [c.value for c in report["Går ut"][1]] == ["Eining", "Nr", "Oppdrag", "Grunngiving"]
    assert {r[4] for r in report["Resultat"].iter_rows(min_row=2, values_only=True)} == {"Fullført"}
    gone = sum(1 for i, row in enumerate(ws.iter_rows(min_row=2))
               if str(row[0].value) != "1042" and written[i % len(written)] in ("Går ut", "Utgår", "Fell bort"))
    assert report["Går ut"].max_row - 1 == gone
    counted = {r[0]: r for r in report["Oppdrag"].iter_rows(min_row=2, values_only=True)}
    assert sum(r[8] for r in counted.values()) == gone  # the column Går ut
    for ws in report.worksheets:
        assert ws.oddHeader.center.text.startswith("Statusrapport 2027 per ")
    assert bokmal_words(book_words(report)) == []
    text = docx_text(ut / "2027" / "statusrapport.docx")
    assert "Oppdrag som går ut" in text and "Går ut" in text


def test_a_status_outside_both_malforms_is_named_with_the_books_own(tmp_path):
    from generator.exceptions import WorkbookError
    from generator.status.workbook import read_status, write_status_workbook

    book = copy_example(tmp_path)
    bok = read_workbook(book)
    status = tmp_path / "status.xlsx"
    write_status_workbook(bok, bok.avtaleledere(), status)
    edit(status, "Status", "I2", "Nesten ferdig")
    with pytest.raises(WorkbookError) as caught:
        read_status(bok, status)
    assert ("Status!I2: «Nesten ferdig» er ikke en gyldig status (gyldige: Ikkje starta, I rute, Forseinka, "
            "Fullført, Går ut)") in str(caught.value.problems[0])
