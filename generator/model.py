"""The workbook's content as plain dataclasses, after reading and validation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

DEFAULT_SKJERMINGSHJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
DEFAULT_TILGANGSKODE = "P"
# KS' example codes (archive/schemas/fiks-arkiv/kodelister/), used until HR sets the archive's own.
DEFAULT_DOKUMENTTYPE = {"avtale": "AVTALE", "vedlegg": "VEDLEGG"}
DEFAULT_FORMATKODE = "fmt/477"  # PRONOM's id of PDF/A-2b
PLASSERING_SAK = "sak"  # every journalpost in the sak named by Arkivsak
PLASSERING_PERSONALMAPPE = "personalmappe"  # one saksmappe per leader
KLASSE_ANSATTNR = "ansattnr"


def fold_key(key) -> str:
    """A column header as an `ekstra` key is compared: trimmed, single spaces, any case."""
    return " ".join(str(key).split()).casefold()


class Ekstra(dict):
    """A row's extra columns, by header as written; looked up as headers are matched.

    HR writes `leder.ekstra["telefon"]` for a column headed «Telefon »: the sheet's headers
    are case- and space-insensitive, so its keys are too. A key that is not there is still
    missing (KeyError), so that a template naming a column the workbook lacks is an error.
    """

    def _key(self, key):
        if dict.__contains__(self, key):
            return key
        folded = fold_key(key)
        return next((k for k in self if fold_key(k) == folded), key)

    def __getitem__(self, key):
        return dict.__getitem__(self, self._key(key))

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, self._key(key))

    def get(self, key, default=None):
        return dict.get(self, self._key(key), default)


@dataclass
class Problem:
    """One error or warning, with its place in the workbook (`Ledere!G9`, `Tiltak rad 4`)."""

    place: str
    message: str
    ansattnr: str = ""  # the leader a warning is about, so that it reaches that leader's report row

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


@dataclass
class Periode:
    fra: date
    til: date

    @property
    def ar(self) -> int:
        return self.fra.year


def default_frist(periode: Periode) -> date:
    """The signing deadline when Kommune's Frist is empty: 31 March of the period's year, by when
    the January conversations are long done and the agreements should be signed."""
    return date(periode.ar, 3, 31)


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
    # True: public titles in the archive mask the leader and the parties are screened, for
    # municipalities that file agreements in screened personnel folders.
    skjerm_navn: bool = False
    # True: the public status report names the leader at each deviation and result; else the unit alone.
    navn_i_statusrapport: bool = False
    opposisjonsleder: str = ""  # who takes part in the kommunedirektør's evaluation beside the ordfører
    arkivdel: str = ""  # where a registrering goes in the archive when Arkivsak is empty (Fiks Arkiv)
    organisasjonsnummer: str = ""  # nine digits, no spaces: the arkivskaper in archive metadata
    # The archive's own codes (archive/kodelister.py); empty: the built-in default.
    dokumenttype_avtale: str = ""
    dokumenttype_vedlegg: str = ""
    formatkode: str = ""  # the archive's code for PDF/A-2b (PRONOM fmt/477 unless its list says otherwise)
    # HR in the records system: the user (e-mail or initials) and the unit that are saksbehandler
    # and behandlingsansvarlig of every journalpost.
    saksbehandler: str = ""
    administrativ_enhet: str = ""
    plassering: str = PLASSERING_SAK  # or PLASSERING_PERSONALMAPPE
    # The klassifikasjon of each leader's personalmappe; klasse KLASSE_ANSATTNR means each leader's own.
    klassifikasjonssystem: str = ""
    klasse: str = ""
    # The date the agreements are to be signed by; None here becomes default_frist, so it is always set.
    frist: date | None = None
    kontaktperson: str = ""  # HR's named contact for the agreements, as the documents print it
    # Where the kommunedirektør's follow-up e-mail goes instead of HR (an e-mail address).
    politisk_sekretariat: str = ""
    # True: the kommunedirektør's exempt appendix is e-mailed to the ordfører's mailbox too; by default
    # not, since a secretary often reads that mailbox.
    vedlegg_til_ordforer: bool = False
    sak_system_id: str = ""  # the sak's systemID in the archive (a UUID), when HR knows it
    # Fields declared in workbook.columns that this class has no attribute for, by key (as Leder.felt).
    felt: dict[str, object] = field(default_factory=dict)
    # Field key -> its Verdi cell (`Kommune!B12`), so that later checks can name the cell.
    celler: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.frist is None:
            self.frist = default_frist(self.periode)

    def celle(self, key: str, name: str) -> str:
        return self.celler.get(key, f"Kommune (feltet {name})")


@dataclass
class Leder:
    ansattnr: str
    navn: str
    stilling: str
    enhet: str
    fornavn: str = ""  # column Fornavn, else the first word of Navn: for greetings
    niva: str = ""
    epost: str = ""
    overordnet: str = ""  # the superior's Ansattnr; empty only at the top
    avtale: bool = True  # False: party only (e.g. the ordfører)
    mal: str = ""  # agreement template file name overriding the default
    signert: date | None = None
    oppfolging: str = ""  # the follow-up conversations agreed (dates or text)
    avdeling: str = ""  # the department inside the unit («skjermet enhet» at Fjordvik sykehjem)
    avtalesamtale: date | None = None  # the January conversation the agreement is made in
    # Secret like the development goals: checked when read, never in a template, a message, a log or a
    # report. repr=False keeps it out of any printed Leder (a traceback, a debug line).
    fodselsnummer: str = field(default="", repr=False)
    ekstra: Ekstra = field(default_factory=Ekstra)  # unknown columns, by header as written
    # The template columns without an attribute here (columns.Column.template), by key.
    felt: dict[str, object] = field(default_factory=dict)
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
    ekstra: Ekstra = field(default_factory=Ekstra)  # unknown columns, by header as written
    felt: dict[str, object] = field(default_factory=dict)  # as Leder.felt
    rad: int = 0


@dataclass
class Tiltak:
    ansattnr: str
    nr: str
    tekst: str
    ekstra: Ekstra = field(default_factory=Ekstra)  # unknown columns, by header as written
    felt: dict[str, object] = field(default_factory=dict)  # as Leder.felt
    rad: int = 0


@dataclass
class Maltall:
    """A leader's own target and baseline for an assignment (optional sheet Måltall): each service its
    own figures. An empty Mål or Utgangspunkt leaves the assignment's own."""

    ansattnr: str
    nr: str
    mal: str = ""
    utgangspunkt: str = ""
    rad: int = 0


@dataclass
class Lederprinsipp:
    """One of the municipality's leadership principles (optional sheet Lederprinsipper)."""

    prinsipp: str
    beskrivelse: str = ""
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
    lederprinsipper: list[Lederprinsipp] = field(default_factory=list)  # workbook order; [] without the sheet
    maltall: list[Maltall] = field(default_factory=list)  # workbook order; [] without the sheet

    def __post_init__(self) -> None:
        # Indexed once: the model is not changed after validation, and looking a leader's
        # rows up by scanning would make a run cost leaders × rows.
        self._by_nr = {leder.ansattnr: leder for leder in self.ledere}
        self._oppdrag_by_nr = {o.nr: o for o in self.oppdrag}
        self._tiltak: dict[tuple[str, str], list[Tiltak]] = {}
        for item in self.tiltak:
            self._tiltak.setdefault((item.ansattnr, item.nr), []).append(item)
        self._maltall = {(m.ansattnr, m.nr): m for m in self.maltall}
        self._goals: dict[str, list[Utviklingsmal]] = {}
        for goal in self.utviklingsmal:
            self._goals.setdefault(goal.ansattnr, []).append(goal)
        self._under: dict[str, list[Leder]] = {}
        for leder in self.ledere:
            if leder.avtale and leder.overordnet:
                self._under.setdefault(leder.overordnet, []).append(leder)

    def leder(self, ansattnr: str) -> Leder:
        return self._by_nr[ansattnr]

    def overordnet(self, leder: Leder) -> Leder | None:
        return self._by_nr.get(leder.overordnet) if leder.overordnet else None

    def er_kommunedirektor(self, leder: Leder) -> bool:
        """The kommunedirektør: the leader whose agreement is with the ordfører (a party with no agreement of
        their own, Nivå ordfører/ordførar). The one rule the templates, the e-mail and the status report follow."""
        superior = self.overordnet(leder)
        return superior is not None and not superior.avtale and \
            superior.niva.strip().casefold() in ("ordfører", "ordførar")

    def underordnede(self, leder: Leder) -> list[Leder]:
        """The leaders who sign their agreement with this leader, in workbook order."""
        return self._under.get(leder.ansattnr, [])

    def avtaleledere(self) -> list[Leder]:
        """The leaders who get an agreement (Avtale=ja)."""
        return [leder for leder in self.ledere if leder.avtale]

    def oppdrag_for(self, leder: Leder) -> list[Oppdrag]:
        """The leader's assignments as they apply to that leader: with the leader's own Mål and
        Utgangspunkt from sheet Måltall. Everything made per leader (the agreement, the follow-up, the
        status workbook, the privacy check) reads them here, so none can show the common figure
        where the leader has an own one."""
        return [self._own(leder, self._oppdrag_by_nr[nr]) for nr in self.tildeling.get(leder.ansattnr, [])]

    def maltall_for(self, leder: Leder, nr: str) -> Maltall | None:
        return self._maltall.get((leder.ansattnr, nr))

    def _own(self, leder: Leder, oppdrag: Oppdrag) -> Oppdrag:
        own = self._maltall.get((leder.ansattnr, oppdrag.nr))
        if own is None:
            return oppdrag
        return replace(oppdrag, mal=own.mal or oppdrag.mal, utgangspunkt=own.utgangspunkt or oppdrag.utgangspunkt)

    def tiltak_for(self, leder: Leder, nr: str) -> list[Tiltak]:
        """The leader's own measures for one assignment, in workbook order."""
        return self._tiltak.get((leder.ansattnr, nr), [])

    def utviklingsmal_for(self, leder: Leder) -> list[Utviklingsmal]:
        return self._goals.get(leder.ansattnr, [])

    def with_tiltak(self, tiltak: dict[tuple[str, str], list[Tiltak]]) -> "Arbeidsbok":
        """A new workbook model whose measures for these (Ansattnr, Nr) are the ones given (the
        agreement's, as a person wrote them in Word); every other measure as it was."""
        kept = [t for t in self.tiltak if (t.ansattnr, t.nr) not in tiltak]
        return replace(self, tiltak=kept + [t for items in tiltak.values() for t in items],
                       warnings=list(self.warnings))
