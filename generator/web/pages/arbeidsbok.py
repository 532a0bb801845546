"""The page Arbeidsbok: upload the workbook (and the pictures it names), checked before it is used."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...commands.check import check
from ...store.files import atomic_write_bytes, safe_filename
from ...workbook.file import OWNER_PREFIX, owner_file_message
from .. import log
from ..runner import Busy, JobState
from ..site import ZIP_SIGNATURE, Refused, read_upload

PAGE = "/arbeidsbok"
TITLE = "Arbeidsbok"
WORKBOOK_LIMIT = 20 * 1024 * 1024
IMAGE_LIMIT = 5 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


def routes(web) -> list[Route]:
    page = WorkbookPage(web)
    web.shows[PAGE] = page.show
    return [Route(PAGE, page.get, methods=["GET"]), Route(PAGE, page.upload, methods=["POST"])]


class WorkbookPage:
    def __init__(self, web):
        self.web = web

    def show(self, request: Request, **extra) -> Response:
        bok, year, errors = self.web.book()
        folder = self.web.workspace.uploads
        uploaded = sorted(folder.glob("*/*.xlsx"), reverse=True) if folder.is_dir() else []
        return self.web.render(request, "arbeidsbok.html", page=PAGE, bok=bok, errors=errors, uploaded=uploaded,
                               **extra)

    async def get(self, request: Request) -> Response:
        return self.show(request)

    async def upload(self, request: Request) -> Response:
        web = self.web
        async with request.form(max_files=20) as form:
            try:
                target = await self._save(form.get("arbeidsbok"), form.getlist("bilder"))
            except Refused as exc:
                return self.show(request, message=str(exc), status_code=400)
        user = web.user(request)

        def work(progress):
            return check(web.workspace.job(progress, workbook=target))

        def after(job: JobState):
            # A workbook with errors changes nothing: it is removed, and the one in use stays.
            if job.result is None:
                shutil.rmtree(target.parent, ignore_errors=True)
                return
            web.workspace.workbook = target
            _, year, _ = web.book()
            if year is not None:
                log.append(year.log, "arbeidsbok lastet opp", user, fil=target.name)

        try:
            web.runner.start("Kontrollerer arbeidsboken", PAGE, work, after)
        except Busy as exc:
            shutil.rmtree(target.parent, ignore_errors=True)
            return self.show(request, message=str(exc), status_code=409)
        return RedirectResponse(PAGE, status_code=303)

    async def _save(self, upload, images) -> Path:
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
            picture, content = await read_upload(image, IMAGE_SUFFIXES, IMAGE_LIMIT,
                                                 f"er ikke et bilde ({', '.join(IMAGE_SUFFIXES)})", "Ingenting er endret.")
            pictures.append((safe_filename(picture), content))
        folder = self.web.workspace.uploads / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = folder / safe_filename(name)
        atomic_write_bytes(target, data)
        for picture, content in pictures:
            atomic_write_bytes(folder / picture, content)
        return target
