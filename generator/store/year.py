"""The year folder, `<ut>/<år>`: where every command of one period reads and writes."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from ..exceptions import NothingGenerated
from ..model import Arbeidsbok, Leder
from .files import NAME_BYTES, safe_filename, shortened
from .manifest import MANIFEST_NAME, LeaderEntry, Manifest

ANSATTNR_BYTES = 40


def year_dir(bok: Arbeidsbok, ut: Path) -> Path:
    """Named after the year the period starts in."""
    return Path(ut) / str(bok.kommune.periode.ar)


def leader_folder(leder: Leder) -> str:
    """The leader's folder: `<Ansattnr> <Navn>`, the name shortened, the Ansattnr always whole."""
    return safe_filename(f"{shortened(leder.ansattnr, ANSATTNR_BYTES)} {shortened(leder.navn, NAME_BYTES)}")


def folder_key(name: str) -> str:
    """Two names that are one folder on a case-insensitive disk (Windows, macOS) have the same key."""
    return unicodedata.normalize("NFC", name).casefold()


def require_generated(folder: Path, workbook: Path, then: str) -> None:
    """NothingGenerated unless `generer` has written a manifest into the year folder."""
    # Anything at the manifest's place counts: Manifest.load says what is wrong with a link or folder.
    if not os.path.lexists(folder / MANIFEST_NAME):
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
