"""The archive's replies as the Fiks IO integration stores them, and what each means for HR.

The integration saves a reply as `<navn>.json` holding `meldingstype` (the reply's type) and
`svarPaMelding` (the `klientMeldingId` from the `melding.json` of the message it answers), with
the payload, when the reply has one, beside it as `<navn>.xml`. A receipt's payload is read by
`receipts.py`; this module reads the envelope, the error replies (`ugyldigforespoersel`,
`serverfeil`, `ikkefunnet`, after KS' v1 schemas vendored in schemas/fiks-arkiv/) and says, in
Norwegian, what went wrong and what to do (`advice_now`: also what it means now, given the message in
fiks/ and what arkivert.json holds). Everything read here comes from outside: bounded in size and
depth, parsed without entities or DTDs, checked against the schema (root element and namespace first)
before anything is believed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..model import Leder
from ..store.files import TooLarge, read_json_object, read_plain_file
from ..store.year import YearFolder
from .arkivert import Arkivert, description
from .fiks import SCHEMAS, folder_name, parse_xml, schema_problems
from .outbox import ENVELOPE_NAME
from ..advice import run

KVITTERING = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
MOTTATT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.mottatt"
FEIL_BASE_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
# An envelope holds two short strings; a reply's payload a few kilobytes.
MAX_ENVELOPE_BYTES = 64 * 1024
MAX_BYTES = 1024 * 1024
# See receipts.py: every element needs a «<» and every attribute a «=»; a reply has a few dozen.
MAX_MARKUP = 5000
# The archive's own text is shown to HR as it is, but never more of it than a screenful.
MAX_FEILMELDING = 600


@dataclass(frozen=True)
class Feiltype:
    """One of KS' error replies: its name (the payload's root element) and what it means for HR."""

    navn: str
    hva: str  # what went wrong
    gjor: str  # what HR or the archivist should do

    @property
    def meldingstype(self) -> str:
        return f"no.ks.fiks.arkiv.v1.feilmelding.{self.navn}"

    @property
    def schema(self) -> Path:
        return SCHEMAS / f"{self.meldingstype}.xsd"

    @property
    def root(self) -> str:
        return f"{{https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/{self.navn}/v1}}{self.navn}"


FEILTYPER = {t.meldingstype: t for t in (
    Feiltype("ugyldigforespoersel",
             "arkivet avviste meldingen som ugyldig, og den er ikke arkivert",
             "Rett det feilmeldingen peker på (ofte Arkivsak, Plassering eller kodene i arket Kommune, "
             f"eller dokumentene), {run('arkiv')} på nytt og send den nye meldingen. Er feilmeldingen "
             "uklar, spør arkivaren."),
    Feiltype("serverfeil",
             "arkivsystemet fikk en feil da det behandlet meldingen, og den er ikke arkivert; meldingen selv er "
             "trolig i orden",
             "Send den samme meldingen på nytt senere. Gjentar feilen seg, be arkivaren kontakte leverandøren av "
             "arkivsystemet og oppgi feilId."),
    Feiltype("ikkefunnet",
             "arkivet finner ikke saken eller mappen meldingen skal inn i, og den er ikke arkivert",
             "Sjekk Arkivsak (og Plassering) i arket Kommune sammen med arkivaren: saken må finnes i arkivet. "
             f"Rett arbeidsboken, {run('arkiv')} på nytt og send den nye meldingen."),
)}
# KS' own list of message types (meldingstyper.json, v1) spells this one «no.ks.fik.arkiv…»; an
# integration that copied the list may store replies under that name.
ALIASES = {"no.ks.fik.arkiv.v1.feilmelding.ugyldigforespoersel": "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel"}
KNOWN = (KVITTERING, MOTTATT, *FEILTYPER)


@dataclass
class Avvist:
    """A file that is not a usable reply, or a receipt saying the registrering failed."""

    fil: str
    grunn: str

    def __str__(self) -> str:
        return f"{self.fil}: {self.grunn}"


@dataclass
class Konvolutt:
    """`<navn>.json`: which reply this is, and to which message."""

    fil: str
    meldingstype: str
    svar_pa: str  # klientMeldingId of the message answered


@dataclass
class Svar:
    """A reply that is not a receipt: `mottatt` (feil is None) or one of the error replies."""

    fil: str
    svar_pa: str
    feil: Feiltype | None = None
    feil_id: str = ""
    feilmelding: str = ""

    def advice(self) -> str:
        """What went wrong and what to do."""
        assert self.feil is not None
        sagt = f"«{self.feilmelding}»" if self.feilmelding else "ingen feilmelding"
        feil_id = f", feilId {self.feil_id}" if self.feil_id else ""
        return f"{self.feil.navn}: {self.feil.hva} (arkivet sier {sagt}{feil_id}). {self.feil.gjor}"


def advice_now(svar: Svar, leder: Leder, year: YearFolder, arkivert: Arkivert, log: dict[str, dict]) -> str:
    """The error reply's advice, and what it means now: where the message is, whether the archive has
    confirmed the leader anyway (that record stays), whether a newer message has been made since.
    `log`: outbox.read_log, the messages by klientMeldingId."""
    lines = [svar.advice()]
    mappe = year.fiks / folder_name(leder.ansattnr)
    now = _envelope_id(mappe / ENVELOPE_NAME)
    if now is not None:
        older = now != svar.svar_pa
    else:  # no message in fiks/ now: a later one in the log says the same
        sendt = str(log.get(svar.svar_pa, {}).get("laget", ""))
        older = any(entry.get("ansattnr") == leder.ansattnr and str(entry.get("laget", "")) > sendt
                    for melding_id, entry in log.items() if melding_id != svar.svar_pa)
    if older:
        lines.append("Svaret gjelder en eldre utgave av meldingen; en nyere er laget siden, og det er den som "
                     "skal sendes.")
    entry = arkivert.ledere.get(leder.ansattnr)
    if entry is not None:
        same = entry.get("klientMeldingId") == svar.svar_pa
        lines.append(f"Arkivet har {'også kvittert for den samme meldingen' if same else 'likevel kvittert for lederen'} "
                     f"({description(entry)}), og den registreringen står i arkivert.json. Sjekk i arkivet at "
                     "journalposten finnes; gjør den det, er ingenting tapt, og feilsvaret kan flyttes ut av mappen.")
    elif now is not None:
        lines.append(f"Meldingen som skal sendes, ligger i {year.relative(mappe)}/.")
    else:
        lines.append(f"Meldingen ligger ikke lenger under fiks/: {run('arkiv')} for å lage den på nytt.")
    return " ".join(lines)


def _envelope_id(path: Path) -> str | None:
    """The klientMeldingId of the message now in the outbox (this tool's own file), if any."""
    try:
        data = read_json_object(path)
    except ValueError:
        return None
    return data.get("klientMeldingId") if isinstance(data.get("klientMeldingId"), str) else None


def read_envelope(path: Path, fil: str) -> Konvolutt | Avvist:
    data = _read_bounded(path, fil, MAX_ENVELOPE_BYTES)
    if isinstance(data, Avvist):
        return data
    try:
        content = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Avvist(fil, f"er ikke et svar fra arkivet (ikke gyldig JSON: {exc})")
    except RecursionError:
        # «[[[[…» of a few kilobytes exhausts Python's JSON parser; an envelope is one flat object.
        return Avvist(fil, "er ikke et svar fra arkivet (JSON-en er nøstet langt dypere enn et svar er)")
    if not isinstance(content, dict):
        return Avvist(fil, "er ikke et svar fra arkivet (JSON-filen er ikke et objekt med meldingstype og svarPaMelding)")
    meldingstype, svar_pa = content.get("meldingstype"), content.get("svarPaMelding")
    if not isinstance(meldingstype, str) or not meldingstype.strip():
        return Avvist(fil, "er ikke et svar fra arkivet (mangler meldingstype)")
    meldingstype = ALIASES.get(meldingstype.strip(), meldingstype.strip())
    if meldingstype not in KNOWN:
        return Avvist(fil, f"meldingstypen «{_shown(meldingstype, 120)}» er ikke et svar på en arkivmelding; "
                           f"kjente svar er {', '.join(KNOWN)}")
    if not isinstance(svar_pa, str) or not svar_pa.strip():
        return Avvist(fil, "mangler svarPaMelding (klientMeldingId fra melding.json i meldingen det svares på), "
                           "så svaret kan ikke knyttes til en leder")
    return Konvolutt(fil, meldingstype, svar_pa.strip())


def read_error(konvolutt: Konvolutt, payload: Path | None, payload_fil: str) -> Svar | Avvist:
    """The error reply the envelope announces, its payload checked against KS' schema for it."""
    feil = FEILTYPER[konvolutt.meldingstype]
    if payload is None:
        # The archive's words are lost, but the reply itself still says the message failed.
        return Svar(konvolutt.fil, konvolutt.svar_pa, feil)
    root = read_xml(payload, payload_fil, feil.navn)
    if isinstance(root, Avvist):
        return root
    wrong = wrong_root(root, feil.root, feil.navn)
    if wrong:
        return Avvist(payload_fil, f"{wrong} ({konvolutt.fil} sier at svaret er en {feil.navn})")
    problems = schema_problems(root, feil.schema)
    if problems:
        return Avvist(payload_fil, f"samsvarer ikke med skjemaet for {feil.navn}: " + "; ".join(problems[:3]))
    return Svar(konvolutt.fil, konvolutt.svar_pa, feil,
                feil_id=_shown(root.findtext(f"{{{FEIL_BASE_NS}}}feilId") or "", 100),
                feilmelding=_shown(root.findtext(f"{{{FEIL_BASE_NS}}}feilmelding") or "", MAX_FEILMELDING))


def wrong_root(root, expected: str, what: str) -> str:
    """Why `root` is not the `what` whose root element is `expected` (Clark notation), "" when it is.

    The same name in another namespace is said as such: KS' replies differ by namespace only (a v2
    reply, or one from another protocol, has the same element name), so «the root is serverfeil» would
    not tell HR or the integration what is wrong."""
    if root.tag == expected:
        return ""
    found, wanted = etree.QName(root), etree.QName(expected)
    if found.localname == wanted.localname:
        has = f"har navnerommet «{_shown(found.namespace, 200)}»" if found.namespace else "har ikke noe navnerom"
        return (f"er ikke en {what} fra Fiks Arkiv v1: rotelementet «{found.localname}» {has}, men en {what} "
                f"har «{wanted.namespace}»")
    return f"er ikke en {what} (rotelementet er «{_shown(found.localname, 100)}», ikke «{wanted.localname}»)"


def read_xml(path: Path, fil: str, what: str):
    """The root of the XML reply at `path`, or why it cannot be read: bounded, no DTD, no entities."""
    data = _read_bounded(path, fil, MAX_BYTES)
    if isinstance(data, Avvist):
        return data
    if data.count(b"<") > MAX_MARKUP or data.count(b"=") > MAX_MARKUP:
        return Avvist(fil, f"er ikke en {what} fra arkivet (langt flere elementer eller attributter enn "
                           f"en {what} har)")
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        return Avvist(fil, f"er ikke gyldig XML ({exc.msg})")
    if root.getroottree().docinfo.doctype:
        # A reply never has one; entities it could declare are left unexpanded, not trusted.
        return Avvist(fil, f"er ikke en {what} fra arkivet (inneholder en DOCTYPE-erklæring)")
    return root


def _read_bounded(path: Path, fil: str, limit: int) -> bytes | Avvist:
    try:
        data = read_plain_file(path, limit)
    except TooLarge:
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"
        return Avvist(fil, f"filen er for stor til å være et svar fra arkivet (over {size})")
    except ValueError as exc:
        return Avvist(fil, f"kan ikke leses ({exc})")
    if data is None:
        return Avvist(fil, "filen forsvant mens mappen ble lest")
    return data


def _shown(text: str, limit: int) -> str:
    """Outside text as one line HR can read: no control characters (a terminal would obey them), cut short."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
