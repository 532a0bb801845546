"""Downloads (`/fil/<sti>`): a file the tool wrote in the year folder, by its path there (web/files.py decides)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from .. import files


def routes(web) -> list[Route]:
    async def get(request: Request) -> Response:
        bok, year, _ = web.book()
        path = files.resolve(bok, year, request.path_params["sti"]) if bok is not None else None
        if path is None:
            return web.missing(request)
        media_type, inline = files.content_type(path)
        return FileResponse(path, media_type=media_type, filename=path.name,
                            content_disposition_type="inline" if inline else "attachment")

    return [Route("/fil/{sti:path}", get, methods=["GET"])]
