"""Documents per second for the Word stage: the one-parse renderer against plain docxtpl.

Run: .venv/bin/python benchmarks/bench_docx.py [--ledere 500] [--naive 100] [--maler DIR]

Both ways render the same leaders' agreement and appendix in this one process. The naive
way is what a straightforward script does: `DocxTemplate(path)`, `render`, `save`, per document.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from synth import synthetic_workbook  # noqa: E402

from generator.context import agreement_context, appendix_context  # noqa: E402
from generator.generate import generate  # noqa: E402
from generator.render import DocxRenderer, TemplateSet, make_jinja_env, naive_render  # noqa: E402
from generator.workbook import read_workbook  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ledere", type=int, default=500)
    parser.add_argument("--naive", type=int, default=100, help="leaders in the naive sample")
    parser.add_argument("--maler", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        workbook = synthetic_workbook(tmp / "syntetisk.xlsx", args.ledere)

        start = time.perf_counter()
        bok = read_workbook(workbook)
        read_s = time.perf_counter() - start

        templates = TemplateSet(bok, args.maler)
        leaders = bok.avtaleledere()
        env = make_jinja_env()
        today = date.today()
        contexts = [(templates.agreement_for(l), agreement_context(bok, l, today),
                     templates.appendix, appendix_context(bok, l, today)) for l in leaders]

        start = time.perf_counter()
        renderers: dict[Path, DocxRenderer] = {}
        for agreement_tpl, agreement_ctx, appendix_tpl, appendix_ctx in contexts:
            for tpl, ctx in ((agreement_tpl, agreement_ctx), (appendix_tpl, appendix_ctx)):
                if tpl not in renderers:
                    renderers[tpl] = DocxRenderer(tpl, env, bok.kommune.logo)
                renderers[tpl].render(ctx)
        fast_s = time.perf_counter() - start
        fast_docs = 2 * len(contexts)

        sample = contexts[: args.naive]
        start = time.perf_counter()
        for agreement_tpl, agreement_ctx, appendix_tpl, appendix_ctx in sample:
            naive_render(agreement_tpl, agreement_ctx, env, bok.kommune.logo)
            naive_render(appendix_tpl, appendix_ctx, env, bok.kommune.logo)
        naive_s = time.perf_counter() - start
        naive_docs = 2 * len(sample)

        start = time.perf_counter()
        result = generate(workbook, maler=args.maler, ut=tmp / "ut", pdf=False)
        full_s = time.perf_counter() - start
        full_docs = 2 * len(result.leaders)

    fast_rate, naive_rate = fast_docs / fast_s, naive_docs / naive_s
    print(f"Arbeidsbok med {len(leaders)} ledere lest på {read_s:.2f} s")
    print(f"Rendering, malen lest én gang:   {fast_docs:5d} dokumenter på {fast_s:6.2f} s = "
          f"{fast_rate:7.1f} dok/s ({1000 * fast_s / fast_docs:.1f} ms/dok)")
    print(f"Rendering, docxtpl per dokument: {naive_docs:5d} dokumenter på {naive_s:6.2f} s = "
          f"{naive_rate:7.1f} dok/s ({1000 * naive_s / naive_docs:.1f} ms/dok)")
    print(f"Hastighetsøkning: {fast_rate / naive_rate:.1f}x")
    print(f"Hele `generer --ingen-pdf` (lese, validere, rendre, skrive, manifest, rapport): "
          f"{full_docs} dokumenter på {full_s:.2f} s = {full_docs / full_s:.1f} dok/s")


if __name__ == "__main__":
    main()
