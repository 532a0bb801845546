"""How fast the overview's table searches and sorts for a large municipality, against the layout floor.

Run: .venv/bin/python benchmarks/bench_tables.py [--ledere 5000]

The real `lederavtale web` on a synthetic municipality (tests/synth.py), in Debian's chromium through
Playwright, as HR uses it: one search in «Søk i tabellen» (the 150 ms wait after the last key not counted)
and one sort by a column, each timed in the page until the browser has laid the table out again. A sort moves
every row, and the browser then lays them all out anew, which no script can spare it: the baseline is that
cost alone, the same rows moved in reverse order by a naive script on the same page in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import write_xlsx  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from synth import synthetic_sheets  # noqa: E402
from test_web import Server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Measured in the page, on the overview of 5,000 leaders: one search (the 150 ms wait after the last key not
# counted) and one sort, each until the browser has laid the table out again. A sort moves every row, and the
# browser then lays them all out anew, which no script can spare it: the yardstick is that cost alone, the rows
# moved in reverse order by hand, measured on the same page (the machine may be busy with other work).
SEARCH_TIME = """async () => {
    const input = document.querySelector('.tabellsok input[type=search]');
    const count = document.getElementById(input.getAttribute('aria-describedby'));
    const said = new Promise(done => new MutationObserver((_, o) => { o.disconnect(); done(); })
        .observe(count, {childList: true, characterData: true, subtree: true}));
    input.value = 'sykehjem';
    const typed = performance.now();
    input.dispatchEvent(new Event('input'));
    await said;
    document.body.offsetHeight;
    return performance.now() - typed - 150;
}"""
SORT_TIME = """header => {
    const start = performance.now();
    [...document.querySelectorAll('table[data-tabell] thead th')]
        .find(th => th.textContent.trim().startsWith(header)).querySelector('button').click();
    document.body.offsetHeight;
    return performance.now() - start;
}"""
REVERSE_TIME = """() => {
    const body = document.querySelector('table[data-tabell]').tBodies[0];
    const start = performance.now();
    const rows = document.createDocumentFragment();
    [...body.rows].reverse().forEach(row => rows.appendChild(row));
    body.appendChild(rows);
    document.body.offsetHeight;
    return performance.now() - start;
}"""




def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledere", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_xlsx(root / "eksempel.xlsx", synthetic_sheets(args.ledere, goals=1, measures=1))
        server = Server(root)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                page.goto(server.url)
                rows = page.locator("table[data-tabell] tbody tr").count()
                searched = page.evaluate(SEARCH_TIME)
                page.fill(".tabellsok input[type=search]", "")
                page.wait_for_timeout(300)
                naive = min(page.evaluate(REVERSE_TIME) for _ in range(3))
                sorts = [page.evaluate(SORT_TIME, header) for header in ("Enhet", "Navn", "Enhet", "Navn")]
                browser.close()
        finally:
            server.stop()
    best = min(sorts)
    print(f"{rows} ledere i oversikten")
    print(f"søk:        {searched:7.0f} ms")
    print(f"sortering:  {best:7.0f} ms (beste av {len(sorts)}: {' / '.join(f'{t:.0f}' for t in sorts)})")
    print(f"grunnlinje: {naive:7.0f} ms (radene flyttet i omvendt rekkefølge, uten sammenligning)")
    print(f"sortering / grunnlinje: {best / naive:.2f}x")


if __name__ == "__main__":
    main()
