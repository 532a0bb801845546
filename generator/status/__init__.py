"""The agreement's year after January: the status workbook HR collects, and the status report made from it."""
