"""Every reply from the archive: `melding.json` beside each message, and `arkiv --kvitteringer` reading
receipts, `mottatt` and the error replies stored as the README says («Kvitteringer og andre svar tilbake»: `<navn>.json` + `<navn>.xml`).

The fast tests put messages in fiks/ with the outbox itself (write_outbox, as `arkiv` does, with
stand-in PDF files: the ids and the matching never look inside them); the slow one runs the real
`arkiv` with LibreOffice. Error replies are checked against KS' schemas with xmlschema, so a reply
the tool accepts is one KS' schema allows.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx
from test_fiks import _report, receipt_xml

from generator.archive import outbox, receipts, record, replies
from generator.archive.fiks import MELDINGSTYPE, SCHEMAS, folder_name
from generator.cli import main
from generator.store.year import YearFolder
from generator.workbook import read_workbook

FEIL_TYPES = ("ugyldigforespoersel", "serverfeil", "ikkefunnet")
# Words of each error's advice: what went wrong, and the first thing to do.
ADVICE = {
    "ugyldigforespoersel": ("avviste meldingen som ugyldig", "kjør «lederavtale arkiv» på nytt"),
    "serverfeil": ("arkivsystemet fikk en feil", "leverandøren av arkivsystemet"),
    "ikkefunnet": ("finner ikke saken eller mappen", "Sjekk Arkivsak"),
}
WHEN = datetime(2027, 2, 1, 9, 0, tzinfo=timezone.utc)


def error_xml(kind: str, melding: str = "Saken 2027/123 finnes ikke", feil_id: str = "F-77") -> bytes:
    ns = f"https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/{kind}/v1"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{kind} xmlns="{ns}" xmlns:feil="{replies.FEIL_BASE_NS}">
  <feil:feilId>{feil_id}</feil:feilId>
  <feil:feilmelding>{melding}</feil:feilmelding>
</{kind}>
""".encode()


def store_reply(folder: Path, name: str, meldingstype: str, svar_pa: str, payload: bytes | None = None) -> None:
    """As the integration stores a reply (README, «Kvitteringer og andre svar tilbake»): `<name>.json`, the payload as `<name>.xml`."""
    (folder / f"{name}.json").write_text(json.dumps({"meldingstype": meldingstype, "svarPaMelding": svar_pa}), "utf-8")
    if payload is not None:
        (folder / f"{name}.xml").write_bytes(payload)


def receipt_without_key(system_id: str = "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11") -> bytes:
    data = receipt_xml("k", system_id=system_id)
    start, end = data.index(b"    <referanseEksternNoekkel>"), data.index(b"</referanseEksternNoekkel>\n")
    return data[:start] + data[end + len(b"</referanseEksternNoekkel>\n"):]


@pytest.fixture(scope="module")
def kv_schema():
    return xmlschema.XMLSchema(str(receipts.SCHEMA))


@pytest.mark.slow
def test_the_test_replies_are_what_ks_schemas_allow(kv_schema):
    for kind in FEIL_TYPES:
        xmlschema.XMLSchema(str(SCHEMAS / f"no.ks.fiks.arkiv.v1.feilmelding.{kind}.xsd")).validate(error_xml(kind).decode())
    kv_schema.validate(receipt_without_key().decode())


def test_vendored_message_types_have_no_typo_and_list_every_reply_read():
    text = (SCHEMAS / "meldingstyper.json").read_text("utf-8")
    assert "no.ks.fik." not in text
    types = {t["id"] for t in json.loads(text)["meldingstyper"]}
    assert set(replies.KNOWN) <= types
    opprett = next(t for t in json.loads(text)["meldingstyper"] if t["id"] == MELDINGSTYPE)
    assert replies.MOTTATT in opprett["kanSvareMed"] and replies.KVITTERING in opprett["kanSvareMed"]


# --- the outbox, fast -------------------------------------------------------------------------------


@pytest.fixture
def outbox_setup(tmp_path):
    """A workbook with documents generated (no PDFs), and messages for 210 and 211 in fiks/ as `arkiv`
    writes them (write_outbox), with stand-in PDF files."""
    from generator.commands.generate import generate
    from generator.job import Job

    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    generate(Job(workbook, tmp_path / "ut"), pdf=False)
    bok = read_workbook(workbook)
    year = YearFolder(tmp_path / "ut" / "2027")
    svar = tmp_path / "svar"
    svar.mkdir()

    def package(content: bytes = b"%PDF-1.7 avtale", who: tuple[str, ...] = ("210", "211")) -> dict[str, dict]:
        journalposter = []
        for nr in who:
            leder = next(x for x in bok.ledere if x.ansattnr == nr)
            files = []
            for rolle, data in (("avtale", content), ("vedlegg", b"%PDF-1.7 vedlegg")):
                sti = f"{nr}/{rolle}.pdf"
                (year.arkiv / nr).mkdir(parents=True, exist_ok=True)
                (year.arkiv / sti).write_bytes(data)
                files.append(record.Dokumentfil(rolle, sti, hashlib.sha256(data).hexdigest(), len(data)))
            journalposter.append(record.Journalpost(leder, bok.overordnet(leder), *files, ferdig=False))
        sent = outbox.write_outbox(year.fiks, year.arkiv, record.Arkivpakke(bok.kommune, journalposter,
                                                                             record.norsk_tid(WHEN)), year.fiks_log)
        assert not sent.feil
        return {nr: json.loads((year.fiks / folder_name(nr) / outbox.ENVELOPE_NAME).read_text("utf-8")) for nr in who}

    return workbook, year, svar, bok.kommune, package


def _read(workbook: Path, svar: Path, year: YearFolder):
    return CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(year.path.parent), "--kvitteringer", str(svar)])


def _arkivert(year: YearFolder) -> dict:
    return json.loads(year.arkivert.read_text("utf-8"))


@pytest.mark.slow
def test_melding_json_names_the_type_and_ids_stable_for_the_content(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    first = package()
    for nr, melding in first.items():
        assert melding["meldingstype"] == "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
        assert uuid.UUID(melding["klientMeldingId"]) and uuid.UUID(melding["klientKorrelasjonsId"])
        assert melding["klientKorrelasjonsId"] == outbox.melding_ids(record.ekstern_noekkel(kommune, nr), b"").klient_korrelasjons_id
        folder = year.fiks / folder_name(nr)
        assert sorted(p.name for p in folder.iterdir()) == ["arkivmelding.xml", "lederavtale.pdf", "melding.json",
                                                            "vedlegg.pdf"]
        assert melding["vedlegg"] == ["lederavtale.pdf", "vedlegg.pdf"]
    assert first["210"]["klientMeldingId"] != first["211"]["klientMeldingId"]

    assert package() == first  # the same content: the same ids
    changed = package(b"%PDF-1.7 avtale, endret etter samtalen")
    for nr in first:
        assert changed[nr]["klientMeldingId"] != first[nr]["klientMeldingId"]
        assert changed[nr]["klientKorrelasjonsId"] == first[nr]["klientKorrelasjonsId"]  # the same leader's record
    log = json.loads(year.fiks_log.read_text("utf-8"))
    assert {first["210"]["klientMeldingId"], changed["210"]["klientMeldingId"]} <= set(log)
    assert log[first["210"]["klientMeldingId"]]["ansattnr"] == "210"


@pytest.mark.slow
@pytest.mark.parametrize("kind", FEIL_TYPES)
def test_each_error_reply_gives_exit_3_and_advice_and_the_message_stays(outbox_setup, kind):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    store_reply(svar, "svar 1", f"no.ks.fiks.arkiv.v1.feilmelding.{kind}", ids["210"]["klientMeldingId"],
                error_xml(kind, "Sak ikke funnet: 2027/123"))

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3, outcome.output
    line = next(x for x in outcome.output.splitlines() if "svar 1.json" in x)
    assert "210 Øystein Sykehjem" in line and kind in line
    assert "«Sak ikke funnet: 2027/123»" in line and "feilId F-77" in line
    for words in ADVICE[kind]:
        assert words in line, line
    assert "Meldingen som skal sendes, ligger i arkiv/fiks/210/" in line
    assert "Traceback" not in outcome.output
    assert (year.fiks / "210" / "arkivmelding.xml").is_file()  # still there to be sent again
    assert not year.arkivert.exists()


@pytest.mark.slow
def test_mottatt_is_noted_not_an_error(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    store_reply(svar, "mottatt", replies.MOTTATT, ids["211"]["klientMeldingId"])

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 0, outcome.output
    assert "Mottatt av arkivet, men ikke kvittert ennå (1)" in outcome.output
    assert "  211 Berit Avdeling" in outcome.output
    assert not year.arkivert.exists() and (year.fiks / "211").is_dir()


@pytest.mark.slow
def test_receipt_matched_by_svar_pa_melding_and_by_key(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    # 210: stored as the README says, with its envelope; 211: a receipt file on its own, by its key.
    store_reply(svar, "a", replies.KVITTERING, ids["210"]["klientMeldingId"],
                receipt_xml(record.ekstern_noekkel(kommune, "210"), journalpostnummer=5))
    (svar / "b.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "211"),
                                             system_id="0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c12", journalpostnummer=6))

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 0, outcome.output
    arkivert = _arkivert(year)
    assert arkivert["210"]["journalpostnummer"] == 5 and arkivert["210"]["klientMeldingId"] == ids["210"]["klientMeldingId"]
    assert arkivert["210"]["kvittering"] == "a.xml"
    assert arkivert["211"]["journalpostnummer"] == 6 and arkivert["211"]["klientMeldingId"] is None
    assert not (year.fiks / "210").exists() and not (year.fiks / "211").exists()


@pytest.mark.slow
def test_a_receipt_without_a_key_is_matched_by_klient_melding_id(outbox_setup, kv_schema):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    payload = receipt_without_key()
    kv_schema.validate(payload.decode())
    store_reply(svar, "uten nøkkel", replies.KVITTERING, ids["211"]["klientMeldingId"], payload)
    (svar / "alene.xml").write_bytes(payload)  # on its own, nothing names its leader

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3, outcome.output
    assert set(_arkivert(year)) == {"211"}
    assert "211 Berit Avdeling: 2027/4567, nr. 5 i saken" in outcome.output
    line = next(x for x in outcome.output.splitlines() if "alene.xml" in x)
    assert "ingen referanseEksternNoekkel" in line


@pytest.mark.slow
def test_a_reply_to_an_unknown_message_is_named(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    package()
    store_reply(svar, "ukjent", "no.ks.fiks.arkiv.v1.feilmelding.serverfeil", str(uuid.uuid4()), error_xml("serverfeil"))
    store_reply(svar, "rar", "no.ks.fiks.arkiv.v1.innsyn.sok", str(uuid.uuid4()))

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3
    assert "ikke er en melding lederavtale har laget" in next(x for x in outcome.output.splitlines() if "ukjent.json" in x)
    assert "er ikke et svar på en arkivmelding" in next(x for x in outcome.output.splitlines() if "rar.json" in x)


@pytest.mark.slow
def test_an_invalid_error_payload_is_refused_by_the_schema(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    bad = error_xml("serverfeil").replace(b"<feil:feilId>F-77</feil:feilId>\n", b"")
    store_reply(svar, "uten id", "no.ks.fiks.arkiv.v1.feilmelding.serverfeil", ids["210"]["klientMeldingId"], bad)
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><serverfeil>&a;</serverfeil>'
    store_reply(svar, "bombe", "no.ks.fiks.arkiv.v1.feilmelding.serverfeil", ids["210"]["klientMeldingId"], bomb)

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3
    assert "samsvarer ikke med skjemaet for serverfeil" in next(x for x in outcome.output.splitlines() if "uten id.xml" in x)
    assert "DOCTYPE" in next(x for x in outcome.output.splitlines() if "bombe.xml" in x)


@pytest.mark.slow
def test_ks_typo_in_the_message_type_is_understood(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    store_reply(svar, "typo", "no.ks.fik.arkiv.v1.feilmelding.ugyldigforespoersel", ids["210"]["klientMeldingId"],
                error_xml("ugyldigforespoersel", "Ugyldig journalposttype"))

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3
    assert "«Ugyldig journalposttype»" in next(x for x in outcome.output.splitlines() if "typo.json" in x)


@pytest.mark.slow
def test_control_characters_from_the_archive_never_reach_the_terminal(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    store_reply(svar, "farlig", "no.ks.fiks.arkiv.v1.feilmelding.serverfeil", ids["210"]["klientMeldingId"],
                error_xml("serverfeil", "Feil&#155;[2J&#133; i\tarkivet " + "x" * 2000))  # C1: CSI, NEL

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3
    assert "\x9b" not in outcome.output and "\x85" not in outcome.output
    line = next(x for x in outcome.output.splitlines() if "farlig.json" in x)
    assert "Feil [2J i arkivet" in line and len(line) < 1500


@pytest.mark.slow
def test_a_recorded_receipt_survives_a_later_error_reply(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    (svar / "kvittering.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    assert _read(workbook, svar, year).exit_code == 0
    recorded = year.arkivert.read_bytes()
    report = _report(year.path)["210"]
    assert report.startswith("2027/4567, nr. 5 i saken")

    store_reply(svar, "senere", "no.ks.fiks.arkiv.v1.feilmelding.serverfeil", ids["210"]["klientMeldingId"],
                error_xml("serverfeil", "Tidsavbrudd"))
    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3, outcome.output
    assert year.arkivert.read_bytes() == recorded
    assert _report(year.path)["210"] == report
    line = next(x for x in outcome.output.splitlines() if "senere.json" in x)
    assert "likevel kvittert for lederen" in line and "2027/4567" in line and "står i arkivert.json" in line


@pytest.mark.slow
def test_an_error_for_an_older_version_of_the_message_says_so(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    old = package()
    package(b"%PDF-1.7 avtale, rettet")
    store_reply(svar, "gammel", "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet", old["210"]["klientMeldingId"],
                error_xml("ikkefunnet"))

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3
    assert "eldre utgave av meldingen" in next(x for x in outcome.output.splitlines() if "gammel.json" in x)


@pytest.mark.slow
def test_receipt_fields_are_kept_and_the_report_shows_the_archives_date(outbox_setup):
    workbook, year, svar, kommune, package = outbox_setup
    ids = package()
    data = receipt_xml(record.ekstern_noekkel(kommune, "210"))
    data = data.replace(b"    <journalpostnummer>5</journalpostnummer>\n",
                        b"    <journalpostnummer>5</journalpostnummer>\n"
                        b"    <journalstatus><mdk:kode>J</mdk:kode><mdk:beskrivelse>Journalf\xc3\xb8rt</mdk:beskrivelse>"
                        b"</journalstatus>\n")
    data = data.replace(b"      <dokumentnummer>1</dokumentnummer>\n",
                        b"      <dokumentnummer>1</dokumentnummer>\n"
                        b"      <dokumentobjekt><systemID>9a9a9a9a-1b2c-4d5e-8f90-a1b2c3d4e5f6</systemID></dokumentobjekt>\n")
    data = data.replace(b"2027-02-03T10:15:00+01:00", b"2027-02-03T23:30:00Z")  # 4 February in Norway
    xmlschema.XMLSchema(str(receipts.SCHEMA)).validate(data.decode())
    store_reply(svar, "kvittering", replies.KVITTERING, ids["210"]["klientMeldingId"], data)

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 0, outcome.output
    entry = _arkivert(year)["210"]
    assert entry["journalstatus"] == "J"
    assert entry["opprettetDato"] == "2027-02-03T23:30:00Z"
    assert entry["dokumenter"] == [{"dokumentnummer": 1, "systemID": "7d1f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
                                    "dokumentobjekter": ["9a9a9a9a-1b2c-4d5e-8f90-a1b2c3d4e5f6"]}]
    assert _report(year.path)["210"] == "2027/4567, nr. 5 i saken (Opprettet 04.02.2027)"


# --- a reply that cannot be read: refused alone --------------------------------------------------


def _workbook_and_folder(tmp_path: Path):
    """Reading replies needs the workbook and a folder, no documents (as in test_fiks)."""
    workbook = write_xlsx(tmp_path / "a.xlsx", basic_sheets())
    svar = tmp_path / "svar"
    svar.mkdir()
    return workbook, read_workbook(workbook).kommune, svar, YearFolder(tmp_path / "ut" / "2027")


@pytest.mark.parametrize("name, content, said", [
    # 60 kB of «[»: Python's JSON parser gives up with RecursionError long before the size limit.
    ("bombe.json", b"[" * 60_000, "JSON-en er nøstet langt dypere enn et svar er"),
    # Nested 2 000 deep, well under the markup limit: lxml refuses anything past 256 levels.
    ("dyp.xml", b"<a>" * 2_000 + b"</a>" * 2_000, "er ikke gyldig XML"),
])
def test_a_reply_too_deep_to_read_is_refused_by_name_and_the_good_one_is_recorded(tmp_path, name, content, said):
    workbook, kommune, svar, year = _workbook_and_folder(tmp_path)
    (svar / "god kvittering.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "210")))
    (svar / name).write_bytes(content)

    outcome = _read(workbook, svar, year)

    assert outcome.exit_code == 3, outcome.output  # README: some replies could not be used, the rest are recorded
    assert "Traceback" not in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    refused = next(line.strip() for line in outcome.output.splitlines() if line.strip().startswith(f"{name}: "))
    assert said in refused, refused
    assert set(_arkivert(year)) == {"210"}
    assert "210 Øystein Sykehjem: 2027/4567, nr. 5 i saken (Opprettet" in outcome.output


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_a_reply_that_exhausts_the_parser_costs_only_itself(tmp_path, monkeypatch, error):
    """Whatever a hostile file makes a parser run out of, the folder's other replies are still read."""
    svar = tmp_path / "svar"
    svar.mkdir()
    (svar / "a.xml").write_bytes(receipt_xml("nøkkel-a"))
    (svar / "b.xml").write_bytes(b"<arkivmeldingKvittering/>")
    (svar / "c.xml").write_bytes(receipt_xml("nøkkel-c", system_id="2b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11"))
    read = receipts.read_file

    def exhausted(path, fil):
        if fil == "b.xml":
            raise error()
        return read(path, fil)

    monkeypatch.setattr(receipts, "read_file", exhausted)
    good, refused = receipts.read_folder(svar)
    assert [kvittering.noekkel for kvittering in good] == ["nøkkel-a", "nøkkel-c"]
    assert [(avvist.fil, avvist.grunn) for avvist in refused] == [("b.xml", receipts.UNREADABLE)]


# --- a reply from another namespace: said as such ---------------------------------------------------


@pytest.mark.parametrize("stored, root, expected", [
    # The serverfeil of KS' v2 (Schema/V2/no.ks.fiks.arkiv.v2.feilmelding.serverfeil.xsd): the same name.
    ("serverfeil", "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/serverfeil/v2",
     "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/serverfeil/v1"),
    ("serverfeil", None, "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/serverfeil/v1"),
])
def test_an_error_reply_in_another_namespace_names_the_namespace_found_and_the_one_expected(tmp_path, stored, root,
                                                                                          expected):
    svar = tmp_path / "svar"
    svar.mkdir()
    payload = error_xml(stored)
    v1 = f'xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/{stored}/v1"'.encode()
    payload = payload.replace(v1, f'xmlns="{root}"'.encode() if root else b"")
    store_reply(svar, "feil", f"no.ks.fiks.arkiv.v1.feilmelding.{stored}", "melding-1", payload)

    good, refused = receipts.read_folder(svar)

    assert good == [] and [a.fil for a in refused] == ["feil.xml"]
    grunn = refused[0].grunn
    found = f"har navnerommet «{root}»" if root else "har ikke noe navnerom"
    assert grunn == (f"er ikke en serverfeil fra Fiks Arkiv v1: rotelementet «serverfeil» {found}, men en serverfeil "
                     f"har «{expected}» (feil.json sier at svaret er en serverfeil)")


def test_a_receipt_in_another_namespace_says_which(tmp_path):
    v2 = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v2"
    path = tmp_path / "kvittering.xml"
    path.write_bytes(receipt_xml("k").replace(receipts.NS.encode(), v2.encode()))
    outcome = receipts.read_file(path, "kvittering.xml")
    assert isinstance(outcome, receipts.Avvist)
    assert f"har navnerommet «{v2}», men en arkivmeldingKvittering har «{receipts.NS}»" in outcome.grunn
    other = tmp_path / "annet.xml"
    other.write_bytes(error_xml("serverfeil"))
    assert receipts.read_file(other, "annet.xml").grunn == ("er ikke en arkivmeldingKvittering (rotelementet er "
                                                            "«serverfeil», ikke «arkivmeldingKvittering»)")


# --- mappeKvittering: the leader's personalmappe, kept --------------------------------------------


def mappe_receipt_xml(kommune, ansattnr: str, mappe_svar: str = "Eksisterende") -> bytes:
    """A receipt for a message with a mappe and a journalpost in the shape KS asks of an archive: what
    fiks-protokoll-validator requires of the reply to NyMappeMedJournalpostN1
    (TestCases/no.ks.fiks.arkiv.v1/NyMappeMedJournalpostN1/testInformation.json: a mappeKvittering of
    xsi:type saksmappeKvittering with opprettetEllerEksisterende, a journalpostKvittering with systemID,
    journalaar, journalsekvensnummer and journalpostnummer), with the fields its own receipt builder fills
    in (KlientValidator/Engines/FiksArkiv/ArkivmeldingKvitteringBuilder.cs, WithSaksmappe: systemID,
    opprettetDato, saksaar, sakssekvensnummer and the mappe's referanseEksternNoekkel)."""
    mdk = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<arkivmeldingKvittering xmlns="{receipts.NS}" xmlns:mdk="{mdk}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>4f1c2e3d-5a6b-4c7d-8e9f-0a1b2c3d4e5f</systemID>
    <opprettetDato>2026-02-03T10:14:00+01:00</opprettetDato>
    <referanseEksternNoekkel>
      <mdk:fagsystem>lederavtale</mdk:fagsystem>
      <mdk:noekkel>{record.mappe_noekkel(kommune, ansattnr)}</mdk:noekkel>
    </referanseEksternNoekkel>
    <opprettetEllerEksisterende>{mappe_svar}</opprettetEllerEksisterende>
    <saksaar>2026</saksaar>
    <sakssekvensnummer>12</sakssekvensnummer>
  </mappeKvittering>
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11</systemID>
    <opprettetDato>2027-02-03T10:15:00+01:00</opprettetDato>
    <referanseEksternNoekkel>
      <mdk:fagsystem>lederavtale</mdk:fagsystem>
      <mdk:noekkel>{record.ekstern_noekkel(kommune, ansattnr)}</mdk:noekkel>
    </referanseEksternNoekkel>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <journalaar>2027</journalaar>
    <journalsekvensnummer>4567</journalsekvensnummer>
    <journalpostnummer>5</journalpostnummer>
  </registreringKvittering>
</arkivmeldingKvittering>
""".encode()


@pytest.mark.slow
def test_the_mappe_kvittering_is_kept_in_arkivert_json_and_shown(tmp_path, kv_schema):
    from generator.commands.archive import REGISTRERT, read_receipts
    from generator.job import Job

    workbook, kommune, svar, year = _workbook_and_folder(tmp_path)
    data = mappe_receipt_xml(kommune, "210")
    kv_schema.validate(data.decode())  # what KS' v1 schema allows
    (svar / "kvittering.xml").write_bytes(data)

    result = read_receipts(Job(workbook, tmp_path / "ut"), svar)

    assert result.exit_code == 0, result.failures
    entry = _arkivert(year)["210"]
    assert entry["mappe"] == {
        "systemID": "4f1c2e3d-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "mappeID": None, "saksaar": 2026, "sakssekvensnummer": 12,
        "opprettetEllerEksisterende": "Eksisterende", "opprettetDato": "2026-02-03T10:14:00+01:00",
        "noekkel": record.mappe_noekkel(kommune, "210")}
    assert entry["journalpostnummer"] == 5 and entry["systemID"] == "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11"
    [item] = result.items
    assert (item.ansattnr, item.status) == ("210", REGISTRERT)
    assert item.notices == ["2027/4567, nr. 5 i saken (Opprettet 03.02.2027); mappen 2026/12 (Eksisterende)"]
    # A receipt without a mappe keeps the entry as before: no «mappe» at all.
    (svar / "kvittering.xml").unlink()
    (svar / "211.xml").write_bytes(receipt_xml(record.ekstern_noekkel(kommune, "211"),
                                               system_id="2b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11"))
    assert read_receipts(Job(workbook, tmp_path / "ut"), svar).exit_code == 0
    assert "mappe" not in _arkivert(year)["211"] and _arkivert(year)["210"]["mappe"]["sakssekvensnummer"] == 12


# --- the real arkiv --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="arkiv krever LibreOffice")
def test_arkiv_writes_melding_json_beside_every_message_with_ids_stable_until_the_content_changes(tmp_path):
    from docx import Document

    from generator.commands.generate import generate
    from generator.job import Job
    from generator.store.manifest import Manifest

    sheets = basic_sheets()
    for row in sheets["Ledere"][1:]:  # two agreements are enough, and LibreOffice's time is shared
        if row[0] not in (100, 200):
            row[7] = "nei"
    for sheet in ("Tiltak", "Utviklingsmål"):
        sheets[sheet] = [row for row in sheets[sheet] if row[0] in ("Ansattnr", 100, 200)]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    ut = tmp_path / "ut"
    generate(Job(workbook, ut), pdf=False)
    year = YearFolder(ut / "2027")

    def run() -> dict[str, dict]:
        outcome = CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(ut), "--alle"])
        assert outcome.exit_code == 0, outcome.output
        folders = sorted(p for p in year.fiks.iterdir())
        assert [p.name for p in folders] == ["100", "200"]
        for folder in folders:
            assert (folder / "arkivmelding.xml").is_file() and (folder / "melding.json").is_file()
        return {p.name: json.loads((p / "melding.json").read_text("utf-8")) for p in folders}

    first = run()
    assert {m["meldingstype"] for m in first.values()} == {MELDINGSTYPE}
    assert run() == first
    docx = year.path / Manifest.load(year.path).ledere["200"].file("avtale", "docx").sti
    document = Document(docx)
    document.add_paragraph("Endret etter ledersamtalen.")
    document.save(docx)
    changed = run()
    assert changed["100"] == first["100"]
    assert changed["200"]["klientMeldingId"] != first["200"]["klientMeldingId"]
    assert changed["200"]["klientKorrelasjonsId"] == first["200"]["klientKorrelasjonsId"]

    # The archive answers the first version with an error, the new one with a receipt without a key.
    svar = tmp_path / "svar"
    svar.mkdir()
    store_reply(svar, "1", "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel", first["200"]["klientMeldingId"],
                error_xml("ugyldigforespoersel", "Ugyldig dokumenttype"))
    store_reply(svar, "2", replies.KVITTERING, changed["200"]["klientMeldingId"], receipt_without_key())
    outcome = _read(workbook, svar, year)
    assert outcome.exit_code == 3, outcome.output
    assert set(_arkivert(year)) == {"200"}
    line = next(x for x in outcome.output.splitlines() if "1.json" in x)
    assert "eldre utgave" in line and "likevel kvittert" in line
    assert not (year.fiks / "200").exists() and (year.fiks / "100").is_dir()
