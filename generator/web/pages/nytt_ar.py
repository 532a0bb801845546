"""The page Neste år: next year's workbook from this year's, with the status of the assignments."""

from __future__ import annotations

import re
from datetime import datetime

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ...commands.next_year import next_year, next_year_file, next_year_problem
from .. import files

PAGE = "/nytt-ar"
TITLE = "Neste år"


def routes(web) -> list[Route]:
    page = NextYearPage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE, page.make, methods=["POST"]),
        Route(PAGE + "/arbeidsbok.xlsx", page.download, methods=["GET"]),
    ]


class NextYearPage:
    def __init__(self, web):
        self.web = web

    def _made(self):
        """The workbook this page's last job wrote, while it is there."""
        job = self.web.runner.last.get(PAGE)
        if job is None or job.result is None or not job.result.files or not job.result.files[0].is_file():
            return None
        return job.result.files[0]

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        made = self._made()
        status_book = year is not None and year.statusbok.is_file()
        return self.web.render(request, "nytt_ar.html", page=PAGE, bok=bok, errors=errors,
                               made=made.name if made else None, status_book=status_book, **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def make(self, request: Request) -> Response:
        bok, year, errors = self.web.book()
        if bok is None:
            return self.show(request, message=" ".join(errors), status_code=400)
        async with request.form() as form:
            raw = str(form.get("til", "")).strip()
            with_status = form.get("status") == "ja"
        # Four ASCII digits: str.isdigit() also takes «²⁰²⁸», which int() does not.
        if not re.fullmatch(r"[0-9]{4}", raw):
            return self.show(request, message=f"«{raw[:20]}» er ikke et årstall. Skriv året med fire sifre, "
                             f"f.eks. {bok.kommune.periode.ar + 1}.", status_code=400)
        til = int(raw)
        problem = next_year_problem(bok.kommune.periode.ar, til)
        if problem:
            return self.show(request, message=f"{til}: {problem}. Ingenting er laget.", status_code=400)
        target = next_year_file(self.web.workspace.ut, til, datetime.now())
        statusbok = year.statusbok if with_status else None
        return self.web.start(request, f"Lager arbeidsboken for {til}", PAGE,
                              lambda progress: next_year(self.web.workspace.job(progress), til, target, statusbok),
                              "nytt-ar", til=til)

    async def download(self, request: Request) -> Response:
        path = self._made()
        if path is None:
            return self.web.missing(request)
        return FileResponse(path, media_type=files.TYPES[".xlsx"], filename=path.name)
