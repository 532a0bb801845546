"""Writing a new workbook: formatted sheets from the column table, with the Veiledning sheet first.

Used by `init`, `nytt-ar` and the example (`tools/make_example.py`), so they cannot drift apart; the
cells themselves are written by `store.xlsx`, as in every workbook the tool writes.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model import DEFAULT_SKJERMINGSHJEMMEL, DEFAULT_TILGANGSKODE, PLASSERING_SAK
from ..store import xlsx
from ..store.xlsx import DATE_FORMAT, TOP, TOP_WRAP
from ..usage import COMMANDS
from .columns import (
    KOMMUNE,
    LEDERE,
    LEDERPRINSIPPER,
    MALTALL,
    OPPDRAG,
    SHEETS,
    TILTAK,
    UTVIKLINGSMAL,
    Column,
    Sheet,
)

# Rows that get drop-downs and date formats ahead of time, so rows HR adds behave the same.
PREPARED_ROWS = 500
EXTRA_WIDTH = 30  # a column of HR's own

SECTION_FONT = Font(bold=True, size=12, color="1F4E79")
TEXT_FORMAT = "@"  # Excel's Text
TITLE_FONT = Font(bold=True, size=16, color="1F4E79")


VEILEDNING = "Veiledning"

SELECTORS = (
    ("alle", "Alle ledere med Avtale = ja, unntatt kommunedirektøren (lederen rett under ordføreren, når "
     "ordføreren har Avtale = nei): kommunedirektøren skriver selv styringsbrevet. Skal kommunedirektøren "
     "likevel ha et oppdrag, skriv nivå:kommunedirektør eller Ansattnr i tillegg, f.eks. "
     "«alle; nivå:kommunedirektør»."),
    ("nivå:<Nivå>", "Alle med dette nivået i kolonnen Nivå, f.eks. nivå:virksomhetsleder."),
    ("enhet:<Enhet>", "Alle med denne enheten i kolonnen Enhet, f.eks. enhet:Fjordvik sykehjem."),
    ("under:<Ansattnr>", "Alle under denne personen i organisasjonen, på alle nivåer, men ikke personen selv. "
     "F.eks. gir under:1002 alle som har 1002 som overordnet, og alle under dem igjen."),
    ("selv-og-under:<Ansattnr>", "Personen selv og alle under, på alle nivåer. F.eks. gir selv-og-under:1002 "
     "kommunalsjefen med Ansattnr 1002 og hele sektoren hennes oppdraget."),
    ("<Ansattnr>", "Én bestemt leder, f.eks. 1001."),
)

RULES = (
    "Arknavn og kolonneoverskrifter kan skrives med store eller små bokstaver. Rekkefølgen på kolonnene er fri.",
    "Felt og kolonner merket med * i denne veiledningen må fylles ut.",
    "Ekstra kolonner i arkene Ledere, Oppdrag og Tiltak tas vare på og kan brukes i malene med overskriften "
    "som navn, f.eks. {{ leder.ekstra[\"Telefon\"] }}, {{ o.ekstra[\"Hensikt\"] }} og {{ t.ekstra[\"Ansvarlig\"] }} "
    "(store og små bokstaver spiller ingen rolle).",
    "Ansattnr og Nr må være unike. Overordnet må finnes i arket Ledere, og hierarkiet kan ikke gå i ring.",
    "Alle med Avtale = ja må ha en overordnet.",
    "Datoer skrives som Excel-datoer eller som dd.mm.åååå.",
    "Velgere i Gjelder skilles med komma eller semikolon, f.eks. «nivå:virksomhetsleder; 1001». "
    "Store og små bokstaver og mellomrom før og etter betyr ingenting.",
    "En ukjent velger er en feil. En velger som ikke treffer noen, gir en advarsel.",
    "Et tiltak må høre til et oppdrag som gjelder lederen. Det samme gjelder lederens egne måltall (arket Måltall).",
    "Feil stopper kjøringen før noe blir skrevet. Advarsler (mangler e-post, ingen oppdrag, "
    "ingen utviklingsmål) skrives ut, og kjøringen fortsetter.",
    "Utviklingsmål er unntatt offentlighet og kommer bare i vedlegget.",
)

TEMPLATES = (
    ("lederavtale.docx", "Malen for selve lederavtalen (offentlig). Kolonnen Mal i arket Ledere kan peke på "
     "en annen mal i samme mappe."),
    ("vedlegg.docx", "Malen for vedlegget med utviklingsmål (unntatt offentlighet)."),
    ("epost.txt", "Malen for e-posten. Første linje er «Emne: …»."),
    ("Felter", "Malene redigeres i Word. Felter skrives med doble klammer, f.eks. {{ leder.navn }}, "
     "{{ leder.fornavn }}, {{ overordnet.navn }}, {{ kommune.navn }}, {{ periode.tekst }} og "
     "{{ periode.til|dato(\"lang\") }}. «lederavtale maler» viser alle feltene."),
    ("Filtre", "{{ periode.til|dato }} gir 31.12.2027. {{ leder.stilling|liten }} gir liten forbokstav midt i "
     "en setning («kommunalsjef helse»)."),
    ("Lederprinsipper", "Prinsippene fra arket Lederprinsipper skrives ut med {%p for p in lederprinsipper %}, "
     "{{ p.prinsipp }} og {{ p.beskrivelse }}, og {%p endfor %}, hver kode i sitt eget avsnitt."),
)


def starter_content(today: date | None = None) -> dict:
    """Placeholder values that make a new workbook valid out of the box."""
    year = (today or date.today()).year + 1
    return {
        "kommune": {
            "Kommunenavn": "Min kommune",
            "Periode": year,
            "Adresse": "Rådhusgata 1, 1234 Min kommune",
            "Telefon": "12 34 56 78",
            "E-post": "postmottak@min.kommune.no",
            "Nettside": "www.min.kommune.no",
            "Sted": "Min kommune",
            "Avsender": "hr@min.kommune.no",
            "Arkivsak": f"{year}/1",
            "Skjermingshjemmel": DEFAULT_SKJERMINGSHJEMMEL,
            "Målform": "bokmål",
            "Tilgangskode": DEFAULT_TILGANGSKODE,
            "Saksbehandler": "hr@min.kommune.no",
            "Administrativ enhet": "HR-avdelingen",
            "Plassering": PLASSERING_SAK,
        },
        "ledere": [
            {"Ansattnr": 1, "Navn": "Ola Nordmann", "Stilling": "Ordfører", "Enhet": "Politisk ledelse",
             "Nivå": "ordfører", "E-post": "ola.nordmann@min.kommune.no", "Avtale": "nei"},
            {"Ansattnr": 2, "Navn": "Kari Nordmann", "Stilling": "Kommunedirektør",
             "Enhet": "Kommunedirektørens stab", "Nivå": "kommunedirektør",
             "E-post": "kari.nordmann@min.kommune.no", "Overordnet": 1, "Avtale": "ja"},
        ],
        # Named by level: `alle` leaves out the kommunedirektør, who issues the styringsbrev, and
        # would match nobody here (a warning in a workbook that should have none but goals).
        "oppdrag": [
            {"Nr": 1, "Område": "Økonomi", "Oppdrag": "Drive virksomheten innenfor vedtatt budsjettramme.",
             "Mål": "Avvik fra budsjett under 1 %", "Målemetode": "Månedlig økonomirapport",
             "Frist": date(year, 12, 31), "Gjelder": "nivå:kommunedirektør"},
        ],
    }


def build_workbook(kommune: dict, ledere: list[dict], oppdrag: list[dict], tiltak: list[dict] = (),
                   utviklingsmal: list[dict] = (), lederprinsipper: list[dict] = (),
                   headers: dict[str, Sequence[str]] | None = None, maltall: list[dict] = ()) -> Workbook:
    """A formatted workbook: Veiledning first, then the data sheets.

    Rows are dicts keyed by column header; a missing key leaves the cell empty. A sheet has the
    columns a new workbook has, plus every other column its rows (or `headers`, by sheet name: an
    emptied sheet keeps its columns) name: a column of the table not written by default (Fornavn,
    Etternavn), and HR's own columns after them. A default column that others stand in for (Navn,
    for Fornavn and Etternavn) is left out when they are there and it is not.
    """
    wb = xlsx.new_workbook()
    _write_veiledning(wb.create_sheet(VEILEDNING))
    _write_kommune(wb.create_sheet(KOMMUNE.name), kommune)
    tables = {LEDERE: ledere, OPPDRAG: oppdrag, TILTAK: tiltak, MALTALL: maltall, UTVIKLINGSMAL: utviklingsmal,
              LEDERPRINSIPPER: lederprinsipper}
    headers = headers or {}
    layouts = {sheet.name: layout(sheet, [*headers.get(sheet.name, ()), *(k for row in rows for k in row)])
               for sheet, rows in tables.items()}
    # Drop-downs that list another sheet's column reach as far down as that sheet is prepared.
    prepared = {sheet.name: max(len(rows) + 1, PREPARED_ROWS) for sheet, rows in tables.items()}
    for sheet, rows in tables.items():
        _write_table(wb.create_sheet(sheet.name), sheet, rows, layouts, prepared)
    wb.active = 0
    return wb


def layout(sheet: Sheet, present: Sequence[str]) -> list[tuple[str, Column | None]]:
    """The sheet's columns in order, (header, column of the table or None for one of HR's own), for
    rows with the headers `present` (see `build_workbook`)."""
    present = list(dict.fromkeys(present))
    known = {c.header for c in sheet.columns}
    columns: list[tuple[str, Column | None]] = []
    for column in sheet.columns:
        stand_ins = [sheet.column(key).header for key in column.instead]
        if column.written:
            if stand_ins and column.header not in present and all(h in present for h in stand_ins):
                continue
        elif column.header not in present:
            continue
        columns.append((column.header, column))
    return columns + [(h, None) for h in present if h not in known]


def _write_kommune(ws: Worksheet, values: dict) -> None:
    unknown = set(values) - {f.name for f in KOMMUNE.fields}
    if unknown:
        raise ValueError(f"unknown Kommune fields: {sorted(unknown)}")
    _write_header(ws, [(c.header, c) for c in KOMMUNE.written_columns()])
    for row, f in enumerate(KOMMUNE.fields, start=2):
        xlsx.put(ws, row, 1, f.name).font = Font(bold=f.required)
        value_cell = xlsx.put(ws, row, 2, values.get(f.name), Alignment(horizontal="left", vertical="top"))
        if f.date:
            value_cell.number_format = DATE_FORMAT
        xlsx.put(ws, row, 3, f.help + (" (må fylles ut)" if f.required else ""), TOP_WRAP)
        if f.choices:
            _add_choices(ws, f.choices, value_cell.coordinate)
        if f.date:
            _add_date(ws, value_cell.coordinate)


def _write_table(ws: Worksheet, sheet: Sheet, rows: list[dict], layouts: dict[str, list[tuple[str, Column | None]]],
                 prepared: dict[str, int]) -> None:
    columns = layouts[sheet.name]
    _write_header(ws, columns)
    for r, row in enumerate(rows, start=2):
        for c, (header, column) in enumerate(columns, start=1):
            cell = xlsx.put(ws, r, c, row.get(header), TOP_WRAP if column is None or column.wrap else TOP)
            if column is not None and column.date:
                cell.number_format = DATE_FORMAT
            elif column is not None and column.as_text:
                cell.number_format = TEXT_FORMAT
    last = prepared[sheet.name]
    for c, (_, column) in enumerate(columns, start=1):
        if column is None:
            continue
        letter = get_column_letter(c)
        cells = f"{letter}2:{letter}{last}"
        if column.choices:
            _add_choices(ws, column.choices, cells)
        elif column.suggestions:
            _add_suggestions(ws, column, cells)
        elif column.lookup:
            _add_lookup(ws, column, cells, layouts, prepared)
        if column.date:
            _add_date(ws, cells)
            # A column style, not styled empty cells: rows typed in later show dates the
            # Norwegian way, and the sheet does not grow hundreds of blank rows.
            ws.column_dimensions[letter].number_format = DATE_FORMAT
        elif column.as_text:
            # Typed in later, 01019012345 stays eleven digits instead of a number without its zero.
            ws.column_dimensions[letter].number_format = TEXT_FORMAT
    xlsx.auto_filter(ws, len(columns), len(rows))


def _write_header(ws: Worksheet, columns: list[tuple[str, Column | None]]) -> None:
    xlsx.header(ws, [(header, column.width if column is not None else EXTRA_WIDTH) for header, column in columns])
    for c, (_, column) in enumerate(columns, start=1):
        if column is not None:
            note = column.help + (" Må fylles ut." if column.required else "")
            ws.cell(1, c).comment = Comment(note, "lederavtale", width=320, height=110)
    ws.row_dimensions[1].height = 20


def _add_choices(ws: Worksheet, choices: tuple[str, ...], cells: str) -> None:
    """A drop-down that refuses any other value (Avtale, Målform)."""
    _validate(ws, cells, DataValidation(type="list", formula1=_list_formula(choices), errorTitle="Ugyldig verdi",
                                        error="Velg en av verdiene: " + ", ".join(choices) + "."))


def _add_suggestions(ws: Worksheet, column: Column, cells: str) -> None:
    """A drop-down of the usual values of a free-text column: another value gets a warning that
    HR can answer Ja to, since the column is free text (Nivå)."""
    _validate(ws, cells, DataValidation(
        type="list", formula1=_list_formula(column.suggestions), errorStyle="warning",
        errorTitle=f"Uvanlig {column.header.lower()}",
        error=f"Vanlige verdier er {_and_list(column.suggestions)}. {column.header} er fritekst: "
              "velg Ja for å bruke verdien likevel."))


def _add_lookup(ws: Worksheet, column: Column, cells: str, layouts: dict[str, list[tuple[str, Column | None]]],
                prepared: dict[str, int]) -> None:
    """A drop-down of another sheet's column (Overordnet and Ansattnr: Ledere's Ansattnr; Tiltak's Nr:
    Oppdrag's Nr). Only a warning for other values: `sjekk` names a wrong one with its cell anyway,
    and a hard stop would refuse a leader typed below the prepared rows."""
    sheet_name, key = column.lookup
    number, header = next((n, h) for n, (h, c) in enumerate(layouts[sheet_name], start=1)
                          if c is not None and c.key == key)
    letter = get_column_letter(number)
    source = f"'{sheet_name}'!${letter}$2:${letter}${prepared[sheet_name]}"
    _validate(ws, cells, DataValidation(
        type="list", formula1=source, errorStyle="warning", errorTitle=f"Ukjent {header}",
        error=f"{column.header} skal være et {header} fra kolonne {letter} i arket {sheet_name}. "
              "Velg Ja for å beholde verdien likevel."))


def _add_date(ws: Worksheet, cells: str) -> None:
    """A real date: Excel shows it the Norwegian way, and `sjekk` reads it without guessing. A warning
    only, since text written as dd.mm.åååå is read correctly too."""
    _validate(ws, cells, DataValidation(
        type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
        errorStyle="warning", errorTitle="Ugyldig dato",
        error="Skriv en dato som dd.mm.åååå, f.eks. 31.12.2027."))


def _validate(ws: Worksheet, cells: str, dv: DataValidation) -> None:
    dv.allow_blank = True
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(cells)


def _list_formula(values: tuple[str, ...]) -> str:
    return '"' + ",".join(values) + '"'


def _and_list(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " og " + values[-1] if len(values) > 1 else "".join(values)


def _write_veiledning(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 110
    lines: list[tuple[str, str, Font | None]] = [
        ("Lederavtaler – veiledning", "", TITLE_FONT),
        ("", "Denne arbeidsboken er grunnlaget for lederavtalene. Fyll ut arkene Kommune, Ledere, Oppdrag, "
             "Tiltak og Utviklingsmål (og om du vil, Måltall og Lederprinsipper), kontroller med «lederavtale sjekk» og "
             "lag dokumentene med "
             "«lederavtale generer». Hver leder med Avtale = ja får en lederavtale (offentlig) og et vedlegg "
             "med personlige utviklingsmål (unntatt offentlighet), som Word og PDF.", None),
        ("", "Hold musepekeren over en kolonneoverskrift for å se forklaringen. Dette arket leses ikke av "
             "programmet og kan slettes.", None),
        ("", "", None),
    ]
    for sheet in SHEETS:
        lines.append((f"Arket {sheet.name}", sheet.help, SECTION_FONT))
        if sheet is KOMMUNE:
            lines.extend((f.name + (" *" if f.required else ""), f.help, None) for f in KOMMUNE.fields)
        else:
            lines.extend((c.header + (" *" if c.required else ""), c.help, None) for c in sheet.written_columns())
        lines.append(("", "", None))
    lines.append(("Velgere i Gjelder", "Kolonnen Gjelder i arket Oppdrag sier hvem oppdraget gjelder:",
                  SECTION_FONT))
    lines.extend((name, text, None) for name, text in SELECTORS)
    lines.append(("", "", None))
    lines.append(("Regler", "", SECTION_FONT))
    lines.extend(("•", text, None) for text in RULES)
    lines.append(("", "", None))
    lines.append(("Malene", "«lederavtale init» legger en kopi av standardmalene i mappen maler ved siden av "
                  "arbeidsboken. De brukes når kommandoene kjøres fra mappen arbeidsboken ligger i, "
                  "ellers oppgis mappen med --maler.", SECTION_FONT))
    lines.extend((name, text, None) for name, text in TEMPLATES)
    lines.append(("", "", None))
    lines.append(("Kommandoer", "Kjøres i et terminalvindu (ledetekst). «lederavtale KOMMANDO --help» viser "
                  "alle valg, f.eks. --maler MAPPE, --ut MAPPE og --leder ANSATTNR.", SECTION_FONT))
    lines.extend((command.usage, command.description, None) for command in COMMANDS)
    for r, (label, text, font) in enumerate(lines, start=1):
        a = xlsx.put(ws, r, 1, label, TOP_WRAP)
        b = xlsx.put(ws, r, 2, text, TOP_WRAP)
        if font is not None:
            a.font = font
            b.font = Font(italic=font is SECTION_FONT)
        elif label:
            a.font = Font(bold=True)
    ws.sheet_view.showGridLines = False
