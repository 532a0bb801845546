"""Archive package for a Noark 5 records system: PDF/A-2b files plus `arkivstruktur.xml` and `import.csv`.

The package is rebuilt from the .docx files on disk on every run, because HR edits and signs
those after `generer`; the metadata is computed from the PDFs actually written, so the
checksums in the XML always match the folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import pikepdf

from .exceptions import NothingGenerated, PartialFailure, WorkbookError
from .model import DEFAULT_SKJERMINGSHJEMMEL, DEFAULT_TILGANGSKODE, Arbeidsbok, Kommune, Leder, Problem
from .output import (
    Manifest,
    RunLock,
    atomic_write_bytes,
    remove_stale_temp_files,
    safe_filename,
    sha256_file,
    spreadsheet_text,
)
from .pdf import PdfConverter, find_soffice
from .workbook import read_workbook

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

ARKIV_DIRNAME = "arkiv"
XML_NAME = "arkivstruktur.xml"
CSV_NAME = "import.csv"

# A fixed namespace makes systemIDs a pure function of kommune, year, Ansattnr and role,
# so a rerun (or a second export) gives the records system the same identities.
SYSTEM_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lederavtale:noark5:arkivstruktur")

OPPRETTET_AV = "lederavtale"
PDFA_2B = "fmt/477"
DOCX = "fmt/412"
MASK = "******"

# Noark's value lists (the XSD leaves them as free strings); see ../shared/noark5/README.md.
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

Progress = Callable[[str, int, int], None]

# PDFs are converted here first and moved into place only when the whole batch is done.
STAGING_DIRNAME = ".konvertering"


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


@dataclass
class ArkivResultat:
    arkiv_dir: Path
    alle: bool = False
    journalposter: list[Journalpost] = field(default_factory=list)
    ikke_signert: list[Leder] = field(default_factory=list)
    feil: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        lines = [
            f"Arkivpakke: {len(self.journalposter)} lederavtaler med vedlegg i {self.arkiv_dir}",
            f"  Metadata: {XML_NAME} (Noark 5) og {CSV_NAME} (regneark)",
        ]
        if self.ikke_signert:
            if self.alle:
                lines.append(f"Ikke signert ennå ({len(self.ikke_signert)}), men tatt med fordi --alle er brukt:")
            else:
                lines.append(f"Ikke signert ennå ({len(self.ikke_signert)}), og derfor ikke med (--alle tar dem med):")
            lines += [f"  {leder.ansattnr} {leder.navn}" for leder in self.ikke_signert]
        return lines

    def raise_for_failures(self) -> None:
        if self.feil:
            raise PartialFailure(self.feil, heading="Noen dokumenter kom ikke med i arkivpakken:")


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


# --- the `arkiv` run --------------------------------------------------------------------------


@dataclass
class _Plan:
    """One leader's two documents: the .docx on disk and where its PDF goes."""

    leder: Leder
    kilder: dict[str, Path]  # rolle -> .docx
    pdfer: dict[str, Path]  # rolle -> final PDF in the arkiv folder
    staging: dict[str, Path]  # rolle -> where the converter writes it first


def build_archive(
    workbook: Path,
    ut: Path = Path("output"),
    alle: bool = False,
    jobber: int | None = None,
    soffice: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ArkivResultat:
    """Build `<ut>/<år>/arkiv/` from the documents on disk.

    Failed or missing documents are listed in the result (`raise_for_failures()` turns them
    into exit code 3); everything else is written completely.
    """
    bok = read_workbook(Path(workbook))
    ar = bok.kommune.periode.ar
    parse_arkivsak(bok.kommune.arkivsak, ar)  # a bad case number stops the run before any work
    year_dir = Path(ut) / str(ar)
    manifest = Manifest.load(year_dir)
    if not manifest.exists():
        raise NothingGenerated(
            f"Fant ingen genererte dokumenter i «{year_dir}». Kjør «lederavtale generer» først."
        )
    soffice = find_soffice(soffice)  # fail before touching the package when LibreOffice is missing
    with RunLock(year_dir):
        manifest = Manifest.load(year_dir)  # as it is now that no `generer` can be writing
        return _build(bok, manifest, year_dir, alle, _Converting(jobber, soffice, progress),
                      now or datetime.now().astimezone())


@dataclass
class _Converting:
    jobber: int | None
    soffice: str
    progress: Progress | None


def _build(
    bok: Arbeidsbok, manifest: Manifest, year_dir: Path, alle: bool, converting: _Converting, now: datetime
) -> ArkivResultat:
    arkiv_dir = year_dir / ARKIV_DIRNAME
    result = ArkivResultat(arkiv_dir, alle)
    avtaleledere = bok.avtaleledere()
    nummer = {leder.ansattnr: i for i, leder in enumerate(avtaleledere, start=1)}
    result.ikke_signert = [leder for leder in avtaleledere if leder.signert is None]
    valgt = avtaleledere if alle else [leder for leder in avtaleledere if leder.signert is not None]

    staging_dir = arkiv_dir / STAGING_DIRNAME
    plans = []
    for leder in valgt:
        plan = _plan(manifest, year_dir, arkiv_dir, staging_dir, leder, bok.kommune.malform == "nynorsk")
        if isinstance(plan, str):
            result.feil.append(f"{leder.ansattnr} {leder.navn}: {plan}")
        else:
            plans.append(plan)
    if arkiv_dir.exists():
        remove_stale_temp_files(arkiv_dir)
    done = _convert_into_place(plans, arkiv_dir, staging_dir, converting, result)
    _remove_other_pdfs(arkiv_dir, {pdf for plan in done for pdf in plan.pdfer.values()})

    result.journalposter = [
        Journalpost(
            leder=plan.leder,
            overordnet=bok.overordnet(plan.leder),
            nummer=nummer[plan.leder.ansattnr],
            avtale=_dokumentfil(arkiv_dir, "avtale", plan.pdfer["avtale"]),
            vedlegg=_dokumentfil(arkiv_dir, "vedlegg", plan.pdfer["vedlegg"]),
        )
        for plan in done
    ]
    pakke = Arkivpakke(bok.kommune, result.journalposter, now)
    atomic_write_bytes(arkiv_dir / XML_NAME, build_xml(pakke))
    atomic_write_bytes(arkiv_dir / CSV_NAME, build_csv(pakke))
    return result


def _convert_into_place(
    plans: list[_Plan], arkiv_dir: Path, staging_dir: Path, converting: _Converting, result: ArkivResultat
) -> list[_Plan]:
    """Convert everything first, then move the leaders whose documents all succeeded into place."""
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True)
    try:
        failed = _convert(plans, converting)
        for plan in plans:
            for rolle, melding in failed.get(plan.leder.ansattnr, {}).items():
                result.feil.append(f"{plan.leder.ansattnr} {plan.leder.navn}: {_rolle_navn(rolle)}: {melding}")
        done = [plan for plan in plans if plan.leder.ansattnr not in failed]
        # From here on the PDFs change, so no old metadata may be left describing them.
        for name in (XML_NAME, CSV_NAME):
            (arkiv_dir / name).unlink(missing_ok=True)
        for plan in done:
            for rolle, pdf in plan.pdfer.items():
                pdf.parent.mkdir(parents=True, exist_ok=True)
                os.replace(plan.staging[rolle], pdf)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    return done


def _rolle_navn(rolle: str) -> str:
    return "lederavtalen" if rolle == "avtale" else "vedlegget"


def _plan(
    manifest: Manifest, year_dir: Path, arkiv_dir: Path, staging_dir: Path, leder: Leder, nynorsk: bool
) -> _Plan | str:
    """The leader's documents, or why they cannot be archived."""
    entry = manifest.ledere.get(leder.ansattnr)
    if entry is None:
        return "ingen dokumenter er generert (kjør «lederavtale generer»)"
    kilder = {}
    for rolle in ("avtale", "vedlegg"):
        fil = entry.file(rolle, "docx")
        if fil is None:
            return f"{_rolle_navn(rolle)} er ikke generert (kjør «lederavtale generer»)"
        docx = year_dir / fil.sti
        if not docx.is_file():
            return f"finner ikke «{docx}»"
        kilder[rolle] = docx
    folder = arkiv_dir / safe_filename(f"{leder.ansattnr} {leder.navn}")
    pdfer = {
        "avtale": folder / f"{kilder['avtale'].stem}.pdf",
        # The archive folder is internal, but the appendix's name need not tell whose it is.
        "vedlegg": folder / f"{leder.ansattnr} Vedlegg {'unnateke offentlegheit' if nynorsk else 'unntatt offentlighet'}.pdf",
    }
    staging = {rolle: staging_dir / f"{safe_filename(leder.ansattnr)}-{rolle}.pdf" for rolle in kilder}
    return _Plan(leder, kilder, pdfer, staging)


def _convert(plans: list[_Plan], converting: _Converting) -> dict[str, dict[str, str]]:
    """Convert every planned .docx; returns Ansattnr -> rolle -> error for those that failed."""
    if not plans:
        return {}
    owner = {}
    total, finished = 2 * len(plans), []

    def on_done(conversion) -> None:
        finished.append(conversion)
        if converting.progress:
            converting.progress("Lager PDF/A for arkivet", len(finished), total)

    with PdfConverter(jobber=converting.jobber, soffice=converting.soffice, on_done=on_done) as converter:
        for plan in plans:
            for rolle, docx in plan.kilder.items():
                converter.submit(docx, plan.staging[rolle])
                owner[plan.staging[rolle]] = (plan.leder.ansattnr, rolle)
        conversions = converter.wait()
    failed: dict[str, dict[str, str]] = {}
    for conversion in conversions:
        ansattnr, rolle = owner[Path(conversion.pdf)]
        if conversion.ok:
            error = _not_pdfa_2b(Path(conversion.pdf))
        else:
            error = str(conversion.feil or "konverteringen feilet")
        if error:
            failed.setdefault(ansattnr, {})[rolle] = error
    return failed


def _not_pdfa_2b(pdf: Path) -> str:
    """Why the file is not PDF/A-2b, or "" when it is (the records system rejects anything else)."""
    try:
        with pikepdf.open(pdf) as document:
            meta = document.open_metadata()
            part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except (OSError, pikepdf.PdfError) as exc:
        return f"PDF-filen kan ikke leses ({exc})"
    if str(part) != "2" or str(conformance).upper() != "B":
        return f"PDF-filen er ikke PDF/A-2b (pdfaid part={part}, conformance={conformance})"
    return ""


def _remove_other_pdfs(arkiv_dir: Path, keep: set[Path]) -> None:
    """Make the folder match the XML: PDFs of leaders no longer included go."""
    if not arkiv_dir.exists():
        return
    for pdf in arkiv_dir.rglob("*.pdf"):
        if pdf not in keep:
            pdf.unlink(missing_ok=True)
    for folder in sorted((p for p in arkiv_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _dokumentfil(arkiv_dir: Path, rolle: str, pdf: Path) -> Dokumentfil:
    return Dokumentfil(
        rolle=rolle,
        sti=pdf.relative_to(arkiv_dir).as_posix(),
        sha256=sha256_file(pdf),
        storrelse=pdf.stat().st_size,
    )
