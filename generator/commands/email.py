"""`epost`: e-mail drafts (.eml) for each leader's documents, or resumable sending over SMTP.

`epost` is the job a front end calls: it refuses options that do not go together, then writes
the drafts or sends. Both return a `Result`; a leader whose documents are missing, or whose
message the server refused, is a failure in it (exit 3), and the rest are done.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..exceptions import MailError, OptionError
from ..job import Job
from ..mail.delivery import SendPlan, deliver, plan
from ..mail.message import (AGREEMENT_MAIL, AGREEMENT_ONLY_MAIL, FOLLOW_UP_MAIL, Mailing, MailTemplate,
                            load_template, prepare_messages)
from ..mail.smtp import DEFAULT_TIMEOUT, smtp_settings
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..result import Item, Result
from ..store.files import atomic_write_bytes
from ..store.lock import RunLock
from ..store.manifest import load_generated, require_generated
from ..store.settings import Innstillinger
from ..store.settings import load as load_settings
from ..store.year import SENT_FILE
from ..workbook.selection import select_leaders
from ..advice import advice

# An Item's status, per leader.
STATUS_DRAFT = "utkast"
STATUS_SENT = "sendt"
STATUS_SENT_BEFORE = "sendt før"  # skipped
STATUS_UNCERTAIN = "usikker"  # skipped: an earlier message may have arrived

Confirm = Callable[[SendPlan], bool]


@dataclass
class EpostOptions:
    """The options of `epost`, as the command line names them."""

    send: bool = False
    ledere: tuple[str, ...] = ()
    send_igjen: bool = False
    ja: bool = False
    smtp_vert: str | None = None
    smtp_port: int | None = None
    ingen_tls: bool = False
    uten_vedlegg: bool = False
    oppfolging: bool = False


def epost(job: Job, options: EpostOptions, interactive: bool = False, confirm: Confirm | None = None) -> Result:
    """The `epost` job: drafts, or with `options.send` sending, after the option rules.

    `interactive` says whether the front end can ask the user; `confirm` is how it asks, shown
    the plan before anything is sent (not asked with `--ja`).
    """
    check_options(options, interactive)
    if not options.send:
        return write_drafts(job, options.ledere, uten_vedlegg=options.uten_vedlegg, oppfolging=options.oppfolging)
    # Without --ingen-tls, TLS is what innstillinger.json says (on by default).
    return send(job, options.ledere, options.send_igjen, uten_vedlegg=options.uten_vedlegg,
                oppfolging=options.oppfolging, host=options.smtp_vert, port=options.smtp_port,
                tls=False if options.ingen_tls else None, confirm=None if options.ja else confirm)


def check_options(options: EpostOptions, interactive: bool) -> None:
    """OptionError (exit 2) for options that do not go together, in the order the user meets them."""
    if options.oppfolging and options.uten_vedlegg:
        raise OptionError("--oppfolging og --uten-vedlegg kan ikke brukes sammen (oppfølgingen har ikke vedlegg).")
    if not options.send:
        only_for_send = [name for name, given in (
            ("--send-igjen", options.send_igjen), ("--ja", options.ja), ("--smtp-vert", options.smtp_vert),
            ("--smtp-port", options.smtp_port), ("--ingen-tls", options.ingen_tls)) if given]
        if only_for_send:
            raise OptionError(f"{', '.join(only_for_send)} brukes bare sammen med --send.")
        return
    _resend_needs_leaders(options.ledere, options.send_igjen)
    # Mail to every leader in the municipality must not go out by accident: where the front
    # end cannot ask, the user has to say --ja.
    if not options.ja and not interactive:
        raise OptionError("Bekreft utsendingen med --ja når kommandoen ikke kjøres i en terminal.")


def _resend_needs_leaders(ledere: tuple[str, ...], send_igjen: bool) -> None:
    # Also checked by `send` itself: resending to every leader is never what was meant.
    if send_igjen and not ledere:
        raise OptionError("--send-igjen krever at du velger ledere med --leder ANSATTNR.")


def mailing_for(uten_vedlegg: bool = False, oppfolging: bool = False) -> Mailing:
    if oppfolging:
        return FOLLOW_UP_MAIL
    return AGREEMENT_ONLY_MAIL if uten_vedlegg else AGREEMENT_MAIL


def stored_text(stored: Innstillinger, mailing: Mailing) -> str:
    """The e-mail text stored on the page Innstillinger for the mailing; "" means the template folder's file."""
    return stored.epost_oppfolging_tekst if mailing.template == FOLLOW_UP_MAIL.template else stored.epost_tekst


@dataclass
class MailSetup:
    """A mailing as the settings make it, the same for drafts, sending and the web page's confirmation."""

    mailing: Mailing
    template: MailTemplate
    sender: str  # "" when neither the settings nor the sheet Kommune have one
    stored: Innstillinger

    @property
    def appendix_left_out(self) -> bool:
        """The settings (not an option) leave the appendix out of the agreement's mail."""
        return self.mailing is AGREEMENT_ONLY_MAIL and not self.stored.med_vedlegg


def mail_setup(bok: Arbeidsbok, maler: Path | None, stored: Innstillinger, uten_vedlegg: bool = False,
               oppfolging: bool = False) -> MailSetup:
    """The mailing, its text and its sender, with the output folder's settings (innstillinger.json) applied:
    their avsender replaces the sheet Kommune's, their text the template folder's, and `med_vedlegg` off acts
    as --uten-vedlegg."""
    mailing = mailing_for(uten_vedlegg or not stored.med_vedlegg, oppfolging)
    template = load_template(bok, maler, mailing, stored_text(stored, mailing))
    sender = (stored.avsender or bok.kommune.avsender).strip()
    return MailSetup(mailing, template, sender, stored)


def _appendix_notice(setup: MailSetup) -> list[str]:
    if setup.appendix_left_out:
        return ["Vedlegget legges ikke ved: innstillingene (innstillinger.json, siden Innstillinger) sier at "
                "e-posten bare skal ha avtalen."]
    return []


def _notices(warnings: list[str]) -> list[str]:
    return [f"Advarsel: {warning}" for warning in warnings]


def _item(leder: Leder, status: str, filer: list[str] | None = None) -> Item:
    return Item(leder.ansattnr, leder.navn, status, filer or [])


# --- Drafts -------------------------------------------------------------------------------


def write_drafts(job: Job, ledere: Iterable[str] = (), *, uten_vedlegg: bool = False,
                 oppfolging: bool = False) -> Result:
    """Write `<ut>/<år>/epost/<Ansattnr> <Navn>.eml` for each chosen leader with an address.

    `uten_vedlegg` attaches only the public agreement; `oppfolging` writes the follow-up
    mailing instead (`epost_oppfolging.txt`, the follow-up document, into `epost/oppfolging/`).
    A leader whose documents are missing is a failure in the Result; the others are written.
    """
    bok, year = job.bok, job.year
    setup = mail_setup(bok, job.maler, load_settings(job.ut), uten_vedlegg, oppfolging)
    mailing = setup.mailing
    mappe = year.epost(mailing.subfolder)
    chosen = select_leaders(bok, tuple(str(nr) for nr in ledere))
    require_generated(year.path, job.workbook, "epost")
    warnings = []
    if not setup.sender:
        warnings.append("Arket Kommune har ingen Avsender; utkastene får ingen avsenderadresse (From)")
    result = Result()
    # generer must not rewrite the documents while they are read.
    with RunLock(year.path):
        entries = load_generated(year.path, job.workbook, "epost")
        messages, failures = prepare_messages(bok, chosen, year.path, entries, setup.template, True, warnings.append,
                                              mailing, setup.sender)
        for message in messages:
            path = year.draft(message.leder, mailing.subfolder)
            atomic_write_bytes(path, message.as_bytes())
            result.files.append(path)
            result.items.append(_item(message.leder, STATUS_DRAFT, [year.relative(path)]))
    result.notices = _appendix_notice(setup) + _notices(warnings)
    if failures:
        result.failures = failures + [f"{len(result.files)} e-postutkast er skrevet til «{mappe}»."]
        result.failure_heading = "Noen e-postutkast ble ikke laget:"
    else:
        result.summary = [f"Ferdig: {antall(len(result.files), 'e-postutkast', 'e-postutkast')} i {mappe}. "
                          "Åpne dem i Outlook, se over og send."]
    return result


# --- Sending ------------------------------------------------------------------------------


def send(
    job: Job,
    ledere: Iterable[str] = (),
    send_igjen: bool = False,
    *,
    uten_vedlegg: bool = False,
    oppfolging: bool = False,
    host: str | None = None,
    port: int | str | None = None,
    user: str | None = None,
    password: str | None = None,
    tls: bool | None = None,
    confirm: Confirm | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> Result:
    """Send each chosen leader's message over one SMTP connection, resumably.

    Settings left as None come from the LEDERAVTALE_SMTP_* variables, else from the output folder's
    innstillinger.json (as its avsender, e-mail text and appendix choice do). Each accepted
    message is recorded in `<ut>/<år>/epost/sendt.json` at once, so a rerun sends only
    what is missing; `send_igjen` sends the chosen leaders (`ledere` is then required)
    again; `uten_vedlegg` attaches only the public agreement; `oppfolging` sends the follow-up
    document instead, with records of its own in `epost/oppfolging/`. `confirm` sees the plan before
    anything is sent and may say no (`Result.cancelled`). Whatever was not sent is a failure in
    the Result (exit 3); Ctrl-C raises Interrupted (exit 130), naming a message that may have gone out.
    """
    ledere = tuple(str(nr) for nr in ledere)
    _resend_needs_leaders(ledere, send_igjen)
    stored = load_settings(job.ut)
    settings = smtp_settings(host, port, user, password, tls, timeout, ssl_context, stored=stored)
    bok = job.bok
    setup = mail_setup(bok, job.maler, stored, uten_vedlegg, oppfolging)
    if not setup.sender:
        raise MailError("Arket Kommune mangler feltet Avsender (avsenderadressen e-posten sendes fra). Fyll den inn "
                        "der, eller fyll inn Avsender på nettsidens side Innstillinger.")
    year = job.year
    chosen = select_leaders(bok, ledere)
    mailing = setup.mailing
    mappe = year.epost(mailing.subfolder)
    require_generated(year.path, job.workbook, "epost")
    # One run at a time: two senders reading the same sendt.json would both send.
    with RunLock(year.path):
        entries = load_generated(year.path, job.workbook, "epost")
        todo = plan(bok, year.path, mappe, entries, setup.template, chosen, send_igjen, mailing, setup.sender)
        skipped = ([_item(leder, STATUS_SENT_BEFORE) for leder in todo.tidligere]
                   + [_item(leder, STATUS_UNCERTAIN) for leder in todo.usikre])
        notices = _appendix_notice(setup) + _notices(todo.advarsler)
        if todo.utkast and confirm is not None and not confirm(todo):
            return Result(skipped, notices=notices + ["Avbrutt. Ingenting er sendt."], cancelled=True)
        failures, sent = list(todo.failures), []
        if todo.utkast:
            delivery = deliver(todo.utkast, settings, mappe, job.progress)
            failures += delivery.failures
            sent = delivery.sendt
    result = Result([_item(leder, STATUS_SENT) for leder in sent] + skipped, notices=notices)
    if failures:
        done = (f"{antall(len(sent), 'e-post', 'e-poster')} er sendt i denne kjøringen og registrert i "
                f"«{mappe / SENT_FILE}».")
        result.failures = failures + [
            done, f"{advice('igjen')} for å sende resten; det som er sendt, hoppes over."]
        result.failure_heading = "Noen e-poster ble ikke sendt:"
        return result
    result.summary = [f"Ferdig: {antall(len(sent), 'e-post', 'e-poster')} sendt."]
    if todo.tidligere:
        result.summary.append(f"{antall(len(todo.tidligere), 'leder', 'ledere')} har fått e-posten før og er "
                              "hoppet over (se sendt.json; bruk --leder ANSATTNR --send-igjen for å sende på nytt).")
    return result
