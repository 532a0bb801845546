"""The template check: each kind of template mistake is reported with file, place and quote.

The templates are the default `maler/lederavtale.docx` and `vedlegg.docx`, damaged with
python-docx and then saved the way Word saves them: every run split into pieces with `rsid`
attributes and spell-check marks between, so that no tag is in one piece.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, basic_sheets, word_split, write_xlsx
from docx import Document
from jinja2 import meta

from generator.cli import main
from generator.commands.init import write_new_workbook
from generator.documents.batch import prepare
from generator.documents.check import check_email_template, check_template, check_templates
from generator.documents.context import agreement_context, appendix_context
from generator.documents.fields import FIELDS, field_lines
from generator.documents.jinja import make_jinja_env
from generator.documents.render import DocxRenderer
from generator.documents.template import PreparedTemplate
from generator.documents.templates import TemplateSet
from generator.exceptions import TemplateError
from generator.workbook import read_workbook

MALER = ROOT / "maler"
TODAY = date(2027, 1, 10)

def damaged(tmp_path: Path, change, source: str = "lederavtale.docx", name: str = "lederavtale.docx") -> Path:
    """A copy of a default template, changed by `change(document)`, saved as Word would."""
    doc = Document(str(MALER / source))
    change(doc)
    path = tmp_path / name
    doc.save(str(path))
    return word_split(path)


def add(text: str):
    return lambda doc: doc.add_paragraph(text)


def cell_with(doc, needle: str):
    """(table number, row, column, cell) of the first cell whose text contains `needle`."""
    for t, table in enumerate(doc.tables, 1):
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row.cells, 1):
                if needle in cell.text:
                    return t, r, c, cell
    raise AssertionError(f"no cell with {needle!r}")


def set_cell(cell, text: str) -> None:
    paragraph = cell.paragraphs[0]
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.runs[0].text = text


@pytest.fixture(scope="module")
def bok(tmp_path_factory):
    return read_workbook(write_xlsx(tmp_path_factory.mktemp("bok") / "arbeidsbok.xlsx", basic_sheets()))


@pytest.fixture(scope="module")
def avtale_contexts(bok):
    return [agreement_context(bok, leder, TODAY) for leder in bok.avtaleledere()[:3]]


@pytest.fixture(scope="module")
def vedlegg_contexts(bok):
    return [appendix_context(bok, leder, TODAY) for leder in bok.avtaleledere()]


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def only(problems) -> str:
    assert len(problems) == 1, messages(problems)
    return str(problems[0])


# --- Valid templates pass ----------------------------------------------------------------------


def test_word_split_default_templates_pass(tmp_path, avtale_contexts, vedlegg_contexts):
    avtale = damaged(tmp_path, lambda doc: None)
    vedlegg = damaged(tmp_path, lambda doc: None, "vedlegg.docx", "vedlegg.docx")
    xml = zipfile.ZipFile(avtale).read("word/document.xml").decode()
    assert "proofErr" in xml and "{{ leder.navn }}" not in xml  # really split, as Word does
    assert check_template(avtale, avtale_contexts, "avtale") == []
    assert check_template(vedlegg, vedlegg_contexts, "vedlegg") == []


@pytest.mark.slow
def test_curly_quotes_word_makes_pass_because_docxtpl_straightens_them(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Frist: {{ periode.til|dato(“lang”) }} og {{ leder.ekstra.get(‘Tlf’, ‘-’) }}"))
    assert check_template(template, avtale_contexts, "avtale") == []
    text = Document(io.BytesIO(DocxRenderer(PreparedTemplate(template)).render(avtale_contexts[0]))).paragraphs[-1].text
    assert text == "Frist: 31. desember 2027 og -"


# --- One test per kind of mistake -----------------------------------------------------------------


def test_unknown_field_names_paragraph_quotes_it_and_suggests(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Hilsen {{ leder.navnet }} fra HR"))
    number = len(Document(str(template)).paragraphs)
    message = only(check_template(template, avtale_contexts, "avtale"))
    assert message == (f"lederavtale.docx, avsnitt {number} («Hilsen {{{{ leder.navnet }}}} fra HR»): "
                       "ukjent felt «leder.navnet». Mente du «leder.navn»?")


def test_two_swapped_letters_count_as_one_typo(tmp_path, avtale_contexts):
    # «leder.niva» is as close by plain edits; a swap of two letters is the commoner typo.
    template = damaged(tmp_path, add("Hilsen {{ leder.nvan }}"))
    assert only(check_template(template, avtale_contexts, "avtale")).endswith(
        "ukjent felt «leder.nvan». Mente du «leder.navn»?")


def test_unknown_field_of_a_loop_variable_in_a_table_cell(tmp_path, avtale_contexts):
    where = {}

    def change(doc):
        t, r, c, cell = cell_with(doc, "{{ o.malemetode }}")
        # A cell of several paragraphs is named down to the paragraph.
        where.update(t=t, r=r, c=c, p=", avsnitt 1" if len(cell.paragraphs) > 1 else "")
        set_cell(cell, "{{ o.malemetod }}")

    template = damaged(tmp_path, change)
    message = only(check_template(template, avtale_contexts, "avtale"))
    place = f"tabell {where['t']}, rad {where['r']}, kolonne {where['c']}{where['p']}"
    assert message.startswith(f"lederavtale.docx, {place} («{{{{ o.malemetod }}}}»)")
    assert message.endswith("ukjent felt «o.malemetod». Mente du «o.malemetode»?")


def test_unknown_root_name_is_suggested_from_the_context(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("{{ komune.navn }}"))
    assert "ukjent felt «komune.navn». Mente du «kommune.navn»?" in only(check_template(template, avtale_contexts))


def test_unclosed_table_row_loop_points_at_its_cell(tmp_path, avtale_contexts):
    where = {}

    def change(doc):
        # A table of assignments, one row each, whose closing row was deleted.
        doc.add_paragraph("{%p for omrade in omrader %}")
        table = doc.add_table(rows=3, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Nr", "Oppdrag"
        table.cell(1, 0).text = "{%tr for o in omrade.oppdrag %}"
        table.cell(2, 0).text, table.cell(2, 1).text = "{{ o.nr }}", "{{ o.tekst }}"
        doc.add_paragraph("{%p endfor %}")
        where.update(t=len(doc.tables), r=2, c=1)

    template = damaged(tmp_path, change)
    message = only(check_template(template, avtale_contexts, "avtale"))
    assert message == (f"lederavtale.docx, tabell {where['t']}, rad {where['r']}, kolonne {where['c']} "
                       "(«{%tr for o in omrade.oppdrag %}»): {% for %} er ikke avsluttet med {% endfor %}; "
                       "sett inn «{%tr endfor %}» der den skal slutte (før «{%p endfor %}»)")


def test_unclosed_if_at_the_end(tmp_path, avtale_contexts):
    template = damaged(tmp_path, lambda doc: (doc.add_paragraph("{%p if leder.epost %}"), doc.add_paragraph("E-post: {{ leder.epost }}")))
    message = only(check_template(template, avtale_contexts))
    assert "(«{%p if leder.epost %}»): {% if %} er ikke avsluttet med {% endif %}" in message


def test_endif_without_if(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("{%p endif %}"))
    assert "(«{%p endif %}»): «{% endif %}» uten «{% if … %}» foran" in only(check_template(template, avtale_contexts))


def test_stray_closing_braces(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Leder: { leder.navn }} i enheten"))
    message = only(check_template(template, avtale_contexts))
    assert message.startswith("lederavtale.docx, avsnitt ")
    assert message.endswith("(«Leder: { leder.navn }} i enheten»): «}}» uten «{{» foran")


def test_tag_missing_a_closing_brace(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Leder: {{ leder.navn } i enheten"))
    assert only(check_template(template, avtale_contexts)).endswith(
        "(«Leder: {{ leder.navn } i enheten»): «{{» er ikke avsluttet med «}}»")


def test_angle_quotes_inside_a_tag(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Telefon: {{ leder.ekstra[«Telefon»] }}"))
    message = only(check_template(template, avtale_contexts))
    assert "(«Telefon: {{ leder.ekstra[«Telefon»] }}»): typografiske anførselstegn (« ») i koden" in message
    with pytest.raises(TemplateError):  # really broken, not just a style complaint
        DocxRenderer(PreparedTemplate(template))


def test_table_row_tag_outside_a_table(tmp_path, avtale_contexts):
    template = damaged(tmp_path, lambda doc: (doc.add_paragraph("{%tr if leder.epost %}"), doc.add_paragraph("{%tr endif %}")))
    problems = messages(check_template(template, avtale_contexts))
    assert any("(«{%tr if leder.epost %}»): «{%tr … %}» kan bare stå i en tabellrad" in m for m in problems)


def test_paragraph_tag_must_stand_alone(tmp_path, avtale_contexts):
    template = damaged(tmp_path, lambda doc: (doc.add_paragraph("Sted: {%p if kommune.sted %}"),
                                               doc.add_paragraph("{{ kommune.sted }}"), doc.add_paragraph("{%p endif %}")))
    message = only(check_template(template, avtale_contexts))
    assert "«{%p if kommune.sted %}» må stå alene i avsnittet" in message and "«Sted:»" in message


def test_space_in_docxtpl_prefix(tmp_path, avtale_contexts):
    template = damaged(tmp_path, lambda doc: (doc.add_paragraph("{% p if kommune.sted %}"), doc.add_paragraph("{% p endif %}")))
    problems = messages(check_template(template, avtale_contexts))
    assert problems and all("ukjent kode «p»: skriv «{%p» uten mellomrom" in m for m in problems)


def test_jinja_syntax_error_in_an_expression(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Navn: {{ leder.navn leder.stilling }}"))
    message = only(check_template(template, avtale_contexts))
    assert "(«Navn: {{ leder.navn leder.stilling }}»): uventet «leder» i koden" in message


def test_unknown_filter(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Frist {{ periode.til|datum }}"))
    assert "(«Frist {{ periode.til|datum }}»): ukjent filter «datum»" in only(check_template(template, avtale_contexts))


def test_development_goals_in_the_agreement_are_refused(tmp_path, avtale_contexts, vedlegg_contexts):
    def change(doc):
        for text in ("{%p for u in utviklingsmal %}", "Mål: {{ u.mal }}", "{%p endfor %}"):
            doc.add_paragraph(text)

    template = damaged(tmp_path, change)
    message = only(check_template(template, avtale_contexts, "avtale"))
    assert "(«{%p for u in utviklingsmal %}»): «utviklingsmal» finnes bare i vedleggene (vedlegg.docx og oppfolging_vedlegg.docx)" in message
    assert "unntatt offentlighet" in message
    # The same paragraphs are fine in the appendix.
    appendix = damaged(tmp_path, change, "vedlegg.docx", "vedlegg.docx")
    assert check_template(appendix, vedlegg_contexts, "vedlegg") == []


def test_loop_field_used_outside_its_loop(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Nr {{ o.nr }}"))
    assert "ukjent felt «o.nr»: «o» finnes bare inne i en løkke" in only(check_template(template, avtale_contexts))


def test_missing_extra_column_found_when_rendering(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Telefon: {{ leder.ekstra.Telefon }}"))
    message = only(check_template(template, avtale_contexts))
    assert "(«Telefon: {{ leder.ekstra.Telefon }}»): ukjent felt «Telefon»" in message


@pytest.mark.parametrize("first_page, area", [(True, "bunntekst på første side"), (False, "bunntekst")])
def test_mistake_in_the_footer(tmp_path, avtale_contexts, first_page, area):
    """Named as Word names the footers: the default templates' first page has its own (the letterhead)."""
    def change(doc):
        section = doc.sections[0]
        footer = section.first_page_footer if first_page else section.footer
        footer.paragraphs[0].add_run(" {{ kommune.telefonnr }}")

    template = damaged(tmp_path, change)
    message = only(check_template(template, avtale_contexts))
    assert message.startswith(f"lederavtale.docx, {area}, avsnitt 1 (")
    assert message.endswith("ukjent felt «kommune.telefonnr». Mente du «kommune.telefon»?")


def test_every_problem_is_reported_not_just_the_first(tmp_path, avtale_contexts):
    template = damaged(tmp_path, lambda doc: (doc.add_paragraph("{{ leder.navnet }}"), doc.add_paragraph("{{ overordnet.stiling }}")))
    problems = messages(check_template(template, avtale_contexts))
    assert len(problems) == 2
    assert "Mente du «leder.navn»?" in problems[0] and "Mente du «overordnet.stilling»?" in problems[1]


def test_not_a_word_file(tmp_path, avtale_contexts):
    bad = tmp_path / "lederavtale.docx"
    bad.write_text("ikke et Word-dokument")
    assert "lederavtale.docx: kan ikke leses som Word-dokument" in only(check_template(bad, avtale_contexts))


# --- epost.txt -----------------------------------------------------------------------------------


def test_email_template(tmp_path, avtale_contexts):
    good = tmp_path / "epost.txt"
    shutil.copy(MALER / "epost.txt", good)
    assert check_email_template(good, avtale_contexts) == []
    bad = tmp_path / "feil.txt"
    bad.write_text("Utkast til lederavtale\n\nHei {{ leder.navnet }},\n{{ utviklingsmal }}\n", encoding="utf-8")
    problems = messages(check_email_template(bad, avtale_contexts))
    assert "feil.txt, linje 1: første linje må være «Emne: …» (e-postens emne)" in problems
    assert "feil.txt, linje 3: ukjent felt «leder.navnet». Mente du «leder.navn»?" in problems
    assert any(m.startswith("feil.txt, linje 4: «utviklingsmal» finnes bare i vedleggene (vedlegg.docx og oppfolging_vedlegg.docx)") for m in problems)


# --- Hooks: generer/sjekk and the CLI --------------------------------------------------------------


def template_folder(tmp_path: Path, broken: dict[str, Path]) -> Path:
    folder = tmp_path / "maler"
    folder.mkdir()
    for name in ("lederavtale.docx", "vedlegg.docx", "epost.txt", "lederavtale_kommunedirektor.docx"):
        shutil.copy(MALER / name, folder / name)
    for name, path in broken.items():
        shutil.copy(path, folder / name)
    return folder


@pytest.mark.slow
def test_prepare_stops_on_a_broken_template_in_use(tmp_path):
    broken = damaged(tmp_path, add("Hilsen {{ leder.navnet }}"))
    folder = template_folder(tmp_path, {"lederavtale.docx": broken})
    workbook = write_xlsx(tmp_path / "bok.xlsx", basic_sheets())
    with pytest.raises(TemplateError) as info:
        prepare(workbook, folder, today=TODAY)
    assert [str(p) for p in info.value.problems] == [
        f"lederavtale.docx, avsnitt {len(Document(str(broken)).paragraphs)} («Hilsen {{{{ leder.navnet }}}}»): "
        "ukjent felt «leder.navnet». Mente du «leder.navn»?"]


@pytest.mark.slow
def test_sjekk_checks_unused_templates_and_exits_1_without_traceback(tmp_path):
    broken = damaged(tmp_path, add("{%p if leder.epost %}"), name="ubrukt.docx")
    folder = template_folder(tmp_path, {"ubrukt.docx": broken})
    workbook = write_xlsx(tmp_path / "bok.xlsx", basic_sheets())
    prepare(workbook, folder, today=TODAY)  # generer uses no ubrukt.docx: not its business
    result = CliRunner().invoke(main, ["sjekk", str(workbook), "--maler", str(folder)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Malene har feil. Ingenting er skrevet." in result.output
    assert "ubrukt.docx, avsnitt " in result.output
    assert "(«{%p if leder.epost %}»): {% if %} er ikke avsluttet med {% endif %}" in result.output


def test_sjekk_reports_a_broken_email_template(tmp_path):
    folder = template_folder(tmp_path, {})
    (folder / "epost.txt").write_text("Emne: Lederavtale {{ periode.aar }}\n\nHei\n", encoding="utf-8")
    workbook = write_xlsx(tmp_path / "bok.xlsx", basic_sheets())
    result = CliRunner().invoke(main, ["sjekk", str(workbook), "--maler", str(folder)])
    assert result.exit_code == 1
    assert "epost.txt, linje 1: ukjent felt «periode.aar». Mente du «periode.ar»?" in result.output


def test_sjekk_passes_the_default_templates(tmp_path):
    workbook = write_xlsx(tmp_path / "bok.xlsx", basic_sheets())
    result = CliRunner().invoke(main, ["sjekk", str(workbook), "--maler", str(MALER)])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_check_templates_covers_nynorsk(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"].append(["Målform", "nynorsk"])
    bok = read_workbook(write_xlsx(tmp_path / "bok.xlsx", sheets))
    assert check_templates(bok, TemplateSet(bok, MALER), bok.avtaleledere(), TODAY, every=True) == []


def test_maler_lists_every_field_with_an_explanation():
    result = CliRunner().invoke(main, ["maler"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for f in FIELDS:
        assert any(f.name in line and f.forklaring in line for line in lines), f.name
    row = next(line for line in lines if "{{ leder.navn }}" in line)
    assert "lederens fulle navn" in row
    assert any("{{ u.mal }}" in line for line in lines)
    assert any("Bare i vedlegg.docx" in line for line in lines)
    assert lines == field_lines()


# --- Fields added for issue 12: check and render -------------------------------------------------


def extended_sheets() -> dict:
    """The basic workbook with extra columns in Ledere, Oppdrag and Tiltak, follow-up
    conversations, a Fornavn column and the leadership principles."""
    s = basic_sheets()
    # «Kolonne» is the documentation's stand-in for «your own column» (LESMEG.md), so its
    # examples can be rendered too; every other key an example uses must be one of these.
    for sheet, headers, values in (
        ("Ledere", ["Kolonne", "Tjenesteområde", "Telefon", "Oppfølging", "Fornavn"], None),
        ("Oppdrag", ["Kolonne", "Hensikt"], "Bedre tjenester & <færre> avvik"),
        ("Tiltak", ["Kolonne", "Ansvarlig"], "Avdelingsleder"),
    ):
        s[sheet][0] += headers
        for row in s[sheet][1:]:
            row += [values] * len(headers)
    ledere = s["Ledere"]
    for row in ledere[1:]:
        row[-3] = f"41 00 {row[0]}"
    tlf, oppfolging, fornavn = (ledere[0].index(h) for h in ("Telefon", "Oppfølging", "Fornavn"))
    oystein = next(row for row in ledere if row[0] == 210)
    oystein[oppfolging] = "Samtaler 15.06.2027 og 15.11.2027"
    next(row for row in ledere if row[0] == 200)[fornavn] = "Per Arne"
    s["Lederprinsipper"] = [["Prinsipp", "Beskrivelse"], ["Vi er tydelige", "Vi gir tilbakemelding i § 4-møter."],
                            ["Vi skaper tillit", None]]
    assert tlf  # the column is there for `leder.ekstra["Telefon"]`
    return s


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    return read_workbook(write_xlsx(tmp_path_factory.mktemp("utvidet") / "arbeidsbok.xlsx", extended_sheets()))


def body_paragraphs(template: Path, context: dict) -> list[str]:
    return [p.text for p in Document(io.BytesIO(DocxRenderer(PreparedTemplate(template)).render(context))).paragraphs]


def paragraphs(*texts: str):
    def change(doc):
        for text in texts:
            doc.add_paragraph(text)
    return change


@pytest.mark.slow
def test_extra_columns_of_assignments_and_measures_pass_the_check_and_render(tmp_path, extended):
    template = damaged(tmp_path, paragraphs(
        "{%p for o in oppdrag %}",
        "OPPDRAG {{ o.nr }}: {{ o.ekstra[\"Hensikt\"] }} / {{ o.ekstra[\" hensikt \"] }}",
        "{%p for t in o.tiltak %}",
        "TILTAK {{ t }} ({{ t.ekstra[\"ANSVARLIG\"] }}) = {{ t.tekst }}",
        "{%p endfor %}",
        "{%p endfor %}",
        "TELEFON {{ leder.ekstra[\"telefon\"] }} og {{ overordnet.ekstra[\"Telefon\"] }}",
    ))
    contexts = [agreement_context(extended, leder, TODAY) for leder in extended.avtaleledere()]
    assert check_template(template, contexts, "avtale") == []
    ours = [p for p in body_paragraphs(template, agreement_context(extended, extended.leder("210"), TODAY))
            if p.split(" ")[0] in ("OPPDRAG", "TILTAK", "TELEFON")]
    # Values are data, case and spaces in the key do not matter, `{{ t }}` is the measure's text.
    assert ours == [
        "OPPDRAG 1: Bedre tjenester & <færre> avvik / Bedre tjenester & <færre> avvik",
        "OPPDRAG 2: Bedre tjenester & <færre> avvik / Bedre tjenester & <færre> avvik",
        "TILTAK Ukentlige oppfølgingssamtaler med sykmeldte (Avdelingsleder) = "
        "Ukentlige oppfølgingssamtaler med sykmeldte",
        "TILTAK Tilrettelegging i samarbeid med NAV (Avdelingsleder) = Tilrettelegging i samarbeid med NAV",
        "OPPDRAG 4: Bedre tjenester & <færre> avvik / Bedre tjenester & <færre> avvik",
        "TELEFON 41 00 210 og 41 00 200",
    ]


@pytest.mark.parametrize("code, key", [("{{ o.ekstra[\"Formål\"] }}", "Formål"),
                                       ("{% for t in o.tiltak %}{{ t.ekstra[\"Frist\"] }}{% endfor %}", "Frist")])
def test_a_missing_extra_column_is_reported_with_its_name(tmp_path, extended, code, key):
    template = damaged(tmp_path, paragraphs("{%p for o in oppdrag %}", f"Tekst: {code}", "{%p endfor %}"))
    contexts = [agreement_context(extended, extended.leder("210"), TODAY)]
    problems = messages(check_template(template, contexts, "avtale"))
    assert len(problems) == 1 and f"ukjent felt «{key}»" in problems[0], problems


def test_unknown_field_of_a_measure_or_a_principle(tmp_path, extended):
    template = damaged(tmp_path, paragraphs(
        "{%p for o in oppdrag %}", "{%p for t in o.tiltak %}", "{{ t.tekts }}", "{%p endfor %}", "{%p endfor %}",
        "{%p for p in lederprinsipper %}", "{{ p.prinsip }}", "{%p endfor %}", "{{ p.beskrivelse }}"))
    problems = messages(check_template(template, [agreement_context(extended, extended.leder("210"), TODAY)]))
    assert len(problems) == 3, problems
    assert problems[0].endswith("ukjent felt «t.tekts». Mente du «t.tekst»?")
    assert problems[1].endswith("ukjent felt «p.prinsip». Mente du «p.prinsipp»?")
    assert "ukjent felt «p.beskrivelse»: «p» finnes bare inne i en løkke, f.eks. {%p for p in lederprinsipper %}" \
        in problems[2]


@pytest.mark.slow
def test_leadership_principles_render_in_order_or_leave_the_templates_own_text(tmp_path, extended, bok):
    template = damaged(tmp_path, paragraphs(
        "{%p if lederprinsipper %}",
        "{%p for p in lederprinsipper %}",
        "PRINSIPP {{ loop.index }}. {{ p.prinsipp }}{% if p.beskrivelse %}: {{ p.beskrivelse }}{% endif %}",
        "{%p endfor %}",
        "{%p else %}",
        "PRINSIPP malens egen tekst",
        "{%p endif %}",
    ))
    with_sheet = agreement_context(extended, extended.leder("210"), TODAY)
    without_sheet = agreement_context(bok, bok.leder("210"), TODAY)
    assert without_sheet["lederprinsipper"] == []
    assert check_template(template, [with_sheet, without_sheet], "avtale") == []
    assert [p for p in body_paragraphs(template, with_sheet) if p.startswith("PRINSIPP")] == [
        "PRINSIPP 1. Vi er tydelige: Vi gir tilbakemelding i §\u00a04-møter.", "PRINSIPP 2. Vi skaper tillit"]
    assert [p for p in body_paragraphs(template, without_sheet) if p.startswith("PRINSIPP")] == [
        "PRINSIPP malens egen tekst"]
    # The appendix gets them too.
    assert appendix_context(extended, extended.leder("210"), TODAY)["lederprinsipper"] == with_sheet["lederprinsipper"]


@pytest.mark.slow
def test_first_names_follow_up_period_and_lower_case_title(tmp_path, extended):
    template = damaged(tmp_path, paragraphs(
        "HILSEN Hei {{ leder.fornavn }}, hilsen {{ overordnet.fornavn }}",
        "OPPFØLGING {{ leder.oppfolging }}",
        "PERIODE {{ periode.tekst }}",
        "STILLING Som {{ leder.stilling|liten }} og {{ overordnet.stilling|liten }}, "
        "jf. {{ kommune.skjermingshjemmel|liten }}",
    ))
    contexts = [agreement_context(extended, leder, TODAY) for leder in extended.avtaleledere()]
    assert check_template(template, contexts, "avtale") == []
    text = body_paragraphs(template, agreement_context(extended, extended.leder("211"), TODAY))
    assert "HILSEN Hei Berit, hilsen Øystein" in text
    assert "OPPFØLGING " in text  # no follow-up agreed: empty, not an error
    text = body_paragraphs(template, agreement_context(extended, extended.leder("210"), TODAY))
    assert "HILSEN Hei Øystein, hilsen Per Arne" in text  # the Fornavn column wins over Navn
    assert "OPPFØLGING Samtaler 15.06.2027 og 15.11.2027" in text
    assert "PERIODE 1. januar 2027 – 31. desember 2027" in text
    assert ("STILLING Som virksomhetsleder og kommunalsjef helse, "
            "jf. offl. §\u00a013 jf. fvl. §\u00a013 første ledd nr. 1") in text


def test_liten_leaves_abbreviations_alone():
    from generator.documents.jinja import liten_filter

    assert [liten_filter(v) for v in ("Kommunalsjef helse", "NAV-leder", "IKT-sjef", "Å", "", None)] == [
        "kommunalsjef helse", "NAV-leder", "IKT-sjef", "å", "", ""]


def test_period_text_in_nynorsk(tmp_path):
    sheets = basic_sheets()
    sheets["Kommune"] += [["Målform", "nynorsk"]]
    sheets["Kommune"][2] = ["Periode", None]
    sheets["Kommune"] += [["Fra", "1.8.2027"], ["Til", "31.7.2028"]]
    signert = sheets["Ledere"][0].index("Signert")
    for row in sheets["Ledere"][1:]:  # BASIC's are signed in January 2027, before this period
        row[signert] = None
    nynorsk = read_workbook(write_xlsx(tmp_path / "nn.xlsx", sheets))
    assert agreement_context(nynorsk, nynorsk.leder("210"), TODAY)["periode"]["tekst"] == \
        "1. august 2027 – 31. juli 2028"


@pytest.mark.slow
def test_percent_and_section_signs_are_never_alone_on_a_line(tmp_path, extended):
    """Every printed value gets a non-breaking space before % and after §; template code sees the value as typed."""
    template = damaged(tmp_path, paragraphs(
        "{%p for o in oppdrag %}",
        "MÅL {{ o.mal }} | {{ o.utgangspunkt }}{% if o.mal == \"Sykefravær under 6,7 %\" %} (lik){% endif %}",
        "{%p endfor %}",
        "HJEMMEL {{ kommune.skjermingshjemmel }} | {{ \"10 % og § 5\" }}",
    ))
    context = agreement_context(extended, extended.leder("210"), TODAY)
    assert check_template(template, [context], "avtale") == []
    text = body_paragraphs(template, context)
    assert "MÅL Sykefravær under 6,7\u00a0% | 8,1\u00a0% (lik)" in text
    assert "MÅL Avvik under 1\u00a0% | Avvik 2,3\u00a0% i 2026" in text
    assert "HJEMMEL Offl. §\u00a013 jf. fvl. §\u00a013 første ledd nr. 1 | 10\u00a0% og §\u00a05" in text
    assert context["oppdrag"][1]["mal"] == "Sykefravær under 6,7 %"  # the context itself is untouched


def test_template_code_typed_in_a_cell_prints_as_typed():
    from generator.documents.jinja import keep_together

    # Only a number's % is joined to it, so «{% if x %}» in a cell (data, never code) is untouched.
    assert keep_together("Åse {% if x %} 6,7 % og 2 %, §§ 13 og 14") == \
        "Åse {% if x %} 6,7\u00a0% og 2\u00a0%, §§\u00a013 og 14"


def test_the_email_keeps_percent_and_section_signs_with_their_numbers(extended):
    from generator.documents.jinja import make_jinja_env

    template = make_jinja_env(autoescape=False).from_string(
        "{% for o in oppdrag %}{{ o.mal }}; {% for t in o.tiltak %}{{ t }} & {{ t.ekstra['ansvarlig'] }}; "
        "{% endfor %}{% endfor %}{{ o_tiltak|default('') }}{{ kommune.skjermingshjemmel }}")
    text = template.render(agreement_context(extended, extended.leder("210"), TODAY))
    assert "Avvik under 1\u00a0%; Sykefravær under 6,7\u00a0%; " in text
    assert "Ukentlige oppfølgingssamtaler med sykmeldte & Avdelingsleder;" in text  # no escaping in plain text
    assert text.endswith("Offl. §\u00a013 jf. fvl. §\u00a013 første ledd nr. 1")


def test_the_catalogue_has_the_new_fields_and_the_filter():
    from generator.documents.fields import FILTERS, KNOWN, LISTS

    for name in ("lederprinsipper", "p.prinsipp", "p.beskrivelse", "leder.fornavn", "overordnet.fornavn",
                 "leder.oppfolging", "o.ekstra", "t.tekst", "t.ekstra"):
        assert name in KNOWN, name
    assert LISTS["lederprinsipper"] == "p"
    assert "liten" in [name for name, _ in FILTERS]
    lines = field_lines()
    assert any("{{ p.prinsipp }}" in line for line in lines)
    assert any("|liten" in line and "kommunalsjef helse" in line for line in lines)


# --- Every example in the HR guides passes the check -------------------------------------------

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# docxtpl's prefixes only say where a tag stands (its own paragraph, a table row); the Jinja
# inside is the same, so an example is checked with them as plain tags in one paragraph.
DOCXTPL_PREFIX = re.compile(r"^\{%(?:p|tr|tc|r) ")
OPENERS = {"endfor": "{% for _ in [1] %}", "endif": "{% if true %}", "else": "{% if true %}",
           "elif": "{% if true %}"}
# A loop variable an example uses without its loop gets the loop the guide puts it in.
LOOPS = {
    "t": ("{% for o in oppdrag %}{% for t in o.tiltak %}", "{% endfor %}{% endfor %}"),
    "o": ("{% for o in oppdrag %}", "{% endfor %}"),
    "omrade": ("{% for omrade in omrader %}", "{% endfor %}"),
    "p": ("{% for p in lederprinsipper %}", "{% endfor %}"),
    "u": ("{% for u in utviklingsmal %}", "{% endfor %}"),
}


def veiledning_examples(tmp_path: Path) -> list[str]:
    """Each cell of the Veiledning sheet of a new workbook that holds template code."""
    wb = openpyxl.load_workbook(write_new_workbook(tmp_path / "ny"))
    return [str(v) for row in wb["Veiledning"].iter_rows(values_only=True) for v in row
            if v is not None and TAG.search(str(v))]


def lesmeg_examples() -> list[str]:
    """Each code block, and each `code` span, of maler/LESMEG.md that holds template code.

    Left out: the first column of the tables of messages («Melding …»), which quotes what the
    check says about broken code, not code to use.
    """
    text = (MALER / "LESMEG.md").read_text(encoding="utf-8")
    examples = re.findall(r"```[^\n]*\n(.*?)```", text, re.S)
    header = None
    for line in re.sub(r"```.*?```", "", text, flags=re.S).splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]] if line.startswith("|") else [line]
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = cells[0]
        elif header.startswith("Melding") and not set(cells[0]) <= set("-: "):
            cells = cells[1:]
        for cell in cells:
            examples += [span.replace("\\|", "|") for span in re.findall(r"`([^`]+)`", cell)]
    return [e for e in examples if TAG.search(e)]


def _keyword(tag: str) -> str:
    words = tag[2:-2].strip().strip("-").split()
    return words[0] if tag.startswith("{%") and words else ""


def as_code(example: str) -> str:
    """The example's tags as one piece of template code that Jinja can compile on its own."""
    # «…» stands for «what you write here» ({%p for … %}): a sketch, not code.
    tags = [DOCXTPL_PREFIX.sub("{% ", tag) for tag in TAG.findall(example) if "…" not in tag]
    before, open_blocks = [], []
    for tag in tags:
        kw = _keyword(tag)
        if kw in ("for", "if"):
            open_blocks.append(kw)
        elif kw in OPENERS and not open_blocks:
            before.insert(0, OPENERS[kw])  # a tag the guide shows alone: give it its start
            if kw in ("else", "elif"):
                open_blocks.append("if")
        elif kw in ("endfor", "endif") and open_blocks[-1] == kw[3:]:
            open_blocks.pop()
    code = "".join(before + tags + ["{% end" + kw + " %}" for kw in reversed(open_blocks)])
    undeclared = meta.find_undeclared_variables(make_jinja_env().parse(code))
    for var, (start, end) in LOOPS.items():
        if var in undeclared and not (var == "o" and "t" in undeclared):
            code = start + code + end
    return code


def check_examples(tmp_path: Path, examples: list[str], workbook) -> list[str]:
    leder = workbook.leder("210")  # has assignments, measures, goals: every loop runs
    avtale = [as_code(e) for e in examples if "utviklingsmal" not in as_code(e)]
    vedlegg = [as_code(e) for e in examples if "utviklingsmal" in as_code(e)]
    problems = []
    for codes, source, kind, context in ((avtale, "lederavtale.docx", "avtale", agreement_context),
                                         (vedlegg, "vedlegg.docx", "vedlegg", appendix_context)):
        if codes:
            template = damaged(tmp_path, paragraphs(*codes), source, f"eksempler-{source}")
            problems += messages(check_template(template, [context(workbook, leder, TODAY)], kind))
    return problems


def test_the_example_code_helper_completes_what_the_guides_show_alone():
    assert as_code("{%p endfor %}") == "{% for _ in [1] %}{% endfor %}"
    assert as_code("{%p if omrader %}") == "{% if omrader %}{% endif %}"
    assert as_code("{{ t }}") == "{% for o in oppdrag %}{% for t in o.tiltak %}{{ t }}{% endfor %}{% endfor %}"
    assert as_code("{%tr for o in omrade.oppdrag %}") == \
        "{% for omrade in omrader %}{% for o in omrade.oppdrag %}{% endfor %}{% endfor %}"
    assert as_code("{%p for … %} og {{ leder.navn }}") == "{{ leder.navn }}"


def test_every_example_in_the_workbooks_veiledning_passes_the_check(tmp_path, extended):
    examples = veiledning_examples(tmp_path)
    text = "\n".join(examples)
    # The guide shows the fields HR asks for, each of which must work as written.
    for field in ("{{ periode.tekst }}", "{{ leder.fornavn }}", "|liten", "{{ o.ekstra[", "{{ t.ekstra[",
                  "{{ leder.ekstra[", "lederprinsipper"):
        assert field in text, field
    assert check_examples(tmp_path, examples, extended) == []


@pytest.mark.slow
def test_every_example_in_lesmeg_passes_the_check(tmp_path, extended):
    examples = lesmeg_examples()
    assert len(examples) > 20 and "{{ leder.navn }}" in examples  # really read
    assert check_examples(tmp_path, examples, extended) == []


@pytest.mark.parametrize("example, message", [
    ("{{ oppdrag.frist|dato }}", "«oppdrag» er en liste"),  # the old Veiledning's example
    ("Telefon: {{ leder.ekstra[\"Tlf\"] }}", "ukjent felt «Tlf»"),
    ("{%p if o.frist %}{{ o.frist|dato(\"kort\", 2) }}", "malen kan ikke fylles ut"),
])
def test_a_broken_example_would_be_found(tmp_path, extended, example, message):
    problems = check_examples(tmp_path, [example], extended)
    assert len(problems) == 1 and message in problems[0], problems


def test_appendix_examples_are_checked_against_the_appendix(tmp_path, extended):
    assert "{% for u in utviklingsmal %}" in as_code("{{ u.mal }}")
    assert check_examples(tmp_path, ["{{ u.mal }}", "{% if not utviklingsmal %}"], extended) == []


def test_the_privacy_guard_still_finds_a_goal_with_a_percent_sign(tmp_path):
    """The agreement prints «5 %» with a non-breaking space; the guard compares whitespace as one."""
    from generator.documents.batch import Batch

    goal = "Redusere eget sykefravær til under 5 % innen juni"
    s = basic_sheets()
    s["Utviklingsmål"][1][1] = goal
    s["Tiltak"][1][2] = goal  # copied into the public measures by mistake
    bok = read_workbook(write_xlsx(tmp_path / "bok.xlsx", s))
    verdict, documents = Batch(bok, TemplateSet(bok, MALER), TODAY).render(bok.leder("210"))
    assert verdict.failures and "Personvernsperre" in verdict.failures[0]
    assert [d.rolle for d in documents] == ["vedlegg"]  # the agreement is not written
