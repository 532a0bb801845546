"""`statusrapport.docx`: the status report for the kommunedirektør and the politicians, on the letterhead.

The letterhead is the default agreement template's header and footer (logo, name, address), so
the report looks like every other document the municipality makes with this tool. It is a public
document: it is made from the counts and the deviations alone, never from development goals.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import jinja2
from lxml import etree
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm
from docxtpl import DocxTemplate

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
from .counts import ENHET, KOLONNER, KOMMUNE, SEKTOR, Hvem, Rad, Status
from .workbook import status_names

TEXT_WIDTH = Cm(17)
# Where the template's footer names the leader, the report names itself (see _retitle_footer).
_FOOTER_MARK = "\u2063STATUSRAPPORT\u2063"
# The report's tables, in the agreement template's look (maler/lederavtale.docx): light grey lines and
# a pale blue header row, set on each table rather than through a table style, so that the report
# needs no table style from the template (HR's own may lack one).
_BORDER = "BFBFBF"
_HEAD_FILL = "DCE6F1"
_CENTRE = '<w:jc w:val="center"/>'
MISSING = "\u2013"  # a figure nobody has given: an en dash
ARROW = " \u2192 "
# How many deviations the summary names; the section Avvik has them all.
SUMMARY_DEVIATIONS = 6

# Each text in bokmål and in nynorsk.
_TEXT = {
    "tittel": ("Statusrapport {ar}", "Statusrapport {ar}"),
    "emne": ("Status for oppdragene i kommunedirektørens styringsbrev for {ar}",
             "Status for oppdraga i styringsbrevet frå kommunedirektøren for {ar}"),
    "stikkord": ("statusrapport, styringsbrev", "statusrapport, styringsbrev"),
    "intro": ("Status for oppdragene i kommunedirektørens styringsbrev for {ar}, slik lederne har rapportert "
              "dem per {dato}.",
              "Status for oppdraga i styringsbrevet frå kommunedirektøren for {ar}, slik leiarane har rapportert "
              "dei per {dato}."),
    "sammendrag": ("Sammendrag", "Samandrag"),
    "omfang": ("Styringsbrevet har {oppdrag} oppdrag. De står i lederavtalene til {ledere}: til sammen {n} "
               "oppdrag hos lederne. Slik står de:",
               "Styringsbrevet har {oppdrag} oppdrag. Dei står i leiaravtalane til {ledere}: til saman {n} "
               "oppdrag hos leiarane. Slik står dei:"),
    "avvik_intro": ("Forsinkede oppdrag, kommunen og sektorene først:",
                    "Forseinka oppdrag, kommunen og sektorane først:"),
    "avvik_flere": ("… og {n} til, se «Avvik: forsinkede oppdrag».", "… og {n} til, sjå «Avvik: forseinka oppdrag»."),
    "mangler_sum": ("{ledere} har ikke rapportert status på {n} oppdrag, se «Ikke rapportert».",
                    "{ledere} har ikkje rapportert status på {n} oppdrag, sjå «Ikkje rapportert»."),
    "utgar_sum": ("{n} oppdrag utgår, se «Oppdrag som utgår».", "{n} oppdrag går ut, sjå «Oppdrag som går ut»."),
    "telling": ("Slik er tallene talt: hver leder teller én gang for hvert oppdrag i lederavtalen sin, og alle "
                "ledere teller likt, uansett hvor stor enheten er. En enhet med flere ledere, for eksempel en "
                "virksomhetsleder og en avdelingsleder, har derfor én linje per leder. Tallene for alle lederne "
                "sier hvor langt arbeidet er kommet hos lederne, ikke hvor langt kommunen er kommet.",
                "Slik er tala talde: kvar leiar tel éin gong for kvart oppdrag i leiaravtalen sin, og alle "
                "leiarane tel likt, same kor stor eininga er. Ei eining med fleire leiarar, til dømes ein "
                "verksemdsleiar og ein avdelingsleiar, har difor éi linje per leiar. Tala for alle leiarane seier "
                "kor langt arbeidet har kome hos leiarane, ikkje kor langt kommunen har kome."),
    "telling_kommune": ("Kommunens resultater er kommunedirektørens, se «Kommunen samlet».",
                        "Resultata til kommunen er resultata til kommunedirektøren, sjå «Kommunen samla»."),
    "telling_sektor": ("En sektors resultater er kommunalsjefens, se «Sektorene».",
                       "Resultata til ein sektor er resultata til kommunalsjefen, sjå «Sektorane»."),
    "kommunen": ("Kommunen samlet", "Kommunen samla"),
    "kommunen_intro": ("Oppdragene i lederavtalen til kommunedirektøren{navn}. Resultatene her gjelder hele kommunen.",
                       "Oppdraga i leiaravtalen til kommunedirektøren{navn}. Resultata her gjeld heile kommunen."),
    "sektorene": ("Sektorene", "Sektorane"),
    "sektorene_intro": ("Oppdragene i lederavtalene til kommunalsjefene. Resultatene her gjelder hele sektoren.",
                        "Oppdraga i leiaravtalane til kommunalsjefane. Resultata her gjeld heile sektoren."),
    "sektor": ("{enhet} (sektor)", "{enhet} (sektor)"),
    "utvikling": ("Utgangspunkt \u2192 resultat \u2192 mål", "Utgangspunkt \u2192 resultat \u2192 mål"),
    "status": ("Status", "Status"),
    "antall": ("Antall", "Tal"),
    "prosent": ("Prosent", "Prosent"),
    "sum": ("Sum", "Sum"),
    "omrader": ("Status per område", "Status per område"),
    "omrader_intro": ("Figurene og tabellene teller alle lederne som har oppdraget, på alle nivåer: andelen av dem "
                      "per status, på samme skala (0–100 %) i alle figurene. Under hvert område står resultatene "
                      "enhetene har rapportert.",
                      "Figurane og tabellane tel alle leiarane som har oppdraget, på alle nivå: delen av dei per "
                      "status, på same skala (0–100 %) i alle figurane. Under kvart område står resultata "
                      "einingane har rapportert."),
    "nr": ("Nr", "Nr"),
    "oppdrag": ("Oppdrag", "Oppdrag"),
    "ledere": ("Ledere", "Leiarar"),
    "leder": ("Leder", "Leiar"),
    "enhet": ("Enhet", "Eining"),
    "kommentar": ("Kommentar", "Kommentar"),
    "avvik": ("Avvik: forsinkede oppdrag", "Avvik: forseinka oppdrag"),
    "ingen_avvik": ("Ingen oppdrag er rapportert som forsinket.", "Ingen oppdrag er rapporterte som forseinka."),
    "enheter": ("Status per enhet", "Status per eining"),
    "enheter_intro": ("Én linje per enhet, med alle lederne i enheten; kommunen og sektorene først.",
                      "Éi linje per eining, med alle leiarane i eininga; kommunen og sektorane først."),
    "x_akse": ("Andel av lederne med oppdraget", "Del av leiarane med oppdraget"),
    "y_akse": ("Oppdrag", "Oppdrag"),
    "n_ledere": (("{n} leder", "{n} ledere"), ("{n} leiar", "{n} leiarar")),
    "figur": ("Figur: status for oppdragene i området", "Figur: status for oppdraga i området"),
    "resultater_enheter": ("Resultater i enhetene", "Resultat i einingane"),
    "ingen_resultat": ("Ingen enheter har rapportert resultater i dette området ennå.",
                       "Ingen einingar har rapportert resultat i dette området enno."),
    "utgar": ("Oppdrag som utgår", "Oppdrag som går ut"),
    "begrunnelse": ("Begrunnelse", "Grunngiving"),
    "ingen_utgar": ("Ingen oppdrag er rapportert som utgått.", "Ingen oppdrag er rapporterte som utgått."),
    "ikke_rapportert": ("Ikke rapportert", "Ikkje rapportert"),
    "ikke_rapportert_intro": ("Oppdrag der status ikke er rapportert.", "Oppdrag der status ikkje er rapportert."),
    "alle_rapportert": ("Alle ledere har rapportert status på alle oppdragene sine.",
                        "Alle leiarane har rapportert status på alle oppdraga sine."),
    "logo": ("Logo for {kommune}", "Logo for {kommune}"),
    # The statuses' one set of names per målform, as in status.xlsx and statusrapport.xlsx.
    "statuser": (status_names("bokmål"), status_names("nynorsk")),
}


def _texts(nynorsk: bool) -> dict:
    return {key: pair[nynorsk] for key, pair in _TEXT.items()}


def chart_text(nynorsk: bool) -> ChartText:
    """The charts' words in one målform, as the report draws them (the web page shows the same charts)."""
    t = _texts(nynorsk)
    return ChartText(t["statuser"], t["x_akse"], t["y_akse"], t["n_ledere"])


class _Report:
    """The report's words and the names rule, for the parts that write it."""

    def __init__(self, doc, bok: Arbeidsbok, status: Status, t: dict):
        self.doc, self.status, self.t = doc, status, t
        # A public report: a leader is named only when the municipality has chosen so (Navn i statusrapport).
        self.named = bok.kommune.navn_i_statusrapport
        self.names = t["statuser"]

    def label(self, hvem: Hvem) -> str:
        """Whose results: the municipality's, a sector's, or a unit's (with the department or title that
        tells its leaders apart)."""
        if hvem.niva == KOMMUNE:
            return self.t["kommunen"]
        if hvem.niva == SEKTOR:
            return self.t["sektor"].format(enhet=hvem.enhet)
        return f"{hvem.enhet}, {hvem.del_}" if hvem.del_ else hvem.enhet

    def who(self, r: Rad) -> str:
        """The label, and the leader's name in brackets where names are shown: for running text."""
        return f"{self.label(r.hvem)} ({r.navn})" if self.named else self.label(r.hvem)

    def person(self, r: Rad) -> list:
        return [r.navn] if self.named else []

    def leader_column(self) -> list:
        return [self.t["leder"]] if self.named else []

    def progress(self, r: Rad) -> str:
        """Utgangspunkt → result → Mål, the leader's own figures where the workbook gives them."""
        return ARROW.join(text.strip() or MISSING for text in (r.utgangspunkt, r.resultat, r.mal))


def status_document(bok: Arbeidsbok, status: Status, today: date, templates: TemplateSet) -> bytes:
    """The report as .docx bytes, on the letterhead of the agreement template in `templates`."""
    nynorsk = bok.kommune.malform == "nynorsk"
    t = _texts(nynorsk)
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
        kommune["logo"] = docx_engine.DescribedImage(tpl, logo_image(bok.kommune.logo), LOGO_HEIGHT,
                                                     t["logo"].format(kommune=bok.kommune.navn))
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

    report = _Report(doc, bok, status, t)
    doc.add_paragraph(t["tittel"].format(ar=ar), style="Title")
    doc.add_paragraph(t["intro"].format(ar=ar, dato=f"{today:%d.%m.%Y}"))
    # The summary first, then the municipality's and the sectors' own results, then every leader's.
    _summary(report)
    _own_results(report)
    _areas(report, chart_text(nynorsk))
    _deviations(report)
    _not_reported(report)
    _units(report)

    properties = document_properties(STATUS_REPORT, bok)
    doc.core_properties.title = properties["title"]
    doc.core_properties.subject = properties["subject"] or t["emne"].format(ar=ar)
    doc.core_properties.keywords = properties["keywords"] or t["stikkord"]
    doc.core_properties.author = properties["author"]
    doc.core_properties.language = properties["language"]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _summary(report: _Report) -> None:
    """How many assignments, how they stand, and the deviations that matter most: the municipality's
    and the sectors' first."""
    doc, t, status = report.doc, report.t, report.status
    doc.add_paragraph(t["sammendrag"], style="Heading 1")
    total = status.totalt()
    n = sum(total.values())
    leaders = len({r.ansattnr for r in status.rader})
    doc.add_paragraph(t["omfang"].format(oppdrag=len(status.oppdrag), ledere=_leaders(t, leaders), n=n))
    _table(doc, [t["status"], t["antall"], t["prosent"]],
           [[report.names[k], total[k], _percent(total[k], n)] for k in KOLONNER]
           + [[t["sum"], n, _percent(n, n)]], [Cm(5), Cm(2.5), Cm(2.5)], numbers=1)

    avvik = status.by_whose(status.avvik)
    if avvik:
        _keep_with_next(doc.add_paragraph(t["avvik_intro"]))
        for r in avvik[:SUMMARY_DEVIATIONS]:
            text = f"{report.who(r)}: {r.nr}. {_short(r.oppdrag)}"
            _bullet(doc, f"{text} {chr(0x2013)} {_one_line(r.kommentar)}" if r.kommentar.strip() else text)
        if len(avvik) > SUMMARY_DEVIATIONS:
            _bullet(doc, t["avvik_flere"].format(n=len(avvik) - SUMMARY_DEVIATIONS))
    else:
        doc.add_paragraph(t["ingen_avvik"])
    missing = status.ikke_rapportert_per_leder()
    if missing:
        n = sum(len(rows) for rows in missing)
        doc.add_paragraph(t["mangler_sum"].format(ledere=_leaders(t, len(missing)), n=n))
    utgar = status.utgar()
    if utgar:
        doc.add_paragraph(t["utgar_sum"].format(n=len(utgar)))
    counted = [t["telling"]]
    if status.niva(KOMMUNE):
        counted.append(t["telling_kommune"])
    if status.niva(SEKTOR):
        counted.append(t["telling_sektor"])
    doc.add_paragraph(" ".join(counted))


def _own_results(report: _Report) -> None:
    """The kommunedirektør's assignments as the municipality's, each kommunalsjef's as the sector's."""
    doc, t = report.doc, report.t
    top = report.status.niva(KOMMUNE)
    for rows in top:
        doc.add_paragraph(t["kommunen"], style="Heading 1")
        _keep_with_next(doc.add_paragraph(t["kommunen_intro"].format(
            navn=f" ({rows[0].navn})" if report.named else "")))
        _progress_table(report, rows)
    sectors = report.status.niva(SEKTOR)
    if sectors:
        doc.add_paragraph(t["sektorene"], style="Heading 1")
        _keep_with_next(doc.add_paragraph(t["sektorene_intro"]))
        for rows in sectors:
            name = f" ({rows[0].navn})" if report.named else ""
            doc.add_paragraph(f"{rows[0].hvem.enhet}{name}", style="Heading 2")
            _progress_table(report, rows)


def _progress_table(report: _Report, rows: list[Rad]) -> None:
    t = report.t
    _table(report.doc, [t["nr"], t["oppdrag"], t["status"], t["utvikling"], t["kommentar"]],
           [[r.nr, r.oppdrag, report.names[r.status], report.progress(r), r.kommentar] for r in rows],
           [Cm(0.9), Cm(4.4), Cm(2.0), Cm(5.7), Cm(4.0)])


def _areas(report: _Report, words: ChartText) -> None:
    """Per area the chart and counts of every leader with each assignment, and the units' results."""
    doc, t, status = report.doc, report.t, report.status
    doc.add_paragraph(t["omrader"], style="Heading 1")
    _keep_with_next(doc.add_paragraph(t["omrader_intro"]))  # with the first area's heading and chart
    count_widths = [Cm(1.75)] * len(KOLONNER)
    for chart in area_charts(status, words):
        area, items = chart.area, chart.items
        doc.add_paragraph(area, style="Heading 2")
        picture = doc.add_picture(io.BytesIO(chart.png), width=TEXT_WIDTH)
        docx_engine.describe_picture(picture, f"{t['figur']} {chart.text}")
        _table(doc, [t["nr"], t["oppdrag"], t["ledere"], *(report.names[k] for k in KOLONNER)],
               [[o.nr, o.tekst, tl.ledere, *tl.row()] for o, tl in items],
               [Cm(0.9), Cm(4.1), Cm(1.5), *count_widths], numbers=2)
        nrs = [o.nr for o, _ in items]
        results = [r for nr in nrs for r in status.by_whose(r for r in status.rader
                                                             if r.nr == nr and r.resultat and r.hvem.niva == ENHET)]
        lead = doc.add_paragraph()
        lead.add_run(t["resultater_enheter"]).bold = True
        if results:
            _keep_with_next(lead)
            named = report.named
            _table(doc, [t["nr"], t["enhet"], *report.leader_column(), t["status"], t["utvikling"]],
                   [[r.nr, report.label(r.hvem), *report.person(r), report.names[r.status], report.progress(r)]
                    for r in results],
                   [Cm(0.9), Cm(3.6), *[Cm(2.6)] * named, Cm(2.0), Cm(10.5 - 2.6 * named)])
        else:
            lead.add_run(" " + t["ingen_resultat"])


def _deviations(report: _Report) -> None:
    doc, t, status = report.doc, report.t, report.status
    named = report.named
    widths = [Cm(3.5), *[Cm(3)] * named, Cm(1), Cm(5.5 - 1.5 * named), Cm(7 - 1.5 * named)]
    doc.add_paragraph(t["avvik"], style="Heading 1")
    if status.avvik:
        _table(doc, [t["enhet"], *report.leader_column(), t["nr"], t["oppdrag"], t["kommentar"]],
               [[report.label(a.hvem), *report.person(a), a.nr, a.oppdrag, a.kommentar]
                for a in status.by_whose(status.avvik)], widths)
    else:
        doc.add_paragraph(t["ingen_avvik"])

    doc.add_paragraph(t["utgar"], style="Heading 1")
    utgar = status.by_whose(status.utgar())
    if utgar:
        _table(doc, [t["enhet"], *report.leader_column(), t["nr"], t["oppdrag"], t["begrunnelse"]],
               [[report.label(r.hvem), *report.person(r), r.nr, r.oppdrag, r.kommentar] for r in utgar], widths)
    else:
        doc.add_paragraph(t["ingen_utgar"])


def _not_reported(report: _Report) -> None:
    """Who has not reported: by whose results they are, the leader named only where names are shown."""
    doc, t = report.doc, report.t
    doc.add_paragraph(t["ikke_rapportert"], style="Heading 1")
    missing = report.status.ikke_rapportert_per_leder()
    if missing:
        named = report.named
        _keep_with_next(doc.add_paragraph(t["ikke_rapportert_intro"]))
        _table(doc, [t["enhet"], *report.leader_column(), t["oppdrag"] + f" ({t['nr']})"],
               [[report.label(rows[0].hvem), *report.person(rows[0]), ", ".join(r.nr for r in rows)]
                for rows in missing], [Cm(9 - 4 * named), *[Cm(4)] * named, Cm(8)])
    else:
        doc.add_paragraph(t["alle_rapportert"])


def _units(report: _Report) -> None:
    doc, t = report.doc, report.t
    doc.add_paragraph(t["enheter"], style="Heading 1")
    _keep_with_next(doc.add_paragraph(t["enheter_intro"]))
    _table(doc, [t["enhet"], t["ledere"], *(report.names[k] for k in KOLONNER)],
           [[report.label(hvem), tl.ledere, *tl.row()] for hvem, tl in report.status.per_hvem()],
           [Cm(5.0), Cm(1.5), *[Cm(1.75)] * len(KOLONNER)], numbers=1)


def _leaders(t: dict, n: int) -> str:
    one, many = t["n_ledere"]
    return (one if n == 1 else many).format(n=n)


def _percent(n: int, total: int) -> str:
    return f"{round(100 * n / total) if total else 0} %"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, width: int = 70) -> str:
    return textwrap.shorten(_one_line(text), width, placeholder=" …")


def _keep_with_next(paragraph):
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _bullet(doc, text: str) -> None:
    """A bullet in the agreement template's list style (Punktliste); a dash where HR's own template has none."""
    styles = {style.name for style in doc.styles}
    if "Punktliste" in styles:
        doc.add_paragraph(text, style="Punktliste")
    else:
        doc.add_paragraph(f"{chr(0x2013)} {text}")


def write_status_document(bok: Arbeidsbok, status: Status, path: Path, today: date, templates: TemplateSet) -> None:
    atomic_write_bytes(path, status_document(bok, status, today, templates))


def _retitle_footer(doc, title: str) -> None:
    """The template's footer reads «Lederavtale <år> – <leder>»; here it is the report's title. The
    report is the year's, not a leader's document, and carries no document ID: its line goes."""
    # The default templates' first page has its own footer (the letterhead's address), the others theirs.
    footers = [footer for section in doc.sections for footer in (section.first_page_footer, section.footer)
               if not footer.is_linked_to_previous]
    for footer in footers:
        for paragraph in footer.paragraphs:
            if paragraph.text.startswith(f"{FOOTER_LABEL} {stamp.SENTINEL}"):
                docx_engine.remove_paragraph(paragraph)
        for paragraph in footer.paragraphs:
            for run in paragraph.runs:
                if _FOOTER_MARK in run.text:
                    run.text = title


def _table(doc, headers: list[str], rows: list[list], widths: list, numbers: int | None = None) -> None:
    """A table in the look of the agreement template's: light grey lines, a pale blue header row that
    repeats on every page the table runs over. Columns from index `numbers` on are counts, centred.

    Rows are written as WordprocessingML in one piece: python-docx's add_row and cell access take about
    a millisecond a cell, so the table of 1,700 units of a large municipality would take most of a minute."""
    table = doc.add_table(rows=0, cols=len(headers))
    table.autofit = False
    # The grid (LibreOffice reads it) and every cell (Word reads those) get the widths.
    for column, width in zip(table.columns, widths):
        column.width = width
    element = docx_engine.table_element(table)
    _table_look(element.tblPr)
    twips = [int(w.twips) for w in widths]
    centred = [numbers is not None and i >= numbers for i in range(len(headers))]
    xml = _row(headers, twips, centred, header=True) + "".join(_row(row, twips, centred) for row in rows)
    for tr in parse_xml(f"<w:tbl {nsdecls('w')}>{xml}</w:tbl>"):
        element.append(tr)
    doc.add_paragraph()


def _table_look(tblPr) -> None:
    """Borders and cell margins on the table itself, in CT_TblPr's order (Word refuses a file where it is
    wrong): tblBorders before shd, tblLayout, tblCellMar and tblLook; tblCellMar before tblLook."""
    sides = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{_BORDER}"/>'
                    for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    borders = parse_xml(f"<w:tblBorders {nsdecls('w')}>{sides}</w:tblBorders>")
    margins = parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
                        f'<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>')
    for element, later in ((borders, ("shd", "tblLayout", "tblCellMar", "tblLook")), (margins, ("tblLook",))):
        following = [child for child in tblPr if etree.QName(child).localname in later]
        if following:
            following[0].addprevious(element)
        else:
            tblPr.append(element)


def _row(values: list, twips: list[int], centred: list[bool], header: bool = False) -> str:
    # A header row is bold and shaded, and repeats on every page a long table (units) runs over.
    props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    fill = f'<w:shd w:val="clear" w:color="auto" w:fill="{_HEAD_FILL}"/>' if header else ""
    bold = '<w:b/><w:sz w:val="15"/>' if header else '<w:sz w:val="16"/>'
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{fill}</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
        f'{_CENTRE if centre else ""}</w:pPr><w:r><w:rPr>{bold}</w:rPr>{_text(value)}</w:r></w:p></w:tc>'
        for value, w, centre in zip(values, twips, centred))
    return f"<w:tr>{props}{cells}</w:tr>"


def _text(value) -> str:
    """Text runs, line breaks in the workbook's cells kept as line breaks."""
    lines = ("" if value is None else str(value)).split("\n")
    return "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
