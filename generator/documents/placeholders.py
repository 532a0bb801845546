"""The placeholder convention: what a template prints where the leader conversation must fill in.

The default templates write `[Fylles ut i ledersamtalen]` (nynorsk `[Fyllast ut i leiarsamtalen]`),
highlighted; a person replaces it in Word. `arkiv` looks for what is left before archiving.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .render import document_text

MARKS = ("[Fylles ut", "[Fyllast ut")


def placeholders_left(docx: Path) -> int:
    """How many placeholders a .docx still holds (0 when it cannot be read: the conversion reports that)."""
    try:
        with zipfile.ZipFile(docx) as archive:
            text = document_text(archive.read("word/document.xml").decode("utf-8"))
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return 0
    return sum(text.count(mark) for mark in MARKS)
