"""`sjekk`: everything `generer` checks, with every template, and nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..documents.batch import Batch, prepare
from ..exceptions import InvalidInput
from ..model import Arbeidsbok, Problem
from ..progress import Progress


@dataclass
class CheckResult:
    bok: Arbeidsbok
    antall_ledere: int  # leaders who get an agreement


def check(workbook: Path, maler: Path | None = None, progress: Progress | None = None,
          today: date | None = None) -> CheckResult:
    """InvalidInput (exit 1) with every problem, or the workbook and its warnings."""
    today = today or date.today()
    bok, selected, templates = prepare(workbook, maler, today=today, alle_maler=True)
    verdicts = Batch(bok, templates, today).check(selected, progress)
    failures = [f"{v.leder.ansattnr} {v.leder.navn}: {f}" for v in verdicts for f in v.feil]
    if failures:
        raise InvalidInput([Problem("", line) for line in failures], heading="Noen dokumenter kan ikke lages:")
    return CheckResult(bok, len(verdicts))
