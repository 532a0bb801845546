"""Files in the output folder: safe names, checksums, atomic writes, and what killed runs left behind."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
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


def atomic_write_bytes(path: Path, data: bytes, durable: bool = False, mode: int | None = None) -> None:
    """Write to a temporary file in the same folder, then rename into place.

    A reader, an interrupted run or a full disk leaves either the old file or the new one,
    never half of one. `durable` also survives a power cut (fsync), at ~8 ms a file.
    An OSError names `path`: HR looks for the file that was to be written, not for the
    temporary one. `mode` (POSIX only) replaces the umask's mode, for a file only its owner may read.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
        if os.name == "posix":
            # Set before the rename: the file is never readable by others under its real name.
            os.fchmod(fd, FILE_MODE if mode is None else mode)
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


class TooLarge(ValueError):
    """The file is larger than the reader accepts."""


def read_plain_file(path: Path, max_bytes: int | None = None) -> bytes | None:
    """The bytes of the plain file at `path`; None only when nothing at all is there.

    ValueError, with the reason in Norwegian, for anything else in its place: a link (dangling
    or not: a record on a share that is not mounted is not "nothing recorded"), a folder, a
    device or pipe, a file that cannot be read, or one larger than `max_bytes` (TooLarge).
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        _refuse_dangling_parent(path)
        return None
    except OSError as exc:
        raise ValueError(_os_reason(exc)) from None
    _refuse_unless_plain(path, info.st_mode)
    # No link followed and no wait on a pipe, even if the file is swapped after the check.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(_os_reason(exc)) from None
    with os.fdopen(fd, "rb") as fh:
        _refuse_unless_plain(path, os.fstat(fh.fileno()).st_mode)
        try:
            # Read one byte past the limit rather than trust the size: the file may be growing.
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
        except OSError as exc:
            raise ValueError(_os_reason(exc)) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise TooLarge(f"filen er større enn {_size(max_bytes)}")
    return data


def _refuse_unless_plain(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = ""
        where = f" til «{target}»" if target else ""
        missing = "" if os.path.exists(path) else ", som ikke finnes"
        raise ValueError(f"er en lenke{where}{missing}; bare en vanlig fil kan ligge her, ikke en lenke")
    if stat.S_ISDIR(mode):
        raise ValueError("er en mappe, ikke en fil")
    if not stat.S_ISREG(mode):
        raise ValueError("er ikke en vanlig fil")


def _refuse_dangling_parent(path: Path) -> None:
    """A path is only missing if the folders above it are really there: under a folder that is a
    link to an unmounted share, the file is out of reach, not absent."""
    for parent in path.parents:
        if os.path.islink(parent) and not os.path.exists(parent):
            raise ValueError(f"mappen «{parent}» er en lenke til «{os.readlink(parent)}», som ikke finnes")
        if os.path.exists(parent):
            return


def _os_reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "du mangler tilgang til å lese filen"
    if exc.errno == errno.ELOOP:
        return "er en lenke; bare en vanlig fil kan ligge her, ikke en lenke"
    return f"filen kan ikke leses: {exc.strerror or exc}"


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n % (1024 * 1024) == 0 else f"{n // 1024} kB"


def read_json_object(path: Path) -> dict:
    """The JSON object in a record file the tool keeps; {} only when there is nothing at the path.

    ValueError, with the reason, when the path holds anything but a readable plain file with a
    JSON object in it: guessing would mean sending or archiving someone twice.
    """
    data = read_plain_file(path)
    if data is None:
        return {}
    data = json.loads(data.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("innholdet har feil form")
    return data
