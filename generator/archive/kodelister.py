"""The archive's codes: KS' example lists (schemas/fiks-arkiv/kodelister/), the codes HR sets in
sheet Kommune, and the archive's own lists read from a saved `innsyn.kodeliste.hent` reply.

A built-in code is looked up in KS' lists rather than typed where it is used, so a code that is not
in KS' list fails at import, and the Noark 5 export (which writes the description) and the Fiks
message (which writes code and description) cannot drift apart. KS calls its lists examples: each
archive has its own, and `arkiv --kodelister` refuses a package whose codes the archive's lists
do not have, before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from ..exceptions import InvalidInput
from ..model import DEFAULT_DOKUMENTTYPE, DEFAULT_FORMATKODE, Kommune

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "fiks-arkiv"
KODELISTER = SCHEMAS / "kodelister"
# The reply to no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent (KS' Schema/V1, vendored unchanged).
RESULTAT_SCHEMA = SCHEMAS / "no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent.resultat.xsd"
RESULTAT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/kodeliste/hent/resultat/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
# The names a request may ask for (kodelistenavn): the reply does not repeat it, so the file a
# reply is saved in is named after the list it answers.
LISTENAVN_SCHEMA = SCHEMAS / "kodelister.xsd"
# A code list is a few kilobytes; anything this large is not one, and is not parsed.
MAX_REPLY_BYTES = 5_000_000
# Said of a reply that exhausts the parser (nested too deep, or too much for memory).
UNREADABLE = "kan ikke leses: filen er nøstet for dypt eller for stor til å være et svar fra arkivet"


@dataclass(frozen=True)
class Kode:
    kode: str
    beskrivelse: str


@cache
def _liste(navn: str) -> dict[str, str]:
    data = json.loads((KODELISTER / f"{navn}.json").read_text(encoding="utf-8"))
    return {entry["kodeverdi"]: entry["kodebeskrivelse"] for entry in data["kodeliste"]}


def kode(liste: str, verdi: str) -> Kode:
    """The code `verdi` of the list `liste` with KS' description; KeyError if KS has no such code."""
    return Kode(verdi, _liste(liste)[verdi])


def _example(liste: str, verdi: str) -> Kode:
    """A code HR may have set: KS' description when KS' example list has the code, else none
    (Fiks Arkiv's beskrivelse is optional, and only the archive knows its own)."""
    return Kode(verdi, _liste(liste).get(verdi, ""))


# --- the codes HR sets ----------------------------------------------------------------------------


# The defaults, and where in KS' material each comes from. KS' supported example messages for
# arkivmelding.opprett are fiks-protokoll-validator's TestCases/no.ks.fiks.arkiv.v1/NyJournalpostN1, N6,
# N8 and NyMappeMedJournalpostN1 (arkivmelding.xml; `"supported": true` in their testInformation.json).
#
# Dokumenttype: those examples use SØKNAD for every document, main document and attachment alike, which
# would file a leader agreement as an application. So the defaults are the codes that say what the
# documents are in KS' example list (Schema/V1/kodelister/no.ks.fiks.arkiv.v1.kodelister.dokumenttype,
# vendored as schemas/fiks-arkiv/kodelister/dokumenttype.json): AVTALE and VEDLEGG, model.DEFAULT_DOKUMENTTYPE.
# No default is every archive's code; `arkiv` says so on every run without --kodelister.
#
# Format: v1 has no code list for it, and the same four examples give every file
# <format><kode>PDF</kode></format>, in variantformat A and P alike. The Fiks message does the same; the
# exact format (PDF/A-2b, or a signed copy's own PDF version) and its PRONOM id go in formatDetaljer.
# The Noark 5 export keeps the PRONOM id in `format`, as Arkivverket's Noark 5 v5.0 names formats.
FIKS_FORMAT = "PDF"


def dokumenttype(kommune: Kommune, rolle: str) -> Kode:
    """The dokumenttype of the agreement (`avtale`) or the appendix (`vedlegg`)."""
    written = getattr(kommune, f"dokumenttype_{rolle}").strip()
    return _example("dokumenttype", written or DEFAULT_DOKUMENTTYPE[rolle])


def filformat(kommune: Kommune, found: Kode) -> Kode:
    """The Noark 5 export's format code of a file: the archive's own code for PDF/A-2b when HR set one
    (Formatkode), else the PRONOM id the file was identified by (formats.py)."""
    if found.kode == DEFAULT_FORMATKODE and kommune.formatkode.strip():
        return Kode(kommune.formatkode.strip(), found.beskrivelse)
    return found


def fiks_format(kommune: Kommune, found: Kode) -> Kode:
    """The Fiks message's format code of a file identified as `found` (formats.py): the archive's own
    code for PDF/A-2b when HR set one (Formatkode), else PDF, as KS' examples have it (see FIKS_FORMAT).
    No description: KS' examples give none, and PDF needs none."""
    if found.kode == DEFAULT_FORMATKODE and kommune.formatkode.strip():
        return Kode(kommune.formatkode.strip(), "")
    return Kode(FIKS_FORMAT, "")


def format_detaljer(found: Kode) -> str:
    """What the Fiks message says of a file's exact format beside the code PDF: «PDF/A-2b (fmt/477)»."""
    return f"{found.beskrivelse} ({found.kode})"


# --- the archive's lists --------------------------------------------------------------------------


@cache
def listenavn() -> tuple[str, ...]:
    """Every list a kodeliste.hent request can name (KS' kodelister.xsd)."""
    root = etree.parse(str(LISTENAVN_SCHEMA), _parser()).getroot()
    return tuple(e.get("value") for e in root.iter("{http://www.w3.org/2001/XMLSchema}enumeration"))


def _parser() -> etree.XMLParser:
    # A reply comes from outside: no entities, no DTDs, no network, no unbounded trees.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


@cache
def _resultat_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(RESULTAT_SCHEMA), _parser()))


class KodelisteError(InvalidInput):
    heading = "Arkivets kodelister kan ikke brukes. Ingenting er skrevet."


class UnknownCodes(InvalidInput):
    heading = "Arkivet kjenner ikke alle kodene arkivpakken ville brukt. Ingenting er skrevet."


@dataclass
class Kodelister:
    """The archive's lists by name (code -> description), and the file each came from."""

    lister: dict[str, dict[str, str]]
    filer: dict[str, Path]


def read_kodelister(path: Path) -> Kodelister:
    """The replies in `path`: one file, or every .xml file in a folder. Each file is named after
    the list it answers (`dokumenttype.xml`, `tilgangsrestriksjon.xml`, …), since the reply does not
    say. KodelisteError (every problem, with its file) when one cannot be used."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".xml")
        if not files:
            raise KodelisteError([f"{path}: mappen har ingen .xml-filer med svar fra arkivet"])
    elif path.is_file():
        files = [path]
    else:
        raise KodelisteError([f"{path}: finner ikke filen eller mappen med arkivets kodelister"])
    lister, filer, problems = {}, {}, []
    known = {navn.casefold(): navn for navn in listenavn()}
    for file in files:
        navn = known.get(file.stem.casefold())
        if navn is None:
            problems.append(f"{file.name}: filnavnet må være navnet på kodelisten svaret gjelder, for eksempel "
                            f"dokumenttype.xml (svaret sier det ikke selv); kodelistene er: {', '.join(listenavn())}")
            continue
        if navn in filer:
            problems.append(f"{file.name}: kodelisten {navn} står også i {filer[navn].name}")
            continue
        try:
            lister[navn] = _read_reply(file)
            filer[navn] = file
        except ValueError as exc:
            problems.append(f"{file.name}: {exc}")
        except (RecursionError, MemoryError):
            # A reply comes from outside: one that exhausts the parser is refused by name, not a traceback.
            problems.append(f"{file.name}: {UNREADABLE}")
    if problems:
        raise KodelisteError(problems)
    return Kodelister(lister, filer)


def _read_reply(file: Path) -> dict[str, str]:
    """One reply's codes; ValueError (in Norwegian) when it is not a valid kodeliste.hent reply."""
    if file.stat().st_size > MAX_REPLY_BYTES:
        raise ValueError(f"filen er over {MAX_REPLY_BYTES // 1_000_000} MB og er ikke et svar med en kodeliste")
    try:
        root = etree.fromstring(file.read_bytes(), _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"er ikke gyldig XML ({exc})") from None
    schema = _resultat_schema()
    try:
        valid = schema.validate(root)
        why = "" if valid else f"linje {schema.error_log[0].line}: {schema.error_log[0].message}"
    except etree.XMLSchemaValidateError as exc:  # libxml2 gives up on some input (an unresolved entity)
        valid, why = False, str(exc)
    if not valid:
        raise ValueError(f"er ikke et svar på no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent ({why})")
    return {entry.findtext(f"{{{MDK}}}kode").strip(): (entry.findtext(f"{{{MDK}}}beskrivelse") or "").strip()
            for entry in root.iter(f"{{{RESULTAT_NS}}}liste")}
