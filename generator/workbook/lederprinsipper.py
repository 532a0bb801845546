"""Sheet Lederprinsipper (optional): the municipality's leadership principles, for every agreement."""

from __future__ import annotations

from ..model import Lederprinsipp
from .cells import Cells, Table


def read_lederprinsipper(c: Cells, sheet: Table | None) -> list[Lederprinsipp]:
    """The principles in workbook order; [] without the sheet, so the templates' own text stands."""
    if sheet is None:
        return []
    result: list[Lederprinsipp] = []
    for row in sheet.rows:
        item = Lederprinsipp(
            prinsipp=c.text(sheet, row, "prinsipp", required=True),
            beskrivelse=c.text(sheet, row, "beskrivelse"),
            rad=row.number,
        )
        if item.prinsipp:
            result.append(item)
    return result
