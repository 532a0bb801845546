"""What is archived for one leader, defined once for both exports (Noark 5 and Fiks Arkiv).

The documents as written to disk, their titles, their status, their screening, and the
identities the records system recognises them by. `noark5.py` and `fiks.py` only arrange these
facts in their own schema.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..documents.kinds import KINDS, by_role
from ..documents.privacy import PrivacyGuard
from ..exceptions import WorkbookError
from ..model import (
    DEFAULT_SKJERMINGSHJEMMEL,
    DEFAULT_TILGANGSKODE,
    KLASSE_ANSATTNR,
    PLASSERING_PERSONALMAPPE,
    Arbeidsbok,
    Kommune,
    Leder,
    Problem,
)
from .formats import PDFA_2B as PDFA_2B_FORMAT
from .kodelister import Kode, kode


# Who made the records, as the archive's opprettetAv/fagsystem fields name it.
FAGSYSTEM = "lederavtale"

# A fixed namespace makes systemIDs and keys a pure function of kommune, year, Ansattnr and role,
# so a rerun (or the other export) gives the records system the same identities. (The name is
# historical: changing it would change every identity already handed to an archive.)
SYSTEM_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lederavtale:noark5:arkivstruktur")

# The files: PDF/A-2b made by LibreOffice, or a signed copy as it came back (formats.py),
# described by PRONOM id, MIME type and SHA-256.
DOCX = "fmt/412"
MIME_PDF = "application/pdf"
SJEKKSUM_ALGORITME = "SHA256"

ARKIVFORMAT = kode("variantformat", "A")
# A signed copy that is not PDF/A is kept as it is (converting it would break the signatures),
# so it is the production format and the archive decides what to make of it.
PRODUKSJONSFORMAT = kode("variantformat", "P")
# The kinds archived for each leader (the agreement and its appendix), in the record's order, and
# each one's codes by role.
ARCHIVED = tuple(sorted((k for k in KINDS.values() if k.arkiv), key=lambda k: k.arkiv.dokumentnummer))
TILKNYTTET = {k.rolle: kode("tilknyttetregistreringsom", k.arkiv.tilknyttet) for k in ARCHIVED}
DOKUMENTNUMMER = {k.rolle: k.arkiv.dokumentnummer for k in ARCHIVED}
# X, not N: the agreement passes between two internal parties and, once signed, asks nothing
# more of the records office (N would put it on the list of documents awaiting a reply).
JOURNALPOSTTYPE = kode("journalposttype", "X")
# Only a signed agreement is filed as final; one packaged with --alle is under editing.
FERDIGSTILT = kode("dokumentstatus", "F")
UNDER_REDIGERING = kode("dokumentstatus", "B")
# The superior sends the agreement, the leader receives it; both are inside the organisation.
INTERN_AVSENDER = kode("korrespondanseparttype", "IA")
INTERN_MOTTAKER = kode("korrespondanseparttype", "IM")

MASK = "******"
VEDLEGG_TITTEL = "Personlige utviklingsmål"

try:
    NORSK_TID = ZoneInfo("Europe/Oslo")
except ZoneInfoNotFoundError:  # Windows without the tzdata package: the machine's own zone
    NORSK_TID = None


@dataclass
class Dokumentfil:
    """One archived PDF, described by what is on disk."""

    rolle: str  # "avtale" (public main document) or "vedlegg" (screened attachment)
    sti: str  # relative to the arkiv folder, with "/" separators
    sha256: str
    storrelse: int
    filformat: Kode = PDFA_2B_FORMAT  # PRONOM id and name
    variantformat: Kode = ARKIVFORMAT
    konvertert: bool = True  # made from the .docx by this run (False: a signed copy, byte for byte)

    @property
    def filnavn(self) -> str:
        """The name a person sees (æøå kept): the PDF's name in the arkiv folder."""
        return PurePosixPath(self.sti).name

    @property
    def hoved(self) -> bool:
        return by_role(self.rolle).arkiv.hoved


@dataclass
class Journalpost:
    """One leader's agreement and appendix, as one record in the archive."""

    leder: Leder
    overordnet: Leder | None
    avtale: Dokumentfil
    vedlegg: Dokumentfil
    # Final (journalstatus F, dokumentstatus F): every document is a signed copy, or HR vouched
    # for a rendering with Signert and --godta-usignert. `arkiv` decides; the exports only say it.
    ferdig: bool = False
    dato: date | None = None  # the day it was signed (dokumentetsDato), for a final record only

    def __post_init__(self) -> None:
        # A document under editing (B) is not yet in its archival form: the archive makes that when
        # it is finished. So a draft is always sent as production format, as KS' own examples send
        # their documents; A beside B would contradict itself. Both exports read it from here.
        if not self.ferdig:
            self.avtale = replace(self.avtale, variantformat=PRODUKSJONSFORMAT)
            self.vedlegg = replace(self.vedlegg, variantformat=PRODUKSJONSFORMAT)

    @property
    def dokumenter(self) -> tuple[Dokumentfil, Dokumentfil]:
        return self.avtale, self.vedlegg

    @property
    def dokumentstatus(self) -> Kode:
        return FERDIGSTILT if self.ferdig else UNDER_REDIGERING


@dataclass
class Arkivpakke:
    """Everything `arkivstruktur.xml`, `import.csv` and the Fiks messages are made from."""

    kommune: Kommune
    journalposter: list[Journalpost]
    opprettet: datetime  # timezone-aware, Norwegian time
    # The sak's systemID in the archive, when known: the Fiks message points at the sak by it instead of
    # by Arkivsak's saksnummer (fiks._plassering). Empty: by saksnummer. Not used with personalmappe.
    sak_system_id: str = ""

    @property
    def ar(self) -> int:
        return self.kommune.periode.ar


# --- time -------------------------------------------------------------------------------------


def norsk_tid(when: datetime | None = None) -> datetime:
    """`when` (default: now) as Norwegian local time: a package made at 00:30 in January is dated
    that day, not the day before as UTC would have it."""
    when = when or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(NORSK_TID) if NORSK_TID else when.astimezone()


# --- identities -------------------------------------------------------------------------------


def system_id(kommune: Kommune, *parts: object) -> str:
    key = "|".join([kommune.navn.strip().casefold(), str(kommune.periode.ar), *map(str, parts)])
    return str(uuid.uuid5(SYSTEM_ID_NAMESPACE, key))


def ekstern_noekkel(kommune: Kommune, ansattnr: str) -> str:
    """The leader's record as this tool knows it (referanseEksternNoekkel/noekkel): the same for the
    same kommune, year and Ansattnr on every run, so a resent message is recognised as
    `Eksisterende`. It is the Noark 5 export's systemID of the same record."""
    return system_id(kommune, ansattnr, "journalpost")


# --- where the records go ---------------------------------------------------------------------

_ARKIVSAK = re.compile(r"^\s*(\d{2}|\d{4})\s*/\s*(\d{1,7})\s*$")
# Fiks Arkiv's systemID is a UUID (metadatakatalog.xsd, simpleType ID); nothing else passes its schema.
_SYSTEM_ID = re.compile(r"[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}")


def is_system_id(text: str) -> bool:
    """Whether `text` (trimmed) is a systemID as Fiks Arkiv writes one: a UUID, 22f05e04-37c4-4051-8b3a-…"""
    return bool(_SYSTEM_ID.fullmatch(text.strip()))


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


def personalmappe(kommune: Kommune) -> bool:
    return kommune.plassering == PLASSERING_PERSONALMAPPE


def check_placement(kommune: Kommune, sak_system_id: str = "") -> None:
    """WorkbookError unless the records have somewhere to go (a valid Arkivsak or the sak's systemID, or
    a personalmappe per leader: the workbook's check made sure of its klassifikasjon) and someone
    responsible: without a Saksbehandler the archive files them as its integration's default user, not HR."""
    problems = []
    if not personalmappe(kommune):
        if sak_system_id.strip() and not is_system_id(sak_system_id):
            problems.append(Problem("Kommune (sakens systemID)",
                                    f"«{sak_system_id.strip()}» er ikke en systemID fra arkivet (en UUID, f.eks. "
                                    "22f05e04-37c4-4051-8b3a-853c8eac4b33)"))
        if kommune.arkivsak.strip():
            parse_arkivsak(kommune.arkivsak, kommune.periode.ar)
        elif sak_system_id.strip():
            pass  # the sak by its systemID alone
        else:
            problems.append(Problem(
                kommune.celle("arkivsak", "Arkivsak"),
                "fyll ut Arkivsak (saksnummeret avtalene skal arkiveres i, f.eks. 2027/123), eller sett Plassering "
                "til «personalmappe»; ellers vet ikke arkivet hvor avtalene skal plasseres"))
    if not saksbehandler(kommune):
        problems.append(Problem(
            kommune.celle("saksbehandler", "Saksbehandler"),
            "Saksbehandler mangler (og Avsender er tom): skriv HRs bruker i sak/arkiv-systemet (e-postadresse "
            "eller initialer). Den er saksbehandler og behandlingsansvarlig for hver journalpost; uten den blir "
            "avtalene registrert på integrasjonens standardbruker i stedet for HR"))
    if problems:
        raise WorkbookError(problems)


def mappe_noekkel(kommune: Kommune, ansattnr: str) -> str:
    """The leader's personalmappe as this tool knows it: without the year, since the mappe outlives
    the period, and next year's agreement must find the same mappe (the archive answers
    `Eksisterende`)."""
    key = "|".join([kommune.navn.strip().casefold(), "personalmappe", ansattnr])
    return str(uuid.uuid5(SYSTEM_ID_NAMESPACE, key))


# Klasse = Fødselsnummer: each leader's personalmappe is classified by the leader's fødselsnummer (column
# Fødselsnummer in Ledere), as KS classifies a personnel folder in its own example message: fiks-protokoll-
# validator, TestCases/no.ks.fiks.arkiv.v1/NyMappeMedJournalpostN1/arkivmelding.xml, a saksmappe with
# <klassifikasjonssystemID>Personnummer</klassifikasjonssystemID> and the eleven digits as <klasseID>. So the
# archive finds the folder it already has for the employee. The words HR may write for it, folded:
KLASSE_FODSELSNUMMER = ("fødselsnummer", "fodselsnummer", "foedselsnummer", "personnummer", "fnr")


def klasse_fodselsnummer(kommune: Kommune) -> bool:
    """Whether each leader's personalmappe is classified by the leader's fødselsnummer (Klasse = Fødselsnummer)."""
    return personalmappe(kommune) and kommune.klasse.strip().casefold() in KLASSE_FODSELSNUMMER


def klasse_id(kommune: Kommune, leder: Leder) -> str:
    """The personalmappe's klasseID: the leader's Ansattnr (Klasse = Ansattnr), the leader's fødselsnummer
    (Klasse = Fødselsnummer), or Klasse as written. The fødselsnummer is secret like the goals: this is the
    one place it leaves the workbook, into the Fiks message's klassifikasjon (fiks._personalmappe), and
    `arkiv` refuses a leader without one before (`missing_fodselsnummer`)."""
    klasse = kommune.klasse.strip()
    if klasse.casefold() == KLASSE_ANSATTNR:
        return leder.ansattnr
    if klasse_fodselsnummer(kommune):
        return leder.fodselsnummer
    return klasse


def klassifikasjon_warning(kommune: Kommune) -> str | None:
    """A warning when the mappe is classified by fødselsnummer in a system named for employee numbers: the
    archive would look for the number among its Ansattnummer classes and not find the folder it has."""
    system = kommune.klassifikasjonssystem.strip()
    if not klasse_fodselsnummer(kommune) or system.casefold() not in ("ansattnummer", "ansattnr", "ansattnr."):
        return None
    return (f"{kommune.celle('klassifikasjonssystem', 'Klassifikasjonssystem')}: Klassifikasjonssystem er «{system}», "
            f"men Klasse er «{kommune.klasse.strip()}»: personalmappene klassifiseres med fødselsnummeret i et system "
            "for ansattnumre. Skriv arkivets navn på klassifikasjonssystemet for fødselsnummer (i KS' eksempel "
            "Personnummer), eller sett Klasse til Ansattnr")


def missing_fodselsnummer(kommune: Kommune, leder: Leder, cell: str) -> str | None:
    """Why the leader cannot be archived when the personalmappe is classified by fødselsnummer and the
    leader has none (`cell`: the leader's Fødselsnummer cell, `Ledere!Q5`); None when nothing is missing.
    Names the cell, never a number."""
    if not klasse_fodselsnummer(kommune) or leder.fodselsnummer:
        return None
    return (f"{cell}: Fødselsnummer mangler. Klasse i arket Kommune er «{kommune.klasse.strip()}», så lederens "
            "personalmappe klassifiseres med fødselsnummeret, og lederen arkiveres ikke uten det. Fyll ut "
            "fødselsnummeret (11 siffer) i cellen, eller sett Klasse til Ansattnr")


def mappe_tittel(leder: Leder) -> str:
    return f"Personalmappe – {leder.navn}"


def mappe_offentlig_tittel(leder: Leder, skjerm_navn: bool) -> str:
    return f"Personalmappe – {mask_words(leder.navn)}" if skjerm_navn else mappe_tittel(leder)


# --- who is responsible -----------------------------------------------------------------------

def saksbehandler(kommune: Kommune) -> str:
    """HR's user in the archive: Saksbehandler, else Avsender, HR's own address that the agreements
    went out from (archives match users by e-mail), so that a workbook made before the field
    existed still names HR; `saksbehandler_warning` says so."""
    return kommune.saksbehandler.strip() or kommune.avsender.strip()


def saksbehandler_warning(kommune: Kommune) -> str | None:
    if kommune.saksbehandler.strip() or not kommune.avsender.strip():
        return None
    return (f"{kommune.celle('saksbehandler', 'Saksbehandler')}: Saksbehandler er tom, så arkiv oppgir Avsender "
            f"«{kommune.avsender.strip()}» som HRs bruker i sak/arkiv-systemet (saksbehandler og behandlingsansvarlig); "
            "skriv brukeren arkivet kjenner HR som, hvis det er en annen")


def saksbehandler_identifikatorer(saksbehandler: str) -> list[tuple[str, str]]:
    """HR's user as Fiks' `identifikatorer` give it (their order is the schema's): as typed in
    `identifikator`, and again as what it is, e-mail or initials, so that an adapter matching on
    either finds the user."""
    value = saksbehandler.strip()
    kind = "epostadresse" if "@" in value else "initialer"
    return [("identifikator", value), (kind, value)]


def hr_navn(kommune: Kommune) -> str:
    """The responsible party's name: HR's unit, else the municipality itself (nothing invented)."""
    return kommune.administrativ_enhet.strip() or kommune.navn


# --- screening --------------------------------------------------------------------------------


def tilgangskode(kommune: Kommune) -> str:
    # An empty cell must not produce an appendix without an access code.
    return kommune.tilgangskode.strip() or DEFAULT_TILGANGSKODE


def skjermingshjemmel(kommune: Kommune) -> str:
    return kommune.skjermingshjemmel.strip() or DEFAULT_SKJERMINGSHJEMMEL


def mask_words(text: str) -> str:
    """Noark screening of selected words: each word becomes the same run of asterisks,
    so not even the length of a name is disclosed."""
    return " ".join(MASK for _ in text.split())


# --- titles -----------------------------------------------------------------------------------


def journalpost_tittel(leder: Leder, ar: int) -> str:
    return f"Lederavtale {ar} – {leder.navn}, {leder.stilling}, {leder.enhet}"


def offentlig_tittel(leder: Leder, ar: int, skjerm_navn: bool) -> str:
    """The agreement is public, so by default its public title names the leader. With Skjerm navn,
    the position and the unit go too: «Virksomhetsleder, Testvik sykehjem» identifies a leader
    as surely as the name does."""
    if not skjerm_navn:
        return journalpost_tittel(leder, ar)
    return f"Lederavtale {ar} – {mask_words(leder.navn)}, {mask_words(leder.stilling)}, {mask_words(leder.enhet)}"


def check_titles(bok: Arbeidsbok) -> None:
    """PrivacyViolation when a title holds goal text: the titles are public (the records system's public
    journal shows them), so they pass the same guard as every public document."""
    guard = PrivacyGuard(bok)
    ar = bok.kommune.periode.ar
    for leder in bok.avtaleledere():
        titles = (journalpost_tittel(leder, ar), offentlig_tittel(leder, ar, bok.kommune.skjerm_navn))
        guard.check("\n".join(titles), leder, ("arkivtittelen", "Arkivpakken"))


def dokument_tittel(fil: Dokumentfil, leder: Leder, ar: int, skjerm_navn: bool) -> str:
    """A document title has no public variant in Noark or Fiks, so it names the leader only when the
    names are not screened; the appendix's title never does."""
    if not fil.hoved:
        return VEDLEGG_TITTEL
    return f"Lederavtale {ar}" if skjerm_navn else f"Lederavtale {ar} – {leder.navn}"


def party_contact(person: Leder) -> list[tuple[str, str]]:
    """What both exports say of a party after its type: the name, and the e-mail address when known."""
    return [("korrespondansepartNavn", person.navn)] + ([("epostadresse", person.epost)] if person.epost else [])
