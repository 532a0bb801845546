"""`statusrapport.docx`: the status report for the kommunedirektør and the politicians, on the letterhead.

The letterhead is the default agreement template's header and footer (logo, name, address), so
the report looks like every other document the municipality makes with this tool. It is a public
document: it is made from the counts and the deviations alone, never from development goals.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import jinja2
from lxml import etree
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage

from ..documents import docx_engine, stamp
from ..documents.identity import FOOTER_LABEL
from ..documents.context import babel_locale, kommune_fields, logo_image, periode_fields
from ..documents.jinja import explain, make_jinja_env
from ..documents.kinds import STATUS_REPORT
from ..documents.naming import document_properties
from ..documents.render import LOGO_HEIGHT
from ..documents.templates import TemplateSet
from ..exceptions import TemplateError
from ..model import Arbeidsbok
from ..store.files import atomic_write_bytes
from ..store.year import STATUS_REPORT_DOCX as REPORT_DOCX
from ..store.year import STATUS_REPORT_PDF as REPORT_PDF
from .chart import ChartText, area_charts
from .counts import KOLONNER, Status
from .workbook import status_names

TEXT_WIDTH = Cm(17)
# Where the template's footer names the leader, the report names itself (see _retitle_footer).
_FOOTER_MARK = "\u2063STATUSRAPPORT\u2063"

# Each text in bokmål and in nynorsk.
_TEXT = {
    "tittel": ("Statusrapport {ar}", "Statusrapport {ar}"),
    "intro": ("Status for oppdragene i kommunedirektørens styringsbrev for {ar}, slik lederne har rapportert "
              "dem per {dato}. Hver leder som har fått et oppdrag i lederavtalen sin, teller én gang for det "
              "oppdraget. Prosentene i figurene er andeler av lederne som har oppdraget.",
              "Status for oppdraga i styringsbrevet frå kommunedirektøren for {ar}, slik leiarane har rapportert "
              "dei per {dato}. Kvar leiar som har fått eit oppdrag i leiaravtalen sin, tel éin gong for det "
              "oppdraget. Prosentane i figurane er delar av leiarane som har oppdraget."),
    "samlet": ("Samlet status", "Samla status"),
    "status": ("Status", "Status"),
    "antall": ("Antall", "Tal"),
    "sum": ("Sum", "Sum"),
    "omrader": ("Status per område", "Status per område"),
    "nr": ("Nr", "Nr"),
    "oppdrag": ("Oppdrag", "Oppdrag"),
    "ledere": ("Ledere", "Leiarar"),
    "leder": ("Leder", "Leiar"),
    "enhet": ("Enhet", "Eining"),
    "kommentar": ("Kommentar", "Kommentar"),
    "avvik": ("Avvik: forsinkede oppdrag", "Avvik: forseinka oppdrag"),
    "ingen_avvik": ("Ingen oppdrag er rapportert som forsinket.", "Ingen oppdrag er rapporterte som forseinka."),
    "enheter": ("Status per enhet", "Status per eining"),
    "x_akse": ("Andel av lederne med oppdraget", "Del av leiarane med oppdraget"),
    "y_akse": ("Oppdrag", "Oppdrag"),
    "n_ledere": (("{n} leder", "{n} ledere"), ("{n} leiar", "{n} leiarar")),
    "figur": ("Figur: status for oppdragene i området", "Figur: status for oppdraga i området"),
    "mal_resultat": ("Mål og resultater", "Mål og resultat"),
    "mal": ("Mål", "Mål"),
    "resultat": ("Resultat", "Resultat"),
    "ingen_resultat": ("Ingen resultater er rapportert ennå.", "Ingen resultat er rapporterte enno."),
    "utgar": ("Oppdrag som utgår", "Oppdrag som går ut"),
    "begrunnelse": ("Begrunnelse", "Grunngiving"),
    "ingen_utgar": ("Ingen oppdrag er rapportert som utgått.", "Ingen oppdrag er rapporterte som utgått."),
    "ikke_rapportert": ("Ikke rapportert", "Ikkje rapportert"),
    "ikke_rapportert_intro": ("Ledere som ikke har rapportert status på ett eller flere oppdrag.",
                              "Leiarar som ikkje har rapportert status på eitt eller fleire oppdrag."),
    "alle_rapportert": ("Alle ledere har rapportert status på alle oppdragene sine.",
                        "Alle leiarane har rapportert status på alle oppdraga sine."),
    # The statuses' one set of names per målform, as in status.xlsx and statusrapport.xlsx.
    "statuser": (status_names("bokmål"), status_names("nynorsk")),
}


def _texts(nynorsk: bool) -> dict:
    return {key: pair[nynorsk] for key, pair in _TEXT.items()}


def chart_text(nynorsk: bool) -> ChartText:
    """The charts' words in one målform, as the report draws them (the web page shows the same charts)."""
    t = _texts(nynorsk)
    return ChartText(t["statuser"], t["x_akse"], t["y_akse"], t["n_ledere"])


def status_document(bok: Arbeidsbok, status: Status, today: date, templates: TemplateSet) -> bytes:
    """The report as .docx bytes, on the letterhead of the agreement template in `templates`."""
    t = _texts(bok.kommune.malform == "nynorsk")
    ar = bok.kommune.periode.ar
    tpl = DocxTemplate(str(templates.path(STATUS_REPORT)))
    doc = tpl.get_docx()
    body = doc.element.body
    # The report has no signatures: the QR code's picture goes with the body (below, once reopened).
    qr = stamp.qr_rid(etree.tostring(body, encoding="unicode"))
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # the page setup stays, with the letterhead it points to
            body.remove(child)
    kommune = kommune_fields(bok.kommune)
    if bok.kommune.logo is not None:
        kommune["logo"] = InlineImage(tpl, logo_image(bok.kommune.logo), height=LOGO_HEIGHT)
    # HR's own template, so in the sandbox like every other render (documents.jinja).
    env = make_jinja_env(locale=babel_locale(bok.kommune), strict=False)
    try:
        tpl.render({"kommune": kommune, "periode": periode_fields(bok.kommune), "leder": {"navn": _FOOTER_MARK}}, env)
    except jinja2.TemplateError as exc:
        raise TemplateError([explain(STATUS_REPORT.template, exc)]) from exc
    # Reopened from the rendered bytes: docxtpl renders headers and footers into their parts'
    # bytes, which python-docx's objects from before rendering do not see.
    rendered = io.BytesIO()
    tpl.save(rendered)
    doc = Document(rendered)
    if qr:
        docx_engine.drop_relationship(doc.part, qr)
    _retitle_footer(doc, t["tittel"].format(ar=ar))

    doc.add_paragraph(t["tittel"].format(ar=ar), style="Title")
    doc.add_paragraph(t["intro"].format(ar=ar, dato=f"{today:%d.%m.%Y}"))
    names = t["statuser"]
    words = chart_text(bok.kommune.malform == "nynorsk")

    doc.add_paragraph(t["samlet"], style="Heading 1")
    total = status.totalt()
    _table(doc, [t["status"], t["antall"]], [[names[k], total[k]] for k in KOLONNER]
           + [[t["sum"], sum(total.values())]], [Cm(6), Cm(3)])

    doc.add_paragraph(t["omrader"], style="Heading 1")
    count_widths = [Cm(1.75)] * len(KOLONNER)
    for chart in area_charts(status, words):
        area, items = chart.area, chart.items
        doc.add_paragraph(area, style="Heading 2")
        picture = doc.add_picture(io.BytesIO(chart.png), width=TEXT_WIDTH)
        docx_engine.describe_picture(picture, f"{t['figur']} {chart.text}")
        _table(doc, [t["nr"], t["oppdrag"], t["ledere"], *(names[k] for k in KOLONNER)],
               [[o.nr, o.tekst, tl.ledere, *tl.row()] for o, tl in items],
               [Cm(0.9), Cm(4.1), Cm(1.5), *count_widths])
        _goals_and_results(doc, t, status, items, bok.kommune.navn_i_statusrapport)

    # A public report: a leader is named only when the municipality has chosen so (Navn i statusrapport).
    named = bok.kommune.navn_i_statusrapport
    who = [t["leder"]] if named else []

    def person(r) -> list:
        return [r.navn] if named else []

    doc.add_paragraph(t["avvik"], style="Heading 1")
    if status.avvik:
        _table(doc, [t["enhet"], *who, t["nr"], t["oppdrag"], t["kommentar"]],
               [[a.enhet, *person(a), a.nr, a.oppdrag, a.kommentar] for a in status.avvik_per_enhet()],
               [Cm(3.5), *[Cm(3)] * named, Cm(1), Cm(5.5 - 1.5 * named), Cm(7 - 1.5 * named)])
    else:
        doc.add_paragraph(t["ingen_avvik"])

    doc.add_paragraph(t["utgar"], style="Heading 1")
    utgar = status.utgar()
    if utgar:
        _table(doc, [t["enhet"], *who, t["nr"], t["oppdrag"], t["begrunnelse"]],
               [[r.enhet, *person(r), r.nr, r.oppdrag, r.kommentar] for r in utgar],
               [Cm(3.5), *[Cm(3)] * named, Cm(1), Cm(5.5 - 1.5 * named), Cm(7 - 1.5 * named)])
    else:
        doc.add_paragraph(t["ingen_utgar"])

    doc.add_paragraph(t["ikke_rapportert"], style="Heading 1")
    missing = status.ikke_rapportert()
    if missing:
        doc.add_paragraph(t["ikke_rapportert_intro"])
        _table(doc, [t["enhet"], t["leder"], t["oppdrag"] + f" ({t['nr']})"],
               [[enhet, navn, ", ".join(nrs)] for enhet, navn, nrs in missing], [Cm(6), Cm(5), Cm(6)])
    else:
        doc.add_paragraph(t["alle_rapportert"])

    doc.add_paragraph(t["enheter"], style="Heading 1")
    _table(doc, [t["enhet"], t["ledere"], *(names[k] for k in KOLONNER)],
           [[tl.navn, tl.ledere, *tl.row()] for tl in status.enheter], [Cm(5.0), Cm(1.5), *count_widths])

    properties = document_properties(STATUS_REPORT, bok)
    doc.core_properties.title = properties["title"]
    doc.core_properties.language = properties["language"]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _goals_and_results(doc, t: dict, status: Status, items, names: bool) -> None:
    """Each assignment's goal and what the units report they reached: the numbers above say how far
    the work has come, this says what it has come to."""
    # HR's own template may stop at Heading 2.
    styles = {style.name for style in doc.styles}
    doc.add_paragraph(t["mal_resultat"], style="Heading 3" if "Heading 3" in styles else "Heading 2")
    rows = []
    for o, _ in items:
        results = status.resultater(o.nr)
        text = "\n".join(f"{r.enhet} ({r.navn}): {r.resultat}" if names else f"{r.enhet}: {r.resultat}"
                         for r in results) or t["ingen_resultat"]
        rows.append([o.nr, o.tekst, o.mal, text])
    _table(doc, [t["nr"], t["oppdrag"], t["mal"], t["resultat"]], rows, [Cm(0.9), Cm(4.6), Cm(4), Cm(7.5)])


def write_status_document(bok: Arbeidsbok, status: Status, path: Path, today: date, templates: TemplateSet) -> None:
    atomic_write_bytes(path, status_document(bok, status, today, templates))


def _retitle_footer(doc, title: str) -> None:
    """The template's footer reads «Lederavtale <år> – <leder>»; here it is the report's title. The
    report is the year's, not a leader's document, and carries no document ID: its line goes."""
    for section in doc.sections:
        for paragraph in section.footer.paragraphs:
            if paragraph.text.startswith(f"{FOOTER_LABEL} {stamp.SENTINEL}"):
                docx_engine.remove_paragraph(paragraph)
        for paragraph in section.footer.paragraphs:
            for run in paragraph.runs:
                if _FOOTER_MARK in run.text:
                    run.text = title


def _table(doc, headers: list[str], rows: list[list], widths: list) -> None:
    """A table in the template's grid style. Rows are written as WordprocessingML in one piece:
    python-docx's add_row and cell access take about a millisecond a cell, so the table of
    1,700 units of a large municipality would take most of a minute."""
    table = doc.add_table(rows=0, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    # The grid (LibreOffice reads it) and every cell (Word reads those) get the widths.
    for column, width in zip(table.columns, widths):
        column.width = width
    twips = [int(w.twips) for w in widths]
    xml = _row(headers, twips, header=True) + "".join(_row(row, twips) for row in rows)
    for tr in parse_xml(f"<w:tbl {nsdecls('w')}>{xml}</w:tbl>"):
        docx_engine.table_element(table).append(tr)
    doc.add_paragraph()


def _row(values: list, twips: list[int], header: bool = False) -> str:
    # A header row is bold and repeats on every page a long table (units) runs over.
    props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    bold = '<w:b/><w:sz w:val="15"/>' if header else '<w:sz w:val="16"/>'
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
        f'</w:pPr><w:r><w:rPr>{bold}</w:rPr>{_text(value)}</w:r></w:p></w:tc>'
        for value, w in zip(values, twips))
    return f"<w:tr>{props}{cells}</w:tr>"


def _text(value) -> str:
    """Text runs, line breaks in the workbook's cells kept as line breaks."""
    lines = ("" if value is None else str(value)).split("\n")
    return "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
