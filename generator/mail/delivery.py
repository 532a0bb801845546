"""Sending over SMTP: what is still to send (`plan`), then one connection, every message's every
step recorded, at most once each (`deliver`).

A message is marked in usikker.json before the server sees it and moved to sendt.json when the
server has accepted it (`records.py`); what stops the run in between leaves it as uncertain.
Both return what they found or did; only Ctrl-C raises (`Interrupted`), naming a message that
may have been delivered.

A mailing that repeats (the reminder) is sent in rounds, and a round is one day: a send record or an
uncertain mark from today holds a leader back exactly as it does for the agreement, one from an earlier
day does not. So a second reminder a week later goes to every chosen leader again, while a run that
stopped halfway (a crash, Ctrl-C, a refusing server) is finished by running it again the same day,
without sending twice to anyone who already has today's reminder or may have it. No round has to be
opened or closed, and the records stay those of every other mailing (each accepted send is kept, see
`records.py`). `send_igjen` sends to the chosen leaders even so.
"""

from __future__ import annotations

import smtplib
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..exceptions import Interrupted
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..progress import Progress
from ..store.manifest import LeaderEntry
from ..store.year import SENT_FILE, UNCERTAIN_FILE
from .message import AGREEMENT_MAIL, Epost, Mailing, MailTemplate, label, prepare_messages
from .records import Records, RecordsUnwritable, read_records, record
from .smtp import Connection, ConnectionLost, SmtpSettings, refusal
from ..advice import advice


@dataclass
class SendPlan:
    """What a send run is about to do, shown to the user before anything goes out."""

    utkast: list[Epost]
    tidligere: list[Leder]  # skipped: sent before
    usikre: list[Leder]  # skipped: an earlier outcome is unknown
    advarsler: list[str] = field(default_factory=list)  # found while planning; the user sees them before saying yes
    failures: list[str] = field(default_factory=list)  # leaders whose documents are missing

    def lines(self) -> list[str]:
        """One line per message: the leader and the addresses, and an exempt document it leaves out."""
        return [f"{label(e.leder)}: {', '.join(e.recipients)}"
                + (f" (uten {' og '.join(kind.navn[0] for kind in e.withheld)})" if e.withheld else "")
                for e in self.utkast]

    @property
    def merknader(self) -> list[str]:
        """What HR must know of the messages before they go: an exempt document left out and how it is
        handed over instead, a copy to the political secretariat (`Epost.notices`)."""
        return [notice for e in self.utkast for notice in e.notices]

    @property
    def digest(self) -> str:
        """One value for exactly this list of leaders and addresses: what a confirmation page carries back,
        so that a list HR did not see (a leader or an address added since) is never sent, at any size."""
        return hashlib.sha256("\n".join(sorted(self.lines())).encode("utf-8")).hexdigest()


@dataclass
class Delivered:
    """What one sending did: the leaders whose message the server took, and a line for each
    message that did not go out (or may have)."""

    sendt: list[Leder] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def plan(
    bok: Arbeidsbok,
    folder: Path,
    mappe: Path,
    entries: dict[str, LeaderEntry],
    template: MailTemplate,
    chosen: list[Leder],
    send_igjen: bool,
    mailing: Mailing = AGREEMENT_MAIL,
    sender: str | None = None,
    today: date | None = None,
) -> SendPlan:
    """The messages still to send from the mailing's folder `mappe` (read while holding the RunLock);
    `sender` replaces the sheet Kommune's Avsender. For a mailing that repeats, only records from `today`
    (None: the clock's) hold a leader back (see the module's docstring)."""
    sent = read_records(mappe / SENT_FILE)
    uncertain = read_records(mappe / UNCERTAIN_FILE)
    if mailing.repeats:
        day = today or date.today()
        sent = {nr: r for nr, r in sent.items() if _this_round(r, day)}
        uncertain = {nr: r for nr, r in uncertain.items() if _this_round(r, day)}
    earlier, unknown, pending, warnings = [], [], [], []
    for leder in chosen:
        if not send_igjen and leder.ansattnr in sent:
            earlier.append(leder)
        elif not send_igjen and leder.ansattnr in uncertain:
            unknown.append(leder)
            warnings.append(
                f"{label(leder)}: usikkert om forrige e-post kom fram; den sendes ikke på nytt. "
                f"Kontroller med mottakeren, og {advice(mailing.resend_advice, leder.ansattnr)} om den mangler."
            )
        else:
            pending.append(leder)
    messages, failures = prepare_messages(bok, pending, folder, entries, template, False, warnings.append, mailing,
                                          sender)
    return SendPlan(messages, earlier, unknown, warnings, failures)


def _this_round(record: dict, day: date) -> bool:
    """Whether a repeating mailing's record is from `day`'s round (or later). A time that cannot be read
    counts as today's: holding one leader back is better than sending twice."""
    try:
        return datetime.fromisoformat(str(record.get("tid"))).date() >= day
    except ValueError:
        return True


def deliver(messages: list[Epost], settings: SmtpSettings, mappe: Path, progress: Progress | None,
            mailing: Mailing = AGREEMENT_MAIL) -> Delivered:
    """Send the messages over one connection, recording each one's every step in `mappe`."""
    records = Records(mappe, history=mailing.repeats)
    delivery = Delivered()
    stopped = ""  # why the remaining messages are not sent
    connection = Connection(settings)
    epost = None
    try:
        for done, epost in enumerate(messages, 1):
            who = label(epost.leder)
            stopped = stopped or connection.broken
            if stopped:
                delivery.failures.append(f"{who}: ikke sendt ({stopped})")
            else:
                try:
                    _deliver_one(connection, epost, records, delivery, mailing)
                except RecordsUnwritable as exc:
                    # Without records, a rerun could not know what went out.
                    delivery.failures.append(f"{who}: {exc}")
                    stopped = f"sendingen ble stoppet fordi «{exc.path}» ikke kan skrives"
            if progress:
                progress("Sender e-post", done, len(messages))
    except KeyboardInterrupt:
        connection.close(wait=False)
        lines = [f"Avbrutt. {antall(len(delivery.sendt), 'e-post', 'e-poster')} er sendt i denne kjøringen og "
                 f"registrert i «{records.sent_path}»."]
        if epost is not None and epost.leder.ansattnr in records.uncertain_records:
            lines.append(_uncertain(epost, f"avbrutt mens den ble sendt; se «{records.uncertain_path}»", mailing))
        lines.append(f"{advice('igjen')} for å sende resten.")
        raise Interrupted("\n".join(lines)) from None
    finally:
        connection.close()
    return delivery


def _deliver_one(connection: Connection, epost: Epost, records: Records, delivery: Delivered,
                 mailing: Mailing) -> None:
    who, nr = label(epost.leder), epost.leder.ansattnr
    # Marked as maybe delivered before the server sees it: if the run dies before the
    # server's answer is recorded, a rerun does not send it again.
    records.in_flight(nr, record(epost, epost.recipients))
    try:
        refused = connection.transmit(epost)
    except smtplib.SMTPException as exc:
        records.not_sent(nr)
        delivery.failures.append(f"{who}: serveren avviste e-posten ({refusal(exc)})")
        return
    except ConnectionLost as lost:
        connection.reopen(str(lost))
        if lost.uncertain:
            delivery.failures.append(_uncertain(epost, str(lost), mailing))
            return
        records.not_sent(nr)
        delivery.failures.append(f"{who}: ikke sendt ({lost})")
        return
    records.sent(nr, record(epost, [a for a in epost.recipients if a not in refused]))
    delivery.sendt.append(epost.leder)
    delivery.failures += [f"{who}: sendt, men serveren avviste mottakeren {a} ({reason})"
                          for a, reason in refused.items()]


def _uncertain(epost: Epost, why: str, mailing: Mailing) -> str:
    nr = epost.leder.ansattnr
    return (f"{label(epost.leder)}: usikkert om e-posten kom fram ({why}). Den sendes ikke på nytt automatisk; "
            f"kontroller, og {advice(mailing.resend_advice, nr)} om den mangler.")
