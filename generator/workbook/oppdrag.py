"""Sheets Oppdrag and Tiltak: the styringsbrev's assignments, who they apply to, and the leaders' own measures."""

from __future__ import annotations

import re

from ..model import Leder, Oppdrag, Tiltak
from .cells import Cells, Table
from .selectors import Selector, SelectorError
from .values import quoted


def read_oppdrag(
    c: Cells, sheet: Table | None, ledere: list[Leder], ledere_ok: bool
) -> tuple[list[Oppdrag], dict[str, list[str]], set[str]]:
    tildeling = {leder.ansattnr: [] for leder in ledere if leder.avtale}
    if sheet is None:
        return [], tildeling, set()
    selector = Selector(ledere)
    oppdrag: list[Oppdrag] = []
    seen: dict[str, int] = {}
    bad_gjelder: set[str] = set()
    for row in sheet.rows:
        item = Oppdrag(
            nr=c.text(sheet, row, "nr", required=True, as_id=True),
            omrade=c.text(sheet, row, "omrade", required=True),
            tekst=c.text(sheet, row, "tekst", required=True),
            mal=c.text(sheet, row, "mal"),
            malemetode=c.text(sheet, row, "malemetode"),
            utgangspunkt=c.text(sheet, row, "utgangspunkt"),
            frist=c.date(sheet, row, "frist"),
            gjelder=c.text(sheet, row, "gjelder", required=True),
            ekstra=c.ekstra(sheet, row),
            felt=c.fields(sheet, row),
            rad=row.number,
        )
        if not item.nr:
            continue
        if item.nr in seen:
            c.error(sheet.place(row, "nr"), f"Nr {quoted(item.nr)} finnes allerede på rad {seen[item.nr]}")
            continue
        seen[item.nr] = row.number
        oppdrag.append(item)
        if not ledere_ok or not item.gjelder:
            bad_gjelder.add(item.nr)
            continue
        matched = _resolve(c, sheet.place(row, "gjelder"), item.gjelder, selector)
        if matched is None:
            bad_gjelder.add(item.nr)
            continue
        for ansattnr in matched:
            tildeling[ansattnr].append(item.nr)
    return oppdrag, tildeling, bad_gjelder

def _resolve(c: Cells, place: str, gjelder: str, selector: "Selector") -> set[str] | None:
    """The Ansattnr of every Avtale=ja leader the cell selects; None after an error."""
    matched: set[str] = set()
    ok = True
    for token in (t.strip() for t in re.split(r"[,;\n]", gjelder)):
        if not token:
            continue
        try:
            hits = selector.select(token)
        except SelectorError as exc:
            c.error(place, str(exc))
            ok = False
            continue
        if not hits:
            c.warn(place, selector.nobody(token))
        matched |= hits
    return matched if ok else None


def check_leader_row(c: Cells, sheet: Table, row, ansattnr: str, nr: str, by_nr: dict[str, Leder],
                     known_oppdrag: set[str], tildeling: dict[str, list[str]], bad_gjelder: set[str],
                     ledere_ok: bool, oppdrag_ok: bool) -> tuple[Leder | None, bool]:
    """A row about one leader's assignment (Tiltak, Måltall): the leader, and whether the row holds, each
    problem said at its cell: the Ansattnr and the Nr must exist, and the assignment must reach the leader.
    Nothing is said of what an earlier error (a broken sheet Ledere or Oppdrag) already stands for."""
    leder = by_nr.get(ansattnr)
    if ledere_ok and leder is None:
        c.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(ansattnr)} finnes ikke i arket Ledere")
        return leder, False
    if oppdrag_ok and nr not in known_oppdrag:
        c.error(sheet.place(row, "nr"), f"oppdrag {quoted(nr)} finnes ikke i arket Oppdrag")
        return leder, False
    if leder is not None and oppdrag_ok and nr not in bad_gjelder and nr not in tildeling.get(leder.ansattnr, []):
        c.error(sheet.place(row, "nr"), f"oppdrag {nr} gjelder ikke {c.who(leder)}")
        return leder, False
    return leder, True


def read_tiltak(
    c: Cells,
    sheet: Table | None,
    ledere: list[Leder],
    oppdrag: list[Oppdrag],
    tildeling: dict[str, list[str]],
    bad_gjelder: set[str],
    ledere_ok: bool,
    oppdrag_ok: bool,
) -> list[Tiltak]:
    if sheet is None:
        return []
    by_nr = {leder.ansattnr: leder for leder in ledere}
    known_oppdrag = {o.nr for o in oppdrag}
    result: list[Tiltak] = []
    for row in sheet.rows:
        item = Tiltak(
            ansattnr=c.text(sheet, row, "ansattnr", required=True, as_id=True),
            nr=c.text(sheet, row, "nr", required=True, as_id=True),
            tekst=c.text(sheet, row, "tekst", required=True),
            ekstra=c.ekstra(sheet, row),
            felt=c.fields(sheet, row),
            rad=row.number,
        )
        if not (item.ansattnr and item.nr):
            continue
        check_leader_row(c, sheet, row, item.ansattnr, item.nr, by_nr, known_oppdrag, tildeling, bad_gjelder,
                         ledere_ok, oppdrag_ok)
        result.append(item)
    return result
