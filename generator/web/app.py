"""The web page for HR: one page per step of the year, on the same jobs as the command line.

`create_app(settings)` builds the Starlette app; `bind` and `serve` are what `lederavtale web` runs.
The routes only gather a form's values, call the `commands/` functions (through the runner, for the
long ones) and render their `Result` or error with the templates; no job logic lives here.
"""

from __future__ import annotations

import hmac
import io
import re
import shutil
import socket
import zipfile
from datetime import datetime
from urllib.parse import quote
from email.header import decode_header, make_header
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..archive.arkivert import Arkivert, description
from ..commands.archive import arkiv
from ..commands.check import check
from ..commands.email import mail_setup, send, write_drafts
from ..commands.followup import follow_up
from ..commands.generate import generate
from ..commands.next_year import next_year, next_year_problem
from ..commands.returned import innlevert
from ..commands.signed import bekreft, signert
from ..commands.signing import signering
from ..commands.status import make_status_report
from ..documents.privacy import PrivacyGuard
from ..documents.writing import backups
from ..exceptions import LederavtaleError
from ..mail.delivery import plan
from ..mail.message import build_message
from ..mail.records import read_records
from ..mail.smtp import SmtpError, smtp_settings
from ..plural import antall
from ..signing.record import load_signed, overwrite_at_stake
from ..status.chart import area_chart, describe
from ..status.counts import count
from ..status.document import chart_text
from ..status.workbook import read_status
from ..store.files import atomic_write_bytes, safe_filename, sha256_file
from ..store.manifest import EDITED, HANDED_IN, MISSING, SIGNING, Manifest, document_state, load_generated
from ..store.settings import load as load_settings
from ..store.year import JOURNAL_NAME, SENT_FILE, YearFolder
from ..workbook import open_in_excel
from ..workbook.file import OWNER_PREFIX, owner_file_message
from ..workbook.selection import select_leaders
from ..workbook.values import parse_date
from . import files, log, state
from .pages import innstillinger
from .runner import Busy, JobState, Runner
from .security import CSRF_FIELD, MAX_FIELDS, MAX_FILES, Guard, SecurityMiddleware, allowed_hosts
from .words import for_web
from .workspace import Settings, Workspace

HERE = Path(__file__).parent
ZIP_SIGNATURE = b"PK\x03\x04"
PDF_SIGNATURE = b"%PDF-"
WORKBOOK_LIMIT = 20 * 1024 * 1024
PDF_LIMIT = 30 * 1024 * 1024
WORD_LIMIT = 40 * 1024 * 1024  # one .docx, or a .zip of many
IMAGE_LIMIT = 5 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")

# The menu: (path, title), in the order of the year.
PAGES = (
    ("/", "Oversikt"),
    ("/arbeidsbok", "Arbeidsbok"),
    ("/avtaler", "Avtaler"),
    ("/epost", "E-post"),
    ("/signering", "Signering"),
    ("/arkiv", "Arkiv"),
    ("/oppfolging", "Oppfølging og status"),
    ("/nytt-ar", "Neste år"),
    ("/innstillinger", "Innstillinger"),
)


NOT_FOUND = "Adressen peker ikke til noen side eller fil her. Gå til oversikten og velg derfra."


class Refused(LederavtaleError):
    """An upload or a form the page cannot use; shown on the page, nothing changed."""


def _environment() -> SandboxedEnvironment:
    # Sandboxed and autoescaped, as the documents' templates are: a name from the workbook is text, never markup.
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                               undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(antall=antall, pages=PAGES, stages=state.STAGES, filters=state.FILTERS)
    return env


def _header(value) -> str:
    return str(make_header(decode_header(str(value)))) if value is not None else ""


_hashes: dict[tuple[str, int, int], str] = {}


def _sha(path: Path) -> str:
    """sha256 of a file, remembered by size and modification time (the Avtaler page checks every .docx)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _hashes:
        _hashes[key] = sha256_file(path)
    return _hashes[key]


def _zip_response(paths: list[Path], root: Path, name: str) -> Response:
    """A .zip of `paths`, named inside by their path under `root` (the leader's folder and the file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in dict.fromkeys(paths):
            zf.write(path, path.relative_to(root).as_posix())
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(safe_filename(name))}"})


class Web:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.workspace = Workspace(settings)
        self.runner = Runner()
        self.env = _environment()

    # --- rendering ---------------------------------------------------------------------------

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        session = request.scope["state"]["session"]
        page = context.pop("page", request.url.path)
        job = self.runner.last.get(page)
        context.setdefault("message", None)
        html = self.env.get_template(template).render(
            csrf=session.csrf, csrf_field=CSRF_FIELD, path=request.url.path, page=page, job=job, say=self._say(),
            workbook=self.workspace.workbook, **context,
            in_excel=open_in_excel(self.workspace.workbook) if self.workspace.workbook else [])
        return HTMLResponse(html, status_code=status_code)

    def _say(self):
        """The page's words for a job's line (web/words.py): a file the page serves becomes a link to it."""
        bok, year, _ = self._book()
        names: list[set[str]] = []

        def link(path: Path) -> str | None:
            if year is None:
                return None
            try:
                rel = path.resolve().relative_to(year.path.resolve()).as_posix()
            except (ValueError, OSError):
                return None
            if not names:
                names.append(files.known(bok, year))
            return f"/fil/{quote(rel)}" if files.resolve(bok, year, rel, names[0]) is not None else None

        return lambda text: for_web(text, link, (self.workspace.ut,))

    async def not_found(self, request: Request, exc) -> Response:
        """Starlette's own «Not Found» in the site's layout and in Norwegian."""
        return self._error_page(request, 404, "Siden finnes ikke", NOT_FOUND)

    async def server_error(self, request: Request, exc) -> Response:
        """An error nobody foresaw: said in Norwegian, never as a traceback."""
        return self._error_page(request, 500, "Noe gikk galt",
                                "Siden kunne ikke vises på grunn av en feil i verktøyet. Ingenting er endret av denne "
                                "forespørselen. Prøv igjen, og si fra til IT hvis det skjer igjen.")

    def _error_page(self, request: Request, status: int, heading: str, text: str) -> Response:
        try:
            return self.render(request, "feil.html", status_code=status, page="", heading=heading, text=text)
        except Exception:  # no session or no template: the words alone
            return Response(f"{heading}. {text}", status_code=status, media_type="text/plain; charset=utf-8")

    def _book(self):
        """(bok, year, error lines)."""
        try:
            bok = self.workspace.book()
            return bok, YearFolder.of(bok, self.workspace.ut), []
        except LederavtaleError as exc:
            return None, None, exc.lines()

    def _user(self, request: Request) -> str:
        return log.user_of(request.headers, self.settings.user_header)

    def _start(self, request: Request, name: str, page: str, work, action: str, after=None, **details) -> Response:
        """Run `work` in the background and show its page; a second job is refused with the page's message.
        The action is logged once it has run: one the year folder's lock (a command line run) refused is not."""
        user = self._user(request)

        def logged(job: JobState) -> None:
            if job.result is not None:
                _, year, _ = self._book()
                if year is not None:
                    log.append(year.log, action, user, **details)
            if after is not None:
                after(job)

        try:
            self.runner.start(name, page, work, logged)
        except Busy as exc:
            return self.render_page(request, page, message=str(exc), status_code=409)
        return RedirectResponse(page, status_code=303)

    def render_page(self, request: Request, page: str, **extra) -> Response:
        handler = {"/arbeidsbok": self.arbeidsbok, "/avtaler": self.avtaler, "/epost": self.epost,
                   "/signering": self.signering_page, "/arkiv": self.arkiv_page,
                   "/oppfolging": self.oppfolging_page, "/nytt-ar": self.nytt_ar_page}.get(page, self.oversikt)
        return handler(request, **extra)

    # --- Oversikt ----------------------------------------------------------------------------

    async def oversikt_route(self, request: Request) -> Response:
        return self.oversikt(request)

    def oversikt(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        if bok is None:
            return self.render(request, "oversikt.html", errors=errors, view=None, rows=[], enhet="", tilstand="",
                               **extra)
        view = self._overview(bok, year)
        enhet = request.query_params.get("enhet", "")
        tilstand = request.query_params.get("tilstand", "")
        rows = state.filtered(view, enhet, tilstand)
        # Plain tuples: the sandboxed template pays for every attribute it looks up (5,000 rows).
        table = [(r.ansattnr, r.navn, r.enhet, r.overordnet, r.marks, len(r.links)) for r in rows]
        return self.render(request, "oversikt.html", errors=[], view=view, rows=rows, table=table, enhet=enhet,
                           tilstand=tilstand, kommune=bok.kommune.navn, ar=bok.kommune.periode.ar, **extra)

    _overview_cache: tuple | None = None

    def _overview(self, bok, year: YearFolder) -> state.Overview:
        """The overview, made again only when the workbook or one of the records it reads has changed."""
        def stamp(path: Path):
            try:
                s = path.stat()
                return (s.st_size, s.st_mtime_ns)
            except OSError:
                return None
        records = (year.manifest, year.path / JOURNAL_NAME, year.epost() / SENT_FILE,
                   year.epost(state.FOLLOW_UP_MAIL) / SENT_FILE, year.signert, year.arkivert,
                   year.uploads("status") / "status.xlsx")
        key = (id(bok), str(year.path), tuple(stamp(p) for p in records))
        if self._overview_cache is None or self._overview_cache[0] != key:
            self._overview_cache = (key, state.overview(bok, year, self._status_rows(bok, year)))
        return self._overview_cache[1]

    async def leder(self, request: Request) -> Response:
        bok, year, errors = self._book()
        nr = request.path_params["nr"]
        row = None
        if bok is not None:
            row = next((r for r in state.overview(bok, year, self._status_rows(bok, year)).rows if r.ansattnr == nr), None)
        if row is None:
            return self._error_page(request, 404, "Finnes ikke", NOT_FOUND)
        return self.render(request, "leder.html", page="/", row=row, kept=self._backups(year, nr))

    def _backups(self, year: YearFolder, nr: str) -> list[dict]:
        """The leader's kept copies, for download and (a Word file) to put back."""
        try:
            entry = Manifest.load(year.path).ledere.get(nr) if year.manifest.exists() else None
        except LederavtaleError:
            entry = None
        if entry is None:
            return []
        return [{"sti": year.relative(p), "navn": p.name, "word": p.suffix.lower() == ".docx",
                 "tid": datetime.fromtimestamp(p.stat().st_mtime).strftime("%d.%m.%Y kl. %H.%M")}
                for p in backups(year.path, entry)]

    async def leder_restore(self, request: Request) -> Response:
        """A kept Word file goes back in place; the one it replaces is kept in turn (as an upload would)."""
        bok, year, errors = self._book()
        nr = request.path_params["nr"]
        async with request.form(max_files=0, max_fields=10) as form:
            sti = str(form.get("fil") or "")
        chosen = next((b for b in (self._backups(year, nr) if bok is not None else []) if b["sti"] == sti and b["word"]),
                      None)
        if chosen is None:
            return self._error_page(request, 404, "Finnes ikke", NOT_FOUND)
        path = year.path / chosen["sti"]
        return self._start(request, "Henter tilbake en tidligere versjon", "/avtaler",
                           lambda progress: innlevert(self.workspace.job(progress), [path]), "gjenopprett",
                           ansattnr=nr, fil=chosen["navn"])

    async def leder_zip(self, request: Request) -> Response:
        """Everything the tool has of one leader, in one download."""
        bok, year, _ = self._book()
        nr = request.path_params["nr"]
        row = None
        if bok is not None:
            row = next((r for r in self._overview(bok, year).rows if r.ansattnr == nr), None)
        if row is None:
            return self._error_page(request, 404, "Finnes ikke", NOT_FOUND)
        paths = [files.resolve(bok, year, link.sti) for link in row.links]
        paths += [year.path / b["sti"] for b in self._backups(year, nr)]
        return _zip_response([p for p in paths if p is not None and p.is_file()], year.path,
                             f"{row.ansattnr} {row.navn}.zip")

    _status_cache: tuple | None = None

    def _status_rows(self, bok, year: YearFolder):
        path = year.uploads("status") / "status.xlsx"
        if not path.is_file():
            return None
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size, id(bok))
        if self._status_cache is None or self._status_cache[0] != key:
            try:
                rows = read_status(bok, path).rows
            except LederavtaleError:
                rows = None
            self._status_cache = (key, rows)
        return self._status_cache[1]

    # --- files ---------------------------------------------------------------------------------

    async def fil(self, request: Request) -> Response:
        bok, year, _ = self._book()
        path = files.resolve(bok, year, request.path_params["sti"]) if bok is not None else None
        if path is None:
            return self._error_page(request, 404, "Finnes ikke", NOT_FOUND)
        media_type, inline = files.content_type(path)
        return FileResponse(path, media_type=media_type, filename=path.name,
                            content_disposition_type="inline" if inline else "attachment")

    async def jobb(self, request: Request) -> Response:
        job = self.runner.current
        return JSONResponse(job.as_json() if job is not None else {})

    # --- Arbeidsbok ------------------------------------------------------------------------------

    def arbeidsbok(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        uploaded = sorted(self.workspace.uploads.glob("*/*.xlsx"), reverse=True) if self.workspace.uploads.is_dir() else []
        return self.render(request, "arbeidsbok.html", page="/arbeidsbok", bok=bok, errors=errors, uploaded=uploaded,
                           **extra)

    async def arbeidsbok_get(self, request: Request) -> Response:
        return self.arbeidsbok(request)

    async def arbeidsbok_post(self, request: Request) -> Response:
        async with request.form(max_files=20) as form:
            try:
                target = await self._save_workbook(form.get("arbeidsbok"), form.getlist("bilder"))
            except Refused as exc:
                return self.arbeidsbok(request, message=str(exc), status_code=400)
        user = self._user(request)

        def work(progress):
            return check(self.workspace.job(progress, workbook=target))

        def after(job: JobState):
            # A workbook with errors changes nothing: it is removed, and the one in use stays.
            if job.result is None:
                shutil.rmtree(target.parent, ignore_errors=True)
                return
            self.workspace.workbook = target
            _, year, _ = self._book()
            if year is not None:
                log.append(year.log, "arbeidsbok lastet opp", user, fil=target.name)

        try:
            self.runner.start("Kontrollerer arbeidsboken", "/arbeidsbok", work, after)
        except Busy as exc:
            shutil.rmtree(target.parent, ignore_errors=True)
            return self.arbeidsbok(request, message=str(exc), status_code=409)
        return RedirectResponse("/arbeidsbok", status_code=303)

    async def _save_workbook(self, upload, images) -> Path:
        """The workbook, and the pictures it names (the logo), in a folder of their own under the output folder:
        the workbook's paths are relative to its folder, as on HR's disk."""
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Refused("Velg en arbeidsbok (.xlsx) å laste opp.")
        name = Path(upload.filename.replace("\\", "/")).name
        if not name.lower().endswith(".xlsx"):
            raise Refused(f"«{name}» er ikke en Excel-arbeidsbok (.xlsx). Ingenting er endret.")
        data = await upload.read(WORKBOOK_LIMIT + 1)
        if len(data) > WORKBOOK_LIMIT:
            raise Refused(f"«{name}» er større enn {WORKBOOK_LIMIT // (1024 * 1024)} MB. Ingenting er endret.")
        if not data.startswith(ZIP_SIGNATURE) and name.startswith(OWNER_PREFIX):
            raise Refused(f"{owner_file_message(name)} Ingenting er endret.")
        if not data.startswith(ZIP_SIGNATURE):
            raise Refused(f"«{name}» er ikke en lesbar .xlsx-fil (filen er ikke en Excel-arbeidsbok). "
                          "Ingenting er endret.")
        pictures = []
        for image in images:
            if not isinstance(image, UploadFile) or not image.filename:
                continue
            picture = Path(image.filename.replace("\\", "/")).name
            if not picture.lower().endswith(IMAGE_SUFFIXES):
                raise Refused(f"«{picture}» er ikke et bilde ({', '.join(IMAGE_SUFFIXES)}). Ingenting er endret.")
            content = await image.read(IMAGE_LIMIT + 1)
            if len(content) > IMAGE_LIMIT:
                raise Refused(f"«{picture}» er større enn {IMAGE_LIMIT // (1024 * 1024)} MB. Ingenting er endret.")
            pictures.append((safe_filename(picture), content))
        folder = self.workspace.uploads / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = folder / safe_filename(name)
        atomic_write_bytes(target, data)
        for picture, content in pictures:
            atomic_write_bytes(folder / picture, content)
        return target

    # --- Avtaler -------------------------------------------------------------------------------------

    def avtaler(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        leaders = []
        if bok is not None and year.manifest.exists():
            try:
                manifest = Manifest.load(year.path)
            except LederavtaleError as exc:
                manifest, errors = None, exc.lines()
            for leder in bok.avtaleledere():
                entry = manifest.ledere.get(leder.ansattnr) if manifest is not None else None
                docs = [{"f": f, "state": document_state(manifest, f, _sha)}
                        for f in (entry.filer if entry is not None else [])
                        if not f.fase and f.rolle in ("avtale", "vedlegg")]
                leaders.append({"leder": leder, "docs": docs})
        return self.render(request, "avtaler.html", page="/avtaler", bok=bok, errors=errors, leaders=leaders,
                           states=(EDITED, HANDED_IN, MISSING), **extra)

    async def avtaler_get(self, request: Request) -> Response:
        return self.avtaler(request)

    async def avtaler_post(self, request: Request) -> Response:
        async with request.form() as form:
            pdf = form.get("pdf") == "ja"
            overskriv = form.get("overskriv") == "ja"
            confirmed = form.get("bekreftet") == "ja"
        if overskriv and not confirmed:
            # Overwriting throws away work a person did: said in numbers before anything happens.
            bok, year, errors = self._book()
            if bok is None:
                return self.avtaler(request, message=" ".join(errors), status_code=400)
            return self.render(request, "avtaler_bekreft.html", page="/avtaler", pdf=pdf,
                               at_stake=overwrite_at_stake(year, _sha))
        return self._start(request, "Lager avtaler og vedlegg", "/avtaler",
                           lambda progress: generate(self.workspace.job(progress), pdf=pdf, overskriv=overskriv),
                           "generer", pdf=pdf, overskriv=overskriv)

    async def avtaler_returned(self, request: Request) -> Response:
        """Word files edited after the conversation come back: matched to their leaders by the job."""
        return await self._upload_and_run(
            request, self.avtaler, "word", "innlevert", (".docx", ".zip"), ZIP_SIGNATURE, WORD_LIMIT,
            "Tar inn Word-filer", "/avtaler", "innlevert",
            lambda progress, folder: innlevert(self.workspace.job(progress), [folder]))

    async def _upload_and_run(self, request: Request, show, field: str, uploads: str, suffixes: tuple[str, ...],
                              signature: bytes | None, limit: int, name: str, page: str, action: str, work) -> Response:
        """The form's files in a folder of their own under the year's uploads, and `work(progress, folder)` run on
        them; a refused upload shows `show`'s page with the reason."""
        bok, year, errors = self._book()
        if bok is None:
            return show(request, message=" ".join(errors), status_code=400)
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
            try:
                paths = await self._save_uploads(form, field, year.uploads(uploads), suffixes, signature, limit)
            except Refused as exc:
                return show(request, message=str(exc), status_code=400)
        folder = paths[0].parent
        return self._start(request, name, page, lambda progress: work(progress, folder), action,
                           filer=[p.name for p in paths])

    # --- E-post --------------------------------------------------------------------------------------

    def _preview(self, bok, year: YearFolder, nr: str) -> dict:
        leder = bok.leder(nr)
        entries = load_generated(year.path, self.workspace.workbook, "epost")
        entry = entries.get(leder.ansattnr)
        if entry is None:
            raise LederavtaleError(f"{leder.ansattnr} {leder.navn}: dokumentene er ikke generert ennå.")
        # As the mail will go out: the settings' text, sender and whether the appendix goes with it.
        setup = mail_setup(bok, self.settings.maler, load_settings(self.workspace.ut))
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

    def epost(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        preview, chosen = None, request.query_params.get("leder", "")
        sent = {}
        if bok is not None:
            chosen = chosen or next((l.ansattnr for l in bok.avtaleledere() if l.epost.strip()), "")
            try:
                if chosen:
                    preview = self._preview(bok, year, chosen)
            except (LederavtaleError, KeyError) as exc:
                errors = exc.lines() if isinstance(exc, LederavtaleError) else [f"Finner ikke leder «{chosen}»."]
            try:
                sent = read_records(year.epost() / SENT_FILE)
            except LederavtaleError:
                sent = {}
        return self.render(request, "epost.html", page="/epost", bok=bok, errors=errors, preview=preview,
                           chosen=chosen, sent=sent, **extra)

    async def epost_get(self, request: Request) -> Response:
        return self.epost(request)

    async def epost_drafts(self, request: Request) -> Response:
        return self._start(request, "Lager e-postutkast", "/epost",
                           lambda progress: write_drafts(self.workspace.job(progress)), "epost utkast")

    async def epost_zip(self, request: Request) -> Response:
        bok, year, _ = self._book()
        folder = year.epost() if year is not None else None
        drafts = [year.draft(l) for l in bok.avtaleledere()] if bok is not None else []
        drafts = [p for p in drafts if p.is_file()]
        if not drafts:
            return Response("Ingen e-postutkast er laget ennå.", status_code=404, media_type="text/plain; charset=utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in drafts:
                zf.write(path, path.relative_to(folder).as_posix())
        return Response(buffer.getvalue(), media_type="application/zip",
                        headers={"content-disposition": f'attachment; filename="epostutkast {bok.kommune.periode.ar}.zip"'})

    def _plan(self, bok, year: YearFolder):
        # The same settings as `send` (innstillinger.json): what HR confirms is what goes out.
        setup = mail_setup(bok, self.settings.maler, load_settings(self.workspace.ut))
        entries = load_generated(year.path, self.workspace.workbook, "epost")
        return plan(bok, year.path, year.epost(setup.mailing.subfolder), entries, setup.template, select_leaders(bok),
                    False, setup.mailing, setup.sender)

    async def epost_confirm(self, request: Request) -> Response:
        bok, year, errors = self._book()
        if bok is None:
            return self.epost(request, message=" ".join(errors), status_code=400)
        try:
            # A missing server is said before HR confirms the recipients, not after.
            smtp_settings(stored=load_settings(self.workspace.ut))
            todo = self._plan(bok, year)
        except SmtpError as exc:
            return self.epost(request, message=exc.page, status_code=400)
        except LederavtaleError as exc:
            return self.epost(request, message=" ".join(exc.lines()), status_code=400)
        return self.render(request, "epost_bekreft.html", page="/epost", todo=todo)

    async def epost_send(self, request: Request) -> Response:
        async with request.form() as form:
            confirmed = str(form.get("liste") or "")

        def confirm(todo) -> bool:
            # Only what HR saw on the confirmation page goes out; anything new since then stops it.
            return hmac.compare_digest(todo.digest, confirmed)

        def work(progress):
            try:
                result = send(self.workspace.job(progress), confirm=confirm)
            except SmtpError as exc:
                # The terminal's words name command-line options; the page points to Innstillinger.
                raise SmtpError(exc.page, exc.page) from None
            if result.cancelled:
                result.notices.append("Listen over mottakere er endret siden bekreftelsen. Se over listen og bekreft på nytt.")
            return result

        return self._start(request, "Sender e-post", "/epost", work, "epost send", liste=confirmed[:16])

    # --- Signering -------------------------------------------------------------------------------------

    def signering_page(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        copies, signed = [], {}
        if bok is not None:
            try:
                entries = Manifest.load(year.path).ledere if year.manifest.exists() else {}
                signed = load_signed(year.signert)
            except LederavtaleError as exc:
                entries, errors = {}, exc.lines()
            for leder in bok.avtaleledere():
                entry = entries.get(leder.ansattnr)
                mine = [f for f in entry.filer if f.fase == SIGNING] if entry is not None else []
                copies.append({"leder": leder, "files": mine, "signed": signed.get(leder.ansattnr),
                               "overordnet": bok.overordnet(leder)})
        signatarer = year is not None and year.signatarer.is_file()
        return self.render(request, "signering.html", page="/signering", bok=bok, errors=errors, copies=copies,
                           signatarer=year.relative(year.signatarer) if signatarer else "", **extra)

    async def signering_get(self, request: Request) -> Response:
        return self.signering_page(request)

    async def signering_make(self, request: Request) -> Response:
        return self._start(request, "Lager kopier til signering", "/signering",
                           lambda progress: signering(self.workspace.job(progress)), "signering")

    async def _save_uploads(self, form, field: str, folder: Path, suffixes: tuple[str, ...], signature: bytes | None,
                            limit: int) -> list[Path]:
        uploads = [u for u in form.getlist(field) if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            raise Refused("Velg minst én fil å laste opp.")
        checked = []
        for upload in uploads:
            name = Path(upload.filename.replace("\\", "/")).name
            if not name.lower().endswith(suffixes):
                raise Refused(f"«{name}» har feil filtype (bare {', '.join(suffixes)}). Ingenting er lastet opp.")
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise Refused(f"«{name}» er større enn {limit // (1024 * 1024)} MB. Ingenting er lastet opp.")
            if signature is not None and not data.startswith(signature):
                raise Refused(f"«{name}» er ikke en {suffixes[0].lstrip('.').upper()}-fil. Ingenting er lastet opp.")
            checked.append((name, data))
        batch = folder / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        paths = []
        for name, data in checked:
            path = batch / safe_filename(name)
            atomic_write_bytes(path, data)
            paths.append(path)
        return paths

    async def signering_upload(self, request: Request) -> Response:
        bok, year, errors = self._book()
        if bok is None:
            return self.signering_page(request, message=" ".join(errors), status_code=400)
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
            raw = str(form.get("dato") or "").strip()
            try:
                dato = parse_date(raw)
            except ValueError:
                return self.signering_page(request, message=f"«{raw[:20]}» er ikke en dato. Ingenting er lastet opp.",
                                           status_code=400)
            try:
                paths = await self._save_uploads(form, "signerte", year.uploads("signert"), (".pdf",), PDF_SIGNATURE,
                                                 PDF_LIMIT)
            except Refused as exc:
                return self.signering_page(request, message=str(exc), status_code=400)
        folder = paths[0].parent
        return self._start(request, "Leser signerte kopier", "/signering",
                           lambda progress: signert(self.workspace.job(progress), folder, dato=dato), "signert",
                           filer=[p.name for p in paths])

    async def signering_confirm(self, request: Request) -> Response:
        """HR has looked at a sealed copy whose signers could not be read, and confirms both parties signed."""
        async with request.form(max_files=0, max_fields=10) as form:
            ansattnr = str(form.get("ansattnr") or "").strip()
        return self._start(request, "Bekrefter undertegnerne", "/signering",
                           lambda progress: bekreft(self.workspace.job(progress), (ansattnr,)), "signert bekreft",
                           ansattnr=ansattnr)

    # --- Arkiv -----------------------------------------------------------------------------------------

    def arkiv_page(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        archived, package = [], []
        if bok is not None:
            try:
                recorded = Arkivert(year.arkivert).ledere if year.arkivert.exists() else {}
            except LederavtaleError as exc:
                recorded, errors = {}, exc.lines()
            archived = [{"leder": l, "entry": recorded.get(l.ansattnr),
                         "text": description(recorded[l.ansattnr]) if l.ansattnr in recorded else ""}
                        for l in bok.avtaleledere()]
            package = [year.relative(p) for p in (year.arkivstruktur, year.import_csv) if p.is_file()]
        return self.render(request, "arkiv.html", page="/arkiv", bok=bok, errors=errors, archived=archived,
                           package=package, **extra)

    async def arkiv_get(self, request: Request) -> Response:
        return self.arkiv_page(request)

    async def arkiv_build(self, request: Request) -> Response:
        async with request.form() as form:
            alle = form.get("alle") == "ja"
            godta = form.get("godta_usignert") == "ja"
        return self._start(request, "Lager arkivpakken", "/arkiv",
                           lambda progress: arkiv(self.workspace.job(progress), alle=alle, godta_usignert=godta),
                           "arkiv", alle=alle, godta_usignert=godta)

    async def arkiv_receipts(self, request: Request) -> Response:
        return await self._upload_and_run(
            request, self.arkiv_page, "kvitteringer", "kvitteringer", (".xml", ".json"), None, PDF_LIMIT,
            "Leser kvitteringer fra arkivet", "/arkiv", "arkiv kvitteringer",
            lambda progress, folder: arkiv(self.workspace.job(progress), kvitteringer=folder))

    # --- Oppfølging og status --------------------------------------------------------------------------

    def oppfolging_page(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        report, status_book, charts = [], "", []
        if year is not None:
            report = [year.relative(p) for p in year.status_report if p.is_file()]
            charts = [(area, text) for area, text, _ in self._charts(bok, year)] if report else []
            status_book = year.relative(year.status) if year.status.is_file() else ""
        return self.render(request, "oppfolging.html", page="/oppfolging", bok=bok, errors=errors, report=report,
                           status_book=status_book, charts=charts, **extra)

    async def oppfolging_get(self, request: Request) -> Response:
        return self.oppfolging_page(request)

    async def oppfolging_make(self, request: Request) -> Response:
        async with request.form() as form:
            pdf = form.get("pdf") == "ja"
        return self._start(request, "Lager oppfølgingsdokumenter og status.xlsx", "/oppfolging",
                           lambda progress: follow_up(self.workspace.job(progress), pdf=pdf), "oppfolging", pdf=pdf)

    async def oppfolging_status(self, request: Request) -> Response:
        bok, year, errors = self._book()
        if bok is None:
            return self.oppfolging_page(request, message=" ".join(errors), status_code=400)
        async with request.form(max_files=1) as form:
            pdf = form.get("pdf") == "ja"
            try:
                paths = await self._save_uploads(form, "statusbok", year.uploads("status"), (".xlsx",), ZIP_SIGNATURE,
                                                 WORKBOOK_LIMIT)
            except Refused as exc:
                return self.oppfolging_page(request, message=str(exc), status_code=400)
        uploaded = paths[0]
        current = year.uploads("status") / "status.xlsx"

        def after(job: JobState):
            # The overview's Status column reads the last book that made a report; one with errors is dropped.
            if job.result is not None:
                shutil.copyfile(uploaded, current)
            shutil.rmtree(uploaded.parent, ignore_errors=True)

        return self._start(request, "Lager statusrapporten", "/oppfolging",
                           lambda progress: make_status_report(self.workspace.job(progress), uploaded, pdf),
                           "status", after, fil=uploaded.name, pdf=pdf)

    def _charts(self, bok, year: YearFolder) -> list[tuple[str, str, bytes]]:
        """(area, description, PNG) per area of the last status book that made a report, as the report draws
        them (status/chart.py, in the report's words); [] without one."""
        rows = self._status_rows(bok, year)
        if rows is None:
            return []
        key = self._status_cache[0]
        if self._charts_cache is None or self._charts_cache[0] != key:
            text = chart_text(False)  # the page's own language, bokmål
            charts = [(area, describe(area, items, text), area_chart(items, text))
                      for area, items in count(bok, rows).omrader().items()]
            self._charts_cache = (key, charts)
        return self._charts_cache[1]

    _charts_cache: tuple | None = None

    async def figur(self, request: Request) -> Response:
        bok, year, _ = self._book()
        charts = self._charts(bok, year) if bok is not None else []
        n = request.path_params["n"]
        if not 0 <= n < len(charts):
            return self._error_page(request, 404, "Finnes ikke", NOT_FOUND)
        return Response(charts[n][2], media_type="image/png")

    # --- Neste år ----------------------------------------------------------------------------------------

    def nytt_ar_page(self, request: Request, **extra) -> Response:
        bok, year, errors = self._book()
        job = self.runner.last.get("/nytt-ar")
        made = None
        if job is not None and job.result is not None and job.result.files:
            made = job.result.files[0].name
        status_book = year is not None and (year.uploads("status") / "status.xlsx").is_file()
        return self.render(request, "nytt_ar.html", page="/nytt-ar", bok=bok, errors=errors, made=made,
                           status_book=status_book, **extra)

    async def nytt_ar_get(self, request: Request) -> Response:
        return self.nytt_ar_page(request)

    async def nytt_ar_post(self, request: Request) -> Response:
        bok, year, errors = self._book()
        if bok is None:
            return self.nytt_ar_page(request, message=" ".join(errors), status_code=400)
        async with request.form() as form:
            raw = str(form.get("til", "")).strip()
            with_status = form.get("status") == "ja"
        # Four ASCII digits: str.isdigit() also takes «²⁰²⁸», which int() does not.
        if not re.fullmatch(r"[0-9]{4}", raw):
            return self.nytt_ar_page(request, message=f"«{raw[:20]}» er ikke et årstall. Skriv året med fire sifre, "
                                     f"f.eks. {bok.kommune.periode.ar + 1}.", status_code=400)
        til = int(raw)
        problem = next_year_problem(bok.kommune.periode.ar, til)
        if problem:
            return self.nytt_ar_page(request, message=f"{til}: {problem}. Ingenting er laget.", status_code=400)
        target = self.workspace.ut / "neste år" / safe_filename(f"arbeidsbok {til} {datetime.now():%Y%m%d-%H%M%S}.xlsx")
        statusbok = year.uploads("status") / "status.xlsx" if with_status else None

        def work(progress):
            target.parent.mkdir(parents=True, exist_ok=True)
            result = next_year(self.workspace.job(progress), til, target, statusbok)
            result.files = [target]
            return result

        return self._start(request, f"Lager arbeidsboken for {til}", "/nytt-ar", work, "nytt-ar", til=til)

    async def nytt_ar_file(self, request: Request) -> Response:
        job = self.runner.last.get("/nytt-ar")
        if job is None or job.result is None or not job.result.files or not job.result.files[0].is_file():
            return self._error_page(request, 404, "Finnes ikke", NOT_FOUND)
        path = job.result.files[0]
        return FileResponse(path, media_type=files.TYPES[".xlsx"], filename=path.name)


def create_app(settings: Settings) -> Starlette:
    """The app for `settings` (its port is the one the socket is bound to: the Host check needs it)."""
    web = Web(settings)
    routes = [
        Route("/", web.oversikt_route),
        Route("/leder/{nr}", web.leder),
        Route("/leder/{nr}/alt.zip", web.leder_zip, methods=["GET"]),
        Route("/leder/{nr}/gjenopprett", web.leder_restore, methods=["POST"]),
        Route("/fil/{sti:path}", web.fil),
        Route("/jobb", web.jobb),
        Route("/arbeidsbok", web.arbeidsbok_get, methods=["GET"]),
        Route("/arbeidsbok", web.arbeidsbok_post, methods=["POST"]),
        Route("/avtaler", web.avtaler_get, methods=["GET"]),
        Route("/avtaler/generer", web.avtaler_post, methods=["POST"]),
        Route("/avtaler/innlevert", web.avtaler_returned, methods=["POST"]),
        Route("/epost", web.epost_get, methods=["GET"]),
        Route("/epost/utkast", web.epost_drafts, methods=["POST"]),
        Route("/epost/utkast.zip", web.epost_zip, methods=["GET"]),
        Route("/epost/bekreft", web.epost_confirm, methods=["POST"]),
        Route("/epost/send", web.epost_send, methods=["POST"]),
        Route("/signering", web.signering_get, methods=["GET"]),
        Route("/signering/lag", web.signering_make, methods=["POST"]),
        Route("/signering/signerte", web.signering_upload, methods=["POST"]),
        Route("/signering/bekreft", web.signering_confirm, methods=["POST"]),
        Route("/arkiv", web.arkiv_get, methods=["GET"]),
        Route("/arkiv/lag", web.arkiv_build, methods=["POST"]),
        Route("/arkiv/kvitteringer", web.arkiv_receipts, methods=["POST"]),
        Route("/oppfolging", web.oppfolging_get, methods=["GET"]),
        Route("/oppfolging/lag", web.oppfolging_make, methods=["POST"]),
        Route("/oppfolging/status", web.oppfolging_status, methods=["POST"]),
        Route("/oppfolging/figur/{n:int}.png", web.figur, methods=["GET"]),
        Route("/nytt-ar", web.nytt_ar_get, methods=["GET"]),
        Route("/nytt-ar", web.nytt_ar_post, methods=["POST"]),
        Route("/nytt-ar/arbeidsbok.xlsx", web.nytt_ar_file, methods=["GET"]),
        *innstillinger.routes(web),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    guard = Guard(settings.token, allowed_hosts(settings.host, settings.port, settings.hostnames),
                  max_body=settings.max_upload, secure_cookie=bool(settings.hostnames),
                  user_header=settings.user_header, ut=settings.ut, server_id=settings.server_id)
    app = Starlette(routes=routes, middleware=[Middleware(SecurityMiddleware, guard=guard)],
                    exception_handlers={404: web.not_found, 405: web.not_found, 500: web.server_error})
    app.state.web = web
    return app


def bind(host: str, port: int) -> socket.socket:
    """The listening socket: `port`, or a free one when it is 0 or taken (the default port's fallback)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        if port == 0:
            raise
        sock.bind((host, 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def url(settings: Settings) -> str:
    """The first line `lederavtale web` prints."""
    shown = "127.0.0.1" if settings.host in ("127.0.0.1", "0.0.0.0", "localhost", "") else settings.host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{settings.port}/?token={settings.token}"


def serve(app: Starlette, sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
