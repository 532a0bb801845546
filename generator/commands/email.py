"""`epost`: e-mail drafts (.eml) for each leader's documents, or resumable sending over SMTP.

`epost` is the job a front end calls: it refuses options that do not go together, then writes
the drafts or sends. Both return a `Result`; a leader whose documents are missing, or whose
message the server refused, is a failure in it (exit 3), and the rest are done.

Three mailings: the agreement (with the exempt appendix unless left out), the follow-up document
(`oppfolging`), and the reminder (`paminnelse`) to the leaders whose agreement is not signed yet, with
the public agreement alone. Each has its drafts and send records in its own folder below `epost/`.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..documents.templates import TemplateSet
from ..exceptions import MailError, OptionError
from ..job import Job
from ..mail.delivery import SendPlan, deliver, plan
from ..mail.message import (AGREEMENT_MAIL, FOLLOW_UP_MAIL, REMINDER_MAIL, WITHOUT_EXEMPT, Mailing,
                            MailTemplate, label, load_template, prepare_messages, template_file)
from ..mail.records import read_records, send_times
from ..mail.smtp import DEFAULT_TIMEOUT, smtp_settings
from ..model import Arbeidsbok, Leder
from ..plural import antall
from ..result import Item, Result
from ..signing.record import unsigned
from ..store.files import atomic_write_bytes
from ..store.lock import RunLock
from ..store.manifest import LeaderEntry, load_generated, require_generated
from ..store.settings import Innstillinger
from ..store.settings import load as load_settings
from ..store.year import SENT_FILE, YearFolder
from ..workbook.selection import select_leaders
from ..advice import advice

# An Item's status, per leader.
STATUS_DRAFT = "utkast"
STATUS_SENT = "sendt"
STATUS_SENT_BEFORE = "sendt før"  # skipped
STATUS_UNCERTAIN = "usikker"  # skipped: an earlier message may have arrived
STATUS_REMINDED_TODAY = "påminnet i dag"  # skipped: today's reminder went out already

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
    paminnelse: bool = False


def epost(job: Job, options: EpostOptions, interactive: bool = False, confirm: Confirm | None = None) -> Result:
    """The `epost` job: drafts, or with `options.send` sending, after the option rules.

    `interactive` says whether the front end can ask the user; `confirm` is how it asks, shown
    the plan before anything is sent (not asked with `--ja`).
    """
    check_options(options, interactive)
    if not options.send:
        return write_drafts(job, options.ledere, uten_vedlegg=options.uten_vedlegg, oppfolging=options.oppfolging,
                            paminnelse=options.paminnelse)
    # Without --ingen-tls, TLS is what innstillinger.json says (on by default).
    return send(job, options.ledere, options.send_igjen, uten_vedlegg=options.uten_vedlegg,
                oppfolging=options.oppfolging, paminnelse=options.paminnelse, host=options.smtp_vert,
                port=options.smtp_port, tls=False if options.ingen_tls else None,
                confirm=None if options.ja else confirm)


def check_options(options: EpostOptions, interactive: bool) -> None:
    """OptionError (exit 2) for options that do not go together, in the order the user meets them."""
    if options.paminnelse and options.oppfolging:
        raise OptionError("--paminnelse og --oppfolging kan ikke brukes sammen (påminnelsen gjelder avtalen som "
                          "ikke er signert, ikke oppfølgingen).")
    if options.paminnelse and options.uten_vedlegg:
        raise OptionError("--paminnelse og --uten-vedlegg kan ikke brukes sammen (påminnelsen har aldri vedlegget).")
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


def mailing_for(uten_vedlegg: bool = False, oppfolging: bool = False, paminnelse: bool = False) -> Mailing:
    """The mailing the options choose; the reminder never attaches the appendix, whatever `uten_vedlegg` says."""
    if paminnelse:
        return REMINDER_MAIL
    mailing = FOLLOW_UP_MAIL if oppfolging else AGREEMENT_MAIL
    return WITHOUT_EXEMPT[mailing.template] if uten_vedlegg else mailing


# The field of innstillinger.json that replaces each e-mail template.
STORED_TEXTS = {
    AGREEMENT_MAIL.template: "epost_tekst",
    FOLLOW_UP_MAIL.template: "epost_oppfolging_tekst",
    REMINDER_MAIL.template: "epost_paminnelse_tekst",
}


def stored_text(stored: Innstillinger, mailing: Mailing) -> str:
    """The e-mail text stored on the page Innstillinger for the mailing; "" means the template folder's file."""
    return getattr(stored, STORED_TEXTS[mailing.template])


@dataclass
class MailSetup:
    """A mailing as the settings make it, the same for drafts, sending and the web page's confirmation."""

    mailing: Mailing
    template: MailTemplate
    sender: str  # "" when neither the settings nor the sheet Kommune have one
    stored: Innstillinger
    tool_text: bool = False  # the template folder lacks the text (LATER_TEMPLATES): the tool's own is used

    @property
    def appendix_left_out(self) -> bool:
        """The settings (not an option) leave the exempt appendix out of the mail."""
        return bool(self.mailing.left_out) and not self.stored.med_vedlegg


def mail_setup(bok: Arbeidsbok, maler: Path | None, stored: Innstillinger, uten_vedlegg: bool = False,
               oppfolging: bool = False, paminnelse: bool = False) -> MailSetup:
    """The mailing, its text and its sender, with the output folder's settings (innstillinger.json) applied:
    their avsender replaces the sheet Kommune's, their text the template folder's, and `med_vedlegg` off acts
    as --uten-vedlegg."""
    mailing = mailing_for(uten_vedlegg or not stored.med_vedlegg, oppfolging, paminnelse)
    text = stored_text(stored, mailing)
    template = load_template(bok, maler, mailing, text)
    sender = (stored.avsender or bok.kommune.avsender).strip()
    tool_text = not text.strip() and template_file(bok, maler, mailing).parent != TemplateSet(bok, maler).base
    return MailSetup(mailing, template, sender, stored, tool_text)


def _appendix_notice(setup: MailSetup) -> list[str]:
    notices = []
    if setup.appendix_left_out:
        left_out, sent = setup.mailing.left_out[0], setup.mailing.kinds[0]
        notices.append(f"{left_out.navn[1]} legges ikke ved: innstillingene (innstillinger.json, siden Innstillinger) "
                       f"sier at e-posten bare skal ha {sent.navn[0]}.")
    if setup.tool_text:
        notices.append(f"Malmappen har ingen {setup.mailing.template}; e-posten har verktøyets egen tekst.")
    return notices


def _notices(warnings: list[str]) -> list[str]:
    return [f"Advarsel: {warning}" for warning in warnings]


def _item(leder: Leder, status: str, filer: list[str] | None = None) -> Item:
    return Item(leder.ansattnr, leder.navn, status, filer or [])


# --- The reminder's leaders ---------------------------------------------------------------


def _to_remind(bok: Arbeidsbok, year: YearFolder, chosen: list[Leder], entries: dict[str, LeaderEntry],
               named: bool) -> tuple[list[Leder], list[str]]:
    """The chosen leaders a reminder goes to, and notices about the ones it passes over.

    A reminder goes to the leaders whose agreement is made (manifest.json) and not signed (the overview's
    rule, `signing.record.unsigned`). Whether the agreement's own e-mail went out is not asked: HR may
    have handed the agreement over another way, and a made, unsigned agreement is what there is to remind
    of. A leader without one has nothing to sign yet, which is no failure of the run. A leader named
    with --leder who has signed is told, not reminded.
    """
    waiting = {leder.ansattnr for leder in unsigned(bok, year)}
    remind, notices, not_made = [], [], 0
    for leder in chosen:
        if leder.ansattnr not in waiting:
            if named:
                notices.append(f"{label(leder)} har signert avtalen og får ingen påminnelse.")
        elif leder.ansattnr not in entries:
            not_made += 1
            if named:
                notices.append(f"{label(leder)} har ingen avtale laget ennå og får ingen påminnelse.")
        else:
            remind.append(leder)
    if not_made and not named:
        notices.append(f"{antall(not_made, 'leder', 'ledere')} uten signert avtale har ingen avtale laget ennå og "
                       "får ingen påminnelse.")
    if not remind and not named:
        notices.append("Ingen påminnelse å sende: alle avtalene som er laget, er signert.")
    return remind, notices


def reminder_leaders(job: Job, ledere: Iterable[str] = ()) -> list[Leder]:
    """The leaders (of `ledere`, or all) a reminder would go to now: Avtale=ja, the agreement made and not
    signed. [] before anything is generated. For a front end's count beside «Send påminnelse»; read
    without the folder's lock, like the overview."""
    bok, year = job.bok, job.year
    if not year.manifest.exists():
        return []
    named = tuple(str(nr) for nr in ledere)
    entries = load_generated(year.path, job.workbook, "epost")
    return _to_remind(bok, year, select_leaders(bok, named), entries, bool(named))[0]


def reminders_sent(year: YearFolder) -> dict[str, list[str]]:
    """Ansattnr → every time (ISO date and time) the server took a reminder to the leader, oldest first: for
    «påminnet dd.mm.åååå». LederavtaleError when epost/paminnelse/sendt.json cannot be read."""
    records = read_records(year.epost(REMINDER_MAIL.subfolder) / SENT_FILE)
    return {nr: send_times(record) for nr, record in records.items() if isinstance(record, dict)}


def _chosen(job: Job, setup: MailSetup, ledere: tuple[str, ...], entries: dict[str, LeaderEntry]
            ) -> tuple[list[Leder], list[str]]:
    """The leaders a run is for, and notices: for the reminder, those of them with an unsigned agreement."""
    chosen = select_leaders(job.bok, ledere)
    if setup.mailing is not REMINDER_MAIL:
        return chosen, []
    return _to_remind(job.bok, job.year, chosen, entries, bool(ledere))


# --- Drafts -------------------------------------------------------------------------------


def write_drafts(job: Job, ledere: Iterable[str] = (), *, uten_vedlegg: bool = False,
                 oppfolging: bool = False, paminnelse: bool = False) -> Result:
    """Write `<ut>/<år>/epost/<Ansattnr> <Navn>.eml` for each chosen leader with an address.

    `uten_vedlegg` attaches only the public agreement; `oppfolging` writes the follow-up
    mailing instead (`epost_oppfolging.txt`, the follow-up document, into `epost/oppfolging/`);
    `paminnelse` the reminder (`epost_paminnelse.txt`, the agreement alone, into `epost/paminnelse/`)
    for those of the chosen leaders whose agreement is made and not signed.
    A leader whose documents are missing is a failure in the Result; the others are written.
    """
    bok, year = job.bok, job.year
    ledere = tuple(str(nr) for nr in ledere)
    setup = mail_setup(bok, job.maler, load_settings(job.ut), uten_vedlegg, oppfolging, paminnelse)
    mailing = setup.mailing
    mappe = year.epost(mailing.subfolder)
    select_leaders(bok, ledere)  # an unknown --leder stops the run before anything else
    require_generated(year.path, job.workbook, "epost")
    warnings = []
    if not setup.sender:
        warnings.append("Arket Kommune har ingen Avsender; utkastene får ingen avsenderadresse (From)")
    result = Result()
    # generer must not rewrite the documents while they are read.
    with RunLock(year.path):
        entries = load_generated(year.path, job.workbook, "epost")
        chosen, passed_over = _chosen(job, setup, ledere, entries)
        messages, failures = prepare_messages(bok, chosen, year.path, entries, setup.template, True, warnings.append,
                                              mailing, setup.sender)
        for message in messages:
            path = year.draft(message.leder, mailing.subfolder)
            atomic_write_bytes(path, message.as_bytes())
            result.files.append(path)
            result.items.append(_item(message.leder, STATUS_DRAFT, [year.relative(path)]))
    result.notices = (_appendix_notice(setup) + [n for m in messages for n in m.notices] + passed_over
                      + _notices(warnings))
    if failures:
        result.failures = failures + [f"{len(result.files)} e-postutkast er skrevet til «{mappe}»."]
        result.failure_heading = "Noen e-postutkast ble ikke laget:"
    else:
        result.summary = [f"Ferdig: {antall(len(result.files), 'e-postutkast', 'e-postutkast')} i {mappe}. "
                          "Åpne dem i Outlook, se over og send."]
    return _next(result, mailing)


# --- Sending ------------------------------------------------------------------------------


def send(
    job: Job,
    ledere: Iterable[str] = (),
    send_igjen: bool = False,
    *,
    uten_vedlegg: bool = False,
    oppfolging: bool = False,
    paminnelse: bool = False,
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
    document instead, with records of its own in `epost/oppfolging/`; `paminnelse` sends the reminder
    to those of the chosen leaders whose agreement is made and not signed, with records of its own in
    `epost/paminnelse/`: one a day, so a rerun the same day sends only what is missing and a later day's
    run reminds them all again (`mail.delivery`). `confirm` sees the plan before
    anything is sent and may say no (`Result.cancelled`). Whatever was not sent is a failure in
    the Result (exit 3); Ctrl-C raises Interrupted (exit 130), naming a message that may have gone out.
    """
    ledere = tuple(str(nr) for nr in ledere)
    _resend_needs_leaders(ledere, send_igjen)
    stored = load_settings(job.ut)
    settings = smtp_settings(host, port, user, password, tls, timeout, ssl_context, stored=stored)
    bok = job.bok
    setup = mail_setup(bok, job.maler, stored, uten_vedlegg, oppfolging, paminnelse)
    if not setup.sender:
        raise MailError("Arket Kommune mangler feltet Avsender (avsenderadressen e-posten sendes fra). Fyll den inn "
                        "der, eller fyll inn Avsender på nettsidens side Innstillinger.")
    year = job.year
    select_leaders(bok, ledere)  # an unknown --leder stops the run before anything else
    mailing = setup.mailing
    mappe = year.epost(mailing.subfolder)
    require_generated(year.path, job.workbook, "epost")
    # One run at a time: two senders reading the same sendt.json would both send.
    with RunLock(year.path):
        entries = load_generated(year.path, job.workbook, "epost")
        todo, passed_over = _plan(job, setup, ledere, send_igjen, entries)
        before = STATUS_REMINDED_TODAY if mailing.repeats else STATUS_SENT_BEFORE
        skipped = ([_item(leder, before) for leder in todo.tidligere]
                   + [_item(leder, STATUS_UNCERTAIN) for leder in todo.usikre])
        notices = _appendix_notice(setup) + todo.merknader + passed_over + _notices(todo.advarsler)
        if todo.utkast and confirm is not None and not confirm(todo):
            return Result(skipped, notices=notices + ["Avbrutt. Ingenting er sendt."], cancelled=True)
        failures, sent = list(todo.failures), []
        if todo.utkast:
            delivery = deliver(todo.utkast, settings, mappe, job.progress, mailing)
            failures += delivery.failures
            sent = delivery.sendt
    result = Result([_item(leder, STATUS_SENT) for leder in sent] + skipped, notices=notices)
    what = ("påminnelse", "påminnelser") if mailing.repeats else ("e-post", "e-poster")
    if failures:
        done = f"{antall(len(sent), *what)} er sendt i denne kjøringen og registrert i «{mappe / SENT_FILE}»."
        result.failures = failures + [
            done, f"{advice('igjen')} for å sende resten; det som er sendt, hoppes over."]
        result.failure_heading = "Noen e-poster ble ikke sendt:"
        return result
    result.summary = [f"Ferdig: {antall(len(sent), *what)} sendt."]
    if todo.tidligere and mailing.repeats:
        result.summary.append(f"{antall(len(todo.tidligere), 'leder', 'ledere')} har fått påminnelsen i dag og er "
                              "hoppet over; neste påminnelse kan sendes fra i morgen.")
    elif todo.tidligere:
        result.summary.append(f"{antall(len(todo.tidligere), 'leder', 'ledere')} har fått e-posten før og er "
                              f"hoppet over ({advice(mailing.resend_advice, 'ANSATTNR')} for å sende på nytt).")
    return _next(result, mailing)


def _next(result: Result, mailing) -> Result:
    # After the agreement's mailing the year goes on (the avtalesamtale, then the files back); a reminder or the
    # follow-up document is a step of its own.
    return result.after("epost") if not mailing.subfolder else result


def _plan(job: Job, setup: MailSetup, ledere: tuple[str, ...], send_igjen: bool,
          entries: dict[str, LeaderEntry]) -> tuple[SendPlan, list[str]]:
    """What `send` is about to send, and notices about the leaders a reminder passes over."""
    chosen, passed_over = _chosen(job, setup, ledere, entries)
    mailing = setup.mailing
    todo = plan(job.bok, job.year.path, job.year.epost(mailing.subfolder), entries, setup.template, chosen,
                send_igjen, mailing, setup.sender, job.today)
    return todo, passed_over


def send_plan(job: Job, ledere: Iterable[str] = (), send_igjen: bool = False, *, uten_vedlegg: bool = False,
              oppfolging: bool = False, paminnelse: bool = False) -> SendPlan:
    """What `send` with the same arguments would send now, for a confirmation page: show `lines()` (and
    `advarsler`), carry `digest` back, and `send(…, confirm=lambda todo: todo.digest == carried)` sends only
    if the list is still the same. With the output folder's settings, read without the folder's lock (the
    send plans again under it)."""
    ledere = tuple(str(nr) for nr in ledere)
    _resend_needs_leaders(ledere, send_igjen)
    setup = mail_setup(job.bok, job.maler, load_settings(job.ut), uten_vedlegg, oppfolging, paminnelse)
    entries = load_generated(job.year.path, job.workbook, "epost")
    return _plan(job, setup, ledere, send_igjen, entries)[0]
