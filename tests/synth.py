"""A synthetic municipality of any size, for tests and benchmarks.

`synthetic_sheets(n)` gives a valid sheets dict for `conftest.write_xlsx`: an ordfører
(Avtale=nei) above a kommunedirektør, ~6 kommunalsjefer, virksomhetsledere and
avdelingsledere, twelve assignments using every selector kind, measures that apply, and
development goals whose every text carries a token unique to the leader and the goal
(`UTVMÅL<ansattnr>M<k>`, `…T<k>`, `…O<k>`), so privacy tests can search for them.

It deliberately does not import the product: `expected_tildeling` evaluates the selectors
itself, so tests compare two independent implementations.
"""

from __future__ import annotations

import random
from datetime import date
from itertools import product
from pathlib import Path

from conftest import write_xlsx

YEAR = 2027
DOMAIN = "synthvik.kommune.no"
GOAL_MARKER = "UTVMÅL"  # every development-goal cell contains this, and nothing else does
FIRST_ANSATTNR = 10000
N_KOMMUNALSJEFER = 6

FIRST_NAMES = [
    "Kari", "Ola", "Åse", "Øystein", "Ingrid", "Bjørn", "Siri", "Håkon", "Marit", "Jørgen", "Solveig",
    "Tore", "Hanne", "Ståle", "Ragnhild", "Pål", "Kristin", "Geir", "Liv", "Even", "Tone", "Sindre",
    "Berit", "Åsmund", "Ingeborg", "Lars", "Mette", "Nils", "Randi", "Eirik", "Gro", "Torbjørn",
    "Astrid", "Per", "Sølvi", "Jon", "Hege", "Trond", "Ylva", "Kåre",
]
LAST_NAMES = [
    "Nordmann", "Sæther", "Bjørnstad", "Haugen", "Dahl", "Lie", "Strand", "Aas", "Hansen", "Johansen",
    "Berg", "Holm", "Nygård", "Sørli", "Fjeld", "Myhre", "Løvås", "Solberg", "Kvamme", "Ødegård",
    "Bakke", "Hagen", "Moe", "Rønning", "Ås", "Eriksen", "Lunde", "Bråten", "Vik", "Tangen",
    "Hovland", "Grønli", "Rød", "Engen", "Halvorsen", "Skår", "Næss", "Karlsen", "Østby", "Aune",
]
PLACES = [
    "Nordbyen", "Sørvika", "Åsen", "Bjørkelia", "Strand", "Lia", "Holmen", "Fjellstad", "Ødegården",
    "Kvernhusvika", "Solbakken", "Vestbygda", "Øvre Dal", "Nedre Dal", "Brekke", "Sjøsiden", "Furulund",
    "Rønningen", "Haugtun", "Elvebakken", "Skogly", "Bakkeby", "Tjønna", "Myra", "Høgda", "Kirkebyen",
    "Løkka", "Engtun", "Nesset", "Ørnes",
]
# (kommunalsjef's unit, kommunalsjef's title, kinds of units below, with {} for the place)
SECTORS = [
    ("Helse og omsorg", "Kommunalsjef helse og omsorg",
     ["{} sykehjem", "Hjemmetjenesten {}", "Bo og avlastning {}"]),
    ("Oppvekst", "Kommunalsjef oppvekst", ["{} skole", "{} barnehage"]),
    ("Kultur og fritid", "Kommunalsjef kultur", ["{} kulturskole", "{} bibliotek", "Fritidsklubben {}"]),
    ("Teknisk drift", "Kommunalsjef teknisk", ["Vei og park {}", "Vann og avløp {}", "Eiendom {}"]),
    ("Samfunnsutvikling", "Kommunalsjef samfunnsutvikling", ["Plan og byggesak {}", "Landbruk og miljø {}"]),
    ("Økonomi og organisasjon", "Kommunalsjef økonomi og organisasjon", ["Økonomi {}", "Personal {}", "IKT {}"]),
]
DEPARTMENTS = ["avdeling nord", "avdeling sør", "avdeling øst", "avdeling vest", "team 1", "team 2", "skjermet enhet"]
MEASURES = [
    "Gjennomgår status månedlig i ledermøtet",
    "Lager en handlingsplan sammen med tillitsvalgte og verneombud",
    "Rapporterer fremdrift i tertialrapportene",
    "Setter av tid til temaet på personalmøtene",
    "Innfører faste oppfølgingssamtaler",
    "Samarbeider med de andre enhetene i sektoren",
]
GOALS = [
    "Bli tryggere i krevende personalsamtaler", "Delegere mer til teamlederne", "Styrke egen endringsledelse",
    "Bli tydeligere i kommunikasjonen med ansatte", "Bedre balanse mellom drift og utvikling",
    "Øke kunnskapen om økonomistyring", "Bli tryggere i mediehåndtering",
]
GOAL_MEASURES = ["Lederutviklingsprogram", "Veiledning med HR-rådgiver", "Kurs", "Hospitering i en annen kommune"]
MONTHS = ["mars", "juni", "september", "desember"]

HEADERS = {
    "Kommune": ["Felt", "Verdi"],
    "Ledere": ["Ansattnr", "Navn", "Stilling", "Enhet", "Nivå", "E-post", "Overordnet", "Avtale", "Mal",
               "Signert", "Kostnadssted"],
    "Oppdrag": ["Nr", "Område", "Oppdrag", "Mål", "Målemetode", "Utgangspunkt", "Frist", "Gjelder"],
    "Tiltak": ["Ansattnr", "Nr", "Tiltak"],
    "Utviklingsmål": ["Ansattnr", "Mål", "Tiltak", "Oppfølging"],
}


def synthetic_sheets(n_leaders: int = 130, seed: int = 1, with_goals: bool = True,
                     measures: int | None = None, goals: int | None = None) -> dict[str, list[list]]:
    """A valid workbook with `n_leaders` leaders with Avtale=ja, plus the ordfører (Avtale=nei).

    Each leader has 1–3 own measures and 1–3 development goals, or exactly `measures` and
    `goals` when given. The same arguments always give the same sheets.
    """
    if n_leaders < 1:
        raise ValueError("n_leaders must be at least 1")
    rng = random.Random(seed)
    people = _people(n_leaders, rng)
    oppdrag = _oppdrag(people)
    tildeling = _tildeling(people, [(row[0], row[7]) for row in oppdrag])
    return {
        "Kommune": [HEADERS["Kommune"]] + _kommune(),
        "Ledere": [HEADERS["Ledere"]] + [_leder_row(p) for p in people],
        "Oppdrag": [HEADERS["Oppdrag"]] + oppdrag,
        "Tiltak": [HEADERS["Tiltak"]] + _tiltak(people, tildeling, rng, measures),
        "Utviklingsmål": [HEADERS["Utviklingsmål"]] + (_goals(people, rng, goals) if with_goals else []),
    }


def synthetic_workbook(path: Path, n_leaders: int = 130, **kw) -> Path:
    return write_xlsx(Path(path), synthetic_sheets(n_leaders, **kw))


def expected_tildeling(sheets: dict[str, list[list]]) -> dict[str, list[str]]:
    """Ansattnr -> Nr of every assignment that applies, in workbook order, for each leader with
    Avtale=ja, evaluated from the sheets alone (the spec's selector rules)."""
    people = [_person_from_row(dict(zip(sheets["Ledere"][0], row))) for row in sheets["Ledere"][1:]]
    header = sheets["Oppdrag"][0]
    nr_col, gjelder_col = header.index("Nr"), header.index("Gjelder")
    oppdrag = [(row[nr_col], row[gjelder_col]) for row in sheets["Oppdrag"][1:]]
    return {k: [str(nr) for nr in v] for k, v in _tildeling(people, oppdrag).items()}


def goal_texts(sheets: dict[str, list[list]], ansattnr: str | int) -> list[str]:
    """Every non-empty text of one leader's development goals (Mål, Tiltak, Oppfølging)."""
    return [text for row in sheets["Utviklingsmål"][1:] if str(row[0]) == str(ansattnr)
            for text in row[1:] if text]


# --- people ---------------------------------------------------------------------------------

def _people(n_leaders: int, rng: random.Random) -> list[dict]:
    names = _names(n_leaders + 1, rng)
    ids = iter(range(FIRST_ANSATTNR, FIRST_ANSATTNR + n_leaders + 1))
    signed_day = iter(range(10**6))

    def person(stilling, enhet, niva, over, avtale="ja"):
        nr = next(ids)
        navn = names[nr - FIRST_ANSATTNR]
        # Every fourth leader has signed, so `arkiv` has something to do without --alle.
        k = next(signed_day)
        signert = date(YEAR, 1, 10 + k % 18) if avtale == "ja" and k % 4 == 1 else None
        return {"ansattnr": str(nr), "navn": navn, "stilling": stilling, "enhet": enhet, "niva": niva,
                "epost": f"{_mail_local(navn)}@{DOMAIN}", "overordnet": over, "avtale": avtale,
                "signert": signert, "kostnadssted": 1000 + nr % 1000}

    ordforer = person("Ordfører", "Politisk ledelse", "ordfører", None, "nei")
    kd = person("Kommunedirektør", "Kommunedirektørens stab", "kommunedirektør", ordforer["ansattnr"])
    people = [ordforer, kd]
    rest = n_leaders - 1
    n_ks = min(N_KOMMUNALSJEFER, rest)
    kommunalsjefer = [person(SECTORS[i][1], SECTORS[i][0], "kommunalsjef", kd["ansattnr"]) for i in range(n_ks)]
    people += kommunalsjefer
    rest -= n_ks
    n_vl = -(-rest // 3)  # about two avdelingsledere per virksomhetsleder
    virksomhetsledere = []
    for i in range(n_vl):
        s = i % n_ks
        j = i // n_ks
        kinds = SECTORS[s][2]
        place = PLACES[j % len(PLACES)] + ("" if j < len(PLACES) else f" {j // len(PLACES) + 1}")
        enhet = kinds[j % len(kinds)].format(place)
        virksomhetsledere.append(person("Virksomhetsleder", enhet, "virksomhetsleder", kommunalsjefer[s]["ansattnr"]))
    people += virksomhetsledere
    for i in range(rest - n_vl):
        vl = virksomhetsledere[i % n_vl]
        department = DEPARTMENTS[(i // n_vl) % len(DEPARTMENTS)]
        people.append(person(f"Avdelingsleder {department}", vl["enhet"], "avdelingsleder", vl["ansattnr"]))
    return people


def _names(count: int, rng: random.Random) -> list[str]:
    pairs = list(product(FIRST_NAMES, LAST_NAMES))
    rng.shuffle(pairs)
    names = []
    for i in range(count):
        first, last = pairs[i % len(pairs)]
        block = i // len(pairs)
        middle = f" {FIRST_NAMES[(block - 1) % len(FIRST_NAMES)]}" if block else ""
        names.append(f"{first}{middle} {last}")
    return names


def _mail_local(navn: str) -> str:
    ascii_name = navn.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    return ".".join(ascii_name.split())


def _leder_row(p: dict) -> list:
    over = int(p["overordnet"]) if p["overordnet"] else None
    return [int(p["ansattnr"]), p["navn"], p["stilling"], p["enhet"], p["niva"], p["epost"], over,
            p["avtale"], None, p["signert"], p["kostnadssted"]]


def _person_from_row(row: dict) -> dict:
    over = row.get("Overordnet")
    return {"ansattnr": str(row["Ansattnr"]), "enhet": row["Enhet"], "niva": row["Nivå"] or "",
            "overordnet": str(over) if over not in (None, "") else None,
            "avtale": (row.get("Avtale") or "ja").strip().lower()}


# --- assignments ----------------------------------------------------------------------------

def _kommune() -> list[list]:
    return [
        ["Kommunenavn", "Synthvik kommune"],
        ["Periode", YEAR],
        ["Adresse", "Rådhusgata 1, 9990 Synthvik"],
        ["Telefon", "78 00 00 00"],
        ["E-post", f"postmottak@{DOMAIN}"],
        ["Nettside", f"www.{DOMAIN}"],
        ["Sted", "Synthvik"],
        ["Avsender", f"hr@{DOMAIN}"],
        ["Arkivsak", f"{YEAR}/4711"],
        ["Målform", "bokmål"],
        ["Tilgangskode", "P"],
    ]


def _oppdrag(people: list[dict]) -> list[list]:
    by_level: dict[str, list[dict]] = {}
    for p in people:
        by_level.setdefault(p["niva"], []).append(p)
    kd = by_level["kommunedirektør"][0]

    def pick(level: str, i: int) -> dict:
        # Small municipalities lack some levels: fall back to the kommunedirektør, who always exists.
        group = by_level.get(level, [])
        return group[i % len(group)] if group else kd

    ks0, ks1, ks2 = pick("kommunalsjef", 0), pick("kommunalsjef", 1), pick("kommunalsjef", 2)
    vl0, vl1, vl2, vl3 = (pick("virksomhetsleder", i) for i in range(4))
    end = date(YEAR, 12, 31)
    # (Område, Oppdrag, Mål, Målemetode, Utgangspunkt, Frist, Gjelder): every selector kind, both
    # separators, and selector values in another case than in the Ledere sheet.
    rows = [
        ("Økonomi", "Drive innenfor vedtatt budsjettramme.", "Avvik under 1 %", "Månedsrapport",
         "Merforbruk 2,4 %", end, "alle"),
        ("Økonomi", "Gjennomføre omstilling tilsvarende 1,5 % av netto driftsramme.", "Tiltak vedtatt",
         "Budsjettvedtak", "", date(YEAR, 10, 1), "nivå:kommunedirektør; nivå:kommunalsjef"),
        ("Sykefravær", "Redusere sykefraværet\nmed systematisk oppfølging av sykmeldte.", "Under 6,7 %",
         "Fraværsstatistikk", "8,1 %", end, "nivå:Virksomhetsleder, nivå:AVDELINGSLEDER"),
        ("HMS", "Følge opp medarbeiderundersøkelsen med handlingsplan.", "Handlingsplan i alle enheter",
         "Kvalitetssystemet", "60 %", date(YEAR, 6, 30), "alle"),
        ("HMS", "Lukke avvik innen fristen.", "90 % innen fristen", "Avvikssystemet", "72 %", end,
         f"under:{kd['ansattnr']}"),
        ("Digitalisering", "Ta i bruk velferdsteknologi.", "150 brukere", "Fagsystemet", "64 brukere",
         date(YEAR, 11, 30), f"under:{ks0['ansattnr']}"),
        ("Digitalisering", "Innføre digital oppvekstportal.", "I bruk i alle enheter", "Bruksstatistikk",
         "Ikke innført", date(YEAR, 8, 15), f"under:{ks1['ansattnr']}; {ks1['ansattnr']}"),
        ("Kvalitet", "Styrke internkontrollen.", "Ledelsens gjennomgang", "Rapport", "", date(YEAR, 11, 1),
         f"enhet:{vl0['enhet']}; enhet:{ks2['enhet'].lower()}"),
        ("Kvalitet", "Styrke tidlig innsats.", "Færre under kritisk grense", "Kartleggingsprøver", "14 %",
         date(YEAR, 6, 20), f"enhet:{vl1['enhet'].upper()}"),
        ("Klima", "Redusere klimagassutslippene fra egen drift.", "10 % lavere utslipp", "Klimaregnskap",
         "2 140 tonn", end, "nivå:kommunalsjef"),
        ("Klima", "Energieffektivisere kommunale bygg.", "8 % lavere forbruk", "Energioppfølging",
         "11,2 GWh", end, f"{vl2['ansattnr']}, {vl3['ansattnr']}"),
        ("Planarbeid", "Lede rulleringen av kommuneplanens samfunnsdel.", "Planforslag på høring",
         "Formannskapets vedtak", "", date(YEAR, 9, 1), kd["ansattnr"]),
    ]
    return [[nr, *row] for nr, row in enumerate(rows, start=1)]


def _tildeling(people: list[dict], oppdrag: list[tuple]) -> dict[str, list[int]]:
    """The spec's selector rules, evaluated independently of the product.

    `oppdrag` holds (Nr, Gjelder) pairs in workbook order.
    """
    leaders = [p for p in people if p["avtale"] != "nei"]
    by_nr = {p["ansattnr"]: p for p in people}
    children: dict[str, list[str]] = {}
    for p in people:
        if p["overordnet"]:
            children.setdefault(p["overordnet"], []).append(p["ansattnr"])
    # `alle` leaves out the kommunedirektør, who issues the styringsbrev: the leader whose
    # superior is the top of the hierarchy and only a party (the ordfører, Avtale=nei).
    kommunedirektor = {p["ansattnr"] for p in leaders if p["overordnet"] in by_nr
                       and by_nr[p["overordnet"]]["avtale"] == "nei" and not by_nr[p["overordnet"]]["overordnet"]}
    everyone = [p for p in leaders if p["ansattnr"] not in kommunedirektor]
    result: dict[str, list[int]] = {p["ansattnr"]: [] for p in leaders}
    for nr, gjelder in oppdrag:
        chosen: set[str] = set()
        for selector in gjelder.replace(";", ",").split(","):
            chosen |= _select(selector.strip(), leaders, everyone, children)
        for p in leaders:
            if p["ansattnr"] in chosen:
                result[p["ansattnr"]].append(nr)
    return result


def _select(selector: str, leaders: list[dict], everyone: list[dict], children: dict[str, list[str]]) -> set[str]:
    kind, _, value = selector.partition(":")
    kind, value = kind.strip().lower(), value.strip().casefold()
    if kind == "alle":
        return {p["ansattnr"] for p in everyone}
    if kind == "nivå":
        return {p["ansattnr"] for p in leaders if p["niva"].casefold() == value}
    if kind == "enhet":
        return {p["ansattnr"] for p in leaders if p["enhet"].casefold() == value}
    if kind in ("under", "selv-og-under"):
        below, todo = set(), list(children.get(value, []))
        while todo:
            nr = todo.pop()
            below.add(nr)
            todo.extend(children.get(nr, []))
        if kind == "selv-og-under":
            below.add(value)
        return below & {p["ansattnr"] for p in leaders}
    return {kind} & {p["ansattnr"] for p in leaders}


# --- measures and goals ---------------------------------------------------------------------

def _tiltak(people: list[dict], tildeling: dict[str, list[int]], rng: random.Random, count: int | None) -> list[list]:
    rows = []
    for p in people:
        assigned = tildeling.get(p["ansattnr"])
        if not assigned:
            continue
        for nr in sorted(rng.sample(assigned, min(len(assigned), count or rng.randint(1, 3)))):
            rows.append([int(p["ansattnr"]), nr, f"{rng.choice(MEASURES)} ({p['enhet']})."])
    return rows


def _goals(people: list[dict], rng: random.Random, count: int | None) -> list[list]:
    rows = []
    for p in people:
        if p["avtale"] == "nei":
            continue
        token = f"{GOAL_MARKER}{p['ansattnr']}"
        for k in range(1, (count or rng.randint(1, 3)) + 1):
            rows.append([int(p["ansattnr"]), f"{token}M{k} {rng.choice(GOALS)}",
                         f"{token}T{k} {rng.choice(GOAL_MEASURES)}", f"{token}O{k} Samtale i {rng.choice(MONTHS)}"])
    return rows
