"""Which template file each document comes from, each read once per run."""

from __future__ import annotations

from pathlib import Path

from ..model import Arbeidsbok, Leder, Problem
from .kinds import AGREEMENT, Kind
from .template import PreparedTemplate

TOP_LEADER_AGREEMENT = "lederavtale_kommunedirektor.docx"
NYNORSK_DIR = "nynorsk"


def default_template_dir() -> Path:
    """The default templates: inside the installed package, or the repository's top-level `maler/`."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "maler"
    return installed if installed.is_dir() else package.parent / "maler"


class TemplateSet:
    """Which template file each document comes from, per the spec's rules."""

    def __init__(self, bok: Arbeidsbok, maler_dir: Path | None = None):
        self.bok = bok
        # None: the tool's own templates. A `maler/` in the working folder is the command
        # line's default (cli.py), never the library's.
        self.dir = Path(maler_dir) if maler_dir is not None else default_template_dir()
        nynorsk = self.dir / NYNORSK_DIR
        self.base = nynorsk if bok.kommune.malform == "nynorsk" and nynorsk.is_dir() else self.dir
        self._prepared: dict[Path, PreparedTemplate] = {}

    def path(self, kind: Kind, leder: Leder | None = None) -> Path:
        """The template file a kind's document comes from (for the agreement: this leader's)."""
        if kind.leader_template and leder is not None:
            return self.agreement_for(leder)
        return self.base / kind.template

    def agreement_for(self, leder: Leder) -> Path:
        if leder.mal:
            # The workbook's målform first: a nynorsk municipality's own template sits in nynorsk/.
            own = self.base / leder.mal
            return own if own.is_file() else self.dir / leder.mal
        superior = self.bok.overordnet(leder)
        top = self.base / TOP_LEADER_AGREEMENT
        if superior is not None and not superior.avtale and superior.niva.strip().casefold() == "ordfører" and top.is_file():
            return top
        return self.base / AGREEMENT.template

    def problems(self, ledere: list[Leder], kinds: tuple[Kind, ...]) -> list[Problem]:
        """Template files of the kinds that are named or needed but missing: each kind's own
        template first, then the leaders' (column Mal, the kommunedirektør's agreement)."""
        if not self.dir.is_dir():
            return [Problem("", f"malmappen «{self.dir}» finnes ikke")]
        found = []
        for kind in kinds:
            path = self.base / kind.template
            if not kind.leader_template and not path.is_file():
                hint = f"; {kind.missing_hint}" if kind.missing_hint else ""
                found.append(Problem(str(self.base), f"malen «{path.name}» mangler i malmappen{hint}"))
        for leder in ledere if any(kind.leader_template for kind in kinds) else ():
            path = self.agreement_for(leder)
            place = f"Ledere rad {leder.rad}" if leder.mal else str(self.base)
            problem = Problem(place, f"malen «{path.name}» finnes ikke i malmappen «{self.dir}»")
            if not path.is_file() and problem not in found:  # one line per missing default, not per leader
                found.append(problem)
        return found

    def prepared(self, path: Path) -> PreparedTemplate:
        """The template read once, for the check and the renderer alike (TemplateError if unreadable)."""
        if path not in self._prepared:
            self._prepared[path] = PreparedTemplate(path)
        return self._prepared[path]
