"""Fiks Arkiv messages as KS' own examples have them (fiks-protokoll-validator's NyJournalpostN1 and
NyMappeMedJournalpostN1): HR responsible with its saksbehandler, parties with an identifikator, no
journaldato, a personalmappe per leader, drafts in production format, names screened where they
stand. The workbook's checks behind them: Plassering, Arkivdel alone, Signert dates.

Every message is validated with xmlschema against KS' vendored v1 schema, and with the product's own
lxml check.
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import re
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pypdf
import pytest
import xmlschema
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx

from generator.archive import fiks, noark5, record
from generator.cli import main
from generator.exceptions import WorkbookError
from generator.model import Kommune, Leder, Periode
from generator.workbook import read_workbook

F = {"f": fiks.NS, "m": fiks.MDK}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# BASIC's Kommune sheet has nine fields (rows 2-10); fields appended to it start in row 11.
NEXT_KOMMUNE_ROW = 11

KOMMUNE = {"navn": "Testvik kommune", "periode": Periode(date(2027, 1, 1), date(2027, 12, 31)),
           "arkivsak": "2027/123", "saksbehandler": "hr@testvik.no", "administrativ_enhet": "HR-avdelingen",
           "avsender": "postmottak-hr@testvik.no"}
PERSONALMAPPE = {"plassering": "personalmappe", "arkivsak": "", "klassifikasjonssystem": "Ansattnummer",
                 "klasse": "Ansattnr", "arkivdel": "PERSONAL"}
SJEF = Leder("100", "Kari Direktør", "Kommunedirektør", "Stab", epost="kari@testvik.no")


@pytest.fixture(scope="module")
def fiks_schema():
    return xmlschema.XMLSchema(str(fiks.SCHEMA))


def _journalpost(ansattnr: str = "210", ferdig: bool = True, epost: str = "o@testvik.no") -> record.Journalpost:
    leder = Leder(ansattnr, "Øystein Sykehjem", "Virksomhetsleder", "Testvik sykehjem", epost=epost, overordnet="100")
    return record.Journalpost(leder, SJEF,
                              record.Dokumentfil("avtale", f"{ansattnr}/Lederavtale.pdf", "a" * 64, 1234),
                              record.Dokumentfil("vedlegg", f"{ansattnr}/Vedlegg.pdf", "b" * 64, 567),
                              ferdig=ferdig, dato=date(2027, 1, 20) if ferdig else None)


def _pakke(jp: record.Journalpost | None = None, **kommune) -> record.Arkivpakke:
    return record.Arkivpakke(Kommune(**{**KOMMUNE, **kommune}), [jp or _journalpost()],
                             record.norsk_tid(datetime(2027, 2, 1, 9, 0, tzinfo=timezone.utc)))


def _root(tmp_path: Path, schema, jp: record.Journalpost | None = None, **kommune):
    """The message for one leader, valid against the schema (both validators), as an element tree."""
    pakke = _pakke(jp, **kommune)
    path = tmp_path / "arkivmelding.xml"
    path.write_bytes(fiks.build_arkivmelding(pakke, pakke.journalposter[0]))
    schema.validate(str(path))
    assert fiks.schema_problems(fiks.parse_xml(path.read_bytes())) == []
    return ET.parse(path).getroot()


def _reg(tmp_path, schema, jp=None, **kommune):
    return _root(tmp_path, schema, jp, **kommune).find("f:registrering", F)


def _ansvarlige(reg) -> list[ET.Element]:
    return [p for p in reg.findall("f:korrespondansepart", F) if p.findtext("f:erBehandlingsansvarlig", namespaces=F) == "true"]


def _person_parts(reg) -> dict[str, ET.Element]:
    return {p.findtext("f:korrespondanseparttype/m:kode", namespaces=F): p for p in reg.findall("f:korrespondansepart", F)
            if p.findtext("f:erBehandlingsansvarlig", namespaces=F) == "false"}


# --- responsible: HR, as in NyJournalpostN1 -------------------------------------------------------


@pytest.mark.parametrize("kommune", [{}, PERSONALMAPPE, {"skjerm_navn": True}])
def test_hr_is_the_one_behandlingsansvarlig_with_unit_and_saksbehandler(tmp_path, fiks_schema, kommune):
    reg = _reg(tmp_path, fiks_schema, **kommune)
    [hr] = _ansvarlige(reg)
    assert hr.findtext("f:korrespondanseparttype/m:kode", namespaces=F) == "IM"
    assert hr.findtext("f:korrespondansepartNavn", namespaces=F) == "HR-avdelingen"
    assert hr.findtext("f:administrativEnhet/m:navn", namespaces=F) == "HR-avdelingen"
    assert hr.findtext("f:saksbehandler/m:identifikator", namespaces=F) == "hr@testvik.no"
    assert hr.findtext("f:saksbehandler/m:epostadresse", namespaces=F) == "hr@testvik.no"
    assert hr.find("f:erSkjermet", F) is None  # HR's unit is no secret, whatever Skjerm navn says
    # The other parties are not responsible: exactly one part is, so the adapter cannot pick the wrong one.
    assert set(_person_parts(reg)) == {"IA", "IM"}
    assert len(reg.findall("f:korrespondansepart", F)) == 3


def test_saksbehandler_as_initials_and_hr_without_a_unit(tmp_path, fiks_schema):
    [hr] = _ansvarlige(_reg(tmp_path, fiks_schema, saksbehandler=" KNO ", administrativ_enhet=""))
    assert hr.findtext("f:saksbehandler/m:identifikator", namespaces=F) == "KNO"
    assert hr.findtext("f:saksbehandler/m:initialer", namespaces=F) == "KNO"
    assert hr.find("f:saksbehandler/m:epostadresse", F) is None
    # No unit given: the municipality itself, nothing invented.
    assert hr.findtext("f:korrespondansepartNavn", namespaces=F) == "Testvik kommune"
    assert hr.find("f:administrativEnhet", F) is None


def test_without_saksbehandler_avsender_is_hrs_user_and_says_so(tmp_path, fiks_schema):
    kommune = Kommune(**{**KOMMUNE, "saksbehandler": "", "celler": {"saksbehandler": "Kommune!B20"}})
    record.check_placement(kommune)
    [hr] = _ansvarlige(_reg(tmp_path, fiks_schema, saksbehandler=""))
    assert hr.findtext("f:saksbehandler/m:identifikator", namespaces=F) == "postmottak-hr@testvik.no"
    warning = record.saksbehandler_warning(kommune)
    assert warning.startswith("Kommune!B20: Saksbehandler er tom") and "postmottak-hr@testvik.no" in warning
    assert record.saksbehandler_warning(Kommune(**KOMMUNE)) is None


def test_arkiv_without_saksbehandler_or_avsender_refuses_naming_the_cell(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"] = [row for row in sheets["Kommune"] if row[0] != "Avsender"] + [["Saksbehandler", None]]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(tmp_path / "ut"), "--alle"])
    assert outcome.exit_code == 1, outcome.output
    # Avsender's row went, so Saksbehandler is the last of nine rows.
    assert "Kommune!B10: Saksbehandler mangler" in outcome.output
    assert "Traceback" not in outcome.output
    assert not (tmp_path / "ut").exists()


def test_parties_carry_their_email_as_identifikator_beside_the_name(tmp_path, fiks_schema):
    parts = _person_parts(_reg(tmp_path, fiks_schema))
    leder, sjef = parts["IM"], parts["IA"]
    assert leder.findtext("f:korrespondansepartNavn", namespaces=F) == "Øystein Sykehjem"
    assert leder.findtext("f:saksbehandler/m:navn", namespaces=F) == "Øystein Sykehjem"
    assert leder.findtext("f:saksbehandler/m:identifikator", namespaces=F) == "o@testvik.no"
    assert leder.findtext("f:epostadresse", namespaces=F) == "o@testvik.no"
    assert leder.findtext("f:administrativEnhet/m:navn", namespaces=F) == "Testvik sykehjem"
    assert sjef.findtext("f:korrespondansepartNavn", namespaces=F) == "Kari Direktør"
    assert sjef.findtext("f:saksbehandler/m:identifikator", namespaces=F) == "kari@testvik.no"

    # Without an e-mail the party is its name only: no empty identifikator.
    leder = _person_parts(_reg(tmp_path, fiks_schema, jp=_journalpost(epost="")))["IM"]
    assert leder.findtext("f:saksbehandler/m:navn", namespaces=F) == "Øystein Sykehjem"
    assert leder.find("f:saksbehandler/m:identifikator", F) is None
    assert leder.find("f:epostadresse", F) is None


def test_no_journaldato_in_any_message(tmp_path, fiks_schema):
    for jp in (_journalpost(), _journalpost(ferdig=False)):
        for kommune in ({}, PERSONALMAPPE):
            root = _root(tmp_path, fiks_schema, jp, **kommune)
            assert not [e for e in root.iter() if e.tag.endswith("}journaldato")]


# --- placement: the sak, or one personalmappe per leader (NyMappeMedJournalpostN1) -----------------


def test_personalmappe_is_a_classified_saksmappe_with_the_journalpost_in_it(tmp_path, fiks_schema):
    root = _root(tmp_path, fiks_schema, **PERSONALMAPPE)
    [mappe] = root.findall("f:mappe", F)
    assert mappe.get(XSI_TYPE) == "saksmappe"
    assert mappe.findtext("f:tittel", namespaces=F) == "Personalmappe – Øystein Sykehjem"
    assert mappe.findtext("f:arkivdel/m:kode", namespaces=F) == "PERSONAL"
    assert mappe.findtext("f:klassifikasjon/f:klassifikasjonssystemID", namespaces=F) == "Ansattnummer"
    assert mappe.findtext("f:klassifikasjon/f:klasseID", namespaces=F) == "210"  # Klasse = Ansattnr: the leader's own
    assert mappe.findtext("f:saksansvarlig/m:identifikator", namespaces=F) == "hr@testvik.no"
    assert mappe.findtext("f:administrativEnhet/m:navn", namespaces=F) == "HR-avdelingen"
    key = mappe.findtext("f:referanseEksternNoekkel/m:noekkel", namespaces=F)
    assert mappe.findtext("f:referanseEksternNoekkel/m:fagsystem", namespaces=F) == "lederavtale"

    reg = root.find("f:registrering", F)
    forelder = reg.find("f:referanseForelderMappe", F)
    assert forelder.findtext("m:referanseEksternNoekkel/m:noekkel", namespaces=F) == key
    assert forelder.findtext("m:referanseEksternNoekkel/m:fagsystem", namespaces=F) == "lederavtale"
    assert forelder.find("m:saksnummer", F) is None and reg.find("f:arkivdel", F) is None
    # The mappe's key is its own, not the journalpost's.
    assert reg.findtext("f:referanseEksternNoekkel/m:noekkel", namespaces=F) != key


def test_sak_placement_has_no_mappe(tmp_path, fiks_schema):
    root = _root(tmp_path, fiks_schema, arkivdel="PERSONAL")
    assert root.find("f:mappe", F) is None
    assert root.findtext("f:registrering/f:referanseForelderMappe/m:saksnummer/m:sakssekvensnummer", namespaces=F) == "123"


# The sak as KS' NyJournalpostN1 names it (fiks-protokoll-validator,
# TestCases/no.ks.fiks.arkiv.v1/NyJournalpostN1/arkivmelding.xml): referanseForelderMappe/systemID.
SAK_SYSTEM_ID = "22f05e04-37c4-4051-8b3a-853c8eac4b33"


@pytest.mark.parametrize("arkivsak", ["2027/123", ""])
def test_the_sak_by_its_system_id_when_given_as_ks_nyjournalpostn1(tmp_path, fiks_schema, arkivsak):
    pakke = _pakke(arkivsak=arkivsak)
    pakke.sak_system_id = f" {SAK_SYSTEM_ID} "
    record.check_placement(pakke.kommune, pakke.sak_system_id)  # Arkivsak may be empty beside it
    path = tmp_path / "arkivmelding.xml"
    path.write_bytes(fiks.build_arkivmelding(pakke, pakke.journalposter[0]))
    fiks_schema.validate(str(path))
    assert fiks.schema_problems(fiks.parse_xml(path.read_bytes())) == []
    forelder = ET.parse(path).getroot().find("f:registrering/f:referanseForelderMappe", F)
    # The systemID alone, as in KS' example: never beside a saksnummer that might name another sak.
    assert [(child.tag, child.text) for child in forelder] == [(f"{{{fiks.MDK}}}systemID", SAK_SYSTEM_ID)]
    # The Noark 5 export says where the records go, by the same id when there is no saksnummer.
    export = tmp_path / "arkivstruktur.xml"
    export.write_bytes(noark5.build_xml(pakke))
    xmlschema.XMLSchema(str(noark5.SCHEMA)).validate(str(export))
    if not arkivsak:
        assert SAK_SYSTEM_ID in ET.parse(export).getroot().findtext(f"{{{noark5.NS}}}beskrivelse")


def test_without_a_system_id_the_sak_is_its_saksnummer_and_a_personalmappe_ignores_it(tmp_path, fiks_schema):
    reg = _reg(tmp_path, fiks_schema)
    assert reg.find("f:referanseForelderMappe/m:systemID", F) is None
    assert reg.findtext("f:referanseForelderMappe/m:saksnummer/m:saksaar", namespaces=F) == "2027"
    pakke = _pakke(**PERSONALMAPPE)
    pakke.sak_system_id = SAK_SYSTEM_ID
    root = fiks.parse_xml(fiks.build_arkivmelding(pakke, pakke.journalposter[0]))
    assert fiks.schema_problems(root) == []
    forelder = root.find("f:registrering/f:referanseForelderMappe", F)
    assert forelder.find("m:systemID", F) is None and forelder.find("m:referanseEksternNoekkel", F) is not None


@pytest.mark.parametrize("arkivsak, system_id, words", [
    ("", "", "fyll ut Arkivsak"),  # nowhere to go
    ("", "2027/123", "er ikke en systemID fra arkivet"),  # a saksnummer is no systemID: the schema says UUID
    ("2027/123", "22f05e04", "er ikke en systemID fra arkivet"),
])
def test_a_sak_system_id_that_is_no_uuid_is_refused_before_any_message(arkivsak, system_id, words):
    with pytest.raises(WorkbookError) as raised:
        record.check_placement(Kommune(**{**KOMMUNE, "arkivsak": arkivsak}), system_id)
    assert any(words in str(problem) for problem in raised.value.problems), raised.value.problems
    assert record.is_system_id(SAK_SYSTEM_ID.upper()) and not record.is_system_id(system_id)


def test_a_literal_klasse_is_used_as_written(tmp_path, fiks_schema):
    root = _root(tmp_path, fiks_schema, **{**PERSONALMAPPE, "klasse": "221", "arkivdel": ""})
    assert root.findtext("f:mappe/f:klassifikasjon/f:klasseID", namespaces=F) == "221"
    assert root.find("f:mappe/f:arkivdel", F) is None


def test_personalmappe_key_is_stable_across_reruns_and_years_and_differs_by_leader(tmp_path, fiks_schema):
    def key(jp=None, **kommune):
        root = _root(tmp_path, fiks_schema, jp, **{**PERSONALMAPPE, **kommune})
        return root.findtext("f:mappe/f:referanseEksternNoekkel/m:noekkel", namespaces=F)

    first = key()
    assert key() == first  # a rerun
    assert key(skjerm_navn=True, klasse="999") == first  # settings do not make it another mappe
    # Next year's agreement goes in the same mappe; the journalpost is a new one.
    assert key(periode=Periode(date(2028, 1, 1), date(2028, 12, 31))) == first
    assert record.ekstern_noekkel(Kommune(**{**KOMMUNE, "periode": Periode(date(2028, 1, 1), date(2028, 12, 31))}), "210") \
        != record.ekstern_noekkel(Kommune(**KOMMUNE), "210")
    assert key(jp=_journalpost("211")) != first
    assert key(navn="Nabovik kommune") != first


def test_a_real_package_gives_one_mappe_per_leader_in_every_message(tmp_path, fiks_schema):
    """The package's messages as outbox.py writes them, over several leaders."""
    from generator.archive.outbox import write_outbox

    ledere = [_journalpost(nr) for nr in ("210", "211", "310")] + [_journalpost("320", ferdig=False)]
    pakke = record.Arkivpakke(Kommune(**{**KOMMUNE, **PERSONALMAPPE}), ledere,
                              record.norsk_tid(datetime(2027, 2, 1, 9, 0, tzinfo=timezone.utc)))
    arkiv = tmp_path / "arkiv"
    for jp in ledere:
        for fil in jp.dokumenter:
            (arkiv / fil.sti).parent.mkdir(parents=True, exist_ok=True)
            (arkiv / fil.sti).write_bytes(b"%PDF-1.7 test")
    write_outbox(arkiv / "fiks", arkiv, pakke, arkiv / "fiks-meldinger.json")
    keys = {}
    for nr in ("210", "211", "310", "320"):
        path = arkiv / "fiks" / nr / fiks.MELDING_NAME
        fiks_schema.validate(str(path))
        root = ET.parse(path).getroot()
        [mappe] = root.findall("f:mappe", F)
        assert mappe.findtext("f:klassifikasjon/f:klasseID", namespaces=F) == nr
        keys[nr] = mappe.findtext("f:referanseEksternNoekkel/m:noekkel", namespaces=F)
        assert root.findtext("f:registrering/f:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel",
                             namespaces=F) == keys[nr]
    assert len(set(keys.values())) == 4


# --- statuses that agree ----------------------------------------------------------------------------


def _documents(reg) -> list[tuple[str, str]]:
    return [(d.findtext("f:dokumentstatus/m:kode", namespaces=F),
             d.findtext("f:dokumentobjekt/f:variantformat/m:kode", namespaces=F)) for d in reg.findall("f:dokumentbeskrivelse", F)]


def test_final_is_f_f_in_archive_format_and_a_draft_r_b_in_production_format(tmp_path, fiks_schema):
    final = _reg(tmp_path, fiks_schema, jp=_journalpost())
    assert final.findtext("f:journalstatus/m:kode", namespaces=F) == "F"
    assert _documents(final) == [("F", "A"), ("F", "A")]
    draft = _reg(tmp_path, fiks_schema, jp=_journalpost(ferdig=False))
    assert draft.findtext("f:journalstatus/m:kode", namespaces=F) == "R"
    assert _documents(draft) == [("B", "P"), ("B", "P")]
    # The Noark 5 export says the same of the same documents.
    rows = list(csv.DictReader(io.StringIO(noark5.build_csv(_pakke(_journalpost(ferdig=False))).decode("utf-8-sig")),
                               delimiter=";"))
    assert {r["Variantformat"] for r in rows} == {"Produksjonsformat"}


# --- Skjerm navn: what is screened, and what not ------------------------------------------------


def test_skjerm_navn_screens_the_names_where_they_stand_and_not_the_agreement(tmp_path, fiks_schema):
    root = _root(tmp_path, fiks_schema, **{**PERSONALMAPPE, "skjerm_navn": True})
    reg = root.find("f:registrering", F)
    # Screened: the public titles (masked words), and the two persons as parties.
    assert reg.findtext("f:offentligTittel", namespaces=F) == "Lederavtale 2027 – ****** ******, ******, ****** ******"
    assert root.findtext("f:mappe/f:offentligTittel", namespaces=F) == "Personalmappe – ****** ******"
    assert {k: p.findtext("f:erSkjermet", namespaces=F) for k, p in _person_parts(reg).items()} == {"IA": "true", "IM": "true"}
    # The appendix is screened as a document, as it always is.
    avtale, vedlegg = reg.findall("f:dokumentbeskrivelse", F)
    assert vedlegg.find("f:skjerming/f:tilgangsrestriksjon", F) is not None
    # Not screened: the journalpost and the mappe as wholes (Noark passes that down to every document),
    # the public agreement, and HR.
    assert reg.find("f:skjerming", F) is None and root.find("f:mappe/f:skjerming", F) is None
    assert avtale.find("f:skjerming", F) is None
    assert avtale.findtext("f:tittel", namespaces=F) == "Lederavtale 2027"
    [hr] = _ansvarlige(reg)
    assert hr.find("f:erSkjermet", F) is None
    # Only the titles that are not public keep the name.
    assert "Øystein" in reg.findtext("f:tittel", namespaces=F) and "Øystein" in root.findtext("f:mappe/f:tittel", namespaces=F)

    plain = _root(tmp_path, fiks_schema, **PERSONALMAPPE)
    assert plain.findtext("f:mappe/f:offentligTittel", namespaces=F) == "Personalmappe – Øystein Sykehjem"
    assert not [e for e in plain.iter() if e.tag.endswith("}erSkjermet")]


# --- the workbook's checks ----------------------------------------------------------------------


def _read(tmp_path: Path, *fields: list, ledere: list | None = None):
    sheets = basic_sheets()
    sheets["Kommune"] += [list(f) for f in fields]
    if ledere is not None:
        sheets["Ledere"] = ledere
    return read_workbook(write_xlsx(tmp_path / "a.xlsx", sheets))


def _errors(tmp_path: Path, *fields: list, **kwargs) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        _read(tmp_path, *fields, **kwargs)
    return [str(p) for p in info.value.problems]


def test_the_new_kommune_fields_are_read_with_their_cells(tmp_path):
    kommune = _read(tmp_path, ["Saksbehandler", "hr@testvik.kommune.no"], ["Administrativ enhet", "HR-avdelingen"],
                    ["Plassering", " Personalmappe "], ["Klassifikasjonssystem", "Ansattnummer"], ["Klasse", "ansattnr"],
                    ["Arkivdel", "PERSONAL"]).kommune
    assert (kommune.saksbehandler, kommune.administrativ_enhet, kommune.plassering, kommune.klassifikasjonssystem,
            kommune.klasse, kommune.arkivdel) == ("hr@testvik.kommune.no", "HR-avdelingen", "personalmappe",
                                                  "Ansattnummer", "ansattnr", "PERSONAL")
    assert kommune.celle("saksbehandler", "Saksbehandler") == f"Kommune!B{NEXT_KOMMUNE_ROW}"
    assert record.klasse_id(kommune, Leder("210", "A", "B", "C")) == "210"
    assert _read(tmp_path).kommune.plassering == "sak"


def test_arkivdel_alone_is_refused_with_an_explanation(tmp_path):
    sheets_without_sak = [row for row in basic_sheets()["Kommune"] if row[0] != "Arkivsak"]
    sheets = basic_sheets()
    sheets["Kommune"] = sheets_without_sak + [["Arkivdel", "PERSONAL"]]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    outcome = CliRunner().invoke(main, ["sjekk", str(workbook)])
    assert outcome.exit_code == 1, outcome.output
    assert "Kommune!B10: Arkivdel alene er ikke nok: i Noark 5 ligger en journalpost alltid i en saksmappe" in outcome.output
    assert "Arkivsak" in outcome.output and "personalmappe" in outcome.output
    assert "Traceback" not in outcome.output
    # With a personalmappe it has its place: the mappe goes in it.
    kommune = _read(tmp_path, ["Arkivdel", "PERSONAL"], ["Plassering", "personalmappe"],
                    ["Klassifikasjonssystem", "Ansattnummer"], ["Klasse", "Ansattnr"]).kommune
    assert kommune.arkivdel == "PERSONAL"


def test_personalmappe_needs_its_klassifikasjon_and_plassering_its_two_words(tmp_path):
    r = NEXT_KOMMUNE_ROW
    errors = _errors(tmp_path, ["Plassering", "personalmappe"], ["Klassifikasjonssystem", None])
    assert errors == [
        f"Kommune!B{r + 1}: Klassifikasjonssystem mangler; Plassering «personalmappe» gir hver leder en saksmappe "
        "med klassifikasjon (f.eks. Klassifikasjonssystem = Ansattnummer)",
        "Kommune: Klasse mangler; Plassering «personalmappe» gir hver leder en saksmappe med klassifikasjon "
        "(f.eks. Klasse = Ansattnr)"]
    assert _errors(tmp_path, ["Plassering", "mappe"]) == [
        f"Kommune!B{r}: Plassering må være «sak» eller «personalmappe», ikke «mappe»"]


def test_arkivsak_beside_personalmappe_and_arkivdel_beside_sak_are_warned_of(tmp_path):
    bok = _read(tmp_path, ["Plassering", "personalmappe"], ["Klassifikasjonssystem", "A"], ["Klasse", "B"])
    assert [str(w) for w in bok.warnings if "Arkivsak" in str(w)] == [
        "Kommune!B10: Arkivsak blir ikke brukt med Plassering «personalmappe»: hver leders avtale arkiveres i "
        "lederens egen mappe"]
    bok = _read(tmp_path, ["Arkivdel", "PERSONAL"])
    assert any(str(w).startswith(f"Kommune!B{NEXT_KOMMUNE_ROW}: Arkivdel blir ikke brukt") for w in bok.warnings)


def _ledere_signed(signert) -> list[list]:
    rows = [list(row) for row in basic_sheets()["Ledere"]]
    rows[2][9] = signert  # Kari Direktør, row 3 of the sheet, column J
    return rows


def test_signert_that_cannot_be_true_for_the_period_is_refused(tmp_path):
    assert _errors(tmp_path, ledere=_ledere_signed("31.12.2026")) == [
        "Ledere!J3: Signert 31.12.2026 er før perioden begynner (01.01.2027); en avtale for perioden kan ikke "
        "være signert før den"]
    assert _errors(tmp_path, ledere=_ledere_signed(date(2072, 1, 1))) == [
        "Ledere!J3: Signert 01.01.2072 er etter at perioden slutter (31.12.2027); skriv datoen avtalen ble signert"]
    # The period's first and last days are fine, whatever the clock says.
    for ok in (date(2027, 1, 1), date(2027, 12, 31)):
        assert _read(tmp_path, ledere=_ledere_signed(ok)).leder("100").signert == ok


def test_sjekk_refuses_a_signert_after_the_period(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", {**basic_sheets(), "Ledere": _ledere_signed(date(2072, 1, 20))})
    outcome = CliRunner().invoke(main, ["sjekk", str(workbook)])
    assert outcome.exit_code == 1, outcome.output
    assert "Ledere!J3: Signert 20.01.2072 er etter at perioden slutter (31.12.2027)" in outcome.output


@pytest.mark.slow
def test_sjekk_warns_when_avsender_stands_in_for_saksbehandler(tmp_path):
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    outcome = CliRunner().invoke(main, ["sjekk", str(workbook)])
    assert outcome.exit_code == 0, outcome.output
    assert "Saksbehandler er tom, så arkiv oppgir Avsender «hr@testvik.kommune.no»" in outcome.output
    sheets = basic_sheets()
    sheets["Kommune"].append(["Saksbehandler", "KNO"])
    outcome = CliRunner().invoke(main, ["sjekk", str(write_xlsx(tmp_path / "b.xlsx", sheets))])
    assert outcome.exit_code == 0 and "Saksbehandler" not in outcome.output, outcome.output


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice er ikke installert")
def test_arkiv_with_personalmappe_end_to_end_finds_the_same_mappe_on_a_rerun(tmp_path, fiks_schema):
    """The real command: generer, then arkiv --alle twice; every leader gets a mappe of their own, with
    the same key both times, HR responsible, every message valid."""
    sheets = basic_sheets()
    sheets["Kommune"] = [row for row in sheets["Kommune"] if row[0] != "Arkivsak"] + [
        ["Plassering", "personalmappe"], ["Klassifikasjonssystem", "Ansattnummer"], ["Klasse", "Ansattnr"],
        ["Arkivdel", "PERSONAL"], ["Saksbehandler", "KNO"], ["Administrativ enhet", "HR-avdelingen"]]
    workbook, ut = write_xlsx(tmp_path / "a.xlsx", sheets), tmp_path / "ut"
    assert CliRunner().invoke(main, ["generer", str(workbook), "--ut", str(ut), "--ingen-pdf"]).exit_code == 0

    def run() -> dict[str, tuple[str, str]]:
        outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(ut), "--alle"])
        assert outcome.exit_code == 0, outcome.output
        assert "Saksbehandler" not in outcome.output  # given, so no warning
        found = {}
        for path in sorted((ut / "2027" / "arkiv" / "fiks").glob(f"*/{fiks.MELDING_NAME}")):
            fiks_schema.validate(str(path))
            root = ET.parse(path).getroot()
            mappe_key = root.findtext("f:mappe/f:referanseEksternNoekkel/m:noekkel", namespaces=F)
            reg = root.find("f:registrering", F)
            assert reg.findtext("f:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel", namespaces=F) == mappe_key
            assert [p.findtext("f:saksbehandler/m:initialer", namespaces=F) for p in _ansvarlige(reg)] == ["KNO"]
            assert not [e for e in root.iter() if e.tag.endswith("}journaldato")]
            found[root.findtext("f:mappe/f:klassifikasjon/f:klasseID", namespaces=F)] = (
                mappe_key, reg.findtext("f:referanseEksternNoekkel/m:noekkel", namespaces=F))
        return found

    first = run()
    assert set(first) == {"100", "200", "300", "210", "310", "320", "211"}
    assert run() == first
    assert len({mappe for mappe, _ in first.values()}) == 7


# --- Klasse = Fødselsnummer: the leader's existing personnel folder (issue 32) ------------------------------
#
# KS classifies a personnel folder by the person's fødselsnummer in its own example messages: fiks-protokoll-
# validator (ks-no/fiks-protokoll-validator), api/KS.FiksProtokollValidator.WebAPI/TestCases/no.ks.fiks.arkiv.v1/
# NyMappeMedJournalpostN1/arkivmelding.xml (and NySaksmappeN1), a saksmappe with
#     <klassifikasjon><klassifikasjonssystemID>Personnummer</klassifikasjonssystemID>
#                     <klasseID>19085830948</klasseID></klassifikasjon>
# KS' specification itself (ks-no/fiks-arkiv-specification) has no example message; its kodeliste
# klassifikasjonstype (Schema/V1/kodelister/…klassifikasjonstype.json) has the type PNR, «Fødselsnummer».

# Made-up numbers with both control digits right (month + 80, as Skatteetaten's synthetic numbers).
FNR_210, FNR_211 = "15866110015", "12907601879"
FODSELSNUMMER = {**PERSONALMAPPE, "klassifikasjonssystem": "Personnummer", "klasse": "Fødselsnummer"}


def _journalpost_fnr(fnr: str = FNR_210, ansattnr: str = "210") -> record.Journalpost:
    jp = _journalpost(ansattnr)
    jp.leder.fodselsnummer = fnr
    return jp


@pytest.mark.parametrize("klasse", ["Fødselsnummer", "fødselsnummer", " Fodselsnummer ", "Personnummer", "FNR"])
def test_klasse_fodselsnummer_classifies_the_mappe_by_the_leaders_number_as_ks_example(tmp_path, fiks_schema, klasse):
    root = _root(tmp_path, fiks_schema, _journalpost_fnr(), **{**FODSELSNUMMER, "klasse": klasse})
    klassifikasjon = root.find("f:mappe/f:klassifikasjon", F)
    # As NyMappeMedJournalpostN1 has it: the system as HR's archive names it, the eleven digits as klasseID.
    assert [(child.tag.split("}")[1], child.text) for child in klassifikasjon] == [
        ("klassifikasjonssystemID", "Personnummer"), ("klasseID", FNR_210)]
    # The number is in the klassifikasjon and nowhere else in the message.
    text = ET.tostring(root, encoding="unicode")
    assert text.count(FNR_210) == 1
    # The mappe is still found by its own key, the same as with Klasse = Ansattnr.
    by_ansattnr = _root(tmp_path, fiks_schema, _journalpost_fnr(), **PERSONALMAPPE)
    key = "f:mappe/f:referanseEksternNoekkel/m:noekkel"
    assert root.findtext(key, namespaces=F) == by_ansattnr.findtext(key, namespaces=F)
    assert FNR_210 not in ET.tostring(by_ansattnr, encoding="unicode")


def test_the_number_is_used_only_in_personalmappe_mode_and_never_in_the_noark5_export(tmp_path, fiks_schema):
    # Plassering sak: no mappe, no klassifikasjon, no number, whatever Klasse says.
    root = _root(tmp_path, fiks_schema, _journalpost_fnr(), klasse="Fødselsnummer", klassifikasjonssystem="Personnummer")
    assert root.find("f:mappe", F) is None and FNR_210 not in ET.tostring(root, encoding="unicode")
    pakke = _pakke(_journalpost_fnr(), **FODSELSNUMMER)
    assert FNR_210.encode() not in noark5.build_xml(pakke)
    assert FNR_210.encode() not in noark5.build_csv(pakke)


def test_a_leader_without_a_number_is_refused_naming_the_cell_never_a_number():
    kommune = Kommune(**{**KOMMUNE, **FODSELSNUMMER})
    leder = Leder("211", "Berit Avdeling", "Avdelingsleder", "Testvik sykehjem", rad=9)
    why = record.missing_fodselsnummer(kommune, leder, "Ledere!K9")
    assert why.startswith("Ledere!K9: Fødselsnummer mangler. Klasse i arket Kommune er «Fødselsnummer»")
    assert "sett Klasse til Ansattnr" in why
    leder.fodselsnummer = FNR_211
    assert record.missing_fodselsnummer(kommune, leder, "Ledere!K9") is None
    # Another Klasse, or Plassering sak, needs no number.
    for other in ({**PERSONALMAPPE}, {"klasse": "Fødselsnummer"}):
        leder.fodselsnummer = ""
        assert record.missing_fodselsnummer(Kommune(**{**KOMMUNE, **other}), leder, "Ledere!K9") is None


def test_a_fodselsnummer_klasse_in_an_ansattnummer_system_is_warned_of():
    kommune = Kommune(**{**KOMMUNE, **FODSELSNUMMER, "klassifikasjonssystem": "Ansattnummer"})
    warning = record.klassifikasjon_warning(kommune)
    assert warning.startswith("Kommune (feltet Klassifikasjonssystem): Klassifikasjonssystem er «Ansattnummer», men "
                              "Klasse er «Fødselsnummer»")
    assert record.klassifikasjon_warning(Kommune(**{**KOMMUNE, **FODSELSNUMMER})) is None  # Personnummer
    assert record.klassifikasjon_warning(Kommune(**{**KOMMUNE, **PERSONALMAPPE})) is None  # Ansattnr in Ansattnummer


def test_the_message_id_does_not_hang_on_the_number(tmp_path):
    """klientMeldingId is kept in melding.json, fiks-meldinger.json and arkivert.json: a checksum over a message
    that holds the number would let anyone with the year folder try the possible numbers until one fits."""
    from generator.archive import outbox

    pakke = _pakke(_journalpost_fnr(), **FODSELSNUMMER)
    other = _pakke(_journalpost_fnr(FNR_211), **FODSELSNUMMER)
    assert fiks.build_arkivmelding(pakke, pakke.journalposter[0]) != fiks.build_arkivmelding(other, other.journalposter[0])
    first = outbox.fingerprint(pakke, pakke.journalposter[0], {})
    assert first == outbox.fingerprint(other, other.journalposter[0], {})
    assert FNR_210.encode() not in first
    assert pakke.journalposter[0].leder.fodselsnummer == FNR_210  # the leader is not changed on the way


def _fnr_workbook(tmp_path: Path, numbers: dict[int, str]) -> Path:
    """BASIC in personalmappe mode by fødselsnummer, with a column Fødselsnummer (K) holding `numbers`."""
    sheets = basic_sheets()
    sheets["Kommune"] = [row for row in sheets["Kommune"] if row[0] != "Arkivsak"] + [
        ["Plassering", "personalmappe"], ["Klassifikasjonssystem", "Personnummer"], ["Klasse", "Fødselsnummer"],
        ["Saksbehandler", "KNO"]]
    sheets["Ledere"][0].append("Fødselsnummer")
    for row in sheets["Ledere"][1:]:
        row.append(numbers.get(row[0]))
    return write_xlsx(tmp_path / "a.xlsx", sheets)


@pytest.mark.slow
def test_arkiv_refuses_the_leader_without_a_number_and_says_which_cell(tmp_path):
    # Per Helse (200, row 4) is signed by the workbook and has no number; nobody else is to be archived.
    sheets_numbers = {100: "25857836270", 210: FNR_210, 211: FNR_211}
    workbook, ut = _fnr_workbook(tmp_path, sheets_numbers), tmp_path / "ut"
    assert CliRunner().invoke(main, ["generer", str(workbook), "--ut", str(ut), "--ingen-pdf"]).exit_code == 0
    wb = openpyxl.load_workbook(workbook)
    wb["Ledere"]["J3"] = None  # Kari Direktør (100) not signed: only 200 is to be archived
    wb.save(workbook)
    outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(ut), "--godta-usignert"])
    assert outcome.exit_code == 3, outcome.output
    # Said beside the other reason it is refused (its Word files still have fields to fill in).
    assert "Ledere!K4: Fødselsnummer mangler. Klasse i arket Kommune er «Fødselsnummer»" in outcome.output
    assert "200 Per Helse: Lederavtale 2027 - Per Helse.docx har" in outcome.output
    assert not (ut / "2027" / "arkiv" / "fiks" / "200").exists()
    for number in sheets_numbers.values():
        assert number not in outcome.output


def _digits_joined(text: str) -> str:
    """`text` with XML's character references read (&#229;), and any space, dot or hyphen between two digits
    taken out, as a number may be written."""
    return re.sub(r"(?<=[0-9])[ .\-\u00a0\u2010\u2011](?=[0-9])", "", html.unescape(text))


def _readable(name: str, data: bytes) -> list[str]:
    """Every text a file holds, as far as a person or a program could read it: the bytes themselves, each part
    of a zip (.docx, .xlsx), the text and metadata of a PDF, the parts of an e-mail (and their attachments)."""
    texts = [data.decode("latin-1"), data.decode("utf-8", "replace")]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                texts += _readable(member, zf.read(member))
    elif data[:5] == b"%PDF-":
        reader = pypdf.PdfReader(io.BytesIO(data))
        texts += [page.extract_text() or "" for page in reader.pages]
        texts.append(str(reader.metadata or ""))
    elif name.endswith(".eml"):
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            if not part.is_multipart():
                texts += _readable(part.get_filename() or "", part.get_payload(decode=True) or b"")
        texts.append(str(message))
    return texts


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice er ikke installert")
def test_the_example_by_fodselsnummer_has_each_number_in_its_message_and_nowhere_else(tmp_path, fiks_schema):
    """The example workbook, with its made-up numbers, archived in personalmappe mode by fødselsnummer: each
    leader's arkivmelding.xml classifies the mappe by the number (as KS' NyMappeMedJournalpostN1), and no other
    file the year's commands write, and no line they print, holds any of the numbers."""
    from conftest import example_folder
    from generator.archive.receipts import NS as KV_NS

    root = example_folder(tmp_path / "prosjekt")
    workbook, ut = root / "eksempel.xlsx", root / "ut"
    wb = openpyxl.load_workbook(workbook)
    kommune_sheet = wb["Kommune"]
    for row in kommune_sheet.iter_rows(min_row=2):
        row[1].value = {"Plassering": "personalmappe", "Klassifikasjonssystem": "Personnummer",
                        "Klasse": "Fødselsnummer", "Arkivdel": "PERSONAL", "Arkivsak": None}.get(row[0].value, row[1].value)
    wb.save(workbook)
    bok = read_workbook(workbook)
    numbers = {leder.ansattnr: leder.fodselsnummer for leder in bok.avtaleledere()}
    assert len(numbers) == 16 and all(len(n) == 11 for n in numbers.values())

    said = []

    def run(*args) -> None:
        outcome = CliRunner().invoke(main, [str(a) for a in args])
        said.append(outcome.output)
        assert outcome.exit_code == 0, outcome.output

    run("sjekk", workbook)
    run("generer", workbook, "--ut", ut, "--ingen-pdf")
    run("epost", workbook, "--ut", ut)
    run("oppfolging", workbook, "--ut", ut, "--ingen-pdf")
    run("arkiv", workbook, "--ut", ut, "--alle")

    year = ut / "2027"
    messages = sorted((year / "arkiv" / "fiks").glob(f"*/{fiks.MELDING_NAME}"))
    assert len(messages) == 16
    for path in messages:
        fiks_schema.validate(str(path))
        mappe = ET.parse(path).getroot().find("f:mappe", F)
        nr = path.parent.name
        assert mappe.findtext("f:klassifikasjon/f:klassifikasjonssystemID", namespaces=F) == "Personnummer"
        assert mappe.findtext("f:klassifikasjon/f:klasseID", namespaces=F) == numbers[nr]
        assert path.read_text(encoding="utf-8").count(numbers[nr]) == 1

    # The archive's receipt for the kommunedirektør's mappe and journalpost: arkivert.json and rapport.xlsx.
    kommune = bok.kommune
    svar = root / "svar"
    svar.mkdir()
    (svar / "kvittering.xml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<arkivmeldingKvittering xmlns="{KV_NS}" xmlns:mdk="{fiks.MDK}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>4f1c2e3d-5a6b-4c7d-8e9f-0a1b2c3d4e5f</systemID>
    <opprettetDato>2026-02-03T10:14:00+01:00</opprettetDato>
    <referanseEksternNoekkel><mdk:fagsystem>lederavtale</mdk:fagsystem>
      <mdk:noekkel>{record.mappe_noekkel(kommune, "1001")}</mdk:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>Eksisterende</opprettetEllerEksisterende>
    <saksaar>2026</saksaar>
    <sakssekvensnummer>12</sakssekvensnummer>
  </mappeKvittering>
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11</systemID>
    <opprettetDato>2027-02-03T10:15:00+01:00</opprettetDato>
    <referanseEksternNoekkel><mdk:fagsystem>lederavtale</mdk:fagsystem>
      <mdk:noekkel>{record.ekstern_noekkel(kommune, "1001")}</mdk:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <journalaar>2027</journalaar>
    <journalsekvensnummer>4567</journalsekvensnummer>
    <journalpostnummer>5</journalpostnummer>
  </registreringKvittering>
</arkivmeldingKvittering>
""", encoding="utf-8")
    run("arkiv", workbook, "--ut", ut, "--kvitteringer", svar)
    assert '"mappe"' in (year / "arkiv" / "arkivert.json").read_text(encoding="utf-8")
    assert not (year / "arkiv" / "fiks" / "1001").exists()

    files = [p for p in ut.rglob("*") if p.is_file() and p.name != fiks.MELDING_NAME]
    names = {p.name for p in files}
    assert {"rapport.xlsx", "arkivert.json", "import.csv", "arkivstruktur.xml", "manifest.json", "status.xlsx",
            "melding.json", "fiks-meldinger.json"} <= names
    assert any(name.endswith(".eml") for name in names) and any(name.endswith(".pdf") for name in names)
    readable = {str(p.relative_to(ut)): [_digits_joined(t) for t in _readable(p.name, p.read_bytes())] for p in files}
    readable["terminal"] = [_digits_joined(text) for text in said]
    for nr, number in numbers.items():
        holding = sorted(where for where, texts in readable.items() if any(number in text for text in texts))
        assert holding == [], f"{nr}: {holding}"
