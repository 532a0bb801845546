"""`epost`: e-mail drafts (.eml) for each leader's documents, or resumable sending over SMTP."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import jinja2

from ..exceptions import MailError, PartialFailure
from ..mail.message import Epost, Warn, label, load_template, prepare_messages
from ..mail.records import EPOST_DIR, SENT_FILE, UNCERTAIN_FILE, Records, read_records, record
from ..mail.smtp import DEFAULT_TIMEOUT, Connection, ConnectionLost, SmtpSettings, refusal, smtp_settings
from ..model import Arbeidsbok, Leder
from ..progress import Progress
from ..store.files import atomic_write_bytes, safe_filename
from ..store.lock import RunLock
from ..store.manifest import LeaderEntry
from ..store.year import load_generated, require_generated, year_dir
from ..workbook import read_workbook
from ..workbook.selection import select_leaders


@dataclass
class DraftResult:
    mappe: Path  # <ut>/<år>/epost
    skrevet: list[Path] = field(default_factory=list)
    advarsler: list[str] = field(default_factory=list)


@dataclass
class SendResult:
    sendt: list[str] = field(default_factory=list)  # Ansattnr accepted in this run
    tidligere: list[str] = field(default_factory=list)  # "<Ansattnr> <Navn>" skipped: sent before
    advarsler: list[str] = field(default_factory=list)
    avbrutt: bool = False  # the user said no at the confirmation


@dataclass
class SendPlan:
    """What a send run is about to do, shown to the user before anything goes out."""

    utkast: list[Epost]
    tidligere: list[str]  # labels of leaders skipped because they were sent before
    usikre: list[str]  # labels of leaders skipped because an earlier outcome is unknown

    def lines(self) -> list[str]:
        return [f"{label(e.leder)}: {', '.join(e.recipients)}" for e in self.utkast]


def antall(n: int) -> str:
    return f"{n} e-post" if n == 1 else f"{n} e-poster"


# --- Drafts -------------------------------------------------------------------------------


def write_drafts(
    workbook: Path,
    ut: Path = Path("output"),
    ledere: Iterable[str] = (),
    maler: Path | None = None,
    warn: Warn | None = None,
) -> DraftResult:
    """Write `<ut>/<år>/epost/<Ansattnr> <Navn>.eml` for each chosen leader with an address.

    Raises PartialFailure (exit 3) after writing the others when a leader's documents
    are missing.
    """
    bok = read_workbook(Path(workbook))
    folder = year_dir(bok, ut)
    result = DraftResult(mappe=folder / EPOST_DIR)
    warn = _collecting(result.advarsler, warn)
    chosen = select_leaders(bok, tuple(str(nr) for nr in ledere))
    template = load_template(bok, maler)
    require_generated(folder, workbook, "epost")
    if not bok.kommune.avsender.strip():
        warn("Arket Kommune har ingen Avsender; utkastene får ingen avsenderadresse (From)")
    # generer must not rewrite the documents while they are read.
    with RunLock(folder):
        entries = load_generated(folder, workbook, "epost")
        messages, failures = prepare_messages(bok, chosen, folder, entries, template, True, warn)
        for epost in messages:
            path = result.mappe / f"{safe_filename(label(epost.leder))}.eml"
            atomic_write_bytes(path, epost.as_bytes())
            result.skrevet.append(path)
    if failures:
        raise PartialFailure(
            failures + [f"{len(result.skrevet)} e-postutkast er skrevet til «{result.mappe}»."],
            heading="Noen e-postutkast ble ikke laget:",
        )
    return result


def _collecting(into: list[str], warn: Warn | None) -> Warn:
    def collect(message: str) -> None:
        into.append(message)
        if warn:
            warn(message)

    return collect


def plan_send(
    bok: Arbeidsbok,
    folder: Path,
    entries: dict[str, LeaderEntry],
    template: jinja2.Template,
    chosen: list[Leder],
    send_igjen: bool,
    warn: Warn,
) -> tuple[SendPlan, list[str]]:
    """The messages still to send, and failure lines for leaders whose documents are missing."""
    mappe = folder / EPOST_DIR
    sent = read_records(mappe / SENT_FILE)
    uncertain = read_records(mappe / UNCERTAIN_FILE)
    earlier, unknown, pending = [], [], []
    for leder in chosen:
        if not send_igjen and leder.ansattnr in sent:
            earlier.append(leder)
        elif not send_igjen and leder.ansattnr in uncertain:
            unknown.append(leder)
            warn(
                f"{label(leder)}: usikkert om forrige e-post kom fram; den sendes ikke på nytt. "
                f"Kontroller med mottakeren, og send med --leder {leder.ansattnr} --send-igjen om den mangler."
            )
        else:
            pending.append(leder)
    messages, failures = prepare_messages(bok, pending, folder, entries, template, False, warn)
    return SendPlan(messages, [label(leder) for leder in earlier], [label(leder) for leder in unknown]), failures


def send(
    workbook: Path,
    ut: Path = Path("output"),
    ledere: Iterable[str] = (),
    send_igjen: bool = False,
    *,
    host: str | None = None,
    port: int | str | None = None,
    user: str | None = None,
    password: str | None = None,
    tls: bool = True,
    maler: Path | None = None,
    confirm: Callable[[SendPlan], bool] | None = None,
    progress: Progress | None = None,
    warn: Warn | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> SendResult:
    """Send each chosen leader's message over one SMTP connection, resumably.

    Settings left as None come from the LEDERAVTALE_SMTP_* variables. Each accepted
    message is recorded in `<ut>/<år>/epost/sendt.json` at once, so a rerun sends only
    what is missing; `send_igjen` sends the chosen leaders (`ledere` is then required)
    again. `confirm` sees the plan before anything is sent and may say no. Raises
    PartialFailure (exit 3) when anything was not sent.
    """
    ledere = tuple(str(nr) for nr in ledere)
    if send_igjen and not ledere:
        raise MailError("--send-igjen krever at du velger ledere med --leder ANSATTNR.")
    settings = smtp_settings(host, port, user, password, tls, timeout, ssl_context)
    bok = read_workbook(Path(workbook))
    if not bok.kommune.avsender.strip():
        raise MailError("Arket Kommune mangler feltet Avsender (avsenderadressen e-posten sendes fra).")
    folder = year_dir(bok, ut)
    chosen = select_leaders(bok, ledere)
    template = load_template(bok, maler)
    require_generated(folder, workbook, "epost")
    result = SendResult()
    warn = _collecting(result.advarsler, warn)
    # One run at a time: two senders reading the same sendt.json would both send.
    with RunLock(folder):
        entries = load_generated(folder, workbook, "epost")
        plan, failures = plan_send(bok, folder, entries, template, chosen, send_igjen, warn)
        result.tidligere = plan.tidligere
        if plan.utkast and confirm is not None and not confirm(plan):
            result.avbrutt = True
            return result
        if plan.utkast:
            failures += _deliver(plan.utkast, settings, folder / EPOST_DIR, result, progress)
    if failures:
        done = (f"{antall(len(result.sendt))} er sendt i denne kjøringen og registrert i "
                f"«{folder / EPOST_DIR / SENT_FILE}».")
        raise PartialFailure(
            failures + [done, "Kjør samme kommando på nytt for å sende resten; det som er sendt, hoppes over."],
            heading="Noen e-poster ble ikke sendt:",
        )
    return result


def _deliver(
    messages: list[Epost], settings: SmtpSettings, mappe: Path, result: SendResult, progress: Progress | None
) -> list[str]:
    """Send the messages, recording each one as soon as it is accepted; returns failure lines."""
    records = Records(mappe)
    failures: list[str] = []
    connection = Connection(settings)
    try:
        for done, epost in enumerate(messages, 1):
            who = label(epost.leder)
            if connection.broken:
                failures.append(f"{who}: ikke sendt ({connection.broken})")
            else:
                failures += _deliver_one(connection, epost, records, result)
            if progress:
                progress("Sender e-post", done, len(messages))
    finally:
        connection.close()
    return failures


def _deliver_one(connection: Connection, epost: Epost, records: Records, result: SendResult) -> list[str]:
    who, nr = label(epost.leder), epost.leder.ansattnr
    try:
        refused = connection.transmit(epost)
    except smtplib.SMTPException as exc:
        return [f"{who}: serveren avviste e-posten ({refusal(exc)})"]
    except ConnectionLost as lost:
        connection.reopen(str(lost))
        if not lost.uncertain:
            return [f"{who}: ikke sendt ({lost})"]
        records.uncertain(nr, record(epost, epost.recipients))
        return [
            f"{who}: usikkert om e-posten kom fram ({lost}). Den sendes ikke på nytt automatisk; "
            f"kontroller, og bruk --leder {nr} --send-igjen om den mangler."
        ]
    records.sent(nr, record(epost, [a for a in epost.recipients if a not in refused]))
    result.sendt.append(nr)
    return [f"{who}: sendt, men serveren avviste mottakeren {a} ({reason})" for a, reason in refused.items()]


