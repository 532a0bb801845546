"""`<ut>/<år>/logg.jsonl`: every action on the web page that changed something, with time and user.

The user is the operating-system user the server runs as. Behind a reverse proxy with single sign-on
(server mode), IT names the header that carries the signed-in user (`--brukerhode X-Forwarded-User`);
only then is that header believed, since anyone can send any header to a server that does not expect it.
No line holds a document's text: the action, the leaders' Ansattnr and the file names only.
"""

from __future__ import annotations

import getpass
import json
import os
import threading
from datetime import datetime
from pathlib import Path

_lock = threading.Lock()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return str(os.getuid()) if hasattr(os, "getuid") else "ukjent"


def header_user(headers, user_header: str | None) -> str | None:
    """The user the configured header names; None without a header configured or without a value.
    In server mode this is the login too (security.py): the log and the session name the same user."""
    if not user_header:
        return None
    # Sent twice, one was not the proxy's: a proxy that appends instead of replacing leaves the client's first.
    values = headers.getlist(user_header)
    if len(values) != 1:
        return None
    return values[0].strip()[:200] or None


def user_of(headers, user_header: str | None) -> str:
    """Who did it: the configured header's value when there is one, else the server's OS user."""
    return header_user(headers, user_header) or os_user()


def append(path: Path, action: str, user: str, **details) -> None:
    """One line, appended and flushed, in the year folder (made when missing)."""
    line = {"tid": datetime.now().astimezone().isoformat(timespec="seconds"), "handling": action, "bruker": user}
    line.update({k: v for k, v in details.items() if v not in (None, "", [], ())})
    data = json.dumps(line, ensure_ascii=False) + "\n"
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
