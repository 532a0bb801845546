"""lederavtale: leader agreements for Norwegian municipalities, from one Excel workbook."""

from pathlib import Path

__version__ = "0.1.0"

# The default templates live in the repository's top-level `maler/` folder, which HR edits.
DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "maler"
