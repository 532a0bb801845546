"""The running job's progress (`/jobb`), which every page polls while a job runs (static/app.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def routes(web) -> list[Route]:
    async def get(request: Request) -> Response:
        job = web.runner.current
        return JSONResponse(job.as_json() if job is not None else {})

    return [Route("/jobb", get, methods=["GET"])]
