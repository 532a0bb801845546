"""Lasting access to the web page (README, «For IT: sikkerhet og drift på server»).

HR runs the year in the browser: a session lasts a working day and outlives a closed browser; starting
the page again for the same output folder opens the running one with a fresh one-use link, handed over
through a file only the user can read; behind the proxy (`--brukerhode`) its header is the login, and
a request without it gets nothing. Every refusal is a page for people, never a command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, example_folder
from test_web import Server, csrf_of, example_leaders

from generator.web import instance
from generator.web.security import (COOKIE, LINK_SPENT, NO_SESSION, NOT_FROM_PAGE, NOT_SIGNED_IN, SESSION_HOURS,
                                    TOKEN_MINUTES, Guard)

USER = "X-Forwarded-User"
POSIX = os.name == "posix"


def start_again(root: Path, *extra: str) -> subprocess.CompletedProcess:
    """`lederavtale web` once more for the same output folder, as HR starts it."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "web", str(root / "eksempel.xlsx"), "--ut", str(root / "ut"),
         "--ingen-nettleser", "--port", "0", *extra],
        cwd=root, capture_output=True, text=True, timeout=30,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(root)})


def link_file(ut: Path, token: str) -> Path:
    return ut / ".web" / "lenker" / hashlib.sha256(token.encode()).hexdigest()


def raw_get(port: int, path: str) -> tuple[int, str]:
    """A GET with the path exactly as given (httpx would resolve `..` before sending)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.decode("utf-8", "replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


def visible_text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def assert_a_page_for_people(answer: httpx.Response, message: tuple[str, str], root: Path) -> None:
    """The 403 page: Norwegian HTML in the site's look, and nothing of the command line or the server."""
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert '<html lang="nb">' in page and "<title>" in page and "<main" in page
    assert f"<h1>{message[0]}</h1>" in page and message[1] in page
    assert '<link rel="stylesheet" href="/static/style.css">' in page
    assert "--" not in page
    assert "lederavtale " not in page and "«lederavtale" not in page  # no command (Lederavtale is the tool's name)
    assert str(root) not in page and not re.search(r"(^|\s)(/[\w.-]+){2,}|[A-Za-z]:\\", visible_text(page))
    assert "Traceback" not in page and "token" not in page.lower()


def max_age(set_cookie: str) -> int:
    return int(re.search(r"max-age=(\d+)", set_cookie, re.I)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the guard on its own -----------------------------------------------------------------------


def test_a_session_is_forgotten_after_a_working_day():
    guard = Guard("start", {"127.0.0.1:1"}, max_body=1)
    sid = guard.redeem("start")
    session = guard.session(sid)
    assert session is not None and 11 <= SESSION_HOURS <= 13
    session.created = time.time() - SESSION_HOURS * 3600 + 60
    assert guard.session(sid) is session  # a minute before the end of the day: still there
    session.created = time.time() - SESSION_HOURS * 3600 - 1
    assert guard.session(sid) is None and sid not in guard.sessions


def test_a_handed_link_opens_one_session_within_its_minutes(tmp_path):
    guard = Guard("start", {"127.0.0.1:1"}, max_body=1, ut=tmp_path)
    token = instance.hand_link(tmp_path, TOKEN_MINUTES * 60)
    path = link_file(tmp_path, token)
    assert 0 < float(path.read_text()) - time.time() <= TOKEN_MINUTES * 60  # when it expires, not the token
    assert guard.redeem(token) and not path.exists()
    assert guard.redeem(token) is None  # one use
    old = instance.hand_link(tmp_path, TOKEN_MINUTES * 60)
    then = time.time() - TOKEN_MINUTES * 60 - 5
    os.utime(link_file(tmp_path, old), (then, then))
    assert guard.redeem(old) is None
    # Behind the proxy no token opens anything, not even a link a second start left.
    proxied = Guard("start", {"127.0.0.1:1"}, max_body=1, ut=tmp_path, user_header=USER)
    assert proxied.redeem("start") is None and proxied.redeem(instance.hand_link(tmp_path, 300)) is None


# --- a session lasts a working day ----------------------------------------------------------------


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    root = example_folder(tmp_path_factory.mktemp("lokal"))
    server = Server(root)
    yield server, root
    server.stop()


@pytest.mark.slow
def test_the_cookie_lasts_a_working_day_and_a_new_browser_window_gets_in(local):
    server, _ = local
    with server.client() as browser:
        entered = browser.get(server.url)
        assert entered.status_code == 303
        set_cookie = entered.headers["set-cookie"]
        assert 11 * 3600 <= max_age(set_cookie) <= 13 * 3600
        assert "httponly" in set_cookie.lower() and "samesite=strict" in set_cookie.lower()
        sid = browser.cookies[COOKIE]
    # The browser was closed: a new window has only the stored cookie, no link.
    with server.client(cookies={COOKIE: sid}) as reopened:
        page = reopened.get("/")
        assert page.status_code == 200
        assert all(name in page.text for name in example_leaders())
    with server.client() as stranger:
        assert stranger.get("/").status_code == 403


# --- a second start opens the running page ----------------------------------------------------------


@pytest.mark.slow
def test_a_second_start_opens_the_running_page_with_a_fresh_one_use_link(tmp_path):
    root = example_folder(tmp_path / "p")
    first = Server(root)
    try:
        web = root / "ut" / ".web"
        running = json.loads((web / "server.json").read_text(encoding="utf-8"))
        assert running["pid"] == first.proc.pid and running["port"] == first.port
        if POSIX:
            assert stat.S_IMODE((web / "server.json").stat().st_mode) == 0o600
            assert stat.S_IMODE(web.stat().st_mode) == 0o700
            assert stat.S_IMODE((web / "lenker").stat().st_mode) == 0o700

        began = time.monotonic()
        again = start_again(root)
        assert again.returncode == 0, again.stderr
        assert time.monotonic() - began < 10
        link = again.stdout.splitlines()[0]
        match = re.fullmatch(rf"http://127\.0\.0\.1:{first.port}/\?token=([A-Za-z0-9_-]{{20,}})", link)
        assert match, link
        token = match[1]
        assert token != first.token
        assert "Siden kjører allerede; åpner den med en ny lenke." in again.stderr
        assert first.proc.poll() is None  # the first server runs on; no second one was started
        handed = link_file(root / "ut", token)
        assert handed.is_file() and token not in handed.read_text()
        if POSIX:
            assert stat.S_IMODE(handed.stat().st_mode) == 0o600

        with first.client() as browser:
            entered = browser.get(link)
            assert entered.status_code == 303 and entered.headers["location"] == "/"
            assert browser.get("/").status_code == 200
        assert not handed.exists()  # spent on its one use
        with first.client() as thief:
            assert_a_page_for_people(thief.get(link), LINK_SPENT, root)
            assert thief.get("/").status_code == 403
    finally:
        first.stop()
    assert not (root / "ut" / ".web" / "server.json").exists()  # removed on a clean stop (SIGTERM)


@pytest.mark.slow
def test_a_stale_or_foreign_server_file_does_not_stop_a_start(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    other = example_folder(tmp_path / "annen")
    elsewhere = Server(other)  # a live server, but another folder's: its file copied with the folder
    try:
        copied = json.loads((other / "ut" / ".web" / "server.json").read_text(encoding="utf-8"))
        stale = [
            {"pid": dead_pid, "host": "127.0.0.1", "port": free_port(), "id": "x", "ut": "?"},  # dead process
            {"pid": os.getpid(), "host": "127.0.0.1", "port": free_port(), "id": "x", "ut": "?"},  # closed port
            copied,
            "{ikke json",
        ]
        for n, content in enumerate(stale):
            root = example_folder(tmp_path / f"p{n}")
            web = root / "ut" / ".web"
            web.mkdir(parents=True)
            if isinstance(content, dict) and content["ut"] == "?":
                content = {**content, "ut": str((root / "ut").resolve())}
            (web / "server.json").write_text(content if isinstance(content, str) else json.dumps(content),
                                             encoding="utf-8")
            server = Server(root)
            try:
                assert server.port not in (copied["port"], *(c.get("port") for c in stale if isinstance(c, dict)))
                with server.client() as browser:
                    assert browser.get(server.url).status_code == 303 and browser.get("/").status_code == 200
                now = json.loads((web / "server.json").read_text(encoding="utf-8"))
                assert now["pid"] == server.proc.pid and now["port"] == server.port
            finally:
                server.stop()
        assert elsewhere.proc.poll() is None
    finally:
        elsewhere.stop()


# --- behind the proxy: the header is the login ---------------------------------------------------------


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    root = example_folder(tmp_path_factory.mktemp("proxy"))
    server = Server(root, "--brukerhode", USER)
    yield server, root
    server.stop()


@pytest.mark.slow
def test_behind_the_proxy_the_header_is_the_login(proxied):
    server, root = proxied
    assert server.url == f"http://127.0.0.1:{server.port}/" and server.token is None
    with server.client(headers={USER: "kari.hr"}) as kari:
        for path in ("/", "/arbeidsbok", "/avtaler", "/epost", "/signering", "/arkiv", "/oppfolging", "/nytt-ar"):
            answer = kari.get(path)
            assert answer.status_code == 200, path
            assert 'aria-label="Årets steg"' in answer.text and "Du er ikke logget inn" not in answer.text, path
        assert all(name in kari.get("/").text for name in example_leaders())
        assert not kari.cookies  # no session cookie: the proxy's login is the session
    # Without the header nothing, not with an empty one, a made-up cookie or a link that a local server
    # would have taken.
    handed = instance.hand_link(root / "ut", TOKEN_MINUTES * 60)
    with server.client() as stranger:
        assert_a_page_for_people(stranger.get("/"), NOT_SIGNED_IN, root)
        assert_a_page_for_people(stranger.get(f"/?token={handed}"), NOT_SIGNED_IN, root)
        assert stranger.get("/arbeidsbok", headers={USER: ""}).status_code == 403
        # Twice: a proxy that adds its header after the client's would otherwise let the client choose.
        assert stranger.get("/", headers=[(USER, "mallory"), (USER, "kari.hr")]).status_code == 403
    with server.client(cookies={COOKIE: "gjettet"}) as guesser:
        assert guesser.get("/").status_code == 403
    with server.client() as stranger:
        assert "Marit" not in stranger.get("/leder/1002").text


@pytest.mark.slow
def test_behind_the_proxy_each_user_has_a_csrf_token_and_needs_it(proxied):
    server, root = proxied
    with server.client(headers={USER: "kari.hr"}) as kari, server.client(headers={USER: "ola.hr"}) as ola:
        kari_csrf = csrf_of(kari.get("/nytt-ar").text)
        ola_csrf = csrf_of(ola.get("/nytt-ar").text)
        assert kari_csrf != ola_csrf
        assert csrf_of(kari.get("/arbeidsbok").text) == kari_csrf  # one session per user, not per request
        missing = kari.post("/nytt-ar", data={"til": "²⁰²⁸"})
        assert_a_page_for_people(missing, NOT_FROM_PAGE, root)
        assert kari.post("/nytt-ar", data={"til": "²⁰²⁸", "csrf": ola_csrf}).status_code == 403
        # With her own token the form reaches the page, which answers about the year, not about access.
        through = kari.post("/nytt-ar", data={"til": "²⁰²⁸", "csrf": kari_csrf})
        assert through.status_code == 400 and "er ikke et årstall" in through.text
        assert kari.post("/nytt-ar", data={"til": "²⁰²⁸"}, headers={"X-CSRF-Token": kari_csrf}).status_code == 400
    with server.client() as stranger:
        answer = stranger.post("/nytt-ar", data={"til": "²⁰²⁸", "csrf": kari_csrf})
        assert_a_page_for_people(answer, NOT_SIGNED_IN, root)


@pytest.mark.slow
def test_a_second_start_behind_the_proxy_shows_the_address_without_a_token(proxied):
    server, root = proxied
    again = start_again(root, "--brukerhode", USER)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == f"http://127.0.0.1:{server.port}/"
    assert "Siden kjører allerede." in again.stderr
    assert server.proc.poll() is None


# --- the refusals: pages for people ----------------------------------------------------------------------


@pytest.mark.slow
def test_every_refusal_is_a_norwegian_page_without_commands_or_paths(local):
    server, root = local
    with server.client() as stranger:
        assert_a_page_for_people(stranger.get("/"), NO_SESSION, root)
        assert_a_page_for_people(stranger.get("/arbeidsbok?token=feil"), LINK_SPENT, root)
    with server.client(cookies={COOKIE: "gjettet"}) as guesser:
        assert_a_page_for_people(guesser.get("/"), NO_SESSION, root)
    with server.client() as stranger:
        # The page's stylesheet comes without a session; nothing else under it does.
        style = stranger.get("/static/style.css")
        assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
        assert ".topp" in style.text
        for path in ("/static/../arbeidsbok", "/static/%2e%2e/arbeidsbok", "/static/../../eksempel.xlsx"):
            status, body = raw_get(server.port, path)
            assert status in (403, 404) and "Årets steg" not in body and "Ledere" not in body, path
        wrong_host = stranger.get("/", headers={"Host": "evil.example"})
        assert wrong_host.status_code == 400 and "vertsnavn" in wrong_host.text
        assert "lederavtale " not in wrong_host.text and "--" not in wrong_host.text
    with server.client() as browser:
        browser.get(server.url)
        refused = browser.post("/nytt-ar", data={"til": "2028"})
        assert_a_page_for_people(refused, NOT_FROM_PAGE, root)
        assert '<a href="/">Til oversikten</a>' in refused.text
