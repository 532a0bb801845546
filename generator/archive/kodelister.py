"""KS' Fiks Arkiv code lists (schemas/fiks-arkiv/kodelister/), the one source of every archive code.

A code is looked up here rather than typed where it is used, so a code that is not in KS' list
fails at import, and the Noark 5 export (which writes the description) and the Fiks message
(which writes code and description) cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

KODELISTER = Path(__file__).resolve().parent / "schemas" / "fiks-arkiv" / "kodelister"


@dataclass(frozen=True)
class Kode:
    kode: str
    beskrivelse: str


@cache
def _liste(navn: str) -> dict[str, str]:
    data = json.loads((KODELISTER / f"{navn}.json").read_text(encoding="utf-8"))
    return {entry["kodeverdi"]: entry["kodebeskrivelse"] for entry in data["kodeliste"]}


def kode(liste: str, verdi: str) -> Kode:
    """The code `verdi` of the list `liste` with KS' description; KeyError if KS has no such code."""
    return Kode(verdi, _liste(liste)[verdi])
