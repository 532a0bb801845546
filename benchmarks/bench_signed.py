"""Signed copies per second in one `signert` run, against pyHanko's plain validation per file.

Run: .venv/bin/python benchmarks/bench_signed.py [--ledere 150] [--skann 10]

A synthetic municipality (tests/synth.py): every leader's agreement and appendix generated, filled
in and made into copies for signing by `signering` (LibreOffice, not timed). Each copy is then
signed as the portals do it (tests/portals.py): half by both parties with their own BankID PAdES
signature, half as Posten signering returns them (a new PDF, the two signers' XAdES attached, one
seal by Posten Norge AS). That gives 2 × ledere e-signed copies (300 by default).

Measured in the same process:
* `signert` as a function, with trust roots: every signature and every attached signature verified,
  the document ID read from the signed revision, each copy kept byte for byte and recorded;
* the baseline: pyHanko's `validate_pdf_signature` on every signature of every file, with the same
  trust roots and nothing else (no evidence, no ID, nothing written).

Scans are measured apart (`--skann N`: N copies rendered to images and read back by their QR codes),
since reading a scan is rendering pages, not checking signatures. Goal: under 30 s for 300 e-signed
copies on 2 cores, 0.1 s a file.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from click.testing import CliRunner  # noqa: E402
from portals import POSTEN_ORGNR, Authority, pades, posten_signed  # noqa: E402
from synth import synthetic_workbook  # noqa: E402
from test_signering import fill_in  # noqa: E402

from generator.cli import main  # noqa: E402
from generator.commands.signed import signert  # noqa: E402
from generator.job import Job  # noqa: E402
from generator.signing.verify import load_trust_roots  # noqa: E402
from generator.store.manifest import SIGNING, Manifest  # noqa: E402
from generator.workbook import read_workbook  # noqa: E402


def cli(*args) -> None:
    done = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    if done.exit_code not in (0, 3):
        raise SystemExit(done.output)


def build(folder: Path, n: int, scans: int) -> tuple[Path, Path, Path, Path, Path]:
    workbook = synthetic_workbook(folder / "arbeidsbok.xlsx", n)
    out = folder / "ut"
    start = time.perf_counter()
    cli("generer", workbook, "--ut", out, "--ingen-pdf")
    bok = read_workbook(workbook)
    year = out / str(bok.kommune.periode.ar)
    manifest = Manifest.load(year)
    for entry in manifest.ledere.values():
        for fil in entry.filer:
            if fil.format == "docx" and not fil.fase and fil.rolle in ("avtale", "vedlegg"):
                fill_in(year / fil.sti)
    cli("signering", workbook, "--ut", out)
    print(f"{n} ledere generert og laget til signering på {time.perf_counter() - start:.0f} s")

    bankid = Authority("BankID - TestBank1 - Bank CA", issuer=Authority("BankID Root CA"))
    entrust = Authority("Entrust Class 3 Client CA - SHA256", issuer=Authority("Entrust Test Root"))
    posten = entrust.seal("Posten Norge AS", POSTEN_ORGNR)
    tillit = folder / "tillit"
    bankid.root.write(tillit)
    entrust.root.write(tillit)
    people: dict[str, object] = {}

    def person(leder):
        if leder.ansattnr not in people:
            given, _, surname = leder.navn.rpartition(" ")
            people[leder.ansattnr] = bankid.bankid_person(surname, given)
        return people[leder.ansattnr]

    inbox, scan_inbox = folder / "innboks", folder / "skann"
    inbox.mkdir()
    scan_inbox.mkdir()
    start = time.perf_counter()
    manifest = Manifest.load(year)
    count = 0
    for leder in bok.avtaleledere():
        superior = bok.overordnet(leder)
        entry = manifest.ledere[leder.ansattnr]
        for rolle in ("avtale", "vedlegg"):
            copy = (year / entry.file(rolle, "pdf", SIGNING).sti).read_bytes()
            parties = [person(leder), person(superior)]
            if count % 2:
                signed = posten_signed(copy, parties, posten, evidence="xades")
            else:
                signed = pades(pades(copy, parties[0], "Leder"), parties[1], "Overordnet")
            (inbox / f"{leder.ansattnr}-{rolle}.pdf").write_bytes(signed)
            if count < scans:
                shutil.copy(year / entry.file(rolle, "pdf", SIGNING).sti, scan_inbox / f"{leder.ansattnr}-{rolle}.pdf")
            count += 1
    print(f"{count} e-signerte kopier laget på {time.perf_counter() - start:.0f} s")
    return workbook, out, inbox, scan_inbox, tillit


def baseline(inbox: Path, tillit: Path) -> None:
    """pyHanko's own validation of every signature, and nothing more."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = load_trust_roots(tillit)
    for path in sorted(inbox.glob("*.pdf")):
        reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
        for embedded in reader.embedded_regular_signatures:
            validate_pdf_signature(embedded, ValidationContext(trust_roots=roots, allow_fetching=False))


def scanned(source: Path, target: Path) -> None:
    """Each copy printed and scanned: pages to greyscale images at 150 dpi, back into an image-only PDF."""
    import subprocess

    import img2pdf

    for pdf in sorted(source.glob("*.pdf")):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", "150", "-gray", "-jpeg", str(pdf), f"{tmp}/side"], check=True)
            (target / pdf.name).write_bytes(img2pdf.convert(sorted(str(p) for p in Path(tmp).glob("side*"))))
        pdf.unlink()


def main_bench() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledere", type=int, default=150)
    parser.add_argument("--skann", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-signert-") as tmp:
        folder = Path(tmp)
        workbook, out, inbox, scan_inbox, tillit = build(folder, args.ledere, args.skann)
        files = len(list(inbox.glob("*.pdf")))

        start = time.perf_counter()
        result = signert(Job(workbook, out), inbox, tillit)
        ours = time.perf_counter() - start
        signed = sum(1 for item in result.items for _ in item.filer)
        if result.failures:
            print("Avvist:", *result.failures[:5], sep="\n  ")

        start = time.perf_counter()
        baseline(inbox, tillit)
        plain = time.perf_counter() - start

        print(f"signert: {files} e-signerte kopier på {ours:.1f} s ({ours / files:.3f} s per fil), "
              f"{signed} registrert, {len(result.failures)} avvist")
        print(f"pyHanko validate_pdf_signature alene: {plain:.1f} s ({plain / files:.3f} s per fil)")
        print(f"forhold: {ours / plain:.2f}x (mål: under 30 s for 300 filer, 0,1 s per fil)")

        if args.skann:
            scans = folder / "skannet"
            scans.mkdir()
            scanned(scan_inbox, scans)
            start = time.perf_counter()
            result = signert(Job(workbook, out), scans, tillit, dato=date(2027, 3, 3))
            elapsed = time.perf_counter() - start
            print(f"skann for seg: {args.skann} skannede kopier på {elapsed:.1f} s "
                  f"({elapsed / args.skann:.2f} s per fil, {len(result.failures)} avvist)")


if __name__ == "__main__":
    main_bench()
