"""`arkiv`: PDF/A-2b files plus Noark 5 metadata, checked against Arkivverket's own schema.

LibreOffice runs three times in this module (signed leaders, `--alle` through the CLI, a
rerun); every test reads a snapshot of the package as one of those runs left it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import BASIC, GOAL_TEXT, basic_sheets, write_xlsx
from docx import Document

from generator.archive import noark5 as archive
from generator.archive.noark5 import (
    Arkivpakke,
    Dokumentfil,
    Journalpost,
    build_csv,
    build_xml,
    mask_words,
    offentlig_tittel,
    parse_arkivsak,
)
from generator.commands.archive import STAGING_DIRNAME, build_archive
from generator.exceptions import NothingGenerated, WorkbookError
from generator.model import Kommune, Leder, Periode

N = {"n": archive.NS}
XSI_TYPE = f"{{{archive.XSI}}}type"

SIGNED = {"100", "200"}
NOT_SIGNED = {"300", "210", "310", "320", "211"}
NAMES = {str(row[0]): row[1] for row in BASIC["Ledere"][1:]}
EDIT_MARK = "Tillegg avtalt i ledersamtalen 3. februar"
FORMULA_UNIT = "@Helse og omsorg"  # Per Helse (200), signed: must stay text in import.csv
MISSING = "320"  # its appendix is deleted before the --alle run
TILGANGSKODE = "PS"  # the municipality's own code for personnel matters
HJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1, jf. offl. § 25"
CORRUPT = "310"  # its agreement is overwritten with garbage before the --alle run


def _soffice_available() -> bool:
    try:
        from generator.documents.pdf import find_soffice

        find_soffice()
    except Exception:
        return False
    return True


needs_soffice = pytest.mark.skipif(not _soffice_available(), reason="LibreOffice (soffice) er ikke installert")


@dataclass
class Snapshot:
    """A copy of `<år>/arkiv/` as one run left it, plus what the run returned."""

    dir: Path
    result: object
    exit_code: int = 0
    output: str = ""

    @property
    def xml_path(self) -> Path:
        return self.dir / "arkivstruktur.xml"

    def root(self) -> ET.Element:
        return ET.parse(self.xml_path).getroot()

    def journalposter(self) -> list[ET.Element]:
        return self.root().findall(".//n:registrering", N)

    def csv_rows(self) -> list[dict[str, str]]:
        raw = (self.dir / "import.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "import.csv skal ha BOM"
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))

    def pdfs(self) -> set[str]:
        return {p.relative_to(self.dir).as_posix() for p in self.dir.rglob("*.pdf")}


def _snapshot(arkiv_dir: Path, target: Path, result, exit_code=0, output="") -> Snapshot:
    shutil.copytree(arkiv_dir, target)
    return Snapshot(target, result, exit_code, output)


def _ansattnr(journalpost: ET.Element) -> str:
    # The leader is the internal recipient; the title names them.
    for part in journalpost.findall("n:korrespondansepart", N):
        if part.findtext("n:korrespondanseparttype", namespaces=N) == "Intern mottaker":
            navn = part.findtext("n:korrespondansepartNavn", namespaces=N)
            return next(nr for nr, name in NAMES.items() if name == navn)
    raise AssertionError("journalposten mangler leder som korrespondansepart")


def _system_ids(snapshot: Snapshot) -> dict[str, list[str]]:
    ids = {}
    for jp in snapshot.journalposter():
        ids[_ansattnr(jp)] = [el.text for el in jp.iter(f"{{{archive.NS}}}systemID")]
    return ids


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the three real runs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(archive.SCHEMA))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from generator.commands.generate import generate
    from generator.store.manifest import Manifest

    tmp = tmp_path_factory.mktemp("arkiv")
    sheets = basic_sheets()
    per_helse = next(row for row in sheets["Ledere"] if row[0] == 200)
    per_helse[3] = FORMULA_UNIT
    sheets["Kommune"] += [["Tilgangskode", TILGANGSKODE], ["Skjermingshjemmel", HJEMMEL]]
    workbook = write_xlsx(tmp / "arbeidsbok.xlsx", sheets)
    ut = tmp / "ut"
    generate(workbook, ut=ut, pdf=False)
    # HR edits Kari's agreement after the leader conversation; that version must be archived.
    year_dir = ut / "2027"
    docx_path = year_dir / Manifest.load(year_dir).ledere["100"].file("avtale", "docx").sti
    document = Document(docx_path)
    document.add_paragraph(EDIT_MARK)
    document.save(docx_path)
    return tmp, workbook, ut


@pytest.fixture(scope="module")
def signed_run(generated) -> Snapshot:
    tmp, workbook, ut = generated
    result = build_archive(workbook, ut=ut)
    return _snapshot(ut / "2027" / "arkiv", tmp / "run-signed", result)


@pytest.fixture(scope="module")
def all_run(generated, signed_run) -> Snapshot:
    from generator.cli import main
    from generator.store.manifest import Manifest

    tmp, workbook, ut = generated
    year_dir = ut / "2027"
    manifest = Manifest.load(year_dir)
    (year_dir / manifest.ledere[MISSING].file("vedlegg", "docx").sti).unlink()
    (year_dir / manifest.ledere[CORRUPT].file("avtale", "docx").sti).write_bytes(b"PK\x03\x04 ikke en Word-fil")
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(ut), "--alle"])
    return _snapshot(year_dir / "arkiv", tmp / "run-all", None, outcome.exit_code, outcome.output)


@pytest.fixture(scope="module")
def rerun(generated, all_run) -> Snapshot:
    tmp, workbook, ut = generated
    result = build_archive(workbook, ut=ut)
    return _snapshot(ut / "2027" / "arkiv", tmp / "run-again", result)


@pytest.fixture(scope="module", params=["signed_run", "all_run", "rerun"])
def any_run(request) -> Snapshot:
    return request.getfixturevalue(request.param)


# --- schema and files -------------------------------------------------------------------------


@needs_soffice
def test_xml_is_valid_noark5(any_run, schema):
    schema.validate(str(any_run.xml_path))
    root = any_run.root()
    assert len(root.findall("n:arkivdel", N)) == 1
    mapper = root.findall(".//n:mappe", N)
    assert len(mapper) == 1 and mapper[0].get(XSI_TYPE) == "saksmappe"
    mappe = mapper[0]
    assert mappe.findtext("n:tittel", namespaces=N) == "Lederavtaler 2027"
    assert mappe.findtext("n:mappeID", namespaces=N) == "2027/123"
    assert mappe.findtext("n:saksaar", namespaces=N) == "2027"
    assert mappe.findtext("n:sakssekvensnummer", namespaces=N) == "123"
    for jp in any_run.journalposter():
        assert jp.get(XSI_TYPE) == "journalpost"
        roles = [d.findtext("n:tilknyttetRegistreringSom", namespaces=N) for d in jp.findall("n:dokumentbeskrivelse", N)]
        assert roles == ["Hoveddokument", "Vedlegg"]


@needs_soffice
def test_checksums_and_sizes_match_the_files(any_run):
    referenced = set()
    for obj in any_run.root().iter(f"{{{archive.NS}}}dokumentobjekt"):
        ref = obj.findtext("n:referanseDokumentfil", namespaces=N)
        path = any_run.dir / ref
        assert path.is_file(), ref
        assert obj.findtext("n:sjekksum", namespaces=N) == _sha256(path)
        assert obj.findtext("n:sjekksumAlgoritme", namespaces=N) == "SHA256"
        assert int(obj.findtext("n:filstoerrelse", namespaces=N)) == path.stat().st_size
        assert obj.findtext("n:format", namespaces=N) == "fmt/477"
        assert obj.findtext("n:variantformat", namespaces=N) == "Arkivformat"
        referenced.add(ref)
    # The folder holds exactly what the XML describes: no leftovers from earlier runs.
    assert any_run.pdfs() == referenced
    assert not (any_run.dir / STAGING_DIRNAME).exists()


@needs_soffice
def test_pdfs_are_pdfa_2b(signed_run):
    pdfs = sorted(signed_run.dir.rglob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        with pikepdf.open(pdf) as document:
            meta = document.open_metadata()
            assert str(meta.get("pdfaid:part")) == "2", pdf.name
            assert str(meta.get("pdfaid:conformance")).upper() == "B", pdf.name


@needs_soffice
def test_the_edited_docx_is_what_gets_archived(signed_run):
    jp = next(jp for jp in signed_run.journalposter() if _ansattnr(jp) == "100")
    ref = jp.find("n:dokumentbeskrivelse/n:dokumentobjekt/n:referanseDokumentfil", N).text
    text = subprocess.run(["pdftotext", str(signed_run.dir / ref), "-"], capture_output=True, text=True, check=True).stdout
    assert EDIT_MARK in " ".join(text.split())
    assert "Kari Direktør" in text


@needs_soffice
def test_appendix_pdf_holds_the_goals_under_a_neutral_name(all_run):
    jp = next(jp for jp in all_run.journalposter() if _ansattnr(jp) == "210")
    vedlegg = jp.findall("n:dokumentbeskrivelse", N)[1]
    ref = vedlegg.find("n:dokumentobjekt/n:referanseDokumentfil", N).text
    assert Path(ref).name == "210 Vedlegg unntatt offentlighet.pdf"
    text = subprocess.run(["pdftotext", str(all_run.dir / ref), "-"], capture_output=True, text=True, check=True).stdout
    assert GOAL_TEXT in " ".join(text.split())


# --- screening and public titles --------------------------------------------------------------


@needs_soffice
def test_appendix_is_screened_and_agreement_is_not(any_run):
    assert any_run.journalposter()
    for jp in any_run.journalposter():
        avtale, vedlegg = jp.findall("n:dokumentbeskrivelse", N)
        assert avtale.find("n:skjerming", N) is None
        skjerming = vedlegg.find("n:skjerming", N)
        assert skjerming is not None
        assert skjerming.findtext("n:tilgangsrestriksjon", namespaces=N) == TILGANGSKODE
        assert skjerming.findtext("n:skjermingshjemmel", namespaces=N) == HJEMMEL
        metadata = [m.text for m in skjerming.findall("n:skjermingMetadata", N)]
        assert "Skjerming tittel dokumentbeskrivelse" in metadata
        assert skjerming.findtext("n:skjermingDokument", namespaces=N) == "Skjerming av hele dokumentet"


@needs_soffice
def test_no_name_or_goal_in_any_public_title(any_run):
    goals = [row[1] for row in BASIC["Utviklingsmål"][1:]] + [row[2] for row in BASIC["Utviklingsmål"][1:]]
    for jp in any_run.journalposter():
        nr = _ansattnr(jp)
        tittel = jp.findtext("n:tittel", namespaces=N)
        offentlig = jp.findtext("n:offentligTittel", namespaces=N)
        assert NAMES[nr] in tittel and tittel.startswith("Lederavtale 2027")
        assert offentlig.startswith("Lederavtale 2027 – ******")
        # Document titles have no public variant in Noark, so they count as public too.
        public = [offentlig] + [d.findtext("n:tittel", namespaces=N) for d in jp.findall("n:dokumentbeskrivelse", N)]
        for title in public:
            assert not _name_words(title), title
            for goal in goals:
                assert goal not in title
    for row in any_run.csv_rows():
        assert not _name_words(row["Offentlig tittel"] + " " + row["Dokumenttittel"]), row
        assert GOAL_TEXT not in "".join(row.values())


def _name_words(text: str) -> set[str]:
    """Words of any leader's name that occur as whole words in the text."""
    words = set(re.findall(r"\w+", text))
    return {word for name in NAMES.values() for word in name.split() if word in words}


# --- who is included --------------------------------------------------------------------------


@needs_soffice
def test_only_signed_leaders_by_default(signed_run):
    assert {_ansattnr(jp) for jp in signed_run.journalposter()} == SIGNED
    assert {leder.ansattnr for leder in signed_run.result.ikke_signert} == NOT_SIGNED
    assert not signed_run.result.feil
    assert {Path(p).parts[0] for p in signed_run.pdfs()} == {"100 Kari Direktør", "200 Per Helse"}
    dates = {_ansattnr(jp): jp.findtext("n:dokumentetsDato", namespaces=N) for jp in signed_run.journalposter()}
    assert dates == {"100": "2027-01-20", "200": "2027-01-22"}


@needs_soffice
def test_alle_takes_everyone_and_lists_failures_with_exit_3(all_run):
    assert all_run.exit_code == 3, all_run.output
    included = {_ansattnr(jp) for jp in all_run.journalposter()}
    assert included == (SIGNED | NOT_SIGNED) - {MISSING, CORRUPT}
    assert {Path(p).parts[0].split()[0] for p in all_run.pdfs()} == included
    failures = [line for line in all_run.output.splitlines() if line.strip().startswith((MISSING, CORRUPT))]
    assert any(line.strip().startswith(f"{MISSING} {NAMES[MISSING]}: finner ikke") for line in failures), all_run.output
    assert any(line.strip().startswith(f"{CORRUPT} {NAMES[CORRUPT]}: lederavtalen") for line in failures), all_run.output
    for nr in NOT_SIGNED:  # and who has not signed yet
        assert f"{nr} {NAMES[nr]}" in all_run.output
    assert "Ola Ordfører" not in {NAMES[nr] for nr in included}


@needs_soffice
def test_rerun_keeps_system_ids_and_removes_leaders_no_longer_included(signed_run, all_run, rerun):
    before, after = _system_ids(signed_run), _system_ids(rerun)
    assert set(after) == SIGNED
    assert before == after
    assert all(_system_ids(all_run)[nr] == after[nr] for nr in SIGNED)
    assert {Path(p).parts[0] for p in rerun.pdfs()} == {"100 Kari Direktør", "200 Per Helse"}
    ids = [i for values in _system_ids(all_run).values() for i in values]
    assert len(ids) == len(set(ids))


# --- import.csv -------------------------------------------------------------------------------


@needs_soffice
def test_import_csv_matches_the_xml(any_run):
    rows = any_run.csv_rows()
    objects = {}
    for jp in any_run.journalposter():
        for db in jp.findall("n:dokumentbeskrivelse", N):
            obj = db.find("n:dokumentobjekt", N)
            objects[obj.findtext("n:referanseDokumentfil", namespaces=N)] = (jp, db, obj)
    assert len(rows) == len(objects) == 2 * len(any_run.journalposter())
    for row in rows:
        jp, db, obj = objects[row["Filnavn"]]
        assert row["Journalpost tittel"] == jp.findtext("n:tittel", namespaces=N)
        assert row["Offentlig tittel"] == jp.findtext("n:offentligTittel", namespaces=N)
        assert row["Dokumenttittel"] == db.findtext("n:tittel", namespaces=N)
        assert row["Tilknyttet som"] == db.findtext("n:tilknyttetRegistreringSom", namespaces=N)
        assert row["Sjekksum SHA256"] == obj.findtext("n:sjekksum", namespaces=N) == _sha256(any_run.dir / row["Filnavn"])
        assert row["Størrelse"] == obj.findtext("n:filstoerrelse", namespaces=N)
        assert row["Format"] == obj.findtext("n:format", namespaces=N)
        assert row["Dokument systemID"] == db.findtext("n:systemID", namespaces=N)
        assert row["Journalpost systemID"] == jp.findtext("n:systemID", namespaces=N)
        screened = db.find("n:skjerming", N) is not None
        assert row["Tilgangskode"] == (TILGANGSKODE if screened else "")
        assert row["Skjermingshjemmel"] == (HJEMMEL if screened else "")
        assert row["Ansattnr"] == _ansattnr(jp)


@needs_soffice
def test_formula_looking_value_stays_text_in_csv(signed_run):
    row = next(r for r in signed_run.csv_rows() if r["Ansattnr"] == "200")
    assert row["Enhet"] == "'" + FORMULA_UNIT
    assert not any(value.startswith(("=", "+", "-", "@")) for r in signed_run.csv_rows() for value in r.values())


# --- without LibreOffice ----------------------------------------------------------------------


def test_arkiv_before_generer_says_so(tmp_path):
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())
    with pytest.raises(NothingGenerated, match="generer"):
        build_archive(workbook, ut=tmp_path / "ut")


@pytest.mark.parametrize(
    "text, expected",
    [("2027/123", (2027, 123)), (" 27/00123 ", (2027, 123)), ("", (2027, 0))],
)
def test_arkivsak_is_split_into_year_and_sequence(text, expected):
    assert parse_arkivsak(text, 2027) == expected


def test_malformed_arkivsak_is_a_workbook_error():
    with pytest.raises(WorkbookError, match="Arkivsak"):
        parse_arkivsak("sak 123", 2027)


def test_masking_hides_name_position_and_unit_word_by_word():
    leder = Leder("210", "Øystein Sykehjem", "Virksomhetsleder", "Testvik sykehjem")
    assert mask_words("Anne-Lise van der Berg") == "****** ****** ****** ******"
    assert offentlig_tittel(leder, 2027) == "Lederavtale 2027 – ****** ******, ******, ****** ******"


def _pakke(arkivsak: str = "", journalposter=None) -> Arkivpakke:
    kommune = Kommune("Testvik kommune", Periode(date(2027, 1, 1), date(2027, 12, 31)), arkivsak=arkivsak)
    return Arkivpakke(kommune, journalposter or [], datetime(2027, 2, 1, 9, 30, tzinfo=timezone.utc))


def test_empty_package_without_case_number_is_valid(schema, tmp_path):
    path = tmp_path / "arkivstruktur.xml"
    path.write_bytes(build_xml(_pakke()))
    schema.validate(str(path))
    root = ET.parse(path).getroot()
    assert root.find(".//n:mappe/n:sakssekvensnummer", N).text == "0"
    assert build_csv(_pakke()).decode("utf-8-sig").count("\r\n") == 1


def test_empty_access_code_and_legal_basis_fall_back_to_the_defaults(schema, tmp_path):
    fil = Dokumentfil("vedlegg", "1/v.pdf", "0" * 64, 1)
    pakke = _pakke("2027/5", [Journalpost(Leder("1", "A B", "C", "D"), None, 1, fil, fil)])
    pakke.kommune.tilgangskode, pakke.kommune.skjermingshjemmel = " ", ""
    path = tmp_path / "arkivstruktur.xml"
    path.write_bytes(build_xml(pakke))
    schema.validate(str(path))
    skjerming = ET.parse(path).getroot().findall(".//n:dokumentbeskrivelse/n:skjerming", N)[-1]
    assert skjerming.findtext("n:tilgangsrestriksjon", namespaces=N) == "P"
    assert skjerming.findtext("n:skjermingshjemmel", namespaces=N).startswith("Offl. § 13")


def test_csv_neutralises_every_formula_start():
    fil = Dokumentfil("avtale", "1/a.pdf", "0" * 64, 1)
    leder = Leder("1", "=HYPERLINK(\"x\")", "+Sjef", "-Enhet", signert=date(2027, 1, 2))
    rows = list(csv.reader(io.StringIO(build_csv(_pakke("2027/5", [Journalpost(leder, None, 1, fil, fil)])).decode("utf-8-sig")), delimiter=";"))
    row = dict(zip(rows[0], rows[1]))
    assert row["Leder"] == "'=HYPERLINK(\"x\")"
    assert row["Stilling"] == "'+Sjef"
    assert row["Enhet"] == "'-Enhet"


@needs_soffice
def test_drafts_are_marked_utkast_and_the_archive_is_clean_with_language(tmp_path):
    from generator.commands.generate import generate

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    out = tmp_path / "ut"
    result = generate(workbook, ut=out, ledere=["210"])
    year_dir = result.year_dir
    drafts = sorted(year_dir.glob("210 */*.pdf"))
    assert len(drafts) == 2
    for pdf in drafts:
        assert "UTKAST" in _pdf_text(pdf)
        with pikepdf.open(pdf) as document:
            meta = document.open_metadata()
            assert meta.get("dc:language") == {"nb-NO"}
            assert (str(meta.get("pdfaid:part")), str(meta.get("pdfaid:conformance"))) == ("2", "B")

    # A placeholder left in the agreement is reported when it is archived, and only then.
    agreement = next(year_dir.glob("210 */Lederavtale*.docx"))
    doc = Document(str(agreement))
    doc.add_paragraph("Oppfølgingssamtaler: [Fylles ut i ledersamtalen]")
    doc.save(str(agreement))
    archived = build_archive(workbook, ut=out, alle=True)
    assert [line for line in archived.advarsler if line.startswith("210 ")] == [
        f"210 {NAMES['210']}: {agreement.name} har 1 «[Fylles ut …]» igjen"]
    assert any("fylles ut" in line for line in archived.summary_lines())
    for pdf in (archived.arkiv_dir).rglob("*.pdf"):
        assert "UTKAST" not in _pdf_text(pdf), pdf


def _pdf_text(pdf: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
