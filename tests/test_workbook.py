"""Reading and validating the workbook: real .xlsx files written with openpyxl."""

from __future__ import annotations

import json
import re
import shutil
import tracemalloc
import zipfile
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GOAL_TEXT, basic_sheets, write_xlsx
from PIL import Image

from generator.cli import main
from generator.exceptions import WorkbookError
from generator.model import DEFAULT_SKJERMINGSHJEMMEL
from generator.workbook import clean_text, id_text, read_workbook
from generator.workbook import file as workbook_file

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# The basic workbook's rows: Ledere row 2 = 1 (ordfører), 3 = 100, 4 = 200, 5 = 300,
# 6 = 210, 7 = 310, 8 = 320, 9 = 211; Oppdrag rows 2-6 = Nr 1-5.
# Oppdrag 1 is «alle», which leaves out the kommunedirektør (100, under the ordfører with
# Avtale=nei): he or she issues the styringsbrev. 100 is named in Oppdrag 5.
EXPECTED_TILDELING = {
    "100": ["5"],
    "200": ["1"],
    "300": ["1", "5"],
    "210": ["1", "2", "4"],
    "310": ["1", "2", "3"],
    "320": ["1", "2"],
    "211": ["1", "2", "4"],
}


def read(tmp_path: Path, sheets: dict, name: str = "arbeidsbok.xlsx"):
    return read_workbook(write_xlsx(tmp_path / name, sheets))


def errors_of(tmp_path: Path, sheets: dict) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        read(tmp_path, sheets)
    return [str(p) for p in info.value.problems]


def put(sheets: dict, sheet: str, row: int, header: str, value) -> None:
    """Set the cell in Excel row `row` under `header` (row 1 is the header row)."""
    sheets[sheet][row - 1][sheets[sheet][0].index(header)] = value


def warnings_of(bok) -> list[str]:
    return [str(w) for w in bok.warnings]


# --------------------------------------------------------------------------- the basic workbook


def test_basic_workbook_reads_every_sheet(basic_workbook):
    bok = read_workbook(basic_workbook)

    k = bok.kommune
    assert k.navn == "Testvik kommune"
    assert (k.periode.fra, k.periode.til, k.periode.ar) == (date(2027, 1, 1), date(2027, 12, 31), 2027)
    assert k.adresse == "Rådhusgata 1, 9999 Testvik"
    assert k.telefon == "12 34 56 78"
    assert k.epost == "postmottak@testvik.kommune.no"
    assert k.nettside == "www.testvik.kommune.no"
    assert k.sted == "Testvik"
    assert k.avsender == "hr@testvik.kommune.no"
    assert k.arkivsak == "2027/123"
    assert k.logo is None
    assert k.skjermingshjemmel == DEFAULT_SKJERMINGSHJEMMEL
    assert k.malform == "bokmål"
    assert k.tilgangskode == "P"

    assert [leder.ansattnr for leder in bok.ledere] == ["1", "100", "200", "300", "210", "310", "320", "211"]
    assert [leder.rad for leder in bok.ledere] == [2, 3, 4, 5, 6, 7, 8, 9]
    ordforer, direktor = bok.ledere[0], bok.ledere[1]
    assert ordforer.avtale is False and ordforer.overordnet == ""
    assert direktor.navn == "Kari Direktør"
    assert direktor.stilling == "Kommunedirektør"
    assert direktor.enhet == "Kommunedirektørens stab"
    assert direktor.niva == "kommunedirektør"
    assert direktor.epost == "kari@testvik.kommune.no"
    assert direktor.overordnet == "1"
    assert direktor.avtale is True
    assert direktor.signert == date(2027, 1, 20)
    assert bok.leder("300").signert is None
    assert bok.leder("320").epost == ""

    assert [o.nr for o in bok.oppdrag] == ["1", "2", "3", "4", "5"]
    first, second = bok.oppdrag[0], bok.oppdrag[1]
    assert (first.omrade, first.tekst, first.mal) == ("Økonomi", "Drive innenfor vedtatt budsjett", "Avvik under 1 %")
    assert (first.malemetode, first.utgangspunkt) == ("Månedsrapport", "Avvik 2,3 % i 2026")
    assert first.frist == date(2027, 12, 31)  # an Excel date
    assert second.frist == date(2027, 12, 31)  # dd.mm.yyyy text
    assert second.tekst == "Redusere sykefraværet\nmed systematisk oppfølging"
    assert bok.oppdrag[2].frist is None
    assert [o.rad for o in bok.oppdrag] == [2, 3, 4, 5, 6]

    assert bok.tildeling == EXPECTED_TILDELING
    assert [(t.ansattnr, t.nr, t.rad) for t in bok.tiltak] == [("210", "2", 2), ("210", "2", 3), ("310", "3", 4)]
    assert [t.tekst for t in bok.tiltak_for(bok.leder("210"), "2")] == [
        "Ukentlige oppfølgingssamtaler med sykmeldte",
        "Tilrettelegging i samarbeid med NAV",
    ]
    goals = bok.utviklingsmal_for(bok.leder("210"))
    assert [(g.mal, g.tiltak, g.oppfolging) for g in goals] == [(GOAL_TEXT, "Lederutviklingsprogram", "Samtale i juni")]


def test_basic_workbook_warnings(basic_workbook):
    bok = read_workbook(basic_workbook)
    assert warnings_of(bok) == [
        "Ledere!F8: mangler e-postadresse; e-postutkast kan ikke lages",
        "Ledere rad 3: Kari Direktør (100) har ingen utviklingsmål",
        "Ledere rad 4: Per Helse (200) har ingen utviklingsmål",
        "Ledere rad 5: Åse Oppvekst (300) har ingen utviklingsmål",
        "Ledere rad 8: Nils Barnehage (320) har ingen utviklingsmål",
        "Ledere rad 9: Berit Avdeling (211) har ingen utviklingsmål",
    ]


def test_path_is_kept(basic_workbook):
    assert read_workbook(str(basic_workbook)).path == basic_workbook


# --------------------------------------------------------------------------- values


def _rewrite_part(path: Path, part: str, old: str, new: str) -> None:
    """Change the XML of one part, to write what other programs than openpyxl write."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[part].decode()
    assert xml.count(old) == 1
    parts[part] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_numeric_ids_are_text_without_decimals(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 2, "Nr", 1)
    put(s, "Oppdrag", 6, "Gjelder", 100)  # a single Ansattnr typed as a number
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", s)
    # Some exporters store whole numbers as 210.0, which is read as a float.
    _rewrite_part(path, "xl/worksheets/sheet2.xml", '<c r="A6" t="n"><v>210</v>', '<c r="A6" t="n"><v>210.0</v>')
    _rewrite_part(path, "xl/worksheets/sheet2.xml", '<c r="G9" t="n"><v>210</v>', '<c r="G9" t="n"><v>210.0</v>')
    _rewrite_part(path, "xl/worksheets/sheet4.xml", '<c r="A2" t="n"><v>210</v>', '<c r="A2" t="n"><v>210.0</v>')
    bok = read_workbook(path)
    assert [leder.ansattnr for leder in bok.ledere][4] == "210"
    assert bok.leder("211").overordnet == "210"
    assert bok.tiltak[0].ansattnr == "210"
    assert bok.oppdrag[0].nr == "1"
    assert bok.tildeling["100"] == ["5"]  # named by a number; «alle» leaves the kommunedirektør out
    assert bok.tildeling["300"] == ["1"]
    assert bok.tildeling["210"] == ["1", "2", "4"]


def test_decimal_nr_matches_between_sheets(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 3, "Nr", 2.5)
    s["Tiltak"][1][1] = 2.5
    s["Tiltak"][2][1] = "2.5"
    bok = read(tmp_path, s)
    assert bok.oppdrag[1].nr == "2.5"
    assert bok.tildeling["210"] == ["1", "2.5", "4"]
    assert [t.nr for t in bok.tiltak] == ["2.5", "2.5", "3"]


@pytest.mark.parametrize("value, expected", [(1001.0, "1001"), (1001, "1001"), (2.5, "2.5"), (" 17 ", "17"), (None, "")])
def test_id_text(value, expected):
    assert id_text(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2027, 3, 4, 0, 0), date(2027, 3, 4)),
        (date(2027, 3, 4), date(2027, 3, 4)),
        ("04.03.2027", date(2027, 3, 4)),
        ("4.3.2027", date(2027, 3, 4)),
        (" 4.3.2027 ", date(2027, 3, 4)),
        ("2027-03-04", date(2027, 3, 4)),
        (None, None),
    ],
)
def test_date_kinds(tmp_path, value, expected):
    s = basic_sheets()
    put(s, "Oppdrag", 3, "Frist", value)
    put(s, "Ledere", 5, "Signert", value)
    bok = read(tmp_path, s)
    assert bok.oppdrag[1].frist == expected
    assert bok.leder("300").signert == expected


@pytest.mark.parametrize("value", ["31.02.2027", "neste uke", "2027", "12/31/2027", 46387])
def test_unreadable_date_is_an_error_at_its_cell(tmp_path, value):
    s = basic_sheets()
    put(s, "Oppdrag", 3, "Frist", value)
    errors = errors_of(tmp_path, s)
    assert errors == [f"Oppdrag!G3: ugyldig dato «{value}»; skriv datoen som dd.mm.åååå"]


def test_unreadable_signert_date(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 4, "Signert", "i går")
    assert errors_of(tmp_path, s) == ["Ledere!J4: ugyldig dato «i går»; skriv datoen som dd.mm.åååå"]


def test_line_breaks_and_control_characters(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 2, "Oppdrag", "  Første linje\r\nandre linje\rtredje  ")
    # Excel stores a vertical tab and other control characters escaped as _xHHHH_.
    put(s, "Oppdrag", 3, "Oppdrag", "Linje 1_x000B_Linje 2_x0007_ slutt\tmed tab")
    put(s, "Oppdrag", 4, "Mål", "Alle_x000D_\nopplært")
    bok = read(tmp_path, s)
    assert bok.oppdrag[0].tekst == "Første linje\nandre linje\ntredje"
    assert bok.oppdrag[1].tekst == "Linje 1\nLinje 2 slutt\tmed tab"
    assert bok.oppdrag[2].mal == "Alle\nopplært"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a\x0bb", "a\nb"),
        ("a\x00b\x1fc\x7f", "abc"),
        ("a\r\nb", "a\nb"),
        ("  \u00a0tekst\t ", "tekst"),
        (2.5, "2,5"),
        (3.0, "3"),
        (12345678901234567.0, "12345678901234568"),  # long numbers, not 1.23e+16
        (True, "ja"),
        (None, ""),
        (datetime(2027, 5, 17), "17.05.2027"),
    ],
)
def test_clean_text(value, expected):
    assert clean_text(value) == expected


def test_text_values_are_trimmed(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 3, "Navn", "  Kari Direktør \n")
    put(s, "Ledere", 3, "Ansattnr", " 100 ")
    bok = read(tmp_path, s)
    assert bok.leder("100").navn == "Kari Direktør"


# --------------------------------------------------------------------------- structure


def test_sheet_names_headers_and_aliases_are_tolerant(tmp_path):
    s = basic_sheets()
    order = ["Overordnet", "Ansattnr", "Signert", "Nivå", "Navn", "Stilling", "Enhet", "E-post", "Avtale", "Mal"]
    header = s["Ledere"][0]
    s["Ledere"] = [[row[header.index(h)] for h in order] for row in s["Ledere"]]
    s["Ledere"][0] = [
        "Overordnet leder",
        " Ansattnummer ",
        "SIGNERT",
        "Niva",
        "navn",
        "Stillingstittel",
        "Enhet",
        "E-postadresse",
        "avtale",
        "Mal",
    ]
    s["Oppdrag"][0] = ["nr", "omrade", "OPPDRAG", "Mal", "Malemetode", "Utgangspunkt", "Frist", " Gjelder "]
    sheets = {
        " kommune": s["Kommune"],
        "LEDERE": s["Ledere"],
        "Oppdrag ": s["Oppdrag"],
        "tiltak": s["Tiltak"],
        "Utviklingsmal": s["Utviklingsmål"],
        "Veiledning": [["Slik fyller du ut arbeidsboken"]],
    }
    bok = read(tmp_path, sheets)
    leder = bok.leder("200")
    assert (leder.navn, leder.stilling, leder.niva) == ("Per Helse", "Kommunalsjef helse", "kommunalsjef")
    assert (leder.epost, leder.overordnet, leder.signert) == ("per@testvik.kommune.no", "100", date(2027, 1, 22))
    assert bok.oppdrag[1].mal == "Sykefravær under 6,7 %"
    assert bok.oppdrag[1].malemetode == "Fraværsstatistikk"
    assert bok.tildeling == EXPECTED_TILDELING
    assert len(bok.utviklingsmal) == 2


def test_leder_and_epost_aliases(tmp_path):
    s = basic_sheets()
    s["Ledere"][0][s["Ledere"][0].index("Overordnet")] = "Leder"
    s["Ledere"][0][s["Ledere"][0].index("E-post")] = "Epost"
    bok = read(tmp_path, s)
    assert bok.leder("211").overordnet == "210"
    assert bok.leder("211").epost == "berit@testvik.kommune.no"


def test_extra_columns_go_to_ekstra(tmp_path):
    s = basic_sheets()
    s["Ledere"][0] += [" Telefon ", "Tjenesteområde"]
    for row in s["Ledere"][1:]:
        row += [None, None]
    s["Ledere"][3][-2:] = [41234567, "Helse"]
    bok = read(tmp_path, s)
    assert bok.leder("200").ekstra == {"Telefon": "41234567", "Tjenesteområde": "Helse"}
    # Every leader has every key, so a template using one never meets an undefined name.
    assert bok.leder("100").ekstra == {"Telefon": "", "Tjenesteområde": ""}


def test_fornavn_and_etternavn(tmp_path):
    s = basic_sheets()
    i = s["Ledere"][0].index("Navn")
    for row in s["Ledere"]:
        if row[0] == "Ansattnr":
            row[i : i + 1] = ["Fornavn", "Etternavn"]
        else:
            first, _, last = row[i].partition(" ")
            row[i : i + 1] = [first, last]
    bok = read(tmp_path, s)
    assert bok.leder("210").navn == "Øystein Sykehjem"
    assert bok.leder("210").fornavn == "Øystein"
    assert [leder.navn for leder in bok.ledere][:2] == ["Ola Ordfører", "Kari Direktør"]


def test_empty_rows_are_skipped_and_rows_keep_their_numbers(tmp_path):
    s = basic_sheets()
    s["Ledere"].insert(3, [None] * 10)
    s["Ledere"].insert(3, ["", "  ", None, None, None, None, None, None, None, None])
    s["Oppdrag"].insert(1, [None] * 8)
    bok = read(tmp_path, s)
    assert len(bok.ledere) == 8
    assert bok.leder("200").rad == 6
    assert bok.oppdrag[0].rad == 3
    assert bok.tildeling == EXPECTED_TILDELING


def test_header_row_below_empty_rows(tmp_path):
    s = basic_sheets()
    s["Ledere"].insert(0, [None])
    put_row = s["Ledere"][9]  # Berit, now in Excel row 10
    put_row[6] = 1234
    assert errors_of(tmp_path, s) == ["Ledere!G10: overordnet «1234» finnes ikke i arket Ledere"]


def test_missing_sheet(tmp_path):
    s = basic_sheets()
    del s["Tiltak"]
    assert errors_of(tmp_path, s) == ["Tiltak: arket «Tiltak» mangler i arbeidsboken"]


def test_missing_required_column_names_sheet_and_header_row(tmp_path):
    s = basic_sheets()
    for row in s["Ledere"]:
        del row[3]  # Enhet
    assert errors_of(tmp_path, s) == ["Ledere rad 1: mangler kolonnen «Enhet»"]


def test_missing_name_column(tmp_path):
    s = basic_sheets()
    s["Ledere"][0][1] = "Fornavn"
    assert "Ledere rad 1: mangler kolonnen «Navn» (eller «Fornavn» og «Etternavn»)" in errors_of(tmp_path, s)


def test_empty_sheet(tmp_path):
    s = basic_sheets()
    s["Utviklingsmål"] = []
    assert errors_of(tmp_path, s) == [
        "Utviklingsmål: arket «Utviklingsmål» er tomt; første rad skal ha kolonneoverskriftene"
    ]


def test_duplicate_column(tmp_path):
    s = basic_sheets()
    s["Tiltak"][0].append("tiltak")
    assert errors_of(tmp_path, s) == ["Tiltak!D1: kolonnen «Tiltak» finnes to ganger"]


def test_duplicate_extra_column(tmp_path):
    s = basic_sheets()
    s["Ledere"][0] += ["Telefon", "Telefon"]
    assert errors_of(tmp_path, s) == ["Ledere!L1: kolonnen «Telefon» finnes to ganger"]


def test_misspelt_column_is_a_warning(tmp_path):
    s = basic_sheets()
    s["Oppdrag"][0][6] = "Frsit"
    bok = read(tmp_path, s)
    assert "Oppdrag!G1: ukjent kolonne «Frsit» blir ikke brukt; mente du «Frist»?" in warnings_of(bok)
    assert bok.oppdrag[0].frist is None


# --------------------------------------------------------------------------- Kommune


def _unsigned(s) -> None:
    col = s["Ledere"][0].index("Signert")
    for row in s["Ledere"][1:]:
        row[col] = None


def test_period_from_fra_and_til(tmp_path):
    s = basic_sheets()
    s["Kommune"][2] = ["Periode", None]
    s["Kommune"] += [["Fra", "1.8.2027"], ["Til", datetime(2028, 7, 31)]]
    _unsigned(s)  # BASIC's agreements are signed in January 2027, before this period
    bok = read(tmp_path, s)
    assert (bok.kommune.periode.fra, bok.kommune.periode.til) == (date(2027, 8, 1), date(2028, 7, 31))
    assert bok.kommune.periode.ar == 2027


def test_period_as_text_year(tmp_path):
    s = basic_sheets()
    s["Kommune"][2] = [" periode ", " 2028 "]
    _unsigned(s)
    bok = read(tmp_path, s)
    assert (bok.kommune.periode.fra, bok.kommune.periode.til) == (date(2028, 1, 1), date(2028, 12, 31))


def test_periode_wins_over_fra_and_til(tmp_path):
    s = basic_sheets()
    s["Kommune"] += [["Fra", "01.08.2027"], ["Til", "31.07.2028"]]
    bok = read(tmp_path, s)
    assert (bok.kommune.periode.fra, bok.kommune.periode.til) == (date(2027, 1, 1), date(2027, 12, 31))
    assert "Kommune!B3: Fra og Til blir ikke brukt fordi Periode er fylt ut" in warnings_of(bok)


def test_til_before_fra(tmp_path):
    s = basic_sheets()
    s["Kommune"][2] = ["Periode", None]
    s["Kommune"] += [["Fra", "01.08.2027"], ["Til", "31.07.2027"]]
    assert errors_of(tmp_path, s) == ["Kommune!B12: Til (31.07.2027) er før Fra (01.08.2027)"]


def test_period_missing_or_wrong(tmp_path):
    s = basic_sheets()
    s["Kommune"][2] = ["Periode", "neste år"]
    assert errors_of(tmp_path, s) == ["Kommune!B3: Periode må være et årstall, for eksempel 2027, ikke «neste år»"]
    s["Kommune"][2] = ["Periode", None]
    assert errors_of(tmp_path, s) == ["Kommune!B3: Periode mangler; skriv et årstall, eller fyll ut Fra og Til"]
    s["Kommune"][2] = ["Periode", None]
    s["Kommune"].append(["Fra", "01.01.2027"])
    assert errors_of(tmp_path, s) == ["Kommune: Til mangler (når Periode er tom)"]


def test_kommunenavn_required(tmp_path):
    s = basic_sheets()
    del s["Kommune"][1]
    assert errors_of(tmp_path, s) == ["Kommune: Kommunenavn mangler"]
    s = basic_sheets()
    s["Kommune"][1][1] = "  "
    assert errors_of(tmp_path, s) == ["Kommune!B2: Kommunenavn mangler"]


def test_logo_relative_to_workbook(tmp_path):
    (tmp_path / "bilder").mkdir()
    Image.new("RGB", (20, 10), "blue").save(tmp_path / "bilder" / "logo.png")
    Image.new("RGB", (20, 10), "red").save(tmp_path / "bilder" / "logo.jpg")
    for written, file in [("bilder/logo.png", "logo.png"), ("bilder\\logo.jpg", "logo.jpg")]:
        s = basic_sheets()
        s["Kommune"].append(["Logo", written])
        bok = read(tmp_path, s)
        assert bok.kommune.logo == (tmp_path / "bilder" / file).resolve()
        assert bok.kommune.logo.is_absolute()


def test_logo_missing_or_not_an_image(tmp_path):
    s = basic_sheets()
    s["Kommune"].append(["Logo", "finnes-ikke.png"])
    assert errors_of(tmp_path, s) == [
        "Kommune!B11: finner ikke logofilen «finnes-ikke.png» (stien er regnet fra arbeidsbokens mappe)"
    ]
    (tmp_path / "logo.png").write_text("ikke et bilde")
    Image.new("RGB", (4, 4)).save(tmp_path / "logo.gif")
    for name in ("logo.png", "logo.gif"):
        s = basic_sheets()
        s["Kommune"].append(["Logo", name])
        assert errors_of(tmp_path, s) == [f"Kommune!B11: logoen «{name}» må være et PNG- eller JPEG-bilde"]


def test_avsender_must_be_an_email_address(tmp_path):
    s = basic_sheets()
    s["Kommune"][8] = ["Avsender", "hr(at)testvik"]
    assert errors_of(tmp_path, s) == ["Kommune!B9: ugyldig e-postadresse «hr(at)testvik»"]


@pytest.mark.parametrize(
    "written, expected",
    [(None, "bokmål"), ("Bokmål", "bokmål"), ("bokmal", "bokmål"), ("nb", "bokmål"), ("NYNORSK", "nynorsk"), ("nn", "nynorsk")],
)
def test_malform(tmp_path, written, expected):
    s = basic_sheets()
    s["Kommune"].append(["Målform", written])
    assert read(tmp_path, s).kommune.malform == expected


def test_unknown_malform(tmp_path):
    s = basic_sheets()
    s["Kommune"].append(["Malform", "svensk"])
    assert errors_of(tmp_path, s) == ["Kommune!B11: Målform må være «bokmål» eller «nynorsk», ikke «svensk»"]


def test_optional_kommune_fields_and_unknown_felt(tmp_path):
    s = basic_sheets()
    s["Kommune"] += [
        ["Tilgangskode", "x"],
        ["Skjermingshjemmel", "Offl. § 13"],
        ["Ordfører", "Ola"],
    ]
    bok = read(tmp_path, s)
    assert bok.kommune.tilgangskode == "x"
    assert bok.kommune.skjermingshjemmel == "Offl. § 13"
    assert "Kommune!A13: ukjent felt «Ordfører» blir ikke brukt" in warnings_of(bok)


def test_duplicate_felt(tmp_path):
    s = basic_sheets()
    s["Kommune"].append(["Periode", 2028])
    assert errors_of(tmp_path, s) == ["Kommune!A11: feltet «Periode» står også på rad 3"]


# --------------------------------------------------------------------------- Ledere


def test_required_cell_empty(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 4, "Stilling", None)
    put(s, "Ledere", 5, "Enhet", "  ")
    put(s, "Ledere", 6, "Navn", None)
    assert errors_of(tmp_path, s) == [
        "Ledere!C4: Stilling mangler",
        "Ledere!D5: Enhet mangler",
        "Ledere!B6: Navn mangler",
    ]


def test_missing_ansattnr(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 8, "Ansattnr", None)
    errors = errors_of(tmp_path, s)
    assert errors == ["Ledere!A8: Ansattnr mangler"]


def test_duplicate_ansattnr(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 8, "Ansattnr", "310")
    errors = errors_of(tmp_path, s)
    assert errors == ["Ledere!A8: Ansattnr «310» finnes allerede på rad 7"]


def test_invalid_email(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 7, "E-post", "liv@testvik")
    put(s, "Ledere", 5, "E-post", "åse ved testvik.no")
    assert errors_of(tmp_path, s) == [
        "Ledere!F5: ugyldig e-postadresse «åse ved testvik.no»",
        "Ledere!F7: ugyldig e-postadresse «liv@testvik»",
    ]


def test_no_email_is_a_warning_only_for_leaders_with_agreement(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 2, "E-post", None)
    bok = read(tmp_path, s)
    assert [w for w in warnings_of(bok) if "e-postadresse" in w] == [
        "Ledere!F8: mangler e-postadresse; e-postutkast kan ikke lages"
    ]


@pytest.mark.parametrize(
    "value, expected",
    [("ja", True), ("J", True), ("x", True), ("Yes", True), (True, True), (None, True), ("  ", True), (1, True),
     ("nei", False), ("N", False), ("no", False), (False, False), (0, False)],
)
def test_avtale_values(tmp_path, value, expected):
    s = basic_sheets()
    put(s, "Ledere", 8, "Avtale", value)
    bok = read(tmp_path, s)
    assert bok.leder("320").avtale is expected
    assert ("320" in bok.tildeling) is expected


def test_avtale_unknown_value(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 8, "Avtale", "kanskje")
    assert errors_of(tmp_path, s) == ["Ledere!H8: Avtale må være «ja» eller «nei», ikke «kanskje»"]


def test_unknown_superior(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 9, "Overordnet", 1234)
    assert errors_of(tmp_path, s) == ["Ledere!G9: overordnet «1234» finnes ikke i arket Ledere"]


def test_self_superior(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 7, "Overordnet", 310)
    assert errors_of(tmp_path, s) == ["Ledere!G7: Liv Skole (310) kan ikke være sin egen overordnede"]


def test_cycle_names_everyone_in_it_once(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 3, "Overordnet", 211)  # Kari under Berit, who is (indirectly) under Kari
    assert errors_of(tmp_path, s) == [
        # Each arrow points to the person's superior.
        "Ledere rad 3: overordnet-kjeden går i ring: Kari Direktør (100) → Berit Avdeling (211) → "
        "Øystein Sykehjem (210) → Per Helse (200) → Kari Direktør (100)"
    ]


def test_two_person_cycle(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 5, "Overordnet", 310)
    assert errors_of(tmp_path, s) == [
        "Ledere rad 5: overordnet-kjeden går i ring: Åse Oppvekst (300) → Liv Skole (310) → Åse Oppvekst (300)"
    ]


def test_agreement_without_superior(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 3, "Overordnet", None)
    assert errors_of(tmp_path, s) == ["Ledere!G3: Kari Direktør (100) har avtale, men mangler overordnet (Ansattnr)"]


# --------------------------------------------------------------------------- Oppdrag and Gjelder


def test_selectors_tolerate_case_spaces_and_separators(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 3, "Gjelder", " NIVÅ: Virksomhetsleder ,niva:AVDELINGSLEDER; ")
    put(s, "Oppdrag", 4, "Gjelder", "Enhet:  testvik SKOLE")
    put(s, "Oppdrag", 5, "Gjelder", "UNDER: 200")
    put(s, "Oppdrag", 6, "Gjelder", "100;300")
    bok = read(tmp_path, s)
    assert bok.tildeling == EXPECTED_TILDELING


def test_under_is_every_depth_but_not_the_person(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 5, "Gjelder", "under:100")
    bok = read(tmp_path, s)
    under = {nr for nr, oppdrag in bok.tildeling.items() if "4" in oppdrag}
    assert under == {"200", "300", "210", "310", "320", "211"}


def test_only_leaders_with_agreement_get_assignments(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 6, "Gjelder", "1, 100")
    put(s, "Oppdrag", 5, "Gjelder", "nivå:ordfører")
    bok = read(tmp_path, s)
    assert "1" not in bok.tildeling
    assert bok.tildeling["100"] == ["5"]
    assert bok.tildeling["300"] == ["1"]
    assert "Oppdrag!H6: utvalget «1» treffer ingen ledere med avtale" in warnings_of(bok)
    assert "Oppdrag!H5: utvalget «nivå:ordfører» treffer ingen ledere med avtale" in warnings_of(bok)


def test_selector_matching_nobody_is_a_warning(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 4, "Gjelder", "enhet:Testvik skole, enhet:Finnes ikke")
    bok = read(tmp_path, s)
    assert "Oppdrag!H4: utvalget «enhet:Finnes ikke» treffer ingen ledere med avtale" in warnings_of(bok)
    assert bok.tildeling == EXPECTED_TILDELING


@pytest.mark.parametrize(
    "gjelder, message",
    [
        ("avdeling:Testvik skole", "ukjent utvalg «avdeling:Testvik skole»; bruk alle, nivå:…, enhet:…, under:<Ansattnr>, selv-og-under:<Ansattnr> eller et Ansattnr"),
        ("virksomhetsledere", "ukjent utvalg «virksomhetsledere»; bruk alle, nivå:…, enhet:…, under:<Ansattnr>, selv-og-under:<Ansattnr> eller et Ansattnr"),
        ("310, 999", "Ansattnr «999» finnes ikke i arket Ledere"),
        ("under:999", "Ansattnr «999» i «under:999» finnes ikke i arket Ledere"),
        ("enhet:", "utvalget «enhet:» mangler en verdi etter kolon"),
    ],
)
def test_bad_selector_is_an_error_at_the_cell(tmp_path, gjelder, message):
    s = basic_sheets()
    put(s, "Oppdrag", 4, "Gjelder", gjelder)
    s["Tiltak"].pop()  # 310's measure for assignment 3, which no longer resolves
    assert errors_of(tmp_path, s) == [f"Oppdrag!H4: {message}"]


def test_duplicate_nr(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 5, "Nr", 2)
    errors = errors_of(tmp_path, s)
    assert errors == ["Oppdrag!A5: Nr «2» finnes allerede på rad 3"]


def test_required_oppdrag_cells(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 2, "Område", None)
    put(s, "Oppdrag", 3, "Oppdrag", None)
    put(s, "Oppdrag", 4, "Gjelder", None)
    s["Tiltak"].pop()
    assert errors_of(tmp_path, s) == [
        "Oppdrag!B2: Område mangler",
        "Oppdrag!C3: Oppdrag mangler",
        "Oppdrag!H4: Gjelder mangler",
    ]


def test_leader_without_assignments_is_a_warning(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 2, "Gjelder", "nivå:kommunalsjef")
    bok = read(tmp_path, s)
    assert bok.tildeling["100"] == ["5"]
    assert bok.tildeling["320"] == ["2"]
    s["Oppdrag"] = s["Oppdrag"][:2]
    bok = read(tmp_path, {**s, "Tiltak": [["Ansattnr", "Nr", "Tiltak"]]})
    assert bok.tildeling["100"] == []
    assert "Ledere rad 3: Kari Direktør (100) får ingen oppdrag" in warnings_of(bok)
    assert set(bok.tildeling) == {"100", "200", "300", "210", "310", "320", "211"}


# --------------------------------------------------------------------------- Tiltak


def test_tiltak_errors(tmp_path):
    s = basic_sheets()
    s["Tiltak"] += [
        [999, "2", "Ukjent leder"],
        [210, "9", "Ukjent oppdrag"],
        [210, "3", "Oppdrag som ikke gjelder"],
        [1, "1", "Ordføreren har ingen avtale"],
        [None, "1", None],
    ]
    assert errors_of(tmp_path, s) == [
        "Tiltak!A5: Ansattnr «999» finnes ikke i arket Ledere",
        "Tiltak!B6: oppdrag «9» finnes ikke i arket Oppdrag",
        "Tiltak!B7: oppdrag 3 gjelder ikke Øystein Sykehjem (210)",
        "Tiltak!B8: oppdrag 1 gjelder ikke Ola Ordfører (1)",
        "Tiltak!A9: Ansattnr mangler",
        "Tiltak!C9: Tiltak mangler",
    ]


# --------------------------------------------------------------------------- Utviklingsmål


def test_utviklingsmal_errors_never_contain_the_goal(tmp_path):
    s = basic_sheets()
    s["Utviklingsmål"] += [
        [999, GOAL_TEXT, GOAL_TEXT, GOAL_TEXT],
        [None, GOAL_TEXT, None, None],
        [320, None, GOAL_TEXT, None],
        [1, GOAL_TEXT, None, None],
    ]
    with pytest.raises(WorkbookError) as info:
        read(tmp_path, s)
    errors = [str(p) for p in info.value.problems]
    assert errors == [
        "Utviklingsmål!A4: Ansattnr «999» finnes ikke i arket Ledere",
        "Utviklingsmål!A5: Ansattnr mangler",
        "Utviklingsmål!B6: Mål mangler",
    ]
    assert GOAL_TEXT not in str(info.value)
    assert all(GOAL_TEXT not in line for line in info.value.lines())


def test_goal_text_never_in_warnings(tmp_path):
    s = basic_sheets()
    s["Utviklingsmål"].append([1, GOAL_TEXT, None, None])
    bok = read(tmp_path, s)
    assert "Utviklingsmål!A4: Ola Ordfører (1) har Avtale=nei; utviklingsmålet blir ikke brukt" in warnings_of(bok)
    assert not any(GOAL_TEXT in w for w in warnings_of(bok))


# --------------------------------------------------------------------------- alle and the kommunedirektør


def test_alle_leaves_out_the_kommunedirektor_who_writes_the_styringsbrev(tmp_path):
    s = basic_sheets()
    put(s, "Oppdrag", 6, "Gjelder", "alle")
    bok = read(tmp_path, s)
    alle = {nr for nr, oppdrag in bok.tildeling.items() if "5" in oppdrag}
    assert alle == {"200", "300", "210", "310", "320", "211"}
    assert bok.tildeling["100"] == []


@pytest.mark.parametrize("gjelder", ["alle; 100", "alle, nivå:Kommunedirektør",
                                     "alle; enhet:kommunedirektørens stab"])
def test_the_kommunedirektor_named_explicitly_still_gets_the_assignment(tmp_path, gjelder):
    s = basic_sheets()
    put(s, "Oppdrag", 2, "Gjelder", gjelder)
    bok = read(tmp_path, s)
    assert all(oppdrag[0] == "1" for oppdrag in bok.tildeling.values())
    assert bok.tildeling["100"] == ["1", "5"]


def test_alle_still_reaches_leaders_below_a_party_only_leader_in_the_middle(tmp_path):
    # Åse (300) is only a party, e.g. on leave with a stand-in: her leaders are not the
    # kommunedirektør, and «alle» still gives them its assignments.
    s = basic_sheets()
    put(s, "Ledere", 5, "Avtale", "nei")
    s["Oppdrag"][5][7] = "100"  # was «100, 300»: Åse has no agreement now
    bok = read(tmp_path, s)
    alle = {nr for nr, oppdrag in bok.tildeling.items() if "1" in oppdrag}
    assert alle == {"200", "210", "310", "320", "211"}


# --------------------------------------------------------------------------- Fornavn and Oppfølging


def test_fornavn_from_its_column_or_the_first_word_of_navn(tmp_path):
    s = basic_sheets()
    s["Ledere"][0].append("Fornavn")
    for row in s["Ledere"][1:]:
        row.append(None)
    put(s, "Ledere", 4, "Fornavn", "Per Arne")  # a double first name the first word would cut
    bok = read(tmp_path, s)
    assert bok.leder("200").fornavn == "Per Arne"
    assert bok.leder("210").fornavn == "Øystein"
    assert bok.leder("200").navn == "Per Helse"


@pytest.mark.parametrize("header", ["Oppfølging", "oppfolging", " Oppfølgingssamtaler "])
def test_oppfolging_column_and_its_aliases(tmp_path, header):
    s = basic_sheets()
    s["Ledere"][0].append(header)
    for row in s["Ledere"][1:]:
        row.append(None)
    put(s, "Ledere", 6, header, "Samtaler 15.06.2027 og\n15.11.2027")
    bok = read(tmp_path, s)
    assert bok.leder("210").oppfolging == "Samtaler 15.06.2027 og\n15.11.2027"
    assert bok.leder("200").oppfolging == ""
    assert bok.leder("210").ekstra == {}  # a known column, not an extra one


# --------------------------------------------------------------------------- extra columns everywhere


def test_extra_columns_in_oppdrag_and_tiltak(tmp_path):
    s = basic_sheets()
    s["Oppdrag"][0].append("Hensikt")
    for row in s["Oppdrag"][1:]:
        row.append(None)
    put(s, "Oppdrag", 3, "Hensikt", "Færre sykmeldte")
    s["Tiltak"][0].append(" Ansvarlig ")
    for row in s["Tiltak"][1:]:
        row.append("Avdelingsleder")
    bok = read(tmp_path, s)
    assert bok.oppdrag[1].ekstra == {"Hensikt": "Færre sykmeldte"}
    assert bok.oppdrag[0].ekstra == {"Hensikt": ""}
    assert [t.ekstra for t in bok.tiltak] == [{"Ansvarlig": "Avdelingsleder"}] * 3
    assert bok.tiltak[0].ekstra == {"Ansvarlig": "Avdelingsleder"}
    # Found as headers are: any case, surrounding and repeated spaces ignored.
    ekstra = bok.oppdrag[1].ekstra
    assert ekstra["hensikt"] == ekstra[" HENSIKT "] == ekstra.get("Hensikt") == "Færre sykmeldte"
    assert "hensikt" in ekstra and "Formål" not in ekstra
    with pytest.raises(KeyError, match="Formål"):
        ekstra["Formål"]


@pytest.mark.parametrize("sheet", ["Ledere", "Oppdrag", "Tiltak"])
def test_extra_columns_differing_only_in_case_are_one_column_twice(tmp_path, sheet):
    s = basic_sheets()
    s[sheet][0] += ["Telefon", "TELEFON"]
    for row in s[sheet][1:]:
        row += [None, None]
    column = "ABCDEFGHIJKL"[len(s[sheet][0]) - 1]
    assert errors_of(tmp_path, s) == [f"{sheet}!{column}1: kolonnen «Telefon» finnes to ganger"]


# --------------------------------------------------------------------------- Lederprinsipper (optional)


def test_lederprinsipper_in_workbook_order(tmp_path):
    s = basic_sheets()
    s[" lederprinsipper "] = [
        ["Beskrivelse", "Prinsipp"],
        ["Vi setter klare mål.", "Vi er tydelige"],
        [None, None],
        [None, "Vi skaper tillit"],
    ]
    bok = read(tmp_path, s)
    assert [(p.prinsipp, p.beskrivelse, p.rad) for p in bok.lederprinsipper] == [
        ("Vi er tydelige", "Vi setter klare mål.", 2), ("Vi skaper tillit", "", 4)]
    assert bok.warnings == read(tmp_path, basic_sheets(), "uten.xlsx").warnings  # nothing to warn about


@pytest.mark.parametrize("rows", [None, [], [["Prinsipp", "Beskrivelse"]]],
                         ids=["uten ark", "tomt ark", "bare overskrift"])
def test_lederprinsipper_is_optional(tmp_path, rows):
    s = basic_sheets()
    if rows is not None:
        s["Lederprinsipper"] = rows
    assert read(tmp_path, s).lederprinsipper == []


def test_lederprinsipper_errors(tmp_path):
    s = basic_sheets()
    s["Lederprinsipper"] = [["Prinsipp", "Beskrivelse"], ["Vi er tydelige", None], [" ", "Uten prinsipp"]]
    assert errors_of(tmp_path, s) == ["Lederprinsipper!A3: Prinsipp mangler"]
    s["Lederprinsipper"] = [["Beskrivelse"], ["Uten prinsipp"]]
    assert errors_of(tmp_path, s) == ["Lederprinsipper rad 1: mangler kolonnen «Prinsipp»"]


# --------------------------------------------------------------------------- many problems


def test_every_problem_is_reported_at_once(tmp_path):
    s = basic_sheets()
    s["Kommune"][2] = ["Periode", "i år"]
    put(s, "Ledere", 9, "Overordnet", 1234)
    put(s, "Ledere", 7, "E-post", "liv@")
    put(s, "Oppdrag", 6, "Gjelder", "alle, gruppe:ledere")
    s["Tiltak"].append([555, "1", "x"])
    del s["Utviklingsmål"]
    with pytest.raises(WorkbookError) as info:
        read(tmp_path, s)
    assert [str(p) for p in info.value.problems] == [
        "Utviklingsmål: arket «Utviklingsmål» mangler i arbeidsboken",
        "Kommune!B3: Periode må være et årstall, for eksempel 2027, ikke «i år»",
        "Ledere!F7: ugyldig e-postadresse «liv@»",
        "Ledere!G9: overordnet «1234» finnes ikke i arket Ledere",
        "Oppdrag!H6: ukjent utvalg «gruppe:ledere»; bruk alle, nivå:…, enhet:…, under:<Ansattnr>, selv-og-under:<Ansattnr> eller et Ansattnr",
        "Tiltak!A5: Ansattnr «555» finnes ikke i arket Ledere",
    ]
    assert info.value.lines()[0] == "Arbeidsboken har feil. Ingenting er skrevet."


# --------------------------------------------------------------------------- formulas


def _set_cached_value(path: Path, sheet_xml: str, cell: str, value: str) -> None:
    """Store a calculated value with a formula, as Excel does on saving."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[sheet_xml].decode()
    xml, count = re.subn(
        rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v\s*/?>(</v>)?</c>',
        rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{value}</v></c>',
        xml,
    )
    assert count == 1
    parts[sheet_xml] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formula_without_cached_value(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 4, "Stilling", '="Kommunal"&"sjef"')
    put(s, "Oppdrag", 3, "Frist", "=DATE(2027,12,31)")
    assert errors_of(tmp_path, s) == [
        "Ledere!C4: formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen",
        "Oppdrag!G3: formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen",
    ]


def test_formula_with_cached_value_reads_the_value(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 4, "Stilling", '="Kommunal"&"sjef"')
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", s)
    _set_cached_value(path, "xl/worksheets/sheet2.xml", "C4", "Kommunalsjef")
    assert read_workbook(path).leder("200").stilling == "Kommunalsjef"


def test_excel_error_value(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 5, "Enhet", "#REF!")
    assert errors_of(tmp_path, s) == ["Ledere!D5: cellen inneholder feilverdien «#REF!»"]


# --------------------------------------------------------------------------- files that are not a workbook


def _only_problem(path: Path) -> str:
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    assert len(info.value.problems) == 1
    return str(info.value.problems[0])


def test_missing_file(tmp_path):
    path = tmp_path / "borte.xlsx"
    assert _only_problem(path) == f"Finner ikke arbeidsboken «{path}»."


def test_directory(tmp_path):
    assert _only_problem(tmp_path) == f"«{tmp_path}» er en mappe, ikke en arbeidsbok."


def test_empty_file(tmp_path):
    path = tmp_path / "tom.xlsx"
    path.write_bytes(b"")
    assert _only_problem(path).startswith("«tom.xlsx» er tom (0 byte).")


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "ledere.xlsx"
    path.write_text("Ansattnr;Navn;Stilling\n100;Kari Direktør;Kommunedirektør\n", encoding="cp1252")
    assert _only_problem(path) == (
        "«ledere.xlsx» er en tekstfil (for eksempel CSV), ikke en Excel-arbeidsbok. "
        "Åpne den i Excel og lagre den som Excel-arbeidsbok (.xlsx)."
    )


def test_utf16_text_export(tmp_path):
    path = tmp_path / "ledere.xlsx"
    path.write_text("Ansattnr\tNavn\n100\tKari Direktør\n", encoding="utf-16")
    assert _only_problem(path).startswith("«ledere.xlsx» er en tekstfil (for eksempel CSV)")


def excel_owner_file(workbook: Path, user: str = "Kari Nordmann") -> Path:
    """The owner file Excel keeps beside a workbook while it is open: «~$» and the workbook's name,
    165 bytes: a length byte, the user's name in the ANSI code page padded with spaces, then the name
    again in UTF-16 (the layout Excel 2016 and Microsoft 365 write)."""
    owner = workbook.with_name("~$" + workbook.name)
    ansi = bytes([len(user)]) + user.encode("cp1252").ljust(53, b" ")
    owner.write_bytes(ansi + bytes([len(user)]) + user.encode("utf-16-le").ljust(110, b"\x00"))
    assert owner.stat().st_size == 165
    return owner


def test_excels_owner_file_given_as_the_workbook_names_the_real_one(tmp_path, basic_workbook):
    owner = excel_owner_file(basic_workbook)
    assert _only_problem(owner) == (
        "«~$arbeidsbok.xlsx» er ikke en arbeidsbok, men låsefilen Excel lager mens arbeidsboken «arbeidsbok.xlsx» "
        "er åpen (åpnet av Kari Nordmann). Velg «arbeidsbok.xlsx» i stedet, og lagre den i Excel først. "
        "Den ligger i samme mappe.")
    done = CliRunner().invoke(main, ["generer", str(owner), "--ut", str(tmp_path / "ut"), "--ingen-pdf"])
    assert done.exit_code == 1 and "låsefilen Excel lager" in done.output and "Traceback" not in done.output
    assert not (tmp_path / "ut").exists()


@pytest.mark.slow
def test_a_workbook_open_in_excel_is_warned_about_by_sjekk_and_generer(tmp_path, basic_workbook):
    out = tmp_path / "ut"
    warning = "Arbeidsboken «arbeidsbok.xlsx» er åpen i Excel (åpnet av Kari Nordmann). Endringer som ikke er " \
              "lagret i Excel, kommer ikke med."
    closed = CliRunner().invoke(main, ["sjekk", str(basic_workbook)])
    assert closed.exit_code == 0 and "åpen i Excel" not in closed.output
    excel_owner_file(basic_workbook)
    for args in (["sjekk", str(basic_workbook)], ["generer", str(basic_workbook), "--ut", str(out), "--ingen-pdf"]):
        done = CliRunner().invoke(main, args)
        assert done.exit_code == 0, done.output
        assert warning in done.output, args
    assert (out / "2027" / "manifest.json").is_file()  # a warning: the run goes on


def _ole_file(path: Path, stream_names: list[str]) -> Path:
    # The start of a compound file: header sector, then a directory sector of UTF-16 names.
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in ["Root Entry", *stream_names])
    path.write_bytes(OLE_MAGIC + b"\x00" * (512 - len(OLE_MAGIC)) + directory.ljust(4096, b"\x00"))
    return path


XLS_MESSAGE = "«{}» er en gammel Excel-fil (.xls). Lagre den som .xlsx i Excel (Fil → Lagre som) og prøv igjen."
ENCRYPTED_MESSAGE = (
    "«{}» er passordbeskyttet. Fjern passordet i Excel (Fil → Informasjon → "
    "Beskytt arbeidsbok → Krypter med passord, tøm feltet), lagre og prøv igjen."
)


@pytest.mark.parametrize(
    "name, streams, message",
    [
        ("gammel.xls", ["Workbook", "\x05SummaryInformation"], XLS_MESSAGE),
        ("omdøpt.xlsx", ["Workbook"], XLS_MESSAGE),  # an .xls renamed
        ("hemmelig.xlsx", ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"], ENCRYPTED_MESSAGE),
        ("hemmelig2.xlsx", [], ENCRYPTED_MESSAGE),  # OLE under the new name: what Excel writes encrypted
        ("ukjent.xls", [], XLS_MESSAGE),
    ],
)
def test_ole_files(tmp_path, name, streams, message):
    path = _ole_file(tmp_path / name, streams)
    assert _only_problem(path) == message.format(name)


def test_truncated_zip(tmp_path, basic_workbook):
    data = basic_workbook.read_bytes()
    path = tmp_path / "avbrutt.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert _only_problem(path) == (
        "«avbrutt.xlsx» er skadet og kan ikke åpnes (ufullstendig eller ødelagt fil). "
        "Åpne den i Excel og lagre den på nytt, eller hent en ny kopi."
    )


def test_corrupt_part_inside_zip(tmp_path, basic_workbook):
    path = tmp_path / "ødelagt.xlsx"
    with zipfile.ZipFile(basic_workbook) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data[: len(data) // 2] if name.startswith("xl/worksheets/") else data)
    assert _only_problem(path) == (
        "«ødelagt.xlsx» kunne ikke leses som Excel-arbeidsbok. Åpne den i Excel, lagre den på nytt og prøv igjen."
    )


def test_other_zip_files(tmp_path):
    docx = tmp_path / "avtale.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert _only_problem(docx) == "«avtale.xlsx» er ikke en Excel-arbeidsbok (.xlsx)."
    ods = tmp_path / "regneark.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert _only_problem(ods) == (
        "«regneark.xlsx» er et OpenDocument-regneark (.ods). Lagre det som Excel-arbeidsbok (.xlsx) og prøv igjen."
    )


def test_binary_garbage(tmp_path):
    path = tmp_path / "bilde.xlsx"
    Image.new("RGB", (8, 8)).save(path, format="PNG")
    assert _only_problem(path) == "«bilde.xlsx» er ikke en Excel-arbeidsbok (.xlsx)."


def test_workbook_without_xlsx_extension_is_read(tmp_path, basic_workbook):
    # A file name without the usual extension (e.g. from a download) is still a workbook.
    path = tmp_path / "arbeidsbok"
    shutil.copy(basic_workbook, path)
    assert read_workbook(path).kommune.navn == "Testvik kommune"


# --------------------------------------------------------------------------- absurd sizes and characters (issue 11)


def _pad_sheet(path: Path, part: str, spaces: int) -> Path:
    """Put `spaces` spaces at the start of a sheet's rows, written in pieces so the test stays small."""
    with zipfile.ZipFile(path) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    head, mark, rest = entries[part].partition(b"<sheetData>")
    assert mark
    block = b" " * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            if name != part:
                target.writestr(name, data)
                continue
            with target.open(name, "w", force_zip64=True) as entry:
                entry.write(head + mark)
                for _ in range(spaces // len(block)):
                    entry.write(block)
                entry.write(block[: spaces % len(block)] + rest)
    return path


def _peak_memory(action) -> int:
    """The most memory Python held while `action` ran, in bytes."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _with_notes(tmp_path: Path) -> Path:
    """The basic workbook with a sixth sheet this tool does not read (xl/worksheets/sheet6.xml)."""
    s = basic_sheets()
    s["Notater"] = [["Notat"], ["Husk å sende ut innen februar"]]
    return write_xlsx(tmp_path / "arbeidsbok.xlsx", s)


@pytest.mark.slow
def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = _pad_sheet(_with_notes(tmp_path), "xl/worksheets/sheet6.xml", 300 * 2**20)
    assert path.stat().st_size < 2**20

    def refused():
        assert _only_problem(path) == (
            "«arbeidsbok.xlsx» er for stor pakket ut (300,0 MB); en arbeidsbok for lederavtaler er vanligvis "
            "under 10 MB. Velg riktig fil, eller fjern ark og bilder som ikke trengs."
        )

    assert _peak_memory(refused) < 10 * 2**20


@pytest.mark.slow
def test_large_sheet_that_is_not_read_is_never_held(tmp_path):
    path = _pad_sheet(_with_notes(tmp_path), "xl/worksheets/sheet6.xml", 100 * 2**20)
    assert _peak_memory(lambda: read_workbook(path)) < 30 * 2**20


@pytest.mark.parametrize("before_end", [0, 1, 2, 3])
def test_formula_scan_reads_the_whole_sheet_in_pieces(tmp_path, before_end):
    # The formula tag is put across the end of the scan's first piece (and just past it).
    s = basic_sheets()
    put(s, "Ledere", 4, "Stilling", '="Kommunal"&"sjef"')
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", s)
    with zipfile.ZipFile(path) as archive:
        at = archive.read("xl/worksheets/sheet2.xml").index(b"<f>")
    _pad_sheet(path, "xl/worksheets/sheet2.xml", workbook_file.CHUNK - before_end - at)
    assert _only_problem(path) == (
        "Ledere!C4: formelen har ingen lagret verdi; åpne arbeidsboken i Excel, lagre den og prøv igjen"
    )


def test_file_too_large_on_disk(tmp_path):
    path = tmp_path / "stor.xlsx"
    with path.open("wb") as f:
        f.truncate(workbook_file.MAX_UNPACKED + 1)  # sparse: takes no room and no time
    assert _only_problem(path).startswith("«stor.xlsx» er for stor (200,0 MB); en arbeidsbok for lederavtaler")


def _tiltak_xml(path: Path, rows: str) -> Path:
    """Replace the rows of the Tiltak sheet (xl/worksheets/sheet4.xml) by hand-written ones."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    xml = entries["xl/worksheets/sheet4.xml"].decode()
    xml = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", xml)
    entries["xl/worksheets/sheet4.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


TILTAK_HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Ansattnr</t></is></c><c r="B1" t="inlineStr"><is><t>Nr</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Tiltak</t></is></c></row>'
)
TOO_BIG = (
    "«arbeidsbok.xlsx»: arket «Tiltak» er for stort (over {} rader eller 5 000 000 celler); "
    "en arbeidsbok for lederavtaler har vanligvis noen hundre rader. "
    "Slett radene og kolonnene som ikke hører hjemme der, og prøv igjen."
)


@pytest.mark.parametrize("rows, refused", [(10, False), (11, True)])
def test_too_many_rows_in_a_sheet(tmp_path, monkeypatch, rows, refused):
    monkeypatch.setattr(workbook_file, "MAX_ROWS", 10)  # the limit is 100 000; a small one keeps the test quick
    s = basic_sheets()
    s["Tiltak"] += [[210, "2", f"Tiltak {n}"] for n in range(rows - len(s["Tiltak"]))]
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", s)
    if refused:
        assert _only_problem(path) == TOO_BIG.format("10")
    else:
        assert len(read_workbook(path).tiltak) == rows - 1


def test_too_many_cells_in_a_sheet(tmp_path, basic_workbook):
    # One value in Excel's last column makes a row of 16 384 cells: 306 such rows are 5 million.
    far = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 400))
    path = _tiltak_xml(basic_workbook, TILTAK_HEADER + far)
    assert _only_problem(path) == TOO_BIG.format("100 000")


def test_formatted_empty_rows_to_excels_last_row_are_read(tmp_path, basic_workbook):
    # Formatting reaches the last row; a row beyond it is not Excel's and is not read.
    rows = (
        TILTAK_HEADER
        + '<row r="2"><c r="A2"><v>210</v></c><c r="B2" t="inlineStr"><is><t>2</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>Ukentlige samtaler</t></is></c></row>'
        '<row r="1048576"><c r="A1048576" s="0"/></row>'
        '<row r="2000000000"><c r="A2000000000"><v>1</v></c></row>'
    )
    bok = read_workbook(_tiltak_xml(basic_workbook, rows))
    assert [(t.ansattnr, t.nr, t.tekst) for t in bok.tiltak] == [("210", "2", "Ukentlige samtaler")]


def test_escaped_surrogates(tmp_path):
    # `_xD800_` is half of a UTF-16 pair, which no file can hold; a whole pair is one character.
    assert clean_text("Per_xD800_ Helse_xDFFF_") == "Per Helse"
    assert clean_text("Bra _xD83D__xDE00_") == "Bra \U0001F600"
    assert id_text("2_xDC00_00") == "200"
    s = basic_sheets()
    put(s, "Ledere", 4, "Navn", "Per _xD800_Helse")
    put(s, "Oppdrag", 2, "Oppdrag", "Drive innenfor_xDBFF_ vedtatt budsjett")
    s["Ledere"][0].append("Merknad_xD800_")
    s["Ledere"][3].append("Ny i stillingen_xDC00_")
    bok = read(tmp_path, s)
    assert bok.leder("200").navn == "Per Helse"
    assert bok.leder("200").ekstra == {"Merknad": "Ny i stillingen"}
    assert bok.oppdrag[0].tekst == "Drive innenfor vedtatt budsjett"
    json.dumps(asdict(bok), default=str, ensure_ascii=False).encode("utf-8")  # what generer hashes; raised before


def test_generer_with_escaped_surrogates(tmp_path):
    s = basic_sheets()
    put(s, "Ledere", 4, "Navn", "Per _xD800_Helse")
    put(s, "Oppdrag", 2, "Oppdrag", "Drive innenfor_xDBFF_ vedtatt budsjett")
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", s)
    result = CliRunner().invoke(main, ["generer", str(path), "--ut", str(tmp_path / "ut"), "--ingen-pdf"])
    assert result.exit_code == 0, result.output
    assert result.exception is None and "Traceback" not in result.output
    assert (tmp_path / "ut" / "2027" / "200 Per Helse").is_dir()


def test_an_oversized_shared_strings_table_is_refused_before_it_is_parsed(tmp_path):
    # openpyxl holds shared strings whole at about ten times their XML: 60 MB of them is refused.
    path = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as entry:
            entry.write(b'<?xml version="1.0"?>')
            for _ in range(60):
                entry.write(b" " * 2**20)
            entry.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    assert path.stat().st_size < 2**20
    assert _only_problem(path).startswith("«arbeidsbok.xlsx» er for stor pakket ut (60,")
