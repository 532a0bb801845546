"""The web page for HR: one page per step of the year, on the same jobs as the command line.

`create_app(settings)` assembles the app from the pages, one module each in `web/pages/` (each gives its
`routes(web)`), on what they share (`site.Web`: rendering, the workbook in use, the job runner) and the
security middleware; `bind` and `serve` are what `lederavtale web` runs. No page logic lives here.
"""

from __future__ import annotations

import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from .pages import arbeidsbok, arkiv, avtaler, epost, fil, innstillinger, jobb, leder, nytt_ar, oppfolging, oversikt
from .pages import signering
from .security import Guard, SecurityMiddleware, allowed_hosts
from .site import Web
from .workspace import Settings

HERE = Path(__file__).parent

# The menu, in the order of the year: each a module of web/pages/ with its PAGE and TITLE.
MENU = (oversikt, arbeidsbok, avtaler, epost, signering, arkiv, oppfolging, nytt_ar, innstillinger)
PAGES = tuple((page.PAGE, page.TITLE) for page in MENU)  # (path, title)
# Pages outside the menu: a leader's own page, downloads, the running job's progress.
OTHERS = (leder, fil, jobb)


def create_app(settings: Settings) -> Starlette:
    """The app for `settings` (its port is the one the socket is bound to: the Host check needs it)."""
    web = Web(settings, PAGES)
    routes = [route for page in MENU + OTHERS for route in page.routes(web)]
    routes.append(Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"))
    guard = Guard(settings.token, allowed_hosts(settings.host, settings.port, settings.hostnames),
                  max_body=settings.max_upload, secure_cookie=bool(settings.hostnames),
                  user_header=settings.user_header, ut=settings.ut, server_id=settings.server_id)
    app = Starlette(routes=routes, middleware=[Middleware(SecurityMiddleware, guard=guard)],
                    exception_handlers={404: web.not_found, 405: web.not_found, 500: web.server_error})
    app.state.web = web
    return app


def bind(host: str, port: int) -> socket.socket:
    """The listening socket: `port`, or a free one when it is 0 or taken (the default port's fallback)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        if port == 0:
            raise
        sock.bind((host, 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def url(settings: Settings) -> str:
    """The first line `lederavtale web` prints."""
    shown = "127.0.0.1" if settings.host in ("127.0.0.1", "0.0.0.0", "localhost", "") else settings.host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{settings.port}/?token={settings.token}"


def serve(app: Starlette, sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
