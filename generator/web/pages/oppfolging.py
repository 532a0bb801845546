"""The page Oppfølging og status: the follow-up documents and status.xlsx, then the status report from the
filled-in book, with the report's charts on the page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...commands.followup import follow_up
from ...commands.status import make_status_report
from ...exceptions import LederavtaleError
from ...mail.message import FOLLOW_UP_MAIL
from ...mail.records import read_records
from ...status.chart import area_charts
from ...status.counts import count
from ...status.document import chart_text
from ...store.settings import load as load_settings
from ...store.year import SENT_FILE, YearFolder
from ..site import ZIP_SIGNATURE, Refused

PAGE = "/oppfolging"
TITLE = "Oppfølging og status"
WORKBOOK_LIMIT = 20 * 1024 * 1024


def routes(web) -> list[Route]:
    page = FollowUpPage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE + "/lag", page.make, methods=["POST"]),
        Route(PAGE + "/status", page.status, methods=["POST"]),
        Route(PAGE + "/figur/{n:int}.png", page.chart, methods=["GET"]),
    ]


class FollowUpPage:
    def __init__(self, web):
        self.web = web
        self._charts_cache: tuple | None = None

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        report, status_book, charts, follow_up_made, follow_up_sent, with_appendix = [], "", [], False, 0, True
        if year is not None:
            follow_up_made = self.web.overview(bok, year).counts["oppfolging"] > 0
            try:
                with_appendix = load_settings(self.web.workspace.ut).med_vedlegg
                follow_up_sent = len(read_records(year.epost(FOLLOW_UP_MAIL.subfolder) / SENT_FILE))
            except LederavtaleError as exc:
                errors = errors + exc.lines()
            report = [year.relative(p) for p in year.status_report if p.is_file()]
            charts = [(c.area, c.text) for c in self._charts(bok, year)] if report else []
            status_book = year.relative(year.status) if year.status.is_file() else ""
        return self.web.render(request, "oppfolging.html", page=PAGE, bok=bok, errors=errors, report=report,
                               status_book=status_book, charts=charts, follow_up_made=follow_up_made,
                               follow_up_sent=follow_up_sent, with_appendix=with_appendix, **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def make(self, request: Request) -> Response:
        async with request.form() as form:
            pdf = form.get("pdf") == "ja"
        return self.web.start(request, "Lager oppfølgingsdokumenter og status.xlsx", PAGE,
                              lambda progress: follow_up(self.web.workspace.job(progress), pdf=pdf), "oppfolging",
                              pdf=pdf)

    async def status(self, request: Request) -> Response:
        bok, year, errors = self.web.book()
        if bok is None:
            return self.show(request, message=" ".join(errors), status_code=400)
        async with request.form(max_files=1) as form:
            pdf = form.get("pdf") == "ja"
            try:
                paths = await self.web.save_uploads(form, "statusbok", year.uploads("status"), (".xlsx",),
                                                    ZIP_SIGNATURE, WORKBOOK_LIMIT)
            except Refused as exc:
                return self.show(request, message=str(exc), status_code=400)
        uploaded = paths[0]
        # The job keeps the book it made the report from as the year's status (YearFolder.statusbok).
        return self.web.start(request, "Lager statusrapporten", PAGE,
                              lambda progress: make_status_report(self.web.workspace.job(progress), uploaded, pdf),
                              "status", fil=uploaded.name, pdf=pdf)

    def _charts(self, bok, year: YearFolder):
        """The report's charts (status/chart.py, in the page's language, bokmål) of the status book the last
        report was made from; [] without one."""
        rows = self.web.status_rows(bok, year)
        if rows is None:
            return []
        key = (id(rows), id(bok))
        if self._charts_cache is None or self._charts_cache[0] != key:
            self._charts_cache = (key, area_charts(count(bok, rows), chart_text(False)))
        return self._charts_cache[1]

    async def chart(self, request: Request) -> Response:
        bok, year, _ = self.web.book()
        charts = self._charts(bok, year) if bok is not None else []
        n = request.path_params["n"]
        if not 0 <= n < len(charts):
            return self.web.missing(request)
        return Response(charts[n].png, media_type="image/png")
