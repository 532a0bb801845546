"""Everything that touches the output folder: atomic writes, safe names, manifest, lock, report."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import tempfile
import threading
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from .exceptions import LederavtaleError, OutputLocked

TEMP_PREFIX = ".~lederavtale-"
LOCK_NAME = ".lederavtale.lock"
MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = ".manifest-journal.jsonl"
REPORT_NAME = "rapport.xlsx"

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def safe_filename(text: str, max_length: int = 80) -> str:
    """A name that is one valid file or folder name on Windows, macOS and Linux."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = re.sub(r'[\\/:*?"<>|]', "-", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(". ")
    text = text[:max_length].rstrip(". ")
    if not text:
        return "uten navn"
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes, durable: bool = False) -> None:
    """Write to a temporary file in the same folder, then rename into place.

    A reader, an interrupted run or a full disk leaves either the old file or the new one,
    never half of one. `durable` also survives a power cut (fsync), at ~8 ms a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temp_files(folder: Path) -> int:
    """Temporary files a killed run left behind (only called while holding the lock)."""
    count = 0
    for tmp in Path(folder).rglob(f"{TEMP_PREFIX}*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            count += 1
    return count


@dataclass
class FileEntry:
    sti: str  # relative to the year folder, with forward slashes
    rolle: str  # "avtale" or "vedlegg"
    format: str  # "docx" or "pdf"
    offentlig: bool
    sha256: str


@dataclass
class LeaderEntry:
    ansattnr: str
    navn: str
    mappe: str
    grunnlag: str = ""  # hash of everything the documents were made from
    filer: list[FileEntry] = field(default_factory=list)

    def file(self, rolle: str, fmt: str) -> FileEntry | None:
        return next((f for f in self.filer if f.rolle == rolle and f.format == fmt), None)

    def set_file(self, entry: FileEntry) -> None:
        self.filer = [f for f in self.filer if not (f.rolle == entry.rolle and f.format == entry.format)]
        self.filer.append(entry)
        self.filer.sort(key=lambda f: (f.format, f.rolle))


def _leader_entry(data: dict) -> LeaderEntry:
    files = [FileEntry(**f) for f in data.get("filer", [])]
    return LeaderEntry(data["ansattnr"], data["navn"], data["mappe"], data.get("grunnlag", ""), files)


class Manifest:
    """`manifest.json`: what `generer` wrote, so later runs and commands know what is whose.

    During a run each finished leader is appended to a journal beside it (cheap, and a
    killed run loses nothing); `save` folds the journal into `manifest.json`.
    """

    def __init__(self, year_dir: Path, data: dict | None = None):
        self.year_dir = Path(year_dir)
        data = data or {}
        self.ar = data.get("ar")
        self.kommune = data.get("kommune", "")
        self.arbeidsbok = data.get("arbeidsbok", "")
        self.ledere: dict[str, LeaderEntry] = {nr: _leader_entry(e) for nr, e in data.get("ledere", {}).items()}
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.year_dir / MANIFEST_NAME

    @property
    def journal_path(self) -> Path:
        return self.year_dir / JOURNAL_NAME

    @classmethod
    def load(cls, year_dir: Path) -> "Manifest":
        path = Path(year_dir) / MANIFEST_NAME
        try:
            manifest = cls(year_dir, json.loads(path.read_text(encoding="utf-8")) if path.exists() else None)
        except (ValueError, KeyError, TypeError) as exc:
            raise LederavtaleError(
                f"{path}: manifestet kan ikke leses ({exc}). Flytt filen bort og kjør på nytt; "
                "da regnes alle eksisterende dokumenter som endret og blir ikke overskrevet."
            ) from exc
        manifest._replay_journal()
        return manifest

    def _replay_journal(self) -> None:
        if not self.journal_path.exists():
            return
        for line in self.journal_path.read_text(encoding="utf-8").splitlines():
            try:
                entry = _leader_entry(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue  # the last line of a run killed while writing it
            self.ledere[entry.ansattnr] = entry

    def exists(self) -> bool:
        return self.path.exists()

    def to_dict(self) -> dict:
        return {
            "versjon": 1,
            "ar": self.ar,
            "kommune": self.kommune,
            "arbeidsbok": self.arbeidsbok,
            "oppdatert": datetime.now().isoformat(timespec="seconds"),
            "ledere": {nr: asdict(entry) for nr, entry in sorted(self.ledere.items())},
        }

    def save(self) -> None:
        with self._lock:
            data = json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
            atomic_write_bytes(self.path, data, durable=True)
            self.journal_path.unlink(missing_ok=True)

    def save_leader(self, ansattnr: str) -> None:
        """Record one leader's current entry in the journal."""
        with self._lock:
            line = json.dumps(asdict(self.ledere[ansattnr]), ensure_ascii=False)
            with open(self.journal_path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def update(self, ansattnr: str, entry: FileEntry) -> None:
        """Record one finished file (called from conversion threads too)."""
        with self._lock:
            self.ledere[ansattnr].set_file(entry)
        self.save_leader(ansattnr)


class RunLock:
    """One run at a time per output folder; a lock left by a dead process is taken over."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME

    def __enter__(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = self._holder()
                if holder is not None:
                    raise OutputLocked(
                        f"En annen kjøring (prosess {holder['pid']}, startet {holder.get('startet', '?')}) "
                        f"skriver allerede til «{self.path.parent}». Vent til den er ferdig og prøv igjen."
                    )
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                json.dump({"pid": os.getpid(), "vert": socket.gethostname(),
                           "startet": datetime.now().isoformat(timespec="seconds")}, fh)
            return self
        raise OutputLocked(f"Kan ikke låse «{self.path.parent}». Prøv igjen.")

    def _holder(self) -> dict | None:
        """The live process holding the lock, or None when the lock is stale."""
        try:
            holder = json.loads(self.path.read_text())
            pid = int(holder["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unreadable: a crash while writing it
        if holder.get("vert") != socket.gethostname():
            return holder  # another machine (shared drive): we cannot tell, so respect it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return holder

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


def spreadsheet_text(value):
    """Workbook text stays text in a spreadsheet: never a formula (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_report(path: Path, headers: list[str], rows: list[list]) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rapport"
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                # Stored as a string cell, so Excel shows "=…" as typed instead of running it.
                cell.data_type = "s"
    for column, width in zip("ABCDEFGHIJ", (10, 28, 30, 14, 28, 60, 60)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
