"""`lederavtale init`: a new, valid workbook with instructions, plus a copy of the templates."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..documents.templates import default_template_dir
from ..exceptions import LederavtaleError
from ..job import Result
from ..store import xlsx
from ..workbook.write import build_workbook, starter_content

WORKBOOK_NAME = "lederavtale.xlsx"


def init(folder: Path) -> Result:
    """`init`: a new workbook and the templates in `folder`, and what to do next."""
    path = write_new_workbook(folder)
    return Result(files=[path], summary=[f"Ny arbeidsbok: {path}", f"Maler til å tilpasse: {Path(folder) / 'maler'}",
                                         f"Fyll ut arbeidsboken, og kjør så: lederavtale sjekk \"{path}\""])


def write_new_workbook(folder: Path, maler: Path | None = None) -> Path:
    """Create `folder` with a new, valid `lederavtale.xlsx` and a copy of the templates in `maler/`.

    Refuses to overwrite an existing workbook, since it may hold a year of HR's work.
    """
    folder = Path(folder)
    target = folder / WORKBOOK_NAME
    if target.exists():
        raise LederavtaleError(f"{target}: arbeidsboken finnes allerede. Velg en annen mappe, "
                               "eller flytt eller slett den gamle arbeidsboken først.")
    source = Path(maler) if maler is not None else default_template_dir()
    if not source.is_dir():
        raise LederavtaleError(f"{source}: finner ikke standardmalene.")
    if folder.exists() and not folder.is_dir():
        raise LederavtaleError(f"{folder}: finnes allerede og er ikke en mappe.")
    try:
        # Templates first and the workbook last: if anything fails, a rerun starts over cleanly.
        _copy_templates(source, folder / "maler")
        xlsx.save(build_workbook(**starter_content()), target)
    except OSError as exc:
        raise LederavtaleError(f"{folder}: kan ikke skrive ({exc.strerror or exc}).") from exc
    return target


def _copy_templates(source: Path, target: Path) -> None:
    """Copy the templates, keeping any the user already has in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        if path.is_dir() or path.name.startswith((".", "~$")) or "__pycache__" in path.parts:
            continue
        dest = target / path.relative_to(source)
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
