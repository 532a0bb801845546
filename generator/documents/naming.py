"""What each document is called: its file name and the title and subject inside it, from its kind."""

from __future__ import annotations

from ..model import Arbeidsbok, Leder
from ..store.files import NAME_BYTES, safe_filename, shortened
from .kinds import Kind


def _fields(bok: Arbeidsbok, leder: Leder | None, navn: str) -> dict:
    return {"ar": bok.kommune.periode.ar, "navn": navn, "enhet": leder.enhet if leder else "",
            "ansattnr": leder.ansattnr if leder else "", "kommune": bok.kommune.navn,
            "skjermingshjemmel": bok.kommune.skjermingshjemmel}


def _nynorsk(bok: Arbeidsbok) -> bool:
    return bok.kommune.malform == "nynorsk"


def file_stem(kind: Kind, bok: Arbeidsbok, leder: Leder | None = None) -> str:
    """The document's file name without extension (the leader's name shortened to fit)."""
    navn = shortened(leder.navn, NAME_BYTES) if leder else ""
    return safe_filename(kind.words(_nynorsk(bok)).stem.format(**_fields(bok, leder, navn)))


def archive_stem(kind: Kind, leder: Leder, nynorsk: bool, own: str) -> str:
    """The archived PDF's name without extension; `own` is the name of the document it is made from."""
    pattern = kind.words(nynorsk).archive_stem
    return pattern.format(ansattnr=leder.ansattnr) if pattern else own


def document_properties(kind: Kind, bok: Arbeidsbok, leder: Leder | None = None) -> dict:
    """Title, subject and author of the .docx, which LibreOffice carries into the PDF."""
    words = kind.words(_nynorsk(bok))
    fields = _fields(bok, leder, leder.navn if leder else "")
    return {"language": words.language, "title": words.title.format(**fields),
            "subject": words.subject.format(**fields), "author": bok.kommune.navn, "keywords": words.keywords}
