"""The page Innstillinger: the e-mail server, the sender, the e-mail texts, the appendix, the trusted issuers.

What is saved goes to `<ut>/innstillinger.json` (`store/settings.py`), which `epost` on the command line
reads too; the trusted issuers' certificates go to `<ut>/tillit/`, where `signert` looks for them.

The SMTP password is never sent back to the browser: its field is always empty, an empty field keeps the
stored password, and a checkbox removes it. An LEDERAVTALE_SMTP_* variable set for the server wins over
the field it stands for, and the page says so (without the password's value). The page names no
command-line option, no command and no path on the server: HR works in the browser.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from asn1crypto import pem, x509
from email_validator import EmailNotValidError, validate_email
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...documents.context import babel_locale
from ...documents.privacy import PrivacyGuard
from ...documents.templates import default_template_dir
from ...exceptions import LederavtaleError, TemplateError
from ...mail.message import (AGREEMENT_MAIL, FOLLOW_UP_MAIL, WITHOUT_EXEMPT, Mailing, compile_template,
                             addressing, mail_context, render_text, template_source)
from ...mail.smtp import (ENV_HOST, ENV_PASSWORD, ENV_PORT, ENV_USER, SmtpError, connect, environment_value,
                          smtp_settings)
from ...signing.verify import CERT_SUFFIXES, MAX_CERT_BYTES, TrustError, read_certificates
from ...store.files import atomic_write_bytes, safe_filename
from ...store.settings import Innstillinger, load, save
from ...store.year import TRUST_DIR
from .. import log
from ..security import MAX_FIELDS, MAX_FILES
from ..site import Refused, read_upload

PAGE = "/innstillinger"
TITLE = "Innstillinger"
SECTION_SMTP = "smtp"
SECTION_EPOST = "epost"
MAX_TEXT = 20_000  # characters in one e-mail text: a long letter is a few thousand
CERT_LIMIT = 64 * 1024  # a CA certificate is one or two kB; a bundle of a few is still far below this
MAX_CERT_UPLOADS = 20
TEST_TIMEOUT = 15.0  # seconds: HR is waiting in front of the page
# The field each LEDERAVTALE_SMTP_* variable decides, when IT has set it for the server.
ENVIRONMENT = {"smtp_vert": ENV_HOST, "smtp_port": ENV_PORT, "smtp_bruker": ENV_USER, "smtp_passord": ENV_PASSWORD}
# The two e-mail texts: the form field, the mailing it replaces the template of, its heading on the page.
TEXTS = (("epost_tekst", AGREEMENT_MAIL, "E-posten med avtalen"),
         ("epost_oppfolging_tekst", FOLLOW_UP_MAIL, "E-posten med oppfølgingsdokumentet"))


@dataclass
class Certificate:
    """One trusted issuer's certificate in `<ut>/tillit/`, as the page lists it."""

    fil: str
    navn: str
    utloper: str  # dd.mm.åååå
    utlopt: bool
    feil: str = ""  # why the file could not be read as a certificate


@dataclass
class Environment:
    """A variable IT has set for a field; `value` is "" for the password, which is never shown."""

    name: str
    value: str


def routes(web) -> list[Route]:
    page = SettingsPage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE, page.save, methods=["POST"]),
        Route(f"{PAGE}/forhandsvis", page.preview, methods=["POST"]),
        Route(f"{PAGE}/test", page.test, methods=["POST"]),
        Route(f"{PAGE}/tillit", page.add_certificates, methods=["POST"]),
        Route(f"{PAGE}/tillit/fjern", page.remove_certificate, methods=["POST"]),
    ]


class SettingsPage:
    def __init__(self, web):
        self.web = web

    @property
    def ut(self) -> Path:
        return self.web.workspace.ut

    @property
    def trust(self) -> Path:
        return self.ut / TRUST_DIR

    # --- showing ------------------------------------------------------------------------------------

    def show(self, request: Request, status_code: int = 200, message: str | None = None, ok: str = "",
             submitted: dict | None = None, preview: dict | None = None, problems: list[str] = (),
             ok_trust: str = "") -> Response:
        """The page; `ok` is said at its top, `ok_trust` in the trusted issuers' section, where HR is then."""
        errors = list(problems)
        try:
            stored = load(self.ut)
        except LederavtaleError as exc:
            stored, errors = Innstillinger(), errors + exc.lines()
        bok, _, _ = self.web.book()
        values = asdict(stored)
        values["smtp_port"] = "" if stored.smtp_port is None else str(stored.smtp_port)
        standard = {}
        for name, mailing, _ in TEXTS:
            standard[name] = not values[name]
            if not values[name]:
                values[name] = self._folder_text(bok, mailing)
        values.update(submitted or {})
        values["smtp_passord"] = ""  # never back to the browser
        environment = {}
        for name, variable in ENVIRONMENT.items():
            value = environment_value(variable)
            if value:
                environment[name] = Environment(variable, "" if name == "smtp_passord" else value.strip())
        certificates = self._certificates()
        return self.web.render(request, "innstillinger.html", status_code=status_code, page=PAGE, message=message,
                               ok=ok, ok_trust=ok_trust, errors=errors, values=values, standard=standard,
                               password_stored=bool(stored.smtp_passord), environment=environment,
                               certificates=certificates, preview=preview, texts=TEXTS, bok=bok,
                               cert_suffixes=",".join(CERT_SUFFIXES), cert_limit=CERT_LIMIT // 1024)

    async def get(self, request: Request) -> Response:
        # After a save the browser is sent here (POST, redirect, GET), so a reload does not post again.
        query = request.query_params
        ok = "Innstillingene er lagret." if "lagret" in query else ""
        ok_trust = ("Sertifikatene er lagret som klarerte utstedere." if "tillit" in query else
                    "Sertifikatet er fjernet." if "fjernet" in query else "")
        return self.show(request, ok=ok, ok_trust=ok_trust)

    def _folder_text(self, bok, mailing: Mailing) -> str:
        """The template folder's text for the mailing (what an empty field means); "" when it cannot be read."""
        try:
            if bok is not None:
                return template_source(bok, self.web.settings.maler, mailing).replace("\r\n", "\n")
            folder = Path(self.web.settings.maler) if self.web.settings.maler else default_template_dir()
            return (folder / mailing.template).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        except (LederavtaleError, OSError, UnicodeDecodeError):
            return ""

    # --- saving -------------------------------------------------------------------------------------

    async def save(self, request: Request) -> Response:
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as form:
            sections = set(form.getlist("del"))
            fields = {key: str(value) for key, value in form.multi_items() if isinstance(value, str)}
        try:
            current = load(self.ut)
        except LederavtaleError:
            current = Innstillinger()  # a file that cannot be read is replaced by what HR saves now
        bok, _, _ = self.web.book()
        try:
            updated = current
            if SECTION_SMTP in sections:
                updated = self._smtp(updated, fields)
            if SECTION_EPOST in sections:
                updated = self._epost(updated, fields, bok)
        except (Refused, LederavtaleError) as exc:
            # What HR typed stays in the form, to be corrected (the password excepted, see `show`).
            shown = {k: v for k, v in fields.items() if k in asdict(current)}
            for box, section in (("smtp_tls", SECTION_SMTP), ("med_vedlegg", SECTION_EPOST)):
                if section in sections:
                    shown[box] = fields.get(box) == "ja"
            return self.show(request, 400, submitted=shown, **_said(exc))
        if not sections:
            return self.show(request, 400, message="Skjemaet mangler innhold. Ingenting er lagret.")
        changed = [name for name in asdict(updated) if getattr(updated, name) != getattr(current, name)]
        save(self.ut, updated)
        # Field names only: never the password, and not the texts, which may be long.
        self._log(request, "innstillinger lagret", endret=changed)
        return RedirectResponse(f"{PAGE}?lagret=ja", status_code=303)

    def _smtp(self, current: Innstillinger, fields: dict) -> Innstillinger:
        host = fields.get("smtp_vert", "").strip()
        if re.search(r"[\s/@\x00-\x1f\x7f]", host) or len(host) > 253:
            raise Refused(f"«{host[:60]}» er ikke et servernavn. Skriv bare navnet eller adressen, f.eks. "
                          "smtp.kommune.no. Ingenting er lagret.")
        raw_port = fields.get("smtp_port", "").strip()
        port = None
        if raw_port:
            # ASCII digits: str.isdigit() also takes «²⁵», which int() does not.
            if not re.fullmatch(r"[0-9]{1,5}", raw_port) or not 0 < int(raw_port) < 65536:
                raise Refused(f"«{raw_port[:20]}» er ikke et portnummer. Skriv et tall mellom 1 og 65535, vanligvis "
                              "587 (eller 465). Ingenting er lagret.")
            port = int(raw_port)
        user = fields.get("smtp_bruker", "").strip()
        new_password = fields.get("smtp_passord", "")
        remove = fields.get("fjern_passord") == "ja"
        if new_password and remove:
            raise Refused("Du har både fylt inn et nytt passord og krysset av for å fjerne det lagrede. Velg ett av "
                          "dem. Ingenting er lagret.")
        password = "" if remove else (new_password or current.smtp_passord)
        tls = fields.get("smtp_tls") == "ja"
        # The user the server would log in as, the variable's if IT set one.
        login = environment_value(ENV_USER).strip() or user
        if login and not tls:
            raise Refused("Innlogging uten kryptering er ikke tillatt: passordet ville gått ukryptert. Kryss av for "
                          "«Krev kryptering (TLS)», eller fjern brukernavnet. Ingenting er lagret.")
        return replace(current, smtp_vert=host, smtp_port=port, smtp_bruker=user, smtp_passord=password, smtp_tls=tls)

    def _epost(self, current: Innstillinger, fields: dict, bok) -> Innstillinger:
        sender = fields.get("avsender", "").strip()
        if sender:
            try:
                validate_email(sender, check_deliverability=False)
            except EmailNotValidError:
                raise Refused(f"«{sender[:80]}» er ikke en e-postadresse. Ingenting er lagret.") from None
        texts = {}
        for name, mailing, label in TEXTS:
            text = fields.get(name, "").replace("\r\n", "\n")
            # The folder's own text, unchanged, is stored as "": a later change to the template folder shows.
            if text.strip() == self._folder_text(bok, mailing).strip():
                text = ""
            if text:
                self._check_text(text, label, bok, mailing)
            texts[name] = text
        return replace(current, avsender=sender, med_vedlegg=fields.get("med_vedlegg") == "ja", **texts)

    def _check_text(self, text: str, label: str, bok, mailing: Mailing) -> None:
        """TemplateError when the text cannot be used: the «Emne:» line, Jinja, the first leader's message."""
        if len(text) > MAX_TEXT:
            raise Refused(f"Teksten i «{label}» er lengre enn {MAX_TEXT} tegn. Ingenting er lagret.")
        heading = "E-postteksten har feil. Ingenting er lagret."
        locale = babel_locale(bok.kommune) if bok is not None else "nb"
        # Named by the field's label: on this page that is where the line is.
        template = compile_template(text, f"Teksten i «{label}»", locale, heading)
        leder = _first_leader(bok)
        if leder is not None:
            # Filled in once, so that a misspelt field is found now, not when the mail goes out.
            try:
                subject, body = render_text(template, mail_context(bok, leder, mailing))
            except TemplateError as exc:
                raise TemplateError(exc.problems, heading) from None
            PrivacyGuard(bok).check(f"{subject}\n{body}", leder, ("e-posten", "E-posten"))

    # --- the preview --------------------------------------------------------------------------------

    async def preview(self, request: Request) -> Response:
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as form:
            fields = {key: str(value) for key, value in form.multi_items() if isinstance(value, str)}
        shown = {k: fields.get(k, "").replace("\r\n", "\n") for k in ("avsender", "epost_tekst", "epost_oppfolging_tekst")}
        shown["med_vedlegg"] = fields.get("med_vedlegg") == "ja"
        which = next((t for t in TEXTS if t[0] == fields.get("vis")), TEXTS[0])
        bok, _, errors = self.web.book()
        if bok is None:
            return self.show(request, 400, message=" ".join(errors), submitted=shown)
        leder = _first_leader(bok)
        if leder is None:
            return self.show(request, 400, message="Ingen leder i arbeidsboken har e-postadresse, så ingen e-post kan "
                                                   "vises.", submitted=shown)
        name, mailing, heading = which
        if not shown["med_vedlegg"]:
            mailing = WITHOUT_EXEMPT[mailing.template]
        text, where = shown[name], f"Teksten i «{heading}»"
        if not text.strip():
            text, where = self._folder_text(bok, mailing), mailing.template
        try:
            template = compile_template(text, where, babel_locale(bok.kommune), "E-postteksten har feil.")
            try:
                subject, body = render_text(template, mail_context(bok, leder, mailing))
            except TemplateError as exc:
                raise TemplateError(exc.problems, "E-postteksten har feil.") from None
            PrivacyGuard(bok).check(f"{subject}\n{body}", leder, ("e-posten", "E-posten"))
        except LederavtaleError as exc:
            return self.show(request, 400, submitted=shown, **_said(exc))
        # As the message itself goes (mail.message.addressing): the kommunedirektør's follow-up in copy to the
        # political secretariat, and an exempt document only to the parties' own mailboxes.
        where = addressing(bok, leder, mailing)
        sender = shown["avsender"].strip() or bok.kommune.avsender.strip()
        preview = {
            "heading": heading, "leder": leder, "subject": subject, "body": body.lstrip("\r\n"),
            "from": f"{bok.kommune.navn} <{sender}>" if sender else "",
            "to": f"{leder.navn} <{where.to}>", "cc": f"{where.cc_navn} <{where.cc}>" if where.cc else "",
            "attachments": [kind.navn[1] for kind in where.kinds],
        }
        return self.show(request, submitted=shown, preview=preview)

    # --- testing the connection ---------------------------------------------------------------------

    async def test(self, request: Request) -> Response:
        try:
            settings = smtp_settings(stored=load(self.ut), timeout=TEST_TIMEOUT)
        except SmtpError as exc:
            return self.show(request, 400, message=exc.page)
        except LederavtaleError as exc:
            return self.show(request, 400, **_said(exc))

        def attempt() -> None:
            smtp = connect(settings)
            try:
                smtp.quit()
            except OSError:
                smtp.close()  # it answered and logged in; a lost QUIT changes nothing

        try:
            await run_in_threadpool(attempt)
        except SmtpError as exc:
            return self.show(request, 502, message=exc.page)
        except ValueError:  # a name the resolver cannot even encode (UnicodeError is one)
            return self.show(request, 400, message=f"«{settings.host}» kan ikke brukes som navn på en SMTP-server. "
                                                   "Rett navnet under E-postserver.")
        where = f"{settings.host}:{settings.port}"
        how = "kryptert (TLS)" if settings.tls else "uten kryptering"
        login = f", og innloggingen som «{settings.user}» ble godtatt" if settings.user else ""
        return self.show(request, ok=f"Tilkoblingen virker: SMTP-serveren {where} svarte, {how}{login}. "
                                     "Ingenting er sendt.")

    # --- trusted issuers ----------------------------------------------------------------------------

    def _certificates(self) -> list[Certificate]:
        if not self.trust.is_dir():
            return []
        found = []
        for path in sorted(self.trust.iterdir(), key=lambda p: p.name.lower()):
            if path.suffix.lower() not in CERT_SUFFIXES or not path.is_file():
                continue
            try:
                certs = _read(path)
            except (OSError, TrustError):
                found.append(Certificate(path.name, "", "", False, "kan ikke leses som sertifikat"))
                continue
            found += [_describe(path.name, cert) for cert in certs]
        return found

    async def add_certificates(self, request: Request) -> Response:
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
            uploads = [u for u in form.getlist("sertifikater") if isinstance(u, UploadFile) and u.filename]
            try:
                parsed = await self._read_certificates(uploads)
            except Refused as exc:
                return self.show(request, 400, message=str(exc))
        existing = {c.sha256 for c in self._loaded()}
        added = []
        for cert in parsed:
            if cert.sha256 in existing:
                continue  # already trusted: a second copy would only make the list longer
            existing.add(cert.sha256)
            path = self._free_name(_common_name(cert) or "sertifikat")
            atomic_write_bytes(path, pem.armor("CERTIFICATE", cert.dump()))
            added.append(path.name)
        self._log(request, "klarerte utstedere lagt til", filer=added)
        if not added:
            return self.show(request, ok_trust="Sertifikatene var klarert fra før. Ingenting er endret.")
        return RedirectResponse(f"{PAGE}?tillit=ja#tillit", status_code=303)

    async def _read_certificates(self, uploads: list[UploadFile]) -> list[x509.Certificate]:
        """Every certificate in the uploaded files, all checked before any is stored."""
        if not uploads:
            raise Refused("Velg minst én sertifikatfil (.cer, .crt, .pem eller .der).")
        if len(uploads) > MAX_CERT_UPLOADS:
            raise Refused(f"Last opp høyst {MAX_CERT_UPLOADS} sertifikater om gangen. Ingenting er lagret.")
        parsed = []
        for upload in uploads:
            name, data = await read_upload(upload, CERT_SUFFIXES, CERT_LIMIT,
                                           "er ikke en sertifikatfil (bare .cer, .crt, .pem og .der)",
                                           "Ingenting er lagret.")
            try:
                parsed += read_certificates(data, name)
            except TrustError:
                raise Refused(f"«{name}» er ikke et sertifikat (X.509 i PEM- eller DER-format). Ingenting er "
                              "lagret.") from None
        return parsed

    def _loaded(self) -> list[x509.Certificate]:
        certs = []
        for path in self.trust.iterdir() if self.trust.is_dir() else []:
            if path.suffix.lower() in CERT_SUFFIXES and path.is_file():
                try:
                    certs += _read(path)
                except (OSError, TrustError):
                    continue  # listed on the page as unreadable, where HR can remove it
        return certs

    def _free_name(self, stem: str) -> Path:
        stem = safe_filename(stem, 60)
        path, n = self.trust / f"{stem}.pem", 1
        while path.exists():
            n += 1
            path = self.trust / f"{stem} {n}.pem"
        return path

    async def remove_certificate(self, request: Request) -> Response:
        async with request.form(max_files=0, max_fields=10) as form:
            name = str(form.get("fil") or "")
        # Only a file the page listed: the name is compared, never joined to a path as sent.
        listed = {c.fil for c in self._certificates()}
        if name not in listed:
            return self.show(request, 404, message="Sertifikatet finnes ikke lenger. Ingenting er endret.")
        (self.trust / name).unlink(missing_ok=True)
        self._log(request, "klarert utsteder fjernet", fil=name)
        return RedirectResponse(f"{PAGE}?fjernet=ja#tillit", status_code=303)

    # --- the log -------------------------------------------------------------------------------------

    def _log(self, request: Request, action: str, **details) -> None:
        # The log is the year folder's (logg.jsonl); before a workbook names the year there is none.
        _, year, _ = self.web.book()
        if year is not None:
            log.append(year.log, action, self.web.user(request), **details)


def _said(exc: LederavtaleError) -> dict:
    """An error as the page shows it: its first line as the message, the problems under it as a list."""
    first, *rest = exc.lines()
    return {"message": first, "problems": [line.strip() for line in rest]}


def _first_leader(bok):
    """The leader the previews and the check fill a text in for: the first with an agreement and an address."""
    if bok is None:
        return None
    return next((leder for leder in bok.avtaleledere() if leder.epost.strip()), None)


def _read(path: Path) -> list[x509.Certificate]:
    with open(path, "rb") as fh:
        # A bundle put there by hand may be larger than one upload, but not without bound.
        return read_certificates(fh.read(MAX_CERT_BYTES), path.name)


def _common_name(cert: x509.Certificate) -> str:
    subject = cert.subject.native
    value = subject.get("common_name") or subject.get("organization_name") or ""
    return str(value[0] if isinstance(value, list) else value).strip()  # a name given twice is a list


def _describe(fil: str, cert: x509.Certificate) -> Certificate:
    expires = cert.not_valid_after
    return Certificate(fil, _common_name(cert) or cert.subject.human_friendly, f"{expires:%d.%m.%Y}",
                       expires < datetime.now(timezone.utc))

