"""Bokmål words in a nynorsk workbook: a warning for each cell of free text that holds one.

The templates speak the workbook's målform, but the texts HR writes into the workbook are printed as
they are, so a nynorsk municipality whose assignments were copied from a bokmål styringsbrev gets a
half-bokmål agreement. The check knows only words that are bokmål and never correct nynorsk; a
shorter list that is always right beats a longer one that cries wolf.
"""

from __future__ import annotations

import re

from ..model import Kommune
from . import columns
from .cells import Cells, Table
from .values import clean_text, quoted

# Each word with its nynorsk form beside it, so that the list can be checked by eye. Words that are
# correct in both målformer («også», «skole», «mellom», «bare») are left out on purpose, and so are
# forms nynorsk allows as alternatives.
BOKMAL_ONLY = {
    "ikke": "ikkje",
    "hva": "kva",
    "hvem": "kven",
    "hvor": "kvar",
    "hvordan": "korleis",
    "hvorfor": "kvifor",
    "hvilke": "kva for",
    "hvilken": "kva for ein",
    "hvilket": "kva for eit",
    "hvis": "viss",
    "hver": "kvar",
    "hvert": "kvart",
    "hverandre": "kvarandre",
    "noen": "nokon",
    "noe": "noko",
    "mye": "mykje",
    "jeg": "eg",
    "være": "vere",  # also «skal være» → «skal vere»
    "sammen": "saman",
    "enhet": "eining",
    "enheten": "eininga",
    "enheter": "einingar",
    "enhetene": "einingane",
    "leder": "leiar",
    "lederen": "leiaren",
    "ledere": "leiarar",
    "lederne": "leiarane",
    "ledelse": "leiing",
    "ledelsen": "leiinga",
    "sykefravær": "sjukefråvær",
    "sykefraværet": "sjukefråværet",
    "fravær": "fråvær",
    "tjeneste": "teneste",
    "tjenesten": "tenesta",
    "tjenester": "tenester",
    "tjenestene": "tenestene",
    "uke": "veke",
    "uken": "veka",
}

_WORDS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, BOKMAL_ONLY), key=len, reverse=True)) + r")\b",
                    re.IGNORECASE)

# The columns HR writes prose in. Names (Navn, Enhet), addresses, numbers, dates and selectors
# (Gjelder) are left alone: a unit's name is what it is, whatever the målform.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    columns.LEDERE.name: ("stilling", "oppfolging"),
    columns.OPPDRAG.name: ("omrade", "tekst", "mal", "malemetode", "utgangspunkt"),
    columns.TILTAK.name: ("tekst",),
    columns.MALTALL.name: ("mal", "utgangspunkt"),
    columns.UTVIKLINGSMAL.name: ("mal", "tiltak", "oppfolging"),
    columns.LEDERPRINSIPPER.name: ("prinsipp", "beskrivelse"),
}


def bokmal_words(text: str) -> list[str]:
    """The bokmål-only words in a text, each once, in the order they first appear, as written."""
    seen: dict[str, str] = {}
    for match in _WORDS.finditer(text):
        seen.setdefault(match.group(0).casefold(), match.group(0))
    return list(seen.values())


def check_malform(c: Cells, sheets: dict[str, Table | None], kommune: Kommune | None) -> None:
    """A warning for every free-text cell of a nynorsk workbook that holds a bokmål-only word.

    The warning names the cell and the listed words, never the cell's text: Utviklingsmål is exempt
    from public access, and a warning goes wherever the run's warnings go."""
    if kommune is None or kommune.malform != "nynorsk":
        return
    for name, keys in FREE_TEXT.items():
        sheet = sheets.get(name)
        if sheet is None:
            continue
        for row in sheet.rows:
            for key in keys:
                value = row.get(sheet.columns.get(key))
                words = bokmal_words(clean_text(value)) if isinstance(value, str) else []
                if words:
                    listed = ", ".join(quoted(w) for w in words)
                    c.warn(sheet.place(row, key), f"{listed} er bokmål, men arbeidsboken har målform nynorsk")
