"""What a PDF handed to the archive really is: PDF/A-2b, or plain PDF of the version it declares.

A signed copy is archived byte for byte, so its format is whatever the signing portal or the
scanner made; the record must not claim PDF/A for it because the tool's own PDFs are PDF/A.
PDF/A-2b is claimed only when the file says so itself (XMP `pdfaid`) and passes the same check
as every PDF the tool makes; anything else is described by its PRONOM id, which is how Noark 5
and Fiks Arkiv name formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..documents.pdf import pdfa_2b_problem
from .kodelister import Kode

PDFA_2B = Kode("fmt/477", "PDF/A-2b")
# PRONOM's ids for PDF by version (The National Archives, UK).
PRONOM_PDF = {
    "1.0": "fmt/14", "1.1": "fmt/15", "1.2": "fmt/16", "1.3": "fmt/17", "1.4": "fmt/18",
    "1.5": "fmt/19", "1.6": "fmt/20", "1.7": "fmt/276", "2.0": "fmt/1129",
}
_HEADER = re.compile(rb"%PDF-(\d\.\d)")


class UnknownFormat(ValueError):
    """The file is not a PDF whose version PRONOM names (the message says why, in Norwegian)."""


@dataclass(frozen=True)
class PdfFormat:
    kode: Kode  # PRONOM id and the format's name
    pdfa: bool
    hvorfor_ikke_pdfa: str = ""  # why it is not PDF/A-2b, for the run's notice

    @property
    def beskrivelse(self) -> str:
        return f"{self.kode.beskrivelse}, {self.kode.kode}"


def pdf_format(path: Path) -> PdfFormat:
    """The format of the PDF at `path`, read and never changed. UnknownFormat when it is no PDF
    PRONOM has a version of."""
    problem = pdfa_2b_problem(path)
    if not problem:
        return PdfFormat(PDFA_2B, True)
    version = pdf_version(path)
    code = PRONOM_PDF.get(version)
    if code is None:
        raise UnknownFormat(f"PDF-versjonen «{version}» er ukjent")
    return PdfFormat(Kode(code, f"PDF {version}"), False, problem)


def pdf_version(path: Path) -> str:
    """The version in the file's header. Not the catalogue's /Version, which an incremental update
    (a signature) may raise: PRONOM's signatures, and so DROID and the archive's own format check,
    identify a PDF by its header."""
    with open(path, "rb") as file:
        match = _HEADER.search(file.read(1024))
    if match is None:
        raise UnknownFormat("filen har ikke et PDF-hode (%PDF-x.y)")
    return match.group(1).decode("ascii")
