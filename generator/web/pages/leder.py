"""One leader's page (`/leder/<ansattnr>`): the documents, the kept earlier versions, everything as a .zip."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...commands.returned import innlevert
from ...documents.writing import backups
from ...exceptions import LederavtaleError
from ...store.manifest import Manifest
from ...store.year import YearFolder
from .. import files
from ..site import zip_response
from . import avtaler

PAGE = "/leder"


def routes(web) -> list[Route]:
    page = LeaderPage(web)
    return [
        Route(PAGE + "/{nr}", page.get, methods=["GET"]),
        Route(PAGE + "/{nr}/alt.zip", page.download_all, methods=["GET"]),
        Route(PAGE + "/{nr}/gjenopprett", page.restore, methods=["POST"]),
    ]


def kept(year: YearFolder, nr: str) -> list[dict]:
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


class LeaderPage:
    def __init__(self, web):
        self.web = web

    def _row(self, request: Request):
        bok, year, _ = self.web.book()
        nr = request.path_params["nr"]
        if bok is None:
            return None, None, None
        row = next((r for r in self.web.overview(bok, year).rows if r.ansattnr == nr), None)
        return bok, year, row

    async def get(self, request: Request) -> Response:
        _, year, row = self._row(request)
        if row is None:
            return self.web.missing(request)
        return self.web.render(request, "leder.html", page="/", row=row, kept=kept(year, row.ansattnr))

    async def restore(self, request: Request) -> Response:
        """A kept Word file goes back in place; the one it replaces is kept in turn (as an upload would)."""
        _, year, row = self._row(request)
        async with request.form(max_files=0, max_fields=10) as form:
            sti = str(form.get("fil") or "")
        chosen = next((b for b in (kept(year, row.ansattnr) if row is not None else [])
                       if b["sti"] == sti and b["word"]), None)
        if chosen is None:
            return self.web.missing(request)
        path = year.path / chosen["sti"]
        return self.web.start(request, "Henter tilbake en tidligere versjon", avtaler.PAGE,
                              lambda progress: innlevert(self.web.workspace.job(progress), [path]), "gjenopprett",
                              ansattnr=row.ansattnr, fil=chosen["navn"])

    async def download_all(self, request: Request) -> Response:
        """Everything the tool has of one leader, in one download."""
        bok, year, row = self._row(request)
        if row is None:
            return self.web.missing(request)
        paths = [files.resolve(bok, year, link.sti) for link in row.links]
        paths += [year.path / b["sti"] for b in kept(year, row.ansattnr)]
        return zip_response([p for p in paths if p is not None and p.is_file()], year.path,
                            f"{row.ansattnr} {row.navn}.zip")
