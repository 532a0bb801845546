"""`statusrapport.xlsx`: the counts per assignment and per unit, and the deviations, for HR to sort and filter."""

from __future__ import annotations

from pathlib import Path

from ..store import xlsx
from ..store.year import STATUS_REPORT_XLSX as REPORT_XLSX
from .counts import KOLONNER, Status



def write_status_report(status: Status, path: Path) -> None:
    wb = xlsx.new_workbook()
    xlsx.table(wb.create_sheet("Oppdrag"),
               [("Nr", 7), ("Område", 18), ("Oppdrag", 60), ("Ledere", 9)] + [(k, 13) for k in KOLONNER],
               [[o.nr, o.omrade, o.tekst, t.ledere, *t.row()] for o, t in status.oppdrag])
    xlsx.table(wb.create_sheet("Avvik"),
               [("Ansattnr", 11), ("Navn", 26), ("Enhet", 30), ("Nr", 7), ("Oppdrag", 50), ("Kommentar", 60)],
               [[a.ansattnr, a.navn, a.enhet, a.nr, a.oppdrag, a.kommentar] for a in status.avvik])
    xlsx.table(wb.create_sheet("Enheter"), [("Enhet", 32), ("Ledere", 9)] + [(k, 13) for k in KOLONNER],
               [[t.navn, t.ledere, *t.row()] for t in status.enheter])
    xlsx.save(wb, path)
