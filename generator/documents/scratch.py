"""LibreOffice's private scratch space, and LibreOffice dying with the tool.

LibreOffice gets private copies of the documents, appendices with development goals among
them, and a private profile. They live in one folder per user, one run folder each, and
nothing is left behind however a run ends: a run marks its folder alive with an OS lock,
the next start removes the folders of runs that are gone, and on Linux the LibreOffice
processes die with the tool (a parent-death signal, and a watchdog for the process the
launcher forks).
"""

from __future__ import annotations

import functools
import getpass
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

_RUN_NAME = re.compile(r"pdf-[0-9a-f]{32}")
LOCK_SUFFIX = ".lock"
# A lock file without its folder is left by a run that died between taking the lock and
# making the folder, or by a clean-up that died halfway. A young one may belong to a run
# that is starting right now, so only old ones go.
_ORPHAN_LOCK_AGE = 3600.0
# Folders of versions before the shared private folder (tempfile.mkdtemp, nobody removed
# them after a kill). A live run of such a version changes its folder with every batch, so
# a day without any change means that its run is gone.
_LEGACY_NAME = re.compile(r"lederavtale-pdf-[a-z0-9_]{8}")
_LEGACY_AGE = 24 * 3600.0


def user_tag() -> str:
    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no name in the environment nor the user database
        name = str(os.getuid()) if hasattr(os, "getuid") else ""
    return re.sub(r"[^\w.-]", "_", name) or "bruker"


def private_base() -> tuple[Path, bool]:
    """This user's folder for the runs' folders, and whether it is the shared one.

    Anyone can create any name in a shared /tmp before us, so the shared folder is used only
    if it is a real folder of this user (not a symlink) that nobody else may enter. Failing
    that, this run gets a folder of its own, which later runs do not know about but which
    works just as well.
    """
    tag = user_tag()
    base = Path(tempfile.gettempdir()) / f"lederavtale-{tag}"
    try:
        base.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"lederavtale-{tag}-")), False
    try:
        info = os.lstat(base)
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"lederavtale-{tag}-")), False
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
        return Path(tempfile.mkdtemp(prefix=f"lederavtale-{tag}-")), False
    if os.name == "posix" and stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(base, 0o700)  # ours, but opened up by hand: the copies inside are private
    return base, True


def new_run(base: Path) -> tuple[Path, FileLock]:
    """A new run folder, marked as in use before it exists, so no clean-up can take it."""
    name = f"pdf-{uuid.uuid4().hex}"
    lock_path = base / f"{name}{LOCK_SUFFIX}"
    # Not thread-local: close() may run in another thread (atexit, a worker) than __init__.
    lock = FileLock(str(lock_path), timeout=0, thread_local=False)
    lock.acquire()  # a fresh random name: nobody else holds it
    try:
        (base / name).mkdir(mode=0o700)
    except BaseException:
        release_run_lock(lock, lock_path)
        raise
    return base / name, lock


def release_run_lock(lock: FileLock, lock_path: Path) -> None:
    # Removed while still held, so that no one else can lock the file in between; Windows
    # refuses to remove an open file, so there it goes once released.
    removed = _unlink(lock_path)
    lock.release()
    if not removed:
        _unlink(lock_path)


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []  # an unreadable folder holds nothing this tool can clean


def remove_dead_runs(base: Path) -> None:
    """Remove the folders of runs that are gone; a run that lives holds its lock."""
    entries = _entries(base)
    folders, locks = set(), {}
    for entry in entries:
        try:
            if _RUN_NAME.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                folders.add(entry.name)
            elif entry.name.endswith(LOCK_SUFFIX) and _RUN_NAME.fullmatch(entry.name[: -len(LOCK_SUFFIX)]):
                locks[entry.name[: -len(LOCK_SUFFIX)]] = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
    now = time.time()
    orphans = {name for name, mtime in locks.items() if name not in folders and now - mtime > _ORPHAN_LOCK_AGE}
    for name in sorted(folders | orphans):
        _remove_run_if_dead(base, name)


def _remove_run_if_dead(base: Path, name: str) -> None:
    lock_path = base / f"{name}{LOCK_SUFFIX}"
    lock = FileLock(str(lock_path), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        return  # its run is alive
    except OSError:
        return  # not ours to judge (permissions); nothing is removed without the lock
    try:
        _kill_leftover_libreoffice(name)
        shutil.rmtree(base / name, ignore_errors=True)
    finally:
        release_run_lock(lock, lock_path)


def _kill_leftover_libreoffice(run_name: str) -> None:
    """Linux: kill what still runs of a dead run whose watchdog was killed along with it.

    Every LibreOffice process of a run names its profile, inside the run's folder, on its
    command line; the random run name appears nowhere else.
    """
    if not sys.platform.startswith("linux"):
        return
    marker = run_name.encode()
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return
    killed = []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "cmdline"), "rb") as f:
                cmdline = f.read()
            if marker in cmdline:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(entry.name)
        except OSError:
            continue  # gone meanwhile, or not ours
    # A process killed in the middle of a system call can still create a file in the folder
    # about to be removed; a zombie cannot. Their new parent may be slow to reap them.
    deadline = time.monotonic() + 2
    while killed and time.monotonic() < deadline:
        killed = [pid for pid in killed if _running(pid)]
        if killed:
            time.sleep(0.02)


def _running(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def remove_legacy_folders(root: Path) -> None:
    now = time.time()
    for entry in _entries(root):
        if not _LEGACY_NAME.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or now - info.st_mtime < _LEGACY_AGE:
            continue
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


# -- LibreOffice dies with the tool -------------------------------------------------------

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@functools.cache
def _linux_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent() -> Callable[[], None] | None:
    """Linux: a preexec_fn that has the kernel SIGKILL the child when the tool dies.

    The signal is inherited across exec (the Debian `soffice` is a shell script that execs
    `oosplash`, so oosplash gets it) but not across fork: `soffice.bin`, which oosplash forks,
    does not, hence `Watchdog`. The kernel sends it when the *thread* that started the child
    ends; a worker thread waits for its LibreOffice process before it can end, so that is the
    tool's death only.

    preexec_fn runs between fork and exec in a process with threads, where taking a lock that
    another thread held at the fork would hang: it only makes one system call, through a
    function looked up beforehand in the parent.
    """
    prctl = _linux_prctl()
    if prctl is None:
        return None
    parent = os.getpid()
    sigkill = int(signal.SIGKILL)

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, sigkill)
        if os.getppid() != parent:  # the tool died before the call above took effect
            os._exit(1)

    return set_death_signal


# Runs in the watchdog process: standard library only, started with -I -S, so that nothing
# from the environment or from site-packages runs in it. Reads lines until `stop` (a normal
# end: nothing to do) or end-of-file (the tool is gone, however it ended: the kernel closes
# its end of the pipe): `+<group>` and `-<group>` for LibreOffice process groups that start
# and end, `remove <path>` for what to remove after a death. The paths come this way, not as
# arguments, so that no process but LibreOffice names the run's folder on its command line.
_WATCHDOG_CODE = r"""
import os, shutil, signal, sys, time
groups, paths = set(), []
for line in sys.stdin.buffer:
    line = line.rstrip(b"\n")
    if line == b"stop":
        sys.exit(0)
    if line.startswith(b"+"):
        groups.add(int(line[1:]))
    elif line.startswith(b"-"):
        groups.discard(int(line[1:]))
    elif line.startswith(b"remove "):
        paths.append(os.fsdecode(line[7:]))
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
# A process killed in the middle of a system call may still create a file: try a few times.
for attempt in range(10):
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    if not any(os.path.lexists(path) for path in paths):
        break
    time.sleep(0.2)
"""


class Watchdog:
    """A process that kills the run's LibreOffice processes and removes its files if the tool dies.

    What `soffice` starts here (Debian, LibreOffice 7.4): the shell script `soffice` execs
    `oosplash` (same process), and oosplash forks `soffice.bin`, which does the work, in the
    same process group; with a new profile, the first soffice.bin asks for a restart (exit
    code 81) and oosplash forks a second one. The parent-death signal reaches oosplash only:
    after a SIGKILL of the tool, soffice.bin went on converting, orphaned. Starting
    soffice.bin directly would lose oosplash's restart, and with it the first batch of every
    run. So this watchdog, in a session of its own (a signal to the tool's process group
    does not reach it), learns each LibreOffice process group as it starts and kills them
    all when its pipe from the tool reaches end-of-file, which the kernel guarantees on any
    death of the tool. It then removes the run's folder, so that the private copies do not
    wait for the next run. Windows has no watchdog: the next run's start removes the folder.
    """

    def __init__(self, proc: subprocess.Popen):
        self._proc = proc
        self._gone = False

    @classmethod
    def start(cls, remove: list[Path]) -> Watchdog | None:
        if os.name != "posix" or not sys.executable:
            return None
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _WATCHDOG_CODE],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, bufsize=0,
            )
        except OSError:
            return None  # the parent-death signal and the next run's clean-up remain
        watchdog = cls(proc)
        for path in remove:
            watchdog.tell(b"remove " + os.fsencode(path))
        return watchdog

    def tell(self, line: bytes) -> None:
        if self._gone:
            return
        try:
            # One write of less than PIPE_BUF bytes to a pipe is atomic: lines never mix.
            self._proc.stdin.write(line + b"\n")
        except (OSError, ValueError):
            self._gone = True  # it was killed: carry on without it

    def stop(self) -> None:
        self.tell(b"stop")
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
