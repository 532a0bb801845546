"""Write the nynorsk example workbook `input/eksempel-nynorsk.xlsx`.

Nordvik kommune is fictional, and writes nynorsk: Målform nynorsk selects the nynorsk templates,
and every text HR writes into the workbook (stillinger, oppdrag, tiltak, oppfølging, utviklingsmål,
leiarprinsipp) is nynorsk too, so that the agreements are nynorsk from top to bottom. The workbook
has the bokmål example's shape row for row (tools/make_example.py, whose writer it uses): the same
hierarchy, selectors and the same two intended warnings (one leader without e-mail, one without
development goals). The level names in Nivå are nynorsk (ordførar, verksemdsleiar, avdelingsleiar),
which the templates and the selectors know. The logo is the bokmål example's input/logo.png.

Run from the repository root: `python tools/example_nynorsk.py` (or `make eksempel`).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_example  # noqa: E402

YEAR = make_example.YEAR
DOMAIN = "nordvik.kommune.no"
PATH = make_example.INPUT_DIR / "eksempel-nynorsk.xlsx"

KOMMUNE = {
    **make_example.KOMMUNE,
    "Kommunenavn": "Nordvik kommune",
    "Adresse": "Rådhusvegen 2, 6199 Nordvik",
    "Telefon": "70 00 45 00",
    "E-post": f"postmottak@{DOMAIN}",
    "Nettside": "www.nordvik.kommune.no",
    "Sted": "Nordvik",
    "Avsender": f"hr@{DOMAIN}",
    "Arkivsak": f"{YEAR}/87",
    "Målform": "nynorsk",
    "Saksbehandler": f"hr@{DOMAIN}",
    "Administrativ enhet": "HR-avdelinga",
    "Kontaktperson": "Ingvild Sæle, HR-rådgivar, 70 00 45 12",
    "Politisk sekretariat": f"politisk.sekretariat@{DOMAIN}",
}

# (Ansattnr, Navn, Stilling, Enhet, Nivå, e-mail local part or None, Overordnet, Avtale, Signert)
LEDERE = [
    (1000, "Sigrid Hovland", "Ordførar", "Politisk leiing", "ordførar", "sigrid.hovland", None, "nei", None),
    (1001, "Olav Rise", "Kommunedirektør", "Stab og støtte", "kommunedirektør", "olav.rise",
     1000, "ja", date(YEAR, 1, 18)),
    (1002, "Gunhild Vik", "Kommunalsjef helse og omsorg", "Helse og omsorg", "kommunalsjef",
     "gunhild.vik", 1001, "ja", date(YEAR, 1, 25)),
    (1003, "Arne Haugland", "Kommunalsjef oppvekst og kultur", "Oppvekst og kultur", "kommunalsjef",
     "arne.haugland", 1001, "ja", None),
    (1004, "Randi Myklebust", "Kommunalsjef samfunnsutvikling", "Samfunnsutvikling og teknisk", "kommunalsjef",
     "randi.myklebust", 1001, "ja", date(YEAR, 1, 27)),
    (1010, "Knut Aarseth", "Verksemdsleiar", "Nordvik sjukeheim", "verksemdsleiar", "knut.aarseth",
     1002, "ja", None),
    (1011, "Eli Brekke", "Verksemdsleiar", "Heimetenesta", "verksemdsleiar", "eli.brekke", 1002, "ja", None),
    (1012, "Yusuf Ali", "NAV-leiar", "NAV Nordvik", "verksemdsleiar", "yusuf.ali", 1002, "ja", None),
    (1020, "Torunn Løvik", "Rektor", "Nordvik skule", "verksemdsleiar", "torunn.lovik", 1003, "ja", None),
    # No e-mail address: shows the warning, and that the run goes on.
    (1021, "Magnus Teigen", "Rektor", "Sjøvik skule", "verksemdsleiar", None, 1003, "ja", None),
    (1022, "Liv Ødegård", "Styrar", "Solsida barnehage", "verksemdsleiar", "liv.odegard", 1003, "ja", None),
    (1023, "Sindre Vold", "Verksemdsleiar", "Kultur og fritid", "verksemdsleiar", "sindre.vold", 1003, "ja", None),
    (1030, "Gaute Nes", "Verksemdsleiar", "Teknisk drift", "verksemdsleiar", "gaute.nes", 1004, "ja", None),
    (1031, "Brit Sunde", "Verksemdsleiar", "Plan og byggjesak", "verksemdsleiar", "brit.sunde",
     1004, "ja", None),
    (1040, "Ragnhild Eide", "Avdelingsleiar", "Nordvik sjukeheim", "avdelingsleiar",
     "ragnhild.eide", 1010, "ja", None),
    (1041, "Jon Inge Rønneberg", "Avdelingsleiar heimetenesta sone nord", "Heimetenesta", "avdelingsleiar",
     "jon.inge.ronneberg", 1011, "ja", None),
    (1042, "Aud Flatebø", "Avdelingsleiar veg, vatn og avløp", "Teknisk drift", "avdelingsleiar", "aud.flatebo",
     1030, "ja", None),
]

END = date(YEAR, 12, 31)

# (Nr, Område, Oppdrag, Mål, Målemetode, Utgangspunkt, Frist, Gjelder). The selector words in
# Gjelder (nivå:, enhet:, under:) are the tool's own and stay as they are.
OPPDRAG = [
    (1, "Økonomi", "Drive verksemda innanfor vedteken budsjettramme og rapportere avvik så snart dei oppstår.",
     "Avvik frå budsjett under 1 %", "Månadleg økonomirapport og tertialrapport",
     "Prognose 2026: meirforbruk 2,4 %", END, "alle; 1001"),
    (2, "Økonomi", "Greie ut og gjennomføre omstillingstiltak som svarer til 1,5 % av netto driftsramme.",
     "Tiltak vedtekne i budsjettet for 2028", "Tiltaksliste handsama i kommunestyret", "",
     date(YEAR, 10, 1), "nivå:kommunedirektør; nivå:kommunalsjef"),
    (3, "Sjukefråvær", "Redusere sjukefråværet gjennom systematisk oppfølging av sjukmelde.\n"
     "Samarbeide tett med NAV Arbeidslivssenter og bedriftshelsetenesta.",
     "Sjukefråvær under 6,7 %", "Fråværsstatistikk kvart kvartal", "8,1 % i 2026", END,
     "nivå:verksemdsleiar; nivå:avdelingsleiar; 1001"),
    (4, "HMS", "Gjennomføre medarbeidarundersøkinga og følgje opp resultata med ein handlingsplan "
     "i samarbeid med tillitsvalde og verneombod.",
     "Handlingsplan i alle einingar", "Handlingsplanar registrerte i kvalitetssystemet",
     "60 % av einingane hadde handlingsplan i 2026", date(YEAR, 6, 30), "alle"),
    (5, "HMS", "Handsame avvik i avvikssystemet innan fristen og bruke dei til forbetring.",
     "90 % av avvika lukka innan fristen", "Rapport frå avvikssystemet", "72 %", END,
     "under:1001"),
    (6, "Digitalisering", "Ta i bruk velferdsteknologi (digitalt tilsyn og medisineringsstøtte) "
     "for heimebuande og bebuarar.", "150 brukarar med velferdsteknologi", "Tal frå fagsystemet",
     "64 brukarar", date(YEAR, 11, 30), "selv-og-under:1002"),
    (7, "Digitalisering", "Innføre felles digital oppvekstportal for skule og barnehage.",
     "Portalen i bruk i alle einingar", "Bruksstatistikk", "Ikkje innført", date(YEAR, 8, 15), "selv-og-under:1003"),
    (8, "Kvalitet", "Styrkje internkontrollen etter forskrift om leiing og kvalitetsforbetring "
     "i helse- og omsorgstenesta.", "Årleg gjennomgang i leiinga", "Rapport til kommunalsjefen",
     "Ikkje gjennomført i 2026", date(YEAR, 11, 1), "enhet:Nordvik sjukeheim, enhet:Heimetenesta"),
    (9, "Kvalitet", "Styrkje tidleg innsats i barnehage og skule, med vekt på lesing og rekning.",
     "Færre elevar under kritisk grense på kartleggingsprøvene", "Nasjonale kartleggingsprøver",
     "14 % under kritisk grense", date(YEAR, 6, 20),
     "enhet:Nordvik skule; enhet:Sjøvik skule; enhet:Solsida barnehage"),
    (10, "Klima", "Følgje opp klima- og energiplanen til kommunen og redusere klimagassutsleppa frå eiga drift.",
     "10 % lågare utslepp enn i 2025", "Klimarekneskap", "2 140 tonn CO₂-ekvivalentar", END,
     "nivå:kommunalsjef"),
    (11, "Klima", "Energieffektivisere kommunale bygg og gå over til fossilfrie køyretøy i teknisk drift.",
     "Energibruken redusert med 8 %", "Energioppfølgingssystemet", "11,2 GWh i 2026", END, "1030"),
    (12, "Planarbeid", "Leie arbeidet med rullering av samfunnsdelen av kommuneplanen, med brei medverknad.",
     "Planframlegg lagt ut på høyring", "Vedtak i formannskapet", "", date(YEAR, 9, 1), "1001"),
]

# (Ansattnr, Nr, Tiltak)
TILTAK = [
    (1001, 2, "Leiar ei tverrfagleg arbeidsgruppe for omstilling med tillitsvalde og hovudverneombodet."),
    (1001, 12, "Legg fram planprogram for formannskapet i mars."),
    (1002, 2, "Går gjennom bemanning og innkjøp i helse og omsorg saman med verksemdsleiarane."),
    (1002, 10, "Byter ut fossile tenestebilar i heimetenesta når leasingavtalane går ut."),
    (1003, 2, "Greier ut ny skule- og barnehagestruktur som grunnlag for budsjettet for 2028."),
    (1004, 10, "Utarbeider årleg klimabudsjett saman med økonomiavdelinga."),
    (1010, 3, "Gjennomfører vekentlege oppfølgingssamtalar med sjukmelde."),
    (1010, 3, "Legg til rette i samarbeid med NAV Arbeidslivssenter."),
    (1010, 8, "Innfører kvartalsvise kvalitetsmøte med avvik som fast punkt."),
    (1011, 6, "Tek i bruk digitalt tilsyn hos 40 nye brukarar."),
    (1011, 3, "Innfører nærværssamtalar i alle team."),
    (1012, 3, "Følgjer opp sjukmelde etter fast plan med samtale innan fire veker."),
    (1020, 9, "Innfører lesekurs for elevar på 1.–4. trinn som ligg under kritisk grense."),
    (1020, 7, "Lærarane får opplæring i oppvekstportalen før skulestart."),
    (1021, 9, "Brukar resultata frå kartleggingsprøvene i teammøta kvar månad."),
    (1022, 9, "Styrkjer språkarbeidet med fast språkgruppe to gonger i veka."),
    (1023, 4, "Gjennomfører personalseminar om resultata i medarbeidarundersøkinga."),
    (1030, 11, "Installerer driftsstyring av ventilasjon i fem skular og to sjukeheimar."),
    (1030, 11, "Byter ut ti dieselkøyretøy med elektriske."),
    (1031, 1, "Går gjennom gebyrregulativet for byggjesak for å sikre sjølvkost."),
    (1040, 3, "Etablerer turnus med fleire heile stillingar i samarbeid med tillitsvalde."),
    (1041, 6, "Kartlegg kva brukarar i sone nord som kan få digitalt tilsyn."),
    (1042, 5, "Går gjennom alle opne avvik på vatn og avløp kvar fjortande dag."),
]

# (Ansattnr, Nr, Mål, Utgangspunkt): the services' own figures, as in the bokmål example.
MALTALL = [
    (1011, 3, "Sjukefråvær under 8 %", "9,2 % i 2026"),
    (1011, 6, "90 brukarar med velferdsteknologi", "38 brukarar"),
    (1020, 3, "Sjukefråvær under 5,5 %", "6,3 % i 2026"),
    (1022, 3, "Sjukefråvær under 7,5 %", "8,9 % i 2026"),
]

# (Ansattnr, Mål, Tiltak, Oppfølging). Personal, exempt from public access: appendix only.
UTVIKLINGSMAL = [
    (1001, "Utvikle ei meir tillitsbasert styring av kommunalsjefane",
     "Deltek i leiarutviklingsprogram for toppleiarar", "Samtale med ordføraren i juni og desember"),
    (1002, "Bli tryggare i krevjande personalsaker", "Rettleiing med HR-rådgivar kvar månad", "Halvårleg samtale"),
    (1003, "Delegere meir og bruke tida på strategisk arbeid", "Vekentleg prioriteringsmøte med staben",
     "Samtale med kommunedirektøren i august"),
    (1004, "Styrkje kommunikasjonen med innbyggjarane i planprosessar", "Kurs i klarspråk og medverknad",
     "Evaluering etter høyringsperioden"),
    (1010, "Utvikle meg som endringsleiar", "Studium i endringsleiing (15 studiepoeng)", "Samtale i juni"),
    (1011, "Betre balanse mellom drift og utvikling", "Fast utviklingsdag annakvar veke", "Oppfølging i leiarmøtet"),
    (1012, "Styrkje samarbeidet med dei kommunale tenestene", "Deltek i leiarmøta i kommunen", "Halvårleg"),
    (1020, "Bli tydelegare i pedagogisk leiing", "Rektorutdanninga, modul 2", "Samtale etter kvar samling"),
    (1021, "Gi meir systematiske tilbakemeldingar til lærarane", "Klasseromsobservasjon og rettleiing",
     "Samtale i oktober"),
    (1022, "Byggje eit sterkare leiarteam i barnehagen", "Felles leiarrettleiing med pedagogiske leiarar",
     "Samtale i mai"),
    (1023, "Auke kunnskapen om økonomistyring", "Kurs i økonomistyring for leiarar", "Ved tertialrapportane"),
    (1030, "Bli tryggare i mediehandtering", "Medietrening med kommunikasjonsavdelinga", "Samtale i juni"),
    (1031, "Leie gjennom digital omstilling i byggjesak", "Nettverk med andre kommunar", "Halvårleg"),
    (1040, "Bli tryggare i krevjande samtalar med pårørande", "Kurs i kommunikasjon og konflikthandtering",
     "Samtale i september"),
    (1041, "Prioritere eiga leiartid betre", "Fast planleggingstid kvar fredag", "Samtale i juni"),
    # 1042 has no development goals: shows the warning.
]

MAL = make_example.MAL

AVDELING = {1040: "skjerma eining"}
AVTALESAMTALE = make_example.AVTALESAMTALE
# Made-up fødselsnumre of its own (another seed than the bokmål example's), unused while Plassering is sak.
FODSELSNUMMER = make_example.synthetic_fodselsnumre(LEDERE, seed=4243)

OPPFOLGING = {
    1001: "Leiarsamtale med ordføraren i mai, evalueringssamtale i november",
    1002: "Leiarsamtale 10.06.2027, oppfølgingssamtale 18.11.2027",
    1003: "Leiarsamtale 12.06.2027, oppfølgingssamtale 20.11.2027",
    1004: "Leiarsamtale 14.06.2027, oppfølgingssamtale 22.11.2027",
    1010: "Leiarsamtale i juni, oppfølgingssamtale i november",
    1011: "Leiarsamtale i juni, oppfølgingssamtale i november",
    1020: "Leiarsamtale i juni, oppfølgingssamtale i desember",
    1030: "Leiarsamtale i juni, oppfølgingssamtale i november",
    1040: "Leiarsamtale i juni, oppfølgingssamtale i november",
}

# (Prinsipp, Beskrivelse)
LEDERPRINSIPPER = [
    ("Vi er tydelege", "Vi set klare mål og forventingar, gir tilbakemeldingar og tek avgjerder i tide."),
    ("Vi skaper tillit", "Vi er til stades for medarbeidarane, deler informasjon ope og held det vi lovar."),
    ("Vi samarbeider på tvers", "Vi ser kommunen som ein heilskap og løyser oppgåvene saman med andre einingar, "
     "innbyggjarane, tillitsvalde og verneombod."),
    ("Vi utviklar tenestene", "Vi legg til rette for læring og forbetring, og bruker erfaringar og resultat "
     "til å gjere tenestene betre for innbyggjarane."),
]


def write_example_workbook(path: Path = PATH) -> Path:
    return make_example.write_example_workbook(path, globals())


def main() -> None:
    path = write_example_workbook()
    print(f"Skrev {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
