"""lederavtale: leader agreements for Norwegian municipalities, from one Excel workbook."""

__version__ = "0.1.0"
