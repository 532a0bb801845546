"""Sheet Kommune: the municipality, the period and the settings, one Felt per row.

Every field is read the same way, by the type its line in `columns.KOMMUNE_FIELDS` gives it; what is
left here are the rules between fields: the period (Periode, or Fra and Til), where the archive puts
the records (Plassering with Arkivsak, Arkivdel and the klassifikasjon), and the signing deadline
against the period.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path

from ..model import PLASSERING_PERSONALMAPPE, PLASSERING_SAK, Kommune, Periode, default_frist
from .cells import REPORTED, Cells, Table
from .columns import KOMMUNE, Field, kommune_field
from .fieldtypes import Invalid, Where
from .values import clean_text, quoted

SHEET = KOMMUNE.name
# The model's own attributes; a declared field by any other key is kept in Kommune.felt.
_MODELLED = {f.name for f in dataclass_fields(Kommune)} - {"felt", "celler"}


def read_kommune(c: Cells, sheet: Table | None, folder: Path, uploaded: bool = False) -> Kommune | None:
    """The Kommune sheet; `folder` is the workbook's, which a Logo path is relative to.

    `uploaded`: the workbook came over the web page, and its Logo may only be a file uploaded with it
    (`fieldtypes.Picture`)."""
    if sheet is None:
        return None
    fields: dict[str, tuple[object, str]] = {}  # key -> (raw value, place of Verdi)
    first_row: dict[str, int] = {}
    for row in sheet.rows:
        felt = c.text(sheet, row, "felt", required=True)
        if not felt:
            continue
        known = kommune_field(felt)
        key = known.key if known else None
        if key is None:
            c.warn(sheet.place(row, "felt"), f"ukjent felt {quoted(felt)} blir ikke brukt")
            continue
        if key in fields:
            c.error(sheet.place(row, "felt"), f"feltet {quoted(felt)} står også på rad {first_row[key]}")
            continue
        value = c.value(sheet, row, "verdi")
        fields[key] = (None if value is REPORTED else value, sheet.place(row, "verdi"))
        first_row[key] = row.number

    reading = _Reading(c, fields, Where(folder, uploaded))
    values: dict[str, object] = {}
    periode = None
    for f in KOMMUNE.fields:
        if f.key == "periode":
            periode = _periode(reading)  # in the sheet's order, so that problems come in the rows' order
        if not f.own_rule:
            values[f.key] = reading.read(f)
    if "plassering" not in reading.invalid:
        _plassering(reading, values)
    if periode is not None:
        _frist(reading, values, periode)
    if not values["navn"] or periode is None:
        return None
    return Kommune(
        periode=periode,
        **{key: value for key, value in values.items() if key in _MODELLED},
        felt={key: value for key, value in values.items() if key not in _MODELLED},
        celler={key: place for key, (_, place) in fields.items()},
    )


def field_value(kommune: Kommune, f: Field):
    """A declared field's value in the model: its attribute, or its entry in `felt` (empty as the type
    reads an empty cell, for a Kommune made in code without it)."""
    if f.key in _MODELLED:
        return getattr(kommune, f.key)
    if f.key in kommune.felt:
        return kommune.felt[f.key]
    return f.type.read(None, f.name, Where(Path(".")))


def new_workbook_values(kommune: Kommune) -> dict[str, object]:
    """Felt -> Verdi of a next year's workbook: every field as read, except those that belong to one
    period (`Field.yearly`), which are left empty; the Logo and the period are the writer's to set."""
    return {f.name: None if f.yearly or f.own_rule else f.type.cell(field_value(kommune, f)) for f in KOMMUNE.fields}


class _Reading:
    """The sheet's Verdi cells by field key, read by each field's type; every problem reported once, at
    its cell."""

    def __init__(self, c: Cells, fields: dict[str, tuple[object, str]], where: Where):
        self.c = c
        self.fields = fields
        self.where = where
        self.invalid: set[str] = set()

    def place(self, key: str) -> str:
        return self.fields[key][1] if key in self.fields else SHEET

    def written(self, key: str) -> str:
        return clean_text(self.fields[key][0]) if key in self.fields else ""

    def read(self, f: Field):
        """The field's value; its type's empty value, after an error, when it cannot be read."""
        value = self.fields.get(f.key, (None, SHEET))[0]
        if f.required and not clean_text(value):
            self.c.error(self.place(f.key), f"{f.name} mangler")
        try:
            return f.type.read(value, f.name, self.where)
        except Invalid as problem:
            self.c.error(self.place(f.key), str(problem))
            self.invalid.add(f.key)
            return f.type.read(None, f.name, self.where)


def _periode(reading: _Reading) -> Periode | None:
    c = reading.c
    periode, fra, til = (_field(key) for key in ("periode", "fra", "til"))
    has_range = bool(reading.written("fra") or reading.written("til"))
    if reading.written("periode"):
        year = reading.read(periode)
        if year is None:
            return None
        if has_range:
            c.warn(reading.place("periode"), "Fra og Til blir ikke brukt fordi Periode er fylt ut")
        return Periode(date(year, 1, 1), date(year, 12, 31))

    if not has_range:
        c.error(reading.place("periode"), "Periode mangler; skriv et årstall, eller fyll ut Fra og Til")
        return None
    first = _date(reading, fra)
    last = _date(reading, til)
    if first is None or last is None:
        return None
    if last < first:
        c.error(reading.place("til"), f"Til ({last:%d.%m.%Y}) er før Fra ({first:%d.%m.%Y})")
        return None
    return Periode(first, last)


def _field(key: str) -> Field:
    return next(f for f in KOMMUNE.fields if f.key == key)


def _date(reading: _Reading, f: Field) -> date | None:
    if not reading.written(f.key):
        reading.c.error(reading.place(f.key), f"{f.name} mangler (når Periode er tom)")
        return None
    return reading.read(f)


def _frist(reading: _Reading, values: dict, periode: Periode) -> None:
    """A deadline outside the period is most likely last year's, carried over: a warning, since an
    agreement signed in December for the coming year is not wrong."""
    frist = values.get("frist")
    place = reading.place("frist")
    if frist is None:
        standard = default_frist(periode)
        if standard < periode.fra:  # a period from August: 31 March of its year is before it begins
            reading.c.warn(place, f"Frist er tom, og standardfristen {standard:%d.%m.%Y} er før perioden begynner "
                                  f"({periode.fra:%d.%m.%Y}); skriv datoen avtalene skal være signert innen")
        return
    if frist < periode.fra:
        reading.c.warn(place, f"Frist {frist:%d.%m.%Y} er før perioden begynner ({periode.fra:%d.%m.%Y}); "
                              "skriv datoen avtalene skal være signert innen")
    elif frist > periode.til:
        reading.c.warn(place, f"Frist {frist:%d.%m.%Y} er etter at perioden slutter ({periode.til:%d.%m.%Y}); "
                              "skriv datoen avtalene skal være signert innen")


def _plassering(reading: _Reading, values: dict) -> None:
    """Where the journalposter go. Noark 5 puts every journalpost in a saksmappe, and an archive
    given only an Arkivdel has to invent one (or refuses): so an Arkivdel alone is an error here,
    for every command, and not first when the package is sent."""
    c, place = reading.c, reading.place
    if values["plassering"] == PLASSERING_SAK:
        if values["arkivdel"] and not values["arkivsak"]:
            c.error(place("arkivdel"), "Arkivdel alene er ikke nok: i Noark 5 ligger en journalpost alltid i en "
                    "saksmappe, og arkivet må ellers finne på en. Fyll ut Arkivsak (saken alle avtalene arkiveres i, "
                    f"f.eks. 2027/123), eller sett Plassering til «{PLASSERING_PERSONALMAPPE}» med "
                    "Klassifikasjonssystem og Klasse (én mappe per leder)")
        elif values["arkivdel"]:
            c.warn(place("arkivdel"), "Arkivdel blir ikke brukt med Plassering «sak»: journalpostene arkiveres i "
                   "saken i Arkivsak")
        return
    for key, name, example in (("klassifikasjonssystem", "Klassifikasjonssystem", "Ansattnummer"),
                               ("klasse", "Klasse", "Ansattnr")):
        if not values[key]:
            c.error(place(key), f"{name} mangler; Plassering «{PLASSERING_PERSONALMAPPE}» gir hver leder en saksmappe "
                    f"med klassifikasjon (f.eks. {name} = {example})")
    if values["arkivsak"]:
        c.warn(place("arkivsak"), f"Arkivsak blir ikke brukt med Plassering «{PLASSERING_PERSONALMAPPE}»: "
               "hver leders avtale arkiveres i lederens egen mappe")
    if values["sak_system_id"]:
        c.warn(place("sak_system_id"), f"Sak systemID blir ikke brukt med Plassering «{PLASSERING_PERSONALMAPPE}»: "
               "hver leders avtale arkiveres i lederens egen mappe")
