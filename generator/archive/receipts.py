"""The archive's answers: `arkivmeldingKvittering` files, read and checked against KS' v1 schema.

The Fiks IO integration saves each receipt (payload of
`no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering`) under whatever name it likes,
so every file in the folder is read and judged by its content. A receipt names the record by
the `referanseEksternNoekkel` the message carried; matching that to a leader is the command's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .fiks import MDK, SCHEMAS, parse_xml, schema_problems

KVITTERING_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
FEIL_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
SCHEMA = SCHEMAS / f"{KVITTERING_TYPE}.xsd"
ROOT = f"{{{NS}}}arkivmeldingKvittering"
# A receipt is a few kilobytes; anything far larger is not one, and is not read into memory.
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Kvittering:
    """A registrering the archive created or already had."""

    fil: str  # as the user sees it: relative to the receipts folder
    fagsystem: str
    noekkel: str
    system_id: str
    opprettet_eller_eksisterende: str  # "Opprettet" or "Eksisterende"
    journalaar: int | None = None
    journalsekvensnummer: int | None = None
    journalpostnummer: int | None = None


@dataclass
class Avvist:
    """A file that is not a usable receipt, or a receipt saying the registrering failed."""

    fil: str
    grunn: str

    def __str__(self) -> str:
        return f"{self.fil}: {self.grunn}"


def read_folder(folder: Path) -> tuple[list[Kvittering], list[Avvist]]:
    """Every file under `folder` (hidden files aside), in name order."""
    kvitteringer, avvist = [], []
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in files:
        outcome = read_file(path, path.relative_to(folder).as_posix())
        (kvitteringer if isinstance(outcome, Kvittering) else avvist).append(outcome)
    return kvitteringer, avvist


def read_file(path: Path, fil: str) -> Kvittering | Avvist:
    try:
        if path.stat().st_size > MAX_BYTES:
            return Avvist(fil, "filen er for stor til å være en kvittering fra arkivet")
        data = path.read_bytes()
    except OSError as exc:
        return Avvist(fil, f"filen kan ikke leses ({exc.strerror or exc})")
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as exc:
        return Avvist(fil, f"er ikke gyldig XML ({exc.msg})")
    if root.getroottree().docinfo.doctype:
        # A receipt never has one; entities it could declare are left unexpanded, not trusted.
        return Avvist(fil, "er ikke en kvittering fra arkivet (inneholder en DOCTYPE-erklæring)")
    if root.tag != ROOT:
        return Avvist(fil, f"er ikke en arkivmeldingKvittering (rotelementet er «{etree.QName(root).localname}»)")
    problems = schema_problems(root, SCHEMA)
    if problems:
        return Avvist(fil, "samsvarer ikke med skjemaet for arkivmeldingKvittering: " + "; ".join(problems[:3]))
    return _receipt(root, fil)


def _receipt(root, fil: str) -> Kvittering | Avvist:
    for tag, what in (("mappeFeilet", "mappen"), ("registreringFeilet", "registreringen")):
        feil = root.find(f"{{{NS}}}{tag}")
        if feil is not None:
            melding = feil.findtext(f"{{{FEIL_NS}}}feilmelding") or ""
            feil_id = feil.findtext(f"{{{FEIL_NS}}}feilId") or ""
            return Avvist(fil, f"arkivet melder at {what} feilet: {melding.strip()} (feilId {feil_id.strip()})")
    reg = root.find(f"{{{NS}}}registreringKvittering")
    if reg is None:
        return Avvist(fil, "kvitteringen gjelder ingen registrering (mangler registreringKvittering)")
    noekkel = reg.find(f"{{{NS}}}referanseEksternNoekkel")
    if noekkel is None:
        return Avvist(fil, "kvitteringen mangler referanseEksternNoekkel, så den kan ikke knyttes til en leder")
    return Kvittering(
        fil=fil,
        fagsystem=(noekkel.findtext(f"{{{MDK}}}fagsystem") or "").strip(),
        noekkel=(noekkel.findtext(f"{{{MDK}}}noekkel") or "").strip(),
        system_id=(reg.findtext(f"{{{NS}}}systemID") or "").strip(),
        opprettet_eller_eksisterende=(reg.findtext(f"{{{NS}}}opprettetEllerEksisterende") or "").strip(),
        journalaar=_int(reg, "journalaar"),
        journalsekvensnummer=_int(reg, "journalsekvensnummer"),
        journalpostnummer=_int(reg, "journalpostnummer"),
    )


def _int(reg, tag: str) -> int | None:
    # The schema has checked these are xs:int; a plain registreringKvittering has none.
    text = reg.findtext(f"{{{NS}}}{tag}")
    return int(text) if text is not None and text.strip() else None
