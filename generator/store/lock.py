"""One run at a time per output folder.

The lock is an operating-system lock (`filelock`): it is released when the process ends,
however it ends, so a killed run never leaves a lock behind, and nothing has to guess
whether a recorded process is still alive (on Windows, `os.kill(pid, 0)` would end it).
Who holds the lock is written to a file beside it, for the refusal message only.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..exceptions import LederavtaleError, OutputLocked
from .year import HOLDER_NAME, LOCK_NAME
from ..advice import advice



class RunLock:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.holder_path = self.folder / HOLDER_NAME
        self._lock = FileLock(str(self.path), timeout=0)

    def __enter__(self) -> "RunLock":
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            raise OutputLocked(
                f"En annen kjøring{self._holder()} skriver allerede til «{self.folder}». "
                "Vent til den er ferdig og prøv igjen."
            ) from None
        except OSError as exc:
            raise LederavtaleError(
                f"Kan ikke skrive i «{self.folder}» ({exc.strerror or exc}). "
                f"{advice('skrivbar_ut')}."
            ) from exc
        try:
            self.holder_path.write_text(json.dumps({
                "pid": os.getpid(), "vert": socket.gethostname(),
                "startet": datetime.now().isoformat(timespec="seconds")}), encoding="utf-8")
        except OSError:
            pass  # only the message to a second run would be less specific
        return self

    def _holder(self) -> str:
        try:
            holder = json.loads(self.holder_path.read_text(encoding="utf-8"))
            return f" (prosess {int(holder['pid'])} på {holder['vert']}, startet {holder['startet']})"
        except (OSError, ValueError, KeyError, TypeError):
            return ""

    def __exit__(self, *exc) -> None:
        self.holder_path.unlink(missing_ok=True)
        self._lock.release()
