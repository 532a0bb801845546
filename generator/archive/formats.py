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

import pikepdf

from ..documents.pdf import pdfa_2b_problem
from .kodelister import Kode

PDFA_2B = Kode("fmt/477", "PDF/A-2b")
# PRONOM's ids for the PDF/A levels a file can claim in its XMP (pdfaid:part and conformance). A signing
# portal's copy of a PDF/A is often PDF/A-3b (Posten signering: the signers' evidence is attached, which
# PDF/A-3 allows); the archive is told that level, as the file's own claim, not PDF/A-2b.
PRONOM_PDFA = {
    ("1", "A"): "fmt/95", ("1", "B"): "fmt/354",
    ("2", "A"): "fmt/476", ("2", "B"): "fmt/477", ("2", "U"): "fmt/478",
    ("3", "A"): "fmt/479", ("3", "B"): "fmt/480", ("3", "U"): "fmt/481",
}
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
    claim = pdfa_claim(path)
    if claim in PRONOM_PDFA:
        return PdfFormat(Kode(PRONOM_PDFA[claim], f"PDF/A-{claim[0]}{claim[1].lower()}"), False, problem)
    version = pdf_version(path)
    code = PRONOM_PDF.get(version)
    if code is None:
        raise UnknownFormat(f"PDF-versjonen «{version}» er ukjent")
    return PdfFormat(Kode(code, f"PDF {version}"), False, problem)


def pdfa_claim(path: Path) -> tuple[str, str] | None:
    """(part, conformance) as the file's XMP claims them (("3", "B") for PDF/A-3b), or None."""
    try:
        with pikepdf.open(path) as document:
            meta = document.open_metadata()
            part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except (OSError, pikepdf.PdfError):
        return None
    if part is None or conformance is None:
        return None
    return str(part).strip(), str(conformance).strip().upper()


def pdf_version(path: Path) -> str:
    """The version in the file's header. Not the catalogue's /Version, which an incremental update
    (a signature) may raise: PRONOM's signatures, and so DROID and the archive's own format check,
    identify a PDF by its header."""
    with open(path, "rb") as file:
        match = _HEADER.search(file.read(1024))
    if match is None:
        raise UnknownFormat("filen har ikke et PDF-hode (%PDF-x.y)")
    return match.group(1).decode("ascii")
