"""`epost`: e-mail drafts (.eml) for each leader's documents, or resumable sending over SMTP."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..exceptions import Interrupted, MailError, PartialFailure
from ..mail.message import (
    AGREEMENT_MAIL,
    AGREEMENT_ONLY_MAIL,
    FOLLOW_UP_MAIL,
    Epost,
    Mailing,
    MailTemplate,
    Warn,
    label,
    load_template,
    prepare_messages,
)
from ..mail.records import Records, RecordsUnwritable, read_records, record
from ..store.year import EPOST_DIR, SENT_FILE, UNCERTAIN_FILE
from ..mail.smtp import DEFAULT_TIMEOUT, Connection, ConnectionLost, SmtpSettings, refusal, smtp_settings
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..progress import Progress
from ..store.files import atomic_write_bytes
from ..store.lock import RunLock
from ..store.manifest import LeaderEntry, load_generated, require_generated
from ..store.year import leader_folder, year_dir
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


def mailing_for(uten_vedlegg: bool = False, oppfolging: bool = False) -> Mailing:
    if oppfolging:
        return FOLLOW_UP_MAIL
    return AGREEMENT_ONLY_MAIL if uten_vedlegg else AGREEMENT_MAIL


def mail_folder(folder: Path, mailing: Mailing) -> Path:
    """Where the mailing's drafts and send records go: `<år>/epost/`, or a folder of its own below."""
    return folder / EPOST_DIR / mailing.subfolder if mailing.subfolder else folder / EPOST_DIR


# --- Drafts -------------------------------------------------------------------------------


def write_drafts(
    workbook: Path,
    ut: Path = Path("output"),
    ledere: Iterable[str] = (),
    maler: Path | None = None,
    warn: Warn | None = None,
    uten_vedlegg: bool = False,
    oppfolging: bool = False,
) -> DraftResult:
    """Write `<ut>/<år>/epost/<Ansattnr> <Navn>.eml` for each chosen leader with an address.

    `uten_vedlegg` attaches only the public agreement; `oppfolging` writes the follow-up
    mailing instead (`epost_oppfolging.txt`, the follow-up document, into `epost/oppfolging/`).
    Raises PartialFailure (exit 3) after writing the others when a leader's documents are missing.
    """
    bok = read_workbook(Path(workbook))
    folder = year_dir(bok, ut)
    mailing = mailing_for(uten_vedlegg, oppfolging)
    result = DraftResult(mappe=mail_folder(folder, mailing))
    warn = _collecting(result.advarsler, warn)
    chosen = select_leaders(bok, tuple(str(nr) for nr in ledere))
    template = load_template(bok, maler, mailing)
    require_generated(folder, workbook, "epost")
    if not bok.kommune.avsender.strip():
        warn("Arket Kommune har ingen Avsender; utkastene får ingen avsenderadresse (From)")
    # generer must not rewrite the documents while they are read.
    with RunLock(folder):
        entries = load_generated(folder, workbook, "epost")
        messages, failures = prepare_messages(bok, chosen, folder, entries, template, True, warn, mailing)
        for epost in messages:
            path = result.mappe / f"{leader_folder(epost.leder)}.eml"
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
    template: MailTemplate,
    chosen: list[Leder],
    send_igjen: bool,
    warn: Warn,
    mailing: Mailing = AGREEMENT_MAIL,
) -> tuple[SendPlan, list[str]]:
    """The messages still to send, and failure lines for leaders whose documents are missing."""
    mappe = mail_folder(folder, mailing)
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
    messages, failures = prepare_messages(bok, pending, folder, entries, template, False, warn, mailing)
    return SendPlan(messages, [label(leder) for leder in earlier], [label(leder) for leder in unknown]), failures


def send(
    workbook: Path,
    ut: Path = Path("output"),
    ledere: Iterable[str] = (),
    send_igjen: bool = False,
    *,
    uten_vedlegg: bool = False,
    oppfolging: bool = False,
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
    again; `uten_vedlegg` attaches only the public agreement; `oppfolging` sends the follow-up
    document instead, with records of its own in `epost/oppfolging/`. `confirm` sees the plan before
    anything is sent and may say no. Raises PartialFailure (exit 3) when anything was not
    sent, and Interrupted (exit 130) at Ctrl-C, naming a message that may have gone out.
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
    mailing = mailing_for(uten_vedlegg, oppfolging)
    template = load_template(bok, maler, mailing)
    require_generated(folder, workbook, "epost")
    result = SendResult()
    warn = _collecting(result.advarsler, warn)
    # One run at a time: two senders reading the same sendt.json would both send.
    with RunLock(folder):
        entries = load_generated(folder, workbook, "epost")
        plan, failures = plan_send(bok, folder, entries, template, chosen, send_igjen, warn, mailing)
        result.tidligere = plan.tidligere
        if plan.utkast and confirm is not None and not confirm(plan):
            result.avbrutt = True
            return result
        if plan.utkast:
            failures += _deliver(plan.utkast, settings, mail_folder(folder, mailing), result, progress)
    if failures:
        done = (f"{antall(len(result.sendt), 'e-post', 'e-poster')} er sendt i denne kjøringen og registrert i "
                f"«{mail_folder(folder, mailing) / SENT_FILE}».")
        raise PartialFailure(
            failures + [done, "Kjør samme kommando på nytt for å sende resten; det som er sendt, hoppes over."],
            heading="Noen e-poster ble ikke sendt:",
        )
    return result


def _deliver(
    messages: list[Epost], settings: SmtpSettings, mappe: Path, result: SendResult, progress: Progress | None
) -> list[str]:
    """Send the messages, recording each one's every step; returns failure lines."""
    records = Records(mappe)
    failures: list[str] = []
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
    return failures


def _deliver_one(connection: Connection, epost: Epost, records: Records, result: SendResult) -> list[str]:
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
