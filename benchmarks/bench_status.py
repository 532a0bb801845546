"""Rows per second of `status` on a large municipality, against plain openpyxl loading.

Run: .venv/bin/python benchmarks/bench_status.py [--ledere 5000] [--pdf]

A synthetic municipality (tests/synth.py) with assignments trimmed to five per leader, its
status workbook written as `oppfolging` writes it and filled in with every status, then the
whole `status` command as a function (read and validate both workbooks, count, write
statusrapport.xlsx and .docx with charts; with --pdf also the PDF/A). The baseline, in the same
process, is the obvious way to read the status workbook: `openpyxl.load_workbook` without
read-only mode, then the same validation and counting.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import openpyxl
from conftest import write_xlsx
from synth import synthetic_sheets

from generator.commands.status import make_status_report
from generator.job import Job
from generator.status.counts import count
from generator.status.workbook import STATUSES, read_status, write_status_workbook
from generator.workbook import read_workbook

ASSIGNMENTS = 5


def build(folder: Path, n: int) -> tuple[Path, Path, int]:
    sheets = synthetic_sheets(n)
    # Every leader gets the same five assignments: 5,000 leaders × 5 rows.
    header, *rows = sheets["Oppdrag"]
    gjelder = header.index("Gjelder")
    sheets["Oppdrag"] = [header] + [row[:gjelder] + ["alle; nivå:kommunedirektør"] + row[gjelder + 1:]
                                    for row in rows[:ASSIGNMENTS]]
    sheets["Tiltak"] = sheets["Tiltak"][:1]
    workbook = write_xlsx(folder / "arbeidsbok.xlsx", sheets)
    bok = read_workbook(workbook)
    status = folder / "status.xlsx"
    start = time.perf_counter()
    write_status_workbook(bok, bok.avtaleledere(), status)
    print(f"status.xlsx skrevet på {time.perf_counter() - start:.1f} s")
    wb = openpyxl.load_workbook(status)
    ws = wb["Status"]
    for i, row in enumerate(ws.iter_rows(min_row=2)):
        row[8].value = (*STATUSES, None)[i % 6]
    wb.save(status)
    return workbook, status, ws.max_row - 1


def naive(workbook: Path, status: Path) -> None:
    """The same work, but the status workbook loaded whole (not read-only) first."""
    bok = read_workbook(workbook)
    wb = openpyxl.load_workbook(status)
    wb.close()
    count(bok, read_status(bok, status).rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledere", type=int, default=5000)
    parser.add_argument("--pdf", action="store_true", help="ta med PDF/A (LibreOffice)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workbook, status, rows = build(folder, args.ledere)
        start = time.perf_counter()
        make_status_report(Job(workbook, folder / "ut"), status, pdf=args.pdf)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        naive(workbook, status)
        plain = time.perf_counter() - start
    print(f"{args.ledere} ledere, {rows} statusrader:")
    print(f"  status{' (med PDF/A)' if args.pdf else ' (uten PDF)'}: {ours:.1f} s, {rows / ours:,.0f} rader/s")
    print(f"  grunnlinje (openpyxl uten read_only, lese og telle, ingen rapport): {plain:.1f} s, "
          f"{rows / plain:,.0f} rader/s")


if __name__ == "__main__":
    main()
