"""Which template file each document comes from, each read once per run."""

from __future__ import annotations

from pathlib import Path

from ..advice import advice
from ..model import Arbeidsbok, Leder, Problem
from .kinds import AGREEMENT, Kind
from .template import PreparedTemplate

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
        self._tool: TemplateSet | None = None
        self.borrowed: set[str] = set()  # templates of kinds added later, taken from the tool's own

    def _borrow(self, kind: Kind) -> "TemplateSet | None":
        """The tool's own templates, for a kind added later whose template this folder lacks."""
        if not kind.added_later or (self.base / kind.template).is_file():
            return None
        if self.dir.resolve() == default_template_dir().resolve():
            return None  # the tool's own folder lacks it: a broken installation, said as missing
        if self._tool is None:
            self._tool = TemplateSet(self.bok, default_template_dir())
        return self._tool

    def path(self, kind: Kind, leder: Leder | None = None) -> Path:
        """The template file a kind's document comes from: this leader's own (column Mal, the
        agreement alone), the kommunedirektør's, or the kind's."""
        tool = self._borrow(kind)
        if tool is not None:
            self.borrowed.add(kind.template)
            return tool.path(kind, leder)
        if leder is not None and kind.leader_template and leder.mal:
            # The workbook's målform first: a nynorsk municipality's own template sits in nynorsk/.
            own = self.base / leder.mal
            return own if own.is_file() else self.dir / leder.mal
        if leder is not None and kind.top_leader_template and self.is_top_leader(leder):
            top = self.base / kind.top_leader_template
            if top.is_file():
                return top
        return self.base / kind.template

    def is_top_leader(self, leder: Leder) -> bool:
        """The kommunedirektør (Arbeidsbok.er_kommunedirektor), whose documents have templates of their own."""
        return self.bok.er_kommunedirektor(leder)

    def problems(self, ledere: list[Leder], kinds: tuple[Kind, ...]) -> list[Problem]:
        """Template files of the kinds that are named or needed but missing: each kind's own
        template first, then the leaders' (column Mal, the kommunedirektør's agreement)."""
        if not self.dir.is_dir():
            return [Problem("", f"malmappen «{self.dir}» finnes ikke")]
        found = []
        for kind in kinds:
            path = self.base / kind.template
            if not kind.leader_template and not path.is_file() and self._borrow(kind) is None:
                hint = f"; {kind.missing_hint}" if kind.missing_hint else ""
                found.append(Problem(str(self.base), f"malen «{path.name}» mangler i malmappen{hint}"))
        for leder in ledere if any(kind.leader_template for kind in kinds) else ():
            path = self.path(AGREEMENT, leder)
            place = f"Ledere rad {leder.rad}" if leder.mal else str(self.base)
            problem = Problem(place, f"malen «{path.name}» finnes ikke i malmappen «{self.dir}»")
            if not path.is_file() and problem not in found:  # one line per missing default, not per leader
                found.append(problem)
        return found

    def notices(self) -> list[str]:
        """What the run should say about templates taken from the tool's own (kinds added later)."""
        return [f"Malmappen «{self.dir}» har ikke «{name}», som er nyere enn malene der; verktøyets egen mal er "
                f"brukt (kopier den fra standardmalene for å endre den: {advice('init_mal')})."
                for name in sorted(self.borrowed)]

    def prepared(self, path: Path) -> PreparedTemplate:
        """The template read once, for the check and the renderer alike (TemplateError if unreadable)."""
        if path not in self._prepared:
            self._prepared[path] = PreparedTemplate(path)
        return self._prepared[path]
