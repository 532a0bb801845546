"""Documents per second and peak memory of the Word stage, for a small and a large municipality.

Run: .venv/bin/python benchmarks/bench_docx.py [--ledere 500 5000] [--naive 50]

Each size runs in a fresh process, so that its peak memory is its own: the whole
`generer --ingen-pdf` (read, validate, check every document, write, manifest, report) on a
synthetic municipality where every leader has three own measures and two development goals.
In the same process a sample of leaders is then rendered the plain docxtpl way
(`DocxTemplate(path)`, `render`, `save` per document), as the baseline. The cost per document
should not grow with the municipality: the last line compares the largest with the smallest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from naive import naive_render  # noqa: E402
from synth import synthetic_workbook  # noqa: E402

from generator.commands.generate import generate  # noqa: E402
from generator.documents.context import agreement_context, appendix_context  # noqa: E402
from generator.documents.jinja import make_jinja_env  # noqa: E402
from generator.documents.kinds import APPENDIX  # noqa: E402
from generator.documents.templates import TemplateSet  # noqa: E402
from generator.job import Job  # noqa: E402
from generator.workbook import read_workbook  # noqa: E402

MEASURES, GOALS = 3, 2


def peak_mb() -> float:
    import resource  # not on Windows; the benchmark runs on the Linux build machine

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(workbook: Path, out: Path, naive_leaders: int) -> dict:
    """One size, in this process: the full run, then the naive sample."""
    start = time.perf_counter()
    result = generate(Job(workbook, out), pdf=False)
    seconds = time.perf_counter() - start
    docs = sum(1 for item in result.items for f in item.filer if f.endswith(".docx"))
    peak = peak_mb()

    bok = read_workbook(workbook)
    templates = TemplateSet(bok)
    env = make_jinja_env()
    sample = bok.avtaleledere()[:naive_leaders]
    start = time.perf_counter()
    for leder in sample:
        naive_render(templates.agreement_for(leder), agreement_context(bok, leder, date.today()), env, bok.kommune.logo)
        naive_render(templates.path(APPENDIX), appendix_context(bok, leder, date.today()), env, bok.kommune.logo)
    naive_seconds = time.perf_counter() - start
    return {"ledere": len(result.items), "docs": docs, "seconds": seconds, "peak_mb": peak,
            "naive_docs": 2 * len(sample), "naive_seconds": naive_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledere", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--naive", type=int, default=50, help="leaders in the naive sample")
    parser.add_argument("--one", nargs=2, metavar=("ARBEIDSBOK", "UT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(Path(args.one[0]), Path(args.one[1]), args.naive)))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.ledere:
            workbook = synthetic_workbook(Path(tmp) / f"syntetisk-{n}.xlsx", n, measures=MEASURES, goals=GOALS)
            child = subprocess.run([sys.executable, __file__, "--naive", str(args.naive), "--one", str(workbook),
                                    str(Path(tmp) / f"ut-{n}")], capture_output=True, text=True, check=True)
            rows.append(json.loads(child.stdout.strip().splitlines()[-1]))

    print(f"{'Ledere':>7} {'Dokumenter':>10} {'Tid':>8} {'dok/s':>7} {'ms/dok':>7} {'Topp minne':>11} "
          f"{'docxtpl dok/s':>14} {'Hastighetsøkning':>17}")
    for r in rows:
        rate, naive_rate = r["docs"] / r["seconds"], r["naive_docs"] / r["naive_seconds"]
        print(f"{r['ledere']:>7} {r['docs']:>10} {r['seconds']:>7.1f}s {rate:>7.0f} {1000 / rate:>7.2f} "
              f"{r['peak_mb']:>8.0f} MB {naive_rate:>14.1f} {rate / naive_rate:>16.1f}x")
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        ratio = (large["seconds"] / large["docs"]) / (small["seconds"] / small["docs"])
        print(f"Kostnad per dokument, {large['ledere']} mot {small['ledere']} ledere: {ratio:.2f}x (mål: høyst 1,3x)")


if __name__ == "__main__":
    main()
