"""Counts in messages: «1 leder», «2 ledere»."""

from __future__ import annotations


def antall(n: int, entall: str, flertall: str) -> str:
    """`n` with its noun in the right number: antall(1, "advarsel", "advarsler") is «1 advarsel»."""
    return f"{n} {entall if n == 1 else flertall}"
