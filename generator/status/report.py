"""`statusrapport.xlsx`: the counts per assignment and per unit, the goals and results, the reasons for
what goes, the deviations and who has not reported, for HR to sort and filter."""

from __future__ import annotations

from pathlib import Path

from ..store import xlsx
from ..store.xlsx import TOP_WRAP
from ..store.year import STATUS_REPORT_XLSX as REPORT_XLSX
from .counts import KOLONNER, Status


def write_status_report(status: Status, path: Path, names: bool = False) -> None:
    """`names`: the Kommune field Navn i statusrapport. Without it the deviations and results name the
    unit only, as in the public report; who has not reported is named regardless, so HR can remind them."""
    wb = xlsx.new_workbook()
    who = [("Ansattnr", 11), ("Navn", 26)] if names else []

    def person(r) -> list:
        return [r.ansattnr, r.navn] if names else []

    # Mål after the counts: the count columns keep their places for anyone who reads them by position.
    xlsx.table(wb.create_sheet("Oppdrag"),
               [("Nr", 7), ("Område", 18), ("Oppdrag", 60), ("Ledere", 9)] + [(k, 13) for k in KOLONNER]
               + [("Mål", 40)],
               [[o.nr, o.omrade, o.tekst, t.ledere, *t.row(), o.mal] for o, t in status.oppdrag])
    wrap = {i: TOP_WRAP for i in range(1, 10)}
    xlsx.table(wb.create_sheet("Resultater"),
               [("Nr", 7), ("Oppdrag", 40), ("Mål", 30), ("Enhet", 28), *who, ("Status", 14), ("Resultat", 50)],
               [[r.nr, r.oppdrag, o.mal, r.enhet, *person(r), r.status, r.resultat]
                for o, _ in status.oppdrag for r in status.resultater(o.nr)], wrap)
    xlsx.table(wb.create_sheet("Utgår"),
               [("Enhet", 28), *who, ("Nr", 7), ("Oppdrag", 40), ("Begrunnelse", 60)],
               [[r.enhet, *person(r), r.nr, r.oppdrag, r.kommentar] for r in status.utgar()], wrap)
    xlsx.table(wb.create_sheet("Avvik"),
               [("Enhet", 30), *who, ("Nr", 7), ("Oppdrag", 50), ("Kommentar", 60)],
               [[a.enhet, *person(a), a.nr, a.oppdrag, a.kommentar] for a in status.avvik_per_enhet()], wrap)
    xlsx.table(wb.create_sheet("Ikke rapportert"), [("Enhet", 30), ("Leder", 26), ("Oppdrag (Nr)", 24)],
               [[enhet, navn, ", ".join(nrs)] for enhet, navn, nrs in status.ikke_rapportert()])
    xlsx.table(wb.create_sheet("Enheter"), [("Enhet", 32), ("Ledere", 9)] + [(k, 13) for k in KOLONNER],
               [[t.navn, t.ledere, *t.row()] for t in status.enheter])
    xlsx.save(wb, path)
