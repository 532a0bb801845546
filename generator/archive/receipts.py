"""The archive's answers: `arkivmeldingKvittering` files, read and checked against KS' v1 schema.

The Fiks IO integration saves each receipt (payload of
`no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering`) under whatever name it likes,
so every file in the folder is read and judged by its content. A receipt names the record by
the `referanseEksternNoekkel` the message carried; `note_receipts` matches it to a leader of the
workbook and notes it in `arkivert.json`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ..model import Arbeidsbok, Leder
from ..store.files import TooLarge, read_plain_file
from .fiks import MDK, SCHEMAS, parse_xml, schema_problems
from .record import FAGSYSTEM, ekstern_noekkel

if TYPE_CHECKING:
    from .arkivert import Arkivert

KVITTERING_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
FEIL_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
SCHEMA = SCHEMAS / f"{KVITTERING_TYPE}.xsd"
ROOT = f"{{{NS}}}arkivmeldingKvittering"
# A receipt is a few kilobytes; anything far larger is not one, and is not read into memory.
MAX_BYTES = 1024 * 1024
# A receipt has a few dozen elements and attributes. Parsed and checked against the schema,
# each costs hundreds of bytes (an error message each, when they are not allowed), so 1 MB of
# `a=""` would cost hundreds of MB: a file with more markup than this is refused unparsed.
# Every element needs a «<» and every attribute a «=», so counting them bounds both.
MAX_MARKUP = 5000


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
    opprettet_dato: str = ""  # the archive's opprettetDato (xs:dateTime) as it wrote it


@dataclass
class Avvist:
    """A file that is not a usable receipt, or a receipt saying the registrering failed."""

    fil: str
    grunn: str

    def __str__(self) -> str:
        return f"{self.fil}: {self.grunn}"


@dataclass
class Noted:
    """What `note_receipts` did, per leader with the entry as `arkivert.json` now has it."""

    nye: list[tuple[Leder, dict]] = field(default_factory=list)
    uendret: list[tuple[Leder, dict]] = field(default_factory=list)
    endret: list[tuple[Leder, dict]] = field(default_factory=list)
    avvist: list[Avvist] = field(default_factory=list)

    @property
    def lest(self) -> int:
        return len(self.nye) + len(self.uendret) + len(self.endret) + len(self.avvist)

    @property
    def confirmed(self) -> set[str]:
        """Ansattnr whose record this run noted first (new, or another record than before)."""
        return {leder.ansattnr for leder, _ in self.nye + self.endret}


def note_receipts(folder: Path, bok: Arbeidsbok, arkivert: Arkivert, lest: datetime) -> Noted:
    """Every receipt in `folder` matched to a leader with an agreement and noted in `arkivert`
    (not saved); the files that cannot be used, with why."""
    ledere = {ekstern_noekkel(bok.kommune, leder.ansattnr): leder for leder in bok.avtaleledere()}
    noted = Noted()
    gode, noted.avvist = read_folder(folder)
    for kvittering in gode:
        leder = ledere.get(kvittering.noekkel) if kvittering.fagsystem == FAGSYSTEM else None
        if leder is None:
            noted.avvist.append(Avvist(kvittering.fil, f"nøkkelen «{kvittering.fagsystem}: {kvittering.noekkel}» "
                                       f"hører ikke til noen leder med avtale i arbeidsboken for "
                                       f"{bok.kommune.periode.ar}"))
            continue
        outcome = arkivert.record(leder.ansattnr, leder.navn, kvittering, lest)
        found = {"ny": noted.nye, "uendret": noted.uendret, "endret": noted.endret}[outcome]
        if outcome == "endret":
            # Several conflicting receipts for one leader: one warning, with the record kept.
            found[:] = [(other, entry) for other, entry in found if other is not leder]
        found.append((leder, arkivert.ledere[leder.ansattnr]))
    noted.avvist.sort(key=lambda a: a.fil)
    return noted


def read_folder(folder: Path) -> tuple[list[Kvittering], list[Avvist]]:
    """Every file under `folder` (hidden files aside), in name order.

    Links are not followed out of the folder: the integration saves receipts as plain files,
    and a link to elsewhere would let any file on the machine pose as the archive's answer.
    A link to a file inside the folder is read; a link to a folder inside is not entered
    (its files are read where they lie).
    """
    root = Path(os.path.realpath(folder))
    outcomes: list[tuple[str, Kvittering | Avvist]] = []
    for dirpath, dirnames, filenames in os.walk(folder):  # never into a linked folder
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        here = Path(dirpath)
        links_to_folders = [d for d in dirnames if (here / d).is_symlink()]
        for name in filenames + links_to_folders:
            if name.startswith("."):
                continue
            path = here / name
            fil = path.relative_to(folder).as_posix()
            outcome = _read_entry(path, fil, root)
            if outcome is not None:
                outcomes.append((fil, outcome))
    outcomes.sort(key=lambda pair: pair[0])
    kvitteringer = [o for _, o in outcomes if isinstance(o, Kvittering)]
    avvist = [o for _, o in outcomes if isinstance(o, Avvist)]
    return kvitteringer, avvist


def _read_entry(path: Path, fil: str, root: Path) -> Kvittering | Avvist | None:
    if not path.is_symlink():
        return read_file(path, fil)
    target = Path(os.path.realpath(path))
    if not os.path.exists(target):
        return Avvist(fil, f"er en lenke til «{target}», som ikke finnes")
    if target != root and root not in target.parents:
        return Avvist(fil, f"er en lenke til «{target}», utenfor mappen med kvitteringer; "
                           "lenker ut av mappen følges ikke")
    if target.is_dir():
        return None
    return read_file(target, fil)


def read_file(path: Path, fil: str) -> Kvittering | Avvist:
    """The receipt in the plain file at `path` (a link is refused, not followed)."""
    try:
        data = read_plain_file(path, MAX_BYTES)
    except TooLarge:
        return Avvist(fil, f"filen er for stor til å være en kvittering fra arkivet (over {MAX_BYTES // (1024 * 1024)} MB)")
    except ValueError as exc:
        return Avvist(fil, f"kan ikke leses ({exc})")
    if data is None:
        return Avvist(fil, "filen forsvant mens mappen ble lest")
    if data.count(b"<") > MAX_MARKUP or data.count(b"=") > MAX_MARKUP:
        return Avvist(fil, "er ikke en kvittering fra arkivet (langt flere elementer eller attributter enn "
                           "en kvittering har)")
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
        opprettet_dato=(reg.findtext(f"{{{NS}}}opprettetDato") or "").strip(),
    )


def _int(reg, tag: str) -> int | None:
    # The schema has checked these are xs:int; a plain registreringKvittering has none.
    text = reg.findtext(f"{{{NS}}}{tag}")
    return int(text) if text is not None and text.strip() else None
