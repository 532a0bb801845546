"""The page E-post beyond the first sending: a reminder to the leaders who have not signed, the agreement again
to one leader, and the follow-up document from the page Oppfølging og status.

The real `lederavtale web` in a subprocess (test_web.Server) on the bundled example, aiosmtpd on 127.0.0.1 as
the e-mail server (saved in the output folder's settings, as the page Innstillinger saves them), and the
checks open the messages the server took. Each sending goes through the confirmation page and carries the
digest of the list HR saw.
"""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from test_web import YEAR, Server, csrf_of, free_port_smtp, generated_example, wait_for_job

from generator.cli import main
from generator.signing.record import E_SIGNATURE, SIGNED, LeaderSigned, SignedDocument, save_signed
from generator.store.settings import Innstillinger, save as save_settings
from generator.workbook import read_workbook

SIGNED_LEADER = "1002"  # has a signed copy in signert.json: no reminder
AGAIN = "1003"  # gets the agreement a second time


class Mailbox:
    def __init__(self):
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def attachments(message) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]


def ready(shown: str) -> int:
    """How many messages the confirmation page says are ready to go."""
    return int(re.search(r"Klar til å sende (\d+) e-post", shown)[1])


def confirm_and_send(hr, form: dict) -> str:
    """Through the confirmation page, as HR: the list shown, then «Send nå» with what the page carried."""
    page = hr.get("/epost").text
    shown = hr.post("/epost/bekreft", data={"csrf": csrf_of(page), **form})
    assert shown.status_code == 200, shown.text[:500]
    assert "Klar til å sende" in shown.text
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                              shown.text[shown.text.index('action="/epost/send"'):]))
    sent = hr.post("/epost/send", data=carried, follow_redirects=False)
    assert sent.status_code == 303
    wait_for_job(hr)
    return shown.text


@pytest.mark.slow
def test_reminder_resend_and_follow_up_from_the_pages(tmp_path):
    root = generated_example(tmp_path)
    made = CliRunner().invoke(main, ["oppfolging", str(root / "eksempel.xlsx"), "--ut", str(root / "ut"),
                                     "--ingen-pdf"])
    assert made.exit_code == 0, made.output
    copy = SignedDocument(fil="x (signert).pdf", sha256="0" * 64, type=E_SIGNATURE, dato="2027-02-01",
                          dokument_id="", status=SIGNED)
    save_signed(root / "ut" / YEAR / "signert.json", {SIGNED_LEADER: LeaderSigned(avtale=copy)})
    box = Mailbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port_smtp())
    smtp.start()
    save_settings(root / "ut", Innstillinger(smtp_vert="127.0.0.1", smtp_port=smtp.port, smtp_tls=False))
    server = Server(root)
    try:
        hr = server.client()
        assert hr.get(server.url).status_code == 303
        page = hr.get("/epost").text
        assert "Påminnelse om å signere" in page
        waiting = re.search(r"(\d+) ledere har fått avtalen laget, men ikke signert", page)
        assert waiting, page
        # The reminder: to every leader not signed, the agreement only, the superior on copy.
        shown = confirm_and_send(hr, {"hva": "paminnelse"})
        assert "Bekreft sending av påminnelsen" in shown
        reminders = list(box.received)
        assert len(reminders) == ready(shown) <= int(waiting[1])  # a leader without an address is named, not sent
        assert all(len(attachments(m)) == 1 and "Vedlegg" not in attachments(m)[0] for m in reminders)
        assert all(m["Cc"] for m in reminders if "Ordfører" not in str(m["To"]))
        # By the address the reminder went to (the message's text would also hold base64, in which any four
        # digits may turn up).
        signed_address = read_workbook(root / "eksempel.xlsx").leder(SIGNED_LEADER).epost
        assert signed_address and not any(signed_address in str(m["To"]) for m in reminders)
        assert "påminnet" in hr.get("/epost").text
        assert "påminnet" in hr.get("/").text  # the overview's Signert cell
        # A leader's own page offers both for that leader; a leader who has signed gets no reminder button.
        assert 'value="paminnelse"><input type="hidden" name="leder" value="%s">' % AGAIN in hr.get(f"/leder/{AGAIN}").text
        signed_page = hr.get(f"/leder/{SIGNED_LEADER}").text
        assert "Send avtalen på nytt" in signed_page and 'value="paminnelse"' not in signed_page
        # The agreement again to one leader, although it was never sent before or was: only that leader.
        box.received.clear()
        shown = confirm_and_send(hr, {"hva": "avtale", "leder": AGAIN})
        assert "sendes på nytt til denne lederen" in shown
        assert len(box.received) == 1
        assert len(attachments(box.received[0])) == 2  # the agreement and the appendix, to the parties only
        # The follow-up document, offered on the page Oppfølging og status.
        box.received.clear()
        follow_up_page = hr.get("/oppfolging").text
        assert "Send oppfølgingsdokumentet på e-post" in follow_up_page
        assert "Hver leder får sitt oppfølgingsdokument og vedlegget til samtalen (unntatt offentlighet)" in follow_up_page
        shown = confirm_and_send(hr, {"hva": "oppfolging"})
        assert "Bekreft sending av oppfølgingsdokumentet" in shown
        assert len(box.received) == ready(shown) >= 10
        # The follow-up document, and its exempt appendix to the leader and the superior; the kommunedirektør's
        # copy goes to the political secretariat, and so without his (the evaluation).
        assert all(attachments(m)[0].startswith("Oppfølgingssamtale") for m in box.received)
        exempt = [m for m in box.received if len(attachments(m)) == 2]
        assert len(exempt) == len(box.received) - 1
        assert all("vedlegg (unntatt offentlighet)" in attachments(m)[1] and m["Sensitivity"] == "Private"
                   for m in exempt)
        (kd,) = [m for m in box.received if len(attachments(m)) == 1]
        assert "Politisk sekretariat" in str(kd["Cc"]) and kd["Sensitivity"] is None
        assert "har fått det allerede" in hr.get("/oppfolging").text
        hr.close()
    finally:
        server.stop()
        smtp.stop()
