"""Files in the output folder: safe names, checksums, atomic writes, and what killed runs left behind."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path

TEMP_PREFIX = ".~lederavtale-"


def _file_mode() -> int:
    # New files get the modes any program's files get under the user's umask, whether this
    # tool or LibreOffice writes them; mkstemp alone would make them private (0600). Read
    # once at start: reading the umask means setting it, which threads must not race.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


# Names are cut to a number of UTF-8 bytes, not characters: 120 × «王» is 360 bytes, and a file
# system allows 255 in one name. What is left leaves room for the rest of a path on Windows.
NAME_BYTES = 60


def shortened(text: str, max_bytes: int) -> str:
    """`text` with what no file name may hold replaced, cut to at most `max_bytes` of UTF-8."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = re.sub(r'[\\/:*?"<>|]', "-", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore").rstrip()


def safe_filename(text: str, max_bytes: int = 120) -> str:
    """A name that is one valid file or folder name on Windows, macOS and Linux, at most `max_bytes` long."""
    text = shortened(text, max_bytes).strip(". ")
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
    An OSError names `path`: HR looks for the file that was to be written, not for the
    temporary one.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
        if os.name == "posix":
            os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and (exc.filename is None or Path(exc.filename).name.startswith(TEMP_PREFIX)):
            exc.filename, exc.filename2 = str(path), None
        raise


def remove_stale_temp_files(folder: Path) -> int:
    """Temporary files a killed run left behind (only called while holding the lock)."""
    count = 0
    for tmp in Path(folder).rglob(f"{TEMP_PREFIX}*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            count += 1
    return count


def read_json_object(path: Path) -> dict:
    """The JSON object in a record file the tool keeps; {} when there is no file.

    ValueError, with the reason, when the file cannot be read or holds something else:
    guessing would mean sending or archiving someone twice.
    """
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    if not isinstance(data, dict):
        raise ValueError("innholdet har feil form")
    return data
