"""How the assignments stand: the counts behind every table and chart of the status report.

Every leader × assignment counts once, whatever the size of the leader's unit. Whose a row's results
are (`Hvem`): the kommunedirektør's are the municipality's, a kommunalsjef's the sector's, every other
leader's the unit's (with the leader's department, or title, where a unit has several leaders).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..documents.jinja import liten_filter
from ..model import Arbeidsbok, Leder, Oppdrag
from .workbook import FORSINKET, IKKE_RAPPORTERT, STATUSES, UTGAR, StatusRow

# Every column of counts, in the fixed order of tables, charts and colours.
KOLONNER = (*STATUSES, IKKE_RAPPORTERT)

# Whose results a row holds, in the report's order: the municipality's, a sector's, a unit's.
KOMMUNE, SEKTOR, ENHET = 0, 1, 2


@dataclass(frozen=True)
class Hvem:
    """Whose a leader's results are. `niva` KOMMUNE (the kommunedirektør: the municipality's), SEKTOR (a
    kommunalsjef: the sector's, named by the kommunalsjef's unit) or ENHET; `del_` tells leaders of one
    unit apart (the leader's Avdeling, else the job title), "" for the unit's own leader."""

    niva: int = ENHET
    enhet: str = ""
    del_: str = ""
    orden: tuple = ()  # the report's order: level, then workbook order (sectors) or unit name

    @property
    def key(self) -> tuple:
        return (self.niva, self.enhet, self.del_)


def own_figures(bok: Arbeidsbok, leder: Leder, oppdrag: Oppdrag) -> tuple[str, str]:
    """(Utgangspunkt, Mål) of an assignment as it applies to this leader: the leader's own from sheet
    Måltall where the workbook has them (`Arbeidsbok.maltall_for`), else the assignment's. The one
    place the report reads a leader's own figures."""
    lookup = getattr(bok, "maltall_for", None)
    own = lookup(leder, oppdrag.nr) if lookup is not None else None
    return getattr(own, "utgangspunkt", "") or oppdrag.utgangspunkt, getattr(own, "mal", "") or oppdrag.mal


def whose(bok: Arbeidsbok) -> dict[str, Hvem]:
    """Ansattnr -> whose results each leader with an agreement holds.

    The kommunedirektør is the leader whose agreement is with the ordfører (Arbeidsbok.er_kommunedirektor,
    the rule the templates follow too). The sectors are the kommunedirektør's leaders who lead leaders
    themselves (or are called kommunalsjef); every other leader leads a unit.
    """
    ledere = bok.avtaleledere()
    top = [l for l in ledere if bok.er_kommunedirektor(l)]
    top_leader = top[0] if len(top) == 1 else None
    result: dict[str, Hvem] = {}
    if top_leader is not None:
        result[top_leader.ansattnr] = Hvem(KOMMUNE, top_leader.enhet, orden=(KOMMUNE,))
        for i, leder in enumerate(bok.underordnede(top_leader)):
            if bok.underordnede(leder) or leder.niva.strip().casefold().startswith("kommunalsjef"):
                result[leder.ansattnr] = Hvem(SEKTOR, leder.enhet, orden=(SEKTOR, i))
    units: dict[str, list[Leder]] = {}
    for leder in ledere:
        if leder.ansattnr not in result:
            units.setdefault(leder.enhet, []).append(leder)
    for enhet, members in units.items():
        for leder, del_ in zip(members, _parts(bok, members)):
            result[leder.ansattnr] = Hvem(ENHET, enhet, del_, (ENHET, enhet.casefold(), del_ != "", del_.casefold()))
    return result


def _parts(bok: Arbeidsbok, members: list[Leder]) -> list[str]:
    """What tells the leaders of one unit apart: each one's Avdeling; without it, the job title of all but
    the unit's own leader (the one whose superior is outside the unit); numbered if still alike."""
    avdeling = [str(getattr(leder, "avdeling", "") or "").strip() for leder in members]
    if len(members) == 1:
        return avdeling
    heads = [i for i, leder in enumerate(members) if not avdeling[i] and
             ((s := bok.overordnet(leder)) is None or s.enhet != leder.enhet)]
    parts = []
    for i, leder in enumerate(members):
        if avdeling[i] or (len(heads) == 1 and i == heads[0]):
            parts.append(avdeling[i])
        else:
            parts.append(liten_filter(leder.stilling.strip() or leder.niva.strip()))
    seen = Counter(parts)
    numbered: Counter = Counter()
    for i, part in enumerate(parts):
        if seen[part] > 1:
            numbered[part] += 1
            parts[i] = f"{part} ({numbered[part]})".strip()
    return parts


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
    hvem: Hvem = field(default_factory=Hvem)  # whose results these are
    utgangspunkt: str = ""  # the leader's own (own_figures)
    mal: str = ""
    orden: int = 0  # the leader's place in sheet Ledere


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

    def by_whose(self, rows) -> list[Rad]:
        """`rows` in the report's order: the municipality's, the sectors', then the units' by name (the
        unit's own leader before its departments); within one leader, the workbook's order."""
        return sorted(rows, key=lambda r: (r.hvem.orden, r.orden))

    def niva(self, niva: int) -> list[list[Rad]]:
        """Each leader's rows at one level (KOMMUNE, SEKTOR or ENHET), leaders in the report's order."""
        leaders: dict[str, list[Rad]] = {}
        for r in self.by_whose(r for r in self.rader if r.hvem.niva == niva):
            leaders.setdefault(r.ansattnr, []).append(r)
        return list(leaders.values())

    def per_hvem(self) -> list[tuple[Hvem, Telling]]:
        """Counts for the municipality, each sector and each unit (its leaders together: a unit is one
        line however many leaders it has), in the report's order."""
        groups: dict[tuple, tuple[Hvem, Telling, set]] = {}
        for r in self.by_whose(self.rader):
            hvem = r.hvem if r.hvem.niva != ENHET else Hvem(ENHET, r.hvem.enhet, orden=(ENHET, r.hvem.enhet.casefold()))
            hvem, telling, people = groups.setdefault(hvem.key, (hvem, Telling(hvem.enhet), set()))
            people.add(r.ansattnr)
            telling.ledere = len(people)
            telling.antall[r.status] += 1
        return [(hvem, telling) for hvem, telling, _ in groups.values()]

    def ikke_rapportert_per_leder(self) -> list[list[Rad]]:
        """Each leader's rows with a blank Status, leaders in the report's order."""
        leaders: dict[str, list[Rad]] = {}
        for r in self.by_whose(r for r in self.rader if r.status == IKKE_RAPPORTERT):
            leaders.setdefault(r.ansattnr, []).append(r)
        return list(leaders.values())


def count(bok: Arbeidsbok, rows: list[StatusRow]) -> Status:
    """Every leader × assignment of the workbook counts once; one without a row in the status workbook,
    or with a blank Status, is Ikke rapportert."""
    reported = {(row.ansattnr, row.nr): row for row in rows}
    per_oppdrag = {o.nr: Telling(o.tekst) for o in bok.oppdrag}
    per_enhet: dict[str, Telling] = {}
    avvik = []
    rader = []
    hvem = whose(bok)
    for orden, leder in enumerate(bok.avtaleledere()):
        assignments = bok.oppdrag_for(leder)
        if assignments:  # a unit's leaders are people, not their rows of assignments
            per_enhet.setdefault(leder.enhet, Telling(leder.enhet)).ledere += 1
        for o in assignments:
            row = reported.get((leder.ansattnr, o.nr))
            status = row.status if row is not None and row.status else IKKE_RAPPORTERT
            per_oppdrag[o.nr].ledere += 1
            for telling in (per_oppdrag[o.nr], per_enhet[leder.enhet]):
                telling.antall[status] += 1
            utgangspunkt, mal = own_figures(bok, leder, o)
            rad = Rad(leder.ansattnr, leder.navn, leder.enhet, o.nr, o.tekst, row.kommentar if row else "",
                      status, row.resultat if row else "", row.rad if row else 0, hvem[leder.ansattnr],
                      utgangspunkt, mal, orden)
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
