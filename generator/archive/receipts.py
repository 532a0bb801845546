"""The archive's answers: receipts (`arkivmeldingKvittering`) and the other replies, matched to leaders.

The Fiks IO integration saves each reply in one folder. A reply stored as the README says («Kvitteringer og andre svar tilbake»), `<navn>.json`
(meldingstype, svarPaMelding) with its payload as `<navn>.xml`, is read by `replies.py` and matched
by `svarPaMelding`, the klientMeldingId of the message it answers (outbox.py logs every one). Any
other file is judged by its content as a receipt, as the integration may name a receipt as it
likes. A receipt names its record by the `referanseEksternNoekkel` the message carried, or, when
it has none (the schema makes it optional), by its envelope's svarPaMelding. `note_receipts`
notes receipts in `arkivert.json`; the other replies are told, never written over a receipt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..model import Arbeidsbok, Leder
from ..store.year import FIKS_LOG_NAME
from .arkivert import Arkivert, Kvittering
from .fiks import MDK, SCHEMAS, schema_problems
from .record import FAGSYSTEM, ekstern_noekkel
from .replies import KVITTERING, MAX_BYTES, MAX_MARKUP, MOTTATT, Avvist, Konvolutt, Svar, read_envelope, \
    read_error, read_xml, wrong_root

__all__ = ["Avvist", "MAX_BYTES", "MAX_MARKUP", "Noted", "note_receipts", "read_file", "read_folder"]

KVITTERING_TYPE = KVITTERING
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
FEIL_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
SCHEMA = SCHEMAS / f"{KVITTERING_TYPE}.xsd"
ROOT = f"{{{NS}}}arkivmeldingKvittering"
ENVELOPE_SUFFIX = ".json"
PAYLOAD_SUFFIX = ".xml"
UNREADABLE = ("kan ikke leses: filen er nøstet for dypt eller for stor til å være et svar fra arkivet, og er ikke "
              "brukt (de andre svarene i mappen er lest)")


@dataclass
class Noted:
    """What `note_receipts` did, per leader with the entry as `arkivert.json` now has it."""

    nye: list[tuple[Leder, dict]] = field(default_factory=list)
    uendret: list[tuple[Leder, dict]] = field(default_factory=list)
    endret: list[tuple[Leder, dict]] = field(default_factory=list)
    mottatt: list[tuple[Leder, Svar]] = field(default_factory=list)  # received, the receipt still to come
    feilsvar: list[tuple[Leder, Svar]] = field(default_factory=list)  # the archive's error replies
    avvist: list[Avvist] = field(default_factory=list)

    @property
    def lest(self) -> int:
        return sum(len(found) for found in (self.nye, self.uendret, self.endret, self.mottatt, self.feilsvar,
                                            self.avvist))

    @property
    def confirmed(self) -> set[str]:
        """Ansattnr whose record this run noted first (new, or another record than before)."""
        return {leder.ansattnr for leder, _ in self.nye + self.endret}


def note_receipts(folder: Path, bok: Arbeidsbok, arkivert: Arkivert, lest: datetime,
                  log: dict[str, dict] | None = None) -> Noted:
    """Every reply in `folder` matched to a leader with an agreement; receipts noted in `arkivert`
    (not saved); the files that cannot be used, with why. `log`: outbox.read_log, the messages by
    klientMeldingId."""
    log = log or {}
    avtaleledere = bok.avtaleledere()
    ledere = {ekstern_noekkel(bok.kommune, leder.ansattnr): leder for leder in avtaleledere}
    by_nr = {leder.ansattnr: leder for leder in avtaleledere}
    ar = bok.kommune.periode.ar
    noted = Noted()
    gode, noted.avvist = read_folder(folder)

    def by_id(reply: Kvittering | Svar) -> Leder | Avvist:
        melding_id = reply.klient_melding_id if isinstance(reply, Kvittering) else reply.svar_pa
        entry = log.get(melding_id)
        if entry is None:
            return Avvist(reply.fil, f"svarer på meldingen «{melding_id}» (svarPaMelding), som ikke er en melding "
                                     f"lederavtale har laget for {ar} (se {FIKS_LOG_NAME})")
        leder = by_nr.get(entry["ansattnr"])
        if leder is None:
            return Avvist(reply.fil, f"svarer på meldingen til Ansattnr «{entry['ansattnr']}», som ikke har avtale "
                                     f"i arbeidsboken for {ar}")
        return leder

    # Receipts first, so that what an error reply tells knows what the archive has confirmed.
    for kvittering in (reply for reply in gode if isinstance(reply, Kvittering)):
        if kvittering.noekkel:
            leder = ledere.get(kvittering.noekkel) if kvittering.fagsystem == FAGSYSTEM else None
            if leder is None:
                noted.avvist.append(Avvist(kvittering.fil, f"nøkkelen «{kvittering.fagsystem}: {kvittering.noekkel}» "
                                           f"hører ikke til noen leder med avtale i arbeidsboken for {ar}"))
                continue
            other = by_id(kvittering) if kvittering.klient_melding_id else leder
            if other is not leder:
                why = (f"nøkkelen hører til {leder.ansattnr} {leder.navn}, men svarPaMelding gjør ikke det"
                       + (f" ({other.grunn})" if isinstance(other, Avvist) else f" (den gjelder {other.ansattnr})"))
                noted.avvist.append(Avvist(kvittering.fil, why))
                continue
        elif kvittering.klient_melding_id:
            leder = by_id(kvittering)
            if isinstance(leder, Avvist):
                noted.avvist.append(leder)
                continue
        else:
            noted.avvist.append(Avvist(kvittering.fil, "kvitteringen har ingen referanseEksternNoekkel og ligger ikke "
                                       "med en .json-fil med svarPaMelding, så den kan ikke knyttes til en leder"))
            continue
        outcome = arkivert.record(leder.ansattnr, leder.navn, kvittering, lest)
        found = {"ny": noted.nye, "uendret": noted.uendret, "endret": noted.endret}[outcome]
        if outcome == "endret":
            # Several conflicting receipts for one leader: one warning, with the record kept.
            found[:] = [(other, entry) for other, entry in found if other is not leder]
        found.append((leder, arkivert.ledere[leder.ansattnr]))
    for svar in (reply for reply in gode if isinstance(reply, Svar)):
        leder = by_id(svar)
        if isinstance(leder, Avvist):
            noted.avvist.append(leder)
        else:
            (noted.mottatt if svar.feil is None else noted.feilsvar).append((leder, svar))
    noted.avvist.sort(key=lambda a: a.fil)
    return noted


def read_folder(folder: Path) -> tuple[list[Kvittering | Svar], list[Avvist]]:
    """Every reply under `folder` (hidden files aside), in name order: `<navn>.json` with its
    `<navn>.xml`, and every other file as a receipt on its own.

    Links are not followed out of the folder: the integration saves replies as plain files,
    and a link to elsewhere would let any file on the machine pose as the archive's answer.
    A link to a file inside the folder is read; a link to a folder inside is not entered
    (its files are read where they lie).
    """
    root = Path(os.path.realpath(folder))
    outcomes: list[tuple[str, Kvittering | Svar | Avvist]] = []
    for dirpath, dirnames, filenames in os.walk(folder):  # never into a linked folder
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        here = Path(dirpath)
        links_to_folders = [d for d in dirnames if (here / d).is_symlink()]
        names = [name for name in filenames + links_to_folders if not name.startswith(".")]
        envelopes = {name for name in names if name.lower().endswith(ENVELOPE_SUFFIX)}
        payloads = {_payload_name(name): name for name in envelopes if _payload_name(name) in names}
        for name in names:
            if name in payloads:
                continue  # read with its envelope
            path = here / name
            fil = path.relative_to(folder).as_posix()
            try:
                if name in envelopes:
                    payload = _payload_name(name) if _payload_name(name) in names else None
                    outcome = _read_reply(path, fil, here / payload if payload else None, root, folder)
                else:
                    outcome = _read_entry(path, fil, root, read_file)
            except (RecursionError, MemoryError):
                # A file that exhausts a parser (nested thousands deep, or too much for memory) is refused
                # for itself alone: the other replies in the folder are still read and recorded.
                outcome = Avvist(fil, UNREADABLE)
            if outcome is not None:
                outcomes.append((fil, outcome))
    outcomes.sort(key=lambda pair: pair[0])
    replies = [o for _, o in outcomes if not isinstance(o, Avvist)]
    avvist = [o for _, o in outcomes if isinstance(o, Avvist)]
    return replies, avvist


def _payload_name(envelope: str) -> str:
    return envelope[: -len(ENVELOPE_SUFFIX)] + PAYLOAD_SUFFIX


def _read_reply(path: Path, fil: str, payload: Path | None, root: Path, folder: Path) -> Kvittering | Svar | Avvist | None:
    konvolutt = _read_entry(path, fil, root, read_envelope)
    if not isinstance(konvolutt, Konvolutt):
        return konvolutt
    payload_fil = payload.relative_to(folder).as_posix() if payload else ""
    if konvolutt.meldingstype == MOTTATT:
        return Svar(fil, konvolutt.svar_pa)  # a mottatt has no payload; one beside it is not read
    if konvolutt.meldingstype == KVITTERING:
        if payload is None:
            return Avvist(fil, f"er en kvittering, men innholdet ({_payload_name(path.name)}) ligger ikke ved siden av")
        kvittering = _read_entry(payload, payload_fil, root, read_file)
        if isinstance(kvittering, Kvittering):
            kvittering.klient_melding_id = konvolutt.svar_pa
        return kvittering
    if payload is not None:
        target = _resolve(payload, payload_fil, root)
        if not isinstance(target, Path):
            return target or Avvist(payload_fil, "er en mappe, ikke innholdet i svaret")
        payload = target
    return read_error(konvolutt, payload, payload_fil)


def _resolve(path: Path, fil: str, root: Path) -> Path | Avvist | None:
    """The plain file to read for `path`; None for a link to a folder inside (read where it lies)."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if not os.path.exists(target):
        return Avvist(fil, f"er en lenke til «{target}», som ikke finnes")
    if target != root and root not in target.parents:
        return Avvist(fil, f"er en lenke til «{target}», utenfor mappen med kvitteringer; "
                           "lenker ut av mappen følges ikke")
    if target.is_dir():
        return None
    return target


def _read_entry(path: Path, fil: str, root: Path, reader):
    target = _resolve(path, fil, root)
    return reader(target, fil) if isinstance(target, Path) else target


def read_file(path: Path, fil: str) -> Kvittering | Avvist:
    """The receipt in the plain file at `path` (a link is refused, not followed)."""
    root = read_xml(path, fil, "kvittering")
    if isinstance(root, Avvist):
        return root
    wrong = wrong_root(root, ROOT, "arkivmeldingKvittering")
    if wrong:
        return Avvist(fil, wrong)
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
    noekkel = reg.find(f"{{{NS}}}referanseEksternNoekkel")  # optional: then matched by svarPaMelding
    return Kvittering(
        fil=fil,
        fagsystem=(noekkel.findtext(f"{{{MDK}}}fagsystem") or "").strip() if noekkel is not None else "",
        noekkel=(noekkel.findtext(f"{{{MDK}}}noekkel") or "").strip() if noekkel is not None else "",
        system_id=(reg.findtext(f"{{{NS}}}systemID") or "").strip(),
        opprettet_eller_eksisterende=(reg.findtext(f"{{{NS}}}opprettetEllerEksisterende") or "").strip(),
        journalaar=_int(reg, "journalaar"),
        journalsekvensnummer=_int(reg, "journalsekvensnummer"),
        journalpostnummer=_int(reg, "journalpostnummer"),
        opprettet_dato=(reg.findtext(f"{{{NS}}}opprettetDato") or "").strip(),
        journalstatus=(reg.findtext(f"{{{NS}}}journalstatus/{{{MDK}}}kode") or "").strip(),
        dokumenter=[_dokument(db) for db in reg.findall(f"{{{NS}}}dokumentbeskrivelseKvittering")],
        mappe=_mappe(mappe) if (mappe := root.find(f"{{{NS}}}mappeKvittering")) is not None else None,
    )


def _mappe(mappe) -> dict:
    """What the archive says of the mappe the message made or found (with Plassering = personalmappe, the
    leader's own): its systemID, which next year's message and any lookup in the archive can name it by,
    its saksnummer when it is a saksmappe, and whether it was new. The schema has checked the types."""
    noekkel = mappe.find(f"{{{NS}}}referanseEksternNoekkel")
    key = (noekkel.findtext(f"{{{MDK}}}noekkel") or "").strip() if noekkel is not None else ""
    return {
        "systemID": (mappe.findtext(f"{{{NS}}}systemID") or "").strip(),
        "mappeID": (mappe.findtext(f"{{{NS}}}mappeID") or "").strip() or None,
        "saksaar": _int(mappe, "saksaar"),
        "sakssekvensnummer": _int(mappe, "sakssekvensnummer"),
        "opprettetEllerEksisterende": (mappe.findtext(f"{{{NS}}}opprettetEllerEksisterende") or "").strip(),
        "opprettetDato": (mappe.findtext(f"{{{NS}}}opprettetDato") or "").strip() or None,
        "noekkel": key or None,
    }


def _dokument(db) -> dict:
    """The archive's ids of one document and its files, by the dokumentnummer the message gave it."""
    nummer = db.findtext(f"{{{NS}}}dokumentnummer")
    return {
        "dokumentnummer": int(nummer) if nummer is not None and nummer.strip() else None,
        "systemID": (db.findtext(f"{{{NS}}}systemID") or "").strip(),
        "dokumentobjekter": [(obj.findtext(f"{{{NS}}}systemID") or "").strip()
                             for obj in db.findall(f"{{{NS}}}dokumentobjekt")],
    }


def _int(reg, tag: str) -> int | None:
    # The schema has checked these are xs:int; a plain registreringKvittering has none.
    text = reg.findtext(f"{{{NS}}}{tag}")
    return int(text) if text is not None and text.strip() else None
