"""`sjekk`: everything `generer` checks, with every template, and nothing written.

Where `generer` has written agreements that a person has since changed in Word, it also says
which assignments' measures in them differ from the workbook's (documents.measures): those
are the measures `oppfolging` uses. A warning, not an error: the agreement is the signed truth.
"""

from __future__ import annotations

from ..archive.record import saksbehandler_warning
from ..documents.batch import Batch, prepare
from ..documents.measures import edited_agreements
from ..documents.privacy import findings
from ..exceptions import InvalidInput
from ..job import Job
from ..result import Result
from ..model import Problem
from ..plural import antall
from ..store.year import YearFolder
from ..workbook import open_in_excel


def check(job: Job) -> Result:
    """InvalidInput (exit 1) with every problem, or the workbook's warnings and what it would make."""
    bok, selected, templates = prepare(job.workbook, job.maler, today=job.today, alle_maler=True, bok=job.bok)
    verdicts = Batch(bok, templates, job.today).check(selected, job.progress)
    # Said once per leader whose goal shows, as `generer` says it (privacy.findings).
    failures = findings([leak for v in verdicts for leak in v.leaks], bok)
    if failures:
        raise InvalidInput([Problem("", line) for line in failures], heading="Noen dokumenter kan ikke lages:")
    agreements = edited_agreements(bok, YearFolder.of(bok, job.ut).path, [v.leder for v in verdicts])
    measures = [line for m in agreements for line in m.difference_warnings(bok) + m.warnings + m.refused]
    # Only arkiv uses Saksbehandler, so only sjekk (which checks for every command) and arkiv say it.
    archive = [w for w in [saksbehandler_warning(bok.kommune)] if w]
    warnings = [str(w) for w in open_in_excel(job.workbook) + bok.warnings] + archive + measures
    return Result(warnings=warnings, summary=[
        f"Arbeidsboken er i orden: {antall(len(verdicts), 'leder', 'ledere')} får avtale, "
        f"{antall(len(bok.oppdrag), 'oppdrag', 'oppdrag')}, {antall(len(warnings), 'advarsel', 'advarsler')}."]
        ).after("sjekk")
