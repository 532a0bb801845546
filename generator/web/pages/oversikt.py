"""The page Oversikt (`/`): every leader and how far each has come in the year, with filters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import lifecycle

PAGE = "/"
TITLE = "Oversikt"


def routes(web) -> list[Route]:
    page = OverviewPage(web)
    web.shows[PAGE] = page.show
    return [Route(PAGE, page.get)]


class OverviewPage:
    def __init__(self, web):
        self.web = web

    async def get(self, request: Request) -> Response:
        return self.show(request)

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        if bok is None:
            return self.web.render(request, "oversikt.html", page=PAGE, errors=errors, view=None, rows=[], enhet="",
                                   tilstand="", **extra)
        view = self.web.overview(bok, year)
        enhet = request.query_params.get("enhet", "")
        tilstand = request.query_params.get("tilstand", "")
        rows = lifecycle.filtered(view, enhet, tilstand)
        # Plain tuples: the sandboxed template pays for every attribute it looks up (5,000 rows).
        table = [(r.ansattnr, r.navn, r.enhet, r.overordnet, r.overordnet_nr, r.marks, len(r.links)) for r in rows]
        return self.web.render(request, "oversikt.html", page=PAGE, errors=[], view=view, rows=rows, table=table,
                               enhet=enhet, tilstand=tilstand, kommune=bok.kommune.navn, ar=bok.kommune.periode.ar,
                               **extra)
