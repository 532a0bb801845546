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


# --- A workbook uploaded on the web page: its logo only from the files uploaded with it -------------------

UPLOAD_ONLY = "må lastes opp sammen med arbeidsboken på siden Arbeidsbok"


def small_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (120, 40), "navy").save(path)
    return path


def uploaded_problems(folder: Path, name: str) -> list[str]:
    """The check's errors for an uploaded workbook naming `name` as its logo (the job as the web page makes it)."""
    from generator.commands.check import check
    from generator.job import Job

    with pytest.raises(WorkbookError) as caught:
        check(Job(workbook_with_logo(folder, name), folder / "ut", uploaded=True))
    assert caught.value.exit_code == 1
    return [str(p) for p in caught.value.problems]


def test_an_uploaded_workbook_names_only_a_picture_uploaded_with_it(tmp_path):
    """Anything but a plain name in the workbook's folder gets one message, whether the file exists or not:
    the page must not tell which files the server has, nor put one of them into a document."""
    outside = small_png(tmp_path / "logo.png")  # beside the upload folder, as another upload or a server file
    folder = tmp_path / "opplastet"
    small_png(folder / "bilder" / "logo.png")
    (folder / "lenke.png").symlink_to(outside)
    (folder / "løkke.png").symlink_to(folder / "løkke.png")
    # The check (sjekk, the page's upload) stops with the message, and exit code 1.
    for name in ("/etc/hostname", "../logo.png", "lenke.png", "mangler.png"):
        assert uploaded_problems(folder, name) == [f"{LOGO_CELL}: logoen «{name}» {UPLOAD_ONLY}"], name
    for name in ("/finnes/ikke.png", str(outside), "bilder/logo.png", "bilder\\logo.png", "løkke.png", "..",
                 "C:logo.png", "./logo.png"):
        with pytest.raises(WorkbookError) as caught:
            read_workbook(workbook_with_logo(folder, name), uploaded=True)
        assert [str(p) for p in caught.value.problems] == [f"{LOGO_CELL}: logoen «{name}» {UPLOAD_ONLY}"], name


def test_an_uploaded_workbooks_own_logo_is_used(tmp_path):
    from generator.job import Job

    folder = tmp_path / "opplastet"
    logo = small_png(folder / "Logo kommune.png")
    (folder / "lenke.png").symlink_to(logo)  # a link that stays in the folder is the file it points to
    for name, found in (("Logo kommune.png", logo), ("lenke.png", logo)):
        job = Job(workbook_with_logo(folder, name), tmp_path / "ut", uploaded=True)
        assert job.bok.kommune.logo == found.resolve()
    # Damaged is damaged, as on the command line: that says nothing about files outside the folder.
    (folder / "halv.png").write_bytes(png_claiming(400, 300))
    assert uploaded_problems(folder, "halv.png")[0].startswith(f"{LOGO_CELL}: logoen «halv.png» er skadet")


def test_the_command_line_still_takes_a_logo_anywhere(tmp_path):
    logo = small_png(tmp_path / "felles" / "logo.png")
    for name in (str(logo), "../felles/logo.png", "..\\felles\\logo.png"):
        assert read_workbook(workbook_with_logo(tmp_path / "hr", name)).kommune.logo == logo.resolve()
    (message,) = logo_errors(tmp_path / "hr", "mangler.png")
    assert message == f"{LOGO_CELL}: finner ikke logofilen «mangler.png» (stien er regnet fra arbeidsbokens mappe)"


def test_the_web_workspace_reads_an_uploaded_workbook_as_uploaded_and_the_starters_own_as_the_cli_does(tmp_path):
    """Workspace.book() and Workspace.job() (the page's jobs): a workbook under the uploads folder is read as
    uploaded, and handed over already read (Job.read_book) instead of read again; the workbook named when the
    server starts is the starter's own file, read as `generer` reads it."""
    from generator.web.workspace import UPLOADED_WORKBOOKS, Settings, Workspace

    small_png(tmp_path / "logo.png")
    ut = tmp_path / "ut"
    own = workbook_with_logo(tmp_path / "hr", "../logo.png")
    workspace = Workspace(Settings(ut=ut, workbook=own))
    assert workspace.book().kommune.logo == (tmp_path / "logo.png").resolve()
    assert not workspace.job().uploaded

    bad = workbook_with_logo(ut / UPLOADED_WORKBOOKS / "1", "../logo.png")
    workspace.workbook = bad
    with pytest.raises(WorkbookError) as caught:
        workspace.book()
    assert [str(p) for p in caught.value.problems] == [f"{LOGO_CELL}: logoen «../logo.png» {UPLOAD_ONLY}"]
    job = workspace.job()
    assert job.uploaded and job.read_book is None
    with pytest.raises(WorkbookError):
        job.bok  # the job reads it itself, as uploaded, and says the same

    good = workbook_with_logo(ut / UPLOADED_WORKBOOKS / "2", "logo.png")
    small_png(good.parent / "logo.png")
    workspace.workbook = good
    job = workspace.job()
    assert job.uploaded and job.read_book is workspace.book() and job.bok is workspace.book()
    other = workspace.job(workbook=bad)  # an upload being checked: read by the job, as uploaded
    assert other.uploaded and other.read_book is None


def test_next_years_workbook_from_an_uploaded_one_names_its_logo_plainly(tmp_path):
    """It is downloaded and uploaded again with its logo: a path on the server would be refused then."""
    import openpyxl

    from generator.commands.next_year import next_year
    from generator.job import Job

    folder = tmp_path / "opplastet"
    small_png(folder / "logo.png")
    target = tmp_path / "ut" / "neste år" / "arbeidsbok 2028.xlsx"
    target.parent.mkdir(parents=True)
    next_year(Job(workbook_with_logo(folder, "logo.png"), tmp_path / "ut", uploaded=True), 2028, target)
    rows = {row[0]: row[1] for row in openpyxl.load_workbook(target)["Kommune"].iter_rows(values_only=True)}
    assert rows["Logo"] == "logo.png"
    small_png(target.parent / "logo.png")
    assert read_workbook(target, uploaded=True).kommune.logo == (target.parent / "logo.png").resolve()
