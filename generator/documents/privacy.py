"""Last line of defence: no public text may hold any leader's development goal or fødselsnummer.

Every public text the tool writes is read before it is written: agreements and follow-up
documents, the e-mail texts, the status report and the archive titles. The goals of every
leader in the workbook count, not only the document's own leader's: a measure or a status
comment may quote a colleague's goal as easily as one's own. The same holds for the leaders'
fødselsnumre (column Fødselsnummer in Ledere): secret like the goals, used only to classify a
personalmappe in the Fiks message, and never in a public text.

What it catches: a goal's text (Mål, Tiltak or Oppfølging), or any one sentence or line of
it, of at least `GUARD_MIN_LENGTH` characters, anywhere in a public text, whatever the case,
the spacing or the line breaks. What it cannot catch: a goal retold in other words, a part of
a sentence, or text shorter than the limit, which would stop agreements for words that occur
in them naturally ("Høst", "Samtale i juni").

A fødselsnummer is found as its eleven digits, also written with a space, a dot or a hyphen
between them («010170 12345»), and also inside a longer run of digits.

A run that reads many documents keeps what the guard finds (`PrivacyGuard.leaks`) and says it once
per leader whose goal shows (`findings`): a goal quoted in an assignment every leader gets is in every
agreement, and one near-identical line per agreement would bury which goal and which cell it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from ..exceptions import PrivacyViolation
from ..model import Arbeidsbok, Leder, Utviklingsmal
from ..plural import antall

GUARD_MIN_LENGTH = 20

# Soft hyphens and zero-width characters are invisible on the page, so they must not hide a goal.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_EDGE = re.compile(r"^\W+|\W+$")
_WORD_START = re.compile(r"(?<!\w)\w")
# A run of digits as a number may be written: a space, a dot or a hyphen between any two of them.
_DIGIT_RUN = re.compile(r"[0-9](?:[ .\-\u2010\u2011]?[0-9])*")
_NOT_DIGIT = re.compile(r"[^0-9]")
FODSELSNUMMER_LENGTH = 11


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", _INVISIBLE.sub("", text)).strip().casefold()


def _needles(text: str) -> set[str]:
    """The goal text as a whole and each of its sentences or lines, trimmed of punctuation at the
    edges (a quote or a list mark around it changes nothing), of at least the minimum length."""
    pieces = [text] + _SENTENCE_END.split(text)
    found = {_EDGE.sub("", normalise(piece)) for piece in pieces}
    return {piece for piece in found if len(piece) >= GUARD_MIN_LENGTH}


@dataclass(frozen=True)
class Fodselsnummer:
    """A leader's fødselsnummer as the guard names it: whose it is and its row in Ledere, never the number."""

    ansattnr: str
    rad: int  # the leader's row in sheet Ledere


# What the guard keeps out of public texts: a development goal, or a leader's fødselsnummer.
Secret = Union[Utviklingsmal, Fodselsnummer]


@dataclass(frozen=True)
class _Needle:
    text: str
    goal: Utviklingsmal


@dataclass(frozen=True)
class Leak:
    """One public document that holds one secret (a goal's text or a fødselsnummer): whose, which document,
    where else it stands. Never the text or the number itself."""

    secret: Secret
    dokument: tuple[str, str]  # the document, mid-sentence and at a sentence's start: («lederavtalen», «Avtalen»)
    leder: Leder | None  # whose document it is; None for one about many (the status report)
    kilder: tuple[str, ...] = ()  # cells holding the same text: «Tiltak rad 5»

    @property
    def fodselsnummer(self) -> bool:
        return isinstance(self.secret, Fodselsnummer)

    def message(self) -> str:
        """The document's own line, as `PrivacyGuard.check` raises it and a leader's report row shows it."""
        leder, secret = self.leder, self.secret
        where = f" (samme {'nummer' if self.fodselsnummer else 'tekst'} står i {', '.join(self.kilder)})" \
            if self.kilder else ""
        after = f". {self.dokument[1]} er ikke skrevet; rett arbeidsboken og kjør på nytt."
        if self.fodselsnummer:
            whose = "lederens" if leder is not None and secret.ansattnr == leder.ansattnr else "en annen leders"
            return (f"Personvernsperre: {self.dokument[0]} inneholder {whose} fødselsnummer (Ansattnr "
                    f"{secret.ansattnr}, kolonnen Fødselsnummer i Ledere rad {secret.rad}){where}{after}")
        if leder is None:
            whose = f" (Ansattnr {secret.ansattnr})"
        elif secret.ansattnr != leder.ansattnr:
            whose = f" (en annen leders utviklingsmål, Ansattnr {secret.ansattnr})"
        else:
            whose = ""
        return (f"Personvernsperre: {self.dokument[0]} inneholder tekst fra utviklingsmålet i Utviklingsmål rad "
                f"{secret.rad}{whose}{where}{after}")


def _digit_runs(text: str) -> list[str]:
    """Every run of digits in `text` (normalised), with the spaces, dots and hyphens inside it taken out."""
    return [_NOT_DIGIT.sub("", run) for run in _DIGIT_RUN.findall(text)]


def _holds_number(text: str, number: str) -> bool:
    return any(number in run for run in _digit_runs(normalise(text)))


class PrivacyGuard:
    """Every goal text and fødselsnummer of the workbook, indexed once, so a public text is read once
    whatever the number of leaders: each word start is looked up by the first `GUARD_MIN_LENGTH`
    characters of the needles, and only a needle that begins there is compared in full; each run of
    eleven digits or more is looked up among the numbers."""

    def __init__(self, bok: Arbeidsbok):
        self.bok = bok
        self._by_prefix: dict[str, list[_Needle]] = {}
        for goal in bok.utviklingsmal:
            needles = set().union(*(_needles(text) for text in (goal.mal, goal.tiltak, goal.oppfolging)))
            for needle in sorted(needles):
                self._by_prefix.setdefault(needle[:GUARD_MIN_LENGTH], []).append(_Needle(needle, goal))
        # Number -> whose; a number two leaders share (a typo) is found as the first one's.
        self._numbers: dict[str, Fodselsnummer] = {}
        self._number_of: dict[Fodselsnummer, str] = {}  # whose -> the number, to find the cells holding it
        for leder in bok.ledere:
            if len(leder.fodselsnummer) == FODSELSNUMMER_LENGTH and leder.fodselsnummer not in self._numbers:
                owner = Fodselsnummer(leder.ansattnr, leder.rad)
                self._numbers[leder.fodselsnummer] = owner
                self._number_of[owner] = leder.fodselsnummer

    def found(self, public_text: str) -> list[tuple[Secret, str]]:
        """Each secret `public_text` holds, with the (normalised) goal text found, or "" for a fødselsnummer
        (never the number); the goals in workbook order, then the numbers in the order of sheet Ledere."""
        if not (self._by_prefix or self._numbers):
            return []
        haystack = normalise(public_text)
        hits: dict[int, tuple[Secret, str]] = {}
        for start in _WORD_START.finditer(haystack) if self._by_prefix else ():
            i = start.start()
            for needle in self._by_prefix.get(haystack[i:i + GUARD_MIN_LENGTH], ()):
                if id(needle.goal) not in hits and haystack.startswith(needle.text, i):
                    hits[id(needle.goal)] = (needle.goal, needle.text)
        goals = sorted(hits.values(), key=lambda hit: hit[0].rad)
        numbers: dict[str, Fodselsnummer] = {}
        for run in _digit_runs(haystack) if self._numbers else ():
            for i in range(len(run) - FODSELSNUMMER_LENGTH + 1):
                owner = self._numbers.get(run[i:i + FODSELSNUMMER_LENGTH])
                if owner is not None:
                    numbers.setdefault(owner.ansattnr, owner)
        return goals + [(owner, "") for owner in sorted(numbers.values(), key=lambda owner: owner.rad)]

    def leaks(self, public_text: str, leder: Leder | None = None,
              dokument: tuple[str, str] = ("lederavtalen", "Avtalen"), kilde: str = "") -> list[Leak]:
        """Each goal whose text `public_text` holds, and each leader's fødselsnummer it holds, as a `Leak`;
        in the order of `found`, [] when none.

        `dokument` names the public document, mid-sentence and at its start; `leder` is the leader
        it is about, whose measures and assignments are searched for the text so that HR learns
        which cell to correct; `kilde` names that cell when the caller knows it.
        """
        return [Leak(secret, dokument, leder, tuple([kilde] if kilde else self._sources(leder, secret, needle)))
                for secret, needle in self.found(public_text)]

    def check(self, public_text: str, leder: Leder | None = None,
              dokument: tuple[str, str] = ("lederavtalen", "Avtalen"), kilde: str = "") -> None:
        """PrivacyViolation when `public_text` holds a goal text or a fødselsnummer of any leader (`leaks`
        says the rest).

        The message names leaders and cells, never the goal's text or the number.
        """
        leaks = self.leaks(public_text, leder, dokument, kilde)
        if leaks:
            raise PrivacyViolation(leaks[0].message())

    def _sources(self, leder: Leder | None, secret: Secret, needle: str) -> list[str]:
        if leder is None:
            return []
        if isinstance(secret, Fodselsnummer):
            number = self._number_of[secret]

            def holds(text: str) -> bool:
                return _holds_number(text, number)
        else:
            def holds(text: str) -> bool:
                return needle in normalise(text)
        bok = self.bok
        sources = [f"Tiltak rad {t.rad}" for t in bok.tiltak if t.ansattnr == leder.ansattnr and holds(t.tekst)]
        sources += [f"Oppdrag rad {o.rad}" for o in bok.oppdrag_for(leder)
                    if holds(" ".join((o.tekst, o.mal, o.malemetode, o.utgangspunkt)))]
        if any(holds(text) for text in (leder.navn, leder.stilling, leder.enhet)):
            sources.append(f"Ledere rad {leder.rad}")
        return sources


# A goal quoted in an assignment every leader gets is in every agreement: the line names a few of them
# and counts the rest (each leader's report row names its own document).
NAMED_DOCUMENTS = 5


def findings(leaks: list[Leak], bok: Arbeidsbok) -> list[str]:
    """What the guard found over a run, one line per leader whose goal shows (and one per leader whose
    fødselsnummer shows): the leader (name and Ansattnr), the goal's rows in Utviklingsmål (the number's
    row in Ledere), in how many public documents and which, and the cells that hold the same text.
    Never the goal's text or the number. In the order of the goals in Utviklingsmål, then of the
    numbers in Ledere."""
    by_owner: dict[tuple[bool, str], list[Leak]] = {}
    for leak in sorted(leaks, key=lambda leak: (leak.fodselsnummer, leak.secret.rad)):
        by_owner.setdefault((leak.fodselsnummer, leak.secret.ansattnr), []).append(leak)
    return [_finding(nr, found, bok) for (_, nr), found in by_owner.items()]


def _finding(ansattnr: str, leaks: list[Leak], bok: Arbeidsbok) -> str:
    # Begins «<Ansattnr> <Navn>: » as every line about one leader in a run's failures does; here the
    # leader is the one whose goal (or number) shows, and the documents it shows in are named after it.
    owner = next((leder for leder in bok.ledere if leder.ansattnr == ansattnr), None)
    who = f"{ansattnr} {owner.navn}" if owner is not None else f"Ansattnr {ansattnr}"
    rows = _joined([str(r) for r in sorted({leak.secret.rad for leak in leaks})])
    # Each document once, whichever of the leader's goals it holds; grouped by kind, in the order met.
    documents: dict[str, dict[str, str]] = {}  # kind -> leader's key -> «210 Øystein Sykehjem» ("" for none)
    for leak in leaks:
        key = leak.leder.ansattnr if leak.leder is not None else ""
        documents.setdefault(leak.dokument[0], {})[key] = (
            f"{leak.leder.ansattnr} {leak.leder.navn}" if leak.leder is not None else "")
    count = sum(len(of) for of in documents.values())
    parts = []
    for kind, of in documents.items():
        named = [name for name in of.values() if name]
        if not named:
            parts.append(kind)
            continue
        shown = named if len(named) <= NAMED_DOCUMENTS + 1 else named[:NAMED_DOCUMENTS]  # never «og 1 annen»
        rest = len(named) - len(shown)
        parts.append(f"{kind} til {_joined(shown + ([antall(rest, 'annen leder', 'andre ledere')] if rest else []))}")
    sources = _cells(leak.kilder for leak in leaks)
    number = leaks[0].fodselsnummer
    where = f" Samme {'nummer' if number else 'tekst'} står i {', '.join(sources)}." if sources else ""
    written = "Dokumentet er" if count == 1 else "Dokumentene er"
    what = (f"lederens fødselsnummer (Ansattnr {ansattnr}, kolonnen Fødselsnummer i Ledere rad {rows})" if number
            else f"tekst fra lederens utviklingsmål (Ansattnr {ansattnr}, Utviklingsmål rad {rows})")
    return (f"{who}: Personvernsperre: {what} står i {antall(count, 'offentlig dokument', 'offentlige dokumenter')}: "
            f"{'; '.join(parts)}.{where} {written} ikke skrevet; rett arbeidsboken og kjør på nytt.")


_ROW = re.compile(r"(.+) rad (\d+)")


def _cells(found) -> list[str]:
    """The cells holding the text, each once, a sheet's rows together: «Tiltak rad 5, 6 og 9»."""
    rows: dict[str, list[str]] = {}
    for source in dict.fromkeys(source for sources in found for source in sources):
        match = _ROW.fullmatch(source)
        sheet, row = (match.group(1), match.group(2)) if match else (source, "")
        rows.setdefault(sheet, []).append(row)
    return [f"{sheet} rad {_joined(numbers)}" if numbers[0] else sheet for sheet, numbers in rows.items()]


def _joined(items: list[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} og {items[-1]}"
