"""The placeholder convention: what a template prints where the avtalesamtale must fill in.

The default templates write `[Fylles ut i avtalesamtalen]` (nynorsk `[Fyllast ut i avtalesamtalen]`),
highlighted; a person replaces it in Word. `signering` and `arkiv` look for what is left: a
document still holding one is not ready to be signed or archived as final.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from .text import document_text

MARKS = ("[Fylles ut", "[Fyllast ut")


def _body(docx: Path | bytes) -> str | None:
    try:
        source = io.BytesIO(docx) if isinstance(docx, bytes) else docx
        with zipfile.ZipFile(source) as archive:
            return archive.read("word/document.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None


def placeholders_left(docx: Path | bytes) -> int:
    """How many placeholders a .docx still holds (0 when it cannot be read: the conversion reports that)."""
    body = _body(docx)
    text = document_text(body) if body is not None else ""
    return sum(text.count(mark) for mark in MARKS)


def empty_tables(docx: Path | bytes) -> int:
    """How many tables have a heading row of columns and nothing written in any row below it: the goals
    table of an appendix whose placeholder a person deleted without writing a goal. A one-column box to
    write in (the appendix's question on the leader's own leadership) may well stay empty."""
    body = _body(docx)
    if body is None:
        return 0
    count = 0
    for table in re.findall(r"<w:tbl>.*?</w:tbl>", body, flags=re.S):
        if "<w:tbl>" in table[len("<w:tbl>"):]:
            continue  # a nested table: its outer table is not judged by the regular expression
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", table, flags=re.S)
        columns = len(re.findall(r"<w:tc[ >]", rows[0])) if rows else 0
        if len(rows) >= 2 and columns >= 2 and document_text(rows[0]).strip() \
                and not any(document_text(r).strip() for r in rows[1:]):
            count += 1
    return count
