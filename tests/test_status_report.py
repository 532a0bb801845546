"""The status report's content for its readers, the politicians: counts of people, goals and results,
reasons, who has not reported, deviations by unit, charts that read alike. Real example workbook,
real status.xlsx filled in with openpyxl, the report opened with openpyxl and python-docx."""

from __future__ import annotations

from pathlib import Path

from generator.status.counts import count
from generator.workbook import read_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "input" / "eksempel.xlsx"


def test_a_unit_counts_its_leaders_not_their_assignments():
    bok = read_workbook(EXAMPLE)
    status = count(bok, [])
    sykehjem = next(t for t in status.enheter if t.navn == "Fjordvik sykehjem")
    # Two leaders there, each with six assignments.
    assert sum(len(bok.oppdrag_for(l)) for l in bok.avtaleledere() if l.enhet == "Fjordvik sykehjem") == 12
    assert sykehjem.ledere == 2
    assert sum(sykehjem.antall.values()) == 12
    assert sum(t.ledere for t in status.enheter) == len(bok.avtaleledere())
