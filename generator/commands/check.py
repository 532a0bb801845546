"""`sjekk`: everything `generer` checks, with every template, and nothing written."""

from __future__ import annotations

from ..documents.batch import Batch, prepare
from ..exceptions import InvalidInput
from ..job import Job, Result
from ..model import Problem
from ..plural import antall


def check(job: Job) -> Result:
    """InvalidInput (exit 1) with every problem, or the workbook's warnings and what it would make."""
    bok, selected, templates = prepare(job.workbook, job.maler, today=job.today, alle_maler=True)
    verdicts = Batch(bok, templates, job.today).check(selected, job.progress)
    failures = [f"{v.leder.ansattnr} {v.leder.navn}: {f}" for v in verdicts for f in v.feil]
    if failures:
        raise InvalidInput([Problem("", line) for line in failures], heading="Noen dokumenter kan ikke lages:")
    return Result(warnings=[str(w) for w in bok.warnings], summary=[
        f"Arbeidsboken er i orden: {antall(len(verdicts), 'leder', 'ledere')} får avtale, "
        f"{antall(len(bok.oppdrag), 'oppdrag', 'oppdrag')}, {antall(len(bok.warnings), 'advarsel', 'advarsler')}."])
