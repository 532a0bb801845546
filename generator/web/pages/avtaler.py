"""The page Avtaler: make the agreements and appendices, and take back the Word files edited after the
conversation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...commands.generate import generate
from ...commands.returned import innlevert
from ...exceptions import LederavtaleError
from ...signing.record import overwrite_at_stake
from ...store.manifest import EDITED, HANDED_IN, MISSING, Manifest, document_state
from ..site import ZIP_SIGNATURE, sha

PAGE = "/avtaler"
TITLE = "Avtaler"
WORD_LIMIT = 40 * 1024 * 1024  # one .docx, or a .zip of many


def routes(web) -> list[Route]:
    page = AgreementsPage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE + "/generer", page.generate, methods=["POST"]),
        Route(PAGE + "/innlevert", page.returned, methods=["POST"]),
    ]


class AgreementsPage:
    def __init__(self, web):
        self.web = web

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        leaders = []
        if bok is not None and year.manifest.exists():
            try:
                manifest = Manifest.load(year.path)
            except LederavtaleError as exc:
                manifest, errors = None, exc.lines()
            for leder in bok.avtaleledere():
                entry = manifest.ledere.get(leder.ansattnr) if manifest is not None else None
                docs = [{"f": f, "state": document_state(manifest, f, sha)}
                        for f in (entry.filer if entry is not None else [])
                        if not f.fase and f.rolle in ("avtale", "vedlegg")]
                leaders.append({"leder": leder, "docs": docs})
        return self.web.render(request, "avtaler.html", page=PAGE, bok=bok, errors=errors, leaders=leaders,
                               states=(EDITED, HANDED_IN, MISSING), **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def generate(self, request: Request) -> Response:
        async with request.form() as form:
            pdf = form.get("pdf") == "ja"
            overskriv = form.get("overskriv") == "ja"
            confirmed = form.get("bekreftet") == "ja"
        if overskriv and not confirmed:
            # Overwriting throws away work a person did: said in numbers before anything happens.
            bok, year, errors = self.web.book()
            if bok is None:
                return self.show(request, message=" ".join(errors), status_code=400)
            return self.web.render(request, "avtaler_bekreft.html", page=PAGE, pdf=pdf,
                                   at_stake=overwrite_at_stake(year, sha))
        return self.web.start(request, "Lager avtaler og vedlegg", PAGE,
                              lambda progress: generate(self.web.workspace.job(progress), pdf=pdf, overskriv=overskriv),
                              "generer", pdf=pdf, overskriv=overskriv)

    async def returned(self, request: Request) -> Response:
        """Word files edited after the conversation come back: matched to their leaders by the job."""
        return await self.web.upload_and_run(
            request, PAGE, "word", "innlevert", (".docx", ".zip"), ZIP_SIGNATURE, WORD_LIMIT,
            "Tar inn Word-filer", "innlevert",
            lambda progress, folder: innlevert(self.web.workspace.job(progress), [folder]))
