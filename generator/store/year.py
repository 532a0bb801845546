"""The year folder, `<ut>/<år>`: where every command of one period reads and writes."""

from __future__ import annotations

from pathlib import Path

from ..exceptions import NothingGenerated
from ..model import Arbeidsbok
from .manifest import MANIFEST_NAME, LeaderEntry, Manifest


def year_dir(bok: Arbeidsbok, ut: Path) -> Path:
    """Named after the year the period starts in."""
    return Path(ut) / str(bok.kommune.periode.ar)


def require_generated(folder: Path, workbook: Path, then: str) -> None:
    """NothingGenerated unless `generer` has written a manifest into the year folder."""
    if not (folder / MANIFEST_NAME).is_file():
        raise NothingGenerated(
            f"Fant ingen genererte dokumenter i «{folder}». "
            f"Kjør «lederavtale generer {workbook}» først, og deretter «lederavtale {then}»."
        )


def load_generated(folder: Path, workbook: Path, then: str) -> dict[str, LeaderEntry]:
    """The manifest's entries by Ansattnr (call while holding the folder's RunLock)."""
    require_generated(folder, workbook, then)
    entries = Manifest.load(folder).ledere
    if not entries:
        raise NothingGenerated(
            f"Manifestet i «{folder}» lister ingen dokumenter. Kjør «lederavtale generer {workbook}» først."
        )
    return entries
