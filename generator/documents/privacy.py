"""Last line of defence: no public text may hold any leader's development goal.

Every public text the tool writes is read before it is written: agreements and follow-up
documents, the e-mail texts, the status report and the archive titles. The goals of every
leader in the workbook count, not only the document's own leader's: a measure or a status
comment may quote a colleague's goal as easily as one's own.

What it catches: a goal's text (Mål, Tiltak or Oppfølging), or any one sentence or line of
it, of at least `GUARD_MIN_LENGTH` characters, anywhere in a public text, whatever the case,
the spacing or the line breaks. What it cannot catch: a goal retold in other words, a part of
a sentence, or text shorter than the limit, which would stop agreements for words that occur
in them naturally ("Høst", "Samtale i juni").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..exceptions import PrivacyViolation
from ..model import Arbeidsbok, Leder, Utviklingsmal

GUARD_MIN_LENGTH = 20

# Soft hyphens and zero-width characters are invisible on the page, so they must not hide a goal.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_EDGE = re.compile(r"^\W+|\W+$")
_WORD_START = re.compile(r"(?<!\w)\w")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", _INVISIBLE.sub("", text)).strip().casefold()


def _needles(text: str) -> set[str]:
    """The goal text as a whole and each of its sentences or lines, trimmed of punctuation at the
    edges (a quote or a list mark around it changes nothing), of at least the minimum length."""
    pieces = [text] + _SENTENCE_END.split(text)
    found = {_EDGE.sub("", normalise(piece)) for piece in pieces}
    return {piece for piece in found if len(piece) >= GUARD_MIN_LENGTH}


@dataclass(frozen=True)
class _Needle:
    text: str
    goal: Utviklingsmal


class PrivacyGuard:
    """Every goal text of the workbook, indexed once, so a public text is read once whatever
    the number of leaders: each word start is looked up by the first `GUARD_MIN_LENGTH`
    characters of the needles, and only a needle that begins there is compared in full."""

    def __init__(self, bok: Arbeidsbok):
        self.bok = bok
        self._by_prefix: dict[str, list[_Needle]] = {}
        for goal in bok.utviklingsmal:
            needles = set().union(*(_needles(text) for text in (goal.mal, goal.tiltak, goal.oppfolging)))
            for needle in sorted(needles):
                self._by_prefix.setdefault(needle[:GUARD_MIN_LENGTH], []).append(_Needle(needle, goal))

    def found(self, public_text: str) -> list[tuple[Utviklingsmal, str]]:
        """Each goal whose text occurs in `public_text`, with the (normalised) text found; workbook order."""
        if not self._by_prefix:
            return []
        haystack = normalise(public_text)
        hits: dict[int, tuple[Utviklingsmal, str]] = {}
        for start in _WORD_START.finditer(haystack):
            i = start.start()
            for needle in self._by_prefix.get(haystack[i:i + GUARD_MIN_LENGTH], ()):
                if id(needle.goal) not in hits and haystack.startswith(needle.text, i):
                    hits[id(needle.goal)] = (needle.goal, needle.text)
        return sorted(hits.values(), key=lambda hit: hit[0].rad)

    def check(self, public_text: str, leder: Leder | None = None,
              dokument: tuple[str, str] = ("lederavtalen", "Avtalen"), kilde: str = "") -> None:
        """PrivacyViolation when `public_text` holds a goal text of any leader.

        `dokument` names the public document in the message, mid-sentence and at its start;
        `leder` is the leader it is about, whose measures and assignments are searched for the
        text so that HR learns which cell to correct; `kilde` names that cell when the caller
        knows it. The message names leaders and cells, never the goal's text.
        """
        hits = self.found(public_text)
        if not hits:
            return
        goal, needle = hits[0]
        if leder is None:
            whose = f" (Ansattnr {goal.ansattnr})"
        elif goal.ansattnr != leder.ansattnr:
            whose = f" (en annen leders utviklingsmål, Ansattnr {goal.ansattnr})"
        else:
            whose = ""
        sources = [kilde] if kilde else self._sources(leder, needle)
        where = f" (samme tekst står i {', '.join(sources)})" if sources else ""
        raise PrivacyViolation(
            f"Personvernsperre: {dokument[0]} inneholder tekst fra utviklingsmålet i Utviklingsmål rad "
            f"{goal.rad}{whose}{where}. {dokument[1]} er ikke skrevet; rett arbeidsboken og kjør på nytt.")

    def _sources(self, leder: Leder | None, needle: str) -> list[str]:
        if leder is None:
            return []
        bok = self.bok
        sources = [f"Tiltak rad {t.rad}" for t in bok.tiltak
                   if t.ansattnr == leder.ansattnr and needle in normalise(t.tekst)]
        sources += [f"Oppdrag rad {o.rad}" for o in bok.oppdrag_for(leder)
                    if needle in normalise(" ".join((o.tekst, o.mal, o.malemetode, o.utgangspunkt)))]
        if any(needle in normalise(text) for text in (leder.navn, leder.stilling, leder.enhet)):
            sources.append(f"Ledere rad {leder.rad}")
        return sources
