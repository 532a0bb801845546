"""The workbook HR fills in: its layout, reading, validation, the `Gjelder` selectors, and new workbooks."""

from __future__ import annotations

from pathlib import Path

from ..model import Arbeidsbok
from .file import open_in_excel, read_sheets
from .validate import validate
from .values import clean_text, id_text


def read_workbook(path: Path, uploaded: bool = False) -> Arbeidsbok:
    """Read and validate the workbook; raise WorkbookError with every error found.

    `uploaded`: the workbook came over the web page, with its pictures in its folder; its Logo may
    then only name a file there (`kommune.read_kommune`).
    """
    path = Path(path)
    return validate(path, read_sheets(path), uploaded=uploaded)


__all__ = ["read_workbook", "open_in_excel", "clean_text", "id_text"]
