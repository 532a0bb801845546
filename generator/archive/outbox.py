"""`arkiv/fiks/`: the outbox the municipality's Fiks IO integration sends from, one folder per leader.

The integration may read the folder at any moment, so a leader's message folder is assembled
beside it and swapped in whole: it never sees half a message. The outbox holds exactly what
should be sent: a leader no longer packaged, or confirmed by the archive, has no folder.

Beside each `arkivmelding.xml` lies `melding.json`, the ids the integration sends the message
with (`klientMeldingId`, `klientKorrelasjonsId`) and stores the archive's replies under. Every
message id ever written is kept in `fiks-meldinger.json`, so that a late reply to a message
since replaced still names its leader.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..exceptions import LederavtaleError, WorkbookError
from ..model import Arbeidsbok, Leder, Problem
from ..store.files import atomic_write_bytes, read_json_object
from ..store.year import FIKS_DIR, folder_key
from .fiks import DOKUMENTFIL, MELDING_NAME, MELDINGSTYPE, build_arkivmelding, folder_name, parse_xml, schema_problems
from .record import Arkivpakke, Journalpost, ekstern_noekkel

STAGING_PREFIX = ".ny-"
OLD_PREFIX = ".gammel-"
ENVELOPE_NAME = "melding.json"  # beside arkivmelding.xml: what the integration sends it with
# The ids are name-based UUIDs (v5) in a namespace of this tool's own: no run, clock or machine
# enters them, so the same message always has the same id.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:lederavtale:fiks-arkiv:melding")


@dataclass(frozen=True)
class MeldingIds:
    klient_melding_id: str  # the same for the same arkivmelding.xml, another for any change in it
    klient_korrelasjons_id: str  # the same for every message about one leader's record


def melding_ids(noekkel: str, innhold: bytes) -> MeldingIds:
    """The ids of a message for the record `noekkel` (its referanseEksternNoekkel); `innhold` is
    what the message says (`fingerprint`), so the same content gives the same klientMeldingId."""
    return MeldingIds(str(uuid.uuid5(ID_NAMESPACE, "melding:" + hashlib.sha256(innhold).hexdigest())),
                      str(uuid.uuid5(ID_NAMESPACE, "korrelasjon:" + noekkel)))


def fingerprint(pakke: Arkivpakke, jp: Journalpost, kilder: dict[str, str]) -> bytes:
    """The message as its content, for its id: LibreOffice stamps every PDF it makes with the time,
    so a PDF made afresh from an unchanged .docx has new bytes and a new checksum on every run. Such
    a PDF is named here by its source instead (`kilder`: rolle → sha256 of the .docx); a signed
    copy, archived byte for byte, by its own checksum.

    The leader's fødselsnummer (the personalmappe's klasseID with Klasse = Fødselsnummer) is left out:
    the id is kept in melding.json, fiks-meldinger.json and arkivert.json, and a checksum of a message
    whose every other part can be rebuilt from the year folder would give the number away to anyone who
    tries the few million that are possible. So a corrected number alone gives no new klientMeldingId."""
    jp = replace(jp, leder=replace(jp.leder, fodselsnummer=""))
    stand_in = {fil.rolle: replace(fil, sha256=f"kilde:{kilder[fil.rolle]}", storrelse=0)
                for fil in jp.dokumenter if fil.konvertert and fil.rolle in kilder}
    if not stand_in:
        return build_arkivmelding(pakke, jp)
    return build_arkivmelding(pakke, replace(jp, avtale=stand_in.get(jp.avtale.rolle, jp.avtale),
                                             vedlegg=stand_in.get(jp.vedlegg.rolle, jp.vedlegg)))


def envelope(ids: MeldingIds, vedlegg: list[str]) -> bytes:
    """melding.json: the message type and ids for Fiks IO, and which files go with the payload."""
    data = {
        "meldingstype": MELDINGSTYPE,
        "klientMeldingId": ids.klient_melding_id,
        "klientKorrelasjonsId": ids.klient_korrelasjons_id,
        "payload": MELDING_NAME,
        "vedlegg": vedlegg,
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class FiksLogUnreadable(LederavtaleError):
    pass


def read_log(path: Path) -> dict[str, dict]:
    """fiks-meldinger.json: klientMeldingId → {ansattnr, klientKorrelasjonsId, laget}. Read strictly:
    rewriting a damaged log would forget the messages that replies may still answer."""
    try:
        data = read_json_object(path)
    except ValueError as exc:
        raise FiksLogUnreadable(f"«{path}» kan ikke leses ({exc}). Rett filen, eller fjern den (da kan svar "
                                "på meldinger som allerede er sendt, ikke knyttes til lederne).") from None
    if not all(isinstance(v, dict) and isinstance(v.get("ansattnr"), str) for v in data.values()):
        raise FiksLogUnreadable(f"«{path}» har feil innhold. Rett filen, eller fjern den.")
    return data


@dataclass
class Sent:
    """What `write_outbox` did: the message folders written, and the messages it refused."""

    meldinger: list[Path] = field(default_factory=list)
    feil: list[tuple[Leder, str]] = field(default_factory=list)  # (leader, why)


def write_outbox(fiks_dir: Path, arkiv_dir: Path, pakke: Arkivpakke, log_path: Path,
                 kilder: dict[str, dict[str, str]] | None = None) -> Sent:
    """One message folder per journalpost (its PDFs copied from `arkiv_dir`); every other entry
    under fiks/ goes. Each message's ids are added to the log at `log_path` (YearFolder.fiks_log).
    `kilder`: Ansattnr → rolle → sha256 of the .docx each PDF made afresh was made from."""
    kilder = kilder or {}
    sent = Sent()
    keep = set()
    log = read_log(log_path)
    ready = []
    for jp in pakke.journalposter:
        melding = build_arkivmelding(pakke, jp)
        problems = schema_problems(parse_xml(melding))
        if problems:
            # Never sent as it is: the archive would refuse it. A fault in this tool, not in the data.
            sent.feil.append((jp.leder, f"Fiks-meldingen følger ikke skjemaet ({'; '.join(problems[:3])})"))
            continue
        ids = melding_ids(ekstern_noekkel(pakke.kommune, jp.leder.ansattnr),
                          fingerprint(pakke, jp, kilder.get(jp.leder.ansattnr, {})))
        log.setdefault(ids.klient_melding_id, {"ansattnr": jp.leder.ansattnr,
                                               "klientKorrelasjonsId": ids.klient_korrelasjons_id,
                                               "laget": pakke.opprettet.isoformat(timespec="seconds")})
        ready.append((jp, melding, ids))
    # The log first: a message the integration can see always has its id logged.
    _write_log(log_path, log)
    for jp, melding, ids in ready:
        name = folder_name(jp.leder.ansattnr)
        _replace_folder(fiks_dir, name, jp, melding, ids, arkiv_dir)
        keep.add(name)
        sent.meldinger.append(fiks_dir / name)
    _remove_others(fiks_dir, keep)
    return sent


def _write_log(path: Path, log: dict[str, dict]) -> None:
    text = json.dumps(log, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"), durable=True)


def check_folder_names(bok: Arbeidsbok) -> None:
    """Two leaders must never share a message folder; on Windows «A100» and «a100» would."""
    first: dict[str, Leder] = {}
    problems = []
    for leder in bok.avtaleledere():
        other = first.setdefault(folder_key(folder_name(leder.ansattnr)), leder)
        if other is not leder:
            problems.append(Problem(f"Ledere rad {leder.rad}",
                                    f"Ansattnr «{leder.ansattnr}» og «{other.ansattnr}» (rad {other.rad}) får samme "
                                    f"mappe under {FIKS_DIR}/ på Windows; gi dem Ansattnr som skiller seg i mer "
                                    "enn store og små bokstaver"))
    if problems:
        raise WorkbookError(problems)


def remove_confirmed(fiks_dir: Path, confirmed: set[str]) -> list[str]:
    """A message the archive has just confirmed must not be sent again: its folder leaves fiks/.
    Returns the folders removed.

    Only for records first noted in this run. A receipt never removes a package made after it
    was first recorded: from then on only --arkiver-igjen packages the leader, on purpose, and a
    reread finds the record already noted (also one that a conflicting receipt has since moved
    to «tidligere»). The run lock orders this against `arkiv`, so no clock is compared: every
    package in fiks/ now was made before this run noted its receipts.
    """
    if not fiks_dir.is_dir():
        return []
    keep = {entry.name for entry in fiks_dir.iterdir()} - {folder_name(nr) for nr in confirmed}
    return _remove_others(fiks_dir, keep)


def _replace_folder(fiks_dir: Path, name: str, jp: Journalpost, melding: bytes, ids: MeldingIds,
                    arkiv_dir: Path) -> None:
    staging, old, target = (fiks_dir / f"{STAGING_PREFIX}{name}", fiks_dir / f"{OLD_PREFIX}{name}", fiks_dir / name)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    vedlegg = [DOKUMENTFIL[fil.rolle] for fil in jp.dokumenter]
    for fil in jp.dokumenter:
        shutil.copyfile(arkiv_dir / fil.sti, staging / DOKUMENTFIL[fil.rolle])
    (staging / ENVELOPE_NAME).write_bytes(envelope(ids, vedlegg))
    # Last, so that a folder with a message in it always has its files and its ids.
    (staging / MELDING_NAME).write_bytes(melding)
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_others(fiks_dir: Path, keep: set[str]) -> list[str]:
    """Remove every entry under fiks/ but `keep`; returns the message folders removed."""
    removed = []
    if not fiks_dir.is_dir():
        return removed
    for entry in fiks_dir.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
            if not entry.name.startswith("."):
                removed.append(entry.name)
        else:
            entry.unlink(missing_ok=True)
    if not any(fiks_dir.iterdir()):
        fiks_dir.rmdir()
    return removed
