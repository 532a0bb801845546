"""The Logo cell: an image Pillow refuses, or one far too large, is a message at its cell; a
large logo that is acceptable goes into the documents scaled down, without a word on stderr.

The CLI runs in a real process, so that anything Pillow prints (its warnings) would show.
"""

from __future__ import annotations

import io
import re
import os
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import ROOT, basic_sheets, write_xlsx
from PIL import Image, ImageDraw

from generator.documents.context import LOGO_MAX_SIDE
from generator.exceptions import WorkbookError
from generator.workbook import read_workbook

LOGO_CELL = "Kommune!B11"  # the row conftest's Kommune sheet gets for Logo



def logo_media(zf: zipfile.ZipFile) -> list[str]:
    """The images the headers show: the logo (the body has the document ID's QR code too)."""
    names = set()
    for rels in (n for n in zf.namelist() if re.fullmatch(r"word/_rels/header\d*\.xml\.rels", n)):
        names |= {"word/" + t for t in re.findall(r'Target="(media/[^"]+)"', zf.read(rels).decode())}
    return sorted(names)

def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header says `width` × `height` (1-bit grey), with valid CRCs."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def workbook_with_logo(folder: Path, name: str) -> Path:
    sheets = basic_sheets()
    sheets["Kommune"].append(["Logo", name])
    return write_xlsx(folder / "arbeidsbok.xlsx", sheets)


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def logo_errors(folder: Path, name: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning that escaped would fail here
        with pytest.raises(WorkbookError) as caught:
            read_workbook(workbook_with_logo(folder, name))
    return [str(p) for p in caught.value.problems]


@pytest.mark.slow
def test_decompression_bomb_is_a_message_at_the_logo_cell(tmp_path):
    bomb = png_claiming(20000, 20000)
    assert len(bomb) < 100
    (tmp_path / "bombe.png").write_bytes(bomb)
    workbook = workbook_with_logo(tmp_path, "bombe.png")

    for args in (("sjekk", workbook), ("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf")):
        result = cli(*args, cwd=tmp_path)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert f"{LOGO_CELL}: logoen «bombe.png» er for stor" in output, output
        assert "Traceback" not in output and "DecompressionBomb" not in output and "Warning" not in output
        assert not (tmp_path / "ut").exists()


def test_logo_above_the_limit_but_below_pillows_is_refused_without_a_warning(tmp_path):
    # 13000 × 13000 is over 150 megapixels, under the 179 where Pillow itself stops (it warns).
    (tmp_path / "stor.png").write_bytes(png_claiming(13000, 13000))
    (message,) = logo_errors(tmp_path, "stor.png")
    assert message.startswith(f"{LOGO_CELL}: logoen «stor.png» er for stor (13000 × 13000 piksler)")


def test_damaged_image_is_a_message_at_the_logo_cell(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "navy").save(buffer, "PNG")
    (tmp_path / "halv.png").write_bytes(buffer.getvalue()[:-200])  # cut off inside the image data
    (tmp_path / "tom.png").write_bytes(png_claiming(400, 300))  # a header, no pixels
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "navy").save(buffer, "JPEG")
    (tmp_path / "halv.jpg").write_bytes(buffer.getvalue()[:300])
    for name in ("halv.png", "tom.png", "halv.jpg"):
        (message,) = logo_errors(tmp_path, name)
        assert message.startswith(f"{LOGO_CELL}: logoen «{name}» er skadet"), message


@pytest.mark.slow
def test_very_large_logo_is_scaled_down_in_the_documents_without_a_warning(tmp_path):
    # A real 12000 × 12000 logo, cheap as a 1-bit image: Pillow warns of it as a possible bomb.
    logo = Image.new("1", (12000, 12000), 1)
    ImageDraw.Draw(logo).ellipse((1000, 1000, 11000, 11000), fill=0)
    logo.save(tmp_path / "logo.png")
    original = (tmp_path / "logo.png").read_bytes()
    workbook = workbook_with_logo(tmp_path, "logo.png")

    result = cli("sjekk", workbook, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Warning" not in output and "PIL" not in output and "piksler" not in output

    result = cli("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Warning" not in output and "PIL" not in output and "Traceback" not in output
    documents = sorted((tmp_path / "ut" / "2027").rglob("*.docx"))
    assert documents
    for document in documents:
        with zipfile.ZipFile(document) as zf:
            (media,) = logo_media(zf)
            with Image.open(io.BytesIO(zf.read(media))) as embedded:
                assert max(embedded.size) == LOGO_MAX_SIDE, (document.name, embedded.size)
                # still the logo: dark in the middle, light in the corner
                grey = embedded.convert("L")
                assert grey.getpixel((LOGO_MAX_SIDE // 2, LOGO_MAX_SIDE // 2)) < 50
                assert grey.getpixel((5, 5)) > 200
    assert (tmp_path / "logo.png").read_bytes() == original  # HR's file is never touched


@pytest.mark.slow
def test_small_logo_goes_in_as_it_is(tmp_path):
    Image.new("RGB", (300, 120), "navy").save(tmp_path / "logo.png")
    workbook = workbook_with_logo(tmp_path, "logo.png")
    result = cli("generer", workbook, "--ut", tmp_path / "ut", "--ingen-pdf", "--leder", "210", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    (document, *_) = sorted((tmp_path / "ut" / "2027").rglob("Lederavtale*.docx"))
    with zipfile.ZipFile(document) as zf:
        (media,) = logo_media(zf)
        assert zf.read(media) == (tmp_path / "logo.png").read_bytes()
