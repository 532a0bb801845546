"""Sheet Utviklingsmål: the leaders' personal development goals, exempt from public access."""

from __future__ import annotations

from ..model import Leder, Utviklingsmal
from .cells import Cells, Table
from .values import quoted


def read_utviklingsmal(c: Cells, sheet: Table | None, ledere: list[Leder], ledere_ok: bool) -> list[Utviklingsmal]:
    # These texts are exempt from public access: messages name cells, never the content.
    if sheet is None:
        return []
    by_nr = {leder.ansattnr: leder for leder in ledere}
    result: list[Utviklingsmal] = []
    for row in sheet.rows:
        item = Utviklingsmal(
            ansattnr=c.text(sheet, row, "ansattnr", required=True, as_id=True),
            mal=c.text(sheet, row, "mal", required=True),
            tiltak=c.text(sheet, row, "tiltak"),
            oppfolging=c.text(sheet, row, "oppfolging"),
            rad=row.number,
        )
        if not item.ansattnr:
            continue
        leder = by_nr.get(item.ansattnr)
        if ledere_ok and leder is None:
            c.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(item.ansattnr)} finnes ikke i arket Ledere")
        elif leder is not None and not leder.avtale:
            c.warn(sheet.place(row, "ansattnr"), f"{c.who(leder)} har Avtale=nei; utviklingsmålet blir ikke brukt")
        result.append(item)
    return result
