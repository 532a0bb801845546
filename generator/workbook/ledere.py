"""Sheet Ledere: one row per person, and the hierarchy of superiors."""

from __future__ import annotations

from datetime import date

from ..model import Leder, Periode
from ..store.year import ANSATTNR_BYTES, folder_key, leader_folder
from .cells import REPORTED, Cells, Row, Table
from .columns import LEDERE
from .values import clean_text, fodselsnummer_ok, id_text, parse_yes_no, quoted

SHEET = LEDERE.name


def read_ledere(c: Cells, sheet: Table | None) -> list[Leder]:
    if sheet is None:
        return []
    ledere: list[Leder] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        leder = _leder(c, sheet, row)
        if not leder.ansattnr:
            continue
        if leder.ansattnr in seen:
            c.error(
                sheet.place(row, "ansattnr"),
                f"Ansattnr {quoted(leder.ansattnr)} finnes allerede på rad {seen[leder.ansattnr]}",
            )
            continue
        seen[leder.ansattnr] = row.number
        ledere.append(leder)

    by_nr = {leder.ansattnr: leder for leder in ledere}
    rows = {row.number: row for row in sheet.rows}
    for leder in ledere:
        _check_superior(c, sheet, rows[leder.rad], leder, by_nr)
    _check_folders(c, sheet, rows, ledere)
    return ledere


def _check_folders(c: Cells, sheet: Table, rows: dict, ledere: list[Leder]) -> None:
    """Two leaders must never share a folder: the second would get the first one's documents.

    «2001/1» and «2001-1» become the same folder name, and «A100» and «a100» the same folder
    on Windows, so folder names are compared as a case-insensitive disk compares them.
    """
    first: dict[str, Leder] = {}
    for leder in ledere:
        if not leder.avtale:
            continue  # no folder
        key = folder_key(leader_folder(leder))
        other = first.setdefault(key, leder)
        if other is not leder:
            c.error(sheet.place(rows[leder.rad], "ansattnr"),
                    f"{c.who(leder)} og {c.who(other)} ({sheet.place(rows[other.rad], 'ansattnr')}) får samme mappe "
                    f"{quoted(leader_folder(leder))}; gi dem Ansattnr som ikke bare skiller seg i tegn som "
                    "/ \\ : * ? \" < > | eller i store og små bokstaver")

def _leder(c: Cells, sheet: Table, row: Row) -> Leder:
    ansattnr = c.text(sheet, row, "ansattnr", required=True, as_id=True)
    if ansattnr and not any(ch.isalnum() for ch in ansattnr):
        c.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(ansattnr)} må inneholde tall eller bokstaver")
    elif len(ansattnr.encode("utf-8")) > ANSATTNR_BYTES:
        c.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(ansattnr[:20] + '…')} er for langt "
                f"(høyst {ANSATTNR_BYTES} tegn)")
    fornavn = c.text(sheet, row, "fornavn") if "fornavn" in sheet.columns else ""
    navn = _navn(c, sheet, row, fornavn)
    stilling = c.text(sheet, row, "stilling", required=True)
    enhet = c.text(sheet, row, "enhet", required=True)
    epost = c.text(sheet, row, "epost")
    avtale = _avtale(c, sheet, row)
    if epost:
        c.email(sheet.place(row, "epost"), epost)
    elif avtale:
        c.warn(sheet.place(row, "epost"), "mangler e-postadresse; e-postutkast kan ikke lages", ansattnr)
    signert = c.date(sheet, row, "signert")
    avtalesamtale = c.date(sheet, row, "avtalesamtale")
    if signert is not None and avtalesamtale is not None and signert < avtalesamtale:
        c.warn(sheet.place(row, "signert"), f"Signert {signert:%d.%m.%Y} er før avtalesamtalen "
               f"({avtalesamtale:%d.%m.%Y}); avtalen inngås i samtalen og signeres etter den", ansattnr)
    return Leder(
        ansattnr=ansattnr,
        navn=navn,
        stilling=stilling,
        enhet=enhet,
        fornavn=fornavn or (navn.split() or [""])[0],
        niva=c.text(sheet, row, "niva"),
        epost=epost,
        overordnet=c.text(sheet, row, "overordnet", as_id=True),
        avtale=avtale,
        mal=c.text(sheet, row, "mal"),
        signert=signert,
        oppfolging=c.text(sheet, row, "oppfolging"),
        avdeling=c.text(sheet, row, "avdeling"),
        avtalesamtale=avtalesamtale,
        fodselsnummer=_fodselsnummer(c, sheet, row),
        ekstra=c.ekstra(sheet, row),
        felt=c.fields(sheet, row),
        rad=row.number,
    )

def _fodselsnummer(c: Cells, sheet: Table, row: Row) -> str:
    """Eleven digits with both mod-11 control digits right, or "" after an error. Secret like the goals:
    a message names the cell and what is wrong, never the number, since messages go to the terminal,
    the web page and logg.jsonl."""
    value = c.value(sheet, row, "fodselsnummer")
    if value is REPORTED or value is None:
        return ""
    place = sheet.place(row, "fodselsnummer")
    if isinstance(value, bool):
        c.error(place, "Fødselsnummer må være 11 siffer")
        return ""
    digits = "".join(id_text(value).split())
    # Typed as a number, a fødselsnummer of someone born on the 1st to the 9th loses its leading zero.
    if isinstance(value, (int, float)) and len(digits) == 10 and digits.isdigit():
        digits = "0" + digits
    if not digits:
        return ""
    if len(digits) != 11 or not digits.isdigit():
        c.error(place, "Fødselsnummer må være 11 siffer; sjekk nummeret i cellen")
        return ""
    if not fodselsnummer_ok(digits):
        c.error(place, "Fødselsnummer er ikke gyldig: kontrollsifrene stemmer ikke med de ni første sifrene; "
                "sjekk nummeret")
        return ""
    return digits


def _navn(c: Cells, sheet: Table, row: Row, fornavn: str) -> str:
    navn = c.text(sheet, row, "navn") if "navn" in sheet.columns else ""
    if not navn:
        etternavn = c.text(sheet, row, "etternavn") if "etternavn" in sheet.columns else ""
        navn = " ".join(p for p in (fornavn, etternavn) if p)
    key = "navn" if "navn" in sheet.columns else "fornavn"
    if not navn:
        c.error(sheet.place(row, key), "Navn mangler")
    elif not any(ch.isalnum() for ch in navn):
        c.error(sheet.place(row, key), f"Navn {quoted(navn[:40])} må inneholde bokstaver")
    return navn

def _avtale(c: Cells, sheet: Table, row: Row) -> bool:
    value = c.value(sheet, row, "avtale")
    if value is REPORTED:
        return True
    avtale = parse_yes_no(value)
    if avtale is None:
        c.error(sheet.place(row, "avtale"), f"Avtale må være «ja» eller «nei», ikke {quoted(clean_text(value))}")
        return True
    return avtale

def _check_superior(c: Cells, sheet: Table, row: Row, leder: Leder, by_nr: dict[str, Leder]) -> None:
    place = sheet.place(row, "overordnet")
    if not leder.overordnet:
        if leder.avtale:
            c.error(place, f"{c.who(leder)} har avtale, men mangler overordnet (Ansattnr)")
    elif leder.overordnet == leder.ansattnr:
        c.error(place, f"{c.who(leder)} kan ikke være sin egen overordnede")
    elif leder.overordnet not in by_nr:
        c.error(place, f"overordnet {quoted(leder.overordnet)} finnes ikke i arket Ledere")

def check_hierarchy(c: Cells, ledere: list[Leder]) -> None:
    """Report each cycle of superiors once, naming everyone in it."""
    by_nr = {leder.ansattnr: leder for leder in ledere}
    done: set[str] = set()
    for start in ledere:
        path: list[str] = []
        current = start.ansattnr
        while current in by_nr and current not in done and current not in path:
            path.append(current)
            superior = by_nr[current].overordnet
            current = superior if superior != by_nr[current].ansattnr else ""
        if current in path:
            _report_cycle(c, [by_nr[nr] for nr in path[path.index(current) :]])
        done.update(path)

def _report_cycle(c: Cells, cycle: list[Leder]) -> None:
    first = min(range(len(cycle)), key=lambda i: cycle[i].rad)
    ordered = cycle[first:] + cycle[:first]
    chain = " → ".join(c.who(leder) for leder in ordered + ordered[:1])
    place = f"{SHEET} rad {ordered[0].rad}"
    c.error(place, f"overordnet-kjeden går i ring: {chain}")


def check_signert(c: Cells, sheet: Table, ledere: list[Leder], periode: Periode) -> None:
    """A Signert date is a fact HR reports, and `arkiv` sends it as the document's date, so one that
    cannot be true for the period is refused: before the period begins, or after it ends (2072 for
    2027). It is not compared with the clock: HR fills the workbook in ahead, and examples and runs
    dated in the period's year must stay valid whatever day they are read."""
    rows = {row.number: row for row in sheet.rows}
    for leder in ledere:
        if leder.signert is None or leder.rad not in rows:
            continue
        place = sheet.place(rows[leder.rad], "signert")
        if leder.signert < periode.fra:
            c.error(place, f"Signert {leder.signert:%d.%m.%Y} er før perioden begynner ({periode.fra:%d.%m.%Y}); "
                    "en avtale for perioden kan ikke være signert før den")
        elif leder.signert > periode.til:
            c.error(place, f"Signert {leder.signert:%d.%m.%Y} er etter at perioden slutter ({periode.til:%d.%m.%Y}); "
                    "skriv datoen avtalen ble signert")
