"""`nytt-ar`: next year's workbook from this year's, in the layout `init` writes (drop-downs, Veiledning).

Kept: Kommune (with the new period; Arkivsak, Fra and Til cleared, since they belong to one
year), the leaders (Signert cleared: nobody has signed next year's agreement), the assignments
and Lederprinsipper, and every extra column of Ledere and Oppdrag. Emptied: Tiltak and
Utviklingsmål, which the leaders write anew each year.

With a status workbook, an assignment goes on unless every leader who carries it reported it
Fullført or Utgår. A blank status counts as not done: an assignment nobody reported on is more
likely forgotten than finished, and HR deleting one row is cheaper than re-typing it. Column
`Fra` says what each carried assignment's status was.
"""

from __future__ import annotations

import io
import os
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import LederavtaleError
from ..model import Ekstra, Kommune, fold_key
from ..status.counts import KOLONNER, Telling, count
from ..status.workbook import FULLFORT, UTGAR, read_status
from ..store.files import atomic_write_bytes
from ..workbook import read_workbook
from ..workbook.columns import KOMMUNE_FIELDS, LEDERE, OPPDRAG
from ..workbook.write import build_workbook

FRA = "Fra"  # the column saying where a carried assignment came from
DONE = (FULLFORT, UTGAR)


@dataclass
class NextYearResult:
    path: Path
    oppdrag: int  # assignments in the new workbook
    avsluttet: list[str]  # Nr of the assignments left behind as Fullført or Utgår


def next_year(workbook: Path, til: int, ut: Path, statusbok: Path | None = None) -> NextYearResult:
    ut = Path(ut)
    _refuse_existing(ut)
    bok = read_workbook(workbook)
    carried = {o.nr: "" for o in bok.oppdrag}
    if statusbok is not None:
        status = count(bok, read_status(bok, statusbok))
        ar = bok.kommune.periode.ar
        carried = {o.nr: f"{ar}, status {_summary(t)}" for o, t in status.oppdrag if not _done(t)}
    oppdrag = [o for o in bok.oppdrag if o.nr in carried]
    wb = build_workbook(
        kommune=_kommune(bok.kommune, til, ut.parent),
        ledere=[{
            "Ansattnr": _id(leder.ansattnr), "Navn": leder.navn, "Stilling": leder.stilling, "Enhet": leder.enhet,
            "Nivå": leder.niva or None, "E-post": leder.epost or None, "Overordnet": _id(leder.overordnet),
            "Avtale": "ja" if leder.avtale else "nei", "Mal": leder.mal or None,
            "Oppfølging": leder.oppfolging or None,
        } for leder in bok.ledere],
        oppdrag=[{
            "Nr": _id(o.nr), "Område": o.omrade, "Oppdrag": o.tekst, "Mål": o.mal or None,
            "Målemetode": o.malemetode or None, "Utgangspunkt": o.utgangspunkt or None, "Frist": o.frist,
            "Gjelder": o.gjelder,
        } for o in oppdrag],
        lederprinsipper=[{"Prinsipp": p.prinsipp, "Beskrivelse": p.beskrivelse or None} for p in bok.lederprinsipper],
    )
    # build_workbook writes the known columns; the extra ones (and Fra) are added after them.
    _add_columns(wb[LEDERE.name], [leder.ekstra for leder in bok.ledere])
    extra = [o.ekstra for o in oppdrag]
    if statusbok is not None:
        extra = [Ekstra({**{k: v for k, v in e.items() if fold_key(k) != fold_key(FRA)}, FRA: carried[o.nr]})
                 for o, e in zip(oppdrag, extra)]
    _add_columns(wb[OPPDRAG.name], extra)
    buffer = io.BytesIO()
    wb.save(buffer)
    _refuse_existing(ut)  # again: the workbook may have appeared while this one was built
    atomic_write_bytes(ut, buffer.getvalue())
    return NextYearResult(ut, len(oppdrag), [o.nr for o in bok.oppdrag if o.nr not in carried])


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


def _kommune(kommune: Kommune, til: int, folder: Path) -> dict:
    values = {f.name: getattr(kommune, f.key, None) or None for f in KOMMUNE_FIELDS}
    values.update({
        "Periode": til, "Fra": None, "Til": None, "Arkivsak": None,
        "Skjerm navn": "ja" if kommune.skjerm_navn else "nei",
        "Logo": _relative(kommune.logo, folder) if kommune.logo else None,
    })
    return values


def _relative(path: Path, folder: Path) -> str:
    """The logo as the new workbook's folder sees it (the reader resolves it from there)."""
    try:
        return Path(os.path.relpath(path, folder.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)


def _id(text: str):
    """An identifier as Excel would hold it: a number when it is one, so no «number stored as text»."""
    if text.isdigit() and not (len(text) > 1 and text.startswith("0")):
        return int(text)
    return text or None


def _add_columns(ws, rows: list[Ekstra]) -> None:
    headers = list(dict.fromkeys(k for row in rows for k in row))
    if not headers:
        return
    first = ws.max_column + 1
    model = ws.cell(1, 1)
    for c, header in enumerate(headers, start=first):
        cell = ws.cell(1, c, header)
        cell.font, cell.fill, cell.border, cell.alignment = (copy(model.font), copy(model.fill),
                                                             copy(model.border), copy(model.alignment))
        ws.column_dimensions[cell.column_letter].width = 30
        for r, row in enumerate(rows, start=2):
            value = row.get(header) or None
            target = ws.cell(r, c, value)
            if isinstance(value, str):
                target.data_type = "s"  # workbook text stays text, never a formula
    last = ws.cell(1, first + len(headers) - 1).column_letter
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
