"""The workbook's layout, defined once: sheets, columns and Kommune fields.

The reader, the validator, the writer of new workbooks (`init`, `nytt-ar`, the example), the
template context and the field catalogue all use this table, so a new column is one line here,
also one that templates print (see `Column.template`). Headers are matched by their aliases after
`norm`; `header` is what a new workbook shows and what messages name. `status.xlsx` is defined here
too (STATUS), and read with the same cell access.

A Kommune field is one line too (`KOMMUNE_FIELDS`, as mkdocs declares its settings in
`config/defaults.py`): its Felt, its type (how Verdi is read, `fieldtypes.py`), its help for Veiledning,
and its line in the field catalogue when templates may use it. The reader (`kommune.py`), the template
context, the writer of new workbooks and `lederavtale maler` all take the fields from here.
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
from .fieldtypes import (
    Date,
    Email,
    FieldType,
    OneOf,
    Organisasjonsnummer,
    Picture,
    SystemId,
    Text,
    Year,
    YesNo,
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
    # True: the cells are text in a new workbook, so that Excel keeps a leading zero (Fødselsnummer).
    as_text: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    help: str
    columns: tuple[Column, ...]
    # Normalised names the sheet is also found under (a keyboard or an export may lose å).
    aliases: tuple[str, ...] = ()
    # True: a workbook without this sheet is fine (the templates' own text stands).
    optional: bool = False
    # Sheet Kommune: its rows, one per field (KOMMUNE_FIELDS); the columns are Felt, Verdi and Forklaring.
    fields: tuple["Field", ...] = ()

    def written_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.written)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Field:
    """One row of sheet Kommune, declared once.

    The value is read by `type` into `Kommune.<key>`, or into `Kommune.felt[key]` when the model has
    no attribute of that name (a field added for the templates alone). With `template`, templates
    see it as `kommune.<key>` (the model's name, so there is one name to learn), and the line is its
    meaning in the field catalogue.
    """

    key: str
    name: str  # Felt as a new workbook writes it and messages name it; the reader accepts it in any case
    help: str  # Norwegian: Veiledning and column Forklaring of a new workbook
    type: FieldType = Text()
    aliases: tuple[str, ...] = ()  # other normalised names the reader accepts
    required: bool = False
    template: str = ""
    # True: read by a rule of kommune.py that needs other fields too (the period from Periode, Fra and
    # Til), through `type` all the same; not stored under its own key.
    own_rule: bool = False
    # True: belongs to one period; a next year's workbook (`nytt-ar`) leaves it empty.
    yearly: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (norm(self.name), *self.aliases)

    @property
    def choices(self) -> tuple[str, ...]:
        return self.type.choices

    @property
    def date(self) -> bool:
        return self.type.is_date


MALFORMER = {
    "bokmål": "bokmål",
    "bokmal": "bokmål",
    "bokmaal": "bokmål",
    "nb": "bokmål",
    "bm": "bokmål",
    "nynorsk": "nynorsk",
    "nn": "nynorsk",
}

ANSATTNR_ALIASES = ("ansattnr", "ansattnummer", "ansatt nr", "ansattnr.")
NIVAER = ("ordfører", "kommunedirektør", "kommunalsjef", "virksomhetsleder", "avdelingsleder")
# Sheet names are written out here because the sheets below are defined after the columns.
LEDERE_ANSATTNR = ("Ledere", "ansattnr")
OPPDRAG_NR = ("Oppdrag", "nr")

KOMMUNE_FIELDS: tuple[Field, ...] = (
    Field("navn", "Kommunenavn", "Kommunens navn slik det skal stå i avtalen, f.eks. «Eksempel kommune».",
          aliases=("kommune",), required=True, template="kommunens navn (arket Kommune, Kommunenavn)"),
    Field("periode", "Periode", "Året avtalen gjelder for, f.eks. 2027 (1. januar – 31. desember). "
          "La stå tomt og fyll ut Fra og Til for en annen periode.", Year(), aliases=("år",), required=True,
          own_rule=True, yearly=True),
    Field("fra", "Fra", "Periodens første dag (dd.mm.åååå). Brukes bare når Periode er tom.", Date(),
          own_rule=True, yearly=True),
    Field("til", "Til", "Periodens siste dag (dd.mm.åååå). Brukes bare når Periode er tom.", Date(),
          own_rule=True, yearly=True),
    Field("frist", "Frist", "Datoen avtalene skal være signert innen (dd.mm.åååå). Tom: 31. mars i periodens år.",
          Date(), yearly=True,
          template="fristen for å signere avtalene (dato; skriv {{ kommune.frist|dato(\"lang\") }} for «31. mars "
                   "2027»; tom i arket Kommune: 31. mars)"),
    Field("adresse", "Adresse", "Postadresse i bunnteksten.", template="postadresse til brevhodet/bunnteksten"),
    Field("telefon", "Telefon", "Sentralbordets telefonnummer i bunnteksten.", template="sentralbordets telefonnummer"),
    Field("epost", "E-post", "Kommunens postmottak i bunnteksten.", aliases=("epost",),
          template="kommunens e-postadresse (postmottak)"),
    Field("nettside", "Nettside", "Kommunens nettside i bunnteksten.", template="kommunens nettside"),
    Field("logo", "Logo", "Bildefil (PNG eller JPEG) med kommunevåpen, sti relativ til mappen arbeidsboken "
          "ligger i, f.eks. logo.png. Tom: ingen logo.", Picture(),
          template="logoen som bilde (tom hvis ingen logo): {% if kommune.logo %}{{ kommune.logo }}{% endif %}"),
    Field("sted", "Sted", "Stedet som skrives over underskriftene («Sted og dato»).",
          template="stedet som skrives over underskriftene («Sted og dato»)"),
    Field("avsender", "Avsender", "Avsenderadresse (Fra) i e-postutkastene, f.eks. HR-avdelingens adresse.",
          Email()),
    Field("kontaktperson", "Kontaktperson", "HRs kontaktperson for lederavtalene, med navn, tittel og telefon, "
          "f.eks. «Kari Nordmann, HR-rådgiver, 12 34 56 78». Malene kan skrive den i avtalen og e-posten.",
          aliases=("kontaktperson i hr", "hr-kontakt"),
          template="HRs kontaktperson for lederavtalene, f.eks. «Kari Nordmann, HR-rådgiver, 12 34 56 78» "
                   "(tom hvis ingen)"),
    Field("arkivsak", "Arkivsak", "Saksnummer i sak/arkiv-systemet, f.eks. 2027/123.", yearly=True,
          template="saksnummeret i sak/arkiv, f.eks. 2027/123"),
    Field("sak_system_id", "Sak systemID", "Valgfritt: sakens systemID i sak/arkiv-systemet (en UUID, f.eks. "
          "22f05e04-37c4-4051-8b3a-853c8eac4b33). Fiks-meldingene peker da på saken med den, ikke med "
          "saksnummeret i Arkivsak. Brukes ikke med Plassering personalmappe.", SystemId(),
          aliases=("sakens systemid", "systemid sak", "sak system id"), yearly=True,
          template="sakens systemID i sak/arkiv-systemet (tom hvis ingen)"),
    Field("skjermingshjemmel", "Skjermingshjemmel", "Lovhjemmel for å unnta vedlegget med utviklingsmål fra "
          f"offentlighet. Tom: «{DEFAULT_SKJERMINGSHJEMMEL}».", Text(DEFAULT_SKJERMINGSHJEMMEL),
          template="hjemmel for unntak fra offentlighet, f.eks. «Offl. § 13 …»"),
    Field("malform", "Målform", "bokmål (standard) eller nynorsk: velger standardmalene.",
          OneOf(("bokmål", "nynorsk"), "bokmål", synonyms=tuple(MALFORMER.items())), aliases=("malform",)),
    Field("tilgangskode", "Tilgangskode", "Tilgangskode for vedlegget i sak/arkiv-systemet. "
          f"Tom: {DEFAULT_TILGANGSKODE} (personalsaker).", Text(DEFAULT_TILGANGSKODE)),
    Field("skjerm_navn", "Skjerm navn", "ja eller nei (standard nei). ja: lederens navn, stilling og enhet "
          "skjules i de offentlige titlene i arkivet, og partene skjermes – for kommuner som arkiverer "
          "lederavtalene i skjermede personalmapper. Selve avtalen er offentlig uansett.", YesNo(),
          aliases=("skjerm navnet", "skjerming av navn")),
    Field("arkivdel", "Arkivdel", "Arkivdelen i sak/arkiv-systemet som personalmappene ligger i (Fiks Arkiv, "
          "med Plassering personalmappe), f.eks. PERSONAL. Alene er den ikke nok: en journalpost ligger "
          "alltid i en saksmappe."),
    Field("organisasjonsnummer", "Organisasjonsnummer", "Kommunens organisasjonsnummer (9 siffer), "
          "f.eks. 974 760 673. Brukes som arkivskaper i arkivmetadataene.", Organisasjonsnummer(),
          aliases=("org.nr.", "orgnr", "org.nr", "organisasjonsnr")),
    Field("saksbehandler", "Saksbehandler", "HRs bruker i sak/arkiv-systemet (e-postadresse eller initialer, slik "
          "arkivet kjenner brukeren): saksbehandler og behandlingsansvarlig for hver journalpost. Kreves av arkiv."),
    Field("administrativ_enhet", "Administrativ enhet", "HRs enhet i sak/arkiv-systemet, f.eks. HR-avdelingen.",
          aliases=("adm. enhet", "adm enhet")),
    Field("plassering", "Plassering", "Hvor avtalene arkiveres: sak (standard: alle i saken i Arkivsak) eller "
          "personalmappe (én saksmappe per leder, med Klassifikasjonssystem og Klasse).",
          OneOf((PLASSERING_SAK, PLASSERING_PERSONALMAPPE), PLASSERING_SAK)),
    Field("klassifikasjonssystem", "Klassifikasjonssystem", "For personalmappe: klassifikasjonssystemet "
          "personalmappene ordnes etter i arkivet, f.eks. Ansattnummer."),
    Field("klasse", "Klasse", "For personalmappe: klassen (klasseID) for lederens mappe. Skriv Ansattnr for "
          "hver leders eget ansattnummer, eller Fødselsnummer for hver leders fødselsnummer (kolonnen Fødselsnummer "
          "i arket Ledere), så arkivet finner personalmappen det allerede har; Klassifikasjonssystem er da arkivets "
          "navn på det, f.eks. Personnummer.", aliases=("klasseid",)),
    # The archive's own codes (archive/kodelister.py): KS' example lists are only examples, and
    # `arkiv --kodelister` checks these against the lists the archive itself answers with.
    Field("dokumenttype_avtale", "Dokumenttype avtale", "Arkivets kode for dokumenttypen til lederavtalen "
          f"(kodelisten dokumenttype). Tom: {DEFAULT_DOKUMENTTYPE['avtale']}."),
    Field("dokumenttype_vedlegg", "Dokumenttype vedlegg", "Arkivets kode for dokumenttypen til vedlegget med "
          f"utviklingsmål (kodelisten dokumenttype). Tom: {DEFAULT_DOKUMENTTYPE['vedlegg']}."),
    Field("formatkode", "Formatkode", "Arkivets kode for filformatet PDF/A-2b (kodelisten format). "
          f"Tom: PDF i Fiks-meldingen og {DEFAULT_FORMATKODE} i Noark 5-uttrekket.", aliases=("format",)),
    Field("navn_i_statusrapport", "Navn i statusrapport", "ja eller nei (standard nei). ja: statusrapporten, "
          "som er offentlig, navngir lederen ved hvert avvik og resultat. nei: bare enheten.", YesNo(),
          aliases=("navn i statusrapporten",)),
    Field("opposisjonsleder", "Opposisjonsleder", "Navnet på opposisjonslederen, når kommunestyret har bestemt at "
          "opposisjonslederen deltar i evalueringen av kommunedirektøren. Tom: ordføreren evaluerer alene.",
          aliases=("opposisjonsleiar",),
          template="opposisjonslederen som deltar i evalueringen av kommunedirektøren (tom hvis ingen)"),
    Field("politisk_sekretariat", "Politisk sekretariat", "E-postadressen til det politiske sekretariatet. "
          "E-posten om kommunedirektørens oppfølging går dit i stedet for til HR. Tom: til HR.", Email(),
          aliases=("politisk sekretariat e-post", "politisk sekretariat epost", "politisk sekretariat e-postadresse"),
          template="e-postadressen til det politiske sekretariatet, som får e-posten om kommunedirektørens "
                   "oppfølging i stedet for HR (tom hvis ingen)"),
    Field("vedlegg_til_ordforer", "Vedlegg til ordfører", "ja eller nei (standard nei). ja: vedlegget med "
          "kommunedirektørens utviklingsmål (unntatt offentlighet) sendes også til ordførerens e-postadresse. "
          "nei: det sendes ikke dit, fordi en sekretær ofte leser ordførerens e-post.", YesNo(),
          aliases=("vedlegg til ordforer", "vedlegg til ordføraren", "vedlegg til ordføreren"),
          template="om vedlegget med kommunedirektørens utviklingsmål sendes til ordførerens e-post (ja/nei): "
                   "{% if kommune.vedlegg_til_ordforer %} … {% endif %}"),
)

KOMMUNE = Sheet("Kommune", "Opplysninger om kommunen og perioden. Én rad per felt: skriv verdien i kolonne Verdi.", (
    Column("felt", "Felt", ("felt",), "Feltets navn. Ikke endre denne kolonnen.", required=True, width=20),
    Column("verdi", "Verdi", ("verdi",), "Verdien for feltet.", required=True, width=45),
    Column("forklaring", "Forklaring", ("forklaring",), "Forklaring til feltet. Leses ikke av programmet.",
           width=90, wrap=True),
), fields=KOMMUNE_FIELDS)

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
    Column("avdeling", "Avdeling", ("avdeling", "avdeling i enheten"), "Valgfritt: avdelingen i enheten lederen "
           "leder, f.eks. «skjermet enhet» ved Fjordvik sykehjem. Malene kan skrive «for skjermet enhet ved "
           "Fjordvik sykehjem».", width=24,
           template="${label}s avdeling i enheten, f.eks. «skjermet enhet» (tom hvis ingen)", modelled=True),
    Column("avtalesamtale", "Avtalesamtale", ("avtalesamtale", "avtalesamtale dato", "dato avtalesamtale",
                                              "ledersamtale januar"),
           "Valgfritt: datoen for samtalen i januar der avtalen inngås (dd.mm.åååå).", width=14, date=True,
           template="datoen for avtalesamtalen med $label (dato; skriv {{ $who.avtalesamtale|dato }}, tom hvis "
                    "ingen)", modelled=True),
    # Secret like the development goals: no template line, so no template can print it; read and
    # checked by ledere.py, and never named with its value in a message.
    Column("fodselsnummer", "Fødselsnummer", ("fødselsnummer", "fodselsnummer", "fødselsnr", "fødselsnr.",
                                              "fodselsnr", "fnr", "fnr.", "personnummer", "personnr"),
           "Valgfritt: lederens fødselsnummer (11 siffer), for arkivet. Fortrolig: det kommer aldri i avtalen, "
           "e-posten, rapporten eller meldingene.", width=14, modelled=True, as_text=True),
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

MALTALL = Sheet("Måltall", "Valgfritt: lederens eget mål og utgangspunkt for et oppdrag, når hver tjeneste har "
                "sine egne tall. De står i lederens avtale og oppfølgingsdokument i stedet for oppdragets Mål og "
                "Utgangspunkt. Uten dette arket gjelder oppdragets egne tall for alle.", (
    Column("ansattnr", "Ansattnr", ANSATTNR_ALIASES, "Lederens ansattnummer.", required=True, width=11,
           lookup=LEDERE_ANSATTNR),
    Column("nr", "Nr", ("nr", "nr.", "oppdrag", "oppdragsnr"), "Nummeret på oppdraget. Oppdraget må gjelde lederen.",
           required=True, width=7, lookup=OPPDRAG_NR),
    Column("mal", "Mål", ("mål", "mal", "maal", "eget mål"), "Lederens eget mål, f.eks. «Sykefravær under 9 %». "
           "Tom: oppdragets Mål.", width=36, wrap=True),
    Column("utgangspunkt", "Utgangspunkt", ("utgangspunkt", "resultat før start"), "Lederens eget utgangspunkt, "
           "f.eks. «10,4 % i 2026». Tom: oppdragets Utgangspunkt.", width=30, wrap=True),
), aliases=("maltall", "maaltall", "egne måltall"), optional=True)

SHEETS: tuple[Sheet, ...] = (KOMMUNE, LEDERE, OPPDRAG, TILTAK, MALTALL, UTVIKLINGSMAL, LEDERPRINSIPPER)

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


_SHEET_BY_NAME = {alias: sheet for sheet in SHEETS for alias in (norm(sheet.name), *sheet.aliases)}


def sheet_named(title: str) -> Sheet | None:
    """The sheet a tab's title means, whatever its case and spacing."""
    return _SHEET_BY_NAME.get(norm(title))


def kommune_field(felt: str) -> Field | None:
    """The Kommune field a Felt cell names. Looked up in KOMMUNE.fields as it is now, not as it was
    when this module loaded, so that a field added to the table is found like the others."""
    written = norm(felt)
    return next((f for f in KOMMUNE.fields if written in f.names), None)


def sheet_by_name(name: str) -> Sheet:
    """The sheet with this canonical name."""
    return next(sheet for sheet in SHEETS if sheet.name == name)
