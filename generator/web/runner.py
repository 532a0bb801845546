"""The web page's background jobs: one worker thread, one job at a time.

A job is a function of the `commands/` modules called with a `job.Job`, as the command line calls it;
the runner only gives it a progress callback and keeps what it reports, and its `Result` or error, in
memory, so that the page can poll it (and find it again after a reload). The year folder's RunLock is
taken inside the jobs as always: a CLI run and a web job never write at once, and a job that finds the
lock held ends with the lock's own message.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ..exceptions import LederavtaleError
from ..progress import Progress
from ..result import Result

Work = Callable[[Progress], Result]

BUSY = ("En annen jobb kjører allerede på denne siden: «{name}». Vent til den er ferdig, "
        "og prøv igjen.")


@dataclass
class Stage:
    label: str
    done: int
    total: int


@dataclass
class JobState:
    id: int
    name: str  # Norwegian, as the page shows it: «Lager avtaler»
    page: str  # the page it belongs to, where its result is shown
    started: float = field(default_factory=time.time)
    finished: float | None = None
    stages: list[Stage] = field(default_factory=list)
    result: Result | None = None
    error: list[str] = field(default_factory=list)  # a LederavtaleError's lines

    @property
    def running(self) -> bool:
        return self.finished is None

    def progress(self, label: str, done: int, total: int) -> None:
        for stage in self.stages:
            if stage.label == label:
                stage.done, stage.total = done, total
                return
        self.stages.append(Stage(label, done, total))

    def as_json(self) -> dict:
        return {"id": self.id, "navn": self.name, "kjorer": self.running,
                "trinn": [{"tekst": s.label, "ferdig": s.done, "av": s.total} for s in self.stages]}


class Busy(LederavtaleError):
    pass


class Runner:
    def __init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.current: JobState | None = None
        self.last: dict[str, JobState] = {}  # page -> its last job

    def start(self, name: str, page: str, work: Work, after: Callable[[JobState], None] | None = None) -> JobState:
        """Run `work` in the worker thread; Busy while another job runs (a second one is refused)."""
        with self._lock:
            if self.current is not None and self.current.running:
                raise Busy(BUSY.format(name=self.current.name))
            state = JobState(next(self._ids), name, page)
            self.current = state
            self.last[page] = state
        thread = threading.Thread(target=self._run, args=(state, work, after), name=f"lederavtale-jobb-{state.id}",
                                  daemon=True)
        thread.start()
        return state

    def _run(self, state: JobState, work: Work, after) -> None:
        try:
            state.result = work(state.progress)
        except LederavtaleError as exc:
            state.error = exc.lines()
        except OSError as exc:
            where = f"«{exc.filename}»" if exc.filename else "en fil"
            state.error = [f"Kunne ikke lese eller skrive {where}: {exc.strerror or exc}."]
        except Exception as exc:  # the page must hear of it; the server goes on
            state.error = [f"Uventet feil: {type(exc).__name__}: {exc}"]
        finally:
            if after is not None:
                try:
                    after(state)
                except Exception:
                    pass
            state.finished = time.time()

    def wait(self, timeout: float = 600) -> None:
        """Until the current job is done (for tests and the benchmark)."""
        end = time.time() + timeout
        while self.current is not None and self.current.running and time.time() < end:
            time.sleep(0.05)
