"""Noark 5 metadata for the records system: `arkivstruktur.xml` (valid against Arkivverket's v5.0
schema) and `import.csv`.

Both are computed from the PDFs actually written, so the checksums always match the folder.
`arkivstruktur.xml` is an import description, not a deposit (avleveringspakke): the tool does not
own the live sak, its title, dates, status or saksansvarlig, nor the arkivdel, so it claims none of
them. The records lie directly in an arkivdel (the schema allows it) that stands for this
description; the few values v5.0 requires of what only the archive knows are plain placeholders
(PLASSHOLDER), and the dates on arkiv and arkivdel are the description's own. Only final records
are described: every container in v5.0 is closed (avsluttetDato is required), and a document under
editing must not lie in a closed one; drafts go to the archive as Fiks messages (fiks.py) and are
rows of import.csv. Each agreement is an `arkivnotat`: Noark 5 requires journal numbers on a
`journalpost`, and those are the archive's to assign (the Fiks message asks for a journalpost and
its receipt reports them back). README «Noark 5-eksporten» lists which value is whose.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

from ..model import Leder
from ..store.report import spreadsheet_text
from ..store.year import ARKIV_CSV as CSV_NAME
from ..store.year import ARKIV_XML as XML_NAME
from .kodelister import dokumenttype, filformat
from .record import (
    DOCX,
    DOKUMENTNUMMER,
    FAGSYSTEM,
    INTERN_AVSENDER,
    INTERN_MOTTAKER,
    JOURNALPOSTTYPE,
    SJEKKSUM_ALGORITME,
    TILKNYTTET,
    Arkivpakke,
    Dokumentfil,
    Journalpost,
    dokument_tittel,
    journalpost_tittel,
    offentlig_tittel,
    parse_arkivsak,
    party_contact,
    skjermingshjemmel,
    system_id,
    tilgangskode,
)

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Arkivverket's schemas, vendored with their licence note (schemas/noark5/README.md).
SCHEMA = Path(__file__).resolve().parent / "schemas" / "noark5" / "arkivstruktur.xsd"


# Noark's value lists (the XSD leaves them as free strings); see schemas/noark5/README.md.
# The catalogue (M502) spells these with a plain hyphen.
SKJERMING_TITTEL_REGISTRERING = "Skjerming tittel registrering - utvalgte ord"
SKJERMING_NAVN_AVSENDER = "Skjerming navn avsender"
SKJERMING_NAVN_MOTTAKER = "Skjerming navn mottaker"
SKJERMING_TITTEL_DOKUMENT = "Skjerming tittel dokumentbeskrivelse"
SKJERMING_HELE_DOKUMENTET = "Skjerming av hele dokumentet"
# With Skjerm navn, the public title hides the leader, so the parties (who name the leader)
# are screened too; the agreement itself stays public either way.
SKJERMING_NAVN = [SKJERMING_TITTEL_REGISTRERING, SKJERMING_NAVN_AVSENDER, SKJERMING_NAVN_MOTTAKER]
# A value v5.0 requires and only the archive knows (the arkivdel's title without Arkivdel, its
# status): visibly not a value, for the archivist to set before any import.
PLASSHOLDER = "[Fylles ut av arkivet]"

CSV_COLUMNS = [
    "Arkivsak",
    "Journalpost tittel",
    "Offentlig tittel",
    "Journalpost tilgangskode",
    "Journalpost skjerming",
    "Dokumenttittel",
    "Tilknyttet som",
    "Dokumentnummer",
    "Dokumentstatus",
    "Filnavn",
    "Format",
    "Formatnavn",
    "Variantformat",
    "Sjekksum SHA256",
    "Størrelse",
    "Tilgangskode",
    "Skjermingshjemmel",
    "Skjerming",
    "Ansattnr",
    "Leder",
    "Stilling",
    "Enhet",
    "Overordnet",
    "Signert",
    "Journalposttype",
    "Journalpost systemID",
    "Dokument systemID",
]


# --- arkivstruktur.xml ------------------------------------------------------------------------


def _el(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _dt(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def _d(value: date) -> str:
    return value.isoformat()


def build_xml(pakke: Arkivpakke) -> bytes:
    """`arkivstruktur.xml` for the package's final records; element order follows the Noark 5 v5.0 XSD."""
    kommune, ar, now = pakke.kommune, pakke.ar, _dt(pakke.opprettet)
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)

    arkiv = ET.Element(f"{{{NS}}}arkiv", {f"{{{XSI}}}schemaLocation": f"{NS} arkivstruktur.xsd"})
    _el(arkiv, "systemID", system_id(kommune, "arkiv"))
    _el(arkiv, "tittel", f"Importbeskrivelse: lederavtaler {ar}, {kommune.navn}")
    _el(arkiv, "beskrivelse", _beskrivelse(pakke))
    _el(arkiv, "dokumentmedium", "Elektronisk arkiv")
    _described(arkiv, now)
    arkivskaper = _el(arkiv, "arkivskaper")
    _el(arkivskaper, "arkivskaperID", kommune.organisasjonsnummer or kommune.navn)
    _el(arkivskaper, "arkivskaperNavn", kommune.navn)

    arkivdel = _el(arkiv, "arkivdel")
    _el(arkivdel, "systemID", system_id(kommune, "arkivdel"))
    _el(arkivdel, "tittel", kommune.arkivdel.strip() or PLASSHOLDER)
    _el(arkivdel, "arkivdelstatus", PLASSHOLDER)
    _el(arkivdel, "dokumentmedium", "Elektronisk arkiv")
    _described(arkivdel, now)
    for jp in ferdige(pakke):
        _registrering(arkivdel, pakke, jp, now)
    ET.indent(arkiv, space="  ")
    return ET.tostring(arkiv, encoding="utf-8", xml_declaration=True) + b"\n"


def ferdige(pakke: Arkivpakke) -> list[Journalpost]:
    """The records `arkivstruktur.xml` describes: the final ones."""
    return [jp for jp in pakke.journalposter if jp.ferdig]


def _beskrivelse(pakke: Arkivpakke) -> str:
    kommune = pakke.kommune
    if kommune.arkivsak.strip():
        saksaar, sekvens = parse_arkivsak(kommune.arkivsak, pakke.ar)
        plassering = f"Registreringene skal arkiveres i sak {saksaar}/{sekvens} (Arkivsak i arbeidsboken)."
    elif pakke.sak_system_id.strip():
        plassering = f"Registreringene skal arkiveres i saken med systemID {pakke.sak_system_id.strip()} i arkivet."
    else:
        plassering = "Arbeidsboken oppgir ingen sak; arkivet bestemmer hvor registreringene skal ligge."
    utelatt = len(pakke.journalposter) - len(ferdige(pakke))
    rest = (f" {utelatt} avtaler under redigering er ikke med her (de står i import.csv og i Fiks-meldingene)."
            if utelatt else "")
    return ("Importbeskrivelse laget av lederavtale, ikke et arkivuttrekk: den beskriver ferdige lederavtaler "
            "med vedlegg for import i sak/arkiv-systemet. Saken og arkivdelen er arkivets; verdier merket "
            f"{PLASSHOLDER} setter arkivaren, og datoene på arkiv og arkivdel er datoen beskrivelsen ble laget. "
            + plassering + rest)


def _described(parent: ET.Element, now: str) -> None:
    """v5.0's required dates of an arkiv or arkivdel: here the description's own, which is complete
    when written."""
    _el(parent, "opprettetDato", now)
    _el(parent, "opprettetAv", FAGSYSTEM)
    _el(parent, "avsluttetDato", now)
    _el(parent, "avsluttetAv", FAGSYSTEM)


def _skjerming(parent: ET.Element, pakke: Arkivpakke, metadata: list[str], dokument: str | None) -> None:
    skjerming = _el(parent, "skjerming")
    _el(skjerming, "tilgangsrestriksjon", tilgangskode(pakke.kommune))
    _el(skjerming, "skjermingshjemmel", skjermingshjemmel(pakke.kommune))
    for value in metadata:
        _el(skjerming, "skjermingMetadata", value)
    if dokument:
        _el(skjerming, "skjermingDokument", dokument)


def _registrering(arkivdel: ET.Element, pakke: Arkivpakke, jp: Journalpost, now: str) -> None:
    kommune, ar = pakke.kommune, pakke.ar
    leder = jp.leder
    reg = _el(arkivdel, "registrering")
    reg.set(f"{{{XSI}}}type", "arkivnotat")
    _el(reg, "systemID", system_id(kommune, leder.ansattnr, "journalpost"))
    _el(reg, "opprettetDato", now)
    _el(reg, "opprettetAv", FAGSYSTEM)
    _el(reg, "arkivertDato", now)
    _el(reg, "arkivertAv", FAGSYSTEM)
    if kommune.skjerm_navn:
        _skjerming(reg, pakke, SKJERMING_NAVN, None)
    for fil in jp.dokumenter:
        _dokumentbeskrivelse(reg, pakke, jp, fil, now)
    _el(reg, "tittel", journalpost_tittel(leder, ar))
    _el(reg, "offentligTittel", offentlig_tittel(leder, ar, kommune.skjerm_navn))
    if jp.overordnet is not None:
        _korrespondansepart(reg, INTERN_AVSENDER.beskrivelse, jp.overordnet)
    _korrespondansepart(reg, INTERN_MOTTAKER.beskrivelse, leder)
    if jp.dato is not None:
        _el(reg, "dokumentetsDato", _d(jp.dato))
    _el(reg, "antallVedlegg", 1)


def _korrespondansepart(reg: ET.Element, parttype: str, person: Leder) -> None:
    part = _el(reg, "korrespondansepart")
    _el(part, "korrespondanseparttype", parttype)
    for tag, value in party_contact(person):
        _el(part, tag, value)
    if person.enhet:
        _el(part, "administrativEnhet", person.enhet)


def _dokumentbeskrivelse(reg: ET.Element, pakke: Arkivpakke, jp: Journalpost, fil: Dokumentfil, now: str) -> None:
    kommune, ar = pakke.kommune, pakke.ar
    db = _el(reg, "dokumentbeskrivelse")
    _el(db, "systemID", system_id(kommune, jp.leder.ansattnr, fil.rolle, "dokumentbeskrivelse"))
    typ = dokumenttype(kommune, fil.rolle)
    _el(db, "dokumenttype", typ.beskrivelse or typ.kode)
    _el(db, "dokumentstatus", jp.dokumentstatus.beskrivelse)
    _el(db, "tittel", dokument_tittel(fil, jp.leder, ar, kommune.skjerm_navn))
    _el(db, "opprettetDato", now)
    _el(db, "opprettetAv", FAGSYSTEM)
    _el(db, "tilknyttetRegistreringSom", TILKNYTTET[fil.rolle].beskrivelse)
    _el(db, "dokumentnummer", DOKUMENTNUMMER[fil.rolle])
    _el(db, "tilknyttetDato", now)
    _el(db, "tilknyttetAv", FAGSYSTEM)
    if not fil.hoved:
        _skjerming(db, pakke, [SKJERMING_TITTEL_DOKUMENT], SKJERMING_HELE_DOKUMENTET)
    obj = _el(db, "dokumentobjekt")
    _el(obj, "systemID", system_id(kommune, jp.leder.ansattnr, fil.rolle, "dokumentobjekt"))
    _el(obj, "versjonsnummer", 1)
    _el(obj, "variantformat", fil.variantformat.beskrivelse)
    _el(obj, "format", filformat(kommune, fil.filformat).kode)
    _el(obj, "formatDetaljer", fil.filformat.beskrivelse)
    _el(obj, "opprettetDato", now)
    _el(obj, "opprettetAv", FAGSYSTEM)
    _el(obj, "referanseDokumentfil", fil.sti)
    _el(obj, "sjekksum", fil.sha256)
    _el(obj, "sjekksumAlgoritme", SJEKKSUM_ALGORITME)
    _el(obj, "filstoerrelse", fil.storrelse)
    if fil.konvertert:  # a signed copy is archived as it was signed: nothing converted it
        konvertering = _el(obj, "konvertering")
        _el(konvertering, "konvertertDato", now)
        _el(konvertering, "konvertertAv", FAGSYSTEM)
        _el(konvertering, "konvertertFraFormat", DOCX)
        _el(konvertering, "konvertertTilFormat", filformat(kommune, fil.filformat).kode)
        _el(konvertering, "konverteringsverktoey", "LibreOffice")


# --- import.csv -------------------------------------------------------------------------------


def csv_rows(pakke: Arkivpakke) -> list[dict[str, str]]:
    """One row per document, each column what the XML says of it (screening included)."""
    kommune, ar = pakke.kommune, pakke.ar
    saksaar, sekvens = parse_arkivsak(kommune.arkivsak, ar)
    rows = []
    for jp in pakke.journalposter:
        leder = jp.leder
        for fil in jp.dokumenter:
            hoved = fil.hoved
            rows.append(
                {
                    "Arkivsak": f"{saksaar}/{sekvens}",
                    "Journalpost tittel": journalpost_tittel(leder, ar),
                    "Offentlig tittel": offentlig_tittel(leder, ar, kommune.skjerm_navn),
                    "Journalpost tilgangskode": tilgangskode(kommune) if kommune.skjerm_navn else "",
                    "Journalpost skjerming": ", ".join(SKJERMING_NAVN) if kommune.skjerm_navn else "",
                    "Dokumenttittel": dokument_tittel(fil, leder, ar, kommune.skjerm_navn),
                    "Tilknyttet som": TILKNYTTET[fil.rolle].beskrivelse,
                    "Dokumentnummer": str(DOKUMENTNUMMER[fil.rolle]),
                    "Dokumentstatus": jp.dokumentstatus.beskrivelse,
                    "Filnavn": fil.sti,
                    "Format": filformat(kommune, fil.filformat).kode,
                    "Formatnavn": fil.filformat.beskrivelse,
                    "Variantformat": fil.variantformat.beskrivelse,
                    "Sjekksum SHA256": fil.sha256,
                    "Størrelse": str(fil.storrelse),
                    "Tilgangskode": "" if hoved else tilgangskode(kommune),
                    "Skjermingshjemmel": "" if hoved else skjermingshjemmel(kommune),
                    "Skjerming": "" if hoved else SKJERMING_HELE_DOKUMENTET,
                    "Ansattnr": leder.ansattnr,
                    "Leder": leder.navn,
                    "Stilling": leder.stilling,
                    "Enhet": leder.enhet,
                    "Overordnet": jp.overordnet.navn if jp.overordnet else "",
                    "Signert": jp.dato.strftime("%d.%m.%Y") if jp.dato else "",
                    "Journalposttype": JOURNALPOSTTYPE.beskrivelse,
                    "Journalpost systemID": system_id(kommune, leder.ansattnr, "journalpost"),
                    "Dokument systemID": system_id(kommune, leder.ansattnr, fil.rolle, "dokumentbeskrivelse"),
                }
            )
    return rows


def build_csv(pakke: Arkivpakke) -> bytes:
    """`import.csv`: UTF-8 with BOM and `;`, which is what Excel in a Norwegian locale opens correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(pakke):
        writer.writerow([spreadsheet_text(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
