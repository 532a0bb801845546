"""Validation: every sheet read into model objects, with every problem found on the way.

Errors are raised together as `WorkbookError`; warnings are returned with the workbook.
"""

from __future__ import annotations

from pathlib import Path

from ..exceptions import WorkbookError
from ..model import Arbeidsbok
from . import columns
from .cells import Cells
from .file import RawSheets
from .kommune import read_kommune
from .language import check_malform
from .ledere import check_hierarchy, check_signert, read_ledere
from .lederprinsipper import read_lederprinsipper
from .maltall import read_maltall
from .oppdrag import read_oppdrag, read_tiltak
from .utviklingsmal import read_utviklingsmal
from .values import quoted

KOMMUNE, LEDERE, OPPDRAG = columns.KOMMUNE.name, columns.LEDERE.name, columns.OPPDRAG.name
TILTAK, UTVIKLINGSMAL = columns.TILTAK.name, columns.UTVIKLINGSMAL.name
LEDERPRINSIPPER, MALTALL = columns.LEDERPRINSIPPER.name, columns.MALTALL.name


def validate(path: Path, raw: RawSheets, uploaded: bool = False) -> Arbeidsbok:
    """The workbook as model objects; WorkbookError with every error when there is any.

    `uploaded`: a workbook that came over the web page (`read_workbook`)."""
    c = Cells(raw)
    for name in raw.missing:
        c.error(name, f"arket {quoted(name)} mangler i arbeidsboken")
    for name in raw.duplicates:
        c.error(name, f"arbeidsboken har mer enn ett ark som heter {quoted(name)}")
    sheets = {name: c.table(name, rows) for name, rows in raw.rows.items()}

    kommune = read_kommune(c, sheets.get(KOMMUNE), path.parent, uploaded)
    ledere = read_ledere(c, sheets.get(LEDERE))
    ledere_ok = sheets.get(LEDERE) is not None
    if ledere_ok:
        check_hierarchy(c, ledere)
        if kommune is not None:
            check_signert(c, sheets[LEDERE], ledere, kommune.periode)
    oppdrag, tildeling, bad_gjelder = read_oppdrag(c, sheets.get(OPPDRAG), ledere, ledere_ok)
    tiltak = read_tiltak(c, sheets.get(TILTAK), ledere, oppdrag, tildeling, bad_gjelder, ledere_ok,
                         sheets.get(OPPDRAG) is not None)
    maltall = read_maltall(c, sheets.get(MALTALL), ledere, oppdrag, tildeling, bad_gjelder, ledere_ok,
                           sheets.get(OPPDRAG) is not None)
    goals = read_utviklingsmal(c, sheets.get(UTVIKLINGSMAL), ledere, ledere_ok)
    lederprinsipper = read_lederprinsipper(c, sheets.get(LEDERPRINSIPPER))
    check_malform(c, sheets, kommune)

    if sheets.get(OPPDRAG) is not None:
        for leder in ledere:
            if leder.avtale and not tildeling.get(leder.ansattnr):
                c.warn(f"{LEDERE} rad {leder.rad}", f"{c.who(leder)} får ingen oppdrag", leder.ansattnr)
    if sheets.get(UTVIKLINGSMAL) is not None:
        with_goals = {g.ansattnr for g in goals}
        for leder in ledere:
            if leder.avtale and leder.ansattnr not in with_goals:
                c.warn(f"{LEDERE} rad {leder.rad}", f"{c.who(leder)} har ingen utviklingsmål", leder.ansattnr)

    if c.errors or kommune is None:
        raise WorkbookError(c.errors)
    return Arbeidsbok(
        path=path,
        kommune=kommune,
        ledere=ledere,
        oppdrag=oppdrag,
        tiltak=tiltak,
        utviklingsmal=goals,
        tildeling=tildeling,
        warnings=c.warnings,
        lederprinsipper=lederprinsipper,
        maltall=maltall,
    )
