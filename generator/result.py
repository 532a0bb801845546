"""What a job gives back: everything it did, for any front end to show (see `job.py`).

Below `documents/` and the other rooms, so that the code that does the work can build one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .advice import next_step
from .exceptions import EXIT_INVALID, EXIT_PARTIAL


@dataclass
class Item:
    """What a job did for one leader: the status, the files (relative to the year folder), notes."""

    ansattnr: str
    navn: str
    status: str = ""
    filer: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    oppdrag: int | None = None  # the assignments the leader's documents carry, where it applies


@dataclass
class Result:
    """Everything a job did, for any front end to show.

    - `warnings`: about the input (the workbook's advarsler), shown first under a count;
    - `notices`: what the user should know about the run (documents kept because a person edited
      them, copies taken, leaders gone), shown as they are;
    - `summary`: what was done, the job's last lines;
    - `failures`: what could not be done; the rest is complete. Any failure gives EXIT_PARTIAL.
    - `cancelled`: the user said no when asked; nothing was done.
    - `next_step`: the step of the year that follows, said last (`after`).
    """

    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    failure_heading: str = "Ferdig, men med feil:"
    cancelled: bool = False
    files: list[Path] = field(default_factory=list)  # what the run wrote, as the front end may link to it
    # The items are what the user asked about, one each (the Word files handed in): the terminal lists
    # them with their notes too, not only the web page. A run over every leader leaves that to its report.
    per_item: bool = False
    next_step: str = ""

    def after(self, command: str) -> "Result":
        """This result of `command`, saying the year's next step when the run went well (advice.NEXT)."""
        if not self.failures and not self.cancelled:
            self.next_step = next_step(command)
        return self

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
                      self.cancelled or other.cancelled, self.files + other.files, self.per_item or other.per_item,
                      "" if failures else other.next_step or self.next_step)
