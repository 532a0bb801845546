"""Fills a prepared Word template for many leaders.

A document is one Jinja render per XML part, appended to a copy of the template's zip whose
unchanged parts were compressed once, so each document costs a few milliseconds.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
from docx.shared import Mm
from lxml import etree
from markupsafe import Markup

from ..exceptions import TemplateError
from . import docx_engine
from .context import logo_image
from .jinja import explain, make_jinja_env
from .template import PreparedTemplate

CORE_XML = "docProps/core.xml"
LOGO_HEIGHT = Mm(20)
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so that equal content gives equal bytes
_BODY_MARK = "LEDERAVTALE-BODY-PLACEHOLDER"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_LISTING_CHARS = re.compile(r"[\t\n\a\f]")


def document_text(xml: str) -> str:
    """The visible text of WordprocessingML, paragraphs on their own lines."""
    xml = re.sub(r"</w:p>|<w:br/>|<w:br [^>]*/>", "\n", xml)
    xml = re.sub(r"<w:tab/>", "\t", xml)
    texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|(\n)", xml)
    return html.unescape("".join(t or nl for t, nl in texts))


@dataclass
class _Part:
    zip_name: str
    prefix: str  # for the body: the document XML around the rendered <w:body>
    suffix: str
    template: jinja2.Template
    logo: Markup


class DocxRenderer:
    """One agreement or appendix template, rendered for many leaders."""

    def __init__(self, template: PreparedTemplate, env: jinja2.Environment | None = None, logo: Path | None = None):
        self.template = template
        self.env = env or make_jinja_env()
        self._needs_table_fix = any("{%tc" in p.source or "{% tc" in p.source for p in template.parts)
        body, *others = template.parts
        prefix, suffix = _around_body(template.document)
        self._parts = [self._compile(body, _XML_DECLARATION + prefix, suffix, logo)]
        self._parts += [self._compile(part, _XML_DECLARATION, "", logo) for part in others]
        buffer = io.BytesIO()
        template.document.save(buffer)  # now holds the logo's image part and relationships, if any
        self._base_zip = _zip_without(buffer.getvalue(), {p.zip_name for p in self._parts} | {CORE_XML})

    def _compile(self, part, prefix: str, suffix: str, logo: Path | None) -> _Part:
        try:
            template = self.env.from_string(part.source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError([explain(self.template.path.name, exc)]) from exc
        logo_markup = Markup("")
        if logo is not None and "logo" in part.source:
            logo_markup = Markup(docx_engine.inline_image_xml(part.docx_part, logo_image(logo), LOGO_HEIGHT))
        return _Part(part.zip_name, prefix, suffix, template, logo_markup)

    def render(self, context: dict, properties: dict | None = None) -> bytes:
        """The finished .docx."""
        return self.pack(self.fill(context), context, properties)

    def fill(self, context: dict) -> dict[str, str]:
        """Every part's XML filled in for one context, without packing a document: what a check needs."""
        filled: dict[str, str] = {}
        for part in self._parts:
            part_context = context
            if part.logo:
                part_context = dict(context, kommune=dict(context["kommune"], logo=part.logo))
            try:
                xml = part.template.render(part_context)
            except jinja2.TemplateError as exc:
                raise TemplateError([explain(self.template.path.name, exc)]) from exc
            filled[part.zip_name] = self._finish_xml(xml)
        return filled

    def _finish_xml(self, xml: str) -> str:
        # Undo the line per paragraph that PreparedTemplate put in for Jinja's line numbers.
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        xml = self._resolve_listings(xml)
        if self._needs_table_fix:
            xml = docx_engine.fix_tables(xml)
        return xml

    def _resolve_listings(self, xml: str) -> str:
        """Tabs, line breaks and page breaks in values become Word's own, as docxtpl does.

        docxtpl's resolve_listing is the costliest step of a render, so it is given only the
        paragraphs that hold such a character, found from the characters themselves.
        """
        pieces, done = [], 0
        for char in _LISTING_CHARS.finditer(xml):
            if char.start() < done:
                continue  # in the paragraph just resolved
            start = max(xml.rfind("<w:p ", 0, char.start()), xml.rfind("<w:p>", 0, char.start()))
            end = xml.find("</w:p>", char.start())
            if start < done or end < 0:
                continue  # not inside a paragraph: left as it is
            end += len("</w:p>")
            pieces += [xml[done:start], docx_engine.resolve_listing(xml[start:end])]
            done = end
        return "".join(pieces) + xml[done:] if pieces else xml

    def pack(self, filled: dict[str, str], context: dict, properties: dict | None = None) -> bytes:
        """The .docx of parts filled in by `fill`, with the document properties."""
        # Appending to a copy of the precompressed base is what makes a document cost
        # milliseconds: only the filled-in parts are compressed.
        out = io.BytesIO(self._base_zip)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            for part in self._parts:
                xml = part.prefix + filled[part.zip_name] + part.suffix
                zf.writestr(zipfile.ZipInfo(part.zip_name, _ZIP_TIME), xml.encode("utf-8"), zipfile.ZIP_DEFLATED)
            zf.writestr(zipfile.ZipInfo(CORE_XML, _ZIP_TIME), _core_xml(properties or {}, context.get("dato")).encode("utf-8"),
                        zipfile.ZIP_DEFLATED)
        return out.getvalue()


def text_of(filled: dict[str, str]) -> str:
    """The visible text of a filled-in document, part by part."""
    return "\n".join(document_text(xml) for xml in filled.values())


def _core_xml(properties: dict, when) -> str:
    stamp = (when or date.today()).strftime("%Y-%m-%dT00:00:00Z")
    fields = "".join(
        f"<{tag}>{xml_escape(str(properties[key]))}</{tag}>"
        for key, tag in (("title", "dc:title"), ("subject", "dc:subject"), ("author", "dc:creator"),
                         ("keywords", "cp:keywords"), ("author", "cp:lastModifiedBy"))
        if properties.get(key)
    )
    return (
        _XML_DECLARATION
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{fields}<dc:language>{xml_escape(properties.get("language", "nb-NO"))}</dc:language>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _around_body(document) -> tuple[str, str]:
    """The document XML before and after the content of <w:body>, which each render fills in."""
    shell = etree.fromstring(etree.tostring(document.element))
    body = shell.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
    for child in list(body):
        body.remove(child)
    body.text = _BODY_MARK
    shell_xml = etree.tostring(shell, encoding="unicode")
    body_open = shell_xml.index(_BODY_MARK)
    return shell_xml[: shell_xml.rindex("<", 0, body_open)], shell_xml[shell_xml.index(">", body_open) + 1 :]


def _zip_without(data: bytes, names: set[str]) -> bytes:
    """The template's zip minus the parts each render replaces, compressed once."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in names:
                dst.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), src.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()
