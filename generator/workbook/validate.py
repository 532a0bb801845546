"""Validation: each sheet read into model objects, every problem collected with its cell.

Every problem is collected, not just the first, so HR can fix the whole workbook in one
round. Errors are raised together as `WorkbookError`; warnings are returned with the
workbook. Places are written with the canonical sheet names (`Ledere!G9`), which is
what HR sees on the tabs whatever the case of the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from openpyxl.utils import get_column_letter
from PIL import Image, UnidentifiedImageError

from ..exceptions import WorkbookError
from ..typos import closest
from ..model import (
    DEFAULT_SKJERMINGSHJEMMEL,
    DEFAULT_TILGANGSKODE,
    Arbeidsbok,
    Kommune,
    Leder,
    Oppdrag,
    Periode,
    Problem,
    Tiltak,
    Utviklingsmal,
)
from . import columns
from .columns import MALFORMER, kommune_field
from .file import RawSheets
from .selectors import Selector, SelectorError
from .values import EXCEL_ERRORS, clean_text, id_text, norm, parse_date, parse_yes_no, quoted

KOMMUNE = columns.KOMMUNE.name
LEDERE = columns.LEDERE.name
OPPDRAG = columns.OPPDRAG.name
TILTAK = columns.TILTAK.name
UTVIKLINGSMAL = columns.UTVIKLINGSMAL.name
_YEAR = re.compile(r"\d{4}")
_LAYOUT = {sheet.name: sheet for sheet in columns.SHEETS}


@dataclass
class Row:
    number: int  # row number in the sheet, as Excel shows it
    values: tuple

    def get(self, col: int | None):
        if col is None or col > len(self.values):
            return None
        return self.values[col - 1]


@dataclass
class Table:
    name: str
    header_row: int
    columns: dict[str, int]  # key -> column number
    extra: dict[str, int]  # unknown header as written -> column number
    rows: list[Row]

    def place(self, row: Row, key: str) -> str:
        col = self.columns.get(key)
        if col is None:
            return f"{self.name} rad {row.number}"
        return f"{self.name}!{get_column_letter(col)}{row.number}"


def _is_empty(values: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# --------------------------------------------------------------------------- validation


class Validator:
    """Reads each sheet into model objects, collecting every problem on the way."""

    def __init__(self, path: Path, raw: RawSheets):
        self.path = path
        self.raw = raw
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- problems

    def error(self, place: str, message: str) -> None:
        self.errors.append(Problem(place, message))

    def warn(self, place: str, message: str) -> None:
        self.warnings.append(Problem(place, message))

    # -- driving

    def run(self) -> Arbeidsbok:
        for name in self.raw.missing:
            self.error(name, f"arket {quoted(name)} mangler i arbeidsboken")
        for name in self.raw.duplicates:
            self.error(name, f"arbeidsboken har mer enn ett ark som heter {quoted(name)}")
        sheets = {name: self.sheet(name, rows) for name, rows in self.raw.rows.items()}

        kommune = self.read_kommune(sheets.get(KOMMUNE))
        ledere = self.read_ledere(sheets.get(LEDERE))
        ledere_ok = sheets.get(LEDERE) is not None
        if ledere_ok:
            self.check_hierarchy(ledere)
        oppdrag, tildeling, bad_gjelder = self.read_oppdrag(sheets.get(OPPDRAG), ledere, ledere_ok)
        tiltak = self.read_tiltak(
            sheets.get(TILTAK), ledere, oppdrag, tildeling, bad_gjelder, ledere_ok, sheets.get(OPPDRAG) is not None
        )
        goals = self.read_utviklingsmal(sheets.get(UTVIKLINGSMAL), ledere, ledere_ok)

        if sheets.get(OPPDRAG) is not None:
            for leder in ledere:
                if leder.avtale and not tildeling.get(leder.ansattnr):
                    self.warn(f"{LEDERE} rad {leder.rad}", f"{self.who(leder)} får ingen oppdrag")
        if sheets.get(UTVIKLINGSMAL) is not None:
            with_goals = {g.ansattnr for g in goals}
            for leder in ledere:
                if leder.avtale and leder.ansattnr not in with_goals:
                    self.warn(f"{LEDERE} rad {leder.rad}", f"{self.who(leder)} har ingen utviklingsmål")

        if self.errors or kommune is None:
            raise WorkbookError(self.errors)
        return Arbeidsbok(
            path=self.path,
            kommune=kommune,
            ledere=ledere,
            oppdrag=oppdrag,
            tiltak=tiltak,
            utviklingsmal=goals,
            tildeling=tildeling,
            warnings=self.warnings,
        )

    @staticmethod
    def who(leder: Leder) -> str:
        return f"{leder.navn} ({leder.ansattnr})" if leder.navn else quoted(leder.ansattnr)

    # -- sheet structure

    def sheet(self, name: str, rows: list[tuple]) -> Table | None:
        """Find the header row and columns; None when the sheet cannot be used."""
        header_index = next((i for i, row in enumerate(rows) if not _is_empty(row)), None)
        if header_index is None:
            self.error(name, f"arket {quoted(name)} er tomt; første rad skal ha kolonneoverskriftene")
            return None
        header_row = header_index + 1
        known = {alias: col for col in _LAYOUT[name].columns for alias in col.aliases}
        columns: dict[str, int] = {}
        extra: dict[str, int] = {}
        for number, header in enumerate(rows[header_index], start=1):
            written = clean_text(header)
            if not written:
                continue
            place = f"{name}!{get_column_letter(number)}{header_row}"
            column = known.get(norm(written))
            if column is None and written in extra:
                self.error(place, f"kolonnen {quoted(written)} finnes to ganger")
            elif column is None:
                self.check_typo(place, written, name)
                extra[written] = number
            elif column.key in columns:
                self.error(place, f"kolonnen {quoted(column.header)} finnes to ganger")
            else:
                columns[column.key] = number

        usable = True
        for column in _LAYOUT[name].columns:
            if not column.required or column.key in columns:
                continue
            if column.instead and set(column.instead) <= columns.keys():
                continue
            alternative = " og ".join(quoted(_LAYOUT[name].column(key).header) for key in column.instead)
            self.error(f"{name} rad {header_row}", f"mangler kolonnen {quoted(column.header)}"
                       + (f" (eller {alternative})" if alternative else ""))
            usable = False
        if not usable:
            return None

        data_rows = [
            Row(number, row)
            for number, row in enumerate(rows[header_index + 1 :], start=header_row + 1)
            if not _is_empty(row)
        ]
        return Table(name, header_row, columns, extra, data_rows)

    def check_typo(self, place: str, written: str, sheet: str) -> None:
        """Unknown columns are allowed (HR's own notes, `ekstra`); a near miss is likely a typo."""
        labels = {norm(c.header): c.header for c in _LAYOUT[sheet].columns}
        close = closest(norm(written), labels, cutoff=0.75)
        if close:
            self.warn(place, f"ukjent kolonne {quoted(written)} blir ikke brukt; mente du {quoted(labels[close])}?")

    # -- cell access

    def value(self, sheet: Table, row: Row, key: str):
        """The raw value, or None after reporting a cell Excel could not give a value."""
        col = sheet.columns.get(key)
        value = row.get(col)
        if value is None and col is not None and (sheet.name, row.number, col) in self.raw.uncached:
            self.error(
                sheet.place(row, key),
                "formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen",
            )
            return _REPORTED
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
            self.error(sheet.place(row, key), f"cellen inneholder feilverdien {quoted(value.strip())}")
            return _REPORTED
        return value

    def text(self, sheet: Table, row: Row, key: str, required: bool = False, as_id: bool = False) -> str:
        value = self.value(sheet, row, key)
        if value is _REPORTED:
            return ""
        text = id_text(value) if as_id else clean_text(value)
        if required and not text:
            self.error(sheet.place(row, key), f"{self.label(sheet, key)} mangler")
        return text

    def date(self, sheet: Table, row: Row, key: str) -> date | None:
        value = self.value(sheet, row, key)
        if value is _REPORTED:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.error(
                sheet.place(row, key),
                f"ugyldig dato {quoted(clean_text(value))}; skriv datoen som dd.mm.åååå",
            )
            return None

    def email(self, place: str, address: str) -> bool:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            self.error(place, f"ugyldig e-postadresse {quoted(address)}")
            return False
        return True

    @staticmethod
    def label(sheet: Table, key: str) -> str:
        return _LAYOUT[sheet.name].column(key).header

    # -- Kommune

    def read_kommune(self, sheet: Table | None) -> Kommune | None:
        if sheet is None:
            return None
        fields: dict[str, tuple[object, str]] = {}  # key -> (raw value, place of Verdi)
        first_row: dict[str, int] = {}
        for row in sheet.rows:
            felt = self.text(sheet, row, "felt", required=True)
            if not felt:
                continue
            known = kommune_field(felt)
            key = known.key if known else None
            if key is None:
                self.warn(sheet.place(row, "felt"), f"ukjent felt {quoted(felt)} blir ikke brukt")
                continue
            if key in fields:
                self.error(sheet.place(row, "felt"), f"feltet {quoted(felt)} står også på rad {first_row[key]}")
                continue
            value = self.value(sheet, row, "verdi")
            fields[key] = (None if value is _REPORTED else value, sheet.place(row, "verdi"))
            first_row[key] = row.number

        def text(key: str) -> str:
            return clean_text(fields[key][0]) if key in fields else ""

        navn = text("navn")
        if not navn:
            self.error(fields["navn"][1] if "navn" in fields else KOMMUNE, "Kommunenavn mangler")
        periode = self.kommune_periode(fields)
        avsender = text("avsender")
        if avsender:
            self.email(fields["avsender"][1], avsender)
        logo = self.kommune_logo(fields["logo"][1], text("logo")) if text("logo") else None
        malform = self.kommune_malform(fields)
        if not navn or periode is None:
            return None
        return Kommune(
            navn=navn,
            periode=periode,
            adresse=text("adresse"),
            telefon=text("telefon"),
            epost=text("epost"),
            nettside=text("nettside"),
            logo=logo,
            sted=text("sted"),
            avsender=avsender,
            arkivsak=text("arkivsak"),
            skjermingshjemmel=text("skjermingshjemmel") or DEFAULT_SKJERMINGSHJEMMEL,
            malform=malform,
            tilgangskode=text("tilgangskode") or DEFAULT_TILGANGSKODE,
        )

    def kommune_periode(self, fields: dict) -> Periode | None:
        value, place = fields.get("periode", (None, KOMMUNE))
        has_range = bool(clean_text(fields.get("fra", (None,))[0]) or clean_text(fields.get("til", (None,))[0]))
        if value is not None and clean_text(value):
            year = self.year(value)
            if year is None:
                self.error(place, f"Periode må være et årstall, for eksempel 2027, ikke {quoted(clean_text(value))}")
                return None
            if has_range:
                self.warn(place, "Fra og Til blir ikke brukt fordi Periode er fylt ut")
            return Periode(date(year, 1, 1), date(year, 12, 31))

        if not has_range:
            self.error(place, "Periode mangler; skriv et årstall, eller fyll ut Fra og Til")
            return None
        fra = self.kommune_date(fields, "fra", "Fra")
        til = self.kommune_date(fields, "til", "Til")
        if fra is None or til is None:
            return None
        if til < fra:
            self.error(fields["til"][1], f"Til ({til:%d.%m.%Y}) er før Fra ({fra:%d.%m.%Y})")
            return None
        return Periode(fra, til)

    @staticmethod
    def year(value) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)) and float(value).is_integer():
            year = int(value)
        elif isinstance(value, str) and _YEAR.fullmatch(clean_text(value)):
            year = int(clean_text(value))
        else:
            return None
        return year if 2000 <= year <= 2100 else None

    def kommune_date(self, fields: dict, key: str, label: str) -> date | None:
        if key not in fields or not clean_text(fields[key][0]):
            self.error(fields[key][1] if key in fields else KOMMUNE, f"{label} mangler (når Periode er tom)")
            return None
        value, place = fields[key]
        try:
            return parse_date(value)
        except ValueError:
            self.error(place, f"ugyldig dato {quoted(clean_text(value))}; skriv datoen som dd.mm.åååå")
            return None

    def kommune_logo(self, place: str, written: str) -> Path | None:
        # Workbooks are often made on Windows; a backslash path must work here too.
        relative = Path(written.replace("\\", "/"))
        logo = relative if relative.is_absolute() else (self.path.parent / relative)
        logo = logo.resolve()
        if not logo.is_file():
            self.error(place, f"finner ikke logofilen {quoted(written)} (stien er regnet fra arbeidsbokens mappe)")
            return None
        try:
            with Image.open(logo) as image:
                kind = image.format
        except (UnidentifiedImageError, OSError):
            kind = None
        if kind not in ("PNG", "JPEG"):
            self.error(place, f"logoen {quoted(written)} må være et PNG- eller JPEG-bilde")
            return None
        return logo

    def kommune_malform(self, fields: dict) -> str:
        value, place = fields.get("malform", (None, KOMMUNE))
        written = clean_text(value)
        if not written:
            return "bokmål"
        malform = MALFORMER.get(norm(written))
        if malform is None:
            self.error(place, f"Målform må være «bokmål» eller «nynorsk», ikke {quoted(written)}")
            return "bokmål"
        return malform

    # -- Ledere

    def read_ledere(self, sheet: Table | None) -> list[Leder]:
        if sheet is None:
            return []
        ledere: list[Leder] = []
        seen: dict[str, int] = {}
        for row in sheet.rows:
            leder = self.read_leder(sheet, row)
            if not leder.ansattnr:
                continue
            if leder.ansattnr in seen:
                self.error(
                    sheet.place(row, "ansattnr"),
                    f"Ansattnr {quoted(leder.ansattnr)} finnes allerede på rad {seen[leder.ansattnr]}",
                )
                continue
            seen[leder.ansattnr] = row.number
            ledere.append(leder)

        by_nr = {leder.ansattnr: leder for leder in ledere}
        rows = {row.number: row for row in sheet.rows}
        for leder in ledere:
            self.check_superior(sheet, rows[leder.rad], leder, by_nr)
        return ledere

    def read_leder(self, sheet: Table, row: Row) -> Leder:
        ansattnr = self.text(sheet, row, "ansattnr", required=True, as_id=True)
        navn = self.leder_navn(sheet, row)
        stilling = self.text(sheet, row, "stilling", required=True)
        enhet = self.text(sheet, row, "enhet", required=True)
        epost = self.text(sheet, row, "epost")
        avtale = self.leder_avtale(sheet, row)
        if epost:
            self.email(sheet.place(row, "epost"), epost)
        elif avtale:
            self.warn(sheet.place(row, "epost"), "mangler e-postadresse; e-postutkast kan ikke lages")
        return Leder(
            ansattnr=ansattnr,
            navn=navn,
            stilling=stilling,
            enhet=enhet,
            niva=self.text(sheet, row, "niva"),
            epost=epost,
            overordnet=self.text(sheet, row, "overordnet", as_id=True),
            avtale=avtale,
            mal=self.text(sheet, row, "mal"),
            signert=self.date(sheet, row, "signert"),
            ekstra={header: clean_text(row.get(col)) for header, col in sheet.extra.items()},
            rad=row.number,
        )

    def leder_navn(self, sheet: Table, row: Row) -> str:
        navn = self.text(sheet, row, "navn") if "navn" in sheet.columns else ""
        if not navn:
            parts = [self.text(sheet, row, key) for key in ("fornavn", "etternavn") if key in sheet.columns]
            navn = " ".join(p for p in parts if p)
        if not navn:
            key = "navn" if "navn" in sheet.columns else "fornavn"
            self.error(sheet.place(row, key), "Navn mangler")
        return navn

    def leder_avtale(self, sheet: Table, row: Row) -> bool:
        value = self.value(sheet, row, "avtale")
        if value is _REPORTED:
            return True
        avtale = parse_yes_no(value)
        if avtale is None:
            self.error(sheet.place(row, "avtale"), f"Avtale må være «ja» eller «nei», ikke {quoted(clean_text(value))}")
            return True
        return avtale

    def check_superior(self, sheet: Table, row: Row, leder: Leder, by_nr: dict[str, Leder]) -> None:
        place = sheet.place(row, "overordnet")
        if not leder.overordnet:
            if leder.avtale:
                self.error(place, f"{self.who(leder)} har avtale, men mangler overordnet (Ansattnr)")
        elif leder.overordnet == leder.ansattnr:
            self.error(place, f"{self.who(leder)} kan ikke være sin egen overordnede")
        elif leder.overordnet not in by_nr:
            self.error(place, f"overordnet {quoted(leder.overordnet)} finnes ikke i arket Ledere")

    def check_hierarchy(self, ledere: list[Leder]) -> None:
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
                self.report_cycle([by_nr[nr] for nr in path[path.index(current) :]])
            done.update(path)

    def report_cycle(self, cycle: list[Leder]) -> None:
        first = min(range(len(cycle)), key=lambda i: cycle[i].rad)
        ordered = cycle[first:] + cycle[:first]
        chain = " → ".join(self.who(leder) for leder in ordered + ordered[:1])
        place = f"{LEDERE} rad {ordered[0].rad}"
        self.error(place, f"overordnet-kjeden går i ring: {chain}")

    # -- Oppdrag

    def read_oppdrag(
        self, sheet: Table | None, ledere: list[Leder], ledere_ok: bool
    ) -> tuple[list[Oppdrag], dict[str, list[str]], set[str]]:
        tildeling = {leder.ansattnr: [] for leder in ledere if leder.avtale}
        if sheet is None:
            return [], tildeling, set()
        selector = Selector(ledere)
        oppdrag: list[Oppdrag] = []
        seen: dict[str, int] = {}
        bad_gjelder: set[str] = set()
        for row in sheet.rows:
            item = Oppdrag(
                nr=self.text(sheet, row, "nr", required=True, as_id=True),
                omrade=self.text(sheet, row, "omrade", required=True),
                tekst=self.text(sheet, row, "oppdrag", required=True),
                mal=self.text(sheet, row, "mal"),
                malemetode=self.text(sheet, row, "malemetode"),
                utgangspunkt=self.text(sheet, row, "utgangspunkt"),
                frist=self.date(sheet, row, "frist"),
                gjelder=self.text(sheet, row, "gjelder", required=True),
                rad=row.number,
            )
            if not item.nr:
                continue
            if item.nr in seen:
                self.error(sheet.place(row, "nr"), f"Nr {quoted(item.nr)} finnes allerede på rad {seen[item.nr]}")
                continue
            seen[item.nr] = row.number
            oppdrag.append(item)
            if not ledere_ok or not item.gjelder:
                bad_gjelder.add(item.nr)
                continue
            matched = self.resolve(sheet.place(row, "gjelder"), item.gjelder, selector)
            if matched is None:
                bad_gjelder.add(item.nr)
                continue
            for ansattnr in matched:
                tildeling[ansattnr].append(item.nr)
        return oppdrag, tildeling, bad_gjelder

    def resolve(self, place: str, gjelder: str, selector: "Selector") -> set[str] | None:
        """The Ansattnr of every Avtale=ja leader the cell selects; None after an error."""
        matched: set[str] = set()
        ok = True
        for token in (t.strip() for t in re.split(r"[,;\n]", gjelder)):
            if not token:
                continue
            try:
                hits = selector.select(token)
            except SelectorError as exc:
                self.error(place, str(exc))
                ok = False
                continue
            if not hits:
                self.warn(place, f"utvalget {quoted(token)} treffer ingen ledere med avtale")
            matched |= hits
        return matched if ok else None

    # -- Tiltak

    def read_tiltak(
        self,
        sheet: Table | None,
        ledere: list[Leder],
        oppdrag: list[Oppdrag],
        tildeling: dict[str, list[str]],
        bad_gjelder: set[str],
        ledere_ok: bool,
        oppdrag_ok: bool,
    ) -> list[Tiltak]:
        if sheet is None:
            return []
        by_nr = {leder.ansattnr: leder for leder in ledere}
        known_oppdrag = {o.nr for o in oppdrag}
        result: list[Tiltak] = []
        for row in sheet.rows:
            item = Tiltak(
                ansattnr=self.text(sheet, row, "ansattnr", required=True, as_id=True),
                nr=self.text(sheet, row, "nr", required=True, as_id=True),
                tekst=self.text(sheet, row, "tiltak", required=True),
                rad=row.number,
            )
            if not (item.ansattnr and item.nr):
                continue
            leder = by_nr.get(item.ansattnr)
            if ledere_ok and leder is None:
                self.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(item.ansattnr)} finnes ikke i arket Ledere")
            elif oppdrag_ok and item.nr not in known_oppdrag:
                self.error(sheet.place(row, "nr"), f"oppdrag {quoted(item.nr)} finnes ikke i arket Oppdrag")
            elif leder is not None and oppdrag_ok and item.nr not in bad_gjelder:
                if item.nr not in tildeling.get(leder.ansattnr, []):
                    self.error(sheet.place(row, "nr"), f"oppdrag {item.nr} gjelder ikke {self.who(leder)}")
            result.append(item)
        return result

    # -- Utviklingsmål

    def read_utviklingsmal(self, sheet: Table | None, ledere: list[Leder], ledere_ok: bool) -> list[Utviklingsmal]:
        # These texts are exempt from public access: messages name cells, never the content.
        if sheet is None:
            return []
        by_nr = {leder.ansattnr: leder for leder in ledere}
        result: list[Utviklingsmal] = []
        for row in sheet.rows:
            item = Utviklingsmal(
                ansattnr=self.text(sheet, row, "ansattnr", required=True, as_id=True),
                mal=self.text(sheet, row, "mal", required=True),
                tiltak=self.text(sheet, row, "tiltak"),
                oppfolging=self.text(sheet, row, "oppfolging"),
                rad=row.number,
            )
            if not item.ansattnr:
                continue
            leder = by_nr.get(item.ansattnr)
            if ledere_ok and leder is None:
                self.error(sheet.place(row, "ansattnr"), f"Ansattnr {quoted(item.ansattnr)} finnes ikke i arket Ledere")
            elif leder is not None and not leder.avtale:
                self.warn(sheet.place(row, "ansattnr"), f"{self.who(leder)} har Avtale=nei; utviklingsmålet blir ikke brukt")
            result.append(item)
        return result


_REPORTED = object()  # a cell whose problem has already been reported

