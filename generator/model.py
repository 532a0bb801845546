"""The workbook's content as plain dataclasses, after reading and validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DEFAULT_SKJERMINGSHJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
DEFAULT_TILGANGSKODE = "P"


@dataclass
class Problem:
    """One error or warning, with its place in the workbook (`Ledere!G9`, `Tiltak rad 4`)."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


@dataclass
class Periode:
    fra: date
    til: date

    @property
    def ar(self) -> int:
        return self.fra.year


@dataclass
class Kommune:
    navn: str
    periode: Periode
    adresse: str = ""
    telefon: str = ""
    epost: str = ""
    nettside: str = ""
    logo: Path | None = None  # absolute path, checked to exist and be PNG/JPEG
    sted: str = ""
    avsender: str = ""
    arkivsak: str = ""
    skjermingshjemmel: str = DEFAULT_SKJERMINGSHJEMMEL
    malform: str = "bokmål"  # "bokmål" or "nynorsk"
    tilgangskode: str = DEFAULT_TILGANGSKODE


@dataclass
class Leder:
    ansattnr: str
    navn: str
    stilling: str
    enhet: str
    niva: str = ""
    epost: str = ""
    overordnet: str = ""  # the superior's Ansattnr; empty only at the top
    avtale: bool = True  # False: party only (e.g. the ordfører)
    mal: str = ""  # agreement template file name overriding the default
    signert: date | None = None
    ekstra: dict[str, str] = field(default_factory=dict)  # unknown columns, by header as written
    rad: int = 0  # row in sheet Ledere, for messages


@dataclass
class Oppdrag:
    nr: str
    omrade: str
    tekst: str
    mal: str = ""
    malemetode: str = ""
    utgangspunkt: str = ""
    frist: date | None = None
    gjelder: str = ""
    rad: int = 0


@dataclass
class Tiltak:
    ansattnr: str
    nr: str
    tekst: str
    rad: int = 0


@dataclass
class Utviklingsmal:
    """A personal development goal: exempt from public access, only ever in the appendix."""

    ansattnr: str
    mal: str
    tiltak: str = ""
    oppfolging: str = ""
    rad: int = 0


@dataclass
class Arbeidsbok:
    path: Path
    kommune: Kommune
    ledere: list[Leder]  # workbook order
    oppdrag: list[Oppdrag]  # workbook order
    tiltak: list[Tiltak]
    utviklingsmal: list[Utviklingsmal]
    # Ansattnr -> Nr of every assignment that applies to that leader, in workbook order.
    tildeling: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Indexed once: the model is not changed after validation, and looking a leader's
        # rows up by scanning would make a run cost leaders × rows.
        self._by_nr = {leder.ansattnr: leder for leder in self.ledere}
        self._oppdrag_by_nr = {o.nr: o for o in self.oppdrag}
        self._tiltak: dict[tuple[str, str], list[Tiltak]] = {}
        for item in self.tiltak:
            self._tiltak.setdefault((item.ansattnr, item.nr), []).append(item)
        self._goals: dict[str, list[Utviklingsmal]] = {}
        for goal in self.utviklingsmal:
            self._goals.setdefault(goal.ansattnr, []).append(goal)

    def leder(self, ansattnr: str) -> Leder:
        return self._by_nr[ansattnr]

    def overordnet(self, leder: Leder) -> Leder | None:
        return self._by_nr.get(leder.overordnet) if leder.overordnet else None

    def avtaleledere(self) -> list[Leder]:
        """The leaders who get an agreement (Avtale=ja)."""
        return [leder for leder in self.ledere if leder.avtale]

    def oppdrag_for(self, leder: Leder) -> list[Oppdrag]:
        return [self._oppdrag_by_nr[nr] for nr in self.tildeling.get(leder.ansattnr, [])]

    def tiltak_for(self, leder: Leder, nr: str) -> list[str]:
        """The texts of the leader's own measures for one assignment, in workbook order."""
        return [item.tekst for item in self._tiltak.get((leder.ansattnr, nr), [])]

    def utviklingsmal_for(self, leder: Leder) -> list[Utviklingsmal]:
        return self._goals.get(leder.ansattnr, [])
