"""`arkiv` archives what was signed: the signed copies byte for byte, in their real format, and
final (journalstatus F, dokumentstatus F) only when signed (or vouched for with --godta-usignert).

The copies are real: LibreOffice's PDF/A-2b of a leader's documents, and plain PDFs, signed twice
with pyHanko by certificates from a CA made here (test_signing.Pki), and a scan made with img2pdf.
signert.json is written here as the `signert` command records it (signing/record.py). Every
message and export is validated against the vendored XSDs with xmlschema.

The leaders (BASIC): 210 and 320 have PDF/A copies signed by both parties, 310 has plain PDFs
(an e-signed PDF 1.7 agreement and a scanned appendix), 300's agreement is signed by the leader
only, 100 and 200 are signed only by the workbook's Signert, 211 is not signed at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import img2pdf
import pikepdf
import pytest
import xmlschema
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx
from PIL import Image, ImageDraw
from test_signing import Pki, sign, small_pdf

from generator.archive import fiks, noark5
from generator.archive.formats import PRONOM_PDF, UnknownFormat, pdf_format, pdf_version
from generator.commands.archive import FEILET, IKKE_FERDIG, IKKE_SIGNERT, PAKKET, UTEN_KOPI, build_archive
from generator.documents.placeholders import placeholders_left
from generator.job import Job
from generator.signing.record import (
    E_SIGNATURE, PARTLY_SIGNED, SCAN, SIGNED, LeaderSigned, Signature, SignedDocument, save_signed,
)
from generator.store.manifest import Manifest
from generator.advice import TERMINAL, words

N = {"n": noark5.NS}
F = {"f": fiks.NS, "m": fiks.MDK}
PDFA = ("210", "320")  # LibreOffice's PDF/A-2b, signed by both
PLAIN = "310"  # plain PDFs: an e-signed PDF 1.7 agreement, a scanned appendix (PDF 1.3)
PARTLY = "300"  # the agreement signed by the leader only
WORKBOOK_ONLY = ("100", "200")  # Signert in the workbook, no copy
SIGNED_DATES = {"210": "2027-02-03", "320": "2027-02-04", "310": "2027-02-05"}


def _sha256(data: bytes | Path) -> str:
    return hashlib.sha256(data.read_bytes() if isinstance(data, Path) else data).hexdigest()


def _scan_pdf(text: str) -> bytes:
    """A page as a scanner delivers it: an image in a PDF, no text layer, no signature."""
    image = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(image).text((100, 100), text, fill=0)
    png = io.BytesIO()
    image.save(png, "PNG", dpi=(150, 150))
    return img2pdf.convert(png.getvalue())


def _pdf_17(text: str) -> bytes:
    out = io.BytesIO()
    pikepdf.open(io.BytesIO(small_pdf(text))).save(out, min_version="1.7")
    return out.getvalue()


class Signed:
    """The year folder after `generer`, with signed copies kept and recorded as `signert` does."""

    def __init__(self, tmp: Path):
        from generator.commands.generate import generate

        self.tmp = tmp
        self.workbook = write_xlsx(tmp / "arbeidsbok.xlsx", basic_sheets())
        self.ut = tmp / "ut"
        generate(Job(self.workbook, self.ut), pdf=False)
        generate(Job(self.workbook, self.ut), ledere=list(PDFA))  # their PDF/A is what gets signed
        self.job = Job(self.workbook, self.ut)
        self.year = self.job.year
        self.manifest = Manifest.load(self.year.path)
        pki = Pki(tmp / "pki")
        self.signers = {nr: pki.signer(*leder.navn.split(" ", 1)) for nr, leder in
                        ((leder.ansattnr, leder) for leder in self.job.bok.ledere)}
        self.record: dict[str, LeaderSigned] = {}
        self.copies: dict[tuple[str, str], Path] = {}  # (Ansattnr, rolle) -> the kept signed copy
        self.data: dict[tuple[str, str], bytes] = {}  # (Ansattnr, rolle) -> its bytes as signed
        for nr in PDFA:
            for rolle in ("avtale", "vedlegg"):
                pdf = self.year.path / self.manifest.ledere[nr].file(rolle, "pdf").sti
                self.keep(nr, rolle, self.both_sign(nr, pdf.read_bytes()), SIGNED_DATES[nr])
        self.keep(PLAIN, "avtale", self.both_sign(PLAIN, _pdf_17("Lederavtale 2027 Liv Skole")), SIGNED_DATES[PLAIN])
        self.keep(PLAIN, "vedlegg", _scan_pdf("Vedlegg Liv Skole, signert på papir"), SIGNED_DATES[PLAIN], SCAN)
        leder = self.job.bok.leder(PARTLY)
        self.keep(PARTLY, "avtale", sign(small_pdf("Lederavtale Åse"), self.signers[PARTLY], "Leder"), "2027-02-06",
                  status=PARTLY_SIGNED, signaturer=[Signature(leder.navn, True, True, "2027-02-06T10:00:00+01:00")])
        self.save()

    def both_sign(self, nr: str, data: bytes) -> bytes:
        superior = self.job.bok.overordnet(self.job.bok.leder(nr))
        return sign(sign(data, self.signers[nr], "Leder"), self.signers[superior.ansattnr], "Overordnet")

    def keep(self, nr: str, rolle: str, data: bytes, dato: str, kind: str = E_SIGNATURE, status: str = SIGNED,
             signaturer: list[Signature] | None = None) -> None:
        leder = self.job.bok.leder(nr)
        stem = Path(self.manifest.ledere[nr].file(rolle, "docx").sti).stem
        path = self.year.signed_copy(leder, stem)
        path.write_bytes(data)
        if signaturer is None and kind == E_SIGNATURE:
            superior = self.job.bok.overordnet(leder)
            signaturer = [Signature(leder.navn, True, True, f"{dato}T10:00:00+01:00"),
                          Signature(superior.navn, True, True, f"{dato}T11:00:00+01:00")]
        doc = SignedDocument(fil=self.year.relative(path), sha256=_sha256(data), type=kind, dato=dato,
                             dokument_id="", status=status, signaturer=signaturer or [])
        entry = self.record.setdefault(nr, LeaderSigned())
        setattr(entry, rolle, doc)
        self.copies[(nr, rolle)] = path
        self.data[(nr, rolle)] = data

    def save(self) -> None:
        save_signed(self.year.signert, self.record)

    def docx(self, nr: str, rolle: str) -> Path:
        return self.year.path / self.manifest.ledere[nr].file(rolle, "docx").sti


class Run:
    """What one `arkiv` run left in arkiv/ (copied, since later runs change it) and returned."""

    def __init__(self, state: Signed, name: str, result=None, exit_code: int | None = None, output: str = ""):
        self.dir = state.tmp / name
        shutil.copytree(state.year.arkiv, self.dir)
        self.result, self.output = result, output
        self.kept = {key: _sha256(path) for key, path in state.copies.items() if path.exists()}  # after the run
        self.exit_code = result.exit_code if exit_code is None else exit_code
        self.xml = self.dir / "arkivstruktur.xml"

    def journalposter(self) -> dict[str, ET.Element]:
        """Ansattnr -> registrering (the Ansattnr is in its systemID's key, so read it from import.csv)."""
        by_id = {row["Journalpost systemID"]: row["Ansattnr"] for row in self.csv_rows()}
        return {by_id[jp.findtext("n:systemID", namespaces=N)]: jp
                for jp in ET.parse(self.xml).getroot().iter(f"{{{noark5.NS}}}registrering")}

    def csv_rows(self) -> list[dict[str, str]]:
        text = (self.dir / "import.csv").read_bytes().decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))

    def meldinger(self) -> dict[str, Path]:
        fiks_dir = self.dir / "fiks"
        return {d.name: d for d in fiks_dir.iterdir()} if fiks_dir.is_dir() else {}

    def melding(self, nr: str) -> ET.Element:
        return ET.parse(self.meldinger()[nr] / "arkivmelding.xml").getroot().find("f:registrering", F)

    def item(self, nr: str):
        return next(item for item in self.result.items if item.ansattnr == nr)

    def noark_status(self, nr: str) -> set[str]:
        return {d.findtext("n:dokumentstatus", namespaces=N) for d in self.journalposter()[nr].findall("n:dokumentbeskrivelse", N)}

    def fiks_status(self, nr: str) -> tuple[str, set[str]]:
        reg = self.melding(nr)
        return (reg.findtext("f:journalstatus/m:kode", namespaces=F),
                {d.findtext("f:dokumentstatus/m:kode", namespaces=F) for d in reg.findall("f:dokumentbeskrivelse", F)})


FINAL_NOARK = {"Dokumentet er ferdigstilt"}


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Signed:
    return Signed(tmp_path_factory.mktemp("arkiv-signert"))


@pytest.fixture(scope="module")
def default_run(state) -> Run:
    """No options: the signed copies go, and nothing else is final."""
    return Run(state, "run-default", build_archive(state.job))


@pytest.fixture(scope="module")
def godta_run(state, default_run) -> Run:
    """--godta-usignert through the CLI, after Per Helse's documents were filled in at the conversation."""
    from generator.cli import main
    from test_archive import fill_placeholders

    for rolle in ("avtale", "vedlegg"):
        fill_placeholders(state.docx("200", rolle))
    outcome = CliRunner().invoke(main, ["arkiv", str(state.workbook), "--ut", str(state.ut), "--godta-usignert"])
    return Run(state, "run-godta", exit_code=outcome.exit_code, output=outcome.output)


@pytest.fixture(scope="module")
def damaged_run(state, godta_run) -> Run:
    """A kept copy changed, another one gone: those leaders fail, named; the others are packaged."""
    with open(state.copies[("320", "avtale")], "ab") as copy:
        copy.write(b"\n% changed afterwards\n")
    state.copies[(PLAIN, "vedlegg")].unlink()
    return Run(state, "run-damaged", build_archive(state.job))


@pytest.fixture(scope="module")
def schemas():
    return xmlschema.XMLSchema(str(noark5.SCHEMA)), xmlschema.XMLSchema(str(fiks.SCHEMA))


# --- the signed bytes, and their checksums everywhere ------------------------------------------


@pytest.mark.slow
def test_the_signed_copies_are_archived_byte_for_byte(state, default_run):
    assert default_run.exit_code == 0, default_run.result.failures
    assert set(default_run.meldinger()) == {*PDFA, PLAIN}
    rows = {(row["Ansattnr"], row["Tilknyttet som"]): row for row in default_run.csv_rows()}
    for nr in (*PDFA, PLAIN):
        jp = default_run.journalposter()[nr]
        reg = default_run.melding(nr)
        for rolle, n_db, f_db in zip(("avtale", "vedlegg"), jp.findall("n:dokumentbeskrivelse", N),
                                     reg.findall("f:dokumentbeskrivelse", F), strict=True):
            signed = state.data[(nr, rolle)]
            recorded = getattr(state.record[nr], rolle).sha256
            assert default_run.kept[(nr, rolle)] == _sha256(signed) == recorded  # the run left the kept copy alone
            n_obj, f_obj = n_db.find("n:dokumentobjekt", N), f_db.find("f:dokumentobjekt", F)
            archived = default_run.dir / n_obj.findtext("n:referanseDokumentfil", namespaces=N)
            sent = default_run.meldinger()[nr] / f_obj.findtext("f:referanseDokumentfil", namespaces=F)
            assert archived.read_bytes() == signed and sent.read_bytes() == signed, (nr, rolle)
            assert n_obj.findtext("n:sjekksum", namespaces=N) == recorded
            assert f_obj.findtext("f:sjekksum", namespaces=F) == recorded
            assert int(n_obj.findtext("n:filstoerrelse", namespaces=N)) == len(signed)
            assert int(f_obj.findtext("f:filstoerrelse", namespaces=F)) == len(signed)
            row = rows[(nr, "Hoveddokument" if rolle == "avtale" else "Vedlegg")]
            assert row["Sjekksum SHA256"] == recorded and row["Filnavn"] == n_obj.findtext("n:referanseDokumentfil", namespaces=N)
            # Nothing converted it: no konvertering is claimed.
            assert n_obj.find("n:konvertering", N) is None
    assert "Signerte kopier: 6 dokumenter arkivert byte for byte, slik de ble signert" in "\n".join(default_run.result.summary)


@pytest.mark.slow
def test_signatures_survive_in_the_archived_copy(state, default_run):
    from generator.signing.verify import read_signatures

    archived = default_run.meldinger()["210"] / "lederavtale.pdf"
    signatures = read_signatures(archived.read_bytes()).signaturer
    assert [(s.navn, s.gyldig) for s in signatures] == [("Øystein Sykehjem", True), ("Per Helse", True)]


@pytest.mark.slow
def test_every_export_is_valid_against_the_schemas(schemas, default_run, godta_run, damaged_run):
    noark_schema, fiks_schema = schemas
    for run in (default_run, godta_run, damaged_run):
        noark_schema.validate(str(run.xml))
        assert run.meldinger()
        for folder in run.meldinger().values():
            fiks_schema.validate(str(folder / "arkivmelding.xml"))
            assert fiks.schema_problems(fiks.parse_xml((folder / "arkivmelding.xml").read_bytes())) == []


# --- the real format -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_signed_pdfa_is_recorded_as_pdfa(default_run):
    for nr in PDFA:
        for obj in default_run.journalposter()[nr].iter(f"{{{noark5.NS}}}dokumentobjekt"):
            assert (obj.findtext("n:format", namespaces=N), obj.findtext("n:formatDetaljer", namespaces=N),
                    obj.findtext("n:variantformat", namespaces=N)) == ("fmt/477", "PDF/A-2b", "Arkivformat")
        # The Fiks message's code is PDF, as in KS' supported examples (fiks-protokoll-validator,
        # TestCases/no.ks.fiks.arkiv.v1/NyJournalpostN6/arkivmelding.xml: PDF for variantformat A and P);
        # what the file is, in formatDetaljer.
        for obj in default_run.melding(nr).iter(f"{{{fiks.NS}}}dokumentobjekt"):
            assert obj.findtext("f:format/m:kode", namespaces=F) == "PDF"
            assert obj.findtext("f:formatDetaljer", namespaces=F) == "PDF/A-2b (fmt/477)"
            assert obj.findtext("f:variantformat/m:kode", namespaces=F) == "A"
    assert not [line for line in default_run.result.notices if line.startswith(PDFA)]


@pytest.mark.slow
def test_a_signed_plain_pdf_is_recorded_as_plain_pdf_with_a_notice(state, default_run):
    expected = {"avtale": ("fmt/276", "PDF 1.7"), "vedlegg": ("fmt/17", "PDF 1.3")}
    for rolle, (code, name) in expected.items():  # what the files' own headers say
        assert state.data[(PLAIN, rolle)].startswith(f"%PDF-{name[4:]}".encode())
    jp = default_run.journalposter()[PLAIN]
    for rolle, obj in zip(expected, jp.iter(f"{{{noark5.NS}}}dokumentobjekt"), strict=True):
        assert (obj.findtext("n:format", namespaces=N), obj.findtext("n:formatDetaljer", namespaces=N),
                obj.findtext("n:variantformat", namespaces=N)) == (*expected[rolle], "Produksjonsformat")
    reg = default_run.melding(PLAIN)
    for rolle, obj in zip(expected, reg.iter(f"{{{fiks.NS}}}dokumentobjekt"), strict=True):
        # PDF, as KS' NyJournalpostN6 gives its production-format file; the version the file's own header
        # says, with its PRONOM id, in formatDetaljer.
        code, name = expected[rolle]
        assert (obj.findtext("f:format/m:kode", namespaces=F), obj.findtext("f:formatDetaljer", namespaces=F),
                obj.findtext("f:variantformat/m:kode", namespaces=F)) == ("PDF", f"{name} ({code})", "P")
    rows = [row for row in default_run.csv_rows() if row["Ansattnr"] == PLAIN]
    assert [(row["Format"], row["Formatnavn"], row["Variantformat"]) for row in rows] == [
        (*expected["avtale"], "Produksjonsformat"), (*expected["vedlegg"], "Produksjonsformat")]
    notices = [line for line in default_run.result.notices if line.startswith(f"{PLAIN} Liv Skole: ")]
    assert len(notices) == 2
    assert "lederavtalen er ikke PDF/A-2b, men PDF 1.7, fmt/276" in notices[0] and "uendret" in notices[0]
    assert "vedlegget er ikke PDF/A-2b, men PDF 1.3, fmt/17" in notices[1]
    assert {line.removeprefix(f"{PLAIN} Liv Skole: ") for line in notices} <= set(default_run.item(PLAIN).notices)
    # Still final: it is what was signed.
    assert default_run.fiks_status(PLAIN) == ("F", {"F"}) and default_run.noark_status(PLAIN) == FINAL_NOARK


def test_format_detection_reads_header_catalogue_and_xmp(tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(small_pdf())
    assert pdf_version(plain) == "1.3"
    assert (pdf_format(plain).kode.kode, pdf_format(plain).pdfa) == ("fmt/17", False)
    # PRONOM identifies a PDF by its header, as DROID does; a signature's update raising the
    # catalogue's /Version (pyHanko writes 2.0) changes nothing.
    raised = tmp_path / "raised.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.Root.Version = pikepdf.Name("/2.0")
        pdf.save(raised, force_version="1.6")
    assert raised.read_bytes().startswith(b"%PDF-1.6")
    assert pdf_format(raised).kode.kode == "fmt/20"
    # A file that claims PDF/A-2b in its XMP is described as PDF/A-2b.
    claimed = tmp_path / "claimed.pdf"
    with pikepdf.open(plain) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        pdf.save(claimed)
    assert (pdf_format(claimed).kode.kode, pdf_format(claimed).kode.beskrivelse) == ("fmt/477", "PDF/A-2b")
    # Another PDF/A level is not PDF/A-2b: it is named by its own PRONOM id (The National Archives' PRONOM:
    # fmt/354 PDF/A-1b; fmt/479, fmt/480 and fmt/481 PDF/A-3a, 3b and 3u, what Posten signering returns
    # for a PDF/A), and archived in production format. No claim of a level PRONOM lacks is believed.
    for part, conformance, code, name in [("1", "B", "fmt/354", "PDF/A-1b"), ("3", "A", "fmt/479", "PDF/A-3a"),
                                          ("3", "B", "fmt/480", "PDF/A-3b"), ("3", "U", "fmt/481", "PDF/A-3u"),
                                          ("3", "X", "fmt/17", "PDF 1.3")]:
        other = tmp_path / f"pdfa{part}{conformance}.pdf"
        with pikepdf.open(plain) as pdf:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["pdfaid:part"] = part
                meta["pdfaid:conformance"] = conformance
            pdf.save(other)
        found = pdf_format(other)
        assert (found.kode.kode, found.kode.beskrivelse, found.pdfa) == (code, name, False)
    assert set(PRONOM_PDF.values()) >= {"fmt/14", "fmt/15", "fmt/16", "fmt/17", "fmt/18", "fmt/19", "fmt/20", "fmt/276"}
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"ikke en pdf")
    with pytest.raises(UnknownFormat, match="PDF-hode"):
        pdf_format(garbage)


# --- final only when signed ------------------------------------------------------------------


@pytest.mark.slow
def test_a_signed_copy_is_final_with_the_signing_date(default_run):
    for nr in (*PDFA, PLAIN):
        assert default_run.fiks_status(nr) == ("F", {"F"}), nr
        assert default_run.noark_status(nr) == FINAL_NOARK, nr
        assert default_run.melding(nr).findtext("f:dokumentetsDato", namespaces=F) == SIGNED_DATES[nr]
        assert default_run.journalposter()[nr].findtext("n:dokumentetsDato", namespaces=N) == SIGNED_DATES[nr]
        assert default_run.item(nr).status == PAKKET
    rows = {row["Ansattnr"]: row["Signert"] for row in default_run.csv_rows()}
    assert rows["210"] == "03.02.2027"


@pytest.mark.slow
def test_a_signed_copy_is_final_although_its_word_file_has_placeholders(state, default_run):
    """The signed PDF is what was signed: the .docx it was made from is not what is archived."""
    assert placeholders_left(state.docx("210", "avtale")) > 0
    assert default_run.fiks_status("210") == ("F", {"F"})
    assert not any("[Fylles ut" in line and line.startswith("  210") for line in default_run.result.summary)


@pytest.mark.slow
def test_signert_only_is_left_out_with_the_message(default_run):
    assert default_run.exit_code == 0  # as for every leader left out until signed
    for nr in WORKBOOK_ONLY:
        assert nr not in default_run.meldinger() and nr not in default_run.journalposter()
        item = default_run.item(nr)
        assert item.status == IKKE_FERDIG and item.notices[0] == UTEN_KOPI
        # What would stop --godta-usignert too is said now.
        assert all("«[Fylles ut …]» igjen" in note for note in item.notices[1:]) and len(item.notices) > 1
    assert words(UTEN_KOPI, TERMINAL) == ("signert etter arbeidsboken, men ingen signert kopi er lest inn (kjør "
                                          "«lederavtale signert»), eller bruk --godta-usignert")
    summary = default_run.result.summary
    heading = next(i for i, line in enumerate(summary) if line.startswith("Ikke ferdige (3), og derfor ikke med"))
    assert f"  100 Kari Direktør: {UTEN_KOPI}" in summary[heading + 1:heading + 4]
    assert default_run.item("211").status == IKKE_SIGNERT


@pytest.mark.slow
def test_a_partly_signed_copy_is_not_final_and_says_why(default_run):
    assert PARTLY not in default_run.meldinger()
    item = default_run.item(PARTLY)
    assert item.status == IKKE_FERDIG
    assert item.notices[0] == ("lederavtalen er bare delvis signert (signert av Åse Oppvekst), og er derfor ikke "
                                 "ferdig: begge parter må signere")
    # The appendix has no copy and the workbook does not say it is signed: that is said too.
    assert item.notices[1].startswith("vedlegget har ingen signert kopi")


@pytest.mark.slow
def test_godta_usignert_files_a_rendering_as_final_and_says_so(state, godta_run):
    assert godta_run.exit_code == 3, godta_run.output  # 100 still has placeholders
    assert godta_run.fiks_status("200") == ("F", {"F"})
    assert godta_run.noark_status("200") == FINAL_NOARK
    assert godta_run.melding("200").findtext("f:dokumentetsDato", namespaces=F) == "2027-01-22"
    obj = godta_run.journalposter()["200"].find("n:dokumentbeskrivelse/n:dokumentobjekt", N)
    assert obj.findtext("n:format", namespaces=N) == "fmt/477"
    assert obj.find("n:konvertering/n:konvertertFraFormat", N).text == "fmt/412"  # made from the Word file
    output = " ".join(godta_run.output.split())
    assert ("200 Per Helse: arkiverer en usignert gjengivelse av Word-filen (lederavtalen og vedlegget) som ferdig, "
            "fordi arbeidsboken sier signert og --godta-usignert er brukt") in output
    # The signed copies are still what goes for the others.
    assert (godta_run.meldinger()["210"] / "lederavtale.pdf").read_bytes() == state.data[("210", "avtale")]
    assert PARTLY not in godta_run.meldinger()  # partly signed is not final, whatever HR vouches for


@pytest.mark.slow
def test_placeholders_are_never_final_even_with_godta_usignert(state, godta_run):
    left = placeholders_left(state.docx("100", "avtale"))
    assert left > 0
    assert "100" not in godta_run.meldinger() and "100" not in godta_run.journalposter()
    name = state.docx("100", "avtale").name
    lines = [line.strip() for line in godta_run.output.splitlines()]
    failure = next(line for line in lines if line.startswith("100 Kari Direktør: ") and "arkiveres aldri som ferdig" in line)
    assert f"{name} har {left} «[Fylles ut …]» igjen" in failure and "--godta-usignert" in failure


@pytest.mark.slow
def test_a_changed_or_missing_copy_fails_that_leader_by_name(state, damaged_run):
    result = damaged_run.result
    assert result.exit_code == 3
    changed = next(line for line in result.failures if line.startswith("320 Nils Barnehage: "))
    assert "den signerte kopien av lederavtalen" in changed and "er endret etter at den ble lest inn" in changed
    assert state.year.relative(state.copies[("320", "avtale")]) in changed
    gone = next(line for line in result.failures if line.startswith(f"{PLAIN} Liv Skole: "))
    assert "den signerte kopien av vedlegget" in gone and "finnes ikke lenger" in gone
    assert damaged_run.item("320").status == FEILET and damaged_run.item(PLAIN).status == FEILET
    # Never replaced by a rendering of the Word file, and the others are complete.
    assert set(damaged_run.meldinger()) == {"210"}
    assert set(damaged_run.journalposter()) == {"210"}
    assert (damaged_run.meldinger()["210"] / "vedlegg.pdf").read_bytes() == state.data[("210", "vedlegg")]


@pytest.mark.slow
def test_alle_takes_the_rest_as_under_redigering(state, damaged_run, schemas):
    """--alle --godta-usignert: the partly signed, the one with placeholders and the unsigned are R/B."""
    from generator.cli import main

    outcome = CliRunner().invoke(main, ["arkiv", str(state.workbook), "--ut", str(state.ut), "--alle",
                                        "--godta-usignert"])
    run = Run(state, "run-alle", exit_code=outcome.exit_code, output=outcome.output)
    assert run.exit_code == 3, run.output  # 320 and 310 still fail
    noark_schema, fiks_schema = schemas
    noark_schema.validate(str(run.xml))
    for folder in run.meldinger().values():
        fiks_schema.validate(str(folder / "arkivmelding.xml"))
    assert set(run.meldinger()) == {"210", "100", "200", "300", "211"}
    for nr in ("100", PARTLY, "211"):
        assert run.fiks_status(nr) == ("R", {"B"}), nr
        assert nr not in run.journalposter()  # under editing: never in the Noark 5 export's closed arkivdel
        assert run.melding(nr).find("f:dokumentetsDato", F) is None
    for nr in ("210", "200"):
        assert run.fiks_status(nr) == ("F", {"F"}), nr
    output = " ".join(run.output.split())
    assert "Ikke ferdige (2), men tatt med som under redigering fordi --alle er brukt:" in output
    assert "100 Kari Direktør: " in output and "arkiveres aldri som ferdig" in output
    # A partly signed copy's agreement is rendered from the Word file, not the copy, and says so.
    with pikepdf.open(run.meldinger()[PARTLY] / "lederavtale.pdf") as pdf:
        assert str(pdf.open_metadata().get("pdfaid:part")) == "2"


@pytest.mark.slow
def test_a_damaged_record_of_signed_copies_stops_the_run(state, damaged_run, tmp_path):
    from generator.exceptions import LederavtaleError

    saved = state.year.signert.read_bytes()
    before = sorted(p.relative_to(state.year.arkiv) for p in state.year.arkiv.rglob("*"))
    try:
        state.year.signert.write_text('{"210": {"avtale": {"fil": 3}}}', "utf-8")
        with pytest.raises(LederavtaleError, match="signert.json"):
            build_archive(state.job)
    finally:
        state.year.signert.write_bytes(saved)
    assert sorted(p.relative_to(state.year.arkiv) for p in state.year.arkiv.rglob("*")) == before
    assert json.loads(saved)  # restored for any later test
