#!/usr/bin/env python3
"""Build the default Word templates in maler/ (bokmål) and maler/nynorsk/ with python-docx.

The .docx files are docxtpl templates: every Jinja tag sits whole inside one Word run, and
the loop and condition tags (`{%p …%}`, `{%tr …%}`) have a paragraph or table row of their
own, as docxtpl requires. HR edits the results in Word afterwards, so the layout relies on
named styles rather than on direct formatting wherever Word and LibreOffice agree on them.

Running the script twice gives byte-identical files (fixed zip timestamps and document
properties), so a diff in git always means a real change of text or layout.

Usage: .venv/bin/python tools/build_templates.py [UTMAPPE]   (default: maler/)
"""

from __future__ import annotations

import io
import re
from html import escape
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx.text.paragraph
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator.documents import stamp  # noqa: E402  (where the document ID goes: one definition)
from generator.documents.fields import KNOWN  # noqa: E402  (the names a template may use)
from generator.documents.identity import qr_png_of  # noqa: E402

# Arial is on every Windows PC; LibreOffice maps it to the metric-compatible Liberation Sans,
# so Word and the PDF break lines in the same places.
FONT = "Arial"
BLUE = "1F4E79"
GREY = "595959"
LIGHT_GREY = "BFBFBF"
HEAD_FILL = "DCE6F1"
LABEL_FILL = "F2F5FA"
RED = "C00000"
# Fixed so that rebuilding gives the same bytes.
BUILD_TIME = datetime(2026, 1, 1, 8, 0, 0)
ZIP_TIME = (2026, 1, 1, 8, 0, 0)

PAGE_WIDTH = Cm(21.0)
PAGE_HEIGHT = Cm(29.7)
MARGIN_SIDE = Cm(2.0)
TEXT_WIDTH_CM = 17.0

BULLET_NUM_ID = 90  # numbering instance for body bullets
CELL_BULLET_NUM_ID = 91  # tighter bullets inside table cells

LOGO_TAG = "{% if kommune.logo %}{{ kommune.logo }}{% endif %}"

# The placeholder convention: what the leader conversation must still fill in is printed as
# bracketed text beginning «[Fylles ut» (nynorsk «[Fyllast ut») and nothing else is; the
# archive step counts what is left. Captured, so that re.split keeps it as a piece of its own.
PLACEHOLDER = re.compile(r"(\[Fyll(?:es|ast) ut[^\]]*\])")


# --------------------------------------------------------------------------- content model


@dataclass(frozen=True)
class Malform:
    """One written standard: its template folder, proofing language and column in PHRASES."""

    folder: str  # sub-folder of the template folder
    code: str  # Word proofing language
    column: int  # 0 = bokmål, 1 = nynorsk

    def phrase(self, key: str):
        return PHRASES[key][self.column]


BOKMAL = Malform("", "nb-NO", 0)
NYNORSK = Malform("nynorsk", "nn-NO", 1)


@dataclass
class Title:
    text: str


@dataclass
class Subtitle:
    text: str


@dataclass
class Parties:
    rows: list[tuple[str, str]]


@dataclass
class H1:
    text: str


@dataclass
class H2:
    text: str


@dataclass
class P:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Code:
    """A docxtpl control line (`{%p if … %}`, `{%p else %}` …): a paragraph of its own."""

    tag: str


@dataclass
class Assignments:
    """The assignments from the styringsbrev: per area a heading, then per assignment a small
    full-width table (the text; Mål, Målemetode, Utgangspunkt, Frist; the leader's measures)."""

    intro: str
    empty: str
    measures: str  # label over the leader's own measures
    placeholder: str  # printed where no measures are registered yet
    # The agreements: labels of a row left blank for the conversation's notes on the assignment (the
    # leader's most important contribution, the ambition agreed); None in the follow-up documents.
    notes: tuple[str, str] | None = None
    # The follow-up document: labels of a last row left blank for the conversation (status,
    # result, comment); None in the agreements.
    follow_up: tuple[str, str, str] | None = None
    # The follow-up document: the statuses to tick under the status label, each a Word check box.
    statuses: tuple[str, ...] = ()


@dataclass
class WriteIn:
    """Questions for the follow-up conversation, each with a blank box to write the answer in."""

    items: list[str]
    height_cm: float = 2.2
    # The last box before the signatures: kept on their page, so they never open one alone.
    keep_with_signatures: bool = False


@dataclass
class WriteInRow:
    """Boxes to write in side by side, each headed by its label: one table row that cannot split. One row,
    so never taken for a table whose rows were left empty (documents/placeholders.empty_tables)."""

    items: list[str]
    height_cm: float = 2.0


@dataclass
class Keep:
    """Blocks that stay with what follows them: every paragraph in them, in their tables too, keeps with the
    next. The last section before the signatures, so that the signatures never open a page alone."""

    blocks: list


@dataclass
class Closing:
    """The last section before the signatures; it never leaves them alone on a page."""

    heading: str
    paragraphs: list[str]


@dataclass
class Goals:
    """The development goals table (the appendices only: their context has the goals)."""

    headers: list[str]  # Mål, Tiltak, Oppfølging
    placeholder: str  # in the first of the blank rows when no goals are registered ("" for none)
    # What each goal's row holds: the goal's fields, or "" for a cell left blank to write in.
    values: tuple[str, str, str] = ("{{ u.mal }}", "{{ u.tiltak }}", "{{ u.oppfolging }}")


@dataclass
class Stamp:
    """The boxed "exempt from public access" mark at the top of the appendix."""

    text: str


@dataclass
class Party:
    role: str
    navn: str
    stilling: str


@dataclass
class Signatures:
    left: Party
    right: Party


@dataclass
class DocSpec:
    filename: str
    malform: Malform
    title: str  # document property, rendered by docxtpl too
    footer_left: str
    blocks: list
    header_mark: str = ""  # extra red line in the page header (the appendix)


# --------------------------------------------------------------------------- XML helpers

# Child order of w:pPr (CT_PPr) and w:tblPr (CT_TblPr); Word refuses files where it is wrong.
PPR_ORDER = ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
             "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
             "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
             "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
             "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
             "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
             "w:sectPr", "w:pPrChange"]
TBLPR_ORDER = ["w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
               "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
               "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"]


def insert_in_order(parent, element, order: list[str]):
    """Insert element into parent at the place the schema's child order prescribes."""
    name = element.tag.replace(qn("w:"), "w:")
    for later in order[order.index(name) + 1:]:
        found = parent.find(qn(later))
        if found is not None:
            found.addprevious(element)
            return element
    parent.append(element)
    return element


def set_attrs(element, **attrs):
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def child(parent, tag: str, **attrs):
    """The first child `tag` of parent, created if missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return set_attrs(found, **attrs)


def border_element(tag: str, sz: int = 4, color: str = LIGHT_GREY, val: str = "single", space: int = 0):
    el = OxmlElement(tag)
    return set_attrs(el, val=val, sz=sz, space=space, color=color)


def paragraph_border(paragraph, side: str = "bottom", sz: int = 6, color: str = GREY, space: int = 1):
    pPr = paragraph._p.get_or_add_pPr()
    pbdr = pPr.find(qn("w:pBdr"))
    if pbdr is None:
        pbdr = insert_in_order(pPr, OxmlElement("w:pBdr"), PPR_ORDER)
    pbdr.append(border_element(f"w:{side}", sz=sz, color=color, space=space))


def table_borders(table, sz: int = 4, color: str = LIGHT_GREY):
    tblPr = table._tbl.tblPr
    old = tblPr.find(qn("w:tblBorders"))
    if old is not None:
        tblPr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if sz == 0:
            borders.append(border_element(f"w:{side}", val="nil", sz=0, color="auto"))
        else:
            borders.append(border_element(f"w:{side}", sz=sz, color=color))
    insert_in_order(tblPr, borders, TBLPR_ORDER)


def table_cell_margins(table, left_cm: float = 0.15, right_cm: float = 0.15, top_cm: float = 0.05, bottom_cm: float = 0.05):
    tblPr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side, value in (("top", top_cm), ("left", left_cm), ("bottom", bottom_cm), ("right", right_cm)):
        el = OxmlElement(f"w:{side}")
        set_attrs(el, w=int(Cm(value).twips), type="dxa")
        mar.append(el)
    insert_in_order(tblPr, mar, TBLPR_ORDER)


def fixed_widths(table, widths_cm: list[float]):
    """Fixed column widths in grid, cells and table, so Word and LibreOffice agree."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    tblPr = table._tbl.tblPr
    tblW = child(tblPr, "w:tblW")
    set_attrs(tblW, w=int(Cm(sum(widths_cm)).twips), type="dxa")
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm):
        set_attrs(col, w=int(Cm(width).twips))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def shade(cell, fill: str):
    tcPr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    set_attrs(shd, val="clear", color="auto", fill=fill)
    tcPr.append(shd)


def row_props(row, header: bool = False, cant_split: bool = True, min_height_cm: float | None = None):
    trPr = row._tr.get_or_add_trPr()
    if cant_split:
        trPr.append(OxmlElement("w:cantSplit"))
    if min_height_cm:
        height = OxmlElement("w:trHeight")
        set_attrs(height, val=int(Cm(min_height_cm).twips), hRule="atLeast")
        trPr.append(height)
    if header:
        trPr.append(OxmlElement("w:tblHeader"))


def add_field(paragraph, instruction: str, placeholder: str = "1"):
    """A real Word field (PAGE, NUMPAGES), updated by Word and LibreOffice when laid out."""

    def fld_char(kind):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        set_attrs(el, fldCharType=kind)
        run._r.append(el)
        return run

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def add_text(paragraph, text: str):
    """Add text; `**…**` marks bold parts, and a placeholder (`[Fylles ut …]`) is highlighted.

    Jinja tags never cross a `**` or a placeholder, so each stays in one run.
    """
    for i, part in enumerate(text.split("**")):
        for piece in PLACEHOLDER.split(part):
            if not piece:
                continue
            run = paragraph.add_run(piece)
            if i % 2 == 1:
                run.style = "Strong"  # «Sterk» in Word: a label, in a style HR can change in one place
            if PLACEHOLDER.fullmatch(piece):
                # Yellow, as a highlighter on paper: this is still to be filled in.
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


# --------------------------------------------------------------------------- styles


def reset_style(style, *, size: float, bold: bool = False, color: str | None = None, italic: bool = False,
                before: float = 0, after: float = 6, keep_next: bool = False, line: float | None = None,
                outline: int | None = None):
    """Replace a built-in style's look (the default template uses theme fonts and colours).

    `outline` is the heading level (0 = Heading 1) the style's w:pPr held: removing w:pPr removes
    it, and without it Word's navigation pane, LibreOffice's PDF tags (/H1, /H2) and bookmarks,
    and so a screen reader, see no headings."""
    el = style.element
    for tag in ("w:rPr", "w:pPr"):
        old = el.find(qn(tag))
        if old is not None:
            el.remove(old)
    font = style.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    if color:
        font.color.rgb = RGBColor.from_string(color)
    if style.type == WD_STYLE_TYPE.PARAGRAPH:
        fmt = style.paragraph_format
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.keep_with_next = keep_next
        if line:
            fmt.line_spacing = line
        if outline is not None:
            # python-docx has no API for the outline level.
            insert_in_order(el.get_or_add_pPr(), set_attrs(OxmlElement("w:outlineLvl"), val=outline), PPR_ORDER)


def paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


# The only styles kept from python-docx's default template (174 of them, with linked «Char» styles
# in theme fonts): the ones the templates use, and the defaults Word expects in every document.
# The builder adds its own (Punktliste, Tabelltekst, Feltnavn …) afterwards.
KEPT_STYLES = {"Normal", "Title", "Subtitle", "Heading1", "Heading2", "Header", "Footer", "Strong",
               "DefaultParagraphFont", "TableNormal", "NoList"}


def clean_base(doc):
    """Strip the default template to a clean base: no unused styles, no latent styles, no linked
    character styles, and no numbering but the templates' own (setup_numbering)."""
    root = doc.styles.element
    latent = root.find(qn("w:latentStyles"))
    if latent is not None:
        root.remove(latent)
    for style in root.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEPT_STYLES:
            root.remove(style)
            continue
        for tag in ("w:link", "w:rsid"):
            for el in style.findall(qn(tag)):
                style.remove(el)
    numbering = doc.part.numbering_part.element
    for el in numbering.findall(qn("w:abstractNum")) + numbering.findall(qn("w:num")):
        numbering.remove(el)
    # Word 2010's copy of all the styles again (stylesWithEffects.xml); later Word and LibreOffice
    # read styles.xml only.
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[r_id]


def setup_styles(doc, malform: Malform):
    styles = doc.styles
    # Document defaults: explicit font instead of theme fonts, and the proofing language.
    rpr_default = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    set_attrs(fonts, ascii=FONT, hAnsi=FONT, eastAsia=FONT, cs=FONT)
    set_attrs(rpr_default.find(qn("w:lang")), val=malform.code, eastAsia=malform.code, bidi="ar-SA")

    reset_style(styles["Normal"], size=10.5, after=6, line=1.15)
    reset_style(styles["Title"], size=22, bold=True, color=BLUE, before=6, after=2, keep_next=True)
    reset_style(styles["Subtitle"], size=11, color=GREY, after=14, keep_next=True)
    reset_style(styles["Heading 1"], size=13, bold=True, color=BLUE, before=16, after=4, keep_next=True, outline=0)
    reset_style(styles["Heading 2"], size=11, bold=True, color=BLUE, before=10, after=4, keep_next=True, outline=1)
    reset_style(styles["Header"], size=9, after=0)
    reset_style(styles["Footer"], size=8, color=GREY, after=0)
    for name in ("Title", "Heading 1", "Heading 2"):
        styles[name].paragraph_format.keep_together = True

    bullets = paragraph_style(doc, "Punktliste")
    reset_style(bullets, size=10.5, after=3, line=1.15)
    _style_numbering(bullets, BULLET_NUM_ID)

    cell = paragraph_style(doc, "Tabelltekst")
    reset_style(cell, size=9.5, after=2, line=1.0)
    cell_head = paragraph_style(doc, "Tabelloverskrift", "Tabelltekst")
    reset_style(cell_head, size=9.5, bold=True, after=0, line=1.0, color="1F1F1F")
    cell_bullets = paragraph_style(doc, "Tabellpunkt", "Tabelltekst")
    reset_style(cell_bullets, size=9.5, after=2, line=1.0)
    _style_numbering(cell_bullets, CELL_BULLET_NUM_ID)

    # The assignment layout. No "keep with next" inside its tables: LibreOffice then keeps a
    # whole table together and moves it to the next page, leaving a gap (see add_assignments).
    task = paragraph_style(doc, "Oppdragstekst", "Tabelltekst")
    reset_style(task, size=10, after=2, line=1.1)
    # The number hangs left of the text (a hanging indent is also Word's tab stop).
    task.paragraph_format.left_indent = Cm(0.8)
    task.paragraph_format.first_line_indent = Cm(-0.8)
    label = paragraph_style(doc, "Feltnavn", "Tabelltekst")
    reset_style(label, size=8, bold=True, color=GREY, after=1, line=1.0)
    value = paragraph_style(doc, "Feltverdi", "Tabelltekst")
    reset_style(value, size=9.5, after=0, line=1.0)

    small = paragraph_style(doc, "Liten tekst")
    reset_style(small, size=8, color=GREY, after=0, line=1.0)
    signature = paragraph_style(doc, "Underskrift")
    reset_style(signature, size=10.5, after=0, line=1.0)

    # Loop and condition lines: small and grey so HR sees they are not part of the text.
    code = paragraph_style(doc, "Malkode")
    reset_style(code, size=8, color="7F7F7F", after=0, line=1.0)


def setup_settings(doc, malform: Malform):
    settings = doc.settings.element
    # No automatic hyphenation: the full-width layout has room for whole words, and Norwegian
    # compounds broken at a line end read badly in a contract.
    # python-docx's default template says Word 2010 (mode 14), which makes Word open every
    # template and agreement in "Kompatibilitetsmodus"; 15 is the current format.
    for compat in settings.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            set_attrs(compat, val=15)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        set_attrs(theme_lang, val=malform.code)
    # The default template asks Word to save a preview of the page; not wanted in a template.
    preview = settings.find(qn("w:savePreviewPicture"))
    if preview is not None:
        settings.remove(preview)


def _style_numbering(style, num_id: int):
    pPr = style.element.get_or_add_pPr()
    numPr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    set_attrs(ilvl, val=0)
    num = OxmlElement("w:numId")
    set_attrs(num, val=num_id)
    numPr.append(ilvl)
    numPr.append(num)
    insert_in_order(pPr, numPr, PPR_ORDER)


def setup_numbering(doc):
    """Two bullet lists: one for body text, one with a small indent for narrow table cells."""
    numbering = doc.part.numbering_part.element
    nums = []
    for num_id, left_cm, hanging_cm in ((BULLET_NUM_ID, 0.9, 0.45), (CELL_BULLET_NUM_ID, 0.35, 0.3)):
        abstract = OxmlElement("w:abstractNum")
        set_attrs(abstract, abstractNumId=num_id)
        multi = OxmlElement("w:multiLevelType")
        set_attrs(multi, val="singleLevel")
        abstract.append(multi)
        lvl = OxmlElement("w:lvl")
        set_attrs(lvl, ilvl=0)
        for tag, value in (("w:start", 1), ("w:numFmt", "bullet"), ("w:lvlText", "•"), ("w:lvlJc", "left")):
            el = OxmlElement(tag)
            set_attrs(el, val=value)
            lvl.append(el)
        pPr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        set_attrs(ind, left=int(Cm(left_cm).twips), hanging=int(Cm(hanging_cm).twips))
        pPr.append(ind)
        lvl.append(pPr)
        rPr = OxmlElement("w:rPr")
        fonts = OxmlElement("w:rFonts")
        set_attrs(fonts, ascii=FONT, hAnsi=FONT, hint="default")
        rPr.append(fonts)
        lvl.append(rPr)
        abstract.append(lvl)
        numbering.append(abstract)  # every abstractNum before the first num, as the schema wants
        num = OxmlElement("w:num")
        set_attrs(num, numId=num_id)
        ref = OxmlElement("w:abstractNumId")
        set_attrs(ref, val=num_id)
        num.append(ref)
        nums.append(num)
    for num in nums:
        numbering.append(num)


# --------------------------------------------------------------------------- page frame


def setup_page(doc):
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.left_margin = MARGIN_SIDE
    section.right_margin = MARGIN_SIDE
    # Room for a letterhead with a logo about 2 cm high.
    section.top_margin = Cm(3.6)
    section.header_distance = Cm(1.0)
    section.bottom_margin = Cm(2.4)
    section.footer_distance = Cm(0.9)


def build_header(doc, spec: DocSpec):
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.style = doc.styles["Header"]
    # The logo tag stays alone in its run; the renderer puts an inline image there.
    para.add_run(LOGO_TAG)
    name = para.add_run("{% if kommune.logo %}   {% endif %}{{ kommune.navn }}")
    name.bold = True
    name.font.size = Pt(15)
    name.font.color.rgb = RGBColor.from_string(BLUE)
    para.paragraph_format.space_after = Pt(4)
    last = para
    if spec.header_mark:
        mark = header.add_paragraph(style=doc.styles["Header"])
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = mark.add_run(spec.header_mark)
        run.bold = True
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor.from_string(RED)
        mark.paragraph_format.space_after = Pt(3)
        last = mark
    paragraph_border(last, "bottom", sz=8, color=BLUE, space=4)


SEP = "\u00a0·\u00a0"  # non-breaking on both sides: a line never starts or ends with a lone «·»


def build_footer(doc, spec: DocSpec):
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    # Two short lines (name and address; phone, e-mail and web), each part only when given,
    # so that a long address cannot push the contact details onto a ragged second line.
    address = footer.paragraphs[0]
    address.style = doc.styles["Footer"]
    address.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_border(address, "top", sz=4, color=LIGHT_GREY, space=4)
    address.add_run("{{ kommune.navn }}{% if kommune.adresse %}" + SEP + "{{ kommune.adresse }}{% endif %}")
    contact = footer.add_paragraph(style=doc.styles["Footer"])
    contact.alignment = WD_ALIGN_PARAGRAPH.CENTER
    contact.add_run(
        "{% if kommune.telefon %}Telefon\u00a0{{ kommune.telefon }}{% endif %}"
        "{% if kommune.epost %}{% if kommune.telefon %}" + SEP + "{% endif %}{{ kommune.epost }}{% endif %}"
        "{% if kommune.nettside %}{% if kommune.telefon or kommune.epost %}" + SEP + "{% endif %}"
        "{{ kommune.nettside }}{% endif %}"
    )
    pages = footer.add_paragraph(style=doc.styles["Footer"])
    pages.paragraph_format.space_before = Pt(3)
    pages.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    pages.add_run(spec.footer_left)
    pages.add_run("\tSide ")
    add_field(pages, "PAGE")
    pages.add_run(" av ")
    add_field(pages, "NUMPAGES")
    # The document ID on every page, in the content control the tool fills in (documents/stamp.py).
    footer._element.append(parse_xml(stamp.id_line_xml().replace("<w:p>", f'<w:p {nsdecls("w")}>', 1)))


# --------------------------------------------------------------------------- blocks


def code_line(doc, tag: str):
    """A paragraph holding only a docxtpl `{%p … %}` tag; docxtpl removes it when rendering."""
    return doc.add_paragraph(tag, style=doc.styles["Malkode"])


def cell_paragraph(cell, text: str, style: str, first: bool = False):
    para = cell.paragraphs[0] if first else cell.add_paragraph()
    para.style = style_of(cell, style)
    add_text(para, text)
    return para


def style_of(cell, name: str):
    return cell.part.document.styles[name]


def new_table(doc, rows: int, widths: list[float]):
    table = doc.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    fixed_widths(table, widths)
    return table


def add_parties(doc, block: Parties):
    widths = [4.2, TEXT_WIDTH_CM - 4.2]
    table = new_table(doc, len(block.rows), widths)
    table_borders(table, sz=4, color=LIGHT_GREY)
    table_cell_margins(table, left_cm=0.2, right_cm=0.2, top_cm=0.08, bottom_cm=0.08)
    for row, (label, value) in zip(table.rows, block.rows):
        row_props(row)
        shade(row.cells[0], LABEL_FILL)
        cell_paragraph(row.cells[0], label, "Tabelloverskrift", first=True)
        cell_paragraph(row.cells[1], value, "Tabelltekst", first=True)
    spacer(doc)


def spacer(doc, points: float = 4):
    para = doc.add_paragraph(style=doc.styles["Liten tekst"])
    para.paragraph_format.space_after = Pt(points)
    return para


def add_bullets(doc, block: Bullets):
    for item in block.items:
        add_text(doc.add_paragraph(style=doc.styles["Punktliste"]), item)
    last = doc.paragraphs[-1]
    last.paragraph_format.space_after = Pt(8)


def header_row(table, headers: list[str]):
    row = table.rows[0]
    row_props(row, header=True)
    for cell, text in zip(row.cells, headers):
        shade(cell, HEAD_FILL)
        cell_paragraph(cell, text, "Tabelloverskrift", first=True)


def spanning_cell(row):
    """The row's cells merged into one across the full width."""
    cell = row.cells[0].merge(row.cells[-1])
    cell.width = Cm(TEXT_WIDTH_CM)
    return cell


def control_row(table, index: int, tag: str):
    """A table row holding only a docxtpl `{%tr … %}` tag, in one cell across the row."""
    cell_paragraph(spanning_cell(table.rows[index]), tag, "Malkode", first=True)


# Under the assignment's full-width text: Mål, Målemetode, Utgangspunkt and Frist side by side.
TARGET_WIDTHS = [5.4, 4.6, 4.4, 2.6]
TARGETS = [("Mål", "{{ o.mal }}"), ("Målemetode", "{{ o.malemetode }}"),
           ("Utgangspunkt", "{{ o.utgangspunkt }}"), ("Frist", "{{ o.frist|dato }}")]


# Each assignment's table names its Nr, so that `oppfolging` and `sjekk` can read the measures a
# person typed into the agreement (generator/documents/measures.py; TAG_PREFIX there must agree).
MEASURES_TAG = "lederavtale-tiltak:{{ o.nr }}"


def mark_measures(table):
    """The table's alternative text (Word: Tabellegenskaper > Alternativ tekst) names the assignment.

    Not a content control around the measures: python-docx, and every script that reads a cell
    with it, does not see paragraphs inside one (`cell.text` comes out empty), and LibreOffice 7.4
    drops the formatting of a control's first paragraph. The table's own properties are invisible
    on the page and in the text, and Word keeps them through any editing inside the table.
    """
    props = table._tbl.tblPr
    child(props, "w:tblCaption", val=MEASURES_TAG)
    child(props, "w:tblDescription", val="Tiltak {{ o.nr }}")


def add_assignments(doc, block: Assignments):
    code_line(doc, "{%p if omrader %}")
    add_text(doc.add_paragraph(), block.intro)
    code_line(doc, "{%p for omrade in omrader %}")
    doc.add_paragraph("{{ omrade.navn }}", style=doc.styles["Heading 2"])
    code_line(doc, "{%p for o in omrade.oppdrag %}")
    # One small table per assignment: the text across the full width, the targets side by
    # side under it, then the leader's measures. The text and the targets are the table's
    # heading rows: they cannot split, they are never left alone at the foot of a page, and
    # when many measures run onto the next page, the assignment is repeated above them.
    table = new_table(doc, 3 + (block.notes is not None) + (block.follow_up is not None), TARGET_WIDTHS)
    table_borders(table, sz=4, color=LIGHT_GREY)
    table_cell_margins(table, left_cm=0.2, right_cm=0.2, top_cm=0.08, bottom_cm=0.06)
    task_row, targets, measures_row = table.rows[:3]
    row_props(task_row, header=True)
    task = spanning_cell(task_row)
    shade(task, LABEL_FILL)
    cell_paragraph(task, "**{{ o.nr }}**\t{{ o.tekst }}", "Oppdragstekst", first=True)
    row_props(targets, header=True)
    for cell, (label, value) in zip(targets.cells, TARGETS):
        cell_paragraph(cell, label, "Feltnavn", first=True)
        cell_paragraph(cell, value, "Feltverdi")
    # The leader's measures, one bullet each, or the placeholder with room to write by hand.
    # A long list may run onto the next page in the agreement; the follow-up form keeps each block whole.
    row_props(measures_row, cant_split=block.follow_up is not None, min_height_cm=1.5)
    measures = spanning_cell(measures_row)
    cell_paragraph(measures, block.measures, "Feltnavn", first=True)
    cell_paragraph(measures, "{%p for t in o.tiltak %}", "Malkode")
    cell_paragraph(measures, "{{ t }}", "Tabellpunkt")
    cell_paragraph(measures, "{%p endfor %}", "Malkode")
    cell_paragraph(measures, "{%p if not o.tiltak %}", "Malkode")
    cell_paragraph(measures, block.placeholder, "Tabelltekst")
    cell_paragraph(measures, "{%p endif %}", "Malkode")
    mark_measures(table)
    if block.notes is not None:
        # Lørenskog's dialogue: what the leader contributes most and the ambition the two agree on,
        # written in the conversation. Below the measures, which stay the first row after the heading
        # rows (documents/measures.py reads them there); the contribution takes the wider half.
        row = table.rows[3]
        row_props(row, min_height_cm=1.4)
        for cell, label in zip((row.cells[0].merge(row.cells[1]), row.cells[2].merge(row.cells[3])), block.notes):
            cell_paragraph(cell, label, "Feltnavn", first=True)
    if block.follow_up is not None:
        # Status, result and comment, written in the follow-up conversation; the comment
        # takes the two narrow columns so that it has room for a sentence or two.
        row = table.rows[-1]
        row_props(row, min_height_cm=1.8)
        comment = row.cells[2].merge(row.cells[3])
        for cell, label in zip((row.cells[0], row.cells[1], comment), block.follow_up):
            cell_paragraph(cell, label, "Feltnavn", first=True)
        for status in block.statuses:
            add_checkbox(cell_paragraph(row.cells[0], "", "Tabelltekst"), status)
        # A form is read and filled in one assignment at a time: the whole block stays on one page
        # (every row unsplittable, each kept with the next), never its status row alone overleaf.
        for kept in table.rows[:3]:
            for cell in kept.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
    # Two tables in a row would merge into one in Word; a small gap keeps them apart.
    spacer(doc, 2)
    code_line(doc, "{%p endfor %}")

    code_line(doc, "{%p endfor %}")
    code_line(doc, "{%p else %}")
    add_text(doc.add_paragraph(), block.empty)
    code_line(doc, "{%p endif %}")


# A Word check box (a content control, as Word's Developer tab inserts it): a click in Word ticks it.
# The box itself is the character ☐ (☒ when ticked) in the control, so LibreOffice, which does not
# know the control in 7.4, still prints a box, and so does any reader of the text.
BOX_FONT = "MS Gothic"  # Word's own choice for the symbols; LibreOffice falls back to a font that has them
UNCHECKED, CHECKED = "\u2610", "\u2612"


def add_checkbox(paragraph, label: str):
    """A check box content control, then `label`, in `paragraph`; the control's title is the label,
    which a screen reader says with the box."""
    fonts = f'<w:rFonts w:ascii="{BOX_FONT}" w:eastAsia="{BOX_FONT}" w:hAnsi="{BOX_FONT}" w:hint="eastAsia"/>'
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w", "w14")}><w:sdtPr><w:rPr>{fonts}</w:rPr><w:alias w:val="{escape(label, quote=True)}"/>'
        f'<w14:checkbox><w14:checked w14:val="0"/>'
        f'<w14:checkedState w14:val="{ord(CHECKED):04X}" w14:font="{BOX_FONT}"/>'
        f'<w14:uncheckedState w14:val="{ord(UNCHECKED):04X}" w14:font="{BOX_FONT}"/></w14:checkbox></w:sdtPr>'
        f'<w:sdtContent><w:r><w:rPr>{fonts}</w:rPr><w:t>{UNCHECKED}</w:t></w:r></w:sdtContent></w:sdt>')
    paragraph._p.append(sdt)
    paragraph.add_run(f" {label}")
    return paragraph


GOAL_WIDTHS = [6.2, 6.0, 4.8]


def add_goals(doc, block: Goals):
    blank_rows = 3
    table = new_table(doc, 6 + blank_rows, GOAL_WIDTHS)
    table_borders(table, sz=4, color=LIGHT_GREY)
    table_cell_margins(table, left_cm=0.15, right_cm=0.15, top_cm=0.08, bottom_cm=0.08)
    header_row(table, block.headers)
    control_row(table, 1, "{%tr for u in utviklingsmal %}")
    row = table.rows[2]
    row_props(row)
    for cell, value in zip(row.cells, block.values):
        cell_paragraph(cell, value, "Tabelltekst", first=True)
    control_row(table, 3, "{%tr endfor %}")
    # No goals registered: empty rows to fill in during the conversation, the first one
    # marked so that an appendix still without goals is seen as a draft.
    control_row(table, 4, "{%tr if not utviklingsmal %}")
    for i, row in enumerate(table.rows[5:5 + blank_rows]):
        row_props(row, min_height_cm=0.8)
        for j, cell in enumerate(row.cells):
            cell_paragraph(cell, block.placeholder if i == j == 0 else "", "Tabelltekst", first=True)
    control_row(table, 5 + blank_rows, "{%tr endif %}")
    spacer(doc)


def add_write_in(doc, block: WriteIn):
    for item in block.items:
        # The question and its box in one small table: the question row cannot be left alone
        # at the foot of a page, and two boxes in a row stay apart (see add_assignments).
        table = new_table(doc, 2, [TEXT_WIDTH_CM])
        table_borders(table, sz=4, color=LIGHT_GREY)
        table_cell_margins(table, left_cm=0.2, right_cm=0.2, top_cm=0.08, bottom_cm=0.06)
        question, answer = table.rows
        row_props(question, header=True)
        shade(question.cells[0], LABEL_FILL)
        cell_paragraph(question.cells[0], item, "Tabelltekst", first=True)
        row_props(answer, cant_split=False, min_height_cm=block.height_cm)
        answer.cells[0].paragraphs[0].style = style_of(answer.cells[0], "Tabelltekst")
        gap = spacer(doc, 2)
        if block.keep_with_signatures:
            for para in [*question.cells[0].paragraphs, *answer.cells[0].paragraphs, gap]:
                para.paragraph_format.keep_with_next = True


def add_write_in_row(doc, block: WriteInRow):
    width = TEXT_WIDTH_CM / len(block.items)
    table = new_table(doc, 1, [width] * len(block.items))
    table_borders(table, sz=4, color=LIGHT_GREY)
    table_cell_margins(table, left_cm=0.2, right_cm=0.2, top_cm=0.08, bottom_cm=0.06)
    row_props(table.rows[0], min_height_cm=block.height_cm)
    for cell, item in zip(table.rows[0].cells, block.items):
        cell_paragraph(cell, item, "Tabelltekst", first=True)
    spacer(doc, 2)


def add_stamp(doc, block: Stamp):
    table = doc.add_table(rows=1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    fixed_widths(table, [7.5])
    table_borders(table, sz=12, color=RED)
    table_cell_margins(table, left_cm=0.2, right_cm=0.2, top_cm=0.1, bottom_cm=0.1)
    cell = table.rows[0].cells[0]
    first = cell.paragraphs[0]
    first.style = style_of(cell, "Tabelltekst")
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = first.add_run(block.text)
    run.bold = True
    run.font.size = Pt(11)
    run.font.color.rgb = RGBColor.from_string(RED)
    basis = cell.add_paragraph(style=style_of(cell, "Tabelltekst"))
    basis.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = basis.add_run("{{ kommune.skjermingshjemmel }}")
    run.font.color.rgb = RGBColor.from_string(RED)
    spacer(doc, 2)


def add_kept(doc, block: Keep, spec: DocSpec):
    body = doc.element.body
    before = set(body)  # the proxies are kept alive by the set, so each stays the same object
    for inner in block.blocks:
        add_block(doc, inner, spec)
    for element in [e for e in body if e not in before]:
        for p in [element] if element.tag == qn("w:p") else element.iter(qn("w:p")):
            docx.text.paragraph.Paragraph(p, doc).paragraph_format.keep_with_next = True


def add_closing(doc, block: Closing):
    doc.add_paragraph(block.heading, style=doc.styles["Heading 1"])
    for text in block.paragraphs:
        add_text(doc.add_paragraph(), text)


def add_signatures(doc, block: Signatures, malform: Malform):
    # The section before the signatures travels with them to the next page if they do not
    # fit, so the signatures never open a page alone: every paragraph back to its heading
    # keeps with the next, and the signature row itself cannot split.
    # A table on the way back ends the chain: a box to write in is kept with them only when asked
    # (WriteIn.keep_with_signatures); otherwise one page could not hold the chain and it would all
    # move on, leaving half a page empty.
    for para in reversed(doc.paragraphs):
        para.paragraph_format.keep_with_next = True
        previous = para._p.getprevious()
        if para.style.name == "Heading 1" or (previous is not None and previous.tag == qn("w:tbl")):
            break
    heading = doc.add_paragraph("Underskrifter", style=doc.styles["Heading 1"])
    heading.paragraph_format.space_before = Pt(12)
    gap = 3.0  # room for the QR code
    side = (TEXT_WIDTH_CM - gap) / 2
    table = new_table(doc, 1, [side, gap, side])
    table_borders(table, sz=0)
    table_cell_margins(table, left_cm=0, right_cm=0, top_cm=0, bottom_cm=0)
    row = table.rows[0]
    # One row that cannot break: the two signatures always stay together on one page.
    row_props(row)
    for cell, party in ((row.cells[0], block.left), (row.cells[2], block.right)):
        role = cell.paragraphs[0]
        role.style = style_of(cell, "Underskrift")
        role.add_run(party.role, style="Strong")
        place = cell.add_paragraph(style=style_of(cell, "Underskrift"))
        place.paragraph_format.space_before = Pt(22)
        place.add_run("{% if kommune.sted %}{{ kommune.sted }}, {% endif %}")
        paragraph_border(place, "bottom", sz=6, color="404040", space=1)
        cell.add_paragraph(malform.phrase("place_and_date"), style=style_of(cell, "Liten tekst"))
        line = cell.add_paragraph(style=style_of(cell, "Underskrift"))
        line.paragraph_format.space_before = Pt(34)
        paragraph_border(line, "bottom", sz=6, color="404040", space=1)
        name = cell.add_paragraph(style=style_of(cell, "Underskrift"))
        name.paragraph_format.space_before = Pt(3)
        name.add_run(party.navn, style="Strong")
        cell.add_paragraph(party.stilling, style=style_of(cell, "Liten tekst"))
    row.cells[1].paragraphs[0].style = style_of(row.cells[1], "Liten tekst")
    add_qr(table, malform)


def add_qr(table, malform: Malform):
    """Between the two signatures, in the row that cannot split, so always on their page and costing
    no height: the QR code with the document ID that a scanned, signed copy is matched by
    (documents/stamp.py puts each document's own code in the picture's place)."""
    picture = table.rows[0].cells[1].paragraphs[0]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.space_before = Pt(16)
    # The template's own picture is a QR code that says what goes there.
    png = io.BytesIO(qr_png_of(malform.phrase("qr_placeholder")))
    shape = picture.add_run().add_picture(png, width=Mm(stamp.QR_WIDTH_MM))
    # An id of its own: the logo the tool puts in the header is picture 1 there, and Word wants
    # every drawing's id unique in the whole document.
    shape._inline.docPr.set("id", "1001")
    shape._inline.docPr.set("name", stamp.QR_NAME)
    shape._inline.docPr.set("descr", stamp.QR_DESCRIPTION)


def add_block(doc, block, spec: DocSpec):
    if isinstance(block, Title):
        doc.add_paragraph(block.text, style=doc.styles["Title"])
    elif isinstance(block, Subtitle):
        doc.add_paragraph(block.text, style=doc.styles["Subtitle"])
    elif isinstance(block, Parties):
        add_parties(doc, block)
    elif isinstance(block, H1):
        doc.add_paragraph(block.text, style=doc.styles["Heading 1"])
    elif isinstance(block, H2):
        doc.add_paragraph(block.text, style=doc.styles["Heading 2"])
    elif isinstance(block, P):
        add_text(doc.add_paragraph(), block.text)
    elif isinstance(block, Bullets):
        add_bullets(doc, block)
    elif isinstance(block, Code):
        code_line(doc, block.tag)
    elif isinstance(block, Assignments):
        add_assignments(doc, block)
    elif isinstance(block, Keep):
        add_kept(doc, block, spec)
    elif isinstance(block, Closing):
        add_closing(doc, block)
    elif isinstance(block, Goals):
        add_goals(doc, block)
    elif isinstance(block, WriteIn):
        add_write_in(doc, block)
    elif isinstance(block, WriteInRow):
        add_write_in_row(doc, block)
    elif isinstance(block, Stamp):
        add_stamp(doc, block)
    elif isinstance(block, Signatures):
        add_signatures(doc, block, spec.malform)
    else:
        raise TypeError(f"unknown block {block!r}")


# --------------------------------------------------------------------------- documents


def build_docx(spec: DocSpec) -> bytes:
    doc = Document()
    clean_base(doc)
    setup_page(doc)
    setup_styles(doc, spec.malform)
    setup_numbering(doc)
    setup_settings(doc, spec.malform)
    # The default template starts with one empty paragraph; write into a clean body.
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    build_header(doc, spec)
    build_footer(doc, spec)
    for block in spec.blocks:
        add_block(doc, block, spec)
    set_properties(doc, spec)
    drop_thumbnail(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue())


def set_properties(doc, spec: DocSpec):
    props = doc.core_properties
    props.title = spec.title
    props.subject = spec.title.split(" {{")[0]
    props.author = "{{ kommune.navn }}"
    props.last_modified_by = "lederavtale"
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.language = spec.malform.code
    props.revision = 1
    props.created = BUILD_TIME
    props.modified = BUILD_TIME
    props.last_printed = BUILD_TIME


def drop_thumbnail(doc):
    # python-docx's default template carries a preview picture of an unrelated document.
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


# The extended properties, written whole: python-docx's default template says "Microsoft
# Macintosh Word" 14.0 with zero pages and words, which Word and file browsers show as if it
# were true. Page and word counts are left out: they are only known once a document is laid out.
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>lederavtale</Application>"
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "</Properties>"
).encode()


def normalise_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps so the output is byte-for-byte reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = APP_XML if item.filename == "docProps/app.xml" else source.read(item.filename)
            target.writestr(info, content)
    return out.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


# --------------------------------------------------------------------------- document structure
# Each document is laid out once; the words that differ between bokmål and nynorsk come
# from PHRASES, words that are the same in both stand here as they are.


# Levels as HR may write them in the column Nivå, in either målform; the text under
# "Krav til lederen" says what the role is at the levels it knows.
LEVELS = {
    "kommunalsjef": ("kommunalsjef",),
    "virksomhetsleder": ("virksomhetsleder", "enhetsleder", "verksemdsleiar", "einingsleiar"),
    "avdelingsleder": ("avdelingsleder", "avdelingsleiar"),
}
IS_ORDFORER = 'overordnet.niva|lower in ("ordfører", "ordførar")'


def level_test(level: str) -> str:
    names = LEVELS[level]
    if len(names) == 1:
        return f'leder.niva|lower == "{names[0]}"'
    return "leder.niva|lower in (" + ", ".join(f'"{n}"' for n in names) + ")"


def by_level(t, key: str) -> list:
    """One paragraph per known level, and the general one for any other level."""
    blocks = []
    for i, level in enumerate(LEVELS):
        blocks += [Code(f"{{%p {'if' if i == 0 else 'elif'} {level_test(level)} %}}"), P(t(f"{key}.{level}"))]
    return blocks + [Code("{%p else %}"), P(t(f"{key}.other")), Code("{%p endif %}")]


def principle_list(t, intro: str) -> list:
    """The sheet Lederprinsipper under its heading, `intro` the paragraph before the list."""
    return [
        H1(t("principles")),
        P(t(intro)),
        Code("{%p for p in lederprinsipper %}"),
        Bullets(["**{{ p.prinsipp }}**{% if p.beskrivelse %}: {{ p.beskrivelse }}{% endif %}"]),
        Code("{%p endfor %}"),
    ]


def principles_or_demands(t) -> list:
    """The municipality's own leadership principles when the workbook has them, else the
    templates' text on what is expected of a leader at this level."""
    return [
        Code("{%p if lederprinsipper %}"),
        *principle_list(t, "principles.intro"),
        Code("{%p else %}"),
        H1(t("agreement.demands")),
        *by_level(t, "agreement.demands.level"),
        Bullets(t("agreement.demands.bullets")),
        Code("{%p endif %}"),
    ]


def principles(t) -> list:
    """The municipality's leadership principles, when the workbook has them (the kommunedirektør's
    agreement: what is expected of the role is its own section)."""
    return [Code("{%p if lederprinsipper %}"), *principle_list(t, "principles.intro.director"), Code("{%p endif %}")]


def responsibility(t, key: str = "agreement.responsibility") -> list:
    """A leader with leaders of their own answers for those leaders' agreements and follow-up."""
    return [
        Code("{%p if underordnede %}"),
        P(t(key)),
        Code("{%p endif %}"),
    ]


def pay(t) -> list:
    """Pay: HTA chapter 3.4 for the leaders in it, the municipality's pay policy for the others. Text
    for HR to adjust to the municipality's own pay policy."""
    return [
        H1(t("agreement.pay")),
        Code(f"{{%p if {level_test('kommunalsjef')} %}}"),
        P(t("agreement.pay.kommunalsjef")),
        Code(f"{{%p elif {level_test('virksomhetsleder')} %}}"),
        P(t("agreement.pay.virksomhetsleder")),
        Code("{%p else %}"),
        P(t("agreement.pay.other")),
        Code("{%p endif %}"),
        P(t("agreement.pay.2")),
    ]


def agreed_conversations(t) -> list:
    """The follow-up conversations from the workbook, or a placeholder for their dates."""
    return [
        Code("{%p if leder.oppfolging %}"),
        P(t("follow_up.agreed")),
        Code("{%p else %}"),
        P(t("follow_up.when") + " " + t("placeholder")),
        Code("{%p endif %}"),
    ]


def closing(t) -> Closing:
    return Closing(t("closing"), [t("closing.supplement"), t("closing.public"), t("archive")])


def removable(t, key: str, box: bool = False) -> list:
    """A short section of its own that HR may delete whole in Word (maler/LESMEG.md): its heading, one
    paragraph, and with `box` a box to write in during the conversation."""
    return [H1(t(key)), P(t(f"{key}.1"))] + ([WriteIn([t(f"{key}.box")], height_cm=1.6)] if box else [])


def conversation_date(t, label: str) -> tuple[str, str]:
    """A follow-up document's row for the conversation's date: the conversations the workbook has for
    the leader (column Oppfølging), else `label` and room to write the date."""
    return (f"{{% if leder.oppfolging %}}{t('follow_up.agreed_label')}{{% else %}}{t(label)}{{% endif %}}",
            "{{ leder.oppfolging }}")


def agreement(malform: Malform) -> DocSpec:
    t = malform.phrase
    return DocSpec(
        filename="lederavtale.docx",
        malform=malform,
        title=t("agreement.title"),
        footer_left=t("agreement.title"),
        blocks=[
            Title(t("heading")),
            Subtitle("Avtaleperiode {{ periode.tekst }}"),
            Parties([
                (t("unit"), "{{ leder.enhet }}"),
                ("Stilling", "{{ leder.stilling }}"),
                (t("leader"), "{{ leder.navn }}"),
                (t("superior"), "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
            ]),
            H1(t("purpose")),
            P(t("agreement.purpose.1")),
            P(t("agreement.purpose.2")),
            H1(t("agreement.system")),
            P(t("agreement.system.1")),
            P(t("agreement.system.2")),
            H1(t("agreement.authority")),
            P(t("agreement.authority.1")),
            Bullets(t("agreement.authority.bullets")),
            *responsibility(t),
            # Kongsberg: the room the leader has to decide within the frame.
            *removable(t, "agreement.room"),
            *principles_or_demands(t),
            # Røros: the agreement as a part of the employer strategy.
            *removable(t, "agreement.strategy"),
            H1(t("agreement.assignments")),
            Assignments(
                intro=t("agreement.assignments.intro"),
                empty=t("agreement.assignments.empty"),
                measures=t("agreement.measures"),
                placeholder=t("placeholder"),
                notes=(t("agreement.contribution"), t("notes.ambition")),
            ),
            # Lunner: what could keep the assignments from being reached.
            *removable(t, "agreement.risk", box=True),
            H1(t("agreement.support")),
            P(t("agreement.support.1")),
            Bullets(t("agreement.support.bullets")),
            P(t("agreement.support.2")),
            H1("Oppfølging"),
            P(t("agreement.follow_up.call")),
            P(t("agreement.follow_up.1")),
            Bullets(t("agreement.follow_up.bullets")),
            *agreed_conversations(t),
            P(t("agreement.follow_up.2")),
            *pay(t),
            H1(t("changes")),
            P(t("agreement.changes.1")),
            closing(t),
            Signatures(Party(t("leader"), "{{ leder.navn }}", "{{ leder.stilling }}"),
                       Party(t("superior"), "{{ overordnet.navn }}", "{{ overordnet.stilling }}")),
        ],
    )


def appendix(malform: Malform) -> DocSpec:
    t = malform.phrase
    # The kommunedirektør's other party is the ordfører, who signs for the kommunestyre.
    other_party = f"{{% if {IS_ORDFORER} %}}For kommunestyret{{% else %}}{t('superior')}{{% endif %}}"
    leader = f"{{% if {IS_ORDFORER} %}}Kommunedirektør{{% else %}}{t('leader')}{{% endif %}}"
    return DocSpec(
        filename="vedlegg.docx",
        malform=malform,
        title=t("appendix.title"),
        footer_left=t("appendix.footer"),
        header_mark=t("appendix.header_mark"),
        blocks=[
            Stamp(t("appendix.stamp")),
            Title(t("appendix.heading")),
            Subtitle(t("appendix.subtitle")),
            Parties([
                (leader, "{{ leder.navn }}, {{ leder.stilling|liten }}"),
                (t("unit"), "{{ leder.enhet }}"),
                (other_party, "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
                ("Avtaleperiode", "{{ periode.tekst }}"),
            ]),
            # The kommunedirektør's goals are agreed with the ordfører, and HR reports to him: who may
            # read them is said as the Øyer agreement says it.
            Code(f"{{%p if {IS_ORDFORER} %}}"),
            P(t("appendix.intro.1.director") + " " + t("appendix.intro.2.director")),
            Code("{%p else %}"),
            P(t("appendix.intro.1") + " " + t("appendix.intro.2")),
            Code("{%p endif %}"),
            H1("Utviklingsmål"),
            Goals(["Mål", "Tiltak", "Oppfølging"], t("placeholder")),
            # Lørenskog: strengths, tied to two or three of the municipality's leadership principles.
            # The leader's view of their own leadership so far in the year is the autumn's, in the
            # follow-up's exempt appendix (oppfolging_vedlegg.docx), not a box signed empty in January.
            H1(t("appendix.strengths")),
            Keep([
                Code("{%p if lederprinsipper %}"),
                P(t("appendix.strengths.principles")),
                Code("{%p else %}"),
                P(t("appendix.strengths.general")),
                Code("{%p endif %}"),
                WriteInRow(t("appendix.strengths.items"), height_cm=1.6),
            ]),
            Signatures(Party(leader, "{{ leder.navn }}", "{{ leder.stilling }}"),
                       Party(other_party, "{{ overordnet.navn }}", "{{ overordnet.stilling }}")),
        ],
    )


def director_agreement(malform: Malform) -> DocSpec:
    t = malform.phrase
    return DocSpec(
        filename="lederavtale_kommunedirektor.docx",
        malform=malform,
        title=t("director.title"),
        footer_left=t("director.title"),
        blocks=[
            Title(t("heading")),
            # The period is in the table below; a second dash next to the period's own would confuse.
            Subtitle("mellom kommunestyret og kommunedirektøren"),
            Parties([
                ("Kommunedirektør", "{{ leder.navn }}"),
                ("For kommunestyret", "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
                ("Avtaleperiode", "{{ periode.tekst }}"),
            ]),
            H1(t("purpose")),
            P(t("director.purpose.1")),
            H1(t("director.role")),
            P(t("director.role.1")),
            Bullets(t("director.role.bullets")),
            *responsibility(t, "director.responsibility"),
            H1(t("director.mutual")),
            P(t("director.mutual.1")),
            H2(t("director.expectations")),
            P(t("director.expectations.1")),
            Bullets(t("director.expectations.bullets")),
            H2(t("director.expects")),
            P(t("director.expects.1")),
            Bullets(t("director.expects.bullets")),
            *principles(t),
            H1(t("director.goals")),
            Assignments(
                intro=t("director.goals.intro"),
                empty=t("director.goals.empty"),
                measures=t("director.measures"),
                placeholder=t("placeholder"),
                notes=(t("director.contribution"), t("notes.ambition")),
            ),
            H1("Oppfølging og evaluering"),
            P(t("director.follow_up.call")),
            P(t("director.follow_up.1")),
            Bullets(t("director.follow_up.bullets")),
            *agreed_conversations(t),
            H1(t("director.self")),
            P(t("director.self.1")),
            Bullets(t("director.self.bullets")),
            H1(t("director.evidence")),
            P(t("director.evidence.1")),
            Bullets(t("director.evidence.bullets")),
            H1(t("director.political")),
            P(t("director.political.1")),
            P(t("director.political.2")),
            H1(t("director.salary")),
            P(t("director.salary.1")),
            H1(t("changes")),
            P(t("director.changes.1")),
            closing(t),
            Signatures(Party("Kommunedirektør", "{{ leder.navn }}", "{{ leder.stilling }}"),
                       Party("For kommunestyret", "{{ overordnet.navn }}", "{{ overordnet.stilling }}")),
        ],
    )


def follow_up_assignments(t, key: str, measures: str) -> Assignments:
    """The agreement's assignments as a form: status to tick, result and comment to write."""
    return Assignments(
        intro=t(f"{key}.intro"),
        empty=t(f"{key}.empty"),
        measures=t(measures),
        placeholder=t("follow_up.no_measures"),
        follow_up=(t("follow_up.status"), t("follow_up.result"), t("follow_up.comment")),
        statuses=t("follow_up.statuses"),
    )


def follow_up(malform: Malform) -> DocSpec:
    """The autumn follow-up conversation: the agreement's assignments with room for status,
    result and comment, and the questions the conversation goes through. A public document,
    rendered from the agreement's fields only: the development goals, and whatever appraises the
    leader as a person, are in the follow-up's exempt appendix (follow_up_appendix)."""
    t = malform.phrase
    return DocSpec(
        filename="oppfolging.docx",
        malform=malform,
        title=t("follow_up.title"),
        footer_left=t("follow_up.title"),
        blocks=[
            Title(t("follow_up.heading")),
            Subtitle(t("follow_up.subtitle")),
            Parties([
                (t("unit"), "{{ leder.enhet }}"),
                ("Stilling", "{{ leder.stilling }}"),
                (t("leader"), "{{ leder.navn }}"),
                (t("superior"), "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
                conversation_date(t, "follow_up.date"),
            ]),
            H1(t("purpose")),
            P(t("follow_up.purpose.1")),
            P(t("follow_up.purpose.2")),
            H1(t("agreement.assignments")),
            follow_up_assignments(t, "follow_up.assignments", "agreement.measures"),
            H1(t("follow_up.questions")),
            P(t("follow_up.questions.intro")),
            WriteIn(t("follow_up.questions.items")),
            H1(t("follow_up.notes")),
            WriteIn([t("follow_up.notes.1")], height_cm=4.0, keep_with_signatures=True),
            Signatures(Party(t("leader"), "{{ leder.navn }}", "{{ leder.stilling }}"),
                       Party(t("superior"), "{{ overordnet.navn }}", "{{ overordnet.stilling }}")),
        ],
    )


def director_follow_up(malform: Malform) -> DocSpec:
    """The kommunedirektør's follow-up conversation, public like the ordinary one (after Øyer): the
    goals and assignments given to the kommunedirektør, and the agreement's expectations both ways
    (did the kommunestyre and the ordfører keep their side?), what the follow-up rests on, and the next
    agreement. The ordfører's evaluation and the kommunedirektør's self-evaluation appraise a named
    employee: they are in the exempt appendix (director_follow_up_appendix), never here."""
    t = malform.phrase
    return DocSpec(
        filename="oppfolging_kommunedirektor.docx",
        malform=malform,
        title=t("director_follow_up.title"),
        footer_left=t("director_follow_up.title"),
        blocks=[
            Title(t("director_follow_up.heading")),
            Subtitle(t("director_follow_up.subtitle")),
            Parties([
                ("Kommunedirektør", "{{ leder.navn }}"),
                ("For kommunestyret", "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
                ("Avtaleperiode", "{{ periode.tekst }}"),
                conversation_date(t, "follow_up.date"),
            ]),
            H1(t("purpose")),
            P(t("director_follow_up.purpose.1")),
            Code("{%p if kommune.opposisjonsleder %}"),
            P(t("director_follow_up.opposition")),
            Code("{%p endif %}"),
            P(t("director_follow_up.purpose.2")),
            H1(t("director.goals")),
            follow_up_assignments(t, "director_follow_up.goals", "director.measures"),
            H1(t("director.mutual")),
            P(t("director_follow_up.mutual.intro")),
            H2(t("director.expects")),
            WriteIn(t("director_follow_up.politicians.items"), height_cm=1.6),
            H2(t("director.expectations")),
            WriteIn(t("director_follow_up.administration.items"), height_cm=1.6),
            H1(t("director_follow_up.evidence")),
            P(t("director_follow_up.evidence.intro")),
            WriteIn(t("director_follow_up.evidence.items"), height_cm=1.6),
            H1(t("director_follow_up.next.heading")),
            WriteIn([t("director_follow_up.next")], height_cm=3.0, keep_with_signatures=True),
            Signatures(Party("Kommunedirektør", "{{ leder.navn }}", "{{ leder.stilling }}"),
                       Party("For kommunestyret", "{{ overordnet.navn }}", "{{ overordnet.stilling }}")),
        ],
    )


def exempt_frame(t, filename: str, malform: Malform, title: str, heading: str, subtitle: str, parties: list,
                 blocks: list, left: Party, right: Party) -> DocSpec:
    """An exempt document of the follow-up conversation: the appendix's stamp and page header with the
    Skjermingshjemmel, its title, the parties, `blocks`, and the signatures of both."""
    return DocSpec(
        filename=filename,
        malform=malform,
        title=title,
        footer_left=title,
        header_mark=t("appendix.header_mark"),
        blocks=[Stamp(t("appendix.stamp")), Title(heading), Subtitle(subtitle), Parties(parties), *blocks,
                Signatures(left, right)],
    )


# The goals as the January appendix has them, with the last column left to write how each went.
def goals_review(t) -> Goals:
    return Goals(["Mål", "Tiltak", t("follow_up_appendix.goals.how")], "",
                 values=("{{ u.mal }}", "{{ u.tiltak }}", ""))


def follow_up_appendix(malform: Malform) -> DocSpec:
    """The follow-up conversation's exempt appendix, for every leader (Lørenskog): the development goals
    followed up, and the leader's view of their own leadership so far in the year, with the superior's
    feedback. Exempt from public access: it is filled from the appendix's context (the goals)."""
    t = malform.phrase
    return exempt_frame(
        t, "oppfolging_vedlegg.docx", malform, t("follow_up_appendix.title"), t("follow_up_appendix.heading"),
        t("follow_up_appendix.subtitle"),
        [
            (t("leader"), "{{ leder.navn }}, {{ leder.stilling|liten }}"),
            (t("unit"), "{{ leder.enhet }}"),
            (t("superior"), "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
            conversation_date(t, "follow_up.date"),
        ],
        [
            P(t("follow_up_appendix.intro.1")),
            P(t("follow_up_appendix.intro.2")),
            H1("Utviklingsmål"),
            P(t("follow_up_appendix.goals.intro")),
            goals_review(t),
            H1(t("follow_up_appendix.own")),
            P(t("follow_up_appendix.own.intro")),
            WriteIn(t("follow_up_appendix.own.items"), height_cm=2.2),
            H1(t("follow_up_appendix.next.heading")),
            WriteIn([t("follow_up_appendix.next")], height_cm=2.2, keep_with_signatures=True),
        ],
        Party(t("leader"), "{{ leder.navn }}", "{{ leder.stilling }}"),
        Party(t("superior"), "{{ overordnet.navn }}", "{{ overordnet.stilling }}"),
    )


def director_follow_up_appendix(malform: Malform) -> DocSpec:
    """The kommunedirektør's evaluation (after Øyer), exempt: the kommunedirektør's self-evaluation, the
    personal development goals, and the ordfører's written evaluation for the kommunestyre, signed by
    both. The kommunedirektør's own template of the follow-up's exempt appendix."""
    t = malform.phrase
    return exempt_frame(
        t, "oppfolging_vedlegg_kommunedirektor.docx", malform, t("director_evaluation.title"),
        t("director_evaluation.heading"), t("director_evaluation.subtitle"),
        [
            ("Kommunedirektør", "{{ leder.navn }}"),
            ("For kommunestyret", "{{ overordnet.navn }}, {{ overordnet.stilling|liten }}"),
            ("Avtaleperiode", "{{ periode.tekst }}"),
            conversation_date(t, "follow_up.date"),
        ],
        [
            P(t("director_evaluation.intro.1")),
            Code("{%p if kommune.opposisjonsleder %}"),
            P(t("director_evaluation.opposition")),
            Code("{%p endif %}"),
            P(t("director_evaluation.intro.2")),
            H1(t("director.self")),
            P(t("director_evaluation.self.intro")),
            WriteIn(t("director_evaluation.self.items"), height_cm=3.0),
            H1("Utviklingsmål"),
            P(t("director_evaluation.goals.intro")),
            goals_review(t),
            H1(t("director_evaluation.evaluation")),
            P(t("director_evaluation.evaluation.intro")),
            WriteIn(t("director_evaluation.evaluation.items"), height_cm=3.5),
            H1(t("director_evaluation.next.heading")),
            WriteIn([t("director_evaluation.next")], height_cm=2.5, keep_with_signatures=True),
        ],
        Party("Kommunedirektør", "{{ leder.navn }}", "{{ leder.stilling }}"),
        Party("For kommunestyret", "{{ overordnet.navn }}", "{{ overordnet.stilling }}"),
    )


# --------------------------------------------------------------------------- phrases
# key -> (bokmål, nynorsk). Kept side by side so a change in one målform is not forgotten
# in the other.

# Fields that sheet Kommune and sheet Ledere are getting (Frist, Kontaktperson, Avtalesamtale). A text
# uses one only once the template fields know it (documents/fields.py): until then the text says what
# holds without it, and `make maler` writes the field in when it comes (the committed templates then
# differ from the builder's, and tests/test_maler.py says so).


def known(name: str) -> bool:
    return name in KNOWN


# The agreement is made in the avtalesamtale and signed by the end of the first quarter, unless sheet
# Kommune says otherwise (field Frist).
DEADLINE = ('{% if kommune.frist %}{{ kommune.frist|dato("lang") }}{% else %}31. mars {{ periode.ar }}{% endif %}'
            if known("kommune.frist") else "31. mars {{ periode.ar }}")
# The avtalesamtale's date, when sheet Ledere has it (column Avtalesamtale); bokmål, nynorsk.
MEETING = (('{% if leder.avtalesamtale %}, som er satt til {{ leder.avtalesamtale|dato("lang") }}{% endif %}',
            '{% if leder.avtalesamtale %}, som er sett til {{ leder.avtalesamtale|dato("lang") }}{% endif %}')
           if known("leder.avtalesamtale") else ("", ""))
# Whom the leader asks: the named contact in sheet Kommune (field Kontaktperson), else HR, who sent it.
CONTACT = (("{% if kommune.kontaktperson %}{{ kommune.kontaktperson }}{% else %}HR (svar på denne e-posten){% endif %}",
            "{% if kommune.kontaktperson %}{{ kommune.kontaktperson }}{% else %}HR (svar på denne e-posten){% endif %}")
           if known("kommune.kontaktperson") else ("HR (svar på denne e-posten)", "HR (svar på denne e-posten)"))

PHRASES = {
    # Shared by several documents and by the engine
    "heading": ("Lederavtale {{ periode.ar }}", "Leiaravtale {{ periode.ar }}"),
    "unit": ("Enhet", "Eining"),
    "leader": ("Leder", "Leiar"),
    "superior": ("Overordnet leder", "Overordna leiar"),
    "purpose": ("Formål", "Føremål"),
    # The placeholder convention (see PLACEHOLDER): exactly this text wherever the leader
    # conversation must still fill something in.
    "placeholder": ("[Fylles ut i avtalesamtalen]", "[Fyllast ut i avtalesamtalen]"),
    "changes": ("Endringer i forutsetninger", "Endringar i føresetnadene"),
    "archive": (
        "Den signerte avtalen arkiveres i kommunens sak- og arkivsystem"
        "{% if kommune.arkivsak %} (sak {{ kommune.arkivsak }}){% endif %}.",
        "Den underskrivne avtalen blir arkivert i sak- og arkivsystemet til kommunen"
        "{% if kommune.arkivsak %} (sak {{ kommune.arkivsak }}){% endif %}."),
    "place_and_date": ("Sted og dato", "Stad og dato"),
    "qr_placeholder": ("Her kommer dokumentets dokument-ID", "Her kjem dokument-ID-en til dokumentet"),
    "follow_up.agreed": ("**Avtalte samtaler:** {{ leder.oppfolging }}", "**Avtalte samtalar:** {{ leder.oppfolging }}"),
    "follow_up.when": ("**Tidspunkt for samtalene:**", "**Tidspunkt for samtalane:**"),
    # A follow-up document's row for the conversation: the conversations the workbook has agreed.
    "follow_up.agreed_label": ("Avtalte samtaler", "Avtalte samtalar"),
    # Under each assignment in the agreements, written in the avtalesamtale (Lørenskog).
    "notes.ambition": ("Avtalt ambisjon", "Avtalt ambisjon"),
    "agreement.contribution": ("Lederens viktigste bidrag", "Det viktigaste leiaren bidreg med"),
    "director.contribution": ("Kommunedirektørens viktigste bidrag", "Det viktigaste kommunedirektøren bidreg med"),
    "closing": ("Om avtalen", "Om avtalen"),
    "closing.supplement": (
        "Lederavtalen er et tillegg til arbeidsavtalen og inngås for ett år om gangen. Avtalen gjelder til ny "
        "avtale er inngått.",
        "Leiaravtalen er eit tillegg til arbeidsavtalen og blir inngått for eitt år om gongen. Avtalen gjeld til "
        "ny avtale er inngått."),
    "closing.public": (
        "Lederavtalen er et offentlig dokument. Den gjøres kjent for de ansatte. Lederens personlige "
        "utviklingsmål står i et eget vedlegg, som er unntatt offentlighet "
        "({{ kommune.skjermingshjemmel|liten }}).",
        "Leiaravtalen er eit offentleg dokument. Han blir gjord kjend for dei tilsette. Dei personlege "
        "utviklingsmåla til leiaren står i eit eige vedlegg, som er unnateke offentlegheit "
        "({{ kommune.skjermingshjemmel|liten }})."),
    # lederavtale.docx
    "agreement.title": (
        "Lederavtale {{ periode.ar }} – {{ leder.navn }}",
        "Leiaravtale {{ periode.ar }} – {{ leder.navn }}"),
    "agreement.purpose.1": (
        "Lederavtalen skal gjøre det tydelig hva som forventes av lederen i avtaleperioden, og hvilke rammer, "
        "fullmakter og hvilken støtte lederen har for å lykkes med oppdraget. Avtalen omsetter kommunestyrets "
        "vedtak og kommunedirektørens styringsbrev til konkrete oppdrag for enheten, og er grunnlaget for "
        "dialog, oppfølging og gjensidige forventninger mellom lederen og overordnet leder.",
        "Leiaravtalen skal gjere det tydeleg kva som er venta av leiaren i avtaleperioden, og kva rammer, "
        "fullmakter og støtte leiaren har for å lukkast med oppdraget. Avtalen gjer vedtaka i kommunestyret og "
        "styringsbrevet frå kommunedirektøren om til konkrete oppdrag for eininga, og er grunnlaget for dialog, "
        "oppfølging og felles forventingar mellom leiaren og overordna leiar."),
    "agreement.purpose.2": (
        "Avtalen skal bidra til at innbyggerne får gode tjenester innenfor de rammene kommunestyret har vedtatt, "
        "og til at {{ kommune.navn }} er en god arbeidsplass med et godt arbeidsmiljø.",
        "Avtalen skal medverke til at innbyggjarane får gode tenester innanfor dei rammene kommunestyret har "
        "vedteke, og til at {{ kommune.navn }} er ein god arbeidsplass med eit godt arbeidsmiljø."),
    "agreement.system": ("Lederavtalen i styringssystemet", "Leiaravtalen i styringssystemet"),
    "agreement.system.1": (
        "Lederavtalen er en del av kommunens helhetlige styringssystem. Kommuneplanens samfunnsdel angir de "
        "langsiktige målene. Handlingsprogrammet med økonomiplanen fastsetter "
        "prioriteringer og økonomiske rammer for de neste fire årene, og årsbudsjettet rammene for det første av "
        "dem. Kommunedirektøren gir hvert år et styringsbrev som "
        "omsetter kommunestyrets vedtak til oppdrag for tjenesteområdene. Lederavtalen gjør disse oppdragene "
        "konkrete for den enkelte enhet.",
        "Leiaravtalen er ein del av det heilskaplege styringssystemet i kommunen. Samfunnsdelen av "
        "kommuneplanen set dei langsiktige måla. Handlingsprogrammet med "
        "økonomiplanen fastset prioriteringar og økonomiske rammer for dei neste fire åra, og årsbudsjettet "
        "rammene for det første av dei. Kvart år gir kommunedirektøren eit "
        "styringsbrev som gjer vedtaka i kommunestyret om til oppdrag for tenesteområda. Leiaravtalen gjer "
        "desse oppdraga konkrete for kvar eining."),
    "agreement.system.2": (
        "Lederen utøver myndighet innenfor kommunens delegeringsreglement og den delegeringen som er gitt fra "
        "overordnet leder. Lederavtalen endrer ikke delegeringen, men beskriver hvordan myndigheten skal brukes "
        "i avtaleperioden.",
        "Leiaren utøver mynde innanfor delegeringsreglementet til kommunen og den delegeringa overordna leiar "
        "har gitt. Leiaravtalen endrar ikkje delegeringa, men skildrar korleis myndet skal brukast i "
        "avtaleperioden."),
    "agreement.authority": ("Myndighet og ansvar", "Mynde og ansvar"),
    "agreement.authority.1": (
        "Innenfor sitt ansvarsområde og i tråd med delegeringsreglementet har lederen ansvar for:",
        "Innanfor sitt eige ansvarsområde og i samsvar med delegeringsreglementet har leiaren ansvar for:"),
    "agreement.authority.bullets": ([
        "**Økonomi:** å drive enheten innenfor vedtatt budsjett, følge opp regnskapet hver måned og si fra til "
        "overordnet leder så tidlig som mulig når det er fare for avvik.",
        "**Personal:** å rekruttere, lede, utvikle og følge opp medarbeiderne, blant annet gjennom "
        "arbeidsplaner, sykefraværsoppfølging og medarbeidersamtaler, i tråd med lov, avtaleverk og kommunens retningslinjer.",
        "**Helse, miljø og sikkerhet (HMS):** å sørge for et fullt forsvarlig arbeidsmiljø, systematisk "
        "HMS-arbeid, risikovurderinger og oppfølging av avvik i samarbeid med verneombud og tillitsvalgte.",
        "**Internkontroll:** å sikre at enheten har internkontroll som er tilpasset virksomhetens størrelse, "
        "egenart, aktiviteter og risikoforhold, jf. kommuneloven §\u00a025-1, og at avvik blir meldt, fulgt opp og "
        "brukt til læring.",
        "**Tjenestekvalitet:** å sørge for at tjenestene holder god kvalitet, er i samsvar med lov og forskrift "
        "og utvikles i dialog med brukerne.",
        "**Informasjonssikkerhet og personvern:** å sørge for at personopplysninger og annen informasjon "
        "behandles forsvarlig og i tråd med kommunens rutiner.",
    ], [
        "**Økonomi:** å drive eininga innanfor vedteke budsjett, følgje opp rekneskapen kvar månad og seie frå "
        "til overordna leiar så tidleg som mogleg når det er fare for avvik.",
        "**Personal:** å rekruttere, leie, utvikle og følgje opp medarbeidarane, mellom anna gjennom "
        "arbeidsplanar, oppfølging av sjukefråvær og medarbeidarsamtalar, i samsvar med lov, avtaleverk og retningslinjene i "
        "kommunen.",
        "**Helse, miljø og sikkerheit (HMS):** å sørgje for eit fullt forsvarleg arbeidsmiljø, systematisk "
        "HMS-arbeid, risikovurderingar og oppfølging av avvik i samarbeid med verneombod og tillitsvalde.",
        "**Internkontroll:** å sikre at eininga har internkontroll som er tilpassa storleiken, eigenarten, "
        "aktivitetane og risikotilhøva i verksemda, jf. kommunelova §\u00a025-1, og at avvik blir melde, følgde opp "
        "og brukte til læring.",
        "**Tenestekvalitet:** å sørgje for at tenestene held god kvalitet, er i samsvar med lov og forskrift og "
        "blir utvikla i dialog med brukarane.",
        "**Informasjonstryggleik og personvern:** å sørgje for at personopplysningar og annan informasjon blir "
        "handsama forsvarleg og etter rutinane i kommunen.",
    ]),
    # Short sections HR may delete whole (maler/LESMEG.md): Kongsberg's room to decide, Røros' employer
    # strategy, Lunner's risk.
    "agreement.room": ("Handlingsrom", "Handlingsrom"),
    "agreement.room.1": (
        "Lederen har handlingsrom til selv å velge hvordan oppdragene løses, innenfor budsjettet, delegeringen, "
        "lov og avtaleverk og kommunens felles føringer. Lederen skal bruke handlingsrommet, ta beslutninger i "
        "tide og si fra til overordnet leder når rammene ikke strekker til. I avtalesamtalen går partene gjennom "
        "om handlingsrommet er tydelig nok.",
        "Leiaren har handlingsrom til sjølv å velje korleis oppdraga blir løyste, innanfor budsjettet, "
        "delegeringa, lov og avtaleverk og dei felles føringane i kommunen. Leiaren skal bruke handlingsrommet, "
        "ta avgjerder i tide og seie frå til overordna leiar når rammene ikkje strekk til. I avtalesamtalen går "
        "partane gjennom om handlingsrommet er tydeleg nok."),
    "agreement.strategy": ("Arbeidsgiverstrategien", "Arbeidsgivarstrategien"),
    "agreement.strategy.1": (
        "Lederavtalen er en del av hvordan {{ kommune.navn }} følger opp arbeidsgiverstrategien. Lederen bidrar "
        "til målene i den gjennom oppdragene og sitt eget lederskap: å rekruttere og beholde medarbeidere, "
        "utvikle kompetanse, bygge en heltidskultur, fremme nærvær og et godt arbeidsmiljø og legge til rette for "
        "medvirkning.",
        "Leiaravtalen er ein del av korleis {{ kommune.navn }} følgjer opp arbeidsgivarstrategien. Leiaren "
        "medverkar til måla i han gjennom oppdraga og sitt eige leiarskap: å rekruttere og halde på "
        "medarbeidarar, utvikle kompetanse, byggje ein heiltidskultur, fremje nærvær og eit godt arbeidsmiljø og "
        "leggje til rette for medverknad."),
    "agreement.risk": ("Risiko", "Risiko"),
    "agreement.risk.1": (
        "I avtalesamtalen går partene gjennom hva som kan hindre at oppdragene nås, for eksempel bemanning, "
        "økonomi, endrede rammer eller at enheten er avhengig av andre, og hvordan risikoen følges opp i "
        "enhetens internkontroll.",
        "I avtalesamtalen går partane gjennom kva som kan hindre at oppdraga blir nådde, til dømes bemanning, "
        "økonomi, endra rammer eller at eininga er avhengig av andre, og korleis risikoen blir følgd opp i "
        "internkontrollen til eininga."),
    "agreement.risk.box": (
        "**De viktigste risikoene:** hva som kan hindre at oppdragene nås, og hvordan de følges opp",
        "**Dei viktigaste risikoane:** kva som kan hindre at oppdraga blir nådde, og korleis dei blir følgde opp"),
    "agreement.demands": ("Krav til lederen", "Krav til leiaren"),
    "agreement.responsibility": (
        "Lederen har ansvar for å inngå lederavtaler med lederne under seg "
        "({{ underordnede|map(attribute='navn')|join(', ') }}) og for å følge dem opp gjennom året, på samme "
        "måte som denne avtalen følges opp.",
        "Leiaren har ansvar for å inngå leiaravtalar med leiarane under seg "
        "({{ underordnede|map(attribute='navn')|join(', ') }}) og for å følgje dei opp gjennom året, på same "
        "måten som denne avtalen blir følgd opp."),
    "director.responsibility": (
        "Kommunedirektøren har ansvar for å inngå lederavtaler med lederne under seg "
        "({{ underordnede|map(attribute='navn')|join(', ') }}) og for å følge dem opp gjennom året, slik at "
        "styringsbrevet når hele organisasjonen.",
        "Kommunedirektøren har ansvar for å inngå leiaravtalar med leiarane under seg "
        "({{ underordnede|map(attribute='navn')|join(', ') }}) og for å følgje dei opp gjennom året, slik at "
        "styringsbrevet når heile organisasjonen."),
    "principles.intro.director": (
        "Lederprinsippene i {{ kommune.navn }} beskriver hva som forventes av alle ledere i kommunen. "
        "Kommunedirektøren skal utøve lederskapet i tråd med dem og være et forbilde for de andre lederne:",
        "Leiarprinsippa i {{ kommune.navn }} skildrar kva som er venta av alle leiarar i kommunen. "
        "Kommunedirektøren skal utøve leiarskapet i tråd med dei og vere eit førebilete for dei andre "
        "leiarane:"),
    "agreement.pay": ("Lønn", "Løn"),
    "agreement.pay.kommunalsjef": (
        "Lederen lønnes etter Hovedtariffavtalen kap.\u00a03 pkt.\u00a03.4.2. Lønnen fastsettes i årlige "
        "lokale forhandlinger, der måloppnåelsen etter denne avtalen er en del av grunnlaget.",
        "Leiaren får løn etter Hovudtariffavtalen kap.\u00a03 pkt.\u00a03.4.2. Løna blir fastsett i årlege "
        "lokale forhandlingar, der måloppnåinga etter denne avtalen er ein del av grunnlaget."),
    "agreement.pay.virksomhetsleder": (
        "Lederen lønnes etter Hovedtariffavtalen kap.\u00a03 pkt.\u00a03.4.3. Lønnen fastsettes i årlige "
        "lokale forhandlinger, der måloppnåelsen etter denne avtalen er en del av grunnlaget.",
        "Leiaren får løn etter Hovudtariffavtalen kap.\u00a03 pkt.\u00a03.4.3. Løna blir fastsett i årlege "
        "lokale forhandlingar, der måloppnåinga etter denne avtalen er ein del av grunnlaget."),
    "agreement.pay.other": (
        "Lederens lønn fastsettes etter kommunens lønnspolitikk og Hovedtariffavtalens bestemmelser om lokale "
        "forhandlinger. Måloppnåelsen etter denne avtalen er en del av grunnlaget.",
        "Løna til leiaren blir fastsett etter lønspolitikken i kommunen og føresegnene i Hovudtariffavtalen om "
        "lokale forhandlingar. Måloppnåinga etter denne avtalen er ein del av grunnlaget."),
    "agreement.pay.2": (
        "Er oppdragene i avtalen ikke nådd, går partene gjennom årsakene i oppfølgingssamtalen. Skyldes det "
        "forhold lederen rår over, avtales tiltak, og det kan få betydning for lønnsutviklingen.",
        "Er oppdraga i avtalen ikkje nådde, går partane gjennom årsakene i oppfølgingssamtalen. Kjem det av "
        "forhold leiaren rår over, blir det avtalt tiltak, og det kan få noko å seie for lønsutviklinga."),
    "principles": ("Lederprinsipper", "Leiarprinsipp"),
    "principles.intro": (
        "Lederprinsippene i {{ kommune.navn }} beskriver hva som forventes av alle ledere i kommunen. Lederen skal "
        "utøve lederskapet i tråd med dem, og de er en del av grunnlaget for samtalene om avtalen:",
        "Leiarprinsippa i {{ kommune.navn }} skildrar kva som er venta av alle leiarar i kommunen. Leiaren skal "
        "utøve leiarskapet i tråd med dei, og dei er ein del av grunnlaget for samtalane om avtalen:"),
    "agreement.demands.level.kommunalsjef": (
        "Som kommunalsjef er lederen en del av kommunedirektørens ledergruppe og har ansvar for at "
        "tjenesteområdet henger sammen og utvikles som en helhet. Kommunalsjefen gir virksomhetslederne tydelige "
        "rammer og god støtte, og løfter saker til kommunedirektøren i tide. {{ kommune.navn }} forventer at "
        "kommunalsjefen",
        "Som kommunalsjef er leiaren ein del av leiargruppa til kommunedirektøren og har ansvar for at "
        "tenesteområdet heng saman og blir utvikla som ein heilskap. Kommunalsjefen gir verksemdsleiarane "
        "tydelege rammer og god støtte, og løfter saker til kommunedirektøren i tide. {{ kommune.navn }} ventar "
        "at kommunalsjefen"),
    "agreement.demands.level.virksomhetsleder": (
        "Som virksomhetsleder har lederen det samlede ansvaret for tjenestene, økonomien og medarbeiderne i "
        "{{ leder.enhet }}, og skal være tett på driften og på dem som bruker tjenestene. {{ kommune.navn }} "
        "forventer at virksomhetslederen",
        "Som verksemdsleiar har leiaren det samla ansvaret for tenestene, økonomien og medarbeidarane i "
        "{{ leder.enhet }}, og skal vere tett på drifta og på dei som bruker tenestene. {{ kommune.navn }} "
        "ventar at verksemdsleiaren"),
    "agreement.demands.level.avdelingsleder": (
        "Som avdelingsleder leder lederen det daglige arbeidet i avdelingen, tett på medarbeiderne og brukerne, "
        "og holder virksomhetslederen orientert om drift, økonomi og arbeidsmiljø. {{ kommune.navn }} forventer "
        "at avdelingslederen",
        "Som avdelingsleiar leier leiaren det daglege arbeidet i avdelinga, tett på medarbeidarane og brukarane, "
        "og held verksemdsleiaren orientert om drift, økonomi og arbeidsmiljø. {{ kommune.navn }} ventar at "
        "avdelingsleiaren"),
    "agreement.demands.level.other": (
        "{{ kommune.navn }} forventer at lederen",
        "{{ kommune.navn }} ventar at leiaren"),
    "agreement.demands.bullets": ([
        "utøver lederskap i tråd med kommunens verdier og arbeidsgiverpolitikk",
        "er tydelig, tilgjengelig og til stede for medarbeiderne, og legger til rette for medvirkning og godt "
        "samarbeid med tillitsvalgte og verneombud",
        "tar ansvar for helheten i kommunen, også utover eget ansvarsområde, og samarbeider på tvers av enheter "
        "og tjenesteområder",
        "følger opp vedtak, styringsbrev og fellesføringer lojalt og rapporterer til rett tid",
        "bidrar til nytenkning, digitalisering og kontinuerlig forbedring av tjenestene",
        "utvikler seg selv som leder, deltar i kommunens lederutvikling og opptrer i tråd med kommunens etiske "
        "retningslinjer",
    ], [
        "utøver leiarskap i tråd med verdiane og arbeidsgivarpolitikken i kommunen",
        "er tydeleg, tilgjengeleg og til stades for medarbeidarane, og legg til rette for medverknad og godt "
        "samarbeid med tillitsvalde og verneombod",
        "tek ansvar for heilskapen i kommunen, også utover sitt eige ansvarsområde, og samarbeider på tvers av "
        "einingar og tenesteområde",
        "følgjer opp vedtak, styringsbrev og fellesføringar lojalt og rapporterer til rett tid",
        "bidreg til nytenking, digitalisering og kontinuerleg forbetring av tenestene",
        "utviklar seg sjølv som leiar, deltek i leiarutviklinga i kommunen og opptrer i samsvar med dei etiske "
        "retningslinjene i kommunen",
    ]),
    "agreement.assignments": ("Oppdrag fra styringsbrevet", "Oppdrag frå styringsbrevet"),
    "agreement.assignments.intro": (
        "Oppdragene nedenfor er hentet fra kommunedirektørens styringsbrev for {{ periode.ar }} og gjelder for "
        f"{{% if {level_test('avdelingsleder')} %}}lederens avdeling ({{{{ leder.stilling|liten }}}}) i "
        "{{ leder.enhet }}{% else %}{{ leder.enhet }}{% endif %}. Under hvert oppdrag står tiltakene lederen selv "
        "setter i gang for å nå målene, og der skriver partene i avtalesamtalen lederens viktigste bidrag og "
        "ambisjonen de blir enige om.",
        "Oppdraga nedanfor er henta frå styringsbrevet til kommunedirektøren for {{ periode.ar }} og gjeld for "
        f"{{% if {level_test('avdelingsleder')} %}}avdelinga til leiaren ({{{{ leder.stilling|liten }}}}) i "
        "{{ leder.enhet }}{% else %}{{ leder.enhet }}{% endif %}. Under kvart oppdrag står dei tiltaka leiaren "
        "sjølv set i verk for å nå måla, og der skriv partane i avtalesamtalen det viktigaste leiaren bidreg med "
        "og ambisjonen dei blir samde om."),
    "agreement.assignments.empty": (
        "Enheten har ikke fått egne oppdrag i styringsbrevet for {{ periode.ar }}. Lederen og overordnet leder "
        "kan avtale oppdrag i avtalesamtalen og føre dem inn her.",
        "Eininga har ikkje fått eigne oppdrag i styringsbrevet for {{ periode.ar }}. Leiaren og overordna leiar "
        "kan avtale oppdrag i avtalesamtalen og føre dei inn her."),
    "agreement.measures": ("Lederens tiltak", "Tiltak frå leiaren"),
    "agreement.support": ("Lederstøtte", "Leiarstøtte"),
    "agreement.support.1": (
        "Lederen har krav på støtte fra kommunens fellestjenester for å kunne utøve lederrollen:",
        "Leiaren har krav på støtte frå fellestenestene i kommunen for å kunne utøve leiarrolla:"),
    "agreement.support.bullets": ([
        "**HR:** råd i personalsaker, rekruttering, sykefraværsoppfølging, arbeidsmiljø og omstilling",
        "**Økonomi:** budsjettarbeid, månedlig regnskapsoppfølging og rapportering",
        "**IT og digitalisering:** drift av fagsystemer, informasjonssikkerhet og støtte i "
        "digitaliseringsprosjekter",
        "**Lederutvikling:** ledersamlinger, lederopplæring og kollegaveiledning",
    ], [
        "**HR:** råd i personalsaker, rekruttering, oppfølging av sjukefråvær, arbeidsmiljø og omstilling",
        "**Økonomi:** budsjettarbeid, månadleg oppfølging av rekneskapen og rapportering",
        "**IT og digitalisering:** drift av fagsystem, informasjonstryggleik og støtte i digitaliseringsprosjekt",
        "**Leiarutvikling:** leiarsamlingar, leiaropplæring og kollegarettleiing",
    ]),
    "agreement.support.2": (
        "Overordnet leder skal være tilgjengelig for lederen, gi tydelige rammer og tilbakemeldinger og ta tak i "
        "saker lederen ikke kan løse på eget nivå.",
        "Overordna leiar skal vere tilgjengeleg for leiaren, gi tydelege rammer og tilbakemeldingar og ta tak i "
        "saker leiaren ikkje kan løyse på eige nivå."),
    # Who calls the avtalesamtale, and by when the agreement is signed (the end of the first quarter).
    "agreement.follow_up.call": (
        "Avtalen inngås i **avtalesamtalen** mellom lederen og overordnet leder i januar. Overordnet leder kaller "
        f"inn til samtalen, og avtalen skal være signert innen {DEADLINE}.",
        "Avtalen blir inngått i **avtalesamtalen** mellom leiaren og overordna leiar i januar. Overordna leiar "
        f"kallar inn til samtalen, og avtalen skal vere underskriven innan {DEADLINE}."),
    "agreement.follow_up.1": (
        "Deretter følges lederavtalen opp i to faste samtaler mellom lederen og overordnet leder, som overordnet "
        "leder også kaller inn til:",
        "Deretter blir leiaravtalen følgd opp i to faste samtalar mellom leiaren og overordna leiar, som overordna "
        "leiar òg kallar inn til:"),
    "agreement.follow_up.bullets": ([
        "**Våren:** ledersamtale (medarbeidersamtale for ledere) der partene går gjennom status for oppdragene "
        "og tiltakene, arbeidsmiljøet og lederens egen utvikling.",
        "**Høsten:** oppfølgingssamtale der partene vurderer måloppnåelsen, justerer tiltakene ved behov og "
        "forbereder neste års lederavtale. Lederens personlige utviklingsmål og vurdering av egen ledelse følges "
        "opp i et eget vedlegg til samtalen, som er unntatt offentlighet.",
    ], [
        "**Våren:** leiarsamtale (medarbeidarsamtale for leiarar) der partane går gjennom status for oppdraga og "
        "tiltaka, arbeidsmiljøet og den personlege utviklinga til leiaren.",
        "**Hausten:** oppfølgingssamtale der partane vurderer måloppnåinga, justerer tiltaka ved behov og "
        "førebur leiaravtalen for neste år. Dei personlege utviklingsmåla og vurderinga leiaren gjer av eiga "
        "leiing blir følgde opp i eit eige vedlegg til samtalen, som er unnateke offentlegheit.",
    ]),
    "agreement.follow_up.2": (
        "I tillegg følges oppdragene opp gjennom den ordinære virksomhetsrapporteringen (tertialrapporter og "
        "årsrapport) og faste oppfølgingsmøter. Lederens personlige utviklingsmål avtales i avtalesamtalen og "
        "føres i vedlegget.",
        "I tillegg blir oppdraga følgde opp gjennom den ordinære verksemdsrapporteringa (tertialrapportar og "
        "årsrapport) og faste oppfølgingsmøte. Dei personlege utviklingsmåla til leiaren blir avtalte i "
        "avtalesamtalen og førte i vedlegget."),
    "agreement.changes.1": (
        "Dersom forutsetningene for avtalen endrer seg vesentlig i løpet av perioden, for eksempel ved nye "
        "politiske vedtak, budsjettendringer, omorganisering eller endret delegering, skal avtalen revideres. "
        "Begge parter kan be om at avtalen tas opp til ny vurdering. Endringer avtales skriftlig og signeres av "
        "begge parter.",
        "Dersom føresetnadene for avtalen endrar seg vesentleg i løpet av perioden, til dømes ved nye politiske "
        "vedtak, endringar i budsjettet, omorganisering eller endra delegering, skal avtalen reviderast. Begge "
        "partar kan be om at avtalen blir teken opp til ny vurdering. Endringar blir avtalte skriftleg og "
        "underskrivne av begge partar."),
    # vedlegg.docx
    "appendix.title": (
        "Personlige utviklingsmål {{ periode.ar }} (unntatt offentlighet)",
        "Personlege utviklingsmål {{ periode.ar }} (unnateke offentlegheit)"),
    "appendix.footer": (
        "Personlige utviklingsmål {{ periode.ar }} – {{ leder.navn }}",
        "Personlege utviklingsmål {{ periode.ar }} – {{ leder.navn }}"),
    "appendix.header_mark": (
        "Unntatt offentlighet – {{ kommune.skjermingshjemmel|liten }}",
        "Unnateke offentlegheit – {{ kommune.skjermingshjemmel|liten }}"),
    "appendix.stamp": ("Unntatt offentlighet", "Unnateke offentlegheit"),
    "appendix.heading": ("Personlige utviklingsmål {{ periode.ar }}", "Personlege utviklingsmål {{ periode.ar }}"),
    "appendix.subtitle": (
        "Vedlegg til lederavtale {{ periode.ar }} for {{ leder.navn }}",
        "Vedlegg til leiaravtale {{ periode.ar }} for {{ leder.navn }}"),
    "appendix.intro.1": (
        "Dette vedlegget inneholder lederens personlige utviklingsmål for avtaleperioden. De avtales i "
        "avtalesamtalen og følges opp i ledersamtalen og oppfølgingssamtalen.",
        "Dette vedlegget inneheld dei personlege utviklingsmåla til leiaren for avtaleperioden. Dei blir avtalte "
        "i avtalesamtalen og følgde opp i leiarsamtalen og oppfølgingssamtalen."),
    # The stamp and the page header say that it is exempt and why; the text says who may read it.
    "appendix.intro.2": (
        "Vedlegget oppbevares atskilt fra lederavtalen, som er offentlig. Bare lederen, overordnet leder og HR "
        "skal ha tilgang til det.",
        "Vedlegget blir oppbevart åtskilt frå leiaravtalen, som er offentleg. Berre leiaren, overordna leiar og "
        "HR skal ha tilgang til det."),
    "appendix.intro.1.director": (
        "Dette vedlegget inneholder kommunedirektørens personlige utviklingsmål for avtaleperioden. De avtales "
        "med ordføreren i avtalesamtalen og følges opp i ledersamtalen og oppfølgingssamtalen.",
        "Dette vedlegget inneheld dei personlege utviklingsmåla til kommunedirektøren for avtaleperioden. Dei blir "
        "avtalte med ordføraren i avtalesamtalen og følgde opp i leiarsamtalen og oppfølgingssamtalen."),
    "appendix.intro.2.director": (
        "Vedlegget oppbevares atskilt fra lederavtalen, som er offentlig, i kommunedirektørens personalmappe. "
        "Bare kommunedirektøren og ordføreren, og den kommunestyret har gitt fullmakt, skal ha tilgang til det.",
        "Vedlegget blir oppbevart åtskilt frå leiaravtalen, som er offentleg, i personalmappa til "
        "kommunedirektøren. Berre kommunedirektøren og ordføraren, og den kommunestyret har gitt fullmakt, skal "
        "ha tilgang til det."),
    # Lørenskog: what the leader is good at and finds hard, tied to two or three leadership principles.
    "appendix.strengths": ("Styrker og utfordringer", "Styrkar og utfordringar"),
    "appendix.strengths.principles": (
        "Velg to eller tre av lederprinsippene: hva er du god til, og hva er utfordrende for deg?",
        "Vel to eller tre av leiarprinsippa: kva er du god til, og kva er utfordrande for deg?"),
    "appendix.strengths.general": (
        "Velg to eller tre av forventningene i avtalen: hva er du god til, og hva er utfordrende for deg?",
        "Vel to eller tre av forventingane i avtalen: kva er du god til, og kva er utfordrande for deg?"),
    "appendix.strengths.items": (["**Dette er jeg god til:**", "**Dette er utfordrende for meg:**"],
                                 ["**Dette er eg god til:**", "**Dette er utfordrande for meg:**"]),
    # lederavtale_kommunedirektor.docx
    "director.title": (
        "Lederavtale {{ periode.ar }} – kommunedirektør {{ leder.navn }}",
        "Leiaravtale {{ periode.ar }} – kommunedirektør {{ leder.navn }}"),
    "director.purpose.1": (
        "Lederavtalen skal klargjøre kommunestyrets forventninger til kommunedirektøren i avtaleperioden og være "
        "grunnlaget for dialog, oppfølging og evaluering. Kommunestyret ansetter kommunedirektøren, jf. "
        "kommuneloven §\u00a013-1, og ordføreren ivaretar den løpende arbeidsgiverdialogen på vegne av "
        "kommunestyret.",
        "Leiaravtalen skal gjere klart kva kommunestyret ventar av kommunedirektøren i avtaleperioden, og vere "
        "grunnlaget for dialog, oppfølging og evaluering. Kommunestyret tilset kommunedirektøren, jf. "
        "kommunelova §\u00a013-1, og ordføraren tek hand om den løpande arbeidsgivardialogen på vegner av "
        "kommunestyret."),
    "director.role": ("Kommunedirektørens rolle og ansvar", "Rolla og ansvaret til kommunedirektøren"),
    "director.role.1": (
        "Kommunedirektøren er leder av den samlede kommunale administrasjonen og skal innenfor de rammene "
        "kommunestyret fastsetter",
        "Kommunedirektøren er leiar for den samla kommunale administrasjonen og skal innanfor dei rammene "
        "kommunestyret fastset"),
    "director.role.bullets": ([
        "påse at saker som legges fram for folkevalgte organer, er forsvarlig utredet, og at vedtak blir "
        "iverksatt uten ugrunnet opphold",
        "sørge for at administrasjonen drives i samsvar med lover, forskrifter og overordnede instrukser, og at "
        "den er gjenstand for betryggende kontroll (internkontroll, jf. kommuneloven kapittel 25)",
        "lede kommunens økonomiforvaltning innenfor vedtatt budsjett og økonomiplan og gi kommunestyret god og "
        "rettidig rapportering om økonomi og måloppnåelse",
        "være kommunens øverste arbeidsgiverrepresentant, med ansvar for arbeidsgiverpolitikk, lederutvikling, "
        "arbeidsmiljø og godt samarbeid med tillitsvalgte og verneombud",
        "utvikle kommunen som organisasjon og samfunnsutvikler, i samarbeid med innbyggere, næringsliv, "
        "frivillighet og andre offentlige aktører",
    ], [
        "sjå til at saker som blir lagde fram for folkevalde organ, er forsvarleg utgreidde, og at vedtak blir "
        "sette i verk utan ugrunna opphald",
        "sørgje for at administrasjonen blir driven i samsvar med lover, forskrifter og overordna instruksar, og "
        "at det er betryggjande kontroll med verksemda (internkontroll, jf. kommunelova kapittel 25)",
        "leie økonomiforvaltninga i kommunen innanfor vedteke budsjett og økonomiplan og gi kommunestyret god "
        "rapportering til rett tid om økonomi og måloppnåing",
        "vere den øvste arbeidsgivarrepresentanten i kommunen, med ansvar for arbeidsgivarpolitikk, "
        "leiarutvikling, arbeidsmiljø og godt samarbeid med tillitsvalde og verneombod",
        "utvikle kommunen som organisasjon og samfunnsutviklar, i samarbeid med innbyggjarar, næringsliv, "
        "frivillige lag og andre offentlege aktørar",
    ]),
    "director.mutual": ("Gjensidige forventninger", "Gjensidige forventingar"),
    "director.mutual.1": (
        "Et godt samspill mellom folkevalgte og administrasjon bygger på tillit, tydelige roller og klare "
        "forventninger begge veier. Ordføreren og kommunedirektøren går gjennom forventningene nedenfor i "
        "samtalene sine, og de er en del av grunnlaget for evalueringen.",
        "Eit godt samspel mellom folkevalde og administrasjonen byggjer på tillit, tydelege roller og klare "
        "forventingar begge vegar. Ordføraren og kommunedirektøren går gjennom forventingane nedanfor i "
        "samtalane sine, og dei er ein del av grunnlaget for evalueringa."),
    "director.expectations": (
        "Det kommunestyret forventer av kommunedirektøren",
        "Det kommunestyret ventar av kommunedirektøren"),
    "director.expectations.1": (
        "Kommunestyret forventer at kommunedirektøren",
        "Kommunestyret ventar at kommunedirektøren"),
    "director.expectations.bullets": ([
        "utøver lederskap i tråd med kommunens verdier og etiske retningslinjer",
        "er tydelig og tilgjengelig for de folkevalgte, lederne og medarbeiderne",
        "sikrer helhet og samordning på tvers av tjenesteområdene",
        "legger til rette for innovasjon, digitalisering og kontinuerlig forbedring",
        "gir de folkevalgte faglig gode og nøytrale saksframlegg, også når det faglige rådet er upopulært",
        "holder ordføreren orientert om viktige saker, og i god tid tar opp forhold som kan få politiske eller "
        "økonomiske følger eller svekke tilliten til kommunen",
    ], [
        "utøver leiarskap i tråd med verdiane og dei etiske retningslinjene i kommunen",
        "er tydeleg og tilgjengeleg for dei folkevalde, leiarane og medarbeidarane",
        "sikrar heilskap og samordning på tvers av tenesteområda",
        "legg til rette for innovasjon, digitalisering og kontinuerleg forbetring",
        "gir dei folkevalde fagleg gode og nøytrale saksframlegg, også når det faglege rådet er upopulært",
        "held ordføraren orientert om viktige saker, og tek opp i god tid forhold som kan få politiske eller "
        "økonomiske følgjer eller svekkje tilliten til kommunen",
    ]),
    "director.expects": (
        "Det kommunedirektøren kan forvente av ordføreren og kommunestyret",
        "Det kommunedirektøren kan vente av ordføraren og kommunestyret"),
    "director.expects.1": (
        "Kommunedirektøren kan forvente at ordføreren og kommunestyret",
        "Kommunedirektøren kan vente at ordføraren og kommunestyret"),
    "director.expects.bullets": ([
        "gir tydelige mål, prioriteringer og rammer gjennom planer, budsjett og vedtak",
        "respekterer rollefordelingen: oppdrag til administrasjonen gis gjennom vedtak i folkevalgte organer, og "
        "henvendelser om administrasjonens arbeid går til kommunedirektøren, ikke direkte til andre ansatte",
        "tar opp kritikk og uenighet direkte med kommunedirektøren",
        "gir jevnlige og ærlige tilbakemeldinger, både på det som går bra og det som bør bli bedre",
        "holder kommunedirektøren orientert om politiske prosesser og signaler som har betydning for "
        "administrasjonen, blant annet i faste møter mellom ordføreren og kommunedirektøren",
        "står bak kommunedirektøren utad når kommunedirektøren har handlet i tråd med vedtak og fullmakter",
    ], [
        "gir tydelege mål, prioriteringar og rammer gjennom planar, budsjett og vedtak",
        "respekterer rollefordelinga: oppdrag til administrasjonen blir gitt gjennom vedtak i folkevalde organ, "
        "og førespurnader om arbeidet i administrasjonen går til kommunedirektøren, ikkje direkte til andre "
        "tilsette",
        "tek opp kritikk og usemje direkte med kommunedirektøren",
        "gir jamlege og ærlege tilbakemeldingar, både på det som går bra og det som bør bli betre",
        "held kommunedirektøren orientert om politiske prosessar og signal som har noko å seie for "
        "administrasjonen, mellom anna i faste møte mellom ordføraren og kommunedirektøren",
        "står bak kommunedirektøren utad når kommunedirektøren har handla i tråd med vedtak og fullmakter",
    ]),
    # The workbook gives the kommunedirektør only the items named for that role, so this is
    # what is asked of the kommunedirektør in particular, not the kommunestyre's goals.
    "director.goals": (
        "Særskilte mål og oppdrag for {{ periode.ar }}",
        "Særskilde mål og oppdrag for {{ periode.ar }}"),
    "director.goals.intro": (
        "Målene og oppdragene nedenfor er gitt kommunedirektøren særskilt for {{ periode.ar }}. De kommer i "
        "tillegg til kommunestyrets vedtak i kommuneplanen, handlingsprogrammet med økonomiplan og årsbudsjettet, "
        "som kommunedirektøren følger opp i hele organisasjonen gjennom styringsbrevet og lederavtalene. Under "
        "hvert av dem skriver partene i avtalesamtalen kommunedirektørens viktigste bidrag og ambisjonen de blir "
        "enige om.",
        "Måla og oppdraga nedanfor er gitt kommunedirektøren særskilt for {{ periode.ar }}. Dei kjem i tillegg "
        "til vedtaka i kommunestyret om kommuneplanen, handlingsprogrammet med økonomiplanen og årsbudsjettet, "
        "som kommunedirektøren følgjer opp i heile organisasjonen gjennom styringsbrevet og leiaravtalane. Under "
        "kvart av dei skriv partane i avtalesamtalen det viktigaste kommunedirektøren bidreg med og ambisjonen "
        "dei blir samde om."),
    "director.goals.empty": (
        "Kommunedirektøren har ikke fått særskilte mål eller oppdrag for {{ periode.ar }} utover kommunestyrets "
        "vedtak i kommuneplanen, handlingsprogrammet med økonomiplan og årsbudsjettet. Ordføreren og "
        "kommunedirektøren kan avtale særskilte mål i avtalesamtalen og føre dem inn her.",
        "Kommunedirektøren har ikkje fått særskilde mål eller oppdrag for {{ periode.ar }} utover vedtaka i "
        "kommunestyret om kommuneplanen, handlingsprogrammet med økonomiplanen og årsbudsjettet. Ordføraren og "
        "kommunedirektøren kan avtale særskilde mål i avtalesamtalen og føre dei inn her."),
    "director.measures": ("Kommunedirektørens tiltak", "Tiltak frå kommunedirektøren"),
    "director.follow_up.call": (
        "Avtalen inngås i **avtalesamtalen** mellom ordføreren og kommunedirektøren i januar. Ordføreren kaller "
        f"inn til samtalen, og avtalen skal være signert innen {DEADLINE}.",
        "Avtalen blir inngått i **avtalesamtalen** mellom ordføraren og kommunedirektøren i januar. Ordføraren "
        f"kallar inn til samtalen, og avtalen skal vere underskriven innan {DEADLINE}."),
    "director.follow_up.1": (
        "Deretter har ordføreren og kommunedirektøren to faste samtaler i avtaleperioden, som ordføreren også "
        "kaller inn til:",
        "Deretter har ordføraren og kommunedirektøren to faste samtalar i avtaleperioden, som ordføraren òg "
        "kallar inn til:"),
    "director.follow_up.bullets": ([
        "**Våren:** ledersamtale (medarbeidersamtale) der de går gjennom status for målene og oppdragene, "
        "samarbeidet mellom folkevalgte og administrasjon og kommunedirektørens arbeidssituasjon og utvikling.",
        "**Høsten:** oppfølgingssamtale der de går gjennom status for målene og oppdragene og de gjensidige "
        "forventningene, og der ordføreren evaluerer kommunedirektøren. Ordføreren kan ta med varaordføreren i "
        "samtalen.",
    ], [
        "**Våren:** leiarsamtale (medarbeidarsamtale) der dei går gjennom status for måla og oppdraga, "
        "samarbeidet mellom folkevalde og administrasjonen og arbeidssituasjonen og utviklinga til "
        "kommunedirektøren.",
        "**Hausten:** oppfølgingssamtale der dei går gjennom status for måla og oppdraga og dei gjensidige "
        "forventingane, og der ordføraren evaluerer kommunedirektøren. Ordføraren kan ta med varaordføraren i "
        "samtalen.",
    ]),
    "director.self": ("Kommunedirektørens egenevaluering", "Eigenevalueringa til kommunedirektøren"),
    # The self-evaluation and the ordfører's evaluation appraise a named employee: exempt, in the
    # follow-up's appendix (oppfolging_vedlegg_kommunedirektor.docx), never in a public document.
    "director.self.1": (
        "Før oppfølgingssamtalen skriver kommunedirektøren en kort egenevaluering og sender den til ordføreren "
        "senest én uke før samtalen. Den føres, sammen med ordførerens evaluering, i et eget vedlegg til "
        "oppfølgingssamtalen, som er unntatt offentlighet fordi det er en vurdering av en arbeidstaker. "
        "Egenevalueringen tar for seg",
        "Før oppfølgingssamtalen skriv kommunedirektøren ei kort eigenevaluering og sender henne til ordføraren "
        "seinast ei veke før samtalen. Ho blir ført, saman med evalueringa frå ordføraren, i eit eige vedlegg "
        "til oppfølgingssamtalen, som er unnateke offentlegheit fordi det er ei vurdering av ein arbeidstakar. "
        "Eigenevalueringa tek for seg"),
    "director.self.bullets": ([
        "måloppnåelsen for målene og oppdragene i denne avtalen og for kommunestyrets viktigste vedtak",
        "hvordan kommunedirektøren har fylt rollen og møtt forventningene i avtalen",
        "hva som har gått godt, hva som kunne vært gjort annerledes, og hvorfor",
        "prioriteringer, risiko og eget utviklingsbehov for neste periode",
    ], [
        "måloppnåinga for måla og oppdraga i denne avtalen og for dei viktigaste vedtaka i kommunestyret",
        "korleis kommunedirektøren har fylt rolla og møtt forventingane i avtalen",
        "kva som har gått godt, kva som kunne vore gjort annleis, og kvifor",
        "prioriteringar, risiko og eige utviklingsbehov for neste periode",
    ]),
    "director.evidence": ("Grunnlaget for evalueringen", "Grunnlaget for evalueringa"),
    "director.evidence.1": (
        "Evalueringen skal bygge på dokumentert kunnskap om resultatene, ikke bare på inntrykk. Grunnlaget er "
        "blant annet",
        "Evalueringa skal byggje på dokumentert kunnskap om resultata, ikkje berre på inntrykk. Grunnlaget er "
        "mellom anna"),
    "director.evidence.bullets": ([
        "årsregnskapet og årsrapporten, tertialrapportene og den øvrige økonomirapporteringen",
        "nøkkeltall for tjenestene (blant annet KOSTRA) og resultater fra bruker- og innbyggerundersøkelser",
        "medarbeiderundersøkelsen, sykefraværet og HMS-arbeidet",
        "rapporter fra kontrollutvalget, forvaltningsrevisjon og statlige tilsyn",
        "kommunedirektørens egenevaluering",
        "erfaringene ordføreren og formannskapet har med samarbeidet mellom folkevalgte og administrasjon",
    ], [
        "årsrekneskapen og årsrapporten, tertialrapportane og den andre økonomirapporteringa",
        "nøkkeltal for tenestene (mellom anna KOSTRA) og resultat frå brukar- og innbyggjarundersøkingar",
        "medarbeidarundersøkinga, sjukefråværet og HMS-arbeidet",
        "rapportar frå kontrollutvalet, forvaltningsrevisjon og statlege tilsyn",
        "eigenevalueringa til kommunedirektøren",
        "røynslene ordføraren og formannskapet har med samarbeidet mellom folkevalde og administrasjonen",
    ]),
    "director.political": ("Politisk behandling", "Politisk handsaming"),
    "director.political.1": (
        "Ordføreren og kommunedirektøren utarbeider utkastet til lederavtale. Formannskapet drøfter utkastet før "
        "ordføreren inngår avtalen på vegne av kommunestyret, og kommunestyret orienteres om den inngåtte "
        "avtalen.",
        "Ordføraren og kommunedirektøren utarbeider utkastet til leiaravtale. Formannskapet drøftar utkastet før "
        "ordføraren inngår avtalen på vegner av kommunestyret, og kommunestyret blir orientert om avtalen som er "
        "inngått."),
    "director.political.2": (
        "Etter oppfølgingssamtalen orienterer ordføreren formannskapet om at evalueringen er gjennomført. Skal "
        "formannskapet eller kommunestyret drøfte innholdet i evalueringen eller kommunedirektørens lønn, gjelder "
        "saken kommunedirektørens tjenstlige forhold, og den behandles i lukket møte, jf. kommuneloven "
        "§\u00a011-5.",
        "Etter oppfølgingssamtalen orienterer ordføraren formannskapet om at evalueringa er gjennomført. Skal "
        "formannskapet eller kommunestyret drøfte innhaldet i evalueringa eller løna til kommunedirektøren, "
        "gjeld saka dei tenestlege forholda til kommunedirektøren, og ho blir handsama i lukka møte, jf. "
        "kommunelova §\u00a011-5."),
    "director.salary": ("Lønnsforhandling", "Lønsforhandling"),
    "director.salary.1": (
        "Evalueringen er en del av grunnlaget for den årlige lønnsforhandlingen med kommunedirektøren etter "
        "Hovedtariffavtalen kap.\u00a03 pkt.\u00a03.4.1. Ordføreren, eller den kommunestyret har gitt "
        "fullmakt, forhandler på vegne av kommunestyret, og resultatet behandles etter kommunens delegeringsreglement.",
        "Evalueringa er ein del av grunnlaget for den årlege lønsforhandlinga med kommunedirektøren etter "
        "Hovudtariffavtalen kap.\u00a03 pkt.\u00a03.4.1. Ordføraren, eller den kommunestyret har gitt "
        "fullmakt, forhandlar på vegner av kommunestyret, og resultatet blir handsama etter delegeringsreglementet til "
        "kommunen."),
    "director.changes.1": (
        "Dersom forutsetningene for avtalen endrer seg vesentlig, for eksempel ved nye politiske vedtak, "
        "budsjettendringer eller endret organisering, skal avtalen revideres. Både ordføreren og "
        "kommunedirektøren kan be om at avtalen tas opp til ny vurdering. Endringer avtales skriftlig og "
        "signeres av begge parter.",
        "Dersom føresetnadene for avtalen endrar seg vesentleg, til dømes ved nye politiske vedtak, endringar i "
        "budsjettet eller endra organisering, skal avtalen reviderast. Både ordføraren og kommunedirektøren kan "
        "be om at avtalen blir teken opp til ny vurdering. Endringar blir avtalte skriftleg og underskrivne av "
        "begge partar."),
    # oppfolging_kommunedirektor.docx: the evaluation of the kommunedirektør (after Øyer)
    "director_follow_up.title": ("Oppfølgingssamtale med kommunedirektøren {{ periode.ar }} – {{ leder.navn }}",
                                 "Oppfølgingssamtale med kommunedirektøren {{ periode.ar }} – {{ leder.navn }}"),
    "director_follow_up.heading": ("Oppfølgingssamtale {{ periode.ar }}", "Oppfølgingssamtale {{ periode.ar }}"),
    "director_follow_up.subtitle": ("Oppfølging av lederavtalen mellom kommunestyret og kommunedirektøren",
                                    "Oppfølging av leiaravtalen mellom kommunestyret og kommunedirektøren"),
    "director_follow_up.purpose.1": (
        "Lederavtalen sier at ordføreren og kommunedirektøren har to faste samtaler i året etter "
        "avtalesamtalen: ledersamtalen om våren og denne oppfølgingssamtalen om høsten, som ordføreren kaller inn "
        "til. Her går de gjennom status for målene og oppdragene i avtalen, og om begge parter har innfridd de "
        "gjensidige forventningene: det kommunestyret forventer av kommunedirektøren, og det kommunedirektøren "
        "kan forvente av ordføreren og kommunestyret.",
        "Leiaravtalen seier at ordføraren og kommunedirektøren har to faste samtalar i året etter "
        "avtalesamtalen: leiarsamtalen om våren og denne oppfølgingssamtalen om hausten, som ordføraren kallar inn "
        "til. Her går dei gjennom status for måla og oppdraga i avtalen, og om begge partar har innfridd dei "
        "gjensidige forventingane: det kommunestyret ventar av kommunedirektøren, og det kommunedirektøren kan "
        "vente av ordføraren og kommunestyret."),
    "director_follow_up.opposition": (
        "Opposisjonsleder {{ kommune.opposisjonsleder }} deltar i oppfølgingssamtalen sammen med ordføreren, "
        "slik kommunestyret har bestemt.",
        "Opposisjonsleiar {{ kommune.opposisjonsleder }} deltek i oppfølgingssamtalen saman med ordføraren, "
        "slik kommunestyret har bestemt."),
    "director_follow_up.purpose.2": (
        "Dokumentet er offentlig, på samme måte som lederavtalen. Ordførerens evaluering av kommunedirektøren og "
        "kommunedirektørens egenevaluering er vurderinger av en arbeidstaker. De står ikke her, men i vedlegget "
        "til oppfølgingssamtalen, som er unntatt offentlighet ({{ kommune.skjermingshjemmel|liten }}). Drøfter "
        "formannskapet eller kommunestyret evalueringen eller lønnen, skjer det i lukket møte, jf. kommuneloven "
        "§\u00a011-5.",
        "Dokumentet er offentleg, på same måten som leiaravtalen. Evalueringa ordføraren gjer av "
        "kommunedirektøren og eigenevalueringa til kommunedirektøren er vurderingar av ein arbeidstakar. Dei står "
        "ikkje her, men i vedlegget til oppfølgingssamtalen, som er unnateke offentlegheit "
        "({{ kommune.skjermingshjemmel|liten }}). Drøftar formannskapet eller kommunestyret evalueringa eller "
        "løna, skjer det i lukka møte, jf. kommunelova §\u00a011-5."),
    "director_follow_up.goals.intro": (
        "Målene og oppdragene nedenfor er gitt kommunedirektøren særskilt i lederavtalen for {{ periode.ar }}. "
        "Kryss av for status, og skriv resultatet og en kommentar for hvert av dem.",
        "Måla og oppdraga nedanfor er gitt kommunedirektøren særskilt i leiaravtalen for {{ periode.ar }}. "
        "Kryss av for status, og skriv resultatet og ein kommentar for kvart av dei."),
    "director_follow_up.goals.empty": (
        "Lederavtalen har ingen særskilte mål eller oppdrag for kommunedirektøren for {{ periode.ar }}.",
        "Leiaravtalen har ingen særskilde mål eller oppdrag for kommunedirektøren for {{ periode.ar }}."),
    # The agreement's expectations both ways, as the conversation goes through them (Øyer): about the
    # collaboration and the roles, never an appraisal of the kommunedirektør as a person.
    "director_follow_up.mutual.intro": (
        "Partene går gjennom forventningene i lederavtalen, begge veier. Skriv hva som har fungert, og hva som "
        "bør endres, om samarbeidet og rollene, ikke som en vurdering av kommunedirektøren personlig.",
        "Partane går gjennom forventingane i leiaravtalen, begge vegar. Skriv kva som har fungert, og kva som "
        "bør endrast, om samarbeidet og rollene, ikkje som ei vurdering av kommunedirektøren personleg."),
    "director_follow_up.politicians.items": ([
        "**Mål og rammer:** Har ordføreren og kommunestyret gitt tydelige mål, prioriteringer og rammer gjennom "
        "planer, budsjett og vedtak?",
        "**Rollene:** Er oppdrag til administrasjonen gitt gjennom vedtak i folkevalgte organer, og har "
        "henvendelser om administrasjonens arbeid gått til kommunedirektøren?",
        "**Dialog:** Har kommunedirektøren fått jevnlige tilbakemeldinger og blitt holdt orientert om politiske "
        "prosesser og signaler?",
    ], [
        "**Mål og rammer:** Har ordføraren og kommunestyret gitt tydelege mål, prioriteringar og rammer gjennom "
        "planar, budsjett og vedtak?",
        "**Rollene:** Er oppdrag til administrasjonen gitt gjennom vedtak i folkevalde organ, og har "
        "førespurnader om arbeidet i administrasjonen gått til kommunedirektøren?",
        "**Dialog:** Har kommunedirektøren fått jamlege tilbakemeldingar og blitt halden orientert om politiske "
        "prosessar og signal?",
    ]),
    "director_follow_up.administration.items": ([
        "**Saksframlegg og vedtak:** Har sakene til de folkevalgte vært forsvarlig utredet, og er vedtakene satt i "
        "verk uten ugrunnet opphold?",
        "**Rapportering og orientering:** Har kommunestyret fått god og rettidig rapportering om økonomi og "
        "måloppnåelse, og ordføreren orientering om viktige saker?",
    ], [
        "**Saksframlegg og vedtak:** Har sakene til dei folkevalde vore forsvarleg utgreidde, og er vedtaka sette i "
        "verk utan ugrunna opphald?",
        "**Rapportering og orientering:** Har kommunestyret fått god rapportering til rett tid om økonomi og "
        "måloppnåing, og ordføraren orientering om viktige saker?",
    ]),
    "director_follow_up.evidence": ("Grunnlaget for oppfølgingen", "Grunnlaget for oppfølginga"),
    "director_follow_up.evidence.intro": (
        "Oppfølgingen bygger på dokumentert kunnskap om resultatene. Før samtalen fører partene inn hva de har "
        "lagt til grunn:",
        "Oppfølginga byggjer på dokumentert kunnskap om resultata. Før samtalen fører partane inn kva dei har "
        "lagt til grunn:"),
    "director_follow_up.evidence.items": ([
        "**Økonomi:** årsregnskapet, årsrapporten og tertialrapportene",
        "**Tjenestene:** nøkkeltall (blant annet KOSTRA) og bruker- og innbyggerundersøkelser",
        "**Organisasjonen:** medarbeiderundersøkelsen, sykefraværet og HMS-arbeidet",
        "**Kontroll:** rapporter fra kontrollutvalget, forvaltningsrevisjon og statlige tilsyn",
    ], [
        "**Økonomi:** årsrekneskapen, årsrapporten og tertialrapportane",
        "**Tenestene:** nøkkeltal (mellom anna KOSTRA) og brukar- og innbyggjarundersøkingar",
        "**Organisasjonen:** medarbeidarundersøkinga, sjukefråværet og HMS-arbeidet",
        "**Kontroll:** rapportar frå kontrollutvalet, forvaltningsrevisjon og statlege tilsyn",
    ]),
    "director_follow_up.next.heading": ("Neste lederavtale", "Neste leiaravtale"),
    "director_follow_up.next": (
        "Hva partene er enige om å videreføre, endre eller legge til i neste lederavtale, også i forventningene "
        "begge veier:",
        "Kva partane er samde om å føre vidare, endre eller leggje til i neste leiaravtale, også i forventingane "
        "begge vegar:"),
    # oppfolging_vedlegg_kommunedirektor.docx: the evaluation of the kommunedirektør (after Øyer), exempt
    "director_evaluation.title": ("Evaluering av kommunedirektøren {{ periode.ar }} – {{ leder.navn }}",
                                  "Evaluering av kommunedirektøren {{ periode.ar }} – {{ leder.navn }}"),
    "director_evaluation.heading": ("Evaluering av kommunedirektøren {{ periode.ar }}",
                                    "Evaluering av kommunedirektøren {{ periode.ar }}"),
    "director_evaluation.subtitle": ("Vedlegg til oppfølgingssamtalen mellom kommunestyret og kommunedirektøren",
                                     "Vedlegg til oppfølgingssamtalen mellom kommunestyret og kommunedirektøren"),
    "director_evaluation.intro.1": (
        "Ordføreren evaluerer på vegne av kommunestyret hvordan kommunedirektøren har nådd målene og oppdragene i "
        "lederavtalen og fylt rollen, og kommunedirektøren evaluerer seg selv. Det offentlige dokumentet til "
        "oppfølgingssamtalen har status for målene og oppdragene og de gjensidige forventningene; vurderingene av "
        "kommunedirektøren står bare her.",
        "Ordføraren evaluerer på vegner av kommunestyret korleis kommunedirektøren har nådd måla og oppdraga i "
        "leiaravtalen og fylt rolla, og kommunedirektøren evaluerer seg sjølv. Det offentlege dokumentet til "
        "oppfølgingssamtalen har status for måla og oppdraga og dei gjensidige forventingane; vurderingane av "
        "kommunedirektøren står berre her."),
    "director_evaluation.opposition": (
        "Opposisjonsleder {{ kommune.opposisjonsleder }} deltar i evalueringen sammen med ordføreren, slik "
        "kommunestyret har bestemt, og får egenevalueringen på samme tid som ordføreren.",
        "Opposisjonsleiar {{ kommune.opposisjonsleder }} deltek i evalueringa saman med ordføraren, slik "
        "kommunestyret har bestemt, og får eigenevalueringa på same tid som ordføraren."),
    "director_evaluation.intro.2": (
        "Vedlegget er unntatt offentlighet fordi det er en vurdering av en arbeidstaker. Det oppbevares i "
        "kommunedirektørens personalmappe, og bare kommunedirektøren og ordføreren, og den kommunestyret har gitt "
        "fullmakt, skal ha tilgang til det.",
        "Vedlegget er unnateke offentlegheit fordi det er ei vurdering av ein arbeidstakar. Det blir oppbevart i "
        "personalmappa til kommunedirektøren, og berre kommunedirektøren og ordføraren, og den kommunestyret har "
        "gitt fullmakt, skal ha tilgang til det."),
    "director_evaluation.self.intro": (
        "Kommunedirektøren skriver egenevalueringen under disse overskriftene og sender den til ordføreren "
        "senest én uke før oppfølgingssamtalen.",
        "Kommunedirektøren skriv eigenevalueringa under desse overskriftene og sender henne til ordføraren "
        "seinast ei veke før oppfølgingssamtalen."),
    "director_evaluation.self.items": ([
        "**Måloppnåelse:** målene og oppdragene i avtalen og kommunestyrets viktigste vedtak",
        "**Rollen:** hvordan kommunedirektøren har fylt rollen og møtt forventningene i avtalen",
        "**Samarbeidet med de folkevalgte:** hva som har gått godt, og hva som kunne vært gjort annerledes",
        "**Fremover:** prioriteringer, risiko og eget utviklingsbehov for neste periode",
    ], [
        "**Måloppnåing:** måla og oppdraga i avtalen og dei viktigaste vedtaka i kommunestyret",
        "**Rolla:** korleis kommunedirektøren har fylt rolla og møtt forventingane i avtalen",
        "**Samarbeidet med dei folkevalde:** kva som har gått godt, og kva som kunne vore gjort annleis",
        "**Framover:** prioriteringar, risiko og eige utviklingsbehov for neste periode",
    ]),
    "director_evaluation.goals.intro": (
        "Kommunedirektørens personlige utviklingsmål fra vedlegget til lederavtalen. Skriv hvordan det har gått "
        "med hvert av dem.",
        "Dei personlege utviklingsmåla til kommunedirektøren frå vedlegget til leiaravtalen. Skriv korleis det "
        "har gått med kvart av dei."),
    "director_evaluation.evaluation": ("Ordførerens evaluering", "Evalueringa frå ordføraren"),
    "director_evaluation.evaluation.intro": (
        "Ordføreren skriver evalueringen for kommunestyret etter samtalen, og begge parter signerer den. "
        "Evalueringen er en del av grunnlaget for den årlige lønnsforhandlingen. Ordføreren orienterer "
        "formannskapet om at evalueringen er gjennomført; drøfter formannskapet eller kommunestyret innholdet, "
        "skjer det i lukket møte, jf. kommuneloven §\u00a011-5.",
        "Ordføraren skriv evalueringa for kommunestyret etter samtalen, og begge partar skriv under på henne. "
        "Evalueringa er ein del av grunnlaget for den årlege lønsforhandlinga. Ordføraren orienterer "
        "formannskapet om at evalueringa er gjennomført; drøftar formannskapet eller kommunestyret innhaldet, "
        "skjer det i lukka møte, jf. kommunelova §\u00a011-5."),
    "director_evaluation.evaluation.items": ([
        "**Måloppnåelse:** ordførerens vurdering av hvordan kommunedirektøren har nådd målene og oppdragene i "
        "avtalen",
        "**Rolle og samarbeid:** ordførerens vurdering av hvordan kommunedirektøren har fylt rollen og samarbeidet "
        "med de folkevalgte",
        "**Tilbakemelding:** hva kommunedirektøren gjør godt, og hva kommunedirektøren bør utvikle videre",
    ], [
        "**Måloppnåing:** vurderinga ordføraren gjer av korleis kommunedirektøren har nådd måla og oppdraga i "
        "avtalen",
        "**Rolle og samarbeid:** vurderinga ordføraren gjer av korleis kommunedirektøren har fylt rolla og "
        "samarbeidd med dei folkevalde",
        "**Tilbakemelding:** kva kommunedirektøren gjer godt, og kva kommunedirektøren bør utvikle vidare",
    ]),
    "director_evaluation.next.heading": ("Neste periode", "Neste periode"),
    "director_evaluation.next": (
        "**Utvikling:** utviklingsmål og forventninger partene tar med til avtalesamtalen for neste år",
        "**Utvikling:** utviklingsmål og forventingar partane tek med til avtalesamtalen for neste år"),
    # oppfolging.docx
    "follow_up.title": ("Oppfølgingssamtale {{ periode.ar }} – {{ leder.navn }}",
                        "Oppfølgingssamtale {{ periode.ar }} – {{ leder.navn }}"),
    "follow_up.heading": ("Oppfølgingssamtale {{ periode.ar }}", "Oppfølgingssamtale {{ periode.ar }}"),
    "follow_up.subtitle": ("Oppfølging av lederavtalen for {{ periode.tekst }}",
                           "Oppfølging av leiaravtalen for {{ periode.tekst }}"),
    "follow_up.date": ("Dato for samtalen", "Dato for samtalen"),
    "follow_up.purpose.1": (
        "Lederavtalen sier at partene har to faste samtaler i året etter avtalesamtalen: ledersamtalen om våren "
        "og denne oppfølgingssamtalen om høsten, som overordnet leder kaller inn til. I samtalen går lederen og "
        "overordnet leder gjennom status for oppdragene fra styringsbrevet og lederens egne tiltak, ser på hva "
        "som har endret seg, og avtaler hva som skal til for resten av perioden.",
        "Leiaravtalen seier at partane har to faste samtalar i året etter avtalesamtalen: leiarsamtalen om våren "
        "og denne oppfølgingssamtalen om hausten, som overordna leiar kallar inn til. I samtalen går leiaren og "
        "overordna leiar gjennom status for oppdraga frå styringsbrevet og tiltaka til leiaren, ser på kva som "
        "har endra seg, og avtaler kva som skal til for resten av perioden."),
    # Public: about the assignments and the unit. Whatever appraises the leader as a person is in the
    # follow-up's exempt appendix (oppfolging_vedlegg.docx).
    "follow_up.purpose.2": (
        "Dette dokumentet er offentlig, på samme måte som lederavtalen. Det handler om oppdragene og enheten, "
        "ikke om lederen som person: lederens personlige utviklingsmål, lederens vurdering av egen ledelse og "
        "overordnet leders tilbakemelding på den står i vedlegget til oppfølgingssamtalen, som er unntatt "
        "offentlighet.",
        "Dette dokumentet er offentleg, på same måten som leiaravtalen. Det handlar om oppdraga og eininga, "
        "ikkje om leiaren som person: dei personlege utviklingsmåla til leiaren, vurderinga leiaren gjer av eiga "
        "leiing og tilbakemeldinga frå overordna leiar står i vedlegget til oppfølgingssamtalen, som er "
        "unnateke offentlegheit."),
    "follow_up.assignments.intro": (
        "Oppdragene og tiltakene nedenfor er hentet fra lederavtalen. Kryss av for status, og skriv resultatet "
        "så langt og en kommentar for hvert oppdrag.",
        "Oppdraga og tiltaka nedanfor er henta frå leiaravtalen. Kryss av for status, og skriv resultatet så "
        "langt og ein kommentar for kvart oppdrag."),
    # The statuses HR reports on (status.xlsx), as boxes to tick on paper.
    # The statuses HR reports on, as status.xlsx names them, each a Word check box.
    "follow_up.statuses": (("Ikke startet", "I rute", "Forsinket", "Fullført", "Utgår"),
                           ("Ikkje starta", "I rute", "Forseinka", "Fullført", "Går ut")),
    "follow_up.assignments.empty": (
        "Lederavtalen har ingen oppdrag fra styringsbrevet for {{ periode.ar }}.",
        "Leiaravtalen har ingen oppdrag frå styringsbrevet for {{ periode.ar }}."),
    "follow_up.no_measures": ("Ingen egne tiltak er ført inn i lederavtalen.",
                              "Ingen eigne tiltak er ført inn i leiaravtalen."),
    "follow_up.status": ("Status", "Status"),
    "follow_up.result": ("Resultat", "Resultat"),
    "follow_up.comment": ("Kommentar", "Kommentar"),
    "follow_up.questions": ("Spørsmål til samtalen", "Spørsmål til samtalen"),
    "follow_up.questions.intro": (
        "Spørsmålene er et utgangspunkt; partene velger selv hva de vil bruke mest tid på.",
        "Spørsmåla er eit utgangspunkt; partane vel sjølv kva dei vil bruke mest tid på."),
    "follow_up.questions.items": ([
        "**Styringsbrevet:** Hva er status for prioriteringene i styringsbrevet for enheten?",
        "**Endrede forutsetninger:** Hva har endret seg siden avtalen ble inngått (vedtak, budsjett, "
        "organisering, bemanning), og hva betyr det for oppdragene?",
        "**Det som hjelper:** Hva bidrar til at arbeidet går framover, og hva står i veien?",
        "**Støtte:** Hvilken støtte trenger lederen fra overordnet leder og fra stab og støttefunksjoner?",
        "**Ansvar for personal, økonomi og fag:** Hvordan står det til med personalet, økonomien og det "
        "faglige ansvaret i enheten (for enheten som helhet, ikke om enkeltpersoner)?",
    ], [
        "**Styringsbrevet:** Kva er status for prioriteringane i styringsbrevet for eininga?",
        "**Endra føresetnader:** Kva har endra seg sidan avtalen blei inngått (vedtak, budsjett, organisering, "
        "bemanning), og kva betyr det for oppdraga?",
        "**Det som hjelper:** Kva bidreg til at arbeidet går framover, og kva står i vegen?",
        "**Støtte:** Kva støtte treng leiaren frå overordna leiar og frå stab og støttefunksjonar?",
        "**Ansvar for personal, økonomi og fag:** Korleis står det til med personalet, økonomien og det faglege "
        "ansvaret i eininga (for eininga som heilskap, ikkje om enkeltpersonar)?",
    ]),
    "follow_up.notes": ("Notater og avtaler", "Notat og avtalar"),
    "follow_up.notes.1": (
        "Hva partene er enige om etter samtalen, og hva som følges opp til neste gang (vurderinger av lederen som "
        "person skrives i vedlegget, ikke her):",
        "Kva partane er samde om etter samtalen, og kva som blir følgt opp til neste gong (vurderingar av leiaren "
        "som person skriv de i vedlegget, ikkje her):"),
    # oppfolging_vedlegg.docx: the follow-up's exempt appendix, for every leader (Lørenskog)
    "follow_up_appendix.title": ("Egen ledelse og utvikling {{ periode.ar }} – {{ leder.navn }}",
                                 "Eiga leiing og utvikling {{ periode.ar }} – {{ leder.navn }}"),
    "follow_up_appendix.heading": ("Egen ledelse og utvikling {{ periode.ar }}",
                                   "Eiga leiing og utvikling {{ periode.ar }}"),
    "follow_up_appendix.subtitle": ("Vedlegg til oppfølgingssamtalen med {{ leder.navn }}",
                                    "Vedlegg til oppfølgingssamtalen med {{ leder.navn }}"),
    "follow_up_appendix.intro.1": (
        "Dette vedlegget hører til oppfølgingssamtalen om høsten. Her følger lederen og overordnet leder opp de "
        "personlige utviklingsmålene og lederens egen ledelse så langt i år. Oppdragene følges opp i "
        "oppfølgingsdokumentet, som er offentlig.",
        "Dette vedlegget høyrer til oppfølgingssamtalen om hausten. Her følgjer leiaren og overordna leiar opp "
        "dei personlege utviklingsmåla og eiga leiing så langt i år. Oppdraga blir følgde opp i "
        "oppfølgingsdokumentet, som er offentleg."),
    "follow_up_appendix.intro.2": (
        "Vedlegget oppbevares atskilt fra oppfølgingsdokumentet. Bare lederen, overordnet leder og HR skal ha "
        "tilgang til det.",
        "Vedlegget blir oppbevart åtskilt frå oppfølgingsdokumentet. Berre leiaren, overordna leiar og HR skal "
        "ha tilgang til det."),
    "follow_up_appendix.goals.intro": (
        "Utviklingsmålene fra vedlegget til lederavtalen. Skriv hvordan det har gått med hvert av dem, og hva som "
        "gjenstår.",
        "Utviklingsmåla frå vedlegget til leiaravtalen. Skriv korleis det har gått med kvart av dei, og kva som "
        "står att."),
    "follow_up_appendix.goals.how": ("Hvordan har det gått?", "Korleis har det gått?"),
    "follow_up_appendix.own": ("Egen ledelse", "Eiga leiing"),
    "follow_up_appendix.own.intro": (
        "Lederen skriver sin vurdering før samtalen, og overordnet leder gir sin tilbakemelding i samtalen.",
        "Leiaren skriv vurderinga si før samtalen, og overordna leiar gir tilbakemeldinga si i samtalen."),
    "follow_up_appendix.own.items": ([
        "**Egen ledelse:** Hvordan vurderer lederen sin egen ledelse så langt i år, og hva vil lederen utvikle "
        "videre?",
        "**Styrker og utfordringer:** Hvordan har lederen brukt styrkene sine, og hvordan har det gått med det som "
        "var utfordrende (se vedlegget til lederavtalen)?",
        "**Tilbakemelding fra overordnet leder:** Hva gjør lederen godt, og hva bør lederen utvikle videre?",
    ], [
        "**Eiga leiing:** Korleis vurderer leiaren si eiga leiing så langt i år, og kva vil leiaren utvikle "
        "vidare?",
        "**Styrkar og utfordringar:** Korleis har leiaren brukt styrkane sine, og korleis har det gått med det som "
        "var utfordrande (sjå vedlegget til leiaravtalen)?",
        "**Tilbakemelding frå overordna leiar:** Kva gjer leiaren godt, og kva bør leiaren utvikle vidare?",
    ]),
    "follow_up_appendix.next.heading": ("Til neste år", "Til neste år"),
    "follow_up_appendix.next": (
        "**Utvikling:** utviklingsmål og annet partene tar med til avtalesamtalen neste år",
        "**Utvikling:** utviklingsmål og anna partane tek med til avtalesamtalen neste år"),
    # epost.txt
    "email": ("""\
Emne: Utkast til lederavtale {{ periode.ar }} – {{ leder.navn }}
Hei {{ leder.fornavn }},

Vedlagt er utkastet til lederavtalen din for {{ periode.ar }} ({{ periode.tekst }}). Avtalen inngås mellom deg og {{ overordnet.navn }} ({{ overordnet.stilling|liten }}), som får kopi av denne e-posten. Lederavtalen er et offentlig dokument.

{% if vedlegg_utelatt %}Til avtalen hører vedlegget «Personlige utviklingsmål {{ periode.ar }}». Det er unntatt offentlighet og er derfor ikke lagt ved denne e-posten; du får det av HR på annen måte, for eksempel på papir til avtalesamtalen.{% else %}Til avtalen hører vedlegget «Personlige utviklingsmål {{ periode.ar }}». Det er unntatt offentlighet: ikke videresend det, og ikke legg det i delte mapper.{% endif %}

{{ overordnet.navn }} kaller inn til avtalesamtalen⟨MØTE⟩. Gå gjerne gjennom utkastet før samtalen med {{ overordnet.navn }}, og tenk gjennom hvilke tiltak du vil sette i gang for å nå målene. Det dere blir enige om i samtalen, fører dere inn i Word-filene.

De utfylte Word-filene leverer dere til HR så snart samtalen er holdt, slik det er avtalt, for eksempel i arkivsystemet – ikke på e-post, fordi vedlegget er unntatt offentlighet. HR legger dem inn i verktøyet for lederavtaler og lager kopiene dere skal signere, elektronisk eller på papir. Avtalen skal være signert innen ⟨FRIST⟩. Vi sørger for arkiveringen.

Har du spørsmål, ta kontakt med ⟨KONTAKT⟩.

Vennlig hilsen
HR
{{ kommune.navn }}
""".replace("⟨MØTE⟩", MEETING[0]).replace("⟨FRIST⟩", DEADLINE).replace("⟨KONTAKT⟩", CONTACT[0]), """\
Emne: Utkast til leiaravtale {{ periode.ar }} – {{ leder.navn }}
Hei {{ leder.fornavn }},

Vedlagt er utkastet til leiaravtalen din for {{ periode.ar }} ({{ periode.tekst }}). Avtalen blir inngått mellom deg og {{ overordnet.navn }} ({{ overordnet.stilling|liten }}), som får kopi av denne e-posten. Leiaravtalen er eit offentleg dokument.

{% if vedlegg_utelatt %}Til avtalen høyrer vedlegget «Personlege utviklingsmål {{ periode.ar }}». Det er unnateke offentlegheit og er difor ikkje lagt ved denne e-posten; du får det frå HR på annan måte, til dømes på papir til avtalesamtalen.{% else %}Til avtalen høyrer vedlegget «Personlege utviklingsmål {{ periode.ar }}». Det er unnateke offentlegheit: ikkje send det vidare, og ikkje legg det i delte mapper.{% endif %}

{{ overordnet.navn }} kallar inn til avtalesamtalen⟨MØTE⟩. Gå gjerne gjennom utkastet før samtalen med {{ overordnet.navn }}, og tenk gjennom kva tiltak du vil setje i verk for å nå måla. Det de blir samde om i samtalen, fører de inn i Word-filene.

Dei utfylte Word-filene leverer de til HR så snart samtalen er halden, slik det er avtalt, til dømes i arkivsystemet – ikkje på e-post, fordi vedlegget er unnateke offentlegheit. HR legg dei inn i verktøyet for leiaravtalar og lagar kopiane de skal skrive under på, elektronisk eller på papir. Avtalen skal vere underskriven innan ⟨FRIST⟩. Vi syter for arkiveringa.

Har du spørsmål, ta kontakt med ⟨KONTAKT⟩.

Venleg helsing
HR
{{ kommune.navn }}
""".replace("⟨MØTE⟩", MEETING[1]).replace("⟨FRIST⟩", DEADLINE).replace("⟨KONTAKT⟩", CONTACT[1])),
    # epost_oppfolging.txt: only the follow-up document goes with it; it is public.
    "email.follow_up": ("""\
Emne: Oppfølgingssamtale {{ periode.ar }} – {{ leder.navn }}
Hei {{ leder.fornavn }},

Vedlagt er dokumentet til oppfølgingssamtalen om lederavtalen din for {{ periode.ar }}. {{ overordnet.navn }} ({{ overordnet.stilling|liten }}) kaller inn til samtalen og får kopi av denne e-posten.

Dokumentet viser oppdragene og tiltakene fra lederavtalen, og det er offentlig. Kryss gjerne av for status og skriv resultatet og en kommentar for hvert oppdrag før samtalen, og tenk gjennom spørsmålene i dokumentet.

Dine personlige utviklingsmål og din vurdering av egen ledelse følger dere opp i et eget vedlegg til oppfølgingssamtalen, som er unntatt offentlighet; de er ikke med i dokumentet. Får du vedlegget på e-post, skal du ikke videresende det eller legge det i delte mapper.

{% if politisk_sekretariat %}Det utfylte dokumentet leverer dere til det politiske sekretariatet ({{ politisk_sekretariat }}), som forbereder saken for kommunestyret; vedlegget leveres slik det er avtalt – ikke på e-post.{% else %}Det utfylte dokumentet og vedlegget leverer dere til HR etter samtalen, slik det er avtalt – ikke på e-post.{% endif %}

Har du spørsmål, ta kontakt med ⟨KONTAKT⟩.

Vennlig hilsen
HR
{{ kommune.navn }}
""".replace("⟨KONTAKT⟩", CONTACT[0]), """\
Emne: Oppfølgingssamtale {{ periode.ar }} – {{ leder.navn }}
Hei {{ leder.fornavn }},

Vedlagt er dokumentet til oppfølgingssamtalen om leiaravtalen din for {{ periode.ar }}. {{ overordnet.navn }} ({{ overordnet.stilling|liten }}) kallar inn til samtalen og får kopi av denne e-posten.

Dokumentet viser oppdraga og tiltaka frå leiaravtalen, og det er offentleg. Kryss gjerne av for status og skriv resultatet og ein kommentar for kvart oppdrag før samtalen, og tenk gjennom spørsmåla i dokumentet.

Dei personlege utviklingsmåla dine og vurderinga di av eiga leiing følgjer de opp i eit eige vedlegg til oppfølgingssamtalen, som er unnateke offentlegheit; dei er ikkje med i dokumentet. Får du vedlegget på e-post, skal du ikkje sende det vidare eller leggje det i delte mapper.

{% if politisk_sekretariat %}Det utfylte dokumentet leverer de til det politiske sekretariatet ({{ politisk_sekretariat }}), som førebur saka for kommunestyret; vedlegget blir levert slik det er avtalt – ikkje på e-post.{% else %}Det utfylte dokumentet og vedlegget leverer de til HR etter samtalen, slik det er avtalt – ikkje på e-post.{% endif %}

Har du spørsmål, ta kontakt med ⟨KONTAKT⟩.

Venleg helsing
HR
{{ kommune.navn }}
""".replace("⟨KONTAKT⟩", CONTACT[1])),
}


# --------------------------------------------------------------------------- build

MALFORMER = [BOKMAL, NYNORSK]
DOCUMENTS = [agreement, appendix, director_agreement, follow_up, director_follow_up, follow_up_appendix,
             director_follow_up_appendix]
# The e-mail texts: file name and phrase key.
EMAILS = [("epost.txt", "email"), ("epost_oppfolging.txt", "email.follow_up")]


def build_all(target: Path) -> list[Path]:
    """Write every template into `target` (bokmål) and `target/nynorsk`. Returns the paths."""
    written = []
    for malform in MALFORMER:
        for document in DOCUMENTS:
            spec = document(malform)
            path = target / malform.folder / spec.filename
            write_if_changed(path, build_docx(spec))
            written.append(path)
    for malform in MALFORMER:
        for filename, key in EMAILS:
            path = target / malform.folder / filename
            write_if_changed(path, malform.phrase(key).encode("utf-8"))
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "maler"
    for path in build_all(target):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
