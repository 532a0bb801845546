"""Fiks Arkiv without LibreOffice: the message's rules, the three Kommune fields it needs, and the
archive's receipts read back into arkivert.json and rapport.xlsx.

Messages and receipts are checked against KS' vendored v1 schemas with xmlschema, an
implementation independent of the lxml validation the product itself runs. The real runs (real
PDFs, every message of a municipality) are in test_archive.py, which shares LibreOffice's work.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xmlschema
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx

from generator.archive import fiks, noark5, receipts, record
from generator.cli import main
from generator.exceptions import WorkbookError
from generator.model import Kommune, Leder, Periode
from generator.store.year import ARKIVERT_NAME
from generator.workbook import read_workbook

F = {"f": fiks.NS, "m": fiks.MDK}
N = {"n": noark5.NS}
KV_NS = receipts.NS
# BASIC's Kommune sheet has nine fields (rows 2-10); a field appended to it lands in row 11.
NEXT_KOMMUNE_ROW = 11


@pytest.fixture(scope="module")
def fiks_schema():
    return xmlschema.XMLSchema(str(fiks.SCHEMA))


@pytest.fixture(scope="module")
def receipt_schema():
    return xmlschema.XMLSchema(str(receipts.SCHEMA))


def receipt_xml(noekkel: str, system_id: str = "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11", journalpostnummer: int = 5,
                svar: str = "Opprettet", fagsystem: str = "lederavtale") -> bytes:
    """A receipt as an archive sends it: a journalpostKvittering naming the message's key."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<arkivmeldingKvittering xmlns="{KV_NS}" xmlns:mdk="{fiks.MDK}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>{system_id}</systemID>
    <opprettetDato>2027-02-03T10:15:00+01:00</opprettetDato>
    <dokumentbeskrivelseKvittering>
      <systemID>7d1f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6</systemID>
      <dokumentnummer>1</dokumentnummer>
    </dokumentbeskrivelseKvittering>
    <referanseEksternNoekkel>
      <mdk:fagsystem>{fagsystem}</mdk:fagsystem>
      <mdk:noekkel>{noekkel}</mdk:noekkel>
    </referanseEksternNoekkel>
    <opprettetEllerEksisterende>{svar}</opprettetEllerEksisterende>
    <journalaar>2027</journalaar>
    <journalsekvensnummer>4567</journalsekvensnummer>
    <journalpostnummer>{journalpostnummer}</journalpostnummer>
  </registreringKvittering>
</arkivmeldingKvittering>
""".encode()


def failed_receipt_xml(melding: str = "Arkivdelen PERSONAL finnes ikke") -> bytes:
    feil = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<arkivmeldingKvittering xmlns="{KV_NS}" xmlns:feil="{feil}">
  <registreringFeilet>
    <feil:feilId>F-1001</feil:feilId>
    <feil:feilmelding>{melding}</feil:feilmelding>
  </registreringFeilet>
</arkivmeldingKvittering>
""".encode()


def test_the_test_receipts_are_valid_receipts(receipt_schema):
    """So that accepting them means something: they are what KS' schema allows."""
    receipt_schema.validate(receipt_xml("k").decode())
    receipt_schema.validate(failed_receipt_xml().decode())


# --- the message ------------------------------------------------------------------------------

KOMMUNE = {"navn": "Testvik kommune", "periode": Periode(date(2027, 1, 1), date(2027, 12, 31)),
           "tilgangskode": "PS", "skjermingshjemmel": "Offl. § 13", "saksbehandler": "hr@testvik.no",
           "administrativ_enhet": "HR-avdelingen"}
SJEF = Leder("100", "Kari Direktør", "Kommunedirektør", "Stab", epost="kari@testvik.no")


def _journalpost(signert: date | None = date(2027, 1, 20), ansattnr: str = "210") -> record.Journalpost:
    """A final record when `signert` (`arkiv` decides finality from the signed copies; see test_archive_signed)."""
    leder = Leder(ansattnr, "Øystein Sykehjem", "Virksomhetsleder", "Testvik sykehjem", epost="o@testvik.no",
                  overordnet="100", signert=signert)
    folder = f"{ansattnr} Øystein Sykehjem"
    return record.Journalpost(leder, SJEF,
                       record.Dokumentfil("avtale", f"{folder}/Lederavtale 2027 - Øystein Sykehjem.pdf", "a" * 64, 1234),
                       record.Dokumentfil("vedlegg", f"{folder}/{ansattnr} Vedlegg unntatt offentlighet.pdf", "b" * 64, 567),
                       ferdig=signert is not None, dato=signert)


def _message(tmp_path: Path, schema, jp: record.Journalpost | None = None, when: datetime | None = None, **kommune):
    pakke = record.Arkivpakke(Kommune(**{**KOMMUNE, "arkivsak": "2027/123", **kommune}), [jp or _journalpost()],
                       record.norsk_tid(when or datetime(2027, 2, 1, 9, 0, tzinfo=timezone.utc)))
    path = tmp_path / "arkivmelding.xml"
    path.write_bytes(fiks.build_arkivmelding(pakke, pakke.journalposter[0]))
    schema.validate(str(path))
    assert fiks.schema_problems(fiks.parse_xml(path.read_bytes())) == []  # the product's own check agrees
    return ET.parse(path).getroot().find("f:registrering", F)


def _parts(reg) -> dict[str, ET.Element]:
    """The leader (IM) and the superior (IA), by type; HR's part is `_hr`."""
    return {p.findtext("f:korrespondanseparttype/m:kode", namespaces=F): p for p in reg.findall("f:korrespondansepart", F)
            if p.findtext("f:erBehandlingsansvarlig", namespaces=F) != "true"}


def test_default_names_the_leader_in_public_and_screens_only_the_appendix(tmp_path, fiks_schema):
    reg = _message(tmp_path, fiks_schema)
    assert reg.findtext("f:tittel", namespaces=F) == "Lederavtale 2027 – Øystein Sykehjem, Virksomhetsleder, Testvik sykehjem"
    assert reg.findtext("f:offentligTittel", namespaces=F) == reg.findtext("f:tittel", namespaces=F)
    assert reg.find("f:skjerming", F) is None
    parts = _parts(reg)
    assert parts["IA"].findtext("f:korrespondansepartNavn", namespaces=F) == "Kari Direktør"
    assert parts["IM"].findtext("f:korrespondansepartNavn", namespaces=F) == "Øystein Sykehjem"
    assert parts["IM"].findtext("f:administrativEnhet/m:navn", namespaces=F) == "Testvik sykehjem"
    assert all(p.find("f:erSkjermet", F) is None for p in parts.values())
    avtale, vedlegg = reg.findall("f:dokumentbeskrivelse", F)
    assert avtale.find("f:skjerming", F) is None
    assert vedlegg.findtext("f:tittel", namespaces=F) == "Personlige utviklingsmål"
    assert vedlegg.findtext("f:skjerming/f:tilgangsrestriksjon/m:kode", namespaces=F) == "PS"
    assert vedlegg.findtext("f:skjerming/f:skjermingshjemmel", namespaces=F) == "Offl. § 13"


def test_skjerm_navn_masks_public_titles_and_screens_the_parties_in_both_exports(tmp_path, fiks_schema):
    reg = _message(tmp_path, fiks_schema, skjerm_navn=True)
    assert reg.findtext("f:offentligTittel", namespaces=F) == "Lederavtale 2027 – ****** ******, ******, ****** ******"
    assert "Øystein" in reg.findtext("f:tittel", namespaces=F)
    # Not the journalpost as a whole: Noark would pass that down to the public agreement.
    assert reg.find("f:skjerming", F) is None
    assert {p.findtext("f:erSkjermet", namespaces=F) for p in _parts(reg).values()} == {"true"}
    titles = [d.findtext("f:tittel", namespaces=F) for d in reg.findall("f:dokumentbeskrivelse", F)]
    assert titles == ["Lederavtale 2027", "Personlige utviklingsmål"]
    avtale, vedlegg = reg.findall("f:dokumentbeskrivelse", F)
    assert avtale.find("f:skjerming", F) is None
    assert vedlegg.findtext("f:skjerming/f:tilgangsrestriksjon/m:kode", namespaces=F) == "PS"

    # The Noark 5 export follows the same field.
    pakke = record.Arkivpakke(Kommune(**KOMMUNE, arkivsak="2027/123", skjerm_navn=True), [_journalpost()],
                       record.norsk_tid(datetime(2027, 2, 1, 9, 0, tzinfo=timezone.utc)))
    path = tmp_path / "arkivstruktur.xml"
    path.write_bytes(noark5.build_xml(pakke))
    xmlschema.XMLSchema(str(noark5.SCHEMA)).validate(str(path))
    jp = ET.parse(path).getroot().find(".//n:registrering", N)
    assert jp.findtext("n:offentligTittel", namespaces=N) == reg.findtext("f:offentligTittel", namespaces=F)
    assert [m.text for m in jp.findall("n:skjerming/n:skjermingMetadata", N)] == [
        "Skjerming tittel registrering - utvalgte ord", "Skjerming navn avsender", "Skjerming navn mottaker"]
    assert [d.findtext("n:tittel", namespaces=N) for d in jp.findall("n:dokumentbeskrivelse", N)] == titles
    rows = noark5.csv_rows(pakke)
    assert {r["Journalpost tilgangskode"] for r in rows} == {"PS"}
    assert {r["Offentlig tittel"] for r in rows} == {reg.findtext("f:offentligTittel", namespaces=F)}


def test_documents_are_h_and_v_with_file_facts_and_codes_from_the_lists(tmp_path, fiks_schema):
    reg = _message(tmp_path, fiks_schema)
    assert reg.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "journalpost"
    assert reg.findtext("f:journalposttype/m:kode", namespaces=F) == "X"
    assert reg.findtext("f:journalposttype/m:beskrivelse", namespaces=F) == "Organinternt dokument uten oppfølging"
    rows = []
    for db in reg.findall("f:dokumentbeskrivelse", F):
        obj = db.find("f:dokumentobjekt", F)
        rows.append((db.findtext("f:tilknyttetRegistreringSom/m:kode", namespaces=F), db.findtext("f:dokumentnummer", namespaces=F),
                     db.findtext("f:dokumenttype/m:kode", namespaces=F), obj.findtext("f:variantformat/m:kode", namespaces=F),
                     obj.findtext("f:format/m:kode", namespaces=F), obj.findtext("f:mimeType", namespaces=F),
                     obj.findtext("f:filnavn", namespaces=F), obj.findtext("f:referanseDokumentfil", namespaces=F),
                     obj.findtext("f:sjekksum", namespaces=F), obj.findtext("f:sjekksumAlgoritme", namespaces=F),
                     obj.findtext("f:filstoerrelse", namespaces=F)))
    # Format PDF, as every supported create example of KS has it (fiks-protokoll-validator,
    # TestCases/no.ks.fiks.arkiv.v1/NyJournalpostN1/arkivmelding.xml: <format><kode>PDF</kode></format>);
    # the exact format and its PRONOM id in formatDetaljer.
    assert rows == [
        ("H", "1", "AVTALE", "A", "PDF", "application/pdf", "Lederavtale 2027 - Øystein Sykehjem.pdf",
         "lederavtale.pdf", "a" * 64, "SHA256", "1234"),
        ("V", "2", "VEDLEGG", "A", "PDF", "application/pdf", "210 Vedlegg unntatt offentlighet.pdf",
         "vedlegg.pdf", "b" * 64, "SHA256", "567"),
    ]
    assert {o.findtext("f:formatDetaljer", namespaces=F) for o in reg.iter(f"{{{fiks.NS}}}dokumentobjekt")} == {
        "PDF/A-2b (fmt/477)"}
    assert reg.find(".//f:format/m:beskrivelse", F) is None  # KS' examples give PDF no description
    # Every code used is one of KS' codes for that list.
    lists = {"journalposttype": "journalposttype", "journalstatus": "journalstatus", "dokumentstatus": "dokumentstatus",
             "dokumenttype": "dokumenttype", "tilknyttetRegistreringSom": "tilknyttetregistreringsom",
             "variantformat": "variantformat", "korrespondanseparttype": "korrespondanseparttype"}
    for tag, liste in lists.items():
        known = {e["kodeverdi"]: e["kodebeskrivelse"]
                 for e in json.loads((fiks.SCHEMAS / "kodelister" / f"{liste}.json").read_text("utf-8"))["kodeliste"]}
        for element in reg.iter(f"{{{fiks.NS}}}{tag}"):
            code, text = element.findtext("m:kode", namespaces=F), element.findtext("m:beskrivelse", namespaces=F)
            assert known.get(code) == text, (tag, code, text)


def test_signed_is_final_and_unsigned_is_under_redigering(tmp_path, fiks_schema):
    signed = _message(tmp_path, fiks_schema)
    assert signed.findtext("f:journalstatus/m:kode", namespaces=F) == "F"
    assert {d.findtext("f:dokumentstatus/m:kode", namespaces=F) for d in signed.findall("f:dokumentbeskrivelse", F)} == {"F"}
    assert signed.findtext("f:dokumentetsDato", namespaces=F) == "2027-01-20"

    unsigned = _message(tmp_path, fiks_schema, jp=_journalpost(signert=None))
    assert unsigned.findtext("f:journalstatus/m:kode", namespaces=F) == "R"
    assert {d.findtext("f:dokumentstatus/m:kode", namespaces=F) for d in unsigned.findall("f:dokumentbeskrivelse", F)} == {"B"}
    assert unsigned.find("f:dokumentetsDato", F) is None


def test_no_journaldato_and_dates_are_norwegian_not_utc(tmp_path, fiks_schema):
    # The archive sets journaldato when it journals the entry (M101); KS' examples send none.
    for jp in (_journalpost(), _journalpost(signert=None)):
        reg = _message(tmp_path, fiks_schema, jp=jp, when=datetime(2027, 1, 31, 23, 30, tzinfo=timezone.utc))
        assert reg.find("f:journaldato", F) is None
        assert b"journaldato" not in (tmp_path / "arkivmelding.xml").read_bytes()
    # 23:30 UTC on 31 January is already 1 February in Norway (00:30 CET).
    assert record.norsk_tid(datetime(2027, 1, 31, 23, 30, tzinfo=timezone.utc)).date() == date(2027, 2, 1)
    assert record.norsk_tid(datetime(2027, 7, 1, 22, 30, tzinfo=timezone.utc)).isoformat() == "2027-07-02T00:30:00+02:00"


def test_placed_by_saksnummer_never_by_arkivdel_alone(tmp_path, fiks_schema):
    reg = _message(tmp_path, fiks_schema, arkivsak="27/00123", arkivdel="PERSONAL")
    assert reg.findtext("f:referanseForelderMappe/m:saksnummer/m:saksaar", namespaces=F) == "2027"
    assert reg.findtext("f:referanseForelderMappe/m:saksnummer/m:sakssekvensnummer", namespaces=F) == "123"
    assert reg.find("f:arkivdel", F) is None

    # Without an Arkivsak the journalpost has no saksmappe; the workbook check refuses an Arkivdel
    # alone (test_fiks_ks), and arkiv refuses an empty placement.
    with pytest.raises(WorkbookError, match="Arkivsak.*personalmappe"):
        record.check_placement(Kommune(**KOMMUNE, arkivsak=" ", arkivdel=""))


@pytest.mark.slow
def test_arkiv_without_arkivsak_or_arkivdel_stops_before_anything_is_written(tmp_path):
    from generator.commands.generate import generate
    from generator.job import Job

    sheets = basic_sheets()
    sheets["Kommune"] = [row for row in sheets["Kommune"] if row[0] != "Arkivsak"]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    generate(Job(workbook, tmp_path / "ut"), pdf=False)
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(tmp_path / "ut"), "--alle"])
    assert outcome.exit_code == 1, outcome.output
    assert "Arkivsak" in outcome.output and "personalmappe" in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)  # a message, no traceback
    assert not (tmp_path / "ut" / "2027" / "arkiv").exists()


def test_keys_are_stable_and_differ_by_leader_year_and_municipality(tmp_path, fiks_schema):
    first = _message(tmp_path, fiks_schema).findtext("f:referanseEksternNoekkel/m:noekkel", namespaces=F)
    again = _message(tmp_path, fiks_schema, when=datetime(2027, 6, 1, tzinfo=timezone.utc), skjerm_navn=True)
    assert again.findtext("f:referanseEksternNoekkel/m:fagsystem", namespaces=F) == "lederavtale"
    assert again.findtext("f:referanseEksternNoekkel/m:noekkel", namespaces=F) == first
    kommune = Kommune(**KOMMUNE)
    assert first == record.ekstern_noekkel(kommune, "210")
    others = {record.ekstern_noekkel(kommune, "211"),
              record.ekstern_noekkel(Kommune(**{**KOMMUNE, "periode": Periode(date(2028, 1, 1), date(2028, 12, 31))}), "210"),
              record.ekstern_noekkel(Kommune(**{**KOMMUNE, "navn": "Nabovik kommune"}), "210")}
    assert first not in others and len(others) == 3


def test_hostile_names_stay_in_filnavn_and_out_of_referanse_dokumentfil(tmp_path, fiks_schema):
    from generator.documents.kinds import AGREEMENT
    from generator.documents.naming import file_stem
    from generator.model import Arbeidsbok

    navn = ('Æsa «Øy» "Sjefen" Ålund/Berg ' + "Ærlighetsvarenlengstefjordsgård " * 9)[:300].strip()
    leder = Leder("400", navn, "Rådgiver", "Stab", signert=date(2027, 1, 5))
    bok = Arbeidsbok(tmp_path, Kommune(**KOMMUNE), [leder], [], [], [])
    stem = file_stem(AGREEMENT, bok, leder)  # what `generer` names the document, and `arkiv` its PDF
    jp = record.Journalpost(leder, None, record.Dokumentfil("avtale", f"400 x/{stem}.pdf", "a" * 64, 1),
                     record.Dokumentfil("vedlegg", "400 x/400 Vedlegg unntatt offentlighet.pdf", "b" * 64, 1))
    reg = _message(tmp_path, fiks_schema, jp=jp)
    filnavn = [o.findtext("f:filnavn", namespaces=F) for o in reg.iter(f"{{{fiks.NS}}}dokumentobjekt")]
    refs = [o.findtext("f:referanseDokumentfil", namespaces=F) for o in reg.iter(f"{{{fiks.NS}}}dokumentobjekt")]
    assert filnavn[0].startswith("Lederavtale 2027 - Æsa «Øy» -Sjefen- Ålund-Berg Ærlighet") and filnavn[0].endswith(".pdf")
    assert not set('/\\"') & set(filnavn[0]) and len(filnavn[0].encode()) < 255
    assert all(re.fullmatch(r"[a-z]+\.pdf", ref) for ref in refs), refs
    assert reg.findtext("f:tittel", namespaces=F).startswith(f"Lederavtale 2027 – {navn}")  # the title keeps it whole


@pytest.mark.parametrize("ansattnr, expected", [("1001", "1001"), ("E-1001", "E-1001"), ("a.b_c", "a.b_c")])
def test_plain_ansattnr_is_its_own_folder(ansattnr, expected):
    assert fiks.folder_name(ansattnr) == expected


def test_other_ansattnr_get_distinct_ascii_folders():
    names = [fiks.folder_name(nr) for nr in ("2001/1", "2001-1", "2001:1", "Ærø 7", "CON", "x" * 41, "..")]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) and name.upper() != "CON", name
    assert fiks.folder_name("2001/1").startswith("2001-1-")


def test_ansattnr_that_share_a_folder_on_windows_are_refused(tmp_path):
    from generator.commands.archive import build_archive
    from generator.job import Job

    sheets = basic_sheets()
    sheets["Ledere"] += [["a7", "Al Fa", "Rådgiver", "Stab", None, None, 100, "ja", None, None],
                         ["A7", "Bet A", "Rådgiver", "Stab", None, None, 100, "ja", None, None]]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    with pytest.raises(WorkbookError, match="«A7» og «a7»"):
        build_archive(Job(workbook, tmp_path / "ut"))
    assert not (tmp_path / "ut").exists()


# --- the Kommune fields -----------------------------------------------------------------------


def _kommune_with(tmp_path: Path, *fields: list) -> Kommune:
    sheets = basic_sheets()
    sheets["Kommune"] += [list(f) for f in fields]
    return read_workbook(write_xlsx(tmp_path / "a.xlsx", sheets)).kommune


def _kommune_errors(tmp_path: Path, *fields: list) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        _kommune_with(tmp_path, *fields)
    return [str(p) for p in info.value.problems]


def test_new_kommune_fields_default_to_public_and_empty(tmp_path):
    kommune = _kommune_with(tmp_path)
    assert (kommune.skjerm_navn, kommune.arkivdel, kommune.organisasjonsnummer) == (False, "", "")
    assert _kommune_with(tmp_path, ["Skjerm navn", None]).skjerm_navn is False


@pytest.mark.parametrize("value, expected", [("ja", True), ("Ja", True), ("nei", False), (True, True), (0, False)])
def test_skjerm_navn_reads_yes_and_no(tmp_path, value, expected):
    assert _kommune_with(tmp_path, ["Skjerm navn", value]).skjerm_navn is expected


def test_skjerm_navn_refuses_anything_else_naming_the_cell(tmp_path):
    assert _kommune_errors(tmp_path, ["Skjerm navn", "kanskje"]) == [
        f"Kommune!B{NEXT_KOMMUNE_ROW}: Skjerm navn må være «ja» eller «nei», ikke «kanskje»"]


@pytest.mark.parametrize("value", ["974 760 673", "974760673", 974760673, " 974 76 06 73 "])
def test_organisasjonsnummer_accepts_nine_digits_with_spaces(tmp_path, value):
    kommune = _kommune_with(tmp_path, ["Organisasjonsnummer", value], ["Arkivdel", "PERSONAL"])
    assert kommune.organisasjonsnummer == "974760673"
    assert kommune.arkivdel == "PERSONAL"


@pytest.mark.parametrize("value, words", [
    ("974 760 674", "kontrollsifferet"),  # one digit wrong
    ("12345678", "9 siffer"),
    ("97476067X", "9 siffer"),
    ("9747606731", "9 siffer"),
])
def test_organisasjonsnummer_is_checked_naming_the_cell(tmp_path, value, words):
    (error,) = _kommune_errors(tmp_path, ["Organisasjonsnummer", value])
    assert error.startswith(f"Kommune!B{NEXT_KOMMUNE_ROW}: Organisasjonsnummer") and words in error, error


def test_noark5_arkivskaper_is_the_organisasjonsnummer_when_given(tmp_path):
    schema = xmlschema.XMLSchema(str(noark5.SCHEMA))
    for orgnr, expected in (("974760673", "974760673"), ("", "Testvik kommune")):
        pakke = record.Arkivpakke(Kommune(**KOMMUNE, arkivsak="2027/1", organisasjonsnummer=orgnr), [_journalpost()],
                           record.norsk_tid(datetime(2027, 2, 1, tzinfo=timezone.utc)))
        path = tmp_path / "arkivstruktur.xml"
        path.write_bytes(noark5.build_xml(pakke))
        schema.validate(str(path))
        assert ET.parse(path).getroot().findtext("n:arkivskaper/n:arkivskaperID", namespaces=N) == expected


# --- receipts ---------------------------------------------------------------------------------


@pytest.fixture
def setup(tmp_path):
    """A workbook with documents generated (no PDFs: reading receipts needs none), and a receipts folder."""
    from generator.commands.generate import generate
    from generator.job import Job

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    generate(Job(workbook, tmp_path / "ut"), pdf=False)
    kommune = read_workbook(workbook).kommune
    svar = tmp_path / "svar"
    svar.mkdir()
    return workbook, tmp_path / "ut" / "2027", svar, kommune


def _read(workbook: Path, svar: Path, year_dir: Path):
    return CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(year_dir.parent), "--kvitteringer", str(svar)])


def _report(year_dir: Path) -> dict[str, str]:
    rows = list(openpyxl.load_workbook(year_dir / "rapport.xlsx").active.iter_rows(values_only=True))
    column = rows[0].index("Arkivert")
    return {row[0]: row[column] or "" for row in rows[1:]}  # an empty cell reads as None


@pytest.mark.slow
def test_receipt_is_recorded_per_ansattnr_and_shown_in_the_report(setup):
    workbook, year_dir, svar, kommune = setup
    assert set(_report(year_dir).values()) == {""}  # `generer` writes the column, empty before any receipt
    (svar / "svar fra arkivet (1).xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    outcome = _read(workbook, svar, year_dir)
    assert outcome.exit_code == 0, outcome.output
    assert "210 Øystein Sykehjem: 2027/4567, nr. 5 i saken (Opprettet" in outcome.output
    recorded = json.loads((year_dir / "arkiv" / ARKIVERT_NAME).read_text("utf-8"))
    assert set(recorded) == {"210"}
    entry = recorded["210"]
    assert {k: entry[k] for k in ("journalaar", "journalsekvensnummer", "journalpostnummer", "systemID",
                                  "opprettetEllerEksisterende", "kvittering")} == {
        "journalaar": 2027, "journalsekvensnummer": 4567, "journalpostnummer": 5,
        "systemID": "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11", "opprettetEllerEksisterende": "Opprettet",
        "kvittering": "svar fra arkivet (1).xml"}
    assert datetime.fromisoformat(entry["lest"]).utcoffset() is not None
    report = _report(year_dir)
    assert report["210"].startswith("2027/4567, nr. 5 i saken (Opprettet ") and report["100"] == ""

    # `generer` rewrites the report, and keeps what the archive has confirmed.
    from generator.commands.generate import generate
    from generator.job import Job

    generate(Job(workbook, year_dir.parent), pdf=False)
    assert _report(year_dir)["210"] == report["210"]


@pytest.mark.slow
def test_same_receipt_twice_changes_nothing(setup):
    workbook, year_dir, svar, kommune = setup
    (svar / "a.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    assert _read(workbook, svar, year_dir).exit_code == 0
    before = (year_dir / "arkiv" / ARKIVERT_NAME).read_bytes()
    (svar / "kopi av a.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210"), svar="Eksisterende"))
    outcome = _read(workbook, svar, year_dir)
    assert outcome.exit_code == 0, outcome.output
    assert "Allerede registrert fra før (2)" in outcome.output
    assert (year_dir / "arkiv" / ARKIVERT_NAME).read_bytes() == before


@pytest.mark.slow
def test_bad_receipts_are_named_exit_3_and_nothing_recorded_is_lost(setup):
    workbook, year_dir, svar, kommune = setup
    (svar / "ok.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    assert _read(workbook, svar, year_dir).exit_code == 0
    before = json.loads((year_dir / "arkiv" / ARKIVERT_NAME).read_text("utf-8"))

    (svar / "ukjent.xml").write_bytes(receipt_xml("ikke-en-av-våre", system_id="1b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11"))
    (svar / "annet fagsystem.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "310"), fagsystem="byggesak"))
    (svar / "feilet.xml").write_bytes(failed_receipt_xml())
    (svar / "halv.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "310"))[:200])
    (svar / "ugyldig.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "310"), svar="Kanskje"))
    (svar / "notat.txt").write_text("Husk å sende til arkivet", encoding="utf-8")
    (svar / "nytt.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "211"), system_id="2b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11"))
    outcome = _read(workbook, svar, year_dir)

    assert outcome.exit_code == 3, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    lines = outcome.output.splitlines()

    def line(name: str) -> str:
        return next(x for x in lines if x.strip().startswith(f"{name}:"))

    assert "hører ikke til noen leder" in line("ukjent.xml")
    assert "hører ikke til noen leder" in line("annet fagsystem.xml")
    assert "feilet" in line("feilet.xml") and "Arkivdelen PERSONAL finnes ikke" in line("feilet.xml")
    assert "ikke gyldig XML" in line("halv.xml")
    assert "skjemaet" in line("ugyldig.xml")
    assert "ikke gyldig XML" in line("notat.txt")
    recorded = json.loads((year_dir / "arkiv" / ARKIVERT_NAME).read_text("utf-8"))
    assert recorded["210"] == before["210"]  # what was recorded stays
    assert set(recorded) == {"210", "211"}  # and the good receipt among the bad is recorded


@pytest.mark.slow
def test_a_receipt_for_another_record_keeps_the_first_and_warns(setup):
    workbook, year_dir, svar, kommune = setup
    (svar / "1.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    assert _read(workbook, svar, year_dir).exit_code == 0
    (svar / "1.xml").unlink()
    (svar / "2.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210"), system_id="3b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11",
                                             journalpostnummer=6))
    outcome = _read(workbook, svar, year_dir)
    assert outcome.exit_code == 0 and "to ganger" in outcome.output
    entry = json.loads((year_dir / "arkiv" / ARKIVERT_NAME).read_text("utf-8"))["210"]
    assert entry["journalpostnummer"] == 6
    assert [old["journalpostnummer"] for old in entry["tidligere"]] == [5]


@pytest.mark.slow
def test_a_damaged_arkivert_json_stops_the_run(setup):
    workbook, year_dir, svar, kommune = setup
    (year_dir / "arkiv").mkdir()
    (year_dir / "arkiv" / ARKIVERT_NAME).write_text("{ikke json", encoding="utf-8")
    (svar / "a.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    outcome = _read(workbook, svar, year_dir)
    assert outcome.exit_code == 1 and ARKIVERT_NAME in outcome.output
    assert (year_dir / "arkiv" / ARKIVERT_NAME).read_text("utf-8") == "{ikke json"


@pytest.mark.slow
def test_receipts_folder_must_exist(setup):
    workbook, year_dir, svar, _ = setup
    outcome = _read(workbook, svar / "finnes ikke", year_dir)
    assert outcome.exit_code == 1 and "Finner ikke mappen" in outcome.output


@pytest.mark.parametrize("args", [["--arkiver-igjen"], ["--leder", "100"]])
def test_arkiver_igjen_and_leder_go_together(tmp_path, args):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(tmp_path / "ut"), *args])
    assert outcome.exit_code == 2 and "--arkiver-igjen" in outcome.output and "--leder" in outcome.output


def test_an_oversized_file_is_not_read(tmp_path):
    big = tmp_path / "stor.xml"
    big.write_bytes(b"<a>" + b" " * (receipts.MAX_BYTES + 1) + b"</a>")
    outcome = receipts.read_file(big, "stor.xml")
    assert isinstance(outcome, receipts.Avvist) and "for stor" in outcome.grunn


def test_an_entity_bomb_is_refused_not_expanded(tmp_path):
    bomb = tmp_path / "bombe.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]>'
                    f'<arkivmeldingKvittering xmlns="{KV_NS}">&y;</arkivmeldingKvittering>', encoding="utf-8")
    outcome = receipts.read_file(bomb, "bombe.xml")
    assert isinstance(outcome, receipts.Avvist)


def test_arkiver_igjen_for_an_unknown_leader_stops_before_anything_is_written(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(tmp_path / "ut"),
                                        "--arkiver-igjen", "--leder", "999"])
    assert outcome.exit_code == 1 and "--leder: «999» finnes ikke i arket Ledere" in outcome.output
    assert not (tmp_path / "ut").exists()


# --- arkiv as a job: the Result, never an exception after the work -----------------------------


@pytest.mark.parametrize("arkiver_igjen, ledere, message", [
    (True, (), "--arkiver-igjen krever at du velger ledere med --leder ANSATTNR."),
    (False, ("100",), "--leder brukes bare sammen med --arkiver-igjen."),
])
def test_option_rules_are_the_jobs_with_one_message_and_exit_2(tmp_path, arkiver_igjen, ledere, message):
    from generator.commands.archive import arkiv
    from generator.exceptions import EXIT_USAGE, OptionError
    from generator.job import Job

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    with pytest.raises(OptionError) as raised:
        arkiv(Job(workbook, tmp_path / "ut"), arkiver_igjen=arkiver_igjen, ledere=ledere)
    assert str(raised.value) == message and raised.value.exit_code == EXIT_USAGE == 2
    args = ["--arkiver-igjen"] * arkiver_igjen + [arg for nr in ledere for arg in ("--leder", nr)]
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(tmp_path / "ut"), *args])
    assert outcome.exit_code == 2
    assert outcome.output.splitlines() == [message]  # said once, by the job
    assert not (tmp_path / "ut").exists()


def test_unusable_receipts_are_the_results_failures_with_exit_3(tmp_path):
    from generator.commands.archive import RECEIPTS_FAILED, REGISTRERT, read_receipts
    from generator.job import Job

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    kommune = read_workbook(workbook).kommune
    svar = tmp_path / "svar"
    svar.mkdir()
    (svar / "god.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    (svar / "rot.xml").write_bytes(b"<arkivmeldingKvittering")
    result = read_receipts(Job(workbook, tmp_path / "ut"), svar)  # returns; does not raise
    assert result.exit_code == 3 and result.failure_heading == RECEIPTS_FAILED
    assert len(result.failures) == 1 and result.failures[0].startswith("rot.xml: er ikke gyldig XML")
    assert [(item.ansattnr, item.status) for item in result.items] == [("210", REGISTRERT)]
    assert result.summary[0].startswith("Kvitteringer: 1 ny registrert i ")
    assert tmp_path / "ut" / "2027" / "arkiv" / ARKIVERT_NAME in result.files
    assert set(json.loads((tmp_path / "ut" / "2027" / "arkiv" / ARKIVERT_NAME).read_text("utf-8"))) == {"210"}


@pytest.mark.slow
def test_receipts_and_package_failing_in_one_run_keep_their_own_headings(setup):
    """`--kvitteringer … --alle`: one Result, exit 3, each part's failures under its heading as before."""
    from generator.commands.archive import FEILET, PACKAGE_FAILED, RECEIPTS_FAILED, arkiv
    from generator.job import Job
    from generator.store.manifest import Manifest

    workbook, year_dir, svar, kommune = setup
    (svar / "god.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    (svar / "rot.xml").write_bytes(b"<arkivmeldingKvittering")
    # No leader's documents can be packaged, so the run needs no LibreOffice conversion.
    for entry in Manifest.load(year_dir).ledere.values():
        (year_dir / entry.file("avtale", "docx").sti).unlink()

    result = arkiv(Job(workbook, year_dir.parent), alle=True, kvitteringer=svar)
    assert result.exit_code == 3
    assert result.failure_heading == "Ferdig, men med feil:"
    assert result.failures[0] == RECEIPTS_FAILED and result.failures[1].startswith("  rot.xml: ")
    assert result.failures[2] == PACKAGE_FAILED and all(line.startswith("  ") for line in result.failures[3:])
    assert {item.ansattnr for item in result.items if item.status == FEILET} == {"100", "200", "300", "310", "320",
                                                                                 "211"}  # 210 is archived now
    assert result.summary[0].startswith("Kvitteringer: 1 ny registrert")
    assert any(line.startswith("Allerede arkivert (1)") for line in result.summary)

    (svar / "god.xml").unlink()
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(year_dir.parent), "--alle",
                                        "--kvitteringer", str(svar)])
    assert outcome.exit_code == 3, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    lines = outcome.output.splitlines()
    assert lines[0] == "Fant ingen kvitteringer å lese." or lines[0].startswith("Kvitteringer:")
    start = lines.index("Ferdig, men med feil:")
    assert lines[start + 1] == f"  {RECEIPTS_FAILED}" and lines[start + 2].startswith("    rot.xml: ")
    assert lines[start + 3] == f"  {PACKAGE_FAILED}" and lines[start + 4].startswith("    100 ")
