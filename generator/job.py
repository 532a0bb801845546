"""What every job is given (`Job`) and what it gives back (`Result`).

A job is one command of the year (`generer`, `epost`, `arkiv`, …) as a function in `commands/`:
it takes a `Job` and its own options and returns a `Result`. Errors found before any work is
done (a bad workbook, options that do not go together, a locked folder) are raised as
`LederavtaleError`; once work has been done, everything that happened, failures too, is in the
`Result`, so a front end never loses it. The front ends (`cli.py`, the web page) only render
a `Result`: `terminal.py` turns it into lines and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .documents.pdf import PdfSettings
from .documents.templates import TemplateSet
from .exceptions import EXIT_INVALID, EXIT_PARTIAL
from .model import Arbeidsbok
from .progress import Progress
from .store.year import YearFolder
from .workbook import read_workbook


@dataclass
class Job:
    """One run's shared state: the workbook, where it writes, the templates, PDF/A, progress, today."""

    workbook: Path
    ut: Path  # the output folder; the year folder is `<ut>/<år>/`
    maler: Path | None = None  # None: the templates that come with the tool
    pdf: PdfSettings = field(default_factory=PdfSettings)
    progress: Progress | None = None
    today: date = field(default_factory=date.today)
    _bok: Arbeidsbok | None = field(default=None, repr=False)
    _templates: TemplateSet | None = field(default=None, repr=False)

    @property
    def bok(self) -> Arbeidsbok:
        """The workbook, read and validated once (WorkbookError with every problem)."""
        if self._bok is None:
            self._bok = read_workbook(self.workbook)
        return self._bok

    @property
    def templates(self) -> TemplateSet:
        if self._templates is None:
            self._templates = TemplateSet(self.bok, self.maler)
        return self._templates

    @property
    def year(self) -> YearFolder:
        return YearFolder.of(self.bok, self.ut)


@dataclass
class Item:
    """What a job did for one leader: the status, the files (relative to the year folder), notes."""

    ansattnr: str
    navn: str
    status: str = ""
    filer: list[str] = field(default_factory=list)
    merknader: list[str] = field(default_factory=list)


@dataclass
class Result:
    """Everything a job did, for any front end to show.

    - `warnings`: about the input (the workbook's advarsler), shown first under a count;
    - `notices`: what the user should know about the run (documents kept because a person edited
      them, copies taken, leaders gone), shown as they are;
    - `summary`: what was done, the job's last lines;
    - `failures`: what could not be done; the rest is complete. Any failure gives EXIT_PARTIAL.
    - `cancelled`: the user said no when asked; nothing was done.
    """

    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    failure_heading: str = "Ferdig, men med feil:"
    cancelled: bool = False
    files: list[Path] = field(default_factory=list)  # what the run wrote, as the front end may link to it

    @property
    def exit_code(self) -> int:
        if self.cancelled:
            return EXIT_INVALID
        return EXIT_PARTIAL if self.failures else 0

    def add(self, other: "Result") -> "Result":
        """Two jobs run as one (`arkiv --kvitteringer … --alle`): one result, one list of failures.

        When both failed, each part's failures stay under their own heading, so that the reader
        still sees which were receipts and which were documents."""
        if self.failures and other.failures:
            heading = "Ferdig, men med feil:"
            failures = [line for part in (self, other)
                        for line in [part.failure_heading, *(f"  {failure}" for failure in part.failures)]]
        else:
            heading = other.failure_heading if other.failures else self.failure_heading
            failures = self.failures + other.failures
        return Result(self.items + other.items, self.warnings + other.warnings, self.notices + other.notices,
                      self.summary + other.summary, failures, heading,
                      self.cancelled or other.cancelled, self.files + other.files)
