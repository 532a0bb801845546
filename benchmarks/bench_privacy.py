"""The privacy guard against every leader's goals: agreements checked per second, indexed and naive.

Run: .venv/bin/python benchmarks/bench_privacy.py [--ledere 500 5000] [--naive 200]

Every public text is read against the goals of every leader in the workbook, so a naive guard
(each goal text and sentence searched for in turn) costs leaders × goals: quadratic in the
municipality. The guard indexes the goals once and reads each text once. Both run here, in the
same process, on the real filled-in agreements of a synthetic municipality (two goals per leader).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from synth import synthetic_workbook  # noqa: E402

from generator.documents.batch import Batch  # noqa: E402
from generator.documents.context import agreement_context  # noqa: E402
from generator.documents.privacy import PrivacyGuard, _needles, normalise  # noqa: E402
from generator.documents.text import text_of  # noqa: E402
from generator.documents.templates import TemplateSet  # noqa: E402
from generator.workbook import read_workbook  # noqa: E402


def naive_found(bok, text: str) -> list:
    haystack = normalise(text)
    return [goal for goal in bok.utviklingsmal
            if any(needle in haystack for field in (goal.mal, goal.tiltak, goal.oppfolging) for needle in _needles(field))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledere", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--naive", type=int, default=200, help="agreements checked the naive way per size")
    args = parser.parse_args()
    for n in args.ledere:
        with tempfile.TemporaryDirectory() as tmp:
            bok = read_workbook(synthetic_workbook(Path(tmp) / "a.xlsx", n_leaders=n))
        batch = Batch(bok, TemplateSet(bok), None)
        ledere = bok.avtaleledere()
        texts = []
        for leder in ledere:
            renderer = batch._renderer(batch.templates.agreement_for(leder))
            texts.append(text_of(renderer.fill(agreement_context(bok, leder))))
        start = time.perf_counter()
        guard = PrivacyGuard(bok)
        build = time.perf_counter() - start
        start = time.perf_counter()
        hits = sum(len(guard.found(text)) for text in texts)
        indexed = (time.perf_counter() - start) / len(texts)
        sample = texts[: args.naive]
        start = time.perf_counter()
        naive_hits = sum(len(naive_found(bok, text)) for text in sample)
        naive = (time.perf_counter() - start) / len(sample)
        assert hits == 0 and naive_hits == 0, "the synthetic agreements quote no goal"
        print(f"{n:>5} ledere, {len(bok.utviklingsmal)} mål: indeks bygd på {build * 1000:.0f} ms; "
              f"{indexed * 1000:.2f} ms per avtale (alle {len(texts)}), naivt {naive * 1000:.1f} ms per avtale "
              f"({len(sample)} avtaler) → {naive / indexed:.0f}x")


if __name__ == "__main__":
    main()
