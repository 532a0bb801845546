"""What every page of the web site shares: rendering, the workbook in use, running a job, uploads, errors.

One `Web` per app (app.py builds it). The pages (`web/pages/`, one module each) hold a reference to it
and only gather a form's values, call a job through `start`, and render with `render`; no job logic
lives here or there.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..exceptions import LederavtaleError
from ..plural import antall
from ..store import lifecycle
from ..store.files import atomic_write_bytes, safe_filename, sha256_file
from ..store.year import YearFolder
from ..workbook import open_in_excel
from . import files, log
from .runner import Busy, JobState, Runner
from .security import CSRF_FIELD, MAX_FIELDS, MAX_FILES
from .words import for_web
from .workspace import Settings, Workspace

HERE = Path(__file__).parent
ZIP_SIGNATURE = b"PK\x03\x04"
NOT_FOUND = "Adressen peker ikke til noen side eller fil her. Gå til oversikten og velg derfra."

Show = Callable[..., Response]  # a page's own view: show(request, message=..., status_code=...)


class Refused(LederavtaleError):
    """An upload or a form the page cannot use; shown on the page, nothing changed."""


def environment(menu: tuple[tuple[str, str], ...] = ()) -> SandboxedEnvironment:
    # Sandboxed and autoescaped, as the documents' templates are: a name from the workbook is text, never markup.
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                               undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(antall=antall, pages=menu, stages=lifecycle.STAGES, filters=lifecycle.FILTERS)
    return env


_hashes: dict[tuple[str, int, int], str] = {}


def sha(path: Path) -> str:
    """sha256 of a file, remembered by size and modification time (the Avtaler page checks every .docx)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _hashes:
        _hashes[key] = sha256_file(path)
    return _hashes[key]


def stamp(path: Path) -> tuple[int, int] | None:
    """What says a file changed: its size and modification time (None: it is not there)."""
    try:
        s = path.stat()
        return (s.st_size, s.st_mtime_ns)
    except OSError:
        return None


def zip_response(paths: list[Path], root: Path, name: str) -> Response:
    """A .zip of `paths`, named inside by their path under `root`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in dict.fromkeys(paths):
            zf.write(path, path.relative_to(root).as_posix())
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(safe_filename(name))}"})


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"


async def read_upload(upload: UploadFile, suffixes: tuple[str, ...], limit: int, wrong_type: str,
                      nothing: str) -> tuple[str, bytes]:
    """One uploaded file's name (without any folder the browser sent along) and bytes, read no further than
    `limit`; Refused, saying `wrong_type` («er ikke et bilde (.png …)») or the limit and then `nothing`
    («Ingenting er lagret.»), when its name or size is wrong."""
    name = Path(upload.filename.replace("\\", "/")).name
    if not name.lower().endswith(suffixes):
        raise Refused(f"«{name}» {wrong_type}. {nothing}")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"«{name}» er større enn {_size(limit)}. {nothing}")
    return name, data


class Web:
    def __init__(self, settings: Settings, menu: tuple[tuple[str, str], ...] = ()):
        self.settings = settings
        self.workspace = Workspace(settings)
        self.runner = Runner()
        self.env = environment(menu)
        self.menu = menu
        self.shows: dict[str, Show] = {}  # page path -> its view, where a refused job comes back to
        self._overview_cache: tuple | None = None
        self._status_cache: tuple | None = None

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
        bok, year, _ = self.book()
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

        return lambda text: for_web(text, link, (self.workspace.ut,), self.menu)

    def show(self, request: Request, page: str, **extra) -> Response:
        """`page`'s own view (the overview for a path no page has), with `extra` (a message, a status)."""
        return self.shows.get(page, self.shows["/"])(request, **extra)

    async def not_found(self, request: Request, exc=None) -> Response:
        """Starlette's own «Not Found» in the site's layout and in Norwegian."""
        return self.error_page(request, 404, "Siden finnes ikke", NOT_FOUND)

    async def server_error(self, request: Request, exc) -> Response:
        """An error nobody foresaw: said in Norwegian, never as a traceback."""
        return self.error_page(request, 500, "Noe gikk galt",
                               "Siden kunne ikke vises på grunn av en feil i verktøyet. Ingenting er endret av denne "
                               "forespørselen. Prøv igjen, og si fra til IT hvis det skjer igjen.")

    def missing(self, request: Request) -> Response:
        return self.error_page(request, 404, "Finnes ikke", NOT_FOUND)

    def error_page(self, request: Request, status: int, heading: str, text: str) -> Response:
        try:
            return self.render(request, "feil.html", status_code=status, page="", heading=heading, text=text)
        except Exception:  # no session or no template: the words alone
            return Response(f"{heading}. {text}", status_code=status, media_type="text/plain; charset=utf-8")

    # --- the year ------------------------------------------------------------------------------

    def book(self):
        """(bok, year, error lines)."""
        try:
            bok = self.workspace.book()
            return bok, YearFolder.of(bok, self.workspace.ut), []
        except LederavtaleError as exc:
            return None, None, exc.lines()

    def overview(self, bok, year: YearFolder) -> lifecycle.Overview:
        """The overview, made again only when the workbook or one of the records it reads has changed."""
        key = (id(bok), str(year.path), tuple(stamp(p) for p in lifecycle.records(year)))
        if self._overview_cache is None or self._overview_cache[0] != key:
            self._overview_cache = (key, lifecycle.overview(bok, year, self.status_rows(bok, year)))
        return self._overview_cache[1]

    def status_rows(self, bok, year: YearFolder):
        """The rows of the status book the last status report was made from (None: no report yet)."""
        key = (str(year.statusbok), stamp(year.statusbok), id(bok))
        if self._status_cache is None or self._status_cache[0] != key:
            self._status_cache = (key, lifecycle.status_rows(bok, year))
        return self._status_cache[1]

    # --- running a job -----------------------------------------------------------------------

    def user(self, request: Request) -> str:
        return log.user_of(request.headers, self.settings.user_header)

    def start(self, request: Request, name: str, page: str, work, action: str, after=None, **details) -> Response:
        """Run `work` in the background and show its page; a second job is refused with the page's message.
        The action is logged once it has run: one the year folder's lock (a command line run) refused is not."""
        user = self.user(request)

        def logged(job: JobState) -> None:
            if job.result is not None:
                _, year, _ = self.book()
                if year is not None:
                    log.append(year.log, action, user, **details)
            if after is not None:
                after(job)

        try:
            self.runner.start(name, page, work, logged)
        except Busy as exc:
            return self.show(request, page, message=str(exc), status_code=409)
        return RedirectResponse(page, status_code=303)

    # --- uploads -----------------------------------------------------------------------------

    async def save_uploads(self, form, field: str, folder: Path, suffixes: tuple[str, ...], signature: bytes | None,
                           limit: int) -> list[Path]:
        """The form's files of `field`, each checked (type, size, first bytes) before any is written, in a new
        folder of their own under `folder`."""
        uploads = [u for u in form.getlist(field) if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            raise Refused("Velg minst én fil å laste opp.")
        checked = []
        for upload in uploads:
            name, data = await read_upload(upload, suffixes, limit, f"har feil filtype (bare {', '.join(suffixes)})",
                                           "Ingenting er lastet opp.")
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

    async def upload_and_run(self, request: Request, page: str, field: str, uploads: str, suffixes: tuple[str, ...],
                             signature: bytes | None, limit: int, name: str, action: str, work) -> Response:
        """The form's files in a folder of their own under the year's uploads, and `work(progress, folder)` run on
        them; a refused upload shows `page` with the reason."""
        bok, year, errors = self.book()
        if bok is None:
            return self.show(request, page, message=" ".join(errors), status_code=400)
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
            try:
                paths = await self.save_uploads(form, field, year.uploads(uploads), suffixes, signature, limit)
            except Refused as exc:
                return self.show(request, page, message=str(exc), status_code=400)
        folder = paths[0].parent
        return self.start(request, name, page, lambda progress: work(progress, folder), action,
                          filer=[p.name for p in paths])
