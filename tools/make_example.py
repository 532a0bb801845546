"""Write the example workbook `input/eksempel.xlsx` and its logo `input/logo.png`.

Fjordvik kommune is fictional. The workbook shows every feature HR may use: the Kommune
fields a municipality fills in, a hierarchy from the ordfører down to avdelingsledere, every
selector kind in Gjelder (the kommunalsjefer carry their sector's assignments with
selv-og-under:), measures and development goals, a few services' own targets (sheet Måltall),
the January conversations and agreed follow-up conversations, the leadership principles, made-up
fødselsnumre for a personalmappe classified by fødselsnummer, and the two intended warnings (one
leader without e-mail, one without development goals).

Run from the repository root: `python tools/make_example.py` (or `make eksempel`).
"""

from __future__ import annotations

import math
import sys
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.workbook.write import build_workbook  # noqa: E402

INPUT_DIR = ROOT / "input"
YEAR = 2027
DOMAIN = "fjordvik.kommune.no"

KOMMUNE = {
    "Kommunenavn": "Fjordvik kommune",
    "Periode": YEAR,
    "Adresse": "Rådhusplassen 1, 6899 Fjordvik",
    "Telefon": "57 00 12 00",
    "E-post": f"postmottak@{DOMAIN}",
    "Nettside": "www.fjordvik.kommune.no",
    "Logo": "logo.png",
    "Sted": "Fjordvik",
    "Avsender": f"hr@{DOMAIN}",
    "Arkivsak": f"{YEAR}/123",
    "Skjermingshjemmel": "Offl. § 13 jf. fvl. § 13 første ledd nr. 1",
    "Målform": "bokmål",
    "Tilgangskode": "P",
    "Saksbehandler": f"hr@{DOMAIN}",
    "Administrativ enhet": "HR-avdelingen",
    "Plassering": "sak",
    "Navn i statusrapport": "nei",  # the public status report names units, not leaders
    "Frist": date(YEAR, 3, 31),
    "Kontaktperson": "Mona Lunde, HR-rådgiver, 57 00 12 40",
    "Politisk sekretariat": f"politisk.sekretariat@{DOMAIN}",
    "Vedlegg til ordfører": "nei",  # the ordfører's mailbox is read by the secretary
    # Sak systemID is left empty, as it mostly is: the archive finds the sak by Arkivsak.
}

# (Ansattnr, Navn, Stilling, Enhet, Nivå, e-mail local part or None, Overordnet, Avtale, Signert)
LEDERE = [
    (1000, "Ingrid Sæther", "Ordfører", "Politisk ledelse", "ordfører", "ingrid.saether", None, "nei", None),
    (1001, "Håkon Lie", "Kommunedirektør", "Kommunedirektørens stab", "kommunedirektør", "hakon.lie",
     1000, "ja", date(YEAR, 1, 18)),
    (1002, "Marit Bjørnstad", "Kommunalsjef helse og omsorg", "Helse og omsorg", "kommunalsjef",
     "marit.bjornstad", 1001, "ja", date(YEAR, 1, 25)),
    (1003, "Jonas Eriksen", "Kommunalsjef oppvekst og kultur", "Oppvekst og kultur", "kommunalsjef",
     "jonas.eriksen", 1001, "ja", None),
    (1004, "Siri Åsheim", "Kommunalsjef samfunnsutvikling", "Samfunnsutvikling og teknisk", "kommunalsjef",
     "siri.asheim", 1001, "ja", date(YEAR, 1, 27)),
    (1010, "Bjørn Kvamme", "Virksomhetsleder", "Fjordvik sykehjem", "virksomhetsleder", "bjorn.kvamme",
     1002, "ja", None),
    (1011, "Line Dahl", "Virksomhetsleder", "Hjemmetjenesten", "virksomhetsleder", "line.dahl", 1002, "ja", None),
    (1012, "Ahmed Hassan", "NAV-leder", "NAV Fjordvik", "virksomhetsleder", "ahmed.hassan", 1002, "ja", None),
    (1020, "Kristin Holm", "Rektor", "Fjordvik skole", "virksomhetsleder", "kristin.holm", 1003, "ja", None),
    # No e-mail address: shows the warning, and that the run goes on.
    (1021, "Øyvind Strand", "Rektor", "Vikøy skole", "virksomhetsleder", None, 1003, "ja", None),
    (1022, "Hanne Solberg", "Styrer", "Solsiden barnehage", "virksomhetsleder", "hanne.solberg", 1003, "ja", None),
    (1023, "Lars Myhre", "Virksomhetsleder", "Kultur og fritid", "virksomhetsleder", "lars.myhre", 1003, "ja", None),
    (1030, "Eirik Nygård", "Virksomhetsleder", "Teknisk drift", "virksomhetsleder", "eirik.nygard",
     1004, "ja", None),
    (1031, "Anne-Grete Berg", "Virksomhetsleder", "Plan og byggesak", "virksomhetsleder", "anne-grete.berg",
     1004, "ja", None),
    (1040, "Tone Fjeld", "Avdelingsleder", "Fjordvik sykehjem", "avdelingsleder", "tone.fjeld",
     1010, "ja", None),
    (1041, "Per Ove Sørli", "Avdelingsleder hjemmetjenesten sone nord", "Hjemmetjenesten", "avdelingsleder",
     "per.ove.sorli", 1011, "ja", None),
    (1042, "Ingunn Aas", "Avdelingsleder vei, vann og avløp", "Teknisk drift", "avdelingsleder", "ingunn.aas",
     1030, "ja", None),
]

END = date(YEAR, 12, 31)

# (Nr, Område, Oppdrag, Mål, Målemetode, Utgangspunkt, Frist, Gjelder)
OPPDRAG = [
    (1, "Økonomi", "Drive virksomheten innenfor vedtatt budsjettramme og rapportere avvik straks de oppstår.",
     "Avvik fra budsjett under 1 %", "Månedlig økonomirapport og tertialrapport",
     # The kommunedirektør is named: the municipality-wide targets are his too (budget, sickness absence).
     "Prognose 2026: merforbruk 2,4 %", END, "alle; 1001"),
    (2, "Økonomi", "Utrede og gjennomføre omstillingstiltak tilsvarende 1,5 % av netto driftsramme.",
     "Tiltak vedtatt i budsjettet for 2028", "Tiltaksliste behandlet i kommunestyret", "",
     date(YEAR, 10, 1), "nivå:kommunedirektør; nivå:kommunalsjef"),
    (3, "Sykefravær", "Redusere sykefraværet gjennom systematisk oppfølging av sykmeldte.\n"
     "Samarbeide tett med NAV arbeidslivssenter og bedriftshelsetjenesten.",
     "Sykefravær under 6,7 %", "Fraværsstatistikk per kvartal", "8,1 % i 2026", END,
     "nivå:virksomhetsleder; nivå:avdelingsleder; 1001"),
    (4, "HMS", "Gjennomføre medarbeiderundersøkelsen og følge opp resultatene med en handlingsplan "
     "i samarbeid med tillitsvalgte og verneombud.",
     "Handlingsplan i alle enheter", "Handlingsplaner registrert i kvalitetssystemet",
     "60 % av enhetene hadde handlingsplan i 2026", date(YEAR, 6, 30), "alle"),
    (5, "HMS", "Behandle avvik i avvikssystemet innen fristen og bruke dem til forbedring.",
     "90 % av avvikene lukket innen fristen", "Rapport fra avvikssystemet", "72 %", END,
     "under:1001"),
    # The kommunalsjef carries the sector's assignment together with the sector: selv-og-under:.
    (6, "Digitalisering", "Ta i bruk velferdsteknologi (digitalt tilsyn og medisineringsstøtte) "
     "for hjemmeboende og beboere.", "150 brukere med velferdsteknologi", "Tall fra fagsystemet",
     "64 brukere", date(YEAR, 11, 30), "selv-og-under:1002"),
    (7, "Digitalisering", "Innføre felles digital oppvekstportal for skole og barnehage.",
     "Portalen i bruk i alle enheter", "Bruksstatistikk", "Ikke innført", date(YEAR, 8, 15), "selv-og-under:1003"),
    (8, "Kvalitet", "Styrke internkontrollen etter forskrift om ledelse og kvalitetsforbedring "
     "i helse- og omsorgstjenesten.", "Årlig ledelsens gjennomgang", "Rapport til kommunalsjef",
     "Ikke gjennomført i 2026", date(YEAR, 11, 1), "enhet:Fjordvik sykehjem, enhet:Hjemmetjenesten"),
    (9, "Kvalitet", "Styrke tidlig innsats i barnehage og skole, med vekt på lesing og regning.",
     "Færre elever under kritisk grense på kartleggingsprøvene", "Nasjonale kartleggingsprøver",
     "14 % under kritisk grense", date(YEAR, 6, 20),
     "enhet:Fjordvik skole; enhet:Vikøy skole; enhet:Solsiden barnehage"),
    (10, "Klima", "Følge opp kommunens klima- og energiplan og redusere klimagassutslippene fra egen drift.",
     "10 % lavere utslipp enn i 2025", "Klimaregnskap", "2 140 tonn CO₂-ekvivalenter", END,
     "nivå:kommunalsjef"),
    (11, "Klima", "Energieffektivisere kommunale bygg og gå over til fossilfrie kjøretøy i teknisk drift.",
     "Energiforbruket redusert med 8 %", "Energioppfølgingssystemet", "11,2 GWh i 2026", END, "1030"),
    (12, "Planarbeid", "Lede arbeidet med rullering av kommuneplanens samfunnsdel, med bred medvirkning.",
     "Planforslag lagt ut på høring", "Vedtak i formannskapet", "", date(YEAR, 9, 1), "1001"),
]

# (Ansattnr, Nr, Tiltak)
TILTAK = [
    (1001, 2, "Leder en tverrfaglig arbeidsgruppe for omstilling med tillitsvalgte og hovedverneombud."),
    (1001, 12, "Legger fram planprogram for formannskapet i mars."),
    (1002, 2, "Gjennomgår bemanning og innkjøp i helse og omsorg sammen med virksomhetslederne."),
    (1002, 10, "Bytter ut fossile tjenestebiler i hjemmetjenesten når leasingavtalene utløper."),
    (1003, 2, "Utreder ny skole- og barnehagestruktur som grunnlag for budsjettet for 2028."),
    (1004, 10, "Utarbeider årlig klimabudsjett sammen med økonomiavdelingen."),
    (1010, 3, "Gjennomfører ukentlige oppfølgingssamtaler med sykmeldte."),
    (1010, 3, "Tilrettelegger i samarbeid med NAV arbeidslivssenter."),
    (1010, 8, "Innfører kvartalsvise kvalitetsmøter med avvik som fast punkt."),
    (1011, 6, "Tar i bruk digitalt tilsyn hos 40 nye brukere."),
    (1011, 3, "Innfører nærværssamtaler i alle team."),
    (1012, 3, "Følger opp sykmeldte etter fast plan med samtale innen fire uker."),
    (1020, 9, "Innfører lesekurs for elever på 1.–4. trinn som ligger under kritisk grense."),
    (1020, 7, "Lærerne får opplæring i oppvekstportalen før skolestart."),
    (1021, 9, "Bruker resultatene fra kartleggingsprøvene i teammøtene hver måned."),
    (1022, 9, "Styrker språkarbeidet med fast språkgruppe to ganger i uken."),
    (1023, 4, "Gjennomfører personalseminar om resultatene i medarbeiderundersøkelsen."),
    (1030, 11, "Installerer driftsstyring av ventilasjon i fem skoler og to sykehjem."),
    (1030, 11, "Bytter ut ti dieselkjøretøy med elektriske."),
    (1031, 1, "Gjennomgår gebyrregulativet for byggesak for å sikre selvkost."),
    (1040, 3, "Etablerer turnus med flere hele stillinger i samarbeid med tillitsvalgte."),
    (1041, 6, "Kartlegger hvilke brukere i sone nord som kan få digitalt tilsyn."),
    (1042, 5, "Gjennomgår alle åpne avvik på vann og avløp hver fjortende dag."),
]

# (Ansattnr, Nr, Mål, Utgangspunkt): a service's own target and baseline for an assignment, printed in that
# leader's documents instead of the assignment's (sheet Måltall). Each service its own sickness figures.
MALTALL = [
    (1011, 3, "Sykefravær under 8 %", "9,2 % i 2026"),
    (1011, 6, "90 brukere med velferdsteknologi", "38 brukere"),
    (1020, 3, "Sykefravær under 5,5 %", "6,3 % i 2026"),
    (1022, 3, "Sykefravær under 7,5 %", "8,9 % i 2026"),
]

# (Ansattnr, Mål, Tiltak, Oppfølging). Personal, exempt from public access: appendix only.
UTVIKLINGSMAL = [
    (1001, "Utvikle en mer tillitsbasert styring av kommunalsjefene",
     "Deltar i lederutviklingsprogram for toppledere", "Samtale med ordføreren i juni og desember"),
    (1002, "Bli tryggere i krevende personalsaker", "Veiledning med HR-rådgiver hver måned", "Halvårlig samtale"),
    (1003, "Delegere mer og bruke tiden på strategisk arbeid", "Ukentlig prioriteringsmøte med stab",
     "Samtale med kommunedirektøren i august"),
    (1004, "Styrke kommunikasjonen med innbyggerne i planprosesser", "Kurs i klarspråk og medvirkning",
     "Evaluering etter høringsperioden"),
    (1010, "Utvikle meg som endringsleder", "Studium i endringsledelse (15 studiepoeng)", "Samtale i juni"),
    (1011, "Bedre balanse mellom drift og utvikling", "Fast utviklingsdag annenhver uke", "Oppfølging i ledermøte"),
    (1012, "Styrke samarbeidet med de kommunale tjenestene", "Deltar i kommunens ledermøter", "Halvårlig"),
    (1020, "Bli tydeligere i pedagogisk ledelse", "Rektorutdanningen, modul 2", "Samtale etter hver samling"),
    (1021, "Gi mer systematiske tilbakemeldinger til lærerne", "Klasseromsobservasjon og veiledning",
     "Samtale i oktober"),
    (1022, "Bygge et sterkere lederteam i barnehagen", "Felles lederveiledning med pedagogiske ledere",
     "Samtale i mai"),
    (1023, "Øke kunnskapen om økonomistyring", "Kurs i økonomistyring for ledere", "Ved tertialrapportene"),
    (1030, "Bli tryggere i mediehåndtering", "Medietrening med kommunikasjonsavdelingen", "Samtale i juni"),
    (1031, "Lede gjennom digital omstilling i byggesak", "Nettverk med andre kommuner", "Halvårlig"),
    (1040, "Bli tryggere i krevende samtaler med pårørende", "Kurs i kommunikasjon og konflikthåndtering",
     "Samtale i september"),
    (1041, "Prioritere egen ledertid bedre", "Fast planleggingstid hver fredag", "Samtale i juni"),
    # 1042 has no development goals: shows the warning.
]


# The kommunedirektør's agreement is with the kommunestyre, so it has its own template.
MAL = {1001: "lederavtale_kommunedirektor.docx"}

# Column Avdeling: the department inside the unit, for the avdelingsleder at the sykehjem.
AVDELING = {1040: "skjermet enhet"}

# Column Avtalesamtale: the January conversation each agreement is made in (before any Signert).
AVTALESAMTALE = {
    1001: date(YEAR, 1, 11), 1002: date(YEAR, 1, 12), 1003: date(YEAR, 1, 13), 1004: date(YEAR, 1, 14),
    1010: date(YEAR, 1, 18), 1011: date(YEAR, 1, 19), 1012: date(YEAR, 1, 20), 1020: date(YEAR, 1, 19),
    1021: date(YEAR, 1, 20), 1022: date(YEAR, 1, 21), 1023: date(YEAR, 1, 22), 1030: date(YEAR, 1, 21),
    1031: date(YEAR, 1, 22), 1040: date(YEAR, 1, 25), 1041: date(YEAR, 1, 26), 1042: date(YEAR, 1, 27),
}

# Column Oppfølging: the follow-up conversations agreed. Left empty for a few leaders, as HR
# often does, to show that the templates' own text stands then.
OPPFOLGING = {
    1001: "Ledersamtale med ordføreren i mai, evalueringssamtale i november",
    1002: "Ledersamtale 10.06.2027, oppfølgingssamtale 18.11.2027",
    1003: "Ledersamtale 12.06.2027, oppfølgingssamtale 20.11.2027",
    1004: "Ledersamtale 14.06.2027, oppfølgingssamtale 22.11.2027",
    1010: "Ledersamtale i juni, oppfølgingssamtale i november",
    1011: "Ledersamtale i juni, oppfølgingssamtale i november",
    1020: "Ledersamtale i juni, oppfølgingssamtale i desember",
    1030: "Ledersamtale i juni, oppfølgingssamtale i november",
    1040: "Ledersamtale i juni, oppfølgingssamtale i november",
}

def synthetic_fodselsnummer(born: date, individ: int) -> str:
    """A made-up fødselsnummer with both mod-11 control digits right: the birth date with 80 added to the
    month, as Skatteetaten's synthetic test numbers (Tenor) have it, so no real person can have it, and an
    individnummer (000–499 for someone born in the 1900s), moved on until both control digits exist."""
    for individ in range(individ, 500):
        digits = f"{born:%d}{born.month + 80:02d}{born:%y}{individ:03d}"
        for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
            control = (11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11) % 11
            if control == 10:
                break
            digits += str(control)
        else:
            return digits
    raise ValueError(f"ingen gyldig individnummer fra {individ} for {born}")


def synthetic_fodselsnumre(ledere, seed: int) -> dict[int, str]:
    """One made-up fødselsnummer per leader with an agreement, the same on every run: born in 1960–1985 on a
    date taken from the Ansattnr and `seed`, so the two examples get numbers of their own."""
    numbers = {}
    for nr, *_, avtale, _signert in ledere:
        if avtale != "ja":
            continue  # the ordfører is a party only, and is never archived
        n = nr * 7919 + seed
        born = date(1960 + n % 26, 1 + n // 26 % 12, 1 + n // 312 % 28)
        numbers[nr] = synthetic_fodselsnummer(born, n % 400)
    return numbers


# Column Fødselsnummer: made-up numbers (see synthetic_fodselsnummer). Used only when HR sets Plassering to
# personalmappe and Klasse to Fødselsnummer; the example archives in the sak (Plassering sak).
FODSELSNUMMER = synthetic_fodselsnumre(LEDERE, seed=0)

# (Prinsipp, Beskrivelse): the optional sheet Lederprinsipper, printed in every agreement.
LEDERPRINSIPPER = [
    ("Vi er tydelige", "Vi setter klare mål og forventninger, gir tilbakemeldinger og tar beslutninger i tide."),
    ("Vi skaper tillit", "Vi er til stede for medarbeiderne, deler informasjon åpent og holder det vi lover."),
    ("Vi samarbeider på tvers", "Vi ser kommunen som en helhet og løser oppgavene sammen med andre enheter, "
     "innbyggerne, tillitsvalgte og verneombud."),
    ("Vi utvikler tjenestene", "Vi legger til rette for læring og forbedring, og bruker erfaringer og resultater "
     "til å gjøre tjenestene bedre for innbyggerne."),
]


def ledere_rows(d) -> list[dict]:
    rows = []
    for nr, navn, stilling, enhet, niva, local, over, avtale, signert in d["LEDERE"]:
        rows.append({"Ansattnr": nr, "Navn": navn, "Stilling": stilling, "Enhet": enhet, "Nivå": niva,
                     "E-post": f"{local}@{d['DOMAIN']}" if local else None, "Overordnet": over, "Avtale": avtale,
                     "Mal": d["MAL"].get(nr), "Signert": signert, "Oppfølging": d["OPPFOLGING"].get(nr),
                     "Avdeling": d["AVDELING"].get(nr), "Avtalesamtale": d["AVTALESAMTALE"].get(nr),
                     "Fødselsnummer": d["FODSELSNUMMER"].get(nr)})
    return rows


def oppdrag_rows(d) -> list[dict]:
    keys = ("Nr", "Område", "Oppdrag", "Mål", "Målemetode", "Utgangspunkt", "Frist", "Gjelder")
    return [{k: (v if v != "" else None) for k, v in zip(keys, row)} for row in d["OPPDRAG"]]


def write_example_workbook(path: Path, d=None) -> Path:
    """`d`: the data by this module's names (KOMMUNE, LEDERE …); the nynorsk example passes its own."""
    d = d or globals()
    wb = build_workbook(
        kommune=d["KOMMUNE"],
        ledere=ledere_rows(d),
        oppdrag=oppdrag_rows(d),
        tiltak=[{"Ansattnr": a, "Nr": n, "Tiltak": t} for a, n, t in d["TILTAK"]],
        maltall=[{"Ansattnr": a, "Nr": n, "Mål": m, "Utgangspunkt": u} for a, n, m, u in d["MALTALL"]],
        utviklingsmal=[{"Ansattnr": a, "Mål": m, "Tiltak": t, "Oppfølging": o} for a, m, t, o in d["UTVIKLINGSMAL"]],
        lederprinsipper=[{"Prinsipp": p, "Beskrivelse": b} for p, b in d["LEDERPRINSIPPER"]],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --- the logo -------------------------------------------------------------------------------

BLUE = (22, 78, 140, 255)
SILVER = (255, 255, 255, 255)
RIM = (12, 45, 84, 255)


def _shield_outline(w: float, h: float, inset: float) -> list[tuple[float, float]]:
    """A classic heater shield: straight top and sides, curving to a point at the bottom."""
    left, right, top, bottom = inset, w - inset, inset, h - inset
    mid = w / 2
    shoulder = top + (bottom - top) * 0.48
    points = [(left, top), (right, top), (right, shoulder)]
    steps = 60
    # Right flank: a quarter ellipse from the shoulder to the point.
    for i in range(1, steps + 1):
        t = i / steps * math.pi / 2
        points.append((mid + (right - mid) * math.cos(t), shoulder + (bottom - shoulder) * math.sin(t)))
    for i in range(steps, -1, -1):
        t = i / steps * math.pi / 2
        points.append((mid - (mid - left) * math.cos(t), shoulder + (bottom - shoulder) * math.sin(t)))
    points.append((left, top))
    return points


def _wave(w: float, y: float, amplitude: float, thickness: float, periods: float) -> list[tuple[float, float]]:
    steps = 200
    upper = [(w * i / steps, y + amplitude * math.sin(2 * math.pi * periods * i / steps)) for i in range(steps + 1)]
    lower = [(x, yy + thickness) for x, yy in reversed(upper)]
    return upper + lower


def draw_logo(height: int = 400) -> Image.Image:
    """A two-tincture arms in the Norwegian tradition: a silver mountain over two silver waves, on blue."""
    scale = 4  # drawn large and scaled down, for smooth edges
    h = height * scale
    w = int(h * 0.82)
    shield = _shield_outline(w, h, inset=6 * scale)

    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).polygon(shield, fill=255)

    field = Image.new("RGBA", (w, h), BLUE)
    charge = ImageDraw.Draw(field)
    # The fjell: three peaks, the middle one highest.
    base = h * 0.56
    charge.polygon([(w * 0.10, base), (w * 0.30, h * 0.30), (w * 0.40, h * 0.40), (w * 0.55, h * 0.17),
                    (w * 0.70, h * 0.36), (w * 0.78, h * 0.29), (w * 0.92, base)], fill=SILVER)
    # The fjord: two waves below.
    for y in (h * 0.63, h * 0.75):
        charge.polygon(_wave(w, y, amplitude=h * 0.018, thickness=h * 0.045, periods=3), fill=SILVER)

    logo = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    logo.paste(field, (0, 0), mask)
    ImageDraw.Draw(logo).line(shield, fill=RIM, width=5 * scale, joint="curve")
    return logo.resize((w // scale, height), Image.LANCZOS)


def main() -> None:
    INPUT_DIR.mkdir(exist_ok=True)
    draw_logo().save(INPUT_DIR / "logo.png", optimize=True)
    path = write_example_workbook(INPUT_DIR / "eksempel.xlsx")
    print(f"Skrev {path.relative_to(ROOT)} og input/logo.png")


if __name__ == "__main__":
    main()
