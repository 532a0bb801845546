"""`nytt-ar`: next year's workbook from this year's, in the layout `init` writes (drop-downs, Veiledning).

Kept: Kommune (with the new period; the fields that belong to one year cleared: Arkivsak, Fra, Til,
Frist and Sak systemID), the leaders (Signert and Avtalesamtale cleared: nobody has signed, or had the
conversation for, next year's agreement), the assignments and Lederprinsipper. Their cells are
carried as read, column by column of the column table (Fornavn and Etternavn too) and every extra
column, so nothing is rebuilt from the model and lost on the way. Emptied: Tiltak, Måltall and
Utviklingsmål, which are written anew each year; they keep their columns. Moved: each Frist by as many years as the period moves, and the leaders'
Oppfølging (this year's conversation dates) emptied; every such change is listed, since a date
carried over unchanged would be wrong without anyone noticing.

With a status workbook, an assignment goes on unless every leader who carries it reported it
Fullført or Utgår. A blank status counts as not done: an assignment nobody reported on is more
likely forgotten than finished, and HR deleting one row is cheaper than re-typing it. Column
`Fra` says what each carried assignment's status was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..exceptions import LederavtaleError
from ..job import Job
from ..result import Result
from ..model import Kommune, Problem, fold_key
from ..plural import antall
from ..status.counts import KOLONNER, Telling, count
from ..status.workbook import FULLFORT, UTGAR, read_status
from ..store import xlsx
from ..store.files import atomic_write_bytes, safe_filename
from ..workbook.cells import Cells
from ..workbook.columns import KOMMUNE, LEDERE, LEDERPRINSIPPER, OPPDRAG, SHEETS
from ..workbook.file import RawSheets, read_sheets
from ..workbook.kommune import new_workbook_values
from ..workbook.validate import validate
from ..workbook.write import build_workbook
from ..advice import advice

FRA = "Fra"  # the column saying where a carried assignment came from
DONE = (FULLFORT, UTGAR)


@dataclass
class _Sheet:
    """A table sheet as the workbook holds it: known columns under their canonical header, HR's own
    columns under theirs, and the cells' values as read (nothing rebuilt from the model)."""

    headers: list[str]
    rows: dict[int, dict[str, object]]  # by row number


NEXT_YEAR_DIR = "neste år"  # under the output folder: the workbooks a front end without a file name made

# How far ahead a next year's workbook may be: a typo (20288) is not a year anybody plans for.
MAX_YEARS_AHEAD = 10


def next_year_problem(ar: int, til: int) -> str:
    """Why `til` cannot be the year of the workbook after one for `ar`, in words any front end can show;
    "" when it can."""
    if til <= ar:
        return f"året må være senere enn året arbeidsboken gjelder ({ar}), f.eks. {ar + 1}"
    if til > ar + MAX_YEARS_AHEAD:
        return f"året er mer enn {MAX_YEARS_AHEAD} år etter {ar}; skriv året den nye arbeidsboken gjelder, f.eks. {ar + 1}"
    return ""


def next_year_file(ut: Path, til: int, now: datetime) -> Path:
    """Where next year's workbook goes when no file is named (the web page): a new name each time, since
    `next_year` never overwrites, under `<ut>/neste år/`."""
    return Path(ut) / NEXT_YEAR_DIR / safe_filename(f"arbeidsbok {til} {now:%Y%m%d-%H%M%S}.xlsx")


def next_year(job: Job, til: int, ut: Path, statusbok: Path | None = None) -> Result:
    """Next year's workbook at `ut` (a file, NY.xlsx, never overwritten), and what it carried over."""
    workbook, ut = Path(job.workbook), Path(ut)
    if ut.suffix.lower() != ".xlsx":
        raise LederavtaleError(f"--ut «{ut}»: den nye arbeidsboken må være en Excel-arbeidsbok med navn som "
                               "slutter på .xlsx, f.eks. «arbeidsbok 2028.xlsx». Ingenting er skrevet.")
    _refuse_existing(ut)
    raw = read_sheets(workbook)
    bok = validate(workbook, raw, uploaded=job.uploaded)
    ar = bok.kommune.periode.ar
    problem = next_year_problem(ar, til)
    if problem:
        raise LederavtaleError(f"--til {til}: {problem} (arbeidsboken «{workbook.name}»). Ingenting er skrevet.")
    carried = {o.nr: "" for o in bok.oppdrag}
    warnings: list[Problem] = []
    if statusbok is not None:
        book = read_status(bok, statusbok)
        warnings = book.warnings
        status = count(bok, book.rows)
        carried = {o.nr: f"{ar}, status {_summary(t)}" for o, t in status.oppdrag if not _done(t)}
    oppdrag = [o for o in bok.oppdrag if o.nr in carried]
    sheets = _as_read(raw)

    def rows(name: str, items) -> list[dict]:
        return [dict(sheets[name].rows[item.rad]) for item in items] if name in sheets else []

    # Signert and Avtalesamtale are this year's: nobody has signed, or had the conversation for, next year's.
    ledere = [{**row, LEDERE.column("signert").header: None, LEDERE.column("avtalesamtale").header: None}
              for row in rows(LEDERE.name, bok.ledere)]
    oppdrag_rows = rows(OPPDRAG.name, oppdrag)
    notices = _move_frister(oppdrag, oppdrag_rows, til - ar) + _empty_oppfolging(bok, ledere)
    headers = {name: sheet.headers for name, sheet in sheets.items()}
    if statusbok is not None:
        # A Fra column from an earlier year gives way to this year's.
        headers[OPPDRAG.name] = [h for h in headers[OPPDRAG.name] if fold_key(h) != fold_key(FRA)] + [FRA]
        oppdrag_rows = [{**{k: v for k, v in row.items() if fold_key(k) != fold_key(FRA)}, FRA: carried[o.nr]}
                        for o, row in zip(oppdrag, oppdrag_rows)]
    wb = build_workbook(
        kommune=_kommune(bok.kommune, til, ut.parent, job.uploaded),
        ledere=ledere,
        oppdrag=oppdrag_rows,
        lederprinsipper=rows(LEDERPRINSIPPER.name, bok.lederprinsipper),
        headers=headers,  # Tiltak and Utviklingsmål start empty, with the columns they had
    )
    data = xlsx.to_bytes(wb, bok.kommune.navn)
    _refuse_existing(ut)  # again: the workbook may have appeared while this one was built
    atomic_write_bytes(ut, data)
    left = [o.nr for o in bok.oppdrag if o.nr not in carried]
    summary = [f"Ny arbeidsbok for {til}: {ut} ({antall(len(oppdrag), 'oppdrag', 'oppdrag')})."]
    if left:
        summary.append(f"Ikke tatt med (Fullført eller Utgår): oppdrag {', '.join(left)}.")
    summary.append(advice("sjekk_ny", str(ut)))
    return Result(warnings=[str(w) for w in warnings], notices=notices, summary=summary, files=[ut])


def _move_frister(oppdrag, rows: list[dict], years: int) -> list[str]:
    """Each carried assignment's Frist `years` later (in `rows`, as written); what was moved."""
    header = OPPDRAG.column("frist").header
    moved = []
    for o, row in zip(oppdrag, rows):
        if o.frist is None:
            continue
        row[header] = _later(o.frist, years)
        moved.append(f"oppdrag {o.nr}: {o.frist:%d.%m.%Y} → {row[header]:%d.%m.%Y}")
    if not moved:
        return []
    return [f"Frist flyttet {antall(years, 'år', 'år')} frem for {antall(len(moved), 'oppdrag', 'oppdrag')}. "
            "Kontroller fristene:", *(f"  {line}" for line in moved)]


def _empty_oppfolging(bok, rows: list[dict]) -> list[str]:
    """The leaders' agreed follow-up conversations belong to one year: emptied in `rows`; whose."""
    header = LEDERE.column("oppfolging").header
    emptied = []
    for leder, row in zip(bok.ledere, rows):
        if row.get(header) not in (None, ""):
            row[header] = None
            emptied.append(f"  {leder.navn} ({leder.ansattnr}): «{leder.oppfolging}»")
    if not emptied:
        return []
    return [f"Oppfølging (arket Ledere) tømt for {antall(len(emptied), 'leder', 'ledere')}; skriv inn "
            "de nye samtalene:", *emptied]


def _later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without it
        return day.replace(year=day.year + years, day=28)


def _as_read(raw: RawSheets) -> dict[str, _Sheet]:
    """Every table sheet, found as the reader finds it (header row, column aliases, HR's own columns)."""
    cells = Cells(raw)
    result = {}
    for sheet in SHEETS:
        table = cells.table(sheet.name, raw.rows[sheet.name]) if sheet is not KOMMUNE and sheet.name in raw.rows \
            else None
        if table is None:
            continue
        names = {number: sheet.column(key).header for key, number in table.columns.items()}
        names.update({number: header for header, number in table.extra.items()})
        order = sorted(names)
        result[sheet.name] = _Sheet([names[n] for n in order],
                                    {row.number: {names[n]: row.get(n) for n in order} for row in table.rows})
    return result


def _refuse_existing(ut: Path) -> None:
    if ut.exists():
        raise LederavtaleError(
            f"«{ut}» finnes allerede, og nytt-ar overskriver aldri en arbeidsbok. "
            "Velg et annet filnavn med --ut, eller flytt eller slett den gamle filen først."
        )


def _done(t: Telling) -> bool:
    """Every leader who carries the assignment reported it finished or dropped."""
    return t.ledere > 0 and sum(t.antall[s] for s in DONE) == t.ledere


def _summary(t: Telling) -> str:
    present = [s for s in KOLONNER if t.antall[s]]
    if len(present) <= 1:
        return present[0] if present else "ingen ledere"
    return ", ".join(f"{s} {t.antall[s]}" for s in present)


def _kommune(kommune: Kommune, til: int, folder: Path, uploaded: bool = False) -> dict:
    # Every field as read, except those that belong to one period (Arkivsak, Frist, Sak systemID …).
    values = new_workbook_values(kommune)
    # An uploaded workbook's logo came with it, and next year's is uploaded with it again: its plain name,
    # which is all an uploaded workbook may name (workbook.kommune), not a path on the server.
    logo = (kommune.logo.name if uploaded else _relative(kommune.logo, folder)) if kommune.logo else None
    values.update({"Periode": til, "Logo": logo})
    return values


def _relative(path: Path, folder: Path) -> str:
    """The logo as the new workbook's folder sees it (the reader resolves it from there)."""
    try:
        return Path(os.path.relpath(path, folder.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)
