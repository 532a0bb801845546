"""The web page in a real browser: Playwright driving Debian's chromium (/usr/bin/chromium), against the
real `lederavtale web` in a subprocess, with real LibreOffice, a real SMTP server (aiosmtpd) and copies
signed with pyHanko by a throwaway CA. Each page is saved as a screenshot at 1280×800, to look at: in a
temporary folder, or in the folder LEDERAVTALE_SKJERMBILDER names (`LEDERAVTALE_SKJERMBILDER=docs/web`
renews the README's pictures), so that a test run leaves the repository as it was.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from conftest import ROOT, basic_sheets, example_folder, write_xlsx
from test_signering import fill_in
from test_signing import Pki, sign
from test_status import fill
from test_web import LEADER, YEAR, Server, example_goals, example_leaders, free_port_smtp

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
SHOTS = Path(os.environ.get("LEDERAVTALE_SKJERMBILDER") or Path(tempfile.gettempdir()) / "lederavtale-skjermbilder")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, browser, server: Server):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO",
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.server = server
        self.page.goto(server.url)

    def go(self, path: str):
        self.page.goto(self.server.base + path)

    def shot(self, name: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def wait_for_job(self, timeout: float = 60_000):
        # The page reloads itself when the job is done (app.js polls /jobb): wait for a finished panel.
        self.page.wait_for_selector("section.jobb:not([data-kjorer])", timeout=timeout)


def example_server(root: Path) -> Server:
    """`lederavtale web` on a copy of the example workbook and its logo."""
    return Server(example_folder(root))


@pytest.mark.slow
def test_the_overview_shows_every_leader_and_no_goal(browser, tmp_path):
    server = example_server(tmp_path)
    try:
        watched = Watched(browser, server)
        page = watched.page
        assert page.url == server.base + "/"  # the token has left the address bar
        html = page.content()
        for name in example_leaders():
            assert name in html
        for goal in example_goals():
            assert goal not in html
        watched.shot("oversikt-eksempel")
        # The filters work from the keyboard: choose a unit, then Enter on the button.
        page.select_option("#enhet", "Oppvekst og kultur")
        page.focus("form.filter button")
        page.keyboard.press("Enter")
        page.wait_for_url("**enhet=Oppvekst*")
        assert "Viser 1 av 16 ledere" in page.content() or "Viser" in page.content()
        watched.go("/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Hopp til innholdet"
        assert watched.errors == []
        watched.context.close()
    finally:
        server.stop()


class Mailbox:
    def __init__(self):
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


MENU = ["/", "/arbeidsbok", "/avtaler", "/epost", "/signering", "/arkiv", "/oppfolging", "/nytt-ar", "/innstillinger"]
COMMANDS = ("init", "sjekk", "generer", "epost", "innlevert", "signering", "signert", "arkiv", "oppfolging", "status",
            "nytt-ar", "web", "maler")
_OPTION = re.compile(r"(?<![\w-])--[a-zæøå]")
_COMMAND = re.compile(r"lederavtale\s+(?:" + "|".join(COMMANDS) + r")\b")


def assert_words_for_people(text: str, path: str, folders: list[Path]) -> None:
    """The page's text as HR reads it names no command-line option, no command and no folder on the server."""
    assert not _OPTION.search(text), f"{path}: {_OPTION.search(text).group(0)!r} in {text[:300]!r}"
    assert not _COMMAND.search(text), f"{path}: {_COMMAND.search(text).group(0)!r}"
    for folder in folders:
        assert str(folder.resolve()) not in text and str(folder) not in text, f"{path}: names {folder}"


@pytest.mark.slow
def test_january_and_the_follow_up_through_the_page(browser, tmp_path):
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port_smtp())
    smtp.start()
    server = Server(tmp_path, env={"LEDERAVTALE_SMTP_VERT": "127.0.0.1", "LEDERAVTALE_SMTP_PORT": str(smtp.port)},
                    workbook=False)
    try:
        watched = Watched(browser, server)
        page = watched.page
        # A broken workbook: its error with the cell, and nothing changes.
        sheets = basic_sheets()
        sheets["Ledere"][3][6] = 9999
        broken = write_xlsx(tmp_path / "feil.xlsx", sheets)
        watched.go("/arbeidsbok")
        page.set_input_files("#arbeidsbok", str(broken))
        page.click("button:has-text('Last opp og kontroller')")
        watched.wait_for_job()
        assert "Ledere!G4" in page.content()
        watched.shot("arbeidsbok-feil")
        # The example, with its logo.
        page.set_input_files("#arbeidsbok", str(ROOT / "input" / "eksempel.xlsx"))
        page.set_input_files("#bilder", str(ROOT / "input" / "logo.png"))
        page.click("button:has-text('Last opp og kontroller')")
        watched.wait_for_job()
        assert "Arbeidsboken er i orden" in page.content()
        watched.shot("arbeidsbok")
        # Generate, with live progress, and open a PDF.
        watched.go("/avtaler")
        page.click("button:has-text('Lag avtaler')")
        watched.wait_for_job()
        assert "Ferdig: 16 ledere" in page.content()
        # The next step of the year, as a link to its page.
        assert page.locator("p.neste a", has_text="E-post").get_attribute("href") == "/epost"
        watched.shot("avtaler")
        pdf_link = page.locator("a", has_text="Åpne PDF").first.get_attribute("href")
        response = watched.context.request.get(server.base + pdf_link)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
        # E-mail: preview, confirm the recipients, send.
        watched.go(f"/epost?leder={LEADER}")
        assert "Marit Bjørnstad" in page.content()
        watched.shot("epost")
        # The test's SMTP server offers no STARTTLS: TLS is turned off once, on the page Innstillinger.
        watched.go("/innstillinger")
        page.uncheck("#smtp_tls")
        page.click("button:has-text('Lagre e-postserveren')")
        page.wait_for_selector("text=Innstillingene er lagret.")
        watched.go(f"/epost?leder={LEADER}")
        page.click("button:has-text('Gå videre til sending')")
        page.wait_for_selector("text=Klar til å sende")
        watched.shot("epost-bekreft")
        page.click("button:has-text('Send nå')")
        watched.wait_for_job()
        assert "sendt" in page.content()
        to_marit = [m for m in box.received if "Marit" in str(m["To"])]
        assert len(to_marit) == 1
        assert to_marit[0]["To"].addresses[0].display_name == "Marit Bjørnstad"
        assert to_marit[0]["Cc"].addresses[0].display_name == "Håkon Lie"
        # Signing: the leader's documents filled in after the conversation, copies made, one signed and uploaded.
        out = server.out
        manifest = json.loads((out / YEAR / "manifest.json").read_text(encoding="utf-8"))
        for f in manifest["ledere"][LEADER]["filer"]:
            if f["format"] == "docx":
                fill_in(out / YEAR / f["sti"])
        watched.go("/signering")
        page.click("button:has-text('Lag kopier til signering')")
        watched.wait_for_job()
        manifest = json.loads((out / YEAR / "manifest.json").read_text(encoding="utf-8"))
        copies = {f["rolle"]: out / YEAR / f["sti"] for f in manifest["ledere"][LEADER]["filer"] if f["fase"] == "signering"}
        assert set(copies) == {"avtale", "vedlegg"}
        ca = Pki(tmp_path)

        def both(path: Path) -> bytes:
            once = sign(path.read_bytes(), ca.signer("Marit", "Bjørnstad"), "Leder")
            return sign(once, ca.signer("Håkon", "Lie"), "Overordnet")

        # pyHanko runs its own event loop, which cannot be inside Playwright's: in a thread of its own.
        uploads = []
        with ThreadPoolExecutor(1) as pool:
            for rolle, path in copies.items():
                uploads.append(tmp_path / f"signert {rolle}.pdf")
                uploads[-1].write_bytes(pool.submit(both, path).result())
        page.set_input_files("#signerte", [str(p) for p in uploads])
        page.click("button:has-text('Last opp og kontroller')")
        watched.wait_for_job()
        html = page.content()
        assert "Marit Bjørnstad: gyldig" in html and "Håkon Lie: gyldig" in html
        # pyHanko verified them in the server: the deprecations it meets (cryptography 51 deprecates
        # the DSA it imports) stay out of the console and the log, with Python told to show them.
        assert "Warning" not in server.console() and "Warning" not in (out / YEAR / "logg.jsonl").read_text("utf-8")
        watched.shot("signering")
        # Archive the signed agreement.
        watched.go("/arkiv")
        page.click("button:has-text('Lag arkivpakken')")
        watched.wait_for_job()
        assert (out / YEAR / "arkiv" / "fiks" / LEADER / "arkivmelding.xml").is_file()
        watched.shot("arkiv")
        # The follow-up: documents and status.xlsx, filled in and uploaded, and the report.
        watched.go("/oppfolging")
        page.uncheck("#pdf")
        page.click("button:has-text('Lag oppfølging')")
        watched.wait_for_job()
        fill(out / YEAR / "status.xlsx", tmp_path / "status utfylt.xlsx")
        page.set_input_files("#statusbok", str(tmp_path / "status utfylt.xlsx"))
        page.click("button:has-text('Lag statusrapporten')")
        watched.wait_for_job()
        assert "statusrapport.pdf" in page.content()
        figures = page.locator("figure.figur img")
        assert figures.count() >= 1 and figures.first.get_attribute("alt")
        # Each chart is drawn when asked for; on a loaded machine that takes a while, so the test waits for
        # every picture to have arrived (and fails if one never does) rather than looking once. Waited for
        # as locators wait: the page's policy allows no evaluated strings, which wait_for_function polls with.
        for figure in figures.all():
            playwright.expect(figure).to_have_js_property("complete", True, timeout=60_000)
            assert figure.evaluate("i => i.naturalWidth") > 0
        watched.shot("oppfolging")
        watched.go("/")
        html = page.content()
        for goal in example_goals():
            assert goal not in html
        watched.shot("oversikt")
        watched.go("/nytt-ar")
        page.click("button:has-text('Lag neste års arbeidsbok')")
        watched.wait_for_job()
        assert "Last ned" in page.content()
        watched.shot("nytt-ar")
        # After a whole year every page speaks to HR: no option, no command, no path on the server.
        for path in MENU + [f"/leder/{LEADER}"]:
            watched.go(path)
            assert_words_for_people(page.inner_text("body"), path, [server.out, tmp_path])
        assert watched.errors == []
        watched.context.close()
    finally:
        server.stop()
        smtp.stop()
