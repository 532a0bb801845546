"""Suggestions for misspelt names: «Mente du …?» for template fields and column headers."""

from __future__ import annotations

from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein


def closest(written: str, candidates: Iterable[str], cutoff: float) -> str | None:
    """The candidate nearest to `written`, or None when none is similar enough (0–1).

    Distance is Damerau–Levenshtein: two swapped letters, the commonest typo, count as one
    edit, so «leder.nvan» is nearer to «leder.navn» than to «leder.niva».
    """
    found = process.extractOne(written, list(candidates), scorer=DamerauLevenshtein.normalized_similarity,
                               score_cutoff=cutoff)
    return found[0] if found else None
