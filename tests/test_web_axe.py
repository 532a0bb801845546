"""Universell utforming of the web page: every page checked with axe-core (WCAG 2.0 and 2.1, A and AA, and
axe's best practices) in Debian's chromium, and the tables' search and sort used as HR uses them.

axe-core is the version package-lock.json pins (`make test` installs it with `npm ci`); a missing one fails
the test rather than skipping it, since a skipped check looks like a passed one. The example is first brought
to where every page has something to show (the agreements made on the page, the settings saved, the e-mail
sent to a real SMTP server on 127.0.0.1), then each page of the menu, a leader's page, the two confirmation
pages and a missing page is checked in turn; every violation on every page is collected and said together:
page, rule, what it asks for and the first elements it found. Screenshots of each page (full length) are
left in <tmp>/lederavtale-skjermbilder/axe-*.png, to look at.

axe is loaded as the browser's own script for every new document (not as a <script> in the page, which the
page's Content-Security-Policy would refuse, as it should): the pages are checked under their real policy.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.serialization import Encoding
from playwright.sync_api import expect

from conftest import ROOT, basic_sheets, example_folder, write_xlsx
from test_returned import edited_copy
from test_settings import ca_certificate
from test_web import LEADER, Server, free_port_smtp
from test_web_browser import CHROMIUM, Mailbox, Watched, browser  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SHOTS = Path(tempfile.gettempdir()) / "lederavtale-skjermbilder"  # never the README's pictures
NAME = "Marit Bjørnstad"

# What the browser gives back of axe's answer: enough to find the element, nothing of the page's text.
RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  })))"""


def readable(found: dict[str, list[dict]]) -> str:
    lines = []
    for page, violations in found.items():
        for v in violations:
            lines.append(f"{page}: {v['id']} ({v['impact']}) – {v['help']} [{len(v['nodes'])} element(er)] "
                         f"{v['helpUrl'].split('?')[0]}")
            for node in v["nodes"][:3]:
                summary = " ".join(node["summary"].split())[:300]
                lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


class Axe:
    """The browser page, checked by axe where the test says so; the violations are gathered per page."""

    def __init__(self, watched: Watched):
        assert AXE.is_file(), (f"{AXE.relative_to(ROOT)} mangler: `make test` installerer axe-core fra "
                               "package-lock.json (npm ci)")
        self.watched = watched
        self.page = watched.page
        watched.context.add_init_script(path=str(AXE))
        self.found: dict[str, list[dict]] = {}
        self.checked: list[str] = []

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        assert page.evaluate("typeof axe") == "object", f"{name}: axe is not loaded"
        violations = page.evaluate(RUN_AXE, TAGS)
        if violations:
            self.found[f"{name} (/{page.url.split('/', 3)[-1]})"] = violations
        self.checked.append(name)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"axe-{name}.png"), full_page=True)

    def go_and_check(self, path: str, name: str) -> None:
        self.watched.go(path)
        self.check(name)


def visible_rows(page, table: str) -> list[str]:
    """The first cell's text of each row the search has left visible, in the order shown."""
    return page.eval_on_selector(
        table, "t => [...t.tBodies[0].rows].filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())")


def column(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector(
        table, f"t => [...t.tBodies[0].rows].map(r => r.cells[{index}].textContent.replace(/\\s+/g, ' ').trim())")


def norwegian(text: str) -> list[tuple]:
    """A sort key in Norwegian order, enough for these names and units: æ, ø, å after z, aa as å («Aas» by «Ås»),
    case ignored, and a number in the text by its value («Lia 2» before «Lia 10»)."""
    letters = text.casefold().replace("aa", "å").translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", letters)]


def example_rows() -> list[dict]:
    """The example's leaders with an agreement: number, name, unit and the superior's name."""
    ws = openpyxl.load_workbook(ROOT / "input" / "eksempel.xlsx", read_only=True)["Ledere"]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    leaders = [dict(zip(header, row)) for row in rows[1:] if row[header.index("Navn")]]
    names = {str(l["Ansattnr"]): l["Navn"] for l in leaders}
    return [{"nr": str(l["Ansattnr"]), "navn": l["Navn"], "enhet": l["Enhet"],
             "overordnet": names.get(str(l["Overordnet"]), "")}
            for l in leaders if str(l["Avtale"]).strip().lower() == "ja"]


@pytest.mark.slow
def test_every_page_passes_axe_and_the_tables_search_and_sort(browser, tmp_path):  # noqa: F811
    started = time.monotonic()
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port_smtp())
    smtp.start()
    server = Server(example_folder(tmp_path))
    try:
        watched = Watched(browser, server)
        axe = Axe(watched)
        page = watched.page
        leaders = example_rows()

        # The agreements, made on the page (Word only: LibreOffice is not what is checked here).
        watched.go("/avtaler")
        page.uncheck("#pdf")
        page.click("button:has-text('Lag avtaler')")
        watched.wait_for_job()
        axe.check("avtaler")
        # An agreement edited after the conversation comes back: the changes are listed, the server's file kept.
        edited = edited_copy(tmp_path, LEADER, "avtale", tmp_path / "Nedlastinger" / "Lederavtale (1).docx")
        page.set_input_files("#word", str(edited))
        page.click("button:has-text('Lever inn')")
        watched.wait_for_job(120_000)
        axe.check("avtaler-levert-inn")
        # Overwriting asks first: the form as HR sends it, with «Erstatt …» ticked.
        page.check("#overskriv")
        page.click("button:has-text('Lag avtaler')")
        page.wait_for_selector("text=Ja, erstatt dem")
        axe.check("avtaler-bekreft")
        page.click("a:has-text('Nei, gå tilbake')")
        # A workbook with errors: each said with its sheet and cell (and the one in use stays).
        sheets = basic_sheets()
        sheets["Ledere"][3][6] = 9999
        watched.go("/arbeidsbok")
        page.set_input_files("#arbeidsbok", str(write_xlsx(tmp_path / "feil.xlsx", sheets)))
        page.click("button:has-text('Last opp og kontroller')")
        watched.wait_for_job()
        assert "Ledere!G4" in page.content()
        axe.check("arbeidsbok-feil")

        # The SMTP server saved on Innstillinger (a relay on this machine: no TLS), then the e-mail sent.
        watched.go("/innstillinger")
        page.fill("#smtp_vert", "127.0.0.1")
        page.fill("#smtp_port", str(smtp.port))
        page.uncheck("#smtp_tls")
        page.click("button:has-text('Lagre e-postserveren')")
        page.wait_for_selector("text=Innstillingene er lagret.")
        # Two trusted issuers listed (a table with a column of buttons), and the e-mail's text previewed.
        for name, days in (("Fjordvik Rot-CA", 365), ("Buypass Test", 30)):
            pem = tmp_path / f"{name}.pem"
            pem.write_bytes(ca_certificate(name, days).public_bytes(Encoding.PEM))
            page.set_input_files("#sertifikater", str(pem))
            page.click("button:has-text('Legg til')")
            page.wait_for_selector(f"#tillit td:has-text('{name}')")
        page.locator("button:has-text('Forhåndsvis')").first.click()
        page.wait_for_selector("#forhandsvisning")
        axe.check("innstillinger")
        axe.go_and_check(f"/epost?leder={LEADER}", "epost")
        page.click("button:has-text('Gå videre til sending')")
        page.wait_for_selector("text=Klar til å sende")
        axe.check("epost-bekreft")
        page.click("button:has-text('Send nå')")
        watched.wait_for_job()
        assert box.received, "no e-mail reached the SMTP server"
        axe.check("epost-sendt")

        for path, name in (("/", "oversikt"), ("/signering", "signering"),
                           ("/arkiv", "arkiv"), ("/oppfolging", "oppfolging"), ("/nytt-ar", "nytt-ar"),
                           (f"/leder/{LEADER}", "leder"), ("/finnes-ikke", "404")):
            axe.go_and_check(path, name)
        axe_done = time.monotonic()

        # Every leader's name in a table is a link to the leader's page.
        for path in ("/", "/avtaler", "/epost", "/signering", "/arkiv"):
            watched.go(path)
            assert page.locator(f'table a[href="/leder/{LEADER}"]', has_text=NAME).count() >= 1, path

        # --- search: typed as HR types, the rows that do not match are hidden, the count is said -----------
        watched.go("/")
        table = "table[data-tabell]"
        search = page.get_by_label("Søk i tabellen")
        # Waited for as Playwright's locators wait: the page's policy allows no evaluated strings (wait_for_function).
        shown_rows = page.locator(f"{table} tbody tr:not([hidden])")
        assert search.count() == 1
        search.press_sequentially("sykehjem", delay=20)
        expected = [l["navn"] for l in leaders if "sykehjem" in " ".join(l.values()).casefold()]
        assert len(expected) == 2
        expect(shown_rows).to_have_count(len(expected))
        assert [row.rsplit(" ", 1)[0] for row in visible_rows(page, table)] == expected
        assert f"Viser {len(expected)} av {len(leaders)} ledere" in page.inner_text("main")
        # Two words: a row has both, anywhere in it (a name, and the superior's name).
        search.fill("")
        search.press_sequentially("fjordvik bjørn", delay=20)
        expected = [l["navn"] for l in leaders if "fjordvik" in l["enhet"].casefold()
                    and "bjørn" in " ".join(l.values()).casefold()]
        expect(shown_rows).to_have_count(len(expected))
        assert [row.rsplit(" ", 1)[0] for row in visible_rows(page, table)] == expected
        search.fill("")
        expect(shown_rows).to_have_count(len(leaders))
        assert f"Viser {len(leaders)} av {len(leaders)} ledere" in page.inner_text("main")

        # --- sort: Norwegian order (Hanne before Håkon, Øyvind last), both ways, said with aria-sort --------
        names = [l["navn"] for l in leaders]
        header = page.locator(f"{table} thead th", has_text="Navn")
        header.get_by_role("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        shown = [row.rsplit(" ", 1)[0] for row in column(page, table, 0)]
        assert shown == sorted(names, key=norwegian)
        assert shown.index("Hanne Solberg") < shown.index("Håkon Lie") and shown[-1] == "Øyvind Strand"
        header.get_by_role("button").press("Enter")  # from the keyboard as well
        assert header.get_attribute("aria-sort") == "descending"
        assert [row.rsplit(" ", 1)[0] for row in column(page, table, 0)] == sorted(names, key=norwegian, reverse=True)
        # Searching a sorted table keeps its order.
        search.press_sequentially("fjordvik", delay=20)
        expected = sorted((l["navn"] for l in leaders if "fjordvik" in l["enhet"].casefold()), key=norwegian, reverse=True)
        assert len(expected) >= 3
        expect(shown_rows).to_have_count(len(expected))
        assert [row.rsplit(" ", 1)[0] for row in visible_rows(page, table)] == expected

        # Dates (dd.mm.åååå) and numbers sort as such. The example's archive column has no dates yet (nothing is
        # archived): the test writes some into it, as the page shows them, before sorting.
        watched.go("/arkiv")
        table = "table[data-tabell]"
        page.eval_on_selector(table, """t => {
            const texts = ['03.02.2027', '–', '12.01.2026', '25.12.2026 kl. 10.15', '1.2.2027', '25.12.2026 kl. 09.30'];
            [...t.tBodies[0].rows].forEach((r, i) => { r.cells[2].textContent = texts[i] || '–'; });
            const numbers = ['10', '9', '100', '2,5', '1 000'];
            [...t.tBodies[0].rows].forEach((r, i) => { r.cells[1].textContent = numbers[i] || ''; });
        }""")
        page.locator(f"{table} thead th", has_text="Arkivert").get_by_role("button").click()
        assert column(page, table, 2)[:6] == ["12.01.2026", "25.12.2026 kl. 09.30", "25.12.2026 kl. 10.15",
                                              "1.2.2027", "03.02.2027", "–"]
        page.locator(f"{table} thead th", has_text="Arkivert").get_by_role("button").click()
        # Descending: the newest first, and the empty cells still last.
        assert column(page, table, 2)[:5] == ["03.02.2027", "1.2.2027", "25.12.2026 kl. 10.15",
                                              "25.12.2026 kl. 09.30", "12.01.2026"]
        assert set(column(page, table, 2)[5:]) == {"–"}
        page.locator(f"{table} thead th", has_text="Enhet").get_by_role("button").click()
        assert column(page, table, 1)[:5] == ["2,5", "9", "10", "100", "1 000"]
        assert page.locator(f"{table} thead th[aria-sort]").count() == 1  # only the column sorted by says so

        # Nothing refused by the Content-Security-Policy, no script error (the missing page's own 404 aside).
        assert [e for e in watched.errors if "status of 404" not in e] == []
        watched.context.close()
    finally:
        server.stop()
        smtp.stop()
    assert axe.checked and not axe.found, "axe-core fant brudd på WCAG:\n" + readable(axe.found)
    print(f"axe: {len(axe.checked)} sider på {axe_done - started:.1f} s, hele testen {time.monotonic() - started:.1f} s")
