"""The page E-post: preview a leader's message, make the drafts, and send after HR has confirmed the list:
the agreement to every leader, again to one leader, a reminder to those who have not signed, and (from the
page Oppfølging og status) the follow-up document."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from email.header import decode_header, make_header

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...commands.email import mail_setup, mailing_for, reminder_leaders, reminders_sent, send, send_plan, write_drafts
from ...documents.privacy import PrivacyGuard
from ...exceptions import LederavtaleError
from ...mail.message import build_message
from ...mail.records import read_records
from ...mail.smtp import SmtpError, smtp_settings
from ...store.manifest import load_generated
from ...store.settings import load as load_settings
from ...store.year import SENT_FILE, YearFolder
from ..site import zip_response

PAGE = "/epost"
TITLE = "E-post"


def routes(web) -> list[Route]:
    page = MailPage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE + "/utkast", page.drafts, methods=["POST"]),
        Route(PAGE + "/utkast.zip", page.drafts_zip, methods=["GET"]),
        Route(PAGE + "/bekreft", page.confirm, methods=["POST"]),
        Route(PAGE + "/send", page.send, methods=["POST"]),
    ]


@dataclass(frozen=True)
class Sending:
    """One kind of e-mail the page sends, as the forms name it (`hva`)."""

    key: str
    what: str  # «avtalen»: what the confirmation page says goes out
    page: str  # where the sending's result is shown
    paminnelse: bool = False
    oppfolging: bool = False


SENDINGS = {s.key: s for s in (
    Sending("avtale", "avtalen", PAGE),
    Sending("paminnelse", "påminnelsen", PAGE, paminnelse=True),
    Sending("oppfolging", "oppfølgingsdokumentet og vedlegget", "/oppfolging", oppfolging=True),
)}


@dataclass
class Chosen:
    """What a sending form asks for: the kind, and one leader to send again to (or everyone due)."""

    sending: Sending
    leder: str = ""  # Ansattnr: this leader only, sent again even if sent before

    @property
    def ledere(self) -> tuple[str, ...]:
        return (self.leder,) if self.leder else ()

    def options(self) -> dict:
        return {"ledere": self.ledere, "send_igjen": bool(self.leder), "paminnelse": self.sending.paminnelse,
                "oppfolging": self.sending.oppfolging}


def _chosen(form) -> Chosen:
    sending = SENDINGS.get(str(form.get("hva") or "avtale"), SENDINGS["avtale"])
    return Chosen(sending, str(form.get("leder") or "").strip()[:40])


def _header(value) -> str:
    return str(make_header(decode_header(str(value)))) if value is not None else ""


class MailPage:
    def __init__(self, web):
        self.web = web

    def _preview(self, bok, year: YearFolder, nr: str) -> dict:
        workspace = self.web.workspace
        leder = bok.leder(nr)
        entries = load_generated(year.path, workspace.workbook, "epost")
        entry = entries.get(leder.ansattnr)
        if entry is None:
            raise LederavtaleError(f"{leder.ansattnr} {leder.navn}: dokumentene er ikke generert ennå.")
        # As the mail will go out: the settings' text, sender and whether the appendix goes with it.
        setup = mail_setup(bok, workspace.settings.maler, load_settings(workspace.ut))
        epost = build_message(bok, leder, year.path, entry, setup.template, True, PrivacyGuard(bok),
                              mailing=setup.mailing, sender=setup.sender)
        message = epost.message
        body = ""
        attachments = []
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            if part.get_filename():
                attachments.append(_header(part.get_filename()))
            elif part.get_content_type() == "text/plain" and not body:
                body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        return {"leder": leder, "to": _header(message["To"]), "cc": _header(message["Cc"]),
                "from": _header(message["From"]), "subject": _header(message["Subject"]), "body": body,
                "attachments": attachments}

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        preview, chosen = None, request.query_params.get("leder", "")
        sent, reminded, to_remind, with_appendix = {}, {}, [], True
        if bok is not None:
            chosen = chosen or next((l.ansattnr for l in bok.avtaleledere() if l.epost.strip()), "")
            try:
                if chosen:
                    preview = self._preview(bok, year, chosen)
            except (LederavtaleError, KeyError) as exc:
                errors = exc.lines() if isinstance(exc, LederavtaleError) else [f"Finner ikke leder «{chosen}»."]
            try:
                with_appendix = load_settings(self.web.workspace.ut).med_vedlegg
                sent = read_records(year.epost() / SENT_FILE)
                reminded = {nr: times[-1] for nr, times in reminders_sent(year).items() if times}
                to_remind = reminder_leaders(self.web.workspace.job())
            except LederavtaleError as exc:
                errors = errors + exc.lines()
        return self.web.render(request, "epost.html", page=PAGE, bok=bok, errors=errors, preview=preview,
                               chosen=chosen, sent=sent, reminded=reminded, to_remind=to_remind,
                               with_appendix=with_appendix, **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def drafts(self, request: Request) -> Response:
        async with request.form() as form:
            sending = _chosen(form).sending
        return self.web.start(request, "Lager e-postutkast", sending.page,
                              lambda progress: write_drafts(self.web.workspace.job(progress),
                                                            paminnelse=sending.paminnelse,
                                                            oppfolging=sending.oppfolging),
                              "epost utkast", hva=sending.key)

    async def drafts_zip(self, request: Request) -> Response:
        """The drafts of one kind as a .zip for Outlook: a reminder's only for those who still have not signed."""
        sending = _chosen(request.query_params).sending
        bok, year, _ = self.web.book()
        drafts = []
        if bok is not None:
            subfolder = mailing_for(oppfolging=sending.oppfolging, paminnelse=sending.paminnelse).subfolder
            leaders = reminder_leaders(self.web.workspace.job()) if sending.paminnelse else bok.avtaleledere()
            drafts = [p for p in (year.draft(l, subfolder) for l in leaders) if p.is_file()]
        if not drafts:
            return self.web.error_page(request, 404, "Ingen e-postutkast ennå",
                                       "Ingen e-postutkast er laget ennå. Trykk «Lag e-postutkast» først.")
        return zip_response(drafts, drafts[0].parent, f"epostutkast {sending.what} {bok.kommune.periode.ar}.zip")

    async def confirm(self, request: Request) -> Response:
        async with request.form() as form:
            chosen = _chosen(form)
        bok, year, errors = self.web.book()
        back = chosen.sending.page
        if bok is None:
            return self.web.show(request, back, message=" ".join(errors), status_code=400)
        try:
            # A missing server is said before HR confirms the recipients, not after.
            smtp_settings(stored=load_settings(self.web.workspace.ut))
            todo = send_plan(self.web.workspace.job(), **chosen.options())
        except SmtpError as exc:
            return self.web.show(request, back, message=exc.page, status_code=400)
        except LederavtaleError as exc:
            return self.web.show(request, back, message=" ".join(exc.lines()), status_code=400)
        return self.web.render(request, "epost_bekreft.html", page=back, todo=todo, chosen=chosen)

    async def send(self, request: Request) -> Response:
        async with request.form() as form:
            confirmed = str(form.get("liste") or "")
            chosen = _chosen(form)

        def confirm(todo) -> bool:
            # Only what HR saw on the confirmation page goes out; anything new since then stops it.
            return hmac.compare_digest(todo.digest, confirmed)

        def work(progress):
            try:
                result = send(self.web.workspace.job(progress), confirm=confirm, **chosen.options())
            except SmtpError as exc:
                # The terminal's words name command-line options; the page points to Innstillinger.
                raise SmtpError(exc.page, exc.page) from None
            if result.cancelled:
                result.notices.append("Listen over mottakere er endret siden bekreftelsen. Se over listen og bekreft på nytt.")
            return result

        return self.web.start(request, f"Sender {chosen.sending.what}", chosen.sending.page, work, "epost send",
                              hva=chosen.sending.key, ledere=list(chosen.ledere), liste=confirmed[:16])
