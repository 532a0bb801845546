"""Sheet Måltall (optional): a leader's own target and baseline for an assignment, where each service has
its own figures. `Arbeidsbok.oppdrag_for` puts them in place of the assignment's own for that leader."""

from __future__ import annotations

from ..model import Leder, Maltall, Oppdrag
from .cells import Cells, Table
from .oppdrag import check_leader_row
from .values import quoted


def read_maltall(
    c: Cells,
    sheet: Table | None,
    ledere: list[Leder],
    oppdrag: list[Oppdrag],
    tildeling: dict[str, list[str]],
    bad_gjelder: set[str],
    ledere_ok: bool,
    oppdrag_ok: bool,
) -> list[Maltall]:
    """The rows in workbook order; [] without the sheet. A row for a leader the assignment does not reach
    is an error, as for a measure: the figure would be printed nowhere, and HR would not know."""
    if sheet is None:
        return []
    by_nr = {leder.ansattnr: leder for leder in ledere}
    known_oppdrag = {o.nr for o in oppdrag}
    first: dict[tuple[str, str], int] = {}
    result: list[Maltall] = []
    for row in sheet.rows:
        item = Maltall(
            ansattnr=c.text(sheet, row, "ansattnr", required=True, as_id=True),
            nr=c.text(sheet, row, "nr", required=True, as_id=True),
            mal=c.text(sheet, row, "mal"),
            utgangspunkt=c.text(sheet, row, "utgangspunkt"),
            rad=row.number,
        )
        if not (item.ansattnr and item.nr):
            continue
        leder, holds = check_leader_row(c, sheet, row, item.ansattnr, item.nr, by_nr, known_oppdrag, tildeling,
                                        bad_gjelder, ledere_ok, oppdrag_ok)
        if not holds:
            continue
        key = (item.ansattnr, item.nr)
        if key in first:
            c.error(sheet.place(row, "nr"), f"{c.who(leder) if leder else quoted(item.ansattnr)} har allerede "
                    f"måltall for oppdrag {item.nr} på rad {first[key]}")
            continue
        if not (item.mal or item.utgangspunkt):
            c.error(sheet.place(row, "mal"), "fyll ut Mål eller Utgangspunkt (eller begge), eller slett raden")
            continue
        first[key] = row.number
        result.append(item)
    return result
