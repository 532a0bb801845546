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

    def leder(self, ansattnr: str) -> Leder:
        return self._ledere_by_nr()[ansattnr]

    def overordnet(self, leder: Leder) -> Leder | None:
        return self._ledere_by_nr().get(leder.overordnet) if leder.overordnet else None

    def avtaleledere(self) -> list[Leder]:
        """The leaders who get an agreement (Avtale=ja)."""
        return [leder for leder in self.ledere if leder.avtale]

    def oppdrag_for(self, leder: Leder) -> list[Oppdrag]:
        by_nr = {o.nr: o for o in self.oppdrag}
        return [by_nr[nr] for nr in self.tildeling.get(leder.ansattnr, [])]

    def tiltak_for(self, leder: Leder, nr: str) -> list[str]:
        return [t.tekst for t in self.tiltak if t.ansattnr == leder.ansattnr and t.nr == nr]

    def utviklingsmal_for(self, leder: Leder) -> list[Utviklingsmal]:
        return [u for u in self.utviklingsmal if u.ansattnr == leder.ansattnr]

    def _ledere_by_nr(self) -> dict[str, Leder]:
        # Built once: the model is not changed after validation.
        if not hasattr(self, "_by_nr"):
            self._by_nr = {leder.ansattnr: leder for leder in self.ledere}
        return self._by_nr
