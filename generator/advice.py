"""Advice to the user, as data: what to do next, said by each front end in its own words.

A job that tells the user to overwrite, to give a date or to run another step does not know whether a
terminal or the web page shows it. It writes a token (`advice("overskriv")`, `run("generer")`) into
its message; the terminal says «bruk --overskriv» and «kjør «lederavtale generer»», the web page
names the checkbox, the field or the page instead. Neither front end ever shows the other's words.

A token is `⟦key⟧` or `⟦key|argument⟧`; `words(text, front)` replaces every one. A token at the start
of a sentence gets a capital letter, so that one piece of advice serves in the middle of a sentence
and at its start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TERMINAL, WEB = "terminal", "web"


@dataclass(frozen=True)
class Advice:
    terminal: str  # may hold {arg}
    web: str  # may hold {arg}; names a page, a field, a button or a checkbox, never an option or a command


# Each written mid-sentence, lowercase.
ADVICE = {
    "overskriv": Advice("bruk --overskriv",
                        "kryss av for «Erstatt dokumenter som er endret for hånd» på siden Avtaler"),
    "overskriv_pdf": Advice("kjør med PDF og --overskriv",
                            "lag avtalene med PDF og kryss av for «Erstatt dokumenter som er endret for hånd» på "
                            "siden Avtaler"),
    "overskriv_status": Advice("bruk --overskriv for å lage en ny statusbok",
                               "last ned den endrede statusboken og bruk den, eller be IT flytte den bort, så lages "
                               "en ny"),
    "ingen_pdf": Advice("kjør med --ingen-pdf for å lage bare Word-filer",
                        "ta bort krysset for «Lag PDF/A» for å lage bare Word-filer"),
    "skrivbar_ut": Advice("velg en mappe du har skrivetilgang til med --ut",
                          "be IT gi nettsiden skrivetilgang til mappen dokumentene lagres i"),
    "tillit": Advice("bruk --tillit MAPPE med utstedernes CA-sertifikater, eller legg dem i {arg}",
                     "legg inn utstedernes sertifikater under «Klarerte utstedere» på siden Innstillinger"),
    "dato": Advice("oppgi --dato", "fyll inn signeringsdatoen i feltet for skannede kopier på siden Signering"),
    "send_igjen": Advice("send med --leder {arg} --send-igjen",
                         "velg lederen under «Send på nytt til én leder» på siden E-post"),
    "send_igjen_paminnelse": Advice("send med --paminnelse --leder {arg} --send-igjen",
                                    "lag et utkast til påminnelsen på siden E-post og send det fra Outlook"),
    "kvitteringer": Advice("les kvitteringene fra arkivet inn på nytt med --kvitteringer",
                           "last opp kvitteringene fra arkivet på nytt på siden Arkiv"),
    "godta_usignert": Advice("bruk --godta-usignert",
                             "kryss av for «Arkiver Word-filen som ferdig …» på siden Arkiv"),
    "alle": Advice("--alle tar dem med", "«Ta med alle avtaler» på siden Arkiv tar dem med"),
    "alle_brukt": Advice("fordi --alle er brukt", "fordi «Ta med alle avtaler» er valgt"),
    "godta_usignert_valg": Advice("med --godta-usignert", "med «Arkiver Word-filen som ferdig …» valgt"),
    "godta_usignert_brukt": Advice("og --godta-usignert er brukt",
                                   "og «Arkiver Word-filen som ferdig …» er valgt"),
    "arkiver_igjen": Advice("--arkiver-igjen --leder ANSATTNR sender en leder på nytt",
                            "IT kan sende en leder på nytt"),
    "kodelister": Advice("bruk --kodelister MAPPE", "last opp kodelistene fra arkivet på siden Arkiv"),
    "sjekk_ny": Advice("kontroller den med: lederavtale sjekk \"{arg}\"",
                       "last den ned, fyll den ut, og last den opp på siden Arbeidsbok når det nye året begynner"),
    "igjen": Advice("kjør samme kommando igjen", "start den samme jobben igjen"),
    "fyll_ut": Advice("fyll ut i Word og kjør signering igjen (eller lever inn den utfylte filen med "
                      "«lederavtale innlevert» først)",
                      "fyll ut i Word, lever inn filen på siden Avtaler, og lag kopiene til signering igjen"),
    "lever_inn": Advice("lever inn filen med «lederavtale innlevert» hvis den er redigert utenfor utmappen",
                        "lever inn filen på siden Avtaler"),
    "maler": Advice("se lederavtale maler", "se feltlisten i veiledningen for malene"),
    "init": Advice("lag en ny med «lederavtale init»", "be IT lage en ny fra verktøyets mal"),
    "init_mal": Advice("lederavtale init lager en ny kopi", "be IT legge inn en ny kopi"),
}

# The step a command is on the web page, for «kjør «lederavtale X»».
STEPS = {
    "generer": "lag avtalene på siden Avtaler",
    "signering": "lag kopiene til signering på siden Signering",
    "signert": "last opp den signerte kopien på siden Signering",
    "arkiv": "lag arkivpakken på siden Arkiv",
    "oppfolging": "lag oppfølgingsdokumentene på siden Oppfølging og status",
    "status": "last opp statusboken på siden Oppfølging og status",
    "sjekk": "last opp arbeidsboken på siden Arbeidsbok",
    "epost": "gå til siden E-post",
    "innlevert": "lever inn Word-filene på siden Avtaler",
    "nytt-ar": "lag neste års arbeidsbok på siden Neste år",
}

# The step of the year that follows each command when it went well: said after the run as «Neste steg».
NEXT = {
    "sjekk": "generer",
    "generer": "epost",
    "epost": "innlevert",  # after the avtalesamtale, the edited Word files come back
    "innlevert": "signering",
    "signering": "signert",
    "signert": "arkiv",
    "arkiv": "oppfolging",
    "oppfolging": "status",
    "status": "nytt-ar",
}

_TOKEN = re.compile(r"⟦([a-z_]+)(?:\|([^⟦⟧]*))?⟧")
_SENTENCE_START = re.compile(r"(?:^\s*|[.!?]\s+)$")


def advice(key: str, arg: str = "") -> str:
    """The token for the advice `key` (a KeyError for an unknown one: a typo must fail in the tests)."""
    ADVICE[key]
    return f"⟦{key}|{_clean(arg)}⟧" if arg else f"⟦{key}⟧"


def run(command: str) -> str:
    """«kjør «lederavtale <command>»» on the terminal, the page and the button on the web."""
    STEPS[command]
    return f"⟦kjor|{command}⟧"


def next_step(command: str) -> str:
    """«Neste steg: …» after `command`, in each front end's words (a KeyError for a command without one)."""
    return f"Neste steg: {run(NEXT[command])}."


def _clean(arg: str) -> str:
    return str(arg).replace("⟦", "").replace("⟧", "").replace("|", "/")


def words(text: str, front: str) -> str:
    """`text` with every token said as `front` (TERMINAL or WEB) says it."""
    if "⟦" not in text:
        return text

    def say(match: re.Match) -> str:
        key, arg = match.group(1), match.group(2) or ""
        if key == "kjor":
            said = f"kjør «lederavtale {arg}»" if front == TERMINAL else STEPS.get(arg, "")
        else:
            found = ADVICE.get(key)
            if found is None:
                return match.group(0)
            said = (found.terminal if front == TERMINAL else found.web).format(arg=arg)
        before = text[:match.start()]
        return said[:1].upper() + said[1:] if _SENTENCE_START.search(before) else said

    return _TOKEN.sub(say, text)
