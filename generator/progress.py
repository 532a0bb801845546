"""How long runs report progress: a callable the command line turns into click's progress bar."""

from __future__ import annotations

from typing import Callable

# (what is being done, how many are done, how many in all)
Progress = Callable[[str, int, int], None]
