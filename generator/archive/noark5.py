"""Noark 5 metadata for the records system: `arkivstruktur.xml` (Arkivverket's v5.0 schema) and `import.csv`.

Both are computed from the PDFs actually written, so the checksums always match the folder.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..exceptions import WorkbookError
from ..model import DEFAULT_SKJERMINGSHJEMMEL, DEFAULT_TILGANGSKODE, Kommune, Leder, Problem
from ..store.report import spreadsheet_text

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Arkivverket's schemas, vendored with their licence note (schemas/noark5/README.md).
SCHEMA = Path(__file__).resolve().parent / "schemas" / "noark5" / "arkivstruktur.xsd"

XML_NAME = "arkivstruktur.xml"
CSV_NAME = "import.csv"

# A fixed namespace makes systemIDs a pure function of kommune, year, Ansattnr and role,
# so a rerun (or a second export) gives the records system the same identities.
SYSTEM_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lederavtale:noark5:arkivstruktur")

OPPRETTET_AV = "lederavtale"
PDFA_2B = "fmt/477"
DOCX = "fmt/412"
MASK = "******"

# Noark's value lists (the XSD leaves them as free strings); see schemas/noark5/README.md.
HOVEDDOKUMENT = "Hoveddokument"
VEDLEGG = "Vedlegg"
JOURNALPOSTTYPE = "Organinternt dokument uten oppfølging"
# The catalogue (M502) spells these with a plain hyphen.
SKJERMING_TITTEL_REGISTRERING = "Skjerming tittel registrering - utvalgte ord"
SKJERMING_NAVN_AVSENDER = "Skjerming navn avsender"
SKJERMING_NAVN_MOTTAKER = "Skjerming navn mottaker"
SKJERMING_TITTEL_DOKUMENT = "Skjerming tittel dokumentbeskrivelse"
SKJERMING_HELE_DOKUMENTET = "Skjerming av hele dokumentet"

VEDLEGG_TITTEL = "Personlige utviklingsmål"

CSV_COLUMNS = [
    "Arkivsak",
    "Journalpostnummer",
    "Journalpost tittel",
    "Offentlig tittel",
    "Dokumenttittel",
    "Tilknyttet som",
    "Dokumentnummer",
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

@dataclass
class Dokumentfil:
    """One archived PDF, described by what is on disk."""

    rolle: str  # "avtale" (public main document) or "vedlegg" (screened attachment)
    sti: str  # relative to the arkiv folder, with "/" separators
    sha256: str
    storrelse: int


@dataclass
class Journalpost:
    leder: Leder
    overordnet: Leder | None
    nummer: int  # position among the workbook's agreement leaders, stable as more sign
    avtale: Dokumentfil
    vedlegg: Dokumentfil


@dataclass
class Arkivpakke:
    """Everything `arkivstruktur.xml` and `import.csv` are made from."""

    kommune: Kommune
    journalposter: list[Journalpost]
    opprettet: datetime  # timezone-aware

    @property
    def ar(self) -> int:
        return self.kommune.periode.ar


# --- identities, numbers and titles ---------------------------------------------------------


def system_id(kommune: Kommune, *parts: object) -> str:
    key = "|".join([kommune.navn.strip().casefold(), str(kommune.periode.ar), *map(str, parts)])
    return str(uuid.uuid5(SYSTEM_ID_NAMESPACE, key))


_ARKIVSAK = re.compile(r"^\s*(\d{2}|\d{4})\s*/\s*(\d{1,7})\s*$")


def parse_arkivsak(arkivsak: str, ar: int) -> tuple[int, int]:
    """`2027/123` → (2027, 123); `27/00123` → (2027, 123). Empty → (ar, 0): the records system numbers it."""
    if not arkivsak.strip():
        return ar, 0
    match = _ARKIVSAK.match(arkivsak)
    if not match:
        raise WorkbookError(
            [Problem("Kommune (Arkivsak)", f"«{arkivsak}» er ikke et saksnummer på formen 2027/123")]
        )
    saksaar = int(match.group(1))
    if saksaar < 100:
        saksaar += 2000
    return saksaar, int(match.group(2))


def tilgangskode(kommune: Kommune) -> str:
    # An empty cell must not produce an appendix without an access code.
    return kommune.tilgangskode.strip() or DEFAULT_TILGANGSKODE


def skjermingshjemmel(kommune: Kommune) -> str:
    return kommune.skjermingshjemmel.strip() or DEFAULT_SKJERMINGSHJEMMEL


def mask_words(text: str) -> str:
    """Noark screening of selected words: each word becomes the same run of asterisks,
    so not even the length of a name is disclosed."""
    return " ".join(MASK for _ in text.split())


def journalpost_tittel(leder: Leder, ar: int) -> str:
    return f"Lederavtale {ar} – {leder.navn}, {leder.stilling}, {leder.enhet}"


def offentlig_tittel(leder: Leder, ar: int) -> str:
    # The position and the unit identify a leader as surely as the name does
    # ("Virksomhetsleder, Testvik sykehjem"), so they are screened along with it.
    return f"Lederavtale {ar} – {mask_words(leder.navn)}, {mask_words(leder.stilling)}, {mask_words(leder.enhet)}"


def avtale_tittel(ar: int) -> str:
    # A document title has no public variant in Noark, so it carries no name.
    return f"Lederavtale {ar}"


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
    """`arkivstruktur.xml` for the package; element order follows the Noark 5 v5.0 XSD."""
    kommune, ar, now = pakke.kommune, pakke.ar, _dt(pakke.opprettet)
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)

    arkiv = ET.Element(f"{{{NS}}}arkiv", {f"{{{XSI}}}schemaLocation": f"{NS} arkivstruktur.xsd"})
    _el(arkiv, "systemID", system_id(kommune, "arkiv"))
    _el(arkiv, "tittel", f"Lederavtaler – {kommune.navn}")
    _el(arkiv, "arkivstatus", "Avsluttet")
    _el(arkiv, "dokumentmedium", "Elektronisk arkiv")
    _created_closed(arkiv, now)
    arkivskaper = _el(arkiv, "arkivskaper")
    _el(arkivskaper, "arkivskaperID", kommune.navn)
    _el(arkivskaper, "arkivskaperNavn", kommune.navn)

    arkivdel = _el(arkiv, "arkivdel")
    _el(arkivdel, "systemID", system_id(kommune, "arkivdel"))
    _el(arkivdel, "tittel", f"Lederavtaler {ar}")
    _el(arkivdel, "arkivdelstatus", "Avsluttet periode")
    _el(arkivdel, "dokumentmedium", "Elektronisk arkiv")
    _created_closed(arkivdel, now)
    _el(arkivdel, "arkivperiodeStartDato", _d(kommune.periode.fra))
    _el(arkivdel, "arkivperiodeSluttDato", _d(kommune.periode.til))

    _saksmappe(arkivdel, pakke, now)
    ET.indent(arkiv, space="  ")
    return ET.tostring(arkiv, encoding="utf-8", xml_declaration=True) + b"\n"


def _created_closed(parent: ET.Element, now: str) -> None:
    _el(parent, "opprettetDato", now)
    _el(parent, "opprettetAv", OPPRETTET_AV)
    _el(parent, "avsluttetDato", now)
    _el(parent, "avsluttetAv", OPPRETTET_AV)


def _saksmappe(arkivdel: ET.Element, pakke: Arkivpakke, now: str) -> None:
    kommune, ar = pakke.kommune, pakke.ar
    saksaar, sekvens = parse_arkivsak(kommune.arkivsak, ar)
    mappe = _el(arkivdel, "mappe")
    mappe.set(f"{{{XSI}}}type", "saksmappe")
    _el(mappe, "systemID", system_id(kommune, "saksmappe"))
    _el(mappe, "mappeID", f"{saksaar}/{sekvens}")
    _el(mappe, "tittel", f"Lederavtaler {ar}")
    _el(mappe, "offentligTittel", f"Lederavtaler {ar}")
    _el(mappe, "dokumentmedium", "Elektronisk arkiv")
    _created_closed(mappe, now)
    for jp in pakke.journalposter:
        _journalpost(mappe, pakke, jp, now)
    _el(mappe, "saksaar", saksaar)
    _el(mappe, "sakssekvensnummer", sekvens)
    _el(mappe, "saksdato", _d(pakke.opprettet.date()))
    _el(mappe, "administrativEnhet", "HR")
    _el(mappe, "saksansvarlig", "HR")
    _el(mappe, "saksstatus", "Under behandling")


def _skjerming(parent: ET.Element, kommune: Kommune, metadata: list[str], dokument: str | None) -> None:
    skjerming = _el(parent, "skjerming")
    _el(skjerming, "tilgangsrestriksjon", tilgangskode(kommune))
    _el(skjerming, "skjermingshjemmel", skjermingshjemmel(kommune))
    for value in metadata:
        _el(skjerming, "skjermingMetadata", value)
    if dokument:
        _el(skjerming, "skjermingDokument", dokument)


def _journalpost(mappe: ET.Element, pakke: Arkivpakke, jp: Journalpost, now: str) -> None:
    kommune, ar = pakke.kommune, pakke.ar
    leder = jp.leder
    reg = _el(mappe, "registrering")
    reg.set(f"{{{XSI}}}type", "journalpost")
    _el(reg, "systemID", system_id(kommune, leder.ansattnr, "journalpost"))
    _el(reg, "opprettetDato", now)
    _el(reg, "opprettetAv", OPPRETTET_AV)
    _el(reg, "arkivertDato", now)
    _el(reg, "arkivertAv", OPPRETTET_AV)
    # The public title hides the leader, so the parties (who name the leader) are screened too;
    # the agreement itself stays public (no skjermingDokument here).
    _skjerming(reg, kommune, [SKJERMING_TITTEL_REGISTRERING, SKJERMING_NAVN_AVSENDER, SKJERMING_NAVN_MOTTAKER], None)
    _dokumentbeskrivelse(reg, pakke, jp, jp.avtale, now)
    _dokumentbeskrivelse(reg, pakke, jp, jp.vedlegg, now)
    _el(reg, "tittel", journalpost_tittel(leder, ar))
    _el(reg, "offentligTittel", offentlig_tittel(leder, ar))
    if jp.overordnet is not None:
        _korrespondansepart(reg, "Intern avsender", jp.overordnet)
    _korrespondansepart(reg, "Intern mottaker", leder)
    _el(reg, "journalaar", pakke.opprettet.year)
    _el(reg, "journalsekvensnummer", jp.nummer)
    _el(reg, "journalpostnummer", jp.nummer)
    _el(reg, "journalposttype", JOURNALPOSTTYPE)
    _el(reg, "journalstatus", "Journalført")
    _el(reg, "journaldato", _d(pakke.opprettet.date()))
    if leder.signert is not None:
        _el(reg, "dokumentetsDato", _d(leder.signert))
    _el(reg, "antallVedlegg", 1)


def _korrespondansepart(reg: ET.Element, parttype: str, person: Leder) -> None:
    part = _el(reg, "korrespondansepart")
    _el(part, "korrespondanseparttype", parttype)
    _el(part, "korrespondansepartNavn", person.navn)
    if person.epost:
        _el(part, "epostadresse", person.epost)
    if person.enhet:
        _el(part, "administrativEnhet", person.enhet)


def _dokumentbeskrivelse(reg: ET.Element, pakke: Arkivpakke, jp: Journalpost, fil: Dokumentfil, now: str) -> None:
    kommune, ar = pakke.kommune, pakke.ar
    hoved = fil.rolle == "avtale"
    db = _el(reg, "dokumentbeskrivelse")
    _el(db, "systemID", system_id(kommune, jp.leder.ansattnr, fil.rolle, "dokumentbeskrivelse"))
    _el(db, "dokumenttype", "Avtale" if hoved else "Vedlegg")
    _el(db, "dokumentstatus", "Dokumentet er ferdigstilt")
    _el(db, "tittel", avtale_tittel(ar) if hoved else VEDLEGG_TITTEL)
    _el(db, "opprettetDato", now)
    _el(db, "opprettetAv", OPPRETTET_AV)
    _el(db, "tilknyttetRegistreringSom", HOVEDDOKUMENT if hoved else VEDLEGG)
    _el(db, "dokumentnummer", 1 if hoved else 2)
    _el(db, "tilknyttetDato", now)
    _el(db, "tilknyttetAv", OPPRETTET_AV)
    if not hoved:
        _skjerming(db, kommune, [SKJERMING_TITTEL_DOKUMENT], SKJERMING_HELE_DOKUMENTET)
    obj = _el(db, "dokumentobjekt")
    _el(obj, "systemID", system_id(kommune, jp.leder.ansattnr, fil.rolle, "dokumentobjekt"))
    _el(obj, "versjonsnummer", 1)
    _el(obj, "variantformat", "Arkivformat")
    _el(obj, "format", PDFA_2B)
    _el(obj, "formatDetaljer", "PDF/A-2b")
    _el(obj, "opprettetDato", now)
    _el(obj, "opprettetAv", OPPRETTET_AV)
    _el(obj, "referanseDokumentfil", fil.sti)
    _el(obj, "sjekksum", fil.sha256)
    _el(obj, "sjekksumAlgoritme", "SHA256")
    _el(obj, "filstoerrelse", fil.storrelse)
    konvertering = _el(obj, "konvertering")
    _el(konvertering, "konvertertDato", now)
    _el(konvertering, "konvertertAv", OPPRETTET_AV)
    _el(konvertering, "konvertertFraFormat", DOCX)
    _el(konvertering, "konvertertTilFormat", PDFA_2B)
    _el(konvertering, "konverteringsverktoey", "LibreOffice")


# --- import.csv -------------------------------------------------------------------------------


def csv_rows(pakke: Arkivpakke) -> list[dict[str, str]]:
    kommune, ar = pakke.kommune, pakke.ar
    saksaar, sekvens = parse_arkivsak(kommune.arkivsak, ar)
    rows = []
    for jp in pakke.journalposter:
        leder = jp.leder
        for fil in (jp.avtale, jp.vedlegg):
            hoved = fil.rolle == "avtale"
            rows.append(
                {
                    "Arkivsak": f"{saksaar}/{sekvens}",
                    "Journalpostnummer": str(jp.nummer),
                    "Journalpost tittel": journalpost_tittel(leder, ar),
                    "Offentlig tittel": offentlig_tittel(leder, ar),
                    "Dokumenttittel": avtale_tittel(ar) if hoved else VEDLEGG_TITTEL,
                    "Tilknyttet som": HOVEDDOKUMENT if hoved else VEDLEGG,
                    "Dokumentnummer": "1" if hoved else "2",
                    "Filnavn": fil.sti,
                    "Format": PDFA_2B,
                    "Formatnavn": "PDF/A-2b",
                    "Variantformat": "Arkivformat",
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
                    "Signert": leder.signert.strftime("%d.%m.%Y") if leder.signert else "",
                    "Journalposttype": JOURNALPOSTTYPE,
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
