"""What the web page works on: the workbook in use, the output folder, the templates.

The workbook is read once per change of its file (size and modification time), not once per page:
5,000 leaders take openpyxl seconds to read, and the overview must open in about one. A workbook
with errors is kept as its WorkbookError, which the pages show.

A workbook uploaded on the page is read as uploaded (`read_workbook(..., uploaded=True)`, `Job.uploaded`):
its logo can only be a picture in its own folder, the one the page stores with it, never another file on
the server. The workbook named when the server starts is the starter's own, read as the command line reads
it (its logo may be anywhere the starter can read, as with `generer`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import LederavtaleError
from ..job import Job
from ..model import Arbeidsbok
from ..progress import Progress
from ..store.year import YearFolder
from ..workbook import read_workbook

UPLOADED_WORKBOOKS = "arbeidsbøker"  # under the output folder: uploaded workbooks, before their year is known


@dataclass
class Settings:
    """The options of `lederavtale web`."""

    ut: Path
    workbook: Path | None = None
    maler: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    user_header: str | None = None  # --brukerhode: the reverse proxy's header naming the user
    hostnames: tuple[str, ...] = ()  # --vertsnavn: names the Host header may carry besides the local ones
    token: str = ""
    server_id: str = ""  # what /helse answers: how a second start recognises this server (instance.py)
    max_upload: int = 50 * 1024 * 1024


@dataclass
class Workspace:
    settings: Settings
    workbook: Path | None = None
    _cache: tuple | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        if self.workbook is None:
            self.workbook = self.settings.workbook

    @property
    def ut(self) -> Path:
        return Path(self.settings.ut).resolve()

    @property
    def uploads(self) -> Path:
        return self.ut / UPLOADED_WORKBOOKS

    def book(self) -> Arbeidsbok:
        """The workbook in use, read when its file changed; LederavtaleError when there is none or it has errors."""
        if self.workbook is None:
            raise LederavtaleError("Ingen arbeidsbok er valgt ennå. Last opp arbeidsboken på siden Arbeidsbok.")
        path = Path(self.workbook)
        try:
            stat = path.stat()
        except OSError:
            raise LederavtaleError(f"Finner ikke arbeidsboken «{path}». Last den opp på siden Arbeidsbok.") from None
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if self._cache is not None and self._cache[0] == key:
                cached = self._cache[1]
            else:
                try:
                    cached = read_workbook(path, uploaded=self.is_upload(path))
                except LederavtaleError as exc:
                    cached = exc
                self._cache = (key, cached)
        if isinstance(cached, LederavtaleError):
            raise cached
        return cached

    def year(self) -> YearFolder:
        return YearFolder.of(self.book(), self.ut)

    def is_upload(self, path: Path) -> bool:
        """Whether the workbook came through the page (it lies under the uploads folder)."""
        try:
            Path(path).resolve().relative_to(self.uploads.resolve())
            return True
        except ValueError:
            return False

    def job(self, progress: Progress | None = None, workbook: Path | None = None) -> Job:
        """A Job as the command line makes it, reading an uploaded workbook as uploaded; the workbook in use is
        handed over already validated, so it is not read twice. `workbook`: another one (an upload being
        checked), which the job reads itself."""
        read = None
        if workbook is None:
            try:
                read = self.book()
            except LederavtaleError:
                pass  # the job reads it and raises the same error itself
        path = Path(workbook or self.workbook)
        return Job(path, self.ut, self.settings.maler, progress=progress, uploaded=self.is_upload(path),
                   read_book=read)
