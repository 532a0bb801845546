"""`lederavtale init`, the example workbook and the synthetic municipality."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT
from PIL import Image

from generator.documents.templates import default_template_dir

DEFAULT_TEMPLATE_DIR = default_template_dir()
from synth import GOAL_MARKER, expected_tildeling, goal_texts, synthetic_sheets, synthetic_workbook

from generator.commands.init import write_new_workbook
from generator.exceptions import LederavtaleError

EXAMPLE = ROOT / "input" / "eksempel.xlsx"

# Written out from the README («Slik fyller du ut arbeidsboken») on purpose, not imported from
# generator.init: the test checks the workbook against the contract, not against itself.
CONTRACT_HEADERS = {
    "Kommune": ["Felt", "Verdi"],
    "Ledere": ["Ansattnr", "Navn", "Stilling", "Enhet", "Nivå", "E-post", "Overordnet", "Avtale", "Mal", "Signert",
               "Oppfølging", "Avdeling", "Avtalesamtale", "Fødselsnummer"],
    "Oppdrag": ["Nr", "Område", "Oppdrag", "Mål", "Målemetode", "Utgangspunkt", "Frist", "Gjelder"],
    "Tiltak": ["Ansattnr", "Nr", "Tiltak"],
    "Måltall": ["Ansattnr", "Nr", "Mål", "Utgangspunkt"],
    "Utviklingsmål": ["Ansattnr", "Mål", "Tiltak", "Oppfølging"],
    "Lederprinsipper": ["Prinsipp", "Beskrivelse"],
}
CONTRACT_FIELDS = ["Kommunenavn", "Periode", "Fra", "Til", "Frist", "Adresse", "Telefon", "E-post", "Nettside",
               "Logo", "Sted", "Avsender", "Kontaktperson", "Arkivsak", "Sak systemID", "Skjermingshjemmel", "Målform",
               "Tilgangskode", "Skjerm navn", "Arkivdel", "Organisasjonsnummer", "Saksbehandler",
               "Administrativ enhet", "Plassering", "Klassifikasjonssystem", "Klasse", "Dokumenttype avtale",
               "Dokumenttype vedlegg", "Formatkode", "Navn i statusrapport", "Opposisjonsleder",
               "Politisk sekretariat", "Vedlegg til ordfører"]


def read_workbook(path: Path):
    from generator.workbook import read_workbook as read

    return read(path)


def sheet_rows(path: Path) -> dict[str, list[list]]:
    """The workbook as the sheets dict `write_xlsx` takes, trailing empty rows dropped."""
    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        sheets[ws.title] = rows
    return sheets


def validations(ws) -> dict[str, str]:
    """Cell range -> list formula of each drop-down on the sheet."""
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}


def validation_of(ws, column: str):
    """The one data validation of a column's data rows (e.g. "E" in Ledere), from row 2."""
    found = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{column}2:")]
    assert len(found) == 1, (ws.title, column, [str(dv.sqref) for dv in ws.data_validations.dataValidation])
    return found[0]


def column_letter(sheet: str, header: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[CONTRACT_HEADERS[sheet].index(header)]


@pytest.fixture
def fake_templates(tmp_path) -> Path:
    source = tmp_path / "kilde"
    (source / "nynorsk").mkdir(parents=True)
    (source / "lederavtale.docx").write_bytes(b"PK avtale \x00\x01")
    (source / "vedlegg.docx").write_bytes(b"PK vedlegg \x02")
    (source / "epost.txt").write_text("Emne: Lederavtale {{ periode.ar }}\n\nHei {{ leder.navn }}!\n", "utf-8")
    (source / "nynorsk" / "lederavtale.docx").write_bytes(b"PK nynorsk")
    return source


# --- init ------------------------------------------------------------------------------------

def test_new_workbook_has_every_sheet_header_and_field(tmp_path, fake_templates):
    path = write_new_workbook(tmp_path / "ny" / "mappe", maler=fake_templates)

    assert path == tmp_path / "ny" / "mappe" / "lederavtale.xlsx"
    wb = openpyxl.load_workbook(path)
    assert set(wb.sheetnames) == set(CONTRACT_HEADERS) | {"Veiledning"}
    for name, headers in CONTRACT_HEADERS.items():
        ws = wb[name]
        header_cells = [c for c in ws[1] if c.value is not None]
        assert [c.value for c in header_cells][: len(headers)] == headers, name
        assert all(c.font.bold for c in header_cells), name
        assert ws.freeze_panes == "A2", name
        for c in header_cells:
            assert ws.column_dimensions[c.column_letter].width >= 7, (name, c.value)
    felt = [row[0] for row in wb["Kommune"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert felt == CONTRACT_FIELDS


def test_new_workbook_has_placeholders_and_drop_downs(tmp_path, fake_templates):
    wb = openpyxl.load_workbook(write_new_workbook(tmp_path, maler=fake_templates))

    kommune = {row[0]: row[1] for row in wb["Kommune"].iter_rows(min_row=2, values_only=True)}
    assert kommune["Kommunenavn"] == "Min kommune"
    assert kommune["Periode"] == date.today().year + 1
    assert kommune["Målform"] == "bokmål"
    ledere = list(wb["Ledere"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[7]) for r in ledere] == [("Ola Nordmann", "Ordfører", "nei"),
                                                    ("Kari Nordmann", "Kommunedirektør", "ja")]
    oppdrag = list(wb["Oppdrag"].iter_rows(min_row=2, values_only=True))
    # Not «alle»: that leaves out the kommunedirektør, who issues the styringsbrev.
    assert len(oppdrag) == 1 and oppdrag[0][7] == "nivå:kommunedirektør"
    assert [row for row in wb["Lederprinsipper"].iter_rows(min_row=2, values_only=True)] == []

    avtale = validations(wb["Ledere"])
    assert any(rng.startswith("H2:") for rng in avtale) and '"ja,nei"' in avtale.values()
    malform_row = 2 + CONTRACT_FIELDS.index("Målform")
    skjerm_row = 2 + CONTRACT_FIELDS.index("Skjerm navn")
    plassering_row = 2 + CONTRACT_FIELDS.index("Plassering")
    navn_row = 2 + CONTRACT_FIELDS.index("Navn i statusrapport")
    vedlegg_row = 2 + CONTRACT_FIELDS.index("Vedlegg til ordfører")
    assert validations(wb["Kommune"]) == {f"B{malform_row}": '"bokmål,nynorsk"', f"B{skjerm_row}": '"ja,nei"',
                                          f"B{plassering_row}": '"sak,personalmappe"', f"B{navn_row}": '"ja,nei"',
                                          f"B{vedlegg_row}": '"ja,nei"'}


def test_new_workbook_drop_downs_and_date_checks(tmp_path, fake_templates):
    """Drop-downs where a column has usual values or names a row of another sheet; dates checked."""
    wb = openpyxl.load_workbook(write_new_workbook(tmp_path, maler=fake_templates))
    ledere_ansattnr = "'Ledere'!$A$2:$A$500"

    niva = validation_of(wb["Ledere"], column_letter("Ledere", "Nivå"))
    assert niva.type == "list"
    assert niva.formula1 == '"ordfører,kommunedirektør,kommunalsjef,virksomhetsleder,avdelingsleder"'
    # Nivå is free text: another value gets a warning HR can accept, not a refusal.
    assert niva.errorStyle == "warning" and niva.showErrorMessage
    assert "fritekst" in niva.error

    avtale = validation_of(wb["Ledere"], column_letter("Ledere", "Avtale"))
    assert (avtale.type, avtale.formula1, avtale.errorStyle) == ("list", '"ja,nei"', None)  # None: Excel's «stopp»

    overordnet = validation_of(wb["Ledere"], column_letter("Ledere", "Overordnet"))
    assert (overordnet.type, overordnet.formula1) == ("list", ledere_ansattnr)
    assert "arket Ledere" in overordnet.error
    for sheet in ("Tiltak", "Måltall", "Utviklingsmål"):
        ansattnr = validation_of(wb[sheet], "A")
        assert (ansattnr.type, ansattnr.formula1) == ("list", ledere_ansattnr), sheet
    for sheet in ("Tiltak", "Måltall"):
        tiltak_nr = validation_of(wb[sheet], column_letter(sheet, "Nr"))
        assert (tiltak_nr.type, tiltak_nr.formula1) == ("list", "'Oppdrag'!$A$2:$A$500"), sheet
        assert "arket Oppdrag" in tiltak_nr.error
    # Oppdrag's Nr is the key the others refer to: typed, not chosen.
    assert not [dv for dv in wb["Oppdrag"].data_validations.dataValidation if str(dv.sqref).startswith("A2:")]
    # The list sources really are those columns.
    assert wb["Ledere"]["A1"].value == "Ansattnr" and wb["Oppdrag"]["A1"].value == "Nr"

    for sheet, header in (("Ledere", "Signert"), ("Ledere", "Avtalesamtale"), ("Oppdrag", "Frist")):
        dv = validation_of(wb[sheet], column_letter(sheet, header))
        assert (dv.type, dv.operator) == ("date", "between"), (sheet, header)
        assert dv.showErrorMessage and dv.error == "Skriv en dato som dd.mm.åååå, f.eks. 31.12.2027."
    for ws in wb.worksheets:  # Excel refuses a workbook whose validation texts are longer
        for dv in ws.data_validations.dataValidation:
            assert len(dv.errorTitle or "") <= 32 and len(dv.error or "") <= 225, (ws.title, dv.sqref)
    kommune_dates = [dv for dv in wb["Kommune"].data_validations.dataValidation if dv.type == "date"]
    rows = sorted(str(dv.sqref) for dv in kommune_dates)
    assert rows == sorted(f"B{2 + CONTRACT_FIELDS.index(name)}" for name in ("Fra", "Til", "Frist"))


def test_drop_downs_reach_as_far_as_the_sheet_they_list(tmp_path):
    from generator.workbook.write import build_workbook, starter_content

    content = starter_content()
    content["ledere"] = content["ledere"] + [
        {"Ansattnr": 10 + n, "Navn": f"Leder {n}", "Stilling": "Avdelingsleder", "Enhet": f"Avdeling {n}",
         "Overordnet": 3} for n in range(600)]
    wb = build_workbook(**content)
    last = 1 + len(content["ledere"])
    assert validation_of(wb["Tiltak"], "A").formula1 == f"'Ledere'!$A$2:$A${last}"
    assert str(validation_of(wb["Ledere"], "G").sqref) == f"G2:G{last}"


def test_veiledning_explains_sheets_columns_selectors_and_commands(tmp_path, fake_templates):
    wb = openpyxl.load_workbook(write_new_workbook(tmp_path, maler=fake_templates))
    assert wb.sheetnames[0] == "Veiledning"
    rows = list(wb["Veiledning"].iter_rows(values_only=True))
    labels = {str(r[0]).rstrip(" *") for r in rows if r[0]}
    text = "\n".join(str(v) for r in rows for v in r if v)

    for name, headers in CONTRACT_HEADERS.items():
        assert f"Arket {name}" in labels
        if name != "Kommune":
            assert set(headers) <= labels, name
    assert set(CONTRACT_FIELDS) <= labels
    for selector in ("alle", "nivå:<Nivå>", "enhet:<Enhet>", "under:<Ansattnr>", "selv-og-under:<Ansattnr>",
                     "<Ansattnr>"):
        assert selector in labels
    for command in ("init", "sjekk", "generer", "epost", "arkiv"):
        assert f"lederavtale {command} " in text
    assert "unntatt offentlighet" in text


def test_templates_are_copied(tmp_path, fake_templates):
    folder = tmp_path / "hr"
    write_new_workbook(folder, maler=fake_templates)

    copied = sorted(p.relative_to(folder / "maler") for p in (folder / "maler").rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(fake_templates) for p in fake_templates.rglob("*") if p.is_file())
    for rel in copied:
        assert (folder / "maler" / rel).read_bytes() == (fake_templates / rel).read_bytes()


def test_default_templates_are_copied(tmp_path):
    folder = tmp_path / "hr"
    write_new_workbook(folder)

    for name in ("lederavtale.docx", "vedlegg.docx", "epost.txt"):
        assert (folder / "maler" / name).read_bytes() == (DEFAULT_TEMPLATE_DIR / name).read_bytes()


def test_refuses_to_overwrite_a_workbook(tmp_path, fake_templates):
    path = write_new_workbook(tmp_path, maler=fake_templates)
    wb = openpyxl.load_workbook(path)
    wb["Kommune"]["B2"] = "Vår egen kommune"
    wb.save(path)
    before = path.read_bytes()

    with pytest.raises(LederavtaleError, match="finnes allerede"):
        write_new_workbook(tmp_path, maler=fake_templates)
    assert path.read_bytes() == before


def test_keeps_templates_the_user_already_has(tmp_path, fake_templates):
    own = tmp_path / "maler" / "lederavtale.docx"
    own.parent.mkdir()
    own.write_bytes(b"tilpasset av HR")

    write_new_workbook(tmp_path, maler=fake_templates)
    assert own.read_bytes() == b"tilpasset av HR"
    assert (tmp_path / "maler" / "vedlegg.docx").read_bytes() == b"PK vedlegg \x02"


def test_cli_init(tmp_path):
    from generator.cli import main

    runner = CliRunner()
    first = runner.invoke(main, ["init", str(tmp_path / "ny")])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "ny" / "lederavtale.xlsx").is_file()

    second = runner.invoke(main, ["init", str(tmp_path / "ny")])
    assert second.exit_code == 1
    assert "finnes allerede" in second.output
    assert "Traceback" not in second.output


def test_new_workbook_is_valid(tmp_path, fake_templates):
    bok = read_workbook(write_new_workbook(tmp_path, maler=fake_templates))

    assert bok.kommune.navn == "Min kommune"
    assert bok.kommune.periode.ar == date.today().year + 1
    assert [(l.ansattnr, l.avtale) for l in bok.ledere] == [("1", False), ("2", True)]
    assert bok.tildeling == {"2": ["1"]}
    assert bok.lederprinsipper == []  # the sheet is there, empty: the templates' own text stands
    # The only thing missing is what HR fills in: development goals.
    assert len(bok.warnings) == 1 and "utviklingsmål" in bok.warnings[0].message


# --- the example workbook --------------------------------------------------------------------

def test_example_reads_with_only_the_intended_warnings():
    bok = read_workbook(EXAMPLE)

    assert len(bok.warnings) == 2, [str(w) for w in bok.warnings]
    no_mail, no_goals = sorted(bok.warnings, key=lambda w: "utviklingsmål" in w.message)
    row = next(l.rad for l in bok.ledere if l.ansattnr == "1021")
    assert no_mail.place.startswith("Ledere") and str(row) in no_mail.place and "e-post" in no_mail.message
    assert "1042" in str(no_goals)
    assert {l.ansattnr for l in bok.avtaleledere()} - {u.ansattnr for u in bok.utviklingsmal} == {"1042"}


def test_example_covers_what_hr_may_use():
    bok = read_workbook(EXAMPLE)
    k = bok.kommune

    assert 15 <= len(bok.ledere) <= 17
    assert all([k.navn, k.adresse, k.telefon, k.epost, k.nettside, k.sted, k.avsender, k.skjermingshjemmel])
    assert (k.periode.fra, k.periode.til, k.arkivsak, k.malform, k.tilgangskode) == (
        date(2027, 1, 1), date(2027, 12, 31), "2027/123", "bokmål", "P")
    assert [l.niva for l in bok.ledere if not l.avtale] == ["ordfører"]
    levels = {l.niva for l in bok.avtaleledere()}
    assert levels == {"kommunedirektør", "kommunalsjef", "virksomhetsleder", "avdelingsleder"}
    assert sum(l.niva == "kommunalsjef" for l in bok.ledere) == 3
    assert any(l.signert for l in bok.ledere) and not all(l.signert for l in bok.avtaleledere())
    assert any(c in l.navn for l in bok.ledere for c in "æøåÆØÅ")
    assert 10 <= len(bok.oppdrag) <= 14
    assert any("\n" in o.tekst for o in bok.oppdrag)
    gjelder = [o.gjelder for o in bok.oppdrag]
    for kind in ("alle", "nivå:", "enhet:", "under:", "selv-og-under:"):
        assert any(kind in g for g in gjelder), kind
    assert any(g.startswith("under:") for g in gjelder)
    assert any(g.strip().isdigit() for g in gjelder)
    assert any(";" in g for g in gjelder)
    assert all(bok.tildeling[l.ansattnr] for l in bok.avtaleledere())
    with_measures = {t.ansattnr for t in bok.tiltak}
    assert len(with_measures) >= len(bok.avtaleledere()) * 2 // 3
    # Follow-up conversations for some leaders (and the templates' own text for the others),
    # and the leadership principles.
    with_follow_up = [l for l in bok.avtaleledere() if l.oppfolging]
    assert 0 < len(with_follow_up) < len(bok.avtaleledere())
    assert len(bok.lederprinsipper) >= 3 and all(p.prinsipp and p.beskrivelse for p in bok.lederprinsipper)
    # The new fields and columns, with the values a municipality writes.
    assert k.frist == date(2027, 3, 31) and k.kontaktperson and k.politisk_sekretariat.endswith("@fjordvik.kommune.no")
    assert k.vedlegg_til_ordforer is False and k.sak_system_id == ""
    assert bok.leder("1040").avdeling == "skjermet enhet" and bok.leder("1040").enhet == "Fjordvik sykehjem"
    assert all(l.avtalesamtale and l.avtalesamtale.month == 1 for l in bok.avtaleledere())
    assert all(l.signert is None or l.signert >= l.avtalesamtale for l in bok.avtaleledere())
    # Made-up fødselsnumre for every leader with an agreement, clearly synthetic (month + 80, as Skatteetaten's
    # test numbers) with both control digits right (the reader checks them), born in the 1960s to the 80s;
    # unused while the example archives in the sak.
    numbers = [l.fodselsnummer for l in bok.avtaleledere()]
    assert len(set(numbers)) == len(numbers) == len(bok.avtaleledere())
    assert all(81 <= int(n[2:4]) <= 92 and 60 <= int(n[4:6]) <= 89 and int(n[6:9]) < 500 for n in numbers)
    assert not any(l.fodselsnummer for l in bok.ledere if not l.avtale)
    assert k.plassering == "sak"
    # A few services' own figures (sheet Måltall), each for an assignment that reaches that leader.
    assert 2 <= len({m.ansattnr for m in bok.maltall}) <= 3
    (own,) = [o for o in bok.oppdrag_for(bok.leder("1020")) if o.nr == "3"]
    assert (own.mal, own.utgangspunkt) == ("Sykefravær under 5,5 %", "6,3 % i 2026")


def test_example_tildeling_matches_the_selectors():
    bok = read_workbook(EXAMPLE)

    assert bok.tildeling == expected_tildeling(sheet_rows(EXAMPLE))
    # Spot checks by hand, straight from the Oppdrag sheet. 1001, the kommunedirektør, gets no «alle»
    # (he issues the styringsbrev), but is named for the municipality-wide targets: budget (1) and
    # sickness absence (3).
    assert bok.tildeling["1001"] == ["1", "2", "3", "12"]
    assert bok.tildeling["1030"] == ["1", "3", "4", "5", "11"]
    assert bok.tildeling["1041"] == ["1", "3", "4", "5", "6", "8"]
    # The kommunalsjefer carry their sector's assignment with it (selv-og-under:), velferdsteknologi (6) for
    # helse og omsorg and the oppvekstportal (7) for oppvekst; the third sector has none of its own.
    assert bok.tildeling["1002"] == ["1", "2", "4", "5", "6", "10"]
    assert bok.tildeling["1003"] == ["1", "2", "4", "5", "7", "10"]
    assert bok.tildeling["1004"] == ["1", "2", "4", "5", "10"]


def test_example_logo_is_a_transparent_png():
    logo = read_workbook(EXAMPLE).kommune.logo
    assert logo == ROOT / "input" / "logo.png"
    with Image.open(logo) as img:
        assert img.format == "PNG" and img.mode == "RGBA"
        assert 350 <= img.height <= 450
        assert img.getpixel((0, img.height - 1))[3] == 0  # a corner outside the shield
        assert img.getpixel((img.width // 2, img.height // 2))[3] == 255


def test_example_is_what_the_tool_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_example", ROOT / "tools" / "make_example.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    fresh = tool.write_example_workbook(tmp_path / "eksempel.xlsx")

    assert sheet_rows(fresh) == sheet_rows(EXAMPLE), "input/eksempel.xlsx is stale: run tools/make_example.py"


def test_example_looks_good_in_excel():
    wb = openpyxl.load_workbook(EXAMPLE)
    for name in CONTRACT_HEADERS:
        ws = wb[name]
        assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1] if c.value)
    frist_col = CONTRACT_HEADERS["Oppdrag"].index("Frist") + 1
    frister = [row[frist_col - 1] for row in wb["Oppdrag"].iter_rows(min_row=2)]
    assert frister and all(c.number_format == "dd.mm.yyyy" for c in frister if c.value)
    oppdrag_width = wb["Oppdrag"].column_dimensions["C"].width
    assert oppdrag_width >= 50


# --- the synthetic municipality --------------------------------------------------------------

def test_synthetic_sheets_are_fast_and_deterministic():
    start = time.perf_counter()
    sheets = synthetic_sheets(500)
    assert time.perf_counter() - start < 1.0
    assert sheets == synthetic_sheets(500)
    assert sheets != synthetic_sheets(500, seed=2)
    assert synthetic_sheets(500, with_goals=False)["Utviklingsmål"] == [sheets["Utviklingsmål"][0]]


@pytest.mark.slow
def test_synthetic_workbook_500_reads_and_assigns_as_intended(tmp_path):
    sheets = synthetic_sheets(500)
    bok = read_workbook(synthetic_workbook(tmp_path / "syntetisk.xlsx", 500))

    assert bok.warnings == []
    assert len(bok.avtaleledere()) == 500 and [l.niva for l in bok.ledere if not l.avtale] == ["ordfører"]
    levels = {l.niva for l in bok.avtaleledere()}
    assert levels == {"kommunedirektør", "kommunalsjef", "virksomhetsleder", "avdelingsleder"}
    assert bok.tildeling == expected_tildeling(sheets)
    assert all(l.ekstra.get("Kostnadssted") for l in bok.ledere)
    for leder in bok.avtaleledere():
        measures = [t for t in bok.tiltak if t.ansattnr == leder.ansattnr]
        assert 1 <= len(measures) <= 3
        assert {t.nr for t in measures} <= set(bok.tildeling[leder.ansattnr])
        assert 1 <= len(bok.utviklingsmal_for(leder)) <= 3


def test_synthetic_selectors_use_every_kind():
    gjelder = [row[7] for row in synthetic_sheets(130)["Oppdrag"][1:]]
    for kind in ("alle", "nivå:", "enhet:", "under:"):
        assert any(kind in g for g in gjelder), kind
    assert any(g.isdigit() for g in gjelder)
    assert any("," in g for g in gjelder) and any(";" in g for g in gjelder)


def test_synthetic_goal_texts_are_unique_to_their_leader():
    sheets = synthetic_sheets(130)
    public = "\n".join(str(v) for name in ("Kommune", "Ledere", "Oppdrag", "Tiltak")
                       for row in sheets[name] for v in row if v is not None)
    assert GOAL_MARKER not in public
    seen: set[str] = set()
    for row in sheets["Ledere"][1:]:
        texts = goal_texts(sheets, row[0])
        if row[7] == "nei":
            assert texts == []
            continue
        assert texts and all(t.startswith(f"{GOAL_MARKER}{row[0]}") for t in texts)
        assert not seen & set(texts)
        seen |= set(texts)


@pytest.mark.parametrize("n", [1, 2, 7, 20])
def test_small_synthetic_municipalities_are_valid(tmp_path, n):
    sheets = synthetic_sheets(n)
    bok = read_workbook(synthetic_workbook(tmp_path / "liten.xlsx", n))
    assert len(bok.avtaleledere()) == n
    assert bok.tildeling == expected_tildeling(sheets)


def test_new_folder_passes_sjekk_with_its_own_templates(tmp_path):
    from generator.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(main, ["sjekk", str(tmp_path / "lederavtale.xlsx"), "--maler", str(tmp_path / "maler")])
    assert result.exit_code == 0, result.output
    # One of each, in the singular.
    assert "Arbeidsboken er i orden: 1 leder får avtale, 1 oppdrag, 1 advarsel." in result.output
    assert "1 advarsel:\n" in result.output


def test_counts_in_messages_agree_with_their_number():
    from generator.plural import antall

    assert [antall(n, "leder", "ledere") for n in (0, 1, 2)] == ["0 ledere", "1 leder", "2 ledere"]
    assert antall(1, "advarsel", "advarsler") == "1 advarsel" and antall(12, "oppdrag", "oppdrag") == "12 oppdrag"


def test_refuses_a_file_where_the_folder_should_be(tmp_path, fake_templates):
    blocker = tmp_path / "ikke-en-mappe"
    blocker.write_text("x")
    with pytest.raises(LederavtaleError, match="ikke en mappe"):
        write_new_workbook(blocker, maler=fake_templates)
    assert blocker.read_text() == "x"


def test_example_passes_sjekk_with_the_default_templates():
    from generator.cli import main

    result = CliRunner().invoke(main, ["sjekk", str(EXAMPLE), "--maler", str(DEFAULT_TEMPLATE_DIR)])
    assert result.exit_code == 0, result.output
    assert "16 ledere får avtale, 12 oppdrag, 2 advarsler." in result.output
    assert "2 advarsler:\n" in result.output
    assert read_workbook(EXAMPLE).leder("1001").mal == "lederavtale_kommunedirektor.docx"
