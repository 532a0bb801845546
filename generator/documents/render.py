"""Fills a prepared Word template for many leaders.

A document is one Jinja render per XML part, appended to a copy of the template's zip whose
unchanged parts were compressed once, so each document costs a few milliseconds.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape as xml_escape

import jinja2
from docx.shared import Mm
from lxml import etree
from markupsafe import Markup

from ..exceptions import TemplateError
from ..model import Problem
from . import docx_engine, stamp
from .context import logo_image
from .identity import DocumentId, qr_png
from .jinja import explain, make_jinja_env
from .template import PreparedTemplate
from .text import document_text

CORE_XML = "docProps/core.xml"
LOGO_HEIGHT = Mm(20)
# The logo's alternative text (the PDF's /Alt), the same in bokmål and nynorsk. The renderer is
# made before it knows the municipality, so the name goes in at each render.
LOGO_DESCRIPTION = "Logo for {}"
_LOGO_NAME = "LEDERAVTALE-KOMMUNENAVN"
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so that equal content gives equal bytes
_BODY_MARK = "LEDERAVTALE-BODY-PLACEHOLDER"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_LISTING_CHARS = re.compile(r"[\t\n\a\f]")


@dataclass
class _Part:
    zip_name: str
    prefix: str  # for the body: the document XML around the rendered <w:body>
    suffix: str
    template: jinja2.Template
    logo: Markup


class DocxRenderer:
    """One agreement or appendix template, rendered for many leaders.

    With `identity`, every document carries its document ID (documents.stamp): the template's ID
    line and QR picture, or ones added where it has none, and the custom property; `pack` is then
    given the ID. Without, an ID line the template holds is left out.
    """

    def __init__(self, template: PreparedTemplate, env: jinja2.Environment | None = None, logo: Path | None = None,
                 identity: bool = False):
        self.template = template
        self.env = env or make_jinja_env()
        self.identity = identity
        self._needs_table_fix = any("{%tc" in p.source or "{% tc" in p.source for p in template.parts)
        body, *others = template.parts
        sources = {part.zip_name: part.source for part in template.parts}
        qr_rid = stamp.qr_rid(body.source)
        if identity:
            if qr_rid is None:
                sources[body.zip_name] = stamp.with_qr(body.source, stamp.QR_RID)
            footers = [p for p in others if p.zip_name.startswith("word/footer")]
            if not any(stamp.has_id_line(p.source) for p in footers):
                sources.update({p.zip_name: stamp.with_id_line(p.source) for p in footers})
        prefix, suffix = _around_body(template.document)
        self._parts = [self._compile(body, sources[body.zip_name], _XML_DECLARATION + prefix, suffix, logo)]
        self._parts += [self._compile(part, sources[part.zip_name], _XML_DECLARATION, "", logo) for part in others]
        buffer = io.BytesIO()
        template.document.save(buffer)  # now holds the logo's image part and relationships, if any
        replaced = {p.zip_name for p in self._parts} | {CORE_XML}
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
            members = {name: zf.read(name) for name in zf.namelist()}
        self._custom = self._qr_member = None
        if identity:
            members, rid, self._qr_member = stamp.prepare_package(members, qr_rid)
            if qr_rid is None and rid != stamp.QR_RID:
                raise TemplateError([Problem(template.path.name, f"relasjonen {stamp.QR_RID} er allerede i bruk")])
            custom_name = stamp.custom_part_name(members)
            self._custom = (custom_name, members[custom_name].decode("utf-8"))
            replaced |= {custom_name, self._qr_member}
        self._base_zip = _zip_without(members, replaced)

    def _compile(self, part, source: str, prefix: str, suffix: str, logo: Path | None) -> _Part:
        try:
            template = self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError([explain(self.template.path.name, exc)]) from exc
        logo_markup = Markup("")
        if logo is not None and "logo" in source:
            logo_markup = Markup(docx_engine.inline_image_xml(part.docx_part, logo_image(logo), LOGO_HEIGHT,
                                                              LOGO_DESCRIPTION.format(_LOGO_NAME)))
        return _Part(part.zip_name, prefix, suffix, template, logo_markup)

    def render(self, context: dict, properties: dict | None = None, rolle: str = "",
               make_id: Callable[[str], DocumentId] | None = None) -> bytes:
        """The finished .docx (with `identity`, `make_id(version)` gives its ID; `rolle` its kind)."""
        filled = self.fill(context)
        document_id = make_id(self.version(rolle, filled)) if self.identity else None
        return self.pack(filled, context, properties, document_id)

    def version(self, rolle: str, filled: dict[str, str], texts: dict[str, str] | None = None) -> str:
        """The version of the document ID of a filled-in document: its body's content (`texts`: each
        part's text, when the caller has it already)."""
        body = self._parts[0].zip_name
        return stamp.content_version(rolle, texts[body] if texts else document_text(filled[body]))

    def fill(self, context: dict) -> dict[str, str]:
        """Every part's XML filled in for one context, without packing a document: what a check needs."""
        filled: dict[str, str] = {}
        for part in self._parts:
            part_context = context
            if part.logo:
                name = xml_escape(str(context["kommune"].get("navn") or "kommunen"), {'"': "&quot;", "'": "&apos;"})
                logo = Markup(str(part.logo).replace(_LOGO_NAME, name))
                part_context = dict(context, kommune=dict(context["kommune"], logo=logo))
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

    def pack(self, filled: dict[str, str], context: dict, properties: dict | None = None,
             document_id: DocumentId | None = None) -> bytes:
        """The .docx of parts filled in by `fill`, with the document properties and, with `identity`,
        the document ID `document_id` in its footer line, QR code and custom property."""
        if self.identity and document_id is None:
            raise ValueError("a renderer with identity packs a document only with its ID")
        # Appending to a copy of the precompressed base is what makes a document cost
        # milliseconds: only the filled-in parts are compressed.
        out = io.BytesIO(self._base_zip)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
            for part in self._parts:
                xml = stamp.fill_ids(part.prefix + filled[part.zip_name] + part.suffix, document_id)
                zf.writestr(zipfile.ZipInfo(part.zip_name, _ZIP_TIME), xml.encode("utf-8"), zipfile.ZIP_DEFLATED)
            if document_id is not None:
                custom_name, custom = self._custom
                zf.writestr(zipfile.ZipInfo(custom_name, _ZIP_TIME), stamp.fill_ids(custom, document_id).encode("utf-8"),
                            zipfile.ZIP_DEFLATED)
                # PNG is compressed already.
                zf.writestr(zipfile.ZipInfo(self._qr_member, _ZIP_TIME), qr_png(document_id), zipfile.ZIP_STORED)
            zf.writestr(zipfile.ZipInfo(CORE_XML, _ZIP_TIME), _core_xml(properties or {}, context.get("dato")).encode("utf-8"),
                        zipfile.ZIP_DEFLATED)
        return out.getvalue()


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


def _zip_without(members: dict[str, bytes], names: set[str]) -> bytes:
    """The template's zip minus the parts each render replaces, compressed once."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members.items():
            if name not in names:
                dst.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
