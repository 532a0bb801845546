"""The workbook's layout, defined once: sheets, columns and Kommune fields.

The reader, the validator, the writer of new workbooks (`init`, `nytt-ar`, the example), the
template context and the field catalogue all use this table, so a new column is one line here,
also one that templates print (see `Column.template`). Headers are matched by their aliases after
`norm`; `header` is what a new workbook shows and what messages name. `status.xlsx` is defined here
too (STATUS), and read with the same cell access.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import (
    DEFAULT_DOKUMENTTYPE,
    DEFAULT_FORMATKODE,
    DEFAULT_SKJERMINGSHJEMMEL,
    DEFAULT_TILGANGSKODE,
    PLASSERING_PERSONALMAPPE,
    PLASSERING_SAK,
)
from .values import norm


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the canonical header: written into new workbooks, named in messages
    aliases: tuple[str, ...]  # normalised headers the reader accepts (the header's own included)
    help: str  # Norwegian: shown in Veiledning and as a note on the header cell
    required: bool = False
    width: int = 12
    date: bool = False
    wrap: bool = False
    choices: tuple[str, ...] = ()  # the only values allowed: a drop-down that refuses others
    # The usual values of a free-text column: a drop-down that warns, but accepts others.
    suggestions: tuple[str, ...] = ()
    # (sheet, column key) whose values this column refers to: a drop-down of that column.
    lookup: tuple[str, str] | None = None
    # Columns that may stand in for this one when it is absent (Fornavn + Etternavn for Navn).
    instead: tuple[str, ...] = ()
    # False: accepted when reading, but not written into a new workbook.
    written: bool = True
    # Non-empty: the column is a template field, and this is its line in the field catalogue
    # (`lederavtale maler`). Ledere: `leder.<key>` and `overordnet.<key>`, with $label («lederen»,
    # «overordnet leder») and $who («leder», «overordnet») filled in; Oppdrag: `o.<key>`; Tiltak:
    # `t.<key>`. Read as text, or as a date with date=True, into the row's `felt`, unless modelled.
    template: str = ""
    # True: the sheet's reader reads the column by rules of its own (Ansattnr as an id, Fornavn from
    # Navn …) into the model's attribute named `key`, and templates see that attribute.
    modelled: bool = False
    # status.xlsx: a column the leaders fill in (unlocked); the others are the key (grey, locked).
    input: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    help: str
    columns: tuple[Column, ...]
    # Normalised names the sheet is also found under (a keyboard or an export may lose å).
    aliases: tuple[str, ...] = ()
    # True: a workbook without this sheet is fine (the templates' own text stands).
    optional: bool = False

    def written_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.written)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Field:
    """One row of sheet Kommune."""

    key: str
    name: str  # as written in column Felt of a new workbook
    help: str
    aliases: tuple[str, ...] = ()  # normalised names the reader also accepts
    required: bool = False
    date: bool = False
    choices: tuple[str, ...] = ()


ANSATTNR_ALIASES = ("ansattnr", "ansattnummer", "ansatt nr", "ansattnr.")
NIVAER = ("ordfører", "kommunedirektør", "kommunalsjef", "virksomhetsleder", "avdelingsleder")
# Sheet names are written out here because the sheets below are defined after the columns.
LEDERE_ANSATTNR = ("Ledere", "ansattnr")
OPPDRAG_NR = ("Oppdrag", "nr")

KOMMUNE_FIELDS: tuple[Field, ...] = (
    Field("navn", "Kommunenavn", "Kommunens navn slik det skal stå i avtalen, f.eks. «Eksempel kommune».",
          ("kommunenavn", "kommune"), required=True),
    Field("periode", "Periode", "Året avtalen gjelder for, f.eks. 2027 (1. januar – 31. desember). "
          "La stå tomt og fyll ut Fra og Til for en annen periode.", ("periode", "år"), required=True),
    Field("fra", "Fra", "Periodens første dag (dd.mm.åååå). Brukes bare når Periode er tom.", ("fra",), date=True),
    Field("til", "Til", "Periodens siste dag (dd.mm.åååå). Brukes bare når Periode er tom.", ("til",), date=True),
    Field("adresse", "Adresse", "Postadresse i bunnteksten.", ("adresse",)),
    Field("telefon", "Telefon", "Sentralbordets telefonnummer i bunnteksten.", ("telefon",)),
    Field("epost", "E-post", "Kommunens postmottak i bunnteksten.", ("e-post", "epost")),
    Field("nettside", "Nettside", "Kommunens nettside i bunnteksten.", ("nettside",)),
    Field("logo", "Logo", "Bildefil (PNG eller JPEG) med kommunevåpen, sti relativ til mappen arbeidsboken "
          "ligger i, f.eks. logo.png. Tom: ingen logo.", ("logo",)),
    Field("sted", "Sted", "Stedet som skrives over underskriftene («Sted og dato»).", ("sted",)),
    Field("avsender", "Avsender", "Avsenderadresse (Fra) i e-postutkastene, f.eks. HR-avdelingens adresse.",
          ("avsender",)),
    Field("arkivsak", "Arkivsak", "Saksnummer i sak/arkiv-systemet, f.eks. 2027/123.", ("arkivsak",)),
    Field("skjermingshjemmel", "Skjermingshjemmel", "Lovhjemmel for å unnta vedlegget med utviklingsmål fra "
          f"offentlighet. Tom: «{DEFAULT_SKJERMINGSHJEMMEL}».", ("skjermingshjemmel",)),
    Field("malform", "Målform", "bokmål (standard) eller nynorsk: velger standardmalene.", ("målform", "malform"),
          choices=("bokmål", "nynorsk")),
    Field("tilgangskode", "Tilgangskode", "Tilgangskode for vedlegget i sak/arkiv-systemet. "
          f"Tom: {DEFAULT_TILGANGSKODE} (personalsaker).", ("tilgangskode",)),
    Field("skjerm_navn", "Skjerm navn", "ja eller nei (standard nei). ja: lederens navn, stilling og enhet "
          "skjules i de offentlige titlene i arkivet, og partene skjermes – for kommuner som arkiverer "
          "lederavtalene i skjermede personalmapper. Selve avtalen er offentlig uansett.",
          ("skjerm navn", "skjerm navnet", "skjerming av navn"), choices=("ja", "nei")),
    Field("arkivdel", "Arkivdel", "Arkivdelen i sak/arkiv-systemet som personalmappene ligger i (Fiks Arkiv, "
          "med Plassering personalmappe), f.eks. PERSONAL. Alene er den ikke nok: en journalpost ligger "
          "alltid i en saksmappe.", ("arkivdel",)),
    Field("organisasjonsnummer", "Organisasjonsnummer", "Kommunens organisasjonsnummer (9 siffer), "
          "f.eks. 974 760 673. Brukes som arkivskaper i arkivmetadataene.",
          ("organisasjonsnummer", "org.nr.", "orgnr", "org.nr", "organisasjonsnr")),
    Field("saksbehandler", "Saksbehandler", "HRs bruker i sak/arkiv-systemet (e-postadresse eller initialer, slik "
          "arkivet kjenner brukeren): saksbehandler og behandlingsansvarlig for hver journalpost. Kreves av arkiv.",
          ("saksbehandler",)),
    Field("administrativ_enhet", "Administrativ enhet", "HRs enhet i sak/arkiv-systemet, f.eks. HR-avdelingen.",
          ("administrativ enhet", "adm. enhet", "adm enhet")),
    Field("plassering", "Plassering", "Hvor avtalene arkiveres: sak (standard: alle i saken i Arkivsak) eller "
          "personalmappe (én saksmappe per leder, med Klassifikasjonssystem og Klasse).", ("plassering",),
          choices=(PLASSERING_SAK, PLASSERING_PERSONALMAPPE)),
    Field("klassifikasjonssystem", "Klassifikasjonssystem", "For personalmappe: klassifikasjonssystemet "
          "personalmappene ordnes etter i arkivet, f.eks. Ansattnummer.", ("klassifikasjonssystem",)),
    Field("klasse", "Klasse", "For personalmappe: klassen (klasseID) for lederens mappe. Skriv Ansattnr for "
          "hver leders eget ansattnummer.", ("klasse", "klasseid")),
    # The archive's own codes (archive/kodelister.py): KS' example lists are only examples, and
    # `arkiv --kodelister` checks these against the lists the archive itself answers with.
    Field("dokumenttype_avtale", "Dokumenttype avtale", "Arkivets kode for dokumenttypen til lederavtalen "
          f"(kodelisten dokumenttype). Tom: {DEFAULT_DOKUMENTTYPE['avtale']}.", ("dokumenttype avtale",)),
    Field("dokumenttype_vedlegg", "Dokumenttype vedlegg", "Arkivets kode for dokumenttypen til vedlegget med "
          f"utviklingsmål (kodelisten dokumenttype). Tom: {DEFAULT_DOKUMENTTYPE['vedlegg']}.",
          ("dokumenttype vedlegg",)),
    Field("formatkode", "Formatkode", "Arkivets kode for filformatet PDF/A-2b (kodelisten format). "
          f"Tom: {DEFAULT_FORMATKODE} (PRONOM-koden).", ("formatkode", "format")),
    Field("navn_i_statusrapport", "Navn i statusrapport", "ja eller nei (standard nei). ja: statusrapporten, "
          "som er offentlig, navngir lederen ved hvert avvik og resultat. nei: bare enheten.",
          ("navn i statusrapport", "navn i statusrapporten"), choices=("ja", "nei")),
    Field("opposisjonsleder", "Opposisjonsleder", "Navnet på opposisjonslederen, når kommunestyret har bestemt at "
          "opposisjonslederen deltar i evalueringen av kommunedirektøren. Tom: ordføreren evaluerer alene.",
          ("opposisjonsleder", "opposisjonsleiar")),
)

KOMMUNE = Sheet("Kommune", "Opplysninger om kommunen og perioden. Én rad per felt: skriv verdien i kolonne Verdi.", (
    Column("felt", "Felt", ("felt",), "Feltets navn. Ikke endre denne kolonnen.", required=True, width=20),
    Column("verdi", "Verdi", ("verdi",), "Verdien for feltet.", required=True, width=45),
    Column("forklaring", "Forklaring", ("forklaring",), "Forklaring til feltet. Leses ikke av programmet.",
           width=90, wrap=True),
))

LEDERE = Sheet("Ledere", "Én rad per person: alle ledere som skal ha avtale, og deres overordnede "
               "(også ordføreren, som er part i kommunedirektørens avtale).", (
    Column("ansattnr", "Ansattnr", ANSATTNR_ALIASES, "Unikt ansattnummer.", required=True, width=11,
           template="${label}s ansattnummer", modelled=True),
    Column("navn", "Navn", ("navn", "fullt navn"), "Fullt navn. Alternativt to kolonner Fornavn og Etternavn. "
           "Hilsener i malene bruker kolonnen Fornavn når den finnes, ellers første ord i Navn.",
           required=True, width=26, instead=("fornavn", "etternavn"), template="${label}s fulle navn",
           modelled=True),
    Column("fornavn", "Fornavn", ("fornavn",), "Fornavn, når Navn ikke er brukt.", written=False,
           template="${label}s fornavn (kolonnen Fornavn, ellers første ord i Navn), f.eks. til en hilsen",
           modelled=True),
    Column("etternavn", "Etternavn", ("etternavn",), "Etternavn, når Navn ikke er brukt.", written=False),
    Column("stilling", "Stilling", ("stilling", "stillingstittel", "tittel"), "Stillingstittel.", required=True,
           width=38, template="${label}s stilling (midt i en setning: {{ $who.stilling|liten }})", modelled=True),
    Column("enhet", "Enhet", ("enhet",), "Enheten (virksomheten, avdelingen) lederen leder.", required=True, width=32,
           template="${label}s enhet", modelled=True),
    Column("niva", "Nivå", ("nivå", "niva", "nivaa"), "Ledernivå, fritekst: ordfører, kommunedirektør, kommunalsjef, "
           "virksomhetsleder, avdelingsleder … Brukes i velgeren nivå:.", width=18, suggestions=NIVAER,
           template="${label}s nivå (kommunedirektør, kommunalsjef, virksomhetsleder …)", modelled=True),
    Column("epost", "E-post", ("e-post", "epost", "e-postadresse", "epostadresse", "e-mail", "email"),
           "Lederens e-postadresse. Uten adresse får lederen ikke e-postutkast (advarsel).", width=36,
           template="${label}s e-postadresse", modelled=True),
    Column("overordnet", "Overordnet", ("overordnet", "leder", "overordnet leder", "overordnede"),
           "Ansattnummeret til lederens overordnede, som er den andre parten i avtalen. "
           "Tom bare for den øverste (ordføreren).", width=12, lookup=LEDERE_ANSATTNR),
    Column("avtale", "Avtale", ("avtale",), "ja (standard) eller nei. nei = bare part i en annen leders avtale, "
           "f.eks. ordføreren.", width=9, choices=("ja", "nei")),
    Column("mal", "Mal", ("mal", "malfil"), "Valgfritt: filnavn på en egen avtalemal i malmappen, f.eks. "
           "lederavtale_rektor.docx. Tom: standardmalen lederavtale.docx.", width=22),
    Column("signert", "Signert", ("signert", "signert dato", "signeringsdato"), "Datoen avtalen ble signert "
           "(dd.mm.åååå). Brukes av kommandoen arkiv. Tom: ikke signert ennå.", width=12, date=True),
    Column("oppfolging", "Oppfølging", ("oppfølging", "oppfolging", "oppfølgning", "oppfølgingssamtaler",
                                        "oppfolgingssamtaler", "oppfølgingssamtale", "oppfolgingssamtale"),
           "Valgfritt: oppfølgingssamtalene som er avtalt, som datoer eller tekst, f.eks. «Medarbeidersamtale i "
           "juni, evalueringssamtale i november». Skrives i avtalen.", width=36, wrap=True,
           template="oppfølgingssamtalene som er avtalt med $label (arket Ledere, Oppfølging)", modelled=True),
))

OPPDRAG = Sheet("Oppdrag", "Oppdragene fra styringsbrevet. Kolonnen Gjelder bestemmer hvilke ledere "
                "som får oppdraget i sin avtale.", (
    Column("nr", "Nr", ("nr", "nr.", "nummer"), "Oppdragets nummer, unikt.", required=True, width=7,
           template="oppdragets nummer (arket Oppdrag, Nr)", modelled=True),
    Column("omrade", "Område", ("område", "omrade", "omraade"), "Område, f.eks. Økonomi, Sykefravær, HMS, "
           "Digitalisering.", required=True, width=18, template="oppdragets område", modelled=True),
    Column("tekst", "Oppdrag", ("oppdrag",), "Oppdragsteksten. Linjeskift i cellen (Alt+Enter) blir linjeskift "
           "i avtalen.", required=True, width=60, wrap=True, template="selve oppdraget", modelled=True),
    Column("mal", "Mål", ("mål", "mal", "maal"), "Mål eller ambisjon, f.eks. «Sykefravær under 6,7 %».",
           width=32, wrap=True, template="målet for oppdraget", modelled=True),
    Column("malemetode", "Målemetode", ("målemetode", "malemetode", "maalemetode"), "Hvordan målet måles.",
           width=30, wrap=True, template="hvordan målet måles", modelled=True),
    Column("utgangspunkt", "Utgangspunkt", ("utgangspunkt", "resultat før start"), "Resultat før start "
           "(utgangspunkt).", width=26, wrap=True, template="utgangspunktet (resultat før start)", modelled=True),
    Column("frist", "Frist", ("frist",), "Frist (dd.mm.åååå).", width=12, date=True,
           template="fristen (dato; skriv {{ o.frist|dato }}, tom hvis ingen frist)", modelled=True),
    Column("gjelder", "Gjelder", ("gjelder",), "Hvem som får oppdraget: én eller flere velgere skilt med komma "
           "eller semikolon (se «Velgere» nedenfor).", required=True, width=40, wrap=True),
))

TILTAK = Sheet("Tiltak", "Lederens egne tiltak for å nå et oppdrag. Skrives under oppdraget i lederens "
               "avtale, som er offentlig.", (
    Column("ansattnr", "Ansattnr", ANSATTNR_ALIASES, "Lederens ansattnummer.", required=True, width=11,
           lookup=LEDERE_ANSATTNR),
    Column("nr", "Nr", ("nr", "nr.", "oppdrag", "oppdragsnr"), "Nummeret på oppdraget tiltaket hører til. "
           "Oppdraget må gjelde lederen.", required=True, width=7, lookup=OPPDRAG_NR),
    Column("tekst", "Tiltak", ("tiltak",), "Tiltaket. Én rad per tiltak.", required=True, width=80, wrap=True,
           template="tiltakets tekst (det samme som {{ t }})", modelled=True),
))

UTVIKLINGSMAL = Sheet("Utviklingsmål", "Lederens personlige utviklingsmål. Kommer BARE i vedlegget, som er "
                      "unntatt offentlighet, aldri i selve avtalen.", (
    Column("ansattnr", "Ansattnr", ANSATTNR_ALIASES, "Lederens ansattnummer.", required=True, width=11,
           lookup=LEDERE_ANSATTNR),
    Column("mal", "Mål", ("mål", "mal", "maal", "utviklingsmål"), "Utviklingsmålet.", required=True, width=50,
           wrap=True),
    Column("tiltak", "Tiltak", ("tiltak",), "Hva lederen gjør for å nå målet.", width=45, wrap=True),
    Column("oppfolging", "Oppfølging", ("oppfølging", "oppfolging", "oppfølgning"), "Hvordan og når målet "
           "følges opp.", width=30, wrap=True),
), aliases=("utviklingsmal", "utviklingsmaal"))

LEDERPRINSIPPER = Sheet("Lederprinsipper", "Valgfritt: kommunens lederprinsipper, én rad per prinsipp. De skrives "
                        "i hver lederavtale som et eget avsnitt. Uten dette arket, eller med arket tomt, står malens "
                        "egen tekst.", (
    Column("prinsipp", "Prinsipp", ("prinsipp", "lederprinsipp"), "Prinsippet, kort, f.eks. «Vi er tydelige».",
           required=True, width=30, wrap=True),
    Column("beskrivelse", "Beskrivelse", ("beskrivelse", "forklaring"), "Hva prinsippet betyr i praksis.",
           width=80, wrap=True),
), aliases=("lederprinsipp", "ledelsesprinsipper"), optional=True)

SHEETS: tuple[Sheet, ...] = (KOMMUNE, LEDERE, OPPDRAG, TILTAK, UTVIKLINGSMAL, LEDERPRINSIPPER)

# status.xlsx, written by `oppfolging` and read back by `status` and `nytt-ar`; not a sheet of the
# workbook HR fills in. The rows are known by Ansattnr and Nr; the leaders fill in the input columns.
STATUS = Sheet("Status", "Én rad per leder og oppdrag: lederen fyller ut Status, Resultat og Kommentar.", (
    Column("ansattnr", "Ansattnr", ANSATTNR_ALIASES, "Lederens ansattnummer.", required=True, width=11),
    Column("navn", "Navn", ("navn",), "Lederens navn.", width=26),
    Column("enhet", "Enhet", ("enhet",), "Lederens enhet.", width=28),
    Column("nr", "Nr", ("nr", "nr.", "oppdragsnr"), "Oppdragets nummer.", required=True, width=7),
    Column("omrade", "Område", ("område", "omrade", "omraade"), "Oppdragets område.", width=16),
    Column("oppdrag", "Oppdrag", ("oppdrag",), "Oppdragsteksten.", width=50, wrap=True),
    Column("mal", "Mål", ("mål", "mal", "maal"), "Målet for oppdraget.", width=30, wrap=True),
    Column("frist", "Frist", ("frist",), "Fristen.", width=12, date=True),
    Column("status", "Status", ("status",), "Hvordan oppdraget står.", required=True, width=14, input=True),
    Column("resultat", "Resultat", ("resultat",), "Hva som er oppnådd.", width=36, wrap=True, input=True),
    Column("kommentar", "Kommentar", ("kommentar",), "Forklaring, særlig når oppdraget er forsinket.", width=40,
           wrap=True, input=True),
))

MALFORMER = {
    "bokmål": "bokmål",
    "bokmal": "bokmål",
    "bokmaal": "bokmål",
    "nb": "bokmål",
    "bm": "bokmål",
    "nynorsk": "nynorsk",
    "nn": "nynorsk",
}

_SHEET_BY_NAME = {alias: sheet for sheet in SHEETS for alias in (norm(sheet.name), *sheet.aliases)}
_FIELD_BY_NAME = {alias: f for f in KOMMUNE_FIELDS for alias in f.aliases}


def sheet_named(title: str) -> Sheet | None:
    """The sheet a tab's title means, whatever its case and spacing."""
    return _SHEET_BY_NAME.get(norm(title))


def kommune_field(felt: str) -> Field | None:
    """The Kommune field a Felt cell names."""
    return _FIELD_BY_NAME.get(norm(felt))


def sheet_by_name(name: str) -> Sheet:
    """The sheet with this canonical name."""
    return next(sheet for sheet in SHEETS if sheet.name == name)
