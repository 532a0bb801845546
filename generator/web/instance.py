"""The running server of an output folder, and how a second start reaches it.

HR leaves the page running and later starts Lederavtale again (the shortcut, the same command): a second
server for the same folder would run its jobs beside the first one's, and the first link is long spent.
So the running server writes `<ut>/.web/server.json` (pid, address, port, a random id), and a start
that finds that server answering hands it a fresh one-use link and opens that instead.

The link goes from one process to the other through a file only the OS user can read or write:
`<ut>/.web/lenker/<sha256 of the token>`, holding the time it expires. Never over HTTP: any page the
browser has open can send requests to 127.0.0.1, and whatever the server accepted from a second start
it would accept from those pages too. The name is the token's hash, so a listing of the folder (a
backup, a search index) holds no usable link. The folder is the user's alone (0700) and the server
only believes files in it the same user wrote; on Windows the folder inherits the output folder's
access (chmod there changes only the read-only flag).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import math
import os
import secrets
import signal
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from ..store.files import TEMP_PREFIX

FOLDER = ".web"
SERVER_FILE = "server.json"
LINKS = "lenker"
HEALTH_PATH = "/helse"  # answers the server's id, without a session: how a second start knows it is ours
ANSWER_SECONDS = 2.0
_WILDCARD = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}


@dataclass(frozen=True)
class Running:
    pid: int
    host: str
    port: int
    id: str
    ut: str  # the output folder, resolved: a copy of the folder (server.json and all) is not the server's
    user_header: str | None = None


def folder(ut: Path) -> Path:
    return Path(ut) / FOLDER


def new_id() -> str:
    return secrets.token_urlsafe(16)


@contextmanager
def announced(ut: Path, host: str, port: int, server_id: str, user_header: str | None, link_seconds: float):
    """server.json for as long as the block runs: written on entry, removed on a clean exit."""
    private = _private_folder(folder(ut))
    _private_folder(private / LINKS)
    prune_links(ut, link_seconds)
    running = Running(os.getpid(), host, port, server_id, str(Path(ut).resolve()), user_header)
    _write_private(private / SERVER_FILE, json.dumps(asdict(running)))
    previous = signal.getsignal(signal.SIGTERM)
    previous = signal.SIG_DFL if previous is None else previous

    def on_term(number, frame):
        # uvicorn stops gracefully on SIGTERM and then raises it again under the handler it found,
        # this one: the file goes first, then the process ends as SIGTERM ends it.
        withdraw(ut, running)
        signal.signal(number, previous)
        signal.raise_signal(number)

    handled = _set_handler(on_term)
    try:
        yield running
    finally:
        if handled:
            _set_handler(previous)
        withdraw(ut, running)


def _set_handler(handler) -> bool:
    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (a test's runner): a clean exit still removes the file
        return False
    return True


def withdraw(ut: Path, running: Running) -> None:
    """Remove server.json if it is still this server's (a later start may have replaced it)."""
    path = folder(ut) / SERVER_FILE
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("id") == running.id:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass  # best effort: a file left behind is recognised as stale by the next start


def find(ut: Path) -> Running | None:
    """The server running for `ut` now, or None: no file, another folder's file, a dead pid, a port that
    does not answer with the server's id."""
    try:
        data = json.loads((folder(ut) / SERVER_FILE).read_text(encoding="utf-8"))
        running = Running(pid=int(data["pid"]), host=str(data["host"]), port=int(data["port"]), id=str(data["id"]),
                          ut=str(data["ut"]), user_header=data.get("user_header") or None)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    try:
        if not os.path.samefile(running.ut, ut):
            return None
    except OSError:
        return None
    if not 0 < running.port < 65536 or not _alive(running.pid) or not _answers(running):
        return None
    return running


def hand_link(ut: Path, seconds: float) -> str:
    """A fresh token the running server accepts once, within `seconds`."""
    token = secrets.token_urlsafe(32)
    links = _private_folder(folder(ut) / LINKS)
    prune_links(ut, seconds)
    # Cut, not rounded, to the millisecond: the link never lasts longer than `seconds`.
    expires = math.floor((time.time() + seconds) * 1000) / 1000
    _write_private(links / _link_name(token), f"{expires:.3f}\n")
    return token


def claim_link(ut: Path, token: str, seconds: float) -> bool:
    """True once for a token `hand_link` wrote less than `seconds` ago; its file is gone afterwards."""
    if not token or len(token) > 200:
        return False
    links = folder(ut) / LINKS
    path = links / _link_name(token)
    try:
        if not _trusted(os.lstat(links), stat.S_ISDIR, folder=True):
            return False
        info = os.lstat(path)
        if not _trusted(info, stat.S_ISREG):
            return False
        with open(path, "rb") as fh:
            text = fh.read(64)
        os.unlink(path)  # whoever removes it first has the one use
        expires = float(text.decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    now = time.time()
    return now <= expires and now - info.st_mtime <= seconds


def prune_links(ut: Path, seconds: float) -> None:
    """Links nobody opened: removed once they could no longer be used."""
    links = folder(ut) / LINKS
    now = time.time()
    try:
        entries = list(os.scandir(links))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > seconds:
                os.unlink(entry.path)
        except OSError:
            pass


def _link_name(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _trusted(info: os.stat_result, kind, folder: bool = False) -> bool:
    """Of the right kind and, where the OS says who owns files, this user's and writable by no one else."""
    if not kind(info.st_mode):
        return False
    if os.name != "posix":
        return True
    return info.st_uid == os.getuid() and not (folder and info.st_mode & 0o022)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows; the id on HEALTH_PATH decides
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _answers(running: Running) -> bool:
    host = _WILDCARD.get(running.host, running.host)
    conn = http.client.HTTPConnection(host, running.port, timeout=ANSWER_SECONDS)
    try:
        conn.request("GET", HEALTH_PATH)
        answer = conn.getresponse()
        body = answer.read(200)
    except (OSError, http.client.HTTPException, ValueError):
        return False
    finally:
        conn.close()
    return answer.status == 200 and hmac.compare_digest(body, running.id.encode("utf-8"))


def _private_folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)  # mkdir's mode leaves an existing folder as it was
    except OSError:
        if os.name == "posix":
            raise
    return path


def _write_private(path: Path, text: str) -> None:
    """Atomically, and readable by this user only (mkstemp makes the file 0600 on POSIX)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
