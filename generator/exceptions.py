"""All errors the tool reports to users, and their exit codes. `cli.py` turns them into messages.

Messages are Norwegian bokmål, since HR reads them; each names its place (`Ledere!G9`).
"""

from __future__ import annotations

EXIT_INVALID = 1  # invalid input or templates: nothing written
EXIT_USAGE = 2  # options that do not go together (as click reports its own usage errors)
EXIT_PARTIAL = 3  # finished, but some documents failed; the others are complete (a Result with failures)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it


class LederavtaleError(Exception):
    """Base class: anything raised as this is shown without a traceback."""

    exit_code = EXIT_INVALID

    def lines(self) -> list[str]:
        return [str(self)]


class OptionError(LederavtaleError):
    """Options that do not go together; the job says so before doing anything."""

    exit_code = EXIT_USAGE


class InvalidInput(LederavtaleError):
    """The workbook or the templates cannot be used; nothing has been written.

    Carries every problem found, not just the first.
    """

    heading = "Arbeidsboken har feil. Ingenting er skrevet."

    def __init__(self, problems, heading: str | None = None):
        self.problems = list(problems)
        if heading:
            self.heading = heading
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [self.heading] + [f"  {p}" for p in self.problems]


class WorkbookError(InvalidInput):
    pass


class TemplateError(InvalidInput):
    heading = "Malene har feil. Ingenting er skrevet."


class LibreOfficeMissing(LederavtaleError):
    pass


class OutputLocked(LederavtaleError):
    """Another run is writing to the same output folder."""


class NothingGenerated(LederavtaleError):
    """`epost`/`arkiv` was run before `generer`."""


class PrivacyViolation(LederavtaleError):
    """A public document would contain text from a leader's development goals."""


class MailError(LederavtaleError):
    pass


class Interrupted(LederavtaleError):
    """Ctrl-C: what was finished is kept, and a rerun completes the rest."""

    exit_code = EXIT_INTERRUPTED
