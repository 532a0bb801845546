"""The Fiks Arkiv message for one leader: `fiks/<Ansattnr>/arkivmelding.xml`, the PDFs beside it.

The payload of `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett` (KS' v1 schema, vendored in
schemas/fiks-arkiv/). The schema allows one registrering per message, so each leader's
journalpost is a message of its own. The municipality's Fiks IO integration sends each folder
as one message; the archive's receipt comes back through `receipts.py`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from pathlib import Path

from lxml import etree

from ..model import Kommune, Leder
from ..store.files import safe_filename
from . import record
from .kodelister import Kode, dokumenttype, fiks_format, format_detaljer, kode

MELDINGSTYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
# Children of the types metadatakatalog.xsd defines (kode, fagsystem, saksaar, …) live here.
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = Path(__file__).resolve().parent / "schemas" / "fiks-arkiv"
SCHEMA = SCHEMAS / f"{MELDINGSTYPE}.xsd"

MELDING_NAME = "arkivmelding.xml"  # payloadFilnavn of the message type (meldingstyper.json)
# The files' names inside the message (referanseDokumentfil): plain ASCII, since the sender and
# the archive need not agree on any other character; the name a person sees goes in filnavn.
DOKUMENTFIL = {k.rolle: k.arkiv.fiks_fil for k in record.ARCHIVED}
# F: signed and finished (Journalpost.ferdig), and the records office journals it (J is theirs to
# set). Anything else is R, a reserved entry whose document is still being written, with
# dokumentstatus B.
JOURNALSTATUS_SIGNERT = kode("journalstatus", "F")
JOURNALSTATUS_IKKE_SIGNERT = kode("journalstatus", "R")

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def folder_name(ansattnr: str) -> str:
    """The leader's folder under fiks/: the Ansattnr itself when it is a plain ASCII name (the
    usual case, digits), else an ASCII form with a short hash of the Ansattnr, so that «2001/1»
    and «2001-1» never share a folder."""
    if _PLAIN_ID.fullmatch(ansattnr) and safe_filename(ansattnr) == ansattnr:
        return ansattnr
    ascii_form = unicodedata.normalize("NFKD", ansattnr).encode("ascii", "ignore").decode("ascii")
    ascii_form = re.sub(r"[^A-Za-z0-9]+", "-", ascii_form).strip("-")[:30]
    digest = hashlib.sha256(ansattnr.encode("utf-8")).hexdigest()[:8]
    return f"{ascii_form}-{digest}" if ascii_form else digest


# --- arkivmelding.xml -------------------------------------------------------------------------


def _el(parent, tag: str, text: object = None):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _mdk(parent, tag: str, text: object = None):
    element = etree.SubElement(parent, f"{{{MDK}}}{tag}")
    if text is not None:
        element.text = str(text)
    return element


def _kode(parent, tag: str, value: Kode):
    element = _el(parent, tag)
    _mdk(element, "kode", value.kode)
    if value.beskrivelse:
        _mdk(element, "beskrivelse", value.beskrivelse)
    return element


def build_arkivmelding(pakke: record.Arkivpakke, jp: record.Journalpost) -> bytes:
    """The message for one leader; element order follows KS' v1 XSD, which is strict about it."""
    kommune, ar, leder = pakke.kommune, pakke.ar, jp.leder
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "mdk": MDK, "xsi": XSI})
    _el(root, "system", record.FAGSYSTEM)
    _el(root, "antallFiler", len(jp.dokumenter))
    if record.personalmappe(kommune):
        _personalmappe(root, kommune, leder)
    reg = _el(root, "registrering")
    reg.set(f"{{{XSI}}}type", "journalpost")
    _plassering(reg, kommune, leder, pakke.sak_system_id)
    # No skjerming on the journalpost itself, even with Skjerm navn: v1 cannot say which fields
    # it covers (no skjermingMetadata), and Noark inherits it down to the documents, so it would
    # screen the public agreement. The names are screened where they stand: the masked
    # offentligTittel and erSkjermet on the parties.
    for fil in jp.dokumenter:
        _dokumentbeskrivelse(reg, pakke, jp, fil)
    _el(reg, "tittel", record.journalpost_tittel(leder, ar))
    _el(reg, "offentligTittel", record.offentlig_tittel(leder, ar, kommune.skjerm_navn))
    _behandlingsansvarlig(reg, kommune)
    if jp.overordnet is not None:
        _korrespondansepart(reg, record.INTERN_AVSENDER, jp.overordnet, kommune.skjerm_navn)
    _korrespondansepart(reg, record.INTERN_MOTTAKER, leder, kommune.skjerm_navn)
    _ekstern_noekkel(_el(reg, "referanseEksternNoekkel"), record.ekstern_noekkel(kommune, leder.ansattnr))
    _kode(reg, "journalposttype", record.JOURNALPOSTTYPE)
    _kode(reg, "journalstatus", JOURNALSTATUS_SIGNERT if jp.ferdig else JOURNALSTATUS_IKKE_SIGNERT)
    # No journaldato: the archive sets it when it journals the entry (Noark M101), as KS' examples leave it.
    if jp.dato is not None:
        _el(reg, "dokumentetsDato", jp.dato.isoformat())
    _el(reg, "antallVedlegg", len(jp.dokumenter) - 1)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)


def _ekstern_noekkel(parent, noekkel: str) -> None:
    _mdk(parent, "fagsystem", record.FAGSYSTEM)
    _mdk(parent, "noekkel", noekkel)


def _plassering(reg, kommune: Kommune, leder: Leder, sak_system_id: str = "") -> None:
    """In the leader's personalmappe (the mappe in the same message, by its key, as KS'
    NyMappeMedJournalpostN1); else in the sak: by its systemID in the archive when known (as KS'
    NyJournalpostN1 points at its sak), which no renumbering or typo in Arkivsak can lead astray, else by
    the saksnummer in Arkivsak (check_placement made sure of one of them)."""
    forelder = _el(reg, "referanseForelderMappe")
    if record.personalmappe(kommune):
        _ekstern_noekkel(_mdk(forelder, "referanseEksternNoekkel"), record.mappe_noekkel(kommune, leder.ansattnr))
        return
    if sak_system_id.strip():
        _mdk(forelder, "systemID", sak_system_id.strip())
        return
    saksaar, sekvens = record.parse_arkivsak(kommune.arkivsak, kommune.periode.ar)
    saksnummer = _mdk(forelder, "saksnummer")
    _mdk(saksnummer, "saksaar", saksaar)
    _mdk(saksnummer, "sakssekvensnummer", sekvens)


def _personalmappe(root, kommune: Kommune, leder: Leder) -> None:
    """The leader's saksmappe, classified by Klassifikasjonssystem and Klasse (the leader's Ansattnr, the
    leader's fødselsnummer as KS' NyMappeMedJournalpostN1 classifies a personnel folder, or Klasse as
    written). Its key is the same on every run and every year, so the archive finds the mappe it already
    has instead of making another. The klasseID is the only place a fødselsnummer is ever written."""
    mappe = _el(root, "mappe")
    mappe.set(f"{{{XSI}}}type", "saksmappe")
    _el(mappe, "tittel", record.mappe_tittel(leder))
    _el(mappe, "offentligTittel", record.mappe_offentlig_tittel(leder, kommune.skjerm_navn))
    if kommune.arkivdel.strip():
        _kode(mappe, "arkivdel", Kode(kommune.arkivdel.strip(), ""))
    klassifikasjon = _el(mappe, "klassifikasjon")
    _el(klassifikasjon, "klassifikasjonssystemID", kommune.klassifikasjonssystem.strip())
    _el(klassifikasjon, "klasseID", record.klasse_id(kommune, leder))
    _ekstern_noekkel(_el(mappe, "referanseEksternNoekkel"), record.mappe_noekkel(kommune, leder.ansattnr))
    if kommune.administrativ_enhet.strip():
        _mdk(_el(mappe, "administrativEnhet"), "navn", kommune.administrativ_enhet.strip())
    _identifikatorer(_el(mappe, "saksansvarlig"), record.saksbehandler_identifikatorer(record.saksbehandler(kommune)))


def _skjerming(parent, kommune: Kommune) -> None:
    skjerming = _el(parent, "skjerming")
    _kode(skjerming, "tilgangsrestriksjon", Kode(record.tilgangskode(kommune), ""))
    _el(skjerming, "skjermingshjemmel", record.skjermingshjemmel(kommune))


def _dokumentbeskrivelse(reg, pakke: record.Arkivpakke, jp: record.Journalpost, fil: record.Dokumentfil) -> None:
    kommune = pakke.kommune
    db = _el(reg, "dokumentbeskrivelse")
    _kode(db, "dokumenttype", dokumenttype(kommune, fil.rolle))
    _kode(db, "dokumentstatus", jp.dokumentstatus)
    _el(db, "tittel", record.dokument_tittel(fil, jp.leder, pakke.ar, kommune.skjerm_navn))
    _kode(db, "tilknyttetRegistreringSom", record.TILKNYTTET[fil.rolle])
    _el(db, "dokumentnummer", record.DOKUMENTNUMMER[fil.rolle])
    if not fil.hoved:
        _skjerming(db, kommune)
    obj = _el(db, "dokumentobjekt")
    _el(obj, "versjonsnummer", 1)
    _kode(obj, "variantformat", fil.variantformat)
    _kode(obj, "format", fiks_format(kommune, fil.filformat))
    _el(obj, "formatDetaljer", format_detaljer(fil.filformat))
    _el(obj, "mimeType", record.MIME_PDF)
    _el(obj, "filnavn", fil.filnavn)
    _el(obj, "referanseDokumentfil", DOKUMENTFIL[fil.rolle])
    _el(obj, "sjekksum", fil.sha256)
    _el(obj, "sjekksumAlgoritme", record.SJEKKSUM_ALGORITME)
    _el(obj, "filstoerrelse", fil.storrelse)


def _identifikatorer(parent, values: list[tuple[str, str]]) -> None:
    for tag, value in values:
        _mdk(parent, tag, value)


def _behandlingsansvarlig(reg, kommune: Kommune) -> None:
    """HR, who files the agreement: the internal party responsible for the record, with its unit
    and its user, as KS' NyJournalpostN1 has it."""
    part = _el(reg, "korrespondansepart")
    _kode(part, "korrespondanseparttype", record.INTERN_MOTTAKER)
    _el(part, "erBehandlingsansvarlig", "true")
    _el(part, "korrespondansepartNavn", record.hr_navn(kommune))
    if kommune.administrativ_enhet.strip():
        _mdk(_el(part, "administrativEnhet"), "navn", kommune.administrativ_enhet.strip())
    _identifikatorer(_el(part, "saksbehandler"), record.saksbehandler_identifikatorer(record.saksbehandler(kommune)))


def _korrespondansepart(reg, parttype: Kode, person: Leder, skjermet: bool) -> None:
    """The leader or the superior: a person in a unit, as KS' examples give an internal party, with
    the e-mail as identifikator, so that the adapter can match the archive's own user."""
    part = _el(reg, "korrespondansepart")
    _kode(part, "korrespondanseparttype", parttype)
    _el(part, "erBehandlingsansvarlig", "false")
    for tag, value in record.party_contact(person):
        _el(part, tag, value)
    if person.enhet:
        _mdk(_el(part, "administrativEnhet"), "navn", person.enhet)
    bruker = [("navn", person.navn)]
    if person.epost:
        bruker += [("identifikator", person.epost), ("epostadresse", person.epost)]
    _identifikatorer(_el(part, "saksbehandler"), bruker)
    if skjermet:
        _el(part, "erSkjermet", "true")
    _el(part, "erPersonnavn", "true")


# --- validation -------------------------------------------------------------------------------


@cache
def schema(path: Path) -> etree.XMLSchema:
    """A vendored XSD, read once (its imports resolve beside it)."""
    return etree.XMLSchema(etree.parse(str(path), _parser()))


def _parser() -> etree.XMLParser:
    # Receipts come from outside: no entities, no DTDs, no network, no unbounded trees.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def parse_xml(data: bytes):
    """The document's root; etree.XMLSyntaxError when it is not well-formed XML."""
    return etree.fromstring(data, _parser())


def schema_problems(root, path: Path = SCHEMA) -> list[str]:
    """What makes `root` invalid against the XSD at `path` (empty when valid)."""
    xsd = schema(path)
    try:
        if xsd.validate(root):
            return []
    except etree.XMLSchemaValidateError as exc:  # libxml2 gives up on some malformed input
        return [str(exc)]
    return [f"linje {e.line}: {e.message}" for e in xsd.error_log]
