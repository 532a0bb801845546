"""`arkiv/fiks/`: the outbox the municipality's Fiks IO integration sends from, one folder per leader.

The integration may read the folder at any moment, so a leader's message folder is assembled
beside it and swapped in whole: it never sees half a message. The outbox holds exactly what
should be sent: a leader no longer packaged, or confirmed by the archive, has no folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import WorkbookError
from ..model import Arbeidsbok, Leder, Problem
from ..store.year import FIKS_DIR, folder_key
from .fiks import DOKUMENTFIL, MELDING_NAME, build_arkivmelding, folder_name, parse_xml, schema_problems
from .record import Arkivpakke, Journalpost

STAGING_PREFIX = ".ny-"
OLD_PREFIX = ".gammel-"


@dataclass
class Sent:
    """What `write_outbox` did: the message folders written, and the messages it refused."""

    meldinger: list[Path] = field(default_factory=list)
    feil: list[tuple[Leder, str]] = field(default_factory=list)  # (leader, why)


def write_outbox(fiks_dir: Path, arkiv_dir: Path, pakke: Arkivpakke) -> Sent:
    """One message folder per journalpost (its PDFs copied from `arkiv_dir`); every other entry
    under fiks/ goes."""
    sent = Sent()
    keep = set()
    for jp in pakke.journalposter:
        melding = build_arkivmelding(pakke, jp)
        problems = schema_problems(parse_xml(melding))
        if problems:
            # Never sent as it is: the archive would refuse it. A fault in this tool, not in the data.
            sent.feil.append((jp.leder, f"Fiks-meldingen følger ikke skjemaet ({'; '.join(problems[:3])})"))
            continue
        name = folder_name(jp.leder.ansattnr)
        _replace_folder(fiks_dir, name, jp, melding, arkiv_dir)
        keep.add(name)
        sent.meldinger.append(fiks_dir / name)
    _remove_others(fiks_dir, keep)
    return sent


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


def _replace_folder(fiks_dir: Path, name: str, jp: Journalpost, melding: bytes, arkiv_dir: Path) -> None:
    staging, old, target = (fiks_dir / f"{STAGING_PREFIX}{name}", fiks_dir / f"{OLD_PREFIX}{name}", fiks_dir / name)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for fil in jp.dokumenter:
        shutil.copyfile(arkiv_dir / fil.sti, staging / DOKUMENTFIL[fil.rolle])
    # Last, so that a folder with a message in it always has its files.
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
