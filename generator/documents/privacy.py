"""Last line of defence: a public text must not contain the leader's development goals.

Used for every agreement before it is written and for every e-mail before it is built.
"""

from __future__ import annotations

import re

from ..exceptions import PrivacyViolation
from ..model import Arbeidsbok, Leder

# Goal texts shorter than this ("Høst", "Samtale i juni") occur naturally in agreements.
GUARD_MIN_LENGTH = 20


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def privacy_guard(bok: Arbeidsbok, leder: Leder, public_text: str,
                  dokument: tuple[str, str] = ("lederavtalen", "Avtalen")) -> None:
    """PrivacyViolation when `public_text` holds one of the leader's goal texts.

    `dokument` names the public document in the message, mid-sentence and at its start.

    The message names the leader and the cells, never the goal's text.
    """
    haystack = _normalise(public_text)
    for goal in bok.utviklingsmal_for(leder):
        for text in (goal.mal, goal.tiltak, goal.oppfolging):
            needle = _normalise(text)
            if len(needle) >= GUARD_MIN_LENGTH and needle in haystack:
                sources = [f"Tiltak rad {t.rad}" for t in bok.tiltak if t.ansattnr == leder.ansattnr and needle in _normalise(t.tekst)]
                sources += [f"Oppdrag rad {o.rad}" for o in bok.oppdrag_for(leder) if needle in _normalise(" ".join(
                    (o.tekst, o.mal, o.malemetode, o.utgangspunkt)))]
                where = f" (samme tekst står i {', '.join(sources)})" if sources else ""
                raise PrivacyViolation(
                    f"Personvernsperre: {dokument[0]} inneholder tekst fra utviklingsmålet i "
                    f"Utviklingsmål rad {goal.rad}{where}. {dokument[1]} er ikke skrevet; rett arbeidsboken og kjør på nytt."
                )
