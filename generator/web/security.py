"""Who may use the web page, and how a page from elsewhere is kept from using it.

The data is personnel data, and the server runs on HR's own PC, where any web page the browser
has open could send requests to 127.0.0.1. So, as one ASGI layer in front of every route:

- the first line `lederavtale web` prints carries a random token, good for one start of the server and
  for its first minutes only (`TOKEN_MINUTES`): a request with it gets a session cookie (HttpOnly,
  SameSite=Strict) and a redirect to the same page without the token; after that the token is spent,
  so nobody who later sees the URL (history, a screen share) can use it. Not spent on its first use:
  HR often opens the link in a second browser or tab when the first was the wrong one, and a link
  that answers 403 the second time looks like a broken tool;
- a later start for the same output folder hands the running server a one-use link through a file only
  the OS user can read (instance.py), good for the same minutes;
- a session lasts a working day (`SESSION_HOURS`, the cookie's Max-Age too), so closing the browser at
  lunch does not lock HR out; sessions live in the server's memory only, a restart needs a new link;
- behind a reverse proxy with single sign-on (`--brukerhode`), the proxy's header is the login: a request
  with it is served as that user (one session, one CSRF token per user), one without it answers 403,
  and tokens and cookies grant nothing;
- every request without a session answers 403, with a Norwegian page in the site's look; only the
  files under /static/ (stylesheet, script, icon) and the server's id on /helse are served without one;
- a Host header that is not the server's own is refused (DNS rebinding: a foreign name pointed at
  127.0.0.1 would otherwise be "same origin" for the browser);
- every request that changes something (anything but GET and HEAD) must carry the session's CSRF token,
  as the form field `csrf` or the header `X-CSRF-Token`, compared in constant time;
- bodies are limited in size before anything reads them;
- every answer carries a Content-Security-Policy without inline script, no framing and no sniffing.
"""

from __future__ import annotations

import hmac
import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from starlette.datastructures import URL, Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from . import instance
from .log import header_user

COOKIE = "lederavtale_okt"
CSRF_FIELD = "csrf"
# The most files and fields one form may carry. The CSRF check reads the form with these limits and every
# page's own reading of it too, so a large upload is refused for what it is, not as a missing token.
MAX_FILES = 500
MAX_FIELDS = 1000
TOO_MANY_FILES = (f"Du kan laste opp høyst {MAX_FILES} filer om gangen. Del opplastingen i flere, "
                  "og prøv igjen. Ingenting er lastet opp.")
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD")

# A page's own files only: no inline script or style, nothing from elsewhere, never in a frame.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    # The token is in the first URL: no Referer may carry it anywhere.
    "referrer-policy": "no-referrer",
    # Personnel data: not kept in the browser's cache for the next user of the PC.
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}

LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


TOKEN_MINUTES = 5
SESSION_HOURS = 12  # a working day: the browser may be closed and opened again in between


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # Wall-clock time, as the cookie's Max-Age is: a PC asleep overnight has not kept the session "younger".
    created: float = field(default_factory=time.time)

    def expired(self) -> bool:
        return time.time() - self.created > SESSION_HOURS * 3600


class Guard:
    """The start's token, the sessions it opened, and the Host names the server answers to.

    `ut`: the output folder where a later start leaves one-use links (instance.py); `user_header`: the
    proxy's header naming the signed-in user (server mode); `server_id`: what HEALTH_PATH answers."""

    def __init__(self, token: str, hosts: set[str], max_body: int, secure_cookie: bool = False,
                 token_seconds: float = TOKEN_MINUTES * 60, user_header: str | None = None,
                 ut: Path | None = None, server_id: str = ""):
        self._token = token
        self._token_seconds = token_seconds
        self._expires = time.monotonic() + token_seconds
        self.sessions: dict[str, Session] = {}
        self.users: dict[str, Session] = {}
        self.hosts = {h.lower() for h in hosts}
        self.max_body = max_body
        self.secure_cookie = secure_cookie
        self.user_header = user_header or None
        self.ut = ut
        self.server_id = server_id
        self._lock = threading.Lock()

    def redeem(self, token: str) -> str | None:
        """A new session id for the start's token while it lasts, or for a link a later start left;
        None for a wrong or spent token, and always in server mode (the proxy's login is the only one)."""
        if self.user_header:
            return None
        with self._lock:
            own = (bool(self._token) and time.monotonic() <= self._expires
                   and hmac.compare_digest(token.encode(), self._token.encode()))
            if not own and not (self.ut is not None and instance.claim_link(self.ut, token, self._token_seconds)):
                return None
            for known in [k for k, s in self.sessions.items() if s.expired()]:
                del self.sessions[known]
            sid = secrets.token_urlsafe(32)
            self.sessions[sid] = Session()
            return sid

    def spend(self, token: str) -> None:
        """A later start's link opened where a session already is: not left lying for its minutes."""
        if self.ut is not None and not self.user_header:
            instance.claim_link(self.ut, token, self._token_seconds)

    def session(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            for known, session in self.sessions.items():
                if hmac.compare_digest(known.encode(), sid.encode()):
                    if session.expired():
                        del self.sessions[known]
                        return None
                    return session
        return None

    def user_session(self, user: str) -> Session:
        """Server mode: the signed-in user's session, made on their first request. It does not expire:
        the proxy decides who is signed in, and the CSRF token only has to be this server's and this user's."""
        with self._lock:
            if user not in self.users:
                self.users[user] = Session()
            return self.users[user]


def allowed_hosts(bound: str, port: int, extra: tuple[str, ...] = ()) -> set[str]:
    """`host:port` values the Host header may have: the local names, the bound address, and the names IT gives
    (`--vertsnavn`, the reverse proxy's public name, with or without a port)."""
    names = set(LOCAL_NAMES)
    if bound not in ("0.0.0.0", "::", ""):
        names.add(f"[{bound}]" if ":" in bound else bound)
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:  # a client leaves the default port out of Host
        hosts |= names
    for name in extra:
        hosts.add(name.lower())
        if ":" not in name:
            hosts.update({f"{name.lower()}:443", f"{name.lower()}:80"})
    return hosts


def _refuse(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status)


# (heading, text) of the 403 pages. Words for the person in front of the browser, who may never have seen
# the command line: no option, no command, no path.
LINK_SPENT = ("Lenken virker ikke lenger",
              "Lenken er gått ut eller allerede brukt. Start Lederavtale på nytt på PC-en din (som da du åpnet "
              "siden første gang), så åpnes siden med en ny lenke.")
NO_SESSION = ("Siden er ikke åpen i denne nettleseren",
              "Siden åpnes med lenken du får når Lederavtale startes, og holder seg åpen en arbeidsdag. "
              "Start Lederavtale på nytt på PC-en din (som da du åpnet siden første gang), så åpnes siden "
              "med en ny lenke.")
NOT_SIGNED_IN = ("Du er ikke logget inn", "Du er ikke logget inn. Gå inn på siden gjennom kommunens innlogging.")
NOT_FROM_PAGE = ("Skjemaet ble avvist",
                 "Skjemaet ble avvist fordi det ikke kom fra denne siden, eller fordi siden var åpnet før en "
                 "omstart. Ingenting er endret. Last siden på nytt og prøv igjen.")

_PAGE = """<!doctype html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} – Lederavtaler</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="topp"><p class="merke">Lederavtaler</p></header>
<main id="innhold" tabindex="-1">
<h1>{heading}</h1>
<p class="ingress">{text}</p>
{more}</main>
</body>
</html>
"""


def _forbidden(message: tuple[str, str], home: bool = False) -> Response:
    """403 as a page in the site's look, without its menu: every link in it would answer 403 too."""
    heading, text = (html.escape(part) for part in message)
    more = '<p><a href="/">Til oversikten</a></p>\n' if home else ""
    return HTMLResponse(_PAGE.format(heading=heading, text=text, more=more), status_code=403)


class SecurityMiddleware:
    """The ASGI layer in front of every route (see the module's docstring)."""

    def __init__(self, app, guard: Guard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        response = await self._check(scope, receive)
        if isinstance(response, Response):
            await response(scope, receive, send)
            return
        await self.app(scope, response, send)

    async def _check(self, scope, receive):
        """A Response that ends the request here, or the `receive` the route reads the body from."""
        headers = Headers(scope=scope)
        host = headers.get("host", "").lower()
        if host not in self.guard.hosts:
            return _refuse(400, "Ukjent vertsnavn i forespørselen. Åpne siden med adressen du fikk da den "
                                "ble startet.")
        if scope["method"] in SAFE_METHODS:
            if scope["path"] == instance.HEALTH_PATH and self.guard.server_id:
                return PlainTextResponse(self.guard.server_id)
            if scope["path"].startswith("/static/"):  # the 403 page's stylesheet; nothing there is personnel data
                return receive
        if self.guard.user_header:
            user = header_user(headers, self.guard.user_header)
            if user is None:
                return _forbidden(NOT_SIGNED_IN)
            session = self.guard.user_session(user)
        else:
            request = Request(scope)
            token = request.query_params.get("token")
            session = self.guard.session(request.cookies.get(COOKIE))
            if token is not None and scope["method"] in SAFE_METHODS:
                if session is None:
                    sid = self.guard.redeem(token)
                    if sid is None:
                        return _forbidden(LINK_SPENT)
                    return self._enter(request, sid)
                self.guard.spend(token)
                return RedirectResponse(_without_token(request.url), status_code=303)
            if session is None:
                return _forbidden(NO_SESSION)
        scope.setdefault("state", {})["session"] = session
        if scope["method"] in SAFE_METHODS:
            return receive
        return await self._check_post(scope, receive, headers, session)

    def _enter(self, request: Request, sid: str) -> Response:
        response = RedirectResponse(_without_token(request.url), status_code=303)
        response.set_cookie(COOKIE, sid, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict",
                            secure=self.guard.secure_cookie, path="/")
        return response

    async def _check_post(self, scope, receive, headers: Headers, session: Session):
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.guard.max_body):
            return _refuse(413, "Filen er for stor.")
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return _refuse(400, "Forespørselen ble avbrutt.")
            body += message.get("body", b"")
            if len(body) > self.guard.max_body:
                return _refuse(413, "Filen er for stor.")
            if not message.get("more_body"):
                break
        given = headers.get(CSRF_HEADER) or await _csrf_field(scope, bytes(body))
        if given is None:
            return _refuse(413, TOO_MANY_FILES)
        if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
            return _forbidden(NOT_FROM_PAGE, home=True)
        return _replay(bytes(body))


async def _csrf_field(scope, body: bytes) -> str | None:
    """The form's token; "" when it has none, None when it has more files or fields than any page takes."""
    content_type = Headers(scope=scope).get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return (parse_qs(body.decode("latin-1")).get(CSRF_FIELD) or [""])[0]
    if content_type.startswith("multipart/form-data"):
        request = Request(scope, _replay(body))
        try:
            form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
        except Exception as exc:  # a malformed body has no token either
            return None if "Too many" in str(getattr(exc, "detail", exc)) else ""
        try:
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else ""
        finally:
            await form.close()
    return ""


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _without_token(url: URL) -> str:
    query = [(k, v) for k, values in parse_qs(url.query, keep_blank_values=True).items() for v in values if k != "token"]
    return url.path + (f"?{urlencode(query)}" if query else "")


def _with_headers(send):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present]
            message = {**message, "headers": list(message.get("headers", [])) + extra}
        await send(message)
    return wrapped

