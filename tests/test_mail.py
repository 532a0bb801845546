"""`lederavtale epost`: .eml drafts and resumable SMTP sending, against a real SMTP server.

The documents come from the real pipeline (`generate` with small Word templates written
here), the server is aiosmtpd on 127.0.0.1 in this process, and every check opens what
the code wrote: the .eml files, the messages the server received, sendt.json.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import errno
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import GOAL_TEXT, basic_sheets, example_folder, write_xlsx
from docx import Document

from generator.documents.templates import default_template_dir

DEFAULT_TEMPLATE_DIR = default_template_dir()
from generator.cli import main
from generator.commands.email import STATUS_DRAFT, STATUS_SENT, EpostOptions, epost, send, write_drafts
from generator.commands.generate import generate
from generator.exceptions import Interrupted, MailError, NothingGenerated, OptionError, TemplateError
from generator.job import Job
from generator.mail import records as records_module
from generator.mail.records import SENT_FILE, UNCERTAIN_FILE
from generator.terminal import confirm_sending, lines, show
from generator.advice import TERMINAL, words

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SENDER = "hr@testvik.kommune.no"
EMAIL_TEMPLATE = (
    "Emne: Utkast til lederavtale {{ periode.ar }} – {{ leder.navn }}\n"
    "\n"
    "Hei {{ leder.navn }},\n"
    "\n"
    "vedlagt er utkast til lederavtale for {{ periode.tekst }} og vedlegget, som du går gjennom\n"
    "med {{ overordnet.navn }} i ledersamtalen.\n"
    "{% for o in oppdrag %}- {{ o.tekst }}\n{% endfor %}"
    "\n"
    "Vennlig hilsen\nHR, {{ kommune.navn }}\n"
)
# The leaders of conftest.BASIC with Avtale=ja and an address: Ansattnr -> (To, Cc).
EXPECTED = {
    "100": ("kari@testvik.kommune.no", "ordforer@testvik.kommune.no"),
    "200": ("per@testvik.kommune.no", "kari@testvik.kommune.no"),
    "300": ("ase@testvik.kommune.no", "kari@testvik.kommune.no"),
    "210": ("oystein@testvik.kommune.no", "per@testvik.kommune.no"),
    "310": ("liv@testvik.kommune.no", "ase@testvik.kommune.no"),
    "211": ("berit@testvik.kommune.no", "oystein@testvik.kommune.no"),
}
NR_BY_ADDRESS = {to: nr for nr, (to, _cc) in EXPECTED.items()}
NAMES = {"100": "Kari Direktør", "200": "Per Helse", "300": "Åse Oppvekst", "210": "Øystein Sykehjem",
         "310": "Liv Skole", "211": "Berit Avdeling"}


# --- Fixtures: templates, generated documents, SMTP servers -----------------------------


def write_templates(folder: Path, email_template: str = EMAIL_TEMPLATE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.add_paragraph("Lederavtale {{ periode.ar }} for {{ leder.navn }}")
    doc.add_paragraph("{% for o in oppdrag %}{{ o.nr }}: {{ o.tekst }}. {% endfor %}")
    doc.save(folder / "lederavtale.docx")
    doc = Document()
    doc.add_paragraph("Personlige utviklingsmål for {{ leder.navn }}")
    doc.add_paragraph("{% for u in utviklingsmal %}{{ u.mal }}. {% endfor %}")
    doc.save(folder / "vedlegg.docx")
    (folder / "epost.txt").write_text(email_template, encoding="utf-8")
    return folder


class Setup:
    """A workbook, its templates and its output folder under `root`."""

    def __init__(self, root: Path, sheets=None, write: bool = True):
        self.root = root
        self.maler = root / "maler"
        self.workbook = root / "arbeidsbok.xlsx"
        if write:
            write_templates(self.maler)
            write_xlsx(self.workbook, sheets or basic_sheets())
        self.ut = root / "ut"
        self.year = self.ut / "2027"
        self.epost = self.year / "epost"

    def generate(self):
        generate(Job(self.workbook, self.ut, self.maler), pdf=False)
        return self

    def job(self) -> Job:
        return Job(self.workbook, self.ut, self.maler)

    def copy(self, root: Path) -> "Setup":
        shutil.copytree(self.root, root)
        return Setup(root, write=False)

    def manifest(self) -> dict:
        return json.loads((self.year / "manifest.json").read_text(encoding="utf-8"))

    def docx_on_disk(self, nr: str) -> dict[str, bytes]:
        """File name -> bytes of the leader's .docx files, as listed in the manifest."""
        files = self.manifest()["ledere"][nr]["filer"]
        return {Path(f["sti"]).name: (self.year / f["sti"]).read_bytes() for f in files if f["format"] == "docx"}

    def sent_records(self) -> dict:
        return json.loads((self.epost / SENT_FILE).read_text(encoding="utf-8"))

    def uncertain_records(self) -> dict:
        return json.loads((self.epost / UNCERTAIN_FILE).read_text(encoding="utf-8"))

    def cli(self, *args, env=None):
        base = ["epost", str(self.workbook), "--ut", str(self.ut), "--maler", str(self.maler)]
        return CliRunner().invoke(main, base + list(args), env=env)


@pytest.fixture(scope="session")
def generated_once(tmp_path_factory) -> Setup:
    return Setup(tmp_path_factory.mktemp("generert") / "prosjekt").generate()


@pytest.fixture
def setup(generated_once, tmp_path, monkeypatch) -> Setup:
    """A fresh copy of the generated documents (generating once per session is faster)."""
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    return generated_once.copy(tmp_path / "prosjekt")


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts.

    After `ok` accepted messages it refuses every further one (`mode="refuse"`), stops
    answering after receiving it (`mode="stall"`), as a hung server would, or drops the
    connection at the next MAIL FROM (`mode="drop"` once, `mode="drop-always"` every time).
    `mode="interrupt"` takes the next message, then sends SIGINT (Ctrl-C) to the sending
    thread before it answers 250, as if the user gave up waiting for a slow server.
    """

    def __init__(self, ok: int | None = None, mode: str = "refuse", refuse_rcpt: str = ""):
        self.ok, self.mode, self.refuse_rcpt = ok, mode, refuse_rcpt
        self.received: list[tuple[str, list[str], email.message.EmailMessage, bool]] = []
        self.refused = 0
        self.dropped = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        dropping = self.mode == "drop-always" or (self.mode == "drop" and not self.dropped)
        if self.ok is not None and len(self.received) >= self.ok and dropping:
            self.dropped += 1
            server.transport.close()
            return "421 4.3.2 Forbindelsen lukkes"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse_rcpt:
            return "550 5.1.1 Ukjent mottaker"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.ok is not None and len(self.received) == self.ok and self.mode == "interrupt":
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message, bool(session.ssl)))
            # To the main thread itself: a process-wide signal could land in this thread,
            # and the client would only see it after reading the reply.
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            await asyncio.sleep(5)
            return "250 2.0.0 OK"
        if self.ok is not None and len(self.received) >= self.ok and self.mode in ("refuse", "stall"):
            if self.mode == "stall":
                await asyncio.sleep(4)
                return "451 4.3.0 For sent"
            self.refused += 1
            return "554 5.7.1 Meldingen avvises av testserveren"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message, bool(session.ssl)))
        return "250 2.0.0 OK"

    def to_addresses(self) -> list[str]:
        return [str(m["To"].addresses[0].addr_spec) for _f, _r, m, _t in self.received]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start aiosmtpd servers on 127.0.0.1: `smtp_server(handler, **smtp_options) -> port`."""
    controllers = []

    def start(handler, **options) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def sent(result) -> list[str]:
    """The Ansattnr whose message the server took in this run, in the order they went out."""
    return [item.ansattnr for item in result.items if item.status == STATUS_SENT]


def shown(result) -> str:
    """Everything the terminal shows of a result, as one text."""
    return "\n".join(line for line, _err in lines(result))


def parse(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def visible_text(message: email.message.EmailMessage) -> str:
    """Everything a reader sees besides the attachments' content: headers and body."""
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    return headers + "\n" + message.get_body(("plain",)).get_content()


# --- Drafts -------------------------------------------------------------------------------


def test_drafts_one_per_leader_with_headers_body_and_attachments(setup):
    result = write_drafts(setup.job())

    names = sorted(p.name for p in setup.epost.glob("*.eml"))
    assert names == sorted(f"{nr} {navn}.eml" for nr, navn in NAMES.items())
    assert sorted(result.files) == sorted(setup.epost.glob("*.eml"))
    assert result.exit_code == 0 and result.failures == []
    # Nils Barnehage (320) has no address: a warning, not an error, and no draft.
    assert any(w.startswith("Advarsel: 320 Nils Barnehage") and "e-postadresse" in w for w in result.notices)

    for nr, (to, cc) in EXPECTED.items():
        path = setup.epost / f"{nr} {NAMES[nr]}.eml"
        raw = path.read_bytes()
        raw.decode("ascii")  # 7-bit clean: any client or relay can carry it
        message = parse(path)
        assert message["X-Unsent"] == "1"
        assert message["From"].addresses[0].addr_spec == SENDER
        assert message["From"].addresses[0].display_name == "Testvik kommune"
        assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [(NAMES[nr], to)]
        assert [a.addr_spec for a in message["Cc"].addresses] == [cc]
        assert message["Bcc"] is None
        assert message["Subject"] == f"Utkast til lederavtale 2027 – {NAMES[nr]}"
        body = message.get_body(("plain",)).get_content()
        assert f"Hei {NAMES[nr]}," in body
        assert "1. januar 2027 – 31. desember 2027" in body
        # `alle` reaches every leader but the kommunedirektør (100), who writes the styringsbrev.
        assert ("Drive innenfor vedtatt budsjett" in body) == (nr != "100")
        assert ("Lede arbeidet med ny kommuneplan" in body) == (nr in ("100", "300"))

        attachments = list(message.iter_attachments())
        on_disk = setup.docx_on_disk(nr)
        # The kommunedirektør (100) has the ordfører in Cc, and Vedlegg til ordfører is nei by default: the
        # exempt appendix stays out of that message (see the tests of Vedlegg til ordfører below).
        assert [a.get_filename() for a in attachments] == [
            f"Lederavtale 2027 - {NAMES[nr]}.docx",
            f"Utviklingsmål 2027 - {NAMES[nr]} (unntatt offentlighet).docx",
        ][:1 if nr == "100" else 2]
        assert message["Sensitivity"] == (None if nr == "100" else "Private")
        for part in attachments:
            assert part.get_content_type() == DOCX_TYPE
            assert part.get_content_disposition() == "attachment"
            assert part.get_content() == on_disk[part.get_filename()]
            # Outlook reads the Content-Type name when it cannot read filename*.
            assert part.get_param("name") == part.get_filename()


def test_attachment_names_are_rfc2231_with_an_rfc2047_name_for_outlook(setup):
    write_drafts(setup.job(), ["210"])
    raw = (setup.epost / "210 Øystein Sykehjem.eml").read_bytes().decode("ascii")
    unfolded = raw.replace("\r\n ", " ")
    assert ("filename*=utf-8''Utviklingsm%C3%A5l%202027%20-%20%C3%98ystein%20Sykehjem%20"
            "%28unntatt%20offentlighet%29.docx") in unfolded
    assert "filename*=utf-8''Lederavtale%202027%20-%20%C3%98ystein%20Sykehjem.docx" in unfolded
    assert 'name="=?utf-8?' in unfolded
    # Python's default policy would fold this header into `application/=?utf-8?q?vnd…`.
    assert unfolded.count(f"Content-Type: {DOCX_TYPE}; name=") + unfolded.count(
        f"Content-Type:  {DOCX_TYPE}; name=") == 2
    assert "\r\n" in raw and "\n" not in raw.replace("\r\n", "")
    assert max(len(line) for line in raw.split("\r\n")) <= 998


def test_drafts_attach_the_files_on_disk_after_hr_edits_them(setup):
    agreement = setup.year / "210 Øystein Sykehjem" / "Lederavtale 2027 - Øystein Sykehjem.docx"
    doc = Document(agreement)
    doc.add_paragraph("Endret av HR etter ledersamtalen")
    doc.save(agreement)

    write_drafts(setup.job(), ["210"])

    assert [p.name for p in setup.epost.glob("*.eml")] == ["210 Øystein Sykehjem.eml"]
    attachment = next(parse(setup.epost / "210 Øystein Sykehjem.eml").iter_attachments())
    assert attachment.get_content() == agreement.read_bytes()
    assert "Endret av HR etter ledersamtalen" in docx_text(attachment.get_content())


def test_development_goals_only_in_the_appendix_of_the_leader(setup):
    result = setup.cli()
    assert result.exit_code == 0, result.output
    assert GOAL_TEXT not in result.output

    for path in setup.epost.glob("*.eml"):
        message = parse(path)
        assert GOAL_TEXT not in visible_text(message)
        appendices = [a for a in message.iter_attachments() if a.get_filename().startswith("Utviklingsmål")]
        to_name = message["To"].addresses[0].display_name
        if to_name == "Kari Direktør":  # the ordfører is in Cc, and Vedlegg til ordfører is nei
            assert appendices == []
            continue
        assert len(appendices) == 1
        # Each message carries its own leader's appendix, never anyone else's.
        assert appendices[0].get_filename() == f"Utviklingsmål 2027 - {to_name} (unntatt offentlighet).docx"
        has_goal = GOAL_TEXT in docx_text(appendices[0].get_content())
        assert has_goal == (to_name == "Øystein Sykehjem")


def test_template_leaking_a_goal_into_the_mail_is_stopped(setup, tmp_path):
    sheets = basic_sheets()
    sheets["Tiltak"].append([210, "1", GOAL_TEXT])  # the goal pasted into a public measure
    leaky = Setup(tmp_path / "lekk", sheets)
    (leaky.maler / "epost.txt").write_text(
        "Emne: Lederavtale\n{% for o in oppdrag %}{{ o.tiltak|join(', ') }}\n{% endfor %}", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        write_drafts(Job(leaky.workbook, setup.ut, leaky.maler))
    assert "Personvernsperre" in str(caught.value)
    assert GOAL_TEXT not in str(caught.value)
    assert not setup.epost.exists()


def test_missing_document_is_reported_for_that_leader_and_the_rest_are_written(setup):
    (setup.year / "211 Berit Avdeling" / "Utviklingsmål 2027 - Berit Avdeling (unntatt offentlighet).docx").unlink()

    result = setup.cli()

    assert result.exit_code == 3, result.output
    assert "211 Berit Avdeling: filen mangler" in result.output
    names = {p.name for p in setup.epost.glob("*.eml")}
    assert "211 Berit Avdeling.eml" not in names
    assert len(names) == 5


def test_nothing_generated_says_so(tmp_path):
    fresh = Setup(tmp_path)
    with pytest.raises(NothingGenerated, match="generer"):
        write_drafts(Job(fresh.workbook, fresh.ut, fresh.maler))
    result = fresh.cli()
    assert result.exit_code == 1
    assert "Kjør «lederavtale generer" in result.output
    assert not fresh.ut.exists()


@pytest.mark.parametrize(
    "template, place, message",
    [
        ("Emne: Avtale for {{ leder.navnet }}\n\nHei\n", "epost.txt", "navnet"),
        ("Hei {{ leder.navn }}\n\nVedlagt\n", "epost.txt linje 1", "Emne:"),
        ("Emne: {% for %}\n", "epost.txt linje 1", "feil i malkoden"),
    ],
)
def test_template_mistakes_stop_before_anything_is_written(setup, template, place, message):
    (setup.maler / "epost.txt").write_text(template, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        write_drafts(setup.job())
    (problem,) = caught.value.problems
    assert problem.place == place
    assert message in problem.message
    assert not setup.epost.exists()


@pytest.mark.slow
def test_default_email_template_renders(tmp_path, monkeypatch):
    """The shipped maler/epost.txt works with the real context (no goals, no unknown names)."""
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    project = Setup(tmp_path)
    generate(Job(project.workbook, project.ut, DEFAULT_TEMPLATE_DIR), pdf=False)
    write_drafts(Job(project.workbook, project.ut, DEFAULT_TEMPLATE_DIR), ["210"])
    message = parse(project.epost / "210 Øystein Sykehjem.eml")
    assert "Øystein Sykehjem" in message["Subject"] + message.get_body(("plain",)).get_content()
    assert GOAL_TEXT not in visible_text(message)


def test_line_breaks_in_names_cannot_inject_headers(tmp_path):
    sheets = basic_sheets()
    names = {310: "Liv\r\nBcc: x@y.no", 210: "Øystein\r\n\tBcc: x@y.no"}  # quoted, and encoded as UTF-8
    for row in sheets["Ledere"]:
        row[1] = names.get(row[0], row[1])
    next(row for row in sheets["Kommune"] if row[0] == "Kommunenavn")[1] = "Testvik\r\nBcc: x@y.no kommune"
    project = Setup(tmp_path, sheets).generate()

    result = write_drafts(Job(project.workbook, project.ut, project.maler))

    assert len(result.files) == len(EXPECTED)
    messages = {NR_BY_ADDRESS[parse(path)["To"].addresses[0].addr_spec]: parse(path) for path in result.files}
    assert sorted(messages) == sorted(EXPECTED)
    for nr, message in messages.items():
        assert message["Bcc"] is None
        assert message.defects == []
        to, cc = EXPECTED[nr]
        assert [a.addr_spec for a in message["To"].addresses] == [to]
        assert [a.addr_spec for a in message["Cc"].addresses] == [cc]
        assert message["From"].addresses[0].display_name == "Testvik Bcc: x@y.no kommune"
    for nr, flat in (("310", "Liv Bcc: x@y.no"), ("210", "Øystein Bcc: x@y.no")):
        message = messages[nr]
        assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [(flat, EXPECTED[nr][0])]
        assert message["Subject"] == f"Utkast til lederavtale 2027 – {flat}"
        assert message.get_body(("plain",)).get_content().startswith("Hei ")  # nothing of the subject
    assert messages["211"]["Cc"].addresses[0].display_name == "Øystein Bcc: x@y.no"


def test_appendix_makes_the_message_private_and_uten_vedlegg_leaves_it_out(setup, smtp_server):
    with_appendix = setup.cli("--leder", "310")
    assert with_appendix.exit_code == 0, with_appendix.output
    draft = parse(setup.epost / "310 Liv Skole.eml")
    assert draft["Sensitivity"] == "Private"
    assert len(list(draft.iter_attachments())) == 2

    without = setup.cli("--leder", "210", "--uten-vedlegg")
    assert without.exit_code == 0, without.output
    draft = parse(setup.epost / "210 Øystein Sykehjem.eml")
    assert draft["Sensitivity"] is None
    (attachment,) = draft.iter_attachments()
    assert attachment.get_filename() == "Lederavtale 2027 - Øystein Sykehjem.docx"
    assert attachment.get_content() == setup.docx_on_disk("210")[attachment.get_filename()]

    box = Mailbox()
    port = str(smtp_server(box))
    for extra in ([], ["--uten-vedlegg"]):
        result = setup.cli("--send", "--ja", "--ingen-tls", "--smtp-vert", "127.0.0.1", "--smtp-port", port,
                           "--leder", "210", "--send-igjen", *extra)
        assert result.exit_code == 0, result.output
    (_f, _r, sent_with, _t), (_f, _r, sent_without, _t) = box.received
    assert sent_with["Sensitivity"] == "Private"
    assert len(list(sent_with.iter_attachments())) == 2
    assert sent_without["Sensitivity"] is None
    assert [a.get_filename() for a in sent_without.iter_attachments()] == ["Lederavtale 2027 - Øystein Sykehjem.docx"]
    assert GOAL_TEXT not in "".join(docx_text(a.get_content()) for a in sent_without.iter_attachments())


@pytest.mark.parametrize("malform, protected, delivered", [
    ("bokmål", "unntatt offentlighet", "leverer dere til HR"),
    ("nynorsk", "unnateke offentlegheit", "leverer de til HR"),
])
@pytest.mark.slow
def test_default_email_body_asks_for_nothing_back_by_email(tmp_path, monkeypatch, malform, protected, delivered):
    """The appendix must not travel by e-mail more than it has to: no reply with the signed files."""
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    sheets = basic_sheets()
    sheets["Kommune"].append(["Målform", malform])
    project = Setup(tmp_path, sheets)
    generate(Job(project.workbook, project.ut, DEFAULT_TEMPLATE_DIR), pdf=False)
    write_drafts(Job(project.workbook, project.ut, DEFAULT_TEMPLATE_DIR), ["210"])

    body = parse(project.epost / "210 Øystein Sykehjem.eml").get_body(("plain",)).get_content()
    sentences = re.split(r"[.!?:]\s+|\n+", body)
    # Any sentence about sending or returning something must say not to.
    asks = [s for s in sentences if re.search(r"\b(send|returner)|tilbake", s, re.IGNORECASE)
            and not re.search(r"\bikkj?e\b", s, re.IGNORECASE)]
    assert asks == []
    assert protected in body
    assert delivered in body
    assert re.search(r"\bikkj?e på e-post\b", body)
    assert "Per Helse" in body and "Testvik kommune" in body
    if malform == "nynorsk":
        assert not re.search(r"\b(ikke|hvis|hvilke|fra|et|vennlig|enige)\b", body, re.IGNORECASE)


# --- Sending ------------------------------------------------------------------------------


def test_send_delivers_every_message_to_leader_and_superior_only(setup, smtp_server):
    box = Mailbox()
    port = smtp_server(box)

    result = send(setup.job(), host="127.0.0.1", port=port, tls=False)

    assert sorted(sent(result)) == sorted(EXPECTED)
    records = setup.sent_records()
    assert sorted(records) == sorted(EXPECTED)
    assert len(box.received) == len(EXPECTED)
    for mail_from, rcpt_tos, message, _tls in box.received:
        nr = next(nr for nr, (to, _cc) in EXPECTED.items() if message["To"].addresses[0].addr_spec == to)
        assert mail_from == SENDER
        assert sorted(rcpt_tos) == sorted(EXPECTED[nr])
        assert message["X-Unsent"] is None
        assert message["Message-ID"].endswith("@testvik.kommune.no>")
        assert records[nr]["message_id"] == message["Message-ID"]
        assert sorted(records[nr]["mottakere"]) == sorted(EXPECTED[nr])
        assert records[nr]["tid"][:4] == time.strftime("%Y")
        on_disk = setup.docx_on_disk(nr)
        if nr == "100":  # the kommunedirektør's appendix is not sent to the ordfører's mailbox
            on_disk = {name: data for name, data in on_disk.items() if name.startswith("Lederavtale")}
        assert {a.get_filename(): a.get_content() for a in message.iter_attachments()} == on_disk
        assert GOAL_TEXT not in visible_text(message)
    assert GOAL_TEXT not in (setup.epost / SENT_FILE).read_text(encoding="utf-8")


def test_refusing_server_then_resume_sends_everyone_exactly_once(setup, smtp_server, monkeypatch):
    monkeypatch.setenv("LEDERAVTALE_SMTP_VERT", "127.0.0.1")
    refusing = Mailbox(ok=2, mode="refuse")
    monkeypatch.setenv("LEDERAVTALE_SMTP_PORT", str(smtp_server(refusing)))

    first = setup.cli("--send", "--ja", "--ingen-tls")

    assert first.exit_code == 3, first.output
    assert len(refusing.received) == 2 and refusing.refused == 4
    assert "554 5.7.1 Meldingen avvises av testserveren" in first.output
    accepted = {nr for nr, (to, _cc) in EXPECTED.items() if to in refusing.to_addresses()}
    assert set(setup.sent_records()) == accepted
    assert "2 e-poster er sendt" in first.output

    healthy = Mailbox()
    monkeypatch.setenv("LEDERAVTALE_SMTP_PORT", str(smtp_server(healthy)))
    second = setup.cli("--send", "--ja", "--ingen-tls")

    assert second.exit_code == 0, second.output
    assert len(healthy.received) == 4
    assert "Ferdig: 4 e-poster sendt." in second.output
    assert set(setup.sent_records()) == set(EXPECTED)
    per_recipient = Counter(refusing.to_addresses() + healthy.to_addresses())
    assert per_recipient == Counter(to for to, _cc in EXPECTED.values())

    idle = Mailbox()
    monkeypatch.setenv("LEDERAVTALE_SMTP_PORT", str(smtp_server(idle)))
    third = setup.cli("--send", "--ja", "--ingen-tls")

    assert third.exit_code == 0, third.output
    assert idle.received == []
    assert "Ferdig: 0 e-poster sendt." in third.output
    assert "6 ledere har fått e-posten før" in third.output
    assert GOAL_TEXT not in first.output + second.output + third.output


@pytest.mark.slow
def test_server_that_stops_answering_gives_up_quickly_and_never_sends_twice(setup, smtp_server):
    stalling = Mailbox(ok=1, mode="stall")
    port = smtp_server(stalling)
    started = time.monotonic()

    stalled = send(setup.job(), host="127.0.0.1", port=port, tls=False, timeout=1)

    assert time.monotonic() - started < 10
    assert stalled.exit_code == 3
    assert len(setup.sent_records()) == 1
    uncertain = json.loads((setup.epost / UNCERTAIN_FILE).read_text(encoding="utf-8"))
    # The second message stalled; the connection was reopened once; the third stalled too.
    assert len(uncertain) == 2
    text = shown(stalled)
    assert text.count("usikkert om e-posten kom fram") == 2
    assert text.count("ikke sendt (serveren sluttet å svare") == 3

    healthy = Mailbox()
    result = send(setup.job(), host="127.0.0.1", port=smtp_server(healthy), tls=False)
    # Maybe delivered already: not sent again without --send-igjen.
    assert len(sent(result)) == 3 and len(healthy.received) == 3
    assert not set(sent(result)) & set(uncertain)
    assert sum("usikkert om forrige e-post kom fram" in w for w in result.notices) == 2

    again = sorted(uncertain)[0]
    resend = Mailbox()
    result = send(setup.job(), ledere=[again], send_igjen=True, host="127.0.0.1",
                  port=smtp_server(resend), tls=False)
    assert sent(result) == [again] and len(resend.received) == 1
    assert again in setup.sent_records()
    assert again not in json.loads((setup.epost / UNCERTAIN_FILE).read_text(encoding="utf-8"))


def test_dropped_connection_is_reopened_once(setup, smtp_server):
    box = Mailbox(ok=2, mode="drop")
    result = send(setup.job(), host="127.0.0.1", port=smtp_server(box), tls=False)
    assert box.dropped == 1
    assert sorted(sent(result)) == sorted(EXPECTED)
    assert Counter(box.to_addresses()) == Counter(to for to, _cc in EXPECTED.values())


@pytest.mark.slow
def test_connection_dropped_twice_stops_and_a_rerun_completes(setup, smtp_server):
    dropping = Mailbox(ok=2, mode="drop-always")
    result = send(setup.job(), host="127.0.0.1", port=smtp_server(dropping), tls=False)
    assert result.exit_code == 3
    assert dropping.dropped == 2  # the first drop is retried over a new connection, once
    text = shown(result)
    assert text.count(": ikke sendt (") == 4
    assert "usikkert" not in text  # dropped before the message was handed over
    assert len(setup.sent_records()) == 2
    assert not (setup.epost / UNCERTAIN_FILE).exists()

    healthy = Mailbox()
    send(setup.job(), host="127.0.0.1", port=smtp_server(healthy), tls=False)
    assert len(healthy.received) == 4
    assert Counter(dropping.to_addresses() + healthy.to_addresses()) == Counter(to for to, _cc in EXPECTED.values())


def test_send_igjen_resends_only_the_chosen_leader(setup, smtp_server):
    first = Mailbox()
    send(setup.job(), host="127.0.0.1", port=smtp_server(first), tls=False)
    old_id = setup.sent_records()["210"]["message_id"]

    second = Mailbox()
    result = setup.cli("--send", "--ja", "--ingen-tls", "--leder", "210", "--send-igjen", "--smtp-vert", "127.0.0.1",
                       "--smtp-port", str(smtp_server(second)))

    assert result.exit_code == 0, result.output
    assert second.to_addresses() == ["oystein@testvik.kommune.no"]
    assert sorted(second.received[0][1]) == ["oystein@testvik.kommune.no", "per@testvik.kommune.no"]
    assert setup.sent_records()["210"]["message_id"] == second.received[0][2]["Message-ID"] != old_id


def test_refused_copy_recipient_is_reported_but_the_message_counts_as_sent(setup, smtp_server):
    box = Mailbox(refuse_rcpt="per@testvik.kommune.no")  # Per is Cc for 210 and To for 200
    port = smtp_server(box)
    result = send(setup.job(), host="127.0.0.1", port=port, tls=False)
    assert result.exit_code == 3
    text = shown(result)
    assert "210 Øystein Sykehjem: sendt, men serveren avviste mottakeren per@testvik.kommune.no" in text
    assert "200 Per Helse: serveren avviste e-posten" in text
    records = setup.sent_records()
    assert records["210"]["mottakere"] == ["oystein@testvik.kommune.no"]
    assert "200" not in records
    assert len(box.received) == 5


def test_starttls_is_required_unless_ingen_tls(setup, smtp_server):
    box = Mailbox()
    port = smtp_server(box)
    with pytest.raises(MailError, match="tilbyr ikke STARTTLS") as caught:
        send(setup.job(), host="127.0.0.1", port=port)
    assert "--ingen-tls" in str(caught.value)
    assert box.received == []
    assert not (setup.epost / SENT_FILE).exists()


@pytest.mark.slow
def test_starttls_and_login_from_the_environment(setup, smtp_server, certificate, monkeypatch):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"hr" and auth_data.password == b"hemmelig", handled=False)

    box = Mailbox()
    port = smtp_server(box, tls_context=server_context, require_starttls=True, authenticator=authenticator,
                       auth_required=True)
    monkeypatch.setenv("LEDERAVTALE_SMTP_BRUKER", "hr")
    monkeypatch.setenv("LEDERAVTALE_SMTP_PASSORD", "hemmelig")

    result = send(setup.job(), ledere=["210"], host="127.0.0.1", port=port,
                  ssl_context=ssl.create_default_context(cafile=str(cert)))

    assert sent(result) == ["210"]
    assert logins == [(b"hr", b"hemmelig")]
    assert [tls for _f, _r, _m, tls in box.received] == [True]

    monkeypatch.setenv("LEDERAVTALE_SMTP_PASSORD", "feil")
    with pytest.raises(MailError, match="Innlogging"):
        send(setup.job(), ledere=["310"], host="127.0.0.1", port=port,
             ssl_context=ssl.create_default_context(cafile=str(cert)))
    assert len(box.received) == 1


def test_cli_send_needs_a_server_and_confirmation(setup, smtp_server, monkeypatch):
    no_server = setup.cli("--send", "--ja")
    assert no_server.exit_code == 1
    assert "--smtp-vert" in no_server.output and "LEDERAVTALE_SMTP_VERT" in no_server.output

    box = Mailbox()
    monkeypatch.setenv("LEDERAVTALE_SMTP_VERT", "127.0.0.1")
    monkeypatch.setenv("LEDERAVTALE_SMTP_PORT", str(smtp_server(box)))
    unconfirmed = setup.cli("--send", "--ingen-tls")  # CliRunner's stdin is no terminal
    assert unconfirmed.exit_code == 2
    assert "--ja" in unconfirmed.output

    no_leader = setup.cli("--send", "--ja", "--ingen-tls", "--send-igjen")
    assert no_leader.exit_code == 2
    assert "--leder" in no_leader.output

    draft_with_send_option = setup.cli("--ingen-tls")
    assert draft_with_send_option.exit_code == 2

    assert box.received == []
    assert not (setup.epost / SENT_FILE).exists()


def test_confirmation_can_say_no(setup, smtp_server):
    box = Mailbox()
    seen = []

    def decline(plan):
        seen.extend(plan.lines())
        return False

    result = send(setup.job(), host="127.0.0.1", port=smtp_server(box), tls=False, confirm=decline)

    assert result.cancelled and sent(result) == []
    assert "210 Øystein Sykehjem: oystein@testvik.kommune.no, per@testvik.kommune.no" in seen
    assert box.received == []


@pytest.mark.parametrize("args, options, message", [
    (["--ja", "--ingen-tls"], EpostOptions(ja=True, ingen_tls=True),
     "--ja, --ingen-tls brukes bare sammen med --send."),
    (["--send", "--ja", "--send-igjen"], EpostOptions(send=True, ja=True, send_igjen=True),
     "--send-igjen krever at du velger ledere med --leder ANSATTNR."),
    (["--send"], EpostOptions(send=True), "Bekreft utsendingen med --ja når kommandoen ikke kjøres i en terminal."),
])
def test_an_option_rule_gives_one_message_and_exit_2_from_the_job(setup, args, options, message):
    result = setup.cli(*args)

    assert result.exit_code == 2, result.output
    assert result.output.count(message) == 1
    with pytest.raises(OptionError) as caught:
        epost(setup.job(), options, interactive=False)
    assert str(caught.value) == message and caught.value.exit_code == 2
    assert not setup.epost.exists()


def test_a_partly_failed_draft_run_returns_its_failures_with_exit_3(setup):
    (setup.year / "211 Berit Avdeling" / "Utviklingsmål 2027 - Berit Avdeling (unntatt offentlighet).docx").unlink()

    result = write_drafts(setup.job())

    assert result.exit_code == 3
    assert result.failure_heading == "Noen e-postutkast ble ikke laget:"
    (missing, written) = result.failures
    assert missing.startswith("211 Berit Avdeling: filen mangler: ")
    assert written == f"5 e-postutkast er skrevet til «{setup.epost}»."
    assert result.summary == []  # no «Ferdig» line over a list of failures
    assert sorted(item.ansattnr for item in result.items) == sorted(set(EXPECTED) - {"211"})
    for item in result.items:
        assert item.status == STATUS_DRAFT
        assert item.filer == [f"epost/{item.ansattnr} {NAMES[item.ansattnr]}.eml"]
        assert (setup.year / item.filer[0]).is_file()


def test_a_partly_failed_send_returns_what_went_out_and_what_did_not(setup, smtp_server):
    box = Mailbox(ok=2, mode="refuse")

    result = send(setup.job(), host="127.0.0.1", port=smtp_server(box), tls=False)

    assert result.exit_code == 3
    assert sorted(sent(result)) == sorted(NR_BY_ADDRESS[address] for address in box.to_addresses())
    assert sorted(sent(result)) == sorted(setup.sent_records())
    assert result.failure_heading == "Noen e-poster ble ikke sendt:"
    assert sum(": serveren avviste e-posten (554 5.7.1" in line for line in result.failures) == 4
    assert [words(line, TERMINAL) for line in result.failures[-2:]] == [
        f"2 e-poster er sendt i denne kjøringen og registrert i «{setup.epost / SENT_FILE}».",
        "Kjør samme kommando igjen for å sende resten; det som er sendt, hoppes over."]
    assert result.summary == []


def test_asking_on_a_terminal_shows_the_warnings_first_and_no_sends_nothing(setup, smtp_server):
    (setup.epost).mkdir(parents=True)
    (setup.epost / UNCERTAIN_FILE).write_text(json.dumps({"210": {"message_id": "<1@testvik.kommune.no>",
                                                                  "tid": "2027-01-15T10:00:00+01:00",
                                                                  "mottakere": []}}), encoding="utf-8")
    box = Mailbox()
    options = EpostOptions(send=True, smtp_vert="127.0.0.1", smtp_port=smtp_server(box), ingen_tls=True)

    with CliRunner().isolation(input="nei\n") as (_out, _err, mixed):
        result = epost(setup.job(), options, interactive=True, confirm=confirm_sending)
        code = show(result)
    output = mixed.getvalue().decode("utf-8")

    assert code == 1 and result.cancelled
    warning = "Advarsel: 210 Øystein Sykehjem: usikkert om forrige e-post kom fram"
    assert output.index(warning) < output.index("Klar til å sende 5 e-poster:") < output.index("Sende nå?")
    assert output.rstrip().endswith("Avbrutt. Ingenting er sendt.")
    assert box.received == []
    assert not (setup.epost / SENT_FILE).exists()

    with CliRunner().isolation(input="ja\n"):
        result = epost(setup.job(), options, interactive=True, confirm=confirm_sending)
    assert result.exit_code == 0
    assert result.summary == ["Ferdig: 5 e-poster sendt."]
    assert len(box.received) == 5 and "210" not in setup.sent_records()


def test_full_disk_after_the_server_accepted_never_sends_twice(setup, smtp_server, monkeypatch):
    real_write = records_module.atomic_write_bytes
    sent_writes = []

    def disk_full_at_the_second_sent_record(path, data, durable=False):
        if path.name == SENT_FILE:
            sent_writes.append(path)
            if len(sent_writes) == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write(path, data, durable)

    monkeypatch.setattr(records_module, "atomic_write_bytes", disk_full_at_the_second_sent_record)
    box = Mailbox()
    port = str(smtp_server(box))
    first = setup.cli("--send", "--ja", "--ingen-tls", "--smtp-vert", "127.0.0.1", "--smtp-port", port)

    assert first.exit_code == 3, first.output
    assert isinstance(first.exception, SystemExit) and "Traceback" not in first.output
    # The server really took the second message; nothing went out once the disk was full.
    assert len(box.received) == 2
    recorded, unrecorded = (NR_BY_ADDRESS[address] for address in box.to_addresses())
    assert set(setup.sent_records()) == {recorded}
    assert set(setup.uncertain_records()) == {unrecorded}
    assert f"«{setup.epost / SENT_FILE}» kan ikke skrives ({os.strerror(errno.ENOSPC)})" in first.output
    assert first.output.count("ikke sendt (sendingen ble stoppet fordi") == 4

    monkeypatch.setattr(records_module, "atomic_write_bytes", real_write)  # space freed
    healthy = Mailbox()
    second = setup.cli("--send", "--ja", "--ingen-tls", "--smtp-vert", "127.0.0.1", "--smtp-port",
                       str(smtp_server(healthy)))

    assert second.exit_code == 0, second.output
    assert f"{unrecorded} {NAMES[unrecorded]}: usikkert om forrige e-post kom fram" in second.output
    assert len(healthy.received) == 4
    assert Counter(box.to_addresses() + healthy.to_addresses()) == Counter(to for to, _cc in EXPECTED.values())


def test_nothing_is_sent_when_the_in_flight_mark_cannot_be_written(setup, smtp_server, monkeypatch):
    # A full disk at the first mark. (A folder in usikker.json's place no longer gets this far: it
    # is refused when the records are read, before anything is sent; see test_records.py.)
    real_write = records_module.atomic_write_bytes

    def disk_full_for_the_mark(path, data, durable=False):
        if path.name == UNCERTAIN_FILE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write(path, data, durable)

    monkeypatch.setattr(records_module, "atomic_write_bytes", disk_full_for_the_mark)
    box = Mailbox()

    result = send(setup.job(), host="127.0.0.1", port=smtp_server(box), tls=False)

    assert result.exit_code == 3
    assert box.received == []
    assert not (setup.epost / SENT_FILE).exists()
    text = shown(result)
    assert f"«{setup.epost / UNCERTAIN_FILE}» kan ikke skrives" in text
    assert text.count("e-posten er ikke sendt") == 1
    assert text.count("ikke sendt (sendingen ble stoppet fordi") == len(EXPECTED) - 1


def test_ctrl_c_while_waiting_for_the_server_never_sends_twice(setup, smtp_server):
    box = Mailbox(ok=1, mode="interrupt")
    port = str(smtp_server(box))
    started = time.monotonic()

    first = setup.cli("--send", "--ja", "--ingen-tls", "--smtp-vert", "127.0.0.1", "--smtp-port", port)

    assert first.exit_code == 130, first.output
    assert time.monotonic() - started < 4  # no waiting for the busy server's reply to QUIT
    assert isinstance(first.exception, SystemExit) and "Traceback" not in first.output
    # The server has the second message, though the client never heard so.
    assert len(box.received) == 2
    done, interrupted = (NR_BY_ADDRESS[address] for address in box.to_addresses())
    assert set(setup.sent_records()) == {done}
    assert set(setup.uncertain_records()) == {interrupted}
    assert f"{interrupted} {NAMES[interrupted]}: usikkert om e-posten kom fram" in first.output
    assert f"--leder {interrupted} --send-igjen" in first.output

    healthy = Mailbox()
    second = setup.cli("--send", "--ja", "--ingen-tls", "--smtp-vert", "127.0.0.1", "--smtp-port",
                       str(smtp_server(healthy)))

    assert second.exit_code == 0, second.output
    assert len(healthy.received) == 4
    assert Counter(box.to_addresses() + healthy.to_addresses()) == Counter(to for to, _cc in EXPECTED.values())
    assert set(setup.uncertain_records()) == {interrupted}


@pytest.mark.slow
def test_refused_resend_keeps_the_earlier_doubt(setup, smtp_server):
    interrupting = Mailbox(ok=0, mode="interrupt")
    with pytest.raises(Interrupted):
        send(setup.job(), ledere=["210"], host="127.0.0.1", port=smtp_server(interrupting),
             tls=False)
    earlier = setup.uncertain_records()["210"]
    assert earlier["message_id"] == interrupting.received[0][2]["Message-ID"]

    refusing = Mailbox(ok=0, mode="refuse")
    refused = send(setup.job(), ledere=["210"], send_igjen=True, host="127.0.0.1", port=smtp_server(refusing),
                   tls=False)
    assert refused.exit_code == 3
    assert "serveren avviste e-posten" in shown(refused)

    # The first message may still have arrived: a plain rerun must not send it again.
    assert refusing.refused == 1
    assert setup.uncertain_records() == {"210": earlier}
    assert not (setup.epost / SENT_FILE).exists()


# --- The kommunedirektør: the ordfører's mailbox and the political secretariat (the example) -----------------

# The example's kommunedirektør, his superior the ordfører, and a leader below him, as input/eksempel.xlsx has
# them; its sheet Kommune has Politisk sekretariat and Vedlegg til ordfører = nei.
KD, ORDFORER, KOMMUNALSJEF = "1001", "ingrid.saether@fjordvik.kommune.no", "1002"
KD_NAME, KD_ADDRESS = "Håkon Lie", "hakon.lie@fjordvik.kommune.no"
SEKRETARIAT = "politisk.sekretariat@fjordvik.kommune.no"
# E-mail texts that say what the two mail fields say (maler/ has the municipality's own wording).
EXAMPLE_EMAIL = (
    "Emne: Lederavtale {{ periode.ar }} – {{ leder.navn }}\n"
    "Hei {{ leder.fornavn }},\n"
    "{% if vedlegg_utelatt %}Vedlegget er ikke lagt ved denne e-posten; du får det av HR i avtalesamtalen.\n"
    "{% else %}Vedlegget er lagt ved.\n{% endif %}"
)
EXAMPLE_FOLLOW_UP_EMAIL = (
    "Emne: Oppfølgingssamtale {{ periode.ar }} – {{ leder.navn }}\n"
    "Hei {{ leder.fornavn }},\n"
    "Send de utfylte Word-filene til {% if politisk_sekretariat %}det politiske sekretariatet "
    "({{ politisk_sekretariat }}){% else %}HR{% endif %}: svar på denne e-posten.\n"
)


def example_templates(folder: Path) -> Path:
    """test_mail's small templates, with the files the example needs: the kommunedirektør's own agreement
    (column Mal) and the follow-up documents."""
    write_templates(folder, EXAMPLE_EMAIL)
    shutil.copy(folder / "lederavtale.docx", folder / "lederavtale_kommunedirektor.docx")
    shutil.copy(folder / "lederavtale.docx", folder / "oppfolging.docx")
    shutil.copy(folder / "vedlegg.docx", folder / "oppfolging_vedlegg.docx")
    (folder / "epost_oppfolging.txt").write_text(EXAMPLE_FOLLOW_UP_EMAIL, encoding="utf-8")
    return folder


def set_kommune(workbook: Path, **values) -> None:
    """Write Verdi of the sheet Kommune's fields named (Felt) in `values`; None empties it."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Kommune"]
    felt = {str(row[0].value).strip(): row[1] for row in ws.iter_rows(min_row=2) if row[0].value}
    for name, value in values.items():
        felt[name.replace("_", " ")].value = value
    wb.save(workbook)


@pytest.fixture(scope="module")
def example_made(tmp_path_factory) -> Path:
    """The example workbook with its agreements and follow-up documents made once (small templates, no PDF)."""
    from generator.commands.followup import follow_up

    root = example_folder(tmp_path_factory.mktemp("eksempel") / "prosjekt")
    example_templates(root / "maler")
    job = Job(root / "eksempel.xlsx", root / "ut", root / "maler")
    assert generate(job, pdf=False).exit_code == 0
    assert follow_up(Job(root / "eksempel.xlsx", root / "ut", root / "maler"), pdf=False).exit_code == 0
    return root


@pytest.fixture
def example(example_made, tmp_path, monkeypatch) -> Path:
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    root = tmp_path / "prosjekt"
    shutil.copytree(example_made, root)
    return root


def example_job(root: Path) -> Job:
    return Job(root / "eksempel.xlsx", root / "ut", root / "maler")


def example_draft(root: Path, nr: str, subfolder: str = "") -> email.message.EmailMessage:
    folder = root / "ut" / "2027" / "epost" / subfolder
    return parse(next(folder.glob(f"{nr} *.eml")))


@pytest.mark.slow
def test_the_kommunedirektors_appendix_is_not_mailed_to_the_ordforer_by_default(example):
    result = write_drafts(example_job(example))
    assert result.exit_code == 0, result.failures

    kd = example_draft(example, KD)
    assert [a.addr_spec for a in kd["To"].addresses] == [KD_ADDRESS]
    assert [a.addr_spec for a in kd["Cc"].addresses] == [ORDFORER]
    assert [a.get_filename() for a in kd.iter_attachments()] == [f"Lederavtale 2027 - {KD_NAME}.docx"]
    assert kd["Sensitivity"] is None  # nothing exempt in it
    body = kd.get_body(("plain",)).get_content()
    assert "Vedlegget er ikke lagt ved denne e-posten; du får det av HR i avtalesamtalen." in body
    # The run says it, and how the appendix is handed over instead.
    (line,) = [n for n in result.notices if n.startswith(f"{KD} {KD_NAME}: ")]
    assert "vedlegget (unntatt offentlighet) legges ikke ved e-posten, fordi ordføreren (Ingrid Sæther) får kopi" in line
    assert "Vedlegg til ordfører er nei (Kommune!B" in line and "på annen måte" in line
    assert f"{KD} {KD_NAME}: " in shown(result)
    # Every other leader's superior is a party's own mailbox: the appendix goes, and the text says so.
    other = example_draft(example, KOMMUNALSJEF)
    assert len(list(other.iter_attachments())) == 2 and other["Sensitivity"] == "Private"
    assert "Vedlegget er lagt ved." in other.get_body(("plain",)).get_content()
    assert [n for n in result.notices if "legges ikke ved" in n] == [line]


@pytest.mark.slow
def test_vedlegg_til_ordforer_ja_mails_the_appendix_as_before(example):
    set_kommune(example / "eksempel.xlsx", Vedlegg_til_ordfører="ja")
    result = write_drafts(example_job(example), [KD])
    assert result.exit_code == 0 and not [n for n in result.notices if "legges ikke ved" in n]
    kd = example_draft(example, KD)
    assert [a.addr_spec for a in kd["Cc"].addresses] == [ORDFORER]
    assert [a.get_filename() for a in kd.iter_attachments()] == [
        f"Lederavtale 2027 - {KD_NAME}.docx", f"Utviklingsmål 2027 - {KD_NAME} (unntatt offentlighet).docx"]
    assert kd["Sensitivity"] == "Private"
    assert "Vedlegget er lagt ved." in kd.get_body(("plain",)).get_content()


@pytest.mark.slow
def test_the_appendix_left_out_by_the_run_says_so_in_the_text_too(example):
    result = write_drafts(example_job(example), [KOMMUNALSJEF], uten_vedlegg=True)
    assert result.exit_code == 0
    draft = example_draft(example, KOMMUNALSJEF)
    assert len(list(draft.iter_attachments())) == 1
    assert "Vedlegget er ikke lagt ved denne e-posten" in draft.get_body(("plain",)).get_content()


@pytest.mark.slow
def test_sending_the_kommunedirektors_agreement_leaves_the_appendix_out_and_the_list_says_so(example, smtp_server):
    from generator.commands.email import send_plan

    todo = send_plan(example_job(example), [KD, KOMMUNALSJEF])
    assert todo.lines() == [
        f"{KD} {KD_NAME}: {KD_ADDRESS}, {ORDFORER} (uten vedlegget)",
        f"{KOMMUNALSJEF} Marit Bjørnstad: marit.bjornstad@fjordvik.kommune.no, {KD_ADDRESS}"]
    assert len(todo.merknader) == 1 and "legges ikke ved" in todo.merknader[0]
    box = Mailbox()
    result = send(example_job(example), [KD], host="127.0.0.1", port=smtp_server(box), tls=False)
    assert result.exit_code == 0, result.failures
    ((_f, rcpt_tos, message, _t),) = box.received
    assert sorted(rcpt_tos) == sorted([KD_ADDRESS, ORDFORER])
    assert [a.get_filename() for a in message.iter_attachments()] == [f"Lederavtale 2027 - {KD_NAME}.docx"]
    assert any(n.startswith(f"{KD} {KD_NAME}: vedlegget") for n in result.notices)


@pytest.mark.slow
def test_the_kommunedirektors_follow_up_goes_to_the_political_secretariat_not_the_ordforer(example, smtp_server):
    result = write_drafts(example_job(example), oppfolging=True)
    assert result.exit_code == 0, result.failures
    kd = example_draft(example, KD, "oppfolging")
    assert [a.addr_spec for a in kd["To"].addresses] == [KD_ADDRESS]
    assert [(a.display_name, a.addr_spec) for a in kd["Cc"].addresses] == [("Politisk sekretariat", SEKRETARIAT)]
    assert [a.addr_spec for a in kd["Reply-To"].addresses] == [SEKRETARIAT]  # replies go there, not to HR
    assert ORDFORER not in visible_text(kd)
    assert f"Send de utfylte Word-filene til det politiske sekretariatet ({SEKRETARIAT})" in visible_text(kd)
    assert any(n.startswith(f"{KD} {KD_NAME}: kopien går til det politiske sekretariatet ({SEKRETARIAT})")
               for n in result.notices)
    # His evaluation (the exempt appendix) does not go to the secretariat: the follow-up document alone.
    assert [a.get_filename() for a in kd.iter_attachments()] == [f"Oppfølgingssamtale 2027 - {KD_NAME}.docx"]
    assert kd["Sensitivity"] is None
    assert any(n.startswith(f"{KD} {KD_NAME}: vedlegget til oppfølgingssamtalen (unntatt offentlighet) legges ikke")
               for n in result.notices)
    # Everyone else: the superior in Cc, replies to HR, and the exempt appendix to the two of them, marked private.
    other = example_draft(example, KOMMUNALSJEF, "oppfolging")
    assert [a.addr_spec for a in other["Cc"].addresses] == [KD_ADDRESS] and other["Reply-To"] is None
    assert "Send de utfylte Word-filene til HR" in visible_text(other)
    assert [a.get_filename() for a in other.iter_attachments()] == [
        "Oppfølgingssamtale 2027 - Marit Bjørnstad.docx",
        "Oppfølgingssamtale 2027 - Marit Bjørnstad - vedlegg (unntatt offentlighet).docx"]
    assert other["Sensitivity"] == "Private"

    box = Mailbox()
    sent_now = send(example_job(example), [KD], oppfolging=True, host="127.0.0.1", port=smtp_server(box), tls=False)
    assert sent_now.exit_code == 0, sent_now.failures
    ((_f, rcpt_tos, message, _t),) = box.received
    assert sorted(rcpt_tos) == sorted([KD_ADDRESS, SEKRETARIAT])

    # Without a political secretariat, the ordfører is in copy as before, and replies go to HR.
    set_kommune(example / "eksempel.xlsx", Politisk_sekretariat=None)
    write_drafts(example_job(example), [KD], oppfolging=True)
    kd = example_draft(example, KD, "oppfolging")
    assert [a.addr_spec for a in kd["Cc"].addresses] == [ORDFORER] and kd["Reply-To"] is None
    assert "Send de utfylte Word-filene til HR" in visible_text(kd)


def test_an_exempt_document_goes_only_to_the_parties_own_mailboxes(tmp_path):
    """`addressing`, the rule behind both mailings: the kommunedirektør's (100) exempt document never goes to the
    political secretariat, and to the ordfører only with Vedlegg til ordfører = ja; everyone else's superior
    is a party's own mailbox."""
    from generator.documents.kinds import AGREEMENT, APPENDIX, FOLLOW_UP, FOLLOW_UP_APPENDIX
    from generator.mail.message import AGREEMENT_MAIL, FOLLOW_UP_MAIL, FOLLOW_UP_ONLY_MAIL, addressing, mail_context
    from generator.workbook import read_workbook

    def bok(*fields):
        sheets = basic_sheets()
        sheets["Kommune"] += [list(f) for f in fields]
        return read_workbook(write_xlsx(tmp_path / "a.xlsx", sheets))

    sekretariat = "politikk@testvik.kommune.no"
    # The follow-up mailing carries the follow-up conversation's exempt appendix (the evaluation).
    exempt_follow_up = FOLLOW_UP_MAIL
    assert FOLLOW_UP_MAIL.kinds == (FOLLOW_UP, FOLLOW_UP_APPENDIX) and FOLLOW_UP_MAIL.private
    with_secretariat = bok(["Politisk sekretariat", sekretariat])
    for mailing in (FOLLOW_UP_MAIL, FOLLOW_UP_ONLY_MAIL):
        where = addressing(with_secretariat, with_secretariat.leder("100"), mailing)
        assert (where.cc, where.reply_to, where.kinds) == (sekretariat, sekretariat, (FOLLOW_UP,))
        assert where.withheld == tuple(kind for kind in mailing.kinds if not kind.public)
        assert mail_context(with_secretariat, with_secretariat.leder("100"), mailing)["politisk_sekretariat"] == sekretariat
    # Vedlegg til ordfører = ja makes the ordfører's mailbox a party's own, never the secretariat's.
    ja = bok(["Politisk sekretariat", sekretariat], ["Vedlegg til ordfører", "ja"])
    assert addressing(ja, ja.leder("100"), exempt_follow_up).withheld == (FOLLOW_UP_APPENDIX,)
    assert addressing(ja, ja.leder("100"), AGREEMENT_MAIL).kinds == (AGREEMENT, APPENDIX)
    nei = bok()
    where = addressing(nei, nei.leder("100"), AGREEMENT_MAIL)
    assert (where.cc, where.kinds, where.withheld) == ("ordforer@testvik.kommune.no", (AGREEMENT,), (APPENDIX,))
    assert mail_context(nei, nei.leder("100"))["vedlegg_utelatt"] is True
    # The agreement's mail does not go to the secretariat, and nobody else's is touched.
    assert addressing(with_secretariat, with_secretariat.leder("100"), AGREEMENT_MAIL).cc == "ordforer@testvik.kommune.no"
    for nr in ("200", "210", "211"):
        for mailing in (AGREEMENT_MAIL, exempt_follow_up):
            where = addressing(with_secretariat, with_secretariat.leder(nr), mailing)
            assert where.kinds == mailing.kinds and where.withheld == () and where.reply_to == ""
        assert mail_context(nei, nei.leder(nr))["vedlegg_utelatt"] is False
