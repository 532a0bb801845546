"""How fast the web page's overview opens for a large municipality, against the naive way.

Run: .venv/bin/python benchmarks/bench_web.py [--ledere 5000]

A synthetic municipality (tests/synth.py) with every leader's records filled in as after a year's
work: manifest.json (agreement, appendix, follow-up), sendt.json and signert.json, with no documents on
disk (the overview reads only the records). The overview is fetched through the real app and its
security layer (`GET /` with the session cookie), first once cold (the workbook read), then warm,
which is what HR sees on every later visit. The baseline is the obvious way: reading the workbook
again on every request, then the same overview and template.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import write_xlsx  # noqa: E402
from synth import synthetic_sheets  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from generator.web import app as webapp  # noqa: E402
from generator.web.workspace import Settings  # noqa: E402
from generator.workbook import read_workbook  # noqa: E402


def records(bok, year: Path) -> None:
    year.mkdir(parents=True, exist_ok=True)
    ledere, sent, signed = {}, {}, {}
    for leder in bok.avtaleledere():
        mappe = f"{leder.ansattnr} {leder.navn}"
        files = [{"sti": f"{mappe}/{rolle}.{fmt}", "rolle": rolle, "format": fmt, "offentlig": rolle != "vedlegg",
                  "sha256": "0" * 64} for rolle in ("avtale", "vedlegg", "oppfolging") for fmt in ("docx", "pdf")]
        ledere[leder.ansattnr] = {"ansattnr": leder.ansattnr, "navn": leder.navn, "mappe": mappe, "filer": files}
        sent[leder.ansattnr] = {"message_id": "<x@y>", "tid": "2027-01-20T10:00:00+01:00", "mottakere": []}
        doc = {"fil": f"{mappe}/avtale (signert).pdf", "sha256": "0" * 64, "type": "e-signatur", "dato": "2027-02-01",
               "dokument_id": "", "status": "signert", "signaturer": []}
        signed[leder.ansattnr] = {"avtale": doc, "vedlegg": {**doc, "fil": f"{mappe}/vedlegg (signert).pdf"}}
    (year / "manifest.json").write_text(json.dumps({"versjon": 1, "ar": 2027, "ledere": ledere}), encoding="utf-8")
    (year / "epost").mkdir()
    (year / "epost" / "sendt.json").write_text(json.dumps(sent), encoding="utf-8")
    (year / "signert.json").write_text(json.dumps(signed), encoding="utf-8")


def timed(function, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledere", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = write_xlsx(tmp / "stor.xlsx", synthetic_sheets(args.ledere, goals=1, measures=1))
        bok = read_workbook(book)
        records(bok, tmp / "ut" / str(bok.kommune.periode.ar))
        app = webapp.create_app(Settings(ut=tmp / "ut", workbook=book, port=80, token="t"))
        client = TestClient(app, base_url="http://127.0.0.1")
        client.get("/?token=t", follow_redirects=False)

        def overview():
            page = client.get("/")
            assert page.status_code == 200 and page.text.count('<th scope="row">') == len(bok.avtaleledere())

        cold = timed(overview, 1)
        warm = timed(overview, 3)
        workspace = app.state.web.workspace

        def naive():
            workspace._cache = None  # the workbook read again, as a page without a cache would
            overview()

        baseline = timed(naive, 2)
        print(f"Oversikten med {len(bok.avtaleledere())} ledere: første gang {cold:.2f} s, deretter {warm:.2f} s "
              f"(arbeidsboken lest på nytt hver gang: {baseline:.2f} s, {baseline / warm:.1f}x)")


if __name__ == "__main__":
    main()
