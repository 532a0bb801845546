"""How long runs report progress: a callable the command line turns into click's progress bar."""

from __future__ import annotations

from typing import Callable

# (what is being done, how many are done, how many in all)
Progress = Callable[[str, int, int], None]


def continued(progress: Progress | None, before: int, total: int) -> Progress | None:
    """`progress` for one part of a stage done in parts (one PDF converter per watermark): the part's
    counts go on from the `before` done in earlier parts, out of the stage's `total`, so that the user
    sees one stage rising once, not one that starts over."""
    if progress is None:
        return None
    return lambda label, done, _part_total: progress(label, before + done, total)
