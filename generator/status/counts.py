"""How the assignments stand: the counts behind every table and chart of the status report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model import Arbeidsbok, Oppdrag
from .workbook import FORSINKET, IKKE_RAPPORTERT, STATUSES, UTGAR, StatusRow

# Every column of counts, in the fixed order of tables, charts and colours.
KOLONNER = (*STATUSES, IKKE_RAPPORTERT)


@dataclass
class Rad:
    """One leader × assignment as reported; status IKKE_RAPPORTERT for a blank or missing row."""

    ansattnr: str
    navn: str
    enhet: str
    nr: str
    oppdrag: str
    kommentar: str
    status: str = IKKE_RAPPORTERT
    resultat: str = ""
    rad: int = 0  # the row in sheet Status, 0 when it has none


Avvik = Rad  # an assignment a leader reported Forsinket


@dataclass
class Telling:
    """Counts per status (KOLONNER) for one assignment or one unit."""

    navn: str  # the unit, or the assignment's text
    ledere: int = 0
    antall: Counter = field(default_factory=Counter)

    def row(self) -> list[int]:
        return [self.antall[k] for k in KOLONNER]


@dataclass
class Status:
    """The whole picture: per assignment (workbook order), per unit, and the deviations."""

    oppdrag: list[tuple[Oppdrag, Telling]]
    enheter: list[Telling]
    avvik: list[Avvik]
    rader: list[Rad] = field(default_factory=list)  # every leader × assignment, in workbook order

    def resultater(self, nr: str) -> list[Rad]:
        """The rows of assignment `nr` with a Resultat written, by unit."""
        return _by_unit(r for r in self.rader if r.nr == nr and r.resultat)

    def utgar(self) -> list[Rad]:
        """The rows reported Utgår, by unit: their Kommentar is the reason."""
        return _by_unit(r for r in self.rader if r.status == UTGAR)

    def avvik_per_enhet(self) -> list[Avvik]:
        return _by_unit(self.avvik)

    def ikke_rapportert(self) -> list[tuple[str, str, list[str]]]:
        """(unit, leader, the Nr not reported) for each leader with a blank Status, by unit and name."""
        missing: dict[tuple[str, str], list[str]] = {}
        for r in self.rader:
            if r.status == IKKE_RAPPORTERT:
                missing.setdefault((r.enhet, r.navn), []).append(r.nr)
        return [(enhet, navn, nrs) for (enhet, navn), nrs in
                sorted(missing.items(), key=lambda item: (item[0][0].casefold(), item[0][1].casefold()))]

    def omrader(self) -> dict[str, list[tuple[Oppdrag, Telling]]]:
        """The assignments by area, areas in the order they first appear."""
        areas: dict[str, list[tuple[Oppdrag, Telling]]] = {}
        for o, t in self.oppdrag:
            areas.setdefault(o.omrade, []).append((o, t))
        return areas

    def totalt(self) -> Counter:
        total: Counter = Counter()
        for _, t in self.oppdrag:
            total.update(t.antall)
        return total


def count(bok: Arbeidsbok, rows: list[StatusRow]) -> Status:
    """Every leader × assignment of the workbook counts once; one without a row in the status workbook,
    or with a blank Status, is Ikke rapportert."""
    reported = {(row.ansattnr, row.nr): row for row in rows}
    per_oppdrag = {o.nr: Telling(o.tekst) for o in bok.oppdrag}
    per_enhet: dict[str, Telling] = {}
    avvik = []
    rader = []
    for leder in bok.avtaleledere():
        assignments = bok.oppdrag_for(leder)
        if assignments:  # a unit's leaders are people, not their rows of assignments
            per_enhet.setdefault(leder.enhet, Telling(leder.enhet)).ledere += 1
        for o in assignments:
            row = reported.get((leder.ansattnr, o.nr))
            status = row.status if row is not None and row.status else IKKE_RAPPORTERT
            per_oppdrag[o.nr].ledere += 1
            for telling in (per_oppdrag[o.nr], per_enhet[leder.enhet]):
                telling.antall[status] += 1
            rad = Rad(leder.ansattnr, leder.navn, leder.enhet, o.nr, o.tekst, row.kommentar if row else "",
                      status, row.resultat if row else "", row.rad if row else 0)
            rader.append(rad)
            if status == FORSINKET:
                avvik.append(rad)
    return Status(
        oppdrag=[(o, per_oppdrag[o.nr]) for o in bok.oppdrag],
        enheter=sorted(per_enhet.values(), key=lambda t: t.navn.casefold()),
        avvik=avvik,
        rader=rader,
    )


def _by_unit(rows) -> list[Rad]:
    # Stable: within a unit, the workbook's order of leaders and assignments.
    return sorted(rows, key=lambda r: r.enhet.casefold())
