"""`lederavtale epost --paminnelse`: the reminder to leaders whose agreement is not signed yet.

The documents come from the real pipeline (test_mail's small templates), the server is aiosmtpd on
127.0.0.1 in this process, and the checks open what the code wrote: the .eml files, the messages the
server took, epost/paminnelse/sendt.json. In conftest.BASIC, 100 and 200 have a date in the column
Signert, and 320 has no address; a test marks more as signed in signert.json.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from conftest import GOAL_TEXT, basic_sheets
from test_mail import (EXPECTED, NAMES, NR_BY_ADDRESS, SENDER, Mailbox, Setup, docx_text, free_port, parse, sent,
                       visible_text)

from generator.advice import TERMINAL, words
from generator.commands.email import (STATUS_REMINDED_TODAY, EpostOptions, epost, reminder_leaders, reminders_sent,
                                      send, send_plan, write_drafts)
from generator.exceptions import OptionError
from generator.job import Job
from generator.mail.records import SENT_FILE, UNCERTAIN_FILE
from generator.signing.record import (E_SIGNATURE, PARTLY_SIGNED, SIGNED, LeaderSigned, SignedDocument, save_signed,
                                      unsigned)
from generator.store.settings import Innstillinger, save as save_settings

# Not signed: 300, 210 and 211 get a reminder (320 has no address); 100 and 200 have a date in the
# workbook, 310 a signed copy, 211 a partly signed one (which counts as not signed).
REMINDED = ("300", "210", "211")


def _signed(status: str) -> LeaderSigned:
    copy = SignedDocument(fil="x (signert).pdf", sha256="0" * 64, type=E_SIGNATURE, dato="2027-02-01",
                          dokument_id="", status=status)
    return LeaderSigned(avtale=copy)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Setup:
    return Setup(tmp_path_factory.mktemp("paminnelse") / "prosjekt").generate()


@pytest.fixture
def setup(generated, tmp_path, monkeypatch) -> Setup:
    """A fresh copy of the generated documents, with 310 signed and 211 partly signed in signert.json."""
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    project = generated.copy(tmp_path / "prosjekt")
    save_signed(project.year / "signert.json", {"310": _signed(SIGNED), "211": _signed(PARTLY_SIGNED)})
    project.reminders = project.epost / "paminnelse"
    return project


@pytest.fixture
def smtp_server():
    controllers = []

    def start(handler) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()


def later(setup: Setup, days: int) -> Job:
    return Job(setup.workbook, setup.ut, setup.maler, today=date.today() + timedelta(days=days))


def reminder_records(setup: Setup) -> dict:
    return json.loads((setup.reminders / SENT_FILE).read_text(encoding="utf-8"))


# --- Who --------------------------------------------------------------------------------------


def test_unsigned_is_the_overview_rule_a_recorded_copy_decides_over_the_workbook_date(setup):
    job = setup.job()
    order = [leder.ansattnr for leder in job.bok.avtaleledere()]

    def in_order(*numbers):
        return [nr for nr in order if nr in numbers]

    assert [leder.ansattnr for leder in unsigned(job.bok, job.year)] == in_order("300", "210", "320", "211")
    # A partly signed copy of 200's agreement: not signed, though the workbook has a date.
    save_signed(setup.year / "signert.json", {"310": _signed(SIGNED), "211": _signed(PARTLY_SIGNED),
                                              "200": _signed(PARTLY_SIGNED)})
    assert [leder.ansattnr for leder in unsigned(job.bok, job.year)] == in_order("200", "300", "210", "320", "211")
    # 320 has no address, but is one to remind (a warning when the mail is made); a named signed leader is not.
    assert [leder.ansattnr for leder in reminder_leaders(job)] == in_order("200", "300", "210", "320", "211")
    assert [leder.ansattnr for leder in reminder_leaders(job, ["310", "210"])] == ["210"]


# --- Sending ------------------------------------------------------------------------------------


def test_reminder_goes_to_the_unsigned_leaders_with_the_agreement_alone(setup, smtp_server):
    setup.epost.mkdir(parents=True)
    agreement_records = json.dumps({"210": {"message_id": "<1@testvik.kommune.no>", "tid": "2027-01-10T09:00:00+01:00",
                                            "mottakere": list(EXPECTED["210"])}}).encode("utf-8")
    (setup.epost / SENT_FILE).write_bytes(agreement_records)

    box = Mailbox()
    result = send(setup.job(), paminnelse=True, host="127.0.0.1", port=smtp_server(box), tls=False)

    assert result.exit_code == 0, result.failures
    assert sorted(sent(result)) == sorted(REMINDED)
    assert sorted(NR_BY_ADDRESS[a] for a in box.to_addresses()) == sorted(REMINDED)
    assert result.summary == ["Ferdig: 3 påminnelser sendt."]
    # The test's template folder predates the reminder: the tool's own text, and it says so.
    assert "Malmappen har ingen epost_paminnelse.txt; e-posten har verktøyets egen tekst." in result.notices
    for mail_from, rcpt_tos, message, _tls in box.received:
        nr = NR_BY_ADDRESS[message["To"].addresses[0].addr_spec]
        to, cc = EXPECTED[nr]
        assert mail_from == SENDER and sorted(rcpt_tos) == sorted((to, cc))
        assert [a.addr_spec for a in message["Cc"].addresses] == [cc]
        assert message["Subject"] == f"Påminnelse: lederavtale 2027 – {NAMES[nr]}"
        assert message["Sensitivity"] is None
        assert "ikke er signert ennå" in message.get_body(("plain",)).get_content()
        (attachment,) = message.iter_attachments()
        assert attachment.get_filename() == f"Lederavtale 2027 - {NAMES[nr]}.docx"
        assert attachment.get_content() == setup.docx_on_disk(nr)[attachment.get_filename()]
        assert GOAL_TEXT not in visible_text(message) + docx_text(attachment.get_content())
    records = reminder_records(setup)
    assert sorted(records) == sorted(REMINDED)
    assert all(records[nr]["tid"][:10] == date.today().isoformat() for nr in REMINDED)
    # The reminder never counts as the agreement's mail.
    assert (setup.epost / SENT_FILE).read_bytes() == agreement_records
    assert not list(setup.reminders.glob("*.eml"))


@pytest.mark.slow
def test_a_reminder_is_sent_once_a_day_and_again_a_week_later_with_both_times_kept(setup, smtp_server):
    first = Mailbox()
    send(setup.job(), paminnelse=True, host="127.0.0.1", port=smtp_server(first), tls=False)
    first_times = {nr: r["tid"] for nr, r in reminder_records(setup).items()}

    same_day = Mailbox()
    again = send(setup.job(), paminnelse=True, host="127.0.0.1", port=smtp_server(same_day), tls=False)
    assert same_day.received == [] and sent(again) == []
    assert sorted(i.ansattnr for i in again.items if i.status == STATUS_REMINDED_TODAY) == sorted(REMINDED)
    assert "3 ledere har fått påminnelsen i dag og er hoppet over" in again.summary[1]

    week = Mailbox()
    result = send(later(setup, 7), paminnelse=True, host="127.0.0.1", port=smtp_server(week), tls=False)
    assert sorted(sent(result)) == sorted(REMINDED)
    assert sorted(NR_BY_ADDRESS[a] for a in week.to_addresses()) == sorted(REMINDED)
    records = reminder_records(setup)
    for nr in REMINDED:
        assert records[nr]["tidligere"] == [first_times[nr]]
        assert records[nr]["message_id"] == next(m["Message-ID"] for _f, _r, m, _t in week.received
                                                 if NR_BY_ADDRESS[m["To"].addresses[0].addr_spec] == nr)
        assert reminders_sent(setup.job().year)[nr] == [first_times[nr], records[nr]["tid"]]
    assert not (setup.epost / SENT_FILE).exists()  # the agreement's mail: still never sent

    # Named and sent again the same day: --send-igjen.
    forced = Mailbox()
    send(later(setup, 7), ["210"], True, paminnelse=True, host="127.0.0.1", port=smtp_server(forced), tls=False)
    assert forced.to_addresses() == [EXPECTED["210"][0]]
    assert len(reminders_sent(setup.job().year)["210"]) == 3


def test_a_stopped_round_is_finished_the_same_day_without_sending_twice(setup, smtp_server):
    refusing = Mailbox(ok=1, mode="refuse")
    stopped = send(setup.job(), paminnelse=True, host="127.0.0.1", port=smtp_server(refusing), tls=False)
    assert stopped.exit_code == 3 and len(refusing.received) == 1
    assert words(stopped.failures[-2], TERMINAL) == (
        f"1 påminnelse er sendt i denne kjøringen og registrert i «{setup.reminders / SENT_FILE}».")

    healthy = Mailbox()
    rest = send(setup.job(), paminnelse=True, host="127.0.0.1", port=smtp_server(healthy), tls=False)
    assert rest.exit_code == 0 and len(healthy.received) == 2
    assert Counter(refusing.to_addresses() + healthy.to_addresses()) == Counter(EXPECTED[nr][0] for nr in REMINDED)


def test_the_confirmation_plan_holds_back_only_todays_uncertain_reminder(setup, smtp_server):
    setup.reminders.mkdir(parents=True)
    yesterday = (datetime.now().astimezone() - timedelta(days=1)).isoformat(timespec="seconds")
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    (setup.reminders / UNCERTAIN_FILE).write_text(json.dumps({
        "210": {"message_id": "<1@x>", "tid": yesterday, "mottakere": []},
        "300": {"message_id": "<2@x>", "tid": now, "mottakere": []}}), encoding="utf-8")

    todo = send_plan(setup.job(), paminnelse=True)

    assert [e.leder.ansattnr for e in todo.utkast] == ["210", "211"]
    assert [l.ansattnr for l in todo.usikre] == ["300"]
    (warning,) = [w for w in todo.advarsler if w.startswith("300")]
    assert "send med --paminnelse --leder 300 --send-igjen" in words(warning, TERMINAL)
    assert "210 Øystein Sykehjem: oystein@testvik.kommune.no, per@testvik.kommune.no" in todo.lines()

    # The digest the page carries back is what `send` checks: the same list goes out.
    box = Mailbox()
    result = send(setup.job(), paminnelse=True, host="127.0.0.1", port=smtp_server(box), tls=False,
                  confirm=lambda plan: plan.digest == todo.digest)
    assert sorted(sent(result)) == ["210", "211"]
    assert json.loads((setup.reminders / UNCERTAIN_FILE).read_text(encoding="utf-8")).keys() == {"300"}


# --- Drafts, options and texts ------------------------------------------------------------------


def test_drafts_for_the_named_unsigned_leaders_in_their_own_folder(setup):
    (setup.maler / "epost_paminnelse.txt").write_text(
        "Emne: Husk å signere lederavtalen {{ periode.ar }}\nHei {{ leder.navn }}, avtalen med "
        "{{ overordnet.navn }} mangler signatur.\n", encoding="utf-8")

    result = setup.cli("--paminnelse", "--leder", "310", "--leder", "210")

    assert result.exit_code == 0, result.output
    assert "310 Liv Skole har signert avtalen og får ingen påminnelse." in result.output
    assert "verktøyets egen tekst" not in result.output
    assert [p.name for p in setup.reminders.glob("*.eml")] == ["210 Øystein Sykehjem.eml"]
    assert not list(setup.epost.glob("*.eml"))  # no agreement drafts
    message = parse(setup.reminders / "210 Øystein Sykehjem.eml")
    assert message["X-Unsent"] == "1"
    assert message["Subject"] == "Husk å signere lederavtalen 2027"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["per@testvik.kommune.no"]
    body = message.get_body(("plain",)).get_content()
    assert "Hei Øystein Sykehjem, avtalen med Per Helse mangler signatur." in body
    assert [a.get_filename() for a in message.iter_attachments()] == ["Lederavtale 2027 - Øystein Sykehjem.docx"]
    assert not (setup.reminders / SENT_FILE).exists()


def test_the_text_stored_on_the_settings_page_replaces_the_file(setup):
    save_settings(setup.ut, Innstillinger(epost_paminnelse_tekst="Emne: Påminnelse fra HR\nHei {{ leder.fornavn }}\n"))
    result = write_drafts(setup.job(), ["300"], paminnelse=True)
    assert result.exit_code == 0 and result.notices == []
    assert parse(setup.reminders / "300 Åse Oppvekst.eml")["Subject"] == "Påminnelse fra HR"


@pytest.mark.parametrize("args, options, message", [
    (["--paminnelse", "--oppfolging"], EpostOptions(paminnelse=True, oppfolging=True),
     "--paminnelse og --oppfolging kan ikke brukes sammen (påminnelsen gjelder avtalen som ikke er signert, "
     "ikke oppfølgingen)."),
    (["--paminnelse", "--uten-vedlegg"], EpostOptions(paminnelse=True, uten_vedlegg=True),
     "--paminnelse og --uten-vedlegg kan ikke brukes sammen (påminnelsen har aldri vedlegget)."),
])
def test_paminnelse_with_another_mailing_is_a_usage_error(setup, args, options, message):
    result = setup.cli(*args)
    assert result.exit_code == 2, result.output
    assert result.output.count(message) == 1
    with pytest.raises(OptionError, match=re.escape(message)):
        epost(setup.job(), options)
    assert not setup.epost.exists()


@pytest.mark.slow
@pytest.mark.parametrize("malform, subject, says", [
    ("bokmål", "Påminnelse: lederavtale 2027 – Øystein Sykehjem", "ikke er signert ennå"),
    ("nynorsk", "Påminning: leiaravtale 2027 – Øystein Sykehjem", "ikkje er underskriven enno"),
])
def test_the_tools_reminder_text_in_the_workbooks_malform(tmp_path, malform, subject, says):
    sheets = basic_sheets()
    sheets["Kommune"].append(["Målform", malform])
    project = Setup(tmp_path, sheets).generate()

    write_drafts(Job(project.workbook, project.ut, project.maler), ["210"], paminnelse=True)

    message = parse(project.epost / "paminnelse" / "210 Øystein Sykehjem.eml")
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"] == subject
    assert says in body and "Per Helse" in body and "Testvik kommune" in body
    # As the agreement's mail: nothing is to come back by e-mail.
    sentences = re.split(r"[.!?:]\s+|\n+", body)
    assert [s for s in sentences if re.search(r"\b(send|returner)|tilbake", s, re.IGNORECASE)] == []
    assert re.search(r"\bikkj?e på e-post\b", body)
    if malform == "nynorsk":
        assert not re.search(r"\b(ikke|hvis|hvilke|fra|et|vennlig|enige|påminnelse)\b", body, re.IGNORECASE)
