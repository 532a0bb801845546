"""The one door to docxtpl and python-docx below their documented API.

docxtpl's public way to fill a template, `DocxTemplate(path).render(context)`, reopens and
re-parses the template for every document, about a tenth of the speed of the renderer here
(benchmarks/bench_docx.py, 500 leaders: 13–23 against 140–210 documents a second). So
template.py and render.py run the steps of docxtpl's render one by one, the costly ones once
per template, and those steps are not public API: docxtpl has no public equivalent of them.
This module is the only place that calls them; nothing else in `generator/` reaches below
the documented API of either library (tests/test_docxtpl_door.py checks that, and fails with
a message naming the function here if an upgrade changes one of them).

Tested with docxtpl 0.18.0, 0.19.1, 0.20.0 and 0.20.2, and python-docx 1.1.2 and 1.2.0: the
ranges below, which pyproject.toml pins. docxtpl's steps used here are the same code in all four
versions; a newer minor version is to be checked against tests/test_docxtpl_door.py before
the pin is widened.

What each function relies on:

- `mend_tags`: `DocxTemplate.patch_xml(src_xml)`, which joins tags Word split over several
  runs, turns `{%p …%}`, `{%tr …%}`, `{%tc …%}` and `{%r …%}` into plain Jinja tags at the
  paragraph, row, cell or run, and straightens quotes and unescapes `&lt;`/`&gt;` inside tags
  (check/paragraphs.py mirrors the last). It reads nothing of the instance.
- `resolve_listing`: `DocxTemplate.resolve_listing(xml)`, which turns tab, line feed, BEL and
  form feed in a filled-in paragraph into Word's tab, line break, new paragraph and page
  break. It reads nothing of the instance.
- `fix_tables`: `DocxTemplate.fix_tables(xml)` (the table grid widened or narrowed to the
  cells a `{%tc for %}` made) and `DocxTemplate.xml_to_string(tree)`. Nothing of the instance.
- `inline_image_xml`: `InlineImage(tpl, image_descriptor, width=None, height=None)` read as
  text (its `__html__`, as Jinja reads it), which takes the part to add the image to from
  `tpl.current_rendering_part` (set by `DocxTemplate.render` per part, set here by hand), and
  through it python-docx's `StoryPart.new_pic_inline`, whose `<wp:docPr>` and `<pic:cNvPr>`
  get the picture's description added to them.
- `template_parts`: python-docx's `Document.part`, `Part.rels` (each with `reltype`,
  `target_part`), `Part.blob` and `Part.partname`, read the way docxtpl's
  `get_headers_footers` and `get_part_xml` read them, so that the parts filled in are the
  ones docxtpl would fill in.
- `drop_relationship`: python-docx's `Part.drop_rel(rId)`, which drops a relationship whose
  reference count in the part's XML is under two.
- `remove_paragraph`: python-docx's `Paragraph._p`, the paragraph's `<w:p>`, taken from its parent.
- `table_element`: python-docx's `Table._tbl`, the table's `<w:tbl>`, to append rows to in
  one piece (python-docx's `add_row` costs about a millisecond a cell).
- `describe_picture`: python-docx's `InlineShape._inline`, the picture's `<wp:inline>`, whose
  `<wp:docPr>` carries the description (alt text) Word and LibreOffice give screen readers.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docxtpl import DocxTemplate, InlineImage
from lxml import etree

TESTED_DOCXTPL = ">=0.18,<0.21"
TESTED_PYTHON_DOCX = ">=1.1,<1.3"

# patch_xml, resolve_listing, fix_tables and xml_to_string are methods that use nothing of
# their instance, so one instance without a file serves every template. Were an upgrade to
# make them read the template, `docx` being None here makes that an AttributeError at once.
_DOCXTPL = DocxTemplate(None)


def mend_tags(xml: str) -> str:
    """A part's XML as Word saved it, made into what Jinja can compile: docxtpl's preprocessing."""
    return _DOCXTPL.patch_xml(xml)


def resolve_listing(xml: str) -> str:
    """Tabs, line breaks, paragraph and page breaks in filled-in values made into Word's own."""
    return _DOCXTPL.resolve_listing(xml)


def fix_tables(xml: str) -> str:
    """Every table's grid made to fit the columns a `{%tc for %}` repeated."""
    return _DOCXTPL.xml_to_string(_DOCXTPL.fix_tables(xml))


def inline_image_xml(part, image, height, description: str = "") -> str:
    """The runs that show `image` at `height` where a `{{ … }}` stood in a text run of `part`.

    The image and its relationship are added to `part` (python-docx), so they are saved with
    the document that holds it. `image` is a path (as text) or a binary file object.
    `description` is the picture's alternative text (Word's «Alternativ tekst», the PDF's /Alt,
    what a screen reader says): neither docxtpl nor python-docx has a way to set it.
    """
    holder = DocxTemplate(None)
    holder.current_rendering_part = part
    xml = str(InlineImage(holder, image, height=height))
    if description:
        described = f" descr={quoteattr(description)}"
        for pattern in _PICTURE_NAMES:
            xml = pattern.sub(lambda match: match.group(1) + described + match.group(2), xml, count=1)
    return xml


class DescribedImage:
    """A picture with its description (alt text) for a template's `{{ … }}`, in whichever part docxtpl is
    rendering (body, header or footer): docxtpl's own InlineImage has no description."""

    def __init__(self, tpl: DocxTemplate, image, height, description: str):
        self.tpl, self.image, self.height, self.description = tpl, image, height, description

    def __html__(self) -> str:
        # A buffer is read once per rendering; each part gets a fresh one.
        image = io.BytesIO(self.image.getvalue()) if isinstance(self.image, io.BytesIO) else self.image
        return inline_image_xml(self.tpl.current_rendering_part, image, self.height, self.description)

    __str__ = __html__


# python-docx's new_pic_inline writes both without a descr: the drawing's and the picture's name.
_PICTURE_NAMES = (re.compile(r"(<wp:docPr\b[^>]*?)(\s*/?>)"), re.compile(r"(<pic:cNvPr\b[^>]*?)(\s*/?>)"))


@dataclass
class DocxPart:
    """One XML part that may hold template code."""

    kind: str  # "body", "header" or "footer"
    zip_name: str  # "word/document.xml", "word/header1.xml", …
    xml: str  # the part's XML as one line, as docxtpl hands it to patch_xml
    part: object  # python-docx's part: where an image's relationship goes
    # Which pages a header or footer is for, as the section says: "first" (the first page, when it has its
    # own), "even" (even pages, when they have their own), else "default".
    pages: str = "default"


_KINDS = ((RELATIONSHIP_TYPE.HEADER, "header"), (RELATIONSHIP_TYPE.FOOTER, "footer"))


def template_parts(document) -> list[DocxPart]:
    """The body, then the headers, then the footers of a python-docx Document, as docxtpl
    renders them (a header or footer without content is skipped, as docxtpl skips it)."""
    body = document.part
    parts = [DocxPart("body", _zip_name(body), _xml(document.element.body), body)]
    pages = {ref.get(qn("r:id")): ref.get(qn("w:type"), "default")
             for ref in document.element.body.iter(qn("w:headerReference"), qn("w:footerReference"))}
    for reltype, kind in _KINDS:
        for rid, rel in body.rels.items():
            if rel.reltype == reltype and rel.target_part.blob:
                target = rel.target_part
                parts.append(DocxPart(kind, _zip_name(target), _xml(parse_xml(target.blob)), target,
                                      pages.get(rid, "default")))
    return parts


def drop_relationship(part, rid: str) -> None:
    """A part's relationship (and, when nothing else uses it, its target) dropped, once no XML of the
    part refers to it any more: python-docx's `Part.drop_rel`."""
    part.drop_rel(rid)


def remove_paragraph(paragraph) -> None:
    """A python-docx Paragraph taken out of its document (python-docx has no API for it)."""
    element = paragraph._p
    element.getparent().remove(element)


def table_element(table):
    """The `<w:tbl>` element of a python-docx Table."""
    return table._tbl


def describe_picture(inline_shape, description: str) -> None:
    """The alt text of a picture python-docx added (`add_picture`'s InlineShape): docPr's descr."""
    inline_shape._inline.docPr.set("descr", description)


def _zip_name(part) -> str:
    return str(part.partname).lstrip("/")


def _xml(element) -> str:
    # Not pretty-printed: patch_xml's patterns expect the XML on one line (docxtpl's xml_to_string).
    return etree.tostring(element, encoding="unicode", pretty_print=False)
