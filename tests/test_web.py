"""The web page over plain HTTP: the real `lederavtale web` in a subprocess, on the bundled example.

Security first (README, «For IT: sikkerhet og drift på server»): no token → 403, the token is spent after its first minutes, the session cookie is
HttpOnly and SameSite=Strict, a foreign Host is refused, a POST without the CSRF token is refused and
changes nothing, downloads are only of files the tool wrote. Then what the pages do with the same jobs
as the command line: the check of an uploaded workbook, the run lock shared with the CLI, the log.
"""

from __future__ import annotations

import getpass
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import openpyxl
import pytest
from click.testing import CliRunner

from conftest import ROOT, basic_sheets, example_folder, write_xlsx
from test_signering import fill_in

from generator.cli import main
from generator.store.lock import RunLock

YEAR = "2027"
LEADER = "1002"


def example_goals() -> list[str]:
    """Every development goal text of the example workbook (the sheet Utviklingsmål: Mål and Tiltak)."""
    ws = openpyxl.load_workbook(ROOT / "input" / "eksempel.xlsx", read_only=True)["Utviklingsmål"]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    texts = [str(row[header.index(col)]) for row in rows[1:] for col in ("Mål", "Tiltak") if row[header.index(col)]]
    assert len(texts) >= 5
    return texts


def example_leaders() -> list[str]:
    ws = openpyxl.load_workbook(ROOT / "input" / "eksempel.xlsx", read_only=True)["Ledere"]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    return [row[header.index("Navn")] for row in rows[1:] if row[header.index("Navn")]
            and str(row[header.index("Avtale")]).strip().lower() == "ja"]


def free_port_smtp() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`lederavtale web` started as HR starts it, read from its first line of output. Python is told to
    show every warning (-W default), and the server's console is kept (`console()`), so a test can see
    that no library's warning reaches it."""

    def __init__(self, root: Path, *extra: str, env: dict | None = None, workbook: bool = True):
        self.out = root / "ut"
        book = [str(root / "eksempel.xlsx")] if workbook else []
        self._console = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-W", "default", "-m", "generator", "web", *book, "--ut", str(self.out),
             "--ingen-nettleser", "--port", "0", *extra],
            cwd=root, stdout=subprocess.PIPE, stderr=self._console, text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(root), **(env or {})})
        self.url = self.proc.stdout.readline().strip()
        # Behind a proxy (--brukerhode) the header is the login and the address has no token.
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/(?:\?token=([A-Za-z0-9_-]{20,}))?", self.url)
        assert match and (match[2] or "--brukerhode" in extra), self.url
        self.port, self.token = int(match[1]), match[2]
        self.base = f"http://127.0.0.1:{self.port}"

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, **kw)

    def console(self) -> str:
        """What the server has written to its standard error so far."""
        self._console.seek(0)
        return self._console.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self._console.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return generated_example(tmp_path_factory.mktemp("web"), LEADER)


def generated_example(root: Path, *leaders: str) -> Path:
    """The example in `root`, with the Word files of `leaders` generated into `root/ut`."""
    example_folder(root)
    args = ["generer", str(root / "eksempel.xlsx"), "--ut", str(root / "ut"), "--ingen-pdf"]
    for nr in leaders:
        args += ["--leder", nr]
    made = CliRunner().invoke(main, args)
    assert made.exit_code == 0, made.output
    return root


@pytest.fixture(scope="module")
def server(project):
    server = Server(project)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hr(server) -> httpx.Client:
    """HR's browser: it opened the printed link."""
    client = server.client()
    entered = client.get(server.url)
    assert entered.status_code == 303
    yield client
    client.close()


def manifest_file(out: Path, rolle: str, fmt: str = "docx") -> str:
    data = json.loads((out / YEAR / "manifest.json").read_text(encoding="utf-8"))
    return next(f["sti"] for f in data["ledere"][LEADER]["filer"] if f["rolle"] == rolle and f["format"] == fmt)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def wait_for_job(client: httpx.Client, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        job = client.get("/jobb").json()
        if not job.get("kjorer"):
            return
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


# --- the token and the session ---------------------------------------------------------------


@pytest.mark.slow
def test_without_token_every_page_and_file_is_403(server):
    sti = manifest_file(server.out, "avtale")
    with server.client() as stranger:
        for path in ("/", "/arbeidsbok", f"/fil/{sti}", "/jobb"):
            assert stranger.get(path).status_code == 403, path
        assert stranger.get("/?token=feil-token-som-ikke-finnes").status_code == 403
    with server.client(cookies={"lederavtale_okt": "gjettet"}) as guesser:
        assert guesser.get("/").status_code == 403


@pytest.mark.slow
def test_the_token_becomes_a_strict_httponly_cookie_and_leaves_the_url(server, hr):
    page = hr.get("/")
    assert page.status_code == 200
    cookie = next(c for c in hr.cookies.jar if c.name == "lederavtale_okt")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite").lower() == "strict"
    assert cookie.path == "/"


@pytest.mark.slow
def test_the_redirect_drops_the_token(project, tmp_path):
    # Its own output folder: a second start for the module's folder would open the running server instead.
    for name in ("eksempel.xlsx", "logo.png"):
        shutil.copy(project / name, tmp_path / name)
    other = Server(tmp_path)
    try:
        with other.client() as browser:
            answer = browser.get(other.url + "&enhet=Oppvekst")
            assert answer.status_code == 303
            assert "token" not in answer.headers["location"]
            assert answer.headers["location"] == "/?enhet=Oppvekst"
            set_cookie = answer.headers["set-cookie"].lower()
            assert "httponly" in set_cookie and "samesite=strict" in set_cookie
            # A second browser may open the link while it lasts (its own session); a wrong token gets nothing.
            with other.client() as second:
                assert second.get(other.url).status_code == 303 and second.get("/").status_code == 200
            with other.client() as thief:
                assert thief.get(other.url[:-4] + "abcd").status_code == 403
                assert thief.get("/").status_code == 403
            assert browser.get("/").status_code == 200
    finally:
        other.stop()


@pytest.mark.slow
def test_a_foreign_host_header_is_refused(server, hr):
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.nip.io", f"localhost:{server.port + 1}"):
        answer = hr.get("/", headers={"Host": host})
        assert answer.status_code in (400, 403), host
        assert "Kari" not in answer.text
    assert hr.get("/", headers={"Host": f"localhost:{server.port}"}).status_code == 200


@pytest.mark.slow
def test_every_answer_has_the_security_headers_and_no_inline_script(hr):
    for path in ("/", "/arbeidsbok", "/avtaler", "/epost", "/signering", "/arkiv", "/oppfolging", "/nytt-ar"):
        answer = hr.get(path)
        assert answer.status_code == 200, path
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text), path
        assert re.search(r"\son\w+=", answer.text) is None, path  # no inline event handlers either
        assert '<html lang="nb">' in answer.text


# --- the pages' content -------------------------------------------------------------------------


@pytest.mark.slow
def test_the_overview_lists_every_leader_and_no_development_goal(hr):
    page = hr.get("/").text
    for name in example_leaders():
        assert name in page
    pages = page + "".join(hr.get(p).text for p in ("/avtaler", "/epost", f"/epost?leder={LEADER}", "/signering",
                                                     "/arkiv", "/oppfolging", "/?tilstand=utkast"))
    for goal in example_goals():
        assert goal not in pages, goal
    # The generated leader's appendix is there as a link only, on the leader's own page.
    assert f'href="/leder/{LEADER}"' in page
    files = hr.get(f"/leder/{LEADER}").text
    assert "Vedlegg (unntatt offentlighet) (Word)" in files
    for goal in example_goals():
        assert goal not in files
    link = re.search(r'href="(/fil/[^"]*unntatt[^"]*docx)"', files)[1]
    assert hr.get(link).status_code == 200


@pytest.mark.slow
def test_every_page_warns_while_the_workbook_is_open_in_excel(hr, project):
    from test_workbook import excel_owner_file

    assert "åpen i Excel" not in hr.get("/").text
    owner = excel_owner_file(project / "eksempel.xlsx")
    try:
        for page in ("/", "/avtaler", "/arbeidsbok"):
            assert ("Arbeidsboken «eksempel.xlsx» er åpen i Excel (åpnet av Kari Nordmann). Endringer som ikke er "
                    "lagret i Excel, kommer ikke med.") in hr.get(page).text
    finally:
        owner.unlink()
    assert "åpen i Excel" not in hr.get("/").text


@pytest.mark.slow
def test_the_filters_work_without_script(hr):
    everyone = hr.get("/").text
    drafted = hr.get("/", params={"tilstand": "utkast"}).text
    assert "Viser 1 av 16 ledere" in drafted and "Marit Bjørnstad" in drafted
    waiting = hr.get("/", params={"tilstand": "uten-utkast"}).text
    assert "Viser 15 av 16 ledere" in waiting and f'Marit Bjørnstad <span class="nr">{LEADER}' not in waiting
    unit = hr.get("/", params={"enhet": "Oppvekst"}).text
    assert unit.count('<th scope="row">') < everyone.count('<th scope="row">')


@pytest.mark.slow
def test_the_mail_preview_shows_the_message(hr):
    page = hr.get("/epost", params={"leder": LEADER}).text
    assert "Marit Bjørnstad" in page and "Håkon Lie" in page  # To the leader, Cc the superior
    assert ".docx" in page  # the attachments by name


# --- CSRF --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(server, hr):
    before = sorted(p.relative_to(server.out).as_posix() for p in server.out.rglob("*"))
    good = write_xlsx(server.out.parent / "god.xlsx", basic_sheets()).read_bytes()
    refused = [
        hr.post("/avtaler/generer", data={"pdf": "ja"}),
        hr.post("/avtaler/generer", data={"pdf": "ja", "csrf": "feil"}),
        hr.post("/avtaler/generer", headers={"X-CSRF-Token": "feil"}),
        hr.post("/arbeidsbok", files={"arbeidsbok": ("bok.xlsx", good)}),
        hr.post("/epost/utkast", data={}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    # A cross-site form: the browser sends no SameSite=Strict cookie, and no token; refused either way.
    with server.client() as other_site:
        assert other_site.post("/epost/send", data={"mottaker": LEADER}).status_code == 403
    after = sorted(p.relative_to(server.out).as_posix() for p in server.out.rglob("*"))
    assert after == before
    assert hr.get("/jobb").json() == {}


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_downloads_are_only_files_the_tool_wrote(server, hr):
    sti = manifest_file(server.out, "avtale")
    ok = hr.get(f"/fil/{sti}")
    assert ok.status_code == 200 and ok.content == (server.out / YEAR / sti).read_bytes()
    assert "attachment" in ok.headers["content-disposition"]
    folder = (server.out / YEAR / sti).parent
    (folder / "notat.txt").write_text("privat notat", encoding="utf-8")
    (server.out / YEAR / "hemmelig.docx").write_bytes(b"PK\x03\x04 not ours")
    (server.out / "utenfor.txt").write_text("utenfor", encoding="utf-8")
    for path in (f"/fil/{folder.name}/notat.txt", "/fil/hemmelig.docx", "/fil/..%2Futenfor.txt",
                 "/fil/%2E%2E/utenfor.txt", "/fil/..%2F..%2F..%2Fetc%2Fpasswd", "/fil//etc/passwd",
                 "/fil/%2Fetc%2Fpasswd", f"/fil/{server.out / 'utenfor.txt'}", f"/fil/{sti}%00.pdf",
                 "/fil/" + sti.replace("/", "\\"), "/fil/.manifest-journal.jsonl", "/fil/manifest.json"):
        answer = hr.get(path)
        assert answer.status_code == 404, path
        assert b"privat" not in answer.content and b"root:" not in answer.content


# --- jobs, the check, the lock, the log ------------------------------------------------------------


@pytest.mark.slow
def test_an_uploaded_workbook_is_checked_and_a_bad_one_changes_nothing(server, hr):
    csrf = csrf_of(hr.get("/arbeidsbok").text)
    not_xlsx = hr.post("/arbeidsbok", data={"csrf": csrf}, files={"arbeidsbok": ("bok.xlsx", b"ikke en zip")})
    assert not_xlsx.status_code == 400 and "ikke en lesbar .xlsx" in not_xlsx.text
    wrong_type = hr.post("/arbeidsbok", data={"csrf": csrf}, files={"arbeidsbok": ("bok.csv", b"a;b")})
    assert wrong_type.status_code == 400 and "ikke en Excel-arbeidsbok" in wrong_type.text
    sheets = basic_sheets()
    sheets["Ledere"][3][6] = 9999  # Per Helse's superior does not exist
    broken = write_xlsx(server.out.parent / "feil.xlsx", sheets).read_bytes()
    sent = hr.post("/arbeidsbok", data={"csrf": csrf}, files={"arbeidsbok": ("feil.xlsx", broken)})
    assert sent.status_code == 303
    wait_for_job(hr)
    page = hr.get("/arbeidsbok").text
    assert "Ledere!G4" in page and "9999" in page
    assert "I bruk: <strong>eksempel.xlsx</strong>" in page  # the example is still the workbook in use
    assert not list((server.out / "arbeidsbøker").glob("*"))


@pytest.mark.slow
def test_a_cli_run_holding_the_lock_is_named_on_the_page(server, hr):
    csrf = csrf_of(hr.get("/epost").text)
    log_file = server.out / YEAR / "logg.jsonl"
    before = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    with RunLock(server.out / YEAR):
        assert hr.post("/epost/utkast", data={"csrf": csrf}).status_code == 303
        wait_for_job(hr)
    page = hr.get("/epost").text
    assert "skriver allerede til" in page
    assert not (server.out / YEAR / "epost").exists()
    # Refused by the lock, the action did not run, and the log does not say it did.
    assert (log_file.read_text(encoding="utf-8") if log_file.exists() else "") == before
    # Once the CLI is done, the same action runs, and is logged with the OS user.
    assert hr.post("/epost/utkast", data={"csrf": csrf}).status_code == 303
    wait_for_job(hr)
    assert "1 e-postutkast" in hr.get("/epost").text
    lines = [json.loads(line) for line in (server.out / YEAR / "logg.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["handling"] == "epost utkast" and lines[-1]["bruker"] == getpass.getuser()
    assert all(set(line) >= {"tid", "handling", "bruker"} for line in lines)
    drafts = hr.get("/epost/utkast.zip")
    assert drafts.status_code == 200 and drafts.content.startswith(b"PK")


@pytest.mark.slow
def test_an_unknown_address_gets_a_norwegian_page_in_the_sites_layout(hr):
    answer = hr.get("/finnes-ikke")
    assert answer.status_code == 404 and "Siden finnes ikke" in answer.text and "Not Found" not in answer.text
    assert 'aria-label="Årets steg"' in answer.text  # the site's own header and navigation
    unknown = hr.get("/leder/99999")
    assert unknown.status_code == 404 and "Finnes ikke" in unknown.text and "Ikke funnet." not in unknown.text


@pytest.mark.slow
def test_leader_names_lead_to_the_leaders_page(hr):
    for page in ("/avtaler", "/signering", "/arkiv"):
        assert f'<a href="/leder/{LEADER}">Marit Bjørnstad</a>' in hr.get(page).text, page


@pytest.mark.slow
def test_too_many_files_is_said_as_such_not_as_a_missing_token(hr):
    from generator.web.security import MAX_FILES

    csrf = csrf_of(hr.get("/signering").text)
    many = [("signerte", (f"{n}.pdf", b"%PDF-1.7\n", "application/pdf")) for n in range(MAX_FILES + 1)]
    answer = hr.post("/signering/signerte", data={"csrf": csrf}, files=many)
    assert answer.status_code == 413 and f"høyst {MAX_FILES} filer om gangen" in answer.text
    assert "CSRF" not in answer.text


@pytest.mark.slow
@pytest.mark.parametrize("til, why", [("²⁰²⁸", "er ikke et årstall"), ("99999", "er ikke et årstall"),
                                      ("2050", "mer enn 10 år etter 2027"), ("2027", "senere enn året")])
def test_next_year_refuses_a_year_it_cannot_use_in_words_for_people(hr, til, why):
    """Superscript digits pass str.isdigit() but not int(): that was an HTTP 500; 99999 a Python error."""
    page = hr.get("/nytt-ar").text
    answer = hr.post("/nytt-ar", data={"csrf": csrf_of(page), "til": til})
    assert answer.status_code == 400 and why in answer.text
    assert "--til" not in answer.text and "Traceback" not in answer.text


@pytest.mark.slow
def test_the_user_header_is_logged_only_when_configured(project, tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    shutil.copy(project / "eksempel.xlsx", root / "eksempel.xlsx")
    shutil.copy(project / "logo.png", root / "logo.png")
    shutil.copytree(project / "ut", root / "ut")
    (root / "ut" / YEAR / "logg.jsonl").unlink(missing_ok=True)
    for extra, expected in (((), getpass.getuser()), (("--brukerhode", "X-Forwarded-User"), "kari.hr")):
        server = Server(root, *extra)
        try:
            # Every request carries the header, as behind the proxy; without --brukerhode it is not believed.
            with server.client(headers={"X-Forwarded-User": "kari.hr"}) as browser:
                browser.get(server.url)
                csrf = csrf_of(browser.get("/epost").text)
                browser.post("/epost/utkast", data={"csrf": csrf})
                wait_for_job(browser)
        finally:
            server.stop()
        last = json.loads((root / "ut" / YEAR / "logg.jsonl").read_text(encoding="utf-8").splitlines()[-1])
        assert last["bruker"] == expected


def test_a_second_job_is_refused_while_one_runs():
    from generator.result import Result
    from generator.web.runner import Busy, Runner

    runner, release = Runner(), threading.Event()

    def slow(progress):
        progress("Venter", 0, 1)
        release.wait(10)
        return Result(summary=["ferdig"])

    first = runner.start("Lager avtaler", "/avtaler", slow)
    with pytest.raises(Busy, match="Lager avtaler"):
        runner.start("Sender e-post", "/epost", slow)
    assert first.as_json()["trinn"] == [{"tekst": "Venter", "ferdig": 0, "av": 1}]
    release.set()
    runner.wait(10)
    assert first.result.summary == ["ferdig"] and not first.running
    runner.start("Sender e-post", "/epost", lambda progress: Result())
    runner.wait(10)


@pytest.mark.slow
def test_a_document_edited_by_hand_is_marked(server, hr):
    assert "endret av en person" not in hr.get("/avtaler").text
    path = server.out / YEAR / manifest_file(server.out, "avtale")
    original = path.read_bytes()
    try:
        fill_in(path)  # as a person in Word would
        assert "endret av en person" in hr.get("/avtaler").text
    finally:
        path.write_bytes(original)
    assert "endret av en person" not in hr.get("/avtaler").text


def test_the_token_is_spent_when_its_minutes_are_over():
    from generator.web.security import TOKEN_MINUTES, Guard

    assert TOKEN_MINUTES <= 10
    lasting = Guard("hemmelig", {"127.0.0.1:1"}, max_body=1)
    assert lasting.redeem("hemmelig") and lasting.redeem("hemmelig")  # two tabs, two sessions
    assert lasting.redeem("hemmelig-ikke") is None
    spent = Guard("hemmelig", {"127.0.0.1:1"}, max_body=1, token_seconds=0)
    assert spent.redeem("hemmelig") is None and not spent.sessions
