"""One leader's e-mail: the text from `epost.txt` (or `epost_oppfolging.txt`, `epost_paminnelse.txt`), the
leader in To, the superior in Cc, the documents attached.

The message is built with the email package's compat32 classes on purpose: with
`email.policy.default`, Python (seen with 3.11) folds a Content-Type that carries a non-ASCII
`name=` by encoding the MIME type itself as an encoded word (`application/=?utf-8?q?…`),
which breaks the attachment in every client. compat32 gives what Thunderbird sends:
`filename*=utf-8''…` (RFC 2231) in Content-Disposition and an RFC 2047 `name="=?utf-8?…"`
in Content-Type for Outlook.

Privacy: the body comes from the agreement's context, which never holds development
goals, and passes the same guard as the agreement. A leader's exempt document (the appendix in January,
the follow-up conversation's appendix in the autumn) goes to the leader and the superior only, in a
message marked `Sensitivity: Private`, or not at all (`--uten-vedlegg`, and never with a reminder).

An exempt document is e-mailed only to the parties' own mailboxes (`addressing`). The ordfører's counts
as one only when Vedlegg til ordfører is ja: by default the kommunedirektør's agreement mail, which has the
ordfører on Cc, leaves the appendix out, and the e-mail templates get `vedlegg_utelatt` to say how it is
handed over instead. The kommunedirektør's follow-up mail goes in copy to the political secretariat
(Politisk sekretariat) instead of the ordfører's own mailbox, and replies go there, not to HR; the
templates get its address as `politisk_sekretariat`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from typing import Callable

import jinja2

from ..documents.context import agreement_context, babel_locale
from ..documents.jinja import explain, make_jinja_env
from ..documents.kinds import AGREEMENT, APPENDIX, FOLLOW_UP, FOLLOW_UP_APPENDIX, REMINDER_TEXT, Kind
from ..documents.privacy import PrivacyGuard
from ..documents.templates import TemplateSet
from ..exceptions import MailError, TemplateError
from ..model import Arbeidsbok, Leder, Problem
from ..store.manifest import LeaderEntry
from ..advice import run

DOCX_SUBTYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"

@dataclass(frozen=True)
class Mailing:
    """One kind of e-mail: the documents it attaches, its text (its own template, else its first kind's),
    and where its drafts and send records go (below `<år>/epost/`), so that sending one kind never counts
    as having sent the other."""

    kinds: tuple[Kind, ...]  # the attached .docx files, in order
    subfolder: str = ""
    # The e-mail template's file when it is not the first kind's `email`: the reminder attaches the
    # agreement, but is not the agreement's mail.
    email_template: str = ""
    # Sent again in a later round (the reminder): a send record from an earlier day does not hold a
    # leader back, and sendt.json keeps every time the server took one (delivery.plan).
    repeats: bool = False
    resend_advice: str = "send_igjen"  # the advice (advice.py) for sending one leader's message again
    # The exempt documents of the full mailing that this run leaves out (--uten-vedlegg): the e-mail
    # templates' `vedlegg_utelatt` is true.
    left_out: tuple[Kind, ...] = ()
    # The kommunedirektør's copy goes to the political secretariat, when the sheet Kommune has one, instead
    # of the ordfører's own mailbox, and replies go there rather than to HR (`addressing`).
    political: bool = False

    @property
    def template(self) -> str:
        """The e-mail template's file in the template folder."""
        return self.email_template or self.kinds[0].email

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(kind.rolle for kind in self.kinds)

    @property
    def private(self) -> bool:
        """Attaches a document exempt from public access: `Sensitivity: Private`."""
        return not all(kind.public for kind in self.kinds)

    @property
    def command(self) -> str:
        """The command that makes the documents, for «kjør … for denne lederen»."""
        return self.kinds[0].command


AGREEMENT_MAIL = Mailing((AGREEMENT, APPENDIX))  # the agreement first, then the appendix
AGREEMENT_ONLY_MAIL = Mailing((AGREEMENT,), left_out=(APPENDIX,))  # --uten-vedlegg
# --oppfolging: the public follow-up document, then its exempt appendix (the development goals followed up; the
# kommunedirektør's: the ordfører's evaluation and his own), as the agreement's mail carries the appendix. The
# kommunedirektør's evaluation is the kommunestyre's business: its copy goes to the political secretariat, which
# prepares it for the ordfører (and the opposisjonsleder, who has no address here), and so without the appendix.
FOLLOW_UP_MAIL = Mailing((FOLLOW_UP, FOLLOW_UP_APPENDIX), "oppfolging", political=True)
FOLLOW_UP_ONLY_MAIL = Mailing((FOLLOW_UP,), "oppfolging", left_out=(FOLLOW_UP_APPENDIX,), political=True)
# Each mailing with an exempt document, and the same mailing without it (--uten-vedlegg, the settings).
WITHOUT_EXEMPT = {AGREEMENT_MAIL.template: AGREEMENT_ONLY_MAIL, FOLLOW_UP_MAIL.template: FOLLOW_UP_ONLY_MAIL}
# --paminnelse: to leaders who have not signed. The public agreement alone, never the exempt appendix: a
# reminder goes again, to inboxes a secretary may read, and the leader has the appendix already.
REMINDER_MAIL = Mailing((AGREEMENT,), "paminnelse", email_template=REMINDER_TEXT, repeats=True,
                        resend_advice="send_igjen_paminnelse")
# Whitespace and control characters: in a header, a line break from a workbook cell would
# start a new header (`Bcc: …`), and the email package refuses to write it.
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")

# .eml files and SMTP both want CRLF line ends.
_WIRE = compat32.clone(linesep="\r\n")

Warn = Callable[[str], None]


@dataclass
class Epost:
    """One leader's message, ready to write or send."""

    leder: Leder
    message: Message
    sender: str  # envelope sender ("" in a draft without Avsender)
    recipients: list[str]  # envelope recipients: the leader, then the superior (or the political secretariat)
    # What HR must know of this leader's message: an exempt document left out and how it is handed over
    # instead, the copy to the political secretariat. For the run's notices and the confirmation list.
    notices: list[str] = field(default_factory=list)
    withheld: tuple[Kind, ...] = ()  # exempt documents this leader's message leaves out by `addressing`'s rule

    def as_bytes(self) -> bytes:
        return self.message.as_bytes(policy=_WIRE)


def label(leder: Leder) -> str:
    return f"{leder.ansattnr} {leder.navn}"


def flatten(text: str) -> str:
    """`text` on one line, fit for a header: every run of whitespace or control characters is one space."""
    return _BREAKS.sub(" ", text).strip()


def attachment_paths(folder: Path, leder: Leder, entry: LeaderEntry, mailing: Mailing = AGREEMENT_MAIL,
                     kinds: tuple[Kind, ...] | None = None) -> list[Path]:
    """The leader's documents (.docx) the mailing attaches (`kinds`: those of them that go to this leader,
    `Addressing.kinds`), as listed in the manifest.

    Raises MailError when a file is missing, so that this leader is reported and skipped.
    """
    if entry.ansattnr != leder.ansattnr:
        raise MailError(f"{label(leder)}: manifest.json hører til en annen leder")
    own_folder = (folder / entry.mappe).resolve()
    paths = []
    for kind in mailing.kinds if kinds is None else kinds:
        file = entry.file(kind.rolle, "docx")
        if file is None:
            raise MailError(f"{label(leder)}: manifest.json har ingen Word-fil med rolle «{kind.rolle}»; "
                            f"{run(kind.command)} på nytt")
        path = (folder / file.sti).resolve()
        # The manifest is a file people can edit; never attach anything outside the
        # leader's own folder, which could be another leader's appendix.
        if own_folder not in path.parents:
            raise MailError(f"{label(leder)}: {file.sti} ligger ikke i lederens mappe «{entry.mappe}»")
        if not path.is_file():
            raise MailError(f"{label(leder)}: filen mangler: {file.sti}")
        paths.append(path)
    return paths


@dataclass
class MailTemplate:
    """`epost.txt` with its subject line and its body compiled apart, so that a line break in
    a workbook value cannot end the subject early and push the rest of it into the body."""

    name: str
    subject: jinja2.Template
    body: jinja2.Template


# What error messages call a text stored on the web page's Innstillinger (innstillinger.json), by the
# file in the template folder it replaces.
STORED_TEXT_NAMES = {
    "epost.txt": "e-postteksten på siden Innstillinger",
    "epost_oppfolging.txt": "e-postteksten for oppfølgingen på siden Innstillinger",
    REMINDER_TEXT: "e-postteksten for påminnelsen på siden Innstillinger",
}

# E-mail texts that came after `init` had copied template folders: a folder made before has none, and
# the tool's own text is used (`template_file`), where a missing older text is an error.
LATER_TEMPLATES = (REMINDER_TEXT,)


def template_file(bok: Arbeidsbok, maler: Path | None = None, mailing: Mailing = AGREEMENT_MAIL) -> Path:
    """The mailing's template file: the template folder's, in the workbook's målform; for a text the folder
    may predate (LATER_TEMPLATES), the tool's own when the folder has none."""
    path = TemplateSet(bok, maler).base / mailing.template
    if not path.is_file() and mailing.template in LATER_TEMPLATES:
        own = TemplateSet(bok).base / mailing.template
        if own.is_file():
            return own
    return path


def template_source(bok: Arbeidsbok, maler: Path | None = None, mailing: Mailing = AGREEMENT_MAIL) -> str:
    """The text of the mailing's e-mail template (`epost.txt`) in the template folder."""
    path = template_file(bok, maler, mailing)
    if not path.is_file():
        raise TemplateError([Problem(str(path.parent), f"e-postmalen «{path.name}» mangler i malmappen")])
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError([Problem(str(path), f"kan ikke lese e-postmalen: {exc}")])


def load_template(bok: Arbeidsbok, maler: Path | None = None, mailing: Mailing = AGREEMENT_MAIL,
                  text: str = "") -> MailTemplate:
    """The mailing's e-mail template, compiled without autoescape: `text` when it is not empty (the text
    stored on the page Innstillinger), else the template folder's file (`epost.txt`)."""
    if text.strip():
        return compile_template(text, STORED_TEXT_NAMES[mailing.template], babel_locale(bok.kommune),
                                "E-postteksten har feil. Ingenting er skrevet.")
    return compile_template(template_source(bok, maler, mailing), mailing.template, babel_locale(bok.kommune))


def compile_template(source: str, name: str, locale: str = "nb", heading: str | None = None) -> MailTemplate:
    """An e-mail text whose first line is «Emne: …»; `name` is what errors call it (`epost.txt linje 3`)."""
    source = source.replace("\r\n", "\n")  # a browser's text field sends CRLF
    text = source.lstrip()
    above = source[: len(source) - len(text)].count("\n")  # blank lines before the subject
    first, _, rest = text.partition("\n")
    key, colon, subject = first.partition(":")
    if not colon or key.strip().lower() != "emne":
        raise TemplateError([Problem(f"{name} linje {above + 1}", "første linje må være «Emne: …» (e-postens emne)")],
                            heading)
    env = make_jinja_env(autoescape=False, locale=locale)
    try:
        # Padded with line breaks, so that an error names its line in epost.txt.
        return MailTemplate(name, env.from_string("\n" * above + subject),
                            env.from_string("\n" * (above + 1) + rest))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError([explain(f"{name} linje {exc.lineno}", exc)], heading)


def render_text(template: MailTemplate, context: dict) -> tuple[str, str]:
    """(subject, body) from the e-mail template; the subject on one line."""
    try:
        subject = flatten(template.subject.render(context))
        body = template.body.render(context)
    except jinja2.TemplateError as exc:
        raise TemplateError([explain(template.name, exc)])
    if not subject:
        raise TemplateError([Problem(f"{template.name} linje 1", "emnet er tomt")])
    return subject, body.lstrip("\r\n")


def _address(navn: str, epost: str) -> str:
    navn = flatten(navn)
    return formataddr((navn, epost), charset="utf-8") if navn else epost


# The name the political secretariat's address is shown with in Cc (the same word in both målformer).
POLITISK_SEKRETARIAT = "Politisk sekretariat"


@dataclass(frozen=True)
class Addressing:
    """Who one leader's message goes to, and which of the mailing's documents it carries.

    An exempt document (the appendix) goes only to the parties' own mailboxes: the leader's, and the
    superior's in Cc. The ordfører's counts as the kommunedirektør's superior's own only with Vedlegg til
    ordfører = ja (a secretary often reads it); the political secretariat's never does. So the
    kommunedirektør's message leaves an exempt document out (`withheld`) when either is in Cc, and says so.
    """

    to: str
    cc: str  # "" when nobody is in copy
    cc_navn: str
    reply_to: str  # "" : replies go to the sender (HR)
    kinds: tuple[Kind, ...]  # the documents attached, in the mailing's order
    withheld: tuple[Kind, ...] = ()  # exempt documents of the mailing left out for this leader
    politisk_sekretariat: bool = False  # the copy (and replies) go to the political secretariat


def is_kommunedirektor(bok: Arbeidsbok, leder: Leder) -> bool:
    """The kommunedirektør: the leader whose agreement is with the ordfører, as the templates know it."""
    return bok.er_kommunedirektor(leder)


def addressing(bok: Arbeidsbok, leder: Leder, mailing: Mailing = AGREEMENT_MAIL) -> Addressing:
    """The leader in To, the superior in Cc (the kommunedirektør's follow-up: the political secretariat,
    when the sheet Kommune has one), and the mailing's documents that may go to them."""
    kommune = bok.kommune
    to = leder.epost.strip()
    overordnet = bok.overordnet(leder)
    cc, cc_navn = (overordnet.epost.strip(), overordnet.navn) if overordnet else ("", "")
    top = is_kommunedirektor(bok, leder)
    sekretariat = kommune.politisk_sekretariat.strip()
    political = mailing.political and top and bool(sekretariat)
    if political:
        cc, cc_navn = sekretariat, POLITISK_SEKRETARIAT
    if cc.lower() == to.lower():
        cc = ""
    # Whether the copy goes to a mailbox that is not a party's own, as far as exempt documents go.
    foreign = bool(cc) and (political or (top and not kommune.vedlegg_til_ordforer))
    withheld = tuple(kind for kind in mailing.kinds if not kind.public) if foreign else ()
    return Addressing(to, cc, cc_navn if cc else "", sekretariat if political else "",
                      tuple(kind for kind in mailing.kinds if kind not in withheld), withheld, political)


def recipients(bok: Arbeidsbok, leder: Leder, mailing: Mailing = AGREEMENT_MAIL) -> tuple[str, str]:
    """(to, cc) addresses: the leader and the superior (see `addressing`); cc is "" without an address."""
    where = addressing(bok, leder, mailing)
    return where.to, where.cc


def mail_context(bok: Arbeidsbok, leder: Leder, mailing: Mailing = AGREEMENT_MAIL, today: date | None = None) -> dict:
    """What an e-mail template is filled from: the agreement's context (never a development goal), and

    - `vedlegg_utelatt`: true when an exempt document of this mail (the appendix) is not attached: left
      out by the run (--uten-vedlegg, or the settings), or for the kommunedirektør because the ordfører is
      in copy and Vedlegg til ordfører is nei; the text can then say how it is handed over instead;
    - `politisk_sekretariat`: the political secretariat's address when this message goes in copy to it
      (the kommunedirektør's follow-up) and replies go there, else "".
    """
    where = addressing(bok, leder, mailing)
    return {**agreement_context(bok, leder, today), "vedlegg_utelatt": bool(where.withheld or mailing.left_out),
            "politisk_sekretariat": where.reply_to}




def _notices(bok: Arbeidsbok, leder: Leder, where: Addressing) -> list[str]:
    notices = []
    if where.politisk_sekretariat:
        notices.append(f"{label(leder)}: kopien går til det politiske sekretariatet ({where.cc}) i stedet for til "
                       "ordføreren, og svar på e-posten går dit, ikke til HR")
    if where.withheld:
        what = " og ".join(kind.navn[0] for kind in where.withheld)
        if where.politisk_sekretariat:
            why = "e-posten går i kopi til det politiske sekretariatet"
        else:
            overordnet = bok.overordnet(leder)
            why = (f"ordføreren ({overordnet.navn if overordnet else ''}) får kopi, og Vedlegg til ordfører er nei "
                   f"({bok.kommune.celle('vedlegg_til_ordforer', 'Vedlegg til ordfører')}): en sekretær leser ofte "
                   "ordførerens e-post")
        notices.append(f"{label(leder)}: {what} (unntatt offentlighet) legges ikke ved e-posten, fordi {why}. "
                       f"Gi kommunedirektøren og ordføreren {what} på annen måte, for eksempel på papir i samtalen "
                       "eller i sak/arkiv-systemet")
    return notices


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
    template: MailTemplate,
    draft: bool,
    guard: PrivacyGuard,
    today: date | None = None,
    mailing: Mailing = AGREEMENT_MAIL,
    sender: str | None = None,
) -> Epost:
    """One leader's message with the mailing's documents from disk attached.

    `folder` is `<ut>/<år>`; `entry` is the leader's manifest entry. A draft carries
    `X-Unsent: 1` (Outlook opens it for editing); a message to send carries a Message-ID.
    `sender` replaces the sheet Kommune's Avsender (the one stored on the page Innstillinger).
    """
    where = addressing(bok, leder, mailing)
    to, cc = where.to, where.cc
    if not to:
        raise MailError(f"{label(leder)}: har ingen e-postadresse i arket Ledere")
    subject, body = render_text(template, mail_context(bok, leder, mailing, today))
    # The e-mail text is as public as the agreement: same guard against leaked goals.
    guard.check(f"{subject}\n{body}", leder, ("e-posten", "E-posten"))
    paths = attachment_paths(folder, leder, entry, mailing, where.kinds)
    sender = (bok.kommune.avsender if sender is None else sender).strip()

    message = MIMEMultipart()
    if sender:
        message["From"] = _address(bok.kommune.navn, sender)
    message["To"] = _address(leder.navn, to)
    if cc:
        message["Cc"] = _address(where.cc_navn, cc)
    if where.reply_to:
        message["Reply-To"] = _address(POLITISK_SEKRETARIAT, where.reply_to)
    message["Subject"] = Header(subject, "utf-8")
    message["Date"] = formatdate(localtime=True)
    if not all(kind.public for kind in where.kinds):
        # The appendix is exempt from public access: Outlook shows the message as private,
        # a reminder to the leader and the superior not to pass it on.
        message["Sensitivity"] = "Private"
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
    return Epost(leder, message, sender, [a for a in (to, cc) if a], _notices(bok, leder, where), where.withheld)


def prepare_messages(
    bok: Arbeidsbok,
    chosen: list[Leder],
    folder: Path,
    entries: dict[str, LeaderEntry],
    template: MailTemplate,
    draft: bool,
    warn: Warn,
    mailing: Mailing = AGREEMENT_MAIL,
    sender: str | None = None,
) -> tuple[list[Epost], list[str]]:
    """Messages for the chosen leaders, and the failure lines for those that got none."""
    # Render every text first: a template mistake stops the run before anything is
    # written or sent.
    guard = PrivacyGuard(bok)
    with_address = []
    for leder in chosen:
        if not leder.epost.strip():
            warn(f"{label(leder)} har ingen e-postadresse (arket Ledere rad {leder.rad}); ingen e-post")
            continue
        subject, body = render_text(template, mail_context(bok, leder, mailing))
        guard.check(f"{subject}\n{body}", leder, ("e-posten", "E-posten"))
        with_address.append(leder)
    messages, failures = [], []
    for leder in with_address:
        if not recipients(bok, leder, mailing)[1]:
            warn(f"{label(leder)}: overordnet har ingen e-postadresse; e-posten får ingen kopimottaker")
        entry = entries.get(leder.ansattnr)
        if entry is None:
            failures.append(f"{label(leder)}: dokumentene er ikke generert; {run(mailing.command)} for denne lederen")
            continue
        try:
            messages.append(build_message(bok, leder, folder, entry, template, draft, guard=guard, mailing=mailing,
                                          sender=sender))
        except MailError as exc:
            failures.append(str(exc))
    return messages, failures
