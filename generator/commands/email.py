"""`epost`: e-mail drafts (.eml) for each leader's documents, or resumable sending over SMTP."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..exceptions import MailError, OptionError, PartialFailure
from ..job import Job
from ..mail.delivery import deliver
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
from ..mail.records import read_records
from ..mail.smtp import DEFAULT_TIMEOUT, smtp_settings
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..progress import Progress
from ..result import Result
from ..store.files import atomic_write_bytes
from ..store.lock import RunLock
from ..store.manifest import LeaderEntry, load_generated, require_generated
from ..store.year import EPOST_DIR, SENT_FILE, UNCERTAIN_FILE, leader_folder, year_dir
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


# --- The job ----------------------------------------------------------------------------


def epost(job: Job, *, send_now: bool = False, ledere: Iterable[str] = (), send_igjen: bool = False,
          ja: bool = False, smtp_vert: str | None = None, smtp_port: int | None = None, ingen_tls: bool = False,
          uten_vedlegg: bool = False, oppfolging: bool = False,
          confirm: Callable[[SendPlan], bool] | None = None) -> Result:
    """`epost`: drafts, or (`send_now`) sending; the options' rules are checked here, once.

    `confirm` is the front end's way to ask before anything goes out; without one (no terminal,
    no page to ask on) the user must have said `ja`, since mail to every leader in the
    municipality must not go out by accident.
    """
    ledere = tuple(str(nr) for nr in ledere)
    if oppfolging and uten_vedlegg:
        raise OptionError("--oppfolging og --uten-vedlegg kan ikke brukes sammen (oppfølgingen har ikke vedlegg).")
    if not send_now:
        only_for_send = [name for name, given in (("--send-igjen", send_igjen), ("--ja", ja), ("--smtp-vert", smtp_vert),
                                                 ("--smtp-port", smtp_port), ("--ingen-tls", ingen_tls)) if given]
        if only_for_send:
            raise OptionError(f"{', '.join(only_for_send)} brukes bare sammen med --send.")
    _check_resend(send_igjen, ledere)
    if send_now and not ja and confirm is None:
        raise OptionError("Bekreft utsendingen med --ja når kommandoen ikke kjøres i en terminal.")
    advarsler: list[str] = []
    try:
        if not send_now:
            drafts = write_drafts(job.workbook, job.ut, ledere, job.maler, advarsler.append, uten_vedlegg, oppfolging)
            return Result(notices=_warned(advarsler), files=drafts.skrevet, summary=[
                f"Ferdig: {antall(len(drafts.skrevet), 'e-postutkast', 'e-postutkast')} i {drafts.mappe}. "
                "Åpne dem i Outlook, se over og send."])
        sent = send(job.workbook, job.ut, ledere, send_igjen, uten_vedlegg=uten_vedlegg, oppfolging=oppfolging,
                    host=smtp_vert, port=smtp_port, tls=not ingen_tls, maler=job.maler,
                    confirm=None if ja else confirm, progress=job.progress, warn=advarsler.append)
    except PartialFailure as failed:
        # The other messages are written or sent: the failures are the result, not an error.
        return Result(notices=_warned(advarsler), failures=failed.failures, failure_heading=failed.heading)
    if sent.avbrutt:
        return Result(notices=_warned(advarsler) + ["Avbrutt. Ingenting er sendt."], cancelled=True)
    summary = [f"Ferdig: {antall(len(sent.sendt), 'e-post', 'e-poster')} sendt."]
    if sent.tidligere:
        summary.append(f"{antall(len(sent.tidligere), 'leder', 'ledere')} har fått e-posten før og er hoppet over "
                       "(se sendt.json; bruk --leder ANSATTNR --send-igjen for å sende på nytt).")
    return Result(notices=_warned(advarsler), summary=summary)


def _check_resend(send_igjen: bool, ledere: tuple[str, ...]) -> None:
    """Sending again to everyone at once is never what anyone means."""
    if send_igjen and not ledere:
        raise OptionError("--send-igjen krever at du velger ledere med --leder ANSATTNR.")


def _warned(advarsler: list[str]) -> list[str]:
    return [f"Advarsel: {message}" for message in advarsler]


# --- Drafts -------------------------------------------------------------------------------


def write_drafts(
    workbook: Path,
    ut: Path,
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
    ut: Path,
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
    _check_resend(send_igjen, ledere)
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
            delivered = deliver(plan.utkast, settings, mail_folder(folder, mailing), progress)
            result.sendt, failures = delivered.sendt, failures + delivered.failures
    if failures:
        done = (f"{antall(len(result.sendt), 'e-post', 'e-poster')} er sendt i denne kjøringen og registrert i "
                f"«{mail_folder(folder, mailing) / SENT_FILE}».")
        raise PartialFailure(
            failures + [done, "Kjør samme kommando på nytt for å sende resten; det som er sendt, hoppes over."],
            heading="Noen e-poster ble ikke sendt:",
        )
    return result
