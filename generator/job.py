"""What every job is given (`Job`) and what it gives back (`Result`).

A job is one command of the year (`generer`, `epost`, `arkiv`, …) as a function in `commands/`:
it takes a `Job` and its own options and returns a `Result`. Errors found before any work is
done (a bad workbook, options that do not go together, a locked folder) are raised as
`LederavtaleError`; once work has been done, everything that happened, failures too, is in the
`Result`, so a front end never loses it. The front ends (`cli.py`, the web page) only render
a `Result` (`result.py`): `terminal.py` turns it into lines and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .documents.pdf import PdfSettings
from .documents.templates import TemplateSet
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
