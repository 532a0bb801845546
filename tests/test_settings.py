"""The output folder's settings, `<ut>/innstillinger.json`, and the web page Innstillinger (README, «Innstillinger»).

The file: defaults when missing, a broken one named by its file name, written owner-only (0600) since it
holds the SMTP password. The precedence, the same for the command line and the page: an option, then an
LEDERAVTALE_SMTP_* variable, then the file, then the defaults. The stored sender, texts and appendix choice
are what drafts and sending use, on the command line too (README, «E-post»).

The page runs in this process (uvicorn in a thread) for the quick checks, and as `lederavtale web` in a
subprocess with a real SMTP server (aiosmtpd) for the whole way from saving the settings to the messages
arriving, and once in a real browser.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import stat
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from conftest import ROOT, basic_sheets, write_xlsx
from test_mail import Mailbox, parse, setup, generated_once, smtp_server  # noqa: F401  (fixtures)
from test_web import LEADER, YEAR, Server, csrf_of, free_port_smtp, generated_example, wait_for_job

from generator.commands.email import send, write_drafts
from generator.exceptions import LederavtaleError, TemplateError
from generator.mail.smtp import DEFAULT_PORT, SmtpError, smtp_settings
from generator.signing.verify import load_trust_roots
from generator.store.settings import SETTINGS_FILE, Innstillinger, load, save
from generator.web.app import PAGES, bind, create_app
from generator.web.workspace import Settings

PASSWORD = "Hemmelig-Passord-9f3k"
TEXT = "Emne: Fra innstillingene – {{ leder.navn }}\n\nHei {{ leder.navn }},\n\nteksten fra siden Innstillinger.\n"
POSIX = os.name == "posix"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def without_token(html: str) -> str:
    """The page without its CSRF token, which is random and may hold «--» by chance."""
    return re.sub(r'name="csrf" value="[^"]*"', "", html)


# --- the file ------------------------------------------------------------------------------------


def test_a_missing_file_gives_the_defaults(tmp_path):
    stored = load(tmp_path)
    assert stored == Innstillinger()
    assert stored.smtp_tls and stored.med_vedlegg and stored.smtp_port is None and stored.smtp_passord == ""


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_saved_settings_round_trip_readable_by_the_owner_only(tmp_path):
    path = tmp_path / SETTINGS_FILE
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)  # an older file, readable by all: saving makes it private
    stored = Innstillinger(smtp_vert="smtp.testvik.no", smtp_port=465, smtp_bruker="hr", smtp_passord=PASSWORD,
                           smtp_tls=True, avsender="hr@testvik.kommune.no", epost_tekst=TEXT, med_vedlegg=False)
    save(tmp_path, stored)
    assert load(tmp_path) == stored
    assert mode_of(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [SETTINGS_FILE]  # no temporary file left
    assert PASSWORD not in repr(stored)  # never in a traceback


@pytest.mark.parametrize("content, reason", [
    ("{ikke json", "ikke gyldig JSON"),
    ("[1, 2]", "feil form"),
    ('{"smtp_port": "587"}', "«smtp_port» har feil type"),
    ('{"smtp_port": true}', "«smtp_port» har feil type"),
    ('{"smtp_tls": 1}', "«smtp_tls» har feil type"),
    ('{"smtp_port": 70000}', "ikke en gyldig port"),
])
def test_a_broken_file_is_named_by_its_name_not_its_path(tmp_path, content, reason):
    (tmp_path / SETTINGS_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(LederavtaleError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert f"«{SETTINGS_FILE}»" in message and reason in message
    assert str(tmp_path) not in message


def test_an_unknown_field_from_a_later_version_is_left_alone(tmp_path):
    (tmp_path / SETTINGS_FILE).write_text('{"smtp_vert": "smtp.testvik.no", "noe_nytt": 1}', encoding="utf-8")
    assert load(tmp_path).smtp_vert == "smtp.testvik.no"


# --- precedence ------------------------------------------------------------------------------------


def test_an_option_wins_over_the_environment_which_wins_over_the_file():
    stored = Innstillinger(smtp_vert="fil.testvik.no", smtp_port=2525, smtp_bruker="filbruker",
                           smtp_passord="filpassord", smtp_tls=True)
    from_file = smtp_settings(environ={}, stored=stored)
    assert (from_file.host, from_file.port, from_file.user, from_file.password, from_file.tls) == \
        ("fil.testvik.no", 2525, "filbruker", "filpassord", True)

    env = {"LEDERAVTALE_SMTP_VERT": "it.testvik.no", "LEDERAVTALE_SMTP_PORT": "465",
           "LEDERAVTALE_SMTP_BRUKER": "itbruker", "LEDERAVTALE_SMTP_PASSORD": "itpassord"}
    from_environment = smtp_settings(environ=env, stored=stored)
    assert (from_environment.host, from_environment.port, from_environment.user, from_environment.password) == \
        ("it.testvik.no", 465, "itbruker", "itpassord")

    given = smtp_settings(host="valg.testvik.no", port=25, environ=env, stored=stored)
    assert (given.host, given.port) == ("valg.testvik.no", 25)

    # A blank variable decides nothing: the file does.
    blank = smtp_settings(environ={"LEDERAVTALE_SMTP_VERT": "  "}, stored=stored)
    assert blank.host == "fil.testvik.no"


def test_defaults_and_tls_from_the_file_unless_an_option_says_otherwise():
    bare = smtp_settings(environ={}, stored=Innstillinger(smtp_vert="smtp.testvik.no"))
    assert (bare.port, bare.tls, bare.user) == (DEFAULT_PORT, True, "")
    relay = Innstillinger(smtp_vert="127.0.0.1", smtp_tls=False)
    assert smtp_settings(environ={}, stored=relay).tls is False
    assert smtp_settings(environ={}, stored=relay, tls=True).tls is True


def test_each_settings_error_has_words_for_the_terminal_and_for_the_page():
    cases = [
        ({}, Innstillinger(), "--smtp-vert", "Fyll inn SMTP-serveren på siden Innstillinger"),
        ({}, Innstillinger(smtp_vert="s", smtp_bruker="hr"), "LEDERAVTALE_SMTP_PASSORD", "passordet mangler"),
        ({}, Innstillinger(smtp_vert="s", smtp_bruker="hr", smtp_passord="x", smtp_tls=False), "TLS",
         "Krev kryptering (TLS)"),
        ({"LEDERAVTALE_SMTP_PORT": "abc"}, Innstillinger(smtp_vert="s"), "--smtp-port", "Si fra til IT"),
    ]
    for environ, stored, terminal, page in cases:
        with pytest.raises(SmtpError) as caught:
            smtp_settings(environ=environ, stored=stored)
        assert terminal in str(caught.value)
        assert page in caught.value.page and "--" not in caught.value.page


# --- the command line reads the same file ---------------------------------------------------------------


def test_epost_send_on_the_command_line_uses_the_stored_server_sender_text_and_appendix_choice(setup, smtp_server):
    box = Mailbox()
    port = smtp_server(box)
    save(setup.ut, Innstillinger(smtp_vert="127.0.0.1", smtp_port=port, smtp_tls=False,
                                 avsender="personal@testvik.kommune.no", epost_tekst=TEXT, med_vedlegg=False))
    result = setup.cli("--send", "--ja", "--leder", "210")
    assert result.exit_code == 0, result.output
    assert "Vedlegget legges ikke ved" in result.output
    [(sender, rcpts, message, _tls)] = box.received
    assert sender == "personal@testvik.kommune.no"
    assert rcpts == ["oystein@testvik.kommune.no", "per@testvik.kommune.no"]
    assert message["From"].addresses[0].addr_spec == "personal@testvik.kommune.no"
    assert str(message["Subject"]) == "Fra innstillingene – Øystein Sykehjem"
    assert "teksten fra siden Innstillinger" in message.get_body(("plain",)).get_content()
    assert len(list(message.iter_attachments())) == 1 and message["Sensitivity"] is None


def test_an_option_on_the_command_line_wins_over_the_stored_server(setup, smtp_server):
    box = Mailbox()
    port = smtp_server(box)
    save(setup.ut, Innstillinger(smtp_vert="ingen.server.invalid", smtp_port=1, smtp_tls=False))
    result = setup.cli("--send", "--ja", "--leder", "210", "--smtp-vert", "127.0.0.1", "--smtp-port", str(port))
    assert result.exit_code == 0, result.output
    assert len(box.received) == 1


def test_drafts_use_the_stored_sender_and_text(setup):
    save(setup.ut, Innstillinger(avsender="personal@testvik.kommune.no", epost_tekst=TEXT))
    result = write_drafts(setup.job(), ["310"])
    assert not result.failures
    draft = parse(setup.epost / "310 Liv Skole.eml")
    assert draft["From"].addresses[0].addr_spec == "personal@testvik.kommune.no"
    assert str(draft["Subject"]) == "Fra innstillingene – Liv Skole"
    assert len(list(draft.iter_attachments())) == 2  # med_vedlegg is on by default


def test_a_stored_text_without_a_subject_line_names_the_settings_page(setup):
    save(setup.ut, Innstillinger(epost_tekst="Hei {{ leder.navn }}\n"))
    with pytest.raises(TemplateError) as caught:
        write_drafts(setup.job(), ["310"])
    assert "e-postteksten på siden Innstillinger linje 1" in "\n".join(caught.value.lines())
    assert not (setup.epost / "310 Liv Skole.eml").exists()


def test_sending_without_any_sender_says_where_to_fill_one_in(setup, smtp_server):
    sheets = basic_sheets()
    sheets["Kommune"] = [row for row in sheets["Kommune"] if row[0] != "Avsender"]
    write_xlsx(setup.workbook, sheets)
    save(setup.ut, Innstillinger(smtp_vert="127.0.0.1", smtp_port=smtp_server(Mailbox()), smtp_tls=False))
    with pytest.raises(LederavtaleError, match="Innstillinger"):
        send(setup.job(), ["210"])


# --- the page, in this process -----------------------------------------------------------------------------


class Page:
    """`create_app` served by uvicorn in a thread, and a browser session on it."""

    def __init__(self, ut: Path, workbook: Path | None = None):
        import uvicorn

        sock = bind("127.0.0.1", 0)
        self.settings = Settings(ut=ut, workbook=workbook, port=sock.getsockname()[1], token="t" * 32)
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.settings), log_level="warning",
                                                    access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        end = time.time() + 10
        while not self.server.started and time.time() < end:
            time.sleep(0.02)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.settings.port}", timeout=30)
        assert self.client.get(f"/?token={self.settings.token}").status_code == 303

    def csrf(self) -> str:
        return csrf_of(self.client.get("/innstillinger").text)

    def post(self, path: str, data: dict, **kw) -> httpx.Response:
        return self.client.post(path, data={"csrf": self.csrf(), **data}, **kw)

    def stop(self):
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def page(tmp_path, monkeypatch):
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())
    served = Page(tmp_path / "ut", workbook)
    yield served
    served.stop()


SMTP_FORM = {"del": "smtp", "smtp_vert": "smtp.testvik.no", "smtp_port": "587", "smtp_bruker": "hr",
             "smtp_tls": "ja"}


def test_the_password_is_kept_on_an_empty_submit_removed_on_request_and_never_shown(page):
    ut = page.settings.ut
    saved = page.post("/innstillinger", {**SMTP_FORM, "smtp_passord": PASSWORD})
    assert saved.status_code == 303
    assert load(ut).smtp_passord == PASSWORD
    if POSIX:
        assert mode_of(ut / SETTINGS_FILE) == 0o600
    html = page.client.get("/innstillinger").text
    assert PASSWORD not in html and "Et passord er lagret" in html
    assert re.search(r'<input id="smtp_passord" name="smtp_passord" type="password" value=""', html)

    page.post("/innstillinger", {**SMTP_FORM, "smtp_vert": "smtp2.testvik.no", "smtp_passord": ""})
    assert load(ut).smtp_passord == PASSWORD and load(ut).smtp_vert == "smtp2.testvik.no"

    both = page.post("/innstillinger", {**SMTP_FORM, "smtp_passord": "nytt", "fjern_passord": "ja"})
    assert both.status_code == 400 and "Velg ett av dem" in both.text
    assert load(ut).smtp_passord == PASSWORD

    page.post("/innstillinger", {**SMTP_FORM, "smtp_bruker": "", "fjern_passord": "ja"})
    assert load(ut).smtp_passord == ""
    assert "Ingen passord er lagret" in page.client.get("/innstillinger").text


def test_wrong_values_are_refused_in_words_and_nothing_is_saved(page):
    ut = page.settings.ut
    for form, words in (({**SMTP_FORM, "smtp_port": "²⁵"}, "ikke et portnummer"),
                        ({**SMTP_FORM, "smtp_vert": "smtp testvik"}, "ikke et servernavn"),
                        ({**SMTP_FORM, "smtp_passord": "x", "smtp_tls": ""}, "Innlogging uten kryptering"),
                        ({"del": "epost", "avsender": "hr(at)testvik", "med_vedlegg": "ja"}, "ikke en e-postadresse"),
                        ({"del": "epost", "avsender": "", "epost_tekst": "Hei {{ leder.navn }}"},
                         "Teksten i «E-posten med avtalen» linje 1: første linje må være «Emne: …»"),
                        ({"del": "epost", "avsender": "", "epost_tekst": "Emne: Hei {{ leder.navnn }}"},
                         "Teksten i «E-posten med avtalen»")):
        answer = page.post("/innstillinger", form)
        assert answer.status_code == 400, form
        assert words in answer.text, form
        assert "Traceback" not in answer.text
        assert not (ut / SETTINGS_FILE).exists()


def test_the_template_folders_own_text_is_not_stored_and_an_edited_one_is(page):
    html = page.client.get("/innstillinger").text
    standard = re.search(r'<textarea id="epost_tekst"[^>]*>(.*?)</textarea>', html, re.S)[1]
    assert standard.startswith("Emne: Utkast til lederavtale")
    form = {"del": "epost", "avsender": "", "med_vedlegg": "ja",
            "epost_tekst": (ROOT / "maler" / "epost.txt").read_text("utf-8").replace("\n", "\r\n")}
    assert page.post("/innstillinger", form).status_code == 303
    assert load(page.settings.ut).epost_tekst == ""  # unchanged: the folder's file stays in charge
    assert page.post("/innstillinger", {**form, "epost_tekst": TEXT.replace("\n", "\r\n")}).status_code == 303
    assert load(page.settings.ut).epost_tekst == TEXT  # a browser's CRLF is stored as LF


def test_the_preview_fills_the_unsaved_text_in_for_the_first_leader(page):
    answer = page.post("/innstillinger/forhandsvis", {"vis": "epost_tekst", "avsender": "personal@testvik.kommune.no",
                                                      "epost_tekst": TEXT, "epost_oppfolging_tekst": ""})
    assert answer.status_code == 200
    html = answer.text
    assert "Forhåndsvisning: E-posten med avtalen til Kari Direktør" in html
    assert "Fra innstillingene – Kari Direktør" in html and "teksten fra siden Innstillinger" in html
    assert "personal@testvik.kommune.no" in html and "ordforer@testvik.kommune.no" in html
    assert "Avtalen</dd>" in html  # the appendix box was left unticked
    assert not (page.settings.ut / SETTINGS_FILE).exists()
    follow_up = page.post("/innstillinger/forhandsvis", {"vis": "epost_oppfolging_tekst", "med_vedlegg": "ja"})
    assert "Oppfølgingssamtale 2027 – Kari Direktør" in follow_up.text
    # As the message goes: the kommunedirektør's exempt documents not to the ordfører's mailbox (Vedlegg til
    # ordfører is nei), though the box is ticked.
    assert "<dt>Vedlegg</dt><dd>Dokumentet</dd>" in follow_up.text
    agreement = page.post("/innstillinger/forhandsvis", {"vis": "epost_tekst", "med_vedlegg": "ja"})
    assert "<dt>Vedlegg</dt><dd>Avtalen</dd>" in agreement.text


def test_the_pages_say_whether_the_appendix_goes_with_the_mail(page):
    """E-post says what each leader gets as the settings have it (the check box on Innstillinger)."""
    assert "Hver leder får avtalen og vedlegget på e-post" in page.client.get("/epost").text
    save(page.settings.ut, Innstillinger(med_vedlegg=False))
    assert "Hver leder får avtalen på e-post" in page.client.get("/epost").text


def test_an_environment_variable_is_shown_as_deciding_without_the_passwords_value(page, monkeypatch):
    monkeypatch.setenv("LEDERAVTALE_SMTP_VERT", "it.testvik.no")
    monkeypatch.setenv("LEDERAVTALE_SMTP_PASSORD", "IT-sitt-passord")
    html = page.client.get("/innstillinger").text
    assert html.count("Satt av IT på serveren") == 2
    assert "it.testvik.no" in html and "IT-sitt-passord" not in html
    assert "LEDERAVTALE_SMTP_PASSORD" in html


def test_the_page_shows_no_option_command_or_server_path(page):
    answer = page.client.get("/innstillinger")
    assert "script-src 'self'" in answer.headers["content-security-policy"] and "<script>" not in answer.text
    html = answer.text
    assert "--" not in without_token(html) and "lederavtale epost" not in html
    assert str(page.settings.ut) not in html and str(page.settings.ut.parent) not in html
    assert '<a href="/innstillinger" aria-current="page">Innstillinger</a>' in html
    assert PAGES[-1] == ("/innstillinger", "Innstillinger")


def test_test_the_connection_against_a_real_server_and_a_closed_port(page):
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port_smtp())
    smtp.start()
    try:
        page.post("/innstillinger", {"del": "smtp", "smtp_vert": "127.0.0.1", "smtp_port": str(smtp.port)})
        works = page.post("/innstillinger/test", {})
        assert works.status_code == 200
        assert f"Tilkoblingen virker: SMTP-serveren 127.0.0.1:{smtp.port} svarte, uten kryptering" in works.text
        # TLS on against a server without STARTTLS: said with the page's words.
        page.post("/innstillinger", {"del": "smtp", "smtp_vert": "127.0.0.1", "smtp_port": str(smtp.port),
                                     "smtp_tls": "ja"})
        no_tls = page.post("/innstillinger/test", {})
        assert no_tls.status_code == 502 and "tilbyr ikke kryptering" in no_tls.text and "--" not in without_token(no_tls.text)
    finally:
        smtp.stop()
    assert box.received == []
    closed = free_port_smtp()
    page.post("/innstillinger", {"del": "smtp", "smtp_vert": "127.0.0.1", "smtp_port": str(closed)})
    refused = page.post("/innstillinger/test", {})
    assert refused.status_code == 502
    assert "tar ikke imot forbindelser" in refused.text
    assert "Errno" not in refused.text and "--" not in without_token(refused.text)


def ca_certificate(name: str, days: int = 365) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testvik CA")])
    now = datetime.now(timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


def test_trusted_issuers_are_checked_stored_listed_and_removed(page):
    trust = page.settings.ut / "tillit"
    first, second = ca_certificate("Testvik Rot-CA"), ca_certificate("Buypass Test", days=30)
    files = [("sertifikater", ("rot.cer", first.public_bytes(Encoding.DER))),
             ("sertifikater", ("buypass.pem", second.public_bytes(Encoding.PEM)))]
    added = page.client.post("/innstillinger/tillit", data={"csrf": page.csrf()}, files=files)
    assert added.status_code == 303
    assert sorted(p.name for p in trust.iterdir()) == ["Buypass Test.pem", "Testvik Rot-CA.pem"]
    assert len(load_trust_roots(trust)) == 2  # what `signert` reads: the same two
    html = page.client.get("/innstillinger").text
    expires = first.not_valid_after_utc.strftime("%d.%m.%Y")
    assert "Testvik Rot-CA" in html and expires in html and "Buypass Test" in html

    again = page.client.post("/innstillinger/tillit", data={"csrf": page.csrf()}, files=files[:1])
    assert "klarert fra før" in again.text and len(list(trust.iterdir())) == 2

    for name, data, words in (("nøkkel.pem", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                               "er ikke et sertifikat"),
                              ("stor.der", b"0" * (64 * 1024 + 1), "større enn 64 kB"),
                              ("bilde.png", b"\x89PNG", "ikke en sertifikatfil")):
        refused = page.client.post("/innstillinger/tillit", data={"csrf": page.csrf()},
                                   files=[("sertifikater", (name, data))])
        assert refused.status_code == 400 and words in refused.text, name
    assert len(list(trust.iterdir())) == 2

    outside = page.settings.ut / SETTINGS_FILE
    outside.write_text("{}", encoding="utf-8")
    assert page.post("/innstillinger/tillit/fjern", {"fil": "../innstillinger.json"}).status_code == 404
    assert outside.exists()
    assert page.post("/innstillinger/tillit/fjern", {"fil": "Buypass Test.pem"}).status_code == 303
    assert [p.name for p in trust.iterdir()] == ["Testvik Rot-CA.pem"]
    assert "Buypass Test" not in page.client.get("/innstillinger").text


def test_the_e_post_page_points_to_innstillinger_when_no_server_is_set(page):
    html = page.client.get("/epost").text
    assert 'name="ingen_tls"' not in html and 'href="/innstillinger"' in html
    answer = page.client.post("/epost/bekreft", data={"csrf": csrf_of(html)})
    assert answer.status_code == 400
    # The page it names is a link to it.
    assert 'Fyll inn SMTP-serveren på siden <a href="/innstillinger">Innstillinger</a>.' in answer.text
    assert "--smtp-vert" not in answer.text


# --- the whole way, with `lederavtale web` and a real SMTP server ---------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return generated_example(tmp_path_factory.mktemp("innstillinger"), LEADER)


class Received:
    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.mark.slow
def test_settings_saved_on_the_page_send_the_mail_from_the_e_post_page(generated):
    box = Received()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port_smtp())
    smtp.start()
    server = Server(generated)  # no LEDERAVTALE_SMTP_* variables: only the page's settings
    try:
        with server.client() as hr:
            hr.get(server.url)
            csrf = csrf_of(hr.get("/innstillinger").text)
            # The password is stored (there is no login on this local server, so TLS may be off).
            saved = hr.post("/innstillinger", data={
                "csrf": csrf, "del": ["smtp", "epost"], "smtp_vert": "127.0.0.1", "smtp_port": str(smtp.port),
                "smtp_bruker": "", "smtp_passord": PASSWORD, "avsender": "personal@fjordvik.kommune.no",
                "epost_tekst": TEXT, "epost_oppfolging_tekst": "", "med_vedlegg": "ja"})
            assert saved.status_code == 303
            settings_file = server.out / SETTINGS_FILE
            assert json.loads(settings_file.read_text("utf-8"))["smtp_passord"] == PASSWORD
            if POSIX:
                assert mode_of(settings_file) == 0o600

            confirm = hr.post("/epost/bekreft", data={"csrf": csrf})
            assert confirm.status_code == 200 and "Klar til å sende" in confirm.text
            listed = re.findall(r"<li>(\d+) [^<:]+:", confirm.text)
            assert listed == [LEADER]  # the one leader whose documents were made
            # The confirmation form sent back as the browser would: every hidden field it carries.
            form = confirm.text.split('action="/epost/send"', 1)[1].split("</form>", 1)[0]
            hidden = {}
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
                hidden.setdefault(name, []).append(value)
            sent = hr.post("/epost/send", data=hidden)
            assert sent.status_code == 303
            wait_for_job(hr)
            # The other leaders' documents were never made: they are the job's failures, said as such.
            assert "1 e-post er sendt i denne kjøringen" in hr.get("/epost").text

            assert len(box.messages) == 1
            sender, rcpts, message = box.messages[0]
            assert sender == "personal@fjordvik.kommune.no"
            assert message["To"].addresses[0].display_name == "Marit Bjørnstad"
            assert message["Cc"].addresses[0].display_name == "Håkon Lie"
            assert rcpts == [message["To"].addresses[0].addr_spec, message["Cc"].addresses[0].addr_spec]
            assert str(message["Subject"]) == "Fra innstillingene – Marit Bjørnstad"
            assert message["Sensitivity"] == "Private" and len(list(message.iter_attachments())) == 2

            for path, _title in PAGES:
                html = hr.get(path).text
                assert PASSWORD not in html, path
        log = (server.out / YEAR / "logg.jsonl").read_text("utf-8")
        assert "innstillinger lagret" in log and "epost send" in log
        assert PASSWORD not in log
    finally:
        server.stop()
        smtp.stop()


@pytest.mark.slow
def test_the_settings_form_in_a_browser(generated, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium_path = Path("/usr/bin/chromium")
    if not chromium_path.exists():
        pytest.skip("Debian's chromium is not installed")
    root = tmp_path / "p"
    shutil.copytree(generated, root)
    (root / "ut" / SETTINGS_FILE).unlink(missing_ok=True)
    box = Received()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port_smtp())
    smtp.start()
    server = Server(root)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium_path), args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
            tab = context.new_page()
            errors = []
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(server.url)
            tab.goto(server.base + "/innstillinger")
            tab.fill("#smtp_vert", "127.0.0.1")
            tab.fill("#smtp_port", str(smtp.port))
            tab.fill("#smtp_passord", PASSWORD)
            tab.uncheck("#smtp_tls")  # aiosmtpd here offers no STARTTLS
            tab.click("button:has-text('Lagre e-postserveren')")
            tab.wait_for_selector("text=Innstillingene er lagret.")
            assert tab.input_value("#smtp_vert") == "127.0.0.1"
            assert tab.input_value("#smtp_passord") == ""
            assert PASSWORD not in tab.content()
            tab.click("button:has-text('Test tilkoblingen')")
            tab.wait_for_selector("text=Tilkoblingen virker")
            tab.screenshot(path="/tmp/innstillinger.png")
            tab.screenshot(path="/tmp/innstillinger-hele.png", full_page=True)
            assert errors == []
            browser.close()
        assert load(server.out).smtp_port == smtp.port and box.messages == []
    finally:
        server.stop()
        smtp.stop()
