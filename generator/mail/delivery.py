"""Sending over SMTP: one connection, every message's every step recorded, at most once each.

A message is marked in usikker.json before the server sees it and moved to sendt.json when the
server has accepted it (`records.py`); what stops the run in between leaves it as uncertain.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import Interrupted
from ..plural import antall
from ..progress import Progress
from .message import Epost, label
from .records import Records, RecordsUnwritable, record
from .smtp import Connection, ConnectionLost, SmtpSettings, refusal


@dataclass
class Delivered:
    sendt: list[str] = field(default_factory=list)  # Ansattnr the server accepted
    failures: list[str] = field(default_factory=list)


def deliver(messages: list[Epost], settings: SmtpSettings, mappe: Path, progress: Progress | None) -> Delivered:
    """Send the messages over one connection, recording each one's every step in `mappe`."""
    records = Records(mappe)
    result = Delivered()
    failures = result.failures
    stopped = ""  # why the remaining messages are not sent
    connection = Connection(settings)
    epost = None
    try:
        for done, epost in enumerate(messages, 1):
            who = label(epost.leder)
            stopped = stopped or connection.broken
            if stopped:
                failures.append(f"{who}: ikke sendt ({stopped})")
            else:
                try:
                    failures += _deliver_one(connection, epost, records, result)
                except RecordsUnwritable as exc:
                    # Without records, a rerun could not know what went out.
                    failures.append(f"{who}: {exc}")
                    stopped = f"sendingen ble stoppet fordi «{exc.path}» ikke kan skrives"
            if progress:
                progress("Sender e-post", done, len(messages))
    except KeyboardInterrupt:
        connection.close(wait=False)
        lines = [f"Avbrutt. {antall(len(result.sendt), 'e-post', 'e-poster')} er sendt i denne kjøringen og registrert i «{records.sent_path}»."]
        if epost is not None and epost.leder.ansattnr in records.uncertain_records:
            lines.append(_uncertain(epost, f"avbrutt mens den ble sendt; se «{records.uncertain_path}»"))
        lines.append("Kjør samme kommando igjen for å sende resten.")
        raise Interrupted("\n".join(lines)) from None
    finally:
        connection.close()
    return result


def _deliver_one(connection: Connection, epost: Epost, records: Records, result: Delivered) -> list[str]:
    who, nr = label(epost.leder), epost.leder.ansattnr
    # Marked as maybe delivered before the server sees it: if the run dies before the
    # server's answer is recorded, a rerun does not send it again.
    records.in_flight(nr, record(epost, epost.recipients))
    try:
        refused = connection.transmit(epost)
    except smtplib.SMTPException as exc:
        records.not_sent(nr)
        return [f"{who}: serveren avviste e-posten ({refusal(exc)})"]
    except ConnectionLost as lost:
        connection.reopen(str(lost))
        if lost.uncertain:
            return [_uncertain(epost, str(lost))]
        records.not_sent(nr)
        return [f"{who}: ikke sendt ({lost})"]
    records.sent(nr, record(epost, [a for a in epost.recipients if a not in refused]))
    result.sendt.append(nr)
    return [f"{who}: sendt, men serveren avviste mottakeren {a} ({reason})" for a, reason in refused.items()]


def _uncertain(epost: Epost, why: str) -> str:
    nr = epost.leder.ansattnr
    return (f"{label(epost.leder)}: usikkert om e-posten kom fram ({why}). Den sendes ikke på nytt automatisk; "
            f"kontroller, og bruk --leder {nr} --send-igjen om den mangler.")
