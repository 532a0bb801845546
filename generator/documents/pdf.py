"""PDF/A-2b twins of the generated .docx files, made by LibreOffice running headless.

Starting LibreOffice costs most of a second, converting one more document in an already
running process costs a few hundredths. So documents are converted in batches (one
`soffice --convert-to … file1 file2 …` per batch), with several LibreOffice processes side
by side, while the caller keeps rendering .docx files into the queue.

Each worker has its own LibreOffice user profile inside a private temporary folder: two
LibreOffice processes sharing a profile block each other, and so would two runs of the tool.
Every process is started in its own process group, so that it and its children can be
killed as a whole, whatever happens to the run.

The private copies include appendices with personal development goals, so nothing may
outlive the run, not even when it is killed with SIGKILL (which runs no clean-up code):

* All runs of one user keep their files in one folder, `<temp>/lederavtale-<user>/`
  (mode 0700), one sub-folder per run. A run holds an operating-system lock on a file beside
  its folder for as long as it lives; the system drops the lock when the process ends,
  however it ends. Every converter, as it starts, removes the folders whose lock is free
  (their run is gone) and never one whose lock is held.
* On POSIX a small watchdog process notices the tool's death (its pipe from the tool reaches
  end-of-file), kills the LibreOffice process groups still running and removes the run's
  folder at once. On Linux, every LibreOffice process also gets the kernel's parent-death
  signal. See `scratch.Watchdog` for why that signal alone is not enough.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pikepdf

from ..exceptions import LibreOfficeMissing
from ..progress import Progress
from . import scratch
from ..advice import advice

ENV_SOFFICE = "LEDERAVTALE_SOFFICE"

# SelectPdfVersion 2 = PDF/A-2b. The JSON form of the filter options needs LibreOffice 7.4+.
# Tagged, with bookmarks: a screen reader finds the headings (/H1, /H2 from the heading styles'
# outline level) and a picture's description (/Alt). LibreOffice 7.4 does both for PDF/A-2b by
# itself; said here so that no other version or default changes it.
PDF_EXPORT = {
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
}

# The mark `generer` puts on every page of its PDFs: they are drafts until signed, and `arkiv`
# makes its own PDFs without it. Light grey, running down the page, readable by pdftotext.
DRAFT_MARK = "UTKAST"
_MARK_OPTIONS = {
    "WatermarkColor": {"type": "long", "value": "14540253"},  # #DDDDDD
    "WatermarkRotateAngle": {"type": "long", "value": "900"},  # tenths of a degree
    "WatermarkFontName": {"type": "string", "value": "Liberation Sans"},
}


def pdf_filter(watermark: str | None = None) -> str:
    """LibreOffice's --convert-to argument (the JSON form of the options needs LibreOffice 7.4+)."""
    options = dict(PDF_EXPORT)
    if watermark:
        options |= {"Watermark": {"type": "string", "value": watermark}} | _MARK_OPTIONS
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))

# The stage a converter reports while its caller waits for the last PDFs (`PdfConverter.wait`).
PDF_STAGE = "Lager PDF/A"

NOT_PDFA = "LibreOffice laget en PDF som ikke er PDF/A-2b (LibreOffice 7.4 eller nyere trengs)"

DEFAULT_TIMEOUT = 180.0
# Measured on 2 cores (benchmarks/bench_pdf.py): big enough that the start-up of each
# LibreOffice process is a small share of the batch, small enough that the last batches
# spread over all workers.
DEFAULT_BATCH_SIZE = 100
# How often a running batch is looked at: whether LibreOffice is done, and (while `wait(progress)`
# reports) how many PDFs its output folder holds.
_PROGRESS_POLL = 0.25

_WINDOWS_PATHS = [
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
]
_MACOS_PATHS = ["/Applications/LibreOffice.app/Contents/MacOS/soffice"]

_INSTALL_HINT = (
    "Installer LibreOffice (Debian/Ubuntu: «sudo apt-get install libreoffice-writer-nogui», "
    "Windows og macOS: last ned fra https://www.libreoffice.org/), pek på programmet med "
    f"miljøvariabelen {ENV_SOFFICE}, eller " + advice("ingen_pdf") + "."
)


def _usable(path: str) -> str | None:
    """The absolute path of an executable file, given a path or a bare program name."""
    if os.sep in path or (os.altsep and os.altsep in path):
        candidate = Path(path).expanduser()
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate.absolute())
        return None
    return shutil.which(path)


def find_soffice(explicit: str | None = None) -> str:
    """The LibreOffice program: option > $LEDERAVTALE_SOFFICE > PATH > usual install paths.

    A program named explicitly (option or environment) must work: falling back to another
    installation would hide the user's mistake.
    """
    for given, source in ((explicit, "Oppgitt LibreOffice-program"), (os.environ.get(ENV_SOFFICE), ENV_SOFFICE)):
        if given:
            found = _usable(given)
            if found:
                return found
            raise LibreOfficeMissing(f"{source} «{given}» finnes ikke eller kan ikke kjøres. {_INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in _WINDOWS_PATHS if sys.platform == "win32" else _MACOS_PATHS if sys.platform == "darwin" else []:
        if _usable(path):
            return path
    raise LibreOfficeMissing(f"Fant ikke LibreOffice, som trengs for å lage PDF. {_INSTALL_HINT}")


@dataclass
class Conversion:
    docx: Path
    pdf: Path
    ok: bool
    feil: str = ""  # Norwegian reason when not ok


@dataclass
class _Job:
    index: int  # submission order
    docx: Path
    pdf: Path
    edit: Callable[[pikepdf.Pdf], None] | None = None


@dataclass
class _Attempt:
    """What one LibreOffice run did with its batch."""

    done: dict[int, Path]  # job index -> finished PDF in the batch folder
    unreadable: dict[int, str] = field(default_factory=dict)  # job index -> final reason
    timed_out: bool = False
    returncode: int | None = None
    log: str = ""
    cancelled: bool = False


class _Cancelled(Exception):
    """The converter is closing; no new LibreOffice process may start."""


def _looks_complete(pdf: Path) -> bool:
    """A PDF that LibreOffice finished writing (a killed process can leave half a file)."""
    try:
        size = pdf.stat().st_size
        if size < 64:
            return False
        with open(pdf, "rb") as f:
            head = f.read(5)
            f.seek(max(0, size - 1024))
            tail = f.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def pdfa_2b_problem(pdf: Path) -> str:
    """Why the file is not PDF/A-2b, or "" when it is: the one check, for every PDF the tool makes
    (the records system rejects anything else). A PDF without the PDF/A identification comes from
    a LibreOffice too old for the filter options (before 7.4)."""
    try:
        with pikepdf.open(pdf) as document:
            meta = document.open_metadata()
            part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except (OSError, pikepdf.PdfError) as exc:
        return f"PDF-filen kan ikke leses ({exc})"
    if str(part) != "2" or str(conformance).upper() != "B":
        return f"PDF-filen er ikke PDF/A-2b (pdfaid part={part}, conformance={conformance})"
    return ""


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _prepare_copy(source: Path, target: Path) -> None:
    """A private copy of the .docx for LibreOffice; the user's file is never touched."""
    shutil.copyfile(source, target)


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the process and everything it started (soffice is a launcher for soffice.bin)."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    _wait_until_dead(proc.pid)


def _wait_until_dead(group: int, within: float = 5.0) -> None:
    """Return once no process of the killed group still runs. A SIGKILL is sent, not done: on a busy
    machine soffice.bin goes on for a moment, holding the private copies open. A zombie is dead (its
    memory and files are gone); reaping it is for whoever inherited it, which may take PID 1 seconds,
    so zombies are not waited for."""
    deadline = time.monotonic() + within
    while _runs_in(group) and time.monotonic() < deadline:
        time.sleep(0.01)


def _runs_in(group: int) -> bool:
    """Whether a process of this group is alive and not a zombie (a zombie is told apart only where
    /proc says so; elsewhere the group counts until it is gone)."""
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return True
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and fields[2] == str(group) and fields[0] not in ("Z", "X"):
            return True
    return False


_live_converters: set["PdfConverter"] = set()
_live_lock = threading.Lock()


@atexit.register
def _close_forgotten_converters() -> None:
    # A converter used without `with` must still not leave LibreOffice running.
    with _live_lock:
        converters = list(_live_converters)
    for converter in converters:
        converter.close()


@dataclass(frozen=True)
class PdfSettings:
    """How a command runs LibreOffice (--jobber, --soffice)."""

    jobber: int | None = None  # LibreOffice processes side by side; None: one per core
    soffice: str | None = None  # the program; None: found as `find_soffice` says

    def checked(self) -> "PdfSettings":
        """The same settings with the program found: LibreOfficeMissing now, before any work."""
        return PdfSettings(self.jobber, find_soffice(self.soffice))

    def converter(self, on_done: Callable[[Conversion], None] | None = None,
                  watermark: str | None = None) -> "PdfConverter":
        return PdfConverter(jobber=self.jobber, soffice=self.soffice, on_done=on_done, watermark=watermark)


class PdfConverter:
    """Converts .docx files to PDF/A-2b in batches with `jobber` LibreOffice processes.

    Use as a context manager: `submit()` files while rendering, `wait()` for the results;
    `wait(progress)` reports the PDFs finished so far as a stage of its own (`PDF_STAGE`).
    """

    def __init__(
        self,
        jobber: int | None = None,
        soffice: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_done: Callable[[Conversion], None] | None = None,
        watermark: str | None = None,
    ):
        self.soffice = find_soffice(soffice)
        self.jobber = max(1, jobber or _cpu_count())
        self.timeout = timeout
        self.batch_size = max(1, batch_size)
        self.on_done = on_done
        self._progress: Progress | None = None  # set while `wait(progress)` reports
        self.filter = pdf_filter(watermark)
        self._base, shared = scratch.private_base()
        if shared:
            scratch.remove_dead_runs(self._base)
        scratch.remove_legacy_folders(Path(tempfile.gettempdir()))
        self.tempdir, self._run_lock = scratch.new_run(self._base)
        self._run_lock_path = self.tempdir.with_name(self.tempdir.name + scratch.LOCK_SUFFIX)
        self._own_base = not shared
        self._watchdog: scratch.Watchdog | None = None

        self._cond = threading.Condition()
        self._queue: list[_Job] = []
        self._submitted = 0
        self._results: dict[int, Conversion] = {}
        self._flushing = False
        self._closed = False
        self._procs: set[subprocess.Popen] = set()
        self._workers: list[threading.Thread] = []
        self._batch_counter = 0
        # PDFs finished in the output folder of each batch still running (by its folder): LibreOffice
        # writes them one by one, but hands them over only when the whole batch ends. Progress only.
        self._running: dict[Path, int] = {}
        self._callback_error: BaseException | None = None
        self._old_sigterm = None
        with _live_lock:
            _live_converters.add(self)

    # -- public API -------------------------------------------------------------------

    def __enter__(self) -> "PdfConverter":
        self._catch_sigterm()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def submit(self, docx: Path, pdf: Path, edit: Callable[[pikepdf.Pdf], None] | None = None) -> None:
        """Queue one conversion; a worker starts as soon as a batch is full.

        `edit` changes the finished PDF in memory (the document ID in its XMP) before it is moved
        into place, in the same pass that adds the language: one open and save per PDF, not two."""
        with self._cond:
            if self._closed:
                raise RuntimeError("PdfConverter er lukket")
            self._queue.append(_Job(self._submitted, Path(docx), Path(pdf), edit))
            self._submitted += 1
            self._start_workers()
            self._cond.notify_all()

    def wait(self, progress: Progress | None = None) -> list[Conversion]:
        """Convert what is still queued and return every result, in submission order.

        With `progress`, the PDFs finished so far are reported as they come (PDF_STAGE, done, all
        submitted), counted file by file in the running batches' output folders (`_wait_for`). The PDFs
        are most of a run's time; without the stage a page sits at its last .docx. The reports are made
        here, in the caller's thread, not by the workers: the caller's own stages (the .docx files) have
        ended by now, so a terminal never draws two bars over each other, and this stage comes last.
        """
        with self._cond:
            self._flushing = True
            self._progress = progress
            self._cond.notify_all()
        reported, shown = -1, 0
        try:
            while True:
                with self._cond:
                    # Short waits keep Ctrl-C responsive on every platform.
                    if shown == reported and len(self._results) < self._submitted and not self._closed:
                        self._cond.wait(0.2)
                    finished, total, closed = len(self._results), self._submitted, self._closed
                    made = sum(self._running.values())
                # Never backwards: a batch's count leaves `_running` a moment before its results arrive.
                shown = max(shown, min(total, finished + made))
                # Outside the lock: a slow front end must not hold up the workers finishing their PDFs.
                if progress is not None and total and shown != reported:
                    progress(PDF_STAGE, shown, total)
                reported = shown
                if finished >= total or closed:
                    break
        finally:
            with self._cond:
                self._flushing = False
                self._progress = None
        with self._cond:
            if self._callback_error is not None:
                error, self._callback_error = self._callback_error, None
                raise error
            return [self._results[i] for i in sorted(self._results)]

    def close(self) -> None:
        """Stop everything: kill running LibreOffice processes, remove the temporary files."""
        with self._cond:
            already = self._closed
            self._closed = True
            procs = list(self._procs)
            self._cond.notify_all()
        for proc in procs:
            _kill_tree(proc)
        for worker in self._workers:
            if worker is not threading.current_thread():
                worker.join(timeout=30)
        if not already:
            try:
                shutil.rmtree(self.tempdir, ignore_errors=True)
                if self._watchdog is not None:
                    self._watchdog.stop()
                scratch.release_run_lock(self._run_lock, self._run_lock_path)
                if self._own_base:
                    shutil.rmtree(self._base, ignore_errors=True)
            finally:
                self._restore_sigterm()
                with _live_lock:
                    _live_converters.discard(self)

    # -- workers ----------------------------------------------------------------------

    def _start_workers(self) -> None:
        # Called with the lock held. Workers start lazily: a run without PDFs costs nothing.
        if self._workers:
            return
        # Before the first private copy is made: from now on a death of the tool is noticed.
        remove = [self._base] if self._own_base else [self.tempdir, self._run_lock_path]
        self._watchdog = scratch.Watchdog.start(remove)
        for n in range(self.jobber):
            worker = threading.Thread(target=self._work, args=(n,), name=f"pdf-{n}", daemon=True)
            self._workers.append(worker)
            worker.start()

    def _take_batch(self) -> list[_Job] | None:
        """Block until there is a batch for this worker; None when closing."""
        with self._cond:
            while True:
                if self._closed:
                    return None
                waiting = len(self._queue)
                if waiting >= self.batch_size or (waiting and self._flushing):
                    # At the end, shrinking shares of what is left keep every worker busy
                    # until the last document, instead of one worker finishing a big batch.
                    size = min(self.batch_size, math.ceil(waiting / self.jobber))
                    batch, self._queue = self._queue[:size], self._queue[size:]
                    return batch
                self._cond.wait()

    def _work(self, n: int) -> None:
        profile = self.tempdir / f"profil-{n}"
        while True:
            batch = self._take_batch()
            if batch is None:
                return
            try:
                self._convert_with_retries(batch, profile)
            except _Cancelled:
                return
            except Exception as error:  # a bug here must not hang wait()
                with self._cond:
                    unfinished = [job for job in batch if job.index not in self._results]
                for job in unfinished:
                    self._finish(job, False, f"uventet feil under konvertering: {error}")

    def _convert_with_retries(self, batch: list[_Job], profile: Path) -> None:
        """Whole batch, then once more what is missing, then every remaining file alone."""
        remaining = [job for job in batch if self._input_ok(job)]
        remaining, _ = self._attempt(remaining, profile)
        if len(remaining) > 1:
            # LibreOffice works in order, so the first missing file is the likely culprit:
            # put it last, so that a hang on it does not cost the others their turn.
            remaining, _ = self._attempt(remaining[1:] + remaining[:1], profile)
        for job in remaining:
            missing, attempt = self._attempt([job], profile)
            if missing:
                self._finish(job, False, self._reason(attempt))

    def _attempt(self, jobs: list[_Job], profile: Path) -> tuple[list[_Job], _Attempt]:
        """Run one batch and keep what it made; returns the jobs still without a PDF."""
        if not jobs:
            return [], _Attempt(done={})
        with self._cond:
            self._batch_counter += 1
            folder = self.tempdir / f"parti-{self._batch_counter}"
        try:
            attempt = self._run_batch(jobs, profile, folder)
            missing = self._collect(jobs, attempt)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return missing, attempt

    def _input_ok(self, job: _Job) -> bool:
        if not job.docx.is_file():
            self._finish(job, False, f"Word-filen {job.docx} finnes ikke")
            return False
        # LibreOffice opens a file that is not a zip as plain text and happily makes a
        # PDF of the garbage, so a broken .docx has to be caught here.
        if job.docx.suffix.lower() == ".docx" and not _is_docx(job.docx):
            self._finish(job, False, "filen er ikke en gyldig Word-fil (.docx)")
            return False
        return True

    def _collect(self, jobs: list[_Job], attempt: _Attempt) -> list[_Job]:
        """Move finished PDFs into place; return the jobs still without a PDF."""
        missing = []
        for job in jobs:
            if job.index in attempt.unreadable:
                self._finish(job, False, attempt.unreadable[job.index])
                continue
            made = attempt.done.get(job.index)
            if made is None:
                missing.append(job)
                continue
            try:
                _finish_pdf(made, job.docx, job.edit)
                _move_into_place(made, job.pdf)
            except OSError as error:
                self._finish(job, False, f"kunne ikke lagre PDF-filen: {error.strerror or error}")
                continue
            self._finish(job, True)
        return missing

    def _run_batch(self, jobs: list[_Job], profile: Path, folder: Path) -> _Attempt:
        """One LibreOffice process for these jobs; reports which PDFs it completed."""
        inn, ut = folder / "inn", folder / "ut"
        inn.mkdir(parents=True)
        ut.mkdir()
        # LibreOffice names its output after the input's stem; numbered copies keep two
        # inputs with the same name apart, and a file edited meanwhile cannot change midway.
        attempt = _Attempt(done={})
        names = {}
        for job in jobs:
            name = f"{job.index:06d}"
            try:
                _prepare_copy(job.docx, inn / f"{name}.docx")
            except OSError as error:  # removed or unreadable since it was submitted
                attempt.unreadable[job.index] = f"kunne ikke lese Word-filen: {error.strerror or error}"
                continue
            names[job.index] = name
        if not names:
            return attempt
        args = [
            self.soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            self.filter,
            "--outdir",
            str(ut),
            *[str(inn / f"{name}.docx") for name in names.values()],
        ]
        log_path = folder / "logg.txt"
        with open(log_path, "wb") as log:
            proc = self._spawn(args, log)
            try:
                attempt.returncode = self._wait_for(proc, ut)
            except subprocess.TimeoutExpired:
                attempt.timed_out = True
            finally:
                with self._cond:
                    self._running.pop(ut, None)
                # Also after a normal end: nothing LibreOffice started may outlive the batch.
                _kill_tree(proc)
                # Before the wait: until then the group's number cannot go to a new process.
                self._tell_watchdog(b"-%d" % proc.pid)
                proc.wait()
                with self._cond:
                    self._procs.discard(proc)
                    attempt.cancelled = self._closed
        if attempt.cancelled:
            raise _Cancelled()
        attempt.log = log_path.read_text(encoding="utf-8", errors="replace")
        for index, name in names.items():
            made = ut / f"{name}.pdf"
            if not _looks_complete(made):
                continue
            if not pdfa_2b_problem(made):
                attempt.done[index] = made
            else:  # retrying cannot help: this LibreOffice ignores the filter options
                attempt.unreadable[index] = NOT_PDFA
        return attempt

    def _wait_for(self, proc: subprocess.Popen, ut: Path) -> int:
        """The batch's exit code; TimeoutExpired after `timeout`. While `wait(progress)` reports, the
        PDFs LibreOffice has finished in `ut` so far are counted, so that the stage rises file by file
        and not only when a batch of a hundred ends (a batch may have begun before anyone waited)."""
        deadline = time.monotonic() + self.timeout
        finished: set[str] = set()
        while True:
            try:
                return proc.wait(timeout=max(0.0, min(_PROGRESS_POLL, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise
            if self._progress is None:
                continue
            try:
                # A PDF is counted once it is whole (%%EOF written); whether it is good is for `_collect`.
                finished |= {made.name for made in ut.glob("*.pdf")
                             if made.name not in finished and _looks_complete(made)}
            except OSError:
                continue
            with self._cond:
                if self._running.get(ut) != len(finished):
                    self._running[ut] = len(finished)
                    self._cond.notify_all()

    def _spawn(self, args: list[str], log) -> subprocess.Popen:
        kwargs: dict = {"stdin": subprocess.DEVNULL, "stdout": log, "stderr": subprocess.STDOUT}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
            kwargs["preexec_fn"] = scratch.die_with_parent()  # None except on Linux
        # Spawning under the lock: close() either sees this process or stops it starting.
        with self._cond:
            if self._closed:
                raise _Cancelled()
            proc = subprocess.Popen(args, **kwargs)
            self._procs.add(proc)
            # The launcher takes tens of milliseconds before it forks soffice.bin, and it
            # carries the parent-death signal: should the tool die before this line, the
            # launcher dies with it before soffice.bin exists.
            self._tell_watchdog(b"+%d" % proc.pid)
        return proc

    def _tell_watchdog(self, line: bytes) -> None:
        if self._watchdog is not None:
            self._watchdog.tell(line)

    def _reason(self, attempt: _Attempt) -> str:
        if attempt.timed_out:
            return f"LibreOffice brukte mer enn {_seconds(self.timeout)} sekunder"
        if "could not be loaded" in attempt.log:
            return "LibreOffice klarte ikke å lese dokumentet"
        if attempt.returncode is not None and attempt.returncode < 0:
            return f"LibreOffice krasjet (signal {-attempt.returncode})"
        if attempt.returncode:
            return f"LibreOffice avsluttet med feilkode {attempt.returncode}"
        return "LibreOffice laget ingen PDF"

    def _finish(self, job: _Job, ok: bool, feil: str = "") -> None:
        result = Conversion(docx=job.docx, pdf=job.pdf, ok=ok, feil=feil)
        if self.on_done is not None:
            try:
                self.on_done(result)
            except BaseException as error:  # reported by wait(), not lost in this thread
                with self._cond:
                    self._callback_error = self._callback_error or error
        with self._cond:
            self._results[job.index] = result
            self._cond.notify_all()

    # -- signals ----------------------------------------------------------------------

    def _catch_sigterm(self) -> None:
        # `kill <pid>` would otherwise end Python without running __exit__, leaving
        # LibreOffice behind; turned into SystemExit, it unwinds like Ctrl-C does.
        if sys.platform == "win32" or threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self._old_sigterm = signal.signal(signal.SIGTERM, _raise_exit)

    def _restore_sigterm(self) -> None:
        if self._old_sigterm is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._old_sigterm)
            self._old_sigterm = None


def _raise_exit(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _seconds(value: float) -> str:
    """Norwegian number format: 0,5 and 180, not 0.5 and 180.0."""
    return f"{value:g}".replace(".", ",")


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


_LANGUAGE = re.compile(rb"<dc:language>([^<]+)</dc:language>")


def _finish_pdf(pdf: Path, docx: Path, edit: Callable[[pikepdf.Pdf], None] | None) -> None:
    """The document's language (from the .docx) in the PDF's XMP as dc:language, which LibreOffice
    leaves out, and the caller's `edit`, saved in one pass.

    Archive validators look for the language in the XMP; the PDF's /Lang alone is not enough for
    them. A PDF whose language cannot be added stays valid without it; an edit that fails is the
    conversion's failure (raised as OSError), since the caller relies on it.
    """
    try:
        with zipfile.ZipFile(docx) as archive:
            found = _LANGUAGE.search(archive.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile):
        found = None
    if not found and edit is None:
        return
    try:
        with pikepdf.open(pdf, allow_overwriting_input=True) as document:
            if found:
                with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                    meta["dc:language"] = {found.group(1).decode("utf-8").strip()}
            if edit is not None:
                edit(document)
            document.save(pdf)
    except pikepdf.PdfError as error:
        if edit is not None:
            raise OSError(f"PDF-filen kunne ikke merkes: {error}") from error


def _move_into_place(made: Path, target: Path) -> None:
    """Atomically: readers see the old PDF or the complete new one, never half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.move(str(made), str(tmp))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
