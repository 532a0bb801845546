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
    """One run's shared state: the workbook, where it writes, the templates, PDF/A, progress, today.

    `uploaded` is for a workbook that came over the web page: its Logo must be a plain file name in
    the workbook's own folder, where the page stores the pictures uploaded with it, and nothing else on
    the server (`workbook.read_workbook`). The command line leaves it False: there the workbook is the
    user's own, and its logo may be anywhere they can read.

    `read_book` hands over a workbook already read and validated from `workbook` (the web page keeps
    one per change of the file, so a job does not read thousands of rows again); None, and `bok` reads
    it when first asked. It must have been read the way `uploaded` says.
    """

    workbook: Path
    ut: Path  # the output folder; the year folder is `<ut>/<år>/`
    maler: Path | None = None  # None: the templates that come with the tool
    pdf: PdfSettings = field(default_factory=PdfSettings)
    progress: Progress | None = None
    today: date = field(default_factory=date.today)
    uploaded: bool = False
    read_book: Arbeidsbok | None = field(default=None, repr=False)
    _templates: TemplateSet | None = field(default=None, repr=False)

    @property
    def bok(self) -> Arbeidsbok:
        """The workbook, read and validated once (WorkbookError with every problem)."""
        if self.read_book is None:
            self.read_book = read_workbook(self.workbook, uploaded=self.uploaded)
        return self.read_book

    @property
    def templates(self) -> TemplateSet:
        if self._templates is None:
            self._templates = TemplateSet(self.bok, self.maler)
        return self._templates

    @property
    def year(self) -> YearFolder:
        return YearFolder.of(self.bok, self.ut)
