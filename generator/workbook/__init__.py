"""The workbook HR fills in: its layout, reading, validation, the `Gjelder` selectors, and new workbooks."""

from __future__ import annotations

from pathlib import Path

from ..model import Arbeidsbok
from .file import open_in_excel, read_sheets
from .validate import validate
from .values import clean_text, id_text


def read_workbook(path: Path) -> Arbeidsbok:
    """Read and validate the workbook; raise WorkbookError with every error found."""
    path = Path(path)
    return validate(path, read_sheets(path))


__all__ = ["read_workbook", "open_in_excel", "clean_text", "id_text"]
