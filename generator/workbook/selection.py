"""The leaders a run is for: every leader with an agreement, or those chosen with --leder and --enhet."""

from __future__ import annotations

from ..exceptions import InvalidInput
from ..model import Arbeidsbok, Leder, Problem


def select_leaders(bok: Arbeidsbok, ledere=(), enhet: str | None = None) -> list[Leder]:
    problems = []
    known = {leder.ansattnr: leder for leder in bok.ledere}
    for nr in ledere:
        if nr not in known:
            problems.append(Problem("--leder", f"«{nr}» finnes ikke i arket Ledere"))
        elif not known[nr].avtale:
            problems.append(Problem("--leder", f"«{nr}» har Avtale=nei og får ingen avtale"))
    selected = [leder for leder in bok.avtaleledere() if not ledere or leder.ansattnr in ledere]
    if enhet:
        selected = [leder for leder in selected if leder.enhet.strip().casefold() == enhet.strip().casefold()]
        if not selected:
            problems.append(Problem("--enhet", f"ingen ledere med avtale i enheten «{enhet}»"))
    if problems:
        raise InvalidInput(problems, heading="Ugyldig utvalg. Ingenting er skrevet.")
    return selected
