"""E-mail for each leader's documents: .eml drafts, or resumable sending over SMTP.

The message is built with the email package's compat32 classes on purpose: with
`email.policy.default`, Python (seen with 3.11) folds a Content-Type that carries a non-ASCII
`name=` by encoding the MIME type itself as an encoded word (`application/=?utf-8?q?…`),
which breaks the attachment in every client. compat32 gives what Thunderbird sends:
`filename*=utf-8''…` (RFC 2231) in Content-Disposition and an RFC 2047 `name="=?utf-8?…"`
in Content-Type for Outlook.

Privacy: the body comes from the agreement's context, which never holds development
goals, and nothing from the goals is written to a log line or to the records of sent mail.
A leader's appendix goes to the leader and the superior only.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Callable, Iterable

import jinja2

from .context import agreement_context
from .exceptions import MailError, NothingGenerated, PartialFailure, TemplateError
from .generate import privacy_guard, select_leaders
from .model import Arbeidsbok, Leder, Problem
from .output import MANIFEST_NAME, LeaderEntry, Manifest, RunLock, atomic_write_bytes, safe_filename
from .render import TemplateSet, describe_template_error, make_jinja_env
from .workbook import read_workbook

EPOST_DIR = "epost"
SENT_FILE = "sendt.json"
# Messages whose server reply was lost after the whole message had been sent: they may
# have been delivered, so they are not sent again without --send-igjen.
UNCERTAIN_FILE = "usikker.json"
DEFAULT_PORT = 587
DEFAULT_TIMEOUT = 60.0
DOCX_SUBTYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"
ATTACHED_ROLES = ("avtale", "vedlegg")  # the agreement first, then the appendix

ENV_HOST = "LEDERAVTALE_SMTP_VERT"
ENV_PORT = "LEDERAVTALE_SMTP_PORT"
ENV_USER = "LEDERAVTALE_SMTP_BRUKER"
ENV_PASSWORD = "LEDERAVTALE_SMTP_PASSORD"

# .eml files and SMTP both want CRLF line ends.
_WIRE = compat32.clone(linesep="\r\n")


@dataclass
class Epost:
    """One leader's message, ready to write or send."""

    leder: Leder
    message: Message
    sender: str  # envelope sender ("" in a draft without Avsender)
    recipients: list[str]  # envelope recipients: the leader, then the superior

    def as_bytes(self) -> bytes:
        return self.message.as_bytes(policy=_WIRE)


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
class SmtpSettings:
    host: str
    port: int = DEFAULT_PORT
    user: str = ""
    password: str = field(default="", repr=False)  # never in a traceback or log line
    tls: bool = True
    timeout: float = DEFAULT_TIMEOUT
    ssl_context: ssl.SSLContext | None = None  # None: the system's trusted CAs


@dataclass
class SendPlan:
    """What a send run is about to do, shown to the user before anything goes out."""

    utkast: list[Epost]
    tidligere: list[str]  # labels of leaders skipped because they were sent before
    usikre: list[str]  # labels of leaders skipped because an earlier outcome is unknown

    def lines(self) -> list[str]:
        return [f"{label(e.leder)}: {', '.join(e.recipients)}" for e in self.utkast]


Warn = Callable[[str], None]
Progress = Callable[[str, int, int], None]  # (label, done, total), as in generate.py


def label(leder: Leder) -> str:
    return f"{leder.ansattnr} {leder.navn}"


def antall(n: int) -> str:
    return f"{n} e-post" if n == 1 else f"{n} e-poster"


# --- Reading what `generer` wrote -------------------------------------------------------


def year_dir(bok: Arbeidsbok, ut: Path) -> Path:
    return Path(ut) / str(bok.kommune.periode.ar)


def require_generated(folder: Path, workbook: Path) -> None:
    """NothingGenerated unless `generer` has written a manifest into the year folder."""
    if not (folder / MANIFEST_NAME).is_file():
        raise NothingGenerated(
            f"Fant ingen genererte dokumenter i «{folder}». "
            f"Kjør «lederavtale generer {workbook}» først, og deretter «lederavtale epost»."
        )


def load_generated(folder: Path, workbook: Path) -> dict[str, LeaderEntry]:
    """The manifest's entries by Ansattnr (call while holding the folder's RunLock)."""
    require_generated(folder, workbook)
    entries = Manifest.load(folder).ledere
    if not entries:
        raise NothingGenerated(
            f"Manifestet i «{folder}» lister ingen dokumenter. Kjør «lederavtale generer {workbook}» først."
        )
    return entries


def attachment_paths(folder: Path, leder: Leder, entry: LeaderEntry) -> list[Path]:
    """The leader's agreement and appendix (.docx) as listed in the manifest.

    Raises MailError when a file is missing, so that this leader is reported and skipped.
    """
    if entry.ansattnr != leder.ansattnr:
        raise MailError(f"{label(leder)}: manifest.json hører til en annen leder")
    own_folder = (folder / entry.mappe).resolve()
    paths = []
    for role in ATTACHED_ROLES:
        file = entry.file(role, "docx")
        if file is None:
            raise MailError(f"{label(leder)}: manifest.json har ingen Word-fil med rolle «{role}»; kjør generer på nytt")
        path = (folder / file.sti).resolve()
        # The manifest is a file people can edit; never attach anything outside the
        # leader's own folder, which could be another leader's appendix.
        if own_folder not in path.parents:
            raise MailError(f"{label(leder)}: {file.sti} ligger ikke i lederens mappe «{entry.mappe}»")
        if not path.is_file():
            raise MailError(f"{label(leder)}: filen mangler: {file.sti}")
        paths.append(path)
    return paths


# --- The message --------------------------------------------------------------------------


def load_template(bok: Arbeidsbok, maler: Path | None = None) -> jinja2.Template:
    """The e-mail template (`epost.txt`) of the template folder, compiled without autoescape."""
    path = TemplateSet(bok, maler).epost
    if not path.is_file():
        raise TemplateError([Problem(str(path.parent), f"e-postmalen «{path.name}» mangler i malmappen")])
    env = make_jinja_env(autoescape=False, locale="nn" if bok.kommune.malform == "nynorsk" else "nb")
    try:
        template = env.from_string(path.read_text(encoding="utf-8-sig"))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError([describe_template_error(f"{path.name} linje {exc.lineno}", exc)])
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError([Problem(str(path), f"kan ikke lese e-postmalen: {exc}")])
    template.name = path.name
    return template


def render_text(template: jinja2.Template, context: dict) -> tuple[str, str]:
    """(subject, body) from the e-mail template, whose first line is `Emne: …`."""
    name = template.name or "epost.txt"
    try:
        text = template.render(context)
    except jinja2.TemplateError as exc:
        raise TemplateError([describe_template_error(name, exc)])
    first, _, body = text.lstrip().partition("\n")
    key, colon, subject = first.partition(":")
    if not colon or key.strip().lower() != "emne":
        raise TemplateError([Problem(f"{name} linje 1", "første linje må være «Emne: …» (e-postens emne)")])
    # A line break in workbook data must not become a broken (or injected) header.
    subject = " ".join(subject.split())
    if not subject:
        raise TemplateError([Problem(f"{name} linje 1", "emnet er tomt")])
    return subject, body.lstrip("\r\n")


def _address(navn: str, epost: str) -> str:
    return formataddr((navn, epost), charset="utf-8") if navn else epost


def recipients(bok: Arbeidsbok, leder: Leder) -> tuple[str, str]:
    """(to, cc) addresses: the leader and the superior; cc is "" without an address."""
    overordnet = bok.overordnet(leder)
    cc = overordnet.epost.strip() if overordnet else ""
    to = leder.epost.strip()
    return to, "" if cc.lower() == to.lower() else cc


def _attachment(path: Path) -> MIMEApplication:
    part = MIMEApplication(path.read_bytes(), DOCX_SUBTYPE)
    name = path.name
    if name.isascii():
        part.add_header("Content-Disposition", "attachment", filename=name)
        part.set_param("name", name)
    else:
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        part.set_param("name", Header(name, "utf-8").encode())
    return part


def build_message(
    bok: Arbeidsbok,
    leder: Leder,
    folder: Path,
    entry: LeaderEntry,
    template: jinja2.Template,
    draft: bool,
    today: date | None = None,
) -> Epost:
    """One leader's message with the agreement and appendix from disk attached.

    `folder` is `<ut>/<år>`; `entry` is the leader's manifest entry. A draft carries
    `X-Unsent: 1` (Outlook opens it for editing); a message to send carries a Message-ID.
    """
    to, cc = recipients(bok, leder)
    if not to:
        raise MailError(f"{label(leder)}: har ingen e-postadresse i arket Ledere")
    subject, body = render_text(template, agreement_context(bok, leder, today))
    # The e-mail text is as public as the agreement: same guard against leaked goals.
    privacy_guard(bok, leder, f"{subject}\n{body}")
    paths = attachment_paths(folder, leder, entry)
    sender = bok.kommune.avsender.strip()
    overordnet = bok.overordnet(leder)

    message = MIMEMultipart()
    if sender:
        message["From"] = _address(bok.kommune.navn, sender)
    message["To"] = _address(leder.navn, to)
    if cc:
        message["Cc"] = _address(overordnet.navn, cc)
    message["Subject"] = Header(subject, "utf-8")
    message["Date"] = formatdate(localtime=True)
    if draft:
        message["X-Unsent"] = "1"
    else:
        domain = sender.rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(domain=domain)
    charset = Charset("utf-8")
    charset.body_encoding = QP
    message.attach(MIMEText(body, "plain", charset))
    for path in paths:
        message.attach(_attachment(path))
    return Epost(leder, message, sender, [a for a in (to, cc) if a])


def _prepare(
    bok: Arbeidsbok,
    chosen: list[Leder],
    folder: Path,
    entries: dict[str, LeaderEntry],
    template: jinja2.Template,
    draft: bool,
    warn: Warn,
) -> tuple[list[Epost], list[str]]:
    """Messages for the chosen leaders, and the failure lines for those that got none."""
    # Render every text first: a template mistake stops the run before anything is
    # written or sent.
    with_address = []
    for leder in chosen:
        if not leder.epost.strip():
            warn(f"{label(leder)} har ingen e-postadresse (arket Ledere rad {leder.rad}); ingen e-post")
            continue
        subject, body = render_text(template, agreement_context(bok, leder))
        privacy_guard(bok, leder, f"{subject}\n{body}")
        with_address.append(leder)
    messages, failures = [], []
    for leder in with_address:
        if not recipients(bok, leder)[1]:
            warn(f"{label(leder)}: overordnet har ingen e-postadresse; e-posten får ingen kopimottaker")
        entry = entries.get(leder.ansattnr)
        if entry is None:
            failures.append(f"{label(leder)}: dokumentene er ikke generert; kjør generer for denne lederen")
            continue
        try:
            messages.append(build_message(bok, leder, folder, entry, template, draft))
        except MailError as exc:
            failures.append(str(exc))
    return messages, failures


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
    require_generated(folder, workbook)
    if not bok.kommune.avsender.strip():
        warn("Arket Kommune har ingen Avsender; utkastene får ingen avsenderadresse (From)")
    # generer must not rewrite the documents while they are read.
    with RunLock(folder):
        entries = load_generated(folder, workbook)
        messages, failures = _prepare(bok, chosen, folder, entries, template, True, warn)
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


# --- Sending ------------------------------------------------------------------------------


def smtp_settings(
    host: str | None = None,
    port: int | str | None = None,
    user: str | None = None,
    password: str | None = None,
    tls: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
    environ: dict | None = None,
) -> SmtpSettings:
    """Server settings: what is given, else the LEDERAVTALE_SMTP_* environment variables."""
    env = os.environ if environ is None else environ
    host = (host or env.get(ENV_HOST, "")).strip()
    if not host:
        raise MailError(
            f"Ingen SMTP-server er oppgitt. Bruk --smtp-vert VERT (og --smtp-port PORT), "
            f"eller miljøvariablene {ENV_HOST} og {ENV_PORT}."
        )
    raw_port = port if port not in (None, "") else env.get(ENV_PORT, "") or DEFAULT_PORT
    try:
        port = int(str(raw_port).strip())
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise MailError(f"Ugyldig SMTP-port «{raw_port}» (--smtp-port eller {ENV_PORT}): bruk et tall, f.eks. 587")
    user = (user if user is not None else env.get(ENV_USER, "")).strip()
    password = password if password is not None else env.get(ENV_PASSWORD, "")
    if user and not password:
        raise MailError(f"{ENV_USER} er satt, men passordet mangler: sett miljøvariabelen {ENV_PASSWORD}.")
    if user and not tls:
        raise MailError("Innlogging uten TLS er ikke tillatt: passordet ville gått ukryptert. Fjern --ingen-tls.")
    return SmtpSettings(host, port, user, password, tls, timeout, ssl_context)


def _read_records(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        # Guessing here could send everyone a second message.
        raise MailError(f"{path} kan ikke leses ({exc}). Rett eller fjern filen før du sender.")
    if not isinstance(data, dict):
        raise MailError(f"{path} har feil innhold. Rett eller fjern filen før du sender.")
    return data


def _write_records(path: Path, records: dict[str, dict]) -> None:
    text = json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


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
    sent = _read_records(mappe / SENT_FILE)
    uncertain = _read_records(mappe / UNCERTAIN_FILE)
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
    messages, failures = _prepare(bok, pending, folder, entries, template, False, warn)
    return SendPlan(messages, [label(leder) for leder in earlier], [label(leder) for leder in unknown]), failures


class _ConnectionLost(Exception):
    """The connection broke; `uncertain` when the whole message had been sent already."""

    def __init__(self, reason: str, uncertain: bool):
        super().__init__(reason)
        self.uncertain = uncertain


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, encrypted (unless --ingen-tls) and logged-in connection, or MailError."""
    where = f"{settings.host}:{settings.port}"
    smtp = None
    try:
        context = settings.ssl_context or ssl.create_default_context()
        if settings.tls and settings.port == 465:
            # Port 465 is SMTP over TLS from the first byte; STARTTLS is for the others.
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
            smtp.ehlo()
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            smtp.ehlo()
            if settings.tls:
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"SMTP-serveren {where} tilbyr ikke STARTTLS (kryptering). Ingenting er sendt. "
                        f"Bruk --ingen-tls bare for en relay-server på egen maskin (localhost)."
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password)
        return smtp
    except MailError:
        _close(smtp)
        raise
    except smtplib.SMTPAuthenticationError as exc:
        _close(smtp)
        raise MailError(f"Innlogging på SMTP-serveren {where} ble avvist ({_reply(exc.smtp_code, exc.smtp_error)}). Ingenting er sendt.")
    except ssl.SSLError as exc:
        _close(smtp)
        raise MailError(f"TLS mot SMTP-serveren {where} feilet ({exc.reason or exc}). Ingenting er sendt.")
    except OSError as exc:  # includes every smtplib.SMTPException
        _close(smtp)
        raise MailError(f"Får ikke kontakt med SMTP-serveren {where} ({_describe(exc)}). Ingenting er sendt.")


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except OSError:
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


def _describe(exc: BaseException) -> str:
    # smtplib reports a timeout while waiting for a reply as SMTPServerDisconnected.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return "serveren sluttet å svare"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"serveren avsluttet forbindelsen: {_reply(exc.smtp_code, exc.smtp_error)}"
    return f"forbindelsen brøt: {exc or type(exc).__name__}"


def transmit(smtp: smtplib.SMTP, epost: Epost) -> dict[str, str]:
    """Send one message. Returns the copy recipients (Cc) the server refused, if any.

    Raises SMTPSenderRefused, SMTPRecipientsRefused or SMTPDataError when the server
    refuses the message, and _ConnectionLost when the connection breaks. The steps are
    those of `SMTP.sendmail`, taken one by one to know whether a lost reply came after
    the message had been handed over.
    """
    refused: dict[str, tuple[int, bytes]] = {}
    try:
        code, reply = _checked(smtp.mail(epost.sender))
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, reply, epost.sender)
        for address in epost.recipients:
            code, reply = _checked(smtp.rcpt(address))
            if code not in (250, 251):
                refused[address] = (code, reply)
        # Without the leader the message has missed its point: send it later, whole.
        if epost.recipients[0] in refused:
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
        raise
    except OSError as exc:  # also SMTPServerDisconnected
        raise _ConnectionLost(_describe(exc), uncertain=False)
    try:
        code, reply = smtp.data(epost.as_bytes())
    except smtplib.SMTPResponseException:
        _reset(smtp)
        raise
    except OSError as exc:
        # The server may have taken the message and then gone quiet.
        raise _ConnectionLost(_describe(exc), uncertain=True)
    if code == 421:
        raise _ConnectionLost(_describe(smtplib.SMTPResponseException(code, reply)), uncertain=False)
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return {address: _reply(*answer) for address, answer in refused.items()}


def _reset(smtp: smtplib.SMTP) -> None:
    """Clear a refused transaction so the connection can carry the next message."""
    try:
        smtp.rset()
    except OSError:
        pass  # a broken connection shows up, and is handled, at the next message


def _checked(answer: tuple[int, bytes]) -> tuple[int, bytes]:
    """421 means the server is closing the connection: the message was not taken."""
    code, reply = answer
    if code == 421:
        raise smtplib.SMTPServerDisconnected(_reply(code, reply))
    return code, reply


def _refusal(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {_reply(*answer)}" for address, answer in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return str(exc)


class _Connection:
    """The run's one SMTP connection, reopened at most once when it breaks."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = connect(settings)
        self.reopened = False
        self.broken = ""  # why sending stopped, once the connection is gone for good

    def transmit(self, epost: Epost) -> dict[str, str]:
        """Send one message, once more over a new connection if the old one had broken."""
        try:
            return transmit(self.smtp, epost)
        except _ConnectionLost as lost:
            if lost.uncertain or not self.reopen(str(lost)):
                raise
        return transmit(self.smtp, epost)

    def reopen(self, reason: str) -> bool:
        self.close()
        if self.reopened or self.broken:
            self.broken = self.broken or reason
            return False
        self.reopened = True
        try:
            self.smtp = connect(self.settings)
        except MailError as exc:
            self.broken = str(exc)
            return False
        return True

    def close(self) -> None:
        _close(self.smtp)
        self.smtp = None


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
    require_generated(folder, workbook)
    result = SendResult()
    warn = _collecting(result.advarsler, warn)
    # One run at a time: two senders reading the same sendt.json would both send.
    with RunLock(folder):
        entries = load_generated(folder, workbook)
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
    records = _Records(mappe)
    failures: list[str] = []
    connection = _Connection(settings)
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


def _deliver_one(connection: _Connection, epost: Epost, records: "_Records", result: SendResult) -> list[str]:
    who, nr = label(epost.leder), epost.leder.ansattnr
    try:
        refused = connection.transmit(epost)
    except smtplib.SMTPException as exc:
        return [f"{who}: serveren avviste e-posten ({_refusal(exc)})"]
    except _ConnectionLost as lost:
        connection.reopen(str(lost))
        if not lost.uncertain:
            return [f"{who}: ikke sendt ({lost})"]
        records.uncertain(nr, _record(epost, epost.recipients))
        return [
            f"{who}: usikkert om e-posten kom fram ({lost}). Den sendes ikke på nytt automatisk; "
            f"kontroller, og bruk --leder {nr} --send-igjen om den mangler."
        ]
    records.sent(nr, _record(epost, [a for a in epost.recipients if a not in refused]))
    result.sendt.append(nr)
    return [f"{who}: sendt, men serveren avviste mottakeren {a} ({reason})" for a, reason in refused.items()]


class _Records:
    """sendt.json and usikker.json, rewritten atomically after every message."""

    def __init__(self, mappe: Path):
        self.sent_path, self.uncertain_path = mappe / SENT_FILE, mappe / UNCERTAIN_FILE
        self.sent_records = _read_records(self.sent_path)
        self.uncertain_records = _read_records(self.uncertain_path)

    def sent(self, nr: str, record: dict) -> None:
        self.sent_records[nr] = record
        _write_records(self.sent_path, self.sent_records)
        if self.uncertain_records.pop(nr, None) is not None:
            _write_records(self.uncertain_path, self.uncertain_records)

    def uncertain(self, nr: str, record: dict) -> None:
        self.uncertain_records[nr] = record
        _write_records(self.uncertain_path, self.uncertain_records)


def _record(epost: Epost, accepted: list[str]) -> dict:
    """What sendt.json keeps of a message: never its text, which could quote goals."""
    return {
        "message_id": epost.message["Message-ID"],
        "tid": datetime.now().astimezone().isoformat(timespec="seconds"),
        "mottakere": accepted,
    }
