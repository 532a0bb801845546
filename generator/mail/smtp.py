"""SMTP: settings, an encrypted and logged-in connection, and one message at a time.

Each message is sent step by step (MAIL, RCPT, DATA) rather than with `sendmail`, to know
whether a lost reply came after the whole message had been handed over: then it may have
been delivered, and it must not be sent again automatically.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field

from ..exceptions import MailError
from ..store.settings import Innstillinger
from .message import Epost

DEFAULT_PORT = 587
DEFAULT_TIMEOUT = 60.0

ENV_HOST = "LEDERAVTALE_SMTP_VERT"
ENV_PORT = "LEDERAVTALE_SMTP_PORT"
ENV_USER = "LEDERAVTALE_SMTP_BRUKER"
ENV_PASSWORD = "LEDERAVTALE_SMTP_PASSORD"


@dataclass
class SmtpSettings:
    host: str
    port: int = DEFAULT_PORT
    user: str = ""
    password: str = field(default="", repr=False)  # never in a traceback or log line
    tls: bool = True
    timeout: float = DEFAULT_TIMEOUT
    ssl_context: ssl.SSLContext | None = None  # None: the system's trusted CAs


class SmtpError(MailError):
    """A setting that is missing or wrong, or a server that cannot be reached or logged in to.

    `str()` is the terminal's text, which may name the command line's options; `page` says the same for
    the web page, which has no options, only the page Innstillinger, and shows no Python error text.
    """

    def __init__(self, text: str, page: str):
        super().__init__(text)
        self.page = page


def environment_value(name: str, environ: dict | None = None) -> str:
    """An LEDERAVTALE_SMTP_* variable, "" when unset or blank (a blank one decides nothing). Not stripped
    otherwise: a password may end in a space."""
    env = os.environ if environ is None else environ
    value = env.get(name, "")
    return value if value.strip() else ""


def smtp_settings(
    host: str | None = None,
    port: int | str | None = None,
    user: str | None = None,
    password: str | None = None,
    tls: bool | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
    environ: dict | None = None,
    stored: Innstillinger | None = None,
) -> SmtpSettings:
    """Server settings, each from the first place that has it: what is given (the command line's options),
    the LEDERAVTALE_SMTP_* environment variables (IT's, on a server), `stored` (the output folder's
    innstillinger.json), the defaults. TLS has no variable: the option (--ingen-tls), else the stored choice."""
    stored = stored or Innstillinger()
    host = (host or environment_value(ENV_HOST, environ).strip() or stored.smtp_vert).strip()
    if not host:
        raise SmtpError(
            f"Ingen SMTP-server er oppgitt. Bruk --smtp-vert VERT (og --smtp-port PORT), "
            f"eller miljøvariablene {ENV_HOST} og {ENV_PORT}, eller fyll inn serveren på nettsidens side "
            f"Innstillinger (lagres i innstillinger.json i utmappen).",
            "Ingen SMTP-server er fylt inn. Fyll inn SMTP-serveren på siden Innstillinger.")
    from_environment = False
    if port not in (None, ""):
        raw_port = port
    elif environment_value(ENV_PORT, environ):
        raw_port, from_environment = environment_value(ENV_PORT, environ).strip(), True
    else:
        raw_port = stored.smtp_port or DEFAULT_PORT
    try:
        port = int(str(raw_port).strip())
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        page = (f"SMTP-porten «{raw_port}» som IT har satt på serveren ({ENV_PORT}), er ikke et gyldig portnummer. "
                "Si fra til IT." if from_environment else
                f"SMTP-porten «{raw_port}» er ikke et gyldig portnummer. Rett porten på siden Innstillinger "
                "(et tall, f.eks. 587).")
        raise SmtpError(f"Ugyldig SMTP-port «{raw_port}» (--smtp-port eller {ENV_PORT}): bruk et tall, f.eks. 587",
                        page)
    user_from_environment = user is None and bool(environment_value(ENV_USER, environ))
    if user is None:
        user = environment_value(ENV_USER, environ) or stored.smtp_bruker
    user = user.strip()
    if password is None:
        password = environment_value(ENV_PASSWORD, environ) or stored.smtp_passord
    if user and not password:
        if user_from_environment:
            raise SmtpError(f"{ENV_USER} er satt, men passordet mangler: sett miljøvariabelen {ENV_PASSWORD}.",
                            "IT har satt brukernavnet for SMTP på serveren, men ikke passordet. Fyll inn passordet "
                            "på siden Innstillinger, eller si fra til IT.")
        raise SmtpError(f"Brukernavnet for SMTP er lagret i innstillinger.json, men passordet mangler: lagre passordet "
                        f"på nettsidens side Innstillinger, eller sett miljøvariabelen {ENV_PASSWORD}.",
                        "Brukernavnet for SMTP er fylt inn, men passordet mangler. Fyll inn passordet på siden "
                        "Innstillinger.")
    tls_option = tls is not None
    if tls is None:
        tls = stored.smtp_tls
    if user and not tls:
        fix = "Fjern --ingen-tls." if tls_option else \
            "Slå på kryptering (TLS) på nettsidens side Innstillinger (innstillinger.json i utmappen)."
        raise SmtpError(f"Innlogging uten TLS er ikke tillatt: passordet ville gått ukryptert. {fix}",
                        "Innlogging uten kryptering er ikke tillatt: passordet ville gått ukryptert. Kryss av for "
                        "«Krev kryptering (TLS)» på siden Innstillinger.")
    return SmtpSettings(host, port, user, password, tls, timeout, ssl_context)


class ConnectionLost(Exception):
    """The connection broke; `uncertain` when the whole message had been sent already."""

    def __init__(self, reason: str, uncertain: bool):
        super().__init__(reason)
        self.uncertain = uncertain


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, encrypted (unless TLS is off) and logged-in connection, or SmtpError."""
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
                    raise SmtpError(
                        f"SMTP-serveren {where} tilbyr ikke STARTTLS (kryptering). Ingenting er sendt. "
                        f"Bruk --ingen-tls bare for en relay-server på egen maskin (localhost).",
                        f"SMTP-serveren {where} tilbyr ikke kryptering (STARTTLS). Ingenting er sendt. Fjern krysset "
                        f"for «Krev kryptering (TLS)» på siden Innstillinger bare for en relay-server på samme maskin.")
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
        raise SmtpError(f"Innlogging på SMTP-serveren {where} ble avvist ({_reply(exc.smtp_code, exc.smtp_error)}). "
                        f"Ingenting er sendt.",
                        f"SMTP-serveren {where} godtok ikke brukernavnet og passordet. Ingenting er sendt. Sjekk "
                        f"brukernavn og passord på siden Innstillinger.")
    except ssl.SSLError as exc:
        _close(smtp)
        raise SmtpError(f"TLS mot SMTP-serveren {where} feilet ({exc.reason or exc}). Ingenting er sendt.",
                        _tls_words(exc, where))
    except OSError as exc:  # includes every smtplib.SMTPException
        _close(smtp)
        raise SmtpError(f"Får ikke kontakt med SMTP-serveren {where} ({_describe(exc)}). Ingenting er sendt.",
                        _contact_words(exc, settings))


def _tls_words(exc: ssl.SSLError, where: str) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"SMTP-serveren {where} viste et sertifikat denne maskinen ikke godtar, så den krypterte forbindelsen "
                "ble ikke satt opp. Ingenting er sendt. Sjekk at servernavnet er riktig, eller si fra til IT.")
    return (f"Den krypterte forbindelsen (TLS) til SMTP-serveren {where} kunne ikke settes opp. Ingenting er sendt. "
            "Sjekk porten (587 eller 465) på siden Innstillinger, eller si fra til IT.")


def _contact_words(exc: OSError, settings: SmtpSettings) -> str:
    """Why the server could not be reached, in words for the web page (no Python error text)."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, socket.gaierror):
        return (f"Finner ikke SMTP-serveren «{settings.host}». Ingenting er sendt. Sjekk navnet på siden "
                "Innstillinger.")
    if isinstance(exc, ConnectionRefusedError):
        return (f"SMTP-serveren {where} tar ikke imot forbindelser på denne porten. Ingenting er sendt. Sjekk "
                "server og port på siden Innstillinger.")
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return (f"SMTP-serveren {where} svarte ikke i tide. Ingenting er sendt. Sjekk server og port på siden "
                "Innstillinger, eller prøv igjen senere.")
    if isinstance(exc, smtplib.SMTPResponseException):
        return (f"SMTP-serveren {where} avsluttet forbindelsen. Ingenting er sendt. Prøv igjen senere, eller si fra "
                "til IT.")
    return (f"Får ikke kontakt med SMTP-serveren {where}. Ingenting er sendt. Sjekk server og port på siden "
            "Innstillinger, og at denne maskinen når serveren.")


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
    refuses the message, and ConnectionLost when the connection breaks. The steps are
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
        raise ConnectionLost(_describe(exc), uncertain=False)
    try:
        code, reply = smtp.data(epost.as_bytes())
    except smtplib.SMTPResponseException:
        _reset(smtp)
        raise
    except OSError as exc:
        # The server may have taken the message and then gone quiet.
        raise ConnectionLost(_describe(exc), uncertain=True)
    if code == 421:
        raise ConnectionLost(_describe(smtplib.SMTPResponseException(code, reply)), uncertain=False)
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


def refusal(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {_reply(*answer)}" for address, answer in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return str(exc)


class Connection:
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
        except ConnectionLost as lost:
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

    def close(self, wait: bool = True) -> None:
        """Say QUIT and close; `wait=False` closes at once, for Ctrl-C, which must not wait for a busy server."""
        if wait:
            _close(self.smtp)
        elif self.smtp is not None:
            self.smtp.close()
        self.smtp = None
