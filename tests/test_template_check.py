"""The template check: each kind of template mistake is reported with file, place and quote.

The templates are the default `maler/lederavtale.docx` and `vedlegg.docx`, damaged with
python-docx and then saved the way Word saves them: every run split into pieces with `rsid`
attributes and spell-check marks between, so that no tag is in one piece.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, basic_sheets, word_split, write_xlsx
from docx import Document

from generator.cli import main
from generator.documents.batch import prepare
from generator.documents.check import check_email_template, check_template, check_templates
from generator.documents.context import agreement_context, appendix_context
from generator.documents.fields import FIELDS, field_lines
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


def test_curly_quotes_word_makes_pass_because_docxtpl_straightens_them(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Frist: {{ periode.til|dato(“lang”) }} og {{ leder.ekstra.get(‘Tlf’, ‘-’) }}"))
    assert check_template(template, avtale_contexts, "avtale") == []
    text = Document(io.BytesIO(DocxRenderer(PreparedTemplate(template)).render(avtale_contexts[0]))).paragraphs[-1].text
    assert text == "Frist: 31. desember 2027 og -"


# --- One test per kind of mistake -----------------------------------------------------------------


def test_unknown_field_names_paragraph_quotes_it_and_suggests(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("Hilsen {{ leder.fornavn }} fra HR"))
    number = len(Document(str(template)).paragraphs)
    message = only(check_template(template, avtale_contexts, "avtale"))
    assert message == (f"lederavtale.docx, avsnitt {number} («Hilsen {{{{ leder.fornavn }}}} fra HR»): "
                       "ukjent felt «leder.fornavn». Mente du «leder.navn»?")


def test_two_swapped_letters_count_as_one_typo(tmp_path, avtale_contexts):
    # «leder.niva» is as close by plain edits; a swap of two letters is the commoner typo.
    template = damaged(tmp_path, add("Hilsen {{ leder.nvan }}"))
    assert only(check_template(template, avtale_contexts, "avtale")).endswith(
        "ukjent felt «leder.nvan». Mente du «leder.navn»?")


def test_unknown_field_of_a_loop_variable_in_a_table_cell(tmp_path, avtale_contexts):
    where = {}

    def change(doc):
        t, r, c, cell = cell_with(doc, "{{ o.malemetode }}")
        where.update(t=t, r=r, c=c)
        set_cell(cell, "{{ o.malemetod }}")

    template = damaged(tmp_path, change)
    message = only(check_template(template, avtale_contexts, "avtale"))
    assert message.startswith(f"lederavtale.docx, tabell {where['t']}, rad {where['r']}, kolonne {where['c']} "
                              "(«{{ o.malemetod }}»)")
    assert message.endswith("ukjent felt «o.malemetod». Mente du «o.malemetode»?")


def test_unknown_root_name_is_suggested_from_the_context(tmp_path, avtale_contexts):
    template = damaged(tmp_path, add("{{ komune.navn }}"))
    assert "ukjent felt «komune.navn». Mente du «kommune.navn»?" in only(check_template(template, avtale_contexts))


def test_unclosed_table_row_loop_points_at_its_cell(tmp_path, avtale_contexts):
    where = {}

    def change(doc):
        t, r, c, _cell = cell_with(doc, "{%tr for o in omrade.oppdrag %}")
        where.update(t=t, r=r, c=c)
        set_cell(cell_with(doc, "{%tr endfor %}")[3], "")

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
    assert "(«{%p for u in utviklingsmal %}»): «utviklingsmal» finnes bare i vedlegg.docx" in message
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


def test_mistake_in_the_footer(tmp_path, avtale_contexts):
    def change(doc):
        doc.sections[0].footer.paragraphs[0].add_run(" {{ kommune.telefonnr }}")

    template = damaged(tmp_path, change)
    message = only(check_template(template, avtale_contexts))
    assert message.startswith("lederavtale.docx, bunntekst, avsnitt 1 (")
    assert message.endswith("ukjent felt «kommune.telefonnr». Mente du «kommune.telefon»?")


def test_every_problem_is_reported_not_just_the_first(tmp_path, avtale_contexts):
    template = damaged(tmp_path, lambda doc: (doc.add_paragraph("{{ leder.fornavn }}"), doc.add_paragraph("{{ overordnet.stiling }}")))
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
    bad.write_text("Utkast til lederavtale\n\nHei {{ leder.fornavn }},\n{{ utviklingsmal }}\n", encoding="utf-8")
    problems = messages(check_email_template(bad, avtale_contexts))
    assert "feil.txt, linje 1: første linje må være «Emne: …» (e-postens emne)" in problems
    assert "feil.txt, linje 3: ukjent felt «leder.fornavn». Mente du «leder.navn»?" in problems
    assert any(m.startswith("feil.txt, linje 4: «utviklingsmal» finnes bare i vedlegg.docx") for m in problems)


# --- Hooks: generer/sjekk and the CLI --------------------------------------------------------------


def template_folder(tmp_path: Path, broken: dict[str, Path]) -> Path:
    folder = tmp_path / "maler"
    folder.mkdir()
    for name in ("lederavtale.docx", "vedlegg.docx", "epost.txt", "lederavtale_kommunedirektor.docx"):
        shutil.copy(MALER / name, folder / name)
    for name, path in broken.items():
        shutil.copy(path, folder / name)
    return folder


def test_prepare_stops_on_a_broken_template_in_use(tmp_path):
    broken = damaged(tmp_path, add("Hilsen {{ leder.fornavn }}"))
    folder = template_folder(tmp_path, {"lederavtale.docx": broken})
    workbook = write_xlsx(tmp_path / "bok.xlsx", basic_sheets())
    with pytest.raises(TemplateError) as info:
        prepare(workbook, folder, today=TODAY)
    assert [str(p) for p in info.value.problems] == [
        f"lederavtale.docx, avsnitt {len(Document(str(broken)).paragraphs)} («Hilsen {{{{ leder.fornavn }}}}»): "
        "ukjent felt «leder.fornavn». Mente du «leder.navn»?"]


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
