"""The archive's own codes: set in sheet Kommune, carried by the Fiks message and the Noark 5 export,
and checked by `arkiv --kodelister` against the archive's saved `innsyn.kodeliste.hent` replies
before anything is packaged. Replies are validated against KS' vendored schema."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx
from test_archive import needs_soffice

from generator.archive import codecheck, fiks, kodelister, noark5, record
from generator.archive.record import Arkivpakke, Dokumentfil, Journalpost
from generator.cli import main
from generator.documents.kinds import by_role
from generator.model import DEFAULT_DOKUMENTTYPE, Kommune, Leder, Periode
from generator.workbook import read_workbook

N = {"n": noark5.NS}
F = {"f": fiks.NS, "m": fiks.MDK}
RESULTAT = kodelister.RESULTAT_NS
MDK = kodelister.MDK
CODES = [["Dokumenttype avtale", "LA"], ["Dokumenttype vedlegg", "LV"], ["Formatkode", "PDFA2B"],
         ["Tilgangskode", "PS"]]


def reply(codes: dict[str, str]) -> bytes:
    """A kodeliste.hent reply as the archive sends it (code -> description)."""
    root = ET.Element(f"{{{RESULTAT}}}KodeListe")
    for kode, beskrivelse in codes.items():
        liste = ET.SubElement(root, f"{{{RESULTAT}}}liste")
        ET.SubElement(liste, f"{{{MDK}}}kode").text = kode
        if beskrivelse:
            ET.SubElement(liste, f"{{{MDK}}}beskrivelse").text = beskrivelse
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def ks_list(navn: str) -> dict[str, str]:
    data = json.loads((kodelister.KODELISTER / f"{navn}.json").read_text("utf-8"))
    return {e["kodeverdi"]: e["kodebeskrivelse"] for e in data["kodeliste"]}


def archive_lists(folder: Path, **own: dict[str, str]) -> Path:
    """The archive's lists as saved replies: KS' examples, with the archive's own lists in `own`."""
    folder.mkdir(parents=True, exist_ok=True)
    # skjermingdokument is one of KS' examples, but not a list a request can name.
    lists = {p.stem: ks_list(p.stem) for p in kodelister.KODELISTER.glob("*.json")
             if p.stem in kodelister.listenavn()} | own
    for navn, codes in lists.items():
        (folder / f"{navn}.xml").write_bytes(reply(codes))
    return folder


OWN = {"dokumenttype": {"LA": "Lederavtale", "LV": "Vedlegg til lederavtale"},
       "tilgangsrestriksjon": {"PS": "Personalsak", "P": "Personal"},
       "format": {"PDFA2B": "PDF/A-2b", "fmt/276": "PDF 1.7"}}


def test_the_replies_parse_against_ks_schema_and_the_defaults_are_ks_codes(tmp_path):
    path = tmp_path / "dokumenttype.xml"
    path.write_bytes(reply(OWN["dokumenttype"]))
    xmlschema.XMLSchema(str(kodelister.RESULTAT_SCHEMA)).validate(str(path))
    assert kodelister.read_kodelister(path).lister == {"dokumenttype": OWN["dokumenttype"]}
    # The built-in defaults are the codes the kinds were archived with, and in KS' example list.
    for rolle, code in DEFAULT_DOKUMENTTYPE.items():
        assert by_role(rolle).arkiv.dokumenttype == code and code in ks_list("dokumenttype")


# --- the codes HR sets ----------------------------------------------------------------------------


def test_kommune_reads_the_codes_with_their_cells(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"] += CODES
    kommune = read_workbook(write_xlsx(tmp_path / "a.xlsx", sheets)).kommune
    assert (kommune.dokumenttype_avtale, kommune.dokumenttype_vedlegg, kommune.formatkode) == ("LA", "LV", "PDFA2B")
    first = len(basic_sheets()["Kommune"]) + 1
    assert {key: kommune.celler[key] for key in ("dokumenttype_avtale", "dokumenttype_vedlegg", "formatkode",
                                                  "tilgangskode")} == {
        "dokumenttype_avtale": f"Kommune!B{first}", "dokumenttype_vedlegg": f"Kommune!B{first + 1}",
        "formatkode": f"Kommune!B{first + 2}", "tilgangskode": f"Kommune!B{first + 3}"}


def _pakke(**kommune) -> Arkivpakke:
    kommune = Kommune("Testvik kommune", Periode(date(2027, 1, 1), date(2027, 12, 31)), arkivsak="2027/5", **kommune)
    leder, sjef = Leder("7", "Ada Berg", "Rektor", "Testvik skole"), Leder("1", "Kari Direktør", "Kommunedirektør", "Stab")
    filer = [Dokumentfil(rolle, f"7 Ada Berg/{rolle}.pdf", "ab" * 32, 1000) for rolle in ("avtale", "vedlegg")]
    ferdig = Journalpost(leder, sjef, *filer, ferdig=True, dato=date(2027, 2, 1))
    utkast = Journalpost(Leder("8", "Bo Li", "Styrer", "Barnehagen"), sjef, *filer)
    return Arkivpakke(kommune, [ferdig, utkast], datetime(2027, 2, 3, 9, 0, tzinfo=timezone.utc))


def test_configured_codes_reach_the_fiks_message_the_export_and_the_csv(tmp_path):
    pakke = _pakke(dokumenttype_avtale="LA", dokumenttype_vedlegg="LV", formatkode="PDFA2B", tilgangskode="PS")
    melding = fiks.parse_xml(fiks.build_arkivmelding(pakke, pakke.journalposter[0]))
    assert fiks.schema_problems(melding) == []
    reg = melding.find("f:registrering", F)
    assert [d.findtext("f:dokumenttype/m:kode", namespaces=F) for d in reg.findall("f:dokumentbeskrivelse", F)] == ["LA", "LV"]
    # KS' list has no such code, so no description is made up for it.
    assert reg.find("f:dokumentbeskrivelse/f:dokumenttype/m:beskrivelse", F) is None
    assert {o.findtext("f:format/m:kode", namespaces=F) for o in reg.iter(f"{{{fiks.NS}}}dokumentobjekt")} == {"PDFA2B"}
    assert reg.findtext("f:dokumentbeskrivelse/f:skjerming/f:tilgangsrestriksjon/m:kode", namespaces=F) == "PS"

    path = tmp_path / "arkivstruktur.xml"
    path.write_bytes(noark5.build_xml(pakke))
    xmlschema.XMLSchema(str(noark5.SCHEMA)).validate(str(path))
    dbs = ET.parse(path).getroot().findall(".//n:dokumentbeskrivelse", N)
    assert [d.findtext("n:dokumenttype", namespaces=N) for d in dbs] == ["LA", "LV"]
    assert {d.findtext("n:dokumentobjekt/n:format", namespaces=N) for d in dbs} == {"PDFA2B"}
    assert {row["Format"] for row in noark5.csv_rows(pakke)} == {"PDFA2B"}


def test_the_defaults_stay_ks_codes_and_a_signed_copys_own_format_is_kept():
    pakke = _pakke(formatkode="PDFA2B")
    assert kodelister.dokumenttype(pakke.kommune, "avtale") == kodelister.Kode("AVTALE", "Avtale")
    pdf17 = kodelister.Kode("fmt/276", "PDF 1.7")
    assert kodelister.filformat(pakke.kommune, pdf17) == pdf17  # only PDF/A-2b has the archive's own code


def test_the_export_describes_final_records_and_invents_nothing(tmp_path):
    pakke = _pakke()
    path = tmp_path / "arkivstruktur.xml"
    path.write_bytes(noark5.build_xml(pakke))
    xmlschema.XMLSchema(str(noark5.SCHEMA)).validate(str(path))
    root = ET.parse(path).getroot()
    text = path.read_text("utf-8")
    assert root.find(".//n:mappe", N) is None  # the live sak is the archive's
    for invented in ("Lederavtaler 2027<", "saksdato", "saksstatus", "saksansvarlig", "Avsluttet", ">HR<",
                     "arkivperiodeStartDato", "mappeID"):
        assert invented not in text, invented
    # Only the final record: the draft is in no closed container, but stays a row of import.csv.
    titles = [jp.findtext("n:tittel", namespaces=N) for jp in root.iter(f"{{{noark5.NS}}}registrering")]
    assert titles == [record.journalpost_tittel(pakke.journalposter[0].leder, 2027)]
    assert {r["Ansattnr"] for r in noark5.csv_rows(pakke)} == {"7", "8"}
    assert "Bo Li" not in text and "sak 2027/5" in root.findtext("n:beskrivelse", namespaces=N)
    assert "1 avtaler under redigering er ikke med" in root.findtext("n:beskrivelse", namespaces=N)


# --- --kodelister ---------------------------------------------------------------------------------


@pytest.fixture
def generated(tmp_path):
    from generator.commands.generate import generate
    from generator.job import Job

    sheets = basic_sheets()
    sheets["Kommune"] += CODES[:1]  # Dokumenttype avtale = LA; the appendix keeps the default VEDLEGG
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    generate(Job(workbook, tmp_path / "ut"), pdf=False)
    return workbook, tmp_path / "ut"


def _arkiv(workbook: Path, ut: Path, *args):
    return CliRunner().invoke(main, ["arkiv", str(workbook), "--ut", str(ut), *map(str, args)])


def test_a_code_the_archive_lacks_is_refused_before_anything_is_written(generated, tmp_path):
    workbook, ut = generated
    lists = archive_lists(tmp_path / "lister", dokumenttype={"LA": "Lederavtale", "ANNET": "Annet"})
    before = sorted(p.relative_to(ut) for p in ut.rglob("*"))
    outcome = _arkiv(workbook, ut, "--alle", "--kodelister", lists)
    assert outcome.exit_code == 1, outcome.output
    assert "Traceback" not in outcome.output
    assert "Ingenting er skrevet" in outcome.output
    # The appendix's default: named as built in, with the field that replaces it and what the archive has.
    assert "dokumenttype «VEDLEGG» (innebygd standardverdi; sett feltet Dokumenttype vedlegg" in outcome.output
    assert "arkivet kjenner: LA (Lederavtale), ANNET (Annet)" in outcome.output
    assert "«LA»" not in outcome.output  # the configured code the archive has passes
    assert sorted(p.relative_to(ut) for p in ut.rglob("*")) == before
    assert not (ut / "2027" / "arkiv").exists()


def test_a_configured_code_is_named_by_its_cell(generated, tmp_path):
    workbook, ut = generated
    lists = archive_lists(tmp_path / "lister", dokumenttype={"AVTALE": "", "VEDLEGG": ""})
    outcome = _arkiv(workbook, ut, "--kodelister", lists / "dokumenttype.xml")
    assert outcome.exit_code == 1, outcome.output
    row = len(basic_sheets()["Kommune"]) + 1
    assert f"dokumenttype «LA» (Kommune!B{row}, feltet Dokumenttype avtale)" in outcome.output
    assert "arkivet kjenner: AVTALE, VEDLEGG" in outcome.output
    assert not (ut / "2027" / "arkiv").exists()


def test_a_built_in_status_the_archive_lacks_is_refused_only_when_used(generated, tmp_path):
    workbook, ut = generated
    lists = tmp_path / "lister"
    lists.mkdir()
    (lists / "dokumentstatus.xml").write_bytes(reply({"F": "Ferdig"}))
    outcome = _arkiv(workbook, ut, "--alle", "--kodelister", lists)
    assert outcome.exit_code == 1, outcome.output
    assert "dokumentstatus «B» (innebygd kode som arbeidsboken ikke kan endre" in outcome.output
    # Without --alle no record under editing is packaged, so B is not asked of the archive; nothing is
    # signed by a copy either, so nothing is packaged and the run gets past the codes.
    assert "dokumentstatus" not in _arkiv(workbook, ut, "--kodelister", lists).output


@pytest.mark.parametrize("name, content, expected", [
    ("dokumenttype.xml", b"<KodeListe>", "er ikke gyldig XML"),
    ("dokumenttype.xml", b'<arkivmelding xmlns="x"/>', "er ikke et svar på no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent"),
    ("dokumenttype.xml", b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                         b'<KodeListe xmlns="' + RESULTAT.encode() + b'"><liste><kode xmlns="' + MDK.encode()
                         + b'">&e;</kode></liste></KodeListe>', "er ikke et svar"),
    ("typer.xml", reply({"A": ""}), "filnavnet må være navnet på kodelisten"),
])
def test_a_reply_that_cannot_be_used_is_refused_with_its_file(generated, tmp_path, name, content, expected):
    workbook, ut = generated
    lists = tmp_path / "lister"
    lists.mkdir()
    (lists / name).write_bytes(content)
    outcome = _arkiv(workbook, ut, "--alle", "--kodelister", lists)
    assert outcome.exit_code == 1, outcome.output
    assert f"{name}: {expected}" in outcome.output and "root:" not in outcome.output
    assert "Traceback" not in outcome.output and not (ut / "2027" / "arkiv").exists()


def test_an_oversized_reply_is_not_parsed(tmp_path, monkeypatch):
    path = tmp_path / "format.xml"
    path.write_bytes(reply({"fmt/477": ""}))
    monkeypatch.setattr(kodelister, "MAX_REPLY_BYTES", 10)
    with pytest.raises(kodelister.KodelisteError, match="er over"):
        kodelister.read_kodelister(path)


# --- without --kodelister: said once ------------------------------------------------------------


def test_without_kodelister_the_run_says_once_that_the_codes_are_unchecked_and_how_to_check_them(generated, tmp_path):
    from generator.advice import TERMINAL, WEB, words
    from generator.commands.archive import arkiv
    from generator.job import Job

    workbook, ut = generated
    result = arkiv(Job(workbook, ut))
    said = [line for line in result.warnings + result.notices + result.summary + result.failures
            if "ikke kontrollert mot arkivets egne kodelister" in line]
    assert said == [f"Advarsel: {codecheck.UNCHECKED}"]  # one line for the run, not one per leader
    assert len(result.items) > 1
    assert not any("kodelister" in note for item in result.items for note in item.notices)
    terminal, web = words(said[0], TERMINAL), words(said[0], WEB)
    assert "no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent" in terminal and "dokumenttype.xml" in terminal
    assert terminal.endswith("og bruk --kodelister MAPPE")
    assert web.endswith("og last opp kodelistene fra arkivet på siden Arkiv") and "--" not in web
    outcome = _arkiv(workbook, ut)
    assert outcome.exit_code == 0 and outcome.output.count("ikke kontrollert mot arkivets egne kodelister") == 1

    # The job takes the folder of replies as `kodelister` (the web page's upload): checked, nothing said.
    lists = archive_lists(tmp_path / "lister", dokumenttype={"LA": "Lederavtale", "VEDLEGG": "Vedlegg"})
    checked = arkiv(Job(workbook, ut), kodelister=lists)
    assert checked.exit_code == 0
    assert not any("ikke kontrollert" in line for line in checked.summary + checked.warnings)


def test_the_fiks_default_format_is_ks_pdf_and_the_archives_own_code_replaces_it_for_pdfa():
    """KS' supported create examples (fiks-protokoll-validator, TestCases/no.ks.fiks.arkiv.v1/NyJournalpostN1,
    N6, N8, NyMappeMedJournalpostN1, arkivmelding.xml) give every file <format><kode>PDF</kode>."""
    pdfa, pdf17 = kodelister.Kode("fmt/477", "PDF/A-2b"), kodelister.Kode("fmt/276", "PDF 1.7")
    default, own = _pakke().kommune, _pakke(formatkode="PDFA2B").kommune
    assert kodelister.fiks_format(default, pdfa) == kodelister.fiks_format(default, pdf17) == kodelister.Kode("PDF", "")
    assert kodelister.fiks_format(own, pdfa).kode == "PDFA2B"
    assert kodelister.fiks_format(own, pdf17).kode == "PDF"  # only PDF/A-2b has the archive's own code
    assert kodelister.format_detaljer(pdf17) == "PDF 1.7 (fmt/276)"
    # What --kodelister asks of the archive is what the message carries.
    assert ("format", "PDF") in {(b.liste, b.kode) for b in codecheck.package_codes(default, alle=False)}


def test_kodelister_without_a_package_is_a_usage_error(generated, tmp_path):
    workbook, ut = generated
    svar = tmp_path / "svar"
    svar.mkdir()
    outcome = _arkiv(workbook, ut, "--kvitteringer", svar, "--kodelister", archive_lists(tmp_path / "l"))
    assert outcome.exit_code == 2 and "--kodelister" in outcome.output


# --- a real package with every code known ------------------------------------------------------------


@needs_soffice
@pytest.mark.slow
def test_a_package_whose_codes_the_archive_knows_is_made_and_carries_them(tmp_path):
    from generator.commands.generate import generate
    from generator.job import Job

    sheets = basic_sheets()
    sheets["Kommune"] += CODES
    for row in sheets["Ledere"][1:]:  # two leaders are enough: four conversions
        if row[0] not in (100, 200):
            row[7] = "nei"
    sheets["Tiltak"], sheets["Utviklingsmål"] = sheets["Tiltak"][:1], sheets["Utviklingsmål"][:1]
    workbook = write_xlsx(tmp_path / "a.xlsx", sheets)
    ut = tmp_path / "ut"
    generate(Job(workbook, ut), pdf=False)
    lists = archive_lists(tmp_path / "lister", **OWN)
    outcome = _arkiv(workbook, ut, "--alle", "--kodelister", lists)
    assert outcome.exit_code == 0, outcome.output

    known = kodelister.read_kodelister(lists).lister
    by_element = {navn.casefold(): navn for navn in kodelister.listenavn()}
    meldinger = sorted((ut / "2027" / "arkiv" / "fiks").glob("*/arkivmelding.xml"))
    assert len(meldinger) == 2
    checked = set()
    # What the check asks of the archive covers every code the messages carry.
    asked = {(bruk.liste, bruk.kode) for bruk in codecheck.package_codes(read_workbook(workbook).kommune, alle=True)}
    for path in meldinger:
        root = fiks.parse_xml(path.read_bytes())
        assert fiks.schema_problems(root) == []
        for element in root.iter():
            kode = element.find(f"{{{fiks.MDK}}}kode")
            liste = by_element.get(element.tag.rpartition("}")[2].casefold()) if kode is not None else None
            if liste:  # every coded element of the message is one of the archive's codes
                assert kode.text in known[liste], (path, liste, kode.text)
                checked.add(liste)
                assert (liste, kode.text) in asked, (liste, kode.text)
        dokumenttyper = [e.text for e in root.iterfind(".//f:dokumenttype/m:kode", F)]
        assert dokumenttyper == ["LA", "LV"]
    assert {"dokumenttype", "format", "tilgangsrestriksjon", "dokumentstatus", "journalstatus",
            "variantformat", "tilknyttetregistreringsom"} <= checked
    # Nothing is final (no signed copy, no --godta-usignert), so the export describes no record.
    export = ut / "2027" / "arkiv" / "arkivstruktur.xml"
    xmlschema.XMLSchema(str(noark5.SCHEMA)).validate(str(export))
    assert ET.parse(export).getroot().find(".//n:registrering", N) is None
    shutil.rmtree(lists)
