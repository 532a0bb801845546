"""The terminal renderer: a job's `Result`, or an error, as lines on stdout/stderr and an exit code.

The web page renders the same `Result` as HTML; no job knows which front end shows it.
"""

from __future__ import annotations

import re
import sys

import click

from .exceptions import LederavtaleError
from .result import Result
from .plural import antall
from .advice import TERMINAL, words

# C0 and C1 controls (a terminal obeys ESC sequences, CR rewrites a line, a line break in a file
# name fakes a line of output), and the invisible marks that reorder or hide text on screen.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """`text` with every control character shown escaped (`\\x1b`, `\\n`), so that a name, a
    path or a cell's text printed here cannot move the cursor, retitle the window or add a line."""
    def escape(match: re.Match) -> str:
        char = match.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
            f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
    return _CONTROL.sub(escape, text)


def echo(text: str = "", err: bool = False) -> None:
    """Every line the command prints goes through here; a message with several lines is given
    as several calls, so that a line break inside a value is shown, never obeyed."""
    click.echo(visible(words(str(text), TERMINAL)), err=err)


def lines(result: Result) -> list[tuple[str, bool]]:
    """(line, to stderr) in the order they are shown: warnings, notices, summary, failures, the next step."""
    out: list[tuple[str, bool]] = []
    if result.warnings:
        out.append((f"{antall(len(result.warnings), 'advarsel', 'advarsler')}:", True))
        out += [(f"  {warning}", True) for warning in result.warnings]
    out += [(notice, True) for notice in result.notices]
    if result.per_item:
        for item in result.items:
            out.append((f"{item.ansattnr} {item.navn}: {item.status}", False))
            out += [(f"  {note}", False) for note in item.notices]
    out += [(line, False) for line in result.summary]
    if result.failures:
        out.append((result.failure_heading, True))
        out += [(f"  {failure}", True) for failure in result.failures]
    if result.next_step:
        out.append((result.next_step, False))
    return out


def show(result: Result) -> int:
    """Print the result; its exit code."""
    for text, err in lines(result):
        echo(text, err=err)
    return result.exit_code


def show_error(exc: LederavtaleError) -> int:
    """Print an error that stopped a job before (or instead of) its work; its exit code."""
    for line in exc.lines():
        echo(line, err=True)
    return exc.exit_code


def progress_bar(enabled: bool | None = None):
    """click's progress bar on a terminal, one bar per stage; silent in pipes and CI."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    bars: dict[str, click.progressbar] = {}  # the stages with a bar still open

    def show(label: str, done: int, total: int) -> None:
        bar = bars.get(label)
        if bar is None:
            # A stage reported again after its bar closed gets a new bar, not a closed one drawn over.
            bar = bars[label] = click.progressbar(length=total, label=f"{label:<26}", file=sys.stderr,
                                                  show_eta=False, show_pos=True)
            bar.__enter__()
        bar.length = total  # a stage may learn of more work as it goes
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)
            del bars[label]

    return show


def confirm_sending(plan) -> bool:
    """Ask before mail goes out to the leaders in `plan` (a terminal only), after what the plan
    warns about (a leader skipped because an earlier message may have arrived)."""
    for warning in plan.advarsler:
        echo(f"Advarsel: {warning}", err=True)
    echo(f"Klar til å sende {antall(len(plan.utkast), 'e-post', 'e-poster')}:")
    for line in plan.lines():
        echo(f"  {line}")
    answer = click.prompt("Sende nå? Skriv «ja» for å sende", default="nei", show_default=False)
    return answer.strip().casefold() in ("ja", "j")
