"""The page Signering: the final copies to sign, and the signed copies (e-signed or scanned) read back."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...commands.signed import bekreft, signert
from ...commands.signing import signering
from ...exceptions import LederavtaleError
from ...signing.record import load_signed
from ...store.manifest import SIGNING, Manifest
from ...workbook.values import parse_date
from ..security import MAX_FIELDS, MAX_FILES
from ..site import Refused, zip_response

PAGE = "/signering"
TITLE = "Signering"
PDF_SIGNATURE = b"%PDF-"
PDF_LIMIT = 30 * 1024 * 1024


def routes(web) -> list[Route]:
    page = SigningPage(web)
    web.shows[PAGE] = page.show
    return [
        Route(PAGE, page.get, methods=["GET"]),
        Route(PAGE + "/lag", page.make, methods=["POST"]),
        Route(PAGE + "/signerte", page.upload, methods=["POST"]),
        Route(PAGE + "/bekreft", page.confirm, methods=["POST"]),
        Route(PAGE + "/kopier.zip", page.copies_zip, methods=["GET"]),
    ]


class SigningPage:
    def __init__(self, web):
        self.web = web

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
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
        return self.web.render(request, "signering.html", page=PAGE, bok=bok, errors=errors, copies=copies,
                               signatarer=year.relative(year.signatarer) if signatarer else "", **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def copies_zip(self, request: Request) -> Response:
        """Every copy for signing, one folder per leader, and the list of signers: what goes to the portal."""
        bok, year, _ = self.web.book()
        try:
            entries = Manifest.load(year.path).ledere if bok is not None and year.manifest.exists() else {}
        except LederavtaleError:
            entries = {}
        paths = [year.path / f.sti for entry in entries.values() for f in entry.filer if f.fase == SIGNING]
        paths = [p for p in paths if p.is_file()]
        if not paths:
            return self.web.error_page(request, 404, "Ingen kopier til signering ennå",
                                       "Kopiene til signering er ikke laget ennå. Trykk «Lag kopier til signering» "
                                       "på siden Signering først.")
        if year.signatarer.is_file():
            paths.append(year.signatarer)
        return zip_response(paths, year.path, f"til signering {bok.kommune.periode.ar}.zip")

    async def make(self, request: Request) -> Response:
        return self.web.start(request, "Lager kopier til signering", PAGE,
                              lambda progress: signering(self.web.workspace.job(progress)), "signering")

    async def upload(self, request: Request) -> Response:
        bok, year, errors = self.web.book()
        if bok is None:
            return self.show(request, message=" ".join(errors), status_code=400)
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS) as form:
            raw = str(form.get("dato") or "").strip()
            try:
                dato = parse_date(raw)
            except ValueError:
                return self.show(request, message=f"«{raw[:20]}» er ikke en dato. Ingenting er lastet opp.",
                                 status_code=400)
            try:
                paths = await self.web.save_uploads(form, "signerte", year.uploads("signert"), (".pdf",),
                                                    PDF_SIGNATURE, PDF_LIMIT)
            except Refused as exc:
                return self.show(request, message=str(exc), status_code=400)
        folder = paths[0].parent
        return self.web.start(request, "Leser signerte kopier", PAGE,
                              lambda progress: signert(self.web.workspace.job(progress), folder, dato=dato), "signert",
                              filer=[p.name for p in paths])

    async def confirm(self, request: Request) -> Response:
        """HR has looked at a sealed copy whose signers could not be read, and confirms both parties signed."""
        async with request.form(max_files=0, max_fields=10) as form:
            ansattnr = str(form.get("ansattnr") or "").strip()
        return self.web.start(request, "Bekrefter undertegnerne", PAGE,
                              lambda progress: bekreft(self.web.workspace.job(progress), (ansattnr,)),
                              "signert bekreft", ansattnr=ansattnr)
