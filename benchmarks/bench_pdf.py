"""How fast is `generer` with PDF, compared with converting one file per LibreOffice process?

Usage: .venv/bin/python benchmarks/bench_pdf.py [--ledere 500] [--jobber N] [--utvalg 8]

1. Writes a synthetic municipality (tests/synth.py) with that many leaders.
2. Times the full run, `generate(job, pdf=True)`: .docx and PDF/A for every leader.
3. Times the naive way on a sample of the generated .docx files: one
   `soffice --headless --convert-to pdf` per file, each with a fresh profile, as a
   simple script would do it. Also with one reused profile, for comparison.
4. Times LibreOffice's own floor on all the generated .docx files: two warm soffice processes (their
   profiles made beforehand), each converting half of them in one batch, with the tool's own PDF/A
   filter. No way of running LibreOffice converts faster, so the full run's time per document against
   this floor's says how much the tool adds (rendering, checks, the manifest) or saves.
5. Prints documents per second for each and the speed-up.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from synth import synthetic_workbook  # noqa: E402

from generator.commands.generate import generate  # noqa: E402
from generator.documents.pdf import PdfSettings, find_soffice, pdf_filter  # noqa: E402
from generator.job import Job  # noqa: E402

TARGET = 15  # times faster per document than the naive way, on 2 cores


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (LibreOffice)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def full_run(workbook: Path, ut: Path, jobber: int | None) -> tuple[float, float, list[Path], list[Path]]:
    start, cpu = time.perf_counter(), cpu_seconds()
    job = Job(workbook, ut, pdf=PdfSettings(jobber))
    result = generate(job, pdf=True)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    failures = result.failures
    if failures:
        print(f"ADVARSEL: {len(failures)} feil i full kjøring, f.eks. {failures[0]}")
    docx = sorted(job.year.path.rglob("*.docx"))
    pdfs = sorted(job.year.path.rglob("*.pdf"))
    return elapsed, cpu, docx, pdfs


def naive_run(soffice: str, sample: list[Path], work: Path, fresh_profile: bool) -> tuple[float, float]:
    """One LibreOffice process per file, run one after the other."""
    shared_profile = work / "profil-felles"
    start, cpu = time.perf_counter(), cpu_seconds()
    for n, docx in enumerate(sample):
        profile = work / f"profil-{n}" if fresh_profile else shared_profile
        out = work / f"ut-{n}"
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
             "--outdir", str(out), str(docx)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
        )
        if not (out / f"{docx.stem}.pdf").stat().st_size:
            raise SystemExit(f"Naiv konvertering av {docx} ga ingen PDF")
    return time.perf_counter() - start, cpu_seconds() - cpu


def floor_run(soffice: str, docx: list[Path], work: Path) -> float:
    """LibreOffice alone: two warm processes side by side, each converting half the files in one batch."""
    halves = [docx[0::2], docx[1::2]]
    profiles = [work / f"gulv-profil-{n}" for n in range(2)]
    for n, profile in enumerate(profiles):  # warm: the profile made by a first, untimed conversion
        subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
                        "--outdir", str(work / f"varm-{n}"), str(docx[0])],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    start = time.perf_counter()
    running = [subprocess.Popen([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to",
                                 pdf_filter("UTKAST"), "--outdir", str(work / f"gulv-{n}"), *map(str, half)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for n, (profile, half) in enumerate(zip(profiles, halves))]
    if any(process.wait() for process in running):
        raise SystemExit("LibreOffice alene feilet")
    elapsed = time.perf_counter() - start
    made = sum(1 for n in range(2) for _ in (work / f"gulv-{n}").glob("*.pdf"))
    if made != len(docx):
        raise SystemExit(f"LibreOffice alene laget {made} av {len(docx)} PDF-er")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description="Måler hastigheten på PDF-konverteringen.")
    parser.add_argument("--ledere", type=int, default=500, help="antall ledere i den syntetiske kommunen")
    parser.add_argument("--jobber", type=int, default=None, help="LibreOffice-prosesser side om side")
    parser.add_argument("--utvalg", type=int, default=8, help="antall filer i den naive målingen (minst 8)")
    args = parser.parse_args()
    if args.utvalg < 8:
        parser.error("--utvalg må være minst 8")

    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        tmp = Path(tmp)
        workbook = synthetic_workbook(tmp / "arbeidsbok.xlsx", args.ledere)

        elapsed, cpu, docx, pdfs = full_run(workbook, tmp / "ut", args.jobber)
        documents = len(pdfs)
        full_rate = documents / elapsed
        print(f"Full kjøring (docx + PDF/A), {args.ledere} ledere, jobber={args.jobber or os.cpu_count()}:")
        print(f"  {len(docx)} .docx og {documents} PDF på {elapsed:.1f} s = {full_rate:.1f} dokumenter/s"
              f" (CPU {cpu / documents:.3f} s per dokument)")

        sample = random.Random(1).sample(docx, min(args.utvalg, len(docx)))
        naive_fresh, naive_cpu = naive_run(soffice, sample, tmp / "naiv-ny", fresh_profile=True)
        naive_rate = len(sample) / naive_fresh
        print(f"Naiv (én soffice per fil, ny profil hver gang), {len(sample)} filer:")
        print(f"  {naive_fresh:.1f} s = {naive_rate:.2f} dokumenter/s ({naive_fresh / len(sample):.2f} s per dokument,"
              f" CPU {naive_cpu / len(sample):.3f} s per dokument)")
        naive_shared, _ = naive_run(soffice, sample, tmp / "naiv-felles", fresh_profile=False)
        shared_rate = len(sample) / naive_shared
        print(f"Naiv med gjenbrukt profil, {len(sample)} filer:")
        print(f"  {naive_shared:.1f} s = {shared_rate:.2f} dokumenter/s")

        floor = floor_run(soffice, docx, tmp / "gulv")
        per_doc, floor_per_doc = elapsed / documents * 1000, floor / len(docx) * 1000
        print(f"LibreOffice alene (to varme prosesser, én batch hver), {len(docx)} filer:")
        print(f"  {floor:.1f} s = {len(docx) / floor:.1f} dokumenter/s")
        print(f"Full kjøring mot LibreOffice alene: {per_doc:.0f} ms mot {floor_per_doc:.0f} ms per dokument "
              f"({per_doc / floor_per_doc:.2f}x)")
        print(f"Hastighetsøkning mot naiv: {full_rate / naive_rate:.1f}x "
              f"(mot naiv med gjenbrukt profil: {full_rate / shared_rate:.1f}x)")
        reached = "nådd" if full_rate / naive_rate >= TARGET else "IKKE nådd"
        print(f"Mål på minst {TARGET:g}x: {reached}")


if __name__ == "__main__":
    main()
