"""The page Arkiv: the archive package for the records system, and the archive's receipts read back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...archive.arkivert import Arkivert, description
from ...commands.archive import arkiv
from ...exceptions import LederavtaleError
from ...store.year import YearFolder
from ..security import MAX_FIELDS, MAX_FILES
from ..site import Refused

PAGE = "/arkiv"
TITLE = "Arkiv"
RECEIPT_LIMIT = 30 * 1024 * 1024
CODE_LISTS = "kodelister"  # the year's uploads of the archive's code-list replies, one folder per upload
CODE_LIST_LIMIT = 5 * 1024 * 1024


def code_lists(year: YearFolder) -> Path | None:
    """The folder of the code lists uploaded last; None before any."""
    folder = year.uploads(CODE_LISTS)
    batches = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    return batches[-1] if batches else None


def routes(web) -> list[Route]:
    page = ArchivePage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE + "/lag", page.build, methods=["POST"]),
        Route(PAGE + "/kvitteringer", page.receipts, methods=["POST"]),
    ]


class ArchivePage:
    def __init__(self, web):
        self.web = web

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        archived, package, lists, lists_from = [], [], [], ""
        if bok is not None:
            try:
                recorded = Arkivert(year.arkivert).ledere if year.arkivert.exists() else {}
            except LederavtaleError as exc:
                recorded, errors = {}, exc.lines()
            archived = [{"leder": l, "entry": recorded.get(l.ansattnr),
                         "text": description(recorded[l.ansattnr]) if l.ansattnr in recorded else ""}
                        for l in bok.avtaleledere()]
            package = [year.relative(p) for p in (year.arkivstruktur, year.import_csv) if p.is_file()]
            folder = code_lists(year)
            if folder is not None:
                lists = sorted(p.stem for p in folder.glob("*.xml"))
                lists_from = f"{datetime.fromtimestamp(folder.stat().st_mtime):%d.%m.%Y}"
        return self.web.render(request, "arkiv.html", page=PAGE, bok=bok, errors=errors, archived=archived,
                               package=package, lists=lists, lists_from=lists_from, **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def build(self, request: Request) -> Response:
        bok, year, errors = self.web.book()
        if bok is None:
            return self.show(request, message=" ".join(errors), status_code=400)
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
            alle = form.get("alle") == "ja"
            godta = form.get("godta_usignert") == "ja"
            if any(isinstance(u, UploadFile) and u.filename for u in form.getlist("kodelister")):
                try:
                    await self.web.save_uploads(form, "kodelister", year.uploads(CODE_LISTS), (".xml",), None,
                                                CODE_LIST_LIMIT)
                except Refused as exc:
                    return self.show(request, message=str(exc), status_code=400)
        # The archive's code lists, once uploaded, check every later package too (until newer ones come).
        kodelister = code_lists(year)
        return self.web.start(request, "Lager arkivpakken", PAGE,
                              lambda progress: arkiv(self.web.workspace.job(progress), alle=alle, godta_usignert=godta,
                                                     kodelister=kodelister),
                              "arkiv", alle=alle, godta_usignert=godta, kodelister=kodelister is not None)

    async def receipts(self, request: Request) -> Response:
        return await self.web.upload_and_run(
            request, PAGE, "kvitteringer", "kvitteringer", (".xml", ".json"), None, RECEIPT_LIMIT,
            "Leser kvitteringer fra arkivet", "arkiv kvitteringer",
            lambda progress, folder: arkiv(self.web.workspace.job(progress), kvitteringer=folder))
