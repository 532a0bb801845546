"""A scanned copy signed on paper: which document it is, from the QR code on its signature page.

A scan has no text layer to trust and no digital signature, so the page is rendered as a scanner
would see it (pdftoppm from poppler, 300 dpi, greyscale) and the QR code is read with zxing-cpp.
Rendering rather than taking the scanner's page image out of the PDF works for every scanner's
output (JPEG, JBIG2, CCITT, rotated pages, pages made of strips) and for the tool's own PDFs alike.

The signature block is at the end of a document, so pages are read from the last one backwards,
and reading stops at the first of our IDs unless every page is wanted. Without an ID the file
name's leading Ansattnr is the fallback ("210 Øystein Sykehjem.pdf").

Bounded: at most verify.MAX_BYTES of file, MAX_PAGES pages, MAX_PIXELS per page (a larger page is
rendered at a lower resolution) and PAGE_TIMEOUT seconds of pdftoppm per page.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pikepdf
from PIL import Image

from ..documents.identity import (
    DocumentId,
    IdRegister,
    InvalidDocumentId,
    UnknownDocumentId,
    carried_text,
    format_id,
    looks_ours,
)
from ..exceptions import EXIT_PARTIAL, LederavtaleError
from .verify import read_bounded

MAX_PAGES = 30
DPI = 300
MAX_PIXELS = 40_000_000  # A4 at 300 dpi is 8.7 million; A3 17.4
PAGE_TIMEOUT = 60.0


class UnreadableScan(LederavtaleError):
    """A scan that cannot be read; str() names the file and says why, in Norwegian."""

    exit_code = EXIT_PARTIAL


@dataclass
class QrFunn:
    side: int  # 1-based page number
    dokument_id: DocumentId


@dataclass
class Skann:
    funnet: list[QrFunn] = field(default_factory=list)  # our IDs, in the order found
    andre_koder: list[str] = field(default_factory=list)  # QR codes that are not our IDs: why, per code
    skadet: list[str] = field(default_factory=list)  # codes that begin as our IDs but are not whole: why
    # Whole short IDs that the year folder never issued (another municipality's, another year's): why
    ukjent: list[str] = field(default_factory=list)
    ansattnr_fra_filnavn: str | None = None  # only looked for when no ID was found
    sider: int = 0  # pages in the file
    sider_lest: int = 0

    @property
    def dokument_id(self) -> DocumentId | None:
        return self.funnet[0].dokument_id if self.funnet else None

    @property
    def blandet(self) -> str:
        """Why the pages cannot be one document: QR codes of two documents (or two versions of one);
        "" when they are one."""
        first = {}  # one document (its full ID) → where its code was first seen, as the page shows it
        for found in self.funnet:
            first.setdefault(format_id(found.dokument_id), (carried_text(found.dokument_id), found.side))
        if len(first) < 2:
            return ""
        return ("sidene har QR-koder fra mer enn ett dokument: " +
                " og ".join(f"«{text}» (side {side})" for text, side in list(first.values())[:2]) +
                "; skann hvert dokument for seg")


def read_scan(source: Path | bytes, name: str = "", known_ansattnr: Iterable[str] | None = None,
              all_pages: bool = False, register: IdRegister | None = None) -> Skann:
    """The document IDs in a scanned PDF's QR codes, else the Ansattnr its file name begins with.

    `name` is the file name for messages and for the fallback (the path's name by default);
    `known_ansattnr` are the workbook's, see ansattnr_from_filename. A short ID is looked up in the year
    folder's `register` (without one, only full IDs, of documents made before short IDs, are read).
    """
    register = register or IdRegister()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise UnreadableScan("pdftoppm (fra poppler-utils) er ikke installert, så skannede kopier kan ikke leses")
    data, name = read_bounded(source, name, UnreadableScan)
    sizes = _page_sizes(data, name)
    result = Skann(sider=len(sizes))
    order = list(range(len(sizes), 0, -1))[:MAX_PAGES]
    with tempfile.TemporaryDirectory(prefix="lederavtale-skann-") as tmp:
        pdf = Path(tmp) / "skann.pdf"
        pdf.write_bytes(data)
        for page in order:
            # Once an ID is found, the other pages are only looked at for a second document's code: a
            # printed code is large enough at half the resolution, and that is a quarter of the pixels.
            dpi = DPI // 2 if result.funnet else DPI
            image = _render(pdftoppm, pdf, page, sizes[page - 1], name, dpi)
            result.sider_lest += 1
            for text in _qr_texts(image):
                try:
                    found = register.read(text)
                except UnknownDocumentId as exc:
                    result.ukjent.append(f"side {page}: {exc}")
                    continue
                except InvalidDocumentId as exc:
                    (result.skadet if looks_ours(text) else result.andre_koder).append(f"side {page}: {exc}")
                    continue
                if all(f.dokument_id != found for f in result.funnet):
                    result.funnet.append(QrFunn(page, found))
            if result.funnet and not all_pages:
                break
    result.funnet.sort(key=lambda f: f.side)
    if not result.funnet:
        result.ansattnr_fra_filnavn = ansattnr_from_filename(name, known_ansattnr)
    return result


def qr_in_images(data: bytes, last_pages: int = 3) -> list[str]:
    """Our document IDs in the QR images placed directly on the last pages of a PDF the tool made (and a
    portal signed): decoded from the image itself, without rendering the page. [] when there are none."""
    import zxingcpp

    found: list[str] = []
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for page in list(pdf.pages)[-last_pages:]:
                for image in _images(page.obj.get("/Resources")):
                    picture = pikepdf.PdfImage(image)
                    if picture.width * picture.height > MAX_PIXELS // 10:
                        continue  # a photograph, not a code
                    for code in zxingcpp.read_barcodes(picture.as_pil_image(), formats=zxingcpp.BarcodeFormat.QRCode):
                        if code.valid and looks_ours(code.text) and code.text not in found:
                            found.append(code.text)
    except Exception:  # an image pikepdf cannot decode: the metadata's ID stands alone
        return found
    return found


def _images(resources, depth: int = 0) -> list:
    """The image XObjects of a page's resources, and of the forms it draws (a portal that rebuilds the PDF,
    as Posten signering does, places each original page as a form), at most three forms deep."""
    found = []
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(xobjects, pikepdf.Dictionary):
        return found
    for _, xobject in xobjects.items():
        if not isinstance(xobject, pikepdf.Stream):
            continue
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            found.append(xobject)
        elif xobject.get("/Subtype") == pikepdf.Name.Form and depth < 3:
            found += _images(xobject.get("/Resources"), depth + 1)
    return found


def ansattnr_from_filename(filename: str, known: Iterable[str] | None = None) -> str | None:
    """The Ansattnr a file name begins with, followed by a space, "_", "-", "." or nothing.

    With the workbook's Ansattnr given, the longest of them that the name begins with (so an
    Ansattnr may hold letters, spaces or hyphens, and "21" is not read from "210 …"); without
    them, the leading digits. Names are compared in NFC and without regard to case, since macOS
    hands out file names decomposed.
    """
    stem = unicodedata.normalize("NFC", Path(filename).name)
    if known is None:
        digits = ""
        for c in stem:
            if not c.isascii() or not c.isdigit():
                break
            digits += c
        rest = stem[len(digits):]
        return digits if digits and (not rest or rest[0] in " _-.") else None
    best = None
    folded = stem.casefold()
    for ansattnr in known:
        key = unicodedata.normalize("NFC", str(ansattnr)).strip()
        if not key or not folded.startswith(key.casefold()):
            continue
        rest = stem[len(key):]
        if (not rest or rest[0] in " _-.") and (best is None or len(key) > len(best)):
            best = key
    return best


def _page_sizes(data: bytes, name: str) -> list[tuple[float, float]]:
    """Each page's size in points, for the resolution to render it at."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            sizes = []
            for page in pdf.pages:
                box = [float(v) for v in page.mediabox]
                sizes.append((abs(box[2] - box[0]), abs(box[3] - box[1])))
    except pikepdf.PasswordError:
        raise UnreadableScan(f"{name}: filen er kryptert og kan ikke leses") from None
    except Exception as exc:  # pikepdf raises PdfError and, for odd objects, others; never a traceback
        raise UnreadableScan(f"{name}: filen kan ikke leses som PDF ({exc})") from None
    if not sizes:
        raise UnreadableScan(f"{name}: PDF-filen har ingen sider")
    return sizes


def _render(pdftoppm: str, pdf: Path, page: int, size: tuple[float, float], name: str, dpi: int = DPI) -> Image.Image:
    width_in, height_in = max(size[0], 1.0) / 72, max(size[1], 1.0) / 72
    dpi = min(dpi, math.floor(math.sqrt(MAX_PIXELS / (width_in * height_in))))
    if dpi < 72:
        raise UnreadableScan(f"{name}: side {page} er for stor til å leses ({width_in * 25.4:.0f} × "
                             f"{height_in * 25.4:.0f} mm)")
    try:
        done = subprocess.run([pdftoppm, "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page), "-singlefile",
                               str(pdf)], capture_output=True, timeout=PAGE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableScan(f"{name}: side {page} tok mer enn {PAGE_TIMEOUT:.0f} sekunder å lese") from None
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnreadableScan(f"{name}: side {page} kan ikke leses ({detail[-1] if detail else 'pdftoppm feilet'})")
    try:
        image = Image.open(io.BytesIO(done.stdout))
        image.load()
    except Exception as exc:  # Pillow's errors for a damaged image vary
        raise UnreadableScan(f"{name}: side {page} kan ikke leses ({exc})") from None
    return image


def _qr_texts(image: Image.Image) -> list[str]:
    import zxingcpp

    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) if code.valid]
